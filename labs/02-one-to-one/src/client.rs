//! Document 000's `client.py`, step by step: ask the server's address and the user's name,
//! connect, send our name and receive the server's, then chat, listening first.

use std::net::TcpStream;

use labkit::input::Keyboard;
use labkit::{Context, Failure, Result};

use crate::chat::{self, Turn};
use crate::wire::{self, Received};

/// Runs the client side of one conversation. `default_host` (`--host`) is used when the user
/// just presses Enter at "Enter server address: "; `port` is the server's port.
pub fn run(default_host: &str, port: u16) -> Result<()> {
    chat::welcome(default_host);
    let mut keyboard = Keyboard::new()?;
    let host = match keyboard.read_line("Enter server address: ")? {
        None => {
            return Err(Failure::new(
                "the input ended before a server address was given",
            ));
        }
        Some(typed) if typed.trim().is_empty() => default_host.to_string(),
        Some(typed) => typed.trim().to_string(),
    };
    println!();
    let name = chat::ask_name(&mut keyboard)?;
    println!();

    // socket() and connect() in one call.
    println!("Trying to connect to {host} ( {port} )");
    println!();
    let stream = labkit::net::connect(&host, port)?;
    println!("Connected...");
    println!();

    let them = exchange_names(&stream, &name)?;
    chat::converse(&stream, &mut keyboard, &them, Turn::Theirs)
}

/// `s.send(name.encode())`, then `s_name = s.recv(1024)`: our name first, then the server's.
// course: cut | send our name with wire::send, receive the server's with one wire::receive, then print NAME has joined the chat app and the [e] line | guide/src/lab02-one-to-one.md#reading-the-code
fn exchange_names(stream: &TcpStream, name: &str) -> Result<String> {
    wire::send(&mut &*stream, name).context("could not send your name to the server")?;
    let them = match wire::receive(&mut &*stream)
        .context("lost the connection before the server said its name")?
    {
        Received::Message(them) => them,
        Received::Closed => {
            return Err(Failure::new(
                "the server closed the connection before saying its name",
            ));
        }
    };
    println!("{them} has joined the chat app");
    println!("Enter {} to exit the chat", chat::EXIT);
    println!();
    Ok(them)
}
