//! `author_*`: submitting, watching, listing and removing transactions.
//!
//! Refusals are JSON-RPC errors with Substrate's codes: 1001 bad format (also
//! checked here before the pool sees the bytes), then whatever
//! [`SubmitError::rpc_code`](ecochain_client::SubmitError::rpc_code) says
//! (1002 verification, 1010 invalid with the reason as `data`, 1011 unknown,
//! 1012 banned, 1013 already imported, 1014 priority too low, 1016 pool full).

use crate::{
    chain::notify,
    error::{invalid_params, server_error, submit_error, unsafe_method, RpcResult},
    method,
    params::{parse_hex, to_hex, Args},
    Ctx,
};
use ecochain_client::extrinsic_hash;
use futures::StreamExt;
use jsonrpsee::{types::ErrorObjectOwned, PendingSubscriptionSink, RpcModule};
use serde_json::{json, Value};
use std::sync::Arc;

/// Bad-format refusal code.
pub(crate) const BAD_FORMAT: i32 = 1001;
/// Most extrinsics one `author_removeExtrinsic` call may name.
const MAX_REMOVE: usize = 1024;

/// The extrinsic's bytes if they decode as exactly one extrinsic.
pub(crate) fn check_format(bytes: &[u8]) -> RpcResult<()> {
    ecochain_runtime::decode::decode_extrinsic(bytes).map(|_| ()).map_err(bad_format)
}

fn bad_format(reason: impl std::fmt::Display) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(BAD_FORMAT, "Extrinsic has invalid format", Some(reason.to_string()))
}

fn extrinsic_param(args: &Args) -> RpcResult<Vec<u8>> {
    let bytes = args.bytes(0, "extrinsic")?;
    check_format(&bytes)?;
    Ok(bytes)
}

fn submit(ctx: &Ctx, args: Args) -> RpcResult {
    let bytes = extrinsic_param(&args)?;
    let hash = ctx.pool.submit(bytes).map_err(|e| submit_error(&e))?;
    Ok(json!(hash))
}

fn pending(ctx: &Ctx, _: Args) -> RpcResult {
    Ok(Value::Array(ctx.pool.pending().iter().map(|xt| json!(to_hex(xt))).collect()))
}

/// `{"hash": "0x…"}` or `{"extrinsic": "0x…"}` as the hash to remove.
pub(crate) fn hash_or_extrinsic(item: &Value) -> RpcResult<sp_core::H256> {
    let field = |name: &str| item.get(name).and_then(Value::as_str);
    if let Some(hash) = field("hash") {
        return crate::params::parse_h256(hash).map_err(invalid_params);
    }
    if let Some(xt) = field("extrinsic") {
        return parse_hex(xt).map(|bytes| extrinsic_hash(&bytes)).map_err(invalid_params);
    }
    Err(invalid_params(format!("expected {{\"hash\": …}} or {{\"extrinsic\": …}}, got {item}")))
}

fn remove(ctx: &Ctx, args: Args) -> RpcResult {
    if ctx.deny_unsafe() {
        return Err(unsafe_method());
    }
    let Some(Value::Array(items)) = args.get(0) else {
        return Err(invalid_params("expected a list of {\"hash\"} or {\"extrinsic\"} objects"));
    };
    if items.len() > MAX_REMOVE {
        return Err(invalid_params(format!("at most {MAX_REMOVE} extrinsics per call")));
    }
    let hashes = items.iter().map(hash_or_extrinsic).collect::<RpcResult<Vec<_>>>()?;
    Ok(json!(ctx.pool.remove(&hashes)))
}

/// Submits, then forwards every status of the transaction until a final one.
async fn submit_and_watch(ctx: Arc<Ctx>, pending: PendingSubscriptionSink, args: RpcResult<Args>) {
    let bytes = match args.and_then(|args| extrinsic_param(&args)) {
        Ok(bytes) => bytes,
        Err(e) => return pending.reject(e).await,
    };
    let pool = ctx.pool.clone();
    let submitted = match tokio::task::spawn_blocking(move || pool.submit_and_watch(bytes)).await {
        Ok(result) => result.map_err(|e| submit_error(&e)),
        Err(e) => Err(server_error(format!("submission task failed: {e}"))),
    };
    let (hash, mut statuses) = match submitted {
        Ok(watched) => watched,
        Err(e) => return pending.reject(e).await,
    };
    let Ok(sink) = pending.accept().await else { return };
    tracing::debug!(target: "rpc", %hash, "watching extrinsic");
    loop {
        let status = tokio::select! {
            _ = sink.closed() => return,
            status = statuses.next() => status,
        };
        let Some(status) = status else { return };
        let Ok(json) = serde_json::to_value(&status) else { return };
        if !notify(&sink, &json).await || status.is_final() {
            return;
        }
    }
}

pub(crate) fn register(module: &mut RpcModule<()>, ctx: &Arc<Ctx>) {
    method(module, ctx, "author_submitExtrinsic", 1, submit);
    method(module, ctx, "author_pendingExtrinsics", 0, pending);
    method(module, ctx, "author_removeExtrinsic", 1, remove);
    crate::subscription(
        module,
        ctx,
        ["author_submitAndWatchExtrinsic", "author_extrinsicUpdate", "author_unwatchExtrinsic"],
        |ctx, params, pending, _| submit_and_watch(ctx, pending, Args::parse(&params, 1)),
    );
}
