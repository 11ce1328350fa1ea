//! Inbound releases: what counts toward the threshold, the period cap at
//! approval time, and the bound on each relayer's pending approvals.

use crate::{
    mock::*, Approvals, Asset, Error, Event, Limits, PendingApprovals, PendingReleases, ReleaseState, Releases, Voted,
};
use ecochain_primitives::ECT;
use frame_support::{assert_noop, assert_ok};
use sp_core::{H160, H256};
use sp_runtime::DispatchError;

fn source(n: u8) -> crate::SourceKey {
    (DESTINATION.chain_id, DESTINATION.bridge, H256::repeat_byte(n), 0)
}

fn approve(relayer: u64, n: u8, amount: u128) -> sp_runtime::DispatchResult {
    Bridge::approve_release(RuntimeOrigin::signed(relayer), source(n), Asset::Ect(amount), BOB)
}

fn fund_bridge() {
    assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), 500 * ECT, H160::repeat_byte(1)));
}

fn capped(cap: u128) -> Limits {
    Limits { max_per_transfer: 0, cap_per_period: cap, period_ms: 60_000, delay_threshold: 0, release_delay_ms: 0 }
}

#[test]
fn a_release_above_the_period_cap_is_refused_at_approval() {
    build_and_execute(Some(capped(500 * ECT)), || {
        fund_bridge();
        assert_ok!(Bridge::set_limits(RuntimeOrigin::root(), Some(capped(100 * ECT))));
        // No period could ever hold 101 ECT: refused at once, nothing recorded.
        assert_noop!(approve(RELAYERS[0], 1, 101 * ECT), Error::<Test>::AboveInboundCap);
        assert_eq!(PendingReleases::<Test>::get(), 0);
        // Exactly the cap is released.
        assert_ok!(approve(RELAYERS[0], 2, 100 * ECT));
        assert_ok!(approve(RELAYERS[1], 2, 100 * ECT));
        assert_eq!(Balances::free_balance(BOB), 200 * ECT);
        // Once the admin raises the cap, the larger release goes through.
        assert_ok!(Bridge::set_limits(RuntimeOrigin::root(), Some(capped(200 * ECT))));
        advance_ms(60_000);
        assert_ok!(approve(RELAYERS[0], 1, 101 * ECT));
        assert_ok!(approve(RELAYERS[1], 1, 101 * ECT));
        assert_eq!(Balances::free_balance(BOB), 301 * ECT);
    });
}

#[test]
fn a_revoked_relayers_approval_does_not_count() {
    build_and_execute(None, || {
        fund_bridge();
        assert_ok!(approve(RELAYERS[0], 3, 10 * ECT));
        revoke_relayer(RELAYERS[0]);
        assert_noop!(approve(RELAYERS[0], 4, 10 * ECT), Error::<Test>::NotRelayer);
        // Two approvals stored, one from a current relayer: below the threshold of 2.
        assert_ok!(approve(RELAYERS[1], 3, 10 * ECT));
        assert_eq!(Balances::free_balance(BOB), 100 * ECT, "nothing released");
        assert_eq!(
            events().last(),
            Some(&Event::ReleaseApproved { source: source(3), relayer: RELAYERS[1], approvals: 1 })
        );
        assert_ok!(approve(RELAYERS[2], 3, 10 * ECT));
        assert_eq!(Balances::free_balance(BOB), 110 * ECT);
        let decided = Releases::<Test>::get(source(3)).expect("decided");
        assert_eq!(decided.approvals.to_vec(), vec![RELAYERS[1], RELAYERS[2]]);
        assert_eq!(PendingApprovals::<Test>::iter().count(), 0, "every vote on the key forgotten");
    });
}

