//! Storage and query types of the EGM pallet.
//!
//! Gem values are plain gem-value units (not ECT, no decimals). Times are Unix
//! milliseconds ([`Moment`]), like `pallet-timestamp`; feature durations are
//! given in seconds.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use ecochain_primitives::{Balance, Moment};
use frame_support::{traits::Get, BoundedVec};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// Identifier of a gem; the first gem minted is 1.
pub type GemId = u64;

/// Identifier of a premium feature, chosen by the admin.
pub type FeatureId = u32;

/// VIP status, from the total value of the gems an account holds. Ordered:
/// `None < Bronze < Silver < Gold < Platinum`.
#[derive(
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Debug,
    Default,
    Serialize,
    Deserialize,
)]
pub enum VipStatus {
    /// Below the Bronze threshold.
    #[default]
    None,
    /// At or above the Bronze threshold (default 100).
    Bronze,
    /// At or above the Silver threshold (default 500).
    Silver,
    /// At or above the Gold threshold (default 1,000).
    Gold,
    /// At or above the Platinum threshold (default 5,000).
    Platinum,
}

impl VipStatus {
    /// Every status, lowest first.
    pub const ALL: [VipStatus; 5] =
        [VipStatus::None, VipStatus::Bronze, VipStatus::Silver, VipStatus::Gold, VipStatus::Platinum];

    /// The status above this one, if any.
    pub fn next(self) -> Option<VipStatus> {
        match self {
            VipStatus::None => Some(VipStatus::Bronze),
            VipStatus::Bronze => Some(VipStatus::Silver),
            VipStatus::Silver => Some(VipStatus::Gold),
            VipStatus::Gold => Some(VipStatus::Platinum),
            VipStatus::Platinum => None,
        }
    }
}

/// Default Bronze threshold.
pub const DEFAULT_BRONZE: Balance = 100;
/// Default Silver threshold.
pub const DEFAULT_SILVER: Balance = 500;
/// Default Gold threshold.
pub const DEFAULT_GOLD: Balance = 1_000;
/// Default Platinum threshold.
pub const DEFAULT_PLATINUM: Balance = 5_000;

/// Minimum total gem value of each status above `None` (which starts at 0).
/// Valid thresholds are strictly ascending and start above zero:
/// `0 < bronze < silver < gold < platinum`.
#[derive(
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Serialize,
    Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct VipThresholds {
    /// Minimum total value for Bronze.
    pub bronze: Balance,
    /// Minimum total value for Silver.
    pub silver: Balance,
    /// Minimum total value for Gold.
    pub gold: Balance,
    /// Minimum total value for Platinum.
    pub platinum: Balance,
}

impl Default for VipThresholds {
    /// The SPEC defaults: 100 / 500 / 1,000 / 5,000.
    fn default() -> Self {
        Self { bronze: DEFAULT_BRONZE, silver: DEFAULT_SILVER, gold: DEFAULT_GOLD, platinum: DEFAULT_PLATINUM }
    }
}

impl VipThresholds {
    /// `true` when `0 < bronze < silver < gold < platinum`.
    pub fn is_valid(&self) -> bool {
        0 < self.bronze && self.bronze < self.silver && self.silver < self.gold && self.gold < self.platinum
    }

    /// Minimum total value of `status` (0 for `None`).
    pub fn min_value(&self, status: VipStatus) -> Balance {
        match status {
            VipStatus::None => 0,
            VipStatus::Bronze => self.bronze,
            VipStatus::Silver => self.silver,
            VipStatus::Gold => self.gold,
            VipStatus::Platinum => self.platinum,
        }
    }

    /// The status a total gem value earns.
    pub fn status_for(&self, value: Balance) -> VipStatus {
        if value >= self.platinum {
            VipStatus::Platinum
        } else if value >= self.gold {
            VipStatus::Gold
        } else if value >= self.silver {
            VipStatus::Silver
        } else if value >= self.bronze {
            VipStatus::Bronze
        } else {
            VipStatus::None
        }
    }
}

