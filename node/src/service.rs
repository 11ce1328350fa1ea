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
    let _consensus = if dev {
        let block_time = Duration::from_millis(args.block_time_ms.max(1));
        tokio::spawn(authoring::run_dev_sealer(client.clone(), pool.clone(), metrics.clone(), block_time));
        None
    } else {
        Some(start_consensus(&args, &spec, &base, client.clone(), pool.clone(), metrics.clone()).await?)
    };
    let validator = args.validator || args.chain.dev;
    let deps = ecochain_rpc::RpcDeps {
        client: client.clone(),
        pool: pool.clone(),
        system: Arc::new(ecochain_rpc::StaticSystemInfo {
            peer_id: _consensus.as_ref().map(|c| c.peer_id.clone()).unwrap_or_default(),
            authority: validator,
        }),
        consensus: _consensus
            .as_ref()
            .map(|c| Arc::new(ConsensusStatus(c.status.clone())) as Arc<dyn ecochain_rpc::ConsensusInfo>),
    };
    let module = ecochain_rpc::rpc_module(deps, config.clone());
    let (rpc_addr, rpc_handle) = ecochain_rpc::start(config, module).await.context("starting the RPC server")?;
    let pruning = client.database().pruning();
    tracing::info!(target: "node", chain = %spec.name, %rpc_addr, ?pruning, base = %base.display(), "node started");

    if let Some(m) = &metrics {
        m.ready.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    shutdown_signal().await;
    tracing::info!(target: "node", "shutting down");
    let _ = rpc_handle.stop();
    client.database().flush().ok();
    Ok(())
}

/// `consensus_status` from the engine's shared status.
struct ConsensusStatus(ecochain_consensus::SharedStatus);

impl ecochain_rpc::ConsensusInfo for ConsensusStatus {
    fn status(&self) -> serde_json::Value {
        let s = self.0.read();
        let hex32 = |k: &[u8; 32]| format!("0x{}", hex::encode(k));
        let not_heard: Vec<String> = s.validators.iter().filter(|v| !s.heard.contains(*v)).map(hex32).collect();
        serde_json::json!({
            "height": s.height,
            "round": s.round,
            "role": s.role,
            "proposer": s.proposer.as_ref().map(hex32),
            "validators": s.validators.iter().map(hex32).collect::<Vec<_>>(),
            "notHeardFrom": not_heard,
            "roundAgeMs": s.round_started.map(|t| t.elapsed().as_millis() as u64),
            "lastCommit": s.last_decided.as_ref().map(|(number, hash, round, signers)| serde_json::json!({
                "number": number,
                "hash": format!("{hash:?}"),
                "round": round,
                "signers": signers.iter().map(hex32).collect::<Vec<_>>(),
            })),
        })
    }

    fn peer_id(&self, consensus_key: [u8; 32]) -> Option<String> {
        ecochain_consensus::peer_id_of_public(consensus_key).ok()
    }
}

/// Read (or create) this node's libp2p identity seed.
fn node_key(dir: &std::path::Path) -> anyhow::Result<[u8; 32]> {
    let path = dir.join("node_key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let bytes = hex::decode(text.trim()).with_context(|| format!("{} is not hex", path.display()))?;
        return <[u8; 32]>::try_from(bytes.as_slice())
            .map_err(|_| anyhow::anyhow!("{}: expected 32 bytes", path.display()));
    }
    std::fs::create_dir_all(dir)?;
    let (_, seed) = <sp_core::ed25519::Pair as sp_core::Pair>::generate();
    std::fs::write(&path, hex::encode(seed))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(seed)
}

