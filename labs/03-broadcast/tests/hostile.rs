//! Lab 03's grading suite, part three: hostile clients (issue 11). Each test is an attack that
//! froze, flooded or fooled the documents' room (and an earlier version of this one), and what
//! the room must do instead. The guide's protocol section gives the limits and the reasons.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{BINARY, PROMPT, join, start_server};
use harness::{Conversation, assert_transcript, stage_role};
use socket2::{Domain, Socket, Type};

/// The server's limits on connections still choosing a name (see the protocol section).
const UNNAMED_PER_ADDRESS: usize = 64;
const UNNAMED_IN_ALL: usize = 1024;

/// A raw connection from the loopback address `from` (127.0.0.0/8 is all this machine's), with
/// a read timeout, so that a test can play many machines. A failure is the test's step log.
fn connect_from(talk: &Conversation, from: &str, to: SocketAddr) -> TcpStream {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a socket");
    let from: IpAddr = from.parse().expect("an address");
    if let Err(error) = socket.bind(&SocketAddr::new(from, 0).into()) {
        talk.fail(&format!("cannot bind {from}: {error}"));
    }
    if let Err(error) = socket.connect(&to.into()) {
        talk.fail(&format!(
            "cannot connect from {from} to the server: {error}"
        ));
    }
    let stream: TcpStream = socket.into();
    stream
        .set_read_timeout(Some(harness::timeout()))
        .expect("a read timeout");
    stream
}

/// The next line `stream` receives, with its `\n`. A failure is the test's step log.
fn next_line(talk: &Conversation, stream: &TcpStream) -> String {
    let mut line = Vec::new();
    let mut byte = [0];
    while line.last() != Some(&b'\n') {
        match (&*stream).read(&mut byte) {
            Ok(1) => line.push(byte[0]),
            Ok(_) => break,
            // A signal arrived while the read waited (a clean clone's run met one): read again.
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => talk.fail(&format!("expected a line, got {error} after {line:?}")),
        }
    }
    String::from_utf8_lossy(&line).into_owned()
}

/// How many files this process may open (Linux; 1024 elsewhere, the usual default).
fn open_file_limit() -> usize {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"));
    let soft = line.and_then(|line| line.split_whitespace().nth(3));
    soft.and_then(|soft| soft.parse().ok()).unwrap_or(1024)
}

#[test]
fn thousands_of_silent_connections_from_one_address_keep_nobody_out() {
    let talk = Conversation::new("lab03: thousands of connections that never give a name");
    let (mut server, address) = start_server(&talk);
    // More than the room holds at most (gate::MOST_CONNECTIONS), where the open-file limit
    // allows it: then only the limit per address keeps the room open.
    let silent = 9000.min(open_file_limit().saturating_sub(300));
    talk.step(format!("open {silent} silent connections from 127.0.0.1"));
    let connections: Vec<TcpStream> = (0..silent)
        .map(|_| connect_from(&talk, "127.0.0.1", address))
        .collect();
    talk.step("the first are asked for a name, the others turned away with the reason");
    assert_eq!(next_line(&talk, &connections[0]), PROMPT);
    let turned_away = "! closing: too many connections from your address are choosing a name\n";
    assert_eq!(
        next_line(&talk, &connections[UNNAMED_PER_ADDRESS]),
        turned_away
    );
    // Connections are accepted in order: once the last is answered, all were.
    assert_eq!(next_line(&talk, &connections[silent - 1]), turned_away);

    talk.step("a user from 127.0.0.2 joins");
    let started = Instant::now();
    let user = connect_from(&talk, "127.0.0.2", address);
    assert_eq!(next_line(&talk, &user), PROMPT);
    (&user).write_all(b"dado\n").expect("send the name");
    let welcome = next_line(&talk, &user);
    let took = started.elapsed();
    assert!(welcome.contains("* Welcome, dado!"), "{welcome}");
    assert!(took < Duration::from_millis(100), "joining took {took:?}");
    server.expect("name of client is dado\n");
    // The figures, for the guide and the notes (Linux only).
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.id()));
    let figures: Vec<&str> = status.iter().flat_map(|s| s.lines()).collect();
    let figures = figures
        .iter()
        .filter(|l| l.starts_with("VmHWM") || l.starts_with("Threads"));
    let figures: Vec<String> = figures
        .map(|line| line.split_whitespace().collect())
        .collect();
    eprintln!("{silent} silent connections: dado joined in {took:?}; server {figures:?}");
}

