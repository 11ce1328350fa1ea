//! A mock runtime: System, Balances (ECT), Timestamp, the real ECT pallet and ECR.

use crate as pallet_ecr;
use crate::{GenesisCertificate, TokenId};
use ecochain_primitives::{Balance, Role, RoleProvider, ECT};
use frame_support::{derive_impl, traits::ConstU32, BoundedVec};
use sp_runtime::BuildStorage;
use std::cell::RefCell;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Balances: pallet_balances,
        Timestamp: pallet_timestamp,
        Ect: pallet_ect,
        Ecr: pallet_ecr,
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
pub const CHARLIE: u64 = 3;
/// Holds `Role::Issuer` at the start of every test.
pub const ISSUER: u64 = 10;
/// A second issuer.
pub const ISSUER2: u64 = 11;

/// Most tokens per owner in the mock.
pub const MAX_TOKENS: u32 = 8;

thread_local! {
    static ISSUERS: RefCell<Vec<u64>> = RefCell::new(vec![ISSUER, ISSUER2]);
}

/// Issuers are the accounts in a thread-local list; other roles are never held.
pub struct MockRoles;

impl RoleProvider<u64> for MockRoles {
    fn has_role(who: &u64, role: Role) -> bool {
        role == Role::Issuer && ISSUERS.with(|i| i.borrow().contains(who))
    }
}

/// Take `Role::Issuer` away from `who`.
pub fn remove_issuer(who: u64) {
    ISSUERS.with(|i| i.borrow_mut().retain(|x| *x != who));
}

impl pallet_ecr::Config for Test {
    type AdminOrigin = frame_system::EnsureRoot<u64>;
    type Roles = MockRoles;
    type Time = Timestamp;
    type Currency = Balances;
    type Ect = Ect;
    type WeightInfo = crate::weights::SubstrateWeight<Test>;
    type MaxCertificateTypeLen = ConstU32<32>;
    type MaxMetadataLen = ConstU32<128>;
    type MaxTokensPerOwner = ConstU32<MAX_TOKENS>;
}

/// Mock clock at the start of each test, Unix ms.
pub const START_MS: u64 = 1_700_000_000_000;

/// Genesis: Alice, Bob and Charlie 1,000 ECT each; no certificates unless set.
pub struct ExtBuilder {
    balances: Vec<(u64, Balance)>,
    certificates: Vec<GenesisCertificate<u64>>,
    ect_paused: bool,
}

impl Default for ExtBuilder {
    fn default() -> Self {
        Self {
            balances: vec![(ALICE, 1_000 * ECT), (BOB, 1_000 * ECT), (CHARLIE, 1_000 * ECT)],
            certificates: vec![],
            ect_paused: false,
        }
    }
}

impl ExtBuilder {
    pub fn certificates(mut self, certificates: Vec<GenesisCertificate<u64>>) -> Self {
        self.certificates = certificates;
        self
    }

    pub fn ect_paused(mut self) -> Self {
        self.ect_paused = true;
        self
    }

    pub fn build(self) -> sp_io::TestExternalities {
        ISSUERS.with(|i| *i.borrow_mut() = vec![ISSUER, ISSUER2]);
        let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system genesis");
        pallet_balances::GenesisConfig::<Test> { balances: self.balances, ..Default::default() }
            .assimilate_storage(&mut storage)
            .expect("balances genesis");
        pallet_ect::GenesisConfig::<Test> {
            max_supply: 10_000 * ECT,
            apy_bps: pallet_ect::DEFAULT_APY_BPS,
            paused: self.ect_paused,
            _config: Default::default(),
        }
        .assimilate_storage(&mut storage)
        .expect("ect genesis");
        pallet_ecr::GenesisConfig::<Test> { certificates: self.certificates }
            .assimilate_storage(&mut storage)
            .expect("ecr genesis");
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

/// ECR's invariants, plus ECT's.
pub fn check_invariants() {
    Ecr::do_try_state().expect("ECR invariants hold");
    Ect::do_try_state().expect("ECT invariants hold");
}

pub fn last_event() -> RuntimeEvent {
    System::events().pop().expect("an event was emitted").event
}

/// The pallet's events, oldest first.
pub fn ecr_events() -> Vec<crate::Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|r| if let RuntimeEvent::Ecr(e) = r.event { Some(e) } else { None })
        .collect()
}

pub fn bytes<S: frame_support::traits::Get<u32>>(b: &[u8]) -> BoundedVec<u8, S> {
    BoundedVec::try_from(b.to_vec()).expect("within bound")
}

/// `ISSUER` mints a rarity-3 "reforestation" certificate (impact 100) to `to`.
pub fn mint_to(to: u64) -> TokenId {
    assert!(
        Ecr::mint(RuntimeOrigin::signed(ISSUER), to, bytes(b"reforestation"), 100, 3, bytes(b"ipfs://cert")).is_ok()
    );
    crate::LastTokenId::<Test>::get()
}

/// A valid genesis certificate.
pub fn genesis_certificate(owner: u64) -> GenesisCertificate<u64> {
    GenesisCertificate {
        owner,
        issuer: ISSUER,
        certificate_type: b"solar".to_vec(),
        impact_score: 42,
        rarity: 5,
        metadata: b"ipfs://genesis".to_vec(),
        issued_at: 1_600_000_000_000,
    }
}
