//! # ecochain-executor
//!
//! Runs the EcoChain runtime natively. Every runtime call goes through
//! `sp_state_machine::StateMachine` with [`NativeExecutor`], whose `call`
//! enters the externalities and invokes `ecochain_runtime::api::dispatch`
//! (the entry point `impl_runtime_apis!` generates). There is no wasm.
//!
//! A panic inside the runtime is caught and returned as
//! [`Error::RuntimePanicked`]: a bad block or transaction never crashes the node.
//!
//! Every call carries the executor's [`SignatureCache`] as an externalities
//! extension: a transaction's signature is verified once per node (at pool
//! admission, usually), not again at re-validation, block building or import.
//!
//! [`BlockBuilder`] authors a block (initialize, inherents, extrinsics, each in
//! its own overlay transaction so a failing one leaves no trace, finalize);
//! [`Executor::execute_block`] re-executes an imported block and yields the
//! state changes to commit.

mod builder;

pub use builder::{BlockBuilder, BuiltBlock, PushError};

use codec::{Decode, Encode};
use ecochain_runtime::sigcache::{SignatureCache, SignatureCacheExt};
use ecochain_runtime::{Block, Header};
use sp_core::traits::{CallContext, CodeExecutor, Externalities, FetchRuntimeCode, ReadRuntimeVersion, RuntimeCode};
use sp_runtime::{traits::BlakeTwo256, StateVersion};
use sp_state_machine::{Backend, OverlayedChanges, StateMachine, StorageChanges};
use std::{borrow::Cow, panic::AssertUnwindSafe, sync::Arc};

/// State version used for every root (V1: large values are hashed).
pub const STATE_VERSION: StateVersion = StateVersion::V1;

/// Errors of runtime execution.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The runtime does not expose the method.
    #[error("runtime method `{0}` does not exist")]
    UnknownMethod(String),
    /// The runtime panicked.
    #[error("runtime panicked in `{method}`: {message}")]
    RuntimePanicked {
        /// The method called.
        method: String,
        /// The panic message.
        message: String,
    },
    /// sp-state-machine failed (storage backend error, ...).
    #[error("state machine: {0}")]
    StateMachine(String),
    /// The runtime's answer does not decode.
    #[error("cannot decode the answer of `{method}`: {source}")]
    Decode {
        /// The method called.
        method: String,
        /// The decoding error.
        source: codec::Error,
    },
}

/// Result with the executor [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Calls `ecochain_runtime::api::dispatch` inside the externalities.
#[derive(Clone, Copy, Debug, Default)]
pub struct NativeExecutor;

/// The error a [`NativeExecutor`] call returns to sp-state-machine.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No such method.
    #[error("unknown method")]
    UnknownMethod,
    /// The runtime panicked.
    #[error("{0}")]
    Panicked(String),
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into())
}

impl CodeExecutor for NativeExecutor {
    type Error = CallError;

    fn call(
        &self,
        ext: &mut dyn Externalities,
        _runtime_code: &RuntimeCode<'_>,
        method: &str,
        data: &[u8],
        _context: CallContext,
    ) -> (std::result::Result<Vec<u8>, Self::Error>, bool) {
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            sp_externalities::set_and_run_with_externalities(ext, || ecochain_runtime::api::dispatch(method, data))
        }));
        let result = match outcome {
            Ok(Some(out)) => Ok(out),
            Ok(None) => Err(CallError::UnknownMethod),
            Err(panic) => Err(CallError::Panicked(panic_message(panic.as_ref()))),
        };
        (result, true)
    }
}

impl ReadRuntimeVersion for NativeExecutor {
    fn read_runtime_version(&self, _code: &[u8], _ext: &mut dyn Externalities) -> std::result::Result<Vec<u8>, String> {
        Ok(ecochain_runtime::version().encode())
    }
}

/// The runtime is linked in: there is no code to fetch.
struct NoCode;

impl FetchRuntimeCode for NoCode {
    fn fetch_runtime_code(&self) -> Option<Cow<'_, [u8]>> {
        None
    }
}

