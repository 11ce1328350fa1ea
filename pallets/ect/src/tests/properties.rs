//! Property tests: ECT against a reference model.
//!
//! [`Model`] is plain Rust written from SPEC §3 "ECT", not from the pallet: free
//! and staked balances, allowances, the pause flag, the cap, the APY and, per
//! staker, the `apy_bps * seconds` accrued since its reward was last settled.
//! The reward of a stake is `staked * apy_bps * seconds / (365 days * 10_000)`,
//! each interval priced at the APY in force during it, rounded down when the
//! stake changes or is claimed (SPEC: "adding stake first settles the reward
//! accrued so far"). The only things it takes from the substrate below are
//! `pallet-balances`' rules for the existential deposit (1 unit in the mock):
//! an account keeps it free while it has a hold, and a hold never takes it.
//!
//! After every call the pallet's result (`Ok` or the exact error) and its
//! state — every balance, stake, pending reward, allowance, the total
//! issuance, the holder and transaction counters — must equal the model's.

use super::cases;
use crate::{mock::*, Allowances, Error};
use ecochain_primitives::ECT;
use proptest::prelude::*;
use sp_runtime::DispatchError;
use std::collections::BTreeMap;

const YEAR_SECS: u128 = 365 * 24 * 60 * 60;
const BPS: u128 = 10_000;
/// `pallet-balances`' existential deposit in the mock (`TestDefaultConfig`).
const ED: u128 = 1;
const ACCOUNTS: [u64; 4] = [ALICE, BOB, CHARLIE, 4];
const MAX_SUPPLY: u128 = 10_000 * ECT;

#[derive(Default, Clone, Debug)]
struct Account {
    free: u128,
    staked: u128,
    /// Rewards settled and not claimed.
    pending: u128,
    /// `apy_bps * seconds` summed since the reward was last settled.
    accrued: u128,
}

impl Account {
    /// Reward on `staked` over `accrued`, rounded down.
    fn unsettled(&self) -> u128 {
        self.staked.checked_mul(self.accrued).expect("model stays within u128") / (YEAR_SECS * BPS)
    }

    fn settle(&mut self) {
        self.pending += self.unsettled();
        self.accrued = 0;
    }

    /// What a transfer or burn may take: a stake (a hold) keeps the existential deposit free.
    fn spendable(&self) -> u128 {
        if self.staked > 0 {
            self.free.saturating_sub(ED)
        } else {
            self.free
        }
    }

    /// What a hold may take: never the existential deposit.
    fn holdable(&self) -> u128 {
        self.free.saturating_sub(ED)
    }
}

#[derive(Clone, Debug)]
struct Model {
    accounts: BTreeMap<u64, Account>,
    allowances: BTreeMap<(u64, u64), u128>,
    issuance: u128,
    paused: bool,
    apy: u32,
    transactions: u64,
}

type Outcome = Result<(), DispatchError>;

fn err(e: Error<Test>) -> Outcome {
    Err(e.into())
}

impl Model {
    fn new() -> Self {
        let mut accounts: BTreeMap<u64, Account> = ACCOUNTS.iter().map(|a| (*a, Account::default())).collect();
        accounts.get_mut(&ALICE).expect("listed").free = 1_100 * ECT;
        accounts.get_mut(&BOB).expect("listed").free = 100 * ECT;
        Self { accounts, allowances: BTreeMap::new(), issuance: 1_200 * ECT, paused: false, apy: 500, transactions: 0 }
    }

    fn acc(&mut self, who: u64) -> &mut Account {
        self.accounts.get_mut(&who).expect("model account")
    }

    fn wait(&mut self, secs: u64) {
        let apy = u128::from(self.apy);
        for a in self.accounts.values_mut() {
            a.accrued += apy * u128::from(secs);
        }
    }

    fn move_free(&mut self, from: u64, to: u64, amount: u128) -> Outcome {
        if self.paused {
            return err(Error::TokenPaused);
        }
        if amount == 0 {
            return err(Error::ZeroAmount);
        }
        if amount > self.acc(from).spendable() {
            return err(Error::InsufficientBalance);
        }
        self.acc(from).free -= amount;
        self.acc(to).free += amount;
        Ok(())
    }

    fn apply(&mut self, op: &Op) -> Outcome {
        let out = self.apply_inner(op);
        if out.is_ok() && !matches!(op, Op::Wait(_)) {
            self.transactions += 1;
        }
        out
    }

