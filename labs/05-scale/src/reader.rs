//! One thread that reads every member's lines, once it has joined.
//!
//! In lab 03, each member's thread (the documents' `handle`) waits in `read` for the member's
//! next line. Waiting costs nothing; waking up does: for every line a member sends, the kernel
//! wakes its thread, which reads a few bytes, tells the room, and goes back to sleep. Under
//! `bench` 100 x 200 at once, the member threads of this stage went to sleep 16,093 times for
//! the run's 20,000 lines, and the server switched threads 12,000 to 23,000 times a run.
//!
//! Here a member's own thread only asks for its name (`server::handle`). Once the member has
//! joined, [`Reader::adopt`] hands its socket to one thread for the whole room, which asks the
//! kernel which sockets have something to read (epoll, see `sys::Poll`), takes what each holds
//! without waiting, cuts it into lines (see the splitter module), and decides each line as
//! lab 03's `handle` does: a message for the room, a reply to its sender, or its leave. While
//! it works through one member's bytes, the others' pile up in their sockets, to be read in one
//! go: the busier the room, the more lines a wake-up brings.
//!
//! The pace (see the pace module) no longer puts a member's thread to sleep: a member past its
//! share *rests*. Its socket is not watched until its time comes; its lines wait in the kernel,
//! as before, and nobody else's do; what was read of it and not cut into lines yet (one read at
//! most, [`READ_SIZE`]) waits here. Nothing here waits for one member but what the room makes
//! every speaker wait for: `Room::say` waits for a member that reads slowly (see the outbox
//! module: for as long as it takes lines, up to 150 ms once it takes none, and not again until
//! it has caught up) and for the postman (see the load module). That is the price of one thread
//! for everybody: while it waits, nobody is read, where a thread per member made only the
//! speakers wait.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use lab03::flood::Flood;
use lab03::framing::{LINE_LIMIT, Line};
use lab03::gate::Pass;
use lab03::{protocol, text};
use labkit::error::explain;
use labkit::{clock, log};

use crate::meter::Length;
use crate::outbox::Outbox;
use crate::pace::{self, Next, Pace};
use crate::room::Room;
use crate::splitter::LineSplitter;
use crate::sys::{self, Poll};

/// How much one read takes from a member's socket, at most: hundreds of chat lines. A member
/// gets one read a turn, then the others get theirs; a member that rests keeps what was read
/// and not cut into lines yet, so this is also the most a member makes the server hold (besides
/// one unfinished line).
const READ_SIZE: usize = 16 * 1024;

/// The token of the reading thread's bell (see [`Reader::adopt`]); members' tokens count up from
/// zero and never reach it.
const BELL: u64 = u64::MAX;

/// A member that has just joined, handed over by its `handle` thread.
pub struct Joined {
    pub name: String,
    pub socket: Arc<TcpStream>,
    pub outbox: Arc<Outbox>,
    /// Its share of lines, what its name used of it taken.
    pub pace: Pace,
    /// Its pass through the gate, held and never read: the connection counts as one of the
    /// server's until it leaves, and the pass is dropped with it.
    pub _pass: Pass,
    /// What was read past its name: the start of its first lines.
    pub unread: Vec<u8>,
}

/// Where members that have joined are handed to the reading thread.
pub struct Reader {
    joined: Sender<Joined>,
    /// Rung for every member handed over: its first lines may have arrived with its name,
    /// already read, and then its socket has nothing to report.
    bell: UnixStream,
}

impl Reader {
    /// Starts the reading thread for `room`.
    pub fn start(room: Arc<Room>) -> io::Result<Reader> {
        let (bell, heard) = UnixStream::pair()?;
        // A bell that already rings needs no second ring (`adopt`), and the reading thread
        // takes every ring at once.
        bell.set_nonblocking(true)?;
        heard.set_nonblocking(true)?;
        let poll = Poll::new()?;
        poll.watch(&heard, BELL)?;
        let (joined, arrivals) = mpsc::channel();
        let reading = Reading {
            poll,
            bell: heard,
            arrivals,
            room,
            members: HashMap::new(),
            next_token: 0,
            rests: BinaryHeap::new(),
            buffer: vec![0; READ_SIZE],
        };
        labkit::thread::spawn("reader", move || reading.run())?;
        Ok(Reader { joined, bell })
    }

