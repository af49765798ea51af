//! `course grade NN [--server CMD] [--client CMD]`: one stage's whole suite, scored.
//!
//! Without a command line, the workspace's own programs are graded (a student's starter, once
//! written): every test counts. With `--server` or `--client`, the command line replaces the
//! stage's program through the harness's override variable (`LAB03_SERVER`), run from the
//! folder `course` was started in, so that a relative path in it works; only the tests that
//! exercise that program count ([`crate::rules`]).

use std::path::Path;

use crate::rules::{self, Exercises};
use crate::score::{Graded, Score, Subject};
use crate::suite::{self, Outcome};
use crate::workspace::Stage;

/// What to grade instead of the workspace's own programs.
pub struct Commands {
    pub server: Option<String>,
    pub client: Option<String>,
}

/// Grades `stage` of the workspace at `root`.
pub fn grade(root: &Path, stage: &Stage, commands: Commands) -> Result<Score, String> {
    let table = rules::table(&stage.number).ok_or_else(|| {
        format!(
            "the course has no table of rules for stage {} yet, only for 03 and 05: see \
             tools/course/src/rules.rs",
            stage.number
        )
    })?;
    let here = std::env::current_dir()
        .map_err(|error| format!("the current folder cannot be read: {error}"))?;
    let mut overrides = Vec::new();
    for (role, command) in [("server", &commands.server), ("client", &commands.client)] {
        if let Some(command) = command {
            let variable = format!("{}_{}", stage.package, role).to_uppercase();
            let from_here = format!("cd {} && {command}", shell_quote(&here.to_string_lossy()));
            overrides.push((variable, from_here));
        }
    }
    let foreign = commands.server.is_some() || commands.client.is_some();
    let run = suite::run(root, &stage.package, &overrides)?;
    let tests = run
        .outcomes
        .into_iter()
        .map(|outcome| {
            judge(
                table,
                outcome,
                foreign,
                commands.server.is_some(),
                commands.client.is_some(),
            )
        })
        .collect();
    let subject = if foreign {
        Subject::Commands {
            server: commands.server,
            client: commands.client,
        }
    } else {
        Subject::Workspace(root.display().to_string())
    };
    Ok(Score {
        package: stage.package.clone(),
        subject,
        tests,
        not_built: run.not_built,
        seconds: run.seconds,
        when: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
    })
}

/// One test's rules, and whether it counts.
fn judge(
    table: &'static [rules::Entry],
    outcome: Outcome,
    foreign: bool,
    server: bool,
    client: bool,
) -> Graded {
    if rules::is_unit_target(&outcome.target) {
        let rules = vec![rules::unit_rule(&outcome.test)];
        let not_counted = foreign.then(|| "a unit test of the kit's own code".to_string());
        return Graded {
            outcome,
            rules,
            not_counted,
            exercises: "unit",
        };
    }
    let Some(entry) = rules::find(table, &outcome.target, &outcome.test) else {
        return Graded {
            outcome,
            rules: Vec::new(),
            not_counted: Some("not in the course's table of rules".to_string()),
            exercises: "unknown",
        };
    };
    let rules = entry.rules.iter().map(|r| r.to_string()).collect();
    let not_counted = match entry.exercises {
        _ if !foreign => None,
        Exercises::KitOnly(why) => Some(why.to_string()),
        exercises if rules::exercised(exercises, server, client) => None,
        _ => Some("does not exercise the graded program".to_string()),
    };
    let exercises = match entry.exercises {
        Exercises::Server => "server",
        Exercises::Both => "both",
        Exercises::KitOnly(_) => "kit only",
    };
    Graded {
        outcome,
        rules,
        not_counted,
        exercises,
    }
}

/// `text` in single quotes for `sh`.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
