//! Every internal link and anchor of a built book, checked; the external ones listed.
//!
//! A link is internal when it has no scheme: `lab03-broadcast.html#the-protocol`,
//! `images/room.svg`, `#defect-1`. Its file must exist inside the book, and its `#anchor`, when
//! it has one, must be the `id` of an element of that page. External links (`https://...`) are
//! only listed: this machine cannot reach them, and a test that fetched them would fail on a
//! network's mood rather than on the book.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

use labkit::error::{Context, Result};

use crate::html;
use crate::pages;

/// What the check of one book found.
pub struct Report {
    /// How many HTML files were read.
    pub pages: usize,
    /// How many internal links (with or without an anchor) were checked.
    pub checked: usize,
    /// The external links, each once.
    pub external: BTreeSet<String>,
    /// One sentence per broken link.
    pub problems: Vec<String>,
}

/// Where a link points, as the check sees it.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// Another site: listed, not fetched.
    External,
    /// Nothing to check (`javascript:`, `data:`, an empty link).
    Ignored,
    /// A file of the book (relative to its root), and maybe an anchor in it.
    Internal {
        file: PathBuf,
        anchor: Option<String>,
    },
    /// A relative path that climbs out of the book.
    OutsideTheBook,
}

/// Where `href`, found in the page `page` (relative to the book's root), points.
pub fn resolve(page: &Path, href: &str) -> Target {
    let lower = href.to_ascii_lowercase();
    if lower.starts_with("http:")
        || lower.starts_with("https:")
        || lower.starts_with("mailto:")
        || lower.starts_with("//")
    {
        return Target::External;
    }
    if href.is_empty() || lower.starts_with("javascript:") || lower.starts_with("data:") {
        return Target::Ignored;
    }
    let (path, anchor) = match href.split_once('#') {
        Some((path, anchor)) => (path, Some(html::percent_decode(anchor))),
        None => (href, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    let path = html::percent_decode(path);
    let mut file = if path.is_empty() {
        page.to_path_buf()
    } else {
        let mut joined = page.parent().unwrap_or(Path::new("")).to_path_buf();
        for component in Path::new(&path).components() {
            match component {
                Component::Normal(part) => joined.push(part),
                Component::ParentDir => {
                    if !joined.pop() {
                        return Target::OutsideTheBook;
                    }
                }
                Component::CurDir => {}
                Component::RootDir | Component::Prefix(_) => return Target::OutsideTheBook,
            }
        }
        joined
    };
    if path.ends_with('/') || file.as_os_str().is_empty() {
        file.push("index.html");
    }
    Target::Internal {
        file,
        anchor: anchor.filter(|anchor| !anchor.is_empty()),
    }
}

/// Checks every link of every HTML file of the book at `root` but `404.html` (its links are
/// absolute, for a web server, and cannot resolve from a folder).
pub fn check_book(root: &Path) -> Result<Report> {
    let files: Vec<PathBuf> = pages::html_files(root)?
        .into_iter()
        .filter(|path| path != &root.join("404.html"))
        .collect();
    let mut anchors_of: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    let mut texts = Vec::new();
    for path in &files {
        let text = fs::read_to_string(path).context(format!("reading {}", path.display()))?;
        let relative = path.strip_prefix(root).unwrap_or(path).to_path_buf();
        anchors_of.insert(relative.clone(), html::anchors(&text));
        texts.push((relative, text));
    }
    let mut report = Report {
        pages: files.len(),
        checked: 0,
        external: BTreeSet::new(),
        problems: Vec::new(),
    };
    for (page, text) in &texts {
        for href in html::link_targets(text) {
            match resolve(page, &href) {
                Target::External => {
                    report.external.insert(href);
                }
                Target::Ignored => {}
                Target::OutsideTheBook => report.problems.push(format!(
                    "{}: the link `{href}` points outside the book",
                    page.display()
                )),
                Target::Internal { file, anchor } => {
                    report.checked += 1;
                    if let Some(problem) = check_target(root, &anchors_of, &file, anchor.as_deref())
                    {
                        report
                            .problems
                            .push(format!("{}: the link `{href}` {problem}", page.display()));
                    }
                }
            }
        }
    }
    Ok(report)
}

/// Why a link to `file#anchor` is broken, or None when it is not.
fn check_target(
    root: &Path,
    anchors_of: &BTreeMap<PathBuf, BTreeSet<String>>,
    file: &Path,
    anchor: Option<&str>,
) -> Option<String> {
    let full = root.join(file);
    if !full.is_file() {
        return Some(format!(
            "points to {}, which is not in the book",
            file.display()
        ));
    }
    let anchor = anchor?;
    match anchors_of.get(file) {
        Some(anchors) if anchors.contains(anchor) => None,
        Some(_) => Some(format!(
            "points to #{anchor}, which {} has no element with",
            file.display()
        )),
        // An anchor into a file that is not a page (a picture, a script): nothing to find it in.
        None => Some(format!(
            "points to #{anchor} inside {}, which is not a page",
            file.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn internal(file: &str, anchor: Option<&str>) -> Target {
        Target::Internal {
            file: PathBuf::from(file),
            anchor: anchor.map(str::to_string),
        }
    }

    #[test]
    fn links_resolve_from_the_page_they_are_in() {
        let page = Path::new("lab03-broadcast.html");
        assert_eq!(
            resolve(page, "#defect-1"),
            internal("lab03-broadcast.html", Some("defect-1"))
        );
        assert_eq!(resolve(page, "bench.html"), internal("bench.html", None));
        assert_eq!(
            resolve(page, "images/a.svg"),
            internal("images/a.svg", None)
        );
        assert_eq!(resolve(page, "./"), internal("index.html", None));
        let nested = Path::new("ar/lab03-broadcast.html");
        assert_eq!(
            resolve(nested, "../bench.html#%D8%B3"),
            internal("bench.html", Some("س"))
        );
        assert_eq!(resolve(page, "../../etc/passwd"), Target::OutsideTheBook);
        assert_eq!(resolve(page, "https://example.org/x"), Target::External);
        assert_eq!(resolve(page, "javascript:void(0)"), Target::Ignored);
    }

    #[test]
    fn a_missing_page_and_a_missing_anchor_are_both_reported() {
        let root = std::env::temp_dir().join(format!("book-check-links-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        fs::write(
            root.join("index.html"),
            r##"<h1 id="top">x</h1><a href="#top">ok</a> <a href="#gone">no anchor</a>
<a href="lab09.html">no page</a> <a href="https://example.org/">away</a>"##,
        )
        .unwrap();
        let report = check_book(&root).unwrap();
        fs::remove_dir_all(&root).unwrap();
        assert_eq!(report.checked, 3);
        assert_eq!(
            report.problems,
            vec![
                "index.html: the link `#gone` points to #gone, which index.html has no element with",
                "index.html: the link `lab09.html` points to lab09.html, which is not in the book",
            ]
        );
        assert_eq!(report.external.len(), 1);
    }
}
