//! Opening a server's listening socket and a client's connection, with sentences for failures.
//!
//! [`listen`] is Python's `socket()` + `bind()` + `listen()` in one call (`TcpListener::bind`);
//! [`connect`] is `socket()` + `connect()` (`TcpStream::connect`). Both turn the common mistakes
//! (the port is taken, no server is running, the host does not exist) into a sentence that says
//! what to do about it. [`keep_alive`] asks the system to notice a peer that has vanished.
//!
//! std has no way to choose a listen backlog or TCP keepalive's timing; socket2, the crate std's
//! own networking is built on, offers both on Linux, macOS and Windows alike.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::Duration;

use socket2::{Domain, Protocol, SockRef, Socket, TcpKeepalive, Type};

use crate::error::{Failure, Result, explain};

/// How many finished connections the kernel keeps waiting for `accept`. std asks for 128
/// (Python's `listen()` for a similar number): when 500 clients connect at once, the kernel
/// ignores the ones past 128, and they only try again a second later, then 3, then 7. The
/// kernel caps the number anyway (Linux: net.core.somaxconn, 4096 by default).
pub const BACKLOG: i32 = 4096;

/// Listens on `host:port`. Port 0 asks the system for a free port: read the real one from
/// `listener.local_addr()` and print it, since clients (and the tests) need it.
pub fn listen(host: &str, port: u16) -> Result<TcpListener> {
    bind(host, port).map_err(|error| match error.kind() {
        io::ErrorKind::AddrInUse => Failure::new(format!(
            "port {port} on {host} is already in use: stop the other server, \
             or choose another port with --port (--port 0 picks a free one)"
        )),
        io::ErrorKind::AddrNotAvailable => Failure::new(format!(
            "cannot listen on {host}: that address does not belong to this machine"
        )),
        _ => Failure::new(format!(
            "cannot listen on {host}:{port}: {}",
            explain_lookup(&error)
        )),
    })
}

/// `socket()`, `bind()` and `listen(BACKLOG)` on the first address `host` resolves to that
/// can be bound, as `TcpListener::bind` does, with [`BACKLOG`] instead of std's 128.
fn bind(host: &str, port: u16) -> io::Result<TcpListener> {
    let mut last = None;
    for address in (host, port).to_socket_addrs()? {
        match bind_one(address) {
            Ok(listener) => return Ok(listener),
            Err(error) => last = Some(error),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no address")))
}

fn bind_one(address: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(
        Domain::for_address(address),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    // What std does on Unix: a restarted server may listen again at once, although connections
    // of its last run are still closing. (On Windows the option means something else: a second
    // server could take the port from the first. std leaves it off there, and so does this.)
    #[cfg(not(windows))]
    socket.set_reuse_address(true)?;
    socket.bind(&address.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// How long a connection may stay silent before the system starts checking that its peer is
/// still there, and how often it checks then. A peer that answers none of the checks (its
/// machine is off, its network gone) makes the next read fail after about a minute more.
pub const KEEPALIVE_IDLE: Duration = Duration::from_secs(60);
/// The time between two checks, once they have started (see [`KEEPALIVE_IDLE`]).
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);

/// Turns on TCP keepalive for `stream`: after [`KEEPALIVE_IDLE`] of silence the system sends a
/// probe every [`KEEPALIVE_INTERVAL`], and a peer that answers none of them (the system gives up
/// after a few, its own number: 9 on Linux, 10 on Windows, 8 on macOS) ends the connection: a
/// thread blocked reading it gets an error, as when the peer closes it.
pub fn keep_alive(stream: &TcpStream) -> io::Result<()> {
    let keepalive = TcpKeepalive::new()
        .with_time(KEEPALIVE_IDLE)
        .with_interval(KEEPALIVE_INTERVAL);
    SockRef::from(stream).set_tcp_keepalive(&keepalive)
}

/// Connects to the server at `host:port`.
pub fn connect(host: &str, port: u16) -> Result<TcpStream> {
    TcpStream::connect((host, port)).map_err(|error| match error.kind() {
        io::ErrorKind::ConnectionRefused => Failure::new(format!(
            "no server is listening on {host}:{port}: start the server first, \
             or check --host and --port"
        )),
        _ => Failure::new(format!(
            "cannot connect to {host}:{port}: {}",
            explain_lookup(&error)
        )),
    })
}

// A host name that does not resolve comes back as an "uncategorized" error whose text is the
// resolver's; say it plainly.
fn explain_lookup(error: &io::Error) -> String {
    if error.to_string().contains("failed to lookup address") {
        "no such host".to_string()
    } else {
        explain(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_is_a_sentence() {
        let taken = listen("127.0.0.1", 0).unwrap();
        let port = taken.local_addr().unwrap().port();
        let failure = listen("127.0.0.1", port).unwrap_err();
        assert_eq!(
            failure.to_string(),
            format!(
                "port {port} on 127.0.0.1 is already in use: stop the other server, \
                 or choose another port with --port (--port 0 picks a free one)"
            )
        );
    }

    #[test]
    fn the_listen_backlog_holds_hundreds_of_connections_nobody_accepted_yet() {
        // With std's backlog of 128 the kernel would ignore the connections past 129 (they
        // would hang for ever, nobody accepts), and `connect_timeout` would fail.
        let listener = listen("127.0.0.1", 0).unwrap();
        let address = listener.local_addr().unwrap();
        let waiting: Vec<TcpStream> = (0..300)
            .map(|n| {
                TcpStream::connect_timeout(&address, std::time::Duration::from_secs(5))
                    .unwrap_or_else(|error| panic!("connection {n} was not taken: {error}"))
            })
            .collect();
        assert_eq!(waiting.len(), 300);
    }

    #[test]
    fn keepalive_is_on_with_the_documented_timing() {
        let listener = listen("127.0.0.1", 0).unwrap();
        let stream = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        keep_alive(&stream).unwrap();
        let socket = SockRef::from(&stream);
        assert!(socket.keepalive().unwrap());
        assert_eq!(socket.tcp_keepalive_time().unwrap(), KEEPALIVE_IDLE);
    }

    #[test]
    fn no_server_is_a_sentence() {
        // Bind then drop: the port was free a moment ago and nothing listens on it now.
        let port = listen("127.0.0.1", 0).unwrap().local_addr().unwrap().port();
        let failure = connect("127.0.0.1", port).unwrap_err();
        assert!(
            failure
                .to_string()
                .starts_with(&format!("no server is listening on 127.0.0.1:{port}")),
            "{failure}"
        );
    }

    #[test]
    fn an_unknown_host_is_a_sentence() {
        let failure = connect("no-such-host.invalid", 9).unwrap_err();
        assert_eq!(
            failure.to_string(),
            "cannot connect to no-such-host.invalid:9: no such host"
        );
    }
}
