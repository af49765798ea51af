//! `lab03 client --dialect 000|001|002|003`: the terminal client speaking to the documents' own
//! rooms the way each document's client does, so that a student holding a document can join its
//! room (run from the document's Python) and see what that room sends, byte for byte.
//!
//! What this teaches: a protocol is more than the words. Each document's client has its own
//! handshake, no framing at all (one `recv(1024)` is taken as one message, and each `send` as
//! one message the other side will receive whole) and writes its own name before its text.
//! This module keeps all three, on purpose; when a server does not behave as the dialect
//! expects (the kit's room, for one), it says so in one sentence and ends.
//!
//! | the documents' client                               | this module                  |
//! |-----------------------------------------------------|------------------------------|
//! | 000 `receive`: `recv(1024)`, `== 'nick'`: send name | `handshake` (`Dialect::Doc000`)|
//! | 001 `send(nickname)`, then `print(recv(1024))`      | `handshake` (`Dialect::Doc001`)|
//! | 002 greeting shown, the first message is the name   | `handshake` (`Dialect::Doc002`)|
//! | 003 `receive`: `recv(1024)`, `== 'NIC'`: send name  | `handshake` (`Dialect::Doc003`)|
//! | `receive`: `recv(1024)` shown as it comes           | `receive`                    |
//! | `write`: `send(f"{nickname}: {text}")` and friends  | `Dialect::message`           |
//! | `CLOSE123123` (001), `shutdown` (002)               | `Dialect::leaves`            |
//!
//! Unlike the kit's client (client.rs), nothing here is a line: what the server sends is shown
//! chunk by chunk as it arrives, with only the characters that could forge the screen replaced
//! (control, bidi and invisible characters, as the text module lists them).

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use clap::ValueEnum;
use labkit::cli::Address;
use labkit::error::{Context, Failure, Result};
use labkit::input::{Keyboard, Printer};
use labkit::{clock, net};

use crate::text;

/// How long the dialect waits for each step of the server's handshake, unless told.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// The documents' `recv(1024)`.
const RECV: usize = 1024;

/// Whose client to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Dialect {
    /// Document 000's tkinter client: answers the exact prompt `nick`, sends
    /// " HH:MM:SS nick :text\n\n".
    #[value(name = "000")]
    Doc000,
    /// Document 001's terminal client: sends its name at once, then "nick: text";
    /// CLOSE123123 closes.
    #[value(name = "001")]
    Doc001,
    /// Document 002's tkinter client: reads the greeting, sends the name, then the text alone;
    /// shutdown leaves.
    #[value(name = "002")]
    Doc002,
    /// Document 003's tkinter client: answers the exact prompt `NIC`, sends "nick: text\n".
    #[value(name = "003")]
    Doc003,
}

impl Dialect {
    /// The document's number, as the guide names it.
    fn number(self) -> &'static str {
        match self {
            Dialect::Doc000 => "000",
            Dialect::Doc001 => "001",
            Dialect::Doc002 => "002",
            Dialect::Doc003 => "003",
        }
    }

    /// What the document's client sends for `text` typed by `name`: each client writes its own
    /// name (and 000 its own time) in front, and none ends it with a line the server could
    /// count on (000 and 003 end with the tkinter Text box's own newline).
    // course: cut | write text as the document's client sends it: 000 ` HH:MM:SS name :text` and two newlines (the time from clock::time), 001 `name: text`, 002 the text alone, 003 `name: text` and a newline | guide/src/lab03-broadcast.md#the-other-way-lab03-client---dialect
    pub fn message(self, name: &str, text: &str) -> String {
        match self {
            Dialect::Doc000 => format!(" {} {name} :{text}\n\n", clock::time()),
            Dialect::Doc001 => format!("{name}: {text}"),
            Dialect::Doc002 => text.to_string(),
            Dialect::Doc003 => format!("{name}: {text}\n"),
        }
    }

    /// What the user is told of leaving before the room is joined: document 001's client says
    /// it in its own words; 000's and 003's leave when their window is closed, which in a
    /// terminal is Ctrl-D; 002's server says it in its welcome.
    fn how_to_leave(self) -> Option<String> {
        match self {
            Dialect::Doc001 => Some("WHEN YOU WANT TO CLOSE ENTER CLOSE123123".to_string()),
            Dialect::Doc000 | Dialect::Doc003 => Some(format!(
                "(document {}'s client leaves when its window is closed: here, Ctrl-D)",
                self.number()
            )),
            Dialect::Doc002 => None,
        }
    }

    /// Whether typing `text` leaves, and whether the client sends it first: 001's client closes
    /// on `CLOSE123123` without sending it; 002's sends `shutdown` and then closes.
    // course: cut | Some(false) for 001's CLOSE123123 (it closes without sending it), Some(true) for 002's shutdown (sent, then closes), None for any other text or dialect | guide/src/lab03-broadcast.md#the-other-way-lab03-client---dialect
    pub fn leaves(self, text: &str) -> Option<bool> {
        match (self, text) {
            (Dialect::Doc001, "CLOSE123123") => Some(false),
            (Dialect::Doc002, "shutdown") => Some(true),
            _ => None,
        }
    }
}

