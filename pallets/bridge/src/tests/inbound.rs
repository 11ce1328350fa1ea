use crate::{mock::*, Asset, Error, Event, Limits, ReleaseState, Releases};
use ecochain_primitives::ECT;
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_core::{H160, H256};

fn source(n: u8) -> crate::SourceKey {
    (DESTINATION.chain_id, DESTINATION.bridge, H256::repeat_byte(n), 0)
}

fn fund_bridge() {
    assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), 500 * ECT, H160::repeat_byte(1)));
}

#[test]
fn two_of_three_relayers_release_exactly_once() {
    build_and_execute(None, || {
        fund_bridge();
        let asset = Asset::Ect(100 * ECT);
        assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[0]), source(1), asset.clone(), BOB));
        assert_eq!(Balances::free_balance(BOB), 100 * ECT, "one approval releases nothing");
        assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[1]), source(1), asset.clone(), BOB));
        assert_eq!(Balances::free_balance(BOB), 200 * ECT);
        assert!(events().iter().any(|e| matches!(e, Event::Released { recipient: BOB, .. })));
        assert_eq!(Releases::<Test>::get(source(1)).expect("kept").state, ReleaseState::Executed);
        // The third relayer, or a replay of the same burn event, releases nothing.
        assert_noop!(
            Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[2]), source(1), asset.clone(), BOB),
            Error::<Test>::AlreadyReleased
        );
        assert_noop!(
            Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[0]), source(1), asset, BOB),
            Error::<Test>::AlreadyReleased
        );
        assert_eq!(Bridge::locked_ect(), 400 * ECT);
    });
}

#[test]
fn approval_errors() {
    build_and_execute(None, || {
        fund_bridge();
        let asset = Asset::Ect(10 * ECT);
        assert_noop!(
            Bridge::approve_release(RuntimeOrigin::signed(ALICE), source(2), asset.clone(), BOB),
            Error::<Test>::NotRelayer
        );
        assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[0]), source(2), asset.clone(), BOB));
        assert_noop!(
            Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[0]), source(2), asset.clone(), BOB),
            Error::<Test>::AlreadyApproved
        );
        assert_eq!(crate::PendingReleases::<Test>::get(), 1);
        assert_noop!(
            Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[1]), source(3), Asset::Ect(0), BOB),
            Error::<Test>::ZeroAmount
        );
        assert_ok!(Bridge::set_paused(RuntimeOrigin::root(), true));
        assert_noop!(
            Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[1]), source(2), Asset::Ect(10 * ECT), BOB),
            Error::<Test>::BridgePaused
        );
    });
}

#[test]
fn a_relayer_reporting_other_content_cannot_block_the_majority() {
    build_and_execute(None, || {
        fund_bridge();
        let asset = Asset::Ect(10 * ECT);
        // A faulty relayer front-runs with another recipient, then another amount is tried.
        assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[0]), source(9), asset.clone(), ALICE));
        assert_noop!(
            Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[0]), source(9), Asset::Ect(11 * ECT), BOB),
            Error::<Test>::AlreadyApproved
        );
        assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[1]), source(9), asset.clone(), BOB));
        assert_eq!(Balances::free_balance(BOB), 100 * ECT, "one approval per content so far");
        assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[2]), source(9), asset, BOB));
        assert_eq!(Balances::free_balance(BOB), 110 * ECT);
        let decided = Releases::<Test>::get(source(9)).expect("decided");
        assert_eq!((decided.recipient, decided.approvals.to_vec()), (BOB, vec![RELAYERS[1], RELAYERS[2]]));
        assert_eq!(crate::PendingReleases::<Test>::get(), 0);
        assert!(crate::Voted::<Test>::iter_prefix(source(9)).next().is_none(), "votes cleared");
    });
}

#[test]
fn a_release_beyond_the_period_cap_waits_for_the_next_period() {
    let limits = Limits {
        max_per_transfer: 50 * ECT,
        cap_per_period: 100 * ECT,
        period_ms: 60_000,
        delay_threshold: 0,
        release_delay_ms: 0,
    };
    build_and_execute(Some(limits), || {
        for _ in 0..2 {
            assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), 50 * ECT, H160::repeat_byte(1)));
        }
        assert_noop!(
            Bridge::lock_ect(RuntimeOrigin::signed(ALICE), ECT, H160::repeat_byte(1)),
            Error::<Test>::CapExceeded
        );
        advance_ms(60_000);
        for _ in 0..2 {
            assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), 50 * ECT, H160::repeat_byte(1)));
        }
        // 80 ECT (above the lock maximum: burned already, so released) fits the cap.
        for r in &RELAYERS[..2] {
            assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(*r), source(10), Asset::Ect(80 * ECT), BOB));
        }
        assert_eq!(Balances::free_balance(BOB), 180 * ECT);
        // 30 more would make 110 of 100 this period: it waits.
        for r in &RELAYERS[..2] {
            assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(*r), source(11), Asset::Ect(30 * ECT), BOB));
        }
        assert_eq!(Balances::free_balance(BOB), 180 * ECT, "waits for the next period");
        let Some(ReleaseState::Delayed(until)) = Releases::<Test>::get(source(11)).map(|r| r.state) else {
            panic!("not delayed")
        };
        assert_noop!(Bridge::execute_release(RuntimeOrigin::signed(BOB), source(11)), Error::<Test>::DelayNotPassed);
        assert_noop!(
            Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[2]), source(11), Asset::Ect(30 * ECT), BOB),
            Error::<Test>::AlreadyDecided
        );
        advance_ms(until.saturating_sub(pallet_timestamp::Now::<Test>::get()));
        assert_ok!(Bridge::execute_release(RuntimeOrigin::signed(BOB), source(11)));
        assert_eq!(Balances::free_balance(BOB), 210 * ECT);
    });
}

