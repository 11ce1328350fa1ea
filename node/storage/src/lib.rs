//! # ecochain-storage
//!
//! The node's RocksDB database: headers, bodies, the canonical number -> hash
//! index, commit certificates (justifications), the state as a Merkle-Patricia
//! trie (sp-trie nodes keyed by prefixed hash), and metadata (best and
//! finalized head, genesis, pruning mode, schema version).
//!
//! A block, its state changes and the new heads are written in **one atomic,
//! synced write batch** ([`Database::commit_block`]): after a crash the database
//! is at the last committed block, never half of one.
//!
//! Pruning: [`Pruning::Archive`] keeps every state; [`Pruning::KeepLast`] keeps
//! the states of the last N blocks. In that mode each trie node carries a
//! reference count; the nodes a block made unreachable are journaled with the
//! block and released N blocks later. The chain is linear (BFT finality, no
//! forks), which keeps this exact.

mod error;
pub mod schema;

pub use error::{Error, Result};

use codec::{Decode, Encode};
use ecochain_primitives::{BlockNumber, Header};
use hash_db::Prefix;
use parking_lot::Mutex;
use rocksdb::{ColumnFamilyDescriptor, Options, WriteBatch, WriteOptions, DB};
use schema::{meta, number_key};
use sp_core::H256;
use sp_runtime::{traits::BlakeTwo256, Justifications};
use sp_state_machine::{BackendTransaction, DBValue, TrieBackend, TrieBackendBuilder, TrieBackendStorage};
use std::{collections::HashMap, path::Path, sync::Arc};

/// How many states the database keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pruning {
    /// Keep the state of every block.
    Archive,
    /// Keep the states of the last N blocks (N >= 1).
    KeepLast(u32),
}

impl Pruning {
    /// Default for non-archive nodes.
    pub const DEFAULT: Pruning = Pruning::KeepLast(256);

    fn as_text(&self) -> String {
        match self {
            Pruning::Archive => "archive".into(),
            Pruning::KeepLast(n) => n.to_string(),
        }
    }
}

impl std::str::FromStr for Pruning {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s {
            "archive" | "archive-canonical" => Ok(Pruning::Archive),
            n => match n.parse::<u32>() {
                Ok(n) if n > 0 => Ok(Pruning::KeepLast(n)),
                _ => Err(format!("pruning must be `archive` or a number of blocks > 0, not `{s}`")),
            },
        }
    }
}

/// Database settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// States to keep, for a new database.
    pub pruning: Pruning,
    /// Whether `pruning` was asked for explicitly: an existing database with
    /// another mode is then refused; otherwise the stored mode is used.
    pub pruning_explicit: bool,
    /// RocksDB block cache, bytes.
    pub cache_bytes: usize,
    /// Shared trie node and value cache, bytes (0: none). Nodes are keyed by
    /// their hash and values by (state root, key), so entries never go stale.
    pub trie_cache_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            pruning: Pruning::DEFAULT,
            pruning_explicit: false,
            cache_bytes: 128 * 1024 * 1024,
            trie_cache_bytes: 64 * 1024 * 1024,
        }
    }
}

/// A block to commit.
pub struct CommitBlock {
    /// The header (its hash is the block hash).
    pub header: Header,
    /// The encoded extrinsics, each with its length prefix.
    pub body: Vec<Vec<u8>>,
    /// Commit certificate or other justifications.
    pub justifications: Option<Justifications>,
    /// Trie nodes inserted (rc > 0) and released (rc < 0) by the block.
    pub state: BackendTransaction<BlakeTwo256>,
    /// Whether the block is final once committed.
    pub finalized: bool,
}

/// The trie-node store behind every state backend (cheap to clone).
#[derive(Clone)]
pub struct StateStore {
    db: Arc<DB>,
}

impl TrieBackendStorage<BlakeTwo256> for StateStore {
    fn get(&self, key: &H256, prefix: Prefix<'_>) -> std::result::Result<Option<DBValue>, String> {
        let cf = self.db.cf_handle(schema::STATE).ok_or("missing column `state`")?;
        self.db
            .get_pinned_cf(cf, sp_trie::prefixed_key::<BlakeTwo256>(key, prefix))
            .map(|v| v.map(|v| v.to_vec()))
            .map_err(|e| e.to_string())
    }
}

