use crate::{mock::*, GenesisCertificate, LastTokenId, TokenCount};
use frame_support::assert_ok;

#[test]
fn genesis_certificates_get_ids_from_one() {
    ExtBuilder::default()
        .certificates(vec![genesis_certificate(ALICE), genesis_certificate(BOB), genesis_certificate(ALICE)])
        .build_and_execute(|| {
            assert_eq!(LastTokenId::<Test>::get(), 3);
            assert_eq!(TokenCount::<Test>::get(), 3);
            assert_eq!(Ecr::holders(), 2);
            assert_eq!(Ecr::certificates(&ALICE).iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![1, 3]);
            let record = Ecr::verify(2).expect("exists");
            assert_eq!(record.owner, BOB);
            assert_eq!(record.issuer, ISSUER);
            assert_eq!(record.issued_at, 1_600_000_000_000);
            assert!(record.verified);
            // Minting continues after the genesis ids.
            assert_eq!(mint_to(CHARLIE), 4);
            assert_ok!(Ecr::transfer(RuntimeOrigin::signed(ALICE), 1, CHARLIE));
        });
}

fn build_with(c: GenesisCertificate<u64>) {
    ExtBuilder::default().certificates(vec![c]).build();
}

#[test]
#[should_panic(expected = "ECR genesis: certificate #0 has rarity 0")]
fn genesis_rejects_rarity_zero() {
    build_with(GenesisCertificate { rarity: 0, ..genesis_certificate(ALICE) });
}

#[test]
#[should_panic(expected = "ECR genesis: certificate #0 has rarity 6")]
fn genesis_rejects_rarity_six() {
    build_with(GenesisCertificate { rarity: 6, ..genesis_certificate(ALICE) });
}

#[test]
#[should_panic(expected = "ECR genesis: certificate #0 has an empty type")]
fn genesis_rejects_empty_type() {
    build_with(GenesisCertificate { certificate_type: vec![], ..genesis_certificate(ALICE) });
}

#[test]
#[should_panic(expected = "ECR genesis: certificate #0 type is longer than MaxCertificateTypeLen")]
fn genesis_rejects_long_type() {
    build_with(GenesisCertificate { certificate_type: vec![b'x'; 33], ..genesis_certificate(ALICE) });
}

#[test]
#[should_panic(expected = "ECR genesis: certificate #0 metadata is longer than MaxMetadataLen")]
fn genesis_rejects_long_metadata() {
    build_with(GenesisCertificate { metadata: vec![b'x'; 129], ..genesis_certificate(ALICE) });
}

#[test]
#[should_panic(expected = "more than MaxTokensPerOwner")]
fn genesis_rejects_too_many_tokens_for_one_owner() {
    let too_many = (0..=MAX_TOKENS).map(|_| genesis_certificate(ALICE)).collect();
    ExtBuilder::default().certificates(too_many).build();
}
