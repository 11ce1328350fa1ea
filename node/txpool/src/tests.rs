//! Pool behaviour: queues, replacement, limits, expiry, bans, block import, revalidation, watchers,
//! sender status, and a property test against a small model of nonces.

use crate::*;
use proptest::prelude::*;
use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

/// A pooled transaction `id` (hash `[id; 32]`, bytes `[id]`) for the pure ordering tests.
pub(crate) fn tx(id: u8, priority: u64, requires: &[&[u8]], provides: &[&[u8]]) -> Arc<Transaction> {
    Arc::new(Transaction {
        hash: H256::repeat_byte(id),
        bytes: vec![id],
        sender: None,
        source: TransactionSource::External,
        priority,
        requires: requires.iter().map(|tag| tag.to_vec()).collect(),
        provides: provides.iter().map(|tag| tag.to_vec()).collect(),
        valid_till: u64::MAX,
        propagate: true,
    })
}

/// The tag of `who`'s nonce `nonce`.
fn tag(who: u8, nonce: u64) -> TransactionTag {
    let mut tag = vec![who];
    tag.extend(nonce.to_le_bytes());
    tag
}

/// Builder of a signed transaction of account `who` with nonce `nonce`, frame-style tags.
#[derive(Clone)]
struct Tx {
    who: u8,
    nonce: u64,
    priority: u64,
    size: usize,
    variant: u8,
    longevity: u64,
    at_block: u64,
}

fn signed(who: u8, nonce: u64) -> Tx {
    Tx { who, nonce, priority: 10, size: 100, variant: 0, longevity: 64, at_block: 0 }
}

impl Tx {
    fn priority(self, priority: u64) -> Self {
        Self { priority, ..self }
    }
    fn size(self, size: usize) -> Self {
        Self { size, ..self }
    }
    /// Another transaction with the same nonce.
    fn variant(self, variant: u8) -> Self {
        Self { variant, ..self }
    }
    fn longevity(self, longevity: u64, at_block: u64) -> Self {
        Self { longevity, at_block, ..self }
    }

    fn hash(&self) -> H256 {
        let mut hash = [0u8; 32];
        hash[0] = self.who;
        hash[1..9].copy_from_slice(&self.nonce.to_le_bytes());
        hash[9] = self.variant;
        hash[10..18].copy_from_slice(&self.priority.to_le_bytes());
        H256(hash)
    }

    fn validity(&self) -> ValidTransaction {
        ValidTransaction {
            priority: self.priority,
            requires: if self.nonce > 0 { vec![tag(self.who, self.nonce - 1)] } else { vec![] },
            provides: vec![tag(self.who, self.nonce)],
            longevity: self.longevity,
            propagate: true,
        }
    }

    fn build(&self) -> NewTransaction {
        NewTransaction {
            hash: self.hash(),
            bytes: vec![self.who; self.size],
            sender: Some(vec![self.who]),
            source: TransactionSource::External,
            validity: self.validity(),
            at_block: self.at_block,
        }
    }
}

fn pool(options: Config) -> (Pool, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    (Pool::with_clock(options, clock.clone()), clock)
}

fn default_pool() -> Pool {
    pool(Config::default()).0
}

fn submit(pool: &Pool, tx: &Tx) -> Result<SubmitOutcome> {
    let result = pool.submit(tx.build());
    pool.check_invariants();
    result
}

fn watch(pool: &Pool, tx: &Tx) -> TxStatusStream {
    let (_, stream) = pool.submit_and_watch(tx.build()).expect("accepted");
    pool.check_invariants();
    stream
}

fn ready_hashes(pool: &Pool) -> Vec<H256> {
    pool.ready().map(|tx| tx.hash).collect()
}

fn statuses(stream: &mut TxStatusStream) -> Vec<TxStatus> {
    let mut out = Vec::new();
    while let Ok(status) = stream.try_recv() {
        out.push(status);
    }
    out
}

fn is_closed(stream: &mut TxStatusStream) -> bool {
    matches!(stream.try_recv(), Err(futures::channel::mpsc::TryRecvError::Closed))
}

const BLOCK: H256 = H256::repeat_byte(0xb1);

// ---- queues and ordering ----

#[test]
fn pool_is_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Pool>();
    let pool = default_pool();
    let clone = pool.clone();
    std::thread::spawn(move || clone.submit(signed(1, 0).build())).join().expect("thread ran").expect("accepted");
    assert!(pool.contains(&signed(1, 0).hash()));
}

#[test]
fn nonce_chain_arriving_out_of_order_moves_from_future_to_ready() {
    let pool = default_pool();
    let chain: Vec<Tx> = (0..3).map(|nonce| signed(1, nonce)).collect();
    assert_eq!(submit(&pool, &chain[2]), Ok(SubmitOutcome::Future));
    assert_eq!(submit(&pool, &chain[1]), Ok(SubmitOutcome::Future));
    assert_eq!(pool.status(), PoolStatus { ready: 0, future: 2, bytes: 200 });
    assert_eq!(submit(&pool, &chain[0]), Ok(SubmitOutcome::Ready));
    assert_eq!(pool.status(), PoolStatus { ready: 3, future: 0, bytes: 300 });
    assert_eq!(ready_hashes(&pool), chain.iter().map(Tx::hash).collect::<Vec<_>>());
}

#[test]
fn ready_orders_by_priority_then_insertion() {
    let pool = default_pool();
    let low = signed(1, 0).priority(5);
    let high = signed(2, 0).priority(50);
    let mid = signed(3, 0).priority(10);
    let mid_later = signed(4, 0).priority(10);
    for tx in [&low, &high, &mid, &mid_later] {
        submit(&pool, tx).expect("accepted");
    }
    assert_eq!(ready_hashes(&pool), vec![high.hash(), mid.hash(), mid_later.hash(), low.hash()]);
}

#[test]
fn dependencies_win_over_priority() {
    let pool = default_pool();
    let first = signed(1, 0).priority(1);
    let second = signed(1, 1).priority(100);
    let other = signed(2, 0).priority(50);
    for tx in [&first, &second, &other] {
        submit(&pool, tx).expect("accepted");
    }
    assert_eq!(ready_hashes(&pool), vec![other.hash(), first.hash(), second.hash()]);
}

#[test]
fn skipped_transaction_hides_its_dependents_from_the_builder() {
    let pool = default_pool();
    let (first, second, other) = (signed(1, 0).priority(9), signed(1, 1).priority(9), signed(2, 0).priority(1));
    for tx in [&first, &second, &other] {
        submit(&pool, tx).expect("accepted");
    }
    let mut iter = pool.ready();
    assert_eq!(iter.next().map(|tx| tx.hash), Some(first.hash()));
    iter.report_skipped(&first.hash());
    assert_eq!(iter.map(|tx| tx.hash).collect::<Vec<_>>(), vec![other.hash()]);
}

#[test]
fn pending_lists_ready_then_future_bytes() {
    let pool = default_pool();
    submit(&pool, &signed(1, 2).size(3)).expect("accepted");
    submit(&pool, &signed(2, 0).size(2)).expect("accepted");
    assert_eq!(pool.pending(), vec![vec![2u8; 2], vec![1u8; 3]]);
    assert!(pool.contains(&signed(1, 2).size(3).hash()));
    assert_eq!(pool.get(&signed(2, 0).hash()).map(|tx| tx.priority), Some(10));
}