#[test]
fn connections_choosing_a_name_are_limited_in_all() {
    let talk = Conversation::new("lab03: many addresses, none giving a name");
    let (_server, address) = start_server(&talk);
    let addresses = UNNAMED_IN_ALL / UNNAMED_PER_ADDRESS;
    talk.step(format!(
        "open {UNNAMED_PER_ADDRESS} silent connections from each of {addresses} addresses"
    ));
    let connections: Vec<TcpStream> = (0..UNNAMED_IN_ALL)
        .map(|n| {
            connect_from(
                &talk,
                &format!("127.0.1.{}", n / UNNAMED_PER_ADDRESS + 1),
                address,
            )
        })
        .collect();
    assert_eq!(next_line(&talk, &connections[UNNAMED_IN_ALL - 1]), PROMPT);
    talk.step("one more, from yet another address");
    let one_more = connect_from(&talk, "127.0.2.1", address);
    assert_eq!(
        next_line(&talk, &one_more),
        "! closing: too many connections are choosing a name; try again later\n"
    );
}

#[test]
fn a_connection_without_a_name_in_time_is_closed_with_the_reason() {
    let talk = Conversation::new("lab03: no name within the deadline (--name-timeout 1)");
    let mut server = talk.start(
        stage_role!("server"),
        &["--port", "0", "--name-timeout", "1"],
    );
    let address = server.address();
    let mut alice = join(&talk, &mut server, "alice", address);

    // One says nothing; the other sends a byte every 200 ms, never a whole line: the deadline
    // is for the whole name, not for each read.
    let mut silent = talk.connect("a silent connection", address);
    silent.expect(PROMPT);
    let trickler = connect_from(&talk, "127.0.0.1", address);
    assert_eq!(next_line(&talk, &trickler), PROMPT);
    talk.step("the trickler sends a byte every 200 ms");
    let mut said = String::new();
    for _ in 0..10 {
        if (&trickler).write_all(b"a").is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(200)); // The attacker's pace, not a wait.
    }
    let _ = (&trickler).read_to_string(&mut said);
    assert_eq!(said, "! closing: no name in time\n");
    silent.expect("! closing: no name in time\n");
    silent.expect_closed();
    server.expect("dropped: no name in time\n");

    // A member has no deadline once it has joined.
    alice.send_line("still here");
    alice.expect(") alice: still here\n");
}

#[test]
fn an_unfinished_last_line_is_never_delivered() {
    let talk = Conversation::new("lab03: a member killed halfway through a line");
    let (mut server, address) = start_server(&talk);
    let mut alice = join(&talk, &mut server, "alice", address);
    let mut bob = join(&talk, &mut server, "bob", address);
    alice.expect("* bob joined! In the room: alice, bob.\n");

    alice.send_line("I will pay 10");
    bob.expect(") alice: I will pay 10\n");
    // "I will pay 1000" of "I will pay 10000 tomorrow", and then the connection ends.
    alice.send_bytes(b"I will pay 1000");
    alice.finish_sending();
    bob.expect("* alice left!\n");
    server.expect("alice left (connection lost)\n");
    assert!(!bob.transcript().contains("1000"), "{}", bob.transcript());
    assert_transcript!("lab03_cut_line_server", server.transcript());
}

#[test]
fn sigterm_and_sighup_stop_the_room_as_ctrl_c_does() {
    for signal in ["TERM", "HUP"] {
        let talk = Conversation::new(&format!("lab03: SIG{signal} at the server"));
        let (mut server, address) = start_server(&talk);
        let mut alice = join(&talk, &mut server, "alice", address);
        server.send_signal(signal);
        alice.expect("* The server is shutting down. Goodbye!\n");
        alice.expect_closed();
        server.expect("stopping: telling 1 member\n");
        server.wait_success();
    }
}

#[test]
fn a_flood_is_counted_in_the_log_not_copied() {
    let talk = Conversation::new("lab03: a member sends 100 lines at once");
    let (mut server, address) = start_server(&talk);
    let mut alice = join(&talk, &mut server, "alice", address);
    let lines: String = (0..100).map(|n| format!("line {n:03}\n")).collect();
    alice.send_bytes(lines.as_bytes());
    alice.expect(") alice: line 099\n");
    alice.send_line("CLOSE");
    server.expect("alice left (CLOSE)\n");
    assert_transcript!("lab03_flood_server", server.transcript());
}

