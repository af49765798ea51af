//! What the course's tests share: the kit's folder, running `course`, one suite at a time.

// Each test file uses its own part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard};

/// The kit's workspace: two folders above this package.
pub fn kit() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("tools/course is two folders down the kit")
        .to_path_buf()
}

/// Where the tests' starters go, and the target folder they build in: inside the kit's own
/// target folder, so that `cargo clean` removes them, and the starters' dependencies are built
/// once for every run. Never the kit's own target folder itself: a starter's `lab03` binary
/// would replace the kit's.
pub fn scratch() -> PathBuf {
    kit().join("target").join("course-tests")
}

pub fn starter_target() -> PathBuf {
    kit().join("target").join("course-starter")
}

/// Runs `course args` in `folder` with `environment` added.
pub fn course(folder: &Path, args: &[&str], environment: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_course"))
        .current_dir(folder)
        .args(args)
        .envs(environment.iter().copied())
        .output()
        .expect("course can be started")
}

/// `course grade args --json FILE` in `folder`: the JSON it wrote, and the Markdown report.
pub fn grade(
    folder: &Path,
    args: &[&str],
    environment: &[(&str, &str)],
) -> (serde_json::Value, String) {
    let json = scratch().join(format!("grade-{}-{}.json", std::process::id(), unique()));
    std::fs::create_dir_all(scratch()).expect("the scratch folder can be made");
    let mut all = vec!["grade"];
    all.extend_from_slice(args);
    let json_arg = json.to_string_lossy().into_owned();
    all.extend_from_slice(&["--json", &json_arg]);
    let output = course(folder, &all, environment);
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "course grade failed:\n{}{report}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&json).expect("course grade wrote its JSON");
    let _ = std::fs::remove_file(&json);
    (
        serde_json::from_str(&text).expect("the JSON is JSON"),
        report,
    )
}

fn unique() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// One suite at a time: two at once on a machine's few cores would make the timing tests of
/// lab 03 (a member that stops reading is dropped after outbox::PATIENCE) a matter of luck.
pub fn one_suite_at_a_time() -> MutexGuard<'static, ()> {
    static SUITES: Mutex<()> = Mutex::new(());
    SUITES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The tests of a grade's JSON that were counted and failed, by name.
pub fn failed(grade: &serde_json::Value) -> Vec<String> {
    tests(grade)
        .filter(|t| t["counted"] == true && t["passed"] == false)
        .map(|t| t["test"].as_str().unwrap_or("").to_string())
        .collect()
}

pub fn tests(grade: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
    grade["tests"].as_array().into_iter().flatten()
}

/// What a report an instructor hands back must never hold: advice to accept a student's output
/// as the reference, or a line too long to read.
pub fn assert_readable(report: &str) {
    assert!(
        !report.contains("cargo insta"),
        "insta's advice in:\n{report}"
    );
    assert!(
        !report.contains("insta review"),
        "insta's advice in:\n{report}"
    );
    let longest = report.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(
        longest < 400,
        "a line of {longest} characters in the report"
    );
}
