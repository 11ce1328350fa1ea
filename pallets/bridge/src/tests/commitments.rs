//! Messages, the message tree and commitments, checked against a model
//! written here: a hand-laid ABI encoding, a naive full Merkle tree of depth
//! 32 and secp256k1 signatures made with `k256` directly.

// The pool's check of `sign_commitment` is `ValidateUnsigned` (see the pallet).
#![allow(deprecated)]

use crate::{messages, mock::*, Certified, Error, Event, KeySets, Leaves, Messages, NextNonce, Pending, SetId};
use ecochain_primitives::{BridgeKeys, OnBridgeKeysChange, ECT};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use k256::ecdsa::SigningKey;
use proptest::prelude::*;
use sp_core::{H160, H256};
use sp_crypto_hashing::keccak_256;
use sp_runtime::{
    traits::ValidateUnsigned,
    transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
};

fn evm() -> H160 {
    H160::repeat_byte(0xab)
}

/// A 32-byte ABI word holding `v` right-aligned.
fn word(v: &[u8]) -> Vec<u8> {
    let mut w = vec![0u8; 32 - v.len()];
    w.extend_from_slice(v);
    w
}

/// The model's ECT message: every field a word, then the payload's offset
/// (6 words), its length and the payload (two words: recipient, amount).
fn model_ect_message(genesis: H256, nonce: u64, to: H160, amount: u128) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend(genesis.as_bytes());
    m.extend(word(&DESTINATION.chain_id.to_be_bytes()));
    m.extend(word(DESTINATION.bridge.as_bytes()));
    m.extend(word(&nonce.to_be_bytes()));
    m.extend(word(&[messages::KIND_ECT]));
    m.extend(word(&[6 * 32]));
    m.extend(word(&[64]));
    m.extend(word(to.as_bytes()));
    m.extend(word(&amount.to_be_bytes()));
    m
}

fn pair(l: &[u8; 32], r: &[u8; 32]) -> [u8; 32] {
    keccak_256(&[&l[..], &r[..]].concat())
}

/// The model's root: the whole depth-32 tree, empty subtrees folded.
fn model_root(leaves: &[[u8; 32]]) -> [u8; 32] {
    fn node(leaves: &[[u8; 32]], height: u32, start: u64) -> [u8; 32] {
        if start >= leaves.len() as u64 {
            let mut z = [0u8; 32];
            for _ in 0..height {
                z = pair(&z, &z);
            }
            return z;
        }
        if height == 0 {
            return leaves[start as usize];
        }
        let half = 1u64 << (height - 1);
        pair(&node(leaves, height - 1, start), &node(leaves, height - 1, start + half))
    }
    node(leaves, 32, 0)
}

/// The model's proof check, as the EVM contract does it.
fn model_verify(leaf: [u8; 32], index: u64, proof: &[H256], root: H256) -> bool {
    proof.len() == 32
        && proof.iter().enumerate().fold(leaf, |node, (i, sib)| {
            if (index >> i) & 1 == 1 {
                pair(&sib.0, &node)
            } else {
                pair(&node, &sib.0)
            }
        }) == root.0
}

/// Sign `hash` with validator `n`'s key, as a validator's node would; `v` 27/28.
fn sign(n: u8, hash: H256) -> [u8; 65] {
    let key = SigningKey::from_slice(&validator_secret(n)).expect("valid secret");
    let (sig, recid) = key.sign_prehash_recoverable(&hash.0).expect("signs");
    assert!(sig.normalize_s().is_none(), "k256 signs with a low s");
    let mut out = [0u8; 65];
    out[..64].copy_from_slice(&sig.to_bytes());
    out[64] = 27 + recid.to_byte();
    out
}

/// The pending commitment's hash, computed by the model.
fn model_commitment_hash(block: u64, root: H256, set_id: u64) -> H256 {
    let mut m = Vec::new();
    m.extend(Bridge::genesis_hash().as_bytes());
    m.extend(word(&block.to_be_bytes()));
    m.extend(root.as_bytes());
    m.extend(word(&set_id.to_be_bytes()));
    H256(keccak_256(&m))
}

