//! Storage errors.

/// Errors of the node database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// RocksDB failed.
    #[error("database: {0}")]
    Rocks(#[from] rocksdb::Error),
    /// A stored value does not decode.
    #[error("corrupt {what} in the database: {source}")]
    Corrupt {
        /// What was being read.
        what: &'static str,
        /// The decoding error.
        source: codec::Error,
    },
    /// The database was written by another schema version.
    #[error("database schema version {found} is not supported (expected {expected}); purge the chain or use a matching node")]
    SchemaVersion {
        /// Version found.
        found: u32,
        /// Version this node writes.
        expected: u32,
    },
    /// The database was created with another pruning mode.
    #[error(
        "the database was created with pruning {stored}, not {requested}; pruning cannot change after the first start"
    )]
    PruningMismatch {
        /// Mode stored in the database.
        stored: String,
        /// Mode requested now.
        requested: String,
    },
    /// The database holds another chain.
    #[error("the database holds the chain with genesis {stored:?}, not {requested:?}; use another --base-path or purge-chain")]
    GenesisMismatch {
        /// Genesis stored.
        stored: sp_core::H256,
        /// Genesis of the chain spec.
        requested: sp_core::H256,
    },
    /// A block does not extend the best block.
    #[error("block #{number} ({hash:?}) does not extend the best block #{best_number} ({best:?})")]
    NotNext {
        /// Number of the block.
        number: u32,
        /// Hash of the block.
        hash: sp_core::H256,
        /// Current best number.
        best_number: u32,
        /// Current best hash.
        best: sp_core::H256,
    },
    /// The state of a block was pruned.
    #[error(
        "state of block {0:?} was pruned (this node keeps the last {1} states; run with --pruning archive for all)"
    )]
    StatePruned(sp_core::H256, u32),
    /// The block is unknown.
    #[error("unknown block {0:?}")]
    UnknownBlock(sp_core::H256),
}

/// Result with the storage [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
