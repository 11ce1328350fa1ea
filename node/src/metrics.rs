//! Prometheus metrics and the `/health` and `/ready` endpoints, served on
//! `--prometheus-port` by `ecochain-metrics-http` (the relayer's responder too).

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};
use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
};

/// The node's metrics.
pub struct Metrics {
    registry: Registry,
    /// Best and finalized heights.
    pub height: IntGaugeVec,
    /// Ready transactions in the pool.
    pub pool_ready: IntGauge,
    /// Future transactions in the pool.
    pub pool_future: IntGauge,
    /// Time to build or import a block.
    pub import_seconds: Histogram,
    /// Extrinsics included in blocks.
    pub extrinsics: IntCounter,
    /// RPC calls by method.
    pub rpc_calls: IntCounterVec,
    /// Signature checks answered by the signature cache / verified, and its size.
    pub signatures: IntGaugeVec,
    /// Consensus faults seen: `equivocation` (a proposer signed two blocks for one
    /// round), `refused_part` (proposal parts refused: wrong proposer, bad
    /// signature, over a bound), `banned_peer` (gossip peers banned now).
    pub faults: IntGaugeVec,
    /// Whether the node has finished starting (for `/ready`).
    pub ready: AtomicBool,
}

impl Metrics {
    /// Register every metric.
    pub fn new() -> prometheus::Result<Arc<Self>> {
        let registry = Registry::new_custom(Some("ecochain".into()), None)?;
        let height = IntGaugeVec::new(Opts::new("block_height", "Block height by status"), &["status"])?;
        let pool_ready = IntGauge::new("txpool_ready", "Ready transactions in the pool")?;
        let pool_future = IntGauge::new("txpool_future", "Future transactions in the pool")?;
        let import_seconds = Histogram::with_opts(
            HistogramOpts::new("block_import_seconds", "Time to build or import a block")
                .buckets(vec![0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
        )?;
        let extrinsics = IntCounter::new("extrinsics_total", "Extrinsics included in blocks")?;
        let rpc_calls = IntCounterVec::new(Opts::new("rpc_calls_total", "JSON-RPC calls by method"), &["method"])?;
        let signatures = IntGaugeVec::new(
            Opts::new("signature_checks", "Signature checks since start (cached, verified) and cache entries"),
            &["kind"],
        )?;
        let faults = IntGaugeVec::new(
            Opts::new("peer_faults", "Faults of peers since start: equivocation, refused_part, banned_peer (now)"),
            &["kind"],
        )?;
        registry.register(Box::new(faults.clone()))?;
        registry.register(Box::new(rpc_calls.clone()))?;
        registry.register(Box::new(signatures.clone()))?;
        registry.register(Box::new(height.clone()))?;
        registry.register(Box::new(pool_ready.clone()))?;
        registry.register(Box::new(pool_future.clone()))?;
        registry.register(Box::new(import_seconds.clone()))?;
        registry.register(Box::new(extrinsics.clone()))?;
        Ok(Arc::new(Self {
            registry,
            height,
            pool_ready,
            pool_future,
            import_seconds,
            extrinsics,
            rpc_calls,
            signatures,
            faults,
            ready: AtomicBool::new(false),
        }))
    }

    /// Update the chain and pool metrics on every block `client` commits,
    /// whichever path commits it (dev sealer, BFT decision, sync). Registered
    /// after the pool's own hook, so the pool gauges count what is left once
    /// the block's transactions are pruned.
    pub fn follow(
        self: &Arc<Self>,
        client: &Arc<ecochain_client::Client>,
        pool: &Arc<ecochain_client::TransactionPool>,
    ) {
        let (metrics, pool, executor) = (Arc::downgrade(self), Arc::downgrade(pool), client.executor());
        client.on_commit(Box::new(move |c| {
            let Some(m) = metrics.upgrade() else { return };
            let number = i64::from(c.header.number);
            m.import_seconds.observe(c.took.as_secs_f64());
            m.height.with_label_values(&["best"]).set(number);
            if c.finalized {
                m.height.with_label_values(&["finalized"]).set(number);
            }
            m.extrinsics.inc_by(c.extrinsics.len().saturating_sub(1) as u64);
            if let Some(pool) = pool.upgrade() {
                let status = pool.status();
                m.pool_ready.set(status.ready as i64);
                m.pool_future.set(status.future as i64);
            }
            m.observe_signature_cache(executor.signature_cache().stats());
        }));
    }

    /// Publish the signature cache's counters (once a block).
    pub fn observe_signature_cache(&self, stats: ecochain_runtime::sigcache::CacheStats) {
        let set = |kind: &str, value: u64| self.signatures.with_label_values(&[kind]).set(value as i64);
        set("cached", stats.hits);
        set("verified", stats.misses);
        set("entries", stats.len as u64);
    }

    fn render(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail for well-formed metric families.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        out
    }
}

/// Serve `/metrics`, `/health` and `/ready` (see `ecochain_metrics_http`).
pub async fn serve(addr: SocketAddr, metrics: Arc<Metrics>) -> std::io::Result<SocketAddr> {
    use ecochain_metrics_http::{Response, PROMETHEUS_TEXT};
    const JSON: &str = "application/json";
    let local = ecochain_metrics_http::serve(
        addr,
        Arc::new(move |path| match path {
            "/metrics" => Response::ok(PROMETHEUS_TEXT, metrics.render()),
            "/health" => Response::ok(JSON, r#"{"status":"ok"}"#),
            "/ready" if metrics.ready.load(Ordering::Relaxed) => Response::ok(JSON, r#"{"ready":true}"#),
            "/ready" => Response::unavailable(JSON, r#"{"ready":false}"#),
            _ => Response::not_found(),
        }),
    )
    .await?;
    tracing::info!(target: "metrics", addr = %local, "prometheus listening");
    Ok(local)
}
