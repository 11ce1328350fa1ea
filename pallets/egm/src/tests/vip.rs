use crate::{mock::*, Error, Event, Thresholds, VipInfo, VipStatus, VipThresholds, VipTier};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_runtime::DispatchError;

fn thresholds(bronze: u128, silver: u128, gold: u128, platinum: u128) -> VipThresholds {
    VipThresholds { bronze, silver, gold, platinum }
}

#[test]
fn default_thresholds_are_the_spec_numbers() {
    ExtBuilder::default().build_and_execute(|| {
        assert_eq!(Thresholds::<Test>::get(), thresholds(100, 500, 1_000, 5_000));
        // (total value, expected status)
        let steps = [
            (99, VipStatus::None),
            (100, VipStatus::Bronze),
            (499, VipStatus::Bronze),
            (500, VipStatus::Silver),
            (999, VipStatus::Silver),
            (1_000, VipStatus::Gold),
            (4_999, VipStatus::Gold),
            (5_000, VipStatus::Platinum),
        ];
        let mut held = 0;
        for (total, status) in steps {
            mint_gem(ALICE, total - held);
            held = total;
            assert_eq!(Egm::vip_status(&ALICE).status, status, "at {total}");
            assert_eq!(Egm::status_of(&ALICE), status);
        }
    });
}

#[test]
fn vip_status_reports_the_next_threshold() {
    ExtBuilder::default().build_and_execute(|| {
        assert_eq!(
            Egm::vip_status(&ALICE),
            VipInfo {
                status: VipStatus::None,
                total_value: 0,
                next_status: Some(VipStatus::Bronze),
                next_threshold: Some(100)
            }
        );
        mint_gem(ALICE, 700);
        assert_eq!(
            Egm::vip_status(&ALICE),
            VipInfo {
                status: VipStatus::Silver,
                total_value: 700,
                next_status: Some(VipStatus::Gold),
                next_threshold: Some(1_000)
            }
        );
        mint_gem(ALICE, 5_000);
        assert_eq!(
            Egm::vip_status(&ALICE),
            VipInfo { status: VipStatus::Platinum, total_value: 5_700, next_status: None, next_threshold: None }
        );
    });
}

#[test]
fn status_changes_are_announced() {
    ExtBuilder::default().build_and_execute(|| {
        mint_gem(ALICE, 50);
        assert_eq!(last_event(), Event::GemMinted { gem: 1, minter: MINTER, to: ALICE, rarity: 3, value: 50 }.into());
        mint_gem(ALICE, 1_000);
        System::assert_last_event(
            Event::VipStatusChanged { who: ALICE, from: VipStatus::None, to: VipStatus::Gold }.into(),
        );
    });
}

#[test]
fn admin_sets_thresholds() {
    ExtBuilder::default().build_and_execute(|| {
        mint_gem(ALICE, 300);
        assert_eq!(Egm::status_of(&ALICE), VipStatus::Bronze);
        let new = thresholds(10, 200, 300, 400);
        assert_noop!(Egm::set_vip_thresholds(RuntimeOrigin::signed(ALICE), new), DispatchError::BadOrigin);
        assert_ok!(Egm::set_vip_thresholds(RuntimeOrigin::root(), new));
        System::assert_last_event(Event::VipThresholdsSet { thresholds: new }.into());
        assert_eq!(Egm::status_of(&ALICE), VipStatus::Gold);
        assert_eq!(Egm::vip_status(&ALICE).next_threshold, Some(400));
    });
}

#[test]
fn thresholds_must_ascend_strictly() {
    ExtBuilder::default().build_and_execute(|| {
        for bad in [
            thresholds(0, 500, 1_000, 5_000),
            thresholds(100, 100, 1_000, 5_000),
            thresholds(100, 500, 400, 5_000),
            thresholds(100, 500, 1_000, 1_000),
            thresholds(5_000, 1_000, 500, 100),
        ] {
            assert_noop!(Egm::set_vip_thresholds(RuntimeOrigin::root(), bad), Error::<Test>::ThresholdsNotAscending);
        }
    });
}

