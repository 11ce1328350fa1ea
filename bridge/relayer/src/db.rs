//! The relayer's local database (RocksDB, every write synced).
//!
//! - `meta/identity`: the bridge, EVM chain id and chain genesis this database
//!   belongs to (a relayer never mixes two bridges' cursors);
//! - `meta/evm_cursor`: the last EVM block whose `Returned` logs are all recorded;
//! - `meta/chain_cursor`: the lowest chain outbound nonce not yet settled for us;
//! - `meta/finality`: the newest chain block the finality client verified,
//!   with its validator set (where a restart resumes verifying);
//! - `inbound/<source key>`: a burn seen on the EVM side and not yet released on
//!   chain. It is written in the same batch as the cursor that passed it, so
//!   a crash between the two cannot lose it; it is deleted once released.

use crate::finality::Trusted;
use codec::{Decode, Encode};
use ecochain_runtime::AccountId;
use pallet_bridge::{Asset, SourceKey};
use rocksdb::{IteratorMode, WriteBatch, WriteOptions, DB};
use std::path::Path;

const IDENTITY: &[u8] = b"meta/identity";
const EVM_CURSOR: &[u8] = b"meta/evm_cursor";
const CHAIN_CURSOR: &[u8] = b"meta/chain_cursor";
const FINALITY: &[u8] = b"meta/finality";
const INBOUND: &[u8] = b"inbound/";

/// A burn on the EVM side waiting for its release on chain.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct Inbound {
    /// (EVM chain id, transaction hash, log index).
    pub source: SourceKey,
    /// What is released.
    pub asset: Asset,
    /// Chain recipient.
    pub recipient: AccountId,
    /// EVM block of the burn.
    pub evm_block: u64,
}

/// Errors of the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// RocksDB failed.
    #[error("relayer database: {0}")]
    Rocks(#[from] rocksdb::Error),
    /// A stored value does not decode.
    #[error("relayer database: corrupt value under {0}")]
    Corrupt(String),
    /// The database belongs to another bridge.
    #[error("relayer database {path} belongs to another bridge ({stored}); this config is {wanted}")]
    OtherBridge {
        /// Database directory.
        path: String,
        /// What it was created for.
        stored: String,
        /// What the config says.
        wanted: String,
    },
}

/// The database.
pub struct Db {
    db: DB,
}

fn synced() -> WriteOptions {
    let mut options = WriteOptions::default();
    options.set_sync(true);
    options
}

impl Db {
    /// Open (or create) the database at `path` for the bridge `identity`.
    pub fn open(path: &Path, identity: &str) -> Result<Self, DbError> {
        let mut options = rocksdb::Options::default();
        options.create_if_missing(true);
        let db = DB::open(&options, path)?;
        match db.get(IDENTITY)? {
            Some(stored) if stored != identity.as_bytes() => {
                return Err(DbError::OtherBridge {
                    path: path.display().to_string(),
                    stored: String::from_utf8_lossy(&stored).into_owned(),
                    wanted: identity.to_string(),
                })
            }
            Some(_) => {}
            None => db.put_opt(IDENTITY, identity.as_bytes(), &synced())?,
        }
        Ok(Self { db })
    }

    fn get_u64(&self, key: &[u8]) -> Result<Option<u64>, DbError> {
        match self.db.get(key)? {
            None => Ok(None),
            Some(bytes) => Ok(Some(u64::from_be_bytes(
                bytes.as_slice().try_into().map_err(|_| DbError::Corrupt(String::from_utf8_lossy(key).into()))?,
            ))),
        }
    }

    /// The last EVM block fully scanned, if any.
    pub fn evm_cursor(&self) -> Result<Option<u64>, DbError> {
        self.get_u64(EVM_CURSOR)
    }

    /// The lowest chain nonce not yet settled for this relayer, if recorded.
    pub fn chain_cursor(&self) -> Result<Option<u64>, DbError> {
        self.get_u64(CHAIN_CURSOR)
    }

