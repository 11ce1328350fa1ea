//! The new JSON-RPC spec's groups against an in-process node: `chainHead_v1`
//! (follow, pinning, header, body, storage, call, continue, unpin),
//! `archive_v1` and `transactionWatch_v1`. Expected values come from the
//! legacy methods and from the blocks the test authors, not from the code
//! under test.

use super::{account_key, author_block, code_of, next_within, start_config, transfer};
use crate::{rpc_module, start, RpcDeps, StaticSystemInfo};
use codec::Encode;
use ecochain_client::{ChainSpec, Client, TransactionPool};
use jsonrpsee::{
    core::client::{ClientT, Subscription, SubscriptionClientT},
    rpc_params,
    ws_client::{WsClient, WsClientBuilder},
};
use serde_json::{json, Value};
use sp_core::H256;
use sp_keyring::Sr25519Keyring::Alice;
use std::sync::Arc;

fn hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Follow events until one satisfies `pick`, skipping the others.
async fn event_where(sub: &mut Subscription<Value>, pick: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..2048 {
        let event = next_within(sub).await;
        if pick(&event) {
            return event;
        }
    }
    panic!("no matching event in 2048");
}

async fn operation_events(sub: &mut Subscription<Value>, op: &Value) -> Vec<Value> {
    let mut events = Vec::new();
    loop {
        let event = event_where(sub, |e| e["operationId"] == *op).await;
        let last = !matches!(event["event"].as_str(), Some("operationStorageItems"));
        events.push(event);
        if last {
            return events;
        }
    }
}

/// The id the node gave subscription `sub`, as JSON.
fn subscription_id(sub: &Subscription<Value>) -> Value {
    match sub.kind() {
        jsonrpsee::core::client::SubscriptionKind::Subscription(id) => serde_json::to_value(id).expect("id"),
        other => panic!("not a subscription: {other:?}"),
    }
}

