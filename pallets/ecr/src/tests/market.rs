use crate::{mock::*, Error, Event, Listing, Listings};
use ecochain_primitives::ECT;
use frame_support::{assert_noop, assert_ok};

#[test]
fn list_and_relist_at_a_new_price() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), id, 10 * ECT));
        assert_eq!(last_event(), Event::Listed { token_id: id, seller: ALICE, price: 10 * ECT }.into());
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), id, 12 * ECT));
        assert_eq!(Listings::<Test>::get(id), Some(Listing { seller: ALICE, price: 12 * ECT }));
        // Listing does not move the token.
        assert_eq!(Ecr::owner_of(id), Some(ALICE));
    });
}

#[test]
fn list_errors() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_noop!(Ecr::list(RuntimeOrigin::signed(BOB), id, ECT), Error::<Test>::NotOwner);
        assert_noop!(Ecr::list(RuntimeOrigin::signed(ALICE), id, 0), Error::<Test>::ZeroPrice);
        assert_noop!(Ecr::list(RuntimeOrigin::signed(ALICE), 99, ECT), Error::<Test>::UnknownToken);
        // An operator may transfer but not sell on the owner's behalf.
        assert_ok!(Ecr::set_approval_for_all(RuntimeOrigin::signed(ALICE), BOB, true));
        assert_noop!(Ecr::list(RuntimeOrigin::signed(BOB), id, ECT), Error::<Test>::NotOwner);
    });
}

#[test]
fn cancel_withdraws_listing() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_noop!(Ecr::cancel(RuntimeOrigin::signed(ALICE), id), Error::<Test>::NotListed);
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), id, ECT));
        assert_noop!(Ecr::cancel(RuntimeOrigin::signed(BOB), id), Error::<Test>::NotOwner);
        assert_ok!(Ecr::cancel(RuntimeOrigin::signed(ALICE), id));
        assert_eq!(last_event(), Event::ListingCancelled { token_id: id, seller: ALICE }.into());
        assert!(Ecr::listings().is_empty());
    });
}

#[test]
fn buy_pays_seller_and_moves_token() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::approve(RuntimeOrigin::signed(ALICE), id, Some(CHARLIE)));
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), id, 250 * ECT));
        System::reset_events();
        assert_ok!(Ecr::buy(RuntimeOrigin::signed(BOB), id, 250 * ECT));
        assert_eq!(Balances::free_balance(ALICE), 1_250 * ECT);
        assert_eq!(Balances::free_balance(BOB), 750 * ECT);
        assert_eq!(Ecr::owner_of(id), Some(BOB));
        assert_eq!(Ecr::approved(id), None);
        assert!(!Listings::<Test>::contains_key(id));
        assert_eq!(
            ecr_events(),
            vec![
                Event::Transferred { token_id: id, from: ALICE, to: BOB },
                Event::Sold { token_id: id, seller: ALICE, buyer: BOB, price: 250 * ECT },
            ]
        );
        // The new owner may resell.
        assert_ok!(Ecr::list(RuntimeOrigin::signed(BOB), id, 300 * ECT));
        assert_ok!(Ecr::buy(RuntimeOrigin::signed(CHARLIE), id, 300 * ECT));
        assert_eq!(Balances::free_balance(BOB), 1_050 * ECT);
        assert_eq!(Ecr::owner_of(id), Some(CHARLIE));
    });
}

#[test]
fn buy_errors() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_noop!(Ecr::buy(RuntimeOrigin::signed(BOB), id, ECT), Error::<Test>::NotListed);
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), id, 1_000 * ECT));
        assert_noop!(Ecr::buy(RuntimeOrigin::signed(ALICE), id, 1_000 * ECT), Error::<Test>::BuyOwnToken);
        // Bob holds exactly 1,000 ECT: paying it all would reap his account.
        assert_noop!(Ecr::buy(RuntimeOrigin::signed(BOB), id, 1_000 * ECT), Error::<Test>::InsufficientBalance);
        assert_noop!(Ecr::buy(RuntimeOrigin::signed(7), id, 1_000 * ECT), Error::<Test>::InsufficientBalance);
        assert_eq!(Ecr::owner_of(id), Some(ALICE));
    });
}

