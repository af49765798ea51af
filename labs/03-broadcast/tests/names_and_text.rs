//! Lab 03's grading suite: hostile names and hostile text (issue 11, items 5 and 6), through a
//! real server and the lab's own client.
//!
//! A member must not be able to pass for another (a name that looks like one already in the
//! room is taken, a name that shows as nothing is refused), nor draw on anyone's screen or the
//! server's log (a line with a control, bidi or invisible character is refused to its sender,
//! with the character named), while Persian and Arabic text passes untouched. Grade another
//! server with `LAB03_SERVER`, another client with `LAB03_CLIENT` (see room.rs).

mod common;

use common::{PROMPT, join, join_with_client, start_server};
use harness::{Conversation, Terminal, assert_transcript, stage_role};

/// `transcript` with every character a terminal would obey or hide, and the combining accents,
/// written as `\u{...}`: a snapshot then shows what was sent (a decomposed `é` too).
fn visible(transcript: &str) -> String {
    transcript
        .chars()
        .map(|c| match c {
            '\n' => "\n".to_string(),
            c if c.is_control()
                || ('\u{200B}'..='\u{206F}').contains(&c)
                || ('\u{300}'..='\u{36F}').contains(&c)
                || ['\u{3164}', '\u{FEFF}'].contains(&c) =>
            {
                c.escape_unicode().to_string()
            }
            c => c.to_string(),
        })
        .collect()
}

#[test]
fn names_that_look_alike_or_show_as_nothing_are_refused() {
    let talk = Conversation::new("lab03: look-alike and invisible names");
    let (mut server, address) = start_server(&talk);
    let mut ali = join(&talk, &mut server, "Ali", address);
    let _ace = join(&talk, &mut server, "Ace", address);
    ali.expect("* Ace joined! In the room: Ali, Ace.\n");

    let mut newcomer = talk.connect("a newcomer", address);
    newcomer.expect(PROMPT);
    let mixed = "it mixes scripts whose letters look alike (such as Latin and Cyrillic)";
    let refusals: [(&str, &str); 13] = [
        // Case, width and script: each shows as "Ali" or "Ace" to the others.
        ("ALI", "ALI is already in the room"),
        ("ali", "ali is already in the room"),
        ("Ａｌｉ", "Ali is already in the room"), // fullwidth, shown as NFKC makes it
        (
            "\u{410}\u{441}\u{435}",
            "\u{410}\u{441}\u{435} is already in the room",
        ), // Cyrillic
        ("A\u{200D}li", "A\u{200D}li is already in the room"), // a joiner in the middle
        ("\u{410}li", mixed),                     // Cyrillic А, Latin li
        // Names that show as nothing, or as someone else with something invisible.
        ("\u{3164}", "character U+3164 is invisible"),
        ("Ali\u{3164}", "character U+3164 is invisible"),
        ("\u{640}", "it has no visible letter"), // a lone tatweel
        ("\u{64E}\u{64E}", "it has no visible letter"), // marks alone
        // The words that leave the room, in any case.
        ("CLOSE", "CLOSE is a word for leaving the room"),
        ("close123123", "close123123 is a word for leaving the room"),
        ("Shutdown", "Shutdown is a word for leaving the room"),
    ];
    for (sent, reason) in refusals {
        newcomer.send_line(sent);
        newcomer.expect(&format!("! nickname refused: {reason}\n{PROMPT}"));
    }

    // Precomposed é and decomposed e + U+0301 are one name, shown precomposed.
    let mut jose = join(&talk, &mut server, "José", address);
    newcomer.send_line("Jose\u{301}");
    newcomer.expect(&format!(
        "! nickname refused: José is already in the room\n{PROMPT}"
    ));
    jose.send_line("CLOSE");
    jose.expect("* Goodbye, José!\n");
    server.expect("José left (CLOSE)\n");
    newcomer.send_line("Jose\u{301}");
    newcomer.expect("* Welcome, José! In the room: Ali, Ace, José. Type CLOSE to leave.\n");
    server.expect("name of client is José\n");
    ali.expect("* José joined! In the room: Ali, Ace, José.\n");

    assert_transcript!("lab03_look_alike_names", visible(&newcomer.transcript()));
}

#[test]
fn persian_and_arabic_names_stay_allowed() {
    let talk = Conversation::new("lab03: Persian and Arabic names");
    let (mut server, address) = start_server(&talk);
    // A Persian family name written with its ZWNJ, and an Arabic name stretched by tatweels.
    let mut mehdi = join(&talk, &mut server, "مهدی\u{200C}زاده", address);
    let _mohammad = join(&talk, &mut server, "محــمد", address);
    mehdi.expect("* محــمد joined! In the room: مهدی\u{200C}زاده, محــمد.\n");
}

