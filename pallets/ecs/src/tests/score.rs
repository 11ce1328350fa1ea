//! award, set_score, levels reached, badges and the monthly score.

use crate::{mock::*, Error, Event, Scores, PERIOD_SECS};
use ecochain_primitives::SECONDS_PER_DAY;
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

fn award(user: u64, points: u32) {
    assert_ok!(Ecs::award(oracle(), user, points, text("recycling")));
}

#[test]
fn award_adds_points() {
    ExtBuilder::default().build_and_execute(|| {
        award(ALICE, 50);
        assert_eq!(Ecs::score(&ALICE), 50);
        assert_eq!(
            ecs_events(),
            vec![
                Event::Awarded { user: ALICE, points: 50, reason: text("recycling") },
                Event::ScoreUpdated { user: ALICE, score: 50, level: 0 },
            ]
        );
        award(ALICE, 25);
        assert_eq!(Ecs::score(&ALICE), 75);
        assert_eq!(last_event(), Event::ScoreUpdated { user: ALICE, score: 75, level: 0 }.into());
        assert_eq!(Ecs::badges(&ALICE), vec![0]);
    });
}

#[test]
fn award_reaching_a_level_emits_level_up() {
    ExtBuilder::default().build_and_execute(|| {
        award(ALICE, 99);
        award(ALICE, 1);
        let events = ecs_events();
        assert_eq!(
            events[events.len() - 3..],
            [
                Event::Awarded { user: ALICE, points: 1, reason: text("recycling") },
                Event::LevelUp { user: ALICE, level: 1 },
                Event::ScoreUpdated { user: ALICE, score: 100, level: 1 },
            ]
        );
        assert_eq!(Ecs::profile(&ALICE).level, 1);
        assert_eq!(Ecs::balance_of(&ALICE, 1), 1);
        assert_eq!(Ecs::balance_of(&ALICE, 2), 0);
    });
}

#[test]
fn a_jump_over_several_levels_holds_every_badge_below() {
    ExtBuilder::default().build_and_execute(|| {
        award(ALICE, 5_000);
        let levelups: Vec<_> = ecs_events().into_iter().filter(|e| matches!(e, Event::LevelUp { .. })).collect();
        assert_eq!(levelups, vec![Event::LevelUp { user: ALICE, level: 4 }]);
        assert_eq!(Ecs::badges(&ALICE), vec![0, 1, 2, 3, 4]);
        for level in 0..=4 {
            assert_eq!(Ecs::balance_of(&ALICE, level), 1);
        }
        assert_eq!(Ecs::balance_of(&ALICE, 5), 0);
    });
}

#[test]
fn spec_thresholds() {
    ExtBuilder::default().build_and_execute(|| {
        let cases =
            [(0, 0), (99, 0), (100, 1), (499, 1), (500, 2), (999, 2), (1_000, 3), (4_999, 3), (5_000, 4), (10_000, 4)];
        for (user, (score, level)) in (100u64..).zip(cases) {
            assert_eq!(Ecs::level_for_score(score), level);
            assert_ok!(Ecs::set_score(oracle(), user, score));
            assert_eq!(last_event(), Event::ScoreUpdated { user, score, level }.into());
            let profile = Ecs::profile(&user);
            assert_eq!((profile.score, profile.level), (score, level));
        }
        let names: Vec<Vec<u8>> = (0..=4).map(|l| Ecs::level(l).expect("level").name).collect();
        assert_eq!(
            names,
            vec![b"Seed".to_vec(), b"Sprout".to_vec(), b"Tree".to_vec(), b"Forest".to_vec(), b"Ecosystem".to_vec()]
        );
    });
}

#[test]
fn award_saturates_at_max_score() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ecs::set_score(oracle(), ALICE, 9_990));
        award(ALICE, 100);
        assert_eq!(Ecs::score(&ALICE), 10_000);
        assert!(ecs_events().contains(&Event::Awarded { user: ALICE, points: 10, reason: text("recycling") }));
        award(ALICE, u32::MAX);
        assert_eq!(Ecs::score(&ALICE), 10_000);
        assert_eq!(Ecs::profile(&ALICE).monthly_score, 10);
    });
}

#[test]
fn max_score_comes_from_genesis() {
    ExtBuilder::default().max_score(6_000).build_and_execute(|| {
        award(ALICE, 7_000);
        assert_eq!(Ecs::score(&ALICE), 6_000);
        assert_noop!(Ecs::set_score(oracle(), ALICE, 6_001), Error::<Test>::ScoreAboveMax);
    });
}

#[test]
fn set_score_above_max_is_refused() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Ecs::set_score(oracle(), ALICE, 10_001), Error::<Test>::ScoreAboveMax);
        assert_ok!(Ecs::set_score(oracle(), ALICE, 10_000));
        assert_eq!(Ecs::profile(&ALICE).level, 4);
    });
}

