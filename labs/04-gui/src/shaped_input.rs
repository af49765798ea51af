//! The message box and the name dialog's box: FLTK's one-line input, drawn by this program.
//!
//! FLTK's `Fl_Input` keeps the text, the cursor, the selection and every key (typing, arrows,
//! Ctrl+A, copy and paste): that part is kept. Its drawing is not: it places the cursor and
//! repaints as if every line ran left to right, and after each keystroke repaints only from
//! the new letter's place rightwards, so a right-to-left word typed letter by letter leaves
//! its old glyphs behind (`سلام` shows as `سسس`). [`shaped`] turns that drawing off and draws
//! the whole line again at every change: each run of [`bidi_line::layout`] in one call, which
//! pango shapes (the letters join) like the chat area; a line whose first letter is Arabic or
//! Persian stands at the box's right end; the cursor and the selection go where the letters are.

use fltk::{draw, input::Input, prelude::*};

use crate::bidi_line;

/// The gap between the box's frame and the text, as FLTK's own input leaves.
const INSIDE: i32 = 3;

/// Makes `input` draw its line shaped and in its own direction.
pub fn shaped(input: &mut Input) {
    input.super_draw(false);
    input.draw(draw_line);
}

/// Draws `input` whole: its box, its line, its selection and its cursor.
fn draw_line(input: &mut Input) {
    let frame = input.frame();
    let background = if input.active() {
        input.color()
    } else {
        input.color().inactive()
    };
    draw::draw_box(
        frame,
        input.x(),
        input.y(),
        input.w(),
        input.h(),
        background,
    );
    let left = input.x() + frame.dx() + INSIDE;
    let top = input.y() + frame.dy();
    let width = input.w() - frame.dw() - 2 * INSIDE;
    let height = input.h() - frame.dh();
    draw::push_clip(left, top, width, height);

    draw::set_font(input.text_font(), input.text_size());
    let text = input.value();
    let line = bidi_line::layout(&text);
    let measure = |piece: &str| draw::width(piece);
    let line_width = line.run_lefts(&text, measure).last().map_or(0.0, |last| {
        last + line
            .runs
            .last()
            .map_or(0.0, |run| measure(&text[run.text.clone()]))
    });
    let cursor = clamp_to_char(&text, input.position());
    let cursor_x = line.cursor_x(&text, cursor, measure);
    let start = line_start(line.rtl, line_width, cursor_x, f64::from(width));
    let x = |offset: f64| left + (start + offset).round() as i32;

    let focused = input.has_focus();
    let (from, to) = ordered(clamp_to_char(&text, input.mark()), cursor);
    if focused && from < to {
        draw::set_draw_color(input.selection_color());
        for (span_left, span_right) in line.spans(&text, from, to, measure) {
            draw::draw_rectf(x(span_left), top, x(span_right) - x(span_left), height);
        }
    }

    let baseline = top + (height - draw::height()) / 2 + draw::height() - draw::descent();
    let ink = if input.active() {
        input.text_color()
    } else {
        input.text_color().inactive()
    };
    draw::set_draw_color(ink);
    let lefts = line.run_lefts(&text, measure);
    for (run, run_left) in line.runs.iter().zip(lefts) {
        draw::draw_text(&text[run.text.clone()], x(run_left), baseline);
    }

    if focused && from == to {
        draw::set_draw_color(input.cursor_color());
        let at = x(cursor_x);
        draw::draw_line(at, top + 2, at, top + height - 3);
    }
    draw::pop_clip();
}

/// Where the line starts, from the box's left edge: at the left for a left-to-right line, at
/// the right end for a right-to-left one, moved so that the cursor stays inside the box.
fn line_start(rtl: bool, line_width: f64, cursor_x: f64, box_width: f64) -> f64 {
    let start = if rtl { box_width - line_width } else { 0.0 };
    let cursor = start + cursor_x;
    if cursor > box_width - 1.0 {
        start - (cursor - box_width + 1.0)
    } else if cursor < 0.0 {
        start - cursor
    } else {
        start
    }
}

/// FLTK counts bytes; a position inside a letter (never expected) counts as the letter's start.
fn clamp_to_char(text: &str, at: i32) -> usize {
    let mut at = usize::try_from(at).unwrap_or(0).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ordered(a: usize, b: usize) -> (usize, usize) {
    if a <= b { (a, b) } else { (b, a) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_right_to_left_line_stands_at_the_right_end() {
        // A 100-pixel box, a 40-pixel line with its cursor at its left end.
        assert_eq!(line_start(true, 40.0, 0.0, 100.0), 60.0);
        assert_eq!(line_start(false, 40.0, 40.0, 100.0), 0.0);
    }

    #[test]
    fn a_long_line_moves_to_keep_the_cursor_in_the_box() {
        // Left to right, 150 pixels, cursor at its end: the line's start goes 51 to the left.
        assert_eq!(line_start(false, 150.0, 150.0, 100.0), -51.0);
        // Right to left, 150 pixels, cursor at its left end: the start is pushed back to 0.
        assert_eq!(line_start(true, 150.0, 0.0, 100.0), 0.0);
    }

    #[test]
    fn byte_positions_fall_on_letters() {
        let text = "سلام";
        assert_eq!(clamp_to_char(text, 3), 2);
        assert_eq!(clamp_to_char(text, 99), text.len());
        assert_eq!(clamp_to_char(text, -1), 0);
    }
}
