//! Opening a server's listening socket and a client's connection, with sentences for failures.
//!
//! [`listen`] is Python's `socket()` + `bind()` + `listen()` in one call (`TcpListener::bind`);
//! [`connect`] is `socket()` + `connect()` (`TcpStream::connect`). Both turn the common mistakes
//! (the port is taken, no server is running, the host does not exist) into a sentence that says
//! what to do about it. [`raise_open_file_limit`] lets a server hold as many connections as the
//! system allows it, and [`send_now`] writes to a socket without ever waiting.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;

use nix::errno::Errno;
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::sys::socket::{self, Backlog, MsgFlags, sockopt};

use crate::error::{Failure, Result, explain};

/// Listens on `host:port`. Port 0 asks the system for a free port: read the real one from
/// `listener.local_addr()` and print it, since clients (and the tests) need it.
pub fn listen(host: &str, port: u16) -> Result<TcpListener> {
    let listener = bind(host, port)?;
    // The backlog is how many connections the kernel completes and keeps waiting for `accept`.
    // std's `bind` asks for 128 (Python's `listen()` asks for a similar number): when 500
    // clients connect at once, the kernel ignores the ones past 128, and they only try again a
    // second later, then 3, then 7. Calling `listen` again on a listening socket just changes
    // its backlog (on Linux); the kernel caps the number at net.core.somaxconn (4096 by
    // default). Should it fail, the socket still listens, with 128.
    let _ = socket::listen(&listener, Backlog::MAXCONN);
    Ok(listener)
}

/// Raises this process's limit of open files to the highest it may set itself (the soft limit
/// to the hard limit), and returns the limit now in force. Every connection is an open file,
/// and the usual soft limit, 1024, would stop a server near a thousand members.
pub fn raise_open_file_limit() -> Result<u64> {
    let cannot =
        |error: nix::Error| Failure::new(format!("cannot raise the open-file limit: {error}"));
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).map_err(cannot)?;
    if soft < hard {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard).map_err(cannot)?;
    }
    Ok(hard.max(soft))
}

/// Writes as much of `bytes` as the socket's send buffer takes at once, and returns how many it
/// took: 0 when the buffer is full. The socket stays blocking for everybody else (a thread
/// blocked in `read` on it, say): only this one call does not wait (`MSG_DONTWAIT`).
pub fn send_now(stream: &TcpStream, bytes: &[u8]) -> io::Result<usize> {
    // MSG_NOSIGNAL: a peer that has gone is an error here, as it is for std's `write`, not a
    // SIGPIPE for the whole process.
    let flags = MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_NOSIGNAL;
    loop {
        match socket::send(stream.as_raw_fd(), bytes, flags) {
            Ok(sent) => return Ok(sent),
            Err(Errno::EAGAIN) => return Ok(0),
            Err(Errno::EINTR) => continue,
            Err(errno) => return Err(errno.into()),
        }
    }
}

/// Sets the kernel's send buffer for `stream` to `bytes` (Linux doubles it for its own
/// bookkeeping). By default it grows with the traffic, up to 4 MiB on loopback.
pub fn set_send_buffer(stream: &TcpStream, bytes: usize) -> io::Result<()> {
    socket::setsockopt(stream, sockopt::SndBuf, &bytes).map_err(io::Error::from)
}

fn bind(host: &str, port: u16) -> Result<TcpListener> {
    TcpListener::bind((host, port)).map_err(|error| match error.kind() {
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
    fn the_open_file_limit_is_raised_to_the_hard_limit() {
        let limit = raise_open_file_limit().unwrap();
        let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
        assert_eq!((limit, soft), (hard, hard));
    }

    #[test]
    fn send_now_takes_what_fits_and_never_waits() {
        let listener = listen("127.0.0.1", 0).unwrap();
        let sender = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (receiver, _) = listener.accept().unwrap();
        assert_eq!(send_now(&sender, b"hello\n").unwrap(), 6);
        // Nobody reads `receiver` past the first line: the buffers fill up, and then each call
        // takes nothing instead of blocking this test for ever.
        let chunk = vec![b'x'; 64 * 1024];
        let mut calls = 0;
        while send_now(&sender, &chunk).unwrap() > 0 {
            calls += 1;
            assert!(calls < 10_000, "the buffers never filled up");
        }
        assert_eq!(send_now(&sender, &chunk).unwrap(), 0);
        let mut first = [0; 6];
        std::io::Read::read_exact(&mut &receiver, &mut first).unwrap();
        assert_eq!(&first, b"hello\n");
    }

    #[test]
    fn the_send_buffer_is_what_was_asked_for_doubled() {
        let listener = listen("127.0.0.1", 0).unwrap();
        let stream = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        set_send_buffer(&stream, 64 * 1024).unwrap();
        let size = socket::getsockopt(&stream, sockopt::SndBuf).unwrap();
        assert_eq!(size, 2 * 64 * 1024);
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
