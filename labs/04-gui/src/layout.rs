//! Where every widget of the two windows goes, and the look they share: plain numbers, no fltk.
//!
//! Document 000's `gui_loop` packs its widgets one under the other, each 20 pixels from the
//! window's sides and 5 from its neighbours (`pack(padx=20, pady=5)`): the `CHat App` heading,
//! the chat area, the `Message` label, the message box and the `send` button. This module works
//! out the same column as rectangles. It is kept apart from the widgets so that the window tests
//! know where to look in a photograph of the window (they include this file): the message box's
//! text must look exactly like the same text in the chat area.

/// A rectangle of the window, in pixels from its top left corner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

/// Document 000's window colour, `#8AFAC5`.
pub const BACKGROUND: (u8, u8, u8) = (0x8A, 0xFA, 0xC5);
/// Its heading's background, tkinter's `lightgray`.
pub const HEADING_BACKGROUND: (u8, u8, u8) = (0xD3, 0xD3, 0xD3);

/// The size of every text a user reads or types: the chat area, the message box and the name
/// dialog's box use the same one, so that a line typed looks as it will in the chat area.
pub const TEXT_SIZE: i32 = 16;
/// The heading and the `Message` label (document 000: `Algerian 20 bold`, `Vivaldi 20 bold`,
/// fonts few machines have; bold sans at the same size reads well everywhere).
pub const TITLE_SIZE: i32 = 20;
/// The `send` button (document 000: `Vivaldi 15 bold`).
pub const BUTTON_SIZE: i32 = 15;

/// The chat window's size when it opens (it may be resized; the chat area takes the change).
pub const WINDOW_WIDTH: i32 = 720;
pub const WINDOW_HEIGHT: i32 = 560;

/// tkinter's `padx=20` and `pady=5`.
const SIDE: i32 = 20;
const GAP: i32 = 5;
const HEADING_HEIGHT: i32 = 36;
const LABEL_HEIGHT: i32 = 28;
const BOX_HEIGHT: i32 = 34;
const BUTTON_WIDTH: i32 = 90;
const BUTTON_HEIGHT: i32 = 32;

/// The chat window's widgets, top to bottom, as document 000 packs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatLayout {
    pub heading: Rect,
    pub chat: Rect,
    pub label: Rect,
    pub message: Rect,
    pub send: Rect,
}

impl ChatLayout {
    /// The column for a window of `width` x `height`: every widget has its fixed height but the
    /// chat area, which takes what is left.
    pub fn new(width: i32, height: i32) -> ChatLayout {
        let inner = width - 2 * SIDE;
        let fixed = HEADING_HEIGHT + LABEL_HEIGHT + BOX_HEIGHT + BUTTON_HEIGHT + 6 * GAP;
        let chat_height = (height - fixed).max(BOX_HEIGHT);
        // The heading is as wide as its words in tkinter; here a band across the window
        // centred like it, a third of the width.
        let heading = Rect {
            x: width / 3,
            y: GAP,
            w: width / 3,
            h: HEADING_HEIGHT,
        };
        let chat = Rect {
            x: SIDE,
            y: below(heading),
            w: inner,
            h: chat_height,
        };
        let label = Rect {
            x: SIDE,
            y: below(chat),
            w: inner,
            h: LABEL_HEIGHT,
        };
        let message = Rect {
            x: SIDE,
            y: below(label),
            w: inner,
            h: BOX_HEIGHT,
        };
        let send = Rect {
            x: (width - BUTTON_WIDTH) / 2,
            y: below(message),
            w: BUTTON_WIDTH,
            h: BUTTON_HEIGHT,
        };
        ChatLayout {
            heading,
            chat,
            label,
            message,
            send,
        }
    }
}

/// The name dialog's size (tkinter's `askstring`: the question, the box, OK and Cancel).
pub const DIALOG_WIDTH: i32 = 440;
pub const DIALOG_HEIGHT: i32 = 150;

/// The name dialog's widgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DialogLayout {
    pub question: Rect,
    pub name: Rect,
    pub ok: Rect,
    pub cancel: Rect,
}

impl DialogLayout {
    pub fn new() -> DialogLayout {
        let inner = DIALOG_WIDTH - 2 * SIDE;
        let question = Rect {
            x: SIDE,
            y: GAP,
            w: inner,
            h: 2 * LABEL_HEIGHT,
        };
        let name = Rect {
            x: SIDE,
            y: below(question),
            w: inner,
            h: BOX_HEIGHT,
        };
        let buttons_y = below(name) + GAP;
        let ok = Rect {
            x: DIALOG_WIDTH / 2 - GAP - BUTTON_WIDTH,
            y: buttons_y,
            w: BUTTON_WIDTH,
            h: BUTTON_HEIGHT,
        };
        let cancel = Rect {
            x: DIALOG_WIDTH / 2 + GAP,
            ..ok
        };
        DialogLayout {
            question,
            name,
            ok,
            cancel,
        }
    }
}

/// Where the next widget of the column starts: `pady=5` under `above`.
fn below(above: Rect) -> i32 {
    above.y + above.h + GAP
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bottom(rect: Rect) -> i32 {
        rect.y + rect.h
    }

    #[test]
    fn the_column_fills_the_window_without_overlaps() {
        let layout = ChatLayout::new(WINDOW_WIDTH, WINDOW_HEIGHT);
        let column = [
            layout.heading,
            layout.chat,
            layout.label,
            layout.message,
            layout.send,
        ];
        for pair in column.windows(2) {
            assert_eq!(pair[1].y, bottom(pair[0]) + GAP, "{pair:?}");
        }
        assert_eq!(bottom(layout.send), WINDOW_HEIGHT - GAP);
        assert_eq!(layout.chat.x, 20);
        assert_eq!(layout.chat.w, WINDOW_WIDTH - 40);
        assert_eq!(layout.send.x + layout.send.w / 2, WINDOW_WIDTH / 2);
    }

    #[test]
    fn a_bigger_window_gives_the_chat_area_the_room() {
        let small = ChatLayout::new(WINDOW_WIDTH, WINDOW_HEIGHT);
        let tall = ChatLayout::new(WINDOW_WIDTH, WINDOW_HEIGHT + 100);
        assert_eq!(tall.chat.h, small.chat.h + 100);
        assert_eq!(tall.message.h, small.message.h);
    }

    #[test]
    fn the_dialog_fits_its_window() {
        let dialog = DialogLayout::new();
        assert!(bottom(dialog.ok) <= DIALOG_HEIGHT);
        assert!(dialog.ok.x + dialog.ok.w < dialog.cancel.x);
        assert!(dialog.cancel.x + dialog.cancel.w <= DIALOG_WIDTH);
    }
}
