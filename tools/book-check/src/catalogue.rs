//! The Arabic and Persian editions kept in step with the English book, by their catalogues.
//!
//! `scripts/translations update` extracts every paragraph, heading, list item, table cell and
//! code block of the English chapters into `guide/po/messages.pot`, and merges it into one
//! catalogue per edition (`guide/po/ar.po`, `guide/po/fa.po`), where each entry's `msgstr` is its
//! translation. mdbook builds an edition from its catalogue and quietly keeps the English text
//! of an entry that has none: a reader would never notice a paragraph left behind. This check
//! notices, and fails when:
//! - an entry has no translation, or is marked fuzzy (msgmerge marks so an entry whose English
//!   changed since it was translated: the translation is of the old text);
//! - an entry's English is no longer in the template (the catalogue was not merged), or the
//!   template has an entry the catalogue lacks, or the catalogue keeps obsolete (`#~`) entries;
//! - an entry that comes from inside a code block (a transcript, a command, an excerpt of a lab)
//!   is not copied byte for byte: transcripts are what the programs print, pinned by snapshots,
//!   and a command is what a student types; they are never translated;
//! - a mermaid diagram (a picture, whose words are translated) is still in English (it counts
//!   as untranslated, so in a pending chapter it waits like an empty entry), or has a shape
//!   other than its English: a node, an arrow or a participant changed, not only words (see
//!   the diagram module);
//! - a chapter of the English book's SUMMARY.md has no entry in the template (the template is
//!   older than the chapter).
//!
//! `guide/po/pending` lists the chapters still being translated, one `LANG FILE` a line: their
//! untranslated entries are counted, not failed (the lead splits them among translators, see
//! guide/po/README.md). A pending chapter that is already whole fails too, so the list only
//! shrinks. Fuzzy, stale and altered-code entries fail everywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use labkit::error::{Context, Failure, Result};

use crate::diagram;

/// The header fields mdbook-gettext's catalogue reader (polib 0.2) requires.
const HEADER_FIELDS: [&str; 8] = [
    "Project-Id-Version",
    "POT-Creation-Date",
    "PO-Revision-Date",
    "Language-Team",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Language",
];

/// One catalogue's counts, chapter by chapter (an entry used by several chapters counts in each).
#[derive(Debug, Default, PartialEq)]
pub struct Counts {
    pub entries: usize,
    pub translated: usize,
}

/// What the check found for one edition.
#[derive(Debug, Default)]
pub struct Report {
    pub language: String,
    pub total: Counts,
    pub chapters: BTreeMap<String, Counts>,
    pub problems: Vec<String>,
}

/// One entry of a catalogue, as far as this check cares.
#[derive(Debug, Clone)]
pub struct Entry {
    pub msgid: String,
    pub msgstr: String,
    pub fuzzy: bool,
    /// The chapters it comes from (`src/lab01-echo.md`), from its `#:` lines.
    pub chapters: Vec<String>,
}

/// Checks the catalogue of each of `languages` in the guide at `guide` (the folder with
/// book.toml, src/ and po/).
pub fn check_guide(guide: &Path, languages: &[String]) -> Result<Vec<Report>> {
    let po = guide.join("po");
    let template = read_catalogue(&po.join("messages.pot"))?;
    let summary = read(&guide.join("src/SUMMARY.md"))?;
    let chapters = summary_chapters(&summary);
    let code = code_block_lines(&guide.join("src"), &chapters)?;
    let pending_path = po.join("pending");
    let pending = if pending_path.is_file() {
        parse_pending(&read(&pending_path)?)
    } else {
        BTreeSet::new()
    };
    let mut reports = Vec::new();
    for language in languages {
        let path = po.join(format!("{language}.po"));
        let text = read(&path)?;
        let catalogue = read_catalogue(&path)?;
        let mut report =
            check_catalogue(language, &template, &catalogue, &chapters, &code, &pending);
        let header: String = text.split("\n\n").next().unwrap_or("").to_string();
        for field in HEADER_FIELDS {
            if !header.contains(&format!("\"{field}:")) {
                report.problems.push(format!(
                    "{language}.po's header lacks the field {field}, without which mdbook-gettext stops with a panic"
                ));
            }
        }
        if text.lines().any(|line| line.starts_with("#~")) {
            report.problems.push(format!(
                "{language}.po keeps obsolete (#~) entries: run scripts/translations update"
            ));
        }
        reports.push(report);
    }
    if let Some(first) = reports.first_mut() {
        first.problems.extend(diagrams_missing_from_template(
            &guide.join("src"),
            &template,
            &chapters,
        )?);
    }
    Ok(reports)
}