#[test]
fn duplicates_cycles_and_tagless_transactions_are_refused() {
    let pool = default_pool();
    let tx = signed(1, 0);
    submit(&pool, &tx).expect("accepted");
    assert_eq!(submit(&pool, &tx), Err(PoolError::AlreadyImported));

    let mut tagless = signed(2, 0).build();
    tagless.validity.provides.clear();
    assert_eq!(pool.submit(tagless), Err(PoolError::NoTagsProvided));

    let mut self_dependent = signed(3, 0).build();
    self_dependent.validity.requires = vec![tag(3, 0)];
    assert_eq!(pool.submit(self_dependent), Err(PoolError::CycleDetected));

    // Requires nonce 0 of account 1 while replacing it (same tag, higher priority).
    let mut replaces_its_parent = signed(1, 1).build();
    replaces_its_parent.validity.provides.push(tag(1, 0));
    replaces_its_parent.validity.priority = 100;
    assert_eq!(pool.submit(replaces_its_parent), Err(PoolError::CycleDetected));

    // A cycle through the pool: A waits for tag X and provides Y; B requires Y and provides X.
    let mut waits_for_x = signed(4, 5).build();
    (waits_for_x.validity.requires, waits_for_x.validity.provides) = (vec![b"x".to_vec()], vec![b"y".to_vec()]);
    assert_eq!(pool.submit(waits_for_x), Ok(SubmitOutcome::Future));
    let mut closes_the_loop = signed(5, 5).build();
    (closes_the_loop.validity.requires, closes_the_loop.validity.provides) = (vec![b"y".to_vec()], vec![b"x".to_vec()]);
    assert_eq!(pool.submit(closes_the_loop), Err(PoolError::CycleDetected));
    pool.check_invariants();
    pool.check_invariants();
}

// ---- replacement ----

#[test]
fn higher_priority_replaces_equal_or_lower_is_refused() {
    let pool = default_pool();
    let old = signed(1, 0).priority(10);
    let mut old_stream = watch(&pool, &old);
    assert_eq!(submit(&pool, &old.clone().variant(1)), Err(PoolError::TooLowPriority { old: 10, new: 10 }));
    assert_eq!(submit(&pool, &old.clone().variant(2).priority(9)), Err(PoolError::TooLowPriority { old: 10, new: 9 }));
    let new = old.clone().variant(3).priority(11);
    assert_eq!(submit(&pool, &new), Ok(SubmitOutcome::Ready));
    assert!(!pool.contains(&old.hash()));
    assert_eq!(statuses(&mut old_stream), vec![TxStatus::Ready, TxStatus::Usurped(new.hash())]);
    assert!(is_closed(&mut old_stream));
    assert_eq!(pool.status().ready, 1);
}

#[test]
fn replacing_a_parent_keeps_its_dependents_ready() {
    let pool = default_pool();
    submit(&pool, &signed(1, 0)).expect("accepted");
    let child = signed(1, 1);
    let mut child_stream = watch(&pool, &child);
    let better_parent = signed(1, 0).variant(1).priority(20);
    submit(&pool, &better_parent).expect("accepted");
    assert_eq!(ready_hashes(&pool), vec![better_parent.hash(), child.hash()]);
    // No spurious Future/Ready flip for the child.
    assert_eq!(statuses(&mut child_stream), vec![TxStatus::Ready]);
}

// ---- limits ----

#[test]
fn full_pool_evicts_the_worst_or_refuses_the_newcomer() {
    let options = Config { max_ready_count: 3, ..Config::default() };
    let (pool, _) = pool(options);
    let low = signed(1, 0).priority(1);
    let mut low_stream = watch(&pool, &low);
    submit(&pool, &signed(2, 0).priority(5)).expect("accepted");
    submit(&pool, &signed(3, 0).priority(5)).expect("accepted");

    // As bad as the worst: the newcomer is the worst (newest) and is dropped.
    assert_eq!(submit(&pool, &signed(4, 0).priority(1)), Err(PoolError::ImmediatelyDropped));
    // Better than the worst: the worst goes, and is not banned.
    assert_eq!(submit(&pool, &signed(5, 0).priority(2)), Ok(SubmitOutcome::Ready));
    assert!(!pool.contains(&low.hash()));
    assert!(!pool.is_banned(&low.hash()));
    assert_eq!(statuses(&mut low_stream), vec![TxStatus::Ready, TxStatus::Dropped]);
    assert!(is_closed(&mut low_stream));
    assert_eq!(pool.status().ready, 3);
    // Once there is room again, it may come back.
    pool.prune_included(BLOCK, 1, &[signed(2, 0).priority(5).hash()], vec![]);
    assert_eq!(submit(&pool, &low), Ok(SubmitOutcome::Ready));
}

#[test]
fn byte_limit_evicts_enough_transactions() {
    let options = Config { max_ready_bytes: 300, ..Config::default() };
    let (pool, _) = pool(options);
    for who in 1..=3 {
        submit(&pool, &signed(who, 0).priority(u64::from(who))).expect("accepted");
    }
    let big = signed(9, 0).priority(10).size(200);
    assert_eq!(submit(&pool, &big), Ok(SubmitOutcome::Ready));
    // The two lowest priorities made room.
    assert_eq!(ready_hashes(&pool), vec![big.hash(), signed(3, 0).priority(3).hash()]);
    assert_eq!(pool.status().bytes, 300);
    assert_eq!(submit(&pool, &signed(8, 0).priority(100).size(301)), Err(PoolError::ImmediatelyDropped));
}

#[test]
fn ready_and_future_queues_have_separate_budgets() {
    let options = Config { max_ready_count: 1, max_future_count: 1, ..Config::default() };
    let (pool, _) = pool(options);
    let future = signed(1, 5).priority(100);
    submit(&pool, &future).expect("accepted");
    // A full future queue does not keep a ready newcomer out, nor does it lose anything to it.
    assert_eq!(submit(&pool, &signed(2, 0).priority(1)), Ok(SubmitOutcome::Ready));
    assert!(pool.contains(&future.hash()));
    // A future newcomer competes with future transactions only (here it outbids the one there).
    assert_eq!(submit(&pool, &signed(4, 9).priority(1000)), Ok(SubmitOutcome::Future));
    assert_eq!(pool.status(), PoolStatus { ready: 1, future: 1, bytes: 200 });
    assert!(pool.contains(&signed(2, 0).priority(1).hash()));
    // A ready newcomer only competes with ready transactions.
    assert_eq!(submit(&pool, &signed(3, 0).priority(1)), Err(PoolError::ImmediatelyDropped));
}

#[test]
fn future_queue_has_its_own_limit() {
    let options = Config { max_future_count: 2, ..Config::default() };
    let (pool, _) = pool(options);
    submit(&pool, &signed(1, 1).priority(5)).expect("accepted");
    submit(&pool, &signed(2, 1).priority(6)).expect("accepted");
    assert_eq!(submit(&pool, &signed(3, 1).priority(5)), Err(PoolError::ImmediatelyDropped));
    assert_eq!(submit(&pool, &signed(4, 1).priority(7)), Ok(SubmitOutcome::Future));
    assert!(!pool.contains(&signed(1, 1).priority(5).hash()));
    // Ready transactions do not count against it.
    assert_eq!(submit(&pool, &signed(5, 0)), Ok(SubmitOutcome::Ready));
    assert_eq!(pool.status(), PoolStatus { ready: 1, future: 2, bytes: 300 });
}

