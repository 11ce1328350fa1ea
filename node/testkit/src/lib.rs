//! # ecochain-testkit
//!
//! The harness the node, RPC and relayer tests share, so each test says what
//! it checks and not how to run a process:
//!
//! - [`free_port`], [`free_ports`]: loopback ports below the ephemeral range,
//!   never handed out twice by one test process;
//! - [`Node`]: an `ecochain` process on free ports, driven over JSON-RPC
//!   (heights, blocks, submissions, metrics, memory), stopped by PID;
//! - [`Net`]: four validators and allow-listed full nodes on the `local`
//!   chain, with faults injected by the test and [`Net::assert_consistent`]
//!   comparing every node's block hashes at every height;
//! - [`transfer`], [`by_majority`]: signed extrinsics a test submits;
//! - [`wait_for`]: poll a condition with a deadline.

pub mod net;
pub mod node;

pub use net::{
    by_majority, dev_node_id, free_port_pair, peer_id_of_public, peer_id_of_seed, set_node_id, Member, Net, VALIDATORS,
};
pub use node::Node;

use codec::Encode;
use ecochain_runtime::{signing::sign_immortal, RuntimeCall};
use serde_json::Value;
use sp_core::H256;
use sp_keyring::Sr25519Keyring;
use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// A free loopback port below the ephemeral range.
pub fn free_port() -> u16 {
    free_ports(1)
}

/// `n` consecutive free loopback ports below Linux's ephemeral range (32768+),
/// so that outgoing connections of running nodes cannot take them first;
/// returns the first. Reserved from this process's counter, so no later call
/// hands them out again.
pub fn free_ports(n: u16) -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let start = (std::process::id() % 1_000) as u16 * 12;
    loop {
        let base = 20_000 + (start + NEXT.fetch_add(n, Ordering::Relaxed)) % 12_000;
        if base + n <= 32_000 && (base..base + n).all(|p| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok()) {
            return base;
        }
    }
}

/// A binary of this workspace, built next to the test executable
/// (`target/<profile>/<name>`); `cargo test --workspace` builds them.
pub fn workspace_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let bin = dir.join(name);
    assert!(
        bin.exists(),
        "{} not built: run `cargo build -p ecochain-node` (cargo test --workspace does)",
        bin.display()
    );
    bin
}

/// The `ecochain` binary under test: `$ECOCHAIN_BIN` if set, else the
/// workspace's build.
pub fn ecochain_bin() -> PathBuf {
    std::env::var_os("ECOCHAIN_BIN").map(PathBuf::from).unwrap_or_else(|| workspace_bin("ecochain"))
}

/// A child process killed (SIGKILL) and reaped when dropped.
pub struct Proc(Option<std::process::Child>);

impl Proc {
    /// Own `child`.
    pub fn new(child: std::process::Child) -> Self {
        Self(Some(child))
    }

    /// Kill -9 and reap.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Poll `check` every 200 ms until it returns `Some`, or panic after `timeout`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A `0x` hash in a JSON-RPC answer.
pub fn hash_of(v: &Value) -> H256 {
    let s = v.as_str().unwrap_or_else(|| panic!("expected a hash, got {v}"));
    H256::from_slice(&hex::decode(s.trim_start_matches("0x")).expect("hex hash"))
}

/// A signed `balances.transfer_keep_alive` of `amount` from `from` to `to`.
pub fn transfer(from: Sr25519Keyring, to: Sr25519Keyring, amount: u128, nonce: u32, genesis: H256) -> Vec<u8> {
    let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
        dest: to.to_account_id().into(),
        value: amount,
    });
    sign_immortal(call, &from.pair(), nonce, genesis).encode()
}
