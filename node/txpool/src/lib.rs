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
//! 2. The pool drops future transactions older than [`Config::future_ttl`], answers
//!    [`PoolError::AlreadyImported`] for a transaction it holds (the caller may re-broadcast it),
//!    checks bans and replacement (a transaction providing a tag another pooled transaction
//!    provides replaces it only with a strictly higher priority), and refuses dependency cycles.
//! 3. The transaction is *ready* when every tag it `requires` is provided by a ready transaction
//!    or was provided on chain, *future* otherwise; it becomes ready when the missing tags appear,
//!    and future again if they disappear (a removal, a retracted block).
//! 4. Ready and future transactions have separate budgets, per sender and globally ([`Config`]):
//!    a newcomer needs room only in the queue it enters, so a ready transaction is never refused
//!    because of future ones. When a budget is full, the sender's transactions further from
//!    inclusion (highest nonce first) make room, then globally the worst of the queue (lowest
//!    priority, then newest); a newcomer that would itself be the one to go is refused. When a
//!    newcomer fills a nonce gap, the chain behind it becomes ready and whatever exceeds the ready
//!    budgets is dropped, highest nonce first.
//! 5. Transactions leave with [`TxStatus::Dropped`] when evicted or expired, and are not banned:
//!    bans are for transactions the runtime declared invalid, and for included ones until their
//!    block is retracted. [`Pool::sender_status`] tells what each sender has pending and which
//!    tags (nonces) its future transactions wait for.
//! 6. The block builder walks [`Pool::ready`] (dependencies first, then higher priority, then
//!    older) and reports what it skipped ([`ReadyIter::report_skipped`]) or found invalid.
//! 7. After a block is imported the node calls [`Pool::prune_included`] (included transactions
//!    leave, their tags count as provided, dependents become ready, stale and expired ones
//!    leave), then re-validates the rest ([`Pool::revalidation_candidates`] →
//!    [`Pool::apply_revalidation`]), and [`Pool::finalized`] once the block is final.
//!
//! Watchers ([`Pool::watch`]) receive [`TxStatus`] updates along the way.
//!
//! ## Layout
//!
//! - `graph`: the tag graph, readiness, replacement, limits and eviction decisions (no locks, no
//!   IO, no clock);
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
///
/// Ready and future transactions have separate budgets, globally and per sender, so that
/// transactions waiting for a missing nonce never take the room of transactions a block could
/// include: a transaction that is ready on arrival is admitted whenever the ready budgets have
/// room, however many future transactions its sender or the pool holds.
///
/// With the defaults the pool holds at most 8192 transactions and 20 MiB (ready and future
/// together), a tenth of them future.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Most ready transactions in the pool. Default: 7373 (8192 minus the future share).
    pub max_ready_count: usize,
    /// Most encoded bytes of ready transactions in the pool. Default: 18 MiB (20 MiB minus the
    /// future share).
    pub max_ready_bytes: usize,
    /// Most future transactions in the pool. Default: 819 (a tenth of 8192).
    pub max_future_count: usize,
    /// Most encoded bytes of future transactions in the pool. Default: 2 MiB (a tenth of 20 MiB).
    pub max_future_bytes: usize,
    /// Most ready transactions of one sender. Default: 64.
    pub max_per_sender_ready_count: usize,
    /// Most encoded bytes of one sender's ready transactions. Default: 1 MiB.
    pub max_per_sender_ready_bytes: usize,
    /// Most future transactions of one sender. Default: 64.
    pub max_per_sender_future_count: usize,
    /// Most encoded bytes of one sender's future transactions. Default: 1 MiB.
    pub max_per_sender_future_bytes: usize,
    /// How long a transaction may stay future (counted from when it last became future) before
    /// it is dropped ([`TxStatus::Dropped`], not banned). Checked on [`Pool::submit`] and
    /// [`Pool::prune_included`]. Default: 3 minutes.
    pub future_ttl: Duration,
    /// How long a banned hash stays banned. Default: 30 minutes.
    pub ban_time: Duration,
    /// Most hashes remembered as banned (the oldest bans are forgotten first). Default: 16384.
    pub ban_capacity: u32,
    /// For how many blocks tags provided on chain are remembered, so that transactions validated
    /// before a block was imported still find what they require. Default: 16.
    pub recent_blocks: usize,
    /// Most transactions [`Pool::revalidation_candidates`] returns at once (least recently
    /// validated first). Each costs a runtime validation (signature included) after every
    /// block, on the block's critical path: a small rolling batch, as Substrate's pool does in
    /// the background; transactions made stale by a block are pruned by their tags anyway.
    /// Default: 128.
    pub revalidation_batch: usize,
    /// Watchers of an included transaction whose block is not final after this many blocks
    /// receive [`TxStatus::Dropped`]. Default: 128.
    pub finality_timeout_blocks: u64,
}

impl Default for Config {
    fn default() -> Self {
        // The pool as a whole: 8192 transactions, 20 MiB; a tenth of it for future ones.
        let (total_count, total_bytes) = (8192, 20 * 1024 * 1024);
        let (max_future_count, max_future_bytes) = (total_count / 10, total_bytes / 10);
        Self {
            max_ready_count: total_count - max_future_count,
            max_ready_bytes: total_bytes - max_future_bytes,
            max_future_count,
            max_future_bytes,
            max_per_sender_ready_count: 64,
            max_per_sender_ready_bytes: 1024 * 1024,
            max_per_sender_future_count: 64,
            max_per_sender_future_bytes: 1024 * 1024,
            future_ttl: Duration::from_secs(3 * 60),
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

/// The two queues of the pool, each with its own limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Queue {
    /// Transactions with everything they require provided: a block may include them.
    Ready,
    /// Transactions waiting for a tag they require.
    Future,
}

impl std::fmt::Display for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Ready => "ready",
            Self::Future => "future",
        })
    }
}

/// What one sender has in the pool ([`Pool::sender_status`], [`Pool::sender_statuses`]).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SenderStatus {
    /// The sender, as given in [`NewTransaction::sender`].
    pub sender: Vec<u8>,
    /// Its ready transactions.
    pub ready: usize,
    /// Encoded bytes of its ready transactions.
    pub ready_bytes: usize,
    /// Its future transactions.
    pub future: usize,
    /// Encoded bytes of its future transactions.
    pub future_bytes: usize,
    /// Its future transactions, oldest first, with what each waits for.
    pub waiting: Vec<WaitingTransaction>,
}

impl SenderStatus {
    /// Tags the sender's future transactions wait for that nothing in the pool or on chain
    /// provides, without duplicates, in the order of [`SenderStatus::waiting`]: the gaps to
    /// fill. With frame-system nonce tags, `(who, nonce).encode()`, these name the missing nonces.
    pub fn missing(&self) -> Vec<TransactionTag> {
        let mut missing: Vec<TransactionTag> = Vec::new();
        for tag in self.waiting.iter().flat_map(|tx| &tx.missing) {
            if !missing.contains(tag) {
                missing.push(tag.clone());
            }
        }
        missing
    }
}

/// A future transaction and what it waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingTransaction {
    /// Its hash.
    pub hash: H256,
    /// Tags it requires that neither the chain nor any pooled transaction provides: what must
    /// arrive for its chain to move (with nonce tags, "waiting for nonce n").
    pub missing: Vec<TransactionTag>,
    /// Pooled future transactions providing a tag it requires: it becomes ready after them.
    pub after: Vec<H256>,
    /// Time left before it expires ([`Config::future_ttl`]) unless it becomes ready.
    pub expires_in: Duration,
}
