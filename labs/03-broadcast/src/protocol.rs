//! Every line the room server sends, in one place, so that lab 03 and lab 05 say the same words
//! (the guide's protocol section is the contract these functions keep).
//!
//! Each function returns the line as sent, with its `\n`. `now` is the time stamp
//! (`labkit::clock::time()`), taken once per event so every member sees the same.

/// How many names a member list shows before it only counts the rest. Every join is announced
/// to every member, so join traffic grows with the square of the room; a list that grew with the
/// room too would make it grow with the cube.
pub const LISTED: usize = 10;

/// The members in joining order, the first [`LISTED`] by name: `a, b and 9990 more`.
pub fn member_list<'a>(names: impl IntoIterator<Item = &'a str>, count: usize) -> String {
    let shown: Vec<&str> = names.into_iter().take(LISTED).collect();
    let mut list = shown.join(", ");
    if count > LISTED {
        list += &format!(" and {} more", count - LISTED);
    }
    list
}

/// To the newcomer, once it has joined.
pub fn welcome(now: &str, name: &str, list: &str) -> String {
    format!("({now}) * Welcome, {name}! In the room: {list}. Type CLOSE to leave.\n")
}

/// To the others, when `name` joins.
pub fn joined(now: &str, name: &str, list: &str) -> String {
    format!("({now}) * {name} joined! In the room: {list}.\n")
}

/// To the others, when `name` leaves, in whatever way.
pub fn left(now: &str, name: &str) -> String {
    format!("({now}) * {name} left!\n")
}

/// To a member that left with `CLOSE` or `shutdown`.
pub fn goodbye(now: &str, name: &str) -> String {
    format!("({now}) * Goodbye, {name}!\n")
}

/// The documents' broadcast line: `text` said by `name`, to every member, the sender included.
pub fn message(now: &str, name: &str, text: &str) -> String {
    format!("({now}) {name}: {text}\n")
}

/// To every member, when the server stops.
pub fn shutting_down(now: &str) -> String {
    format!("({now}) * The server is shutting down. Goodbye!\n")
}

/// The nickname prompt (see `nickname::PROMPT`).
pub fn prompt() -> String {
    format!("{}\n", crate::nickname::PROMPT)
}

/// A name that was not accepted, and why; a new prompt follows.
pub fn nickname_refused(reason: &str) -> String {
    format!("! nickname refused: {reason}\n")
}

/// The refusal reason for a name already in the room (or one that looks like it).
pub fn taken(name: &str) -> String {
    format!("{name} is already in the room")
}

/// A line the sender alone gets back: `! {reply}` (a line too long, not UTF-8, text refused).
pub fn refused(reply: &str) -> String {
    format!("! {reply}\n")
}

/// Over the line limit: to its sender only.
pub fn line_too_long(limit: usize) -> String {
    refused(&format!(
        "line too long: the limit is {limit} bytes; it was not sent"
    ))
}

/// Not UTF-8: to its sender only.
pub fn not_utf8() -> String {
    refused("not UTF-8: the line was not sent")
}

/// Why a connection is closed by the server: the one line it gets before the close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closing {
    /// The server holds as many connections as it may.
    RoomFull,
    /// Too many connections from this address are still choosing a name.
    TooManyUnnamed,
    /// No acceptable name arrived within the deadline.
    NoNameInTime,
    /// The member fell too far behind the room.
    FellBehind,
    /// The member stopped reading what the room sends.
    StoppedReading,
}

impl Closing {
    /// The reason, as the log and the member's last line give it.
    pub fn reason(self) -> &'static str {
        match self {
            Closing::RoomFull => "the room is full",
            Closing::TooManyUnnamed => "too many connections from your address are choosing a name",
            Closing::NoNameInTime => "no name in time",
            Closing::FellBehind => "fell too far behind",
            Closing::StoppedReading => "stopped reading",
        }
    }

    /// The last line the connection gets.
    pub fn line(self) -> String {
        refused(&format!("closing: {}", self.reason()))
    }
}
