//! Wiring: database and client, transaction pool, block production, RPC and
//! metrics. No logic lives here.

use crate::{authoring, cli::RunArgs, metrics::Metrics};
use anyhow::Context;
use ecochain_client::{ChainSpec, Client, TransactionPool};
use std::{path::PathBuf, sync::Arc, time::Duration};

/// Where a chain's data lives under a base path.
pub fn chain_dir(base: &std::path::Path, spec: &ChainSpec) -> PathBuf {
    base.join("chains").join(&spec.id)
}

/// Run the node until Ctrl-C / SIGTERM.
pub async fn run(args: RunArgs, spec: ChainSpec, base: PathBuf) -> anyhow::Result<()> {
    let dev = args.chain.dev || spec.chain_type == ecochain_client::ChainType::Development;
    if let Some(n) = args.dev_spec_version {
        let built = ecochain_runtime::VERSION.spec_version;
        // One node may act as another version; a network of validators may not.
        anyhow::ensure!(dev, "--dev-spec-version is for development chains only");
        anyhow::ensure!(n > built, "--dev-spec-version {n} must be above this build's spec_version {built}");
    }
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
    if let Some(n) = args.dev_spec_version {
        // After the genesis is built (or checked): that is this build's.
        tracing::warn!(target: "node", spec_version = n, "acting as a runtime with another spec_version");
        ecochain_runtime::set_dev_spec_version(n);
    }
    refuse_an_older_runtime(&client)?;
    let pool = TransactionPool::new(client.clone(), args.pool.config());

    let metrics = if let Some(addr) = args.metrics.addr() {
        let metrics = Metrics::new().context("registering metrics")?;
        crate::metrics::serve(addr, metrics.clone())
            .await
            .with_context(|| format!("binding the metrics address {addr}"))?;
        let best = client.best_header().number;
        metrics.height.with_label_values(&["best"]).set(i64::from(best));
        metrics.height.with_label_values(&["finalized"]).set(i64::from(client.finalized_header().number));
        metrics.follow(&client, &pool);
        Some(metrics)
    } else {
        None
    };

    let mut config = args.rpc.config(dev, args.name.clone().unwrap_or_else(|| "ecochain".into()));
    config.call_counter = metrics.as_ref().map(|m| m.rpc_calls.clone());
    if config.methods == ecochain_rpc::RpcMethods::Unsafe && !config.addr.ip().is_loopback() {
        tracing::warn!(
            target: "rpc",
            rpc_ip = %config.addr.ip(),
            "unsafe RPC methods are exposed on a public interface (--rpc-methods unsafe): anyone who reaches it may remove pool transactions"
        );
    }
    let mut consensus = if dev {
        let block_time = args.consensus.block_time();
        tokio::spawn(authoring::run_dev_sealer(client.clone(), pool.clone(), block_time));
        // The dev chain's only validator is //Alice.
        let alice = sp_keyring::Ed25519Keyring::Alice.public();
        start_bridge_signer(&args, &spec, &base, &client, &pool, Some(&alice))?;
        None
    } else {
        Some(start_consensus(&args, &spec, &base, client.clone(), pool.clone()).await?)
    };
    start_journal(&chain_dir(&base, &spec), &pool).context("opening the transaction journal")?;
    let validator = args.consensus.validator || args.chain.dev;
    if let (Some(m), Some((handle, gossip))) = (&metrics, &consensus) {
        let (m, status, gossip) = (m.clone(), handle.status.clone(), gossip.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(2));
            loop {
                tick.tick().await;
                let (equivocations, refused) = {
                    let s = status.read();
                    (s.equivocations, s.refused_parts)
                };
                m.faults.with_label_values(&["equivocation"]).set(equivocations as i64);
                m.faults.with_label_values(&["refused_part"]).set(refused as i64);
                m.faults.with_label_values(&["banned_peer"]).set(gossip.banned().len() as i64);
            }
        });
    }
    let system: Arc<dyn ecochain_rpc::SystemInfo> = match &consensus {
        Some((handle, gossip)) => Arc::new(NetworkSystemInfo {
            client: client.clone(),
            gossip: gossip.clone(),
            status: handle.status.clone(),
            authority: validator,
        }),
        None => Arc::new(ecochain_rpc::StaticSystemInfo { peer_id: String::new(), authority: validator }),
    };
    let deps = ecochain_rpc::RpcDeps {
        client: client.clone(),
        pool: pool.clone(),
        system,
        consensus: consensus.as_ref().map(|(c, _)| {
            Arc::new(ConsensusStatus { status: c.status.clone(), client: client.clone() })
                as Arc<dyn ecochain_rpc::ConsensusInfo>
        }),
    };
    let rpc = ecochain_rpc::rpc_module(deps, config.clone()).context("starting the RPC worker threads")?;
    let (rpc_addr, rpc_handle) = ecochain_rpc::start(config, rpc).await.context("starting the RPC server")?;
    let pruning = client.database().pruning();
    tracing::info!(target: "node", chain = %spec.name, %rpc_addr, ?pruning, base = %base.display(), "node started");

    if let Some(m) = &metrics {
        m.ready.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    // Run until a signal, or until the consensus loop ends (it cannot go on
    // without its finalized state: exiting lets a supervisor restart the node).
    let app = consensus.as_mut().and_then(|(handle, _)| handle.app.take());
    let app_ended = async move {
        match app {
            Some(task) => match task.await {
                Ok(Ok(())) => anyhow::anyhow!("the consensus engine stopped"),
                Ok(Err(e)) => anyhow::anyhow!("consensus failed: {e:#}"),
                Err(e) => anyhow::anyhow!("the consensus task failed: {e}"),
            },
            None => std::future::pending().await,
        }
    };
    let outcome = tokio::select! {
        _ = shutdown_signal() => Ok(()),
        e = app_ended => Err(e),
    };
    tracing::info!(target: "node", "shutting down");
    let _ = rpc_handle.stop();
    client.database().flush().ok();
    outcome
}