#[test]
fn a_delayed_release_whose_approver_is_revoked_is_reopened() {
    let limits = Limits {
        max_per_transfer: 0,
        cap_per_period: 0,
        period_ms: 0,
        delay_threshold: 50 * ECT,
        release_delay_ms: 1_000,
    };
    build_and_execute(Some(limits), || {
        fund_bridge();
        assert_ok!(approve(RELAYERS[0], 5, 100 * ECT));
        assert_ok!(approve(RELAYERS[1], 5, 100 * ECT));
        assert!(matches!(Releases::<Test>::get(source(5)).map(|r| r.state), Some(ReleaseState::Delayed(_))));
        revoke_relayer(RELAYERS[1]);
        advance_ms(1_000);
        // Executing finds one current approval of the two needed: reopened, nothing paid.
        assert_ok!(Bridge::execute_release(RuntimeOrigin::signed(BOB), source(5)));
        assert_eq!(Balances::free_balance(BOB), 100 * ECT);
        assert_eq!(events().last(), Some(&Event::ReleaseReopened { source: source(5), approvals: 1 }));
        assert!(Releases::<Test>::get(source(5)).is_none());
        assert!(Voted::<Test>::contains_key(source(5), RELAYERS[0]), "the current relayer's approval is kept");
        assert_noop!(approve(RELAYERS[0], 5, 100 * ECT), Error::<Test>::AlreadyApproved);
        // Another current relayer approves: decided again, then executed after the delay.
        assert_ok!(approve(RELAYERS[2], 5, 100 * ECT));
        advance_ms(1_000);
        assert_ok!(Bridge::execute_release(RuntimeOrigin::signed(BOB), source(5)));
        assert_eq!(Balances::free_balance(BOB), 200 * ECT);
        assert_eq!(Releases::<Test>::get(source(5)).map(|r| r.state), Some(ReleaseState::Executed));
    });
}

#[test]
fn pending_approvals_per_relayer_are_bounded() {
    build_and_execute(None, || {
        fund_bridge();
        // MaxPendingApprovals is 4 in the mock.
        for n in 10..14 {
            assert_ok!(approve(RELAYERS[0], n, ECT));
        }
        assert_noop!(approve(RELAYERS[0], 14, ECT), Error::<Test>::TooManyPendingApprovals);
        assert_eq!(PendingApprovals::<Test>::get(RELAYERS[0]), 4);
        // A key reaching its decision frees the slot.
        assert_ok!(approve(RELAYERS[1], 10, ECT));
        assert_eq!(PendingApprovals::<Test>::get(RELAYERS[0]), 3);
        assert_ok!(approve(RELAYERS[0], 14, ECT));
        assert_noop!(approve(RELAYERS[0], 15, ECT), Error::<Test>::TooManyPendingApprovals);
    });
}

#[test]
fn a_relayer_or_the_admin_cancels_an_approval() {
    build_and_execute(None, || {
        fund_bridge();
        assert_ok!(approve(RELAYERS[0], 20, ECT));
        assert_ok!(approve(RELAYERS[1], 21, ECT));
        assert_noop!(
            Bridge::cancel_approval(RuntimeOrigin::signed(RELAYERS[1]), source(20), RELAYERS[0]),
            DispatchError::BadOrigin
        );
        assert_noop!(
            Bridge::cancel_approval(RuntimeOrigin::signed(RELAYERS[1]), source(20), RELAYERS[1]),
            Error::<Test>::NotApproved
        );
        assert_ok!(Bridge::cancel_approval(RuntimeOrigin::signed(RELAYERS[0]), source(20), RELAYERS[0]));
        assert_eq!(events().last(), Some(&Event::ApprovalCancelled { source: source(20), relayer: RELAYERS[0] }));
        assert_eq!(PendingApprovals::<Test>::get(RELAYERS[0]), 0);
        assert_eq!(Approvals::<Test>::iter_prefix(source(20)).count(), 0);
        assert_eq!(PendingReleases::<Test>::get(), 1);
        // The admin clears a revoked relayer's leftover approval.
        revoke_relayer(RELAYERS[1]);
        assert_ok!(Bridge::cancel_approval(RuntimeOrigin::root(), source(21), RELAYERS[1]));
        assert_eq!(PendingReleases::<Test>::get(), 0);
    });
}
