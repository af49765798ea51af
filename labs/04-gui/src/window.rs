//! The chat window: the documents' `gui_loop`, `write` and `stop`, in fltk.
//!
//! [`ChatWindow::build`] is `gui_loop`'s layout: a title label, the read-only chat area that
//! scrolls to the newest line (tkinter's `ScrolledText` with `state='disabled'`), a "Message"
//! label, the message box and the Send button. The documents' callbacks touch the socket
//! directly; here every widget callback only posts a [`Message`] on fltk's app channel, and
//! the one loop in `client::run` decides what to do, on the GUI thread, in the order things happened.
//!
//! - Send button, or Enter in the message box: [`Message::Send`], the documents' `write`.
//! - The window's close button (and Escape, FLTK's usual way to close a window):
//!   [`Message::Close`], the documents' `stop` (bound with `protocol('WM_DELETE_WINDOW', ...)`).

use fltk::{
    app,
    button::Button,
    enums::{Align, CallbackTrigger, Font},
    frame::Frame,
    group::Flex,
    input::Input,
    prelude::*,
    text::{TextBuffer, TextDisplay, WrapMode},
    window::Window,
};

use crate::connection::Incoming;

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
    window: Window,
    chat: TextDisplay,
    lines: TextBuffer,
    message: Input,
    send: Button,
}

impl ChatWindow {
    /// Builds and shows the window; its callbacks post on `events`.
    pub fn build(title: &str, events: app::Sender<Message>) -> ChatWindow {
        let mut window = Window::default().with_size(640, 480).with_label(title);
        let mut column = Flex::default_fill().column();
        column.set_margin(12);
        column.set_pad(6);

        let heading = Frame::default()
            .with_label("Chat")
            .with_align(Align::Left | Align::Inside);
        column.fixed(&heading, 24);

        let lines = TextBuffer::default();
        let mut chat = TextDisplay::default();
        chat.set_buffer(lines.clone());
        // Long lines fold at the edge, like tkinter's text area, instead of scrolling sideways.
        chat.wrap_mode(WrapMode::AtBounds, 0);
        chat.set_text_font(Font::Helvetica);

        let label = Frame::default()
            .with_label("Message")
            .with_align(Align::Left | Align::Inside);
        column.fixed(&label, 24);

        let mut row = Flex::default().row();
        let mut message = Input::default();
        // Enter sends, as the documents bind `<Return>` to their send function.
        message.set_trigger(CallbackTrigger::EnterKeyAlways);
        message.emit(events, Message::Send);
        let mut send = Button::default().with_label("Send");
        send.emit(events, Message::Send);
        row.fixed(&send, 90);
        row.end();
        column.fixed(&row, 32);

        column.end();
        window.end();
        window.make_resizable(true);
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

    pub fn set_title(&mut self, title: &str) {
        self.window.set_label(title);
    }

    /// Takes the window off the screen: the documents' `win.destroy()`.
    pub fn close(&mut self) {
        self.window.hide();
    }
}
