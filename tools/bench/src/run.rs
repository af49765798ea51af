//! One run, from the first connection to the figures: connect and join every member, start the
//! senders, watch the counters until every delivery is accounted for (or nothing more comes, or
//! the time is up), stop every thread, and count.
//!
//! Every wait has a bound: joining (`--join-timeout`), a send to a server that does not read
//! (`--idle-timeout`), the silence after the last send (`--idle-timeout`), and the whole run
//! (`--timeout`). The bench always stops by itself.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use labkit::{Context, Failure, Result};

use crate::cli::Args;
use crate::hist::Histogram;
use crate::reader::{self, NewSocket, Role};
use crate::report::{Ending, Report};
use crate::sender::{self, LINE_LIMIT, Outbox, Pace};
use crate::shared::{Shared, status};
use crate::source;
use crate::tally::Tally;

/// How often the main thread looks at the counters.
const TICK: Duration = Duration::from_millis(10);
/// Two bits per expected delivery: past this many, the tallies would not fit in memory.
const MOST_DELIVERIES: u64 = 4_000_000_000;

/// How long the `--non-reader` scenario's member stays at least, reading nothing. A room drops
/// it only once its buffers are full and a write to it has waited the room's patience (lab 03:
/// 3 s, lab 05: 1 s), and lab 05 carries 100 x 1000 in about a second: a run that ended
/// first would leave the rule untried.
const NON_READER_STAYS: Duration = Duration::from_secs(6);

/// The server's address from --host and --port (or the preset's port).
pub fn server_address(args: &Args) -> Result<SocketAddr> {
    let port = args.port.unwrap_or(args.preset.default_port());
    loopback_address(&args.host, port)
}

