//! Reading what the user types: Python's `input(prompt)`.
//!
//! On a terminal, [`Keyboard`] uses rustyline, so the user gets line editing and history (the
//! up arrow brings back the last message). When standard input is a pipe, as in the tests and in
//! scripts, it prints the prompt and reads a plain line. What the user sees is the same either
//! way, prompts included: only the editing differs.
//!
//! A chat client also prints messages that arrive while its user is typing. On a terminal a
//! plain `println!` would tear through the half-typed line; [`Keyboard::printer`] returns a
//! [`Printer`] that another thread can use to print above the line being edited instead.
//!
//! When that other thread learns that the conversation is over (the server has gone), the thread
//! waiting for the user must stop waiting: [`Keyboard::interrupter`] returns an [`Interrupter`]
//! that makes the pending `read_line` return as if the user had pressed Ctrl-C, with the
//! terminal put back as rustyline found it.

use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustyline::error::ReadlineError;
use rustyline::{DefaultEditor, ExternalPrinter};

use crate::error::{self, Context, Failure, Result};

/// Where the user's lines come from.
pub struct Keyboard {
    editor: Option<DefaultEditor>,
    interrupted: Arc<AtomicBool>,
}

impl Keyboard {
    /// Reads from the terminal with rustyline when standard input is one, plain lines otherwise.
    pub fn new() -> Result<Self> {
        let editor = if io::stdin().is_terminal() {
            let editor = DefaultEditor::new()
                .map_err(|e| Failure::new(format!("cannot use the terminal: {e}")))?;
            Some(editor)
        } else {
            None
        };
        Ok(Keyboard {
            editor,
            interrupted: Arc::default(),
        })
    }

    /// Shows `prompt` and returns the line typed, without its line end; `None` when the input
    /// has ended (Ctrl-D, Ctrl-C, or the end of a pipe).
    pub fn read_line(&mut self, prompt: &str) -> Result<Option<String>> {
        if self.interrupted.load(Ordering::SeqCst) {
            return Ok(None);
        }
        match &mut self.editor {
            Some(editor) => match editor.readline(prompt) {
                Ok(line) => {
                    // History is a convenience: a line that cannot be remembered is still sent.
                    let _ = editor.add_history_entry(line.as_str());
                    Ok(Some(line))
                }
                Err(ReadlineError::Eof | ReadlineError::Interrupted) => Ok(None),
                Err(e) => Err(Failure::new(format!("cannot read from the terminal: {e}"))),
            },
            None => {
                // The lock is released before waiting for input: another thread may need to
                // print meanwhile (a chat client's incoming messages).
                {
                    let mut stdout = io::stdout().lock();
                    write!(stdout, "{prompt}").map_err(error::printing_failed)?;
                    stdout.flush().map_err(error::printing_failed)?;
                }
                let mut line = String::new();
                let read = io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .context("cannot read the input")?;
                if read == 0 {
                    return Ok(None);
                }
                let typed = line.strip_suffix('\n').unwrap_or(&line);
                Ok(Some(typed.strip_suffix('\r').unwrap_or(typed).to_string()))
            }
        }
    }

    /// A printer that another thread can use while this one waits in [`Keyboard::read_line`].
    pub fn printer(&mut self) -> Result<Printer> {
        match &mut self.editor {
            Some(editor) => {
                let printer = editor
                    .create_external_printer()
                    .map_err(|e| Failure::new(format!("cannot use the terminal: {e}")))?;
                Ok(Printer {
                    above_prompt: Some(Box::new(printer)),
                })
            }
            None => Ok(Printer { above_prompt: None }),
        }
    }

    /// A handle another thread can use to end this keyboard's reading.
    pub fn interrupter(&self) -> Interrupter {
        Interrupter {
            interrupted: Arc::clone(&self.interrupted),
            terminal: self.editor.is_some(),
        }
    }
}

/// Ends a [`Keyboard::read_line`] from another thread.
pub struct Interrupter {
    interrupted: Arc<AtomicBool>,
    terminal: bool,
}

impl Interrupter {
    /// Makes the keyboard's waiting `read_line` (and every later one) return `None`.
    ///
    /// Returns false when standard input is a pipe: a thread blocked reading a pipe cannot be
    /// woken, so the caller must end the program itself (there is no terminal to restore then).
    ///
    /// On a Unix terminal this raises SIGINT, which rustyline, while it reads, turns into
    /// "interrupted": it restores the terminal's settings and returns. Should the signal land in
    /// the instant between two `read_line` calls, its default action ends the program at once,
    /// with a failure status and the terminal already restored. Windows has no such signal to
    /// raise at one's own process: there it returns false too, and the caller ends the program.
    pub fn interrupt(&self) -> bool {
        self.interrupted.store(true, Ordering::SeqCst);
        self.terminal && raise_interrupt()
    }
}

#[cfg(unix)]
fn raise_interrupt() -> bool {
    signal_hook::low_level::raise(signal_hook::consts::SIGINT).is_ok()
}

#[cfg(not(unix))]
fn raise_interrupt() -> bool {
    false
}

/// Prints `line` on stdout. Not `println!`, which panics when nobody reads the output any more
/// (`lab03 client | head -1`); a printer has nobody to report that to, so it is ignored.
fn print_plain(line: &str) {
    let _ = writeln!(io::stdout().lock(), "{line}");
}

/// Prints whole lines from another thread without breaking the line being typed.
pub struct Printer {
    above_prompt: Option<Box<dyn ExternalPrinter + Send>>,
}

impl Printer {
    /// Prints `line` and a line end.
    pub fn print_line(&mut self, line: &str) {
        match &mut self.above_prompt {
            // rustyline redraws the prompt and the half-typed line below the message.
            Some(printer) => {
                if printer.print(format!("{line}\n")).is_err() {
                    print_plain(line);
                }
            }
            None => print_plain(line),
        }
    }

    /// Waits until every line given to [`Printer::print_line`] is on the screen: call it before
    /// interrupting the keyboard, or the last lines could be lost with the prompt.
    pub fn flush(&mut self) {
        // rustyline hands printed lines to the prompt's thread one at a time, so handing it one
        // more waits until the last real line was taken, and a taken line is drawn before the
        // prompt looks at signals again. The extra "line" is a cursor-up: with the line end
        // rustyline adds after it, it leaves the screen as it was.
        if let Some(printer) = &mut self.above_prompt {
            let _ = printer.print("\x1b[A".to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupted_keyboard_reads_nothing_more() {
        // Piped input: the interrupter cannot wake a blocked read, but says so, and the next
        // read returns at once instead of waiting for input that may never come.
        let mut keyboard = Keyboard {
            editor: None,
            interrupted: Arc::default(),
        };
        let interrupter = keyboard.interrupter();
        assert!(!interrupter.interrupt());
        assert_eq!(keyboard.read_line("> ").unwrap(), None);
    }
}
