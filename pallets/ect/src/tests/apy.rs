//! The APY in force over each interval prices that interval, whenever the
//! reward is settled (the reward index).

use crate::{mock::*, Event};
use ecochain_primitives::{ECT, SECONDS_PER_YEAR};
use frame_support::assert_ok;

const HALF_YEAR: u64 = SECONDS_PER_YEAR / 2;
const QUARTER: u64 = SECONDS_PER_YEAR / 4;

#[test]
fn apy_change_prices_only_the_time_after_it() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::stake(RuntimeOrigin::signed(ALICE), 1_000 * ECT));
        advance_secs(HALF_YEAR);
        assert_ok!(Ect::set_apy(RuntimeOrigin::root(), 10_000));
        advance_secs(HALF_YEAR);
        // Half a year at 5% (25 ECT), then half a year at 100% (500 ECT).
        assert_eq!(Ect::pending_rewards(&ALICE), 525 * ECT);
        assert_ok!(Ect::claim_rewards(RuntimeOrigin::signed(ALICE)));
        assert_eq!(last_event(), Event::RewardsClaimed { who: ALICE, amount: 525 * ECT }.into());
    });
}

#[test]
fn raising_the_apy_just_before_a_claim_does_not_reprice_the_past() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::stake(RuntimeOrigin::signed(ALICE), 1_000 * ECT));
        advance_secs(SECONDS_PER_YEAR);
        assert_ok!(Ect::set_apy(RuntimeOrigin::root(), 10_000));
        // Same block: the year was at 5%.
        assert_eq!(Ect::pending_rewards(&ALICE), 50 * ECT);
        assert_ok!(Ect::claim_rewards(RuntimeOrigin::signed(ALICE)));
        assert_eq!(Balances::free_balance(ALICE), 150 * ECT);
    });
}

#[test]
fn lowering_the_apy_keeps_what_accrued_at_the_higher_rate() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::stake(RuntimeOrigin::signed(ALICE), 1_000 * ECT));
        advance_secs(HALF_YEAR);
        assert_ok!(Ect::set_apy(RuntimeOrigin::root(), 0));
        advance_secs(SECONDS_PER_YEAR);
        assert_eq!(Ect::pending_rewards(&ALICE), 25 * ECT);
    });
}

/// A model of piecewise accrual: the APY changes at the given times (seconds
/// from the start); a stake of `amount` held from `from` to `to` earns
/// `amount * sum(apy * seconds) / (365 days * 10_000)`.
fn model_reward(amount: u128, from: u64, to: u64, changes: &[(u64, u32)]) -> u128 {
    let mut bps_seconds: u128 = 0;
    for (i, &(start, apy)) in changes.iter().enumerate() {
        let end = changes.get(i + 1).map_or(u64::MAX, |c| c.0);
        let (lo, hi) = (start.max(from), end.min(to));
        if hi > lo {
            bps_seconds += u128::from(apy) * u128::from(hi - lo);
        }
    }
    amount * bps_seconds / (u128::from(SECONDS_PER_YEAR) * 10_000)
}

#[test]
fn stakers_joining_between_changes_match_the_model() {
    ExtBuilder::default().build_and_execute(|| {
        let changes = [(0, 500), (2 * QUARTER, 1_000), (3 * QUARTER, 0), (4 * QUARTER, 2_000)];
        assert_ok!(Ect::stake(RuntimeOrigin::signed(ALICE), 1_000 * ECT));
        advance_secs(QUARTER);
        assert_ok!(Ect::stake(RuntimeOrigin::signed(BOB), 40 * ECT));
        advance_secs(QUARTER);
        assert_ok!(Ect::set_apy(RuntimeOrigin::root(), 1_000));
        advance_secs(QUARTER);
        assert_ok!(Ect::set_apy(RuntimeOrigin::root(), 0));
        advance_secs(QUARTER);
        assert_ok!(Ect::set_apy(RuntimeOrigin::root(), 2_000));
        advance_secs(QUARTER);
        let end = 5 * QUARTER;
        let alice = model_reward(1_000 * ECT, 0, end, &changes);
        let bob = model_reward(40 * ECT, QUARTER, end, &changes);
        // By hand: Alice 12.5 + 12.5 + 25 + 0 + 50 = 100 ECT; Bob 0.5 + 1 + 0 + 2 = 3.5 ECT.
        assert_eq!((alice, bob), (100 * ECT, 3 * ECT + ECT / 2));
        assert_eq!(Ect::pending_rewards(&ALICE), alice);
        assert_eq!(Ect::pending_rewards(&BOB), bob);
        assert_ok!(Ect::claim_rewards(RuntimeOrigin::signed(BOB)));
        assert_eq!(Balances::free_balance(BOB), 60 * ECT + bob);
    });
}
