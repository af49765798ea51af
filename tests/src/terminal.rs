//! A program in a real terminal, for what a pipe cannot show: line editing, and lines printed
//! above the line being typed.
//!
//! The terminal is a tmux pane, in a tmux server of its own (`tmux -L`), so tests running in
//! parallel never see each other's sessions. Keys are typed with `send-keys`, and the screen
//! is read with `capture-pane`: what a person would see, after the escape sequences are
//! applied. Waiting is for the screen to show something: tmux copies the pane's output into a
//! pipe (`pipe-pane`), and each time output arrives the screen is read again, until the text
//! is there or the time limit passes.
//!
//! The program runs in a shell that, when the program ends, prints `[exited with status N]` and
//! keeps the pane open, as a terminal window would stay open after a command: so the last
//! output is never lost and the exit status is on the screen.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::conversation::Conversation;
use crate::process::Role;
use crate::received::{Received, quote};

/// A program running in a tmux pane of its own.
pub struct Terminal {
    talk: Conversation,
    label: String,
    /// The tmux server's socket name (`tmux -L`).
    socket: String,
    /// Holds the tmux configuration and the pipe of the pane's output.
    dir: PathBuf,
    /// The pane's output as it arrives: only used to know when to read the screen again.
    output: Received,
}

const SESSION: &str = "harness";

impl Terminal {
    /// Starts `role` with `args` in a terminal `width` columns by `height` lines.
    pub fn start(talk: &Conversation, role: Role, args: &[&str], width: u16, height: u16) -> Self {
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let number = STARTED.fetch_add(1, Ordering::SeqCst);
        let socket = format!("harness-{}-{number}", std::process::id());
        let dir = std::env::temp_dir().join(&socket);
        let label = format!("{} (in a terminal)", role.label());
        talk.step(format!(
            "start {} {} in a {width}x{height} terminal",
            role.label(),
            args.join(" ")
        ));

        let setup = std::fs::create_dir_all(&dir).and_then(|()| {
            // No status line: the screen is the program's alone.
            std::fs::write(dir.join("tmux.conf"), "set -g status off\n")
        });
        if let Err(error) = setup {
            talk.fail(&format!("cannot prepare {}: {error}\n", dir.display()));
        }
        let fifo = dir.join("output");
        run_or_fail(talk, Command::new("mkfifo").arg(&fifo), "mkfifo");

        let command = role.command(args);
        let program = std::iter::once(command.get_program())
            .chain(command.get_args())
            .map(|word| shell_quote(&word.to_string_lossy()))
            .collect::<Vec<_>>()
            .join(" ");
        let shell = format!("{program}; echo \"[exited with status $?]\"; exec sleep 3600");
        let config = dir.join("tmux.conf");
        run_or_fail(
            talk,
            Command::new("tmux")
                .args(["-L", &socket, "-f"])
                .arg(&config)
                .args(["new-session", "-d", "-s", SESSION])
                .args(["-x", &width.to_string(), "-y", &height.to_string()])
                .arg(shell),
            "tmux new-session",
        );
        let terminal = Terminal {
            talk: talk.clone(),
            label,
            socket,
            output: Received::pump(Fifo {
                path: fifo.clone(),
                file: None,
            }),
            dir,
        };
        terminal.tmux(
            &[
                "pipe-pane",
                "-t",
                SESSION,
                &format!("cat >> {}", fifo.display()),
            ],
            "tmux pipe-pane",
        );
        terminal
    }

    /// Types `text` as it is, without Enter.
    pub fn type_text(&mut self, text: &str) {
        self.talk
            .step(format!("type into {}: {}", self.label, quote(text)));
        self.tmux(&["send-keys", "-t", SESSION, "-l", text], "tmux send-keys");
    }

    /// Presses one key, by tmux's name for it: `Enter`, `C-c`, `C-d`.
    pub fn press(&mut self, key: &str) {
        self.talk.step(format!("press {key} in {}", self.label));
        self.tmux(&["send-keys", "-t", SESSION, key], "tmux send-keys");
    }

