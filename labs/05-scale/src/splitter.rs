//! A member's bytes cut into lines as they arrive, by lab 03's rules.
//!
//! Lab 03's `LineReader` pulls: `read_line` reads the socket until a line is whole, waiting for
//! the network meanwhile. The reading thread of this stage (see the reader module) reads every
//! member's socket and must never wait for one, so it pushes instead: whatever a socket holds is
//! handed to that member's [`LineSplitter`], which returns the lines it completed and keeps the
//! unfinished end for next time. The rules are `LineReader`'s, and a test checks that both give
//! the same lines however the bytes are cut: a line holds at most `LINE_LIMIT` bytes and a
//! carriage return before its newline; the rest of a longer line is thrown away as it arrives
//! (`Line::TooLong`), so a member holds at most one limit of unfinished line here; a line that
//! is not UTF-8 is `Line::NotUtf8`.
//!
//! It also counts, as the bytes arrive, what a line past the limit costs against the member's
//! share (see the meter module): the meter's rule, with the meter's own counter.

use std::collections::VecDeque;

use lab03::framing::{LINE_LIMIT, Line};

use crate::meter::Length;

/// One member's unfinished line, and the whole lines it has not handed out yet.
#[derive(Default)]
pub struct LineSplitter {
    /// Lines completed and not yet taken, in the order they arrived.
    whole: VecDeque<Line>,
    /// The line being received, while it fits in a line.
    line: Vec<u8>,
    /// Whether the line being received has gone past what a line holds: its bytes are thrown
    /// away up to its newline.
    too_long: bool,
    /// How long the line being received is, for the meter, however many bytes were kept.
    length: Length,
}

impl LineSplitter {
    /// Takes bytes that arrived, and returns how many lines more than their whole lines they
    /// cost against the member's share (the meter's count: 0 unless a line is past the limit).
    pub fn push(&mut self, bytes: &[u8]) -> usize {
        let mut cost = 0;
        let mut rest = bytes;
        loop {
            let end = rest.iter().position(|&byte| byte == b'\n');
            let piece = &rest[..end.unwrap_or(rest.len())];
            cost += self.length.piece(piece.len(), end.is_some());
            if !self.too_long && self.line.len() + piece.len() <= LINE_LIMIT + 1 {
                self.line.extend_from_slice(piece);
            } else {
                self.too_long = true;
                self.line.clear();
            }
            let Some(end) = end else { return cost };
            self.finish_line();
            rest = &rest[end + 1..];
        }
    }

    /// The next whole line, in the order they arrived.
    pub fn next_line(&mut self) -> Option<Line> {
        self.whole.pop_front()
    }

    /// Whether part of a line has arrived without its end: the connection ending now cuts it.
    pub fn is_unfinished(&self) -> bool {
        !self.line.is_empty() || self.too_long
    }

    /// A newline arrived: the line received so far becomes a whole one.
    fn finish_line(&mut self) {
        let mut line = std::mem::take(&mut self.line);
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        let whole = if std::mem::take(&mut self.too_long) || line.len() > LINE_LIMIT {
            Line::TooLong
        } else {
            match String::from_utf8(line) {
                Ok(text) => Line::Text(text),
                Err(_) => Line::NotUtf8,
            }
        };
        self.whole.push_back(whole);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lab03::framing::{LineReader, is_cut};

    /// What lab 03's `LineReader` makes of `bytes`: its lines, and whether the last was cut.
    fn read_by_lab03(bytes: &[u8]) -> (Vec<Line>, bool) {
        let mut reader = LineReader::new(bytes, LINE_LIMIT);
        let mut lines = Vec::new();
        loop {
            match reader.read_line() {
                Ok(Some(line)) => lines.push(line),
                Ok(None) => return (lines, false),
                Err(error) if is_cut(&error) => return (lines, true),
                Err(error) => panic!("{error}"),
            }
        }
    }

    /// What a splitter makes of `bytes` pushed `step` bytes at a time, and what they cost.
    fn split(bytes: &[u8], step: usize) -> (Vec<Line>, bool, usize) {
        let mut splitter = LineSplitter::default();
        let mut lines = Vec::new();
        let mut cost = 0;
        for piece in bytes.chunks(step) {
            cost += splitter.push(piece);
            lines.extend(std::iter::from_fn(|| splitter.next_line()));
        }
        (lines, splitter.is_unfinished(), cost)
    }

    /// Lines at, around and far past the limit, with and without a carriage return, Arabic
    /// letters cut anywhere, bytes that are not UTF-8, empty lines, and an unfinished end.
    fn awkward_input() -> Vec<u8> {
        let mut bytes = Vec::new();
        bytes.extend_from_slice("hello\r\nسلام عليكم\n\n\r\n".as_bytes());
        for length in [
            LINE_LIMIT - 1,
            LINE_LIMIT,
            LINE_LIMIT + 1,
            3 * LINE_LIMIT + 5,
        ] {
            bytes.extend(std::iter::repeat_n(b'a', length));
            bytes.push(b'\n');
            bytes.extend(std::iter::repeat_n(b'b', length));
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"bad \xff\xfe bytes\nok again\n");
        bytes.extend_from_slice("آخر".as_bytes());
        bytes
    }

    #[test]
    fn the_lines_are_lab03s_however_the_bytes_are_cut() {
        let input = awkward_input();
        let (expected, cut) = read_by_lab03(&input);
        assert!(cut, "the input ends in an unfinished line");
        for step in [1, 2, 3, 7, 1000, 4096, 8192, 8193, input.len()] {
            let (lines, unfinished, _) = split(&input, step);
            assert_eq!(lines, expected, "pushed {step} bytes at a time");
            assert!(unfinished, "pushed {step} bytes at a time");
        }
    }

    #[test]
    fn a_finished_input_leaves_nothing_unfinished() {
        let (lines, unfinished, cost) = split(b"one\r\ntwo\n", 1);
        assert_eq!(lines, [Line::Text("one".into()), Line::Text("two".into())]);
        assert!(!unfinished);
        assert_eq!(cost, 0);
    }

    #[test]
    fn a_line_past_the_limit_costs_what_the_meter_says_however_it_is_cut() {
        // The limit and a carriage return cost nothing; then one line for every limit or part.
        let allowed = LINE_LIMIT + 1;
        for (length, cost) in [
            (allowed, 0),
            (allowed + 1, 1),
            (allowed + LINE_LIMIT, 1),
            (allowed + LINE_LIMIT + 1, 2),
        ] {
            let mut input = vec![b'x'; length];
            input.extend_from_slice(b"\nshort\n");
            for step in [1, 7, 4096, input.len()] {
                assert_eq!(
                    split(&input, step).2,
                    cost,
                    "{length} bytes, {step} at a time"
                );
            }
        }
    }
}
