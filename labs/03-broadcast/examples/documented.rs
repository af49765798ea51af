//! The documents' room designs, runnable, defects and all: `cargo run -p lab03 --example
//! documented -- --as 000|001|002|003 [--port P]`.
//!
//! Written by the team from what documents 000 to 003 describe their servers doing on the wire
//! (not from their code), so that a student can watch each design fail on their own machine:
//! start one, then run the bench against it (the guide's Defect sections give both commands).
//! What lab 03 fixes is kept here on purpose, as lab 02 keeps its documented wire:
//! - one read of 1024 bytes is taken as one message and relayed raw: a long message is split,
//!   two quick ones merge, and another member's chunk can land in the middle of either;
//! - `broadcast` writes to every member in turn on the sender's own thread: one member that
//!   stops reading blocks that write, and with it the sender, then every other sender, and the
//!   accept loop, which broadcasts the joins;
//! - the nickname is read in the accept loop (000, 001, 003): one newcomer that never sends a
//!   name keeps everyone else out;
//! - the clients write "nick: msg" themselves, and the server relays it: anyone can speak under
//!   any name;
//! - a write that fails raises in whichever thread was writing, which then takes itself for the
//!   one that left (000, 001, 003), or just dies and leaves the dead member in the list (002);
//! - `listen(5)` where document 002 has it.
//!
//! The one lock around the member list is not in the documents (their lists are changed by
//! several threads with none); safe Rust will not share a list without one, and holding it
//! across the writes stalls the room exactly as the documents' sequential sends do.
//!
//! | the documents' server      | here                                            |
//! |----------------------------|-------------------------------------------------|
//! | `receive()` (accept loop)  | `receive`, then `join_000`/`001`/`003`, or `002`'s `handle_client` |
//! | `handle(client)`           | `handle_000`, `handle_001`, `handle_client_002`, `handle_003` |
//! | `broadcast(message)`       | `broadcast` (002: with its `prefix`)            |

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;

use labkit::clock;
use labkit::error::{Context, Failure, Result};

/// The documents' `recv(1024)`.
const RECV: usize = 1024;

const USAGE: &str = "usage: cargo run -p lab03 --example documented -- --as 000|001|002|003 \
                     [--port P] (default: the document's port; 0 picks a free one)";

/// Whose design to run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Design {
    Doc000,
    Doc001,
    Doc002,
    Doc003,
}

impl Design {
    fn parse(number: &str) -> Option<Design> {
        Some(match number {
            "000" => Design::Doc000,
            "001" => Design::Doc001,
            "002" => Design::Doc002,
            "003" => Design::Doc003,
            _ => return None,
        })
    }

    /// The port in the document's listing.
    fn port(self) -> u16 {
        match self {
            Design::Doc000 => 8080,
            Design::Doc001 => 55555,
            Design::Doc002 => 33000,
            Design::Doc003 => 9090,
        }
    }
}

/// A member: its connection, and the name it gave (003 keeps Python's `str(bytes)` of it).
struct Member {
    id: u64,
    stream: TcpStream,
    name: String,
}

/// The documents' `clients` and `nicknames` lists, as one list.
#[derive(Clone, Default)]
struct Clients(Arc<Mutex<Vec<Member>>>);

impl Clients {
    fn lock(&self) -> MutexGuard<'_, Vec<Member>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn add(&self, id: u64, stream: &TcpStream, name: &str) -> io::Result<()> {
        let stream = stream.try_clone()?;
        let name = name.to_string();
        self.lock().push(Member { id, stream, name });
        Ok(())
    }

    /// `clients.remove(client)`, `nicknames.remove(nickname)`.
    fn remove(&self, id: u64) {
        self.lock().retain(|member| member.id != id);
    }

    /// The names, as Python prints a list of strings: `['alice', 'bob']`.
    fn names(&self) -> String {
        let names: Vec<String> = self
            .lock()
            .iter()
            .map(|member| format!("'{}'", member.name))
            .collect();
        format!("[{}]", names.join(", "))
    }
}

