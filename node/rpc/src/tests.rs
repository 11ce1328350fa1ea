//! Unit tests of the parsing and rendering helpers, and one in-process node
//! test: a real RocksDB in a temp dir, the real runtime, the real server on a
//! free port, jsonrpsee's HTTP and WebSocket clients.

use crate::{
    author::{check_format, hash_or_extrinsic, BAD_FORMAT},
    chain::signed_block_json,
    params::{
        parse_account, parse_block_number, parse_h256, parse_hex, quote_big_integers, render_text_fields, to_hex,
    },
    server::{cors_layer, origin_matches, Bucket, RateLimiter},
    state::change_set_json,
    system::next_index,
    *,
};
use codec::{Decode, Encode};
use ecochain_client::{extrinsic_hash, ChainSpec, StoredBlock};
use ecochain_executor::BlockBuilder;
use ecochain_runtime::{signing::sign_immortal, Header, RuntimeCall, ECT};
use ecochain_txpool::TxStatus;
use jsonrpsee::{
    core::{
        client::{ClientT, Subscription, SubscriptionClientT},
        ClientError,
    },
    http_client::HttpClientBuilder,
    rpc_params,
    ws_client::WsClientBuilder,
};
use serde_json::{json, Value};
use sp_core::{crypto::Ss58Codec, H256};
use sp_keyring::Sr25519Keyring::{Alice, Bob};
use sp_runtime::{traits::Header as _, Digest, Justifications};
use std::time::{Duration, Instant};

mod new_api;
mod tokens;

// ---------------------------------------------------------------- helpers

#[test]
fn hex_round_trips_and_rejects_garbage() {
    assert_eq!(to_hex(&[0xde, 0xad]), "0xdead");
    assert_eq!(parse_hex("0xDEAD").expect("hex"), vec![0xde, 0xad]);
    assert_eq!(parse_hex("dead").expect("unprefixed hex"), vec![0xde, 0xad]);
    assert_eq!(parse_hex("0x").expect("empty"), Vec::<u8>::new());
    assert!(parse_hex("0xabc").is_err(), "odd length");
    assert!(parse_hex("0xzz").is_err());
    assert_eq!(parse_h256(&format!("0x{}", "11".repeat(32))).expect("hash"), H256::repeat_byte(0x11));
    assert!(parse_h256("0x1234").is_err(), "short hash");
}

#[test]
fn block_numbers_in_every_form() {
    assert_eq!(parse_block_number(&json!(0)), Ok(0));
    assert_eq!(parse_block_number(&json!(26)), Ok(26));
    assert_eq!(parse_block_number(&json!("0x1a")), Ok(26));
    assert_eq!(parse_block_number(&json!("26")), Ok(26));
    assert!(parse_block_number(&json!(-1)).is_err());
    assert!(parse_block_number(&json!(1.5)).is_err());
    assert!(parse_block_number(&json!("0x")).is_err());
    assert!(parse_block_number(&json!("0x100000000")).is_err(), "above u32");
    assert!(parse_block_number(&json!(true)).is_err());
}

#[test]
fn accounts_as_ss58_or_hex() {
    let alice = Alice.to_account_id();
    assert_eq!(parse_account("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"), Ok(alice.clone()));
    let polkadot_format = alice.to_ss58check_with_version(0u16.into());
    assert_eq!(parse_account(&polkadot_format), Ok(alice.clone()), "any network prefix");
    let raw: &[u8] = alice.as_ref();
    assert_eq!(parse_account(&to_hex(raw)), Ok(alice));
    assert!(parse_account("0x1234").is_err());
    assert!(parse_account("not an address").is_err());
}

#[test]
fn big_integers_become_strings() {
    let balance: u128 = 1_000_000_000 * ECT;
    let text =
        serde_json::to_string(&json!({"small": 42, "negative": -7, "float": 1.5, "text": "12345678901234567890"}))
            .expect("json");
    assert_eq!(quote_big_integers(&text), text, "nothing to quote");
    let raw = format!(
        r#"{{"a":{balance},"b":[9007199254740991,9007199254740992],"c":"x\"{balance}","d":-9007199254740993}}"#
    );
    let quoted: Value = serde_json::from_str(&quote_big_integers(&raw)).expect("still json");
    assert_eq!(quoted["a"], json!(balance.to_string()));
    assert_eq!(quoted["b"], json!([9007199254740991u64, "9007199254740992"]));
    assert_eq!(quoted["c"], json!(format!("x\"{balance}")), "strings untouched");
    assert_eq!(quoted["d"], json!("-9007199254740993"));
}

