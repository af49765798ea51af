//! A program under test, started as a child process with piped standard streams.

use std::io::Write;
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use crate::conversation::Conversation;
use crate::received::{Missed, Received, end_of, end_of_line, quote, trim_line_end};

/// Which program plays a role in a conversation: the lab's own binary with the role as its
/// subcommand (`lab02 server`), or the command line in the role's variable (`LAB02_SERVER`),
/// run by `sh -c` with the test's arguments appended, and signalled as if it ran directly.
///
/// Build one with [`role!`](crate::role!), which finds the lab's binary for you.
#[derive(Clone, Debug)]
pub struct Role {
    label: String,
    launch: Launch,
    /// Variables set for the program, over the test's own environment.
    env: Vec<(String, String)>,
    /// The folder it starts in, if not the test's.
    dir: Option<std::path::PathBuf>,
}

#[derive(Clone, Debug)]
enum Launch {
    /// A program and its first arguments, started directly.
    Program(Vec<String>),
    /// A command line, run by `sh -c` (see [`Role::command`] for how it gets its signals).
    Shell(String),
}

/// The [`Role`] `role` of lab `lab`: `role!("lab03", "server")` is `lab03 server`, unless
/// `LAB03_SERVER` holds another command line.
#[macro_export]
macro_rules! role {
    ($lab:literal, $role:literal) => {
        $crate::Role::resolve($lab, $role, env!(concat!("CARGO_BIN_EXE_", $lab)))
    };
}

/// The [`Role`] `role` of the stage whose suite is running: `stage_role!("server")` is
/// `lab03 server` in `cargo test -p lab03` and `lab05 server` in `cargo test -p lab05`. This is
/// how one room suite grades two stages: lab 05's test targets are lab 03's test files.
#[macro_export]
macro_rules! stage_role {
    ($role:literal) => {
        $crate::Role::resolve(
            env!("CARGO_PKG_NAME"),
            $role,
            env!(concat!("CARGO_BIN_EXE_", env!("CARGO_PKG_NAME"))),
        )
    };
}

impl Role {
    /// The variable that replaces `lab`'s `role`: `LAB03_SERVER`.
    pub fn variable(lab: &str, role: &str) -> String {
        format!("{}_{}", lab, role).to_uppercase()
    }

    /// `lab`'s `role`: `own_binary role`, or the command line in [`Role::variable`] if it is set.
    pub fn resolve(lab: &str, role: &str, own_binary: &str) -> Role {
        let variable = Role::variable(lab, role);
        match std::env::var(&variable) {
            Ok(command) if !command.trim().is_empty() => {
                Role::shell(&format!("{lab} {role} (${variable})"), &command)
            }
            _ => Role::program(&format!("{lab} {role}"), own_binary, &[role]),
        }
    }

    /// Any program: `binary` started with `first_args` before the test's arguments.
    pub fn program(label: &str, binary: &str, first_args: &[&str]) -> Role {
        let program = std::iter::once(binary)
            .chain(first_args.iter().copied())
            .map(str::to_string)
            .collect();
        Role {
            label: label.to_string(),
            launch: Launch::Program(program),
            env: Vec::new(),
            dir: None,
        }
    }

    /// A command line run by `sh -c`, with the test's arguments appended.
    pub fn shell(label: &str, command_line: &str) -> Role {
        Role {
            label: label.to_string(),
            launch: Launch::Shell(command_line.to_string()),
            env: Vec::new(),
            dir: None,
        }
    }

