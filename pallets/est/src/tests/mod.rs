//! EST pallet tests, by topic. Every test checks the invariants at the end.

mod genesis;
mod properties;
mod rewards;
mod staking;
mod tiers;
