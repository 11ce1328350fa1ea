use crate::common::*;
use codec::{Decode, Encode};
use ecochain_runtime::{api, Balances, Runtime, RuntimeCall, RuntimeEvent, ECT};
use frame_support::dispatch::DispatchClass;
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie};
use sp_runtime::{traits::Header as _, transaction_validity::TransactionValidityError};

fn transfer(to: sp_keyring::Sr25519Keyring, amount: u128) -> RuntimeCall {
    RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive { dest: to.to_account_id().into(), value: amount })
}

#[test]
fn signed_block_executes_and_reimports_to_the_same_root() {
    let chain = Chain::dev();
    let g = chain.genesis_hash();
    let xts = vec![
        sign(transfer(Bob, 10 * ECT), Alice, 0, g),
        sign(
            RuntimeCall::Ect(pallet_ect::Call::transfer { to: Charlie.to_account_id(), amount: 5 * ECT }),
            Alice,
            1,
            g,
        ),
        sign(RuntimeCall::Ect(pallet_ect::Call::stake { amount: 1_000 * ECT }), Bob, 0, g),
    ];

    let mut authored = chain.ext();
    let (block, events) = authored.execute_with(|| {
        let (block, outcomes) = author_block(&chain.genesis, 6_000, xts);
        assert!(outcomes.iter().all(|o| o.is_ok()), "all dispatched: {outcomes:?}");
        assert_eq!(Balances::free_balance(Bob.to_account_id()), 20_000_000 * ECT + 10 * ECT - 1_000 * ECT);
        assert_eq!(Balances::free_balance(Charlie.to_account_id()), 10_000_000 * ECT + 5 * ECT);
        (block, events())
    });
    assert_ne!(block.header.state_root, chain.genesis.state_root, "state root changed");
    assert_eq!(block.header.parent_hash, chain.genesis_hash());
    assert!(events.iter().any(|e| matches!(e,
        RuntimeEvent::Balances(pallet_balances::Event::Transfer { amount, .. }) if *amount == 10 * ECT)));
    assert!(events.iter().any(|e| matches!(e,
        RuntimeEvent::Ect(pallet_ect::Event::Transferred { amount, .. }) if *amount == 5 * ECT)));
    assert!(events.iter().any(|e| matches!(e, RuntimeEvent::Ect(pallet_ect::Event::Staked { .. }))));

    // Another node imports the same block from genesis and reaches the same root.
    let mut imported = chain.ext();
    imported.execute_with(|| import_block(block.clone()));
    let root = imported.execute_with(|| sp_io::storage::root(sp_runtime::StateVersion::V1));
    assert_eq!(&root[..], block.header.state_root.as_ref());
    assert_eq!(block_hash(&block.header), block.header.hash());
}

#[test]
fn tampered_block_is_rejected_on_import() {
    let chain = Chain::dev();
    let g = chain.genesis_hash();
    let mut authored = chain.ext();
    let (mut block, _) =
        authored.execute_with(|| author_block(&chain.genesis, 6_000, vec![sign(transfer(Bob, ECT), Alice, 0, g)]));
    block.header.state_root = Default::default();
    let result = std::panic::catch_unwind(move || chain.ext().execute_with(|| import_block(block)));
    assert!(result.is_err(), "a block with a wrong state root must not import");
}

#[test]
fn bad_signature_and_stale_nonce_are_invalid() {
    let chain = Chain::dev();
    let g = chain.genesis_hash();
    chain.ext().execute_with(|| {
        let pre = ecochain_runtime::Header::new(1, Default::default(), Default::default(), g, Default::default());
        ecochain_runtime::Executive::initialize_block(&pre);
        // Signed by Bob but claiming to be Alice.
        let mut forged = sign(transfer(Charlie, ECT), Bob, 0, g);
        let honest = sign(transfer(Charlie, ECT), Alice, 0, g);
        forged.preamble = honest.preamble.clone();
        forged.function = transfer(Bob, 2 * ECT);
        assert!(matches!(
            ecochain_runtime::Executive::apply_extrinsic(forged),
            Err(TransactionValidityError::Invalid(_))
        ));
        assert!(ecochain_runtime::Executive::apply_extrinsic(honest).expect("valid").is_ok());
        let stale = sign(transfer(Charlie, ECT), Alice, 0, g);
        assert!(matches!(
            ecochain_runtime::Executive::apply_extrinsic(stale),
            Err(TransactionValidityError::Invalid(sp_runtime::transaction_validity::InvalidTransaction::Stale))
        ));
        // Signed for another chain.
        let other_chain = sign(transfer(Charlie, ECT), Alice, 1, sp_core::H256::repeat_byte(7));
        assert!(ecochain_runtime::Executive::apply_extrinsic(other_chain).is_err());
    });
}

