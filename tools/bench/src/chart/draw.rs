//! A chart as SVG: one horizontal bar per room and figure, its value written at its end, the
//! rooms' names on the left (long names read better across than under the bars).
//!
//! In Arabic and Persian every text is a right-to-left isolate (U+2067 ... U+2069): inside it
//! the browser orders the words right to left, so «lab03 (خيط لكل عضو)» reads lab03 first, from
//! the right, and a tick reads «1 مليون», not «مليون 1». The text element itself stays left to
//! right, so its text-anchor means what it means in English (a value starts at its bar's end,
//! a room's name ends at the axis) and the layout is the English one. The run's name is a
//! left-to-right isolate (U+2066 ... U+2069) inside it: after Arabic letters its digits count as
//! Arabic ones, which a hyphen does not join, and 20261202-054803 would read 054803-20261202.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::charts::{Chart, thousands};
use crate::words::{Edition, Words};

/// The series' colours, in order (a colour-blind-safe pair first).
const COLOURS: [RGBColor; 3] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
];

const WIDTH: u32 = 860;
const BAR_HEIGHT: u32 = 34;

/// The chart's SVG document (`chart` has at least one bar, in `edition`'s words), its axis
/// naming `run`, the run it was drawn from; the error is a sentence.
pub fn svg(chart: &Chart, run: &str, edition: &Edition) -> Result<String, String> {
    if chart.bars.is_empty() {
        return Err(format!("{} has no bars to draw", chart.file));
    }
    let mut svg = String::new();
    draw(chart, run, edition, &mut svg)
        .map_err(|error| format!("cannot draw {}: {error}", chart.file))?;
    Ok(svg)
}