/// `broadcast(message)`: writes to every member in turn, on the caller's thread, holding the
/// list (so one member that does not read blocks everyone). The first write that fails ends
/// it, as the exception did: the members after that one get nothing.
fn broadcast(clients: &Clients, message: &[u8]) -> io::Result<()> {
    for member in clients.lock().iter() {
        (&member.stream).write_all(message)?;
    }
    Ok(())
}

/// One `recv(1024)`: whatever has arrived, up to 1024 bytes, taken as one message.
fn recv(stream: &mut TcpStream, limit: usize) -> io::Result<Vec<u8>> {
    let mut chunk = vec![0; limit];
    let count = stream.read(&mut chunk)?;
    chunk.truncate(count);
    Ok(chunk)
}

/// Python's `str(address)`: `('127.0.0.1', 37902)`.
fn python_address(address: SocketAddr) -> String {
    format!("('{}', {})", address.ip(), address.port())
}

/// Python's `str(some_bytes)`, which document 003 prints and even uses as the name: `b'bob'`.
fn python_bytes(bytes: &[u8]) -> String {
    let mut shown = String::from("b'");
    for &byte in bytes {
        match byte {
            b'\\' => shown.push_str("\\\\"),
            b'\'' => shown.push_str("\\'"),
            b'\n' => shown.push_str("\\n"),
            b'\r' => shown.push_str("\\r"),
            b'\t' => shown.push_str("\\t"),
            0x20..=0x7e => shown.push(char::from(byte)),
            _ => shown.push_str(&format!("\\x{byte:02x}")),
        }
    }
    shown.push('\'');
    shown
}

/// `print(...)`: the server's log. A closed stdout must not stop the room.
fn log(line: &str) {
    let _ = writeln!(io::stdout(), "{line}");
}

// ----- document 000: `nick`, "X says ...", "X left the conversation!!!!" (port 8080) -----

/// Document 000's accept-loop half: `nick`, the name in one recv, the join broadcast with the
/// list, then a thread for the member.
fn join_000(clients: &Clients, id: u64, mut client: TcpStream) -> io::Result<()> {
    client.write_all(b"nick")?;
    // The document adds the client to the list before asking; a failed send then leaves it
    // there. Asking first changes nothing a test can see.
    let name = String::from_utf8_lossy(&recv(&mut client, RECV)?).into_owned();
    clients.add(id, &client, &name)?;
    log(&format!("name of client is {name}"));
    let joined = format!(
        " {} {name} join to conversation room @@@ the subscribes{}\n",
        clock::time(),
        clients.names()
    );
    let _ = broadcast(clients, joined.as_bytes());
    client.write_all(format!("new subscribe is {name}").as_bytes())?;
    let clients = clients.clone();
    thread::spawn(move || handle_000(&clients, id, client, &name));
    Ok(())
}

/// Document 000's `handle`: each chunk decoded, logged and relayed; any failure, a chunk cut
/// in the middle of a character included, is taken as this member leaving.
fn handle_000(clients: &Clients, id: u64, mut client: TcpStream, name: &str) {
    while let Ok(chunk) = recv(&mut client, RECV) {
        let Ok(message) = String::from_utf8(chunk) else {
            break; // `decode('utf-8')` raised: the member is dropped.
        };
        log(&format!("{name} says {message}"));
        // An empty read is the end of the connection. The document's loop does not see it:
        // it logs "X says " and broadcasts nothing, over and over (we measured 270,000 lines
        // in 1.5 s), until a send happens to fail. This one logs it once and moves on to that
        // failure.
        if message.is_empty() || broadcast(clients, message.as_bytes()).is_err() {
            break;
        }
    }
    clients.remove(id);
    log(&format!("{name} left the conversation!!!!"));
    let _ = broadcast(
        clients,
        format!("{name} left the conversation room!!!!\n").as_bytes(),
    );
}

