//! The task that owns the swarm: a loop over commands, swarm events and timers.

use std::{
    collections::{BTreeSet, HashMap},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use futures::StreamExt;
use libp2p::{
    core::transport::ListenerId,
    gossipsub::{self, IdentTopic, MessageAcceptance},
    identify,
    swarm::{
        dial_opts::{DialOpts, PeerCondition},
        ListenError, SwarmEvent,
    },
    Multiaddr, PeerId, Swarm,
};
use parking_lot::RwLock;
use tokio::{
    sync::mpsc::{self, error::TrySendError},
    time::Instant,
};
use tracing::{debug, info, trace, warn};

use crate::{
    batch::{self, Outbox},
    behaviour::{Behaviour, BehaviourEvent, NotAllowed},
    dialer::Dialer,
    AllowFn, Error, Received, Result, Verdict, BAN_TIME, LOG_TARGET, MAX_INFLIGHT_BYTES, MAX_STRIKES, STRIKE_WINDOW,
};

/// How often connected peers are checked against the allow-list, which
/// follows on-chain state and may drop a peer we are connected to.
const ALLOW_RECHECK_INTERVAL: Duration = Duration::from_secs(10);

/// A request to the worker.
#[derive(Debug)]
pub(crate) enum Command {
    /// Gossip a locally submitted transaction.
    Publish(Vec<u8>),
    /// Gossip pooled transactions again (salted batches, so they are not duplicates).
    Republish(Vec<Vec<u8>>),
    /// The node's verdict on a received batch.
    Report {
        /// The gossipsub message.
        message: gossipsub::MessageId,
        /// The peer it came from.
        source: PeerId,
        /// What the node found.
        verdict: Verdict,
    },
    /// The allow-list changed: disconnect the peers no longer on it now.
    Recheck,
}

/// What the handles read without asking the worker.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Addresses we listen on.
    pub(crate) listen_addrs: RwLock<Vec<Multiaddr>>,
    /// Connected peers that joined our topic.
    pub(crate) peers: RwLock<BTreeSet<PeerId>>,
    /// Peers banned until the given time.
    pub(crate) banned: RwLock<HashMap<PeerId, std::time::Instant>>,
    /// Bytes of received batches waiting for a verdict.
    pub(crate) inflight: AtomicUsize,
}

impl Shared {
    /// Whether `peer` is banned now.
    pub(crate) fn is_banned(&self, peer: &PeerId) -> bool {
        self.banned.read().get(peer).is_some_and(|until| *until > std::time::Instant::now())
    }

    /// The peers banned now.
    pub(crate) fn banned_now(&self) -> Vec<PeerId> {
        let now = std::time::Instant::now();
        self.banned.read().iter().filter(|(_, until)| **until > now).map(|(p, _)| *p).collect()
    }
}

/// Bytes of one received batch, counted in [`Shared::inflight`] until dropped.
#[derive(Debug)]
pub(crate) struct Inflight {
    shared: Arc<Shared>,
    bytes: usize,
}

impl Inflight {
    /// Count `bytes` if they fit the budget.
    fn take(shared: &Arc<Shared>, bytes: usize) -> Option<Self> {
        let mut now = shared.inflight.load(Ordering::Relaxed);
        loop {
            if now + bytes > MAX_INFLIGHT_BYTES {
                return None;
            }
            match shared.inflight.compare_exchange_weak(now, now + bytes, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => return Some(Self { shared: shared.clone(), bytes }),
                Err(actual) => now = actual,
            }
        }
    }
}

