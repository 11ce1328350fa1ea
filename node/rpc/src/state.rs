//! `state_*`: storage, keys, runtime calls, metadata, runtime version,
//! read proofs and storage subscriptions.

use crate::{
    alias,
    chain::notify,
    error::{client_error, invalid_params, server_error, RpcResult},
    method,
    params::{block_or_best, to_hex, to_json, Args},
    read, Ctx,
};
use ecochain_client::{ChainEvent, Client};
use jsonrpsee::{PendingSubscriptionSink, RpcModule};
use serde_json::{json, Value};
use sp_core::H256;
use sp_runtime::traits::{BlakeTwo256, Hash as HashT};
use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};
use tokio::sync::broadcast::error::RecvError;

/// Most keys `state_getKeysPaged` returns at once.
pub(crate) const MAX_KEYS_PAGE: u64 = 1000;
/// Most keys `state_getKeys` returns (more is an error: page with `state_getKeysPaged`).
pub(crate) const MAX_KEYS: usize = 1000;
/// Most keys one storage query or subscription may name.
pub(crate) const MAX_QUERY_KEYS: usize = 1000;
/// Most blocks one `state_queryStorage` call may span.
pub(crate) const MAX_QUERY_BLOCKS: u32 = 1024;
/// Longest runtime API method name accepted by `state_call`.
const MAX_METHOD_NAME: usize = 128;

/// A storage key and its value (`None`: absent).
pub(crate) type Change = (Vec<u8>, Option<Vec<u8>>);

/// One `StorageChangeSet`: `{"block": hash, "changes": [[key, value | null], …]}`.
pub(crate) fn change_set_json(block: H256, changes: &[Change]) -> Value {
    let changes: Vec<Value> = changes.iter().map(|(k, v)| json!([to_hex(k), v.as_deref().map(to_hex)])).collect();
    json!({ "block": block, "changes": changes })
}

fn read_values(client: &Client, at: &H256, keys: &[Vec<u8>]) -> RpcResult<Vec<Change>> {
    let state = client.state_at(at).map_err(client_error)?;
    keys.iter()
        .map(|key| {
            use sp_state_machine::Backend;
            let value = state.storage(key).map_err(|e| server_error(format!("state: {e}")))?;
            Ok((key.clone(), value))
        })
        .collect()
}

fn get_storage(ctx: &Ctx, args: Args) -> RpcResult {
    let key = args.bytes(0, "storage key")?;
    let at = block_or_best(&ctx.client, args.hash(1)?)?;
    let value = crate::view::storage(ctx, &at, &key)?;
    Ok(value.map_or(Value::Null, |v| json!(to_hex(&v))))
}

fn get_storage_hash(ctx: &Ctx, args: Args) -> RpcResult {
    let key = args.bytes(0, "storage key")?;
    let at = block_or_best(&ctx.client, args.hash(1)?)?;
    let value = crate::view::storage(ctx, &at, &key)?;
    Ok(value.map_or(Value::Null, |v| json!(<BlakeTwo256 as HashT>::hash(&v))))
}

fn get_storage_size(ctx: &Ctx, args: Args) -> RpcResult {
    let key = args.bytes(0, "storage key")?;
    let at = block_or_best(&ctx.client, args.hash(1)?)?;
    let value = crate::view::storage(ctx, &at, &key)?;
    Ok(value.map_or(Value::Null, |v| json!(v.len())))
}

fn keys_json(keys: &[Vec<u8>]) -> Value {
    Value::Array(keys.iter().map(|k| json!(to_hex(k))).collect())
}

fn get_keys_paged(ctx: &Ctx, args: Args) -> RpcResult {
    let prefix = args.opt_bytes(0, "prefix")?.unwrap_or_default();
    let count = args.u64(1, "count")?;
    if count > MAX_KEYS_PAGE {
        return Err(invalid_params(format!("count exceeds maximum value. value: {count}, max: {MAX_KEYS_PAGE}")));
    }
    let start = args.opt_bytes(2, "start key")?;
    let at = block_or_best(&ctx.client, args.hash(3)?)?;
    let keys = ctx.client.keys_paged(&at, &prefix, count as usize, start.as_deref()).map_err(client_error)?;
    Ok(keys_json(&keys))
}

