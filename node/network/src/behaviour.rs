//! The libp2p behaviour: an allow-list gate in front of gossipsub, identify and ping.

use std::{
    convert::Infallible,
    task::{Context, Poll},
    time::Duration,
};

use libp2p::{
    core::{transport::PortUse, Endpoint},
    gossipsub, identify,
    identity::Keypair,
    ping,
    swarm::{
        dummy, ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, THandler, THandlerInEvent,
        THandlerOutEvent, ToSwarm,
    },
    Multiaddr, PeerId,
};

use crate::{AllowFn, Error, Result};

/// Protocol version announced through identify.
const IDENTIFY_PROTOCOL: &str = "/ecochain/tx-gossip/1";

/// Room for the protobuf envelope of one gossipsub message around its data:
/// field tags and lengths (an anonymous message has no author, sequence
/// number, signature or key). The topic string is added on top.
const MESSAGE_OVERHEAD: usize = 512;

/// Room for control messages (IHAVE/IWANT/IDONTWANT lists, subscriptions) in
/// one RPC frame, on top of the largest message.
const FRAME_OVERHEAD: usize = 64 * 1024;

/// At most this many message ids in one IHAVE/IWANT: 32-byte ids plus
/// framing stay well inside [`FRAME_OVERHEAD`].
const MAX_IHAVE_LENGTH: usize = 1_000;

/// How long an unused connection stays open. Configured peers are redialed
/// anyway; mesh members are kept alive by gossipsub.
pub(crate) const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(600);

/// The composed behaviour. The gate comes first, so a refused peer never gets
/// a handler of any protocol.
#[derive(NetworkBehaviour)]
#[behaviour(prelude = "libp2p::swarm::derive_prelude")]
pub(crate) struct Behaviour {
    pub(crate) gate: AllowListGate,
    pub(crate) identify: identify::Behaviour,
    pub(crate) ping: ping::Behaviour,
    pub(crate) gossipsub: gossipsub::Behaviour,
}

impl Behaviour {
    /// Builds the behaviour for `keypair`; gossipsub messages of `topic`
    /// carry at most `max_tx_bytes` of data.
    pub(crate) fn new(
        keypair: &Keypair,
        topic: &gossipsub::IdentTopic,
        max_tx_bytes: usize,
        allowed: AllowFn,
    ) -> Result<Self> {
        let gossipsub = gossipsub::Behaviour::new(
            gossipsub::MessageAuthenticity::Anonymous,
            gossipsub_config(topic, max_tx_bytes)?,
        )
        .map_err(Error::Gossipsub)?;
        Ok(Self {
            gate: AllowListGate { allowed },
            identify: identify::Behaviour::new(identify::Config::new(IDENTIFY_PROTOCOL.to_owned(), keypair.public())),
            ping: ping::Behaviour::new(ping::Config::new()),
            gossipsub,
        })
    }
}

/// Gossipsub parameters: anonymous messages, content-addressed ids, size
/// limits derived from `max_tx_bytes` and the batch size, and explicit
/// acceptance by the service.
///
/// Messages carry no author signature. A transaction authenticates itself (its
/// own signature, checked by every pool), and the peer that relays a message is
/// authenticated by the noise handshake and the allow-list; an ed25519 message
/// signature would add one signing per published transaction and one
/// verification per received copy (gossipsub verifies before it drops
/// duplicates), the largest network cost per transaction.
pub(crate) fn gossipsub_config(topic: &gossipsub::IdentTopic, max_tx_bytes: usize) -> Result<gossipsub::Config> {
    let message_limit = max_message_data(max_tx_bytes).saturating_add(MESSAGE_OVERHEAD + topic.hash().as_str().len());
    let config = gossipsub::ConfigBuilder::default()
        .validation_mode(gossipsub::ValidationMode::Anonymous)
        .message_id_fn(|message| gossipsub::MessageId::new(&message_id(&message.data)))
        .validate_messages()
        .max_transmit_size(message_limit.saturating_add(FRAME_OVERHEAD))
        .max_transmit_size_for_topic(message_limit, topic.hash())
        .max_ihave_length(MAX_IHAVE_LENGTH)
        .build()?;
    Ok(config)
}

/// The largest batch a node publishes: a full batch, or one transaction of
/// `max_tx_bytes` alone.
pub(crate) fn max_message_data(max_tx_bytes: usize) -> usize {
    crate::batch::BATCH_MAX_BYTES.max(crate::batch::encoded_len(&[]).saturating_add(max_tx_bytes))
}

/// The gossipsub message id of a batch: its blake2-256 hash.
pub(crate) fn message_id(data: &[u8]) -> [u8; 32] {
    sp_crypto_hashing::blake2_256(data)
}

/// Refused at the connection: the peer is not on the allow-list.
#[derive(Debug, thiserror::Error)]
#[error("peer {0} is not on the allow-list")]
pub(crate) struct NotAllowed(pub(crate) PeerId);

/// Closes every connection, inbound or outbound, to a peer the allow-list
/// refuses, before any protocol runs on it. Asks the allow-list at every
/// connection, since it follows on-chain state.
pub(crate) struct AllowListGate {
    allowed: AllowFn,
}

impl AllowListGate {
    fn check(&self, peer: &PeerId) -> Result<(), ConnectionDenied> {
        if (self.allowed)(peer) {
            Ok(())
        } else {
            Err(ConnectionDenied::new(NotAllowed(*peer)))
        }
    }
}

impl NetworkBehaviour for AllowListGate {
    type ConnectionHandler = dummy::ConnectionHandler;
    type ToSwarm = Infallible;

    fn handle_established_inbound_connection(
        &mut self,
        _connection_id: ConnectionId,
        peer: PeerId,
        _local_addr: &Multiaddr,
        _remote_addr: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.check(&peer)?;
        Ok(dummy::ConnectionHandler)
    }

    fn handle_pending_outbound_connection(
        &mut self,
        _connection_id: ConnectionId,
        maybe_peer: Option<PeerId>,
        _addresses: &[Multiaddr],
        _effective_role: Endpoint,
    ) -> Result<Vec<Multiaddr>, ConnectionDenied> {
        if let Some(peer) = maybe_peer {
            self.check(&peer)?;
        }
        Ok(Vec::new())
    }

    fn handle_established_outbound_connection(
        &mut self,
        _connection_id: ConnectionId,
        peer: PeerId,
        _addr: &Multiaddr,
        _role_override: Endpoint,
        _port_use: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.check(&peer)?;
        Ok(dummy::ConnectionHandler)
    }

    fn on_swarm_event(&mut self, _event: FromSwarm<'_>) {}

    fn on_connection_handler_event(
        &mut self,
        _peer_id: PeerId,
        _connection_id: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        match event {}
    }

    fn poll(&mut self, _cx: &mut Context<'_>) -> Poll<ToSwarm<Infallible, THandlerInEvent<Self>>> {
        Poll::Pending
    }
}
