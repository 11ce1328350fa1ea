use crate::{mock::*, Error, Event, MaxSupply, Paused};
use ecochain_primitives::{EctControl, ECT};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

#[test]
fn mint_within_cap() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::mint(RuntimeOrigin::root(), CHARLIE, 100 * ECT));
        assert_eq!(Balances::free_balance(CHARLIE), 100 * ECT);
        assert_eq!(last_event(), Event::Minted { to: CHARLIE, amount: 100 * ECT }.into());
    });
}

#[test]
fn mint_past_max_supply_mints_nothing() {
    ExtBuilder::default().build_and_execute(|| {
        let room = MaxSupply::<Test>::get() - Balances::total_issuance();
        assert_noop!(Ect::mint(RuntimeOrigin::root(), CHARLIE, room + 1), Error::<Test>::MaxSupplyExceeded);
        assert_noop!(Ect::mint(RuntimeOrigin::root(), CHARLIE, u128::MAX), Error::<Test>::MaxSupplyExceeded);
        assert_ok!(Ect::mint(RuntimeOrigin::root(), CHARLIE, room));
        assert_eq!(Balances::total_issuance(), MaxSupply::<Test>::get());
        assert_noop!(<Ect as EctControl<u64>>::mint_capped(&CHARLIE, 1), Error::<Test>::MaxSupplyExceeded);
    });
}

#[test]
fn mint_requires_admin() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Ect::mint(RuntimeOrigin::signed(ALICE), ALICE, ECT), DispatchError::BadOrigin);
        assert_noop!(Ect::mint(RuntimeOrigin::root(), ALICE, 0), Error::<Test>::ZeroAmount);
    });
}

#[test]
fn pause_and_unpause() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Ect::pause(RuntimeOrigin::signed(ALICE)), DispatchError::BadOrigin);
        assert_noop!(Ect::unpause(RuntimeOrigin::root()), Error::<Test>::NotPaused);
        assert_ok!(Ect::pause(RuntimeOrigin::root()));
        assert!(Paused::<Test>::get());
        assert_eq!(last_event(), Event::Paused.into());
        assert_noop!(Ect::pause(RuntimeOrigin::root()), Error::<Test>::AlreadyPaused);
        assert_noop!(<Ect as EctControl<u64>>::ensure_transferable(), Error::<Test>::TokenPaused);
        assert_ok!(Ect::unpause(RuntimeOrigin::root()));
        assert_eq!(last_event(), Event::Unpaused.into());
        assert_ok!(<Ect as EctControl<u64>>::ensure_transferable());
    });
}

#[test]
fn set_apy_bounds() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Ect::set_apy(RuntimeOrigin::root(), 10_001), Error::<Test>::ApyTooHigh);
        assert_noop!(Ect::set_apy(RuntimeOrigin::signed(ALICE), 100), DispatchError::BadOrigin);
        assert_ok!(Ect::set_apy(RuntimeOrigin::root(), 700));
        assert_eq!(last_event(), Event::ApyChanged { apy_bps: 700 }.into());
        assert_eq!(Ect::info().apy_bps, 700);
    });
}

#[test]
fn info_reports_the_token() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::stake(RuntimeOrigin::signed(ALICE), 100 * ECT));
        let info = Ect::info();
        assert_eq!(info.name, b"EcoToken".to_vec());
        assert_eq!(info.symbol, b"ECT".to_vec());
        assert_eq!(info.decimals, 18);
        assert_eq!(info.total_supply, 1_200 * ECT);
        assert_eq!(info.circulating_supply, 1_100 * ECT);
        assert_eq!(info.total_staked, 100 * ECT);
        assert_eq!(info.max_supply, 10_000 * ECT);
    });
}

#[test]
#[should_panic(expected = "above the max supply")]
fn genesis_above_max_supply_is_refused() {
    ExtBuilder::default().max_supply(1_100 * ECT).build();
}
