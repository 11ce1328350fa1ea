use crate::{mock::*, Error, Event, Tiers};
use ecochain_primitives::{ECT, SECONDS_PER_DAY};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

#[test]
fn set_tier_creates_a_tier() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Est::set_tier(RuntimeOrigin::root(), 4, name("Diamond"), 730, 1_500, 50 * ECT));
        assert_eq!(
            last_event(),
            Event::TierSet { tier: 4, name: name("Diamond"), duration_days: 730, apy_bps: 1_500, min_amount: 50 * ECT }
                .into()
        );
        assert_eq!(Tiers::<Test>::count(), 5);
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), 4, 50 * ECT));
        let p = &Est::positions(&ALICE)[0];
        assert_eq!((p.tier, p.duration, p.apy_bps), (4, 730 * SECONDS_PER_DAY, 1_500));
    });
}

#[test]
fn editing_a_tier_leaves_open_positions_on_their_terms() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        assert_ok!(Est::set_tier(RuntimeOrigin::root(), BRONZE, name("Bronze+"), 60, 1_200, 200 * ECT));
        assert_noop!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 100 * ECT), Error::<Test>::BelowTierMinimum);
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        let positions = Est::positions(&ALICE);
        assert_eq!((positions[0].duration, positions[0].apy_bps), (30 * SECONDS_PER_DAY, 600));
        assert_eq!((positions[1].duration, positions[1].apy_bps), (60 * SECONDS_PER_DAY, 1_200));
        advance_secs(30 * SECONDS_PER_DAY);
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_eq!(
            last_event(),
            Event::Unstaked {
                who: ALICE,
                position: 1,
                principal: 1_000 * ECT,
                reward: 4_931_506_849_315_068_493,
                early: false
            }
            .into()
        );
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 2));
        assert_eq!(
            last_event(),
            Event::Unstaked { who: ALICE, position: 2, principal: 1_000 * ECT, reward: 0, early: true }.into()
        );
        assert_eq!(Tiers::<Test>::count(), 4);
    });
}

#[test]
fn set_tier_errors() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Est::set_tier(RuntimeOrigin::signed(ALICE), 4, name("X"), 30, 100, ECT), DispatchError::BadOrigin);
        assert_noop!(Est::set_tier(RuntimeOrigin::root(), 4, name(""), 30, 100, ECT), Error::<Test>::EmptyTierName);
        assert_noop!(Est::set_tier(RuntimeOrigin::root(), 4, name("X"), 0, 100, ECT), Error::<Test>::ZeroDuration);
        assert_noop!(Est::set_tier(RuntimeOrigin::root(), 4, name("X"), 30, 10_001, ECT), Error::<Test>::ApyTooHigh);
        assert_ok!(Est::set_tier(RuntimeOrigin::root(), 4, name("X"), 30, 10_000, ECT));
        // MaxTiers (5) reached: no new id, but existing ones stay editable.
        assert_noop!(Est::set_tier(RuntimeOrigin::root(), 5, name("Y"), 30, 100, ECT), Error::<Test>::TooManyTiers);
        assert_ok!(Est::set_tier(RuntimeOrigin::root(), 4, name("Z"), 31, 100, ECT));
        assert_eq!(Tiers::<Test>::count(), 5);
    });
}

#[test]
fn remove_tier_keeps_open_positions() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
        assert_noop!(Est::remove_tier(RuntimeOrigin::signed(ALICE), BRONZE), DispatchError::BadOrigin);
        assert_ok!(Est::remove_tier(RuntimeOrigin::root(), BRONZE));
        assert_eq!(last_event(), Event::TierRemoved { tier: BRONZE }.into());
        assert_noop!(Est::remove_tier(RuntimeOrigin::root(), BRONZE), Error::<Test>::TierNotFound);
        assert_noop!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT), Error::<Test>::TierNotFound);
        assert_eq!(Est::tiers().iter().map(|t| t.id).collect::<Vec<_>>(), vec![SILVER, GOLD, PLATINUM]);
        advance_secs(30 * SECONDS_PER_DAY);
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_eq!(Balances::free_balance(ALICE), 20_000 * ECT + 4_931_506_849_315_068_493);
    });
}

#[test]
fn removing_every_tier_closes_staking() {
    ExtBuilder::default().build_and_execute(|| {
        for tier in [BRONZE, SILVER, GOLD, PLATINUM] {
            assert_ok!(Est::remove_tier(RuntimeOrigin::root(), tier));
        }
        assert!(Est::tiers().is_empty());
        assert_noop!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT), Error::<Test>::TierNotFound);
        assert_ok!(Est::set_tier(RuntimeOrigin::root(), BRONZE, name("Bronze"), 30, 600, 100 * ECT));
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), BRONZE, 1_000 * ECT));
    });
}

#[test]
fn shortening_and_raising_a_tier_leaves_open_positions_on_their_terms() {
    ExtBuilder::default().build_and_execute(|| {
        let opened = now_secs();
        assert_ok!(Est::stake(RuntimeOrigin::signed(ALICE), GOLD, 5_000 * ECT));
        // Gold becomes 30 days at 50% while the position is open.
        assert_ok!(Est::set_tier(RuntimeOrigin::root(), GOLD, name("Gold"), 30, 5_000, 100 * ECT));
        let p = Est::position(1).expect("open");
        assert_eq!((p.duration, p.apy_bps, p.start), (180 * SECONDS_PER_DAY, 1_000, opened));
        // 5,000 ECT * 10% * 180 / 365, rounded down (by hand).
        let reward = 246_575_342_465_753_424_657;
        let pending = Est::pending_rewards(&ALICE);
        assert_eq!(pending.at_maturity, reward);
        assert_eq!(pending.positions[0].matures_at, opened + 180 * SECONDS_PER_DAY);
        // The new 30 days do not mature it.
        advance_secs(30 * SECONDS_PER_DAY);
        assert!(!Est::pending_rewards(&ALICE).positions[0].matured);
        advance_secs(150 * SECONDS_PER_DAY);
        assert_ok!(Est::unstake(RuntimeOrigin::signed(ALICE), 1));
        assert_eq!(
            last_event(),
            Event::Unstaked { who: ALICE, position: 1, principal: 5_000 * ECT, reward, early: false }.into()
        );
    });
}
