//! `ecochain-bench load`: open-loop transfer load against running nodes.
//!
//! Pre-signs every transfer, then submits them with `author_submitExtrinsic`
//! round-robin over the nodes' WebSocket RPC, at a fixed rate or as fast as
//! they are accepted, with a bounded number of requests in flight and of
//! transactions accepted but not yet final (so the node's pool never
//! overflows). Finality is observed through `chain_subscribeFinalizedHeads`
//! on the first node: each finalized block is fetched and its extrinsic
//! hashes matched to submission times.

use crate::{
    histogram::Histogram,
    import::transfer,
    procstat::{self, ProcSample},
    spec::{account, bench_pairs, dev_pairs},
    Rows,
};
use anyhow::Context;
use codec::Encode;
use jsonrpsee::{
    core::{
        client::{ClientT, SubscriptionClientT},
        ClientError,
    },
    rpc_params,
    ws_client::{WsClient, WsClientBuilder},
};
use serde_json::Value;
use sp_core::{sr25519, H256};
use std::{
    collections::{BTreeMap, HashMap},
    path::PathBuf,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::{mpsc, Semaphore};

/// Where the senders come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Senders {
    /// `//Alice` … `//Ferdie` (funded on every dev chain; at most 6 senders).
    Dev,
    /// `//bench//0` … (funded by a spec from `ecochain-bench spec --accounts N`).
    Bench,
}

/// Options of `load`.
#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// WebSocket RPC endpoints, comma separated; submissions go round-robin.
    #[arg(long, value_delimiter = ',', default_value = "ws://127.0.0.1:9944")]
    pub rpc: Vec<String>,
    /// Which accounts sign.
    #[arg(long, value_enum, default_value_t = Senders::Bench, alias = "spec-accounts-from")]
    pub senders: Senders,
    /// Number of senders (`dev`: at most 6).
    #[arg(long, default_value_t = 200)]
    pub accounts: u32,
    /// Transfers to submit.
    #[arg(long, default_value_t = 10_000)]
    pub txs: u32,
    /// Submissions per second; 0 submits as fast as the nodes accept.
    #[arg(long, default_value_t = 0)]
    pub rate: u32,
    /// Most submissions waiting for their RPC answer.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Most transactions accepted but not yet seen final (below the pool's 8,192).
    #[arg(long, default_value_t = 6_000)]
    pub max_pending: usize,
    /// Seconds to wait for outstanding transactions after the last submission.
    #[arg(long, default_value_t = 30)]
    pub drain_timeout_secs: u64,
    /// Process ids of the nodes (comma separated), for CPU seconds and peak RSS.
    #[arg(long, value_delimiter = ',')]
    pub pid: Vec<u32>,
    /// Append markdown table rows (`| metric | value | target |`) to this file.
    #[arg(long, value_name = "FILE")]
    pub rows: Option<PathBuf>,
    /// Name of this run, before every row's metric (e.g. `saturated`, `paced`).
    #[arg(long, default_value = "")]
    pub label: String,
}

/// Pool-full answers worth retrying (1014 priority too low, 1016 immediately dropped).
const RETRY_CODES: [i32; 2] = [1014, 1016];
const MAX_RETRIES: u32 = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TxState {
    NotSent,
    Sent(Instant),
    Rejected,
    Finalized,
}

/// Per-transaction state and the counters; one lock, a few thousand updates a second.
struct Tracker {
    state: Vec<TxState>,
    latency_us: Histogram,
    accepted: u64,
    rejected: BTreeMap<String, u64>,
    retries: u64,
    finalized: u64,
    finalized_after_error: u64,
    /// Finalized blocks holding our transactions: number, notification time, how many of ours.
    blocks: Vec<(u64, Instant, u64)>,
    /// All transactions are final or rejected.
    done: bool,
}

impl Tracker {
    fn settle(&mut self) {
        let open = self.state.iter().any(|s| matches!(s, TxState::NotSent | TxState::Sent(_)));
        self.done = !open;
    }
}

async fn connect(url: &str, concurrency: usize) -> anyhow::Result<WsClient> {
    WsClientBuilder::default()
        .max_concurrent_requests(concurrency * 2 + 64)
        .request_timeout(Duration::from_secs(120))
        .max_response_size(64 * 1024 * 1024)
        .build(url)
        .await
        .with_context(|| format!("connecting to {url}"))
}

