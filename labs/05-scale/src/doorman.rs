//! The doorman: one thread that turns connections away, so that the accept loop only accepts.
//!
//! Lab 03's `receive` turns a connection away itself: it writes the reason, logs it and closes
//! the socket, about 15 µs of the accept loop's time each (`perf record` of the server under
//! `bench --slowloris 8200`: the write a third, the close a sixth, the log line a sixth, the
//! accept itself an eighth). The kernel queues new connections in the order they came, so a
//! real member who connects behind 8,000 silent ones waits for every one of them to be turned
//! away first: 8,000 x 15 µs is 120 ms, and the bench saw the first member's join take from
//! under 1 ms to 90 ms, depending on how far behind the attacker the accept loop was.
//!
//! Here `receive` hands each connection it turns away to the doorman and accepts the next one
//! (a few µs); the doorman writes the reason, logs it and closes the socket, on a thread of its
//! own. A member behind the crowd is then reached after 8,000 accepts, not 8,000 accepts,
//! writes, closes and log lines. Connections still leave in the order they came (while fewer than
//! [`WAITING`] wait), each with its reason (the same line, the same log), and the accept loop
//! still waits for nobody.
//!
//! What waits at the door is bounded ([`WAITING`]): each is an open socket. Past that, or if
//! the doorman's thread cannot be started, the accept loop turns the connection away itself,
//! as lab 03 does.

use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};

use lab03::protocol;
use labkit::{log, thread};

use crate::sys;

/// How many turned-away connections may wait for the doorman: as many as the kernel's queue of
/// new connections holds (`labkit::net::BACKLOG`), so an attacker gains at most a second queue
/// of open sockets from it (each an open file: the server raises its limit to the hard limit
/// when it starts, see `sys::raise_open_file_limit`). The doorman's turn costs about as much as
/// the attacker's connect, so it rarely falls far behind.
pub const WAITING: usize = labkit::net::BACKLOG as usize;

/// A connection to turn away, and why.
type Refusal = (TcpStream, SocketAddr, &'static str);

/// The accept loop's way to the doorman's thread.
pub struct Doorman {
    /// None if the doorman's thread could not be started: the accept loop does its work.
    door: Option<SyncSender<Refusal>>,
}

impl Doorman {
    /// Starts the doorman's thread, if the system has one to spare.
    pub fn start() -> Doorman {
        let (door, refusals) = mpsc::sync_channel(WAITING);
        let started = thread::spawn("doorman", move || turn_away_all(&refusals));
        Doorman {
            door: started.is_ok().then_some(door),
        }
    }

    /// Turns `stream` (from `peer`) away with `why`: the doorman does it, or this thread if
    /// [`WAITING`] connections wait for the doorman already. Never waits.
    pub fn turn_away(&self, stream: TcpStream, peer: SocketAddr, why: &'static str) {
        let refusal = (stream, peer, why);
        let refusal = match &self.door {
            Some(door) => match door.try_send(refusal) {
                Ok(()) => return,
                Err(TrySendError::Full(refusal) | TrySendError::Disconnected(refusal)) => refusal,
            },
            None => refusal,
        };
        turn_away(refusal);
    }
}

/// The doorman's thread: turns away each connection handed over, in order.
fn turn_away_all(refusals: &Receiver<Refusal>) {
    for refusal in refusals {
        turn_away(refusal);
    }
}

/// Closes a connection the server will not serve, with its reason as its one line. The line
/// is sent without waiting: a new connection's socket buffer has room for it.
fn turn_away((stream, peer, why): Refusal) {
    log::line(format!("turned away {peer}: {why}"));
    let _ = sys::send_now(&stream, protocol::closing(why).as_bytes());
    // Dropping the stream closes the connection.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;
    use std::time::Duration;

    /// What the client side of a connection turned away reads until the server closes it.
    fn turned_away_by(doorman: &Doorman) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (stream, peer) = listener.accept().unwrap();
        doorman.turn_away(stream, peer, protocol::SERVER_BUSY);
        let mut said = String::new();
        // Ends once the connection is closed; fails if it is not closed in time.
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        client.read_to_string(&mut said).unwrap();
        said
    }

    #[test]
    fn the_doorman_sends_the_reason_and_closes_the_connection() {
        let doorman = Doorman::start();
        assert!(doorman.door.is_some(), "the doorman's thread started");
        let said = turned_away_by(&doorman);
        assert_eq!(said, protocol::closing(protocol::SERVER_BUSY));
    }

    #[test]
    fn without_a_doorman_the_caller_turns_the_connection_away_the_same() {
        let said = turned_away_by(&Doorman { door: None });
        assert_eq!(said, protocol::closing(protocol::SERVER_BUSY));
    }
}
