//! Lab 04's grading suite: the real window, on a display without a screen (Xvfb).
//!
//! Each test starts a room server (the lab 03 server, or a stand-in written here that can be made
//! to misbehave), a raw TCP member "bob" like `nc` would be, and the lab04 client with `--echo`,
//! which prints every line its chat area shows: that is how a test reads the window. xdotool
//! types into the window and presses its keys; ImageMagick's `import` photographs it.
//!
//! Closing the window is done with Escape, which FLTK turns into the same close request as the
//! title bar's close button (there is no window manager on Xvfb to draw a title bar).

mod support;

use std::fs;

use harness::{Conversation, Peer};
use support::{Display, Manner, StandIn, start_client};

/// The client's name: Persian, to check right-to-left text in the title and the chat area.
const NAME: &str = "مریم";
/// What bob says: Arabic ("Hello Maryam, how are you?").
const ARABIC: &str = "مرحبا يا مريم، كيف حالك؟";
/// And in Persian ("Hello, everyone!").
const PERSIAN: &str = "سلام به همه!";

/// bob joins the room at `address` as a raw TCP member.
fn bob_joins(talk: &Conversation, address: std::net::SocketAddr) -> Peer {
    let mut bob = talk.connect("bob", address);
    bob.expect("nick? ");
    bob.expect_line();
    bob.send_line("bob");
    bob.expect("Welcome, bob!");
    bob.expect_line();
    bob
}

/// The conversation every server must carry: the window joins, reads Arabic and Persian from
/// bob, sends what is typed into it (Enter sends; an empty box sends nothing), is photographed,
/// and leaves when closed. The photograph is saved as `picture`, and is the guide's if `guide`.
fn converse(
    talk: &Conversation,
    display: &Display,
    address: std::net::SocketAddr,
    picture: &str,
    guide: bool,
) {
    let mut bob = bob_joins(talk, address);

    let mut client = start_client(talk, display, address.port(), &["--name", NAME]);
    client.expect(&format!("* Welcome, {NAME}! In the room: bob, {NAME}."));
    bob.expect(&format!("* {NAME} joined! In the room: bob, {NAME}.\n"));
    let window = display.wait_for_window(talk, "^CHATT APPLICATION: ");

    bob.send_line(ARABIC);
    client.expect(&format!(" bob: {ARABIC}\n"));
    bob.expect(&format!(" bob: {ARABIC}\n"));
    bob.send_line(PERSIAN);
    client.expect(&format!(" bob: {PERSIAN}\n"));
    bob.expect(&format!(" bob: {PERSIAN}\n"));

    // Enter on an empty box sends nothing; the stand-in's record (or bob's next line) shows
    // the next message comes straight after.
    display.press(talk, &window, "Return");
    display.type_into(talk, &window, "Hello from the window");
    display.press(talk, &window, "Return");
    bob.expect(&format!(" {NAME}: Hello from the window\n"));
    client.expect(&format!(" {NAME}: Hello from the window\n"));

    let picture = support::screenshot_path(picture);
    display.screenshot(talk, &window, &picture);
    support::assert_png(&picture, 640, 480);
    if let Some(guide) = guide.then(support::guide_picture).flatten() {
        fs::copy(&picture, guide).expect("copy the picture into the guide");
    }

    display.press(talk, &window, "Escape");
    bob.expect(&format!(" * {NAME} left!\n"));
    client.wait_success();
}

#[test]
fn the_window_chats_with_the_stand_in_server() {
    let talk = Conversation::new("lab04: the window chats with the stand-in server");
    let Some(display) = Display::start("the_window_chats_with_the_stand_in_server") else {
        return;
    };
    let server = StandIn::start(Manner::Polite);
    converse(&talk, &display, server.address, "lab04-stand-in.png", false);
    // What the window put on the wire, in order: its name, the one message, and the leave.
    let mut sent = server.expect(&talk, &format!("{NAME} left (CLOSE)"));
    sent.retain(|event| event.starts_with(&format!("name {NAME:?}")) || event.starts_with(NAME));
    assert_eq!(
        sent,
        [
            format!("name {NAME:?}"),
            format!("{NAME} sent \"Hello from the window\""),
            format!("{NAME} sent \"CLOSE\""),
        ]
    );
}

#[test]
fn the_window_chats_with_the_lab03_server() {
    let talk = Conversation::new("lab04: the window chats with the lab 03 server");
    let Some(display) = Display::start("the_window_chats_with_the_lab03_server") else {
        return;
    };
    let mut server = talk.start(support::lab03_server(), &["--port", "0"]);
    let address = server.address();
    converse(&talk, &display, address, "lab04-window.png", true);
    server.expect(&format!("{NAME} left (CLOSE)\n"));
}