#[test]
fn releasing_everything_keeps_the_bridge_account_alive() {
    build_and_execute(None, || {
        assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(BOB), 100 * ECT, H160::repeat_byte(1)));
        assert_eq!(Bridge::locked_ect(), 100 * ECT);
        for r in &RELAYERS[..2] {
            assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(*r), source(12), Asset::Ect(100 * ECT), ALICE));
        }
        assert_eq!(Bridge::locked_ect(), 0);
        assert!(System::account_exists(&Bridge::account_id()), "the bridge account is never reaped");
    });
}

#[test]
fn large_releases_wait_for_the_delay() {
    let limits = Limits {
        max_per_transfer: 0,
        cap_per_period: 0,
        period_ms: 0,
        delay_threshold: 50 * ECT,
        release_delay_ms: 3_600_000,
    };
    build_and_execute(Some(limits), || {
        fund_bridge();
        let asset = Asset::Ect(100 * ECT);
        assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[0]), source(4), asset.clone(), BOB));
        assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[1]), source(4), asset, BOB));
        assert_eq!(Balances::free_balance(BOB), 100 * ECT, "waits");
        assert!(events().iter().any(|e| matches!(e, Event::ReleaseDelayed { .. })));
        assert_noop!(Bridge::execute_release(RuntimeOrigin::signed(BOB), source(4)), Error::<Test>::DelayNotPassed);
        advance_ms(3_600_000);
        assert_ok!(Bridge::execute_release(RuntimeOrigin::signed(BOB), source(4)));
        assert_eq!(Balances::free_balance(BOB), 200 * ECT);
        assert_noop!(Bridge::execute_release(RuntimeOrigin::signed(BOB), source(4)), Error::<Test>::AlreadyReleased);
        assert_noop!(Bridge::execute_release(RuntimeOrigin::signed(BOB), source(5)), Error::<Test>::UnknownRelease);
    });
}

#[test]
fn an_ecr_round_trip_returns_the_certificate() {
    build_and_execute(None, || {
        let kind: BoundedVec<u8, _> = b"solar".to_vec().try_into().expect("fits");
        let meta: BoundedVec<u8, _> = b"ipfs://x".to_vec().try_into().expect("fits");
        assert_ok!(Ecr::mint(RuntimeOrigin::signed(ALICE), BOB, kind, 10, 2, meta));
        assert_ok!(Bridge::lock_ecr(RuntimeOrigin::signed(BOB), 1, H160::repeat_byte(1)));
        // It comes back to Alice (burned on the EVM side with Alice as chain recipient).
        assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[1]), source(6), Asset::Ecr(1), ALICE));
        assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[2]), source(6), Asset::Ecr(1), ALICE));
        assert_eq!(Ecr::owner_of(1), Some(ALICE));
        assert!(!Ecr::verify(1).expect("exists").locked);
        // A certificate that was never locked cannot be released.
        let kind: BoundedVec<u8, _> = b"wind".to_vec().try_into().expect("fits");
        let meta: BoundedVec<u8, _> = b"ipfs://y".to_vec().try_into().expect("fits");
        assert_ok!(Ecr::mint(RuntimeOrigin::signed(ALICE), BOB, kind, 10, 2, meta));
        assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[0]), source(7), Asset::Ecr(2), ALICE));
        assert_noop!(
            Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[1]), source(7), Asset::Ecr(2), ALICE),
            Error::<Test>::CertificateNotLocked
        );
    });
}

#[test]
fn threshold_is_configurable() {
    build_and_execute(None, || {
        assert_noop!(Bridge::set_threshold(RuntimeOrigin::root(), 0), Error::<Test>::BadThreshold);
        assert_noop!(Bridge::set_threshold(RuntimeOrigin::root(), 9), Error::<Test>::BadThreshold);
        assert_ok!(Bridge::set_threshold(RuntimeOrigin::root(), 3));
        fund_bridge();
        let asset = Asset::Ect(ECT);
        for r in &RELAYERS[..2] {
            assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(*r), source(8), asset.clone(), BOB));
        }
        assert_eq!(Balances::free_balance(BOB), 100 * ECT, "2 of 3 is not enough now");
        assert_ok!(Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[2]), source(8), asset, BOB));
        assert_eq!(Balances::free_balance(BOB), 101 * ECT);
    });
}

#[test]
fn only_burns_of_the_destination_chain_and_contract_are_released() {
    build_and_execute(None, || {
        fund_bridge();
        let asset = Asset::Ect(10 * ECT);
        let mut other_chain = source(1);
        other_chain.0 = 1;
        let mut other_contract = source(1);
        other_contract.1 = H160::repeat_byte(0xee);
        for key in [other_chain, other_contract] {
            assert_noop!(
                Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[0]), key, asset.clone(), BOB),
                Error::<Test>::WrongSource
            );
        }
        assert_ok!(Bridge::set_destination(RuntimeOrigin::root(), None));
        assert_noop!(
            Bridge::approve_release(RuntimeOrigin::signed(RELAYERS[0]), source(1), asset, BOB),
            Error::<Test>::NoDestination
        );
    });
}