/// The mermaid diagrams of the English book (its chapters and the files they include, every
/// `.md` under `src`) that have no entry in the template: see [`diagrams_missing_from`].
fn diagrams_missing_from_template(
    src: &Path,
    template: &[Entry],
    chapters: &[String],
) -> Result<Vec<String>> {
    let mut files = Vec::new();
    for file in markdown_files(src)? {
        let text = read(&file)?;
        files.push((file, text));
    }
    // SUMMARY.md names a chapter from the book's folder (`src/lab01-echo.md`).
    let chapters: Vec<PathBuf> = chapters
        .iter()
        .map(|chapter| src.join(chapter.strip_prefix("src/").unwrap_or(chapter)))
        .collect();
    Ok(diagrams_missing_from(template, &files, &chapters))
}

/// A problem for each mermaid diagram of `files` (each file's path and text) that has no entry
/// in `template`: such a diagram stays in English in every edition, and no other check would
/// notice. `chapters` are the files SUMMARY.md lists, as paths of the same form.
fn diagrams_missing_from(
    template: &[Entry],
    files: &[(PathBuf, String)],
    chapters: &[PathBuf],
) -> Vec<String> {
    let in_template: BTreeSet<&str> = template.iter().map(|e| e.msgid.as_str()).collect();
    let shown = shown_files(files, chapters);
    let mut problems = Vec::new();
    for (file, text) in files {
        for (line, diagram) in diagram::diagrams(text) {
            if in_template.contains(diagram.as_str()) {
                continue;
            }
            let place = format!("{}:{line}", file.display());
            let quoted = diagram::quote(&diagram);
            problems.push(if shown.contains(file) {
                format!(
                    "{place}: the diagram {quoted} is not in messages.pot, so no edition can translate it: {}",
                    missing_diagram_advice(&diagram)
                )
            } else {
                // No template can hold it: mdbook never reads the file.
                format!(
                    "{place}: the diagram {quoted} is in a file that no chapter of SUMMARY.md is or includes, so no edition shows it: include the file in a chapter (`{{{{#include ...}}}}`) or remove it"
                )
            });
        }
    }
    problems
}

/// The files of `files` that the book shows: the chapters, and every file a shown file names in
/// an mdbook `{{#include PATH}}` (or `{{#include PATH:anchor}}`), relative to its own folder.
fn shown_files(files: &[(PathBuf, String)], chapters: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut shown: BTreeSet<PathBuf> = chapters.iter().cloned().collect();
    // An included file may include another: go on until a round adds nothing.
    loop {
        let mut added = false;
        for (file, text) in files {
            if !shown.contains(file) {
                continue;
            }
            let folder = file.parent().unwrap_or(Path::new(""));
            for included in included_paths(text) {
                added |= shown.insert(folder.join(included));
            }
        }
        if !added {
            return shown;
        }
    }
}

/// The paths a Markdown text includes with mdbook's `{{#include PATH}}`, as written.
fn included_paths(text: &str) -> Vec<&str> {
    text.split("{{#include ")
        .skip(1)
        .filter_map(|rest| rest.split("}}").next())
        .map(|inside| inside.split(':').next().unwrap_or(inside).trim())
        .collect()
}

/// What to do about a diagram that has no entry in the template, by why it has none.
/// mdbook-xgettext 0.3.6 has no syntax for mermaid, and for such a language it guesses: it
/// offers a block to translators only if the block holds a double quote or a `//` (a string
/// or a comment, in most languages). A block that holds one is missing only because the
/// template is older than it.
fn missing_diagram_advice(diagram: &str) -> &'static str {
    if diagram.contains('"') || diagram.contains("//") {
        "the template is older than the diagram: run scripts/translations update"
    } else {
        "mdbook-xgettext skips a mermaid block that holds neither a double quote nor a `//`: give it a `%%` comment line with a double quote in it, then run scripts/translations update"
    }
}