#[test]
fn evicting_a_transaction_drops_its_dependents() {
    let options = Config { max_ready_count: 3, ..Config::default() };
    let (pool, _) = pool(options);
    let parent = signed(1, 0).priority(1);
    let child = signed(1, 1).priority(50);
    submit(&pool, &parent).expect("accepted");
    let mut child_stream = watch(&pool, &child);
    submit(&pool, &signed(2, 0).priority(50)).expect("accepted");
    assert_eq!(submit(&pool, &signed(3, 0).priority(2)), Ok(SubmitOutcome::Ready));
    assert!(!pool.contains(&parent.hash()) && !pool.contains(&child.hash()));
    assert_eq!(statuses(&mut child_stream), vec![TxStatus::Ready, TxStatus::Dropped]);
    assert_eq!(pool.status().ready, 2);
}

#[test]
fn newcomer_is_dropped_rather_than_its_own_parent_evicted() {
    let options = Config { max_ready_count: 2, ..Config::default() };
    let (pool, _) = pool(options);
    submit(&pool, &signed(1, 0).priority(1)).expect("accepted");
    submit(&pool, &signed(2, 0).priority(50)).expect("accepted");
    // The only worse transaction is its parent.
    assert_eq!(submit(&pool, &signed(1, 1).priority(40)), Err(PoolError::ImmediatelyDropped));
    assert_eq!(pool.status().ready, 2);
}

#[test]
fn per_sender_limits_refuse_with_a_clear_error() {
    let options = Config { max_per_sender_ready_count: 2, max_per_sender_ready_bytes: 250, ..Config::default() };
    let (pool, _) = pool(options);
    submit(&pool, &signed(1, 0)).expect("accepted");
    submit(&pool, &signed(1, 1)).expect("accepted");
    let err = submit(&pool, &signed(1, 2)).expect_err("over the count");
    assert_eq!(err, PoolError::SenderLimitReached { queue: Queue::Ready, count: 2, bytes: 200 });
    assert_eq!(err.to_string(), "sender limit reached: 2 ready transactions (200 bytes) already pending");
    assert_eq!(err.rpc_code(), 1016);
    // Replacing one of its own transactions frees its quota.
    assert_eq!(submit(&pool, &signed(1, 1).variant(1).priority(11)), Ok(SubmitOutcome::Ready));
    // Bytes: 100 + 160 > 250.
    let (pool, _) = self::pool(Config { max_per_sender_ready_bytes: 250, ..Config::default() });
    submit(&pool, &signed(1, 0)).expect("accepted");
    assert!(matches!(submit(&pool, &signed(1, 1).size(160)), Err(PoolError::SenderLimitReached { .. })));
    // Other senders are not affected.
    assert_eq!(submit(&pool, &signed(2, 0).size(160)), Ok(SubmitOutcome::Ready));
}

// ---- limits: ready transactions are never locked out by future ones (issue #12) ----

/// What sender `who` has in the pool (empty if nothing).
fn status_of(pool: &Pool, who: u8) -> SenderStatus {
    pool.sender_status(&[who]).unwrap_or_default()
}

#[test]
fn gap_filling_transaction_is_admitted_over_a_full_future_quota() {
    // The incident: nonce 0 was lost with a killed validator; nonces 1..=64 wait as future.
    let pool = default_pool();
    let limit = Config::default().max_per_sender_future_count;
    assert_eq!(limit, 64);
    let mut furthest_stream = None;
    for nonce in 1..=64 {
        if nonce == 64 {
            furthest_stream = Some(watch(&pool, &signed(1, nonce)));
        } else {
            assert_eq!(submit(&pool, &signed(1, nonce)), Ok(SubmitOutcome::Future));
        }
    }
    // A 65th future transaction is refused: it is the furthest from inclusion.
    assert_eq!(
        submit(&pool, &signed(1, 65)),
        Err(PoolError::SenderLimitReached { queue: Queue::Future, count: 64, bytes: 6400 })
    );
    let status = status_of(&pool, 1);
    assert_eq!((status.ready, status.future), (0, 64));
    assert_eq!(status.missing(), vec![tag(1, 0)]);

    // The gap-filling transaction is ready: it is admitted, and the chain behind it becomes ready
    // up to the sender's ready quota; the furthest (nonce 64) is dropped, not banned.
    assert_eq!(submit(&pool, &signed(1, 0)), Ok(SubmitOutcome::Ready));
    let status = status_of(&pool, 1);
    assert_eq!((status.ready, status.future), (64, 0));
    assert!(!pool.contains(&signed(1, 64).hash()));
    assert!(!pool.is_banned(&signed(1, 64).hash()));
    let mut stream = furthest_stream.expect("watched");
    assert_eq!(statuses(&mut stream), vec![TxStatus::Future, TxStatus::Dropped]);
    assert_eq!(ready_hashes(&pool), (0..64).map(|nonce| signed(1, nonce).hash()).collect::<Vec<_>>());

    // Once a block included some, the dropped one comes back as ready.
    let included: Vec<H256> = (0..10).map(|nonce| signed(1, nonce).hash()).collect();
    pool.prune_included(BLOCK, 1, &included, vec![]);
    assert_eq!(submit(&pool, &signed(1, 64)), Ok(SubmitOutcome::Ready));
    assert_eq!(submit(&pool, &signed(1, 65)), Ok(SubmitOutcome::Ready));
}

#[test]
fn a_closer_future_transaction_displaces_the_furthest() {
    let options = Config { max_per_sender_future_count: 3, ..Config::default() };
    let (pool, _) = pool(options);
    for nonce in [3, 4, 5] {
        assert_eq!(submit(&pool, &signed(1, nonce)), Ok(SubmitOutcome::Future));
    }
    // Further than all of them: refused.
    assert!(matches!(submit(&pool, &signed(1, 7)), Err(PoolError::SenderLimitReached { queue: Queue::Future, .. })));
    // Closer: the highest nonce makes room.
    assert_eq!(submit(&pool, &signed(1, 1)), Ok(SubmitOutcome::Future));
    assert!(!pool.contains(&signed(1, 5).hash()) && !pool.is_banned(&signed(1, 5).hash()));
    // Ready: admitted; 1 becomes ready behind it, 3 and 4 still wait for 2.
    assert_eq!(submit(&pool, &signed(1, 0)), Ok(SubmitOutcome::Ready));
    let status = status_of(&pool, 1);
    assert_eq!((status.ready, status.future), (2, 2));
    assert_eq!(status.missing(), vec![tag(1, 2)]);
    // Other senders are not affected.
    assert_eq!(submit(&pool, &signed(2, 7)), Ok(SubmitOutcome::Future));
}

#[test]
fn highest_nonce_goes_first_whatever_the_tag_bytes() {
    // 257 is [1, 1, 0, ...] little-endian and 255 is [255, 0, ...]: byte-wise, 255 is greater.
    let options = Config { max_per_sender_future_count: 2, ..Config::default() };
    let (pool, _) = pool(options);
    submit(&pool, &signed(1, 257)).expect("accepted");
    submit(&pool, &signed(1, 255)).expect("accepted");
    assert_eq!(submit(&pool, &signed(1, 2)), Ok(SubmitOutcome::Future));
    assert!(pool.contains(&signed(1, 255).hash()));
    assert!(!pool.contains(&signed(1, 257).hash()));
}

