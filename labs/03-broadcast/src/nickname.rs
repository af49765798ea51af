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

/// Checks the form of `proposed` (whether it is taken is the room's business): `Ok` with the
/// name as it will be shown, or `Err` with the reason given to the client.
pub fn check(proposed: &str) -> Result<String, String> {
    let reason = if proposed.is_empty() {
        "it is empty"
    } else if proposed.chars().count() > NAME_LIMIT {
        "it is longer than 16 characters"
    } else if !proposed
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        "use only letters, digits, '-' and '_'"
    } else {
        return Ok(proposed.to_string());
    };
    Err(reason.to_string())
}

/// Two names with equal keys look alike: the second is refused as taken. (Interim: the name
/// itself.)
pub fn key(name: &str) -> String {
    name.to_string()
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
            assert_eq!(check(name), Ok(name.to_string()), "{name}");
        }
    }

    #[test]
    fn bad_names_say_why() {
        let refused = |reason: &str| Err(reason.to_string());
        assert_eq!(check(""), refused("it is empty"));
        assert_eq!(
            check(&"ب".repeat(17)),
            refused("it is longer than 16 characters")
        );
        for name in ["al ice", "a:b", "tab\there", "bell\u{7}", "esc\u{1b}[2J"] {
            assert_eq!(
                check(name),
                refused("use only letters, digits, '-' and '_'")
            );
        }
    }
}
