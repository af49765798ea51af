//! A mermaid diagram's shape: the diagram with its words taken out.
//!
//! A code block of the English chapters is copied byte for byte into the Arabic and Persian
//! editions (see the catalogue module), but a diagram is a picture for the reader, and its
//! words are translated like a paragraph. What a translation must keep is everything else: the
//! kind of diagram, every node, participant and arrow, in the same lines. [`shape`] keeps that
//! and drops the words, so a translation whose shape differs from its English changed the
//! picture, not only its words.
//!
//! The rules know the kinds of line this guide's diagrams use, in its two kinds of diagram, not
//! every mermaid syntax. A line of a kind they do not know keeps all but the words the rules
//! below happen to find in it, so a translation of words that no rule frees fails: the safe
//! side.
//!
//! - A flowchart (`flowchart TB`, and any kind but a sequence diagram): nodes (`A["label"]`,
//!   `B{{"label"}}`, `Q[("label")]`, `E(["label"])`), arrows (`A --> B`, `A -.-> B`,
//!   `A -- "label" --> B`), `subgraph id ["title"]` and its `end`. Its words are what stands
//!   between double quotes, and nothing else: a colon outside quotes (`style X fill:#f96`)
//!   starts no words.
//! - A sequence diagram (`sequenceDiagram`): `participant X as words` (or `actor`), messages
//!   (`A->>B: words`), notes (`Note over A,B: words`, `Note right of A: words`), blocks with a
//!   title (`loop words`, and `alt`, `else`, `opt`, `par`, `and`, `critical`, `break`),
//!   `rect rgba(...)` and `end`. Its words are what follows ` as `, what follows a titled
//!   block's keyword, and on any other line what follows the first colon outside double quotes
//!   (the words may hold colons of their own: `Note over D: Me : ...`); elsewhere, quoted text.
//!   Of those words the shape keeps the `;` and `#` they hold, in order: there mermaid reads
//!   them as syntax, quotes or no quotes (`;` ends the statement and starts another, `#` starts
//!   an entity code such as `#35;`), so a translation that adds or drops one breaks the
//!   picture. Arabic ؛ (U+061B) and all other punctuation are words.
//!
//! In both, a line that starts with `%%` is a comment (`%% This comment's "quotes" ...`) or
//! settings (`%%{init: ...}%%`) and is kept whole, its quotes included; so are the fences.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// The keywords of a sequence diagram's blocks that are followed by a title.
const TITLED_BLOCKS: [&str; 8] = [
    "loop", "alt", "else", "opt", "par", "and", "critical", "break",
];

/// Every mermaid diagram of a Markdown text (a fenced code block whose info string's first word
/// is `mermaid`, wherever it stands), each with the line its opening fence is on (the first line
/// is 1, for a problem's sentence) and as its catalogue entry has it: see
/// [`as_catalogue_entry`].
pub fn diagrams(markdown: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    // The open diagram's line, its info string and the text read of it so far.
    let mut open: Option<(usize, String, String)> = None;
    for (event, range) in Parser::new_ext(markdown, xgettext_options()).into_offset_iter() {
        match (event, &mut open) {
            (Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))), None)
                if is_mermaid(&info) =>
            {
                let line = markdown[..range.start].matches('\n').count() + 1;
                open = Some((line, info.to_string(), String::new()));
            }
            (Event::Text(text), Some((_, _, content))) => content.push_str(&text),
            (Event::End(TagEnd::CodeBlock), Some((line, info, content))) => {
                found.push((*line, as_catalogue_entry(info, content)));
                open = None;
            }
            _ => {}
        }
    }
    found
}

/// The Markdown extensions mdbook-i18n-helpers 0.3.6 reads a chapter with (a table or a
/// footnote can change where a block starts and ends).
fn xgettext_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_OLD_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Whether a fenced block's info string (`mermaid`, `mermaid title`) makes it a diagram.
fn is_mermaid(info: &str) -> bool {
    info.split_whitespace().next() == Some("mermaid")
}

