//! A raw TCP member: what `nc 127.0.0.1 9090` is to a person, for a test.
//!
//! A peer is usually the client end ([`Conversation::connect`], like `nc HOST PORT`), but it can
//! also be the server end ([`Conversation::accept`], like `nc -l PORT`): a test then plays a
//! fake server, written from a protocol's description, to check a client byte for byte.

use std::io::Write;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;

use crate::conversation::Conversation;
use crate::received::{Missed, Received, end_of, end_of_line, quote, trim_line_end};

/// A TCP connection a test writes to and reads from directly, byte for byte.
pub struct Peer {
    talk: Conversation,
    label: String,
    stream: Option<TcpStream>,
    received: Received,
}

impl Peer {
    pub(crate) fn connect(talk: Conversation, label: &str, address: SocketAddr) -> Peer {
        talk.step(format!("connect {label} to {address}"));
        let stream = match TcpStream::connect(address) {
            Ok(stream) => stream,
            Err(error) => talk.fail(&format!(
                "{label} could not connect to {address}: {error}\n"
            )),
        };
        Peer::over(talk, label, stream)
    }

    pub(crate) fn accept(talk: Conversation, label: &str, listener: &TcpListener) -> Peer {
        let address = match listener.local_addr() {
            Ok(address) => address.to_string(),
            Err(_) => "its listener".to_string(),
        };
        talk.step(format!("wait for a connection to {label} on {address}"));
        // `accept` has no time limit of its own: wait for it on another thread, so a program
        // that never connects fails the step instead of hanging the suite.
        let (tell, accepted) = mpsc::channel();
        match listener.try_clone() {
            Ok(listener) => {
                thread::spawn(move || {
                    let _ = tell.send(listener.accept());
                });
            }
            Err(error) => talk.fail(&format!("{label}: cannot use the listener: {error}\n")),
        }
        let stream = match accepted.recv_timeout(crate::timeout()) {
            Ok(Ok((stream, from))) => {
                talk.step(format!("{label} accepted a connection from {from}"));
                stream
            }
            Ok(Err(error)) => talk.fail(&format!("{label} could not accept: {error}\n")),
            Err(_) => talk.fail(&format!(
                "expected: a connection to {label} on {address}\narrived: none within {} s\n",
                crate::timeout().as_secs_f64()
            )),
        };
        Peer::over(talk, label, stream)
    }

    fn over(talk: Conversation, label: &str, stream: TcpStream) -> Peer {
        // Small writes go out at once: the tests are about what arrives, not about Nagle.
        let _ = stream.set_nodelay(true);
        let reader = match stream.try_clone() {
            Ok(reader) => reader,
            Err(error) => talk.fail(&format!("{label}: cannot read the socket: {error}\n")),
        };
        Peer {
            talk,
            label: label.to_string(),
            stream: Some(stream),
            received: Received::pump(reader),
        }
    }

    /// Sends `line` and `\n`.
    pub fn send_line(&mut self, line: &str) {
        self.talk.step(format!(
            "{} sends {}",
            self.label,
            quote(&format!("{line}\n"))
        ));
        // Echoed before it is sent: a reply can arrive the moment it is, and must come after.
        self.received.echo(&format!("{line}\n"));
        self.write(format!("{line}\n").as_bytes());
    }

    /// Sends `bytes` exactly as given: no line end is added.
    pub fn send_bytes(&mut self, bytes: &[u8]) {
        self.talk.step(format!(
            "{} sends {} bytes: {}",
            self.label,
            bytes.len(),
            quote(&String::from_utf8_lossy(bytes))
        ));
        self.received.echo(&String::from_utf8_lossy(bytes));
        self.write(bytes);
    }

    fn write(&mut self, bytes: &[u8]) {
        let written = match &mut self.stream {
            Some(stream) => stream.write_all(bytes),
            None => Err(std::io::ErrorKind::NotConnected.into()),
        };
        if let Err(error) = written {
            self.talk.fail(&format!(
                "{} could not send: {error}\n{}'s whole transcript:\n{}\n",
                self.label,
                self.label,
                self.transcript()
            ));
        }
    }

    /// Waits until `text` has arrived, and returns everything up to and including it.
    pub fn expect(&mut self, text: &str) -> String {
        self.talk.step(format!(
            "wait for {} to receive {}",
            self.label,
            quote(text)
        ));
        match self
            .received
            .wait(crate::timeout(), |bytes| end_of(bytes, text.as_bytes()))
        {
            Ok(arrived) => arrived,
            Err(missed) => self.missed(&format!("expected: {}", quote(text)), missed),
        }
    }

    /// Waits for the next whole line and returns it without its line end.
    pub fn expect_line(&mut self) -> String {
        self.talk
            .step(format!("wait for {} to receive a line", self.label));
        match self.received.wait(crate::timeout(), end_of_line) {
            Ok(line) => trim_line_end(&line).to_string(),
            Err(missed) => self.missed("expected: a whole line", missed),
        }
    }

    /// Waits until the other side closes the connection; returns what arrived before that.
    pub fn expect_closed(&mut self) -> String {
        self.talk.step(format!(
            "wait for the other side to close {}'s connection",
            self.label
        ));
        match self.received.wait_end(crate::timeout()) {
            Ok(rest) => rest,
            Err(missed) => self.missed("expected: the connection to close", missed),
        }
    }

    /// Closes the sending half, as Ctrl-D in `nc` does: the other side reads end-of-file.
    pub fn finish_sending(&mut self) {
        self.talk
            .step(format!("{} stops sending (end of file)", self.label));
        if let Some(stream) = &self.stream {
            let _ = stream.shutdown(Shutdown::Write);
        }
    }

    /// Drops the connection at once, as a killed client does.
    pub fn vanish(&mut self) {
        self.talk.step(format!("{} vanishes", self.label));
        if let Some(stream) = self.stream.take() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// What `nc` in a terminal would show: what arrived, with what was sent among it.
    pub fn transcript(&self) -> String {
        self.received.transcript()
    }

    /// Everything received so far, as raw bytes.
    pub fn received_bytes(&self) -> Vec<u8> {
        self.received.bytes()
    }

    fn missed(&self, expected: &str, missed: Missed) -> ! {
        let ended = if missed.ended {
            " (the connection has closed)"
        } else {
            ""
        };
        self.talk.fail(&format!(
            "{expected}\narrived instead at {}{ended}: {}\n{}'s whole transcript:\n{}\n",
            self.label,
            quote(&missed.unconsumed),
            self.label,
            self.transcript()
        ))
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        if let Some(stream) = &self.stream {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn a_peer_can_be_the_server_end() {
        let talk = Conversation::new("harness: a fake server");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let client = thread::spawn(move || {
            let mut stream = TcpStream::connect(address).unwrap();
            stream.write_all(b"Honen").unwrap();
            let mut reply = [0u8; 6];
            stream.read_exact(&mut reply).unwrap();
            reply
        });

        let mut server = talk.accept("a fake server", &listener);
        server.expect("Honen");
        server.send_bytes(b"Deemah");
        assert_eq!(&client.join().unwrap(), b"Deemah");
        server.expect_closed();
        assert_eq!(server.received_bytes(), b"Honen");
    }
}
