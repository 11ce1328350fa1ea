//! Multi-process network tests: four validators (Alice, Bob, Charlie, Dave on
//! the `local` chain) and full nodes on loopback, with faults injected.
//! Safety is checked by comparing block hashes at every height.

use codec::Encode;
use ecochain_primitives::ECT;
use ecochain_runtime::RuntimeCall;
use ecochain_testkit::*;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use std::time::{Duration, Instant};

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
    // A validator's network identity is its node key, not its consensus key:
    // the node id registered on chain, which the others mark as an authority.
    let alice = net.node(0).call("system_localPeerId", vec![]).await;
    assert_eq!(alice, dev_node_id(Sr25519Keyring::Alice).as_str());
    assert_ne!(alice, peer_id_of_public(Ed25519Keyring::Alice.public().0).as_str());
    let validators = net.node(0).call("consensus_validators", vec![]).await;
    assert_eq!(validators[0]["peerId"], alice, "{validators}");
    let peers = full.call("system_peers", vec![]).await;
    let authorities: Vec<&str> = peers
        .as_array()
        .expect("peers")
        .iter()
        .filter(|p| p["roles"] == "AUTHORITY")
        .filter_map(|p| p["peerId"].as_str())
        .collect();
    for (sr, _, _) in VALIDATORS {
        assert!(authorities.contains(&dev_node_id(sr).as_str()), "{sr:?} is an authority: {peers}");
    }
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
async fn validators_vote_a_fifth_in_and_one_out() {
    let mut net = Net::new(0, 200);
    // Eve's node is allow-listed up front; it becomes a validator by vote. Its
    // node key is `//Eve//node`, registered by Eve's account (`setNodeId`):
    // without it the others would refuse her proposals.
    let eve_suri = "//Eve";
    net.members.push(Member {
        base: net.dir.join("v4"),
        p2p: free_port_pair(),
        rpc: free_port(),
        peer_id: dev_node_id(Sr25519Keyring::Eve),
        key: Some(eve_suri),
    });
    net.nodes.push(None);
    net.write_allowlist();
    net.start_all().await;
    net.wait_all(2, Duration::from_secs(60)).await;
    let genesis = net.node(0).genesis_hash().await;
    let mut nonces = [0u32; 4];
    let eve_node = <sp_core::ed25519::Pair as sp_core::Pair>::from_string("//Eve//node", None).expect("key");
    let registered = net.node(0).submit(&set_node_id(&eve_node, Sr25519Keyring::Eve, 0, genesis)).await;
    net.node(0).wait_included(&[registered], Duration::from_secs(30)).await;
    // Add Eve (effective 10 blocks after enactment).
    let add = RuntimeCall::Permissions(pallet_permissions::Call::add_validator {
        account: Sr25519Keyring::Eve.to_account_id(),
        consensus_key: Ed25519Keyring::Eve.public().0,
        bridge_key: ecochain_runtime::genesis::dev_bridge_key(Sr25519Keyring::Eve),
    });
    let mut hashes = Vec::new();
    for xt in by_majority(add, 0, &mut nonces, genesis) {
        hashes.push(net.node(0).submit(&xt).await);
    }
    let included = net.node(0).wait_included(&hashes, Duration::from_secs(40)).await;
    let enacted_at = net.node(0).height().await;
    let _ = included;
    net.wait_all(enacted_at + 14, Duration::from_secs(60)).await;
    let validators = net.node(0).call("consensus_validators", vec![]).await;
    assert_eq!(validators.as_array().map(|v| v.len()), Some(5), "{validators}");
    // Eve proposes: blocks authored by her consensus key are finalized.
    let eve_key = hex::encode(Ed25519Keyring::Eve.public().0);
    let since = net.node(0).height().await;
    net.wait_all(since + 15, Duration::from_secs(60)).await;
    let mut authored = 0;
    for n in since..=since + 15 {
        let hash = net.node(0).call("chain_getBlockHash", vec![n.into()]).await;
        let header = net.node(0).call("chain_getHeader", vec![hash]).await;
        if header["digest"]["logs"]
            .as_array()
            .expect("logs")
            .iter()
            .any(|l| l.as_str().is_some_and(|l| l.contains(&eve_key)))
        {
            authored += 1;
        }
    }
    assert!(authored > 0, "Eve authored none of blocks {since}..={}", since + 15);
    // Remove Dave; then stop him: the four others (Eve voting) keep finalizing.
    let remove = RuntimeCall::Permissions(pallet_permissions::Call::remove_validator {
        account: Sr25519Keyring::Dave.to_account_id(),
    });
    let mut hashes = Vec::new();
    for xt in by_majority(remove, 1, &mut nonces, genesis) {
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
    net.start_some(0..4).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn validators_without_node_ids_use_their_consensus_keys_then_move_to_node_keys() {
    // A chain whose genesis registers no node ids (one from before node keys,
    // or a spec written by hand): each validator is expected at its consensus
    // key's peer id, and its node, without a node key file, takes that identity.
    let dir = tempfile::tempdir().expect("tempdir");
    let spec_path = dir.path().join("no-node-ids.json");
    let mut spec = crate::local_spec();
    spec["genesis"]["runtimeGenesis"]["config"]["permissions"]["validatorNodes"] = serde_json::json!([]);
    std::fs::write(&spec_path, spec.to_string()).expect("write");
    let mut net = Net::new(0, 200).with_chain(&spec_path);
    for (m, (_, ed, _)) in net.members.iter_mut().zip(VALIDATORS) {
        m.peer_id = peer_id_of_public(ed.public().0);
    }
    net.write_allowlist();
    net.start_all().await;
    net.wait_all(3, Duration::from_secs(60)).await;
    let alice_consensus_id = peer_id_of_public(Ed25519Keyring::Alice.public().0);
    assert_eq!(net.node(0).call("system_localPeerId", vec![]).await, alice_consensus_id.as_str());

    // Alice moves to a node key: registers it (signed by the key), then restarts with it.
    let seed = [42u8; 32];
    let node_id = peer_id_of_seed(seed);
    let node_pair = <sp_core::ed25519::Pair as sp_core::Pair>::from_seed(&seed);
    let genesis = net.node(0).genesis_hash().await;
    let included = net.node(0).submit(&set_node_id(&node_pair, Sr25519Keyring::Alice, 0, genesis)).await;
    net.node(0).wait_included(&[included], Duration::from_secs(30)).await;
    net.nodes[0].as_mut().expect("running").stop();
    net.nodes[0] = None;
    let key_file = net.members[0].base.join("chains/ecochain_local/network/node_key");
    std::fs::create_dir_all(key_file.parent().expect("dir")).expect("dir");
    std::fs::write(&key_file, hex::encode(seed)).expect("node key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).expect("mode");
    }
    net.members[0].peer_id = node_id.clone();
    net.start(0).await;
    assert_eq!(net.node(0).call("system_localPeerId", vec![]).await, node_id.as_str());
    // Alice is back with her new identity: let in, marked an authority, voting.
    let h = net.max_height().await;
    net.wait_all(h + 5, Duration::from_secs(60)).await;
    // Transaction gossip (what `system_peers` lists) may connect after the
    // blocks synced: a peer refused before its id reached the allow-list
    // redials after a backoff.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let peers = net.node(1).call("system_peers", vec![]).await;
        let alice_peer = peers.as_array().expect("peers").iter().find(|p| p["peerId"] == node_id.as_str()).cloned();
        if let Some(p) = alice_peer {
            assert_eq!(p["roles"], "AUTHORITY", "{peers}");
            break;
        }
        assert!(Instant::now() < deadline, "Alice's new node id is not among Bob's peers: {peers}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // With Bob down, the other three (Alice among them) still finalize.
    net.nodes[1].as_mut().expect("running").stop();
    net.nodes[1] = None;
    let h = net.max_height().await;
    net.wait_all(h + 3, Duration::from_secs(60)).await;
    net.assert_consistent().await;
}
