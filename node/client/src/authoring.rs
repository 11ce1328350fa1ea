//! Block authoring: [`Proposer::propose`] builds a block on the best block
//! from the pool's ready transactions, within a time budget and the runtime's
//! weight and length limits, without committing it. The dev sealer commits
//! proposals at once; BFT consensus proposes, votes, then commits the decided
//! block with its commit certificate.
//!
//! Transactions pay no fee, so nothing prices one sender out of a block. A
//! block is filled in two passes: in the first, each sender gets at most
//! [`SenderShare`] (a quarter of the block's length and at most 512
//! transactions); what a sender had beyond its share is deferred, with the
//! transactions after it, to the second pass, which fills what the other
//! senders left. One account flooding the pool slows only itself.

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

/// What one sender may use of a block before other senders had their turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SenderShare {
    /// Encoded bytes.
    pub bytes: usize,
    /// Transactions.
    pub count: usize,
}

impl Default for SenderShare {
    fn default() -> Self {
        Self { bytes: ecochain_runtime::MAX_BLOCK_LENGTH as usize / 4, count: 512 }
    }
}

/// What each sender has in the block being built.
#[derive(Default)]
struct Shares {
    used: std::collections::HashMap<Vec<u8>, (usize, usize)>,
}

impl Shares {
    /// Whether `sender` may add `bytes` more within `share`.
    fn fits(&self, sender: &[u8], bytes: usize, share: SenderShare) -> bool {
        let (used_bytes, used_count) = self.used.get(sender).copied().unwrap_or((0, 0));
        used_count < share.count && used_bytes + bytes <= share.bytes
    }

    fn add(&mut self, sender: &[u8], bytes: usize) {
        let entry = self.used.entry(sender.to_vec()).or_default();
        entry.0 += bytes;
        entry.1 += 1;
    }
}

/// Builds blocks from the pool.
pub struct Proposer {
    client: Arc<Client>,
    pool: Arc<TransactionPool>,
    /// Longest time spent applying transactions to one block.
    budget: Duration,
    /// Consensus key named as author in every header's digest.
    author: Option<[u8; 32]>,
    /// Each sender's share of a block in the first pass.
    share: SenderShare,
}

impl Proposer {
    /// A proposer spending at most `budget` on applying transactions.
    pub fn new(client: Arc<Client>, pool: Arc<TransactionPool>, budget: Duration) -> Self {
        Self { client, pool, budget, author: None, share: SenderShare::default() }
    }

    /// Give each sender `share` of a block before the others had their turn.
    pub fn with_sender_share(mut self, share: SenderShare) -> Self {
        self.share = share;
        self
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
        let mut shares = Shares::default();
        let mut included = std::collections::HashSet::new();
        let mut deferred = false;
        let mut exhausted = false;
        for pass in [1, 2] {
            if pass == 2 && (!deferred || exhausted) {
                break;
            }
            let mut ready = self.pool.ready();
            while let Some(tx) = ready.next() {
                if started.elapsed() > self.budget {
                    exhausted = true;
                    break;
                }
                if included.contains(&tx.hash) {
                    continue;
                }
                if pass == 1 {
                    if let Some(sender) = &tx.sender {
                        if !shares.fits(sender, tx.bytes.len(), self.share) {
                            // Past its share: this one and what depends on it wait for pass 2.
                            ready.report_skipped(&tx.hash);
                            deferred = true;
                            continue;
                        }
                    }
                }
                match self.push(&mut builder, &tx) {
                    Pushed::Included => {
                        if let Some(sender) = &tx.sender {
                            shares.add(sender, tx.bytes.len());
                        }
                        included.insert(tx.hash);
                    }
                    Pushed::Exhausted => {
                        ready.report_skipped(&tx.hash);
                        exhausted = true;
                        break;
                    }
                    Pushed::Dropped => ready.report_skipped(&tx.hash),
                }
            }
        }
        Ok(builder.build()?)
    }

    /// Apply one transaction to the block being built.
    fn push<B: sp_state_machine::Backend<sp_runtime::traits::BlakeTwo256>>(
        &self,
        builder: &mut BlockBuilder<'_, B>,
        tx: &ecochain_txpool::Transaction,
    ) -> Pushed {
        match builder.push(tx.bytes.clone()) {
            Ok(()) => Pushed::Included,
            Err(e) if e.is_exhausted() => Pushed::Exhausted,
            Err(PushError::Invalid(validity)) => {
                tracing::debug!(target: "authoring", hash = %tx.hash, ?validity, "dropping invalid transaction");
                self.pool.reject(&tx.hash, validity);
                Pushed::Dropped
            }
            Err(PushError::Execution(e)) => {
                tracing::warn!(target: "authoring", hash = %tx.hash, error = %e, "transaction failed to execute");
                self.pool.remove(&[tx.hash]);
                Pushed::Dropped
            }
        }
    }
}

/// What applying a transaction did.
enum Pushed {
    /// It is in the block.
    Included,
    /// The block is full.
    Exhausted,
    /// It was invalid and left the pool.
    Dropped,
}