fn pending_hash() -> (u64, H256) {
    let c = Pending::<Test>::get().expect("a pending commitment").commitment;
    (c.block_number, model_commitment_hash(c.block_number, c.root, c.set_id))
}

fn leaves() -> Vec<[u8; 32]> {
    (0..NextNonce::<Test>::get()).map(|n| Leaves::<Test>::get(n).expect("leaf").0).collect()
}

#[test]
fn an_ect_lock_is_an_abi_message_whose_root_is_in_the_header() {
    build_and_execute(None, || {
        assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), 100 * ECT, evm()));
        assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(BOB), 7, H160::repeat_byte(0x11)));
        let genesis = Bridge::genesis_hash();
        let expected = model_ect_message(genesis, 1, H160::repeat_byte(0x11), 7);
        assert_eq!(Messages::<Test>::get(1).expect("message").into_inner(), expected);
        assert_eq!(Leaves::<Test>::get(1), Some(H256(keccak_256(&expected))));
        let (root, count, set_id) = next_block();
        assert_eq!((root.0, count, set_id), (model_root(&leaves()), 2, 0));
        // A block without messages repeats the root.
        assert_eq!(next_block(), (root, 2, 0));
    });
}

#[test]
fn an_ecr_message_carries_the_certificate() {
    build_and_execute(None, || {
        let kind: BoundedVec<u8, _> = b"reforestation".to_vec().try_into().expect("fits");
        let meta: BoundedVec<u8, _> = b"ipfs://cert".to_vec().try_into().expect("fits");
        assert_ok!(Ecr::mint(RuntimeOrigin::signed(ALICE), BOB, kind, 70, 3, meta));
        assert_ok!(Bridge::lock_ecr(RuntimeOrigin::signed(BOB), 1, evm()));
        let m = Messages::<Test>::get(0).expect("message").into_inner();
        // Header words, then the payload: to, token id, the certificate's offset,
        // then (type offset, impact, rarity, metadata offset, type, metadata).
        assert_eq!(&m[4 * 32..5 * 32], &word(&[messages::KIND_ECR])[..]);
        let payload = &m[7 * 32..];
        assert_eq!(&payload[..32], &word(evm().as_bytes())[..]);
        assert_eq!(&payload[32..64], &word(&[1])[..]);
        assert_eq!(&payload[64..96], &word(&[96])[..]);
        let cert = &payload[96..];
        assert_eq!(&cert[32..64], &word(&[70])[..]);
        assert_eq!(&cert[64..96], &word(&[3])[..]);
        assert_eq!(&cert[4 * 32..5 * 32], &word(&[13])[..]);
        assert_eq!(&cert[5 * 32..5 * 32 + 13], b"reforestation");
        assert_eq!(&cert[7 * 32..7 * 32 + 11], b"ipfs://cert");
    });
}

#[test]
fn locks_need_a_destination() {
    build_and_execute(None, || {
        assert_noop!(Bridge::set_destination(RuntimeOrigin::signed(ALICE), None), sp_runtime::DispatchError::BadOrigin);
        assert_ok!(Bridge::set_destination(RuntimeOrigin::root(), None));
        assert_noop!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), ECT, evm()), Error::<Test>::NoDestination);
    });
}

#[test]
fn more_than_two_thirds_of_the_set_certify_and_proofs_verify() {
    build_and_execute(None, || {
        assert!(Pending::<Test>::get().is_none());
        for n in 0..3u128 {
            assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), ECT + n, evm()));
        }
        let (root, _, _) = next_block();
        let (block, hash) = pending_hash();
        assert_eq!(block, 1);
        // Two of three is exactly 2/3: not enough.
        for n in [2, 1] {
            assert_ok!(Bridge::sign_commitment(RuntimeOrigin::none(), block, sign(n, hash)));
        }
        assert!(Certified::<Test>::get().is_none());
        assert_noop!(
            Bridge::sign_commitment(RuntimeOrigin::none(), block, sign(1, hash)),
            Error::<Test>::AlreadySigned
        );
        assert_ok!(Bridge::sign_commitment(RuntimeOrigin::none(), block, sign(3, hash)));
        let certified = Certified::<Test>::get().expect("certified");
        assert_eq!((certified.commitment.root, certified.commitment.messages), (root, 3));
        assert!(Pending::<Test>::get().is_none());
        let signers: Vec<H160> = certified.signatures.iter().map(|(s, _)| *s).collect();
        assert_eq!(signers, MockKeys::bridge_keys(), "every key, ascending");
        assert!(events().iter().any(|e| matches!(e, Event::CommitmentCertified { .. })));
        for nonce in 0..3 {
            let (message, proof, cert) = Bridge::message_proof(nonce).expect("a proof");
            assert!(model_verify(keccak_256(&message), nonce, &proof, cert.commitment.root));
            assert!(!model_verify(keccak_256(&message), nonce ^ 1, &proof, cert.commitment.root));
        }
        assert!(Bridge::message_proof(3).is_none(), "not certified yet");
        // A new message: the next block's root is pending.
        assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), ECT, evm()));
        next_block();
        assert_eq!(Pending::<Test>::get().expect("pending").commitment.messages, 4);
    });
}

