use crate::{mock::*, Error, Event, Listings, OperatorApprovals, OwnedTokens, TokenApprovals};
use ecochain_primitives::ECT;
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

#[test]
fn owner_transfers_and_emits() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::transfer(RuntimeOrigin::signed(ALICE), id, BOB));
        assert_eq!(last_event(), Event::Transferred { token_id: id, from: ALICE, to: BOB }.into());
        assert_eq!(Ecr::owner_of(id), Some(BOB));
        assert!(!OwnedTokens::<Test>::contains_key(ALICE));
        assert_eq!(OwnedTokens::<Test>::get(BOB).into_inner(), vec![id]);
    });
}

#[test]
fn transfer_errors() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_noop!(Ecr::transfer(RuntimeOrigin::signed(BOB), id, CHARLIE), Error::<Test>::NotAuthorized);
        assert_noop!(Ecr::transfer(RuntimeOrigin::signed(ALICE), 99, BOB), Error::<Test>::UnknownToken);
        assert_noop!(Ecr::transfer(RuntimeOrigin::signed(ALICE), id, ALICE), Error::<Test>::TransferToSelf);
        assert_noop!(Ecr::transfer(RuntimeOrigin::none(), id, BOB), DispatchError::BadOrigin);
    });
}

#[test]
fn transfer_refused_when_recipient_is_full() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        for _ in 0..MAX_TOKENS {
            mint_to(BOB);
        }
        assert_noop!(Ecr::transfer(RuntimeOrigin::signed(ALICE), id, BOB), Error::<Test>::TooManyTokens);
    });
}

#[test]
fn approved_account_transfers_once() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::approve(RuntimeOrigin::signed(ALICE), id, Some(BOB)));
        assert_eq!(last_event(), Event::Approved { token_id: id, owner: ALICE, spender: Some(BOB) }.into());
        assert_eq!(Ecr::approved(id), Some(BOB));
        assert_ok!(Ecr::transfer(RuntimeOrigin::signed(BOB), id, CHARLIE));
        assert_eq!(Ecr::owner_of(id), Some(CHARLIE));
        // The transfer cleared the approval.
        assert_eq!(Ecr::approved(id), None);
        assert_noop!(Ecr::transfer(RuntimeOrigin::signed(BOB), id, ALICE), Error::<Test>::NotAuthorized);
    });
}

#[test]
fn approval_can_be_cleared() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::approve(RuntimeOrigin::signed(ALICE), id, Some(BOB)));
        assert_ok!(Ecr::approve(RuntimeOrigin::signed(ALICE), id, None));
        assert_eq!(last_event(), Event::Approved { token_id: id, owner: ALICE, spender: None }.into());
        assert!(!TokenApprovals::<Test>::contains_key(id));
        assert_noop!(Ecr::transfer(RuntimeOrigin::signed(BOB), id, BOB), Error::<Test>::NotAuthorized);
    });
}

#[test]
fn approve_errors() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_noop!(Ecr::approve(RuntimeOrigin::signed(BOB), id, Some(BOB)), Error::<Test>::NotAuthorized);
        assert_noop!(Ecr::approve(RuntimeOrigin::signed(ALICE), id, Some(ALICE)), Error::<Test>::ApproveToOwner);
        assert_noop!(Ecr::approve(RuntimeOrigin::signed(ALICE), 99, Some(BOB)), Error::<Test>::UnknownToken);
        // An approved account may transfer but not approve others.
        assert_ok!(Ecr::approve(RuntimeOrigin::signed(ALICE), id, Some(BOB)));
        assert_noop!(Ecr::approve(RuntimeOrigin::signed(BOB), id, Some(CHARLIE)), Error::<Test>::NotAuthorized);
    });
}

