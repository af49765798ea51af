//! Joining: a run where some members never got in fails, whatever the figures of the others
//! say, and the members spread over many loopback addresses so that a room's limit per address
//! does not turn them away.

mod standin;

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};

use standin::{Admission, Fault, Room, bench, bench_failing};

#[test]
fn members_the_room_refuses_fail_the_run_though_the_others_got_everything() {
    // Connections 3, 6 and 9 are refused; the 7 others exchange every message.
    let room = Room::start_with(Fault::None, Admission::RefuseEvery(3));
    let port = room.port.to_string();
    let figures = bench_failing(&["--port", &port, "-n", "10", "-m", "20"]);
    figures.assert(&[
        ("joined", 7),
        ("join_failed", 3),
        ("expected", 7 * 7 * 20),
        ("seen", 7 * 7 * 20),
        ("lost", 0),
    ]);
    assert_eq!(figures.raw("ended"), "\"complete\"");
    assert_eq!(
        figures.stderr,
        "bench: the room failed this run: 3 of 10 members never joined (3 refused or closed by \
         the server); the figures above count only the members that joined\n"
    );
}

#[test]
fn each_member_connects_from_a_loopback_address_of_its_own() {
    let room = Room::start(Fault::None);
    let port = room.port.to_string();
    bench(&["--port", &port, "-n", "20", "-m", "2"]);
    let sources: HashSet<IpAddr> = room.sources().into_iter().collect();
    assert_eq!(sources.len(), 20, "{sources:?}");
    assert!(
        sources
            .iter()
            .all(|ip| ip.is_loopback() && *ip != IpAddr::V4(Ipv4Addr::LOCALHOST)),
        "{sources:?}"
    );
}

#[test]
fn single_source_connects_every_member_from_127_0_0_1() {
    let room = Room::start(Fault::None);
    let port = room.port.to_string();
    bench(&["--port", &port, "-n", "5", "-m", "2", "--single-source"]);
    assert_eq!(room.sources(), vec![IpAddr::V4(Ipv4Addr::LOCALHOST); 5]);
}

#[test]
fn a_room_that_limits_connections_per_address_still_gets_every_member() {
    let room = Room::start_with(Fault::None, Admission::PerAddress(4));
    let port = room.port.to_string();
    let figures = bench(&["--port", &port, "-n", "50", "-m", "4"]);
    figures.assert(&[("joined", 50), ("seen", 50 * 50 * 4), ("lost", 0)]);
    // From one address the same room takes 4 and turns the 46 others away.
    let room = Room::start_with(Fault::None, Admission::PerAddress(4));
    let port = room.port.to_string();
    let figures = bench_failing(&["--port", &port, "-n", "50", "-m", "4", "--single-source"]);
    figures.assert(&[("joined", 4), ("join_failed", 46)]);
    assert!(
        figures.stderr.contains("46 of 50 members never joined"),
        "{}",
        figures.stderr
    );
}
