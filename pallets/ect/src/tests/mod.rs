//! ECT pallet tests, by topic. Every test checks the invariants at the end.

mod admin;
mod properties;
mod staking;
mod transfer;
