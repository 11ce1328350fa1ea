//! EcoChain token queries: `ect_*`, `ecs_*`, `ccr_*`, `ecr_*`, `est_*`,
//! `egm_*`, `ecosystem_*`, answered by the runtime's `EcoChainApi`.
//!
//! Every method is read-only and runs at the best block unless a block hash is
//! given as the last parameter. Accounts are SS58 addresses or 32-byte hex.
//!
//! Results are the runtime types' serde JSON (camelCase) with two changes for
//! JavaScript clients: integers above 2^53 - 1 (u128 balances) are decimal
//! strings, and byte-string text fields (names, symbols, benefits …) are
//! strings (UTF-8, or `0x` hex when not UTF-8).

use crate::{
    error::{client_error, RpcResult},
    method,
    params::{block_or_best, byte_lists_as_text, to_client_json, Args},
    Ctx,
};
use codec::{Decode, Encode};
use ecochain_runtime::{
    apis_types::{EcosystemBalance, EcosystemStats},
    AccountId,
};
use jsonrpsee::RpcModule;
use serde::Serialize;
use serde_json::{json, Value};
use sp_core::H256;
use std::sync::Arc;

/// Calls `EcoChainApi_<api>` at `at` (or best) and renders the answer.
fn query<R: Decode + Serialize>(ctx: &Ctx, api: &str, input: &[u8], at: Option<H256>) -> RpcResult {
    let at = block_or_best(&ctx.client, at)?;
    let answer: R = crate::view::call(ctx, &at, &format!("EcoChainApi_{api}"), input)?;
    to_client_json(&answer)
}

/// A query without arguments: `[hash?]`.
macro_rules! global {
    ($module:ident, $ctx:ident, $rpc:literal, $api:literal, $ty:ty) => {
        method($module, $ctx, $rpc, 1, |ctx, args| query::<$ty>(ctx, $api, &[], args.hash(0)?));
    };
}

/// A query of one account: `[account, hash?]`.
macro_rules! of_account {
    ($module:ident, $ctx:ident, $rpc:literal, $api:literal, $ty:ty) => {
        method($module, $ctx, $rpc, 2, |ctx, args| {
            let who: AccountId = args.account(0)?;
            query::<$ty>(ctx, $api, &who.encode(), args.hash(1)?)
        });
    };
}

fn ecs_benefits(ctx: &Ctx, args: Args) -> RpcResult {
    let who = args.account(0)?;
    let benefits = query::<Vec<Vec<u8>>>(ctx, "ecs_benefits", &who.encode(), args.hash(1)?)?;
    Ok(byte_lists_as_text(&benefits).unwrap_or(benefits))
}

fn egm_benefits(ctx: &Ctx, args: Args) -> RpcResult {
    let who = args.account(0)?;
    let answer = query::<(pallet_egm::VipStatus, Vec<Vec<u8>>)>(ctx, "egm_benefits", &who.encode(), args.hash(1)?)?;
    let (status, benefits) = match answer {
        Value::Array(mut pair) if pair.len() == 2 => {
            let benefits = pair.pop().unwrap_or_default();
            (pair.pop().unwrap_or_default(), benefits)
        }
        other => (other, Value::Null),
    };
    Ok(json!({ "status": status, "benefits": byte_lists_as_text(&benefits).unwrap_or(benefits) }))
}

/// `bridge_status [hash?]`: paused, threshold, limits, usage, nonce, locked ECT.
fn bridge_status(ctx: &Ctx, args: Args) -> RpcResult {
    let at = block_or_best(&ctx.client, args.hash(0)?)?;
    let answer = ctx.client.runtime_api(at).bridge_status().map_err(client_error)?;
    to_client_json(&answer)
}

/// `bridge_transfer [nonce, hash?]`: an outbound transfer.
fn bridge_transfer(ctx: &Ctx, args: Args) -> RpcResult {
    let nonce = args.u64(0, "nonce")?;
    let at = block_or_best(&ctx.client, args.hash(1)?)?;
    let answer = ctx.client.runtime_api(at).bridge_transfer(nonce).map_err(client_error)?;
    to_client_json(&answer)
}

fn hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// A certified commitment as the EVM light client takes it: the fields of
/// `submitCommitment` and the signatures in signer order.
fn commitment_json(ctx: &Ctx, signed: &pallet_bridge::SignedCommitmentOf<ecochain_runtime::Runtime>) -> Value {
    let c = &signed.commitment;
    let genesis = ctx.client.genesis_hash();
    let hash = pallet_bridge::messages::commitment_hash(genesis, c.block_number, c.root, c.set_id);
    let signatures: Vec<Value> = signed
        .signatures
        .iter()
        .map(|(signer, sig)| json!({ "signer": hex(signer.as_bytes()), "signature": hex(sig) }))
        .collect();
    json!({
        "genesis": hex(genesis.as_bytes()),
        "blockNumber": c.block_number,
        "root": hex(c.root.as_bytes()),
        "messages": c.messages,
        "setId": c.set_id,
        "hash": hex(hash.as_bytes()),
        "signatures": signatures,
    })
}

