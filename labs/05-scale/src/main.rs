//! Lab 03: the threaded broadcast room of documents 000, 001, 002 and 003.
//!
//! `lab05 server` runs the room (port 9090), `lab05 client` joins it from a terminal; `nc
//! 127.0.0.1 9090` joins it too. The protocol is one line per message; the guide chapter
//! (guide/src/lab03-broadcast.md) gives it in full and walks through these files:
//!
//! - `server`: the documents' `receive` (accept loop) and `handle` (one thread per member);
//! - `room`: the member list and the documents' `broadcast`, under one lock;
//! - `outbox`: each member's bounded outgoing queue, and its writer thread for when it lags;
//! - `postman`: the one thread that writes the room's lines to every member that keeps up;
//! - `framing`: whole lines out of a byte stream, with a cap on their length;
//! - `log`: the server's output, written by a thread of its own;
//! - `nickname`: which names are acceptable;
//! - `client`: document 001's terminal client, its `receive` and `write`.

mod client;
mod framing;
mod log;
mod nickname;
mod outbox;
mod postman;
mod room;
mod server;
mod sys;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use labkit::cli::Address;

const EXAMPLE: &str = "Try it, in three terminals:
  cargo run -p lab05 -- server
  cargo run -p lab05 -- client --name alice
  cargo run -p lab05 -- client --name bob
nc 127.0.0.1 9090 joins the room too.";

/// Lab 05: the chat room of lab 03, made to serve thousands of members on two cores. Linux only.
///
/// The same protocol as lab 03: the server asks each newcomer for a nickname, announces joins
/// and leaves, and sends every message to every member, stamped with the time and the sender's
/// name. One message per line; CLOSE leaves. What differs is how the server pays for it: batched
/// writes, one postman thread instead of a writer wake-up per line, rules for members that read
/// slowly or not at all, and the kernel's limits raised or respected. It uses Linux system calls
/// (see its sys module), so it builds and runs on Linux only; labs 01 to 04 run everywhere.
#[derive(Parser)]
#[command(name = "lab05", version, after_help = EXAMPLE)]
struct Cli {
    #[command(subcommand)]
    role: Role,
}

#[derive(Subcommand)]
enum Role {
    /// Runs the room; Ctrl-C, or `shutdown` typed at its console, stops it.
    Server {
        #[command(flatten)]
        address: Address<9090>,
    },
    /// Joins the room from this terminal; CLOSE leaves.
    Client {
        #[command(flatten)]
        address: Address<9090>,
        /// Nickname to join with (asked for when not given).
        #[arg(long)]
        name: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    labkit::error::run("lab05", || match cli.role {
        Role::Server { address } => server::serve(&address),
        Role::Client { address, name } => client::chat(&address, name),
    })
}
