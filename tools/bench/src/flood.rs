//! `--flood`: can one member who sends as fast as it can slow everyone else down (issue 11)?
//!
//! Two members: the flooder (member 0, from 127.1.0.1) writes messages as fast as the server
//! takes them and reads everything it is sent, so the room has no reason to drop it for not
//! reading; the steady member (member 1, from 127.1.0.2) sends `--messages` messages at
//! `--rate` (20 per second unless told) and reads. The figure is the steady member's latency:
//! from writing each of its messages to receiving it back from the room, behind whatever of the
//! flood the room queued before it. Its messages must all arrive, intact.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::thread;
use std::time::{Duration, Instant};

use labkit::{Failure, Result};

use crate::cli::Args;
use crate::hist::Histogram;
use crate::member;
use crate::payload::{self, Piece, Rules};
use crate::report::{Outcome, latency, micros, quoted};
use crate::{source, sys};

const FLOODER: u64 = 0;
const STEADY: u64 = 1;
/// Messages the flooder writes per system call.
const BATCH: usize = 64;
/// How long a read or write waits before it looks whether the run is over.
const TICK: Duration = Duration::from_millis(20);

/// What the threads share.
struct Flood {
    start: Instant,
    stop: AtomicBool,
    /// Messages the flooder wrote completely.
    flood_sent: AtomicU64,
}

impl Flood {
    fn now_ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }
}

/// What the steady member's reader found.
#[derive(Default)]
struct Heard {
    latency: Histogram,
    /// Which of its own messages came back intact.
    own: Vec<bool>,
    garbled: u64,
    flood_seen: u64,
    dropped: bool,
}

impl Heard {
    /// Its own message `number` came back after `nanos`: 1 the first time, 0 for a copy.
    fn came_back(&mut self, number: u64, nanos: u64) -> u64 {
        if std::mem::replace(&mut self.own[number as usize], true) {
            return 0;
        }
        self.latency.record(nanos);
        1
    }
}

