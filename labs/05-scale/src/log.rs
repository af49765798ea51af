//! The server's log: its standard output, in the documents' words, written by a thread of its
//! own.
//!
//! The documents' server `print`s a line for every message, and so does this one. But
//! `println!` makes a system call for each line, while holding standard output's lock, for which
//! every member's thread would queue. Here [`line`] only appends the line to a buffer; the log
//! thread writes whatever has gathered with one system call as soon as it is woken: in a quiet
//! room each line appears at once, in a busy one a single write carries hundreds of lines.
//!
//! The room never logs while it holds its lock. A log nobody reads (its pipe full) then blocks
//! only the log thread and, once [`WAITING`] bytes have gathered, the threads that have something
//! to log, never the room itself.

use std::io::{self, Write};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// How many bytes of log may wait for the log thread.
const WAITING: usize = 1 << 20;

/// What the log thread has to do, and its alarm clock.
static LOG: Mutex<Pending> = Mutex::new(Pending {
    lines: Vec::new(),
    writing: false,
});
static CHANGED: Condvar = Condvar::new();

struct Pending {
    /// Lines not written yet, each with its `\n`.
    lines: Vec<u8>,
    /// The log thread is writing the lines it took.
    writing: bool,
}

/// Starts the log thread.
pub fn start() -> io::Result<()> {
    thread::Builder::new()
        .name("log".to_string())
        .stack_size(64 * 1024)
        .spawn(write_out)
        .map(drop)
}

/// Logs `text` as one line.
pub fn line(text: String) {
    let mut log = lock();
    while log.lines.len() >= WAITING {
        log = wait(log, None);
    }
    log.lines.extend_from_slice(text.as_bytes());
    log.lines.push(b'\n');
    // The first line wakes the log thread; the others find it awake.
    if log.lines.len() == text.len() + 1 {
        CHANGED.notify_all();
    }
}

/// Waits until everything logged is written, or `patience` has passed (nobody may be reading
/// the log): the last lines before the server exits.
pub fn flush(patience: Duration) {
    let deadline = Instant::now() + patience;
    let mut log = lock();
    while (log.writing || !log.lines.is_empty()) && Instant::now() < deadline {
        log = wait(log, Some(deadline));
    }
}

/// The log thread's body: waits for lines, writes all those that have gathered, and so on.
fn write_out() {
    let mut log = lock();
    loop {
        if log.lines.is_empty() {
            log = wait(log, None);
            continue;
        }
        let lines = std::mem::take(&mut log.lines);
        log.writing = true;
        drop(log);
        CHANGED.notify_all(); // There is room again for those waiting in `line`.
        // Standard output writes what ends in a line end at once: one system call.
        let _ = io::stdout().lock().write_all(&lines);
        log = lock();
        log.writing = false;
        CHANGED.notify_all(); // For `flush`.
    }
}

fn lock() -> MutexGuard<'static, Pending> {
    LOG.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn wait(log: MutexGuard<'static, Pending>, until: Option<Instant>) -> MutexGuard<'static, Pending> {
    match until {
        Some(deadline) => {
            let left = deadline.saturating_duration_since(Instant::now());
            match CHANGED.wait_timeout(log, left) {
                Ok((log, _)) => log,
                Err(poisoned) => poisoned.into_inner().0,
            }
        }
        None => CHANGED
            .wait(log)
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    }
}