fn parse_h256(v: &Value) -> anyhow::Result<H256> {
    let s = v.as_str().context("expected a hex string")?;
    let bytes = hex::decode(s.trim_start_matches("0x"))?;
    anyhow::ensure!(bytes.len() == 32, "expected 32 bytes, got {}", bytes.len());
    Ok(H256::from_slice(&bytes))
}

fn parse_number(v: &Value) -> anyhow::Result<u64> {
    match v {
        Value::String(s) => Ok(u64::from_str_radix(s.trim_start_matches("0x"), 16)?),
        Value::Number(n) => n.as_u64().context("negative block number"),
        _ => anyhow::bail!("unexpected block number {v}"),
    }
}

/// Fetch finalized blocks `from..=to` and match their extrinsics.
async fn record_finalized(
    client: &WsClient,
    from: u64,
    to: u64,
    seen_at: Instant,
    hashes: &HashMap<H256, usize>,
    tracker: &Mutex<Tracker>,
    pending: &Semaphore,
) -> anyhow::Result<()> {
    for number in from..=to {
        let hash: Value = client.request("chain_getBlockHash", rpc_params![number]).await?;
        let block: Value = client.request("chain_getBlock", rpc_params![hash]).await?;
        let extrinsics = block.pointer("/block/extrinsics").and_then(|v| v.as_array()).cloned().unwrap_or_default();
        let ours: Vec<usize> = extrinsics
            .iter()
            .filter_map(|x| x.as_str())
            .filter_map(|x| hex::decode(x.trim_start_matches("0x")).ok())
            .filter_map(|bytes| hashes.get(&H256(sp_crypto_hashing::blake2_256(&bytes))).copied())
            .collect();
        if ours.is_empty() {
            continue;
        }
        let mut t = tracker.lock().map_err(|_| anyhow::anyhow!("tracker poisoned"))?;
        let mut released = 0;
        for &i in &ours {
            match t.state[i] {
                TxState::Sent(at) => {
                    t.latency_us.record(seen_at.saturating_duration_since(at).as_micros() as u64);
                    t.finalized += 1;
                    released += 1;
                }
                TxState::Rejected => {
                    t.finalized += 1;
                    t.finalized_after_error += 1;
                }
                TxState::NotSent | TxState::Finalized => {}
            }
            t.state[i] = TxState::Finalized;
        }
        t.blocks.push((number, seen_at, ours.len() as u64));
        t.settle();
        drop(t);
        pending.add_permits(released);
    }
    Ok(())
}

struct Signed {
    hash: H256,
    hex: String,
}

fn sign_all(pairs: &[sr25519::Pair], nonces: &[u32], txs: usize, genesis: H256) -> Vec<Signed> {
    let n = pairs.len();
    crate::par_map(txs, |i| {
        // Sender i mod n, its nonces in order: a sender's next transaction
        // comes n submissions later.
        let sender = i % n;
        let nonce = nonces[sender] + (i / n) as u32;
        let bytes = transfer(&pairs[sender], &pairs[(sender + 1) % n], nonce, genesis).encode();
        Signed { hash: H256(sp_crypto_hashing::blake2_256(&bytes)), hex: format!("0x{}", hex::encode(&bytes)) }
    })
}

fn ms(us: Option<u64>) -> String {
    us.map(|v| format!("{:.0}", v as f64 / 1e3)).unwrap_or_else(|| "-".into())
}

