//! Lab 01's grading suite: the echo protocol, through the lab's binaries and real TCP.
//!
//! Grade another program with `LAB01_SERVER` / `LAB01_CLIENT` (see the guide's chapter for
//! instructors); the tests pass the arguments the kit's own binary takes.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use harness::{Conversation, Role, assert_transcript, role};

/// A server on a port the system picked, and the address it announced.
fn start_server(talk: &Conversation, extra: &[&str]) -> (harness::Process, String) {
    let mut args = vec!["--port", "0"];
    args.extend_from_slice(extra);
    let mut server = talk.start(role!("lab01", "server"), &args);
    let address = server.address();
    (server, address.port().to_string())
}

#[test]
fn a_message_comes_back() {
    let talk = Conversation::new("lab01: one message comes back");
    let (mut server, port) = start_server(&talk, &[]);

    let mut client = talk.start(role!("lab01", "client"), &["--port", &port, "hello"]);
    client.expect("echo: hello\n");
    client.wait_success();
    server.expect("echoed it\n");

    assert_transcript!("lab01_client", client.transcript());
    assert_transcript!("lab01_server", server.transcript());
}

#[test]
fn the_client_asks_for_the_message_when_none_is_given() {
    let talk = Conversation::new("lab01: the client asks for the message");
    let (_server, port) = start_server(&talk, &[]);

    let mut client = talk.start(role!("lab01", "client"), &["--port", &port]);
    client.expect("Message: ");
    client.send_line("typed at the prompt");
    client.expect("echo: typed at the prompt\n");
    client.wait_success();
    assert_transcript!("lab01_client_prompt", client.transcript());
}

#[test]
fn an_arabic_message_comes_back_intact() {
    let talk = Conversation::new("lab01: an Arabic message comes back");
    let (_server, port) = start_server(&talk, &[]);
    let arabic = "مرحبا بكم في غرفة الدردشة";

    let mut client = talk.start(role!("lab01", "client"), &["--port", &port, arabic]);
    client.expect(&format!("echo: {arabic}\n"));
    client.wait_success();
}

#[test]
fn a_64_kib_message_comes_back_intact() {
    let talk = Conversation::new("lab01: a 64 KiB message comes back");
    let (_server, port) = start_server(&talk, &[]);
    // 64 KiB of text that is different everywhere, so a lost or repeated piece would show.
    let message: String = (0..)
        .map(|i| format!("{i:07} "))
        .take(64 * 1024 / 8)
        .collect();
    assert_eq!(message.len(), 64 * 1024);

    // Through a raw socket, byte for byte...
    let mut member = talk.connect("a raw client", format!("127.0.0.1:{port}").parse().unwrap());
    let mut sent = message.clone().into_bytes();
    sent.push(0);
    member.send_bytes(&sent);
    member.expect_closed();
    assert!(
        member.received_bytes() == sent,
        "the echo differs from the 64 KiB message sent ({} bytes came back)",
        member.received_bytes().len()
    );

    // ...and through the lab's client, typed at its prompt.
    let mut client = talk.start(role!("lab01", "client"), &["--port", &port]);
    client.expect("Message: ");
    client.send_line(&message);
    client.expect(&format!("echo: {message}\n"));
    client.wait_success();
}

#[test]
fn the_client_without_a_server_says_so_in_one_sentence() {
    let talk = Conversation::new("lab01: the client finds no server");
    let port = free_port();

    let mut client = talk.start(role!("lab01", "client"), &["--port", &port, "hello"]);
    let said = client.wait_failure();
    assert_eq!(
        said.lines().count(),
        1,
        "one sentence, on one line: {said:?}"
    );
    assert_transcript!("lab01_client_no_server", said);
}

#[test]
fn a_second_server_on_the_same_port_says_so_in_one_sentence() {
    let talk = Conversation::new("lab01: the port is already in use");
    let (_first, port) = start_server(&talk, &[]);

    let mut second = talk.start(role!("lab01", "server"), &["--port", &port]);
    let said = second.wait_failure();
    assert_eq!(
        said.lines().count(),
        1,
        "one sentence, on one line: {said:?}"
    );
    assert!(said.contains("already in use"), "{said:?}");
}

