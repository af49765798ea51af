//! bench: the kit's load tool for room servers (lab 03's, a student's, or the documents').
//!
//! The documents' room servers were only ever tried by two or three people typing. This tool
//! plays many members at once and counts, for every message and every member, whether it
//! arrived, arrived twice, arrived mangled or never arrived, and how long it took: it shows with
//! figures why a server that takes one `recv(1024)` for one message loses and mangles messages,
//! and how fast a correct server can go.
//!
//! The parts, one job each:
//! - `cli`: the command line; `preset`: how to join each kind of room;
//! - `payload`: the text of each message, and how a received line is judged;
//! - `run`: one run, from the first connection to the figures;
//! - `sender`: the threads that write the messages; `reader`: the threads that read them back
//!   (epoll); `tally`, `hist`: what was received, and how late;
//! - `source`: the loopback address each member connects from;
//! - `shared`: the counters the threads share; `sys`: the system calls std does not offer;
//! - `report`: the table and the JSON line;
//! - the hostile measurements: `slowloris` (silent connections, then members from elsewhere
//!   join, timed) and `flood` (one member floods, another's latency), with `member`, one
//!   member joined the plain blocking way.

mod cli;
mod flood;
mod hist;
mod member;
mod payload;
mod preset;
mod reader;
mod report;
mod run;
mod sender;
mod shared;
mod slowloris;
mod source;
mod sys;
mod tally;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use labkit::error::explain;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    labkit::error::run("bench", || {
        run::check(&args)?;
        let server = run::server_address(&args)?;
        let (table, json, failure) = if let Some(connections) = args.slowloris {
            let outcome = slowloris::run(&args, server, connections)?;
            (outcome.table(), outcome.json(), outcome.failure)
        } else if args.flood {
            let outcome = flood::run(&args, server)?;
            (outcome.table(), outcome.json(), outcome.failure)
        } else {
            let report = run::run(&args, server)?;
            (report.table(), report.json(), report.failure())
        };
        let figures = if args.json { json + "\n" } else { table };
        // Not `print!`, which panics when stdout is a pipe nobody reads any more
        // (`bench --json | head -c 0`).
        io::stdout()
            .write_all(figures.as_bytes())
            .map_err(|error| {
                let why = match error.kind() {
                    io::ErrorKind::BrokenPipe => "nothing reads them any more".to_string(),
                    _ => explain(&error),
                };
                labkit::Failure::new(format!("cannot print the figures: {why}"))
            })?;
        // The figures are printed either way; the exit status says whether the room passed.
        match failure {
            Some(failure) => Err(labkit::Failure::new(failure)),
            None => Ok(()),
        }
    })
}
