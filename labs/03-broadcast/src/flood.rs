//! What the log shows of a member that floods the room.
//!
//! One member sending as fast as it can would fill the server's log with its lines alone (589 MB
//! in 8 s, once): [`Flood`] logs [`LOGGED_PER_SECOND`] of a member's lines a second and counts
//! the rest. (Lab 05's server uses it too.) The log itself is `labkit::log`: a thread of its own,
//! so that a log nobody reads never makes a member wait.

use std::time::{Duration, Instant};

use labkit::log::line;

/// How many of a member's lines the log shows each second; it counts the rest, and says how
/// many with the member's next line after that second, or when it leaves.
pub const LOGGED_PER_SECOND: u32 = 20;

/// What the log shows of one member's messages: [`LOGGED_PER_SECOND`] a second at most, so
/// that a member that floods the room cannot flood the log too.
#[derive(Default)]
pub struct Flood {
    /// When the second being counted began (none before the first line).
    since: Option<Instant>,
    logged: u32,
    unlogged: u32,
}

impl Flood {
    /// Logs "`name` says `text`", unless `name` has had its lines of this second: then counts it.
    pub fn says(&mut self, name: &str, text: &str) {
        if self
            .since
            .is_none_or(|since| since.elapsed() >= Duration::from_secs(1))
        {
            self.count(name);
            (self.since, self.logged) = (Some(Instant::now()), 0);
        }
        if self.logged < LOGGED_PER_SECOND {
            self.logged += 1;
            line(format!("{name} says {text}"));
        } else {
            self.unlogged += 1;
        }
    }

    /// Logs how many lines were not logged, if any: when the member leaves.
    pub fn count(&mut self, name: &str) {
        if self.unlogged > 0 {
            line(format!("{name} said {} more lines", self.unlogged));
            self.unlogged = 0;
        }
    }
}
