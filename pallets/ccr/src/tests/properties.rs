//! Property tests: CCR against a reference model.
//!
//! [`Model`] is plain Rust written from SPEC §3 "CCR": batches issued once per
//! verification id, balances per (account, batch), transfers, retirements that
//! burn credits and record who retired what for whom and when, expiry (from
//! `expiry_date` on nothing moves: no transfer, listing, purchase or
//! retirement), and the marketplace: `list` escrows credits at a price per
//! unit in ECT, `cancel` returns what is left, `buy` swaps `amount * price`
//! ECT for credits atomically with partial fills, refused while ECT is paused.
//! It also holds the ECT free balances that purchases move (no holds in this
//! mock, so an account may spend all of its ECT).
//!
//! After every call the result (exact error included), every balance (per
//! batch, expired apart, listed), the marketplace, the retirements, the
//! batches, the stats, the ECT balances and the counters must equal the
//! model's.

use super::cases;
use crate::{mock::*, BatchId, Error, ListingId, RetirementId};
use ecochain_primitives::{Moment, ECT};
use proptest::prelude::*;
use sp_runtime::DispatchError;
use std::collections::{BTreeMap, BTreeSet};

const ACCOUNTS: [u64; 5] = [ALICE, BOB, CHARLIE, 4, VERIFIER];
/// The mock's `MaxListings`.
const MAX_LISTINGS: usize = 4;
/// The mock's `MaxListingsPerSeller`.
const MAX_LISTINGS_PER_SELLER: usize = 3;
const HOUR_MS: Moment = 3_600_000;

#[derive(Clone, Debug)]
struct BatchM {
    vid: Vec<u8>,
    issue_date: Moment,
    expiry: Moment,
    issued: u128,
    retired: u128,
}

#[derive(Clone, Debug)]
struct ListingM {
    seller: u64,
    batch: BatchId,
    amount: u128,
    price: u128,
}

#[derive(Clone, Debug, PartialEq)]
struct RetirementM {
    batch: BatchId,
    account: u64,
    amount: u128,
    beneficiary: Vec<u8>,
    at: Moment,
}

#[derive(Clone, Debug)]
struct Model {
    now: Moment,
    ect: BTreeMap<u64, u128>,
    ect_paused: bool,
    batches: BTreeMap<BatchId, BatchM>,
    used_ids: BTreeSet<Vec<u8>>,
    holdings: BTreeMap<(u64, BatchId), u128>,
    listings: BTreeMap<ListingId, ListingM>,
    last_listing: ListingId,
    retirements: BTreeMap<RetirementId, RetirementM>,
    transactions: u64,
}

type Outcome = Result<(), DispatchError>;

fn err(e: Error<Test>) -> Outcome {
    Err(e.into())
}

impl Model {
    fn new() -> Self {
        Self {
            now: START,
            ect: BTreeMap::from([(ALICE, 1_000 * ECT), (BOB, 1_000 * ECT), (CHARLIE, 10 * ECT), (4, 0), (VERIFIER, 0)]),
            ect_paused: false,
            batches: BTreeMap::new(),
            used_ids: BTreeSet::new(),
            holdings: BTreeMap::new(),
            listings: BTreeMap::new(),
            last_listing: 0,
            retirements: BTreeMap::new(),
            transactions: 0,
        }
    }

    fn held(&self, who: u64, batch: BatchId) -> u128 {
        self.holdings.get(&(who, batch)).copied().unwrap_or(0)
    }

    fn credit(&mut self, who: u64, batch: BatchId, amount: u128) {
        if amount > 0 {
            *self.holdings.entry((who, batch)).or_default() += amount;
        }
    }

    fn debit(&mut self, who: u64, batch: BatchId, amount: u128) -> Outcome {
        let held = self.held(who, batch);
        if held < amount {
            return err(Error::InsufficientBalance);
        }
        if held == amount {
            self.holdings.remove(&(who, batch));
        } else {
            self.holdings.insert((who, batch), held - amount);
        }
        Ok(())
    }

    /// A batch that exists and has not expired.
    fn active(&self, batch: BatchId) -> Outcome {
        match self.batches.get(&batch) {
            None => err(Error::UnknownBatch),
            Some(b) if self.now >= b.expiry => err(Error::CreditExpired),
            Some(_) => Ok(()),
        }
    }

