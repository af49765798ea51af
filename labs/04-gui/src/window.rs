//! The chat window: the documents' `gui_loop`, `write` and `stop`, in fltk.
//!
//! [`ChatWindow::build`] is document 000's `gui_loop`, and looks like it: the window
//! `CHATT APPLICATION` in `#8AFAC5` green, the `CHat App` heading on light grey, the read-only
//! chat area that scrolls to the newest line (tkinter's `ScrolledText` with `state='disabled'`),
//! the `Message` label, the message box and the `send` button, one under the other
//! (`layout.rs` places them). The message box draws Arabic and Persian shaped and right to left
//! while they are typed (`shaped_input.rs`). The documents' callbacks touch the socket
//! directly; here every widget callback only posts a [`Message`] on fltk's app channel, and
//! the one loop in `client::run` decides what to do, on the GUI thread, in the order things happened.
//!
//! - Send button, or Enter in the message box: [`Message::Send`], the documents' `write`.
//! - The window's close button (and Escape, FLTK's usual way to close a window):
//!   [`Message::Close`], the documents' `stop` (bound with `protocol('WM_DELETE_WINDOW', ...)`).

use fltk::{
    app,
    button::Button,
    enums::{Align, CallbackTrigger, Color, Font, FrameType},
    frame::Frame,
    input::Input,
    prelude::*,
    text::{TextBuffer, TextDisplay, WrapMode},
    window::DoubleWindow,
};

use crate::connection::Incoming;
use crate::layout::{self, ChatLayout, Rect};
use crate::shaped_input;
use crate::words;

/// Everything the GUI thread reacts to, from the widgets and from the network threads.
#[derive(Debug, Clone)]
pub enum Message {
    /// The user asked to send the message box's text.
    Send,
    /// The user closed the window.
    Close,
    /// Something arrived from the network threads.
    Network(Incoming),
}

/// The window and the widgets the program changes after building it.
pub struct ChatWindow {
    window: DoubleWindow,
    chat: TextDisplay,
    lines: TextBuffer,
    message: Input,
    send: Button,
}

impl ChatWindow {
    /// Builds and shows the window; its callbacks post on `events`.
    pub fn build(title: &str, events: app::Sender<Message>) -> ChatWindow {
        let place = ChatLayout::new(layout::WINDOW_WIDTH, layout::WINDOW_HEIGHT);
        // Double-buffered: the message box is drawn whole at every keystroke, without flicker.
        let mut window = DoubleWindow::default()
            .with_size(layout::WINDOW_WIDTH, layout::WINDOW_HEIGHT)
            .with_label(title);
        window.set_color(rgb(layout::BACKGROUND));

        let mut heading = placed(Frame::default(), place.heading).with_label(words::HEADING);
        heading.set_frame(FrameType::FlatBox);
        heading.set_color(rgb(layout::HEADING_BACKGROUND));
        heading.set_label_font(Font::HelveticaBold);
        heading.set_label_size(layout::TITLE_SIZE);

        let lines = TextBuffer::default();
        let mut chat = placed(TextDisplay::default(), place.chat);
        chat.set_buffer(lines.clone());
        // Long lines fold at the edge, like tkinter's text area, instead of scrolling sideways.
        chat.wrap_mode(WrapMode::AtBounds, 0);
        chat.set_text_font(Font::Helvetica);
        chat.set_text_size(layout::TEXT_SIZE);

        let mut label = placed(Frame::default(), place.label).with_label(words::MESSAGE_LABEL);
        label.set_label_font(Font::HelveticaBold);
        label.set_label_size(layout::TITLE_SIZE);
        label.set_align(Align::Center | Align::Inside);

        let mut message = placed(Input::default(), place.message);
        message.set_text_font(Font::Helvetica);
        message.set_text_size(layout::TEXT_SIZE);
        shaped_input::shaped(&mut message);
        // Enter sends, as the documents bind `<Return>` to their send function.
        message.set_trigger(CallbackTrigger::EnterKeyAlways);
        message.emit(events, Message::Send);

        let mut send = placed(Button::default(), place.send).with_label(words::SEND);
        send.set_label_font(Font::HelveticaBold);
        send.set_label_size(layout::BUTTON_SIZE);
        send.emit(events, Message::Send);

        window.end();
        // A bigger window gives the chat area the room; the rest keep their size.
        window.resizable(&chat);
        window.emit(events, Message::Close);
        window.show();

        let mut chat_window = ChatWindow {
            window,
            chat,
            lines,
            message,
            send,
        };
        // Nothing can be sent before the server has accepted a name.
        chat_window.set_can_send(false);
        chat_window
    }

    /// Adds a line at the bottom of the chat area and scrolls to it (the documents'
    /// `text_area.insert('end', message)` and `yview('end')`).
    pub fn show_line(&mut self, line: &str) {
        self.lines.append(line);
        self.lines.append("\n");
        let all_lines = self.chat.count_lines(0, self.lines.length(), true);
        self.chat.scroll(all_lines, 0);
    }

    /// The message box's text, which is then cleared (the documents' `input_area.get` then
    /// `input_area.delete`).
    pub fn take_message(&mut self) -> String {
        let text = self.message.value();
        self.message.set_value("");
        text
    }

    /// Turns the message box and the Send button on (in the room) or off (not yet, or no more).
    pub fn set_can_send(&mut self, can: bool) {
        if can {
            self.message.activate();
            self.send.activate();
            // So that the user, or the test's xdotool, can type straight away.
            self.message.take_focus().ok();
        } else {
            self.message.deactivate();
            self.send.deactivate();
        }
    }

    /// Where the window is on the screen.
    pub fn area(&self) -> Rect {
        Rect {
            x: self.window.x(),
            y: self.window.y(),
            w: self.window.w(),
            h: self.window.h(),
        }
    }

    pub fn set_title(&mut self, title: &str) {
        self.window.set_label(title);
    }

    /// Takes the window off the screen: the documents' `win.destroy()`.
    pub fn close(&mut self) {
        self.window.hide();
    }
}

/// Puts `widget` on the rectangle `at` of the layout.
pub fn placed<W: WidgetExt>(mut widget: W, at: Rect) -> W {
    widget.resize(at.x, at.y, at.w, at.h);
    widget
}

/// An fltk colour from the layout's `(red, green, blue)`.
pub fn rgb((red, green, blue): (u8, u8, u8)) -> Color {
    Color::from_rgb(red, green, blue)
}
