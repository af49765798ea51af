//! The kit's test harness: it drives the labs' programs the way a person at a terminal would.
//!
//! A test is a [`Conversation`]: it starts programs ([`Conversation::start`]), connects raw TCP
//! members to them like `nc` would ([`Conversation::connect`]) or plays a fake server for a
//! client ([`Conversation::accept`]), types lines, and waits for what should come back.
//! Everything happens over real TCP on loopback, between real processes.
//!
//! - A program's role is resolved by [`role!`]: the lab's own binary, or, when the variable
//!   `LABnn_ROLE` (e.g. `LAB03_SERVER`) holds a command line, that command, so the same suite
//!   grades a student's program written in any language.
//! - Waiting is always for something: "until the client has printed `Me : `", with a time limit
//!   ([`timeout`]), never a sleep.
//! - Each process's whole output is its transcript, with the lines typed into it echoed where
//!   a terminal would show them; [`assert_transcript!`] pins it as an insta snapshot with the
//!   times, dates, ports and host name masked.
//! - When a wait fails, the test fails with the conversation's step log: which step, what was
//!   sent, what was expected and what arrived instead.
//! - Processes are killed when their handle is dropped, whatever happened in the test.
//! - A program that needs a real terminal (line editing, printing above the line being typed)
//!   runs in one with [`Terminal`] (a tmux pane), which types keys and reads the screen.

mod conversation;
mod guide;
mod peer;
mod process;
mod received;
mod rerun;
mod terminal;
mod transcript;

pub use conversation::Conversation;
pub use guide::{Printed, printed_commands};
pub use peer::Peer;
pub use process::{Process, Role};
pub use rerun::{assert_override_grades, rerun_test};
pub use terminal::Terminal;
pub use transcript::{host_name, transcript_settings};

/// insta, for the [`assert_transcript!`] macro.
pub use insta;

use std::time::{Duration, Instant};

/// How long a wait may last before the step fails: 5 seconds, or `HARNESS_TIMEOUT` seconds.
///
/// Every expected line on loopback arrives in milliseconds; the limit only bounds how long a
/// broken program can hold up the suite. A slow student program can be given more time with
/// `HARNESS_TIMEOUT=20`.
pub fn timeout() -> Duration {
    let seconds = std::env::var("HARNESS_TIMEOUT")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(5.0);
    Duration::from_secs_f64(seconds)
}

/// Asks `done` every `every` until it says yes (true) or `limit` has passed (false): for a
/// state that nothing announces (a port's sockets in /proc/net/tcp, the programs still running
/// in a folder), so it has to be read again. A wait for a program's output is
/// [`Process::expect`]'s, not this.
pub fn poll_until(limit: Duration, every: Duration, mut done: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while !done() {
        if started.elapsed() > limit {
            return false;
        }
        std::thread::sleep(every);
    }
    true
}
