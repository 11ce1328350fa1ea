//! EcoBridge, WrappedECT and WrappedECR against a real anvil, without a chain:
//! the contract rules the relayers rely on.

use crate::harness::start_anvil;
use alloy::{
    primitives::{Address, B256, U256},
    providers::DynProvider,
};
use ecochain_relayer::{
    evm::{self, describe, Certificate, EcoBridge, WrappedECR, WrappedECT},
    keys::evm_dev_key,
};

struct Evm {
    _anvil: crate::harness::Proc,
    _dir: tempfile::TempDir,
    /// The bridge as seen by anvil accounts 0 (admin), 1..=3 (relayers), 4 (user).
    as_account: Vec<EcoBridge::EcoBridgeInstance<DynProvider>>,
    wect: WrappedECT::WrappedECTInstance<DynProvider>,
    wecr: WrappedECR::WrappedECRInstance<DynProvider>,
}

fn account(i: u32) -> Address {
    evm_dev_key(i).expect("derive").address()
}

async fn deploy() -> Evm {
    let dir = tempfile::tempdir().expect("dir");
    let (anvil, url) = start_anvil(dir.path());
    let admin = evm::provider(&url, evm_dev_key(0).expect("derive")).expect("provider");
    let relayers = vec![account(1), account(2), account(3)];
    let bridge = EcoBridge::deploy(admin, account(0), relayers, U256::from(2)).await.expect("deploy");
    let mut as_account = Vec::new();
    for i in 0..5 {
        let provider = evm::provider(&url, evm_dev_key(i).expect("derive")).expect("provider");
        as_account.push(EcoBridge::new(*bridge.address(), provider));
    }
    let user = as_account[4].provider().clone();
    let wect = WrappedECT::new(bridge.ect().call().await.expect("ect"), user.clone());
    let wecr = WrappedECR::new(bridge.ecr().call().await.expect("ecr"), user);
    Evm { _anvil: anvil, _dir: dir, as_account, wect, wecr }
}

/// Send a call and wait for it to be mined; the revert reason on failure.
macro_rules! send {
    ($call:expr) => {
        async {
            match $call.send().await {
                Ok(pending) => {
                    let receipt = pending.get_receipt().await.map_err(|e| e.to_string())?;
                    if receipt.status() {
                        Ok(())
                    } else {
                        Err("reverted".to_string())
                    }
                }
                Err(e) => Err(describe(&e)),
            }
        }
    };
}