    /// Waits until the screen shows `text`, and returns the screen.
    pub fn expect_screen(&mut self, text: &str) -> String {
        self.talk
            .step(format!("wait for {} to show {}", self.label, quote(text)));
        self.wait_until(|_, screen| screen.contains(text), &quote(text))
    }

    /// Waits until the cursor stands at the start of a line: the terminal has echoed a pressed
    /// Enter. The screen cannot tell: it shows a typed line the same before and after its Enter
    /// is echoed, and a line printed before that echo would continue the typed one.
    pub fn expect_cursor_at_line_start(&mut self) {
        self.talk.step(format!(
            "wait for {}'s cursor at the start of a line",
            self.label
        ));
        self.wait_until(
            |terminal, _| terminal.cursor_column() == Some(0),
            "the cursor at the start of a line",
        );
    }

    /// Waits until `ready` holds of the terminal and its screen, looking again each time output
    /// arrives, and returns that screen; fails the conversation, saying it expected `what`, once
    /// the time limit passes without it.
    fn wait_until(&mut self, ready: impl Fn(&Self, &str) -> bool, what: &str) -> String {
        loop {
            let screen = self.screen();
            if ready(self, &screen) {
                return screen;
            }
            // Any new output means the screen may have changed: read it again.
            let more = self.output.wait(crate::timeout(), |bytes| {
                (!bytes.is_empty()).then_some(bytes.len())
            });
            if more.is_err() {
                let screen = self.screen();
                if ready(self, &screen) {
                    return screen;
                }
                self.talk.fail(&format!(
                    "expected on the screen: {what}\nthe screen shows:\n{screen}\n"
                ));
            }
        }
    }

    /// The cursor's column, counted from 0 (tmux's `cursor_x`).
    fn cursor_column(&self) -> Option<u16> {
        let output = self.tmux(
            &["display-message", "-p", "-t", SESSION, "#{cursor_x}"],
            "tmux display-message",
        );
        String::from_utf8_lossy(&output.stdout).trim().parse().ok()
    }

    /// Waits until the program has exited and returns its exit status.
    pub fn wait_exit(&mut self) -> i32 {
        let screen = self.expect_screen("[exited with status ");
        let status = screen
            .rsplit("[exited with status ")
            .next()
            .and_then(|rest| rest.split(']').next())
            .and_then(|number| number.parse().ok());
        match status {
            Some(status) => status,
            None => self.talk.fail(&format!(
                "expected: an exit status on the screen\nthe screen shows:\n{screen}\n"
            )),
        }
    }

    /// What the screen shows now: its lines without trailing spaces, and without the empty
    /// lines below the last one written.
    pub fn screen(&self) -> String {
        let output = self.tmux(&["capture-pane", "-p", "-t", SESSION], "tmux capture-pane");
        let text = String::from_utf8_lossy(&output.stdout);
        let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        let last = lines.iter().rposition(|line| !line.is_empty());
        match last {
            Some(last) => lines[..=last].join("\n") + "\n",
            None => String::new(),
        }
    }

    fn tmux(&self, args: &[&str], what: &str) -> Output {
        run_or_fail(
            &self.talk,
            Command::new("tmux").args(["-L", &self.socket]).args(args),
            what,
        )
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run_or_fail(talk: &Conversation, command: &mut Command, what: &str) -> Output {
    match command.output() {
        Ok(output) if output.status.success() => output,
        Ok(output) => talk.fail(&format!(
            "{what} failed: {}\n",
            String::from_utf8_lossy(&output.stderr).trim()
        )),
        Err(error) => talk.fail(&format!(
            "cannot run {what}: {error} (is tmux installed?)\n"
        )),
    }
}

/// `word` quoted for `sh`.
fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// The named pipe tmux writes the pane's output to, opened by the reading thread: opening a
/// pipe waits until its writer opens it too.
struct Fifo {
    path: PathBuf,
    file: Option<File>,
}

impl Read for Fifo {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.file.is_none() {
            self.file = Some(File::open(Path::new(&self.path))?);
        }
        match &mut self.file {
            Some(file) => file.read(buf),
            None => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_for_the_shell() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
