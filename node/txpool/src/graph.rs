//! The tag graph: every pooled transaction, the tags it provides and requires, whether it is
//! ready, and the pool's limits.
//!
//! Invariants (checked by `check_invariants` in tests):
//! - a tag is provided by at most one pooled transaction (a newcomer providing a taken tag
//!   replaces its owner or is refused), so "the provider of a tag" is well defined;
//! - the dependency graph is acyclic (a newcomer that would close a cycle is refused);
//! - a transaction is ready iff each tag it requires was provided on chain or is provided by a
//!   ready transaction (tags provided on chain are remembered for `recent_blocks` blocks;
//!   forgetting one never demotes a ready transaction);
//! - a future transaction remembers when it last became future (for [`Config::future_ttl`]), a
//!   ready one does not;
//! - the usage counters, global and per sender, for each queue, equal the sums over the entries.
//!
//! # Limits
//!
//! Ready and future transactions have separate budgets, globally and per sender
//! ([`Config`]). A newcomer only needs room in the queue it enters, so a ready transaction is
//! never refused because its sender (or the pool) holds many future ones.
//!
//! - Per sender, when the newcomer's queue is full, the sender's transactions in that queue that
//!   are *further from inclusion* than the newcomer make room (see [`Distance`]: the tails of its
//!   chains first, then nonce order, then the newest); if none is, the newcomer is refused
//!   ([`PoolError::SenderLimitReached`]).
//! - Globally, when the newcomer's queue is full, the worst transactions of that queue make room
//!   (lowest priority, then newest), each with its dependents; if the newcomer is the worst, it
//!   is refused ([`PoolError::ImmediatelyDropped`]).
//! - After any change ([`Graph::enforce_limits`]) transactions that became ready or future may
//!   overflow a budget: a ready newcomer filling a nonce gap promotes the chain behind it, a
//!   removal demotes its dependents. The overflow is evicted the same way; for the global ready
//!   budget, the transactions this operation made ready go first (the furthest first), so that
//!   promoted chains never push out transactions that were ready before.
//!
//! No locks, channels or clock here: the [`crate::Pool`] tells the graph the time of each
//! operation ([`Graph::set_time`]), drives it, and turns what it reports (removed entries,
//! readiness changes) into watcher notifications.

use crate::{Config, PoolError, Queue, SenderStatus, Transaction, WaitingTransaction};
use sp_core::H256;
use sp_runtime::transaction_validity::TransactionTag;
use std::{
    cmp::{Ordering, Reverse},
    collections::{BTreeSet, HashMap, HashSet, VecDeque},
    sync::Arc,
    time::{Duration, Instant},
};

/// Count and size of a set of transactions.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Usage {
    pub(crate) count: usize,
    pub(crate) bytes: usize,
}

impl Usage {
    fn add(&mut self, bytes: usize) {
        self.count = self.count.saturating_add(1);
        self.bytes = self.bytes.saturating_add(bytes);
    }

    fn sub(&mut self, bytes: usize) {
        self.count = self.count.saturating_sub(1);
        self.bytes = self.bytes.saturating_sub(bytes);
    }

    /// Whether it exceeds `limits` (count, bytes).
    fn over(&self, (max_count, max_bytes): (usize, usize)) -> bool {
        self.count > max_count || self.bytes > max_bytes
    }
}

/// Usage of one sender, per queue, and its transactions.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct SenderUsage {
    pub(crate) ready: Usage,
    pub(crate) future: Usage,
    txs: HashSet<H256>,
}

impl SenderUsage {
    fn queue_mut(&mut self, ready: bool) -> &mut Usage {
        if ready {
            &mut self.ready
        } else {
            &mut self.future
        }
    }
}

fn queue(ready: bool) -> Queue {
    if ready {
        Queue::Ready
    } else {
        Queue::Future
    }
}

/// Global limits (count, bytes) of a queue.
fn global_limits(options: &Config, ready: bool) -> (usize, usize) {
    if ready {
        (options.max_ready_count, options.max_ready_bytes)
    } else {
        (options.max_future_count, options.max_future_bytes)
    }
}

/// Per-sender limits (count, bytes) of a queue.
fn sender_limits(options: &Config, ready: bool) -> (usize, usize) {
    if ready {
        (options.max_per_sender_ready_count, options.max_per_sender_ready_bytes)
    } else {
        (options.max_per_sender_future_count, options.max_per_sender_future_bytes)
    }
}

/// Global eviction order within a queue: the smallest key goes first. Lower priority, then
/// newer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct EvictionKey {
    priority: u64,
    newest: Reverse<u64>,
    hash: H256,
}

