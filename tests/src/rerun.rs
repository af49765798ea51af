//! Running one test again in a child process, with other environment variables.
//!
//! This is how the kit proves that an override variable (`LAB01_SERVER=...`) really replaces the
//! lab's own binary: a test reruns another test of the same suite with the variable set, and
//! checks that it passes with a good command and fails with a broken one.

use std::process::{Command, Output};

/// Runs the test named `test` (its full path, `module::name`) of the current test binary in a
/// child process with `environment` added, and returns its output.
pub fn rerun_test(test: &str, environment: &[(&str, &str)]) -> Output {
    let binary = std::env::current_exe().expect("a test knows its own binary");
    Command::new(binary)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .envs(environment.iter().copied())
        .output()
        .expect("the test binary can run itself")
}

/// Proves that `variable` (say `LAB02_CLIENT`) really replaces a lab's program in `test`, a test
/// of the current suite that uses that role:
///
/// - set to `own_command` (the kit's own program, given as a command line) behind a wrapper that
///   leaves a mark, the test passes and the mark shows the wrapper ran;
/// - set to a command that only prints a line and fails, the test fails, and its report names
///   the variable and shows that line.
pub fn assert_override_grades(variable: &str, own_command: &str, test: &str) {
    let marker = std::env::temp_dir().join(format!(
        "{}-ran-{}",
        variable.to_lowercase(),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&marker);
    let wrapper = format!("touch {}; exec {own_command}", marker.display());
    let run = rerun_test(test, &[(variable, &wrapper)]);
    assert!(
        run.status.success(),
        "{test} should pass with {variable} set to the kit's own program:\n{}",
        String::from_utf8_lossy(&run.stdout)
    );
    assert!(marker.exists(), "the command in {variable} never ran");
    let _ = std::fs::remove_file(&marker);

    let impostor = "this is not the program under test";
    let run = rerun_test(test, &[(variable, &format!("echo '{impostor}'; exit 3"))]);
    let report =
        String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
    assert!(
        !run.status.success(),
        "{test} should fail with {variable} set to a command that is not the program"
    );
    assert!(
        report.contains(&format!("${variable}")) && report.contains(impostor),
        "the failure should name {variable} and show what the command printed:\n{report}"
    );
}
