//! Who may come in: limits on the connections the server holds, and on those still choosing a
//! name, in total and from each address.
//!
//! The documents accept every connection and wait for its name for ever, so a few thousand
//! connections that never say a word use up the server's threads and memory, and nobody else
//! gets in. Here a connection gets a [`Pass`] when it is accepted, or is turned away at once
//! (without costing a thread) with the reason; the outbox drops one that has no name in time.
//! (Lab 05's server uses this gate too, with its own most connections: [`Gate::holding`].)

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::protocol;

/// The most connections the server holds. Each costs two threads, each thread four memory
/// mappings (its stack and its signal stack, each with a guard page), and Linux allows 65,530
/// mappings per process by default: past about 8,000 members the system cannot start threads
/// any more. Lab 05 pays less per member.
pub const MOST_CONNECTIONS: usize = 7_500;

/// The most connections from one address that are still choosing a name.
pub const UNNAMED_PER_ADDRESS: usize = 64;

/// The most connections still choosing a name, from all addresses together.
pub const UNNAMED_IN_ALL: usize = 1_024;

pub struct Gate {
    /// The most connections it lets in: [`MOST_CONNECTIONS`] unless told.
    most: usize,
    connections: AtomicUsize,
    /// The address of each connection still choosing a name: [`UNNAMED_IN_ALL`] at most.
    unnamed: Mutex<Vec<IpAddr>>,
}

/// A connection let in: counted until it is dropped, and as choosing a name until
/// [`Pass::named`].
pub struct Pass {
    gate: Arc<Gate>,
    unnamed_from: Option<IpAddr>,
}

impl Default for Gate {
    fn default() -> Self {
        Gate::holding(MOST_CONNECTIONS)
    }
}

impl Gate {
    /// A gate that lets in `most` connections at once, each of them counted until its [`Pass`]
    /// is dropped.
    pub fn holding(most: usize) -> Self {
        Gate {
            most,
            connections: AtomicUsize::new(0),
            unnamed: Mutex::new(Vec::new()),
        }
    }

    /// Lets a connection from `from` in, or says why not. Only the accept loop calls it, so no
    /// connection can be added between a check and its count.
    // course: cut | refuse a connection past the gate's most connections, past UNNAMED_PER_ADDRESS still choosing a name from its address or UNNAMED_IN_ALL in all, with the protocol's reason; otherwise count it and give it a Pass | guide/src/hostile.md#idle-connections-lock-everybody-out
    pub fn enter(self: &Arc<Self>, from: IpAddr) -> Result<Pass, &'static str> {
        let mut unnamed = self.unnamed();
        let here = unnamed.iter().filter(|&&other| other == from).count();
        if self.connections.load(Relaxed) >= self.most {
            return Err(protocol::ROOM_FULL);
        } else if here >= UNNAMED_PER_ADDRESS {
            return Err(protocol::TOO_MANY_UNNAMED);
        } else if unnamed.len() >= UNNAMED_IN_ALL {
            return Err(protocol::SERVER_BUSY);
        }
        self.connections.fetch_add(1, Relaxed);
        unnamed.push(from);
        let gate = Arc::clone(self);
        Ok(Pass {
            gate,
            unnamed_from: Some(from),
        })
    }

    fn unnamed(&self) -> MutexGuard<'_, Vec<IpAddr>> {
        self.unnamed.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Pass {
    /// The connection has joined: it no longer counts as choosing a name.
    pub fn named(&mut self) {
        if let Some(from) = self.unnamed_from.take() {
            let mut unnamed = self.gate.unnamed();
            if let Some(index) = unnamed.iter().position(|&other| other == from) {
                unnamed.swap_remove(index);
            }
        }
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        self.named();
        self.gate.connections.fetch_sub(1, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn address(n: usize) -> IpAddr {
        IpAddr::from(Ipv4Addr::new(127, 0, (n / 256) as u8, n as u8))
    }

    #[test]
    fn unnamed_connections_are_limited_per_address_until_named() {
        let gate = Arc::new(Gate::default());
        let mut from_one: Vec<Pass> = (0..UNNAMED_PER_ADDRESS)
            .map(|_| gate.enter(address(1)).expect("under the limit"))
            .collect();
        assert_eq!(
            gate.enter(address(1)).err(),
            Some(protocol::TOO_MANY_UNNAMED)
        );
        assert!(
            gate.enter(address(2)).is_ok(),
            "another address is not limited"
        );
        from_one[0].named();
        assert!(
            gate.enter(address(1)).is_ok(),
            "a named connection no longer counts"
        );
    }

    #[test]
    fn unnamed_connections_are_limited_in_all() {
        let gate = Arc::new(Gate::default());
        let _all: Vec<Pass> = (0..UNNAMED_IN_ALL)
            .map(|n| gate.enter(address(n)).expect("under the limit"))
            .collect();
        let another = IpAddr::from(Ipv4Addr::new(127, 9, 9, 9));
        assert_eq!(gate.enter(another).err(), Some(protocol::SERVER_BUSY));
    }

    #[test]
    fn connections_are_counted_until_their_pass_is_dropped() {
        let gate = Arc::new(Gate::holding(2));
        let mut first = gate.enter(address(1)).expect("room for two");
        first.named();
        let second = gate.enter(address(2)).expect("room for two");
        assert_eq!(gate.enter(address(3)).err(), Some(protocol::ROOM_FULL));
        drop(second);
        assert!(
            gate.enter(address(3)).is_ok(),
            "a connection gone no longer counts"
        );
    }
}
