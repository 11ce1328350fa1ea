use crate::{mock::*, TierInfo, Tiers};
use ecochain_primitives::ECT;

fn tier(id: u32, name: &str, duration_days: u32, apy_bps: u32) -> TierInfo {
    TierInfo { id, name: name.as_bytes().to_vec(), duration_days, apy_bps, min_amount: ECT }
}

#[test]
fn default_tiers_are_the_spec_tiers() {
    ExtBuilder::default().build_and_execute(|| {
        let tiers = Est::tiers();
        let terms: Vec<(&[u8], u32, u32, u128)> =
            tiers.iter().map(|t| (t.name.as_slice(), t.duration_days, t.apy_bps, t.min_amount)).collect();
        assert_eq!(
            terms,
            vec![
                (&b"Bronze"[..], 30, 600, 100 * ECT),
                (&b"Silver"[..], 90, 800, 1_000 * ECT),
                (&b"Gold"[..], 180, 1_000, 5_000 * ECT),
                (&b"Platinum"[..], 365, 1_200, 10_000 * ECT),
            ]
        );
        assert_eq!(tiers.iter().map(|t| t.id).collect::<Vec<_>>(), vec![BRONZE, SILVER, GOLD, PLATINUM]);
        assert_eq!(Tiers::<Test>::count(), 4);
        let info = Est::info();
        assert_eq!((info.name, info.symbol, info.decimals), (b"EcoStake".to_vec(), b"EST".to_vec(), 18));
        assert_eq!((info.total_supply, info.tiers), (0, 4));
    });
}

#[test]
fn default_genesis_config_holds_the_default_tiers() {
    let config = crate::GenesisConfig::<Test>::default();
    assert_eq!(config.tiers, crate::default_tiers());
}

#[test]
#[should_panic(expected = "EST genesis: no staking tiers")]
fn genesis_rejects_no_tiers() {
    ExtBuilder::default().tiers(vec![]).build();
}

#[test]
#[should_panic(expected = "EST genesis: tier 1 has a zero duration")]
fn genesis_rejects_zero_duration() {
    ExtBuilder::default().tiers(vec![tier(0, "A", 1, 100), tier(1, "B", 0, 100)]).build();
}

#[test]
#[should_panic(expected = "EST genesis: tier 0 apy_bps 10001 is above the maximum 10000")]
fn genesis_rejects_apy_above_100_percent() {
    ExtBuilder::default().tiers(vec![tier(0, "A", 30, 10_001)]).build();
}

#[test]
fn genesis_accepts_100_percent_apy() {
    ExtBuilder::default().tiers(vec![tier(0, "A", 30, 10_000)]).build_and_execute(|| {
        assert_eq!(Est::tiers()[0].apy_bps, 10_000);
    });
}

#[test]
#[should_panic(expected = "EST genesis: tier id 7 appears twice")]
fn genesis_rejects_duplicate_ids() {
    ExtBuilder::default().tiers(vec![tier(7, "A", 30, 100), tier(7, "B", 60, 100)]).build();
}

#[test]
#[should_panic(expected = "EST genesis: tier 0 has an empty name")]
fn genesis_rejects_empty_name() {
    ExtBuilder::default().tiers(vec![tier(0, "", 30, 100)]).build();
}

#[test]
#[should_panic(expected = "EST genesis: tier 0 name is longer than MaxNameLen")]
fn genesis_rejects_long_name() {
    ExtBuilder::default().tiers(vec![tier(0, "A name of seventeen", 30, 100)]).build();
}

#[test]
#[should_panic(expected = "EST genesis: 6 tiers, above MaxTiers 5")]
fn genesis_rejects_too_many_tiers() {
    ExtBuilder::default().tiers((0..6).map(|i| tier(i, "T", 30, 100)).collect()).build();
}