#[test]
fn buy_refused_while_ect_paused() {
    ExtBuilder::default().ect_paused().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), id, ECT));
        assert_noop!(Ecr::buy(RuntimeOrigin::signed(BOB), id, ECT), pallet_ect::Error::<Test>::TokenPaused);
    });
}

#[test]
fn buy_refused_when_buyer_is_full_and_nothing_is_paid() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        for _ in 0..MAX_TOKENS {
            mint_to(BOB);
        }
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), id, ECT));
        assert_noop!(Ecr::buy(RuntimeOrigin::signed(BOB), id, ECT), Error::<Test>::TooManyTokens);
        assert_eq!(Balances::free_balance(BOB), 1_000 * ECT);
    });
}

#[test]
fn listings_query_includes_certificates_in_id_order() {
    ExtBuilder::default().build_and_execute(|| {
        let a = mint_to(ALICE);
        let b = mint_to(BOB);
        let c = mint_to(ALICE);
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), c, 3 * ECT));
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), a, ECT));
        assert_ok!(Ecr::list(RuntimeOrigin::signed(BOB), b, 2 * ECT));
        let listings = Ecr::listings();
        assert_eq!(
            listings.iter().map(|l| (l.token_id, l.seller, l.price)).collect::<Vec<_>>(),
            vec![(a, ALICE, ECT), (b, BOB, 2 * ECT), (c, ALICE, 3 * ECT)]
        );
        assert_eq!(listings[1].certificate, Ecr::verify(b).expect("exists"));
    });
}

#[test]
fn buy_refused_when_the_seller_raised_the_price() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), id, 10 * ECT));
        // Bob saw 10 ECT; Alice re-lists at 500 ECT in the same block, before Bob's call.
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), id, 500 * ECT));
        assert_noop!(Ecr::buy(RuntimeOrigin::signed(BOB), id, 10 * ECT), Error::<Test>::PriceTooHigh);
        assert_eq!(Balances::free_balance(BOB), 1_000 * ECT);
        assert_eq!(Ecr::owner_of(id), Some(ALICE));
    });
}

#[test]
fn buy_pays_the_listed_price_when_below_the_maximum() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), id, 10 * ECT));
        // Alice lowers the price: Bob pays 8 ECT though he accepted up to 10.
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), id, 8 * ECT));
        assert_ok!(Ecr::buy(RuntimeOrigin::signed(BOB), id, 10 * ECT));
        assert_eq!(Balances::free_balance(BOB), 992 * ECT);
        assert_eq!(last_event(), Event::Sold { token_id: id, seller: ALICE, buyer: BOB, price: 8 * ECT }.into());
    });
}

#[test]
fn holders_and_transactions_are_counted() {
    ExtBuilder::default().build_and_execute(|| {
        let before = (Ecr::holders(), Ecr::transactions());
        let id = mint_to(ALICE);
        let second = mint_to(ALICE);
        assert_eq!((Ecr::holders(), Ecr::transactions()), (before.0 + 1, before.1 + 2));
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), id, ECT));
        assert_noop!(Ecr::buy(RuntimeOrigin::signed(BOB), id, ECT / 2), Error::<Test>::PriceTooHigh);
        assert_ok!(Ecr::buy(RuntimeOrigin::signed(BOB), id, ECT));
        assert_eq!((Ecr::holders(), Ecr::transactions()), (before.0 + 2, before.1 + 4));
        assert_ok!(Ecr::burn(RuntimeOrigin::signed(ALICE), second));
        assert_eq!((Ecr::holders(), Ecr::transactions()), (before.0 + 1, before.1 + 5));
    });
}
