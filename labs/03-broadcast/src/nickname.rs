//! What makes a nickname acceptable, and when two names are the same.
//!
//! The documents store whatever the first `recv` returned as the name (their `nickname =
//! client.recv(1024).decode()` in `receive`): an empty name, a name with a line end in it, a
//! name of a thousand characters, or the name of someone already in the room. Names are shown at
//! the start of every chat line as `name: text`, so they must not contain spaces or `:` (then
//! that line reads unambiguously) nor control characters (which would let a name rewrite other
//! people's terminals). Letters and digits are Unicode's, so Arabic and Persian names work.
//!
//! A name is also how members know who is speaking, so two names that *look* the same must be
//! the same name. [`check`] rewrites a name in Unicode's compatibility normal form (NFKC: the
//! fullwidth `Ａｌｉ` becomes `Ali`, a decomposed `é` the precomposed one), which is the form the
//! room shows, and refuses names that show as nothing. [`key`] is what the room compares: two
//! names with the same key look alike, and the second one is refused as taken. It folds case
//! (`ALI` is `ali`) and takes the name's TR39 skeleton, Unicode's list of characters that look
//! alike (Cyrillic `А` is Latin `A`, the digit `0` is the letter `O`). The tables are
//! Unicode's, through the crates made for them; none is copied here.
//!
//! | Rust function | what it reproduces or adds |
//! | --- | --- |
//! | [`check`] | the documents' `nickname = client.recv(1024).decode()`, with every rule the documents lack |
//! | [`key`] | the documents' `nicknames` list compared with `==`, made to compare what people see |

use caseless::default_case_fold_str;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_security::general_security_profile::IdentifierType;
use unicode_security::{GeneralSecurityProfile, RestrictionLevel, RestrictionLevelDetection};

use crate::framing::Line;

/// The longest name, in characters (after normalisation).
pub const NAME_LIMIT: usize = 16;

/// What the server asks first, before a connection joins the room.
pub const PROMPT: &str = "nick? (1 to 16 letters, digits, '-' or '_')";

/// The words that leave the room (documents 001 and 002): a member called `close` could not be
/// told apart from one leaving, so none of them, in any case, is a name.
const LEAVE_WORDS: [&str; 3] = ["CLOSE", "CLOSE123123", "shutdown"];

/// ZERO WIDTH NON-JOINER, which Persian writes inside words (`می‌خواهم`), and ZERO WIDTH JOINER:
/// the only invisible characters a name may hold, and never as its only content.
const JOINERS: [char; 2] = ['\u{200C}', '\u{200D}'];

/// A name proposed on a line of its own: the name [`check`] makes of it, or why it is refused
/// (a line too long, or not UTF-8, is refused before `check` sees it).
pub fn from_line(line: Line) -> Result<String, String> {
    match line {
        Line::Text(proposed) => check(&proposed),
        Line::TooLong => Err("it is longer than 16 characters".to_string()),
        Line::NotUtf8 => Err("use only letters, digits, '-' and '_'".to_string()),
    }
}

/// Checks `proposed` and returns the name as the room will show it (NFKC); the error is the
/// reason given to the client. Whether the name is taken is the room's business: it compares
/// [`key`]s.
// course: cut | Normalise the name (NFKC) and return it, or the reason it is refused: empty, over 16 characters, a character other than a letter, digit, mark, '-', '_' or joiner, an invisible one, no visible letter, look-alike scripts mixed, or a leave word | guide/src/hostile.md#look-alike-names
pub fn check(proposed: &str) -> Result<String, String> {
    let name: String = proposed.nfkc().collect();
    let allowed = |c: char| {
        c.is_alphanumeric() || is_combining_mark(c) || c == '-' || c == '_' || JOINERS.contains(&c)
    };
    // Shows as nothing: a Hangul filler is a "letter", a word joiner is not, neither is seen.
    let invisible = |c: char| {
        c.identifier_type() == Some(IdentifierType::Default_Ignorable) && !JOINERS.contains(&c)
    };
    // A letter Unicode recommends for identifiers: not a filler, not the tatweel (which only
    // stretches the letters around it), not a mark (which sits on another character).
    let visible_letter =
        |c: char| c.is_alphabetic() && !is_combining_mark(c) && c.identifier_allowed();
    if name.is_empty() {
        Err("it is empty".to_string())
    } else if name.chars().count() > NAME_LIMIT {
        Err(format!("it is longer than {NAME_LIMIT} characters"))
    } else if !name.chars().all(allowed) {
        Err("use only letters, digits, '-' and '_'".to_string())
    } else if let Some(c) = proposed.chars().chain(name.chars()).find(|&c| invisible(c)) {
        Err(format!("character U+{:04X} is invisible", u32::from(c)))
    } else if !name.chars().any(visible_letter) {
        Err("it has no visible letter".to_string())
    } else if name.chars().next().is_some_and(is_combining_mark) {
        Err("it starts with a mark, which would sit on the character before it".to_string())
    } else if mixes_look_alike_scripts(&name) {
        Err("it mixes scripts whose letters look alike (such as Latin and Cyrillic)".to_string())
    } else if LEAVE_WORDS.iter().any(|word| key(word) == key(&name)) {
        Err(format!("{name} is a word for leaving the room"))
    } else {
        Ok(name)
    }
}

