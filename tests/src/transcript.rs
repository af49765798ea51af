//! Transcripts as snapshots: the masks that make two runs of a conversation print the same.
//!
//! A transcript shows time stamps, today's date, the port the system chose and the machine's
//! name; none of them is part of what a lab must do, so the snapshot masks them:
//!
//! | in the output          | in the snapshot        |
//! |------------------------|------------------------|
//! | `2022-05-29`           | `[date]`               |
//! | `22:07:58`             | `[time]`               |
//! | `127.0.0.1:41234`      | `127.0.0.1:[port]`     |
//! | `( 41234 )`            | `( [port] )`           |
//! | this machine's name    | `[host]`               |

/// insta settings with the kit's masks; see [`assert_transcript!`](crate::assert_transcript!).
pub fn transcript_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.add_filter(r"\b\d{4}-\d{2}-\d{2}\b", "[date]");
    settings.add_filter(r"\b\d{2}:\d{2}:\d{2}\b", "[time]");
    settings.add_filter(
        r"\b(127\.0\.0\.1|0\.0\.0\.0|localhost|\[::1\]):\d{1,5}\b",
        "$1:[port]",
    );
    settings.add_filter(r"\( \d{1,5} \)", "( [port] )");
    if let Some(host) = host_name() {
        settings.add_filter(&format!(r"\b{}\b", escape(&host)), "[host]");
    }
    settings
}

/// This machine's name, as Python's `socket.gethostname()` gives it.
pub fn host_name() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    let name = name.trim();
    // "localhost" is an address in the transcripts, not a machine's name worth masking.
    (!name.is_empty() && name != "localhost").then(|| name.to_string())
}

fn escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = !c.is_alphanumeric() && c != '-' && c != '_';
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// Pins a transcript as the insta snapshot `snapshots/NAME.snap` beside the test, with the
/// kit's masks (see [`transcript_settings`]).
#[macro_export]
macro_rules! assert_transcript {
    ($name:expr, $transcript:expr) => {{
        let transcript: &str = &$transcript;
        $crate::transcript_settings().bind(|| {
            $crate::insta::assert_snapshot!($name, transcript);
        });
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_characters_are_escaped() {
        assert_eq!(escape("my.host-1"), r"my\.host-1");
    }
}
