//! `chainSpec_v1_*`: the chain's name, genesis hash and properties.
//!
//! `chainHead_v1_*` and `archive_v1_*` are deliberately not served: subxt
//! switches to the new backend when it sees them, and they would have to be
//! complete.

use crate::{method, Ctx};
use jsonrpsee::RpcModule;
use serde_json::{json, Value};
use std::sync::Arc;

pub(crate) fn register(module: &mut RpcModule<()>, ctx: &Arc<Ctx>) {
    method(module, ctx, "chainSpec_v1_chainName", 0, |ctx, _| Ok(json!(ctx.client.spec().name)));
    method(module, ctx, "chainSpec_v1_genesisHash", 0, |ctx, _| Ok(json!(ctx.client.genesis_hash())));
    method(module, ctx, "chainSpec_v1_properties", 0, |ctx, _| Ok(Value::Object(ctx.client.spec().properties.clone())));
}
