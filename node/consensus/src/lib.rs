//! # ecochain-consensus
//!
//! Byzantine-fault-tolerant consensus for EcoChain, embedding Malachite (the
//! Tendermint engine in Rust, `arc-malachitebft-*` 0.8.2): [`context`]
//! defines heights, validators, values and votes; [`signing`] signs them with
//! the validators' ed25519 consensus keys; [`codec`] encodes everything the
//! engine sends and writes to its write-ahead log; [`app`] is the application
//! loop that proposes blocks built from the pool, verifies proposals by
//! executing them (after [`stream`] reassembled and checked them, bounded, and
//! [`block`] checked their header and timestamp), and commits decided blocks
//! with their commit certificate ([`certificate`] checks one as pure code).
//! The checks are pure and take time as an argument; [`app`] only does IO.
//!
//! Malachite brings the libp2p network (gossipsub), the WAL and value sync.
//! Peers are limited to the configured persistent peers
//! (`persistent_peers_only`): others are disconnected once identified.

pub mod app;
pub mod block;
pub mod certificate;
pub mod codec;
pub mod context;
pub mod peers;
pub mod signing;
pub mod stream;

pub use app::{stored_certificate, validator_nodes_at, validator_set_at, SharedStatus, Status};
pub use certificate::{check_certificate, CertificateError};
pub use context::EcoContext;
/// Round timeouts, as the engine takes them.
pub use malachitebft_app_channel::app::types::core::LinearTimeouts;

use ecochain_client::{authoring::Proposer, Client, TransactionPool};
use malachitebft_app_channel::{
    app::{
        config::{ConsensusConfig, DiscoveryConfig, NodeConfig, P2pConfig, ValuePayload, ValueSyncConfig},
        net::Multiaddr,
        types::Keypair,
    },
    start_engine, ConsensusContext, EngineHandle, NetworkContext, RequestContext, SyncContext, WalContext,
};
use sp_core::{ed25519, Pair};
use std::{path::PathBuf, sync::Arc, time::Duration};

/// How this node takes part in consensus.
pub struct Config {
    /// Name in logs and metrics.
    pub moniker: String,
    /// libp2p listen address of the consensus network.
    pub listen: Multiaddr,
    /// Peers to connect to (with `/p2p/<peer id>`); the only peers accepted.
    pub peers: Vec<Multiaddr>,
    /// Directory of the write-ahead log.
    pub wal_dir: PathBuf,
    /// The validator's consensus key; `None` for a full node.
    pub validator_key: Option<ed25519::Pair>,
    /// Seed of the libp2p identity (a validator uses its consensus key seed).
    pub node_key: [u8; 32],
    /// Round timeouts.
    pub timeouts: LinearTimeouts,
    /// Target time per block.
    pub target_block_time: Duration,
    /// Longest wait for a transaction before proposing an empty block.
    pub heartbeat: Option<Duration>,
}

/// Default round timeouts: short for a LAN of validators, backing off by
/// `delta` per round and capped at `max_timeout` so a stalled network
/// resumes within seconds once enough validators are back.
pub fn default_timeouts(max_timeout: Duration) -> LinearTimeouts {
    LinearTimeouts {
        propose: Duration::from_millis(2_000),
        propose_delta: Duration::from_millis(500),
        prevote: Duration::from_millis(1_000),
        prevote_delta: Duration::from_millis(500),
        precommit: Duration::from_millis(1_000),
        precommit_delta: Duration::from_millis(500),
        rebroadcast: Duration::from_millis(2_000),
        max_timeout,
    }
}

/// The libp2p peer id of an ed25519 seed.
pub fn peer_id_of(seed: [u8; 32]) -> eyre::Result<String> {
    let keypair = Keypair::ed25519_from_bytes(seed)?;
    Ok(keypair.public().to_peer_id().to_string())
}

/// The libp2p peer id of an ed25519 public key.
pub fn peer_id_of_public(key: [u8; 32]) -> eyre::Result<String> {
    let public = libp2p_identity::ed25519::PublicKey::try_from_bytes(&key)?;
    Ok(libp2p_identity::PublicKey::from(public).to_peer_id().to_string())
}

/// The engine's consensus and value-sync configuration: listen on `listen`,
/// talk only to `peers` (no discovery), blocks travel as proposal parts.
/// Public so that tests can run a peer speaking exactly the node's protocol.
pub fn engine_config(listen: Multiaddr, peers: Vec<Multiaddr>) -> (ConsensusConfig, ValueSyncConfig) {
    let consensus = ConsensusConfig {
        p2p: P2pConfig {
            listen_addr: listen,
            persistent_peers: peers,
            persistent_peers_only: true,
            discovery: DiscoveryConfig { enabled: false, ..Default::default() },
            ..Default::default()
        },
        value_payload: ValuePayload::ProposalAndParts,
        ..Default::default()
    };
    (consensus, ValueSyncConfig { batch_size: 4, ..Default::default() })
}

struct EngineConfig {
    moniker: String,
    consensus: ConsensusConfig,
    value_sync: ValueSyncConfig,
}

impl NodeConfig for EngineConfig {
    fn moniker(&self) -> &str {
        &self.moniker
    }
    fn consensus(&self) -> &ConsensusConfig {
        &self.consensus
    }
    fn consensus_mut(&mut self) -> &mut ConsensusConfig {
        &mut self.consensus
    }
    fn value_sync(&self) -> &ValueSyncConfig {
        &self.value_sync
    }
    fn value_sync_mut(&mut self) -> &mut ValueSyncConfig {
        &mut self.value_sync
    }
}