fn draw(chart: &Chart, run: &str, edition: &Edition, svg: &mut String) -> Result<(), String> {
    let words = &edition.words;
    let text_of = |text: String| isolate(edition, text);
    let run = if edition.right_to_left {
        format!("\u{2066}{run}\u{2069}")
    } else {
        run.to_string()
    };
    let bars = &chart.bars;
    // One slot per bar; but plotters draws nothing on a range of one slot (0..0), so a lone
    // bar (a run of one room's row) gets an empty slot below it.
    let slots = bars.len().max(2);
    let height = 110 + BAR_HEIGHT * slots as u32;
    let root = SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).map_err(text)?;
    // The bars' slots count from the bottom; the first bar goes in the top one.
    let slot = |index: usize| slots - 1 - index;
    let most = bars.iter().map(|bar| bar.value).fold(0.0, f64::max);
    // Room at the right for the longest bar's value.
    let end = if most > 0.0 { most * 1.2 } else { 1.0 };
    let mut plot = ChartBuilder::on(&root)
        .caption(text_of(chart.title.to_string()), ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(300)
        // Segments 0 to n - 1, one per slot: the first bar at the top.
        .build_cartesian_2d(0.0..end, (0..slots - 1).into_segmented())
        .map_err(text)?;
    plot.configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .y_labels(slots)
        .y_label_formatter(&|value| match value {
            SegmentValue::CenterOf(slot) => (slots - 1)
                .checked_sub(*slot)
                .and_then(|index| bars.get(index))
                .map(|bar| text_of(bar.label.clone()))
                .unwrap_or_default(),
            _ => String::new(),
        })
        .x_label_formatter(&|value| text_of(short(*value, words)))
        .x_desc(text_of(format!(
            "{} ({} {run})",
            chart.axis, words.median_of_the_runs
        )))
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
            // The space keeps the value off its bar's end, outside the isolate.
            let value = if bar.faults.is_empty() {
                format!("{}{}", exact(bar.value), chart.unit)
            } else {
                format!("{}{} ({})", exact(bar.value), chart.unit, bar.faults)
            };
            Text::new(
                format!(" {}", text_of(value)),
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

/// `text` as the edition writes it: as it is in English, a right-to-left isolate in Arabic and
/// Persian.
fn isolate(edition: &Edition, text: String) -> String {
    if edition.right_to_left {
        format!("\u{2067}{text}\u{2069}")
    } else {
        text
    }
}

/// plotters' errors, as the sentence they display.
fn text(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// An axis tick: 2.5M, 800k, 12, 0.5 (the edition's words for millions and thousands).
fn short(value: f64, words: &Words) -> String {
    if value >= 1e6 {
        format!("{}{}", trim(value / 1e6), words.million)
    } else if value >= 1e3 {
        format!("{}{}", trim(value / 1e3), words.thousand)
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
    use crate::words::{EDITIONS, english_words};

    const ENGLISH: &Edition = &EDITIONS[0];

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
        let all = charts::all(&made_up_run(), &ENGLISH.words);
        let chart = &all[0];
        assert_eq!(chart.file, "bench-throughput.svg");
        let svg = svg(chart, "20261201-122549", ENGLISH).unwrap();
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
        let all = charts::all(&made_up_run(), &ENGLISH.words);
        let chart = &all[1];
        assert_eq!(chart.file, "bench-latency.svg");
        let svg = svg(chart, "20261201-122549", ENGLISH).unwrap();
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

    /// A run of one row, lab05's throughput: one bar, and no row of the latency chart.
    fn one_row_run() -> Runs {
        Runs::parse(r#"{"row": "kit-100B", "server": "lab05", "deliveries_per_second": 5}"#)
            .unwrap()
    }

    #[test]
    fn a_room_whose_row_was_not_run_has_no_bar() {
        let all = charts::all(&one_row_run(), &ENGLISH.words);
        let labels: Vec<&str> = all[0]
            .bars
            .iter()
            .map(|bar: &Bar| bar.label.as_str())
            .collect();
        assert_eq!(labels, ["lab05 (tuned)"]);
        assert!(all[1].bars.is_empty());
    }

    #[test]
    fn a_lone_bar_is_drawn_with_its_rooms_name() {
        let all = charts::all(&one_row_run(), &ENGLISH.words);
        let svg = svg(&all[0], "20261201-122549", ENGLISH).unwrap();
        assert_eq!(bars_coloured(&svg, 0), 1, "{svg}");
        assert!(svg.contains("lab05 (tuned)\n"), "{svg}");
    }

    #[test]
    fn the_first_bar_is_drawn_at_the_top() {
        let all = charts::all(&made_up_run(), &ENGLISH.words);
        let svg = svg(&all[0], "20261201-122549", ENGLISH).unwrap();
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
        assert_eq!(short(2_500_000.0, &ENGLISH.words), "2.5M");
        assert_eq!(short(800_000.0, &ENGLISH.words), "800k");
        assert_eq!(short(12.0, &ENGLISH.words), "12");
    }

    /// The text of each of an SVG's <text> elements (plotters writes it on a line of its own).
    fn texts(svg: &str) -> Vec<&str> {
        svg.split("<text")
            .skip(1)
            .map(|element| {
                let text = &element[element.find('>').unwrap() + 1..];
                text[..text.find("</text>").unwrap()].trim_matches('\n')
            })
            .collect()
    }

    #[test]
    fn the_arabic_and_persian_charts_show_their_own_words_and_no_english_one() {
        for edition in &EDITIONS[1..] {
            let words = &edition.words;
            for chart in charts::all(&made_up_run(), words) {
                let svg = svg(&chart, "20261201-122549", edition).unwrap();
                let texts = texts(&svg);
                // Titles, rooms, series, ticks, the axis's name and every value.
                assert!(texts.len() > 10, "{svg}");
                for text in &texts {
                    assert_eq!(
                        english_words(text),
                        Vec::<&str>::new(),
                        "{}: {text}",
                        edition.dir
                    );
                    // Each a right-to-left isolate (behind the space that keeps a value off its
                    // bar), so that the browser orders its words right to left.
                    let text = text.strip_prefix(' ').unwrap_or(text);
                    assert!(
                        text.starts_with('\u{2067}') && text.ends_with('\u{2069}'),
                        "{}: {text:?} is not a right-to-left isolate",
                        edition.dir
                    );
                }
                let shown = |word: &str| texts.iter().any(|text| text.contains(word));
                assert!(shown(chart.title), "{}: {svg}", edition.dir);
                for room in words.rooms {
                    assert!(shown(room), "{}: no {room} in {svg}", edition.dir);
                }
                // The run's name reads left to right inside the axis's name.
                assert!(
                    shown("\u{2066}20261201-122549\u{2069})"),
                    "{}: {svg}",
                    edition.dir
                );
            }
        }
    }

    #[test]
    fn what_a_room_got_wrong_and_the_ticks_are_in_the_editions_words() {
        let arabic = &EDITIONS[1];
        let all = charts::all(&made_up_run(), &arabic.words);
        let svg = svg(&all[0], "20261201-122549", arabic).unwrap();
        assert!(svg.contains("200,015 (7 مشوّهة)"), "{svg}");
        assert_eq!(short(2_500_000.0, &arabic.words), "2.5 مليون");
        assert_eq!(short(800_000.0, &EDITIONS[2].words), "800 هزار");
    }
}
