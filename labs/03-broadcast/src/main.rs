//! Lab 03: the threaded broadcast room of documents 000, 001, 002 and 003 (the command line; the
//! room itself is the library, src/lib.rs).
//!
//! `lab03 server` runs the room (port 9090), `lab03 client` joins it from a terminal; `nc
//! 127.0.0.1 9090` joins it too. The protocol is one line per message; the guide chapter
//! (guide/src/lab03-broadcast.md) gives it in full and walks through the files, and src/lib.rs
//! maps each of the documents' functions to the Rust function that does its work.

use std::process::ExitCode;

use clap::Parser;

const EXAMPLE: &str = "Try it, in three terminals:
  cargo run -p lab03 -- server
  cargo run -p lab03 -- client --name alice
  cargo run -p lab03 -- client --name bob
nc 127.0.0.1 9090 joins the room too.";

/// Lab 03: the chat room of documents 000 to 003, one thread per member.
///
/// The server asks each newcomer for a nickname, announces joins and leaves, and sends every
/// message to every member, stamped with the time and the sender's name. One message per line;
/// CLOSE leaves. Start the server in one terminal and a client in each of the others.
#[derive(Parser)]
#[command(name = "lab03", version, after_help = EXAMPLE)]
enum Role {
    /// Runs the room; Ctrl-C, or `shutdown` typed at its console, stops it.
    Server(lab03::server::Options),
    /// Joins the room from this terminal; CLOSE leaves.
    Client(lab03::client::Options),
}

fn main() -> ExitCode {
    labkit::error::run("lab03", || match Role::parse() {
        Role::Server(options) => lab03::server::serve(&options),
        Role::Client(options) => lab03::client::start(&options),
    })
}
