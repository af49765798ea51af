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

use std::collections::VecDeque;
use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

/// How far a member may fall behind, in bytes queued and not yet sent: 1 MiB. On top of this the
/// kernel buffers a few MiB per connection, so a member that reads slowly for a moment during a
/// burst (about 20,000 ordinary chat lines, or 120 of the longest) is never dropped, while one
/// that does not read at all is, with the memory it can pin bounded.
pub const QUEUE_LIMIT: usize = 1 << 20;

/// One line, shared by every outbox it was broadcast to: the room formats it once.
pub type Shared = Arc<str>;

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
    lines: VecDeque<Shared>,
    bytes: usize,
    state: State,
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
                lines: VecDeque::new(),
                bytes: 0,
                state: State::Open,
            }),
            changed: Condvar::new(),
            socket,
        })
    }

    /// Queues `line` (which ends in `\n`). Lines for a closing or closed outbox are dropped
    /// silently: that member is on its way out.
    pub fn push(&self, line: Shared) -> Result<(), Overflow> {
        let mut queue = self.lock();
        if queue.state != State::Open {
            return Ok(());
        }
        if queue.bytes + line.len() > QUEUE_LIMIT {
            queue.state = State::Dropped;
            // Ends the member's reader too (its `read` returns 0), which announces the leave.
            let _ = self.socket.shutdown(Shutdown::Both);
            self.changed.notify_all();
            return Err(Overflow);
        }
        queue.bytes += line.len();
        queue.lines.push_back(line);
        if queue.lines.len() == 1 {
            // The writer sleeps only when the queue is empty: wake it for the first line.
            self.changed.notify_all();
        }
        Ok(())
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
        let mut taken = VecDeque::new();
        loop {
            {
                let mut queue = self.lock();
                while queue.lines.is_empty() && queue.state == State::Open {
                    queue = match self.changed.wait(queue) {
                        Ok(queue) => queue,
                        Err(poisoned) => poisoned.into_inner(),
                    };
                }
                if queue.state == State::Dropped || queue.lines.is_empty() {
                    break;
                }
                // Take the whole queue and let the room go on filling an empty one.
                std::mem::swap(&mut queue.lines, &mut taken);
                queue.bytes = 0;
            }
            batch.clear();
            for line in taken.drain(..) {
                batch.extend_from_slice(line.as_bytes());
            }
            if (&*self.socket).write_all(&batch).is_err() {
                break;
            }
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
