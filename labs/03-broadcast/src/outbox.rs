//! Each member's outgoing queue and the writer thread that empties it.
//!
//! The documents' `broadcast` calls `client.send(message)` for every client in turn, on the
//! sender's thread. `send` blocks when a client's socket buffer is full, so one client that stops
//! reading stalls the sender, and with it everyone waiting on the sender. Here `broadcast` never
//! touches a socket: it appends the line to each member's [`Outbox`] and moves on. Each member
//! has its own writer thread ([`Outbox::write_out`]) that sends what was queued; a slow member
//! only slows its own writer.
//!
//! The queue is bounded in bytes ([`QUEUE_LIMIT`]). A member whose queue would grow past it has
//! stopped reading (or reads far slower than the room talks): it is dropped, its socket shut down
//! so that its reader thread ends and announces the leave, and the others carry on.

use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

/// How far a member may fall behind, in bytes queued and not yet sent: 1 MiB. On top of this the
/// kernel buffers a few MiB per connection, so a member that reads slowly for a moment during a
/// burst (about 20,000 ordinary chat lines, or 120 of the longest) is never dropped, while one
/// that does not read at all is, with the memory it can pin bounded.
pub const QUEUE_LIMIT: usize = 1 << 20;

/// What a writer keeps of its buffer between two bursts. A burst can grow it to the whole
/// [`QUEUE_LIMIT`]; keeping that much for each of thousands of quiet members would waste
/// gigabytes, while a writer that keeps nothing would allocate again at every line.
const KEPT_CAPACITY: usize = 16 * 1024;

/// Whether a push left the writer asleep with lines to send: then [`Outbox::wake`] it.
pub enum Wake {
    No,
    Writer,
}

/// The queue is full: the member fell more than [`QUEUE_LIMIT`] bytes behind.
#[derive(Debug)]
pub struct Overflow;

/// A member's outgoing lines, filled by the room and emptied by the member's writer.
pub struct Outbox {
    queue: Mutex<Queue>,
    /// Wakes the writer when lines arrive, and those waiting in [`Outbox::wait_sent`].
    changed: Condvar,
    /// The member's connection, shared with its reader.
    socket: Arc<TcpStream>,
}

struct Queue {
    /// The lines queued, end to end, exactly as they will be sent: the writer sends them with
    /// one `write_all`, however many there are, without copying them again.
    bytes: Vec<u8>,
    state: State,
    /// The writer sleeps on `changed`, waiting for lines.
    writer_asleep: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Lines are accepted.
    Open,
    /// Send what is queued, then close the connection.
    Closing,
    /// The member fell too far behind: close the connection at once.
    Dropped,
    /// The writer has finished.
    Done,
}

impl Outbox {
    /// An outbox writing to the member's connection.
    pub fn new(socket: Arc<TcpStream>) -> Arc<Self> {
        Arc::new(Outbox {
            queue: Mutex::new(Queue {
                bytes: Vec::new(),
                state: State::Open,
                writer_asleep: false,
            }),
            changed: Condvar::new(),
            socket,
        })
    }

    /// Queues `lines` (which end in `\n`). Lines for a closing or closed outbox are dropped
    /// silently: that member is on its way out.
    pub fn push(&self, lines: &[u8]) -> Result<Wake, Overflow> {
        let mut queue = self.lock();
        if queue.state != State::Open {
            return Ok(Wake::No);
        }
        if queue.bytes.len() + lines.len() > QUEUE_LIMIT {
            queue.state = State::Dropped;
            drop(queue);
            // Ends the member's reader too (its `read` returns 0), which announces the leave.
            let _ = self.socket.shutdown(Shutdown::Both);
            self.changed.notify_all();
            return Err(Overflow);
        }
        queue.bytes.extend_from_slice(lines);
        // Waking a thread is a system call, even when nobody waits (std's condition variable
        // always asks the kernel). A busy writer finds these bytes on its own when it comes
        // back for more, so only a sleeping one needs waking: in a busy room most lines cost
        // no system call at all. The caller wakes it once it has released its own lock.
        if std::mem::take(&mut queue.writer_asleep) {
            Ok(Wake::Writer)
        } else {
            Ok(Wake::No)
        }
    }

    /// Wakes the writer after a push that said so.
    pub fn wake(&self) {
        self.changed.notify_all();
    }

    /// Sends what is queued, then closes the connection.
    pub fn close(&self) {
        let mut queue = self.lock();
        if queue.state == State::Open {
            queue.state = State::Closing;
            self.changed.notify_all();
        }
    }

    /// Waits until the writer has finished, or `deadline` has passed (a member that does not
    /// read may never let it finish).
    pub fn wait_sent(&self, deadline: Instant) {
        let mut queue = self.lock();
        while queue.state != State::Done {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            queue = match self.changed.wait_timeout(queue, left) {
                Ok((queue, _)) => queue,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// The writer thread's body: sends everything queued, in one `write_all` per wake-up, until
    /// the outbox is closed or the connection fails.
    pub fn write_out(&self) {
        let mut batch = Vec::new();
        loop {
            {
                let mut queue = self.lock();
                while queue.bytes.is_empty() && queue.state == State::Open {
                    queue.writer_asleep = true;
                    queue = match self.changed.wait(queue) {
                        Ok(queue) => queue,
                        Err(poisoned) => poisoned.into_inner(),
                    };
                }
                queue.writer_asleep = false;
                if queue.state == State::Dropped || queue.bytes.is_empty() {
                    break;
                }
                // Take the whole queue and leave the room the empty buffer of the last batch.
                std::mem::swap(&mut queue.bytes, &mut batch);
            }
            if (&*self.socket).write_all(&batch).is_err() {
                break;
            }
            batch.clear();
            batch.shrink_to(KEPT_CAPACITY);
        }
        // Closing both directions also ends the member's reader thread if it is still reading.
        let _ = self.socket.shutdown(Shutdown::Both);
        self.lock().state = State::Done;
        self.changed.notify_all();
    }

    // A thread that panicked while holding the lock left a queue that is still consistent
    // (every change above is a single step), so keep using it.
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
