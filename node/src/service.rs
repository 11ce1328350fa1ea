//! Wiring: database and client, transaction pool, block production, RPC and
//! metrics. No logic lives here.

use crate::{authoring, cli::RpcMethodsArg, cli::RunArgs, metrics::Metrics};
use anyhow::Context;
use ecochain_client::{ChainSpec, Client, TransactionPool};
use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

/// Where a chain's data lives under a base path.
pub fn chain_dir(base: &std::path::Path, spec: &ChainSpec) -> PathBuf {
    base.join("chains").join(&spec.id)
}

/// Run the node until Ctrl-C / SIGTERM.
pub async fn run(args: RunArgs, spec: ChainSpec, base: PathBuf) -> anyhow::Result<()> {
    let dev = args.chain.dev || spec.chain_type == ecochain_client::ChainType::Development;
    let pruning = args.pruning.unwrap_or(if dev {
        ecochain_storage::Pruning::Archive
    } else {
        ecochain_storage::Pruning::DEFAULT
    });
    let db_path = chain_dir(&base, &spec).join("db");
    std::fs::create_dir_all(&db_path).with_context(|| format!("creating {}", db_path.display()))?;
    let db_config =
        ecochain_storage::Config { pruning, pruning_explicit: args.pruning.is_some(), ..Default::default() };
    let client = Client::open(&db_path, &db_config, spec.clone())
        .with_context(|| format!("opening the database at {}", db_path.display()))?;
    let pool = TransactionPool::new(client.clone(), Default::default());

    let metrics = if args.no_prometheus {
        None
    } else {
        let metrics = Metrics::new().context("registering metrics")?;
        let ip = if args.prometheus_external { [0, 0, 0, 0] } else { [127, 0, 0, 1] };
        crate::metrics::serve(SocketAddr::from((ip, args.prometheus_port)), metrics.clone())
            .await
            .with_context(|| format!("binding the metrics port {}", args.prometheus_port))?;
        let best = client.best_header().number;
        metrics.height.with_label_values(&["best"]).set(i64::from(best));
        metrics.height.with_label_values(&["finalized"]).set(i64::from(client.finalized_header().number));
        Some(metrics)
    };

    let methods = match args.rpc_methods {
        RpcMethodsArg::Safe => ecochain_rpc::RpcMethods::Safe,
        RpcMethodsArg::Unsafe => ecochain_rpc::RpcMethods::Unsafe,
        RpcMethodsArg::Auto if dev => ecochain_rpc::RpcMethods::Unsafe,
        RpcMethodsArg::Auto => ecochain_rpc::RpcMethods::Safe,
    };
    let rpc_ip = if args.rpc_external { [0, 0, 0, 0].into() } else { args.rpc_addr };
    let cors = match args.rpc_cors.as_str() {
        "all" | "*" => None,
        list => Some(list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()),
    };
    let config = ecochain_rpc::RpcConfig {
        addr: SocketAddr::new(rpc_ip, args.rpc_port),
        max_request_bytes: args.rpc_max_request_size.saturating_mul(1024 * 1024),
        max_response_bytes: args.rpc_max_response_size.saturating_mul(1024 * 1024),
        max_connections: args.rpc_max_connections,
        max_subscriptions_per_connection: args.rpc_max_subscriptions_per_connection,
        max_batch_len: args.rpc_max_batch_len,
        methods,
        cors,
        rate_limit_per_ip_per_sec: args.rpc_rate_limit,
        node_name: args.name.clone().unwrap_or_else(|| "ecochain".into()),
        node_version: env!("CARGO_PKG_VERSION").into(),
        peer_id: String::new(),
        call_counter: metrics.as_ref().map(|m| m.rpc_calls.clone()),
    };
    let validator = args.validator || args.chain.dev;
    if let Some(key) = &args.key {
        let pair = crate::keys::load_consensus_key(key, spec.is_dev())?;
        tracing::info!(target: "node", public = %hex::encode(sp_core::Pair::public(&pair).0), "consensus key loaded");
    } else if args.validator && !dev {
        anyhow::bail!("--validator needs --key <file> (see `ecochain key insert`)");
    }
    let deps = ecochain_rpc::RpcDeps {
        client: client.clone(),
        pool: pool.clone(),
        system: Arc::new(ecochain_rpc::StaticSystemInfo { peer_id: String::new(), authority: validator }),
    };
    let module = ecochain_rpc::rpc_module(deps, config.clone());
    let (rpc_addr, rpc_handle) = ecochain_rpc::start(config, module).await.context("starting the RPC server")?;
    let pruning = client.database().pruning();
    tracing::info!(target: "node", chain = %spec.name, %rpc_addr, ?pruning, base = %base.display(), "node started");

    if dev {
        let block_time = Duration::from_millis(args.block_time_ms.max(1));
        tokio::spawn(authoring::run_dev_sealer(client.clone(), pool.clone(), metrics.clone(), block_time));
    } else {
        tracing::warn!(
            target: "node",
            "no consensus engine runs on this chain yet: the node serves RPC and its database but produces no blocks"
        );
    }
    if let Some(m) = &metrics {
        m.ready.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    shutdown_signal().await;
    tracing::info!(target: "node", "shutting down");
    let _ = rpc_handle.stop();
    client.database().flush().ok();
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
