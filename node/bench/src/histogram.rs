//! A log-bucketed histogram of `u64` samples (we record microseconds).
//!
//! Values below 32 have a bucket each; above, every power of two is split
//! into 32 equal buckets, so a reported percentile is at most ~3% above the
//! true sample (it is the upper bound of its bucket, clamped to the maximum).
//! Fixed size (1,920 counters), no allocation per sample.

/// Sub-buckets per power of two, as a number of bits.
const SUB_BITS: u32 = 5;
const SUB: u64 = 1 << SUB_BITS;
/// Buckets for the whole `u64` range.
const BUCKETS: usize = (SUB + (64 - SUB_BITS as u64) * SUB) as usize;

/// See the module docs.
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    min: u64,
    max: u64,
    sum: u128,
}

impl Default for Histogram {
    fn default() -> Self {
        Self { counts: vec![0; BUCKETS], total: 0, min: u64::MAX, max: 0, sum: 0 }
    }
}

fn index(value: u64) -> usize {
    if value < SUB {
        return value as usize;
    }
    let exp = 63 - value.leading_zeros(); // >= SUB_BITS
    let shift = exp - SUB_BITS;
    let mantissa = (value >> shift) & (SUB - 1);
    (SUB + u64::from(shift) * SUB + mantissa) as usize
}

/// The largest value that falls in bucket `i`.
fn upper_bound(i: usize) -> u64 {
    let i = i as u64;
    if i < SUB {
        return i;
    }
    let shift = (i - SUB) / SUB;
    let mantissa = (i - SUB) % SUB;
    let low = (SUB + mantissa) << shift;
    low.saturating_add((1u64 << shift) - 1)
}

impl Histogram {
    /// Record one sample.
    pub fn record(&mut self, value: u64) {
        self.counts[index(value)] += 1;
        self.total += 1;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.sum += u128::from(value);
    }

    /// Number of samples.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// Largest sample (exact).
    pub fn max(&self) -> Option<u64> {
        (self.total > 0).then_some(self.max)
    }

    /// Smallest sample (exact).
    pub fn min(&self) -> Option<u64> {
        (self.total > 0).then_some(self.min)
    }

    /// Mean of the samples (exact).
    pub fn mean(&self) -> Option<f64> {
        (self.total > 0).then(|| self.sum as f64 / self.total as f64)
    }

    /// The `q`-quantile (`0.0..=1.0`): the smallest bucket bound below which
    /// at least `q` of the samples lie, clamped to `[min, max]`.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Some(upper_bound(i).clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_value_in_order() {
        let mut previous = 0;
        for value in (0..100_000u64).chain([u64::MAX / 3, u64::MAX - 1, u64::MAX]) {
            let i = index(value);
            assert!(i < BUCKETS);
            assert!(i >= previous, "index decreases at {value}");
            assert!(upper_bound(i) >= value, "{value} above its bucket bound");
            if i > 0 {
                assert!(upper_bound(i - 1) < value, "{value} also fits the bucket before");
            }
            previous = i;
        }
    }

    #[test]
    fn empty_has_no_quantiles() {
        let h = Histogram::default();
        assert_eq!(h.quantile(0.5), None);
        assert_eq!(h.max(), None);
        assert_eq!(h.mean(), None);
    }

    #[test]
    fn small_values_are_exact() {
        let mut h = Histogram::default();
        for v in 1..=20 {
            h.record(v);
        }
        assert_eq!(h.quantile(0.5), Some(10));
        assert_eq!(h.quantile(0.9), Some(18));
        assert_eq!(h.quantile(1.0), Some(20));
        assert_eq!(h.quantile(0.0), Some(1));
    }

    #[test]
    fn percentiles_of_a_uniform_distribution_are_within_bucket_error() {
        let mut h = Histogram::default();
        for v in 1..=100_000u64 {
            h.record(v);
        }
        for (q, exact) in [(0.5, 50_000.0), (0.9, 90_000.0), (0.99, 99_000.0)] {
            let got = h.quantile(q).expect("samples") as f64;
            assert!(got >= exact && got <= exact * 1.04, "q{q}: {got} vs {exact}");
        }
        assert_eq!(h.max(), Some(100_000));
        assert_eq!(h.min(), Some(1));
        assert_eq!(h.count(), 100_000);
        assert_eq!(h.mean(), Some(50_000.5));
    }

    #[test]
    fn a_single_outlier_is_the_max_and_not_the_p99() {
        let mut h = Histogram::default();
        for _ in 0..999 {
            h.record(1_000);
        }
        h.record(5_000_000);
        let p99 = h.quantile(0.99).expect("samples");
        assert!((1_000..=1_040).contains(&p99), "{p99}");
        assert_eq!(h.quantile(1.0), Some(5_000_000));
        assert_eq!(h.max(), Some(5_000_000));
    }
}