impl Drop for Inflight {
    fn drop(&mut self) {
        self.shared.inflight.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// Strikes of one peer within the current window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Strikes {
    count: u32,
    since: std::time::Instant,
}

/// Add a strike at `now`; `true` when the peer reached [`MAX_STRIKES`] within [`STRIKE_WINDOW`].
pub(crate) fn strike(strikes: &mut HashMap<PeerId, Strikes>, peer: PeerId, now: std::time::Instant) -> bool {
    let entry = strikes.entry(peer).or_insert(Strikes { count: 0, since: now });
    if now.saturating_duration_since(entry.since) > STRIKE_WINDOW {
        *entry = Strikes { count: 0, since: now };
    }
    entry.count += 1;
    if entry.count >= MAX_STRIKES {
        strikes.remove(&peer);
        return true;
    }
    false
}

/// The worker's state.
pub(crate) struct Worker {
    pub(crate) swarm: Swarm<Behaviour>,
    pub(crate) topic: IdentTopic,
    pub(crate) max_tx_bytes: usize,
    pub(crate) allowed: AllowFn,
    /// Strikes of peers that sent invalid batches.
    pub(crate) strikes: HashMap<PeerId, Strikes>,
    pub(crate) dialer: Dialer,
    pub(crate) shared: Arc<Shared>,
    pub(crate) received: mpsc::Sender<Received>,
    pub(crate) mailbox: mpsc::Receiver<Command>,
    /// Local transactions waiting to go out in the next batch.
    pub(crate) outbox: Outbox,
    /// Counter of the salts of re-propagated batches.
    pub(crate) salt: u64,
}

impl Worker {
    /// Drives the swarm until `listener` reports its first address (so the
    /// handles see a resolved port), handling any other event as usual.
    pub(crate) async fn wait_listening(&mut self, listener: ListenerId, addr: &Multiaddr) -> Result<()> {
        loop {
            match self.swarm.select_next_some().await {
                SwarmEvent::NewListenAddr { listener_id, address } if listener_id == listener => {
                    self.on_new_listen_addr(address);
                    return Ok(());
                }
                SwarmEvent::ListenerClosed { listener_id, reason, .. } if listener_id == listener => {
                    return Err(match reason {
                        Ok(()) => Error::ListenerClosed { addr: addr.clone() },
                        Err(source) => Error::ListenerFailed { addr: addr.clone(), source },
                    });
                }
                SwarmEvent::ListenerError { listener_id, error } if listener_id == listener => {
                    return Err(Error::ListenerFailed { addr: addr.clone(), source: error });
                }
                event => self.on_swarm_event(event),
            }
        }
    }

    /// The loop; ends when every handle is dropped.
    pub(crate) async fn run(mut self) {
        let mut recheck = tokio::time::interval(ALLOW_RECHECK_INTERVAL);
        recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            self.dial_due();
            let redial = self.dialer.next_deadline();
            let flush = self.outbox.deadline();
            tokio::select! {
                command = self.mailbox.recv() => match command {
                    Some(command) => self.on_command(command),
                    None => break,
                },
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                () = sleep_until(flush) => {
                    if let Some(batch) = self.outbox.take() {
                        self.publish(batch);
                    }
                }
                () = sleep_until(redial) => {}
                _ = recheck.tick() => self.recheck_allowed(),
            }
        }
        info!(target: LOG_TARGET, "transaction gossip stopped");
    }

    fn on_command(&mut self, command: Command) {
        match command {
            Command::Publish(tx) => {
                for batch in self.outbox.push(tx, Instant::now()) {
                    self.publish(batch);
                }
            }
            Command::Republish(txs) => {
                for batch in batch::resend(txs, &mut self.salt) {
                    self.publish(batch);
                }
            }
            Command::Recheck => self.recheck_allowed(),
            Command::Report { message, source, verdict } => {
                let acceptance = match verdict {
                    Verdict::Valid => MessageAcceptance::Accept,
                    Verdict::Invalid => MessageAcceptance::Reject,
                    Verdict::Ignore => MessageAcceptance::Ignore,
                };
                self.swarm.behaviour_mut().gossipsub.report_message_validation_result(&message, &source, acceptance);
                if verdict == Verdict::Invalid {
                    self.strike(source, "invalid transactions");
                }
            }
        }
    }

    fn publish(&mut self, batch: Vec<u8>) {
        let len = batch.len();
        match self.swarm.behaviour_mut().gossipsub.publish(self.topic.clone(), batch) {
            Ok(id) => debug!(target: LOG_TARGET, message_id = %id, len, "transactions gossiped"),
            // No peer yet, say: the transactions stay in the local pool.
            Err(error) => debug!(target: LOG_TARGET, %error, len, "transactions not gossiped"),
        }
    }

    fn dial_due(&mut self) {
        for (peer, addr) in self.dialer.take_due(Instant::now()) {
            let opts = DialOpts::peer_id(peer)
                .addresses(vec![addr.clone()])
                .condition(PeerCondition::DisconnectedAndNotDialing)
                .build();
            match self.swarm.dial(opts) {
                Ok(()) => debug!(target: LOG_TARGET, %peer, %addr, "dialing"),
                // Already connected or dialing: the connection's events take over.
                Err(libp2p::swarm::DialError::DialPeerConditionFalse(_)) => self.dialer.connected(&peer),
                Err(error) => {
                    let retry_in = self.dialer.lost(&peer, Instant::now());
                    debug!(target: LOG_TARGET, %peer, %addr, %error, ?retry_in, "dial failed");
                }
            }
        }
    }

