//! Lab 02's grading suite: document 000's one-on-one chat, through the lab's binaries and real
//! TCP on loopback.
//!
//! Grade another program with `LAB02_SERVER` / `LAB02_CLIENT` (see the guide's chapter for
//! instructors): the server is started with `--port 0` and must print `listening on ADDRESS`
//! first; the client is started with `--port N`. Both then read their user's lines from
//! standard input, prompts and all, as the documents' programs do.

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use harness::{Conversation, Peer, Process, Role, Terminal, assert_transcript, role};

/// A lab02 server on a port the system picked, whose user has typed `name` and which now waits
/// for a client; returns it with its port.
fn start_server(talk: &Conversation, name: &str) -> (Process, String) {
    start_server_with(talk, name, &[])
}

/// [`start_server`], with `extra` arguments after `--port 0`.
fn start_server_with(talk: &Conversation, name: &str, extra: &[&str]) -> (Process, String) {
    let mut args = vec!["--port", "0"];
    args.extend_from_slice(extra);
    let mut server = talk.start(role!("lab02", "server"), &args);
    let port = server.address().port().to_string();
    server.expect("Enter your name: ");
    server.send_line(name);
    server.expect("Waiting for incoming connections...\n");
    (server, port)
}

/// A lab02 client for the server on `port`, whose user types `address` at the address prompt
/// (empty: the default) and `name` at the name prompt.
fn start_client(talk: &Conversation, port: &str, address: &str, name: &str) -> Process {
    let mut client = talk.start(role!("lab02", "client"), &["--port", port]);
    client.expect("Enter server address: ");
    client.send_line(address);
    client.expect("Enter your name: ");
    client.send_line(name);
    client
}

/// Waits until the names have been exchanged and both sides have printed the date.
///
/// The server's user must not type before the client has received the server's name: on this
/// wire, a first message sent that early would arrive glued to the name (see the guide).
fn wait_until_connected(server: &mut Process, client: &mut Process, server_name: &str) {
    server.expect(" has connected to the chat app\nEnter [e] to exit the chat\n\n(");
    client.expect(&format!(
        "{server_name} has joined the chat app\nEnter [e] to exit the chat\n\n("
    ));
}

/// One turn: `speaker` types `message` at its prompt, and `listener` prints it under
/// `speaker_name`.
fn turn(speaker: &mut Process, listener: &mut Process, speaker_name: &str, message: &str) {
    speaker.expect(") Me : ");
    speaker.send_line(message);
    listener.expect(&format!(") {speaker_name} : {message}\n"));
}

/// A server and a client whose users are Deemah and Honen, connected and ready to chat.
fn deemah_and_honen(talk: &Conversation) -> (Process, Process) {
    let (mut server, port) = start_server(talk, "Deemah");
    let mut client = start_client(talk, &port, "127.0.0.1", "Honen");
    wait_until_connected(&mut server, &mut client, "Deemah");
    (server, client)
}

fn loopback(port: &str) -> SocketAddr {
    format!("127.0.0.1:{port}").parse().unwrap()
}

#[test]
fn deemah_and_honen_chat_as_in_the_document() {
    let talk = Conversation::new("lab02: Deemah and Honen chat, as in document 000");
    let (mut deemah, mut honen) = deemah_and_honen(&talk);

    turn(&mut deemah, &mut honen, "Deemah", "Hi");
    turn(&mut honen, &mut deemah, "Honen", "Hi Deemah");
    turn(&mut deemah, &mut honen, "Deemah", "How are you?");
    turn(&mut honen, &mut deemah, "Honen", "I'm Fine... and you?");
    turn(&mut deemah, &mut honen, "Deemah", "very good..");
    turn(
        &mut honen,
        &mut deemah,
        "Honen",
        "sorry..I will talk to you later",
    );
    turn(&mut deemah, &mut honen, "Deemah", "don");
    turn(&mut honen, &mut deemah, "Honen", "bye");
    turn(&mut deemah, &mut honen, "Deemah", "bye");
    honen.expect(") Me : ");
    honen.send_line("[e]");
    deemah.expect(") Honen : Left chat app!\n");

    honen.wait_success();
    deemah.wait_success();
    assert_transcript!("lab02_server_deemah", deemah.transcript());
    assert_transcript!("lab02_client_honen", honen.transcript());
}

