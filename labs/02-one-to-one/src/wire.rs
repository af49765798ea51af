//! What travels on the wire, exactly as in document 000: nothing but the message's UTF-8 bytes.
//!
//! The documents' programs send `message.encode()` and receive with one `recv(1024)`, then
//! `decode()`. There is no delimiter and no length, so a message is "whatever one read returns".
//! This lab keeps that on purpose, so that it can talk to the documents' own programs and so
//! that the design's two defects can be seen (and are tested, see the guide):
//!
//! - a message longer than [`RECV_SIZE`] bytes is received in two turns;
//! - a character whose bytes straddle a read boundary is cut in two. Python's `decode()` raises
//!   an exception there; [`receive`] decodes lossily, so each half shows as U+FFFD (`�`).

use std::io::{self, Read, Write};

/// How much one receive may return: the documents' `recv(1024)`.
pub const RECV_SIZE: usize = 1024;

/// What a side sends when its user types `[e]`; the other side ends when it receives it.
pub const LEAVING: &str = "Left chat app!";

/// The result of one receive.
#[derive(Debug, PartialEq, Eq)]
pub enum Received {
    /// What one read returned, decoded as UTF-8 (a cut character becomes U+FFFD).
    Message(String),
    /// The read returned no bytes at all: the other side closed the connection.
    Closed,
}

/// Python's `recv(1024).decode()`: ONE read of at most [`RECV_SIZE`] bytes.
///
/// It deliberately does not loop until a message is complete: on this wire nothing says where
/// a message ends, so one read is all the documents' programs do, and all this lab does.
pub fn receive(stream: &mut impl Read) -> io::Result<Received> {
    let mut buffer = [0u8; RECV_SIZE];
    let count = loop {
        match stream.read(&mut buffer) {
            // A signal interrupted the wait; nothing was read, so wait again.
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            result => break result?,
        }
    };
    if count == 0 {
        return Ok(Received::Closed);
    }
    Ok(Received::Message(
        String::from_utf8_lossy(&buffer[..count]).into_owned(),
    ))
}

/// Python's `send(message.encode())`: the text's bytes, nothing added.
///
/// (`write_all` is Python's `sendall`: the documents' `send` may send only part of a long
/// message, which is a third defect this lab does not copy.)
pub fn send(stream: &mut impl Write, text: &str) -> io::Result<()> {
    stream.write_all(text.as_bytes())?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out its data in the pieces given, as TCP may.
    struct Pieces(Vec<Vec<u8>>);

    impl Read for Pieces {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            let Some(piece) = self.0.first_mut() else {
                return Ok(0);
            };
            let count = piece.len().min(buffer.len());
            buffer[..count].copy_from_slice(&piece[..count]);
            piece.drain(..count);
            if piece.is_empty() {
                self.0.remove(0);
            }
            Ok(count)
        }
    }

    #[test]
    fn one_receive_is_one_read() {
        let mut stream = Pieces(vec![b"Hi".to_vec(), b"How are you?".to_vec()]);
        assert_eq!(
            receive(&mut stream).unwrap(),
            Received::Message("Hi".into())
        );
        assert_eq!(
            receive(&mut stream).unwrap(),
            Received::Message("How are you?".into())
        );
        assert_eq!(receive(&mut stream).unwrap(), Received::Closed);
    }

    #[test]
    fn a_long_message_takes_two_receives() {
        let long = "x".repeat(1500);
        let mut stream = Pieces(vec![long.into_bytes()]);
        assert_eq!(
            receive(&mut stream).unwrap(),
            Received::Message("x".repeat(1024))
        );
        assert_eq!(
            receive(&mut stream).unwrap(),
            Received::Message("x".repeat(476))
        );
    }

    #[test]
    fn a_cut_character_becomes_two_replacement_characters() {
        // "م" is two bytes in UTF-8; the first is byte 1024, the second byte 1025.
        let message = format!("{}مرحبا", "x".repeat(1023));
        let mut stream = Pieces(vec![message.into_bytes()]);
        let Received::Message(first) = receive(&mut stream).unwrap() else {
            panic!("expected a message");
        };
        assert!(first.ends_with("x\u{FFFD}"), "{first:?}");
        assert_eq!(
            receive(&mut stream).unwrap(),
            Received::Message("\u{FFFD}رحبا".into())
        );
    }

    #[test]
    fn send_adds_nothing() {
        let mut sent = Vec::new();
        send(&mut sent, "Hi Deemah").unwrap();
        assert_eq!(sent, b"Hi Deemah");
    }
}