#[test]
fn text_fields_become_strings() {
    let mut value = json!({
        "name": [69, 67, 84],
        "decimals": 18,
        "benefits": [[102, 101, 101], [255]],
        "nested": [{"symbol": [69, 83, 84], "amounts": [1, 2]}],
        "achievements": [],
        "badges": [0, 1, 2],
        "metadata": [],
    });
    render_text_fields(&mut value);
    assert_eq!(
        value,
        json!({
            "name": "ECT",
            "decimals": 18,
            "benefits": ["fee", "0xff"],
            "nested": [{"symbol": "EST", "amounts": [1, 2]}],
            "achievements": [],
            "badges": [0, 1, 2],
            "metadata": "",
        }),
        "an empty list of texts stays a list; level ids are numbers, not text"
    );
}

#[test]
fn tx_status_json_is_substrates() {
    let hash = H256::repeat_byte(7);
    assert_eq!(serde_json::to_value(TxStatus::Ready).expect("json"), json!("ready"));
    assert_eq!(serde_json::to_value(TxStatus::InBlock(hash)).expect("json"), json!({ "inBlock": hash }));
    assert_eq!(serde_json::to_value(TxStatus::Finalized(hash)).expect("json"), json!({ "finalized": hash }));
    assert_eq!(serde_json::to_value(TxStatus::Usurped(hash)).expect("json"), json!({ "usurped": hash }));
    assert_eq!(serde_json::to_value(TxStatus::Invalid).expect("json"), json!("invalid"));
}

fn transfer(nonce: u32, genesis: H256) -> Vec<u8> {
    let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
        dest: Bob.to_account_id().into(),
        value: ECT,
    });
    sign_immortal(call, &Alice.pair(), nonce, genesis).encode()
}

#[test]
fn signed_block_json_shape() {
    let xt = transfer(0, H256::zero());
    assert_eq!(Vec::<u8>::decode(&mut &xt[..]).expect("length-prefixed").len() + 2, xt.len());
    let header = Header::new(3, H256::repeat_byte(1), H256::repeat_byte(2), H256::repeat_byte(4), Digest::default());
    let block = StoredBlock {
        header: header.clone(),
        extrinsics: vec![xt.clone()],
        justifications: Some(Justifications::from((*b"ECOC", vec![1, 2, 3]))),
    };
    let json = signed_block_json(&block).expect("json");
    assert_eq!(json["block"]["header"]["number"], json!("0x3"));
    assert_eq!(json["block"]["header"]["parentHash"], json!(header.parent_hash));
    assert_eq!(json["block"]["header"]["digest"], json!({ "logs": [] }));
    assert_eq!(json["block"]["extrinsics"], json!([to_hex(&xt)]));
    assert_eq!(json["justifications"], json!([[[69, 67, 79, 67], [1, 2, 3]]]));
    let back: Header = serde_json::from_value(json["block"]["header"].clone()).expect("header parses");
    assert_eq!(back.hash(), header.hash());

    let unjustified = StoredBlock { justifications: None, ..block };
    assert_eq!(signed_block_json(&unjustified).expect("json")["justifications"], Value::Null);
}

#[test]
fn change_sets_and_removals() {
    let block = H256::repeat_byte(9);
    let json = change_set_json(block, &[(vec![1], Some(vec![2])), (vec![3], None)]);
    assert_eq!(json, json!({ "block": block, "changes": [["0x01", "0x02"], ["0x03", null]] }));
    let hash = H256::repeat_byte(5);
    assert_eq!(hash_or_extrinsic(&json!({ "hash": hash })).expect("hash"), hash);
    assert_eq!(hash_or_extrinsic(&json!({ "extrinsic": "0x0102" })).expect("xt"), extrinsic_hash(&[1, 2]));
    assert!(hash_or_extrinsic(&json!({ "other": 1 })).is_err());
}

