//! A mermaid diagram's shape: the diagram with its words taken out.
//!
//! A code block of the English chapters is copied byte for byte into the Arabic and Persian
//! editions (see the catalogue module), but a diagram is a picture for the reader, and its
//! words are translated like a paragraph. What a translation must keep is everything else: the
//! kind of diagram, every node, participant and arrow, in the same lines. [`shape`] keeps that
//! and drops the words, so a translation whose shape differs from its English changed the
//! picture, not only its words.
//!
//! The words of a line, in the diagrams of this guide:
//! - between double quotes: a node's label (`A["label"]`, `B{{"label"}}`), an arrow's
//!   (`A -- "label" --> B`), a subgraph's title (`subgraph id ["title"]`);
//! - after ` as ` in a sequence diagram's `participant X as words`;
//! - after the first colon of any other line: a message (`A->>B: words`) or a note
//!   (`Note over A,B: words`);
//! - after the keyword of a block that has a title (`loop words`, `alt words`...).
//!
//! A line that starts with `%%` (mermaid's settings) is kept whole.

/// The keywords of a sequence diagram's blocks that are followed by a title.
const TITLED_BLOCKS: [&str; 8] = [
    "loop", "alt", "else", "opt", "par", "and", "critical", "break",
];

/// Every mermaid diagram of a Markdown text, each as its catalogue entry has it: the whole
/// block, its fences included, without the line break after the closing fence.
pub fn diagrams(markdown: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut open: Option<Vec<&str>> = None;
    for line in markdown.lines() {
        match &mut open {
            None if line == "```mermaid" => open = Some(vec![line]),
            None => {}
            Some(lines) => {
                lines.push(line);
                if line == "```" {
                    found.push(lines.join("\n"));
                    open = None;
                }
            }
        }
    }
    found
}

/// Which diagram this is, for a problem's sentence: its kind and its first line after that
/// (`"sequenceDiagram: participant C as client"`).
pub fn quote(diagram: &str) -> String {
    let mut lines = diagram
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("```") && !line.starts_with("%%"));
    let kind = lines.next().unwrap_or("");
    let first: String = lines.next().unwrap_or("").chars().take(50).collect();
    format!("\"{kind}: {first}...\"")
}

/// `diagram` (a whole ```mermaid block) without its words, line by line.
pub fn shape(diagram: &str) -> Vec<String> {
    diagram.lines().map(line_shape).collect()
}

/// Whether `block` (a fenced code block, fences included) is a mermaid diagram.
pub fn is_diagram(block: &str) -> bool {
    block.starts_with("```mermaid\n")
}

fn line_shape(line: &str) -> String {
    let line = line.trim_end();
    let trimmed = line.trim_start();
    if trimmed.starts_with("%%") {
        return line.to_string();
    }
    let mut shape = without_quoted_words(line);
    let first_word = trimmed.split_whitespace().next().unwrap_or("");
    if first_word == "participant" || first_word == "actor" {
        if let Some(at) = shape.find(" as ") {
            shape.truncate(at + " as".len());
        }
    } else if TITLED_BLOCKS.contains(&first_word) {
        let indent = line.len() - trimmed.len();
        shape.truncate(indent + first_word.len());
    } else if let Some(colon) = shape.find(':') {
        shape.truncate(colon + 1);
    }
    shape
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

    #[test]
    fn a_changed_node_arrow_participant_or_setting_changes_the_shape() {
        for (from, to) in [
            ("C->>S", "S->>C"),
            ("participant C", "participant X"),
            ("Note over C", "Note right of C"),
            ("    end\n", ""),
        ] {
            let changed = SEQUENCE.replacen(from, to, 1);
            assert_ne!(shape(&changed), shape(SEQUENCE), "{from} -> {to}");
        }
        for (from, to) in [
            ("RA -- \"a line\" --> B", "RA --> B"),
            ("QC -.-> X", "QC --> X"),
            ("420", "300"),
            ("subgraph readers", "subgraph writers"),
            ("B{{", "B[["),
        ] {
            let changed = FLOWCHART.replacen(from, to, 1);
            assert_ne!(shape(&changed), shape(FLOWCHART), "{from} -> {to}");
        }
    }

    #[test]
    fn the_diagrams_of_a_text_are_found_whole() {
        let text =
            format!("# A chapter\n\n```sh\ncargo run\n```\n\n{SEQUENCE}\n\nText.\n\n{FLOWCHART}\n");
        assert_eq!(diagrams(&text), vec![SEQUENCE, FLOWCHART]);
    }

    #[test]
    fn only_mermaid_blocks_are_diagrams() {
        assert!(is_diagram(SEQUENCE));
        assert!(!is_diagram("```sh\ncargo run -p lab01\n```"));
    }
}
