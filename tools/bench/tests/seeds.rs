//! The presets against the documents' own Python servers (shared/seeds/py, beside the repo):
//! every member gets in, and every expected delivery is accounted for as seen, lost or garbled.
//! How many are lost or garbled depends on the servers' races; that they join and are measured
//! does not. Skipped, with a note, where python3 or the seeds are missing.

mod standin;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the document's server on a free port and waits (at most 10 s) for its first line.
fn start(seed: &str) -> Option<(Server, u16)> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/seeds/py")
        .join(format!("{seed}_room/server.py"));
    if !script.exists() {
        eprintln!("skipped: {} not found", script.display());
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("python3")
        .arg("-u")
        .arg(&script)
        .env("PORT", port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("skipped: python3 cannot be started");
        return None;
    };
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let (ready, first_line) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        let _ = ready.send(first);
        // Keep reading its log: the documents' servers die of a closed stdout at their next
        // print.
        for _ in lines {}
    });
    let line = first_line
        .recv_timeout(Duration::from_secs(10))
        .expect("the seed server printed nothing within 10 s");
    assert!(
        !line.is_empty(),
        "the seed server stopped at once (is its port free?)"
    );
    Some((server, port))
}

fn measure(seed: &str) {
    let Some((_server, port)) = start(seed) else {
        return;
    };
    let port = port.to_string();
    // Pass or fail depends on the servers' races; the figures must add up either way.
    let figures = standin::run_bench(&[
        "--preset",
        seed,
        "--port",
        &port,
        "-n",
        "5",
        "-m",
        "20",
        "--size",
        "100",
        "--idle-timeout",
        "1",
    ]);
    figures.assert(&[("joined", 5), ("messages_sent", 100), ("expected", 500)]);
    let accounted = figures.number("seen") + figures.number("lost") + figures.number("garbled");
    assert_eq!(accounted, 500, "{}", figures.json);
    assert_eq!(
        figures.passed,
        figures.number("lost") + figures.number("garbled") + figures.number("duplicated") == 0,
        "{}",
        figures.json
    );
}

#[test]
fn document_000s_room_is_measured() {
    measure("seed000");
}

#[test]
fn document_002s_room_is_measured() {
    measure("seed002");
}

#[test]
fn document_003s_room_is_measured() {
    measure("seed003");
}
