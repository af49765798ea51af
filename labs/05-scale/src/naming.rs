//! Connections that have not chosen a name yet: how many may wait at once, and for how long.
//!
//! The documents' servers wait for a nickname for ever, and so did the first rooms of the kit:
//! 8,200 connections that never send one, opened from one process in a second, filled the
//! server, and every later user was closed without a word. Here a connection is counted as
//! unnamed from its accept until it has sent a well-formed name, per address and in all
//! ([`Unnamed`]), and its reads share one deadline until it has joined ([`Timed`]): the
//! server's `--name-timeout`, 30 s by default, from the accept to the end of the name, so a
//! connection that trickles a byte at a time cannot hold its place for ever.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, Read};
use std::net::{IpAddr, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use lab03::protocol;

/// How many connections from one address may be choosing a name at once. A person opens one or
/// two; thousands of silent ones from one address are an attack, and must not fill the server.
pub const UNNAMED_PER_ADDRESS: usize = 64;

/// How many connections, all addresses together, may be choosing a name at once.
pub const UNNAMED_IN_ALL: usize = 1024;

/// The connections still choosing a name, counted per address and in all.
#[derive(Default)]
pub struct Unnamed {
    counts: Mutex<(HashMap<IpAddr, usize>, usize)>,
}

/// One connection counted in [`Unnamed`] until this is dropped: once named, or gone.
pub struct Naming {
    unnamed: Arc<Unnamed>,
    address: IpAddr,
}

impl Unnamed {
    /// Counts one more connection from `address`, or says why not (one of `lab03::protocol`'s
    /// reasons).
    pub fn enter(self: &Arc<Self>, address: IpAddr) -> Result<Naming, &'static str> {
        let mut counts = self.lock();
        let (per_address, all) = &mut *counts;
        let from_there = per_address.entry(address).or_default();
        if *from_there >= UNNAMED_PER_ADDRESS {
            return Err(protocol::TOO_MANY_UNNAMED);
        } else if *all >= UNNAMED_IN_ALL {
            return Err(protocol::SERVER_BUSY);
        }
        *from_there += 1;
        *all += 1;
        Ok(Naming {
            unnamed: Arc::clone(self),
            address,
        })
    }

    fn lock(&self) -> MutexGuard<'_, (HashMap<IpAddr, usize>, usize)> {
        // Each change is one step: a panic elsewhere cannot leave the counts half-changed.
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Naming {
    fn drop(&mut self) {
        let mut counts = self.unnamed.lock();
        let (per_address, all) = &mut *counts;
        *all -= 1;
        if let Some(from_there) = per_address.get_mut(&self.address) {
            *from_there -= 1;
            if *from_there == 0 {
                per_address.remove(&self.address);
            }
        }
    }
}

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
    use std::net::{Ipv4Addr, TcpListener};
    use std::time::Duration;

    #[test]
    fn unnamed_connections_are_limited_per_address_and_counted_until_dropped() {
        let unnamed = Arc::new(Unnamed::default());
        let one = IpAddr::from(Ipv4Addr::new(127, 0, 0, 1));
        let two = IpAddr::from(Ipv4Addr::new(127, 0, 0, 2));
        let mut from_one: Vec<Naming> = (0..UNNAMED_PER_ADDRESS)
            .map(|_| unnamed.enter(one).expect("under the limit"))
            .collect();
        assert_eq!(unnamed.enter(one).err(), Some(protocol::TOO_MANY_UNNAMED));
        assert!(unnamed.enter(two).is_ok(), "another address is not limited");
        from_one.pop();
        assert!(
            unnamed.enter(one).is_ok(),
            "a named connection no longer counts"
        );
    }

    #[test]
    fn unnamed_connections_are_limited_in_all() {
        let unnamed = Arc::new(Unnamed::default());
        let _all: Vec<Naming> = (0..UNNAMED_IN_ALL)
            .map(|n| {
                let address = IpAddr::from(Ipv4Addr::new(127, 0, (n / 256) as u8, n as u8));
                unnamed.enter(address).expect("under the limit")
            })
            .collect();
        let another = IpAddr::from(Ipv4Addr::new(127, 9, 9, 9));
        assert_eq!(unnamed.enter(another).err(), Some(protocol::SERVER_BUSY));
    }

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
