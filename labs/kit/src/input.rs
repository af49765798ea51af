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

use std::io::{self, BufRead, IsTerminal, Write};

use rustyline::error::ReadlineError;
use rustyline::{DefaultEditor, ExternalPrinter};

use crate::error::{Context, Failure, Result};

/// Where the user's lines come from.
pub struct Keyboard {
    editor: Option<DefaultEditor>,
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
        Ok(Keyboard { editor })
    }

    /// Shows `prompt` and returns the line typed, without its line end; `None` when the input
    /// has ended (Ctrl-D, Ctrl-C, or the end of a pipe).
    pub fn read_line(&mut self, prompt: &str) -> Result<Option<String>> {
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
                let mut stdout = io::stdout().lock();
                write!(stdout, "{prompt}").context("cannot write to the terminal")?;
                stdout.flush().context("cannot write to the terminal")?;
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
                    println!("{line}");
                }
            }
            None => println!("{line}"),
        }
    }
}
