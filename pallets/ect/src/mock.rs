//! A mock runtime: System, Balances (the currency), Timestamp and ECT.

use crate as pallet_ect;
use ecochain_primitives::{Balance, ECT};
use frame_support::derive_impl;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Balances: pallet_balances,
        Timestamp: pallet_timestamp,
        Ect: pallet_ect,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
    type AccountData = pallet_balances::AccountData<Balance>;
    type OnNewAccount = Ect;
    type OnKilledAccount = Ect;
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
    type WeightInfo = crate::weights::SubstrateWeight<Test>;
}

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CHARLIE: u64 = 3;

/// Genesis: Alice 1,100 ECT, Bob 100 ECT; max supply 10,000 ECT unless set.
pub struct ExtBuilder {
    balances: Vec<(u64, Balance)>,
    max_supply: Balance,
    paused: bool,
}

impl Default for ExtBuilder {
    fn default() -> Self {
        Self { balances: vec![(ALICE, 1_100 * ECT), (BOB, 100 * ECT)], max_supply: 10_000 * ECT, paused: false }
    }
}

impl ExtBuilder {
    pub fn max_supply(mut self, max: Balance) -> Self {
        self.max_supply = max;
        self
    }

    pub fn paused(mut self) -> Self {
        self.paused = true;
        self
    }

    pub fn build(self) -> sp_io::TestExternalities {
        let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system genesis");
        pallet_balances::GenesisConfig::<Test> { balances: self.balances, ..Default::default() }
            .assimilate_storage(&mut storage)
            .expect("balances genesis");
        pallet_ect::GenesisConfig::<Test> {
            max_supply: self.max_supply,
            apy_bps: crate::DEFAULT_APY_BPS,
            paused: self.paused,
            _config: Default::default(),
        }
        .assimilate_storage(&mut storage)
        .expect("ect genesis");
        let mut ext = sp_io::TestExternalities::new(storage);
        ext.execute_with(|| {
            System::set_block_number(1);
            Timestamp::set_timestamp(1_000_000);
        });
        ext
    }

    /// Run `test`, then check the pallet's invariants.
    pub fn build_and_execute(self, test: impl FnOnce()) {
        self.build().execute_with(|| {
            test();
            check_invariants();
        });
    }
}

/// ECT's invariants plus: free + held over all accounts == total issuance, and
/// the holder count is the number of existing accounts.
pub fn check_invariants() {
    Ect::do_try_state().expect("ECT invariants hold");
    let sum: Balance = frame_system::Account::<Test>::iter().map(|(_, a)| a.data.free + a.data.reserved).sum();
    assert_eq!(sum, pallet_balances::TotalIssuance::<Test>::get(), "balances sum to total issuance");
    let existing = frame_system::Account::<Test>::iter().filter(|(_, a)| a.providers > 0).count() as u64;
    assert_eq!(crate::Holders::<Test>::get(), existing, "holders are the existing accounts");
}

/// Advance the clock by `secs` seconds (and the block number by one).
pub fn advance_secs(secs: u64) {
    let now = pallet_timestamp::Now::<Test>::get();
    System::set_block_number(System::block_number() + 1);
    pallet_timestamp::Now::<Test>::put(now + secs * 1_000);
}

pub fn last_event() -> RuntimeEvent {
    System::events().pop().expect("an event was emitted").event
}
