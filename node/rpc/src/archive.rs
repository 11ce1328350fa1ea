//! `archive_v1_*`: the archive group of the new JSON-RPC spec, for blocks at
//! any height (explorers and indexers).
//!
//! Blocks and headers are kept for the whole chain. States are kept for the
//! last blocks only unless the node runs with `--pruning archive`: on a
//! pruned node `archive_v1_call` and `archive_v1_storage` at an older block
//! answer an error that says the state was pruned, rather than a wrong value.
//!
//! `archive_v1_storage [hash, items, childTrie]` is a subscription: one
//! `storage` event per entry found, then `storageDone` (or `storageError`).
//! Entries are sent with back-pressure, a page at a time, so a query over a
//! large prefix holds at most a page in memory; `archive_v1_stopStorage` ends it.

use crate::{
    error::{client_error, invalid_params, RpcResult},
    method,
    params::{parse_block_number, to_hex, Args},
    storage_query::{self, Item},
    Ctx,
};
use codec::Encode;
use jsonrpsee::{PendingSubscriptionSink, RpcModule, SubscriptionSink};
use serde_json::{json, Value};
use sp_core::H256;
use std::sync::Arc;

/// Entries read per page of a descendant query.
const PAGE: usize = 256;

fn hash_by_height(ctx: &Ctx, args: Args) -> RpcResult {
    let height =
        parse_block_number(args.get(0).ok_or_else(|| invalid_params("missing height"))?).map_err(invalid_params)?;
    let hash = ctx.client.hash(height).map_err(client_error)?;
    Ok(json!(hash.into_iter().collect::<Vec<H256>>()))
}

fn required_hash(args: &Args) -> RpcResult<H256> {
    args.hash(0)?.ok_or_else(|| invalid_params("missing block hash"))
}

fn header(ctx: &Ctx, args: Args) -> RpcResult {
    let header = ctx.client.header(&required_hash(&args)?).map_err(client_error)?;
    Ok(header.map_or(Value::Null, |h| json!(to_hex(&h.encode()))))
}

fn body(ctx: &Ctx, args: Args) -> RpcResult {
    let block = ctx.client.block(&required_hash(&args)?).map_err(client_error)?;
    Ok(block.map_or(Value::Null, |b| json!(b.extrinsics.iter().map(|xt| to_hex(xt)).collect::<Vec<_>>())))
}

fn call(ctx: &Ctx, args: Args) -> RpcResult {
    let hash = required_hash(&args)?;
    let function = args.required_str(1, "function")?;
    let data = args.bytes(2, "callParameters")?;
    if ctx.client.header(&hash).map_err(client_error)?.is_none() {
        return Ok(Value::Null);
    }
    if let Err(refused) = crate::state::check_runtime_call(function, &data) {
        return Ok(json!({ "success": false, "error": refused.message() }));
    }
    Ok(match ctx.client.call(&hash, function, &data) {
        Ok(output) => json!({ "success": true, "value": to_hex(&output) }),
        Err(e) => json!({ "success": false, "error": e.to_string() }),
    })
}

/// Sends with back-pressure; false when the subscriber is gone.
async fn send(sink: &SubscriptionSink, event: &Value) -> bool {
    match serde_json::value::to_raw_value(event) {
        Ok(raw) => sink.send(raw).await.is_ok(),
        Err(_) => false,
    }
}

async fn storage(ctx: Arc<Ctx>, pending: PendingSubscriptionSink, args: RpcResult<Args>) {
    let parsed = args.and_then(|args| {
        let hash = required_hash(&args)?;
        let mut items = storage_query::parse_items(args.get(1))?;
        if storage_query::parse_child_trie(args.get(2))? {
            // No child tries on this chain: every child trie is empty.
            items.clear();
        }
        Ok((hash, items))
    });
    let (at, items) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return pending.reject(e).await,
    };
    let Ok(sink) = pending.accept().await else { return };
    let end = match run_storage(&ctx, &sink, at, items).await {
        Some(Ok(())) => json!({ "event": "storageDone" }),
        Some(Err(error)) => json!({ "event": "storageError", "error": error }),
        None => return,
    };
    let _ = send(&sink, &end).await;
}

/// Sends every entry; `None` when the subscriber left.
async fn run_storage(
    ctx: &Arc<Ctx>,
    sink: &SubscriptionSink,
    at: H256,
    items: Vec<Item>,
) -> Option<Result<(), String>> {
    for item in items {
        let mut after: Option<Vec<u8>> = None;
        loop {
            let (client, query, from) = (ctx.client.clone(), item.clone(), after.take());
            let page =
                ctx.workers.run(move || storage_query::read_page(&client, &at, &query, from.as_deref(), PAGE)).await;
            let (entries, next) = match page {
                Ok(page) => page,
                Err(e) => return Some(Err(e.message().to_owned())),
            };
            for mut entry in entries {
                entry["event"] = json!("storage");
                if !send(sink, &entry).await {
                    return None;
                }
            }
            match next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    }
    Some(Ok(()))
}

pub(crate) fn register(module: &mut RpcModule<()>, ctx: &Arc<Ctx>) {
    method(module, ctx, "archive_v1_finalizedHeight", 0, |ctx, _| Ok(json!(ctx.client.finalized_header().number)));
    method(module, ctx, "archive_v1_genesisHash", 0, |ctx, _| Ok(json!(ctx.client.genesis_hash())));
    method(module, ctx, "archive_v1_hashByHeight", 1, hash_by_height);
    method(module, ctx, "archive_v1_header", 1, header);
    method(module, ctx, "archive_v1_body", 1, body);
    method(module, ctx, "archive_v1_call", 3, call);
    crate::subscription(
        module,
        ctx,
        ["archive_v1_storage", "archive_v1_storageEvent", "archive_v1_stopStorage"],
        |ctx, params, pending, _| storage(ctx, pending, Args::parse(&params, 3)),
    );
}