    fn apply_inner(&mut self, op: &Op) -> Outcome {
        match *op {
            Op::Transfer(from, to, ref x) => {
                let x = x.resolve(self.acc(from).free);
                self.move_free(from, to, x)
            }
            Op::Approve(owner, spender, x) => {
                if x == 0 {
                    self.allowances.remove(&(owner, spender));
                } else {
                    self.allowances.insert((owner, spender), x);
                }
                Ok(())
            }
            Op::TransferFrom(spender, owner, to, ref x) => {
                let x = x.resolve(self.acc(owner).free);
                if self.paused {
                    return err(Error::TokenPaused);
                }
                let allowed = self.allowances.get(&(owner, spender)).copied().unwrap_or(0);
                if allowed < x {
                    return err(Error::InsufficientAllowance);
                }
                self.move_free(owner, to, x)?;
                if allowed == x {
                    self.allowances.remove(&(owner, spender));
                } else {
                    self.allowances.insert((owner, spender), allowed - x);
                }
                Ok(())
            }
            Op::Burn(who, ref x) => {
                let x = x.resolve(self.acc(who).free);
                if self.paused {
                    return err(Error::TokenPaused);
                }
                if x == 0 {
                    return err(Error::ZeroAmount);
                }
                if x > self.acc(who).spendable() {
                    return err(Error::InsufficientBalance);
                }
                self.acc(who).free -= x;
                self.issuance -= x;
                Ok(())
            }
            Op::Mint { admin, to, ref amount } => {
                let x = match *amount {
                    MintAmount::Plain(x) => x,
                    MintAmount::ToCap(delta) => (MAX_SUPPLY - self.issuance).saturating_add_signed(delta),
                };
                if !admin {
                    return Err(DispatchError::BadOrigin);
                }
                if x == 0 {
                    return err(Error::ZeroAmount);
                }
                if self.issuance + x > MAX_SUPPLY {
                    return err(Error::MaxSupplyExceeded);
                }
                self.acc(to).free += x;
                self.issuance += x;
                Ok(())
            }
            Op::Pause(admin) | Op::Unpause(admin) => {
                let pause = matches!(op, Op::Pause(_));
                if !admin {
                    return Err(DispatchError::BadOrigin);
                }
                match (pause, self.paused) {
                    (true, true) => err(Error::AlreadyPaused),
                    (false, false) => err(Error::NotPaused),
                    _ => {
                        self.paused = pause;
                        Ok(())
                    }
                }
            }
            Op::Stake(who, ref x) => {
                let x = x.resolve(self.acc(who).free);
                if self.paused {
                    return err(Error::TokenPaused);
                }
                if x == 0 {
                    return err(Error::ZeroAmount);
                }
                if x > self.acc(who).holdable() {
                    return err(Error::InsufficientBalance);
                }
                let a = self.acc(who);
                a.settle();
                a.free -= x;
                a.staked += x;
                Ok(())
            }
            Op::Unstake(who, ref x) => {
                let x = x.resolve(self.acc(who).staked);
                if self.paused {
                    return err(Error::TokenPaused);
                }
                if x == 0 {
                    return err(Error::ZeroAmount);
                }
                if x > self.acc(who).staked {
                    return err(Error::InsufficientStake);
                }
                let a = self.acc(who);
                a.settle();
                a.staked -= x;
                a.free += x;
                Ok(())
            }
            Op::Claim(who) => {
                if self.paused {
                    return err(Error::TokenPaused);
                }
                // A failed claim rolls back, settlement included: work on a copy.
                let mut a = self.acc(who).clone();
                a.settle();
                let reward = a.pending;
                if reward == 0 {
                    return err(Error::NoRewards);
                }
                if self.issuance + reward > MAX_SUPPLY {
                    return err(Error::MaxSupplyExceeded);
                }
                a.pending = 0;
                a.free += reward;
                self.issuance += reward;
                *self.acc(who) = a;
                Ok(())
            }
            Op::SetApy(admin, bps) => {
                if !admin {
                    return Err(DispatchError::BadOrigin);
                }
                if bps > 10_000 {
                    return err(Error::ApyTooHigh);
                }
                self.apy = bps;
                Ok(())
            }
            Op::Wait(secs) => {
                self.wait(secs);
                Ok(())
            }
        }
    }
}

/// An amount: fixed, or relative to the balance it is drawn from (to hit the
/// existential-deposit and "exactly all" boundaries).
#[derive(Debug, Clone)]
enum Amount {
    Fixed(u128),
    /// The balance plus this many units (saturating at 0).
    All(i128),
}