    fn apply(&mut self, op: &Op) -> Outcome {
        let out = self.apply_inner(op);
        if out.is_ok() && !matches!(op, Op::Wait(_) | Op::WaitForExpiry(..) | Op::PauseEct) {
            self.transactions += 1;
        }
        out
    }

    fn apply_inner(&mut self, op: &Op) -> Outcome {
        match *op {
            Op::Issue { verifier, to, amount, ref vid, issue_offset, valid_hours } => {
                if !verifier {
                    return err(Error::NotVerifier);
                }
                let (issue_date, expiry) = self.dates(issue_offset, valid_hours);
                if amount == 0 {
                    return err(Error::ZeroAmount);
                }
                if vid.is_empty() {
                    return err(Error::EmptyVerificationId);
                }
                if self.used_ids.contains(vid) {
                    return err(Error::VerificationIdUsed);
                }
                if expiry <= issue_date {
                    return err(Error::ExpiryNotAfterIssue);
                }
                if expiry <= self.now {
                    return err(Error::ExpiryInPast);
                }
                let id = self.batches.len() as BatchId + 1;
                self.used_ids.insert(vid.clone());
                self.batches.insert(id, BatchM { vid: vid.clone(), issue_date, expiry, issued: amount, retired: 0 });
                self.credit(to, id, amount);
                Ok(())
            }
            Op::Transfer(ref h, to, ref x) => {
                let (from, batch) = self.holding(h);
                let amount = x.resolve(self.held(from, batch));
                if amount == 0 {
                    return err(Error::ZeroAmount);
                }
                self.active(batch)?;
                self.debit(from, batch, amount)?;
                self.credit(to, batch, amount);
                Ok(())
            }
            Op::Retire(ref h, ref x) => {
                let (who, batch) = self.holding(h);
                let amount = x.resolve(self.held(who, batch));
                if amount == 0 {
                    return err(Error::ZeroAmount);
                }
                self.active(batch)?;
                self.debit(who, batch, amount)?;
                self.batches.get_mut(&batch).expect("active batch").retired += amount;
                let id = self.retirements.len() as RetirementId + 1;
                let at = self.now;
                self.retirements
                    .insert(id, RetirementM { batch, account: who, amount, beneficiary: b"p".to_vec(), at });
                Ok(())
            }
            Op::List(ref h, ref x, price) => {
                let (seller, batch) = self.holding(h);
                let amount = x.resolve(self.held(seller, batch));
                if amount == 0 {
                    return err(Error::ZeroAmount);
                }
                if price == 0 {
                    return err(Error::ZeroPrice);
                }
                if amount.checked_mul(price).is_none() {
                    return err(Error::PriceOverflow);
                }
                self.active(batch)?;
                if self.listings.len() >= MAX_LISTINGS {
                    return err(Error::TooManyListings);
                }
                if self.listings.values().filter(|l| l.seller == seller).count() >= MAX_LISTINGS_PER_SELLER {
                    return err(Error::TooManyListingsOfSeller);
                }
                self.debit(seller, batch, amount)?;
                self.last_listing += 1;
                self.listings.insert(self.last_listing, ListingM { seller, batch, amount, price });
                Ok(())
            }
            Op::Cancel(who, ref l) => {
                let id = self.listing(l);
                let Some(listing) = self.listings.get(&id).cloned() else { return err(Error::UnknownListing) };
                let who = who.unwrap_or(listing.seller);
                if who != listing.seller {
                    return err(Error::NotSeller);
                }
                self.credit(listing.seller, listing.batch, listing.amount);
                self.listings.remove(&id);
                Ok(())
            }
            Op::Buy(buyer, ref l, ref x) => {
                let id = self.listing(l);
                let left = self.listings.get(&id).map_or(0, |l| l.amount);
                let amount = x.resolve(left);
                if amount == 0 {
                    return err(Error::ZeroAmount);
                }
                let Some(listing) = self.listings.get(&id).cloned() else { return err(Error::UnknownListing) };
                if listing.seller == buyer {
                    return err(Error::OwnListing);
                }
                if amount > listing.amount {
                    return err(Error::InsufficientListed);
                }
                self.active(listing.batch)?;
                let price = amount * listing.price;
                if self.ect_paused {
                    return Err(pallet_ect::Error::<Test>::TokenPaused.into());
                }
                if self.ect[&buyer] < price {
                    return err(Error::InsufficientFunds);
                }
                *self.ect.get_mut(&buyer).expect("model account") -= price;
                *self.ect.get_mut(&listing.seller).expect("model account") += price;
                self.credit(buyer, listing.batch, amount);
                if amount == listing.amount {
                    self.listings.remove(&id);
                } else {
                    self.listings.get_mut(&id).expect("open").amount -= amount;
                }
                Ok(())
            }
            Op::PauseEct => {
                self.ect_paused = !self.ect_paused;
                Ok(())
            }
            Op::Wait(ms) => {
                self.now += ms;
                Ok(())
            }
            Op::WaitForExpiry(..) => {
                self.now += self.wait_ms(op);
                Ok(())
            }
        }
    }

