//! Database tests on a real RocksDB in a temporary directory.

use super::*;
use sp_runtime::{generic::Digest, traits::Header as _, StateVersion};
use sp_state_machine::Backend;

fn header(number: u32, parent: H256, state_root: H256) -> Header {
    Header::new(number, H256::zero(), state_root, parent, Digest::default())
}

/// Commit a block that sets `changes` on top of the best state.
fn commit(db: &Database, changes: Vec<(Vec<u8>, Option<Vec<u8>>)>) -> (H256, Header) {
    let (parent, number, parent_root) = match db.best().expect("best") {
        Some((n, h)) => (h, n + 1, db.header(&h).expect("read").expect("best header").state_root),
        None => (H256::zero(), 0, empty_root()),
    };
    let state = db.state_with_root(parent_root);
    let (root, tx) = state.storage_root(changes.iter().map(|(k, v)| (&k[..], v.as_deref())), StateVersion::V1);
    let header = header(number, parent, root);
    let hash = db
        .commit_block(CommitBlock {
            header: header.clone(),
            body: vec![vec![4, 1, 2]],
            justifications: None,
            state: tx,
            finalized: true,
        })
        .expect("commit");
    (hash, header)
}

fn empty_root() -> H256 {
    sp_trie::empty_trie_root::<sp_trie::LayoutV1<BlakeTwo256>>()
}

fn kv(k: &str, v: &str) -> (Vec<u8>, Option<Vec<u8>>) {
    (k.as_bytes().to_vec(), Some(v.as_bytes().to_vec()))
}

#[test]
fn blocks_and_state_survive_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (hash, header) = {
        let db = Database::open(dir.path(), &Config { pruning: Pruning::Archive, ..Default::default() }).expect("open");
        commit(&db, vec![kv("a", "1"), kv("b", "2")]);
        commit(&db, vec![kv("a", "3")])
    };
    let db = Database::open(dir.path(), &Config { pruning: Pruning::Archive, ..Default::default() }).expect("reopen");
    assert_eq!(db.best().expect("best"), Some((1, hash)));
    assert_eq!(db.finalized().expect("finalized"), Some((1, hash)));
    assert_eq!(db.header(&hash).expect("read"), Some(header.clone()));
    assert_eq!(db.hash(1).expect("read"), Some(hash));
    assert_eq!(db.body(&hash).expect("read"), Some(vec![vec![4, 1, 2]]));
    let state = db.state_at(&hash).expect("state");
    assert_eq!(state.storage(b"a").expect("read"), Some(b"3".to_vec()));
    assert_eq!(state.storage(b"b").expect("read"), Some(b"2".to_vec()));
    let genesis = db.hash(0).expect("read").expect("genesis");
    assert_eq!(db.state_at(&genesis).expect("archive keeps it").storage(b"a").expect("read"), Some(b"1".to_vec()));
    assert_eq!(db.genesis_hash().expect("read"), Some(genesis));
    assert_eq!(db.transaction(&H256(sp_crypto_hashing::blake2_256(&[4, 1, 2]))).expect("read"), Some((hash, 0)));
}

#[test]
fn blocks_must_extend_the_best_block() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Database::open(dir.path(), &Config::default()).expect("open");
    let (genesis, _) = commit(&db, vec![kv("a", "1")]);
    let orphan = header(5, genesis, empty_root());
    let err = db
        .commit_block(CommitBlock {
            header: orphan,
            body: vec![],
            justifications: None,
            state: Default::default(),
            finalized: true,
        })
        .expect_err("gap refused");
    assert!(matches!(err, Error::NotNext { number: 5, .. }));
}

#[test]
fn pruning_keeps_the_last_states_and_releases_older_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Database::open(dir.path(), &Config { pruning: Pruning::KeepLast(2), ..Default::default() }).expect("open");
    let mut hashes = vec![];
    for i in 0..6u32 {
        let (h, _) = commit(&db, vec![kv("counter", &i.to_string()), kv("static", "same")]);
        hashes.push(h);
    }
    for (i, h) in hashes.iter().enumerate() {
        let state = db.state_at(h);
        if i >= 3 {
            let state = state.expect("recent state kept");
            assert_eq!(state.storage(b"counter").expect("read"), Some(i.to_string().into_bytes()));
            assert_eq!(state.storage(b"static").expect("read"), Some(b"same".to_vec()));
        } else {
            assert!(matches!(state, Err(Error::StatePruned(..))), "state {i} pruned");
        }
    }
    // Dead nodes were deleted from disk: only a bounded number of nodes remain.
    let nodes = db.db.iterator_cf(db.cf(schema::STATE), rocksdb::IteratorMode::Start).count();
    assert!(nodes < 20, "{nodes} trie nodes on disk");
}

#[test]
fn pruning_mode_cannot_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(Database::open(dir.path(), &Config { pruning: Pruning::KeepLast(10), ..Default::default() }).expect("open"));
    let reopened = Database::open(dir.path(), &Config { pruning: Pruning::Archive, ..Default::default() })
        .expect("without an explicit mode the stored one is used");
    assert_eq!(reopened.pruning(), Pruning::KeepLast(10));
    drop(reopened);
    let err =
        Database::open(dir.path(), &Config { pruning: Pruning::Archive, pruning_explicit: true, ..Default::default() })
            .err()
            .expect("mismatch refused");
    assert!(matches!(err, Error::PruningMismatch { .. }));
    assert!(err.to_string().contains("pruning cannot change"));
}

#[test]
fn another_genesis_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Database::open(dir.path(), &Config::default()).expect("open");
    let (genesis, _) = commit(&db, vec![kv("a", "1")]);
    assert!(db.ensure_genesis(genesis).is_ok());
    assert!(matches!(db.ensure_genesis(H256::repeat_byte(1)), Err(Error::GenesisMismatch { .. })));
}

#[test]
fn pruning_parses() {
    assert_eq!("archive".parse::<Pruning>(), Ok(Pruning::Archive));
    assert_eq!("256".parse::<Pruning>(), Ok(Pruning::KeepLast(256)));
    assert!("0".parse::<Pruning>().is_err());
    assert!("lots".parse::<Pruning>().is_err());
}
