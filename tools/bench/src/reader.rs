//! The reading side: a few threads, each watching its share of the members' sockets with epoll.
//!
//! Why not one thread per member, as the documents' clients do? At 10,000 members that is
//! 10,000 threads that each wake up for a few bytes, and on two cores the switching between them
//! would cost more than the reading. Here one thread asks the kernel "which of my sockets have
//! data?" (epoll_wait), and for each reads everything waiting in one large read (256 KiB): at
//! full speed one read brings hundreds of messages, so the cost of the system call is shared.
//!
//! Lines are found with memchr in that one buffer and checked where they lie: nothing is
//! allocated per line or per message. Only the unfinished end of a read (part of a line) is kept
//! per member until the next read completes it. The time of arrival is taken once per read.

use std::io::{self, Read};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc::Receiver;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::hist::Histogram;
use crate::payload::{self, LineKind, Piece, Rules};
use crate::shared::{Shared, status};
use crate::sys::{self, Epoll};
use crate::tally::{First, Tally};

/// One read brings at most this much.
const READ_SIZE: usize = 256 * 1024;
/// A line longer than this is judged in pieces (only a server's notices get so long).
const LONGEST_LINE: usize = 64 * 1024;
/// How often a reader looks for new sockets and for the end of the run when nothing arrives.
const TICK: Duration = Duration::from_millis(5);

/// What a socket is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A counted member: its deliveries are tallied.
    Member(usize),
    /// The `--non-reader` scenario: joins, then is never read again.
    NonReader(usize),
    /// The `--connect-burst` scenario: joins, and what it receives is read and thrown away.
    Burst,
}

/// A connected socket handed to a reader, its name already sent.
pub struct NewSocket {
    pub stream: Arc<TcpStream>,
    pub role: Role,
    pub joined_sign: Vec<u8>,
}

/// What each reader hands back at the end.
pub struct Finding {
    /// One tally per member it read, by member index.
    pub tallies: Vec<(usize, Tally)>,
    pub latency: Histogram,
    /// The processor time it used from the start of the sending to the end of the run.
    pub busy: Duration,
}

/// What every reader needs to know about the run.
#[derive(Clone)]
pub struct Plan {
    pub senders: u64,
    pub messages: u64,
    pub refused_sign: Option<&'static [u8]>,
    /// The kit's room: lines of the form "(HH:MM:SS) NAME: TEXT", names "{prefix}{index}".
    pub name_prefix: Option<Vec<u8>>,
}

struct Socket {
    stream: Arc<TcpStream>,
    role: Role,
    /// Until the member is in the room: the sign to wait for.
    joining: Option<Vec<u8>>,
    /// The end of the last read that was not a whole line yet.
    carry: Vec<u8>,
    tally: Option<Tally>,
}

/// What became of a socket after a read.
enum Next {
    Keep,
    /// Stop watching it but keep it open (the non-reader).
    Park,
    /// Stop watching it and let it close.
    Close,
}

/// Starts a reader thread; sockets arrive through `inbox`.
pub fn spawn(
    shared: Arc<Shared>,
    plan: Plan,
    inbox: Receiver<NewSocket>,
) -> io::Result<JoinHandle<Finding>> {
    let epoll = Epoll::new()?;
    thread::Builder::new()
        .name("bench reader".into())
        .spawn(move || Reader::new(shared, plan, epoll).run(inbox))
}

struct Reader {
    shared: Arc<Shared>,
    plan: Plan,
    epoll: Epoll,
    sockets: Vec<Option<Socket>>,
    parked: Vec<Arc<TcpStream>>,
    finished: Vec<(usize, Tally)>,
    latency: Histogram,
}

impl Reader {
    fn new(shared: Arc<Shared>, plan: Plan, epoll: Epoll) -> Reader {
        Reader {
            shared,
            plan,
            epoll,
            sockets: Vec::new(),
            parked: Vec::new(),
            finished: Vec::new(),
            latency: Histogram::default(),
        }
    }

