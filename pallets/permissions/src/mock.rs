#![allow(missing_docs)]
//! A mock runtime: System and Permissions, with the admin origin being root or
//! a validator majority, as in the real runtime.

use crate as pallet_permissions;
use frame_support::{derive_impl, parameter_types, traits::EitherOfDiverse, weights::Weight};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Permissions: pallet_permissions,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
}

parameter_types! {
    pub const ChangeDelay: u64 = 5;
    pub const ProposalLifetime: u64 = 100;
    pub MaxProposalWeight: Weight = Weight::from_parts(1_000_000_000_000, 1_000_000);
}

impl pallet_permissions::Config for Test {
    type ProposalOrigin = RuntimeOrigin;
    type Proposal = RuntimeCall;
    type AdminOrigin =
        EitherOfDiverse<frame_system::EnsureRoot<u64>, pallet_permissions::EnsureValidatorMajority<Test>>;
    type ChangeDelay = ChangeDelay;
    type ProposalLifetime = ProposalLifetime;
    type MaxValidators = frame_support::traits::ConstU32<8>;
    type MaxProposalLen = frame_support::traits::ConstU32<1024>;
    type MaxProposalWeight = MaxProposalWeight;
    type MaxPeerIdLen = frame_support::traits::ConstU32<64>;
    type MaxSignedTxBytes = frame_support::traits::ConstU32<2048>;
    type OnlineWindow = frame_support::traits::ConstU64<20>;
    type OnBridgeKeysChange = RecordKeys;
    type WeightInfo = pallet_permissions::weights::SubstrateWeight<Test>;
}

pub const V1: u64 = 1;
pub const V2: u64 = 2;
pub const V3: u64 = 3;
pub const OUTSIDER: u64 = 9;
/// Validator 1's node peer id, registered at genesis.
pub const NODE_V1: &str = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";

pub fn key(n: u8) -> [u8; 32] {
    [n; 32]
}

/// Validator `n`'s bridge key.
pub fn bridge(n: u8) -> sp_core::H160 {
    sp_core::H160::repeat_byte(n)
}

std::thread_local! {
    static KEY_CHANGES: std::cell::RefCell<Vec<Vec<sp_core::H160>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Records every bridge key change the pallet reports.
pub struct RecordKeys;

impl ecochain_primitives::OnBridgeKeysChange for RecordKeys {
    fn bridge_keys_changed(keys: Vec<sp_core::H160>) {
        KEY_CHANGES.with(|c| c.borrow_mut().push(keys));
    }
}

/// The bridge key changes reported so far (and forget them).
pub fn take_key_changes() -> Vec<Vec<sp_core::H160>> {
    KEY_CHANGES.with(|c| std::mem::take(&mut *c.borrow_mut()))
}

/// Genesis: validators 1, 2, 3 (keys [1;32], [2;32], [3;32]).
pub struct ExtBuilder {
    validators: Vec<(u64, [u8; 32])>,
    allow_list: bool,
}

impl Default for ExtBuilder {
    fn default() -> Self {
        Self { validators: vec![(V1, key(1)), (V2, key(2)), (V3, key(3))], allow_list: false }
    }
}

impl ExtBuilder {
    pub fn validators(mut self, validators: Vec<(u64, [u8; 32])>) -> Self {
        self.validators = validators;
        self
    }

    pub fn allow_list(mut self) -> Self {
        self.allow_list = true;
        self
    }

    pub fn build(self) -> sp_io::TestExternalities {
        let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system genesis");
        pallet_permissions::GenesisConfig::<Test> {
            validators: self.validators.clone(),
            allowed_nodes: vec!["12D3KooWGenesisNode".into()],
            validator_nodes: vec![(V1, NODE_V1.into())],
            allowed_accounts: vec![4],
            account_allow_list_enabled: self.allow_list,
            roles: vec![(5, ecochain_primitives::Role::Oracle)],
            bridge_keys: self.validators.iter().map(|(a, k)| (*a, bridge(k[0]))).collect(),
        }
        .assimilate_storage(&mut storage)
        .expect("permissions genesis");
        let mut ext = sp_io::TestExternalities::new(storage);
        ext.execute_with(|| System::set_block_number(1));
        ext
    }

    pub fn build_and_execute(self, test: impl FnOnce()) {
        self.build().execute_with(|| {
            test();
            Permissions::do_try_state().expect("permissions invariants hold");
        });
    }
}

/// Run blocks up to `n`, calling the pallet's `on_initialize`.
pub fn run_to_block(n: u64) {
    use frame_support::traits::Hooks;
    while System::block_number() < n {
        System::set_block_number(System::block_number() + 1);
        Permissions::on_initialize(System::block_number());
    }
}

pub fn last_event() -> RuntimeEvent {
    System::events().pop().expect("an event was emitted").event
}

pub fn validator_accounts() -> Vec<u64> {
    Permissions::validators().into_iter().map(|v| v.account).collect()
}
