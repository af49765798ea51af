//! The room server: the documents' `receive` (accept connections) and `handle` (a connection's
//! thread), and stopping cleanly, as lab 03's; what differs is what a server of thousands of
//! connections must respect: the kernel's limits, and connections that never choose a name.
//!
//! Each connection gets a thread, `handle`, that asks for a nickname and joins the room; then
//! the member is handed to the one thread that reads every member's lines (see the reader
//! module), and its own thread ends. Its lines are read no faster than its share, the name
//! included (see the pace module). The room (see the room module) is the
//! documents' `broadcast`; the postman (see the postman module) carries what it says to the
//! members, and a member that falls behind gets a writer thread of its own (see the outbox
//! module). The words of every line are lab 03's (`lab03::protocol`), but for one reason to
//! drop a member (`pace::SENT_TOO_FAST`).

use std::cell::RefCell;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::thread;
use std::time::{Duration, Instant};

use lab03::framing::{LINE_LIMIT, LineReader};
use lab03::gate::{Gate, Pass};
use lab03::naming::{Timed, is_timeout};
use lab03::nickname;
use lab03::protocol;
use labkit::cli::Address;
use labkit::error::{Context, Result, explain};
use labkit::thread::spawn;
use labkit::{log, net, stop};

use crate::doorman::Doorman;
use crate::meter::{self, Metered};
use crate::outbox::{Outbox, SEND_BUFFER};
use crate::pace::{self, Next, Pace, Share};
use crate::reader::{Joined, Reader};
use crate::room::{Refused, Room};
use crate::sys;

/// How long a stopping server waits for the members' last lines to be sent.
const GRACE: Duration = Duration::from_secs(2);

/// Runs the server until Ctrl-C, SIGTERM, SIGHUP, or `shutdown` typed at its console.
/// A connection has `name_deadline` to choose its nickname.
pub fn serve(address: &Address<9090>, name_deadline: Duration) -> Result<()> {
    // Every member holds an open file (its socket): allow as many as the system lets us. If
    // that fails, the room is only smaller; `receive` says so when a connection is refused.
    let _ = sys::raise_open_file_limit();
    let listener = net::listen(&address.host, address.port)?;
    let local = listener
        .local_addr()
        .context("cannot read the listening address")?;
    log::start().context("cannot start the log thread")?;
    log::line(format!("listening on {local}"));
    let served = run(listener, stop::requested()?, name_deadline, pace::FAIR);
    // Returning ends the process: the log's last lines must be written first.
    log::flush(GRACE);
    served
}

/// Serves the room on `listener` until `stop` receives (or all its senders are gone), then
/// tells the members and returns: the testable entry point (nothing is logged unless the log
/// was started). Each member's lines are read at `share` (`pace::FAIR` in `serve`).
pub fn run(
    listener: TcpListener,
    stop: Receiver<()>,
    name_deadline: Duration,
    share: Share,
) -> Result<()> {
    let room = Arc::new(Room::start().context("cannot start the postman thread")?);
    let reader = Reader::start(Arc::clone(&room)).context("cannot start the reading thread")?;
    let (accepting, reader) = (Arc::clone(&room), Arc::new(reader));
    spawn("receive", move || {
        receive(listener, accepting, reader, name_deadline, share)
    })
    .context("cannot start the accept thread")?;

    let _ = stop.recv();
    let outboxes = room.close();
    let members = match outboxes.len() {
        1 => "1 member".to_string(),
        n => format!("{n} members"),
    };
    log::line(format!("stopping: telling {members}"));
    let deadline = Instant::now() + GRACE;
    for outbox in &outboxes {
        outbox.wait_sent(deadline);
    }
    // Returning ends the process, and with it the threads still blocked in `accept` or `read`.
    Ok(())
}

