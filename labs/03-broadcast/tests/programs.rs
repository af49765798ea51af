//! Lab 03's grading suite, part two: the programs around the room. Stopping the server, the
//! terminal client (piped, and in a real terminal), and the sentences both say when something
//! goes wrong.

mod common;

use common::{BINARY, STAGE, join, join_with_client, start_server};
use harness::{Conversation, Role, Terminal, assert_transcript, stage_role};

#[test]
fn ctrl_c_stops_the_server_after_telling_every_member() {
    let talk = Conversation::new("lab03: Ctrl-C at the server");
    let (mut server, address) = start_server(&talk);
    let mut alice = join(&talk, &mut server, "alice", address);
    let mut bob = join_with_client(&talk, &mut server, "bob", address);

    server.interrupt();
    alice.expect("* The server is shutting down. Goodbye!\n");
    alice.expect_closed();
    bob.expect("* The server is shutting down. Goodbye!\n");
    // A clean stop: the client ends successfully, with nothing on stderr.
    bob.wait_success();
    assert_eq!(bob.stderr(), "", "the client must not report an error");
    server.wait_success();

    assert_transcript!("lab03_ctrl_c_server", server.transcript());
    assert_transcript!("lab03_ctrl_c_bob", bob.transcript());
}

#[test]
fn shutdown_typed_at_the_server_stops_it() {
    let talk = Conversation::new("lab03: shutdown typed at the server");
    let (mut server, address) = start_server(&talk);
    let mut alice = join(&talk, &mut server, "alice", address);

    server.send_line("hello?");
    server.expect("type shutdown to stop the server\n");
    server.send_line("shutdown");
    alice.expect("* The server is shutting down. Goodbye!\n");
    alice.expect_closed();
    server.wait_success();
    assert_transcript!("lab03_shutdown_server", server.transcript());
}

#[test]
fn a_port_in_use_is_a_sentence() {
    let talk = Conversation::new("lab03: the port is already in use");
    let (_first, address) = start_server(&talk);
    let port = address.port().to_string();

    let mut second = talk.start(stage_role!("server"), &["--port", &port]);
    let said = second.wait_failure();
    assert_eq!(said.lines().count(), 1, "one sentence: {said:?}");
    // The stage names itself in its error sentences: a snapshot of its own.
    assert_transcript!(
        format!("{STAGE}_port_in_use"),
        said.replace(&port, "[port]")
    );
}

#[test]
fn the_client_without_a_server_says_so() {
    let talk = Conversation::new("lab03: the client finds no server");
    let port = {
        // A port nothing listens on: bound by the system, then released.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port().to_string()
    };
    let mut client = talk.start(stage_role!("client"), &["--port", &port]);
    let said = client.wait_failure();
    assert_eq!(said.lines().count(), 1, "one sentence: {said:?}");
    // The stage names itself in its error sentences: a snapshot of its own.
    assert_transcript!(format!("{STAGE}_client_no_server"), said);
}

#[test]
fn the_client_says_so_when_the_server_goes_away() {
    let talk = Conversation::new("lab03: the server dies under a client");
    let (mut server, address) = start_server(&talk);
    let mut bob = join_with_client(&talk, &mut server, "bob", address);

    server.kill();
    let said = bob.wait_failure();
    assert_eq!(said.lines().count(), 1, "one sentence: {said:?}");
    assert_transcript!("lab03_client_server_gone", bob.transcript() + &said);
}

