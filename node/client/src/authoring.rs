//! Block authoring: [`Proposer::propose`] builds a block on the best block
//! from the pool's ready transactions, within a time budget and the runtime's
//! weight and length limits, without committing it. The dev sealer commits
//! proposals at once; BFT consensus proposes, votes, then commits the decided
//! block with its commit certificate.

use crate::{Client, TransactionPool};
use ecochain_executor::{BlockBuilder, BuiltBlock, PushError};
use sp_core::H256;
use std::{
    sync::Arc,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// Storage key of `pallet_timestamp::Now`.
fn timestamp_key() -> Vec<u8> {
    let mut key = sp_crypto_hashing::twox_128(b"Timestamp").to_vec();
    key.extend(sp_crypto_hashing::twox_128(b"Now"));
    key
}

/// Builds blocks from the pool.
pub struct Proposer {
    client: Arc<Client>,
    pool: Arc<TransactionPool>,
    /// Longest time spent applying transactions to one block.
    budget: Duration,
    /// Consensus key named as author in every header's digest.
    author: Option<[u8; 32]>,
}

impl Proposer {
    /// A proposer spending at most `budget` on applying transactions.
    pub fn new(client: Arc<Client>, pool: Arc<TransactionPool>, budget: Duration) -> Self {
        Self { client, pool, budget, author: None }
    }

    /// Name `key` (an ed25519 consensus key) as the author of every block.
    pub fn with_author(mut self, key: [u8; 32]) -> Self {
        self.author = Some(key);
        self
    }

    /// Timestamp of the next block: now, but strictly after the parent's.
    fn next_timestamp(&self, parent: &H256) -> u64 {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        let parent_ts = self
            .client
            .storage(parent, &timestamp_key())
            .ok()
            .flatten()
            .and_then(|v| <u64 as codec::Decode>::decode(&mut &v[..]).ok())
            .unwrap_or(0);
        now.max(parent_ts + 1)
    }

    /// Build a block on the best block. Invalid transactions met on the way are
    /// dropped from the pool and banned.
    pub fn propose(&self) -> crate::Result<BuiltBlock> {
        let parent = self.client.best_header();
        let parent_hash = parent.hash();
        let state = self.client.state_at(&parent_hash)?;
        let digest = sp_runtime::generic::Digest {
            logs: self
                .author
                .map(|key| sp_runtime::DigestItem::PreRuntime(ecochain_primitives::CONSENSUS_ENGINE_ID, key.to_vec()))
                .into_iter()
                .collect(),
        };
        let mut builder = BlockBuilder::new(self.client.executor(), &state, &parent, digest)?;
        builder.push_inherents(self.next_timestamp(&parent_hash))?;
        let started = Instant::now();
        let mut ready = self.pool.ready();
        while let Some(tx) = ready.next() {
            if started.elapsed() > self.budget {
                break;
            }
            match builder.push(tx.bytes.clone()) {
                Ok(()) => {}
                Err(e) if e.is_exhausted() => {
                    ready.report_skipped(&tx.hash);
                    break;
                }
                Err(PushError::Invalid(validity)) => {
                    ready.report_skipped(&tx.hash);
                    tracing::debug!(target: "authoring", hash = %tx.hash, ?validity, "dropping invalid transaction");
                    self.pool.reject(&tx.hash, validity);
                }
                Err(PushError::Execution(e)) => {
                    ready.report_skipped(&tx.hash);
                    tracing::warn!(target: "authoring", hash = %tx.hash, error = %e, "transaction failed to execute");
                    self.pool.remove(&[tx.hash]);
                }
            }
        }
        Ok(builder.build()?)
    }
}