#[test]
fn a_promoted_chain_does_not_push_out_transactions_that_were_ready() {
    let options = Config { max_ready_count: 3, ..Config::default() };
    let (pool, _) = pool(options);
    // Two low-priority ready transactions of other senders, two high-priority future ones.
    for who in [2, 3] {
        submit(&pool, &signed(who, 0).priority(1)).expect("accepted");
    }
    let mut streams: Vec<_> = [1, 2].iter().map(|nonce| watch(&pool, &signed(1, *nonce).priority(50))).collect();
    // The pool has room for one more ready transaction: the gap-filler is admitted, and the
    // chain it unlocks is trimmed to the ready budget, furthest first.
    assert_eq!(submit(&pool, &signed(1, 0).priority(50)), Ok(SubmitOutcome::Ready));
    assert_eq!(pool.status(), PoolStatus { ready: 3, future: 0, bytes: 300 });
    assert!(pool.contains(&signed(2, 0).priority(1).hash()) && pool.contains(&signed(3, 0).priority(1).hash()));
    for stream in &mut streams {
        assert_eq!(statuses(stream), vec![TxStatus::Future, TxStatus::Dropped]);
    }
    assert!(!pool.is_banned(&signed(1, 1).priority(50).hash()));
}

#[test]
fn ready_transaction_is_admitted_while_the_future_queue_is_full() {
    let options = Config { max_future_count: 4, max_per_sender_future_count: 4, ..Config::default() };
    let (pool, _) = pool(options);
    for nonce in 1..=4 {
        submit(&pool, &signed(1, nonce).priority(100)).expect("accepted");
    }
    assert_eq!(submit(&pool, &signed(2, 1).priority(100)), Err(PoolError::ImmediatelyDropped));
    assert_eq!(submit(&pool, &signed(2, 0).priority(1)), Ok(SubmitOutcome::Ready));
    assert_eq!(submit(&pool, &signed(1, 0).priority(1)), Ok(SubmitOutcome::Ready));
    assert_eq!(pool.status(), PoolStatus { ready: 6, future: 0, bytes: 600 });
}

// ---- expiry of future transactions ----

#[test]
fn future_transactions_expire_after_the_ttl_and_are_not_banned() {
    let (pool, clock) = pool(Config { future_ttl: Duration::from_secs(60), ..Config::default() });
    let waiting = signed(1, 5);
    let mut stream = watch(&pool, &waiting);
    clock.advance(Duration::from_secs(40));
    let later = signed(2, 5);
    submit(&pool, &later).expect("accepted");
    assert_eq!(status_of(&pool, 1).waiting[0].expires_in, Duration::from_secs(20));
    clock.advance(Duration::from_secs(19));
    submit(&pool, &signed(3, 0)).expect("accepted");
    assert!(pool.contains(&waiting.hash()));
    // 60 s after it became future: the next submission drops it.
    clock.advance(Duration::from_secs(1));
    submit(&pool, &signed(4, 0)).expect("accepted");
    assert!(!pool.contains(&waiting.hash()));
    assert!(pool.contains(&later.hash()));
    assert_eq!(statuses(&mut stream), vec![TxStatus::Future, TxStatus::Dropped]);
    assert!(is_closed(&mut stream));
    assert!(!pool.is_banned(&waiting.hash()));
    // Block import expires too.
    clock.advance(Duration::from_secs(40));
    pool.prune_included(BLOCK, 1, &[], vec![]);
    pool.check_invariants();
    assert!(!pool.contains(&later.hash()));
    // Resubmitting is accepted; its time starts again.
    assert_eq!(submit(&pool, &waiting), Ok(SubmitOutcome::Future));
    assert_eq!(status_of(&pool, 1).waiting[0].expires_in, Duration::from_secs(60));
}

#[test]
fn ready_transactions_do_not_expire_and_the_ttl_counts_from_demotion() {
    let (pool, clock) = pool(Config { future_ttl: Duration::from_secs(60), ..Config::default() });
    let (parent, child) = (signed(1, 0), signed(1, 1));
    let mut child_stream = watch(&pool, &child);
    clock.advance(Duration::from_secs(50));
    submit(&pool, &parent).expect("accepted");
    clock.advance(Duration::from_secs(300));
    submit(&pool, &signed(2, 0)).expect("accepted");
    assert!(pool.contains(&child.hash()) && pool.contains(&parent.hash()));
    // The parent turns out invalid: the child is future again from now on.
    pool.reject(parent.hash(), InvalidTransaction::Payment.into());
    clock.advance(Duration::from_secs(59));
    pool.prune_included(BLOCK, 1, &[], vec![]);
    assert!(pool.contains(&child.hash()));
    clock.advance(Duration::from_secs(1));
    pool.prune_included(H256::repeat_byte(0xb2), 2, &[], vec![]);
    assert!(!pool.contains(&child.hash()) && !pool.is_banned(&child.hash()));
    assert_eq!(
        statuses(&mut child_stream),
        vec![TxStatus::Future, TxStatus::Ready, TxStatus::Future, TxStatus::Dropped]
    );
}

// ---- duplicates ----

#[test]
fn already_pooled_transaction_is_told_apart() {
    let pool = default_pool();
    let tx = signed(1, 3);
    submit(&pool, &tx).expect("accepted");
    let err = submit(&pool, &tx).expect_err("duplicate");
    assert!(err.is_already_imported());
    assert_eq!(err.rpc_code(), 1013);
    assert!(!PoolError::TemporarilyBanned.is_already_imported());
    // Even if banned meanwhile, a pooled transaction is reported as pooled: the caller can
    // re-broadcast its bytes.
    pool.ban(&[tx.hash()]);
    assert_eq!(submit(&pool, &tx), Err(PoolError::AlreadyImported));
    assert_eq!(pool.get(&tx.hash()).map(|pooled| pooled.bytes.clone()), Some(tx.build().bytes));
}

// ---- sender status ----

#[test]
fn sender_status_shows_what_each_future_transaction_waits_for() {
    let (pool, clock) = pool(Config { future_ttl: Duration::from_secs(100), ..Config::default() });
    for nonce in [0, 1, 5] {
        submit(&pool, &signed(1, nonce)).expect("accepted");
    }
    clock.advance(Duration::from_secs(30));
    submit(&pool, &signed(1, 6)).expect("accepted");
    submit(&pool, &signed(2, 9).size(7)).expect("accepted");

    let status = pool.sender_status(&[1]).expect("pooled");
    assert_eq!((status.sender.as_slice(), status.ready, status.future), (&[1u8][..], 2, 2));
    assert_eq!((status.ready_bytes, status.future_bytes), (200, 200));
    assert_eq!(
        status.waiting,
        vec![
            WaitingTransaction {
                hash: signed(1, 5).hash(),
                missing: vec![tag(1, 4)],
                after: vec![],
                expires_in: Duration::from_secs(70),
            },
            WaitingTransaction {
                hash: signed(1, 6).hash(),
                missing: vec![],
                after: vec![signed(1, 5).hash()],
                expires_in: Duration::from_secs(100),
            },
        ]
    );
    assert_eq!(status.missing(), vec![tag(1, 4)]);
    assert_eq!(pool.sender_status(&[3]), None);

    let all = pool.sender_statuses();
    assert_eq!(all.iter().map(|status| status.sender.clone()).collect::<Vec<_>>(), vec![vec![1], vec![2]]);
    assert_eq!((all[1].ready, all[1].future, all[1].future_bytes), (0, 1, 7));
    assert_eq!(pool.status(), PoolStatus { ready: 2, future: 3, bytes: 407 });
}

// ---- bans ----