/// Tags compared as little-endian numbers: by length, then byte by byte from the last one.
///
/// frame-system's `CheckNonce` tags a transaction with `provides = [(who, nonce).encode()]` and
/// `requires = [(who, nonce - 1).encode()]`: one account's tags share the account prefix, have
/// the same length and end with the SCALE (little-endian) nonce, so for them this is nonce
/// order. For other tags the order is arbitrary, but fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NonceOrder<'a>(&'a [u8]);

impl Ord for NonceOrder<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.len().cmp(&other.0.len()).then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}

impl PartialOrd for NonceOrder<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// How far a transaction is from inclusion, to choose which transactions of a sender make room:
/// the greatest goes first. Compared in this order:
/// 1. a transaction no other pooled transaction requires (the tail of its chain) is further
///    than one others wait for: evicting a tail strands nothing;
/// 2. then the one providing the greatest tag in [`NonceOrder`] (the highest nonce) is further;
/// 3. then the newest is further.
///
/// For a sender's nonce chain this is the highest nonce first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Distance<'a> {
    tail: bool,
    tag: Option<NonceOrder<'a>>,
    insertion: u64,
}

/// A pooled transaction.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) tx: Arc<Transaction>,
    /// Insertion number: lower is older. Kept across revalidation.
    pub(crate) insertion: u64,
    pub(crate) ready: bool,
    /// Block number of the last validation.
    pub(crate) validated_at: u64,
    /// When it last became future; `None` while ready.
    pub(crate) future_since: Option<Instant>,
}

impl Entry {
    fn key(&self) -> EvictionKey {
        EvictionKey { priority: self.tx.priority, newest: Reverse(self.insertion), hash: self.tx.hash }
    }
}

/// What inserting a transaction takes, decided before anything changes.
#[derive(Debug, Default)]
pub(crate) struct InsertPlan {
    /// Pooled transactions it replaces (they provide a tag it provides).
    pub(crate) replaced: Vec<H256>,
    /// Pooled transactions evicted to make room, each followed by its dependents.
    pub(crate) evicted: Vec<H256>,
}

/// A budget over its limit, in the order [`Graph::enforce_limits`] restores them.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Overflow {
    /// A sender's budget of the ready (`true`) or future queue.
    Sender(Vec<u8>, bool),
    /// The global budget of the ready (`true`) or future queue.
    Global(bool),
}

/// Tags provided by the last blocks, so that transactions validated before a block was imported
/// still find what they require.
#[derive(Debug, Default)]
struct ChainTags {
    blocks: VecDeque<(H256, Vec<TransactionTag>)>,
    counts: HashMap<TransactionTag, usize>,
}

impl ChainTags {
    fn contains(&self, tag: &[u8]) -> bool {
        self.counts.contains_key(tag)
    }

    fn add_block(&mut self, block: H256, tags: Vec<TransactionTag>, keep: usize) {
        for tag in &tags {
            *self.counts.entry(tag.clone()).or_default() += 1;
        }
        self.blocks.push_back((block, tags));
        while self.blocks.len() > keep.max(1) {
            if let Some((_, tags)) = self.blocks.pop_front() {
                self.forget(tags);
            }
        }
    }

    /// Forgets the tags of `block`; returns those no other remembered block provides.
    fn remove_block(&mut self, block: &H256) -> Vec<TransactionTag> {
        let mut forgotten = Vec::new();
        self.blocks.retain_mut(|(hash, tags)| {
            if hash == block {
                forgotten.append(tags);
                false
            } else {
                true
            }
        });
        self.forget(forgotten)
    }

    fn forget(&mut self, tags: Vec<TransactionTag>) -> Vec<TransactionTag> {
        tags.into_iter()
            .filter(|tag| match self.counts.get_mut(tag) {
                Some(count) if *count > 1 => {
                    *count -= 1;
                    false
                }
                Some(_) => {
                    self.counts.remove(tag);
                    true
                }
                None => false,
            })
            .collect()
    }
}

/// Pooled transactions and their dependencies.
pub(crate) struct Graph {
    entries: HashMap<H256, Entry>,
    /// The pooled transaction providing each tag.
    owners: HashMap<TransactionTag, H256>,
    /// Pooled transactions requiring each tag.
    dependents: HashMap<TransactionTag, HashSet<H256>>,
    chain: ChainTags,
    /// Ready transactions in eviction order.
    ready_eviction: BTreeSet<EvictionKey>,
    /// Future transactions in eviction order.
    future_eviction: BTreeSet<EvictionKey>,
    /// Future transactions by when they became future: the oldest expire first.
    expiry: BTreeSet<(Instant, H256)>,
    ready: Usage,
    future: Usage,
    senders: HashMap<Vec<u8>, SenderUsage>,
    next_insertion: u64,
    /// Readiness at the first change since the last `take_changes` (`None`: was not pooled).
    changes: HashMap<H256, Option<bool>>,
    /// Time of the current operation.
    now: Instant,
}

