use ecochain_primitives::ECT;
use ecochain_testkit::*;
use sp_keyring::Sr25519Keyring::{Alice, Bob};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn transfers_are_sealed_and_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut node = Node::start(dir.path()).await;
    let genesis = node.genesis_hash().await;
    let mut hashes = Vec::new();
    for nonce in 0..5 {
        hashes.push(node.submit(&transfer(Alice, Bob, ECT, nonce, genesis)).await);
    }
    let included = node.wait_included(&hashes, Duration::from_secs(30)).await;
    assert_eq!(included.len(), 5);

    // Give the sealer a heartbeat, then restart from the same base path.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (number, hash, root) = node.best().await;
    node.stop();
    let node = Node::start(dir.path()).await;
    let (number2, _, _) = node.best().await;
    assert!(number2 >= number, "head went back from #{number} to #{number2}");
    assert_eq!(hash_of(&node.call("chain_getBlockHash", vec![number.into()]).await), hash);
    let header = node.call("chain_getHeader", vec![format!("{hash:?}").into()]).await;
    assert_eq!(hash_of(&header["stateRoot"]), root);
    assert_eq!(node.genesis_hash().await, genesis);
    for (tx, block) in included {
        let body = node.call("chain_getBlock", vec![format!("{block:?}").into()]).await;
        let found = body["block"]["extrinsics"].as_array().expect("extrinsics").iter().any(|x| {
            let bytes = hex::decode(x.as_str().expect("hex").trim_start_matches("0x")).expect("hex");
            sp_core::H256(sp_crypto_hashing::blake2_256(&bytes)) == tx
        });
        assert!(found, "transaction {tx:?} still in block {block:?}");
    }
}

/// A transaction the node answered with a hash survives `kill -9` of that node:
/// it is journaled, re-admitted at the restart, and included once its gap fills.
#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_transactions_survive_kill_9() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut node = Node::start(dir.path()).await;
    let genesis = node.genesis_hash().await;
    // Nonces 1 and 2 wait (future) for nonce 0, which is not sent yet.
    let later = [transfer(Alice, Bob, ECT, 1, genesis), transfer(Alice, Bob, ECT, 2, genesis)];
    let mut hashes = Vec::new();
    for xt in &later {
        hashes.push(node.submit(xt).await);
    }
    let status = node.call("txpool_inspect", vec![]).await;
    assert_eq!(status["future"], 2, "{status}");
    assert_eq!(status["senders"][0]["waitingForNonces"], serde_json::json!([0]), "{status}");
    node.kill9();
    let node = Node::start(dir.path()).await;
    let pending = node.call("author_pendingExtrinsics", vec![]).await;
    assert_eq!(pending.as_array().map(Vec::len), Some(2), "re-admitted from the journal: {pending}");
    // The gap is filled: all three are included, each once.
    hashes.push(node.submit(&transfer(Alice, Bob, ECT, 0, genesis)).await);
    node.wait_included(&hashes, Duration::from_secs(30)).await;
    let nonce = node.call("system_accountNextIndex", vec![Alice.to_account_id().to_string().into()]).await;
    assert_eq!(nonce, 3);
}
