//! Storage and query types of the ECR pallet.

use codec::{Decode, Encode, MaxEncodedLen};
use ecochain_primitives::{Balance, Moment};
use frame_support::{traits::Get, BoundedVec};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// Identifier of a certificate: 1, 2, 3, … in mint order, never reused after a
/// burn. `u64` fits the bridged ERC-721's `uint256` token ids unchanged.
pub type TokenId = u64;

/// A certificate as stored on chain.
///
/// The bounds are the pallet's `MaxCertificateTypeLen` and `MaxMetadataLen`.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[scale_info(skip_type_params(TypeLen, MetaLen))]
#[codec(mel_bound(AccountId: MaxEncodedLen))]
pub struct Certificate<AccountId, TypeLen: Get<u32>, MetaLen: Get<u32>> {
    /// Current owner.
    pub owner: AccountId,
    /// Issuer that minted it (holder of `Role::Issuer` at the time).
    pub issuer: AccountId,
    /// Kind of certificate, e.g. `b"reforestation"`.
    pub certificate_type: BoundedVec<u8, TypeLen>,
    /// Environmental impact score given by the issuer.
    pub impact_score: u32,
    /// Rarity, 1 ..= 5.
    pub rarity: u8,
    /// Metadata, typically a URI (the bridged ERC-721's `tokenURI`).
    pub metadata: BoundedVec<u8, MetaLen>,
    /// Issue date, Unix milliseconds.
    pub issued_at: Moment,
    /// `true` until the issuer or the admin revokes it.
    pub verified: bool,
    /// `true` while the token is locked by the bridge (bridged to the EVM chain).
    pub locked: bool,
}

impl<AccountId: Clone, TypeLen: Get<u32>, MetaLen: Get<u32>> Certificate<AccountId, TypeLen, MetaLen> {
    /// The query view of this certificate.
    pub fn to_record(&self) -> CertificateRecord<AccountId> {
        CertificateRecord {
            owner: self.owner.clone(),
            issuer: self.issuer.clone(),
            certificate_type: self.certificate_type.to_vec(),
            impact_score: self.impact_score,
            rarity: self.rarity,
            metadata: self.metadata.to_vec(),
            issued_at: self.issued_at,
            verified: self.verified,
            locked: self.locked,
        }
    }
}

/// A certificate, as served by `ecr_certificates` and `ecr_verify` and handed
/// to the bridge when it locks a token.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateRecord<AccountId> {
    /// Current owner.
    pub owner: AccountId,
    /// Issuer that minted it.
    pub issuer: AccountId,
    /// Kind of certificate.
    pub certificate_type: Vec<u8>,
    /// Environmental impact score.
    pub impact_score: u32,
    /// Rarity, 1 ..= 5.
    pub rarity: u8,
    /// Metadata, typically a URI.
    pub metadata: Vec<u8>,
    /// Issue date, Unix milliseconds.
    pub issued_at: Moment,
    /// `false` once revoked by the issuer or the admin.
    pub verified: bool,
    /// `true` while bridged to the EVM chain.
    pub locked: bool,
}

/// A certificate offered for sale. The token stays with its owner (no escrow);
/// any transfer, burn, lock or revocation of the token removes the listing.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Listing<AccountId> {
    /// Owner who listed the token.
    pub seller: AccountId,
    /// Price in ECT base units.
    pub price: Balance,
}

/// A listing, as served by `ecr_listings`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListingInfo<AccountId> {
    /// Token on sale.
    pub token_id: TokenId,
    /// Owner selling it.
    pub seller: AccountId,
    /// Price in ECT base units.
    pub price: Balance,
    /// The certificate on sale.
    pub certificate: CertificateRecord<AccountId>,
}

/// A certificate minted at genesis (ids are assigned 1, 2, … in list order).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenesisCertificate<AccountId> {
    /// First owner.
    pub owner: AccountId,
    /// Issuer recorded on the certificate.
    pub issuer: AccountId,
    /// Kind of certificate (at most `MaxCertificateTypeLen` bytes, not empty).
    pub certificate_type: Vec<u8>,
    /// Environmental impact score.
    pub impact_score: u32,
    /// Rarity, 1 ..= 5.
    pub rarity: u8,
    /// Metadata (at most `MaxMetadataLen` bytes).
    pub metadata: Vec<u8>,
    /// Issue date, Unix milliseconds.
    pub issued_at: Moment,
}
