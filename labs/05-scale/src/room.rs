//! The room: who is in it, and `broadcast`.
//!
//! The documents keep two lists, `clients` and `nicknames`, changed by every thread with no lock:
//! a client can join while another thread is halfway through removing someone, and the two lists
//! stop matching. Here the member list lives behind one lock, and every event (a join, a
//! message, a leave, the server stopping) is queued to every member while that lock is held.
//! That gives the room one order that everybody sees: a newcomer is in the list from the moment
//! its join is announced, so it misses nothing after and sees nothing before, and two messages
//! reach everyone in the same order. Messages are stamped and formatted before the lock is
//! taken (see [`Room::say`]); the other events, which show the member list, under it.
//!
//! Queuing is cheap (see the outbox module): the lock is never held while a socket is written.
//! Once it is released, the outboxes that were empty are posted to the postman, which writes
//! them (see the postman module).

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};

use lab03::{nickname, protocol};
use labkit::clock;

use crate::load::Load;
use crate::outbox::{Outbox, Pushed};
use crate::postman::Postman;

pub struct Room {
    state: Mutex<State>,
    /// Carries the lines queued to the members (see the postman module).
    postman: Arc<Postman>,
    /// What waits for the postman (see the load module).
    load: Arc<Load>,
}

struct State {
    /// In joining order, as the member lists are shown.
    members: Vec<Member>,
    /// False once the server is stopping: nobody may join any more.
    open: bool,
}

struct Member {
    name: String,
    /// What the name looks like (`nickname::key`): no two members have the same.
    key: String,
    outbox: Arc<Outbox>,
}

/// Why a name could not join.
pub enum Refused {
    Taken,
    Closed,
}

impl Room {
    /// An empty room, and its postman's thread.
    pub fn start() -> io::Result<Self> {
        let load = Arc::new(Load::default());
        Ok(Room {
            state: Mutex::new(State {
                members: Vec::new(),
                open: true,
            }),
            postman: Postman::start(Arc::clone(&load))?,
            load,
        })
    }

    /// An outbox for a new connection from `peer`, its lines carried by the room's postman.
    pub fn outbox(&self, socket: Arc<TcpStream>, peer: SocketAddr) -> Arc<Outbox> {
        Outbox::new(socket, peer.to_string(), Arc::clone(&self.load))
    }

    /// Adds `name` to the room: the newcomer gets a welcome with the member list, the others a
    /// join notice with the same list. Refused if a member's name looks like it
    /// (`nickname::key`).
    pub fn join(&self, name: &str, outbox: &Arc<Outbox>) -> Result<(), Refused> {
        let mut state = self.lock_to_speak();
        if !state.open {
            return Err(Refused::Closed);
        }
        let key = nickname::key(name);
        if state.members.iter().any(|member| member.key == key) {
            return Err(Refused::Taken);
        }
        outbox.set_name(name);
        state.members.push(Member {
            name: name.to_string(),
            key,
            outbox: Arc::clone(outbox),
        });
        let names = state.members.iter().map(|member| member.name.as_str());
        let list = protocol::member_list(names, state.members.len());
        let now = clock::time();
        let mut after = Aftermath::default();
        let (newcomer, others) = state.members.split_last().expect("it was just added");
        deliver(
            others,
            &shared(protocol::joined(&now, name, &list)),
            &mut after,
        );
        let welcome = protocol::welcome(&now, name, &list);
        deliver(std::slice::from_ref(newcomer), &shared(welcome), &mut after);
        drop(state);
        after.finish(&self.postman);
        Ok(())
    }

    /// The documents' `broadcast`: `name: text`, stamped, to every member, the sender included,
    /// for each of `texts` (the messages of `name` that arrived together). They are queued to
    /// each member in one go, one lock of its outbox, however many messages there are.
    pub fn say(&self, name: &str, texts: &[String]) {
        if texts.is_empty() {
            return;
        }
        // Stamped and made before the room's lock is taken, as lab 03's `handle` does: a
        // flooder's lines arrive by the thousand, formatting them takes a while, and every
        // other speaker would wait for it (under `bench --flood`, the steady member's `say`
        // waited for the lock 0.2 to 0.4 ms at p90 and 4 to 6 ms at p99; formatted before,
        // 15 µs at most). The stamp says when they arrived.
        let now = clock::time();
        let lines: String = texts
            .iter()
            .map(|text| protocol::message(&now, name, text))
            .collect();
        let lines = shared(lines);
        let state = self.lock_to_speak();
        let mut after = Aftermath::default();
        deliver(&state.members, &lines, &mut after);
        drop(state);
        after.finish(&self.postman);
    }

