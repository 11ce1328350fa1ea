//! Validators' node ids: registered by each account, one account per peer id,
//! reported for the current and the scheduled set by consensus key.

use frame_support::{assert_noop, assert_ok};
use pallet_permissions::mock::*;
use pallet_permissions::{Error, Event, NodeIds, NodeOwners};
use sp_runtime::DispatchError;

const NODE_A: &str = "12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo";
const NODE_B: &str = "12D3KooWSaKH2zkhy1YK1Vbf5NdFR3u7mPYZ7E5GvZZA8fJ4Kkfy";

fn nodes() -> Vec<([u8; 32], Vec<u8>)> {
    Permissions::validator_nodes()
}

#[test]
fn genesis_node_ids_are_reported_by_consensus_key() {
    ExtBuilder::default().build_and_execute(|| {
        assert_eq!(nodes(), vec![(key(1), NODE_V1.as_bytes().to_vec())]);
        Permissions::do_try_state().expect("consistent");
    });
}

#[test]
fn an_account_registers_and_rotates_its_node_id() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Permissions::set_node_id(RuntimeOrigin::signed(V2), NODE_A.into()));
        assert_eq!(last_event(), Event::NodeIdSet { who: V2, peer_id: NODE_A.into() }.into());
        assert_eq!(nodes(), vec![(key(1), NODE_V1.as_bytes().to_vec()), (key(2), NODE_A.as_bytes().to_vec())]);
        // Rotation frees the old id for others.
        assert_ok!(Permissions::set_node_id(RuntimeOrigin::signed(V2), NODE_B.into()));
        assert_eq!(nodes()[1], (key(2), NODE_B.as_bytes().to_vec()));
        assert!(NodeOwners::<Test>::get(sp_runtime::BoundedVec::truncate_from(NODE_A.as_bytes().to_vec())).is_none());
        assert_ok!(Permissions::set_node_id(RuntimeOrigin::signed(V3), NODE_A.into()));
        // Setting the same id again is a no-op.
        assert_ok!(Permissions::set_node_id(RuntimeOrigin::signed(V3), NODE_A.into()));
        Permissions::do_try_state().expect("consistent");
    });
}

#[test]
fn node_id_errors() {
    ExtBuilder::default().build_and_execute(|| {
        // Another account's node.
        assert_noop!(Permissions::set_node_id(RuntimeOrigin::signed(V2), NODE_V1.into()), Error::<Test>::NodeIdInUse);
        // Not base58, too short, too long, empty.
        for bad in ["12D3KooW0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl", "12D3KooW", &"1".repeat(200), ""] {
            assert_noop!(Permissions::set_node_id(RuntimeOrigin::signed(V2), bad.into()), Error::<Test>::BadPeerId);
        }
        assert_noop!(Permissions::set_node_id(RuntimeOrigin::root(), NODE_A.into()), DispatchError::BadOrigin);
        assert!(NodeIds::<Test>::get(V2).is_none());
    });
}

#[test]
fn a_scheduled_validator_node_counts_and_a_non_validator_does_not() {
    ExtBuilder::default().build_and_execute(|| {
        // Account 4 registers before being a validator: not reported yet.
        assert_ok!(Permissions::set_node_id(RuntimeOrigin::signed(4), NODE_A.into()));
        assert_eq!(nodes().len(), 1);
        // Scheduled: reported, so its node is let in before the switch.
        assert_ok!(Permissions::add_validator(RuntimeOrigin::root(), 4, key(4)));
        assert_eq!(nodes()[1], (key(4), NODE_A.as_bytes().to_vec()));
        run_to_block(6);
        assert_eq!(nodes()[1], (key(4), NODE_A.as_bytes().to_vec()));
        // Removed (once effective): no longer reported.
        assert_ok!(Permissions::remove_validator(RuntimeOrigin::root(), 4));
        run_to_block(11);
        assert_eq!(nodes(), vec![(key(1), NODE_V1.as_bytes().to_vec())]);
    });
}