#[test]
fn bad_format_is_1001() {
    assert_eq!(check_format(&[0x12, 0x34]).expect_err("garbage").code(), BAD_FORMAT);
    let mut xt = transfer(0, H256::zero());
    assert!(check_format(&xt).is_ok());
    xt.push(0);
    assert_eq!(check_format(&xt).expect_err("trailing").code(), BAD_FORMAT);
}

#[test]
fn next_index_counts_pending_transactions() {
    let g = H256::zero();
    let alice = Alice.to_account_id();
    let pending = vec![transfer(3, g), transfer(4, g), vec![1, 2, 3]];
    assert_eq!(next_index(3, &pending, &alice), 5);
    assert_eq!(next_index(7, &pending, &alice), 7, "stale pending nonces do not count");
    assert_eq!(next_index(0, &pending, &Bob.to_account_id()), 0, "other senders do not count");
}

#[test]
fn token_bucket_refills_at_the_rate() {
    let start = Instant::now();
    let mut bucket = Bucket::full(2, start);
    assert!(bucket.try_take(2, start));
    assert!(bucket.try_take(2, start));
    assert!(!bucket.try_take(2, start), "burst spent");
    assert!(bucket.try_take(2, start + Duration::from_millis(500)), "one token after half a second");
    assert!(!bucket.try_take(2, start + Duration::from_millis(500)));

    let limiter = RateLimiter::new(1);
    let (a, b) = ("10.0.0.1".parse().expect("ip"), "10.0.0.2".parse().expect("ip"));
    assert!(limiter.allow(a, start));
    assert!(!limiter.allow(a, start));
    assert!(limiter.allow(b, start), "per IP");
    assert!(RateLimiter::new(0).allow(a, start), "0 is unlimited");
    // Expensive calls pay for their work: a full bucket of 2,048 buys two
    // 1,024-block storage queries, or 2,048 single reads.
    let limiter = RateLimiter::new(2048);
    let cost = crate::server::call_cost("state_queryStorage");
    assert_eq!(cost, 1024);
    assert!(limiter.allow_cost(a, start, cost));
    assert!(limiter.allow_cost(a, start, cost));
    assert!(!limiter.allow_cost(a, start, cost), "the third waits for the bucket to refill");
    assert!(!limiter.allow(a, start));
    assert!(limiter.allow_cost(a, start + std::time::Duration::from_millis(500), cost), "refilled");
    assert_eq!(crate::server::call_cost("state_getStorage"), 1);
}

#[test]
fn cors_port_wildcards_match_only_that_host() {
    assert!(origin_matches("http://localhost:*", "http://localhost:3000"));
    assert!(origin_matches("http://localhost:*", "http://localhost"));
    assert!(!origin_matches("http://localhost:*", "http://localhost.evil.com"));
    assert!(!origin_matches("http://localhost:*", "http://localhost:3000.evil.com"));
    assert!(!origin_matches("http://localhost:*", "https://localhost:3000"));
    assert!(origin_matches("https://polkadot.js.org", "https://polkadot.js.org"));
    assert!(!origin_matches("https://polkadot.js.org", "https://polkadot.js.org.evil"));
}

#[test]
fn cors_origins_are_validated() {
    assert!(cors_layer(None).is_ok());
    assert!(cors_layer(Some(&["http://localhost:3000".to_string()])).is_ok());
    assert!(matches!(cors_layer(Some(&["bad\norigin".to_string()])), Err(Error::Cors(_))));
}

// ---------------------------------------------------------------- node

