//! Where a message ends: the delimiter that answers the echo protocol's open question.
//!
//! `recv(1024)` in the documents returns whatever bytes have arrived, which may be half a
//! message or two of them: TCP keeps the bytes in order but not the boundaries between the
//! `send` calls. So the sender marks the end ([`write`] adds a zero byte) and the receiver reads
//! until it sees that mark ([`read`]), however the bytes were cut on the way.

use std::io::{self, BufRead, Write};

/// The byte that ends every message.
pub const END: u8 = 0;

/// The longest message accepted, in bytes. A limit means a client cannot make the other side
/// hold an endless message in memory.
pub const LIMIT: usize = 1024 * 1024;

/// What [`read`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Read {
    /// A whole message, without its delimiter.
    Message(Vec<u8>),
    /// The other side closed the connection before the delimiter; holds what had arrived.
    Unfinished(Vec<u8>),
    /// More than [`LIMIT`] bytes arrived without a delimiter.
    TooLong,
}

/// Reads one message: the bytes up to the next zero byte.
// course: cut | read bytes up to the zero byte END, never more than LIMIT: a Message without its delimiter, Unfinished if the stream ends first, TooLong past the limit | guide/src/lab01-echo.md#the-answer-a-delimiter
pub fn read(reader: &mut impl BufRead) -> io::Result<Read> {
    let mut message = Vec::new();
    // `take` stops the read one byte past the limit, so memory stays bounded whatever is sent.
    let read = io::Read::take(&mut *reader, LIMIT as u64 + 1).read_until(END, &mut message)?;
    if message.last() == Some(&END) {
        message.pop();
        return Ok(Read::Message(message));
    }
    if read > LIMIT {
        return Ok(Read::TooLong);
    }
    Ok(Read::Unfinished(message))
}

/// Writes one message followed by its delimiter.
pub fn write(writer: &mut impl Write, message: &[u8]) -> io::Result<()> {
    writer.write_all(message)?;
    writer.write_all(&[END])?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_delimiter_and_leaves_the_rest() {
        let mut stream: &[u8] = b"hello\0world\0";
        assert_eq!(read(&mut stream).unwrap(), Read::Message(b"hello".to_vec()));
        assert_eq!(read(&mut stream).unwrap(), Read::Message(b"world".to_vec()));
    }

    #[test]
    fn a_missing_delimiter_is_unfinished() {
        let mut stream: &[u8] = b"half a mess";
        assert_eq!(
            read(&mut stream).unwrap(),
            Read::Unfinished(b"half a mess".to_vec())
        );
    }

    #[test]
    fn an_endless_message_is_too_long() {
        let endless = vec![b'x'; LIMIT + 10];
        assert_eq!(read(&mut endless.as_slice()).unwrap(), Read::TooLong);
    }

    #[test]
    fn the_longest_message_fits() {
        let mut longest = vec![b'x'; LIMIT];
        longest.push(END);
        assert!(
            matches!(read(&mut longest.as_slice()).unwrap(), Read::Message(m) if m.len() == LIMIT)
        );
    }

    #[test]
    fn write_adds_the_delimiter() {
        let mut sent = Vec::new();
        write(&mut sent, "مرحبا".as_bytes()).unwrap();
        assert_eq!(sent.last(), Some(&END));
        assert_eq!(&sent[..sent.len() - 1], "مرحبا".as_bytes());
    }
}
