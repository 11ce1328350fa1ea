//! A mock runtime: System, Timestamp and EGM (EGM moves no ECT, so neither
//! Balances nor ECT are needed).

use crate::{self as pallet_egm, FeatureId, GemId, VipStatus, VipThresholds};
use ecochain_primitives::{Balance, Role, RoleProvider};
use frame_support::{derive_impl, parameter_types, BoundedVec};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Timestamp: pallet_timestamp,
        Egm: pallet_egm,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CHARLIE: u64 = 3;
/// Holds the Minter role.
pub const MINTER: u64 = 10;

/// Only [`MINTER`] holds a role, and only Minter.
pub struct MockRoles;

impl RoleProvider<u64> for MockRoles {
    fn has_role(who: &u64, role: Role) -> bool {
        *who == MINTER && role == Role::Minter
    }
}

parameter_types! {
    pub const MaxGemsPerOwner: u32 = 8;
    pub const MaxGemTypeLen: u32 = 16;
    pub const MaxMetadataLen: u32 = 32;
    pub const MaxBenefits: u32 = 3;
    pub const MaxBenefitLen: u32 = 24;
    pub const MaxFeatures: u32 = 4;
    pub const MaxNameLen: u32 = 16;
    pub const MaxGemsPerAccess: u32 = 4;
}

impl pallet_egm::Config for Test {
    type AdminOrigin = frame_system::EnsureRoot<u64>;
    type Roles = MockRoles;
    type Time = Timestamp;
    type WeightInfo = crate::weights::SubstrateWeight<Test>;
    type MaxGemsPerOwner = MaxGemsPerOwner;
    type MaxGemTypeLen = MaxGemTypeLen;
    type MaxMetadataLen = MaxMetadataLen;
    type MaxBenefits = MaxBenefits;
    type MaxBenefitLen = MaxBenefitLen;
    type MaxFeatures = MaxFeatures;
    type MaxNameLen = MaxNameLen;
    type MaxGemsPerAccess = MaxGemsPerAccess;
}

/// Genesis feature: free, for everyone, 1 day.
pub const FREE: FeatureId = 1;
/// Genesis feature: Silver and up, free, 1 hour.
pub const SILVER_LOUNGE: FeatureId = 2;
/// Genesis feature: Bronze and up, costs 300 gem value, 30 days.
pub const PREMIUM: FeatureId = 3;
/// The clock at genesis, Unix ms.
pub const START_MS: u64 = 1_000_000;

pub type Features = Vec<(FeatureId, Vec<u8>, VipStatus, Balance, u64)>;

/// Genesis: default thresholds, Bronze and Gold benefits, three features.
pub struct ExtBuilder {
    thresholds: VipThresholds,
    benefits: Vec<(VipStatus, Vec<Vec<u8>>)>,
    features: Features,
}

impl Default for ExtBuilder {
    fn default() -> Self {
        Self {
            thresholds: VipThresholds::default(),
            benefits: vec![
                (VipStatus::Bronze, vec![b"badge".to_vec()]),
                (VipStatus::Gold, vec![b"badge".to_vec(), b"priority support".to_vec()]),
            ],
            features: vec![
                (FREE, b"newsletter".to_vec(), VipStatus::None, 0, 86_400),
                (SILVER_LOUNGE, b"lounge".to_vec(), VipStatus::Silver, 0, 3_600),
                (PREMIUM, b"analytics".to_vec(), VipStatus::Bronze, 300, 30 * 86_400),
            ],
        }
    }
}

impl ExtBuilder {
    pub fn thresholds(mut self, thresholds: VipThresholds) -> Self {
        self.thresholds = thresholds;
        self
    }

    pub fn benefits(mut self, benefits: Vec<(VipStatus, Vec<Vec<u8>>)>) -> Self {
        self.benefits = benefits;
        self
    }

    pub fn features(mut self, features: Features) -> Self {
        self.features = features;
        self
    }

    pub fn build(self) -> sp_io::TestExternalities {
        let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system genesis");
        pallet_egm::GenesisConfig::<Test> {
            vip_thresholds: self.thresholds,
            vip_benefits: self.benefits,
            features: self.features,
            _config: Default::default(),
        }
        .assimilate_storage(&mut storage)
        .expect("egm genesis");
        let mut ext = sp_io::TestExternalities::new(storage);
        ext.execute_with(|| {
            System::set_block_number(1);
            Timestamp::set_timestamp(START_MS);
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
    Egm::do_try_state().expect("EGM invariants hold");
}

/// Advance the clock by `secs` seconds (and the block number by one).
pub fn advance_secs(secs: u64) {
    let now = pallet_timestamp::Now::<Test>::get();
    System::set_block_number(System::block_number() + 1);
    pallet_timestamp::Now::<Test>::put(now + secs * 1_000);
}

pub fn now_ms() -> u64 {
    pallet_timestamp::Now::<Test>::get()
}

pub fn last_event() -> RuntimeEvent {
    System::events().pop().expect("an event was emitted").event
}

/// Bounded bytes for call arguments.
pub fn bounded<S: frame_support::traits::Get<u32>>(bytes: &[u8]) -> BoundedVec<u8, S> {
    bytes.to_vec().try_into().expect("within the bound")
}

/// `MINTER` mints a "ruby" of rarity 3 and `value` to `to`; returns its id.
pub fn mint_gem(to: u64, value: Balance) -> GemId {
    frame_support::assert_ok!(Egm::mint(
        RuntimeOrigin::signed(MINTER),
        to,
        bounded(b"ruby"),
        3,
        value,
        bounded(b"ipfs://gem")
    ));
    crate::LastGemId::<Test>::get()
}

/// Gem ids as an `access_feature` argument.
pub fn gem_list(ids: &[GemId]) -> BoundedVec<GemId, MaxGemsPerAccess> {
    ids.to_vec().try_into().expect("within MaxGemsPerAccess")
}
