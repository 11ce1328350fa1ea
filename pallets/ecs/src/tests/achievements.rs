//! grant_achievement.

use crate::{mock::*, Error, Event};
use frame_support::{assert_noop, assert_ok};

#[test]
fn grant_records_the_achievement() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ecs::grant_achievement(oracle(), ALICE, text("First Tree")));
        assert_eq!(last_event(), Event::AchievementGranted { user: ALICE, name: text("First Tree") }.into());
        assert_ok!(Ecs::grant_achievement(oracle(), ALICE, text("Zero Waste Week")));
        let profile = Ecs::profile(&ALICE);
        assert_eq!(profile.achievements, vec![b"First Tree".to_vec(), b"Zero Waste Week".to_vec()]);
        // The account is now in the book: score 0 and the Seed badge.
        assert_eq!(profile.score, 0);
        assert_eq!(Ecs::balance_of(&ALICE, 0), 1);
    });
}

#[test]
fn a_duplicate_achievement_is_refused() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ecs::grant_achievement(oracle(), ALICE, text("First Tree")));
        assert_noop!(
            Ecs::grant_achievement(oracle(), ALICE, text("First Tree")),
            Error::<Test>::AchievementAlreadyGranted
        );
        // Another account may hold the same achievement.
        assert_ok!(Ecs::grant_achievement(oracle(), BOB, text("First Tree")));
    });
}

#[test]
fn achievements_are_bounded() {
    ExtBuilder::default().build_and_execute(|| {
        for name in ["A", "B", "C"] {
            assert_ok!(Ecs::grant_achievement(oracle(), ALICE, text(name)));
        }
        assert_noop!(Ecs::grant_achievement(oracle(), ALICE, text("D")), Error::<Test>::TooManyAchievements);
    });
}

#[test]
fn an_empty_name_is_refused() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Ecs::grant_achievement(oracle(), ALICE, text("")), Error::<Test>::EmptyName);
    });
}

#[test]
fn achievements_survive_score_changes() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ecs::grant_achievement(oracle(), ALICE, text("First Tree")));
        assert_ok!(Ecs::award(oracle(), ALICE, 700, text("planting")));
        assert_ok!(Ecs::set_score(oracle(), ALICE, 10));
        let profile = Ecs::profile(&ALICE);
        assert_eq!(profile.achievements, vec![b"First Tree".to_vec()]);
        assert_eq!((profile.score, profile.level), (10, 2));
    });
}

#[test]
fn holders_and_transactions_are_counted() {
    ExtBuilder::default().build_and_execute(|| {
        assert_eq!((Ecs::holders(), Ecs::transactions()), (0, 0));
        assert_ok!(Ecs::grant_achievement(oracle(), ALICE, text("First Tree")));
        assert_ok!(Ecs::award(oracle(), ALICE, 10, text("planted")));
        assert_eq!((Ecs::holders(), Ecs::transactions()), (1, 2));
        // Entering the book with a score of 0 still holds the Seed badge.
        assert_ok!(Ecs::set_score(oracle(), BOB, 0));
        assert_noop!(Ecs::award(oracle(), BOB, 0, text("nothing")), Error::<Test>::ZeroPoints);
        assert_eq!((Ecs::holders(), Ecs::transactions()), (2, 3));
    });
}
