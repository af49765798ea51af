//! Each member's outgoing queue, and the writer thread that waits for that member alone.
//!
//! The documents' `broadcast` calls `client.send(message)` for every client in turn, on the
//! sender's thread. `send` blocks when a client's socket buffer is full, so one client that stops
//! reading stalls the sender, and with it everyone waiting on the sender. Here `broadcast` never
//! touches a socket: it appends the line to each member's [`Outbox`] and moves on.
//!
//! Two can send what an outbox holds, one at a time (whoever holds its *pen*): the postman (see
//! the postman module), which writes only what a socket takes at once and never waits, and the
//! member's own writer thread ([`Outbox::write_out`]), which waits for that member as long as it
//! takes. A member that keeps up gets its lines from the postman. The first time its socket is
//! full, the postman starts its writer and hands it the pen; the writer sends the rest, waiting
//! for that member and for nobody else, and hands the pen back once it has caught up. A member
//! that never falls behind never costs a writer thread.
//!
//! The queue is bounded in bytes ([`QUEUE_LIMIT`]), yet nobody is dropped for reading slowly:
//! a speaker whose line took a member's queue past the limit waits (with the room's lock
//! released) until that member's queue has been taken, which slows the room down to the pace of
//! its slowest reader instead of piling up memory. Only a member that takes nothing at all for
//! [`PATIENCE`] while its queue is full has stopped reading: it is dropped, its socket shut down
//! so that its reader thread ends and announces the leave, and the others carry on.

use std::io::{self, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::postman::Postman;
use crate::{log, server};

/// How far a member may fall behind, in bytes queued and not yet sent: 1 MiB. On top of this the
/// kernel buffers a few MiB per connection: a member past this point has about 20,000 ordinary
/// chat lines, or 120 of the longest, waiting for it.
pub const QUEUE_LIMIT: usize = 1 << 20;

/// How long a member whose queue is full may take nothing before it is dropped. A client that
/// reads, however slowly, takes some bytes in that time; one that stopped reading takes none.
pub const PATIENCE: Duration = Duration::from_secs(1);

/// What the caller of [`Outbox::push`] must do once it has released its own lock.
pub enum Pushed {
    /// Nothing: the line will be carried with those already queued.
    Queued,
    /// The outbox was empty: [`Postman::post`](crate::postman::Postman::post) it.
    Post,
    /// The queue is past [`QUEUE_LIMIT`]: [`Outbox::wait_for_room`] before saying more.
    Full,
}

/// What became of an outbox the postman carried (see [`Outbox::deliver`]).
#[derive(PartialEq, Eq)]
pub enum Delivered {
    /// Everything was sent, or the member's writer has taken over.
    Done,
    /// Everything was sent, and more lines arrived meanwhile: carry them in the next round.
    More,
}

/// A member's outgoing lines, filled by the room and emptied by the postman or the member's
/// writer.
pub struct Outbox {
    queue: Mutex<Queue>,
    /// Wakes the writer when it is handed the pen, those waiting for room when lines are taken,
    /// and those waiting in [`Outbox::wait_sent`].
    changed: Condvar,
    /// The member's connection, shared with its reader.
    socket: Arc<TcpStream>,
    /// Told how many bytes it has to carry for this member while it holds the pen.
    postman: Arc<Postman>,
}

struct Queue {
    /// The lines queued, end to end, exactly as they will be sent: they leave with one `write`,
    /// however many there are.
    bytes: Vec<u8>,
    state: State,
    /// Who sends the queued lines; only one at a time, so that they leave in order.
    pen: Pen,
    /// Whether the member's writer thread has been started.
    writer: bool,
    /// Speakers waiting in [`Outbox::wait_for_room`].
    waiting: usize,
    /// When the member last took bytes (or its queue was last taken to be sent).
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
    /// The connection is closed: nothing more will be sent.
    Done,
}

/// Who holds the pen: who sends this member's lines.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pen {
    /// Nobody: nothing is queued.
    Nobody,
    /// The postman: the outbox is posted, or being written.
    Postman,
    /// The member's own writer thread: its socket was full.
    Writer,
}

