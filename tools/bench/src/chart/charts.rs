//! What each chart shows: for every room, the row of the figures script (tools/bench/figures)
//! that loaded it the same way as the others, and the figures taken from that row.

use crate::runs::Runs;

/// The rooms, in the order the charts show them: the script's server name, and the label.
const ROOMS: [(&str, &str); 4] = [
    ("lab03", "lab03 (a thread per member)"),
    ("lab05", "lab05 (tuned)"),
    ("seed000", "document 000 (Python)"),
    ("seed002", "document 002 (Python)"),
];

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
    /// Written after each bar's value.
    pub unit: &'static str,
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

/// Both charts of a run, each room's bars from the row that loaded it as the others' rows
/// loaded theirs (the kit's two rooms share one row; each document's server has its own). A room
/// whose row the run lacks has no bar (the script's `--rows` and `--servers` can leave rows out;
/// the documents' rows need their Python servers).
pub fn all(runs: &Runs) -> Vec<Chart> {
    vec![
        chart(
            runs,
            "bench-throughput.svg",
            "Deliveries per second: 100 members x 200 messages of 100 bytes",
            "deliveries per second",
            "",
            &["kit-100B", "kit-100B", "seed000-100B", "seed002-100B"],
            &[Figure {
                name: "deliveries per second",
                field: "deliveries_per_second",
                scale: 1.0,
            }],
        ),
        chart(
            runs,
            "bench-latency.svg",
            "Latency: 5 members sending 20 messages a second each",
            "milliseconds from send to delivery",
            " ms",
            &["nagle-kit", "nagle-kit", "nagle-seed000", "nagle-seed002"],
            &[
                Figure {
                    name: "median",
                    field: "latency_p50_us",
                    scale: 0.001,
                },
                Figure {
                    name: "99th percentile",
                    field: "latency_p99_us",
                    scale: 0.001,
                },
            ],
        ),
    ]
}

fn chart(
    runs: &Runs,
    file: &'static str,
    title: &'static str,
    axis: &'static str,
    unit: &'static str,
    rows: &[&str; 4],
    figures: &[Figure],
) -> Chart {
    let mut bars = Vec::new();
    for ((server, room), row) in ROOMS.into_iter().zip(rows) {
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
                    faults: faults(runs, row, server),
                });
            }
        }
    }
    Chart {
        file,
        title,
        axis,
        unit,
        series: figures.iter().map(|figure| figure.name).collect(),
        bars,
    }
}

/// "256,000 lost, 32,424 garbled": the medians of the row's lost and garbled deliveries, the
/// ones that are not 0.
fn faults(runs: &Runs, row: &str, server: &str) -> String {
    ["lost", "garbled"]
        .into_iter()
        .filter_map(|field| {
            let count = runs.median(row, server, field)?;
            (count > 0.0).then(|| format!("{} {field}", thousands(count)))
        })
        .collect::<Vec<_>>()
        .join(", ")
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
