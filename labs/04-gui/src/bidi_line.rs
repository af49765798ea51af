//! One line of mixed text laid out the way it reads: which stretches run right to left, in
//! which order they stand on the screen, and where the cursor goes. No fltk: widths come from a
//! function the caller gives (fltk's `draw::width` on screen, a fixed width per letter in tests).
//!
//! FLTK's input widget places each letter where a left-to-right line would have it, and repaints
//! only from the letter typed rightwards, so Arabic and Persian come out garbled while typed
//! (`سلام` as `سسس`). The message box (the `shaped_input` module) instead draws whole runs, each
//! shaped at once, in the order [`layout`] gives; the Unicode bidirectional algorithm
//! (`unicode-bidi`) decides the runs, as pango does for the chat area.

use std::ops::Range;

use unicode_bidi::BidiInfo;

/// A stretch of the line in one direction: `text` is a byte range of the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub text: Range<usize>,
    pub rtl: bool,
}

/// A line ready to draw: its own direction (that of its first letter that has one), and its runs
/// from the left of the screen to the right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub rtl: bool,
    pub runs: Vec<Run>,
}

/// Lays `text` (one line) out: its direction and its runs in screen order.
pub fn layout(text: &str) -> Line {
    let info = BidiInfo::new(text, None);
    let Some(paragraph) = info.paragraphs.first() else {
        return Line {
            rtl: false,
            runs: Vec::new(),
        };
    };
    let (levels, runs) = info.visual_runs(paragraph, paragraph.range.clone());
    let runs = runs
        .into_iter()
        .map(|range| Run {
            rtl: levels[range.start].is_rtl(),
            text: range,
        })
        .collect();
    Line {
        rtl: paragraph.level.is_rtl(),
        runs,
    }
}

impl Line {
    /// Where each run starts, from the line's left end, with `width` measuring text.
    pub fn run_lefts(&self, text: &str, width: impl Fn(&str) -> f64) -> Vec<f64> {
        let mut left = 0.0;
        self.runs
            .iter()
            .map(|run| {
                let start = left;
                left += width(&text[run.text.clone()]);
                start
            })
            .collect()
    }

    /// The line's whole width.
    pub fn width(&self, text: &str, width: impl Fn(&str) -> f64) -> f64 {
        self.runs
            .iter()
            .map(|run| width(&text[run.text.clone()]))
            .sum()
    }

    /// Where a click at `x` from the line's left end puts the cursor: the letter boundary whose
    /// cursor stands nearest.
    pub fn position_at(&self, text: &str, x: f64, width: impl Fn(&str) -> f64) -> usize {
        let boundaries = text
            .char_indices()
            .map(|(at, _)| at)
            .chain(std::iter::once(text.len()));
        boundaries
            .min_by(|&a, &b| {
                let from_a = (self.cursor_x(text, a, &width) - x).abs();
                let from_b = (self.cursor_x(text, b, &width) - x).abs();
                from_a.total_cmp(&from_b)
            })
            .unwrap_or(0)
    }

    /// The distance from the line's left end to the cursor standing before byte `at` (a
    /// character boundary; `text.len()` is the end). The cursor goes with the letter before it,
    /// where the user's last keystroke put it: after `سلا` it stands at the left of the `ا`.
    pub fn cursor_x(&self, text: &str, at: usize, width: impl Fn(&str) -> f64) -> f64 {
        let lefts = self.run_lefts(text, &width);
        let holder = if at == 0 {
            self.runs.iter().position(|run| run.text.contains(&0))
        } else {
            let before = text[..at].char_indices().last().map_or(0, |(i, _)| i);
            self.runs.iter().position(|run| run.text.contains(&before))
        };
        let Some(index) = holder else {
            return 0.0;
        };
        let run = &self.runs[index];
        let into = width(&text[run.text.start..at.max(run.text.start).min(run.text.end)]);
        if run.rtl {
            lefts[index] + width(&text[run.text.clone()]) - into
        } else {
            lefts[index] + into
        }
    }

