//! Lab 03: the threaded broadcast room of documents 000, 001, 002 and 003, as a library that
//! the `lab03` binary calls (and lab 05 reuses: its protocol pieces, its gate, its name deadline
//! and its flood counter are these).
//!
//! What this stage teaches: a thread per client, and what sharing a room between threads asks
//! for. Each member has a thread that reads what it says and one that writes what the room
//! says to it; the member list is shared, behind one lock; no member can make another wait.
//!
//! The documents' server (000 to 003) has three functions; here is where each went, and what
//! was added around them:
//!
//! | the documents' server                            | this lab                              |
//! |--------------------------------------------------|---------------------------------------|
//! | `socket()`, `bind()`, `listen()`                 | `server::serve` (with `labkit::net`)  |
//! | `receive()`: `accept()`, start `handle`          | `server::receive`, `server::start`    |
//! | `client.send('NICK')`, `nickname = recv(1024)`   | `session::choose_name`, `nickname`    |
//! | `handle(client)`: `recv(1024)`, then `broadcast` | `session::handle`, `session::converse`|
//! | `broadcast(message)`: `client.send` to each      | `room::Room::broadcast`               |
//! | `client.send(message)` itself                    | `outbox::write_out` (a thread each)   |
//! | `clients.remove`, `nicknames.remove`             | `room::Room::leave`                   |
//! | the messages' words                              | `protocol`                            |
//! | `print(...)`                                     | `labkit::log` (a thread of its own)   |
//! | (none: one `recv` is one message)                | `framing::LineReader`                 |
//! | (none: nobody is ever turned away)               | `gate`                                |
//!
//! The files, in four groups:
//! - the room: `server`, `session`, `room`, `outbox` (the documents' three functions and what
//!   carries their lines);
//! - what keeps hostile clients from harming it (the guide's chapter "Hostile clients"): `gate`
//!   (who may come in), `naming` (how long a name may take) and `flood` (what the log shows of
//!   a member that floods);
//! - the protocol, shared with the client and with lab 05: `framing` (one line is one message),
//!   `nickname` and `text` (what a name and a message may hold), `protocol` (the lines' words);
//! - and the clients: `client` (the terminal client), `dialect` (the documents' own protocols).
//!
//! Modules form a tree: server uses gate, session, room and outbox; session uses room, outbox,
//! gate, naming and flood; room uses outbox; outbox and gate use only protocol; client uses dialect;
//! nothing uses server, and only server uses session.

pub mod client;
pub mod dialect;
pub mod flood;
pub mod framing;
pub mod gate;
pub mod naming;
pub mod nickname;
pub mod protocol;
pub mod server;
pub mod text;

mod outbox;
mod room;
mod session;
