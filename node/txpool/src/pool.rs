//! [`Pool`]: the thread-safe front that ties the tag graph, the bans and the watchers together.
//!
//! Bans are for transactions the runtime declared invalid ([`Pool::reject`],
//! [`Pool::remove_invalid`], [`Pool::apply_revalidation`], [`Pool::ban`]) and for included ones
//! until their block is retracted. Nothing else bans: transactions evicted for the limits,
//! expired in the future queue, refused, conflicting with a block or past their longevity can be
//! submitted again (the node validates them again, and bans them then if they are invalid).

use crate::{
    bans::Bans,
    clock::{Clock, SystemClock},
    graph::{Entry, Graph},
    watcher::{TxStatus, TxStatusStream, Watchers},
    Config, NewTransaction, PoolError, PoolStatus, ReadyIter, Result, SenderStatus, SubmitOutcome, Transaction,
};
use futures::channel::mpsc;
use parking_lot::Mutex;
use sp_core::H256;
use sp_runtime::transaction_validity::{TransactionTag, TransactionValidityError, ValidTransaction};
use std::{collections::HashSet, sync::Arc, time::Instant};
use tracing::debug;

const LOG_TARGET: &str = "txpool";

/// The transaction pool. Cheap to clone: clones share the same pool.
///
/// Every method takes `&self` and holds one internal lock for its whole duration, so each call is
/// atomic with respect to the others; none blocks on IO.
#[derive(Clone)]
pub struct Pool {
    shared: Arc<Shared>,
}

struct Shared {
    options: Config,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

struct State {
    graph: Graph,
    bans: Bans,
    watchers: Watchers,
    /// Number of the last block passed to `prune_included`.
    best_number: u64,
}

impl State {
    /// Starts an operation at `now`.
    fn begin(&mut self, now: Instant) {
        self.graph.set_time(now);
    }

    /// Ends an operation: removals may have demoted ready transactions to future and additions
    /// promoted future ones, so evicts what exceeds the limits, sparing `protected`, then tells
    /// watchers about readiness changes.
    fn settle(&mut self, options: &Config, protected: Option<H256>) {
        self.enforce_limits(options, protected);
        self.flush_changes();
    }

    /// Evicts what exceeds the limits (not banned), sparing `protected` and what it depends on.
    fn enforce_limits(&mut self, options: &Config, protected: Option<H256>) {
        let evicted = self.graph.enforce_limits(options, protected);
        self.removed(evicted, &TxStatus::Dropped);
    }

    /// Drops the transactions that stayed future for [`Config::future_ttl`] (not banned).
    fn expire_future(&mut self, options: &Config) {
        let expired: Vec<Entry> =
            self.graph.expired(options.future_ttl).iter().filter_map(|hash| self.graph.remove(hash)).collect();
        if !expired.is_empty() {
            debug!(target: LOG_TARGET, count = expired.len(), "expired future transactions");
        }
        self.removed(expired, &TxStatus::Dropped);
    }

    /// Tells watchers about readiness changes since the last flush.
    fn flush_changes(&mut self) {
        for (hash, ready) in self.graph.take_changes() {
            self.watchers.notify(&hash, if ready { TxStatus::Ready } else { TxStatus::Future });
        }
    }

    /// Reports removed entries to their watchers. Bans nothing: callers ban invalid ones.
    fn removed(&mut self, entries: Vec<Entry>, status: &TxStatus) {
        for entry in entries {
            debug!(target: LOG_TARGET, hash = %entry.tx.hash, ?status, "removed");
            self.watchers.notify(&entry.tx.hash, status.clone());
        }
    }
}

impl Pool {
    /// An empty pool with these limits, on the system clock.
    pub fn new(options: Config) -> Self {
        Self::with_clock(options, Arc::new(SystemClock))
    }

    /// An empty pool reading the time (for ban and future expiry) from `clock`.
    pub fn with_clock(options: Config, clock: Arc<dyn Clock>) -> Self {
        let state = State {
            graph: Graph::new(clock.now()),
            bans: Bans::new(options.ban_capacity, options.ban_time),
            watchers: Watchers::default(),
            best_number: 0,
        };
        Self { shared: Arc::new(Shared { options, clock, state: Mutex::new(state) }) }
    }

