use crate::common::*;
use ecochain_runtime::{genesis, Runtime, RuntimeCall, RuntimeEvent};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Eve};

#[test]
fn validator_majority_is_the_admin_origin_on_local_testnet() {
    let chain = Chain::new(genesis::local_testnet());
    let g = chain.genesis_hash();
    let grant = RuntimeCall::Permissions(pallet_permissions::Call::grant_role {
        who: Eve.to_account_id(),
        role: ecochain_primitives::Role::Minter,
    });
    let propose = RuntimeCall::Permissions(pallet_permissions::Call::propose { call: Box::new(grant) });
    let vote = |n| RuntimeCall::Permissions(pallet_permissions::Call::vote { id: n });
    chain.ext().execute_with(|| {
        let (_, outcomes) = author_block(
            &chain.genesis,
            6_000,
            vec![sign(propose, Alice, 0, g), sign(vote(0), Bob, 0, g), sign(vote(0), Charlie, 0, g)],
        );
        assert!(outcomes.iter().all(|o| o.is_ok()), "{outcomes:?}");
        // Two of four is not a majority; the third vote enacts.
        assert!(events().iter().any(|e| matches!(
            e,
            RuntimeEvent::Permissions(pallet_permissions::Event::Voted { ayes: 2, threshold: 3, .. })
        )));
        assert!(pallet_permissions::Roles::<Runtime>::contains_key(
            Eve.to_account_id(),
            ecochain_primitives::Role::Minter
        ));
        assert!(events().iter().any(|e| matches!(
            e,
            RuntimeEvent::Permissions(pallet_permissions::Event::Executed { result: Ok(()), .. })
        )));
    });
}

#[test]
fn accounts_off_the_allow_list_are_refused_at_validation() {
    let chain = Chain::new(genesis::local_testnet());
    let g = chain.genesis_hash();
    let outsider = sp_keyring::Sr25519Keyring::One;
    chain.ext().execute_with(|| {
        let xt = sign(RuntimeCall::System(frame_system::Call::remark { remark: vec![] }), outsider, 0, g);
        let validity = ecochain_runtime::Executive::validate_transaction(
            sp_runtime::transaction_validity::TransactionSource::External,
            xt,
            g,
        );
        assert_eq!(
            validity,
            Err(sp_runtime::transaction_validity::InvalidTransaction::Custom(pallet_permissions::ACCOUNT_NOT_ALLOWED)
                .into())
        );
    });
}
