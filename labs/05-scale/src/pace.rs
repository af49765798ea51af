//! One member's share of the server: how fast a member's lines are read.
//!
//! Every member has a thread that reads its lines, and a thread can take a whole processor. A
//! member that sends as fast as it can keeps its reader busy on one of the two cores: under
//! `bench --flood`, the flooder's reader used 3.4 of the run's first 4 seconds of processor time
//! (lab 03's, 4.0), and every other member's lines waited for what was left. Lab 03 lets it: its
//! room only ever slows down to its slowest reader, never to a fair share.
//!
//! Here each member may send [`BURST`] lines at once, and [`LINES_PER_SECOND`] after that. Past
//! its share, its reader waits before reading on: the member is not told and loses nothing, its
//! lines wait in its own socket, and TCP makes it wait in turn. Nobody else waits for it. This is
//! a token bucket: it holds [`BURST`] tokens, gains [`LINES_PER_SECOND`] a second, and every line
//! read takes one. Under `bench --flood` the flooder's reader then used 0.12 s of those 4 s. The
//! bench chapter's other rows stay within the burst: their busiest member sends 1,000 lines at
//! once.

use std::time::{Duration, Instant};

/// How many lines a member may send at once before its reader slows down.
pub const BURST: f64 = 2_000.0;

/// How many lines a second a member may send, on average, once it has used its burst.
pub const LINES_PER_SECOND: f64 = 2_000.0;

/// What is left of one member's share.
pub struct Pace {
    /// Lines the member may still send at once; below zero, the lines it is ahead of its share.
    tokens: f64,
    /// When `tokens` was last refilled.
    since: Instant,
}

impl Pace {
    /// A full share, at `now`.
    pub fn new(now: Instant) -> Pace {
        Pace {
            tokens: BURST,
            since: now,
        }
    }

    /// Counts one line, read at `now`: how long the reader should wait before it reads the
    /// next one (zero while the member is within its share).
    pub fn line(&mut self, now: Instant) -> Duration {
        let earned = now.saturating_duration_since(self.since).as_secs_f64() * LINES_PER_SECOND;
        self.tokens = (self.tokens + earned).min(BURST) - 1.0;
        self.since = now;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / LINES_PER_SECOND)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The waits `lines` lines sent at once would get.
    fn at_once(pace: &mut Pace, now: Instant, lines: usize) -> Vec<Duration> {
        (0..lines).map(|_| pace.line(now)).collect()
    }

    #[test]
    fn a_burst_is_read_without_waiting() {
        let start = Instant::now();
        let mut pace = Pace::new(start);
        let waits = at_once(&mut pace, start, BURST as usize);
        assert!(waits.iter().all(|wait| wait.is_zero()), "{waits:?}");
    }

    #[test]
    fn past_the_burst_each_line_waits_its_share_of_a_second() {
        let start = Instant::now();
        let mut pace = Pace::new(start);
        at_once(&mut pace, start, BURST as usize);
        let per_line = 1.0 / LINES_PER_SECOND;
        for ahead in 1..=10 {
            let wait = pace.line(start).as_secs_f64();
            assert!(
                (wait - ahead as f64 * per_line).abs() < 1e-9,
                "{ahead}: {wait}"
            );
        }
    }

    #[test]
    fn a_reader_that_waited_as_told_reads_the_next_line_at_once_or_nearly() {
        let start = Instant::now();
        let mut pace = Pace::new(start);
        at_once(&mut pace, start, BURST as usize);
        let mut now = start;
        for _ in 0..100 {
            let wait = pace.line(now);
            assert!(
                wait.as_secs_f64() <= 1.0 / LINES_PER_SECOND + 1e-9,
                "{wait:?}"
            );
            now += wait;
        }
    }

    #[test]
    fn a_quiet_member_earns_its_burst_back_and_no_more() {
        let start = Instant::now();
        let mut pace = Pace::new(start);
        at_once(&mut pace, start, BURST as usize + 500);
        let later = start + Duration::from_secs(10);
        let waits = at_once(&mut pace, later, BURST as usize);
        assert!(waits.iter().all(|wait| wait.is_zero()), "the burst is back");
        assert!(!pace.line(later).is_zero(), "but not more than the burst");
    }
}
