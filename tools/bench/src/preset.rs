//! How to join each kind of room, and what its members receive.
//!
//! The bench sends its name at once, without waiting for the prompt (the kit's protocol allows
//! it, and the documents' servers read the name with one `recv` whenever it comes), then watches
//! the member's stream for the sign that it is in the room. All four rooms send every message to
//! every member, the sender included, so a run expects members x messages sent deliveries.

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// The kit's room (lab 03): the protocol in the guide, one line per message.
    #[value(name = "kit")]
    Kit,
    /// Document 000's threaded room (`nick`; port 8080 in its full listing).
    #[value(name = "seed000")]
    Seed000,
    /// Document 001's room (the name sent unasked; port 55555).
    #[value(name = "seed001")]
    Seed001,
    /// Document 002's room (greeting, then the name; port 33000).
    #[value(name = "seed002")]
    Seed002,
    /// Document 003's room (`NIC`; port 9090).
    #[value(name = "seed003")]
    Seed003,
}

impl Preset {
    /// The port the server listens on when nobody changed it.
    pub fn default_port(self) -> u16 {
        match self {
            Preset::Kit | Preset::Seed003 => 9090,
            Preset::Seed000 => 8080,
            Preset::Seed001 => 55555,
            Preset::Seed002 => 33000,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Preset::Kit => "kit",
            Preset::Seed000 => "seed000",
            Preset::Seed001 => "seed001",
            Preset::Seed002 => "seed002",
            Preset::Seed003 => "seed003",
        }
    }

    /// What a member sends to give its name: a line for the kit; the bare name for the
    /// documents' servers, as their clients send it (their `recv` takes whatever came).
    pub fn name_to_send(self, name: &str) -> Vec<u8> {
        match self {
            Preset::Kit => format!("{name}\n").into_bytes(),
            _ => name.as_bytes().to_vec(),
        }
    }

    /// Bytes that, once received, mean the member is in the room and will get every later
    /// message. Each ends with a character a longer name cannot continue ("bench1" must not
    /// match "bench10").
    pub fn joined_sign(self, name: &str) -> Vec<u8> {
        match self {
            // "(12:00:00) * Welcome, bench3! In the room: ..."
            Preset::Kit => format!("* Welcome, {name}!"),
            // Broadcast to everyone, the newcomer included, once it is in the list:
            // " 12:00:00 bench3 join to conversation room @@@ the subscribes[...]"
            Preset::Seed000 => format!(" {name} join to conversation room"),
            // Broadcast once it is in the list: "bench3 joined!" (no newline).
            Preset::Seed001 => format!("{name} joined!"),
            // Sent to the newcomer only. The server adds it to its list just after telling the
            // others, so a message sent in that instant can still miss it: a defect of the
            // document's server, which the bench does not hide.
            Preset::Seed002 => format!("Welcome {name}!"),
            // Broadcast once it is in the list; the name is shown as Python bytes: "b'bench3'".
            Preset::Seed003 => format!("b'{name}' joined the chat"),
        }
        .into_bytes()
    }

    /// Bytes that mean the name was refused (only the kit's room refuses names).
    pub fn refused_sign(self) -> Option<&'static [u8]> {
        match self {
            Preset::Kit => Some(b"! nickname refused"),
            _ => None,
        }
    }

    /// Does every message arrive on a line of its own after its sender's name?
    pub fn frames_lines(self) -> bool {
        self == Preset::Kit
    }
}
