//! Weights of the EST pallet.
//!
//! Not produced by the benchmarking CLI (there is no wasm runtime to benchmark
//! here). Each weight is the storage accesses a call makes, counted from the
//! code (worst case, including `pallet-balances` account and hold reads and
//! writes and ECT's pause flag, max supply and issuance), priced at
//! `T::DbWeight` (set by the runtime from this node's measured trie read and
//! write: `DB_READ_NS` and `DB_WRITE_NS` in `runtime/src/lib.rs`), plus a
//! compute allowance of 20 µs per call for hashing, encoding and the event,
//! which is an over-estimate of measured native execution (~2-5 µs). Proof
//! sizes are the encoded sizes of the items touched; the account's position
//! index counts at `MaxPositionsPerAccount` ids of 8 bytes.

use core::marker::PhantomData;
use frame_support::{
    traits::Get,
    weights::{constants::WEIGHT_REF_TIME_PER_MICROS, Weight},
};

/// Weight functions of the EST pallet.
pub trait WeightInfo {
    /// `stake`: ECT paused flag, tier, last id, index, EST balance, total,
    /// account, holds (8 reads); position, last id, index, EST balance,
    /// total, account, holds (7 writes).
    fn stake() -> Weight;
    /// `unstake`: paused flag, position, index, EST balance, total, account,
    /// holds, then the reward mint: max supply, issuance, unpaid (10 reads);
    /// position, index, EST balance, total, account, holds, issuance, unpaid
    /// (8 writes).
    fn unstake() -> Weight;
    /// `claim_rewards`: paused flag, unpaid, max supply, issuance, account
    /// (5 reads); unpaid, issuance, account (3 writes).
    fn claim_rewards() -> Weight;
    /// `set_tier`: tier, counter (2 reads); tier, counter (2 writes).
    fn set_tier() -> Weight;
    /// `remove_tier`: tier, counter (2 reads); tier, counter (2 writes).
    fn remove_tier() -> Weight;
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

/// Proof bytes of an account's position index at its bound.
fn index_proof<T: crate::Config>() -> u64 {
    u64::from(T::MaxPositionsPerAccount::get()).saturating_mul(8).saturating_add(100)
}

impl<T: crate::Config> WeightInfo for SubstrateWeight<T> {
    fn stake() -> Weight {
        base::<T>()
            .saturating_add(T::DbWeight::get().reads_writes(8, 7))
            .saturating_add(Weight::from_parts(0, 3_000u64.saturating_add(index_proof::<T>())))
    }
    fn unstake() -> Weight {
        base::<T>()
            .saturating_add(T::DbWeight::get().reads_writes(10, 8))
            .saturating_add(Weight::from_parts(0, 4_000u64.saturating_add(index_proof::<T>())))
    }
    fn claim_rewards() -> Weight {
        base::<T>().saturating_add(T::DbWeight::get().reads_writes(5, 3)).saturating_add(Weight::from_parts(0, 2_000))
    }
    fn set_tier() -> Weight {
        base::<T>()
            .saturating_add(T::DbWeight::get().reads_writes(2, 2))
            .saturating_add(Weight::from_parts(0, 200u64.saturating_add(u64::from(T::MaxNameLen::get()))))
    }
    fn remove_tier() -> Weight {
        base::<T>()
            .saturating_add(T::DbWeight::get().reads_writes(2, 2))
            .saturating_add(Weight::from_parts(0, 200u64.saturating_add(u64::from(T::MaxNameLen::get()))))
    }
}