fn get_keys(ctx: &Ctx, args: Args) -> RpcResult {
    let prefix = args.opt_bytes(0, "prefix")?.unwrap_or_default();
    let at = block_or_best(&ctx.client, args.hash(1)?)?;
    let keys = ctx.client.keys_paged(&at, &prefix, MAX_KEYS + 1, None).map_err(client_error)?;
    if keys.len() > MAX_KEYS {
        return Err(server_error(format!("more than {MAX_KEYS} keys under this prefix: use state_getKeysPaged")));
    }
    Ok(keys_json(&keys))
}

fn query_storage_at(ctx: &Ctx, args: Args) -> RpcResult {
    let keys = args.keys(0, MAX_QUERY_KEYS)?;
    let at = block_or_best(&ctx.client, args.hash(1)?)?;
    let changes = read_values(&ctx.client, &at, &keys)?;
    Ok(json!([change_set_json(at, &changes)]))
}

fn canonical_number(ctx: &Ctx, hash: H256) -> RpcResult<u32> {
    let header = ctx
        .client
        .header(&hash)
        .map_err(client_error)?
        .ok_or_else(|| server_error(format!("Unknown block {hash:?}")))?;
    if ctx.client.hash(header.number).map_err(client_error)? != Some(hash) {
        return Err(server_error(format!("block {hash:?} is not on the canonical chain")));
    }
    Ok(header.number)
}

fn query_storage(ctx: &Ctx, args: Args) -> RpcResult {
    let keys = args.keys(0, MAX_QUERY_KEYS)?;
    let from = args.hash(1)?.ok_or_else(|| invalid_params("missing from block hash"))?;
    let to = args.hash(2)?.unwrap_or_else(|| ctx.client.best_hash());
    let (first, last) = (canonical_number(ctx, from)?, canonical_number(ctx, to)?);
    if first > last {
        return Err(server_error(format!("invalid block range: from #{first} is after to #{last}")));
    }
    if last - first >= MAX_QUERY_BLOCKS {
        return Err(server_error(format!("block range too large: at most {MAX_QUERY_BLOCKS} blocks per query")));
    }
    let mut previous: HashMap<Vec<u8>, Option<Vec<u8>>> = HashMap::new();
    let mut sets = Vec::new();
    for number in first..=last {
        let hash = ctx
            .client
            .hash(number)
            .map_err(client_error)?
            .ok_or_else(|| server_error(format!("no block #{number}")))?;
        let changes: Vec<_> = read_values(&ctx.client, &hash, &keys)?
            .into_iter()
            .filter(|(key, value)| previous.get(key) != Some(value))
            .collect();
        if !changes.is_empty() {
            sets.push(change_set_json(hash, &changes));
            previous.extend(changes);
        }
    }
    Ok(Value::Array(sets))
}

fn get_metadata(ctx: &Ctx, args: Args) -> RpcResult {
    block_or_best(&ctx.client, args.hash(0)?)?;
    Ok(json!(to_hex(&ctx.client.metadata().map_err(client_error)?)))
}

fn get_runtime_version(ctx: &Ctx, args: Args) -> RpcResult {
    block_or_best(&ctx.client, args.hash(0)?)?;
    to_json(&ctx.client.runtime_version())
}

/// Runtime API methods `state_call` serves: read-only queries. Each runtime API
/// decodes its arguments with plain `Decode`, so methods that take an
/// extrinsic are decoded here first, with the depth limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RuntimeCallKind {
    /// Arguments of fixed shape (accounts, numbers, nothing): passed through.
    Query,
    /// `TaggedTransactionQueue_validate_transaction`: (source, extrinsic, block hash).
    ValidateTransaction,
}

