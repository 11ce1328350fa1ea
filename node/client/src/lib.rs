//! # ecochain-client
//!
//! The node's view of its chain, shared by block production, consensus, the
//! transaction pool and RPC:
//!
//! - [`ChainSpec`]: the network definition and its genesis;
//! - [`Client`]: opens the database, writes or checks genesis, answers block,
//!   state and runtime queries at any kept block, commits authored blocks and
//!   imports (re-executes) received ones, and broadcasts [`ChainEvent`]s;
//!   every commit, whoever made it (dev sealer, BFT decision, value sync,
//!   `import-blocks`), runs the same [`CommitHook`]s before it returns (the
//!   pool's maintenance, the node's metrics), so no commit path has side
//!   effects of its own;
//! - [`TransactionPool`]: validation through the runtime's
//!   `TaggedTransactionQueue` in front of `ecochain-txpool`.

pub mod authoring;
pub mod chain_spec;
pub mod journal;
mod pool;
pub mod runtime_api;

pub use chain_spec::{ChainSpec, ChainType};
pub use ecochain_storage::State;
pub use pool::{Broadcast, SubmitError, TransactionPool, MAX_EXTRINSIC_BYTES};

use codec::Decode;
use ecochain_executor::{BuiltBlock, Executor, STATE_VERSION};
use ecochain_runtime::{Block, BlockNumber, Header};
use ecochain_storage::{CommitBlock, Database};
use parking_lot::RwLock;
use sp_core::H256;
use sp_runtime::{traits::BlakeTwo256, Justifications};
use sp_state_machine::{Backend, IterArgs};
use std::{path::Path, sync::Arc, time::Instant};
use tokio::sync::broadcast;

