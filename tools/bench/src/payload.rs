//! The text each member sends, and how a received line is taken apart again.
//!
//! Every message is one line that says who sent it, its number and when it was sent, so that
//! the receiving side can tell, for every (sender, number), whether it arrived, arrived twice, or
//! arrived mangled, and how long it took:
//!
//! ```text
//! {3.17.52000123.klmnopqrstu.8f2c01aa.3.17}\n
//!  | |  |        |           |        trailer: sender and number again
//!  | |  |        |           checksum (FNV-1a, 32 bits, hex) of everything before it
//!  | |  |        padding up to the size asked for
//!  | |  nanoseconds since the run started, when it was written to the socket
//!  | number (0, 1, 2...) of this message among its sender's
//!  sender (member index)
//! ```
//!
//! The documents' servers have no framing: they broadcast whatever one `recv(1024)` returned, so
//! two messages may arrive glued together and one message may arrive in two pieces, with other
//! members' text in between. The braces and the newline make each message recognizable wherever
//! it lands: a received line is cut at every `{`, and each piece is either an intact message, a
//! mangled one that can still be named by its leading or trailing (sender, number), or
//! unreadable.

use std::io::Write;

use crate::sys;

/// What one piece of a received line turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// A whole message, exactly as sent: sender, number, send time in ns since the start.
    Intact {
        sender: u64,
        number: u64,
        sent_ns: u64,
    },
    /// Part of a message, or a message with a wrong byte: still says whose it was.
    Mangled { sender: u64, number: u64 },
    /// Looks like part of a message, but names nobody.
    Unreadable,
}

/// What kind of line it was, apart from the pieces it held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// It held at least one piece of a message.
    Traffic,
    /// An error reply of the kit's room ("! line too long...", "! not UTF-8...").
    ErrorReply,
    /// Anything else: a join or leave notice, a welcome, a prompt.
    Other,
}

/// Writes message `number` of member `sender`, `size` bytes long with its newline when `size`
/// leaves room for the fields (longer otherwise), into `out`, replacing what was there.
pub fn encode(out: &mut Vec<u8>, sender: u64, number: u64, sent_ns: u64, size: usize) {
    out.clear();
    // Infallible: writing into a Vec cannot fail.
    let _ = write!(out, "{{{sender}.{number}.{sent_ns}.");
    // Fields after the padding: ".{checksum:8}.{sender}.{number}}\n".
    let trailer = 1 + 8 + 1 + digits(sender) + 1 + digits(number) + 2;
    let padding = size.saturating_sub(out.len() + trailer);
    let first = ((sender + number) % 26) as u8;
    out.extend((0..padding).map(|i| b'a' + (first + (i % 26) as u8) % 26));
    out.push(b'.');
    let sum = checksum(out);
    let _ = writeln!(out, "{sum:08x}.{sender}.{number}}}");
}

/// The rules a line is checked against.
pub struct Rules<'a> {
    /// How many members send: a sender index at or above it is not ours.
    pub senders: u64,
    /// How many messages each sends: a number at or above it is not ours.
    pub messages: u64,
    /// For the kit's room: members are named `{name_prefix}{index}` and every chat line is
    /// "(HH:MM:SS) NAME: TEXT", so a message must come after exactly its sender's name, and a
    /// line holds one message. None for the documents' servers, which frame nothing.
    pub name_prefix: Option<&'a [u8]>,
}

