//! Checks of a reassembled proposal's block, as pure code: everything a
//! validator verifies before it spends time executing the block. The stream
//! checks (signed `Init`, proposer, bounds) are in [`crate::stream`]; what is
//! left after these is execution itself (state root, every extrinsic valid).
//!
//! Time is passed in (`now_ms`), so the checks are the same in tests and on a
//! running node.

use crate::context::{Address, BlockHash};
use ecochain_primitives::CONSENSUS_ENGINE_ID;
use ecochain_runtime::{Header, RuntimeCall, UncheckedExtrinsic};
use sp_core::H256;

/// How far a proposed timestamp may be ahead of the local clock.
pub const MAX_DRIFT_MS: u64 = 30_000;

/// Why a proposed block is refused before (or instead of) execution.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    /// The reassembled bytes are not a block.
    #[error("the proposal does not decode as a block")]
    NotABlock,
    /// The block is not the one the proposer signed.
    #[error("the parts hash to {got:?}, the proposer signed {signed:?}")]
    HashMismatch {
        /// Hash of the received header.
        got: H256,
        /// Hash in the signed `Init`.
        signed: H256,
    },
    /// The header does not name the proposer as its author.
    #[error("the block names {named:?} as author, not its proposer {proposer}")]
    WrongAuthor {
        /// The author in the header's pre-runtime digest, if any.
        named: Option<Vec<u8>>,
        /// Who proposed it.
        proposer: Address,
    },
    /// The block does not extend our best block.
    #[error("block #{number} on {parent:?} does not extend our best #{best_number} {best:?}")]
    NotOnBest {
        /// The block's number.
        number: u32,
        /// Its parent.
        parent: H256,
        /// Our best block's number.
        best_number: u32,
        /// Our best block's hash.
        best: H256,
    },
    /// The first extrinsic is not the timestamp inherent.
    #[error("the block has no timestamp inherent first")]
    NoTimestamp,
    /// The timestamp is further ahead of our clock than the allowed drift.
    #[error("timestamp {timestamp} ms is more than {max_drift} ms ahead of the local clock ({now} ms)")]
    FromTheFuture {
        /// The block's timestamp.
        timestamp: u64,
        /// Our clock.
        now: u64,
        /// The allowed drift.
        max_drift: u64,
    },
}

/// The author a header names in its pre-runtime digest (our engine id).
pub fn author_of(header: &Header) -> Option<&[u8]> {
    header.digest.logs.iter().find_map(|item| match item.as_pre_runtime() {
        Some((id, data)) if id == CONSENSUS_ENGINE_ID => Some(data),
        _ => None,
    })
}

/// The timestamp a block sets in its first extrinsic, if that is the inherent.
pub fn timestamp_of(extrinsics: &[UncheckedExtrinsic]) -> Option<u64> {
    match &extrinsics.first()?.function {
        RuntimeCall::Timestamp(pallet_timestamp::Call::set { now }) => Some(*now),
        _ => None,
    }
}

/// The header checks of a proposal: it is the block the proposer signed
/// (`signed`), names the proposer as author, and extends our best block.
pub fn check_header(
    header: &Header,
    signed: BlockHash,
    proposer: Address,
    best: (u32, H256),
) -> Result<(), BlockError> {
    let got = header.hash();
    if got.0 != signed.0 {
        return Err(BlockError::HashMismatch { got, signed: H256(signed.0) });
    }
    let named = author_of(header);
    if named != Some(&proposer.0[..]) {
        return Err(BlockError::WrongAuthor { named: named.map(<[u8]>::to_vec), proposer });
    }
    check_extends(header, best)
}

/// The block's parent is our best block and its number the next one.
pub fn check_extends(header: &Header, (best_number, best): (u32, H256)) -> Result<(), BlockError> {
    if header.parent_hash != best || Some(header.number) != best_number.checked_add(1) {
        return Err(BlockError::NotOnBest { number: header.number, parent: header.parent_hash, best_number, best });
    }
    Ok(())
}

