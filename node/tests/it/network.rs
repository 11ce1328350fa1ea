//! Multi-process network tests: four validators (Alice, Bob, Charlie, Dave on
//! the `local` chain) and full nodes on loopback, with faults injected.
//! Safety is checked by comparing block hashes at every height.

use crate::harness::*;
use codec::Encode;
use ecochain_primitives::ECT;
use ecochain_runtime::{signing::sign_immortal, RuntimeCall};
use serde_json::Value;
use sp_core::H256;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

const VALIDATORS: [(Sr25519Keyring, Ed25519Keyring, &str); 4] = [
    (Sr25519Keyring::Alice, Ed25519Keyring::Alice, "//Alice"),
    (Sr25519Keyring::Bob, Ed25519Keyring::Bob, "//Bob"),
    (Sr25519Keyring::Charlie, Ed25519Keyring::Charlie, "//Charlie"),
    (Sr25519Keyring::Dave, Ed25519Keyring::Dave, "//Dave"),
];

/// A free port whose successor is free too (consensus + transaction gossip).
fn free_port_pair() -> u16 {
    loop {
        // `free_port` hands out ports in order: two in a row are adjacent when both are free.
        let (p, q) = (free_port(), free_port());
        if q == p + 1 {
            return p;
        }
    }
}

/// One node's identity and ports.
struct Member {
    base: PathBuf,
    p2p: u16,
    rpc: u16,
    peer_id: String,
    key: Option<&'static str>,
}

/// A local network under test.
pub struct Net {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    members: Vec<Member>,
    pub nodes: Vec<Option<Node>>,
    block_time_ms: u64,
    extra: Vec<String>,
}

