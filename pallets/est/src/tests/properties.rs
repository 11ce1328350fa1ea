//! Property tests: EST against a reference model.
//!
//! [`Model`] is plain Rust written from SPEC §3 "EST": the tiers (SPEC's
//! Bronze 30 d 6%, Silver 90 d 8%, Gold 180 d 10%, Platinum 365 d 12%, with
//! the minimums the pallet documents), each position with the terms of its
//! tier **when it was opened**, free and locked ECT per account, the ECT total
//! issuance against the max supply, rewards owed when the cap left no room,
//! and the clock. A position unstaked at or after `start + duration` pays
//! `amount * apy_bps * duration / (365 days * 10_000)` (rounded down), minted
//! within the max supply (else owed, claimable later); before, nothing.
//! From `pallet-balances` it takes only the existential deposit rule (1 unit in
//! the mock): a hold never takes it, and an account with a hold keeps it free.
//!
//! Operation mixes: stake (all tiers, below minimums, too many positions, the
//! whole balance), unstake (early, matured, someone else's, closed, unknown),
//! claim, set_tier and remove_tier while positions are open, ECT burns, ECT
//! pause/unpause and time. After every call the result (exact error
//! included) and the observable state must equal the model's.

use super::cases;
use crate::{mock::*, Error, PositionId};
use ecochain_primitives::ECT;
use proptest::prelude::*;
use sp_runtime::DispatchError;
use std::collections::BTreeMap;

const DAY_SECS: u64 = 24 * 60 * 60;
const YEAR_SECS: u128 = 365 * 24 * 60 * 60;
const BPS: u128 = 10_000;
/// `pallet-balances`' existential deposit in the mock (`TestDefaultConfig`).
const ED: u128 = 1;
const ACCOUNTS: [u64; 4] = [ALICE, BOB, CHARLIE, 4];
/// The mock's `MaxTiers` and `MaxPositionsPerAccount`.
const MAX_TIERS: usize = 5;
const MAX_POSITIONS: usize = 4;

#[derive(Clone, Debug, PartialEq)]
struct TierM {
    name: Vec<u8>,
    days: u32,
    apy: u32,
    min: u128,
}

#[derive(Clone, Debug)]
struct PositionM {
    owner: u64,
    tier: u32,
    amount: u128,
    start: u64,
    duration: u64,
    apy: u32,
    active: bool,
}

impl PositionM {
    fn matures_at(&self) -> u64 {
        self.start + self.duration
    }

    fn reward(&self) -> u128 {
        self.amount * u128::from(self.apy) * u128::from(self.duration) / (YEAR_SECS * BPS)
    }
}

#[derive(Clone, Debug)]
struct Model {
    now: u64,
    free: BTreeMap<u64, u128>,
    unpaid: BTreeMap<u64, u128>,
    tiers: BTreeMap<u32, TierM>,
    positions: BTreeMap<PositionId, PositionM>,
    issuance: u128,
    max_supply: u128,
    ect_paused: bool,
    transactions: u64,
}

type Outcome = Result<(), DispatchError>;

fn err(e: Error<Test>) -> Outcome {
    Err(e.into())
}

fn ect_err(e: pallet_ect::Error<Test>) -> Outcome {
    Err(e.into())
}

impl Model {
    fn new(balances: &[(u64, u128)], max_supply: u128) -> Self {
        let tier = |name: &str, days, apy, min_ect: u128| TierM { name: name.into(), days, apy, min: min_ect * ECT };
        Self {
            now: GENESIS_SECS,
            free: ACCOUNTS.iter().map(|a| (*a, balances.iter().find(|b| b.0 == *a).map_or(0, |b| b.1))).collect(),
            unpaid: BTreeMap::new(),
            tiers: BTreeMap::from([
                (0, tier("Bronze", 30, 600, 100)),
                (1, tier("Silver", 90, 800, 1_000)),
                (2, tier("Gold", 180, 1_000, 5_000)),
                (3, tier("Platinum", 365, 1_200, 10_000)),
            ]),
            positions: BTreeMap::new(),
            issuance: balances.iter().map(|b| b.1).sum(),
            max_supply,
            ect_paused: false,
            transactions: 0,
        }
    }

    fn locked(&self, who: u64) -> u128 {
        self.active_of(who).map(|(_, p)| p.amount).sum()
    }

    fn active_of(&self, who: u64) -> impl Iterator<Item = (&PositionId, &PositionM)> {
        self.positions.iter().filter(move |(_, p)| p.owner == who && p.active)
    }

    fn free_mut(&mut self, who: u64) -> &mut u128 {
        self.free.get_mut(&who).expect("model account")
    }

