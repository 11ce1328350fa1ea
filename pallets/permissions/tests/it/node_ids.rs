//! Validators' node ids: registered by each account with a proof signed by the
//! node key, one account per peer id, reported for the current and the
//! scheduled set by consensus key.

use frame_support::{assert_noop, assert_ok};
use pallet_permissions::mock::*;
use pallet_permissions::{ed25519_of_peer_id, node_id_payload, Error, Event, NodeIds, NodeOwners};
use sp_core::{ed25519, Pair};
use sp_runtime::DispatchError;

/// A node key from a seed byte: its peer id (base58 text) and the key.
fn node(n: u8) -> (Vec<u8>, ed25519::Pair) {
    let pair = ed25519::Pair::from_seed(&[n; 32]);
    // The identity multihash of the protobuf-encoded ed25519 key, as libp2p makes it.
    let mut bytes = vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
    bytes.extend_from_slice(&pair.public().0);
    (bs58::encode(bytes).into_string().into_bytes(), pair)
}

fn proof(pair: &ed25519::Pair, who: u64) -> [u8; 64] {
    pair.sign(&node_id_payload(&who)).0
}

fn register(who: u64, n: u8) -> frame_support::dispatch::DispatchResult {
    let (id, pair) = node(n);
    Permissions::set_node_id(RuntimeOrigin::signed(who), id, proof(&pair, who))
}

fn nodes() -> Vec<([u8; 32], Option<Vec<u8>>)> {
    Permissions::validator_nodes()
}

#[test]
fn peer_ids_carry_their_ed25519_key() {
    let (id, pair) = node(7);
    assert!(id.starts_with(b"12D3KooW"), "{}", String::from_utf8_lossy(&id));
    assert_eq!(ed25519_of_peer_id(&id), Some(pair.public().0));
    assert_eq!(ed25519_of_peer_id(b"QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"), None, "an RSA-era id");
    assert_eq!(ed25519_of_peer_id(b"not base58 0OIl"), None);
}

#[test]
fn genesis_node_ids_are_reported_by_consensus_key() {
    ExtBuilder::default().build_and_execute(|| {
        assert_eq!(nodes(), vec![(key(1), Some(NODE_V1.as_bytes().to_vec())), (key(2), None), (key(3), None)]);
        Permissions::do_try_state().expect("consistent");
    });
}

#[test]
fn an_account_registers_and_rotates_its_node_id() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(register(V2, 20));
        assert_eq!(last_event(), Event::NodeIdSet { who: V2, peer_id: node(20).0 }.into());
        assert_eq!(nodes()[1], (key(2), Some(node(20).0)));
        // Rotation frees the old id for others.
        assert_ok!(register(V2, 21));
        assert_eq!(nodes()[1], (key(2), Some(node(21).0)));
        assert!(NodeOwners::<Test>::get(sp_runtime::BoundedVec::truncate_from(node(20).0)).is_none());
        assert_ok!(register(V3, 20));
        // Registering the same id again is a no-op.
        assert_ok!(register(V3, 20));
        Permissions::do_try_state().expect("consistent");
    });
}

#[test]
fn only_the_holder_of_a_node_key_registers_it() {
    ExtBuilder::default().build_and_execute(|| {
        let (id, pair) = node(20);
        // Signed for another account (a replayed registration), or by another key.
        assert_noop!(
            Permissions::set_node_id(RuntimeOrigin::signed(V2), id.clone(), proof(&pair, V3)),
            Error::<Test>::BadNodeIdProof
        );
        assert_noop!(
            Permissions::set_node_id(RuntimeOrigin::signed(V2), id.clone(), proof(&node(21).1, V2)),
            Error::<Test>::BadNodeIdProof
        );
        // A peer id that is not an ed25519 key's.
        assert_noop!(
            Permissions::set_node_id(
                RuntimeOrigin::signed(V2),
                b"QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N".to_vec(),
                [0; 64]
            ),
            Error::<Test>::BadNodeIdProof
        );
        // Once registered, another account cannot take it, even with a valid proof.
        assert_ok!(Permissions::set_node_id(RuntimeOrigin::signed(V2), id.clone(), proof(&pair, V2)));
        assert_noop!(
            Permissions::set_node_id(RuntimeOrigin::signed(V3), id, proof(&pair, V3)),
            Error::<Test>::NodeIdInUse
        );
    });
}

#[test]
fn node_id_errors() {
    ExtBuilder::default().build_and_execute(|| {
        // Not base58, too short, too long, empty.
        for bad in ["12D3KooW0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl", "12D3KooW", &"1".repeat(200), ""] {
            assert_noop!(
                Permissions::set_node_id(RuntimeOrigin::signed(V2), bad.into(), [0; 64]),
                Error::<Test>::BadPeerId
            );
        }
        let (id, pair) = node(20);
        assert_noop!(Permissions::set_node_id(RuntimeOrigin::root(), id, proof(&pair, V2)), DispatchError::BadOrigin);
        assert!(NodeIds::<Test>::get(V2).is_none());
    });
}

#[test]
fn a_scheduled_validator_node_counts_and_a_non_validator_does_not() {
    ExtBuilder::default().build_and_execute(|| {
        // Account 4 registers before being a validator: not reported yet.
        assert_ok!(register(4, 40));
        assert_eq!(nodes().len(), 3);
        // Scheduled: reported, so its node is let in before the switch.
        assert_ok!(Permissions::add_validator(RuntimeOrigin::root(), 4, key(4), bridge(4)));
        assert_eq!(nodes()[3], (key(4), Some(node(40).0)));
        run_to_block(6);
        assert_eq!(nodes()[3], (key(4), Some(node(40).0)));
        // Removed (once effective): no longer reported.
        assert_ok!(Permissions::remove_validator(RuntimeOrigin::root(), 4));
        run_to_block(11);
        assert_eq!(nodes().len(), 3);
    });
}
