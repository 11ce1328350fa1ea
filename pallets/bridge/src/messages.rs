//! What the chain commits to for the EVM light client, in the EVM's own
//! encodings, so that a contract checks it with `abi.decode`, `keccak256` and
//! `ecrecover` alone.
//!
//! - A **message** is `abi.encode(bytes32 genesis, uint256 chainId, address
//!   target, uint64 nonce, uint8 kind, bytes payload)`; its leaf is
//!   `keccak256(message)`. Payloads: ECT `abi.encode(address to, uint256
//!   amount)`; ECR `abi.encode(address to, uint256 tokenId, (string, uint32,
//!   uint8, string) certificate)`; SET `abi.encode(uint64 setId, address[]
//!   validators, uint256[] weights)`.
//! - Leaves go into an append-only binary Merkle tree of fixed depth
//!   [`DEPTH`] (the Ethereum deposit contract's, with keccak-256):
//!   `parent = keccak256(left ++ right)`, empty leaves are zero. The state
//!   keeps the left frontier ([`append`]), so a lock costs [`DEPTH`] hashes
//!   at most, and the root of every complete subtree, which never changes
//!   once complete (a lock completes 2 of them on average), so a proof of
//!   any message in any tree so far costs O([`DEPTH`]²) reads, whatever the
//!   number of messages ([`proof`]). A proof is the [`DEPTH`] siblings of a
//!   leaf, bottom-up.
//! - A **commitment** is `keccak256(abi.encode(bytes32 genesis, uint64
//!   blockNumber, bytes32 root, uint64 setId))`, signed raw (no EIP-191
//!   prefix) by the validators' secp256k1 bridge keys: 65 bytes `r ++ s ++ v`,
//!   `v` 27 or 28, `s` in the lower half of the curve order.

use alloy_primitives::{Address, Bytes, FixedBytes, U256};
use alloy_sol_types::SolValue;
use ecochain_primitives::BridgedCertificate;
use sp_core::{H160, H256};
use sp_crypto_hashing::keccak_256;

/// Depth of the message tree: room for 2^32 - 1 messages.
pub const DEPTH: usize = 32;

/// Message kind: ECT locked for the EVM side.
pub const KIND_ECT: u8 = 0;
/// Message kind: an ECR certificate locked for the EVM side.
pub const KIND_ECR: u8 = 1;
/// Message kind: the validators' bridge keys changed.
pub const KIND_SET: u8 = 2;

alloy_sol_types::sol! {
    /// A message's fields, encoded as `abi.encode(genesis, chainId, target, nonce, kind, payload)`.
    struct Message {
        bytes32 genesis;
        uint256 chainId;
        address target;
        uint64 nonce;
        uint8 kind;
        bytes payload;
    }

    /// The EVM side's `WrappedECR.Certificate`.
    struct Certificate {
        string certType;
        uint32 impact;
        uint8 rarity;
        string metadata;
    }
}

/// Where a message comes from and goes to.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    /// Genesis hash of this chain.
    pub genesis: H256,
    /// Destination EVM chain id.
    pub chain_id: u64,
    /// Destination contract.
    pub target: H160,
}

fn address(a: H160) -> Address {
    Address::from(a.0)
}

/// The ABI-encoded message `nonce` of `kind` with `payload`.
pub fn message(route: &Route, nonce: u64, kind: u8, payload: Vec<u8>) -> Vec<u8> {
    Message {
        genesis: FixedBytes::<32>(route.genesis.0),
        chainId: U256::from(route.chain_id),
        target: address(route.target),
        nonce,
        kind,
        payload: Bytes::from(payload),
    }
    .abi_encode_params()
}

/// Payload of an ECT message.
pub fn ect_payload(to: H160, amount: u128) -> Vec<u8> {
    (address(to), U256::from(amount)).abi_encode_params()
}

/// Payload of an ECR message. The certificate's texts are UTF-8 on chain; any
/// invalid sequence becomes U+FFFD, as the EVM side's `string` must be UTF-8.
pub fn ecr_payload(to: H160, token: u64, cert: &BridgedCertificate) -> Vec<u8> {
    let cert = Certificate {
        certType: String::from_utf8_lossy(&cert.certificate_type).into_owned(),
        impact: cert.impact_score,
        rarity: cert.rarity,
        metadata: String::from_utf8_lossy(&cert.metadata).into_owned(),
    };
    (address(to), U256::from(token), cert).abi_encode_params()
}

/// Payload of a SET message: the new set's keys (ascending), each of weight 1.
pub fn set_payload(set_id: u64, keys: &[H160]) -> Vec<u8> {
    let validators: Vec<Address> = keys.iter().copied().map(address).collect();
    let weights = vec![U256::from(1u8); keys.len()];
    (set_id, validators, weights).abi_encode_params()
}

/// The fields of an encoded message; `None` if `message` is not one.
pub fn decode(message: &[u8]) -> Option<Message> {
    Message::abi_decode_params(message).ok()
}

