//! Start and stop anvil, an `ecochain` dev node and relayer processes; sign
//! and submit transactions on both sides.

use alloy::{
    primitives::{Address, U256},
    providers::DynProvider,
    signers::local::PrivateKeySigner,
};
use codec::Encode;
use ecochain_primitives::Role;
use ecochain_relayer::{
    chain::ChainClient,
    evm::{self, EcoBridge, WrappedECR, WrappedECT},
    keys::evm_dev_key,
};
use ecochain_runtime::{AccountId, RuntimeCall};
pub use ecochain_testkit::{free_port, free_ports, wait_for, workspace_bin, Node, Proc};
use sp_core::{H160, H256};
use sp_keyring::Sr25519Keyring;
use std::{
    io::{BufRead, BufReader, Write},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Duration,
};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// anvil mining a block every second; `finalized` = latest - 2.
pub fn start_anvil(dir: &Path) -> (Proc, String) {
    let bin = repo_root().join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
    assert!(bin.exists(), "anvil missing: run `npm ci` (scripts/setup.sh does)");
    let mut child = Command::new(bin)
        .args(["--port", "0", "--host", "127.0.0.1", "--block-time", "1", "--slots-in-an-epoch", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn anvil");
    let stdout = child.stdout.take().expect("anvil stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines.next().expect("anvil exited before listening").expect("anvil output");
        if let Some(addr) = line.strip_prefix("Listening on ") {
            break format!("http://{}", addr.trim());
        }
    };
    // Keep draining anvil's output so it never blocks on a full pipe.
    let mut log = std::fs::File::create(dir.join("anvil.log")).expect("anvil log");
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = writeln!(log, "{line}");
        }
    });
    (Proc::new(child), url)
}

/// A dev node with 200 ms blocks.
pub async fn start_node(dir: &Path) -> Node {
    let args = ["--dev", "--block-time-ms", "200"].map(String::from);
    Node::spawn(&dir.join("node"), free_port(), &args).await
}

/// Four validators (Alice, Bob, Charlie, Dave) and a full node started by
/// `scripts/local-testnet.sh` on 40 free ports; stopped (by PID) when dropped.
pub struct Testnet {
    dir: PathBuf,
    base: u16,
}

impl Testnet {
    fn script(&self, action: &str) -> std::process::Output {
        Command::new(repo_root().join("scripts/local-testnet.sh"))
            .arg(action)
            .env("TESTNET_DIR", &self.dir)
            .env("ECOCHAIN_BIN", workspace_bin("ecochain"))
            .env("BASE_RPC_PORT", self.base.to_string())
            .env("BASE_P2P_PORT", (self.base + 10).to_string())
            .env("BASE_PROM_PORT", (self.base + 30).to_string())
            .output()
            .expect("local-testnet.sh")
    }

    /// Start the network on the `local` chain and wait for finalized blocks.
    pub fn start(dir: &Path) -> (Self, String) {
        let base = free_ports(40);
        let net = Self { dir: dir.join("testnet"), base };
        let out = net.script("start");
        assert!(out.status.success(), "local-testnet.sh start: {}", String::from_utf8_lossy(&out.stderr));
        // The relayers and the test talk to the full node, as a wallet would.
        (net, format!("http://127.0.0.1:{}", base + 4))
    }
}

impl Drop for Testnet {
    fn drop(&mut self) {
        let _ = self.script("stop");
    }
}

/// Which chain the bridge runs against.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChainKind {
    /// One dev node, roles granted by sudo.
    Dev,
    /// Four BFT validators and a full node, roles granted by a validator majority.
    Local,
}

/// Both chains, the deployed bridge and the test's actors.
pub struct Env {
    /// Scratch directory.
    pub dir: tempfile::TempDir,
    /// anvil.
    pub _anvil: Proc,
    /// EVM RPC url.
    pub evm_url: String,
    /// The dev node, when used.
    pub _node: Option<Node>,
    /// Chain RPC url.
    pub chain_url: String,
    /// The 4-validator network, when used.
    pub _testnet: Option<Testnet>,
    /// Chain client.
    pub chain: ChainClient,
    /// EcoBridge, driven by the EVM user (anvil account 4).
    pub bridge: EcoBridge::EcoBridgeInstance<DynProvider>,
    /// Wrapped ECT.
    pub wect: WrappedECT::WrappedECTInstance<DynProvider>,
    /// Wrapped ECR.
    pub wecr: WrappedECR::WrappedECRInstance<DynProvider>,
    /// The EVM admin (anvil account 0).
    pub admin_bridge: EcoBridge::EcoBridgeInstance<DynProvider>,
    /// Block the bridge was deployed at.
    pub deploy_block: u64,
    /// Which chain.
    pub kind: ChainKind,
}

