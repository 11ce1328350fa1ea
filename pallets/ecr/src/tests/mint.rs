use crate::{mock::*, Certificates, Error, Event, LastTokenId, OwnedTokens, TokenCount};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

#[test]
fn mint_records_certificate_and_emits() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Ecr::mint(
            RuntimeOrigin::signed(ISSUER),
            ALICE,
            bytes(b"reforestation"),
            250,
            4,
            bytes(b"ipfs://x")
        ));
        assert_eq!(
            last_event(),
            Event::Minted { token_id: 1, issuer: ISSUER, to: ALICE, rarity: 4, impact_score: 250 }.into()
        );
        let record = Ecr::verify(1).expect("token 1 exists");
        assert_eq!(record.owner, ALICE);
        assert_eq!(record.issuer, ISSUER);
        assert_eq!(record.certificate_type, b"reforestation".to_vec());
        assert_eq!(record.impact_score, 250);
        assert_eq!(record.rarity, 4);
        assert_eq!(record.metadata, b"ipfs://x".to_vec());
        assert_eq!(record.issued_at, START_MS);
        assert!(record.verified);
        assert!(!record.locked);
        assert_eq!(Ecr::owner_of(1), Some(ALICE));
        assert_eq!(Ecr::balance_of(&ALICE), 1);
        assert_eq!(Ecr::total_supply(), 1);
    });
}

#[test]
fn ids_start_at_one_and_are_never_reused() {
    ExtBuilder::default().build_and_execute(|| {
        assert_eq!(mint_to(ALICE), 1);
        assert_eq!(mint_to(BOB), 2);
        assert_ok!(Ecr::burn(RuntimeOrigin::signed(BOB), 2));
        assert_eq!(mint_to(BOB), 3);
        assert_eq!(LastTokenId::<Test>::get(), 3);
        assert_eq!(TokenCount::<Test>::get(), 2);
        assert!(!Certificates::<Test>::contains_key(2));
    });
}

#[test]
fn every_rarity_from_one_to_five_is_accepted() {
    ExtBuilder::default().build_and_execute(|| {
        for rarity in 1..=5u8 {
            assert_ok!(Ecr::mint(RuntimeOrigin::signed(ISSUER), ALICE, bytes(b"t"), 0, rarity, bytes(b"")));
            assert_eq!(Ecr::verify(u64::from(rarity)).map(|r| r.rarity), Some(rarity));
        }
    });
}

#[test]
fn mint_errors() {
    ExtBuilder::default().build_and_execute(|| {
        let mint = |origin, rarity, kind: &[u8]| Ecr::mint(origin, ALICE, bytes(kind), 1, rarity, bytes(b"ipfs://x"));
        assert_noop!(mint(RuntimeOrigin::signed(ISSUER), 0, b"t"), Error::<Test>::InvalidRarity);
        assert_noop!(mint(RuntimeOrigin::signed(ISSUER), 6, b"t"), Error::<Test>::InvalidRarity);
        assert_noop!(mint(RuntimeOrigin::signed(ISSUER), 3, b""), Error::<Test>::EmptyCertificateType);
        assert_noop!(mint(RuntimeOrigin::signed(ALICE), 3, b"t"), Error::<Test>::NotIssuer);
        assert_noop!(mint(RuntimeOrigin::root(), 3, b"t"), DispatchError::BadOrigin);
        assert_noop!(mint(RuntimeOrigin::none(), 3, b"t"), DispatchError::BadOrigin);
        assert_eq!(LastTokenId::<Test>::get(), 0);
    });
}

#[test]
fn removed_issuer_cannot_mint() {
    ExtBuilder::default().build_and_execute(|| {
        remove_issuer(ISSUER);
        assert_noop!(
            Ecr::mint(RuntimeOrigin::signed(ISSUER), ALICE, bytes(b"t"), 1, 1, bytes(b"")),
            Error::<Test>::NotIssuer
        );
        assert_ok!(Ecr::mint(RuntimeOrigin::signed(ISSUER2), ALICE, bytes(b"t"), 1, 1, bytes(b"")));
    });
}

#[test]
fn mint_refused_past_max_tokens_per_owner() {
    ExtBuilder::default().build_and_execute(|| {
        for _ in 0..MAX_TOKENS {
            mint_to(ALICE);
        }
        assert_noop!(
            Ecr::mint(RuntimeOrigin::signed(ISSUER), ALICE, bytes(b"t"), 1, 1, bytes(b"")),
            Error::<Test>::TooManyTokens
        );
        assert_eq!(OwnedTokens::<Test>::get(ALICE).len() as u32, MAX_TOKENS);
    });
}

#[test]
fn certificates_query_lists_owned_tokens_in_id_order() {
    ExtBuilder::default().build_and_execute(|| {
        let a = mint_to(ALICE);
        let b = mint_to(BOB);
        let c = mint_to(ALICE);
        let d = mint_to(ALICE);
        // Removing `a` swap-removes it in the index; the query still sorts.
        assert_ok!(Ecr::transfer(RuntimeOrigin::signed(ALICE), a, BOB));
        let alice: Vec<_> = Ecr::certificates(&ALICE).into_iter().map(|(id, _)| id).collect();
        assert_eq!(alice, vec![c, d]);
        let bob = Ecr::certificates(&BOB);
        assert_eq!(bob.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![a, b]);
        assert!(bob.iter().all(|(_, r)| r.owner == BOB));
        assert!(Ecr::certificates(&CHARLIE).is_empty());
        assert_eq!(Ecr::verify(99), None);
    });
}
