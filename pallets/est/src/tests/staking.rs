use crate::{mock::*, AccountPositions, Error, Event, HoldReason, Position, PositionReward, Positions};
use ecochain_primitives::{ECT, SECONDS_PER_DAY};
use frame_support::{
    assert_noop, assert_ok,
    traits::fungible::{Inspect, InspectHold},
};
use sp_runtime::DispatchError;

/// 1,000 ECT at Bronze (30 days, 6%): 1000 * 600 * 30 d / (365 d * 10_000), rounded down.
const BRONZE_REWARD_ON_1000: u128 = 4_931_506_849_315_068_493;

fn held(who: u64) -> u128 {
    Balances::balance_on_hold(&RuntimeHoldReason::Est(HoldReason::Staked), &who)
}

#[test]
fn stake_holds_ect_and_credits_est() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        assert_eq!(last_event(), Event::Staked { who: ALICE, position: 1, tier: BRONZE, amount: 1_000 * ECT }.into());
        assert_eq!(Balances::free_balance(ALICE), 19_000 * ECT);
        assert_eq!(Balances::total_balance(&ALICE), 20_000 * ECT);
        assert_eq!(held(ALICE), 1_000 * ECT);
        assert_eq!(Est::est_balance(&ALICE), 1_000 * ECT);
        assert_eq!(Est::total_staked(), 1_000 * ECT);
        assert_eq!(
            Est::positions(&ALICE),
            vec![Position {
                id: 1,
                owner: ALICE,
                tier: BRONZE,
                amount: 1_000 * ECT,
                start: GENESIS_SECS,
                duration: 30 * SECONDS_PER_DAY,
                apy_bps: 600,
                active: true,
            }]
        );
        // ECT's own view: the EST hold is "other held", not ECT simple stake.
        let ect = Ect::balance(&ALICE);
        assert_eq!((ect.staked, ect.other_held), (0, 1_000 * ECT));
    });
}

#[test]
fn staked_ect_cannot_be_transferred() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(BOB), BRONZE, 1_000 * ECT));
        assert_noop!(
            Ect::transfer(RuntimeOrigin::signed(BOB), ALICE, 101 * ECT),
            pallet_ect::Error::<Test>::InsufficientBalance
        );
        assert_ok!(Ect::transfer(RuntimeOrigin::signed(BOB), ALICE, 99 * ECT));
    });
}

#[test]
fn unstake_at_exactly_maturity_pays_the_full_reward() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        advance_secs(30 * SECONDS_PER_DAY);
        let issuance = Balances::total_issuance();
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_eq!(
            last_event(),
            Event::Unstaked {
                who: ALICE,
                position: 1,
                principal: 1_000 * ECT,
                reward: BRONZE_REWARD_ON_1000,
                early: false
            }
            .into()
        );
        assert_eq!(Balances::free_balance(ALICE), 20_000 * ECT + BRONZE_REWARD_ON_1000);
        assert_eq!(Balances::total_issuance(), issuance + BRONZE_REWARD_ON_1000);
        assert_eq!(held(ALICE), 0);
        assert_eq!(Est::est_balance(&ALICE), 0);
        assert_eq!(Est::total_staked(), 0);
        assert!(Est::positions(&ALICE).is_empty());
        assert!(!AccountPositions::<Test>::contains_key(ALICE));
        // The closed position stays readable by id.
        assert!(!Est::position(1).expect("kept").active);
    });
}

#[test]
fn unstake_one_second_early_forfeits_the_reward() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        advance_secs(30 * SECONDS_PER_DAY - 1);
        let issuance = Balances::total_issuance();
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_eq!(
            last_event(),
            Event::Unstaked { who: ALICE, position: 1, principal: 1_000 * ECT, reward: 0, early: true }.into()
        );
        assert_eq!(Balances::free_balance(ALICE), 20_000 * ECT);
        assert_eq!(Balances::total_issuance(), issuance);
        assert_eq!(Est::est_balance(&ALICE), 0);
    });
}