#[test]
fn the_server_keeps_serving_after_clients_misbehave() {
    let talk = Conversation::new("lab01: misbehaving clients do not stop the server");
    let (mut server, port) = start_server(&talk, &["--timeout", "1"]);
    let address = format!("127.0.0.1:{port}").parse().unwrap();

    // One that connects and says nothing: the server gives up on it after its timeout.
    let mut silent = talk.connect("a silent client", address);
    server.expect("sent no whole message within 1 s; gave up on it\n");
    silent.expect_closed();

    // One that sends half a message and hangs up.
    let mut quitter = talk.connect("a client that hangs up", address);
    quitter.send_bytes(b"half a mess");
    quitter.finish_sending();
    server.expect("hung up after 11 bytes, before the end of its message\n");

    // One that sends bytes that are not UTF-8: it is told so.
    let mut garbler = talk.connect("a client that sends bad bytes", address);
    garbler.send_bytes(b"caf\xe9\0");
    garbler.expect("! not UTF-8: the message was not echoed\0");
    server.expect("sent bytes that are not UTF-8 text; told it so\n");

    // And the next client is served as if nothing had happened.
    let mut client = talk.start(role!("lab01", "client"), &["--port", &port, "still there?"]);
    client.expect("echo: still there?\n");
    client.wait_success();
    server.expect("echoed it\n");

    assert_transcript!("lab01_server_misbehaving_clients", server.transcript());
}

/// Issue 11's slowloris against a server that serves one client at a time: a client that sends
/// its message one byte every half second and never ends it. Each read succeeds in time, so a
/// per-read timeout would hold the server as long as the client likes; the deadline counts from
/// the connection, so the server gives up after its 1 s however many bytes keep arriving.
#[test]
fn a_client_trickling_one_byte_every_half_second_is_cut_off_at_the_deadline() {
    let talk = Conversation::new("lab01: a client trickles its message, one byte every 0.5 s");
    let (mut server, port) = start_server(&talk, &["--timeout", "1"]);
    let address: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();

    const MOST: usize = 20;
    talk.step(format!(
        "a trickling client sends one byte every 0.5 s, {MOST} at most, until it is cut off"
    ));
    let trickler = thread::spawn(move || trickle(address, MOST));
    server.expect("sent no whole message within 1 s; gave up on it\n");
    let sent = match trickler.join() {
        Ok(Ok(sent)) => sent,
        Ok(Err(error)) => talk.fail(&format!("the trickling client failed: {error}\n")),
        Err(_) => talk.fail("the trickling client's thread panicked\n"),
    };
    // Cut off at the deadline: after about two bytes, long before it would have stopped.
    if sent >= MOST {
        talk.fail(&format!(
            "expected: the server to close the trickling client's connection at its deadline\n\
             arrived: the connection stayed open through all {MOST} bytes (10 s)\n"
        ));
    }

    let mut client = talk.start(role!("lab01", "client"), &["--port", &port, "my turn"]);
    client.expect("echo: my turn\n");
    client.wait_success();
}

/// Connects to `address` and sends `x`, one byte at a time, waiting up to 0.5 s after each for
/// the server to close the connection. Returns how many bytes it had sent when the server
/// closed it, or `most` if the server never did.
fn trickle(address: SocketAddr, most: usize) -> std::io::Result<usize> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_millis(500)))?;
    for sent in 1..=most {
        if stream.write_all(b"x").is_err() {
            return Ok(sent - 1);
        }
        // The wait between two bytes is a read: it ends early when the server closes.
        match stream.read(&mut [0u8; 64]) {
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            _ => return Ok(sent),
        }
    }
    Ok(most)
}