#[test]
fn operator_transfers_and_approves_all_tokens() {
    ExtBuilder::default().build_and_execute(|| {
        let a = mint_to(ALICE);
        let b = mint_to(ALICE);
        assert_ok!(Ecr::set_approval_for_all(RuntimeOrigin::signed(ALICE), BOB, true));
        assert_eq!(last_event(), Event::ApprovalForAll { owner: ALICE, operator: BOB, approved: true }.into());
        assert!(Ecr::is_approved_for_all(&ALICE, &BOB));
        assert_ok!(Ecr::approve(RuntimeOrigin::signed(BOB), b, Some(CHARLIE)));
        assert_eq!(last_event(), Event::Approved { token_id: b, owner: ALICE, spender: Some(CHARLIE) }.into());
        assert_ok!(Ecr::transfer(RuntimeOrigin::signed(BOB), a, CHARLIE));
        assert_ok!(Ecr::transfer(RuntimeOrigin::signed(CHARLIE), b, CHARLIE));
        assert_eq!(Ecr::balance_of(&CHARLIE), 2);
        // The operator acts for Alice, not for Charlie, the new owner.
        assert_noop!(Ecr::transfer(RuntimeOrigin::signed(BOB), a, ALICE), Error::<Test>::NotAuthorized);
    });
}

#[test]
fn operator_approval_can_be_withdrawn() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::set_approval_for_all(RuntimeOrigin::signed(ALICE), BOB, true));
        assert_ok!(Ecr::set_approval_for_all(RuntimeOrigin::signed(ALICE), BOB, false));
        assert_eq!(last_event(), Event::ApprovalForAll { owner: ALICE, operator: BOB, approved: false }.into());
        assert!(!OperatorApprovals::<Test>::contains_key(ALICE, BOB));
        assert_noop!(Ecr::transfer(RuntimeOrigin::signed(BOB), id, BOB), Error::<Test>::NotAuthorized);
        assert_noop!(
            Ecr::set_approval_for_all(RuntimeOrigin::signed(ALICE), ALICE, true),
            Error::<Test>::ApproveToCaller
        );
    });
}

#[test]
fn burn_removes_token_and_its_approval() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::approve(RuntimeOrigin::signed(ALICE), id, Some(BOB)));
        assert_ok!(Ecr::burn(RuntimeOrigin::signed(ALICE), id));
        assert_eq!(last_event(), Event::Burned { token_id: id, owner: ALICE }.into());
        assert_eq!(Ecr::verify(id), None);
        assert_eq!(Ecr::approved(id), None);
        assert_eq!(Ecr::balance_of(&ALICE), 0);
        assert_eq!(Ecr::total_supply(), 0);
    });
}

#[test]
fn burn_errors() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::set_approval_for_all(RuntimeOrigin::signed(ALICE), BOB, true));
        // Only the owner burns: approved accounts and operators may not.
        assert_noop!(Ecr::burn(RuntimeOrigin::signed(BOB), id), Error::<Test>::NotOwner);
        assert_noop!(Ecr::burn(RuntimeOrigin::signed(ALICE), 99), Error::<Test>::UnknownToken);
    });
}

#[test]
fn transfer_and_burn_cancel_a_listing() {
    ExtBuilder::default().build_and_execute(|| {
        let a = mint_to(ALICE);
        let b = mint_to(ALICE);
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), a, 10 * ECT));
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), b, 10 * ECT));
        assert_ok!(Ecr::transfer(RuntimeOrigin::signed(ALICE), a, BOB));
        assert!(!Listings::<Test>::contains_key(a));
        assert!(ecr_events().contains(&Event::ListingCancelled { token_id: a, seller: ALICE }));
        assert_ok!(Ecr::burn(RuntimeOrigin::signed(ALICE), b));
        assert!(!Listings::<Test>::contains_key(b));
        assert!(ecr_events().contains(&Event::ListingCancelled { token_id: b, seller: ALICE }));
        assert!(Ecr::listings().is_empty());
        // Bob cannot buy the token he now owns through Alice's stale price.
        assert_noop!(Ecr::buy(RuntimeOrigin::signed(CHARLIE), a, ECT), Error::<Test>::NotListed);
    });
}
