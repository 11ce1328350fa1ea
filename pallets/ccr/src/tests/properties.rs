//! Property test: random sequences of CCR calls (and time passing, and ECT
//! pauses) keep every batch's supply accounted for:
//! `issued == held + listed + retired`, checked by `do_try_state` after every step.
//!
//! Most operations pick an existing holding or listing (by index into storage)
//! so that calls succeed often; the `Raw*` operations use arbitrary ids and
//! amounts to exercise the error paths.

use crate::{mock::*, Holdings, Listings};
use ecochain_primitives::ECT;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    /// Issue to an account, with an id from a small set (so reuse happens) and a validity in hours.
    Issue(u64, u128, u8, u64),
    /// Transfer part of the n-th holding to an account.
    Transfer(usize, u64, u128),
    /// Retire part of the n-th holding.
    Retire(usize, u128),
    /// List part of the n-th holding at a price.
    List(usize, u128, u128),
    /// The n-th listing's seller cancels it.
    Cancel(usize),
    /// An account buys part of the n-th listing.
    Buy(usize, u64, u128),
    RawTransfer(u64, u64, u32, u128),
    RawRetire(u64, u32, u128),
    RawList(u64, u32, u128, u128),
    RawCancel(u64, u32),
    RawBuy(u64, u32, u128),
    Wait(u64),
    /// A buy attempted while ECT is paused (then ECT is unpaused again).
    BuyWhilePaused(usize, u64, u128),
}

fn account() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 1u64..=3, 1 => Just(4u64), 1 => Just(VERIFIER)]
}

fn amount() -> impl Strategy<Value = u128> {
    prop_oneof![6 => 0u128..=20, 2 => 0u128..=200, 1 => Just(u128::MAX)]
}

fn price() -> impl Strategy<Value = u128> {
    prop_oneof![1 => Just(0u128), 4 => 1u128..=10, 4 => (1u128..=20).prop_map(|x| x * ECT), 1 => Just(u128::MAX)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (account(), 0u128..=200, 0u8..10, 0u64..=72).prop_map(|(a, x, id, h)| Op::Issue(a, x, id, h)),
        4 => (any::<usize>(), account(), amount()).prop_map(|(i, b, x)| Op::Transfer(i, b, x)),
        3 => (any::<usize>(), amount()).prop_map(|(i, x)| Op::Retire(i, x)),
        4 => (any::<usize>(), amount(), price()).prop_map(|(i, x, p)| Op::List(i, x, p)),
        2 => any::<usize>().prop_map(Op::Cancel),
        5 => (any::<usize>(), account(), amount()).prop_map(|(i, b, x)| Op::Buy(i, b, x)),
        1 => (account(), account(), 0u32..=6, amount()).prop_map(|(a, b, n, x)| Op::RawTransfer(a, b, n, x)),
        1 => (account(), 0u32..=6, amount()).prop_map(|(a, n, x)| Op::RawRetire(a, n, x)),
        1 => (account(), 0u32..=6, amount(), price()).prop_map(|(a, n, x, p)| Op::RawList(a, n, x, p)),
        1 => (account(), 0u32..=6).prop_map(|(a, l)| Op::RawCancel(a, l)),
        1 => (account(), 0u32..=6, amount()).prop_map(|(a, l, x)| Op::RawBuy(a, l, x)),
        2 => (0u64..=DAY_MS / 2).prop_map(Op::Wait),
        1 => (any::<usize>(), account(), amount()).prop_map(|(i, b, x)| Op::BuyWhilePaused(i, b, x)),
    ]
}

/// The n-th (account, batch) holding, if any.
fn holding(n: usize) -> Option<(u64, u32)> {
    let all: Vec<(u64, u32)> = Holdings::<Test>::iter().map(|(who, batch, _)| (who, batch)).collect();
    (!all.is_empty()).then(|| all[n % all.len()])
}

/// The n-th open listing's (id, seller, amount left), if any.
fn listing(n: usize) -> Option<(u32, u64, u128)> {
    let all: Vec<(u32, u64, u128)> = Listings::<Test>::iter().map(|(id, l)| (id, l.seller, l.amount)).collect();
    (!all.is_empty()).then(|| all[n % all.len()])
}

/// Mostly an amount the listing can fill; sometimes more (or zero).
fn fill(x: u128, left: u128) -> u128 {
    if x <= left || x == u128::MAX {
        x
    } else {
        1 + x % left
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn every_credit_is_accounted_for(ops in proptest::collection::vec(op(), 1..80)) {
        ExtBuilder::default().build_and_execute(|| {
            let ect_issuance = Balances::total_issuance();
            for op in ops {
                // Errors are expected; only the invariants matter.
                let _ = match op {
                    Op::Issue(to, x, id, hours) => {
                        let now = Ccr::now_ms();
                        let id = [b'0' + id];
                        Ccr::issue(RuntimeOrigin::signed(VERIFIER), to, x, vid(&id), now, now + hours * 3_600_000)
                    }
                    Op::Transfer(n, to, x) => match holding(n) {
                        Some((who, batch)) => Ccr::transfer(RuntimeOrigin::signed(who), to, batch, x),
                        None => Ok(()),
                    },
                    Op::Retire(n, x) => match holding(n) {
                        Some((who, batch)) => Ccr::retire(RuntimeOrigin::signed(who), batch, x, beneficiary(b"p")),
                        None => Ok(()),
                    },
                    Op::List(n, x, p) => match holding(n) {
                        Some((who, batch)) => Ccr::list(RuntimeOrigin::signed(who), batch, x, p),
                        None => Ok(()),
                    },
                    Op::Cancel(n) => match listing(n) {
                        Some((id, seller, _)) => Ccr::cancel(RuntimeOrigin::signed(seller), id),
                        None => Ok(()),
                    },
                    Op::Buy(n, buyer, x) => match listing(n) {
                        Some((id, _, left)) => Ccr::buy(RuntimeOrigin::signed(buyer), id, fill(x, left)),
                        None => Ok(()),
                    },
                    Op::RawTransfer(a, b, batch, x) => Ccr::transfer(RuntimeOrigin::signed(a), b, batch, x),
                    Op::RawRetire(a, batch, x) => Ccr::retire(RuntimeOrigin::signed(a), batch, x, beneficiary(b"r")),
                    Op::RawList(a, batch, x, p) => Ccr::list(RuntimeOrigin::signed(a), batch, x, p),
                    Op::RawCancel(a, l) => Ccr::cancel(RuntimeOrigin::signed(a), l),
                    Op::RawBuy(a, l, x) => Ccr::buy(RuntimeOrigin::signed(a), l, x),
                    Op::Wait(ms) => {
                        advance_ms(ms);
                        Ok(())
                    }
                    Op::BuyWhilePaused(n, buyer, x) => match listing(n) {
                        Some((id, _, left)) => {
                            assert!(Ect::pause(RuntimeOrigin::root()).is_ok());
                            let result = Ccr::buy(RuntimeOrigin::signed(buyer), id, fill(x, left));
                            assert!(result.is_err(), "nothing is bought while ECT is paused");
                            assert!(Ect::unpause(RuntimeOrigin::root()).is_ok());
                            result
                        }
                        None => Ok(()),
                    },
                };
                check_invariants();
                // CCR moves ECT, never creates or destroys it.
                assert_eq!(Balances::total_issuance(), ect_issuance);
                let stats = Ccr::stats();
                assert!(stats.total_retired <= stats.total_issued);
                assert!(stats.open_listings <= MaxListings::get());
            }
        });
    }
}
