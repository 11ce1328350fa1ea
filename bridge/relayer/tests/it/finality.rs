//! The relayer's finality client against a node that lies: a JSON-RPC proxy
//! in front of the full node of a real 4-validator network rewrites answers
//! (certificates with too few signatures, headers with another state root,
//! read proofs of another block). The client must refuse each, and follow the
//! honest chain from the pinned genesis.

use crate::harness::{wait_for, Testnet};
use ecochain_consensus::codec::{decode_certificate, encode_certificate};
use ecochain_primitives::CONSENSUS_ENGINE_ID;
use ecochain_relayer::{chain::ChainClient, finality::FinalityClient};
use jsonrpsee::{
    core::{client::ClientT, params::ArrayParams},
    http_client::{HttpClient, HttpClientBuilder},
    server::{RpcModule, Server, ServerHandle},
    types::ErrorObjectOwned,
};
use serde_json::Value;
use sp_core::H256;
use sp_runtime::Justifications;
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

/// How the proxy lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lie {
    /// It does not.
    None,
    /// Certificates of blocks above this height keep only 2 of their signatures.
    StripSignaturesAbove(u64),
    /// Headers come with another state root (and so another hash).
    OtherStateRoot,
    /// Read proofs are of the genesis state, whatever block is asked.
    GenesisProofs,
}

struct Proxy {
    upstream: HttpClient,
    lie: Mutex<Lie>,
    genesis: Mutex<Option<String>>,
}

const FORWARDED: [&str; 8] = [
    "chain_getBlockHash",
    "system_chainType",
    "chain_getHeader",
    "chain_getBlock",
    "chain_getFinalizedHead",
    "state_getReadProof",
    "state_call",
    "state_getStorage",
];

fn number_of(header: &Value) -> u64 {
    u64::from_str_radix(header["number"].as_str().expect("number").trim_start_matches("0x"), 16).expect("hex")
}

impl Proxy {
    async fn answer(&self, method: &str, mut args: Vec<Value>) -> Result<Value, ErrorObjectOwned> {
        let lie = *self.lie.lock().expect("lock");
        if method == "state_getReadProof" && lie == Lie::GenesisProofs {
            let genesis = self.genesis.lock().expect("lock").clone();
            args.resize(2, Value::Null);
            args[1] = Value::String(genesis.expect("genesis asked first"));
        }
        let mut params = ArrayParams::new();
        for arg in &args {
            params.insert(arg).expect("param");
        }
        let mut answer: Value = self
            .upstream
            .request(method, params)
            .await
            .map_err(|e| ErrorObjectOwned::owned(-32000, e.to_string(), None::<()>))?;
        if method == "chain_getBlockHash" && args.first() == Some(&Value::from(0)) {
            *self.genesis.lock().expect("lock") = answer.as_str().map(String::from);
        }
        match (method, lie) {
            ("chain_getHeader", Lie::OtherStateRoot) => {
                answer["stateRoot"] = Value::String(format!("{:?}", H256::repeat_byte(0x42)));
            }
            ("chain_getBlock", Lie::StripSignaturesAbove(height)) if number_of(&answer["block"]["header"]) > height => {
                let justifications: Option<Justifications> =
                    serde_json::from_value(answer["justifications"].take()).expect("justifications");
                let bytes = justifications.as_ref().and_then(|j| j.get(CONSENSUS_ENGINE_ID)).expect("certificate");
                let mut cert = decode_certificate(bytes).expect("decode");
                cert.commit_signatures.truncate(2);
                let stripped = Justifications::from((CONSENSUS_ENGINE_ID, encode_certificate(&cert)));
                answer["justifications"] = serde_json::to_value(stripped).expect("json");
            }
            _ => {}
        }
        Ok(answer)
    }
}

/// Start a proxy to `upstream`; returns its url, its lie switch and its handle.
async fn start_proxy(upstream: &str) -> (String, Arc<Proxy>, ServerHandle) {
    let proxy = Arc::new(Proxy {
        upstream: HttpClientBuilder::default().build(upstream).expect("client"),
        lie: Mutex::new(Lie::None),
        genesis: Mutex::new(None),
    });
    let mut module = RpcModule::from_arc(proxy.clone());
    for method in FORWARDED {
        module
            .register_async_method(method, move |params, proxy, _| async move {
                let args: Vec<Value> = params.parse::<Option<Vec<Value>>>().ok().flatten().unwrap_or_default();
                proxy.answer(method, args).await
            })
            .expect("register");
    }
    let server = Server::builder().build("127.0.0.1:0").await.expect("proxy server");
    let url = format!("http://{}", server.local_addr().expect("addr"));
    (url, proxy, server.start(module))
}

