//! The bridge end to end: anvil + dev node + 3 relayers, threshold 2 on both sides.

use crate::harness::{audit, chain_recipient, evm_user, wait_for, ChainKind, Env, Proc};
use alloy::{primitives::U256, rpc::types::TransactionReceipt, sol_types::SolEvent};
use codec::Encode;
use ecochain_relayer::evm::EcoBridge;
use ecochain_runtime::{AccountId, RuntimeCall, ECT};
use pallet_bridge::{Asset, Limits, ReleaseState, SourceKey};
use sp_core::{H160, H256};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Dave, Ferdie};
use std::time::{Duration, Instant};

const ANVIL_CHAIN_ID: u64 = 31_337;
const WAIT: Duration = Duration::from_secs(90);

fn lock_ect(amount: u128) -> RuntimeCall {
    RuntimeCall::Bridge(pallet_bridge::Call::lock_ect { amount, recipient: H160(evm_user().address().0 .0) })
}

/// The source key of the `Returned` log in `receipt`.
fn source_of(receipt: &TransactionReceipt) -> SourceKey {
    let log = receipt
        .inner
        .logs()
        .iter()
        .find(|l| l.topic0() == Some(&EcoBridge::Returned::SIGNATURE_HASH))
        .expect("Returned log");
    let contract = sp_core::H160(log.address().0 .0);
    (ANVIL_CHAIN_ID, contract, H256(receipt.transaction_hash.0), log.log_index.expect("index") as u32)
}

async fn return_ect(env: &Env, amount: u128, to: &AccountId) -> TransactionReceipt {
    let receipt = env
        .bridge
        .returnEct(U256::from(amount), chain_recipient(to))
        .send()
        .await
        .expect("returnEct sent")
        .get_receipt()
        .await
        .expect("receipt");
    assert!(receipt.status(), "returnEct reverted");
    receipt
}

async fn wait_free(env: &Env, who: &AccountId, expected: u128) {
    wait_for("the chain release", WAIT, || async { (env.free(who).await == expected).then_some(()) }).await;
}

async fn release_state(env: &Env, source: SourceKey) -> Option<ReleaseState> {
    let head = env.chain.finalized_head().await.ok()?;
    env.chain
        .storage_value::<ecochain_relayer::chain::Release>(
            &pallet_bridge::Releases::<ecochain_runtime::Runtime>::hashed_key_for(source),
            head,
        )
        .await
        .ok()?
        .map(|r| r.state)
}

