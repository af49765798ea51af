//! Each member's outgoing queue, and the writer thread that empties it.
//!
//! The documents' `broadcast` calls `client.send(message)` for every client in turn, on the
//! sender's thread. `send` waits when a client's socket buffer is full, so one client that stops
//! reading stalls the sender, and with it everyone waiting for the sender. Here `broadcast` never
//! touches a socket: it queues the line to each member's [`Outbox`] (a channel) and moves on,
//! and each member's writer thread ([`write_out`]) sends what was queued. A slow member slows
//! its own writer only.
//!
//! The queue is bounded, and nobody ever waits for it. A member that falls more than
//! [`QUEUE_LIMIT`] behind, or whose socket takes nothing for [`PATIENCE`], is dropped: its last
//! line says why (if it still takes that), and its reader thread ends and announces the leave.
//! A connection that has not chosen a name by its deadline is closed the same way.

use std::io::{self, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::{log, protocol};

/// How far a member may fall behind, in bytes queued and not yet taken by its writer: 2 MiB,
/// about 30,000 ordinary chat lines or 256 of the longest; the kernel holds some more. The
/// lines themselves are shared by every member they are queued to: a room's queues hold at
/// most this much text however many members lag behind.
pub const QUEUE_LIMIT: usize = 2 << 20;

/// How much a writer gathers before it writes: a write for every line would cost a system call
/// each, and a copy of everything queued would cost each lagging member its own megabytes.
const BATCH: usize = 16 * 1024;

/// How long a member's socket may take nothing while lines wait for it: then the member has
/// stopped reading, and is dropped. One that reads, however slowly, takes some bytes far more
/// often: the kernel takes more as soon as the member's side says it has read some.
pub const PATIENCE: Duration = Duration::from_millis(500);

/// What the writer is given: a line (one copy, shared by every member it goes to), or the end.
enum Out {
    Line(Arc<str>),
    Close,
}

/// A member's outgoing queue: the room queues lines, the member's writer sends them.
#[derive(Clone)]
pub struct Outbox {
    lines: Sender<Out>,
    shared: Arc<Shared>,
}

/// What the queue and its writer share.
struct Shared {
    socket: TcpStream,
    /// Bytes queued and not yet taken by the writer.
    queued: AtomicUsize,
    member: Mutex<Member>,
    /// Tells [`Outbox::wait_sent`] that the writer has finished.
    finished: Condvar,
}

#[derive(Default)]
struct Member {
    /// The address until the member has a name; the name afterwards.
    who: String,
    named: bool,
    /// Why the server dropped it, once it has.
    dropped: Option<&'static str>,
    finished: bool,
}

/// The writer's end of an outbox (see [`write_out`]).
pub struct Writer {
    lines: Receiver<Out>,
    shared: Arc<Shared>,
}

/// An outbox for the connection `socket` from `who`, and its writer's end.
pub fn outbox(socket: TcpStream, who: String) -> (Outbox, Writer) {
    let (lines, queued) = mpsc::channel();
    let member = Member {
        who,
        ..Member::default()
    };
    let shared = Arc::new(Shared {
        socket,
        queued: AtomicUsize::new(0),
        member: Mutex::new(member),
        finished: Condvar::new(),
    });
    let writer = Writer {
        lines: queued,
        shared: Arc::clone(&shared),
    };
    (Outbox { lines, shared }, writer)
}

impl Outbox {
    /// Queues `line` (which ends in `\n`), or drops the member if that would put it more than
    /// [`QUEUE_LIMIT`] behind. Never waits: the room calls it with its lock held.
    pub fn push(&self, line: &Arc<str>) {
        // Counted before it is sent, so that the writer never takes more than was counted.
        let behind = self.shared.queued.fetch_add(line.len(), Relaxed) + line.len();
        if self.lines.send(Out::Line(Arc::clone(line))).is_err() {
            return; // The writer has finished: the connection is closed.
        }
        if behind > QUEUE_LIMIT {
            self.shared.drop_member(protocol::FELL_BEHIND);
        }
    }

    /// The connection has joined as `name`: no name deadline any more.
    pub fn joined(&self, name: &str) {
        let mut member = self.shared.lock();
        (member.who, member.named) = (name.to_string(), true);
    }

    /// Sends what is queued, then closes the connection.
    pub fn close(&self) {
        let _ = self.lines.send(Out::Close);
    }

    /// Waits until the writer has finished or `deadline` has passed.
    pub fn wait_sent(&self, deadline: Instant) {
        let left = deadline.saturating_duration_since(Instant::now());
        let member = self.shared.lock();
        let _ = self
            .shared
            .finished
            .wait_timeout_while(member, left, |m| !m.finished);
    }
}

impl Shared {
    /// Closes the connection for `why`, once: logs it, and ends the member's reader (its `read`
    /// returns nothing more), which announces the leave; the writer sends the last word.
    fn drop_member(&self, why: &'static str) {
        let mut member = self.lock();
        if member.dropped.is_none() {
            member.dropped = Some(why);
            log::line(format!("{} dropped: {why}", member.who));
            let _ = self.socket.shutdown(Shutdown::Read);
        }
    }

    // Every change to a member is one step: a panic elsewhere cannot leave it half-done.
    fn lock(&self) -> MutexGuard<'_, Member> {
        self.member.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The member's writer thread: sends everything queued, one `write` for all the lines that
/// gathered, until the outbox is closed or the member dropped; then closes the connection. A
/// connection that has not joined by `deadline` is dropped.
// course: cut | wait for a line, take every other queued line with it and write them in one go, until Close; a write that takes nothing for PATIENCE drops the member | guide/src/lab03-broadcast.md#the-writer
pub fn write_out(writer: Writer, deadline: Instant) {
    let Writer { lines, shared } = &writer;
    // A write waits that long at most, to see whether the member took anything meanwhile.
    let _ = shared.socket.set_write_timeout(Some(PATIENCE / 5));
    let mut batch = Vec::new();
    let mut open = true;
    while open && shared.lock().dropped.is_none() {
        let named = shared.lock().named;
        let wait = match named {
            true => Duration::MAX,
            false => deadline.saturating_duration_since(Instant::now()),
        };
        let first = match lines.recv_timeout(wait) {
            Ok(out) => out,
            Err(RecvTimeoutError::Timeout) if !shared.lock().named => {
                shared.drop_member(protocol::NO_NAME_IN_TIME);
                continue;
            }
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        for out in std::iter::once(first).chain(lines.try_iter()) {
            match out {
                Out::Line(line) => batch.extend_from_slice(line.as_bytes()),
                Out::Close => open = false,
            }
            if batch.len() >= BATCH && !send(shared, &mut batch) {
                return finish(shared); // It takes nothing more: no last word.
            }
        }
        if !send(shared, &mut batch) {
            return finish(shared);
        }
    }
    let dropped = shared.lock().dropped;
    if let Some(why) = dropped {
        let _ = (&shared.socket).write_all(protocol::closing(why).as_bytes());
    }
    finish(shared);
}

/// Writes `batch` to the member and empties it; false if the connection failed, or the member
/// took nothing for [`PATIENCE`] (it is dropped).
fn send(shared: &Shared, batch: &mut Vec<u8>) -> bool {
    shared.queued.fetch_sub(batch.len(), Relaxed);
    let (mut sent, mut progress) = (0, Instant::now());
    while sent < batch.len() {
        match (&shared.socket).write(&batch[sent..]) {
            Ok(0) => break,
            Ok(more) => (sent, progress) = (sent + more, Instant::now()),
            Err(error) if !waited(&error) => break,
            Err(_) if progress.elapsed() >= PATIENCE => {
                shared.drop_member(protocol::STOPPED_READING);
                break;
            }
            Err(_) => {} // It took nothing yet: try again.
        }
    }
    let whole = sent == batch.len();
    batch.clear();
    whole
}

/// Whether a write failed only because its time ran out (or a signal came).
fn waited(error: &io::Error) -> bool {
    use io::ErrorKind::{Interrupted, TimedOut, WouldBlock};
    matches!(error.kind(), WouldBlock | TimedOut | Interrupted)
}

/// Closes both directions, which also ends the member's reader if it is still reading, and
/// tells [`Outbox::wait_sent`].
fn finish(shared: &Shared) {
    let _ = shared.socket.shutdown(Shutdown::Both);
    shared.lock().finished = true;
    shared.finished.notify_all();
}