#[test]
fn rejected_invalid_transactions_are_banned_until_the_ban_expires() {
    let (pool, clock) = pool(Config { ban_time: Duration::from_secs(60), ..Config::default() });
    let tx = signed(1, 0);
    let err = pool.reject(tx.hash(), InvalidTransaction::Payment.into());
    assert_eq!(err, PoolError::InvalidTransaction(InvalidTransaction::Payment));
    assert_eq!(err.rpc_code(), 1010);
    assert!(pool.is_banned(&tx.hash()));
    assert_eq!(submit(&pool, &tx), Err(PoolError::TemporarilyBanned));
    clock.advance(Duration::from_secs(59));
    assert_eq!(submit(&pool, &tx), Err(PoolError::TemporarilyBanned));
    clock.advance(Duration::from_secs(1));
    assert!(!pool.is_banned(&tx.hash()));
    assert_eq!(submit(&pool, &tx), Ok(SubmitOutcome::Ready));
}

#[test]
fn unknown_validity_is_not_banned_and_ban_is_explicit() {
    let pool = default_pool();
    let tx = signed(1, 0);
    let err = pool.reject(tx.hash(), UnknownTransaction::CannotLookup.into());
    assert_eq!(err.rpc_code(), 1011);
    assert!(!pool.is_banned(&tx.hash()));
    submit(&pool, &tx).expect("accepted");
    pool.ban(&[tx.hash()]);
    assert!(pool.is_banned(&tx.hash()) && pool.contains(&tx.hash()));
}

#[test]
fn rejecting_a_pooled_transaction_removes_it_and_demotes_dependents() {
    let pool = default_pool();
    let parent = signed(1, 0);
    let mut parent_stream = watch(&pool, &parent);
    let mut child_stream = watch(&pool, &signed(1, 1));
    pool.reject(parent.hash(), InvalidTransaction::Payment.into());
    pool.check_invariants();
    assert_eq!(statuses(&mut parent_stream), vec![TxStatus::Ready, TxStatus::Invalid]);
    assert_eq!(statuses(&mut child_stream), vec![TxStatus::Ready, TxStatus::Future]);
    assert_eq!(pool.status(), PoolStatus { ready: 0, future: 1, bytes: 100 });
}

// ---- block import ----

#[test]
fn prune_included_moves_dependents_to_ready() {
    let pool = default_pool();
    let chain: Vec<Tx> = (0..3).map(|nonce| signed(1, nonce)).collect();
    let mut streams: Vec<_> = chain.iter().map(|tx| watch(&pool, tx)).collect();
    // Nonce 2 of account 2 waits for nonce 1, which the pool never saw.
    let waiting = signed(2, 2);
    let mut waiting_stream = watch(&pool, &waiting);

    pool.prune_included(BLOCK, 1, &[chain[0].hash(), chain[1].hash()], vec![tag(2, 1)]);
    pool.check_invariants();
    assert_eq!(pool.status(), PoolStatus { ready: 2, future: 0, bytes: 200 });
    assert_eq!(ready_hashes(&pool), vec![chain[2].hash(), waiting.hash()]);
    assert!(pool.is_banned(&chain[0].hash()));
    assert_eq!(submit(&pool, &chain[0]), Err(PoolError::TemporarilyBanned));
    assert_eq!(statuses(&mut streams[0]), vec![TxStatus::Ready, TxStatus::InBlock(BLOCK)]);
    assert_eq!(statuses(&mut streams[2]), vec![TxStatus::Ready]);
    assert_eq!(statuses(&mut waiting_stream), vec![TxStatus::Future, TxStatus::Ready]);
}

#[test]
fn prune_removes_conflicting_and_stale_transactions() {
    let pool = default_pool();
    // Another transaction with the nonce some block used.
    let conflicting = signed(1, 0).variant(7);
    let mut conflicting_stream = watch(&pool, &conflicting);
    let mortal = signed(2, 0).longevity(4, 0);
    let mut mortal_stream = watch(&pool, &mortal);
    pool.prune_included(BLOCK, 4, &[], vec![tag(1, 0)]);
    assert!(pool.contains(&mortal.hash()));
    assert_eq!(statuses(&mut conflicting_stream), vec![TxStatus::Ready, TxStatus::Invalid]);
    pool.prune_included(H256::repeat_byte(0xb2), 5, &[], vec![]);
    pool.check_invariants();
    assert_eq!(statuses(&mut mortal_stream), vec![TxStatus::Ready, TxStatus::Invalid]);
    assert_eq!(pool.status(), PoolStatus::default());
    // The runtime did not declare them invalid (a retraction could revive them): not banned.
    assert!(!pool.is_banned(&conflicting.hash()) && !pool.is_banned(&mortal.hash()));
}

#[test]
fn retracted_block_notifies_and_allows_resubmission() {
    let pool = default_pool();
    let parent = signed(1, 0);
    let child = signed(1, 1);
    let mut parent_stream = watch(&pool, &parent);
    let mut child_stream = watch(&pool, &child);
    pool.prune_included(BLOCK, 1, &[parent.hash()], vec![]);
    pool.retracted(BLOCK, &[parent.hash()]);
    pool.check_invariants();
    // The block's tags are forgotten: the child waits again.
    assert_eq!(statuses(&mut child_stream), vec![TxStatus::Ready, TxStatus::Future]);
    assert_eq!(
        statuses(&mut parent_stream),
        vec![TxStatus::Ready, TxStatus::InBlock(BLOCK), TxStatus::Retracted(BLOCK)]
    );
    // The node resubmits it: the same watcher follows it.
    assert_eq!(submit(&pool, &parent), Ok(SubmitOutcome::Ready));
    assert_eq!(statuses(&mut parent_stream), vec![TxStatus::Ready]);
    assert_eq!(statuses(&mut child_stream), vec![TxStatus::Ready]);
}

#[test]
fn transactions_dropped_after_a_retraction_are_not_banned() {
    let options = Config { max_future_count: 1, ..Config::default() };
    let (pool, _) = pool(options);
    let chain: Vec<Tx> = (0..3).map(|nonce| signed(1, nonce)).collect();
    for tx in &chain {
        submit(&pool, tx).expect("accepted");
    }
    pool.prune_included(BLOCK, 1, &[chain[0].hash()], vec![]);
    // The block is retracted: nonces 1 and 2 wait again, and one is over the future budget.
    pool.retracted(BLOCK, &[chain[0].hash()]);
    pool.check_invariants();
    assert_eq!(pool.status().future, 1);
    assert!(chain.iter().all(|tx| !pool.is_banned(&tx.hash())));
    // The node resubmits the retracted one; the dropped one is accepted again.
    assert_eq!(submit(&pool, &chain[0]), Ok(SubmitOutcome::Ready));
    for tx in &chain[1..] {
        assert!(matches!(submit(&pool, tx), Ok(SubmitOutcome::Ready) | Err(PoolError::AlreadyImported)));
    }
    assert_eq!(pool.status().ready, 3);
}

// ---- revalidation ----

#[test]
fn revalidation_removes_invalid_and_updates_valid() {
    let pool = default_pool();
    let (a, b, c, d) = (signed(1, 0), signed(2, 0), signed(3, 0), signed(4, 0).longevity(64, 1));
    for tx in [&a, &b, &c] {
        submit(&pool, tx).expect("accepted");
    }
    let mut a_stream = pool.watch(a.hash());
    let mut c_stream = pool.watch(c.hash());
    pool.prune_included(BLOCK, 1, &[], vec![]);
    submit(&pool, &d).expect("accepted");

    // `d` was validated at the latest block already.
    let candidates: Vec<H256> = pool.revalidation_candidates().into_iter().map(|(hash, _)| hash).collect();
    assert_eq!(candidates, vec![a.hash(), b.hash(), c.hash()]);

    pool.apply_revalidation(vec![
        (a.hash(), Err(InvalidTransaction::Stale.into())),
        (b.hash(), Ok(ValidTransaction { priority: 99, ..b.validity() })),
        (c.hash(), Err(UnknownTransaction::CannotLookup.into())),
    ]);
    pool.check_invariants();
    assert_eq!(statuses(&mut a_stream), vec![TxStatus::Ready, TxStatus::Invalid]);
    assert!(pool.is_banned(&a.hash()));
    assert_eq!(statuses(&mut c_stream), vec![TxStatus::Ready, TxStatus::Dropped]);
    assert!(!pool.is_banned(&c.hash()));
    assert_eq!(ready_hashes(&pool), vec![b.hash(), d.hash()]);
    assert!(pool.revalidation_candidates().is_empty());
}

