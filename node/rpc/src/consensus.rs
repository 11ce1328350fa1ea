//! `consensus_status` and `consensus_validators`, for operators watching a
//! stalled network (what Besu's `qbft_*` methods answer).

use crate::{error::server_error as chain_error, method, params::Args, Ctx};
use jsonrpsee::RpcModule;
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;
use std::sync::Arc;

/// What the consensus engine reports.
pub trait ConsensusInfo: Send + Sync {
    /// Height, round, step, validators, who was not heard from, last commit.
    fn status(&self) -> Value;
    /// The node peer ids the validators of block `at`'s state are expected
    /// at, by consensus key (registered node ids, else the consensus key's).
    fn peer_ids(&self, at: &sp_core::H256) -> std::collections::HashMap<[u8; 32], String>;
}

pub(crate) fn register(module: &mut RpcModule<()>, ctx: &Arc<Ctx>) {
    method(module, ctx, "consensus_status", 0, |ctx, _| match &ctx.consensus {
        Some(c) => Ok(c.status()),
        None => Err(chain_error("this node runs no BFT consensus (dev chains seal blocks alone)")),
    });
    method(module, ctx, "consensus_validators", 1, validators);
}

/// Validators at a block (number or hash; default the best block), like
/// Besu's `qbft_getValidatorsByBlockNumber`.
fn validators(ctx: &Ctx, args: Args) -> crate::error::RpcResult {
    let at = match args.get(0) {
        None | Some(Value::Null) => ctx.client.best_hash(),
        Some(Value::String(s)) if s.len() == 66 => {
            crate::params::parse_h256(s).map_err(crate::error::invalid_params)?
        }
        Some(v) => {
            let n = crate::params::parse_block_number(v).map_err(crate::error::invalid_params)?;
            ctx.client
                .hash(n)
                .map_err(|e| chain_error(e.to_string()))?
                .ok_or_else(|| chain_error(format!("no block #{n}")))?
        }
    };
    let set = ctx.client.runtime_api(at).validators().map_err(|e| chain_error(e.to_string()))?;
    let mut peer_ids = ctx.consensus.as_ref().map(|c| c.peer_ids(&at)).unwrap_or_default();
    Ok(Value::Array(
        set.into_iter()
            .map(|v| {
                json!({
                    "account": v.account.to_ss58check_with_version(ecochain_runtime::SS58_PREFIX.into()),
                    "consensusKey": format!("0x{}", hex::encode(v.consensus_key)),
                    "peerId": peer_ids.remove(&v.consensus_key),
                })
            })
            .collect(),
    ))
}