/// Every Substrate method a client may rely on (the token methods are
/// [`tokens::TOKEN_METHODS`]).
const EXPECTED_METHODS: &[&str] = &[
    "rpc_methods",
    "system_name",
    "system_version",
    "system_chain",
    "system_chainType",
    "system_properties",
    "system_health",
    "system_peers",
    "system_localPeerId",
    "system_accountNextIndex",
    "system_nodeRoles",
    "system_syncState",
    "chain_getBlockHash",
    "chain_getHeader",
    "chain_getBlock",
    "chain_getFinalizedHead",
    "chain_getFinalisedHead",
    "chain_subscribeNewHeads",
    "chain_subscribeNewHead",
    "subscribe_newHead",
    "chain_unsubscribeNewHeads",
    "chain_unsubscribeNewHead",
    "unsubscribe_newHead",
    "chain_subscribeFinalizedHeads",
    "chain_subscribeFinalisedHeads",
    "chain_unsubscribeFinalizedHeads",
    "chain_unsubscribeFinalisedHeads",
    "chain_subscribeAllHeads",
    "chain_unsubscribeAllHeads",
    "chain_getRuntimeVersion",
    "chain_subscribeRuntimeVersion",
    "chain_unsubscribeRuntimeVersion",
    "state_getStorage",
    "state_getStorageAt",
    "state_getStorageHash",
    "state_getStorageSize",
    "state_getKeysPaged",
    "state_getKeysPagedAt",
    "state_getKeys",
    "state_queryStorageAt",
    "state_queryStorage",
    "state_getMetadata",
    "state_getRuntimeVersion",
    "state_call",
    "state_callAt",
    "state_subscribeStorage",
    "state_unsubscribeStorage",
    "state_subscribeRuntimeVersion",
    "state_unsubscribeRuntimeVersion",
    "state_getReadProof",
    "author_submitExtrinsic",
    "author_submitAndWatchExtrinsic",
    "author_unwatchExtrinsic",
    "author_pendingExtrinsics",
    "author_removeExtrinsic",
    "chainSpec_v1_chainName",
    "chainSpec_v1_genesisHash",
    "chainSpec_v1_properties",
    "transaction_v1_broadcast",
    "transaction_v1_stop",
];

fn author_block(client: &Client, xts: Vec<Vec<u8>>, now: u64) -> H256 {
    let parent = client.best_header();
    let state = client.state_at(&parent.hash()).expect("state");
    let mut builder = BlockBuilder::new(client.executor(), &state, &parent, Default::default()).expect("init");
    builder.push_inherents(now).expect("inherents");
    for xt in xts {
        builder.push(xt).expect("applies");
    }
    client.commit_built(builder.build().expect("built"), None, true).expect("commit")
}

fn account_key(who: &ecochain_runtime::AccountId) -> Vec<u8> {
    use sp_crypto_hashing::{blake2_128, twox_128};
    let mut key = twox_128(b"System").to_vec();
    key.extend(twox_128(b"Account"));
    key.extend(blake2_128(who.as_ref()));
    key.extend(who.as_ref() as &[u8]);
    key
}

fn code_of(err: ClientError) -> i32 {
    match err {
        ClientError::Call(e) => e.code(),
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

async fn next_within<T: serde::de::DeserializeOwned>(sub: &mut Subscription<T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), sub.next())
        .await
        .expect("notification in time")
        .expect("subscription open")
        .expect("notification parses")
}

/// POST `body` to the server at `addr` over a fresh HTTP/1.1 connection; the
/// answer's JSON (any JSON-RPC request, batches with notifications or
/// malformed entries included, which the clients do not send).
async fn post_raw(addr: std::net::SocketAddr, body: &str) -> Value {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connects");
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("sends");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("reads");
    let (_, json) = response.split_once("\r\n\r\n").expect("headers end");
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {response}"))
}