/// Cuts one received line (without its "\n") into pieces and hands each to `piece`.
pub fn scan_line(line: &[u8], rules: &Rules, mut piece: impl FnMut(Piece)) -> LineKind {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let Some(first) = sys::find_byte(line, b'{') else {
        // No message starts here; but it may be the end of one whose start arrived elsewhere.
        if line.ends_with(b"}") {
            piece(mangled_or_unreadable(None, trailer_id(line), rules));
            return LineKind::Traffic;
        }
        if line.starts_with(b"! ") {
            return LineKind::ErrorReply;
        }
        return LineKind::Other;
    };
    let before = &line[..first];
    if before.ends_with(b"}") {
        piece(mangled_or_unreadable(None, trailer_id(before), rules));
    }
    let mut start = first;
    let mut is_first = true;
    loop {
        let next = sys::find_byte(&line[start + 1..], b'{').map(|at| start + 1 + at);
        let segment = &line[start..next.unwrap_or(line.len())];
        let mut found = classify(segment, rules);
        if let (Some(prefix), Piece::Intact { sender, number, .. }) = (rules.name_prefix, found) {
            // The kit's room: one message per line, right after its sender's name.
            if !is_first || next.is_some() || !named_by(before, prefix, sender) {
                found = Piece::Mangled { sender, number };
            }
        }
        piece(found);
        match next {
            Some(at) => start = at,
            None => return LineKind::Traffic,
        }
        is_first = false;
    }
}

/// One segment, from a `{` to the next `{` or the end of the line.
fn classify(segment: &[u8], rules: &Rules) -> Piece {
    if let Some((sender, number, sent_ns)) = parse_whole(segment)
        && sender < rules.senders
        && number < rules.messages
    {
        return Piece::Intact {
            sender,
            number,
            sent_ns,
        };
    }
    mangled_or_unreadable(head_id(segment), trailer_id(segment), rules)
}

fn mangled_or_unreadable(
    head: Option<(u64, u64)>,
    trailer: Option<(u64, u64)>,
    rules: &Rules,
) -> Piece {
    let ours = |&(sender, number): &(u64, u64)| sender < rules.senders && number < rules.messages;
    match head.filter(ours).or(trailer.filter(ours)) {
        Some((sender, number)) => Piece::Mangled { sender, number },
        None => Piece::Unreadable,
    }
}

/// The fields of an intact message: `{S.Q.T.PAD.CCCCCCCC.S.Q}`, checksum right, ids equal.
/// (The padding's letters are not looked at one by one: the checksum covers them.)
fn parse_whole(segment: &[u8]) -> Option<(u64, u64, u64)> {
    let inner = segment.strip_prefix(b"{")?.strip_suffix(b"}")?;
    let (sender, rest) = leading_number(inner)?;
    let (number, rest) = leading_number(rest.strip_prefix(b".")?)?;
    let (sent_ns, rest) = leading_number(rest.strip_prefix(b".")?)?;
    let rest = rest.strip_prefix(b".")?;
    let padding = sys::find_byte(rest, b'.')?;
    let rest = &rest[padding + 1..];
    let (sum, rest) = rest.split_first_chunk::<8>()?;
    let (sender_again, rest) = leading_number(rest.strip_prefix(b".")?)?;
    let (number_again, rest) = leading_number(rest.strip_prefix(b".")?)?;
    if !rest.is_empty() || sender_again != sender || number_again != number {
        return None;
    }
    // The checksum covers everything from '{' up to and including the '.' before it, that is
    // up to where `sum` starts inside `segment`.
    let covered = &segment[..sum.as_ptr() as usize - segment.as_ptr() as usize];
    (hex_of(sum)? == checksum(covered)).then_some((sender, number, sent_ns))
}

/// "{S.Q." at the start of a segment: a message's beginning, even if its end is lost.
fn head_id(segment: &[u8]) -> Option<(u64, u64)> {
    let rest = segment.strip_prefix(b"{")?;
    let (sender, rest) = leading_number(rest)?;
    let rest = rest.strip_prefix(b".")?;
    let (number, rest) = leading_number(rest)?;
    rest.starts_with(b".").then_some((sender, number))
}

/// ".S.Q}" at the end: a message's end, even if its beginning is lost.
fn trailer_id(text: &[u8]) -> Option<(u64, u64)> {
    let rest = text.strip_suffix(b"}")?;
    let (rest, number) = trailing_number(rest)?;
    let rest = rest.strip_suffix(b".")?;
    let (rest, sender) = trailing_number(rest)?;
    rest.ends_with(b".").then_some((sender, number))
}

