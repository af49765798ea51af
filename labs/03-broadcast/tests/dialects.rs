//! `lab03 client --dialect`: the kit's client speaking each document's own wire, against
//! stand-ins for the documents' rooms written here from their described wire behaviour (a
//! listener per test: the stand-in's side is a raw peer that sends what the document's server
//! sends, and checks byte for byte what the client sends), and against the kit's own room, which
//! no dialect can join: each says why in one sentence.
//!
//! In a real terminal (a tmux pane), the dialects also meet the documents' rooms as lab 03's
//! `documented` example runs them: the typed line edited, another member's message arriving
//! above a half-typed line, and the screen pinned once the user has left.
//!
//! Always the kit's own binary: a student's client is graded by the other files, and has no
//! dialects.

mod common;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{BINARY, start_server};
use harness::{Conversation, Peer, Process, Role, Terminal, assert_transcript};

/// The kit's client in `dialect`.
fn dialect_role(dialect: &str) -> Role {
    Role::program(
        &format!("lab03 client (dialect {dialect})"),
        BINARY,
        &["client"],
    )
}

/// The kit's client in `dialect`, joined (or joining) as alice, its input piped.
fn dialect_client(talk: &Conversation, dialect: &str, port: u16) -> Process {
    dialect_client_as(talk, dialect, port, "alice")
}

/// The kit's client in `dialect`, joined (or joining) as `name`, its input piped.
fn dialect_client_as(talk: &Conversation, dialect: &str, port: u16, name: &str) -> Process {
    let port = port.to_string();
    // A second of patience: the harness waits for at most 5 s, the dialect's default.
    let args = [
        "--port",
        &port,
        "--name",
        name,
        "--dialect",
        dialect,
        "--patience",
        "1",
    ];
    talk.start(dialect_role(dialect), &args)
}

/// Lab 03's `documented` example, built once in this test's own profile: `cargo test --test
/// dialects` does not build examples, and an example built earlier may be out of date.
fn documented_example() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = Path::new(BINARY)
            .parent()
            .expect("the binary is in a directory");
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "-q", "-p", "lab03", "--example", "documented"]);
        if dir.ends_with("release") {
            cargo.arg("--release");
        }
        let built = cargo.status().is_ok_and(|status| status.success());
        assert!(built, "cargo build -p lab03 --example documented failed");
        dir.join("examples").join("documented")
    })
}

/// Document `doc`'s room as lab 03's `documented` example runs it, on a free port.
fn documented_room(talk: &Conversation, doc: &str) -> (Process, SocketAddr) {
    let example = documented_example().to_string_lossy();
    let role = Role::program(
        &format!("document {doc}'s room (documented example)"),
        &example,
        &["--as", doc],
    );
    let mut room = talk.start(role, &["--port", "0"]);
    // "listening on 127.0.0.1:P: document D's room ...": the address ends with a colon.
    let line = room.expect_line();
    let address = line
        .split_whitespace()
        .find_map(|word| word.trim_end_matches(':').parse().ok());
    match address {
        Some(address) => (room, address),
        None => talk.fail(&format!("expected: an address in {line:?}\n")),
    }
}

/// A stand-in room on a free port, the client started against it, and the room's side of the
/// connection.
fn stand_in(talk: &Conversation, dialect: &str) -> (Process, Peer) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("its port").port();
    let client = dialect_client(talk, dialect, port);
    let room = talk.accept(&format!("document {dialect}'s room"), &listener);
    (client, room)
}

#[test]
fn dialect_000_answers_the_exact_nick_and_stamps_its_own_lines() {
    let talk = Conversation::new("lab03 client --dialect 000, in a room like document 000's");
    let (mut client, mut room) = stand_in(&talk, "000");
    room.send_bytes(b"nick");
    // The bare name: no newline, nothing else.
    assert_eq!(room.expect("alice"), "alice");
    room.send_bytes(
        b" 12:00:00 alice join to conversation room @@@ the subscribes['alice']\n\
          new subscribe is alice",
    );
    client.expect("new subscribe is alice\n");
    client.send_line("hello");
    let sent = room.expect(" alice :hello\n\n");
    // " HH:MM:SS alice :hello\n\n": the client's own time and name, as document 000's writes.
    let stamp = sent.strip_suffix(" alice :hello\n\n").unwrap_or_default();
    assert!(
        stamp.len() == 9 && stamp.starts_with(' ') && stamp.matches(':').count() == 2,
        "a time stamp first: {sent:?}"
    );
    client.close_input();
    room.expect_closed();
    client.wait_success();
}

