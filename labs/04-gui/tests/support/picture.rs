//! Reading a photograph of the window: is the text typed in a box drawn like the same text in
//! the chat area?
//!
//! ImageMagick's `convert` turns the PNG into PPM (a short header, then three bytes a pixel),
//! which is read here; no image crate is needed. A pixel is compared by its lightness only: the
//! text is dark on white in every box, and FLTK draws it the same way everywhere, so the same
//! letters shaped the same way give the same pixels, wherever they stand.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use harness::Conversation;

use super::layout::Rect;

/// Darker than this is ink (text); lighter is the white of a box.
const INK: u8 = 160;
/// Two pixels differ when their lightness does by more than this (anti-aliasing may move a
/// little between two places of the same text; a different letter moves far more).
const DIFFERENT: u8 = 96;
/// The share of a text's pixels that may differ for it still to be the same text.
const SAME_TEXT: f64 = 0.03;

/// A photograph, as lightness values (0 black, 255 white), row after row.
pub struct Picture {
    width: i32,
    height: i32,
    light: Vec<u8>,
    rgb: Vec<u8>,
}

impl Picture {
    /// Reads the PNG file `path`.
    pub fn load(path: &Path) -> Picture {
        let output = Command::new("convert")
            .arg(path)
            .arg("ppm:-")
            .output()
            .unwrap_or_else(|e| panic!("cannot run ImageMagick's convert: {e}"));
        assert!(
            output.status.success(),
            "convert could not read {}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        Picture::from_ppm(&output.stdout)
    }

    /// A binary PPM (`P6 width height 255`, one whitespace, then the pixels).
    fn from_ppm(bytes: &[u8]) -> Picture {
        let mut fields = Vec::new();
        let mut at = 0;
        while fields.len() < 4 {
            while bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            let start = at;
            while !bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
        }
        assert_eq!(fields[0], "P6", "not a binary PPM");
        assert_eq!(fields[3], "255", "not 8 bits a colour");
        let width: i32 = fields[1].parse().expect("the PPM's width");
        let height: i32 = fields[2].parse().expect("the PPM's height");
        let pixels = &bytes[at + 1..];
        let light = pixels
            .chunks_exact(3)
            .map(|rgb| {
                ((u32::from(rgb[0]) * 299 + u32::from(rgb[1]) * 587 + u32::from(rgb[2]) * 114)
                    / 1000) as u8
            })
            .collect::<Vec<u8>>();
        assert_eq!(light.len(), (width * height) as usize, "a PPM cut short");
        Picture {
            width,
            height,
            light,
            rgb: pixels.to_vec(),
        }
    }

    /// The colour of the pixel at `x`, `y`, as `(red, green, blue)`.
    pub fn colour(&self, x: i32, y: i32) -> (u8, u8, u8) {
        let at = 3 * (y * self.width + x) as usize;
        (self.rgb[at], self.rgb[at + 1], self.rgb[at + 2])
    }

    fn at(&self, x: i32, y: i32) -> u8 {
        self.light[(y * self.width + x) as usize]
    }

    /// The part of `within` that holds ink: the text's own box, trimmed of white.
    pub fn ink(&self, within: Rect) -> Option<Rect> {
        let (mut left, mut top, mut right, mut bottom) = (i32::MAX, i32::MAX, -1, -1);
        for y in within.y..(within.y + within.h).min(self.height) {
            for x in within.x..(within.x + within.w).min(self.width) {
                if self.at(x, y) < INK {
                    left = left.min(x);
                    right = right.max(x);
                    top = top.min(y);
                    bottom = bottom.max(y);
                }
            }
        }
        (right >= 0).then(|| Rect {
            x: left,
            y: top,
            w: right - left + 1,
            h: bottom - top + 1,
        })
    }

    /// Looks in `area` of `self` for the pixels of `text` (a rectangle of `source`): where the
    /// two agree best, and on how many pixels they differ there, counting no further than
    /// `limit` (a place that differs on more is no match, whatever the number).
    pub fn best_match(
        &self,
        area: Rect,
        source: &Picture,
        text: Rect,
        limit: usize,
    ) -> (i32, i32, usize) {
        // The text's own ink first: at a wrong place, that is where the differences are.
        let mut pixels: Vec<(i32, i32)> = (0..text.h)
            .flat_map(|dy| (0..text.w).map(move |dx| (dx, dy)))
            .collect();
        pixels.sort_by_key(|&(dx, dy)| source.at(text.x + dx, text.y + dy) >= INK);
        let mut best = (area.x, area.y, limit);
        for y in area.y..=(area.y + area.h - text.h) {
            for x in area.x..=(area.x + area.w - text.w) {
                let mut differ = 0;
                for &(dx, dy) in &pixels {
                    let here = self.at(x + dx, y + dy);
                    let there = source.at(text.x + dx, text.y + dy);
                    if here.abs_diff(there) > DIFFERENT {
                        differ += 1;
                        if differ >= best.2 {
                            break;
                        }
                    }
                }
                if differ < best.2 {
                    best = (x, y, differ);
                }
            }
        }
        best
    }
}

/// Where a test finds text in a photograph: `area` of the picture that `shoot` takes.
pub struct Place<'a> {
    pub shoot: &'a dyn Fn() -> PathBuf,
    pub area: Rect,
}