// ----- document 001: the name unasked, "X joined!", "Connected to server!" (port 55555) -----

/// Document 001's accept loop body: the name in one recv, unasked.
fn join_001(clients: &Clients, id: u64, mut client: TcpStream) -> io::Result<()> {
    let name = String::from_utf8_lossy(&recv(&mut client, RECV)?).into_owned();
    clients.add(id, &client, &name)?;
    log(&format!("Nickname is {name}"));
    let _ = broadcast(clients, format!("{name} joined!").as_bytes());
    client.write_all(b"Connected to server!")?;
    let clients = clients.clone();
    thread::spawn(move || handle_001(&clients, id, client, &name));
    Ok(())
}

/// Document 001's `handle`: each chunk relayed raw, until an empty read, `CLOSE123123` arriving
/// as a chunk of its own, or a failure.
fn handle_001(clients: &Clients, id: u64, mut client: TcpStream, name: &str) {
    loop {
        match recv(&mut client, RECV) {
            Ok(chunk) if !chunk.is_empty() && chunk != b"CLOSE123123" => {
                if broadcast(clients, &chunk).is_err() {
                    break;
                }
            }
            _ => break,
        }
    }
    clients.remove(id);
    let _ = broadcast(clients, format!("{name} left!").as_bytes());
    log(&format!("{name} left!"));
}

// ----- document 002: greeting, "Welcome X!", `shutdown`, "X: " added (port 33000) -----

/// Document 002's `handle_client`: the name (read on the member's own thread, the one thing
/// 002 does better), the welcome, the join (told to the others before the newcomer is in the
/// list), then each chunk relayed behind "X: ".
fn handle_client_002(clients: &Clients, id: u64, mut client: TcpStream) -> io::Result<()> {
    let name = String::from_utf8_lossy(&recv(&mut client, RECV)?).into_owned();
    let welcome = format!("Welcome {name}! If you ever want to quit, type shutdown to exit.");
    client.write_all(welcome.as_bytes())?;
    broadcast_002(
        clients,
        format!("{name} has joined the chat!").as_bytes(),
        "",
    )?;
    clients.add(id, &client, &name)?;
    loop {
        let chunk = recv(&mut client, RECV)?;
        if chunk == b"shutdown" {
            clients.remove(id);
            drop(client);
            return broadcast_002(clients, format!("{name} has left the chat.").as_bytes(), "");
        }
        // An empty read is not `shutdown` either: a member that just closes is relayed as
        // "X: " with nothing after it, until a write to its dead socket fails and this thread
        // dies, leaving it in the list, where the next write to it kills another member's
        // thread.
        broadcast_002(clients, &chunk, &format!("{name}: "))?;
    }
}

/// Document 002's `broadcast(msg, prefix)`.
fn broadcast_002(clients: &Clients, message: &[u8], prefix: &str) -> io::Result<()> {
    broadcast(clients, &[prefix.as_bytes(), message].concat())
}

// ----- document 003: `NIC`, b'X', "X joined the chat 😀" (port 9090) -----

/// Document 003's accept loop body: `NIC`, the name in one recv of 2048 bytes, kept as Python's
/// `str()` of the bytes (so the room calls alice "b'alice'").
fn join_003(clients: &Clients, id: u64, mut client: TcpStream) -> io::Result<()> {
    client.write_all(b"NIC")?;
    let name = python_bytes(&recv(&mut client, 2048)?);
    clients.add(id, &client, &name)?;
    log(&format!("Nickname of the client is {name}"));
    let _ = broadcast(
        clients,
        format!("{name} joined the chat \u{1F600}\n").as_bytes(),
    );
    client.write_all(b"Connected to the server.")?;
    let clients = clients.clone();
    thread::spawn(move || handle_003(&clients, id, client, &name));
    Ok(())
}