#[test]
fn revalidation_can_make_a_ready_transaction_future() {
    let pool = default_pool();
    let tx = signed(1, 0);
    let mut stream = watch(&pool, &tx);
    pool.prune_included(BLOCK, 1, &[], vec![]);
    // Now it requires a tag nobody provides.
    pool.apply_revalidation(vec![(tx.hash(), Ok(ValidTransaction { requires: vec![tag(1, 9)], ..tx.validity() }))]);
    pool.check_invariants();
    assert_eq!(statuses(&mut stream), vec![TxStatus::Ready, TxStatus::Future]);
    assert_eq!(pool.status().future, 1);
}

// ---- watchers ----

#[test]
fn watcher_sees_ready_in_block_finalized() {
    let pool = default_pool();
    let tx = signed(1, 0);
    let mut stream = watch(&pool, &tx);
    pool.broadcasted(tx.hash(), vec!["peer-1".into()]);
    pool.prune_included(BLOCK, 1, &[tx.hash()], vec![]);
    // A late watcher of an included transaction starts at InBlock.
    let mut late = pool.watch(tx.hash());
    pool.finalized(BLOCK, &[tx.hash()]);
    assert_eq!(
        statuses(&mut stream),
        vec![
            TxStatus::Ready,
            TxStatus::Broadcast(vec!["peer-1".into()]),
            TxStatus::InBlock(BLOCK),
            TxStatus::Finalized(BLOCK)
        ]
    );
    assert!(is_closed(&mut stream));
    assert_eq!(statuses(&mut late), vec![TxStatus::InBlock(BLOCK), TxStatus::Finalized(BLOCK)]);
    assert_eq!(pool.watched(), 0);
}

#[test]
fn watcher_sees_future_then_ready() {
    let pool = default_pool();
    let mut stream = watch(&pool, &signed(1, 1));
    submit(&pool, &signed(1, 0)).expect("accepted");
    assert_eq!(statuses(&mut stream), vec![TxStatus::Future, TxStatus::Ready]);
}

#[test]
fn remove_invalid_notifies_and_bans() {
    let pool = default_pool();
    let tx = signed(1, 0);
    let mut stream = watch(&pool, &tx);
    let removed = pool.remove_invalid(&[tx.hash(), H256::repeat_byte(0xee)]);
    assert_eq!(removed.iter().map(|tx| tx.hash).collect::<Vec<_>>(), vec![tx.hash()]);
    assert_eq!(statuses(&mut stream), vec![TxStatus::Ready, TxStatus::Invalid]);
    assert!(is_closed(&mut stream));
    assert!(pool.is_banned(&tx.hash()) && pool.is_banned(&H256::repeat_byte(0xee)));
}

#[test]
fn watchers_do_not_leak() {
    let options = Config { finality_timeout_blocks: 2, ..Config::default() };
    let (pool, _) = pool(options);
    // Unknown transaction: closed at once, nothing kept.
    let mut unknown = pool.watch(H256::repeat_byte(0xaa));
    assert!(is_closed(&mut unknown));
    assert_eq!(pool.watched(), 0);
    // Dropped receiver: forgotten on the next block.
    drop(watch(&pool, &signed(1, 0)));
    // Included but never finalized: dropped after the finality timeout.
    let included = signed(2, 0);
    let mut included_stream = watch(&pool, &included);
    pool.prune_included(BLOCK, 1, &[included.hash()], vec![]);
    assert_eq!(pool.watched(), 1);
    pool.prune_included(H256::repeat_byte(2), 3, &[], vec![]);
    assert_eq!(pool.watched(), 1);
    pool.prune_included(H256::repeat_byte(3), 4, &[], vec![]);
    assert_eq!(pool.watched(), 0);
    assert_eq!(statuses(&mut included_stream), vec![TxStatus::Ready, TxStatus::InBlock(BLOCK), TxStatus::Dropped]);
}

#[test]
fn errors_have_rpc_codes_and_messages() {
    let cases = [
        (PoolError::TemporarilyBanned, 1012, "transaction is temporarily banned"),
        (PoolError::AlreadyImported, 1013, "transaction already imported"),
        (
            PoolError::TooLowPriority { old: 5, new: 3 },
            1014,
            "priority is too low: 3 is not higher than 5 of the transaction it would replace",
        ),
        (PoolError::CycleDetected, 1015, "transaction has a dependency cycle"),
        (PoolError::ImmediatelyDropped, 1016, "pool is full and the transaction was immediately dropped"),
        (PoolError::NoTagsProvided, 1018, "transaction provides no tags"),
        (
            PoolError::InvalidTransaction(InvalidTransaction::Stale),
            1010,
            "invalid transaction: Transaction is outdated",
        ),
    ];
    for (err, code, message) in cases {
        assert_eq!((err.rpc_code(), err.to_string().as_str()), (code, message));
    }
}

// ---- properties ----

#[derive(Debug, Clone)]
enum Op {
    Submit {
        who: u8,
        nonce: u64,
        priority: u64,
        size: usize,
        variant: u8,
        longevity: u64,
    },
    /// Include the first `count` ready transactions in a block.
    Block {
        count: usize,
    },
    /// Declare the `index`-th (modulo) pooled transaction invalid.
    Invalid {
        index: usize,
    },
    /// Revalidate everything with a new priority derived from `seed`.
    Revalidate {
        seed: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..5, 0u64..6, 0u64..5, 1usize..300, 0u8..3, 1u64..30).prop_map(
            |(who, nonce, priority, size, variant, longevity)| Op::Submit { who, nonce, priority, size, variant, longevity }
        ),
        1 => (0usize..4).prop_map(|count| Op::Block { count }),
        1 => any::<usize>().prop_map(|index| Op::Invalid { index }),
        1 => any::<u64>().prop_map(|seed| Op::Revalidate { seed }),
    ]
}

