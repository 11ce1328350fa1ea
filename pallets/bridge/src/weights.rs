//! Weights of the bridge pallet: counted storage accesses priced at
//! `T::DbWeight` plus a 20 µs compute allowance (see `pallet-ect`'s weights).

use core::marker::PhantomData;
use frame_support::{
    traits::Get,
    weights::{constants::WEIGHT_REF_TIME_PER_MICROS, Weight},
};

/// Weight functions of the bridge pallet.
pub trait WeightInfo {
    /// `lock_ect` / `lock_ecr`: pause, limits, usage, accounts or certificate,
    /// nonce, record, and the tree nodes the message completes (up to `DEPTH`).
    fn lock() -> Weight;
    /// `approve_release` / `execute_release` / `cancel_approval`: role, pause,
    /// release, votes, vote counters, approvals, threshold, limits, usage,
    /// accounts or certificate; the roles of up to `MaxRelayers` approvers are
    /// read, and deciding (or reopening) a key reads and writes up to
    /// `MaxRelayers` votes, relayer counters and approval lists.
    fn approve_release() -> Weight;
    /// Admin setters.
    fn admin() -> Weight;
    /// `sign_commitment`: one `ecrecover`; pending commitment, genesis hash,
    /// key set (twice), set id and the next set's announcement read; pending or
    /// certified and the set's certificate, set id written. The pending and
    /// certified commitments hold up to `MaxSigners` signatures each.
    fn sign_commitment() -> Weight;
}

/// Weights priced with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);

fn compute() -> Weight {
    Weight::from_parts(20 * WEIGHT_REF_TIME_PER_MICROS, 0)
}

impl<T: crate::Config> WeightInfo for SubstrateWeight<T> {
    fn lock() -> Weight {
        let nodes = crate::messages::DEPTH as u64;
        compute()
            .saturating_add(T::DbWeight::get().reads_writes(7, 6 + nodes))
            .saturating_add(Weight::from_parts(0, 8_000))
    }
    fn approve_release() -> Weight {
        let relayers = u64::from(T::MaxRelayers::get());
        compute()
            .saturating_add(T::DbWeight::get().reads_writes(14, 12))
            .saturating_add(T::DbWeight::get().reads_writes(3, 3).saturating_mul(relayers))
            .saturating_add(Weight::from_parts(0, 8_000u64.saturating_add(relayers.saturating_mul(500))))
    }
    fn admin() -> Weight {
        compute().saturating_add(T::DbWeight::get().writes(1))
    }
    fn sign_commitment() -> Weight {
        // secp256k1 public key recovery: about 50 µs natively.
        let ecrecover = Weight::from_parts(50 * WEIGHT_REF_TIME_PER_MICROS, 0);
        let signers = u64::from(T::MaxSigners::get());
        compute()
            .saturating_add(ecrecover)
            .saturating_add(T::DbWeight::get().reads_writes(6, 4))
            .saturating_add(Weight::from_parts(0, 1_000u64.saturating_add(signers.saturating_mul(3 * 85))))
    }
}