#[test]
fn e_from_the_server_ends_both_programs() {
    let talk = Conversation::new("lab02: the server's user leaves with [e]");
    let (mut server, port) = start_server(&talk, "Deemah");
    // An empty answer at the address prompt means the --host address.
    let mut client = start_client(&talk, &port, "", "Honen");
    client.expect("Trying to connect to 127.0.0.1 (");
    wait_until_connected(&mut server, &mut client, "Deemah");

    // An empty line is not sent (zero bytes would be no message at all): the prompt comes back.
    server.expect(") Me : ");
    server.send_line("");
    turn(&mut server, &mut client, "Deemah", "Hi");
    turn(&mut client, &mut server, "Honen", "Hi Deemah");
    server.expect(") Me : ");
    server.send_line("[e]");
    client.expect(") Deemah : Left chat app!\n");

    server.wait_success();
    client.wait_success();
}

#[test]
fn e_from_the_client_ends_both_programs() {
    let talk = Conversation::new("lab02: the client's user leaves with [e]");
    let (mut server, mut client) = deemah_and_honen(&talk);

    turn(&mut server, &mut client, "Deemah", "Hi");
    client.expect(") Me : ");
    client.send_line("[e]");
    server.expect(") Honen : Left chat app!\n");

    client.wait_success();
    server.wait_success();
}

#[test]
fn the_end_of_the_input_leaves_like_e() {
    let talk = Conversation::new("lab02: Ctrl-D at the client's prompt");
    let (mut server, mut client) = deemah_and_honen(&talk);

    turn(&mut server, &mut client, "Deemah", "Hi");
    client.expect(") Me : ");
    client.close_input();
    server.expect(") Honen : Left chat app!\n");

    client.wait_success();
    server.wait_success();
}

#[test]
fn a_second_client_is_refused_at_once() {
    let talk = Conversation::new("lab02: a second client while the chat goes on");
    let (_server, port) = start_server(&talk, "Deemah");
    let mut first = start_client(&talk, &port, "", "Honen");
    first.expect("Deemah has joined the chat app\n");

    // The server holds one conversation and has closed its listening socket.
    let mut second = start_client(&talk, &port, "", "Dado");
    let said = second.wait_failure();
    assert!(said.contains("no server is listening"), "{said:?}");
}

#[test]
fn the_server_says_in_one_sentence_that_the_client_vanished() {
    let talk = Conversation::new("lab02: the client is killed mid-conversation");
    let (mut server, mut client) = deemah_and_honen(&talk);

    turn(&mut server, &mut client, "Deemah", "Hi");
    // The server now waits for Honen's answer, which will never come.
    client.kill();

    let said = server.wait_failure();
    assert_eq!(said.lines().count(), 1, "one sentence: {said:?}");
    assert_transcript!("lab02_server_client_vanished", said);
}

#[test]
fn the_client_says_in_one_sentence_that_the_server_vanished() {
    let talk = Conversation::new("lab02: the server is killed mid-conversation");
    let (mut server, mut client) = deemah_and_honen(&talk);

    turn(&mut server, &mut client, "Deemah", "Hi");
    turn(&mut client, &mut server, "Honen", "Hi Deemah");
    // The client now waits for Deemah's next message, which will never come.
    server.kill();

    let said = client.wait_failure();
    assert_eq!(said.lines().count(), 1, "one sentence: {said:?}");
    assert!(said.contains("Deemah has gone"), "{said:?}");
}

#[test]
fn the_client_without_a_server_says_so_in_one_sentence() {
    let talk = Conversation::new("lab02: the client finds no server");
    let port = free_port();

    let mut client = start_client(&talk, &port, "", "Honen");
    let said = client.wait_failure();
    assert_eq!(said.lines().count(), 1, "one sentence: {said:?}");
    assert_transcript!("lab02_client_no_server", said);
}

