use crate::{mock::*, Error, Event, Holdings, LastListingId, Listing, ListingCount, Listings, SellerListings};
use ecochain_primitives::ECT;
use frame_support::{assert_noop, assert_ok};

/// Alice holds 100 credits of batch 1 and lists 40 at 25 ECT each (listing 1).
fn listed() -> (crate::BatchId, crate::ListingId) {
    let batch = issue(ALICE, 100, b"b1", YEAR_MS);
    assert_ok!(Ccr::list(RuntimeOrigin::signed(ALICE), batch, 40, 25 * ECT));
    (batch, LastListingId::<Test>::get())
}

#[test]
fn list_escrows_credits() {
    ExtBuilder::default().build_and_execute(|| {
        let (batch, listing) = listed();
        assert_eq!(listing, 1);
        assert_eq!(Holdings::<Test>::get(ALICE, batch), 60);
        assert_eq!(
            Listings::<Test>::get(listing),
            Some(Listing { seller: ALICE, batch, amount: 40, price_per_unit: 25 * ECT })
        );
        assert_eq!(ListingCount::<Test>::get(), 1);
        assert_eq!(
            last_event(),
            Event::Listed { listing, seller: ALICE, batch, amount: 40, price_per_unit: 25 * ECT }.into()
        );
        // Escrowed credits cannot be moved by the seller.
        assert_noop!(Ccr::transfer(RuntimeOrigin::signed(ALICE), BOB, batch, 61), Error::<Test>::InsufficientBalance);
        assert_ok!(Ccr::list(RuntimeOrigin::signed(ALICE), batch, 60, ECT));
        assert_eq!(LastListingId::<Test>::get(), 2);
        assert!(!Holdings::<Test>::contains_key(ALICE, batch));
    });
}

#[test]
fn list_errors() {
    ExtBuilder::default().build_and_execute(|| {
        let batch = issue(ALICE, 100, b"b1", YEAR_MS);
        let a = RuntimeOrigin::signed(ALICE);
        assert_noop!(Ccr::list(a.clone(), batch, 0, ECT), Error::<Test>::ZeroAmount);
        assert_noop!(Ccr::list(a.clone(), batch, 1, 0), Error::<Test>::ZeroPrice);
        assert_noop!(Ccr::list(a.clone(), batch, 2, u128::MAX), Error::<Test>::PriceOverflow);
        assert_noop!(Ccr::list(a.clone(), 9, 1, ECT), Error::<Test>::UnknownBatch);
        assert_noop!(Ccr::list(a.clone(), batch, 101, ECT), Error::<Test>::InsufficientBalance);
        // A price of u128::MAX for a single credit is representable.
        assert_ok!(Ccr::list(a.clone(), batch, 1, u128::MAX));
        // MaxListingsPerSeller (3) open listings per seller, MaxListings (4) in all.
        for _ in 0..2 {
            assert_ok!(Ccr::list(a.clone(), batch, 1, ECT));
        }
        assert_noop!(Ccr::list(a.clone(), batch, 1, ECT), Error::<Test>::TooManyListingsOfSeller);
        assert_ok!(Ccr::transfer(a.clone(), BOB, batch, 10));
        let b = RuntimeOrigin::signed(BOB);
        assert_ok!(Ccr::list(b.clone(), batch, 1, ECT));
        assert_noop!(Ccr::list(b, batch, 1, ECT), Error::<Test>::TooManyListings);
        assert_ok!(Ccr::cancel(a.clone(), 2));
        assert_eq!(SellerListings::<Test>::get(ALICE), 2);
        assert_ok!(Ccr::list(a, batch, 1, ECT));
        assert_eq!(LastListingId::<Test>::get(), 5);
    });
}

#[test]
fn cancel_returns_the_remainder() {
    ExtBuilder::default().build_and_execute(|| {
        let (batch, listing) = listed();
        assert_ok!(Ccr::buy(RuntimeOrigin::signed(BOB), listing, 15));
        assert_ok!(Ccr::cancel(RuntimeOrigin::signed(ALICE), listing));
        assert_eq!(Holdings::<Test>::get(ALICE, batch), 85);
        assert_eq!(Holdings::<Test>::get(BOB, batch), 15);
        assert!(!Listings::<Test>::contains_key(listing));
        assert_eq!(ListingCount::<Test>::get(), 0);
        assert_eq!(last_event(), Event::ListingCancelled { listing, seller: ALICE, batch, amount: 25 }.into());
    });
}

