//! A member's bytes cut into lines as they arrive, by lab 03's rules.
//!
//! Lab 03's `LineReader` pulls: `read_line` reads the socket until a line is whole, waiting for
//! the network meanwhile. The reading thread of this stage (see the reader module) reads every
//! member's socket and must never wait for one, so it cuts what a read brought itself: each
//! call of [`LineSplitter::next_line`] takes the next line off the front of the bytes, and
//! once they hold no more newline, keeps their last bytes, the start of a line, for the next
//! read. Lines are cut one at a time, as the member's pace lets them be read: the bytes not
//! cut yet stay bytes, and nothing is made of them before their turn. The rules are
//! `LineReader`'s, and a test checks that both give the same lines however the bytes are cut:
//! a line holds at most `LINE_LIMIT` bytes and a carriage return before its newline; the rest
//! of a longer line is thrown away as it arrives (`Line::TooLong`), so a member's unfinished
//! line takes at most one limit here; a line that is not UTF-8 is `Line::NotUtf8`.

use lab03::framing::{LINE_LIMIT, Line};

/// The start of one member's next line, until its newline arrives.
#[derive(Default)]
pub struct LineSplitter {
    /// The line being received, while it fits in a line.
    line: Vec<u8>,
    /// Whether the line being received has gone past what a line holds: its bytes are thrown
    /// away up to its newline.
    too_long: bool,
}

impl LineSplitter {
    /// Cuts the next whole line off the front of `bytes`, and moves `bytes` past it. None once
    /// `bytes` holds no newline: what is left of them, the start of a line, is kept here and
    /// `bytes` is empty.
    pub fn next_line(&mut self, bytes: &mut &[u8]) -> Option<Line> {
        let end = bytes.iter().position(|&byte| byte == b'\n');
        let piece = &bytes[..end.unwrap_or(bytes.len())];
        if !self.too_long && self.line.len() + piece.len() <= LINE_LIMIT + 1 {
            self.line.extend_from_slice(piece);
        } else {
            self.too_long = true;
            self.line = Vec::new();
        }
        let Some(end) = end else {
            *bytes = &[];
            return None;
        };
        *bytes = &bytes[end + 1..];
        Some(self.finish_line())
    }

    /// Whether part of a line has arrived without its end: the connection ending now cuts it.
    pub fn is_unfinished(&self) -> bool {
        !self.line.is_empty() || self.too_long
    }

    /// A newline arrived: the line received so far is a whole one.
    fn finish_line(&mut self) -> Line {
        let mut line = std::mem::take(&mut self.line);
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if std::mem::take(&mut self.too_long) || line.len() > LINE_LIMIT {
            return Line::TooLong;
        }
        match String::from_utf8(line) {
            Ok(text) => Line::Text(text),
            Err(_) => Line::NotUtf8,
        }
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

    /// What a splitter makes of `bytes` arriving `step` bytes at a time, and whether a line is
    /// left unfinished.
    fn split(bytes: &[u8], step: usize) -> (Vec<Line>, bool) {
        let mut splitter = LineSplitter::default();
        let mut lines = Vec::new();
        for mut piece in bytes.chunks(step) {
            while let Some(line) = splitter.next_line(&mut piece) {
                lines.push(line);
            }
        }
        (lines, splitter.is_unfinished())
    }

    /// Lines at, around and far past the limit, with and without a carriage return, Arabic
    /// letters cut anywhere, bytes that are not UTF-8, empty lines, and `end` last.
    fn awkward_input(end: &[u8]) -> Vec<u8> {
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
        bytes.extend_from_slice(end);
        bytes
    }

    #[test]
    fn the_lines_are_lab03s_however_the_bytes_are_cut() {
        let too_long = vec![b'z'; 2 * LINE_LIMIT];
        for (end, cut) in [
            (&b""[..], false),
            ("آخر".as_bytes(), true),
            (&too_long[..], true),
        ] {
            let input = awkward_input(end);
            let (expected, lab03_cut) = read_by_lab03(&input);
            assert_eq!(lab03_cut, cut, "lab 03 and this test disagree on the end");
            for step in [1, 2, 3, 7, 1000, 4096, 8192, 8193, input.len()] {
                let (lines, unfinished) = split(&input, step);
                assert_eq!(lines, expected, "{step} bytes at a time");
                assert_eq!(unfinished, cut, "{step} bytes at a time");
            }
        }
    }

    #[test]
    fn the_bytes_after_a_line_are_left_for_the_next_call() {
        let mut splitter = LineSplitter::default();
        let mut bytes = &b"one\ntwo\nthr"[..];
        assert_eq!(
            splitter.next_line(&mut bytes),
            Some(Line::Text("one".into()))
        );
        assert_eq!(bytes, b"two\nthr", "only the first line is cut");
        assert_eq!(
            splitter.next_line(&mut bytes),
            Some(Line::Text("two".into()))
        );
        assert_eq!(splitter.next_line(&mut bytes), None);
        assert!(bytes.is_empty() && splitter.is_unfinished());
        let mut rest = &b"ee\n"[..];
        assert_eq!(
            splitter.next_line(&mut rest),
            Some(Line::Text("three".into()))
        );
        assert!(!splitter.is_unfinished());
    }
}
