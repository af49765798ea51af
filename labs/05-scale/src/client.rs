//! The terminal client: document 001's client, with its two halves, `receive` (a thread that
//! prints what the room says) and `write` (the main thread, which sends what the user types).
//!
//! Differences from the document's client, each fixing something it gets wrong:
//! - it sends only the text; the server adds the name, so nobody can write under another's;
//! - lines from the room are printed above the line being typed (labkit's `Printer`), not
//!   through the middle of it;
//! - when the server goes away it says so and ends, instead of waiting for input that can no
//!   longer be sent;
//! - `CLOSE` (or `CLOSE123123`, or `shutdown`) asks the server to end the session, and the
//!   client waits for the server's goodbye, so nothing said before it is lost.

use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use labkit::cli::Address;
use labkit::error::{Context, Failure, Result};
use labkit::input::{Interrupter, Keyboard, Printer};
use labkit::net;

use crate::framing::{LINE_LIMIT, Line, LineReader};

/// The longest line the client accepts from the server: a member's line plus its time stamp
/// and name.
const INCOMING_LIMIT: usize = 2 * LINE_LIMIT;

/// Joins the room at `address` as `name` (asked for if `None`), then chats until the user
/// leaves (success) or the server goes away (failure).
pub fn chat(address: &Address<9090>, name: Option<String>) -> Result<()> {
    let stream = net::connect(&address.host, address.port)?;
    let _ = stream.set_nodelay(true);
    let gone = format!("the server at {address} closed the connection");
    let mut to_server = stream
        .try_clone()
        .context("cannot use the connection to the server")?;
    let mut from_server = LineReader::new(stream, INCOMING_LIMIT);
    let mut keyboard = Keyboard::new()?;

    if !join(&mut from_server, &mut to_server, &mut keyboard, name, &gone)? {
        return Ok(()); // The user gave up choosing a name (Ctrl-D).
    }

    let leaving = Arc::new(AtomicBool::new(false));
    let server_gone = Arc::new(AtomicBool::new(false));
    let receiver = {
        let printer = keyboard.printer()?;
        let interrupter = keyboard.interrupter();
        let (leaving, server_gone, gone) = (leaving.clone(), server_gone.clone(), gone.clone());
        thread::Builder::new()
            .name("receive".to_string())
            .spawn(move || {
                receive(
                    from_server,
                    printer,
                    &leaving,
                    &server_gone,
                    &interrupter,
                    &gone,
                )
            })
            .context("cannot start the receiving thread")?
    };

    // `write`: what the user types goes to the room; Ctrl-D or Ctrl-C leaves like CLOSE.
    loop {
        let typed = keyboard.read_line("")?;
        if server_gone.load(Ordering::SeqCst) {
            return Err(Failure::new(gone));
        }
        let line = typed.unwrap_or_else(|| "CLOSE".to_string());
        let asks_to_leave = matches!(line.as_str(), "CLOSE" | "CLOSE123123" | "shutdown");
        if asks_to_leave {
            leaving.store(true, Ordering::SeqCst);
        }
        if send(&mut to_server, &line).is_err() {
            // Nobody is reading the keyboard any more: the receiving thread must not try to
            // interrupt it.
            leaving.store(true, Ordering::SeqCst);
            return Err(Failure::new(gone));
        }
        if asks_to_leave {
            break;
        }
    }
    // Wait for the server's goodbye and the end of the connection.
    let _ = receiver.join();
    if server_gone.load(Ordering::SeqCst) {
        return Err(Failure::new(gone));
    }
    Ok(())
}

/// The handshake: answers the server's `nick?` prompts until a name is accepted. False if the
/// user gave up.
fn join(
    from_server: &mut LineReader<TcpStream>,
    to_server: &mut TcpStream,
    keyboard: &mut Keyboard,
    mut name: Option<String>,
    gone: &str,
) -> Result<bool> {
    loop {
        let Ok(Some(Line::Text(line))) = from_server.read_line() else {
            return Err(Failure::new(gone));
        };
        if line.starts_with("nick?") {
            let chosen = match name.take() {
                Some(name) => name,
                None => match keyboard.read_line(&format!("{line} "))? {
                    Some(typed) => typed,
                    None => return Ok(false),
                },
            };
            send(to_server, &chosen).map_err(|_| Failure::new(gone))?;
        } else {
            // A refusal ("! nickname refused: ...") is followed by a new prompt; anything else
            // is the welcome.
            // Not println!: it panics when nobody reads our output (`lab03 client | head -1`).
            writeln!(std::io::stdout(), "{}", printable(&line))
                .context("cannot write to the terminal")?;
            if !line.starts_with("! ") {
                return Ok(true);
            }
        }
    }
}

/// `receive`: prints every line from the room until the connection ends. If the user did not
/// ask for that, the server has gone: stop the keyboard, or the whole program when the keyboard
/// is a pipe that cannot be interrupted.
fn receive(
    mut from_server: LineReader<TcpStream>,
    mut printer: Printer,
    leaving: &AtomicBool,
    server_gone: &AtomicBool,
    interrupter: &Interrupter,
    gone: &str,
) {
    while let Ok(Some(line)) = from_server.read_line() {
        match line {
            Line::Text(text) => printer.print_line(&printable(&text)),
            Line::TooLong | Line::NotUtf8 => printer.print_line("! (an unreadable line)"),
        }
    }
    if leaving.load(Ordering::SeqCst) {
        return;
    }
    server_gone.store(true, Ordering::SeqCst);
    printer.flush();
    if !interrupter.interrupt() {
        eprintln!("lab03: {gone}");
        std::process::exit(1);
    }
}

fn send(to_server: &mut TcpStream, line: &str) -> std::io::Result<()> {
    to_server.write_all(format!("{line}\n").as_bytes())
}

/// Other members' text with control characters made visible, so that nobody can move the
/// cursor or clear the screen of everyone's terminal.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}
