//! A mock runtime: Balances, Timestamp, the real ECT and ECR pallets, and the bridge.

use crate as pallet_bridge;
use ecochain_primitives::{Balance, Role, RoleProvider, ECT};
use frame_support::{derive_impl, parameter_types, traits::ConstU32, PalletId};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Balances: pallet_balances,
        Timestamp: pallet_timestamp,
        Ect: pallet_ect,
        Ecr: pallet_ecr,
        Bridge: pallet_bridge,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
    type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
    type Balance = Balance;
    type AccountStore = System;
    type RuntimeHoldReason = RuntimeHoldReason;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

impl pallet_ect::Config for Test {
    type Currency = Balances;
    type RuntimeHoldReason = RuntimeHoldReason;
    type AdminOrigin = frame_system::EnsureRoot<u64>;
    type Time = Timestamp;
    type WeightInfo = pallet_ect::weights::SubstrateWeight<Test>;
}

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const RELAYERS: [u64; 3] = [10, 11, 12];

parameter_types! {
    /// Relayers whose role was revoked (see [`revoke_relayer`]).
    pub storage RevokedRelayers: Vec<u64> = vec![];
    /// Relayers granted the role besides [`RELAYERS`] (see [`add_relayer`]).
    pub storage AddedRelayers: Vec<u64> = vec![];
}

/// Revoke `who`'s `Role::Relayer`.
pub fn revoke_relayer(who: u64) {
    let mut revoked = RevokedRelayers::get();
    revoked.push(who);
    RevokedRelayers::set(&revoked);
}

/// Grant `who` `Role::Relayer` (again, if it was revoked).
pub fn add_relayer(who: u64) {
    let mut revoked = RevokedRelayers::get();
    revoked.retain(|r| *r != who);
    RevokedRelayers::set(&revoked);
    let mut added = AddedRelayers::get();
    if !RELAYERS.contains(&who) && !added.contains(&who) {
        added.push(who);
        AddedRelayers::set(&added);
    }
}

/// Alice issues certificates; 10, 11, 12 (and those added) relay unless revoked.
pub struct MockRoles;
impl RoleProvider<u64> for MockRoles {
    fn has_role(who: &u64, role: Role) -> bool {
        match role {
            Role::Issuer => *who == ALICE,
            Role::Relayer => {
                (RELAYERS.contains(who) || AddedRelayers::get().contains(who)) && !RevokedRelayers::get().contains(who)
            }
            _ => false,
        }
    }
}

impl pallet_ecr::Config for Test {
    type AdminOrigin = frame_system::EnsureRoot<u64>;
    type Roles = MockRoles;
    type Time = Timestamp;
    type Currency = Balances;
    type Ect = Ect;
    type WeightInfo = pallet_ecr::weights::SubstrateWeight<Test>;
    type MaxCertificateTypeLen = ConstU32<32>;
    type MaxMetadataLen = ConstU32<128>;
    type MaxTokensPerOwner = ConstU32<16>;
}

parameter_types! {
    pub const BridgePalletId: PalletId = PalletId(*b"eco/brdg");
}

impl pallet_bridge::Config for Test {
    type Currency = Balances;
    type Ect = Ect;
    type Ecr = Ecr;
    type Roles = MockRoles;
    type AdminOrigin = frame_system::EnsureRoot<u64>;
    type Time = Timestamp;
    type PalletId = BridgePalletId;
    type MaxRelayers = ConstU32<8>;
    type MaxPendingApprovals = ConstU32<4>;
    type BridgeKeys = MockKeys;
    type MaxSigners = ConstU32<8>;
    type WeightInfo = crate::weights::SubstrateWeight<Test>;
}

/// Secrets of the genesis bridge keys: validators 1, 2, 3.
pub fn validator_secret(n: u8) -> [u8; 32] {
    [n; 32]
}

/// Bridge key (EVM address) of validator `n`.
pub fn validator_key(n: u8) -> sp_core::H160 {
    ecochain_primitives::bridge_key::address(&validator_secret(n)).expect("valid secret")
}

/// The genesis bridge keys, ascending.
pub struct MockKeys;
impl ecochain_primitives::BridgeKeys for MockKeys {
    fn bridge_keys() -> Vec<sp_core::H160> {
        let mut keys: Vec<_> = (1..=3).map(validator_key).collect();
        keys.sort();
        keys
    }
}

/// The mock's message destination.
pub const DESTINATION: pallet_bridge::Destination = pallet_bridge::Destination {
    chain_id: 31_337,
    bridge: sp_core::H160([0xb1; 20]),
    light_client: sp_core::H160([0xc1; 20]),
};

/// Finish the current block (the bridge's `on_finalize`) and start the next
/// (`on_initialize`); returns the finished block's header digest item of the
/// bridge: (root, messages, set id).
pub fn next_block() -> (sp_core::H256, u64, u64) {
    use codec::Decode;
    use frame_support::traits::Hooks;
    let now = System::block_number();
    Bridge::on_finalize(now);
    let digest = System::digest();
    let item = digest
        .logs()
        .iter()
        .rev()
        .find_map(|d| d.as_consensus().filter(|(id, _)| *id == crate::BRIDGE_ENGINE_ID).map(|(_, data)| data.to_vec()))
        .expect("the bridge's digest item");
    System::reset_events();
    System::initialize(&(now + 1), &System::parent_hash(), &Default::default());
    Bridge::on_initialize(now + 1);
    <(sp_core::H256, u64, u64)>::decode(&mut &item[..]).expect("digest item decodes")
}

/// Alice 1,000 ECT, Bob 100 ECT; threshold 2 of the 3 relayers.
pub fn new_test_ext(limits: Option<pallet_bridge::Limits>) -> sp_io::TestExternalities {
    let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system genesis");
    pallet_balances::GenesisConfig::<Test> {
        balances: vec![(ALICE, 1_000 * ECT), (BOB, 100 * ECT)],
        ..Default::default()
    }
    .assimilate_storage(&mut storage)
    .expect("balances genesis");
    pallet_ect::GenesisConfig::<Test> { max_supply: 0, apy_bps: 500, paused: false, _config: Default::default() }
        .assimilate_storage(&mut storage)
        .expect("ect genesis");
    pallet_bridge::GenesisConfig::<Test> {
        threshold: 2,
        limits,
        destination: Some(DESTINATION),
        _config: Default::default(),
    }
    .assimilate_storage(&mut storage)
    .expect("bridge genesis");
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| {
        System::set_block_number(1);
        Timestamp::set_timestamp(1_000_000);
    });
    ext
}

/// Run `test`, then check the bridge's and ECT's invariants.
pub fn build_and_execute(limits: Option<pallet_bridge::Limits>, test: impl FnOnce()) {
    new_test_ext(limits).execute_with(|| {
        test();
        Bridge::do_try_state().expect("bridge invariants");
        Ect::do_try_state().expect("ECT invariants");
    });
}

pub fn events() -> Vec<pallet_bridge::Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|r| if let RuntimeEvent::Bridge(e) = r.event { Some(e) } else { None })
        .collect()
}

pub fn advance_ms(ms: u64) {
    pallet_timestamp::Now::<Test>::mutate(|t| *t += ms);
}
