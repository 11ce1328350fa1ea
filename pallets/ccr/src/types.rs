//! Storage and query types of the CCR pallet.

use codec::{Decode, Encode, MaxEncodedLen};
use ecochain_primitives::{Balance, Moment};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// Identifier of a credit batch (from 1 upward).
pub type BatchId = u32;
/// Identifier of a marketplace listing (from 1 upward).
pub type ListingId = u32;
/// Identifier of a retirement record (from 1 upward).
pub type RetirementId = u64;

/// A verified batch of carbon credits, as stored. `Id` is the bounded
/// verification id (`BoundedVec<u8, MaxIdLen>`).
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct BatchInfo<AccountId, Id> {
    /// The verifier's reference for the verification; unique over all batches.
    pub verification_id: Id,
    /// The verifier that issued the batch.
    pub verifier: AccountId,
    /// When the underlying reduction was verified (Unix milliseconds).
    pub issue_date: Moment,
    /// From this instant on (Unix milliseconds) the credits are expired.
    pub expiry_date: Moment,
    /// Credits issued.
    pub issued: Balance,
    /// Credits retired (burned) so far.
    pub retired: Balance,
}

/// Credits escrowed for sale, as stored.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Listing<AccountId> {
    /// The account selling and receiving the ECT.
    pub seller: AccountId,
    /// The batch the credits belong to.
    pub batch: BatchId,
    /// Credits still for sale.
    pub amount: Balance,
    /// Price of one credit in ECT base units.
    pub price_per_unit: Balance,
}

/// A permanent record of retired credits, as stored. `Beneficiary` is the
/// bounded beneficiary text (`BoundedVec<u8, MaxBeneficiaryLen>`).
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Retirement<AccountId, Beneficiary> {
    /// The record's id.
    pub id: RetirementId,
    /// The batch the credits came from.
    pub batch: BatchId,
    /// The account that retired them.
    pub account: AccountId,
    /// Credits retired.
    pub amount: Balance,
    /// On whose behalf they were retired (free text).
    pub beneficiary: Beneficiary,
    /// When (Unix milliseconds).
    pub at: Moment,
}

/// A credit batch created in genesis.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenesisBatch<AccountId> {
    /// Holder of the issued credits.
    pub owner: AccountId,
    /// Credits issued (more than zero).
    pub amount: Balance,
    /// Unique verification reference (non-empty, at most `MaxIdLen` bytes).
    pub verification_id: Vec<u8>,
    /// The verifier recorded on the batch.
    pub verifier: AccountId,
    /// Verification date (Unix milliseconds).
    pub issue_date: Moment,
    /// Expiry (Unix milliseconds), after `issue_date`.
    pub expiry_date: Moment,
}

/// A batch's record and status, as served by `ccr_batch`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchView<AccountId> {
    /// The batch id.
    pub id: BatchId,
    /// The verifier's reference.
    pub verification_id: Vec<u8>,
    /// The verifier that issued the batch.
    pub verifier: AccountId,
    /// Verification date (Unix milliseconds).
    pub issue_date: Moment,
    /// Expiry (Unix milliseconds).
    pub expiry_date: Moment,
    /// Credits issued.
    pub issued: Balance,
    /// Credits retired.
    pub retired: Balance,
    /// Whether the credits are expired now.
    pub expired: bool,
}

/// An account's holding in one batch.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchBalance {
    /// The batch id.
    pub batch: BatchId,
    /// Credits held (not counting credits escrowed in listings).
    pub amount: Balance,
    /// Whether the batch is expired now.
    pub expired: bool,
}

/// An account's credits, as served by `ccr_balance`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CcrBalance {
    /// Holdings per batch, by batch id.
    pub batches: Vec<BatchBalance>,
    /// Sum of all holdings.
    pub total: Balance,
    /// Holdings in batches that are not expired.
    pub total_active: Balance,
    /// Holdings in expired batches.
    pub total_expired: Balance,
    /// Credits the account has escrowed in open listings (not part of `total`).
    pub listed: Balance,
}

/// An open listing, as served by `ccr_marketplace`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListingView<AccountId> {
    /// The listing id.
    pub id: ListingId,
    /// The seller.
    pub seller: AccountId,
    /// The batch of the credits.
    pub batch: BatchId,
    /// Credits still for sale.
    pub amount: Balance,
    /// Price of one credit in ECT base units.
    pub price_per_unit: Balance,
    /// The batch's expiry (Unix milliseconds).
    pub expiry_date: Moment,
    /// Whether the credits are expired now (then they cannot be bought).
    pub expired: bool,
}

/// A retirement record, as served by `ccr_retirements`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetirementView<AccountId> {
    /// The record's id.
    pub id: RetirementId,
    /// The batch the credits came from.
    pub batch: BatchId,
    /// The account that retired them.
    pub account: AccountId,
    /// Credits retired.
    pub amount: Balance,
    /// On whose behalf.
    pub beneficiary: Vec<u8>,
    /// When (Unix milliseconds).
    pub at: Moment,
}

/// Pallet-wide figures, as served by `ccr_stats`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CcrStats {
    /// Batches issued.
    pub batches: u32,
    /// Credits issued over all batches.
    pub total_issued: Balance,
    /// Credits retired over all batches.
    pub total_retired: Balance,
    /// Retirement records.
    pub retirements: u64,
    /// Open listings.
    pub open_listings: u32,
}