/// The block carries a timestamp no more than [`MAX_DRIFT_MS`] ahead of `now_ms`.
/// (How far behind is the runtime's rule: at least the previous block's plus
/// the minimum period.)
pub fn check_timestamp(extrinsics: &[UncheckedExtrinsic], now_ms: u64) -> Result<(), BlockError> {
    let timestamp = timestamp_of(extrinsics).ok_or(BlockError::NoTimestamp)?;
    if timestamp > now_ms.saturating_add(MAX_DRIFT_MS) {
        return Err(BlockError::FromTheFuture { timestamp, now: now_ms, max_drift: MAX_DRIFT_MS });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sp_runtime::{generic::Digest, DigestItem};

    const ME: Address = Address([7; 32]);
    const PARENT: H256 = H256([1; 32]);

    fn header(number: u32, parent: H256, author: Option<&[u8]>) -> Header {
        let mut digest = Digest::default();
        if let Some(a) = author {
            digest.push(DigestItem::PreRuntime(CONSENSUS_ENGINE_ID, a.to_vec()));
        }
        // Another engine's pre-runtime item never counts as the author.
        digest.push(DigestItem::PreRuntime(*b"aura", ME.0.to_vec()));
        <Header as sp_runtime::traits::Header>::new(number, H256([2; 32]), H256([3; 32]), parent, digest)
    }

    fn signed(h: &Header) -> BlockHash {
        BlockHash(h.hash().0)
    }

    #[test]
    fn header_checks_refuse_each_fault_with_its_error() {
        let good = header(5, PARENT, Some(&ME.0));
        let best = (4, PARENT);
        assert_eq!(check_header(&good, signed(&good), ME, best), Ok(()));

        let other = header(5, PARENT, Some(&[8; 32]));
        let no_author = header(5, PARENT, None);
        let off_best = header(5, H256([9; 32]), Some(&ME.0));
        let skips = header(6, PARENT, Some(&ME.0));
        // (case, header, the hash the proposer signed, our best, the error)
        type Case<'a> = (&'a str, &'a Header, BlockHash, (u32, H256), BlockError);
        let cases: Vec<Case<'_>> = vec![
            (
                "parts of another block",
                &good,
                signed(&other),
                best,
                BlockError::HashMismatch { got: good.hash(), signed: other.hash() },
            ),
            (
                "another author",
                &other,
                signed(&other),
                best,
                BlockError::WrongAuthor { named: Some(vec![8; 32]), proposer: ME },
            ),
            (
                "no author (another engine's digest ignored)",
                &no_author,
                signed(&no_author),
                best,
                BlockError::WrongAuthor { named: None, proposer: ME },
            ),
            (
                "another parent",
                &off_best,
                signed(&off_best),
                best,
                BlockError::NotOnBest { number: 5, parent: H256([9; 32]), best_number: 4, best: PARENT },
            ),
            (
                "skips a number",
                &skips,
                signed(&skips),
                best,
                BlockError::NotOnBest { number: 6, parent: PARENT, best_number: 4, best: PARENT },
            ),
            (
                "our best is already at its height",
                &good,
                signed(&good),
                (5, PARENT),
                BlockError::NotOnBest { number: 5, parent: PARENT, best_number: 5, best: PARENT },
            ),
        ];
        for (name, h, s, best, expected) in cases {
            assert_eq!(check_header(h, s, ME, best), Err(expected), "{name}");
        }
        // A best number at the top of the range cannot wrap to 0.
        let zero = header(0, PARENT, Some(&ME.0));
        assert!(matches!(
            check_header(&zero, signed(&zero), ME, (u32::MAX, PARENT)),
            Err(BlockError::NotOnBest { .. })
        ));
    }

    #[test]
    fn timestamp_must_come_first_and_not_from_the_future() {
        let now = 1_000_000;
        let set = |now| UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set { now }));
        let vote = UncheckedExtrinsic::new_bare(RuntimeCall::Permissions(pallet_permissions::Call::vote { id: 0 }));
        assert_eq!(check_timestamp(&[set(now)], now), Ok(()));
        assert_eq!(check_timestamp(&[set(now + MAX_DRIFT_MS)], now), Ok(()), "at the drift bound");
        assert_eq!(check_timestamp(&[set(1)], now), Ok(()), "the past is the runtime's rule");
        assert_eq!(
            check_timestamp(&[set(now + MAX_DRIFT_MS + 1)], now),
            Err(BlockError::FromTheFuture { timestamp: now + MAX_DRIFT_MS + 1, now, max_drift: MAX_DRIFT_MS })
        );
        assert_eq!(check_timestamp(&[], now), Err(BlockError::NoTimestamp));
        assert_eq!(check_timestamp(&[vote, set(now)], now), Err(BlockError::NoTimestamp), "not first");
        assert_eq!(check_timestamp(&[set(u64::MAX)], u64::MAX), Ok(()), "no overflow at the clock's end");
    }
}
