//! Block authoring behind an interface consensus drives.
//!
//! [`Proposer::propose`] builds a block on the best block from the pool's
//! ready transactions, within a time budget and the runtime's weight and
//! length limits, without committing it. The dev sealer ([`run_dev_sealer`])
//! commits its proposals as final at once; BFT consensus instead proposes,
//! votes, and commits the decided block with its commit certificate.

use crate::metrics::Metrics;
use ecochain_client::{Client, TransactionPool};
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
}

impl Proposer {
    /// A proposer spending at most `budget` on applying transactions.
    pub fn new(client: Arc<Client>, pool: Arc<TransactionPool>, budget: Duration) -> Self {
        Self { client, pool, budget }
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
    pub fn propose(&self) -> anyhow::Result<BuiltBlock> {
        let parent = self.client.best_header();
        let parent_hash = parent.hash();
        let state = self.client.state_at(&parent_hash)?;
        let mut builder = BlockBuilder::new(self.client.executor(), &state, &parent, Default::default())?;
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

/// Commit a block as final and tell the pool; logs the per-block line.
pub fn commit_final(
    client: &Client,
    pool: &TransactionPool,
    metrics: Option<&Metrics>,
    built: BuiltBlock,
    started: Instant,
) -> anyhow::Result<H256> {
    let number = built.header.number;
    let txs = built.extrinsics.len().saturating_sub(1);
    let extrinsics: Vec<H256> = built.extrinsics.iter().map(|x| ecochain_client::extrinsic_hash(x)).collect();
    let hash = client.commit_built(built, None, true)?;
    let elapsed = started.elapsed();
    pool.on_block(hash, number, &extrinsics, true);
    if let Some(m) = metrics {
        m.import_seconds.observe(elapsed.as_secs_f64());
        m.height.with_label_values(&["best"]).set(i64::from(number));
        m.height.with_label_values(&["finalized"]).set(i64::from(number));
        m.extrinsics.inc_by(txs as u64);
        let status = pool.status();
        m.pool_ready.set(status.ready as i64);
        m.pool_future.set(status.future as i64);
    }
    tracing::info!(target: "node", number, %hash, txs, ms = elapsed.as_millis() as u64, "sealed block");
    Ok(hash)
}

/// The dev sealer: a block as soon as transactions are ready (at most one per
/// `min_gap`, so a burst lands in few blocks), and an empty heartbeat block
/// every `block_time` otherwise. Every block is final when sealed.
pub async fn run_dev_sealer(
    client: Arc<Client>,
    pool: Arc<TransactionPool>,
    metrics: Option<Arc<Metrics>>,
    block_time: Duration,
) {
    let min_gap = (block_time / 10).max(Duration::from_millis(20)).min(block_time);
    let proposer = Arc::new(Proposer::new(client.clone(), pool.clone(), block_time / 2));
    let mut last = Instant::now();
    loop {
        let heartbeat = tokio::time::sleep_until((last + block_time).into());
        tokio::select! {
            _ = heartbeat => {}
            _ = pool.wait_ready() => {
                let since = last.elapsed();
                if since < min_gap {
                    tokio::time::sleep(min_gap - since).await;
                }
            }
        }
        let started = Instant::now();
        let (client, pool_, metrics_, proposer_) = (client.clone(), pool.clone(), metrics.clone(), proposer.clone());
        let outcome = tokio::task::spawn_blocking(move || {
            let built = proposer_.propose()?;
            commit_final(&client, &pool_, metrics_.as_deref(), built, started)
        })
        .await;
        match outcome {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!(target: "node", error = %e, "block production failed"),
            Err(e) => tracing::error!(target: "node", error = %e, "block production task panicked"),
        }
        last = Instant::now();
    }
}
