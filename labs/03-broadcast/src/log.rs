//! The server's log: its standard output, in the documents' words, written by a thread of its
//! own.
//!
//! The documents' server `print`s a line for every message, and so does this one. But
//! `println!` makes a system call for each line, while holding standard output's lock, for which
//! every member's thread would queue. Here [`line`] hands the line to the log thread through a
//! channel, and the log thread writes whatever has gathered with one system call as soon as
//! nothing more is waiting: in a quiet room each line appears at once, in a busy one a single
//! write carries hundreds of lines.
//!
//! The room never logs while it holds its lock. A log nobody reads (its pipe full) then blocks
//! only the log thread and, once [`WAITING`] lines are queued, the threads that have something to
//! log, never the room itself.

use std::io::{self, Write};
use std::sync::OnceLock;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread;
use std::time::Duration;

/// How many lines may wait for the log thread.
const WAITING: usize = 10_000;

/// The most the log thread gathers before writing, so that a busy room's log still flows.
const BATCH: usize = 64 * 1024;

enum Entry {
    Line(String),
    /// Answer on this channel once everything before is written.
    Flush(Sender<()>),
}

static LOG: OnceLock<SyncSender<Entry>> = OnceLock::new();

/// Starts the log thread; from now on [`line`] goes through it.
pub fn start() -> io::Result<()> {
    let (entries, waiting) = mpsc::sync_channel(WAITING);
    thread::Builder::new()
        .name("log".to_string())
        .stack_size(64 * 1024)
        .spawn(move || write_out(&waiting))?;
    let _ = LOG.set(entries);
    Ok(())
}

/// Logs `text` as one line.
pub fn line(text: String) {
    match LOG.get() {
        Some(log) => {
            let _ = log.send(Entry::Line(text));
        }
        None => println!("{text}"),
    }
}

/// Waits until everything logged so far is written, or `patience` has passed (nobody may be
/// reading the log).
pub fn flush(patience: Duration) {
    let Some(log) = LOG.get() else { return };
    let (done, written) = mpsc::channel();
    if log.try_send(Entry::Flush(done)).is_ok() {
        let _ = written.recv_timeout(patience);
    }
}

/// The log thread's body: waits for a line, gathers those already waiting behind it, writes
/// them all at once.
fn write_out(entries: &Receiver<Entry>) {
    let mut text = Vec::with_capacity(BATCH);
    let mut flushed = Vec::new();
    while let Ok(first) = entries.recv() {
        let mut next = Some(first);
        while let Some(entry) = next {
            match entry {
                Entry::Line(line) => {
                    text.extend_from_slice(line.as_bytes());
                    text.push(b'\n');
                }
                Entry::Flush(done) => flushed.push(done),
            }
            next = if text.len() < BATCH {
                entries.try_recv().ok()
            } else {
                None
            };
        }
        // Standard output writes what ends in a line end at once: one system call.
        let _ = io::stdout().lock().write_all(&text);
        text.clear();
        for done in flushed.drain(..) {
            let _ = done.send(());
        }
    }
}
