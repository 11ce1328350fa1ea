//! `ecochain-bench import`: build one block of transfers and import it into
//! fresh databases, in-process (no network, no pool).
//!
//! 1. A benchmark genesis with one funded sender per transfer (nonce 0 each,
//!    so every signature is independent).
//! 2. Build the block with `BlockBuilder` on the genesis state (what a
//!    proposer does) and commit it to the author's database.
//! 3. Re-import it, as a validator or syncing node does (`Client::import_block`:
//!    re-execute, check the roots, commit in one synced batch), in a *child
//!    process* so the first import is really cold (fresh process, fresh
//!    RocksDB, empty caches), then again into another fresh database in the
//!    same child (warm code paths and allocator). The child also times the
//!    execution alone (no commit) for a breakdown.

use crate::{
    procstat,
    spec::{account, bench_pairs, bench_spec_for},
    Rows,
};
use anyhow::Context;
use codec::{Decode, Encode};
use ecochain_client::{ChainSpec, Client, StoredBlock};
use ecochain_executor::BlockBuilder;
use ecochain_runtime::{Block, Header, RuntimeCall, UncheckedExtrinsic};
use serde_json::json;
use sp_core::{sr25519, Pair, H256};
use sp_runtime::transaction_validity::TransactionSource;
use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Instant, SystemTime, UNIX_EPOCH},
};

/// Options of `import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Transfers in the block (one sender each).
    #[arg(long, default_value_t = 2_000)]
    pub transfers: u32,
    /// Append markdown table rows (`| metric | value | target |`) to this file.
    #[arg(long, value_name = "FILE")]
    pub rows: Option<PathBuf>,
}

/// Options of the hidden child step.
#[derive(Debug, clap::Args)]
pub struct ImportChildArgs {
    /// The spec file.
    #[arg(long)]
    pub spec: PathBuf,
    /// The SCALE-encoded blocks, `Vec<(Header, Vec<Vec<u8>>)>`.
    #[arg(long)]
    pub block: PathBuf,
    /// Directory for the fresh databases.
    #[arg(long)]
    pub dir: PathBuf,
}

/// An archive database (every state kept), so each block can run on its parent.
pub(crate) fn archive() -> ecochain_storage::Config {
    ecochain_storage::Config { pruning: ecochain_storage::Pruning::Archive, ..Default::default() }
}

/// Sign `transfer_keep_alive` from each key to the next one (nonce 0), in parallel.
pub fn sign_ring(pairs: &[sr25519::Pair], genesis: H256) -> Vec<Vec<u8>> {
    let n = pairs.len();
    crate::par_map(n, |i| transfer(&pairs[i], &pairs[(i + 1) % n], 0, genesis).encode())
}

/// A signed `transfer_keep_alive` of one existential deposit.
pub fn transfer(from: &sr25519::Pair, to: &sr25519::Pair, nonce: u32, genesis: H256) -> UncheckedExtrinsic {
    let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
        dest: account(to).into(),
        value: ecochain_runtime::EXISTENTIAL_DEPOSIT,
    });
    ecochain_runtime::signing::sign_immortal(call, from, nonce, genesis)
}

/// A block as the import child reads it: the header and the encoded extrinsics.
pub type EncodedBlock = (Header, Vec<Vec<u8>>);

/// The block of `header` and the encoded `extrinsics`, decoded for execution.
pub(crate) fn decode_block(header: Header, extrinsics: &[Vec<u8>]) -> anyhow::Result<Block> {
    Ok(ecochain_runtime::decode::decode_block(header, extrinsics)?)
}

