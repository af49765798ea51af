//! What the lab 03 tests share: starting the room and joining it.

// Each test file uses its own part of this module.
#![allow(dead_code)]

use std::io::Write;
use std::net::{SocketAddr, TcpStream};

use harness::{Conversation, Peer, Process, stage_role};

/// The stage under test: `lab03`, or `lab05`, whose suite is this one (its Cargo.toml points its
/// test targets at these files).
pub const STAGE: &str = env!("CARGO_PKG_NAME");

/// The stage's own binary.
pub const BINARY: &str = env!(concat!("CARGO_BIN_EXE_", env!("CARGO_PKG_NAME")));

/// The server's first words to every connection.
pub const PROMPT: &str = "nick? (1 to 16 letters, digits, '-' or '_')\n";

/// A room server on a port the system picked, and the address it announced.
pub fn start_server(talk: &Conversation) -> (Process, SocketAddr) {
    let mut server = talk.start(stage_role!("server"), &["--port", "0"]);
    let address = server.address();
    (server, address)
}

/// A raw TCP member (what `nc` is to a person) that has joined the room as `name`.
pub fn join(talk: &Conversation, server: &mut Process, name: &str, address: SocketAddr) -> Peer {
    let mut member = talk.connect(name, address);
    member.expect(PROMPT);
    member.send_line(name);
    member.expect(&format!("* Welcome, {name}! In the room: "));
    member.expect(" Type CLOSE to leave.\n");
    server.expect(&format!("name of client is {name}\n"));
    member
}

/// A raw member that sends `name` and then reads nothing: nobody reads its socket until the
/// test does (or ever), unlike a [`Peer`], whose bytes are read as they come.
pub fn join_without_reading(talk: &Conversation, name: &str, address: SocketAddr) -> TcpStream {
    talk.step(format!(
        "connect {name}, which sends its name and then reads nothing"
    ));
    let stream = TcpStream::connect(address).expect("connect");
    (&stream)
        .write_all(format!("{name}\n").as_bytes())
        .expect("send the name");
    stream
}

/// The lab's terminal client, joined as `name`, its input piped.
pub fn join_with_client(
    talk: &Conversation,
    server: &mut Process,
    name: &str,
    address: SocketAddr,
) -> Process {
    let port = address.port().to_string();
    let mut client = talk.start(stage_role!("client"), &["--port", &port, "--name", name]);
    client.expect(&format!("* Welcome, {name}! In the room: "));
    client.expect(" Type CLOSE to leave.\n");
    server.expect(&format!("name of client is {name}\n"));
    client
}

/// A transcript with every run of 40 or more identical characters written as `[8192 × 'x']`,
/// so that a snapshot of long lines stays readable.
pub fn shorten(transcript: &str) -> String {
    let mut shortened = String::new();
    let mut chars = transcript.chars().peekable();
    while let Some(c) = chars.next() {
        let mut run = 1;
        while chars.peek() == Some(&c) {
            chars.next();
            run += 1;
        }
        if run >= 40 {
            shortened.push_str(&format!("[{run} × {c:?}]"));
        } else {
            shortened.extend(std::iter::repeat_n(c, run));
        }
    }
    shortened
}
