//! The catalogue check on small made-up catalogues: each kind of problem fails, a whole
//! catalogue passes.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::*;

const TEMPLATE: &str = r##"msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"

#: src/SUMMARY.md
msgid "Lab 01: echo"
msgstr ""

#: src/lab01-echo.md:3
msgid "The client sends a message."
msgstr ""

#: src/lab01-echo.md:9
msgid "# terminal 1\n"
msgstr ""
"##;

const WHOLE: &str = r##"msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"

#: src/SUMMARY.md
msgid "Lab 01: echo"
msgstr "المختبر 01: الصدى"

#: src/lab01-echo.md:3
msgid "The client sends a message."
msgstr "يرسل العميل رسالة."

#: src/lab01-echo.md:9
msgid "# terminal 1\n"
msgstr "# terminal 1\n"
"##;

const CHAPTER: &str = "# Lab 01: echo\n\nThe client sends a message.\n\n```sh\ncargo run -p lab01 -- server  # terminal 1\n```\n";

fn catalogue(text: &str) -> Vec<Entry> {
    parse_catalogue(text).unwrap()
}

fn check(po: &str, pending: &str) -> Report {
    let chapters = vec![
        "src/SUMMARY.md".to_string(),
        "src/lab01-echo.md".to_string(),
    ];
    check_catalogue(
        "ar",
        &catalogue(TEMPLATE),
        &catalogue(po),
        &chapters,
        &fenced_lines(CHAPTER),
        &parse_pending(pending),
    )
}

fn problems(po: &str, pending: &str) -> Vec<String> {
    check(po, pending).problems
}

#[test]
fn a_whole_catalogue_passes_and_is_counted() {
    let report = check(WHOLE, "");
    assert_eq!(report.problems, Vec::<String>::new());
    assert_eq!(
        report.total,
        Counts {
            entries: 3,
            translated: 3
        }
    );
    assert_eq!(
        report.chapters["src/lab01-echo.md"],
        Counts {
            entries: 2,
            translated: 2
        }
    );
}

#[test]
fn an_untranslated_entry_fails() {
    let po = WHOLE.replace("msgstr \"يرسل العميل رسالة.\"", "msgstr \"\"");
    let found = problems(&po, "");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("is not translated"), "{found:?}");
    assert_eq!(check(&po, "").chapters["src/lab01-echo.md"].translated, 1);
}

#[test]
fn a_fuzzy_entry_fails() {
    let po = WHOLE.replace(
        "#: src/lab01-echo.md:3\n",
        "#: src/lab01-echo.md:3\n#, fuzzy\n",
    );
    let found = problems(&po, "");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("is fuzzy"), "{found:?}");
}

#[test]
fn an_entry_no_longer_in_the_template_fails() {
    let po = WHOLE.replace("The client sends a message.", "The client sent a message.");
    let found = problems(&po, "");
    assert!(
        found
            .iter()
            .any(|p| p.contains("no longer in the English book")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|p| p.contains("lacks the entry")),
        "{found:?}"
    );
}

#[test]
fn a_translated_code_block_comment_fails() {
    let po = WHOLE.replace("msgstr \"# terminal 1\\n\"", "msgstr \"# الطرفية 1\\n\"");
    assert_ne!(po, WHOLE);
    let found = problems(&po, "");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("byte for byte"), "{found:?}");
}

/// The diagram of [`diagram_report`]'s chapter, as a catalogue writes it.
const DIAGRAM: &str = "```mermaid\\nsequenceDiagram\\n    C->>S: hello\\n```";

/// A catalogue whose one chapter's one entry is `DIAGRAM`, translated as `msgstr`.
fn diagram_catalogue(msgstr: &str) -> String {
    format!(
        "msgid \"\"\nmsgstr \"\"\n\n#: src/lab01-echo.md:5\nmsgid \"{DIAGRAM}\"\nmsgstr \"{msgstr}\"\n"
    )
}

/// The report on `po`, a catalogue of `DIAGRAM`'s chapter, with `pending` as guide/po/pending.
fn check_diagram_catalogue(po: &str, pending: &str) -> Report {
    check_catalogue(
        "ar",
        &catalogue(&diagram_catalogue("")),
        &catalogue(po),
        &["src/lab01-echo.md".to_string()],
        &BTreeSet::new(),
        &parse_pending(pending),
    )
}

/// The report on `DIAGRAM` translated as `msgstr` (`DIAGRAM` itself: copied in English).
fn diagram_report(msgstr: &str, pending: &str) -> Report {
    check_diagram_catalogue(&diagram_catalogue(msgstr), pending)
}

