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
//! - the usage counters equal the sums over the entries.
//!
//! No locks, channels or clock here: the [`crate::Pool`] drives the graph and turns what it
//! reports (removed entries, readiness changes) into watcher notifications.

use crate::{Options, PoolError, Transaction};
use sp_core::H256;
use sp_runtime::transaction_validity::TransactionTag;
use std::{
    cmp::Reverse,
    collections::{BTreeSet, HashMap, HashSet, VecDeque},
    sync::Arc,
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
}

/// Eviction order: the smallest key goes first. Future before ready, then lower priority, then
/// newer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct EvictionKey {
    ready: bool,
    priority: u64,
    newest: Reverse<u64>,
    hash: H256,
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
}

impl Entry {
    fn key(&self) -> EvictionKey {
        EvictionKey {
            ready: self.ready,
            priority: self.tx.priority,
            newest: Reverse(self.insertion),
            hash: self.tx.hash,
        }
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
#[derive(Default)]
pub(crate) struct Graph {
    entries: HashMap<H256, Entry>,
    /// The pooled transaction providing each tag.
    owners: HashMap<TransactionTag, H256>,
    /// Pooled transactions requiring each tag.
    dependents: HashMap<TransactionTag, HashSet<H256>>,
    chain: ChainTags,
    eviction: BTreeSet<EvictionKey>,
    ready: Usage,
    future: Usage,
    senders: HashMap<Vec<u8>, Usage>,
    next_insertion: u64,
    /// Readiness at the first change since the last `take_changes` (`None`: was not pooled).
    changes: HashMap<H256, Option<bool>>,
}

impl Graph {
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
        let Some(entry) = self.entries.get_mut(&hash) else { return };
        if entry.ready == ready {
            return;
        }
        self.eviction.remove(&entry.key());
        entry.ready = ready;
        self.eviction.insert(entry.key());
        let bytes = entry.tx.bytes.len();
        let (from, to) = if ready { (&mut self.future, &mut self.ready) } else { (&mut self.ready, &mut self.future) };
        from.sub(bytes);
        to.add(bytes);
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

    /// Decides whether `tx` (with insertion number `insertion`) may enter, and what it replaces and
    /// evicts. Changes nothing.
    pub(crate) fn plan_insert(
        &self,
        tx: &Transaction,
        insertion: u64,
        options: &Options,
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

        let replaced_entries = || replaced.iter().filter_map(|hash| self.entries.get(hash));
        if let Some(sender) = &tx.sender {
            let mut usage = self.senders.get(sender).copied().unwrap_or_default();
            for entry in replaced_entries().filter(|entry| entry.tx.sender.as_ref() == Some(sender)) {
                usage.sub(entry.tx.bytes.len());
            }
            if usage.count >= options.max_per_sender_count
                || usage.bytes.saturating_add(size) > options.max_per_sender_bytes
            {
                return Err(PoolError::SenderLimitReached { count: usage.count, bytes: usage.bytes });
            }
        }

        // Usage once the replaced are gone and the newcomer is in.
        let (mut ready_usage, mut future_usage) = (self.ready, self.future);
        for entry in replaced_entries() {
            (if entry.ready { &mut ready_usage } else { &mut future_usage }).sub(entry.tx.bytes.len());
        }
        (if ready { &mut ready_usage } else { &mut future_usage }).add(size);

        let newcomer = EvictionKey { ready, priority: tx.priority, newest: Reverse(insertion), hash: tx.hash };
        let mut removed: HashSet<H256> = replaced.iter().copied().collect();
        let mut evicted = Vec::new();
        let mut candidates = self.eviction.iter();
        loop {
            let future_over = !ready && over(future_usage, options.future_max_count, options.future_max_bytes);
            let total = Usage {
                count: ready_usage.count.saturating_add(future_usage.count),
                bytes: ready_usage.bytes.saturating_add(future_usage.bytes),
            };
            if !future_over && !over(total, options.max_count, options.max_bytes) {
                break;
            }
            let worst = candidates.by_ref().find(|key| !removed.contains(&key.hash));
            let victim = match worst {
                // Only a future transaction makes room in the future queue.
                Some(key) if *key < newcomer && !(future_over && key.ready) => key,
                _ => return Err(PoolError::ImmediatelyDropped),
            };
            // No cycle is possible when the walk was put off, so it cannot fail here.
            let ancestors = ancestors.get_or_insert_with(|| self.ancestors(tx, &replaced).unwrap_or_default());
            if ancestors.contains(&victim.hash) {
                // Evicting what the newcomer depends on would strand it.
                return Err(PoolError::ImmediatelyDropped);
            }
            for hash in self.descendants(&victim.hash) {
                if removed.insert(hash) {
                    if let Some(entry) = self.entries.get(&hash) {
                        (if entry.ready { &mut ready_usage } else { &mut future_usage }).sub(entry.tx.bytes.len());
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
            self.senders.entry(sender.clone()).or_default().add(size);
        }
        self.future.add(size);
        let entry = Entry { tx, insertion, ready: false, validated_at };
        self.eviction.insert(entry.key());
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
        self.eviction.remove(&entry.key());
        let size = entry.tx.bytes.len();
        (if entry.ready { &mut self.ready } else { &mut self.future }).sub(size);
        if let Some(sender) = &entry.tx.sender {
            if let Some(usage) = self.senders.get_mut(sender) {
                usage.sub(size);
                if usage.count == 0 {
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

    /// Evicts the worst transactions (future first, then lowest priority, then newest), each with
    /// its dependents, until the limits hold. `protected` and what it depends on are spared.
    pub(crate) fn enforce_limits(&mut self, options: &Options, protected: Option<H256>) -> Vec<Entry> {
        let mut spared: Option<HashSet<H256>> = None;
        let mut evicted = Vec::new();
        loop {
            let future_over = over(self.future, options.future_max_count, options.future_max_bytes);
            let total = Usage {
                count: self.ready.count.saturating_add(self.future.count),
                bytes: self.ready.bytes.saturating_add(self.future.bytes),
            };
            if !future_over && !over(total, options.max_count, options.max_bytes) {
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
            let victim = self
                .eviction
                .iter()
                .filter(|key| !future_over || !key.ready)
                .find(|key| spared.is_empty() || !self.descendants(&key.hash).iter().any(|hash| spared.contains(hash)))
                .map(|key| key.hash);
            let Some(victim) = victim else { break };
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

    /// Usage of each sender.
    #[cfg(test)]
    pub(crate) fn sender_usages(&self) -> impl Iterator<Item = Usage> + '_ {
        self.senders.values().copied()
    }

    /// Checks the invariants listed in the module documentation.
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        let (mut ready, mut future) = (Usage::default(), Usage::default());
        let mut senders: HashMap<Vec<u8>, Usage> = HashMap::new();
        for (hash, entry) in &self.entries {
            assert_eq!(*hash, entry.tx.hash);
            (if entry.ready { &mut ready } else { &mut future }).add(entry.tx.bytes.len());
            if let Some(sender) = &entry.tx.sender {
                senders.entry(sender.clone()).or_default().add(entry.tx.bytes.len());
            }
            for tag in &entry.tx.provides {
                assert_eq!(self.owners.get(tag), Some(hash), "each provided tag has one owner");
            }
            for tag in &entry.tx.requires {
                assert!(self.dependents.get(tag).is_some_and(|set| set.contains(hash)));
            }
            assert_eq!(entry.ready, self.all_satisfied(&entry.tx), "readiness of {hash:?}");
            assert!(self.eviction.contains(&entry.key()));
        }
        assert_eq!((ready, future), (self.ready, self.future));
        assert_eq!(senders, self.senders);
        assert_eq!(self.eviction.len(), self.entries.len());
        assert!(self.owners.values().all(|hash| self.entries.contains_key(hash)));
        assert!(self.dependents.values().flatten().all(|hash| self.entries.contains_key(hash)));
    }
}

fn over(usage: Usage, max_count: usize, max_bytes: usize) -> bool {
    usage.count > max_count || usage.bytes > max_bytes
}
