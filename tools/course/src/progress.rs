//! `course progress`: every stage's suite, and what to do next (like rustlings' list).
//!
//! Each stage's whole suite runs (`--no-fail-fast`); the table says how many of the stage's
//! marked functions are written (no longer `todo!`) and how many of its tests pass. Some tests
//! pass in a fresh starter: those of the kit's own plumbing (`--help`, the command line, unit
//! tests of helpers that are not cut), which the student does not write.
//! For the first stage not done, it shows the hint of the function to write first there (the
//! one most of its failing tests ran into) and the failing step of one of those tests (from the
//! harness's step log). A stage that cannot be built on this machine for want of a system
//! library (lab 04's FLTK) is said so in the table and skipped, instead of stopping everything.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::cut::{self, Marked};
use crate::suite::{self, Outcome, Run};
use crate::trim;
use crate::workspace::{self, Stage};

/// Runs every stage's suite at `root` and returns the table and the next step, as printed.
pub fn progress(root: &Path) -> Result<String, String> {
    let mut rows = Vec::new();
    for stage in workspace::stages(root)? {
        eprintln!("course: running {}'s suite...", stage.package);
        let run = suite::run(root, &stage.package, &[])?;
        rows.push((stage, run));
    }
    let mut out = String::new();
    let width = rows.iter().map(|(s, _)| s.package.len()).max().unwrap_or(5);
    let _ = writeln!(
        out,
        "{:<width$}  {:<12}  {:<18}  state",
        "stage", "written", "tests"
    );
    let next = rows
        .iter()
        .position(|(_, run)| !run.complete() && !run.machine_lacks);
    let mut total_seconds = 0.0;
    for (index, (stage, run)) in rows.iter().enumerate() {
        total_seconds += run.seconds;
        let marked = marked(root, stage)?;
        let pending = marked.iter().filter(|(_, m)| m.pending).count();
        let written = format!("{} of {}", marked.len() - pending, marked.len());
        let tests = match &run.not_built {
            Some(_) => "not built".to_string(),
            None => format!("{} of {} passed", run.passed(), run.outcomes.len()),
        };
        let state = if run.complete() {
            "done".to_string()
        } else if run.machine_lacks {
            format!(
                "cannot be built on this machine: a build script failed ({})",
                quoted(run.not_built.as_deref().unwrap_or(""))
            )
        } else if Some(index) == next {
            "<- next".to_string()
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{:<width$}  {written:<12}  {tests:<18}  {state}",
            stage.package
        );
    }
    let _ = writeln!(out, "\n(every suite ran in {} s)", total_seconds.round());
    match next {
        None => {
            let _ = writeln!(out, "\nEvery stage that this machine can build is done.");
        }
        Some(index) => {
            let (stage, run) = &rows[index];
            out.push('\n');
            out.push_str(&next_step(root, stage, run)?);
        }
    }
    Ok(out)
}

