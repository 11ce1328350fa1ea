use crate::harness::*;
use ecochain_primitives::ECT;
use jsonrpsee::core::ClientError;
use sp_keyring::Sr25519Keyring::{Alice, Bob};

fn code(err: ClientError) -> i32 {
    match err {
        ClientError::Call(e) => e.code(),
        other => panic!("expected a JSON-RPC error, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_clear_errors_and_the_node_survives() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Node::start(dir.path()).await;
    let genesis = node.genesis_hash().await;

    // Malformed extrinsic.
    let err = node.try_call("author_submitExtrinsic", vec!["0xdeadbeef".into()]).await.expect_err("refused");
    assert_eq!(code(err), 1001);
    // Not hex at all.
    let err = node.try_call("author_submitExtrinsic", vec!["hello".into()]).await.expect_err("refused");
    assert!(code(err) != 0);
    // Wrong signature: flip a bit inside the signature.
    let mut forged = transfer(Alice, Bob, ECT, 0, genesis);
    forged[40] ^= 1;
    let err = node
        .try_call("author_submitExtrinsic", vec![format!("0x{}", hex::encode(&forged)).into()])
        .await
        .expect_err("refused");
    assert!(matches!(code(err), 1010 | 1001), "bad signature refused");
    // Signed for another chain.
    let other = transfer(Alice, Bob, ECT, 0, sp_core::H256::repeat_byte(7));
    let err = node
        .try_call("author_submitExtrinsic", vec![format!("0x{}", hex::encode(&other)).into()])
        .await
        .expect_err("refused");
    assert_eq!(code(err), 1010);
    // Stale nonce once the first is in.
    let first = node.submit(&transfer(Alice, Bob, ECT, 0, genesis)).await;
    node.wait_included(&[first], std::time::Duration::from_secs(20)).await;
    let err = node
        .try_call(
            "author_submitExtrinsic",
            vec![format!("0x{}", hex::encode(transfer(Alice, Bob, 2 * ECT, 0, genesis))).into()],
        )
        .await
        .expect_err("stale");
    assert_eq!(code(err), 1010);
    // Unknown method, bad params.
    assert_eq!(code(node.try_call("no_such_method", vec![]).await.expect_err("unknown")), -32601);
    assert_eq!(code(node.try_call("chain_getBlockHash", vec!["not a number".into()]).await.expect_err("bad")), -32602);
    assert!(node.try_call("chain_getHeader", vec!["0x1234".into()]).await.is_err());
    // Oversize request (16 MiB > 15 MiB default limit).
    let huge = format!("0x{}", "00".repeat(8 * 1024 * 1024));
    assert!(node.try_call("author_submitExtrinsic", vec![huge.into()]).await.is_err());
    // Still alive and producing blocks.
    let (before, _, _) = node.best().await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert!(node.best().await.0 > before, "node still seals blocks");
}