/// What the room compares names by: two names with equal keys look alike.
///
/// The TR39 skeleton of the case-folded NFKC name, folded again (a skeleton maps the digit `0`
/// to the capital `O`). The skeleton also drops invisible characters, so `Ali` and `Ali` with a
/// joiner inside are one name.
// course: cut | case-fold the NFKC name, take its TR39 skeleton (unicode_security::skeleton) and case-fold that again, so that names that look alike get one key | guide/src/hostile.md#look-alike-names
pub fn key(name: &str) -> String {
    let folded = default_case_fold_str(&name.nfkc().collect::<String>());
    let skeleton: String = unicode_security::skeleton(&folded).collect();
    default_case_fold_str(&skeleton)
}

/// Whether `name` mixes scripts more than Unicode's "moderately restrictive" level allows
/// (TR39 section 5.2): Latin with Arabic, Persian or Han is fine, Latin with Cyrillic or Greek
/// is how `Аli` (Cyrillic А) passes for `Ali`.
fn mixes_look_alike_scripts(name: &str) -> bool {
    // The joiners and the tatweel belong to no script; the level is about the letters.
    let letters: String = name.chars().filter(|c| c.identifier_allowed()).collect();
    letters.as_str().detect_restriction_level() > RestrictionLevel::ModeratelyRestrictive
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_names_pass_as_they_are() {
        for name in [
            "alice",
            "Bob_2",
            "x-y",
            "دیمه",
            "حسن",
            "مهدی\u{200C}زاده", // Persian, with a ZWNJ inside
            "محــمد",           // Arabic, stretched with tatweels
            "Ali_حسن",          // Latin and Arabic may mix
            "Straße",
            "m9999",
            "a".repeat(16).as_str(),
        ] {
            assert_eq!(check(name), Ok(name.to_string()), "{name}");
        }
    }

    #[test]
    fn a_name_is_shown_in_its_normal_form() {
        assert_eq!(check("Ｊｏｓｅ"), Ok("Jose".to_string()));
        assert_eq!(check("Jose\u{301}"), Ok("José".to_string()));
        assert_eq!(check("José"), Ok("José".to_string()));
        // Sixteen letters with their marks decomposed are 32 characters, and fine.
        let decomposed = "e\u{301}".repeat(16);
        assert_eq!(check(&decomposed), Ok("é".repeat(16)));
    }

    #[test]
    fn bad_names_say_why() {
        let refused = |name: &str| check(name).unwrap_err();
        assert_eq!(refused(""), "it is empty");
        assert_eq!(refused(&"ب".repeat(17)), "it is longer than 16 characters");
        for name in [
            "al ice",
            "a:b",
            "tab\there",
            "bell\u{7}",
            "esc\u{1b}[2J",
            "a\u{202E}b",
        ] {
            assert_eq!(
                refused(name),
                "use only letters, digits, '-' and '_'",
                "{name:?}"
            );
        }
        assert_eq!(refused("\u{3164}"), "character U+3164 is invisible");
        assert_eq!(refused("Ali\u{FFA0}"), "character U+FFA0 is invisible");
        for name in [
            "\u{640}",
            "\u{640}\u{640}",
            "\u{200C}",
            "_-_",
            "123",
            "\u{64E}",
        ] {
            assert_eq!(refused(name), "it has no visible letter", "{name:?}");
        }
        assert_eq!(
            refused("\u{301}ali"),
            "it starts with a mark, which would sit on the character before it"
        );
        for name in ["\u{410}li", "p\u{430}ypal", "\u{391}lpha"] {
            assert_eq!(
                refused(name),
                "it mixes scripts whose letters look alike (such as Latin and Cyrillic)",
                "{name:?}"
            );
        }
        for name in [
            "CLOSE",
            "close",
            "Close123123",
            "shutdown",
            "SHUTDOWN",
            "ＣＬＯＳＥ",
            "CL0SE",
        ] {
            let shown: String = name.nfkc().collect();
            let reason = format!("{shown} is a word for leaving the room");
            assert_eq!(refused(name), reason, "{name:?}");
        }
    }

    #[test]
    fn names_that_look_alike_have_one_key() {
        for (first, second) in [
            ("Ali", "ALI"),
            ("Ali", "ali"),
            ("Ali", "Ａｌｉ"),
            ("Ace", "\u{410}\u{441}\u{435}"), // all Cyrillic
            ("José", "Jose\u{301}"),
            ("Bob", "B0b"),
            ("Straße", "STRASSE"),
            ("مهدی\u{200C}زاده", "مهدیزاده"),
            ("Ali", "A\u{200D}li"),
        ] {
            assert_eq!(key(first), key(second), "{first:?} and {second:?}");
        }
    }

    #[test]
    fn names_that_look_different_have_different_keys() {
        for (first, second) in [
            ("Ali", "Alice"),
            ("m1", "m2"),
            ("m10", "m100"),
            ("حسن", "حسين"),
            ("دیمه", "ديمه_۲"),
        ] {
            assert_ne!(key(first), key(second), "{first:?} and {second:?}");
        }
    }
}
