//! The task that owns the swarm: a loop over commands, swarm events and timers.

use std::{collections::BTreeSet, sync::Arc, time::Duration};

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
    AllowFn, Error, Result, LOG_TARGET,
};

/// How often connected peers are checked against the allow-list, which
/// follows on-chain state and may drop a peer we are connected to.
const ALLOW_RECHECK_INTERVAL: Duration = Duration::from_secs(10);

/// A request to the worker.
#[derive(Debug)]
pub(crate) enum Command {
    /// Gossip a locally submitted transaction.
    Publish(Vec<u8>),
}

/// What the handles read without asking the worker.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Addresses we listen on.
    pub(crate) listen_addrs: RwLock<Vec<Multiaddr>>,
    /// Connected peers that joined our topic.
    pub(crate) peers: RwLock<BTreeSet<PeerId>>,
}

/// The worker's state.
pub(crate) struct Worker {
    pub(crate) swarm: Swarm<Behaviour>,
    pub(crate) topic: IdentTopic,
    pub(crate) max_tx_bytes: usize,
    pub(crate) allowed: AllowFn,
    pub(crate) dialer: Dialer,
    pub(crate) shared: Arc<Shared>,
    pub(crate) received: mpsc::Sender<(PeerId, Vec<u8>)>,
    pub(crate) mailbox: mpsc::Receiver<Command>,
    /// Local transactions waiting to go out in the next batch.
    pub(crate) outbox: Outbox,
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
                self.swarm.behaviour_mut().gossipsub.report_message_validation_result(
                    &message_id,
                    &propagation_source,
                    acceptance,
                );
                trace!(target: LOG_TARGET, peer_id = %propagation_source, %message_id, txs = txs.len(), "received transactions");
                for tx in txs {
                    match self.received.try_send((propagation_source, tx)) {
                        Ok(()) => {}
                        Err(TrySendError::Full(_)) => {
                            debug!(target: LOG_TARGET, %message_id, "receiver full, dropped transaction")
                        }
                        Err(TrySendError::Closed(_)) => {
                            trace!(target: LOG_TARGET, %message_id, "no receiver, dropped transaction")
                        }
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
