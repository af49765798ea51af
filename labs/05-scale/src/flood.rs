//! The log of what one member says: every message, up to a rate, and a count of the rest.
//!
//! The documents' server prints every message. One member sending as fast as it can made the
//! kit's server write 589 MB of log in 8 s; the log now shows [`LOGGED_PER_SECOND`] lines a
//! second of each member, and says how many more there were.

use std::time::{Duration, Instant};

use lab03::log;

/// How many of a member's lines a second the log shows; past that it counts them, and says
/// how many it left out (one flooding member wrote 589 MB of log in 8 s).
pub const LOGGED_PER_SECOND: usize = 20;

/// The log of one member's messages: each of them up to [`LOGGED_PER_SECOND`] a second, and a
/// count of the others.
pub struct Flood {
    second: Instant,
    logged: usize,
    left_out: usize,
}

impl Default for Flood {
    fn default() -> Self {
        Flood {
            second: Instant::now(),
            logged: 0,
            left_out: 0,
        }
    }
}

impl Flood {
    pub fn says(&mut self, name: &str, text: &str) {
        if self.second.elapsed() >= Duration::from_secs(1) {
            self.summarise(name);
            self.second = Instant::now();
            self.logged = 0;
        }
        if self.logged < LOGGED_PER_SECOND {
            self.logged += 1;
            log::line(format!("{name} says {text}"));
        } else {
            self.left_out += 1;
        }
    }

    /// Says how many lines were left out, if any.
    pub fn summarise(&mut self, name: &str) {
        if self.left_out > 0 {
            let count = std::mem::take(&mut self.left_out);
            log::line(format!("{name} said {count} more lines"));
        }
    }
}
