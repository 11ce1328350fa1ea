//! `ecochain-bench overhead`: what one extrinsic costs when this node executes
//! it natively, the numbers behind the runtime's `ExtrinsicBaseWeight` and the
//! compute part of a transfer's weight (what Substrate's `benchmark overhead`
//! and `benchmark pallet` measure for a wasm runtime on its reference machine).
//!
//! A benchmark genesis with N funded senders; an author builds and commits an
//! empty block, then blocks of N signed `system.remark`s with no payload (one
//! per sender), then blocks of N `balances.transfer_keep_alive`s. Each block
//! is then re-executed on its parent state (execution and state root, no
//! commit) `--repeat` times, each time by an executor with an empty signature
//! cache, so every signature is verified as on a node that never saw the
//! transactions. Per extrinsic: (block time − empty block time) / extrinsics,
//! the median over the repetitions. A second pass with the signatures cached
//! shows what the pool's verification saves at import.
//!
//! The remark is the base cost of any signed extrinsic: decoding, the
//! signature, every transaction extension with its storage accesses through the
//! (warm) trie cache, the event. A transfer's own cost is the difference.

use crate::{
    import::{archive, build_blocks, decode_block, transfer, EncodedBlock},
    spec::{bench_pairs, bench_spec_for},
    Rows,
};
use anyhow::Context;
use codec::Encode;
use ecochain_client::Client;
use ecochain_executor::Executor;
use ecochain_runtime::{signing::sign_immortal, Block, RuntimeCall};
use std::{path::PathBuf, time::Instant};

