//! Storage, genesis and query types of the ECS pallet.

use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{traits::Get, BoundedVec, CloneNoBound, DebugNoBound, DefaultNoBound, EqNoBound, PartialEqNoBound};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// Identifier of a level, and of the badge that marks it (the ERC-1155 token id).
pub type LevelId = u32;

/// A bounded UTF-8 text: a level, benefit or achievement name.
pub type Text<S> = BoundedVec<u8, S>;

/// A level's benefits as stored.
pub type BenefitList<NameLen, MaxBenefits> = BoundedVec<Text<NameLen>, MaxBenefits>;

/// One level of the EcoScore ladder, as stored. The level's id is its index in
/// the ladder; the ladder's required scores ascend strictly from 0.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound)]
#[scale_info(skip_type_params(NameLen, MaxBenefits))]
#[codec(mel_bound())]
pub struct LevelInfo<NameLen: Get<u32>, MaxBenefits: Get<u32>> {
    /// Display name ("Seed", "Sprout", ...).
    pub name: Text<NameLen>,
    /// Lowest score that reaches the level.
    pub required_score: u32,
    /// What holders of the level enjoy.
    pub benefits: BenefitList<NameLen, MaxBenefits>,
}

/// An account's EcoScore record. An account gets one the first time an oracle
/// awards, sets or grants it anything; from then on it holds the badges of
/// levels `0..=level`.
#[derive(
    Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, DefaultNoBound,
)]
#[scale_info(skip_type_params(NameLen, MaxAchievements))]
#[codec(mel_bound())]
pub struct ScoreRecord<NameLen: Get<u32>, MaxAchievements: Get<u32>> {
    /// Current score, at most the max score.
    pub score: u32,
    /// Highest level reached; never decreases.
    pub level: LevelId,
    /// Index of the 30-day period `monthly_score` counts for (Unix seconds / 30 days).
    pub period: u64,
    /// Points credited by `award` during `period`.
    pub monthly_score: u32,
    /// Achievements granted, in grant order, without duplicates.
    pub achievements: BoundedVec<Text<NameLen>, MaxAchievements>,
}

/// A level in the genesis configuration (text as UTF-8 strings, for readable chain specs).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenesisLevel {
    /// Display name.
    pub name: String,
    /// Lowest score that reaches the level.
    pub required_score: u32,
    /// What holders of the level enjoy.
    pub benefits: Vec<String>,
}

impl GenesisLevel {
    /// A level from string slices.
    pub fn new(name: &str, required_score: u32, benefits: &[&str]) -> Self {
        Self { name: name.into(), required_score, benefits: benefits.iter().map(|b| (*b).into()).collect() }
    }
}

/// The default ladder: Seed (0), Sprout (100), Tree (500), Forest (1,000), Ecosystem (5,000).
pub fn default_levels() -> Vec<GenesisLevel> {
    vec![
        GenesisLevel::new("Seed", 0, &["Seed badge", "EcoScore profile"]),
        GenesisLevel::new("Sprout", 100, &["Sprout badge", "Community challenges"]),
        GenesisLevel::new("Tree", 500, &["Tree badge", "Early access to new eco projects"]),
        GenesisLevel::new("Forest", 1_000, &["Forest badge", "Governance proposals"]),
        GenesisLevel::new("Ecosystem", 5_000, &["Ecosystem badge", "Ambassador status"]),
    ]
}

/// A level as served by `ecs_levels`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LevelView {
    /// Level id (and badge id).
    pub id: LevelId,
    /// Display name.
    pub name: Vec<u8>,
    /// Lowest score that reaches the level.
    pub required_score: u32,
    /// What holders of the level enjoy.
    pub benefits: Vec<Vec<u8>>,
}

/// An account's EcoScore, as served by `ecs_profile`. An account the oracles
/// never touched has score 0, level 0 and no badges.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreProfile {
    /// Current score.
    pub score: u32,
    /// Highest level reached.
    pub level: LevelId,
    /// Name of that level.
    pub level_name: Vec<u8>,
    /// Points awarded in the current 30-day period.
    pub monthly_score: u32,
    /// Achievements granted, in grant order.
    pub achievements: Vec<Vec<u8>>,
    /// Ids of the badges held: `0..=level`, or none for an untouched account.
    pub badges: Vec<LevelId>,
}
