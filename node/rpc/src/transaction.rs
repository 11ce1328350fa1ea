//! `transaction_v1_broadcast` / `transaction_v1_stop` and
//! `transactionWatch_v1_submitAndWatch` / `_unwatch`: the transaction groups
//! of the new JSON-RPC spec (paritytech json-rpc-interface-spec).
//!
//! - `broadcast [hex]` hands the transaction to the pool as a local
//!   submission: it is journaled, gossiped, and re-propagated while it waits.
//!   A transaction that does not decode or that the pool refuses is dropped
//!   silently, as the spec allows, and still counts toward the limits until
//!   stopped. The answer is an opaque operation id, or `null` when the
//!   connection already holds [`PER_CONNECTION`] operations or the node
//!   [`NODE_WIDE`].
//! - `stop [operationId]` ends the operation (`null`); an id that is not an
//!   active operation is an invalid-params error. A transaction already in the
//!   pool stays there and may still be included, as on any node it reached.
//! - `transactionWatch_v1_submitAndWatch [hex]` submits and reports the
//!   pool's statuses as the spec's events: `validated` (ready or future),
//!   `bestChainBlockIncluded` (with the block and the index in it; `null`
//!   when its block is retracted), `finalized`, and `invalid` / `dropped` /
//!   `error` as the last event. Only a parameter that is not hex is a JSON-RPC
//!   error; bytes that do not decode, or that the pool refuses, answer an
//!   `invalid` (or `dropped`, for the pool's limits) event.

use crate::{chain::notify, error::invalid_params, params::Args, Ctx};
use ecochain_client::SubmitError;
use ecochain_txpool::{PoolError, TxStatus};
use futures::StreamExt;
use jsonrpsee::{ConnectionId, PendingSubscriptionSink, RpcModule};
use parking_lot::Mutex;
use serde_json::json;
use serde_json::Value;
use sp_core::H256;
use std::{collections::HashMap, sync::Arc};

/// Operations one connection may hold (the spec asks for at least 4).
pub(crate) const PER_CONNECTION: usize = 16;
/// Operations the node holds in all.
pub(crate) const NODE_WIDE: usize = 4_096;

/// Active broadcast operations: id -> the connection that opened it.
#[derive(Default)]
pub(crate) struct Broadcasts {
    ops: Mutex<(u64, HashMap<String, ConnectionId>)>,
}

impl Broadcasts {
    /// A new operation for `conn`, unless a limit is reached.
    fn open(&self, conn: ConnectionId) -> Option<String> {
        let mut guard = self.ops.lock();
        let (next, ops) = &mut *guard;
        if ops.len() >= NODE_WIDE || ops.values().filter(|c| **c == conn).count() >= PER_CONNECTION {
            return None;
        }
        *next += 1;
        let id = format!("{next:016x}");
        ops.insert(id.clone(), conn);
        Some(id)
    }

    /// End operation `id`; false if it is not active.
    fn stop(&self, id: &str) -> bool {
        self.ops.lock().1.remove(id).is_some()
    }
}

/// The last event of a transaction the pool refused.
fn refused(error: &SubmitError) -> Value {
    let dropped = matches!(error, SubmitError::Pool(PoolError::ImmediatelyDropped | PoolError::AlreadyImported));
    json!({ "event": if dropped { "dropped" } else { "invalid" }, "error": error.to_string() })
}

/// The block and index of transaction `tx` in block `block`, as events carry it.
fn location(ctx: &Ctx, tx: &H256, block: H256) -> Value {
    let index = match ctx.client.transaction_location(tx) {
        Ok(Some((at, index))) if at == block => Some(index),
        _ => ctx.client.block(&block).ok().flatten().and_then(|b| {
            b.extrinsics.iter().position(|xt| ecochain_client::extrinsic_hash(xt) == *tx).map(|i| i as u32)
        }),
    };
    json!({ "hash": block, "index": index.unwrap_or_default() })
}

/// The spec's event for a pool status (`None`: nothing to report).
fn watch_event(ctx: &Ctx, tx: &H256, status: &TxStatus) -> Option<Value> {
    Some(match status {
        TxStatus::Future | TxStatus::Ready => json!({ "event": "validated" }),
        TxStatus::Broadcast(_) => return None,
        TxStatus::InBlock(block) => json!({ "event": "bestChainBlockIncluded", "block": location(ctx, tx, *block) }),
        TxStatus::Retracted(_) => json!({ "event": "bestChainBlockIncluded", "block": null }),
        TxStatus::Finalized(block) => json!({ "event": "finalized", "block": location(ctx, tx, *block) }),
        TxStatus::Usurped(by) => json!({ "event": "invalid", "error": format!("replaced by {by:?}") }),
        TxStatus::Dropped => json!({ "event": "dropped", "error": "dropped from the pool (limits or expiry)" }),
        TxStatus::Invalid => json!({ "event": "invalid", "error": "declared invalid by the runtime" }),
    })
}

