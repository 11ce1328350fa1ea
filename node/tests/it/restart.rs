use crate::harness::*;
use ecochain_primitives::ECT;
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
