//! The echo client: rules 2, 4, 5 and 7 of document 000's echo protocol.

use std::io::BufReader;

use labkit::input::Keyboard;
use labkit::{Context, Failure, Result};

use crate::message::{self, Read};

/// Sends `message` (or one typed at the prompt) to the server at `host:port` and prints the echo.
pub fn run(host: &str, port: u16, message: Option<String>) -> Result<()> {
    let message = match message {
        Some(message) => message,
        None => Keyboard::new()?
            .read_line("Message: ")?
            .ok_or_else(|| Failure::new("no message was given, so nothing was sent"))?,
    };

    // Rule 2: the client starts the session by connecting.
    let stream = labkit::net::connect(host, port)?;
    println!("connected to {host}:{port}");

    // Rule 4: send the byte string, with the delimiter that says where it ends.
    message::write(&mut &stream, message.as_bytes()).context("could not send the message")?;
    println!("sent: {message}");

    // Rule 5: listen for the reply, until its delimiter.
    let reply = message::read(&mut BufReader::new(&stream))
        .context("the connection broke before the reply arrived")?;
    let reply = match reply {
        Read::Message(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Read::Unfinished(_) => {
            return Err(Failure::new(
                "the server closed the connection before its reply was complete",
            ));
        }
        Read::TooLong => return Err(Failure::new("the server's reply is longer than the limit")),
    };
    if let Some(refusal) = reply.strip_prefix("! ") {
        return Err(Failure::new(format!(
            "the server refused the message: {refusal}"
        )));
    }
    println!("echo: {reply}");

    // Rule 7: the reply has arrived, so close the socket; dropping `stream` does it.
    Ok(())
}
