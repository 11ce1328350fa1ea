//! Transaction gossip between EcoChain nodes.
//!
//! A transaction submitted to any node (a full node behind the RPC, say) must
//! reach the validators' pools. Consensus has its own libp2p network inside
//! Malachite, which carries only consensus messages; this crate is the second,
//! small network that carries transactions.
//!
//! [`TxGossip::start`] builds a libp2p swarm (TCP or DNS, noise, yamux) with
//! gossipsub, identify and ping, subscribes to one topic (one per chain, e.g.
//! `/ecochain/<genesis hash>/tx/2`), listens, dials the configured peers and
//! redials them with backoff. Received transactions come out of a bounded
//! channel; the node hands them to its pool. The service is an actor: one task
//! owns the swarm, the [`TxGossip`] handles send it commands.
//!
//! Access is permissioned. Every connection, inbound or outbound, is put to
//! the allow-list function before any protocol runs on it; a refused peer is
//! disconnected at once, so it can neither send nor receive anything. The
//! function is asked at every connection (it follows on-chain state), and
//! connected peers are checked again periodically.
//!
//! A received batch is forwarded to other peers only once the node has
//! validated its transactions ([`TxGossip::report`] with [`Verdict::Valid`]).
//! A peer whose batches are malformed or hold invalid transactions (bad
//! signatures) collects strikes; at [`MAX_STRIKES`] within a minute it is
//! disconnected and banned for [`BAN_TIME`]. Batches waiting for a verdict are
//! bounded in number and in bytes.
//!
//! A gossipsub message is a batch of the transactions a node submitted within
//! 5 ms (up to 64 KiB; see `batch`), so the transport's per-message cost is
//! paid once per batch. Messages are anonymous: a transaction carries its own
//! signature, which every pool checks, and the relaying peer is authenticated
//! by noise and the allow-list, so a per-message ed25519 signature would only
//! cost CPU. The message id is the blake2-256 hash of the batch, and gossipsub
//! never sends a message back to the peer it came from; a transaction that
//! reaches a pool twice (submitted to two nodes) is refused there as already
//! imported. Transactions larger than `max_tx_bytes` are neither published
//! nor delivered.

mod batch;
mod behaviour;
mod dialer;
mod error;
mod worker;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use libp2p::{gossipsub::IdentTopic, multiaddr::Protocol, noise, tcp, yamux};
use tokio::sync::mpsc::{self, error::TrySendError};
use tracing::{debug, info};

pub use error::{Error, Result};
pub use libp2p::{identity::Keypair, Multiaddr, PeerId};

use crate::{
    behaviour::{Behaviour, IDLE_CONNECTION_TIMEOUT},
    dialer::Dialer,
    worker::{Command, Shared, Worker},
};

/// Tracing target of this crate.
const LOG_TARGET: &str = "network";
/// Commands queued for the worker before [`TxGossip::publish`] drops.
const MAILBOX_CAPACITY: usize = 1024;
/// Received batches queued for the node before new ones are dropped.
const RECEIVED_CAPACITY: usize = 4096;
/// Bytes of received batches waiting for the node's verdict before new ones are dropped.
const MAX_INFLIGHT_BYTES: usize = 32 * 1024 * 1024;
/// Invalid batches from one peer, within [`STRIKE_WINDOW`], before it is banned.
pub const MAX_STRIKES: u32 = 5;
/// The window in which strikes add up.
pub const STRIKE_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);
/// How long a banned peer is refused.
pub const BAN_TIME: std::time::Duration = std::time::Duration::from_secs(600);
/// How long [`TxGossip::start`] waits for the listener's address.
const LISTEN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Decides whether a peer may connect: `true` for allow-listed peers.
pub type AllowFn = Arc<dyn Fn(&PeerId) -> bool + Send + Sync>;

/// What the node found in a received batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every transaction is valid (or already known): forward the batch.
    Valid,
    /// The batch holds a transaction no honest node would relay (undecodable,
    /// bad signature): do not forward, and count a strike against the peer.
    Invalid,
    /// Neither (a pool full, a transaction gone stale): do not forward, no strike.
    Ignore,
}

