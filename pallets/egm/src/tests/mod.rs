//! EGM pallet tests, by topic. Every test checks the invariants at the end.

mod features;
mod gems;
mod properties;
mod vip;
