//! The consensus network's peer set follows the allow-list (on-chain node
//! list, validators, the operator's file) while the node runs.
//!
//! Malachite keeps a set of persistent peers and, with
//! `persistent_peers_only`, disconnects identified peers outside it. Removing
//! a peer disconnects it at once; adding one lets it in at its next
//! connection. [`plan`] is the pure diff; [`PeerSet::follow`] applies it
//! through the engine's network requests.

use malachitebft_app_channel::{app::net::Multiaddr, NetworkRequest};
use parking_lot::Mutex;
use std::collections::{BTreeMap, BTreeSet};
use tokio::sync::mpsc;

/// The peer id an address ends in (`/p2p/<id>`), if any.
pub fn peer_of(addr: &Multiaddr) -> Option<String> {
    addr.to_string().rsplit_once("/p2p/").map(|(_, id)| id.to_string())
}

/// Peers and the addresses they are registered under.
pub type Changes = Vec<(String, Multiaddr)>;

/// What to change so the registered peers become `allowed` (minus ourselves):
/// addresses to add (`/p2p/<id>` for peers without a known address) and the
/// exact registered addresses to remove.
pub fn plan(registered: &BTreeMap<String, Multiaddr>, allowed: &BTreeSet<String>, me: &str) -> (Changes, Changes) {
    let add = allowed
        .iter()
        .filter(|id| id.as_str() != me && !registered.contains_key(*id))
        .filter_map(|id| format!("/p2p/{id}").parse().ok().map(|addr| (id.clone(), addr)))
        .collect();
    let remove = registered
        .iter()
        .filter(|(id, _)| !allowed.contains(*id))
        .map(|(id, addr)| (id.clone(), addr.clone()))
        .collect();
    (add, remove)
}

/// The consensus network's persistent peers, as registered with the engine.
pub struct PeerSet {
    requests: mpsc::Sender<NetworkRequest>,
    registered: Mutex<BTreeMap<String, Multiaddr>>,
    me: String,
}

impl PeerSet {
    pub(crate) fn new(requests: mpsc::Sender<NetworkRequest>, initial: &[Multiaddr], me: String) -> Self {
        let registered = initial.iter().filter_map(|a| peer_of(a).map(|id| (id, a.clone()))).collect();
        Self { requests, registered: Mutex::new(registered), me }
    }

    /// Peers registered now.
    pub fn registered(&self) -> Vec<String> {
        self.registered.lock().keys().cloned().collect()
    }

    /// Register the peers of `allowed` that are not, and remove (disconnecting
    /// them) those no longer allowed.
    pub async fn follow(&self, allowed: &BTreeSet<String>) {
        let (add, remove) = plan(&self.registered.lock(), allowed, &self.me);
        for (id, addr) in remove {
            match NetworkRequest::remove_persistent_peer(&self.requests, addr).await {
                Ok(Ok(())) | Ok(Err(malachitebft_engine::network::PersistentPeerError::NotFound)) => {
                    tracing::info!(target: "consensus", peer = %id, "peer no longer allowed: removed and disconnected");
                    self.registered.lock().remove(&id);
                }
                Ok(Err(e)) => tracing::warn!(target: "consensus", peer = %id, error = ?e, "could not remove a peer"),
                Err(e) => tracing::debug!(target: "consensus", peer = %id, error = %e, "network busy; retried later"),
            }
        }
        for (id, addr) in add {
            match NetworkRequest::add_persistent_peer(&self.requests, addr.clone()).await {
                Ok(Ok(())) | Ok(Err(malachitebft_engine::network::PersistentPeerError::AlreadyExists)) => {
                    tracing::info!(target: "consensus", peer = %id, "peer allowed");
                    self.registered.lock().insert(id, addr);
                }
                Ok(Err(e)) => tracing::warn!(target: "consensus", peer = %id, error = ?e, "could not add a peer"),
                Err(e) => tracing::debug!(target: "consensus", peer = %id, error = %e, "network busy; retried later"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_adds_the_new_and_removes_the_gone() {
        let a: Multiaddr =
            "/ip4/127.0.0.1/tcp/1/p2p/12D3KooWAvS6vkddvtQ3nGKtkDhMMjFPYHdSZW9gtTJhHVNRjnUr".parse().expect("addr");
        let id_a = peer_of(&a).expect("id");
        let registered: BTreeMap<String, Multiaddr> = [(id_a.clone(), a.clone())].into();
        let new = "12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo".to_string();
        let me = "12D3KooWSaKH2zkhy1YK1Vbf5NdFR3u7mPYZ7E5GvZZA8fJ4Kkfy".to_string();
        let allowed: BTreeSet<String> = [new.clone(), me.clone(), id_a.clone()].into();
        let (add, remove) = plan(&registered, &allowed, &me);
        assert_eq!(add.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(), vec![new.clone()]);
        assert_eq!(add[0].1.to_string(), format!("/p2p/{new}"));
        assert!(remove.is_empty());
        // Removal names the exact registered address (the engine matches it exactly).
        let (add, remove) = plan(&registered, &[new].into(), &me);
        assert_eq!(add.len(), 1);
        assert_eq!(remove, vec![(id_a, a)]);
    }
}