impl Amount {
    fn resolve(&self, balance: u128) -> u128 {
        match *self {
            Amount::Fixed(x) => x,
            Amount::All(delta) => balance.saturating_add_signed(delta),
        }
    }
}

#[derive(Debug, Clone)]
enum MintAmount {
    Plain(u128),
    /// What is left under the cap, plus this many units.
    ToCap(i128),
}

#[derive(Debug, Clone)]
enum Op {
    Transfer(u64, u64, Amount),
    Approve(u64, u64, u128),
    TransferFrom(u64, u64, u64, Amount),
    Burn(u64, Amount),
    Mint { admin: bool, to: u64, amount: MintAmount },
    Pause(bool),
    Unpause(bool),
    Stake(u64, Amount),
    Unstake(u64, Amount),
    Claim(u64),
    SetApy(bool, u32),
    Wait(u64),
}

fn account() -> impl Strategy<Value = u64> {
    prop_oneof![Just(ALICE), Just(BOB), Just(CHARLIE), Just(4)]
}

fn fixed() -> impl Strategy<Value = u128> {
    prop_oneof![0u128..=10, (0u128..=2_000).prop_map(|x| x * ECT)]
}

fn amount() -> impl Strategy<Value = Amount> {
    prop_oneof![
        4 => fixed().prop_map(Amount::Fixed),
        1 => (-2i128..=1).prop_map(Amount::All),
    ]
}

/// Admin origin most of the time, a signed account sometimes.
fn admin() -> impl Strategy<Value = bool> {
    prop_oneof![9 => Just(true), 1 => Just(false)]
}

fn op() -> impl Strategy<Value = Op> {
    let mint_amount = prop_oneof![fixed().prop_map(MintAmount::Plain), (-1i128..=1).prop_map(MintAmount::ToCap)];
    let apy = prop_oneof![0u32..=10_000, Just(10_000), 10_001u32..=20_000];
    prop_oneof![
        3 => (account(), account(), amount()).prop_map(|(a, b, x)| Op::Transfer(a, b, x)),
        2 => (account(), account(), fixed()).prop_map(|(a, b, x)| Op::Approve(a, b, x)),
        2 => (account(), account(), account(), amount()).prop_map(|(s, o, t, x)| Op::TransferFrom(s, o, t, x)),
        1 => (account(), amount()).prop_map(|(a, x)| Op::Burn(a, x)),
        2 => (admin(), account(), mint_amount).prop_map(|(admin, to, amount)| Op::Mint { admin, to, amount }),
        1 => admin().prop_map(Op::Pause),
        1 => admin().prop_map(Op::Unpause),
        4 => (account(), amount()).prop_map(|(a, x)| Op::Stake(a, x)),
        3 => (account(), amount()).prop_map(|(a, x)| Op::Unstake(a, x)),
        3 => account().prop_map(Op::Claim),
        2 => (admin(), apy).prop_map(|(a, b)| Op::SetApy(a, b)),
        4 => prop_oneof![0u64..=100, 0u64..=40_000_000].prop_map(Op::Wait),
    ]
}

fn run(op: &Op) -> Outcome {
    let origin = |admin: bool| if admin { RuntimeOrigin::root() } else { RuntimeOrigin::signed(ALICE) };
    match *op {
        Op::Transfer(a, b, ref x) => Ect::transfer(RuntimeOrigin::signed(a), b, x.resolve(free(a))),
        Op::Approve(a, b, x) => Ect::approve(RuntimeOrigin::signed(a), b, x),
        Op::TransferFrom(s, o, t, ref x) => Ect::transfer_from(RuntimeOrigin::signed(s), o, t, x.resolve(free(o))),
        Op::Burn(a, ref x) => Ect::burn(RuntimeOrigin::signed(a), x.resolve(free(a))),
        Op::Mint { admin, to, ref amount } => {
            let x = match *amount {
                MintAmount::Plain(x) => x,
                MintAmount::ToCap(d) => (MAX_SUPPLY - Balances::total_issuance()).saturating_add_signed(d),
            };
            Ect::mint(origin(admin), to, x)
        }
        Op::Pause(admin) => Ect::pause(origin(admin)),
        Op::Unpause(admin) => Ect::unpause(origin(admin)),
        Op::Stake(a, ref x) => Ect::stake(RuntimeOrigin::signed(a), x.resolve(free(a))),
        Op::Unstake(a, ref x) => Ect::unstake(RuntimeOrigin::signed(a), x.resolve(Ect::balance(&a).staked)),
        Op::Claim(a) => Ect::claim_rewards(RuntimeOrigin::signed(a)),
        Op::SetApy(admin, bps) => Ect::set_apy(origin(admin), bps),
        Op::Wait(secs) => {
            advance_secs(secs);
            Ok(())
        }
    }
}

