//! Weights of the ECT pallet.
//!
//! Not produced by the benchmarking CLI (there is no wasm runtime to benchmark
//! here). Each weight is the storage accesses a call makes, counted from the
//! code (worst case, including `pallet-balances` account and hold reads and
//! writes), priced at `T::DbWeight` (set by the runtime from this node's
//! measured trie read and write: `DB_READ_NS` and `DB_WRITE_NS` in
//! `runtime/src/lib.rs`), plus a compute allowance of 20 µs per call for
//! hashing, encoding and the event, which is an over-estimate of measured
//! native execution (~2-5 µs).
//!
//! Every successful call also reads and writes [`crate::TransactionCount`];
//! calls that may create or reap an account also [`crate::Holders`].

use core::marker::PhantomData;
use frame_support::{
    traits::Get,
    weights::{constants::WEIGHT_REF_TIME_PER_MICROS, Weight},
};

/// Weight functions of the ECT pallet.
pub trait WeightInfo {
    /// `transfer`: paused flag, two accounts, holders, transaction count.
    fn transfer() -> Weight;
    /// `approve`: one allowance write, transaction count.
    fn approve() -> Weight;
    /// `transfer_from`: transfer plus allowance read/write.
    fn transfer_from() -> Weight;
    /// `burn`: paused flag, account, issuance, holders, transaction count.
    fn burn() -> Weight;
    /// `mint`: max supply, issuance, account, holders, transaction count.
    fn mint() -> Weight;
    /// `pause` / `unpause`: the flag, transaction count.
    fn pause() -> Weight;
    /// `stake`: paused, reward index (index, its time, APY), stake, total,
    /// account, holds, transaction count.
    fn stake() -> Weight;
    /// `unstake`: as `stake`.
    fn unstake() -> Weight;
    /// `claim_rewards`: reward index, stake, mint, transaction count.
    fn claim_rewards() -> Weight;
    /// `set_apy`: the reward index brought up to now, the APY, transaction count.
    fn set_apy() -> Weight;
}

/// Weights priced with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);

fn compute() -> Weight {
    Weight::from_parts(20 * WEIGHT_REF_TIME_PER_MICROS, 0)
}

impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
    fn transfer() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(5, 4)).saturating_add(Weight::from_parts(0, 3_700))
    }
    fn approve() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(1, 2)).saturating_add(Weight::from_parts(0, 150))
    }
    fn transfer_from() -> Weight {
        Self::transfer()
            .saturating_add(T::DbWeight::get().reads_writes(1, 1))
            .saturating_add(Weight::from_parts(0, 100))
    }
    fn burn() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(5, 4)).saturating_add(Weight::from_parts(0, 1_900))
    }
    fn mint() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(5, 4)).saturating_add(Weight::from_parts(0, 1_900))
    }
    fn pause() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(2, 2))
    }
    fn stake() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(10, 7)).saturating_add(Weight::from_parts(0, 4_100))
    }
    fn unstake() -> Weight {
        Self::stake()
    }
    fn claim_rewards() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(10, 8)).saturating_add(Weight::from_parts(0, 2_200))
    }
    fn set_apy() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(4, 4)).saturating_add(Weight::from_parts(0, 100))
    }
}
