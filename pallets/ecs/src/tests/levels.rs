//! The level ladder: genesis, queries, set_level.

use crate::{check_ladder, level_for, mock::*, Error, Event, GenesisLevel, LadderFault, LevelView};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_runtime::DispatchError;

fn benefits(list: &[&str]) -> BoundedVec<BoundedVec<u8, MaxNameLen>, MaxBenefits> {
    list.iter().map(|b| text::<MaxNameLen>(b)).collect::<Vec<_>>().try_into().expect("benefits within bound")
}

fn set_level(id: u32, name: &str, required: u32) -> sp_runtime::DispatchResult {
    Ecs::set_level(RuntimeOrigin::root(), id, text(name), required, benefits(&["Perk"]))
}

#[test]
fn default_ladder() {
    ExtBuilder::default().build_and_execute(|| {
        let levels = Ecs::levels();
        let summary: Vec<(u32, &[u8], u32)> =
            levels.iter().map(|l| (l.id, l.name.as_slice(), l.required_score)).collect();
        assert_eq!(
            summary,
            vec![
                (0, &b"Seed"[..], 0),
                (1, &b"Sprout"[..], 100),
                (2, &b"Tree"[..], 500),
                (3, &b"Forest"[..], 1_000),
                (4, &b"Ecosystem"[..], 5_000),
            ]
        );
        assert!(levels.iter().all(|l| !l.benefits.is_empty()));
        assert_eq!(crate::MaxScore::<Test>::get(), 10_000);
    });
}

#[test]
fn benefits_by_level_and_by_account() {
    ExtBuilder::default().build_and_execute(|| {
        assert_eq!(Ecs::benefits(2), Some(vec![b"Tree badge".to_vec(), b"Early access to new eco projects".to_vec()]));
        assert_eq!(Ecs::benefits(5), None);
        assert_ok!(Ecs::set_score(oracle(), ALICE, 700));
        assert_eq!(Ecs::benefits_of(&ALICE), Ecs::benefits(2).expect("level 2"));
    });
}

#[test]
fn admin_replaces_a_level() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ecs::set_level(RuntimeOrigin::root(), 1, text("Sapling"), 200, benefits(&["Green perk", "Forum"])));
        assert_eq!(
            last_event(),
            Event::LevelSet {
                level: 1,
                name: text("Sapling"),
                required_score: 200,
                benefits: benefits(&["Green perk", "Forum"]),
            }
            .into()
        );
        assert_eq!(
            Ecs::level(1),
            Some(LevelView {
                id: 1,
                name: b"Sapling".to_vec(),
                required_score: 200,
                benefits: vec![b"Green perk".to_vec(), b"Forum".to_vec()],
            })
        );
        assert_eq!(Ecs::level_for_score(150), 0);
        assert_eq!(Ecs::level_for_score(200), 1);
        // Level 0 may be renamed if it still requires 0.
        assert_ok!(set_level(0, "Acorn", 0));
        assert_eq!(Ecs::profile(&BOB).level_name, b"Acorn".to_vec());
    });
}

#[test]
fn admin_appends_levels_up_to_the_bound() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ecs::set_score(oracle(), ALICE, 9_000));
        assert_eq!(Ecs::profile(&ALICE).level, 4);
        assert_ok!(set_level(5, "Biosphere", 8_000));
        assert_eq!(Ecs::levels().len(), 6);
        // The new level applies at the account's next score change.
        assert_eq!(Ecs::balance_of(&ALICE, 5), 0);
        assert_ok!(Ecs::award(oracle(), ALICE, 1, text("cleanup")));
        assert_eq!(Ecs::profile(&ALICE).level, 5);
        assert_eq!(Ecs::balance_of(&ALICE, 5), 1);
        // MaxLevels is 6 in the mock.
        assert_noop!(set_level(6, "Planet", 9_000), Error::<Test>::TooManyLevels);
    });
}

#[test]
fn set_level_keeps_the_ladder_valid() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(set_level(6, "Gap", 9_000), Error::<Test>::UnknownLevel);
        assert_noop!(set_level(u32::MAX, "Far", 9_000), Error::<Test>::UnknownLevel);
        assert_noop!(set_level(0, "Seed", 10), Error::<Test>::FirstLevelNotZero);
        assert_noop!(set_level(1, "Sprout", 0), Error::<Test>::LevelsNotAscending);
        assert_noop!(set_level(2, "Tree", 100), Error::<Test>::LevelsNotAscending);
        assert_noop!(set_level(2, "Tree", 1_000), Error::<Test>::LevelsNotAscending);
        assert_noop!(set_level(5, "Biosphere", 5_000), Error::<Test>::LevelsNotAscending);
        assert_noop!(set_level(5, "Biosphere", 10_001), Error::<Test>::RequiredScoreAboveMax);
        assert_noop!(set_level(1, "", 100), Error::<Test>::EmptyName);
        assert_ok!(set_level(5, "Biosphere", 10_000));
    });
}