/// The documents' `receive`: accepts connections for ever, and starts each connection's thread.
fn receive(
    listener: TcpListener,
    room: Arc<Room>,
    reader: Arc<Reader>,
    name_deadline: Duration,
    share: Share,
) {
    let most = most_connections();
    // Sleeping threads are found through a kernel table: size it for all of them (see
    // sys::expect_threads), or waking one of 20,000 threads means searching through a thousand.
    let _ = sys::expect_threads(2 * most);
    // Lab 03's limits on connections, and on those still choosing a name, with this server's
    // own most connections: every connection holds its pass until it leaves.
    let gate = Arc::new(Gate::holding(most));
    // Those the gate refuses are closed by the doorman, while this loop accepts the next.
    let doorman = Doorman::start();
    loop {
        // `accept` says who connected: no second system call to ask.
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(error) => {
                log::line(format!("cannot accept a connection: {}", explain(&error)));
                // Most likely out of file descriptors: give members a moment to leave rather
                // than spin on the same error.
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        match gate.enter(peer.ip()) {
            Ok(pass) => {
                let now = Instant::now();
                let pace = Pace::new(share, now);
                admit(
                    stream,
                    peer,
                    (pass, now + name_deadline),
                    pace,
                    &room,
                    &reader,
                );
            }
            Err(why) => doorman.turn_away(stream, peer, why),
        }
    }
}

/// How many connections the server holds at most. Each has a thread while it chooses its name
/// (`handle`), and one whenever it falls behind (its writer, see the outbox module): two, if it
/// stops reading before it has a name. Each thread costs the kernel four memory mappings: its
/// stack and the small stack of its signal handler, each behind a guard page. A process may
/// have `vm.max_map_count` mappings (65,530 by default), and a thread that would pass it cannot
/// set itself up: std then aborts the whole server. So the server refuses connections before
/// that point, should every connection have two threads at once, keeping 1,000 mappings for
/// everything else (about 8,000 connections by default).
fn most_connections() -> usize {
    sys::max_map_count().saturating_sub(1000) / 8
}

/// Logs a new connection and starts its member.
fn admit(
    stream: TcpStream,
    peer: SocketAddr,
    naming: (Pass, Instant),
    pace: Pace,
    room: &Arc<Room>,
    reader: &Arc<Reader>,
) {
    log::line(format!("connected with {peer}"));
    // Chat lines are small and should leave at once, not wait to be merged with the next.
    let _ = stream.set_nodelay(true);
    // A member whose machine vanished is noticed, even in a quiet room (see labkit::net).
    let _ = net::keep_alive(&stream);
    // What the member has not read yet waits in its outbox, where the server sees how much
    // and how fast it goes; the kernel holds only a little more (see outbox::SEND_BUFFER).
    let _ = sys::set_send_buffer(&stream, SEND_BUFFER);
    let socket = Arc::new(stream);
    let outbox = room.outbox(Arc::clone(&socket), peer);
    let (own, shared, reader) = (Arc::clone(&outbox), Arc::clone(room), Arc::clone(reader));
    let started = spawn("handle", move || {
        handle(&socket, peer, naming, pace, &own, &shared, &reader)
    });
    if started.is_err() {
        // The only way to fail: the system has no thread (or no memory for its stack) to
        // spare. For that connection the room is full: it is told so and closed, and
        // everybody else carries on.
        log::line(format!(
            "cannot serve {peer}: the system would not start another thread"
        ));
        room.tell(&outbox, &protocol::closing(protocol::ROOM_FULL));
        outbox.close();
    }
}

/// A connection's lines while it chooses its name, read from its socket through its share (see
/// the meter module).
type Lines<'a> = LineReader<Metered<'a, &'a Timed<'a>>>;

/// The documents' `handle`, for as long as the connection has no name: asks for it, on the
/// connection's own thread, then hands the member to the reading thread (see the reader
/// module), which reads its lines from then on and closes its connection when it leaves.
/// `naming`: the connection's pass through the gate (counted until it leaves), and when it
/// must have chosen its name; `pace`: its share of lines, for the whole connection, the name
/// included (see the pace module).
fn handle(
    socket: &Arc<TcpStream>,
    peer: SocketAddr,
    naming: (Pass, Instant),
    pace: Pace,
    outbox: &Arc<Outbox>,
    room: &Room,
    reader: &Reader,
) {
    let (mut pass, deadline) = naming;
    let timed = Timed::new(socket, deadline);
    // The pace counts the member's lines as they are read (`take_line`), and its socket counts
    // a line that is longer than lines should be while it arrives (see the meter module).
    let pace = RefCell::new(pace);
    let mut lines = LineReader::new(Metered::new(&timed, &pace), LINE_LIMIT);
    match choose_name(&mut lines, outbox, room, &mut pass, &pace) {
        Ok(name) => {
            log::line(format!("name of client is {name}"));
            // What arrived with the name, the start of the member's first lines, goes along.
            let unread = lines.buffered().to_vec();
            // The line reader borrows the pace, which goes along too.
            drop(lines);
            reader.adopt(Joined {
                name,
                socket: Arc::clone(socket),
                outbox: Arc::clone(outbox),
                pace: pace.into_inner(),
                _pass: pass,
                unread,
            });
            return;
        }
        Err(Some(why)) => {
            log::line(format!("{peer} dropped: {why}"));
            room.tell(outbox, &protocol::closing(why));
        }
        // Gone (or the server stopping) before choosing a name: nothing to announce.
        Err(None) => {}
    }
    outbox.close();
}

/// Asks for a nickname until an acceptable one arrives. `Err(Some(why))`: the connection is
/// closed with that reason (one of `lab03::protocol`'s, or `pace::SENT_TOO_FAST`);
/// `Err(None)`: it ended, or the room closed, first.
///
/// The connection stops counting as unnamed (`pass`) once it has sent a well-formed name: it
/// is not idle, even if it then waits for the room (10,000 members joining wait for each
/// other's announcements) or its name is taken. Its deadline holds until it has joined.
fn choose_name(
    lines: &mut Lines,
    outbox: &Arc<Outbox>,
    room: &Room,
    pass: &mut Pass,
    pace: &RefCell<Pace>,
) -> std::result::Result<String, Option<&'static str>> {
    loop {
        room.tell(outbox, &protocol::prompt());
        let line = match lines.read_line() {
            Ok(Some(line)) => line,
            Ok(None) => return Err(None),
            Err(error) if is_timeout(&error) => return Err(Some(protocol::NO_NAME_IN_TIME)),
            Err(error) if meter::is_past_share(&error) => return Err(Some(pace::SENT_TOO_FAST)),
            Err(_) => return Err(None),
        };
        let next = pace.borrow_mut().take_line(Instant::now());
        if next == Next::Exceeded {
            return Err(Some(pace::SENT_TOO_FAST));
        }
        let refusal = match nickname::from_line(line) {
            Err(reason) => reason,
            Ok(name) => {
                pass.named();
                match room.join(&name, outbox) {
                    Ok(()) => return Ok(name),
                    Err(Refused::Taken) => protocol::taken(&name),
                    Err(Refused::Closed) => return Err(None),
                }
            }
        };
        room.tell(outbox, &protocol::nickname_refused(&refusal));
        // Past its share, the next name is read only after a while (see the pace module).
        if let Next::Wait(wait) = next {
            thread::sleep(wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pace::{BURST, FAIR, LINES_PER_SECOND, SENT_TOO_FAST, SLACK};
    use std::io::{BufRead, BufReader, Write};
    use std::sync::mpsc;

    /// A server on a port of its own, each member's lines read at `share`; stops when the
    /// sender is dropped or sent to. (The log is not started: nothing is logged. The server's
    /// threads end with the test program.)
    fn start(share: Share) -> (SocketAddr, mpsc::Sender<()>, thread::JoinHandle<Result<()>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stop_requested) = mpsc::channel();
        let server =
            thread::spawn(move || run(listener, stop_requested, Duration::from_secs(30), share));
        (address, stop, server)
    }

    /// A connection to the server whose reads give up after 20 s.
    fn connect(address: SocketAddr) -> TcpStream {
        let stream = TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        stream
    }

    /// A member called `name`: its socket to write to, and a reader of what it is sent.
    fn join(address: SocketAddr, name: &str) -> (TcpStream, BufReader<TcpStream>) {
        let mut member = connect(address);
        let heard = BufReader::new(member.try_clone().unwrap());
        member.write_all(format!("{name}\n").as_bytes()).unwrap();
        (member, heard)
    }

    /// Reads lines until one ends with `end`; panics if the connection ends first.
    fn read_until(heard: &mut BufReader<TcpStream>, end: &str) {
        loop {
            let mut line = String::new();
            let read = heard.read_line(&mut line).expect("a line within 20 s");
            assert!(read > 0, "the connection ended before {end:?}");
            if line.ends_with(end) {
                return;
            }
        }
    }

    /// A share small enough for a member past it to be dropped in a fraction of a second.
    const SMALL: Share = Share {
        burst: 20,
        per_second: 200,
        patience: Duration::from_millis(300),
    };

    /// The last line a connection is sent before it ends.
    fn last_line(heard: &mut BufReader<TcpStream>) -> String {
        let mut last = String::new();
        loop {
            let mut line = String::new();
            match heard.read_line(&mut line) {
                Ok(0) | Err(_) => return last,
                Ok(_) => last = line,
            }
        }
    }

    /// Sends `a` on `stream`, never a newline, from a thread of its own that ends when the
    /// server closes the connection.
    fn send_without_end(stream: &TcpStream) {
        let mut sending = stream.try_clone().unwrap();
        thread::spawn(move || {
            let bytes = [b'a'; 65_536];
            while sending.write_all(&bytes).is_ok() {}
        });
    }

    /// Bob and alice in a room of [`SMALL`] shares, and `flood` makes alice send past hers.
    /// Bob is told she left and can still talk, and her last line says why.
    fn alice_is_dropped_after(flood: impl FnOnce(&TcpStream)) {
        let (address, stop, server) = start(SMALL);
        let (mut bob, mut bob_hears) = join(address, "bob");
        read_until(&mut bob_hears, "Type CLOSE to leave.\n");
        let (alice, mut alice_hears) = join(address, "alice");
        read_until(&mut bob_hears, "* alice joined! In the room: bob, alice.\n");
        flood(&alice);
        read_until(&mut bob_hears, "* alice left!\n");
        bob.write_all(b"still here\n").unwrap();
        read_until(&mut bob_hears, ") bob: still here\n");
        // Alice's connection ends, its last line the reason (a reset may follow it: alice had
        // sent what the server never read).
        assert_eq!(
            last_line(&mut alice_hears),
            protocol::closing(SENT_TOO_FAST)
        );
        stop.send(()).unwrap();
        server.join().unwrap().unwrap();
    }

    /// A member that keeps sending lines past its share is dropped, and told why.
    #[test]
    fn a_member_past_its_share_for_its_patience_is_dropped_and_told_why() {
        alice_is_dropped_after(|mut alice| {
            // At 200 a second, 2,000 lines would take 10 s: far past a patience of 0.3 s.
            let lines: String = (0..2_000).map(|n| format!("line {n}\n")).collect();
            alice.write_all(lines.as_bytes()).unwrap();
        });
    }

    /// A member that sends one line without end is read at its pace too, and dropped like any
    /// member past its share: the line reader alone would read it, and throw it away, for ever.
    /// At 8 KiB a line and 200 lines a second, her share is 1.6 MB a second.
    #[test]
    fn a_member_whose_line_never_ends_is_dropped_and_told_why() {
        alice_is_dropped_after(send_without_end);
    }

    /// A connection whose name never ends is closed the same way, before it has joined.
    #[test]
    fn a_connection_whose_name_never_ends_is_closed_with_the_reason() {
        let (address, stop, server) = start(SMALL);
        let stranger = connect(address);
        send_without_end(&stranger);
        let mut heard = BufReader::new(stranger);
        assert_eq!(last_line(&mut heard), protocol::closing(SENT_TOO_FAST));
        stop.send(()).unwrap();
        server.join().unwrap().unwrap();
    }

    /// A member's first lines may arrive with its name, and be read with it: they are said.
    #[test]
    fn lines_sent_with_the_name_are_said() {
        let (address, stop, server) = start(FAIR);
        let mut member = connect(address);
        let mut heard = BufReader::new(member.try_clone().unwrap());
        member.write_all(b"alice\nhello\nhow are you\n").unwrap();
        read_until(&mut heard, ") alice: hello\n");
        read_until(&mut heard, ") alice: how are you\n");
        stop.send(()).unwrap();
        server.join().unwrap().unwrap();
    }

    /// While a member past its share rests, the others are read: bob's line is said before
    /// alice's last, which waits for her pace.
    #[test]
    fn a_member_resting_past_its_share_holds_nobody_else() {
        let (address, stop, server) = start(FAIR);
        let (mut bob, mut bob_hears) = join(address, "bob");
        read_until(&mut bob_hears, "Type CLOSE to leave.\n");
        let (mut alice, _alice_hears) = join(address, "alice");
        read_until(&mut bob_hears, "* alice joined! In the room: bob, alice.\n");
        // Past her burst by 1,000 lines: at her pace, half a second of rests, bob's time.
        let count = BURST + 1_000;
        let lines: String = (0..count).map(|n| format!("line {n}\n")).collect();
        alice.write_all(lines.as_bytes()).unwrap();
        read_until(
            &mut bob_hears,
            &format!(") alice: line {}\n", BURST + SLACK),
        );
        bob.write_all(b"not waiting\n").unwrap();
        let mut bob_said = false;
        loop {
            let mut line = String::new();
            let read = bob_hears.read_line(&mut line).expect("a line within 20 s");
            assert!(read > 0, "the server closed bob's connection");
            if line.ends_with(") bob: not waiting\n") {
                bob_said = true;
            }
            if line.ends_with(&format!(") alice: line {}\n", count - 1)) {
                break;
            }
        }
        assert!(bob_said, "bob's line waited for all of alice's");
        stop.send(()).unwrap();
        server.join().unwrap().unwrap();
    }

    /// Lines too long cost more as they arrive, and may make their member rest before the
    /// lines that came with them in the same read are cut: those are kept, in order.
    #[test]
    fn the_lines_read_before_a_rest_are_kept_for_after_it() {
        let share = Share {
            burst: 20,
            per_second: 2_000,
            patience: Duration::from_secs(10),
        };
        let (address, stop, server) = start(share);
        let (mut member, mut heard) = join(address, "alice");
        // Each over-long line costs two lines more than itself as it arrives.
        let long = "x".repeat(20_000);
        let lines: String = (0..60).map(|n| format!("{long}\nline {n}\n")).collect();
        member.write_all(lines.as_bytes()).unwrap();
        let mut next = 0;
        while next < 60 {
            let mut line = String::new();
            let read = heard.read_line(&mut line).expect("a line within 20 s");
            assert!(read > 0, "the server closed the connection at line {next}");
            if let Some((_, text)) = line.trim_end().split_once(") alice: ") {
                assert_eq!(text, format!("line {next}"), "every line, in order");
                next += 1;
            }
        }
        stop.send(()).unwrap();
        server.join().unwrap().unwrap();
    }

    /// A member that sends more than its burst at once, one line of it not UTF-8: every line
    /// comes back, and the error reply, in the order sent, but those past the burst only at the
    /// member's pace.
    #[test]
    fn past_its_burst_a_member_is_read_at_its_pace_and_loses_nothing() {
        let (address, stop, server) = start(FAIR);
        let (mut member, mut heard) = join(address, "alice");

        let past_burst = 400;
        let count = BURST + past_burst;
        let broken = BURST + past_burst / 2;
        let mut lines = Vec::new();
        for n in 0..count {
            if n == broken {
                lines.extend_from_slice(b"\xff\n");
            } else {
                lines.extend_from_slice(format!("line {n}\n").as_bytes());
            }
        }
        let started = Instant::now();
        member.write_all(&lines).unwrap();
        let mut next = 0;
        while next < count {
            let mut line = String::new();
            let read = heard.read_line(&mut line).expect("a line within 20 s");
            assert!(read > 0, "the server closed the connection at line {next}");
            if next == broken && line.starts_with("! ") {
                assert_eq!(line, protocol::not_utf8(), "the reply, in its place");
                next += 1;
            } else if let Some((_, text)) = line.trim_end().split_once(") alice: ") {
                assert_eq!(text, format!("line {next}"), "every line, in order");
                next += 1;
            }
        }
        let took = started.elapsed().as_secs_f64();
        // The member earns a line every 1/LINES_PER_SECOND s and waits only past the slack:
        // at least this long, however fast the machine; without a pace, a few milliseconds.
        let least = f64::from(past_burst - SLACK) / f64::from(LINES_PER_SECOND);
        assert!(
            took >= least * 0.99,
            "took {took:.3} s, not at least {least:.3} s"
        );
        stop.send(()).unwrap();
        server.join().unwrap().unwrap();
    }
}