#[test]
fn bad_commitment_signatures_are_refused() {
    build_and_execute(None, || {
        assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), ECT, evm()));
        next_block();
        let (block, hash) = pending_hash();
        // Not a key of the set.
        let stranger = SigningKey::from_slice(&[9; 32]).expect("key");
        let (sig, recid) = stranger.sign_prehash_recoverable(&hash.0).expect("signs");
        let mut bad = [0u8; 65];
        bad[..64].copy_from_slice(&sig.to_bytes());
        bad[64] = 27 + recid.to_byte();
        assert_noop!(Bridge::sign_commitment(RuntimeOrigin::none(), block, bad), Error::<Test>::BadCommitmentSignature);
        // The same signature with the high s (and flipped v) recovers the same
        // key on secp256k1, but the EVM side refuses it, so the chain does too.
        let good = sign(1, hash);
        let (r, s) = k256::ecdsa::Signature::from_slice(&good[..64]).expect("sig").split_scalars();
        let high = k256::ecdsa::Signature::from_scalars(r, -*s.as_ref()).expect("sig");
        let mut malleated = [0u8; 65];
        malleated[..64].copy_from_slice(&high.to_bytes());
        malleated[64] = if good[64] == 27 { 28 } else { 27 };
        assert_noop!(
            Bridge::sign_commitment(RuntimeOrigin::none(), block, malleated),
            Error::<Test>::BadCommitmentSignature
        );
        // v must be 27 or 28.
        let mut raw_v = good;
        raw_v[64] -= 27;
        assert_noop!(
            Bridge::sign_commitment(RuntimeOrigin::none(), block, raw_v),
            Error::<Test>::BadCommitmentSignature
        );
        // Another block, or a signed origin.
        assert_noop!(
            Bridge::sign_commitment(RuntimeOrigin::none(), block + 1, good),
            Error::<Test>::NoPendingCommitment
        );
        assert_noop!(
            Bridge::sign_commitment(RuntimeOrigin::signed(ALICE), block, good),
            sp_runtime::DispatchError::BadOrigin
        );
        // The pool's check agrees.
        let call = crate::Call::sign_commitment { block_number: block, signature: bad };
        assert_eq!(
            Bridge::validate_unsigned(TransactionSource::External, &call),
            Err(TransactionValidityError::Invalid(InvalidTransaction::BadProof))
        );
        let call = crate::Call::sign_commitment { block_number: block + 1, signature: good };
        assert_eq!(
            Bridge::validate_unsigned(TransactionSource::External, &call),
            Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
        );
        let call = crate::Call::sign_commitment { block_number: block, signature: good };
        assert!(Bridge::validate_unsigned(TransactionSource::External, &call).is_ok());
    });
}