/// A code block as mdbook-xgettext 0.3.6 writes it into the template. It does not copy the
/// block's source: it rebuilds the block from the parser's events (pulldown-cmark-to-cmark 20),
/// so the entry's fences are backticks however the source fenced it (`~~~`, four backticks),
/// three of them or one more than the longest run of backticks or tildes inside; the info
/// string is the parser's (leading spaces gone); and the text is what the parser gives, without
/// the indentation of a list item or the `> ` of a quote that the block stands in. So a block
/// in a list item or a quote has the same entry as at the start of a line. (Each case of the
/// test below was checked against mdbook-i18n-helpers 0.3.6's own `extract_messages`.)
fn as_catalogue_entry(info: &str, content: &str) -> String {
    let fence = "`".repeat(fence_length(content));
    let last_line_break = if content.is_empty() || content.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    format!("{fence}{info}\n{content}{last_line_break}{fence}")
}

/// How many backticks fence a code block whose text is `content`, in the template: three, or
/// one more than the longest run of one fence character (backtick or tilde) in it, so that
/// the text cannot close the block.
fn fence_length(content: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    let mut previous = None;
    for c in content.chars() {
        let is_fence = c == '`' || c == '~';
        run = if is_fence && previous == Some(c) {
            run + 1
        } else {
            usize::from(is_fence)
        };
        longest = longest.max(run);
        previous = Some(c);
    }
    if longest >= 3 { longest + 1 } else { 3 }
}

/// Which diagram this is, for a problem's sentence: its kind and its first line after that,
/// cut at 50 characters, and "..." for the lines after it
/// (`"sequenceDiagram: participant C as client..."`).
pub fn quote(diagram: &str) -> String {
    let mut lines = content_lines(diagram);
    let kind = lines.next().unwrap_or("");
    let first: String = lines.next().unwrap_or("").chars().take(50).collect();
    format!("\"{kind}: {first}...\"")
}

/// `diagram` (a whole ```mermaid block) without its words, line by line.
pub fn shape(diagram: &str) -> Vec<String> {
    let sequence = is_sequence_diagram(diagram);
    diagram
        .lines()
        .map(|line| line_shape(line, sequence))
        .collect()
}

/// Where `translated`'s shape first differs from `english`'s, for a problem's sentence (`line 5
/// of the block, "..." in English, is "..." in the translation`), or `None` when the two have
/// one shape. The block's lines count from its opening fence, line 1.
pub fn shape_difference(english: &str, translated: &str) -> Option<String> {
    let (english_shape, translated_shape) = (shape(english), shape(translated));
    let at = (0..english_shape.len().max(translated_shape.len()))
        .find(|&at| english_shape.get(at) != translated_shape.get(at))?;
    let number = at + 1;
    let english_line = english.lines().nth(at).map(short_line);
    let translated_line = translated.lines().nth(at).map(short_line);
    let rest = |shape: &[String], from: usize| shape.get(from..).unwrap_or_default().to_vec();
    let sentence = if rest(&english_shape, at) == rest(&translated_shape, at + 1) {
        let added = translated_line.unwrap_or_default();
        format!("the translation adds a line {number}, {added}, that the English lacks")
    } else if rest(&english_shape, at + 1) == rest(&translated_shape, at) {
        let dropped = english_line.unwrap_or_default();
        format!("the translation lacks line {number} of the block, {dropped}")
    } else {
        format!(
            "line {number} of the block, {} in English, is {} in the translation",
            english_line.unwrap_or_default(),
            translated_line.unwrap_or_default()
        )
    };
    Some(sentence)
}

/// A line of a diagram, trimmed and cut short, in quotes.
fn short_line(line: &str) -> String {
    let line = line.trim();
    let short: String = line.chars().take(50).collect();
    if short.len() < line.len() {
        format!("\"{short}...\"")
    } else {
        format!("\"{short}\"")
    }
}