/// The set id a SET payload announces.
pub fn set_id_of(payload: &[u8]) -> Option<u64> {
    <(u64, Vec<Address>, Vec<U256>)>::abi_decode_params(payload).ok().map(|(id, _, _)| id)
}

/// The hash validators sign for the tree `root` at `block_number`.
pub fn commitment_hash(genesis: H256, block_number: u64, root: H256, set_id: u64) -> H256 {
    let encoded = (FixedBytes::<32>(genesis.0), block_number, FixedBytes::<32>(root.0), set_id).abi_encode_params();
    H256(keccak_256(&encoded))
}

/// A message's leaf.
pub fn leaf(message: &[u8]) -> H256 {
    H256(keccak_256(message))
}

fn hash_pair(left: &H256, right: &H256) -> H256 {
    let mut both = [0u8; 64];
    both[..32].copy_from_slice(left.as_bytes());
    both[32..].copy_from_slice(right.as_bytes());
    H256(keccak_256(&both))
}

/// Roots of empty subtrees: `zero[h]` has height `h`.
pub fn zero_hashes() -> [H256; DEPTH + 1] {
    let mut zero = [H256::zero(); DEPTH + 1];
    for h in 0..DEPTH {
        zero[h + 1] = hash_pair(&zero[h], &zero[h]);
    }
    zero
}

/// Add `leaf` as leaf number `count` (the tree holds `count` leaves before)
/// to the left frontier `branch`; `completed(height, index, root)` is called
/// for each subtree it completes above the leaf (height >= 1, `index` among
/// the subtrees of that height, from the left).
pub fn append(branch: &mut [H256; DEPTH], count: u64, leaf: H256, mut completed: impl FnMut(u8, u64, H256)) {
    let mut node = leaf;
    let mut size = count + 1;
    for (height, slot) in (1u8..).zip(branch.iter_mut()) {
        if size & 1 == 1 {
            *slot = node;
            return;
        }
        node = hash_pair(slot, &node);
        size >>= 1;
        // `size` subtrees of this height are complete now: this is the last.
        completed(height, size - 1, node);
    }
}

/// Root of the tree of `count` leaves whose left frontier is `branch`.
pub fn root(branch: &[H256; DEPTH], count: u64) -> H256 {
    let zero = zero_hashes();
    let mut node = H256::zero();
    let mut size = count;
    for h in 0..DEPTH {
        node = if size & 1 == 1 { hash_pair(&branch[h], &node) } else { hash_pair(&node, &zero[h]) };
        size >>= 1;
    }
    node
}

/// The [`DEPTH`] siblings of leaf `index` in the tree of the first `size`
/// leaves, bottom-up; `None` if `index` is not among them or a node is
/// missing. `node(height, i)` is the root of complete subtree `i` of that
/// height (height 0: leaf `i`), as [`append`] reported it. A sibling left of
/// the path is complete; one right of it holds the leaves up to `size`,
/// complete, partial (its root is built down the boundary) or empty.
pub fn proof(size: u64, index: u64, mut node: impl FnMut(u8, u64) -> Option<H256>) -> Option<Vec<H256>> {
    if index >= size || size > 1 << DEPTH {
        return None;
    }
    let zero = zero_hashes();
    let mut siblings = Vec::with_capacity(DEPTH);
    for height in 0..DEPTH as u8 {
        let sibling = (index >> height) ^ 1;
        siblings.push(subtree_root(height, sibling, size, &zero, &mut node)?);
    }
    Some(siblings)
}

/// Root of subtree `i` of height `height` in the tree of `size` leaves.
fn subtree_root(
    height: u8,
    i: u64,
    size: u64,
    zero: &[H256; DEPTH + 1],
    node: &mut impl FnMut(u8, u64) -> Option<H256>,
) -> Option<H256> {
    let start = i << height;
    let end = start + (1 << height);
    if start >= size {
        Some(zero[height as usize])
    } else if end <= size {
        node(height, i)
    } else {
        // Partial: `height >= 1` here, since a leaf is either in or out.
        let left = subtree_root(height - 1, 2 * i, size, zero, node)?;
        let right = subtree_root(height - 1, 2 * i + 1, size, zero, node)?;
        Some(hash_pair(&left, &right))
    }
}

/// Half the secp256k1 group order: signatures with a larger `s` are refused
/// (the EVM side refuses them too).
const HALF_ORDER: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e,
    0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

/// The EVM address that signed `hash` with `signature` (`r ++ s ++ v`, `v` 27
/// or 28, low `s`), or `None`.
pub fn recover(hash: &H256, signature: &[u8; 65]) -> Option<H160> {
    if signature[32..64] > HALF_ORDER[..] || !matches!(signature[64], 27 | 28) {
        return None;
    }
    let mut sig = *signature;
    sig[64] -= 27;
    let public = sp_io::crypto::secp256k1_ecdsa_recover(&sig, &hash.0).ok()?;
    Some(H160::from_slice(&keccak_256(&public)[12..]))
}

/// The EVM address of an uncompressed secp256k1 public key (64 bytes, no prefix).
pub fn address_of(public: &[u8; 64]) -> H160 {
    H160::from_slice(&keccak_256(public)[12..])
}