/// Peer ids allowed to connect: the validators, the on-chain node allow-list
/// and the local allow-list file.
fn allowed_peers(client: &Client, allowlist: Option<&std::path::Path>) -> anyhow::Result<Vec<String>> {
    let at = client.finalized_header();
    let at = sp_runtime::traits::Header::hash(&at);
    let validators = ecochain_consensus::validator_set_at(client, &at).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut allowed: Vec<String> = validators
        .validators()
        .iter()
        .filter_map(|v| ecochain_consensus::peer_id_of_public(v.address.0).ok())
        .collect();
    let on_chain: Vec<Vec<u8>> = client.call_decode(&at, "PermissionsApi_allowed_nodes", &[])?;
    allowed.extend(on_chain.into_iter().filter_map(|id| String::from_utf8(id).ok()));
    if let Some(path) = allowlist {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        allowed.extend(
            text.lines().map(|l| l.split('#').next().unwrap_or("").trim().to_string()).filter(|l| !l.is_empty()),
        );
    }
    allowed.sort();
    allowed.dedup();
    Ok(allowed)
}

async fn start_consensus(
    args: &RunArgs,
    spec: &ChainSpec,
    base: &std::path::Path,
    client: Arc<Client>,
    pool: Arc<TransactionPool>,
    metrics: Option<Arc<Metrics>>,
) -> anyhow::Result<ecochain_consensus::Handle> {
    let dir = chain_dir(base, spec);
    let keystore = dir.join("keystore").join("consensus");
    let key_file = args.key.clone().or_else(|| (args.validator && keystore.exists()).then_some(keystore));
    let validator_key = match (&key_file, args.validator) {
        (Some(path), true) => Some(crate::keys::load_consensus_key(path, spec.is_dev())?),
        (None, true) => anyhow::bail!("--validator needs a consensus key: --key <file> or `ecochain key insert`"),
        _ => None,
    };
    let node_key = match &validator_key {
        Some(pair) => sp_core::Pair::to_raw_vec(pair)
            .get(..32)
            .and_then(|s| <[u8; 32]>::try_from(s).ok())
            .context("consensus key seed")?,
        None => node_key(&dir.join("network"))?,
    };
    let me = ecochain_consensus::peer_id_of(node_key).map_err(|e| anyhow::anyhow!("{e}"))?;
    let allowed = allowed_peers(&client, args.allowlist.as_deref())?;
    let mut peers = Vec::new();
    let mut covered = std::collections::BTreeSet::new();
    for addr in &args.bootnodes {
        let id = addr.rsplit("/p2p/").next().unwrap_or("").to_string();
        if !allowed.contains(&id) {
            tracing::warn!(target: "network", %addr, "boot node is not on the allow-list; ignored");
            continue;
        }
        covered.insert(id);
        peers.push(addr.parse().with_context(|| format!("bad boot node address {addr}"))?);
    }
    for id in allowed.iter().filter(|id| **id != me && !covered.contains(*id)) {
        // Allowed to connect to us, address unknown: accepted inbound by peer id.
        if let Ok(addr) = format!("/p2p/{id}").parse() {
            peers.push(addr);
        }
    }
    let listen = format!("/ip4/{}/tcp/{}", args.listen_ip, args.port).parse().context("listen address")?;
    let settings = ecochain_consensus::Settings {
        moniker: args.name.clone().unwrap_or_else(|| me.clone()),
        listen,
        peers,
        wal_dir: dir.join("wal"),
        validator_key,
        node_key,
        timeouts: {
            let mut t =
                ecochain_consensus::default_timeouts(Duration::from_millis(args.max_round_timeout_ms.max(1_000)));
            // Validators wait for a proposal at least as long as a proposer waits for transactions.
            t.propose = t.propose.max(Duration::from_millis(args.heartbeat_ms) + Duration::from_secs(1));
            t.max_timeout = t.max_timeout.max(t.propose * 2);
            t
        },
        target_block_time: Duration::from_millis(args.block_time_ms.max(1)),
        heartbeat: (args.heartbeat_ms > 0).then(|| Duration::from_millis(args.heartbeat_ms)),
    };
    let mut proposer = ecochain_client::authoring::Proposer::new(
        client.clone(),
        pool.clone(),
        Duration::from_millis(args.block_time_ms.max(1)) / 2,
    );
    if let Some(key) = &settings.validator_key {
        proposer = proposer.with_author(sp_core::Pair::public(key).0);
    }
    let proposer = Arc::new(proposer);
    let executor = client.executor();
    let on_commit: ecochain_consensus::OnCommit = Arc::new(move |_hash, number, extrinsics| {
        if let Some(m) = &metrics {
            m.observe_signature_cache(executor.signature_cache().stats());
            m.height.with_label_values(&["best"]).set(i64::from(number));
            m.height.with_label_values(&["finalized"]).set(i64::from(number));
            m.extrinsics.inc_by(extrinsics.len().saturating_sub(1) as u64);
        }
    });
    start_tx_gossip(args, &client, &pool, node_key, &allowed).await?;
    let handle = ecochain_consensus::start(client, pool, proposer, settings, on_commit)
        .await
        .map_err(|e| anyhow::anyhow!("starting consensus: {e}"))?;
    Ok(handle)
}

