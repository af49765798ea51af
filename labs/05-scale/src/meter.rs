//! A line that never ends, counted against its member's share.
//!
//! The pace module counts lines as they are read, whole. Lab 03's `LineReader` reads a
//! line longer than its limit (`LINE_LIMIT`, 8 KiB) and throws it away as it comes, up to its
//! end: a client that sends bytes and never a newline is never counted. Measured before this
//! module, one client that sent `a` without end for 5 s had 7.1 GB read and thrown away, and
//! the server spent 4.99 s of processor time on it, a whole core, without ever dropping it.
//!
//! [`Metered`] sits between the socket and the `LineReader` that reads a connection's name, and
//! counts what the line reader cannot see; once the member has joined, the reader module counts
//! the same with this module's [`Length`]. A line may hold [`LINE_LIMIT`] bytes and a carriage
//! return before its newline (lab 03's rule); every [`LINE_LIMIT`] bytes past that, or part of
//! them, count as one more line against the member's share, as they arrive. A line within the
//! limit costs nothing here: it is counted once it is read. A line that never ends is read at
//! the member's pace, [`LINE_LIMIT`] bytes a line, and its member is dropped as any member past
//! its share for its patience, with the same reason (`pace::SENT_TOO_FAST`).

use std::cell::RefCell;
use std::error::Error;
use std::fmt;
use std::io::{self, Read};
use std::thread;
use std::time::Instant;

use lab03::framing::LINE_LIMIT;

use crate::pace::{Next, Pace, SENT_TOO_FAST};

/// The socket of one connection while it chooses its name, read through its share. The pace is
/// shared with `handle`, which counts whole lines; both run on the connection's thread, one at a
/// time.
pub struct Metered<'a, R> {
    input: R,
    pace: &'a RefCell<Pace>,
    line: Length,
}

impl<'a, R: Read> Metered<'a, R> {
    pub fn new(input: R, pace: &'a RefCell<Pace>) -> Self {
        Metered {
            input,
            pace,
            line: Length::default(),
        }
    }
}

impl<R: Read> Read for Metered<'_, R> {
    /// Reads what the socket has, then counts what it cost, and waits as the pace says:
    /// what was read is handed on after the wait.
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.input.read(buffer)?;
        for _ in 0..self.line.add(&buffer[..read]) {
            // The pace is borrowed only to ask it: `handle` borrows it between reads.
            let next = self.pace.borrow_mut().take_line(Instant::now());
            match next {
                Next::ReadOn => {}
                Next::Wait(wait) => thread::sleep(wait),
                Next::Exceeded => return Err(io::Error::other(PastShare)),
            }
        }
        Ok(read)
    }
}

/// Whether `error` (from reading a [`Metered`] socket) says the member stayed past its share
/// for its patience while it sent one line.
pub fn is_past_share(error: &io::Error) -> bool {
    error.get_ref().is_some_and(|inner| inner.is::<PastShare>())
}

/// The error a [`Metered`] socket's read returns once its member is to be dropped.
#[derive(Debug)]
struct PastShare;

impl fmt::Display for PastShare {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str(SENT_TOO_FAST)
    }
}

impl Error for PastShare {}

/// What a line may hold before its newline and cost nothing here: [`LINE_LIMIT`] bytes and a
/// carriage return, as lab 03's `LineReader` allows.
const ALLOWED: usize = LINE_LIMIT + 1;

/// How long the line being read is so far. (The reader module counts with one too.)
#[derive(Default)]
pub struct Length {
    bytes: usize,
}

impl Length {
    /// Takes the next bytes read and returns how many lines more they cost. A newline ends the
    /// line being read, its bytes before it counted; the next line starts from nothing.
    pub fn add(&mut self, bytes: &[u8]) -> usize {
        let mut more = 0;
        let mut pieces = bytes.split(|&byte| byte == b'\n').peekable();
        while let Some(piece) = pieces.next() {
            let longer = self.bytes + piece.len();
            more += cost(longer) - cost(self.bytes);
            // Every piece but the last is followed by a newline.
            self.bytes = if pieces.peek().is_some() { 0 } else { longer };
        }
        more
    }
}

