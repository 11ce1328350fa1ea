//! Property tests: the bridge against a reference model.
//!
//! [`Model`] is plain Rust written from SPEC §5 and the pallet's documented
//! rules, not from its code:
//!
//! - **outbound**: `lock_ect` moves ECT from the sender into the bridge (the
//!   locked amount) and `lock_ecr` locks a certificate in place; each takes
//!   the next nonce, 0, 1, 2, …; refused while the bridge or (for ECT) ECT is
//!   paused, above the per-transfer maximum, or past the period's outbound cap;
//! - **inbound**: relayers approve `(asset, recipient)` for a source event
//!   `(chain id, tx hash, log index)`, once each per source; approvals count
//!   per content and only from accounts that are relayers *now*; when one
//!   content has `threshold` of them the release is decided: executed at once,
//!   or delayed (above the delay threshold: by the delay; beyond what is left
//!   of the period's inbound cap: to the next period) and executed later by
//!   anyone — or reopened if by then fewer than `threshold` current relayers
//!   approved it. A source is released at most once, ever; a release larger
//!   than the period cap is refused at approval; a relayer has at most 4
//!   approvals pending, and may withdraw them (or the admin for it);
//! - **admin**: pause, threshold (1 ..= 8), limits; relayers added and revoked.
//!
//! The model executes atomically: a call that fails changes nothing. From
//! `pallet-balances` it takes only that the bridge account keeps its
//! existential deposit, so at most the locked ECT can be released.
//!
//! After every call the result (exact error included) and the observable
//! state must equal the model's: balances, locked ECT (which is also checked
//! to be every ECT lock minus every ECT release: what the wrapped supply on the
//! EVM side must be), outbound records, decisions, pending approvals, limits
//! and their period usage, locked certificates, and one `Released` event per
//! executed source, never more.

use super::cases;
use crate::{
    mock::*, Approvals, Asset, BridgeLimits, Error, Event, Limits, LockedEcr, NextNonce, Paused, PendingApprovals,
    PendingReleases, PeriodUsage, ReleaseState, Releases, SourceKey, Threshold, Voted,
};
use ecochain_primitives::ECT;
use frame_support::BoundedVec;
use proptest::prelude::*;
use sp_core::{H160, H256};
use sp_runtime::DispatchError;
use std::collections::{BTreeMap, BTreeSet};

const USERS: [u64; 3] = [ALICE, BOB, 3];
const RELAYER_IDS: [u64; 4] = [10, 11, 12, 13];
const SOURCES: usize = 6;
/// The mock's `MaxPendingApprovals`, `MaxRelayers` and ECR `MaxTokensPerOwner`.
const MAX_PENDING: usize = 4;
const MAX_RELAYERS: u32 = 8;
const MAX_TOKENS: usize = 16;
/// Genesis issuance: Alice's and Bob's ECT and the bridge account's deposit.
const ISSUANCE: u128 = 1_100 * ECT + 1;

/// Source event `i`: three transactions with two logs each.
fn source(i: usize) -> SourceKey {
    (DESTINATION.chain_id, DESTINATION.bridge, H256::repeat_byte(i as u8 / 2 + 1), i as u32 % 2)
}

