//! What a member may say: message text that cannot forge the room.
//!
//! The documents' `handle` sends every `recv` to everyone as it came (`broadcast(message)`), and
//! prints it on the server's console. A terminal obeys the characters it prints, so a member that
//! sends a carriage return, an escape sequence, a right-to-left override or a line separator
//! draws whatever it likes on everyone else's screen: `\r(09:14:54) * alice left!` overwrites its
//! own name and time stamp with a fake room event. [`check`] refuses such a line, and names the
//! character, so its sender knows what to take out; nobody else sees anything.
//!
//! Refused: every control character (C0, DEL, C1: `char::is_control`); the bidi embeddings,
//! overrides and isolates (U+202A..U+202E, U+2066..U+2069), which reorder what follows them up to
//! the end of the line, the time stamp and name of the next one included on some terminals; the
//! line and paragraph separators (U+2028, U+2029); and the invisible characters that can pad or
//! split a line without being seen (zero-width space, word joiner and the invisible operators,
//! the byte order mark, the Hangul fillers, the Mongolian vowel separator, the deprecated format
//! characters, the interlinear annotation marks).
//!
//! Kept, because Persian and Arabic need them: ZWNJ (U+200C) and ZWJ (U+200D), which choose how
//! letters join, and the direction marks LRM, RLM and ALM (U+200E, U+200F, U+061C), which set the
//! direction of neutral characters next to them but, unlike an override, reorder nothing. Emoji
//! variation selectors and tags are kept too (they change one glyph, never the layout).
//!
//! | Rust function | what it reproduces or adds |
//! | --- | --- |
//! | [`check`] | the documents' `broadcast(message)` took any text; this is the test it lacks |

/// Checks one line a member wants to say; the error is the reply to send it, after `! `.
// course: cut | find the first character that refused names, and refuse the line with character U+XXXX (its name) is not allowed: the line was not sent; accept it if there is none | guide/src/hostile.md#forged-lines
pub fn check(text: &str) -> Result<(), String> {
    match text.chars().find_map(|c| refused(c).map(|name| (c, name))) {
        None => Ok(()),
        Some((c, name)) => Err(format!(
            "character U+{:04X} ({name}) is not allowed: the line was not sent",
            u32::from(c)
        )),
    }
}

/// Why `c` may not appear in a message, as its name; `None` when it may. The client uses this
/// too, to make such characters visible should a server send them anyway.
pub fn refused(c: char) -> Option<&'static str> {
    let name = match c {
        '\0' => "null",
        '\u{7}' => "bell",
        '\u{8}' => "backspace",
        '\t' => "tab",
        '\n' => "line feed",
        '\u{B}' => "vertical tab",
        '\u{C}' => "form feed",
        '\r' => "carriage return",
        '\u{1B}' => "escape",
        '\u{7F}' => "delete",
        '\u{85}' => "next line",
        '\u{9B}' => "control sequence introducer",
        c if c.is_control() => "a control character",
        '\u{202A}' => "left-to-right embedding",
        '\u{202B}' => "right-to-left embedding",
        '\u{202C}' => "pop directional formatting",
        '\u{202D}' => "left-to-right override",
        '\u{202E}' => "right-to-left override",
        '\u{2066}' => "left-to-right isolate",
        '\u{2067}' => "right-to-left isolate",
        '\u{2068}' => "first strong isolate",
        '\u{2069}' => "pop directional isolate",
        '\u{2028}' => "line separator",
        '\u{2029}' => "paragraph separator",
        '\u{200B}' => "zero width space",
        '\u{2060}' => "word joiner",
        '\u{2061}'..='\u{2064}' => "an invisible operator",
        '\u{206A}'..='\u{206F}' => "a deprecated format character",
        '\u{FEFF}' => "zero width no-break space, or byte order mark",
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' => "a Hangul filler",
        '\u{180E}' => "Mongolian vowel separator",
        '\u{FFF9}'..='\u{FFFB}' => "an interlinear annotation mark",
        _ => return None,
    };
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(text: &str) -> String {
        check(text).unwrap_err()
    }

    #[test]
    fn ordinary_persian_and_arabic_lines_pass() {
        for text in [
            "hello",
            "Good Bye, مع السلامة",
            "می\u{200C}خواهم بیایم",         // Persian, ZWNJ inside a word
            "\u{200F}(سلام)\u{200F} friends", // RLM around neutral brackets
            "\u{61C}١٢٣ \u{200E}abc",        // ALM and LRM
            "ل\u{200D}ا",                    // ZWJ
            "❤\u{FE0F} 👍🏽 🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
            "soft\u{AD}hyphen, a   few spaces, 100% café",
            "",
        ] {
            assert_eq!(check(text), Ok(()), "{text:?}");
        }
    }

    #[test]
    fn control_characters_are_refused_by_name() {
        assert_eq!(
            reply("\r(09:14:54) * alice left!"),
            "character U+000D (carriage return) is not allowed: the line was not sent"
        );
        assert_eq!(
            reply("\u{1b}[1A\u{1b}[2K(09:14:54) alice: hi"),
            "character U+001B (escape) is not allowed: the line was not sent"
        );
        assert_eq!(
            reply("a\0b"),
            "character U+0000 (null) is not allowed: the line was not sent"
        );
        assert_eq!(
            reply("\u{9b}2J"),
            "character U+009B (control sequence introducer) is not allowed: the line was not sent"
        );
        for c in (0..0x20).chain(0x7F..0xA0).filter_map(char::from_u32) {
            assert!(check(&format!("a{c}b")).is_err(), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn bidi_controls_and_separators_are_refused_by_name() {
        assert_eq!(
            reply("evil \u{202E}gnp.exe"),
            "character U+202E (right-to-left override) is not allowed: the line was not sent"
        );
        assert_eq!(
            reply("one\u{2028}(09:14:54) * alice left!"),
            "character U+2028 (line separator) is not allowed: the line was not sent"
        );
        assert_eq!(
            reply("one\u{2029}two"),
            "character U+2029 (paragraph separator) is not allowed: the line was not sent"
        );
        for c in ('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}') {
            assert!(check(&format!("a{c}b")).is_err(), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn invisible_characters_are_refused_by_name() {
        assert_eq!(
            reply("pay\u{200B}pal"),
            "character U+200B (zero width space) is not allowed: the line was not sent"
        );
        assert_eq!(
            reply("\u{FEFF}hi"),
            "character U+FEFF (zero width no-break space, or byte order mark) is not allowed: \
             the line was not sent"
        );
        for c in [
            '\u{2060}', '\u{2063}', '\u{3164}', '\u{FFA0}', '\u{180E}', '\u{206E}',
        ] {
            assert!(check(&format!("a{c}b")).is_err(), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn the_characters_persian_and_arabic_need_are_kept() {
        for c in ['\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{61C}'] {
            assert_eq!(refused(c), None, "U+{:04X}", u32::from(c));
        }
    }
}
