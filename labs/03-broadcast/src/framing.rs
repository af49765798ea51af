//! Framing: where one message ends and the next begins.
//!
//! The documents call `client.recv(1024)` and take whatever comes back as one message. TCP is a
//! stream of bytes, not of messages: a long message arrives in several pieces, two quick ones
//! arrive glued together, and a piece can end in the middle of a multi-byte Arabic letter, which
//! then fails to decode. Here every message is one line ending in `\n`, and [`LineReader`] returns
//! whole lines however the bytes were cut on the way.
//!
//! A line is also capped ([`LINE_LIMIT`]). Without a cap one client could send a "line" of a
//! gigabyte and the server would try to hold it all. The reader keeps at most the cap (plus its
//! read buffer) in memory: the rest of an over-long line is thrown away as it streams in, and the
//! caller is told the line was too long, so the connection stays usable for the next line.

use std::io::{self, BufRead, BufReader, Read};

/// The longest line a member may send, in bytes, not counting the line end.
pub const LINE_LIMIT: usize = 8192;

/// What one line turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A whole line of UTF-8 text, without its `\n` (or `\r\n`).
    Text(String),
    /// A line longer than the limit; its bytes were discarded.
    TooLong,
    /// A line that is not valid UTF-8; its bytes were discarded.
    NotUtf8,
}

/// Reads lines of at most `limit` bytes from a byte stream.
pub struct LineReader<R> {
    input: BufReader<R>,
    limit: usize,
    line: Vec<u8>,
}

impl<R: Read> LineReader<R> {
    pub fn new(input: R, limit: usize) -> Self {
        LineReader {
            input: BufReader::with_capacity(4096, input),
            limit,
            line: Vec::new(),
        }
    }

    /// Whether a whole line is already buffered, so that the next [`LineReader::read_line`]
    /// returns without waiting for the network.
    pub fn has_whole_line(&self) -> bool {
        self.input.buffer().contains(&b'\n')
    }

    /// What has been read past the last line returned: the start of the lines to come. (Lab
    /// 05 reads a member's name with a `LineReader`, then hands its socket, and these bytes, to
    /// a thread that reads many sockets.)
    pub fn buffered(&self) -> &[u8] {
        self.input.buffer()
    }

    /// The next line; `None` when the other side has closed the connection after a whole line.
    /// A last line without its `\n` is not a line: the sender may have been killed halfway
    /// through it (`I will pay 1000` of `I will pay 10000 tomorrow`). Its bytes are dropped and
    /// the error is [`io::ErrorKind::UnexpectedEof`] (see [`is_cut`]).
    // course: cut | clear the line, then fill_buf and copy the bytes up to the line end, keeping at most limit + 1 of them (past that, forget them and skip to the line end); None if the stream ends before any byte, UnexpectedEof if it ends inside a line; drop a trailing CR and return TooLong, NotUtf8 or the Text | guide/src/lab03-broadcast.md#defect-1-one-recv1024-is-taken-as-one-message
    pub fn read_line(&mut self) -> io::Result<Option<Line>> {
        self.line.clear();
        // One byte over the limit is allowed while reading: it may be the `\r` of a `\r\n`.
        let room = self.limit + 1;
        let mut too_long = false;
        let mut read_anything = false;
        loop {
            let available = match self.input.fill_buf() {
                Ok(bytes) => bytes,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            if available.is_empty() {
                // End of stream: the other side closed its end.
                if !read_anything {
                    return Ok(None);
                }
                self.line.clear();
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the connection ended in the middle of a line",
                ));
            }
            read_anything = true;
            let end = available.iter().position(|&byte| byte == b'\n');
            let piece = &available[..end.unwrap_or(available.len())];
            if !too_long && self.line.len() + piece.len() <= room {
                self.line.extend_from_slice(piece);
            } else {
                // Over the cap: forget what was kept and skip the rest of this line.
                too_long = true;
                self.line.clear();
            }
            let used = piece.len() + usize::from(end.is_some());
            self.input.consume(used);
            if end.is_some() {
                break;
            }
        }
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        if too_long || self.line.len() > self.limit {
            return Ok(Some(Line::TooLong));
        }
        match String::from_utf8(std::mem::take(&mut self.line)) {
            Ok(text) => Ok(Some(Line::Text(text))),
            Err(_) => Ok(Some(Line::NotUtf8)),
        }
    }
}