    fn run(mut self, inbox: Receiver<NewSocket>) -> Finding {
        let mut events = vec![sys::no_event(); 1024];
        let mut buffer = vec![0u8; READ_SIZE];
        // The processor time used before the sending started (joining): not the run's.
        let mut before_sending = None;
        while !self.shared.stopping() {
            if before_sending.is_none() && self.shared.going.load(Relaxed) {
                before_sending = Some(sys::thread_cpu_time());
            }
            while let Ok(new) = inbox.try_recv() {
                self.watch(new);
            }
            // An error here (none is expected) ends reading; the run then reports what it has.
            let Ok(ready) = self.epoll.wait(&mut events, TICK) else {
                break;
            };
            for event in &events[..ready] {
                let slot = sys::token(event) as usize;
                let Some(socket) = self.sockets[slot].as_mut() else {
                    continue;
                };
                let next = drain(
                    socket,
                    &mut buffer,
                    &self.shared,
                    &self.plan,
                    &mut self.latency,
                );
                if !matches!(next, Next::Keep)
                    && let Some(socket) = self.sockets[slot].take()
                {
                    self.epoll.remove(&*socket.stream);
                    if let Next::Park = next {
                        self.parked.push(socket.stream);
                    }
                    if let (Role::Member(member), Some(tally)) = (socket.role, socket.tally) {
                        self.finished.push((member, tally));
                    }
                }
            }
        }
        let mut tallies = self.finished;
        for socket in self.sockets.into_iter().flatten() {
            if let (Role::Member(member), Some(tally)) = (socket.role, socket.tally) {
                tallies.push((member, tally));
            }
        }
        let busy = before_sending.map_or(Duration::ZERO, |before| sys::thread_cpu_time() - before);
        Finding {
            tallies,
            latency: self.latency,
            busy,
        }
    }

    fn watch(&mut self, new: NewSocket) {
        let slot = self.sockets.len();
        if self.epoll.add(&*new.stream, slot as u64).is_err() {
            return;
        }
        let tally = match new.role {
            Role::Member(_) => Some(Tally::new(self.plan.senders, self.plan.messages)),
            _ => None,
        };
        self.sockets.push(Some(Socket {
            stream: new.stream,
            role: new.role,
            joining: Some(new.joined_sign),
            carry: Vec::new(),
            tally,
        }));
    }
}

/// Reads everything waiting on one socket.
fn drain(
    socket: &mut Socket,
    buffer: &mut [u8],
    shared: &Shared,
    plan: &Plan,
    latency: &mut Histogram,
) -> Next {
    if let Role::Member(member) = socket.role
        && shared.status_of(member) == status::KILLED
    {
        // The `--kill` scenario closed it: let go at once, whatever is still arriving.
        return Next::Close;
    }
    loop {
        // Put the unfinished line first, then read behind it: the line is whole again.
        let kept = socket.carry.len();
        buffer[..kept].copy_from_slice(&socket.carry);
        socket.carry.clear();
        let space = buffer.len() - kept;
        let read = match (&*socket.stream).read(&mut buffer[kept..]) {
            Ok(0) => {
                // End of stream: what is left is the last, unfinished line.
                if kept > 0 && socket.joining.is_none() {
                    take_lines(socket, &buffer[..kept], true, 0, shared, plan, latency);
                }
                return closed(socket, shared);
            }
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                socket.carry.extend_from_slice(&buffer[..kept]);
                return Next::Keep;
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {
                socket.carry.extend_from_slice(&buffer[..kept]);
                continue;
            }
            Err(_) => return closed(socket, shared),
        };
        shared.bytes_read.fetch_add(read as u64, Relaxed);
        let data = &buffer[..kept + read];
        let mut from = 0;
        if let Some(sign) = &socket.joining {
            match joining(socket.role, sign, data, shared, plan) {
                Joining::Waiting(keep_from) => {
                    socket.carry.extend_from_slice(&data[keep_from..]);
                    if read < space {
                        return Next::Keep;
                    }
                    continue;
                }
                Joining::Failed => return Next::Close,
                Joining::In(after) => {
                    socket.joining = None;
                    match socket.role {
                        Role::NonReader(_) => return Next::Park,
                        Role::Member(member) if shared.status_of(member) == status::LATE => {
                            socket.tally = None;
                        }
                        _ => {}
                    }
                    from = after;
                }
            }
        }
        let rest = take_lines(socket, data, false, from, shared, plan, latency);
        socket.carry.extend_from_slice(&data[rest..]);
        if read < space {
            return Next::Keep;
        }
    }
}

