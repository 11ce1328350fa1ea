//! Block-building order of ready transactions, as a pure function of a snapshot.
//!
//! A transaction is yielded once every transaction of the snapshot providing a tag it requires
//! has been yielded; among those available, the highest priority first, ties by insertion
//! order (older first). Tags no transaction of the snapshot provides are taken as provided on
//! chain: the snapshot holds ready transactions only.

use crate::Transaction;
use sp_core::H256;
use std::{
    cmp::{Ordering, Reverse},
    collections::{BinaryHeap, HashMap},
    sync::Arc,
};

/// A ready transaction in the snapshot.
struct Node {
    tx: Arc<Transaction>,
    insertion: u64,
    /// Providers of its required tags not yielded yet.
    pending: usize,
    /// Transactions requiring a tag it provides.
    unlocks: Vec<H256>,
    /// Reported skipped, or depends on a skipped transaction.
    skipped: bool,
}

/// Heap entry: the greatest is yielded first.
#[derive(PartialEq, Eq)]
struct Best {
    priority: u64,
    insertion: Reverse<u64>,
    hash: H256,
}

impl Ord for Best {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.priority, self.insertion, self.hash).cmp(&(other.priority, other.insertion, other.hash))
    }
}

impl PartialOrd for Best {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Iterator over ready transactions in block-building order.
///
/// The block builder takes transactions one by one; when it leaves one out (the block is full
/// for it, or the runtime refused it) it calls [`ReadyIter::report_skipped`] so that nothing
/// depending on it is yielded. It reports invalid transactions to the pool separately
/// ([`crate::Pool::reject`]).
pub struct ReadyIter {
    nodes: HashMap<H256, Node>,
    best: BinaryHeap<Best>,
}

impl ReadyIter {
    /// Orders `ready`: each ready transaction with its insertion number (lower is older).
    pub fn new(ready: Vec<(Arc<Transaction>, u64)>) -> Self {
        let mut provider: HashMap<&[u8], H256> = HashMap::new();
        for (tx, _) in &ready {
            for tag in &tx.provides {
                provider.insert(tag, tx.hash);
            }
        }
        let mut unlocks: HashMap<H256, Vec<H256>> = HashMap::new();
        let mut pending: HashMap<H256, usize> = HashMap::new();
        for (tx, _) in &ready {
            for tag in &tx.requires {
                match provider.get(tag.as_slice()) {
                    Some(by) if *by != tx.hash => {
                        unlocks.entry(*by).or_default().push(tx.hash);
                        *pending.entry(tx.hash).or_default() += 1;
                    }
                    _ => {}
                }
            }
        }
        let mut nodes = HashMap::with_capacity(ready.len());
        let mut best = BinaryHeap::new();
        for (tx, insertion) in ready {
            let hash = tx.hash;
            let pending = pending.get(&hash).copied().unwrap_or_default();
            if pending == 0 {
                best.push(Best { priority: tx.priority, insertion: Reverse(insertion), hash });
            }
            let unlocks = unlocks.remove(&hash).unwrap_or_default();
            nodes.insert(hash, Node { tx, insertion, pending, unlocks, skipped: false });
        }
        Self { nodes, best }
    }

    /// The builder left `hash` out: do not yield it (if not yet yielded) nor anything depending on it.
    pub fn report_skipped(&mut self, hash: &H256) {
        let mut stack = vec![*hash];
        while let Some(hash) = stack.pop() {
            if let Some(node) = self.nodes.get_mut(&hash) {
                if !node.skipped {
                    node.skipped = true;
                    stack.extend(node.unlocks.iter().copied());
                }
            }
        }
    }
}

impl Iterator for ReadyIter {
    type Item = Arc<Transaction>;

    fn next(&mut self) -> Option<Self::Item> {
        while let Some(Best { hash, .. }) = self.best.pop() {
            let Some(node) = self.nodes.get(&hash) else { continue };
            if node.skipped {
                continue;
            }
            let tx = node.tx.clone();
            for unlocked in node.unlocks.clone() {
                if let Some(next) = self.nodes.get_mut(&unlocked) {
                    next.pending = next.pending.saturating_sub(1);
                    if next.pending == 0 && !next.skipped {
                        self.best.push(Best {
                            priority: next.tx.priority,
                            insertion: Reverse(next.insertion),
                            hash: unlocked,
                        });
                    }
                }
            }
            return Some(tx);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::tx;

    fn order(ready: Vec<Arc<Transaction>>) -> Vec<u8> {
        let snapshot = ready.into_iter().enumerate().map(|(i, tx)| (tx, i as u64)).collect();
        ReadyIter::new(snapshot).map(|tx| tx.bytes[0]).collect()
    }

    #[test]
    fn higher_priority_first_ties_by_insertion() {
        let ready = vec![tx(1, 10, &[], &[b"a"]), tx(2, 30, &[], &[b"b"]), tx(3, 10, &[], &[b"c"])];
        assert_eq!(order(ready), vec![2, 1, 3]);
    }

    #[test]
    fn dependencies_come_before_priority() {
        // 3 has the highest priority but requires what 1 provides.
        let ready = vec![tx(1, 1, &[], &[b"a"]), tx(2, 5, &[], &[b"b"]), tx(3, 9, &[b"a"], &[b"c"])];
        assert_eq!(order(ready), vec![2, 1, 3]);
    }

    #[test]
    fn tags_outside_the_snapshot_count_as_provided_on_chain() {
        let ready = vec![tx(1, 1, &[b"on-chain"], &[b"a"])];
        assert_eq!(order(ready), vec![1]);
    }

    #[test]
    fn skipping_a_transaction_skips_its_dependents() {
        let ready = vec![tx(1, 9, &[], &[b"a"]), tx(2, 5, &[b"a"], &[b"b"]), tx(3, 1, &[], &[b"c"])];
        let snapshot = ready.into_iter().enumerate().map(|(i, tx)| (tx, i as u64)).collect();
        let mut iter = ReadyIter::new(snapshot);
        let first = iter.next().map(|tx| tx.hash);
        assert_eq!(first, Some(H256::repeat_byte(1)));
        iter.report_skipped(&H256::repeat_byte(1));
        assert_eq!(iter.map(|tx| tx.bytes[0]).collect::<Vec<_>>(), vec![3]);
    }
}
