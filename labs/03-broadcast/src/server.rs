//! The room server: the documents' `receive` (accept connections) and `handle` (one thread per
//! member), and stopping cleanly, which the documents' servers cannot do.
//!
//! Each connection gets a thread, `handle`, that reads its lines: it asks for a nickname, joins
//! the room, then turns each line into a room event until the member leaves. The room (see the
//! room module) is the documents' `broadcast`; the postman (see the postman module) carries what
//! it says to the members, and a member that falls behind gets a writer thread of its own (see
//! the outbox module).
//!
//! The documents read the nickname inside the accept loop, so a client that connects and says
//! nothing stops everybody else from connecting. Here the accept loop only accepts: the nickname
//! is asked on the connection's own thread.

use std::io::{self, BufRead};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use labkit::cli::Address;
use labkit::error::{Context, Failure, Result, explain};
use labkit::{clock, net};

use crate::framing::{LINE_LIMIT, Line, LineReader};
use crate::log;
use crate::nickname::{self, PROMPT};
use crate::outbox::{Outbox, SEND_BUFFER};
use crate::postman::Postman;
use crate::room::{Refused, Room};
use crate::sys;
use crate::text;

/// How long a stopping server waits for the members' last lines to be sent.
const GRACE: Duration = Duration::from_secs(2);

/// Runs the server until Ctrl-C, or `shutdown` typed at its console.
pub fn serve(address: &Address<9090>) -> Result<()> {
    // Every member holds an open file (its socket): allow as many as the system lets us. If
    // that fails, the room is only smaller; `receive` says so when a connection is refused.
    let _ = sys::raise_open_file_limit();
    let listener = net::listen(&address.host, address.port)?;
    let local = listener
        .local_addr()
        .context("cannot read the listening address")?;
    log::start().context("cannot start the log thread")?;
    log::line(format!("listening on {local}"));
    let (stop, stop_requested) = mpsc::channel();
    let on_ctrl_c = stop.clone();
    ctrlc::set_handler(move || {
        let _ = on_ctrl_c.send(());
    })
    .map_err(|error| Failure::new(format!("cannot catch Ctrl-C: {error}")))?;
    spawn("console", move || console(stop)).context("cannot start the console thread")?;
    let served = run(listener, stop_requested);
    // Returning ends the process: the log's last lines must be written first.
    log::flush(GRACE);
    served
}

/// Serves the room on `listener` until `stop` receives (or all its senders are gone), then tells
/// the members and returns: the testable entry point (the log must be started first).
pub fn run(listener: TcpListener, stop: Receiver<()>) -> Result<()> {
    let postman = Postman::start().context("cannot start the postman thread")?;
    let room = Arc::new(Room::new(postman));
    let accepting = Arc::clone(&room);
    spawn("receive", move || receive(listener, accepting))
        .context("cannot start the accept thread")?;

    let _ = stop.recv();
    let outboxes = room.close();
    let members = match outboxes.len() {
        1 => "1 member".to_string(),
        n => format!("{n} members"),
    };
    log::line(format!("stopping: telling {members}"));
    let deadline = Instant::now() + GRACE;
    for outbox in &outboxes {
        outbox.wait_sent(deadline);
    }
    // Returning ends the process, and with it the threads still blocked in `accept` or `read`.
    Ok(())
}

/// The server's own console: `shutdown` stops the server.
fn console(stop: Sender<()>) {
    // A server started without a console (its input at end of file) just keeps running.
    for line in io::stdin().lock().lines() {
        let Ok(line) = line else { return };
        if line.trim() == "shutdown" {
            let _ = stop.send(());
            return;
        }
        log::line("type shutdown to stop the server".to_string());
    }
}

