//! The room's lines: lab 03's terminals and its "Try this", its dialect client against
//! document 001's server, the hostile chapter's document 000 room, and lab 05's terminals and
//! its "Try this".

use std::time::Duration;

use crate::{line, scenario, seeds_present};
use harness::{Process, Role, Terminal};

/// The prompt every member of the kit's room gets first.
const PROMPT: &str = "nick? (1 to 16 letters, digits, '-' or '_')\n";

/// Ctrl-C at the room's console: it tells its members and ends with status 0.
fn stop(server: &mut Process) {
    server.interrupt();
    server.expect("stopping: telling ");
    server.wait_success();
}

pub fn lab03_four_terminals() {
    let (talk, _turn) = scenario("lab03: running it, in four terminals", &[9090]);
    crate::needs(&talk, "nc", "netcat-openbsd");
    let mut server = talk.start(
        line(r"cargo run -p lab03 -- server                  # terminal 1: the room, on 127.0.0.1:9090"),
        &[],
    );
    server.expect("listening on 127.0.0.1:9090\n");
    let mut dado = talk.start(
        line(r"cargo run -p lab03 -- client --name Dado      # terminal 2"),
        &[],
    );
    dado.expect("* Welcome, Dado! In the room: Dado. Type CLOSE to leave.\n");
    let mut asks = talk.start(
        line(r"cargo run -p lab03 -- client                  # terminal 3: asks for a nickname"),
        &[],
    );
    asks.expect("nick? ");
    asks.send_line("Mina");
    asks.expect("* Welcome, Mina! In the room: Dado, Mina. Type CLOSE to leave.\n");
    dado.expect("* Mina joined! In the room: Dado, Mina.\n");
    let mut raw = talk.start(
        line(r"nc 127.0.0.1 9090                             # terminal 4: a raw member, typed by hand"),
        &[],
    );
    raw.expect(PROMPT);
    raw.send_line("Hasan");
    raw.expect("* Welcome, Hasan! In the room: Dado, Mina, Hasan. Type CLOSE to leave.\n");
    raw.send_line("hello");
    dado.expect(") Hasan: hello\n");
    asks.expect(") Hasan: hello\n");
    raw.send_line("CLOSE");
    raw.expect("* Goodbye, Hasan!\n");
    dado.expect("* Hasan left!\n");
    asks.close_input();
    asks.wait_success();
    dado.close_input();
    dado.wait_success();
    stop(&mut server);
}

pub fn lab03_try_this_two_messages_in_one_write() {
    let (talk, _turn) = scenario("lab03: try this, two messages in one write", &[9090]);
    crate::needs(&talk, "nc", "netcat-openbsd");
    let mut server = talk.start(
        line(r"cargo run -p lab03 -- server                  # terminal 1"),
        &[],
    );
    server.expect("listening on 127.0.0.1:9090\n");
    let mut dado = talk.start(
        line(r"cargo run -p lab03 -- client --name Dado      # terminal 2"),
        &[],
    );
    dado.expect("* Welcome, Dado!");
    let mut mina = talk.start(
        line(r"printf 'Mina\nfirst\nsecond\n' | nc 127.0.0.1 9090"),
        &[],
    );
    dado.expect("* Mina joined! In the room: Dado, Mina.\n");
    dado.expect(") Mina: first\n");
    dado.expect(") Mina: second\n");
    server.expect("Mina says first\n");
    server.expect("Mina says second\n");
    // nc keeps the connection open: Ctrl-C leaves.
    mina.interrupt();
    dado.expect("* Mina left!\n");
    dado.close_input();
    dado.wait_success();
    stop(&mut server);
}

#[test]
fn lab03_dialect_client_joins_document_001s_room() {
    let name = "lab03: the dialect client in document 001's room";
    if !seeds_present(name) {
        return;
    }
    let (talk, _turn) = scenario(name, &[55555]);
    crate::port_clear(&talk, 55555);
    let mut server = talk.start(
        line(r"PORT=55555 python3 ../shared/seeds/py/seed001_room/server.py"),
        &[],
    );
    // It prints nothing until someone connects.
    crate::listening(&talk, 55555);
    let mut alice = talk.start(
        line(r"cargo run -p lab03 -- client --dialect 001 --port 55555 --name alice"),
        &[],
    );
    // Document 001's room frames nothing: its two sends may arrive as one read.
    alice.expect("alice joined!");
    alice.expect("Connected to server!");
    server.expect("Nickname is alice\n");
    alice.send_line("hello");
    alice.expect("alice: hello");
    // The client leaves first, so that the server's port is not left closing.
    alice.close_input();
    alice.wait_success();
    server.expect("alice left!\n");
}