/// Does `before` (what precedes the message on its line) end with "{prefix}{sender}: "?
fn named_by(before: &[u8], prefix: &[u8], sender: u64) -> bool {
    let Some(rest) = before.strip_suffix(b": ") else {
        return false;
    };
    let Some((rest, index)) = trailing_number(rest) else {
        return false;
    };
    index == sender && rest.ends_with(prefix) && {
        // The name must start there: "(12:00:00) bench3: ", not "(12:00:00) xbench3: ".
        let start = rest.len() - prefix.len();
        start == 0 || rest[start - 1] == b' '
    }
}

/// The number that `text` starts with (1 to 19 digits: never more than a u64 holds), and what
/// follows it. A plain loop, always inlined: this runs three times for every delivery, and a
/// call, or an iterator's steps, would cost as much as the digits.
#[inline(always)]
fn leading_number(text: &[u8]) -> Option<(u64, &[u8])> {
    let (mut value, mut count) = (0u64, 0);
    while let Some(&byte) = text.get(count)
        && byte.is_ascii_digit()
    {
        // Wrapping: past 19 digits the value is wrong, but then it is not returned.
        value = value.wrapping_mul(10).wrapping_add(u64::from(byte - b'0'));
        count += 1;
    }
    (1..=19).contains(&count).then(|| (value, &text[count..]))
}

fn trailing_number(text: &[u8]) -> Option<(&[u8], u64)> {
    let count = text.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let start = text.len() - count;
    let (value, _) = leading_number(&text[start..])?;
    Some((&text[..start], value))
}

/// The value of each byte as a hex digit, or `NOT_HEX`: one look-up per digit instead of a
/// chain of range tests.
const HEX: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = match byte as u8 {
            digit @ b'0'..=b'9' => digit - b'0',
            letter @ b'a'..=b'f' => letter - b'a' + 10,
            letter @ b'A'..=b'F' => letter - b'A' + 10,
            _ => NOT_HEX,
        };
        byte += 1;
    }
    table
};
const NOT_HEX: u8 = 0x80;

/// The value of a checksum's 8 hex digits (either case), or None if any byte is not one.
fn hex_of(digits: &[u8; 8]) -> Option<u32> {
    // Every digit is looked up and the test comes once at the end: no branch per digit.
    let (mut value, mut bad) = (0u32, 0u8);
    for &digit in digits {
        let nibble = HEX[usize::from(digit)];
        bad |= nibble;
        value = value << 4 | u32::from(nibble);
    }
    (bad & NOT_HEX == 0).then_some(value)
}

fn digits(mut value: u64) -> usize {
    let mut count = 1;
    while value >= 10 {
        value /= 10;
        count += 1;
    }
    count
}

