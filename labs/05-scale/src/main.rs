//! Lab 05: lab 03's room, made to carry millions of lines a second and thousands of members on
//! two cores. Linux only (see `sys`).
//!
//! `lab05 server` runs the room (port 9090), `lab05 client` joins it from a terminal (lab 03's
//! client); `nc 127.0.0.1 9090` joins it too. The protocol is lab 03's, and so are its pieces:
//! framing, nickname and text rules, every line sent (but for the pace's one reason to drop a
//! member), the gate and the name deadline, the flood counter (`lab03::...`). What is here is
//! the lesson of the guide chapter (guide/src/lab05-scale.md), what a thread per client costs:
//!
//! - `server`: the documents' `receive` (accept loop, the kernel's limits, unnamed connections
//!   limited) and `handle` (a connection's thread, until it has a name);
//! - `doorman`: the thread that turns connections away, so that the accept loop only accepts;
//! - `reader`: the one thread that reads every member once it has joined (epoll), and decides
//!   each line as lab 03's `handle` does, the lines that arrived together said in batches;
//! - `splitter`: a member's bytes cut into lines as they arrive, by lab 03's rules;
//! - `pace`: each member's share of the server: past a burst, its lines are read at a pace,
//!   and a member that stays past its share is dropped;
//! - `meter`: a connection's socket, read through its share while it chooses its name, so that
//!   a line that never ends is counted too;
//! - `room`: the member list and the documents' `broadcast`, under one lock: it only queues;
//! - `outbox`: each member's queue (the documents' `client.send`), the slow-reader rules, and
//!   its writer thread for when it lags;
//! - `chunks`: what a member's queue holds: the room's lines, shared by all the queues;
//! - `postman`: the one thread that writes every member that keeps up, never waiting;
//! - `load`: how much waits for the postman, and the speakers that wait for it;
//! - `sys`: every system call std lacks, each behind a safe function.
//!
//! Modules form a tree: server -> doorman, meter, outbox, pace, reader, room, sys; reader ->
//! meter, outbox, pace, room, splitter, sys; meter -> pace; room -> postman -> outbox -> chunks,
//! load, sys. From labkit come the log (`labkit::log`), the stop request (`labkit::stop`) and
//! the threads' small stacks (`labkit::thread`).

// Said once, in a sentence, rather than as the errors of the system calls it would not find.
#[cfg(not(target_os = "linux"))]
compile_error!("lab05 runs on Linux only (see src/sys.rs); labs 01 to 04 run everywhere");

mod chunks;
mod doorman;
mod load;
mod meter;
mod outbox;
mod pace;
mod postman;
mod reader;
mod room;
mod server;
mod splitter;
mod sys;

use std::process::ExitCode;
use std::time::Duration;

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
/// writes, one thread that reads every member and one that writes them instead of a thread
/// wake-up per line, rules for members that read slowly or not at all, and the kernel's limits
/// raised or respected. It uses Linux system calls (see its sys module), so it builds and runs on
/// Linux only; labs 01 to 04 run everywhere.
#[derive(Parser)]
#[command(name = "lab05", version, after_help = EXAMPLE)]
struct Cli {
    #[command(subcommand)]
    role: Role,
}

#[derive(Subcommand)]
enum Role {
    /// Runs the room; Ctrl-C, SIGTERM or SIGHUP, or `shutdown` typed at its console, stops it.
    Server {
        #[command(flatten)]
        address: Address<9090>,
        /// Seconds a connection has to choose its nickname before it is closed.
        #[arg(long, value_name = "SECS", default_value = "30",
              value_parser = labkit::cli::seconds, allow_negative_numbers = true)]
        name_timeout: Duration,
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
        Role::Server {
            address,
            name_timeout,
        } => server::serve(&address, name_timeout),
        Role::Client { address, name } => lab03::client::chat(&address, name),
    })
}
