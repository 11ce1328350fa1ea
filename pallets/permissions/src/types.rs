//! Storage types of the permissions pallet.

use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// A validator: the account that votes and its ed25519 consensus key.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidatorInfo<AccountId> {
    /// Account that signs governance votes.
    pub account: AccountId,
    /// ed25519 public key that signs consensus votes.
    pub consensus_key: [u8; 32],
}

/// A validator set waiting for its height.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ScheduledChange<BlockNumber, Set> {
    /// First block executed with the new set.
    pub at: BlockNumber,
    /// The new set.
    pub validators: Set,
}

/// An open proposal.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound)]
#[scale_info(skip_type_params(MaxLen, MaxVoters))]
pub struct ProposalInfo<AccountId, BlockNumber, Hash, MaxLen, MaxVoters>
where
    AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
    BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
    Hash: Clone + PartialEq + Eq + core::fmt::Debug,
    MaxLen: Get<u32>,
    MaxVoters: Get<u32>,
{
    /// The SCALE-encoded call.
    pub call: BoundedVec<u8, MaxLen>,
    /// Hash of `call`.
    pub call_hash: Hash,
    /// Validator who proposed it.
    pub proposer: AccountId,
    /// Last block at which votes are accepted.
    pub expires_at: BlockNumber,
    /// Validators who voted for it.
    pub votes: BoundedVec<AccountId, MaxVoters>,
}
