//! Weights of the bridge pallet: counted storage accesses priced at
//! `T::DbWeight` plus a 20 µs compute allowance (see `pallet-ect`'s weights).

use core::marker::PhantomData;
use frame_support::{
    traits::Get,
    weights::{constants::WEIGHT_REF_TIME_PER_MICROS, Weight},
};

/// Weight functions of the bridge pallet.
pub trait WeightInfo {
    /// `lock_ect` / `lock_ecr`: pause, limits, usage, accounts or certificate, nonce, record.
    fn lock() -> Weight;
    /// `approve_release` / `execute_release`: role, pause, release, votes, approvals,
    /// threshold, limits, usage, accounts or certificate; clearing the votes of a
    /// decided key writes up to 2 x 16 (the runtime's `MaxRelayers`) entries.
    fn approve_release() -> Weight;
    /// Admin setters.
    fn admin() -> Weight;
}

/// Weights priced with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);

fn compute() -> Weight {
    Weight::from_parts(20 * WEIGHT_REF_TIME_PER_MICROS, 0)
}

impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
    fn lock() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(7, 6)).saturating_add(Weight::from_parts(0, 8_000))
    }
    fn approve_release() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(12, 42)).saturating_add(Weight::from_parts(0, 16_000))
    }
    fn admin() -> Weight {
        compute().saturating_add(T::DbWeight::get().writes(1))
    }
}