/// What a line of `bytes` bytes (so far) costs here, in lines.
fn cost(bytes: usize) -> usize {
    bytes.saturating_sub(ALLOWED).div_ceil(LINE_LIMIT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pace::{SLACK, Share};
    use lab03::framing::LineReader;
    use std::cell::Cell;
    use std::time::Duration;

    /// What a line of `length` bytes costs here, its bytes handed over `step` at a time.
    fn cost_cut_every(step: usize, length: usize) -> usize {
        let line = vec![b'a'; length];
        let mut counted = Length::default();
        line.chunks(step).map(|piece| counted.add(piece)).sum()
    }

    #[test]
    fn a_line_costs_one_more_for_every_limit_past_its_first_however_it_is_cut() {
        for step in [1, 7, 1000, 4096, LINE_LIMIT, 3 * LINE_LIMIT + 5] {
            assert_eq!(cost_cut_every(step, 10), 0);
            assert_eq!(
                cost_cut_every(step, LINE_LIMIT + 1),
                0,
                "a line at the limit, and its CR"
            );
            assert_eq!(
                cost_cut_every(step, LINE_LIMIT + 2),
                1,
                "one byte past them"
            );
            assert_eq!(cost_cut_every(step, 2 * LINE_LIMIT + 1), 1);
            assert_eq!(
                cost_cut_every(step, 3 * LINE_LIMIT + 2),
                3,
                "cut every {step} bytes"
            );
        }
    }

    #[test]
    fn a_line_that_ends_in_a_read_is_counted_up_to_its_newline() {
        // 2 * LINE_LIMIT bytes and a newline, cut anywhere: the line costs 1, the next nothing.
        let mut line = vec![b'a'; 2 * LINE_LIMIT];
        line.extend_from_slice(b"\nnext\n");
        for step in [1, 7, 4096, LINE_LIMIT, line.len()] {
            let mut counted = Length::default();
            let total: usize = line.chunks(step).map(|piece| counted.add(piece)).sum();
            assert_eq!(total, 1, "cut every {step} bytes");
        }
        // A carriage return split from its newline costs nothing.
        let mut counted = Length::default();
        assert_eq!(counted.add(&vec![b'a'; LINE_LIMIT]), 0);
        assert_eq!(counted.add(b"\r") + counted.add(b"\n"), 0);
    }

    #[test]
    fn a_newline_starts_the_count_again() {
        let mut counted = Length::default();
        assert_eq!(counted.add(&vec![b'a'; 2 * LINE_LIMIT]), 1);
        let mut next = b"end\n".to_vec();
        next.extend(vec![b'b'; ALLOWED]);
        // "end" takes the first line 2 bytes past its second LINE_LIMIT: one more; the new
        // line is within the limit.
        assert_eq!(counted.add(&next), 1);
        assert_eq!(counted.add(b"b"), 1, "and now one byte past it");
        // Many short lines in one read cost nothing.
        assert_eq!(counted.add(&b"hi\n".repeat(10_000)), 0);
    }

    /// A client that sends `a` and never a newline: up to `most` bytes (then it is gone), so
    /// that a line reader that is not held back ends with a cut line instead of running on.
    struct Endless<'a> {
        sent: &'a Cell<usize>,
        most: usize,
    }

    impl Read for Endless<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            let read = buffer.len().min(self.most - self.sent.get());
            buffer[..read].fill(b'a');
            self.sent.set(self.sent.get() + read);
            Ok(read)
        }
    }

    #[test]
    fn a_line_that_never_ends_is_read_at_its_pace_until_its_member_is_dropped() {
        let share = Share {
            burst: 10,
            per_second: 200,
            patience: Duration::from_millis(200),
        };
        let sent = Cell::new(0);
        let started = Instant::now();
        let pace = RefCell::new(Pace::new(share, started));
        // Enough for a second past the patience at the share's pace, and then the client is
        // gone: a meter that paces without ever dropping fails in about 1.2 s.
        let endless = Endless {
            sent: &sent,
            most: (10 + 200 * 6 / 5 + SLACK as usize) * LINE_LIMIT,
        };
        let mut lines = LineReader::new(Metered::new(endless, &pace), LINE_LIMIT);
        let error = lines.read_line().expect_err("a line that never ends");
        let took = started.elapsed();
        assert!(is_past_share(&error), "{error}");
        assert_eq!(error.to_string(), SENT_TOO_FAST);
        // Read at its pace meanwhile: its burst, what it earned in that time, and the slack
        // before a wait.
        let lines_read =
            share.burst as usize + 200 * took.as_millis() as usize / 1000 + SLACK as usize + 2;
        assert!(
            sent.get() <= lines_read * LINE_LIMIT,
            "{} bytes read in {took:?}",
            sent.get()
        );
        let other = io::Error::other("something else");
        assert!(!is_past_share(&other));
    }
}
