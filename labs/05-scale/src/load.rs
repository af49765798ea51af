//! The postman's load: how many bytes wait for the postman, all members together, and the
//! speakers that wait while there are too many.
//!
//! Speaking only costs a copy into each member's outbox; carrying the copy costs a `send`. A
//! crowd that speaks (or joins: each join is announced to everybody) faster than the postman
//! can carry would pile up memory without end, so past [`LOAD_LIMIT`] a speaker waits until
//! the postman has carried some. The outboxes count what they queue for the postman here, and
//! the postman says here when it has carried some: neither needs to know the other for that.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Condvar, Mutex, MutexGuard};

/// How many bytes may wait for the postman, all outboxes together, before speakers wait: 8 MiB.
/// A hundred busy members never come near it; at 10,000 members, where one join announcement
/// is 10,000 copies of a line (1.3 MB), about six joins wait at a time. Every byte queued is
/// memory: in the guide's 10,000-member run, 16 MiB cost about 40 MiB more at the peak than
/// 8 MiB, and 4 MiB saved about 50 MiB but made joining almost twice as slow.
pub const LOAD_LIMIT: usize = 8 << 20;

#[derive(Default)]
pub struct Load {
    /// The bytes queued in the outboxes whose pen the postman holds (see `Outbox::push`).
    bytes: AtomicUsize,
    /// How many speakers wait on `lighter`.
    waiting: Mutex<usize>,
    /// Wakes the speakers waiting for the load to get lighter.
    lighter: Condvar,
}

impl Load {
    /// Counts `bytes` more to carry.
    pub fn add(&self, bytes: usize) {
        self.bytes.fetch_add(bytes, Relaxed);
    }

    /// Counts `bytes` as carried (or handed over to a member's writer).
    pub fn remove(&self, bytes: usize) {
        self.bytes.fetch_sub(bytes, Relaxed);
    }

    /// Whether more than [`LOAD_LIMIT`] bytes wait for the postman.
    pub fn too_heavy(&self) -> bool {
        self.bytes.load(Relaxed) > LOAD_LIMIT
    }

    /// Waits while the load is too heavy. Never call it with a lock held. The wait always ends:
    /// the postman never waits for a member, and calls [`Load::carried`] between its rounds.
    pub fn wait_until_lighter(&self) {
        let mut waiting = self.lock();
        while self.too_heavy() {
            *waiting += 1;
            waiting = self
                .lighter
                .wait(waiting)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            *waiting -= 1;
        }
    }

    /// The postman, between two rounds: wakes the waiting speakers if the load is light again.
    /// Checked under the same lock as the speakers' check, so none can miss the wake-up.
    pub fn carried(&self) {
        let waiting = self.lock();
        if *waiting > 0 && !self.too_heavy() {
            self.lighter.notify_all();
        }
    }

    // A count: a panic elsewhere cannot leave it half-changed.
    fn lock(&self) -> MutexGuard<'_, usize> {
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
