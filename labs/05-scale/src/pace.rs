//! One member's share of the server: how fast its lines are read.
//!
//! In lab 03 every member has a thread that reads its lines, and a thread can take a whole
//! processor. A member that sends as fast as it can keeps its reader busy on one of the two
//! cores: under `bench --flood`, the flooder's reader used 3.4 of the run's first 4 seconds of
//! processor time (lab 03's, 4.0), and every other member's lines waited for what was left.
//! Here one thread reads every member (see the reader module), and a member that never stops
//! sending would keep it to itself. Nothing in lab 03 limits how much one member says: its
//! queues only drop a member that cannot keep up with the others.
//!
//! Here each member may send [`BURST`] lines at once, and [`LINES_PER_SECOND`] after that: a
//! token bucket, which holds [`BURST`] tokens, gains [`LINES_PER_SECOND`] a second, and gives
//! one to every line read. Past its share, the member rests: nothing more of it is read for a
//! while (before it has a name, its own thread sleeps). The member loses nothing: its lines
//! wait in the sockets, and TCP makes it wait in turn. Nobody else waits for it.
//!
//! Waiting has a price: what the member has already sent waits too, in its own socket buffer and
//! in the server's, and keeps coming at the member's pace even after it has gone (a flooder's
//! last four megabytes, under `bench --flood`, would take half a minute). So a member that stays
//! past its share for [`PATIENCE`] is dropped: the room stops reading it, and what it sent is
//! thrown away with its connection. The share counts lines, and a line past lab 03's limit
//! (`LINE_LIMIT`) counts once more for every `LINE_LIMIT` bytes past it (see the meter
//! module), so that a line that never ends is read at a pace too.

use std::time::{Duration, Instant};

/// How many lines a member may send at once before it is read more slowly. The busiest member
/// of the bench chapter's rows sends 1,000 at once.
pub const BURST: u32 = 2_000;

/// How many lines a second a member may send, on average, once it has used its burst.
pub const LINES_PER_SECOND: u32 = 2_000;

/// How many lines past its share a member may get before it rests. Resting then lasts as long
/// as these lines take at the member's pace, and the lines read meanwhile go to the room
/// together: one rest, and one queueing, for every 20 lines rather than for every line.
pub const SLACK: u32 = 20;

/// How long a member may send past its share before it is dropped with [`SENT_TOO_FAST`].
pub const PATIENCE: Duration = Duration::from_secs(10);

/// How much of its share a member must have saved to count as within it again: a quarter of a
/// second's worth of lines (500 at [`LINES_PER_SECOND`]), or its whole burst if that is less. A
/// flooder that waits as told earns a few lines whenever a wait lasts longer than asked, and a
/// wait can last much longer: the reading thread may wake late on a busy machine, or wait in
/// `Room::say` for a slow member (up to `outbox::STALL`, 150 ms, for one that takes nothing).
pub const WITHIN_AGAIN: Duration = Duration::from_millis(250);

/// A member's share: the server's is [`FAIR`]; a test may give a smaller one, to see a member
/// dropped in a second rather than in ten.
#[derive(Clone, Copy)]
pub struct Share {
    /// Lines at once.
    pub burst: u32,
    /// Lines a second, once the burst is used.
    pub per_second: u32,
    /// How long a member may stay past its share before it is dropped.
    pub patience: Duration,
}

/// Every member's share in `lab05 server`.
pub const FAIR: Share = Share {
    burst: BURST,
    per_second: LINES_PER_SECOND,
    patience: PATIENCE,
};

/// Why a member was dropped, in its last line and the log: lab 05's own reason, beside lab 03's
/// (`lab03::protocol`).
pub const SENT_TOO_FAST: &str = "sent more lines than its share for too long";

/// What comes after a line (see [`Pace::take_line`]).
#[derive(Debug, PartialEq)]
pub enum Next {
    /// Reads on.
    ReadOn,
    /// Nothing more of the member is read for this long: it is past its share.
    Wait(Duration),
    /// Stops: the member has been past its share for its patience ([`PATIENCE`]).
    Exceeded,
}

/// What is left of one member's share.
pub struct Pace {
    share: Share,
    /// Lines the member may still send at once; below zero, the lines it is past its share.
    tokens: f64,
    /// When `tokens` was last refilled.
    since: Instant,
    /// Since when the member has had less than [`WITHIN_AGAIN`]'s worth of lines saved at
    /// every line: it sends at its pace or faster.
    past_share_since: Option<Instant>,
}

impl Pace {
    /// A full `share`, at `now`.
    pub fn new(share: Share, now: Instant) -> Pace {
        Pace {
            share,
            tokens: f64::from(share.burst),
            since: now,
            past_share_since: None,
        }
    }

