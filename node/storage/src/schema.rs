//! Column families and key layouts. Bump [`SCHEMA_VERSION`] on any change.

/// Version of the layout below, stored under [`meta::SCHEMA`].
pub const SCHEMA_VERSION: u32 = 1;

/// Block hash -> SCALE `Header`.
pub const HEADERS: &str = "headers";
/// Block hash -> SCALE `Vec<Vec<u8>>`, each element one encoded extrinsic.
pub const BODIES: &str = "bodies";
/// Big-endian `u32` number -> block hash (the canonical chain; there are no forks).
pub const NUMBERS: &str = "numbers";
/// Block hash -> SCALE `Justifications` (the commit certificate).
pub const JUSTIFICATIONS: &str = "justifications";
/// Prefixed trie-node key -> trie node.
pub const STATE: &str = "state";
/// Prefixed trie-node key -> little-endian `u32` reference count (pruning mode only).
pub const STATE_RC: &str = "state_rc";
/// Big-endian `u32` number -> SCALE `Vec<Vec<u8>>`: trie nodes that died in that block (pruning mode only).
pub const JOURNAL: &str = "journal";
/// Extrinsic hash -> SCALE `(block hash, index)`.
pub const TX_INDEX: &str = "tx_index";
/// Named metadata, see [`meta`].
pub const META: &str = "meta";

/// Every column family.
pub const COLUMNS: [&str; 9] = [HEADERS, BODIES, NUMBERS, JUSTIFICATIONS, STATE, STATE_RC, JOURNAL, TX_INDEX, META];

/// Keys of the [`META`] column.
pub mod meta {
    /// `u32` schema version.
    pub const SCHEMA: &[u8] = b"schema_version";
    /// Genesis block hash.
    pub const GENESIS: &[u8] = b"genesis";
    /// SCALE `(u32, H256)` best block.
    pub const BEST: &[u8] = b"best";
    /// SCALE `(u32, H256)` finalized block.
    pub const FINALIZED: &[u8] = b"finalized";
    /// Pruning mode as text (`archive` or the number of states kept).
    pub const PRUNING: &[u8] = b"pruning";
    /// SCALE `u32`: lowest block whose state is still available.
    pub const LOWEST_STATE: &[u8] = b"lowest_state";
}

/// Key of a block number in [`NUMBERS`] and [`JOURNAL`].
pub fn number_key(n: u32) -> [u8; 4] {
    n.to_be_bytes()
}
