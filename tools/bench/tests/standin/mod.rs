//! Stand-in room servers for the bench's own tests, each with a known fault, so that the figures
//! the bench reports can be checked against the exact number of faults injected.
//!
//! - [`Room`]: the kit's protocol (room-protocol.md), thread per member, one lock around the
//!   member list so that every member gets the lines in one order. With a [`Fault`] it drops,
//!   mangles or doubles every k-th chat message it receives (counted across all members); with
//!   an [`Admission`] rule it turns some newcomers away, as a guarded room does.
//! - [`UnframedRoom`]: behaves like document 002's server: no lines, it broadcasts each chunk it
//!   reads behind "NAME: ". To make the test exact it always reads whole 1024-byte chunks.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// What the room does wrong on purpose, to every k-th chat message it receives.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    None,
    Drop(u64),
    Mangle(u64),
    Double(u64),
}

/// Who the room lets in.
#[derive(Clone, Copy, Debug)]
pub enum Admission {
    All,
    /// Every k-th connection is told "! nickname refused" and closed.
    RefuseEvery(u64),
    /// At most this many connections at once from one address: the next is told why and closed,
    /// as a room guarding against idle connections does.
    PerAddress(usize),
    /// At most this many connections at once in all: the next is closed without a word, as a
    /// room that ran out of threads or files does.
    AtMost(usize),
}

/// How a member's connection ended, as the room saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Leave {
    EndOfStream,
    Error(io::ErrorKind),
}

struct State {
    fault: Fault,
    admission: Admission,
    /// Connections so far, and open connections per source address.
    arrivals: Mutex<(u64, HashMap<IpAddr, usize>)>,
    /// The source address of every member that joined, in order.
    sources: Mutex<Vec<IpAddr>>,
    members: Mutex<Vec<(String, TcpStream)>>,
    /// Chat messages received (fault counting) and bad lines refused.
    counts: Mutex<Counts>,
    /// Who left, how, and how many chat lines the room had read from them.
    leaves: Mutex<Vec<(String, Leave, u64)>>,
    left: Condvar,
}

#[derive(Default, Clone, Debug)]
pub struct Counts {
    pub chat: u64,
    pub refused: u64,
    pub empty: u64,
    pub joined: u64,
}

pub struct Room {
    pub port: u16,
    state: Arc<State>,
}

impl Room {
    pub fn start(fault: Fault) -> Room {
        Room::start_with(fault, Admission::All)
    }

    pub fn start_with(fault: Fault, admission: Admission) -> Room {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(State {
            fault,
            admission,
            arrivals: Mutex::new((0, HashMap::new())),
            sources: Mutex::new(Vec::new()),
            members: Mutex::new(Vec::new()),
            counts: Mutex::new(Counts::default()),
            leaves: Mutex::new(Vec::new()),
            left: Condvar::new(),
        });
        let shared = state.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let Ok(peer) = stream.peer_addr() else {
                    continue;
                };
                let decision = decide(&shared, peer.ip());
                let state = shared.clone();
                thread::spawn(move || admit(&state, stream, peer.ip(), decision));
            }
        });
        Room { port, state }
    }

    /// The source address of every member that joined, in order.
    pub fn sources(&self) -> Vec<IpAddr> {
        self.state.sources.lock().unwrap().clone()
    }

    pub fn counts(&self) -> Counts {
        self.state.counts.lock().unwrap().clone()
    }

    /// Waits (at most 10 s) until `count` members have left; returns how each left.
    pub fn wait_for_leaves(&self, count: usize) -> Vec<(String, Leave, u64)> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut leaves = self.state.leaves.lock().unwrap();
        while leaves.len() < count {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "only {} members left: {leaves:?}",
                leaves.len()
            );
            leaves = self.state.left.wait_timeout(leaves, left).unwrap().0;
        }
        leaves.clone()
    }
}

const PROMPT: &[u8] = b"nick? (1 to 16 letters, digits, '-' or '_')\n";

