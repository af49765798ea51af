//! A chart as SVG: one horizontal bar per room and figure, its value written at its end, the
//! rooms' names on the left (long names read better across than under the bars).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::charts::{Chart, thousands};

/// The series' colours, in order (a colour-blind-safe pair first).
const COLOURS: [RGBColor; 3] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
];

const WIDTH: u32 = 860;
const BAR_HEIGHT: u32 = 34;

/// The chart's SVG document (`chart` has at least one bar), its axis naming `run`, the run it
/// was drawn from; the error is a sentence.
pub fn svg(chart: &Chart, run: &str) -> Result<String, String> {
    if chart.bars.is_empty() {
        return Err(format!("{} has no bars to draw", chart.file));
    }
    let mut svg = String::new();
    draw(chart, run, &mut svg).map_err(|error| format!("cannot draw {}: {error}", chart.file))?;
    Ok(svg)
}

fn draw(chart: &Chart, run: &str, svg: &mut String) -> Result<(), String> {
    let bars = &chart.bars;
    let height = 110 + BAR_HEIGHT * bars.len() as u32;
    let root = SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).map_err(text)?;
    // The bars' slots count from the bottom; the first bar goes in the top one.
    let slot = |index: usize| bars.len() - 1 - index;
    let most = bars.iter().map(|bar| bar.value).fold(0.0, f64::max);
    // Room at the right for the longest bar's value.
    let end = if most > 0.0 { most * 1.2 } else { 1.0 };
    let mut plot = ChartBuilder::on(&root)
        .caption(chart.title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(300)
        // Segments 0 to n - 1, one per bar: the first bar at the top.
        .build_cartesian_2d(0.0..end, (0..bars.len() - 1).into_segmented())
        .map_err(text)?;
    plot.configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .y_labels(bars.len())
        .y_label_formatter(&|value| match value {
            SegmentValue::CenterOf(slot) => bars
                .get(bars.len() - 1 - slot)
                .map(|bar| bar.label.clone())
                .unwrap_or_default(),
            _ => String::new(),
        })
        .x_label_formatter(&|value| short(*value))
        .x_desc(format!("{} (median of the runs; run {run})", chart.axis))
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(text)?;
    for series in 0..chart.series.len() {
        let colour = COLOURS[series % COLOURS.len()];
        let mine = bars
            .iter()
            .enumerate()
            .filter(|(_, bar)| bar.series == series);
        plot.draw_series(mine.clone().map(|(index, bar)| {
            let mut rectangle = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(slot(index))),
                    (bar.value, SegmentValue::Exact(slot(index) + 1)),
                ],
                colour.filled(),
            );
            rectangle.set_margin(5, 5, 0, 0);
            rectangle
        }))
        .map_err(text)?;
        plot.draw_series(mine.map(|(index, bar)| {
            Text::new(
                if bar.faults.is_empty() {
                    format!(" {}{}", exact(bar.value), chart.unit)
                } else {
                    format!(" {}{} ({})", exact(bar.value), chart.unit, bar.faults)
                },
                (bar.value, SegmentValue::CenterOf(slot(index))),
                TextStyle::from(("sans-serif", 13).into_font())
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            )
        }))
        .map_err(text)?;
    }
    root.present().map_err(text)?;
    Ok(())
}