/// Every `.md` file under `dir`, in a fixed order.
fn markdown_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let entries = fs::read_dir(dir).context(format!("listing {}", dir.display()))?;
    for entry in entries {
        let path = entry.context(format!("listing {}", dir.display()))?.path();
        if path.is_dir() {
            files.extend(markdown_files(&path)?);
        } else if path.extension().is_some_and(|ext| ext == "md") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The checks on one catalogue against the template; `code` holds every line that sits inside
/// a fenced code block of the English chapters; `pending` the (language, chapter) pairs still
/// being translated.
pub fn check_catalogue(
    language: &str,
    template: &[Entry],
    catalogue: &[Entry],
    chapters: &[String],
    code: &BTreeSet<String>,
    pending: &BTreeSet<(String, String)>,
) -> Report {
    let mut report = Report {
        language: language.to_string(),
        ..Report::default()
    };
    let in_template: BTreeSet<&str> = template.iter().map(|e| e.msgid.as_str()).collect();
    let in_catalogue: BTreeSet<&str> = catalogue.iter().map(|e| e.msgid.as_str()).collect();
    let is_pending = |chapter: &str| pending.contains(&(language.to_string(), chapter.to_string()));

    for chapter in chapters {
        report.chapters.entry(chapter.clone()).or_default();
        if !template.iter().any(|e| e.chapters.contains(chapter)) {
            report.problems.push(format!(
                "{chapter} is in SUMMARY.md but has no entry in messages.pot: run scripts/translations update"
            ));
        }
    }
    for entry in template {
        if !in_catalogue.contains(entry.msgid.as_str()) {
            report.problems.push(format!(
                "{language}.po lacks {} of {}: run scripts/translations update",
                name(&entry.msgid),
                entry.chapters.join(", ")
            ));
        }
    }

    for entry in catalogue {
        // A diagram copied in English is a picture no reader of the edition can read: it counts
        // as untranslated, and waits like any untranslated entry while its chapters are pending.
        let still_english =
            diagram::is_diagram(&entry.msgid) && diagram::is_copy_of(&entry.msgstr, &entry.msgid);
        let untranslated = entry.msgstr.is_empty() || still_english;
        let translated = !untranslated && !entry.fuzzy;
        report.total.entries += 1;
        report.total.translated += usize::from(translated);
        for chapter in &entry.chapters {
            let counts = report.chapters.entry(chapter.clone()).or_default();
            counts.entries += 1;
            counts.translated += usize::from(translated);
        }
        let place = format!("{language}.po, {}", entry.chapters.join(", "));
        if !in_template.contains(entry.msgid.as_str()) {
            report.problems.push(format!(
                "{place}: {} is no longer in the English book (messages.pot): run scripts/translations update",
                name(&entry.msgid)
            ));
            continue;
        }
        if entry.fuzzy {
            report.problems.push(format!(
                "{place}: {} is fuzzy (its English changed): check the translation and remove the fuzzy flag",
                name(&entry.msgid)
            ));
        } else if untranslated {
            if entry.chapters.iter().all(|chapter| is_pending(chapter)) {
                // Counted above; the pending list lets it wait.
            } else if still_english {
                report.problems.push(format!(
                    "{place}: the diagram {} is still in English: translate its words",
                    diagram::quote(&entry.msgid)
                ));
            } else {
                report
                    .problems
                    .push(format!("{place}: {} is not translated", name(&entry.msgid)));
            }
        } else if diagram::is_diagram(&entry.msgid) {
            if let Some(difference) = diagram::shape_difference(&entry.msgid, &entry.msgstr) {
                report.problems.push(format!(
                    "{place}: the diagram {} is translated with a different shape: {difference}; only its words (quoted labels, and what follows a message's or a note's colon, a participant's `as`, a block's keyword) may change, and in a sequence diagram they keep the English line's `;` and `#`, which mermaid reads as syntax",
                    diagram::quote(&entry.msgid)
                ));
            }
        } else if is_code(&entry.msgid, code) && entry.msgstr != entry.msgid {
            report.problems.push(format!(
                "{place}: the entry {} comes from a code block or a transcript, and its msgstr must be its msgid byte for byte",
                quote(&entry.msgid)
            ));
        }
    }

    for (pending_language, chapter) in pending {
        if pending_language != language {
            continue;
        }
        match report.chapters.get(chapter) {
            Some(counts) if counts.translated == counts.entries => {
                report.problems.push(format!(
                    "{chapter} is whole in {language}.po but still listed in po/pending: remove its line"
                ));
            }
            None => report.problems.push(format!(
                "po/pending lists {chapter}, which is not a chapter of SUMMARY.md"
            )),
            Some(_) => {}
        }
    }
    report
}

/// True for an entry taken from inside a code block: a whole fenced block, or (what
/// mdbook-xgettext 0.3 extracts of a block: its comments and string literals) a piece that
/// ends with a line break and whose every line is part of a line inside a code block of the
/// English chapters. Prose entries never end with a line break.
fn is_code(msgid: &str, code: &BTreeSet<String>) -> bool {
    let fenced = msgid.starts_with("```") || msgid.starts_with("~~~");
    fenced
        || (msgid.ends_with('\n')
            && msgid.lines().all(|line| {
                let line = line.trim();
                !line.is_empty() && code.iter().any(|code_line| code_line.contains(line))
            }))
}

/// The chapter files SUMMARY.md links to, as the catalogues name them (`src/intro.md`).
pub fn summary_chapters(summary: &str) -> Vec<String> {
    let mut chapters = vec!["src/SUMMARY.md".to_string()];
    for piece in summary.split("](").skip(1) {
        if let Some(end) = piece.find(')') {
            let target = &piece[..end];
            if target.ends_with(".md") {
                chapters.push(format!("src/{target}"));
            }
        }
    }
    chapters
}

/// Every line inside a fenced code block of the given chapters, trimmed.
fn code_block_lines(src: &Path, chapters: &[String]) -> Result<BTreeSet<String>> {
    let mut lines = BTreeSet::new();
    for chapter in chapters {
        let path = src.join(chapter.trim_start_matches("src/"));
        lines.extend(fenced_lines(&read(&path)?));
    }
    Ok(lines)
}

/// The lines between ``` (or ~~~) fences of a Markdown text, trimmed, without the fences.
pub fn fenced_lines(markdown: &str) -> BTreeSet<String> {
    let mut lines = BTreeSet::new();
    let mut fence: Option<&str> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        match fence {
            None if trimmed.starts_with("```") || trimmed.starts_with("~~~") => {
                fence = Some(&trimmed[..3]);
            }
            Some(open) if trimmed.starts_with(open) => fence = None,
            Some(_) if !trimmed.trim().is_empty() => {
                lines.insert(trimmed.trim().to_string());
            }
            _ => {}
        }
    }
    lines
}