async fn follow(ws: &WsClient, with_runtime: bool) -> Subscription<Value> {
    ws.subscribe("chainHead_v1_follow", rpc_params![with_runtime], "chainHead_v1_unfollow").await.expect("follows")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_json_rpc_spec_groups_serve_what_the_legacy_methods_say() {
    let dir = tempfile::tempdir().expect("tempdir");
    let client = Client::open(dir.path(), &Default::default(), ChainSpec::development().expect("spec")).expect("open");
    let pool = TransactionPool::new(client.clone(), Default::default());
    let genesis = client.genesis_hash();
    let block1 = author_block(&client, vec![transfer(0, genesis)], 1_000);
    let deps = RpcDeps {
        client: client.clone(),
        pool: pool.clone(),
        system: Arc::new(StaticSystemInfo { peer_id: "12D3KooWtest".into(), authority: true }),
        consensus: None,
    };
    let (addr, handle) =
        start(start_config(0), rpc_module(deps, start_config(0)).expect("workers")).await.expect("starts");
    let ws = WsClientBuilder::default().build(format!("ws://{addr}")).await.expect("ws client");

    let listed: Value = ws.request("rpc_methods", rpc_params![]).await.expect("rpc_methods");
    for name in [
        "chainHead_v1_follow",
        "chainHead_v1_unfollow",
        "chainHead_v1_header",
        "chainHead_v1_body",
        "chainHead_v1_storage",
        "chainHead_v1_call",
        "chainHead_v1_continue",
        "chainHead_v1_stopOperation",
        "chainHead_v1_unpin",
        "transactionWatch_v1_submitAndWatch",
        "transactionWatch_v1_unwatch",
        "archive_v1_finalizedHeight",
        "archive_v1_genesisHash",
        "archive_v1_hashByHeight",
        "archive_v1_header",
        "archive_v1_body",
        "archive_v1_call",
        "archive_v1_storage",
        "archive_v1_stopStorage",
    ] {
        assert!(listed["methods"].as_array().expect("list").contains(&json!(name)), "{name} is listed");
    }

    // chainHead_v1_follow: initialized at the finalized block, with its runtime.
    let mut sub = follow(&ws, true).await;
    let id = subscription_id(&sub);
    assert!(id.is_string(), "subscription ids are strings: {id}");
    let initialized = next_within(&mut sub).await;
    assert_eq!(initialized["event"], "initialized");
    assert_eq!(initialized["finalizedBlockHashes"], json!([block1]));
    let runtime = &initialized["finalizedBlockRuntime"];
    assert_eq!(runtime["type"], "valid");
    let legacy: Value = ws.request("state_getRuntimeVersion", rpc_params![]).await.expect("version");
    assert_eq!(runtime["spec"]["specName"], legacy["specName"]);
    assert_eq!(runtime["spec"]["specVersion"], legacy["specVersion"]);
    assert_eq!(runtime["spec"]["transactionVersion"], legacy["transactionVersion"]);
    let apis = runtime["spec"]["apis"].as_object().expect("apis object");
    for pair in legacy["apis"].as_array().expect("legacy apis") {
        assert_eq!(apis.get(pair[0].as_str().expect("id")), Some(&pair[1]), "{pair}");
    }

    // A new block: newBlock (runtime unchanged), bestBlockChanged, finalized.
    let block2 = author_block(&client, vec![], 2_000);
    assert_eq!(
        next_within(&mut sub).await,
        json!({ "event": "newBlock", "blockHash": block2, "parentBlockHash": block1, "newRuntime": null })
    );
    assert_eq!(next_within(&mut sub).await, json!({ "event": "bestBlockChanged", "bestBlockHash": block2 }));
    assert_eq!(
        next_within(&mut sub).await,
        json!({ "event": "finalized", "finalizedBlockHashes": [block2], "prunedBlockHashes": [] })
    );

    // Header: the SCALE encoding, whose blake2 is the hash; only pinned blocks.
    let header: String = ws.request("chainHead_v1_header", rpc_params![&id, block2]).await.expect("header");
    let legacy_header = client.header(&block2).expect("db").expect("stored");
    assert_eq!(header, hex(&legacy_header.encode()));
    let err = ws.request::<Value, _>("chainHead_v1_header", rpc_params![&id, genesis]).await.expect_err("unpinned");
    assert_eq!(code_of(err), -32801);
    let stale: Value = ws.request("chainHead_v1_header", rpc_params!["nope", block2]).await.expect("stale sub");
    assert_eq!(stale, Value::Null);

    // Body: the extrinsics chain_getBlock lists.
    let started: Value = ws.request("chainHead_v1_body", rpc_params![&id, block1]).await.expect("body");
    assert_eq!(started["result"], "started");
    let done = operation_events(&mut sub, &started["operationId"]).await;
    let legacy_block: Value = ws.request("chain_getBlock", rpc_params![block1]).await.expect("block");
    assert_eq!(
        done,
        vec![
            json!({ "event": "operationBodyDone", "operationId": started["operationId"], "value": legacy_block["block"]["extrinsics"] })
        ]
    );

    // Storage: value and hash of Alice's account, and the descendants of its prefix.
    let alice_key = hex(&account_key(&Alice.to_account_id()));
    let value: String = ws.request("state_getStorage", rpc_params![&alice_key, block2]).await.expect("legacy");
    let value_hash: String = ws.request("state_getStorageHash", rpc_params![&alice_key, block2]).await.expect("legacy");
    let items = json!([
        { "key": alice_key, "type": "value" },
        { "key": alice_key, "type": "hash" },
        { "key": "0xdead", "type": "value" },
        { "key": &alice_key[..66], "type": "descendantsHashes" },
        { "key": alice_key, "type": "closestDescendantMerkleValue" },
    ]);
    let started: Value =
        ws.request("chainHead_v1_storage", rpc_params![&id, block2, items, Value::Null]).await.expect("storage");
    assert_eq!(started["result"], "started");
    assert_eq!(started["discardedItems"], 0);
    let events = operation_events(&mut sub, &started["operationId"]).await;
    assert_eq!(events.last().expect("done")["event"], "operationStorageDone");
    let found: Vec<&Value> = events.iter().flat_map(|e| e["items"].as_array().into_iter().flatten()).collect();
    assert!(found.contains(&&json!({ "key": alice_key, "value": value })), "{found:?}");
    assert!(found.contains(&&json!({ "key": alice_key, "hash": value_hash })), "{found:?}");
    assert!(!found.iter().any(|item| item["key"] == "0xdead"), "an absent key answers nothing");
    let keys: Vec<String> =
        ws.request("state_getKeysPaged", rpc_params![&alice_key[..66], 1000, Value::Null, block2]).await.expect("keys");
    let descendants: Vec<&Value> =
        found.iter().copied().filter(|i| i.get("hash").is_some() && i["key"] != json!(alice_key)).collect();
    assert_eq!(descendants.len() + 1, keys.len(), "every System.Account key once (Alice's as a hash item too)");
    let merkle = found.iter().find(|i| i.get("closestDescendantMerkleValue").is_some()).expect("merkle value");
    assert!(merkle["closestDescendantMerkleValue"].as_str().is_some_and(|m| m.len() > 2));

    // Call: Core_version's output; a call outside the read-only list is an operationError.
    let started: Value =
        ws.request("chainHead_v1_call", rpc_params![&id, block2, "Core_version", "0x"]).await.expect("call");
    let done = operation_events(&mut sub, &started["operationId"]).await;
    let version: String =
        ws.request("state_call", rpc_params!["Core_version", "0x", block2]).await.expect("legacy call");
    assert_eq!(done[0]["event"], "operationCallDone");
    assert_eq!(done[0]["output"], json!(version));
    let started: Value = ws
        .request("chainHead_v1_call", rpc_params![&id, block2, "BlockBuilder_finalize_block", "0x"])
        .await
        .expect("call");
    let done = operation_events(&mut sub, &started["operationId"]).await;
    assert_eq!(done[0]["event"], "operationError", "{done:?}");

    // Continue on an operation that does not wait; stopping an unknown one is fine.
    let err = ws.request::<Value, _>("chainHead_v1_continue", rpc_params![&id, "77"]).await.expect_err("not waiting");
    assert_eq!(code_of(err), -32803);
    let stopped: Value = ws.request("chainHead_v1_stopOperation", rpc_params![&id, "77"]).await.expect("stop");
    assert_eq!(stopped, Value::Null);

    // Unpin: duplicates refused, then the block is no longer served.
    let err =
        ws.request::<Value, _>("chainHead_v1_unpin", rpc_params![&id, vec![block1, block1]]).await.expect_err("dup");
    assert_eq!(code_of(err), -32804);
    let unpinned: Value = ws.request("chainHead_v1_unpin", rpc_params![&id, vec![block1]]).await.expect("unpin");
    assert_eq!(unpinned, Value::Null);
    let err = ws.request::<Value, _>("chainHead_v1_header", rpc_params![&id, block1]).await.expect_err("unpinned");
    assert_eq!(code_of(err), -32801);
    let err = ws.request::<Value, _>("chainHead_v1_unpin", rpc_params![&id, block1]).await.expect_err("twice");
    assert_eq!(code_of(err), -32801);

    // Another connection cannot use this subscription.
    let other = WsClientBuilder::default().build(format!("ws://{addr}")).await.expect("ws client");
    let foreign: Value = other.request("chainHead_v1_header", rpc_params![&id, block2]).await.expect("foreign");
    assert_eq!(foreign, Value::Null);
    // Follow subscriptions per connection are bounded.
    let mut follows = Vec::new();
    for _ in 0..crate::chain_head::MAX_FOLLOWS_PER_CONNECTION {
        follows.push(follow(&other, false).await);
    }
    let err = other
        .subscribe::<Value, _>("chainHead_v1_follow", rpc_params![false], "chainHead_v1_unfollow")
        .await
        .expect_err("one too many");
    assert_eq!(code_of(err), -32800);
    let without_runtime = next_within(&mut follows[0]).await;
    assert!(without_runtime.get("finalizedBlockRuntime").is_none(), "{without_runtime}");
    drop(follows);
    // Also when the subscribes are sent at once, without waiting for answers:
    // the limit is taken when a subscribe is checked, not when it is answered.
    let eager = WsClientBuilder::default().build(format!("ws://{addr}")).await.expect("ws client");
    let attempts = (0..3 * crate::chain_head::MAX_FOLLOWS_PER_CONNECTION)
        .map(|_| eager.subscribe::<Value, _>("chainHead_v1_follow", rpc_params![false], "chainHead_v1_unfollow"));
    let outcomes = futures::future::join_all(attempts).await;
    let opened = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(opened, crate::chain_head::MAX_FOLLOWS_PER_CONNECTION, "pipelined subscribes past the limit");
    drop(outcomes);

    // transactionWatch_v1: validated, included at index 1, finalized.
    let mut watch: Subscription<Value> = ws
        .subscribe(
            "transactionWatch_v1_submitAndWatch",
            rpc_params![hex(&transfer(1, genesis))],
            "transactionWatch_v1_unwatch",
        )
        .await
        .expect("watches");
    assert_eq!(next_within(&mut watch).await, json!({ "event": "validated" }));
    let block3 = author_block(&client, pool.pending(), 3_000);
    assert_eq!(
        next_within(&mut watch).await,
        json!({ "event": "bestChainBlockIncluded", "block": { "hash": block3, "index": 1 } })
    );
    assert_eq!(next_within(&mut watch).await, json!({ "event": "finalized", "block": { "hash": block3, "index": 1 } }));
    let mut bad: Subscription<Value> = ws
        .subscribe("transactionWatch_v1_submitAndWatch", rpc_params!["0x00"], "transactionWatch_v1_unwatch")
        .await
        .expect("undecodable bytes are an event, not an error");
    assert_eq!(next_within(&mut bad).await["event"], "invalid");
    let err = ws
        .subscribe::<Value, _>("transactionWatch_v1_submitAndWatch", rpc_params!["zz"], "transactionWatch_v1_unwatch")
        .await
        .expect_err("not hex");
    assert_eq!(code_of(err), -32602);

    // archive_v1: heights, hashes, headers, bodies, calls and storage at any block.
    let height: u32 = ws.request("archive_v1_finalizedHeight", rpc_params![]).await.expect("height");
    assert_eq!(height, 3);
    let genesis_hash: H256 = ws.request("archive_v1_genesisHash", rpc_params![]).await.expect("genesis");
    assert_eq!(genesis_hash, genesis);
    let hashes: Vec<H256> = ws.request("archive_v1_hashByHeight", rpc_params![1]).await.expect("by height");
    assert_eq!(hashes, vec![block1]);
    let none: Vec<H256> = ws.request("archive_v1_hashByHeight", rpc_params![99]).await.expect("above the chain");
    assert!(none.is_empty());
    let header: String = ws.request("archive_v1_header", rpc_params![block1]).await.expect("header");
    assert_eq!(header, hex(&client.header(&block1).expect("db").expect("stored").encode()));
    let body: Value = ws.request("archive_v1_body", rpc_params![block1]).await.expect("body");
    assert_eq!(body, legacy_block["block"]["extrinsics"]);
    let unknown: Value = ws.request("archive_v1_header", rpc_params![H256::repeat_byte(3)]).await.expect("unknown");
    assert_eq!(unknown, Value::Null);
    let call: Value = ws.request("archive_v1_call", rpc_params![block1, "Core_version", "0x"]).await.expect("call");
    assert_eq!(call, json!({ "success": true, "value": version }));
    let refused: Value =
        ws.request("archive_v1_call", rpc_params![block1, "BlockBuilder_finalize_block", "0x"]).await.expect("call");
    assert_eq!(refused["success"], false);
    let at_genesis: String = ws.request("state_getStorage", rpc_params![&alice_key, genesis]).await.expect("legacy");
    let mut storage: Subscription<Value> = ws
        .subscribe(
            "archive_v1_storage",
            rpc_params![genesis, json!([{ "key": alice_key, "type": "value" }]), Value::Null],
            "archive_v1_stopStorage",
        )
        .await
        .expect("storage");
    assert_eq!(next_within(&mut storage).await, json!({ "event": "storage", "key": alice_key, "value": at_genesis }));
    assert_eq!(next_within(&mut storage).await, json!({ "event": "storageDone" }));

    handle.stop().expect("stops");
}

/// The spec's edge cases: a descendant query pauses with
/// `operationWaitingForContinue` and resumes on `chainHead_v1_continue`;
/// past the pin limit the subscription ends with `stop`; a stopped or
/// unfollowed subscription's id no longer serves anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continue_pin_limit_and_unfollow() {
    use crate::chain_head::{ITEMS_BEFORE_CONTINUE, MAX_PINNED};
    use ecochain_runtime::{signing::sign_immortal, RuntimeCall, ECT};
    let dir = tempfile::tempdir().expect("tempdir");
    let client = Client::open(dir.path(), &Default::default(), ChainSpec::development().expect("spec")).expect("open");
    let pool = TransactionPool::new(client.clone(), Default::default());
    let genesis = client.genesis_hash();
    // More accounts than one stretch of a descendant query.
    let accounts = ITEMS_BEFORE_CONTINUE as u32 + 100;
    let transfers: Vec<Vec<u8>> = (0..accounts)
        .map(|i| {
            let mut who = [7u8; 32];
            who[..4].copy_from_slice(&i.to_le_bytes());
            let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
                dest: ecochain_runtime::AccountId::from(who).into(),
                value: ECT,
            });
            sign_immortal(call, &Alice.pair(), i, genesis).encode()
        })
        .collect();
    for (n, chunk) in transfers.chunks(400).enumerate() {
        author_block(&client, chunk.to_vec(), 1_000 * (n as u64 + 1));
    }
    let deps = RpcDeps {
        client: client.clone(),
        pool,
        system: Arc::new(StaticSystemInfo { peer_id: "12D3KooWtest".into(), authority: true }),
        consensus: None,
    };
    let (addr, handle) =
        start(start_config(0), rpc_module(deps, start_config(0)).expect("workers")).await.expect("starts");
    let ws = WsClientBuilder::default().build(format!("ws://{addr}")).await.expect("ws client");
    let mut sub = follow(&ws, false).await;
    let id = subscription_id(&sub);
    let initialized = next_within(&mut sub).await;
    let best = initialized["finalizedBlockHashes"][0].clone();

    // Every System.Account key, across a pause for continue.
    let prefix = hex(&account_key(&Alice.to_account_id())[..32]);
    let mut expected: Vec<String> =
        ws.request("state_getKeysPaged", rpc_params![&prefix, 1000, Value::Null, &best]).await.expect("keys");
    let rest: Vec<String> = ws
        .request("state_getKeysPaged", rpc_params![&prefix, 1000, expected.last().cloned(), &best])
        .await
        .expect("keys");
    expected.extend(rest);
    assert!(expected.len() > ITEMS_BEFORE_CONTINUE, "{} accounts", expected.len());
    let items = json!([{ "key": prefix, "type": "descendantsValues" }]);
    let started: Value =
        ws.request("chainHead_v1_storage", rpc_params![&id, &best, items, Value::Null]).await.expect("storage");
    let op = started["operationId"].clone();
    let mut keys = Vec::new();
    let mut paused = 0;
    loop {
        let event = event_where(&mut sub, |e| e["operationId"] == op).await;
        match event["event"].as_str() {
            Some("operationStorageItems") => keys.extend(
                event["items"].as_array().expect("items").iter().map(|i| i["key"].as_str().expect("key").to_owned()),
            ),
            Some("operationWaitingForContinue") => {
                paused += 1;
                let resumed: Value =
                    ws.request("chainHead_v1_continue", rpc_params![&id, &op]).await.expect("continue");
                assert_eq!(resumed, Value::Null);
            }
            Some("operationStorageDone") => break,
            other => panic!("unexpected {other:?}: {event}"),
        }
    }
    assert_eq!(paused, 1, "one pause for {} items", keys.len());
    assert_eq!(keys, expected, "every key once, in order");

    // Past the pin limit (nothing unpinned), the subscription stops.
    for n in 0..=MAX_PINNED as u64 {
        author_block(&client, vec![], 10_000 + n);
    }
    let stop = event_where(&mut sub, |e| e["event"] == "stop").await;
    assert_eq!(stop, json!({ "event": "stop" }));
    let gone: Value = ws.request("chainHead_v1_header", rpc_params![&id, &best]).await.expect("stopped");
    assert_eq!(gone, Value::Null, "a stopped subscription serves nothing");

    // Unfollow releases the subscription and its pins.
    let mut sub = follow(&ws, false).await;
    let id = subscription_id(&sub);
    let pinned = next_within(&mut sub).await["finalizedBlockHashes"][0].clone();
    let header: Value = ws.request("chainHead_v1_header", rpc_params![&id, &pinned]).await.expect("header");
    assert!(header.is_string(), "served while followed");
    sub.unsubscribe().await.expect("unfollow");
    // The subscription's task ends right after the unsubscribe is answered.
    let mut answer = Value::Null;
    for _ in 0..100 {
        answer = ws.request("chainHead_v1_body", rpc_params![&id, &pinned]).await.expect("body");
        if answer == json!({ "result": "limitReached" }) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(answer, json!({ "result": "limitReached" }), "no subscription, no operation");
    let header: Value = ws.request("chainHead_v1_header", rpc_params![&id, &pinned]).await.expect("header");
    assert_eq!(header, Value::Null, "its pins are gone with it");
    handle.stop().expect("stops");
}