/// `--port` outside 0..=65535, or not a number: the kit's own sentence, not clap's
/// "unexpected argument '-1' found".
#[test]
fn a_port_that_is_no_port_is_refused_in_one_sentence() {
    let talk = Conversation::new("lab01: --port -1, 70000 and abc");
    let lab01 = || Role::program("lab01", env!("CARGO_BIN_EXE_lab01"), &["server"]);
    for (port, reason) in [
        ("-1", "a port cannot be negative"),
        ("70000", "the last port is 65535"),
        ("abc", "a port is a whole number from 0 to 65535"),
    ] {
        let mut server = talk.start(lab01(), &["--port", port]);
        let said = server.wait_failure();
        let first = said.lines().next().unwrap_or_default();
        assert!(first.contains(reason), "--port {port}: {said:?}");
        assert!(
            !said.contains("unexpected argument"),
            "--port {port}: {said:?}"
        );
    }
}

#[test]
fn a_message_over_the_limit_is_refused_and_the_server_goes_on() {
    let talk = Conversation::new("lab01: a message over the 1 MiB limit");
    let (mut server, port) = start_server(&talk, &[]);
    let address = format!("127.0.0.1:{port}").parse().unwrap();

    // One byte more than the limit, and no delimiter: the server must stop reading there.
    let mut flooder = talk.connect("a client that never ends its message", address);
    flooder.send_bytes(&vec![b'x'; 1024 * 1024 + 1]);
    flooder.expect("! too long: the limit is 1048576 bytes\0");
    flooder.expect_closed();
    server.expect("sent more than the limit without a delimiter; told it so\n");

    let mut client = talk.start(role!("lab01", "client"), &["--port", &port, "next"]);
    client.expect("echo: next\n");
    client.wait_success();
}

#[test]
fn help_explains_the_lab() {
    let talk = Conversation::new("lab01: --help");
    let lab01 = Role::program("lab01", env!("CARGO_BIN_EXE_lab01"), &[]);
    let mut help = talk.start(lab01, &["--help"]);
    help.wait_success();
    assert!(help.transcript().contains("echo protocol"));
    assert_transcript!("lab01_help", help.transcript());
}

/// `lab01 server | head -1`: once `head` has its line, nobody reads what the server prints.
/// Its next line must end it with a sentence, not a panic and a backtrace (`println!` panics
/// when it cannot write; `labkit::error::run` turns that into a sentence).
#[test]
fn a_server_whose_output_nobody_reads_stops_with_a_sentence() {
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_lab01"))
        .args(["server", "--port", &port])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lab01 starts");
    // From now on nobody reads what it prints.
    drop(server.stdout.take());
    let pid = server.id().to_string();
    let (done, ended) = mpsc::channel();
    thread::spawn(move || done.send(server.wait_with_output()));
    // Its first line may have gone into the pipe before the reading end closed, and then
    // nothing failed yet: what it prints for a client's message is the line that cannot go
    // out. So until it ends, it is offered one message every tenth of a second (a connection
    // refused: it is not listening yet, or has just ended).
    let deadline = Instant::now() + Duration::from_secs(20);
    let output = loop {
        match ended.recv_timeout(Duration::from_millis(100)) {
            Ok(waited) => break waited.expect("waiting for lab01 server"),
            Err(_) if Instant::now() < deadline => {
                if let Ok(mut client) = TcpStream::connect(format!("127.0.0.1:{port}")) {
                    let _ = client.write_all(b"hello");
                }
            }
            Err(_) => {
                let _ = Command::new("kill").arg(&pid).status();
                panic!("lab01 server went on for 20 s with nobody reading its output");
            }
        }
    };
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert_eq!(
        said,
        "lab01: cannot print any more: its standard output was closed (broken pipe)\n"
    );
}

/// `LAB01_SERVER` and `LAB01_CLIENT` really replace the lab's binaries (see
/// `harness::assert_override_grades`).
#[test]
fn lab01_server_grades_the_command_it_names() {
    let own = format!("{} server", env!("CARGO_BIN_EXE_lab01"));
    harness::assert_override_grades("LAB01_SERVER", &own, "a_message_comes_back");
}

#[test]
fn lab01_client_grades_the_command_it_names() {
    let own = format!("{} client", env!("CARGO_BIN_EXE_lab01"));
    harness::assert_override_grades("LAB01_CLIENT", &own, "a_message_comes_back");
}

/// A port nothing listens on: bound by the system, then released.
fn free_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port().to_string()
}
