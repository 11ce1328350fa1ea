//! Attacks on a running 4-validator network, each asserting that finality
//! goes on, no node exits and memory stays bounded: hostile gossip from an
//! allow-listed peer, hostile RPC, a validator streaming junk proposals, an
//! outsider, and a node removed from the on-chain allow-list.

use ecochain_primitives::ECT;
use ecochain_runtime::RuntimeCall;
use ecochain_testkit::*;
use serde_json::Value;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

#[tokio::test(flavor = "multi_thread")]
async fn a_node_off_the_allow_list_cannot_connect() {
    let mut net = Net::new(0, 200);
    net.start_all().await;
    net.wait_all(3, Duration::from_secs(60)).await;
    // An outsider with its own key, knowing every validator's address.
    let outsider = Net::full_member(&net.dir, "outsider", [99; 32]);
    let mut args = net.args(0);
    // Replace the validator key and ports with the outsider's.
    let key_at = args.iter().position(|a| a == "--validator").expect("validator args");
    args.truncate(key_at);
    let port_at = args.iter().position(|a| a == "--port").expect("port") + 1;
    args[port_at] = outsider.p2p.to_string();
    let node = Node::spawn(&outsider.base, outsider.rpc, &args).await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(node.height().await, 0, "an outsider learns no blocks");
    let health = node.call("system_health", vec![]).await;
    assert_eq!(health["peers"], 0, "{health}");
}

