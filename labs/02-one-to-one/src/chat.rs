//! What both of document 000's scripts do alike: the banner, asking the user's name, and the
//! `while True:` loop of turns that ends each script.
//!
//! A one-on-one chat over blocking sockets is a game of ping-pong. At any moment a side does
//! exactly one thing: it waits for its user to type (its turn) or it waits for the other side's
//! message (their turn). It cannot wait for both, because a blocking call waits for one thing
//! only. So the two programs must agree whose turn it is: the server speaks first, and every
//! message sent hands the turn to the other side.

use std::net::TcpStream;

use labkit::clock;
use labkit::input::Keyboard;
use labkit::{Context, Failure, Result};

use crate::wire::{self, LEAVING, Received};

/// What a user types to leave the chat.
pub const EXIT: &str = "[e]";

/// Whose turn it is.
#[derive(Clone, Copy)]
pub enum Turn {
    /// This side's user types a message.
    Mine,
    /// This side waits for the other side's message.
    Theirs,
}

/// How a turn ended.
enum After {
    /// A message went by: the other side's turn now.
    Handover,
    /// Someone left with `[e]`: the chat is over, and this program ends cleanly.
    Left,
}

/// The documents' opening lines: `print("Welcome to Chat app")`, `print("Initialising....")`
/// and `print(host, "(", ip, ")")`.
///
/// The documents print `gethostbyname(gethostname())`, so that the user can tell the other
/// user which address to type. What a machine's name resolves to differs from one system to
/// the next (often `127.0.1.1`, which nobody can connect to), so the lab prints the address it
/// was told to use (`--host`) instead: on the loopback, where the labs run, that is the right
/// answer for both sides.
pub fn welcome(address: &str) {
    let machine = gethostname::gethostname().to_string_lossy().into_owned();
    println!("Welcome to Chat app");
    println!();
    println!("Initialising....");
    println!();
    println!("{machine} ( {address} )");
    println!();
}

/// `name = input("Enter your name: ")`, asked again while it is blank: an empty name would be
/// sent as zero bytes, which is no message at all (see [`my_turn`]).
pub fn ask_name(keyboard: &mut Keyboard) -> Result<String> {
    loop {
        match keyboard.read_line("Enter your name: ")? {
            None => return Err(Failure::new("the input ended before a name was given")),
            Some(name) if name.trim().is_empty() => continue,
            Some(name) => return Ok(name),
        }
    }
}

/// The `while True:` loop: turns, starting with `first`, until someone leaves.
///
/// `them` is the other user's name, as it arrived during the name exchange.
// course: cut | print the date, then take turns from first on, my_turn then their_turn or the other way round, until a turn says that someone left | guide/src/lab02-one-to-one.md#what-this-stage-teaches
pub fn converse(
    stream: &TcpStream,
    keyboard: &mut Keyboard,
    them: &str,
    first: Turn,
) -> Result<()> {
    println!("({})", clock::date());
    let mut turn = first;
    loop {
        let after = match turn {
            Turn::Mine => my_turn(stream, keyboard, them)?,
            Turn::Theirs => their_turn(stream, them)?,
        };
        turn = match after {
            After::Left => return Ok(()),
            After::Handover => match turn {
                Turn::Mine => Turn::Theirs,
                Turn::Theirs => Turn::Mine,
            },
        };
    }
}

/// `message = input("Me : ")` then `send()`; `[e]` sends "Left chat app!" and leaves.
fn my_turn(stream: &TcpStream, keyboard: &mut Keyboard, them: &str) -> Result<After> {
    let typed = loop {
        let prompt = format!("({}) Me : ", clock::time());
        match keyboard.read_line(&prompt)? {
            Some(line) if line.is_empty() => {
                // An empty message would be sent as zero bytes, which the other side never
                // sees: it would wait for it forever, and so would we for its reply. Ask again.
                continue;
            }
            Some(line) => break Some(line),
            // Ctrl-D, or the end of piped input: the user is gone, so leave as `[e]` does.
            None => {
                println!();
                break None;
            }
        }
    };
    match typed {
        Some(message) if message != EXIT => {
            wire::send(&mut &*stream, &message)
                .context(format!("could not send the message to {them}"))?;
            Ok(After::Handover)
        }
        _ => {
            wire::send(&mut &*stream, LEAVING)
                .context(format!("could not tell {them} that you left"))?;
            Ok(After::Left)
        }
    }
}

/// `message = recv(1024).decode()` then `print(...)`; "Left chat app!" ends the chat.
fn their_turn(stream: &TcpStream, them: &str) -> Result<After> {
    let message = match wire::receive(&mut &*stream) {
        Ok(Received::Message(message)) => message,
        Ok(Received::Closed) => {
            return Err(Failure::new(format!(
                "{them} has gone: the connection closed without \"{LEAVING}\""
            )));
        }
        Err(error) => return Err(error).context(format!("lost the connection to {them}")),
    };
    println!("({}) {them} : {message}", clock::time());
    if message == LEAVING {
        Ok(After::Left)
    } else {
        Ok(After::Handover)
    }
}