#[test]
fn a_key_change_is_a_set_message_signed_by_the_old_set() {
    build_and_execute(None, || {
        let new_keys: Vec<H160> = {
            let mut k: Vec<H160> = [1u8, 2, 4].into_iter().map(validator_key).collect();
            k.sort();
            k
        };
        Bridge::bridge_keys_changed(new_keys.clone());
        assert_eq!(KeySets::<Test>::get(1).expect("set 1").into_inner(), new_keys);
        // The SET message goes to the light client.
        let m = Messages::<Test>::get(0).expect("the SET message").into_inner();
        assert_eq!(&m[2 * 32..3 * 32], &word(DESTINATION.light_client.as_bytes())[..]);
        assert_eq!(&m[4 * 32..5 * 32], &word(&[messages::KIND_SET])[..]);
        assert_eq!(&m[7 * 32..8 * 32], &word(&[1])[..], "set id 1");
        let decoded = messages::decode(&m).expect("decodes");
        assert_eq!((decoded.nonce, decoded.kind), (0, messages::KIND_SET));
        assert_eq!(messages::set_id_of(&decoded.payload), Some(1));
        assert!(messages::decode(&m[..m.len() - 1]).is_none());
        // Set 0 signs until one of its certificates covers the announcement.
        let (_, _, set_id) = next_block();
        assert_eq!((set_id, SetId::<Test>::get()), (0, 0));
        let (block, hash) = pending_hash();
        assert_noop!(
            Bridge::sign_commitment(RuntimeOrigin::none(), block, sign(4, hash)),
            Error::<Test>::BadCommitmentSignature
        );
        for n in 1..=3 {
            assert_ok!(Bridge::sign_commitment(RuntimeOrigin::none(), block, sign(n, hash)));
        }
        assert_eq!(Certified::<Test>::get().expect("certified").commitment.set_id, 0);
        assert_eq!(SetId::<Test>::get(), 1);
        // The next commitment is set 1's: validator 3's key no longer counts.
        assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), ECT, evm()));
        assert_eq!(next_block().2, 1);
        let (block, hash) = pending_hash();
        assert_noop!(
            Bridge::sign_commitment(RuntimeOrigin::none(), block, sign(3, hash)),
            Error::<Test>::BadCommitmentSignature
        );
        for n in [1, 2, 4] {
            assert_ok!(Bridge::sign_commitment(RuntimeOrigin::none(), block, sign(n, hash)));
        }
        assert_eq!(Certified::<Test>::get().expect("certified").commitment.messages, 2);
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(super::cases().min(200)))]

    /// The frontier's root equals the full tree's, and in the tree of all
    /// leaves and in an earlier one (a prefix, as a commitment of an older
    /// block covers) every leaf's proof, built from the complete subtrees
    /// `append` reported, verifies at its index only.
    #[test]
    fn frontier_root_and_proofs_match_the_full_tree(
        seeds in proptest::collection::vec(any::<u64>(), 1..70),
        cut in any::<prop::sample::Index>(),
    ) {
        let leaves: Vec<[u8; 32]> = seeds.iter().map(|s| keccak_256(&s.to_le_bytes())).collect();
        let mut branch = [H256::zero(); messages::DEPTH];
        let mut nodes = std::collections::HashMap::new();
        for (i, leaf) in leaves.iter().enumerate() {
            messages::append(&mut branch, i as u64, H256(*leaf), |h, index, root| {
                nodes.insert((h, index), root);
            });
            prop_assert_eq!(messages::root(&branch, i as u64 + 1).0, model_root(&leaves[..=i]));
        }
        let node = |h: u8, index: u64| match h {
            0 => leaves.get(index as usize).copied().map(H256),
            _ => nodes.get(&(h, index)).copied(),
        };
        for size in [cut.index(leaves.len()) + 1, leaves.len()] {
            let root = H256(model_root(&leaves[..size]));
            for (i, leaf) in leaves[..size].iter().enumerate() {
                let proof = messages::proof(size as u64, i as u64, node).expect("a leaf");
                prop_assert!(model_verify(*leaf, i as u64, &proof, root));
                prop_assert!(!model_verify(*leaf, i as u64 ^ 1, &proof, root));
            }
            prop_assert!(messages::proof(size as u64, size as u64, node).is_none());
        }
    }
}

