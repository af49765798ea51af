//! The postman: one thread that carries the room's lines to every member whose socket has room
//! for them, without ever waiting for one.
//!
//! The documents' `broadcast` calls `client.send(message)` for each client in turn, on the
//! speaker's thread, and `send` waits whenever a client's socket buffer is full. A writer thread
//! per member cures the waiting but costs a thread wake-up for nearly every line: a hundred
//! members who each say something every 50 ms make 200,000 wake-ups a second, more than two
//! cores can pay for (the bench chapter of the guide measures it).
//!
//! So the room's lines are carried by one thread. When the room queues a line to a member whose
//! outbox was empty, it posts that outbox here (one wake-up of the postman, however many
//! outboxes were posted at once). The postman takes each posted outbox in turn and writes all
//! of it with [`labkit::net::send_now`], which never waits: a member that reads keeps room in
//! its socket buffer, so this is the common case, and the line costs one system call and no
//! wake-up. While the postman writes, more lines gather in the outboxes behind it, and its next
//! round carries them all in one write per member.
//!
//! A member whose socket is full (it reads slowly, or not at all) is handed over to its own
//! writer thread (see the outbox module), which waits for that member and for nobody else.
//!
//! The postman's load is bounded: past [`LOAD_LIMIT`] bytes to carry, all members together, a
//! speaker waits until the postman has carried some. Speaking only costs a copy into each
//! outbox, so without a bound a crowd that speaks (or joins: each join is announced to
//! everybody) faster than the postman can carry would pile up memory without end.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;

use crate::outbox::{Delivered, Outbox};
use crate::server;

/// How many bytes may wait for the postman, all outboxes together, before speakers wait: 8 MiB.
/// A hundred busy members never come near it; at 10,000 members, where one join announcement
/// is 10,000 copies of a line (1.3 MB), about six joins wait at a time. Every byte queued is
/// memory: in the bench chapter's 10,000-member run, 16 MiB cost about 40 MiB more at the peak
/// than 8 MiB, and 4 MiB saved about 50 MiB but made joining almost twice as slow.
pub const LOAD_LIMIT: usize = 8 << 20;

pub struct Postman {
    mail: Mutex<Mail>,
    /// Wakes the postman when outboxes are posted.
    posted: Condvar,
    /// Wakes the speakers waiting for the load to get lighter.
    lighter: Condvar,
    /// The bytes queued in the outboxes the postman holds the pen of (see [`Outbox::push`]).
    load: AtomicUsize,
}

struct Mail {
    /// The outboxes with lines to carry, in the order they were posted.
    due: Vec<Arc<Outbox>>,
    /// The postman waits on `posted` for something to carry.
    asleep: bool,
    /// Speakers waiting on `lighter`.
    waiting: usize,
}

impl Postman {
    /// Starts the postman's thread.
    pub fn start() -> io::Result<Arc<Postman>> {
        let postman = Arc::new(Postman {
            mail: Mutex::new(Mail {
                due: Vec::new(),
                asleep: false,
                waiting: 0,
            }),
            posted: Condvar::new(),
            lighter: Condvar::new(),
            load: AtomicUsize::new(0),
        });
        let carrying = Arc::clone(&postman);
        server::spawn("postman", move || carrying.carry())?;
        Ok(postman)
    }

    /// Gives the postman `outboxes` to carry (each posted by [`Outbox::push`]).
    pub fn post(&self, outboxes: impl IntoIterator<Item = Arc<Outbox>>) {
        let mut mail = self.lock();
        let before = mail.due.len();
        mail.due.extend(outboxes);
        // A notify is a system call even when nobody waits: only a postman that sleeps gets one.
        if mail.due.len() > before && std::mem::take(&mut mail.asleep) {
            self.posted.notify_one();
        }
    }

    /// Counts `bytes` more to carry.
    pub fn load(&self, bytes: usize) {
        self.load.fetch_add(bytes, Relaxed);
    }

    /// Counts `bytes` as carried (or handed over to a member's writer).
    pub fn unload(&self, bytes: usize) {
        self.load.fetch_sub(bytes, Relaxed);
    }

    /// Whether the postman has more than [`LOAD_LIMIT`] bytes to carry.
    pub fn overloaded(&self) -> bool {
        self.load.load(Relaxed) > LOAD_LIMIT
    }

    /// Waits while the postman is overloaded. Never call it with a lock held. The wait always
    /// ends: the postman never waits for a member (only, for moments, for the log and to start
    /// a writer).
    pub fn wait_for_room(&self) {
        let mut mail = self.lock();
        while self.overloaded() {
            mail.waiting += 1;
            mail = self
                .lighter
                .wait(mail)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            mail.waiting -= 1;
        }
    }

    /// The postman's thread: carries what is due, round after round.
    fn carry(&self) {
        let mut round = Vec::new();
        let mut again = Vec::new();
        loop {
            // Let the speakers that are ready to run queue their lines first: a round then
            // carries more lines in each write.
            thread::yield_now();
            {
                let mut mail = self.lock();
                // Between two rounds, and before sleeping (then nothing is left to carry).
                if mail.waiting > 0 && !self.overloaded() {
                    self.lighter.notify_all();
                }
                while mail.due.is_empty() {
                    mail.asleep = true;
                    mail = self
                        .posted
                        .wait(mail)
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                }
                std::mem::swap(&mut mail.due, &mut round);
            }
            for outbox in round.drain(..) {
                if outbox.deliver() == Delivered::More {
                    again.push(outbox);
                }
            }
            // Lines that arrived while this round went on: the next round, after the others.
            self.post(again.drain(..));
        }
    }

    // The mail is a list: a panic elsewhere cannot leave it half-changed.
    fn lock(&self) -> MutexGuard<'_, Mail> {
        self.mail
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
