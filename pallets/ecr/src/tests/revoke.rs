use crate::{mock::*, Error, Event, Listings};
use ecochain_primitives::ECT;
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

#[test]
fn issuer_revokes_own_certificate() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::revoke(RuntimeOrigin::signed(ISSUER), id));
        assert_eq!(last_event(), Event::Revoked { token_id: id, by: Some(ISSUER) }.into());
        let record = Ecr::verify(id).expect("still exists");
        assert!(!record.verified);
        assert_eq!(record.owner, ALICE);
    });
}

#[test]
fn admin_revokes_any_certificate() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::revoke(RuntimeOrigin::root(), id));
        assert_eq!(last_event(), Event::Revoked { token_id: id, by: None }.into());
        assert_eq!(Ecr::verify(id).map(|r| r.verified), Some(false));
    });
}

#[test]
fn revoke_errors() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_noop!(Ecr::revoke(RuntimeOrigin::signed(ALICE), id), Error::<Test>::NotIssuer);
        assert_noop!(Ecr::revoke(RuntimeOrigin::signed(ISSUER2), id), Error::<Test>::NotTokenIssuer);
        assert_noop!(Ecr::revoke(RuntimeOrigin::root(), 99), Error::<Test>::UnknownToken);
        assert_noop!(Ecr::revoke(RuntimeOrigin::none(), id), DispatchError::BadOrigin);
        assert_ok!(Ecr::revoke(RuntimeOrigin::root(), id));
        assert_noop!(Ecr::revoke(RuntimeOrigin::signed(ISSUER), id), Error::<Test>::AlreadyRevoked);
        assert_noop!(Ecr::revoke(RuntimeOrigin::root(), id), Error::<Test>::AlreadyRevoked);
    });
}

#[test]
fn former_issuer_cannot_revoke() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        remove_issuer(ISSUER);
        assert_noop!(Ecr::revoke(RuntimeOrigin::signed(ISSUER), id), Error::<Test>::NotIssuer);
    });
}

#[test]
fn revoked_certificate_stays_transferable_but_not_listable() {
    ExtBuilder::default().build_and_execute(|| {
        let id = mint_to(ALICE);
        assert_ok!(Ecr::list(RuntimeOrigin::signed(ALICE), id, 5 * ECT));
        assert_ok!(Ecr::revoke(RuntimeOrigin::signed(ISSUER), id));
        // Revocation withdrew the listing so nobody buys an unverified certificate.
        assert!(!Listings::<Test>::contains_key(id));
        assert!(ecr_events().contains(&Event::ListingCancelled { token_id: id, seller: ALICE }));
        assert_noop!(Ecr::list(RuntimeOrigin::signed(ALICE), id, 5 * ECT), Error::<Test>::CertificateRevoked);
        assert_ok!(Ecr::transfer(RuntimeOrigin::signed(ALICE), id, BOB));
        assert_ok!(Ecr::burn(RuntimeOrigin::signed(BOB), id));
    });
}
