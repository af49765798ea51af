//! Who may come in: limits on the connections the server holds, and on those still choosing a
//! name, in total and from each address.
//!
//! The documents accept every connection and wait for its name for ever, so a few thousand
//! connections that never say a word use up the server's threads and memory, and nobody else
//! gets in. Here a connection gets a [`Pass`] when it is accepted, or is turned away at once
//! (without costing a thread) with the reason; the outbox drops one that has no name in time.

use std::collections::HashMap;
use std::net::IpAddr;
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

#[derive(Default)]
pub struct Gate {
    counts: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    connections: usize,
    unnamed: usize,
    unnamed_from: HashMap<IpAddr, usize>,
}

/// A connection let in: counted until it is dropped, and as unnamed until [`Pass::named`].
pub struct Pass {
    gate: Arc<Gate>,
    from: IpAddr,
    named: bool,
}

impl Gate {
    /// Lets a connection from `from` in, or says why not.
    pub fn enter(self: &Arc<Self>, from: IpAddr) -> Result<Pass, &'static str> {
        let mut counts = self.lock();
        let here = counts.unnamed_from.get(&from).copied().unwrap_or(0);
        if counts.connections >= MOST_CONNECTIONS {
            return Err(protocol::ROOM_FULL);
        } else if here >= UNNAMED_PER_ADDRESS {
            return Err(protocol::TOO_MANY_UNNAMED);
        } else if counts.unnamed >= UNNAMED_IN_ALL {
            return Err(protocol::SERVER_BUSY);
        }
        counts.connections += 1;
        counts.unnamed += 1;
        counts.unnamed_from.insert(from, here + 1);
        let gate = Arc::clone(self);
        Ok(Pass {
            gate,
            from,
            named: false,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Counts {
    fn named(&mut self, from: IpAddr) {
        self.unnamed -= 1;
        let here = self.unnamed_from.entry(from).or_default();
        *here -= 1;
        if *here == 0 {
            self.unnamed_from.remove(&from);
        }
    }
}

impl Pass {
    /// The connection has joined: it no longer counts as choosing a name.
    pub fn named(&mut self) {
        self.gate.lock().named(self.from);
        self.named = true;
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        let mut counts = self.gate.lock();
        counts.connections -= 1;
        if !self.named {
            counts.named(self.from);
        }
    }
}