async fn certificates(env: &Env, who: &AccountId) -> Vec<(u64, pallet_ecr::CertificateRecord<AccountId>)> {
    let head = env.chain.finalized_head().await.expect("head");
    env.chain.call("EcoChainApi_ecr_certificates", &who.encode(), head).await.expect("certificates")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trips_survive_a_killed_relayer_and_never_release_twice() {
    let env = Env::start().await;
    let setups: Vec<_> = (0..3).map(|i| env.relayer_config(i, &format!("relayer{i}"))).collect();
    let mut relayers: Vec<Proc> = setups.iter().map(|s| s.start()).collect();
    let user = evm_user().address();
    let alice = Alice.to_account_id();

    // ECT chain -> EVM.
    let t = Instant::now();
    env.submit(Alice, lock_ect(100 * ECT)).await;
    wait_for("wECT minted", WAIT, || async { (env.wect_balance(user).await == U256::from(100 * ECT)).then_some(()) })
        .await;
    let lock_to_mint = t.elapsed();
    assert_eq!(env.status().await.locked_ect, 100 * ECT);

    // ECR chain -> EVM with its certificate data.
    let metadata = "ipfs://QmCert/\"solar\" é".as_bytes().to_vec();
    env.submit(
        Alice,
        RuntimeCall::Ecr(pallet_ecr::Call::mint {
            to: alice.clone(),
            certificate_type: b"solar-offset".to_vec().try_into().expect("bounded"),
            impact_score: 420,
            rarity: 4,
            metadata: metadata.clone().try_into().expect("bounded"),
        }),
    )
    .await;
    env.settle(Alice).await;
    let token = certificates(&env, &alice).await.iter().find(|(_, c)| c.impact_score == 420).expect("minted").0;
    let t = Instant::now();
    env.submit(Alice, RuntimeCall::Bridge(pallet_bridge::Call::lock_ecr { token, recipient: H160(user.0 .0) })).await;
    wait_for("wECR minted", WAIT, || async {
        (env.wecr.ownerOf(U256::from(token)).call().await.ok()? == user).then_some(())
    })
    .await;
    let ecr_lock_to_mint = t.elapsed();
    let twin = env.wecr.certificate(U256::from(token)).call().await.expect("certificate");
    assert_eq!(twin.certType, "solar-offset");
    assert_eq!((twin.impact, twin.rarity), (420, 4));
    assert_eq!(twin.metadata.as_bytes(), &metadata[..]);
    let uri = env.wecr.tokenURI(U256::from(token)).call().await.expect("tokenURI");
    assert!(uri.starts_with("data:application/json;base64,"), "{uri}");
    assert!(certificates(&env, &alice).await.iter().any(|(id, c)| *id == token && c.locked), "locked on chain");

    // A relayer killed (kill -9) right after a lock: the other two mint; restarted, it settles without a second mint.
    env.submit(Alice, lock_ect(5 * ECT)).await;
    relayers[0].kill();
    wait_for("wECT minted without relayer 0", WAIT, || async {
        (env.wect_balance(user).await == U256::from(105 * ECT)).then_some(())
    })
    .await;
    relayers[0] = setups[0].start();
    setups[0].wait_rounds(2.0).await;
    // Its cursor passes a nonce once the mint is final on the EVM side (latest - 2 on anvil).
    wait_for("restarted relayer 0 to catch up", WAIT, || async {
        (setups[0].metric("chain_lag_nonces")? == 0.0).then_some(())
    })
    .await;
    assert_eq!(env.wect.totalSupply().call().await.expect("supply"), U256::from(105 * ECT));

    // ECT EVM -> chain, to Ferdie.
    let ferdie = Ferdie.to_account_id();
    let before = env.free(&ferdie).await;
    let t = Instant::now();
    let receipt = return_ect(&env, 60 * ECT, &ferdie).await;
    wait_free(&env, &ferdie, before + 60 * ECT).await;
    let burn_to_release = t.elapsed();
    let source = source_of(&receipt);
    assert_eq!(release_state(&env, source).await, Some(ReleaseState::Executed));

    // A relayer killed right after a burn: the other two release; restarted, it settles its record.
    let receipt = return_ect(&env, 5 * ECT, &ferdie).await;
    relayers[1].kill();
    wait_free(&env, &ferdie, before + 65 * ECT).await;
    assert_eq!(release_state(&env, source_of(&receipt)).await, Some(ReleaseState::Executed));
    relayers[1] = setups[1].start();
    setups[1].wait_rounds(2.0).await;
    assert_eq!(setups[1].metric("pending_inbound"), Some(0.0), "restarted relayer 1 settled the burn");

    // ECR EVM -> chain, back to Alice and unlocked.
    let t = Instant::now();
    let receipt = env
        .bridge
        .returnEcr(U256::from(token), chain_recipient(&alice))
        .send()
        .await
        .expect("returnEcr")
        .get_receipt()
        .await
        .expect("receipt");
    assert!(receipt.status());
    wait_for("certificate released", WAIT, || async {
        certificates(&env, &alice).await.iter().any(|(id, c)| *id == token && !c.locked).then_some(())
    })
    .await;
    let ecr_burn_to_release = t.elapsed();

    // Replays never release twice: a relayer with a fresh database re-reads
    // every burn since deployment, and a direct approval of a spent key fails.
    relayers[0].kill();
    let fresh = env.relayer_config(0, "relayer0-fresh");
    let _fresh = fresh.start();
    fresh.wait_rounds(2.0).await;
    wait_for("the fresh relayer to re-read every nonce", WAIT, || async {
        (fresh.metric("chain_lag_nonces")? == 0.0).then_some(())
    })
    .await;
    assert!(fresh.metric("evm_lag_blocks").expect("lag") <= 3.0, "fresh relayer scanned since deployment");
    assert_eq!(fresh.metric("pending_inbound"), Some(0.0), "fresh relayer found every burn released");
    assert_eq!(fresh.metric("approvals_total{side=\"chain\"}"), None, "fresh relayer approved nothing");
    env.submit(
        Bob,
        RuntimeCall::Bridge(pallet_bridge::Call::approve_release {
            source,
            asset: Asset::Ect(60 * ECT),
            recipient: ferdie.clone(),
        }),
    )
    .await;
    env.settle(Bob).await;
    assert_eq!(env.free(&ferdie).await, before + 65 * ECT, "released twice");
    assert_eq!(env.status().await.locked_ect, 40 * ECT);
    assert_eq!(env.wect.totalSupply().call().await.expect("supply"), U256::from(40 * ECT));

    let (code, report) = audit(&setups[1].config);
    assert_eq!(code, 0, "audit: {report}");
    assert!(report.contains("settled"), "{report}");
    println!(
        "bridge latency: ECT lock->mint {lock_to_mint:?}, ECR lock->mint {ecr_lock_to_mint:?}, \
         ECT burn->release {burn_to_release:?}, ECR burn->release {ecr_burn_to_release:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paused_bridge_refuses_and_limits_hold_large_releases() {
    let env = Env::start().await;
    let setups: Vec<_> = (0..3).map(|i| env.relayer_config(i, &format!("relayer{i}"))).collect();
    let _relayers: Vec<Proc> = setups.iter().map(|s| s.start()).collect();
    let user = evm_user().address();

    // Paused on chain: a lock is refused and nothing moves.
    env.sudo(RuntimeCall::Bridge(pallet_bridge::Call::set_paused { paused: true })).await;
    env.settle(Alice).await;
    let alice = Alice.to_account_id();
    let before = env.free(&alice).await;
    env.submit(Alice, lock_ect(10 * ECT)).await;
    env.settle(Alice).await;
    let status = env.status().await;
    assert!(status.paused);
    assert_eq!((status.next_nonce, status.locked_ect), (0, 0), "a paused bridge took a lock");
    assert_eq!(env.free(&alice).await, before);
    env.sudo(RuntimeCall::Bridge(pallet_bridge::Call::set_paused { paused: false })).await;

    // Limits: 1,000 ECT per transfer, 150 ECT per hour outbound, releases above 50 ECT wait 4 s.
    let limits = Limits {
        max_per_transfer: 1_000 * ECT,
        cap_per_period: 150 * ECT,
        period_ms: 3_600_000,
        delay_threshold: 50 * ECT,
        release_delay_ms: 4_000,
    };
    env.sudo(RuntimeCall::Bridge(pallet_bridge::Call::set_limits { limits: Some(limits) })).await;
    env.settle(Alice).await;
    env.submit(Alice, lock_ect(2_000 * ECT)).await; // above the per-transfer maximum
    env.submit(Alice, lock_ect(100 * ECT)).await;
    env.submit(Alice, lock_ect(60 * ECT)).await; // 160 > 150 this period
    env.submit(Alice, RuntimeCall::Bridge(pallet_bridge::Call::lock_ect { amount: ECT, recipient: H160::zero() }))
        .await; // no EVM recipient
    env.settle(Alice).await;
    assert_eq!(env.status().await.next_nonce, 1, "only the 100 ECT lock fits the limits");
    wait_for("wECT minted", WAIT, || async { (env.wect_balance(user).await == U256::from(100 * ECT)).then_some(()) })
        .await;

    // Paused on the EVM side: a return is refused.
    let pause = env.admin_bridge.pause().send().await.expect("pause").get_receipt().await.expect("receipt");
    assert!(pause.status());
    let refused = env.bridge.returnEct(U256::from(ECT), chain_recipient(&alice)).send().await;
    assert!(refused.is_err(), "a paused EcoBridge accepted a return");
    let unpause = env.admin_bridge.unpause().send().await.expect("unpause").get_receipt().await.expect("receipt");
    assert!(unpause.status());

    // A release above the delay threshold waits, then is executed by a relayer.
    let ferdie = Ferdie.to_account_id();
    let ferdie_before = env.free(&ferdie).await;
    let receipt = return_ect(&env, 80 * ECT, &ferdie).await;
    let source = source_of(&receipt);
    let until = wait_for("the release to be delayed", WAIT, || async {
        match release_state(&env, source).await? {
            ReleaseState::Delayed(until) => Some(until),
            _ => None,
        }
    })
    .await;
    assert_eq!(env.free(&ferdie).await, ferdie_before, "released before its delay");
    wait_free(&env, &ferdie, ferdie_before + 80 * ECT).await;
    assert_eq!(release_state(&env, source).await, Some(ReleaseState::Executed));
    assert!(until > 0);

    let (code, report) = audit(&setups[2].config);
    assert_eq!(code, 0, "audit: {report}");
    assert_eq!(env.status().await.locked_ect, 20 * ECT);

    // Locked ECT taken out of the bridge account behind the relayers' back:
    // the audit fails and every relayer stops relaying and reports unhealthy.
    let bridge_account = pallet_bridge::Pallet::<ecochain_runtime::Runtime>::account_id();
    env.sudo(RuntimeCall::Balances(pallet_balances::Call::force_transfer {
        source: bridge_account.into(),
        dest: alice.clone().into(),
        value: 10 * ECT,
    }))
    .await;
    env.settle(Alice).await;
    for setup in &setups {
        wait_for("the relayer to halt", WAIT, || async { (setup.metric("halted")? == 1.0).then_some(()) }).await;
        assert!(setup.health().expect("health").contains("503"), "a halted relayer reports healthy");
    }
    let (code, report) = audit(&setups[0].config);
    assert_eq!(code, 1, "audit: {report}");
    assert!(report.contains("MISMATCH"), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relays_on_a_four_validator_network() {
    let env = Env::start_on(ChainKind::Local).await;
    let setups: Vec<_> = (0..3).map(|i| env.relayer_config(i, &format!("relayer{i}"))).collect();
    let _relayers: Vec<Proc> = setups.iter().map(|s| s.start()).collect();
    let user = evm_user().address();

    let t = Instant::now();
    env.submit(Dave, lock_ect(10 * ECT)).await;
    wait_for("wECT minted", WAIT, || async { (env.wect_balance(user).await == U256::from(10 * ECT)).then_some(()) })
        .await;
    let lock_to_mint = t.elapsed();

    let ferdie = Ferdie.to_account_id();
    let before = env.free(&ferdie).await;
    let t = Instant::now();
    return_ect(&env, 4 * ECT, &ferdie).await;
    wait_free(&env, &ferdie, before + 4 * ECT).await;
    let burn_to_release = t.elapsed();

    let (code, report) = audit(&setups[0].config);
    assert_eq!(code, 0, "audit: {report}");
    assert_eq!(env.status().await.locked_ect, 6 * ECT);
    println!(
        "bridge latency on 4 validators (1 s blocks): lock->mint {lock_to_mint:?}, burn->release {burn_to_release:?}"
    );
}

/// The dev validator rotates its bridge key: the chain announces set 1 in a
/// commitment signed by the old key, a relayer with no role anywhere on the
/// EVM side carries it, the light client follows, mints go on under the new
/// key, and the old key's signatures stop counting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_light_client_follows_a_key_rotation_carried_by_anyone() {
    use ecochain_primitives::bridge_key;
    use ecochain_relayer::evm::EcoLightClient;
    let env = Env::start().await;
    // No role on the EVM side: just an account with gas (anvil account 1).
    let setup = env.relayer_config(0, "carrier");
    let _carrier = setup.start();
    let user = evm_user().address();
    let lc_address = env.bridge.lightClient().call().await.expect("lightClient");
    let lc = EcoLightClient::new(lc_address, env.bridge.provider().clone());
    let old = ecochain_runtime::genesis::dev_bridge_key(Alice);
    assert_eq!(lc.currentSetId().call().await.expect("set"), 0);
    assert_eq!(lc.weightOf(old.0.into()).call().await.expect("weight"), U256::from(1));

    env.submit(Alice, lock_ect(3 * ECT)).await;
    wait_for("wECT minted", WAIT, || async { (env.wect_balance(user).await == U256::from(3 * ECT)).then_some(()) })
        .await;

    // The new key goes into the node's bridge keystore first, then on chain.
    let secret = bridge_key::dev_secret("Alice//rotated");
    let new = bridge_key::address(&secret).expect("key");
    let keystore = env.dir.path().join("node/chains/ecochain_dev/keystore/bridge");
    std::fs::create_dir_all(&keystore).expect("keystore");
    let file = keystore.join("rotated");
    std::fs::write(&file, format!("0x{}\n", hex::encode(secret))).expect("key file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let t = Instant::now();
    env.submit(Alice, RuntimeCall::Permissions(pallet_permissions::Call::set_bridge_key { key: new })).await;
    env.settle(Alice).await;
    // A lock after the rotation is minted only once the light client follows.
    env.submit(Alice, lock_ect(4 * ECT)).await;
    wait_for("the light client to follow set 1", WAIT, || async {
        (lc.currentSetId().call().await.ok()? == 1).then_some(())
    })
    .await;
    let follow = t.elapsed();
    wait_for("wECT minted under set 1", WAIT, || async {
        (env.wect_balance(user).await == U256::from(7 * ECT)).then_some(())
    })
    .await;
    assert_eq!(lc.weightOf(new.0.into()).call().await.expect("weight"), U256::from(1));
    assert_eq!(lc.weightOf(old.0.into()).call().await.expect("weight"), U256::ZERO);
    assert_eq!(env.status().await.set_id, 1);

    // The old key's signature of a commitment of set 1 is refused.
    let latest = lc.latestBlock().call().await.expect("latest");
    let root = alloy::primitives::B256::repeat_byte(0x77);
    let hash = lc.commitmentHash(latest + 1, root, 1).call().await.expect("hash");
    let old_secret = bridge_key::dev_secret("Alice");
    let signature = bridge_key::sign(&old_secret, &hash.0).expect("signs");
    let refused = lc.submitCommitment(latest + 1, root, 1, vec![signature.to_vec().into()]).call().await;
    assert!(refused.is_err(), "a commitment signed by the rotated-out key was accepted");
    // The same with the new key passes (the call is not sent).
    let signature = bridge_key::sign(&secret, &hash.0).expect("signs");
    lc.submitCommitment(latest + 1, root, 1, vec![signature.to_vec().into()]).call().await.expect("accepted");

    let (code, report) = audit(&setup.config);
    assert_eq!(code, 0, "audit: {report}");
    println!("key rotation: the light client followed {follow:?} after the rotation");
}

/// On 4 BFT validators, Dave is removed and added back by a validator
/// majority: each change is a key set the light client follows, the removed
/// key stops counting, and mints go on throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_light_client_follows_validators_removed_and_added() {
    use ecochain_primitives::bridge_key;
    use ecochain_relayer::evm::EcoLightClient;
    use ecochain_runtime::genesis::dev_bridge_key;
    use sp_keyring::Sr25519Keyring::Charlie;
    let env = Env::start_on(ChainKind::Local).await;
    let setup = env.relayer_config(0, "carrier");
    let _carrier = setup.start();
    let user = evm_user().address();
    let lc = EcoLightClient::new(env.bridge.lightClient().call().await.expect("lc"), env.bridge.provider().clone());
    let weight = |who| {
        let lc = lc.clone();
        async move { lc.weightOf(dev_bridge_key(who).0.into()).call().await.expect("weight") }
    };
    let env = &env;
    let minted = |total: u128| async move {
        wait_for("wECT minted", WAIT, || async {
            (env.wect_balance(user).await == U256::from(total * ECT)).then_some(())
        })
        .await;
    };
    let set_is = |id: u64| {
        let lc = lc.clone();
        async move {
            wait_for("the light client to follow the set", Duration::from_secs(120), || async {
                (lc.currentSetId().call().await.ok()? == id).then_some(())
            })
            .await;
        }
    };
    for who in [Alice, Bob, Charlie, Dave] {
        assert_eq!(weight(who).await, U256::from(1), "{who:?} in set 0");
    }
    env.submit(Dave, lock_ect(ECT)).await;
    minted(1).await;

    // Dave removed: set 1 is Alice, Bob and Charlie.
    let t = Instant::now();
    env.by_majority(RuntimeCall::Permissions(pallet_permissions::Call::remove_validator {
        account: Dave.to_account_id(),
    }))
    .await;
    set_is(1).await;
    let removal = t.elapsed();
    assert_eq!(weight(Dave).await, U256::ZERO);
    env.submit(Dave, lock_ect(2 * ECT)).await;
    minted(3).await;
    // Dave's key no longer counts: with it, three signatures are not 2/3 of set 1.
    let latest = lc.latestBlock().call().await.expect("latest");
    let root = alloy::primitives::B256::repeat_byte(0x42);
    let hash = lc.commitmentHash(latest + 1, root, 1).call().await.expect("hash");
    let signed_by = |names: &[&str]| {
        let mut sigs: Vec<(H160, [u8; 65])> = names
            .iter()
            .map(|n| {
                let secret = bridge_key::dev_secret(n);
                (bridge_key::address(&secret).expect("key"), bridge_key::sign(&secret, &hash.0).expect("sig"))
            })
            .collect();
        sigs.sort();
        sigs.into_iter().map(|(_, s)| s.to_vec().into()).collect::<Vec<alloy::primitives::Bytes>>()
    };
    let refused = lc.submitCommitment(latest + 1, root, 1, signed_by(&["Alice", "Bob", "Dave"])).call().await;
    assert!(refused.is_err(), "the removed validator's signature counted");
    lc.submitCommitment(latest + 1, root, 1, signed_by(&["Alice", "Bob", "Charlie"])).call().await.expect("accepted");

    // Dave added back with its bridge key: set 2.
    let t = Instant::now();
    env.by_majority(RuntimeCall::Permissions(pallet_permissions::Call::add_validator {
        account: Dave.to_account_id(),
        consensus_key: sp_keyring::Ed25519Keyring::Dave.public().0,
        bridge_key: dev_bridge_key(Dave),
    }))
    .await;
    set_is(2).await;
    let addition = t.elapsed();
    assert_eq!(weight(Dave).await, U256::from(1));
    env.submit(Alice, lock_ect(4 * ECT)).await;
    minted(7).await;

    // The relayers' finality client follows the chain from genesis through
    // both changes, each block under the certificate of the set before it.
    let head = env.chain.finalized_head().await.expect("head");
    let mut finality = ecochain_relayer::finality::FinalityClient::new(env.chain.genesis, false);
    assert_eq!(finality.verify(&env.chain, head).await.expect("verified through the changes").hash, head);

    let (code, report) = audit(&setup.config);
    assert_eq!(code, 0, "audit: {report}");
    println!("validator set changes on 4 validators: removal followed in {removal:?}, addition in {addition:?}");
}

/// A relayer whose witness endpoint does not show a burn never approves its
/// release (one lying EVM endpoint cannot make it approve); the relayers
/// whose witnesses agree release it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burn_no_witness_shows_is_never_approved() {
    let env = Env::start().await;
    let other = env.dir.path().join("other-anvil");
    std::fs::create_dir_all(&other).expect("dir");
    // Another anvil: the same chain id, none of this chain's transactions.
    let (_other_anvil, other_url) = crate::harness::start_anvil(&other);
    let doubtful = env.relayer_config_with(0, "relayer0", &[other_url]);
    let honest: Vec<_> = (1..3)
        .map(|i| env.relayer_config_with(i, &format!("relayer{i}"), std::slice::from_ref(&env.evm_url)))
        .collect();
    let _relayers: Vec<Proc> = std::iter::once(&doubtful).chain(&honest).map(|s| s.start()).collect();
    let user = evm_user().address();
    env.submit(Alice, lock_ect(10 * ECT)).await;
    wait_for("wECT minted", WAIT, || async { (env.wect_balance(user).await == U256::from(10 * ECT)).then_some(()) })
        .await;

    let ferdie = Ferdie.to_account_id();
    let before = env.free(&ferdie).await;
    return_ect(&env, 4 * ECT, &ferdie).await;
    wait_free(&env, &ferdie, before + 4 * ECT).await;
    doubtful.wait_rounds(2.0).await;
    assert_eq!(doubtful.metric("approvals_total{side=\"chain\"}"), None, "approved a burn its witness did not show");
    assert!(doubtful.metric("round_errors_total{side=\"scan\"}").unwrap_or(0.0) > 0.0, "no scan error counted");
    for setup in &honest {
        assert_eq!(setup.metric("round_errors_total{side=\"scan\"}"), None, "a witness that agrees refused");
    }
}
