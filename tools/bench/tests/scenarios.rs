//! Each scenario flag against the honest stand-in room: the scenario happens (the room sees it),
//! and the figures stay exact for the members that are counted.

mod standin;

use standin::{Fault, Room, bench};

#[test]
fn kill_closes_a_share_of_the_members_abruptly_half_way() {
    let room = Room::start(Fault::None);
    let port = room.port.to_string();
    let figures = bench(&["--port", &port, "-n", "10", "-m", "40", "--kill", "30"]);
    // Members 0, 1, 2 send 20 messages then die; the 7 others send 40 each and receive every
    // message of the 7. The 60 messages of the dead are counted apart: the reset may destroy
    // some before the room reads them.
    figures.assert(&[
        ("killed", 3),
        ("counted_members", 7),
        ("messages_sent", 3 * 20 + 7 * 40),
        ("killed_messages_sent", 3 * 20),
        ("expected", 7 * 7 * 40),
        ("seen", 7 * 7 * 40),
        ("lost", 0),
        ("garbled", 0),
    ]);
    // The room saw the three doomed members go half way: each had said at most its 20 lines
    // (the reset may destroy some before the room reads them), each of the others all its 40.
    // Counted, not ordered: the order of the leaves proves nothing, because on a busy machine
    // the room may notice the three only once the others have finished (one clean-clone run,
    // 3 December, saw them 6th, 7th and 9th of 10). (Whether it saw a reset or an end of
    // stream depends on which of its threads touched the socket first: a reset is reported
    // once, and a broadcast write may be the one to get it.)
    let leaves = room.wait_for_leaves(10);
    let doomed = ["bench0", "bench1", "bench2"];
    for (name, _, said) in &leaves {
        if doomed.contains(&name.as_str()) {
            assert!(*said <= 20, "{name} said {said} lines: {leaves:?}");
        } else {
            assert_eq!(*said, 40, "{name}: {leaves:?}");
        }
    }
    let doomed_left = leaves
        .iter()
        .filter(|(name, _, _)| doomed.contains(&name.as_str()))
        .count();
    assert_eq!(doomed_left, 3, "{leaves:?}");
}

#[test]
fn non_reader_joins_and_the_others_still_get_everything() {
    let room = Room::start(Fault::None);
    let port = room.port.to_string();
    let figures = bench(&["--port", &port, "-n", "10", "-m", "50", "--non-reader"]);
    assert_eq!(figures.raw("non_reader_joined"), "true", "{}", figures.json);
    figures.assert(&[
        ("joined", 10),
        ("messages_sent", 500),
        ("expected", 5000),
        ("seen", 5000),
        ("lost", 0),
    ]);
    // Eleven joined the room: the ten members and the one that never reads.
    assert_eq!(room.counts().joined, 11);
}

#[test]
fn connect_burst_brings_many_clients_at_once_mid_run() {
    let room = Room::start(Fault::None);
    let port = room.port.to_string();
    let figures = bench(&[
        "--port",
        &port,
        "-n",
        "5",
        "-m",
        "200",
        "--connect-burst",
        "40",
    ]);
    figures.assert(&[
        ("burst_connected", 40),
        ("burst_joined", 40),
        ("expected", 5 * 1000),
        ("seen", 5 * 1000),
        ("lost", 0),
    ]);
    assert_eq!(room.counts().joined, 45);
}

#[test]
fn bad_input_is_mixed_into_the_traffic_and_refused_by_the_room() {
    let room = Room::start(Fault::None);
    let port = room.port.to_string();
    let figures = bench(&["--port", &port, "-n", "4", "-m", "30", "--bad-input", "5"]);
    // After messages 5, 10, ... 30: six bad lines per member, by turns too long, not UTF-8,
    // empty; the room must refuse the four that are not empty.
    figures.assert(&[
        ("bad_sent", 24),
        ("bad_refusable", 16),
        ("error_replies", 16),
        ("expected", 4 * 120),
        ("seen", 4 * 120),
        ("lost", 0),
        ("unreadable", 0),
    ]);
    let counts = room.counts();
    assert_eq!((counts.chat, counts.refused, counts.empty), (120, 16, 8));
}

#[test]
fn spread_staggers_the_members_and_counts_as_exactly() {
    let room = Room::start(Fault::None);
    let port = room.port.to_string();
    let args = ["--port", &port, "-n", "5", "-m", "10", "--rate", "100"];
    let figures = bench(&[&args[..], &["--spread"]].concat());
    assert_eq!(figures.raw("spread"), "true", "{}", figures.json);
    figures.assert(&[
        ("joined", 5),
        ("messages_sent", 50),
        ("expected", 250),
        ("seen", 250),
        ("lost", 0),
        ("garbled", 0),
    ]);
    // Without a rate there is no period to spread over: the flag is refused.
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(["--port", &port, "--spread"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--rate"));
}