/// A batch of transactions a peer gossiped, waiting for the node's
/// [`Verdict`] (give it with [`TxGossip::report`]; dropping the batch without
/// one leaves it unforwarded).
#[derive(Debug)]
pub struct Received {
    /// The peer that relayed it to us (not necessarily its author).
    pub peer: PeerId,
    /// Its transactions.
    pub txs: Vec<Vec<u8>>,
    /// The gossipsub message, if it still waits for a verdict.
    message: Option<libp2p::gossipsub::MessageId>,
    _inflight: worker::Inflight,
}

/// Configuration of the transaction gossip service.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on, e.g. `/ip4/0.0.0.0/tcp/30334` (port 0 picks one).
    pub listen: Multiaddr,
    /// Peers to keep connected to, each ending in `/p2p/<peer id>`; dialed at
    /// start and redialed with backoff. Our own address may be listed; it is skipped.
    pub peers: Vec<Multiaddr>,
    /// The node's network identity.
    pub keypair: Keypair,
    /// The gossipsub topic, one per chain, e.g. `format!("/ecochain/{genesis_hex}/tx/2")`
    /// (`2`: batches of anonymous messages; nodes of `tx/1` sent one signed message per transaction).
    pub topic: String,
    /// Largest transaction, in bytes, that is published or accepted.
    pub max_tx_bytes: usize,
}

/// Handle to the transaction gossip service; cheap to clone. The service stops
/// when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct TxGossip {
    mailbox: mpsc::Sender<Command>,
    local_peer_id: PeerId,
    max_tx_bytes: usize,
    shared: Arc<Shared>,
}

impl TxGossip {
    /// Starts the service on the current tokio runtime: listens on
    /// `config.listen` (returns once the address is known), then dials
    /// `config.peers`. `allowed` is asked at every connection.
    ///
    /// Returns the handle and the channel of received batches.
    pub async fn start(config: Config, allowed: AllowFn) -> Result<(Self, mpsc::Receiver<Received>)> {
        if config.max_tx_bytes == 0 {
            return Err(Error::ZeroMaxTxBytes);
        }
        let local_peer_id = config.keypair.public().to_peer_id();
        let peers = parse_peers(&config.peers, &local_peer_id)?;
        let topic = IdentTopic::new(config.topic.clone());
        let shared = Arc::new(Shared::default());
        // The connection gate: allow-listed and not banned.
        let gate: AllowFn = {
            let (allowed, shared) = (allowed.clone(), shared.clone());
            Arc::new(move |peer: &PeerId| allowed(peer) && !shared.is_banned(peer))
        };
        let behaviour = Behaviour::new(&config.keypair, &topic, config.max_tx_bytes, gate.clone())?;

        let mut swarm = libp2p::SwarmBuilder::with_existing_identity(config.keypair)
            .with_tokio()
            .with_tcp(tcp::Config::default().nodelay(true), noise::Config::new, yamux::Config::default)?
            .with_dns()
            .map_err(Error::Dns)?
            .with_behaviour(|_| behaviour)
            .unwrap_or_else(|never| match never {})
            .with_swarm_config(|swarm| swarm.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT))
            .build();

        swarm
            .behaviour_mut()
            .gossipsub
            .subscribe(&topic)
            .map_err(|source| Error::Subscribe { topic: config.topic.clone(), source })?;
        let listener = swarm
            .listen_on(config.listen.clone())
            .map_err(|source| Error::Listen { addr: config.listen.clone(), source })?;

        let (mailbox_tx, mailbox_rx) = mpsc::channel(MAILBOX_CAPACITY);
        let (received_tx, received_rx) = mpsc::channel(RECEIVED_CAPACITY);
        let mut worker = Worker {
            swarm,
            topic,
            max_tx_bytes: config.max_tx_bytes,
            allowed: gate,
            strikes: Default::default(),
            dialer: Dialer::new(peers, tokio::time::Instant::now()),
            shared: shared.clone(),
            received: received_tx,
            mailbox: mailbox_rx,
            outbox: Default::default(),
            salt: 0,
        };
        tokio::time::timeout(LISTEN_TIMEOUT, worker.wait_listening(listener, &config.listen))
            .await
            .map_err(|_| Error::ListenTimeout { addr: config.listen.clone(), timeout: LISTEN_TIMEOUT })??;
        info!(
            target: LOG_TARGET,
            %local_peer_id,
            topic = %config.topic,
            peers = config.peers.len(),
            "transaction gossip started"
        );
        tokio::spawn(worker.run());

