//! The bench chapter's lines: the room in the background, bench against it, its help, `kill %1`;
//! and the figures script's two quick lines.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use crate::{line, root, scenario};
use harness::{Role, Terminal};

pub fn bench_against_the_room_in_the_background() {
    let (talk, _turn) = scenario("bench: running it", &[9090]);
    crate::build(&talk, r"cargo build --release -p lab03 -p lab05 -p bench");

    // The room writes to /tmp/room.log: what it says is read there as it is written.
    let log = PathBuf::from("/tmp/room.log");
    let _ = fs::remove_file(&log);
    // An interactive shell, as the reader's: `&` and `kill %1` are its job control.
    let mut shell = Terminal::start(&talk, Role::program("sh", "sh", &[]), &[], 120, 50);
    shell.type_text(r"target/release/lab03 server --port 9090 </dev/null >/tmp/room.log 2>&1 &");
    shell.press("Enter");
    let mut room = talk.start(
        Role::program(
            "the room's log",
            "tail",
            &["-n", "+1", "-F", "/tmp/room.log"],
        ),
        &[],
    );
    room.expect("listening on 127.0.0.1:9090\n");
    shell.type_text(r"target/release/bench -n 100 -m 200");
    shell.press("Enter");
    shell.expect_screen("every delivery expected by the members in the room arrived");
    shell.type_text(r"target/release/bench --help");
    shell.press("Enter");
    shell.expect_screen("Print version");
    shell.type_text(r"kill %1");
    shell.press("Enter");
    room.expect("stopping: telling 0 members\n");
    // The room stops cleanly: the shell reports its job done (exit status 0).
    shell.type_text("wait");
    shell.press("Enter");
    shell.expect_screen("[1] + Done");
}

pub fn bench_against_document_000s_room_in_the_background() {
    let name = "bench: watch the recv(1024) row";
    if !crate::seeds_present(name) {
        return;
    }
    let (talk, _turn) = scenario(name, &[8080]);
    crate::port_clear(&talk, 8080);
    let mut shell = Terminal::start(&talk, Role::program("sh", "sh", &[]), &[], 120, 50);
    shell.type_text(
        r"python3 ../shared/seeds/py/seed000_room/server.py </dev/null >/tmp/seed000.log 2>&1 &",
    );
    shell.press("Enter");
    // Its output goes to a file, where Python holds it back: ready is listening.
    crate::listening(&talk, 8080);
    shell.type_text(r"target/release/bench --preset seed000 -n 100 -m 200 --size 100");
    shell.press("Enter");
    // How many are garbled depends on timing; that some are, and the verdict, do not.
    shell.expect_screen("bench: the room failed this run: ");
    shell.expect_screen(" arrived garbled");
    shell.type_text(r"kill %1");
    shell.press("Enter");
    shell.type_text("wait");
    shell.press("Enter");
    shell.expect_screen("[1] + Terminated");
}

/// The guide's charts, put back as they were when a scenario that runs the figures script
/// ends: the script redraws them from its run, and a test must leave the guide as it found it.
/// Each edition's: English in images/, Arabic in images/ar/, Persian in images/fa/.
struct ChartsKept(Vec<(PathBuf, Vec<u8>)>);

impl ChartsKept {
    fn now() -> ChartsKept {
        let images = root().join("guide/src/images");
        let kept = ["", "ar", "fa"]
            .iter()
            .flat_map(|edition| {
                ["bench-throughput.svg", "bench-latency.svg"]
                    .map(|name| images.join(edition).join(name))
            })
            .filter_map(|path| fs::read(&path).ok().map(|bytes| (path, bytes)))
            .collect();
        ChartsKept(kept)
    }
}

impl Drop for ChartsKept {
    fn drop(&mut self) {
        for (path, bytes) in &self.0 {
            let _ = fs::write(path, bytes);
        }
    }
}

#[test]
fn the_figures_script_runs_some_rows() {
    let (talk, _turn) = scenario("bench: the figures, some rows", &[]);
    let _charts = ChartsKept::now();
    let mut some = talk.start(
        line(r"tools/bench/figures --rows flood,slowloris --runs 1  # some rows, once"),
        &[],
    );
    let status = some.wait_exit_within(Duration::from_secs(120));
    assert!(status.success(), "{}\n{}", some.transcript(), some.stderr());
    let table = some.transcript();
    for row in [
        "| slowloris, lab03 | yes |",
        "| slowloris, lab05 | yes |",
        "| flood, lab03 | yes |",
        "| flood, lab05 | yes |",
    ] {
        assert!(table.contains(row), "no `{row}` in:\n{table}");
    }
    let mut one = talk.start(
        line(r"tools/bench/figures --servers lab05 --rows throughput # one room only"),
        &[],
    );
    let status = one.wait_exit_within(Duration::from_secs(120));
    assert!(status.success(), "{}\n{}", one.transcript(), one.stderr());
    let table = one.transcript();
    assert!(table.contains("| throughput, lab05 | yes |"), "{table}");
    assert!(!table.contains("| throughput, lab03 |"), "{table}");
}
