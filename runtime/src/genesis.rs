//! Genesis presets: `development` (one validator, sudo, no allow-list) and
//! `local_testnet` (four validators governing by majority, no sudo key,
//! account allow-list on). The node's `build-spec` turns them into the
//! committed chain specs.
//!
//! Both use the well-known dev keys (`//Alice` …); they are for development
//! and local testing only. A production spec is written from `local_testnet`
//! with the operators' own accounts and consensus keys.

use crate::{AccountId, Balance, RuntimeGenesisConfig, ECT};
use alloc::{string::String, vec, vec::Vec};
use ecochain_primitives::Role;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Genesis supply of ECT: 100,000,000 ECT (SPEC 3, ECT).
pub const GENESIS_SUPPLY: Balance = 100_000_000 * ECT;

/// The six well-known dev accounts and their share of the genesis supply
/// (40%, 20%, and 10% each for the other four).
fn endowed() -> Vec<(AccountId, Balance)> {
    let share = |percent: Balance| GENESIS_SUPPLY / 100 * percent;
    vec![
        (Sr25519Keyring::Alice.to_account_id(), share(40)),
        (Sr25519Keyring::Bob.to_account_id(), share(20)),
        (Sr25519Keyring::Charlie.to_account_id(), share(10)),
        (Sr25519Keyring::Dave.to_account_id(), share(10)),
        (Sr25519Keyring::Eve.to_account_id(), share(10)),
        (Sr25519Keyring::Ferdie.to_account_id(), share(10)),
    ]
}

/// A validator from a dev seed: its sr25519 account and ed25519 consensus key.
fn dev_validator(account: Sr25519Keyring, key: Ed25519Keyring) -> (AccountId, [u8; 32]) {
    (account.to_account_id(), key.public().0)
}

/// The dev bridge key of a validator: the EVM address of the secp256k1 key
/// `//<Name>` (the node of a dev or local chain signs with it).
pub fn dev_bridge_key(account: Sr25519Keyring) -> sp_core::H160 {
    let secret = ecochain_primitives::bridge_key::dev_secret(&format!("{account:?}"));
    ecochain_primitives::bridge_key::address(&secret).expect("a derived secret is a valid key")
}

/// The node peer id of a dev validator: the libp2p identity of the ed25519
/// key `//<Name>//node`. A node of a dev or local chain given a dev consensus
/// key and no node key file takes that key (the node's tests check both agree).
pub fn dev_node_id(account: Sr25519Keyring) -> Option<&'static str> {
    Some(match account {
        Sr25519Keyring::Alice => "12D3KooWAwkh5KqynskrynefG5YpyJe3LnWfaxQQAQu9DbzjwFEs",
        Sr25519Keyring::Bob => "12D3KooWFhm1231BgJXjhdHoVteSygD2ivN7uF5yYKEbMFDyjgxb",
        Sr25519Keyring::Charlie => "12D3KooWR69dCTZk3zZ5A3rHsiwZPVF9u1CwN76wSyVgExNGJFV5",
        Sr25519Keyring::Dave => "12D3KooW9tuzmu5RUkbnW2B6oHcxjZxBvkDcjCunaykUJoRBbYD1",
        Sr25519Keyring::Eve => "12D3KooWEDYhUfGTipJGdSeahDZcQmiUK6HqAr6AyGAyZZwFT463",
        Sr25519Keyring::Ferdie => "12D3KooWSWfb7pgypb1oefJuc4WYcoMro4Qmbo1RUmhmSuPaNtFD",
        _ => return None,
    })
}

/// Every role, granted to `who` (dev convenience).
fn all_roles(who: &AccountId) -> Vec<(AccountId, Role)> {
    [Role::Oracle, Role::Verifier, Role::Issuer, Role::Minter, Role::Relayer]
        .into_iter()
        .map(|role| (who.clone(), role))
        .collect()
}

fn genesis(
    validators: Vec<(Sr25519Keyring, Ed25519Keyring)>,
    sudo: Option<AccountId>,
    account_allow_list_enabled: bool,
) -> RuntimeGenesisConfig {
    let balances = endowed();
    let validator_nodes = validators
        .iter()
        .filter_map(|(account, _)| dev_node_id(*account).map(|id| (account.to_account_id(), String::from(id))))
        .collect();
    let bridge_keys =
        validators.iter().map(|(account, _)| (account.to_account_id(), dev_bridge_key(*account))).collect();
    let validators = validators.into_iter().map(|(account, key)| dev_validator(account, key)).collect();
    let alice = Sr25519Keyring::Alice.to_account_id();
    RuntimeGenesisConfig {
        balances: pallet_balances::GenesisConfig { balances: balances.clone(), ..Default::default() },
        sudo: pallet_sudo::GenesisConfig { key: sudo },
        permissions: pallet_permissions::GenesisConfig {
            validators,
            allowed_nodes: Vec::<String>::new(),
            validator_nodes,
            allowed_accounts: balances.into_iter().map(|(who, _)| who).collect(),
            account_allow_list_enabled,
            roles: all_roles(&alice),
            bridge_keys,
        },
        ect: pallet_ect::GenesisConfig {
            max_supply: pallet_ect::DEFAULT_MAX_SUPPLY,
            apy_bps: pallet_ect::DEFAULT_APY_BPS,
            paused: false,
            _config: Default::default(),
        },
        ..Default::default()
    }
}

/// The `development` preset: Alice validates alone and holds sudo and every role.
pub fn development() -> RuntimeGenesisConfig {
    genesis(vec![(Sr25519Keyring::Alice, Ed25519Keyring::Alice)], Some(Sr25519Keyring::Alice.to_account_id()), false)
}

/// The `local_testnet` preset: Alice, Bob, Charlie and Dave validate; no sudo
/// key, so the admin origin is a validator majority; the account allow-list is on.
pub fn local_testnet() -> RuntimeGenesisConfig {
    genesis(
        vec![
            (Sr25519Keyring::Alice, Ed25519Keyring::Alice),
            (Sr25519Keyring::Bob, Ed25519Keyring::Bob),
            (Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
            (Sr25519Keyring::Dave, Ed25519Keyring::Dave),
        ],
        None,
        true,
    )
}

/// The preset `id` as JSON, if it exists.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
    let config = match id.as_ref() {
        DEV_RUNTIME_PRESET => development(),
        LOCAL_TESTNET_RUNTIME_PRESET => local_testnet(),
        _ => return None,
    };
    serde_json::to_vec(&config).ok()
}

/// Names of the presets.
pub fn preset_names() -> Vec<PresetId> {
    vec![PresetId::from(DEV_RUNTIME_PRESET), PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET)]
}
