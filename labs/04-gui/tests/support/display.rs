//! A display without a screen (Xvfb) for the window, and xdotool and ImageMagick's `import`
//! to type into it, find it and photograph it.
//!
//! `scripts/install-gui-deps` installs all three. A machine without Xvfb skips the window tests
//! with a message, unless `CI` is set: there a missing Xvfb fails, so that CI never passes
//! without having opened a window.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use harness::Conversation;

/// How long a window may take to appear, and the bound on each X tool's run.
const PATIENCE: Duration = Duration::from_secs(10);

/// A running Xvfb on a display number it chose itself, stopped when dropped.
pub struct Display {
    name: String,
    xvfb: Child,
}

impl Display {
    /// Starts Xvfb, or returns `None` (after saying why) when it is not installed and `CI` is
    /// not set.
    pub fn start(test: &str) -> Option<Display> {
        let started = Command::new("Xvfb")
            // Xvfb picks a free display number and writes it on this file descriptor (stdout),
            // so tests running in parallel never fight over one.
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "800x600x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut xvfb = match started {
            Ok(child) => child,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let ci = std::env::var("CI").is_ok_and(|value| !value.is_empty());
                if ci {
                    panic!(
                        "{test}: Xvfb is not installed, and CI is set, so the window test cannot \
                         be skipped: run scripts/install-gui-deps"
                    );
                }
                eprintln!(
                    "{test}: SKIPPED: Xvfb is not installed (run scripts/install-gui-deps to \
                     test the window for real)"
                );
                return None;
            }
            Err(error) => panic!("{test}: cannot start Xvfb: {error}"),
        };

        let stdout = xvfb.stdout.take().expect("Xvfb's stdout is piped");
        let (number_tx, number_rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).ok();
            number_tx.send(line.trim().to_string()).ok();
        });
        let number = number_rx.recv_timeout(PATIENCE).unwrap_or_default();
        if number.is_empty() {
            xvfb.kill().ok();
            panic!("{test}: Xvfb did not say which display it opened within {PATIENCE:?}");
        }
        Some(Display {
            name: format!(":{number}"),
            xvfb,
        })
    }

    /// The display's name, for `DISPLAY`: `:1`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs an X tool on this display, bounded by [`PATIENCE`]; fails the conversation if the
    /// tool fails.
    pub fn run(&self, talk: &Conversation, tool: &str, args: &[&str]) -> String {
        let output = self.try_run(tool, args);
        if !output.status.success() {
            talk.fail(&format!(
                "`{tool} {}` failed ({}): {}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn try_run(&self, tool: &str, args: &[&str]) -> Output {
        let seconds = PATIENCE.as_secs().to_string();
        Command::new("timeout")
            .arg(&seconds)
            .arg(tool)
            .args(args)
            .env("DISPLAY", &self.name)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("cannot run {tool}: {error}"))
    }

    /// Waits until a window whose title matches `title` (a regular expression) is on the
    /// display, and returns its id.
    pub fn wait_for_window(&self, talk: &Conversation, title: &str) -> String {
        talk.step(format!("wait for a window titled /{title}/"));
        // `--sync` makes xdotool wait until such a window exists; `try_run` bounds the wait.
        let found = self.try_run("xdotool", &["search", "--sync", "--name", title]);
        let stdout = String::from_utf8_lossy(&found.stdout);
        match stdout.split_whitespace().next() {
            Some(id) => id.to_string(),
            None => talk.fail(&format!(
                "no window titled /{title}/ appeared within {PATIENCE:?}"
            )),
        }
    }

    /// Gives `window` the keyboard, then types `text` into it, as a person would.
    ///
    /// A letter the keyboard map lacks (every Arabic and Persian one here) is typed by mapping
    /// it onto a spare key first, and the window must read the new map before the key arrives;
    /// a window slow to do so gets a wrong letter or none (xdotool's manual, BUGS: "typing
    /// unusual symbols ... is known to occasionally send the wrong character"). Once, under a
    /// whole-kit run, the window got "آه " for "آه، ". Such text is typed more slowly.
    pub fn type_into(&self, talk: &Conversation, window: &str, text: &str) {
        talk.step(format!("type {text:?} into the window"));
        self.run(talk, "xdotool", &["windowfocus", window]);
        let delay = if text.is_ascii() { "20" } else { "60" };
        self.run(talk, "xdotool", &["type", "--delay", delay, text]);
    }

    /// Presses `keys` (xdotool's names: `Return`, `Escape`, `ctrl+a`) in the focused window.
    pub fn press(&self, talk: &Conversation, window: &str, keys: &str) {
        talk.step(format!("press {keys} in the window"));
        self.run(talk, "xdotool", &["windowfocus", window]);
        self.run(talk, "xdotool", &["key", keys]);
    }

    /// Clicks the left mouse button at `x`, `y` of `window`.
    pub fn click(&self, talk: &Conversation, window: &str, x: i32, y: i32) {
        talk.step(format!("click at {x},{y} in the window"));
        let (x, y) = (x.to_string(), y.to_string());
        self.run(talk, "xdotool", &["mousemove", "--window", window, &x, &y]);
        self.run(talk, "xdotool", &["click", "1"]);
    }

    /// Photographs `window` into the PNG file `path`.
    pub fn screenshot(&self, talk: &Conversation, window: &str, path: &Path) {
        talk.step(format!("photograph the window into {}", path.display()));
        let target = format!("png:{}", path.display());
        self.run(talk, "import", &["-window", window, &target]);
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        self.xvfb.kill().ok();
        self.xvfb.wait().ok();
    }
}
