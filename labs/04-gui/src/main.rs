//! Lab 04: a window for the lab 03 chat room.
//!
//! The documents end with a tkinter client for their room (document 000's and document 003's
//! `Client` class, document 002's `Chatter` window): a nickname dialog, a chat area, a message box
//! and a Send button. This lab is that client with fltk, for the lab 03 server and its protocol.
//! What it teaches: a GUI has one thread that owns the widgets and must never wait, so the socket
//! is read and written on other threads, which post what they get to the GUI thread.
//!
//! Where the documents' functions went:
//! - `Client.__init__` (connect, ask the nickname, start the threads): [`main`] and `client::run`;
//! - `gui_loop` (the window): `window::ChatWindow::build`, placed by `layout.rs`, in document
//!   000's words (`words.rs`), and the event loop in `client::run`; its message box is drawn
//!   by `shaped_input.rs` so that Arabic and Persian are shaped while typed (`bidi_line.rs` says
//!   which stretches read right to left);
//! - `simpledialog.askstring` (the nickname): `name_dialog::ask_name`;
//! - `write` (send the message box's text): `Chat::write` in `client.rs`, deciding with
//!   `protocol::message_to_send`, sending through `connection::send`;
//! - `stop` (the window's close button): `Chat::stop` in `client.rs`;
//! - `receive` (read the socket, answer `nick`, show messages): `connection::receive` reads,
//!   `protocol::Session::on_line` decides, `Chat::on_network` in `client.rs` shows.

mod bidi_line;
mod client;
mod connection;
mod layout;
mod name_dialog;
mod protocol;
mod shaped_input;
mod window;
mod words;

use std::process::ExitCode;

use clap::Parser;
use labkit::Failure;
use labkit::cli::Address;

/// Lab 04: a window for the lab 03 chat room (start `lab03 server` first).
///
/// The documents' tkinter chat client, in fltk. It connects to the room, asks for a nickname
/// (unless --name gives one), then shows the room's messages as they arrive. Type a message
/// and press Enter or click Send: everyone in the room, you included, sees it with the
/// server's time stamp. Closing the window (or Escape) leaves the room: the others see
/// "NAME left!". Arabic and Persian read right to left. The socket is read and written on
/// threads of their own, so the window keeps answering even when the server does not.
#[derive(Parser)]
#[command(name = "lab04")]
struct Cli {
    #[command(flatten)]
    server: Address<9090>,
    /// Your nickname (1 to 16 letters, digits, '-' or '_'); without it, a dialog asks.
    #[arg(long)]
    name: Option<String>,
    /// Also print each line the chat area shows on standard output, without the invisible
    /// direction marks it gets on screen (for tests and scripts).
    #[arg(long)]
    echo: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    labkit::error::run("lab04", || {
        let stream = labkit::net::connect(&cli.server.host, cli.server.port)?;
        if std::env::var_os("DISPLAY").is_none() {
            return Err(Failure::new(
                "there is no display to open the window on (DISPLAY is not set): \
                 run it from a desktop session, or under Xvfb",
            ));
        }
        let options = client::Options {
            address: cli.server.to_string(),
            name: cli.name,
            echo: cli.echo,
        };
        client::run(stream, options)
    })
}
