//! subxt 0.51, the Rust client relayers use, against a real dev node over
//! WebSocket: stock `SubstrateConfig`, dynamic API only (no codegen from a
//! metadata file), Alice pays Bob 1 ECT and everything is read back. Once
//! with each of subxt's backends: the default (archive_v1 and chainHead_v1
//! when the node lists them, legacy methods for the rest), chainHead_v1 only
//! (with transactionWatch_v1), and the legacy methods only.

use ecochain_primitives::ECT;
use ecochain_testkit::Node;
use std::{fmt::Debug, future::Future, sync::Arc, time::Duration};
use subxt::{
    backend::{ChainHeadBackend, LegacyBackend},
    dynamic,
    ext::scale_decode::DecodeAsType,
    rpcs::RpcClient,
    utils::AccountId32,
    OnlineClient, OnlineClientAtBlock, SubstrateConfig,
};
use subxt_signer::sr25519::dev;

/// The longest any single client step may take (connect, submit, finalize, read).
const STEP: Duration = Duration::from_secs(30);

/// Await one client step; a timeout or error fails the test with the node's log.
async fn step<T, E: Debug>(node: &Node, what: &str, fut: impl Future<Output = Result<T, E>>) -> T {
    match tokio::time::timeout(STEP, fut).await {
        Ok(Ok(value)) => value,
        Ok(Err(e)) => panic!("subxt: {what} failed: {e:?}\nnode log:\n{}", node.log_tail()),
        Err(_) => panic!("subxt: {what} took longer than {STEP:?}\nnode log:\n{}", node.log_tail()),
    }
}

/// Which of subxt's backends a client uses.
#[derive(Clone, Copy, Debug)]
enum Backend {
    /// What `OnlineClient::from_url` builds.
    Default,
    ChainHead,
    Legacy,
}

/// A subxt client on the node's RPC port.
async fn subxt_client(node: &Node, backend: Backend) -> OnlineClient<SubstrateConfig> {
    let rpc = || async { step(node, "connect", RpcClient::from_insecure_url(node.ws_url())).await };
    match backend {
        Backend::Default => step(node, "connect", OnlineClient::<SubstrateConfig>::from_url(node.ws_url())).await,
        Backend::ChainHead => {
            let backend = ChainHeadBackend::builder().build_with_background_driver(rpc().await);
            step(node, "client", OnlineClient::from_backend(Arc::new(backend))).await
        }
        Backend::Legacy => {
            let backend = LegacyBackend::builder().build(rpc().await);
            step(node, "client", OnlineClient::from_backend(Arc::new(backend))).await
        }
    }
}

/// The fields of `Core_version` this test looks at.
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct RuntimeVersion {
    spec_name: String,
    spec_version: u32,
    transaction_version: u32,
}

