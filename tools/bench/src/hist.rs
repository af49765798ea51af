//! A latency histogram with fixed memory and about 3 % precision, cheap enough to record every
//! delivery: values below 32 ns have a bucket each; above, every power of two is cut into 32
//! buckets of equal width (the idea of HdrHistogram, in a few lines).

const SUB_BITS: u32 = 5;
const SUB: u64 = 1 << SUB_BITS;
const BUCKETS: usize = (64 - SUB_BITS as usize + 1) * SUB as usize;

#[derive(Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; BUCKETS],
            total: 0,
            max: 0,
        }
    }
}

impl Histogram {
    pub fn record(&mut self, nanos: u64) {
        self.counts[bucket(nanos)] += 1;
        self.total += 1;
        self.max = self.max.max(nanos);
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    pub fn max(&self) -> Option<u64> {
        (self.total > 0).then_some(self.max)
    }

    /// The value below which `fraction` of the recorded values lie (the bucket's upper edge,
    /// never above the largest value recorded).
    pub fn quantile(&self, fraction: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((fraction * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut below = 0;
        for (index, &count) in self.counts.iter().enumerate() {
            below += count;
            if below >= rank {
                return Some(upper_edge(index).min(self.max));
            }
        }
        Some(self.max)
    }
}

fn bucket(value: u64) -> usize {
    if value < SUB {
        return value as usize;
    }
    let power = 63 - value.leading_zeros(); // at least SUB_BITS
    let sub = (value >> (power - SUB_BITS)) & (SUB - 1);
    ((power - SUB_BITS + 1) as u64 * SUB + sub) as usize
}

fn upper_edge(index: usize) -> u64 {
    let index = index as u64;
    if index < SUB {
        return index;
    }
    let power = index / SUB + u64::from(SUB_BITS) - 1;
    let sub = index % SUB;
    let width = 1u64 << (power - u64::from(SUB_BITS));
    ((SUB + sub) << (power - u64::from(SUB_BITS))).saturating_add(width - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_hold_their_values() {
        for value in [
            0,
            1,
            31,
            32,
            33,
            63,
            64,
            65,
            1000,
            123_456_789,
            u64::MAX / 3,
        ] {
            let index = bucket(value);
            assert!(upper_edge(index) >= value, "{value}");
            assert!(index == 0 || upper_edge(index - 1) < value, "{value}");
        }
        assert!(bucket(u64::MAX) < BUCKETS);
    }

    #[test]
    fn quantiles_are_within_three_percent() {
        let mut histogram = Histogram::default();
        for value in 1..=10_000u64 {
            histogram.record(value * 1000);
        }
        let p50 = histogram.quantile(0.5).unwrap() as f64;
        let p99 = histogram.quantile(0.99).unwrap() as f64;
        assert!((p50 / 5_000_000.0 - 1.0).abs() < 0.035, "{p50}");
        assert!((p99 / 9_900_000.0 - 1.0).abs() < 0.035, "{p99}");
        assert_eq!(histogram.max(), Some(10_000_000));
        assert_eq!(histogram.quantile(1.0), Some(10_000_000));
    }
}