#[test]
fn forged_and_invisible_lines_are_refused_to_their_sender_only() {
    let talk = Conversation::new("lab03: lines that would forge the room");
    let (mut server, address) = start_server(&talk);
    let mut alice = join(&talk, &mut server, "alice", address);
    let mut bob = join(&talk, &mut server, "bob", address);
    alice.expect("* bob joined! In the room: alice, bob.\n");

    let not_sent = "is not allowed: the line was not sent";
    let refused: [(&str, &str); 8] = [
        // Back to the start of the row, over alice's own time stamp and name: she seems gone.
        ("\r(09:14:54) * alice left!", "U+000D (carriage return)"),
        // Up one row, erase it, and write a line "from" bob there.
        (
            "\u{1b}[1A\u{1b}[2K(09:14:54) bob: I owe alice 100",
            "U+001B (escape)",
        ),
        ("\u{1b}[2J", "U+001B (escape)"), // clear everyone's screen
        ("\u{1b}]0;pwned\u{7}", "U+001B (escape)"), // retitle everyone's window
        ("a\0b", "U+0000 (null)"),
        ("invoice_\u{202E}fdp.exe", "U+202E (right-to-left override)"),
        (
            "ok\u{2028}(09:14:54) * alice left!",
            "U+2028 (line separator)",
        ),
        ("pay\u{200B}pal", "U+200B (zero width space)"),
    ];
    for (sent, character) in refused {
        alice.send_line(sent);
        alice.expect(&format!("! character {character} {not_sent}\n"));
    }

    // What Persian and Arabic need passes: ZWNJ inside a Persian word, RLM, Arabic letters.
    let persian = "می\u{200C}خواهم فردا بیایم";
    let arabic = "\u{200F}مع السلامة يا أصدقائي (غداً)";
    for text in [persian, arabic] {
        alice.send_line(text);
        server.expect(&format!("alice says {text}\n"));
        bob.expect(&format!(") alice: {text}\n"));
        alice.expect(&format!(") alice: {text}\n"));
    }

    // Nothing of the refused lines reached bob, nor the server's log.
    let (bob_saw, log) = (bob.transcript(), server.transcript());
    for forged in ["left!", "I owe", "pwned", "fdp", "pay"] {
        assert!(!bob_saw.contains(forged), "bob saw {forged:?}: {bob_saw}");
        assert!(!log.contains(forged), "the log shows {forged:?}: {log}");
    }
    assert_transcript!("lab03_forged_lines_alice", visible(&alice.transcript()));
    assert_transcript!("lab03_forged_lines_bob", visible(&bob_saw));
    assert_transcript!("lab03_forged_lines_server", visible(&log));
}

#[test]
fn a_padded_message_cannot_put_a_fake_event_on_a_row_of_its_own() {
    let talk = Conversation::new("lab03: a message padded to the terminal's width");
    let (mut server, address) = start_server(&talk);
    let mut mallory = join(&talk, &mut server, "mallory", address);
    let port = address.port().to_string();
    let mut bob = Terminal::start(
        &talk,
        stage_role!("client"),
        &["--port", &port, "--name", "bob"],
        80,
        8,
    );
    bob.expect_screen("Type CLOSE to leave.");
    mallory.expect("* bob joined! In the room: mallory, bob.\n");

    // "(hh:mm:ss) mallory: " is 20 columns: 60 spaces fill the row, and the terminal alone
    // would start the next row with the fake event.
    let fake = "(12:00:00) * The server is shutting down. Goodbye!";
    mallory.send_line(&format!("{}{fake}", " ".repeat(60)));
    let screen = bob.expect_screen("Goodbye!");
    assert!(
        !screen.lines().any(|row| row.starts_with(fake)),
        "a row starts like a room event:\n{screen}"
    );
    assert_transcript!("lab03_padded_message", screen);
}

#[test]
fn a_member_cannot_forge_the_servers_goodbye() {
    let talk = Conversation::new("lab03: a member sends the server's goodbye as text");
    let (mut server, address) = start_server(&talk);
    let mut mallory = join(&talk, &mut server, "mallory", address);
    let mut bob = join_with_client(&talk, &mut server, "bob", address);
    mallory.expect("* bob joined! In the room: mallory, bob.\n");

    mallory.send_line("* The server is shutting down. Goodbye!");
    bob.expect(") mallory: * The server is shutting down. Goodbye!\n");
    // The server then dies without a word: that is a failure, whatever mallory said.
    server.kill();
    let said = bob.wait_failure();
    assert!(said.contains("closed the connection"), "{said}");
}
