use crate::{mock::*, Error, Event, Stakes, TotalStaked};
use ecochain_primitives::{ECT, SECONDS_PER_YEAR};
use frame_support::{assert_noop, assert_ok};

#[test]
fn five_percent_apy_over_a_year() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::stake(RuntimeOrigin::signed(ALICE), 1_000 * ECT));
        assert_eq!(last_event(), Event::Staked { who: ALICE, amount: 1_000 * ECT }.into());
        assert_eq!(Balances::free_balance(ALICE), 100 * ECT);
        advance_secs(SECONDS_PER_YEAR);
        assert_eq!(Ect::pending_rewards(&ALICE), 50 * ECT);
        assert_ok!(Ect::claim_rewards(RuntimeOrigin::signed(ALICE)));
        assert_eq!(last_event(), Event::RewardsClaimed { who: ALICE, amount: 50 * ECT }.into());
        assert_eq!(Balances::free_balance(ALICE), 150 * ECT);
        assert_eq!(Ect::pending_rewards(&ALICE), 0);
        assert_noop!(Ect::claim_rewards(RuntimeOrigin::signed(ALICE)), Error::<Test>::NoRewards);
    });
}

#[test]
fn reward_accrues_per_second() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::stake(RuntimeOrigin::signed(ALICE), 1_000 * ECT));
        advance_secs(86_400);
        // 1000 ECT * 5% / 365 = 0.136986... ECT per day
        assert_eq!(Ect::pending_rewards(&ALICE), 136_986_301_369_863_013);
    });
}

#[test]
fn adding_stake_settles_accrued_reward() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::stake(RuntimeOrigin::signed(ALICE), 500 * ECT));
        advance_secs(SECONDS_PER_YEAR / 2);
        assert_ok!(Ect::stake(RuntimeOrigin::signed(ALICE), 500 * ECT));
        // Half a year on 500 ECT is kept, then half a year on 1000 ECT.
        advance_secs(SECONDS_PER_YEAR / 2);
        assert_eq!(Ect::pending_rewards(&ALICE), 12_500_000_000_000_000_000 + 25 * ECT);
    });
}

#[test]
fn unstake_returns_principal_and_keeps_rewards() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::stake(RuntimeOrigin::signed(ALICE), 1_000 * ECT));
        advance_secs(SECONDS_PER_YEAR);
        assert_ok!(Ect::unstake(RuntimeOrigin::signed(ALICE), 400 * ECT));
        assert_eq!(last_event(), Event::Unstaked { who: ALICE, amount: 400 * ECT }.into());
        assert_eq!(Balances::free_balance(ALICE), 500 * ECT);
        assert_eq!(TotalStaked::<Test>::get(), 600 * ECT);
        assert_eq!(Ect::balance(&ALICE).staked, 600 * ECT);
        assert_eq!(Ect::pending_rewards(&ALICE), 50 * ECT);
        assert_ok!(Ect::unstake(RuntimeOrigin::signed(ALICE), 600 * ECT));
        assert_ok!(Ect::claim_rewards(RuntimeOrigin::signed(ALICE)));
        assert!(!Stakes::<Test>::contains_key(ALICE));
        assert_eq!(Balances::free_balance(ALICE), 1_150 * ECT);
    });
}

#[test]
fn staking_errors() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Ect::stake(RuntimeOrigin::signed(BOB), 101 * ECT), Error::<Test>::InsufficientBalance);
        assert_noop!(Ect::stake(RuntimeOrigin::signed(BOB), 0), Error::<Test>::ZeroAmount);
        assert_noop!(Ect::unstake(RuntimeOrigin::signed(BOB), ECT), Error::<Test>::InsufficientStake);
        assert_ok!(Ect::stake(RuntimeOrigin::signed(BOB), 10 * ECT));
        assert_noop!(Ect::unstake(RuntimeOrigin::signed(BOB), 11 * ECT), Error::<Test>::InsufficientStake);
        assert_noop!(Ect::unstake(RuntimeOrigin::signed(BOB), 0), Error::<Test>::ZeroAmount);
        assert_noop!(Ect::claim_rewards(RuntimeOrigin::signed(BOB)), Error::<Test>::NoRewards);
        assert_noop!(Ect::claim_rewards(RuntimeOrigin::signed(CHARLIE)), Error::<Test>::NoRewards);
    });
}

#[test]
fn staked_ect_cannot_be_transferred() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::stake(RuntimeOrigin::signed(BOB), 99 * ECT));
        assert_noop!(Ect::transfer(RuntimeOrigin::signed(BOB), ALICE, 2 * ECT), Error::<Test>::InsufficientBalance);
        assert_ok!(Ect::transfer(RuntimeOrigin::signed(BOB), ALICE, ECT / 2));
    });
}

#[test]
fn rewards_stop_at_max_supply() {
    ExtBuilder::default().max_supply(1_210 * ECT).build_and_execute(|| {
        assert_ok!(Ect::stake(RuntimeOrigin::signed(ALICE), 1_000 * ECT));
        advance_secs(SECONDS_PER_YEAR);
        // 50 ECT due, only 10 ECT of room under the cap: nothing minted.
        assert_noop!(Ect::claim_rewards(RuntimeOrigin::signed(ALICE)), Error::<Test>::MaxSupplyExceeded);
        assert_eq!(Ect::pending_rewards(&ALICE), 50 * ECT);
    });
}

#[test]
fn unstake_and_claim_refused_while_paused() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::stake(RuntimeOrigin::signed(ALICE), 1_000 * ECT));
        advance_secs(SECONDS_PER_YEAR);
        assert_ok!(Ect::pause(RuntimeOrigin::root()));
        assert_noop!(Ect::unstake(RuntimeOrigin::signed(ALICE), 100 * ECT), Error::<Test>::TokenPaused);
        assert_noop!(Ect::claim_rewards(RuntimeOrigin::signed(ALICE)), Error::<Test>::TokenPaused);
        assert_eq!(Ect::balance(&ALICE).staked, 1_000 * ECT);
        assert_ok!(Ect::unpause(RuntimeOrigin::root()));
        assert_ok!(Ect::claim_rewards(RuntimeOrigin::signed(ALICE)));
        assert_eq!(Balances::free_balance(ALICE), 150 * ECT);
    });
}
