//! The transaction pool service: decodes and validates extrinsics through the
//! runtime (`TaggedTransactionQueue_validate_transaction` at the best block),
//! then hands them to `ecochain-txpool`, which orders and bounds them. After
//! each block it prunes what was included and re-validates the rest.

use crate::{extrinsic_hash, Client};
use ecochain_runtime::{decode::decode_extrinsic, UncheckedExtrinsic};
use ecochain_txpool::{Config, NewTransaction, Pool, PoolError, PoolStatus, ReadyIter, SubmitOutcome, TxStatus};
use futures::{stream::BoxStream, StreamExt};
use sp_core::H256;
use sp_runtime::transaction_validity::{TransactionSource, TransactionValidityError};
use std::sync::Arc;

/// Largest extrinsic accepted, bytes.
pub const MAX_EXTRINSIC_BYTES: usize = 4 * 1024 * 1024;

/// Why a submission was refused. [`SubmitError::rpc_code`] gives Substrate's code.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The bytes are not an extrinsic of this chain (1001).
    #[error("extrinsic has invalid format: {0}")]
    BadFormat(String),
    /// Validation could not run (1002).
    #[error("verification error: {0}")]
    Verification(String),
    /// The pool refused it (1010 … 1018).
    #[error(transparent)]
    Pool(#[from] PoolError),
}

impl SubmitError {
    /// JSON-RPC error code, as Substrate's `author_*` methods answer.
    pub fn rpc_code(&self) -> i32 {
        match self {
            Self::BadFormat(_) => 1001,
            Self::Verification(_) => 1002,
            Self::Pool(e) => e.rpc_code(),
        }
    }

    /// JSON-RPC error message.
    pub fn message(&self) -> String {
        match self {
            Self::BadFormat(_) => "Extrinsic has invalid format".into(),
            Self::Verification(_) => "Verification Error".into(),
            Self::Pool(PoolError::InvalidTransaction(_)) => "Invalid Transaction".into(),
            Self::Pool(PoolError::UnknownTransaction(_)) => "Unknown Transaction Validity".into(),
            Self::Pool(e) => e.to_string(),
        }
    }