async fn submit_and_watch(ctx: Arc<Ctx>, pending: PendingSubscriptionSink, args: crate::error::RpcResult<Args>) {
    let bytes = match args.and_then(|args| args.bytes(0, "transaction")) {
        Ok(bytes) => bytes,
        Err(e) => return pending.reject(e).await,
    };
    let pool = ctx.pool.clone();
    let submitted = ctx.workers.run(move || Ok(pool.submit_and_watch(bytes))).await;
    let Ok(sink) = pending.accept().await else { return };
    let (tx, mut statuses) = match submitted {
        Ok(Ok(watched)) => watched,
        Ok(Err(e)) => {
            notify(&sink, &refused(&e)).await;
            return;
        }
        Err(e) => {
            notify(&sink, &json!({ "event": "error", "error": e.message() })).await;
            return;
        }
    };
    // Whether the last event sent was `validated` (repeats are skipped, as the spec allows).
    let mut validated = false;
    loop {
        let status = tokio::select! {
            _ = sink.closed() => return,
            status = statuses.next() => status,
        };
        let Some(status) = status else {
            notify(&sink, &json!({ "event": "dropped", "error": "no longer tracked" })).await;
            return;
        };
        let is_validation = matches!(status, TxStatus::Future | TxStatus::Ready);
        if is_validation && validated {
            continue;
        }
        if !matches!(status, TxStatus::Broadcast(_)) {
            validated = is_validation;
        }
        let ctx_ = ctx.clone();
        let status_ = status.clone();
        let event = ctx.workers.run(move || Ok(watch_event(&ctx_, &tx, &status_))).await;
        match event {
            Ok(Some(event)) => {
                if !notify(&sink, &event).await {
                    return;
                }
            }
            Ok(None) => {}
            Err(e) => {
                notify(&sink, &json!({ "event": "error", "error": e.message() })).await;
                return;
            }
        }
        if status.is_final() {
            return;
        }
    }
}

pub(crate) fn register(module: &mut RpcModule<()>, ctx: &Arc<Ctx>) {
    crate::subscription(
        module,
        ctx,
        ["transactionWatch_v1_submitAndWatch", "transactionWatch_v1_watchEvent", "transactionWatch_v1_unwatch"],
        |ctx, params, pending, _| submit_and_watch(ctx, pending, Args::parse(&params, 1)),
    );
    let c = ctx.clone();
    module
        .register_async_method("transaction_v1_broadcast", move |params, _, ext| {
            let ctx = c.clone();
            async move {
                let hex: String = params.one().map_err(|e| invalid_params(e.message()))?;
                let conn = ext.get::<ConnectionId>().copied().unwrap_or(ConnectionId(usize::MAX));
                let Some(id) = ctx.broadcasts.open(conn) else {
                    return Ok::<_, jsonrpsee::types::ErrorObjectOwned>(Value::Null);
                };
                if let Ok(bytes) = crate::params::parse_hex(&hex) {
                    let pool = ctx.pool.clone();
                    // Refused or malformed: dropped silently (the spec's choice).
                    let _ = ctx.workers.run(move || Ok(pool.submit(bytes).ok())).await;
                }
                Ok(Value::String(id))
            }
        })
        .expect("method names are unique");
    let c = ctx.clone();
    module
        .register_method("transaction_v1_stop", move |params, _, _| {
            let id: String = params.one().map_err(|e| invalid_params(e.message()))?;
            if c.broadcasts.stop(&id) {
                Ok(Value::Null)
            } else {
                Err(invalid_params(format!("{id} is not an active transaction_v1_broadcast operation")))
            }
        })
        .expect("method names are unique");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_connection_and_stop() {
        let b = Broadcasts::default();
        let ids: Vec<String> = (0..PER_CONNECTION).map(|_| b.open(ConnectionId(1)).expect("under the limit")).collect();
        assert_eq!(b.open(ConnectionId(1)), None, "the connection's share is used");
        assert!(b.open(ConnectionId(2)).is_some(), "another connection is not affected");
        assert!(b.stop(&ids[0]));
        assert!(!b.stop(&ids[0]), "an operation stops once");
        assert!(b.open(ConnectionId(1)).is_some(), "a stopped operation frees its slot");
        assert!(!b.stop("nope"));
    }
}