/// Waits until the ink in the box `typed` (a box being typed into) is drawn somewhere in the
/// chat area `chat`, pixel for pixel: the typed text is shaped, and in the order and
/// direction it reads, as in the chat area. `what` names it. The photographs are taken again
/// until they agree or the harness's timeout passes: the window draws what xdotool typed when
/// its events arrive, not when xdotool returns.
pub fn wait_until_drawn_alike(talk: &Conversation, what: &str, typed: Place, chat: Place) {
    talk.step(format!("wait until {what} looks as in the chat area"));
    let deadline = Instant::now() + harness::timeout();
    loop {
        let typed_path = (typed.shoot)();
        let chat_path = (chat.shoot)();
        let typed_picture = Picture::load(&typed_path);
        let chat_picture = Picture::load(&chat_path);
        let verdict = match typed_picture.ink(typed.area) {
            None => format!("nothing is drawn in the box ({})", typed_path.display()),
            Some(text) => {
                let allowed = (f64::from(text.w * text.h) * SAME_TEXT) as usize;
                let (x, y, differ) =
                    chat_picture.best_match(chat.area, &typed_picture, text, allowed + 1);
                if differ <= allowed {
                    talk.step(format!(
                        "{what} is drawn as in the chat area, at {x},{y} \
                         ({differ} of its {} pixels differ)",
                        text.w * text.h
                    ));
                    return;
                }
                format!(
                    "the {}x{} pixels of the text in the box ({} at {},{}) are nowhere in the \
                     chat area ({}): everywhere more than {allowed} of them differ",
                    text.w,
                    text.h,
                    typed_path.display(),
                    text.x,
                    text.y,
                    chat_path.display()
                )
            }
        };
        if Instant::now() > deadline {
            talk.fail(&format!("{what}: {verdict}"));
        }
    }
}

/// Takes photographs with `shoot` until two in a row show the same ink in `area` (a box being
/// typed into: the window has drawn all that xdotool typed), or the harness's timeout passes.
pub fn wait_until_ink_settles(talk: &Conversation, shoot: &dyn Fn() -> PathBuf, area: Rect) {
    talk.step("wait until the box shows all that was typed");
    let deadline = Instant::now() + harness::timeout();
    let mut last = None;
    loop {
        let ink = Picture::load(&shoot()).ink(area);
        if ink.is_some() && ink == last {
            return;
        }
        if Instant::now() > deadline {
            talk.fail(&format!(
                "the box's text never stopped changing: last {ink:?}"
            ));
        }
        last = ink;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 4x3 PPM: white, with a dark 2x1 bar at (1, 1) and (2, 1).
    fn bar() -> Picture {
        let mut ppm = b"P6\n4 3\n255\n".to_vec();
        for y in 0..3 {
            for x in 0..4 {
                let dark = y == 1 && (x == 1 || x == 2);
                ppm.extend_from_slice(if dark { &[0, 0, 0] } else { &[255, 255, 255] });
            }
        }
        Picture::from_ppm(&ppm)
    }

    #[test]
    fn the_ink_is_found_and_matched_where_it_is() {
        let picture = bar();
        let whole = Rect {
            x: 0,
            y: 0,
            w: 4,
            h: 3,
        };
        let ink = picture.ink(whole).expect("the bar is ink");
        assert_eq!(
            ink,
            Rect {
                x: 1,
                y: 1,
                w: 2,
                h: 1
            }
        );
        assert_eq!(picture.best_match(whole, &picture, ink, 9), (1, 1, 0));
        // Looked for one pixel lower, the bar is not there: both its pixels differ.
        let below = Rect {
            y: 2,
            h: 1,
            ..whole
        };
        assert_eq!(picture.best_match(below, &picture, ink, 9).2, 2);
    }
}