/// What the room does with a new connection.
enum Decision {
    Serve,
    /// Says why, then closes.
    Refuse(&'static [u8]),
    /// Closes without a word.
    Close,
}

/// Applies the admission rule, in the accepting thread, so that connections are judged in the
/// order they arrived.
fn decide(state: &State, peer: IpAddr) -> Decision {
    let mut arrivals = state.arrivals.lock().unwrap();
    arrivals.0 += 1;
    let number = arrivals.0;
    let total: usize = arrivals.1.values().sum();
    let open = arrivals.1.entry(peer).or_insert(0);
    match state.admission {
        Admission::RefuseEvery(every) if number % every == 0 => {
            Decision::Refuse(b"! nickname refused: the stand-in says no\n")
        }
        Admission::PerAddress(most) if *open >= most => {
            Decision::Refuse(b"! too many connections from your address\n")
        }
        Admission::AtMost(most) if total >= most => Decision::Close,
        _ => {
            *open += 1;
            Decision::Serve
        }
    }
}

/// Serves or turns away the connection, as decided.
fn admit(state: &State, mut stream: TcpStream, peer: IpAddr, decision: Decision) {
    match decision {
        Decision::Refuse(refusal) => {
            let _ = stream.write_all(refusal);
        }
        Decision::Close => {}
        Decision::Serve => {
            serve(state, stream, peer);
            *state.arrivals.lock().unwrap().1.entry(peer).or_insert(1) -= 1;
        }
    }
}

fn serve(state: &State, stream: TcpStream, source: IpAddr) {
    stream.set_nodelay(true).unwrap();
    let mut own = stream.try_clone().unwrap();
    if own.write_all(PROMPT).is_err() {
        return;
    }
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    if reader.read_until(b'\n', &mut line).unwrap_or(0) == 0 {
        return;
    }
    let name = String::from_utf8_lossy(trim(&line)).into_owned();
    {
        let mut members = state.members.lock().unwrap();
        members.push((name.clone(), own.try_clone().unwrap()));
        let names: Vec<&str> = members.iter().map(|(name, _)| name.as_str()).collect();
        let list = names.join(", ");
        for (other, stream) in members.iter_mut() {
            let text = if *other == name {
                format!("(00:00:00) * Welcome, {name}! In the room: {list}. Type CLOSE to leave.\n")
            } else {
                format!("(00:00:00) * {name} joined! In the room: {list}.\n")
            };
            let _ = stream.write_all(text.as_bytes());
        }
        state.counts.lock().unwrap().joined += 1;
        state.sources.lock().unwrap().push(source);
    }
    let mut said = 0;
    let leave = loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break Leave::EndOfStream,
            Ok(_) => {}
            Err(error) => break Leave::Error(error.kind()),
        }
        let text = trim(&line);
        let mut members = state.members.lock().unwrap();
        let refusal: Option<&[u8]> = if text.len() > 8192 {
            Some(b"! line too long: the limit is 8192 bytes; it was not sent\n")
        } else if std::str::from_utf8(text).is_err() {
            Some(b"! not UTF-8: the line was not sent\n")
        } else {
            None
        };
        if let Some(refusal) = refusal {
            state.counts.lock().unwrap().refused += 1;
            let _ = own.write_all(refusal);
            continue;
        }
        if text.is_empty() {
            state.counts.lock().unwrap().empty += 1;
            continue;
        }
        let number = {
            let mut counts = state.counts.lock().unwrap();
            counts.chat += 1;
            counts.chat
        };
        said += 1;
        let mut text = text.to_vec();
        let mut copies = 1;
        match state.fault {
            Fault::Drop(every) if number % every == 0 => continue,
            Fault::Mangle(every) if number % every == 0 => {
                let middle = text.len() / 2;
                text[middle] = b'#';
            }
            Fault::Double(every) if number % every == 0 => copies = 2,
            _ => {}
        }
        let mut out = format!("(00:00:00) {name}: ").into_bytes();
        out.extend_from_slice(&text);
        out.push(b'\n');
        for _ in 0..copies {
            for (_, stream) in members.iter_mut() {
                let _ = stream.write_all(&out);
            }
        }
    };
    let mut members = state.members.lock().unwrap();
    members.retain(|(other, _)| *other != name);
    for (_, stream) in members.iter_mut() {
        let _ = stream.write_all(format!("(00:00:00) * {name} left!\n").as_bytes());
    }
    drop(members);
    state.leaves.lock().unwrap().push((name, leave, said));
    state.left.notify_all();
}

fn trim(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Like document 002's server, but reading whole chunks of 1024 bytes, so that where messages are
/// cut is known in advance.
pub struct UnframedRoom {
    pub port: u16,
}

impl UnframedRoom {
    pub fn start() -> UnframedRoom {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let members: Arc<Mutex<Vec<TcpStream>>> = Arc::new(Mutex::new(Vec::new()));
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let members = members.clone();
                thread::spawn(move || serve_unframed(&members, stream));
            }
        });
        UnframedRoom { port }
    }
}

