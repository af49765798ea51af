//! bench-chart draws each chart in each of the guide's editions, from one run: English into
//! `--out`, Arabic into `--out/ar/`, Persian into `--out/fa/` (the folders made if missing).

use std::fs;
use std::path::Path;
use std::process::Command;

/// A made-up figures run with the kit's rows of each chart: lab 03's room and lab 05's.
fn made_up_run(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    let mut lines = Vec::new();
    for server in ["lab03", "lab05"] {
        lines.push(format!(
            r#"{{"row": "kit-100B", "server": "{server}", "run": 1, "deliveries_per_second": 4000000, "lost": 0, "garbled": 0}}"#
        ));
        lines.push(format!(
            r#"{{"row": "nagle-kit", "server": "{server}", "run": 1, "latency_p50_us": 290, "latency_p99_us": 610, "lost": 0, "garbled": 0}}"#
        ));
    }
    fs::write(dir.join("results.jsonl"), lines.join("\n") + "\n").unwrap();
}

#[test]
fn every_chart_is_written_in_english_arabic_and_persian() {
    let top = Path::new(env!("CARGO_TARGET_TMPDIR")).join("chart-editions");
    let _ = fs::remove_dir_all(&top);
    let run = top.join("20261201-122549");
    made_up_run(&run);
    let out = top.join("images");
    fs::create_dir_all(&out).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_bench-chart"))
        .arg(&run)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // Each edition's room name for lab 03, in its own language.
    for (dir, room) in [
        ("", "lab03 (a thread per member)"),
        ("ar", "lab03 (خيط لكل عضو)"),
        ("fa", "lab03 (یک نخ برای هر عضو)"),
    ] {
        for file in ["bench-throughput.svg", "bench-latency.svg"] {
            let path = out.join(dir).join(file);
            let svg = fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("{}: {error}\n{stderr}", path.display()));
            assert!(
                svg.contains(room),
                "no {room} in {}:\n{svg}",
                path.display()
            );
            assert!(
                svg.contains("20261201-122549"),
                "{}:\n{svg}",
                path.display()
            );
            assert!(
                stderr.contains(&format!("wrote {}", path.display())),
                "{stderr}"
            );
        }
    }
    assert_eq!(stderr.lines().count(), 6, "{stderr}");
}