/// Errors of chain access.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Database error.
    #[error(transparent)]
    Storage(#[from] ecochain_storage::Error),
    /// Runtime execution error.
    #[error(transparent)]
    Executor(#[from] ecochain_executor::Error),
    /// Chain spec error.
    #[error(transparent)]
    Spec(#[from] chain_spec::Error),
    /// The block is not known.
    #[error("unknown block {0:?}")]
    UnknownBlock(H256),
    /// A received block is invalid.
    #[error("invalid block #{number} {hash:?}: {reason}")]
    InvalidBlock {
        /// Its number.
        number: BlockNumber,
        /// Its hash.
        hash: H256,
        /// Why.
        reason: String,
    },
    /// State access failed.
    #[error("state: {0}")]
    State(String),
}

/// Result with the client [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Something that happened to the chain.
#[derive(Clone, Debug)]
pub enum ChainEvent {
    /// A block became the new best block.
    Imported {
        /// Its header.
        header: Header,
        /// Its hash.
        hash: H256,
        /// Hashes of its extrinsics (blake2-256 of the encoded extrinsic).
        extrinsics: Vec<H256>,
        /// Storage keys it changed (for storage subscriptions).
        changed_keys: Arc<Vec<Vec<u8>>>,
    },
    /// A block became final.
    Finalized {
        /// Its header.
        header: Header,
        /// Its hash.
        hash: H256,
        /// Hashes of its extrinsics.
        extrinsics: Vec<H256>,
    },
}

/// A block just committed, as [`CommitHook`]s see it.
#[derive(Debug)]
pub struct Committed<'a> {
    /// Its hash.
    pub hash: H256,
    /// Its header.
    pub header: &'a Header,
    /// Hashes of its extrinsics.
    pub extrinsics: &'a [H256],
    /// Whether it was committed final.
    pub finalized: bool,
    /// Time spent importing it: execution (for received blocks) and the database write.
    pub took: std::time::Duration,
}

/// Runs after every commit, on the committing thread, before the commit call
/// returns (see [`Client::on_commit`]).
pub type CommitHook = Box<dyn Fn(&Committed<'_>) + Send + Sync>;

/// A block as stored: header, encoded extrinsics and justifications.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredBlock {
    /// The header.
    pub header: Header,
    /// Encoded extrinsics, each with its length prefix.
    pub extrinsics: Vec<Vec<u8>>,
    /// Commit certificate or other justifications.
    pub justifications: Option<Justifications>,
}

/// Hash of an encoded extrinsic, as `author_submitExtrinsic` returns it.
pub fn extrinsic_hash(encoded: &[u8]) -> H256 {
    H256(sp_crypto_hashing::blake2_256(encoded))
}

fn with_hash(header: Header) -> (Header, H256) {
    let hash = header.hash();
    (header, hash)
}

/// Chain access: see the crate docs.
pub struct Client {
    db: Database,
    executor: Executor,
    spec: ChainSpec,
    genesis_hash: H256,
    /// The best and the finalized block, with their hashes (read by every RPC call).
    best: RwLock<(Header, H256)>,
    finalized: RwLock<(Header, H256)>,
    events: broadcast::Sender<ChainEvent>,
    hooks: RwLock<Vec<CommitHook>>,
    metadata: std::sync::OnceLock<Vec<u8>>,
}

impl Client {
    /// Open the database at `path` for `spec`, writing genesis if it is empty
    /// and refusing a database of another chain.
    pub fn open(path: &Path, config: &ecochain_storage::Config, spec: ChainSpec) -> Result<Arc<Self>> {
        let db = Database::open(path, config)?;
        let storage = spec.build_storage()?;
        let empty = db.state_with_root(sp_trie::empty_trie_root::<sp_trie::LayoutV1<BlakeTwo256>>());
        let (root, transaction) = Executor::genesis_changes(&empty, &storage);
        let genesis = Executor::genesis_header(root);
        let genesis_hash = genesis.hash();
        if db.genesis_hash()?.is_none() {
            db.commit_block(CommitBlock {
                header: genesis.clone(),
                body: Vec::new(),
                justifications: None,
                state: transaction,
                finalized: true,
            })?;
            tracing::info!(target: "client", %genesis_hash, state_root = %root, "wrote genesis");
        } else {
            db.ensure_genesis(genesis_hash)?;
        }
        let header_of = |pair: Option<(BlockNumber, H256)>| -> Result<Header> {
            let (_, hash) = pair.unwrap_or((0, genesis_hash));
            db.header(&hash)?.ok_or(Error::UnknownBlock(hash))
        };
        let best = header_of(db.best()?)?;
        let finalized = header_of(db.finalized()?)?;
        tracing::info!(target: "client", best = best.number, finalized = finalized.number, %genesis_hash, "chain opened");
        let (events, _) = broadcast::channel(1024);
        Ok(Arc::new(Self {
            db,
            executor: Executor::default(),
            spec,
            genesis_hash,
            best: RwLock::new(with_hash(best)),
            finalized: RwLock::new(with_hash(finalized)),
            events,
            hooks: Default::default(),
            metadata: Default::default(),
        }))
    }

    /// Run `hook` after every commit from now on, in registration order. A
    /// hook must not register hooks itself.
    pub fn on_commit(&self, hook: CommitHook) {
        self.hooks.write().push(hook);
    }

    /// The chain spec.
    pub fn spec(&self) -> &ChainSpec {
        &self.spec
    }

    /// The executor.
    pub fn executor(&self) -> Executor {
        self.executor.clone()
    }

    /// The database.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Genesis hash.
    pub fn genesis_hash(&self) -> H256 {
        self.genesis_hash
    }

    /// Best block header.
    pub fn best_header(&self) -> Header {
        self.best.read().0.clone()
    }

    /// Best block hash.
    pub fn best_hash(&self) -> H256 {
        self.best.read().1
    }

    /// Finalized block header.
    pub fn finalized_header(&self) -> Header {
        self.finalized.read().0.clone()
    }

    /// Finalized block hash.
    pub fn finalized_hash(&self) -> H256 {
        self.finalized.read().1
    }

    /// Subscribe to chain events.
    pub fn subscribe(&self) -> broadcast::Receiver<ChainEvent> {
        self.events.subscribe()
    }

    /// Header by hash.
    pub fn header(&self, hash: &H256) -> Result<Option<Header>> {
        Ok(self.db.header(hash)?)
    }

    /// Canonical hash at `number`.
    pub fn hash(&self, number: BlockNumber) -> Result<Option<H256>> {
        Ok(self.db.hash(number)?)
    }

    /// A whole block by hash.
    pub fn block(&self, hash: &H256) -> Result<Option<StoredBlock>> {
        let Some(header) = self.db.header(hash)? else { return Ok(None) };
        let extrinsics = self.db.body(hash)?.unwrap_or_default();
        let justifications = self.db.justifications(hash)?;
        Ok(Some(StoredBlock { header, extrinsics, justifications }))
    }

    /// Which block included an extrinsic, and at which index.
    pub fn transaction_location(&self, hash: &H256) -> Result<Option<(H256, u32)>> {
        Ok(self.db.transaction(hash)?)
    }

    /// The state at `hash`.
    pub fn state_at(&self, hash: &H256) -> Result<State> {
        Ok(self.db.state_at(hash)?)
    }

    /// A storage value at `hash`.
    pub fn storage(&self, hash: &H256, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.state_at(hash)?.storage(key).map_err(Error::State)
    }

    /// Up to `count` keys under `prefix` at `hash`, after `start_key` (exclusive).
    pub fn keys_paged(
        &self,
        hash: &H256,
        prefix: &[u8],
        count: usize,
        start_key: Option<&[u8]>,
    ) -> Result<Vec<Vec<u8>>> {
        let state = self.state_at(hash)?;
        let mut args = IterArgs::default();
        args.prefix = Some(prefix);
        args.start_at = start_key.filter(|k| k.starts_with(prefix) || k > &prefix);
        args.start_at_exclusive = true;
        let iter = state.keys(args).map_err(Error::State)?;
        let mut keys = Vec::with_capacity(count.min(1024));
        for key in iter.take(count) {
            keys.push(key.map_err(Error::State)?);
        }
        Ok(keys)
    }

    /// A runtime call at `hash` (writes are discarded).
    pub fn call(&self, hash: &H256, method: &str, data: &[u8]) -> Result<Vec<u8>> {
        let state = self.state_at(hash)?;
        Ok(self.executor.call(&state, method, data)?)
    }

    /// A runtime call at `hash` whose answer decodes as `R`.
    pub fn call_decode<R: Decode>(&self, hash: &H256, method: &str, data: &[u8]) -> Result<R> {
        let state = self.state_at(hash)?;
        Ok(self.executor.call_decode(&state, method, data)?)
    }

    /// The runtime version (the runtime is linked in: it is the same at every block).
    pub fn runtime_version(&self) -> sp_version::RuntimeVersion {
        ecochain_runtime::version()
    }

    /// SCALE-encoded metadata (V14), as `state_getMetadata` serves it.
    pub fn metadata(&self) -> Result<Vec<u8>> {
        if let Some(m) = self.metadata.get() {
            return Ok(m.clone());
        }
        let opaque = self.runtime_api(self.genesis_hash).metadata()?;
        Ok(self.metadata.get_or_init(|| opaque).clone())
    }

    /// Typed runtime API calls at block `at` (see [`runtime_api`]).
    pub fn runtime_api(&self, at: H256) -> runtime_api::RuntimeApi<'_> {
        runtime_api::RuntimeApi::new(self, at)
    }

    /// Commit a block this node authored (its changes were computed while building).
    pub fn commit_built(
        &self,
        built: BuiltBlock,
        justifications: Option<Justifications>,
        finalized: bool,
    ) -> Result<H256> {
        let started = Instant::now();
        let changed_keys = built.changes.main_storage_changes.iter().map(|(k, _)| k.clone()).collect();
        let state = built.changes.transaction;
        self.commit(built.header, built.extrinsics, state, justifications, finalized, changed_keys, started)
    }

    /// Import a block received from elsewhere: re-execute it on its parent's
    /// state (the runtime checks every root and signature) and commit it.
    pub fn import_block(&self, block: StoredBlock, finalized: bool) -> Result<H256> {
        let hash = block.header.hash();
        let number = block.header.number;
        let invalid = |reason: String| Error::InvalidBlock { number, hash, reason };
        let best = self.best_header();
        if block.header.parent_hash != best.hash() || number != best.number + 1 {
            return Err(invalid(format!("does not extend the best block #{} {:?}", best.number, best.hash())));
        }
        let started = Instant::now();
        let extrinsics = ecochain_runtime::decode::decode_extrinsics(&block.extrinsics)
            .map_err(|e| invalid(format!("undecodable extrinsic: {e}")))?;
        let state = self.state_at(&block.header.parent_hash)?;
        let changes = self
            .executor
            .execute_block(&state, &Block { header: block.header.clone(), extrinsics })
            .map_err(|e| invalid(e.to_string()))?;
        if changes.transaction_storage_root != block.header.state_root {
            return Err(invalid("state root mismatch".into()));
        }
        tracing::debug!(target: "client", number, %hash, elapsed_ms = started.elapsed().as_millis() as u64, "executed");
        let changed_keys = changes.main_storage_changes.iter().map(|(k, _)| k.clone()).collect();
        self.commit(
            block.header,
            block.extrinsics,
            changes.transaction,
            block.justifications,
            finalized,
            changed_keys,
            started,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn commit(
        &self,
        header: Header,
        body: Vec<Vec<u8>>,
        state: sp_state_machine::BackendTransaction<BlakeTwo256>,
        justifications: Option<Justifications>,
        finalized: bool,
        changed_keys: Vec<Vec<u8>>,
        started: Instant,
    ) -> Result<H256> {
        let extrinsics: Vec<H256> = body.iter().map(|x| extrinsic_hash(x)).collect();
        let hash =
            self.db.commit_block(CommitBlock { header: header.clone(), body, justifications, state, finalized })?;
        *self.best.write() = (header.clone(), hash);
        if finalized {
            *self.finalized.write() = (header.clone(), hash);
        }
        let committed =
            Committed { hash, header: &header, extrinsics: &extrinsics, finalized, took: started.elapsed() };
        for hook in self.hooks.read().iter() {
            hook(&committed);
        }
        // Nobody listening is fine.
        let _ = self.events.send(ChainEvent::Imported {
            header: header.clone(),
            hash,
            extrinsics: extrinsics.clone(),
            changed_keys: Arc::new(changed_keys),
        });
        if finalized {
            let _ = self.events.send(ChainEvent::Finalized { header, hash, extrinsics });
        }
        Ok(hash)
    }

    /// Mark an already imported block final (with its commit certificate).
    pub fn finalize(&self, hash: &H256, justifications: Option<Justifications>) -> Result<()> {
        let header = self.header(hash)?.ok_or(Error::UnknownBlock(*hash))?;
        self.db.set_finalized(header.number, *hash, justifications)?;
        let extrinsics = self.db.body(hash)?.unwrap_or_default().iter().map(|x| extrinsic_hash(x)).collect();
        *self.finalized.write() = (header.clone(), *hash);
        let _ = self.events.send(ChainEvent::Finalized { header, hash: *hash, extrinsics });
        Ok(())
    }

    /// State version of every root.
    pub fn state_version(&self) -> sp_runtime::StateVersion {
        STATE_VERSION
    }
}

#[cfg(test)]
mod tests;
