//! Weights of the ECS pallet.
//!
//! Not produced by the benchmarking CLI (there is no wasm runtime to benchmark
//! here). Each weight is the storage accesses a call makes, counted from the
//! code (worst case), priced at `T::DbWeight` (set by the runtime from this
//! node's measured trie read and write: `DB_READ_NS` and `DB_WRITE_NS` in
//! `runtime/src/lib.rs`), plus a compute allowance of 20 µs per call for
//! hashing, encoding, the ladder scan and the events, which over-estimates
//! native execution.
//!
//! Proof sizes assume the runtime's bounds (at most 16 levels of 16 benefits,
//! 64-byte names, 32 achievements per account): a score record encodes to at
//! most ~2,200 bytes and the ladder to at most ~17,000 bytes.

use core::marker::PhantomData;
use frame_support::{
    traits::Get,
    weights::{constants::WEIGHT_REF_TIME_PER_MICROS, Weight},
};

/// Weight functions of the ECS pallet.
pub trait WeightInfo {
    /// `award`: role, max score, ladder, record read; record write.
    fn award() -> Weight;
    /// `set_score`: as `award`.
    fn set_score() -> Weight;
    /// `grant_achievement`: role, record read; record write.
    fn grant_achievement() -> Weight;
    /// `set_level`: ladder, max score read; ladder write.
    fn set_level() -> Weight;
}

/// Weights priced with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);

fn compute() -> Weight {
    Weight::from_parts(20 * WEIGHT_REF_TIME_PER_MICROS, 0)
}

/// The compute allowance plus the statistics counters every successful call
/// updates (the transaction count; the holder count when a balance starts or
/// ends): 2 reads, 2 writes.
fn base<T: frame_system::Config>() -> Weight {
    compute().saturating_add(T::DbWeight::get().reads_writes(2, 2)).saturating_add(Weight::from_parts(0, 160))
}

/// Proof bytes of one score record (key and value).
const RECORD_PROOF: u64 = 2_300;
/// Proof bytes of the ladder.
const LADDER_PROOF: u64 = 17_000;
/// Proof bytes of a role lookup and the max score.
const SMALL_PROOF: u64 = 200;

impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
    fn award() -> Weight {
        base::<T>()
            .saturating_add(T::DbWeight::get().reads_writes(4, 1))
            .saturating_add(Weight::from_parts(0, RECORD_PROOF + LADDER_PROOF + 2 * SMALL_PROOF))
    }
    fn set_score() -> Weight {
        Self::award()
    }
    fn grant_achievement() -> Weight {
        base::<T>()
            .saturating_add(T::DbWeight::get().reads_writes(2, 1))
            .saturating_add(Weight::from_parts(0, RECORD_PROOF + SMALL_PROOF))
    }
    fn set_level() -> Weight {
        base::<T>()
            .saturating_add(T::DbWeight::get().reads_writes(2, 1))
            .saturating_add(Weight::from_parts(0, LADDER_PROOF + SMALL_PROOF))
    }
}