impl Drop for Env {
    fn drop(&mut self) {
        // Stop the network while its pid files still exist (before `dir` goes).
        drop(self._testnet.take());
        if std::thread::panicking() {
            self.dir.disable_cleanup(true);
            eprintln!("logs of the failed test kept in {}", self.dir.path().display());
        }
    }
}

/// EVM user account (anvil account 4).
pub fn evm_user() -> PrivateKeySigner {
    evm_dev_key(4).expect("derive")
}

/// The chain relayers: Bob, Charlie, Dave.
pub const CHAIN_RELAYERS: [Sr25519Keyring; 3] = [Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave];

impl Env {
    /// Start anvil and a dev node, deploy the light client (from the chain's
    /// bridge key set), the bridge and the timelock with `ecochain-relayer
    /// deploy`, point the chain at them and grant Role::Relayer to Bob,
    /// Charlie and Dave.
    pub async fn start() -> Self {
        Self::start_on(ChainKind::Dev).await
    }

    /// [`Env::start`] on the given chain. On `Local`, Alice (who holds every
    /// role at genesis) proposes the Relayer role for Bob and Charlie and the
    /// other validators vote, so the relayers are Alice, Bob and Charlie.
    pub async fn start_on(kind: ChainKind) -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let (anvil, evm_url) = start_anvil(dir.path());
        let (node, testnet, chain_url) = match kind {
            ChainKind::Dev => {
                let node = start_node(dir.path()).await;
                let url = node.url.clone();
                (Some(node), None, url)
            }
            ChainKind::Local => {
                let (net, url) = Testnet::start(dir.path());
                (None, Some(net), url)
            }
        };
        let chain = ChainClient::connect(&chain_url).await.expect("chain");

        // Deploy with the CLI, as the README tells operators to: the light
        // client starts from the chain's genesis and current bridge key set.
        let admin = evm::provider(&evm_url, evm_dev_key(0).expect("derive")).expect("provider");
        let deployer = write_key(dir.path(), "deployer.key", &evm_dev_key(0).expect("derive"));
        let args: Vec<String> = vec![
            "deploy".into(),
            "--evm-rpc".into(),
            evm_url.clone(),
            "--chain-rpc".into(),
            chain_url.clone(),
            "--key-file".into(),
            deployer.display().to_string(),
            "--ect-cap".into(),
            U256::MAX.to_string(),
            "--ecr-cap".into(),
            U256::MAX.to_string(),
            "--period-secs".into(),
            "86400".into(),
        ];
        let out = Command::new(env!("CARGO_BIN_EXE_ecochain-relayer")).args(&args).output().expect("deploy");
        assert!(out.status.success(), "deploy failed: {}", String::from_utf8_lossy(&out.stderr));
        let deployed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("deploy JSON");
        let address = |key: &str| -> Address { deployed[key].as_str().expect(key).parse().expect("address") };
        let bridge_address = address("bridge");
        let light_client = address("lightClient");
        let deploy_block = deployed["deployBlock"].as_u64().expect("block");
        let chain_id = deployed["chainId"].as_u64().expect("chain id");
        let destination = pallet_bridge::Destination {
            chain_id,
            bridge: H160(bridge_address.0 .0),
            light_client: H160(light_client.0 .0),
        };

        let user = evm::provider(&evm_url, evm_user()).expect("provider");
        let bridge = EcoBridge::new(bridge_address, user.clone());
        let wect = WrappedECT::new(bridge.ect().call().await.expect("ect"), user.clone());
        let wecr = WrappedECR::new(bridge.ecr().call().await.expect("ecr"), user);
        let admin_bridge = EcoBridge::new(bridge_address, admin);

