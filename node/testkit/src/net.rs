//! A local network under test: four validators (Alice, Bob, Charlie, Dave on
//! the `local` chain) and allow-listed full nodes on loopback, each a real
//! `ecochain` process.

use crate::{free_port, free_ports, hash_of, node::Node};
use codec::Encode;
use ecochain_runtime::{signing::sign_immortal, RuntimeCall};
use sp_core::H256;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use std::{path::PathBuf, time::Duration};

/// The `local` chain's validators: account key, consensus key, key file contents.
pub const VALIDATORS: [(Sr25519Keyring, Ed25519Keyring, &str); 4] = [
    (Sr25519Keyring::Alice, Ed25519Keyring::Alice, "//Alice"),
    (Sr25519Keyring::Bob, Ed25519Keyring::Bob, "//Bob"),
    (Sr25519Keyring::Charlie, Ed25519Keyring::Charlie, "//Charlie"),
    (Sr25519Keyring::Dave, Ed25519Keyring::Dave, "//Dave"),
];

/// A free port whose successor is free too (consensus + transaction gossip).
pub fn free_port_pair() -> u16 {
    free_ports(2)
}

/// The libp2p peer id of an ed25519 public key.
pub fn peer_id_of_public(key: [u8; 32]) -> String {
    let public = libp2p_identity::ed25519::PublicKey::try_from_bytes(&key).expect("an ed25519 key");
    libp2p_identity::PublicKey::from(public).to_peer_id().to_string()
}

/// The node peer id of a dev validator (`//<Name>//node`), which its node
/// takes on the `local` chain when it has no node key file.
pub fn dev_node_id(account: Sr25519Keyring) -> String {
    ecochain_runtime::genesis::dev_node_id(account).expect("a dev account").to_string()
}

/// The libp2p peer id of a node key seed (`<base>/chains/<id>/network/node_key`).
pub fn peer_id_of_seed(seed: [u8; 32]) -> String {
    let key = libp2p_identity::Keypair::ed25519_from_bytes(seed).expect("an ed25519 seed");
    key.public().to_peer_id().to_string()
}

/// `permissions.setNodeId` submitted by `account` (at `nonce`) for the node
/// key `node`, with that key's proof: a signed extrinsic, encoded.
pub fn set_node_id(node: &sp_core::ed25519::Pair, account: Sr25519Keyring, nonce: u32, genesis: H256) -> Vec<u8> {
    use sp_core::Pair;
    let proof = node.sign(&pallet_permissions::node_id_payload(&account.to_account_id())).0;
    let peer_id = peer_id_of_public(node.public().0).into_bytes();
    let call = RuntimeCall::Permissions(pallet_permissions::Call::set_node_id { peer_id, proof });
    sign_immortal(call, &account.pair(), nonce, genesis).encode()
}

/// One node's identity and ports.
pub struct Member {
    /// Its base path.
    pub base: PathBuf,
    /// Consensus port (transaction gossip on the next one).
    pub p2p: u16,
    /// JSON-RPC port.
    pub rpc: u16,
    /// libp2p peer id.
    pub peer_id: String,
    /// The validator's key (a dev seed), or `None` for a full node.
    pub key: Option<&'static str>,
}

/// A local network under test.
pub struct Net {
    _dir: tempfile::TempDir,
    /// The directory of every node and of the allow-list file.
    pub dir: PathBuf,
    /// Identities and ports, validators first.
    pub members: Vec<Member>,
    /// The running process of each member.
    pub nodes: Vec<Option<Node>>,
    block_time_ms: u64,
    extra: Vec<String>,
    chain: String,
}

