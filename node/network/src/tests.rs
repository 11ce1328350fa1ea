//! Nodes on loopback: delivery over several hops, the allow-list gate, size limits.

#![allow(clippy::unwrap_used)]

use std::{
    collections::{HashSet, VecDeque},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use libp2p::{identity::Keypair, multiaddr::Protocol, Multiaddr, PeerId};
use tokio::{sync::mpsc, time::timeout};

use crate::{behaviour, AllowFn, Config, Error, Received, TxGossip, Verdict};

const TOPIC: &str = "/ecochain/00/tx/2";
/// Upper bound for anything that should happen.
const PATIENCE: Duration = Duration::from_secs(10);
/// How long we watch for something that must not happen.
const QUIET: Duration = Duration::from_millis(500);

/// A node's received transactions, one at a time. Each batch gets `verdict`
/// (valid by default, so it is forwarded) as soon as it is read.
struct Rx {
    inner: mpsc::Receiver<Received>,
    node: TxGossip,
    queue: VecDeque<(PeerId, Vec<u8>)>,
    verdict: Verdict,
}

impl Rx {
    fn take(&mut self, batch: Received) {
        self.queue.extend(batch.txs.iter().map(|tx| (batch.peer, tx.clone())));
        self.node.report(batch, self.verdict);
    }

    async fn recv(&mut self) -> Option<(PeerId, Vec<u8>)> {
        while self.queue.is_empty() {
            let batch = self.inner.recv().await?;
            self.take(batch);
        }
        self.queue.pop_front()
    }

    fn try_recv(&mut self) -> Result<(PeerId, Vec<u8>), ()> {
        if self.queue.is_empty() {
            let batch = self.inner.try_recv().map_err(|_| ())?;
            self.take(batch);
        }
        self.queue.pop_front().ok_or(())
    }
}

fn allow_all() -> AllowFn {
    Arc::new(|_| true)
}

fn allow_only(peers: &[PeerId]) -> AllowFn {
    let peers: HashSet<PeerId> = peers.iter().copied().collect();
    Arc::new(move |peer| peers.contains(peer))
}

async fn node(keypair: Keypair, peers: Vec<Multiaddr>, max_tx_bytes: usize, allowed: AllowFn) -> (TxGossip, Rx) {
    let config = Config {
        listen: "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        peers,
        keypair,
        topic: TOPIC.to_owned(),
        max_tx_bytes,
    };
    let (node, inner) = TxGossip::start(config, allowed).await.unwrap();
    let rx = Rx { inner, node: node.clone(), queue: VecDeque::new(), verdict: Verdict::Valid };
    (node, rx)
}

/// The dialable address of `node`.
fn addr(node: &TxGossip) -> Multiaddr {
    let addr = node.listen_addrs().into_iter().next().unwrap();
    assert_ne!(addr.iter().find_map(|p| if let Protocol::Tcp(port) = p { Some(port) } else { None }), Some(0));
    addr.with(Protocol::P2p(node.local_peer_id()))
}

async fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !condition() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn wait_peers(node: &TxGossip, expected: &[&TxGossip]) {
    let mut expected: Vec<PeerId> = expected.iter().map(|n| n.local_peer_id()).collect();
    expected.sort();
    eventually("peers", || node.peers() == expected).await;
}

async fn receive(rx: &mut Rx) -> (PeerId, Vec<u8>) {
    timeout(PATIENCE, rx.recv()).await.expect("a transaction in time").expect("service running")
}

async fn assert_nothing(rx: &mut Rx) {
    if let Ok(got) = timeout(QUIET, rx.recv()).await {
        panic!("unexpected transaction: {got:?}");
    }
}

#[tokio::test]
async fn transaction_reaches_every_node_over_two_hops() {
    // A <- B <- C: C only knows B, so A's transaction reaches C through B.
    let (a, mut a_rx) = node(Keypair::generate_ed25519(), vec![], 1024, allow_all()).await;
    let (b, mut b_rx) = node(Keypair::generate_ed25519(), vec![addr(&a)], 1024, allow_all()).await;
    let (c, mut c_rx) = node(Keypair::generate_ed25519(), vec![addr(&b)], 1024, allow_all()).await;
    wait_peers(&a, &[&b]).await;
    wait_peers(&b, &[&a, &c]).await;
    wait_peers(&c, &[&b]).await;

    a.publish(b"transfer 1".to_vec());
    assert_eq!(receive(&mut b_rx).await, (a.local_peer_id(), b"transfer 1".to_vec()));
    assert_eq!(receive(&mut c_rx).await, (b.local_peer_id(), b"transfer 1".to_vec()));

    // The other way round.
    c.publish(b"transfer 2".to_vec());
    assert_eq!(receive(&mut b_rx).await, (c.local_peer_id(), b"transfer 2".to_vec()));
    assert_eq!(receive(&mut a_rx).await, (b.local_peer_id(), b"transfer 2".to_vec()));

    // Each transaction arrives once, and never back at its publisher.
    assert_nothing(&mut a_rx).await;
    assert!(b_rx.try_recv().is_err());
    assert!(c_rx.try_recv().is_err());
}

#[tokio::test]
async fn a_burst_of_transactions_arrives_whole_in_batches() {
    let (a, _a_rx) = node(Keypair::generate_ed25519(), vec![], 1024, allow_all()).await;
    let (b, mut b_rx) = node(Keypair::generate_ed25519(), vec![addr(&a)], 1024, allow_all()).await;
    wait_peers(&a, &[&b]).await;
    wait_peers(&b, &[&a]).await;
    // 500 × 204 bytes: more than one 64 KiB batch.
    let sent: Vec<Vec<u8>> = (0..500u32).map(|i| [i.to_le_bytes().to_vec(), vec![0; 196]].concat()).collect();
    for tx in &sent {
        a.publish(tx.clone());
    }
    let mut got = Vec::new();
    while got.len() < sent.len() {
        got.push(receive(&mut b_rx).await.1);
    }
    assert_eq!(got, sent, "every transaction, once, in order");
    assert_nothing(&mut b_rx).await;
}

#[tokio::test]
async fn peer_not_on_the_allow_list_is_refused_at_the_connection() {
    let (ka, kb, kx) = (Keypair::generate_ed25519(), Keypair::generate_ed25519(), Keypair::generate_ed25519());
    let (ida, idb, idx) = (ka.public().to_peer_id(), kb.public().to_peer_id(), kx.public().to_peer_id());

    // A and B allow each other only, and count how often they were asked about X.
    let (a_asked, b_asked) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let gate = |asked: Arc<AtomicUsize>| -> AllowFn {
        let inner = allow_only(&[ida, idb]);
        Arc::new(move |peer| {
            if *peer == idx {
                asked.fetch_add(1, Ordering::SeqCst);
            }
            inner(peer)
        })
    };
    let (a, mut a_rx) = node(ka, vec![], 1024, gate(a_asked.clone())).await;
    // X dials A (inbound check on A); B has X configured (outbound check on B).
    let (x, mut x_rx) = node(kx, vec![addr(&a)], 1024, allow_all()).await;
    let (b, mut b_rx) = node(kb, vec![addr(&a), addr(&x)], 1024, gate(b_asked.clone())).await;
    wait_peers(&a, &[&b]).await;
    wait_peers(&b, &[&a]).await;
    // A refused X's inbound connection, B refused to dial X.
    eventually("A and B to be asked about X", || {
        a_asked.load(Ordering::SeqCst) >= 1 && b_asked.load(Ordering::SeqCst) >= 1
    })
    .await;

    x.publish(b"from a stranger".to_vec());
    assert_nothing(&mut a_rx).await;
    assert!(b_rx.try_recv().is_err());
    assert!(x.peers().is_empty(), "X must have no peer, has {:?}", x.peers());
    assert!(!a.peers().contains(&idx) && !b.peers().contains(&idx));

    // Nor does X hear anything from the allow-listed nodes.
    a.publish(b"between friends".to_vec());
    assert_eq!(receive(&mut b_rx).await, (ida, b"between friends".to_vec()));
    assert_nothing(&mut x_rx).await;
    assert!(x.peers().is_empty());
}

#[tokio::test]
async fn a_peer_taken_off_the_allow_list_is_disconnected_on_recheck() {
    let (ka, kb) = (Keypair::generate_ed25519(), Keypair::generate_ed25519());
    let idb = kb.public().to_peer_id();
    let list = Arc::new(parking_lot::RwLock::new(HashSet::from([idb])));
    let gate: AllowFn = {
        let list = list.clone();
        Arc::new(move |peer| list.read().contains(peer))
    };
    let (a, _a_rx) = node(ka, vec![], 1024, gate).await;
    let (b, _b_rx) = node(kb, vec![addr(&a)], 1024, allow_all()).await;
    wait_peers(&a, &[&b]).await;

    list.write().clear();
    a.recheck_allowed();
    // Well before the periodic check (ALLOW_RECHECK_INTERVAL): the recheck is immediate.
    timeout(Duration::from_secs(3), async {
        while !a.peers().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("B disconnected at once");
}

#[tokio::test]
async fn oversize_transactions_are_not_delivered() {
    // A accepts large transactions, B only up to 1 KiB.
    let (a, mut a_rx) = node(Keypair::generate_ed25519(), vec![], 64 * 1024, allow_all()).await;
    let (b, mut b_rx) = node(Keypair::generate_ed25519(), vec![addr(&a)], 1024, allow_all()).await;
    wait_peers(&a, &[&b]).await;
    wait_peers(&b, &[&a]).await;

    // Over B's limit: in A's batch, dropped by B's check (and the batch not forwarded).
    a.publish(vec![1; 1100]);
    a.publish(vec![2; 20_000]);
    // Within the limit: delivered, and first, so the others were dropped.
    a.publish(vec![3; 1024]);
    assert_eq!(receive(&mut b_rx).await, (a.local_peer_id(), vec![3; 1024]));

    // B does not publish what it would not accept.
    b.publish(vec![4; 1025]);
    b.publish(vec![5; 10]);
    assert_eq!(receive(&mut a_rx).await, (b.local_peer_id(), vec![5; 10]));
    assert_nothing(&mut b_rx).await;
    assert!(a_rx.try_recv().is_err());
}

#[tokio::test]
async fn start_rejects_bad_configuration() {
    let keypair = Keypair::generate_ed25519();
    let config = |peers: Vec<Multiaddr>, max_tx_bytes| Config {
        listen: "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        peers,
        keypair: keypair.clone(),
        topic: TOPIC.to_owned(),
        max_tx_bytes,
    };
    let no_id: Multiaddr = "/ip4/127.0.0.1/tcp/30333".parse().unwrap();
    assert!(matches!(
        TxGossip::start(config(vec![no_id.clone()], 1024), allow_all()).await,
        Err(Error::MissingPeerId(addr)) if addr == no_id
    ));
    assert!(matches!(TxGossip::start(config(vec![], 0), allow_all()).await, Err(Error::ZeroMaxTxBytes)));

    // Our own address among the peers is skipped, not dialed.
    let own = no_id.with(Protocol::P2p(keypair.public().to_peer_id()));
    let (node, _rx) = TxGossip::start(config(vec![own], 1024), allow_all()).await.unwrap();
    assert!(node.peers().is_empty());
}

#[tokio::test]
async fn invalid_batches_are_not_forwarded_and_their_sender_is_banned() {
    // A -> B -> C, where B finds everything from A invalid.
    let (a, _a_rx) = node(Keypair::generate_ed25519(), vec![], 1024, allow_all()).await;
    let (b, mut b_rx) = node(Keypair::generate_ed25519(), vec![addr(&a)], 1024, allow_all()).await;
    let (c, mut c_rx) = node(Keypair::generate_ed25519(), vec![addr(&b)], 1024, allow_all()).await;
    wait_peers(&b, &[&a, &c]).await;
    wait_peers(&c, &[&b]).await;
    b_rx.verdict = Verdict::Invalid;
    for i in 0..crate::MAX_STRIKES {
        a.publish(format!("forged {i}").into_bytes());
        // B sees it (and says invalid); C never does.
        assert_eq!(receive(&mut b_rx).await.1, format!("forged {i}").into_bytes());
    }
    assert_nothing(&mut c_rx).await;
    eventually("A banned by B", || b.banned().contains(&a.local_peer_id())).await;
    eventually("A disconnected from B", || !b.peers().contains(&a.local_peer_id())).await;
    // A cannot come back while banned: its redials are refused at the connection.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!b.peers().contains(&a.local_peer_id()));
    a.publish(b"after the ban".to_vec());
    assert_nothing(&mut b_rx).await;
}

#[test]
fn strikes_add_up_within_the_window_only() {
    let mut strikes = std::collections::HashMap::new();
    let peer = PeerId::random();
    let t0 = std::time::Instant::now();
    for i in 1..crate::MAX_STRIKES {
        assert!(!crate::worker::strike(&mut strikes, peer, t0 + Duration::from_secs(u64::from(i))));
    }
    // Past the window, the count starts again.
    let later = t0 + crate::STRIKE_WINDOW + Duration::from_secs(30);
    assert!(!crate::worker::strike(&mut strikes, peer, later));
    for _ in 2..crate::MAX_STRIKES {
        assert!(!crate::worker::strike(&mut strikes, peer, later));
    }
    assert!(crate::worker::strike(&mut strikes, peer, later), "the fifth strike in a window bans");
}

#[test]
fn message_id_is_the_batch_hash() {
    assert_eq!(behaviour::message_id(b"tx"), sp_crypto_hashing::blake2_256(b"tx"));
    assert_ne!(behaviour::message_id(b"tx"), behaviour::message_id(b"tx2"));
}

#[test]
fn gossipsub_limits_follow_max_tx_bytes() {
    let topic = libp2p::gossipsub::IdentTopic::new(TOPIC);
    for max in [1, 1024, 4 * 1024 * 1024] {
        let config = behaviour::gossipsub_config(&topic, max).unwrap();
        let per_message = config.max_transmit_size_for_topic(&topic.hash());
        let data = max.max(crate::batch::BATCH_MAX_BYTES);
        assert!(per_message > data && per_message < data + 1024);
        assert!(config.max_transmit_size() > per_message);
        assert!(config.validate_messages());
    }
}