/// Options of `overhead`.
#[derive(Debug, clap::Args)]
pub struct OverheadArgs {
    /// Extrinsics of each kind (one sender each).
    #[arg(long, default_value_t = 2_000)]
    pub extrinsics: u32,
    /// Executions of every block; the median is reported.
    #[arg(long, default_value_t = 5)]
    pub repeat: usize,
    /// Append markdown table rows (`| metric | value | target |`) to this file.
    #[arg(long, value_name = "FILE")]
    pub rows: Option<PathBuf>,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Seconds to execute each of `blocks` on its parent state with `executor`.
fn execute_all(client: &Client, executor: &Executor, blocks: &[Block]) -> anyhow::Result<Vec<f64>> {
    blocks
        .iter()
        .map(|block| {
            let state = client.state_at(&block.header.parent_hash)?;
            let started = Instant::now();
            let changes = executor.execute_block(&state, block)?;
            let elapsed = started.elapsed().as_secs_f64();
            anyhow::ensure!(changes.transaction_storage_root == block.header.state_root, "state root mismatch");
            Ok(elapsed)
        })
        .collect()
}

fn decode(blocks: Vec<EncodedBlock>) -> anyhow::Result<Vec<Block>> {
    blocks.into_iter().map(|(header, body)| decode_block(header, &body)).collect()
}

/// Per-extrinsic seconds of one kind: (Σ block time − blocks × empty) / extrinsics.
fn per_extrinsic(times: &[f64], empty: f64, extrinsics: usize) -> f64 {
    (times.iter().sum::<f64>() - empty * times.len() as f64) / extrinsics.max(1) as f64
}

/// Run `overhead`.
pub fn run(args: OverheadArgs) -> anyhow::Result<()> {
    let n = args.extrinsics.max(2);
    let repeat = args.repeat.max(1);
    let dir = tempfile::tempdir().context("temp dir")?;
    let pairs = bench_pairs(n)?;
    let spec = bench_spec_for(&pairs, n)?;
    let author = Client::open(&dir.path().join("author"), &archive(), spec).context("opening the author db")?;
    let genesis = author.genesis_hash();

    let remark = |i: usize| {
        let call = RuntimeCall::System(frame_system::Call::remark { remark: Vec::new() });
        sign_immortal(call, &pairs[i], 0, genesis).encode()
    };
    let remarks = crate::par_map(pairs.len(), remark);
    let transfers =
        crate::par_map(pairs.len(), |i| transfer(&pairs[i], &pairs[(i + 1) % pairs.len()], 1, genesis).encode());

    let mut timestamp = 1_000;
    let mut build = |xts: Vec<Vec<u8>>| -> anyhow::Result<Vec<Block>> {
        let (blocks, _, _) = build_blocks(&author, xts, timestamp)?;
        timestamp += 1_000 * blocks.len() as u64;
        decode(blocks)
    };
    let empty = build(Vec::new())?;
    let remark_blocks = build(remarks)?;
    let transfer_blocks = build(transfers)?;
    let count = |blocks: &[Block]| blocks.iter().map(|b| b.extrinsics.len() - 1).sum::<usize>();
    let (remark_count, transfer_count) = (count(&remark_blocks), count(&transfer_blocks));

    // (empty block, remark, transfer) seconds, uncached then cached signatures.
    let mut uncached = (Vec::new(), Vec::new(), Vec::new());
    let mut cached = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..repeat {
        let executor = Executor::default();
        for (signatures, out) in [("uncached", &mut uncached), ("cached", &mut cached)] {
            let empty_s = median(execute_all(&author, &executor, &empty)?);
            let remark_s = per_extrinsic(&execute_all(&author, &executor, &remark_blocks)?, empty_s, remark_count);
            let transfer_s =
                per_extrinsic(&execute_all(&author, &executor, &transfer_blocks)?, empty_s, transfer_count);
            log_run(signatures, empty_s, remark_s, transfer_s);
            out.0.push(empty_s);
            out.1.push(remark_s);
            out.2.push(transfer_s);
        }
    }
    let us = |v: &Vec<f64>| median(v.clone()) * 1e6;
    let (empty_us, remark_us, transfer_us) = (us(&uncached.0), us(&uncached.1), us(&uncached.2));
    let (remark_cached_us, transfer_cached_us) = (us(&cached.1), us(&cached.2));
    let call_us = transfer_us - remark_us;
    let blocks_of = |blocks: &[Block]| blocks.iter().map(|b| (b.extrinsics.len() - 1).to_string()).collect::<Vec<_>>();

    println!(
        "extrinsic overhead benchmark: {remark_count} remarks in blocks of {}, {transfer_count} transfers in blocks \
         of {}; median of {repeat} executions",
        blocks_of(&remark_blocks).join(" + "),
        blocks_of(&transfer_blocks).join(" + ")
    );
    println!("  empty block                      {empty_us:>8.1} µs");
    println!("  signed remark (base extrinsic)   {remark_us:>8.1} µs   signature cached: {remark_cached_us:>6.1} µs");
    println!(
        "  transfer_keep_alive              {transfer_us:>8.1} µs   signature cached: {transfer_cached_us:>6.1} µs"
    );
    println!("  transfer less the base           {call_us:>8.1} µs");
    if let Some(path) = &args.rows {
        let mut rows = Rows::default();
        rows.push(
            "Signed extrinsic base cost (remark; cached signature)",
            format!("{remark_us:.1} µs ({remark_cached_us:.1} µs)"),
            "(ExtrinsicBaseWeight input)",
        );
        rows.push(
            "Transfer cost (cached signature); of which the call",
            format!("{transfer_us:.1} µs ({transfer_cached_us:.1} µs); {call_us:.1} µs"),
            "(transfer weight input)",
        );
        rows.append_to(path)?;
    }
    Ok(())
}

/// One line per repetition on stderr, so a noisy run shows.
fn log_run(signatures: &str, empty_s: f64, remark_s: f64, transfer_s: f64) {
    eprintln!(
        "  run ({signatures} signatures): empty block {:.1} µs, remark {:.1} µs, transfer {:.1} µs",
        empty_s * 1e6,
        remark_s * 1e6,
        transfer_s * 1e6
    );
}