    /// Hands `member` to the reading thread, which reads it from now on and closes its outbox
    /// when it leaves.
    pub fn adopt(&self, member: Joined) {
        // The reading thread never ends, so it is always there to receive.
        let _ = self.joined.send(member);
        // Full means ringing already (and nothing else can fail on a local socket pair).
        let _ = (&self.bell).write(&[1]);
    }
}

/// The reading thread's own state.
struct Reading {
    poll: Poll,
    /// The bell's other end, watched with the members' sockets.
    bell: UnixStream,
    arrivals: Receiver<Joined>,
    room: Arc<Room>,
    members: HashMap<u64, Member>,
    /// The next member's token: tokens are never used twice, so a report about a member that
    /// has left names nobody.
    next_token: u64,
    /// When each resting member may be read again, the earliest first.
    rests: BinaryHeap<Reverse<(Instant, u64)>>,
    /// Every read lands here; what a member's turn leaves uncut is copied into the member.
    buffer: Vec<u8>,
}

/// A member, as the reading thread knows it.
struct Member {
    joined: Joined,
    /// What arrived and was not cut into lines yet: empty, but while the member rests (and
    /// right after it joined, what arrived with its name).
    waiting: Vec<u8>,
    lines: LineSplitter,
    /// How long its line is so far, for its share (see the meter module).
    length: Length,
    /// What the log shows of its messages.
    logged: Flood,
    /// Whether it rests, its socket unwatched (its time to be read again waits in `rests`).
    resting: bool,
}

/// What the member's turn ended with (see [`take_turn`]).
enum Turn {
    /// It has nothing more to read for now.
    Done,
    /// It is past its share: nothing more of it is read for this long.
    Rest(Duration),
    /// It leaves.
    Leave(Leaving),
}

/// Why a member's session ended.
enum Leaving {
    /// It sent `CLOSE` (or document 001's `CLOSE123123`).
    Close,
    /// It sent `shutdown` (document 002).
    Shutdown,
    /// Its connection ended without a word: killed, network gone, or dropped by the room.
    Lost,
    /// It stayed past its share of lines for too long (see the pace module).
    TooFast,
}

impl Reading {
    fn run(mut self) {
        let mut ready = Vec::new();
        loop {
            let timeout = self
                .rests
                .peek()
                .map(|Reverse((due, _))| due.saturating_duration_since(Instant::now()));
            if let Err(error) = self.poll.wait(&mut ready, timeout) {
                // Only a broken epoll fails here (the kernel's word, not a member's): say so,
                // and try again rather than stop reading everybody.
                log::line(format!("cannot wait for the members: {}", explain(&error)));
                thread::sleep(Duration::from_millis(100));
                continue;
            }
            for &token in &ready {
                match token {
                    BELL => self.welcome(),
                    token => self.serve(token),
                }
            }
            self.wake_rested();
        }
    }

    /// Takes the members handed over since the bell last rang, and reads what they sent.
    fn welcome(&mut self) {
        while let Ok(read) = (&self.bell).read(&mut self.buffer) {
            if read == 0 {
                break;
            }
        }
        while let Ok(mut joined) = self.arrivals.try_recv() {
            let token = self.next_token;
            self.next_token += 1;
            let watched = self.poll.watch(&*joined.socket, token);
            let member = Member {
                // The name's meter counted these bytes already. The line they start is counted
                // from its next bytes on: at most once a member, at most 4 KiB short (the name's
                // line reader buffers no more), under the 8 KiB a line may hold anyway.
                waiting: std::mem::take(&mut joined.unread),
                lines: LineSplitter::default(),
                length: Length::default(),
                logged: Flood::default(),
                resting: false,
                joined,
            };
            self.members.insert(token, member);
            match watched {
                Ok(()) => self.serve(token),
                Err(error) => self.unwatchable(token, &error),
            }
        }
    }