/// A running consensus engine.
pub struct Handle {
    /// Progress for `consensus_status`.
    pub status: SharedStatus,
    /// This node's libp2p peer id.
    pub peer_id: String,
    /// The engine's actors.
    pub engine: EngineHandle,
    /// The consensus network's peers, following the allow-list.
    pub peers: Arc<peers::PeerSet>,
    /// The application loop; it ends only when the engine stops or the node
    /// cannot read its own finalized state (the node should then exit).
    pub app: Option<tokio::task::JoinHandle<eyre::Result<()>>>,
}

/// Start the engine and the application loop.
pub async fn start(
    client: Arc<Client>,
    pool: Arc<TransactionPool>,
    proposer: Arc<Proposer>,
    config: Config,
) -> eyre::Result<Handle> {
    let genesis = client.genesis_hash().0;
    let ctx = EcoContext { genesis };
    let keypair = Keypair::ed25519_from_bytes(config.node_key)?;
    let peer_id = keypair.public().to_peer_id().to_string();
    let signer = config.validator_key.map(|k| Arc::new(signing::EcoSigner::new(k, genesis)));
    // A full node signs nothing; its engine address is its node's public key.
    let address = match &config.validator_key {
        Some(k) => context::Address(k.public().0),
        None => context::Address(keypair.public().try_into_ed25519()?.to_bytes()),
    };
    let (consensus, value_sync) = engine_config(config.listen.clone(), config.peers.clone());
    let engine_config = EngineConfig { moniker: config.moniker.clone(), consensus, value_sync };
    let identity = malachitebft_engine::network::NetworkIdentity::new(
        config.moniker.clone(),
        keypair,
        signer.as_ref().map(|s| s.address().to_string()),
    );
    let verifier = Box::new(signing::EcoVerifier::new(genesis));
    let consensus_ctx = match &signer {
        Some(s) => ConsensusContext::new_validator(address, verifier, Box::new(SignerRef(s.clone()))),
        None => ConsensusContext::new_full_node(address, verifier),
    };
    std::fs::create_dir_all(&config.wal_dir)?;
    let (channels, engine) = start_engine(
        ctx.clone(),
        engine_config,
        WalContext::new(config.wal_dir.join("consensus.wal"), codec::EcoCodec),
        NetworkContext::new(identity, codec::EcoCodec),
        consensus_ctx,
        SyncContext::new(codec::EcoCodec),
        RequestContext::new(100),
    )
    .await?;
    let status: SharedStatus = Default::default();
    track_votes(channels.events.subscribe(), status.clone());
    let peers = Arc::new(peers::PeerSet::new(channels.net_requests.clone(), &config.peers, peer_id.clone()));
    let app = app::App::new(
        ctx,
        client,
        pool,
        proposer,
        signer,
        app::AppConfig {
            timeouts: config.timeouts,
            target_block_time: config.target_block_time,
            heartbeat: config.heartbeat,
        },
        status.clone(),
    )?;
    let app = tokio::spawn(app.run(channels));
    tracing::info!(target: "consensus", %peer_id, listen = %config.listen, validator = config.validator_key.is_some(), "consensus started");
    Ok(Handle { status, peer_id, engine, peers, app: Some(app) })
}

/// Follow the engine's events to know which validators were heard from in
/// the current round (`consensus_status`).
fn track_votes(
    mut events: tokio::sync::broadcast::Receiver<malachitebft_engine::util::events::Event<EcoContext>>,
    status: SharedStatus,
) {
    use malachitebft_core_consensus::SignedConsensusMsg;
    use malachitebft_engine::util::events::Event;
    tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(Event::StartedRound(..)) => status.write().heard.clear(),
                Ok(Event::Received(SignedConsensusMsg::Vote(v)) | Event::Published(SignedConsensusMsg::Vote(v))) => {
                    let mut s = status.write();
                    if v.message.height.0 == s.height && v.message.round.as_i64() == s.round {
                        s.heard.insert(v.message.validator.0);
                    }
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

/// Shares one signer between the engine and the application loop.
struct SignerRef(Arc<signing::EcoSigner>);

#[async_trait::async_trait]
impl malachitebft_signing::Signer<EcoContext> for SignerRef {
    async fn sign_vote(
        &self,
        vote: context::Vote,
    ) -> Result<malachitebft_core_types::SignedMessage<EcoContext, context::Vote>, malachitebft_signing::Error> {
        self.0.sign_vote(vote).await
    }

    async fn sign_proposal(
        &self,
        proposal: context::Proposal,
    ) -> Result<malachitebft_core_types::SignedMessage<EcoContext, context::Proposal>, malachitebft_signing::Error>
    {
        self.0.sign_proposal(proposal).await
    }

    async fn sign_vote_extension(
        &self,
        scope: malachitebft_core_types::VoteExtensionScope<EcoContext>,
        extension: (),
    ) -> Result<malachitebft_core_types::SignedMessage<EcoContext, ()>, malachitebft_signing::Error> {
        self.0.sign_vote_extension(scope, extension).await
    }

    async fn sign_validator_proof(
        &self,
        public_key: Vec<u8>,
        peer_id: Vec<u8>,
    ) -> Result<malachitebft_core_types::ValidatorProof<EcoContext>, malachitebft_signing::Error> {
        self.0.sign_validator_proof(public_key, peer_id).await
    }
}
