//! The server's log: its standard output, in the documents' words, written by a thread of its
//! own, and never a reason for anybody else to wait.
//!
//! The documents' server `print`s a line for every message. A `print` waits when the output
//! does: when it is a pipe nobody reads, or a terminal where someone pressed Ctrl-S. Then every
//! member's thread waits in its `print`, nobody gets anything, and even Ctrl-C cannot stop the
//! server (its last `print` waits too).
//!
//! Here [`line`] only queues the line for the log thread, which writes out whatever has
//! gathered: in a quiet room each line appears at once, in a busy one a single write carries
//! hundreds of lines. The queue holds at most [`WAITING`] lines; past that, lines are dropped
//! and counted, and the log says how many with the lines it writes next. [`flush`] waits for the
//! last lines only so long.
//!
//! One member sending as fast as it can would still fill the log with its lines alone (589 MB
//! in 8 s, once): [`Flood`] logs [`LOGGED_PER_SECOND`] of a member's lines a second and counts
//! the rest. (Lab 05's server uses it too.)

use std::io::{self, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread;
use std::time::{Duration, Instant};

/// How many lines may wait for the log thread.
pub const WAITING: usize = 1000;

/// What the log thread is given: a line, or someone to tell once everything before is written.
enum Entry {
    Line(String),
    Flushed(Sender<()>),
}

static LOG: OnceLock<SyncSender<Entry>> = OnceLock::new();
/// Lines dropped since the log last said so.
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Starts the log thread.
pub fn start() -> io::Result<()> {
    let (log, entries) = mpsc::sync_channel(WAITING);
    let _ = LOG.set(log);
    let thread = thread::Builder::new().name("log".to_string());
    thread.spawn(move || write_out(entries)).map(drop)
}

/// Logs `text` as one line, or counts it as dropped if [`WAITING`] lines wait already. Never
/// waits for the output, so it may be called with any lock held.
pub fn line(text: String) {
    if let Some(Err(_)) = LOG.get().map(|log| log.try_send(Entry::Line(text))) {
        DROPPED.fetch_add(1, Relaxed);
    }
}

/// Waits until everything logged is written, or `patience` has passed (nobody may be reading
/// the log): the last lines before the server exits.
pub fn flush(patience: Duration) {
    let (flushed, written) = mpsc::channel();
    if let Some(Ok(())) = LOG.get().map(|log| log.try_send(Entry::Flushed(flushed))) {
        let _ = written.recv_timeout(patience);
    }
}

/// The log thread's body: waits for lines, writes all those that have gathered, and so on.
fn write_out(entries: Receiver<Entry>) {
    let mut lines = Vec::new();
    while let Ok(first) = entries.recv() {
        let mut flushed = Vec::new(); // Told once this round is written: when they are dropped.
        for entry in std::iter::once(first).chain(entries.try_iter()) {
            match entry {
                Entry::Line(text) => lines.extend_from_slice((text + "\n").as_bytes()),
                Entry::Flushed(waiting) => flushed.push(waiting),
            }
        }
        let dropped = DROPPED.swap(0, Relaxed);
        if dropped > 0 {
            let note = format!("(log: {dropped} lines dropped: the output was not read)\n");
            lines.extend_from_slice(note.as_bytes());
        }
        // One system call for everything that gathered; it may wait, but only this thread.
        let _ = io::stdout().lock().write_all(&lines);
        lines.clear();
    }
}

/// How many of a member's lines the log shows each second; it counts the rest, and says how
/// many with the member's next line after that second, or when it leaves.
pub const LOGGED_PER_SECOND: u32 = 20;

/// What the log shows of one member's messages: [`LOGGED_PER_SECOND`] a second at most, so
/// that a member that floods the room cannot flood the log too.
#[derive(Default)]
pub struct Flood {
    /// When the second being counted began (none before the first line).
    since: Option<Instant>,
    logged: u32,
    unlogged: u32,
}

impl Flood {
    /// Logs "`name` says `text`", unless `name` has had its lines of this second: then counts it.
    pub fn says(&mut self, name: &str, text: &str) {
        if self
            .since
            .is_none_or(|since| since.elapsed() >= Duration::from_secs(1))
        {
            self.count(name);
            (self.since, self.logged) = (Some(Instant::now()), 0);
        }
        if self.logged < LOGGED_PER_SECOND {
            self.logged += 1;
            line(format!("{name} says {text}"));
        } else {
            self.unlogged += 1;
        }
    }

    /// Logs how many lines were not logged, if any: when the member leaves.
    pub fn count(&mut self, name: &str) {
        if self.unlogged > 0 {
            line(format!("{name} said {} more lines", self.unlogged));
            self.unlogged = 0;
        }
    }
}