/// Largest transaction journal before it is rewritten with what is still pending.
const JOURNAL_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Open the journal of local transactions, re-admit (and gossip) what it holds
/// that is still valid, and keep it synced and bounded (see `ecochain_client::journal`).
fn start_journal(dir: &std::path::Path, pool: &Arc<TransactionPool>) -> anyhow::Result<()> {
    use ecochain_client::journal::Journal;
    let dir = dir.join("txpool");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let (journal, old) = Journal::open(&dir.join("journal"), JOURNAL_MAX_BYTES)?;
    let journal = Arc::new(journal);
    // Re-admit first, then rewrite the file with what is pending: a crash in
    // between leaves the old journal whole (the rewrite is an atomic rename).
    let found = old.len();
    let readmitted = pool.readmit(old);
    pool.set_journal(journal.clone());
    keep_pending(&journal, pool)?;
    if found > 0 {
        tracing::info!(target: "txpool", found, readmitted, "local transactions re-admitted from the journal");
    }
    let pool = pool.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut ticks: u64 = 0;
        loop {
            tick.tick().await;
            ticks += 1;
            let (journal, pool) = (journal.clone(), pool.clone());
            let outcome = tokio::task::spawn_blocking(move || -> Result<(), ecochain_client::journal::JournalError> {
                journal.sync()?;
                if journal.len() > journal.max_bytes() || (ticks.is_multiple_of(60) && !journal.is_empty()) {
                    keep_pending(&journal, &pool)?;
                }
                Ok(())
            })
            .await;
            match outcome {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(target: "txpool", error = %e, "transaction journal"),
                Err(e) => tracing::warn!(target: "txpool", error = %e, "transaction journal task"),
            }
        }
    });
    Ok(())
}

/// Rewrite the journal with its transactions that are still in the pool, once each.
fn keep_pending(
    journal: &ecochain_client::journal::Journal,
    pool: &TransactionPool,
) -> Result<(), ecochain_client::journal::JournalError> {
    let mut seen = std::collections::HashSet::new();
    let keep: Vec<Vec<u8>> = journal
        .entries()?
        .into_iter()
        .filter(|xt| {
            let hash = ecochain_client::extrinsic_hash(xt);
            pool.inner().contains(&hash) && seen.insert(hash)
        })
        .collect();
    journal.rotate(&keep)
}

