use crate::{mock::*, Error, Event, FeatureInfo, Features, GemStats, GrantInfo, Grants, HeldValue, VipStatus};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

const DAY_MS: u64 = 86_400_000;

fn register(id: u32, required: VipStatus, cost: u128, duration_secs: u64) -> sp_runtime::DispatchResult {
    Egm::register_feature(RuntimeOrigin::root(), id, bounded(b"feature"), required, cost, duration_secs)
}

#[test]
fn genesis_features_are_listed() {
    ExtBuilder::default().build_and_execute(|| {
        let features = Egm::features();
        assert_eq!(features.len(), 3);
        assert_eq!(
            features[2],
            FeatureInfo {
                id: PREMIUM,
                name: b"analytics".to_vec(),
                required_status: VipStatus::Bronze,
                gem_value_cost: 300,
                duration_secs: 30 * 86_400
            }
        );
        assert_eq!(features.iter().map(|f| f.id).collect::<Vec<_>>(), vec![FREE, SILVER_LOUNGE, PREMIUM]);
    });
}

#[test]
fn admin_registers_a_feature() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(
            Egm::register_feature(RuntimeOrigin::signed(ALICE), 9, bounded(b"x"), VipStatus::Gold, 0, 60),
            DispatchError::BadOrigin
        );
        assert_noop!(register(9, VipStatus::None, 0, 0), Error::<Test>::ZeroDuration);
        assert_ok!(Egm::register_feature(RuntimeOrigin::root(), 9, bounded(b"vault"), VipStatus::Gold, 50, 60));
        System::assert_last_event(
            Event::FeatureRegistered {
                feature: 9,
                required_status: VipStatus::Gold,
                gem_value_cost: 50,
                duration_secs: 60,
            }
            .into(),
        );
        assert_eq!(Egm::features().last().map(|f| f.name.clone()), Some(b"vault".to_vec()));
        assert_noop!(register(9, VipStatus::None, 0, 60), Error::<Test>::FeatureExists);
        // MaxFeatures is 4: three from genesis plus feature 9.
        assert_noop!(register(10, VipStatus::None, 0, 60), Error::<Test>::TooManyFeatures);
    });
}

#[test]
fn admin_removes_a_feature() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Egm::remove_feature(RuntimeOrigin::signed(ALICE), FREE), DispatchError::BadOrigin);
        assert_noop!(Egm::remove_feature(RuntimeOrigin::root(), 77), Error::<Test>::UnknownFeature);
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), FREE, gem_list(&[])));
        assert!(Egm::has_access(&ALICE, FREE));
        assert_ok!(Egm::remove_feature(RuntimeOrigin::root(), FREE));
        System::assert_last_event(Event::FeatureRemoved { feature: FREE }.into());
        assert!(!Features::<Test>::contains_key(FREE));
        assert!(!Egm::has_access(&ALICE, FREE));
        assert_noop!(
            Egm::access_feature(RuntimeOrigin::signed(ALICE), FREE, gem_list(&[])),
            Error::<Test>::UnknownFeature
        );
        // Registering the id again does not revive the old grant.
        assert_ok!(register(FREE, VipStatus::None, 0, 60));
        assert!(!Egm::has_access(&ALICE, FREE));
        assert_eq!(Egm::grants(&ALICE), vec![]);
        // A new access starts from now rather than extending the old grant.
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), FREE, gem_list(&[])));
        assert_eq!(Egm::grants(&ALICE), vec![GrantInfo { feature: FREE, expires_at: START_MS + 60_000 }]);
    });
}

#[test]
fn free_feature_grants_access_for_its_duration() {
    ExtBuilder::default().build_and_execute(|| {
        assert!(!Egm::has_access(&ALICE, FREE));
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), FREE, gem_list(&[])));
        System::assert_last_event(
            Event::FeatureAccessed {
                who: ALICE,
                feature: FREE,
                expires_at: START_MS + DAY_MS,
                gems_burned: 0,
                value_burned: 0,
            }
            .into(),
        );
        assert!(Egm::has_access(&ALICE, FREE));
        assert!(!Egm::has_access(&BOB, FREE));
        advance_secs(86_399);
        assert!(Egm::has_access(&ALICE, FREE));
        advance_secs(1);
        assert!(!Egm::has_access(&ALICE, FREE));
        assert_eq!(Egm::grants(&ALICE), vec![]);
    });
}