#[tokio::test(flavor = "multi_thread")]
async fn attacks_leave_finality_running() {
    use crate::bad_input::{hex0x, nested_batch};
    use jsonrpsee::core::client::SubscriptionClientT;
    let attacker_key = ecochain_network::Keypair::ed25519_from_bytes([77u8; 32]).expect("key");
    let attacker_id = attacker_key.public().to_peer_id();
    let mut net = Net::new(0, 300);
    // The attacker is an allow-listed partner.
    let mut list = std::fs::read_to_string(net.dir.join("allowlist")).expect("allowlist");
    list.push_str(&format!("\n{attacker_id}\n"));
    std::fs::write(net.dir.join("allowlist"), list).expect("allowlist");
    net.start_all().await;
    net.wait_all(3, Duration::from_secs(60)).await;
    let genesis = net.node(0).genesis_hash().await;

    // 1. Gossip from an allow-listed peer: junk, a call nested 100,000 times, a forged signature.
    let peers = net
        .members
        .iter()
        .map(|m| format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", m.p2p + 1, m.peer_id).parse().expect("addr"))
        .collect();
    let (attacker, _rx) = ecochain_network::TxGossip::start(
        ecochain_network::Config {
            listen: "/ip4/127.0.0.1/tcp/0".parse().expect("addr"),
            peers,
            keypair: attacker_key,
            topic: format!("/ecochain/{}/tx/2", hex::encode(genesis.0)),
            max_tx_bytes: 4 * 1024 * 1024,
        },
        Arc::new(|_| true),
    )
    .await
    .expect("attacker starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while attacker.peers().len() < 4 {
        assert!(Instant::now() < deadline, "the attacker connects as an allow-listed peer");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut forged = transfer(Sr25519Keyring::Alice, Sr25519Keyring::Bob, ECT, 0, genesis);
    forged[40] ^= 1;
    let before = net.max_height().await;
    for i in 0..(ecochain_network::MAX_STRIKES * 2) {
        let bad = match i % 3 {
            0 => nested_batch(100_000),
            1 => vec![0xde, 0xad, 0xbe, 0xef, i as u8],
            _ => forged.clone(),
        };
        attacker.publish(bad);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while !attacker.peers().is_empty() {
        assert!(Instant::now() < deadline, "the attacker is banned and disconnected: {:?}", attacker.peers());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    net.wait_all(before + 3, Duration::from_secs(30)).await;

    // 2. Hostile RPC on a validator: a nested call through state_call, block execution.
    let v0 = net.node(0);
    let args = [vec![2u8], nested_batch(100_000), genesis.0.to_vec()].concat();
    assert!(v0
        .try_call("state_call", vec!["TaggedTransactionQueue_validate_transaction".into(), hex0x(&args)])
        .await
        .is_err());
    assert!(v0.try_call("state_call", vec!["Core_execute_block".into(), hex0x(&args)]).await.is_err());

    // 3. Expensive queries from many clients while the chain runs.
    let h0 = net.max_height().await;
    let url = v0.url.clone();
    let first = format!("{:?}", hash_of(&v0.call("chain_getBlockHash", vec![1.into()]).await));
    let mut hammers = Vec::new();
    for _ in 0..8 {
        let (url, first) = (url.clone(), first.clone());
        hammers.push(tokio::spawn(async move {
            let client = jsonrpsee::http_client::HttpClientBuilder::default().build(&url).expect("client");
            let keys = vec![Value::String(format!("0x{}", hex::encode(sp_crypto_hashing::twox_128(b"System"))))];
            for _ in 0..50 {
                use jsonrpsee::core::client::ClientT;
                let mut p = jsonrpsee::core::params::ArrayParams::new();
                p.insert(keys.clone()).expect("p");
                p.insert(first.clone()).expect("p");
                let _: Result<Value, _> = client.request("state_queryStorage", p).await;
                let mut p = jsonrpsee::core::params::ArrayParams::new();
                p.insert("0x").expect("p");
                p.insert(1000).expect("p");
                let _: Result<Value, _> = client.request("state_getKeysPaged", p).await;
            }
        }));
    }
    // 4. Subscriptions on as many connections as one IP may open.
    let ws = v0.ws_url();
    let mut clients = Vec::new();
    let mut subs = Vec::new();
    let mut refused = 0;
    for _ in 0..40 {
        let Ok(client) = jsonrpsee::ws_client::WsClientBuilder::default().build(&ws).await else {
            refused += 1;
            continue;
        };
        for _ in 0..100 {
            match client
                .subscribe::<Value, _>("chain_subscribeNewHeads", jsonrpsee::rpc_params![], "chain_unsubscribeNewHeads")
                .await
            {
                Ok(s) => subs.push(s),
                Err(_) => refused += 1,
            }
        }
        clients.push(client);
    }
    eprintln!("subscriptions open: {}, refused: {refused}", subs.len());
    assert!(subs.len() <= 2048, "one IP holds at most its share: {}", subs.len());
    assert!(refused > 0, "past the share, subscriptions and connections are refused");
    for h in hammers {
        h.await.expect("hammer");
    }
    net.wait_all(h0 + 5, Duration::from_secs(30)).await;
    let rss = net.node(0).rss_kib().unwrap_or(0);
    eprintln!("validator 0 RSS under attack: {} MiB", rss / 1024);
    assert!(rss < 1024 * 1024, "memory stays bounded: {rss} KiB");
    drop(subs);
    drop(clients);
    for node in net.nodes.iter_mut().flatten() {
        assert!(node.is_running(), "no node exited");
    }
    net.assert_consistent().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_removed_from_the_on_chain_allow_list_is_disconnected() {
    let mut net = Net::new(1, 200);
    let full = 4;
    // The operators' files list the validators only: the full node is let in
    // by the chain's allow-list alone.
    let validators: Vec<&str> = net.members[..4].iter().map(|m| m.peer_id.as_str()).collect();
    std::fs::write(net.dir.join("allowlist"), validators.join("\n")).expect("allowlist");
    net.start_some(0..4).await;
    net.wait_all(2, Duration::from_secs(60)).await;
    let genesis = net.node(0).genesis_hash().await;
    let peer = net.members[full].peer_id.clone();
    let mut nonces = [0u32; 4];

    let add = RuntimeCall::Permissions(pallet_permissions::Call::add_node { peer_id: peer.clone().into_bytes() });
    let mut hashes = Vec::new();
    for xt in by_majority(add, 0, &mut nonces, genesis) {
        hashes.push(net.node(0).submit(&xt).await);
    }
    net.node(0).wait_included(&hashes, Duration::from_secs(40)).await;
    net.start(full).await;
    let h = net.node(0).height().await;
    net.node(full).wait_height(h + 2, Duration::from_secs(40)).await;
    // Blocks may arrive by consensus sync before transaction gossip has
    // connected: a validator refuses the node until its next allow-list
    // refresh, and the node redials after a backoff.
    let admitted = Instant::now();
    loop {
        let health = net.node(full).call("system_health", vec![]).await;
        if health["peers"].as_u64().unwrap_or(0) >= 1 {
            break;
        }
        assert!(admitted.elapsed() < Duration::from_secs(15), "the allowed node is connected: {health}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    eprintln!("allowed node connected on gossip {:?} after it synced", admitted.elapsed());

    let remove = RuntimeCall::Permissions(pallet_permissions::Call::remove_node { peer_id: peer.clone().into_bytes() });
    let mut hashes = Vec::new();
    for xt in by_majority(remove, 1, &mut nonces, genesis) {
        hashes.push(net.node(0).submit(&xt).await);
    }
    net.node(0).wait_included(&hashes, Duration::from_secs(40)).await;
    let removed = Instant::now();
    // Both networks drop it: no validator lists it, it has no peer left.
    loop {
        let mut listed = false;
        for i in 0..4 {
            let peers = net.node(i).call("system_peers", vec![]).await;
            listed |= peers.to_string().contains(&peer);
        }
        let health = net.node(full).call("system_health", vec![]).await;
        if !listed && health["peers"] == 0 {
            break;
        }
        assert!(removed.elapsed() < Duration::from_secs(15), "still connected: {health}\n{}", net.report().await);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    eprintln!("removed node disconnected {:?} after the removal was included", removed.elapsed());
    // And it learns no more blocks while the validators go on.
    let stuck = net.node(full).height().await;
    let h = net.node(0).height().await;
    net.node(0).wait_height(h + 6, Duration::from_secs(40)).await;
    assert!(net.node(full).height().await <= stuck + 1, "a removed node does not follow the chain");
    net.assert_consistent().await;
}

/// A validator (Dave's key, his node not running) streams signed proposals it
/// never finishes, for every round it proposes at the next height, plus
/// proposals for far heights, parts without a first part and a forged first
/// part. The three others keep finalizing and their memory stays bounded.
#[tokio::test(flavor = "multi_thread")]
async fn a_validator_streaming_junk_proposals_cannot_stall_or_bloat_the_others() {
    use ecochain_consensus::{
        codec::EcoCodec,
        context::{Address, BlockHash, EcoContext, Height, ProposalPart, Signature, ValidatorSet},
        signing::EcoSigner,
        stream::{init_bytes, Init, MAX_BLOCK_BYTES, PART_BYTES},
    };
    use malachitebft_app_channel::app::{
        engine::network::{Msg, NetworkIdentity},
        metrics::SharedRegistry,
        spawn::spawn_network_actor,
        streaming::{StreamContent, StreamId, StreamMessage},
        types::{core::Round, Keypair},
    };
    let mut net = Net::new(0, 300);
    net.start_some(0..3).await;
    net.wait_all(3, Duration::from_secs(60)).await;
    let genesis = net.node(0).genesis_hash().await.0;
    let rss_before: Vec<u64> = (0..3).map(|i| net.node(i).rss_kib().unwrap_or(0)).collect();

    // The attacker speaks the node's consensus protocol with Dave's identity (his
    // node key, registered on chain, and his consensus key), on Dave's address.
    use sp_core::Pair;
    let dave = Ed25519Keyring::Dave.pair();
    let dave_node = sp_core::ed25519::Pair::from_string("//Dave//node", None).expect("Dave's dev node key");
    let listen = format!("/ip4/127.0.0.1/tcp/{}", net.members[3].p2p).parse().expect("addr");
    let peers = net.members[..3]
        .iter()
        .map(|m| format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", m.p2p, m.peer_id).parse().expect("addr"))
        .collect();
    let (consensus, sync) = ecochain_consensus::engine_config(listen, peers);
    let keypair = Keypair::ed25519_from_bytes(dave_node.seed()).expect("keypair");
    let me = Address(dave.public().0);
    let identity = NetworkIdentity::new("attacker".into(), keypair, Some(me.to_string()));
    let network = spawn_network_actor::<EcoContext, _>(&consensus, &sync, identity, SharedRegistry::global(), EcoCodec)
        .await
        .expect("attacker network");
    tokio::time::sleep(Duration::from_secs(5)).await;

    let signer = EcoSigner::new(dave, genesis);
    // The proposer rotation follows the chain's order of the validators.
    let listed = net.node(0).call("consensus_validators", vec![]).await;
    let keys: Vec<[u8; 32]> = listed
        .as_array()
        .expect("validators")
        .iter()
        .map(|v| {
            let hex = v["consensusKey"].as_str().expect("key").trim_start_matches("0x");
            hex::decode(hex).expect("hex").try_into().expect("32 bytes")
        })
        .collect();
    assert!(keys.contains(&me.0), "Dave is a validator: {listed}");
    let validators = ValidatorSet::new(keys);
    let h0 = net.max_height().await;
    let mut stream_no = 0u32;
    let mut publish = |parts: Vec<ProposalPart>, end: bool| {
        stream_no += 1;
        let id = StreamId::new(bytes::Bytes::from([stream_no.to_be_bytes(), [0xEE; 4]].concat()));
        let count = parts.len() as u64;
        for (seq, part) in parts.into_iter().enumerate() {
            let _ = network.cast(Msg::PublishProposalPart(StreamMessage::new(
                id.clone(),
                seq as u64,
                StreamContent::Data(part),
            )));
        }
        if end {
            let _ = network.cast(Msg::PublishProposalPart(StreamMessage::new(id, count, StreamContent::Fin)));
        }
    };
    let junk = vec![0xAB; PART_BYTES];
    let started = Instant::now();
    let mut sent = 0usize;
    // `ATTACK_SECS` for a long run (memory must plateau, not grow with time).
    let secs = std::env::var("ATTACK_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    while started.elapsed() < Duration::from_secs(secs) {
        let next = u64::from(net.max_height().await) + 1;
        for height in [next, next + 1] {
            // Every round of the next heights that Dave proposes: a signed first
            // part announcing a full block, then junk that never completes it.
            let rounds = (0..400u32)
                .filter(|r| {
                    ecochain_consensus::context::select_proposer(
                        validators.validators(),
                        Height(height),
                        Round::new(*r),
                    )
                    .address
                        == me
                })
                .take(12);
            for round in rounds {
                let mut init = Init {
                    height: Height(height),
                    round: Round::new(round),
                    pol_round: Round::Nil,
                    proposer: me,
                    block_hash: BlockHash([round as u8; 32]),
                    total_len: MAX_BLOCK_BYTES as u32,
                    signature: Signature([0; 64]),
                };
                init.signature = signer.sign_raw(&init_bytes(&genesis, &init));
                let mut parts = vec![init.to_part()];
                parts.extend((0..4).map(|_| ProposalPart::Data(junk.clone())));
                sent += parts.len();
                publish(parts, false);
            }
        }
        // Far heights, data without a first part, and a first part signed by Dave claiming Alice.
        let far = Init {
            height: Height(next + 1_000),
            round: Round::new(0),
            pol_round: Round::Nil,
            proposer: me,
            block_hash: BlockHash([9; 32]),
            total_len: MAX_BLOCK_BYTES as u32,
            signature: Signature([0; 64]),
        };
        let far = Init { signature: signer.sign_raw(&init_bytes(&genesis, &far)), ..far };
        let forged = Init { proposer: Address(VALIDATORS[0].1.public().0), ..far.clone() };
        publish(vec![far.to_part(), ProposalPart::Data(junk.clone())], true);
        publish(vec![ProposalPart::Data(junk.clone()), ProposalPart::Data(junk.clone())], false);
        publish(vec![forged.to_part(), ProposalPart::Data(junk.clone())], true);
        sent += 6;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    eprintln!("junk proposal parts published: {sent} ({} MiB)", sent * PART_BYTES / (1024 * 1024));
    net.wait_all(h0 + 5, Duration::from_secs(60)).await;
    for (i, before) in rss_before.iter().enumerate() {
        let node = net.nodes[i].as_mut().expect("running");
        assert!(node.is_running(), "validator {i} is running");
        let rss = node.rss_kib().unwrap_or(0);
        eprintln!("validator {i}: RSS {} -> {} MiB", before / 1024, rss / 1024);
        assert!(rss < before + 400 * 1024, "validator {i} memory stays bounded: {rss} KiB");
    }
    let refused = net.node(0).metric("ecochain_peer_faults{kind=\"refused_part\"}").unwrap_or(0.0);
    assert!(refused > 0.0, "the junk was refused and counted");
    network.stop(None);
    net.assert_consistent().await;
}