    /// The pool's limits.
    pub fn options(&self) -> &Config {
        &self.shared.options
    }

    /// Adds a transaction the runtime declared valid.
    ///
    /// First drops the future transactions older than [`Config::future_ttl`]. Replaces the
    /// pooled transactions providing one of its tags if its priority is higher than all of theirs
    /// (they are reported [`TxStatus::Usurped`]). The transaction needs room in the queue it
    /// enters only: a transaction ready on arrival is admitted whenever the ready budgets have
    /// room, whatever the future queue holds. If a budget is full, transactions further from
    /// inclusion make room (reported [`TxStatus::Dropped`], not banned); see [`Config`]. If the
    /// transaction fills a gap, the future transactions behind it become ready, and those beyond
    /// the ready budgets are dropped, the furthest (highest nonce) first.
    ///
    /// A transaction already pooled is refused with [`PoolError::AlreadyImported`] (before any
    /// other check, bans included): it is pending, and the caller may re-broadcast it.
    pub fn submit(&self, tx: NewTransaction) -> Result<SubmitOutcome> {
        let mut state = self.shared.state.lock();
        let outcome = self.submit_locked(&mut state, tx);
        state.flush_changes();
        outcome
    }

    /// [`Pool::submit`], and a stream of the transaction's statuses, starting with
    /// [`TxStatus::Ready`] or [`TxStatus::Future`].
    pub fn submit_and_watch(&self, tx: NewTransaction) -> Result<(SubmitOutcome, TxStatusStream)> {
        let hash = tx.hash;
        let mut state = self.shared.state.lock();
        let outcome = match self.submit_locked(&mut state, tx) {
            Ok(outcome) => outcome,
            Err(err) => {
                state.flush_changes();
                return Err(err);
            }
        };
        let stream = state.watchers.watch(hash, None);
        // The newcomer's readiness is among the changes: the stream receives it first.
        state.flush_changes();
        Ok((outcome, stream))
    }

    fn submit_locked(&self, state: &mut State, tx: NewTransaction) -> Result<SubmitOutcome> {
        let options = &self.shared.options;
        let now = self.shared.clock.now();
        let hash = tx.hash;
        state.begin(now);
        state.expire_future(options);
        if state.graph.contains(&hash) {
            return Err(PoolError::AlreadyImported);
        }
        if state.bans.is_banned(&hash, now) {
            return Err(PoolError::TemporarilyBanned);
        }
        let at_block = tx.at_block;
        let tx = Arc::new(Transaction::new(tx));
        let insertion = state.graph.next_insertion();
        let plan = state.graph.plan_insert(&tx, insertion, options).inspect_err(|err| {
            debug!(target: LOG_TARGET, %hash, %err, "refused");
        })?;
        let (replaced, evicted) = state.graph.insert(tx, &plan, insertion, at_block);
        state.removed(replaced, &TxStatus::Usurped(hash));
        state.removed(evicted, &TxStatus::Dropped);
        // Filling a gap may have promoted a chain over the ready budgets, and replacing may have
        // demoted dependents of the replaced over the future ones.
        state.enforce_limits(options, Some(hash));
        let ready = state.graph.get(&hash).is_some_and(|entry| entry.ready);
        debug!(target: LOG_TARGET, %hash, ready, "imported");
        Ok(if ready { SubmitOutcome::Ready } else { SubmitOutcome::Future })
    }

    /// The runtime refused `hash` with `err`: removes it if pooled (reported
    /// [`TxStatus::Invalid`]), bans it if invalid (an unknown validity may change, so it is not
    /// banned), and returns the error to answer the submitter with.
    pub fn reject(&self, hash: H256, err: TransactionValidityError) -> PoolError {
        let now = self.shared.clock.now();
        let mut state = self.shared.state.lock();
        state.begin(now);
        if matches!(err, TransactionValidityError::Invalid(_)) {
            state.bans.ban(hash, now);
        }
        let removed = state.graph.remove(&hash).into_iter().collect();
        state.removed(removed, &TxStatus::Invalid);
        state.settle(&self.shared.options, None);
        err.into()
    }

    /// Ready transactions in block-building order (dependencies first, then higher priority, then
    /// older), over a snapshot taken now.
    pub fn ready(&self) -> ReadyIter {
        ReadyIter::new(self.shared.state.lock().graph.ready_snapshot())
    }