    /// Mint within the max supply, or say it does not fit.
    fn mint(&mut self, who: u64, amount: u128) -> bool {
        if self.issuance + amount > self.max_supply {
            return false;
        }
        self.issuance += amount;
        *self.free_mut(who) += amount;
        true
    }

    fn apply(&mut self, op: &Op) -> Outcome {
        let out = self.apply_inner(op);
        if out.is_ok()
            && matches!(op, Op::Stake(..) | Op::Unstake(..) | Op::Claim(_) | Op::SetTier { .. } | Op::RemoveTier(..))
        {
            self.transactions += 1;
        }
        out
    }

    fn apply_inner(&mut self, op: &Op) -> Outcome {
        match *op {
            Op::Stake(who, tier, ref x) => {
                let x = x.resolve(self.free[&who]);
                if self.ect_paused {
                    return ect_err(pallet_ect::Error::TokenPaused);
                }
                if x == 0 {
                    return err(Error::ZeroAmount);
                }
                let Some(terms) = self.tiers.get(&tier).cloned() else { return err(Error::TierNotFound) };
                if x < terms.min {
                    return err(Error::BelowTierMinimum);
                }
                if self.active_of(who).count() >= MAX_POSITIONS {
                    return err(Error::TooManyPositions);
                }
                if x > self.free[&who].saturating_sub(ED) {
                    return err(Error::InsufficientBalance);
                }
                *self.free_mut(who) -= x;
                let id = self.positions.len() as PositionId + 1;
                let duration = u64::from(terms.days) * DAY_SECS;
                let position =
                    PositionM { owner: who, tier, amount: x, start: self.now, duration, apy: terms.apy, active: true };
                self.positions.insert(id, position);
                Ok(())
            }
            Op::Unstake(who, ref target) => {
                let id = self.target(who, target);
                if self.ect_paused {
                    return ect_err(pallet_ect::Error::TokenPaused);
                }
                let now = self.now;
                let Some(p) = self.positions.get_mut(&id) else { return err(Error::PositionNotFound) };
                if p.owner != who {
                    return err(Error::NotPositionOwner);
                }
                if !p.active {
                    return err(Error::PositionClosed);
                }
                p.active = false;
                let (amount, reward) = (p.amount, if now >= p.matures_at() { p.reward() } else { 0 });
                *self.free_mut(who) += amount;
                if reward > 0 && !self.mint(who, reward) {
                    *self.unpaid.entry(who).or_default() += reward;
                }
                Ok(())
            }
            Op::Claim(who) => {
                if self.ect_paused {
                    return ect_err(pallet_ect::Error::TokenPaused);
                }
                let owed = self.unpaid.get(&who).copied().unwrap_or(0);
                if owed == 0 {
                    return err(Error::NoUnpaidRewards);
                }
                if !self.mint(who, owed) {
                    return ect_err(pallet_ect::Error::MaxSupplyExceeded);
                }
                self.unpaid.remove(&who);
                Ok(())
            }
            Op::SetTier { admin, id, ref name, days, apy, min } => {
                if !admin {
                    return Err(DispatchError::BadOrigin);
                }
                if name.is_empty() {
                    return err(Error::EmptyTierName);
                }
                if days == 0 {
                    return err(Error::ZeroDuration);
                }
                if apy > 10_000 {
                    return err(Error::ApyTooHigh);
                }
                if !self.tiers.contains_key(&id) && self.tiers.len() >= MAX_TIERS {
                    return err(Error::TooManyTiers);
                }
                self.tiers.insert(id, TierM { name: name.clone(), days, apy, min });
                Ok(())
            }
            Op::RemoveTier(admin, id) => {
                if !admin {
                    return Err(DispatchError::BadOrigin);
                }
                self.tiers.remove(&id).map(|_| ()).ok_or(Error::<Test>::TierNotFound.into())
            }
            Op::Burn(who, x) => {
                if self.ect_paused {
                    return ect_err(pallet_ect::Error::TokenPaused);
                }
                if x == 0 {
                    return ect_err(pallet_ect::Error::ZeroAmount);
                }
                let keep = if self.locked(who) > 0 { ED } else { 0 };
                if x > self.free[&who].saturating_sub(keep) {
                    return ect_err(pallet_ect::Error::InsufficientBalance);
                }
                *self.free_mut(who) -= x;
                self.issuance -= x;
                Ok(())
            }
            Op::PauseEct => {
                self.ect_paused = !self.ect_paused;
                Ok(())
            }
            Op::Wait(secs) => {
                self.now += secs;
                Ok(())
            }
        }
    }