    /// The kernel would not watch the member's socket (its watch list is full,
    /// `fs.epoll.max_user_watches`): the member could never be read again. It is told the room
    /// is full, as at the door, and leaves.
    fn unwatchable(&mut self, token: u64, error: &io::Error) {
        if let Some(member) = self.members.get(&token) {
            let Joined { name, outbox, .. } = &member.joined;
            log::line(format!("cannot read {name}: {}", explain(error)));
            self.room
                .tell(outbox, &protocol::closing(protocol::ROOM_FULL));
        }
        self.leave(token, Leaving::Lost);
    }

    /// Gives the member of `token` its turn, unless it has left or rests.
    fn serve(&mut self, token: u64) {
        let Some(member) = self.members.get_mut(&token) else {
            return;
        };
        if member.resting {
            return;
        }
        let turn = take_turn(member, &mut self.buffer, &self.room);
        self.end_turn(token, turn);
    }

    fn end_turn(&mut self, token: u64, turn: Turn) {
        match turn {
            Turn::Done => {}
            Turn::Rest(wait) => self.rest(token, wait),
            Turn::Leave(leaving) => self.leave(token, leaving),
        }
    }

    /// Stops watching a member past its share for `wait`.
    fn rest(&mut self, token: u64, wait: Duration) {
        let Some(member) = self.members.get_mut(&token) else {
            return;
        };
        let due = Instant::now() + wait;
        member.resting = true;
        self.rests.push(Reverse((due, token)));
        // Taking a watched socket out of the set cannot fail (it is there, and open); if it did,
        // the member would be reported, and passed over, until its rest ends.
        let _ = self.poll.pause(&*member.joined.socket);
    }

    /// Reads again the members whose rest is over, starting with the lines already waiting.
    fn wake_rested(&mut self) {
        let now = Instant::now();
        while let Some(&Reverse((due, token))) = self.rests.peek() {
            if due > now {
                return;
            }
            self.rests.pop();
            let Some(member) = self.members.get_mut(&token) else {
                continue;
            };
            member.resting = false;
            // Putting it back takes a place in the kernel's watch list, which a newcomer may
            // have taken meanwhile.
            match self.poll.resume(&*member.joined.socket, token) {
                Ok(()) => self.serve(token),
                Err(error) => self.unwatchable(token, &error),
            }
        }
    }

    /// The member of `token` leaves: the room is told, as lab 03's `handle` tells it, and its
    /// connection is closed once its last lines are sent.
    fn leave(&mut self, token: u64, leaving: Leaving) {
        let Some(mut member) = self.members.remove(&token) else {
            return;
        };
        let Joined {
            name,
            socket,
            outbox,
            ..
        } = &member.joined;
        let _ = self.poll.forget(&**socket);
        member.logged.count(name);
        let room = &self.room;
        if room.leave(name) {
            if matches!(leaving, Leaving::TooFast) {
                log::line(format!("{name} dropped: {}", pace::SENT_TOO_FAST));
                room.tell(outbox, &protocol::closing(pace::SENT_TOO_FAST));
            }
            let reason = match leaving {
                Leaving::Close => "CLOSE",
                Leaving::Shutdown => "shutdown",
                Leaving::Lost => "connection lost",
                Leaving::TooFast => "dropped",
            };
            log::line(format!("{name} left ({reason})"));
            if matches!(leaving, Leaving::Close | Leaving::Shutdown) {
                room.tell(outbox, &protocol::goodbye(&clock::time(), name));
            }
        }
        outbox.close();
        // Its pass goes with it: the gate counts one connection less.
    }
}

/// Counts `lines` more against `pace`, all at once, and says what comes next.
fn charge(pace: &mut Pace, lines: usize) -> Next {
    let mut next = Next::ReadOn;
    for _ in 0..lines {
        match pace.take_line(Instant::now()) {
            Next::Exceeded => return Next::Exceeded,
            // The last wait is the longest: the lines before it are counted in it.
            told => next = told,
        }
    }
    next
}

/// One member's turn: the lines waiting, one read of its socket, and the lines that read
/// completed, for as long as its share lets them be read. The messages that arrived together
/// are said together: the room then queues them to each member in one go (see `Room::say`).
fn take_turn(member: &mut Member, buffer: &mut [u8], room: &Room) -> Turn {
    let mut arrived = Vec::new();
    let turn = hear_all(member, buffer, room, &mut arrived);
    room.say(&member.joined.name, &arrived);
    turn
}