#[test]
fn unstake_immediately_returns_principal() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), PLATINUM, 10_000 * ECT));
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_eq!(Balances::free_balance(ALICE), 20_000 * ECT);
    });
}

#[test]
fn reward_does_not_grow_after_maturity() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        advance_secs(400 * SECONDS_PER_DAY);
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_eq!(Balances::free_balance(ALICE), 20_000 * ECT + BRONZE_REWARD_ON_1000);
    });
}

#[test]
fn each_tier_pays_its_apy_over_its_duration() {
    // (tier, amount, days, reward) from amount * apy * duration / (365 d * 10_000).
    let cases = [
        (SILVER, 1_000 * ECT, 90, 19_726_027_397_260_273_972u128),
        (GOLD, 5_000 * ECT, 180, 246_575_342_465_753_424_657),
        (PLATINUM, 10_000 * ECT, 365, 1_200 * ECT),
    ];
    for (tier, amount, days, reward) in cases {
        ExtBuilder::default().build_and_execute(|| {
            assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), tier, amount));
            advance_secs(days * SECONDS_PER_DAY - 1);
            assert_eq!(Est::pending_rewards(&ALICE).matured, 0);
            advance_secs(1);
            assert_eq!(Est::pending_rewards(&ALICE).matured, reward);
            assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
            assert_eq!(Balances::free_balance(ALICE), 20_000 * ECT + reward);
        });
    }
}

#[test]
fn several_positions_add_up() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        advance_secs(10 * SECONDS_PER_DAY);
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), GOLD, 5_000 * ECT));
        assert_ok!(Est::stake(RuntimeOrigin::signed(BOB), BRONZE, 500 * ECT));
        assert_eq!(last_event(), Event::Staked { who: BOB, position: 3, tier: BRONZE, amount: 500 * ECT }.into());
        assert_eq!(Est::est_balance(&ALICE), 6_000 * ECT);
        assert_eq!(Est::est_balance(&BOB), 500 * ECT);
        assert_eq!(Est::total_staked(), 6_500 * ECT);
        assert_eq!(Est::positions(&ALICE).iter().map(|p| p.id).collect::<Vec<_>>(), vec![1, 2]);

        let pending = Est::pending_rewards(&ALICE);
        assert_eq!(
            pending.positions[0],
            PositionReward {
                position: 1,
                reward: BRONZE_REWARD_ON_1000,
                matures_at: GENESIS_SECS + 30 * SECONDS_PER_DAY,
                matured: false
            }
        );
        assert_eq!(pending.positions[1].matures_at, GENESIS_SECS + 190 * SECONDS_PER_DAY);
        assert_eq!(pending.at_maturity, BRONZE_REWARD_ON_1000 + 246_575_342_465_753_424_657);
        assert_eq!((pending.matured, pending.unpaid), (0, 0));

        advance_secs(20 * SECONDS_PER_DAY);
        assert_eq!(Est::pending_rewards(&ALICE).matured, BRONZE_REWARD_ON_1000);
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_eq!(Est::est_balance(&ALICE), 5_000 * ECT);
        assert_eq!(Est::total_staked(), 5_500 * ECT);
        assert_eq!(Est::positions(&ALICE).iter().map(|p| p.id).collect::<Vec<_>>(), vec![2]);
        assert_eq!(held(ALICE), 5_000 * ECT);
    });
}

#[test]
fn stake_errors() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 0), Error::<Test>::ZeroAmount);
        assert_noop!(Est::stake(RuntimeOrigin::signed(ALICE), 9, 1_000 * ECT), Error::<Test>::TierNotFound);
        assert_noop!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 100 * ECT - 1), Error::<Test>::BelowTierMinimum);
        assert_noop!(Est::stake(RuntimeOrigin::signed(BOB), SILVER, 1_101 * ECT), Error::<Test>::InsufficientBalance);
        assert_noop!(Est::stake(RuntimeOrigin::signed(CHARLIE), BRONZE, 100 * ECT), Error::<Test>::InsufficientBalance);
        assert_noop!(Est::stake(RuntimeOrigin::none(), BRONZE, 100 * ECT), DispatchError::BadOrigin);
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 100 * ECT));
    });
}