    /// Block `block_hash` number `block_number` was imported with the extrinsics `included`.
    ///
    /// Included transactions leave the pool (reported [`TxStatus::InBlock`]) and are banned
    /// (until [`Pool::retracted`]); their tags, and `extra_provided` (tags of included extrinsics
    /// the pool did not hold, as the runtime reports them), count as provided, so dependents
    /// become ready and other pooled transactions providing those tags are removed as invalid.
    /// Transactions whose longevity ended are removed as invalid too; neither is banned (a
    /// retraction may make them valid again). Future transactions older than
    /// [`Config::future_ttl`] are dropped. The node re-validates the rest next
    /// ([`Pool::revalidation_candidates`]).
    pub fn prune_included(
        &self,
        block_hash: H256,
        block_number: u64,
        included: &[H256],
        extra_provided: Vec<TransactionTag>,
    ) {
        let options = &self.shared.options;
        let now = self.shared.clock.now();
        let mut state = self.shared.state.lock();
        let state = &mut *state;
        state.begin(now);

        let mut tags = extra_provided;
        for hash in included {
            if let Some(entry) = state.graph.get(hash) {
                tags.extend(entry.tx.provides.iter().cloned());
            }
        }
        // Tags first: removing the included transactions then demotes nothing.
        let conflicting = state.graph.provide_on_chain(block_hash, tags, options.recent_blocks);
        let included_set: HashSet<&H256> = included.iter().collect();
        let mut pruned = 0;
        for hash in included {
            state.bans.ban(*hash, now);
            pruned += usize::from(state.graph.remove(hash).is_some());
            state.watchers.included(hash, block_hash, block_number);
        }
        let conflicting: Vec<Entry> = conflicting
            .iter()
            .filter(|hash| !included_set.contains(hash))
            .filter_map(|hash| state.graph.remove(hash))
            .collect();
        state.removed(conflicting, &TxStatus::Invalid);

        state.best_number = state.best_number.max(block_number);
        let stale: Vec<Entry> =
            state.graph.stale(block_number).iter().filter_map(|hash| state.graph.remove(hash)).collect();
        let stale_count = stale.len();
        state.removed(stale, &TxStatus::Invalid);
        state.expire_future(options);
        state.settle(options, None);

        let graph = &state.graph;
        state.watchers.sweep(|hash| graph.contains(hash), block_number.saturating_sub(options.finality_timeout_blocks));
        let (ready, future) = graph.usage();
        debug!(
            target: LOG_TARGET,
            %block_hash,
            block_number,
            pruned,
            stale = stale_count,
            ready = ready.count,
            future = future.count,
            "pruned included transactions"
        );
    }

    /// Block `block_hash`, which included `included`, was retracted: its tags no longer count as
    /// provided, watchers of its transactions receive [`TxStatus::Retracted`], and the bans of
    /// `included` are lifted so that the node can resubmit them.
    pub fn retracted(&self, block_hash: H256, included: &[H256]) {
        let now = self.shared.clock.now();
        let mut state = self.shared.state.lock();
        state.begin(now);
        state.watchers.retracted(block_hash);
        for hash in included {
            state.bans.unban(hash);
        }
        state.graph.retract_block(&block_hash);
        state.settle(&self.shared.options, None);
    }

    /// Block `block_hash`, which included `included`, is final: their watchers receive
    /// [`TxStatus::Finalized`].
    pub fn finalized(&self, block_hash: H256, included: &[H256]) {
        self.shared.state.lock().watchers.finalized(block_hash, included);
    }

    /// Transactions to re-validate after a block: those not validated at the latest block, least
    /// recently validated first, at most [`Config::revalidation_batch`].
    pub fn revalidation_candidates(&self) -> Vec<(H256, Vec<u8>)> {
        let state = self.shared.state.lock();
        let mut candidates: Vec<&Entry> =
            state.graph.entries().filter(|entry| entry.validated_at < state.best_number).collect();
        candidates.sort_unstable_by_key(|entry| (entry.validated_at, entry.insertion));
        candidates
            .into_iter()
            .take(self.shared.options.revalidation_batch)
            .map(|entry| (entry.tx.hash, entry.tx.bytes.clone()))
            .collect()
    }

