//! Errors as sentences.
//!
//! A student who starts the client before the server should read
//! `lab02: no server is listening on 127.0.0.1:8080: start the server first`, not a panic and a
//! backtrace. Every fallible step of a lab returns [`Result`]; [`Context`] turns a low-level
//! `io::Error` into a sentence that says what the program was doing; [`run`] prints the sentence
//! on stderr and exits with a non-zero status.

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

/// A failure a user can read: one sentence, without a backtrace.
#[derive(Clone, PartialEq, Eq)]
pub struct Failure {
    message: String,
}

/// The result of every fallible step in the labs.
pub type Result<T, E = Failure> = std::result::Result<T, E>;

impl Failure {
    /// A failure whose whole message is `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

// `main` may return a `Result`, and then Rust prints the error with `Debug`: make that the
// sentence too, never a struct dump.
impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Says what was being done when an I/O error happened: `stream.read(..).context("lost the
/// connection to Deemah")?` fails with "lost the connection to Deemah: the connection was reset".
pub trait Context<T> {
    /// Prefixes the error with `doing`.
    fn context(self, doing: impl fmt::Display) -> Result<T>;
}

impl<T> Context<T> for io::Result<T> {
    fn context(self, doing: impl fmt::Display) -> Result<T> {
        self.map_err(|error| Failure::new(format!("{doing}: {}", explain(&error))))
    }
}

/// An I/O error in words, without the `(os error 104)` that means nothing to a reader.
pub fn explain(error: &io::Error) -> String {
    use io::ErrorKind::*;
    let words = match error.kind() {
        ConnectionRefused => "the connection was refused",
        ConnectionReset => "the connection was reset",
        ConnectionAborted => "the connection was aborted",
        BrokenPipe => "the other side has closed the connection",
        UnexpectedEof => "the other side closed the connection",
        AddrInUse => "the address is already in use",
        AddrNotAvailable => "that address does not belong to this machine",
        TimedOut | WouldBlock => "it timed out",
        PermissionDenied => "permission denied",
        InvalidData => "the data is not valid UTF-8",
        _ => return without_os_code(&error.to_string()),
    };
    words.to_string()
}

fn without_os_code(text: &str) -> String {
    match text.find(" (os error") {
        Some(end) => text[..end].to_string(),
        None => text.to_string(),
    }
    .to_lowercase()
}

/// Runs a lab's body: `Ok` exits with status 0, a [`Failure`] is printed as
/// `program: sentence` on stderr and exits with status 1. It also sets, for the whole process
/// and for good, what a `println!` that cannot write does (see below).
pub fn run(program: &str, body: impl FnOnce() -> Result<()>) -> ExitCode {
    stop_in_a_sentence_when_output_is_gone(program);
    match body() {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{program}: {failure}");
            ExitCode::FAILURE
        }
    }
}

/// `println!` panics when it cannot write: when standard output is a pipe whose reader has
/// gone (`lab01 server | head -1`, once `head` has its line). The labs print with `println!`, as
/// the documents print with `print`, so instead of a `Result` on every line, `run` turns that
/// one panic into a sentence and exit status 1, from whichever thread printed. Every other
/// panic is a bug, and keeps Rust's own report.
fn stop_in_a_sentence_when_output_is_gone(program: &str) {
    let program = program.to_string();
    let rust_report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |panic| {
        let message = panic
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        match output_gone(message) {
            Some(sentence) => {
                // If standard error is gone too, there is nobody to tell: only the status says it.
                let _ = writeln!(io::stderr(), "{program}: {sentence}");
                std::process::exit(1);
            }
            None => rust_report(panic),
        }
    }));
}

/// The sentence for a panic of `print!` or `eprint!` that could not write (std's message is
/// "failed printing to stdout: Broken pipe (os error 32)"), or None for any other panic.
fn output_gone(panic_message: &str) -> Option<String> {
    let (stream, why) = panic_message
        .strip_prefix("failed printing to ")?
        .split_once(": ")?;
    let stream = match stream {
        "stdout" => "standard output",
        "stderr" => "standard error",
        _ => return None,
    };
    Some(cannot_print(stream, &without_os_code(why)))
}

/// A write to standard output that failed, as a [`Failure`] in the same words as a `println!`
/// that failed (see [`run`]).
pub fn printing_failed(error: io::Error) -> Failure {
    Failure::new(cannot_print(
        "standard output",
        &without_os_code(&error.to_string()),
    ))
}

/// "Closed" only when it was: a pipe whose reader has gone (Linux and macOS say "broken pipe",
/// Windows "the pipe is being closed."); a full disk, say, is another failure.
fn cannot_print(stream: &str, reason: &str) -> String {
    let reason = reason.trim_end_matches('.');
    if reason.contains("pipe") {
        format!("cannot print any more: its {stream} was closed ({reason})")
    } else {
        format!("cannot print any more: writing to its {stream} failed ({reason})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_says_what_was_being_done() {
        let failed: io::Result<()> = Err(io::Error::from(io::ErrorKind::ConnectionReset));
        let failure = failed.context("lost the connection to Deemah").unwrap_err();
        assert_eq!(
            failure.to_string(),
            "lost the connection to Deemah: the connection was reset"
        );
    }

    #[test]
    fn unknown_errors_lose_their_os_code() {
        let error = io::Error::from_raw_os_error(2);
        assert_eq!(explain(&error), "no such file or directory");
    }

    #[test]
    fn a_print_that_could_not_write_is_a_sentence_and_other_panics_are_not() {
        assert_eq!(
            output_gone("failed printing to stdout: Broken pipe (os error 32)").as_deref(),
            Some("cannot print any more: its standard output was closed (broken pipe)")
        );
        assert_eq!(
            output_gone("failed printing to stderr: Broken pipe (os error 32)").as_deref(),
            Some("cannot print any more: its standard error was closed (broken pipe)")
        );
        assert_eq!(
            output_gone("failed printing to stdout: No space left on device (os error 28)")
                .as_deref(),
            Some(
                "cannot print any more: writing to its standard output failed (no space left on device)"
            )
        );
        assert_eq!(
            output_gone("failed printing to stdout: The pipe is being closed. (os error 232)")
                .as_deref(),
            Some(
                "cannot print any more: its standard output was closed (the pipe is being closed)"
            )
        );
        assert_eq!(output_gone("index out of bounds: the len is 3"), None);
        assert_eq!(output_gone("failed printing to a file: full"), None);
        assert_eq!(output_gone(""), None);
    }

    #[test]
    fn a_write_to_a_closed_output_says_so_in_the_same_words() {
        let closed = io::Error::new(io::ErrorKind::BrokenPipe, "Broken pipe");
        assert_eq!(
            printing_failed(closed).to_string(),
            "cannot print any more: its standard output was closed (broken pipe)"
        );
    }

    #[test]
    fn debug_is_the_sentence_too() {
        assert_eq!(format!("{:?}", Failure::new("port in use")), "port in use");
    }
}
