//! A mock runtime: System, Balances (ECT, the currency), Timestamp, the real
//! ECT pallet (pause) and CCR.

use crate as pallet_ccr;
use crate::{BeneficiaryOf, GenesisBatch, VerificationIdOf};
use ecochain_primitives::{Balance, Moment, Role, RoleProvider, ECT};
use frame_support::{derive_impl, parameter_types};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Balances: pallet_balances,
        Timestamp: pallet_timestamp,
        Ect: pallet_ect,
        Ccr: pallet_ccr,
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
/// Holds the verifier role.
pub const VERIFIER: u64 = 10;

/// Only [`VERIFIER`] is a verifier; nobody holds other roles.
pub struct MockRoles;
impl RoleProvider<u64> for MockRoles {
    fn has_role(who: &u64, role: Role) -> bool {
        role == Role::Verifier && *who == VERIFIER
    }
}

parameter_types! {
    pub const MaxIdLen: u32 = 16;
    pub const MaxBeneficiaryLen: u32 = 32;
    pub const MaxListings: u32 = 4;
    pub const MaxListingsPerSeller: u32 = 3;
}

impl pallet_ccr::Config for Test {
    type Roles = MockRoles;
    type Time = Timestamp;
    type Currency = Balances;
    type Ect = Ect;
    type WeightInfo = crate::weights::SubstrateWeight<Test>;
    type MaxIdLen = MaxIdLen;
    type MaxBeneficiaryLen = MaxBeneficiaryLen;
    type MaxListings = MaxListings;
    type MaxListingsPerSeller = MaxListingsPerSeller;
}

/// The mock clock at genesis (Unix milliseconds).
pub const START: Moment = 1_000_000;
/// One day in milliseconds.
pub const DAY_MS: Moment = 24 * 60 * 60 * 1_000;
/// One year (365 days) in milliseconds.
pub const YEAR_MS: Moment = 365 * DAY_MS;

/// Genesis: Alice 1,000 ECT, Bob 1,000 ECT, Charlie 10 ECT; no batches unless added.
pub struct ExtBuilder {
    balances: Vec<(u64, Balance)>,
    batches: Vec<GenesisBatch<u64>>,
}

impl Default for ExtBuilder {
    fn default() -> Self {
        Self { balances: vec![(ALICE, 1_000 * ECT), (BOB, 1_000 * ECT), (CHARLIE, 10 * ECT)], batches: vec![] }
    }
}

impl ExtBuilder {
    pub fn batch(mut self, batch: GenesisBatch<u64>) -> Self {
        self.batches.push(batch);
        self
    }

    pub fn build(self) -> sp_io::TestExternalities {
        let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system genesis");
        pallet_balances::GenesisConfig::<Test> { balances: self.balances, ..Default::default() }
            .assimilate_storage(&mut storage)
            .expect("balances genesis");
        pallet_ect::GenesisConfig::<Test> {
            max_supply: 0,
            apy_bps: pallet_ect::DEFAULT_APY_BPS,
            paused: false,
            _config: Default::default(),
        }
        .assimilate_storage(&mut storage)
        .expect("ect genesis");
        pallet_ccr::GenesisConfig::<Test> { batches: self.batches }
            .assimilate_storage(&mut storage)
            .expect("ccr genesis");
        let mut ext = sp_io::TestExternalities::new(storage);
        ext.execute_with(|| {
            System::set_block_number(1);
            Timestamp::set_timestamp(START);
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

/// CCR's invariants (ECT's as well, since CCR moves ECT).
pub fn check_invariants() {
    Ccr::do_try_state().expect("CCR invariants hold");
    Ect::do_try_state().expect("ECT invariants hold");
}

/// A genesis batch for `owner` with the given id, valid for a year from genesis.
pub fn genesis_batch(owner: u64, amount: Balance, id: &[u8]) -> GenesisBatch<u64> {
    GenesisBatch {
        owner,
        amount,
        verification_id: id.to_vec(),
        verifier: VERIFIER,
        issue_date: 0,
        expiry_date: START + YEAR_MS,
    }
}

/// Bound a verification id.
pub fn vid(id: &[u8]) -> VerificationIdOf<Test> {
    id.to_vec().try_into().expect("test ids fit MaxIdLen")
}

/// Bound a beneficiary.
pub fn beneficiary(text: &[u8]) -> BeneficiaryOf<Test> {
    text.to_vec().try_into().expect("test beneficiaries fit MaxBeneficiaryLen")
}

/// Issue `amount` credits to `to` under `id`, expiring `valid_ms` from now; returns the batch id.
pub fn issue(to: u64, amount: Balance, id: &[u8], valid_ms: Moment) -> crate::BatchId {
    let now = Ccr::now_ms();
    Ccr::issue(RuntimeOrigin::signed(VERIFIER), to, amount, vid(id), now, now + valid_ms).expect("issue succeeds");
    crate::LastBatchId::<Test>::get()
}

/// Advance the clock by `ms` milliseconds (and the block number by one).
pub fn advance_ms(ms: Moment) {
    let now = pallet_timestamp::Now::<Test>::get();
    System::set_block_number(System::block_number() + 1);
    pallet_timestamp::Now::<Test>::put(now + ms);
}

pub fn last_event() -> RuntimeEvent {
    System::events().pop().expect("an event was emitted").event
}