/// The client's options for speaking a document's dialect.
#[derive(clap::Args)]
pub struct DialectOptions {
    /// Speak to a document's own room as that document's client does (no framing, its
    /// handshake, its name prefix) instead of the kit's protocol.
    #[arg(long, value_enum, value_name = "DOCUMENT")]
    pub dialect: Option<Dialect>,
    /// With --dialect: seconds to wait for each step of the document's handshake.
    #[arg(long, value_name = "SECS", default_value_t = PATIENCE.as_secs())]
    patience: u64,
}

impl DialectOptions {
    /// How long to wait for each step of the handshake.
    pub fn patience(&self) -> Duration {
        Duration::from_secs(self.patience)
    }
}

/// Joins the room at `address` as `name` (asked for if `None`) in `dialect`, then shows what
/// the room sends and sends what the user types, until the user or the server ends it.
pub fn chat(
    address: &Address<9090>,
    name: Option<String>,
    dialect: Dialect,
    patience: Duration,
) -> Result<()> {
    let mut keyboard = Keyboard::new()?;
    // Document 001 asks before connecting; the others' dialogs ask just after. Either way the
    // name is known before the first byte matters.
    let name = match name {
        Some(name) => name,
        None => match keyboard.read_line("Choose your nickname: ")? {
            Some(name) => name,
            None => return Ok(()),
        },
    };
    // Nothing else is printing yet: a plain line is safe.
    if let Some(how) = dialect.how_to_leave() {
        println!("{how}");
    }
    let mut stream = net::connect(&address.host, address.port)?;
    let mut printer = keyboard.printer()?;
    handshake(&mut stream, dialect, &name, patience, &mut printer)?;

    let incoming = stream
        .try_clone()
        .context("cannot use the connection to the server")?;
    let gone = format!("the server at {address} closed the connection");
    // Set by the user's way out before the connection is closed, so that the receiving thread
    // knows the end was asked for; set by the receiving thread when the server ended it.
    let leaving = Arc::new(AtomicBool::new(false));
    let server_gone = Arc::new(AtomicBool::new(false));
    let interrupter = keyboard.interrupter();
    {
        let (leaving, server_gone, gone) = (leaving.clone(), server_gone.clone(), gone.clone());
        thread::Builder::new()
            .name("receive".to_string())
            .spawn(move || {
                receive(incoming, &mut printer);
                if leaving.load(Ordering::SeqCst) {
                    return;
                }
                server_gone.store(true, Ordering::SeqCst);
                // Only now: the prompt is still there to take the flush's cursor-up. Once the
                // user has left it is not, and the cursor-up would let the next line printed
                // (the shell's) overwrite the last one the user typed.
                printer.flush();
                if !interrupter.interrupt() {
                    eprintln!("lab03: {gone}");
                    std::process::exit(1);
                }
            })
            .context("cannot start the receiving thread")?;
    }

    // `write`: every line typed is one `send`, in the dialect's own format.
    while let Some(typed) = keyboard.read_line("")? {
        if server_gone.load(Ordering::SeqCst) {
            break;
        }
        let leaves = dialect.leaves(&typed);
        let message = match leaves {
            Some(true) => Some(typed),
            Some(false) => None,
            None => Some(dialect.message(&name, &typed)),
        };
        if leaves.is_some() {
            leaving.store(true, Ordering::SeqCst);
        }
        if let Some(message) = message {
            if stream.write_all(message.as_bytes()).is_err() {
                return Err(Failure::new(gone));
            }
        }
        if leaves.is_some() {
            break;
        }
    }
    if server_gone.load(Ordering::SeqCst) {
        return Err(Failure::new(gone));
    }
    // Ctrl-D, or the dialect's own way out: the documents' clients just close.
    leaving.store(true, Ordering::SeqCst);
    let _ = stream.shutdown(Shutdown::Both);
    Ok(())
}