#[test]
fn hostile_document_000s_room_by_hand() {
    let name = "hostile: document 000's room, and nc";
    if !seeds_present(name) {
        return;
    }
    let (talk, _turn) = scenario(name, &[9999]);
    crate::needs(&talk, "nc", "netcat-openbsd");
    crate::port_clear(&talk, 9999);
    let mut server = talk.start(
        line(
            r"PORT=9999 python3 ../shared/seeds/py/seed000_room/server.py    # document 000's room",
        ),
        &[],
    );
    server.expect("server is running---\n");
    let mut member = talk.start(
        line(r"nc 127.0.0.1 9999                                              # a member, typed by hand"),
        &[],
    );
    member.expect("nick");
    member.send_line("mallory");
    member.expect("new subscribe is mallory");
    server.expect("name of client is mallory");
    member.send_line("hello");
    server.expect("says");
    member.interrupt();
}

pub fn lab05_four_lines() {
    let (talk, _turn) = scenario("lab05: running it", &[9090]);
    crate::needs(&talk, "nc", "netcat-openbsd");
    let mut server = talk.start(
        line(r"cargo run -p lab05 -- server                 # the room, on port 9090, as lab 03's"),
        &[],
    );
    server.expect("listening on 127.0.0.1:9090\n");
    let mut alice = talk.start(
        line(r"cargo run -p lab05 -- client --name alice    # lab 03's terminal client"),
        &[],
    );
    alice.expect("* Welcome, alice! In the room: alice. Type CLOSE to leave.\n");
    let mut raw = talk.start(
        line(r"nc 127.0.0.1 9090                            # or any raw TCP client"),
        &[],
    );
    raw.expect(PROMPT);
    raw.send_line("bob");
    raw.expect("* Welcome, bob! In the room: alice, bob. Type CLOSE to leave.\n");
    alice.expect("* bob joined! In the room: alice, bob.\n");
    raw.send_line("hi alice");
    alice.expect(") bob: hi alice\n");
    raw.send_line("CLOSE");
    alice.expect("* bob left!\n");
    alice.close_input();
    alice.wait_success();
    stop(&mut server);
    crate::build(
        &talk,
        r"cargo build --release -p lab05 -p bench      # for the figures below",
    );
}

pub fn lab05_try_this_a_member_that_stops_reading() {
    let (talk, _turn) = scenario("lab05: try this, a member that stops reading", &[9090]);
    crate::needs(&talk, "nc", "netcat-openbsd");
    let mut server = talk.start(
        line(r"cargo run -p lab05 -- server                 # terminal 1"),
        &[],
    );
    server.expect("listening on 127.0.0.1:9090\n");
    // Terminal 2 is an interactive shell: Ctrl-Z and `fg` are its job control.
    let mut shell = Terminal::start(&talk, Role::program("sh", "sh", &[]), &[], 100, 30);
    shell.type_text(
        r"nc 127.0.0.1 9090                            # terminal 2: answer the prompt with sleepy",
    );
    shell.press("Enter");
    shell.expect_screen("nick? (1 to 16 letters");
    shell.type_text("sleepy");
    shell.press("Enter");
    shell.expect_screen("* Welcome, sleepy!");
    server.expect("name of client is sleepy\n");
    shell.press("C-z");
    shell.expect_screen("Stopped");
    let mut bench = talk.start(
        line(r"cargo run --release -p bench -- -n 1 -m 100 --size 8000    # terminal 3"),
        &[],
    );
    let status = bench.wait_exit_within(Duration::from_secs(60));
    assert!(
        status.success(),
        "bench failed:\n{}\n{}",
        bench.transcript(),
        bench.stderr()
    );
    server.expect_within("sleepy dropped: stopped reading\n", Duration::from_secs(10));
    server.expect("sleepy left (connection lost)\n");
    shell.type_text("fg");
    shell.press("Enter");
    stop(&mut server);
}
