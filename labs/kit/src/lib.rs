//! labkit: the plumbing every lab shares.
//!
//! Nothing here teaches networking; it is what every program of the course needs around it:
//!
//! - [`cli`]: the `--host` and `--port` options, with each lab's default port, and a parser
//!   for options in seconds; a value that is wrong gets a sentence saying why;
//! - [`net`]: `TcpListener::bind` and `TcpStream::connect`, whose failures become sentences
//!   ("port 9090 is already in use ...") instead of `Os { code: 98, .. }`; a listen backlog
//!   big enough for thousands of connections, and TCP keepalive;
//! - [`clock`]: the documents' time stamps, `%Y-%m-%d` and `%H:%M:%S`;
//! - [`input`]: reading what the user types, with line editing and history on a terminal
//!   (rustyline) and plain lines when standard input is a pipe (tests, scripts);
//! - [`error`]: errors as sentences, and [`error::run`], which prints one and exits non-zero;
//! - [`log`]: a server's standard output, written by a thread of its own so that a log nobody
//!   reads never makes the server wait;
//! - [`stop`]: Ctrl-C, SIGTERM, SIGHUP and `shutdown` typed at the console, as one channel;
//! - [`thread`]: a server's threads, named, with small stacks, and an error when none can start.

pub mod cli;
pub mod clock;
pub mod error;
pub mod input;
pub mod log;
pub mod net;
pub mod stop;
pub mod thread;

pub use error::{Context, Failure, Result};