    /// The same role with the variable `name` set to `value` (`HOME` pointed at a scratch folder,
    /// for a command that writes to `~`).
    pub fn with_env(mut self, name: &str, value: &str) -> Role {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    /// The same role, started in the folder `dir` (the kit's root, for a line of the guide).
    pub fn in_dir(mut self, dir: &std::path::Path) -> Role {
        self.dir = Some(dir.to_path_buf());
        self
    }

    /// What the step log calls this role.
    pub fn label(&self) -> &str {
        &self.label
    }

    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut command = match &self.launch {
            Launch::Shell(line) => {
                // `"$@"` passes the test's arguments through the shell untouched.
                //
                // Ctrl-C goes to the whole process group (see `Process::signal`), the shell
                // included. A plain `sh -c` dies of it at once, and the test sees the shell killed
                // by SIGINT instead of the program's own answer to it. A trap that does nothing
                // keeps the shell waiting for its program, which gets the signal untouched (an
                // ignored signal, `trap ''`, would be inherited; a caught one is not), and the
                // shell then exits with the program's status: as if it had been run directly.
                let mut shell = Command::new("sh");
                shell
                    .arg("-c")
                    .arg(format!("trap : INT TERM HUP\n{line} \"$@\""))
                    .arg("sh");
                shell
            }
            Launch::Program(program) => {
                let mut own = Command::new(&program[0]);
                own.args(&program[1..]);
                own
            }
        };
        command.args(args);
        command.envs(self.env.iter().map(|(name, value)| (name, value)));
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        command
    }
}

/// A running program: what it prints is recorded, lines can be typed into it, and it is killed
/// (with everything it started) when this handle is dropped.
pub struct Process {
    talk: Conversation,
    label: String,
    pid: u32,
    stdin: Option<ChildStdin>,
    stdout: Received,
    stderr: Received,
    exited: Receiver<ExitStatus>,
    status: Option<ExitStatus>,
}

impl Process {
    pub(crate) fn start(talk: Conversation, role: Role, args: &[&str]) -> Process {
        let mut command = role.command(args);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Python block-buffers a pipe; the documents' programs must print as they go.
            .env("PYTHONUNBUFFERED", "1")
            .env_remove("RUST_BACKTRACE")
            // Its own process group, so that dropping the handle also ends what it started.
            .process_group(0);
        let shown = format!("{} {}", role.label, args.join(" "));
        talk.step(format!("start {}", shown.trim_end()));
        let mut child: Child = match command.spawn() {
            Ok(child) => child,
            Err(error) => talk.fail(&format!("could not start {}: {error}\n", role.label)),
        };
        let pid = child.id();
        let stdin = child.stdin.take();
        let stdout = Received::pump(child.stdout.take().expect("stdout is piped"));
        let stderr = Received::pump(child.stderr.take().expect("stderr is piped"));
        let (tell, exited) = mpsc::channel();
        thread::spawn(move || {
            if let Ok(status) = child.wait() {
                let _ = tell.send(status);
            }
        });
        Process {
            talk,
            label: role.label,
            pid,
            stdin,
            stdout,
            stderr,
            exited,
            status: None,
        }
    }

    /// Waits until the program has printed `text`, and returns everything it printed up to and
    /// including it.
    pub fn expect(&mut self, text: &str) -> String {
        self.expect_within(text, crate::timeout())
    }

    /// [`Process::expect`] with a time limit of its own, for a program whose work takes longer
    /// than a message on loopback (a build, a load test, a whole suite).
    pub fn expect_within(&mut self, text: &str, limit: Duration) -> String {
        self.talk
            .step(format!("wait for {} to print {}", self.label, quote(text)));
        match self
            .stdout
            .wait(limit, |bytes| end_of(bytes, text.as_bytes()))
        {
            Ok(printed) => printed,
            Err(missed) => self.missed(&format!("expected: {}", quote(text)), missed),
        }
    }

    /// Waits for the next whole line and returns it without its line end.
    pub fn expect_line(&mut self) -> String {
        self.talk
            .step(format!("wait for {} to print a line", self.label));
        match self.stdout.wait(crate::timeout(), end_of_line) {
            Ok(line) => trim_line_end(&line).to_string(),
            Err(missed) => self.missed("expected: a whole line", missed),
        }
    }

