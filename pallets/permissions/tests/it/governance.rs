use frame_support::{assert_noop, assert_ok};
use pallet_permissions::mock::*;
use pallet_permissions::{Call, Error, Event, Proposals};

fn add_four() -> Box<RuntimeCall> {
    Box::new(RuntimeCall::Permissions(Call::add_validator { account: 4, consensus_key: key(4), bridge_key: bridge(4) }))
}

#[test]
fn majority_of_validators_enacts_a_call() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Permissions::propose(RuntimeOrigin::signed(V1), add_four()));
        assert_eq!(last_event(), Event::Voted { id: 0, voter: V1, ayes: 1, threshold: 2 }.into());
        assert!(Proposals::<Test>::contains_key(0));
        assert_ok!(Permissions::vote(RuntimeOrigin::signed(V2), 0));
        assert_eq!(last_event(), Event::Executed { id: 0, result: Ok(()) }.into());
        assert!(!Proposals::<Test>::contains_key(0));
        run_to_block(6);
        assert_eq!(validator_accounts(), vec![V1, V2, V3, 4]);
    });
}

#[test]
fn half_is_not_a_majority() {
    ExtBuilder::default().build_and_execute(|| {
        // Grow to four validators; two of four is not more than half.
        assert_ok!(Permissions::add_validator(RuntimeOrigin::root(), 4, key(4), bridge(4)));
        run_to_block(6);
        Permissions::note_author(key(4), 6);
        let call = Box::new(RuntimeCall::Permissions(Call::remove_validator { account: V3 }));
        assert_ok!(Permissions::propose(RuntimeOrigin::signed(V1), call));
        assert_ok!(Permissions::vote(RuntimeOrigin::signed(V2), 0));
        assert_eq!(last_event(), Event::Voted { id: 0, voter: V2, ayes: 2, threshold: 3 }.into());
        assert_ok!(Permissions::vote(RuntimeOrigin::signed(4), 0));
        assert_eq!(last_event(), Event::Executed { id: 0, result: Ok(()) }.into());
    });
}

#[test]
fn single_validator_enacts_alone() {
    ExtBuilder::default().validators(vec![(V1, key(1))]).build_and_execute(|| {
        assert_ok!(Permissions::propose(RuntimeOrigin::signed(V1), add_four()));
        assert_eq!(last_event(), Event::Executed { id: 0, result: Ok(()) }.into());
    });
}

#[test]
fn failing_call_is_reported_and_closed() {
    ExtBuilder::default().build_and_execute(|| {
        let call = Box::new(RuntimeCall::Permissions(Call::remove_validator { account: 77 }));
        assert_ok!(Permissions::propose(RuntimeOrigin::signed(V1), call));
        assert_ok!(Permissions::vote(RuntimeOrigin::signed(V3), 0));
        assert_eq!(last_event(), Event::Executed { id: 0, result: Err(Error::<Test>::NotValidator.into()) }.into());
        assert!(!Proposals::<Test>::contains_key(0));
    });
}

#[test]
fn voting_errors() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Permissions::propose(RuntimeOrigin::signed(OUTSIDER), add_four()), Error::<Test>::NotValidator);
        assert_noop!(Permissions::vote(RuntimeOrigin::signed(V1), 0), Error::<Test>::UnknownProposal);
        assert_ok!(Permissions::propose(RuntimeOrigin::signed(V1), add_four()));
        assert_noop!(Permissions::vote(RuntimeOrigin::signed(V1), 0), Error::<Test>::AlreadyVoted);
        assert_noop!(Permissions::vote(RuntimeOrigin::signed(OUTSIDER), 0), Error::<Test>::NotValidator);
        assert_noop!(Permissions::close_expired(RuntimeOrigin::signed(OUTSIDER), 0), Error::<Test>::ProposalStillOpen);
        run_to_block(102);
        assert_noop!(Permissions::vote(RuntimeOrigin::signed(V2), 0), Error::<Test>::ProposalExpired);
        assert_ok!(Permissions::close_expired(RuntimeOrigin::signed(OUTSIDER), 0));
        assert_eq!(last_event(), Event::ProposalExpired { id: 0 }.into());
        assert_noop!(Permissions::close_expired(RuntimeOrigin::signed(OUTSIDER), 0), Error::<Test>::UnknownProposal);
    });
}

#[test]
fn oversized_proposal_is_refused() {
    ExtBuilder::default().build_and_execute(|| {
        let call = Box::new(RuntimeCall::Permissions(Call::add_node { peer_id: vec![b'x'; 2_000] }));
        assert_noop!(Permissions::propose(RuntimeOrigin::signed(V1), call), Error::<Test>::ProposalTooLong);
    });
}

#[test]
fn votes_of_removed_validators_do_not_count() {
    ExtBuilder::default().build_and_execute(|| {
        let grant =
            Box::new(RuntimeCall::Permissions(Call::grant_role { who: 8, role: ecochain_primitives::Role::Minter }));
        assert_ok!(Permissions::propose(RuntimeOrigin::signed(V3), grant));
        // V3 leaves the set; its vote no longer counts.
        assert_ok!(Permissions::remove_validator(RuntimeOrigin::root(), V3));
        run_to_block(6);
        assert_ok!(Permissions::vote(RuntimeOrigin::signed(V1), 0));
        assert_eq!(last_event(), Event::Voted { id: 0, voter: V1, ayes: 1, threshold: 2 }.into());
        assert_ok!(Permissions::vote(RuntimeOrigin::signed(V2), 0));
        assert_eq!(last_event(), Event::Executed { id: 0, result: Ok(()) }.into());
    });
}
