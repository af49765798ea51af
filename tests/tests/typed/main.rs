//! Every command the guide prints is run here, as printed.
//!
//! A reader copies the guide's `sh` lines into a terminal, from the kit's root, and does what
//! the chapter says: types a name, presses Enter, waits for a line, presses Ctrl-C. Each
//! scenario of this test does the same with the line's exact text (its comment included: it is
//! the shell's), given to `sh -c` from the kit's root (or typed into an interactive `sh` in a
//! terminal, where the chapter uses the shell's job control: `&` and `kill %1`, Ctrl-Z and
//! `fg`), and checks the outcome the chapter states. A block whose lines belong together
//! (terminal 1, terminal 2...) is one scenario.
//!
//! The files hold one chapter or two each; lab 04's window lines are run by lab 04's own suite
//! (labs/04-gui/tests/window.rs), which has FLTK and a display. Each printed line appears in
//! them as a raw string literal (`r"..."`), exactly as printed:
//! [`every_printed_line_is_run_by_a_scenario`] fails when the guide prints a line that no
//! scenario runs, unless [`EXCEPTIONS`] says why. The grades of Python rooms take most of a
//! minute each: their scenario runs with `TYPED_SLOW=1` only.
//!
//! The guide's ports are fixed (7007, 8080, 9090, 9999, 33000, 55555), so the scenarios run
//! one at a time, and each first checks that its ports are free. Those on 8080 and on 9090 run
//! in one test per port, in an order that spares the documents' servers a port in TIME-WAIT
//! (see [`the_scenarios_on_port_8080_in_order`]); run twice within a minute, the test waits
//! for the port, and says so. Everything the lines run is
//! built before the first scenario (the release builds included), so that no wait of a
//! scenario covers a build. Linux only: lab 05 and bench are.
#![cfg(target_os = "linux")]

mod bench;
mod course;
mod documented;
mod first_labs;
mod lab02_defects;
mod room;

use std::collections::BTreeSet;
use std::fs;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use harness::{Conversation, Role};

/// The guide's lines that this test does not run by default, each with the reason (printed by
/// `every_printed_line_is_run_by_a_scenario`).
pub const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "sudo tools/bench/figures --raise-map-count           # every row, three runs each",
        "every row three times against both rooms takes about 11 minutes, and needs root; \
         the scenario `the_figures_script_runs_some_rows` runs the chapter's two quick lines",
    ),
    (
        "cargo run -p course -- progress",
        "it runs every stage's whole suite in a student's starter, which builds the whole kit \
         again (minutes); from the kit's root it would run this test too. \
         tools/course/tests/progress.rs runs `course progress` on the kit",
    ),
    (
        r#"cargo run -p course -- grade 03 --server "python3 ~/ali/room.py""#,
        "a Python room takes about 40 s to grade (lab 03's whole suite, in Python): run by \
         course.rs only with TYPED_SLOW=1; tools/course/tests/grade.rs grades the same room",
    ),
    (
        r#"cargo run -p course -- grade 03 --server "python3 ~/ali/room.py" --json ~/ali/grade.json"#,
        "as the line above: run by course.rs only with TYPED_SLOW=1",
    ),
    (
        r#"cargo run -q -p course -- grade 03 --server "python3 tools/course/tests/rooms/silent_leaves.py""#,
        "about 60 s (each leave test waits out its time limit): run by course.rs only with \
         TYPED_SLOW=1; tools/course/tests/grade.rs grades the same server",
    ),
];

/// The kit's root, where every printed command runs.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// A guide line, run by `sh -c` from the kit's root, its label the line itself.
pub fn line(printed: &str) -> Role {
    Role::shell(printed, printed)
}

/// Runs a printed build line (`cargo build --release ...`) to its end, which may take minutes
/// on a clean clone, and fails the scenario with cargo's output if it fails.
pub fn build(talk: &Conversation, printed: &str) {
    let mut build = talk.start(line(printed), &[]);
    let status = build.wait_exit_within(Duration::from_secs(600));
    assert!(
        status.success(),
        "the release build failed:\n{}",
        build.stderr()
    );
}

/// Whether the documents' programs are beside the kit (`../shared/seeds/py`); when they are
/// not, a sentence on stderr says so, and the scenario that runs them is skipped.
pub fn seeds_present(scenario: &str) -> bool {
    let present = root().join("../shared/seeds/py").is_dir();
    if !present {
        eprintln!(
            "{scenario}: skipped: ../shared/seeds/py (the documents' programs) is not beside the kit"
        );
    }
    present
}