/// Document 003's `handle`: each chunk logged as Python bytes and relayed raw; a failure
/// removes the member without a word to anyone.
fn handle_003(clients: &Clients, id: u64, mut client: TcpStream, name: &str) {
    while let Ok(chunk) = recv(&mut client, RECV) {
        log(&format!("{name} says {}", python_bytes(&chunk)));
        // As in 000, the document's loop spins on the empty read; this one stops there.
        if chunk.is_empty() || broadcast(clients, &chunk).is_err() {
            break;
        }
    }
    clients.remove(id);
}

// ----- the accept loop -----

/// `receive()`: the accept loop, which each design runs its own way.
fn receive(design: Design, listener: &TcpListener) {
    let clients = Clients::default();
    let ids = AtomicU64::new(0);
    for client in listener.incoming() {
        let Ok(client) = client else { continue };
        let id = ids.fetch_add(1, Ordering::Relaxed);
        let peer = client.peer_addr().map(python_address).unwrap_or_default();
        let joined = match design {
            Design::Doc000 => {
                log(&format!("connected with{peer}"));
                join_000(&clients, id, client)
            }
            Design::Doc001 => {
                log(&format!("Connected with {peer}"));
                join_001(&clients, id, client)
            }
            Design::Doc002 => {
                let address = client
                    .peer_addr()
                    .map(|a| a.to_string())
                    .unwrap_or_default();
                log(&format!("{address} has connected."));
                let greeting = b"Greetings from the server! Now type your name and press enter!";
                if (&client).write_all(greeting).is_ok() {
                    let clients = clients.clone();
                    thread::spawn(move || {
                        if let Err(error) = handle_client_002(&clients, id, client) {
                            eprintln!("a member's thread ended: {error}");
                        }
                    });
                }
                Ok(())
            }
            Design::Doc003 => {
                log(&format!("Connected with {peer}"));
                join_003(&clients, id, client)
            }
        };
        if let Err(error) = joined {
            // In the documents this exception ends the accept loop: nobody can join any more,
            // while the members' threads keep the program, and the room, running.
            eprintln!("the accept loop failed: {error}; nobody else can join");
            loop {
                thread::park();
            }
        }
    }
}

/// Binds as the document does; 002 asks for a backlog of 5 (socket2: std does not take one).
fn listen(design: Design, port: u16) -> Result<TcpListener> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let listening = if design == Design::Doc002 {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .context("cannot create a socket")?;
        socket
            .bind(&address.into())
            .and_then(|()| socket.listen(5))
            .map(|()| socket.into())
    } else {
        TcpListener::bind(address)
    };
    listening.map_err(|error| {
        Failure::new(format!(
            "cannot listen on {address}: {}",
            labkit::error::explain(&error)
        ))
    })
}

fn main() -> ExitCode {
    labkit::error::run("documented", || {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let (mut design, mut port) = (None, None);
        for pair in args.chunks(2) {
            match pair {
                [flag, number] if flag == "--as" => {
                    design = Some((
                        Design::parse(number).ok_or_else(|| Failure::new(USAGE))?,
                        number,
                    ));
                }
                [flag, number] if flag == "--port" => {
                    port = Some(number.parse::<u16>().map_err(|_| Failure::new(USAGE))?);
                }
                _ => return Err(Failure::new(USAGE)),
            }
        }
        let (design, number) = design.ok_or_else(|| Failure::new(USAGE))?;
        let listener = listen(design, port.unwrap_or(design.port()))?;
        let address = listener
            .local_addr()
            .context("cannot read the listening address")?;
        log(&format!(
            "listening on {address}: document {number}'s room as it documents it, defects kept"
        ));
        // The document's own first line (001's server prints none).
        match design {
            Design::Doc000 => log("server is running---"),
            Design::Doc001 => {}
            Design::Doc002 => log("Waiting for connection..."),
            Design::Doc003 => log("Server is running..."),
        }
        receive(design, &listener);
        Ok(())
    })
}