impl Graph {
    /// An empty graph; `now` is the time of the first operation.
    pub(crate) fn new(now: Instant) -> Self {
        Self {
            entries: HashMap::new(),
            owners: HashMap::new(),
            dependents: HashMap::new(),
            chain: ChainTags::default(),
            ready_eviction: BTreeSet::new(),
            future_eviction: BTreeSet::new(),
            expiry: BTreeSet::new(),
            ready: Usage::default(),
            future: Usage::default(),
            senders: HashMap::new(),
            next_insertion: 0,
            changes: HashMap::new(),
            now,
        }
    }

    /// Sets the time of the operation about to run: transactions becoming future from now on
    /// are stamped with it.
    pub(crate) fn set_time(&mut self, now: Instant) {
        self.now = now;
    }

    /// The entry of `hash`.
    pub(crate) fn get(&self, hash: &H256) -> Option<&Entry> {
        self.entries.get(hash)
    }

    /// Whether `hash` is pooled.
    pub(crate) fn contains(&self, hash: &H256) -> bool {
        self.entries.contains_key(hash)
    }

    /// Usage of the ready and future queues.
    pub(crate) fn usage(&self) -> (Usage, Usage) {
        (self.ready, self.future)
    }

    /// All entries, in no particular order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// A fresh insertion number.
    pub(crate) fn next_insertion(&mut self) -> u64 {
        let insertion = self.next_insertion;
        self.next_insertion = self.next_insertion.saturating_add(1);
        insertion
    }

    /// Whether `tag` is provided on chain or by a ready transaction.
    fn satisfied(&self, tag: &[u8]) -> bool {
        self.chain.contains(tag) || self.owners.get(tag).is_some_and(|owner| self.is_ready(owner))
    }

    fn is_ready(&self, hash: &H256) -> bool {
        self.entries.get(hash).is_some_and(|entry| entry.ready)
    }

    fn all_satisfied(&self, tx: &Transaction) -> bool {
        tx.requires.iter().all(|tag| self.satisfied(tag))
    }

    fn touch(&mut self, hash: H256) {
        let ready = self.entries.get(&hash).map(|entry| entry.ready);
        self.changes.entry(hash).or_insert(ready);
    }

    /// Pooled transactions whose readiness changed since the last call, with their readiness now.
    pub(crate) fn take_changes(&mut self) -> Vec<(H256, bool)> {
        let mut changes: Vec<(u64, H256, bool)> = self
            .changes
            .drain()
            .filter_map(|(hash, before)| {
                let entry = self.entries.get(&hash)?;
                (before != Some(entry.ready)).then_some((entry.insertion, hash, entry.ready))
            })
            .collect();
        changes.sort_unstable();
        changes.into_iter().map(|(_, hash, ready)| (hash, ready)).collect()
    }

    fn set_ready(&mut self, hash: H256, ready: bool) {
        self.touch(hash);
        let now = self.now;
        let Some(entry) = self.entries.get_mut(&hash) else { return };
        if entry.ready == ready {
            return;
        }
        let key = entry.key();
        entry.ready = ready;
        let bytes = entry.tx.bytes.len();
        if ready {
            self.future_eviction.remove(&key);
            self.ready_eviction.insert(key);
            if let Some(since) = entry.future_since.take() {
                self.expiry.remove(&(since, hash));
            }
            self.future.sub(bytes);
            self.ready.add(bytes);
        } else {
            self.ready_eviction.remove(&key);
            self.future_eviction.insert(key);
            entry.future_since = Some(now);
            self.expiry.insert((now, hash));
            self.ready.sub(bytes);
            self.future.add(bytes);
        }
        if let Some(usage) = entry.tx.sender.as_ref().and_then(|sender| self.senders.get_mut(sender)) {
            usage.queue_mut(!ready).sub(bytes);
            usage.queue_mut(ready).add(bytes);
        }
    }

