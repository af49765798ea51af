//! Document 000's `server.py`, step by step: listen, ask the user's name, accept one client,
//! receive its name and send ours, then chat, speaking first.
//!
//! One change to the order of things: `server.py` chats with the first connection it accepts,
//! whoever it is. A port probe (`nc -z`, which connects and closes at once) then ends it, and a
//! connection that never says a name holds it for ever while the real client is refused. So
//! this server waits for a client that completes the name exchange within a deadline
//! (`--timeout`); a connection that hangs up or stays silent is logged and closed, and the
//! server goes back to `accept()`. The wire is unchanged: one `recv(1024)` is the name.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use labkit::error::explain;
use labkit::input::Keyboard;
use labkit::{Context, Failure, Result};

use crate::chat::{self, Turn};
use crate::wire::{self, Received};

/// Runs the server side of one conversation, on `host:port`; a connecting client has
/// `patience` to say its name.
pub fn run(host: &str, port: u16, patience: Duration) -> Result<()> {
    // socket(), bind() and listen() in one call. Python binds first and listens only after
    // asking the name; listening at once lets the first line say where, as every kit server does.
    let listener = labkit::net::listen(host, port)?;
    let address = listener
        .local_addr()
        .context("cannot tell which address the server listens on")?;
    println!("listening on {address}");
    println!();

    chat::welcome(&address.ip().to_string());
    let mut keyboard = Keyboard::new()?;
    let name = chat::ask_name(&mut keyboard)?;
    println!();
    println!("Waiting for incoming connections...");
    println!();

    let (stream, them) = wait_for_client(&listener, &name, patience);
    // One conversation is all this server holds. Closing the listening socket now means that a
    // second client is refused at once, instead of waiting in the queue for an accept that will
    // never come (which is what happens to it with the document's server).
    drop(listener);
    chat::converse(&stream, &mut keyboard, &them, Turn::Mine)
}

/// `conn, addr = s.accept()`, again and again until a client has said its name; returns that
/// client's connection and name.
fn wait_for_client(listener: &TcpListener, name: &str, patience: Duration) -> (TcpStream, String) {
    loop {
        // accept(): blocks until a client connects.
        let (stream, client) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(error) => {
                println!("A connection failed before it began: {}", explain(&error));
                println!();
                continue;
            }
        };
        println!(
            "Received connection from {} ( {} )",
            client.ip(),
            client.port()
        );
        println!();
        match exchange_names(&stream, name, patience) {
            Ok(them) => return (stream, them),
            Err(failure) => {
                // `stream` is dropped at the end of this turn of the loop: that closes it.
                println!("{failure}; waiting for the next one...");
                println!();
            }
        }
    }
}

/// `s_name = conn.recv(1024)`, then `conn.send(name.encode())`: the client says its name
/// first, the server answers with its own, and all of it within `patience`.
// course: cut | within patience, receive the client's name with one wire::receive, print NAME has connected to the chat app and the [e] line, send our name, then lift the time limits for the chat | guide/src/lab02-one-to-one.md#a-probe-or-a-silent-connection
fn exchange_names(stream: &TcpStream, name: &str, patience: Duration) -> Result<String> {
    // One read and one short write: a timeout on each is a deadline for the exchange.
    stream
        .set_read_timeout(Some(patience))
        .and_then(|()| stream.set_write_timeout(Some(patience)))
        .context("could not give that client a time limit")?;
    let them = match wire::receive(&mut &*stream) {
        Ok(Received::Message(them)) => them,
        Ok(Received::Closed) => {
            return Err(Failure::new(
                "That client closed the connection before saying its name",
            ));
        }
        Err(error) if is_timeout(&error) => {
            return Err(Failure::new(format!(
                "That client said no name within {} s, so it was closed",
                patience.as_secs_f64()
            )));
        }
        Err(error) => {
            return Err(error).context("Lost that client before it said its name");
        }
    };
    println!("{them} has connected to the chat app");
    println!("Enter {} to exit the chat", chat::EXIT);
    println!();
    wire::send(&mut &*stream, name).context(format!("could not send your name to {them}"))?;
    // The turns wait for a person, who may take as long as they like.
    stream
        .set_read_timeout(None)
        .and_then(|()| stream.set_write_timeout(None))
        .context(format!(
            "could not lift the time limit on {them}'s connection"
        ))?;
    Ok(them)
}

/// A read that hit its time limit: Linux says `WouldBlock`, other systems `TimedOut`.
fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
