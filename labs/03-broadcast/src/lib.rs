//! Lab 03: the threaded broadcast room of documents 000, 001, 002 and 003, as a library that
//! the `lab03` binary calls (and lab 05 reuses: its protocol pieces, its gate and its log are
//! these).
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
//! | `print(...)`                                     | `log`                                 |
//! | (none: one `recv` is one message)                | `framing::LineReader`                 |
//! | (none: nobody is ever turned away)               | `gate`                                |
//!
//! Modules form a tree: server uses gate, session, room and outbox; session uses room, outbox
//! and gate; room uses outbox; outbox and gate use only protocol; nothing uses server or
//! session.

pub mod client;
pub mod dialect;
pub mod framing;
pub mod gate;
pub mod log;
pub mod nickname;
pub mod protocol;
pub mod server;
pub mod text;

mod outbox;
mod room;
mod session;
