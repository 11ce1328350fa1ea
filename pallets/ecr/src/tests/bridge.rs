use crate::{mock::*, Error, Event, Listings};
use ecochain_primitives::ECT;
use frame_support::{assert_noop, assert_ok};

#[test]
fn lock_marks_token_and_returns_record() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::approve(RuntimeOrigin::signed(ALICE), id, Some(BOB)));
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), id, ECT));
        let record = Ecr::do_lock(id, &ALICE).expect("Alice owns it");
        assert!(record.locked);
        assert_eq!(record.owner, ALICE);
        assert_eq!(record.metadata, b"ipfs://cert".to_vec());
        assert_eq!(Ecr::verify(id), Some(record));
        assert_eq!(Ecr::approved(id), None);
        assert!(!Listings::<Test>::contains_key(id));
        assert_eq!(last_event(), Event::Locked { token_id: id, owner: ALICE }.into());
        // Still listed among Alice's certificates, flagged locked.
        assert!(Ecr::certificates(&ALICE)[0].1.locked);
    });
}

#[test]
fn locked_token_cannot_move() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::set_approval_for_all(RuntimeOrigin::signed(ALICE), BOB, true));
        assert_ok!(Ecr::do_lock(id, &ALICE));
        assert_noop!(Ecr::transfer(RuntimeOrigin::signed(ALICE), id, BOB), Error::<Test>::TokenLocked);
        assert_noop!(Ecr::transfer(RuntimeOrigin::signed(BOB), id, BOB), Error::<Test>::TokenLocked);
        assert_noop!(Ecr::approve(RuntimeOrigin::signed(ALICE), id, Some(BOB)), Error::<Test>::TokenLocked);
        assert_noop!(Ecr::list(RuntimeOrigin::signed(ALICE), id, ECT), Error::<Test>::TokenLocked);
        assert_noop!(Ecr::burn(RuntimeOrigin::signed(ALICE), id), Error::<Test>::TokenLocked);
        assert_noop!(Ecr::do_lock(id, &ALICE), Error::<Test>::TokenLocked);
        // Revocation is a statement about the certificate and still applies.
        assert_ok!(Ecr::revoke(RuntimeOrigin::root(), id));
    });
}

#[test]
fn lock_errors() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_noop!(Ecr::do_lock(id, &BOB), Error::<Test>::NotOwner);
        assert_noop!(Ecr::do_lock(99, &ALICE), Error::<Test>::UnknownToken);
        assert_noop!(Ecr::do_unlock(id, &ALICE), Error::<Test>::NotLocked);
        assert_noop!(Ecr::do_unlock(99, &ALICE), Error::<Test>::UnknownToken);
    });
}

#[test]
fn unlock_to_another_account_moves_the_token() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::do_lock(id, &ALICE));
        System::reset_events();
        assert_ok!(Ecr::do_unlock(id, &BOB));
        assert_eq!(
            ecr_events(),
            vec![Event::Transferred { token_id: id, from: ALICE, to: BOB }, Event::Unlocked { token_id: id, to: BOB }]
        );
        let record = Ecr::verify(id).expect("exists");
        assert_eq!(record.owner, BOB);
        assert!(!record.locked);
        assert_ok!(Ecr::transfer(RuntimeOrigin::signed(BOB), id, CHARLIE));
    });
}

#[test]
fn unlock_to_the_owner_only_clears_the_lock() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::do_lock(id, &ALICE));
        System::reset_events();
        assert_ok!(Ecr::do_unlock(id, &ALICE));
        assert_eq!(ecr_events(), vec![Event::Unlocked { token_id: id, to: ALICE }]);
        assert_eq!(Ecr::verify(id).map(|r| (r.owner, r.locked)), Some((ALICE, false)));
    });
}

#[test]
fn unlock_refused_when_recipient_is_full() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        for _ in 0..MAX_TOKENS {
            mint_to(BOB);
        }
        assert_ok!(Ecr::do_lock(id, &ALICE));
        assert_noop!(Ecr::do_unlock(id, &BOB), Error::<Test>::TooManyTokens);
        assert!(Ecr::verify(id).is_some_and(|r| r.locked));
    });
}