fn start_config(rate: u32) -> Config {
    Config {
        addr: "127.0.0.1:0".parse().expect("addr"),
        rate_limit_per_ip_per_sec: rate,
        node_name: "ecochain-test".into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_serves_substrate_clients() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = ChainSpec::development().expect("spec");
    let client = Client::open(dir.path(), &Default::default(), spec).expect("open");
    let pool = TransactionPool::new(client.clone(), Default::default());
    let genesis = client.genesis_hash();
    let first = transfer(0, genesis);
    let block1 = author_block(&client, vec![first.clone()], 1_000);

    let deps = RpcDeps {
        client: client.clone(),
        pool: pool.clone(),
        system: Arc::new(StaticSystemInfo { peer_id: "12D3KooWtest".into(), authority: true }),
        consensus: None,
    };
    let (addr, handle) = start(start_config(0), rpc_module(deps.clone(), start_config(0)).expect("workers start"))
        .await
        .expect("starts");
    let http = HttpClientBuilder::default().build(format!("http://{addr}")).expect("http client");

    // Discovery: every method is listed.
    let listed: Value = http.request("rpc_methods", rpc_params![]).await.expect("rpc_methods");
    let listed_all = listed.clone();
    let listed: Vec<String> = serde_json::from_value(listed["methods"].clone()).expect("list");
    for name in EXPECTED_METHODS.iter().chain(tokens::TOKEN_METHODS) {
        assert!(listed.iter().any(|m| m == name), "{name} is not listed");
    }

    // System.
    let properties: Value = http.request("system_properties", rpc_params![]).await.expect("properties");
    assert_eq!(properties["tokenSymbol"], "ECT");
    let chain_type: String = http.request("system_chainType", rpc_params![]).await.expect("chain type");
    assert_eq!(chain_type, "Development");
    let health: Value = http.request("system_health", rpc_params![]).await.expect("health");
    assert_eq!(health, json!({ "peers": 0, "isSyncing": false, "shouldHavePeers": false }));
    let roles: Value = http.request("system_nodeRoles", rpc_params![]).await.expect("roles");
    assert_eq!(roles, json!(["Authority"]));

    // Blocks.
    let hash0: H256 = http.request("chain_getBlockHash", rpc_params![0]).await.expect("hash 0");
    assert_eq!(hash0, genesis);
    let hashes: Vec<Option<H256>> =
        http.request("chain_getBlockHash", rpc_params![vec![json!(0), json!("0x1"), json!(99)]]).await.expect("hashes");
    assert_eq!(hashes, vec![Some(genesis), Some(block1), None]);
    let best: H256 = http.request("chain_getBlockHash", rpc_params![]).await.expect("best");
    assert_eq!(best, block1);
    let finalized: H256 = http.request("chain_getFinalisedHead", rpc_params![]).await.expect("finalized");
    assert_eq!(finalized, block1);
    let header: Value = http.request("chain_getHeader", rpc_params![block1]).await.expect("header");
    assert_eq!(header["number"], "0x1");
    let header: Header = serde_json::from_value(header).expect("header parses");
    assert_eq!(H256(sp_crypto_hashing::blake2_256(&header.encode())), block1, "hash = blake2_256(SCALE(header))");
    let unknown: Value = http.request("chain_getHeader", rpc_params![H256::repeat_byte(1)]).await.expect("unknown");
    assert_eq!(unknown, Value::Null);
    let block: Value = http.request("chain_getBlock", rpc_params![block1]).await.expect("block");
    let extrinsics = block["block"]["extrinsics"].as_array().expect("extrinsics");
    assert_eq!(extrinsics.len(), 2, "timestamp inherent and the transfer");
    assert_eq!(extrinsics[1], json!(to_hex(&first)), "length-prefixed hex");
    assert_eq!(block["justifications"], Value::Null);

    // State.
    let version: Value = http.request("state_getRuntimeVersion", rpc_params![genesis]).await.expect("version");
    // The runtime's identity at `:code` (what polkadot-api keys runtimes by).
    let code_hash: Value = http.request("state_getStorageHash", rpc_params!["0x3a636f6465"]).await.expect("hash");
    let code: Value = http.request("state_getStorage", rpc_params!["0x3a636f6465"]).await.expect("code");
    let code = hex::decode(code.as_str().expect("present").trim_start_matches("0x")).expect("hex");
    assert!(code.starts_with(ecochain_runtime::identity::MAGIC), "{code:?}");
    assert_eq!(code_hash, format!("0x{}", hex::encode(sp_crypto_hashing::blake2_256(&code))));
    assert_eq!(version["specName"], "ecochain");
    let versions: String =
        http.request("state_call", rpc_params!["Metadata_metadata_versions", "0x"]).await.expect("state_call");
    let versions = Vec::<u32>::decode(&mut &parse_hex(&versions).expect("hex")[..]).expect("versions");
    assert!(versions.contains(&14), "{versions:?}");
    let metadata: String = http.request("state_getMetadata", rpc_params![]).await.expect("metadata");
    assert!(metadata.starts_with("0x6d657461"), "metadata starts with the magic");
    let alice_key = to_hex(&account_key(&Alice.to_account_id()));
    let stored: Option<String> = http.request("state_getStorage", rpc_params![&alice_key]).await.expect("storage");
    let stored = parse_hex(&stored.expect("Alice has an account")).expect("hex");
    assert_eq!(u32::decode(&mut &stored[..]).expect("nonce"), 1, "AccountInfo starts with the nonce");
    let at_genesis: Option<String> =
        http.request("state_getStorageAt", rpc_params![&alice_key, genesis]).await.expect("historic storage");
    assert_ne!(at_genesis.map(|v| parse_hex(&v).expect("hex")), Some(stored.clone()));
    let sets: Value = http.request("state_queryStorageAt", rpc_params![vec![&alice_key], block1]).await.expect("query");
    assert_eq!(sets, json!([{ "block": block1, "changes": [[alice_key, to_hex(&stored)]] }]));
    let range: Value =
        http.request("state_queryStorage", rpc_params![vec![&alice_key], genesis, block1]).await.expect("range");
    assert_eq!(range.as_array().map(Vec::len), Some(2), "changed at genesis and at #1");
    let keys: Vec<String> =
        http.request("state_getKeysPaged", rpc_params![&alice_key[..66], 10, Value::Null, block1]).await.expect("keys");
    assert!(keys.contains(&alice_key));
    let proof: Value = http.request("state_getReadProof", rpc_params![vec![&alice_key]]).await.expect("proof");
    assert_eq!(proof["at"], json!(block1));
    assert!(!proof["proof"].as_array().expect("nodes").is_empty());

    // Bad input is an error, not a panic.
    let err = http.request::<Value, _>("chain_getHeader", rpc_params!["0xzz"]).await.expect_err("bad hash");
    assert_eq!(code_of(err), -32602);
    let err = http
        .request::<Value, _>("state_getStorage", rpc_params![&alice_key, H256::repeat_byte(1)])
        .await
        .expect_err("unknown block");
    assert_eq!(code_of(err), -32000);
    let err = http.request::<Value, _>("state_getKeysPaged", rpc_params!["0x", 1001]).await.expect_err("count");
    assert_eq!(code_of(err), -32602);
    let err = http.request::<Value, _>("chain_getBlockHash", rpc_params![-1]).await.expect_err("negative");
    assert_eq!(code_of(err), -32602);
    let err = http.request::<Value, _>("system_name", rpc_params![1, 2]).await.expect_err("extra params");
    assert_eq!(code_of(err), -32602);
    // A batch: reads answered together on one worker keep the batch's order and
    // equal the single calls; other entries (unknown method, bad params, a
    // method served elsewhere, a notification, a malformed entry) answer as alone.
    let alice = Alice.to_account_id().to_ss58check();
    let batch = format!(
        r#"[{{"jsonrpc":"2.0","id":1,"method":"state_getStorage","params":["{alice_key}"]}},
            {{"jsonrpc":"2.0","id":"two","method":"chain_getHeader","params":[]}},
            {{"jsonrpc":"2.0","method":"system_name"}},
            {{"jsonrpc":"2.0","id":3,"method":"no_such_method"}},
            {{"jsonrpc":"2.0","id":4,"method":"state_getStorage","params":["0xzz"]}},
            {{"jsonrpc":"2.0","id":5,"method":"rpc_methods"}},
            42,
            {{"jsonrpc":"2.0","id":6,"method":"system_accountNextIndex","params":["{alice}"]}}]"#
    );
    let answers = post_raw(addr, &batch).await;
    let answers = answers.as_array().expect("a batch answer");
    let ids: Vec<&Value> = answers.iter().map(|a| &a["id"]).collect();
    assert_eq!(ids, [&json!(1), &json!("two"), &json!(3), &json!(4), &json!(5), &Value::Null, &json!(6)]);
    assert_eq!(answers[0]["result"], json!(to_hex(&stored)));
    let header: Value = http.request("chain_getHeader", rpc_params![]).await.expect("header");
    assert_eq!(answers[1]["result"], header);
    assert_eq!(answers[2]["error"]["code"], -32601);
    assert_eq!(answers[3]["error"]["code"], -32602);
    assert_eq!(answers[4]["result"], listed_all);
    assert_eq!(answers[5]["error"]["code"], -32600);
    let next: Value = http.request("system_accountNextIndex", rpc_params![&alice]).await.expect("next index");
    assert_eq!(answers[6]["result"], next);
    // Too large an answer is refused whole, as jsonrpsee does.
    let (small, small_handle) = start(
        Config { max_response_bytes: 1_000, ..start_config(0) },
        rpc_module(deps.clone(), start_config(0)).expect("workers"),
    )
    .await
    .expect("starts");
    let big = format!("[{}]", vec![r#"{"jsonrpc":"2.0","id":1,"method":"chain_getHeader"}"#; 20].join(","));
    let refused = post_raw(small, &big).await;
    assert_eq!(refused["error"]["code"], -32011, "{refused}");
    small_handle.stop().expect("stops");

    // Runtime APIs outside the read-only allow-list are refused before the runtime runs.
    let err = http.request::<Value, _>("state_call", rpc_params!["No_such_api", "0x"]).await.expect_err("no api");
    assert_eq!(code_of(err), -32602);
    let err =
        http.request::<Value, _>("state_call", rpc_params!["Core_execute_block", "0x00"]).await.expect_err("block");
    assert_eq!(code_of(err), -32602);
    // An allowed API with garbage arguments is a runtime error, not a crash.
    let err =
        http.request::<Value, _>("state_call", rpc_params!["EcoChainApi_ect_balance", "0x01"]).await.expect_err("bad");
    assert_eq!(code_of(err), -32000);

    // Tokens.
    let info: Value = http.request("ect_info", rpc_params![]).await.expect("ect_info");
    assert_eq!(info["symbol"], "ECT");
    assert!(info["totalSupply"].is_string(), "u128 above 2^53 as a string: {info}");
    let balance: Value = http
        .request("ect_balance", rpc_params!["5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"])
        .await
        .expect("balance");
    assert!(balance.is_object(), "{balance}");
    let err = http.request::<Value, _>("ect_balance", rpc_params!["nobody"]).await.expect_err("bad account");
    assert_eq!(code_of(err), -32602);

    // Author.
    let err = http.request::<Value, _>("author_submitExtrinsic", rpc_params!["0x1234"]).await.expect_err("garbage");
    assert_eq!(code_of(err), 1001);
    let second = transfer(1, genesis);
    let submitted: H256 = http.request("author_submitExtrinsic", rpc_params![to_hex(&second)]).await.expect("submits");
    assert_eq!(submitted, extrinsic_hash(&second));
    let err =
        http.request::<Value, _>("author_submitExtrinsic", rpc_params![to_hex(&second)]).await.expect_err("again");
    assert_eq!(code_of(err), 1013, "already imported");
    let stale = transfer(0, genesis);
    let err = http.request::<Value, _>("author_submitExtrinsic", rpc_params![to_hex(&stale)]).await.expect_err("stale");
    assert_eq!(code_of(err), 1010, "invalid: stale nonce");
    let pending: Vec<String> = http.request("author_pendingExtrinsics", rpc_params![]).await.expect("pending");
    assert_eq!(pending, vec![to_hex(&second)]);
    let next: u32 = http
        .request("system_accountNextIndex", rpc_params!["5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"])
        .await
        .expect("next index");
    assert_eq!(next, 2, "on-chain 1 plus the pending one");
    let err = http
        .request::<Value, _>("author_removeExtrinsic", rpc_params![vec![json!({ "hash": submitted })]])
        .await
        .expect_err("unsafe");
    assert_eq!(code_of(err), -32601);

    // Subscriptions over WebSocket: the current value at once, then changes.
    let ws = WsClientBuilder::default().build(format!("ws://{addr}")).await.expect("ws client");
    let mut heads: Subscription<Value> =
        ws.subscribe("chain_subscribeNewHead", rpc_params![], "chain_unsubscribeNewHead").await.expect("subscribes");
    assert_eq!(next_within(&mut heads).await["number"], "0x1", "current head at once");
    let mut finalized: Subscription<Value> = ws
        .subscribe("chain_subscribeFinalizedHeads", rpc_params![], "chain_unsubscribeFinalizedHeads")
        .await
        .expect("subscribes");
    assert_eq!(next_within(&mut finalized).await["number"], "0x1");
    let mut storage: Subscription<Value> = ws
        .subscribe("state_subscribeStorage", rpc_params![vec![&alice_key]], "state_unsubscribeStorage")
        .await
        .expect("subscribes");
    assert_eq!(next_within(&mut storage).await, json!({ "block": block1, "changes": [[alice_key, to_hex(&stored)]] }));
    let mut version: Subscription<Value> = ws
        .subscribe("state_subscribeRuntimeVersion", rpc_params![], "state_unsubscribeRuntimeVersion")
        .await
        .expect("subscribes");
    assert_eq!(next_within(&mut version).await["specName"], "ecochain");
    let third = transfer(2, genesis);
    let mut watch: Subscription<Value> = ws
        .subscribe("author_submitAndWatchExtrinsic", rpc_params![to_hex(&third)], "author_unwatchExtrinsic")
        .await
        .expect("watches");
    assert_eq!(next_within(&mut watch).await, json!("ready"));
    let err = ws
        .subscribe::<Value, _>("author_submitAndWatchExtrinsic", rpc_params!["0x00"], "author_unwatchExtrinsic")
        .await
        .expect_err("garbage");
    assert_eq!(code_of(err), 1001);

    let block2 = author_block(&client, vec![second, third.clone()], 2_000);
    assert_eq!(next_within(&mut heads).await["number"], "0x2");
    assert_eq!(next_within(&mut finalized).await["number"], "0x2");
    let change = next_within(&mut storage).await;
    assert_eq!(change["block"], json!(block2));
    assert_eq!(change["changes"][0][0], json!(alice_key));

    handle.stop().expect("stops");

    // The commit pruned the pool: what block 2 included is no longer pending.
    assert_eq!(pool.status().ready, 0, "included transactions left the pool");
    // Unsafe methods are served when asked for.
    let unsafe_config = Config { methods: RpcMethods::Unsafe, ..start_config(0) };
    let module = rpc_module(deps.clone(), unsafe_config).expect("workers start").module;
    let fourth = transfer(3, genesis);
    pool.submit(fourth.clone()).expect("pooled");
    let removed: Vec<H256> = module
        .call("author_removeExtrinsic", rpc_params![vec![json!({ "extrinsic": to_hex(&fourth) })]])
        .await
        .expect("removes");
    assert_eq!(removed, vec![extrinsic_hash(&fourth)]);

    // transaction_v1 (the new spec): an operation id; the transaction reaches the pool.
    let fifth = transfer(3, genesis);
    let op: String = module.call("transaction_v1_broadcast", rpc_params![to_hex(&fifth)]).await.expect("broadcast");
    assert_eq!(pool.status().ready, 1, "broadcast into the pool");
    let junk: String =
        module.call("transaction_v1_broadcast", rpc_params!["0x1234"]).await.expect("junk still gets an operation");
    assert_eq!(pool.status().ready, 1, "junk dropped silently");
    let stopped: Value = module.call("transaction_v1_stop", rpc_params![op.clone()]).await.expect("stop");
    assert_eq!(stopped, Value::Null);
    match module.call::<_, Value>("transaction_v1_stop", rpc_params![op]).await {
        Err(jsonrpsee::MethodsError::JsonRpc(e)) => {
            assert_eq!(e.code(), -32602)
        }
        other => panic!("a stopped operation stops once: {other:?}"),
    }
    let _: Value = module.call("transaction_v1_stop", rpc_params![junk]).await.expect("stop the junk one");

    // The rate limit: a burst of 2 per second per IP.
    let (addr, handle) =
        start(start_config(2), rpc_module(deps, start_config(2)).expect("workers start")).await.expect("starts");
    let http = HttpClientBuilder::default().build(format!("http://{addr}")).expect("http client");
    let mut limited = 0;
    for _ in 0..5 {
        if let Err(err) = http.request::<String, _>("system_name", rpc_params![]).await {
            assert_eq!(code_of(err), -32029);
            limited += 1;
        }
    }
    assert!(limited >= 2, "{limited} of 5 calls limited");
    handle.stop().expect("stops");
}
