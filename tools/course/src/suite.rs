//! Running a stage's whole suite, `cargo test -p labNN --no-fail-fast`, and reading its results.
//!
//! Snapshots are compared and never written (`INSTA_UPDATE=no`, `CI=true`): a student's output
//! must never become the kit's reference. Only the override variables asked for are set; any
//! `LABnn_*` variable of the caller's environment is removed, so that a grade says what it
//! graded.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// One test's result.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The test target: `room` for tests/room.rs, `lib` or `main` for the unit tests.
    pub target: String,
    /// The test's name in that target: `three_members_join_talk_and_leave_in_every_way`.
    pub test: String,
    pub passed: bool,
    /// What the failing test printed (its panic, with the harness's step log).
    pub failure: Option<String>,
}

/// A whole run of one suite.
#[derive(Debug)]
pub struct Run {
    /// Every test that ran, sorted by target and name. Empty if the suite was not built.
    pub outcomes: Vec<Outcome>,
    /// Why the suite could not be built, if it could not: the compiler's first error.
    pub not_built: Option<String>,
    /// Whether the failure to build was in a dependency's build script (lab 04's FLTK on a
    /// machine without CMake or a display's libraries), not in the stage's own code.
    pub machine_lacks: bool,
    pub seconds: f64,
}

impl Run {
    pub fn passed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.passed).count()
    }

    pub fn complete(&self) -> bool {
        self.not_built.is_none()
            && !self.outcomes.is_empty()
            && self.passed() == self.outcomes.len()
    }
}

/// Runs `package`'s suite in the workspace at `root`, with `overrides` (such as
/// `LAB03_SERVER=...`) set for the tests.
pub fn run(root: &Path, package: &str, overrides: &[(String, String)]) -> Result<Run, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(&cargo);
    command
        .current_dir(root)
        .args(["test", "-p", package, "--no-fail-fast", "--color", "never"])
        .env("CI", "true")
        .env("INSTA_UPDATE", "no")
        .env_remove("INSTA_FORCE_PASS")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null());
    for (variable, _) in std::env::vars() {
        let is_override = variable.starts_with("LAB")
            && variable[3..].starts_with(|c: char| c.is_ascii_digit())
            && variable.contains('_');
        if is_override {
            command.env_remove(variable);
        }
    }
    command.envs(overrides.iter().map(|(k, v)| (k, v)));

    // One pipe for both streams: cargo says on stderr which test target runs, the target says
    // on stdout how its tests went, and the two must be read in order.
    let (mut reader, writer) =
        std::io::pipe().map_err(|error| format!("a pipe cannot be made: {error}"))?;
    let second = writer
        .try_clone()
        .map_err(|error| format!("a pipe cannot be shared: {error}"))?;
    command.stdout(writer).stderr(second);
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|error| format!("{cargo} cannot be started: {error}"))?;
    // The command holds the only writers now: the pipe ends when cargo does.
    drop(command);
    let mut output = Vec::new();
    reader
        .read_to_end(&mut output)
        .map_err(|error| format!("cargo's output cannot be read: {error}"))?;
    let status = child
        .wait()
        .map_err(|error| format!("cargo cannot be waited for: {error}"))?;
    let text = String::from_utf8_lossy(&output);
    let mut run = parse(&text);
    run.seconds = started.elapsed().as_secs_f64();
    if run.outcomes.is_empty() && run.not_built.is_none() && !status.success() {
        run.not_built = Some(first_error(&text));
    }
    Ok(run)
}