    /// JSON-RPC error data: the reason, in words.
    pub fn data(&self) -> Option<String> {
        match self {
            Self::BadFormat(reason) | Self::Verification(reason) => Some(reason.clone()),
            Self::Pool(PoolError::InvalidTransaction(i)) => Some(<&'static str>::from(*i).to_string()),
            Self::Pool(PoolError::UnknownTransaction(u)) => Some(<&'static str>::from(*u).to_string()),
            Self::Pool(e) => Some(e.to_string()),
        }
    }
}

/// See the module docs.
pub struct TransactionPool {
    client: Arc<Client>,
    pool: Pool,
    ready: tokio::sync::Notify,
    /// Sends locally submitted transactions to peers (transaction gossip).
    broadcast: parking_lot::RwLock<Option<Broadcast>>,
    /// Ready transactions seen at the last re-propagation tick.
    last_ready: parking_lot::Mutex<std::collections::HashSet<H256>>,
    /// Where local submissions are kept across restarts, if anywhere.
    journal: parking_lot::RwLock<Option<Arc<crate::journal::Journal>>>,
}

/// Hands an accepted local transaction to the network.
pub type Broadcast = Arc<dyn Fn(Vec<u8>) + Send + Sync>;

/// The signer of an extrinsic, for per-sender limits.
fn sender_of(xt: &UncheckedExtrinsic) -> Option<Vec<u8>> {
    match &xt.preamble {
        sp_runtime::generic::Preamble::Signed(address, ..) => Some(codec::Encode::encode(address)),
        _ => None,
    }
}

impl TransactionPool {
    /// A pool over `client` with `config`. It follows every block the client
    /// commits (see [`TransactionPool::on_block`]).
    pub fn new(client: Arc<Client>, config: Config) -> Arc<Self> {
        let pool = Arc::new(Self {
            client: client.clone(),
            pool: Pool::new(config),
            ready: tokio::sync::Notify::new(),
            broadcast: Default::default(),
            last_ready: Default::default(),
            journal: Default::default(),
        });
        // Weak: the client outlives nothing it hooks.
        let weak = Arc::downgrade(&pool);
        client.on_commit(Box::new(move |c| {
            if let Some(pool) = weak.upgrade() {
                pool.on_block(c.hash, c.header.number, c.extrinsics, c.finalized);
            }
        }));
        pool
    }

    /// Keep local submissions in `journal` from now on (see [`crate::journal`]).
    pub fn set_journal(&self, journal: Arc<crate::journal::Journal>) {
        *self.journal.write() = Some(journal);
    }

    fn journal(&self, xt: &[u8]) {
        if let Some(j) = self.journal.read().as_ref() {
            if let Err(e) = j.append(xt) {
                tracing::warn!(target: "txpool", error = %e, "could not journal a local transaction");
            }
        }
    }

    /// Transactions to gossip again: ready ones that were already ready at the
    /// previous call (pending for a whole tick: their first gossip may have been
    /// lost), or every ready one when `all` (a peer joined). At most `max`, in
    /// block-building order (the next to be included first).
    pub fn to_repropagate(&self, max: usize, all: bool) -> Vec<Vec<u8>> {
        let mut last = self.last_ready.lock();
        let mut now = std::collections::HashSet::new();
        let mut out = Vec::new();
        for tx in self.pool.ready() {
            if !tx.propagate {
                continue;
            }
            if out.len() < max && (all || last.contains(&tx.hash)) {
                out.push(tx.bytes.clone());
            }
            now.insert(tx.hash);
            if now.len() >= max.saturating_mul(4) {
                break;
            }
        }
        *last = now;
        out
    }

    /// The underlying pool.
    pub fn inner(&self) -> &Pool {
        &self.pool
    }

    fn validate(&self, xt: Vec<u8>, source: TransactionSource) -> Result<NewTransaction, SubmitError> {
        if xt.len() > MAX_EXTRINSIC_BYTES {
            return Err(SubmitError::BadFormat(format!(
                "{} bytes is above the {MAX_EXTRINSIC_BYTES}-byte limit",
                xt.len()
            )));
        }
        let decoded = decode_extrinsic(&xt).map_err(|e| SubmitError::BadFormat(e.to_string()))?;
        let hash = extrinsic_hash(&xt);
        if self.pool.is_banned(&hash) {
            return Err(PoolError::TemporarilyBanned.into());
        }
        if self.pool.contains(&hash) {
            return Err(PoolError::AlreadyImported.into());
        }
        let best = self.client.best_header();
        let at = sp_runtime::traits::Header::hash(&best);
        let validity = self
            .client
            .runtime_api(at)
            .validate_transaction(source, &xt)
            .map_err(|e| SubmitError::Verification(e.to_string()))?;
        match validity {
            Ok(validity) => Ok(NewTransaction {
                hash,
                bytes: xt,
                sender: sender_of(&decoded),
                source,
                validity,
                at_block: u64::from(best.number),
            }),
            Err(TransactionValidityError::Invalid(i)) => {
                self.pool.ban(&[hash]);
                Err(PoolError::InvalidTransaction(i).into())
            }
            Err(TransactionValidityError::Unknown(u)) => Err(PoolError::UnknownTransaction(u).into()),
        }
    }

    /// Send locally submitted transactions to peers from now on.
    pub fn set_broadcast(&self, broadcast: Broadcast) {
        *self.broadcast.write() = Some(broadcast);
    }

    fn broadcast(&self, xt: &[u8]) {
        if let Some(b) = self.broadcast.read().as_ref() {
            b(xt.to_vec());
        }
    }

    /// Validate and pool an encoded extrinsic from an RPC client, journal it
    /// and gossip it. One already pending is gossiped again (its first gossip
    /// may have been lost) and answered with 1013.
    pub fn submit(&self, xt: Vec<u8>) -> Result<H256, SubmitError> {
        match self.submit_with_source(xt.clone(), TransactionSource::External) {
            Ok(hash) => {
                self.journal(&xt);
                self.broadcast(&xt);
                Ok(hash)
            }
            Err(e @ SubmitError::Pool(PoolError::AlreadyImported)) => {
                self.broadcast(&xt);
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Re-admit journaled local transactions after a restart and gossip them;
    /// returns how many were pooled. Those now invalid (included, stale) are
    /// skipped.
    pub fn readmit(&self, txs: Vec<Vec<u8>>) -> usize {
        let mut pooled = 0;
        for xt in txs {
            match self.submit_with_source(xt.clone(), TransactionSource::Local) {
                Ok(_) => {
                    // Already in the journal it came from: gossiped, not journaled again.
                    pooled += 1;
                    self.broadcast(&xt);
                }
                Err(e) => tracing::debug!(target: "txpool", error = %e, "journaled transaction not re-admitted"),
            }
        }
        pooled
    }

    /// Pool a transaction a peer gossiped (the network already forwards it).
    pub fn submit_from_network(&self, xt: Vec<u8>) -> Result<H256, SubmitError> {
        self.submit_with_source(xt, TransactionSource::External)
    }

    /// Validate and pool an encoded extrinsic.
    pub fn submit_with_source(&self, xt: Vec<u8>, source: TransactionSource) -> Result<H256, SubmitError> {
        let tx = self.validate(xt, source)?;
        let hash = tx.hash;
        self.pool.submit(tx)?;
        self.ready.notify_one();
        tracing::debug!(target: "txpool", %hash, "submitted");
        Ok(hash)
    }

    /// Validate and pool, and follow the transaction's status.
    /// The stream starts with `Ready` or `Future`.
    pub fn submit_and_watch(&self, xt: Vec<u8>) -> Result<(H256, BoxStream<'static, TxStatus>), SubmitError> {
        let tx = match self.validate(xt.clone(), TransactionSource::External) {
            Err(e @ SubmitError::Pool(PoolError::AlreadyImported)) => {
                self.broadcast(&xt);
                return Err(e);
            }
            other => other?,
        };
        let hash = tx.hash;
        let (outcome, stream) = self.pool.submit_and_watch(tx)?;
        self.ready.notify_one();
        self.journal(&xt);
        self.broadcast(&xt);
        let first = match outcome {
            SubmitOutcome::Ready => TxStatus::Ready,
            SubmitOutcome::Future => TxStatus::Future,
        };
        Ok((hash, futures::stream::once(async move { first }).chain(stream).boxed()))
    }

    /// Encoded extrinsics in the pool.
    pub fn pending(&self) -> Vec<Vec<u8>> {
        self.pool.pending()
    }

    /// Encoded extrinsics of `who` in the pool, signed by that account, in no particular order.
    pub fn pending_of(&self, who: &ecochain_runtime::AccountId) -> Vec<Vec<u8>> {
        let sender = codec::Encode::encode(&ecochain_runtime::Address::Id(who.clone()));
        self.pool.sender_transactions(&sender).into_iter().map(|tx| tx.bytes.clone()).collect()
    }

    /// Remove transactions (and ban them); returns the hashes removed.
    pub fn remove(&self, hashes: &[H256]) -> Vec<H256> {
        self.pool.remove_invalid(hashes).into_iter().map(|tx| tx.hash).collect()
    }

    /// Pool size.
    pub fn status(&self) -> PoolStatus {
        self.pool.status()
    }

    /// Ready transactions in block-building order.
    pub fn ready(&self) -> ReadyIter {
        self.pool.ready()
    }

    /// Wait until a transaction was submitted.
    pub async fn wait_ready(&self) {
        self.ready.notified().await
    }

    /// The block builder found a transaction invalid: drop and ban it.
    pub fn reject(&self, hash: &H256, error: TransactionValidityError) {
        self.pool.reject(*hash, error);
    }

    /// A block was imported: prune what it included, mark it final if it is,
    /// and re-validate what is left against the new best state. The client
    /// calls it on every commit.
    pub fn on_block(&self, hash: H256, number: u32, extrinsics: &[H256], finalized: bool) {
        self.pool.prune_included(hash, u64::from(number), extrinsics, Vec::new());
        if finalized {
            self.pool.finalized(hash, extrinsics);
        }
        let candidates = self.pool.revalidation_candidates();
        // A transaction whose validation could not run is kept as it is.
        let results = candidates
            .into_iter()
            .filter_map(|(tx_hash, bytes)| {
                let validity =
                    self.client.runtime_api(hash).validate_transaction(TransactionSource::External, &bytes).ok()?;
                Some((tx_hash, validity))
            })
            .collect();
        self.pool.apply_revalidation(results);
        if self.pool.status().ready > 0 {
            self.ready.notify_one();
        }
    }

    /// Decode a pooled extrinsic (for nonce queries).
    pub fn decode(bytes: &[u8]) -> Option<UncheckedExtrinsic> {
        decode_extrinsic(bytes).ok()
    }
}
