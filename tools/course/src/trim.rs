//! A failure as a person reads it: the harness's step log, trimmed to what fits a report.
//!
//! A failing test prints its conversation's numbered steps, then what was expected and what
//! arrived. Some lines are huge (a test that sends 8,193 bytes quotes them), some logs have
//! hundreds of steps, and insta ends a mismatch with advice to run `cargo insta review`, whose
//! "accept" would make a student's output the kit's reference: none of that reaches a report.

/// The longest line a report shows, in characters.
const LINE: usize = 240;
/// How many steps a report shows from the start of a long log, and from its end.
const FIRST_STEPS: usize = 4;
const LAST_STEPS: usize = 12;
/// How many lines at most a report shows of one failure.
const LINES: usize = 60;

/// `failure` as a report shows it: no line over [`LINE`] characters, a long step log shortened
/// in its middle, no insta advice, no backtrace note, at most [`LINES`] lines.
pub fn for_report(failure: &str) -> String {
    // With a step log or a snapshot's difference, where the panic was raised (the harness, or
    // insta) says nothing: the log says which step failed.
    let explained = failure.contains("\" failed at step ") || failure.contains("Snapshot: ");
    let raised = |line: &&str| line.starts_with("thread '") && line.contains(" panicked at ");
    let lines: Vec<&str> = failure
        .lines()
        .filter(|line| !(is_advice(line) || explained && raised(line)))
        .collect();
    let steps: Vec<usize> = (0..lines.len())
        .filter(|&i| step_number(lines[i]).is_some())
        .collect();
    let mut kept: Vec<String> = Vec::new();
    let shown_steps = FIRST_STEPS + LAST_STEPS;
    for (index, line) in lines.iter().enumerate() {
        if steps.len() > shown_steps
            && let Some(rank) = steps.iter().position(|&s| s == index)
        {
            if rank == FIRST_STEPS {
                let left_out = steps.len() - shown_steps;
                kept.push(format!("  ... {left_out} steps left out ..."));
            }
            if rank >= FIRST_STEPS && rank < steps.len() - LAST_STEPS {
                continue;
            }
        }
        kept.push(shorten(line));
    }
    if kept.len() > LINES {
        let left_out = kept.len() - LINES;
        kept.truncate(LINES);
        kept.push(format!("... {left_out} more lines left out"));
    }
    kept.join("\n")
}

/// The step that failed and what went wrong, in a few lines: `step 5: wait for lab03 server to
/// print "..."`, then the expected and arrived lines, and what the program said on stderr (a
/// starter's `todo!` message, when it panicked there).
pub fn failing_step(failure: &str) -> Option<String> {
    let lines: Vec<&str> = failure.lines().filter(|l| !is_advice(l)).collect();
    if let Some(snapshot) = lines.iter().find_map(|l| l.strip_prefix("Snapshot: ")) {
        return Some(snapshot_difference(snapshot, &lines));
    }
    let Some(header) = lines.iter().position(|line| {
        line.starts_with("conversation \"") && line.contains("\" failed at step ")
    }) else {
        return panic_message(&lines);
    };
    let number: usize = lines[header].rsplit(' ').next()?.parse().ok()?;
    let step = lines[header..]
        .iter()
        .find(|line| step_number(line) == Some(number))?;
    let mut said = vec![shorten(&format!(
        "step {number}: {}",
        step.trim_start()
            .split_once(". ")
            .map_or("", |(_, what)| what)
    ))];
    said.extend(
        lines[header..]
            .iter()
            .filter(|line| {
                line.starts_with("expected")
                    || line.starts_with("arrived")
                    || line.contains(" said on stderr: ")
            })
            .take(3)
            .map(|line| shorten(line)),
    );
    Some(said.join("\n"))
}

/// No step log: a plain assertion, or a unit test. What it panicked with, in a line or two.
fn panic_message(lines: &[&str]) -> Option<String> {
    let at = lines
        .iter()
        .position(|line| line.contains(" panicked at "))?;
    let said: Vec<String> = lines[at + 1..]
        .iter()
        .filter(|line| !line.trim().is_empty())
        .take(2)
        .map(|line| shorten(line))
        .collect();
    (!said.is_empty()).then(|| said.join("\n"))
}

