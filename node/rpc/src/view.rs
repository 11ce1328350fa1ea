//! Each RPC thread's read view of the best and finalized blocks.
//!
//! Opening a state costs a header read, a pruning check and a fresh local
//! trie cache, which merges into the shared cache when the state is dropped.
//! Most reads name the best block (or none, which is the best block), so each
//! thread that answers reads (the RPC workers, and the server's threads for
//! the one-value reads of [`crate::read`]) keeps the state it opened for the
//! best and the finalized block and reuses it while that block stays best or
//! finalized: reads of a
//! block then share one backend and one warm local cache. A block that is
//! neither gets a fresh state, opened and dropped with the call. Those two
//! blocks are never pruned, so a kept state never reads a pruned node.

use crate::{
    error::{client_error, RpcResult},
    Ctx,
};
use codec::Decode;
use ecochain_client::State;
use sp_core::H256;
use std::{cell::RefCell, rc::Rc};

thread_local! {
    /// At most two views: the best block's and the finalized block's.
    static VIEWS: RefCell<Vec<(H256, Rc<State>)>> = const { RefCell::new(Vec::new()) };
}

/// The state at `at` (a known block): this thread's view when `at` is the
/// best or finalized block, else a state opened for the caller alone.
pub(crate) fn state(ctx: &Ctx, at: &H256) -> RpcResult<Rc<State>> {
    let (best, finalized) = (ctx.client.best_hash(), ctx.client.finalized_hash());
    if *at != best && *at != finalized {
        return Ok(Rc::new(ctx.client.state_at(at).map_err(client_error)?));
    }
    VIEWS.with(|views| {
        let mut views = views.borrow_mut();
        // Views of blocks that are no longer best or finalized go (their
        // local caches merge into the shared one).
        views.retain(|(hash, _)| *hash == best || *hash == finalized);
        if let Some((_, state)) = views.iter().find(|(hash, _)| hash == at) {
            return Ok(state.clone());
        }
        let state = Rc::new(ctx.client.state_at(at).map_err(client_error)?);
        views.push((*at, state.clone()));
        Ok(state)
    })
}

/// The value at `key` in the state of `at`.
pub(crate) fn storage(ctx: &Ctx, at: &H256, key: &[u8]) -> RpcResult<Option<Vec<u8>>> {
    use sp_state_machine::Backend;
    state(ctx, at)?.storage(key).map_err(|e| crate::error::server_error(format!("state: {e}")))
}

/// A runtime API call at `at`, read through the view; its answer decoded as `R`.
pub(crate) fn call<R: Decode>(ctx: &Ctx, at: &H256, method: &str, input: &[u8]) -> RpcResult<R> {
    let state = state(ctx, at)?;
    ctx.client.executor().call_decode(&*state, method, input).map_err(|e| client_error(e.into()))
}