/// A state at some block, read through sp-state-machine.
pub type State = TrieBackend<StateStore, BlakeTwo256>;

/// The node database.
pub struct Database {
    db: Arc<DB>,
    store: StateStore,
    trie_cache: Option<sp_trie::cache::SharedTrieCache<BlakeTwo256>>,
    pruning: Pruning,
    /// Serialises writers; readers never block.
    write_lock: Mutex<()>,
}

fn decode<T: Decode>(what: &'static str, bytes: &[u8]) -> Result<T> {
    T::decode(&mut &bytes[..]).map_err(|source| Error::Corrupt { what, source })
}

impl Database {
    /// Open (or create) the database under `path`.
    pub fn open(path: &Path, config: &Config) -> Result<Self> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        opts.set_max_open_files(512);
        opts.set_keep_log_file_num(4);
        opts.increase_parallelism(2);
        let mut block = rocksdb::BlockBasedOptions::default();
        let cache = rocksdb::Cache::new_lru_cache(config.cache_bytes);
        block.set_block_cache(&cache);
        block.set_bloom_filter(10.0, false);
        let cfs = schema::COLUMNS.iter().map(|name| {
            let mut cf = Options::default();
            cf.set_block_based_table_factory(&block);
            cf.set_compression_type(rocksdb::DBCompressionType::Lz4);
            ColumnFamilyDescriptor::new(*name, cf)
        });
        let db = Arc::new(DB::open_cf_descriptors(&opts, path, cfs)?);
        let mut this = Self {
            store: StateStore { db: db.clone() },
            trie_cache: (config.trie_cache_bytes > 0).then(|| {
                sp_trie::cache::SharedTrieCache::new(sp_trie::cache::CacheSize::new(config.trie_cache_bytes), None)
            }),
            db,
            pruning: config.pruning,
            write_lock: Mutex::new(()),
        };
        this.check_meta(config.pruning_explicit)?;
        Ok(this)
    }

    fn cf(&self, name: &str) -> &rocksdb::ColumnFamily {
        // Every column in `schema::COLUMNS` is created by `open`.
        self.db.cf_handle(name).expect("column families are created at open")
    }

    fn get(&self, col: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.db.get_cf(self.cf(col), key)?)
    }

    fn check_meta(&mut self, pruning_explicit: bool) -> Result<()> {
        let mut batch = WriteBatch::default();
        match self.get(schema::META, meta::SCHEMA)? {
            Some(v) => {
                let found: u32 = decode("schema version", &v)?;
                if found != schema::SCHEMA_VERSION {
                    return Err(Error::SchemaVersion { found, expected: schema::SCHEMA_VERSION });
                }
            }
            None => batch.put_cf(self.cf(schema::META), meta::SCHEMA, schema::SCHEMA_VERSION.encode()),
        }
        let requested = self.pruning.as_text();
        match self.get(schema::META, meta::PRUNING)? {
            Some(stored) if stored != requested.as_bytes() => {
                let stored = String::from_utf8_lossy(&stored).into_owned();
                match stored.parse::<Pruning>() {
                    Ok(mode) if !pruning_explicit => self.pruning = mode,
                    _ => return Err(Error::PruningMismatch { stored, requested }),
                }
            }
            Some(_) => {}
            None => batch.put_cf(self.cf(schema::META), meta::PRUNING, requested.as_bytes()),
        }
        self.db.write(batch)?;
        Ok(())
    }

    /// The pruning mode.
    pub fn pruning(&self) -> Pruning {
        self.pruning
    }

    /// Genesis hash, once a genesis block was committed.
    pub fn genesis_hash(&self) -> Result<Option<H256>> {
        self.get(schema::META, meta::GENESIS)?.map(|v| decode("genesis hash", &v)).transpose()
    }

    /// Refuse a database that holds another chain than `genesis`.
    pub fn ensure_genesis(&self, genesis: H256) -> Result<()> {
        match self.genesis_hash()? {
            Some(stored) if stored != genesis => Err(Error::GenesisMismatch { stored, requested: genesis }),
            _ => Ok(()),
        }
    }

    /// Best block `(number, hash)`.
    pub fn best(&self) -> Result<Option<(BlockNumber, H256)>> {
        self.get(schema::META, meta::BEST)?.map(|v| decode("best block", &v)).transpose()
    }

    /// Finalized block `(number, hash)`.
    pub fn finalized(&self) -> Result<Option<(BlockNumber, H256)>> {
        self.get(schema::META, meta::FINALIZED)?.map(|v| decode("finalized block", &v)).transpose()
    }

    /// Header of a block.
    pub fn header(&self, hash: &H256) -> Result<Option<Header>> {
        self.get(schema::HEADERS, hash.as_bytes())?.map(|v| decode("header", &v)).transpose()
    }

    /// Hash of the canonical block at `number`.
    pub fn hash(&self, number: BlockNumber) -> Result<Option<H256>> {
        self.get(schema::NUMBERS, &number_key(number))?.map(|v| decode("block hash", &v)).transpose()
    }

    /// Encoded extrinsics of a block.
    pub fn body(&self, hash: &H256) -> Result<Option<Vec<Vec<u8>>>> {
        self.get(schema::BODIES, hash.as_bytes())?.map(|v| decode("block body", &v)).transpose()
    }

    /// Justifications (commit certificate) of a block.
    pub fn justifications(&self, hash: &H256) -> Result<Option<Justifications>> {
        self.get(schema::JUSTIFICATIONS, hash.as_bytes())?.map(|v| decode("justifications", &v)).transpose()
    }

    /// Block and index of an extrinsic, by the hash of its encoding.
    pub fn transaction(&self, hash: &H256) -> Result<Option<(H256, u32)>> {
        self.get(schema::TX_INDEX, hash.as_bytes())?.map(|v| decode("transaction index", &v)).transpose()
    }

    /// Lowest block whose state is still kept.
    pub fn lowest_state(&self) -> Result<BlockNumber> {
        Ok(self.get(schema::META, meta::LOWEST_STATE)?.map(|v| decode("lowest state", &v)).transpose()?.unwrap_or(0))
    }

    /// The state at block `hash`, read lazily from the trie.
    pub fn state_at(&self, hash: &H256) -> Result<State> {
        let header = self.header(hash)?.ok_or(Error::UnknownBlock(*hash))?;
        if let Pruning::KeepLast(keep) = self.pruning {
            if header.number < self.lowest_state()? {
                return Err(Error::StatePruned(*hash, keep));
            }
        }
        Ok(self.state_with_root(header.state_root))
    }

    /// A state backend over an arbitrary root (genesis building, tests).
    pub fn state_with_root(&self, root: H256) -> State {
        // Each state gets a local cache that merges into the shared one when
        // the state is dropped ("untrusted": bounded, whatever the caller).
        TrieBackendBuilder::new(self.store.clone(), root)
            .with_optional_cache(self.trie_cache.as_ref().map(|c| c.local_cache_untrusted()))
            .build()
    }

    /// Store a block, its state and the new heads atomically.
    ///
    /// The block must be the genesis block of an empty database or extend the
    /// best block (the chain is linear: finality is immediate).
    pub fn commit_block(&self, block: CommitBlock) -> Result<H256> {
        let _guard = self.write_lock.lock();
        let hash = sp_runtime::traits::Header::hash(&block.header);
        let number = block.header.number;
        match self.best()? {
            None if number == 0 => {}
            Some((best_number, best)) if block.header.parent_hash == best && number == best_number + 1 => {}
            other => {
                let (best_number, best) = other.unwrap_or_default();
                return Err(Error::NotNext { number, hash, best_number, best });
            }
        }
        let mut batch = WriteBatch::default();
        batch.put_cf(self.cf(schema::HEADERS), hash.as_bytes(), block.header.encode());
        for (index, xt) in block.body.iter().enumerate() {
            let xt_hash = sp_crypto_hashing::blake2_256(xt);
            batch.put_cf(self.cf(schema::TX_INDEX), xt_hash, (hash, index as u32).encode());
        }
        batch.put_cf(self.cf(schema::BODIES), hash.as_bytes(), block.body.encode());
        batch.put_cf(self.cf(schema::NUMBERS), number_key(number), hash.encode());
        if let Some(j) = &block.justifications {
            batch.put_cf(self.cf(schema::JUSTIFICATIONS), hash.as_bytes(), j.encode());
        }
        self.write_state(&mut batch, number, block.state)?;
        batch.put_cf(self.cf(schema::META), meta::BEST, (number, hash).encode());
        if block.finalized {
            batch.put_cf(self.cf(schema::META), meta::FINALIZED, (number, hash).encode());
        }
        if number == 0 {
            batch.put_cf(self.cf(schema::META), meta::GENESIS, hash.encode());
        }
        let mut sync = WriteOptions::default();
        sync.set_sync(true);
        self.db.write_opt(batch, &sync)?;
        Ok(hash)
    }

    /// Record a finalized block (when finality comes after import).
    pub fn set_finalized(&self, number: BlockNumber, hash: H256, justifications: Option<Justifications>) -> Result<()> {
        let _guard = self.write_lock.lock();
        let mut batch = WriteBatch::default();
        if let Some(j) = justifications {
            batch.put_cf(self.cf(schema::JUSTIFICATIONS), hash.as_bytes(), j.encode());
        }
        batch.put_cf(self.cf(schema::META), meta::FINALIZED, (number, hash).encode());
        let mut sync = WriteOptions::default();
        sync.set_sync(true);
        self.db.write_opt(batch, &sync)?;
        Ok(())
    }

    fn write_state(
        &self,
        batch: &mut WriteBatch,
        number: BlockNumber,
        mut state: BackendTransaction<BlakeTwo256>,
    ) -> Result<()> {
        let changes = state.drain();
        match self.pruning {
            Pruning::Archive => {
                for (key, (value, rc)) in changes {
                    if rc > 0 {
                        batch.put_cf(self.cf(schema::STATE), key, value);
                    }
                }
            }
            Pruning::KeepLast(keep) => {
                let mut deaths = Vec::new();
                let mut counts: HashMap<Vec<u8>, u32> = HashMap::new();
                for (key, (value, rc)) in changes {
                    if rc > 0 {
                        let count = self.refcount(&key)?;
                        let new = count.saturating_add(rc as u32);
                        if count == 0 {
                            batch.put_cf(self.cf(schema::STATE), &key, value);
                        }
                        counts.insert(key, new);
                    } else if rc < 0 {
                        for _ in 0..rc.unsigned_abs() {
                            deaths.push(key.clone());
                        }
                    }
                }
                for (key, count) in &counts {
                    batch.put_cf(self.cf(schema::STATE_RC), key, count.to_le_bytes());
                }
                if !deaths.is_empty() {
                    batch.put_cf(self.cf(schema::JOURNAL), number_key(number), deaths.encode());
                }
                // Release the nodes that died `keep` blocks ago: the state of
                // block `number - keep - 1` and older is no longer reachable.
                if let Some(old) = number.checked_sub(keep) {
                    if let Some(journal) = self.get(schema::JOURNAL, &number_key(old))? {
                        let dead: Vec<Vec<u8>> = decode("state journal", &journal)?;
                        for key in dead {
                            let count = counts.get(&key).copied().map(Ok).unwrap_or_else(|| self.refcount(&key))?;
                            let left = count.saturating_sub(1);
                            if left == 0 {
                                batch.delete_cf(self.cf(schema::STATE), &key);
                                batch.delete_cf(self.cf(schema::STATE_RC), &key);
                                counts.remove(&key);
                            } else {
                                batch.put_cf(self.cf(schema::STATE_RC), &key, left.to_le_bytes());
                                counts.insert(key, left);
                            }
                        }
                        batch.delete_cf(self.cf(schema::JOURNAL), number_key(old));
                    }
                    batch.put_cf(self.cf(schema::META), meta::LOWEST_STATE, old.encode());
                }
            }
        }
        Ok(())
    }

    fn refcount(&self, key: &[u8]) -> Result<u32> {
        Ok(self
            .db
            .get_pinned_cf(self.cf(schema::STATE_RC), key)?
            .map(|v| v.as_ref().try_into().map(u32::from_le_bytes).unwrap_or(0))
            .unwrap_or(0))
    }

    /// Flush memtables (used before a clean shutdown).
    pub fn flush(&self) -> Result<()> {
        Ok(self.db.flush()?)
    }
}

#[cfg(test)]
mod tests;