    /// Reads the address a server listens on from its first line (`listening on 127.0.0.1:9090`:
    /// the last word that is an address).
    pub fn address(&mut self) -> SocketAddr {
        let line = self.expect_line();
        let found = line.split_whitespace().rev().find_map(|word| {
            word.trim_matches(|c: char| ",.;()".contains(c))
                .parse()
                .ok()
        });
        match found {
            Some(address) => {
                self.talk
                    .step(format!("{} listens on {address}", self.label));
                address
            }
            None => self.talk.fail(&format!(
                "expected: the first line of {} to name the address it listens on, \
                 like \"listening on 127.0.0.1:9090\"\narrived: {}\n",
                self.label,
                quote(&line)
            )),
        }
    }

    /// Types `line` and Enter into the program's standard input.
    pub fn send_line(&mut self, line: &str) {
        self.talk
            .step(format!("type into {}: {}", self.label, quote(line)));
        let typed = format!("{line}\n");
        // Echoed before it is typed: the program can answer the moment it reads the line, and
        // its answer must come after the line in the transcript, as on a terminal.
        self.stdout.echo(&typed);
        let written = match &mut self.stdin {
            Some(stdin) => stdin
                .write_all(typed.as_bytes())
                .and_then(|_| stdin.flush()),
            None => Err(std::io::ErrorKind::BrokenPipe.into()),
        };
        if let Err(error) = written {
            let details = format!("could not type into {}: {error}\n", self.label);
            self.fail_with_output(&details);
        }
    }

    /// Closes the program's standard input, as Ctrl-D at a terminal does.
    pub fn close_input(&mut self) {
        self.talk.step(format!("close the input of {}", self.label));
        self.stdin = None;
    }

    /// Sends SIGINT to the program, as Ctrl-C at a terminal does.
    pub fn interrupt(&mut self) {
        self.talk.step(format!("press Ctrl-C in {}", self.label));
        self.signal("INT");
    }

    /// Sends the signal `name` (`TERM`, `HUP`...) to the program, as `kill -NAME` does.
    pub fn send_signal(&mut self, name: &str) {
        self.talk.step(format!("send SIG{name} to {}", self.label));
        self.signal(name);
    }

    /// The program's process id (to read what it uses from /proc, for instance).
    pub fn id(&self) -> u32 {
        self.pid
    }

    /// Kills the program (SIGKILL), as a crash or `kill -9` would.
    pub fn kill(&mut self) {
        self.talk.step(format!("kill {}", self.label));
        self.signal("KILL");
    }

    fn signal(&self, name: &str) {
        // The whole process group: a role run through `sh -c` must get the signal too.
        let _ = Command::new("kill")
            .args([&format!("-{name}"), "--", &format!("-{}", self.pid)])
            .stderr(Stdio::null())
            .status();
    }

    /// Waits until the program exits, and returns its status.
    pub fn wait_exit(&mut self) -> ExitStatus {
        self.wait_exit_within(crate::timeout())
    }

    /// [`Process::wait_exit`] with a time limit of its own.
    pub fn wait_exit_within(&mut self, limit: Duration) -> ExitStatus {
        if let Some(status) = self.status {
            return status;
        }
        self.talk.step(format!("wait for {} to exit", self.label));
        match self.exited.recv_timeout(limit) {
            Ok(status) => {
                self.status = Some(status);
                // Whatever it printed last is in the pipes: let the readers finish.
                let _ = self.stdout.wait_end(crate::timeout());
                let _ = self.stderr.wait_end(crate::timeout());
                status
            }
            Err(_) => self.fail_with_output("expected: the program to exit\n"),
        }
    }

    /// Waits until the program exits with status 0.
    pub fn wait_success(&mut self) {
        let status = self.wait_exit();
        if !status.success() {
            self.fail_with_output(&format!("expected: exit status 0\narrived: {status}\n"));
        }
    }