#[test]
fn a_second_server_on_the_same_port_says_so_in_one_sentence() {
    let talk = Conversation::new("lab02: the port is already in use");
    let (_first, port) = start_server(&talk, "Deemah");

    let mut second = talk.start(role!("lab02", "server"), &["--port", &port]);
    let said = second.wait_failure();
    assert_eq!(said.lines().count(), 1, "one sentence: {said:?}");
    assert!(said.contains("already in use"), "{said:?}");
}

/// Issue 11: a port probe (`nc -z` connects and closes at once) used to end the server with
/// exit status 1. Now it is logged, and the server waits for the real client.
#[test]
fn a_probe_is_logged_and_the_real_client_then_chats() {
    let talk = Conversation::new("lab02: a port probe, then the real client");
    let (mut deemah, port) = start_server(&talk, "Deemah");

    let mut probe = talk.connect("a port probe", loopback(&port));
    probe.vanish();
    deemah.expect(
        "That client closed the connection before saying its name; waiting for the next one...\n",
    );

    let mut honen = start_client(&talk, &port, "", "Honen");
    wait_until_connected(&mut deemah, &mut honen, "Deemah");
    turn(&mut deemah, &mut honen, "Deemah", "Hi");
    turn(&mut honen, &mut deemah, "Honen", "Hi Deemah");
    deemah.expect(") Me : ");
    deemah.send_line("[e]");
    honen.expect(") Deemah : Left chat app!\n");
    deemah.wait_success();
    honen.wait_success();

    assert_transcript!("lab02_server_probe_then_honen", deemah.transcript());
}

/// Issue 11: a connection that never says a name used to hold the server for ever, while the
/// real client was refused. Now it has `--timeout` seconds (here 1); the real client, which
/// connects meanwhile, waits in the listening socket's queue and is served next.
#[test]
fn a_silent_connection_is_closed_at_the_deadline_and_the_real_client_then_chats() {
    let talk = Conversation::new("lab02: a silent connection, then the real client");
    let (mut deemah, port) = start_server_with(&talk, "Deemah", &["--timeout", "1"]);

    let mut silent = talk.connect("a silent connection", loopback(&port));
    deemah.expect("Received connection from 127.0.0.1 (");
    let mut honen = start_client(&talk, &port, "", "Honen");
    honen.expect("Connected...\n");
    deemah.expect(
        "That client said no name within 1 s, so it was closed; waiting for the next one...\n",
    );
    silent.expect_closed();

    wait_until_connected(&mut deemah, &mut honen, "Deemah");
    turn(&mut deemah, &mut honen, "Deemah", "Hi");
    honen.expect(") Me : ");
    honen.send_line("[e]");
    deemah.expect(") Honen : Left chat app!\n");
    honen.wait_success();
    deemah.wait_success();

    assert_transcript!("lab02_server_silent_then_honen", deemah.transcript());
}

/// The deadline is for the name only: the turns wait for a person, who may think for longer.
#[test]
fn a_turn_may_take_longer_than_the_name_deadline() {
    let talk = Conversation::new("lab02: Honen thinks for longer than the name deadline");
    let (mut deemah, port) = start_server_with(&talk, "Deemah", &["--timeout", "0.5"]);
    let mut honen = start_client(&talk, &port, "", "Honen");
    wait_until_connected(&mut deemah, &mut honen, "Deemah");

    turn(&mut deemah, &mut honen, "Deemah", "Hi");
    honen.expect(") Me : ");
    // Not a wait for a peer: this is Honen's user, slower than the deadline.
    talk.step("Honen's user thinks for 1 s, twice the deadline for names");
    std::thread::sleep(Duration::from_secs(1));
    honen.send_line("Hi Deemah");
    deemah.expect(") Honen : Hi Deemah\n");
    deemah.expect(") Me : ");
    deemah.send_line("[e]");
    deemah.wait_success();
    honen.wait_success();
}

