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

/// The block `built`, decoded as an importer receives it.
fn decoded(built: &BuiltBlock) -> ecochain_runtime::Block {
    ecochain_runtime::Block {
        header: built.header.clone(),
        extrinsics: built
            .extrinsics
            .iter()
            .map(|x| ecochain_runtime::UncheckedExtrinsic::decode(&mut &x[..]).expect("decodes"))
            .collect(),
    }
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
    // The inherent is in the v4 bare format: after its one-byte length, version 4, unsigned.
    assert_eq!(built.extrinsics[0][1], 0x04, "timestamp inherent {:02x?}", built.extrinsics[0]);
    assert_eq!(built.header.number, 1);
    assert_eq!(built.header.parent_hash, g);
    assert_eq!(built.changes.transaction_storage_root, built.header.state_root);

    let block = decoded(&built);
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

/// `TaggedTransactionQueue_validate_transaction(External, xt, at)` on `state`.
fn validate(executor: &Executor, state: &InMemoryBackend<BlakeTwo256>, xt: &[u8], at: sp_core::H256) -> bool {
    let mut data = sp_runtime::transaction_validity::TransactionSource::External.encode();
    data.extend_from_slice(xt);
    data.extend_from_slice(at.as_bytes());
    let validity: sp_runtime::transaction_validity::TransactionValidity =
        executor.call_decode(state, "TaggedTransactionQueue_validate_transaction", &data).expect("validation runs");
    validity.is_ok()
}

#[test]
fn a_signature_is_verified_once_per_node() {
    let (state, genesis) = dev_genesis();
    let g = genesis.hash();
    let executor = Executor::with_signature_cache(1024);
    let xt = sign_immortal(transfer(ECT), &Alice.pair(), 0, g).encode();

    // Pool admission verifies; re-validation and block building find it cached.
    assert!(validate(&executor, &state, &xt, g));
    assert_eq!(executor.signature_cache().stats().misses, 1);
    assert!(validate(&executor, &state, &xt, g));
    let mut builder = BlockBuilder::new(executor.clone(), &state, &genesis, Default::default()).expect("init");
    builder.push_inherents(1_000).expect("inherents");
    builder.push(xt.clone()).expect("transfer applies");
    let built = builder.build().expect("finalize");
    let stats = executor.signature_cache().stats();
    assert_eq!((stats.misses, stats.hits, stats.len), (1, 2, 1));

    // A node that never saw it verifies it at import, once.
    let block = decoded(&built);
    let other = Executor::with_signature_cache(1024);
    let (fresh, _) = dev_genesis();
    let changes = other.execute_block(&fresh, &block).expect("imports");
    assert_eq!(changes.transaction_storage_root, built.header.state_root);
    assert_eq!(other.signature_cache().stats().misses, 1);
}

#[test]
fn a_cached_signature_does_not_cover_another_payload() {
    let (state, genesis) = dev_genesis();
    let g = genesis.hash();
    let executor = Executor::with_signature_cache(1024);
    let genuine = sign_immortal(transfer(ECT), &Alice.pair(), 0, g);
    assert!(validate(&executor, &state, &genuine.encode(), g));

    // Alice's cached signature, moved onto a larger transfer: refused (BadProof), never cached.
    let mut forged = sign_immortal(transfer(1_000 * ECT), &Alice.pair(), 0, g);
    if let (sp_runtime::generic::Preamble::Signed(_, forged_sig, _), sp_runtime::generic::Preamble::Signed(_, sig, _)) =
        (&mut forged.preamble, &genuine.preamble)
    {
        *forged_sig = sig.clone();
    }
    for _ in 0..2 {
        assert!(!validate(&executor, &state, &forged.encode(), g));
    }
    let stats = executor.signature_cache().stats();
    assert_eq!((stats.len, stats.hits, stats.misses), (1, 0, 3));

    let mut builder = BlockBuilder::new(executor.clone(), &state, &genesis, Default::default()).expect("init");
    builder.push_inherents(1_000).expect("inherents");
    assert!(matches!(builder.push(forged.encode()), Err(PushError::Invalid(_))));
}
