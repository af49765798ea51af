//! Which files of a built book are its pages.
//!
//! mdbook writes one HTML file per chapter, and three more that are not pages a reader opens
//! from the table of contents: `print.html` (every chapter on one page, for printing),
//! `toc.html` (the sidebar, for browsers without scripts) and `404.html` (its links are
//! absolute, for a web server, so they cannot resolve from a folder). An edition in another
//! language is a whole book of its own inside a subfolder (it has its own `toc.html`): it is
//! checked as its own edition, not as pages of this one.

use std::fs;
use std::path::{Path, PathBuf};

use labkit::error::{Context, Result};

/// The files every check skips, with the reason above.
const NOT_PAGES: [&str; 3] = ["print.html", "toc.html", "404.html"];

/// Every HTML file of the book at `root` (the pages the browser opens, and the ones it skips),
/// sorted, without the other editions nested inside it.
pub fn html_files(root: &Path) -> Result<Vec<PathBuf>> {
    if !root.join("index.html").is_file() {
        return Err(labkit::error::Failure::new(format!(
            "{} is not a built book (it has no index.html): run `mdbook build guide` first",
            root.display()
        )));
    }
    let mut found = Vec::new();
    walk(root, root, &mut found)?;
    found.sort();
    Ok(found)
}

/// The pages a reader opens: every HTML file but the ones in [`NOT_PAGES`].
pub fn reader_pages(root: &Path) -> Result<Vec<PathBuf>> {
    Ok(html_files(root)?
        .into_iter()
        .filter(|path| !is_skipped(root, path))
        .collect())
}

/// True for `print.html`, `toc.html` and `404.html` at the top of the book.
pub fn is_skipped(root: &Path, path: &Path) -> bool {
    path.parent() == Some(root)
        && path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| NOT_PAGES.contains(&name))
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(dir).context(format!("reading the folder {}", dir.display()))?;
    for entry in entries {
        let path = entry
            .context(format!("reading the folder {}", dir.display()))?
            .path();
        if path.is_dir() {
            // Another edition (a book of its own), or mdbook's assets: neither holds pages.
            let nested_book = path.join("toc.html").is_file();
            let assets = ["css", "fonts", "FontAwesome", "images"]
                .iter()
                .any(|name| path == root.join(name));
            if !nested_book && !assets {
                walk(root, &path, found)?;
            }
        } else if path.extension().is_some_and(|ext| ext == "html") {
            found.push(path);
        }
    }
    Ok(())
}
