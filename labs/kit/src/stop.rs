//! Asking a server to stop: Ctrl-C, SIGTERM or SIGHUP (`kill`, `timeout`, systemd, closing the
//! terminal), or `shutdown` typed at its console. Each arrives on a different thread, and a
//! server wants them as one thing to wait for: [`requested`] turns them into one channel.

use std::io::{self, BufRead};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use crate::error::{Context, Failure, Result};
use crate::log;

/// A channel that receives once the server is asked to stop. A server started without a
/// console (its input at end of file) keeps running until a signal.
pub fn requested() -> Result<Receiver<()>> {
    let (stop, requests) = mpsc::channel();
    let on_signal = stop.clone();
    // With ctrlc's `termination` feature: SIGINT, SIGTERM and SIGHUP alike (on Windows, Ctrl-C
    // and closing the console window).
    ctrlc::set_handler(move || {
        let _ = on_signal.send(());
    })
    .map_err(|error| Failure::new(format!("cannot catch Ctrl-C: {error}")))?;
    let thread = thread::Builder::new().name("console".to_string());
    thread
        .spawn(move || console(&stop))
        .context("cannot start the console thread")?;
    Ok(requests)
}

/// The server's own console: `shutdown` stops the server; anything else gets a hint.
fn console(stop: &Sender<()>) {
    for line in io::stdin().lock().lines() {
        let Ok(line) = line else { return };
        if line.trim() == "shutdown" {
            let _ = stop.send(());
            return;
        }
        log::line("type shutdown to stop the server".to_string());
    }
}