/// `guide/po/pending`: `LANG FILE` a line (`ar lab03-broadcast.md`), `#` starts a comment.
pub fn parse_pending(text: &str) -> BTreeSet<(String, String)> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let language = words.next()?;
            let file = words.next()?;
            let file = file.trim_start_matches("src/");
            Some((language.to_string(), format!("src/{file}")))
        })
        .collect()
}

/// A catalogue's entries (the header, whose msgid is empty, left out), read from its file.
pub fn read_catalogue(path: &Path) -> Result<Vec<Entry>> {
    parse_catalogue(&read(path)?)
        .map_err(|problem| Failure::new(format!("{}: {problem}", path.display())))
}

/// The entries of a catalogue's text. Only what this check needs of the PO format: `#:`
/// references, the `#, fuzzy` flag, `msgctxt`, `msgid` and `msgstr` with their continuation
/// lines, and C escapes. (polib, the crate mdbook-i18n-helpers uses, panics on a header that
/// lacks a field, such as the template's creation date, which scripts/translations removes.)
pub fn parse_catalogue(text: &str) -> std::result::Result<Vec<Entry>, String> {
    #[derive(PartialEq)]
    enum Field {
        None,
        Id,
        Str,
        Other,
    }
    let mut entries = Vec::new();
    let mut current = Entry {
        msgid: String::new(),
        msgstr: String::new(),
        fuzzy: false,
        chapters: Vec::new(),
    };
    let mut field = Field::None;
    let mut seen_id = false;
    let finish = |entry: &mut Entry, seen_id: &mut bool, entries: &mut Vec<Entry>| {
        if *seen_id && !entry.msgid.is_empty() {
            entries.push(entry.clone());
        }
        *entry = Entry {
            msgid: String::new(),
            msgstr: String::new(),
            fuzzy: false,
            chapters: Vec::new(),
        };
        *seen_id = false;
    };
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        let at = |problem: &str| format!("line {}: {problem}", number + 1);
        if line.trim().is_empty() {
            finish(&mut current, &mut seen_id, &mut entries);
            field = Field::None;
        } else if let Some(references) = line.strip_prefix("#:") {
            if seen_id {
                finish(&mut current, &mut seen_id, &mut entries);
            }
            for chapter in chapters_of(references) {
                if !current.chapters.contains(&chapter) {
                    current.chapters.push(chapter);
                }
            }
        } else if let Some(flags) = line.strip_prefix("#,") {
            current.fuzzy |= flags.split(',').any(|flag| flag.trim() == "fuzzy");
        } else if line.starts_with('#') {
            // Other comments, and obsolete (#~) entries, which check_guide reports.
        } else if let Some(rest) = line.strip_prefix("msgid_plural ") {
            let _ = unquote(rest).map_err(|p| at(&p))?;
            field = Field::Other;
        } else if let Some(rest) = line.strip_prefix("msgid ") {
            if seen_id {
                finish(&mut current, &mut seen_id, &mut entries);
            }
            current.msgid = unquote(rest).map_err(|p| at(&p))?;
            seen_id = true;
            field = Field::Id;
        } else if let Some(rest) = line.strip_prefix("msgstr ") {
            current.msgstr = unquote(rest).map_err(|p| at(&p))?;
            field = Field::Str;
        } else if line.starts_with("msgstr[") || line.starts_with("msgctxt ") {
            field = Field::Other;
        } else if line.starts_with('"') {
            let more = unquote(line).map_err(|p| at(&p))?;
            match field {
                Field::Id => current.msgid.push_str(&more),
                Field::Str => current.msgstr.push_str(&more),
                Field::Other => {}
                Field::None => return Err(at("a quoted line belongs to no msgid or msgstr")),
            }
        } else {
            return Err(at(&format!("this is not PO: {line}")));
        }
    }
    finish(&mut current, &mut seen_id, &mut entries);
    Ok(entries)
}

