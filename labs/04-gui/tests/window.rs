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
use support::layout::{self, ChatLayout, DialogLayout, Rect};
use support::picture::{self, Place};
use support::{Display, Manner, StandIn, start_client};

/// The client's name: Persian, to check right-to-left text in the title and the chat area.
const NAME: &str = "مریم";
/// What bob says: Arabic ("Hello Maryam, how are you?").
const ARABIC: &str = "مرحبا يا مريم، كيف حالك؟";
/// And in Persian ("Hello, everyone!").
const PERSIAN: &str = "سلام به همه!";
/// What it is typing when photographed, in Arabic ("And you?").
const ARABIC_TYPED: &str = "وأنت؟";

/// bob joins the room at `address` as a raw TCP member.
fn bob_joins(talk: &Conversation, address: std::net::SocketAddr) -> Peer {
    member_joins(talk, address, "bob")
}

/// A raw TCP member called `name` joins the room at `address`.
fn member_joins(talk: &Conversation, address: std::net::SocketAddr, name: &str) -> Peer {
    let mut member = talk.connect(name, address);
    member.expect("nick? ");
    member.expect_line();
    member.send_line(name);
    member.expect(&format!("Welcome, {name}!"));
    member.expect_line();
    member
}

/// The inside of a box of the layout, without its frame: where its text is drawn.
fn inside(rect: Rect) -> Rect {
    Rect {
        x: rect.x + 3,
        y: rect.y + 3,
        w: rect.w - 6,
        h: rect.h - 6,
    }
}

/// The chat window's widgets, where the program puts them.
fn chat_layout() -> ChatLayout {
    ChatLayout::new(layout::WINDOW_WIDTH, layout::WINDOW_HEIGHT)
}

/// The conversation every server must carry: the window joins, reads Arabic and Persian from
/// bob, sends what is typed into it (Enter sends; an empty box sends nothing), is photographed
/// with Arabic being typed in its box, and leaves when closed (what is in the box is not sent).
/// The photograph is saved as `picture`, and is the guide's if `guide`.
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

    display.type_into(talk, &window, ARABIC_TYPED);
    let picture = support::screenshot_path(picture);
    let place = chat_layout();
    // Photographed once the box shows all that was typed (its text's ink as wide as in a
    // picture where it was, the test just before this one checks it is drawn right).
    picture::wait_until_ink_settles(
        talk,
        &|| {
            display.screenshot(talk, &window, &picture);
            picture.clone()
        },
        inside(place.message),
    );
    support::assert_png(&picture, 640, 480);
    // Document 000's colours: the window's green, the heading's light grey.
    let photo = picture::Picture::load(&picture);
    for (what, x, y, colour) in [
        ("the window", 2, 2, layout::BACKGROUND),
        (
            "the heading",
            place.heading.x + 2,
            place.heading.y + 2,
            layout::HEADING_BACKGROUND,
        ),
    ] {
        if photo.colour(x, y) != colour {
            talk.fail(&format!(
                "{what} is {:?} at {x},{y}, not document 000's {colour:?}",
                photo.colour(x, y)
            ));
        }
    }
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
fn arabic_and_persian_are_shaped_while_typed_in_the_message_box() {
    let talk = Conversation::new("lab04: Arabic and Persian typed in the message box");
    let Some(display) =
        Display::start("arabic_and_persian_are_shaped_while_typed_in_the_message_box")
    else {
        return;
    };
    let server = StandIn::start(Manner::Polite);
    let mut bob = bob_joins(&talk, server.address);
    let mut client = start_client(&talk, &display, server.address.port(), &["--name", NAME]);
    client.expect(&format!("* Welcome, {NAME}! In the room: bob, {NAME}."));
    let window = display.wait_for_window(&talk, "^CHATT APPLICATION: ");
    let place = chat_layout();

    for (language, text) in [("Arabic", ARABIC), ("Persian", PERSIAN)] {
        bob.send_line(text);
        client.expect(&format!(" bob: {text}\n"));
        display.type_into(&talk, &window, text);
        // The focus goes to the send button, so that the box's cursor is not in the picture.
        display.press(&talk, &window, "Tab");
        let picture = support::screenshot_path(&format!("lab04-typed-{language}.png"));
        let shoot = || {
            display.screenshot(&talk, &window, &picture);
            picture.clone()
        };
        picture::wait_until_drawn_alike(
            &talk,
            &format!("the {language} typed in the message box"),
            Place {
                shoot: &shoot,
                area: inside(place.message),
            },
            Place {
                shoot: &shoot,
                area: inside(place.chat),
            },
        );
        // And what goes out is what was typed.
        display.press(&talk, &window, "shift+Tab");
        display.press(&talk, &window, "Return");
        bob.expect(&format!(" {NAME}: {text}\n"));
        client.expect(&format!(" {NAME}: {text}\n"));
    }

    display.press(&talk, &window, "Escape");
    bob.expect(&format!(" * {NAME} left!\n"));
    client.wait_success();
}

