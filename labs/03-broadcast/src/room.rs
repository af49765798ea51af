//! The room: who is in it, and the documents' `broadcast`.
//!
//! The documents keep two lists, `clients` and `nicknames`, changed by every thread with no lock:
//! a client can join while another thread is halfway through removing someone, and the two lists
//! stop matching. Here the member list lives behind one lock, and every event (a join, a
//! message, a leave, the server stopping) is queued to every member while that lock is held.
//! That gives the room one order that everybody sees: a newcomer is in the list from the moment
//! its join is announced, so it misses nothing after and sees nothing before, and two messages
//! reach everyone in the same order. Queuing never waits (see the outbox module), so neither
//! does anyone who needs the lock.

use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex, MutexGuard};

use labkit::clock;

use crate::outbox::Outbox;
use crate::{nickname, protocol};

#[derive(Default)]
pub struct Room {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// In joining order, as the member lists are shown.
    members: Vec<Member>,
    /// True once the server is stopping: nobody may join any more.
    closed: bool,
}

struct Member {
    name: String,
    /// Two names with the same key look alike (see `nickname::key`).
    key: String,
    outbox: Outbox,
}

impl Room {
    /// Adds `name` to the room: the newcomer gets a welcome with the member list, the others a
    /// join notice with the same list. `Err(Some(reason))` if the name is taken, `Err(None)` if
    /// the room is closed.
    pub fn join(&self, name: &str, outbox: &Outbox) -> Result<(), Option<String>> {
        let mut state = self.lock();
        let key = nickname::key(name);
        if state.closed {
            return Err(None);
        } else if state.members.iter().any(|member| member.key == key) {
            return Err(Some(protocol::taken(name)));
        }
        let names = state.members.iter().map(|member| member.name.as_str());
        let list = protocol::member_list(names.chain([name]), state.members.len() + 1);
        let now = clock::time();
        state.tell(protocol::joined(&now, name, &list));
        outbox.push(&protocol::welcome(&now, name, &list).into());
        let (name, outbox) = (name.to_string(), outbox.clone());
        state.members.push(Member { name, key, outbox });
        Ok(())
    }

    /// The documents' `broadcast`: queues `line` to every member, the sender included. Under the
    /// room's lock, so that every member gets the room's lines in the same order.
    // course: cut | lock the member list and push the line to every member's outbox (never write to a socket here) | guide/src/lab03-broadcast.md#broadcast
    pub fn broadcast(&self, line: &str) {
        let line: Arc<str> = line.into();
        let state = self.lock();
        for member in &state.members {
            member.outbox.push(&line);
        }
    }

    /// Removes `name` and tells the others. False if `name` had already gone (the server
    /// stopping removes everyone at once), so a leave is announced once.
    pub fn leave(&self, name: &str) -> bool {
        let mut state = self.lock();
        let Some(index) = state.members.iter().position(|m| m.name == name) else {
            return false;
        };
        state.members.remove(index);
        state.tell(protocol::left(&clock::time(), name));
        true
    }

    /// Closes the room: tells every member the server is stopping, and closes their outboxes.
    /// Each receiver hears when its member's goodbye is sent.
    pub fn close(&self) -> Vec<Receiver<()>> {
        let mut state = self.lock();
        state.closed = true;
        state.tell(protocol::shutting_down(&clock::time()));
        let members = std::mem::take(&mut state.members);
        members.iter().map(|member| member.outbox.close()).collect()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every change to the list is one step, so a panic elsewhere cannot leave it half-done.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl State {
    /// Queues the room event `line` to every member: one copy, shared by all the queues.
    fn tell(&self, line: String) {
        let line: Arc<str> = line.into();
        for member in &self.members {
            member.outbox.push(&line);
        }
    }
}