/// Every ready transaction is yielded once, after the providers of the tags it requires.
fn assert_ready_respects_dependencies(pool: &Pool) {
    let snapshot: Vec<Arc<Transaction>> = pool.ready().collect();
    assert_eq!(snapshot.len(), pool.status().ready);
    let provided_in_snapshot: HashSet<&TransactionTag> = snapshot.iter().flat_map(|tx| &tx.provides).collect();
    let mut seen: HashSet<&TransactionTag> = HashSet::new();
    for tx in &snapshot {
        for tag in &tx.requires {
            assert!(!provided_in_snapshot.contains(tag) || seen.contains(tag), "dependency order");
        }
        seen.extend(&tx.provides);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_bounds_and_order(ops in prop::collection::vec(op(), 1..80)) {
        let options = Config {
            max_ready_count: 7,
            max_ready_bytes: 1000,
            max_future_count: 3,
            max_future_bytes: 500,
            max_per_sender_ready_count: 3,
            max_per_sender_ready_bytes: 500,
            max_per_sender_future_count: 2,
            max_per_sender_future_bytes: 400,
            recent_blocks: 1000,
            ..Config::default()
        };
        let (pool, _) = pool(options.clone());
        let mut number = 0;
        for op in ops {
            match op {
                Op::Submit { who, nonce, priority, size, variant, longevity } => {
                    let tx = signed(who, nonce).priority(priority).size(size).variant(variant).longevity(longevity, number);
                    let _ = pool.submit(tx.build());
                }
                Op::Block { count } => {
                    number += 1;
                    let included: Vec<H256> = pool.ready().take(count).map(|tx| tx.hash).collect();
                    pool.prune_included(H256::from_low_u64_be(number), number, &included, vec![]);
                }
                Op::Invalid { index } => {
                    let pending = pool.pending();
                    if !pending.is_empty() {
                        let hashes: Vec<H256> = pool.revalidation_candidates().into_iter().map(|(hash, _)| hash).collect();
                        if let Some(hash) = hashes.get(index % hashes.len().max(1)) {
                            pool.remove_invalid(&[*hash]);
                        }
                    }
                }
                Op::Revalidate { seed } => {
                    let results = pool
                        .revalidation_candidates()
                        .into_iter()
                        .filter_map(|(hash, _)| pool.get(&hash))
                        .map(|tx| {
                            let validity = ValidTransaction {
                                priority: (seed ^ tx.priority) % 7,
                                requires: tx.requires.clone(),
                                provides: tx.provides.clone(),
                                longevity: 30,
                                propagate: true,
                            };
                            (tx.hash, Ok(validity))
                        })
                        .collect();
                    pool.apply_revalidation(results);
                }
            }
            pool.check_invariants();
            assert_ready_respects_dependencies(&pool);
            let status = pool.status();
            prop_assert!(status.ready <= options.max_ready_count);
            prop_assert!(status.future <= options.max_future_count);
            prop_assert!(status.bytes <= options.max_ready_bytes + options.max_future_bytes);
        }
    }
}

// ---- a property against a model of nonces ----
//
// The model knows only what the chain knows: each sender's on-chain nonce, and which of the
// transactions the test submitted were declared invalid or included. From which of them the pool
// holds (observed with `Pool::contains`) it derives, for each sender, the ready prefix (the
// pooled nonces following the on-chain nonce without a gap) and the future rest, and when each
// pooled transaction last became future. None of the pool's own code is used for that.

const SENDERS: u8 = 4;
const TTL: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
enum ModelOp {
    /// Submit sender `who`'s transaction with its on-chain nonce + `ahead` (`ahead == 0`: ready).
    Submit { who: u8, ahead: u64, variant: u8 },
    /// Include the first `count` ready transactions in a block.
    Block { count: usize },
    /// Move the clock forward.
    Advance { secs: u64 },
    /// The runtime declares the `index`-th (modulo) pooled transaction invalid.
    Invalid { index: usize },
}

fn model_op() -> impl Strategy<Value = ModelOp> {
    prop_oneof![
        4 => (0..SENDERS, 0u64..6, 0u8..2).prop_map(|(who, ahead, variant)| ModelOp::Submit { who, ahead, variant }),
        2 => (0..SENDERS, Just(0u64), 0u8..2).prop_map(|(who, ahead, variant)| ModelOp::Submit { who, ahead, variant }),
        1 => (0usize..5).prop_map(|count| ModelOp::Block { count }),
        1 => (1u64..40).prop_map(|secs| ModelOp::Advance { secs }),
        1 => any::<usize>().prop_map(|index| ModelOp::Invalid { index }),
    ]
}

/// Sender `who`'s transaction with nonce `nonce`; `variant`s are different transactions with the
/// same nonce (and priority). Immortal, so that only the limits and the TTL make it leave.
fn model_tx(who: u8, nonce: u64, variant: u8) -> Tx {
    let size = 10 + (usize::from(who) * 7 + nonce as usize * 13 + usize::from(variant) * 5) % 50;
    signed(who, nonce).variant(variant).size(size).longevity(u64::MAX, 0)
}

#[derive(Debug, Clone, Copy)]
struct Pooled {
    who: u8,
    nonce: u64,
    bytes: usize,
    /// Model time at which it last became future (`None`: ready).
    future_since: Option<Duration>,
}

#[derive(Default)]
struct Model {
    now: Duration,
    onchain: [u64; SENDERS as usize],
    pooled: HashMap<H256, Pooled>,
    invalid: HashSet<H256>,
    /// Left the pool without being included or declared invalid (limits, expiry).
    evicted: HashSet<H256>,
}

impl Model {
    /// Whether some variant of `who`'s nonce `nonce` is pooled.
    fn has_nonce(&self, who: u8, nonce: u64) -> bool {
        self.pooled.values().any(|tx| tx.who == who && tx.nonce == nonce)
    }

    /// Length of `who`'s ready prefix.
    fn ready_len(&self, who: u8) -> u64 {
        let start = self.onchain[usize::from(who)];
        (start..).take_while(|nonce| self.has_nonce(who, *nonce)).count() as u64
    }

    fn is_ready(&self, tx: &Pooled) -> bool {
        tx.nonce < self.onchain[usize::from(tx.who)] + self.ready_len(tx.who)
    }

    /// (count, bytes) of `who`'s ready and future transactions.
    fn usage(&self, who: u8) -> ((usize, usize), (usize, usize)) {
        let (mut ready, mut future) = ((0, 0), (0, 0));
        for tx in self.pooled.values().filter(|tx| tx.who == who) {
            let usage = if self.is_ready(tx) { &mut ready } else { &mut future };
            usage.0 += 1;
            usage.1 += tx.bytes;
        }
        (ready, future)
    }

    /// Global (count, bytes) of ready transactions.
    fn ready_usage(&self) -> (usize, usize) {
        (0..SENDERS).map(|who| self.usage(who).0).fold((0, 0), |acc, usage| (acc.0 + usage.0, acc.1 + usage.1))
    }

    /// After an operation: forget what left the pool (and check it is not banned), recompute
    /// readiness and when each transaction became future.
    fn observe(&mut self, pool: &Pool) -> std::result::Result<(), TestCaseError> {
        let gone: Vec<H256> = self.pooled.keys().filter(|hash| !pool.contains(hash)).copied().collect();
        for hash in gone {
            self.pooled.remove(&hash);
            // (d) Evicted or expired, not declared invalid: never banned.
            prop_assert!(!pool.is_banned(&hash), "evicted transaction banned");
            self.evicted.insert(hash);
        }
        let readiness: Vec<(H256, bool)> = self.pooled.iter().map(|(hash, tx)| (*hash, self.is_ready(tx))).collect();
        for (hash, ready) in readiness {
            if let Some(tx) = self.pooled.get_mut(&hash) {
                tx.future_since = match (ready, tx.future_since) {
                    (true, _) => None,
                    (false, None) => Some(self.now),
                    (false, since) => since,
                };
            }
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_sender_is_locked_out_and_limits_hold(ops in prop::collection::vec(model_op(), 1..120)) {
        let options = Config {
            max_ready_count: 6,
            max_ready_bytes: 250,
            max_future_count: 5,
            max_future_bytes: 200,
            max_per_sender_ready_count: 3,
            max_per_sender_ready_bytes: 150,
            max_per_sender_future_count: 3,
            max_per_sender_future_bytes: 120,
            future_ttl: TTL,
            ban_time: Duration::from_secs(24 * 3600),
            recent_blocks: 1000,
            ..Config::default()
        };
        let (pool, clock) = pool(options.clone());
        let mut model = Model::default();
        let mut number = 0;
        for op in ops {
            let mut expired_now = false;
            match op {
                ModelOp::Submit { who, ahead, variant } => {
                    let nonce = model.onchain[usize::from(who)] + ahead;
                    let tx = model_tx(who, nonce, variant);
                    let hash = tx.hash();
                    let nonce_taken = model.has_nonce(who, nonce);
                    let next = ahead == model.ready_len(who);
                    let (ready_count, ready_bytes) = model.ready_usage();
                    let ((sender_ready, sender_ready_bytes), (sender_future, sender_future_bytes)) = model.usage(who);
                    let result = pool.submit(tx.build());
                    expired_now = true;
                    if model.invalid.contains(&hash) {
                        prop_assert_eq!(result.clone(), Err(PoolError::TemporarilyBanned));
                    } else if model.pooled.contains_key(&hash) {
                        // It may have just expired; otherwise it is reported as pooled.
                        let expired = model.pooled[&hash].future_since.is_some_and(|since| since + TTL <= model.now);
                        prop_assert!(expired || result == Err(PoolError::AlreadyImported), "{:?}", result);
                    } else {
                        // (d) Nothing but invalid transactions is banned: evicted ones come back.
                        prop_assert_ne!(result.clone(), Err(PoolError::TemporarilyBanned));
                        // (a), (b) The next nonce (on chain, or after the ready prefix) is admitted
                        // whenever ready transactions leave room, globally and for the sender,
                        // however many future transactions the sender or the pool holds.
                        let sender_room = sender_ready < options.max_per_sender_ready_count
                            && sender_ready_bytes + tx.size <= options.max_per_sender_ready_bytes;
                        if next
                            && !nonce_taken
                            && sender_room
                            && ready_count < options.max_ready_count
                            && ready_bytes + tx.size <= options.max_ready_bytes
                        {
                            prop_assert_eq!(result.clone(), Ok(SubmitOutcome::Ready));
                        }
                        if ahead == 0 && !nonce_taken {
                            // The sender has nothing ready: its ready quota is empty.
                            prop_assert!(sender_room);
                        }
                        // A sender is refused only by its own quota of the queue it would enter.
                        if let Err(PoolError::SenderLimitReached { queue: Queue::Future, .. }) = result {
                            prop_assert!(ahead > 0);
                            prop_assert!(
                                sender_future >= options.max_per_sender_future_count
                                    || sender_future_bytes + tx.size > options.max_per_sender_future_bytes
                            );
                        }
                        if let Err(PoolError::SenderLimitReached { queue: Queue::Ready, .. }) = result {
                            prop_assert!(next && !sender_room);
                        }
                    }
                    if result.is_ok() {
                        model.pooled.insert(hash, Pooled { who, nonce, bytes: tx.size, future_since: None });
                    }
                }
                ModelOp::Block { count } => {
                    number += 1;
                    let included: Vec<H256> = pool.ready().take(count).map(|tx| tx.hash).collect();
                    for hash in &included {
                        let tx = model.pooled.remove(hash);
                        prop_assert!(tx.is_some(), "the pool included a transaction the model does not hold");
                        if let Some(tx) = tx {
                            // Blocks take each sender's ready prefix, in nonce order.
                            prop_assert_eq!(tx.nonce, model.onchain[usize::from(tx.who)]);
                            model.onchain[usize::from(tx.who)] += 1;
                        }
                    }
                    pool.prune_included(H256::from_low_u64_be(number), number, &included, vec![]);
                    expired_now = true;
                }
                ModelOp::Advance { secs } => {
                    clock.advance(Duration::from_secs(secs));
                    model.now += Duration::from_secs(secs);
                }
                ModelOp::Invalid { index } => {
                    let mut hashes: Vec<H256> = model.pooled.keys().copied().collect();
                    hashes.sort_unstable();
                    if let Some(hash) = hashes.get(index % hashes.len().max(1)).copied() {
                        pool.remove_invalid(&[hash]);
                        model.pooled.remove(&hash);
                        model.invalid.insert(hash);
                    }
                }
            }
            pool.check_invariants();
            model.observe(&pool)?;

            // The pool's queues are the model's: each sender's ready prefix, the rest future.
            for who in 0..SENDERS {
                let (ready, future) = model.usage(who);
                let status = pool.sender_status(&[who]).unwrap_or_default();
                prop_assert_eq!((status.ready, status.ready_bytes), ready, "ready of sender {}", who);
                prop_assert_eq!((status.future, status.future_bytes), future, "future of sender {}", who);
                // (c) Per-sender limits.
                prop_assert!(ready.0 <= options.max_per_sender_ready_count);
                prop_assert!(ready.1 <= options.max_per_sender_ready_bytes);
                prop_assert!(future.0 <= options.max_per_sender_future_count);
                prop_assert!(future.1 <= options.max_per_sender_future_bytes);
                // Each future transaction waits for the nonce before it: missing, or pooled.
                prop_assert_eq!(status.waiting.len(), future.0);
                for waiting in &status.waiting {
                    let nonce = model.pooled.get(&waiting.hash).map(|tx| tx.nonce);
                    prop_assert!(nonce.is_some(), "unknown future transaction");
                    let previous = nonce.unwrap_or_default().saturating_sub(1);
                    if model.has_nonce(who, previous) {
                        prop_assert!(waiting.missing.is_empty() && waiting.after.len() == 1);
                    } else {
                        prop_assert_eq!(&waiting.missing, &vec![tag(who, previous)]);
                        prop_assert!(waiting.after.is_empty());
                    }
                }
            }
            // (c) Global limits.
            let status = pool.status();
            let (ready_count, ready_bytes) = model.ready_usage();
            prop_assert_eq!(status.ready, ready_count);
            prop_assert!(ready_count <= options.max_ready_count && ready_bytes <= options.max_ready_bytes);
            prop_assert!(status.future <= options.max_future_count);
            prop_assert!(status.bytes.saturating_sub(ready_bytes) <= options.max_future_bytes);
            // Expiry: after a submission or a block, nothing has been future for the TTL.
            if expired_now {
                for tx in model.pooled.values() {
                    if let Some(since) = tx.future_since {
                        prop_assert!(since + TTL > model.now, "{:?} outlived the TTL", tx);
                    }
                }
            }
        }

        // (b) Every sender can still move: its next nonces are admitted, one after the other,
        // while the ready budgets have room.
        for who in 0..SENDERS {
            loop {
                let nonce = model.onchain[usize::from(who)] + model.ready_len(who);
                let tx = model_tx(who, nonce, 2);
                let ((sender_ready, sender_ready_bytes), _) = model.usage(who);
                let (ready_count, ready_bytes) = model.ready_usage();
                if sender_ready >= options.max_per_sender_ready_count
                    || sender_ready_bytes + tx.size > options.max_per_sender_ready_bytes
                    || ready_count >= options.max_ready_count
                    || ready_bytes + tx.size > options.max_ready_bytes
                {
                    break;
                }
                prop_assert!(!model.has_nonce(who, nonce));
                prop_assert_eq!(pool.submit(tx.build()), Ok(SubmitOutcome::Ready), "sender {} nonce {}", who, nonce);
                model.pooled.insert(tx.hash(), Pooled { who, nonce, bytes: tx.size, future_since: None });
                pool.check_invariants();
                model.observe(&pool)?;
            }
        }
    }
}