#[test]
fn a_log_nobody_reads_stops_nobody() {
    let talk = Conversation::new("lab03: the server's output is a pipe nobody reads");
    talk.step("start the server, read its first line, and never read its output again");
    let mut child = Command::new(BINARY)
        .args(["server", "--port", "0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server");
    let _stopped_if_failing = KilledIfFailing(child.id());
    let mut output = BufReader::new(child.stdout.take().expect("piped"));
    let mut first = String::new();
    output.read_line(&mut first).expect("the first line");
    let port = first.trim().rsplit(':').next().and_then(|p| p.parse().ok());
    let address = SocketAddr::from(([127, 0, 0, 1], port.expect("listening on ...:PORT")));

    // Four members each say 80 lines of 8 KB, 2.5 MB: far more log than a pipe holds (64 KiB),
    // so the log thread waits for ever on its first write. (An earlier version made everybody
    // wait once 1 MiB of log had gathered behind it.)
    let mut members: Vec<_> = (0..4)
        .map(|n| {
            let mut member = talk.connect(&format!("m{n}"), address);
            member.expect(PROMPT);
            member.send_line(&format!("m{n}"));
            member.expect("Type CLOSE to leave.\n");
            member
        })
        .collect();
    let padding = ".".repeat(8000);
    for (n, member) in members.iter_mut().enumerate() {
        let lines: String = (0..80)
            .map(|k| format!("m{n} {k:02} {padding}\n"))
            .collect();
        member.send_bytes(lines.as_bytes());
    }
    for member in &mut members {
        member.expect(&format!(") m3: m3 79 {padding}\n"));
    }

    talk.step("the room goes on: a newcomer joins, and a message reaches everyone");
    let mut late = talk.connect("late", address);
    late.expect(PROMPT);
    late.send_line("late");
    late.expect("* Welcome, late!");
    late.send_line("still here");
    for member in &mut members {
        member.expect(") late: still here\n");
    }

    talk.step("SIGTERM stops it, with a goodbye to every member");
    let pid = child.id().to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    late.expect("* The server is shutting down. Goodbye!\n");
    let (exited, exit) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = exited.send(child.wait());
        child
    });
    let status = match exit.recv_timeout(harness::timeout()) {
        Ok(status) => status.expect("the server's status"),
        Err(_) => {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
            panic!("the server did not exit after SIGTERM with its log unread")
        }
    };
    assert!(status.success(), "{status}");
    drop(output);
}

/// Kills the server started outside the harness (its output must go unread) if the test fails
/// before stopping it: a `Child` is not stopped when it is dropped, and a failing run would
/// leave the server listening after the suite (under `course grade`, a starter's unfinished one).
struct KilledIfFailing(u32);

impl Drop for KilledIfFailing {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = Command::new("kill")
                .args(["-KILL", &self.0.to_string()])
                .status();
        }
    }
}

/// The kernel's timer for the server's end of the connection from `member` to `server`, as
/// Linux shows it in /proc/net/tcp: 0 none, 1 retransmission, 2 keepalive, ... (`None`: no such
/// connection listed).
#[cfg(target_os = "linux")]
fn server_side_timer(server: SocketAddr, member: SocketAddr) -> Option<u32> {
    // Addresses there are hexadecimal, IPv4 in the machine's byte order (little-endian here).
    let hex = |address: SocketAddr| match address.ip() {
        IpAddr::V4(ip) => format!(
            "{:08X}:{:04X}",
            u32::from_le_bytes(ip.octets()),
            address.port()
        ),
        IpAddr::V6(_) => String::new(),
    };
    let (local, remote) = (hex(server), hex(member));
    let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let timer = fields.get(5)?.split(':').next()?;
        (fields.get(1) == Some(&local.as_str()) && fields.get(2) == Some(&remote.as_str()))
            .then(|| u32::from_str_radix(timer, 16).ok())?
    })
}

/// A member whose machine vanishes sends no end of connection, and in a quiet room nobody
/// writes to it: only TCP keepalive makes the system check that it is still there. Linux lists
/// the keepalive timer of each connection, so the test reads the server's side of a quiet
/// member's connection there.
#[cfg(target_os = "linux")]
#[test]
fn a_quiet_members_connection_is_kept_under_watch() {
    let talk = Conversation::new("lab03: keepalive on a quiet member's connection");
    let (mut server, address) = start_server(&talk);
    talk.step("connect alice from 127.0.0.1 and join; then nobody says anything");
    let alice = connect_from(&talk, "127.0.0.1", address);
    assert_eq!(next_line(&talk, &alice), PROMPT);
    (&alice).write_all(b"alice\n").expect("send the name");
    assert!(next_line(&talk, &alice).contains("* Welcome, alice!"));
    server.expect("name of client is alice\n");
    let member = alice.local_addr().expect("alice's address");

    talk.step("wait until the server's end of alice's connection shows the keepalive timer (2)");
    let mut timer = None;
    let kept_alive = harness::poll_until(harness::timeout(), Duration::from_millis(10), || {
        timer = server_side_timer(address, member);
        timer == Some(2)
    });
    assert!(
        kept_alive,
        "the server's end of alice's connection never had TCP keepalive on (its timer: {timer:?}; \
         2 is keepalive): a member that vanishes would never be noticed in a quiet room"
    );
}
