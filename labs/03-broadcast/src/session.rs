//! The documents' `handle`: one connection's whole session, on its own thread. It asks for a
//! nickname, joins the room, then turns each line into a room event until the member leaves.

use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use labkit::{clock, log};

use crate::flood::Flood;
use crate::framing::{self, LINE_LIMIT, Line, LineReader};
use crate::gate::Pass;
use crate::naming::{self, Timed};
use crate::outbox::Outbox;
use crate::room::Room;
use crate::{nickname, protocol, text};

/// The connection's pass through the gate, and its name's deadline.
pub type Naming = (Pass, Instant);

/// A connection's lines, as they arrive.
type Lines<'a> = LineReader<&'a Timed<'a>>;

/// The documents' `handle`: reads the connection's lines and tells the room. `naming`: the
/// connection's pass through the gate (counted until this returns), and when its name must have
/// arrived.
// course: cut | read through naming::Timed (the name's deadline) and ask for a name until the room accepts one; then pass.named() and timed.joined(), read line after line and broadcast each message until the member leaves; announce the leave | guide/src/lab03-broadcast.md#handle
pub fn handle(socket: TcpStream, peer: SocketAddr, outbox: Outbox, room: &Room, naming: Naming) {
    let (mut pass, deadline) = naming;
    let timed = Timed::new(&socket, deadline);
    let mut lines = LineReader::new(&timed, LINE_LIMIT);
    // `None`: gone (or dropped, or the server stopping) before choosing a name: not announced.
    let Some(name) = choose_name(&mut lines, &outbox, room) else {
        return log_why_dropped(&outbox, &peer.to_string());
    };
    pass.named();
    timed.joined();
    log::line(format!("name of client is {name}"));
    let leaving = converse(&mut lines, &outbox, room, &name);
    log_why_dropped(&outbox, &name);
    if room.leave(&name) {
        log::line(format!("{name} left ({leaving})"));
        if leaving != "connection lost" {
            outbox.push(&protocol::goodbye(&clock::time(), &name).into());
        }
    }
    // Returning drops this outbox, the last one once it has left: its writer sends what is
    // queued and closes the connection.
}

/// Asks for a nickname until an acceptable one arrives; `None` if the connection ends first.
fn choose_name(lines: &mut Lines, outbox: &Outbox, room: &Room) -> Option<String> {
    loop {
        outbox.push(&protocol::prompt().into());
        let line = lines.read_line();
        if line.as_ref().is_err_and(naming::is_timeout) {
            outbox.drop_for(protocol::NO_NAME_IN_TIME);
            return None;
        }
        let refusal = match nickname::from_line(line.ok()??) {
            Err(reason) => reason,
            Ok(name) => match room.join(&name, outbox) {
                Ok(()) => return Some(name),
                Err(taken) => taken?,
            },
        };
        outbox.push(&protocol::nickname_refused(&refusal).into());
    }
}

/// Logs why the server dropped this connection, if it did: its reader saw only the end.
fn log_why_dropped(outbox: &Outbox, who: &str) {
    if let Some(why) = outbox.dropped() {
        log::line(format!("{who} dropped: {why}"));
    }
}

/// A member's lines, once it has joined, until it leaves; returns how it left.
fn converse(lines: &mut Lines, outbox: &Outbox, room: &Room, name: &str) -> &'static str {
    let mut flood = Flood::default();
    // Messages that arrived together are said together: one lock of the room, and one wake-up
    // of each member's writer, for all of them.
    let mut said = String::new();
    let leaving = loop {
        if !lines.has_whole_line() {
            say(room, &mut said);
        }
        let reply = match lines.read_line() {
            Ok(Some(Line::Text(text))) => match text.as_str() {
                "CLOSE" | "CLOSE123123" => break "CLOSE",
                "shutdown" => break "shutdown",
                "" => continue,
                _ => match text::check(&text) {
                    Err(reply) => protocol::refused(&reply),
                    Ok(()) => {
                        flood.says(name, &text);
                        said += &protocol::message(&clock::time(), name, &text);
                        continue;
                    }
                },
            },
            Ok(Some(Line::TooLong)) => protocol::line_too_long(LINE_LIMIT),
            Ok(Some(Line::NotUtf8)) => protocol::not_utf8(),
            Err(error) if framing::is_cut(&error) => {
                log::line(format!("{name}'s last line was cut off: it was not sent"));
                break "connection lost";
            }
            _ => break "connection lost",
        };
        say(room, &mut said); // What came before the reply goes first.
        outbox.push(&reply.into());
    };
    say(room, &mut said);
    flood.count(name);
    leaving
}

/// Broadcasts the messages in `said`, if any, and empties it.
fn say(room: &Room, said: &mut String) {
    if !said.is_empty() {
        room.broadcast(said);
        said.clear();
    }
}
