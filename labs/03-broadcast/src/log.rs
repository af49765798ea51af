//! The server's log: its standard output, in the documents' words, written by a thread of its
//! own, and never a reason for anybody else to wait.
//!
//! The documents' server `print`s a line for every message. A `print` waits when the output
//! does: when it is a pipe nobody reads, or a terminal where someone pressed Ctrl-S. Then every
//! member's thread waits in its `print`, nobody gets anything, and even Ctrl-C cannot stop the
//! server (its last `print` waits too).
//!
//! Here [`line`] only appends the line to a buffer, which the log thread writes out: in a quiet
//! room each line appears at once, in a busy one a single write carries hundreds of lines. The
//! buffer holds at most [`WAITING`] bytes; past that, lines are dropped and counted, and the log
//! says how many as soon as it can write again. [`flush`] waits for the last lines only so long.

use std::io::{self, Write};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// How many bytes of log may wait for the log thread: 256 KiB, thousands of ordinary lines.
pub const WAITING: usize = 256 * 1024;

static LOG: Mutex<Pending> = Mutex::new(Pending {
    lines: Vec::new(),
    dropped: 0,
    writing: false,
});
/// Wakes the log thread, and those waiting in [`flush`].
static CHANGED: Condvar = Condvar::new();

struct Pending {
    /// Lines not written yet, each with its `\n`.
    lines: Vec<u8>,
    /// Lines dropped since the log last said so.
    dropped: u64,
    /// The log thread is writing the lines it took.
    writing: bool,
}

/// Starts the log thread.
pub fn start() -> io::Result<()> {
    thread::Builder::new()
        .name("log".to_string())
        .spawn(write_out)
        .map(drop)
}

/// Logs `text` as one line, or counts it as dropped if the log is [`WAITING`] bytes behind.
/// Never waits for the output, so it may be called with any lock held.
pub fn line(text: String) {
    let mut log = lock();
    if log.lines.len() + text.len() >= WAITING {
        log.dropped += 1;
        return;
    }
    log.lines.extend_from_slice(text.as_bytes());
    log.lines.push(b'\n');
    CHANGED.notify_all();
}

/// Waits until everything logged is written, or `patience` has passed (nobody may be reading
/// the log): the last lines before the server exits.
pub fn flush(patience: Duration) {
    let deadline = Instant::now() + patience;
    let mut log = lock();
    while log.writing || !log.lines.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        log = CHANGED
            .wait_timeout(log, left)
            .map_or_else(|p| p.into_inner().0, |w| w.0);
    }
}

/// The log thread's body: waits for lines, writes all those that have gathered, and so on.
fn write_out() {
    let mut log = lock();
    loop {
        if log.lines.is_empty() && log.dropped == 0 {
            log = CHANGED.wait(log).unwrap_or_else(|p| p.into_inner());
            continue;
        }
        let mut lines = std::mem::take(&mut log.lines);
        if log.dropped > 0 {
            let note = format!(
                "(log: {} lines dropped: the output was not read)\n",
                log.dropped
            );
            lines.extend_from_slice(note.as_bytes());
            log.dropped = 0;
        }
        log.writing = true;
        drop(log);
        // One system call for everything that gathered; it may wait, but only this thread.
        let _ = io::stdout().lock().write_all(&lines);
        log = lock();
        log.writing = false;
        CHANGED.notify_all(); // For `flush`.
    }
}

fn lock() -> MutexGuard<'static, Pending> {
    LOG.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
