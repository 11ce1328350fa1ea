//! The runtime's identity at `:code`: written at genesis by the node, rewritten
//! by the first block of a newer runtime, whose header says so.

use crate::common::*;
use codec::Decode;
use ecochain_runtime::{
    identity::{runtime_identity, MAGIC},
    Runtime, VERSION,
};
use sp_core::storage::well_known_keys::CODE;
use sp_runtime::DigestItem;

#[test]
fn identity_is_the_magic_then_the_scale_version() {
    let id = runtime_identity();
    assert!(id.starts_with(MAGIC), "{id:?}");
    let version = sp_version::RuntimeVersion::decode(&mut &id[MAGIC.len()..]).expect("a RuntimeVersion");
    assert_eq!(version, VERSION);
    assert_eq!(ecochain_runtime::identity::version_of(&id), Some(VERSION));
    assert_eq!(ecochain_runtime::identity::version_of(b"\0asm wasm code"), None);
}

#[test]
fn a_newer_runtime_rewrites_code_and_says_so_in_its_header() {
    let chain = Chain::dev();
    chain.ext().execute_with(|| {
        // The chain's last runtime was the previous spec, with its own identity.
        let old = [MAGIC, b"an older build"].concat();
        sp_io::storage::set(CODE, &old);
        frame_system::LastRuntimeUpgrade::<Runtime>::put(frame_system::LastRuntimeUpgradeInfo {
            spec_version: (VERSION.spec_version - 1).into(),
            spec_name: VERSION.spec_name.clone(),
        });
        let (first, _) = author_block(&chain.genesis, 1_000, vec![]);
        assert_eq!(sp_io::storage::get(CODE).map(|b| b.to_vec()), Some(runtime_identity()));
        assert!(first.header.digest.logs.contains(&DigestItem::RuntimeEnvironmentUpdated), "{:?}", first.header.digest);
        // Once enacted, later blocks change nothing and say nothing.
        let (second, _) = author_block(&first.header, 2_000, vec![]);
        assert!(!second.header.digest.logs.contains(&DigestItem::RuntimeEnvironmentUpdated));
        assert_eq!(sp_io::storage::get(CODE).map(|b| b.to_vec()), Some(runtime_identity()));
    });
}

#[test]
fn the_same_runtime_leaves_code_alone() {
    let chain = Chain::dev();
    chain.ext().execute_with(|| {
        // (The node writes `:code` at genesis; here it is what the test externalities hold.)
        let before = sp_io::storage::get(CODE);
        let (block, _) = author_block(&chain.genesis, 1_000, vec![]);
        assert!(!block.header.digest.logs.contains(&DigestItem::RuntimeEnvironmentUpdated));
        assert_eq!(sp_io::storage::get(CODE), before);
    });
}

/// Genesis is at the bridge pallet's storage version; the first block of a
/// newer runtime on a chain at an older one runs the pallet's migration.
#[test]
fn a_newer_runtime_migrates_pallet_storage() {
    use ecochain_runtime::Bridge;
    use frame_support::traits::{GetStorageVersion, StorageVersion};
    let chain = Chain::dev();
    chain.ext().execute_with(|| {
        assert_eq!(Bridge::on_chain_storage_version(), Bridge::in_code_storage_version());
        StorageVersion::new(0).put::<Bridge>();
        frame_system::LastRuntimeUpgrade::<Runtime>::put(frame_system::LastRuntimeUpgradeInfo {
            spec_version: (VERSION.spec_version - 1).into(),
            spec_name: VERSION.spec_name.clone(),
        });
        author_block(&chain.genesis, 1_000, vec![]);
        assert_eq!(Bridge::on_chain_storage_version(), Bridge::in_code_storage_version());
    });
}
