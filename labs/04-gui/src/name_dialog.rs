//! The nickname dialog: document 000's `simpledialog.askstring('Nickname', 'please choose name')`.
//!
//! fltk has a ready-made one (`dialog::input_default`), but its box is FLTK's plain input, which
//! garbles a Persian or Arabic name while it is typed and writes it left to right. This one is
//! the same small window, titled `Nickname`, with the question, a box drawn by
//! `shaped_input.rs` like the message box, and OK and Cancel. Enter is OK; Escape, Cancel or
//! closing the window is Cancel. Like tkinter's, it is modal: the chat window waits behind it.

use std::cell::Cell;
use std::rc::Rc;

use fltk::{
    app,
    button::{Button, ReturnButton},
    enums::{Align, CallbackTrigger, Font},
    frame::Frame,
    input::Input,
    prelude::*,
    window::DoubleWindow,
};

use crate::layout::{self, DialogLayout, Rect};
use crate::shaped_input;
use crate::window::{placed, rgb};
use crate::words;

/// Shows the dialog with `question`, its box holding `previous`, in the middle of `over` (the
/// chat window: the lines at its top, such as why a name was refused, stay in sight); returns
/// what the user typed, or `None` if they cancelled.
pub fn ask_name(question: &str, previous: &str, over: Rect) -> Option<String> {
    let place = DialogLayout::new();
    let mut dialog = DoubleWindow::new(
        over.x + (over.w - layout::DIALOG_WIDTH) / 2,
        over.y + (over.h - layout::DIALOG_HEIGHT) / 2,
        layout::DIALOG_WIDTH,
        layout::DIALOG_HEIGHT,
        words::DIALOG_TITLE,
    );
    dialog.set_color(rgb(layout::BACKGROUND));

    let mut asked = placed(Frame::default(), place.question).with_label(question);
    asked.set_align(Align::Left | Align::Inside | Align::Wrap);
    asked.set_label_size(layout::TEXT_SIZE - 2);

    let mut name = placed(Input::default(), place.name);
    name.set_text_font(Font::Helvetica);
    name.set_text_size(layout::TEXT_SIZE);
    shaped_input::shaped(&mut name);
    name.set_value(previous);

    let mut ok = placed(ReturnButton::default(), place.ok).with_label("OK");
    let mut cancel = placed(Button::default(), place.cancel).with_label("Cancel");
    dialog.end();
    dialog.make_modal(true);

    // Which button ended the dialog: OK (or Enter) sets it; anything else leaves it unset.
    let accepted = Rc::new(Cell::new(false));
    let on_ok = {
        let accepted = Rc::clone(&accepted);
        let mut dialog = dialog.clone();
        move || {
            accepted.set(true);
            dialog.hide();
        }
    };
    let mut on_enter = on_ok.clone();
    name.set_trigger(CallbackTrigger::EnterKeyAlways);
    name.set_callback(move |_| on_enter());
    let mut on_ok = on_ok;
    ok.set_callback(move |_| on_ok());
    let mut hide = dialog.clone();
    cancel.set_callback(move |_| hide.hide());
    // Escape and the close button: FLTK's default closes the window, which is a cancel.

    dialog.show();
    name.take_focus().ok();
    while dialog.shown() {
        app::wait();
    }
    accepted.get().then(|| name.value())
}