async fn finalized_number(chain: &ChainClient) -> u64 {
    chain.block_number(chain.finalized_head().await.expect("head")).await.expect("number")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_finality_client_refuses_a_lying_node() {
    let dir = tempfile::tempdir().expect("dir");
    let (_net, node_url) = Testnet::start(dir.path());
    let (url, proxy, _server) = start_proxy(&node_url).await;
    let chain = ChainClient::connect(&url).await.expect("connect through the proxy");
    let set_lie = |lie| *proxy.lie.lock().expect("lock") = lie;
    wait_for("block #6 final", Duration::from_secs(60), || async {
        (finalized_number(&chain).await >= 6).then_some(())
    })
    .await;

    // Honest: from the pinned genesis to the head, through the certificates.
    let head = chain.finalized_head().await.expect("head");
    let mut honest = FinalityClient::new(chain.genesis, false);
    let verified = honest.verify(&chain, head).await.expect("an honest node's head verifies");
    assert_eq!(verified.hash, head);
    assert_eq!(verified.number, chain.block_number(head).await.expect("number"));

    // A pinned genesis the node is not on.
    let err = FinalityClient::new(H256::repeat_byte(1), false).verify(&chain, head).await.expect_err("other genesis");
    println!("other genesis: {err:#}");

    // Certificates with 2 of 4 signatures above #3: the client bisects down to
    // #3, which it accepts, and refuses to go past it.
    set_lie(Lie::StripSignaturesAbove(3));
    let mut client = FinalityClient::new(chain.genesis, false);
    let err = client.verify(&chain, head).await.expect_err("2 of 4 signatures");
    println!("2 of 4 signatures: {err:#}");
    assert!(format!("{err:#}").contains("block #4 is not certified"), "{err:#}");
    assert_eq!(client.verified().map(|v| v.number), Some(3), "bisection stops at the last certified block");
    // Once the node answers honestly again, the same client catches up.
    set_lie(Lie::None);
    assert_eq!(client.verify(&chain, head).await.expect("honest again").hash, head);

    // A header with a made-up state root no longer hashes to its block.
    set_lie(Lie::OtherStateRoot);
    let err = FinalityClient::new(chain.genesis, false).verify(&chain, head).await.expect_err("other state root");
    println!("other state root: {err:#}");
    assert!(format!("{err:#}").contains("another header"), "{err:#}");

    // Read proofs of another state: they do not check against the block's root.
    set_lie(Lie::None);
    wait_for("a block after the verified one", Duration::from_secs(30), || async {
        (finalized_number(&chain).await > verified.number).then_some(())
    })
    .await;
    let later = chain.finalized_head().await.expect("head");
    set_lie(Lie::GenesisProofs);
    let err = honest.verify(&chain, later).await.expect_err("a proof of another state");
    println!("proof of another state: {err:#}");
    assert!(format!("{err:#}").contains("does not check against its state root"), "{err:#}");
    set_lie(Lie::None);
    assert_eq!(honest.verify(&chain, later).await.expect("honest again").hash, later);

    // A restart resumes from the stored checkpoint, whose validator set is
    // what certifies the blocks after it: a checkpoint with another set
    // refuses the chain, the real one follows it without going back to genesis.
    let checkpoint = honest.trusted().expect("a checkpoint").clone();
    let mut forged = checkpoint.clone();
    forged.set = vec![[7; 32], [8; 32], [9; 32], [10; 32]];
    wait_for("a block after the checkpoint", Duration::from_secs(30), || async {
        (finalized_number(&chain).await > checkpoint.block.number).then_some(())
    })
    .await;
    let newest = chain.finalized_head().await.expect("head");
    let err =
        FinalityClient::resume(chain.genesis, false, Some(forged)).verify(&chain, newest).await.expect_err("forged");
    println!("checkpoint with another set: {err:#}");
    assert!(format!("{err:#}").contains("is not certified"), "{err:#}");
    let mut resumed = FinalityClient::resume(chain.genesis, false, Some(checkpoint));
    assert_eq!(resumed.verify(&chain, newest).await.expect("resumed").hash, newest);
}

/// The dev chain seals alone: its blocks carry no certificate, and only a
/// client told to trust the node's finality takes them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocks_without_certificates_need_trust_node_finality() {
    let dir = tempfile::tempdir().expect("dir");
    let node = crate::harness::start_node(dir.path()).await;
    let chain = ChainClient::connect(&node.url).await.expect("connect");
    wait_for("block #2", Duration::from_secs(30), || async { (finalized_number(&chain).await >= 2).then_some(()) })
        .await;
    let head = chain.finalized_head().await.expect("head");
    let err = FinalityClient::new(chain.genesis, false).verify(&chain, head).await.expect_err("no certificates");
    assert!(format!("{err:#}").contains("carries no commit certificate"), "{err:#}");
    let verified = FinalityClient::new(chain.genesis, true).verify(&chain, head).await.expect("trusting the node");
    assert_eq!(verified.hash, head);
}