#[test]
fn the_client_asks_for_a_name_until_one_is_accepted() {
    let talk = Conversation::new("lab03: the client asks for a name");
    let (mut server, address) = start_server(&talk);
    let mut alice = join(&talk, &mut server, "alice", address);
    let port = address.port().to_string();

    let mut client = talk.start(stage_role!("client"), &["--port", &port]);
    client.expect("nick? (1 to 16 letters, digits, '-' or '_') ");
    client.send_line("alice");
    client.expect("! nickname refused: alice is already in the room\n");
    client.expect("nick? (1 to 16 letters, digits, '-' or '_') ");
    client.send_line("Honen");
    client.expect("* Welcome, Honen! In the room: alice, Honen. Type CLOSE to leave.\n");
    alice.expect("* Honen joined! In the room: alice, Honen.\n");

    // The end of its input (Ctrl-D) leaves like CLOSE.
    client.close_input();
    client.expect("* Goodbye, Honen!\n");
    client.wait_success();
    alice.expect("* Honen left!\n");
    assert_transcript!("lab03_client_asks_name", client.transcript());
}

#[test]
fn a_message_arrives_above_a_half_typed_line_in_a_terminal() {
    let talk = Conversation::new("lab03: the client in a terminal");
    let (mut server, address) = start_server(&talk);
    let mut alice = join(&talk, &mut server, "alice", address);
    let port = address.port().to_string();

    let mut bob = Terminal::start(
        &talk,
        stage_role!("client"),
        &["--port", &port, "--name", "bob"],
        100,
        12,
    );
    bob.expect_screen("Type CLOSE to leave.");
    alice.expect("* bob joined! In the room: alice, bob.\n");

    bob.type_text("I am typing a long ans");
    bob.expect_screen("I am typing a long ans");
    alice.send_line("are you there?");
    // rustyline clears the half-typed line, prints the message, then draws the line again: wait
    // for both, or the screen may be read in between.
    let screen = bob.expect_screen("alice: are you there?\nI am typing a long ans");
    assert_transcript!("lab03_terminal_half_typed", screen);

    // The half-typed line is intact: finish it and send it.
    bob.type_text("wer");
    bob.press("Enter");
    alice.expect(") bob: I am typing a long answer\n");
    bob.expect_screen("bob: I am typing a long answer");
    bob.type_text("CLOSE");
    bob.press("Enter");
    assert_eq!(bob.wait_exit(), 0);
    assert_transcript!("lab03_terminal_close", bob.screen());
}

#[test]
fn the_terminal_client_ends_cleanly_when_the_server_stops() {
    let talk = Conversation::new("lab03: the server stops under a terminal client");
    let (mut server, address) = start_server(&talk);
    let port = address.port().to_string();

    let mut bob = Terminal::start(
        &talk,
        stage_role!("client"),
        &["--port", &port, "--name", "bob"],
        100,
        12,
    );
    bob.expect_screen("Type CLOSE to leave.");
    server.expect("name of client is bob\n");
    bob.type_text("half a");
    bob.expect_screen("half a");
    server.send_line("shutdown");
    // The server said goodbye before closing: a clean end, not a failure.
    assert_eq!(bob.wait_exit(), 0);
    server.wait_success();
    assert_transcript!("lab03_terminal_server_stops", bob.screen());
}

#[test]
fn help_explains_the_lab() {
    let talk = Conversation::new(&format!("{STAGE}: --help"));
    let own = Role::program(STAGE, BINARY, &[]);
    let mut help = talk.start(own, &["--help"]);
    help.wait_success();
    // Each stage explains itself: the one snapshot of the suite that differs between them.
    assert_transcript!(format!("{STAGE}_help"), help.transcript());
}

/// `LAB03_SERVER` and `LAB03_CLIENT` (`LAB05_...` for lab 05) really replace the stage's
/// binaries (see `harness::assert_override_grades`).
#[test]
fn the_server_variable_grades_the_command_it_names() {
    let own = format!("{BINARY} server");
    harness::assert_override_grades(
        &Role::variable(STAGE, "server"),
        &own,
        "shutdown_typed_at_the_server_stops_it",
    );
}

#[test]
fn the_client_variable_grades_the_command_it_names() {
    let own = format!("{BINARY} client");
    harness::assert_override_grades(
        &Role::variable(STAGE, "client"),
        &own,
        "the_client_asks_for_a_name_until_one_is_accepted",
    );
}
