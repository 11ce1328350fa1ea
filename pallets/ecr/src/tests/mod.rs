//! ECR pallet tests, by topic. Every test checks the invariants at the end.

mod bridge;
mod genesis;
mod market;
mod mint;
mod properties;
mod revoke;
mod transfer;
mod weights;
