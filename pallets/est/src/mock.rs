//! A mock runtime: System, Balances (the currency), Timestamp, the real ECT pallet and EST.

use crate as pallet_est;
use crate::TierInfo;
use ecochain_primitives::{Balance, ECT};
use frame_support::{derive_impl, parameter_types};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Balances: pallet_balances,
        Timestamp: pallet_timestamp,
        Ect: pallet_ect,
        Est: pallet_est,
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

parameter_types! {
    pub const MaxTiers: u32 = 5;
    pub const MaxNameLen: u32 = 16;
    pub const MaxPositionsPerAccount: u32 = 4;
}

impl pallet_est::Config for Test {
    type Currency = Balances;
    type RuntimeHoldReason = RuntimeHoldReason;
    type AdminOrigin = frame_system::EnsureRoot<u64>;
    type Time = Timestamp;
    type Ect = Ect;
    type WeightInfo = crate::weights::SubstrateWeight<Test>;
    type MaxTiers = MaxTiers;
    type MaxNameLen = MaxNameLen;
    type MaxPositionsPerAccount = MaxPositionsPerAccount;
}

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CHARLIE: u64 = 3;

/// Tier ids of the default tiers.
pub const BRONZE: u32 = 0;
pub const SILVER: u32 = 1;
pub const GOLD: u32 = 2;
pub const PLATINUM: u32 = 3;

/// Unix seconds at genesis in every test.
pub const GENESIS_SECS: u64 = 1_700_000_000;

/// Genesis: Alice 20,000 ECT, Bob 1,100 ECT; ECT max supply 1,000,000 ECT
/// unless set; the default tiers unless set.
pub struct ExtBuilder {
    balances: Vec<(u64, Balance)>,
    max_supply: Balance,
    tiers: Vec<TierInfo>,
}

impl Default for ExtBuilder {
    fn default() -> Self {
        Self {
            balances: vec![(ALICE, 20_000 * ECT), (BOB, 1_100 * ECT)],
            max_supply: 1_000_000 * ECT,
            tiers: crate::default_tiers(),
        }
    }
}

impl ExtBuilder {
    pub fn max_supply(mut self, max: Balance) -> Self {
        self.max_supply = max;
        self
    }

    pub fn balances(mut self, balances: Vec<(u64, Balance)>) -> Self {
        self.balances = balances;
        self
    }

    pub fn tiers(mut self, tiers: Vec<TierInfo>) -> Self {
        self.tiers = tiers;
        self
    }

    pub fn build(self) -> sp_io::TestExternalities {
        let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system genesis");
        pallet_balances::GenesisConfig::<Test> { balances: self.balances, ..Default::default() }
            .assimilate_storage(&mut storage)
            .expect("balances genesis");
        pallet_ect::GenesisConfig::<Test> {
            max_supply: self.max_supply,
            apy_bps: pallet_ect::DEFAULT_APY_BPS,
            paused: false,
            _config: Default::default(),
        }
        .assimilate_storage(&mut storage)
        .expect("ect genesis");
        pallet_est::GenesisConfig::<Test> { tiers: self.tiers, _config: Default::default() }
            .assimilate_storage(&mut storage)
            .expect("est genesis");
        let mut ext = sp_io::TestExternalities::new(storage);
        ext.execute_with(|| {
            System::set_block_number(1);
            Timestamp::set_timestamp(GENESIS_SECS * 1_000);
        });
        ext
    }

    /// Run `test`, then check the pallets' invariants.
    pub fn build_and_execute(self, test: impl FnOnce()) {
        self.build().execute_with(|| {
            test();
            check_invariants();
        });
    }
}

/// EST's and ECT's invariants, plus: every `Est(Staked)` hold in
/// `pallet-balances` matches the account's EST balance (so no account holds
/// under EST without positions), and balances sum to total issuance.
pub fn check_invariants() {
    Est::do_try_state().expect("EST invariants hold");
    Ect::do_try_state().expect("ECT invariants hold");
    for (who, holds) in pallet_balances::Holds::<Test>::iter() {
        for hold in holds.iter() {
            if hold.id == RuntimeHoldReason::Est(crate::HoldReason::Staked) {
                assert_eq!(hold.amount, Est::est_balance(&who), "EST hold matches the EST balance");
            }
        }
    }
    let sum: Balance = frame_system::Account::<Test>::iter().map(|(_, a)| a.data.free + a.data.reserved).sum();
    assert_eq!(sum, pallet_balances::TotalIssuance::<Test>::get(), "balances sum to total issuance");
}

/// Unix seconds now.
pub fn now_secs() -> u64 {
    pallet_timestamp::Now::<Test>::get() / 1_000
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

/// A bounded tier name.
pub fn name(s: &str) -> frame_support::BoundedVec<u8, MaxNameLen> {
    s.as_bytes().to_vec().try_into().expect("name within MaxNameLen")
}
