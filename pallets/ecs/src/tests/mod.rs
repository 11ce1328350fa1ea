//! ECS pallet tests, by topic. Every test checks the invariants at the end.

mod achievements;
mod levels;
mod properties;
mod score;