/// What `state_call` does with `name`: serve it (and how), or refuse it with the reason.
fn runtime_call_kind(name: &str) -> Result<RuntimeCallKind, &'static str> {
    const QUERIES: &[&str] = &[
        "Core_version",
        "Metadata_metadata",
        "Metadata_metadata_at_version",
        "Metadata_metadata_versions",
        "AccountNonceApi_account_nonce",
        "GenesisBuilder_get_preset",
        "GenesisBuilder_preset_names",
    ];
    const QUERY_APIS: &[&str] = &["EcoChainApi_", "BridgeApi_", "PermissionsApi_"];
    if name == "TaggedTransactionQueue_validate_transaction" {
        return Ok(RuntimeCallKind::ValidateTransaction);
    }
    if QUERIES.contains(&name) || QUERY_APIS.iter().any(|api| name.starts_with(api)) {
        return Ok(RuntimeCallKind::Query);
    }
    if name.starts_with("BlockBuilder_") || name.starts_with("Core_") {
        return Err("executes or builds blocks: not served over RPC");
    }
    Err("not a read-only runtime API served over RPC")
}

/// Check `state_call`'s method and arguments before the runtime sees them.
pub(crate) fn check_runtime_call(name: &str, data: &[u8]) -> RpcResult<()> {
    if name.len() > MAX_METHOD_NAME || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(invalid_params(format!("{name:?} is not a runtime API method name")));
    }
    match runtime_call_kind(name) {
        Ok(RuntimeCallKind::Query) => Ok(()),
        Ok(RuntimeCallKind::ValidateTransaction) => ecochain_runtime::decode::decode_validate_transaction_args(data)
            .map(|_| ())
            .map_err(|e| invalid_params(format!("{name}: {e}"))),
        Err(why) => Err(invalid_params(format!("state_call of {name}: {why}"))),
    }
}

fn call(ctx: &Ctx, args: Args) -> RpcResult {
    let name = args.required_str(0, "runtime API method")?;
    let data = args.opt_bytes(1, "call data")?.unwrap_or_default();
    check_runtime_call(name, &data)?;
    let at = block_or_best(&ctx.client, args.hash(2)?)?;
    let output = ctx.client.call(&at, name, &data).map_err(client_error)?;
    Ok(json!(to_hex(&output)))
}

fn get_read_proof(ctx: &Ctx, args: Args) -> RpcResult {
    let keys = args.keys(0, MAX_QUERY_KEYS)?;
    let at = block_or_best(&ctx.client, args.hash(1)?)?;
    let state = ctx.client.state_at(&at).map_err(client_error)?;
    let proof = sp_state_machine::prove_read(state, keys.iter())
        .map_err(|e| server_error(format!("cannot prove read: {e}")))?;
    let nodes: Vec<String> = proof.into_iter_nodes().map(|node| to_hex(&node)).collect();
    Ok(json!({ "at": at, "proof": nodes }))
}

/// Values of `keys` at `at`, read on the blocking pool.
async fn read_async(ctx: &Arc<Ctx>, at: H256, keys: Arc<Vec<Vec<u8>>>) -> RpcResult<Vec<Change>> {
    let ctx = ctx.clone();
    tokio::task::spawn_blocking(move || read_values(&ctx.client, &at, &keys))
        .await
        .map_err(|e| server_error(format!("storage read task failed: {e}")))?
}

/// Emits the current values of the keys, then a change set whenever an
/// imported block changes one of them. After a lag it compares the values at
/// the best block with the last ones sent, so no change is lost.
async fn follow_storage(ctx: Arc<Ctx>, pending: PendingSubscriptionSink, keys: Vec<Vec<u8>>) {
    let mut events = ctx.client.subscribe();
    let watched: HashSet<Vec<u8>> = keys.iter().cloned().collect();
    let keys = Arc::new(keys);
    let best = ctx.client.best_hash();
    let initial = match read_async(&ctx, best, keys.clone()).await {
        Ok(values) => values,
        Err(e) => return pending.reject(e).await,
    };
    let Ok(sink) = pending.accept().await else { return };
    if !notify(&sink, &change_set_json(best, &initial)).await {
        return;
    }
    let mut sent: HashMap<Vec<u8>, Option<Vec<u8>>> = initial.into_iter().collect();
    loop {
        let event = tokio::select! {
            _ = sink.closed() => return,
            event = events.recv() => event,
        };
        let (at, to_read) = match event {
            Ok(ChainEvent::Imported { hash, changed_keys, .. }) => {
                let hit: Vec<Vec<u8>> = changed_keys.iter().filter(|k| watched.contains(*k)).cloned().collect();
                if hit.is_empty() {
                    continue;
                }
                (hash, Arc::new(hit))
            }
            Ok(ChainEvent::Finalized { .. }) => continue,
            Err(RecvError::Lagged(skipped)) => {
                tracing::debug!(target: "rpc", skipped, "storage subscription lagged, resyncing at best");
                (ctx.client.best_hash(), keys.clone())
            }
            Err(RecvError::Closed) => return,
        };
        let values = match read_async(&ctx, at, to_read).await {
            Ok(values) => values,
            Err(e) => {
                tracing::debug!(target: "rpc", error = ?e, "storage subscription read failed");
                continue;
            }
        };
        let changes: Vec<_> = values.into_iter().filter(|(k, v)| sent.get(k) != Some(v)).collect();
        if changes.is_empty() {
            continue;
        }
        if !notify(&sink, &change_set_json(at, &changes)).await {
            return;
        }
        sent.extend(changes);
    }
}

