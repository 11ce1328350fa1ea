//! `transaction_v1_broadcast` and `transaction_v1_stop`: the transaction group
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

use crate::{error::invalid_params, Ctx};
use jsonrpsee::{ConnectionId, RpcModule};
use parking_lot::Mutex;
use serde_json::Value;
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

pub(crate) fn register(module: &mut RpcModule<()>, ctx: &Arc<Ctx>) {
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