        let handle = Self { mailbox: mailbox_tx, local_peer_id, max_tx_bytes: config.max_tx_bytes, shared };
        Ok((handle, received_rx))
    }

    /// Gossips a locally submitted transaction; never blocks. The transaction
    /// is dropped (with a debug log) if it is larger than `max_tx_bytes` or the
    /// mailbox is full. Transactions received from the network need no
    /// publishing: gossipsub forwards them.
    pub fn publish(&self, tx: Vec<u8>) {
        if tx.len() > self.max_tx_bytes {
            debug!(target: LOG_TARGET, len = tx.len(), max = self.max_tx_bytes, "oversize transaction not gossiped");
            return;
        }
        match self.mailbox.try_send(Command::Publish(tx)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                debug!(target: LOG_TARGET, "gossip mailbox full, transaction not gossiped")
            }
            Err(TrySendError::Closed(_)) => {
                debug!(target: LOG_TARGET, "gossip stopped, transaction not gossiped")
            }
        }
    }

    /// Gossips pooled transactions again, for peers that missed them (they
    /// were down, or joined later). Never blocks; dropped if the mailbox is full.
    pub fn republish(&self, txs: Vec<Vec<u8>>) {
        let txs: Vec<Vec<u8>> = txs.into_iter().filter(|tx| tx.len() <= self.max_tx_bytes).collect();
        if txs.is_empty() {
            return;
        }
        if let Err(e) = self.mailbox.try_send(Command::Republish(txs)) {
            debug!(target: LOG_TARGET, error = %e, "gossip mailbox full, transactions not re-propagated");
        }
    }

    /// Give the node's verdict on a received batch: forward it (valid), or
    /// not (invalid: a strike against the peer; ignore).
    pub fn report(&self, mut received: Received, verdict: Verdict) {
        let Some(message) = received.message.take() else { return };
        let command = Command::Report { message, source: received.peer, verdict };
        if let Err(e) = self.mailbox.try_send(command) {
            debug!(target: LOG_TARGET, error = %e, "gossip mailbox full, verdict dropped");
        }
    }

    /// The allow-list behind the connection gate changed: connected peers no
    /// longer on it are disconnected now rather than at the next periodic check.
    pub fn recheck_allowed(&self) {
        if let Err(e) = self.mailbox.try_send(Command::Recheck) {
            debug!(target: LOG_TARGET, error = %e, "gossip mailbox full, allow-list recheck left to the timer");
        }
    }

    /// Peers banned now, for the invalid batches they sent.
    pub fn banned(&self) -> Vec<PeerId> {
        self.shared.banned_now()
    }

    /// Our peer id (from the configured keypair).
    pub fn local_peer_id(&self) -> PeerId {
        self.local_peer_id
    }

    /// Addresses we listen on, with the actual port when 0 was configured.
    pub fn listen_addrs(&self) -> Vec<Multiaddr> {
        self.shared.listen_addrs.read().clone()
    }

    /// Connected peers that joined our topic, i.e. that accepted the connection
    /// and gossip transactions of the same chain. Sorted.
    pub fn peers(&self) -> Vec<PeerId> {
        self.shared.peers.read().iter().copied().collect()
    }
}

/// The entries of a gossiped batch (`(u32 length, bytes)` each), or `None` if
/// it is malformed. Public for the decoder fuzz loop (`ecochain-bench fuzz`).
pub fn decode_batch(data: &[u8]) -> Option<Vec<&[u8]>> {
    batch::decode(data)
}

/// Splits each configured address into the peer id it ends in and the
/// address, skipping our own.
fn parse_peers(addrs: &[Multiaddr], local: &PeerId) -> Result<Vec<(PeerId, Multiaddr)>> {
    let mut peers = Vec::with_capacity(addrs.len());
    for addr in addrs {
        let Some(Protocol::P2p(peer)) = addr.iter().last() else {
            return Err(Error::MissingPeerId(addr.clone()));
        };
        if peer != *local {
            peers.push((peer, addr.clone()));
        }
    }
    Ok(peers)
}
