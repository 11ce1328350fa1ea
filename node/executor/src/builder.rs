//! Authoring a block: initialize, inherents, extrinsics, finalize.

use crate::{Error, Executor, Result, STATE_VERSION};
use codec::{Decode, Encode};
use ecochain_runtime::{Header, UncheckedExtrinsic};
use sp_core::{traits::CallContext, H256};
use sp_runtime::{
    generic::Digest,
    traits::{BlakeTwo256, Header as _},
    transaction_validity::TransactionValidityError,
    ApplyExtrinsicResult,
};
use sp_state_machine::{Backend, OverlayedChanges, StorageChanges};

/// Why an extrinsic was not included.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The runtime found it invalid now (bad nonce, exhausted resources, ...).
    #[error("transaction invalid in this block: {0:?}")]
    Invalid(TransactionValidityError),
    /// Executing it failed (the runtime panicked or the state failed).
    #[error(transparent)]
    Execution(#[from] Error),
}

impl PushError {
    /// The block is full: stop adding extrinsics.
    pub fn is_exhausted(&self) -> bool {
        matches!(
            self,
            PushError::Invalid(TransactionValidityError::Invalid(
                sp_runtime::transaction_validity::InvalidTransaction::ExhaustsResources
            ))
        )
    }
}

/// A finished block and the changes it makes to its parent's state.
pub struct BuiltBlock {
    /// The header the runtime finalized.
    pub header: Header,
    /// Encoded extrinsics (inherents first), each with its length prefix.
    pub extrinsics: Vec<Vec<u8>>,
    /// The state changes, including the trie nodes to commit.
    pub changes: StorageChanges<BlakeTwo256>,
}

impl BuiltBlock {
    /// The block hash.
    pub fn hash(&self) -> H256 {
        self.header.hash()
    }
}

/// Builds one block on top of a parent state.
pub struct BlockBuilder<'a, B: Backend<BlakeTwo256>> {
    executor: Executor,
    state: &'a B,
    overlay: OverlayedChanges<BlakeTwo256>,
    extrinsics: Vec<Vec<u8>>,
}

impl<'a, B: Backend<BlakeTwo256>> BlockBuilder<'a, B> {
    /// Start block `parent.number + 1` on `state` (the parent's state).
    pub fn new(executor: Executor, state: &'a B, parent: &Header, digest: Digest) -> Result<Self> {
        let header = Header::new(parent.number + 1, H256::zero(), H256::zero(), parent.hash(), digest);
        let mut this = Self { executor, state, overlay: OverlayedChanges::default(), extrinsics: Vec::new() };
        this.call("Core_initialize_block", &header.encode())?;
        Ok(this)
    }

    fn call(&mut self, method: &str, data: &[u8]) -> Result<Vec<u8>> {
        self.executor.call_with_overlay(
            self.state,
            &mut self.overlay,
            method,
            data,
            CallContext::Onchain { import: false },
        )
    }

    /// Apply the inherents for `timestamp_ms` (the timestamp; more when the
    /// runtime asks for them).
    pub fn push_inherents(&mut self, timestamp_ms: u64) -> Result<()> {
        let mut data = sp_inherents::InherentData::new();
        data.put_data(sp_timestamp::INHERENT_IDENTIFIER, &timestamp_ms)
            .map_err(|e| Error::StateMachine(format!("inherent data: {e}")))?;
        let out = self.call("BlockBuilder_inherent_extrinsics", &data.encode())?;
        let inherents = Vec::<UncheckedExtrinsic>::decode(&mut &out[..])
            .map_err(|source| Error::Decode { method: "BlockBuilder_inherent_extrinsics".into(), source })?;
        for xt in inherents {
            self.push(xt.encode()).map_err(|e| match e {
                PushError::Execution(e) => e,
                PushError::Invalid(v) => Error::StateMachine(format!("inherent refused: {v:?}")),
            })?;
        }
        Ok(())
    }

    /// Apply one encoded extrinsic. On error the block is unchanged.
    pub fn push(&mut self, xt: Vec<u8>) -> std::result::Result<(), PushError> {
        self.overlay.start_transaction();
        let outcome = self.call("BlockBuilder_apply_extrinsic", &xt).and_then(|out| {
            ApplyExtrinsicResult::decode(&mut &out[..])
                .map_err(|source| Error::Decode { method: "BlockBuilder_apply_extrinsic".into(), source })
        });
        match outcome {
            Ok(Ok(_dispatch_outcome)) => {
                // Commit can only fail without an open transaction; one was opened above.
                let _ = self.overlay.commit_transaction();
                self.extrinsics.push(xt);
                Ok(())
            }
            Ok(Err(validity)) => {
                let _ = self.overlay.rollback_transaction();
                Err(PushError::Invalid(validity))
            }
            Err(e) => {
                let _ = self.overlay.rollback_transaction();
                Err(PushError::Execution(e))
            }
        }
    }

    /// Extrinsics applied so far (inherents included).
    pub fn len(&self) -> usize {
        self.extrinsics.len()
    }

    /// Whether nothing was applied yet.
    pub fn is_empty(&self) -> bool {
        self.extrinsics.is_empty()
    }

    /// Finalize the block and collect its state changes.
    pub fn build(mut self) -> Result<BuiltBlock> {
        let out = self.call("BlockBuilder_finalize_block", &[])?;
        let header = Header::decode(&mut &out[..])
            .map_err(|source| Error::Decode { method: "BlockBuilder_finalize_block".into(), source })?;
        let changes = self.overlay.drain_storage_changes(self.state, STATE_VERSION).map_err(Error::StateMachine)?;
        debug_assert_eq!(changes.transaction_storage_root, header.state_root);
        Ok(BuiltBlock { header, extrinsics: self.extrinsics, changes })
    }
}
