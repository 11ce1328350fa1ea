//! Errors of the transaction gossip service.

use std::time::Duration;

use libp2p::{gossipsub, noise, Multiaddr, TransportError};

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why [`TxGossip::start`](crate::TxGossip::start) failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configured peer address does not name the peer (`/p2p/<peer id>` is missing).
    #[error("peer address {0} does not end in /p2p/<peer id>")]
    MissingPeerId(Multiaddr),
    /// `max_tx_bytes` is zero.
    #[error("max_tx_bytes must be greater than zero")]
    ZeroMaxTxBytes,
    /// The gossipsub parameters were rejected.
    #[error("invalid gossipsub configuration: {0}")]
    GossipsubConfig(#[from] gossipsub::ConfigBuilderError),
    /// The gossipsub behaviour could not be created.
    #[error("cannot create the gossipsub behaviour: {0}")]
    Gossipsub(&'static str),
    /// The noise handshake could not be configured from the keypair.
    #[error("cannot configure the noise handshake: {0}")]
    Noise(#[from] noise::Error),
    /// The system DNS resolver configuration could not be read.
    #[error("cannot set up the DNS resolver: {0}")]
    Dns(#[source] std::io::Error),
    /// Subscribing to the transaction topic failed.
    #[error("cannot subscribe to topic {topic}: {source}")]
    Subscribe {
        /// The topic.
        topic: String,
        /// The cause.
        #[source]
        source: gossipsub::SubscriptionError,
    },
    /// The listen address was refused by the transport.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The configured listen address.
        addr: Multiaddr,
        /// The cause.
        #[source]
        source: TransportError<std::io::Error>,
    },
    /// The listener failed before it reported an address.
    #[error("listener on {addr} failed: {source}")]
    ListenerFailed {
        /// The configured listen address.
        addr: Multiaddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The listener closed before it reported an address.
    #[error("listener on {addr} closed before it reported an address")]
    ListenerClosed {
        /// The configured listen address.
        addr: Multiaddr,
    },
    /// The listener reported no address in time.
    #[error("listener on {addr} reported no address within {timeout:?}")]
    ListenTimeout {
        /// The configured listen address.
        addr: Multiaddr,
        /// How long we waited.
        timeout: Duration,
    },
}
