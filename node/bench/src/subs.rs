//! `subs`: many WebSocket subscriptions on one node, and how late their
//! notifications arrive.
//!
//! Opens `--subscriptions` subscriptions over `--connections` WebSocket
//! connections, half `chain_subscribeNewHeads` and half
//! `state_subscribeStorage` of `Timestamp.Now` (a key every block changes),
//! then listens for `--secs` seconds.
//!
//! - Notification lag: for each block, the time from the first subscriber's
//!   notification of it to each other subscriber's (heads by number, storage
//!   changes by block hash). A node that falls behind its subscribers shows it
//!   here: the last ones hear of a block late, or not at all.
//! - Block interval: the time between consecutive blocks' first notifications,
//!   to compare with the node's block time (subscribers must not slow it).
//! - Missed: notifications a subscriber never got for a block some other
//!   subscriber of the same kind got, inside the window.
//! - The node's CPU and memory over the window.

use crate::{histogram::Histogram, procstat, Rows};
use anyhow::Context;
use jsonrpsee::{
    core::client::{Subscription, SubscriptionClientT},
    rpc_params,
    ws_client::WsClientBuilder,
};
use serde_json::Value;
use std::{
    collections::HashMap,
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::Mutex;

/// `ecochain-bench subs` arguments.
#[derive(Debug, clap::Args)]
pub struct SubsArgs {
    /// The node's WebSocket RPC URL.
    #[arg(long)]
    rpc: String,
    /// Subscriptions in total (half heads, half storage).
    #[arg(long, default_value_t = 1_000)]
    subscriptions: usize,
    /// WebSocket connections they are spread over.
    #[arg(long, default_value_t = 10)]
    connections: usize,
    /// Seconds to listen once every subscription is open.
    #[arg(long, default_value_t = 20)]
    secs: u64,
    /// The node's process id, for its CPU and memory.
    #[arg(long)]
    pid: Option<String>,
    /// Append markdown table rows to this file.
    #[arg(long)]
    rows: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Kind {
    Heads,
    Storage,
}

/// What one subscription heard: the block (number for heads, hash for
/// storage) and when.
type Heard = Vec<(String, Instant)>;

/// `twox128("Timestamp") ++ twox128("Now")`: set by every block's inherent.
fn timestamp_now_key() -> String {
    let mut key = sp_crypto_hashing::twox_128(b"Timestamp").to_vec();
    key.extend(sp_crypto_hashing::twox_128(b"Now"));
    format!("0x{}", hex::encode(key))
}

pub async fn run(args: SubsArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.connections > 0 && args.subscriptions >= args.connections,
        "need subscriptions >= connections > 0"
    );
    let per_connection = args.subscriptions.div_ceil(args.connections);
    let key = timestamp_now_key();
    let mut clients = Vec::new();
    let mut subs: Vec<(Kind, Subscription<Value>)> = Vec::new();
    let opening = Instant::now();
    for _ in 0..args.connections {
        let client = WsClientBuilder::default()
            .max_buffer_capacity_per_subscription(4096)
            .request_timeout(Duration::from_secs(60))
            .build(&args.rpc)
            .await
            .with_context(|| format!("connecting to {}", args.rpc))?;
        for _ in 0..per_connection {
            if subs.len() == args.subscriptions {
                break;
            }
            let sub = if subs.len().is_multiple_of(2) {
                let s = client
                    .subscribe("chain_subscribeNewHeads", rpc_params![], "chain_unsubscribeNewHeads")
                    .await
                    .context("chain_subscribeNewHeads")?;
                (Kind::Heads, s)
            } else {
                let s = client
                    .subscribe("state_subscribeStorage", rpc_params![vec![key.clone()]], "state_unsubscribeStorage")
                    .await
                    .context("state_subscribeStorage")?;
                (Kind::Storage, s)
            };
            subs.push(sub);
        }
        clients.push(client);
    }
    let open_s = opening.elapsed().as_secs_f64();
    eprintln!("{} subscriptions open on {} connections in {open_s:.1} s", subs.len(), clients.len());

    let before = args.pid.as_deref().map(procstat::sample).transpose()?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.secs);
    let heard: Arc<Mutex<Vec<(Kind, Heard)>>> = Arc::default();
    let mut tasks = Vec::new();
    for (kind, mut sub) in subs {
        let heard = heard.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Heard::new();
            loop {
                let next = tokio::time::timeout_at(deadline.into(), sub.next()).await;
                let Ok(Some(Ok(value))) = next else { break };
                let at = Instant::now();
                let block = match kind {
                    Kind::Heads => value["number"].as_str().unwrap_or_default().to_string(),
                    Kind::Storage => value["block"].as_str().unwrap_or_default().to_string(),
                };
                mine.push((block, at));
            }
            heard.lock().await.push((kind, mine));
        }));
    }
    for t in tasks {
        t.await?;
    }
    let after = args.pid.as_deref().map(procstat::sample).transpose()?;
    let window = started.elapsed().as_secs_f64();

    let heard = std::mem::take(&mut *heard.lock().await);
    let mut lag = Histogram::default();
    let mut missed = 0u64;
    let mut blocks: HashMap<Kind, HashMap<String, (Instant, usize)>> = HashMap::new();
    for (kind, mine) in &heard {
        for (block, at) in mine {
            let entry = blocks.entry(*kind).or_default().entry(block.clone()).or_insert((*at, 0));
            entry.0 = entry.0.min(*at);
            entry.1 += 1;
        }
    }
    for (kind, mine) in &heard {
        let firsts = &blocks[kind];
        for (block, at) in mine {
            lag.record(at.duration_since(firsts[block].0).as_micros() as u64);
        }
    }
    let subscribers = |k: Kind| heard.iter().filter(|(kind, _)| *kind == k).count();
    // Blocks heard of by some subscriber but not all (the window's edges cut
    // some off: only count blocks first heard a second inside the window).
    for (kind, firsts) in &blocks {
        let n = subscribers(*kind);
        for (first, count) in firsts.values() {
            let inside = first.duration_since(started) > Duration::from_secs(1)
                && deadline.saturating_duration_since(*first) > Duration::from_secs(1);
            if inside {
                missed += (n - count) as u64;
            }
        }
    }
    let mut heads: Vec<(u64, Instant)> = blocks
        .get(&Kind::Heads)
        .map(|m| {
            m.iter()
                .filter_map(|(n, (at, _))| u64::from_str_radix(n.trim_start_matches("0x"), 16).ok().map(|n| (n, *at)))
                .collect()
        })
        .unwrap_or_default();
    heads.sort();
    let mut interval = Histogram::default();
    for pair in heads.windows(2) {
        if pair[1].0 == pair[0].0 + 1 {
            interval.record(pair[1].1.duration_since(pair[0].1).as_micros() as u64);
        }
    }
    let notifications: usize = heard.iter().map(|(_, m)| m.len()).sum();
    let mean_interval = interval.mean().map(|m| format!("{:.0}", m / 1000.0)).unwrap_or_else(|| "-".into());
    let ms = |v: Option<u64>| v.map(|us| format!("{:.1}", us as f64 / 1000.0)).unwrap_or_else(|| "-".into());
    let report = format!(
        "{} subscriptions ({} heads, {} storage) on {} connections; {} notifications in {window:.1} s; \
         lag p50 / p99 / max {} / {} / {} ms; block interval mean {} ms, p99 {} ms; missed {missed}",
        heard.len(),
        subscribers(Kind::Heads),
        subscribers(Kind::Storage),
        clients.len(),
        notifications,
        ms(lag.quantile(0.5)),
        ms(lag.quantile(0.99)),
        ms(lag.max()),
        mean_interval,
        ms(interval.quantile(0.99)),
    );
    println!("{report}");
    let node = match (before, after) {
        (Some(b), Some(a)) => format!(
            "{:.2} cores, RSS {:.0} MiB (peak {:.0} MiB)",
            (a.cpu_s() - b.cpu_s()) / window,
            a.rss_kib as f64 / 1024.0,
            a.peak_rss_kib as f64 / 1024.0
        ),
        _ => "-".into(),
    };
    println!("node: {node}");
    if let Some(path) = &args.rows {
        let mut rows = Rows::with_prefix("RPC subscriptions: ");
        rows.push(
            "open",
            format!(
                "{} ({} chain_subscribeNewHeads + {} state_subscribeStorage) on {} WebSocket connections, opened in {open_s:.1} s",
                heard.len(),
                subscribers(Kind::Heads),
                subscribers(Kind::Storage),
                clients.len()
            ),
            "1,000",
        );
        rows.push(
            "notification lag after the first subscriber p50 / p99 / max",
            format!(
                "{} / {} / {} ms ({notifications} notifications, {missed} missed)",
                ms(lag.quantile(0.5)),
                ms(lag.quantile(0.99)),
                ms(lag.max())
            ),
            "p99 ≤ 100 ms, 0 missed",
        );
        rows.push(
            "block interval while subscribed, mean / p99",
            format!("{mean_interval} / {} ms", ms(interval.quantile(0.99))),
            "the node's block time (2 blocks/s: 500 ms)",
        );
        rows.push("node CPU and memory while subscribed", node, "≤ 400 MB");
        rows.append_to(path)?;
    }
    Ok(())
}