/// FNV-1a, four bytes at a time: each step is a bijection of the hash, so any one wrong byte
/// (or four-byte word) changes the result; and it costs one multiplication per four bytes,
/// which matters at millions of messages per second.
fn checksum(bytes: &[u8]) -> u32 {
    const PRIME: u32 = 0x0100_0193;
    let mut words = bytes.chunks_exact(4);
    let mut hash = 0x811c_9dc5u32;
    for word in &mut words {
        let word = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
        hash = (hash ^ word).wrapping_mul(PRIME);
    }
    for &byte in words.remainder() {
        hash = (hash ^ u32::from(byte)).wrapping_mul(PRIME);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: Rules = Rules {
        senders: 100,
        messages: 1000,
        name_prefix: None,
    };

    fn message(sender: u64, number: u64, sent_ns: u64, size: usize) -> Vec<u8> {
        let mut out = Vec::new();
        encode(&mut out, sender, number, sent_ns, size);
        out
    }

    fn pieces(line: &[u8], rules: &Rules) -> (Vec<Piece>, LineKind) {
        let mut found = Vec::new();
        let kind = scan_line(line, rules, |piece| found.push(piece));
        (found, kind)
    }

    fn intact(sender: u64, number: u64, sent_ns: u64) -> Piece {
        Piece::Intact {
            sender,
            number,
            sent_ns,
        }
    }

    /// `leading_number` as it was first written, with iterators: what the quicker one must match.
    fn leading_number_slowly(text: &[u8]) -> Option<(u64, &[u8])> {
        let count = text.iter().take_while(|b| b.is_ascii_digit()).count();
        if count == 0 || count > 19 {
            return None;
        }
        let value = text[..count]
            .iter()
            .fold(0u64, |value, &digit| value * 10 + u64::from(digit - b'0'));
        Some((value, &text[count..]))
    }

    #[test]
    fn numbers_read_as_the_first_version_read_them() {
        let mut texts: Vec<String> = Vec::new();
        for digits in [
            "",
            "0",
            "7",
            "42",
            "007",
            "1234567",
            "12345678",
            "123456789",
        ] {
            for after in ["", ".", "}", ".abcdefghij", "/", ":", "x0123456789", " 12"] {
                texts.push(format!("{digits}{after}"));
            }
        }
        for value in [
            u64::MAX,
            u64::MAX / 10,
            10u64.pow(18),
            9_999_999_999_999_999_999,
        ] {
            texts.push(format!("{value}.abcdefgh"));
            texts.push(format!("{value}"));
        }
        texts.push("1".repeat(19) + ".abcdefgh");
        texts.push("1".repeat(20) + ".abcdefgh");
        texts.push("9".repeat(40));
        for number in (0..100_000u64).step_by(7) {
            texts.push(format!("{number}.17.abcdefgh"));
        }
        for text in &texts {
            let text = text.as_bytes();
            assert_eq!(
                leading_number(text),
                leading_number_slowly(text),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
        // Every byte that is not a digit ends a number, wherever it stands.
        for byte in 0..=255u8 {
            for at in 0..10 {
                let mut text = b"12345678901234".to_vec();
                text[at] = byte;
                assert_eq!(
                    leading_number(&text),
                    leading_number_slowly(&text),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn checksum_digits_read_as_from_str_radix_reads_them() {
        for at in 0..8 {
            for byte in 0..=255u8 {
                let mut digits = *b"8f2c01aA";
                digits[at] = byte;
                let expected = std::str::from_utf8(&digits)
                    .ok()
                    .filter(|text| text.bytes().all(|b| b.is_ascii_hexdigit()))
                    .and_then(|text| u32::from_str_radix(text, 16).ok());
                assert_eq!(hex_of(&digits), expected, "{digits:?}");
            }
        }
    }

    #[test]
    fn a_message_has_the_size_asked_for_and_reads_back() {
        let sent = message(3, 17, 52_000_123, 64);
        assert_eq!(sent.len(), 64);
        assert_eq!(sent.last(), Some(&b'\n'));
        let line = &sent[..sent.len() - 1];
        assert_eq!(
            pieces(line, &RULES),
            (vec![intact(3, 17, 52_000_123)], LineKind::Traffic)
        );
    }

    #[test]
    fn a_size_too_small_gives_the_shortest_message() {
        let sent = message(3, 17, 5, 0);
        let text = std::str::from_utf8(&sent).unwrap();
        assert!(text.starts_with("{3.17.5.."), "{text}");
        assert!(text.ends_with(".3.17}\n"), "{text}");
        assert_eq!(sent.len(), "{3.17.5..".len() + 8 + ".3.17}\n".len());
        assert_eq!(
            pieces(&sent[..sent.len() - 1], &RULES).0,
            vec![intact(3, 17, 5)]
        );
    }

    #[test]
    fn one_wrong_byte_is_mangled_and_still_named() {
        let mut sent = message(4, 9, 77, 60);
        sent[20] = b'#';
        assert_eq!(
            pieces(&sent[..sent.len() - 1], &RULES).0,
            vec![Piece::Mangled {
                sender: 4,
                number: 9
            }]
        );
    }

    #[test]
    fn glued_messages_are_both_intact() {
        let mut line = message(1, 2, 10, 50);
        line.pop();
        line.extend_from_slice(&message(5, 6, 11, 50));
        line.pop();
        assert_eq!(
            pieces(&line, &RULES).0,
            vec![intact(1, 2, 10), intact(5, 6, 11)]
        );
    }

    #[test]
    fn a_message_cut_in_two_with_another_between_is_named_by_both_halves() {
        // What a room without framing does: the first half of (1, 2), then a whole (5, 6), then
        // the second half of (1, 2) behind its sender's name (document 002's server).
        let first = message(1, 2, 10, 50);
        let other = message(5, 6, 11, 50);
        let mut stream = first[..20].to_vec();
        stream.extend_from_slice(&other);
        stream.extend_from_slice(b"bench1: ");
        stream.extend_from_slice(&first[20..]);
        let lines: Vec<&[u8]> = stream
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            pieces(lines[0], &RULES).0,
            vec![
                Piece::Mangled {
                    sender: 1,
                    number: 2
                },
                intact(5, 6, 11)
            ]
        );
        assert_eq!(
            pieces(lines[1], &RULES).0,
            vec![Piece::Mangled {
                sender: 1,
                number: 2
            }]
        );
    }

    #[test]
    fn a_piece_that_names_nobody_is_unreadable() {
        assert_eq!(pieces(b"{12", &RULES).0, vec![Piece::Unreadable]);
        assert_eq!(pieces(b"x.7}", &RULES).0, vec![Piece::Unreadable]);
        // Ids beyond the run's members or messages are not ours either.
        let sent = message(500, 1, 1, 40);
        assert_eq!(
            pieces(&sent[..sent.len() - 1], &RULES).0,
            vec![Piece::Unreadable]
        );
    }

    #[test]
    fn other_lines_hold_no_pieces() {
        assert_eq!(
            pieces(
                b"(12:00:00) * bench1 joined! In the room: bench0, bench1.",
                &RULES
            ),
            (vec![], LineKind::Other)
        );
        assert_eq!(
            pieces(b"! not UTF-8: the line was not sent", &RULES),
            (vec![], LineKind::ErrorReply)
        );
    }

    #[test]
    fn the_kits_room_must_name_the_right_sender() {
        let rules = Rules {
            name_prefix: Some(b"bench"),
            ..RULES
        };
        let sent = message(3, 1, 9, 40);
        let text = std::str::from_utf8(&sent[..sent.len() - 1]).unwrap();
        let line = |s: String| pieces(s.as_bytes(), &rules).0;
        assert_eq!(
            line(format!("(12:00:00) bench3: {text}")),
            vec![intact(3, 1, 9)]
        );
        assert_eq!(
            line(format!("(12:00:00) bench3: {text}\r")),
            vec![intact(3, 1, 9)]
        );
        let mangled = vec![Piece::Mangled {
            sender: 3,
            number: 1,
        }];
        assert_eq!(line(format!("(12:00:00) bench4: {text}")), mangled);
        assert_eq!(line(format!("(12:00:00) xbench3: {text}")), mangled);
        assert_eq!(line(format!("(12:00:00) bench3:{text}")), mangled);
        assert_eq!(line(text.to_string()), mangled);
    }
}

/// How long judging one delivery takes: `cargo test --release -p bench -- --ignored --nocapture`.
#[cfg(test)]
mod speed {
    use super::*;
    use std::time::Instant;

    #[test]
    #[ignore = "a measurement, not a check"]
    fn judging_a_line_of_the_kits_room() {
        let rules = Rules {
            senders: 1000,
            messages: 1000,
            name_prefix: Some(b"bench"),
        };
        let mut stream = Vec::new();
        let mut message = Vec::new();
        for number in 0..1000u64 {
            encode(
                &mut message,
                number % 1000,
                number,
                123_456_789 + number,
                64,
            );
            stream.extend_from_slice(format!("(12:00:00) bench{}: ", number % 1000).as_bytes());
            stream.extend_from_slice(&message);
        }
        let rounds = 2000;
        let started = Instant::now();
        let mut intact = 0u64;
        for _ in 0..rounds {
            let mut from = 0;
            while let Some(end) = sys::find_byte(&stream[from..], b'\n') {
                scan_line(&stream[from..from + end], &rules, |piece| {
                    intact += u64::from(matches!(piece, Piece::Intact { .. }));
                });
                from += end + 1;
            }
        }
        let per_line = started.elapsed().as_nanos() as f64 / (rounds * 1000) as f64;
        assert_eq!(intact, rounds * 1000);
        println!("judging one line: {per_line:.1} ns");
    }
}