/// The lab's client against a fake document server: a raw socket that does what `server.py`
/// does on the wire, byte for byte (receive the client's name, send its own, then one message
/// per turn, no line ends, each under the 1024 bytes of one `recv`).
#[test]
fn the_client_talks_to_the_documents_server() {
    let talk = Conversation::new("lab02: the lab's client and a fake server.py");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();

    let mut client = start_client(&talk, &port, "", "Honen");
    let mut server = talk.accept("a fake server.py", &listener);
    server.expect("Honen");
    server.send_bytes(b"Deemah");
    client.expect("Deemah has joined the chat app\n");

    server.send_bytes(b"Hi");
    client.expect(") Deemah : Hi\n");
    client.expect(") Me : ");
    client.send_line("Hi Deemah");
    server.expect("Hi Deemah");
    server.send_bytes("كيف حالك؟".as_bytes());
    client.expect(") Deemah : كيف حالك؟\n");
    client.expect(") Me : ");
    client.send_line("[e]");
    server.expect("Left chat app!");
    server.expect_closed();
    client.wait_success();

    assert_wire(&server, b"HonenHi DeemahLeft chat app!");
}

/// The lab's server against a fake document client: a raw socket that does what `client.py`
/// does on the wire (send its name, receive the server's, then one message per turn).
#[test]
fn the_server_talks_to_the_documents_client() {
    let talk = Conversation::new("lab02: the lab's server and a fake client.py");
    let (mut server, port) = start_server(&talk, "Deemah");

    let mut client = talk.connect("a fake client.py", loopback(&port));
    client.send_bytes(b"Honen");
    server.expect("Honen has connected to the chat app\n");
    client.expect("Deemah");

    server.expect(") Me : ");
    server.send_line("Hi");
    client.expect("Hi");
    client.send_bytes("بخير".as_bytes());
    server.expect(") Honen : بخير\n");
    server.expect(") Me : ");
    server.send_line("bye");
    client.expect("bye");
    client.send_bytes(b"Left chat app!");
    server.expect(") Honen : Left chat app!\n");
    server.wait_success();
    client.expect_closed();

    assert_wire(&client, b"DeemahHibye");
}

/// The lab's server leaves with `[e]`: the fake document client receives "Left chat app!" and
/// sees the connection close.
#[test]
fn the_server_leaves_the_documents_client_properly() {
    let talk = Conversation::new("lab02: the lab's server leaves a fake client.py");
    let (mut server, port) = start_server(&talk, "Deemah");

    let mut client = talk.connect("a fake client.py", loopback(&port));
    client.send_bytes(b"Honen");
    client.expect("Deemah");
    server.expect(") Me : ");
    server.send_line("[e]");
    client.expect("Left chat app!");
    client.expect_closed();
    server.wait_success();

    assert_wire(&client, b"DeemahLeft chat app!");
}

/// What a fake document peer received must be exactly the messages, back to back: no line
/// ends, no delimiters, nothing added.
fn assert_wire(peer: &Peer, expected: &[u8]) {
    let received = peer.received_bytes();
    assert!(
        received == expected,
        "on the wire, expected exactly {:?}\narrived: {:?}",
        String::from_utf8_lossy(expected),
        String::from_utf8_lossy(&received)
    );
}

/// The first defect: one receive is one `recv(1024)`, so a 1500-byte message arrives in two
/// turns, and from then on each side answers the message before the last.
#[test]
fn a_message_over_1024_bytes_arrives_in_two_turns() {
    let talk = Conversation::new("lab02: a 1500-byte message");
    let (mut deemah, mut honen) = deemah_and_honen(&talk);
    let long = "0123456789".repeat(150);
    assert_eq!(long.len(), 1500);

    deemah.expect(") Me : ");
    deemah.send_line(&long);
    // Honen gets the first 1024 bytes as one message...
    honen.expect(&format!(") Deemah : {}\n", &long[..1024]));
    turn(&mut honen, &mut deemah, "Honen", "ok");
    // ...and, on his next turn, the other 476 as if Deemah had written them since.
    honen.expect(&format!(") Deemah : {}\n", &long[1024..]));
    // Both are now waiting for their user, the ping-pong broken: nobody listens.
    deemah.expect(") Me : ");
    honen.expect(") Me : ");
    deemah.send_line("[e]");
    deemah.wait_success();
    honen.send_line("[e]");
    honen.wait_success();

    assert_transcript!("lab02_server_long_message", deemah.transcript());
    assert_transcript!("lab02_client_long_message", honen.transcript());
}