    /// The stretches of the screen, from the line's left end, that show bytes `from..to`
    /// (a selection): one per run it touches, as `(left, right)`.
    pub fn spans(
        &self,
        text: &str,
        from: usize,
        to: usize,
        width: impl Fn(&str) -> f64,
    ) -> Vec<(f64, f64)> {
        let lefts = self.run_lefts(text, &width);
        let mut spans = Vec::new();
        for (run, left) in self.runs.iter().zip(lefts) {
            let start = from.max(run.text.start);
            let end = to.min(run.text.end);
            if start >= end {
                continue;
            }
            let before = width(&text[run.text.start..start]);
            let inside = width(&text[start..end]);
            if run.rtl {
                let right = left + width(&text[run.text.clone()]) - before;
                spans.push((right - inside, right));
            } else {
                spans.push((left + before, left + before + inside));
            }
        }
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ten pixels a letter, whatever the letter.
    fn width(text: &str) -> f64 {
        10.0 * text.chars().count() as f64
    }

    #[test]
    fn latin_is_one_run_left_to_right() {
        let line = layout("hello");
        assert!(!line.rtl);
        assert_eq!(
            line.runs,
            [Run {
                text: 0..5,
                rtl: false
            }]
        );
        assert_eq!(line.cursor_x("hello", 0, width), 0.0);
        assert_eq!(line.cursor_x("hello", 5, width), 50.0);
    }

    #[test]
    fn persian_is_one_run_right_to_left_with_its_cursor_at_the_left_end() {
        let text = "سلام به همه!";
        let line = layout(text);
        assert!(line.rtl);
        assert_eq!(
            line.runs,
            [Run {
                text: 0..text.len(),
                rtl: true
            }]
        );
        // Twelve letters: the cursor at the end of what was typed is at the left end.
        assert_eq!(line.cursor_x(text, text.len(), width), 0.0);
        assert_eq!(line.cursor_x(text, 0, width), 120.0);
        // After `سلا` (three letters, six bytes): three letters from the right end.
        assert_eq!(line.cursor_x(text, 6, width), 90.0);
    }

    #[test]
    fn an_english_word_in_arabic_stands_to_the_left_of_what_follows_it() {
        // "I use Rust now": Arabic, the word Rust, Arabic.
        let text = "أستخدم Rust الآن";
        let line = layout(text);
        assert!(line.rtl);
        let pieces: Vec<(&str, bool)> = line
            .runs
            .iter()
            .map(|run| (&text[run.text.clone()], run.rtl))
            .collect();
        // On screen, left to right: the last Arabic word, then Rust, then the first word.
        assert_eq!(pieces, [(" الآن", true), ("Rust", false), ("أستخدم ", true)]);
        // The cursor just after `Rust` is at Rust's right end.
        let after_rust = text.find("Rust").unwrap() + 4;
        assert_eq!(line.cursor_x(text, after_rust, width), 50.0 + 40.0);
    }

    #[test]
    fn a_click_puts_the_cursor_at_the_nearest_letter_boundary() {
        let text = "سلام";
        let line = layout(text);
        assert_eq!(line.width(text, width), 40.0);
        // Right to left: the right end is the start, the left end the end.
        assert_eq!(line.position_at(text, 39.0, width), 0);
        assert_eq!(line.position_at(text, 1.0, width), text.len());
        // 12 pixels from the right end: after the first letter.
        assert_eq!(line.position_at(text, 28.0, width), 'س'.len_utf8());
    }

    #[test]
    fn an_empty_line_has_its_cursor_at_the_left() {
        let line = layout("");
        assert!(!line.rtl);
        assert_eq!(line.cursor_x("", 0, width), 0.0);
        assert_eq!(line.spans("", 0, 0, width), []);
    }

    #[test]
    fn a_selection_is_shown_where_its_letters_are() {
        let text = "ab سلام";
        let line = layout(text);
        assert!(!line.rtl);
        // All of it: one span per run, covering the whole line.
        assert_eq!(
            line.spans(text, 0, text.len(), width),
            [(0.0, 30.0), (30.0, 70.0)]
        );
        // The first Persian letter only: at the right end of the Persian run.
        let start = text.find('س').unwrap();
        assert_eq!(
            line.spans(text, start, start + 'س'.len_utf8(), width),
            [(60.0, 70.0)]
        );
    }
}
