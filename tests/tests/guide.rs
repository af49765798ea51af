//! The guide shows the kit's transcripts; these tests keep it honest.
//!
//! Every transcript in the guide is a copy of a snapshot, announced by a marker line right
//! before its fenced block:
//!
//! ````text
//! <!-- snapshot: labs/02-one-to-one/tests/snapshots/lab02_server.snap -->
//! ```text
//! ...the snapshot's contents...
//! ```
//! ````
//!
//! A block that differs from its snapshot fails, and so does a snapshot the guide never shows:
//! transcripts are the product, and a reader must see the ones the suites pin. After changing
//! snapshots on purpose, `UPDATE_GUIDE=1 cargo test -p harness --test guide` copies them into
//! the guide; CI never does.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

const MARKER: &str = "<!-- snapshot: ";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// The guide's chapters, as (path, text).
fn chapters() -> Vec<(PathBuf, String)> {
    let mut chapters: Vec<_> = fs::read_dir(root().join("guide/src"))
        .expect("guide/src exists")
        .map(|entry| entry.expect("guide/src is readable").path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .map(|path| {
            let text = fs::read_to_string(&path).expect("a chapter is UTF-8 text");
            (path, text)
        })
        .collect();
    chapters.sort();
    chapters
}

/// A snapshot's contents, without insta's header.
fn snapshot_contents(path: &Path) -> Option<String> {
    let text = fs::read_to_string(path).ok()?;
    let after_header = text.strip_prefix("---\n")?.split_once("\n---\n")?.1;
    Some(after_header.trim_end_matches('\n').to_string())
}

/// A transcript block of the guide: the snapshot it names and the lines of its fenced block.
struct Block {
    snapshot: String,
    /// Line numbers (0-based) of the opening and closing fences.
    fences: (usize, usize),
    contents: String,
}

fn blocks(chapter: &Path, text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (number, line) in lines.iter().enumerate() {
        let Some(rest) = line.trim().strip_prefix(MARKER) else {
            continue;
        };
        let snapshot = rest.trim_end_matches("-->").trim().to_string();
        let where_ = format!("{}:{}", chapter.display(), number + 1);
        let open = number + 1;
        let fence = lines.get(open).map(|l| l.trim_start()).unwrap_or("");
        assert!(
            fence.starts_with("```"),
            "{where_}: the marker for {snapshot} must be followed directly by a ``` block"
        );
        let fence = fence.chars().take_while(|&c| c == '`').collect::<String>();
        let close = (open + 1..lines.len())
            .find(|&i| lines[i].trim() == fence)
            .unwrap_or_else(|| panic!("{where_}: the block for {snapshot} is never closed"));
        found.push(Block {
            snapshot,
            fences: (open, close),
            contents: lines[open + 1..close].join("\n"),
        });
    }
    found
}

#[test]
fn every_transcript_in_the_guide_is_its_snapshot() {
    let update = std::env::var("UPDATE_GUIDE").is_ok_and(|v| v == "1");
    let mut differences = Vec::new();
    for (chapter, text) in chapters() {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut blocks = blocks(&chapter, &text);
        // Rewriting from the last block keeps the earlier blocks' line numbers valid.
        blocks.reverse();
        for block in blocks {
            let Some(snapshot) = snapshot_contents(&root().join(&block.snapshot)) else {
                differences.push(format!(
                    "{}: names {}, which is not a snapshot",
                    chapter.display(),
                    block.snapshot
                ));
                continue;
            };
            if snapshot != block.contents {
                if update {
                    let (open, close) = block.fences;
                    lines.splice(open + 1..close, snapshot.lines().map(str::to_string));
                } else {
                    differences.push(format!(
                        "{} shows a transcript that differs from {}:\n--- the guide\n{}\n--- the snapshot\n{}",
                        chapter.display(),
                        block.snapshot,
                        block.contents,
                        snapshot
                    ));
                }
            }
        }
        if update {
            fs::write(&chapter, lines.join("\n") + "\n").expect("the chapter can be written");
        }
    }
    assert!(
        differences.is_empty(),
        "{}\n\n(after checking that the snapshots are right: UPDATE_GUIDE=1 cargo test -p harness --test guide)",
        differences.join("\n\n")
    );
}

#[test]
fn the_guide_shows_every_snapshot() {
    let shown: BTreeSet<String> = chapters()
        .iter()
        .flat_map(|(path, text)| blocks(path, text))
        .map(|block| block.snapshot)
        .collect();
    let mut unshown = Vec::new();
    // The stages' snapshots, and the tools' (the course's starter, for one).
    let packages = ["labs", "tools"].into_iter().flat_map(|folder| {
        fs::read_dir(root().join(folder))
            .unwrap_or_else(|error| panic!("{folder}/ cannot be read: {error}"))
            .map(|entry| entry.expect("a package folder is readable").path())
    });
    for package in packages {
        let snapshots = package.join("tests/snapshots");
        let Ok(entries) = fs::read_dir(&snapshots) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a snapshot folder is readable").path();
            if path.extension().is_some_and(|e| e == "snap") {
                let relative = path
                    .strip_prefix(root())
                    .expect("inside the workspace")
                    .display()
                    .to_string();
                if !shown.contains(&relative) {
                    unshown.push(relative);
                }
            }
        }
    }
    unshown.sort();
    assert!(
        unshown.is_empty(),
        "these transcripts are pinned by a suite but never shown in the guide:\n{}",
        unshown.join("\n")
    );
}

#[test]
fn the_summary_lists_every_chapter_and_only_chapters_that_exist() {
    let summary = fs::read_to_string(root().join("guide/src/SUMMARY.md")).expect("SUMMARY.md");
    let linked: BTreeSet<String> = summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')'))
        .map(|(target, _)| target.to_string())
        .collect();
    let chapters: BTreeSet<String> = chapters()
        .iter()
        .filter_map(|(path, _)| path.file_name()?.to_str().map(str::to_string))
        .filter(|name| name != "SUMMARY.md")
        .collect();
    assert_eq!(
        linked, chapters,
        "SUMMARY.md must link exactly the chapters in guide/src"
    );
}
