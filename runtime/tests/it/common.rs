//! Helpers: genesis externalities, signing with dev keys, building blocks.

use ecochain_runtime::{
    Block, Executive, Header, Nonce, Runtime, RuntimeCall, RuntimeGenesisConfig, UncheckedExtrinsic,
};
use sp_core::H256;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
    generic::Digest,
    traits::{BlakeTwo256, Hash as _, Header as _},
    BuildStorage, StateVersion,
};

/// The chain under test: genesis storage and the genesis header.
pub struct Chain {
    pub storage: sp_runtime::Storage,
    pub genesis: Header,
}

impl Chain {
    pub fn new(config: RuntimeGenesisConfig) -> Self {
        let storage = config.build_storage().expect("genesis builds");
        let root =
            sp_io::TestExternalities::new(storage.clone()).execute_with(|| sp_io::storage::root(StateVersion::V1));
        let genesis = Header::new(
            0,
            BlakeTwo256::ordered_trie_root(vec![], StateVersion::V0),
            H256::from_slice(&root),
            H256::zero(),
            Digest::default(),
        );
        Self { storage, genesis }
    }

    pub fn dev() -> Self {
        Self::new(ecochain_runtime::genesis::development())
    }

    pub fn genesis_hash(&self) -> H256 {
        self.genesis.hash()
    }

    /// Externalities at genesis.
    pub fn ext(&self) -> sp_io::TestExternalities {
        sp_io::TestExternalities::new(self.storage.clone())
    }
}

/// Sign `call` as `signer` with `nonce`, immortal, for the chain with `genesis_hash`.
pub fn sign(call: RuntimeCall, signer: Sr25519Keyring, nonce: Nonce, genesis_hash: H256) -> UncheckedExtrinsic {
    ecochain_runtime::signing::sign_immortal(call, &signer.pair(), nonce, genesis_hash)
}

/// The timestamp inherent, in the v4 bare format the node's block builder uses.
pub fn timestamp(now_ms: u64) -> UncheckedExtrinsic {
    UncheckedExtrinsic::new_bare_legacy(RuntimeCall::Timestamp(pallet_timestamp::Call::set { now: now_ms }))
}

/// Author a block on top of `parent` in the current externalities: initialize,
/// apply the timestamp inherent and `extrinsics`, finalize. Returns the block
/// and each extrinsic's dispatch outcome.
pub fn author_block(
    parent: &Header,
    now_ms: u64,
    extrinsics: Vec<UncheckedExtrinsic>,
) -> (Block, Vec<sp_runtime::DispatchOutcome>) {
    let pre = Header::new(parent.number + 1, H256::zero(), H256::zero(), parent.hash(), Digest::default());
    Executive::initialize_block(&pre);
    let mut applied = vec![timestamp(now_ms)];
    Executive::apply_extrinsic(applied[0].clone()).expect("inherent is valid").expect("inherent dispatches");
    let mut outcomes = Vec::new();
    for xt in extrinsics {
        let outcome = Executive::apply_extrinsic(xt.clone()).expect("extrinsic is valid");
        outcomes.push(outcome);
        applied.push(xt);
    }
    let header = Executive::finalize_block();
    (Block { header, extrinsics: applied }, outcomes)
}

/// Import `block` in the current externalities (re-executes and checks roots).
pub fn import_block(block: Block) {
    let lazy = sp_runtime::generic::LazyBlock::new(block.header, block.extrinsics);
    Executive::execute_block(lazy);
}

/// Events of the block being executed.
pub fn events() -> Vec<ecochain_runtime::RuntimeEvent> {
    frame_system::Pallet::<Runtime>::read_events_no_consensus().map(|r| r.event).collect()
}

/// A `Header` whose hash is the block hash clients compute.
pub fn block_hash(header: &Header) -> H256 {
    BlakeTwo256::hash_of(header)
}

/// Maximum normal extrinsic weight, to size loops in tests.
pub fn max_block_ref_time() -> u64 {
    <<Runtime as frame_system::Config>::BlockWeights as frame_support::traits::Get<
        frame_system::limits::BlockWeights,
    >>::get()
    .max_block
    .ref_time()
}