/// Whether `translated` is `english` again, but for its spaces: a copy with a space more at a
/// line's end or inside a label is still a picture in English, though not byte for byte.
pub fn is_copy_of(translated: &str, english: &str) -> bool {
    translated.split_whitespace().eq(english.split_whitespace())
}

/// Whether `block` (a code block as the catalogue has it, fences included) is a mermaid
/// diagram.
pub fn is_diagram(block: &str) -> bool {
    let first_line = block.lines().next().unwrap_or("");
    let info = first_line.trim_start_matches('`');
    first_line.len() - info.len() >= 3 && block.contains('\n') && is_mermaid(info)
}

/// Whether `diagram` is a sequence diagram: its first line after the fence and any `%%` lines
/// names the kind.
fn is_sequence_diagram(diagram: &str) -> bool {
    content_lines(diagram)
        .next()
        .is_some_and(|kind| kind.starts_with("sequenceDiagram"))
}

/// A diagram's lines that say something, trimmed: not blank, not a fence, not a `%%` comment or
/// setting. The first is its kind (`sequenceDiagram`, `flowchart TB`).
fn content_lines(diagram: &str) -> impl Iterator<Item = &str> {
    diagram
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("```") && !line.starts_with("%%"))
}

fn line_shape(line: &str, sequence: bool) -> String {
    let line = line.trim_end();
    if line.trim_start().starts_with("%%") {
        return line.to_string();
    }
    if !sequence {
        return without_quoted_words(line);
    }
    let (structure, words) = split_sequence_line(line);
    let mut shape = without_quoted_words(structure);
    shape.extend(words.chars().filter(|&c| is_sequence_syntax(c)));
    shape
}

/// A sequence diagram's line cut where its words start: what the diagram is made of, then the
/// words (empty on a line that has none).
fn split_sequence_line(line: &str) -> (&str, &str) {
    let trimmed = line.trim_start();
    let first_word = trimmed.split_whitespace().next().unwrap_or("");
    if first_word == "participant" || first_word == "actor" {
        if let Some(at) = line.find(" as ") {
            return line.split_at(at + " as".len());
        }
    } else if TITLED_BLOCKS.contains(&first_word) {
        let indent = line.len() - trimmed.len();
        return line.split_at(indent + first_word.len());
    } else if let Some(colon) = first_colon_outside_quotes(line) {
        return line.split_at(colon + 1);
    }
    (line, "")
}

/// The two characters mermaid reads as syntax inside a sequence diagram's words, quotes or no
/// quotes: `;` ends a statement (the rest of the line is a new one) and `#` starts an entity
/// code (`#35;`) or a comment. A translation that adds or drops one changes the picture, so the
/// shape keeps them. Arabic ؛ (U+061B) and any other punctuation stay words.
fn is_sequence_syntax(c: char) -> bool {
    c == ';' || c == '#'
}

/// The byte offset of `line`'s first colon that is not between double quotes.
fn first_colon_outside_quotes(line: &str) -> Option<usize> {
    let mut quoted = false;
    for (at, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return Some(at),
            _ => {}
        }
    }
    None
}

