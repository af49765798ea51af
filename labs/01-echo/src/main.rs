//! Lab 01: an echo server and its client over TCP.
//!
//! Document 000 states the echo protocol in seven rules: TCP (1); the client opens the session
//! by connecting (2); the server accepts and listens for a byte string (3); the client sends one
//! (4) and listens for the reply (5); the server sends the byte string back (6); the client
//! closes the socket when the reply has arrived (7). It leaves one question open: TCP carries a
//! stream of bytes, not messages, so how does either side know that a message is complete?
//!
//! This lab answers it with a delimiter: every message ends with a zero byte, as the document's
//! own chat protocol proposes ("encoded in UTF-8 and terminated with the null byte"). UTF-8
//! text never contains that byte except as the NUL character itself, so the first zero byte
//! always marks the end.
//!
//! - [`message`]: the framing, reading until the delimiter and writing with it;
//! - [`server`]: rules 1, 3 and 6, one client after another;
//! - [`deadline`]: the time limit on each client's whole session, which keeps one slow client
//!   from holding the server;
//! - [`client`]: rules 2, 4, 5 and 7.

mod client;
mod deadline;
mod message;
mod server;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use labkit::cli::Address;

/// The echo protocol's port: the classic echo service is port 7, which needs root; 7007 does not.
const PORT: u16 = 7007;

const EXAMPLE: &str = "Try it, in two terminals:
  cargo run -p lab01 -- server
  cargo run -p lab01 -- client \"hello\"";

/// Lab 01: the echo protocol of document 000 over TCP.
///
/// The client sends one message, the server sends it back, the client prints the reply and
/// closes. Each message ends with a zero byte: that is how both sides know it is complete.
/// Start the server in one terminal and the client in another.
#[derive(Parser)]
#[command(name = "lab01", version, after_help = EXAMPLE)]
struct Cli {
    #[command(subcommand)]
    role: Role,
}

#[derive(Subcommand)]
enum Role {
    /// Echoes each client's message back, one client after another.
    Server {
        #[command(flatten)]
        address: Address<PORT>,
        /// Seconds a client has, from its connection on, to send its whole message and take the
        /// echo: a deadline, which bytes arriving do not extend.
        #[arg(long, value_name = "SECONDS", default_value = "10",
              value_parser = labkit::cli::seconds, allow_negative_numbers = true)]
        timeout: Duration,
    },
    /// Sends one message, prints the echo and closes.
    Client {
        #[command(flatten)]
        address: Address<PORT>,
        /// The message to send; asked for when not given.
        message: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    labkit::error::run("lab01", || match cli.role {
        Role::Server { address, timeout } => server::run(&address.host, address.port, timeout),
        Role::Client { address, message } => client::run(&address.host, address.port, message),
    })
}