/// A gem as stored.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[scale_info(skip_type_params(MaxTypeLen, MaxMetadataLen))]
pub struct Gem<AccountId, MaxTypeLen: Get<u32>, MaxMetadataLen: Get<u32>> {
    /// Current owner.
    pub owner: AccountId,
    /// Minter that created the gem.
    pub minter: AccountId,
    /// Kind of gem, free-form bytes (e.g. "emerald").
    pub gem_type: BoundedVec<u8, MaxTypeLen>,
    /// Rarity, 1 (common) ..= 5 (legendary).
    pub rarity: u8,
    /// Value in gem-value units; counts towards the owner's VIP status.
    pub value: Balance,
    /// Free-form metadata (e.g. a URI).
    pub metadata: BoundedVec<u8, MaxMetadataLen>,
    /// Unix milliseconds at mint.
    pub minted_at: Moment,
}

/// A premium feature as stored.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[scale_info(skip_type_params(MaxNameLen))]
pub struct Feature<MaxNameLen: Get<u32>> {
    /// Display name.
    pub name: BoundedVec<u8, MaxNameLen>,
    /// Lowest VIP status allowed to access it.
    pub required_status: VipStatus,
    /// Total gem value that must be burned per access (0: none).
    pub gem_value_cost: Balance,
    /// Length of one grant, in seconds.
    pub duration_secs: u64,
    /// Serial number of this registration; grants made under an earlier
    /// registration of the same id do not count.
    pub registration: u32,
}

/// An account's access to a feature, as stored.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Grant {
    /// Unix milliseconds at which access ends.
    pub expires_at: Moment,
    /// [`Feature::registration`] of the feature when the grant was made.
    pub registration: u32,
}

/// A gem, as served by `egm_gems` / `egm_gem`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GemInfo<AccountId> {
    /// Current owner.
    pub owner: AccountId,
    /// Minter that created the gem.
    pub minter: AccountId,
    /// Kind of gem.
    pub gem_type: Vec<u8>,
    /// Rarity, 1 ..= 5.
    pub rarity: u8,
    /// Value in gem-value units.
    pub value: Balance,
    /// Free-form metadata.
    pub metadata: Vec<u8>,
    /// Unix milliseconds at mint.
    pub minted_at: Moment,
}

/// An account's VIP standing, as served by `egm_vip_status`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VipInfo {
    /// Current status.
    pub status: VipStatus,
    /// Total value of the gems held.
    pub total_value: Balance,
    /// The next status up (`None` at Platinum).
    pub next_status: Option<VipStatus>,
    /// Total value the next status requires (`None` at Platinum).
    pub next_threshold: Option<Balance>,
}

/// One VIP status with its threshold and benefits, as served by `egm_vip_tiers`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VipTier {
    /// The status.
    pub status: VipStatus,
    /// Minimum total gem value.
    pub min_value: Balance,
    /// Benefits of the status, as UTF-8 bytes.
    pub benefits: Vec<Vec<u8>>,
}

/// A premium feature, as served by `egm_features`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeatureInfo {
    /// Feature id.
    pub id: FeatureId,
    /// Display name.
    pub name: Vec<u8>,
    /// Lowest VIP status allowed.
    pub required_status: VipStatus,
    /// Gem value burned per access.
    pub gem_value_cost: Balance,
    /// Length of one grant, in seconds.
    pub duration_secs: u64,
}

/// A live grant of an account, as served by `egm_grants`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantInfo {
    /// Feature id.
    pub feature: FeatureId,
    /// Unix milliseconds at which access ends.
    pub expires_at: Moment,
}

/// Gem counts, as served by `egm_stats`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GemStats {
    /// Gems ever minted (the highest id).
    pub minted: u64,
    /// Gems in existence (minted minus burned).
    pub live: u64,
    /// Total value of the gems in existence.
    pub total_value: Balance,
}
