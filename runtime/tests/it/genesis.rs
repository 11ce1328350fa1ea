use crate::common::*;
use ecochain_runtime::{genesis, Runtime, RuntimeGenesisConfig, ECT};
use sp_runtime::BuildStorage;

#[test]
fn development_preset_builds_with_the_spec_supply() {
    let chain = Chain::dev();
    chain.ext().execute_with(|| {
        // The genesis distribution plus the bridge account's permanent existential deposit.
        assert_eq!(
            pallet_balances::TotalIssuance::<Runtime>::get(),
            100_000_000 * ECT + ecochain_runtime::EXISTENTIAL_DEPOSIT
        );
        assert_eq!(pallet_ect::MaxSupply::<Runtime>::get(), 1_000_000_000 * ECT);
        assert_eq!(pallet_permissions::Validators::<Runtime>::get().len(), 1);
        assert!(pallet_sudo::Key::<Runtime>::get().is_some());
        assert!(!pallet_permissions::AccountAllowListEnabled::<Runtime>::get());
        assert_eq!(pallet_est::Pallet::<Runtime>::tiers().len(), 4);
        assert_eq!(pallet_ecs::Pallet::<Runtime>::levels().len(), 5);
    });
}

#[test]
fn local_testnet_preset_has_four_validators_and_no_sudo() {
    let chain = Chain::new(genesis::local_testnet());
    chain.ext().execute_with(|| {
        assert_eq!(pallet_permissions::Validators::<Runtime>::get().len(), 4);
        assert!(pallet_sudo::Key::<Runtime>::get().is_none());
        assert!(pallet_permissions::AccountAllowListEnabled::<Runtime>::get());
    });
}

#[test]
fn presets_are_served_as_json_and_round_trip() {
    for name in genesis::preset_names() {
        let json = genesis::get_preset(&name).expect("preset exists");
        let config: RuntimeGenesisConfig = serde_json::from_slice(&json).expect("preset JSON parses");
        config.build_storage().expect("preset builds");
    }
    assert!(genesis::get_preset(&"nope".into()).is_none());
}

fn build_error(config: RuntimeGenesisConfig) -> String {
    let err = std::panic::catch_unwind(move || config.build_storage()).expect_err("genesis must be refused");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn genesis_above_max_supply_is_refused() {
    let mut config = genesis::development();
    config.ect.max_supply = 10 * ECT;
    assert!(build_error(config).contains("above the max supply"));
}

#[test]
fn genesis_without_validators_is_refused() {
    let mut config = genesis::development();
    config.permissions.validators.clear();
    assert!(build_error(config).contains("at least one validator"));
}
