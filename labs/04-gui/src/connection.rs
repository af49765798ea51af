//! The socket's two threads, so that the window never waits for the network.
//!
//! - [`receive`] is the reading half of the documents' `receive` thread: it reads the server's
//!   lines and hands each one over. The documents' version writes into the text area from that
//!   thread; a GUI toolkit must only be touched from its own thread, so here the line is handed
//!   to a function (the window passes one that posts it on fltk's app channel).
//! - [`send`] is the sending half of the documents' `write`: the documents call `sock.send`
//!   on the GUI thread, so a server that stops reading freezes the window once the socket's
//!   buffer is full. Here the window only drops the line into a queue, and this thread waits
//!   for the socket instead.
//!
//! Neither knows about fltk: the tests run them on plain sockets.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::Receiver;

use labkit::error::explain;

/// The longest line the client accepts from the server, in bytes: a chat line is at most the
/// protocol's 8192 bytes of text after the time stamp and the name, so this leaves room. A longer
/// line (a server that does not follow the protocol) is shown in pieces of this size, instead of
/// filling the memory.
const MOST_BYTES_PER_LINE: u64 = 16 * 1024;

/// What the network threads tell the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// One line from the server, without its line end.
    Line(String),
    /// The server closed the connection.
    Closed,
    /// The connection broke; the reason, in words.
    Lost(String),
}

/// Reads the server's lines until the connection ends, passing each to `deliver`, then
/// [`Incoming::Closed`] or [`Incoming::Lost`].
// course: cut | read the server's lines with read_line and deliver each one, then deliver Closed at the end of the stream or Lost with the error explained | guide/src/lab04-gui.md#one-thread-owns-the-window
pub fn receive(stream: TcpStream, deliver: impl Fn(Incoming)) {
    let mut reader = BufReader::new(stream);
    loop {
        match read_line(&mut reader) {
            Ok(Some(line)) => deliver(Incoming::Line(line)),
            Ok(None) => return deliver(Incoming::Closed),
            Err(error) => return deliver(Incoming::Lost(explain(&error))),
        }
    }
}

/// One line, its `\n` (and a `\r` before it) removed; `None` at the end of the stream. Bytes that
/// are not UTF-8 are shown as `�` rather than losing the line.
fn read_line(reader: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut bytes = Vec::new();
    reader
        .by_ref()
        .take(MOST_BYTES_PER_LINE)
        .read_until(b'\n', &mut bytes)?;
    if bytes.is_empty() {
        return Ok(None);
    }
    if bytes.ends_with(b"\n") {
        bytes.pop();
        if bytes.ends_with(b"\r") {
            bytes.pop();
        }
    }
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Writes each queued line to the server, with its `\n`, until the queue is closed (the window
/// has gone) or the connection breaks, which is reported through `deliver`.
// course: cut | write each queued line to the stream with its \n until the queue closes; on a write error deliver Lost with the error explained and stop | guide/src/lab04-gui.md#one-thread-owns-the-window
pub fn send(mut stream: TcpStream, queue: Receiver<String>, deliver: impl Fn(Incoming)) {
    for line in queue {
        let written = stream
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stream.flush());
        if let Err(error) = written {
            return deliver(Incoming::Lost(explain(&error)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::sync::mpsc;
    use std::thread;

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    fn received_from(bytes: &[u8]) -> Vec<Incoming> {
        let (client, mut server) = pair();
        server.write_all(bytes).unwrap();
        drop(server);
        let (tx, rx) = mpsc::channel();
        receive(client, move |incoming| tx.send(incoming).unwrap());
        rx.into_iter().collect()
    }

    #[test]
    fn lines_arrive_whole_then_the_close() {
        let lines = received_from("nick? x\r\n(12:00:01) bob: سلام\n\nlast".as_bytes());
        assert_eq!(
            lines,
            [
                Incoming::Line("nick? x".into()),
                Incoming::Line("(12:00:01) bob: سلام".into()),
                Incoming::Line(String::new()),
                Incoming::Line("last".into()),
                Incoming::Closed,
            ]
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_do_not_lose_the_line() {
        let lines = received_from(b"caf\xe9 ok\n");
        assert_eq!(
            lines,
            [Incoming::Line("caf\u{fffd} ok".into()), Incoming::Closed]
        );
    }

    #[test]
    fn an_endless_line_comes_in_bounded_pieces() {
        let long = vec![b'a'; MOST_BYTES_PER_LINE as usize + 10];
        let lines = received_from(&long);
        let sizes: Vec<usize> = lines
            .iter()
            .map(|incoming| match incoming {
                Incoming::Line(line) => line.len(),
                _ => 0,
            })
            .collect();
        assert_eq!(sizes, [MOST_BYTES_PER_LINE as usize, 10, 0]);
    }

    #[test]
    fn queued_lines_go_out_in_order_with_their_line_ends() {
        let (client, server) = pair();
        let (queue, queued) = mpsc::channel();
        let sender = thread::spawn(move || send(client, queued, |_| {}));
        queue.send("alice".to_string()).unwrap();
        queue.send("مرحبا".to_string()).unwrap();
        drop(queue);
        sender.join().unwrap();
        let mut arrived = String::new();
        BufReader::new(server).read_to_string(&mut arrived).unwrap();
        assert_eq!(arrived, "alice\nمرحبا\n");
    }

    #[test]
    fn a_broken_connection_is_reported_in_words() {
        let (client, server) = pair();
        drop(server);
        let (queue, queued) = mpsc::channel();
        let (tx, rx) = mpsc::channel();
        let sender = thread::spawn(move || send(client, queued, move |i| tx.send(i).unwrap()));
        // The first write to a closed peer may still succeed: the failure shows once the peer's
        // reset has come back. Keep queueing until the sender thread has given up (bounded).
        for _ in 0..10_000 {
            if queue.send("x".repeat(1000)).is_err() {
                break;
            }
        }
        drop(queue);
        sender.join().unwrap();
        let reported = rx.try_recv();
        assert!(
            matches!(&reported, Ok(Incoming::Lost(reason)) if !reason.is_empty()),
            "{reported:?}"
        );
    }
}
