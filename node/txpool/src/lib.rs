//! # ecochain-txpool
//!
//! The node's transaction pool: it orders, bounds and tracks extrinsics that the runtime has
//! already validated. Pure logic: no runtime, no database, no network, no async runtime.
//!
//! ## Life of a transaction in the pool
//!
//! 1. The node validates an extrinsic through the runtime
//!    (`TaggedTransactionQueue_validate_transaction`). An error becomes [`Pool::reject`] (which
//!    bans invalid ones); a [`ValidTransaction`] becomes [`Pool::submit`] or
//!    [`Pool::submit_and_watch`].
//! 2. The pool checks bans, duplicates and replacement (a transaction providing a tag another
//!    pooled transaction provides replaces it only with a strictly higher priority), refuses
//!    dependency cycles, then enforces the per-sender and global [`Options`] limits, evicting the
//!    worst transactions (future first, then lowest priority, then newest) or refusing the
//!    newcomer if it is the worst.
//! 3. The transaction is *ready* when every tag it `requires` is provided by a ready transaction
//!    or was provided on chain, *future* otherwise; it becomes ready when the missing tags appear.
//! 4. The block builder walks [`Pool::ready`] (dependencies first, then higher priority, then
//!    older) and reports what it skipped ([`ReadyIter::report_skipped`]) or found invalid.
//! 5. After a block is imported the node calls [`Pool::prune_included`] (included transactions
//!    leave, their tags count as provided, dependents become ready, stale ones leave), then
//!    re-validates the rest ([`Pool::revalidation_candidates`] → [`Pool::apply_revalidation`]),
//!    and [`Pool::finalized`] once the block is final.
//!
//! Watchers ([`Pool::watch`]) receive [`TxStatus`] updates along the way.
//!
//! ## Layout
//!
//! - `graph`: the tag graph, readiness, replacement and eviction decisions (no locks, no IO);
//! - `ready`: the block-building order ([`ReadyIter`]), a pure function of a snapshot;
//! - `watcher`, `bans`: status streams and temporary bans;
//! - `pool`: [`Pool`], the thread-safe front that ties them together.

mod bans;
mod clock;
mod error;
mod graph;
mod pool;
mod ready;
mod watcher;

#[cfg(test)]
mod tests;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{PoolError, Result};
pub use pool::Pool;
pub use ready::ReadyIter;
pub use sp_runtime::transaction_validity::{
    InvalidTransaction, TransactionLongevity, TransactionPriority, TransactionSource, TransactionTag,
    TransactionValidityError, UnknownTransaction, ValidTransaction,
};
pub use watcher::{TxStatus, TxStatusStream};

use sp_core::H256;
use std::time::Duration;

/// Limits and timings of the pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Most transactions in the pool, ready and future together.
    pub max_count: usize,
    /// Most encoded bytes in the pool, ready and future together.
    pub max_bytes: usize,
    /// Most transactions of one sender.
    pub max_per_sender_count: usize,
    /// Most encoded bytes of one sender.
    pub max_per_sender_bytes: usize,
    /// Most future transactions (a part of `max_count`).
    pub future_max_count: usize,
    /// Most encoded bytes of future transactions (a part of `max_bytes`).
    pub future_max_bytes: usize,
    /// How long a banned hash stays banned.
    pub ban_time: Duration,
    /// Most hashes remembered as banned (the oldest bans are forgotten first).
    pub ban_capacity: u32,
    /// For how many blocks tags provided on chain are remembered, so that transactions validated
    /// before a block was imported still find what they require.
    pub recent_blocks: usize,
    /// Most transactions [`Pool::revalidation_candidates`] returns at once (least recently
    /// validated first). Each costs a runtime validation (signature included) after every
    /// block, on the block's critical path: a small rolling batch, as Substrate's pool does in
    /// the background; transactions made stale by a block are pruned by their tags anyway.
    pub revalidation_batch: usize,
    /// Watchers of an included transaction whose block is not final after this many blocks
    /// receive [`TxStatus::Dropped`].
    pub finality_timeout_blocks: u64,
}

impl Default for Options {
    fn default() -> Self {
        let (max_count, max_bytes) = (8192, 20 * 1024 * 1024);
        Self {
            max_count,
            max_bytes,
            max_per_sender_count: 64,
            max_per_sender_bytes: 1024 * 1024,
            future_max_count: max_count / 10,
            future_max_bytes: max_bytes / 10,
            ban_time: Duration::from_secs(30 * 60),
            ban_capacity: 16 * 1024,
            recent_blocks: 16,
            revalidation_batch: 128,
            finality_timeout_blocks: 128,
        }
    }
}

/// A transaction the runtime declared valid, as submitted to the pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransaction {
    /// Hash of the encoded extrinsic.
    pub hash: H256,
    /// The SCALE-encoded extrinsic.
    pub bytes: Vec<u8>,
    /// Opaque sender identity for the per-sender limits (`None`: unsigned, no per-sender limit).
    pub sender: Option<Vec<u8>>,
    /// Where the transaction came from.
    pub source: TransactionSource,
    /// What the runtime's `validate_transaction` answered.
    pub validity: ValidTransaction,
    /// Number of the block it was validated at (its longevity counts from there).
    pub at_block: u64,
}

/// A pooled transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// Hash of the encoded extrinsic.
    pub hash: H256,
    /// The SCALE-encoded extrinsic.
    pub bytes: Vec<u8>,
    /// Opaque sender identity, if any.
    pub sender: Option<Vec<u8>>,
    /// Where the transaction came from.
    pub source: TransactionSource,
    /// Priority: higher is included first among available transactions.
    pub priority: TransactionPriority,
    /// Tags that must be provided (by earlier transactions or on chain) before it.
    pub requires: Vec<TransactionTag>,
    /// Tags it provides.
    pub provides: Vec<TransactionTag>,
    /// Last block number at which it is valid (validation block + longevity).
    pub valid_till: u64,
    /// Whether it may be gossiped to peers.
    pub propagate: bool,
}

impl Transaction {
    /// The pooled form of `tx`.
    pub fn new(tx: NewTransaction) -> Self {
        let NewTransaction { hash, bytes, sender, source, validity, at_block } = tx;
        Self {
            hash,
            bytes,
            sender,
            source,
            priority: validity.priority,
            requires: validity.requires,
            provides: validity.provides,
            valid_till: at_block.saturating_add(validity.longevity),
            propagate: validity.propagate,
        }
    }
}

/// Where a submitted transaction landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// In the ready queue: a block may include it.
    Ready,
    /// In the future queue: it waits for a tag it requires.
    Future,
}

/// Size of the pool.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Ready transactions.
    pub ready: usize,
    /// Future transactions.
    pub future: usize,
    /// Encoded bytes of all pooled transactions.
    pub bytes: usize,
}