async fn subscribe_storage(ctx: Arc<Ctx>, pending: PendingSubscriptionSink, args: RpcResult<Args>) {
    let keys = match args.and_then(|args| args.keys(0, MAX_QUERY_KEYS)) {
        Ok(keys) if !keys.is_empty() => keys,
        Ok(_) => return pending.reject(invalid_params("state_subscribeStorage needs at least one key")).await,
        Err(e) => return pending.reject(e).await,
    };
    follow_storage(ctx, pending, keys).await
}

/// Emits the runtime version once (the runtime is native: it never changes
/// while the node runs), then keeps the subscription open.
async fn follow_runtime_version(ctx: Arc<Ctx>, pending: PendingSubscriptionSink) {
    let Ok(version) = to_json(&ctx.client.runtime_version()) else { return };
    let Ok(sink) = pending.accept().await else { return };
    if notify(&sink, &version).await {
        sink.closed().await;
    }
}

pub(crate) fn register(module: &mut RpcModule<()>, ctx: &Arc<Ctx>) {
    read(module, ctx, "state_getStorage", 2, get_storage);
    alias(module, ctx, "state_getStorageAt", "state_getStorage");
    read(module, ctx, "state_getStorageHash", 2, get_storage_hash);
    alias(module, ctx, "state_getStorageHashAt", "state_getStorageHash");
    read(module, ctx, "state_getStorageSize", 2, get_storage_size);
    alias(module, ctx, "state_getStorageSizeAt", "state_getStorageSize");
    method(module, ctx, "state_getKeysPaged", 4, get_keys_paged);
    alias(module, ctx, "state_getKeysPagedAt", "state_getKeysPaged");
    method(module, ctx, "state_getKeys", 2, get_keys);
    method(module, ctx, "state_queryStorageAt", 2, query_storage_at);
    method(module, ctx, "state_queryStorage", 3, query_storage);
    method(module, ctx, "state_getMetadata", 1, get_metadata);
    method(module, ctx, "state_getRuntimeVersion", 1, get_runtime_version);
    alias(module, ctx, "chain_getRuntimeVersion", "state_getRuntimeVersion");
    method(module, ctx, "state_call", 3, call);
    alias(module, ctx, "state_callAt", "state_call");
    method(module, ctx, "state_getReadProof", 2, get_read_proof);

    crate::subscription(
        module,
        ctx,
        ["state_subscribeStorage", "state_storage", "state_unsubscribeStorage"],
        |ctx, params, pending, _| subscribe_storage(ctx, pending, Args::parse(&params, 1)),
    );
    crate::subscription(
        module,
        ctx,
        ["state_subscribeRuntimeVersion", "state_runtimeVersion", "state_unsubscribeRuntimeVersion"],
        |ctx, _, pending, _| follow_runtime_version(ctx, pending),
    );
    alias(module, ctx, "chain_subscribeRuntimeVersion", "state_subscribeRuntimeVersion");
    alias(module, ctx, "chain_unsubscribeRuntimeVersion", "state_unsubscribeRuntimeVersion");
}