pub fn run(args: &Args, server: SocketAddr) -> Result<Outcome> {
    let rate = args.rate.unwrap_or(20.0);
    let messages = args.messages;
    let spread = matches!(server.ip(), IpAddr::V4(ip) if ip.is_loopback()) && !args.single_source;
    let from = |index: usize| spread.then(|| IpAddr::V4(source::member_address(index)));
    let patience = Duration::from_secs_f64(args.join_timeout);
    let join = |index: usize| {
        let name = format!("{}{index}", args.name_prefix);
        member::join(server, from(index), &name, args.preset, patience).map_err(|why| {
            Failure::new(format!(
                "{name} could not join, so nothing was measured: {why}"
            ))
        })
    };
    let flooder = join(FLOODER as usize)?;
    let steady = join(STEADY as usize)?;

    let shared = Arc::new(Flood {
        start: Instant::now(),
        stop: AtomicBool::new(false),
        flood_sent: AtomicU64::new(0),
    });
    let prefix = args.name_prefix.clone();
    let flood_dropped = Arc::new(AtomicBool::new(false));
    let flood_reason = {
        let (stream, rest) = (clone(&flooder.stream)?, flooder.rest);
        let (shared, dropped) = (shared.clone(), flood_dropped.clone());
        thread::spawn(move || drain(&stream, rest, &shared, &dropped))
    };
    let flood_writer = {
        let (stream, shared, size) = (clone(&flooder.stream)?, shared.clone(), args.size);
        thread::spawn(move || flood(&stream, &shared, size))
    };
    let hearing = {
        let (stream, rest, shared) = (clone(&steady.stream)?, steady.rest, shared.clone());
        thread::spawn(move || listen(&stream, rest, &shared, messages, prefix.as_bytes()))
    };

    // The steady member, on this thread: one message every 1/rate seconds.
    let mut line = Vec::new();
    let mut steady_sent = 0;
    let write_patience = Duration::from_secs_f64(args.idle_timeout);
    steady
        .stream
        .set_write_timeout(Some(write_patience))
        .map_err(|error| {
            Failure::new(format!(
                "cannot set up member 1: {}",
                labkit::error::explain(&error)
            ))
        })?;
    for number in 0..messages {
        let due = shared.start + Duration::from_secs_f64(number as f64 / rate);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            thread::sleep(wait);
        }
        payload::encode(&mut line, STEADY, number, shared.now_ns(), args.size);
        if (&steady.stream).write_all(&line).is_err() {
            break;
        }
        steady_sent += 1;
    }
    // Its last messages may still be behind the flood: the reader waits for them, up to
    // --idle-timeout after the last send.
    let last_send = Instant::now();
    while !hearing.is_finished() && last_send.elapsed() < write_patience {
        thread::sleep(Duration::from_millis(5));
    }
    shared.stop.store(true, Relaxed);
    let flooding_took = shared.start.elapsed();
    let _ = steady.stream.shutdown(std::net::Shutdown::Both);
    let _ = flooder.stream.shutdown(std::net::Shutdown::Both);
    let heard = hearing
        .join()
        .map_err(|_| Failure::new("the steady member's reader failed"))?;
    let _ = flood_writer.join();
    let flood_reason = flood_reason.join().ok().flatten();

    let flood_sent = shared.flood_sent.load(Relaxed);
    let own_seen = heard.own.iter().filter(|&&seen| seen).count() as u64;
    let lost = steady_sent - own_seen - heard.garbled.min(steady_sent - own_seen);
    let flood_rate = flood_sent as f64 / flooding_took.as_secs_f64().max(1e-9);
    let flooder_dropped = flood_dropped.load(Relaxed);
    let mut rows = vec![
        (
            "room server",
            format!("{server} (preset {})", args.preset.label()),
        ),
        (
            "flooder",
            format!(
                "{flood_sent} messages sent ({flood_rate:.0} per second), {} reached the other member",
                heard.flood_seen
            ),
        ),
        (
            "  dropped by server",
            if flooder_dropped { "yes" } else { "no" }.to_string(),
        ),
    ];
    if let Some(reason) = &flood_reason {
        rows.push(("  the server said", reason.clone()));
    }
    rows.extend([
        (
            "steady member",
            format!("{steady_sent} of {messages} messages sent at {rate} per second"),
        ),
        (
            "  came back",
            format!("{own_seen} intact, {} garbled, {lost} lost", heard.garbled),
        ),
        ("  latency p50", latency(heard.latency.quantile(0.5))),
        ("  latency p99", latency(heard.latency.quantile(0.99))),
        ("  latency max", latency(heard.latency.max())),
    ]);
    let fields = vec![
        ("mode", quoted("flood")),
        ("preset", quoted(args.preset.label())),
        ("address", quoted(&server.to_string())),
        ("flood_sent", flood_sent.to_string()),
        ("flood_per_second", format!("{flood_rate:.0}")),
        ("flood_seen_by_steady", heard.flood_seen.to_string()),
        ("flooder_dropped", flooder_dropped.to_string()),
        ("rate", rate.to_string()),
        ("steady_planned", messages.to_string()),
        ("steady_sent", steady_sent.to_string()),
        ("steady_seen", own_seen.to_string()),
        ("steady_garbled", heard.garbled.to_string()),
        ("steady_lost", lost.to_string()),
        ("steady_dropped", heard.dropped.to_string()),
        ("latency_p50_us", micros(heard.latency.quantile(0.5))),
        ("latency_p99_us", micros(heard.latency.quantile(0.99))),
        ("latency_max_us", micros(heard.latency.max())),
    ];
    let mut faults = Vec::new();
    if heard.dropped {
        faults.push("the server dropped the steady member".to_string());
    }
    if steady_sent < messages {
        faults.push(format!(
            "the steady member could send only {steady_sent} of its {messages} messages"
        ));
    }
    if own_seen < steady_sent {
        faults.push(format!(
            "{} of the steady member's {steady_sent} messages did not come back intact",
            steady_sent - own_seen
        ));
    }
    let failure = (!faults.is_empty()).then(|| {
        format!(
            "the room failed this run: while one member flooded, {}",
            faults.join("; ")
        )
    });
    Ok(Outcome {
        rows,
        fields,
        failure,
    })
}

