//! What one member received: for every (sender, number), whether it arrived intact, arrived only
//! mangled, or not at all, and how many copies came twice.
//!
//! Two bits per expected delivery, in two bitmaps indexed by `sender * messages + number`: 10
//! members sending 50 messages each cost every member 125 bytes; a run with a billion expected
//! deliveries costs 250 MB, which is why the bench refuses runs much larger than that.

/// The outcome of a piece for the run's progress: did it settle a delivery for the first time?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum First {
    Yes,
    No,
}

pub struct Tally {
    messages: u64,
    seen: Vec<u64>,
    mangled: Vec<u64>,
    /// Intact copies of a message that had already arrived intact.
    pub duplicated: u64,
    /// Pieces that looked like a message but named nobody.
    pub unreadable: u64,
}

impl Tally {
    pub fn new(senders: u64, messages: u64) -> Tally {
        let words = (senders * messages).div_ceil(64) as usize;
        Tally {
            messages,
            seen: vec![0; words],
            mangled: vec![0; words],
            duplicated: 0,
            unreadable: 0,
        }
    }

    /// Message `number` of `sender` arrived whole.
    pub fn intact(&mut self, sender: u64, number: u64) -> First {
        let (word, bit) = self.place(sender, number);
        if self.seen[word] & bit != 0 {
            self.duplicated += 1;
            return First::No;
        }
        self.seen[word] |= bit;
        if self.mangled[word] & bit != 0 {
            First::No
        } else {
            First::Yes
        }
    }

    /// A mangled piece of message `number` of `sender` arrived.
    pub fn mangled(&mut self, sender: u64, number: u64) -> First {
        let (word, bit) = self.place(sender, number);
        let settled = (self.seen[word] | self.mangled[word]) & bit != 0;
        self.mangled[word] |= bit;
        if settled { First::No } else { First::Yes }
    }

    /// Of the first `sent` messages of `sender`: how many arrived intact, and how many arrived
    /// only mangled (never intact).
    pub fn count(&self, sender: u64, sent: u64) -> (u64, u64) {
        let start = sender * self.messages;
        let (mut intact, mut only_mangled) = (0, 0);
        for index in start..start + sent.min(self.messages) {
            let (word, bit) = ((index / 64) as usize, 1u64 << (index % 64));
            if self.seen[word] & bit != 0 {
                intact += 1;
            } else if self.mangled[word] & bit != 0 {
                only_mangled += 1;
            }
        }
        (intact, only_mangled)
    }

    fn place(&self, sender: u64, number: u64) -> (usize, u64) {
        let index = sender * self.messages + number;
        ((index / 64) as usize, 1u64 << (index % 64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_delivery_settles_once() {
        let mut tally = Tally::new(3, 100);
        assert_eq!(tally.intact(2, 99), First::Yes);
        assert_eq!(tally.intact(2, 99), First::No);
        assert_eq!(tally.duplicated, 1);
        assert_eq!(tally.mangled(0, 5), First::Yes);
        assert_eq!(tally.intact(0, 5), First::No);
        assert_eq!(tally.mangled(1, 7), First::Yes);
        assert_eq!(tally.mangled(1, 7), First::No);
        // (0, 5) arrived intact in the end: it counts as seen, not as mangled.
        assert_eq!(tally.count(0, 100), (1, 0));
        assert_eq!(tally.count(1, 100), (0, 1));
        assert_eq!(tally.count(2, 100), (1, 0));
        // Only what was sent counts.
        assert_eq!(tally.count(2, 99), (0, 0));
    }
}