/// What the first stage not done says: the function to write first, the hint of its marker,
/// and a failing test that ran into its `todo!`, at its failing step.
///
/// The function to write first is the one whose `todo!` the most failing tests ran into (a
/// room's accept loop before its dialects, which a few tests reach), the first in file order
/// on a tie; or, when no failure names one, the first still to write.
fn next_step(root: &Path, stage: &Stage, run: &Run) -> Result<String, String> {
    let mut out = format!("Next: {} ({})\n", stage.package, stage.folder.display());
    let pending: Vec<_> = marked(root, stage)?
        .into_iter()
        .filter(|(_, m)| m.pending)
        .collect();
    let failing: Vec<_> = run.outcomes.iter().filter(|o| !o.passed).collect();
    let marks: Vec<&Marked> = pending.iter().map(|(_, marked)| marked).collect();
    let first = first_to_write(&marks, &failing);
    if let Some(why) = &run.not_built {
        let _ = writeln!(out, "It does not build yet:\n{}", trim::for_report(why));
    } else if let Some(failing) = first
        .and_then(|at| failing.iter().find(|o| ran_into(&pending[at].1, o)))
        .or(failing.first())
    {
        let _ = writeln!(
            out,
            "First failing test: {} ({})",
            failing.test, failing.target
        );
        let said = failing.failure.as_deref().unwrap_or("");
        let step = trim::failing_step(said).unwrap_or_else(|| {
            // No step log: a unit test, or a panic before the conversation began.
            trim::for_report(said)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .take(3)
                .collect::<Vec<_>>()
                .join("\n")
        });
        for line in step.lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    match first.map(|at| pending[at].clone()) {
        Some((file, marked)) => {
            let _ = writeln!(
                out,
                "Hint: write {} in {}:{}: {}",
                marked.function,
                file.display(),
                marked.line,
                marked.todo_message()
            );
        }
        None => {
            let _ = writeln!(
                out,
                "Every function of this stage is written: the failing step says what differs."
            );
        }
    }
    let _ = writeln!(
        out,
        "Run that stage alone with: cargo test -p {}",
        stage.package
    );
    Ok(out)
}

/// Which of `pending` to write first: the one whose `todo!` the most `failing` tests ran into,
/// the first in file order among equals; the first of all when no failure names one.
fn first_to_write(pending: &[&Marked], failing: &[&Outcome]) -> Option<usize> {
    pending
        .iter()
        .enumerate()
        .map(|(at, marked)| (failing.iter().filter(|o| ran_into(marked, o)).count(), at))
        .filter(|&(hits, _)| hits > 0)
        .max_by_key(|&(hits, at)| (hits, std::cmp::Reverse(at)))
        .map(|(_, at)| at)
        .or((!pending.is_empty()).then_some(0))
}

/// Whether `outcome`'s failure ran into `marked`'s `todo!` (its message, or as much of it as a
/// program's quoted stderr keeps).
fn ran_into(marked: &Marked, outcome: &Outcome) -> bool {
    let start: String = marked.todo_message().chars().take(60).collect();
    outcome.failure.as_deref().unwrap_or("").contains(&start)
}

/// Every marked function of `stage`, in file order, with its file.
fn marked(root: &Path, stage: &Stage) -> Result<Vec<(PathBuf, Marked)>, String> {
    let mut files = Vec::new();
    rust_files(&root.join(&stage.folder).join("src"), &mut files);
    files.sort();
    let mut all = Vec::new();
    for file in files {
        let Ok(source) = fs::read_to_string(&file) else {
            continue;
        };
        let relative = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
        let marked =
            cut::pending(&source).map_err(|error| format!("{}, {error}", relative.display()))?;
        all.extend(marked.into_iter().map(|m| (relative.clone(), m)));
    }
    Ok(all)
}

fn rust_files(folder: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// What the first line of `text` names between backticks: the crate whose build script failed.
fn quoted(text: &str) -> &str {
    let first = text.lines().next().unwrap_or("");
    first.split('`').nth(1).unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(function: &str) -> Marked {
        Marked {
            function: function.to_string(),
            line: 1,
            hint: format!("write {function} back, as its section of the guide explains"),
            guide: "guide/src/lab03-broadcast.md#handle".to_string(),
            pending: true,
        }
    }

    fn failed(said: &str) -> Outcome {
        Outcome {
            target: "room".to_string(),
            test: "a_test".to_string(),
            passed: false,
            failure: Some(said.to_string()),
        }
    }

    #[test]
    fn the_function_most_failures_ran_into_is_written_first() {
        let (dialect, framing, room) = (
            marked("handshake"),
            marked("read_line"),
            marked("broadcast"),
        );
        let pending = [&dialect, &framing, &room];
        let todo = |m: &Marked| {
            failed(&format!(
                "panicked:\nnot yet implemented: {}",
                m.todo_message()
            ))
        };
        let failures = [
            todo(&dialect),
            todo(&framing),
            todo(&framing),
            failed("step 5: ..."),
        ];
        let failing: Vec<_> = failures.iter().collect();
        assert_eq!(first_to_write(&pending, &failing), Some(1));
        // On a tie, the first in file order.
        assert_eq!(first_to_write(&pending, &failing[..1]), Some(0));
        let tie = [todo(&room), todo(&framing)];
        assert_eq!(
            first_to_write(&pending, &tie.iter().collect::<Vec<_>>()),
            Some(1)
        );
        // No failure names a todo: the first still to write.
        assert_eq!(first_to_write(&pending, &failing[3..]), Some(0));
        assert_eq!(first_to_write(&[], &failing), None);
    }
}
