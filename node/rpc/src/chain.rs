//! `chain_*`: block hashes, headers, blocks, and head subscriptions.

use crate::{
    alias,
    error::{client_error, invalid_params, RpcResult},
    method,
    params::{parse_block_number, to_hex, to_json, Args},
    read, Ctx,
};
use ecochain_client::{ChainEvent, StoredBlock};
use ecochain_runtime::Header;
use jsonrpsee::{PendingSubscriptionSink, RpcModule, SubscriptionSink};
use serde_json::{json, Value};
use sp_core::H256;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

/// Most block numbers one `chain_getBlockHash` call may ask for.
const MAX_HASHES_PER_CALL: usize = 1024;

/// A header as Substrate's serde renders it (hex number, `digest.logs`).
pub(crate) fn header_json(header: &Header) -> RpcResult {
    to_json(header)
}

/// A `SignedBlock`: extrinsics as hex of their length-prefixed encodings,
/// justifications with sp-runtime's serde (`[[engineId, bytes]]` or null).
pub(crate) fn signed_block_json(block: &StoredBlock) -> RpcResult {
    Ok(json!({
        "block": {
            "header": header_json(&block.header)?,
            "extrinsics": block.extrinsics.iter().map(|xt| to_hex(xt)).collect::<Vec<_>>(),
        },
        "justifications": to_json(&block.justifications)?,
    }))
}

fn hash_at(ctx: &Ctx, number: &Value) -> RpcResult {
    let number = parse_block_number(number).map_err(invalid_params)?;
    let hash = ctx.client.hash(number).map_err(client_error)?;
    Ok(hash.map_or(Value::Null, |h| json!(h)))
}

fn get_block_hash(ctx: &Ctx, args: Args) -> RpcResult {
    match args.get(0) {
        None => Ok(json!(ctx.client.best_hash())),
        Some(Value::Array(numbers)) => {
            if numbers.len() > MAX_HASHES_PER_CALL {
                return Err(invalid_params(format!("at most {MAX_HASHES_PER_CALL} block numbers per call")));
            }
            numbers
                .iter()
                .map(|n| if n.is_null() { Ok(json!(ctx.client.best_hash())) } else { hash_at(ctx, n) })
                .collect::<RpcResult<Vec<_>>>()
                .map(Value::Array)
        }
        Some(number) => hash_at(ctx, number),
    }
}

fn get_header(ctx: &Ctx, args: Args) -> RpcResult {
    let header = match args.hash(0)? {
        None => Some(ctx.client.best_header()),
        Some(hash) => ctx.client.header(&hash).map_err(client_error)?,
    };
    header.as_ref().map_or(Ok(Value::Null), header_json)
}

fn get_block(ctx: &Ctx, args: Args) -> RpcResult {
    let hash = args.hash(0)?.unwrap_or_else(|| ctx.client.best_hash());
    match ctx.client.block(&hash).map_err(client_error)? {
        Some(block) => signed_block_json(&block),
        None => Ok(Value::Null),
    }
}

/// Sends `value` as a notification; `false` when the subscriber is gone.
///
/// A subscriber that does not read its notifications fills its connection's
/// buffer; it is then dropped (the subscription ends) rather than buffered
/// without limit or allowed to hold up the task that serves it.
pub(crate) async fn notify(sink: &SubscriptionSink, value: &Value) -> bool {
    match serde_json::value::to_raw_value(value) {
        Ok(raw) => match sink.clone().try_send(raw) {
            Ok(()) => true,
            Err(jsonrpsee::core::server::TrySendError::Full(_)) => {
                tracing::debug!(target: "rpc", method = sink.method_name(), "slow subscriber dropped");
                false
            }
            Err(jsonrpsee::core::server::TrySendError::Closed(_)) => false,
        },
        Err(e) => {
            tracing::warn!(target: "rpc", error = %e, "cannot serialize a notification");
            false
        }
    }
}

/// Which heads a subscription follows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Heads {
    /// Each new best block (`chain_newHead`).
    New,
    /// Each finalized block (`chain_finalizedHead`).
    Finalized,
    /// Each imported block (`chain_allHead`).
    All,
}

/// Emits the current head, then one per matching [`ChainEvent`]. A lagging
/// receiver skips ahead to the newest events instead of ending.
async fn follow_heads(ctx: Arc<Ctx>, pending: PendingSubscriptionSink, heads: Heads) {
    let mut events = ctx.client.subscribe();
    let Ok(sink) = pending.accept().await else { return };
    let current = match heads {
        Heads::Finalized => ctx.client.finalized_header(),
        Heads::New | Heads::All => ctx.client.best_header(),
    };
    let mut last: H256 = current.hash();
    match header_json(&current) {
        Ok(json) if notify(&sink, &json).await => {}
        _ => return,
    }
    loop {
        let event = tokio::select! {
            _ = sink.closed() => return,
            event = events.recv() => event,
        };
        let (header, hash) = match event {
            Ok(ChainEvent::Imported { header, hash, .. }) if heads != Heads::Finalized => (header, hash),
            Ok(ChainEvent::Finalized { header, hash, .. }) if heads == Heads::Finalized => (header, hash),
            Ok(_) => continue,
            Err(RecvError::Lagged(skipped)) => {
                tracing::debug!(target: "rpc", skipped, "head subscription lagged, skipping ahead");
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        if hash == last {
            continue;
        }
        last = hash;
        match header_json(&header) {
            Ok(json) if notify(&sink, &json).await => {}
            _ => return,
        }
    }
}

fn subscribe_heads(module: &mut RpcModule<()>, ctx: &Arc<Ctx>, names: [&'static str; 3], heads: Heads) {
    crate::subscription(module, ctx, names, move |ctx, _, pending, _| follow_heads(ctx, pending, heads));
}

pub(crate) fn register(module: &mut RpcModule<()>, ctx: &Arc<Ctx>) {
    method(module, ctx, "chain_getBlockHash", 1, get_block_hash);
    alias(module, ctx, "chain_getHead", "chain_getBlockHash");
    read(module, ctx, "chain_getHeader", 1, get_header);
    method(module, ctx, "chain_getBlock", 1, get_block);
    read(module, ctx, "chain_getFinalizedHead", 0, |ctx, _| Ok(json!(ctx.client.finalized_hash())));
    alias(module, ctx, "chain_getFinalisedHead", "chain_getFinalizedHead");

    subscribe_heads(module, ctx, ["chain_subscribeNewHeads", "chain_newHead", "chain_unsubscribeNewHeads"], Heads::New);
    alias(module, ctx, "chain_subscribeNewHead", "chain_subscribeNewHeads");
    alias(module, ctx, "subscribe_newHead", "chain_subscribeNewHeads");
    alias(module, ctx, "chain_unsubscribeNewHead", "chain_unsubscribeNewHeads");
    alias(module, ctx, "unsubscribe_newHead", "chain_unsubscribeNewHeads");

    subscribe_heads(
        module,
        ctx,
        ["chain_subscribeFinalizedHeads", "chain_finalizedHead", "chain_unsubscribeFinalizedHeads"],
        Heads::Finalized,
    );
    alias(module, ctx, "chain_subscribeFinalisedHeads", "chain_subscribeFinalizedHeads");
    alias(module, ctx, "chain_unsubscribeFinalisedHeads", "chain_unsubscribeFinalizedHeads");

    subscribe_heads(module, ctx, ["chain_subscribeAllHeads", "chain_allHead", "chain_unsubscribeAllHeads"], Heads::All);
}
