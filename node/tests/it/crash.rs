use ecochain_primitives::ECT;
use ecochain_testkit::*;
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie};
use std::time::{Duration, Instant};

/// kill -9 while the node imports blocks under load: after a restart the
/// database opens at a complete block and every transaction that was reported
/// in a finalized block is still there.
#[tokio::test(flavor = "multi_thread")]
async fn kill_9_under_load_loses_nothing_finalized() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut node = Node::start(dir.path()).await;
    let genesis = node.genesis_hash().await;
    let mut submitted = Vec::new();
    let mut nonce = 0;
    let started = Instant::now();
    // Load for ~3 s: two senders, many small transfers.
    while started.elapsed() < Duration::from_secs(3) {
        for _ in 0..20 {
            submitted.push(node.submit(&transfer(Alice, Bob, ECT, nonce, genesis)).await);
            submitted.push(node.submit(&transfer(Charlie, Bob, ECT, nonce, genesis)).await);
            nonce += 1;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Whatever is final now must survive; more keeps arriving while we kill.
    let finalized = node.wait_included(&submitted[..submitted.len() / 2], Duration::from_secs(30)).await;
    for _ in 0..20 {
        let _ = node
            .try_call(
                "author_submitExtrinsic",
                vec![format!("0x{}", hex::encode(transfer(Alice, Bob, ECT, nonce, genesis))).into()],
            )
            .await;
        nonce += 1;
    }
    node.kill9();

    let node = Node::start(dir.path()).await;
    let (number, hash, root) = node.best().await;
    assert!(number >= 1);
    // The head is a complete block: its body and its state are readable.
    let block = node.call("chain_getBlock", vec![format!("{hash:?}").into()]).await;
    assert!(block["block"]["extrinsics"].as_array().is_some_and(|x| !x.is_empty()));
    let at_head = node
        .call("state_getStorage", vec![system_account_key(&Bob.to_account_id()).into(), format!("{hash:?}").into()])
        .await;
    assert!(at_head.is_string(), "state at the head is readable (root {root:?})");
    for (tx, block) in finalized {
        let body = node.call("chain_getBlock", vec![format!("{block:?}").into()]).await;
        let present = body["block"]["extrinsics"].as_array().expect("extrinsics").iter().any(|x| {
            let bytes = hex::decode(x.as_str().expect("hex").trim_start_matches("0x")).expect("hex");
            sp_core::H256(sp_crypto_hashing::blake2_256(&bytes)) == tx
        });
        assert!(present, "finalized transaction {tx:?} lost after kill -9");
    }
    // The node keeps producing blocks after recovery.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(node.best().await.0 > number);
}

fn system_account_key(who: &ecochain_runtime::AccountId) -> String {
    let mut key = sp_crypto_hashing::twox_128(b"System").to_vec();
    key.extend(sp_crypto_hashing::twox_128(b"Account"));
    key.extend(sp_crypto_hashing::blake2_128(who.as_ref()));
    key.extend(AsRef::<[u8]>::as_ref(who));
    format!("0x{}", hex::encode(key))
}
