//! ECT pallet tests, by topic. Every test checks the invariants at the end.

mod admin;
mod apy;
mod properties;
mod staking;
mod transfer;

/// Cases per property test: 1,000 unless `PROPTEST_CASES` says otherwise.
pub(crate) fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000)
}
