//! `course progress`: every stage's suite, and what to do next (like rustlings' list).
//!
//! Each stage's whole suite runs (`--no-fail-fast`); the table says how many of the stage's
//! marked functions are written (no longer `todo!`) and how many of its tests pass. Some tests
//! pass in a fresh starter: those of the kit's own plumbing (`--help`, the command line, unit
//! tests of helpers that are not cut), which the student does not write.
//! For the first stage not done, it shows the first failing test's failing step (from the
//! harness's step log) and the hint of the first function still to write there. A stage that
//! cannot be built on this machine for want of a system library (lab 04's FLTK) is said so in
//! the table and skipped, instead of stopping everything.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::cut::{self, Marked};
use crate::suite::{self, Run};
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

/// What the first stage not done says: its first failure, and the hint of the first function
/// still to write.
fn next_step(root: &Path, stage: &Stage, run: &Run) -> Result<String, String> {
    let mut out = format!("Next: {} ({})\n", stage.package, stage.folder.display());
    if let Some(why) = &run.not_built {
        let _ = writeln!(out, "It does not build yet:\n{}", trim::for_report(why));
    } else if let Some(failing) = run.outcomes.iter().find(|o| !o.passed) {
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
    // The function whose `todo!` the failure ran into, or else the first still to write.
    let pending: Vec<_> = marked(root, stage)?
        .into_iter()
        .filter(|(_, m)| m.pending)
        .collect();
    let said = run
        .outcomes
        .iter()
        .find(|o| !o.passed)
        .and_then(|o| o.failure.clone())
        .unwrap_or_default();
    let hit = pending.iter().position(|(_, m)| {
        let start: String = m.todo_message().chars().take(60).collect();
        said.contains(&start)
    });
    match hit
        .or((!pending.is_empty()).then_some(0))
        .map(|at| pending[at].clone())
    {
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
