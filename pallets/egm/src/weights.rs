//! Weights of the EGM pallet.
//!
//! Not produced by the benchmarking CLI (there is no wasm runtime to benchmark
//! here). Each weight is the storage accesses a call makes, counted from the
//! code (worst case, including the role lookup of the permissions pallet),
//! priced at `T::DbWeight` (set by the runtime from this node's measured trie
//! read and write: `DB_READ_NS` and `DB_WRITE_NS` in `runtime/src/lib.rs`),
//! plus a compute allowance of 20 µs per call for hashing, encoding and events,
//! which is an over-estimate of measured native execution (~2-5 µs). Proof
//! sizes are generous bounds on the encoded items read (an owner index of up to
//! a few hundred gem ids dominates).

use core::marker::PhantomData;
use frame_support::{
    traits::Get,
    weights::{constants::WEIGHT_REF_TIME_PER_MICROS, Weight},
};

/// Weight functions of the EGM pallet.
pub trait WeightInfo {
    /// `mint`: role, last id, owner index, held value, count, total, thresholds;
    /// writes gem, index, held value, last id, count, total.
    fn mint() -> Weight;
    /// `transfer`: gem, two indexes, two held values, thresholds; writes the same five.
    fn transfer() -> Weight;
    /// `burn`: gem, index, held value, count, total, thresholds; writes five.
    fn burn() -> Weight;
    /// `set_vip_thresholds`: one write.
    fn set_vip_thresholds() -> Weight;
    /// `set_vip_benefits`: one write.
    fn set_vip_benefits() -> Weight;
    /// `register_feature`: feature, counter, registrations; three writes.
    fn register_feature() -> Weight;
    /// `remove_feature`: feature, counter; two writes.
    fn remove_feature() -> Weight;
    /// `access_feature` burning `n` gems: feature, held value, thresholds, grant,
    /// then per gem the gem, index, count and total.
    fn access_feature(n: u32) -> Weight;
    /// `prune_grant`: grant, feature; one write.
    fn prune_grant() -> Weight;
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

/// Proof size of one owner index read (up to ~512 gem ids).
const INDEX_PROOF: u64 = 4_200;
/// Proof size of one gem read (metadata included).
const GEM_PROOF: u64 = 400;

impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
    fn mint() -> Weight {
        base::<T>()
            .saturating_add(T::DbWeight::get().reads_writes(7, 6))
            .saturating_add(Weight::from_parts(0, INDEX_PROOF + 400))
    }
    fn transfer() -> Weight {
        base::<T>()
            .saturating_add(T::DbWeight::get().reads_writes(6, 5))
            .saturating_add(Weight::from_parts(0, 2 * INDEX_PROOF + GEM_PROOF + 300))
    }
    fn burn() -> Weight {
        base::<T>()
            .saturating_add(T::DbWeight::get().reads_writes(6, 5))
            .saturating_add(Weight::from_parts(0, INDEX_PROOF + GEM_PROOF + 300))
    }
    fn set_vip_thresholds() -> Weight {
        base::<T>().saturating_add(T::DbWeight::get().reads_writes(0, 1))
    }
    fn set_vip_benefits() -> Weight {
        base::<T>().saturating_add(T::DbWeight::get().reads_writes(0, 1))
    }
    fn register_feature() -> Weight {
        base::<T>().saturating_add(T::DbWeight::get().reads_writes(3, 3)).saturating_add(Weight::from_parts(0, 300))
    }
    fn remove_feature() -> Weight {
        base::<T>().saturating_add(T::DbWeight::get().reads_writes(2, 2)).saturating_add(Weight::from_parts(0, 300))
    }
    fn access_feature(n: u32) -> Weight {
        let n = u64::from(n);
        base::<T>()
            .saturating_add(T::DbWeight::get().reads_writes(5, 2))
            .saturating_add(Weight::from_parts(0, INDEX_PROOF + 500))
            .saturating_add(T::DbWeight::get().reads_writes(4, 4).saturating_mul(n))
            .saturating_add(Weight::from_parts(0, GEM_PROOF).saturating_mul(n))
    }
    fn prune_grant() -> Weight {
        base::<T>().saturating_add(T::DbWeight::get().reads_writes(2, 1)).saturating_add(Weight::from_parts(0, 300))
    }
}