enum Joining {
    /// Not in yet; keep the bytes from this index on (the sign may be cut at the end).
    Waiting(usize),
    Failed,
    /// In the room; the member's traffic starts at this index.
    In(usize),
}

fn joining(role: Role, sign: &[u8], data: &[u8], shared: &Shared, plan: &Plan) -> Joining {
    if let Some(at) = find(data, sign) {
        match role {
            Role::Member(member) | Role::NonReader(member) => {
                // The main thread may have declared it late in the same instant: whoever moves
                // the status first decides.
                if shared.change_status(member, status::JOINING, status::JOINED) {
                    shared.joined.fetch_add(1, Relaxed);
                }
            }
            Role::Burst => {
                shared.burst_joined.fetch_add(1, Relaxed);
            }
        }
        return Joining::In(at + sign.len());
    }
    if let Some(refused) = plan.refused_sign
        && find(data, refused).is_some()
    {
        fail(role, shared);
        return Joining::Failed;
    }
    let longest = sign.len().max(plan.refused_sign.map_or(0, <[u8]>::len));
    Joining::Waiting(data.len().saturating_sub(longest - 1))
}

fn fail(role: Role, shared: &Shared) {
    if let Role::Member(member) | Role::NonReader(member) = role
        && shared.change_status(member, status::JOINING, status::FAILED)
    {
        shared.failed.fetch_add(1, Relaxed);
    }
}

/// The server closed or reset the connection (or the bench killed it).
fn closed(socket: &Socket, shared: &Shared) -> Next {
    if socket.joining.is_some() {
        fail(socket.role, shared);
    } else if let Role::Member(member) | Role::NonReader(member) = socket.role {
        shared.change_status(member, status::JOINED, status::DROPPED);
    }
    Next::Close
}

/// Judges every whole line of `data` from `from` on; returns where the unfinished line starts.
/// With `at_end`, the unfinished line is judged too (the stream is over).
fn take_lines(
    socket: &mut Socket,
    data: &[u8],
    at_end: bool,
    mut from: usize,
    shared: &Shared,
    plan: &Plan,
    latency: &mut Histogram,
) -> usize {
    // Only members are counted; a burst client's stream is read and thrown away.
    let Some(tally) = socket.tally.as_mut() else {
        return data.len();
    };
    let counted = match socket.role {
        Role::Member(member) => !shared.doomed[member],
        _ => false,
    };
    let rules = Rules {
        senders: plan.senders,
        messages: plan.messages,
        name_prefix: plan.name_prefix.as_deref(),
    };
    let now = shared.now_ns();
    let (mut settled, mut newest) = (0, 0);
    let mut judge = |line: &[u8]| {
        let kind = payload::scan_line(line, &rules, |piece| match piece {
            Piece::Intact {
                sender,
                number,
                sent_ns,
            } => {
                if tally.intact(sender, number) == First::Yes {
                    settled += u64::from(!shared.doomed[sender as usize]);
                    latency.record(now.saturating_sub(sent_ns));
                    newest = now;
                }
            }
            Piece::Mangled { sender, number } => {
                if tally.mangled(sender, number) == First::Yes {
                    settled += u64::from(!shared.doomed[sender as usize]);
                }
            }
            Piece::Unreadable => tally.unreadable += 1,
        });
        if kind == LineKind::ErrorReply && counted {
            shared.error_replies.fetch_add(1, Relaxed);
        }
    };
    while let Some(end) = sys::find_byte(&data[from..], b'\n') {
        judge(&data[from..from + end]);
        from += end + 1;
    }
    if at_end || data.len() - from > LONGEST_LINE {
        judge(&data[from..]);
        from = data.len();
    }
    if counted && settled > 0 {
        shared.settled.fetch_add(settled, Relaxed);
    }
    if newest > 0 {
        shared.last_intact_ns.fetch_max(newest, Relaxed);
    }
    from
}

/// Where `needle` first occurs in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(at) = sys::find_byte(&haystack[from..], first) {
        let start = from + at;
        if haystack[start..].starts_with(needle) {
            return Some(start);
        }
        from = start + 1;
    }
    None
}
