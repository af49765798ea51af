//! The room server: the documents' `receive` (accept connections, start each one's threads),
//! and starting and stopping cleanly, which the documents' servers cannot do.
//!
//! Each connection gets two threads: `handle` (see the session module) reads its lines, and its
//! writer (see the outbox module) sends it what the room says. The documents read the nickname
//! inside the accept loop, so a client that connects and says nothing stops everybody else from
//! connecting. Here the accept loop only accepts, counts, and turns away (see the gate module).

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::thread;
use std::time::{Duration, Instant};

use labkit::cli::Address;
use labkit::error::{Context, Result, explain};
use labkit::thread::spawn;
use labkit::{log, net, stop};
use socket2::SockRef;

use crate::gate::Gate;
use crate::outbox::{Outbox, PATIENCE};
use crate::protocol;
use crate::room::Room;
use crate::session::{self, Naming};

/// The kernel's send buffer for each member: 128 KiB (which Linux doubles for its bookkeeping).
pub const SEND_BUFFER: usize = 128 * 1024;

/// How long a connection may take to choose a name, unless told otherwise (`--name-timeout`).
pub const NAME_TIMEOUT: Duration = Duration::from_secs(30);

/// What `lab03 server` is told on its command line.
#[derive(clap::Args)]
pub struct Options {
    #[command(flatten)]
    address: Address<9090>,
    /// Seconds a connection has to choose a nickname; then it is closed.
    #[arg(long, value_name = "SECS", default_value_t = NAME_TIMEOUT.as_secs())]
    name_timeout: u64,
}

/// Runs the server until Ctrl-C, SIGTERM or SIGHUP, or `shutdown` typed at its console.
pub fn serve(options: &Options) -> Result<()> {
    let listener = net::listen(&options.address.host, options.address.port)?;
    let local = listener
        .local_addr()
        .context("cannot read the listening address")?;
    log::start().context("cannot start the log thread")?;
    log::line(format!("listening on {local}"));
    let stop = stop::requested()?;
    let served = run(listener, stop, Duration::from_secs(options.name_timeout));
    // Returning ends the process: the log's last lines first, if anybody reads them within a
    // second.
    log::flush(Duration::from_secs(1));
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
                let naming = (pass, Instant::now() + name_timeout);
                if let Err(error) = start(stream, peer, &room, naming) {
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
fn start(stream: TcpStream, peer: SocketAddr, room: &Arc<Room>, naming: Naming) -> io::Result<()> {
    // Chat lines are small and should leave at once, not wait to be merged with the next; and a
    // peer that vanished without a word is noticed, even in a quiet room.
    stream.set_nodelay(true)?;
    net::keep_alive(&stream)?;
    // Left to itself, the kernel would hold up to 4 MiB for a member that does not read, and
    // the server would notice it only megabytes later.
    SockRef::from(&stream).set_send_buffer_size(SEND_BUFFER)?;
    let (outbox, writer) = Outbox::new(stream.try_clone()?);
    spawn("writer", writer)?;
    let room = Arc::clone(room);
    let reading = move || session::handle(stream, peer, outbox, &room, naming);
    // Should this fail, the outbox is gone with `reading`, which ends the writer.
    spawn("handle", reading)
}
