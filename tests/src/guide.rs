//! The commands the guide prints: every line of every `sh` block of its chapters.
//!
//! Two tests read them: `commands` checks that the programs and options they name exist, and
//! `typed` runs each of them as printed.

use std::fs;
use std::path::{Path, PathBuf};

/// One line of an `sh` block: the chapter it is in (`lab01-echo.md`), and the line as printed,
/// without its indentation.
#[derive(Clone, Debug)]
pub struct Printed {
    pub chapter: String,
    pub line: String,
}

/// Every line of every `sh` block of the chapters in `guide_src` (the kit's `guide/src`), in
/// the chapters' alphabetical order; blank lines and lines that are only a comment left out.
pub fn printed_commands(guide_src: &Path) -> Vec<Printed> {
    let mut found = Vec::new();
    let mut chapters: Vec<PathBuf> = fs::read_dir(guide_src)
        .expect("guide/src exists")
        .map(|entry| entry.expect("guide/src is readable").path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    chapters.sort();
    for path in chapters {
        let text = fs::read_to_string(&path).expect("a chapter is UTF-8 text");
        let chapter = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut in_sh = false;
        for line in text.lines() {
            let fence = line.trim_start();
            if fence.starts_with("```") {
                in_sh = !in_sh && fence == "```sh";
                continue;
            }
            if in_sh && !line.trim().is_empty() && !line.trim_start().starts_with('#') {
                found.push(Printed {
                    chapter: chapter.clone(),
                    line: line.trim().to_string(),
                });
            }
        }
    }
    found
}