/// A proof reads O(DEPTH²) nodes however many messages there are: here in
/// a tree of 2^31 + 12,345 messages, never built.
#[test]
fn a_proof_reads_a_bounded_number_of_nodes() {
    let size = (1u64 << 31) + 12_345;
    for index in [0, 12_344, 1 << 30, size - 1] {
        let mut reads = 0;
        let proof = messages::proof(size, index, |h, i| {
            reads += 1;
            assert!((i + 1) << h <= size, "only complete subtrees are read");
            Some(H256(keccak_256(&[&[h][..], &i.to_le_bytes()[..]].concat())))
        })
        .expect("a proof");
        assert_eq!(proof.len(), messages::DEPTH);
        assert!(reads <= messages::DEPTH * messages::DEPTH, "{reads} reads");
    }
    assert!(messages::proof(1 << 32, 0, |_, _| Some(H256::zero())).is_some());
    assert!(messages::proof((1 << 32) + 1, 0, |_, _| Some(H256::zero())).is_none(), "deeper than the tree");
}

/// Upgrading from storage version 0 (leaves and frontier only) rebuilds the
/// complete subtrees once; proofs verify as before, and a second run is a
/// no-op.
#[test]
fn the_upgrade_stores_the_subtrees_of_earlier_messages() {
    use frame_support::traits::{GetStorageVersion, Hooks, StorageVersion};
    build_and_execute(None, || {
        for n in 0..11u128 {
            assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), ECT + n, evm()));
        }
        let mut before: Vec<_> = crate::Nodes::<Test>::iter().collect();
        assert!(!before.is_empty());
        let _ = crate::Nodes::<Test>::clear(u32::MAX, None);
        StorageVersion::new(0).put::<Bridge>();
        assert!(Bridge::message_proof_in(0, 11).is_none(), "version 0 has no subtrees");
        Bridge::on_runtime_upgrade();
        assert_eq!(Bridge::on_chain_storage_version(), StorageVersion::new(1));
        let mut after: Vec<_> = crate::Nodes::<Test>::iter().collect();
        before.sort();
        after.sort();
        assert_eq!(after, before);
        let root = H256(model_root(&leaves()));
        for nonce in 0..11 {
            let (message, proof) = Bridge::message_proof_in(nonce, 11).expect("a proof");
            assert!(model_verify(keccak_256(&message), nonce, &proof, root));
        }
        let _ = crate::Nodes::<Test>::clear(u32::MAX, None);
        Bridge::on_runtime_upgrade();
        assert_eq!(crate::Nodes::<Test>::iter().count(), 0, "version 1: nothing to do");
    });
}

#[test]
fn a_set_signs_until_its_certificate_covers_the_next_sets_announcement() {
    build_and_execute(None, || {
        let keys = |ns: &[u8]| {
            let mut k: Vec<H160> = ns.iter().copied().map(validator_key).collect();
            k.sort();
            k
        };
        assert_ok!(Bridge::lock_ect(RuntimeOrigin::signed(ALICE), ECT, evm()));
        next_block();
        let (first, first_hash) = pending_hash();
        // Two changes while set 0's first commitment (message 0 only) collects.
        Bridge::bridge_keys_changed(keys(&[1, 2, 4]));
        next_block();
        Bridge::bridge_keys_changed(keys(&[1, 4, 5]));
        next_block();
        for n in 1..=3 {
            assert_ok!(Bridge::sign_commitment(RuntimeOrigin::none(), first, sign(n, first_hash)));
        }
        // Certified, but it covers neither announcement: set 0 signs on.
        assert_eq!(SetId::<Test>::get(), 0);
        assert_eq!(next_block().2, 0);
        let (block, hash) = pending_hash();
        assert_eq!(Pending::<Test>::get().expect("pending").commitment.messages, 3);
        for n in 1..=3 {
            assert_ok!(Bridge::sign_commitment(RuntimeOrigin::none(), block, sign(n, hash)));
        }
        // Set 0's last certificate covers both announcements: the light client
        // applies SET 1 and SET 2 under its root, and set 2 signs from now on.
        assert_eq!(SetId::<Test>::get(), 2);
        let last_of_0 = crate::SetCertificates::<Test>::get(0).expect("set 0's certificate");
        assert_eq!(last_of_0.commitment.messages, 3);
        for nonce in [1, 2] {
            let (message, proof) = Bridge::message_proof_in(nonce, 3).expect("a proof");
            assert!(model_verify(keccak_256(&message), nonce, &proof, last_of_0.commitment.root));
        }
        assert!(Bridge::message_proof_in(3, 3).is_none());
        assert!(Bridge::message_proof_in(0, 4).is_none(), "no tree of 4 messages yet");
    });
}
