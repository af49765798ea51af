//! Every page of the built book, opened in headless Chromium, checked and photographed.
//!
//! The link check reads HTML; this pass looks at what a reader gets. Each page is opened from
//! its file in a fresh tab of one browser, and fails when:
//! - a script throws an error nobody catches or reports one with `console.error` (mermaid
//!   does so for a diagram it cannot read), or the browser logs an error (a script, a style
//!   sheet or a picture it could not load);
//! - an image has not loaded once the page has;
//! - a mermaid diagram is still text, or mermaid drew its "syntax error" picture instead;
//! - a code block or a table is wider than its column (`scrollWidth > clientWidth`): the end
//!   of its lines, or its last columns, hide behind a scroll bar.
//!
//! Chromium runs with the flags this machine's closed network needs (no sandbox, no GPU, no
//! background downloads or updates, no first-run screens) and a fresh profile of its own, which
//! headless_chrome makes in a temporary folder and removes. Each page's screenshot, the whole
//! page at the width of a laptop's window, goes to SCREENS/EDITION/PAGE.png (a page too tall
//! for one picture continues in PAGE-2.png, PAGE-3.png...).

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::prelude::BASE64_STANDARD;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Log, Page, Runtime};
use headless_chrome::{Browser, LaunchOptions, Tab};
use labkit::error::{Context, Failure, Result};

use crate::pages;

/// The window a reader has on a laptop: mdbook shows its sidebar from 1080 pixels on.
const WINDOW: (u32, u32) = (1280, 900);
/// How long a page may take to load and draw its diagrams.
const PAGE_TIMEOUT: Duration = Duration::from_secs(20);
/// Chromium cannot paint a taller screenshot than this in one piece: a taller page is
/// photographed in parts.
const MAX_SCREENSHOT_HEIGHT: u32 = 16_000;
/// The checks that run inside each page.
const PAGE_CHECKS: &str = include_str!("page_checks.js");
/// True once the page has loaded and mermaid has processed every diagram (it marks each with
/// `data-processed` when it has drawn it, or drawn its error).
const PAGE_READY: &str = "document.readyState === 'complete' && \
     document.querySelectorAll('pre.mermaid:not([data-processed])').length === 0";

/// Checks every page of every book in `books`; returns one sentence per problem found.
pub fn check_books(chromium: &Path, screens: &Path, books: &[PathBuf]) -> Result<Vec<String>> {
    if !chromium.is_file() {
        return Err(Failure::new(format!(
            "there is no Chromium at {}: install Debian's `chromium` package (scripts/check-book does)",
            chromium.display()
        )));
    }
    let browser = launch(chromium)?;
    let mut problems = Vec::new();
    for book in books {
        let edition = edition_name(book);
        let folder = screens.join(&edition);
        // A fresh folder each run: no screenshot left from a page that has since shrunk.
        let _ = fs::remove_dir_all(&folder);
        fs::create_dir_all(&folder).context(format!("creating {}", folder.display()))?;
        for page in pages::reader_pages(book)? {
            let name = page
                .strip_prefix(book)
                .unwrap_or(&page)
                .with_extension("png")
                .to_string_lossy()
                .replace('/', "_");
            let screenshot = folder.join(name);
            let label = format!(
                "{edition}/{}",
                page.strip_prefix(book).unwrap_or(&page).display()
            );
            let found = check_page(&browser, &page, &screenshot)
                .map_err(|failure| Failure::new(format!("{label}: {failure}")))?;
            println!(
                "{label}: {} images, {} of {} diagrams drawn, {} code blocks, {}; screenshot {}",
                found.images,
                found.rendered,
                found.diagrams,
                found.code_blocks,
                if found.problems.is_empty() {
                    "no problem".to_string()
                } else {
                    format!("{} problem(s)", found.problems.len())
                },
                screenshot.display()
            );
            problems.extend(
                found
                    .problems
                    .into_iter()
                    .map(|problem| format!("{label}: {problem}")),
            );
        }
    }
    Ok(problems)
}

/// An edition's name for its screenshots' folder: `book` for the English book, `ar`, `fa`...
fn edition_name(book: &Path) -> String {
    book.file_name()
        .and_then(OsStr::to_str)
        .unwrap_or("book")
        .to_string()
}