    /// Closes the connections of peers the allow-list no longer accepts.
    /// Count a strike against `peer`; ban and disconnect it at [`MAX_STRIKES`].
    fn strike(&mut self, peer: PeerId, why: &'static str) {
        debug!(target: LOG_TARGET, %peer, why, "strike against peer");
        let now = std::time::Instant::now();
        if strike(&mut self.strikes, peer, now) {
            warn!(target: LOG_TARGET, %peer, why, ban_secs = BAN_TIME.as_secs(), "peer banned");
            let mut banned = self.shared.banned.write();
            banned.retain(|_, until| *until > now);
            banned.insert(peer, now + BAN_TIME);
            drop(banned);
            self.shared.peers.write().remove(&peer);
            let _ = self.swarm.disconnect_peer_id(peer);
        }
    }

    fn recheck_allowed(&mut self) {
        let refused: Vec<PeerId> = self.swarm.connected_peers().filter(|peer| !(self.allowed)(peer)).copied().collect();
        for peer in refused {
            info!(target: LOG_TARGET, %peer, "disconnecting peer no longer on the allow-list");
            let _ = self.swarm.disconnect_peer_id(peer);
        }
    }

    fn on_new_listen_addr(&mut self, address: Multiaddr) {
        info!(target: LOG_TARGET, %address, peer_id = %self.swarm.local_peer_id(), "listening");
        self.shared.listen_addrs.write().push(address);
    }

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(event)) => self.on_gossipsub(event),
            SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received { peer_id, info, .. })) => {
                debug!(target: LOG_TARGET, %peer_id, agent = %info.agent_version, "identified peer");
            }
            SwarmEvent::Behaviour(BehaviourEvent::Identify(_) | BehaviourEvent::Ping(_)) => {}
            SwarmEvent::Behaviour(BehaviourEvent::Gate(never)) => match never {},
            SwarmEvent::NewListenAddr { address, .. } => self.on_new_listen_addr(address),
            SwarmEvent::ExpiredListenAddr { address, .. } => {
                info!(target: LOG_TARGET, %address, "no longer listening");
                self.shared.listen_addrs.write().retain(|a| a != &address);
            }
            SwarmEvent::ListenerClosed { addresses, reason, .. } => {
                warn!(target: LOG_TARGET, ?addresses, ?reason, "listener closed");
                self.shared.listen_addrs.write().retain(|a| !addresses.contains(a));
            }
            SwarmEvent::ListenerError { error, .. } => {
                warn!(target: LOG_TARGET, %error, "listener error");
            }
            SwarmEvent::ConnectionEstablished { peer_id, endpoint, num_established, .. } => {
                debug!(
                    target: LOG_TARGET,
                    %peer_id,
                    addr = %endpoint.get_remote_address(),
                    num_established,
                    "connection established"
                );
                self.dialer.connected(&peer_id);
            }
            SwarmEvent::ConnectionClosed { peer_id, num_established, cause, .. } => {
                debug!(target: LOG_TARGET, %peer_id, num_established, ?cause, "connection closed");
                if num_established == 0 {
                    if self.shared.peers.write().remove(&peer_id) {
                        info!(target: LOG_TARGET, %peer_id, "peer left");
                    }
                    if let Some(retry_in) = self.dialer.lost(&peer_id, Instant::now()) {
                        debug!(target: LOG_TARGET, %peer_id, ?retry_in, "will redial");
                    }
                }
            }
            SwarmEvent::IncomingConnectionError { peer_id, send_back_addr, error, .. } => match &error {
                ListenError::Denied { cause } if cause.downcast_ref::<NotAllowed>().is_some() => {
                    debug!(target: LOG_TARGET, ?peer_id, %send_back_addr, "refused peer not on the allow-list");
                }
                _ => debug!(target: LOG_TARGET, ?peer_id, %send_back_addr, %error, "incoming connection failed"),
            },
            SwarmEvent::OutgoingConnectionError { peer_id: Some(peer_id), error, .. } => {
                if self.swarm.is_connected(&peer_id) {
                    trace!(target: LOG_TARGET, %peer_id, %error, "redundant dial failed");
                } else {
                    let retry_in = self.dialer.lost(&peer_id, Instant::now());
                    debug!(target: LOG_TARGET, %peer_id, %error, ?retry_in, "dial failed");
                }
            }
            _ => {}
        }
    }

    /// Whether gossipsub should forward `message`, and the transactions to hand
    /// to the node: a malformed batch is rejected (and counts against the peer);
    /// a batch holding a transaction above our limit (a peer configured with a
    /// larger one) is not forwarded, and only its transactions within the limit
    /// are delivered.
    fn check_batch(&self, from: &PeerId, message: &gossipsub::Message) -> (MessageAcceptance, Vec<Vec<u8>>) {
        if message.topic != self.topic.hash() {
            return (MessageAcceptance::Ignore, Vec::new());
        }
        let Some(txs) = batch::decode(&message.data) else {
            debug!(target: LOG_TARGET, peer_id = %from, len = message.data.len(), "rejected malformed batch");
            return (MessageAcceptance::Reject, Vec::new());
        };
        let txs: Vec<&[u8]> = txs.into_iter().filter(|tx| !batch::is_salt(tx)).collect();
        let total = txs.len();
        let within: Vec<Vec<u8>> =
            txs.into_iter().filter(|tx| tx.len() <= self.max_tx_bytes).map(<[u8]>::to_vec).collect();
        if within.len() < total {
            debug!(
                target: LOG_TARGET,
                peer_id = %from,
                oversize = total - within.len(),
                max = self.max_tx_bytes,
                "dropped oversize transactions"
            );
            return (MessageAcceptance::Ignore, within);
        }
        (MessageAcceptance::Accept, within)
    }

    fn on_gossipsub(&mut self, event: gossipsub::Event) {
        match event {
            gossipsub::Event::Message { propagation_source, message_id, message } => {
                let (acceptance, txs) = self.check_batch(&propagation_source, &message);
                trace!(target: LOG_TARGET, peer_id = %propagation_source, %message_id, txs = txs.len(), "received transactions");
                // Well-formed batches wait for the node's verdict before they are forwarded.
                let pending = matches!(acceptance, MessageAcceptance::Accept);
                if !pending {
                    let malformed = matches!(acceptance, MessageAcceptance::Reject);
                    self.swarm.behaviour_mut().gossipsub.report_message_validation_result(
                        &message_id,
                        &propagation_source,
                        acceptance,
                    );
                    if malformed {
                        self.strike(propagation_source, "malformed batch");
                    }
                }
                if txs.is_empty() {
                    return;
                }
                let bytes = txs.iter().map(Vec::len).sum();
                let Some(inflight) = Inflight::take(&self.shared, bytes) else {
                    debug!(target: LOG_TARGET, %message_id, bytes, "too many bytes waiting for validation, batch dropped");
                    if pending {
                        self.swarm.behaviour_mut().gossipsub.report_message_validation_result(
                            &message_id,
                            &propagation_source,
                            MessageAcceptance::Ignore,
                        );
                    }
                    return;
                };
                let received = Received {
                    peer: propagation_source,
                    txs,
                    message: pending.then(|| message_id.clone()),
                    _inflight: inflight,
                };
                if let Err(e) = self.received.try_send(received) {
                    match e {
                        TrySendError::Full(_) => {
                            debug!(target: LOG_TARGET, %message_id, "receiver full, dropped batch")
                        }
                        TrySendError::Closed(_) => {
                            trace!(target: LOG_TARGET, %message_id, "no receiver, dropped batch")
                        }
                    }
                    if pending {
                        self.swarm.behaviour_mut().gossipsub.report_message_validation_result(
                            &message_id,
                            &propagation_source,
                            MessageAcceptance::Ignore,
                        );
                    }
                }
            }
            gossipsub::Event::Subscribed { peer_id, topic } if topic == self.topic.hash() => {
                if self.shared.peers.write().insert(peer_id) {
                    info!(target: LOG_TARGET, %peer_id, "peer joined");
                }
                self.dialer.ready(&peer_id);
            }
            gossipsub::Event::Unsubscribed { peer_id, topic } if topic == self.topic.hash() => {
                let was_peer = self.shared.peers.write().remove(&peer_id);
                if was_peer {
                    info!(target: LOG_TARGET, %peer_id, "peer left the topic");
                }
            }
            gossipsub::Event::GossipsubNotSupported { peer_id } => {
                debug!(target: LOG_TARGET, %peer_id, "peer does not speak gossipsub");
            }
            gossipsub::Event::SlowPeer { peer_id, failed_messages } => {
                debug!(target: LOG_TARGET, %peer_id, ?failed_messages, "slow peer");
            }
            _ => {}
        }
    }
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
