//! `ecochain-bench storage`: what one storage read and one storage write cost
//! in this node's database, the numbers behind the runtime's `DbWeight` (what
//! Substrate's `benchmark storage` measures for its own database).
//!
//! A benchmark genesis with N funded accounts is written to a fresh RocksDB,
//! the database is reopened (cold caches), and every `System.Account` value is
//! read once in a shuffled order through the state trie (cold read), then
//! again (warm read). Writes: batches of K changed values; each batch's new
//! state root is computed and committed as a block in one synced RocksDB write
//! (write = batch time / K). A block's writes are committed together, as
//! during import; a batch of 1 shows the worst case (one fsync per write).

use crate::{
    spec::{account, bench_pairs, bench_spec_for},
    Rows,
};
use anyhow::Context;
use ecochain_client::Client;
use ecochain_runtime::{AccountId, Header};
use ecochain_storage::{CommitBlock, Database};
use sp_runtime::traits::Header as _;
use sp_state_machine::Backend;
use std::{path::PathBuf, time::Instant};

/// Options of `storage`.
#[derive(Debug, clap::Args)]
pub struct StorageArgs {
    /// Funded accounts in the state (its size).
    #[arg(long, default_value_t = 20_000)]
    pub accounts: u32,
    /// Values written per committed block.
    #[arg(long, default_value_t = 1_000)]
    pub batch: usize,
    /// Append markdown table rows (`| metric | value | target |`) to this file.
    #[arg(long, value_name = "FILE")]
    pub rows: Option<PathBuf>,
}

/// `System.Account` storage key of `who`.
fn account_key(who: &AccountId) -> Vec<u8> {
    let mut key = sp_crypto_hashing::twox_128(b"System").to_vec();
    key.extend(sp_crypto_hashing::twox_128(b"Account"));
    key.extend(sp_crypto_hashing::blake2_128(who.as_ref()));
    key.extend_from_slice(who.as_ref());
    key
}

/// A deterministic shuffle (xorshift), so runs read in the same order.
fn shuffle<T>(items: &mut [T]) {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..items.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        items.swap(i, (x % (i as u64 + 1)) as usize);
    }
}

fn micros(total: std::time::Duration, count: usize) -> f64 {
    total.as_secs_f64() * 1e6 / count.max(1) as f64
}

/// Run `storage`.
pub fn run(args: StorageArgs) -> anyhow::Result<()> {
    let n = args.accounts.max(1);
    let dir = tempfile::tempdir().context("temp dir")?;
    let path = dir.path().join("db");
    let config = ecochain_storage::Config { pruning: ecochain_storage::Pruning::Archive, ..Default::default() };
    let pairs = bench_pairs(n)?;
    let spec = bench_spec_for(&pairs, n)?;
    let state_version = {
        let client = Client::open(&path, &config, spec).context("writing the benchmark genesis")?;
        client.state_version()
    };
    let db = Database::open(&path, &config).context("reopening the database")?;
    let (mut number, mut best) = db.best()?.context("no genesis")?;

    let mut keys: Vec<Vec<u8>> = pairs.iter().map(|p| account_key(&account(p))).collect();
    shuffle(&mut keys);
    let state = db.state_at(&best)?;
    let started = Instant::now();
    let mut values = Vec::with_capacity(keys.len());
    for key in &keys {
        values.push(state.storage(key).map_err(|e| anyhow::anyhow!("read: {e}"))?.context("account missing")?);
    }
    let cold = micros(started.elapsed(), keys.len());
    let started = Instant::now();
    for key in &keys {
        std::hint::black_box(state.storage(key).map_err(|e| anyhow::anyhow!("read: {e}"))?);
    }
    let warm = micros(started.elapsed(), keys.len());
    drop(state);

    let mut write = |batch: usize, blocks: usize| -> anyhow::Result<f64> {
        let mut total = std::time::Duration::ZERO;
        let mut written = 0;
        for (chunk, old) in keys.chunks(batch).zip(values.chunks(batch)).take(blocks) {
            let changed: Vec<Vec<u8>> = old
                .iter()
                .map(|v| {
                    let mut v = v.clone();
                    v[0] ^= 0xff;
                    v
                })
                .collect();
            let state = db.state_at(&best)?;
            let started = Instant::now();
            let delta = chunk.iter().zip(&changed).map(|(k, v)| (k.as_slice(), Some(v.as_slice())));
            let (root, transaction) = state.storage_root(delta, state_version);
            let header = Header::new(number + 1, Default::default(), root, best, Default::default());
            best = db.commit_block(CommitBlock {
                header,
                body: Vec::new(),
                justifications: None,
                state: transaction,
                finalized: true,
            })?;
            total += started.elapsed();
            number += 1;
            written += chunk.len();
        }
        Ok(micros(total, written))
    };
    let single = write(1, 200)?;
    let batched = write(args.batch.max(1), (20_000 / args.batch.max(1)).max(1))?;

    println!("storage: {n} accounts, {} keys read cold and warm, writes in blocks of 1 and {}", keys.len(), args.batch);
    println!("  read   cold {cold:.1} µs, warm {warm:.1} µs");
    println!(
        "  write  {batched:.1} µs per value in blocks of {} (root + synced commit), {single:.0} µs alone",
        args.batch
    );
    if let Some(path) = &args.rows {
        let mut rows = Rows::with_prefix("");
        rows.push(
            "Storage read (trie, RocksDB), cold / warm",
            format!("{cold:.1} / {warm:.1} µs ({n} accounts)"),
            "runtime DbWeight read",
        );
        rows.push(
            "Storage write (root + synced commit)",
            format!("{batched:.1} µs per value in blocks of {}, {single:.0} µs alone", args.batch),
            "runtime DbWeight write",
        );
        rows.append_to(path)?;
    }
    Ok(())
}
