//! Prometheus metrics and `/health`, served by `ecochain-metrics-http` (the node's responder too).

use prometheus::{Encoder, Gauge, IntCounterVec, IntGauge, Opts, Registry, TextEncoder};
use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{SystemTime, UNIX_EPOCH},
};

/// The relayer's metrics.
pub struct Metrics {
    registry: Registry,
    /// Latest finalized chain block seen.
    pub chain_height: IntGauge,
    /// Outbound nonces locked on chain and not yet settled for this relayer.
    pub chain_lag_nonces: IntGauge,
    /// Newest final EVM block.
    pub evm_final_block: IntGauge,
    /// Final EVM blocks not yet scanned.
    pub evm_lag_blocks: IntGauge,
    /// Burns seen on the EVM side not yet released on chain.
    pub pending_inbound: IntGauge,
    /// ECT locked on chain, in ECT.
    pub locked_ect: Gauge,
    /// Wrapped ECT supply, in wECT.
    pub wrapped_ect: Gauge,
    /// Certificates locked on chain.
    pub locked_ecr: IntGauge,
    /// Wrapped certificates.
    pub wrapped_ecr: IntGauge,
    /// 1 when wrapped <= locked.
    pub audit_backed: IntGauge,
    /// 1 while relaying is stopped by a failed audit.
    pub halted: IntGauge,
    /// Approvals sent, by side (`evm`, `chain`).
    pub approvals: IntCounterVec,
    /// Failed rounds.
    pub errors: IntCounterVec,
    /// Completed rounds.
    pub rounds: prometheus::IntCounter,
    /// Unix seconds of the last completed round.
    last_round: AtomicU64,
    /// Longest healthy gap between rounds, seconds.
    stale_after: u64,
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Metrics {
    /// Register every metric; `/health` fails after `stale_after` seconds without a round.
    pub fn new(stale_after: u64) -> prometheus::Result<Arc<Self>> {
        let registry = Registry::new_custom(Some("ecochain_relayer".into()), None)?;
        let int = |name: &str, help: &str| -> prometheus::Result<IntGauge> {
            let g = IntGauge::new(name, help)?;
            registry.register(Box::new(g.clone()))?;
            Ok(g)
        };
        let float = |name: &str, help: &str| -> prometheus::Result<Gauge> {
            let g = Gauge::new(name, help)?;
            registry.register(Box::new(g.clone()))?;
            Ok(g)
        };
        let counter = |name: &str, help: &str, label: &str| -> prometheus::Result<IntCounterVec> {
            let c = IntCounterVec::new(Opts::new(name, help), &[label])?;
            registry.register(Box::new(c.clone()))?;
            Ok(c)
        };
        let metrics = Arc::new(Self {
            chain_height: int("chain_finalized_height", "Latest finalized chain block seen")?,
            chain_lag_nonces: int("chain_lag_nonces", "Outbound nonces not yet settled by this relayer")?,
            evm_final_block: int("evm_final_block", "Newest final EVM block")?,
            evm_lag_blocks: int("evm_lag_blocks", "Final EVM blocks not yet scanned")?,
            pending_inbound: int("pending_inbound", "EVM burns not yet released on chain")?,
            locked_ect: float("locked_ect", "ECT locked on chain (ECT)")?,
            wrapped_ect: float("wrapped_ect_supply", "Wrapped ECT supply (wECT)")?,
            locked_ecr: int("locked_ecr", "Certificates locked on chain")?,
            wrapped_ecr: int("wrapped_ecr_supply", "Wrapped certificates")?,
            audit_backed: int("audit_backed", "1 when the wrapped supply is backed by locked assets")?,
            halted: int("halted", "1 while relaying is stopped by a failed audit")?,
            approvals: counter("approvals_total", "Approvals sent by side", "side")?,
            errors: counter("round_errors_total", "Failed rounds by side", "side")?,
            rounds: {
                let c = prometheus::IntCounter::new("rounds_total", "Completed rounds")?;
                registry.register(Box::new(c.clone()))?;
                c
            },
            last_round: AtomicU64::new(now_secs()),
            stale_after,
            registry,
        });
        // Unknown until the first round completes (a scraper must not read 0 as "caught up").
        for gauge in [&metrics.chain_lag_nonces, &metrics.evm_lag_blocks, &metrics.pending_inbound] {
            gauge.set(-1);
        }
        Ok(metrics)
    }

    /// Mark a completed round.
    pub fn round_done(&self) {
        self.last_round.store(now_secs(), Ordering::Relaxed);
    }

    fn health(&self) -> Result<(), String> {
        if self.halted.get() != 0 {
            return Err("halted: the supply audit failed".into());
        }
        let age = now_secs().saturating_sub(self.last_round.load(Ordering::Relaxed));
        if age > self.stale_after {
            return Err(format!("no completed round for {age} s"));
        }
        Ok(())
    }

    fn render(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail for text.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        out
    }
}

/// Serve `/metrics` and `/health` on `addr` (see `ecochain_metrics_http`);
/// returns the bound address.
pub async fn serve(addr: SocketAddr, metrics: Arc<Metrics>) -> std::io::Result<SocketAddr> {
    use ecochain_metrics_http::{Response, PROMETHEUS_TEXT};
    ecochain_metrics_http::serve(
        addr,
        Arc::new(move |path| match path {
            "/metrics" => Response::ok(PROMETHEUS_TEXT, metrics.render()),
            "/health" => match metrics.health() {
                Ok(()) => Response::ok("text/plain", "ok\n"),
                Err(why) => Response::unavailable("text/plain", format!("{why}\n")),
            },
            _ => Response::not_found(),
        }),
    )
    .await
}
