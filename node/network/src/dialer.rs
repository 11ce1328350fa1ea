//! When to dial the configured peers: pure bookkeeping, no IO.
//!
//! Every configured peer is dialed at start. A peer whose dial fails, or whose
//! last connection closes, is redialed after an exponential backoff; the
//! backoff resets once the peer has joined our topic (it accepted us and
//! speaks our protocol), so a peer that keeps refusing us is retried ever more
//! slowly.

use std::{collections::HashMap, time::Duration};

use libp2p::{Multiaddr, PeerId};
use tokio::time::Instant;

/// First redial delay.
const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// Longest redial delay.
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Delay before the next dial of a peer that failed `failures` times in a row.
pub(crate) fn backoff(failures: u32) -> Duration {
    BACKOFF_BASE
        .checked_mul(1u32.checked_shl(failures).unwrap_or(u32::MAX))
        .map_or(BACKOFF_MAX, |delay| delay.min(BACKOFF_MAX))
}

/// Dial state of one configured peer.
#[derive(Debug)]
struct Target {
    addr: Multiaddr,
    /// Dials or connections that failed since the peer was last ready.
    failures: u32,
    /// When to dial next; `None` while a dial is in flight or a connection is open.
    next_dial: Option<Instant>,
}

/// Redial schedule of the configured peers.
#[derive(Debug, Default)]
pub(crate) struct Dialer {
    targets: HashMap<PeerId, Target>,
}

impl Dialer {
    /// Every peer is due at `now`.
    pub(crate) fn new(peers: impl IntoIterator<Item = (PeerId, Multiaddr)>, now: Instant) -> Self {
        let targets =
            peers.into_iter().map(|(peer, addr)| (peer, Target { addr, failures: 0, next_dial: Some(now) })).collect();
        Self { targets }
    }

    /// The peers to dial at `now`; they are marked in flight.
    pub(crate) fn take_due(&mut self, now: Instant) -> Vec<(PeerId, Multiaddr)> {
        self.targets
            .iter_mut()
            .filter(|(_, target)| target.next_dial.is_some_and(|at| at <= now))
            .map(|(peer, target)| {
                target.next_dial = None;
                (*peer, target.addr.clone())
            })
            .collect()
    }

    /// The earliest pending dial.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.targets.values().filter_map(|target| target.next_dial).min()
    }

    /// A connection to `peer` is open (ours or theirs): nothing to dial.
    pub(crate) fn connected(&mut self, peer: &PeerId) {
        if let Some(target) = self.targets.get_mut(peer) {
            target.next_dial = None;
        }
    }

    /// `peer` joined our topic: the link works, the backoff starts over.
    pub(crate) fn ready(&mut self, peer: &PeerId) {
        if let Some(target) = self.targets.get_mut(peer) {
            target.failures = 0;
        }
    }

    /// The dial failed, or the last connection to `peer` closed: redial after
    /// the backoff. Returns the delay, or `None` if `peer` is not configured.
    pub(crate) fn lost(&mut self, peer: &PeerId, now: Instant) -> Option<Duration> {
        let target = self.targets.get_mut(peer)?;
        let delay = backoff(target.failures);
        target.failures = target.failures.saturating_add(1);
        target.next_dial = Some(now + delay);
        Some(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer() -> (PeerId, Multiaddr) {
        let id = PeerId::random();
        let addr = format!("/ip4/127.0.0.1/tcp/30333/p2p/{id}").parse().expect("valid address");
        (id, addr)
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        assert_eq!(backoff(0), Duration::from_millis(500));
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(4));
        assert_eq!(backoff(6), BACKOFF_MAX);
        assert_eq!(backoff(31), BACKOFF_MAX);
        assert_eq!(backoff(u32::MAX), BACKOFF_MAX);
    }

    #[test]
    fn every_peer_is_dialed_at_start_once() {
        let now = Instant::now();
        let (a, b) = (peer(), peer());
        let mut dialer = Dialer::new([a.clone(), b.clone()], now);
        assert_eq!(dialer.next_deadline(), Some(now));
        let mut due: Vec<_> = dialer.take_due(now).into_iter().map(|(id, _)| id).collect();
        due.sort();
        let mut expected = vec![a.0, b.0];
        expected.sort();
        assert_eq!(due, expected);
        // In flight: nothing more to do until something happens.
        assert!(dialer.take_due(now + Duration::from_secs(60)).is_empty());
        assert_eq!(dialer.next_deadline(), None);
    }

    #[test]
    fn failures_back_off_and_readiness_resets() {
        let now = Instant::now();
        let (id, addr) = peer();
        let mut dialer = Dialer::new([(id, addr.clone())], now);
        dialer.take_due(now);

        assert_eq!(dialer.lost(&id, now), Some(Duration::from_millis(500)));
        assert!(dialer.take_due(now + Duration::from_millis(499)).is_empty());
        assert_eq!(dialer.take_due(now + Duration::from_millis(500)), vec![(id, addr)]);

        // Connected, then closed by the remote before joining: keeps backing off.
        dialer.connected(&id);
        assert_eq!(dialer.lost(&id, now), Some(Duration::from_secs(1)));
        dialer.take_due(now + Duration::from_secs(1));
        assert_eq!(dialer.lost(&id, now), Some(Duration::from_secs(2)));

        // A peer that joined our topic is redialed quickly after a drop.
        dialer.take_due(now + Duration::from_secs(2));
        dialer.connected(&id);
        dialer.ready(&id);
        assert_eq!(dialer.lost(&id, now), Some(Duration::from_millis(500)));
    }

    #[test]
    fn inbound_connection_cancels_a_pending_redial() {
        let now = Instant::now();
        let (id, addr) = peer();
        let mut dialer = Dialer::new([(id, addr)], now);
        dialer.take_due(now);
        dialer.lost(&id, now);
        dialer.connected(&id);
        assert_eq!(dialer.next_deadline(), None);
    }

    #[test]
    fn unknown_peers_are_ignored() {
        let mut dialer = Dialer::new([], Instant::now());
        let stranger = PeerId::random();
        dialer.connected(&stranger);
        dialer.ready(&stranger);
        assert_eq!(dialer.lost(&stranger, Instant::now()), None);
        assert_eq!(dialer.next_deadline(), None);
    }
}