#[test]
fn dialect_001_sends_its_name_unasked_and_its_messages_unframed() {
    let talk = Conversation::new("lab03 client --dialect 001, in a room like document 001's");
    let (mut client, mut room) = stand_in(&talk, "001");
    assert_eq!(room.expect("alice"), "alice");
    // Document 001's server: the join broadcast and the answer, often read in one recv.
    room.send_bytes(b"alice joined!Connected to server!");
    client.expect("alice joined!Connected to server!\n");
    client.send_line("hi");
    client.send_line("again");
    room.expect("alice: again");
    room.send_bytes(b"bob: hello alice");
    client.expect("bob: hello alice\n");
    client.send_line("CLOSE123123");
    room.expect_closed();
    client.wait_success();
    // No newline anywhere, and CLOSE123123 is never sent: the client just closes.
    assert_eq!(room.received_bytes(), b"alicealice: hialice: again");
}

#[test]
fn dialect_002_reads_the_greeting_and_sends_its_text_alone() {
    let talk = Conversation::new("lab03 client --dialect 002, in a room like document 002's");
    let (mut client, mut room) = stand_in(&talk, "002");
    room.send_bytes(b"Greetings from the server! Now type your name and press enter!");
    client.expect("Greetings from the server! Now type your name and press enter!\n");
    assert_eq!(room.expect("alice"), "alice");
    room.send_bytes(b"Welcome alice! If you ever want to quit, type shutdown to exit.");
    client.expect("Welcome alice! If you ever want to quit, type shutdown to exit.\n");
    client.send_line("hi");
    room.expect("hi");
    room.send_bytes(b"alice: hi");
    client.expect("alice: hi\n");
    client.send_line("shutdown");
    room.expect_closed();
    client.wait_success();
    // The server writes the name; the client sends its words, then `shutdown`, and closes.
    assert_eq!(room.received_bytes(), b"alicehishutdown");
}

#[test]
fn dialect_003_answers_the_exact_nic() {
    let talk = Conversation::new("lab03 client --dialect 003, in a room like document 003's");
    let (mut client, mut room) = stand_in(&talk, "003");
    room.send_bytes(b"NIC");
    assert_eq!(room.expect("alice"), "alice");
    room.send_bytes("b'alice' joined the chat \u{1F600}\nConnected to the server.".as_bytes());
    client.expect("b'alice' joined the chat \u{1F600}\nConnected to the server.\n");
    client.send_line("hi");
    room.expect("alice: hi\n");
    client.close_input();
    room.expect_closed();
    client.wait_success();
    assert_eq!(room.received_bytes(), b"alicealice: hi\n");
}

#[test]
fn a_room_that_goes_away_is_a_sentence() {
    let talk = Conversation::new("lab03 client --dialect 003: the room closes");
    let (mut client, mut room) = stand_in(&talk, "003");
    room.send_bytes(b"NIC");
    room.expect("alice");
    room.send_bytes(b"Connected to the server.");
    client.expect("Connected to the server.\n");
    room.vanish();
    let said = client.wait_failure();
    assert!(said.contains("closed the connection"), "{said:?}");
}

#[test]
fn a_prompt_that_is_not_the_documents_exact_word_is_named() {
    for (dialect, prompt) in [("000", "nick"), ("003", "NIC")] {
        let talk = Conversation::new(&format!(
            "lab03 client --dialect {dialect}: a room that prompts with a line"
        ));
        let (mut client, mut room) = stand_in(&talk, dialect);
        room.send_line("nick? (1 to 16 letters, digits, '-' or '_')");
        let said = client.wait_failure();
        assert!(
            said.contains(&format!("not document {dialect}'s exact `{prompt}`")),
            "{said:?}"
        );
        // The name was never sent.
        room.expect_closed();
        assert_eq!(room.received_bytes(), b"");
    }
}

#[test]
fn a_room_that_says_nothing_is_named_when_patience_ends() {
    let talk = Conversation::new("lab03 client --dialect 002: a room that never greets");
    let (mut client, _room) = stand_in(&talk, "002");
    let said = client.wait_failure();
    assert!(
        said.contains("sent nothing within 1 s") && said.contains("its greeting"),
        "{said:?}"
    );
}

#[test]
fn no_dialect_joins_the_kits_room_and_each_says_why() {
    let talk = Conversation::new("lab03 client --dialect NNN, in the kit's room");
    let (_server, address) = start_server(&talk);
    for (dialect, why) in [
        ("000", "not document 000's exact `nick`"),
        ("001", "the server asked for a nickname"),
        ("003", "not document 003's exact `NIC`"),
    ] {
        let mut client = dialect_client(&talk, dialect, address.port());
        let said = client.wait_failure();
        assert!(said.contains(why), "{dialect}: {said:?}");
    }
}

