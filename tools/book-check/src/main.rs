//! book-check: what `scripts/check-book` runs on the built guide, after `mdbook build`.
//!
//! A book can build without a warning and still be broken for its reader: a link to a chapter
//! that was renamed, an anchor that no heading has any more, a diagram that did not render, a
//! transcript line so long that its end is off the screen. This tool finds those, in two passes:
//!
//! - `book-check links DIR...` reads the built HTML and checks every internal link and `#anchor`
//!   (external links are listed, never fetched: this machine has no network);
//! - `book-check browser DIR...` opens every page in headless Chromium and fails on a script
//!   error, an image that does not load, a mermaid diagram that did not become a picture, or a
//!   code block or a table wider than its column; it keeps a screenshot of each page for a
//!   person to look at.
//!
//! Each DIR is one built edition (the English book, and its Arabic and Persian ones).
//!
//! - `book-check catalogue GUIDE` checks the editions' catalogues (GUIDE/po/ar.po, fa.po)
//!   against the English book: nothing untranslated or fuzzy, nothing stale, code blocks and
//!   transcripts copied byte for byte; it prints each chapter's counts.
//!
//! The parts, one job each: `catalogue` checks the catalogues, with `diagram` for a translated
//! mermaid diagram's shape; `pages` finds an edition's pages; `html` reads the attributes of
//! a built page; `links` checks them; `browser` drives Chromium, with the checks it runs inside
//! each page in `page_checks.js`.

mod browser;
mod catalogue;
mod diagram;
mod html;
mod links;
mod pages;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use labkit::error::Failure;

#[derive(Parser)]
#[command(
    about = "Checks the built guide: its links and anchors, then every page in headless Chromium."
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check every internal link and anchor of each built book; list the external links.
    Links {
        /// A built book (mdbook's output directory), e.g. guide/book.
        #[arg(required = true)]
        books: Vec<PathBuf>,
    },
    /// Open every page of each built book in headless Chromium, check it and photograph it.
    Browser {
        /// The Chromium program (Debian's package installs it here).
        #[arg(long, default_value = "/usr/bin/chromium")]
        chromium: PathBuf,
        /// Where the screenshots go: DIR/EDITION/PAGE.png.
        #[arg(long, default_value = "target/book-screens")]
        screens: PathBuf,
        /// A built book (mdbook's output directory), e.g. guide/book.
        #[arg(required = true)]
        books: Vec<PathBuf>,
    },
    /// Check the Arabic and Persian catalogues against the English book; print their counts.
    Catalogue {
        /// The guide (the folder with book.toml, src/ and po/).
        guide: PathBuf,
        /// The editions to check.
        #[arg(long, value_delimiter = ',', default_value = "ar,fa")]
        languages: Vec<String>,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    labkit::error::run("book-check", || match args.command {
        Command::Links { books } => {
            let mut problems = Vec::new();
            for book in &books {
                let report = links::check_book(book)?;
                for external in &report.external {
                    println!("external link (not fetched): {external}");
                }
                println!(
                    "{}: {} pages, {} internal links and anchors checked, {} external links listed",
                    book.display(),
                    report.pages,
                    report.checked,
                    report.external.len()
                );
                problems.extend(report.problems);
            }
            verdict(problems)
        }
        Command::Browser {
            chromium,
            screens,
            books,
        } => {
            let problems = browser::check_books(&chromium, &screens, &books)?;
            verdict(problems)
        }
        Command::Catalogue { guide, languages } => {
            let mut problems = Vec::new();
            for report in catalogue::check_guide(&guide, &languages)? {
                print_counts(&report);
                problems.extend(report.problems);
            }
            verdict(problems)
        }
    })
}

/// One line per chapter: how many of its entries the edition has translated.
fn print_counts(report: &catalogue::Report) {
    println!(
        "{}.po: {} of {} entries translated",
        report.language, report.total.translated, report.total.entries
    );
    for (chapter, counts) in &report.chapters {
        println!(
            "  {chapter:<24} {:>4} of {:>4} translated",
            counts.translated, counts.entries
        );
    }
}

/// Prints every problem found, one per line, and fails with their count when there is any.
fn verdict(problems: Vec<String>) -> labkit::error::Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    Err(Failure::new(format!(
        "the built book has {} problem(s), listed above",
        problems.len()
    )))
}
