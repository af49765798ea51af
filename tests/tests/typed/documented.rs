//! Lab 03's "Watch it on your machine" blocks: each documented design (the example
//! `documented`), then what the chapter does to it (the bench, or nc), and the list of the four
//! designs with their ports.

use std::time::Duration;

use crate::{line, scenario};
use harness::{Conversation, Process};

/// Starts a documented design and waits until it listens on `port`.
fn design(talk: &Conversation, printed: &str, port: u16) -> Process {
    let mut server = talk.start(crate::line(printed), &[]);
    server.expect(&format!("listening on 127.0.0.1:{port}: document "));
    server
}

/// Runs a bench line to its end and returns its report (stdout and stderr: its verdict is a
/// sentence on stderr when the room failed the run).
fn bench(talk: &Conversation, printed: &str) -> (bool, String) {
    let mut bench = talk.start(line(printed), &[]);
    let status = bench.wait_exit_within(Duration::from_secs(60));
    let report = format!("{}{}", bench.transcript(), bench.stderr());
    assert!(
        report.contains("deliveries expected") || report.contains("members joined"),
        "bench printed no report:\n{report}"
    );
    (status.success(), report)
}

pub fn defect_1_document_000_garbles_under_load() {
    let (talk, _turn) = scenario("lab03: watch defect 1 (document 000's design)", &[8080]);
    let _server = design(
        &talk,
        r"cargo run -p lab03 --example documented -- --as 000",
        8080,
    );
    let (_, report) = bench(
        &talk,
        r"cargo run --release -p bench -- --preset seed000 -n 20 -m 300 --size 100",
    );
    // How many are garbled depends on timing (some runs none): the count is shown.
    assert!(report.contains("deliveries expected   120000"), "{report}");
    assert!(report.contains("garbled"), "{report}");
}

pub fn defect_2_a_non_reader_stalls_document_003() {
    let (talk, _turn) = scenario("lab03: watch defect 2 (document 003's design)", &[9090]);
    let _server = design(
        &talk,
        r"cargo run -p lab03 --example documented -- --as 003",
        9090,
    );
    let (passed, report) = bench(
        &talk,
        r"cargo run --release -p bench -- --preset seed003 -n 5 -m 800 --size 1500 --rate 800 --non-reader",
    );
    assert!(!passed, "document 003's design did not stall:\n{report}");
    assert!(
        report.contains("expected deliveries never arrived"),
        "{report}"
    );
}

#[test]
fn defect_4_document_001_believes_the_prefix() {
    let (talk, _turn) = scenario("lab03: watch defect 4 (document 001's design)", &[55555]);
    crate::needs(&talk, "nc", "netcat-openbsd");
    let mut server = design(
        &talk,
        r"cargo run -p lab03 --example documented -- --as 001",
        55555,
    );
    let mut mallory = talk.start(
        line(r"nc 127.0.0.1 55555          # type: mallory, then: bob: I never said this"),
        &[],
    );
    // Document 001's clients send their name unasked.
    mallory.send_line("mallory");
    mallory.expect("Connected to server!");
    server.expect("Nickname is mallory");
    mallory.send_line("bob: I never said this");
    // Relayed as it came, to every member: the name typed in front is believed.
    mallory.expect("bob: I never said this\n");
    mallory.interrupt();
}

#[test]
fn defect_5_document_002_goes_silent_when_members_vanish() {
    let (talk, _turn) = scenario("lab03: watch defect 5 (document 002's design)", &[33000]);
    crate::port_clear(&talk, 33000);
    let _server = design(
        &talk,
        r"cargo run -p lab03 --example documented -- --as 002",
        33000,
    );
    let (passed, report) = bench(
        &talk,
        r"cargo run --release -p bench -- --preset seed002 -n 5 -m 200 --kill 40",
    );
    assert!(
        report.contains("killed                2 members"),
        "{report}"
    );
    // How many of the 1,800 are lost depends on timing (36, 894 and all in three runs).
    assert!(!passed || report.contains("lost"), "{report}");
}

pub fn defect_6_a_silent_newcomer_keeps_everyone_out_of_document_000() {
    let (talk, _turn) = scenario("lab03: watch defect 6 (document 000's design)", &[8080]);
    let _server = design(
        &talk,
        r"cargo run -p lab03 --example documented -- --as 000",
        8080,
    );
    let (passed, report) = bench(
        &talk,
        r"cargo run --release -p bench -- --preset seed000 --slowloris 1 --join-timeout 1",
    );
    assert!(!passed, "{report}");
    assert!(
        report.contains("5 of 5 members from other addresses could not join"),
        "{report}"
    );
}

pub fn the_four_documented_designs_listen_where_the_chapter_says() {
    let (talk, _turn) = scenario(
        "lab03: the documents' rooms, runnable",
        &[8080, 55555, 33000, 9090],
    );
    crate::port_clear(&talk, 33000);
    design(
        &talk,
        r"cargo run -p lab03 --example documented -- --as 000",
        8080,
    );
    design(
        &talk,
        r"cargo run -p lab03 --example documented -- --as 001",
        55555,
    );
    design(
        &talk,
        r"cargo run -p lab03 --example documented -- --as 002",
        33000,
    );
    design(
        &talk,
        r"cargo run -p lab03 --example documented -- --as 003",
        9090,
    );
}

pub fn defect_3_document_000s_lists_keep_members_who_left() {
    let name = "lab03: watch defect 3 (document 000's own room)";
    if !crate::seeds_present(name) {
        return;
    }
    let (talk, _turn) = scenario(name, &[9090]);
    crate::needs(&talk, "nc", "netcat-openbsd");
    crate::port_clear(&talk, 9090);
    let mut room = talk.start(
        line(r"PORT=9090 python3 ../shared/seeds/py/seed000_room/server.py"),
        &[],
    );
    room.expect("server is running---\n");
    let (_, report) = bench(
        &talk,
        r"cargo run --release -p bench -- --preset seed000 --port 9090 -n 40 -m 2 --kill 100",
    );
    assert!(
        report.contains("killed                40 members"),
        "{report}"
    );
    // As a reader watches terminal 1: the newcomer joins once the room has printed its 40
    // leaves. Bench's end does not mean the room has dealt with them; on a busy machine a
    // newcomer that joined before (one clean-clone run, 3 December) got six leave notices and
    // no welcome. The room's threads print a line's text and its line end apart, so two leaves
    // can share a line: each one is counted, not each line.
    for _ in 0..40 {
        room.expect("left the conversation!!!!");
    }
    let mut newcomer = talk.start(line(r"nc 127.0.0.1 9090"), &[]);
    newcomer.expect("nick");
    newcomer.send_line("newcomer");
    // The member list it is welcomed with still names members who left: how many depends on
    // timing (38 of the 40 in one run), that some do is the defect.
    let welcome = newcomer.expect("join to conversation room @@@ the subscribes[");
    let list = newcomer.expect("]\n");
    assert!(list.contains("'bench"), "{welcome}{list}");
    assert!(
        room.stderr().contains("BrokenPipeError"),
        "{}",
        room.stderr()
    );
    newcomer.interrupt();
    // Ctrl-C ends only the accept loop; Ctrl-\ (SIGQUIT) ends the program.
    room.interrupt();
    room.expect_stderr("KeyboardInterrupt");
    room.send_signal("QUIT");
    room.wait_exit();
}