/// Transaction gossip on `port + 1`: local submissions go out, peers'
/// transactions go into the pool. The allow-list is re-read from chain every
/// few seconds, so on-chain changes apply without a restart.
async fn start_tx_gossip(
    args: &RunArgs,
    client: &Arc<Client>,
    pool: &Arc<TransactionPool>,
    node_key: [u8; 32],
    allowed: &[String],
) -> anyhow::Result<()> {
    use ecochain_network::{Config, Keypair, PeerId, TxGossip};
    let parse_ids =
        |ids: &[String]| -> std::collections::HashSet<PeerId> { ids.iter().filter_map(|id| id.parse().ok()).collect() };
    let allowed_ids = Arc::new(parking_lot::RwLock::new(parse_ids(allowed)));
    let gossip_port = args.port.checked_add(1).context("--port too large")?;
    let peers = args
        .bootnodes
        .iter()
        .filter_map(|addr| {
            // Same host and peer id, the port after the consensus port.
            let mut parts: Vec<String> = addr.split('/').map(str::to_string).collect();
            let i = parts.iter().position(|p| p == "tcp")? + 1;
            let port: u16 = parts.get(i)?.parse().ok()?;
            parts[i] = port.checked_add(1)?.to_string();
            parts.join("/").parse().ok()
        })
        .collect();
    let config = Config {
        listen: format!("/ip4/{}/tcp/{gossip_port}", args.listen_ip).parse().context("gossip listen address")?,
        peers,
        keypair: Keypair::ed25519_from_bytes(node_key).context("node key")?,
        topic: format!("/ecochain/{}/tx/2", hex::encode(client.genesis_hash().0)),
        max_tx_bytes: ecochain_client::MAX_EXTRINSIC_BYTES,
    };
    let check = allowed_ids.clone();
    let (gossip, mut received) = TxGossip::start(config, Arc::new(move |peer: &PeerId| check.read().contains(peer)))
        .await
        .context("starting transaction gossip")?;
    let publisher = gossip.clone();
    pool.set_broadcast(Arc::new(move |xt| publisher.publish(xt)));
    let pool_ = pool.clone();
    tokio::spawn(async move {
        while let Some((peer, xt)) = received.recv().await {
            if let Err(e) = pool_.submit_from_network(xt) {
                tracing::debug!(target: "network", %peer, error = %e, "gossiped transaction refused");
            }
        }
    });
    let (client, allowlist) = (client.clone(), args.allowlist.clone());
    tokio::spawn(async move {
        let _gossip = gossip;
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            match allowed_peers(&client, allowlist.as_deref()) {
                Ok(ids) => *allowed_ids.write() = parse_ids(&ids),
                Err(e) => tracing::warn!(target: "network", error = %e, "could not refresh the allow-list"),
            }
        }
    });
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