#[test]
fn a_lower_score_keeps_the_level_reached() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ecs::set_score(oracle(), ALICE, 1_000));
        assert_eq!(last_event(), Event::ScoreUpdated { user: ALICE, score: 1_000, level: 3 }.into());
        System::reset_events();
        assert_ok!(Ecs::set_score(oracle(), ALICE, 50));
        assert_eq!(ecs_events(), vec![Event::ScoreUpdated { user: ALICE, score: 50, level: 3 }]);
        let profile = Ecs::profile(&ALICE);
        assert_eq!((profile.score, profile.level), (50, 3));
        assert_eq!(profile.level_name, b"Forest".to_vec());
        assert_eq!(profile.badges, vec![0, 1, 2, 3]);
        // Climbing back to a level already held emits no LevelUp.
        System::reset_events();
        award(ALICE, 1_000);
        assert!(!ecs_events().iter().any(|e| matches!(e, Event::LevelUp { .. })));
        assert_eq!(Ecs::profile(&ALICE).level, 3);
    });
}

#[test]
fn zero_points_are_refused() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Ecs::award(oracle(), ALICE, 0, text("nothing")), Error::<Test>::ZeroPoints);
    });
}

#[test]
fn only_oracles_score() {
    ExtBuilder::default().build_and_execute(|| {
        let alice = RuntimeOrigin::signed(ALICE);
        assert_noop!(Ecs::award(alice.clone(), ALICE, 10, text("self")), Error::<Test>::NotOracle);
        assert_noop!(Ecs::set_score(alice.clone(), ALICE, 10), Error::<Test>::NotOracle);
        assert_noop!(Ecs::grant_achievement(alice, ALICE, text("Self-made")), Error::<Test>::NotOracle);
        assert_noop!(Ecs::award(RuntimeOrigin::root(), ALICE, 10, text("root")), DispatchError::BadOrigin);
        assert_noop!(Ecs::set_score(RuntimeOrigin::none(), ALICE, 10), DispatchError::BadOrigin);
    });
}

#[test]
fn monthly_score_counts_the_current_period() {
    ExtBuilder::default().build_and_execute(|| {
        award(ALICE, 30);
        advance_secs(10 * SECONDS_PER_DAY);
        award(ALICE, 20);
        assert_eq!(Ecs::profile(&ALICE).monthly_score, 50);
        // set_score is not an award.
        assert_ok!(Ecs::set_score(oracle(), ALICE, 400));
        assert_eq!(Ecs::profile(&ALICE).monthly_score, 50);
        // A new period starts from zero, even before the next award.
        advance_secs(PERIOD_SECS);
        assert_eq!(Ecs::profile(&ALICE).monthly_score, 0);
        assert_eq!(Scores::<Test>::get(ALICE).expect("record").monthly_score, 50);
        award(ALICE, 5);
        let profile = Ecs::profile(&ALICE);
        assert_eq!((profile.score, profile.monthly_score), (405, 5));
        assert_eq!(Scores::<Test>::get(ALICE).expect("record").period, Ecs::current_period());
    });
}

#[test]
fn period_boundary_is_thirty_days_of_unix_time() {
    ExtBuilder::default().build_and_execute(|| {
        // The mock starts at 1,000 s, in period 0.
        assert_eq!(Ecs::current_period(), 0);
        advance_secs(PERIOD_SECS - 1_001);
        award(ALICE, 7);
        assert_eq!(Ecs::current_period(), 0);
        advance_secs(1);
        assert_eq!(Ecs::current_period(), 1);
        assert_eq!(Ecs::profile(&ALICE).monthly_score, 0);
    });
}

#[test]
fn untouched_accounts_hold_nothing() {
    ExtBuilder::default().build_and_execute(|| {
        let profile = Ecs::profile(&BOB);
        assert_eq!(profile.score, 0);
        assert_eq!(profile.level, 0);
        assert_eq!(profile.level_name, b"Seed".to_vec());
        assert!(profile.badges.is_empty() && profile.achievements.is_empty());
        assert_eq!(Ecs::balance_of(&BOB, 0), 0);
        assert!(Ecs::benefits_of(&BOB).is_empty());
    });
}

#[test]
fn profile_reports_everything() {
    ExtBuilder::default().build_and_execute(|| {
        award(ALICE, 600);
        assert_ok!(Ecs::grant_achievement(oracle(), ALICE, text("Tree Planter")));
        let profile = Ecs::profile(&ALICE);
        assert_eq!(
            profile,
            crate::ScoreProfile {
                score: 600,
                level: 2,
                level_name: b"Tree".to_vec(),
                monthly_score: 600,
                achievements: vec![b"Tree Planter".to_vec()],
                badges: vec![0, 1, 2],
            }
        );
    });
}
