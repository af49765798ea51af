//! The browser pass can fail: a made-up book with one of each problem is opened in the real
//! headless Chromium, and each problem must be reported, with its page; a clean book passes.
//! Skipped, with one line, where Debian's chromium is not installed (scripts/check-book
//! installs it, so the test command never skips it).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

/// A fresh folder for one test's made-up book.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("book-check-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("book")).expect("a scratch folder");
    dir
}

/// Runs `book-check browser` on `book`; returns its exit success, stdout and stderr.
fn check(dir: &Path) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_book-check"))
        .args(["browser", "--screens"])
        .arg(dir.join("screens"))
        .arg(dir.join("book"))
        .output()
        .expect("book-check runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn every_kind_of_problem_is_reported_with_its_page() {
    if !Path::new(CHROMIUM).is_file() {
        println!("skipped: no Chromium at {CHROMIUM} (scripts/check-book installs it)");
        return;
    }
    let dir = scratch("broken");
    let long_line = "1234567890".repeat(40);
    fs::write(
        dir.join("book/index.html"),
        "<main><p>a clean page</p></main>",
    )
    .unwrap();
    fs::write(
        dir.join("book/broken.html"),
        format!(
            r#"<html><body><main style="width: 400px">
<pre><code style="display: block; overflow-x: auto">{long_line}</code></pre>
<div class="table-wrapper" style="overflow-x: auto"><table><tr><td style="white-space: nowrap">{long_line}</td></tr></table></div>
<img src="images/missing.png" alt="gone">
<pre class="mermaid" data-processed="true">flowchart LR
  A --> B</pre>
<script>throw new Error("boom in the page");</script>
</main></body></html>"#
        ),
    )
    .unwrap();
    // An Arabic page that mdbook did not lay out right to left, with no language switch in its
    // menu bar; a Persian one, right to left, whose code block is right to left too.
    fs::write(
        dir.join("book/rtl.html"),
        r#"<html lang="ar"><body><div id="menu-bar"><div class="right-buttons"></div></div>
<main><p>مرحبا</p></main></body></html>"#,
    )
    .unwrap();
    fs::write(
        dir.join("book/fa.html"),
        r#"<html lang="fa" dir="rtl"><body><div id="menu-bar"><div class="right-buttons">
<nav class="editions"><a href="index.html">English</a><a href="rtl.html">العربية</a></nav></div></div>
<main><pre><code>cargo run -p lab01</code></pre></main></body></html>"#,
    )
    .unwrap();
    let (passed, stdout, stderr) = check(&dir);
    assert!(
        !passed,
        "a broken page must fail the check; it said:\n{stdout}{stderr}"
    );
    for expected in [
        "book/broken.html: a code block is",
        "book/broken.html: the image images/missing.png did not load",
        "book/broken.html: a mermaid diagram did not render: \"flowchart LR\"",
        "book/broken.html: a script error: Error: boom in the page",
        "book/broken.html: a table is",
        "book/rtl.html: the language switch has 0 links to other editions, not 2",
        "book/rtl.html: the ar page is not laid out right to left (html dir=\"\")",
        "book/fa.html: a code block of the fa page runs right to left: \"cargo run -p lab01\"",
        "the built book has 9 problem(s)",
    ] {
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in:\n{stderr}"
        );
    }
    // The missing image is also logged by the browser: the sixth problem.
    assert!(
        stderr.contains("book/broken.html: the browser logged an error"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("book/index.html:") && !stderr.contains("book/fa.html: the language"),
        "the clean page has no problem:\n{stderr}"
    );
    for page in ["index.png", "broken.png"] {
        let screenshot = dir.join("screens/book").join(page);
        let bytes = fs::read(&screenshot).unwrap_or_default();
        assert!(
            bytes.starts_with(b"\x89PNG"),
            "no screenshot at {}",
            screenshot.display()
        );
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_clean_book_passes() {
    if !Path::new(CHROMIUM).is_file() {
        println!("skipped: no Chromium at {CHROMIUM} (scripts/check-book installs it)");
        return;
    }
    let dir = scratch("clean");
    fs::write(
        dir.join("book/index.html"),
        "<main><p>words</p><pre><code>short</code></pre></main>",
    )
    .unwrap();
    let (passed, stdout, stderr) = check(&dir);
    assert!(passed, "a clean book must pass; it said:\n{stdout}{stderr}");
    assert!(
        stdout.contains(
            "book/index.html: 0 images, 0 of 0 diagrams drawn, 1 code blocks, no problem"
        ),
        "{stdout}"
    );
    fs::remove_dir_all(&dir).unwrap();
}