/// `line` with what stands between each pair of double quotes taken out (the quotes kept).
fn without_quoted_words(line: &str) -> String {
    let mut kept = String::with_capacity(line.len());
    let mut quoted = false;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
            kept.push(c);
        } else if !quoted {
            kept.push(c);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEQUENCE: &str = "```mermaid\nsequenceDiagram\n    participant C as client\n    Note over C: listening\n    C->>S: hello, then a zero byte\n    loop one message per turn\n        S->>C: Hi\n    end\n```";

    const FLOWCHART: &str = "```mermaid\n%%{init: {\"flowchart\": {\"wrappingWidth\": 420}}}%%\nflowchart TB\n    subgraph readers [\"reader threads\"]\n        RA[\"handle: Dado<br/>reads Dado's socket\"]\n    end\n    B{{\"broadcast(line): every queue\"}}\n    RA -- \"a line\" --> B\n    QC -.-> X\n```";

    #[test]
    fn translated_words_keep_the_shape() {
        let sequence = SEQUENCE
            .replace("as client", "as العميل")
            .replace(": listening", ": يستمع")
            .replace(": hello, then a zero byte", ": hello، ثم بايت صفري")
            .replace("loop one message per turn", "loop رسالة واحدة في كل دور");
        assert_eq!(shape(&sequence), shape(SEQUENCE));
        let flowchart = FLOWCHART
            .replace("reader threads", "خيوط القراءة")
            .replace(
                "handle: Dado<br/>reads Dado's socket",
                "handle: Dado<br/>يقرأ مقبس Dado",
            )
            .replace("broadcast(line): every queue", "broadcast(line): كل طابور")
            .replace("\"a line\"", "\"سطر\"");
        assert_eq!(shape(&flowchart), shape(FLOWCHART));
    }

    /// Each change (`from` replaced by `to`, once) gives `diagram` another shape.
    fn assert_each_changes_the_shape(diagram: &str, changes: &[(&str, &str)]) {
        for (from, to) in changes {
            assert!(diagram.contains(from), "{from} is not in the diagram");
            let changed = diagram.replacen(from, to, 1);
            assert_ne!(shape(&changed), shape(diagram), "{from} -> {to}");
        }
    }

    #[test]
    fn a_changed_node_arrow_participant_or_setting_changes_the_shape() {
        assert_each_changes_the_shape(
            SEQUENCE,
            &[
                ("C->>S", "S->>C"),
                ("participant C", "participant X"),
                ("Note over C", "Note right of C"),
                ("    end\n", ""),
            ],
        );
        assert_each_changes_the_shape(
            FLOWCHART,
            &[
                ("RA -- \"a line\" --> B", "RA --> B"),
                ("QC -.-> X", "QC --> X"),
                ("420", "300"),
                ("subgraph readers", "subgraph writers"),
                ("B{{", "B[["),
            ],
        );
        // A flowchart's words are its quoted labels only: a colon outside quotes starts none.
        let styled = FLOWCHART.replacen(
            "    QC -.-> X\n",
            "    QC -.-> X\n    style X fill:#f96\n",
            1,
        );
        assert_ne!(shape(&styled.replacen("#f96", "#fff", 1)), shape(&styled));
    }

    #[test]
    fn a_semicolon_or_a_hash_in_a_sequence_diagrams_words_changes_the_shape() {
        assert_each_changes_the_shape(
            SEQUENCE,
            &[
                (": listening", ": يستمع; ثم يقبل"),
                (": hello, then a zero byte", ": مرحبا #35 ثم بايت صفري"),
                (": hello, then a zero byte", ": \"مرحبا; ثم بايت صفري\""),
                ("as client", "as العميل; الأول"),
                ("loop one message per turn", "loop رسالة # في كل دور"),
            ],
        );
        // Arabic's own semicolon is a word like any other.
        let arabic = SEQUENCE.replacen(": listening", ": يستمع؛ ثم يقبل", 1);
        assert_eq!(shape(&arabic), shape(SEQUENCE));
        // The same marks in the same order: the same shape (mermaid reads both alike).
        let english = SEQUENCE.replacen(": listening", ": listening; #59;", 1);
        let translated = SEQUENCE.replacen(": listening", ": يستمع; #59;", 1);
        assert_eq!(shape(&translated), shape(&english));
        // A flowchart's quoted label may hold either: mermaid's parser takes the quoted label as
        // one string (an entity code in it is decoded when it is drawn, not parsed), so a `;`
        // or `#` there changes no node or arrow.
        let flowchart = FLOWCHART.replacen("\"a line\"", "\"سطر; #\"", 1);
        assert_eq!(shape(&flowchart), shape(FLOWCHART));
    }

    #[test]
    fn a_shape_difference_names_its_first_line() {
        assert_eq!(shape_difference(SEQUENCE, SEQUENCE), None);
        let turned = SEQUENCE.replacen("C->>S: hello", "S->>C: مرحبا", 1);
        assert_eq!(
            shape_difference(SEQUENCE, &turned).as_deref(),
            Some(
                "line 5 of the block, \"C->>S: hello, then a zero byte\" in English, is \"S->>C: مرحبا, then a zero byte\" in the translation"
            )
        );
        let added = SEQUENCE.replacen("    end\n", "    end\n    S->>C: وداعا\n", 1);
        assert_eq!(
            shape_difference(SEQUENCE, &added).as_deref(),
            Some("the translation adds a line 9, \"S->>C: وداعا\", that the English lacks")
        );
        let dropped = SEQUENCE.replacen("    Note over C: listening\n", "", 1);
        assert_eq!(
            shape_difference(SEQUENCE, &dropped).as_deref(),
            Some("the translation lacks line 4 of the block, \"Note over C: listening\"")
        );
        assert_eq!(
            short_line(&format!("  {}  ", "x".repeat(60))),
            format!("\"{}...\"", "x".repeat(50))
        );
        let flowchart = FLOWCHART.replacen("RA -- \"a line\" --> B", "RA -- \"a line\" --> QA", 1);
        assert_eq!(
            shape_difference(FLOWCHART, &flowchart).as_deref(),
            Some(
                "line 8 of the block, \"RA -- \"a line\" --> B\" in English, is \"RA -- \"a line\" --> QA\" in the translation"
            )
        );
    }

    #[test]
    fn the_diagrams_of_a_text_are_found_whole() {
        let text =
            format!("# A chapter\n\n```sh\ncargo run\n```\n\n{SEQUENCE}\n\nText.\n\n{FLOWCHART}\n");
        // The chapter's lines: the heading, a blank, the sh block (3 lines), a blank; then the
        // sequence diagram (9 lines), a blank, "Text.", a blank.
        assert_eq!(
            diagrams(&text),
            vec![(7, SEQUENCE.to_string()), (19, FLOWCHART.to_string())]
        );
    }

    #[test]
    fn every_mermaid_block_is_found_as_the_template_has_it() {
        let body = "sequenceDiagram\n    C->>S: \"hi\"\n";
        let entry = format!("```mermaid\n{body}```");
        let indented = body.replace('\n', "\n   ");
        let quoted = body.replace('\n', "\n> ");
        let text = [
            format!("~~~mermaid\n{body}~~~\n"),
            format!("````mermaid\n{body}````\n"),
            format!("1. A list item:\n\n   ```mermaid\n   {indented}```\n"),
            format!("> ```mermaid\n> {quoted}```\n"),
            format!("```  mermaid title\n{body}```\n"),
            format!("````mermaid\n{body}    A[\"```\"]\n````\n"),
            format!("~~~~~mermaid\n{body}    A[\"~~~~\"]\n~~~~~\n"),
            format!("```mermaids\n{body}```\n"),
            format!("```sh\n{body}```\n"),
        ]
        .join("\nText.\n\n");
        assert_eq!(
            diagrams(&text)
                .into_iter()
                .map(|(_, diagram)| diagram)
                .collect::<Vec<_>>(),
            vec![
                entry.clone(),
                entry.clone(),
                entry.clone(),
                entry.clone(),
                format!("```mermaid title\n{body}```"),
                format!("````mermaid\n{body}    A[\"```\"]\n````"),
                // A run of four tildes inside: five backticks, as for four backticks.
                format!("`````mermaid\n{body}    A[\"~~~~\"]\n`````"),
            ]
        );
    }

    #[test]
    fn only_mermaid_blocks_are_diagrams() {
        assert!(is_diagram(SEQUENCE));
        assert!(is_diagram("````mermaid title\nflowchart TB\n````"));
        assert!(!is_diagram("```mermaids\nflowchart TB\n```"));
        assert!(!is_diagram("```sh\ncargo run -p lab01\n```"));
    }
}