/// Run `load`.
pub async fn run(args: LoadArgs) -> anyhow::Result<()> {
    anyhow::ensure!(!args.rpc.is_empty(), "no --rpc endpoint");
    anyhow::ensure!(args.txs > 0 && args.accounts > 0, "--txs and --accounts must be positive");
    let concurrency = args.concurrency.max(1);
    let mut clients = Vec::new();
    for url in &args.rpc {
        clients.push(Arc::new(connect(url, concurrency).await?));
    }
    // Our own connection for finality, so answers are not queued behind submissions.
    let watcher = Arc::new(connect(&args.rpc[0], concurrency).await?);

    let genesis = parse_h256(&watcher.request::<Value, _>("chain_getBlockHash", rpc_params![0]).await?)?;
    for (url, client) in args.rpc.iter().zip(&clients) {
        let other = parse_h256(&client.request::<Value, _>("chain_getBlockHash", rpc_params![0]).await?)?;
        anyhow::ensure!(other == genesis, "{url} serves another chain (genesis {other:?}, expected {genesis:?})");
    }

    let pairs = match args.senders {
        Senders::Dev => {
            let mut pairs = dev_pairs();
            if args.accounts as usize > pairs.len() {
                eprintln!("--senders dev has 6 accounts; use `ecochain-bench spec --accounts N` for more");
            }
            pairs.truncate(args.accounts as usize);
            pairs
        }
        Senders::Bench => bench_pairs(args.accounts)?,
    };
    anyhow::ensure!(pairs.len() >= 2, "need at least two senders (they pay each other)");
    let mut nonces = Vec::with_capacity(pairs.len());
    for pair in &pairs {
        let who = format!("0x{}", hex::encode(account(pair).encode()));
        let nonce: u32 = watcher.request("system_accountNextIndex", rpc_params![who.clone()]).await?;
        let balance: Value = watcher.request("ect_balance", rpc_params![who.clone()]).await.unwrap_or(Value::Null);
        let unfunded = balance.get("free").is_some_and(|v| v == &Value::from(0) || v == &Value::from("0"));
        if unfunded {
            anyhow::bail!(
                "sender {who} has no funds on this chain: start the node with a spec from `ecochain-bench spec`"
            );
        }
        nonces.push(nonce);
    }

    let started = Instant::now();
    let txs = Arc::new(sign_all(&pairs, &nonces, args.txs as usize, genesis));
    let hashes: Arc<HashMap<H256, usize>> = Arc::new(txs.iter().enumerate().map(|(i, s)| (s.hash, i)).collect());
    eprintln!(
        "signed {} transfers from {} senders in {:.1} s; submitting to {} node(s)",
        txs.len(),
        pairs.len(),
        started.elapsed().as_secs_f64(),
        clients.len()
    );

    let tracker = Arc::new(Mutex::new(Tracker {
        state: vec![TxState::NotSent; txs.len()],
        latency_us: Histogram::default(),
        accepted: 0,
        rejected: BTreeMap::new(),
        retries: 0,
        finalized: 0,
        finalized_after_error: 0,
        blocks: Vec::new(),
        done: false,
    }));
    let pending = Arc::new(Semaphore::new(args.max_pending.max(1)));

    // Finality: notification times into a channel, blocks fetched in order.
    let finalized_head: Value = watcher.request("chain_getFinalizedHead", rpc_params![]).await?;
    let head: Value = watcher.request("chain_getHeader", rpc_params![finalized_head]).await?;
    let mut last_final = parse_number(head.get("number").unwrap_or(&Value::Null))?;
    let mut subscription = watcher
        .subscribe::<Value, _>("chain_subscribeFinalizedHeads", rpc_params![], "chain_unsubscribeFinalizedHeads")
        .await?;
    let (heads_tx, mut heads_rx) = mpsc::unbounded_channel::<(u64, Instant)>();
    tokio::spawn(async move {
        while let Some(Ok(header)) = subscription.next().await {
            let seen = Instant::now();
            if let Some(Ok(number)) = header.get("number").map(parse_number) {
                if heads_tx.send((number, seen)).is_err() {
                    break;
                }
            }
        }
    });
    let fetcher = {
        let (watcher, hashes, tracker, pending) = (watcher.clone(), hashes.clone(), tracker.clone(), pending.clone());
        tokio::spawn(async move {
            while let Some((number, seen)) = heads_rx.recv().await {
                if number <= last_final {
                    continue;
                }
                if let Err(e) =
                    record_finalized(&watcher, last_final + 1, number, seen, &hashes, &tracker, &pending).await
                {
                    eprintln!("fetching finalized blocks: {e:#}");
                }
                last_final = number;
            }
        })
    };

    let pids: Vec<String> = args.pid.iter().map(|p| p.to_string()).collect();
    let sample_all = || pids.iter().map(|p| procstat::sample(p).ok()).collect::<Vec<Option<ProcSample>>>();
    let before = sample_all();
    let self_before = procstat::sample("self").ok();

    // Submit.
    let in_flight = Arc::new(Semaphore::new(concurrency));
    let submit_start = Instant::now();
    for i in 0..txs.len() {
        if args.rate > 0 {
            let due = submit_start + Duration::from_secs_f64(i as f64 / f64::from(args.rate));
            tokio::time::sleep_until(due.into()).await;
        }
        pending.acquire().await.context("pending window closed")?.forget();
        let permit = in_flight.clone().acquire_owned().await.context("in-flight window closed")?;
        let client = clients[i % clients.len()].clone();
        let (txs, tracker, pending) = (txs.clone(), tracker.clone(), pending.clone());
        if let Ok(mut t) = tracker.lock() {
            t.state[i] = TxState::Sent(Instant::now());
        }
        tokio::spawn(async move {
            let mut attempts = 0;
            let outcome = loop {
                match client.request::<Value, _>("author_submitExtrinsic", rpc_params![txs[i].hex.as_str()]).await {
                    Ok(_) => break None,
                    Err(ClientError::Call(e)) if RETRY_CODES.contains(&e.code()) && attempts < MAX_RETRIES => {
                        attempts += 1;
                        if let Ok(mut t) = tracker.lock() {
                            t.retries += 1;
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Err(ClientError::Call(e)) => break Some(format!("{} {}", e.code(), e.message())),
                    Err(other) => break Some(format!("transport: {other}")),
                }
            };
            if let Ok(mut t) = tracker.lock() {
                match outcome {
                    None => t.accepted += 1,
                    Some(reason) => {
                        *t.rejected.entry(reason).or_default() += 1;
                        if matches!(t.state[i], TxState::Sent(_)) {
                            t.state[i] = TxState::Rejected;
                            pending.add_permits(1);
                        }
                        t.settle();
                    }
                }
            }
            drop(permit);
        });
    }
    // Wait for every answer.
    let _all = in_flight.acquire_many(concurrency as u32).await.context("in-flight window closed")?;
    let submit_s = submit_start.elapsed().as_secs_f64();

    // Drain.
    let deadline = Instant::now() + Duration::from_secs(args.drain_timeout_secs);
    loop {
        let done = tracker.lock().map(|t| t.done).unwrap_or(true);
        if done || Instant::now() >= deadline || fetcher.is_finished() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = sample_all();
    let self_after = procstat::sample("self").ok();
    fetcher.abort();

    let t = tracker.lock().map_err(|_| anyhow::anyhow!("tracker poisoned"))?;
    let not_final = t.state.iter().filter(|s| matches!(s, TxState::Sent(_))).count();
    let rejected: u64 = t.rejected.values().sum();
    let (window_tps, window_desc) = match (t.blocks.first(), t.blocks.last()) {
        (Some(first), Some(last)) if last.1 > first.1 => {
            // From the first inclusion's notification to the last's: count what
            // landed after the first block.
            let after_first: u64 = t.blocks.iter().skip(1).map(|b| b.2).sum();
            let secs = last.1.duration_since(first.1).as_secs_f64();
            (Some(after_first as f64 / secs), format!("blocks #{}..#{} over {:.1} s", first.0, last.0, secs))
        }
        _ => (None, "fewer than two blocks".into()),
    };
    let end_to_end_tps =
        t.blocks.last().map(|last| t.finalized as f64 / last.1.duration_since(submit_start).as_secs_f64());
    let per_block = if t.blocks.is_empty() { 0.0 } else { t.finalized as f64 / t.blocks.len() as f64 };
    let h = &t.latency_us;

    println!(
        "load: {} transfers from {} senders ({:?}), {} node(s), rate {}, {} in flight, pending window {}",
        txs.len(),
        pairs.len(),
        args.senders,
        clients.len(),
        if args.rate == 0 { "as fast as accepted".to_string() } else { format!("{}/s", args.rate) },
        concurrency,
        args.max_pending
    );
    println!(
        "  submitted        {} in {:.1} s ({:.0}/s); accepted {}, retried (pool full) {}",
        txs.len(),
        submit_s,
        txs.len() as f64 / submit_s,
        t.accepted,
        t.retries
    );
    println!("  rejected         {rejected} {:?}", t.rejected);
    println!(
        "  finalized        {} in {} blocks ({:.0} per block){}",
        t.finalized,
        t.blocks.len(),
        per_block,
        if t.finalized_after_error > 0 {
            format!(", {} despite an RPC error", t.finalized_after_error)
        } else {
            String::new()
        }
    );
    println!(
        "  finalized TPS    {} steady ({window_desc}); {} from first submission",
        window_tps.map(|v| format!("{v:.0}")).unwrap_or_else(|| "-".into()),
        end_to_end_tps.map(|v| format!("{v:.0}")).unwrap_or_else(|| "-".into())
    );
    println!(
        "  latency ms       min {} mean {} p50 {} p90 {} p99 {} max {} (submission to finalized notification, {} samples)",
        ms(h.min()),
        h.mean().map(|v| format!("{:.0}", v / 1e3)).unwrap_or_else(|| "-".into()),
        ms(h.quantile(0.5)),
        ms(h.quantile(0.9)),
        ms(h.quantile(0.99)),
        ms(h.max()),
        h.count()
    );
    println!("  not finalized    {not_final} after a {} s drain", args.drain_timeout_secs);
    let mut node_rows = Vec::new();
    for ((pid, b), a) in pids.iter().zip(&before).zip(&after) {
        match (b, a) {
            (Some(b), Some(a)) => {
                let line = format!(
                    "cpu {:.1} s during the run (user {:.1}, sys {:.1}; {:.2} cores), peak RSS {:.0} MiB",
                    a.cpu_s() - b.cpu_s(),
                    a.user_s - b.user_s,
                    a.system_s - b.system_s,
                    (a.cpu_s() - b.cpu_s()) / submit_start.elapsed().as_secs_f64(),
                    a.peak_rss_kib as f64 / 1024.0
                );
                println!("  node pid {pid}     {line}");
                node_rows.push((pid.clone(), line));
            }
            _ => println!("  node pid {pid}     not readable from /proc"),
        }
    }
    if let (Some(b), Some(a)) = (self_before, self_after) {
        println!(
            "  this client      cpu {:.1} s during the run, peak RSS {:.0} MiB",
            a.cpu_s() - b.cpu_s(),
            a.peak_rss_kib as f64 / 1024.0
        );
    }

    if let Some(path) = &args.rows {
        let mut rows =
            if args.label.is_empty() { Rows::default() } else { Rows::with_prefix(&format!("{}: ", args.label)) };
        rows.push(
            "Load",
            format!(
                "{} transfers, {} senders, {} node(s), rate {}",
                txs.len(),
                pairs.len(),
                clients.len(),
                if args.rate == 0 { "max".into() } else { args.rate.to_string() }
            ),
            "",
        );
        // Several endpoints: the 4-validator run, whose targets differ (issue #6).
        let network = args.rpc.len() > 1;
        rows.push("Submission rate (accepted by RPC)", format!("{:.0} tx/s", txs.len() as f64 / submit_s), "");
        rows.push(
            "Finalized TPS (steady window)",
            format!(
                "{} ({window_desc}; {:.0} per block)",
                window_tps.map(|v| format!("{v:.0}")).unwrap_or_else(|| "-".into()),
                per_block
            ),
            match (args.rate, network) {
                (0, false) => "≥ 5,000 (dev chain)",
                (0, true) => "≥ 2,500 (4 validators)",
                _ => "",
            },
        );
        rows.push(
            "Latency submit → finalized p50 / p90 / p99 / max",
            format!(
                "{} / {} / {} / {} ms",
                ms(h.quantile(0.5)),
                ms(h.quantile(0.9)),
                ms(h.quantile(0.99)),
                ms(h.max())
            ),
            if network { "p50 ≤ 500 ms, p99 ≤ 2,000 ms at 1,000 tx/s (4 validators)" } else { "p99 ≤ 1,500 ms" },
        );
        rows.push("Rejected / not finalized", format!("{rejected} / {not_final}"), "0 / 0");
        for (pid, line) in node_rows {
            rows.push(&format!("Node {pid} CPU and memory"), line, "memory < 2 GB (SPEC 6)");
        }
        rows.append_to(path)?;
    }
    Ok(())
}
