//! `course starter`, end to end: a starter is written from the kit, builds without a warning,
//! fails lab 03's whole suite, and `course progress` in it shows every stage to write and the
//! first hint. One test, in order, so that the starter is built once; another pins what the
//! command says, as the guide shows it.

mod support;

use std::path::Path;
use std::process::Command;

use support::{course, grade, kit, one_suite_at_a_time, scratch, starter_target, tests};

/// The tests of lab 03 that exercise the server a student writes (not the unit tests, nor those
/// of the kit's own client, its dialects and its `--help`).
fn exercising_the_server(grade: &serde_json::Value) -> Vec<&serde_json::Value> {
    tests(grade)
        .filter(|t| matches!(t["exercises"].as_str(), Some("server" | "both")))
        .collect()
}

/// Asserts that at least 85 % of `suite` failed on the starter: what a student has not written
/// yet cannot pass. What may pass is plumbing a student does not write (`--help`, helpers that
/// are not cut, such as the client's wrapping of long lines, or the outbox's `send`, whose test
/// passes in a starter): 7 or 8 of lab 03's 79 tests pass, so 91 or 90 % fail (71 of 79 is
/// 89.9 %), too near 90 % for a line drawn there.
fn at_least_85_percent_fail(what: &str, suite: &[&serde_json::Value], report: &str) {
    let failing = suite.iter().filter(|t| t["passed"] == false).count();
    let passing: Vec<_> = suite
        .iter()
        .filter(|t| t["passed"] == true)
        .map(|t| t["test"].as_str().unwrap_or(""))
        .collect();
    assert!(
        failing * 100 >= suite.len() * 85,
        "only {failing} of {} tests of {what} failed on the starter; these passed: {passing:?}\n{report}",
        suite.len()
    );
    // The figure, for whoever runs this with --nocapture.
    println!(
        "{failing} of {} tests of {what} failed on the starter; passed: {passing:?}",
        suite.len()
    );
}

/// Runs `cargo args` in `folder`, building in the starters' own target folder.
fn cargo(folder: &Path, args: &[&str]) {
    let output = Command::new(env!("CARGO"))
        .current_dir(folder)
        .args(args)
        .env("CARGO_TARGET_DIR", starter_target())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo {} failed in the starter:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The programs still running whose working folder is `folder` or inside it, as Linux lists them
/// in /proc (`pid: command line`). Everything a suite starts in a starter runs there. (Where
/// there is no /proc, nothing is listed, and nothing checked.)
fn running_in(folder: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_string_lossy().into_owned();
            pid.parse::<u32>().ok()?;
            // A program that has ended, or is not ours to look at, has no readable cwd.
            let cwd = std::fs::read_link(entry.path().join("cwd")).ok()?;
            let command = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let command = String::from_utf8_lossy(&command).replace('\0', " ");
            cwd.starts_with(folder)
                .then(|| format!("{pid}: {}", command.trim_end()))
        })
        .collect()
}

/// Asserts that nothing `what` started in the starter is still running: a failing test must
/// stop its programs too, or a student's half-written server goes on listening after every
/// run of the suite. A program just killed takes a moment to go, so this waits up to 5 s.
fn assert_nothing_left_running(folder: &Path, what: &str) {
    use std::time::Duration;
    let mut left = Vec::new();
    let gone = harness::poll_until(Duration::from_secs(5), Duration::from_millis(50), || {
        left = running_in(folder);
        left.is_empty()
    });
    assert!(gone, "{what} left these running in the starter: {left:?}");
}