#[test]
fn the_server_going_away_is_shown_in_the_window() {
    let talk = Conversation::new("lab04: the server goes away");
    let Some(display) = Display::start("the_server_going_away_is_shown_in_the_window") else {
        return;
    };
    let server = StandIn::start(Manner::Polite);
    let mut client = start_client(&talk, &display, server.address.port(), &["--name", "alice"]);
    client.expect("* Welcome, alice!");
    let window = display.wait_for_window(&talk, "^CHATT APPLICATION: ");

    talk.step("the server closes every connection");
    server.go_away();
    client.expect("* The server closed the connection.\n");
    // The window is still there, and still answers: closing it ends the program cleanly.
    display.wait_for_window(&talk, "^CHATT APPLICATION: ");
    display.press(&talk, &window, "Escape");
    client.wait_success();
}

#[test]
fn a_silent_server_does_not_freeze_the_window() {
    let talk = Conversation::new("lab04: the server stops answering");
    let Some(display) = Display::start("a_silent_server_does_not_freeze_the_window") else {
        return;
    };
    let server = StandIn::start(Manner::Silent);
    let mut client = start_client(&talk, &display, server.address.port(), &["--name", "alice"]);
    client.expect("* Welcome, alice!");
    server.expect(&talk, "alice is ignored");
    let window = display.wait_for_window(&talk, "^CHATT APPLICATION: ");

    // The server reads nothing more and never answers the leave: the window still takes the
    // typing and the close, and the program ends within its short wait for a goodbye.
    display.type_into(&talk, &window, "anyone there?");
    display.press(&talk, &window, "Return");
    display.press(&talk, &window, "Escape");
    client.wait_success();
}

#[test]
fn a_refused_name_can_be_chosen_again() {
    let talk = Conversation::new("lab04: a refused name is chosen again in the dialog");
    let Some(display) = Display::start("a_refused_name_can_be_chosen_again") else {
        return;
    };
    let server = StandIn::start(Manner::Polite);
    let mut bob = bob_joins(&talk, server.address);

    let mut client = start_client(&talk, &display, server.address.port(), &["--name", "bob"]);
    client.expect("! nickname refused: bob is already in the room\n");
    let dialog = display.wait_for_window(&talk, "^Nickname$");
    // The dialog offers the refused name: select it all, and type another over it.
    display.press(&talk, &dialog, "ctrl+a");
    display.type_into(&talk, &dialog, "carol");
    display.press(&talk, &dialog, "Return");
    client.expect("* Welcome, carol! In the room: bob, carol.");
    bob.expect("* carol joined! In the room: bob, carol.\n");

    let window = display.wait_for_window(&talk, "^CHATT APPLICATION: carol at ");
    display.press(&talk, &window, "Escape");
    bob.expect(" * carol left!\n");
    client.wait_success();
}

#[test]
fn without_a_name_the_dialog_asks_for_one() {
    let talk = Conversation::new("lab04: the nickname dialog");
    let Some(display) = Display::start("without_a_name_the_dialog_asks_for_one") else {
        return;
    };
    let server = StandIn::start(Manner::Polite);
    let mut client = start_client(&talk, &display, server.address.port(), &[]);
    let dialog = display.wait_for_window(&talk, "^Nickname$");
    display.type_into(&talk, &dialog, "dina");
    display.press(&talk, &dialog, "Return");
    client.expect("* Welcome, dina! In the room: dina.");
    server.expect(&talk, "name \"dina\"");

    let window = display.wait_for_window(&talk, "^CHATT APPLICATION: dina at ");
    display.press(&talk, &window, "Escape");
    server.expect(&talk, "dina left (CLOSE)");
    client.wait_success();
}

#[test]
fn cancelling_the_dialog_ends_the_program() {
    let talk = Conversation::new("lab04: the nickname dialog is cancelled");
    let Some(display) = Display::start("cancelling_the_dialog_ends_the_program") else {
        return;
    };
    let server = StandIn::start(Manner::Polite);
    let mut client = start_client(&talk, &display, server.address.port(), &[]);
    let dialog = display.wait_for_window(&talk, "^Nickname$");
    display.press(&talk, &dialog, "Escape");
    client.wait_success();
}

#[test]
fn no_server_is_one_sentence() {
    let talk = Conversation::new("lab04: no server is running");
    // A port that was free a moment ago: nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let client = harness::Role::program("lab04", env!("CARGO_BIN_EXE_lab04"), &[]);
    let mut client = talk.start(client, &["--port", &port.to_string(), "--name", "alice"]);
    let stderr = client.wait_failure();
    assert_eq!(
        stderr,
        format!(
            "lab04: no server is listening on 127.0.0.1:{port}: start the server first, \
             or check --host and --port\n"
        )
    );
}

#[test]
fn help_explains_the_lab() {
    let talk = Conversation::new("lab04: --help");
    let client = harness::Role::program("lab04", env!("CARGO_BIN_EXE_lab04"), &[]);
    let mut client = talk.start(client, &["--help"]);
    client.wait_success();
    let help = client.transcript();
    for expected in ["lab 03 chat room", "--host", "--port", "--name", "--echo"] {
        assert!(
            help.contains(expected),
            "--help lacks {expected:?}:\n{help}"
        );
    }
}
