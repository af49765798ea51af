//! The terminal client: document 001's client, with its two halves, `receive` (a thread that
//! prints what the room says) and `write` (the main thread, which sends what the user types).
//!
//! Differences from the document's client, each fixing something it gets wrong:
//! - it sends only the text; the server adds the name, so nobody can write under another's;
//! - lines from the room are printed above the line being typed (labkit's `Printer`), not
//!   through the middle of it;
//! - when the server goes away it says so and ends, instead of waiting for input that can no
//!   longer be sent; when the server stops cleanly (its "shutting down" line, then the end of
//!   the connection) the client ends successfully, since nothing went wrong;
//! - `CLOSE` (or `CLOSE123123`, or `shutdown`) asks the server to end the session, and the
//!   client waits for the server's goodbye, so nothing said before it is lost;
//! - no member's text can look like the room speaking. Control, bidi and invisible characters
//!   are shown as `\u{FFFD}` (the server refuses them; another server might not), and a line
//!   wider than the terminal is wrapped here, not by the terminal, every continuation row
//!   starting with [`CONTINUED`]: a message padded to the terminal's width cannot put a fake
//!   `(12:00:00) * ...` at the left edge of a row of its own, where only the room's lines start.

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
use crate::{dialect, text};

/// The longest line the client accepts from the server: a member's line plus its time stamp
/// and name.
const INCOMING_LIMIT: usize = 2 * LINE_LIMIT;

/// What starts each continuation row of a wrapped line: indented and marked, so that it never
/// reads as a line of its own.
const CONTINUED: &str = "  \u{21B3} ";

/// The room's last words when the server stops, after the time stamp.
const SERVER_STOPS: &str = "* The server is shutting down. Goodbye!";

/// What `lab03 client` is told on its command line.
#[derive(clap::Args)]
pub struct Options {
    #[command(flatten)]
    address: Address<9090>,
    /// Nickname to join with (asked for when not given).
    #[arg(long)]
    name: Option<String>,
    #[command(flatten)]
    dialect: dialect::DialectOptions,
}

/// `lab03 client`: joins in the kit's protocol, or in a document's dialect if told to.
pub fn start(options: &Options) -> Result<()> {
    let (address, name) = (&options.address, options.name.clone());
    match options.dialect.dialect {
        None => chat(address, name),
        Some(dialect) => dialect::chat(address, name, dialect, options.dialect.patience()),
    }
}

/// Joins the room at `address` as `name` (asked for if `None`), then chats until the user
/// leaves or the server stops (success), or the server goes away (failure).
// course: cut | connect, join as name, start receive on a thread of its own, then be the documents' write: send each typed line (Ctrl-D as CLOSE) until a leave word, and wait for the server's goodbye; end as Ends says when the server stops or goes away | guide/src/lab03-broadcast.md#the-terminal-client
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
    let ends = Arc::new(Ends::default());
    let receiver = {
        let printer = keyboard.printer()?;
        let interrupter = keyboard.interrupter();
        let (leaving, ends, gone) = (leaving.clone(), ends.clone(), gone.clone());
        thread::Builder::new()
            .name("receive".to_string())
            .spawn(move || receive(from_server, printer, &leaving, &ends, &interrupter, &gone))
            .context("cannot start the receiving thread")?
    };

    // `write`: what the user types goes to the room; Ctrl-D or Ctrl-C leaves like CLOSE.
    loop {
        let typed = keyboard.read_line("")?;
        if let Some(ended) = ends.result(&gone) {
            return ended;
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
            return ends.result(&gone).unwrap_or(Err(Failure::new(gone)));
        }
        if asks_to_leave {
            break;
        }
    }
    // Wait for the server's goodbye and the end of the connection.
    let _ = receiver.join();
    ends.result(&gone).unwrap_or(Ok(()))
}

/// How the connection ended without the user asking, as the receiving thread saw it.
#[derive(Default)]
struct Ends {
    /// The server said it was stopping, then closed: a clean end.
    server_stopped: AtomicBool,
    /// The connection ended without that: the server died, or the network went.
    server_gone: AtomicBool,
}

impl Ends {
    /// What the client ends with, once the connection has ended; `None` while it is open.
    fn result(&self, gone: &str) -> Option<Result<()>> {
        if self.server_stopped.load(Ordering::SeqCst) {
            Some(Ok(()))
        } else if self.server_gone.load(Ordering::SeqCst) {
            Some(Err(Failure::new(gone)))
        } else {
            None
        }
    }
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
                None => match keyboard.read_line(&format!("{} ", rows(&line, None).concat()))? {
                    Some(typed) => typed,
                    None => return Ok(false),
                },
            };
            send(to_server, &chosen).map_err(|_| Failure::new(gone))?;
        } else {
            // A refusal ("! nickname refused: ...") is followed by a new prompt; anything else
            // is the welcome.
            // Not println!: a print that fails (`lab03 client | head -1`) is then this
            // function's failure, like any other.
            writeln!(std::io::stdout(), "{}", rows(&line, width()).join("\n"))
                .map_err(labkit::error::printing_failed)?;
            if !line.starts_with("! ") {
                return Ok(true);
            }
        }
    }
}

