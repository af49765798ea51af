//! Lab 02's three defects, watched as its chapter shows them (a script plays Honen), and the
//! hostile chapter's probe of document 000's one-on-one server.

use crate::{line, port_clear, scenario, seeds_present};
use harness::{Conversation, Process};

/// The lab's server, started as the defects' blocks print it: the reader types Deemah.
fn deemah(talk: &Conversation, printed: &str) -> Process {
    let mut server = talk.start(line(printed), &[]);
    server.expect("Enter your name: ");
    server.send_line("Deemah");
    server.expect("Waiting for incoming connections...\n");
    server
}

pub fn defect_1_a_long_message_is_cut_at_1024_bytes() {
    let (talk, _turn) = scenario("lab02: watch a long message cut in two", &[8080]);
    let mut server = deemah(&talk, r"cargo run -p lab02 -- server");
    let mut honen = talk.start(
        line(r"printf '\nHonen\n%01496d end\nbye\n' 0 | cargo run -p lab02 -- client"),
        &[],
    );
    // A person types Hi after Honen's client has read her name: typed at once, the two would
    // arrive as one (the chapter's third defect).
    honen.expect("Deemah has joined the chat app\n");
    server.expect("Me : ");
    server.send_line("Hi");
    honen.expect("Deemah : Hi\n");
    // The first 1024 bytes, all zeros, as his message.
    server.expect(&format!("Honen : {}\n", "0".repeat(1024)));
    server.expect("Me : ");
    server.send_line("ok");
    // At once, the other 472 zeros and " end", although he has sent nothing since.
    // (Glued to `bye` once in a while, sent by his client as soon as it has read `ok`.)
    server.expect(&format!("Honen : {} end", "0".repeat(472)));
    server.expect("Me : ");
    server.send_line("[e]");
    server.wait_success();
    honen.wait_exit();
}

pub fn defect_2_a_character_is_cut_in_two() {
    let (talk, _turn) = scenario("lab02: watch a character cut in two", &[8080]);
    let mut server = deemah(&talk, r"cargo run -p lab02 -- server");
    let feed = r"printf '\nHonen\n%01023dمرحبا\nbye\n' 0 | cargo run -p lab02 -- client";
    let mut honen = talk.start(line(feed), &[]);
    // A person types Hi after Honen's client has read her name: typed at once, the two would
    // arrive as one (the chapter's third defect).
    honen.expect("Deemah has joined the chat app\n");
    server.expect("Me : ");
    server.send_line("Hi");
    honen.expect("Deemah : Hi\n");
    server.expect(&format!("Honen : {}\u{FFFD}\n", "0".repeat(1023)));
    server.expect("Me : ");
    server.send_line("?");
    // (Honen's client sends its next line, `bye`, as soon as it has read `?`: once in a while
    // the same read returns it too, glued on.)
    server.expect("Honen : \u{FFFD}رحبا");
    server.expect("Me : ");
    server.send_line("[e]");
    server.wait_success();
    // Honen's `bye` is never read: his client may see the connection reset before the leave.
    honen.wait_exit();
    drop(server);
    drop(honen);

    if !seeds_present("lab02: the document's server meets a cut character") {
        return;
    }
    // The document's own server, in terminal 1 instead, meets the same bytes.
    port_clear(&talk, 8080);
    let mut server = deemah(
        &talk,
        r"python3 ../shared/seeds/py/seed000_one_to_one/server.py",
    );
    let mut honen = talk.start(line(feed), &[]);
    // A person types Hi after Honen's client has read her name: typed at once, the two would
    // arrive as one (the chapter's third defect).
    honen.expect("Deemah has joined the chat app\n");
    server.expect("Me : ");
    server.send_line("Hi");
    server.wait_exit();
    let traceback = server.stderr();
    assert!(
        traceback.contains(
            "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xd9 in position 1023: \
             unexpected end of data"
        ),
        "{traceback}"
    );
    let said = honen.wait_failure();
    assert!(
        said.contains("lab02: lost the connection to Deemah: the connection was reset"),
        "{said}"
    );
}

pub fn defect_3_two_quick_messages_arrive_as_one() {
    let (talk, _turn) = scenario("lab02: watch two quick messages arrive as one", &[8080]);
    let mut server = deemah(&talk, r#"cargo run -p lab02 -- server"#);
    let mut honen = talk.start(
        line(r#"python3 -c "import socket; s = socket.create_connection(('127.0.0.1', 8080)); s.send(b'Honen'); s.recv(1024); s.send(b'Are you there?'); s.send(b'Hello?'); print('sent twice', flush=True); print(s.recv(1024), s.recv(1024))""#),
        &[],
    );
    honen.expect("sent twice\n");
    server.expect("Me : ");
    server.send_line("Hi");
    server.expect("Honen : Are you there?Hello?\n");
    server.expect("Me : ");
    server.send_line("[e]");
    // What Python received: `b'Hi' b'Left chat app!'` when [e] is typed after its first read,
    // as a person types; typed at once, the two sends may arrive as one read, the defect again.
    let received = honen.expect_line();
    assert!(
        received == "b'Hi' b'Left chat app!'" || received == "b'HiLeft chat app!' b''",
        "{received}"
    );
    honen.wait_success();
    server.wait_success();
}

pub fn hostile_a_probe_takes_document_000s_one_on_one_server() {
    let name = "hostile: a probe against document 000's one-on-one server";
    if !seeds_present(name) {
        return;
    }
    let (talk, _turn) = scenario(name, &[8080]);
    crate::needs(&talk, "nc", "netcat-openbsd");
    port_clear(&talk, 8080);
    let mut server = deemah(
        &talk,
        r"python3 ../shared/seeds/py/seed000_one_to_one/server.py",
    );
    let mut probe = talk.start(line(r"nc -z 127.0.0.1 8080"), &[]);
    probe.wait_success();
    server.expect(" has connected to the chat app\n");
    server.expect("Me : ");
    server.send_line("Hi");
    server.wait_exit();
    let traceback = server.stderr();
    assert!(
        traceback.contains("BrokenPipeError: [Errno 32] Broken pipe"),
        "{traceback}"
    );
}
