//! The message box and the name dialog's box: FLTK's one-line input, drawn by this program.
//!
//! FLTK's `Fl_Input` keeps the text, the cursor, the selection and every key (typing, arrows,
//! Ctrl+A, copy and paste): that part is kept. Its drawing is not: it places the cursor and
//! repaints as if every line ran left to right, and after each keystroke repaints only from
//! the new letter's place rightwards, so a right-to-left word typed letter by letter leaves
//! its old glyphs behind (`سلام` shows as `سسس`). [`shaped`] turns that drawing off and draws
//! the whole line again at every change: each run of [`bidi_line::layout`] in one call, which
//! pango shapes (the letters join) like the chat area; a line whose first letter is Arabic or
//! Persian stands at the box's right end; the cursor and the selection go where the letters are,
//! and a click in such a line puts the cursor at the letter under the mouse.

use fltk::{app, draw, enums::Event, input::Input, prelude::*};

use crate::bidi_line;

/// The gap between the box's frame and the text, as FLTK's own input leaves.
const INSIDE: i32 = 3;

/// Makes `input` draw its line shaped and in its own direction, and put the cursor where a
/// click lands in it.
pub fn shaped(input: &mut Input) {
    // fltk-rs's switch that turns FLTK's own drawing off (kept in its source, hidden from its
    // documentation): only `draw_line` draws the box.
    input.super_draw(false);
    input.draw(draw_line);
    input.handle(click);
}

/// Where the box's line goes on the screen, worked out the same way for drawing and for clicks.
struct Placement {
    /// The text area inside the frame.
    left: i32,
    top: i32,
    width: i32,
    height: i32,
    text: String,
    line: bidi_line::Line,
    /// The cursor's byte position in `text`.
    cursor: usize,
    /// Where the line's left end is, from `left`.
    start: f64,
}

impl Placement {
    /// Also sets the drawing font to the box's, which every measure needs.
    fn of(input: &Input) -> Placement {
        let frame = input.frame();
        let left = input.x() + frame.dx() + INSIDE;
        let width = input.w() - frame.dw() - 2 * INSIDE;
        draw::set_font(input.text_font(), input.text_size());
        let text = input.value();
        let line = bidi_line::layout(&text);
        let cursor = clamp_to_char(&text, input.position());
        let cursor_x = line.cursor_x(&text, cursor, measure);
        let start = line_start(
            line.rtl,
            line.width(&text, measure),
            cursor_x,
            f64::from(width),
        );
        Placement {
            left,
            top: input.y() + frame.dy(),
            width,
            height: input.h() - frame.dh(),
            text,
            line,
            cursor,
            start,
        }
    }

    /// The screen's x for a distance from the line's left end.
    fn x(&self, offset: f64) -> i32 {
        self.left + (self.start + offset).round() as i32
    }
}

/// The width of `piece` in the current drawing font.
fn measure(piece: &str) -> f64 {
    draw::width(piece)
}

/// Draws `input` whole: its box, its line, its selection and its cursor.
fn draw_line(input: &mut Input) {
    let background = if input.active() {
        input.color()
    } else {
        input.color().inactive()
    };
    draw::draw_box(
        input.frame(),
        input.x(),
        input.y(),
        input.w(),
        input.h(),
        background,
    );
    let place = Placement::of(input);
    let (text, line) = (&place.text, &place.line);
    draw::push_clip(place.left, place.top, place.width, place.height);

    let focused = input.has_focus();
    let (from, to) = ordered(clamp_to_char(text, input.mark()), place.cursor);
    if focused && from < to {
        draw::set_draw_color(input.selection_color());
        for (span_left, span_right) in line.spans(text, from, to, measure) {
            let left = place.x(span_left);
            draw::draw_rectf(left, place.top, place.x(span_right) - left, place.height);
        }
    }

    let baseline =
        place.top + (place.height - draw::height()) / 2 + draw::height() - draw::descent();
    let ink = if input.active() {
        input.text_color()
    } else {
        input.text_color().inactive()
    };
    draw::set_draw_color(ink);
    let lefts = line.run_lefts(text, measure);
    for (run, run_left) in line.runs.iter().zip(lefts) {
        draw::draw_text(&text[run.text.clone()], place.x(run_left), baseline);
    }

    if focused && from == to {
        draw::set_draw_color(input.cursor_color());
        let at = place.x(line.cursor_x(text, place.cursor, measure));
        draw::draw_line(at, place.top + 2, at, place.top + place.height - 3);
    }
    draw::pop_clip();
}

/// A click or a drag in a line that has right-to-left text: the cursor goes to the letter
/// under the mouse (FLTK's own handling would measure as if the line ran left to right). A
/// drag keeps the selection's other end. Anything else is FLTK's.
fn click(input: &mut Input, event: Event) -> bool {
    if !matches!(event, Event::Push | Event::Drag) || !input.active() {
        return false;
    }
    let place = Placement::of(input);
    if !place.line.runs.iter().any(|run| run.rtl) {
        return false;
    }
    let offset = f64::from(app::event_x() - place.left) - place.start;
    let at = place.line.position_at(&place.text, offset, measure) as i32;
    let mark = if event == Event::Push {
        at
    } else {
        input.mark()
    };
    input.set_position(at).ok();
    input.set_mark(mark).ok();
    if event == Event::Push {
        input.take_focus().ok();
    }
    input.redraw();
    true
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
