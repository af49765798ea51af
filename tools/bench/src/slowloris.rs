//! `--slowloris N`: can idle connections keep a real member out (issue 11)?
//!
//! The attack: N connections from 127.0.0.1 that never send a name, held open. The measure:
//! then five members from other addresses (127.1.0.1 to 127.1.0.5) join one after the other,
//! each timed from its connection to its welcome. A guarded room turns most of the silent
//! connections away (with a `! ...` line) and lets the members in at once; an unguarded one
//! spends a thread on each, and may have no room left for the members at all.
//!
//! The silent connections stay open a second after the last member's join, so that whoever
//! watches the server (the figures script reads its threads and peak memory in /proc) sees it
//! while it holds them; then the bench looks at which of them the server has closed, and why.

use std::io::{self, Read};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use labkit::{Failure, Result};

use crate::cli::Args;
use crate::member;
use crate::report::{Outcome, duration, quoted};
use crate::{source, sys};

/// Members that join once the silent connections are open.
const MEMBERS: usize = 5;
/// How long the silent connections stay open after the last member joined.
const HOLD: Duration = Duration::from_secs(1);

pub fn run(args: &Args, server: SocketAddr, connections: u64) -> Result<Outcome> {
    if !matches!(server.ip(), IpAddr::V4(_)) {
        return Err(Failure::new(
            "--slowloris needs the server on IPv4 loopback (127.0.0.1): the members must come \
             from addresses other than the silent connections'",
        ));
    }
    let limit = sys::raise_open_file_limit().unwrap_or(1024);
    if connections + 64 > limit {
        return Err(Failure::new(format!(
            "--slowloris {connections} needs about {} open files but the system allows {limit}: \
             open fewer, or raise the hard limit (ulimit -Hn)",
            connections + 64
        )));
    }

    // The attack: connections that never say a word.
    let attacker = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let opening = Instant::now();
    let mut silent = Vec::with_capacity(connections as usize);
    let mut unopened = 0;
    let mut last_error = None;
    let deadline = opening + Duration::from_secs_f64(args.timeout);
    for _ in 0..connections {
        match source::connect(server, attacker, Duration::from_secs(1)) {
            Ok(stream) => silent.push(stream),
            Err(error) if silent.is_empty() && error.kind() == io::ErrorKind::ConnectionRefused => {
                return Err(Failure::new(format!(
                    "no server is listening on {server}: start it first, or check --port"
                )));
            }
            Err(error) => {
                unopened += 1;
                last_error = Some(labkit::error::explain(&error));
                // A connection that is not even answered: the server no longer accepts, and
                // each further try would wait its second too.
                if error.kind() == io::ErrorKind::TimedOut || Instant::now() >= deadline {
                    unopened = connections - silent.len() as u64;
                    break;
                }
            }
        }
    }
    let opened_in = opening.elapsed();

    // The measure: members from other addresses, one after the other.
    let patience = Duration::from_secs_f64(args.join_timeout);
    let mut took = Vec::new();
    let mut refusals = Vec::new();
    let mut members = Vec::new();
    for index in 0..MEMBERS {
        let from = IpAddr::V4(source::member_address(index));
        let name = format!("{}{index}", args.name_prefix);
        match member::join(server, Some(from), &name, args.preset, patience) {
            Ok(joined) => {
                took.push(joined.took);
                members.push(joined.stream);
            }
            Err(why) => refusals.push(format!("{name} from {from}: {why}")),
        }
    }
    thread::sleep(HOLD);

    // What became of the silent connections.
    let mut closed = 0;
    let mut told = 0;
    let mut reason = None;
    for stream in &silent {
        let (open, said) = look_at(stream);
        if !open {
            closed += 1;
        }
        if let Some(said) = said {
            told += 1;
            reason.get_or_insert(said);
        }
    }
    drop(members);
    drop(silent);

    took.sort();
    let median = took.get(took.len() / 2).copied();
    let slowest = took.last().copied();
    let millis = |value: Option<Duration>| {
        value.map_or("null".to_string(), |value| {
            format!("{:.3}", value.as_secs_f64() * 1000.0)
        })
    };
    let shown = |value: Option<Duration>| value.map_or("-".to_string(), duration);
    let opened = connections - unopened;
    let mut rows = vec![
        (
            "room server",
            format!("{server} (preset {})", args.preset.label()),
        ),
        (
            "silent connections",
            format!(
                "{opened} of {connections} opened from 127.0.0.1 in {}",
                duration(opened_in)
            ),
        ),
    ];
    if let Some(error) = &last_error {
        rows.push((
            "",
            format!("{unopened} were not opened (the last try: {error})"),
        ));
    }
    rows.push((
        "  closed by server",
        format!("{closed}, {told} of them told why with \"! ...\""),
    ));
    if let Some(reason) = &reason {
        rows.push(("  the server said", reason.clone()));
    }
    rows.push((
        "members joined",
        format!(
            "{} of {MEMBERS}, from 127.1.0.1 to 127.1.0.{MEMBERS}",
            took.len()
        ),
    ));
    rows.push(("  join time median", shown(median)));
    rows.push(("  join time max", shown(slowest)));
    for refusal in &refusals {
        rows.push(("  not joined", refusal.clone()));
    }
    let fields = vec![
        ("mode", quoted("slowloris")),
        ("preset", quoted(args.preset.label())),
        ("address", quoted(&server.to_string())),
        ("silent_asked", connections.to_string()),
        ("silent_opened", opened.to_string()),
        (
            "silent_open_ms",
            format!("{:.3}", opened_in.as_secs_f64() * 1000.0),
        ),
        ("silent_closed", closed.to_string()),
        ("silent_told_why", told.to_string()),
        ("members", MEMBERS.to_string()),
        ("joined", took.len().to_string()),
        ("member_join_median_ms", millis(median)),
        ("member_join_max_ms", millis(slowest)),
    ];
    let failure = (!refusals.is_empty()).then(|| {
        format!(
            "the room failed this run: with {opened} silent connections open from 127.0.0.1, {} \
             of {MEMBERS} members from other addresses could not join (first: {})",
            refusals.len(),
            refusals[0]
        )
    });
    Ok(Outcome {
        rows,
        fields,
        failure,
    })
}

/// Is the silent connection still open, and did the server say why it closed it?
fn look_at(stream: &TcpStream) -> (bool, Option<String>) {
    if stream.set_nonblocking(true).is_err() {
        return (false, None);
    }
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    let open = loop {
        match (&*stream).read(&mut buffer) {
            Ok(0) => break false,
            Ok(read) => seen.extend_from_slice(&buffer[..read]),
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => break true,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break false,
        }
    };
    (open, member::first_reason(&seen))
}
