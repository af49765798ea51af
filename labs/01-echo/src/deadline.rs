//! A deadline for a client's whole session, not for each read.
//!
//! `set_read_timeout` bounds one read: a client that sends one byte every few seconds has
//! every read succeed in time, so a server that only sets it can be held for ever by a client
//! that never finishes its message (a "slowloris"). [`Deadline`] wraps the stream and, before
//! each read or write, sets the socket's timeout to what is left of the time the client was
//! given; once that is spent, the next read or write fails as timed out, whatever was sent.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A client's stream, with the moment by which its session must be over.
#[derive(Clone, Copy)]
pub struct Deadline<'a> {
    stream: &'a TcpStream,
    end: Instant,
}

impl<'a> Deadline<'a> {
    /// `stream`, which must be done with within `patience` from now.
    pub fn new(stream: &'a TcpStream, patience: Duration) -> Self {
        Deadline::at(stream, Instant::now() + patience)
    }

    /// `stream`, which must be done with by `end`.
    pub fn at(stream: &'a TcpStream, end: Instant) -> Self {
        Deadline { stream, end }
    }

    /// What is left of the time, or the error a timed-out read gives when nothing is.
    fn left(&self) -> io::Result<Duration> {
        match self.end.checked_duration_since(Instant::now()) {
            // The socket refuses a zero timeout (it would mean "no timeout"): zero is spent.
            Some(left) if !left.is_zero() => Ok(left),
            _ => Err(io::ErrorKind::TimedOut.into()),
        }
    }
}

impl Read for Deadline<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.stream.set_read_timeout(Some(self.left()?))?;
        (&mut &*self.stream).read(buffer)
    }
}

impl Write for Deadline<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.stream.set_write_timeout(Some(self.left()?))?;
        (&mut &*self.stream).write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&mut &*self.stream).flush()
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    /// A connected pair on loopback: (the client's end, the server's end).
    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn reads_before_the_deadline_get_the_bytes() {
        let (mut client, server) = pair();
        client.write_all(b"hi").unwrap();
        let mut buffer = [0u8; 2];
        Deadline::new(&server, Duration::from_secs(5))
            .read_exact(&mut buffer)
            .unwrap();
        assert_eq!(&buffer, b"hi");
    }

    #[test]
    fn a_spent_deadline_fails_the_read_even_with_bytes_waiting() {
        // A per-read timeout would return these bytes: a trickling client always has one
        // waiting. The deadline does not restart with them.
        let (mut client, server) = pair();
        client.write_all(b"one more byte").unwrap();
        let error = Deadline::at(&server, Instant::now())
            .read(&mut [0u8; 16])
            .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }

    #[test]
    fn a_spent_deadline_fails_the_write() {
        let (_client, server) = pair();
        let error = Deadline::at(&server, Instant::now())
            .write(b"too late")
            .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }
}