#[test]
fn cancel_errors() {
    ExtBuilder::default().build_and_execute(|| {
        let (_, listing) = listed();
        assert_noop!(Ccr::cancel(RuntimeOrigin::signed(BOB), listing), Error::<Test>::NotSeller);
        assert_noop!(Ccr::cancel(RuntimeOrigin::signed(ALICE), 9), Error::<Test>::UnknownListing);
        assert_ok!(Ccr::cancel(RuntimeOrigin::signed(ALICE), listing));
        assert_noop!(Ccr::cancel(RuntimeOrigin::signed(ALICE), listing), Error::<Test>::UnknownListing);
    });
}

#[test]
fn expired_listing_can_be_cancelled_but_not_bought() {
    ExtBuilder::default().build_and_execute(|| {
        let batch = issue(ALICE, 100, b"b1", DAY_MS);
        assert_ok!(Ccr::list(RuntimeOrigin::signed(ALICE), batch, 40, ECT));
        advance_ms(DAY_MS);
        assert_noop!(Ccr::buy(RuntimeOrigin::signed(BOB), 1, 1), Error::<Test>::CreditExpired);
        assert!(Ccr::marketplace()[0].expired);
        assert_ok!(Ccr::cancel(RuntimeOrigin::signed(ALICE), 1));
        assert_eq!(Holdings::<Test>::get(ALICE, batch), 100);
    });
}

#[test]
fn buy_swaps_ect_for_credits_with_partial_fills() {
    ExtBuilder::default().build_and_execute(|| {
        let (batch, listing) = listed();
        // Bob buys 4 credits at 25 ECT: 100 ECT to Alice.
        assert_ok!(Ccr::buy(RuntimeOrigin::signed(BOB), listing, 4));
        assert_eq!(Balances::free_balance(BOB), 900 * ECT);
        assert_eq!(Balances::free_balance(ALICE), 1_100 * ECT);
        assert_eq!(Holdings::<Test>::get(BOB, batch), 4);
        assert_eq!(Listings::<Test>::get(listing).map(|l| l.amount), Some(36));
        assert_eq!(
            last_event(),
            Event::Sold { listing, seller: ALICE, buyer: BOB, batch, amount: 4, price: 100 * ECT }.into()
        );
        // Buying the rest closes the listing.
        assert_ok!(Ccr::buy(RuntimeOrigin::signed(BOB), listing, 36));
        assert_eq!(Balances::free_balance(BOB), 0);
        assert_eq!(Balances::free_balance(ALICE), 2_000 * ECT);
        assert_eq!(Holdings::<Test>::get(BOB, batch), 40);
        assert!(!Listings::<Test>::contains_key(listing));
        assert_eq!(ListingCount::<Test>::get(), 0);
        assert_noop!(Ccr::buy(RuntimeOrigin::signed(CHARLIE), listing, 1), Error::<Test>::UnknownListing);
    });
}

#[test]
fn buy_errors() {
    ExtBuilder::default().build_and_execute(|| {
        let (_, listing) = listed();
        let b = RuntimeOrigin::signed(BOB);
        assert_noop!(Ccr::buy(b.clone(), listing, 0), Error::<Test>::ZeroAmount);
        assert_noop!(Ccr::buy(b.clone(), 9, 1), Error::<Test>::UnknownListing);
        assert_noop!(Ccr::buy(b, listing, 41), Error::<Test>::InsufficientListed);
        assert_noop!(Ccr::buy(RuntimeOrigin::signed(ALICE), listing, 1), Error::<Test>::OwnListing);
        // Charlie has 10 ECT; one credit costs 25.
        assert_noop!(Ccr::buy(RuntimeOrigin::signed(CHARLIE), listing, 1), Error::<Test>::InsufficientFunds);
        // Nobody else has an account: no ECT at all.
        assert_noop!(Ccr::buy(RuntimeOrigin::signed(99), listing, 1), Error::<Test>::InsufficientFunds);
    });
}