fn serve_unframed(members: &Mutex<Vec<TcpStream>>, mut stream: TcpStream) {
    stream.set_nodelay(true).unwrap();
    let greeting = b"Greetings from the server! Now type your name and press enter!";
    if stream.write_all(greeting).is_err() {
        return;
    }
    let mut chunk = [0u8; 1024];
    let count = stream.read(&mut chunk).unwrap_or(0);
    if count == 0 {
        return;
    }
    let name = String::from_utf8_lossy(&chunk[..count]).into_owned();
    {
        let mut members = members.lock().unwrap();
        for other in members.iter_mut() {
            let _ = other.write_all(format!("{name} has joined the chat!").as_bytes());
        }
        let welcome = format!("Welcome {name}! If you ever want to quit, type shutdown to exit.");
        let _ = stream.write_all(welcome.as_bytes());
        members.push(stream.try_clone().unwrap());
    }
    loop {
        let mut filled = 0;
        while filled < chunk.len() {
            match stream.read(&mut chunk[filled..]) {
                Ok(0) | Err(_) => break,
                Ok(count) => filled += count,
            }
        }
        if filled == 0 {
            return;
        }
        let mut out = format!("{name}: ").into_bytes();
        out.extend_from_slice(&chunk[..filled]);
        for other in members.lock().unwrap().iter_mut() {
            let _ = other.write_all(&out);
        }
        if filled < chunk.len() {
            return;
        }
    }
}

/// Runs the bench with `args`, checks that it passed, and returns its JSON line.
pub fn bench(args: &[&str]) -> Figures {
    let figures = run_bench(args);
    assert!(
        figures.passed,
        "bench {args:?} failed: {}\n{}",
        figures.stderr, figures.json
    );
    figures
}

/// Runs the bench with `args`, checks that it said the room failed, and returns its JSON line
/// (the sentence is in `stderr`).
pub fn bench_failing(args: &[&str]) -> Figures {
    let figures = run_bench(args);
    assert!(
        !figures.passed,
        "bench {args:?} should have failed: {}",
        figures.json
    );
    figures
}

/// Runs the bench with `args`, pass or fail. Either way it prints its figures, and its exit
/// status, its JSON's "passed" and its stderr agree: silence and `true`, or one sentence and
/// `false`.
pub fn run_bench(args: &[&str]) -> Figures {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(args)
        .args(["--json", "--timeout", "30"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let figures = Figures {
        json: stdout.trim().to_string(),
        passed: output.status.success(),
        stderr,
    };
    assert!(
        figures.json.starts_with('{'),
        "bench {args:?} printed no figures: {}",
        figures.stderr
    );
    assert_eq!(
        figures.raw("passed"),
        figures.passed.to_string(),
        "{}",
        figures.json
    );
    if figures.passed {
        assert_eq!(figures.stderr, "");
    } else {
        assert!(
            figures
                .stderr
                .starts_with("bench: the room failed this run: ")
                && figures.stderr.ends_with('\n')
                && figures.stderr.lines().count() == 1,
            "not one sentence: {:?}",
            figures.stderr
        );
    }
    figures
}

/// The bench's JSON line, and what it said on stderr.
pub struct Figures {
    pub json: String,
    /// Exit status 0.
    pub passed: bool,
    pub stderr: String,
}

impl Figures {
    /// The raw value of `key` ("12", "true", "\"kit\"", "null").
    pub fn raw(&self, key: &str) -> &str {
        let pattern = format!("\"{key}\":");
        let start = self
            .json
            .find(&pattern)
            .unwrap_or_else(|| panic!("no {key} in {}", self.json))
            + pattern.len();
        let rest = &self.json[start..];
        let end = rest.find([',', '}']).unwrap_or(rest.len());
        &rest[..end]
    }

    pub fn number(&self, key: &str) -> u64 {
        self.raw(key)
            .parse()
            .unwrap_or_else(|_| panic!("{key} is not a count in {}", self.json))
    }

    /// Checks several counts at once and shows the whole line when one differs.
    pub fn assert(&self, expected: &[(&str, u64)]) {
        let got: Vec<(&str, u64)> = expected
            .iter()
            .map(|&(key, _)| (key, self.number(key)))
            .collect();
        assert_eq!(got, expected, "figures: {}", self.json);
    }
}
