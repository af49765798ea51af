//! A server's log: its standard output, written by a thread of its own, and never a reason for
//! anybody else to wait.
//!
//! A `println!` waits when the output does: when it is a pipe nobody reads, or a terminal where
//! someone pressed Ctrl-S. In a server whose every thread logs, every thread then waits in its
//! `println!`, nobody is served, and even Ctrl-C cannot stop it (its last line waits too).
//!
//! Here [`line`] only queues the line for the log thread, which writes out whatever has
//! gathered: in a quiet server each line appears at once, in a busy one a single write carries
//! hundreds of lines. The queue holds at most [`WAITING`] lines; past that, lines are dropped
//! and counted, and the log says how many with the lines it writes next. [`flush`] waits for the
//! last lines only so long. If the output goes away (a pipe whose reader has gone), the lines are
//! lost and the server goes on: its log is for watching it, not a reason to stop it. (Lab 03's
//! and lab 05's rooms log this way.)

use std::io::{self, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread;
use std::time::Duration;

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