/// Refuse to run a runtime older than the one the chain already enacted (the
/// `spec_version` at `:code` of the best block): its blocks could not be
/// re-executed, and clients would sign for the newer version.
fn refuse_an_older_runtime(client: &Client) -> anyhow::Result<()> {
    let code = client.storage(&client.best_hash(), sp_core::storage::well_known_keys::CODE)?;
    let enacted = code.as_deref().and_then(ecochain_runtime::identity::version_of);
    let running = ecochain_runtime::version().spec_version;
    if let Some(enacted) = enacted.filter(|v| v.spec_version > running) {
        anyhow::bail!(
            "the chain enacted spec_version {} and this node runs {running}: upgrade the node{}",
            enacted.spec_version,
            " (or, on a development chain, pass the same --dev-spec-version)"
        );
    }
    Ok(())
}

/// A validator's own check: is the peer id of this node the one registered
/// for its consensus key? If not, the other validators neither let it in nor
/// take its proposals; say so and how to fix it.
fn check_registered_node(client: &Client, consensus_key: [u8; 32], me: &str) {
    let ids = match validator_node_ids(client) {
        Ok(ids) => ids,
        Err(e) => return tracing::warn!(target: "network", error = %e, "cannot read the validators' node ids"),
    };
    match ids.get(&consensus_key) {
        Some(id) if id == me => {
            tracing::info!(target: "network", peer_id = %me, "this validator's node id is the one the validators expect")
        }
        Some(id) => tracing::error!(
            target: "network",
            peer_id = %me,
            registered = %id,
            "the validators expect another peer id for this consensus key; use the registered node key \
             (--node-key-file) or register this one with permissions.setNodeId from the validator's account"
        ),
        None => tracing::warn!(
            target: "network",
            peer_id = %me,
            "this consensus key is not a current or scheduled validator's: the validators let this node in \
             once it is (voted in) and its account registered this peer id (permissions.setNodeId)"
        ),
    }
}

/// `consensus_status` from the engine's shared status.
struct ConsensusStatus {
    status: ecochain_consensus::SharedStatus,
    client: Arc<Client>,
}

impl ecochain_rpc::ConsensusInfo for ConsensusStatus {
    fn status(&self) -> serde_json::Value {
        let s = self.status.read();
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
            "equivocations": s.equivocations,
            "refusedProposalParts": s.refused_parts,
            "lastCommit": s.last_decided.as_ref().map(|(number, hash, round, signers)| serde_json::json!({
                "number": number,
                "hash": format!("{hash:?}"),
                "round": round,
                "signers": signers.iter().map(hex32).collect::<Vec<_>>(),
            })),
        })
    }

    fn peer_ids(&self, at: &sp_core::H256) -> std::collections::HashMap<[u8; 32], String> {
        ecochain_consensus::validator_nodes_at(&self.client, at).unwrap_or_default()
    }
}

/// The node key (the seed of the libp2p identity on both networks):
/// 1. `--node-key-file` (created if missing), else
/// 2. `<chain dir>/network/node_key` if it exists, else for a validator:
///    - a current or scheduled validator whose account registered no node id:
///      its consensus key, the peer id the others expect of it (as before node
///      keys existed; it is told how to move to a node key);
///    - on a dev or local chain, with a dev consensus key: the dev node key
///      (`//Alice//node` for `//Alice`), which those chains' genesis registers;
/// 3. else a new `<chain dir>/network/node_key`.
fn node_key(
    args: &RunArgs,
    spec: &ChainSpec,
    client: &Client,
    dir: &std::path::Path,
    validator_key: Option<&sp_core::ed25519::Pair>,
) -> anyhow::Result<[u8; 32]> {
    if let Some(path) = &args.network.node_key_file {
        return crate::keys::load_or_create_node_key(path);
    }
    let path = dir.join("network").join("node_key");
    let Some(pair) = validator_key.filter(|_| !path.exists()) else {
        return crate::keys::load_or_create_node_key(&path);
    };
    let public = sp_core::Pair::public(pair);
    let at = client.finalized_header().hash();
    let unregistered =
        client.runtime_api(at).validator_nodes()?.iter().any(|(key, id)| *key == public.0 && id.is_none());
    if unregistered {
        tracing::warn!(
            target: "network",
            "this validator registered no node key: it uses its consensus key as network identity. Create one \
             (`ecochain key generate-node-key --file {}`), register it with permissions.setNodeId \
             (`ecochain key node-id-proof`), then restart once the call is final",
            path.display()
        );
        let seed = sp_core::Pair::to_raw_vec(pair);
        return <[u8; 32]>::try_from(seed.get(..32).unwrap_or_default()).context("consensus key seed");
    }
    if let Some(seed) = crate::keys::dev_node_key(&public).filter(|_| spec.is_dev()) {
        return Ok(seed);
    }
    crate::keys::load_or_create_node_key(&path)
}

