//! `txpool_status` and `txpool_inspect`, as geth names them: what the pool
//! holds, per sender, and why a transaction waits (the nonce it needs).

use crate::{error::RpcResult, method, params::Args, Ctx};
use codec::Decode;
use ecochain_runtime::{AccountId, Address, Nonce};
use jsonrpsee::RpcModule;
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;
use std::sync::Arc;

/// Most senders `txpool_inspect` lists (the fullest first).
const MAX_SENDERS: usize = 1000;

/// The account a pool sender key names (the SCALE `MultiAddress` of a signed extrinsic).
fn account(sender: &[u8]) -> Option<AccountId> {
    match Address::decode(&mut &sender[..]).ok()? {
        Address::Id(who) => Some(who),
        _ => None,
    }
}

/// The nonce a frame-system nonce tag (`(who, nonce).encode()`) names.
pub(crate) fn tag_nonce(tag: &[u8]) -> Option<Nonce> {
    <(AccountId, Nonce)>::decode(&mut &tag[..]).ok().map(|(_, nonce)| nonce)
}

fn status(ctx: &Ctx, _: Args) -> RpcResult {
    let s = ctx.pool.status();
    Ok(json!({ "ready": s.ready, "future": s.future, "bytes": s.bytes }))
}

fn inspect(ctx: &Ctx, _: Args) -> RpcResult {
    let mut senders = ctx.pool.inner().sender_statuses();
    senders.sort_by_key(|s| std::cmp::Reverse(s.ready + s.future));
    let listed: Vec<Value> = senders
        .iter()
        .take(MAX_SENDERS)
        .map(|s| {
            let who = account(&s.sender)
                .map(|a| a.to_ss58check_with_version(ecochain_runtime::SS58_PREFIX.into()))
                .unwrap_or_else(|| format!("0x{}", hex::encode(&s.sender)));
            let missing: Vec<Value> =
                s.missing().iter().map(|tag| tag_nonce(tag).map_or(Value::Null, |n| json!(n))).collect();
            json!({
                "sender": who,
                "ready": s.ready,
                "future": s.future,
                "bytes": s.ready_bytes + s.future_bytes,
                "waitingForNonces": missing,
            })
        })
        .collect();
    let total = ctx.pool.status();
    Ok(json!({
        "ready": total.ready,
        "future": total.future,
        "senders": listed,
        "sendersTotal": senders.len(),
    }))
}

pub(crate) fn register(module: &mut RpcModule<()>, ctx: &Arc<Ctx>) {
    method(module, ctx, "txpool_status", 0, status);
    method(module, ctx, "txpool_inspect", 0, inspect);
}

#[cfg(test)]
mod tests {
    use super::*;
    use codec::Encode;

    #[test]
    fn nonce_tags_and_senders_decode() {
        let who = AccountId::new([5; 32]);
        assert_eq!(tag_nonce(&(who.clone(), 7u32).encode()), Some(7));
        assert_eq!(tag_nonce(b"junk"), None);
        assert_eq!(account(&Address::Id(who.clone()).encode()), Some(who));
        assert_eq!(account(b""), None);
    }
}
