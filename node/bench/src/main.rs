//! # ecochain-bench
//!
//! Performance measurements that print numbers (tests never assert on
//! wall-clock time):
//!
//! - `import`: build a block of N transfers in-process and import it into
//!   fresh databases, cold (a fresh process) and warm;
//! - `storage`: a cold storage read and an amortized write (the runtime's `DbWeight`);
//! - `overhead`: a signed extrinsic's and a transfer's native cost (the
//!   runtime's `ExtrinsicBaseWeight` and transfer weight);
//! - `spec`: a dev-type chain spec with N funded `//bench//{i}` senders, for
//!   `ecochain --chain bench.json`;
//! - `load`: pre-signed transfers submitted open-loop to running nodes over
//!   WebSocket RPC, finalized TPS, submission-to-finality latency
//!   percentiles, rejections, and the nodes' CPU and peak memory;
//! - `subs`: many WebSocket subscriptions on one node, their notification
//!   lag and the block interval meanwhile.
//!
//! `scripts/bench.sh` runs them on this machine and writes `bench-results.md`.

mod fuzz;
mod histogram;
mod import;
mod load;
mod overhead;
mod procstat;
mod spec;
mod storage;
mod subs;

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::{io::Write, path::Path};

/// EcoChain benchmarks.
#[derive(Debug, Parser)]
#[command(name = "ecochain-bench", version, about = "EcoChain benchmarks: block import, transfer load")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build a block of transfers and import it into fresh databases (in-process).
    Import(import::ImportArgs),
    /// Print a development chain spec with N funded `//bench//{i}` accounts.
    Spec {
        /// Funded benchmark accounts.
        #[arg(long, default_value_t = 1_000)]
        accounts: u32,
        /// The 4-validator `local` chain instead of the dev chain.
        #[arg(long)]
        local: bool,
    },
    /// Submit pre-signed transfers to running nodes and measure finality.
    Load(load::LoadArgs),
    /// Open many WebSocket subscriptions on a node and measure how late notifications arrive.
    Subs(subs::SubsArgs),
    /// Measure a storage read and write in this node's database (the runtime's `DbWeight`).
    Storage(storage::StorageArgs),
    /// Measure a signed extrinsic's base cost and a transfer's, executed natively (the runtime's weights).
    Overhead(overhead::OverheadArgs),
    /// Random and mutated inputs for every decoder exposed to the network (`scripts/fuzz.sh`).
    Fuzz(fuzz::FuzzArgs),
    /// The fresh-process half of `import` (internal).
    #[command(hide = true)]
    ImportChild(import::ImportChildArgs),
}

/// `f(0) .. f(count - 1)` in order, computed on every core (signing is the
/// costly part of preparing a load). A panic in `f` is re-raised here.
pub(crate) fn par_map<T: Send>(count: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism().map(|p| p.get()).unwrap_or(1);
    let chunk = count.div_ceil(threads).max(1);
    let indices: Vec<usize> = (0..count).collect();
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = indices
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|&i| f(i)).collect::<Vec<T>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// Markdown table rows `| metric | value | target |`.
#[derive(Default)]
pub(crate) struct Rows {
    /// Put before every metric name (which run it comes from).
    prefix: String,
    rows: Vec<[String; 3]>,
}

impl Rows {
    pub(crate) fn with_prefix(prefix: &str) -> Self {
        Self { prefix: prefix.into(), rows: Vec::new() }
    }

    pub(crate) fn push(&mut self, metric: &str, value: String, target: &str) {
        self.rows.push([format!("{}{metric}", self.prefix), value, target.into()]);
    }

    pub(crate) fn append_to(&self, path: &Path) -> anyhow::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        for [metric, value, target] in &self.rows {
            let cell = |s: &str| s.replace('|', "\\|");
            writeln!(file, "| {} | {} | {} |", cell(metric), cell(value), cell(target))?;
        }
        Ok(())
    }
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Import(args) => import::run(args),
        Command::Fuzz(args) => fuzz::run(args),
        Command::Storage(args) => storage::run(args),
        Command::Overhead(args) => overhead::run(args),
        Command::ImportChild(args) => import::run_child(args),
        Command::Spec { accounts, local } => {
            let spec = if local { spec::bench_local_spec(accounts)? } else { spec::bench_spec(accounts)? };
            println!("{}", spec.to_json()?);
            Ok(())
        }
        Command::Load(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("tokio runtime")?;
            runtime.block_on(load::run(args))
        }
        Command::Subs(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("tokio runtime")?;
            runtime.block_on(subs::run(args))
        }
    }
}