/// Reads cargo test's output: which target runs, each test's result line, each failure's text.
pub fn parse(text: &str) -> Run {
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut target = String::new();
    // The failure being read: its test and its lines.
    let mut failure: Option<(String, Vec<&str>)> = None;
    let mut failures: Vec<(String, String, String)> = Vec::new();
    let mut not_built = None;

    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("Running ") {
            finish(&mut failure, &target, &mut failures);
            target = target_name(rest);
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("Doc-tests ") {
            finish(&mut failure, &target, &mut failures);
            target = format!("doc {}", rest.trim());
            continue;
        }
        // Before any target runs, an error is the build's: the compiler's, or a build script's.
        if target.is_empty() && line.starts_with("error") {
            not_built.get_or_insert_with(|| first_error(text));
        }
        if let Some(test) = line
            .strip_prefix("---- ")
            .and_then(|rest| rest.strip_suffix(" stdout ----"))
        {
            finish(&mut failure, &target, &mut failures);
            failure = Some((test.to_string(), Vec::new()));
            continue;
        }
        if failure.is_some() && (line == "failures:" || line.starts_with("test result: ")) {
            finish(&mut failure, &target, &mut failures);
            continue;
        }
        if let Some((_, lines)) = &mut failure {
            lines.push(line);
            continue;
        }
        if let Some(rest) = line.strip_prefix("test ")
            && let Some((test, result)) = rest.rsplit_once(" ... ")
        {
            let passed = match result.trim() {
                "ok" => true,
                "FAILED" => false,
                _ => continue, // ignored, or a bench
            };
            outcomes.push(Outcome {
                target: target.clone(),
                test: test.to_string(),
                passed,
                failure: None,
            });
        }
    }
    finish(&mut failure, &target, &mut failures);
    for (target, test, said) in failures {
        if let Some(outcome) = outcomes
            .iter_mut()
            .find(|o| o.target == target && o.test == test && !o.passed)
        {
            outcome.failure = Some(said);
        }
    }
    outcomes.sort_by(|a, b| (&a.target, &a.test).cmp(&(&b.target, &b.test)));
    let machine_lacks = not_built.is_some() && text.contains("failed to run custom build command");
    // An error line among the results is a test's own output, not the build's.
    let not_built = if outcomes.is_empty() { not_built } else { None };
    Run {
        outcomes,
        not_built,
        machine_lacks,
        seconds: 0.0,
    }
}

fn finish(
    failure: &mut Option<(String, Vec<&str>)>,
    target: &str,
    failures: &mut Vec<(String, String, String)>,
) {
    if let Some((test, lines)) = failure.take() {
        let said = lines.join("\n").trim().to_string();
        failures.push((target.to_string(), test, said));
    }
}

/// `unittests src/lib.rs (target/...)` is `lib`; `tests/room.rs (target/...)` is `room`.
fn target_name(running: &str) -> String {
    let path = running
        .trim()
        .trim_start_matches("unittests ")
        .split(" (")
        .next()
        .unwrap_or("");
    Path::new(path)
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// The compiler's first error, at most a dozen lines of it.
fn first_error(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|line| line.starts_with("error"))
        .unwrap_or(lines.len().saturating_sub(12));
    let block: Vec<&str> = lines[start..]
        .iter()
        .take(12)
        .take_while(|line| !line.is_empty())
        .copied()
        .collect();
    block.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "   Compiling lab03 v0.1.0
     Running unittests src/lib.rs (target/debug/deps/lab03-1)

running 2 tests
test nickname::tests::empty ... ok
test nickname::tests::long ... FAILED

failures:

---- nickname::tests::long stdout ----

thread 'nickname::tests::long' panicked at labs/03-broadcast/src/nickname.rs:9:5:
not yet implemented

failures:
    nickname::tests::long

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out
     Running tests/room.rs (target/debug/deps/room-2)

running 2 tests
test joins ... ok
test long ... ignored
";

    #[test]
    fn each_test_is_read_with_its_target_and_its_failure() {
        let run = parse(OUTPUT);
        let read: Vec<_> = run
            .outcomes
            .iter()
            .map(|o| (o.target.as_str(), o.test.as_str(), o.passed))
            .collect();
        assert_eq!(
            read,
            [
                ("lib", "nickname::tests::empty", true),
                ("lib", "nickname::tests::long", false),
                ("room", "joins", true),
            ]
        );
        let failure = run.outcomes[1].failure.as_deref().unwrap();
        assert!(failure.starts_with("thread 'nickname::tests::long' panicked"));
        assert!(failure.ends_with("not yet implemented"));
        assert!(run.not_built.is_none());
    }

    #[test]
    fn a_compile_error_is_a_suite_not_built() {
        let run = parse(
            "   Compiling lab03\nerror[E0425]: cannot find value `x`\n --> src/a.rs:1:1\n\nerror: could not compile `lab03`\n",
        );
        assert!(run.outcomes.is_empty());
        assert_eq!(
            run.not_built.as_deref(),
            Some("error[E0425]: cannot find value `x`\n --> src/a.rs:1:1")
        );
        assert!(!run.machine_lacks);
    }

    #[test]
    fn a_failing_build_script_is_what_the_machine_lacks() {
        let run = parse(
            "   Compiling fltk-sys v1.5.23\nerror: failed to run custom build command for `fltk-sys v1.5.23`\n\nCaused by:\n",
        );
        assert!(run.machine_lacks);
        assert_eq!(
            run.not_built.as_deref(),
            Some("error: failed to run custom build command for `fltk-sys v1.5.23`")
        );
    }
}