impl Net {
    /// Four validators and `full` full nodes (allow-listed), not started.
    pub fn new(full: usize, block_time_ms: u64) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().to_path_buf();
        let mut members = Vec::new();
        for (i, (sr, _, suri)) in VALIDATORS.iter().enumerate() {
            members.push(Member {
                base: path.join(format!("v{i}")),
                p2p: free_port_pair(),
                rpc: free_port(),
                peer_id: dev_node_id(*sr),
                key: Some(suri),
            });
        }
        for i in 0..full {
            members.push(Self::full_member(&path, &format!("f{i}"), [i as u8 + 1; 32]));
        }
        let net = Self {
            _dir: dir,
            dir: path,
            nodes: members.iter().map(|_| None).collect(),
            members,
            block_time_ms,
            extra: Vec::new(),
            chain: "local".into(),
        };
        net.write_allowlist();
        net
    }

    /// A full node's identity with node key `seed`, its key file written.
    pub fn full_member(dir: &std::path::Path, name: &str, seed: [u8; 32]) -> Member {
        let base = dir.join(name);
        let network = base.join("chains/ecochain_local/network");
        std::fs::create_dir_all(&network).expect("dir");
        let path = network.join("node_key");
        std::fs::write(&path, hex::encode(seed)).expect("node key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("node key mode");
        }
        Member { base, p2p: free_port_pair(), rpc: free_port(), peer_id: peer_id_of_seed(seed), key: None }
    }

    /// Write every member's peer id to the allow-list file.
    pub fn write_allowlist(&self) {
        let ids: Vec<&str> = self.members.iter().map(|m| m.peer_id.as_str()).collect();
        std::fs::write(self.dir.join("allowlist"), ids.join("\n")).expect("allowlist");
    }

    /// Run the chain of spec file `spec` (its id must be `ecochain_local`).
    pub fn with_chain(mut self, spec: &std::path::Path) -> Self {
        self.chain = spec.display().to_string();
        self
    }

    /// Pass `extra` flags to every node.
    pub fn with_extra(mut self, extra: &[&str]) -> Self {
        self.extra = extra.iter().map(|s| s.to_string()).collect();
        self
    }

    /// The command line of member `i`.
    pub fn args(&self, i: usize) -> Vec<String> {
        let m = &self.members[i];
        let boot: Vec<String> = self
            .members
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, o)| format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", o.p2p, o.peer_id))
            .collect();
        let mut args: Vec<String> = [
            "--chain",
            &self.chain,
            "--name",
            &format!("n{i}"),
            "--port",
            &m.p2p.to_string(),
            "--listen-ip",
            "127.0.0.1",
            "--block-time-ms",
            &self.block_time_ms.to_string(),
            "--max-round-timeout-ms",
            "3000",
            "--allowlist",
            &self.dir.join("allowlist").display().to_string(),
            "--bootnodes",
            &boot.join(","),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(self.extra.iter().cloned());
        if let Some(suri) = m.key {
            let key = m.base.join("consensus.key");
            std::fs::create_dir_all(&m.base).expect("base");
            std::fs::write(&key, suri).expect("key");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("key mode");
            }
            args.extend(["--validator".to_string(), "--key".to_string(), key.display().to_string()]);
        }
        args
    }

    /// Start member `i` and wait until its RPC answers.
    pub async fn start(&mut self, i: usize) {
        let args = self.args(i);
        let m = &self.members[i];
        self.nodes[i] = Some(Node::spawn(&m.base, m.rpc, &args).await);
    }

    /// Start every member.
    pub async fn start_all(&mut self) {
        self.start_some(0..self.members.len()).await;
    }

    /// Start the members `which` without waiting in between: validators need
    /// each other to make progress.
    pub async fn start_some(&mut self, which: impl IntoIterator<Item = usize>) {
        let mut handles = Vec::new();
        for i in which {
            let args = self.args(i);
            let (base, rpc) = (self.members[i].base.clone(), self.members[i].rpc);
            handles.push((i, tokio::spawn(async move { Node::spawn(&base, rpc, &args).await })));
        }
        for (i, h) in handles {
            self.nodes[i] = Some(h.await.expect("node starts"));
        }
    }

    /// Running member `i` (panics if stopped).
    pub fn node(&self, i: usize) -> &Node {
        self.nodes[i].as_ref().expect("node is running")
    }

    /// The running nodes.
    pub fn running(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().flatten()
    }

    /// Wait until every running node's best block is at least `h`.
    pub async fn wait_all(&self, h: u32, timeout: Duration) {
        for node in self.running() {
            node.wait_height(h, timeout).await;
        }
    }

    /// The highest best block among running nodes.
    pub async fn max_height(&self) -> u32 {
        let mut max = 0;
        for node in self.running() {
            max = max.max(node.height().await);
        }
        max
    }

    /// What each node sees, for a failure message: best and finalized height,
    /// consensus status, pool contents and the end of its log.
    pub async fn report(&self) -> String {
        let mut out = String::new();
        for (i, node) in self.nodes.iter().enumerate() {
            let Some(node) = node else {
                out.push_str(&format!("\n--- node {i}: not running\n"));
                continue;
            };
            let best = node.try_call("chain_getHeader", vec![]).await.map(|h| h["number"].clone());
            let finalized = node.try_call("chain_getFinalizedHead", vec![]).await;
            let consensus = node.try_call("consensus_status", vec![]).await;
            let pool = node.try_call("txpool_inspect", vec![]).await;
            out.push_str(&format!(
                "\n--- node {i}: best {best:?}, finalized {finalized:?}\nconsensus {consensus:?}\npool {pool:?}\n{}\n",
                node.log_tail()
            ));
        }
        out
    }

    /// Every running node has the same hash at every height up to its best.
    pub async fn assert_consistent(&self) {
        let mut reference: Vec<H256> = Vec::new();
        for node in self.running() {
            let top = node.height().await;
            for n in 1..=top {
                let hash = hash_of(&node.call("chain_getBlockHash", vec![n.into()]).await);
                match reference.get(n as usize - 1) {
                    Some(r) => assert_eq!(*r, hash, "conflicting blocks at #{n}"),
                    None => reference.push(hash),
                }
            }
        }
    }
}

/// The extrinsics that pass `call` by the validators' majority on the `local`
/// chain (no sudo there): Alice proposes it as proposal `id`, Bob and Charlie
/// vote for it. `nonces` holds the next nonce of each validator account.
pub fn by_majority(call: RuntimeCall, id: u32, nonces: &mut [u32; 4], genesis: H256) -> Vec<Vec<u8>> {
    let mut xts = Vec::new();
    let propose = RuntimeCall::Permissions(pallet_permissions::Call::propose { call: Box::new(call) });
    xts.push(sign_immortal(propose, &VALIDATORS[0].0.pair(), nonces[0], genesis).encode());
    nonces[0] += 1;
    for v in 1..3 {
        let vote = RuntimeCall::Permissions(pallet_permissions::Call::vote { id });
        xts.push(sign_immortal(vote, &VALIDATORS[v].0.pair(), nonces[v], genesis).encode());
        nonces[v] += 1;
    }
    xts
}

impl Drop for Net {
    /// A failed test keeps every node's directory and log for a post-mortem.
    fn drop(&mut self) {
        if std::thread::panicking() {
            self._dir.disable_cleanup(true);
            eprintln!("logs and databases of the failed network test kept in {}", self.dir.display());
        }
    }
}
