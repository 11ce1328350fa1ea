use ecochain_primitives::ECT;
use ecochain_testkit::*;
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

/// An unsigned (bare, v4) extrinsic whose call is `Utility.batch` nested
/// `depth` times around a `System.remark`: 3 bytes a level.
pub(crate) fn nested_batch(depth: usize) -> Vec<u8> {
    use codec::Encode;
    use ecochain_runtime::RuntimeCall;
    let empty = RuntimeCall::Utility(pallet_utility::Call::batch { calls: Vec::new() }).encode();
    let mut body = vec![0x04u8];
    for _ in 0..depth {
        body.extend_from_slice(&[empty[0], empty[1], 4]);
    }
    body.extend(RuntimeCall::System(frame_system::Call::remark { remark: Vec::new() }).encode());
    body.encode()
}

pub(crate) fn hex0x(bytes: &[u8]) -> serde_json::Value {
    format!("0x{}", hex::encode(bytes)).into()
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_runtime_calls_are_refused_and_the_node_survives() {
    use codec::Encode;
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Node::start(dir.path()).await;
    let genesis = node.genesis_hash().await;
    let source = sp_runtime::transaction_validity::TransactionSource::External.encode();
    let validate_args = |xt: &[u8]| [source.clone(), xt.to_vec(), genesis.encode()].concat();

    // 100,000 nested batches (300 KB): aborted the node with a stack overflow before.
    let deep = nested_batch(100_000);
    let err = node
        .try_call(
            "state_call",
            vec!["TaggedTransactionQueue_validate_transaction".into(), hex0x(&validate_args(&deep))],
        )
        .await
        .expect_err("refused before the runtime");
    assert_eq!(code(err), -32602);
    let err = node.try_call("author_submitExtrinsic", vec![hex0x(&deep)]).await.expect_err("refused");
    assert_eq!(code(err), 1001);
    // Just past the depth limit, and just within it.
    assert!(node
        .try_call(
            "state_call",
            vec!["TaggedTransactionQueue_validate_transaction".into(), hex0x(&validate_args(&nested_batch(300)))]
        )
        .await
        .is_err());
    let within = node
        .call(
            "state_call",
            vec!["TaggedTransactionQueue_validate_transaction".into(), hex0x(&validate_args(&nested_batch(200)))],
        )
        .await;
    assert!(within.as_str().is_some_and(|s| s.starts_with("0x")), "a validity answer: {within}");

    // Calls that execute or build blocks are not served.
    for method in
        ["BlockBuilder_apply_extrinsic", "Core_execute_block", "Core_initialize_block", "BlockBuilder_finalize_block"]
    {
        let err = node.try_call("state_call", vec![method.into(), hex0x(&deep)]).await.expect_err(method);
        assert_eq!(code(err), -32602, "{method}");
    }
    // Read-only APIs still answer, garbage arguments are an error, not a crash.
    assert!(node.call("state_call", vec!["Core_version".into(), "0x".into()]).await.is_string());
    assert!(node.try_call("state_call", vec!["AccountNonceApi_account_nonce".into(), "0x01".into()]).await.is_err());
    let nonce = node.call("system_accountNextIndex", vec![Alice.to_account_id().to_string().into()]).await;
    assert_eq!(nonce, 0);

    let (before, _, _) = node.best().await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert!(node.best().await.0 > before, "node still seals blocks");
}
