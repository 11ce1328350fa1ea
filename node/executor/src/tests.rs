//! Executor tests on an in-memory trie built from the dev genesis.

use super::*;
use ecochain_primitives::ECT;
use ecochain_runtime::{signing::sign_immortal, RuntimeCall};
use sp_keyring::Sr25519Keyring::{Alice, Bob};
use sp_runtime::BuildStorage;
use sp_state_machine::InMemoryBackend;

fn dev_genesis() -> (InMemoryBackend<BlakeTwo256>, Header) {
    let storage = ecochain_runtime::genesis::development().build_storage().expect("genesis builds");
    let backend = InMemoryBackend::<BlakeTwo256>::from((storage, STATE_VERSION));
    let root = *backend.root();
    (backend, Executor::genesis_header(root))
}

fn transfer(amount: u128) -> RuntimeCall {
    RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
        dest: Bob.to_account_id().into(),
        value: amount,
    })
}

#[test]
fn core_version_is_native() {
    let (state, _) = dev_genesis();
    let version: sp_version::RuntimeVersion =
        Executor::default().call_decode(&state, "Core_version", &[]).expect("version");
    assert_eq!(version, ecochain_runtime::VERSION);
}

#[test]
fn unknown_method_is_an_error() {
    let (state, _) = dev_genesis();
    assert!(matches!(Executor::default().call(&state, "Nope_nothing", &[]), Err(Error::UnknownMethod(_))));
}

#[test]
fn built_block_reimports_to_the_same_root() {
    let (state, genesis) = dev_genesis();
    let g = genesis.hash();
    let mut builder = BlockBuilder::new(Executor::default(), &state, &genesis, Default::default()).expect("init");
    builder.push_inherents(1_000).expect("inherents");
    builder.push(sign_immortal(transfer(ECT), &Alice.pair(), 0, g).encode()).expect("transfer applies");
    // A stale nonce is refused and leaves no trace.
    let refused = builder.push(sign_immortal(transfer(ECT), &Alice.pair(), 0, g).encode());
    assert!(matches!(refused, Err(PushError::Invalid(_))));
    assert_eq!(builder.len(), 2);
    let built = builder.build().expect("finalize");
    assert_eq!(built.header.number, 1);
    assert_eq!(built.header.parent_hash, g);
    assert_eq!(built.changes.transaction_storage_root, built.header.state_root);

    let block = ecochain_runtime::Block {
        header: built.header.clone(),
        extrinsics: built
            .extrinsics
            .iter()
            .map(|x| ecochain_runtime::UncheckedExtrinsic::decode(&mut &x[..]).expect("decodes"))
            .collect(),
    };
    let (fresh, _) = dev_genesis();
    let changes = Executor::default().execute_block(&fresh, &block).expect("imports");
    assert_eq!(changes.transaction_storage_root, built.header.state_root);
}

#[test]
fn runtime_panic_is_caught() {
    let (state, genesis) = dev_genesis();
    let mut header = genesis.clone();
    header.number = 1;
    header.parent_hash = genesis.hash();
    header.state_root = sp_core::H256::repeat_byte(9);
    let block = ecochain_runtime::Block { header, extrinsics: vec![] };
    // Executive panics on a wrong state root / missing inherent: the node survives.
    let err = Executor::default().execute_block(&state, &block).err().expect("refused");
    assert!(matches!(err, Error::RuntimePanicked { .. }), "{err}");
}
