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
