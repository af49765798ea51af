//! Lab 02: the blocking one-on-one chat of document 000.
//!
//! What this stage teaches: blocking sockets, and what they force on a conversation. A blocking
//! `recv` waits for the other side and for nothing else, and `input` waits for the user and for
//! nothing else; so each side can only speak or listen, never both, and the two programs must
//! take turns like a game of ping-pong: the server speaks first, then the client, and so on.
//!
//! It keeps the documents' wire exactly (raw UTF-8, no delimiter, one `recv(1024)` per message),
//! so it talks to the documents' own `server.py` and `client.py`, and so that the design's
//! limits can be seen: the guide's chapter shows each of them with a test.
//!
//! Document 000's programs are two scripts without functions; here is where each of their steps
//! went:
//!
//! | `server.py` / `client.py`                            | this lab                         |
//! |------------------------------------------------------|----------------------------------|
//! | `print("Welcome to Chat app")`, `gethostname()`      | `chat::welcome`                  |
//! | `input("Enter your name: ")`                         | `chat::ask_name`                 |
//! | `socket()`, `bind()`, `listen()`                     | `server::run`                    |
//! | `accept()`                                           | `server::wait_for_client`        |
//! | `conn.recv(1024)` the name, `conn.send(name)`        | `server::exchange_names`         |
//! | `input("Enter server address: ")`, `connect()`       | `client::run`                    |
//! | `s.send(name)`, `s.recv(1024)` the name              | `client::exchange_names`         |
//! | `while True:`                                        | `chat::converse`                 |
//! | `input("Me : ")`, `[e]`, `send(message.encode())`    | `chat::my_turn`, `wire::send`    |
//! | `recv(1024)`, `decode()`, `print(...)`               | `chat::their_turn`, `wire::receive` |

mod chat;
mod client;
mod server;
mod wire;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use labkit::cli::Address;

/// The documents' port.
const PORT: u16 = 8080;

const EXAMPLE: &str = "Try it, in two terminals:
  cargo run -p lab02 -- server
  cargo run -p lab02 -- client";

/// Lab 02: the blocking one-on-one chat of document 000.
///
/// Two people take turns: the server's user speaks first, then the client's, and so on, each
/// message stamped with the time. Type [e] to leave: the other side is told "Left chat app!"
/// and both programs end. Start the server in one terminal and the client in another.
#[derive(Parser)]
#[command(name = "lab02", version, after_help = EXAMPLE)]
struct Cli {
    #[command(subcommand)]
    role: Role,
}

#[derive(Subcommand)]
enum Role {
    /// Waits for one client, then chats with it, speaking first.
    ///
    /// A connection that closes before saying its name (a port probe such as `nc -z`), or says
    /// none within --timeout, is logged and closed, and the server waits for the next one.
    Server {
        #[command(flatten)]
        address: Address<PORT>,
        /// Seconds a connecting client has to say its name.
        #[arg(long, value_name = "SECONDS", default_value = "30",
              value_parser = labkit::cli::seconds, allow_negative_numbers = true)]
        timeout: Duration,
    },
    /// Connects to the server and chats with it, listening first.
    ///
    /// The server's address is asked for, as in the document; pressing Enter uses --host.
    Client {
        #[command(flatten)]
        address: Address<PORT>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    labkit::error::run("lab02", || match cli.role {
        Role::Server { address, timeout } => server::run(&address.host, address.port, timeout),
        Role::Client { address } => client::run(&address.host, address.port),
    })
}
