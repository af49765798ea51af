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

use std::io::{ErrorKind, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::{log, protocol};

/// How far a member may fall behind, in bytes queued and not yet taken by its writer: 1 MiB,
/// about 15,000 ordinary chat lines or 128 of the longest. The kernel holds some more.
pub const QUEUE_LIMIT: usize = 1 << 20;

/// How long a write to a member may wait for room in its socket. When it has waited that long
/// and the socket took nothing, the member stopped reading (one that reads, however slowly,
/// takes some bytes in a second): it is dropped, one or two seconds after it stopped.
pub const PATIENCE: Duration = Duration::from_secs(1);

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
    /// Disconnected once the writer has finished (see [`Outbox::wait_sent`]).
    finished: Mutex<Receiver<()>>,
}

struct Member {
    /// The address until the member has a name; the name afterwards.
    who: String,
    named: bool,
    /// Why the server dropped it, once it has.
    dropped: Option<&'static str>,
}

/// The writer's end of an outbox (see [`write_out`]).
pub struct Writer {
    lines: Receiver<Out>,
    shared: Arc<Shared>,
    _finished: Sender<()>,
}

/// An outbox for the connection `socket` from `who`, and its writer's end.
pub fn outbox(socket: TcpStream, who: String) -> (Outbox, Writer) {
    let (lines, queued) = mpsc::channel();
    let (finishing, finished) = mpsc::channel();
    let member = Member {
        who,
        named: false,
        dropped: None,
    };
    let shared = Arc::new(Shared {
        socket,
        queued: AtomicUsize::new(0),
        member: Mutex::new(member),
        finished: Mutex::new(finished),
    });
    let writer = Writer {
        lines: queued,
        shared: Arc::clone(&shared),
        _finished: finishing,
    };
    (Outbox { lines, shared }, writer)
}

impl Outbox {
    /// Queues `line` (which ends in `\n`), or drops the member if that would put it more than
    /// [`QUEUE_LIMIT`] behind. Never waits: the room calls it with its lock held.
    pub fn push(&self, line: &Arc<str>) {
        if self.shared.queued.fetch_add(line.len(), Relaxed) + line.len() > QUEUE_LIMIT {
            return self.shared.drop_member(protocol::FELL_BEHIND);
        }
        let _ = self.lines.send(Out::Line(Arc::clone(line)));
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
        let finished = self.shared.finished.lock();
        let _ = finished.map(|finished| finished.recv_timeout(left));
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
    let Writer { lines, shared, .. } = &writer;
    // A write that takes nothing for that long fails: the member stopped reading.
    let _ = shared.socket.set_write_timeout(Some(PATIENCE));
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
        }
        shared.queued.fetch_sub(batch.len(), Relaxed);
        if let Err(error) = (&shared.socket).write_all(&batch) {
            if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) {
                shared.drop_member(protocol::STOPPED_READING);
            }
            return shutdown(&shared.socket); // It takes nothing more: no last word.
        }
        batch.clear();
    }
    let dropped = shared.lock().dropped;
    if let Some(why) = dropped {
        let _ = (&shared.socket).write_all(protocol::closing(why).as_bytes());
    }
    shutdown(&shared.socket);
}

/// Closes both directions, which also ends the member's reader if it is still reading.
fn shutdown(socket: &TcpStream) {
    let _ = socket.shutdown(Shutdown::Both);
}
