//! Weights of the permissions pallet.
//!
//! Counted storage accesses priced at `T::DbWeight` plus a 20 µs compute
//! allowance per call (see `pallet-ect`'s weights for the method). `propose`
//! and `vote` also reserve `MaxProposalWeight` for the call they may dispatch
//! and refund what it did not use.

use core::marker::PhantomData;
use frame_support::{
    traits::Get,
    weights::{constants::WEIGHT_REF_TIME_PER_MICROS, Weight},
};

/// Weight functions of the permissions pallet.
pub trait WeightInfo {
    /// `propose` without the dispatched call: counter, proposal, set.
    fn propose() -> Weight;
    /// `vote` without the dispatched call: proposal, set.
    fn vote() -> Weight;
    /// `close_expired`.
    fn close_expired() -> Weight;
    /// `add_validator` / `remove_validator`.
    fn change_validators() -> Weight;
    /// Allow-list and role entries.
    fn set_entry() -> Weight;
    /// `set_node_id`: an ed25519 verification, the owner of the peer id, the
    /// account's old id, two writes (and a removal).
    fn set_node_id() -> Weight;
}

/// Weights priced with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);

fn compute() -> Weight {
    Weight::from_parts(20 * WEIGHT_REF_TIME_PER_MICROS, 0)
}

impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
    fn propose() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(3, 3)).saturating_add(Weight::from_parts(0, 20_000))
    }
    fn vote() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(2, 1)).saturating_add(Weight::from_parts(0, 20_000))
    }
    fn close_expired() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(1, 1)).saturating_add(Weight::from_parts(0, 20_000))
    }
    fn change_validators() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(2, 1)).saturating_add(Weight::from_parts(0, 8_000))
    }
    fn set_entry() -> Weight {
        compute().saturating_add(T::DbWeight::get().reads_writes(1, 1)).saturating_add(Weight::from_parts(0, 200))
    }
    fn set_node_id() -> Weight {
        // ed25519 verification: about 50 µs here, priced at 100 µs.
        let verify = Weight::from_parts(100 * WEIGHT_REF_TIME_PER_MICROS, 0);
        compute()
            .saturating_add(verify)
            .saturating_add(T::DbWeight::get().reads_writes(2, 3))
            .saturating_add(Weight::from_parts(0, 400))
    }
}