    /// Counts one line, read at `now`, and says what comes next.
    pub fn take_line(&mut self, now: Instant) -> Next {
        let rate = f64::from(self.share.per_second);
        let earned = now.saturating_duration_since(self.since).as_secs_f64() * rate;
        self.tokens = (self.tokens + earned).min(f64::from(self.share.burst));
        self.since = now;
        // A full bucket is within its share, however small the burst.
        let within = (WITHIN_AGAIN.as_secs_f64() * rate).min(f64::from(self.share.burst));
        if self.tokens >= within {
            self.past_share_since = None;
        } else if *self.past_share_since.get_or_insert(now) + self.share.patience <= now {
            return Next::Exceeded;
        }
        self.tokens -= 1.0;
        if self.tokens >= -f64::from(SLACK) {
            Next::ReadOn
        } else {
            Next::Wait(Duration::from_secs_f64(-self.tokens / rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the reader is told for `lines` lines sent at once.
    fn at_once(pace: &mut Pace, now: Instant, lines: u32) -> Vec<Next> {
        (0..lines).map(|_| pace.take_line(now)).collect()
    }

    /// A member of the fair share that has just sent `lines` lines at once, and when it began.
    fn after_sending(lines: u32) -> (Instant, Pace) {
        let start = Instant::now();
        let mut pace = Pace::new(FAIR, start);
        at_once(&mut pace, start, lines);
        (start, pace)
    }

    fn seconds(lines: u32) -> f64 {
        f64::from(lines) / f64::from(LINES_PER_SECOND)
    }

    #[test]
    fn a_burst_and_the_slack_are_read_without_waiting() {
        let start = Instant::now();
        let mut pace = Pace::new(FAIR, start);
        let told = at_once(&mut pace, start, BURST + SLACK);
        assert!(told.iter().all(|next| *next == Next::ReadOn));
    }

    #[test]
    fn past_the_slack_each_line_waits_for_what_the_member_owes() {
        let (start, mut pace) = after_sending(BURST + SLACK);
        for past in 1..=10 {
            let Next::Wait(wait) = pace.take_line(start) else {
                panic!("line {past} past the slack did not wait");
            };
            let owed = seconds(SLACK + past);
            assert!((wait.as_secs_f64() - owed).abs() < 1e-9, "{past}: {wait:?}");
        }
    }

    #[test]
    fn a_reader_that_waits_as_told_reads_the_slack_between_waits() {
        let (start, mut pace) = after_sending(BURST + SLACK);
        let mut now = start;
        let mut waits = 0;
        for _ in 0..10 * SLACK {
            if let Next::Wait(wait) = pace.take_line(now) {
                assert!(wait.as_secs_f64() <= seconds(SLACK + 1) + 1e-9, "{wait:?}");
                now += wait;
                waits += 1;
            }
        }
        // One wait for every SLACK lines or so, not one for every line.
        assert!((9..=11).contains(&waits), "{waits} waits");
    }

    #[test]
    fn a_quiet_member_earns_its_burst_back_and_no_more() {
        let (start, mut pace) = after_sending(BURST + SLACK);
        let later = start + Duration::from_secs(10);
        let told = at_once(&mut pace, later, BURST + SLACK);
        assert!(
            told.iter().all(|next| *next == Next::ReadOn),
            "the burst is back"
        );
        assert!(
            pace.take_line(later) != Next::ReadOn,
            "but not more than the burst"
        );
    }

    #[test]
    fn a_member_past_its_share_for_the_whole_patience_is_dropped() {
        let (start, mut pace) = after_sending(BURST);
        // Then as fast as it is let: read on, or wait as told, until PATIENCE has passed. As a
        // real reader's, each wait lasts a millisecond longer than asked, and every 50th wait
        // 100 ms longer (a busy machine, a slow member in the room).
        let mut now = start;
        let (mut waits, mut lines) = (0, 0);
        let mut told = pace.take_line(now);
        while now < start + PATIENCE {
            assert_ne!(told, Next::Exceeded, "dropped at {:?}", now - start);
            if let Next::Wait(wait) = told {
                waits += 1;
                let late = if waits % 50 == 0 { 100 } else { 1 };
                now += wait + Duration::from_millis(late);
            }
            told = pace.take_line(now);
            lines += 1;
            assert!(lines < 1_000_000, "{lines} lines and still no drop");
        }
        assert_eq!(told, Next::Exceeded);
    }

    #[test]
    fn with_a_burst_smaller_than_a_quarter_second_a_quiet_member_is_not_dropped() {
        let share = Share {
            burst: 20,
            per_second: 200,
            patience: Duration::from_millis(300),
        };
        let start = Instant::now();
        let mut pace = Pace::new(share, start);
        // A line now and then, for far longer than the patience.
        for second in 1..=10 {
            let now = start + Duration::from_secs(second);
            assert_eq!(pace.take_line(now), Next::ReadOn, "at {second} s");
        }
    }

    #[test]
    fn a_member_that_slows_down_to_its_share_is_not_dropped() {
        let (start, mut pace) = after_sending(BURST);
        // Half its pace for twice the patience: it saves a token between lines.
        let mut now = start;
        while now < start + 2 * PATIENCE {
            now += Duration::from_secs_f64(2.0 / f64::from(LINES_PER_SECOND));
            assert_ne!(pace.take_line(now), Next::Exceeded);
        }
    }
}
