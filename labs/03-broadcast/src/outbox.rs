//! Each member's outgoing queue and the writer thread that empties it.
//!
//! The documents' `broadcast` calls `client.send(message)` for every client in turn, on the
//! sender's thread. `send` blocks when a client's socket buffer is full, so one client that stops
//! reading stalls the sender, and with it everyone waiting on the sender. Here `broadcast` never
//! touches a socket: it appends the line to each member's [`Outbox`] and moves on. Each member
//! has its own writer thread ([`Outbox::write_out`]) that sends what was queued; a slow member
//! only slows its own writer.
//!
//! The queue is bounded in bytes ([`QUEUE_LIMIT`]), yet nobody is dropped for reading slowly:
//! a speaker whose line took a member's queue past the limit waits (with the room's lock
//! released) until that member's writer has taken the queue, which slows the room down to the
//! pace of its slowest reader instead of piling up memory. Only a member that takes nothing at
//! all for [`PATIENCE`] while its queue is full has stopped reading: it is dropped, its socket
//! shut down so that its reader thread ends and announces the leave, and the others carry on.

use std::io::{self, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::log;

/// How far a member may fall behind, in bytes queued and not yet sent: 1 MiB. On top of this the
/// kernel buffers a few MiB per connection: a member past this point has about 20,000 ordinary
/// chat lines, or 120 of the longest, waiting for it.
pub const QUEUE_LIMIT: usize = 1 << 20;

/// How long a member whose queue is full may take nothing before it is dropped. A client that
/// reads, however slowly, takes some bytes in that time; one that stopped reading takes none.
pub const PATIENCE: Duration = Duration::from_secs(1);

/// What a writer keeps of its buffer between two bursts. A burst can grow it to the whole
/// [`QUEUE_LIMIT`]; keeping that much for each of thousands of quiet members would waste
/// gigabytes, while a writer that keeps nothing would allocate again at every line.
const KEPT_CAPACITY: usize = 4 * 1024;

/// What the caller of [`Outbox::push`] must do once it has released its own lock.
pub enum Pushed {
    /// Nothing: the writer is awake and will find the line.
    Queued,
    /// The writer sleeps: [`Outbox::wake`] it.
    WakeWriter,
    /// The queue is past [`QUEUE_LIMIT`]: [`Outbox::wait_for_room`] before saying more.
    Full,
}

/// A member's outgoing lines, filled by the room and emptied by the member's writer.
pub struct Outbox {
    queue: Mutex<Queue>,
    /// Wakes the writer when lines arrive, those waiting for room when it takes them, and those
    /// waiting in [`Outbox::wait_sent`].
    changed: Condvar,
    /// The member's connection, shared with its reader.
    socket: Arc<TcpStream>,
}

struct Queue {
    /// The lines queued, end to end, exactly as they will be sent: the writer sends them with
    /// one `write`, however many there are, without copying them again.
    bytes: Vec<u8>,
    state: State,
    /// The writer sleeps on `changed`, waiting for lines.
    writer_asleep: bool,
    /// Speakers waiting in [`Outbox::wait_for_room`].
    waiting: usize,
    /// When the member last took bytes (or its writer last had nothing to send).
    progress: Instant,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Lines are accepted.
    Open,
    /// Send what is queued, then close the connection.
    Closing,
    /// The member stopped reading: close the connection at once.
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
                waiting: 0,
                progress: Instant::now(),
            }),
            changed: Condvar::new(),
            socket,
        })
    }

    /// Queues `lines` (which end in `\n`). Lines for a closing or closed outbox are dropped
    /// silently: that member is on its way out. Never waits, so the room may push with its
    /// lock held.
    pub fn push(&self, lines: &[u8]) -> Pushed {
        let mut queue = self.lock();
        if queue.state != State::Open {
            return Pushed::Queued;
        }
        queue.bytes.extend_from_slice(lines);
        // Waking a thread is a system call, even when nobody waits (std's condition variable
        // always asks the kernel). A busy writer finds these bytes on its own when it comes
        // back for more, so only a sleeping one needs waking: in a busy room most lines cost
        // no system call at all.
        if std::mem::take(&mut queue.writer_asleep) {
            queue.progress = Instant::now();
            Pushed::WakeWriter
        } else if queue.bytes.len() > QUEUE_LIMIT {
            Pushed::Full
        } else {
            Pushed::Queued
        }
    }

    /// Wakes the writer after a push that said so.
    pub fn wake(&self) {
        self.changed.notify_all();
    }

    /// Waits while more than [`QUEUE_LIMIT`] bytes wait for this member (called `name` in the
    /// log), as long as it keeps taking some; drops it if it took nothing for [`PATIENCE`].
    /// Never call it with a lock held: it may wait that long.
    pub fn wait_for_room(&self, name: &str) {
        let mut queue = self.lock();
        while queue.bytes.len() > QUEUE_LIMIT && queue.state == State::Open {
            let stuck = queue.progress.elapsed();
            if stuck >= PATIENCE {
                queue.state = State::Dropped;
                drop(queue);
                // Logged first: the leave that the shutdown causes is logged after it.
                log::line(format!(
                    "{name} dropped: fell more than {QUEUE_LIMIT} bytes behind"
                ));
                // Ends the writer's blocked `write`, and the member's reader (its `read`
                // returns 0), which announces the leave.
                let _ = self.socket.shutdown(Shutdown::Both);
                self.changed.notify_all();
                return;
            }
            queue.waiting += 1;
            queue = match self.changed.wait_timeout(queue, PATIENCE - stuck) {
                Ok((queue, _)) => queue,
                Err(poisoned) => poisoned.into_inner().0,
            };
            queue.waiting -= 1;
        }
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

    /// The writer thread's body: sends everything queued, a whole queue at a time, until the
    /// outbox is closed or the connection fails.
    pub fn write_out(&self) {
        let mut batch = Vec::new();
        loop {
            {
                let mut queue = self.lock();
                if queue.bytes.is_empty() && queue.state == State::Open {
                    while queue.bytes.is_empty() && queue.state == State::Open {
                        queue.writer_asleep = true;
                        queue = match self.changed.wait(queue) {
                            Ok(queue) => queue,
                            Err(poisoned) => poisoned.into_inner(),
                        };
                    }
                    // Woken by the first line of what is often a burst (many members speaking
                    // at once): let the threads still queueing theirs run first, and send the
                    // burst in one write rather than line by line, a wake-up each.
                    drop(queue);
                    std::thread::yield_now();
                    queue = self.lock();
                }
                queue.writer_asleep = false;
                if queue.state == State::Dropped || queue.bytes.is_empty() {
                    break;
                }
                // Take the whole queue and leave the room the empty buffer of the last batch.
                std::mem::swap(&mut queue.bytes, &mut batch);
                queue.progress = Instant::now();
                if queue.waiting > 0 {
                    self.changed.notify_all(); // There is room again.
                }
            }
            if self.send(&batch).is_err() {
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

    /// Writes all of `bytes`, noting each time the member takes some (see [`PATIENCE`]).
    fn send(&self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            match (&*self.socket).write(bytes) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(written) => {
                    bytes = &bytes[written..];
                    self.lock().progress = Instant::now();
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    // A thread that panicked while holding the lock left a queue that is still consistent
    // (every change above is a single step), so keep using it.
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
