//! The client's half of the room protocol, as plain functions: no window, no socket.
//!
//! The documents' `receive` mixes three jobs in one loop: reading the socket, answering the
//! server's `nick` prompt, and writing into the chat area. Here the middle job lives alone, in
//! [`Session`], so that the tests can feed it server lines and check what the window would do,
//! without a display. [`message_to_send`] is the decision the documents' `write` makes (what
//! goes on the wire for what was typed), and the `*_notice` functions word what the client itself
//! adds to the chat area.
//!
//! The lines are the lab 03 room protocol (the guide's lab 03 chapter gives it in full):
//! `nick? ...` and `! nickname refused: ...` during the handshake, then time-stamped lines
//! (`(12:00:01) alice: hello`, `(12:00:05) * bob left!`) and `! ...` errors once in the room.

use crate::words;

/// What a member sends to leave the room: the server answers with a goodbye and closes.
pub const LEAVE: &str = "CLOSE";

/// Every word the server takes as "end my session" (lab 03 accepts the three documents' words).
const LEAVE_WORDS: [&str; 3] = [LEAVE, "CLOSE123123", "shutdown"];

const NAME_PROMPT: &str = "nick? ";
const NAME_REFUSED: &str = "! nickname refused: ";

/// One line from the server, sorted by what the client must do with it.
#[derive(Debug, PartialEq, Eq)]
pub enum ServerLine<'a> {
    /// `nick? (1 to 16 letters, ...)`: the server asks for a name; this is the hint after `nick? `.
    NamePrompt(&'a str),
    /// `! nickname refused: it is empty`: the reason after the colon.
    NameRefused(&'a str),
    /// `(12:00:01) ...`: a room event or a chat message, shown as it is.
    Stamped(&'a str),
    /// Anything else (`! line too long: ...`, a server that does not follow the protocol): shown.
    Other(&'a str),
}

impl<'a> ServerLine<'a> {
    pub fn parse(line: &'a str) -> Self {
        if let Some(hint) = line.strip_prefix(NAME_PROMPT) {
            ServerLine::NamePrompt(hint)
        } else if let Some(reason) = line.strip_prefix(NAME_REFUSED) {
            ServerLine::NameRefused(reason)
        } else if has_time_stamp(line) {
            ServerLine::Stamped(line)
        } else {
            ServerLine::Other(line)
        }
    }
}

/// True for lines that start like `(12:00:01) `.
fn has_time_stamp(line: &str) -> bool {
    let bytes = line.as_bytes();
    let shape = b"(99:99:99) ";
    bytes.len() >= shape.len()
        && shape.iter().zip(bytes).all(|(want, got)| match want {
            b'9' => got.is_ascii_digit(),
            _ => want == got,
        })
}

/// What the window must do after a line from the server.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing to do: the prompt a name sent ahead has already answered.
    Nothing,
    /// Add this line to the chat area.
    Show(String),
    /// Open the nickname dialog with this question.
    AskName(String),
    /// Add this line to the chat area: it is the welcome, the client is now in the room.
    Joined(String),
}

/// Where the client is in the conversation with the server.
#[derive(Debug, Default)]
pub struct Session {
    /// A name was sent before its prompt arrived (`--name`): the next prompt is already answered.
    answered_ahead: bool,
    /// The server's last reason for refusing a name, repeated in the next dialog.
    refusal: Option<String>,
    joined: bool,
    /// The user typed a leave word, so the server closing the connection is expected.
    leaving: bool,
}

impl Session {
    /// A session whose user gave no name yet: the server's prompt will open the dialog.
    pub fn new() -> Self {
        Session::default()
    }

    /// A session whose name was sent straight after connecting, before the server asked
    /// (the protocol allows it: the first line is the name either way).
    pub fn with_name_sent() -> Self {
        Session {
            answered_ahead: true,
            ..Session::default()
        }
    }

    pub fn joined(&self) -> bool {
        self.joined
    }

    /// The documents' `receive`, minus the socket and the widgets: what one server line means.
    pub fn on_line(&mut self, line: &str) -> Step {
        match ServerLine::parse(line) {
            ServerLine::NamePrompt(hint) if !self.joined => {
                if self.answered_ahead {
                    self.answered_ahead = false;
                    Step::Nothing
                } else {
                    Step::AskName(name_question(hint, self.refusal.as_deref()))
                }
            }
            ServerLine::NameRefused(reason) if !self.joined => {
                self.answered_ahead = false;
                self.refusal = Some(reason.to_string());
                Step::Show(line.to_string())
            }
            ServerLine::Stamped(_) if !self.joined => {
                self.joined = true;
                self.refusal = None;
                Step::Joined(line.to_string())
            }
            _ => Step::Show(line.to_string()),
        }
    }

    /// Remembers that the user sent `line`, to tell a requested goodbye from a lost server.
    pub fn sent(&mut self, line: &str) {
        if self.joined && LEAVE_WORDS.contains(&line) {
            self.leaving = true;
        }
    }

    /// What the chat area says when the server closes the connection (time stamp `time`).
    pub fn closed_notice(&self, time: &str) -> String {
        if self.leaving {
            format!("({time}) * You have left the room.")
        } else {
            format!("({time}) * The server closed the connection.")
        }
    }
}

/// The nickname dialog's question: the server's hint, and why the last name was refused.
pub fn name_question(hint: &str, refusal: Option<&str>) -> String {
    let ask = format!("{} {hint}", words::QUESTION);
    match refusal {
        Some(reason) => format!("The server refused that name: {reason}.\n{ask}"),
        None => ask,
    }
}

/// What the name typed in the dialog becomes on the wire: the spaces around it are dropped,
/// everything else is left for the server to judge (it gives the reason when it refuses).
pub fn name_to_send(typed: &str) -> String {
    typed.trim().to_string()
}

/// What goes on the wire for the text in the message box, or `None` when there is nothing to
/// send (an empty or blank box). A message is one line on the wire, so pasted line breaks become
/// spaces instead of splitting it into several messages.
pub fn message_to_send(typed: &str) -> Option<String> {
    if typed.trim().is_empty() {
        return None;
    }
    let one_line: String = typed
        .trim_end_matches(['\r', '\n'])
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    Some(one_line)
}

/// Unicode's invisible marks that steer the bidirectional algorithm (pango applies it).
const LEFT_TO_RIGHT_MARK: char = '\u{200E}';
const FIRST_STRONG_ISOLATE: char = '\u{2068}';
const POP_DIRECTIONAL_ISOLATE: char = '\u{2069}';

/// How a line is put into the chat area so that Arabic and Persian read right.
///
/// Left alone, a line takes its direction from its first letter: `(12:00:01) مریم: hello`
/// would be laid out right to left as a whole, its time stamp thrown to the far right. So every
/// line starts with a left-to-right mark (the line's frame, time stamp and name first, is
/// left to right), and in a chat line the name and the text are each isolated, so that each
/// takes its own direction: `سلام به همه!` keeps its `!` at its left end, where it belongs.
/// The marks are invisible; `--echo` prints the line without them.
pub fn for_display(line: &str) -> String {
    let mut shown = String::from(LEFT_TO_RIGHT_MARK);
    match chat_parts(line) {
        Some((stamp, name, text)) => {
            shown.push_str(stamp);
            shown.push(FIRST_STRONG_ISOLATE);
            shown.push_str(name);
            shown.extend([POP_DIRECTIONAL_ISOLATE, ':', ' ', FIRST_STRONG_ISOLATE]);
            shown.push_str(text);
            shown.push(POP_DIRECTIONAL_ISOLATE);
        }
        None => shown.push_str(line),
    }
    shown
}

/// `(12:00:01) alice: hello` as `("(12:00:01) ", "alice", "hello")`; `None` for any other
/// line. Names contain neither `:` nor a space, so the first `": "` ends the name.
fn chat_parts(line: &str) -> Option<(&str, &str, &str)> {
    if !has_time_stamp(line) {
        return None;
    }
    let (stamp, body) = line.split_at("(12:00:01) ".len());
    let (name, text) = body.split_once(": ")?;
    let is_name = !name.is_empty() && !name.contains(' ') && name != "*";
    is_name.then_some((stamp, name, text))
}

/// What the chat area says when the connection breaks (`reason` is already a sentence part).
pub fn lost_notice(time: &str, reason: &str) -> String {
    format!("({time}) * Lost the connection to the server: {reason}.")
}

/// The window's title: document 000's `CHATT APPLICATION`, then where it is connected, and as
/// whom once the server has accepted the name (a student runs several windows side by side).
pub fn window_title(address: &str, name: Option<&str>) -> String {
    match name {
        Some(name) => format!("{}: {name} at {address}", words::TITLE),
        None => format!("{} at {address}", words::TITLE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROMPT: &str = "nick? (1 to 16 letters, digits, '-' or '_')";
    const WELCOME: &str = "(12:00:00) * Welcome, alice! In the room: alice. Type CLOSE to leave.";

    #[test]
    fn server_lines_are_sorted_by_their_start() {
        assert_eq!(
            ServerLine::parse(PROMPT),
            ServerLine::NamePrompt("(1 to 16 letters, digits, '-' or '_')")
        );
        assert_eq!(
            ServerLine::parse("! nickname refused: it is empty"),
            ServerLine::NameRefused("it is empty")
        );
        assert_eq!(
            ServerLine::parse("(12:00:01) bob: hi"),
            ServerLine::Stamped("(12:00:01) bob: hi")
        );
        assert_eq!(
            ServerLine::parse("! line too long: the limit is 8192 bytes; it was not sent"),
            ServerLine::Other("! line too long: the limit is 8192 bytes; it was not sent")
        );
        assert_eq!(
            ServerLine::parse("(1a:00:01) bob"),
            ServerLine::Other("(1a:00:01) bob")
        );
        assert_eq!(ServerLine::parse(""), ServerLine::Other(""));
    }

    #[test]
    fn without_a_name_the_prompt_opens_the_dialog() {
        let mut session = Session::new();
        assert_eq!(
            session.on_line(PROMPT),
            Step::AskName("please choose name (1 to 16 letters, digits, '-' or '_')".to_string())
        );
        assert!(!session.joined());
        assert_eq!(session.on_line(WELCOME), Step::Joined(WELCOME.to_string()));
        assert!(session.joined());
    }

    #[test]
    fn a_name_sent_ahead_answers_the_first_prompt() {
        let mut session = Session::with_name_sent();
        assert_eq!(session.on_line(PROMPT), Step::Nothing);
        assert_eq!(session.on_line(WELCOME), Step::Joined(WELCOME.to_string()));
    }

    #[test]
    fn a_refused_name_is_shown_and_asked_again_with_the_reason() {
        let mut session = Session::with_name_sent();
        session.on_line(PROMPT);
        let refusal = "! nickname refused: alice is already in the room";
        assert_eq!(session.on_line(refusal), Step::Show(refusal.to_string()));
        assert_eq!(
            session.on_line(PROMPT),
            Step::AskName(
                "The server refused that name: alice is already in the room.\n\
                 please choose name (1 to 16 letters, digits, '-' or '_')"
                    .to_string()
            )
        );
        assert!(!session.joined());
        assert_eq!(session.on_line(WELCOME), Step::Joined(WELCOME.to_string()));
    }

    #[test]
    fn in_the_room_every_line_is_shown_as_it_came() {
        let mut session = Session::with_name_sent();
        session.on_line(PROMPT);
        session.on_line(WELCOME);
        for line in [
            "(12:00:01) bob: سلام، خوبی؟",
            "(12:00:02) * carol joined! In the room: alice, bob, carol.",
            "! not UTF-8: the line was not sent",
            // After joining, even a line that looks like a prompt is just text.
            "nick? who?",
        ] {
            assert_eq!(session.on_line(line), Step::Show(line.to_string()));
        }
    }

    #[test]
    fn a_goodbye_the_user_asked_for_is_not_a_lost_server() {
        let mut session = Session::with_name_sent();
        session.on_line(PROMPT);
        assert_eq!(
            session.closed_notice("12:00:09"),
            "(12:00:09) * The server closed the connection."
        );
        session.on_line(WELCOME);
        session.sent("hello");
        assert_eq!(
            session.closed_notice("12:00:09"),
            "(12:00:09) * The server closed the connection."
        );
        session.sent("shutdown");
        assert_eq!(
            session.closed_notice("12:00:09"),
            "(12:00:09) * You have left the room."
        );
    }

    #[test]
    fn an_empty_or_blank_message_is_not_sent() {
        assert_eq!(message_to_send(""), None);
        assert_eq!(message_to_send("   "), None);
        assert_eq!(message_to_send("\n"), None);
    }

    #[test]
    fn a_message_goes_out_as_typed_on_one_line() {
        assert_eq!(message_to_send("hello"), Some("hello".to_string()));
        assert_eq!(
            message_to_send("  indented "),
            Some("  indented ".to_string())
        );
        assert_eq!(
            message_to_send("مرحبا بالجميع"),
            Some("مرحبا بالجميع".to_string())
        );
        assert_eq!(
            message_to_send("two\nlines\r\nhere\n"),
            Some("two lines  here".to_string())
        );
    }

    #[test]
    fn names_lose_the_spaces_around_them_only() {
        assert_eq!(name_to_send("  مریم \n"), "مریم");
        assert_eq!(name_to_send("a b"), "a b");
    }

    #[test]
    fn chat_lines_isolate_the_name_and_the_text() {
        assert_eq!(
            for_display("(12:00:01) مریم: Hello from the window"),
            "\u{200E}(12:00:01) \u{2068}مریم\u{2069}: \u{2068}Hello from the window\u{2069}"
        );
        assert_eq!(
            for_display("(12:00:01) bob: سلام به همه!"),
            "\u{200E}(12:00:01) \u{2068}bob\u{2069}: \u{2068}سلام به همه!\u{2069}"
        );
        // The text may hold ": " too; the name ends at the first one.
        assert_eq!(
            for_display("(12:00:01) bob: note: this"),
            "\u{200E}(12:00:01) \u{2068}bob\u{2069}: \u{2068}note: this\u{2069}"
        );
    }

    #[test]
    fn other_lines_only_get_their_direction() {
        for line in [
            "(12:00:00) * Welcome, مریم! In the room: bob, مریم. Type CLOSE to leave.",
            "(12:00:00) * bob left!",
            "! nickname refused: it is empty",
            "(12:00:00) no colon here",
        ] {
            assert_eq!(for_display(line), format!("\u{200E}{line}"));
        }
    }

    #[test]
    fn notices_and_titles_read_as_sentences() {
        assert_eq!(
            lost_notice("12:00:09", "the connection was reset"),
            "(12:00:09) * Lost the connection to the server: the connection was reset."
        );
        assert_eq!(
            window_title("127.0.0.1:9090", None),
            "CHATT APPLICATION at 127.0.0.1:9090"
        );
        assert_eq!(
            window_title("127.0.0.1:9090", Some("مریم")),
            "CHATT APPLICATION: مریم at 127.0.0.1:9090"
        );
    }
}