impl Net {
    /// Four validators and `full` full nodes (allow-listed), not started.
    fn new(full: usize, block_time_ms: u64) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().to_path_buf();
        let mut members = Vec::new();
        for (i, (_, ed, suri)) in VALIDATORS.iter().enumerate() {
            members.push(Member {
                base: path.join(format!("v{i}")),
                p2p: free_port_pair(),
                rpc: free_port(),
                peer_id: ecochain_consensus::peer_id_of_public(ed.public().0).expect("peer id"),
                key: Some(suri),
            });
        }
        for i in 0..full {
            members.push(Self::full_member(&path, &format!("f{i}"), [i as u8 + 1; 32]));
        }
        let net = Self {
            _dir: dir,
            dir: path,
            nodes: members.iter().map(|_| None).collect(),
            members,
            block_time_ms,
            extra: Vec::new(),
        };
        net.write_allowlist();
        net
    }

    fn full_member(dir: &std::path::Path, name: &str, seed: [u8; 32]) -> Member {
        let base = dir.join(name);
        let network = base.join("chains/ecochain_local/network");
        std::fs::create_dir_all(&network).expect("dir");
        std::fs::write(network.join("node_key"), hex::encode(seed)).expect("node key");
        Member {
            base,
            p2p: free_port_pair(),
            rpc: free_port(),
            peer_id: ecochain_consensus::peer_id_of(seed).expect("id"),
            key: None,
        }
    }

    fn write_allowlist(&self) {
        let ids: Vec<&str> = self.members.iter().map(|m| m.peer_id.as_str()).collect();
        std::fs::write(self.dir.join("allowlist"), ids.join("\n")).expect("allowlist");
    }

    fn with_extra(mut self, extra: &[&str]) -> Self {
        self.extra = extra.iter().map(|s| s.to_string()).collect();
        self
    }

    fn args(&self, i: usize) -> Vec<String> {
        let m = &self.members[i];
        let boot: Vec<String> = self
            .members
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, o)| format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", o.p2p, o.peer_id))
            .collect();
        let mut args: Vec<String> = [
            "--chain",
            "local",
            "--name",
            &format!("n{i}"),
            "--port",
            &m.p2p.to_string(),
            "--listen-ip",
            "127.0.0.1",
            "--block-time-ms",
            &self.block_time_ms.to_string(),
            "--max-round-timeout-ms",
            "3000",
            "--allowlist",
            &self.dir.join("allowlist").display().to_string(),
            "--bootnodes",
            &boot.join(","),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(self.extra.iter().cloned());
        if let Some(suri) = m.key {
            let key = m.base.join("consensus.key");
            std::fs::create_dir_all(&m.base).expect("base");
            std::fs::write(&key, suri).expect("key");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("key mode");
            }
            args.extend(["--validator".to_string(), "--key".to_string(), key.display().to_string()]);
        }
        args
    }

    async fn start(&mut self, i: usize) {
        let args = self.args(i);
        let m = &self.members[i];
        self.nodes[i] = Some(Node::spawn(&m.base, m.rpc, &args).await);
    }

    async fn start_all(&mut self) {
        // Start without waiting in between: validators need each other to make progress.
        let mut handles = Vec::new();
        for i in 0..self.members.len() {
            let args = self.args(i);
            let (base, rpc) = (self.members[i].base.clone(), self.members[i].rpc);
            handles.push(tokio::spawn(async move { Node::spawn(&base, rpc, &args).await }));
        }
        for (i, h) in handles.into_iter().enumerate() {
            self.nodes[i] = Some(h.await.expect("node starts"));
        }
    }

    fn node(&self, i: usize) -> &Node {
        self.nodes[i].as_ref().expect("node is running")
    }

    fn running(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().flatten()
    }

    async fn wait_all(&self, h: u32, timeout: Duration) {
        for node in self.running() {
            node.wait_height(h, timeout).await;
        }
    }

    async fn max_height(&self) -> u32 {
        let mut max = 0;
        for node in self.running() {
            max = max.max(node.height().await);
        }
        max
    }

    /// What each node sees, for a failure message: best and finalized height,
    /// consensus status, pool contents and the end of its log.
    async fn report(&self) -> String {
        let mut out = String::new();
        for (i, node) in self.nodes.iter().enumerate() {
            let Some(node) = node else {
                out.push_str(&format!("\n--- node {i}: not running\n"));
                continue;
            };
            let best = node.try_call("chain_getHeader", vec![]).await.map(|h| h["number"].clone());
            let finalized = node.try_call("chain_getFinalizedHead", vec![]).await;
            let consensus = node.try_call("consensus_status", vec![]).await;
            let pool = node.try_call("txpool_inspect", vec![]).await;
            out.push_str(&format!(
                "\n--- node {i}: best {best:?}, finalized {finalized:?}\nconsensus {consensus:?}\npool {pool:?}\n{}\n",
                node.log_tail()
            ));
        }
        out
    }

    /// Every running node has the same hash at every height up to its best.
    async fn assert_consistent(&self) {
        let mut reference: Vec<H256> = Vec::new();
        for node in self.running() {
            let top = node.height().await;
            for n in 1..=top {
                let hash = hash_of(&node.call("chain_getBlockHash", vec![n.into()]).await);
                match reference.get(n as usize - 1) {
                    Some(r) => assert_eq!(*r, hash, "conflicting blocks at #{n}"),
                    None => reference.push(hash),
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn four_validators_finalize_and_a_full_node_relays_transactions() {
    let mut net = Net::new(1, 300);
    net.start_all().await;
    net.wait_all(3, Duration::from_secs(60)).await;
    let full = net.node(4);
    let genesis = full.genesis_hash().await;
    let started = Instant::now();
    let tx = full.submit(&transfer(Sr25519Keyring::Alice, Sr25519Keyring::Bob, ECT, 0, genesis)).await;
    let included = full.wait_included(&[tx], Duration::from_secs(30)).await;
    eprintln!("transfer via the full node finalized in {:?}", started.elapsed());
    // Every validator has the same block with the transfer, and its metrics
    // moved with the commits (one commit path: the client's hooks).
    for i in 0..4 {
        let node = net.node(i);
        node.wait_included(&[tx], Duration::from_secs(10)).await;
        let imports = node.metric("ecochain_block_import_seconds_count").expect("import histogram exported");
        let height = node.metric("ecochain_block_height{status=\"finalized\"}").expect("height exported");
        let extrinsics = node.metric("ecochain_extrinsics_total").expect("extrinsics counter exported");
        assert!(imports >= 3.0 && height >= 3.0 && extrinsics >= 1.0, "validator {i}: {imports} {height} {extrinsics}");
        assert!(node.metric("ecochain_txpool_ready").is_some(), "pool gauge exported");
    }
    // The commit certificate is served with the block.
    let block = full.call("chain_getBlock", vec![format!("{:?}", included[0].1).into()]).await;
    assert!(block["justifications"].is_array(), "justifications present: {block}");
    net.assert_consistent().await;
    let status = net.node(0).call("consensus_status", vec![]).await;
    assert_eq!(status["validators"].as_array().map(|v| v.len()), Some(4), "{status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn finality_survives_one_fault_halts_at_two_and_resumes() {
    let mut net = Net::new(0, 200);
    net.start_all().await;
    net.wait_all(3, Duration::from_secs(60)).await;

    // One of four down: blocks keep finalizing.
    net.nodes[3].as_mut().expect("running").stop();
    net.nodes[3] = None;
    let h = net.max_height().await;
    net.wait_all(h + 3, Duration::from_secs(30)).await;

    // Two of four down: nothing finalizes.
    net.nodes[2].as_mut().expect("running").stop();
    net.nodes[2] = None;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let halted = net.max_height().await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(net.max_height().await <= halted, "no block may finalize with 2 of 4 validators");

    // One back: finality resumes within a bounded time, without restarting the others.
    let started = Instant::now();
    net.start(2).await;
    net.wait_all(halted + 2, Duration::from_secs(40)).await;
    eprintln!("finality resumed {:?} after the third validator came back", started.elapsed());
    net.assert_consistent().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_validator_recovers_and_votes_again() {
    let mut net = Net::new(0, 200);
    net.start_all().await;
    net.wait_all(2, Duration::from_secs(60)).await;
    let genesis = net.node(0).genesis_hash().await;
    let mut hashes = Vec::new();
    for nonce in 0..20 {
        hashes
            .push(net.node(1).submit(&transfer(Sr25519Keyring::Bob, Sr25519Keyring::Alice, ECT, nonce, genesis)).await);
    }
    net.node(1).wait_included(&hashes[..5], Duration::from_secs(30)).await;
    let before = net.node(3).height().await;
    net.nodes[3].as_mut().expect("running").kill9();
    net.nodes[3] = None;
    net.node(0).wait_included(&hashes, Duration::from_secs(30)).await;
    net.start(3).await;
    // It recovers from its database and WAL, catches up and follows the head.
    assert!(net.node(3).height().await >= before, "nothing finalized was lost");
    let head = net.max_height().await;
    net.node(3).wait_height(head + 2, Duration::from_secs(60)).await;
    net.node(3).wait_included(&hashes, Duration::from_secs(30)).await;
    // And votes again: with Alice down, Bob, Charlie and the restarted Dave still finalize.
    net.nodes[0].as_mut().expect("running").stop();
    net.nodes[0] = None;
    let h = net.max_height().await;
    net.wait_all(h + 2, Duration::from_secs(40)).await;
    net.assert_consistent().await;
}

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
async fn validators_vote_a_fifth_in_and_one_out() {
    let mut net = Net::new(0, 200);
    // Eve's node is allow-listed up front; it becomes a validator by vote.
    let eve_suri = "//Eve";
    net.members.push(Member {
        base: net.dir.join("v4"),
        p2p: free_port_pair(),
        rpc: free_port(),
        peer_id: ecochain_consensus::peer_id_of_public(Ed25519Keyring::Eve.public().0).expect("id"),
        key: Some(eve_suri),
    });
    net.nodes.push(None);
    net.write_allowlist();
    net.start_all().await;
    net.wait_all(2, Duration::from_secs(60)).await;
    let genesis = net.node(0).genesis_hash().await;
    let mut nonces = [0u32; 4];
    let vote_in_all = |call: RuntimeCall, id: u32, nonces: &mut [u32; 4]| -> Vec<Vec<u8>> {
        let mut xts = Vec::new();
        let propose = RuntimeCall::Permissions(pallet_permissions::Call::propose { call: Box::new(call) });
        xts.push(sign_immortal(propose, &VALIDATORS[0].0.pair(), nonces[0], genesis).encode());
        nonces[0] += 1;
        for v in 1..3 {
            let vote = RuntimeCall::Permissions(pallet_permissions::Call::vote { id });
            xts.push(sign_immortal(vote, &VALIDATORS[v].0.pair(), nonces[v], genesis).encode());
            nonces[v] += 1;
        }
        xts
    };
    // Add Eve (effective 10 blocks after enactment).
    let add = RuntimeCall::Permissions(pallet_permissions::Call::add_validator {
        account: Sr25519Keyring::Eve.to_account_id(),
        consensus_key: Ed25519Keyring::Eve.public().0,
    });
    let mut hashes = Vec::new();
    for xt in vote_in_all(add, 0, &mut nonces) {
        hashes.push(net.node(0).submit(&xt).await);
    }
    let included = net.node(0).wait_included(&hashes, Duration::from_secs(40)).await;
    let enacted_at = net.node(0).height().await;
    let _ = included;
    net.wait_all(enacted_at + 14, Duration::from_secs(60)).await;
    let validators = net.node(0).call("consensus_validators", vec![]).await;
    assert_eq!(validators.as_array().map(|v| v.len()), Some(5), "{validators}");
    // Remove Dave; then stop him: the four others (Eve voting) keep finalizing.
    let remove = RuntimeCall::Permissions(pallet_permissions::Call::remove_validator {
        account: Sr25519Keyring::Dave.to_account_id(),
    });
    let mut hashes = Vec::new();
    for xt in vote_in_all(remove, 1, &mut nonces) {
        hashes.push(net.node(0).submit(&xt).await);
    }
    net.node(0).wait_included(&hashes, Duration::from_secs(40)).await;
    let h = net.node(0).height().await;
    net.wait_all(h + 12, Duration::from_secs(60)).await;
    net.nodes[3].as_mut().expect("running").stop();
    net.nodes[3] = None;
    // With Dave gone and 4 validators left, losing one more still leaves 3 of 4.
    net.nodes[2].as_mut().expect("running").stop();
    net.nodes[2] = None;
    let h = net.max_height().await;
    net.wait_all(h + 3, Duration::from_secs(40)).await;
    net.assert_consistent().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fresh_full_node_syncs_a_thousand_blocks() {
    let mut net = Net::new(1, 10);
    // Validators first; the full node joins late.
    let full = net.nodes.len() - 1;
    let mut handles = Vec::new();
    for i in 0..4 {
        let args = net.args(i);
        let (base, rpc) = (net.members[i].base.clone(), net.members[i].rpc);
        handles.push(tokio::spawn(async move { Node::spawn(&base, rpc, &args).await }));
    }
    for (i, h) in handles.into_iter().enumerate() {
        net.nodes[i] = Some(h.await.expect("starts"));
    }
    net.node(0).wait_height(1_000, Duration::from_secs(300)).await;
    let started = Instant::now();
    net.start(full).await;
    let target = net.node(0).height().await;
    net.node(full).wait_height(target, Duration::from_secs(300)).await;
    eprintln!("synced {target} blocks in {:?}", started.elapsed());
    for n in 1..=target {
        let a = net.node(0).call("chain_getBlockHash", vec![n.into()]).await;
        let b = net.node(full).call("chain_getBlockHash", vec![n.into()]).await;
        assert_eq!(a, b, "hash at #{n}");
        let ha = net.node(0).call("chain_getHeader", vec![a.clone()]).await;
        let hb = net.node(full).call("chain_getHeader", vec![b]).await;
        assert_eq!(ha["stateRoot"], hb["stateRoot"], "state root at #{n}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_empty_blocks_until_the_heartbeat_and_certified_exports_import() {
    let mut net = Net::new(1, 100).with_extra(&["--heartbeat-ms", "8000"]);
    net.start_all().await;
    net.wait_all(1, Duration::from_secs(60)).await;
    // Idle: at most one (heartbeat) block in 3 s, although the block time is 100 ms.
    let before = net.max_height().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(net.max_height().await <= before + 1, "no empty blocks between heartbeats");
    // A transaction is included promptly.
    let genesis = net.node(0).genesis_hash().await;
    let started = Instant::now();
    let tx = net.node(4).submit(&transfer(Sr25519Keyring::Alice, Sr25519Keyring::Bob, ECT, 0, genesis)).await;
    net.node(4).wait_included(&[tx], Duration::from_secs(20)).await;
    assert!(started.elapsed() < Duration::from_secs(6), "included before the heartbeat: {:?}", started.elapsed());

    // The full node's blocks carry certificates that import-blocks verifies.
    let top = net.node(4).height().await;
    net.nodes[4].as_mut().expect("running").stop();
    let base = net.members[4].base.clone();
    let file = net.dir.join("blocks.bin");
    let run = |args: Vec<String>| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ecochain")).args(&args).output().expect("runs");
        (
            out.status.success(),
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
        )
    };
    let (ok, out) = run(vec![
        "export-blocks".into(),
        "--chain".into(),
        "local".into(),
        "--base-path".into(),
        base.display().to_string(),
        "--to".into(),
        top.to_string(),
        file.display().to_string(),
    ]);
    assert!(ok, "{out}");
    let fresh = net.dir.join("imported");
    let (ok, out) = run(vec![
        "import-blocks".into(),
        "--chain".into(),
        "local".into(),
        "--base-path".into(),
        fresh.display().to_string(),
        file.display().to_string(),
    ]);
    assert!(ok && out.contains(&format!("imported {top} blocks")), "{out}");
}

/// Attacks on a running 4-validator network: an allow-listed peer gossiping
/// junk, nested-call and forged transactions (it ends up banned), hostile RPC
/// calls and expensive queries, and a client opening as many subscriptions as
/// it is allowed. Finality continues throughout and no node exits.
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

/// The free ECT of `who` at the best block (the node answers a number or a string).
async fn free_balance(node: &Node, who: Sr25519Keyring) -> u128 {
    let v = node.call("ect_balance", vec![who.to_account_id().to_string().into()]).await;
    let free = &v["free"];
    free.as_str().and_then(|s| s.parse().ok()).or_else(|| free.as_u64().map(u128::from)).expect("free balance")
}

/// The next nonce of `who` on chain (not counting pooled transactions).
async fn chain_nonce(node: &Node, who: Sr25519Keyring) -> u32 {
    let data = format!("0x{}", hex::encode(who.to_account_id().encode()));
    let mut tries = 0;
    let out = loop {
        // A node that just restarted may still refuse; an error is not nonce 0.
        match node.try_call("state_call", vec!["AccountNonceApi_account_nonce".into(), data.clone().into()]).await {
            Ok(v) => break v,
            Err(e) if tries < 50 => {
                tries += 1;
                eprintln!("account nonce: {e}; retrying");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("account nonce: {e}\nlog:\n{}", node.log_tail()),
        }
    };
    let bytes = hex::decode(out.as_str().expect("hex").trim_start_matches("0x")).expect("hex");
    <u32 as codec::Decode>::decode(&mut &bytes[..]).expect("a nonce")
}

/// Issue #12: under transfers submitted round-robin to all nodes, with
/// validators and the client's node killed (-9) and restarted over and over and
/// one 2-of-4 outage, every transfer is included exactly once once the client
/// resubmits what is missing, and all nodes agree at every height.
#[tokio::test(flavor = "multi_thread")]
async fn nothing_submitted_is_stranded_by_crashes() {
    // CHAOS_CYCLES: more kill -9 cycles for a long run (each adds three transfers per sender).
    let cycles: usize = std::env::var("CHAOS_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(10).max(2);
    let per_sender: u32 = 3 * cycles as u32;
    let senders = [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave];
    let receiver = Sr25519Keyring::Ferdie;
    let mut net = Net::new(1, 300);
    net.start_all().await;
    net.wait_all(2, Duration::from_secs(60)).await;
    let genesis = net.node(0).genesis_hash().await;
    let start_balance = free_balance(net.node(4), receiver).await;
    let txs: Vec<Vec<Vec<u8>>> =
        senders.iter().map(|s| (0..per_sender).map(|n| transfer(*s, receiver, ECT, n, genesis)).collect()).collect();

    // Round-robin submission interleaved with crashes.
    let mut rng = 0x9e37_79b9_u64;
    let mut next = |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    let mut sent = 0;
    let per_cycle = (per_sender as usize).div_ceil(cycles);
    for cycle in 0..=cycles {
        for k in 0..per_cycle {
            let n = cycle * per_cycle + k;
            if n >= per_sender as usize {
                break;
            }
            for (s, sender_txs) in txs.iter().enumerate() {
                let target = (n + s) % net.nodes.len();
                if let Some(node) = net.nodes[target].as_ref() {
                    let _ = node
                        .try_call("author_submitExtrinsic", vec![format!("0x{}", hex::encode(&sender_txs[n])).into()])
                        .await;
                    sent += 1;
                }
            }
        }
        if cycle == cycles {
            break;
        }
        if cycle == cycles / 2 {
            // Two of four validators down: finality halts, then resumes.
            let (a, b) = (next(4), (next(3) + 1) % 4);
            let b = if a == b { (b + 1) % 4 } else { b };
            for i in [a, b] {
                net.nodes[i].as_mut().expect("running").kill9();
                net.nodes[i] = None;
            }
            tokio::time::sleep(Duration::from_secs(3)).await;
            net.start(a).await;
            net.start(b).await;
        } else {
            // A random validator, or the full node a client talks to.
            let victim = next(5);
            net.nodes[victim].as_mut().expect("running").kill9();
            net.nodes[victim] = None;
            tokio::time::sleep(Duration::from_millis(800)).await;
            net.start(victim).await;
        }
    }
    let last_fault = Instant::now();

    // The client resubmits what is not included yet, to any node, until all is in.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let mut missing = 0;
        for (s, sender) in senders.iter().enumerate() {
            let nonce = chain_nonce(net.node(4), *sender).await;
            for n in nonce..per_sender {
                missing += 1;
                let node = net.node((n as usize + s) % net.nodes.len());
                let _ = node
                    .try_call("author_submitExtrinsic", vec![format!("0x{}", hex::encode(&txs[s][n as usize])).into()])
                    .await;
            }
        }
        if missing == 0 {
            break;
        }
        if Instant::now() > deadline {
            panic!("{missing} transfers still not included 120 s after the last fault\n{}", net.report().await);
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let all_in = last_fault.elapsed();
    let total = senders.len() as u32 * per_sender;
    eprintln!("sent {sent} submissions of {total} transfers; all included {all_in:?} after the last fault");
    // Exactly once: every sender's nonce is per_sender and the receiver got exactly the total.
    for sender in senders {
        assert_eq!(chain_nonce(net.node(4), sender).await, per_sender);
    }
    let h = net.max_height().await;
    net.wait_all(h, Duration::from_secs(60)).await;
    assert_eq!(free_balance(net.node(4), receiver).await - start_balance, u128::from(total) * ECT);
    net.assert_consistent().await;
}