/// Fails with a sentence when the program `tool` is not installed (`package` is Debian's name for
/// it, as the introduction's "What you need" says).
pub fn needs(talk: &Conversation, tool: &str, package: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        talk.fail(&format!(
            "{tool} is not installed, and the guide's lines use it: apt-get install {package}\n"
        ));
    }
}

/// A scenario's turn: the others wait until it is dropped, which says how long it took.
pub struct Turn {
    name: String,
    started: Instant,
    _one_at_a_time: MutexGuard<'static, ()>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        eprintln!(
            "{}: {:.1} s",
            self.name,
            self.started.elapsed().as_secs_f64()
        );
    }
}

/// Starts a scenario: waits for the others to end, checks that `ports` are free on loopback,
/// and returns its conversation and its turn (hold it until the scenario ends).
pub fn scenario(name: &str, ports: &[u16]) -> (Conversation, Turn) {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    prepared();
    let turn = Turn {
        _one_at_a_time: ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner()),
        name: name.to_string(),
        started: Instant::now(),
    };
    let talk = Conversation::new(name);
    for &port in ports {
        port_free(&talk, port);
    }
    (talk, turn)
}

/// Waits until `port` can be bound by a server that asks for `SO_REUSEADDR`, as the kit's do
/// (labkit's `listen`, and Rust's `TcpListener::bind`, set it); the servers that bind without it,
/// the documents' Python servers and document 002's design, call [`port_clear`] as well. First,
/// no program may listen on the port: the scenario before killed its server as it ended, and
/// the harness's time limit gives that server the time to exit; one still listening after that
/// is somebody else's, and the test fails with a sentence. Then the bind itself: connections
/// still closing do not refuse it, unless their server bound the port without `SO_REUSEADDR`.
/// A connection that a Python server closed first keeps every server off the port for the minute
/// it spends in TIME-WAIT. (CI once saw lab 02's server refused port 8080 with nothing
/// listening, just after bench's run against document 000's room: presumably a connection that
/// room closed first.) Nothing announces that the port takes a bind again: it is tried every
/// 0.2 s, 65 s at most (TIME-WAIT lasts 60).
fn port_free(talk: &Conversation, port: u16) {
    let nobody_listens = || !port_states(port).iter().any(|state| state == LISTENING);
    if !harness::poll_until(
        harness::timeout(),
        Duration::from_millis(20),
        nobody_listens,
    ) {
        talk.fail(&format!(
            "port {port} on this machine is in use: the guide's commands need it; stop the \
             program that listens on it and run this test again\n"
        ));
    }
    let started = Instant::now();
    let mut refused = String::new();
    let bindable = || match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
        Ok(_) => true,
        Err(why) => {
            refused = why.to_string();
            false
        }
    };
    if !harness::poll_until(
        Duration::from_secs(65),
        Duration::from_millis(200),
        bindable,
    ) {
        talk.fail(&format!(
            "port {port} still refuses a server after 65 s ({refused}), though nothing listens on \
             it (its sockets' states: {:?}): `ss -tan sport = :{port}` lists its connections, \
             but a socket bound without listening is in neither list: look for a program still \
             running that bound the port and never listened on it\n",
            port_states(port)
        ));
    }
    say_how_long_it_waited(started, port);
}

/// Says on stderr how long a scenario waited for its port, when it did: a test run twice
/// within a minute is slower, and this says why.
fn say_how_long_it_waited(started: Instant, port: u16) {
    if started.elapsed() > Duration::from_millis(300) {
        eprintln!(
            "waited {:.1} s for port {port}'s closing connections",
            started.elapsed().as_secs_f64()
        );
    }
}

/// `/proc/net/tcp`'s code for a listening socket.
const LISTENING: &str = "0A";

/// Waits (65 s at most) until no socket uses `port` at all. The documents' Python servers
/// and document 002's design bind without `SO_REUSEADDR`, so the kernel refuses them a port
/// that a connection of an earlier scenario still holds while it closes (TIME-WAIT lasts a
/// minute). The kernel says nothing when a connection is gone: its table is read every 0.2 s.
pub fn port_clear(talk: &Conversation, port: u16) {
    let started = Instant::now();
    let mut left = Vec::new();
    let clear = || {
        left = port_states(port);
        left.is_empty()
    };
    if !harness::poll_until(Duration::from_secs(65), Duration::from_millis(200), clear) {
        talk.fail(&format!(
            "port {port} still has connections closing after 65 s (their states: {left:?})\n"
        ));
    }
    say_how_long_it_waited(started, port);
}