    /// How long `Op::WaitForExpiry` waits: up to the batch's expiry plus the offset (never back).
    fn wait_ms(&self, op: &Op) -> Moment {
        let Op::WaitForExpiry(k, offset) = *op else { return 0 };
        if self.batches.is_empty() {
            return 0;
        }
        let expiry = self.batches.values().nth(k % self.batches.len()).expect("index within length").expiry;
        expiry.saturating_add_signed(offset).saturating_sub(self.now)
    }

    fn dates(&self, issue_offset: i64, valid_hours: u64) -> (Moment, Moment) {
        (self.now.saturating_add_signed(issue_offset), self.now + valid_hours * HOUR_MS)
    }

    fn holding(&self, h: &HoldingSel) -> (u64, BatchId) {
        match *h {
            HoldingSel::Nth(n) if !self.holdings.is_empty() => {
                *self.holdings.keys().nth(n % self.holdings.len()).expect("index within length")
            }
            HoldingSel::Nth(_) => (ALICE, 0),
            HoldingSel::Raw(who, batch) => (who, batch),
        }
    }

    fn listing(&self, l: &ListingSel) -> ListingId {
        match *l {
            ListingSel::Nth(n) if !self.listings.is_empty() => {
                *self.listings.keys().nth(n % self.listings.len()).expect("index within length")
            }
            ListingSel::Nth(_) => 0,
            ListingSel::Raw(id) => id,
        }
    }
}

/// A holding: the n-th (account, batch) with credits, or any pair.
#[derive(Debug, Clone)]
enum HoldingSel {
    Nth(usize),
    Raw(u64, BatchId),
}

/// A listing: the n-th open one, or any id.
#[derive(Debug, Clone)]
enum ListingSel {
    Nth(usize),
    Raw(ListingId),
}

/// An amount: fixed, or a share of what is there (`1 + x % available`, or
/// exactly all of it, or one more).
#[derive(Debug, Clone)]
enum Amount {
    Fixed(u128),
    Part(u128),
    All,
    AllPlusOne,
}

impl Amount {
    fn resolve(&self, available: u128) -> u128 {
        match *self {
            Amount::Fixed(x) => x,
            Amount::Part(x) if available > 0 => 1 + x % available,
            Amount::Part(_) => 1,
            Amount::All => available,
            Amount::AllPlusOne => available + 1,
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Issue {
        verifier: bool,
        to: u64,
        amount: u128,
        vid: Vec<u8>,
        issue_offset: i64,
        valid_hours: u64,
    },
    Transfer(HoldingSel, u64, Amount),
    Retire(HoldingSel, Amount),
    List(HoldingSel, Amount, u128),
    /// `None`: the listing's seller cancels.
    Cancel(Option<u64>, ListingSel),
    Buy(u64, ListingSel, Amount),
    /// Toggle ECT's pause flag (admin).
    PauseEct,
    Wait(Moment),
    /// Wait until the k-th batch's expiry, plus -1, 0 or 1 ms.
    WaitForExpiry(usize, i64),
}

fn account() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 1u64..=3, 1 => Just(4u64), 1 => Just(VERIFIER)]
}

fn amount() -> impl Strategy<Value = Amount> {
    prop_oneof![
        3 => prop_oneof![6 => 0u128..=20, 2 => 0u128..=200, 1 => Just(u128::MAX)].prop_map(Amount::Fixed),
        4 => any::<u128>().prop_map(Amount::Part),
        1 => Just(Amount::All),
        1 => Just(Amount::AllPlusOne),
    ]
}

fn price() -> impl Strategy<Value = u128> {
    prop_oneof![1 => Just(0u128), 4 => 1u128..=10, 4 => (1u128..=20).prop_map(|x| x * ECT), 1 => Just(u128::MAX)]
}

