//! The dev sealer: one authority commits its own proposals as final at once
//! (`ecochain_client::authoring::Proposer` builds them; BFT consensus uses the
//! same proposer).

use ecochain_client::{authoring::Proposer, Client, TransactionPool};
use ecochain_executor::BuiltBlock;
use sp_core::H256;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

/// Commit a block as final (the client's commit hooks prune the pool and
/// update the metrics); logs the per-block line.
pub fn commit_final(client: &Client, built: BuiltBlock, started: Instant) -> anyhow::Result<H256> {
    let number = built.header.number;
    let txs = built.extrinsics.len().saturating_sub(1);
    let hash = client.commit_built(built, None, true)?;
    tracing::info!(target: "node", number, %hash, txs, ms = started.elapsed().as_millis() as u64, "sealed block");
    Ok(hash)
}

/// Ready transactions from which the dev sealer stops waiting for more: a
/// large part of a block (how many transfers a block holds is derived in
/// `runtime/src/weights.rs` and checked by `runtime/tests/it/block.rs`).
const BACKLOG: usize = 512;

/// The dev sealer: a block as soon as transactions are ready (at most one per
/// `min_gap` unless a block's worth is waiting, so a burst lands in few
/// blocks), and an empty heartbeat block every `block_time` otherwise. Every
/// block is final when sealed.
pub async fn run_dev_sealer(client: Arc<Client>, pool: Arc<TransactionPool>, block_time: Duration) {
    let min_gap = (block_time / 10).max(Duration::from_millis(20)).min(block_time);
    // The dev chain's single validator authors every block.
    let author = ecochain_consensus::validator_set_at(&client, &client.best_hash())
        .ok()
        .and_then(|set| set.validators().first().map(|v| v.address.0));
    let mut proposer = Proposer::new(client.clone(), pool.clone(), block_time / 2);
    if let Some(key) = author {
        proposer = proposer.with_author(key);
    }
    let proposer = Arc::new(proposer);
    let mut last = Instant::now();
    loop {
        let heartbeat = tokio::time::sleep_until((last + block_time).into());
        tokio::select! {
            _ = heartbeat => {}
            _ = pool.wait_ready() => {
                // Wait for more only while there is less than a block's worth.
                let since = last.elapsed();
                if since < min_gap && pool.status().ready < BACKLOG {
                    tokio::time::sleep(min_gap - since).await;
                }
            }
        }
        let started = Instant::now();
        let (client, proposer_) = (client.clone(), proposer.clone());
        let outcome = tokio::task::spawn_blocking(move || {
            let built = proposer_.propose()?;
            commit_final(&client, built, started)
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