fn launch(chromium: &Path) -> Result<Browser> {
    let extra: Vec<&OsStr> = [
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--hide-scrollbars",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(chromium.to_path_buf()))
        .headless(true)
        .sandbox(false)
        .enable_gpu(false)
        .window_size(Some(WINDOW))
        .args(extra)
        .idle_browser_timeout(Duration::from_secs(300))
        .build()
        .map_err(|error| Failure::new(format!("the browser's options are wrong: {error}")))?;
    Browser::new(options).map_err(|error| {
        Failure::new(format!(
            "Chromium ({}) did not start: {error}",
            chromium.display()
        ))
    })
}

/// What one page showed.
struct Found {
    problems: Vec<String>,
    images: u64,
    diagrams: u64,
    rendered: u64,
    code_blocks: u64,
}

fn check_page(browser: &Browser, page: &Path, screenshot: &Path) -> Result<Found> {
    let absolute = page
        .canonicalize()
        .context(format!("finding {}", page.display()))?;
    let tab = browser
        .new_tab()
        .map_err(|error| Failure::new(format!("the browser opened no tab: {error}")))?;
    let errors = listen_for_errors(&tab)?;
    tab.set_default_timeout(PAGE_TIMEOUT);
    tab.navigate_to(&format!("file://{}", absolute.display()))
        .and_then(|tab| tab.wait_until_navigated())
        .map_err(|error| Failure::new(format!("the page did not load: {error}")))?;
    wait_until_ready(&tab)?;

    let report = evaluate_string(&tab, PAGE_CHECKS)?;
    let report: serde_json::Value = serde_json::from_str(&report)
        .map_err(|error| Failure::new(format!("the page's checks answered nonsense: {error}")))?;
    let count = |key: &str| report[key].as_u64().unwrap_or(0);
    let mut problems: Vec<String> = errors.lock().map(|e| e.clone()).unwrap_or_default();
    problems.extend(
        report["problems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|problem| problem.as_str().map(str::to_string)),
    );
    take_screenshot(&tab, count("height") as u32, screenshot)?;
    let _ = tab.close(false);
    Ok(Found {
        problems,
        images: count("images"),
        diagrams: count("diagrams"),
        rendered: count("rendered"),
        code_blocks: count("codeBlocks"),
    })
}

/// Collects, from the moment it is called, the page's uncaught script errors and the errors
/// the browser logs (a file it could not load).
fn listen_for_errors(tab: &Arc<Tab>) -> Result<Arc<Mutex<Vec<String>>>> {
    let errors = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&errors);
    tab.enable_runtime()
        .and_then(|tab| tab.enable_log())
        .map_err(|error| Failure::new(format!("the browser would not report errors: {error}")))?;
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let error = match event {
            Event::RuntimeExceptionThrown(thrown) => {
                let details = &thrown.params.exception_details;
                let description = details
                    .exception
                    .as_ref()
                    .and_then(|exception| exception.description.clone())
                    .unwrap_or_else(|| details.text.clone());
                Some(format!(
                    "a script error: {description} ({}:{})",
                    details.url.clone().unwrap_or_default(),
                    details.line_number
                ))
            }
            Event::LogEntryAdded(added)
                if matches!(added.params.entry.level, Log::LogEntryLevel::Error) =>
            {
                Some(format!(
                    "the browser logged an error: {} ({})",
                    added.params.entry.text,
                    added.params.entry.url.clone().unwrap_or_default()
                ))
            }
            Event::RuntimeConsoleAPICalled(called)
                if matches!(
                    called.params.Type,
                    Runtime::ConsoleAPICalledEventTypeOption::Error
                ) =>
            {
                let said: Vec<String> = called
                    .params
                    .args
                    .iter()
                    .map(|arg| match (&arg.value, &arg.description) {
                        (Some(serde_json::Value::String(text)), _) => text.clone(),
                        (Some(value), _) => value.to_string(),
                        (None, Some(description)) => description.clone(),
                        (None, None) => String::new(),
                    })
                    .collect();
                Some(format!("a script reported an error: {}", said.join(" ")))
            }
            _ => None,
        };
        if let (Some(error), Ok(mut errors)) = (error, sink.lock()) {
            errors.push(error);
        }
    }))
    .map_err(|error| Failure::new(format!("the browser would not report errors: {error}")))?;
    Ok(errors)
}

/// Waits until the page has loaded and mermaid has drawn every diagram, or fails after
/// [`PAGE_TIMEOUT`].
fn wait_until_ready(tab: &Tab) -> Result<()> {
    let deadline = Instant::now() + PAGE_TIMEOUT;
    loop {
        let ready = tab
            .evaluate(PAGE_READY, false)
            .ok()
            .and_then(|answer| answer.value)
            .and_then(|value| value.as_bool())
            .unwrap_or(false);
        if ready {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(Failure::new(format!(
                "the page was not ready (loaded, every diagram drawn) after {} seconds",
                PAGE_TIMEOUT.as_secs()
            )));
        }
        // Polling the page's own state, not waiting for a guess: the loop ends as soon as it
        // is ready.
        thread::sleep(Duration::from_millis(50));
    }
}

fn evaluate_string(tab: &Tab, script: &str) -> Result<String> {
    tab.evaluate(script, false)
        .map_err(|error| Failure::new(format!("the page's checks did not run: {error}")))?
        .value
        .and_then(|value| value.as_str().map(str::to_string))
        .ok_or_else(|| Failure::new("the page's checks returned no answer"))
}

/// Screenshots of the whole page: PAGE.png, and for a page taller than Chromium paints in one
/// piece ([`MAX_SCREENSHOT_HEIGHT`]), PAGE-2.png, PAGE-3.png... for the parts below it.
fn take_screenshot(tab: &Tab, height: u32, path: &Path) -> Result<()> {
    let height = height.max(WINDOW.1);
    for (part, top) in (0..height)
        .step_by(MAX_SCREENSHOT_HEIGHT as usize)
        .enumerate()
    {
        let tall = (height - top).min(MAX_SCREENSHOT_HEIGHT);
        let png = tab
            .call_method(Page::CaptureScreenshot {
                format: Some(Page::CaptureScreenshotFormatOption::Png),
                quality: None,
                clip: Some(Page::Viewport {
                    x: 0.0,
                    y: f64::from(top),
                    width: f64::from(WINDOW.0),
                    height: f64::from(tall),
                    scale: 1.0,
                }),
                from_surface: Some(true),
                capture_beyond_viewport: Some(true),
                optimize_for_speed: None,
            })
            .map_err(|error| Failure::new(format!("the screenshot failed: {error}")))?
            .data;
        let bytes = BASE64_STANDARD.decode(png).map_err(|error| {
            Failure::new(format!("the browser's screenshot is not base64: {error}"))
        })?;
        let file = match part {
            0 => path.to_path_buf(),
            _ => part_path(path, part + 1),
        };
        fs::write(&file, bytes).context(format!("writing {}", file.display()))?;
    }
    Ok(())
}

/// PAGE-N.png beside PAGE.png: the Nth part of a tall page's screenshot.
fn part_path(path: &Path, number: usize) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!("{stem}-{number}.png"))
}
