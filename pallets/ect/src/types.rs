//! Storage and query types of the ECT pallet.

use codec::{Decode, Encode, MaxEncodedLen};
use ecochain_primitives::Balance;
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// A simple-staking position.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug, Default)]
pub struct StakeInfo {
    /// ECT held as stake.
    pub amount: Balance,
    /// The reward index ([`crate::RewardIndex`]) up to which rewards were
    /// settled into `pending`.
    pub index: u128,
    /// Rewards settled and not yet claimed.
    pub pending: Balance,
}

/// Token-level figures, as served by `ect_info`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// "EcoToken".
    pub name: Vec<u8>,
    /// "ECT".
    pub symbol: Vec<u8>,
    /// 18.
    pub decimals: u8,
    /// Total issuance.
    pub total_supply: Balance,
    /// Total issuance minus ECT staked in this pallet.
    pub circulating_supply: Balance,
    /// Cap on total issuance.
    pub max_supply: Balance,
    /// ECT staked in this pallet.
    pub total_staked: Balance,
    /// Staking APY in basis points.
    pub apy_bps: u32,
    /// Whether ECT movements are paused.
    pub paused: bool,
}

/// An account's ECT, as served by `ect_balance`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EctBalance {
    /// Spendable balance.
    pub free: Balance,
    /// Held as simple stake in this pallet.
    pub staked: Balance,
    /// Held for other reasons (EST positions, escrows).
    pub other_held: Balance,
    /// Staking rewards accrued and not yet claimed.
    pub pending_rewards: Balance,
}
