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
//! The postman's load is bounded (see the load module): past a limit, speakers wait until the
//! postman has carried some.

use std::io;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;

use labkit::thread::spawn;

use crate::load::Load;
use crate::outbox::{Delivered, Outbox};

pub struct Postman {
    mail: Mutex<Mail>,
    /// Wakes the postman when outboxes are posted.
    posted: Condvar,
    /// What waits for the postman; it wakes the waiting speakers between its rounds.
    load: Arc<Load>,
}

struct Mail {
    /// The outboxes with lines to carry, in the order they were posted.
    due: Vec<Arc<Outbox>>,
    /// The postman waits on `posted` for something to carry.
    asleep: bool,
}

impl Postman {
    /// Starts the postman's thread; the outboxes it carries count their bytes in `load`.
    pub fn start(load: Arc<Load>) -> io::Result<Arc<Postman>> {
        let postman = Arc::new(Postman {
            mail: Mutex::new(Mail {
                due: Vec::new(),
                asleep: false,
            }),
            posted: Condvar::new(),
            load,
        });
        let carrying = Arc::clone(&postman);
        spawn("postman", move || carrying.carry())?;
        Ok(postman)
    }

    /// Gives the postman `outboxes` to carry (each one an outbox whose `push` said
    /// `Pushed::Post`).
    pub fn post(&self, outboxes: impl IntoIterator<Item = Arc<Outbox>>) {
        let mut mail = self.lock();
        let before = mail.due.len();
        mail.due.extend(outboxes);
        // A notify is a system call even when nobody waits: only a postman that sleeps gets one.
        if mail.due.len() > before && std::mem::take(&mut mail.asleep) {
            self.posted.notify_one();
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
            // Between two rounds, and before sleeping (then nothing is left to carry).
            self.load.carried();
            {
                let mut mail = self.lock();
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