    /// Transactions `tx` depends on, directly or not. Fails if `tx` would close a cycle: it
    /// requires, through other transactions, a tag it provides itself, or a tag of a transaction
    /// it would replace.
    fn ancestors(&self, tx: &Transaction, replaced: &[H256]) -> Result<HashSet<H256>, PoolError> {
        let mut ancestors = HashSet::new();
        let mut seen: HashSet<&[u8]> = HashSet::new();
        let mut stack: Vec<&[u8]> = tx.requires.iter().map(Vec::as_slice).collect();
        while let Some(tag) = stack.pop() {
            if !seen.insert(tag) {
                continue;
            }
            if tx.provides.iter().any(|provided| provided.as_slice() == tag) {
                return Err(PoolError::CycleDetected);
            }
            if self.chain.contains(tag) {
                continue;
            }
            let Some(owner) = self.owners.get(tag) else { continue };
            if replaced.contains(owner) {
                return Err(PoolError::CycleDetected);
            }
            if ancestors.insert(*owner) {
                if let Some(entry) = self.entries.get(owner) {
                    stack.extend(entry.tx.requires.iter().map(Vec::as_slice));
                }
            }
        }
        Ok(ancestors)
    }

    /// `hash` followed by every pooled transaction depending on it, directly or not.
    pub(crate) fn descendants(&self, hash: &H256) -> Vec<H256> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![*hash];
        while let Some(hash) = stack.pop() {
            let Some(entry) = self.entries.get(&hash) else { continue };
            if !seen.insert(hash) {
                continue;
            }
            out.push(hash);
            for tag in entry.tx.provides.iter().filter(|tag| !self.chain.contains(tag)) {
                stack.extend(self.dependents.get(tag).into_iter().flatten().copied());
            }
        }
        out
    }

    /// How far `tx` (with insertion number `insertion`) is from inclusion, ignoring the pooled
    /// transactions in `gone`.
    fn distance<'a>(&self, tx: &'a Transaction, insertion: u64, gone: &HashSet<H256>) -> Distance<'a> {
        let tail = tx.provides.iter().all(|tag| {
            self.chain.contains(tag)
                || self.dependents.get(tag).is_none_or(|dependents| dependents.iter().all(|hash| gone.contains(hash)))
        });
        let tag = tx.provides.iter().map(|tag| NonceOrder(tag)).max();
        Distance { tail, tag, insertion }
    }

    /// The transaction of `sender` in the ready (`ready`) or future queue furthest from
    /// inclusion, among those `excluded` does not exclude; the transactions in `gone` count as
    /// removed.
    fn furthest<'a>(
        &'a self,
        sender: &[u8],
        ready: bool,
        gone: &HashSet<H256>,
        excluded: impl Fn(&H256) -> bool,
    ) -> Option<(H256, Distance<'a>)> {
        self.senders
            .get(sender)?
            .txs
            .iter()
            .filter(|hash| !gone.contains(*hash) && !excluded(hash))
            .filter_map(|hash| self.entries.get(hash))
            .filter(|entry| entry.ready == ready)
            .map(|entry| (entry.tx.hash, self.distance(&entry.tx, entry.insertion, gone)))
            .max_by(|(_, a), (_, b)| a.cmp(b))
    }

    /// Adds `victim` and its dependents not yet in `removed` to `removed` and `evicted`.
    fn plan_eviction(&self, victim: &H256, removed: &mut HashSet<H256>, evicted: &mut Vec<H256>) {
        for hash in self.descendants(victim) {
            if removed.insert(hash) {
                evicted.push(hash);
            }
        }
    }

    /// Usage of the ready (`ready`) or future queue by `sender`, without the transactions in
    /// `removed`.
    fn sender_usage(&self, sender: &[u8], ready: bool, removed: &HashSet<H256>) -> Usage {
        let Some(usage) = self.senders.get(sender) else { return Usage::default() };
        let mut out = if ready { usage.ready } else { usage.future };
        for entry in removed.iter().filter_map(|hash| self.entries.get(hash)) {
            if entry.ready == ready && entry.tx.sender.as_deref() == Some(sender) {
                out.sub(entry.tx.bytes.len());
            }
        }
        out
    }

    /// Decides whether `tx` (with insertion number `insertion`) may enter, and what it replaces and
    /// evicts (see the module documentation). Changes nothing.
    pub(crate) fn plan_insert(
        &self,
        tx: &Transaction,
        insertion: u64,
        options: &Config,
    ) -> Result<InsertPlan, PoolError> {
        if tx.provides.is_empty() {
            return Err(PoolError::NoTagsProvided);
        }
        if self.entries.contains_key(&tx.hash) {
            return Err(PoolError::AlreadyImported);
        }

        let mut replaced: Vec<H256> = Vec::new();
        for tag in &tx.provides {
            if let Some(owner) = self.owners.get(tag) {
                if !replaced.contains(owner) {
                    replaced.push(*owner);
                }
            }
        }
        let old = replaced.iter().filter_map(|hash| self.entries.get(hash)).map(|entry| entry.tx.priority).max();
        if let Some(old) = old {
            if tx.priority <= old {
                return Err(PoolError::TooLowPriority { old, new: tx.priority });
            }
        }

        // A cycle needs something pooled (or `tx` itself) to require a tag `tx` provides, or `tx`
        // to replace something; without either, the walk over what `tx` depends on waits until
        // an eviction has to spare it (the walk was 4% of a validator at saturation).
        let cycle_possible = !replaced.is_empty()
            || tx.provides.iter().any(|tag| {
                tx.requires.contains(tag) || self.dependents.get(tag).is_some_and(|dependents| !dependents.is_empty())
            });
        let mut ancestors = if cycle_possible { Some(self.ancestors(tx, &replaced)?) } else { None };
        let ready = tx.requires.iter().all(|tag| self.satisfied(tag));
        let size = tx.bytes.len();
        let mut removed: HashSet<H256> = replaced.iter().copied().collect();
        let mut evicted = Vec::new();

        // The sender's budget of the queue the newcomer enters: its transactions further from
        // inclusion make room.
        if let Some(sender) = &tx.sender {
            let (max_count, max_bytes) = sender_limits(options, ready);
            loop {
                let usage = self.sender_usage(sender, ready, &removed);
                if usage.count < max_count && usage.bytes.saturating_add(size) <= max_bytes {
                    break;
                }
                let refused =
                    PoolError::SenderLimitReached { queue: queue(ready), count: usage.count, bytes: usage.bytes };
                if size > max_bytes {
                    return Err(refused);
                }
                // No cycle is possible when the walk was put off, so it cannot fail here.
                let ancestors = ancestors.get_or_insert_with(|| self.ancestors(tx, &replaced).unwrap_or_default());
                let newcomer = self.distance(tx, insertion, &removed);
                let victim = self
                    .furthest(sender, ready, &removed, |hash| ancestors.contains(hash))
                    .filter(|(_, distance)| *distance > newcomer);
                let Some((victim, _)) = victim else { return Err(refused) };
                self.plan_eviction(&victim, &mut removed, &mut evicted);
            }
        }

        // The global budget of that queue: the worst transactions of the queue make room.
        let mut usage = if ready { self.ready } else { self.future };
        for entry in removed.iter().filter_map(|hash| self.entries.get(hash)) {
            if entry.ready == ready {
                usage.sub(entry.tx.bytes.len());
            }
        }
        usage.add(size);
        let limits = global_limits(options, ready);
        let newcomer = EvictionKey { priority: tx.priority, newest: Reverse(insertion), hash: tx.hash };
        let mut candidates = if ready { self.ready_eviction.iter() } else { self.future_eviction.iter() };
        while usage.over(limits) {
            let worst = candidates.by_ref().find(|key| !removed.contains(&key.hash));
            let victim = match worst {
                Some(key) if *key < newcomer => key.hash,
                _ => return Err(PoolError::ImmediatelyDropped),
            };
            let ancestors = ancestors.get_or_insert_with(|| self.ancestors(tx, &replaced).unwrap_or_default());
            if ancestors.contains(&victim) {
                // Evicting what the newcomer depends on would strand it.
                return Err(PoolError::ImmediatelyDropped);
            }
            for hash in self.descendants(&victim) {
                if removed.insert(hash) {
                    if let Some(entry) = self.entries.get(&hash).filter(|entry| entry.ready == ready) {
                        usage.sub(entry.tx.bytes.len());
                    }
                    evicted.push(hash);
                }
            }
        }
        Ok(InsertPlan { replaced, evicted })
    }

    /// Applies a plan made by [`Graph::plan_insert`] for `tx`. Returns the replaced and the evicted
    /// entries.
    pub(crate) fn insert(
        &mut self,
        tx: Arc<Transaction>,
        plan: &InsertPlan,
        insertion: u64,
        validated_at: u64,
    ) -> (Vec<Entry>, Vec<Entry>) {
        let replaced = plan.replaced.iter().filter_map(|hash| self.remove(hash)).collect();
        let evicted = plan.evicted.iter().filter_map(|hash| self.remove(hash)).collect();
        self.insert_unchecked(tx, insertion, validated_at);
        (replaced, evicted)
    }

    fn insert_unchecked(&mut self, tx: Arc<Transaction>, insertion: u64, validated_at: u64) {
        let hash = tx.hash;
        self.touch(hash);
        for tag in &tx.provides {
            self.owners.insert(tag.clone(), hash);
        }
        for tag in &tx.requires {
            self.dependents.entry(tag.clone()).or_default().insert(hash);
        }
        let size = tx.bytes.len();
        if let Some(sender) = &tx.sender {
            let usage = self.senders.entry(sender.clone()).or_default();
            usage.future.add(size);
            usage.txs.insert(hash);
        }
        // It enters as future and is promoted at once if it has everything it requires.
        self.future.add(size);
        let entry = Entry { tx, insertion, ready: false, validated_at, future_since: Some(self.now) };
        self.future_eviction.insert(entry.key());
        self.expiry.insert((self.now, hash));
        let ready = self.all_satisfied(&entry.tx);
        self.entries.insert(hash, entry);
        if ready {
            self.promote(hash);
        }
    }

    /// Makes `start` ready, then every future transaction that becomes ready with it.
    fn promote(&mut self, start: H256) {
        let mut stack = vec![start];
        while let Some(hash) = stack.pop() {
            self.set_ready(hash, true);
            let Some(entry) = self.entries.get(&hash) else { continue };
            for tag in &entry.tx.provides {
                stack.extend(self.unlocked_by(tag));
            }
        }
    }

    /// Future transactions requiring `tag` that have everything they require.
    fn unlocked_by(&self, tag: &[u8]) -> Vec<H256> {
        self.dependents
            .get(tag)
            .into_iter()
            .flatten()
            .filter(|hash| self.entries.get(*hash).is_some_and(|entry| !entry.ready && self.all_satisfied(&entry.tx)))
            .copied()
            .collect()
    }

    /// Tags in `tags` are no longer provided by a ready transaction: demote, transitively, the
    /// ready transactions that required them, unless the chain provides them.
    fn demote_dependents(&mut self, tags: Vec<TransactionTag>) {
        let mut stack = tags;
        while let Some(tag) = stack.pop() {
            if self.satisfied(&tag) {
                continue;
            }
            let demoted: Vec<H256> =
                self.dependents.get(&tag).into_iter().flatten().filter(|hash| self.is_ready(hash)).copied().collect();
            for hash in demoted {
                self.set_ready(hash, false);
                if let Some(entry) = self.entries.get(&hash) {
                    stack.extend(entry.tx.provides.iter().cloned());
                }
            }
        }
    }

    /// Removes `hash`; ready transactions depending on it become future.
    pub(crate) fn remove(&mut self, hash: &H256) -> Option<Entry> {
        self.touch(*hash);
        let entry = self.entries.remove(hash)?;
        let size = entry.tx.bytes.len();
        if entry.ready {
            self.ready_eviction.remove(&entry.key());
            self.ready.sub(size);
        } else {
            self.future_eviction.remove(&entry.key());
            self.future.sub(size);
        }
        if let Some(since) = entry.future_since {
            self.expiry.remove(&(since, *hash));
        }
        if let Some(sender) = &entry.tx.sender {
            if let Some(usage) = self.senders.get_mut(sender) {
                usage.queue_mut(entry.ready).sub(size);
                usage.txs.remove(hash);
                if usage.txs.is_empty() {
                    self.senders.remove(sender);
                }
            }
        }
        for tag in &entry.tx.provides {
            if self.owners.get(tag) == Some(hash) {
                self.owners.remove(tag);
            }
        }
        for tag in &entry.tx.requires {
            if let Some(dependents) = self.dependents.get_mut(tag) {
                dependents.remove(hash);
                if dependents.is_empty() {
                    self.dependents.remove(tag);
                }
            }
        }
        if entry.ready {
            self.demote_dependents(entry.tx.provides.clone());
        }
        Some(entry)
    }

    /// Removes `hash` and everything depending on it.
    pub(crate) fn remove_with_descendants(&mut self, hash: &H256) -> Vec<Entry> {
        self.descendants(hash).iter().filter_map(|hash| self.remove(hash)).collect()
    }

    /// Replaces the transaction of an entry whose tags and priority did not change.
    pub(crate) fn refresh(&mut self, tx: Arc<Transaction>, validated_at: u64) {
        if let Some(entry) = self.entries.get_mut(&tx.hash) {
            entry.tx = tx;
            entry.validated_at = validated_at;
        }
    }

    /// Block `block` provided `tags`: remember them; transactions waiting for them become ready.
    /// Returns the pooled transactions that provide one of them too (they conflict with the block).
    pub(crate) fn provide_on_chain(&mut self, block: H256, tags: Vec<TransactionTag>, keep: usize) -> Vec<H256> {
        let conflicting: Vec<H256> = tags.iter().filter_map(|tag| self.owners.get(tag)).copied().collect();
        let unlocked: Vec<H256> = {
            self.chain.add_block(block, tags.clone(), keep);
            tags.iter().flat_map(|tag| self.unlocked_by(tag)).collect()
        };
        for hash in unlocked {
            if self.entries.get(&hash).is_some_and(|entry| !entry.ready && self.all_satisfied(&entry.tx)) {
                self.promote(hash);
            }
        }
        conflicting
    }

    /// Block `block` was retracted: forget its tags; what required them becomes future.
    pub(crate) fn retract_block(&mut self, block: &H256) {
        let forgotten = self.chain.remove_block(block);
        self.demote_dependents(forgotten);
    }

    /// Future transactions that have been future for `ttl` or longer at the current time, the
    /// oldest first.
    pub(crate) fn expired(&self, ttl: Duration) -> Vec<H256> {
        self.expiry
            .iter()
            .take_while(|(since, _)| since.checked_add(ttl).is_some_and(|deadline| deadline <= self.now))
            .map(|(_, hash)| *hash)
            .collect()
    }

    /// The budgets over their limits now, in the order they are restored: senders touched since
    /// the last [`Graph::take_changes`] (only they can have grown), then the global ones.
    fn overflows(&self, options: &Config, touched: &[Vec<u8>]) -> Vec<Overflow> {
        let mut out = Vec::new();
        for sender in touched {
            let Some(usage) = self.senders.get(sender) else { continue };
            for ready in [true, false] {
                if (if ready { usage.ready } else { usage.future }).over(sender_limits(options, ready)) {
                    out.push(Overflow::Sender(sender.clone(), ready));
                }
            }
        }
        for ready in [true, false] {
            if (if ready { self.ready } else { self.future }).over(global_limits(options, ready)) {
                out.push(Overflow::Global(ready));
            }
        }
        out
    }

    /// The transaction to evict (with its dependents) to shrink `overflow`, never one in `spared`.
    /// `promoted` are the transactions made ready by the current operation.
    fn victim(&self, overflow: &Overflow, promoted: &[H256], spared: &HashSet<H256>) -> Option<H256> {
        let none = HashSet::new();
        match overflow {
            Overflow::Sender(sender, ready) => {
                self.furthest(sender, *ready, &none, |hash| spared.contains(hash)).map(|(hash, _)| hash)
            }
            Overflow::Global(false) => {
                self.future_eviction.iter().map(|key| key.hash).find(|hash| !spared.contains(hash))
            }
            Overflow::Global(true) => promoted
                .iter()
                .filter(|hash| !spared.contains(*hash))
                .filter_map(|hash| self.entries.get(hash))
                .filter(|entry| entry.ready)
                .map(|entry| (entry.tx.hash, self.distance(&entry.tx, entry.insertion, &none)))
                .max_by(|(_, a), (_, b)| a.cmp(b))
                .map(|(hash, _)| hash)
                .or_else(|| self.ready_eviction.iter().map(|key| key.hash).find(|hash| !spared.contains(hash))),
        }
    }

    /// Evicts transactions, each with its dependents, until every budget holds (see the module
    /// documentation). `protected` and what it depends on are spared: a victim never has a spared
    /// dependent, since what the protected transaction depends on is spared too.
    pub(crate) fn enforce_limits(&mut self, options: &Config, protected: Option<H256>) -> Vec<Entry> {
        // Only senders of transactions added or moved since the last `take_changes` can have
        // grown; sorted, so that evictions do not depend on hash map order.
        let mut touched: Vec<Vec<u8>> = Vec::new();
        let mut promoted: Vec<H256> = Vec::new();
        for (hash, before) in &self.changes {
            let Some(entry) = self.entries.get(hash) else { continue };
            touched.extend(entry.tx.sender.iter().cloned());
            if entry.ready && *before == Some(false) {
                promoted.push(*hash);
            }
        }
        touched.sort_unstable();
        touched.dedup();
        let mut spared: Option<HashSet<H256>> = None;
        let mut evicted = Vec::new();
        loop {
            let overflows = self.overflows(options, &touched);
            if overflows.is_empty() {
                break;
            }
            let spared = spared.get_or_insert_with(|| match protected.and_then(|hash| self.entries.get(&hash)) {
                Some(entry) => {
                    let mut spared = self.ancestors(&entry.tx, &[]).unwrap_or_default();
                    spared.insert(entry.tx.hash);
                    spared
                }
                None => HashSet::new(),
            });
            let Some(victim) = overflows.iter().find_map(|overflow| self.victim(overflow, &promoted, spared)) else {
                break;
            };
            evicted.extend(self.remove_with_descendants(&victim));
        }
        evicted
    }

    /// Transactions whose longevity ended before block `number`.
    pub(crate) fn stale(&self, number: u64) -> Vec<H256> {
        self.entries.values().filter(|entry| entry.tx.valid_till < number).map(|entry| entry.tx.hash).collect()
    }

    /// Ready transactions with their insertion numbers.
    pub(crate) fn ready_snapshot(&self) -> Vec<(Arc<Transaction>, u64)> {
        self.entries.values().filter(|entry| entry.ready).map(|entry| (entry.tx.clone(), entry.insertion)).collect()
    }

    /// The pooled transactions of `sender`, in no particular order.
    pub(crate) fn sender_transactions(&self, sender: &[u8]) -> Vec<Arc<Transaction>> {
        self.senders
            .get(sender)
            .map(|usage| usage.txs.iter().filter_map(|hash| self.entries.get(hash)).map(|e| e.tx.clone()).collect())
            .unwrap_or_default()
    }

    /// Senders with pooled transactions, in no particular order.
    pub(crate) fn senders(&self) -> impl Iterator<Item = &[u8]> {
        self.senders.keys().map(Vec::as_slice)
    }

    /// What `sender` has in the pool at `now`, if anything; futures expire `ttl` after they
    /// became future.
    pub(crate) fn sender_status(&self, sender: &[u8], now: Instant, ttl: Duration) -> Option<SenderStatus> {
        let usage = self.senders.get(sender)?;
        let mut future: Vec<&Entry> =
            usage.txs.iter().filter_map(|hash| self.entries.get(hash)).filter(|entry| !entry.ready).collect();
        future.sort_unstable_by_key(|entry| entry.insertion);
        let waiting = future
            .into_iter()
            .map(|entry| {
                let unsatisfied = entry.tx.requires.iter().filter(|tag| !self.satisfied(tag));
                let (mut missing, mut after) = (Vec::new(), Vec::new());
                for tag in unsatisfied {
                    match self.owners.get(tag) {
                        Some(owner) => after.push(*owner),
                        None => missing.push(tag.clone()),
                    }
                }
                let expires_in = entry
                    .future_since
                    .and_then(|since| since.checked_add(ttl))
                    .map_or(Duration::ZERO, |deadline| deadline.saturating_duration_since(now));
                WaitingTransaction { hash: entry.tx.hash, missing, after, expires_in }
            })
            .collect();
        Some(SenderStatus {
            sender: sender.to_vec(),
            ready: usage.ready.count,
            ready_bytes: usage.ready.bytes,
            future: usage.future.count,
            future_bytes: usage.future.bytes,
            waiting,
        })
    }

    /// Checks the invariants listed in the module documentation.
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        let (mut ready, mut future) = (Usage::default(), Usage::default());
        let mut senders: HashMap<Vec<u8>, SenderUsage> = HashMap::new();
        for (hash, entry) in &self.entries {
            assert_eq!(*hash, entry.tx.hash);
            (if entry.ready { &mut ready } else { &mut future }).add(entry.tx.bytes.len());
            if let Some(sender) = &entry.tx.sender {
                let usage = senders.entry(sender.clone()).or_default();
                usage.queue_mut(entry.ready).add(entry.tx.bytes.len());
                usage.txs.insert(*hash);
            }
            for tag in &entry.tx.provides {
                assert_eq!(self.owners.get(tag), Some(hash), "each provided tag has one owner");
            }
            for tag in &entry.tx.requires {
                assert!(self.dependents.get(tag).is_some_and(|set| set.contains(hash)));
            }
            assert_eq!(entry.ready, self.all_satisfied(&entry.tx), "readiness of {hash:?}");
            let eviction = if entry.ready { &self.ready_eviction } else { &self.future_eviction };
            assert!(eviction.contains(&entry.key()));
            match entry.future_since {
                Some(since) => {
                    assert!(!entry.ready, "a ready transaction has no expiry");
                    assert!(self.expiry.contains(&(since, *hash)));
                }
                None => assert!(entry.ready, "a future transaction expires"),
            }
        }
        assert_eq!((ready, future), (self.ready, self.future));
        assert_eq!(senders, self.senders);
        assert_eq!(self.ready_eviction.len(), ready.count);
        assert_eq!(self.future_eviction.len(), future.count);
        assert_eq!(self.expiry.len(), future.count);
        assert!(self.owners.values().all(|hash| self.entries.contains_key(hash)));
        assert!(self.dependents.values().flatten().all(|hash| self.entries.contains_key(hash)));
    }
}