    /// Move the chain cursor.
    pub fn set_chain_cursor(&self, nonce: u64) -> Result<(), DbError> {
        Ok(self.db.put_opt(CHAIN_CURSOR, nonce.to_be_bytes(), &synced())?)
    }

    /// The finality client's stored checkpoint.
    pub fn finality(&self) -> Result<Option<Trusted>, DbError> {
        self.db
            .get(FINALITY)?
            .map(|bytes| Trusted::decode(&mut &bytes[..]).map_err(|_| DbError::Corrupt("meta/finality".into())))
            .transpose()
    }

    /// Store the finality client's checkpoint.
    pub fn set_finality(&self, trusted: &Trusted) -> Result<(), DbError> {
        Ok(self.db.put_opt(FINALITY, trusted.encode(), &synced())?)
    }

    /// Record the burns found up to `block` and move the EVM cursor, atomically.
    pub fn record_scan(&self, found: &[Inbound], block: u64) -> Result<(), DbError> {
        let mut batch = WriteBatch::default();
        for item in found {
            batch.put(inbound_key(&item.source), item.encode());
        }
        batch.put(EVM_CURSOR, block.to_be_bytes());
        Ok(self.db.write_opt(batch, &synced())?)
    }

    /// Burns not yet released on chain, oldest first by key order.
    pub fn pending_inbound(&self) -> Result<Vec<Inbound>, DbError> {
        let mut out = Vec::new();
        for entry in self.db.iterator(IteratorMode::From(INBOUND, rocksdb::Direction::Forward)) {
            let (key, value) = entry?;
            if !key.starts_with(INBOUND) {
                break;
            }
            out.push(
                Inbound::decode(&mut &value[..])
                    .map_err(|_| DbError::Corrupt(format!("inbound/{}", hex::encode(&key[INBOUND.len()..]))))?,
            );
        }
        Ok(out)
    }

    /// Forget a burn once it is released on chain.
    pub fn settle_inbound(&self, source: &SourceKey) -> Result<(), DbError> {
        Ok(self.db.delete_opt(inbound_key(source), &synced())?)
    }
}

fn inbound_key(source: &SourceKey) -> Vec<u8> {
    let mut key = INBOUND.to_vec();
    key.extend(source.encode());
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use sp_core::H256;

    fn item(n: u8) -> Inbound {
        Inbound {
            source: (31_337, sp_core::H160::repeat_byte(0xb1), H256::repeat_byte(n), u32::from(n)),
            asset: Asset::Ect(u128::from(n) * 1_000),
            recipient: AccountId::new([n; 32]),
            evm_block: u64::from(n),
        }
    }

    #[test]
    fn cursors_and_inbound_survive_reopening() {
        let dir = tempfile::tempdir().expect("dir");
        {
            let db = Db::open(dir.path(), "bridge-a").expect("open");
            assert_eq!(db.evm_cursor().expect("read"), None);
            assert_eq!(db.chain_cursor().expect("read"), None);
            db.record_scan(&[item(1), item(2)], 40).expect("scan");
            db.set_chain_cursor(7).expect("cursor");
            db.settle_inbound(&item(1).source).expect("settle");
            db.set_finality(&checkpoint()).expect("finality");
        }
        let db = Db::open(dir.path(), "bridge-a").expect("reopen");
        assert_eq!(db.evm_cursor().expect("read"), Some(40));
        assert_eq!(db.chain_cursor().expect("read"), Some(7));
        assert_eq!(db.pending_inbound().expect("read"), vec![item(2)]);
        assert_eq!(db.finality().expect("read"), Some(checkpoint()));
    }

    fn checkpoint() -> Trusted {
        let block =
            crate::finality::Verified { number: 9, hash: H256::repeat_byte(9), state_root: H256::repeat_byte(8) };
        Trusted { block, set: vec![[1; 32], [2; 32]] }
    }

    #[test]
    fn refuses_another_bridges_database() {
        let dir = tempfile::tempdir().expect("dir");
        drop(Db::open(dir.path(), "bridge-a").expect("open"));
        let err = Db::open(dir.path(), "bridge-b").err().expect("refused");
        assert!(err.to_string().contains("another bridge"));
    }
}
