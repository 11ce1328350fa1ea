//! Why the pool refused a transaction.

use crate::Queue;
use sp_runtime::transaction_validity::{
    InvalidTransaction, TransactionPriority, TransactionValidityError, UnknownTransaction,
};

/// Result of a pool operation.
pub type Result<T, E = PoolError> = std::result::Result<T, E>;

/// Why the pool refused a transaction.
///
/// The variants mirror the JSON-RPC error codes of Substrate's `author_*` API; [`PoolError::rpc_code`]
/// gives the code the RPC layer answers with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// The runtime declared the transaction invalid (1010).
    #[error("invalid transaction: {}", <&'static str>::from(*.0))]
    InvalidTransaction(InvalidTransaction),
    /// The runtime could not decide whether the transaction is valid (1011).
    #[error("unknown transaction validity: {}", <&'static str>::from(*.0))]
    UnknownTransaction(UnknownTransaction),
    /// The transaction was recently included or declared invalid by the runtime, and is banned for
    /// a while (1012). Transactions dropped for the pool's limits, expired or retracted are not
    /// banned.
    #[error("transaction is temporarily banned")]
    TemporarilyBanned,
    /// The same transaction is already in the pool (1013). Not a failure of the transaction: it is
    /// pooled and may be included; a caller may re-broadcast it ([`PoolError::is_already_imported`],
    /// [`crate::Pool::get`]).
    #[error("transaction already imported")]
    AlreadyImported,
    /// The transaction provides a tag of a pooled transaction whose priority is not lower (1014).
    #[error("priority is too low: {new} is not higher than {old} of the transaction it would replace")]
    TooLowPriority {
        /// Highest priority among the pooled transactions it would replace.
        old: TransactionPriority,
        /// Priority of the refused transaction.
        new: TransactionPriority,
    },
    /// The transaction depends, directly or through other pooled transactions, on itself (1015).
    #[error("transaction has a dependency cycle")]
    CycleDetected,
    /// The pool is full and the transaction is the worst of all candidates for eviction (1016).
    #[error("pool is full and the transaction was immediately dropped")]
    ImmediatelyDropped,
    /// The sender already has as many transactions or bytes in the queue the transaction would
    /// enter as it may, and the transaction is the furthest of them from inclusion (1016).
    ///
    /// A transaction ready on arrival is never refused for the sender's future transactions:
    /// the queues have separate quotas.
    #[error("sender limit reached: {count} {queue} transactions ({bytes} bytes) already pending")]
    SenderLimitReached {
        /// The queue whose quota is exhausted.
        queue: Queue,
        /// Transactions of this sender in that queue, not counting those the new one would replace.
        count: usize,
        /// Their encoded size in bytes.
        bytes: usize,
    },
    /// The transaction provides no tag, so the pool cannot identify or order it (1018).
    #[error("transaction provides no tags")]
    NoTagsProvided,
}

impl PoolError {
    /// Whether the transaction is already pooled ([`PoolError::AlreadyImported`], code 1013): the
    /// submission changed nothing, but the transaction is pending, so a caller that wants it
    /// propagated may re-broadcast it.
    pub fn is_already_imported(&self) -> bool {
        matches!(self, Self::AlreadyImported)
    }

    /// The JSON-RPC error code Substrate's `author_submitExtrinsic` answers this error with.
    pub fn rpc_code(&self) -> i32 {
        match self {
            Self::InvalidTransaction(_) => 1010,
            Self::UnknownTransaction(_) => 1011,
            Self::TemporarilyBanned => 1012,
            Self::AlreadyImported => 1013,
            Self::TooLowPriority { .. } => 1014,
            Self::CycleDetected => 1015,
            Self::ImmediatelyDropped | Self::SenderLimitReached { .. } => 1016,
            Self::NoTagsProvided => 1018,
        }
    }
}

impl From<TransactionValidityError> for PoolError {
    fn from(err: TransactionValidityError) -> Self {
        match err {
            TransactionValidityError::Invalid(e) => Self::InvalidTransaction(e),
            TransactionValidityError::Unknown(e) => Self::UnknownTransaction(e),
        }
    }
}
