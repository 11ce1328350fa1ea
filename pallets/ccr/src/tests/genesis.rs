use crate::{mock::*, Batches, Holdings, LastBatchId, VerificationIds};

#[test]
fn genesis_batches_are_issued_in_order() {
    ExtBuilder::default()
        .batch(genesis_batch(ALICE, 500, b"GEN-1"))
        .batch(genesis_batch(BOB, 250, b"GEN-2"))
        .build_and_execute(|| {
            assert_eq!(LastBatchId::<Test>::get(), 2);
            assert_eq!(Holdings::<Test>::get(ALICE, 1), 500);
            assert_eq!(Holdings::<Test>::get(BOB, 2), 250);
            assert_eq!(VerificationIds::<Test>::get(vid(b"GEN-2")), Some(2));
            assert_eq!(Batches::<Test>::get(1).map(|b| b.verifier), Some(VERIFIER));
            assert_eq!(Ccr::stats().total_issued, 750);
            assert_eq!(Ccr::holders(), 2);
            // Genesis ids count as used, and new batches continue the numbering.
            assert_eq!(issue(ALICE, 1, b"GEN-3", DAY_MS), 3);
        });
}

#[test]
#[should_panic(expected = "CCR genesis: batch #1 repeats a verification id")]
fn genesis_duplicate_verification_id_is_refused() {
    ExtBuilder::default().batch(genesis_batch(ALICE, 5, b"X")).batch(genesis_batch(BOB, 5, b"X")).build();
}

#[test]
#[should_panic(expected = "CCR genesis: batch #0 has a zero amount")]
fn genesis_zero_amount_is_refused() {
    ExtBuilder::default().batch(genesis_batch(ALICE, 0, b"X")).build();
}

#[test]
#[should_panic(expected = "CCR genesis: batch #0 has an empty verification id")]
fn genesis_empty_id_is_refused() {
    ExtBuilder::default().batch(genesis_batch(ALICE, 1, b"")).build();
}

#[test]
#[should_panic(expected = "longer than MaxIdLen")]
fn genesis_long_id_is_refused() {
    ExtBuilder::default().batch(genesis_batch(ALICE, 1, &[b'x'; 17])).build();
}

#[test]
#[should_panic(expected = "at or before its issue date")]
fn genesis_bad_dates_are_refused() {
    let mut b = genesis_batch(ALICE, 1, b"X");
    b.expiry_date = b.issue_date;
    ExtBuilder::default().batch(b).build();
}
