//! Document 000's `server.py`, step by step: listen, ask the user's name, accept one client,
//! receive its name and send ours, then chat, speaking first.

use std::net::TcpStream;

use labkit::input::Keyboard;
use labkit::{Context, Failure, Result};

use crate::chat::{self, Turn};
use crate::wire::{self, Received};

/// Runs the server side of one conversation, on `host:port`.
pub fn run(host: &str, port: u16) -> Result<()> {
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

    // accept(): blocks until a client connects.
    let (stream, client) = listener.accept().context("could not accept a connection")?;
    // One conversation is all this server holds. Closing the listening socket now means that a
    // second client is refused at once, instead of waiting in the queue for an accept that will
    // never come (which is what happens to it with the document's server).
    drop(listener);
    println!(
        "Received connection from {} ( {} )",
        client.ip(),
        client.port()
    );
    println!();

    let them = exchange_names(&stream, &name)?;
    chat::converse(&stream, &mut keyboard, &them, Turn::Mine)
}

/// `s_name = conn.recv(1024)`, then `conn.send(name.encode())`: the client says its name
/// first, the server answers with its own.
fn exchange_names(stream: &TcpStream, name: &str) -> Result<String> {
    let them = match wire::receive(&mut &*stream)
        .context("lost the connection before the client said its name")?
    {
        Received::Message(them) => them,
        Received::Closed => {
            return Err(Failure::new(
                "the client closed the connection before saying its name",
            ));
        }
    };
    println!("{them} has connected to the chat app");
    println!("Enter {} to exit the chat", chat::EXIT);
    println!();
    wire::send(&mut &*stream, name).context(format!("could not send your name to {them}"))?;
    Ok(them)
}