fn holding() -> impl Strategy<Value = HoldingSel> {
    prop_oneof![
        6 => any::<usize>().prop_map(HoldingSel::Nth),
        1 => (account(), 0u32..=6).prop_map(|(a, b)| HoldingSel::Raw(a, b)),
    ]
}

fn listing() -> impl Strategy<Value = ListingSel> {
    prop_oneof![6 => any::<usize>().prop_map(ListingSel::Nth), 1 => (0u32..=6).prop_map(ListingSel::Raw)]
}

fn op() -> impl Strategy<Value = Op> {
    let vid = prop_oneof![9 => (0u8..10).prop_map(|i| vec![b'0' + i]), 1 => Just(vec![])];
    let issue_offset = prop_oneof![4 => Just(0i64), 1 => Just(-(HOUR_MS as i64)), 1 => Just(2 * HOUR_MS as i64)];
    let verifier = prop_oneof![9 => Just(true), 1 => Just(false)];
    let issued = prop_oneof![Just(0u128), 1u128..=200];
    let issue = (verifier, account(), issued, vid, issue_offset, 0u64..=72).prop_map(
        |(verifier, to, amount, vid, issue_offset, valid_hours)| Op::Issue {
            verifier,
            to,
            amount,
            vid,
            issue_offset,
            valid_hours,
        },
    );
    let canceller = prop_oneof![4 => Just(None), 1 => account().prop_map(Some)];
    prop_oneof![
        4 => issue,
        4 => (holding(), account(), amount()).prop_map(|(h, to, x)| Op::Transfer(h, to, x)),
        3 => (holding(), amount()).prop_map(|(h, x)| Op::Retire(h, x)),
        4 => (holding(), amount(), price()).prop_map(|(h, x, p)| Op::List(h, x, p)),
        2 => (canceller, listing()).prop_map(|(a, l)| Op::Cancel(a, l)),
        5 => (account(), listing(), amount()).prop_map(|(b, l, x)| Op::Buy(b, l, x)),
        1 => Just(Op::PauseEct),
        2 => (0u64..=DAY_MS).prop_map(Op::Wait),
        1 => (any::<usize>(), -1i64..=1).prop_map(|(k, d)| Op::WaitForExpiry(k, d)),
    ]
}

fn run(model: &Model, op: &Op) -> Outcome {
    let signed = RuntimeOrigin::signed;
    match *op {
        Op::Issue { verifier, to, amount, ref vid, issue_offset, valid_hours } => {
            let (issue_date, expiry) = model.dates(issue_offset, valid_hours);
            let caller = if verifier { VERIFIER } else { ALICE };
            let vid = vid.clone().try_into().expect("short ids");
            Ccr::issue(signed(caller), to, amount, vid, issue_date, expiry)
        }
        Op::Transfer(ref h, to, ref x) => {
            let (who, batch) = model.holding(h);
            Ccr::transfer(signed(who), to, batch, x.resolve(crate::Holdings::<Test>::get(who, batch)))
        }
        Op::Retire(ref h, ref x) => {
            let (who, batch) = model.holding(h);
            Ccr::retire(signed(who), batch, x.resolve(crate::Holdings::<Test>::get(who, batch)), beneficiary(b"p"))
        }
        Op::List(ref h, ref x, price) => {
            let (who, batch) = model.holding(h);
            Ccr::list(signed(who), batch, x.resolve(crate::Holdings::<Test>::get(who, batch)), price)
        }
        Op::Cancel(who, ref l) => {
            let id = model.listing(l);
            let seller = crate::Listings::<Test>::get(id).map_or(ALICE, |l| l.seller);
            Ccr::cancel(signed(who.unwrap_or(seller)), id)
        }
        Op::Buy(buyer, ref l, ref x) => {
            let id = model.listing(l);
            let left = crate::Listings::<Test>::get(id).map_or(0, |l| l.amount);
            Ccr::buy(signed(buyer), id, x.resolve(left))
        }
        Op::PauseEct => {
            if pallet_ect::Paused::<Test>::get() {
                Ect::unpause(RuntimeOrigin::root())
            } else {
                Ect::pause(RuntimeOrigin::root())
            }
        }
        Op::Wait(ms) => {
            advance_ms(ms);
            Ok(())
        }
        Op::WaitForExpiry(..) => {
            advance_ms(model.wait_ms(op));
            Ok(())
        }
    }
}