/// Build blocks of `xts` on `author`'s best block, as the proposer does (with
/// the dev validator named as author), and commit each: as many blocks as the
/// runtime's weight limit needs. Returns the blocks and the seconds spent
/// building and committing.
pub fn build_blocks(
    author: &Client,
    xts: Vec<Vec<u8>>,
    mut timestamp: u64,
) -> anyhow::Result<(Vec<EncodedBlock>, f64, f64)> {
    let digest = sp_runtime::generic::Digest {
        logs: vec![sp_runtime::DigestItem::PreRuntime(
            ecochain_primitives::CONSENSUS_ENGINE_ID,
            sp_keyring::Ed25519Keyring::Alice.public().0.to_vec(),
        )],
    };
    let (mut build_s, mut commit_s) = (0.0, 0.0);
    let mut blocks = Vec::new();
    let mut left: std::collections::VecDeque<Vec<u8>> = xts.into();
    loop {
        let parent = author.best_header();
        let state = author.state_at(&parent.hash())?;
        let started = Instant::now();
        let mut builder = BlockBuilder::new(author.executor(), &state, &parent, digest.clone())?;
        builder.push_inherents(timestamp)?;
        while let Some(xt) = left.pop_front() {
            match builder.push(xt.clone()) {
                Ok(()) => {}
                Err(e) if e.is_exhausted() => {
                    left.push_front(xt);
                    break;
                }
                Err(e) => anyhow::bail!("extrinsic refused: {e}"),
            }
        }
        anyhow::ensure!(builder.len() > 1 || left.is_empty(), "no extrinsic fits in a block");
        let built = builder.build()?;
        build_s += started.elapsed().as_secs_f64();
        blocks.push((built.header.clone(), built.extrinsics.clone()));
        let started = Instant::now();
        author.commit_built(built, None, true)?;
        commit_s += started.elapsed().as_secs_f64();
        timestamp += 1_000;
        if left.is_empty() {
            return Ok((blocks, build_s, commit_s));
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn per_s(count: usize, seconds: f64) -> f64 {
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        f64::INFINITY
    }
}

/// Run `import`.
pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    let n = args.transfers.max(2);
    let dir = tempfile::tempdir().context("temp dir")?;

    let started = Instant::now();
    let pairs = bench_pairs(n)?;
    let spec = bench_spec_for(&pairs, n)?;
    let author = Client::open(&dir.path().join("author"), &archive(), spec.clone()).context("opening the author db")?;
    let genesis = author.genesis_hash();
    let setup_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let xts = sign_ring(&pairs, genesis);
    let sign_s = started.elapsed().as_secs_f64();

    let (blocks, build_s, commit_s) = build_blocks(&author, xts, now_ms())?;
    let included: usize = blocks.iter().map(|(_, body)| body.len() - 1).sum();
    let per_block: Vec<String> = blocks.iter().map(|(_, body)| (body.len() - 1).to_string()).collect();
    let block_bytes: usize = blocks.iter().map(|(header, body)| header.encoded_size() + body.encoded_size()).sum();
    drop(author);

    // Import in a fresh process.
    let spec_path = dir.path().join("spec.json");
    let block_path = dir.path().join("block.scale");
    std::fs::write(&spec_path, spec.to_json()?)?;
    std::fs::write(&block_path, blocks.encode())?;
    let exe = std::env::current_exe().context("locating ecochain-bench")?;
    let output = Command::new(exe)
        .arg("import-child")
        .arg("--spec")
        .arg(&spec_path)
        .arg("--block")
        .arg(&block_path)
        .arg("--dir")
        .arg(dir.path().join("importers"))
        .output()
        .context("running the import child")?;
    anyhow::ensure!(output.status.success(), "import child failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    let child: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("reading the import child's answer")?;
    let f = |path: &str| child.pointer(path).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
    let (cold_s, warm_s, exec_s) = (f("/cold/import_s"), f("/warm/import_s"), f("/execute_s"));
    let (cold_cpu, warm_cpu) = (f("/cold/cpu_s"), f("/warm/cpu_s"));
    let (admitted_s, admitted_cpu, admit_s) = (f("/admitted/import_s"), f("/admitted/cpu_s"), f("/admitted/admit_s"));
    let (admitted_verified, admitted_cached) = (f("/admitted/verified_at_import"), f("/admitted/cached_at_import"));
    let child_rss_mib = f("/peak_rss_kib") / 1024.0;

    // What signature checks alone cost (one sr25519 verification per transfer).
    let verify_s = {
        let message = [7u8; 128];
        let signed: Vec<_> = pairs.iter().take(included).map(|p| (p.public(), p.sign(&message))).collect();
        let started = Instant::now();
        let ok = signed.iter().filter(|(public, sig)| sr25519::Pair::verify(sig, message, public)).count();
        anyhow::ensure!(ok == signed.len(), "signature check failed");
        started.elapsed().as_secs_f64()
    };

    let ms = |s: f64| s * 1e3;
    println!(
        "block import benchmark: {included} transfers in {} block(s) of {} (the runtime's block weight limit)",
        blocks.len(),
        per_block.join(" + ")
    );
    println!("  blocks size              {:>10} bytes", block_bytes);
    println!("  genesis + {n} accounts    {:>10.0} ms (derive keys, build spec, write genesis)", ms(setup_s));
    println!("  sign                     {:>10.0} ms  {:>9.0} transfers/s", ms(sign_s), per_s(included, sign_s));
    println!("  build (author)           {:>10.0} ms  {:>9.0} transfers/s", ms(build_s), per_s(included, build_s));
    println!("  commit (author)          {:>10.0} ms", ms(commit_s));
    println!(
        "  import, cold process     {:>10.0} ms  {:>9.0} transfers/s  cpu {:.2} s = {:.0} transfers/cpu-s",
        ms(cold_s),
        per_s(included, cold_s),
        cold_cpu,
        per_s(included, cold_cpu)
    );
    println!(
        "  import, warm             {:>10.0} ms  {:>9.0} transfers/s  cpu {:.2} s = {:.0} transfers/cpu-s",
        ms(warm_s),
        per_s(included, warm_s),
        warm_cpu,
        per_s(included, warm_cpu)
    );
    println!(
        "  import, pool-verified    {:>10.0} ms  {:>9.0} transfers/s  cpu {:.2} s = {:.0} transfers/cpu-s  \
         ({admitted_cached:.0} signatures from the cache, {admitted_verified:.0} verified; admission took {:.0} ms)",
        ms(admitted_s),
        per_s(included, admitted_s),
        admitted_cpu,
        per_s(included, admitted_cpu),
        ms(admit_s)
    );
    println!(
        "    of which execute       {:>10.0} ms  (re-execution + state root, no commit); commit ≈ {:.0} ms",
        ms(exec_s),
        ms(warm_s - exec_s)
    );
    println!(
        "    sr25519 verify alone   {:>10.0} ms  ({:.0} µs per signature, {:.0}% of execute)",
        ms(verify_s),
        verify_s * 1e6 / included as f64,
        100.0 * verify_s / exec_s
    );
    println!("  importer peak RSS        {:>10.0} MiB", child_rss_mib);

    if let Some(path) = &args.rows {
        let target = "≥ 8,000 transfers/s per core";
        let mut rows = Rows::default();
        rows.push(
            "Import benchmark blocks",
            format!(
                "{included} transfers in {} block(s) of {} (weight limit), {block_bytes} bytes",
                blocks.len(),
                per_block.join(" + ")
            ),
            "one block of 2,000 transfers",
        );
        rows.push("Block build (author)", format!("{:.0} transfers/s", per_s(included, build_s)), "");
        rows.push(
            "Block import, cold process",
            format!("{:.0} transfers/s ({:.0} per CPU-s)", per_s(included, cold_s), per_s(included, cold_cpu)),
            target,
        );
        rows.push(
            "Block import, warm",
            format!("{:.0} transfers/s ({:.0} per CPU-s)", per_s(included, warm_s), per_s(included, warm_cpu)),
            target,
        );
        rows.push(
            "Block import, transfers verified at pool admission",
            format!(
                "{:.0} transfers/s ({:.0} per CPU-s; {admitted_cached:.0} signatures from the cache, \
                 {admitted_verified:.0} verified again)",
                per_s(included, admitted_s),
                per_s(included, admitted_cpu)
            ),
            "≥ 8,000 transfers/s per core, each verified once per node",
        );
        rows.push(
            "Import breakdown (warm)",
            format!(
                "execute {:.0} ms, commit {:.0} ms, sr25519 verify alone {:.0} ms",
                ms(exec_s),
                ms(warm_s - exec_s),
                ms(verify_s)
            ),
            "",
        );
        rows.push("Importer peak RSS", format!("{child_rss_mib:.0} MiB"), "memory < 2 GB (SPEC 6)");
        rows.append_to(path)?;
    }
    Ok(())
}

fn import_once(dir: &Path, spec: &ChainSpec, blocks: &[StoredBlock], admit: bool) -> anyhow::Result<serde_json::Value> {
    let client = Client::open(dir, &archive(), spec.clone()).context("opening a fresh db")?;
    // As a validator's pool does when transactions arrive (by RPC or gossip):
    // validate each one at the parent state, which verifies its signature once.
    let admit_s = if admit {
        let started = Instant::now();
        let parent = client.best_hash();
        for xt in blocks.iter().flat_map(|b| b.extrinsics.iter().skip(1)) {
            let validity = client.runtime_api(parent).validate_transaction(TransactionSource::External, xt)?;
            anyhow::ensure!(validity.is_ok(), "a transfer is invalid at admission: {validity:?}");
        }
        started.elapsed().as_secs_f64()
    } else {
        0.0
    };
    let cache_before = client.executor().signature_cache().stats();
    let cpu = procstat::sample("self")?;
    let started = Instant::now();
    for block in blocks {
        client.import_block(block.clone(), true).context("importing")?;
    }
    let import_s = started.elapsed().as_secs_f64();
    let cpu_s = procstat::sample("self")?.cpu_s() - cpu.cpu_s();
    let cache = client.executor().signature_cache().stats();
    Ok(json!({
        "import_s": import_s,
        "cpu_s": cpu_s,
        "admit_s": admit_s,
        "verified_at_import": cache.misses - cache_before.misses,
        "cached_at_import": cache.hits - cache_before.hits,
    }))
}

/// The hidden child of `import`: prints a JSON object with the timings.
pub fn run_child(args: ImportChildArgs) -> anyhow::Result<()> {
    let spec = ChainSpec::from_file(&args.spec)?;
    let encoded = <Vec<EncodedBlock>>::decode(&mut &std::fs::read(&args.block)?[..])?;
    let blocks: Vec<StoredBlock> = encoded
        .into_iter()
        .map(|(header, extrinsics)| StoredBlock { header, extrinsics, justifications: None })
        .collect();
    let cold = import_once(&args.dir.join("cold"), &spec, &blocks, false)?;
    let warm = import_once(&args.dir.join("warm"), &spec, &blocks, false)?;
    let admitted = import_once(&args.dir.join("admitted"), &spec, &blocks, true)?;

    // Execution alone (no commit), each block on its parent state, in a third fresh database.
    let client = Client::open(&args.dir.join("execute"), &archive(), spec)?;
    let mut execute_s = 0.0;
    for block in &blocks {
        let state = client.state_at(&block.header.parent_hash)?;
        let decoded = decode_block(block.header.clone(), &block.extrinsics)?;
        let started = Instant::now();
        let changes = client.executor().execute_block(&state, &decoded)?;
        execute_s += started.elapsed().as_secs_f64();
        anyhow::ensure!(changes.transaction_storage_root == block.header.state_root, "state root mismatch");
        client.import_block(block.clone(), true)?;
    }

    let peak_rss_kib = procstat::sample("self")?.peak_rss_kib;
    println!(
        "{}",
        json!({ "cold": cold, "warm": warm, "admitted": admitted, "execute_s": execute_s, "peak_rss_kib": peak_rss_kib })
    );
    Ok(())
}