#[test]
fn access_extends_a_live_grant_and_restarts_an_expired_one() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), FREE, gem_list(&[])));
        advance_secs(3_600);
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), FREE, gem_list(&[])));
        assert_eq!(Egm::grants(&ALICE), vec![GrantInfo { feature: FREE, expires_at: START_MS + 2 * DAY_MS }]);
        advance_secs(3 * 86_400);
        assert!(!Egm::has_access(&ALICE, FREE));
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), FREE, gem_list(&[])));
        assert_eq!(Egm::grants(&ALICE), vec![GrantInfo { feature: FREE, expires_at: now_ms() + DAY_MS }]);
    });
}

#[test]
fn access_requires_the_status() {
    ExtBuilder::default().build_and_execute(|| {
        mint_gem(ALICE, 499);
        assert_noop!(
            Egm::access_feature(RuntimeOrigin::signed(ALICE), SILVER_LOUNGE, gem_list(&[])),
            Error::<Test>::VipStatusTooLow
        );
        mint_gem(ALICE, 1);
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), SILVER_LOUNGE, gem_list(&[])));
        assert!(Egm::has_access(&ALICE, SILVER_LOUNGE));
        // Gems are not taken for a feature without cost.
        assert_noop!(
            Egm::access_feature(RuntimeOrigin::signed(ALICE), SILVER_LOUNGE, gem_list(&[1])),
            Error::<Test>::GemsNotNeeded
        );
        assert_noop!(
            Egm::access_feature(RuntimeOrigin::signed(ALICE), 42, gem_list(&[])),
            Error::<Test>::UnknownFeature
        );
        assert_noop!(Egm::access_feature(RuntimeOrigin::root(), FREE, gem_list(&[])), DispatchError::BadOrigin);
    });
}

#[test]
fn paid_access_burns_the_named_gems_without_refund() {
    ExtBuilder::default().build_and_execute(|| {
        let a = mint_gem(ALICE, 200);
        let b = mint_gem(ALICE, 150);
        let keep = mint_gem(ALICE, 40);
        assert_eq!(Egm::status_of(&ALICE), VipStatus::Bronze);
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), PREMIUM, gem_list(&[a, b])));
        System::assert_has_event(Event::GemBurned { gem: a, owner: ALICE, value: 200 }.into());
        System::assert_has_event(Event::GemBurned { gem: b, owner: ALICE, value: 150 }.into());
        System::assert_has_event(
            Event::VipStatusChanged { who: ALICE, from: VipStatus::Bronze, to: VipStatus::None }.into(),
        );
        System::assert_last_event(
            Event::FeatureAccessed {
                who: ALICE,
                feature: PREMIUM,
                expires_at: START_MS + 30 * DAY_MS,
                gems_burned: 2,
                value_burned: 350,
            }
            .into(),
        );
        // 350 burned for a cost of 300: the 50 surplus is gone.
        assert_eq!(HeldValue::<Test>::get(ALICE), 40);
        assert_eq!(Egm::gems(&ALICE).into_iter().map(|(id, _)| id).collect::<Vec<_>>(), vec![keep]);
        assert_eq!(Egm::stats(), GemStats { minted: 3, live: 1, total_value: 40 });
        assert!(Egm::has_access(&ALICE, PREMIUM));
    });
}

#[test]
fn status_is_checked_before_burning() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(register(9, VipStatus::Silver, 500, 60));
        let gem = mint_gem(ALICE, 500);
        // Exactly Silver before the burn, None after: access is granted.
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), 9, gem_list(&[gem])));
        assert!(Egm::has_access(&ALICE, 9));
        assert_eq!(Egm::status_of(&ALICE), VipStatus::None);
    });
}

#[test]
fn paid_access_errors() {
    ExtBuilder::default().build_and_execute(|| {
        let a = mint_gem(ALICE, 200);
        let big = mint_gem(ALICE, 400);
        let bobs = mint_gem(BOB, 400);
        let no_gems = gem_list(&[]);
        assert_noop!(
            Egm::access_feature(RuntimeOrigin::signed(CHARLIE), PREMIUM, no_gems.clone()),
            Error::<Test>::VipStatusTooLow
        );
        assert_noop!(
            Egm::access_feature(RuntimeOrigin::signed(ALICE), PREMIUM, no_gems),
            Error::<Test>::InsufficientGemValue
        );
        assert_noop!(
            Egm::access_feature(RuntimeOrigin::signed(ALICE), PREMIUM, gem_list(&[a])),
            Error::<Test>::InsufficientGemValue
        );
        assert_noop!(
            Egm::access_feature(RuntimeOrigin::signed(ALICE), PREMIUM, gem_list(&[a, a])),
            Error::<Test>::DuplicateGem
        );
        assert_noop!(
            Egm::access_feature(RuntimeOrigin::signed(ALICE), PREMIUM, gem_list(&[a, bobs])),
            Error::<Test>::NotGemOwner
        );
        assert_noop!(
            Egm::access_feature(RuntimeOrigin::signed(ALICE), PREMIUM, gem_list(&[a, 99])),
            Error::<Test>::UnknownGem
        );
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), PREMIUM, gem_list(&[big])));
    });
}