/// One load run against the server at `address` (`args` checked already).
pub fn run(args: &Args, address: SocketAddr) -> Result<Report> {
    let members = args.members as usize;
    let everyone = members + usize::from(args.non_reader);
    // 10,000 members are 10,000 sockets, far above the usual soft limit of 1,024 open files.
    if let Ok(limit) = crate::sys::raise_open_file_limit() {
        let needed = (everyone as u64 + args.connect_burst) + 32;
        if needed > limit {
            return Err(Failure::new(format!(
                "this run needs about {needed} open files (one per connection) but the system \
                 allows {limit}: use fewer members, or raise the hard limit (ulimit -Hn)"
            )));
        }
    }
    let doomed_count = ((args.members * args.kill + 50) / 100) as usize;
    let doomed = (0..everyone).map(|member| member < doomed_count).collect();
    let shared = Arc::new(Shared::new(everyone, doomed));

    let plan = reader::Plan {
        senders: args.members,
        messages: args.messages,
        refused_sign: args.preset.refused_sign(),
        name_prefix: args
            .preset
            .frames_lines()
            .then(|| args.name_prefix.as_bytes().to_vec()),
    };
    let mut inboxes = Vec::new();
    let mut readers = Vec::new();
    for _ in 0..args.readers {
        let (inbox, incoming) = mpsc::channel();
        let handle = reader::spawn(shared.clone(), plan.clone(), incoming)
            .context("cannot start a reader thread")?;
        inboxes.push(inbox);
        readers.push(handle);
    }
    let bar = progress_bar();

    // Joining: connect everyone, name sent at once; the readers see who gets in.
    bar.set_message("joining");
    let join_deadline = shared.start + Duration::from_secs_f64(args.join_timeout);
    let mut streams = Vec::with_capacity(everyone);
    let mut connect_failure = None;
    for member in 0..everyone {
        if Instant::now() >= join_deadline {
            break;
        }
        let role = if member < members {
            Role::Member(member)
        } else {
            Role::NonReader(member)
        };
        match join(address, member, role, args, &inboxes, join_deadline) {
            Ok(stream) => streams.push(stream),
            Err(failure) if member == 0 => return Err(give_up(&shared, &bar, failure)),
            Err(failure) => {
                connect_failure = Some(failure.to_string());
                break;
            }
        }
    }
    let connected = streams.len() as u64;
    while shared.joined.load(Relaxed) + shared.failed.load(Relaxed) < connected
        && Instant::now() < join_deadline
    {
        bar.set_message(format!(
            "joining {}/{}",
            shared.joined.load(Relaxed),
            everyone
        ));
        thread::sleep(Duration::from_millis(2));
    }
    let join_time = shared.start.elapsed();

    // Sending: whoever is in now sends; whoever gets in later is late and not counted.
    for member in 0..everyone {
        shared.change_status(member, status::JOINING, status::LATE);
    }
    let in_room = |member: usize| shared.status_of(member) == status::JOINED;
    let joined: Vec<usize> = (0..members).filter(|&member| in_room(member)).collect();
    // With --talkers only the first members in the room send; everyone listens.
    let talkers = args
        .talkers
        .map_or(joined.len(), |talkers| talkers as usize);
    let senders: Vec<usize> = joined.iter().copied().take(talkers).collect();
    let counted: Vec<usize> = joined
        .iter()
        .copied()
        .filter(|&member| !shared.doomed[member])
        .collect();
    if joined.is_empty() {
        let failed = shared.failed.load(Relaxed);
        let failure = Failure::new(format!(
            "no member got into the room: {connected} connected, {failed} of them were refused \
             or closed by the server, the others saw no sign of joining within --join-timeout \
             (is --preset {} the right one for this server?)",
            args.preset.label()
        ));
        return Err(give_up(&shared, &bar, failure));
    }
    let non_reader_joined = args.non_reader && in_room(members);
    let mut shares: Vec<Vec<Outbox>> = (0..args.senders).map(|_| Vec::new()).collect();
    for (turn, &member) in senders.iter().enumerate() {
        shares[turn % args.senders].push(Outbox {
            member,
            stream: streams[member].clone(),
        });
    }
    // From here on only the readers and senders hold the sockets, so that a killed member's
    // socket really closes when they let go of it.
    drop(streams);
    let pace = Pace {
        messages: args.messages,
        rate: args.rate,
        spread_among: args.spread.then_some(senders.len()),
        size: args.size,
        kill_at: (doomed_count > 0).then_some(args.messages / 2),
        bad_every: args.bad_input,
        patience: Duration::from_secs_f64(args.idle_timeout),
    };
    let planned = senders.len() as u64 * args.messages;
    let go_ns = shared.now_ns();
    let go = Instant::now();
    shared.going.store(true, Relaxed);
    let mut sending = Vec::new();
    for share in shares.into_iter().filter(|share| !share.is_empty()) {
        let handle = sender::spawn(shared.clone(), pace.clone(), share)
            .context("cannot start a sender thread")?;
        sending.push(handle);
    }

    // Watching: until every delivery is settled, or nothing comes any more, or time is up.
    let senders_count = sending.len();
    let deadline = shared.start + Duration::from_secs_f64(args.timeout);
    let idle = Duration::from_secs_f64(args.idle_timeout);
    let join_patience = Duration::from_secs_f64(args.join_timeout);
    bar.set_length((counted.len() as u64 * planned).max(1));
    bar.set_message("sending");
    let mut burst = None;
    let mut last_bytes = shared.bytes_read.load(Relaxed);
    let mut last_activity = Instant::now();
    let mut sending_over = false;
    let ending = loop {
        thread::sleep(TICK);
        let now = Instant::now();
        let bytes = shared.bytes_read.load(Relaxed);
        if bytes != last_bytes {
            last_bytes = bytes;
            last_activity = now;
        }
        let sent = shared.total_sent.load(Relaxed);
        let sent_by_survivors: u64 = senders
            .iter()
            .filter(|&&member| !shared.doomed[member])
            .map(|&member| shared.sent[member].load(Relaxed))
            .sum();
        let settled = shared.settled.load(Relaxed);
        bar.set_position(settled);
        if burst.is_none() && args.connect_burst > 0 && sent * 2 >= planned {
            burst = Some((
                start_burst(address, args, &inboxes, shared.clone(), deadline),
                now,
            ));
        }
        // A burst that is still connecting or joining holds the end of the run (up to
        // --join-timeout), so that its figures are complete.
        let burst_busy = burst.as_ref().is_some_and(|(handle, started)| {
            let all_in = handle.is_finished()
                && shared.burst_joined.load(Relaxed) >= shared.burst_connected.load(Relaxed);
            !all_in && now - *started < join_patience
        });
        if !sending_over && shared.senders_done.load(Relaxed) == senders_count {
            sending_over = true;
            last_activity = now;
            bar.set_length((counted.len() as u64 * sent_by_survivors).max(1));
            bar.set_message("reading");
        }
        // The non-reader stays in the room, reading nothing, for at least NON_READER_STAYS:
        // a run quicker than the server's patience would end before the server had to drop it.
        let holding = args.non_reader && now - go < NON_READER_STAYS;
        let waiting = burst_busy || holding;
        if sending_over && !waiting && settled >= counted.len() as u64 * sent_by_survivors {
            break Ending::Complete;
        }
        if sending_over && !waiting && now - last_activity >= idle {
            break Ending::Idle;
        }
        if now >= deadline {
            break Ending::TimeLimit;
        }
    };
    let end_ns = shared.now_ns();
    shared.stop.store(true, Relaxed);
    bar.finish_and_clear();
    for handle in sending {
        let _ = handle.join();
    }
    if let Some((handle, _)) = burst {
        let _ = handle.join();
    }
    drop(inboxes);
    let mut tallies: Vec<Option<Tally>> = (0..everyone).map(|_| None).collect();
    let mut latency = Histogram::default();
    let mut reader_busy = Duration::ZERO;
    for handle in readers {
        let finding = handle
            .join()
            .map_err(|_| Failure::new("a reader thread failed"))?;
        for (member, tally) in finding.tallies {
            tallies[member] = Some(tally);
        }
        latency.merge(&finding.latency);
        reader_busy = reader_busy.max(finding.busy);
    }

    let sent: Vec<u64> = shared
        .sent
        .iter()
        .map(|count| count.load(Relaxed))
        .collect();
    let mut report = Report {
        preset: args.preset,
        nagle: args.nagle,
        spread: args.spread,
        address,
        members: args.members,
        messages: args.messages,
        rate: args.rate,
        joined: joined.len() as u64,
        connected,
        connect_failure,
        join_failed: shared.failed.load(Relaxed),
        join_time,
        planned,
        sent: senders.iter().map(|&member| sent[member]).sum(),
        killed_sent: 0,
        killed_seen: 0,
        counted: counted.len() as u64,
        latency,
        active: Duration::from_nanos(shared.last_intact_ns.load(Relaxed).saturating_sub(go_ns)),
        wall: Duration::from_nanos(end_ns),
        sending: Duration::from_nanos(end_ns.saturating_sub(go_ns)),
        reader_busy,
        ending,
        killed: (0..everyone)
            .filter(|&member| shared.status_of(member) == status::KILLED)
            .count() as u64,
        dropped: counted
            .iter()
            .filter(|&&member| shared.status_of(member) == status::DROPPED)
            .count() as u64,
        non_reader: args.non_reader.then_some(non_reader_joined),
        burst: (args.connect_burst > 0).then(|| {
            (
                shared.burst_connected.load(Relaxed),
                shared.burst_joined.load(Relaxed),
            )
        }),
        bad_sent: shared.bad_sent.load(Relaxed),
        bad_refusable: shared.bad_refusable.load(Relaxed),
        error_replies: shared.error_replies.load(Relaxed),
        abandoned: shared.abandoned.load(Relaxed),
        expected: 0,
        seen: 0,
        lost: 0,
        garbled: 0,
        duplicated: 0,
        unreadable: 0,
    };
    // Messages of killed members are counted apart: the reset that kills a member also
    // destroys what it had sent and the server had not read yet, which is no fault of the server.
    let (survivors, killed): (Vec<usize>, Vec<usize>) =
        senders.iter().partition(|&&member| !shared.doomed[member]);
    let from_survivors: u64 = survivors.iter().map(|&member| sent[member]).sum();
    report.killed_sent = killed.iter().map(|&member| sent[member]).sum();
    for &recipient in &counted {
        report.expected += from_survivors;
        let Some(tally) = &tallies[recipient] else {
            report.lost += from_survivors;
            continue;
        };
        for &sender in &survivors {
            let (intact, mangled) = tally.count(sender as u64, sent[sender]);
            report.seen += intact;
            report.garbled += mangled;
            report.lost += sent[sender] - intact - mangled;
        }
        for &sender in &killed {
            report.killed_seen += tally.count(sender as u64, sent[sender]).0;
        }
        report.duplicated += tally.duplicated;
        report.unreadable += tally.unreadable;
    }
    Ok(report)
}