/// The documents' `receive`: accepts connections for ever, and starts each member's thread.
fn receive(listener: TcpListener, room: Arc<Room>) {
    let most = most_connections();
    // Sleeping threads are found through a kernel table: size it for all of them (see
    // labkit::threads), or waking one of 20,000 threads means searching through a thousand.
    let _ = sys::expect_threads(2 * most);
    // Every connection's `handle` thread holds a clone of this while it runs.
    let connections = Arc::new(());
    for connection in listener.incoming() {
        match connection {
            Ok(stream) if Arc::strong_count(&connections) > most => {
                let peer = stream
                    .peer_addr()
                    .map_or(String::new(), |peer| peer.to_string());
                log::line(format!(
                    "cannot serve {peer}: the server holds {most} connections, its most"
                ));
            }
            Ok(stream) => admit(stream, &room, &connections),
            Err(error) => {
                log::line(format!("cannot accept a connection: {}", explain(&error)));
                // Most likely out of file descriptors: give members a moment to leave rather
                // than spin on the same error.
                thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// How many connections the server holds at most. Each has a thread, and a second one if it
/// falls behind (its writer, see the outbox module), and each thread costs the kernel four
/// memory mappings: its stack and the small stack of its signal handler, each behind a guard
/// page. A process may have `vm.max_map_count` mappings (65,530 by default), and a thread that
/// would pass it cannot set itself up: std then aborts the whole server. So the server refuses
/// connections before that point, should every member fall behind at once, keeping 1,000
/// mappings for everything else (about 8,000 connections by default).
fn most_connections() -> usize {
    let maps: usize = std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(65_530);
    maps.saturating_sub(1000) / 8
}

/// Logs a new connection and starts its member.
fn admit(stream: TcpStream, room: &Arc<Room>, connections: &Arc<()>) {
    let Ok(peer) = stream.peer_addr() else {
        return; // Gone already.
    };
    log::line(format!("connected with {peer}"));
    // Chat lines are small and should leave at once, not wait to be merged with the next.
    let _ = stream.set_nodelay(true);
    // What the member has not read yet waits in its outbox, where the server sees how much
    // and how fast it goes; the kernel holds only a little more (see outbox::SEND_BUFFER).
    let _ = sys::set_send_buffer(&stream, SEND_BUFFER);
    if start_member(stream, peer, room, connections).is_err() {
        // The only way to fail: the system has no thread (or no memory for its stack) to
        // spare. The connection closes, and everybody else carries on.
        log::line(format!(
            "cannot serve {peer}: the system would not start another thread"
        ));
    }
}

/// Starts a connection's thread, `handle`. It shares the socket with the member's outbox (one
/// file descriptor per member: a busy server runs out of those first).
fn start_member(
    stream: TcpStream,
    peer: SocketAddr,
    room: &Arc<Room>,
    connections: &Arc<()>,
) -> io::Result<()> {
    let socket = Arc::new(stream);
    let outbox = room.outbox(Arc::clone(&socket), peer);
    let (own, room) = (Arc::clone(&outbox), Arc::clone(room));
    let counted = Arc::clone(connections);
    if let Err(error) = spawn("handle", move || {
        let _counted = counted;
        handle(&socket, &own, &room);
    }) {
        outbox.close(); // Without its reader the connection is useless: this closes it.
        return Err(error);
    }
    Ok(())
}

/// Why a member's session ended.
enum Leaving {
    /// It sent `CLOSE` (or document 001's `CLOSE123123`).
    Close,
    /// It sent `shutdown` (document 002).
    Shutdown,
    /// Its connection ended without a word: killed, network gone, or dropped by the room.
    Lost,
}

/// The documents' `handle`: one member's whole session, on its own thread.
fn handle(socket: &TcpStream, outbox: &Arc<Outbox>, room: &Room) {
    let mut lines = LineReader::new(socket, LINE_LIMIT);
    // `None`: gone (or the server stopping) before choosing a name, so nothing to announce.
    if let Some(name) = choose_name(&mut lines, outbox, room) {
        log::line(format!("name of client is {name}"));
        let leaving = converse(&mut lines, outbox, room, &name);
        if room.leave(&name) {
            let reason = match leaving {
                Leaving::Close => "CLOSE",
                Leaving::Shutdown => "shutdown",
                Leaving::Lost => "connection lost",
            };
            log::line(format!("{name} left ({reason})"));
            if !matches!(leaving, Leaving::Lost) {
                let goodbye = format!("({}) * Goodbye, {name}!", clock::time());
                room.tell(outbox, goodbye);
            }
        }
    }
    outbox.close();
}

/// Asks for a nickname until an acceptable one arrives; `None` if the connection ends first.
fn choose_name(
    lines: &mut LineReader<&TcpStream>,
    outbox: &Arc<Outbox>,
    room: &Room,
) -> Option<String> {
    loop {
        room.tell(outbox, PROMPT.to_string());
        let refusal = match lines.read_line().ok()?? {
            Line::TooLong => "it is longer than 16 characters".to_string(),
            Line::NotUtf8 => "use only letters, digits, '-' and '_'".to_string(),
            Line::Text(proposed) => match nickname::check(&proposed) {
                Err(reason) => reason,
                Ok(name) => match room.join(&name, outbox) {
                    Ok(()) => return Some(name),
                    Err(Refused::Taken) => format!("{name} is already in the room"),
                    Err(Refused::Closed) => return None,
                },
            },
        };
        room.tell(outbox, format!("! nickname refused: {refusal}"));
    }
}

/// A member's lines, once it has joined, until it leaves.
fn converse(
    lines: &mut LineReader<&TcpStream>,
    outbox: &Arc<Outbox>,
    room: &Room,
    name: &str,
) -> Leaving {
    // Messages that arrived together are said together: the room then queues them to each
    // member in one go (see `Room::say`). A busy member's lines arrive by dozens; a lone line
    // is said at once, since the next read would wait for the network.
    let mut arrived = Vec::new();
    let leaving = loop {
        let Ok(Some(line)) = lines.read_line() else {
            break Leaving::Lost;
        };
        let reply = match line {
            Line::TooLong => Some(format!(
                "! line too long: the limit is {LINE_LIMIT} bytes; it was not sent"
            )),
            Line::NotUtf8 => Some("! not UTF-8: the line was not sent".to_string()),
            Line::Text(text) => match text.as_str() {
                "CLOSE" | "CLOSE123123" => break Leaving::Close,
                "shutdown" => break Leaving::Shutdown,
                "" => None,
                _ => match text::check(&text) {
                    Err(reply) => Some(format!("! {reply}")),
                    Ok(()) => {
                        log::line(format!("{name} says {text}"));
                        arrived.push(text);
                        None
                    }
                },
            },
        };
        // The member's earlier lines go out before its error reply, as they came.
        if reply.is_some() || !lines.has_whole_line() {
            room.say(name, &arrived);
            arrived.clear();
        }
        if let Some(reply) = reply {
            room.tell(outbox, reply);
        }
    };
    room.say(name, &arrived);
    leaving
}

/// The stack of each of the server's threads. std reserves 2 MiB per thread; these threads
/// keep their buffers on the heap and use a few KiB of stack. Only the pages a thread touches
/// cost memory, but 10,000 members (with `vm.max_map_count` raised, see `most_connections`) may
/// be 20,000 threads: at 2 MiB each that would be 40 GiB of address space to reserve, at 128 KiB
/// it is 2.5 GiB.
const STACK_SIZE: usize = 128 * 1024;

/// Starts one of the server's threads.
pub fn spawn(name: &str, body: impl FnOnce() + Send + 'static) -> io::Result<()> {
    // `thread::spawn` panics when no thread can be started (too many members for the
    // machine); the builder returns the error instead, so the server refuses that one
    // connection (or drops that one member), logs why, and carries on.
    thread::Builder::new()
        .name(name.to_string())
        .stack_size(STACK_SIZE)
        .spawn(body)
        .map(drop)
}
