//! What makes a nickname acceptable.
//!
//! The documents store whatever the first `recv` returned as the name: an empty name, a name with
//! a line end in it, a name of a thousand characters, or the name of someone already in the room.
//! Names are shown at the start of every chat line as `name: text`, so they must not contain
//! spaces or `:` (then that line reads unambiguously) nor control characters (which would let a
//! name rewrite other people's terminals). Letters and digits are Unicode's, so Arabic and
//! Persian names work.

/// The longest name, in characters.
pub const NAME_LIMIT: usize = 16;

/// What the server asks first, before a connection joins the room.
pub const PROMPT: &str = "nick? (1 to 16 letters, digits, '-' or '_')";

/// Checks the form of `name` (whether it is taken is the room's business); the error is the
/// reason given to the client.
pub fn check(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        Err("it is empty")
    } else if name.chars().count() > NAME_LIMIT {
        Err("it is longer than 16 characters")
    } else if !name
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        Err("use only letters, digits, '-' and '_'")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_names_pass() {
        for name in [
            "alice",
            "Bob_2",
            "x-y",
            "دیمه",
            "حسن",
            "a".repeat(16).as_str(),
        ] {
            assert_eq!(check(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn bad_names_say_why() {
        assert_eq!(check(""), Err("it is empty"));
        assert_eq!(
            check(&"ب".repeat(17)),
            Err("it is longer than 16 characters")
        );
        for name in ["al ice", "a:b", "tab\there", "bell\u{7}", "esc\u{1b}[2J"] {
            assert_eq!(check(name), Err("use only letters, digits, '-' and '_'"));
        }
    }
}
