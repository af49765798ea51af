//! A score as an instructor hands it back (Markdown) and as a spreadsheet reads it (JSON).
//!
//! Each failing test is shown with its step log, trimmed ([`crate::trim`]). Nothing here tells
//! anyone how to accept a student's output as the reference: insta's advice is stripped, and
//! snapshots were compared with `INSTA_UPDATE=no`.

use serde_json::{Value, json};

use crate::score::{Score, Subject};
use crate::trim;

/// The report in Markdown.
pub fn markdown(score: &Score) -> String {
    let mut out = format!("# Grade: {}\n\n", score.package);
    out.push_str(&format!("Graded: {}.  \n", subject(score)));
    out.push_str(&format!(
        "Suite: `cargo test -p {} --no-fail-fast`, snapshots compared and never written, \
         {} s, {}.\n\n",
        score.package,
        score.seconds.round(),
        score.when
    ));
    if let Some(why) = &score.not_built {
        out.push_str("**Not graded: the suite could not be built.**\n\n```text\n");
        out.push_str(&trim::for_report(why));
        out.push_str("\n```\n");
        return out;
    }
    out.push_str(&format!(
        "**Score: {} of {} tests passed ({} %).**\n\n",
        score.passed(),
        score.total(),
        score.percent()
    ));
    out.push_str("| rule | passed | of |\n| --- | ---: | ---: |\n");
    for rule in score.by_rule() {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            rule.rule, rule.passed, rule.counted
        ));
    }
    out.push_str(
        "\nA test that checks several rules counts under each; the total counts it once.\n",
    );

    let failing: Vec<_> = score.counted().filter(|t| !t.outcome.passed).collect();
    if !failing.is_empty() {
        out.push_str("\n## What failed\n");
        for graded in failing {
            out.push_str(&format!(
                "\n### `{}` ({})\n\n",
                graded.outcome.test,
                graded.rules.join(", ")
            ));
            let said = graded
                .outcome
                .failure
                .as_deref()
                .map(trim::for_report)
                .unwrap_or_else(|| "(the test printed nothing)".to_string());
            out.push_str("```text\n");
            out.push_str(&said.replace("```", "'''"));
            out.push_str("\n```\n");
        }
    }

    let passing: Vec<_> = score.counted().filter(|t| t.outcome.passed).collect();
    if !passing.is_empty() {
        out.push_str("\n## What passed\n\n");
        for graded in passing {
            out.push_str(&format!(
                "- `{}` ({})\n",
                graded.outcome.test,
                graded.rules.join(", ")
            ));
        }
    }

    let ignored: Vec<_> = score
        .tests
        .iter()
        .filter_map(|t| t.not_counted.as_ref().map(|why| (t, why)))
        .collect();
    if !ignored.is_empty() {
        out.push_str(&format!(
            "\n## Not counted ({} tests)\n\nThey ran, but say nothing about the graded \
             program:\n\n",
            ignored.len()
        ));
        for (graded, why) in ignored {
            out.push_str(&format!("- `{}`: {why}\n", graded.outcome.test));
        }
    }
    out
}

/// The report as JSON: one object, its tests in an array.
pub fn json(score: &Score) -> Value {
    let (workspace, server, client) = match &score.subject {
        Subject::Workspace(path) => (Some(path.clone()), None, None),
        Subject::Commands { server, client } => (None, server.clone(), client.clone()),
    };
    let rules: Vec<Value> = score
        .by_rule()
        .into_iter()
        .map(|r| json!({"rule": r.rule, "passed": r.passed, "counted": r.counted}))
        .collect();
    let tests: Vec<Value> = score
        .tests
        .iter()
        .map(|t| {
            json!({
                "target": t.outcome.target,
                "test": t.outcome.test,
                "rules": t.rules,
                "passed": t.outcome.passed,
                "counted": t.not_counted.is_none(),
                "exercises": t.exercises,
                "not_counted_because": t.not_counted,
                "failing_step": t.outcome.failure.as_deref().and_then(trim::failing_step),
            })
        })
        .collect();
    json!({
        "stage": score.package,
        "graded": {"workspace": workspace, "server": server, "client": client},
        "when": score.when,
        "seconds": score.seconds.round(),
        "built": score.not_built.is_none(),
        "passed": score.passed(),
        "counted": score.total(),
        "percent": score.percent(),
        "rules": rules,
        "tests": tests,
    })
}

fn subject(score: &Score) -> String {
    let variable = |role: &str| format!("{}_{role}", score.package.to_uppercase());
    match &score.subject {
        Subject::Workspace(path) => format!("the workspace's own programs, in `{path}`"),
        Subject::Commands { server, client } => {
            let mut parts = Vec::new();
            if let Some(server) = server {
                parts.push(format!(
                    "server `{server}` (through `{}`)",
                    variable("SERVER")
                ));
            }
            if let Some(client) = client {
                parts.push(format!(
                    "client `{client}` (through `{}`)",
                    variable("CLIENT")
                ));
            }
            let kit = match (server.is_some(), client.is_some()) {
                (true, false) => ", with the kit's own client",
                (false, true) => ", with the kit's own server",
                _ => "",
            };
            format!("{}{kit}", parts.join(" and "))
        }
    }
}