/// Runs runtime calls against states. Clones share one [`SignatureCache`], so a
/// signature the pool verified is not verified again when the block that
/// carries it is built or imported.
#[derive(Clone, Debug, Default)]
pub struct Executor {
    native: NativeExecutor,
    signatures: Arc<SignatureCache>,
}

impl Executor {
    /// An executor whose signature cache remembers up to `capacity` verified signatures.
    pub fn with_signature_cache(capacity: u32) -> Self {
        Self { native: NativeExecutor, signatures: Arc::new(SignatureCache::new(capacity)) }
    }

    /// The signature cache every call of this executor (and its clones) shares.
    pub fn signature_cache(&self) -> &SignatureCache {
        &self.signatures
    }

    /// Call `method` with `data` on `state`, recording writes in `overlay`.
    pub fn call_with_overlay<B: Backend<BlakeTwo256>>(
        &self,
        state: &B,
        overlay: &mut OverlayedChanges<BlakeTwo256>,
        method: &str,
        data: &[u8],
        context: CallContext,
    ) -> Result<Vec<u8>> {
        let runtime_code = RuntimeCode { code_fetcher: &NoCode, heap_pages: None, hash: b"ecochain-native".to_vec() };
        let mut extensions = sp_externalities::Extensions::new();
        extensions.register(SignatureCacheExt(self.signatures.clone()));
        let mut machine =
            StateMachine::new(state, overlay, &self.native, method, data, &mut extensions, &runtime_code, context);
        machine.execute().map_err(|e| {
            // sp-state-machine wraps the executor error: recover its meaning.
            let text = e.to_string();
            if text.contains("unknown method") {
                Error::UnknownMethod(method.into())
            } else {
                Error::RuntimePanicked { method: method.into(), message: text }
            }
        })
    }

    /// A read-only call on `state`: writes are discarded.
    pub fn call<B: Backend<BlakeTwo256>>(&self, state: &B, method: &str, data: &[u8]) -> Result<Vec<u8>> {
        let mut overlay = OverlayedChanges::default();
        self.call_with_overlay(state, &mut overlay, method, data, CallContext::Offchain)
    }

    /// A read-only call whose answer is decoded as `R`.
    pub fn call_decode<B: Backend<BlakeTwo256>, R: Decode>(&self, state: &B, method: &str, data: &[u8]) -> Result<R> {
        let out = self.call(state, method, data)?;
        R::decode(&mut &out[..]).map_err(|source| Error::Decode { method: method.into(), source })
    }

    /// Re-execute `block` on its parent's `state` (the runtime checks the state
    /// and extrinsics roots) and return the changes to commit.
    pub fn execute_block<B: Backend<BlakeTwo256>>(
        &self,
        state: &B,
        block: &Block,
    ) -> Result<StorageChanges<BlakeTwo256>> {
        let mut overlay = OverlayedChanges::default();
        self.call_with_overlay(
            state,
            &mut overlay,
            "Core_execute_block",
            &block.encode(),
            CallContext::Onchain { import: true },
        )?;
        overlay.drain_storage_changes(state, STATE_VERSION).map_err(Error::StateMachine)
    }

    /// Build the state changes of genesis from a storage map.
    pub fn genesis_changes<B: Backend<BlakeTwo256>>(
        state: &B,
        storage: &sp_runtime::Storage,
    ) -> (sp_core::H256, sp_state_machine::BackendTransaction<BlakeTwo256>) {
        let delta = storage.top.iter().map(|(k, v)| (&k[..], Some(&v[..])));
        state.storage_root(delta, STATE_VERSION)
    }

    /// The genesis header for a state root.
    pub fn genesis_header(state_root: sp_core::H256) -> Header {
        use sp_runtime::traits::{Hash, Header as _};
        Header::new(
            0,
            BlakeTwo256::ordered_trie_root(Vec::new(), STATE_VERSION),
            state_root,
            Default::default(),
            Default::default(),
        )
    }
}

#[cfg(test)]
mod tests;