    /// Results of re-validating at the latest block.
    ///
    /// Invalid transactions are removed, banned and reported [`TxStatus::Invalid`]; those of
    /// unknown validity are removed and reported [`TxStatus::Dropped`] (not banned); valid ones
    /// take their new priority, tags and longevity (if the new tags conflict with a better
    /// transaction or no longer fit the limits, they are dropped, not banned). Hashes no longer
    /// pooled are ignored.
    pub fn apply_revalidation(&self, results: Vec<(H256, Result<ValidTransaction, TransactionValidityError>)>) {
        let options = &self.shared.options;
        let now = self.shared.clock.now();
        let mut state = self.shared.state.lock();
        let state = &mut *state;
        state.begin(now);
        let best = state.best_number;
        for (hash, result) in results {
            let Some(entry) = state.graph.get(&hash).cloned() else { continue };
            let validity = match result {
                Ok(validity) => validity,
                Err(err) => {
                    let removed = state.graph.remove(&hash).into_iter().collect();
                    let status = match err {
                        TransactionValidityError::Invalid(_) => {
                            state.bans.ban(hash, now);
                            TxStatus::Invalid
                        }
                        TransactionValidityError::Unknown(_) => TxStatus::Dropped,
                    };
                    state.removed(removed, &status);
                    continue;
                }
            };
            let tx = Arc::new(Transaction {
                priority: validity.priority,
                requires: validity.requires,
                provides: validity.provides,
                valid_till: best.saturating_add(validity.longevity),
                propagate: validity.propagate,
                ..(*entry.tx).clone()
            });
            let old = &entry.tx;
            if (old.priority, &old.requires, &old.provides) == (tx.priority, &tx.requires, &tx.provides) {
                state.graph.refresh(tx, best);
                continue;
            }
            // Tags or priority changed: take it out and insert it again, keeping its age.
            state.graph.remove(&hash);
            match state.graph.plan_insert(&tx, entry.insertion, options) {
                Ok(plan) => {
                    let (replaced, evicted) = state.graph.insert(tx, &plan, entry.insertion, best);
                    state.removed(replaced, &TxStatus::Usurped(hash));
                    state.removed(evicted, &TxStatus::Dropped);
                }
                Err(err) => {
                    debug!(target: LOG_TARGET, %hash, %err, "dropped after revalidation");
                    state.watchers.notify(&hash, TxStatus::Dropped);
                }
            }
        }
        state.settle(options, None);
    }

    /// Removes these transactions (reported [`TxStatus::Invalid`]) and bans them. Returns those
    /// that were pooled. Transactions depending on them become future.
    pub fn remove_invalid(&self, hashes: &[H256]) -> Vec<Arc<Transaction>> {
        let now = self.shared.clock.now();
        let mut state = self.shared.state.lock();
        state.begin(now);
        let mut removed = Vec::new();
        for hash in hashes {
            state.bans.ban(*hash, now);
            if let Some(entry) = state.graph.remove(hash) {
                removed.push(entry.tx.clone());
                state.removed(vec![entry], &TxStatus::Invalid);
            }
        }
        state.settle(&self.shared.options, None);
        removed
    }

    /// Bans these hashes for [`Config::ban_time`]; pooled ones stay pooled.
    pub fn ban(&self, hashes: &[H256]) {
        let now = self.shared.clock.now();
        let mut state = self.shared.state.lock();
        for hash in hashes {
            state.bans.ban(*hash, now);
        }
    }

    /// Whether `hash` is banned now.
    pub fn is_banned(&self, hash: &H256) -> bool {
        let now = self.shared.clock.now();
        self.shared.state.lock().bans.is_banned(hash, now)
    }

    /// A stream of the statuses of `hash`, starting with its current one.
    ///
    /// For a transaction the pool neither holds nor tracks in a non-final block, the stream is
    /// closed at once: nothing is kept for it.
    pub fn watch(&self, hash: H256) -> TxStatusStream {
        let mut state = self.shared.state.lock();
        let current = match state.graph.get(&hash) {
            Some(entry) => Some(if entry.ready { TxStatus::Ready } else { TxStatus::Future }),
            None => state.watchers.in_block(&hash).map(TxStatus::InBlock),
        };
        match current {
            Some(status) => state.watchers.watch(hash, Some(status)),
            None => mpsc::unbounded().1,
        }
    }