/// Whether `error` (from [`LineReader::read_line`]) says the connection ended in the middle of a
/// line, whose bytes were dropped.
pub fn is_cut(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::UnexpectedEof
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream that hands out its bytes a few at a time, like a network that cuts them up.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn lines(bytes: &[u8], step: usize, limit: usize) -> Vec<Line> {
        let mut reader = LineReader::new(Trickle { bytes, step }, limit);
        let mut lines = Vec::new();
        loop {
            match reader.read_line() {
                Ok(Some(line)) => lines.push(line),
                Ok(None) => return lines,
                Err(error) if is_cut(&error) => {
                    lines.push(text("[cut]"));
                    return lines;
                }
                Err(error) => panic!("{error}"),
            }
        }
    }

    fn text(s: &str) -> Line {
        Line::Text(s.to_string())
    }

    #[test]
    fn lines_come_out_whole_however_the_bytes_are_cut() {
        let input = "hello\r\nسلام عليكم\nlast".as_bytes();
        for step in [1, 2, 3, 7, 1000] {
            assert_eq!(
                lines(input, step, 100),
                [text("hello"), text("سلام عليكم"), text("[cut]")]
            );
        }
    }

    #[test]
    fn a_line_of_exactly_the_limit_passes_even_with_a_carriage_return() {
        let input = format!("{}\r\n{}\n", "a".repeat(10), "b".repeat(11));
        assert_eq!(
            lines(input.as_bytes(), 4, 10),
            [text(&"a".repeat(10)), Line::TooLong]
        );
    }

    #[test]
    fn an_over_long_line_is_refused_and_the_next_one_still_arrives() {
        let input = format!("{}\nnext\n", "x".repeat(100_000));
        assert_eq!(
            lines(input.as_bytes(), 4096, LINE_LIMIT),
            [Line::TooLong, text("next")]
        );
    }

    #[test]
    fn memory_stays_bounded_while_an_over_long_line_streams_in() {
        let input = "x".repeat(1_000_000) + "\n";
        let mut reader = LineReader::new(input.as_bytes(), 1000);
        assert_eq!(reader.read_line().unwrap(), Some(Line::TooLong));
        assert!(
            reader.line.capacity() <= 2 * 1001,
            "{}",
            reader.line.capacity()
        );
    }

    #[test]
    fn invalid_utf8_is_reported_and_skipped() {
        assert_eq!(
            lines(b"ok\n\xff\xfe\nok again\n", 1, 100),
            [text("ok"), Line::NotUtf8, text("ok again")]
        );
    }

    #[test]
    fn a_buffered_whole_line_is_seen_before_it_is_read() {
        let mut reader = LineReader::new(&b"one\ntwo\nthr"[..], 100);
        assert!(
            !reader.has_whole_line(),
            "nothing is read before the first line"
        );
        assert_eq!(reader.read_line().unwrap(), Some(text("one")));
        assert!(reader.has_whole_line());
        assert_eq!(reader.read_line().unwrap(), Some(text("two")));
        assert!(
            !reader.has_whole_line(),
            "only part of the third line is here"
        );
    }

    #[test]
    fn what_was_read_past_a_line_can_be_handed_on() {
        let mut reader = LineReader::new(&b"alice\nhello\nhow are"[..], 100);
        assert_eq!(reader.read_line().unwrap(), Some(text("alice")));
        assert_eq!(reader.buffered(), b"hello\nhow are");
    }

    #[test]
    fn an_unfinished_last_line_is_cut_not_returned() {
        assert_eq!(
            lines(b"I will pay 10\nI will pay 1000", 3, 100),
            [text("I will pay 10"), text("[cut]")]
        );
        assert_eq!(lines(b"whole\n", 3, 100), [text("whole")]);
    }

    #[test]
    fn empty_lines_are_lines() {
        assert_eq!(lines(b"\n\r\n", 1, 100), [text(""), text("")]);
    }
}
