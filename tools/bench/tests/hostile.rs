//! The hostile measurements against stand-in rooms: `--slowloris` (silent connections, then
//! members from other addresses join, timed) and `--flood` (one member floods, another's latency).

mod standin;

use std::net::{IpAddr, Ipv4Addr};

use standin::{Admission, Fault, Room, bench, bench_failing};

#[test]
fn slowloris_holds_silent_connections_from_127_0_0_1_and_times_members_from_elsewhere() {
    let room = Room::start(Fault::None);
    let port = room.port.to_string();
    let figures = bench(&["--port", &port, "--slowloris", "50"]);
    figures.assert(&[
        ("silent_asked", 50),
        ("silent_opened", 50),
        ("silent_closed", 0),
        ("members", 5),
        ("joined", 5),
    ]);
    assert_ne!(figures.raw("member_join_max_ms"), "null");
    // Only the five members gave a name, each from its own address, none from 127.0.0.1.
    let members: Vec<IpAddr> = (1..=5)
        .map(|host| IpAddr::V4(Ipv4Addr::new(127, 1, 0, host)))
        .collect();
    assert_eq!(room.sources(), members);
}

#[test]
fn slowloris_counts_the_silent_connections_a_guarded_room_turns_away_and_why() {
    let room = Room::start_with(Fault::None, Admission::PerAddress(4));
    let port = room.port.to_string();
    let figures = bench(&["--port", &port, "--slowloris", "30"]);
    figures.assert(&[
        ("silent_opened", 30),
        ("silent_closed", 26),
        ("silent_told_why", 26),
        ("joined", 5),
    ]);
}

#[test]
fn slowloris_fails_the_room_when_the_silent_connections_lock_the_members_out() {
    // A room with 20 connections in all: the 20 silent ones fill it.
    let room = Room::start_with(Fault::None, Admission::AtMost(20));
    let port = room.port.to_string();
    let figures = bench_failing(&["--port", &port, "--slowloris", "20"]);
    figures.assert(&[("silent_opened", 20), ("joined", 0)]);
    assert_eq!(
        figures.stderr,
        "bench: the room failed this run: with 20 silent connections open from 127.0.0.1, 5 of \
         5 members from other addresses could not join (first: bench0 from 127.1.0.1: the \
         server closed the connection)\n"
    );
}

#[test]
fn flood_measures_the_steady_members_latency_while_the_other_floods() {
    let room = Room::start(Fault::None);
    let port = room.port.to_string();
    let figures = bench(&["--port", &port, "--flood", "-m", "10", "--rate", "50"]);
    figures.assert(&[
        ("steady_planned", 10),
        ("steady_sent", 10),
        ("steady_seen", 10),
        ("steady_lost", 0),
        ("steady_garbled", 0),
    ]);
    assert_eq!(figures.raw("flooder_dropped"), "false");
    assert_ne!(figures.raw("latency_p99_us"), "null");
    // The flood really flowed, through the room, to the other member.
    assert!(figures.number("flood_sent") > 10, "{}", figures.json);
    assert!(
        figures.number("flood_seen_by_steady") > 0,
        "{}",
        figures.json
    );
    assert!(room.counts().chat >= figures.number("flood_seen_by_steady"));
}

#[test]
fn flood_fails_the_room_when_the_steady_members_messages_do_not_come_back() {
    // A room that drops every chat message.
    let room = Room::start(Fault::Drop(1));
    let port = room.port.to_string();
    let figures = bench_failing(&[
        "--port",
        &port,
        "--flood",
        "-m",
        "10",
        "--rate",
        "50",
        "--idle-timeout",
        "0.5",
    ]);
    figures.assert(&[("steady_sent", 10), ("steady_seen", 0)]);
    assert_eq!(
        figures.stderr,
        "bench: the room failed this run: while one member flooded, 10 of the steady member's 10 \
         messages did not come back intact\n"
    );
}

#[test]
fn the_hostile_measurements_take_no_scenario() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(["--flood", "--kill", "30"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("measurements of their own"),
        "{output:?}"
    );
}

#[test]
fn slowloris_stops_opening_once_the_server_no_longer_answers() {
    // Nobody accepts: once the kernel's queue for this listener is full, connections go
    // unanswered, and each further try would wait its second.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let started = std::time::Instant::now();
    let figures = bench_failing(&[
        "--port",
        &port,
        "--slowloris",
        "5000",
        "--join-timeout",
        "0.3",
    ]);
    let opened = figures.number("silent_opened");
    assert!((1..5000).contains(&opened), "{}", figures.json);
    assert_eq!(figures.number("joined"), 0);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    drop(listener);
}
