use crate::{mock::*, Allowances, Error, Event};
use ecochain_primitives::ECT;
use frame_support::{assert_noop, assert_ok};

#[test]
fn transfer_moves_ect_and_emits() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::transfer(RuntimeOrigin::signed(ALICE), BOB, 10 * ECT));
        assert_eq!(Balances::free_balance(ALICE), 1_090 * ECT);
        assert_eq!(Balances::free_balance(BOB), 110 * ECT);
        assert_eq!(last_event(), Event::Transferred { from: ALICE, to: BOB, amount: 10 * ECT }.into());
    });
}

#[test]
fn transfer_errors() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Ect::transfer(RuntimeOrigin::signed(BOB), ALICE, 101 * ECT), Error::<Test>::InsufficientBalance);
        assert_noop!(Ect::transfer(RuntimeOrigin::signed(BOB), ALICE, 0), Error::<Test>::ZeroAmount);
        assert_noop!(Ect::transfer(RuntimeOrigin::none(), ALICE, 1), sp_runtime::DispatchError::BadOrigin);
    });
}

#[test]
fn transfer_refused_while_paused() {
    ExtBuilder::default().paused().build_and_execute(|| {
        assert_noop!(Ect::transfer(RuntimeOrigin::signed(ALICE), BOB, ECT), Error::<Test>::TokenPaused);
        assert_noop!(Ect::burn(RuntimeOrigin::signed(ALICE), ECT), Error::<Test>::TokenPaused);
        assert_noop!(Ect::stake(RuntimeOrigin::signed(ALICE), ECT), Error::<Test>::TokenPaused);
    });
}

#[test]
fn approve_and_transfer_from() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::approve(RuntimeOrigin::signed(ALICE), BOB, 50 * ECT));
        assert_eq!(last_event(), Event::Approved { owner: ALICE, spender: BOB, amount: 50 * ECT }.into());
        assert_ok!(Ect::transfer_from(RuntimeOrigin::signed(BOB), ALICE, CHARLIE, 20 * ECT));
        assert_eq!(Allowances::<Test>::get(ALICE, BOB), 30 * ECT);
        assert_eq!(Balances::free_balance(CHARLIE), 20 * ECT);
        assert_noop!(
            Ect::transfer_from(RuntimeOrigin::signed(BOB), ALICE, CHARLIE, 31 * ECT),
            Error::<Test>::InsufficientAllowance
        );
        assert_ok!(Ect::transfer_from(RuntimeOrigin::signed(BOB), ALICE, BOB, 30 * ECT));
        assert!(!Allowances::<Test>::contains_key(ALICE, BOB));
    });
}

#[test]
fn transfer_from_without_balance_keeps_allowance() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::approve(RuntimeOrigin::signed(BOB), ALICE, 500 * ECT));
        assert_noop!(
            Ect::transfer_from(RuntimeOrigin::signed(ALICE), BOB, CHARLIE, 200 * ECT),
            Error::<Test>::InsufficientBalance
        );
        assert_eq!(Allowances::<Test>::get(BOB, ALICE), 500 * ECT);
    });
}

#[test]
fn approve_zero_clears_the_allowance() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::approve(RuntimeOrigin::signed(ALICE), BOB, 5));
        assert_ok!(Ect::approve(RuntimeOrigin::signed(ALICE), BOB, 0));
        assert!(!Allowances::<Test>::contains_key(ALICE, BOB));
    });
}

#[test]
fn burn_reduces_issuance() {
    ExtBuilder::default().build_and_execute(|| {
        let before = Balances::total_issuance();
        assert_ok!(Ect::burn(RuntimeOrigin::signed(BOB), 40 * ECT));
        assert_eq!(Balances::total_issuance(), before - 40 * ECT);
        assert_eq!(last_event(), Event::Burned { who: BOB, amount: 40 * ECT }.into());
        assert_noop!(Ect::burn(RuntimeOrigin::signed(BOB), 61 * ECT), Error::<Test>::InsufficientBalance);
        assert_noop!(Ect::burn(RuntimeOrigin::signed(BOB), 0), Error::<Test>::ZeroAmount);
    });
}

#[test]
fn transfer_from_refused_while_paused() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ect::approve(RuntimeOrigin::signed(ALICE), BOB, 50 * ECT));
        assert_ok!(Ect::pause(RuntimeOrigin::root()));
        assert_noop!(
            Ect::transfer_from(RuntimeOrigin::signed(BOB), ALICE, CHARLIE, 10 * ECT),
            Error::<Test>::TokenPaused
        );
        // Even beyond the allowance, the pause is the reason given.
        assert_noop!(
            Ect::transfer_from(RuntimeOrigin::signed(BOB), ALICE, CHARLIE, 60 * ECT),
            Error::<Test>::TokenPaused
        );
        assert_eq!(Allowances::<Test>::get(ALICE, BOB), 50 * ECT);
    });
}

#[test]
fn holders_and_transactions_are_counted() {
    ExtBuilder::default().build_and_execute(|| {
        assert_eq!((Ect::holders(), Ect::transactions()), (2, 0));
        assert_ok!(Ect::transfer(RuntimeOrigin::signed(ALICE), CHARLIE, 10 * ECT));
        assert_eq!((Ect::holders(), Ect::transactions()), (3, 1));
        // A failed call counts nothing.
        assert_noop!(
            Ect::transfer(RuntimeOrigin::signed(CHARLIE), ALICE, 11 * ECT),
            Error::<Test>::InsufficientBalance
        );
        // Charlie sends everything back: his account is reaped.
        assert_ok!(Ect::transfer(RuntimeOrigin::signed(CHARLIE), ALICE, 10 * ECT));
        assert_eq!((Ect::holders(), Ect::transactions()), (2, 2));
        assert_ok!(Ect::approve(RuntimeOrigin::signed(ALICE), BOB, ECT));
        assert_ok!(Ect::mint(RuntimeOrigin::root(), 7, ECT));
        assert_eq!((Ect::holders(), Ect::transactions()), (3, 4));
    });
}
