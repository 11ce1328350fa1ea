//! Storage and query types of the EST pallet.

use codec::{Decode, Encode, MaxEncodedLen};
use ecochain_primitives::{Balance, ECT, SECONDS_PER_DAY};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// Identifier of a staking tier (the defaults are 0 Bronze, 1 Silver, 2 Gold, 3 Platinum).
pub type TierId = u32;
/// Identifier of a staking position, from 1 upward, never reused.
pub type PositionId = u64;

/// Terms of a staking tier, as stored (`Name` is a bounded byte string).
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Tier<Name> {
    /// Display name, e.g. "Bronze".
    pub name: Name,
    /// Lock period in days (at least 1).
    pub duration_days: u32,
    /// Annual percentage yield in basis points (at most 10,000).
    pub apy_bps: u32,
    /// Smallest amount, in ECT units, a position in this tier may lock.
    pub min_amount: Balance,
}

impl<Name> Tier<Name> {
    /// Lock period in seconds.
    pub fn duration_secs(&self) -> u64 {
        u64::from(self.duration_days).saturating_mul(SECONDS_PER_DAY)
    }
}

/// A tier with its id, as served by `est_tiers` and as written in genesis.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TierInfo {
    /// Tier id.
    pub id: TierId,
    /// Display name (UTF-8).
    pub name: Vec<u8>,
    /// Lock period in days.
    pub duration_days: u32,
    /// Annual percentage yield in basis points.
    pub apy_bps: u32,
    /// Smallest amount, in ECT units, a position may lock.
    pub min_amount: Balance,
}

impl TierInfo {
    fn new(id: TierId, name: &str, duration_days: u32, apy_bps: u32, min_ect: Balance) -> Self {
        Self { id, name: name.as_bytes().to_vec(), duration_days, apy_bps, min_amount: min_ect * ECT }
    }
}

/// The SPEC's tiers: Bronze 30 d 6%, Silver 90 d 8%, Gold 180 d 10%,
/// Platinum 365 d 12%. The minimum amounts (100, 1,000, 5,000 and 10,000 ECT)
/// are ours: the seeds give none.
pub fn default_tiers() -> Vec<TierInfo> {
    vec![
        TierInfo::new(0, "Bronze", 30, 600, 100),
        TierInfo::new(1, "Silver", 90, 800, 1_000),
        TierInfo::new(2, "Gold", 180, 1_000, 5_000),
        TierInfo::new(3, "Platinum", 365, 1_200, 10_000),
    ]
}

/// A time-locked staking position. It keeps the terms of its tier at the time
/// it was opened, so later tier edits do not change it.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Position<AccountId> {
    /// Position id.
    pub id: PositionId,
    /// Account whose ECT is locked and who may unstake.
    pub owner: AccountId,
    /// Tier the position was opened in.
    pub tier: TierId,
    /// ECT units locked (and EST credited).
    pub amount: Balance,
    /// Opening time, Unix SECONDS.
    pub start: u64,
    /// Lock period in seconds.
    pub duration: u64,
    /// Annual percentage yield in basis points.
    pub apy_bps: u32,
    /// `true` until unstaked; closed positions stay readable by id with `active = false`.
    pub active: bool,
}

impl<AccountId> Position<AccountId> {
    /// Unix seconds from which unstaking pays the full reward.
    pub fn matures_at(&self) -> u64 {
        self.start.saturating_add(self.duration)
    }

    /// Reward paid when unstaked at or after maturity:
    /// `amount * apy_bps * duration / (365 days * 10_000)`, rounded down.
    pub fn reward_at_maturity(&self) -> Balance {
        ecochain_primitives::interest(self.amount, self.apy_bps, self.duration)
    }
}

/// Reward of one active position, part of [`PendingRewards`].
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PositionReward {
    /// Position id.
    pub position: PositionId,
    /// Reward paid if the position is held to maturity (nothing accrues
    /// pro rata: an early unstake forfeits it all).
    pub reward: Balance,
    /// Unix seconds from which the reward is paid.
    pub matures_at: u64,
    /// Whether the position has matured (unstaking now pays `reward`).
    pub matured: bool,
}

/// An account's rewards, as served by `est_pending_rewards`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingRewards {
    /// Each active position's reward if held to maturity.
    pub positions: Vec<PositionReward>,
    /// Sum of the positions' rewards if each is held to maturity.
    pub at_maturity: Balance,
    /// Part of `at_maturity` already matured (paid by unstaking now).
    pub matured: Balance,
    /// Rewards of unstaked positions that could not be minted because of
    /// ECT's max supply; `claim_rewards` retries them.
    pub unpaid: Balance,
}

/// Token-level figures of EST, as served by `est_info`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EstInfo {
    /// "EcoStake".
    pub name: Vec<u8>,
    /// "EST".
    pub symbol: Vec<u8>,
    /// 18, as ECT (EST is credited 1:1).
    pub decimals: u8,
    /// EST in existence: the ECT locked in active positions.
    pub total_supply: Balance,
    /// Number of tiers.
    pub tiers: u32,
}