#[test]
fn a_starter_builds_fails_lab03_and_shows_every_stage_to_write() {
    let _one = one_suite_at_a_time();
    let dir = scratch().join(format!("starter-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_arg = dir.to_string_lossy().into_owned();
    let written = course(&kit(), &["starter", &dir_arg], &[]);
    let said = String::from_utf8_lossy(&written.stdout).into_owned();
    assert!(
        written.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&written.stderr)
    );

    // Every stage a student writes has functions cut; lab 05, which holds lab 03's answers,
    // is left out.
    for stage in [
        "labs/01-echo/",
        "labs/02-one-to-one/",
        "labs/03-broadcast/",
        "labs/04-gui/",
    ] {
        assert!(said.contains(stage), "no function cut in {stage}:\n{said}");
    }
    assert!(!dir.join("labs/05-scale").exists());
    let broadcast = std::fs::read_to_string(dir.join("labs/03-broadcast/src/room.rs"))
        .expect("the starter has lab 03's room");
    assert!(broadcast.contains("todo!(\""), "{broadcast}");

    // It builds without a warning, clippy's included.
    cargo(
        &dir,
        &[
            "clippy",
            "-q",
            "-p",
            "lab01",
            "-p",
            "lab02",
            "-p",
            "lab03",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    );

    // Lab 03's grading suite fails on it (the kit's own passes 100 %: tests/grade.rs).
    let target = starter_target().to_string_lossy().into_owned();
    let environment = [
        ("CARGO_TARGET_DIR", target.as_str()),
        ("HARNESS_TIMEOUT", "2"),
    ];
    let (grade, report) = grade(&dir, &["03"], &environment);
    let whole: Vec<_> = tests(&grade).collect();
    assert!(whole.len() >= 60, "{report}");
    at_least_85_percent_fail("lab 03's whole suite", &whole, &report);
    let server = exercising_the_server(&grade);
    assert!(server.len() >= 25, "{report}");
    at_least_85_percent_fail("lab 03 that exercise the server", &server, &report);
    assert_nothing_left_running(&dir, "course grade 03");
    // Each failure is the harness's step log, a `todo!` reached, or a test's own sentence; never
    // a panic of the harness itself (its assertion that an override variable really replaces
    // the program, in rerun.rs, is a test's sentence).
    assert!(report.contains("failed at step"), "{report}");
    assert!(report.contains("not yet implemented: "), "{report}");
    for line in report
        .lines()
        .filter(|l| l.contains("panicked at tests/src/"))
    {
        assert!(
            line.contains("panicked at tests/src/rerun.rs"),
            "the harness panicked: {line}\n{report}"
        );
    }

    // Progress: no stage written, lab 01 next, with the hint of its first function.
    let progress = course(&dir, &["progress"], &environment);
    let table = String::from_utf8_lossy(&progress.stdout).into_owned();
    assert!(
        progress.status.success(),
        "{table}{}",
        String::from_utf8_lossy(&progress.stderr)
    );
    assert_nothing_left_running(&dir, "course progress");
    for stage in ["lab01", "lab02", "lab03", "lab04"] {
        let row = table
            .lines()
            .find(|line| line.starts_with(stage))
            .unwrap_or_else(|| panic!("no row for {stage}:\n{table}"));
        assert!(
            row.contains(" 0 of "),
            "{stage} is not at 0 written:\n{table}"
        );
        assert!(!row.contains("done"), "{table}");
    }
    let lab01 = table.lines().find(|l| l.starts_with("lab01")).unwrap_or("");
    assert!(lab01.ends_with("<- next"), "{table}");
    let hint = table
        .lines()
        .find(|l| l.starts_with("Hint: write "))
        .unwrap_or_else(|| panic!("no hint:\n{table}"));
    assert!(hint.contains("labs/01-echo/src/"), "{hint}");
    assert!(hint.contains("(see guide/src/lab01-echo.md#"), "{hint}");
    assert!(
        table.contains("failed") || table.contains("step "),
        "{table}"
    );

    let _ = std::fs::remove_dir_all(&dir);
}

/// What `course starter` says, as the guide's "Doing the labs" shows it: every function to
/// write, by file. And every marker names a heading of the guide (or the command warns).
#[test]
fn the_starter_lists_every_function_to_write_and_every_marker_names_a_heading() {
    let dir = scratch().join(format!("starter-anchors-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let written = course(&kit(), &["starter", &dir.to_string_lossy()], &[]);
    let said = String::from_utf8_lossy(&written.stdout).into_owned();
    let warnings = String::from_utf8_lossy(&written.stderr).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(written.status.success(), "{warnings}");
    assert!(!warnings.contains("warning"), "{warnings}");
    harness::assert_transcript!(
        "course_starter",
        said.replace(&dir.to_string_lossy().into_owned(), "[dir]")
    );
}
