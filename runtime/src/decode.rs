//! The one guarded way to decode an extrinsic or a block from outside the node.
//!
//! Every byte that reaches the node from a socket, a file or another process
//! (RPC submissions and `state_call` arguments, gossiped transactions,
//! consensus proposals, value sync, `import-blocks`, `check-block`) goes
//! through these functions before the runtime sees it:
//!
//! - the input must decode completely (no trailing bytes);
//! - nesting is bounded by [`MAX_EXTRINSIC_DEPTH`] (Substrate's value), so a call
//!   nested 100,000 times (`Utility.batch` of `Utility.batch` …) is an error,
//!   not a stack overflow;
//! - sizes are bounded: an extrinsic by [`MAX_EXTRINSIC_BYTES`], a block by
//!   [`MAX_ENCODED_BLOCK_BYTES`].
//!
//! The runtime API dispatcher that `impl_runtime_apis!` generates decodes its
//! arguments with plain `Decode`, so nothing may reach it that did not pass here.

use crate::{Block, Header, UncheckedExtrinsic, MAX_BLOCK_LENGTH};
use alloc::vec::Vec;
use codec::{Decode, DecodeLimit};
use sp_runtime::transaction_validity::TransactionSource;

/// Deepest nesting of calls and types in one extrinsic (`sp_api::MAX_EXTRINSIC_DEPTH`).
pub const MAX_EXTRINSIC_DEPTH: u32 = 256;
/// Largest encoded extrinsic: one that fills a whole block.
pub const MAX_EXTRINSIC_BYTES: usize = MAX_BLOCK_LENGTH as usize;
/// Largest encoded block (header, extrinsics and their length prefixes): the
/// runtime's length limit plus room for the header and digest.
pub const MAX_ENCODED_BLOCK_BYTES: usize = MAX_BLOCK_LENGTH as usize + 64 * 1024;

/// Why bytes from outside were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The input is larger than its bound.
    TooLarge {
        /// What was being decoded.
        what: &'static str,
        /// Its size in bytes.
        len: usize,
        /// The bound.
        max: usize,
    },
    /// The input does not decode (malformed, nested too deep, or with trailing bytes).
    Malformed {
        /// What was being decoded.
        what: &'static str,
        /// The codec's reason.
        reason: alloc::string::String,
    },
}

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::TooLarge { what, len, max } => write!(f, "{what} of {len} bytes exceeds the limit of {max} bytes"),
            Self::Malformed { what, reason } => write!(f, "cannot decode {what}: {reason}"),
        }
    }
}

impl std::error::Error for DecodeError {}

fn bounded<T: Decode>(what: &'static str, bytes: &[u8], max: usize) -> Result<T, DecodeError> {
    if bytes.len() > max {
        return Err(DecodeError::TooLarge { what, len: bytes.len(), max });
    }
    T::decode_all_with_depth_limit(MAX_EXTRINSIC_DEPTH, &mut &bytes[..])
        .map_err(|e| DecodeError::Malformed { what, reason: e.to_string() })
}

/// One SCALE-encoded extrinsic (with its length prefix), nothing after it.
pub fn decode_extrinsic(bytes: &[u8]) -> Result<UncheckedExtrinsic, DecodeError> {
    bounded("extrinsic", bytes, MAX_EXTRINSIC_BYTES)
}

/// The extrinsics of a block, each encoded on its own, under one total bound.
pub fn decode_extrinsics(extrinsics: &[Vec<u8>]) -> Result<Vec<UncheckedExtrinsic>, DecodeError> {
    let total: usize = extrinsics.iter().map(Vec::len).sum();
    if total > MAX_ENCODED_BLOCK_BYTES {
        return Err(DecodeError::TooLarge { what: "block body", len: total, max: MAX_ENCODED_BLOCK_BYTES });
    }
    extrinsics.iter().map(|x| decode_extrinsic(x)).collect()
}

/// A block from its header and its encoded extrinsics.
pub fn decode_block(header: Header, extrinsics: &[Vec<u8>]) -> Result<Block, DecodeError> {
    Ok(Block { header, extrinsics: decode_extrinsics(extrinsics)? })
}

/// A block as it travels between nodes (proposal streams, value sync, block
/// files): SCALE `(Header, Vec<encoded extrinsic>)`. The extrinsics stay
/// encoded; decode them with [`decode_extrinsics`].
pub fn decode_wire_block(bytes: &[u8]) -> Result<(Header, Vec<Vec<u8>>), DecodeError> {
    bounded("block", bytes, MAX_ENCODED_BLOCK_BYTES)
}

/// The arguments of `TaggedTransactionQueue_validate_transaction` (version 3:
/// source, extrinsic, block hash), decoded before the runtime is called.
pub fn decode_validate_transaction_args(
    bytes: &[u8],
) -> Result<(TransactionSource, UncheckedExtrinsic, crate::Hash), DecodeError> {
    bounded("validate_transaction arguments", bytes, MAX_EXTRINSIC_BYTES + 64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RuntimeCall;
    use codec::Encode;

    /// An unsigned (bare, v4) extrinsic whose call is `Utility.batch` nested `depth` times.
    pub(crate) fn nested_batch(depth: usize) -> Vec<u8> {
        let mut call = RuntimeCall::System(frame_system::Call::remark { remark: Vec::new() }).encode();
        let batch = RuntimeCall::Utility(pallet_utility::Call::batch { calls: Vec::new() }).encode();
        // `batch` with an empty vector is `[pallet, call, 0]`; with one call it is `[pallet, call, 4, inner…]`.
        let (pallet, index) = (batch[0], batch[1]);
        let mut prefix = Vec::with_capacity(depth * 3);
        for _ in 0..depth {
            prefix.extend_from_slice(&[pallet, index, 4]);
        }
        prefix.append(&mut call);
        let mut body = vec![0x04u8];
        body.extend_from_slice(&prefix);
        body.encode()
    }

    #[test]
    fn shallow_nesting_decodes() {
        let bytes = nested_batch(8);
        let xt = decode_extrinsic(&bytes).expect("8 levels are fine");
        assert_eq!(xt.encode(), bytes);
    }

    #[test]
    fn deep_nesting_is_an_error_not_an_overflow() {
        // 100,000 levels: a plain `Decode` overflows the stack here.
        let bytes = nested_batch(100_000);
        let err = decode_extrinsic(&bytes).expect_err("too deep");
        assert!(matches!(err, DecodeError::Malformed { .. }), "{err}");
    }

    #[test]
    fn validate_args_are_depth_limited() {
        let mut args = TransactionSource::External.encode();
        args.extend_from_slice(&nested_batch(100_000));
        args.extend_from_slice(crate::Hash::zero().as_bytes());
        assert!(decode_validate_transaction_args(&args).is_err());
        let mut ok = TransactionSource::External.encode();
        ok.extend_from_slice(&nested_batch(3));
        ok.extend_from_slice(crate::Hash::zero().as_bytes());
        let (_, xt, _) = decode_validate_transaction_args(&ok).expect("3 levels decode");
        assert!(matches!(xt.function, RuntimeCall::Utility(_)));
    }

    #[test]
    fn trailing_bytes_and_oversize_are_refused() {
        let mut bytes = nested_batch(1);
        bytes.push(0);
        assert!(decode_extrinsic(&bytes).is_err());
        let huge = vec![0u8; MAX_EXTRINSIC_BYTES + 1];
        assert!(matches!(decode_extrinsic(&huge), Err(DecodeError::TooLarge { .. })));
    }
}
