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
//! [`QUEUE_LIMIT`] behind, or does not take what waits for it within [`PATIENCE`], is dropped:
//! its last line says why (if it still takes that), and its reader thread ends and announces
//! the leave.
//! A connection that has not chosen a name by its deadline is closed the same way (see the
//! naming module).

use std::io::{ErrorKind, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::protocol;

/// How far a member may fall behind, in bytes queued and not yet taken by its writer: 16 MiB,
/// about 240,000 ordinary chat lines or 2,000 of the longest; the kernel holds some more. The
/// lines themselves are shared by every member they are queued to: a room's queues hold at
/// most this much text however many members lag behind. With 2 MiB, 100 members sending 1,000
/// messages each at once (bench `-n 100 -m 1000`) made 80 to 100 of them, all reading, fall
/// that far behind on two cores, and the room dropped them: a member that stopped reading is
/// caught by [`PATIENCE`] instead, long before its queue is full.
pub const QUEUE_LIMIT: usize = 16 << 20;

/// How much a writer gathers before it writes: a write for every line would cost a system call
/// each, and a copy of everything queued would cost each lagging member its own megabytes.
const BATCH: usize = 16 * 1024;

/// How long one batch may take to send, in as many `write`s as it needs, counted from the first:
/// then the member has not taken what waited for it ([`BATCH`] and the line that passed it) and
/// has stopped reading, and is dropped (so is one that reads, but more slowly than that). The
/// time runs from the first write, however many bytes the socket takes on the way: a member
/// that never reads still has its socket take a few now and then (the kernel compacts what it
/// holds for it), and when each of them restarted the timeout, two seconds let such a member
/// stay five or six. One second was too little: 100 members sending 1,000 messages each at once
/// (bench `-n 100 -m 1000 --non-reader`) keep 200 threads busy on two cores, a writer waits for
/// a processor as well as for its member, and one `write` to a member that was reading took up
/// to 1.6 s; in 2 of 9 such runs the room dropped a member that was reading.
pub const PATIENCE: Duration = Duration::from_secs(3);

/// What the writer is given: a line (one copy, shared by every member it goes to), or the end.
enum Out {
    Line(Arc<str>),
    /// The writer keeps this sender until the connection is closed (see [`Outbox::close`]).
    Close(Sender<()>),
}

/// A member's outgoing queue: the room queues lines, the member's writer sends them. The writer
/// ends once the outbox is closed, or once every copy of it is gone: nobody can queue any more.
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
    /// Why the server dropped it, once it has.
    dropped: OnceLock<&'static str>,
}

impl Outbox {
    /// An outbox for the connection `socket`, and its writer thread's body (see [`write_out`]).
    pub fn new(socket: TcpStream) -> (Outbox, impl FnOnce() + Send) {
        let (lines, queued) = mpsc::channel();
        let shared = Arc::new(Shared {
            socket,
            queued: AtomicUsize::new(0),
            dropped: OnceLock::new(),
        });
        let writer = Arc::clone(&shared);
        let outbox = Outbox { lines, shared };
        (outbox, move || write_out(&queued, &writer))
    }

    /// Queues `line` (which ends in `\n`), or drops the member if that would put it more than
    /// [`QUEUE_LIMIT`] behind. Never waits: the room calls it with its lock held.
    pub fn push(&self, line: &Arc<str>) {
        // Counted before it is sent, so that the writer never takes more than was counted.
        let behind = self.shared.queued.fetch_add(line.len(), Relaxed) + line.len();
        // An error means the writer has finished: the connection is closed.
        if self.lines.send(Out::Line(Arc::clone(line))).is_ok() && behind > QUEUE_LIMIT {
            self.shared.drop_for(protocol::FELL_BEHIND);
        }
    }

    /// Closes the connection for `why` (see `Shared::drop_for`): a name that did not come in
    /// time.
    pub fn drop_for(&self, why: &'static str) {
        self.shared.drop_for(why);
    }

    /// Why the server dropped the member, if it has.
    pub fn dropped(&self) -> Option<&'static str> {
        self.shared.dropped.get().copied()
    }

    /// Sends what is queued, then closes the connection. The receiver hears (its sender gone)
    /// once the writer has done so.
    pub fn close(&self) -> Receiver<()> {
        let (closed, finished) = mpsc::channel();
        let _ = self.lines.send(Out::Close(closed));
        finished
    }
}