fn diagram_problems(msgstr: &str) -> Vec<String> {
    diagram_report(msgstr, "").problems
}

#[test]
fn a_diagram_must_be_translated_in_its_words_only() {
    let translated = "```mermaid\\nsequenceDiagram\\n    C->>S: مرحبا\\n```";
    assert_eq!(diagram_problems(translated), Vec::<String>::new());
    let english = diagram_problems(DIAGRAM);
    assert!(
        english.len() == 1 && english[0].contains("still in English"),
        "{english:?}"
    );
    let turned = diagram_problems("```mermaid\\nsequenceDiagram\\n    S->>C: مرحبا\\n```");
    assert!(
        turned.len() == 1 && turned[0].contains("different shape: line 3 of the block, \"C->>S: hello\" in English, is \"S->>C: مرحبا\" in the translation;"),
        "{turned:?}"
    );
}

#[test]
fn a_diagram_copied_in_english_counts_as_untranslated() {
    let untranslated = Counts {
        entries: 1,
        translated: 0,
    };
    assert_eq!(diagram_report(DIAGRAM, "").total, untranslated);
    // Nor does a space more make it a translation: a line's end, or inside its words.
    for copy in [
        "```mermaid\\nsequenceDiagram\\n    C->>S: hello \\n```",
        "```mermaid\\nsequenceDiagram\\n    C->>S:  hello\\n```",
    ] {
        let report = diagram_report(copy, "");
        assert_eq!(report.total, untranslated, "{copy}");
        assert!(report.problems[0].contains("still in English"), "{copy}");
    }
    assert_eq!(
        diagram_report("```mermaid\\nsequenceDiagram\\n    C->>S: مرحبا\\n```", "").total,
        Counts {
            entries: 1,
            translated: 1
        }
    );
    // Its chapter still being translated: it waits, counted, like an empty entry.
    let pending = diagram_report(DIAGRAM, "ar lab01-echo.md");
    assert_eq!(pending.problems, Vec::<String>::new());
    assert_eq!(pending.chapters["src/lab01-echo.md"], untranslated);
    // Pending in the other edition only: still a problem here.
    let elsewhere = diagram_report(DIAGRAM, "fa lab01-echo.md").problems;
    assert!(
        elsewhere.len() == 1 && elsewhere[0].contains("still in English"),
        "{elsewhere:?}"
    );
}

#[test]
fn an_untranslated_or_fuzzy_diagram_is_named_by_its_kind_and_first_line() {
    let fuzzy = diagram_catalogue("```mermaid\\nsequenceDiagram\\n    C->>S: مرحبا\\n```").replace(
        "#: src/lab01-echo.md:5\n",
        "#: src/lab01-echo.md:5\n#, fuzzy\n",
    );
    let named = "the diagram \"sequenceDiagram: C->>S: hello...\"";
    for (found, what) in [
        (diagram_report("", "").problems, "is not translated"),
        (check_diagram_catalogue(&fuzzy, "").problems, "is fuzzy"),
    ] {
        assert!(
            found.len() == 1 && found[0].contains(&format!("{named} {what}")),
            "{found:?}"
        );
    }
}

/// A file of the book (a path and a text), for the missing-diagram checks.
fn file(name: &str, text: &str) -> (PathBuf, String) {
    (PathBuf::from(name), text.to_string())
}

/// A chapter that includes the two pictures of the tests below, as this guide's chapters do.
fn chapter() -> (PathBuf, String) {
    file(
        "src/ch.md",
        "# A chapter\n\n{{#include images/hello.md}}\n\n{{#include images/bye.md}}\n",
    )
}

#[test]
fn a_diagram_of_the_book_must_be_in_the_template() {
    let template = catalogue(&diagram_catalogue(""));
    let chapters = [PathBuf::from("src/ch.md")];
    let in_template = "Text.\n\n```mermaid\nsequenceDiagram\n    C->>S: hello\n```\n";
    let other = "Text.\n\n```mermaid\nsequenceDiagram\n    %% \"quoted\"\n    S->>C: bye\n```\n";
    let hello = file("src/images/hello.md", in_template);
    assert_eq!(
        diagrams_missing_from(&template, &[chapter(), hello.clone()], &chapters),
        Vec::<String>::new()
    );
    let found = diagrams_missing_from(
        &template,
        &[chapter(), hello, file("src/images/bye.md", other)],
        &chapters,
    );
    assert!(
        found.len() == 1
            && found[0].starts_with(
                "src/images/bye.md:3: the diagram \"sequenceDiagram: S->>C: bye...\" is not in messages.pot"
            ),
        "{found:?}"
    );
}

