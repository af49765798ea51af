//! Connections that have not chosen a name yet: how long they may take.
//!
//! The documents' servers wait for a nickname for ever, and so did the first rooms of the kit:
//! 8,200 connections that never send one, opened from one process in a second, filled the
//! server, and every later user was closed without a word. How many may be choosing a name at
//! once, per address and in all, the gate says (see the gate module); here a connection's
//! reads share one deadline until it has joined ([`Timed`]): the server's `--name-timeout`, 30 s
//! by default, from the accept to the end of the name, so a connection that trickles a byte at
//! a time cannot hold its place for ever. (Lab 05's server uses it too.)

use std::cell::Cell;
use std::io::{self, Read};
use std::net::TcpStream;
use std::time::Instant;

/// A connection's socket, read with a deadline for all the reads together (while the member
/// chooses its name) or none.
pub struct Timed<'a> {
    socket: &'a TcpStream,
    deadline: Cell<Option<Instant>>,
}

impl<'a> Timed<'a> {
    /// Reads of `socket` that all end by `deadline`.
    pub fn new(socket: &'a TcpStream, deadline: Instant) -> Self {
        Timed {
            socket,
            deadline: Cell::new(Some(deadline)),
        }
    }

    /// The member has joined: from now on its reads wait as long as it takes to say something.
    pub fn joined(&self) {
        self.deadline.set(None);
        let _ = self.socket.set_read_timeout(None);
    }
}

impl Read for &Timed<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if let Some(deadline) = self.deadline.get() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::ErrorKind::TimedOut.into());
            }
            self.socket.set_read_timeout(Some(left))?;
        }
        (&*self.socket).read(buffer)
    }
}

/// Whether a read error is the deadline passing.
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::time::Duration;

    #[test]
    fn the_deadline_holds_for_all_the_reads_together() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let timed = Timed::new(&server, Instant::now() + Duration::from_millis(50));
        let started = Instant::now();
        let error = (&timed).read(&mut [0; 16]).unwrap_err();
        assert!(is_timeout(&error), "{error}");
        assert!(started.elapsed() >= Duration::from_millis(40));
        // Past the deadline, a read fails at once, without waiting again.
        let error = (&timed).read(&mut [0; 16]).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }
}