/// Waits (within the harness's time limit) until a program listens on `port`: for a server
/// that prints nothing when it is ready (document 001's). Read every 20 ms.
pub fn listening(talk: &Conversation, port: u16) {
    talk.step(format!("wait for a program to listen on port {port}"));
    let listens = || port_states(port).iter().any(|state| state == LISTENING);
    if !harness::poll_until(harness::timeout(), Duration::from_millis(20), listens) {
        talk.fail(&format!("nothing listens on port {port}\n"));
    }
}

/// The TCP states (`/proc/net/tcp`'s hexadecimal codes: `0A` listening, `06` TIME-WAIT) of the
/// sockets whose local port is `port`.
fn port_states(port: u16) -> Vec<String> {
    let table = fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    table
        .lines()
        .skip(1)
        .filter_map(|row| {
            let fields: Vec<&str> = row.split_whitespace().collect();
            let local = fields.get(1)?;
            let (_, hex_port) = local.split_once(':')?;
            (u16::from_str_radix(hex_port, 16).ok()? == port)
                .then(|| fields.get(3).map(|s| s.to_string()))?
        })
        .collect()
}

/// Everything the guide's lines run, built once before the first scenario: each `cargo run`
/// line built as `cargo build` with the same options, each `cargo build` line itself, and the
/// `cargo test` lines' tests. The scenarios run from the kit's root.
fn prepared() {
    static PREPARED: OnceLock<()> = OnceLock::new();
    PREPARED.get_or_init(|| {
        std::env::set_current_dir(root()).expect("the kit's root is a folder");
        let mut builds = BTreeSet::new();
        for printed in harness::printed_commands(&root().join("guide/src")) {
            if let Some(build) = build_for(&printed.line) {
                builds.insert(build);
            }
        }
        for build in builds {
            let status = Command::new(env!("CARGO"))
                .args(&build)
                .current_dir(root())
                .status()
                .expect("cargo runs");
            assert!(status.success(), "cargo {} failed", build.join(" "));
        }
    });
}

/// What builds everything a printed `cargo` line runs: `cargo run -q -p course -- grade 03` is
/// built by `cargo build -q -p course`. Lab 04 aside: it needs FLTK, and its lines are run by its
/// own suite.
fn build_for(printed: &str) -> Option<Vec<String>> {
    let command = printed.split('#').next()?;
    let command = command.split(" -- ").next()?;
    let mut words = command.split_whitespace();
    if words.next()? != "cargo" {
        return None;
    }
    let subcommand = words.next()?;
    let mut options: Vec<String> = words.map(str::to_string).collect();
    if options.windows(2).any(|pair| pair == ["-p", "lab04"]) {
        return None;
    }
    let mut build = match subcommand {
        "run" | "build" => vec!["build".to_string()],
        "test" => {
            options.push("--no-run".to_string());
            vec!["test".to_string()]
        }
        _ => return None,
    };
    build.push("--quiet".to_string());
    build.extend(options.into_iter().filter(|option| option != "-q"));
    Some(build)
}

/// The raw string literals of a Rust source file: `r"..."` and `r#"..."#`.
fn raw_literals(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find('r') {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + 1..];
        let hashes = after.chars().take_while(|&c| c == '#').count();
        let starts = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
            && after[hashes..].starts_with('"');
        if !starts {
            rest = after;
            continue;
        }
        let body = &after[hashes + 1..];
        let end = format!("\"{}", "#".repeat(hashes));
        match body.find(&end) {
            Some(length) => {
                found.push(body[..length].to_string());
                rest = &body[length + end.len()..];
            }
            None => break,
        }
    }
    found
}

/// The files whose raw string literals are the lines that run: this test's scenarios, and lab 04's own
/// tests (its window needs FLTK and a display, which its suite has).
fn scenario_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["tests/tests/typed", "labs/04-gui/tests"] {
        for entry in fs::read_dir(root().join(dir)).expect("the scenarios' folder") {
            let path = entry.expect("a readable file").path();
            // main.rs holds EXCEPTIONS, the lines that are not run.
            let scenarios = path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|name| name != "main.rs");
            if scenarios {
                files.push(path);
            }
        }
    }
    files
}