/// The error of a read or write that waited TICK and came back to look at `stop`.
fn waited(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

fn clone(stream: &TcpStream) -> Result<TcpStream> {
    stream.try_clone().map_err(|error| {
        Failure::new(format!(
            "cannot share a socket between threads: {}",
            labkit::error::explain(&error)
        ))
    })
}

/// The flooder's sending: batches of messages, as fast as the server takes them.
fn flood(stream: &TcpStream, shared: &Flood, size: usize) {
    // A write that waits more than this comes back with what it wrote, to look at `stop`. (Not
    // non-blocking: that flag would be shared with the reading thread's copy of the socket.)
    if stream.set_write_timeout(Some(TICK)).is_err() {
        return;
    }
    let mut line = Vec::new();
    let mut batch = Vec::new();
    let mut number = 0;
    while !shared.stop.load(Relaxed) {
        batch.clear();
        for _ in 0..BATCH {
            payload::encode(&mut line, FLOODER, number, shared.now_ns(), size);
            batch.extend_from_slice(&line);
            number += 1;
        }
        let mut written = 0;
        while written < batch.len() {
            match (&*stream).write(&batch[written..]) {
                Ok(0) => return,
                Ok(count) => written += count,
                Err(error) if waited(&error) => {
                    if shared.stop.load(Relaxed) {
                        return;
                    }
                }
                Err(_) => return,
            }
        }
        shared.flood_sent.fetch_add(BATCH as u64, Relaxed);
    }
}

/// The flooder's reading: everything is thrown away, but the first "! ..." line the server sends
/// it is kept, and an end of stream before the run's end means the server dropped it.
fn drain(
    stream: &TcpStream,
    rest: Vec<u8>,
    shared: &Flood,
    dropped: &AtomicBool,
) -> Option<String> {
    let mut reason = member::first_reason(&rest);
    let mut buffer = vec![0u8; 256 * 1024];
    let mut carry = Vec::new();
    if stream.set_read_timeout(Some(TICK)).is_err() {
        return reason;
    }
    loop {
        match (&*stream).read(&mut buffer) {
            Err(error) if waited(&error) => {
                if shared.stop.load(Relaxed) {
                    return reason;
                }
            }
            Ok(0) | Err(_) => {
                if !shared.stop.load(Relaxed) {
                    dropped.store(true, Relaxed);
                }
                return reason;
            }
            Ok(read) => {
                if reason.is_none() {
                    // Only whole lines: the reason may be cut between two reads.
                    carry.extend_from_slice(&buffer[..read]);
                    if let Some(end) = carry.iter().rposition(|&byte| byte == b'\n') {
                        reason = member::first_reason(&carry[..end]);
                        carry.drain(..=end);
                    }
                }
            }
        }
    }
}

/// The steady member's reading: its own messages timed, the flooder's counted.
fn listen(
    stream: &TcpStream,
    rest: Vec<u8>,
    shared: &Flood,
    messages: u64,
    prefix: &[u8],
) -> Heard {
    let mut heard = Heard {
        own: vec![false; messages as usize],
        ..Heard::default()
    };
    let rules = Rules {
        senders: 2,
        messages: u64::MAX,
        name_prefix: Some(prefix),
    };
    let mut pending = rest;
    let mut buffer = vec![0u8; 256 * 1024];
    let mut own_seen = 0;
    if stream.set_read_timeout(Some(TICK)).is_err() {
        heard.dropped = true;
        return heard;
    }
    loop {
        let now = shared.now_ns();
        let mut from = 0;
        while let Some(end) = sys::find_byte(&pending[from..], b'\n') {
            payload::scan_line(&pending[from..from + end], &rules, |piece| match piece {
                Piece::Intact {
                    sender: STEADY,
                    number,
                    sent_ns,
                } if number < messages => {
                    own_seen += heard.came_back(number, now.saturating_sub(sent_ns));
                }
                Piece::Intact { .. } => heard.flood_seen += 1,
                Piece::Mangled { sender: STEADY, .. } => heard.garbled += 1,
                _ => {}
            });
            from += end + 1;
        }
        pending.drain(..from);
        if own_seen == messages {
            return heard;
        }
        match (&*stream).read(&mut buffer) {
            Err(error) if waited(&error) => {
                if shared.stop.load(Relaxed) {
                    return heard;
                }
            }
            Ok(0) | Err(_) => {
                heard.dropped = !shared.stop.load(Relaxed);
                return heard;
            }
            Ok(read) => pending.extend_from_slice(&buffer[..read]),
        }
    }
}