#[test]
fn a_click_in_persian_text_puts_the_cursor_under_the_mouse() {
    let talk = Conversation::new("lab04: a click in Persian text");
    let Some(display) = Display::start("a_click_in_persian_text_puts_the_cursor_under_the_mouse")
    else {
        return;
    };
    let server = StandIn::start(Manner::Polite);
    let mut bob = bob_joins(&talk, server.address);
    let mut client = start_client(&talk, &display, server.address.port(), &["--name", NAME]);
    client.expect(&format!("* Welcome, {NAME}! In the room: bob, {NAME}."));
    let window = display.wait_for_window(&talk, "^CHATT APPLICATION: ");

    display.type_into(&talk, &window, PERSIAN);
    // The right end of the box is where a Persian line starts: a letter typed after a click
    // there goes first ("Oh, hello to everyone!").
    let message = inside(chat_layout().message);
    display.click(
        &talk,
        &window,
        message.x + message.w - 2,
        message.y + message.h / 2,
    );
    display.type_into(&talk, &window, "آه، ");
    display.press(&talk, &window, "Return");
    bob.expect(&format!(" {NAME}: آه، {PERSIAN}\n"));

    display.press(&talk, &window, "Escape");
    bob.expect(&format!(" * {NAME} left!\n"));
    client.wait_success();
}

