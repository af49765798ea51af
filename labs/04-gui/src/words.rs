//! What the windows say of their own, in document 000's words (its `gui_loop` and its
//! `simpledialog.askstring` call), kept even where the document's spelling is odd: a student
//! holding the document recognises the window at once. The guide's lab 04 chapter gives each
//! line next to the document's, and why the few that differ do.

/// The chat window's title, before the address and the name are added (`protocol::window_title`).
pub const TITLE: &str = "CHATT APPLICATION";
/// The heading above the chat area.
pub const HEADING: &str = "CHat App";
/// The label above the message box.
pub const MESSAGE_LABEL: &str = "Message";
/// The button that sends the message box's text.
pub const SEND: &str = "send";
/// The nickname dialog's title, and its question before the server's hint.
pub const DIALOG_TITLE: &str = "Nickname";
pub const QUESTION: &str = "please choose name";

#[cfg(test)]
mod tests {
    use super::*;

    /// Document 000's text, from the course documents beside the repository (`../shared`), with
    /// every run of white space made one space: the PDF it was extracted from breaks lines
    /// inside strings.
    fn document_000() -> Option<String> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/seeds/000_81a5187b222e3c3f.txt"
        );
        match std::fs::read_to_string(path) {
            Ok(text) => Some(text.split_whitespace().collect::<Vec<_>>().join(" ")),
            Err(error) => {
                assert!(
                    std::env::var("CI").is_err(),
                    "{path} cannot be read on CI: {error}"
                );
                eprintln!("SKIPPED: the course documents are not beside the repository ({path})");
                None
            }
        }
    }

    #[test]
    fn the_words_are_document_000s() {
        let Some(document) = document_000() else {
            return;
        };
        for (ours, in_the_document) in [
            (TITLE, format!("self.win.title('{TITLE}')")),
            (HEADING, format!("text=\"{HEADING}\"")),
            (MESSAGE_LABEL, format!("text=\"{MESSAGE_LABEL}\"")),
            (SEND, format!("text='{SEND}'")),
            (
                QUESTION,
                format!("simpledialog.askstring('{DIALOG_TITLE}', '{QUESTION}'"),
            ),
        ] {
            assert!(
                document.contains(&in_the_document),
                "document 000 has no {in_the_document:?}: is {ours:?} its word?"
            );
        }
    }
}
