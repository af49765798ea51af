//! Lab 03: the threaded broadcast room of documents 000, 001, 002 and 003 (the command line; the
//! room itself is the library, src/lib.rs).
//!
//! `lab03 server` runs the room (port 9090), `lab03 client` joins it from a terminal; `nc
//! 127.0.0.1 9090` joins it too. The protocol is one line per message; the guide chapter
//! (guide/src/lab03-broadcast.md) gives it in full and walks through these files:
//!
//! src/lib.rs maps each of the documents' functions to the Rust function that does its work.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use labkit::cli::Address;

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
        /// Seconds a connection has to choose a nickname; then it is closed.
        #[arg(long, value_name = "SECS", default_value_t = lab03::server::NAME_TIMEOUT.as_secs())]
        name_timeout: u64,
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
    labkit::error::run("lab03", || match cli.role {
        Role::Server {
            address,
            name_timeout,
        } => lab03::server::serve(&address, Duration::from_secs(name_timeout)),
        Role::Client { address, name } => lab03::client::chat(&address, name),
    })
}
