use crate::{mock::*, Asset, Error, Event, Limits, Outbounds};
use ecochain_primitives::ECT;
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_core::H160;
use sp_runtime::DispatchError;

fn evm() -> H160 {
    H160::repeat_byte(0xab)
}

#[test]
fn lock_ect_moves_it_to_the_bridge_account_with_a_nonce() {
    build_and_execute(None, || {
        assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), 100 * ECT, evm()));
        assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(BOB), 10 * ECT, evm()));
        assert_eq!(Bridge::locked_ect(), 110 * ECT);
        assert_eq!(Balances::free_balance(ALICE), 900 * ECT);
        let e: Vec<_> = events().into_iter().filter(|e| matches!(e, Event::Locked { .. })).collect();
        assert!(
            matches!(&e[0], Event::Locked { nonce: 0, asset: Asset::Ect(a), sender: ALICE, .. } if *a == 100 * ECT)
        );
        assert!(matches!(&e[1], Event::Locked { nonce: 1, sender: BOB, .. }));
        assert_eq!(Bridge::transfer(1).expect("recorded").recipient, evm());
        assert!(Outbounds::<Test>::get(2).is_none());
    });
}

#[test]
fn lock_errors() {
    build_and_execute(None, || {
        assert_noop!(Bridge::lock_ect(RuntimeOrigin::signed(BOB), 0, evm()), Error::<Test>::ZeroAmount);
        assert_noop!(
            Bridge::lock_ect(RuntimeOrigin::signed(BOB), 101 * ECT, evm()),
            Error::<Test>::InsufficientBalance
        );
        assert_noop!(Bridge::lock_ect(RuntimeOrigin::none(), ECT, evm()), DispatchError::BadOrigin);
        assert_noop!(Bridge::lock_ect(RuntimeOrigin::signed(BOB), ECT, H160::zero()), Error::<Test>::ZeroRecipient);
        assert_ok!(Ect::pause(RuntimeOrigin::root()));
        assert_noop!(Bridge::lock_ect(RuntimeOrigin::signed(BOB), ECT, evm()), pallet_ect::Error::<Test>::TokenPaused);
    });
}

#[test]
fn a_paused_bridge_refuses_locks() {
    build_and_execute(None, || {
        assert_noop!(Bridge::set_paused(RuntimeOrigin::signed(ALICE), true), DispatchError::BadOrigin);
        assert_ok!(Bridge::set_paused(RuntimeOrigin::root(), true));
        assert_noop!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), ECT, evm()), Error::<Test>::BridgePaused);
        assert_noop!(Bridge::lock_ecr(RuntimeOrigin::signed(ALICE), 1, evm()), Error::<Test>::BridgePaused);
        assert_ok!(Bridge::set_paused(RuntimeOrigin::root(), false));
        assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), ECT, evm()));
    });
}

#[test]
fn per_transfer_maximum_and_period_cap() {
    let limits = Limits {
        max_per_transfer: 50 * ECT,
        cap_per_period: 80 * ECT,
        period_ms: 60_000,
        delay_threshold: 0,
        release_delay_ms: 0,
    };
    build_and_execute(Some(limits), || {
        assert_noop!(
            Bridge::lock_ect(RuntimeOrigin::signed(ALICE), 51 * ECT, evm()),
            Error::<Test>::AboveMaxPerTransfer
        );
        assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), 50 * ECT, evm()));
        assert_noop!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), 31 * ECT, evm()), Error::<Test>::CapExceeded);
        assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), 30 * ECT, evm()));
        // The next period has a fresh cap.
        advance_ms(60_000);
        assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), 50 * ECT, evm()));
    });
}

/// Found by the model test: `set_limits` accepted a cap with a zero period,
/// which genesis refuses and which caps nothing (the bridge ran uncapped).
#[test]
fn a_cap_needs_a_period() {
    build_and_execute(None, || {
        let mut limits = Limits {
            max_per_transfer: 0,
            cap_per_period: 80 * ECT,
            period_ms: 0,
            delay_threshold: 0,
            release_delay_ms: 0,
        };
        assert_noop!(Bridge::set_limits(RuntimeOrigin::root(), Some(limits.clone())), Error::<Test>::CapWithoutPeriod);
        limits.cap_per_period = 0;
        assert_ok!(Bridge::set_limits(RuntimeOrigin::root(), Some(limits)));
    });
}

#[test]
fn lock_ecr_locks_the_certificate_and_carries_its_data() {
    build_and_execute(None, || {
        let kind: BoundedVec<u8, _> = b"reforestation".to_vec().try_into().expect("fits");
        let meta: BoundedVec<u8, _> = b"ipfs://cert".to_vec().try_into().expect("fits");
        assert_ok!(Ecr::mint(RuntimeOrigin::signed(ALICE), BOB, kind, 70, 3, meta));
        assert_noop!(Bridge::lock_ecr(RuntimeOrigin::signed(ALICE), 1, evm()), pallet_ecr::Error::<Test>::NotOwner);
        assert_ok!(Bridge::lock_ecr(RuntimeOrigin::signed(BOB), 1, evm()));
        let e: Vec<_> = events().into_iter().filter(|e| matches!(e, Event::Locked { .. })).collect();
        let Event::Locked { nonce: 0, asset: Asset::Ecr(1), certificate: Some(cert), .. } = &e[0] else {
            panic!("expected a Locked event, got {e:?}")
        };
        assert_eq!((cert.rarity, cert.impact_score, cert.metadata.clone()), (3, 70, b"ipfs://cert".to_vec()));
        // Locked: it cannot move on chain.
        assert_noop!(Ecr::transfer(RuntimeOrigin::signed(BOB), 1, ALICE), pallet_ecr::Error::<Test>::TokenLocked);
    });
}