/// `receive`: prints every line from the room until the connection ends. If the user did not
/// ask for that, the server has stopped (its last line said so) or gone: stop the keyboard, or
/// the whole program when the keyboard is a pipe that cannot be interrupted.
// course: cut | print every line from the room through the printer, rows cut to the terminal's width, until the connection ends; unless leaving, record in ends whether the server stopped (its last line said so) or went, and interrupt the keyboard, or exit when it cannot be | guide/src/lab03-broadcast.md#the-terminal-client
fn receive(
    mut from_server: LineReader<TcpStream>,
    mut printer: Printer,
    leaving: &AtomicBool,
    ends: &Ends,
    interrupter: &Interrupter,
    gone: &str,
) {
    let mut stopping = false;
    while let Ok(Some(line)) = from_server.read_line() {
        stopping = false;
        match line {
            Line::Text(text) => {
                stopping = is_server_stopping(&text);
                for row in rows(&text, width()) {
                    printer.print_line(&row);
                }
            }
            _ => printer.print_line("! (an unreadable line)"),
        }
    }
    if leaving.load(Ordering::SeqCst) {
        return;
    }
    let ended = if stopping {
        &ends.server_stopped
    } else {
        &ends.server_gone
    };
    ended.store(true, Ordering::SeqCst);
    printer.flush();
    if !interrupter.interrupt() {
        if stopping {
            std::process::exit(0);
        }
        eprintln!("lab03: {gone}");
        std::process::exit(1);
    }
}

/// Whether `line` is the room's own "shutting down" line. A member's line has its name after
/// the time stamp (`(12:00:00) alice: * The server ...`), so no member can send this one.
fn is_server_stopping(line: &str) -> bool {
    line.split_once(") ")
        .is_some_and(|(stamp, said)| stamp.starts_with('(') && said == SERVER_STOPS)
}

fn send(to_server: &mut TcpStream, line: &str) -> std::io::Result<()> {
    to_server.write_all(format!("{line}\n").as_bytes())
}

/// The terminal's width in columns; `None` when the output is not a terminal (a pipe, a file),
/// where lines are written whole.
fn width() -> Option<usize> {
    console::Term::stdout()
        .size_checked()
        .map(|(_rows, columns)| usize::from(columns))
}

/// `line` as the rows the screen shows: every character that could move the cursor, reorder or
/// hide text shown as `\u{FFFD}` (see the text module), and the line cut to `width` columns,
/// each row after the first starting with [`CONTINUED`].
fn rows(line: &str, width: Option<usize>) -> Vec<String> {
    let marker = console::measure_text_width(CONTINUED);
    let mut rows = vec![String::new()];
    let mut used = 0;
    for c in line.chars() {
        let c = if text::refused(c).is_some() {
            '\u{FFFD}'
        } else {
            c
        };
        let columns = console::measure_text_width(c.encode_utf8(&mut [0; 4]));
        // A terminal too narrow for the marker and some text gets the line whole.
        if width.is_some_and(|width| width > 2 * marker && used + columns > width) {
            rows.push(CONTINUED.to_string());
            used = marker;
        }
        if let Some(row) = rows.last_mut() {
            row.push(c);
        }
        used += columns;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_wider_than_the_terminal_is_wrapped_with_a_marker() {
        let padding = " ".repeat(22);
        let line = format!("(09:00:00) alice: {padding}(12:00:00) * alice left!");
        assert_eq!(
            rows(&line, Some(40)),
            [
                format!("(09:00:00) alice: {padding}"),
                "  \u{21B3} (12:00:00) * alice left!".to_string()
            ]
        );
        // Wide characters count two columns, and never straddle a row's end.
        assert_eq!(
            rows("漢字漢字漢字漢字", Some(11)),
            ["漢字漢字漢", "  \u{21B3} 字漢字"]
        );
        assert_eq!(rows(&line, None), [line.as_str()]);
        assert_eq!(rows("short", Some(40)), ["short"]);
    }

    #[test]
    fn characters_that_could_forge_a_line_are_made_visible() {
        assert_eq!(
            rows("a\rb\u{1b}[2Jc\u{202E}d\u{2028}e\u{200B}f", None),
            ["a\u{FFFD}b\u{FFFD}[2Jc\u{FFFD}d\u{FFFD}e\u{FFFD}f"]
        );
        // What Persian and Arabic need stays.
        assert_eq!(rows("می\u{200C}خواهم", None), ["می\u{200C}خواهم"]);
    }

    #[test]
    fn only_the_rooms_own_line_says_the_server_stops() {
        assert!(is_server_stopping(
            "(12:00:00) * The server is shutting down. Goodbye!"
        ));
        assert!(!is_server_stopping(
            "(12:00:00) alice: * The server is shutting down. Goodbye!"
        ));
        assert!(!is_server_stopping(
            "* The server is shutting down. Goodbye!"
        ));
    }
}
