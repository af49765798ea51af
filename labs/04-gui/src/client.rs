//! The client as a whole: the documents' `Client` class, its `__init__` and the loop that
//! ties the window to the network.
//!
//! `__init__` connects, asks for a nickname and starts two threads, one for the GUI and one
//! for `receive`. fltk wants its widgets on the main thread, so here the main thread is the
//! GUI thread, and the socket gets two threads of its own (`connection.rs`): one reading, one
//! writing. They talk to the GUI thread through fltk's app channel, which also wakes the GUI
//! loop up; the GUI thread talks to the writer through a queue that never blocks. So the
//! window keeps answering even when the server does not.
//!
//! What each line means is decided by the plain functions of `protocol.rs`; this file only
//! carries their answers out.

use std::net::{Shutdown, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use fltk::app;
use labkit::clock;
use labkit::{Context, Result};

use crate::connection::{self, Incoming};
use crate::name_dialog;
use crate::protocol::{self, LEAVE, Session, Step};
use crate::window::{ChatWindow, Message};

/// How long the client waits, once its window is closed, for the server to confirm the leave
/// (its goodbye, then the end of the connection) before it quits anyway.
const LEAVE_TIMEOUT: Duration = Duration::from_secs(2);

/// What the user asked for on the command line.
pub struct Options {
    /// `host:port`, for the title.
    pub address: String,
    /// The nickname from `--name`; without it, a dialog asks.
    pub name: Option<String>,
    /// Also print each line shown in the chat area on standard output.
    pub echo: bool,
}

/// Runs the window on the connected `stream` until the user closes it.
pub fn run(stream: TcpStream, options: Options) -> Result<()> {
    let app = app::App::default();
    let (events, inbox) = app::channel::<Message>();

    let reading = stream.try_clone().context("cannot share the connection")?;
    let writing = stream.try_clone().context("cannot share the connection")?;
    let (reader_done, reader_finished) = mpsc::channel::<()>();
    thread::spawn(move || {
        connection::receive(reading, |incoming| events.send(Message::Network(incoming)));
        reader_done.send(()).ok();
    });
    let (outbox, queued) = mpsc::channel::<String>();
    thread::spawn(move || {
        connection::send(writing, queued, |incoming| {
            events.send(Message::Network(incoming))
        });
    });

    let title = protocol::window_title(&options.address, None);
    let window = ChatWindow::build(&title, events);
    let mut chat = Chat::new(window, outbox, options);

    let mut leave_sent = false;
    'gui: while app.wait() {
        while let Some(message) = inbox.recv() {
            match message {
                Message::Network(incoming) => chat.on_network(incoming),
                Message::Send => chat.write(),
                Message::Close => {
                    leave_sent = chat.stop();
                    break 'gui;
                }
            }
            if chat.gave_up {
                break 'gui;
            }
        }
    }
    // Closing the queue lets the writer thread send what is left in it (the leave), then end.
    drop(chat);

    // The window is gone; the server may still be answering the leave. Its closing the
    // connection is the confirmation, and ends the reader thread: wait for that, briefly.
    if leave_sent {
        reader_finished.recv_timeout(LEAVE_TIMEOUT).ok();
    }
    stream.shutdown(Shutdown::Both).ok();
    Ok(())
}

/// The state the GUI thread keeps between two messages.
struct Chat {
    window: ChatWindow,
    outbox: mpsc::Sender<String>,
    address: String,
    echo: bool,
    session: Session,
    /// The last name sent to the server, shown in the title once accepted.
    name: Option<String>,
    connected: bool,
    /// The user cancelled the nickname dialog: there is no room to stay in.
    gave_up: bool,
}

impl Chat {
    /// Starts the conversation: with `--name`, the name goes out at once, before the prompt.
    fn new(window: ChatWindow, outbox: mpsc::Sender<String>, options: Options) -> Chat {
        let mut chat = Chat {
            window,
            outbox,
            address: options.address,
            echo: options.echo,
            session: Session::new(),
            name: None,
            connected: true,
            gave_up: false,
        };
        if let Some(name) = options.name {
            chat.send_name(&name);
            chat.session = Session::with_name_sent();
        }
        chat
    }

    fn show(&mut self, line: &str) {
        self.window.show_line(&protocol::for_display(line));
        if self.echo {
            println!("{line}");
        }
    }

    fn send_line(&mut self, line: String) {
        // The writer thread is gone only after the connection broke, which is already shown.
        self.outbox.send(line).ok();
    }

    fn send_name(&mut self, typed: &str) {
        let name = protocol::name_to_send(typed);
        self.name = Some(name.clone());
        self.send_line(name);
    }

    /// The documents' `receive`, for one event of the network threads.
    fn on_network(&mut self, incoming: Incoming) {
        match incoming {
            Incoming::Line(line) => match self.session.on_line(&line) {
                Step::Nothing => {}
                Step::Show(line) => self.show(&line),
                Step::AskName(question) => self.ask_name(&question),
                Step::Joined(line) => {
                    self.show(&line);
                    let title = protocol::window_title(&self.address, self.name.as_deref());
                    self.window.set_title(&title);
                    self.window.set_can_send(true);
                }
            },
            Incoming::Closed => {
                let notice = self.session.closed_notice(&clock::time());
                self.disconnected(&notice);
            }
            Incoming::Lost(reason) => {
                let notice = protocol::lost_notice(&clock::time(), &reason);
                self.disconnected(&notice);
            }
        }
    }

    /// Both threads report a broken connection; the window says it once.
    fn disconnected(&mut self, notice: &str) {
        if self.connected {
            self.connected = false;
            self.show(notice);
            self.window.set_can_send(false);
        }
    }

    /// The nickname dialog (the documents' `simpledialog.askstring`), filled in with the
    /// name the server refused, if any. Cancelling it ends the program.
    fn ask_name(&mut self, question: &str) {
        let previous = self.name.clone().unwrap_or_default();
        match name_dialog::ask_name(question, &previous, self.window.area()) {
            Some(typed) => self.send_name(&typed),
            None => self.gave_up = true,
        }
    }

    /// The documents' `write`: the message box's text goes to the server, which sends it back
    /// to everyone, this window included; that copy is the one the chat area shows.
    // course: cut | once connected and joined, take the message box's text, and if protocol::message_to_send makes a line of it, tell the session and queue it for the server | guide/src/lab04-gui.md#where-the-documents-functions-went
    fn write(&mut self) {
        if !self.connected || !self.session.joined() {
            return;
        }
        if let Some(line) = protocol::message_to_send(&self.window.take_message()) {
            self.session.sent(&line);
            self.send_line(line);
        }
    }

    /// The documents' `stop`: leave the room properly, then close the window. Returns whether
    /// a leave was sent, so that the caller waits for the server's answer.
    // course: cut | if connected and joined, queue the leave line (LEAVE); close the window either way, and return whether a leave was sent | guide/src/lab04-gui.md#where-the-documents-functions-went
    fn stop(&mut self) -> bool {
        let leaving = self.connected && self.session.joined();
        if leaving {
            self.send_line(LEAVE.to_string());
        }
        self.window.close();
        leaving
    }
}
