//! Weights of the ECR pallet.
//!
//! Not produced by the benchmarking CLI (there is no wasm runtime to benchmark
//! here). Each weight is the storage accesses a call makes, counted from the
//! code (worst case), priced at `T::DbWeight` (set by the runtime from this
//! node's measured trie read and write: `DB_READ_NS` and `DB_WRITE_NS` in
//! `runtime/src/lib.rs`), plus a compute allowance of 20 µs per call for
//! hashing, encoding and the event. Proof sizes come from the max encoded
//! length of the items read: a certificate (bounded by `MaxCertificateTypeLen`
//! and `MaxMetadataLen`) and an owner index (8 bytes per id, up to
//! `MaxTokensPerOwner`), whose linear scan on removal is covered by the compute
//! allowance at the bounds in use (a few hundred ids).

use crate::{CertificateOf, Config};
use codec::MaxEncodedLen;
use core::marker::PhantomData;
use frame_support::{
    traits::Get,
    weights::{constants::WEIGHT_REF_TIME_PER_MICROS, Weight},
};

/// Weight functions of the ECR pallet.
pub trait WeightInfo {
    /// `mint`: role, last id, count, recipient index, certificate, time.
    fn mint() -> Weight;
    /// `transfer`: certificate, operator flag, approval, listing, two indexes.
    fn transfer() -> Weight;
    /// `approve`: certificate, operator flag, approval write.
    fn approve() -> Weight;
    /// `set_approval_for_all`: one write.
    fn set_approval_for_all() -> Weight;
    /// `burn`: certificate, index, approval, listing, count.
    fn burn() -> Weight;
    /// `revoke`: role, certificate, listing.
    fn revoke() -> Weight;
    /// `list`: certificate read, listing write.
    fn list() -> Weight;
    /// `cancel`: listing read and removal.
    fn cancel() -> Weight;
    /// `buy`: listing, certificate, ECT pause flag, two accounts, two indexes, approval.
    fn buy() -> Weight;
}

/// Weights priced with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);

/// Key overhead of one map entry in a storage proof (hashed prefix and key).
const KEY_PROOF: u64 = 80;
/// Proof size of one `pallet-balances` account.
const ACCOUNT_PROOF: u64 = 1_800;

fn compute() -> Weight {
    Weight::from_parts(20 * WEIGHT_REF_TIME_PER_MICROS, 0)
}

impl<T: Config> SubstrateWeight<T> {
    fn certificate_proof() -> u64 {
        KEY_PROOF.saturating_add(CertificateOf::<T>::max_encoded_len() as u64)
    }

    fn index_proof() -> u64 {
        KEY_PROOF.saturating_add(5).saturating_add(8u64.saturating_mul(u64::from(T::MaxTokensPerOwner::get())))
    }

    fn small_proof(items: u64) -> u64 {
        items.saturating_mul(KEY_PROOF + 64)
    }

    /// `reads` and `writes` of the call itself plus the statistics counters
    /// (transactions, and holders when an index changes): 2 reads, 2 writes.
    fn weight(reads: u64, writes: u64, proof: u64) -> Weight {
        compute()
            .saturating_add(T::DbWeight::get().reads_writes(reads.saturating_add(2), writes.saturating_add(2)))
            .saturating_add(Weight::from_parts(0, proof.saturating_add(Self::small_proof(2))))
    }
}

impl<T: Config> WeightInfo for SubstrateWeight<T> {
    fn mint() -> Weight {
        let proof = Self::certificate_proof().saturating_add(Self::index_proof()).saturating_add(Self::small_proof(4));
        Self::weight(5, 4, proof)
    }
    fn transfer() -> Weight {
        let proof = Self::certificate_proof()
            .saturating_add(Self::index_proof().saturating_mul(2))
            .saturating_add(Self::small_proof(3));
        Self::weight(6, 5, proof)
    }
    fn approve() -> Weight {
        Self::weight(2, 1, Self::certificate_proof().saturating_add(Self::small_proof(2)))
    }
    fn set_approval_for_all() -> Weight {
        Self::weight(0, 1, Self::small_proof(1))
    }
    fn burn() -> Weight {
        let proof = Self::certificate_proof().saturating_add(Self::index_proof()).saturating_add(Self::small_proof(3));
        Self::weight(4, 5, proof)
    }
    fn revoke() -> Weight {
        Self::weight(3, 2, Self::certificate_proof().saturating_add(Self::small_proof(2)))
    }
    fn list() -> Weight {
        Self::weight(1, 1, Self::certificate_proof().saturating_add(Self::small_proof(1)))
    }
    fn cancel() -> Weight {
        Self::weight(1, 1, Self::small_proof(1))
    }
    fn buy() -> Weight {
        let proof = Self::certificate_proof()
            .saturating_add(Self::index_proof().saturating_mul(2))
            .saturating_add(ACCOUNT_PROOF.saturating_mul(2))
            .saturating_add(Self::small_proof(3));
        Self::weight(7, 7, proof)
    }
}