/// Ends a run that cannot go on: the threads stop, the progress bar goes away, and the failure
/// is returned to be said.
fn give_up(shared: &Shared, bar: &ProgressBar, failure: Failure) -> Failure {
    shared.stop.store(true, Relaxed);
    bar.finish_and_clear();
    failure
}

/// Refuses arguments that make no sense, in a sentence.
pub fn check(args: &Args) -> Result<()> {
    let fail = |text: &str| Err(Failure::new(text));
    let scenario = args.kill > 0
        || args.non_reader
        || args.connect_burst > 0
        || args.bad_input.is_some()
        || args.talkers.is_some();
    if (args.slowloris.is_some() || args.flood) && scenario {
        return fail(
            "--slowloris and --flood are measurements of their own: they take no --kill, \
             --non-reader, --connect-burst, --bad-input or --talkers",
        );
    }
    if args
        .slowloris
        .is_some_and(|connections| !(1..=1_000_000).contains(&connections))
    {
        return fail("--slowloris takes from 1 to 1000000 silent connections");
    }
    if args.flood && args.messages == 0 {
        return fail("--flood needs the steady member to send at least 1 message (--messages)");
    }
    if args.members == 0 {
        return fail("--members must be at least 1");
    }
    if args.kill > 100 {
        return fail("--kill is a percentage: from 0 to 100");
    }
    if args
        .talkers
        .is_some_and(|talkers| talkers == 0 || talkers > args.members)
    {
        return fail("--talkers must be from 1 to --members");
    }
    if args.talkers.is_some() && args.kill > 0 {
        return fail("--talkers and --kill cannot be combined: the killed members are talkers");
    }
    if !(1..=64).contains(&args.readers) || !(1..=64).contains(&args.senders) {
        return fail("--readers and --senders must be from 1 to 64");
    }
    // Bounds that keep every figure below representable: member numbers fit in names and sums,
    // and every wait and due time fits in a `Duration`.
    if args.members > 1_000_000 || args.connect_burst > 1_000_000 {
        return fail("--members and --connect-burst are at most 1000000 each");
    }
    if args
        .rate
        .is_some_and(|rate| !(0.001..=1_000_000.0).contains(&rate))
    {
        return fail("--rate must be from 0.001 to 1000000 messages per second");
    }
    let a_day = 86_400.0;
    if ![args.join_timeout, args.idle_timeout, args.timeout]
        .into_iter()
        .all(|seconds| seconds > 0.0 && seconds <= a_day)
    {
        return fail(
            "--join-timeout, --idle-timeout and --timeout must be seconds above 0, at most a day",
        );
    }
    let longest_name = args.name_prefix.chars().count()
        + (args.members + args.connect_burst + 1).to_string().len();
    if args.name_prefix.is_empty()
        || !args
            .name_prefix
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '_')
        || longest_name > 16
    {
        return fail(
            "--name-prefix must be ASCII letters, '-' or '_', short enough that the prefix and \
             a member's number make at most 16 characters",
        );
    }
    if args.bad_input == Some(0) {
        return fail("--bad-input must be at least 1 (a bad line after every K-th message)");
    }
    if args.size > LINE_LIMIT + 1 {
        return Err(Failure::new(format!(
            "--size is at most {}: the kit's room refuses longer lines",
            LINE_LIMIT + 1
        )));
    }
    let deliveries = args
        .members
        .checked_mul(args.members)
        .and_then(|square| square.checked_mul(args.messages));
    if deliveries.is_none_or(|deliveries| deliveries > MOST_DELIVERIES) {
        return Err(Failure::new(format!(
            "{} members x {} messages means members x members x messages deliveries to count, \
             more than the {MOST_DELIVERIES} the bench can hold in memory: use fewer",
            args.members, args.messages
        )));
    }
    Ok(())
}