        let env = Self {
            dir,
            _anvil: anvil,
            evm_url,
            _node: node,
            chain_url,
            _testnet: testnet,
            chain,
            bridge,
            wect,
            wecr,
            admin_bridge,
            deploy_block,
            kind,
        };
        let grant = |who: Sr25519Keyring| {
            RuntimeCall::Permissions(pallet_permissions::Call::grant_role {
                who: who.to_account_id(),
                role: Role::Relayer,
            })
        };
        // The chain's admin points the bridge at the contracts.
        let set_destination =
            RuntimeCall::Bridge(pallet_bridge::Call::set_destination { destination: Some(destination) });
        match kind {
            ChainKind::Dev => {
                env.sudo(set_destination).await;
                for relayer in env.relayers() {
                    env.sudo(grant(relayer)).await;
                }
            }
            ChainKind::Local => {
                for call in [set_destination, grant(Sr25519Keyring::Bob), grant(Sr25519Keyring::Charlie)] {
                    env.by_majority(call).await;
                }
            }
        }
        let last = env.relayers()[2].to_account_id();
        wait_for("relayer roles and the destination", Duration::from_secs(30), || async {
            let head = env.chain.finalized_head().await.ok()?;
            env.chain.bridge_status(head).await.ok()?.destination?;
            env.chain.is_relayer(&last, head).await.ok()?.then_some(())
        })
        .await;
        env
    }

    /// The three chain relayers.
    pub fn relayers(&self) -> [Sr25519Keyring; 3] {
        match self.kind {
            ChainKind::Dev => CHAIN_RELAYERS,
            ChainKind::Local => [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie],
        }
    }

    /// Submit `call` signed by `who` (next nonce).
    pub async fn submit(&self, who: Sr25519Keyring, call: RuntimeCall) -> H256 {
        self.chain.submit_next(call, &who.pair()).await.expect("submit")
    }

    /// On the 4-validator network: Alice proposes `call`, Bob and Charlie
    /// vote for it (3 of 4), and the votes are final.
    pub async fn by_majority(&self, call: RuntimeCall) {
        let head = self.chain.finalized_head().await.expect("head");
        let key = pallet_permissions::NextProposalId::<ecochain_runtime::Runtime>::hashed_key();
        let id: u32 = self.chain.storage_value(&key, head).await.expect("proposal id").unwrap_or(0);
        let call = Box::new(call);
        self.submit(Sr25519Keyring::Alice, RuntimeCall::Permissions(pallet_permissions::Call::propose { call })).await;
        self.settle(Sr25519Keyring::Alice).await;
        for voter in [Sr25519Keyring::Bob, Sr25519Keyring::Charlie] {
            self.submit(voter, RuntimeCall::Permissions(pallet_permissions::Call::vote { id })).await;
        }
        for voter in [Sr25519Keyring::Bob, Sr25519Keyring::Charlie] {
            self.settle(voter).await;
        }
    }

    /// Submit `call` through Alice's sudo.
    pub async fn sudo(&self, call: RuntimeCall) {
        self.submit(Sr25519Keyring::Alice, RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call) })).await;
    }

    /// Wait until every transaction of `who` is in a finalized block.
    pub async fn settle(&self, who: Sr25519Keyring) {
        let account = who.to_account_id();
        let pending = self.chain.next_index(&account).await.expect("nonce");
        wait_for("transactions to finalize", Duration::from_secs(30), || async {
            let head = self.chain.finalized_head().await.ok()?;
            let nonce: u32 = self.chain.call("AccountNonceApi_account_nonce", &account.encode(), head).await.ok()?;
            (nonce >= pending).then_some(())
        })
        .await;
    }

    /// Free ECT of `who` at the finalized head.
    pub async fn free(&self, who: &AccountId) -> u128 {
        let head = self.chain.finalized_head().await.expect("head");
        let balance: pallet_ect::EctBalance =
            self.chain.call("EcoChainApi_ect_balance", &who.encode(), head).await.expect("balance");
        balance.free
    }

    /// The bridge's state at the finalized head.
    pub async fn status(&self) -> ecochain_runtime::apis_types::BridgeStatus {
        let head = self.chain.finalized_head().await.expect("head");
        self.chain.bridge_status(head).await.expect("status")
    }

    /// wECT balance of `who`.
    pub async fn wect_balance(&self, who: Address) -> U256 {
        self.wect.balanceOf(who).call().await.expect("balanceOf")
    }

    /// Write a relayer config and its keys for relayer `i` (0..3).
    pub fn relayer_config(&self, i: usize, name: &str) -> RelayerSetup {
        self.relayer_config_with(i, name, &[])
    }

    /// [`Env::relayer_config`] with EVM witness endpoints.
    pub fn relayer_config_with(&self, i: usize, name: &str, witnesses: &[String]) -> RelayerSetup {
        let dir = self.dir.path().join(name);
        std::fs::create_dir_all(&dir).expect("dir");
        let chain_key = dir.join("chain.key");
        std::fs::write(&chain_key, format!("//{:?}\n", self.relayers()[i])).expect("key");
        let evm_key = write_key(&dir, "evm.key", &evm_dev_key(i as u32 + 1).expect("derive"));
        let metrics_port = free_port();
        let config = format!(
            "[chain]\nrpc = \"{}\"\nkey_file = \"{}\"\ngenesis = \"{:?}\"\ntrust_node_finality = {}\n\n[evm]\nrpc = \"{}\"\nbridge = \"{}\"\nkey_file = \"{}\"\nstart_block = {}\nreceipt_timeout_secs = 20\nwitnesses = {:?}\n\n[relayer]\ndatabase = \"{}\"\nmetrics = \"127.0.0.1:{}\"\npoll_ms = 250\nretry_ms = 3000\n",
            self.chain_url,
            chain_key.display(),
            self.chain.genesis,
            // The dev node seals alone: no commit certificates to check.
            matches!(self.kind, ChainKind::Dev),
            self.evm_url,
            self.bridge.address(),
            evm_key.display(),
            self.deploy_block,
            witnesses,
            dir.join("db").display(),
            metrics_port,
        );
        let path = dir.join("relayer.toml");
        std::fs::write(&path, config).expect("config");
        RelayerSetup { config: path, metrics_port }
    }
}

