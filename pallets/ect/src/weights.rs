//! Weights of the ECT pallet.
//!
//! Not produced by the benchmarking CLI (there is no wasm runtime to benchmark
//! here). Each weight is the storage accesses a call makes, counted from the
//! code (worst case, including `pallet-balances` account and hold reads and
//! writes), priced at `T::DbWeight` (RocksDB: 25 µs read, 100 µs write), plus a
//! compute allowance of 20 µs per call for hashing, encoding and the event,
//! which is an over-estimate of measured native execution (~2-5 µs).

use core::marker::PhantomData;
use frame_support::{
    traits::Get,
    weights::{constants::WEIGHT_REF_TIME_PER_MICROS, Weight},
};

/// Weight functions of the ECT pallet.
pub trait WeightInfo {
    /// `transfer`: paused flag, two accounts.
    fn transfer() -> Weight;
    /// `approve`: one allowance write.
    fn approve() -> Weight;
    /// `transfer_from`: transfer plus allowance read/write.
    fn transfer_from() -> Weight;
    /// `burn`: paused flag, account, issuance.
    fn burn() -> Weight;
    /// `mint`: max supply, issuance, account.
    fn mint() -> Weight;
    /// `pause` / `unpause`: the flag.
    fn pause() -> Weight;
    /// `stake`: paused, APY, stake, total, account, holds.
    fn stake() -> Weight;
    /// `unstake`: as `stake`.
    fn unstake() -> Weight;
    /// `claim_rewards`: stake, APY, mint.
    fn claim_rewards() -> Weight;
    /// `set_apy`: one write.
    fn set_apy() -> Weight;
}

/// Weights priced with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);

fn compute() -> Weight {
    Weight::from_parts(20 * WEIGHT_REF_TIME_PER_MICROS, 0)
}

impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
    fn transfer() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(3, 2)).saturating_add(Weight::from_parts(0, 3_600))
    }
    fn approve() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(0, 1)).saturating_add(Weight::from_parts(0, 100))
    }
    fn transfer_from() -> Weight {
        Self::transfer()
            .saturating_add(T::DbWeight::get().reads_writes(1, 1))
            .saturating_add(Weight::from_parts(0, 100))
    }
    fn burn() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(3, 2)).saturating_add(Weight::from_parts(0, 1_800))
    }
    fn mint() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(3, 2)).saturating_add(Weight::from_parts(0, 1_800))
    }
    fn pause() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(1, 1))
    }
    fn stake() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(6, 4)).saturating_add(Weight::from_parts(0, 4_000))
    }
    fn unstake() -> Weight {
        Self::stake()
    }
    fn claim_rewards() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(6, 3)).saturating_add(Weight::from_parts(0, 2_000))
    }
    fn set_apy() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(0, 1))
    }
}
