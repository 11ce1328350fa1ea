//! The runtime's identity in state, at the well-known key `:code`.
//!
//! A polkadot-sdk chain keeps its Wasm runtime at `:code`, and clients
//! (polkadot-api, subxt, sidecar) identify "the runtime of a block" by the
//! hash of that entry: when it changes they fetch the new metadata. This
//! runtime runs natively, so `:code` holds what identifies the build instead
//! of its code: [`MAGIC`] followed by the SCALE-encoded [`crate::VERSION`].
//! It is written at genesis (the node adds it to the genesis storage) and
//! again in the first block a node with a higher `spec_version` builds (a
//! single-block migration), whose header then carries the
//! `RuntimeEnvironmentUpdated` digest item as Substrate emits it.
//!
//! Because the entry is in state, two builds that disagree on the version
//! disagree on the state root: every validator must run the same
//! `spec_version`. `spec_version` changes whenever the metadata does.

use crate::Runtime;
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{storage::unhashed, traits::OnRuntimeUpgrade, weights::Weight};
use sp_core::storage::well_known_keys::CODE;
use sp_runtime::DigestItem;

/// What `:code` starts with.
pub const MAGIC: &[u8] = b"ecochain:native-runtime:v1:";

/// Set (and cleared in the same block) when a new runtime was enacted, so that
/// the header of that block says so once its digest exists.
const UPDATED_FLAG: &[u8] = b":ecochain:runtime-updated";

/// The `:code` value of the running runtime: [`MAGIC`] ++ SCALE([`crate::version`]).
pub fn runtime_identity() -> Vec<u8> {
    identity_of(&crate::version())
}

/// The `:code` value of this build ([`crate::VERSION`], whatever
/// `--dev-spec-version` says): what a chain spec made by it holds at genesis.
pub fn build_identity() -> Vec<u8> {
    identity_of(&crate::VERSION)
}

/// The version a `:code` value of this runtime identifies.
pub fn version_of(code: &[u8]) -> Option<sp_version::RuntimeVersion> {
    let mut rest = code.strip_prefix(MAGIC)?;
    codec::Decode::decode(&mut rest).ok()
}

fn identity_of(version: &sp_version::RuntimeVersion) -> Vec<u8> {
    let mut blob = MAGIC.to_vec();
    version.encode_to(&mut blob);
    blob
}

/// Writes the identity when a node enacts a newer runtime, and notes the
/// change in that block's header.
pub struct RecordRuntimeIdentity;

impl OnRuntimeUpgrade for RecordRuntimeIdentity {
    fn on_runtime_upgrade() -> Weight {
        unhashed::put_raw(CODE, &runtime_identity());
        // The digest is reset after migrations run: the log goes in from `pre_inherents`.
        unhashed::put_raw(UPDATED_FLAG, &[1]);
        <Runtime as frame_system::Config>::DbWeight::get().writes(2)
    }
}

impl frame_support::traits::PreInherents for RecordRuntimeIdentity {
    fn pre_inherents() {
        if unhashed::exists(UPDATED_FLAG) {
            unhashed::kill(UPDATED_FLAG);
            frame_system::Pallet::<Runtime>::deposit_log(DigestItem::RuntimeEnvironmentUpdated);
        }
    }
}