/// The second defect: a read boundary can fall inside a character. "م" is two bytes in UTF-8;
/// placed at byte 1024, it is cut in two, and each half prints as U+FFFD. (The documents'
/// `decode()` raises an exception here and the program dies.)
#[test]
fn a_character_cut_at_byte_1024_prints_as_replacement_characters() {
    let talk = Conversation::new("lab02: a character cut by the 1024-byte read");
    let (mut deemah, mut honen) = deemah_and_honen(&talk);
    let message = format!("{}مرحبا", ".".repeat(1023));

    deemah.expect(") Me : ");
    deemah.send_line(&message);
    honen.expect(&format!(") Deemah : {}\u{FFFD}\n", ".".repeat(1023)));
    turn(&mut honen, &mut deemah, "Honen", "?");
    honen.expect(") Deemah : \u{FFFD}رحبا\n");
    deemah.expect(") Me : ");
    honen.expect(") Me : ");
    deemah.send_line("[e]");
    deemah.wait_success();
    honen.send_line("[e]");
    honen.wait_success();

    assert_transcript!("lab02_client_cut_character", honen.transcript());
}

/// Why the documents' programs never meet the third defect themselves (they cannot send twice
/// in a row) but any other program can: two messages sent one after the other, before the
/// receiver's next read, arrive as one.
#[test]
fn two_quick_messages_arrive_as_one() {
    let talk = Conversation::new("lab02: two quick messages");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();

    let mut honen = start_client(&talk, &port, "", "Honen");
    let mut deemah = talk.accept("a server that sends twice", &listener);
    deemah.expect("Honen");
    deemah.send_bytes(b"Deemah");
    honen.expect("Enter [e] to exit the chat\n");
    deemah.send_bytes(b"Hi");
    honen.expect(") Deemah : Hi\n");
    // Honen is at his prompt, not reading: both messages wait in his socket's buffer.
    honen.expect(") Me : ");
    deemah.send_bytes(b"Are you there?");
    deemah.send_bytes(b"Hello?");
    honen.send_line("yes");
    deemah.expect("yes");
    honen.expect(") Deemah : Are you there?Hello?\n");
    honen.expect(") Me : ");
    honen.send_line("[e]");
    deemah.expect("Left chat app!");
    honen.wait_success();

    assert_transcript!("lab02_client_two_quick_messages", honen.transcript());
}

/// Try this 1: `nc` as the client. nc sends each line with its line end, and on this wire the
/// line end is part of the message: the name is `Honen\n`, so every line that names him is
/// broken after the name, and his messages end in an empty line. nc takes no turns: two lines
/// typed while the server's user is at `Me : ` wait in the server's socket and arrive as one
/// message at its next read.
#[test]
fn nc_as_the_client_puts_its_line_ends_in_the_messages_and_takes_no_turns() {
    let talk = Conversation::new("lab02: nc as the client");
    let (mut deemah, port) = start_server(&talk, "Deemah");
    let mut nc = talk.connect("nc", loopback(&port));

    nc.send_line("Honen");
    deemah.expect("Received connection from 127.0.0.1 (");
    deemah.expect("Honen\n has connected to the chat app\n");
    nc.expect("Deemah");
    deemah.expect(") Me : ");
    deemah.send_line("Hi");
    nc.expect("Hi");
    nc.send_line("Hi Deemah");
    deemah.expect(") Honen\n : Hi Deemah\n\n");

    // Deemah's turn, and nc does not wait for it: both lines wait in her socket.
    deemah.expect(") Me : ");
    nc.send_line("are you there?");
    nc.send_line("hello?");
    deemah.send_line("What?");
    nc.expect("What?");
    deemah.expect(") Honen\n : are you there?\nhello?\n\n");
    deemah.expect(") Me : ");
    deemah.send_line("[e]");
    nc.expect("Left chat app!");
    nc.expect_closed();
    deemah.wait_success();

    // What nc prints: the server's messages back to back, no line end anywhere.
    assert_wire(&nc, b"DeemahHiWhat?Left chat app!");
    assert_transcript!("lab02_server_nc_client", deemah.transcript());
    assert_transcript!("lab02_nc_client", nc.transcript());
}