fn benefit_list(items: &[&[u8]]) -> BoundedVec<BoundedVec<u8, MaxBenefitLen>, MaxBenefits> {
    items.iter().map(|b| bounded::<MaxBenefitLen>(b)).collect::<Vec<_>>().try_into().expect("within MaxBenefits")
}

#[test]
fn admin_sets_benefits() {
    ExtBuilder::default().build_and_execute(|| {
        assert_eq!(Egm::benefits(VipStatus::Bronze), vec![b"badge".to_vec()]);
        assert_eq!(Egm::benefits(VipStatus::Silver), Vec::<Vec<u8>>::new());
        let list = benefit_list(&[b"lounge", b"early drops"]);
        assert_noop!(
            Egm::set_vip_benefits(RuntimeOrigin::signed(ALICE), VipStatus::Silver, list.clone()),
            DispatchError::BadOrigin
        );
        assert_ok!(Egm::set_vip_benefits(RuntimeOrigin::root(), VipStatus::Silver, list));
        System::assert_last_event(Event::VipBenefitsSet { status: VipStatus::Silver, count: 2 }.into());
        assert_eq!(Egm::benefits(VipStatus::Silver), vec![b"lounge".to_vec(), b"early drops".to_vec()]);

        mint_gem(ALICE, 600);
        assert_eq!(Egm::benefits_of(&ALICE), (VipStatus::Silver, vec![b"lounge".to_vec(), b"early drops".to_vec()]));
        assert_eq!(Egm::benefits_of(&BOB), (VipStatus::None, vec![]));

        // An empty list clears.
        assert_ok!(Egm::set_vip_benefits(RuntimeOrigin::root(), VipStatus::Bronze, benefit_list(&[])));
        System::assert_last_event(Event::VipBenefitsSet { status: VipStatus::Bronze, count: 0 }.into());
        assert_eq!(Egm::benefits(VipStatus::Bronze), Vec::<Vec<u8>>::new());
    });
}

#[test]
fn vip_tiers_lists_every_status() {
    ExtBuilder::default().build_and_execute(|| {
        let tiers = Egm::vip_tiers();
        assert_eq!(tiers.len(), 5);
        assert_eq!(tiers[0], VipTier { status: VipStatus::None, min_value: 0, benefits: vec![] });
        assert_eq!(tiers[1], VipTier { status: VipStatus::Bronze, min_value: 100, benefits: vec![b"badge".to_vec()] });
        assert_eq!(tiers[2].min_value, 500);
        assert_eq!(tiers[3].status, VipStatus::Gold);
        assert_eq!(tiers[3].benefits, vec![b"badge".to_vec(), b"priority support".to_vec()]);
        assert_eq!(tiers[4], VipTier { status: VipStatus::Platinum, min_value: 5_000, benefits: vec![] });
    });
}

#[test]
fn genesis_sets_custom_thresholds() {
    ExtBuilder::default().thresholds(thresholds(1, 2, 3, 4)).build_and_execute(|| {
        mint_gem(ALICE, 3);
        assert_eq!(Egm::status_of(&ALICE), VipStatus::Gold);
    });
}

#[test]
#[should_panic(expected = "EGM genesis: VIP thresholds must be strictly ascending")]
fn genesis_refuses_unordered_thresholds() {
    ExtBuilder::default().thresholds(thresholds(100, 500, 500, 5_000)).build();
}

#[test]
#[should_panic(expected = "EGM genesis: benefits of Gold are listed twice")]
fn genesis_refuses_duplicate_benefits() {
    ExtBuilder::default()
        .benefits(vec![(VipStatus::Gold, vec![b"a".to_vec()]), (VipStatus::Gold, vec![b"b".to_vec()])])
        .build();
}

#[test]
#[should_panic(expected = "EGM genesis: Bronze has more benefits than MaxBenefits")]
fn genesis_refuses_too_many_benefits() {
    ExtBuilder::default().benefits(vec![(VipStatus::Bronze, vec![b"a".to_vec(); 4])]).build();
}

#[test]
#[should_panic(expected = "EGM genesis: a benefit of Silver is longer than MaxBenefitLen")]
fn genesis_refuses_a_long_benefit() {
    ExtBuilder::default().benefits(vec![(VipStatus::Silver, vec![vec![b'x'; 25]])]).build();
}
