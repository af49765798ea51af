//! What a process printed or a socket received, collected by a background thread, and the
//! waits on it.
//!
//! The reading thread appends every chunk as it arrives and wakes the waiters; a wait checks the
//! bytes not consumed yet and otherwise sleeps on a condition variable until more arrive or its
//! deadline passes. So a test waits exactly as long as the program takes, and no longer than the
//! time limit.

use std::io::Read;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

#[derive(Default)]
struct State {
    /// Everything received, for matching.
    bytes: Vec<u8>,
    /// How much of `bytes` earlier waits have consumed.
    consumed: usize,
    /// What a terminal would show: the bytes received, and the lines typed echoed among them.
    transcript: Vec<u8>,
    /// The other end closed, or reading failed.
    ended: bool,
}

/// A growing record of one stream.
#[derive(Clone, Default)]
pub(crate) struct Received {
    shared: Arc<(Mutex<State>, Condvar)>,
}

/// Why a wait gave up.
pub(crate) struct Missed {
    /// The bytes received after the last consumed ones, as text.
    pub unconsumed: String,
    /// Whether the stream had ended.
    pub ended: bool,
}

impl Received {
    /// Starts a thread that copies `source` into a new record until it ends.
    pub fn pump(mut source: impl Read + Send + 'static) -> Self {
        let received = Received::default();
        let record = received.clone();
        thread::spawn(move || {
            let mut chunk = [0u8; 64 * 1024];
            loop {
                match source.read(&mut chunk) {
                    // A signal arrived while the read waited: not the end, read again.
                    Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                    Ok(0) | Err(_) => break,
                    Ok(n) => record.append(&chunk[..n]),
                }
            }
            record.lock().ended = true;
            record.shared.1.notify_all();
        });
        received
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn append(&self, bytes: &[u8]) {
        let mut state = self.lock();
        state.bytes.extend_from_slice(bytes);
        state.transcript.extend_from_slice(bytes);
        drop(state);
        self.shared.1.notify_all();
    }

    /// Adds typed text to the transcript only, where a terminal would echo it.
    pub fn echo(&self, typed: &str) {
        self.lock().transcript.extend_from_slice(typed.as_bytes());
    }

    /// Waits until the unconsumed bytes satisfy `found`, which returns how many of them the
    /// match consumes; returns those bytes as text.
    pub fn wait(
        &self,
        limit: Duration,
        found: impl Fn(&[u8]) -> Option<usize>,
    ) -> Result<String, Missed> {
        let deadline = Instant::now() + limit;
        let mut state = self.lock();
        loop {
            let start = state.consumed;
            if let Some(length) = found(&state.bytes[start..]) {
                state.consumed += length;
                return Ok(String::from_utf8_lossy(&state.bytes[start..start + length]).into());
            }
            let now = Instant::now();
            if state.ended || now >= deadline {
                return Err(Missed {
                    unconsumed: String::from_utf8_lossy(&state.bytes[start..]).into(),
                    ended: state.ended,
                });
            }
            state = self
                .shared
                .1
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Waits until the stream ends; fails with what arrived meanwhile.
    pub fn wait_end(&self, limit: Duration) -> Result<String, Missed> {
        let deadline = Instant::now() + limit;
        let mut state = self.lock();
        loop {
            let now = Instant::now();
            if state.ended || now >= deadline {
                let start = state.consumed;
                let rest = String::from_utf8_lossy(&state.bytes[start..]).into_owned();
                if state.ended {
                    state.consumed = state.bytes.len();
                    return Ok(rest);
                }
                return Err(Missed {
                    unconsumed: rest,
                    ended: false,
                });
            }
            state = self
                .shared
                .1
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// The transcript so far, as text.
    pub fn transcript(&self) -> String {
        String::from_utf8_lossy(&self.lock().transcript).into_owned()
    }

    /// Everything received so far, as raw bytes.
    pub fn bytes(&self) -> Vec<u8> {
        self.lock().bytes.clone()
    }
}

/// Where `needle` ends in `haystack`, if it is there.
pub(crate) fn end_of(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|start| start + needle.len())
}

/// Where the first line ends (after its `\n`), if a whole line has arrived.
pub(crate) fn end_of_line(haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == b'\n').map(|i| i + 1)
}

/// A line without its `\n` or `\r\n`.
pub(crate) fn trim_line_end(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// Quotes `text` for a step log, shortening what is too long to read.
pub(crate) fn quote(text: &str) -> String {
    const SHOWN: usize = 300;
    if text.chars().count() <= SHOWN {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(SHOWN).collect();
        format!("{head:?}... ({} bytes in all)", text.len())
    }
}
