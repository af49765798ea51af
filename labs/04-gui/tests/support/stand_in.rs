//! A small room server inside the test, following the lab 03 room protocol: the nickname
//! handshake, the welcome and join notices, time-stamped chat to everyone, `CLOSE` and its
//! goodbye, and the leave notice.
//!
//! It exists so that the window can be tested on its own, and so that a test can make the
//! server misbehave on purpose (go away, stop answering), which the real lab 03 server does not
//! do on request. It also records every line each member sent, byte for byte, so a test can
//! check what the client put on the wire (an empty message must never be among them).

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{SystemTime, UNIX_EPOCH};

use harness::Conversation;

const PROMPT: &str = "nick? (1 to 16 letters, digits, '-' or '_')";

/// How the stand-in treats a member once it has joined.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Manner {
    /// As the protocol says.
    Polite,
    /// Never reads from it nor writes to it again, and never closes it: a server that hangs.
    Silent,
}

#[derive(Default)]
struct Room {
    members: Vec<(String, TcpStream)>,
}

impl Room {
    fn broadcast(&mut self, line: &str) {
        for (_, stream) in &mut self.members {
            writeln!(stream, "{line}").ok();
        }
    }

    fn names(&self) -> String {
        let names: Vec<&str> = self.members.iter().map(|(name, _)| name.as_str()).collect();
        names.join(", ")
    }
}

/// The stand-in server, listening on a free port of 127.0.0.1.
pub struct StandIn {
    pub address: SocketAddr,
    room: Arc<Mutex<Room>>,
    events: Receiver<String>,
}

impl StandIn {
    pub fn start(manner: Manner) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the stand-in server");
        let address = listener.local_addr().expect("the stand-in's address");
        let room = Arc::new(Mutex::new(Room::default()));
        let (log, events) = mpsc::channel();
        let shared = Arc::clone(&room);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let room = Arc::clone(&shared);
                let log = log.clone();
                thread::spawn(move || serve(stream, &room, &log, manner));
            }
        });
        StandIn {
            address,
            room,
            events,
        }
    }

    /// Waits until the stand-in records `event` (`"مریم sent \"hello\""`, `"مریم left (CLOSE)"`),
    /// and returns the events recorded before it.
    pub fn expect(&self, talk: &Conversation, event: &str) -> Vec<String> {
        talk.step(format!("the stand-in server records {event:?}"));
        let mut before = Vec::new();
        loop {
            match self.events.recv_timeout(harness::timeout()) {
                Ok(got) if got == event => return before,
                Ok(got) => before.push(got),
                Err(_) => talk.fail(&format!(
                    "expected the stand-in to record {event:?}; it recorded {before:#?}"
                )),
            }
        }
    }

    /// The server goes away: every member's connection is closed at once.
    pub fn go_away(&self) {
        let room = self.room.lock().unwrap();
        for (_, stream) in &room.members {
            stream.shutdown(Shutdown::Both).ok();
        }
    }
}

fn stamp() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        % 86_400;
    format!(
        "({:02}:{:02}:{:02})",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

fn read_line(reader: &mut impl BufRead) -> Option<String> {
    let mut line = String::new();
    match reader.read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_string()),
    }
}

fn serve(stream: TcpStream, room: &Mutex<Room>, log: &Sender<String>, manner: Manner) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;

    let name = loop {
        writeln!(writer, "{PROMPT}").ok();
        let Some(name) = read_line(&mut reader) else {
            return;
        };
        log.send(format!("name {name:?}")).ok();
        let mut room = room.lock().unwrap();
        let refusal = if name.is_empty() {
            Some("it is empty".to_string())
        } else if room.members.iter().any(|(taken, _)| *taken == name) {
            Some(format!("{name} is already in the room"))
        } else {
            None
        };
        match refusal {
            Some(reason) => {
                writeln!(writer, "! nickname refused: {reason}").ok();
            }
            None => {
                room.members
                    .push((name.clone(), writer.try_clone().unwrap()));
                let names = room.names();
                writeln!(
                    writer,
                    "{} * Welcome, {name}! In the room: {names}. Type CLOSE to leave.",
                    stamp()
                )
                .ok();
                let joined = format!("{} * {name} joined! In the room: {names}.", stamp());
                for (other, stream) in &mut room.members {
                    if *other != name {
                        writeln!(stream, "{joined}").ok();
                    }
                }
                break name;
            }
        }
    };
    if manner == Manner::Silent {
        // The room keeps its copy of the connection open; nobody reads it any more.
        log.send(format!("{name} is ignored")).ok();
        return;
    }

    let how = loop {
        let Some(line) = read_line(&mut reader) else {
            break "connection lost";
        };
        log.send(format!("{name} sent {line:?}")).ok();
        if line == "CLOSE" {
            writeln!(writer, "{} * Goodbye, {name}!", stamp()).ok();
            break "CLOSE";
        }
        if !line.is_empty() {
            let said = format!("{} {name}: {line}", stamp());
            room.lock().unwrap().broadcast(&said);
        }
    };
    writer.shutdown(Shutdown::Both).ok();
    let mut room = room.lock().unwrap();
    room.members.retain(|(member, _)| *member != name);
    room.broadcast(&format!("{} * {name} left!", stamp()));
    log.send(format!("{name} left ({how})")).ok();
}
