use crate::{mock::*, Batches, Error, Event, Holdings, LastBatchId, VerificationIds};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

#[test]
fn verifier_issues_a_batch() {
    ExtBuilder::default().build_and_execute(|| {
        let expiry = START + YEAR_MS;
        assert_ok!(Ccr::issue(RuntimeOrigin::signed(VERIFIER), ALICE, 1_000, vid(b"VCS-001"), START - 1_000, expiry));
        assert_eq!(LastBatchId::<Test>::get(), 1);
        assert_eq!(Holdings::<Test>::get(ALICE, 1), 1_000);
        assert_eq!(VerificationIds::<Test>::get(vid(b"VCS-001")), Some(1));
        let info = Batches::<Test>::get(1).expect("batch 1 stored");
        assert_eq!(info.verifier, VERIFIER);
        assert_eq!(info.issue_date, START - 1_000);
        assert_eq!(info.expiry_date, expiry);
        assert_eq!((info.issued, info.retired), (1_000, 0));
        assert_eq!(
            last_event(),
            Event::Issued {
                batch: 1,
                verifier: VERIFIER,
                to: ALICE,
                amount: 1_000,
                verification_id: vid(b"VCS-001"),
                expiry_date: expiry
            }
            .into()
        );
    });
}

#[test]
fn batch_ids_count_up_from_one() {
    ExtBuilder::default().build_and_execute(|| {
        assert_eq!(issue(ALICE, 5, b"a", DAY_MS), 1);
        assert_eq!(issue(BOB, 7, b"b", DAY_MS), 2);
        assert_eq!(issue(ALICE, 9, b"c", DAY_MS), 3);
        assert_eq!(Holdings::<Test>::get(BOB, 2), 7);
        assert_eq!(Ccr::stats().batches, 3);
        assert_eq!(Ccr::stats().total_issued, 21);
    });
}

#[test]
fn only_verifiers_issue() {
    ExtBuilder::default().build_and_execute(|| {
        let now = START;
        assert_noop!(
            Ccr::issue(RuntimeOrigin::signed(ALICE), ALICE, 1, vid(b"x"), now, now + DAY_MS),
            Error::<Test>::NotVerifier
        );
        assert_noop!(
            Ccr::issue(RuntimeOrigin::root(), ALICE, 1, vid(b"x"), now, now + DAY_MS),
            DispatchError::BadOrigin
        );
        assert_noop!(
            Ccr::issue(RuntimeOrigin::none(), ALICE, 1, vid(b"x"), now, now + DAY_MS),
            DispatchError::BadOrigin
        );
    });
}

#[test]
fn issue_input_errors() {
    ExtBuilder::default().build_and_execute(|| {
        let v = RuntimeOrigin::signed(VERIFIER);
        assert_noop!(Ccr::issue(v.clone(), ALICE, 0, vid(b"x"), START, START + DAY_MS), Error::<Test>::ZeroAmount);
        assert_noop!(
            Ccr::issue(v.clone(), ALICE, 1, vid(b""), START, START + DAY_MS),
            Error::<Test>::EmptyVerificationId
        );
        assert_noop!(
            Ccr::issue(v.clone(), ALICE, 1, vid(b"x"), START + DAY_MS, START + DAY_MS),
            Error::<Test>::ExpiryNotAfterIssue
        );
        assert_noop!(
            Ccr::issue(v.clone(), ALICE, 1, vid(b"x"), START + 2 * DAY_MS, START + DAY_MS),
            Error::<Test>::ExpiryNotAfterIssue
        );
        // Expiring exactly now is already expired.
        assert_noop!(Ccr::issue(v.clone(), ALICE, 1, vid(b"x"), 0, START), Error::<Test>::ExpiryInPast);
        assert_noop!(Ccr::issue(v, ALICE, 1, vid(b"x"), 0, START - 1), Error::<Test>::ExpiryInPast);
    });
}

#[test]
fn a_verification_id_is_issued_once_ever() {
    ExtBuilder::default().build_and_execute(|| {
        let batch = issue(ALICE, 10, b"VCS-42", DAY_MS);
        assert_noop!(
            Ccr::issue(RuntimeOrigin::signed(VERIFIER), BOB, 10, vid(b"VCS-42"), START, START + YEAR_MS),
            Error::<Test>::VerificationIdUsed
        );
        // Still refused after the whole batch is retired and expired.
        assert_ok!(Ccr::retire(RuntimeOrigin::signed(ALICE), batch, 10, beneficiary(b"")));
        advance_ms(2 * DAY_MS);
        let now = Ccr::now_ms();
        assert_noop!(
            Ccr::issue(RuntimeOrigin::signed(VERIFIER), BOB, 10, vid(b"VCS-42"), now, now + YEAR_MS),
            Error::<Test>::VerificationIdUsed
        );
    });
}

#[test]
fn verification_id_is_bounded() {
    let too_long: Result<crate::VerificationIdOf<Test>, _> = vec![b'x'; 17].try_into();
    assert!(too_long.is_err());
    let fits: Result<crate::VerificationIdOf<Test>, _> = vec![b'x'; 16].try_into();
    assert!(fits.is_ok());
}

#[test]
fn oversized_verification_id_does_not_decode() {
    use codec::{Decode, Encode};
    // A call carrying a 17-byte id is rejected when the extrinsic is decoded.
    let mut encoded = vec![0u8]; // call_index 0: issue
    encoded.extend(ALICE.encode());
    encoded.extend(1u128.encode());
    encoded.extend(vec![b'x'; 17].encode());
    encoded.extend(START.encode());
    encoded.extend((START + DAY_MS).encode());
    assert!(crate::Call::<Test>::decode(&mut &encoded[..]).is_err());
    // The same with 16 bytes decodes.
    let mut ok = vec![0u8];
    ok.extend(ALICE.encode());
    ok.extend(1u128.encode());
    ok.extend(vec![b'x'; 16].encode());
    ok.extend(START.encode());
    ok.extend((START + DAY_MS).encode());
    assert!(crate::Call::<Test>::decode(&mut &ok[..]).is_ok());
}