/// A relayer's config file and metrics port.
pub struct RelayerSetup {
    /// Config file.
    pub config: PathBuf,
    /// Prometheus port.
    pub metrics_port: u16,
}

impl RelayerSetup {
    /// Start the relayer process.
    pub fn start(&self) -> Proc {
        start_relayer(&self.config)
    }

    fn get(&self, path: &str) -> Option<String> {
        use std::io::Read;
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.metrics_port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        stream.write_all(format!("GET {path} HTTP/1.1\r\nhost: x\r\n\r\n").as_bytes()).ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        Some(response)
    }

    /// A metric's value, if the relayer serves it.
    pub fn metric(&self, name: &str) -> Option<f64> {
        let body = self.get("/metrics")?;
        let prefix = format!("ecochain_relayer_{name} ");
        body.lines().find_map(|l| l.strip_prefix(&prefix)).and_then(|v| v.trim().parse().ok())
    }

    /// The status line of `/health`.
    pub fn health(&self) -> Option<String> {
        self.get("/health")?.lines().next().map(str::to_string)
    }

    /// Wait until the relayer completed `n` more rounds than now (so its
    /// gauges describe state read after this call).
    pub async fn wait_rounds(&self, n: f64) {
        let start =
            wait_for("relayer metrics", Duration::from_secs(60), || async { self.metric("rounds_total") }).await;
        wait_for("relayer rounds", Duration::from_secs(60), || async {
            (self.metric("rounds_total")? >= start + n).then_some(())
        })
        .await;
    }
}

fn write_key(dir: &Path, name: &str, key: &PrivateKeySigner) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("0x{}\n", hex::encode(key.to_bytes()))).expect("key");
    path
}

/// Start `ecochain-relayer run --config <config>`, logging next to the config.
pub fn start_relayer(config: &Path) -> Proc {
    let log =
        std::fs::OpenOptions::new().create(true).append(true).open(config.with_file_name("relayer.log")).expect("log");
    let child = Command::new(env!("CARGO_BIN_EXE_ecochain-relayer"))
        .args(["run", "--config"])
        .arg(config)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn relayer");
    Proc::new(child)
}

/// `ecochain-relayer audit --settled --config <config>`: (exit code, stdout).
pub fn audit(config: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ecochain-relayer"))
        .args(["audit", "--settled", "--config"])
        .arg(config)
        .output()
        .expect("audit");
    (
        out.status.code().unwrap_or(-1),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

/// A 32-byte chain account as the contract's `bytes32`.
pub fn chain_recipient(who: &AccountId) -> alloy::primitives::B256 {
    alloy::primitives::B256::from(<[u8; 32]>::from(who.clone()))
}
