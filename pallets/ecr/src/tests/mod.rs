//! ECR pallet tests, by topic. Every test checks the invariants at the end.

mod bridge;
mod genesis;
mod market;
mod mint;
mod properties;
mod revoke;
mod transfer;
mod weights;

/// Cases per property test: 1,000 unless `PROPTEST_CASES` says otherwise.
pub(crate) fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000)
}
