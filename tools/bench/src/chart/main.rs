//! bench-chart: the guide's two charts of a figures run, drawn from what the run measured.
//!
//! `tools/bench/figures` runs bench against lab 03's room, lab 05's and the documents' Python
//! servers, one JSON line per run in `RUN_DIR/results.jsonl`, and calls this tool at its end:
//!
//!     bench-chart target/figures/DATE --out guide/src/images
//!
//! It writes `bench-throughput.svg` (deliveries per second, one bar per room) and
//! `bench-latency.svg` (median and 99th-percentile latency, two bars per room), each figure the
//! median of the row's runs, so that the book's charts always come from the same run as its
//! tables. It writes each chart three times, once for each of the guide's editions, from the
//! same figures: in English into `--out`, in Arabic into `--out/ar/`, in Persian into
//! `--out/fa/`, under the same file names. The parts, one job each:
//! - `runs`: reading results.jsonl, and the median of a figure over a row's runs;
//! - `words`: every word the charts show, in each edition;
//! - `charts`: which rows and figures each chart shows, as bars, in one edition's words;
//! - `draw`: the bars as an SVG chart (plotters, SVG backend only: the browser draws the text,
//!   right to left where the edition's script runs so).

mod charts;
mod draw;
mod runs;
mod words;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use labkit::Failure;

use crate::words::{EDITIONS, Edition};

/// Draws the throughput and latency charts of a figures run (tools/bench/figures) as SVG, in
/// each of the guide's editions: English, Arabic (into OUT/ar/) and Persian (into OUT/fa/).
#[derive(Parser, Debug)]
#[command(name = "bench-chart", version)]
struct Args {
    /// The run directory tools/bench/figures wrote (it holds results.jsonl).
    run_dir: PathBuf,
    /// Where to write bench-throughput.svg and bench-latency.svg in English; the Arabic and
    /// Persian ones go into its folders ar/ and fa/ (made if missing).
    #[arg(long, default_value = "guide/src/images")]
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    labkit::error::run("bench-chart", || {
        let results = args.run_dir.join("results.jsonl");
        let text = fs::read_to_string(&results).map_err(|error| {
            Failure::new(format!(
                "cannot read {}: {}",
                results.display(),
                labkit::error::explain(&error)
            ))
        })?;
        let runs = runs::Runs::parse(&text)
            .map_err(|error| Failure::new(format!("{}: {error}", results.display())))?;
        let run = args.run_dir.canonicalize().unwrap_or(args.run_dir.clone());
        let run = run
            .file_name()
            .map_or(String::new(), |name| name.to_string_lossy().into_owned());
        for edition in &EDITIONS {
            write_edition(&runs, &run, edition, &args.out)?;
        }
        Ok(())
    })
}

/// Both charts in `edition`'s words, into its folder under `out`; a chart whose rows the run
/// lacks is left as it was.
fn write_edition(
    runs: &runs::Runs,
    run: &str,
    edition: &Edition,
    out: &Path,
) -> Result<(), Failure> {
    let dir = match edition.dir {
        "" => out.to_path_buf(),
        dir => out.join(dir),
    };
    for chart in charts::all(runs, &edition.words) {
        let path = dir.join(chart.file);
        if chart.bars.is_empty() {
            eprintln!(
                "bench-chart: {} left as it was: the run has none of its rows",
                path.display()
            );
            continue;
        }
        let svg = draw::svg(&chart, run, edition).map_err(Failure::new)?;
        fs::create_dir_all(&dir)
            .and_then(|()| fs::write(&path, svg))
            .map_err(|error| {
                Failure::new(format!(
                    "cannot write {}: {}",
                    path.display(),
                    labkit::error::explain(&error)
                ))
            })?;
        eprintln!("bench-chart: wrote {}", path.display());
    }
    Ok(())
}