/// Try this 2: the server's user types while it is the client's turn. The server is not
/// reading its keyboard then (it waits in `recv`), so the line goes nowhere: the terminal shows
/// it and keeps it. Once the client's answer has arrived and been printed, the server's turn
/// begins, and the waiting line is read and sent at once, without being typed again. In a real
/// terminal, because that is where the line waits.
#[test]
fn a_line_typed_out_of_turn_waits_and_goes_as_the_next_turn() {
    let talk = Conversation::new("lab02: Deemah types while it is Honen's turn");
    let mut deemah = Terminal::start(&talk, role!("lab02", "server"), &["--port", "0"], 100, 30);
    let port = listening_port(&deemah.expect_screen("Enter your name:"));
    deemah.type_text("Deemah");
    deemah.press("Enter");
    deemah.expect_screen("Waiting for incoming connections...");
    // Honen's side is a fake client.py, so that the test sees every byte the server sends.
    let mut honen = talk.connect("a fake client.py", loopback(&port));
    honen.send_bytes(b"Honen");
    honen.expect("Deemah");
    deemah.expect_screen(") Me :");
    deemah.type_text("Hi");
    deemah.press("Enter");
    honen.expect("Hi");

    // Honen's turn; Deemah types anyway. The terminal shows her line under her last one...
    deemah.type_text("Are you still there?");
    deemah.press("Enter");
    deemah.expect_screen(") Me : Hi\nAre you still there?\n");
    // The terminal echoes the Enter a moment later: Honen's line must not come before it.
    deemah.expect_cursor_at_line_start();
    // ...and the server has not sent it: it is not reading the keyboard.
    assert!(
        honen.received_bytes() == b"DeemahHi",
        "sent out of turn: {:?}",
        String::from_utf8_lossy(&honen.received_bytes())
    );

    // Honen answers: his message is printed, and the waiting line goes at once.
    honen.send_bytes(b"Hi Deemah");
    honen.expect("Are you still there?");
    deemah.expect_screen(") Honen : Hi Deemah\n(");
    deemah.expect_screen(") Me : Are you still there?\n");
    honen.send_bytes(b"Left chat app!");
    assert_eq!(deemah.wait_exit(), 0);

    assert_wire(&honen, b"DeemahHiAre you still there?");
    assert_transcript!("lab02_terminal_typed_out_of_turn", deemah.screen());
}

/// The port in a server's first line, `listening on 127.0.0.1:41234`, read off its screen.
fn listening_port(screen: &str) -> String {
    let found = screen
        .lines()
        .find_map(|line| line.strip_prefix("listening on 127.0.0.1:"));
    match found {
        Some(port) => port.trim().to_string(),
        None => panic!("no \"listening on 127.0.0.1:PORT\" on the screen:\n{screen}"),
    }
}

#[test]
fn help_explains_the_lab() {
    let talk = Conversation::new("lab02: --help");
    let lab02 = Role::program("lab02", env!("CARGO_BIN_EXE_lab02"), &[]);
    let mut help = talk.start(lab02, &["--help"]);
    help.wait_success();
    assert!(help.transcript().contains("one-on-one chat"));
    assert_transcript!("lab02_help", help.transcript());
}

/// `LAB02_SERVER` and `LAB02_CLIENT` really replace the lab's binaries (see
/// `harness::assert_override_grades`).
#[test]
fn lab02_server_grades_the_command_it_names() {
    grades_the_command_it_names("LAB02_SERVER", "server");
}

#[test]
fn lab02_client_grades_the_command_it_names() {
    grades_the_command_it_names("LAB02_CLIENT", "client");
}

fn grades_the_command_it_names(variable: &str, role: &str) {
    let own = format!("{} {role}", env!("CARGO_BIN_EXE_lab02"));
    harness::assert_override_grades(variable, &own, "deemah_and_honen_chat_as_in_the_document");
}

/// A port nothing listens on: bound by the system, then released.
fn free_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port().to_string()
}