    /// `hash` was sent to `peers`: its watchers receive [`TxStatus::Broadcast`].
    pub fn broadcasted(&self, hash: H256, peers: Vec<String>) {
        let mut state = self.shared.state.lock();
        if state.graph.contains(&hash) {
            state.watchers.notify(&hash, TxStatus::Broadcast(peers));
        }
    }

    /// Number of ready and future transactions and their total size.
    pub fn status(&self) -> PoolStatus {
        let (ready, future) = self.shared.state.lock().graph.usage();
        PoolStatus { ready: ready.count, future: future.count, bytes: ready.bytes.saturating_add(future.bytes) }
    }

    /// Encoded bytes of every pooled transaction: ready ones in block-building order, then future
    /// ones, oldest first (`author_pendingExtrinsics`).
    pub fn pending(&self) -> Vec<Vec<u8>> {
        let state = self.shared.state.lock();
        let mut future: Vec<&Entry> = state.graph.entries().filter(|entry| !entry.ready).collect();
        future.sort_unstable_by_key(|entry| entry.insertion);
        ReadyIter::new(state.graph.ready_snapshot())
            .map(|tx| tx.bytes.clone())
            .chain(future.into_iter().map(|entry| entry.tx.bytes.clone()))
            .collect()
    }

    /// What `sender` (as in [`NewTransaction::sender`]) has in the pool: its ready and future
    /// transactions, and what each future one waits for. `None` if it has nothing pooled.
    pub fn sender_status(&self, sender: &[u8]) -> Option<SenderStatus> {
        let now = self.shared.clock.now();
        self.shared.state.lock().graph.sender_status(sender, now, self.shared.options.future_ttl)
    }

    /// The pooled transactions of `sender` (as in [`NewTransaction::sender`]), ready and future,
    /// in no particular order.
    pub fn sender_transactions(&self, sender: &[u8]) -> Vec<Arc<Transaction>> {
        self.shared.state.lock().graph.sender_transactions(sender)
    }

    /// [`Pool::sender_status`] of every sender with pooled transactions, ordered by sender.
    /// Unsigned transactions (no sender) appear only in [`Pool::status`].
    pub fn sender_statuses(&self) -> Vec<SenderStatus> {
        let now = self.shared.clock.now();
        let ttl = self.shared.options.future_ttl;
        let state = self.shared.state.lock();
        let mut senders: Vec<&[u8]> = state.graph.senders().collect();
        senders.sort_unstable();
        senders.into_iter().filter_map(|sender| state.graph.sender_status(sender, now, ttl)).collect()
    }

    /// Whether `hash` is pooled.
    pub fn contains(&self, hash: &H256) -> bool {
        self.shared.state.lock().graph.contains(hash)
    }

    /// The pooled transaction `hash`.
    pub fn get(&self, hash: &H256) -> Option<Arc<Transaction>> {
        self.shared.state.lock().graph.get(hash).map(|entry| entry.tx.clone())
    }

    /// Checks the graph's invariants and the pool's bounds.
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        let state = self.shared.state.lock();
        state.graph.check_invariants();
        let options = &self.shared.options;
        let (ready, future) = state.graph.usage();
        assert!(ready.count <= options.max_ready_count, "ready count bound");
        assert!(ready.bytes <= options.max_ready_bytes, "ready bytes bound");
        assert!(future.count <= options.max_future_count, "future count bound");
        assert!(future.bytes <= options.max_future_bytes, "future bytes bound");
        for sender in state.graph.senders() {
            let status = state.graph.sender_status(sender, self.shared.clock.now(), options.future_ttl);
            let status = status.expect("listed senders have transactions");
            assert!(status.ready <= options.max_per_sender_ready_count, "per-sender ready count bound");
            assert!(status.ready_bytes <= options.max_per_sender_ready_bytes, "per-sender ready bytes bound");
            assert!(status.future <= options.max_per_sender_future_count, "per-sender future count bound");
            assert!(status.future_bytes <= options.max_per_sender_future_bytes, "per-sender future bytes bound");
        }
    }

    /// Number of watched transactions.
    #[cfg(test)]
    pub(crate) fn watched(&self) -> usize {
        self.shared.state.lock().watchers.len()
    }
}