#[test]
fn paid_access_extends_a_live_grant() {
    ExtBuilder::default().build_and_execute(|| {
        let a = mint_gem(ALICE, 300);
        let b = mint_gem(ALICE, 300);
        let c = mint_gem(ALICE, 300);
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), PREMIUM, gem_list(&[a])));
        advance_secs(86_400);
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), PREMIUM, gem_list(&[b])));
        assert_eq!(Egm::grants(&ALICE), vec![GrantInfo { feature: PREMIUM, expires_at: START_MS + 60 * DAY_MS }]);
        // Now 300 left: Bronze, enough for one more.
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), PREMIUM, gem_list(&[c])));
        assert_eq!(Egm::grants(&ALICE), vec![GrantInfo { feature: PREMIUM, expires_at: START_MS + 90 * DAY_MS }]);
        assert_eq!(Egm::vip_status(&ALICE).total_value, 0);
    });
}

#[test]
fn grants_lists_live_grants_by_feature() {
    ExtBuilder::default().build_and_execute(|| {
        mint_gem(ALICE, 600);
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), SILVER_LOUNGE, gem_list(&[])));
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), FREE, gem_list(&[])));
        assert_eq!(
            Egm::grants(&ALICE),
            vec![
                GrantInfo { feature: FREE, expires_at: START_MS + DAY_MS },
                GrantInfo { feature: SILVER_LOUNGE, expires_at: START_MS + 3_600_000 },
            ]
        );
        advance_secs(3_600);
        assert_eq!(Egm::grants(&ALICE), vec![GrantInfo { feature: FREE, expires_at: START_MS + DAY_MS }]);
    });
}

#[test]
fn prune_grant_deletes_only_dead_grants() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Egm::prune_grant(RuntimeOrigin::signed(BOB), ALICE, FREE), Error::<Test>::NoGrant);
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), FREE, gem_list(&[])));
        assert_noop!(Egm::prune_grant(RuntimeOrigin::signed(BOB), ALICE, FREE), Error::<Test>::GrantStillValid);
        assert_noop!(Egm::prune_grant(RuntimeOrigin::root(), ALICE, FREE), DispatchError::BadOrigin);
        advance_secs(86_400);
        assert_ok!(Egm::prune_grant(RuntimeOrigin::signed(BOB), ALICE, FREE));
        System::assert_last_event(Event::GrantPruned { who: ALICE, feature: FREE }.into());
        assert!(!Grants::<Test>::contains_key(ALICE, FREE));

        // A grant of a removed feature is dead too.
        mint_gem(ALICE, 600);
        assert_ok!(Egm::access_feature(RuntimeOrigin::signed(ALICE), SILVER_LOUNGE, gem_list(&[])));
        assert_ok!(Egm::remove_feature(RuntimeOrigin::root(), SILVER_LOUNGE));
        assert_ok!(Egm::prune_grant(RuntimeOrigin::signed(ALICE), ALICE, SILVER_LOUNGE));
    });
}

#[test]
#[should_panic(expected = "EGM genesis: feature 1 is listed twice")]
fn genesis_refuses_duplicate_features() {
    ExtBuilder::default()
        .features(vec![(FREE, b"a".to_vec(), VipStatus::None, 0, 60), (FREE, b"b".to_vec(), VipStatus::None, 0, 60)])
        .build();
}

#[test]
#[should_panic(expected = "EGM genesis: feature 5 has a zero duration")]
fn genesis_refuses_zero_duration() {
    ExtBuilder::default().features(vec![(5, b"a".to_vec(), VipStatus::None, 0, 0)]).build();
}

#[test]
#[should_panic(expected = "EGM genesis: more features than MaxFeatures")]
fn genesis_refuses_too_many_features() {
    ExtBuilder::default().features((1..=5).map(|id| (id, b"f".to_vec(), VipStatus::None, 0, 60)).collect()).build();
}

#[test]
#[should_panic(expected = "EGM genesis: name of feature 5 is longer than MaxNameLen")]
fn genesis_refuses_a_long_name() {
    ExtBuilder::default().features(vec![(5, vec![b'n'; 17], VipStatus::None, 0, 60)]).build();
}
