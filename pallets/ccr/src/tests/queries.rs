use crate::{mock::*, BatchBalance, BatchView, CcrBalance, CcrStats, ListingView, RetirementView};
use ecochain_primitives::ECT;
use frame_support::assert_ok;

#[test]
fn balance_splits_active_and_expired() {
    ExtBuilder::default().build_and_execute(|| {
        let short = issue(ALICE, 10, b"short", DAY_MS);
        let long = issue(ALICE, 30, b"long", YEAR_MS);
        let _bobs = issue(BOB, 5, b"bobs", YEAR_MS);
        assert_ok!(Ccr::list(RuntimeOrigin::signed(ALICE), long, 5, ECT));
        advance_ms(DAY_MS);
        assert_eq!(
            Ccr::balance(&ALICE),
            CcrBalance {
                batches: vec![
                    BatchBalance { batch: short, amount: 10, expired: true },
                    BatchBalance { batch: long, amount: 25, expired: false },
                ],
                total: 35,
                total_active: 25,
                total_expired: 10,
                listed: 5,
            }
        );
        assert_eq!(Ccr::balance(&CHARLIE), CcrBalance::default());
    });
}

#[test]
fn marketplace_lists_open_listings_in_order() {
    ExtBuilder::default().build_and_execute(|| {
        let a = issue(ALICE, 10, b"a", YEAR_MS);
        let b = issue(BOB, 10, b"b", DAY_MS);
        assert_ok!(Ccr::list(RuntimeOrigin::signed(ALICE), a, 3, 2 * ECT));
        assert_ok!(Ccr::list(RuntimeOrigin::signed(BOB), b, 4, 3 * ECT));
        assert_ok!(Ccr::list(RuntimeOrigin::signed(ALICE), a, 5, ECT));
        assert_ok!(Ccr::cancel(RuntimeOrigin::signed(ALICE), 3));
        assert_eq!(
            Ccr::marketplace(),
            vec![
                ListingView {
                    id: 1,
                    seller: ALICE,
                    batch: a,
                    amount: 3,
                    price_per_unit: 2 * ECT,
                    expiry_date: START + YEAR_MS,
                    expired: false
                },
                ListingView {
                    id: 2,
                    seller: BOB,
                    batch: b,
                    amount: 4,
                    price_per_unit: 3 * ECT,
                    expiry_date: START + DAY_MS,
                    expired: false
                },
            ]
        );
    });
}

#[test]
fn retirements_of_an_account() {
    ExtBuilder::default().build_and_execute(|| {
        let a = issue(ALICE, 100, b"a", YEAR_MS);
        assert_ok!(Ccr::transfer(RuntimeOrigin::signed(ALICE), BOB, a, 50));
        for i in 0..3u128 {
            assert_ok!(Ccr::retire(RuntimeOrigin::signed(ALICE), a, i + 1, beneficiary(b"alice")));
            assert_ok!(Ccr::retire(RuntimeOrigin::signed(BOB), a, 10, beneficiary(b"bob")));
            advance_ms(1_000);
        }
        let mine = Ccr::retirements(&ALICE);
        assert_eq!(mine.iter().map(|r| r.id).collect::<Vec<_>>(), vec![1, 3, 5]);
        assert_eq!(mine.iter().map(|r| r.amount).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(
            Ccr::retirement(4),
            Some(RetirementView {
                id: 4,
                batch: a,
                account: BOB,
                amount: 10,
                beneficiary: b"bob".to_vec(),
                at: START + 1_000
            })
        );
        assert_eq!(Ccr::retirement(7), None);
        assert!(Ccr::retirements(&CHARLIE).is_empty());
    });
}

#[test]
fn batch_and_stats() {
    ExtBuilder::default().build_and_execute(|| {
        let a = issue(ALICE, 100, b"VCS-1", DAY_MS);
        assert_ok!(Ccr::retire(RuntimeOrigin::signed(ALICE), a, 40, beneficiary(b"")));
        assert_ok!(Ccr::list(RuntimeOrigin::signed(ALICE), a, 10, ECT));
        let view = BatchView {
            id: a,
            verification_id: b"VCS-1".to_vec(),
            verifier: VERIFIER,
            issue_date: START,
            expiry_date: START + DAY_MS,
            issued: 100,
            retired: 40,
            expired: false,
        };
        assert_eq!(Ccr::batch(a), Some(view.clone()));
        assert_eq!(Ccr::batch(2), None);
        advance_ms(DAY_MS);
        assert_eq!(Ccr::batch(a), Some(BatchView { expired: true, ..view }));
        assert_eq!(
            Ccr::stats(),
            CcrStats { batches: 1, total_issued: 100, total_retired: 40, retirements: 1, open_listings: 1 }
        );
    });
}

#[test]
fn try_state_catches_broken_supply() {
    ExtBuilder::default().build().execute_with(|| {
        let a = issue(ALICE, 100, b"a", YEAR_MS);
        assert_ok!(Ccr::do_try_state());
        crate::Holdings::<Test>::insert(BOB, a, 1);
        assert!(Ccr::do_try_state().is_err());
        crate::Holdings::<Test>::remove(BOB, a);
        crate::ListingCount::<Test>::put(1);
        assert!(Ccr::do_try_state().is_err());
    });
}
