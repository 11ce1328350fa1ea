//! Client tests: a real RocksDB in a temp dir, the real runtime.

use super::*;
use codec::Encode;
use ecochain_executor::BlockBuilder;
use ecochain_primitives::ECT;
use ecochain_runtime::{signing::sign_immortal, RuntimeCall};
use sp_keyring::Sr25519Keyring::{Alice, Bob};
use sp_runtime::transaction_validity::TransactionSource;

fn open(dir: &Path) -> Arc<Client> {
    Client::open(dir, &ecochain_storage::Config::default(), ChainSpec::development().expect("spec")).expect("open")
}

fn transfer(nonce: u32, genesis: H256) -> Vec<u8> {
    let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
        dest: Bob.to_account_id().into(),
        value: ECT,
    });
    sign_immortal(call, &Alice.pair(), nonce, genesis).encode()
}

fn author(client: &Client, xts: Vec<Vec<u8>>, now: u64) -> BuiltBlock {
    let parent = client.best_header();
    let state = client.state_at(&parent.hash()).expect("state");
    let mut builder = BlockBuilder::new(client.executor(), &state, &parent, Default::default()).expect("init");
    builder.push_inherents(now).expect("inherents");
    for xt in xts {
        builder.push(xt).expect("applies");
    }
    builder.build().expect("built")
}

fn account_key() -> Vec<u8> {
    use sp_crypto_hashing::{blake2_128, twox_128};
    let who = Bob.to_account_id();
    let mut key = twox_128(b"System").to_vec();
    key.extend(twox_128(b"Account"));
    key.extend(blake2_128(who.as_ref()));
    key.extend(who.as_ref() as &[u8]);
    key
}

#[test]
fn authored_blocks_survive_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (hash, root) = {
        let client = open(dir.path());
        let g = client.genesis_hash();
        let built = author(&client, vec![transfer(0, g), transfer(1, g)], 1_000);
        let root = built.header.state_root;
        let hash = client.commit_built(built, None, true).expect("commit");
        assert_eq!(client.best_hash(), hash);
        assert_eq!(client.finalized_header().hash(), hash);
        (hash, root)
    };
    let client = open(dir.path());
    assert_eq!(client.best_hash(), hash);
    assert_eq!(client.header(&hash).expect("read").expect("stored").state_root, root);
    let block = client.block(&hash).expect("read").expect("stored");
    assert_eq!(block.extrinsics.len(), 3);
    assert_eq!(client.transaction_location(&extrinsic_hash(&block.extrinsics[1])).expect("read"), Some((hash, 1)));
    assert!(client.storage(&hash, &account_key()).expect("read").is_some());
    assert!(client.keys_paged(&hash, &account_key()[..32], 10, None).expect("keys").len() >= 6);
}

#[test]
fn another_node_imports_the_block_to_the_same_root() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let author_client = open(a.path());
    let follower = open(b.path());
    assert_eq!(author_client.genesis_hash(), follower.genesis_hash());
    let g = author_client.genesis_hash();
    let built = author(&author_client, vec![transfer(0, g)], 1_000);
    let hash = author_client.commit_built(built, None, true).expect("commit");
    let block = author_client.block(&hash).expect("read").expect("stored");

    let mut tampered = block.clone();
    tampered.header.state_root = H256::repeat_byte(3);
    assert!(matches!(follower.import_block(tampered, true), Err(Error::InvalidBlock { .. })));
    assert_eq!(follower.best_header().number, 0, "nothing half-imported");

    assert_eq!(follower.import_block(block, true).expect("imports"), hash);
    assert_eq!(follower.best_hash(), hash);
}

#[test]
fn the_account_allow_list_holds_in_the_pool_and_on_import() {
    use sp_core::Pair;
    use sp_runtime::traits::Hash;
    // The local testnet turns the account allow-list on; an account nobody allowed signs.
    let spec = ChainSpec::local_testnet().expect("spec");
    let (a, b) = (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"));
    let config = ecochain_storage::Config::default();
    let proposer_side = Client::open(a.path(), &config, spec.clone()).expect("open");
    let follower = Client::open(b.path(), &config, spec).expect("open");
    let g = proposer_side.genesis_hash();
    let outsider = sp_core::sr25519::Pair::from_string("//Outsider", None).expect("key");
    let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
        dest: Bob.to_account_id().into(),
        value: ECT,
    });
    let xt = sign_immortal(call, &outsider, 0, g).encode();
    // The pool refuses it with the allow-list's own code.
    let pool = TransactionPool::new(proposer_side.clone(), Default::default());
    let refused = pool.submit(xt.clone()).expect_err("not allow-listed");
    assert!(
        matches!(
            refused,
            SubmitError::Pool(ecochain_txpool::PoolError::InvalidTransaction(
                sp_runtime::transaction_validity::InvalidTransaction::Custom(code)
            )) if code == pallet_permissions::ACCOUNT_NOT_ALLOWED
        ),
        "{refused:?}"
    );
    // A proposer that puts it in a block anyway: the block is refused on import.
    let built = author(&proposer_side, vec![], 1_000);
    let mut extrinsics = built.extrinsics.clone();
    extrinsics.push(xt);
    let mut header = built.header.clone();
    header.extrinsics_root =
        sp_runtime::traits::BlakeTwo256::ordered_trie_root(extrinsics.clone(), sp_runtime::StateVersion::V0);
    let block = StoredBlock { header, extrinsics, justifications: None };
    match follower.import_block(block, true) {
        // Refused for the allow-list's custom code, not for the state root or a missing fee.
        Err(Error::InvalidBlock { reason, .. }) => assert!(reason.contains("custom error"), "{reason}"),
        other => panic!("imported a block with a non-allowed sender: {other:?}"),
    }
    assert_eq!(follower.best_header().number, 0, "nothing imported");
    // The same block without the outsider's transaction imports.
    let hash = proposer_side.commit_built(built, None, true).expect("commit");
    let good = proposer_side.block(&hash).expect("read").expect("stored");
    assert_eq!(follower.import_block(good, true).expect("imports"), hash);
}

