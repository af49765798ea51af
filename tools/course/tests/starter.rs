//! `course starter`, end to end: a starter is written from the kit, builds without a warning,
//! fails lab 03's grading suite, and `course progress` in it shows every stage to write and
//! the first hint. One test, in order, so that the starter is built once.

mod support;

use std::path::Path;
use std::process::Command;

use support::{course, grade, kit, one_suite_at_a_time, scratch, starter_target, tests};

/// The tests of lab 03 that grade what a student writes: not the unit tests in src/ (they test
/// helpers a starter keeps, such as framing::LineReader), nor those of the kit's own programs
/// only (its `--help`, its client's sentences and dialects, the harness's own checks), which
/// pass in a starter as they do in the kit.
fn grading_suite(grade: &serde_json::Value) -> Vec<&serde_json::Value> {
    tests(grade)
        .filter(|t| matches!(t["exercises"].as_str(), Some("server" | "both")))
        .collect()
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
    let suite = grading_suite(&grade);
    let failing = suite.iter().filter(|t| t["passed"] == false).count();
    assert!(suite.len() >= 25, "{report}");
    assert!(
        failing * 10 >= suite.len() * 9,
        "only {failing} of {} tests failed on the starter:\n{report}",
        suite.len()
    );
    // Each failure is the harness's step log, never a panic of the harness itself.
    assert!(report.contains("failed at step"), "{report}");

    // Progress: no stage written, lab 01 next, with the hint of its first function.
    let progress = course(&dir, &["progress"], &environment);
    let table = String::from_utf8_lossy(&progress.stdout).into_owned();
    assert!(
        progress.status.success(),
        "{table}{}",
        String::from_utf8_lossy(&progress.stderr)
    );
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

#[test]
fn every_marker_names_a_heading_of_the_guide() {
    let dir = scratch().join(format!("starter-anchors-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let written = course(&kit(), &["starter", &dir.to_string_lossy()], &[]);
    let warnings = String::from_utf8_lossy(&written.stderr).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(written.status.success(), "{warnings}");
    assert!(!warnings.contains("warning"), "{warnings}");
}
