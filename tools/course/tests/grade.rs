//! `course grade 03`, end to end: the kit's own room, a correct room in Python written from the
//! protocol section only, and a broken one, each scored as it deserves.

mod support;

use support::{assert_readable, failed, grade, kit, one_suite_at_a_time, tests};

const ROOM: &str = "python3 tools/course/tests/rooms/room_server.py";
const SILENT_LEAVES: &str = "python3 tools/course/tests/rooms/silent_leaves.py";

#[test]
fn the_kit_passes_all_of_lab03_and_the_table_knows_every_test() {
    let _one = one_suite_at_a_time();
    let (grade, report) = grade(&kit(), &["03"], &[]);
    assert_readable(&report);
    let unknown: Vec<_> = tests(&grade)
        .filter(|t| t["rules"].as_array().is_none_or(|r| r.is_empty()))
        .map(|t| t["test"].clone())
        .collect();
    assert!(
        unknown.is_empty(),
        "tests missing from tools/course/src/rules.rs: {unknown:?}"
    );
    assert_eq!(failed(&grade), Vec::<String>::new(), "{report}");
    assert_eq!(grade["percent"], 100);
    // A workspace is graded on everything its suite has.
    assert_eq!(grade["counted"], tests(&grade).count());
}

#[test]
fn a_correct_room_server_in_python_scores_100_percent() {
    let _one = one_suite_at_a_time();
    let (grade, report) = grade(&kit(), &["03", "--server", ROOM], &[]);
    assert_readable(&report);
    assert_eq!(failed(&grade), Vec::<String>::new(), "{report}");
    assert_eq!(grade["percent"], 100);
    assert!(grade["counted"].as_u64().unwrap_or(0) >= 15, "{report}");
    // What only the kit's own programs do is not asked of it.
    let not_counted: Vec<_> = tests(&grade)
        .filter(|t| t["counted"] == false)
        .map(|t| t["test"].as_str().unwrap_or(""))
        .collect();
    for kit_only in ["a_port_in_use_is_a_sentence", "help_explains_the_lab"] {
        assert!(
            not_counted.contains(&kit_only),
            "{kit_only} counted:\n{report}"
        );
    }
    assert!(report.contains("server `python3 tools/course/tests/rooms/room_server.py`"));
}

#[test]
fn a_server_that_never_announces_leaves_fails_exactly_the_leave_tests() {
    let _one = one_suite_at_a_time();
    let (grade, report) = grade(&kit(), &["03", "--server", SILENT_LEAVES], &[]);
    assert_readable(&report);
    let mut leave_tests: Vec<String> = tests(&grade)
        .filter(|t| t["counted"] == true)
        .filter(|t| {
            t["rules"]
                .as_array()
                .is_some_and(|rules| rules.iter().any(|r| r == "5 leaving"))
        })
        .map(|t| t["test"].as_str().unwrap_or("").to_string())
        .collect();
    leave_tests.sort();
    let mut failing = failed(&grade);
    failing.sort();
    assert!(!leave_tests.is_empty());
    assert_eq!(failing, leave_tests, "{report}");
    let leaving = grade["rules"]
        .as_array()
        .and_then(|rules| rules.iter().find(|r| r["rule"] == "5 leaving"))
        .expect("the leave rule is scored");
    assert_eq!(leaving["passed"], 0);
    // Each failure is shown with the step that failed.
    assert!(report.contains("left!"), "{report}");
}