/// `System.Account`, only the part we need.
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct AccountInfo {
    data: AccountData,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct AccountData {
    free: u128,
}

/// The fields of `Balances.Transfer`.
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Transfer {
    from: AccountId32,
    to: AccountId32,
    amount: u128,
}

/// `who`'s free balance in the state after block `at`.
async fn free_balance(node: &Node, at: &OnlineClientAtBlock<SubstrateConfig>, who: AccountId32) -> u128 {
    let account = dynamic::storage::<(AccountId32,), AccountInfo>("System", "Account");
    let value = step(node, "read System.Account", at.storage().fetch(account, (who,))).await;
    value.decode().expect("System.Account decodes").data.free
}

#[tokio::test(flavor = "multi_thread")]
async fn subxt_transfers_with_substrate_config_and_reads_it_back() {
    transfer_and_read_back(Backend::Default).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn subxt_over_chain_head_v1_transfers_and_reads_it_back() {
    transfer_and_read_back(Backend::ChainHead).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn subxt_over_the_legacy_methods_transfers_and_reads_it_back() {
    transfer_and_read_back(Backend::Legacy).await;
}

async fn transfer_and_read_back(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Node::start(dir.path()).await;
    let api = subxt_client(&node, backend).await;
    let (alice, bob) = (dev::alice(), dev::bob());
    let (alice_id, bob_id) = (alice.public_key().to_account_id(), bob.public_key().to_account_id());

    // Runtime version and metadata, as subxt fetched them for the finalized head.
    let head = step(&node, "client at the finalized head", api.at_current_block()).await;
    let version: RuntimeVersion = step(
        &node,
        "Core.version",
        head.runtime_apis().call(dynamic::runtime_api_call::<_, RuntimeVersion>("Core", "version", ())),
    )
    .await;
    assert_eq!(version.spec_name, "ecochain");
    assert_eq!((version.spec_version, version.transaction_version), (head.spec_version(), head.transaction_version()));
    let metadata = head.metadata();
    let balances = metadata.pallet_by_name("Balances").expect("Balances in metadata");
    assert!(balances.call_variant_by_name("transfer_keep_alive").is_some());
    let extensions: Vec<&str> =
        metadata.extrinsic().transaction_extensions_to_use_for_encoding().map(|e| e.identifier()).collect();
    assert!(extensions.contains(&"CheckAllowListed"), "extensions in metadata: {extensions:?}");

    // Bob's balance where the client stands, before the transfer.
    let before = free_balance(&node, &head, bob_id).await;

    // Alice pays Bob 1 ECT with subxt's default params (mortal, nonce from the node).
    // CheckAllowListed, like CheckNonZeroSender and CheckWeight, encodes to zero bytes
    // in both the extrinsic and the signed payload, so subxt's stock extensions skip it.
    let call = dynamic::transaction("Balances", "transfer_keep_alive", (bob.public_key().to_address::<()>(), ECT));
    let mut transactions = head.transactions();
    let progress = step(&node, "sign and submit", transactions.sign_and_submit_then_watch_default(&call, &alice)).await;
    let submitted = progress.extrinsic_hash();
    // The two halves of `wait_for_finalized_success()`, so we keep the block hash.
    let in_block = step(&node, "wait for finalization", progress.wait_for_finalized()).await;
    let events = step(&node, "fetch the transaction's events", in_block.wait_for_success()).await;

    let transfer = events
        .iter()
        .map(|e| e.expect("event decodes"))
        .find(|e| (e.pallet_name(), e.event_name()) == ("Balances", "Transfer"))
        .unwrap_or_else(|| panic!("no Balances.Transfer event\nnode log:\n{}", node.log_tail()));
    let transfer: Transfer = transfer.decode_fields_unchecked_as().expect("Balances.Transfer decodes");
    assert_eq!((transfer.from, transfer.to, transfer.amount), (alice_id, bob_id, ECT));

    // Bob's balance at the finalized block and at its parent. Over chainHead_v1
    // only blocks the client still pins can be read: subxt unpins a finalized
    // block once nothing refers to it, so the parent may be gone (-32801, as
    // on any polkadot-sdk node); the other backends read it by archive or legacy calls.
    let block = step(&node, "client at the transfer's block", api.at_block(in_block.block_hash())).await;
    let header = step(&node, "the block's header", block.block_header()).await;
    if !matches!(backend, Backend::ChainHead) {
        let parent = step(&node, "client at the parent block", api.at_block(header.parent_hash)).await;
        assert_eq!(free_balance(&node, &parent, bob_id).await, before, "Bob's balance at the parent block");
    }
    let after = free_balance(&node, &block, bob_id).await;
    assert_eq!(after, before + ECT, "Bob's free balance went from {before} to {after}");

    // Alice's nonce through AccountNonceApi, both the dynamic call and subxt's own helper.
    let nonce = step(
        &node,
        "AccountNonceApi.account_nonce",
        block.runtime_apis().call(dynamic::runtime_api_call::<_, u32>("AccountNonceApi", "account_nonce", (alice_id,))),
    )
    .await;
    assert_eq!(nonce, 1);
    assert_eq!(step(&node, "account nonce", block.transactions().account_nonce(&alice_id)).await, 1);

    // The block's body lists the signed transfer with the extensions subxt put in it.
    let extrinsics = step(&node, "fetch the block's extrinsics", block.extrinsics().fetch()).await;
    let ours = extrinsics
        .iter()
        .map(|x| x.expect("extrinsic decodes"))
        .find(|x| x.hash() == submitted)
        .unwrap_or_else(|| panic!("transaction {submitted:?} not in block {:?}", in_block.block_hash()));
    assert!(ours.is_signed());
    assert_eq!((ours.pallet_name(), ours.call_name()), ("Balances", "transfer_keep_alive"));
    let signed_with = ours.transaction_extensions().expect("a signed extrinsic has extensions");
    assert_eq!(signed_with.nonce(), Some(0));
    let names: Vec<&str> = signed_with.iter().map(|e| e.name()).collect();
    assert!(names.contains(&"CheckAllowListed") && names.contains(&"CheckMortality"), "extensions: {names:?}");
}
