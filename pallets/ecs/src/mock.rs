//! A mock runtime: System, Timestamp and ECS (ECS moves no ECT, so no currency).

use crate as pallet_ecs;
use crate::GenesisLevel;
use ecochain_primitives::{Role, RoleProvider};
use frame_support::{derive_impl, parameter_types};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Timestamp: pallet_timestamp,
        Ecs: pallet_ecs,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

pub const ORACLE: u64 = 10;
pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;

/// Only [`ORACLE`] holds a role, and only `Oracle`.
pub struct MockRoles;

impl RoleProvider<u64> for MockRoles {
    fn has_role(who: &u64, role: Role) -> bool {
        *who == ORACLE && role == Role::Oracle
    }
}

parameter_types! {
    pub const MaxLevels: u32 = 6;
    pub const MaxBenefits: u32 = 3;
    pub const MaxNameLen: u32 = 32;
    pub const MaxAchievements: u32 = 3;
    pub const MaxReasonLen: u32 = 64;
}

impl pallet_ecs::Config for Test {
    type AdminOrigin = frame_system::EnsureRoot<u64>;
    type Roles = MockRoles;
    type Time = Timestamp;
    type WeightInfo = crate::weights::SubstrateWeight<Test>;
    type MaxLevels = MaxLevels;
    type MaxBenefits = MaxBenefits;
    type MaxNameLen = MaxNameLen;
    type MaxAchievements = MaxAchievements;
    type MaxReasonLen = MaxReasonLen;
}

/// Genesis: the default ladder and max score unless set.
#[derive(Default)]
pub struct ExtBuilder {
    max_score: u32,
    levels: Vec<GenesisLevel>,
}

impl ExtBuilder {
    pub fn max_score(mut self, max: u32) -> Self {
        self.max_score = max;
        self
    }

    pub fn levels(mut self, levels: Vec<GenesisLevel>) -> Self {
        self.levels = levels;
        self
    }

    pub fn build(self) -> sp_io::TestExternalities {
        let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system genesis");
        pallet_ecs::GenesisConfig::<Test> {
            max_score: self.max_score,
            levels: self.levels,
            _config: Default::default(),
        }
        .assimilate_storage(&mut storage)
        .expect("ecs genesis");
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

pub fn check_invariants() {
    Ecs::do_try_state().expect("ECS invariants hold");
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

/// This pallet's events, oldest first.
pub fn ecs_events() -> Vec<crate::Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::Ecs(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// A bounded text from a string (panics past the bound: tests only).
pub fn text<S: frame_support::traits::Get<u32>>(s: &str) -> frame_support::BoundedVec<u8, S> {
    s.as_bytes().to_vec().try_into().expect("text within bound")
}

pub fn oracle() -> RuntimeOrigin {
    RuntimeOrigin::signed(ORACLE)
}