/// Every scenario on port 8080, in one test, in this order: first those whose server binds it
/// without `SO_REUSEADDR` (the documents' Python servers), then the others, whose servers may
/// close a connection first and leave the port in TIME-WAIT for a minute. So the first ones
/// wait for nothing, unless the test ran less than a minute ago. (Defect 2's lab server ends
/// with a reset, Honen's `bye` unread, which leaves no TIME-WAIT before its Python part.) The
/// reverse is not spared by the order: a connection that a Python server closed first keeps
/// the kit's servers off the port too, and [`scenario`] waits for it (see `port_free`).
#[test]
fn the_scenarios_on_port_8080_in_order() {
    first_labs::lab02_client_talks_to_the_documents_server();
    lab02_defects::hostile_a_probe_takes_document_000s_one_on_one_server();
    bench::bench_against_document_000s_room_in_the_background();
    lab02_defects::defect_2_a_character_is_cut_in_two();
    first_labs::lab02_server_and_client_chat_and_leave();
    first_labs::lab02_server_talks_to_the_documents_client();
    lab02_defects::defect_1_a_long_message_is_cut_at_1024_bytes();
    lab02_defects::defect_3_two_quick_messages_arrive_as_one();
    documented::defect_1_document_000_garbles_under_load();
    documented::defect_6_a_silent_newcomer_keeps_everyone_out_of_document_000();
    documented::the_four_documented_designs_listen_where_the_chapter_says();
}

/// The same for port 9090: document 000's room, which binds it without `SO_REUSEADDR`, first;
/// then the kit's rooms, which close a connection first when a member leaves with `CLOSE` (or
/// is dropped), leaving the port in TIME-WAIT.
#[test]
fn the_scenarios_on_port_9090_in_order() {
    documented::defect_3_document_000s_lists_keep_members_who_left();
    room::lab03_four_terminals();
    room::lab03_try_this_two_messages_in_one_write();
    room::lab05_four_lines();
    room::lab05_try_this_a_member_that_stops_reading();
    documented::defect_2_a_non_reader_stalls_document_003();
    bench::bench_against_the_room_in_the_background();
}

#[test]
fn every_printed_line_is_run_by_a_scenario() {
    let mut run = BTreeSet::new();
    for file in scenario_files() {
        let source = fs::read_to_string(&file).expect("a scenario file is UTF-8");
        run.extend(raw_literals(&source));
    }
    let printed = harness::printed_commands(&root().join("guide/src"));
    assert!(printed.len() > 20, "found only {} lines", printed.len());
    let excepted: BTreeSet<&str> = EXCEPTIONS.iter().map(|(line, _)| *line).collect();
    let missing: Vec<String> = printed
        .iter()
        .filter(|p| !run.contains(&p.line) && !excepted.contains(p.line.as_str()))
        .map(|p| format!("{}: `{}`", p.chapter, p.line))
        .collect();
    assert!(
        missing.is_empty(),
        "no scenario of tests/tests/typed runs these lines of the guide as printed (write one, \
         with the line as a raw string literal, or add it to EXCEPTIONS with the reason):\n{}",
        missing.join("\n")
    );
    for (line, reason) in EXCEPTIONS {
        assert!(
            printed.iter().any(|p| p.line == *line),
            "EXCEPTIONS names a line the guide no longer prints: `{line}`"
        );
        println!("not run: `{line}`: {reason}");
    }
}

#[test]
fn raw_literals_are_found_as_written() {
    let source =
        r####"let a = r"one # two"; let b = r#"say "hi""#; let c = "not raw"; bar(r"x");"####;
    assert_eq!(raw_literals(source), ["one # two", r#"say "hi""#, "x"]);
}

#[test]
fn each_cargo_line_is_built_with_its_own_options() {
    assert_eq!(
        build_for("cargo run -q -p course -- grade 03 --server \"x\"  # note").unwrap(),
        ["build", "--quiet", "-p", "course"]
    );
    assert_eq!(
        build_for("cargo run -p lab03 --example documented -- --as 000").unwrap(),
        ["build", "--quiet", "-p", "lab03", "--example", "documented"]
    );
    assert_eq!(
        build_for("cargo test -p lab01                 # the suite").unwrap(),
        ["test", "--quiet", "-p", "lab01", "--no-run"]
    );
    assert_eq!(build_for("cargo run -p lab04 -- --name bob"), None);
    assert_eq!(build_for("nc 127.0.0.1 9090"), None);
}