/// The dialect's handshake, shown as it happens; a server that does not answer as the
/// document's server would is named in one sentence.
// course: cut | play the document's own handshake (000 and 003 wait for their exact nick or NIC and send the bare name, 001 sends the name unasked, 002 shows the greeting, sends the name, shows the welcome), naming in one sentence a server that answers otherwise | guide/src/lab03-broadcast.md#the-other-way-lab03-client---dialect
fn handshake(
    stream: &mut TcpStream,
    dialect: Dialect,
    name: &str,
    patience: Duration,
    printer: &mut Printer,
) -> Result<()> {
    let doc = dialect.number();
    let recv = |stream: &mut TcpStream, what| recv(stream, patience, doc, what);
    match dialect {
        Dialect::Doc000 | Dialect::Doc003 => {
            let prompt = if dialect == Dialect::Doc000 {
                "nick"
            } else {
                "NIC"
            };
            let first = recv(stream, "its prompt")?;
            if first != prompt.as_bytes() {
                return Err(Failure::new(format!(
                    "the server's first words were {:?}, not document {doc}'s exact `{prompt}` \
                     (no newline): document {doc}'s client would show them and never send its name",
                    String::from_utf8_lossy(&first)
                )));
            }
            send_name(stream, name)?;
        }
        Dialect::Doc001 => {
            send_name(stream, name)?;
            let first = recv(stream, "an answer to the name")?;
            if first.starts_with(b"nick") || first.starts_with(b"NIC") {
                return Err(Failure::new(format!(
                    "the server asked for a nickname ({:?}), but document 001's client sends its \
                     name unasked and with no newline, so this server is still waiting for it",
                    String::from_utf8_lossy(&first)
                )));
            }
            show(printer, &first);
        }
        Dialect::Doc002 => {
            let greeting = recv(stream, "its greeting")?;
            show(printer, &greeting);
            send_name(stream, name)?;
            let welcome = recv(stream, "its welcome")?;
            show(printer, &welcome);
        }
    }
    stream
        .set_read_timeout(None)
        .context("cannot use the connection to the server")
}

/// One `recv(1024)`, waiting at most `patience` for `what`.
fn recv(stream: &mut TcpStream, patience: Duration, doc: &str, what: &str) -> Result<Vec<u8>> {
    stream
        .set_read_timeout(Some(patience))
        .context("cannot use the connection to the server")?;
    let mut chunk = vec![0; RECV];
    match stream.read(&mut chunk) {
        Ok(0) => Err(Failure::new(format!(
            "the server closed the connection while document {doc}'s client waited for {what}"
        ))),
        Ok(count) => {
            chunk.truncate(count);
            Ok(chunk)
        }
        Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
            Err(Failure::new(format!(
                "the server sent nothing within {} s while document {doc}'s client waited for \
                 {what}",
                patience.as_secs_f64()
            )))
        }
        Err(error) => Err(Failure::new(format!(
            "the connection to the server failed: {}",
            labkit::error::explain(&error)
        ))),
    }
}

/// The documents' clients send the bare name: no newline, nothing to say where it ends.
fn send_name(stream: &mut TcpStream, name: &str) -> Result<()> {
    stream
        .write_all(name.as_bytes())
        .context("cannot send the nickname to the server")
}

/// `receive`: shows each chunk the server sends as it comes, until the connection ends.
fn receive(mut stream: TcpStream, printer: &mut Printer) {
    let mut chunk = [0; RECV];
    while let Ok(count @ 1..) = stream.read(&mut chunk) {
        show(printer, &chunk[..count]);
    }
}

/// One chunk on the screen, at once: its lines as they are (a chunk that holds two messages
/// shows both, run together as the document's client shows them), with every character that
/// could move the cursor or reorder the screen replaced by `\u{FFFD}`.
fn show(printer: &mut Printer, chunk: &[u8]) {
    let text = String::from_utf8_lossy(chunk);
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let visible: String = text
        .chars()
        .map(|c| {
            if c != '\n' && text::refused(c).is_some() {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect();
    // One print for the whole chunk: a terminal never shows half of one `recv`.
    printer.print_line(&visible);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_writes_its_own_name_as_its_document_does() {
        assert_eq!(Dialect::Doc001.message("alice", "hi"), "alice: hi");
        assert_eq!(Dialect::Doc002.message("alice", "hi"), "hi");
        assert_eq!(Dialect::Doc003.message("alice", "hi"), "alice: hi\n");
        let doc000 = Dialect::Doc000.message("alice", "hi");
        assert!(doc000.starts_with(' ') && doc000.ends_with(" alice :hi\n\n"));
    }

    #[test]
    fn only_the_documents_own_words_leave() {
        assert_eq!(Dialect::Doc001.leaves("CLOSE123123"), Some(false));
        assert_eq!(Dialect::Doc002.leaves("shutdown"), Some(true));
        assert_eq!(Dialect::Doc001.leaves("shutdown"), None);
        assert_eq!(Dialect::Doc003.leaves("CLOSE"), None);
    }
}