impl Outbox {
    /// An outbox writing to the member's connection.
    pub fn new(socket: Arc<TcpStream>, postman: Arc<Postman>) -> Arc<Self> {
        Arc::new(Outbox {
            queue: Mutex::new(Queue {
                bytes: Vec::new(),
                state: State::Open,
                pen: Pen::Nobody,
                writer: false,
                waiting: 0,
                progress: Instant::now(),
            }),
            changed: Condvar::new(),
            socket,
            postman,
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
        if queue.pen != Pen::Writer {
            self.postman.load(lines.len());
        }
        if queue.pen == Pen::Nobody {
            queue.pen = Pen::Postman;
            queue.progress = Instant::now();
            Pushed::Post
        } else if queue.bytes.len() > QUEUE_LIMIT {
            Pushed::Full
        } else {
            Pushed::Queued
        }
    }

    /// The postman's part: sends everything queued, if the member's socket takes it at once.
    /// If it does not, the rest stays queued and the member's writer takes the pen.
    pub fn deliver(self: &Arc<Self>) -> Delivered {
        // The whole queue, leaving an empty one (which allocates nothing until the next line):
        // a quiet member holds no buffer, and the one sent here is freed once sent.
        let mut batch = {
            let mut queue = self.lock();
            if matches!(queue.state, State::Dropped | State::Done) {
                self.postman.unload(queue.bytes.len());
                self.finish(&mut queue);
                return Delivered::Done;
            }
            queue.progress = Instant::now();
            if queue.waiting > 0 {
                self.changed.notify_all(); // There is room again.
            }
            std::mem::take(&mut queue.bytes)
        };
        let sent = labkit::net::send_now(&self.socket, &batch);
        let mut queue = self.lock();
        self.postman.unload(batch.len());
        match sent {
            Err(_) => {
                // The connection failed (a reset, say): the member's reader meets the same end
                // and announces the leave.
                self.postman.unload(queue.bytes.len());
                self.finish(&mut queue);
                Delivered::Done
            }
            Ok(sent) if sent < batch.len() => {
                // The socket is full: what it did not take goes back in front of what came
                // since, and the member's writer takes over.
                self.postman.unload(queue.bytes.len());
                batch.drain(..sent);
                batch.extend_from_slice(&queue.bytes);
                queue.bytes = batch;
                self.hand_to_writer(queue);
                Delivered::Done
            }
            Ok(_) if !queue.bytes.is_empty() => Delivered::More,
            Ok(_) if queue.state == State::Open => {
                queue.pen = Pen::Nobody;
                Delivered::Done
            }
            Ok(_) => {
                // Closing, and all is sent.
                self.finish(&mut queue);
                Delivered::Done
            }
        }
    }

    /// Gives the pen to the member's writer, starting the writer the first time.
    fn hand_to_writer(self: &Arc<Self>, mut queue: MutexGuard<'_, Queue>) {
        queue.pen = Pen::Writer;
        if std::mem::replace(&mut queue.writer, true) {
            drop(queue);
            self.changed.notify_all();
            return;
        }
        // Starting a thread takes a while: not with the queue locked, which the room needs.
        drop(queue);
        let outbox = Arc::clone(self);
        if server::spawn("writer", move || outbox.write_out()).is_err() {
            log::line(
                "a member fell behind and the system would not start its writer: dropped"
                    .to_string(),
            );
            let mut queue = self.lock();
            self.finish(&mut queue);
        }
    }

    /// Waits while more than [`QUEUE_LIMIT`] bytes wait for this member (called `name` in the
    /// log), as long as it keeps taking some; drops it if it took nothing for [`PATIENCE`].
    /// Never call it with a lock held: it may wait that long.
    pub fn wait_for_room(&self, name: &str) {
        let mut queue = self.lock();
        while queue.bytes.len() > QUEUE_LIMIT && queue.state == State::Open {
            let stuck = queue.progress.elapsed();
            if stuck >= PATIENCE {
                // Whoever holds the pen sees this and closes the connection.
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
            // Otherwise whoever holds the pen closes it once everything is sent.
            if queue.pen == Pen::Nobody {
                self.finish(&mut queue);
            }
        }
    }

    /// Waits until the connection is closed, or `deadline` has passed (a member that does not
    /// read may never let its last lines go).
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

    /// The writer thread's body. It sends everything queued, waiting for the member as long as
    /// it takes, then gives the pen back (the postman carries the next lines) and sleeps until
    /// it is handed the pen again; it ends when the connection is closed.
    fn write_out(&self) {
        loop {
            let batch = {
                let mut queue = self.lock();
                while queue.pen != Pen::Writer && queue.state != State::Done {
                    queue = self
                        .changed
                        .wait(queue)
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                }
                match queue.state {
                    State::Done => return,
                    State::Dropped => return self.finish(&mut queue),
                    State::Closing if queue.bytes.is_empty() => return self.finish(&mut queue),
                    State::Open if queue.bytes.is_empty() => {
                        // Caught up: the postman carries the next lines again.
                        queue.pen = Pen::Nobody;
                        continue;
                    }
                    _ => {}
                }
                queue.progress = Instant::now();
                if queue.waiting > 0 {
                    self.changed.notify_all(); // There is room again.
                }
                std::mem::take(&mut queue.bytes)
            };
            if self.send(&batch).is_err() {
                return self.finish(&mut self.lock());
            }
        }
    }

    /// Closes the connection: both directions, which also ends the member's reader thread if
    /// it is still reading.
    fn finish(&self, queue: &mut Queue) {
        let _ = self.socket.shutdown(Shutdown::Both);
        queue.state = State::Done;
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
