//! Every line the room server sends, in one place, so that lab 03 and lab 05 say the same words.
//! The guide's protocol section (guide/src/lab03-broadcast.md) is the contract they keep.
//!
//! Each function returns the line as sent, with its `\n`. `now` is the time stamp
//! (`labkit::clock::time()`), taken once per event.

/// How many names a member list shows before it only counts the rest. Every join is announced
/// to every member, so join traffic grows with the square of the room; a list that grew with the
/// room too would make it grow with the cube.
pub const LISTED: usize = 10;

/// The members in joining order, the first [`LISTED`] by name: `a, b and 9990 more`.
pub fn member_list<'a>(names: impl IntoIterator<Item = &'a str>, count: usize) -> String {
    let shown: Vec<&str> = names.into_iter().take(LISTED).collect();
    match count.checked_sub(LISTED) {
        Some(more) if more > 0 => format!("{} and {more} more", shown.join(", ")),
        _ => shown.join(", "),
    }
}

/// The first line of every connection: the nickname prompt (see `nickname::PROMPT`).
pub fn prompt() -> String {
    format!("{}\n", crate::nickname::PROMPT)
}

pub fn welcome(now: &str, name: &str, list: &str) -> String {
    format!("({now}) * Welcome, {name}! In the room: {list}. Type CLOSE to leave.\n")
}

pub fn joined(now: &str, name: &str, list: &str) -> String {
    format!("({now}) * {name} joined! In the room: {list}.\n")
}

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

pub fn shutting_down(now: &str) -> String {
    format!("({now}) * The server is shutting down. Goodbye!\n")
}

/// A reply to one connection only, about what it sent or why it is closed: `! {reply}`.
pub fn refused(reply: &str) -> String {
    format!("! {reply}\n")
}

/// A name that was not accepted, and why; a new prompt follows.
pub fn nickname_refused(reason: &str) -> String {
    refused(&format!("nickname refused: {reason}"))
}

/// The reason for a name already in the room (or one that looks like it).
pub fn taken(name: &str) -> String {
    format!("{name} is already in the room")
}

pub fn line_too_long(limit: usize) -> String {
    refused(&format!(
        "line too long: the limit is {limit} bytes; it was not sent"
    ))
}

pub fn not_utf8() -> String {
    refused("not UTF-8: the line was not sent")
}

/// The last line of a connection the server closes: `! closing: {why}`, `why` one of the
/// reasons below.
pub fn closing(why: &str) -> String {
    refused(&format!("closing: {why}"))
}

pub const ROOM_FULL: &str = "the room is full";
pub const TOO_MANY_UNNAMED: &str = "too many connections from your address are choosing a name";
pub const SERVER_BUSY: &str = "too many connections are choosing a name; try again later";
pub const NO_NAME_IN_TIME: &str = "no name in time";
pub const FELL_BEHIND: &str = "fell too far behind";
pub const STOPPED_READING: &str = "stopped reading";