    /// Removes `name` and tells the others. False if `name` had already gone (the server
    /// stopping removes everyone at once), so a leave is announced once.
    pub fn leave(&self, name: &str) -> bool {
        let mut state = self.lock_to_speak();
        let Some(index) = state.members.iter().position(|m| m.name == name) else {
            return false;
        };
        state.members.remove(index);
        let left = protocol::left(&clock::time(), name);
        let mut after = Aftermath::default();
        deliver(&state.members, &shared(left), &mut after);
        drop(state);
        after.finish(&self.postman);
        true
    }

    /// Closes the room: tells every member the server is stopping, closes their connections
    /// once that is sent, and returns their outboxes so the caller can wait for the sending.
    pub fn close(&self) -> Vec<Arc<Outbox>> {
        let mut state = self.lock();
        state.open = false;
        let goodbye = protocol::shutting_down(&clock::time());
        let mut after = Aftermath::default();
        deliver(&state.members, &shared(goodbye), &mut after);
        let members = std::mem::take(&mut state.members);
        drop(state);
        let outboxes: Vec<Arc<Outbox>> = members
            .into_iter()
            .map(|member| {
                member.outbox.close();
                member.outbox
            })
            .collect();
        // Closed outboxes wait for no room: the server is stopping, it waits for nobody.
        after.finish(&self.postman);
        outboxes
    }

    /// `line` (a whole line, with its `\n`) to one member only.
    pub fn tell(&self, outbox: &Arc<Outbox>, line: &str) {
        let mut after = Aftermath::default();
        after.note(outbox, outbox.push(&Arc::from(line.as_bytes())));
        after.finish(&self.postman);
    }

    /// The room's lock, once the postman has room for more (see the postman module). Checked
    /// with the lock held, where every line is queued: two speakers cannot both find room and
    /// then both fill it.
    fn lock_to_speak(&self) -> MutexGuard<'_, State> {
        loop {
            let state = self.lock();
            if !self.load.too_heavy() {
                return state;
            }
            drop(state);
            self.load.wait_until_lighter();
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every change to the list is one step, so a panic elsewhere cannot leave it half-done.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Queues `lines` to each of `members`, and notes in `after` what is left to do once the
/// room's lock is released. The lines are made once and shared by every member's queue (see
/// the chunks module).
fn deliver(members: &[Member], lines: &Arc<[u8]>, after: &mut Aftermath) {
    for member in members {
        let pushed = member.outbox.push(lines);
        after.note(&member.outbox, pushed);
    }
}

/// One copy of `line`, for every member's queue to share.
fn shared(line: String) -> Arc<[u8]> {
    Arc::from(line.as_bytes())
}

/// What is left to do after queueing lines, once the room's lock is released: posting the
/// outboxes that were empty, and waiting for room in the queues that are full. Both take time
/// (posting may wake the postman, a system call, and the postman may take the processor at
/// once; waiting lasts as long as a slow member takes to read), and with the lock held every
/// other thread that speaks (the reading thread, a newcomer's `handle`) would wait too.
#[derive(Default)]
struct Aftermath {
    to_post: Vec<Arc<Outbox>>,
    full: Vec<Arc<Outbox>>,
}

impl Aftermath {
    fn note(&mut self, outbox: &Arc<Outbox>, pushed: Pushed) {
        match pushed {
            Pushed::Queued => {}
            Pushed::Post => self.to_post.push(Arc::clone(outbox)),
            Pushed::Full => self.full.push(Arc::clone(outbox)),
        }
    }

    fn finish(self, postman: &Postman) {
        postman.post(self.to_post);
        for outbox in self.full {
            outbox.wait_for_room();
        }
    }
}
