//! The room server: the documents' `receive` (accept connections, start each one's threads),
//! and starting and stopping cleanly, which the documents' servers cannot do.
//!
//! Each connection gets two threads: `handle` (see the session module) reads its lines, and its
//! writer (see the outbox module) sends it what the room says. The documents read the nickname
//! inside the accept loop, so a client that connects and says nothing stops everybody else from
//! connecting. Here the accept loop only accepts, counts, and turns away (see the gate module).

use std::io::{self, BufRead, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use labkit::cli::Address;
use labkit::error::{Context, Failure, Result, explain};
use labkit::net;
use socket2::SockRef;

use crate::gate::{Gate, Pass};
use crate::outbox::{Outbox, PATIENCE};
use crate::room::Room;
use crate::{log, protocol, session};

/// The kernel's send buffer for each member: 128 KiB (which Linux doubles for its bookkeeping).
pub const SEND_BUFFER: usize = 128 * 1024;

/// How long a connection may take to choose a name, unless told otherwise (`--name-timeout`).
pub const NAME_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the server until Ctrl-C, SIGTERM or SIGHUP, or `shutdown` typed at its console.
pub fn serve(address: &Address<9090>, name_timeout: Duration) -> Result<()> {
    let listener = net::listen(&address.host, address.port)?;
    let local = listener
        .local_addr()
        .context("cannot read the listening address")?;
    log::start().context("cannot start the log thread")?;
    log::line(format!("listening on {local}"));
    let (stop, stop_requested) = mpsc::channel();
    let on_signal = stop.clone();
    ctrlc::set_handler(move || {
        let _ = on_signal.send(());
    })
    .map_err(|error| Failure::new(format!("cannot catch Ctrl-C: {error}")))?;
    spawn("console", move || console(stop)).context("cannot start the console thread")?;
    let served = run(listener, stop_requested, name_timeout);
    // Returning ends the process: the log's last lines first, if anybody reads them.
    log::flush(PATIENCE);
    served
}

/// Serves the room on `listener` until `stop` receives (or all its senders are gone), then
/// tells the members and returns: the testable entry point (start the log first).
pub fn run(listener: TcpListener, stop: Receiver<()>, name_timeout: Duration) -> Result<()> {
    let room = Arc::new(Room::default());
    let accepting = Arc::clone(&room);
    let receiving = move || receive(listener, accepting, name_timeout);
    spawn("receive", receiving).context("cannot start the accept thread")?;
    let _ = stop.recv();
    let closing = room.close();
    let members = closing.len();
    let plural = if members == 1 { "" } else { "s" };
    log::line(format!("stopping: telling {members} member{plural}"));
    let deadline = Instant::now() + PATIENCE;
    for closed in closing {
        let _ = closed.recv_timeout(deadline.saturating_duration_since(Instant::now()));
    }
    // Returning ends the process, and with it the threads still blocked in `accept` or `read`.
    Ok(())
}

/// The server's own console: `shutdown` stops the server. (Lab 05's server uses it too.)
pub fn console(stop: Sender<()>) {
    // A server started without a console (its input at end of file) just keeps running.
    for line in io::stdin().lock().lines() {
        let Ok(line) = line else { return };
        if line.trim() == "shutdown" {
            let _ = stop.send(());
            return;
        }
        log::line("type shutdown to stop the server".to_string());
    }
}

/// The documents' `receive`: accepts connections for ever, and starts each one's threads, or
/// turns it away at once with the reason.
// course: cut | accept connections for ever; let each one through the gate and start its threads, or tell it why not and close it | guide/src/lab03-broadcast.md#receive
fn receive(listener: TcpListener, room: Arc<Room>, name_timeout: Duration) {
    let gate = Arc::new(Gate::default());
    loop {
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
                log::line(format!("connected with {peer}"));
                if let Err(error) = start(stream, peer, &room, pass, name_timeout) {
                    log::line(format!("cannot serve {peer}: {}", explain(&error)));
                }
            }
            Err(why) => {
                log::line(format!("turned away {peer}: {why}"));
                // Never waits: a new connection's socket buffer has room for one line.
                let _ = stream.set_nonblocking(true);
                let _ = (&stream).write_all(protocol::closing(why).as_bytes());
            }
        }
    }
}

/// Starts a connection's two threads: its writer, and `handle`, which reads.
fn start(
    stream: TcpStream,
    peer: SocketAddr,
    room: &Arc<Room>,
    pass: Pass,
    name_timeout: Duration,
) -> io::Result<()> {
    // Chat lines are small and should leave at once, not wait to be merged with the next; and a
    // peer that vanished without a word is noticed, even in a quiet room.
    stream.set_nodelay(true)?;
    net::keep_alive(&stream)?;
    // Left to itself, the kernel would hold up to 4 MiB for a member that does not read, and
    // the server would notice it only megabytes later.
    SockRef::from(&stream).set_send_buffer_size(SEND_BUFFER)?;
    let (outbox, writer) = Outbox::new(stream.try_clone()?, Instant::now() + name_timeout);
    spawn("writer", writer)?;
    let room = Arc::clone(room);
    let reading = move || session::handle(stream, peer, outbox, &room, pass);
    // Should this fail, the outbox is gone with `reading`, which ends the writer.
    spawn("handle", reading)
}

/// Starts one of the server's threads, with a small stack: they keep their buffers on the heap,
/// and a member costs two of them.
fn spawn(name: &str, body: impl FnOnce() + Send + 'static) -> io::Result<()> {
    // `thread::spawn` panics when no thread can be started; the builder returns the error
    // instead, so the server refuses that one connection and carries on.
    let builder = thread::Builder::new()
        .name(name.to_string())
        .stack_size(128 * 1024);
    builder.spawn(body).map(drop)
}