/// A transcript that differs from its snapshot: the first line the kit expected and the first
/// the program printed instead, from insta's diff (`  7       │-old` and `      7 │+new`).
fn snapshot_difference(snapshot: &str, lines: &[&str]) -> String {
    let changed = |sign: &str| {
        lines
            .iter()
            .find_map(|line| line.split_once(&format!("│{sign}")).map(|(_, text)| text))
    };
    let mut said = vec![format!(
        "the transcript differs from the snapshot {snapshot}"
    )];
    if let Some(old) = changed("-") {
        said.push(shorten(&format!("expected: {old:?}")));
    }
    if let Some(new) = changed("+") {
        said.push(shorten(&format!("arrived instead: {new:?}")));
    }
    said.join("\n")
}

/// A step of the log, `  12. type into alice: "hello"`: its number.
fn step_number(line: &str) -> Option<usize> {
    let (number, _) = line.trim_start().split_once(". ")?;
    (line.starts_with("  ") && !number.is_empty()).then_some(())?;
    number.parse().ok()
}

/// insta's advice to review or accept snapshots, and Rust's note about backtraces.
fn is_advice(line: &str) -> bool {
    line.contains("cargo insta")
        || line.contains("cargo-insta")
        || line.contains("insta review")
        || line.contains("INSTA_UPDATE")
        || line.starts_with("note: run with `RUST_BACKTRACE")
}

/// A line of at most [`LINE`] characters, saying how much was left out.
fn shorten(line: &str) -> String {
    let count = line.chars().count();
    if count <= LINE {
        return line.to_string();
    }
    let kept: String = line.chars().take(LINE).collect();
    format!("{kept}... ({} more characters)", count - LINE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(steps: usize) -> String {
        let mut text = format!(
            "thread 'joins' panicked at tests/room.rs:1:1:\n\nconversation \"lab03: joins\" failed at step {steps}\n"
        );
        for number in 1..=steps {
            text.push_str(&format!("  {number:>3}. step {number}\n"));
        }
        text.push_str(&format!(
            "expected: \"{}\"\narrived instead: \"\"\n",
            "x".repeat(20_000)
        ));
        text.push_str("To update snapshots run `cargo insta review`\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n");
        text
    }

    #[test]
    fn a_report_never_shows_a_huge_line_a_long_log_or_insta_advice() {
        let shown = for_report(&failure(100));
        assert!(
            shown.lines().all(|line| line.chars().count() < 300),
            "{shown}"
        );
        assert!(shown.contains("(19772 more characters)"));
        assert!(shown.contains("    4. step 4\n  ... 84 steps left out ...\n   89. step 89\n"));
        assert!(shown.contains("  100. step 100\nexpected: \"xxx"));
        assert!(!shown.contains("insta"), "{shown}");
        assert!(!shown.contains("BACKTRACE"));
        assert!(!shown.contains("panicked at"), "{shown}");
    }

    #[test]
    fn the_failing_step_is_the_one_the_log_names() {
        let step = failing_step(&failure(7)).unwrap();
        let lines: Vec<&str> = step.lines().collect();
        assert_eq!(lines[0], "step 7: step 7");
        assert!(lines[1].starts_with("expected: \"xxxx"));
        assert_eq!(lines[2], "arrived instead: \"\"");
        assert_eq!(
            failing_step("thread 'x' panicked at src/a.rs:1:1:\nnot yet implemented\n").as_deref(),
            Some("not yet implemented")
        );
        assert_eq!(failing_step("ok"), None);
    }

    #[test]
    fn a_snapshot_difference_is_its_first_changed_lines() {
        let insta = "Snapshot: lab03_shutdown_server\n    6     6 │ shutdown\n    7       │-stopping: telling 1 member\n          7 │+stopping: telling 1 members\n";
        assert_eq!(
            failing_step(insta).unwrap(),
            "the transcript differs from the snapshot lab03_shutdown_server\n\
             expected: \"stopping: telling 1 member\"\n\
             arrived instead: \"stopping: telling 1 members\""
        );
    }
}