#[test]
fn ect_pause_stops_native_balance_transfers() {
    let chain = Chain::dev();
    let g = chain.genesis_hash();
    let pause =
        RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(RuntimeCall::Ect(pallet_ect::Call::pause {})) });
    let mut ext = chain.ext();
    ext.execute_with(|| {
        let (_, outcomes) =
            author_block(&chain.genesis, 6_000, vec![sign(pause, Alice, 0, g), sign(transfer(Bob, ECT), Alice, 1, g)]);
        assert!(outcomes[0].is_ok());
        assert_eq!(outcomes[1], Err(frame_system::Error::<Runtime>::CallFiltered.into()));
    });
}

#[test]
fn utility_batch_all_is_atomic_across_tokens() {
    let chain = Chain::dev();
    let g = chain.genesis_hash();
    let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all {
        calls: vec![
            RuntimeCall::Ect(pallet_ect::Call::transfer { to: Bob.to_account_id(), amount: ECT }),
            // Alice is not allowed to burn more than she has: the whole batch reverts.
            RuntimeCall::Ect(pallet_ect::Call::burn { amount: 1_000_000_000 * ECT }),
        ],
    });
    chain.ext().execute_with(|| {
        let before = Balances::free_balance(Bob.to_account_id());
        let (_, outcomes) = author_block(&chain.genesis, 6_000, vec![sign(batch, Alice, 0, g)]);
        assert!(outcomes[0].is_err());
        assert_eq!(Balances::free_balance(Bob.to_account_id()), before);
    });
}

#[test]
fn runtime_api_dispatch_answers_natively() {
    let chain = Chain::dev();
    chain.ext().execute_with(|| {
        let version = api::dispatch("Core_version", &[]).expect("Core_version exists");
        let version = sp_version::RuntimeVersion::decode(&mut &version[..]).expect("decodes");
        assert_eq!(version.spec_name, "ecochain");
        assert_eq!(version, ecochain_runtime::VERSION);

        let versions = api::dispatch("Metadata_metadata_versions", &[]).expect("exists");
        let versions = Vec::<u32>::decode(&mut &versions[..]).expect("decodes");
        assert!(versions.contains(&14) && versions.contains(&15));

        let info = api::dispatch("EcoChainApi_ect_info", &[]).expect("exists");
        let info = pallet_ect::TokenInfo::decode(&mut &info[..]).expect("decodes");
        assert_eq!(info.symbol, b"ECT".to_vec());
        // The genesis distribution plus the bridge account's permanent existential deposit.
        assert_eq!(info.total_supply, 100_000_000 * ECT + ecochain_runtime::EXISTENTIAL_DEPOSIT);

        let balance = api::dispatch("EcoChainApi_ecosystem_balance", &Alice.to_account_id().encode()).expect("exists");
        let balance = ecochain_runtime::apis_types::EcosystemBalance::decode(&mut &balance[..]).expect("decodes");
        assert_eq!(balance.ect.free, 40_000_000 * ECT);

        let validators = api::dispatch("PermissionsApi_validators", &[]).expect("exists");
        let validators =
            Vec::<pallet_permissions::ValidatorInfo<ecochain_runtime::AccountId>>::decode(&mut &validators[..])
                .expect("decodes");
        assert_eq!(validators.len(), 1);

        assert!(api::dispatch("No_such_method", &[]).is_none());
    });
}

#[test]
fn full_block_of_transfers_stays_within_weight_limits() {
    let chain = Chain::dev();
    let g = chain.genesis_hash();
    let xts: Vec<_> = (0..500).map(|n| sign(transfer(Bob, ECT), Alice, n, g)).collect();
    chain.ext().execute_with(|| {
        let (block, outcomes) = author_block(&chain.genesis, 6_000, xts);
        assert!(outcomes.iter().all(|o| o.is_ok()));
        let used = frame_system::Pallet::<Runtime>::block_weight().total().ref_time();
        assert!(used <= max_block_ref_time(), "block weight {used} within the limit");
        assert_eq!(block.extrinsics.len(), 501);
    });
}

/// The block capacity the weights promise: 2,000 signed transfers fit in one
/// block's normal-class weight and length (`CheckWeight` refuses any that
/// would not, and `author_block` expects every one to apply).
#[test]
fn two_thousand_transfers_fit_in_one_block() {
    let chain = Chain::dev();
    let g = chain.genesis_hash();
    let xts: Vec<_> = (0..2_000).map(|n| sign(transfer(Bob, ECT), Alice, n, g)).collect();
    chain.ext().execute_with(|| {
        let (block, outcomes) = author_block(&chain.genesis, 6_000, xts);
        assert!(outcomes.iter().all(|o| o.is_ok()));
        assert_eq!(block.extrinsics.len(), 2_001);
        let weights = <Runtime as frame_system::Config>::BlockWeights::get();
        let normal = frame_system::Pallet::<Runtime>::block_weight().get(DispatchClass::Normal).ref_time();
        let limit = weights.get(DispatchClass::Normal).max_total.expect("normal transactions are limited").ref_time();
        assert!(normal <= limit, "normal weight {normal} within {limit}");
    });
}