fn cert(metadata: &str) -> Certificate {
    Certificate { certType: "solar".into(), impact: 7, rarity: 3, metadata: metadata.into() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mints_need_two_matching_approvals_and_happen_once() {
    let evm = deploy().await;
    let [_, r1, r2, r3, user] = &evm.as_account[..] else { panic!("five accounts") };
    let to = account(4);
    let amount = U256::from(5u128 * 10u128.pow(18));

    send!(r1.approveEct(0, to, amount)).await.expect("first approval");
    assert_eq!(evm.wect.balanceOf(to).call().await.expect("balance"), U256::ZERO, "one approval mints nothing");
    let again = send!(r1.approveEct(0, to, amount)).await.expect_err("second approval by the same relayer");
    assert!(again.contains("AlreadyApproved"), "{again}");
    // A relayer reporting another amount does not complete the first one.
    send!(r2.approveEct(0, to, amount + U256::from(1))).await.expect("other content");
    assert_eq!(evm.wect.balanceOf(to).call().await.expect("balance"), U256::ZERO);
    send!(r3.approveEct(0, to, amount)).await.expect("matching approval");
    assert_eq!(evm.wect.balanceOf(to).call().await.expect("balance"), amount);
    assert!(evm.as_account[0].processed(0).call().await.expect("processed"));
    let late = send!(r1.approveEct(0, to, amount)).await.expect_err("after the mint");
    assert!(late.contains("AlreadyProcessed"), "{late}");

    // Not a relayer; zero recipient; zero amount.
    let outsider = send!(user.approveEct(1, to, amount)).await.expect_err("outsider");
    assert!(outsider.contains("AccessControlUnauthorizedAccount"), "{outsider}");
    assert!(send!(r1.approveEct(1, Address::ZERO, amount)).await.expect_err("zero").contains("ZeroAddress"));
    assert!(send!(r1.approveEct(1, to, U256::ZERO)).await.expect_err("zero").contains("ZeroAmount"));

    // ECR: the certificate data is part of what relayers must agree on.
    send!(r1.approveEcr(2, to, U256::from(42), cert("ipfs://a"))).await.expect("approve");
    send!(r2.approveEcr(2, to, U256::from(42), cert("ipfs://tampered"))).await.expect("other content");
    assert!(evm.wecr.ownerOf(U256::from(42)).call().await.is_err(), "minted on mismatching data");
    send!(r3.approveEcr(2, to, U256::from(42), cert("ipfs://a"))).await.expect("matching");
    assert_eq!(evm.wecr.ownerOf(U256::from(42)).call().await.expect("owner"), to);
    let twin = evm.wecr.certificate(U256::from(42)).call().await.expect("certificate");
    assert_eq!((twin.certType.as_str(), twin.impact, twin.rarity, twin.metadata.as_str()), ("solar", 7, 3, "ipfs://a"));
    assert_eq!(evm.wecr.totalSupply().call().await.expect("supply"), U256::from(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returns_burn_with_the_chain_recipient_and_pause_stops_everything() {
    let evm = deploy().await;
    let [admin, r1, r2, _, user] = &evm.as_account[..] else { panic!("five accounts") };
    let to = account(4);
    let one = U256::from(10u128.pow(18));
    send!(r1.approveEct(0, to, one * U256::from(3))).await.expect("approve");
    send!(r2.approveEct(0, to, one * U256::from(3))).await.expect("mint");
    send!(r1.approveEcr(1, to, U256::from(9), cert("x"))).await.expect("approve");
    send!(r2.approveEcr(1, to, U256::from(9), cert("x"))).await.expect("mint");

    let recipient = B256::repeat_byte(0xaa);
    let check = |r: Result<(), String>, what: &str| {
        let e = r.expect_err(what);
        assert!(e.contains(what), "expected {what}, got {e}");
    };
    check(send!(user.returnEct(one, B256::ZERO)).await, "ZeroRecipient");
    check(send!(user.returnEct(U256::from(10u64.pow(14)), recipient)).await, "AmountTooSmall");
    check(send!(user.returnEct(U256::from(u128::MAX) + U256::from(1), recipient)).await, "AmountTooLarge");
    check(send!(r1.returnEcr(U256::from(9), recipient)).await, "NotOwnerNorApproved");

    send!(user.returnEct(one, recipient)).await.expect("return ECT");
    send!(user.returnEcr(U256::from(9), recipient)).await.expect("return ECR");
    assert_eq!(evm.wect.totalSupply().call().await.expect("supply"), one * U256::from(2));
    assert_eq!(evm.wecr.totalSupply().call().await.expect("supply"), U256::ZERO);
    assert_eq!(user.nextReturnNonce().call().await.expect("nonce"), 2);

    // Pause: approvals and returns refused until unpaused; relayers cannot pause.
    check(send!(r1.pause()).await, "AccessControlUnauthorizedAccount");
    send!(admin.pause()).await.expect("pause");
    check(send!(r1.approveEct(2, to, one)).await, "EnforcedPause");
    check(send!(user.returnEct(one, recipient)).await, "EnforcedPause");
    send!(admin.unpause()).await.expect("unpause");
    send!(user.returnEct(one, recipient)).await.expect("return after unpause");

    // Threshold bounds: 1..=relayers.
    check(send!(admin.setThreshold(U256::ZERO)).await, "BadThreshold");
    check(send!(admin.setThreshold(U256::from(4))).await, "BadThreshold");
}