#[test]
fn the_existential_deposit_stays_free() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Est::stake(RuntimeOrigin::signed(BOB), SILVER, 1_100 * ECT), Error::<Test>::InsufficientBalance);
        assert_ok!(Est::stake(RuntimeOrigin::signed(BOB), SILVER, 1_100 * ECT - 1));
        assert_eq!(Balances::free_balance(BOB), 1);
    });
}

#[test]
fn positions_per_account_are_bounded() {
    ExtBuilder::default().build_and_execute(|| {
        for _ in 0..MaxPositionsPerAccount::get() {
            assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 100 * ECT));
        }
        assert_noop!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 100 * ECT), Error::<Test>::TooManyPositions);
        // Closing one makes room; closed positions do not count.
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 2));
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 100 * ECT));
        assert_eq!(Est::positions(&ALICE).iter().map(|p| p.id).collect::<Vec<_>>(), vec![1, 3, 4, 5]);
    });
}

#[test]
fn unstake_errors() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Est::unstake(RuntimeOrigin::signed(ALICE), 1), Error::<Test>::PositionNotFound);
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        assert_noop!(Est::unstake(RuntimeOrigin::signed(BOB), 1), Error::<Test>::NotPositionOwner);
        assert_noop!(Est::unstake(RuntimeOrigin::none(), 1), DispatchError::BadOrigin);
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_noop!(Est::unstake(RuntimeOrigin::signed(ALICE), 1), Error::<Test>::PositionClosed);
        assert!(Positions::<Test>::contains_key(1));
    });
}

#[test]
fn nothing_moves_while_ect_is_paused() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        assert_ok!(Ect::pause(RuntimeOrigin::root()));
        assert_noop!(
            Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT),
            pallet_ect::Error::<Test>::TokenPaused
        );
        advance_secs(30 * SECONDS_PER_DAY);
        assert_noop!(Est::unstake(RuntimeOrigin::signed(ALICE), 1), pallet_ect::Error::<Test>::TokenPaused);
        assert_ok!(Ect::unpause(RuntimeOrigin::root()));
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_eq!(Balances::free_balance(ALICE), 20_000 * ECT + BRONZE_REWARD_ON_1000);
    });
}

#[test]
fn position_ids_are_never_reused() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 100 * ECT));
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 100 * ECT));
        assert_eq!(Est::positions(&ALICE)[0].id, 2);
        assert_eq!(now_secs(), GENESIS_SECS);
    });
}

#[test]
fn try_state_catches_a_broken_balance() {
    ExtBuilder::default().build().execute_with(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        assert_ok!(Est::do_try_state());
        crate::EstBalances::<Test>::insert(ALICE, 999 * ECT);
        assert!(Est::do_try_state().is_err());
        crate::EstBalances::<Test>::insert(ALICE, 1_000 * ECT);
        crate::TotalStaked::<Test>::put(1);
        assert!(Est::do_try_state().is_err());
    });
}

#[test]
fn holders_and_transactions_are_counted() {
    ExtBuilder::default().build_and_execute(|| {
        assert_eq!((Est::holders(), Est::transactions()), (0, 0));
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 100 * ECT));
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 100 * ECT));
        assert_ok!(Est::stake(RuntimeOrigin::signed(BOB), BRONZE, 100 * ECT));
        assert_eq!((Est::holders(), Est::transactions()), (2, 3));
        assert_noop!(Est::stake(RuntimeOrigin::signed(BOB), BRONZE, ECT), Error::<Test>::BelowTierMinimum);
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_eq!(Est::holders(), 2, "Alice keeps one position");
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 2));
        assert_eq!((Est::holders(), Est::transactions()), (1, 5));
    });
}
