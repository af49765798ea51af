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
//! that never falls behind never costs a writer thread. The outbox does not know who the
//! postman is: [`Outbox::push`] says when an outbox needs carrying ([`Pushed::Post`]), the room
//! hands it over, and the postman calls [`Outbox::deliver`]; what it queues for the postman
//! counts in the room's load (see the load module).
//!
//! The queue is bounded, and the bound tells a member that reads slowly from one that stopped
//! reading. Once a member is more than [`QUEUE_LIMIT`] behind, whoever speaks waits for it (with
//! the room's lock released) as long as it keeps taking lines: the room slows down to the pace
//! of its slowest reader instead of piling up memory, and nobody is dropped for reading slowly.
//! But a member that took nothing at all for [`STALL`] is not reading, and nobody waits for it
//! until it has caught up: one member that stopped reading must not stop the room. If it takes
//! nothing for
//! [`PATIENCE`], or falls [`HARD_LIMIT`] behind, it is dropped: its last line says why (if its
//! socket still takes it, after a whole line), its socket is shut down, the reading thread sees
//! the connection end and announces the leave, and the others carry on.

use std::io::{self, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use lab03::protocol;
use labkit::log;
use labkit::thread::spawn;

use crate::chunks::Chunks;
use crate::load::Load;
use crate::sys;

/// How far a member may fall behind, in bytes queued and not yet sent, before the room waits
/// for it: 64 KiB, about 1,000 ordinary chat lines, or 8 of the longest (the kernel holds some
/// more, see [`SEND_BUFFER`]). What a member says waits behind what is queued to the others, so
/// this is also how far a flooder's lines may run ahead of everybody else's: under `bench
/// --flood`, the steady member's p99 was 3.6 ms with 256 KiB and 1.1 ms with 64 KiB (three runs
/// each, 1 December; 2.0 to 2.4 ms in the figures runs after, where lab 03's read 1.8 to 3.1),
/// while 100 x 200 at once and 100 x 50 at 20/s stayed where they were. (Those runs came before
/// the pace module, which now keeps a flooder to its share.)
pub const QUEUE_LIMIT: usize = 64 * 1024;

/// A member that took nothing for this long is not reading at the moment: nobody waits for it
/// until it has caught up (see [`Queue::took`]). A member that reads takes lines far more
/// often: a blocked writer looks every [`WRITE_CHECK`] at what it took, and the kernel takes
/// more as soon as the member's side says it has read some (on loopback, in steps of about 64
/// KiB).
///
/// Taking some again is not enough to be waited for again, and this is shorter than 200 ms,
/// because the kernel takes a few bytes now and then for a member that reads nothing: once the
/// member's window is closed, Linux probes it, first after its retransmission timeout, which is
/// never under 200 ms. Under `bench -n 100 -m 1000 --non-reader` (4 December, one traced run),
/// 239 ms after the silent member's last bytes the kernel took 2,040 more, then 35,336 more 24
/// ms later; with 250 ms and no memory of the pause, the room waited for that member three
/// times (237, 23 and 250 ms), with its one reading thread, so for everybody.
pub const STALL: Duration = Duration::from_millis(150);

/// The kernel's send buffer for each member: 128 KiB asked, which Linux doubles for its own
/// bookkeeping. Left to itself, the kernel lets it grow to 4 MiB, and wakes a writer blocked on
/// a full buffer only once a third of it is free: a member could read a megabyte before the
/// server saw it take anything.
pub const SEND_BUFFER: usize = 128 * 1024;

/// How long a member more than [`QUEUE_LIMIT`] behind may take nothing before it is dropped. A
/// client that reads, however slowly, takes some bytes in that time; one that stopped reading
/// takes none.
pub const PATIENCE: Duration = Duration::from_secs(1);

/// How far behind a member may fall at most, whatever the time: it is dropped past that. Only a
/// member nobody waits for gets that far: the most memory one member can make the server hold.
pub const HARD_LIMIT: usize = 8 << 20;

/// How often a writer blocked on a full socket comes back from `write`, with what the member
/// took meanwhile: without it, a `write` of a large batch to a slow reader would only return
/// once all of it was taken, and the member would look as if it took nothing for that long.
const WRITE_CHECK: Duration = Duration::from_millis(20);

/// What the caller of [`Outbox::push`] must do once it has released its own lock.
pub enum Pushed {
    /// Nothing: the line will be carried with those already queued.
    Queued,
    /// The outbox was empty: hand it to the postman (the room does, once its lock is released).
    Post,
    /// The queue is past [`QUEUE_LIMIT`]: [`Outbox::wait_for_room`] before saying more.
    Full,
}

/// What became of an outbox the postman carried (see [`Outbox::deliver`]).
#[derive(PartialEq, Eq)]
pub enum Delivered {
    /// Nothing is left for the postman: everything was sent, the member's writer has taken
    /// over, or the connection is closed.
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
    /// The member's connection, shared with whoever reads it.
    socket: Arc<TcpStream>,
    /// The postman's load: the bytes queued while the postman holds the pen count in it.
    load: Arc<Load>,
}

struct Queue {
    /// Who this is for, in the log: the address until the member has a name.
    name: String,
    /// The lines queued, end to end, exactly as they will be sent, shared with the other
    /// members' queues: they leave with one vectored write, however many there are.
    bytes: Chunks,
    /// What the writer took from `bytes` and the member has not taken yet.
    in_flight: usize,
    state: State,
    /// Who sends the queued lines; only one at a time, so that they leave in order.
    pen: Pen,
    /// Whether the member's writer thread has been started.
    writer: bool,
    /// Speakers waiting in [`Outbox::wait_for_room`].
    waiting: usize,
    /// When the member last took bytes (or had nothing left to take).
    progress: Instant,
    /// Whether it was found [`Reading::Paused`] since it last caught up: nobody waits for it
    /// until it is no more than [`QUEUE_LIMIT`] behind again (see [`STALL`]).
    paused: bool,
    /// Whether what the socket took so far ends with a whole line: only then can a last line
    /// saying why the member is dropped follow it without gluing itself to a cut line.
    line_end: bool,
    /// Why the member was dropped, once it is (one of `lab03::protocol`'s reasons).
    why: &'static str,
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

impl Queue {
    /// How far behind the member is: the bytes queued, and those its writer is sending.
    fn behind(&self) -> usize {
        self.bytes.len() + self.in_flight
    }

    /// Notes that the member took bytes (or has nothing left to take) and is now `behind`
    /// bytes behind; once that is no more than [`QUEUE_LIMIT`], it has caught up, and it is
    /// waited for again the next time it falls behind.
    fn took(&mut self, behind: usize) {
        self.progress = Instant::now();
        if behind <= QUEUE_LIMIT {
            self.paused = false;
        }
    }

    /// How the member is reading, by the slow-reader rules (see [`judge`]); notes a pause.
    fn reading(&mut self) -> Reading {
        let reading = judge(self.behind(), self.progress.elapsed(), self.paused);
        if reading == Reading::Paused {
            self.paused = true;
        }
        reading
    }
}

/// The slow-reader rules: how a member `behind` bytes behind that took nothing for `idle` is
/// reading, `paused` if it was found paused since it last caught up.
fn judge(behind: usize, idle: Duration, paused: bool) -> Reading {
    if behind <= QUEUE_LIMIT {
        Reading::KeepsUp
    } else if behind > HARD_LIMIT || idle >= PATIENCE {
        Reading::Stopped
    } else if paused || idle >= STALL {
        Reading::Paused
    } else {
        Reading::Slowly
    }
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

/// How a member more than [`QUEUE_LIMIT`] behind is reading (see [`Outbox::wait_for_room`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Reading {
    /// It is not that far behind.
    KeepsUp,
    /// It takes lines, more slowly than they come, and was not found paused since it last
    /// caught up: the room waits for it.
    Slowly,
    /// It took nothing for [`STALL`], now or since it last caught up: nobody waits for it.
    Paused,
    /// It took nothing for [`PATIENCE`], or it fell [`HARD_LIMIT`] behind: it is dropped.
    Stopped,
}

impl Outbox {
    /// An outbox writing to the member's connection, called `name` in the log until
    /// [`Outbox::set_name`].
    pub fn new(socket: Arc<TcpStream>, name: String, load: Arc<Load>) -> Arc<Self> {
        Arc::new(Outbox {
            queue: Mutex::new(Queue {
                name,
                bytes: Chunks::default(),
                in_flight: 0,
                state: State::Open,
                pen: Pen::Nobody,
                writer: false,
                waiting: 0,
                progress: Instant::now(),
                paused: false,
                line_end: true,
                why: protocol::STOPPED_READING,
            }),
            changed: Condvar::new(),
            socket,
            load,
        })
    }

    /// Names the member, once it has joined.
    pub fn set_name(&self, name: &str) {
        self.lock().name = name.to_string();
    }

    /// Queues `lines` (which end in `\n`, and are shared with the other members' queues).
    /// Lines for a closing or closed outbox are dropped silently: that member is on its way
    /// out. Never waits, so the room may push with its lock held.
    pub fn push(&self, lines: &Arc<[u8]>) -> Pushed {
        let mut queue = self.lock();
        if queue.state != State::Open {
            return Pushed::Queued;
        }
        queue.bytes.push(Arc::clone(lines));
        if queue.pen != Pen::Writer {
            self.load.add(lines.len());
        }
        if queue.pen == Pen::Nobody {
            queue.pen = Pen::Postman;
            let behind = queue.behind();
            queue.took(behind);
            Pushed::Post
        } else if queue.behind() > QUEUE_LIMIT {
            Pushed::Full
        } else {
            Pushed::Queued
        }
    }

    /// The postman's part: sends everything queued, if the member's socket takes it at once.
    /// If it does not, the rest stays queued and the member's writer takes the pen.
    pub fn deliver(self: &Arc<Self>) -> Delivered {
        // The whole queue, leaving an empty one (which allocates nothing until the next line):
        // a quiet member holds nothing, and the lines sent here are freed once every member
        // has been sent them.
        let mut batch = {
            let mut queue = self.lock();
            if queue.state == State::Dropped {
                self.load.remove(queue.bytes.len());
                self.finish(&mut queue);
                return Delivered::Done;
            }
            std::mem::take(&mut queue.bytes)
        };
        let total = batch.len();
        let last = self.send_now(&mut batch);
        let mut queue = self.lock();
        self.load.remove(total);
        // Noted first: a member dropped meanwhile gets its reason only after a whole line.
        if let Ok(Some(last)) = last {
            queue.line_end = last == b'\n';
        }
        let sent = match last {
            Ok(_) if queue.state != State::Dropped => total - batch.len(),
            // The connection failed (a reset, say), or the member was dropped meanwhile: its
            // reader meets the end of the connection and announces the leave.
            _ => {
                self.load.remove(queue.bytes.len());
                self.finish(&mut queue);
                return Delivered::Done;
            }
        };
        if sent > 0 {
            // What the socket did not take is still in `batch`.
            let behind = queue.behind() + batch.len();
            queue.took(behind);
            if queue.waiting > 0 {
                self.changed.notify_all(); // There is room again.
            }
        }
        if sent < total {
            // The socket is full: what it did not take goes back in front of what came since,
            // and the member's writer takes over.
            self.load.remove(queue.bytes.len());
            batch.append(std::mem::take(&mut queue.bytes));
            queue.bytes = batch;
            self.hand_to_writer(queue);
            Delivered::Done
        } else if !queue.bytes.is_empty() {
            Delivered::More
        } else if queue.state == State::Open {
            queue.pen = Pen::Nobody;
            Delivered::Done
        } else {
            // Closing, and everything is sent.
            self.finish(&mut queue);
            Delivered::Done
        }
    }

    /// Sends what the socket takes of `batch` at once, without waiting, and returns the last
    /// byte it took (`None`: none). Several writes when a batch has more chunks than one takes.
    fn send_now(&self, batch: &mut Chunks) -> io::Result<Option<u8>> {
        let mut last = None;
        while !batch.is_empty() {
            let slices = batch.slices();
            let offered: usize = slices.iter().map(|slice| slice.len()).sum();
            let sent = sys::send_slices_now(&self.socket, &slices)?;
            last = batch.consume(sent).or(last);
            if sent < offered {
                break; // The socket is full.
            }
        }
        Ok(last)
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
        if spawn("writer", move || outbox.write_out()).is_err() {
            let mut queue = self.lock();
            log::line(format!(
                "{} dropped: {}, and the system would not start its writer",
                queue.name,
                protocol::FELL_BEHIND
            ));
            // Its last line says why, as for any member dropped (see `finish`).
            (queue.state, queue.why) = (State::Dropped, protocol::FELL_BEHIND);
            self.finish(&mut queue);
        }
    }

    /// After a push that said [`Pushed::Full`]: waits while this member is more than
    /// [`QUEUE_LIMIT`] behind and reading; returns at once if it is not reading; drops it if
    /// it has stopped. Never call it with a lock held: it may wait as long as the member reads.
    pub fn wait_for_room(&self) {
        let mut queue = self.lock();
        while queue.state == State::Open {
            match queue.reading() {
                Reading::KeepsUp | Reading::Paused => return,
                Reading::Stopped => return self.drop_member(queue),
                Reading::Slowly => {}
            }
            queue.waiting += 1;
            queue = match self.changed.wait_timeout(queue, STALL) {
                Ok((queue, _)) => queue,
                Err(poisoned) => poisoned.into_inner().0,
            };
            queue.waiting -= 1;
        }
    }

    /// Drops a member that stopped reading: logs why, and has its connection closed, which
    /// its reader sees as the end of the connection (a read returns 0), and announces the
    /// leave.
    fn drop_member(&self, mut queue: MutexGuard<'_, Queue>) {
        // Whoever holds the pen sees this and finishes, with the reason as the last line. A
        // blocked writer comes back within WRITE_CHECK; the postman never blocks.
        queue.state = State::Dropped;
        if queue.behind() > HARD_LIMIT {
            queue.why = protocol::FELL_BEHIND;
        }
        // Logged before the connection is closed, so the leave that the close causes is logged
        // after it (lab 03's log never waits, so the queue's lock may be held).
        log::line(format!("{} dropped: {}", queue.name, queue.why));
        if queue.pen == Pen::Nobody {
            self.finish(&mut queue);
        }
        drop(queue);
        self.changed.notify_all();
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
        // Only this thread blocks in `write` on the socket (the postman's `send_now` never
        // does): from now on its `write` returns every WRITE_CHECK if the member takes nothing.
        let _ = self.socket.set_write_timeout(Some(WRITE_CHECK));
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
                queue.in_flight = queue.bytes.len();
                std::mem::take(&mut queue.bytes)
            };
            if self.send(batch).is_err() {
                return self.finish(&mut self.lock());
            }
        }
    }

    /// Closes the connection: both directions, which its reader, if it still reads, sees as
    /// the end of the connection.
    /// A dropped member gets one last line saying why, if its socket has room for it and it
    /// would not be glued to a line cut in the middle.
    fn finish(&self, queue: &mut Queue) {
        if queue.state == State::Dropped && queue.line_end {
            let _ = sys::send_now(&self.socket, protocol::closing(queue.why).as_bytes());
        }
        let _ = self.socket.shutdown(Shutdown::Both);
        queue.state = State::Done;
        self.changed.notify_all();
    }

    /// Writes all of `bytes`, noting each time the member takes some (see [`PATIENCE`]).
    fn send(&self, mut bytes: Chunks) -> io::Result<()> {
        while !bytes.is_empty() {
            match (&*self.socket).write_vectored(&bytes.slices()) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(written) => {
                    let line_end = bytes.consume(written) == Some(b'\n');
                    let mut queue = self.lock();
                    queue.line_end = line_end;
                    queue.in_flight = bytes.len();
                    let behind = queue.behind();
                    queue.took(behind);
                    if queue.state == State::Dropped {
                        return Err(io::ErrorKind::ConnectionAborted.into());
                    }
                    if queue.waiting > 0 {
                        self.changed.notify_all(); // There is room again.
                    }
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    // The member took nothing for WRITE_CHECK: has it stopped reading? Speakers
                    // waiting for room ask the same; this answers even when nobody speaks.
                    let mut queue = self.lock();
                    let state = queue.state;
                    match state {
                        State::Open if queue.reading() == Reading::Stopped => {
                            self.drop_member(queue);
                            return Err(error);
                        }
                        // Leaving, and its last lines will never be read.
                        State::Closing if queue.progress.elapsed() >= PATIENCE => {
                            return Err(error);
                        }
                        State::Dropped | State::Done => return Err(error),
                        _ => {}
                    }
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    const BEHIND: usize = QUEUE_LIMIT + 1;
    const NOW: Duration = Duration::ZERO;

    #[test]
    fn a_member_that_is_not_far_behind_keeps_up_whatever_else() {
        for idle in [NOW, STALL, PATIENCE] {
            for paused in [false, true] {
                assert_eq!(judge(QUEUE_LIMIT, idle, paused), Reading::KeepsUp);
            }
        }
    }

    #[test]
    fn a_member_far_behind_is_waited_for_while_it_takes_lines() {
        assert_eq!(judge(BEHIND, NOW, false), Reading::Slowly);
        assert_eq!(judge(HARD_LIMIT, STALL / 2, false), Reading::Slowly);
        assert_eq!(judge(BEHIND, STALL, false), Reading::Paused);
    }

    #[test]
    fn a_paused_member_that_takes_a_few_bytes_is_still_not_waited_for() {
        assert_eq!(judge(BEHIND, NOW, true), Reading::Paused);
    }

    #[test]
    fn a_member_is_dropped_past_its_patience_or_the_hard_limit_paused_or_not() {
        for paused in [false, true] {
            assert_eq!(judge(BEHIND, PATIENCE, paused), Reading::Stopped);
            assert_eq!(judge(HARD_LIMIT + 1, NOW, paused), Reading::Stopped);
        }
    }

    #[test]
    fn a_pause_is_remembered_until_the_member_has_caught_up() {
        let mut queue = Queue {
            name: "silent".to_string(),
            bytes: Chunks::default(),
            in_flight: 2 * QUEUE_LIMIT,
            state: State::Open,
            pen: Pen::Writer,
            writer: true,
            waiting: 0,
            progress: Instant::now() - STALL,
            paused: false,
            line_end: true,
            why: protocol::STOPPED_READING,
        };
        assert_eq!(queue.reading(), Reading::Paused);

        // The kernel's probe of a closed window takes a little: still paused.
        queue.in_flight -= 2040;
        queue.took(queue.behind());
        assert_eq!(queue.reading(), Reading::Paused);

        // Caught up: waited for again the next time it falls behind.
        queue.in_flight = QUEUE_LIMIT;
        queue.took(queue.behind());
        queue.in_flight = 2 * QUEUE_LIMIT;
        assert_eq!(queue.reading(), Reading::Slowly);
    }
}