/// `"a \"b\"\n"` -> `a "b"` and a line break.
fn unquote(quoted: &str) -> std::result::Result<String, String> {
    let inner = quoted
        .trim()
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .ok_or_else(|| format!("expected a quoted string, found {quoted}"))?;
    let mut text = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => text.push('\n'),
            Some('t') => text.push('\t'),
            Some('r') => text.push('\r'),
            Some('"') => text.push('"'),
            Some('\\') => text.push('\\'),
            other => return Err(format!("an unknown escape \\{}", other.unwrap_or(' '))),
        }
    }
    Ok(text)
}

/// `src/a.md:3 src/b.md` -> [`src/a.md`, `src/b.md`]; each chapter once.
fn chapters_of(source: &str) -> Vec<String> {
    let mut chapters: Vec<String> = Vec::new();
    for reference in source.split_whitespace() {
        let file = match reference.rsplit_once(':') {
            Some((file, line)) if line.chars().all(|c| c.is_ascii_digit()) => file,
            _ => reference,
        };
        if !chapters.iter().any(|known| known == file) {
            chapters.push(file.to_string());
        }
    }
    chapters
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).context(format!("reading {}", path.display()))
}

/// An entry, for a problem's sentence: a diagram by its kind and first line (a diagram's start
/// would read only "```mermaid..."), any other entry by the start of its English.
fn name(msgid: &str) -> String {
    if diagram::is_diagram(msgid) {
        format!("the diagram {}", diagram::quote(msgid))
    } else {
        format!("the entry {}", quote(msgid))
    }
}

/// The start of an entry's English, on one line, for a problem's sentence.
fn quote(msgid: &str) -> String {
    let line = msgid.lines().next().unwrap_or("");
    let short: String = line.chars().take(60).collect();
    if short.len() < msgid.len() {
        format!("\"{short}...\"")
    } else {
        format!("\"{short}\"")
    }
}

#[cfg(test)]
mod tests;