/// `bridge_commitment [hash?]`: the newest commitment certified by more than
/// 2/3 of the bridge key set, as of the block (null before the first).
fn bridge_commitment(ctx: &Ctx, args: Args) -> RpcResult {
    let at = block_or_best(&ctx.client, args.hash(0)?)?;
    let answer = ctx.client.runtime_api(at).bridge_commitment().map_err(client_error)?;
    Ok(answer.map_or(Value::Null, |signed| commitment_json(ctx, &signed)))
}

/// `bridge_messageProof [nonce, hash?]`: outbound message `nonce`, its leaf
/// and its 32 Merkle siblings (bottom-up) under the newest certified
/// commitment as of the block, with that commitment (null until one covers it).
fn bridge_message_proof(ctx: &Ctx, args: Args) -> RpcResult {
    let nonce = args.u64(0, "nonce")?;
    let at = block_or_best(&ctx.client, args.hash(1)?)?;
    let Some(p) = ctx.client.runtime_api(at).bridge_message_proof(nonce).map_err(client_error)? else {
        return Ok(Value::Null);
    };
    let proof: Vec<String> = p.proof.iter().map(|h| hex(h.as_bytes())).collect();
    Ok(json!({
        "nonce": nonce,
        "message": hex(&p.message),
        "leaf": hex(&pallet_bridge::messages::leaf(&p.message).0),
        "proof": proof,
        "commitment": commitment_json(ctx, &p.certificate),
    }))
}

fn ecr_verify(ctx: &Ctx, args: Args) -> RpcResult {
    let token: pallet_ecr::TokenId = args.u64(0, "token id")?;
    query::<Option<pallet_ecr::CertificateRecord<AccountId>>>(ctx, "ecr_verify", &token.encode(), args.hash(1)?)
}

pub(crate) fn register(module: &mut RpcModule<()>, ctx: &Arc<Ctx>) {
    global!(module, ctx, "ect_info", "ect_info", pallet_ect::TokenInfo);
    of_account!(module, ctx, "ect_balance", "ect_balance", pallet_ect::EctBalance);
    of_account!(module, ctx, "ecs_profile", "ecs_profile", pallet_ecs::ScoreProfile);
    global!(module, ctx, "ecs_levels", "ecs_levels", Vec<pallet_ecs::LevelView>);
    method(module, ctx, "ecs_benefits", 2, ecs_benefits);
    of_account!(module, ctx, "ccr_balance", "ccr_balance", pallet_ccr::CcrBalance);
    global!(module, ctx, "ccr_marketplace", "ccr_marketplace", Vec<pallet_ccr::ListingView<AccountId>>);
    of_account!(module, ctx, "ccr_retirements", "ccr_retirements", Vec<pallet_ccr::RetirementView<AccountId>>);
    of_account!(
        module,
        ctx,
        "ecr_certificates",
        "ecr_certificates",
        Vec<(pallet_ecr::TokenId, pallet_ecr::CertificateRecord<AccountId>)>
    );
    method(module, ctx, "ecr_verify", 2, ecr_verify);
    of_account!(module, ctx, "est_position", "est_positions", Vec<pallet_est::Position<AccountId>>);
    of_account!(module, ctx, "est_rewards", "est_rewards", pallet_est::PendingRewards);
    global!(module, ctx, "est_tiers", "est_tiers", Vec<pallet_est::TierInfo>);
    of_account!(module, ctx, "egm_balance", "egm_gems", Vec<(pallet_egm::GemId, pallet_egm::GemInfo<AccountId>)>);
    of_account!(module, ctx, "egm_vipStatus", "egm_vip_status", pallet_egm::VipInfo);
    method(module, ctx, "egm_benefits", 2, egm_benefits);
    of_account!(module, ctx, "ecosystem_balance", "ecosystem_balance", EcosystemBalance);
    global!(module, ctx, "ecosystem_stats", "ecosystem_stats", EcosystemStats);
    method(module, ctx, "bridge_status", 1, bridge_status);
    method(module, ctx, "bridge_transfer", 2, bridge_transfer);
    method(module, ctx, "bridge_commitment", 1, bridge_commitment);
    method(module, ctx, "bridge_messageProof", 2, bridge_message_proof);
}
