//! The bench's figures are exact: against stand-in rooms that lose, mangle or double a known
//! number of messages, it reports exactly that number, and nothing else.

mod standin;

use standin::{Fault, Room, UnframedRoom, bench, bench_failing};

const MEMBERS: u64 = 10;
const MESSAGES: u64 = 50;
/// Every message goes to every member, the sender included.
const DELIVERIES: u64 = MEMBERS * MEMBERS * MESSAGES;

/// A faulty room fails the run, with the count of its faults in the sentence.
fn run_against(room: &Room) -> standin::Figures {
    let port = room.port.to_string();
    standin::run_bench(&[
        "--port",
        &port,
        "-n",
        "10",
        "-m",
        "50",
        "--idle-timeout",
        "1",
    ])
}

#[test]
fn an_honest_room_loses_nothing() {
    let room = Room::start(Fault::None);
    let figures = run_against(&room);
    figures.assert(&[
        ("joined", MEMBERS),
        ("messages_sent", MEMBERS * MESSAGES),
        ("expected", DELIVERIES),
        ("seen", DELIVERIES),
        ("lost", 0),
        ("garbled", 0),
        ("duplicated", 0),
        ("unreadable", 0),
    ]);
    assert!(figures.passed);
    assert_eq!(figures.raw("ended"), "\"complete\"");
    assert_ne!(figures.raw("latency_p50_us"), "null");
    assert_eq!(room.counts().chat, MEMBERS * MESSAGES);
    // The bench says how busy its busiest reader was: some of the run, never more than all.
    let busy: f64 = figures.raw("reader_busy_percent").parse().unwrap();
    assert!(busy > 0.0 && busy <= 100.0, "reader busy {busy} %");
}

#[test]
fn a_room_that_drops_every_seventh_message_loses_exactly_those() {
    let room = Room::start(Fault::Drop(7));
    let figures = run_against(&room);
    // 500 messages, of which 71 dropped, each missing at all 10 members.
    let lost = (MEMBERS * MESSAGES / 7) * MEMBERS;
    figures.assert(&[
        ("expected", DELIVERIES),
        ("seen", DELIVERIES - lost),
        ("lost", lost),
        ("garbled", 0),
        ("duplicated", 0),
    ]);
    assert_eq!(figures.raw("ended"), "\"idle\"");
    assert_eq!(
        figures.stderr,
        format!(
            "bench: the room failed this run: {lost} of {DELIVERIES} expected deliveries never arrived\n"
        )
    );
}

#[test]
fn a_room_that_mangles_every_ninth_message_garbles_exactly_those() {
    let room = Room::start(Fault::Mangle(9));
    let figures = run_against(&room);
    let garbled = (MEMBERS * MESSAGES / 9) * MEMBERS;
    figures.assert(&[
        ("expected", DELIVERIES),
        ("seen", DELIVERIES - garbled),
        ("lost", 0),
        ("garbled", garbled),
        ("duplicated", 0),
        ("unreadable", 0),
    ]);
    // A mangled message still says whose it was: every delivery is accounted for, and the run
    // fails all the same.
    assert_eq!(figures.raw("ended"), "\"complete\"");
    assert_eq!(
        figures.stderr,
        format!("bench: the room failed this run: {garbled} arrived garbled\n")
    );
}

#[test]
fn a_room_that_doubles_every_eleventh_message_duplicates_exactly_those() {
    let room = Room::start(Fault::Double(11));
    let figures = run_against(&room);
    figures.assert(&[
        ("seen", DELIVERIES),
        ("lost", 0),
        ("garbled", 0),
        ("duplicated", (MEMBERS * MESSAGES / 11) * MEMBERS),
    ]);
    assert!(!figures.passed);
    assert!(
        figures.stderr.contains("450 arrived twice"),
        "{}",
        figures.stderr
    );
}

// Document 002's way: each 1024-byte chunk is broadcast behind "NAME: ". With messages of 100
// bytes, 256 messages are 25 whole chunks, and the chunk ends at 1024, 2048, ... 24576 each fall
// inside a message (1024 k is never a multiple of 100 for k < 25): 24 messages per sender are cut
// in two, and the second half arrives behind the sender's name.
const CUT_PER_SENDER: u64 = 24;

#[test]
fn an_unframed_room_garbles_exactly_the_messages_cut_by_its_chunks() {
    let room = UnframedRoom::start();
    let port = room.port.to_string();
    let figures = bench_failing(&[
        "--preset", "seed002", "--port", &port, "-n", "1", "-m", "256", "--size", "100",
    ]);
    figures.assert(&[
        ("joined", 1),
        ("expected", 256),
        ("seen", 256 - CUT_PER_SENDER),
        ("garbled", CUT_PER_SENDER),
        ("lost", 0),
        ("duplicated", 0),
        ("unreadable", 0),
    ]);
}

#[test]
fn with_many_senders_the_cut_messages_are_exactly_the_ones_not_seen() {
    // Halves of different senders' messages now interleave: a cut message is sometimes still
    // named (garbled), sometimes not (lost), but never seen, and every other one is seen intact.
    let room = UnframedRoom::start();
    let port = room.port.to_string();
    let figures = bench_failing(&[
        "--preset",
        "seed002",
        "--port",
        &port,
        "-n",
        "8",
        "-m",
        "256",
        "--size",
        "100",
        "--idle-timeout",
        "1",
    ]);
    let deliveries = 8 * 8 * 256;
    let cut = 8 * 8 * CUT_PER_SENDER;
    figures.assert(&[
        ("expected", deliveries),
        ("seen", deliveries - cut),
        ("duplicated", 0),
    ]);
    assert_eq!(
        figures.number("lost") + figures.number("garbled"),
        cut,
        "{}",
        figures.json
    );
}

#[test]
fn with_no_messages_the_run_only_joins() {
    let room = Room::start(Fault::None);
    let port = room.port.to_string();
    let figures = bench(&["--port", &port, "-n", "30", "-m", "0"]);
    figures.assert(&[("joined", 30), ("messages_sent", 0), ("expected", 0)]);
    assert_eq!(figures.raw("ended"), "\"complete\"");
    assert_eq!(room.counts().joined, 30);
}

#[test]
fn several_readers_and_senders_count_the_same() {
    let room = Room::start(Fault::Drop(13));
    let port = room.port.to_string();
    let figures = bench_failing(&[
        "--port",
        &port,
        "-n",
        "10",
        "-m",
        "50",
        "--readers",
        "3",
        "--senders",
        "2",
        "--idle-timeout",
        "1",
    ]);
    let lost = (MEMBERS * MESSAGES / 13) * MEMBERS;
    figures.assert(&[
        ("joined", MEMBERS),
        ("expected", DELIVERIES),
        ("seen", DELIVERIES - lost),
        ("lost", lost),
        ("garbled", 0),
        ("duplicated", 0),
    ]);
}

#[test]
fn with_talkers_only_they_send_and_everyone_counts_their_messages() {
    let room = Room::start(Fault::None);
    let port = room.port.to_string();
    let figures = bench(&["--port", &port, "-n", "10", "-m", "50", "--talkers", "3"]);
    figures.assert(&[
        ("joined", MEMBERS),
        ("messages_sent", 3 * MESSAGES),
        ("expected", MEMBERS * 3 * MESSAGES),
        ("seen", MEMBERS * 3 * MESSAGES),
        ("lost", 0),
    ]);
    assert_eq!(room.counts().chat, 3 * MESSAGES);
}
