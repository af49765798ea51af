//! The room: who is in it, and `broadcast`.
//!
//! The documents keep two lists, `clients` and `nicknames`, changed by every thread with no lock:
//! a client can join while another thread is halfway through removing someone, and the two lists
//! stop matching. Here the member list lives behind one lock, and every event (a join, a
//! message, a leave, the server stopping) is formatted and queued to every member while that
//! lock is held. That gives the room one order that everybody sees: a newcomer is in the list
//! from the moment its join is announced, so it misses nothing after and sees nothing before,
//! and two messages reach everyone in the same order.
//!
//! Queuing is cheap (see the outbox module): the lock is never held while a socket is written.

use std::sync::{Arc, Mutex, MutexGuard};

use labkit::clock;

use crate::outbox::{Outbox, QUEUE_LIMIT, Shared};

pub struct Room {
    state: Mutex<State>,
}

struct State {
    /// In joining order, as the member lists are shown.
    members: Vec<Member>,
    /// False once the server is stopping: nobody may join any more.
    open: bool,
}

struct Member {
    name: String,
    outbox: Arc<Outbox>,
}

/// Why a name could not join.
pub enum Refused {
    Taken,
    Closed,
}

impl Room {
    pub fn new() -> Self {
        Room {
            state: Mutex::new(State {
                members: Vec::new(),
                open: true,
            }),
        }
    }

    /// Adds `name` to the room: the newcomer gets a welcome with the member list, the others a
    /// join notice with the same list.
    pub fn join(&self, name: &str, outbox: &Arc<Outbox>) -> Result<(), Refused> {
        let mut state = self.lock();
        if !state.open {
            return Err(Refused::Closed);
        }
        if state.members.iter().any(|member| member.name == name) {
            return Err(Refused::Taken);
        }
        state.members.push(Member {
            name: name.to_string(),
            outbox: Arc::clone(outbox),
        });
        let names = member_list(&state.members);
        let now = clock::time();
        let joined = line(format!("({now}) * {name} joined! In the room: {names}."));
        let welcome = line(format!(
            "({now}) * Welcome, {name}! In the room: {names}. Type CLOSE to leave."
        ));
        let mut dropped = Vec::new();
        if let Some((newcomer, others)) = state.members.split_last() {
            dropped = deliver(others, &joined);
            dropped.extend(deliver(std::slice::from_ref(newcomer), &welcome));
        }
        drop(state);
        log_dropped(dropped);
        Ok(())
    }

    /// The documents' `broadcast`: `name: text`, stamped, to every member, the sender included.
    pub fn say(&self, name: &str, text: &str) {
        let state = self.lock();
        let message = line(format!("({}) {name}: {text}", clock::time()));
        let dropped = deliver(&state.members, &message);
        drop(state);
        log_dropped(dropped);
    }

    /// Removes `name` and tells the others. False if `name` had already gone (the server
    /// stopping removes everyone at once), so a leave is announced once.
    pub fn leave(&self, name: &str) -> bool {
        let mut state = self.lock();
        let Some(index) = state.members.iter().position(|m| m.name == name) else {
            return false;
        };
        state.members.remove(index);
        let left = line(format!("({}) * {name} left!", clock::time()));
        let dropped = deliver(&state.members, &left);
        drop(state);
        log_dropped(dropped);
        true
    }

    /// Closes the room: tells every member the server is stopping, closes their connections
    /// once that is sent, and returns their outboxes so the caller can wait for the sending.
    pub fn close(&self) -> Vec<Arc<Outbox>> {
        let mut state = self.lock();
        state.open = false;
        let goodbye = line(format!(
            "({}) * The server is shutting down. Goodbye!",
            clock::time()
        ));
        let dropped = deliver(&state.members, &goodbye);
        let members = std::mem::take(&mut state.members);
        drop(state);
        log_dropped(dropped);
        members
            .into_iter()
            .map(|member| {
                member.outbox.close();
                member.outbox
            })
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every change to the list is one step, so a panic elsewhere cannot leave it half-done.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// How many names a member list shows before it only counts the rest.
const LISTED: usize = 10;

/// The members in joining order, the first [`LISTED`] by name: `a, b and 9990 more`. Every
/// join is announced to every member, so join traffic grows with the square of the room; a list
/// that grew with the room too would make it grow with the cube, and 10,000 members would need
/// terabytes to join.
fn member_list(members: &[Member]) -> String {
    let shown: Vec<&str> = members
        .iter()
        .take(LISTED)
        .map(|member| member.name.as_str())
        .collect();
    let mut list = shown.join(", ");
    if members.len() > LISTED {
        list += &format!(" and {} more", members.len() - LISTED);
    }
    list
}

/// A line as sent: the text and its line end, shared by all the outboxes it goes to.
pub fn line(text: String) -> Shared {
    Arc::from(text + "\n")
}

/// Queues `line` to each of `members`, and returns the names of those that could not take it:
/// they have fallen too far behind, their outbox has shut their connection, and their own
/// thread will announce the leave.
fn deliver(members: &[Member], line: &Shared) -> Vec<String> {
    members
        .iter()
        .filter(|member| member.outbox.push(Arc::clone(line)).is_err())
        .map(|member| member.name.clone())
        .collect()
}

/// Logs the members `deliver` dropped. Only ever called once the room's lock is released:
/// `println!` blocks while nobody reads the server's output, and a thread blocked with the lock
/// held would stop the whole room.
fn log_dropped(names: Vec<String>) {
    for name in names {
        println!("{name} dropped: fell more than {QUEUE_LIMIT} bytes behind");
    }
}
