//! Bridge tests: locks, M-of-N releases exactly once, limits, pause,
//! relayer revocation and pending-approval bounds, and a model-based
//! property test of all of it.

mod commitments;
mod inbound;
mod outbound;
mod properties;
mod relayers;

/// Cases per property test: 1,000 unless `PROPTEST_CASES` says otherwise.
pub(crate) fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000)
}