/// The turn itself: the lines said are gathered in `arrived`. What is left to cut when the
/// turn ends early waits in the member (`waiting`) for its next turn.
fn hear_all(
    member: &mut Member,
    buffer: &mut [u8],
    room: &Room,
    arrived: &mut Vec<String>,
) -> Turn {
    let waiting = std::mem::take(&mut member.waiting);
    let mut bytes = &waiting[..];
    if let Some(turn) = hear_lines(member, &mut bytes, room, arrived) {
        member.waiting = bytes.to_vec();
        return turn;
    }
    let read = match sys::receive_now(&member.joined.socket, buffer) {
        Ok(None) => return Turn::Done,
        Ok(Some(0)) => {
            if member.lines.is_unfinished() {
                let name = &member.joined.name;
                log::line(format!("{name}'s last line was cut off: it was not sent"));
            }
            return Turn::Leave(Leaving::Lost);
        }
        Ok(Some(read)) => read,
        // Reset, or gone: as lab 03's `handle` sees it, the connection is lost.
        Err(_) => return Turn::Leave(Leaving::Lost),
    };
    let mut bytes = &buffer[..read];
    // A line past the limit costs more as it arrives (see the meter module).
    let turn = match charge(&mut member.joined.pace, member.length.add(bytes)) {
        Next::ReadOn => hear_lines(member, &mut bytes, room, arrived),
        Next::Wait(wait) => Some(Turn::Rest(wait)),
        Next::Exceeded => return Turn::Leave(Leaving::TooFast),
    };
    match turn {
        Some(turn) => {
            member.waiting = bytes.to_vec();
            turn
        }
        None => Turn::Done,
    }
}

/// Cuts `bytes` into lines and decides each, until they hold no more whole line (None) or the
/// member's turn is over; `bytes` is then what is left to cut.
fn hear_lines(
    member: &mut Member,
    bytes: &mut &[u8],
    room: &Room,
    arrived: &mut Vec<String>,
) -> Option<Turn> {
    let Joined {
        name, outbox, pace, ..
    } = &mut member.joined;
    while let Some(line) = member.lines.next_line(bytes) {
        let next = pace.take_line(Instant::now());
        if next == Next::Exceeded {
            return Some(Turn::Leave(Leaving::TooFast)); // This line, and the rest, are dropped.
        }
        match hear(line, name, &mut member.logged) {
            Heard::Message(text) => arrived.push(text),
            Heard::Nothing => {}
            Heard::Reply(reply) => {
                // The member's earlier lines go out before its error reply, as they came.
                room.say(name, arrived);
                arrived.clear();
                room.tell(outbox, &reply);
            }
            Heard::Leave(leaving) => return Some(Turn::Leave(leaving)),
        }
        if let Next::Wait(wait) = next {
            return Some(Turn::Rest(wait));
        }
    }
    None
}

/// What a line of a member is to the room.
enum Heard {
    /// A message, for everybody.
    Message(String),
    /// An error reply, for its sender only.
    Reply(String),
    /// Its sender leaves.
    Leave(Leaving),
    /// Nothing (an empty line).
    Nothing,
}

/// Lab 03's `handle`, for one line of `name`'s.
fn hear(line: Line, name: &str, logged: &mut Flood) -> Heard {
    match line {
        Line::TooLong => Heard::Reply(protocol::line_too_long(LINE_LIMIT)),
        Line::NotUtf8 => Heard::Reply(protocol::not_utf8()),
        Line::Text(text) => match text.as_str() {
            "CLOSE" | "CLOSE123123" => Heard::Leave(Leaving::Close),
            "shutdown" => Heard::Leave(Leaving::Shutdown),
            "" => Heard::Nothing,
            _ => match text::check(&text) {
                Err(reply) => Heard::Reply(protocol::refused(&reply)),
                Ok(()) => {
                    logged.says(name, &text);
                    Heard::Message(text)
                }
            },
        },
    }
}