#[test]
fn a_persian_name_is_shaped_while_typed_in_the_dialog() {
    let talk = Conversation::new("lab04: a Persian name typed in the nickname dialog");
    let Some(display) = Display::start("a_persian_name_is_shaped_while_typed_in_the_dialog") else {
        return;
    };
    let server = StandIn::start(Manner::Polite);
    // Someone has the name already: the refusal puts it in the chat area, for comparison.
    let _maryam = member_joins(&talk, server.address, NAME);
    let mut client = start_client(&talk, &display, server.address.port(), &["--name", NAME]);
    client.expect(&format!(
        "! nickname refused: {NAME} is already in the room\n"
    ));
    let window = display.wait_for_window(&talk, "^CHATT APPLICATION at ");
    let dialog = display.wait_for_window(&talk, "^Nickname$");
    server.expect(&talk, &format!("name {NAME:?}"));

    // The dialog offers the refused name: select it all, and type it again over it.
    display.press(&talk, &dialog, "ctrl+a");
    display.type_into(&talk, &dialog, NAME);
    display.press(&talk, &dialog, "Tab");
    let in_dialog = support::screenshot_path("lab04-typed-name.png");
    let in_window = support::screenshot_path("lab04-refused-name.png");
    picture::wait_until_drawn_alike(
        &talk,
        "the name typed in the dialog",
        Place {
            shoot: &|| {
                display.screenshot(&talk, &dialog, &in_dialog);
                in_dialog.clone()
            },
            area: inside(DialogLayout::new().name),
        },
        Place {
            shoot: &|| {
                display.screenshot(&talk, &window, &in_window);
                in_window.clone()
            },
            area: inside(chat_layout().chat),
        },
    );
    // OK has the focus; Enter presses it, and the name typed goes out as typed.
    display.press(&talk, &dialog, "Return");
    server.expect(&talk, &format!("name {NAME:?}"));
    client.expect(&format!(
        "! nickname refused: {NAME} is already in the room\n"
    ));
    let dialog = display.wait_for_window(&talk, "^Nickname$");
    display.press(&talk, &dialog, "Escape");
    client.wait_success();
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

/// The kit's root, where the guide's lines are typed.
fn kit_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A line of the guide's lab 04 chapter, run by `sh -c` from the kit's root, as printed (the
/// test `every_printed_line_is_run_by_a_scenario` of tests/tests/typed finds these lines here).
/// The window's lines are given the display, as a desktop's terminal has one.
fn printed(line: &str, display: &Display) -> harness::Role {
    harness::Role::shell(line, line)
        .in_dir(&kit_root())
        .with_env("DISPLAY", display.name())
}

/// What the printed `cargo run` lines run, built first, so that no wait below covers a build.
fn build_the_chapters_programs() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    for package in ["lab03", "lab04"] {
        let status = std::process::Command::new(&cargo)
            .args(["build", "--quiet", "-p", package])
            .current_dir(kit_root())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo build -p {package} failed");
    }
}

/// Port 9090, which the chapter's room uses, must be free: the lines cannot choose another.
fn port_9090_is_free(talk: &Conversation) {
    if std::net::TcpListener::bind("127.0.0.1:9090").is_err() {
        talk.fail("port 9090 on 127.0.0.1 is in use: the chapter's room needs it\n");
    }
}

/// The chapter's "Running it" and its first "Try this", as printed: the room, bob, and the
/// window, which asks a name; then the window asked for bob's name, refused, and a new name
/// chosen in its dialog. One test: both use port 9090.
#[test]
fn the_chapters_lines_run_as_printed() {
    let talk = Conversation::new("lab04: the chapter's lines, as printed");
    let Some(display) = Display::start("the_chapters_lines_run_as_printed") else {
        return;
    };
    build_the_chapters_programs();
    port_9090_is_free(&talk);
    let mut server = talk.start(
        printed(
            r"cargo run -p lab03 -- server              # terminal 1: the room",
            &display,
        ),
        &[],
    );
    server.expect("listening on 127.0.0.1:9090\n");
    let mut bob = talk.start(
        printed(
            r"cargo run -p lab03 -- client --name bob   # terminal 2: someone to talk to",
            &display,
        ),
        &[],
    );
    bob.expect("* Welcome, bob! In the room: bob.");

    // Running it: the window asks a name.
    let mut window = talk.start(
        printed(
            r"cargo run -p lab04                        # terminal 3: the window; it asks your name",
            &display,
        ),
        &[],
    );
    let dialog = display.wait_for_window(&talk, "^Nickname$");
    display.type_into(&talk, &dialog, "dina");
    display.press(&talk, &dialog, "Return");
    bob.expect("* dina joined! In the room: bob, dina.\n");
    let chat = display.wait_for_window(&talk, "^CHATT APPLICATION: dina at ");
    display.press(&talk, &chat, "Escape");
    bob.expect("* dina left!\n");
    window.wait_success();

    // Try this: a name that is taken.
    let mut window = talk.start(printed(r"cargo run -p lab04 -- --name bob", &display), &[]);
    let dialog = display.wait_for_window(&talk, "^Nickname$");
    display.press(&talk, &dialog, "ctrl+a");
    display.type_into(&talk, &dialog, "carol");
    display.press(&talk, &dialog, "Return");
    bob.expect("* carol joined! In the room: bob, carol.\n");
    let chat = display.wait_for_window(&talk, "^CHATT APPLICATION: carol at ");
    display.press(&talk, &chat, "Escape");
    bob.expect("* carol left!\n");
    window.wait_success();
    server.expect("name of client is carol\n");
    bob.close_input();
    bob.wait_success();
    server.interrupt();
    server.wait_success();
}
