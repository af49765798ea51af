//! What one member has not been sent yet: the room's lines, shared, not copied.
//!
//! Every line the room says goes to every member. Copied into each member's queue, a line said
//! to 100 members is 100 copies, and at 100 members x 200 messages copying was a fifth of the
//! server's time (`perf record`: `memmove` and the page faults of the buffers it filled). Here
//! the room makes each batch of lines once, as an `Arc<[u8]>`, and every member's queue holds a
//! pointer to it: [`Chunks`] is those pointers in order, and how much of the first one is sent.
//! Whoever sends a queue writes all its chunks with one vectored write (`writev`).

use std::collections::VecDeque;
use std::io::IoSlice;
use std::sync::Arc;

/// How many chunks one write carries at most: the kernel takes at most 1024 (`IOV_MAX`).
const MOST_PER_WRITE: usize = 1024;

/// Lines waiting to be sent, end to end, each chunk shared with the other members' queues.
#[derive(Default)]
pub struct Chunks {
    parts: VecDeque<Arc<[u8]>>,
    /// How many bytes of the first chunk are already sent.
    sent: usize,
    /// How many bytes are left, all chunks together.
    len: usize,
}

impl Chunks {
    /// Adds `part` at the end.
    pub fn push(&mut self, part: Arc<[u8]>) {
        if !part.is_empty() {
            self.len += part.len();
            self.parts.push_back(part);
        }
    }

    /// Adds everything in `later` at the end.
    pub fn append(&mut self, mut later: Chunks) {
        if later.sent > 0 {
            if let Some(first) = later.parts.front_mut() {
                *first = Arc::from(&first[later.sent..]);
            }
        }
        self.len += later.len;
        self.parts.append(&mut later.parts);
    }

    /// How many bytes are left.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// What is left, as slices for one vectored write (the first [`MOST_PER_WRITE`] chunks).
    pub fn slices(&self) -> Vec<IoSlice<'_>> {
        self.parts
            .iter()
            .take(MOST_PER_WRITE)
            .enumerate()
            .map(|(index, part)| match index {
                0 => IoSlice::new(&part[self.sent..]),
                _ => IoSlice::new(part),
            })
            .collect()
    }

    /// Counts the first `bytes` as sent, and returns the last of them (`None` if `bytes` is 0).
    pub fn consume(&mut self, mut bytes: usize) -> Option<u8> {
        let mut last = None;
        while bytes > 0 {
            let Some(first) = self.parts.front() else {
                break;
            };
            let here = (first.len() - self.sent).min(bytes);
            self.sent += here;
            self.len -= here;
            bytes -= here;
            last = Some(first[self.sent - 1]);
            if self.sent == first.len() {
                self.parts.pop_front();
                self.sent = 0;
            }
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(parts: &[&str]) -> Chunks {
        let mut chunks = Chunks::default();
        for part in parts {
            chunks.push(Arc::from(part.as_bytes()));
        }
        chunks
    }

    fn left(chunks: &Chunks) -> String {
        let bytes: Vec<u8> = chunks.slices().iter().flat_map(|s| s.to_vec()).collect();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn what_is_consumed_is_gone_and_the_rest_stays_in_order() {
        let mut queue = chunks(&["a1\n", "", "b22\nc3\n"]);
        assert_eq!(queue.len(), 10);
        assert_eq!(queue.consume(2), Some(b'1'));
        assert_eq!(left(&queue), "\nb22\nc3\n");
        assert_eq!(queue.consume(5), Some(b'\n'));
        assert_eq!(left(&queue), "c3\n");
        assert_eq!(queue.consume(0), None);
        assert_eq!(queue.consume(3), Some(b'\n'));
        assert!(queue.is_empty());
        assert_eq!(left(&queue), "");
    }

    #[test]
    fn appended_chunks_follow_the_rest_even_when_half_sent() {
        let mut front = chunks(&["x\n"]);
        let mut later = chunks(&["half\n", "whole\n"]);
        later.consume(2);
        front.append(later);
        assert_eq!(front.len(), 11);
        assert_eq!(left(&front), "x\nlf\nwhole\n");
    }

    #[test]
    fn one_write_carries_at_most_the_kernels_limit() {
        let mut queue = Chunks::default();
        for _ in 0..MOST_PER_WRITE + 10 {
            queue.push(Arc::from(&b"l\n"[..]));
        }
        assert_eq!(queue.slices().len(), MOST_PER_WRITE);
        assert_eq!(queue.len(), 2 * (MOST_PER_WRITE + 10));
    }
}