/// The server's address, if it is on this machine: the bench loads servers, it must never be
/// turned against somebody else's.
fn loopback_address(host: &str, port: u16) -> Result<SocketAddr> {
    let addresses: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|_| Failure::new(format!("cannot find the address of {host}")))?
        .collect();
    match addresses.first() {
        Some(first) if addresses.iter().all(|address| address.ip().is_loopback()) => Ok(*first),
        _ => Err(Failure::new(format!(
            "bench only loads servers on this machine, and {host} is not a loopback address: \
             use 127.0.0.1, ::1 or localhost"
        ))),
    }
}

/// Connects one client, sends its name and hands it to a reader.
fn join(
    address: SocketAddr,
    index: usize,
    role: Role,
    args: &Args,
    inboxes: &[Sender<NewSocket>],
    deadline: Instant,
) -> Result<Arc<TcpStream>> {
    let name = format!("{}{index}", args.name_prefix);
    let patience = deadline
        .saturating_duration_since(Instant::now())
        .clamp(Duration::from_millis(1), Duration::from_secs(5));
    let from = source::for_member(address, index, args.single_source);
    let stream =
        source::connect(address, from, patience).map_err(|error| match (error.kind(), from) {
            (std::io::ErrorKind::ConnectionRefused, _) => Failure::new(format!(
                "no server is listening on {address}: start it first, or check --port and --preset"
            )),
            (std::io::ErrorKind::AddrNotAvailable, Some(from)) => Failure::new(format!(
                "cannot connect from {from}: this system does not treat all of 127.0.0.0/8 as \
                 local (use --single-source)"
            )),
            _ => Failure::new(format!(
                "cannot connect to {address}: {}",
                labkit::error::explain(&error)
            )),
        })?;
    let doing = || format!("cannot set up the connection of {name}");
    // Messages are small and timed: let none wait for the next to fill a packet (Nagle),
    // unless --nagle asks to see what that wait costs.
    stream.set_nodelay(!args.nagle).context(doing())?;
    std::io::Write::write_all(&mut &stream, &args.preset.name_to_send(&name))
        .context(format!("cannot send the name {name}"))?;
    stream.set_nonblocking(true).context(doing())?;
    let stream = Arc::new(stream);
    let new = NewSocket {
        stream: stream.clone(),
        role,
        joined_sign: args.preset.joined_sign(&name),
    };
    inboxes[index % inboxes.len()]
        .send(new)
        .map_err(|_| Failure::new("a reader thread stopped"))?;
    Ok(stream)
}

/// The `--connect-burst` scenario: many clients connect one right after the other, mid-run.
/// They are counted in `shared.burst_connected`; the readers count those that get in.
fn start_burst(
    address: SocketAddr,
    args: &Args,
    inboxes: &[Sender<NewSocket>],
    shared: Arc<Shared>,
    deadline: Instant,
) -> thread::JoinHandle<()> {
    let args = args.clone();
    let inboxes = inboxes.to_vec();
    let first = args.members as usize + usize::from(args.non_reader);
    thread::spawn(move || {
        for index in first..first + args.connect_burst as usize {
            if shared.stopping()
                || join(address, index, Role::Burst, &args, &inboxes, deadline).is_err()
            {
                break;
            }
            shared.burst_connected.fetch_add(1, Relaxed);
        }
    })
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
    // Short enough for an 80-column terminal: a wrapped bar is redrawn on two lines.
    let style = ProgressStyle::with_template(
        "{msg:>13} [{bar:24}] {human_pos}/{human_len} deliveries {elapsed}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}
