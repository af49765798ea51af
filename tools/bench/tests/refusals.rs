//! The bench refuses what it must not do, with a sentence and a non-zero exit status.

mod standin;

use std::net::TcpListener;
use std::process::Command;

fn bench_fails(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "bench {args:?} should have failed"
    );
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn only_this_machine_can_be_loaded() {
    let stderr = bench_fails(&["--host", "192.0.2.1", "--port", "9"]);
    assert_eq!(
        stderr,
        "bench: bench only loads servers on this machine, and 192.0.2.1 is not a loopback \
         address: use 127.0.0.1, ::1 or localhost\n"
    );
}

#[test]
fn no_server_is_a_sentence() {
    // Bind then drop: nothing listens on that port now.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let stderr = bench_fails(&["--port", &port.to_string()]);
    assert_eq!(
        stderr,
        format!(
            "bench: no server is listening on 127.0.0.1:{port}: start it first, or check --port \
             and --preset\n"
        )
    );
}

#[test]
fn nonsense_figures_are_refused() {
    assert!(bench_fails(&["--kill", "150"]).contains("--kill is a percentage"));
    assert!(bench_fails(&["--members", "0"]).contains("at least 1"));
    assert!(bench_fails(&["--rate", "0"]).contains("--rate"));
    assert!(bench_fails(&["--members", "100000", "--messages", "1000"]).contains("memory"));
    assert!(bench_fails(&["-n", "5", "--talkers", "6"]).contains("--talkers must be"));
    assert!(bench_fails(&["--talkers", "1", "--kill", "30"]).contains("cannot be combined"));
    // Values that once panicked (an overflowing sum, a wait too long for a Duration).
    let huge = u64::MAX.to_string();
    assert!(bench_fails(&["--connect-burst", &huge]).contains("at most 1000000"));
    assert!(bench_fails(&["--join-timeout", "1e300"]).contains("at most a day"));
    assert!(bench_fails(&["--rate", "1e-20"]).contains("from 0.001"));
}

#[test]
fn a_wrong_preset_is_a_sentence_once_the_join_timeout_is_over() {
    // The kit's room never says what document 000's says on joining.
    let room = standin::Room::start(standin::Fault::None);
    let port = room.port.to_string();
    let stderr = bench_fails(&[
        "--preset",
        "seed000",
        "--port",
        &port,
        "-n",
        "3",
        "--join-timeout",
        "0.5",
    ]);
    assert_eq!(
        stderr,
        "bench: no member got into the room: 3 connected, 0 of them were refused or closed by \
         the server, the others saw no sign of joining within --join-timeout (is --preset \
         seed000 the right one for this server?)\n"
    );
}

#[test]
fn a_closed_output_is_a_sentence_not_a_panic() {
    // `bench ... | head -c 0`: whoever reads bench's output is gone before it prints.
    let room = standin::Room::start(standin::Fault::None);
    let mut child = Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(["--port", &room.port.to_string(), "-n", "2", "-m", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success());
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "bench: cannot print the figures: nothing reads them any more\n"
    );
}