    /// The position an unstake names: one of the caller's open ones, or any id.
    fn target(&self, who: u64, target: &Target) -> PositionId {
        match *target {
            Target::Own(k) => {
                let own: Vec<PositionId> = self.active_of(who).map(|(id, _)| *id).collect();
                if own.is_empty() {
                    0
                } else {
                    own[k % own.len()]
                }
            }
            Target::Any(id) => id,
        }
    }
}

#[derive(Debug, Clone)]
enum Amount {
    Fixed(u128),
    /// The account's free balance plus this many units (saturating at 0).
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

#[derive(Debug, Clone)]
enum Target {
    /// The caller's k-th open position (modulo their number; id 0 if none).
    Own(usize),
    /// Any position id (mostly someone else's, closed or unknown).
    Any(PositionId),
}

#[derive(Debug, Clone)]
enum Op {
    Stake(u64, u32, Amount),
    Unstake(u64, Target),
    Claim(u64),
    SetTier {
        admin: bool,
        id: u32,
        name: Vec<u8>,
        days: u32,
        apy: u32,
        min: u128,
    },
    RemoveTier(bool, u32),
    Burn(u64, u128),
    /// Toggle ECT's pause flag (admin).
    PauseEct,
    Wait(u64),
}

fn account() -> impl Strategy<Value = u64> {
    prop_oneof![Just(ALICE), Just(BOB), Just(CHARLIE), Just(4)]
}

fn fixed() -> impl Strategy<Value = u128> {
    prop_oneof![
        1 => 0u128..=10,
        1 => (0u128..=200).prop_map(|x| x * ECT),
        4 => (100u128..=12_000).prop_map(|x| x * ECT),
        1 => Just(100 * ECT - 1),
    ]
}

fn admin() -> impl Strategy<Value = bool> {
    prop_oneof![9 => Just(true), 1 => Just(false)]
}

fn op() -> impl Strategy<Value = Op> {
    let amount = prop_oneof![4 => fixed().prop_map(Amount::Fixed), 1 => (-1i128..=1).prop_map(Amount::All)];
    let name = prop_oneof![9 => Just(b"T".to_vec()), 1 => Just(vec![])];
    let set_tier = (admin(), 0u32..=5, name, 0u32..=400, prop_oneof![0u32..=10_000, Just(10_001)], fixed())
        .prop_map(|(admin, id, name, days, apy, min)| Op::SetTier { admin, id, name, days, apy, min });
    prop_oneof![
        5 => (account(), 0u32..=5, amount).prop_map(|(a, t, x)| Op::Stake(a, t, x)),
        4 => (account(), any::<usize>()).prop_map(|(a, k)| Op::Unstake(a, Target::Own(k))),
        1 => (account(), 0u64..=12).prop_map(|(a, p)| Op::Unstake(a, Target::Any(p))),
        1 => account().prop_map(Op::Claim),
        2 => set_tier,
        1 => (admin(), 0u32..=5).prop_map(|(a, t)| Op::RemoveTier(a, t)),
        1 => (account(), prop_oneof![0u128..=(100 * ECT), Just(0)]).prop_map(|(a, x)| Op::Burn(a, x)),
        1 => Just(Op::PauseEct),
        4 => prop_oneof![0u64..=100, 0u64..=400 * DAY_SECS, Just(30 * DAY_SECS)].prop_map(Op::Wait),
    ]
}

fn run(model: &Model, op: &Op) -> Outcome {
    let origin = |admin: bool| if admin { RuntimeOrigin::root() } else { RuntimeOrigin::signed(ALICE) };
    match *op {
        Op::Stake(a, t, ref x) => Est::stake(RuntimeOrigin::signed(a), t, x.resolve(Balances::free_balance(a))),
        // Both sides pick the same id: the model's pick is checked against the pallet's positions after each step.
        Op::Unstake(a, ref target) => Est::unstake(RuntimeOrigin::signed(a), model.target(a, target)),
        Op::Claim(a) => Est::claim_rewards(RuntimeOrigin::signed(a)),
        Op::SetTier { admin, id, ref name, days, apy, min } => {
            let name = name.clone().try_into().expect("short names");
            Est::set_tier(origin(admin), id, name, days, apy, min)
        }
        Op::RemoveTier(admin, id) => Est::remove_tier(origin(admin), id),
        Op::Burn(a, x) => Ect::burn(RuntimeOrigin::signed(a), x),
        Op::PauseEct => {
            if pallet_ect::Paused::<Test>::get() {
                Ect::unpause(RuntimeOrigin::root())
            } else {
                Ect::pause(RuntimeOrigin::root())
            }
        }
        Op::Wait(secs) => {
            advance_secs(secs);
            Ok(())
        }
    }
}

fn assert_matches(model: &Model, step: usize, op: &Op) {
    let ctx = |what: &str| format!("step {step} {op:?}: {what}");
    assert_eq!(now_secs(), model.now, "{}", ctx("clock"));
    let mut total_locked = 0;
    let mut holders = 0;
    for &who in &ACCOUNTS {
        assert_eq!(Balances::free_balance(who), model.free[&who], "{}", ctx(&format!("free ECT of {who}")));
        let locked = model.locked(who);
        assert_eq!(Est::est_balance(&who), locked, "{}", ctx(&format!("EST of {who}")));
        total_locked += locked;
        holders += u64::from(locked > 0);

        let ids: Vec<PositionId> = Est::positions(&who).iter().map(|p| p.id).collect();
        let expected: Vec<PositionId> = model.active_of(who).map(|(id, _)| *id).collect();
        assert_eq!(ids, expected, "{}", ctx(&format!("open positions of {who}")));

        let pending = Est::pending_rewards(&who);
        let mut at_maturity = 0;
        let mut matured = 0;
        for (row, (id, p)) in pending.positions.iter().zip(model.active_of(who)) {
            let done = model.now >= p.matures_at();
            assert_eq!(
                (row.position, row.reward, row.matures_at, row.matured),
                (*id, p.reward(), p.matures_at(), done),
                "{}",
                ctx(&format!("pending reward of position {id}"))
            );
            at_maturity += p.reward();
            matured += if done { p.reward() } else { 0 };
        }
        assert_eq!(pending.positions.len(), expected.len(), "{}", ctx("pending rows"));
        assert_eq!((pending.at_maturity, pending.matured), (at_maturity, matured), "{}", ctx("pending totals"));
        assert_eq!(
            pending.unpaid,
            model.unpaid.get(&who).copied().unwrap_or(0),
            "{}",
            ctx(&format!("unpaid of {who}"))
        );
    }
    for (id, p) in &model.positions {
        let actual = Est::position(*id).expect("every opened position stays readable");
        assert_eq!(
            (actual.owner, actual.tier, actual.amount, actual.start, actual.duration, actual.apy_bps, actual.active),
            (p.owner, p.tier, p.amount, p.start, p.duration, p.apy, p.active),
            "{}",
            ctx(&format!("position {id}"))
        );
    }
    assert!(Est::position(model.positions.len() as PositionId + 1).is_none(), "{}", ctx("no extra position"));
    let tiers: Vec<(u32, TierM)> = Est::tiers()
        .into_iter()
        .map(|t| (t.id, TierM { name: t.name, days: t.duration_days, apy: t.apy_bps, min: t.min_amount }))
        .collect();
    let expected: Vec<(u32, TierM)> = model.tiers.iter().map(|(id, t)| (*id, t.clone())).collect();
    assert_eq!(tiers, expected, "{}", ctx("tiers"));
    assert_eq!(Est::total_staked(), total_locked, "{}", ctx("total staked"));
    assert_eq!(Balances::total_issuance(), model.issuance, "{}", ctx("ECT issuance"));
    assert_eq!(Est::holders(), holders, "{}", ctx("holders"));
    assert_eq!(Est::transactions(), model.transactions, "{}", ctx("transactions"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// Random mixes of EST calls (and ECT pause, burns and time) leave the
    /// pallet exactly where the model is; afterwards every open position can
    /// still be closed, as the model says.
    #[test]
    fn est_matches_the_model(
        ops in proptest::collection::vec(op(), 1..40),
        room in prop_oneof![Just(1_000_000 * ECT), 0u128..=(50 * ECT)],
    ) {
        let balances = vec![(ALICE, 20_000 * ECT), (BOB, 1_100 * ECT), (CHARLIE, 15_000 * ECT)];
        let issuance: u128 = balances.iter().map(|(_, b)| b).sum();
        ExtBuilder::default().balances(balances.clone()).max_supply(issuance + room).build_and_execute(|| {
            let mut model = Model::new(&balances, issuance + room);
            for (step, op) in ops.iter().enumerate() {
                let actual = run(&model, op);
                let expected = model.apply(op);
                assert_eq!(actual, expected, "step {step}: {op:?}");
                check_invariants();
                assert_matches(&model, step + 1, op);
            }
            let mut tail = Vec::new();
            if model.ect_paused {
                tail.push(Op::PauseEct);
            }
            for who in ACCOUNTS {
                tail.extend(model.active_of(who).map(|_| Op::Unstake(who, Target::Own(0))));
            }
            for (step, op) in tail.iter().enumerate() {
                let actual = run(&model, op);
                assert_eq!(actual, Ok(()), "closing: {op:?}");
                assert_eq!(model.apply(op), Ok(()), "closing: {op:?}");
                check_invariants();
                assert_matches(&model, ops.len() + step + 1, op);
            }
            assert_eq!(Est::total_staked(), 0);
        });
    }
}