fn evm(zero: bool) -> H160 {
    if zero {
        H160::zero()
    } else {
        H160::repeat_byte(0xab)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum StateM {
    Delayed(u64),
    Executed,
}

#[derive(Clone, Debug)]
struct ReleaseM {
    asset: Asset,
    recipient: u64,
    approvals: Vec<u64>,
    state: StateM,
}

#[derive(Clone, Debug)]
struct Model {
    now: u64,
    free: BTreeMap<u64, u128>,
    /// ECT in the bridge account above its existential deposit.
    locked: u128,
    ect_paused: bool,
    paused: bool,
    threshold: u32,
    limits: Option<Limits>,
    relayers: BTreeSet<u64>,
    /// By nonce: (asset, sender, EVM recipient, at).
    outbounds: Vec<(Asset, u64, H160, u64)>,
    /// (period index, outbound, inbound) as last counted.
    usage: (u64, u128, u128),
    /// Undecided sources: each approval (relayer, asset, recipient), in order.
    votes: BTreeMap<usize, Vec<(u64, Asset, u64)>>,
    releases: BTreeMap<usize, ReleaseM>,
    /// ECR certificates: id -> (owner, locked).
    certs: BTreeMap<u64, (u64, bool)>,
    bridge_ecr: BTreeSet<u64>,
    /// ECT released inbound so far.
    released: u128,
}

type Outcome = Result<(), DispatchError>;

fn err(e: Error<Test>) -> Outcome {
    Err(e.into())
}

impl Model {
    fn new(limits: Option<Limits>) -> Self {
        Self {
            now: 1_000_000,
            free: BTreeMap::from([(ALICE, 1_000 * ECT), (BOB, 100 * ECT), (3, 0)]),
            locked: 0,
            ect_paused: false,
            paused: false,
            threshold: 2,
            limits,
            relayers: BTreeSet::from([10, 11, 12]),
            outbounds: vec![],
            usage: (0, 0, 0),
            votes: BTreeMap::new(),
            releases: BTreeMap::new(),
            certs: BTreeMap::new(),
            bridge_ecr: BTreeSet::new(),
            released: 0,
        }
    }

    /// (cap, period length) when a period cap is in force (0: no cap; a cap
    /// always comes with a period).
    fn cap(&self) -> Option<(u128, u64)> {
        self.limits.as_ref().filter(|l| l.cap_per_period > 0).map(|l| (l.cap_per_period, l.period_ms))
    }

    fn pending(&self, relayer: u64) -> usize {
        self.votes.values().filter(|v| v.iter().any(|(r, ..)| *r == relayer)).count()
    }

    /// Check the per-transfer maximum (locks only) and count `amount` against the period cap.
    fn count(&mut self, amount: u128, outbound: bool) -> Outcome {
        let Some(limits) = &self.limits else { return Ok(()) };
        if outbound && limits.max_per_transfer > 0 && amount > limits.max_per_transfer {
            return err(Error::AboveMaxPerTransfer);
        }
        let Some((cap, period_ms)) = self.cap() else { return Ok(()) };
        let period = self.now / period_ms;
        let (mut out, mut inb) = if self.usage.0 == period { (self.usage.1, self.usage.2) } else { (0, 0) };
        let used = if outbound { &mut out } else { &mut inb };
        *used += amount;
        if *used > cap {
            return err(Error::CapExceeded);
        }
        self.usage = (period, out, inb);
        Ok(())
    }

    /// When a just-decided release must wait, if it must.
    fn wait_until(&self, asset: &Asset) -> Option<u64> {
        let (Asset::Ect(amount), Some(limits)) = (asset, &self.limits) else { return None };
        if limits.delay_threshold > 0 && *amount > limits.delay_threshold {
            return Some(self.now + limits.release_delay_ms);
        }
        let (cap, period_ms) = self.cap()?;
        let period = self.now / period_ms;
        let used = if self.usage.0 == period { self.usage.2 } else { 0 };
        (used + amount > cap).then_some((period + 1) * period_ms)
    }

    fn execute(&mut self, asset: &Asset, recipient: u64) -> Outcome {
        match *asset {
            Asset::Ect(amount) => {
                if self.ect_paused {
                    return Err(pallet_ect::Error::<Test>::TokenPaused.into());
                }
                self.count(amount, false)?;
                if amount > self.locked {
                    return err(Error::InsufficientBalance);
                }
                self.locked -= amount;
                *self.free.get_mut(&recipient).expect("model user") += amount;
                self.released += amount;
            }
            Asset::Ecr(token) => {
                if !self.bridge_ecr.remove(&token) {
                    return err(Error::CertificateNotLocked);
                }
                let (owner, _) = self.certs[&token];
                if owner != recipient && self.certs.values().filter(|c| c.0 == recipient).count() >= MAX_TOKENS {
                    return Err(pallet_ecr::Error::<Test>::TooManyTokens.into());
                }
                self.certs.insert(token, (recipient, false));
            }
        }
        Ok(())
    }

    /// Apply `op`; a failed call changes nothing.
    fn apply(&mut self, op: &Op) -> Outcome {
        let mut next = self.clone();
        let out = next.apply_inner(op);
        if out.is_ok() {
            *self = next;
        }
        out
    }

    fn apply_inner(&mut self, op: &Op) -> Outcome {
        match *op {
            Op::LockEct(who, ref x, zero) => {
                let amount = x.resolve(self.free[&who]);
                if self.paused {
                    return err(Error::BridgePaused);
                }
                if self.ect_paused {
                    return Err(pallet_ect::Error::<Test>::TokenPaused.into());
                }
                if amount == 0 {
                    return err(Error::ZeroAmount);
                }
                if zero {
                    return err(Error::ZeroRecipient);
                }
                self.count(amount, true)?;
                if amount > self.free[&who] {
                    return err(Error::InsufficientBalance);
                }
                *self.free.get_mut(&who).expect("model user") -= amount;
                self.locked += amount;
                self.outbounds.push((Asset::Ect(amount), who, evm(false), self.now));
                Ok(())
            }
            Op::LockEcr(ref caller, ref sel, zero) => {
                let token = self.token(sel);
                let who = self.caller(caller, token);
                if self.paused {
                    return err(Error::BridgePaused);
                }
                if zero {
                    return err(Error::ZeroRecipient);
                }
                let Some(&(owner, locked)) = self.certs.get(&token) else {
                    return Err(pallet_ecr::Error::<Test>::UnknownToken.into());
                };
                if owner != who {
                    return Err(pallet_ecr::Error::<Test>::NotOwner.into());
                }
                if locked {
                    return Err(pallet_ecr::Error::<Test>::TokenLocked.into());
                }
                self.certs.insert(token, (owner, true));
                self.bridge_ecr.insert(token);
                self.outbounds.push((Asset::Ecr(token), who, evm(false), self.now));
                Ok(())
            }
            Op::MintCert(to) => {
                if self.certs.values().filter(|c| c.0 == to).count() >= MAX_TOKENS {
                    return Err(pallet_ecr::Error::<Test>::TooManyTokens.into());
                }
                let id = self.certs.len() as u64 + 1;
                self.certs.insert(id, (to, false));
                Ok(())
            }
            Op::Approve(relayer, src, ref content) => {
                let (asset, recipient) = content.resolve();
                if !self.relayers.contains(&relayer) {
                    return err(Error::NotRelayer);
                }
                if self.paused {
                    return err(Error::BridgePaused);
                }
                if let Asset::Ect(amount) = asset {
                    if amount == 0 {
                        return err(Error::ZeroAmount);
                    }
                    if self.cap().is_some_and(|(cap, _)| amount > cap) {
                        return err(Error::AboveInboundCap);
                    }
                }
                if let Some(decided) = self.releases.get(&src) {
                    return err(match decided.state {
                        StateM::Executed => Error::AlreadyReleased,
                        StateM::Delayed(_) => Error::AlreadyDecided,
                    });
                }
                let votes = self.votes.get(&src).cloned().unwrap_or_default();
                if votes.iter().any(|(r, ..)| *r == relayer) {
                    return err(Error::AlreadyApproved);
                }
                if self.pending(relayer) >= MAX_PENDING {
                    return err(Error::TooManyPendingApprovals);
                }
                if votes.len() as u32 >= MAX_RELAYERS {
                    return err(Error::TooManyApprovals);
                }
                let votes = self.votes.entry(src).or_default();
                votes.push((relayer, asset.clone(), recipient));
                let current: Vec<u64> = votes
                    .iter()
                    .filter(|(r, a, to)| *a == asset && *to == recipient && self.relayers.contains(r))
                    .map(|(r, ..)| *r)
                    .collect();
                if (current.len() as u32) < self.threshold {
                    return Ok(());
                }
                self.votes.remove(&src);
                let state = match self.wait_until(&asset) {
                    Some(until) => StateM::Delayed(until),
                    None => {
                        self.execute(&asset, recipient)?;
                        StateM::Executed
                    }
                };
                self.releases.insert(src, ReleaseM { asset, recipient, approvals: current, state });
                Ok(())
            }
            Op::Execute(ref sel) => {
                let src = self.source(sel);
                if self.paused {
                    return err(Error::BridgePaused);
                }
                let Some(release) = self.releases.get(&src).cloned() else { return err(Error::UnknownRelease) };
                let StateM::Delayed(until) = release.state else { return err(Error::AlreadyReleased) };
                if self.now < until {
                    return err(Error::DelayNotPassed);
                }
                let current: Vec<u64> =
                    release.approvals.iter().copied().filter(|r| self.relayers.contains(r)).collect();
                if (current.len() as u32) < self.threshold {
                    // Reopened: the current relayers' approvals stay (those with room).
                    self.releases.remove(&src);
                    let kept: Vec<(u64, Asset, u64)> = current
                        .into_iter()
                        .filter(|r| self.pending(*r) < MAX_PENDING)
                        .map(|r| (r, release.asset.clone(), release.recipient))
                        .collect();
                    if !kept.is_empty() {
                        self.votes.insert(src, kept);
                    }
                    return Ok(());
                }
                self.execute(&release.asset, release.recipient)?;
                self.releases.get_mut(&src).expect("decided").state = StateM::Executed;
                Ok(())
            }
            Op::CancelApproval(by, src, relayer) => {
                if by.is_some_and(|who| who != relayer) {
                    return Err(DispatchError::BadOrigin);
                }
                let votes = self.votes.get_mut(&src);
                let Some(votes) = votes.filter(|v| v.iter().any(|(r, ..)| *r == relayer)) else {
                    return err(Error::NotApproved);
                };
                votes.retain(|(r, ..)| *r != relayer);
                if votes.is_empty() {
                    self.votes.remove(&src);
                }
                Ok(())
            }
            Op::SetPaused(admin, paused) => {
                if !admin {
                    return Err(DispatchError::BadOrigin);
                }
                self.paused = paused;
                Ok(())
            }
            Op::SetThreshold(admin, threshold) => {
                if !admin {
                    return Err(DispatchError::BadOrigin);
                }
                if threshold == 0 || threshold > MAX_RELAYERS {
                    return err(Error::BadThreshold);
                }
                self.threshold = threshold;
                Ok(())
            }
            Op::SetLimits(admin, ref limits) => {
                if !admin {
                    return Err(DispatchError::BadOrigin);
                }
                if limits.as_ref().is_some_and(|l| l.cap_per_period > 0 && l.period_ms == 0) {
                    return err(Error::CapWithoutPeriod);
                }
                self.limits = limits.clone();
                Ok(())
            }
            Op::AddRelayer(who) => {
                self.relayers.insert(who);
                Ok(())
            }
            Op::RevokeRelayer(who) => {
                self.relayers.remove(&who);
                Ok(())
            }
            Op::SetEctPaused(paused) => {
                match (paused, self.ect_paused) {
                    (true, true) => return Err(pallet_ect::Error::<Test>::AlreadyPaused.into()),
                    (false, false) => return Err(pallet_ect::Error::<Test>::NotPaused.into()),
                    _ => self.ect_paused = paused,
                }
                Ok(())
            }
            Op::Wait(..) | Op::WaitForRelease(..) => {
                self.now += self.wait_ms(op);
                Ok(())
            }
        }
    }

    fn wait_ms(&self, op: &Op) -> u64 {
        match *op {
            Op::Wait(ms) => ms,
            Op::WaitForRelease(ref sel, early) => match self.releases.get(&self.source(sel)).map(|r| &r.state) {
                Some(StateM::Delayed(until)) => until.saturating_sub(u64::from(early)).saturating_sub(self.now),
                _ => 0,
            },
            _ => 0,
        }
    }

    fn source(&self, sel: &SourceSel) -> usize {
        match *sel {
            SourceSel::Any(src) => src,
            SourceSel::Delayed(k) => {
                let delayed: Vec<usize> = self
                    .releases
                    .iter()
                    .filter(|(_, r)| matches!(r.state, StateM::Delayed(_)))
                    .map(|(src, _)| *src)
                    .collect();
                delayed.get(k % delayed.len().max(1)).copied().unwrap_or(0)
            }
        }
    }

    fn token(&self, sel: &TokenSel) -> u64 {
        match *sel {
            TokenSel::Nth(k) if !self.certs.is_empty() => k as u64 % self.certs.len() as u64 + 1,
            TokenSel::Nth(_) => 1,
            TokenSel::Raw(id) => id,
        }
    }

    fn caller(&self, caller: &Caller, token: u64) -> u64 {
        match *caller {
            Caller::Owner => self.certs.get(&token).map_or(ALICE, |c| c.0),
            Caller::Account(a) => a,
        }
    }
}

#[derive(Debug, Clone)]
enum Amount {
    Fixed(u128),
    /// The sender's whole free balance, plus this many units.
    All(i128),
}

impl Amount {
    fn resolve(&self, free: u128) -> u128 {
        match *self {
            Amount::Fixed(x) => x,
            Amount::All(d) => free.saturating_add_signed(d),
        }
    }
}

/// A source: any, or the k-th with a delayed release (modulo their number).
#[derive(Debug, Clone)]
enum SourceSel {
    Any(usize),
    Delayed(usize),
}

/// A certificate: the k-th minted (modulo their number), or any id.
#[derive(Debug, Clone)]
enum TokenSel {
    Nth(usize),
    Raw(u64),
}

#[derive(Debug, Clone)]
enum Caller {
    Owner,
    Account(u64),
}

/// What a relayer approves for a source: the source's true content (what was
/// burned on the EVM side, drawn per test case) or something else.
#[derive(Debug, Clone)]
enum Content {
    True(Asset, u64),
    Other(Asset, u64),
}

impl Content {
    fn resolve(&self) -> (Asset, u64) {
        match self {
            Content::True(a, r) | Content::Other(a, r) => (a.clone(), *r),
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    LockEct(u64, Amount, bool),
    LockEcr(Caller, TokenSel, bool),
    MintCert(u64),
    Approve(u64, usize, Content),
    Execute(SourceSel),
    /// `None`: the admin withdraws the relayer's approval.
    CancelApproval(Option<u64>, usize, u64),
    SetPaused(bool, bool),
    SetThreshold(bool, u32),
    SetLimits(bool, Option<Limits>),
    AddRelayer(u64),
    RevokeRelayer(u64),
    /// ECT's pause (`true`) or unpause (admin).
    SetEctPaused(bool),
    Wait(u64),
    /// Wait until the source's delayed release is due (or 1 ms before).
    WaitForRelease(SourceSel, bool),
}

fn user() -> impl Strategy<Value = u64> {
    prop_oneof![Just(ALICE), Just(BOB), Just(3u64)]
}

fn relayer() -> impl Strategy<Value = u64> {
    prop_oneof![12 => 10u64..=12, 1 => Just(13u64), 1 => Just(ALICE)]
}

fn source_sel() -> impl Strategy<Value = SourceSel> {
    prop_oneof![3 => any::<usize>().prop_map(SourceSel::Delayed), 1 => (0..SOURCES).prop_map(SourceSel::Any)]
}

fn admin() -> impl Strategy<Value = bool> {
    prop_oneof![9 => Just(true), 1 => Just(false)]
}

fn ect() -> impl Strategy<Value = u128> {
    prop_oneof![
        Just(ECT),
        Just(10 * ECT),
        Just(50 * ECT),
        Just(60 * ECT + 1),
        Just(100 * ECT),
        Just(150 * ECT),
        Just(400 * ECT)
    ]
}

fn asset() -> impl Strategy<Value = Asset> {
    prop_oneof![5 => ect().prop_map(Asset::Ect), 1 => (1u64..=3).prop_map(Asset::Ecr)]
}

/// Limits, sometimes with a cap but no period (refused by genesis and `set_limits`).
fn limits() -> impl Strategy<Value = Option<Limits>> {
    let some =
        (
            prop_oneof![Just(0u128), Just(100 * ECT)],
            prop_oneof![Just(0u128), Just(200 * ECT), Just(500 * ECT)],
            prop_oneof![1 => Just(0u64), 4 => Just(3_600_000u64)],
            prop_oneof![1 => Just(0u128), 3 => Just(60 * ECT)],
            prop_oneof![Just(0u64), Just(600_000), Just(7_200_000)],
        )
            .prop_map(|(max_per_transfer, cap_per_period, period_ms, delay_threshold, release_delay_ms)| {
                Limits { max_per_transfer, cap_per_period, period_ms, delay_threshold, release_delay_ms }
            });
    prop_oneof![1 => Just(None), 4 => some.prop_map(Some)]
}

fn op(truth: Vec<(Asset, u64)>) -> impl Strategy<Value = Op> {
    // Most approvals go to a few sources (so thresholds are reached), some to the others.
    let src = prop_oneof![6 => 0..2usize, 3 => 2..4usize, 1 => 4..SOURCES];
    let other = (prop_oneof![9 => asset(), 1 => Just(Asset::Ect(0))], user()).prop_map(Some);
    let content = (src, prop_oneof![5 => Just(None), 1 => other]).prop_map(move |(src, other)| match other {
        None => (src, Content::True(truth[src].0.clone(), truth[src].1)),
        Some((a, r)) => (src, Content::Other(a, r)),
    });
    let amount = prop_oneof![
        4 => prop_oneof![Just(0u128), ect()].prop_map(Amount::Fixed),
        1 => (-1i128..=1).prop_map(Amount::All),
    ];
    let zero = prop_oneof![9 => Just(false), 1 => Just(true)];
    let caller = prop_oneof![3 => Just(Caller::Owner), 1 => user().prop_map(Caller::Account)];
    let token = prop_oneof![4 => any::<usize>().prop_map(TokenSel::Nth), 1 => (1u64..=6).prop_map(TokenSel::Raw)];
    let canceller = prop_oneof![1 => Just(None), 3 => relayer().prop_map(Some)];
    let threshold = prop_oneof![4 => 1u32..=3, 1 => Just(0u32), 1 => Just(9u32)];
    prop_oneof![
        4 => (user(), amount, zero.clone()).prop_map(|(a, x, z)| Op::LockEct(a, x, z)),
        3 => (caller, token, zero).prop_map(|(c, t, z)| Op::LockEcr(c, t, z)),
        2 => user().prop_map(Op::MintCert),
        14 => (relayer(), content).prop_map(|(r, (src, c))| Op::Approve(r, src, c)),
        5 => source_sel().prop_map(Op::Execute),
        1 => (canceller, 0..SOURCES, 10u64..=13).prop_map(|(by, s, r)| Op::CancelApproval(by, s, r)),
        1 => (admin(), prop_oneof![2 => Just(false), 1 => Just(true)]).prop_map(|(a, p)| Op::SetPaused(a, p)),
        1 => (admin(), threshold).prop_map(|(a, t)| Op::SetThreshold(a, t)),
        1 => (admin(), limits()).prop_map(|(a, l)| Op::SetLimits(a, l)),
        2 => (10u64..=13).prop_map(Op::AddRelayer),
        1 => (10u64..=13).prop_map(Op::RevokeRelayer),
        1 => prop_oneof![2 => Just(false), 1 => Just(true)].prop_map(Op::SetEctPaused),
        2 => prop_oneof![0u64..=600_000, 0u64..=4_000_000].prop_map(Op::Wait),
        3 => (source_sel(), any::<bool>()).prop_map(|(s, early)| Op::WaitForRelease(s, early)),
    ]
}

/// The initial limits (valid ones: genesis refuses a cap without a period),
/// each source's true content, and the operations.
fn scenario() -> impl Strategy<Value = (Option<Limits>, Vec<Op>)> {
    let genesis = limits().prop_map(|l| l.filter(|l| l.cap_per_period == 0 || l.period_ms > 0));
    (genesis, proptest::collection::vec((asset(), user()), SOURCES)).prop_flat_map(|(limits, truth)| {
        // Now and then: wait for a delayed release (or 1 ms less) and execute
        // it, sometimes after an approver lost its role or the threshold rose.
        let change = prop_oneof![
            3 => Just(vec![]),
            2 => (10u64..=12).prop_map(|r| vec![Op::RevokeRelayer(r)]),
            1 => Just(vec![Op::SetThreshold(true, 3)]),
        ];
        let due = (change, any::<usize>(), any::<bool>()).prop_map(|(mut ops, k, early)| {
            ops.extend([Op::WaitForRelease(SourceSel::Delayed(k), early), Op::Execute(SourceSel::Delayed(k))]);
            ops
        });
        let ops = proptest::collection::vec(prop_oneof![12 => op(truth).prop_map(|o| vec![o]), 1 => due], 1..38)
            .prop_map(|groups| groups.into_iter().flatten().take(40).collect::<Vec<Op>>());
        (Just(limits), ops)
    })
}

fn run(model: &Model, op: &Op) -> Outcome {
    let signed = RuntimeOrigin::signed;
    let origin = |admin: bool| if admin { RuntimeOrigin::root() } else { signed(ALICE) };
    match *op {
        Op::LockEct(who, ref x, zero) => {
            Bridge::lock_ect(signed(who), x.resolve(Balances::free_balance(who)), evm(zero))
        }
        Op::LockEcr(ref caller, ref sel, zero) => {
            let token = model.token(sel);
            let who = match *caller {
                Caller::Owner => Ecr::owner_of(token).unwrap_or(ALICE),
                Caller::Account(a) => a,
            };
            Bridge::lock_ecr(signed(who), token, evm(zero))
        }
        Op::MintCert(to) => {
            let kind: BoundedVec<u8, _> = b"solar".to_vec().try_into().expect("fits");
            let meta: BoundedVec<u8, _> = b"ipfs://c".to_vec().try_into().expect("fits");
            Ecr::mint(signed(ALICE), to, kind, 10, 2, meta)
        }
        Op::Approve(relayer, src, ref content) => {
            let (asset, recipient) = content.resolve();
            Bridge::approve_release(signed(relayer), source(src), asset, recipient)
        }
        Op::Execute(ref sel) => Bridge::execute_release(signed(BOB), source(model.source(sel))),
        Op::CancelApproval(by, src, relayer) => {
            Bridge::cancel_approval(by.map_or(RuntimeOrigin::root(), signed), source(src), relayer)
        }
        Op::SetPaused(admin, paused) => Bridge::set_paused(origin(admin), paused),
        Op::SetThreshold(admin, threshold) => Bridge::set_threshold(origin(admin), threshold),
        Op::SetLimits(admin, ref limits) => Bridge::set_limits(origin(admin), limits.clone()),
        Op::AddRelayer(who) => {
            add_relayer(who);
            Ok(())
        }
        Op::RevokeRelayer(who) => {
            revoke_relayer(who);
            Ok(())
        }
        Op::SetEctPaused(true) => Ect::pause(RuntimeOrigin::root()),
        Op::SetEctPaused(false) => Ect::unpause(RuntimeOrigin::root()),
        Op::Wait(..) | Op::WaitForRelease(..) => {
            advance_ms(model.wait_ms(op));
            Ok(())
        }
    }
}

fn sorted(mut v: Vec<u64>) -> Vec<u64> {
    v.sort_unstable();
    v
}

fn assert_matches(model: &Model, step: usize, op: &Op) {
    let ctx = |what: &str| format!("step {step} {op:?}: {what}");
    assert_eq!(pallet_timestamp::Now::<Test>::get(), model.now, "{}", ctx("clock"));
    for who in USERS {
        assert_eq!(Balances::free_balance(who), model.free[&who], "{}", ctx(&format!("ECT of {who}")));
    }
    assert_eq!(Bridge::locked_ect(), model.locked, "{}", ctx("locked ECT"));
    let locked_out: u128 =
        model.outbounds.iter().filter_map(|o| if let Asset::Ect(a) = o.0 { Some(a) } else { None }).sum();
    assert_eq!(model.locked, locked_out - model.released, "{}", ctx("locked == locks - releases"));
    assert_eq!(Balances::total_issuance(), ISSUANCE, "{}", ctx("the bridge creates no ECT"));

    assert_eq!(NextNonce::<Test>::get(), model.outbounds.len() as u64, "{}", ctx("next nonce"));
    for (nonce, (asset, sender, recipient, at)) in model.outbounds.iter().enumerate() {
        let o = Bridge::transfer(nonce as u64).expect("every nonce is recorded");
        assert_eq!((&o.asset, o.sender, o.recipient, o.at), (asset, *sender, *recipient, *at), "{}", ctx("outbound"));
    }

    assert_eq!(Paused::<Test>::get(), model.paused, "{}", ctx("paused"));
    assert_eq!(Threshold::<Test>::get(), model.threshold, "{}", ctx("threshold"));
    assert_eq!(BridgeLimits::<Test>::get(), model.limits, "{}", ctx("limits"));
    assert_eq!(PeriodUsage::<Test>::get(), model.usage, "{}", ctx("period usage"));

    let released_events: Vec<SourceKey> = System::events()
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::Bridge(Event::Released { source, .. }) => Some(source),
            _ => None,
        })
        .collect();
    for src in 0..SOURCES {
        let key = source(src);
        let actual = Releases::<Test>::get(key).map(|r| {
            let state = match r.state {
                ReleaseState::Delayed(until) => StateM::Delayed(until),
                ReleaseState::Executed => StateM::Executed,
            };
            (r.asset, r.recipient, sorted(r.approvals.into_inner()), state)
        });
        let expected = model
            .releases
            .get(&src)
            .map(|r| (r.asset.clone(), r.recipient, sorted(r.approvals.clone()), r.state.clone()));
        assert_eq!(actual, expected, "{}", ctx(&format!("release of source {src}")));
        let executed = model.releases.get(&src).is_some_and(|r| r.state == StateM::Executed);
        let times = released_events.iter().filter(|s| **s == key).count();
        assert_eq!(times, usize::from(executed), "{}", ctx(&format!("Released events of source {src}")));

        let voters = sorted(Voted::<Test>::iter_prefix(key).map(|(r, _)| r).collect());
        let votes = model.votes.get(&src).cloned().unwrap_or_default();
        assert_eq!(voters, sorted(votes.iter().map(|v| v.0).collect()), "{}", ctx(&format!("voters on {src}")));
        // Approvals are grouped by content: the same groups as the model's.
        let mut groups: Vec<Vec<u64>> =
            Approvals::<Test>::iter_prefix(key).map(|(_, list)| sorted(list.into_inner())).collect();
        groups.sort();
        let mut by_content: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for (r, asset, to) in &votes {
            by_content.entry(format!("{asset:?}/{to}")).or_default().push(*r);
        }
        let mut expected: Vec<Vec<u64>> = by_content.into_values().map(sorted).collect();
        expected.sort();
        assert_eq!(groups, expected, "{}", ctx(&format!("approval groups on {src}")));
    }
    for r in RELAYER_IDS {
        assert_eq!(PendingApprovals::<Test>::get(r) as usize, model.pending(r), "{}", ctx(&format!("pending of {r}")));
    }
    assert_eq!(PendingReleases::<Test>::get() as usize, model.votes.len(), "{}", ctx("pending releases"));

    let locked_ecr: BTreeSet<u64> = LockedEcr::<Test>::iter_keys().collect();
    assert_eq!(locked_ecr, model.bridge_ecr, "{}", ctx("certificates locked by the bridge"));
    for (id, (owner, locked)) in &model.certs {
        let record = Ecr::verify(*id).expect("certificates are never burned here");
        assert_eq!((record.owner, record.locked), (*owner, *locked), "{}", ctx(&format!("certificate {id}")));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// Random mixes of locks, approvals (true and false content, by current,
    /// revoked and non-relayers), executions, withdrawals, pauses (bridge and
    /// ECT), threshold, limit and relayer-set changes, and time, leave the
    /// bridge exactly where the model is.
    #[test]
    fn bridge_matches_the_model((limits, ops) in scenario()) {
        new_test_ext(limits.clone()).execute_with(|| {
            let mut model = Model::new(limits.clone());
            // Fund the bridge first (limits lifted meanwhile), so releases can pay.
            let funding = [
                Op::SetLimits(true, None),
                Op::LockEct(ALICE, Amount::Fixed(400 * ECT), false),
                Op::SetLimits(true, limits),
            ];
            for (step, op) in funding.iter().chain(ops.iter()).enumerate() {
                let actual = run(&model, op);
                let expected = model.apply(op);
                assert_eq!(actual, expected, "step {step}: {op:?}");
                Bridge::do_try_state().expect("bridge invariants");
                Ect::do_try_state().expect("ECT invariants");
                Ecr::do_try_state().expect("ECR invariants");
                assert_matches(&model, step + 1, op);
            }
        });
    }
}
