//! The sending side: a few threads, each writing the messages of its share of the members.
//!
//! Round after round, each thread writes message 0 of each of its members, then message 1, and
//! so on: every member sends at the same pace, as many people typing at once would. With
//! `--rate` a round starts at its due time; without it, at once. With `--spread` too, each
//! member's messages are due at its own offset within the period, so the members' messages
//! arrive one after another instead of all together. Each message is written with its send time
//! taken just before the write.
//!
//! The sockets are non-blocking (the readers need that), so a full send buffer, which means the
//! server is not reading that member, is waited for with poll, at most `patience` at a time;
//! a member whose server takes nothing for that long stops sending and is reported.

use std::io::{self, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::payload;
use crate::shared::{Shared, status};
use crate::sys;

/// The kit's room refuses lines longer than this (room-protocol.md, LINE_LIMIT).
pub const LINE_LIMIT: usize = 8192;

/// What every sender thread does.
#[derive(Clone)]
pub struct Pace {
    pub messages: u64,
    /// Messages per second per member; None: as fast as possible.
    pub rate: Option<f64>,
    /// `--spread`: how many members send, so that member `i` sends `i / senders` of a period
    /// after member 0; None: every member's message of a round is due at once.
    pub spread_among: Option<usize>,
    pub size: usize,
    /// The round at which the doomed members are closed (`--kill`).
    pub kill_at: Option<u64>,
    /// After every K-th message, a bad line (`--bad-input`).
    pub bad_every: Option<u64>,
    pub patience: Duration,
}

/// One member's sending end.
pub struct Outbox {
    pub member: usize,
    pub stream: Arc<TcpStream>,
}

pub fn spawn(shared: Arc<Shared>, pace: Pace, outboxes: Vec<Outbox>) -> io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name("bench sender".into())
        .spawn(move || {
            send_all(&shared, &pace, outboxes);
            shared.senders_done.fetch_add(1, Relaxed);
        })
}

fn send_all(shared: &Shared, pace: &Pace, outboxes: Vec<Outbox>) {
    let mut outboxes: Vec<Option<Outbox>> = outboxes.into_iter().map(Some).collect();
    let mut line = Vec::with_capacity(pace.size + 64);
    let started = Instant::now();
    for number in 0..pace.messages {
        if let Some(rate) = pace.rate {
            let due = started + Duration::from_secs_f64(number as f64 / rate);
            wait_until(due, shared);
        }
        if shared.stopping() {
            return;
        }
        if pace.kill_at == Some(number) {
            for slot in outboxes.iter_mut() {
                if slot
                    .as_ref()
                    .is_some_and(|outbox| shared.doomed[outbox.member])
                    && let Some(outbox) = slot.take()
                {
                    kill(shared, outbox);
                }
            }
        }
        for slot in outboxes.iter_mut() {
            let Some(outbox) = slot else { continue };
            let member = outbox.member as u64;
            if let (Some(rate), Some(senders)) = (pace.rate, pace.spread_among) {
                let offset = outbox.member as f64 / senders.max(1) as f64;
                wait_until(
                    started + Duration::from_secs_f64((number as f64 + offset) / rate),
                    shared,
                );
            }
            payload::encode(&mut line, member, number, shared.now_ns(), pace.size);
            if let Err(why) = send(&outbox.stream, &line, pace.patience, shared) {
                if why == Unsent::GaveUp {
                    shared.abandoned.fetch_add(1, Relaxed);
                }
                *slot = None;
                continue;
            }
            shared.sent[outbox.member].fetch_add(1, Relaxed);
            shared.total_sent.fetch_add(1, Relaxed);
            if let Some(every) = pace.bad_every
                && (number + 1) % every == 0
            {
                let (bad, refusable) = bad_line((number + 1) / every - 1);
                if send(&outbox.stream, &bad, pace.patience, shared).is_ok() {
                    shared.bad_sent.fetch_add(1, Relaxed);
                    // Compared with the error replies counted members receive.
                    if refusable && !shared.doomed[outbox.member] {
                        shared.bad_refusable.fetch_add(1, Relaxed);
                    }
                }
            }
        }
    }
}

/// The `--kill` scenario: close the member's socket so that the server gets a reset, as from a
/// client that crashed. The reader lets go of its copy when it sees the status.
fn kill(shared: &Shared, outbox: Outbox) {
    shared.status[outbox.member].store(status::KILLED, Relaxed);
    // Both are best effort: the server may have closed it already.
    let _ = sys::reset_on_close(&*outbox.stream);
    // Wakes the reader (its epoll reports the end of reading), which drops the last copy.
    let _ = outbox.stream.shutdown(Shutdown::Read);
}

/// The `n`-th bad line: by turns too long, not UTF-8, empty. Also says whether the kit's room
/// must answer it with an error (an empty line is ignored silently).
fn bad_line(n: u64) -> (Vec<u8>, bool) {
    match n % 3 {
        0 => {
            let mut long = vec![b'z'; LINE_LIMIT + 1];
            long.push(b'\n');
            (long, true)
        }
        1 => (b"bad \xff\xfe bytes\n".to_vec(), true),
        _ => (b"\n".to_vec(), false),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Unsent {
    /// The server closed or reset the connection.
    Closed,
    /// The server took nothing for `patience`.
    GaveUp,
    /// The run is over.
    Stopped,
}

fn send(
    stream: &TcpStream,
    bytes: &[u8],
    patience: Duration,
    shared: &Shared,
) -> Result<(), Unsent> {
    let mut written = 0;
    let mut blocked_since: Option<Instant> = None;
    while written < bytes.len() {
        match (&*stream).write(&bytes[written..]) {
            Ok(0) => return Err(Unsent::Closed),
            Ok(count) => {
                written += count;
                blocked_since = None;
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                if shared.stopping() {
                    return Err(Unsent::Stopped);
                }
                let since = *blocked_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= patience {
                    return Err(Unsent::GaveUp);
                }
                let _ = sys::wait_writable(stream.as_raw_fd(), Duration::from_millis(20));
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(Unsent::Closed),
        }
    }
    Ok(())
}

/// Sleeps until `due` (pacing for `--rate`), waking often enough to notice the end of the run.
fn wait_until(due: Instant, shared: &Shared) {
    while !shared.stopping() {
        let now = Instant::now();
        if now >= due {
            return;
        }
        thread::sleep((due - now).min(Duration::from_millis(20)));
    }
}
