//! What the bench's threads share while a run goes on: counters and flags, all atomics, so that
//! no thread ever waits for another's lock on the hot path.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

/// Where a member stands (one `AtomicU8` per member).
pub mod status {
    /// Connected, name sent, not yet in the room.
    pub const JOINING: u8 = 0;
    /// In the room.
    pub const JOINED: u8 = 1;
    /// The room refused the name, or closed the connection before the member was in.
    pub const FAILED: u8 = 2;
    /// Was in the room, then the server closed the connection or reset it.
    pub const DROPPED: u8 = 3;
    /// Closed abruptly by the bench (the `--kill` scenario).
    pub const KILLED: u8 = 4;
    /// Joined only after the sending had started: neither sends nor is counted.
    pub const LATE: u8 = 5;
}

pub struct Shared {
    /// The instant every time in the run is measured from (send times in messages too).
    pub start: Instant,
    /// Set when the sending starts (after the joining).
    pub going: AtomicBool,
    /// Set when the run ends: every thread stops within a few milliseconds.
    pub stop: AtomicBool,
    pub status: Vec<AtomicU8>,
    /// Members the `--kill` scenario will close: what they receive is not counted, and what
    /// they send is counted apart (a reset destroys what the server had not read yet).
    pub doomed: Vec<bool>,
    pub joined: AtomicU64,
    pub failed: AtomicU64,
    pub burst_connected: AtomicU64,
    pub burst_joined: AtomicU64,
    /// Deliveries to counted members settled for the first time (intact or mangled), of
    /// messages from members that are not doomed.
    pub settled: AtomicU64,
    /// Everything read so far, in bytes: tells the main thread that something is still coming.
    pub bytes_read: AtomicU64,
    /// Error replies ("! ...") received by counted members.
    pub error_replies: AtomicU64,
    /// Messages each member has written completely.
    pub sent: Vec<AtomicU64>,
    pub total_sent: AtomicU64,
    pub bad_sent: AtomicU64,
    /// Bad lines the kit's room must answer with an error (too long, not UTF-8), sent by
    /// members that are counted (not doomed): to compare with `error_replies`.
    pub bad_refusable: AtomicU64,
    /// Members whose sending stopped because the server took nothing for too long.
    pub abandoned: AtomicU64,
    pub senders_done: AtomicUsize,
    /// When the last intact delivery arrived, in ns since `start`.
    pub last_intact_ns: AtomicU64,
}

impl Shared {
    pub fn new(members: usize, doomed: Vec<bool>) -> Shared {
        Shared {
            start: Instant::now(),
            going: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            status: (0..members)
                .map(|_| AtomicU8::new(status::JOINING))
                .collect(),
            doomed,
            joined: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            burst_connected: AtomicU64::new(0),
            burst_joined: AtomicU64::new(0),
            settled: AtomicU64::new(0),
            bytes_read: AtomicU64::new(0),
            error_replies: AtomicU64::new(0),
            sent: (0..members).map(|_| AtomicU64::new(0)).collect(),
            total_sent: AtomicU64::new(0),
            bad_sent: AtomicU64::new(0),
            bad_refusable: AtomicU64::new(0),
            abandoned: AtomicU64::new(0),
            senders_done: AtomicUsize::new(0),
            last_intact_ns: AtomicU64::new(0),
        }
    }

    /// Nanoseconds since the run started.
    pub fn now_ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Relaxed)
    }

    pub fn status_of(&self, member: usize) -> u8 {
        self.status[member].load(Relaxed)
    }

    /// Moves `member` from `from` to `to` unless another thread moved it first.
    pub fn change_status(&self, member: usize, from: u8, to: u8) -> bool {
        self.status[member]
            .compare_exchange(from, to, Relaxed, Relaxed)
            .is_ok()
    }
}