#[test]
fn dialect_001_in_a_terminal_in_document_001s_room() {
    let talk = Conversation::new(
        "lab03 client --dialect 001 in a terminal, in document 001's room (documented example)",
    );
    let (mut room, address, mut alice) = join_in_a_terminal(&talk, "001", "alice", 16);
    alice.expect_screen("Connected to server!");
    room.expect("Nickname is alice\n");
    let mut bob = dialect_client_as(&talk, "001", address.port(), "bob");
    bob.expect("Connected to server!");
    alice.expect_screen("bob joined!");

    alice.type_text("hello everyone");
    alice.press("Enter");
    alice.expect_screen("alice: hello everyone");
    bob.expect("alice: hello everyone\n");

    alice.type_text("I am half way thr");
    alice.expect_screen("I am half way thr");
    bob.send_line("hi alice");
    // rustyline clears the half-typed line, prints the message, then draws the line again: the
    // screen can be read in between (a busy CI run read dana's so, in the next test), so wait
    // for both.
    let screen = alice.expect_screen("bob: hi alice\nI am half way thr");
    assert!(
        screen.ends_with("\nbob: hi alice\nI am half way thr\n"),
        "bob's message above the half-typed line, which is intact:\n{screen}"
    );
    alice.type_text("ough");
    alice.press("Enter");
    bob.expect("alice: I am half way through\n");
    // Its own line back, before it leaves: what arrives after that is not shown.
    alice.expect_screen("I am half way through\nalice: I am half way through");

    // Document 001's way out: the client closes without sending it.
    alice.type_text("CLOSE123123");
    alice.press("Enter");
    assert_eq!(alice.wait_exit(), 0);
    bob.expect("alice left!\n");
    room.expect("alice left!\n");
    assert_transcript!(
        "lab03_dialect_001_terminal",
        one_recv(&alice.screen(), "alice joined!", "Connected to server!")
    );
}

#[test]
fn dialect_000_in_a_terminal_in_document_000s_room() {
    let talk = Conversation::new(
        "lab03 client --dialect 000 in a terminal, in document 000's room (documented example)",
    );
    let (mut room, address, mut dana) = join_in_a_terminal(&talk, "000", "dana", 18);
    dana.expect_screen("new subscribe is dana");
    room.expect("name of client is dana\n");
    let mut eve = dialect_client_as(&talk, "000", address.port(), "eve");
    eve.expect("new subscribe is eve\n");
    dana.expect_screen("eve join to conversation room");

    dana.type_text("hello");
    dana.press("Enter");
    dana.expect_screen(" dana :hello");
    eve.expect(" dana :hello\n");

    dana.type_text("half a li");
    dana.expect_screen("half a li");
    eve.send_line("hi dana");
    // Document 000's client ends each message with two newlines: an empty line follows it.
    // The message, then the half-typed line drawn again: wait for both, as above.
    let screen = dana.expect_screen(" eve :hi dana\n\nhalf a li");
    assert!(
        screen.ends_with(" eve :hi dana\n\nhalf a li\n"),
        "eve's message above the half-typed line, which is intact:\n{screen}"
    );
    dana.type_text("ne");
    dana.press("Enter");
    eve.expect(" dana :half a line\n");
    // Its own line back, before it leaves: what arrives after that is not shown.
    dana.expect_screen(" dana :half a line");

    // Document 000's client leaves when its window is closed; in a terminal, Ctrl-D.
    dana.press("C-d");
    assert_eq!(dana.wait_exit(), 0);
    eve.expect("dana left the conversation room!!!!");
    assert_transcript!("lab03_dialect_000_terminal", dana.screen());
}

/// Document `doc`'s room (the documented example), and the kit's client in `doc`'s dialect in a
/// terminal 100 columns by `rows` lines, `name` typed at its prompt.
fn join_in_a_terminal(
    talk: &Conversation,
    doc: &str,
    name: &str,
    rows: u16,
) -> (Process, SocketAddr, Terminal) {
    let (room, address) = documented_room(talk, doc);
    let port = address.port().to_string();
    let args = ["--port", &port, "--dialect", doc];
    let mut terminal = Terminal::start(talk, dialect_role(doc), &args, 100, rows);
    terminal.expect_screen("Choose your nickname:");
    terminal.type_text(name);
    terminal.press("Enter");
    (room, address, terminal)
}

/// `screen` with the server's `first` and `then` shown as one `recv` shows them: the server
/// sends them one after the other, and whether the client's `recv` takes both at once or one
/// each is the timing's choice (the lack of framing, on screen). The snapshot pins the one.
fn one_recv(screen: &str, first: &str, then: &str) -> String {
    screen.replace(&format!("{first}\n{then}\n"), &format!("{first}{then}\n"))
}