#[test]
fn only_the_admin_sets_levels() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Ecs::set_level(oracle(), 1, text("Sprout"), 100, benefits(&[])), DispatchError::BadOrigin);
        assert_noop!(
            Ecs::set_level(RuntimeOrigin::signed(ALICE), 1, text("Sprout"), 100, benefits(&[])),
            DispatchError::BadOrigin
        );
    });
}

#[test]
fn threshold_changes_never_lower_a_level() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ecs::set_score(oracle(), ALICE, 700));
        assert_eq!(Ecs::profile(&ALICE).level, 2);
        // Raising Tree above Alice's score keeps her Tree badge.
        assert_ok!(set_level(2, "Tree", 800));
        assert_ok!(Ecs::set_score(oracle(), ALICE, 700));
        assert_eq!(Ecs::profile(&ALICE).level, 2);
        assert_eq!(Ecs::balance_of(&ALICE, 2), 1);
        // Lowering Forest below her score promotes her at the next change.
        assert_ok!(set_level(2, "Tree", 600));
        assert_ok!(set_level(3, "Forest", 750));
        assert_eq!(Ecs::profile(&ALICE).level, 2);
        assert_ok!(Ecs::award(oracle(), ALICE, 50, text("bike to work")));
        assert_eq!(Ecs::profile(&ALICE).level, 3);
    });
}

#[test]
fn a_custom_genesis_ladder() {
    let ladder = vec![
        GenesisLevel::new("Bronze", 0, &[]),
        GenesisLevel::new("Silver", 10, &["Silver perk"]),
        GenesisLevel::new("Gold", 20, &["Gold perk", "More"]),
    ];
    ExtBuilder::default().levels(ladder).max_score(30).build_and_execute(|| {
        assert_eq!(Ecs::levels().len(), 3);
        assert_ok!(Ecs::award(oracle(), ALICE, 25, text("test")));
        let profile = Ecs::profile(&ALICE);
        assert_eq!((profile.score, profile.level, profile.level_name), (25, 2, b"Gold".to_vec()));
        assert_ok!(Ecs::award(oracle(), ALICE, 25, text("test")));
        assert_eq!(Ecs::score(&ALICE), 30);
    });
}

#[test]
#[should_panic(expected = "ECS genesis: level 0 must require score 0")]
fn genesis_level_zero_must_require_zero() {
    ExtBuilder::default().levels(vec![GenesisLevel::new("Seed", 1, &[])]).build();
}

#[test]
#[should_panic(expected = "ECS genesis: level 2 must require more than level 1")]
fn genesis_levels_must_ascend() {
    ExtBuilder::default()
        .levels(vec![GenesisLevel::new("A", 0, &[]), GenesisLevel::new("B", 50, &[]), GenesisLevel::new("C", 50, &[])])
        .build();
}

#[test]
#[should_panic(expected = "ECS genesis: level 4 requires more than the max score")]
fn genesis_levels_within_max_score() {
    ExtBuilder::default().max_score(4_000).build();
}

#[test]
#[should_panic(expected = "ECS genesis: more than MaxLevels levels")]
fn genesis_levels_bounded() {
    let ladder = (0..7).map(|i| GenesisLevel::new("L", i * 10, &[])).collect();
    ExtBuilder::default().levels(ladder).build();
}

#[test]
#[should_panic(expected = "ECS genesis: level 0 has more than MaxBenefits benefits")]
fn genesis_benefits_bounded() {
    ExtBuilder::default().levels(vec![GenesisLevel::new("Seed", 0, &["a", "b", "c", "d"])]).build();
}

#[test]
#[should_panic(expected = "ECS genesis: level 0 name is longer than MaxNameLen")]
fn genesis_names_bounded() {
    ExtBuilder::default().levels(vec![GenesisLevel::new(&"x".repeat(33), 0, &[])]).build();
}

#[test]
#[should_panic(expected = "ECS genesis: level 1 has an empty name")]
fn genesis_names_not_empty() {
    ExtBuilder::default().levels(vec![GenesisLevel::new("Seed", 0, &[]), GenesisLevel::new("", 5, &[])]).build();
}

#[test]
fn ladder_checks() {
    assert_eq!(check_ladder([0, 100, 500], 10_000), Ok(()));
    assert_eq!(check_ladder([], 10_000), Err(LadderFault::Empty));
    assert_eq!(check_ladder([5], 10_000), Err(LadderFault::FirstNotZero));
    assert_eq!(check_ladder([0, 100, 100], 10_000), Err(LadderFault::NotAscending(2)));
    assert_eq!(check_ladder([0, 100, 20_000], 10_000), Err(LadderFault::AboveMax(2)));
    assert_eq!(level_for([0, 100, 500], 0), 0);
    assert_eq!(level_for([0, 100, 500], 499), 1);
    assert_eq!(level_for([0, 100, 500], u32::MAX), 2);
}