impl Shared {
    /// Closes the connection for `why`, once: ends the member's reader (its `read` returns
    /// nothing more), which logs it and announces the leave; the writer sends the last word.
    fn drop_for(&self, why: &'static str) {
        if self.dropped.set(why).is_ok() {
            let _ = self.socket.shutdown(Shutdown::Read);
        }
    }
}

/// The member's writer thread: sends everything queued, one `write` for all the lines that
/// gathered, until the outbox is closed or the member dropped; then closes the connection.
// course: cut | wait for a line, take the other queued lines with it up to BATCH and write them in one go with send, until Close or until send returns false (it drops a member that does not take a batch within PATIENCE) | guide/src/lab03-broadcast.md#the-writer
fn write_out(lines: &Receiver<Out>, shared: &Shared) {
    let mut batch = Vec::new();
    // Whoever closed the outbox hears once this function returns, the connection closed.
    let mut closed = None;
    while let Ok(first) = lines.recv() {
        for out in std::iter::once(first).chain(lines.try_iter()) {
            match out {
                Out::Line(line) => batch.extend_from_slice(line.as_bytes()),
                Out::Close(done) => closed = Some(done),
            }
            if batch.len() >= BATCH {
                break; // The rest goes in the next write.
            }
        }
        shared.queued.fetch_sub(batch.len(), Relaxed);
        let sent = send(shared, &batch);
        batch.clear();
        if !sent || closed.is_some() || shared.dropped.get().is_some() {
            break;
        }
    }
    if let Some(why) = shared.dropped.get() {
        send(shared, protocol::closing(why).as_bytes());
    }
    // Closing both directions also ends the member's reader if it is still reading.
    let _ = shared.socket.shutdown(Shutdown::Both);
}

/// Writes `bytes` to the member; false if the connection failed, or if the member did not take
/// them all within [`PATIENCE`] (it is dropped).
fn send(shared: &Shared, bytes: &[u8]) -> bool {
    let deadline = Instant::now() + PATIENCE;
    let mut rest = bytes;
    while !rest.is_empty() {
        // Each write may wait only for what is left of the patience (the socket's write timeout):
        // a socket that takes a few bytes now and then must not make it start again.
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            shared.drop_for(protocol::STOPPED_READING);
            return false;
        }
        let timed = shared.socket.set_write_timeout(Some(left));
        match timed.and_then(|()| (&shared.socket).write(rest)) {
            // Never 0 bytes while some are asked for; should it happen, the deadline ends it.
            Ok(taken) => rest = &rest[taken..],
            // A signal (Ctrl-C's handler) interrupted the wait: wait again, for what is left.
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => {
                // The timeout: the member has not taken these bytes in time.
                if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) {
                    shared.drop_for(protocol::STOPPED_READING);
                }
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;
    use std::sync::atomic::AtomicBool;
    use std::thread;

    /// A member that reads 256 KiB four times a second takes bytes far more often than every
    /// PATIENCE, but 16 MiB would take it 16 s: with a timeout per `write` it would never be
    /// dropped (each write takes some bytes in time); with the patience counted from the first
    /// write it is dropped once PATIENCE is over.
    #[test]
    fn a_socket_that_takes_a_little_now_and_then_does_not_restart_the_patience() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a listener");
        let member =
            TcpStream::connect(listener.local_addr().expect("its address")).expect("a connection");
        let (socket, _) = listener.accept().expect("the server's side");
        let (outbox, _writer) = Outbox::new(socket);
        let over = Arc::new(AtomicBool::new(false));
        let told = Arc::clone(&over);
        let reading = thread::spawn(move || {
            let mut buffer = vec![0; 256 * 1024];
            let mut taken = 0;
            while !told.load(Relaxed) {
                // The member's pace: this is what it does, not a wait for the server.
                thread::sleep(Duration::from_millis(250));
                match (&member).read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(read) => taken += read,
                }
            }
            taken
        });

        let started = Instant::now();
        let sent = send(&outbox.shared, &vec![b'x'; 16 << 20]);
        let took = started.elapsed();

        assert!(!sent, "all 16 MiB went through in {took:?}");
        assert_eq!(outbox.dropped(), Some(protocol::STOPPED_READING));
        assert!(
            took < PATIENCE + Duration::from_secs(1),
            "dropped only after {took:?}, PATIENCE is {PATIENCE:?}"
        );
        over.store(true, Relaxed);
        let taken = reading.join().expect("the member's thread");
        assert!(taken > 0, "the member took nothing: the test tried nothing");
    }
}