fn assert_matches(model: &Model, step: usize, op: &Op) {
    let ctx = |what: &str| format!("step {step} {op:?}: {what}");
    assert_eq!(Ccr::now_ms(), model.now, "{}", ctx("clock"));
    let expired = |batch: BatchId| model.now >= model.batches[&batch].expiry;
    let mut holders = 0;
    for who in ACCOUNTS {
        assert_eq!(Balances::free_balance(who), model.ect[&who], "{}", ctx(&format!("ECT of {who}")));
        let balance = Ccr::balance(&who);
        let rows: Vec<(BatchId, u128, bool)> = balance.batches.iter().map(|b| (b.batch, b.amount, b.expired)).collect();
        let expected: Vec<(BatchId, u128, bool)> = model
            .holdings
            .iter()
            .filter(|((owner, _), _)| *owner == who)
            .map(|((_, batch), amount)| (*batch, *amount, expired(*batch)))
            .collect();
        assert_eq!(rows, expected, "{}", ctx(&format!("credits of {who}")));
        holders += u64::from(!expected.is_empty());
        let total: u128 = expected.iter().map(|r| r.1).sum();
        let total_expired: u128 = expected.iter().filter(|r| r.2).map(|r| r.1).sum();
        let listed: u128 = model.listings.values().filter(|l| l.seller == who).map(|l| l.amount).sum();
        assert_eq!(
            (balance.total, balance.total_active, balance.total_expired, balance.listed),
            (total, total - total_expired, total_expired, listed),
            "{}",
            ctx(&format!("credit totals of {who}"))
        );
        let retirements: Vec<(RetirementId, RetirementM)> = Ccr::retirements(&who)
            .into_iter()
            .map(|r| {
                let m = RetirementM {
                    batch: r.batch,
                    account: r.account,
                    amount: r.amount,
                    beneficiary: r.beneficiary,
                    at: r.at,
                };
                (r.id, m)
            })
            .collect();
        let expected: Vec<(RetirementId, RetirementM)> =
            model.retirements.iter().filter(|(_, r)| r.account == who).map(|(id, r)| (*id, r.clone())).collect();
        assert_eq!(retirements, expected, "{}", ctx(&format!("retirements of {who}")));
    }
    let market: Vec<_> = Ccr::marketplace()
        .into_iter()
        .map(|l| (l.id, l.seller, l.batch, l.amount, l.price_per_unit, l.expired))
        .collect();
    let expected: Vec<_> =
        model.listings.iter().map(|(id, l)| (*id, l.seller, l.batch, l.amount, l.price, expired(l.batch))).collect();
    assert_eq!(market, expected, "{}", ctx("marketplace"));
    for (id, b) in &model.batches {
        let view = Ccr::batch(*id).expect("issued batches stay");
        assert_eq!(
            (view.verification_id, view.issue_date, view.expiry_date, view.issued, view.retired, view.expired),
            (b.vid.clone(), b.issue_date, b.expiry, b.issued, b.retired, expired(*id)),
            "{}",
            ctx(&format!("batch {id}"))
        );
    }
    assert!(Ccr::batch(model.batches.len() as BatchId + 1).is_none(), "{}", ctx("no extra batch"));
    let stats = Ccr::stats();
    assert_eq!(
        (stats.batches, stats.total_issued, stats.total_retired, stats.retirements, stats.open_listings),
        (
            model.batches.len() as BatchId,
            model.batches.values().map(|b| b.issued).sum(),
            model.batches.values().map(|b| b.retired).sum(),
            model.retirements.len() as RetirementId,
            model.listings.len() as u32,
        ),
        "{}",
        ctx("stats")
    );
    assert_eq!(Balances::total_issuance(), 2_010 * ECT, "{}", ctx("CCR never creates or destroys ECT"));
    assert_eq!(Ccr::holders(), holders, "{}", ctx("holders"));
    assert_eq!(Ccr::transactions(), model.transactions, "{}", ctx("transactions"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// Random mixes of issue, transfer, retire, list, cancel and buy (partial
    /// fills, expired credits, ECT paused, every error) and time leave the
    /// pallet exactly where the model is.
    #[test]
    fn ccr_matches_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        ExtBuilder::default().build_and_execute(|| {
            let mut model = Model::new();
            for (step, op) in ops.iter().enumerate() {
                let actual = run(&model, op);
                let expected = model.apply(op);
                assert_eq!(actual, expected, "step {step}: {op:?}");
                check_invariants();
                assert_matches(&model, step + 1, op);
            }
        });
    }
}