/// Sign the bridge's commitments with this validator's bridge keys (and, on a
/// dev or local chain, the dev bridge key of a dev consensus key).
fn start_bridge_signer(
    args: &RunArgs,
    spec: &ChainSpec,
    base: &std::path::Path,
    client: &Arc<Client>,
    pool: &Arc<TransactionPool>,
    consensus: Option<&sp_core::ed25519::Public>,
) -> anyhow::Result<()> {
    let dir =
        args.consensus.bridge_keystore.clone().unwrap_or_else(|| chain_dir(base, spec).join("keystore").join("bridge"));
    let dev = consensus.and_then(crate::keys::dev_bridge_secret).filter(|_| spec.is_dev());
    let keys = crate::bridge_signer::BridgeKeys::load(dir, dev)?;
    crate::bridge_signer::spawn(client.clone(), pool.clone(), keys);
    Ok(())
}

/// The node peer ids of the current and scheduled validators in the
/// finalized state, by consensus key.
fn validator_node_ids(client: &Client) -> anyhow::Result<std::collections::HashMap<[u8; 32], String>> {
    ecochain_consensus::validator_nodes_at(client, &client.finalized_header().hash())
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Peer ids allowed to connect: the validators' nodes, the on-chain node
/// allow-list and the local allow-list file.
fn allowed_peers(client: &Client, allowlist: Option<&std::path::Path>) -> anyhow::Result<Vec<String>> {
    let at = client.finalized_header().hash();
    // An error keeps the last list (the caller's): never a shorter one by accident.
    let mut allowed: Vec<String> = validator_node_ids(client)?.into_values().collect();
    let on_chain: Vec<Vec<u8>> = client.runtime_api(at).allowed_nodes()?;
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
) -> anyhow::Result<(ecochain_consensus::Handle, ecochain_network::TxGossip)> {
    let dir = chain_dir(base, spec);
    let keystore = dir.join("keystore").join("consensus");
    let key_file =
        args.consensus.key.clone().or_else(|| (args.consensus.validator && keystore.exists()).then_some(keystore));
    let validator_key = match (&key_file, args.consensus.validator) {
        (Some(path), true) => Some(crate::keys::load_consensus_key(path, spec.is_dev())?),
        (None, true) => anyhow::bail!("--validator needs a consensus key: --key <file> or `ecochain key insert`"),
        _ => None,
    };
    let node_key = node_key(args, spec, &client, &dir, validator_key.as_ref())?;
    if let Some(pair) = &validator_key {
        start_bridge_signer(args, spec, base, &client, &pool, Some(&sp_core::Pair::public(pair)))?;
    }
    let me = crate::keys::node_peer_id(node_key)?;
    if let Some(pair) = &validator_key {
        check_registered_node(&client, sp_core::Pair::public(pair).0, &me);
    }
    let allowed = allowed_peers(&client, args.network.allowlist.as_deref())?;
    let mut peers = Vec::new();
    let mut covered = std::collections::BTreeSet::new();
    for addr in &args.network.bootnodes {
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
    let listen = args.network.consensus_listen().parse().context("listen address")?;
    let consensus_config = ecochain_consensus::Config {
        moniker: args.name.clone().unwrap_or_else(|| me.clone()),
        listen,
        peers,
        wal_dir: dir.join("wal"),
        validator_key,
        node_key,
        timeouts: args.consensus.timeouts(),
        target_block_time: args.consensus.block_time(),
        heartbeat: args.consensus.heartbeat(),
    };
    let mut proposer =
        ecochain_client::authoring::Proposer::new(client.clone(), pool.clone(), args.consensus.block_time() / 2);
    if let Some(key) = &consensus_config.validator_key {
        proposer = proposer.with_author(sp_core::Pair::public(key).0);
    }
    let proposer = Arc::new(proposer);
    let (gossip, gossip_allowed) = start_tx_gossip(args, &client, &pool, node_key, &allowed).await?;
    let handle = ecochain_consensus::start(client.clone(), pool, proposer, consensus_config)
        .await
        .map_err(|e| anyhow::anyhow!("starting consensus: {e}"))?;
    // Both networks follow the on-chain allow-list without a restart, read once
    // per refresh: new nodes are let in, removed ones disconnected.
    let (peers, allowlist, gossip_recheck) = (handle.peers.clone(), args.network.allowlist.clone(), gossip.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(ALLOWLIST_REFRESH);
        loop {
            tick.tick().await;
            match allowed_peers(&client, allowlist.as_deref()) {
                Ok(ids) => {
                    let now: std::collections::HashSet<_> = ids.iter().filter_map(|id| id.parse().ok()).collect();
                    let shrunk = gossip_allowed.read().iter().any(|peer| !now.contains(peer));
                    *gossip_allowed.write() = now;
                    if shrunk {
                        gossip_recheck.recheck_allowed();
                    }
                    peers.follow(&ids.into_iter().collect()).await;
                }
                Err(e) => tracing::warn!(target: "network", error = %e, "could not refresh the allow-list"),
            }
        }
    });
    Ok((handle, gossip))
}

/// `system_health`, `system_peers` and `system_syncState` from the running
/// network: the peers connected on transaction gossip (validators' nodes, by
/// their registered node ids, marked as authorities), and syncing while consensus is
/// deciding a height above the next block (it is catching up).
struct NetworkSystemInfo {
    client: Arc<Client>,
    gossip: ecochain_network::TxGossip,
    status: ecochain_consensus::SharedStatus,
    authority: bool,
}

impl ecochain_rpc::SystemInfo for NetworkSystemInfo {
    fn peers(&self) -> Vec<ecochain_rpc::PeerInfo> {
        let mut ids = validator_node_ids(&self.client).unwrap_or_default();
        let validators: std::collections::HashSet<String> =
            self.status.read().validators.iter().filter_map(|k| ids.remove(k)).collect();
        let best = self.client.finalized_header();
        self.gossip
            .peers()
            .into_iter()
            .map(|peer| {
                let peer_id = peer.to_string();
                ecochain_rpc::PeerInfo {
                    roles: if validators.contains(&peer_id) { "AUTHORITY" } else { "FULL" }.into(),
                    peer_id,
                    // Peers announce no head on this network: the finalized head every peer shares.
                    best_hash: format!("{:?}", best.hash()),
                    best_number: best.number,
                }
            })
            .collect()
    }

    fn is_syncing(&self) -> bool {
        let deciding = self.status.read().height;
        deciding > u64::from(self.client.best_header().number) + 1
    }

    fn should_have_peers(&self) -> bool {
        true
    }

    fn local_peer_id(&self) -> String {
        self.gossip.local_peer_id().to_string()
    }

    fn is_authority(&self) -> bool {
        self.authority
    }

    fn highest_block(&self) -> Option<u32> {
        let deciding = self.status.read().height;
        u32::try_from(deciding.saturating_sub(1)).ok().filter(|h| *h > self.client.best_header().number)
    }
}

/// What a gossiped batch deserves, from what the pool said of each of its
/// transactions: forwarded if all are valid or already known; a strike
/// against the peer if one is something no honest node relays (undecodable,
/// a bad signature); otherwise neither (stale, pool full …: it happens to
/// honest peers too).
fn gossip_verdict(results: &[Result<sp_core::H256, ecochain_client::SubmitError>]) -> ecochain_network::Verdict {
    use ecochain_client::SubmitError;
    use ecochain_network::Verdict;
    use ecochain_txpool::{InvalidTransaction, PoolError};
    let mut verdict = Verdict::Valid;
    for result in results {
        match result {
            Ok(_) | Err(SubmitError::Pool(PoolError::AlreadyImported)) => {}
            Err(SubmitError::BadFormat(_))
            | Err(SubmitError::Pool(PoolError::InvalidTransaction(InvalidTransaction::BadProof))) => {
                return Verdict::Invalid
            }
            Err(_) => verdict = Verdict::Ignore,
        }
    }
    verdict
}

/// How often both networks re-read the allow-list from chain (and the file).
const ALLOWLIST_REFRESH: Duration = Duration::from_secs(2);

/// How often pending transactions are considered for re-propagation.
const REPROPAGATE_EVERY: Duration = Duration::from_secs(2);
/// Most transactions re-propagated at once.
const REPROPAGATE_MAX: usize = 1024;

/// Transaction gossip on `port + 1`: local submissions go out, peers'
/// transactions go into the pool. Returns the handle and the set of peers the
/// connection gate admits, which the caller refreshes from chain.
async fn start_tx_gossip(
    args: &RunArgs,
    client: &Arc<Client>,
    pool: &Arc<TransactionPool>,
    node_key: [u8; 32],
    allowed: &[String],
) -> anyhow::Result<(ecochain_network::TxGossip, GossipAllowList)> {
    use ecochain_network::{Config, Keypair, PeerId, TxGossip};
    let allowed_ids: GossipAllowList =
        Arc::new(parking_lot::RwLock::new(allowed.iter().filter_map(|id| id.parse().ok()).collect()));
    let peers = args.network.gossip_bootnodes().iter().filter_map(|addr| addr.parse().ok()).collect();
    let config = Config {
        listen: args.network.gossip_listen().map_err(anyhow::Error::msg)?.parse().context("gossip listen address")?,
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
    // Re-propagation: ready transactions pending for a whole tick are gossiped
    // again (their first gossip may have been lost with a crashed peer), and
    // every ready one when a peer joins, as Substrate's pool re-propagates.
    let (republisher, pool_) = (gossip.clone(), pool.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(REPROPAGATE_EVERY);
        let mut known = 0;
        loop {
            tick.tick().await;
            let peers = republisher.peers().len();
            let joined = peers > known;
            known = peers;
            if peers == 0 {
                continue;
            }
            let txs = pool_.to_repropagate(REPROPAGATE_MAX, joined);
            if !txs.is_empty() {
                tracing::debug!(target: "txpool", count = txs.len(), joined, "re-propagating pending transactions");
                republisher.republish(txs);
            }
        }
    });
    // Received batches are validated by the pool, then forwarded (or not) by the verdict.
    let (pool_, reporter) = (pool.clone(), gossip.clone());
    tokio::spawn(async move {
        while let Some(batch) = received.recv().await {
            let pool = pool_.clone();
            let validated = tokio::task::spawn_blocking(move || {
                let results: Vec<_> = batch.txs.iter().map(|xt| pool.submit_from_network(xt.clone())).collect();
                let verdict = gossip_verdict(&results);
                (batch, verdict, results.into_iter().find_map(Result::err))
            })
            .await;
            let Ok((batch, verdict, error)) = validated else { continue };
            if let Some(error) = error {
                tracing::debug!(target: "network", peer = %batch.peer, ?verdict, %error, "gossiped transaction refused");
            }
            reporter.report(batch, verdict);
        }
    });
    Ok((gossip, allowed_ids))
}

/// The peers transaction gossip admits (its connection gate reads it at every connection).
type GossipAllowList = Arc<parking_lot::RwLock<std::collections::HashSet<ecochain_network::PeerId>>>;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gossip_verdicts() {
        use ecochain_client::SubmitError;
        use ecochain_network::Verdict;
        use ecochain_txpool::{InvalidTransaction, PoolError};
        let ok = || Ok(sp_core::H256::zero());
        let known = || Err(SubmitError::Pool(PoolError::AlreadyImported));
        let stale = || Err(SubmitError::Pool(PoolError::InvalidTransaction(InvalidTransaction::Stale)));
        let forged = || Err(SubmitError::Pool(PoolError::InvalidTransaction(InvalidTransaction::BadProof)));
        let junk = || Err(SubmitError::BadFormat("junk".into()));
        assert_eq!(gossip_verdict(&[ok(), known()]), Verdict::Valid);
        assert_eq!(gossip_verdict(&[ok(), stale()]), Verdict::Ignore);
        assert_eq!(gossip_verdict(&[stale(), forged()]), Verdict::Invalid);
        assert_eq!(gossip_verdict(&[ok(), junk()]), Verdict::Invalid);
        assert_eq!(gossip_verdict(&[]), Verdict::Valid);
    }
}
