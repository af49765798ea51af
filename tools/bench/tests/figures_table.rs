//! The figures script's tables (tools/bench/figures-table.py): medians per row and server, and
//! the side-by-side line with lab05/lab03, from a results.jsonl written here. Skipped, with a
//! note, where python3 is missing.

use std::path::PathBuf;
use std::process::Command;

fn record(server: &str, run: u32, per_second: u64, rss_kb: u64) -> String {
    // The processor time goes with the memory: 40 MiB, 0.40 s; bench's reader with the
    // deliveries: 1,000,000/s, 10 %.
    let cpu_ms = rss_kb / 100;
    let busy = per_second / 100_000;
    format!(
        r#"{{"row":"throughput","server":"{server}","run":{run},"passed":true,"joined":100,"lost":0,"garbled":0,"deliveries_per_second":{per_second},"server_peak_rss_kb":{rss_kb},"server_cpu_ms":{cpu_ms},"reader_busy_percent":{busy}}}"#
    )
}

#[test]
fn the_side_by_side_table_gives_both_medians_and_their_ratio() {
    let dir = std::env::temp_dir().join(format!("bench-figures-table-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let results = dir.join("results.jsonl");
    let lines = [
        record("lab03", 1, 1_000_000, 40 * 1024),
        record("lab05", 1, 6_000_000, 20 * 1024),
        record("lab03", 2, 3_000_000, 50 * 1024),
        record("lab05", 2, 4_000_000, 30 * 1024),
        record("lab03", 3, 2_000_000, 60 * 1024),
        record("lab05", 3, 5_000_000, 25 * 1024),
        // A run that could not finish: counted in "runs", left out of the medians.
        r#"{"row":"throughput","server":"lab05","run":4,"failed":"the lab05 server did not start"}"#
            .to_string(),
    ];
    std::fs::write(&results, lines.join("\n") + "\n").unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("figures-table.py");
    let Ok(output) = Command::new("python3").arg(&script).arg(&results).output() else {
        eprintln!("skipped: python3 cannot be started");
        return;
    };
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let side_by_side = &stdout[stdout.find("side by side").expect(&stdout)..];
    for line in [
        "| 100 x 200 at once | runs | 3/3 passed | 3/4 passed | |",
        "| | deliveries/s | 2,000,000 | 5,000,000 | 2.50 |",
        "| | lost | 0 | 0 |  |",
        "| | peak RSS | 50.0 MiB | 25.0 MiB | 0.50 |",
        "| | server CPU (user + system) | 0.51 s | 0.26 s | 0.50 |",
        "| | bench's busiest reader, busy | 20 % | 50 % |  |",
    ] {
        assert!(
            side_by_side.contains(line),
            "no {line:?} in:\n{side_by_side}"
        );
    }
    assert!(
        stdout.contains("- throughput, lab05 #4: did not finish: the lab05 server did not start"),
        "{stdout}"
    );
}
