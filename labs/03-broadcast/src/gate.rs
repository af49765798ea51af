//! Who may come in: limits on the connections the server holds, and on those still choosing a
//! name, in total and from each address.
//!
//! The documents accept every connection and wait for its name for ever, so a few thousand
//! connections that never say a word use up the server's threads and memory, and nobody else
//! gets in. Here a connection gets a [`Pass`] when it is accepted, or is turned away at once
//! (without costing a thread) with the reason; the outbox drops one that has no name in time.

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

#[derive(Default)]
pub struct Gate {
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

impl Gate {
    /// Lets a connection from `from` in, or says why not. Only the accept loop calls it, so no
    /// connection can be added between a check and its count.
    pub fn enter(self: &Arc<Self>, from: IpAddr) -> Result<Pass, &'static str> {
        let mut unnamed = self.unnamed();
        let here = unnamed.iter().filter(|&&other| other == from).count();
        if self.connections.load(Relaxed) >= MOST_CONNECTIONS {
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
