//! CCR pallet tests, by topic. Every test checks the invariants at the end.

mod credits;
mod genesis;
mod issue;
mod market;
mod properties;
mod queries;