#[test]
fn runtime_queries_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let client = open(dir.path());
    let g = client.genesis_hash();
    assert!(!client.metadata().expect("metadata").is_empty());
    let validity =
        client.runtime_api(g).validate_transaction(TransactionSource::External, &transfer(0, g)).expect("validates");
    assert!(validity.is_ok());
    let stale = client
        .runtime_api(g)
        .validate_transaction(TransactionSource::External, &transfer(0, H256::zero()))
        .expect("runs");
    assert!(stale.is_err(), "signed for another genesis");
    let nonce: u32 = client.runtime_api(g).account_nonce(&Alice.to_account_id()).expect("nonce");
    assert_eq!(nonce, 0);
}

#[test]
fn events_are_broadcast() {
    let dir = tempfile::tempdir().expect("tempdir");
    let client = open(dir.path());
    let mut events = client.subscribe();
    let built = author(&client, vec![], 1_000);
    let hash = client.commit_built(built, None, true).expect("commit");
    assert!(matches!(events.try_recv(), Ok(ChainEvent::Imported { hash: h, .. }) if h == hash));
    assert!(matches!(events.try_recv(), Ok(ChainEvent::Finalized { hash: h, .. }) if h == hash));
}

#[test]
fn every_commit_path_prunes_the_pool() {
    // An authored block (dev sealer, BFT proposer) and a received one (BFT
    // from a peer, value sync) both leave the pool without their transactions.
    let (dir_a, dir_b) = (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"));
    let (author_side, follower) = (open(dir_a.path()), open(dir_b.path()));
    let genesis = author_side.genesis_hash();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen_ = seen.clone();
    follower.on_commit(Box::new(move |c| seen_.lock().expect("lock").push((c.header.number, c.extrinsics.len()))));
    let pools = [
        TransactionPool::new(author_side.clone(), Default::default()),
        TransactionPool::new(follower.clone(), Default::default()),
    ];
    for pool in &pools {
        pool.submit(transfer(0, genesis)).expect("pooled");
        assert_eq!(pool.status().ready, 1);
    }
    let proposer = authoring::Proposer::new(author_side.clone(), pools[0].clone(), std::time::Duration::from_secs(10));
    let hash = author_side.commit_built(proposer.propose().expect("proposes"), None, true).expect("commit");
    assert_eq!(pools[0].status().ready, 0, "authored block pruned its pool");
    let block = author_side.block(&hash).expect("read").expect("stored");
    follower.import_block(block, true).expect("imports");
    assert_eq!(pools[1].status().ready, 0, "imported block pruned its pool");
    assert_eq!(*seen.lock().expect("lock"), vec![(1, 2)], "hooks see the block: timestamp and transfer");
}

#[test]
fn one_flooding_sender_leaves_room_for_others() {
    let dir = tempfile::tempdir().expect("tempdir");
    let client = open(dir.path());
    let genesis = client.genesis_hash();
    // A pool that lets one sender hold more than a block can take.
    let options = ecochain_txpool::Config {
        max_per_sender_ready_count: 128,
        max_per_sender_ready_bytes: 16 * 1024 * 1024,
        ..Default::default()
    };
    let pool = TransactionPool::new(client.clone(), options);
    // Alice: 64 remarks of 100 KB (6.4 MB, more than a block's 3.75 MiB for normal calls), first in line.
    for nonce in 0..64 {
        let call = RuntimeCall::System(frame_system::Call::remark { remark: vec![nonce as u8; 100_000] });
        pool.submit(sign_immortal(call, &Alice.pair(), nonce, genesis).encode()).expect("remark pooled");
    }
    // Then Bob's transfer, the newest transaction in the pool.
    let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
        dest: Alice.to_account_id().into(),
        value: ECT,
    });
    let bob = sign_immortal(call, &Bob.pair(), 0, genesis).encode();
    pool.submit(bob.clone()).expect("transfer pooled");
    let proposer = authoring::Proposer::new(client.clone(), pool.clone(), std::time::Duration::from_secs(10));
    let built = proposer.propose().expect("proposes");
    assert!(built.extrinsics.contains(&bob), "the other sender's transfer is in the block");
    let remarks = built.extrinsics.iter().filter(|x| x.len() > 90_000).count();
    assert!(remarks > 12, "the flooding sender still gets the rest of the block: {remarks} remarks");
    // Without the fair share, the same pool fills the block with Alice's remarks alone.
    let share = authoring::SenderShare { bytes: usize::MAX, count: usize::MAX };
    let unfair =
        authoring::Proposer::new(client.clone(), pool, std::time::Duration::from_secs(10)).with_sender_share(share);
    assert!(!unfair.propose().expect("proposes").extrinsics.contains(&bob), "the test can fail");
}
