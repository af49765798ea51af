//! The `course` tool's lines: a starter written to `~`, and the grading chapter's grades.
//!
//! Each grade runs lab 03's whole suite: the kit's own room in about ten seconds, a Python room
//! in 40 to 60 (each failing step waits out its time limit). The Python grades run only when
//! `TYPED_SLOW=1` is set (see `EXCEPTIONS` in main.rs for why).

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use crate::{line, root, scenario};

/// A scratch folder to be the reader's home: the lines that write to `~` write there.
fn scratch_home(name: &str) -> PathBuf {
    let home = std::env::temp_dir().join(format!("typed-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&home);
    fs::create_dir_all(&home).expect("the temporary folder is writable");
    home
}

#[test]
fn a_starter_is_written_to_the_home_folder() {
    let (talk, _turn) = scenario("doing the labs: a starter in ~/netlabs", &[]);
    let home = scratch_home("starter");
    let mut course = talk.start(
        line(r"cargo run -p course -- starter ~/netlabs").with_env("HOME", &home.to_string_lossy()),
        &[],
    );
    let status = course.wait_exit_within(Duration::from_secs(60));
    assert!(status.success(), "{}", course.stderr());
    let said = course.transcript();
    let starter = home.join("netlabs");
    assert!(
        said.contains(&format!("wrote a starter in {}: ", starter.display())),
        "{said}"
    );
    assert!(said.contains("functions to write"), "{said}");
    assert!(starter.join("Cargo.toml").is_file(), "{said}");
    let _ = fs::remove_dir_all(&home);
}

#[test]
fn the_kit_grades_100_percent() {
    let (talk, _turn) = scenario("grading: the workspace's own lab03", &[]);
    let mut grade = talk.start(line(r"cargo run -p course -- grade 03"), &[]);
    let status = grade.wait_exit_within(Duration::from_secs(300));
    let report = grade.transcript();
    assert!(status.success(), "{report}\n{}", grade.stderr());
    assert!(report.starts_with("# Grade: lab03\n"), "{report}");
    assert!(report.contains("tests passed (100 %).**"), "{report}");
}

/// Whether the slow grades run: only with `TYPED_SLOW=1`; otherwise a sentence on stderr.
fn slow_ones_asked(scenario: &str) -> bool {
    let asked = std::env::var("TYPED_SLOW").is_ok_and(|value| value == "1");
    if !asked {
        eprintln!(
            "{scenario}: skipped: a Python room takes 40 to 60 s to grade; TYPED_SLOW=1 runs it"
        );
    }
    asked
}

#[test]
fn a_python_room_in_the_home_folder_is_graded_and_its_grade_written() {
    let name = "grading: any program, any language";
    if !slow_ones_asked(name) {
        return;
    }
    let (talk, _turn) = scenario(name, &[]);
    let home = scratch_home("grade");
    fs::create_dir_all(home.join("ali")).expect("scratch");
    fs::copy(
        root().join("tools/course/tests/rooms/room_server.py"),
        home.join("ali/room.py"),
    )
    .expect("the course tool's correct room is there");
    let home_text = home.to_string_lossy().into_owned();
    for printed in [
        r#"cargo run -p course -- grade 03 --server "python3 ~/ali/room.py""#,
        r#"cargo run -p course -- grade 03 --server "python3 ~/ali/room.py" --json ~/ali/grade.json"#,
    ] {
        let mut grade = talk.start(line(printed).with_env("HOME", &home_text), &[]);
        grade.wait_exit_within(Duration::from_secs(300));
        let report = grade.transcript();
        // The grade is the outcome (a room in Python may lose a point to a loaded machine).
        assert!(
            report.contains("Graded: server `python3 ~/ali/room.py` (through `LAB03_SERVER`)"),
            "{report}\n{}",
            grade.stderr()
        );
        assert!(report.contains("**Score: "), "{report}");
    }
    let json = fs::read_to_string(home.join("ali/grade.json")).expect("--json wrote the grade");
    assert!(json.contains("\"percent\""), "{json}");
    let _ = fs::remove_dir_all(&home);
}

#[test]
fn the_chapters_report_is_what_the_silent_room_gets() {
    let name = "grading: a report";
    if !slow_ones_asked(name) {
        return;
    }
    let (talk, _turn) = scenario(name, &[]);
    let mut grade = talk.start(
        line(r#"cargo run -q -p course -- grade 03 --server "python3 tools/course/tests/rooms/silent_leaves.py""#),
        &[],
    );
    let status = grade.wait_exit_within(Duration::from_secs(300));
    let report = grade.transcript();
    // A grade below 100 % is still a grade: the report is the product.
    assert!(
        report.starts_with("# Grade: lab03\n"),
        "{report}\n{}",
        grade.stderr()
    );
    assert!(!report.contains("(100 %)"), "{report}");
    assert!(report.contains("left!"), "{report}");
    let _ = status;
}
