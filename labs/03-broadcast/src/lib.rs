//! Lab 03: the threaded broadcast room of documents 000, 001, 002 and 003, as a library that
//! the `lab03` binary (and lab 05, which reuses its protocol pieces) calls.
//!
//! - `server`: the documents' `receive` and `handle`; `server::run` is the testable entry point;
//! - `framing`: whole lines out of a byte stream, with a cap on their length;
//! - `protocol`: every line the server sends;
//! - `nickname`, `text`: which names and which message lines are accepted;
//! - `log`: the server's output, which never blocks a caller;
//! - `client`: document 001's terminal client, its `receive` and `write`.

pub mod client;
pub mod framing;
pub mod log;
pub mod nickname;
pub mod protocol;
pub mod server;
pub mod text;

mod outbox;
mod postman;
mod room;
mod sys;