fn free(who: u64) -> u128 {
    Balances::free_balance(who)
}

/// The pallet's observable state equals the model's.
fn assert_matches(model: &Model, step: usize, op: &Op) {
    let mut total_staked = 0;
    let mut holders = 0;
    for (&who, a) in &model.accounts {
        let actual = Ect::balance(&who);
        assert_eq!(actual.free, a.free, "step {step} {op:?}: free balance of {who}");
        assert_eq!(actual.staked, a.staked, "step {step} {op:?}: stake of {who}");
        assert_eq!(actual.other_held, 0, "step {step} {op:?}: other holds of {who}");
        assert_eq!(actual.pending_rewards, a.pending + a.unsettled(), "step {step} {op:?}: pending reward of {who}");
        total_staked += a.staked;
        holders += u64::from(a.free + a.staked > 0);
        for &spender in &ACCOUNTS {
            let expected = model.allowances.get(&(who, spender)).copied().unwrap_or(0);
            assert_eq!(
                Allowances::<Test>::get(who, spender),
                expected,
                "step {step} {op:?}: allowance {who}->{spender}"
            );
        }
    }
    let info = Ect::info();
    assert_eq!(info.total_supply, model.issuance, "step {step} {op:?}: total issuance");
    assert_eq!(Balances::total_issuance(), model.issuance, "step {step} {op:?}: total issuance");
    assert_eq!(info.total_staked, total_staked, "step {step} {op:?}: total staked");
    assert_eq!(info.circulating_supply, model.issuance - total_staked, "step {step} {op:?}: circulating");
    assert_eq!(info.max_supply, MAX_SUPPLY);
    assert_eq!((info.paused, info.apy_bps), (model.paused, model.apy), "step {step} {op:?}: pause flag and APY");
    assert_eq!(Ect::holders(), holders, "step {step} {op:?}: holders");
    assert_eq!(Ect::transactions(), model.transactions, "step {step} {op:?}: transactions");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// Random mixes of every ECT call — failures included — leave the pallet
    /// exactly where the model is, and the invariants hold after each step.
    #[test]
    fn ect_matches_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        ExtBuilder::default().build_and_execute(|| {
            let mut model = Model::new();
            assert_matches(&model, 0, &Op::Wait(0));
            for (step, op) in ops.iter().enumerate() {
                let actual = run(op);
                let expected = model.apply(op);
                assert_eq!(actual, expected, "step {step}: {op:?}");
                check_invariants();
                assert_matches(&model, step + 1, op);
            }
        });
    }

    /// One stake held through a random schedule of APY changes earns
    /// `amount * sum(apy_i * seconds_i) / (365 days * 10_000)`, rounded down once.
    #[test]
    fn a_stake_earns_each_interval_at_its_apy(
        amount in 1u128..=(1_000 * ECT),
        schedule in proptest::collection::vec((0u64..=20_000_000, 0u32..=10_000), 0..12),
        last in 0u64..=20_000_000,
    ) {
        ExtBuilder::default().max_supply(1_000_000 * ECT).build_and_execute(|| {
            assert!(Ect::stake(RuntimeOrigin::signed(ALICE), amount).is_ok());
            let mut apy: u128 = 500;
            let mut bps_seconds: u128 = 0;
            for &(secs, next) in &schedule {
                advance_secs(secs);
                bps_seconds += apy * u128::from(secs);
                assert!(Ect::set_apy(RuntimeOrigin::root(), next).is_ok());
                apy = u128::from(next);
            }
            advance_secs(last);
            bps_seconds += apy * u128::from(last);
            let expected = amount * bps_seconds / (YEAR_SECS * BPS);
            assert_eq!(Ect::balance(&ALICE).pending_rewards, expected);
            let before = free(ALICE);
            let claimed = Ect::claim_rewards(RuntimeOrigin::signed(ALICE));
            if expected == 0 {
                assert_eq!(claimed, err(Error::NoRewards));
            } else {
                assert_eq!(claimed, Ok(()));
                assert_eq!(free(ALICE), before + expected);
            }
        });
    }
}
