//! The echo server: rules 1, 3 and 6 of document 000's echo protocol.
//!
//! It serves one client after another, like the documents' first programs: accept a
//! connection, read one message, send it back, close, and log what happened. Because it serves
//! one client at a time, a client that connects and says nothing, or sends its message one byte
//! every few seconds, would keep every other client waiting forever; so each client's whole
//! session has a deadline (`--timeout`, see [`crate::deadline`]), and whatever a client does
//! (stays silent, trickles, hangs up mid-message, sends bytes that are not text), the server
//! logs it in one line and goes on with the next.
//!
//! | document 000's rule                                  | this module             |
//! |------------------------------------------------------|-------------------------|
//! | 1. TCP; 3. accept, then listen for a byte string     | [`run`], the echo loop  |
//! | 3. listen for the byte string; 6. send it back       | `echo`                  |

use std::io::BufReader;
use std::net::TcpStream;
use std::time::Duration;

use labkit::error::explain;
use labkit::{Context, Result};

use crate::deadline::Deadline;
use crate::message::{self, Read};

/// Listens on `host:port` and serves clients, one after another, until the process is stopped;
/// each client has `patience` for its whole session.
// course: cut | listen on host:port, print listening on ADDRESS, then accept clients one after another and hand each to serve, logging a failed accept and going on | guide/src/lab01-echo.md#reading-the-code
pub fn run(host: &str, port: u16, patience: Duration) -> Result<()> {
    // Rule 1: TCP. `listen` is Python's socket() + bind() + listen().
    let listener = labkit::net::listen(host, port)?;
    let address = listener
        .local_addr()
        .context("cannot tell which address the server listens on")?;
    println!("listening on {address}");

    // Rule 3: accept a connection, then listen for the client's byte string.
    for connection in listener.incoming() {
        match connection {
            Ok(stream) => serve(stream, patience),
            Err(error) => println!("a connection failed before it began: {}", explain(&error)),
        }
    }
    Ok(())
}

/// One client's session, logged as two lines: who connected, and how it ended.
fn serve(stream: TcpStream, patience: Duration) {
    let client = match stream.peer_addr() {
        Ok(address) => address.to_string(),
        Err(_) => "a client that has already gone".to_string(),
    };
    println!("connected with {client}");
    println!("{client} {}", echo(stream, patience));
    // The stream is dropped here, which closes the connection.
}

/// Reads the client's message and sends it back (rule 6), all within `patience` from now; says
/// what happened.
fn echo(stream: TcpStream, patience: Duration) -> String {
    // One deadline for the whole session: it does not restart with each byte that arrives.
    let mut deadline = Deadline::new(&stream, patience);
    let mut reader = BufReader::new(deadline);
    // What to send back, and the log line that says what happened.
    let (answer, outcome) = match message::read(&mut reader) {
        Ok(Read::Message(bytes)) => match String::from_utf8(bytes) {
            Ok(text) => {
                let outcome = format!("sent {}; echoed it", describe(&text));
                (text, outcome)
            }
            Err(_) => (
                "! not UTF-8: the message was not echoed".to_string(),
                "sent bytes that are not UTF-8 text; told it so".to_string(),
            ),
        },
        Ok(Read::TooLong) => (
            format!("! too long: the limit is {} bytes", message::LIMIT),
            "sent more than the limit without a delimiter; told it so".to_string(),
        ),
        Ok(Read::Unfinished(bytes)) => {
            return format!(
                "hung up after {} bytes, before the end of its message",
                bytes.len()
            );
        }
        Err(error) if is_timeout(&error) => {
            return format!(
                "sent no whole message within {} s; gave up on it",
                patience.as_secs_f64()
            );
        }
        Err(error) => return format!("lost the connection: {}", explain(&error)),
    };
    match message::write(&mut deadline, answer.as_bytes()) {
        Ok(()) => outcome,
        Err(error) => format!("could not be answered: {}", explain(&error)),
    }
}

/// A read that hit its deadline: Linux says `WouldBlock`, other systems (and [`Deadline`] once
/// the time is spent) `TimedOut`.
fn is_timeout(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// `5 bytes: "hello"`, shortened when the message is long.
fn describe(text: &str) -> String {
    const SHOWN: usize = 40;
    if text.chars().count() <= SHOWN {
        format!("{} bytes: {text:?}", text.len())
    } else {
        let start: String = text.chars().take(SHOWN).collect();
        format!("{} bytes: {start:?}...", text.len())
    }
}