#[test]
fn buy_refused_while_ect_is_paused() {
    ExtBuilder::default().build_and_execute(|| {
        let (_, listing) = listed();
        assert_ok!(Ect::pause(RuntimeOrigin::root()));
        assert_noop!(Ccr::buy(RuntimeOrigin::signed(BOB), listing, 1), pallet_ect::Error::<Test>::TokenPaused);
        // CCR itself keeps working: the seller can still cancel.
        assert_ok!(Ect::unpause(RuntimeOrigin::root()));
        assert_ok!(Ccr::buy(RuntimeOrigin::signed(BOB), listing, 1));
    });
}

#[test]
fn a_seller_cannot_reprice_a_listing_under_a_buyer() {
    ExtBuilder::default().build_and_execute(|| {
        let (batch, listing) = listed();
        // Bob saw listing 1 at 25 ECT. Alice cancels and lists the same credits at 100 ECT.
        assert_ok!(Ccr::cancel(RuntimeOrigin::signed(ALICE), listing));
        assert_ok!(Ccr::list(RuntimeOrigin::signed(ALICE), batch, 40, 100 * ECT));
        assert_eq!(LastListingId::<Test>::get(), 2, "a new listing, under a new id");
        // Bob's purchase of listing 1 fails instead of paying the new price.
        assert_noop!(Ccr::buy(RuntimeOrigin::signed(BOB), listing, 4), Error::<Test>::UnknownListing);
        assert_eq!(Balances::free_balance(BOB), 1_000 * ECT);
    });
}

#[test]
fn holders_and_transactions_are_counted() {
    ExtBuilder::default().build_and_execute(|| {
        let (holders, txs) = (Ccr::holders(), Ccr::transactions());
        let (batch, listing) = listed();
        let other = issue(ALICE, 5, b"b2", YEAR_MS);
        // Alice: two batches, one holder; issue, list, issue: three calls.
        assert_eq!((Ccr::holders(), Ccr::transactions()), (holders + 1, txs + 3));
        assert_ok!(Ccr::buy(RuntimeOrigin::signed(BOB), listing, 40));
        assert_eq!((Ccr::holders(), Ccr::transactions()), (holders + 2, txs + 4));
        assert_ok!(Ccr::retire(RuntimeOrigin::signed(ALICE), batch, 60, beneficiary(b"x")));
        assert_eq!(Ccr::holders(), holders + 2, "Alice still holds the other batch");
        assert_ok!(Ccr::transfer(RuntimeOrigin::signed(ALICE), BOB, other, 5));
        assert_eq!((Ccr::holders(), Ccr::transactions()), (holders + 1, txs + 6));
        assert_noop!(Ccr::transfer(RuntimeOrigin::signed(ALICE), BOB, other, 1), Error::<Test>::InsufficientBalance);
    });
}

#[test]
fn one_seller_cannot_fill_the_marketplace() {
    ExtBuilder::default().build_and_execute(|| {
        let batch = issue(ALICE, 100, b"b1", YEAR_MS);
        assert_ok!(Ccr::transfer(RuntimeOrigin::signed(ALICE), BOB, batch, 10));
        let a = RuntimeOrigin::signed(ALICE);
        for _ in 0..3 {
            assert_ok!(Ccr::list(a.clone(), batch, 1, ECT));
        }
        assert_noop!(Ccr::list(a.clone(), batch, 1, ECT), Error::<Test>::TooManyListingsOfSeller);
        // Room is left for another seller.
        assert_ok!(Ccr::list(RuntimeOrigin::signed(BOB), batch, 1, ECT));
        // A sold-out listing frees its seller's slot.
        assert_ok!(Ccr::buy(RuntimeOrigin::signed(BOB), 1, 1));
        assert_eq!(SellerListings::<Test>::get(ALICE), 2);
        assert_ok!(Ccr::list(a, batch, 1, ECT));
    });
}