#[test]
fn a_diagram_in_a_file_no_chapter_includes_is_told_so() {
    let template = catalogue(&diagram_catalogue(""));
    let chapters = [PathBuf::from("src/ch.md")];
    let bye = "```mermaid\nsequenceDiagram\n    %% \"quoted\"\n    S->>C: bye\n```\n";
    // Not included: the template can never hold it, and updating it would not help.
    let found = diagrams_missing_from(&template, &[file("src/images/old.md", bye)], &chapters);
    assert!(
        found.len() == 1
            && found[0].starts_with("src/images/old.md:1: the diagram")
            && found[0].contains("no chapter of SUMMARY.md is or includes"),
        "{found:?}"
    );
    // Included by a file that a chapter includes: shown, so the template is what is behind.
    // (Listed with the included file first, as a folder's listing may: finding it takes a
    // second round.)
    let nested = [
        file("src/images/inner.md", bye),
        file("src/images/outer.md", "{{#include inner.md:anchor}}\n"),
        file("src/ch.md", "{{#include images/outer.md}}\n"),
    ];
    let found = diagrams_missing_from(&template, &nested, &chapters);
    assert!(
        found.len() == 1 && found[0].ends_with("run scripts/translations update"),
        "{found:?}"
    );
}

#[test]
fn the_advice_for_a_diagram_missing_from_the_template_fits_its_cause() {
    let template = catalogue(&diagram_catalogue(""));
    let advice = |diagram: &str| {
        let found = diagrams_missing_from(
            &template,
            &[(PathBuf::from("src/a.md"), diagram.into())],
            &[PathBuf::from("src/a.md")],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        found[0].clone()
    };
    let skipped = "```mermaid\nsequenceDiagram\n    S->>C: bye\n```\n";
    assert!(
        advice(skipped).ends_with("give it a `%%` comment line with a double quote in it, then run scripts/translations update"),
        "{}",
        advice(skipped)
    );
    for offered in [
        "```mermaid\nsequenceDiagram\n    %% \"quoted\"\n    S->>C: bye\n```\n",
        "```mermaid\nsequenceDiagram\n    S->>C: http://example.org\n```\n",
    ] {
        assert!(
            advice(offered).ends_with(
                "the template is older than the diagram: run scripts/translations update"
            ),
            "{}",
            advice(offered)
        );
    }
}

#[test]
fn a_chapter_missing_from_the_template_fails() {
    let report = check_catalogue(
        "ar",
        &catalogue(TEMPLATE),
        &catalogue(WHOLE),
        &[
            "src/SUMMARY.md".into(),
            "src/lab01-echo.md".into(),
            "src/glossary.md".into(),
        ],
        &BTreeSet::new(),
        &BTreeSet::new(),
    );
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(report.problems[0].contains("src/glossary.md is in SUMMARY.md"));
}

#[test]
fn a_pending_chapter_may_be_untranslated_until_it_is_whole() {
    let po = WHOLE.replace("msgstr \"يرسل العميل رسالة.\"", "msgstr \"\"");
    assert_eq!(
        problems(&po, "ar lab01-echo.md  # being translated"),
        Vec::<String>::new()
    );
    // Pending for the other language only: still a failure here.
    assert_eq!(problems(&po, "fa lab01-echo.md").len(), 1);
    // Whole, yet still listed: the list must shrink.
    let found = problems(WHOLE, "ar lab01-echo.md");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("remove its line"), "{found:?}");
}

#[test]
fn summary_lists_its_chapters() {
    let summary =
        "# Summary\n\n[Introduction](introduction.md)\n\n- [Lab 01: echo](lab01-echo.md)\n";
    assert_eq!(
        summary_chapters(summary),
        ["src/SUMMARY.md", "src/introduction.md", "src/lab01-echo.md"]
    );
}

#[test]
fn the_parser_reads_continuations_escapes_and_flags() {
    let entries = catalogue(
        "#: src/a.md:1 src/b.md\n#, fuzzy, no-wrap\nmsgid \"\"\n\"two \\\"words\\\"\\n\"\n\"and more\"\nmsgstr \"x\"\n",
    );
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].msgid, "two \"words\"\nand more");
    assert_eq!(entries[0].msgstr, "x");
    assert!(entries[0].fuzzy);
    assert_eq!(entries[0].chapters, ["src/a.md", "src/b.md"]);
    assert!(parse_catalogue("msgid \"unfinished\n").is_err());
}
