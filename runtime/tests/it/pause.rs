//! ECT pause: the runtime's call filter refuses `balances` calls however they
//! are wrapped (utility batches, `sudo_as`), and the ecosystem statistics.

use crate::common::*;
use codec::Decode;
use ecochain_runtime::{api, Balances, Runtime, RuntimeCall, RuntimeEvent, ECT};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie};

fn transfer(to: sp_keyring::Sr25519Keyring, amount: u128) -> RuntimeCall {
    RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive { dest: to.to_account_id().into(), value: amount })
}

fn sudo(call: RuntimeCall) -> RuntimeCall {
    RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call) })
}

fn pause() -> RuntimeCall {
    sudo(RuntimeCall::Ect(pallet_ect::Call::pause {}))
}

fn filtered() -> sp_runtime::DispatchOutcome {
    Err(frame_system::Error::<Runtime>::CallFiltered.into())
}

/// A transfer to Charlie wrapped in `batch`, in `batch_all`, and in `sudo_as` (as Bob).
fn wrapped_transfers() -> (RuntimeCall, RuntimeCall, RuntimeCall) {
    let batch = RuntimeCall::Utility(pallet_utility::Call::batch { calls: vec![transfer(Charlie, ECT)] });
    let batch_all = RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![transfer(Charlie, ECT)] });
    let sudo_as = RuntimeCall::Sudo(pallet_sudo::Call::sudo_as {
        who: Bob.to_account_id().into(),
        call: Box::new(transfer(Charlie, ECT)),
    });
    (batch, batch_all, sudo_as)
}

#[test]
fn a_paused_chain_refuses_balances_transfers_in_batch_batch_all_and_sudo_as() {
    let chain = Chain::dev();
    let g = chain.genesis_hash();
    let (batch, batch_all, sudo_as) = wrapped_transfers();
    // A batch nested in a batch is refused too.
    let nested = RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![batch.clone()] });
    let xts = vec![
        sign(pause(), Alice, 0, g),
        sign(batch, Bob, 0, g),
        sign(batch_all, Bob, 1, g),
        sign(sudo_as, Alice, 1, g),
        sign(nested, Bob, 2, g),
        sign(transfer(Charlie, ECT), Bob, 3, g),
    ];
    chain.ext().execute_with(|| {
        let charlie = Balances::free_balance(Charlie.to_account_id());
        let (_, outcomes) = author_block(&chain.genesis, 6_000, xts);
        assert_eq!(outcomes[0], Ok(()), "the pause");
        for (i, outcome) in outcomes[1..].iter().enumerate() {
            assert_eq!(outcome, &filtered(), "extrinsic {} is refused whole", i + 1);
        }
        assert_eq!(Balances::free_balance(Charlie.to_account_id()), charlie, "no ECT moved");
        assert!(!events().iter().any(|e| matches!(e, RuntimeEvent::Balances(pallet_balances::Event::Transfer { .. }))));
    });
}

#[test]
fn an_unpaused_chain_runs_the_same_wrapped_transfers() {
    let chain = Chain::dev();
    let g = chain.genesis_hash();
    let (batch, batch_all, sudo_as) = wrapped_transfers();
    let xts = vec![sign(batch, Bob, 0, g), sign(batch_all, Bob, 1, g), sign(sudo_as, Alice, 0, g)];
    chain.ext().execute_with(|| {
        let charlie = Balances::free_balance(Charlie.to_account_id());
        let (_, outcomes) = author_block(&chain.genesis, 6_000, xts);
        assert!(outcomes.iter().all(|o| o.is_ok()), "{outcomes:?}");
        assert_eq!(Balances::free_balance(Charlie.to_account_id()), charlie + 3 * ECT);
    });
}

fn stats() -> ecochain_runtime::apis_types::EcosystemStats {
    let raw = api::dispatch("EcoChainApi_ecosystem_stats", &[]).expect("exists");
    ecochain_runtime::apis_types::EcosystemStats::decode(&mut &raw[..]).expect("decodes")
}

#[test]
fn ecosystem_stats_count_holders_and_transactions() {
    let chain = Chain::dev();
    let g = chain.genesis_hash();
    let newcomer = sp_keyring::Sr25519Keyring::One.to_account_id();
    let xts = vec![
        sign(RuntimeCall::Ect(pallet_ect::Call::transfer { to: newcomer.clone(), amount: ECT }), Alice, 0, g),
        sign(RuntimeCall::Ect(pallet_ect::Call::stake { amount: 10 * ECT }), Bob, 0, g),
    ];
    chain.ext().execute_with(|| {
        let before = stats();
        let accounts = frame_system::Account::<Runtime>::iter().filter(|(_, a)| a.providers > 0).count() as u64;
        assert_eq!(before.holders.ect, accounts, "every genesis account, the bridge account included");
        assert_eq!(before.transactions.ect, 0);
        let (_, outcomes) = author_block(&chain.genesis, 6_000, xts);
        assert!(outcomes.iter().all(|o| o.is_ok()), "{outcomes:?}");
        let after = stats();
        assert_eq!(after.holders.ect, before.holders.ect + 1);
        assert_eq!(after.transactions.ect, 2);
    });
}
