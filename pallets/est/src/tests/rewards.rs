//! Rewards at ECT's max supply: the principal always comes back.

use crate::{mock::*, Error, Event, UnpaidRewards};
use ecochain_primitives::{ECT, SECONDS_PER_DAY};
use frame_support::{assert_noop, assert_ok};

const REWARD: u128 = 4_931_506_849_315_068_493;

/// Max supply equal to the genesis issuance: no room to mint anything.
fn at_cap() -> ExtBuilder {
    ExtBuilder::default().max_supply(21_100 * ECT)
}

#[test]
fn reward_past_max_supply_is_deferred_and_principal_returned() {
    at_cap().build_and_execute(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        advance_secs(30 * SECONDS_PER_DAY);
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_eq!(last_event(), Event::RewardDeferred { who: ALICE, position: 1, amount: REWARD }.into());
        System::assert_has_event(
            Event::Unstaked { who: ALICE, position: 1, principal: 1_000 * ECT, reward: 0, early: false }.into(),
        );
        assert_eq!(Balances::free_balance(ALICE), 20_000 * ECT);
        assert_eq!(Balances::total_issuance(), 21_100 * ECT);
        assert_eq!(Est::est_balance(&ALICE), 0);
        assert_eq!(UnpaidRewards::<Test>::get(ALICE), REWARD);
        assert_eq!(Est::pending_rewards(&ALICE).unpaid, REWARD);

        // Still no room: the claim fails whole.
        assert_noop!(Est::claim_rewards(RuntimeOrigin::signed(ALICE)), pallet_ect::Error::<Test>::MaxSupplyExceeded);

        // Burning makes room; the claim mints the whole reward.
        assert_ok!(Ect::burn(RuntimeOrigin::signed(BOB), 10 * ECT));
        assert_ok!(Ect::pause(RuntimeOrigin::root()));
        assert_noop!(Est::claim_rewards(RuntimeOrigin::signed(ALICE)), pallet_ect::Error::<Test>::TokenPaused);
        assert_ok!(Ect::unpause(RuntimeOrigin::root()));
        assert_ok!(Est::claim_rewards(RuntimeOrigin::signed(ALICE)));
        assert_eq!(last_event(), Event::RewardsClaimed { who: ALICE, amount: REWARD }.into());
        assert_eq!(Balances::free_balance(ALICE), 20_000 * ECT + REWARD);
        assert!(!UnpaidRewards::<Test>::contains_key(ALICE));
        assert_noop!(Est::claim_rewards(RuntimeOrigin::signed(ALICE)), Error::<Test>::NoUnpaidRewards);
    });
}

#[test]
fn deferred_rewards_accumulate() {
    at_cap().build_and_execute(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        advance_secs(30 * SECONDS_PER_DAY);
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 2));
        assert_eq!(UnpaidRewards::<Test>::get(ALICE), 2 * REWARD);
    });
}

#[test]
fn early_unstake_at_max_supply_defers_nothing() {
    at_cap().build_and_execute(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        advance_secs(SECONDS_PER_DAY);
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_eq!(
            last_event(),
            Event::Unstaked { who: ALICE, position: 1, principal: 1_000 * ECT, reward: 0, early: true }.into()
        );
        assert!(!UnpaidRewards::<Test>::contains_key(ALICE));
        assert_eq!(Balances::free_balance(ALICE), 20_000 * ECT);
    });
}

#[test]
fn claim_without_unpaid_rewards_fails() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Est::claim_rewards(RuntimeOrigin::signed(BOB)), Error::<Test>::NoUnpaidRewards);
    });
}

#[test]
fn a_reward_below_the_room_left_is_paid() {
    ExtBuilder::default().max_supply(21_100 * ECT + REWARD).build_and_execute(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        advance_secs(30 * SECONDS_PER_DAY);
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_eq!(Balances::total_issuance(), 21_100 * ECT + REWARD);
        assert!(!UnpaidRewards::<Test>::contains_key(ALICE));
    });
}