/// plotters' errors, as the sentence they display.
fn text(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// An axis tick: 2.5M, 800k, 12, 0.5.
fn short(value: f64) -> String {
    if value >= 1e6 {
        format!("{}M", trim(value / 1e6))
    } else if value >= 1e3 {
        format!("{}k", trim(value / 1e3))
    } else {
        trim(value)
    }
}

/// A bar's value: whole numbers with thousands separated (5,474,743), small ones to two places.
fn exact(value: f64) -> String {
    if value >= 100.0 {
        thousands(value)
    } else {
        format!("{value:.2}")
    }
}

fn trim(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").unwrap_or(&text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{self, Bar};
    use crate::runs::Runs;

    /// A made-up run: every row of both charts, two runs each (the median of two is their mean).
    fn made_up_run() -> Runs {
        let mut lines = Vec::new();
        for (row, server, rate, p50, p99) in [
            ("kit-100B", "lab03", 4_000_000, 0, 0),
            ("kit-100B", "lab05", 5_000_000, 0, 0),
            ("seed000-100B", "seed000", 300_000, 0, 0),
            ("seed002-100B", "seed002", 200_000, 0, 0),
            ("nagle-kit", "lab03", 0, 100, 900),
            ("nagle-kit", "lab05", 0, 80, 700),
            ("nagle-seed000", "seed000", 0, 40_000, 41_000),
            ("nagle-seed002", "seed002", 0, 120, 1_300),
        ] {
            // Document 002's server garbles 7 deliveries in each run.
            let garbled = if server == "seed002" { 7 } else { 0 };
            for run in 1..=2 {
                lines.push(format!(
                    r#"{{"row": "{row}", "server": "{server}", "run": {run}, "deliveries_per_second": {}, "latency_p50_us": {}, "latency_p99_us": {}, "lost": 0, "garbled": {garbled}}}"#,
                    rate + run * 10,
                    p50 + run * 10,
                    p99 + run * 10,
                ));
            }
        }
        Runs::parse(&lines.join("\n")).unwrap()
    }

    /// How many bars an SVG has in the colour of series `series`.
    fn bars_coloured(svg: &str, series: usize) -> usize {
        let RGBColor(r, g, b) = COLOURS[series];
        let fill = format!("fill=\"#{r:02X}{g:02X}{b:02X}\"");
        svg.lines()
            .filter(|line| line.contains("<rect") && line.contains(&fill))
            .count()
    }

    #[test]
    fn the_throughput_chart_has_one_bar_per_room_with_its_name_and_value() {
        let all = charts::all(&made_up_run());
        let chart = &all[0];
        assert_eq!(chart.file, "bench-throughput.svg");
        let svg = svg(chart, "20261201-122549").unwrap();
        assert_eq!(bars_coloured(&svg, 0), 4, "{svg}");
        for room in [
            "lab03 (a thread per member)",
            "lab05 (tuned)",
            "document 000 (Python)",
            "document 002 (Python)",
        ] {
            assert!(svg.contains(room), "no label {room} in {svg}");
        }
        // The median of 4,000,010 and 4,000,020, written at the end of lab03's bar; what
        // document 002's server got wrong beside its value, and nothing beside the others'.
        assert!(svg.contains("4,000,015\n"), "{svg}");
        assert!(svg.contains("200,015 (7 garbled)"), "{svg}");
        assert_eq!(svg.matches(" garbled").count(), 1, "{svg}");
        assert!(svg.contains("Deliveries per second"), "{svg}");
        assert!(svg.contains("run 20261201-122549"), "{svg}");
    }

    #[test]
    fn the_latency_chart_has_a_median_and_a_p99_bar_per_room_in_milliseconds() {
        let all = charts::all(&made_up_run());
        let chart = &all[1];
        assert_eq!(chart.file, "bench-latency.svg");
        let svg = svg(chart, "20261201-122549").unwrap();
        assert_eq!(bars_coloured(&svg, 0), 4, "{svg}");
        assert_eq!(bars_coloured(&svg, 1), 4, "{svg}");
        assert!(svg.contains("lab05 (tuned): median"), "{svg}");
        assert!(
            svg.contains("document 000 (Python): 99th percentile"),
            "{svg}"
        );
        // Document 000's median: the mean of 40,010 and 40,020 µs, in milliseconds.
        assert!(svg.contains("40.02 ms"), "{svg}");
    }

    #[test]
    fn a_room_whose_row_was_not_run_has_no_bar() {
        let runs =
            Runs::parse(r#"{"row": "kit-100B", "server": "lab05", "deliveries_per_second": 5}"#)
                .unwrap();
        let all = charts::all(&runs);
        let labels: Vec<&str> = all[0]
            .bars
            .iter()
            .map(|bar: &Bar| bar.label.as_str())
            .collect();
        assert_eq!(labels, ["lab05 (tuned)"]);
        assert!(all[1].bars.is_empty());
    }

    #[test]
    fn the_first_bar_is_drawn_at_the_top() {
        let all = charts::all(&made_up_run());
        let svg = svg(&all[0], "20261201-122549").unwrap();
        // The height of a label's <text> element (SVG's y grows downwards).
        let height = |label: &str| -> u32 {
            let element = &svg[..svg.find(label).unwrap()];
            let element = &element[element.rfind("<text").unwrap()..];
            let y = &element[element.find(" y=\"").unwrap() + 4..];
            y[..y.find('"').unwrap()].parse().unwrap()
        };
        assert!(height("lab03 (a thread per member)") < height("lab05 (tuned)"));
        assert!(height("lab05 (tuned)") < height("document 002 (Python)"));
    }

    #[test]
    fn values_are_written_for_people() {
        assert_eq!(exact(5_474_743.4), "5,474,743");
        assert_eq!(exact(999.0), "999");
        assert_eq!(exact(40.015), "40.02");
        assert_eq!(short(2_500_000.0), "2.5M");
        assert_eq!(short(800_000.0), "800k");
        assert_eq!(short(12.0), "12");
    }
}
