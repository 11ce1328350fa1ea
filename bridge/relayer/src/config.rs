//! The relayer's configuration file (TOML).
//!
//! ```toml
//! [chain]
//! rpc = "http://127.0.0.1:9944"
//! key_file = "/etc/ecochain-relayer/chain.key"   # or env ECOCHAIN_RELAYER_CHAIN_KEY
//! genesis = "0x…"                                 # pinned: a node of another chain is refused
//! # trust_node_finality = true                    # dev chain only: it has no commit certificates
//!
//! [evm]
//! rpc = "https://rpc-amoy.polygon.technology"
//! bridge = "0x…"                                  # EcoBridge address
//! key_file = "/etc/ecochain-relayer/evm.key"      # or env ECOCHAIN_RELAYER_EVM_KEY
//! start_block = 12345678                          # the bridge's deployment block
//! # confirmations = 64                            # when the chain has no `finalized` tag
//!
//! [relayer]
//! database = "/var/lib/ecochain-relayer"
//! metrics = "127.0.0.1:9616"
//! ```

use alloy::primitives::Address;
use serde::Deserialize;
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The EcoChain side.
    pub chain: ChainConfig,
    /// The EVM side.
    pub evm: EvmConfig,
    /// The relayer itself.
    #[serde(default)]
    pub relayer: RelayerConfig,
}

/// The EcoChain side.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainConfig {
    /// HTTP JSON-RPC endpoint of a node (a full node is enough).
    pub rpc: String,
    /// File holding the relayer account's secret URI (mnemonic, hex seed, or
    /// `//Name` on dev chains). When absent, `ECOCHAIN_RELAYER_CHAIN_KEY`.
    pub key_file: Option<PathBuf>,
    /// The chain's genesis hash: the relayer refuses a node of another chain.
    /// Required outside dev and local chains.
    pub genesis: Option<sp_core::H256>,
    /// Take the node's headers without commit certificates: for the dev
    /// chain, which seals blocks alone. Refused unless the node reports a
    /// `Development` or `Local` chain. Read proofs are checked either way.
    #[serde(default)]
    pub trust_node_finality: bool,
}

/// The EVM side.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvmConfig {
    /// HTTP JSON-RPC endpoint.
    pub rpc: String,
    /// The `EcoBridge` contract.
    pub bridge: Address,
    /// File holding the relayer's hex private key. When absent, `ECOCHAIN_RELAYER_EVM_KEY`.
    pub key_file: Option<PathBuf>,
    /// First block to scan for `Returned` logs (the bridge's deployment block).
    #[serde(default)]
    pub start_block: u64,
    /// First chain outbound nonce this bridge mints (0 for the first bridge;
    /// the chain's `next_nonce` at deployment for a replacement bridge, so it
    /// does not mint again what an earlier bridge minted).
    #[serde(default)]
    pub start_nonce: u64,
    /// Follow `latest - confirmations` instead of the `finalized` tag.
    pub confirmations: Option<u64>,
    /// Other JSON-RPC endpoints of the same EVM chain (independent providers)
    /// that must each show every burn (the same log in the same block) before
    /// this relayer approves its release: one lying endpoint cannot make it
    /// approve a burn that did not happen.
    #[serde(default)]
    pub witnesses: Vec<String>,
    /// Most blocks per `eth_getLogs` request.
    #[serde(default = "default_log_batch")]
    pub log_batch: u64,
    /// How long to wait for a transaction receipt, seconds.
    #[serde(default = "default_receipt_timeout")]
    pub receipt_timeout_secs: u64,
}

/// The relayer process.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayerConfig {
    /// RocksDB directory for cursors and unsettled transfers.
    #[serde(default = "default_database")]
    pub database: PathBuf,
    /// Prometheus `/metrics` and `/health` address; none when absent.
    pub metrics: Option<SocketAddr>,
    /// Pause between rounds, ms.
    #[serde(default = "default_poll")]
    pub poll_ms: u64,
    /// Before sending again an approval that has not landed, ms.
    #[serde(default = "default_retry")]
    pub retry_ms: u64,
    /// Most outbound nonces handled per round.
    #[serde(default = "default_window")]
    pub window: u64,
    /// A round taking longer (a stuck RPC endpoint) is abandoned and retried, seconds.
    #[serde(default = "default_round_timeout")]
    pub round_timeout_secs: u64,
}

impl Default for RelayerConfig {
    fn default() -> Self {
        Self {
            database: default_database(),
            metrics: None,
            poll_ms: default_poll(),
            retry_ms: default_retry(),
            window: default_window(),
            round_timeout_secs: default_round_timeout(),
        }
    }
}

impl RelayerConfig {
    /// Pause between rounds.
    pub fn poll(&self) -> Duration {
        Duration::from_millis(self.poll_ms)
    }

    /// Retry interval.
    pub fn retry(&self) -> Duration {
        Duration::from_millis(self.retry_ms)
    }
}

fn default_log_batch() -> u64 {
    1_000
}
fn default_receipt_timeout() -> u64 {
    120
}
fn default_database() -> PathBuf {
    PathBuf::from("relayer-db")
}
fn default_poll() -> u64 {
    1_000
}
fn default_retry() -> u64 {
    15_000
}
fn default_window() -> u64 {
    64
}
fn default_round_timeout() -> u64 {
    600
}

impl Config {
    /// Read and check a configuration file.
    pub fn load(path: &std::path::Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read config {}: {e}", path.display()))?;
        let config: Self =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("invalid config {}: {e}", path.display()))?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.evm.log_batch > 0, "evm.log_batch must be at least 1");
        anyhow::ensure!(self.relayer.window > 0, "relayer.window must be at least 1");
        anyhow::ensure!(self.relayer.poll_ms > 0, "relayer.poll_ms must be at least 1");
        anyhow::ensure!(self.relayer.round_timeout_secs > 0, "relayer.round_timeout_secs must be at least 1");
        anyhow::ensure!(!self.evm.bridge.is_zero(), "evm.bridge is the zero address");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let text = r#"
            [chain]
            rpc = "http://127.0.0.1:9944"
            key_file = "chain.key"
            [evm]
            rpc = "http://127.0.0.1:8545"
            bridge = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
            start_block = 7
            confirmations = 3
            [relayer]
            database = "db"
            metrics = "127.0.0.1:9616"
        "#;
        let config: Config = toml::from_str(text).expect("parses");
        config.check().expect("valid");
        assert_eq!(config.evm.start_block, 7);
        assert_eq!(config.evm.confirmations, Some(3));
        assert_eq!(config.relayer.poll_ms, 1_000);
    }

    #[test]
    fn the_example_config_is_valid() {
        let config: Config = toml::from_str(include_str!("../relayer.example.toml")).expect("parses");
        config.check().expect("valid");
        assert_eq!(config.relayer.retry_ms, 15_000);
    }

    #[test]
    fn refuses_unknown_keys_and_zero_bridge() {
        let unknown =
            "[chain]\nrpc='x'\nkeyfile='y'\n[evm]\nrpc='x'\nbridge='0x5FbDB2315678afecb367f032d93F642f64180aa3'";
        assert!(toml::from_str::<Config>(unknown).is_err());
        let zero = "[chain]\nrpc='x'\n[evm]\nrpc='x'\nbridge='0x0000000000000000000000000000000000000000'";
        let config: Config = toml::from_str(zero).expect("parses");
        assert!(config.check().is_err());
    }
}
