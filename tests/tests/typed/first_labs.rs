//! The introduction's, lab 01's and lab 02's lines: the echo, the one-on-one chat, and lab 02
//! against the document's own Python programs.

use crate::{line, scenario, seeds_present};
use harness::Conversation;

/// Lab 01's two terminals: the client connects, sends, prints the echo and ends; the server
/// logs what it echoed.
fn echo(talk: &Conversation, server_line: &str, client_line: &str) {
    let mut server = talk.start(line(server_line), &[]);
    server.expect("listening on 127.0.0.1:7007\n");
    let mut client = talk.start(line(client_line), &[]);
    client.expect("connected to 127.0.0.1:7007\nsent: hello\necho: hello\n");
    client.wait_success();
    server.expect("sent 5 bytes: \"hello\"; echoed it\n");
}

#[test]
fn introduction_echo_and_lab01_suite() {
    let (talk, _turn) = scenario("introduction: the echo, then lab 01's suite", &[7007]);
    echo(
        &talk,
        r"cargo run -p lab01 -- server        # terminal 1",
        r"cargo run -p lab01 -- client hello  # terminal 2",
    );
    let mut suite = talk.start(
        line(r"cargo test -p lab01                 # the lab's grading suite"),
        &[],
    );
    let status = suite.wait_exit_within(std::time::Duration::from_secs(120));
    assert!(
        status.success(),
        "lab 01's suite failed:\n{}\n{}",
        suite.stderr(),
        suite.transcript()
    );
    assert!(suite.transcript().contains("test result: ok."));
}

#[test]
fn lab01_echo() {
    let (talk, _turn) = scenario("lab01: running it", &[7007]);
    echo(
        &talk,
        r"cargo run -p lab01 -- server          # terminal 1",
        r"cargo run -p lab01 -- client hello    # terminal 2",
    );
}

pub fn lab02_server_and_client_chat_and_leave() {
    let (talk, _turn) = scenario("lab02: running it", &[8080]);
    let mut server = talk.start(line(r"cargo run -p lab02 -- server"), &[]);
    server.expect("Enter your name: ");
    server.send_line("Deemah");
    server.expect("Waiting for incoming connections...\n");
    let mut client = talk.start(line(r"cargo run -p lab02 -- client"), &[]);
    client.expect("Enter server address: ");
    client.send_line("");
    client.expect("Enter your name: ");
    client.send_line("Honen");
    client.expect("Trying to connect to 127.0.0.1 ( 8080 )\n");
    client.expect("Deemah has joined the chat app\n");
    server.expect("Honen has connected to the chat app\n");
    server.expect("Me : ");
    server.send_line("Hi");
    client.expect("Deemah : Hi\n");
    client.expect("Me : ");
    client.send_line("[e]");
    server.expect("Honen : Left chat app!\n");
    client.wait_success();
    server.wait_success();
}

pub fn lab02_client_talks_to_the_documents_server() {
    let name = "lab02: the lab's client and the document's server.py";
    if !seeds_present(name) {
        return;
    }
    let (talk, _turn) = scenario(name, &[8080]);
    crate::port_clear(&talk, 8080);
    let mut server = talk.start(
        line(r"python3 ../shared/seeds/py/seed000_one_to_one/server.py"),
        &[],
    );
    let printed = server.expect("Enter your name: ");
    assert!(printed.contains("127.0.0.1 ( 127.0.0.1 )"), "{printed}");
    server.send_line("Deemah");
    server.expect("Waiting for incoming connections...\n");
    let mut client = talk.start(line(r#"cargo run -p lab02 -- client"#), &[]);
    client.expect("Enter server address: ");
    client.send_line("127.0.0.1");
    client.expect("Enter your name: ");
    client.send_line("Honen");
    client.expect("Deemah has joined the chat app\n");
    server.expect("Me : ");
    server.send_line("Hi");
    client.expect("Deemah : Hi\n");
    client.expect("Me : ");
    client.send_line("[e]");
    client.wait_success();
    // The document's server prints the leave like any message and carries on prompting.
    server.expect("Left chat app!\n");
    server.expect("Me : ");
}

pub fn lab02_server_talks_to_the_documents_client() {
    let name = "lab02: the lab's server and the document's client.py";
    if !seeds_present(name) {
        return;
    }
    let (talk, _turn) = scenario(name, &[8080]);
    let mut server = talk.start(line(r"cargo run -p lab02 -- server"), &[]);
    server.expect("listening on 127.0.0.1:8080\n");
    server.expect("Enter your name: ");
    server.send_line("Deemah");
    server.expect("Waiting for incoming connections...\n");
    let mut client = talk.start(
        line(r#"python3 ../shared/seeds/py/seed000_one_to_one/client.py"#),
        &[],
    );
    client.expect("Enter server address: ");
    client.send_line("127.0.0.1");
    client.expect("Enter your name: ");
    client.send_line("Honen");
    client.expect("Deemah has joined the chat app\n");
    server.expect("Honen has connected to the chat app\n");
    server.expect("Me : ");
    server.send_line("Hi");
    client.expect("Hi\n");
    client.expect("Me : ");
    client.send_line("[e]");
    // The lab's side ends cleanly when the document's side leaves.
    server.expect("Left chat app!\n");
    server.wait_success();
}