    /// Waits until the program fails as the kit's programs must: a non-zero status and a sentence
    /// on stderr, without a panic or a backtrace. Returns what it printed on stderr.
    pub fn wait_failure(&mut self) -> String {
        let status = self.wait_exit();
        let said = self.stderr();
        let panicked = said.contains("panicked") || said.contains("RUST_BACKTRACE");
        if status.success() || said.trim().is_empty() || panicked {
            self.fail_with_output(&format!(
                "expected: a non-zero exit status and one sentence on stderr, no panic\n\
                 arrived: {status}\n"
            ));
        }
        said
    }

    /// Waits until the program has printed `text` on stderr.
    pub fn expect_stderr(&mut self, text: &str) -> String {
        self.talk.step(format!(
            "wait for {} to print {} on stderr",
            self.label,
            quote(text)
        ));
        match self
            .stderr
            .wait(crate::timeout(), |bytes| end_of(bytes, text.as_bytes()))
        {
            Ok(printed) => printed,
            Err(missed) => self.missed(&format!("expected on stderr: {}", quote(text)), missed),
        }
    }

    /// What a terminal would show of the program: its output, with the lines typed into it.
    pub fn transcript(&self) -> String {
        self.stdout.transcript()
    }

    /// Everything the program printed on stderr.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.bytes()).into_owned()
    }

    /// What the step log calls this program.
    pub fn label(&self) -> &str {
        &self.label
    }

    fn missed(&self, expected: &str, missed: Missed) -> ! {
        let ended = if missed.ended {
            " (its output has ended)"
        } else {
            ""
        };
        self.fail_with_output(&format!(
            "{expected}\narrived instead{ended}: {}\n",
            quote(&missed.unconsumed)
        ))
    }

    fn fail_with_output(&self, details: &str) -> ! {
        let stderr = self.stderr();
        let mut details = details.to_string();
        if !stderr.is_empty() {
            details.push_str(&format!(
                "{} said on stderr: {}\n",
                self.label,
                quote(&stderr)
            ));
        }
        details.push_str(&format!(
            "{}'s whole output so far:\n{}\n",
            self.label,
            self.transcript()
        ));
        self.talk.fail(&details)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // Also when the program has exited: whatever it started may still be running.
        self.signal("KILL");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Python program that answers Ctrl-C by printing a line and exiting with status 0, the way
    /// a room server tells its members and stops.
    /// It puts Python's own Ctrl-C handler back first: started from a background job, a program
    /// inherits Ctrl-C ignored, and Python then never raises KeyboardInterrupt (a clean clone's
    /// suite run with `&` failed here twice). It says `ready` inside its `try`, so that a Ctrl-C
    /// sent as soon as `ready` is read cannot fall between the two.
    const ANSWERS_CTRL_C: &str = "import signal, sys, time\n\
        signal.signal(signal.SIGINT, signal.default_int_handler)\n\
        try:\n    print('ready', flush=True)\n    time.sleep(30)\n\
        except KeyboardInterrupt:\n    print('interrupted', flush=True)\n    sys.exit(0)\n";

    #[test]
    fn a_command_line_gets_ctrl_c_as_if_it_ran_directly() {
        let script = std::env::temp_dir().join(format!("answers-ctrl-c-{}.py", std::process::id()));
        std::fs::write(&script, ANSWERS_CTRL_C).expect("the temporary folder is writable");
        // Not `exec python3 ...`: a command line as a student would write it, and one with
        // two commands, where the shell cannot hand its place to the program.
        for line in [
            format!("python3 {}", script.display()),
            format!("true && python3 {}", script.display()),
        ] {
            let talk = Conversation::new("harness: Ctrl-C reaches a command line's program");
            let mut program = talk.start(Role::shell("answers Ctrl-C", &line), &[]);
            program.expect("ready\n");
            program.interrupt();
            program.expect("interrupted\n");
            program.wait_success();
        }
        let _ = std::fs::remove_file(&script);
    }
}
