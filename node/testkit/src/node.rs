//! One `ecochain` process: started on free ports, driven over JSON-RPC,
//! stopped by PID (SIGTERM, or SIGKILL for crash tests and on drop).

use crate::{ecochain_bin, free_port, hash_of};
use jsonrpsee::{
    core::{client::ClientT, params::ArrayParams},
    http_client::{HttpClient, HttpClientBuilder},
};
use serde_json::Value;
use sp_core::H256;
use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// A running dev node.
pub struct Node {
    child: Option<Child>,
    /// Its JSON-RPC URL (HTTP; the same port speaks WebSocket).
    pub url: String,
    log: PathBuf,
    prometheus: u16,
}

impl Node {
    /// Start a dev node on `base` and wait until its RPC answers.
    pub async fn start(base: &Path) -> Self {
        Self::start_with(base, &[]).await
    }

    /// Start with extra arguments.
    pub async fn start_with(base: &Path, extra: &[&str]) -> Self {
        let mut args: Vec<String> = vec!["--dev".into(), "--block-time-ms".into(), "200".into()];
        args.extend(extra.iter().map(|s| s.to_string()));
        Self::spawn(base, free_port(), &args).await
    }

    /// Start `ecochain <args> --base-path <base> --rpc-port <rpc_port>` and
    /// wait until its RPC answers. The binary is [`ecochain_bin`].
    pub async fn spawn(base: &Path, rpc_port: u16, args: &[String]) -> Self {
        std::fs::create_dir_all(base).expect("base dir");
        let log = base.join(format!("node-{rpc_port}.log"));
        let stderr = std::fs::OpenOptions::new().create(true).append(true).open(&log).expect("log file");
        let prometheus = free_port();
        let child = Command::new(ecochain_bin())
            .args(args)
            .arg("--base-path")
            .arg(base)
            .args(["--rpc-port", &rpc_port.to_string(), "--prometheus-port", &prometheus.to_string()])
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("spawn ecochain");
        let node = Self { child: Some(child), url: format!("http://127.0.0.1:{rpc_port}"), log, prometheus };
        node.wait_ready().await;
        node
    }

    /// Resident memory of the process, KiB (Linux), if it runs.
    pub fn rss_kib(&self) -> Option<u64> {
        let pid = self.child.as_ref()?.id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// The value of the Prometheus sample `name` (a full sample name, labels
    /// included, as `/metrics` prints it), if the node exports it.
    pub fn metric(&self, name: &str) -> Option<f64> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.prometheus)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
        let mut text = String::new();
        stream.read_to_string(&mut text).ok()?;
        text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Best block number.
    pub async fn height(&self) -> u32 {
        self.best().await.0
    }

    /// Wait until the best block is at least `h`.
    pub async fn wait_height(&self, h: u32, timeout: Duration) -> u32 {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(header) = self.try_call("chain_getHeader", vec![]).await {
                let n =
                    header["number"].as_str().and_then(|s| u32::from_str_radix(s.trim_start_matches("0x"), 16).ok());
                if let Some(n) = n.filter(|n| *n >= h) {
                    return n;
                }
            }
            assert!(Instant::now() < deadline, "height {h} not reached in {timeout:?}; log:\n{}", self.log_tail());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(v) = self.try_call("system_health", vec![]).await {
                if v.is_object() {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "node did not answer within 60 s; log:\n{}", self.log_tail());
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The last lines of the node's log.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        // Skip backtrace frames: the message above them matters.
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| {
                let t = l.trim_start();
                !(t.starts_with("at ")
                    || t.split(':').next().is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())))
            })
            .collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// The same RPC port, as a WebSocket URL (the server speaks both).
    pub fn ws_url(&self) -> String {
        self.url.replacen("http://", "ws://", 1)
    }

    /// An HTTP JSON-RPC client of this node.
    pub fn client(&self) -> HttpClient {
        HttpClientBuilder::default().request_timeout(Duration::from_secs(20)).build(&self.url).expect("http client")
    }

    /// Call `method`; the error is returned.
    pub async fn try_call(&self, method: &str, params: Vec<Value>) -> Result<Value, jsonrpsee::core::ClientError> {
        let mut p = ArrayParams::new();
        for v in params {
            p.insert(v).expect("param encodes");
        }
        self.client().request(method, p).await
    }

    /// Call and panic with the node's log on error.
    pub async fn call(&self, method: &str, params: Vec<Value>) -> Value {
        match self.try_call(method, params).await {
            Ok(v) => v,
            Err(e) => panic!("{method} failed: {e}\nlog:\n{}", self.log_tail()),
        }
    }

    /// Stop with SIGTERM and wait.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// kill -9.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The genesis hash.
    pub async fn genesis_hash(&self) -> H256 {
        hash_of(&self.call("chain_getBlockHash", vec![0.into()]).await)
    }

    /// Best block: number, hash and state root.
    pub async fn best(&self) -> (u32, H256, H256) {
        let header = self.call("chain_getHeader", vec![]).await;
        let number = u32::from_str_radix(header["number"].as_str().expect("number").trim_start_matches("0x"), 16)
            .expect("hex number");
        let hash = hash_of(&self.call("chain_getBlockHash", vec![number.into()]).await);
        (number, hash, hash_of(&header["stateRoot"]))
    }

    /// Submit an encoded extrinsic; returns its hash.
    pub async fn submit(&self, xt: &[u8]) -> H256 {
        hash_of(&self.call("author_submitExtrinsic", vec![format!("0x{}", hex::encode(xt)).into()]).await)
    }

    /// Wait until every extrinsic in `hashes` is in a finalized block; returns
    /// (tx hash, block hash) pairs.
    pub async fn wait_included(&self, hashes: &[H256], timeout: Duration) -> Vec<(H256, H256)> {
        let deadline = Instant::now() + timeout;
        let mut found = Vec::new();
        let mut next = 1u32;
        while found.len() < hashes.len() {
            assert!(Instant::now() < deadline, "not all included in {timeout:?}; log:\n{}", self.log_tail());
            let finalized = hash_of(&self.call("chain_getFinalizedHead", vec![]).await);
            let header = self.call("chain_getHeader", vec![format!("{finalized:?}").into()]).await;
            let top = u32::from_str_radix(header["number"].as_str().expect("number").trim_start_matches("0x"), 16)
                .expect("hex");
            while next <= top {
                let hash = self.call("chain_getBlockHash", vec![next.into()]).await;
                let block = self.call("chain_getBlock", vec![hash.clone()]).await;
                for xt in block["block"]["extrinsics"].as_array().expect("extrinsics") {
                    let bytes = hex::decode(xt.as_str().expect("hex").trim_start_matches("0x")).expect("hex");
                    let h = H256(sp_crypto_hashing::blake2_256(&bytes));
                    if hashes.contains(&h) {
                        found.push((h, hash_of(&hash)));
                    }
                }
                next += 1;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        found
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill9();
    }
}
