//! What each chart shows: for every room, the row of the figures script (tools/bench/figures)
//! that loaded it the same way as the others, and the figures taken from that row; its words
//! are one edition's (`words`).

use crate::runs::Runs;
use crate::words::Words;

/// The rooms, in the order the charts show them, by the script's server names (their labels
/// are the edition's `Words::rooms`, in the same order).
const SERVERS: [&str; 4] = ["lab03", "lab05", "seed000", "seed002"];

/// One bar: its label on the chart's axis, its value, and which of the chart's series it is.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub series: usize,
    /// What the room got wrong in the same runs (medians), written beside the value: a fast
    /// room that garbles is not a fast room. Empty when it lost and garbled nothing.
    pub faults: String,
}

/// One chart: the file it is written to, its title, its value axis, its series and its bars.
pub struct Chart {
    pub file: &'static str,
    pub title: &'static str,
    pub axis: &'static str,
    /// Written after each bar's value (with its space: " ms"), or nothing.
    pub unit: String,
    /// The series' names (each bar's label ends with its series' name when there are two).
    pub series: Vec<&'static str>,
    pub bars: Vec<Bar>,
}

/// One figure drawn for each room: its name in the legend, bench's JSON field, and the factor
/// that turns the field into the axis's unit.
struct Figure {
    name: &'static str,
    field: &'static str,
    scale: f64,
}

/// Both charts of a run in one edition's words, each room's bars from the row that loaded it as
/// the others' rows loaded theirs (the kit's two rooms share one row; each document's server
/// has its own). A room whose row the run lacks has no bar (the script's `--rows` and
/// `--servers` can leave rows out; the documents' rows need their Python servers).
pub fn all(runs: &Runs, words: &Words) -> Vec<Chart> {
    vec![
        chart(
            runs,
            words,
            Chart {
                file: "bench-throughput.svg",
                title: words.throughput_title,
                axis: words.deliveries_per_second,
                unit: String::new(),
                series: Vec::new(),
                bars: Vec::new(),
            },
            &["kit-100B", "kit-100B", "seed000-100B", "seed002-100B"],
            &[Figure {
                name: words.deliveries_per_second,
                field: "deliveries_per_second",
                scale: 1.0,
            }],
        ),
        chart(
            runs,
            words,
            Chart {
                file: "bench-latency.svg",
                title: words.latency_title,
                axis: words.latency_axis,
                unit: format!(" {}", words.milliseconds),
                series: Vec::new(),
                bars: Vec::new(),
            },
            &["nagle-kit", "nagle-kit", "nagle-seed000", "nagle-seed002"],
            &[
                Figure {
                    name: words.median,
                    field: "latency_p50_us",
                    scale: 0.001,
                },
                Figure {
                    name: words.percentile_99,
                    field: "latency_p99_us",
                    scale: 0.001,
                },
            ],
        ),
    ]
}

/// `empty` (a chart with its words and no bars yet) with its series and bars.
fn chart(runs: &Runs, words: &Words, empty: Chart, rows: &[&str; 4], figures: &[Figure]) -> Chart {
    let mut bars = Vec::new();
    let rooms = SERVERS.into_iter().zip(words.rooms);
    for ((server, room), row) in rooms.zip(rows) {
        for (series, figure) in figures.iter().enumerate() {
            if let Some(value) = runs.median(row, server, figure.field) {
                let label = if figures.len() == 1 {
                    room.to_string()
                } else {
                    format!("{room}: {}", figure.name)
                };
                bars.push(Bar {
                    label,
                    value: value * figure.scale,
                    series,
                    faults: faults(runs, row, server, words),
                });
            }
        }
    }
    Chart {
        series: figures.iter().map(|figure| figure.name).collect(),
        bars,
        ..empty
    }
}

/// "256,000 lost, 32,424 garbled": the medians of the row's lost and garbled deliveries, the
/// ones that are not 0, in the edition's words.
fn faults(runs: &Runs, row: &str, server: &str, words: &Words) -> String {
    [("lost", words.lost), ("garbled", words.garbled)]
        .into_iter()
        .filter_map(|(field, word)| {
            let count = runs.median(row, server, field)?;
            (count > 0.0).then(|| format!("{} {word}", thousands(count)))
        })
        .collect::<Vec<_>>()
        .join(words.and)
}

/// A count with its thousands separated: 5,474,743.
pub fn thousands(value: f64) -> String {
    let digits = format!("{value:.0}");
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}
