//! Weights of the CCR pallet.
//!
//! Not produced by the benchmarking CLI (there is no wasm runtime to benchmark
//! here). Each weight is the storage accesses a call makes, counted from the
//! code (worst case, including the role lookup, the ECT pause flag and the two
//! `pallet-balances` accounts a purchase touches), priced at `T::DbWeight` (set
//! by the runtime from this node's measured trie read and write: `DB_READ_NS`
//! and `DB_WRITE_NS` in `runtime/src/lib.rs`), plus a compute allowance of 20
//! µs per call for hashing, encoding and the event, which is an over-estimate
//! of measured native execution (~2-5 µs). The proof size is the sum of the
//! maximum encoded sizes of the entries read, rounded up.

use core::marker::PhantomData;
use frame_support::{
    traits::Get,
    weights::{constants::WEIGHT_REF_TIME_PER_MICROS, Weight},
};

/// Weight functions of the CCR pallet.
pub trait WeightInfo {
    /// `issue`: role, verification id, last batch id, total issued, holding;
    /// writes batch, verification id, holding, last id, total.
    fn issue() -> Weight;
    /// `transfer`: batch, two holdings (read and write).
    fn transfer() -> Weight;
    /// `retire`: batch, holding, last retirement id, total retired (read and
    /// write), plus the record and its account index.
    fn retire() -> Weight;
    /// `list`: batch, holding, listing count, the seller's listing count,
    /// last listing id; writes the holding, the listing, the counts and the id.
    fn list() -> Weight;
    /// `cancel`: listing, holding, listing count, the seller's listing count (read and write).
    fn cancel() -> Weight;
    /// `buy`: listing, batch, ECT pause flag, two accounts, buyer holding,
    /// listing count, the seller's listing count; writes the listing, the
    /// accounts, the holding, the counts.
    fn buy() -> Weight;
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

impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
    fn issue() -> Weight {
        base::<T>().saturating_add(T::DbWeight::get().reads_writes(5, 5)).saturating_add(Weight::from_parts(0, 1_200))
    }
    fn transfer() -> Weight {
        base::<T>().saturating_add(T::DbWeight::get().reads_writes(3, 2)).saturating_add(Weight::from_parts(0, 800))
    }
    fn retire() -> Weight {
        base::<T>().saturating_add(T::DbWeight::get().reads_writes(4, 6)).saturating_add(Weight::from_parts(0, 1_000))
    }
    fn list() -> Weight {
        base::<T>().saturating_add(T::DbWeight::get().reads_writes(5, 5)).saturating_add(Weight::from_parts(0, 1_000))
    }
    fn cancel() -> Weight {
        base::<T>().saturating_add(T::DbWeight::get().reads_writes(4, 4)).saturating_add(Weight::from_parts(0, 700))
    }
    fn buy() -> Weight {
        base::<T>().saturating_add(T::DbWeight::get().reads_writes(8, 6)).saturating_add(Weight::from_parts(0, 4_600))
    }
}
