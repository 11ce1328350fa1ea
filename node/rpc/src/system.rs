//! `system_*`: node identity, network health and account nonces.

use crate::{
    alias,
    error::RpcResult,
    method,
    params::{to_json, Args},
    Ctx,
};
use codec::Encode;
use ecochain_runtime::{AccountId, Address, Nonce};
use jsonrpsee::RpcModule;
use serde::Serialize;
use serde_json::{json, Value};
use sp_runtime::generic::Preamble;
use std::sync::Arc;

/// A connected peer, as `system_peers` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerInfo {
    /// Its peer id.
    pub peer_id: String,
    /// Its roles (`"AUTHORITY"`, `"FULL"`).
    pub roles: String,
    /// Its best block hash (`0x…`).
    pub best_hash: String,
    /// Its best block number.
    pub best_number: u32,
}

/// What the network layer tells RPC.
pub trait SystemInfo: Send + Sync {
    /// Connected peers.
    fn peers(&self) -> Vec<PeerInfo>;
    /// Whether the node is catching up with the network.
    fn is_syncing(&self) -> bool;
    /// Whether the node is expected to have peers (false on a single-node dev chain).
    fn should_have_peers(&self) -> bool;
    /// The node's own peer id.
    fn local_peer_id(&self) -> String;
    /// Whether the node is a validator.
    fn is_authority(&self) -> bool;
    /// Highest block number any peer announced, if known.
    fn highest_block(&self) -> Option<u32>;
}

/// A [`SystemInfo`] for nodes without a network (dev chains, tests).
#[derive(Clone, Debug, Default)]
pub struct StaticSystemInfo {
    /// The peer id reported.
    pub peer_id: String,
    /// Whether the node is a validator.
    pub authority: bool,
}

impl SystemInfo for StaticSystemInfo {
    fn peers(&self) -> Vec<PeerInfo> {
        Vec::new()
    }

    fn is_syncing(&self) -> bool {
        false
    }

    fn should_have_peers(&self) -> bool {
        false
    }

    fn local_peer_id(&self) -> String {
        self.peer_id.clone()
    }

    fn is_authority(&self) -> bool {
        self.authority
    }

    fn highest_block(&self) -> Option<u32> {
        None
    }
}

/// The nonce `who` signed `xt` with, if `who` signed it.
pub(crate) fn signed_nonce(xt: &[u8], who: &AccountId) -> Option<Nonce> {
    let uxt = ecochain_runtime::decode::decode_extrinsic(xt).ok()?;
    match uxt.preamble {
        Preamble::Signed(Address::Id(signer), _, extension) if &signer == who => Some(extension.6 .0),
        _ => None,
    }
}

/// The next nonce of `who`: past its on-chain nonce and every pending transaction of it.
pub(crate) fn next_index(on_chain: Nonce, pending: &[Vec<u8>], who: &AccountId) -> Nonce {
    pending
        .iter()
        .filter_map(|xt| signed_nonce(xt, who))
        .filter(|nonce| *nonce >= on_chain)
        .fold(on_chain, |next, nonce| next.max(nonce.saturating_add(1)))
}

fn account_next_index(ctx: &Ctx, args: Args) -> RpcResult {
    let who = args.account(0)?;
    let best = ctx.client.best_hash();
    let on_chain: Nonce = crate::view::call(ctx, &best, "AccountNonceApi_account_nonce", &who.encode())?;
    Ok(json!(next_index(on_chain, &ctx.pool.pending_of(&who), &who)))
}

pub(crate) fn register(module: &mut RpcModule<()>, ctx: &Arc<Ctx>) {
    method(module, ctx, "system_name", 0, |ctx, _| Ok(json!(ctx.config.node_name)));
    method(module, ctx, "system_version", 0, |ctx, _| Ok(json!(ctx.config.node_version)));
    method(module, ctx, "system_chain", 0, |ctx, _| Ok(json!(ctx.client.spec().name)));
    method(module, ctx, "system_chainType", 0, |ctx, _| to_json(&ctx.client.spec().chain_type));
    method(module, ctx, "system_properties", 0, |ctx, _| Ok(Value::Object(ctx.client.spec().properties.clone())));
    method(module, ctx, "system_health", 0, |ctx, _| {
        Ok(json!({
            "peers": ctx.system.peers().len(),
            "isSyncing": ctx.system.is_syncing(),
            "shouldHavePeers": ctx.system.should_have_peers(),
        }))
    });
    method(module, ctx, "system_peers", 0, |ctx, _| to_json(&ctx.system.peers()));
    method(module, ctx, "system_localPeerId", 0, |ctx, _| {
        let id = ctx.system.local_peer_id();
        Ok(json!(if id.is_empty() { ctx.config.peer_id.clone() } else { id }))
    });
    method(module, ctx, "system_nodeRoles", 0, |ctx, _| {
        Ok(json!([if ctx.system.is_authority() { "Authority" } else { "Full" }]))
    });
    method(module, ctx, "system_syncState", 0, |ctx, _| {
        let current = ctx.client.best_header().number;
        Ok(json!({
            "startingBlock": ctx.starting_block,
            "currentBlock": current,
            "highestBlock": ctx.system.highest_block().unwrap_or(current).max(current),
        }))
    });
    method(module, ctx, "system_accountNextIndex", 1, account_next_index);
    alias(module, ctx, "account_nextIndex", "system_accountNextIndex");
}
