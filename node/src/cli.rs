//! Command line: run options and subcommands.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::{net::IpAddr, path::PathBuf};

/// EcoChain node.
#[derive(Debug, Parser)]
#[command(name = "ecochain", version, about = "EcoChain: a permissioned FRAME chain with BFT finality")]
pub struct Cli {
    /// A subcommand; without one the node runs.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the running node.
    #[command(flatten)]
    pub run: RunArgs,
}

/// Where the chain comes from and where its data lives.
#[derive(Debug, Clone, Args)]
pub struct ChainArgs {
    /// Run the single-validator development chain (Alice; instant, final blocks).
    #[arg(long, conflicts_with = "chain")]
    pub dev: bool,
    /// Chain spec: `dev`, `local` or a chain spec JSON file.
    #[arg(long, value_name = "SPEC")]
    pub chain: Option<String>,
    /// Base directory for the database and keys (default: ~/.local/share/ecochain).
    #[arg(long, short = 'd', value_name = "DIR")]
    pub base_path: Option<PathBuf>,
    /// Use a temporary base path, deleted when the node stops.
    #[arg(long, conflicts_with = "base_path")]
    pub tmp: bool,
}

/// RPC methods exposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RpcMethodsArg {
    /// Only safe methods.
    Safe,
    /// Also unsafe ones (author_removeExtrinsic …), even on a public interface.
    Unsafe,
    /// `unsafe` when RPC listens on a loopback address only, else `safe` (Substrate's rule).
    Auto,
}

/// Transaction pool limits (`ecochain_txpool::Config`). Ready and future
/// transactions are counted apart: a transaction ready on arrival is admitted
/// whenever the ready budgets have room, however many future ones wait.
#[derive(Debug, Clone, Args)]
pub struct PoolArgs {
    /// Most ready transactions in the pool.
    #[arg(long, default_value_t = 7_373)]
    pub pool_limit: usize,
    /// Most KiB of ready transactions in the pool.
    #[arg(long, default_value_t = 18_432)]
    pub pool_kbytes: usize,
    /// Most future transactions (waiting for an earlier nonce) in the pool.
    #[arg(long, default_value_t = 819)]
    pub pool_future_limit: usize,
    /// Most KiB of future transactions in the pool.
    #[arg(long, default_value_t = 2_048)]
    pub pool_future_kbytes: usize,
    /// Most ready transactions of one sender.
    #[arg(long, default_value_t = 64)]
    pub pool_sender_limit: usize,
    /// Most future transactions of one sender.
    #[arg(long, default_value_t = 64)]
    pub pool_sender_future_limit: usize,
    /// Most KiB of one sender's ready transactions, and again of its future ones.
    #[arg(long, default_value_t = 1_024)]
    pub pool_sender_kbytes: usize,
    /// Seconds a transaction may stay future before it is dropped (not banned).
    #[arg(long, default_value_t = 180)]
    pub pool_future_ttl_secs: u64,
    /// Seconds an invalid transaction's hash stays banned.
    #[arg(long, default_value_t = 1_800)]
    pub pool_ban_secs: u64,
}

impl PoolArgs {
    /// The pool's options.
    pub fn config(&self) -> ecochain_txpool::Config {
        ecochain_txpool::Config {
            max_ready_count: self.pool_limit,
            max_ready_bytes: self.pool_kbytes.saturating_mul(1024),
            max_future_count: self.pool_future_limit,
            max_future_bytes: self.pool_future_kbytes.saturating_mul(1024),
            max_per_sender_ready_count: self.pool_sender_limit,
            max_per_sender_ready_bytes: self.pool_sender_kbytes.saturating_mul(1024),
            max_per_sender_future_count: self.pool_sender_future_limit,
            max_per_sender_future_bytes: self.pool_sender_kbytes.saturating_mul(1024),
            future_ttl: std::time::Duration::from_secs(self.pool_future_ttl_secs),
            ban_time: std::time::Duration::from_secs(self.pool_ban_secs),
            ..Default::default()
        }
    }
}

/// The JSON-RPC server (`ecochain_rpc::Config`).
#[derive(Debug, Clone, Args)]
pub struct RpcArgs {
    /// JSON-RPC port (HTTP and WebSocket); 0 picks a free port.
    #[arg(long, default_value_t = 9944)]
    pub rpc_port: u16,
    /// JSON-RPC listen address.
    #[arg(long, default_value = "127.0.0.1")]
    pub rpc_addr: IpAddr,
    /// Listen on all interfaces (same as `--rpc-addr 0.0.0.0`).
    #[arg(long)]
    pub rpc_external: bool,
    /// Which RPC methods to expose.
    #[arg(long, value_enum, default_value_t = RpcMethodsArg::Auto)]
    pub rpc_methods: RpcMethodsArg,
    /// Allowed CORS origins: `all` or a comma-separated list (`http://localhost:*`
    /// allows every port). Default: `all` on dev chains, else localhost and
    /// https://polkadot.js.org.
    #[arg(long, value_name = "ORIGINS")]
    pub rpc_cors: Option<String>,
    /// Maximum simultaneous RPC connections.
    #[arg(long, default_value_t = 100)]
    pub rpc_max_connections: u32,
    /// Maximum simultaneous RPC connections from one IP address.
    #[arg(long, default_value_t = 32)]
    pub rpc_max_connections_per_ip: u32,
    /// Maximum subscriptions open on the node (all connections).
    #[arg(long, default_value_t = 8_192)]
    pub rpc_max_subscriptions: u32,
    /// Maximum subscriptions open from one IP address.
    #[arg(long, default_value_t = 2_048)]
    pub rpc_max_subscriptions_per_ip: u32,
    /// Threads serving RPC database reads and runtime calls (0: twice the cores, at least 4).
    #[arg(long, default_value_t = 0)]
    pub rpc_workers: usize,
    /// Maximum RPC request size, MiB.
    #[arg(long, default_value_t = 15)]
    pub rpc_max_request_size: u32,
    /// Maximum RPC response size, MiB.
    #[arg(long, default_value_t = 15)]
    pub rpc_max_response_size: u32,
    /// Maximum subscriptions per connection.
    #[arg(long, default_value_t = 1_024)]
    pub rpc_max_subscriptions_per_connection: u32,
    /// Maximum calls in one JSON-RPC batch.
    #[arg(long, default_value_t = 256)]
    pub rpc_max_batch_len: u32,
    /// Requests per second allowed per client IP (0 = unlimited).
    #[arg(long, default_value_t = 100_000)]
    pub rpc_rate_limit: u32,
}

impl RpcArgs {
    /// The address RPC listens on.
    pub fn ip(&self) -> IpAddr {
        if self.rpc_external {
            [0, 0, 0, 0].into()
        } else {
            self.rpc_addr
        }
    }

    /// The server's configuration on a `dev` chain or not; `node_name` is
    /// what `system_name` answers.
    pub fn config(&self, dev: bool, node_name: String) -> ecochain_rpc::Config {
        let ip = self.ip();
        ecochain_rpc::Config {
            addr: std::net::SocketAddr::new(ip, self.rpc_port),
            max_request_bytes: self.rpc_max_request_size.saturating_mul(1024 * 1024),
            max_response_bytes: self.rpc_max_response_size.saturating_mul(1024 * 1024),
            max_connections: self.rpc_max_connections,
            max_connections_per_ip: self.rpc_max_connections_per_ip,
            max_subscriptions: self.rpc_max_subscriptions,
            max_subscriptions_per_ip: self.rpc_max_subscriptions_per_ip,
            workers: match self.rpc_workers {
                0 => ecochain_rpc::WorkersConfig::default(),
                threads => ecochain_rpc::WorkersConfig { threads, ..Default::default() },
            },
            max_subscriptions_per_connection: self.rpc_max_subscriptions_per_connection,
            max_batch_len: self.rpc_max_batch_len,
            methods: rpc_methods(self.rpc_methods, ip),
            cors: rpc_cors(self.rpc_cors.as_deref(), dev),
            rate_limit_per_ip_per_sec: self.rpc_rate_limit,
            node_name,
            node_version: env!("CARGO_PKG_VERSION").into(),
            peer_id: String::new(),
            call_counter: None,
        }
    }
}

/// Substrate's exposure rule: unsafe methods on loopback only, unless asked.
fn rpc_methods(arg: RpcMethodsArg, ip: IpAddr) -> ecochain_rpc::RpcMethods {
    match arg {
        RpcMethodsArg::Safe => ecochain_rpc::RpcMethods::Safe,
        RpcMethodsArg::Unsafe => ecochain_rpc::RpcMethods::Unsafe,
        RpcMethodsArg::Auto if ip.is_loopback() => ecochain_rpc::RpcMethods::Unsafe,
        RpcMethodsArg::Auto => ecochain_rpc::RpcMethods::Safe,
    }
}

/// Origins allowed by CORS (`None`: all): `--rpc-cors` if given, else all on
/// dev chains and localhost plus polkadot.js apps elsewhere.
fn rpc_cors(arg: Option<&str>, dev: bool) -> Option<Vec<String>> {
    match arg {
        Some("all" | "*") => None,
        Some(list) => Some(list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()),
        None if dev => None,
        None => Some(
            [
                "http://localhost:*",
                "http://127.0.0.1:*",
                "https://localhost:*",
                "https://127.0.0.1:*",
                "https://polkadot.js.org",
            ]
            .map(String::from)
            .to_vec(),
        ),
    }
}

/// Prometheus metrics, `/health` and `/ready`.
#[derive(Debug, Clone, Args)]
pub struct MetricsArgs {
    /// Prometheus metrics, /health and /ready on this port.
    #[arg(long, default_value_t = 9615)]
    pub prometheus_port: u16,
    /// Serve metrics on all interfaces.
    #[arg(long)]
    pub prometheus_external: bool,
    /// Do not serve metrics.
    #[arg(long)]
    pub no_prometheus: bool,
}

impl MetricsArgs {
    /// Where to serve metrics, if anywhere.
    pub fn addr(&self) -> Option<std::net::SocketAddr> {
        let ip: IpAddr = if self.prometheus_external { [0, 0, 0, 0].into() } else { [127, 0, 0, 1].into() };
        (!self.no_prometheus).then_some(std::net::SocketAddr::new(ip, self.prometheus_port))
    }
}

/// Peer-to-peer networking: consensus on `--port`, transaction gossip on the port after it.
#[derive(Debug, Clone, Args)]
pub struct NetworkArgs {
    /// Peer-to-peer (consensus) port; transactions are gossiped on `port + 1`.
    #[arg(long, default_value_t = 30333)]
    pub port: u16,
    /// Peer-to-peer listen address (IP).
    #[arg(long, default_value = "0.0.0.0")]
    pub listen_ip: IpAddr,
    /// Peers to connect to: multiaddresses ending in /p2p/<peer id> (the
    /// consensus port; transaction gossip uses the port after it).
    #[arg(long, value_name = "ADDR", num_args = 1.., value_delimiter = ',', value_parser = parse_bootnode)]
    pub bootnodes: Vec<String>,
    /// A file of extra allowed peer ids (one base58 id per line, `#` comments),
    /// added to the on-chain node allow-list and the validators.
    #[arg(long, value_name = "FILE")]
    pub allowlist: Option<PathBuf>,
    /// The node key: the hex of a 32-byte ed25519 seed, the node's libp2p
    /// identity on both networks (created if missing). Default:
    /// `<base>/chains/<id>/network/node_key`. A validator registers its peer
    /// id on chain with `permissions.setNodeId`.
    #[arg(long, value_name = "FILE")]
    pub node_key_file: Option<PathBuf>,
}

impl NetworkArgs {
    /// Where the consensus network listens.
    pub fn consensus_listen(&self) -> String {
        format!("/ip4/{}/tcp/{}", self.listen_ip, self.port)
    }

    /// Where transaction gossip listens (`--port` + 1).
    pub fn gossip_listen(&self) -> Result<String, String> {
        let port = self.port.checked_add(1).ok_or("--port too large: gossip needs the port after it")?;
        Ok(format!("/ip4/{}/tcp/{port}", self.listen_ip))
    }

    /// The boot nodes' transaction gossip addresses: same host and peer id,
    /// the port after the consensus port (addresses without a TCP port are skipped).
    pub fn gossip_bootnodes(&self) -> Vec<String> {
        self.bootnodes.iter().filter_map(|addr| gossip_address(addr)).collect()
    }
}

/// A boot node address: a multiaddress with a TCP port, ending in `/p2p/<peer id>`.
fn parse_bootnode(addr: &str) -> Result<String, String> {
    let shape = "expected /ip4/<ip>/tcp/<port>/p2p/<peer id> (or /dns4/<host>/…)";
    let (base, id) = addr.rsplit_once("/p2p/").ok_or_else(|| format!("`{addr}` names no peer id: {shape}"))?;
    id.parse::<ecochain_network::PeerId>().map_err(|e| format!("`{id}` is not a peer id ({e}): {shape}"))?;
    let mut parts = base.split('/');
    let tcp = parts.position(|p| p == "tcp").and_then(|_| parts.next());
    tcp.and_then(|port| port.parse::<u16>().ok()).ok_or_else(|| format!("`{addr}` has no TCP port: {shape}"))?;
    Ok(addr.to_string())
}

/// The gossip address of a consensus address: its TCP port plus one.
fn gossip_address(addr: &str) -> Option<String> {
    let mut parts: Vec<String> = addr.split('/').map(str::to_string).collect();
    let i = parts.iter().position(|p| p == "tcp")? + 1;
    let port: u16 = parts.get(i)?.parse().ok()?;
    parts[i] = port.checked_add(1)?.to_string();
    Some(parts.join("/"))
}

/// Block production and BFT consensus.
#[derive(Debug, Clone, Args)]
pub struct ConsensusArgs {
    /// Run as a validator (needs a consensus key unless `--dev`).
    #[arg(long)]
    pub validator: bool,
    /// File holding the ed25519 consensus key (secret seed hex or SURI).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Directory of this validator's secp256k1 bridge keys, which sign the
    /// bridge's commitments (one file per key, `key generate-bridge-key`).
    /// Default: `<base>/chains/<id>/keystore/bridge`.
    #[arg(long, value_name = "DIR")]
    pub bridge_keystore: Option<PathBuf>,
    /// Upper bound of a round timeout in milliseconds: timeouts grow each
    /// round but never past this, so a stalled network resumes quickly.
    #[arg(long, default_value_t = 8_000)]
    pub max_round_timeout_ms: u64,
    /// Target block time in milliseconds (sub-second allowed).
    #[arg(long, default_value_t = 1_000)]
    pub block_time_ms: u64,
    /// Produce no empty block until this many milliseconds passed since the
    /// last one (0: a block every `--block-time-ms`). Give every validator the
    /// same value: the propose timeout grows to cover it.
    #[arg(long, default_value_t = 0)]
    pub heartbeat_ms: u64,
}

impl ConsensusArgs {
    /// Target time per block.
    pub fn block_time(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.block_time_ms.max(1))
    }

    /// Longest wait for a transaction before an empty block, if any.
    pub fn heartbeat(&self) -> Option<std::time::Duration> {
        (self.heartbeat_ms > 0).then(|| std::time::Duration::from_millis(self.heartbeat_ms))
    }

    /// Round timeouts: the defaults up to `--max-round-timeout-ms` (at least
    /// 1 s); validators wait for a proposal at least as long as a proposer
    /// waits for transactions (the heartbeat) plus a second.
    pub fn timeouts(&self) -> ecochain_consensus::LinearTimeouts {
        use std::time::Duration;
        let mut t = ecochain_consensus::default_timeouts(Duration::from_millis(self.max_round_timeout_ms.max(1_000)));
        t.propose = t.propose.max(Duration::from_millis(self.heartbeat_ms) + Duration::from_secs(1));
        t.max_timeout = t.max_timeout.max(t.propose * 2);
        t
    }
}

/// Options of a running node.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Chain selection and base path.
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Transaction pool limits.
    #[command(flatten)]
    pub pool: PoolArgs,
    /// JSON-RPC server.
    #[command(flatten)]
    pub rpc: RpcArgs,
    /// Prometheus metrics.
    #[command(flatten)]
    pub metrics: MetricsArgs,
    /// Peer-to-peer networking.
    #[command(flatten)]
    pub network: NetworkArgs,
    /// Block production and BFT consensus.
    #[command(flatten)]
    pub consensus: ConsensusArgs,
    /// Node name shown by `system_name` peers and logs.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// States to keep: `archive` or a number of recent blocks.
    #[arg(long, value_name = "MODE")]
    pub pruning: Option<ecochain_storage::Pruning>,
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info,txpool=debug`.
    #[arg(long, short = 'l', value_name = "FILTER")]
    pub log: Option<String>,
    /// Development chains only: act as a runtime build with this (higher)
    /// `spec_version`, as a node restarted with a new runtime does. The first
    /// block built records it at `:code` with `RuntimeEnvironmentUpdated`;
    /// signed transactions must name it. For testing clients' handling of a
    /// runtime change without a second build.
    #[arg(long, value_name = "N")]
    pub dev_spec_version: Option<u32>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a chain spec as JSON.
    BuildSpec {
        /// Chain selection.
        #[command(flatten)]
        chain: ChainArgs,
        /// Emit the raw genesis storage instead of the readable config.
        #[arg(long)]
        raw: bool,
    },
    /// Key management.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Write blocks to a file.
    ExportBlocks {
        /// Chain selection.
        #[command(flatten)]
        chain: ChainArgs,
        /// First block.
        #[arg(long, default_value_t = 1)]
        from: u32,
        /// Last block (default: best).
        #[arg(long)]
        to: Option<u32>,
        /// Output file.
        output: PathBuf,
    },
    /// Import (re-execute and store) blocks from a file.
    ImportBlocks {
        /// Chain selection.
        #[command(flatten)]
        chain: ChainArgs,
        /// Input file written by `export-blocks`.
        input: PathBuf,
    },
    /// Delete the chain's database.
    PurgeChain {
        /// Chain selection.
        #[command(flatten)]
        chain: ChainArgs,
        /// Do not ask for confirmation.
        #[arg(short = 'y')]
        yes: bool,
    },
    /// Re-execute a stored block and check it.
    CheckBlock {
        /// Chain selection.
        #[command(flatten)]
        chain: ChainArgs,
        /// Block number or 0x hash.
        block: String,
    },
}

/// Key subcommands.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a new key and print its phrase, public key and address.
    Generate {
        /// Signature scheme.
        #[arg(long, value_enum, default_value_t = Scheme::Sr25519)]
        scheme: Scheme,
        /// Words in the mnemonic (12).
        #[arg(long, default_value_t = 12)]
        words: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show the public key and address of a secret URI (`//Alice`, a phrase, a hex seed).
    Inspect {
        /// The secret URI.
        suri: String,
        /// Signature scheme.
        #[arg(long, value_enum, default_value_t = Scheme::Sr25519)]
        scheme: Scheme,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Store the consensus key in the base path (`<base>/chains/<id>/keystore/consensus`).
    Insert {
        /// Chain selection.
        #[command(flatten)]
        chain: ChainArgs,
        /// The secret URI of the ed25519 consensus key.
        #[arg(long)]
        suri: String,
    },
    /// Create a node key (the libp2p identity, apart from the consensus key)
    /// in a new private file and print its peer id.
    GenerateNodeKey {
        /// Where to write it (`--node-key-file`, or `<base>/chains/<id>/network/node_key`).
        #[arg(long)]
        file: PathBuf,
    },
    /// Create a secp256k1 bridge key in a new private file (put it in the
    /// validator's bridge keystore) and print its EVM address, which
    /// `permissions.addValidator` or `permissions.setBridgeKey` registers.
    GenerateBridgeKey {
        /// Where to write it (a new file).
        #[arg(long)]
        file: PathBuf,
    },
    /// Print the peer id of a node key file.
    InspectNodeKey {
        /// The node key file.
        #[arg(long)]
        file: PathBuf,
    },
    /// Sign, with a node key, its registration for a validator's account:
    /// prints the peer id and the proof for `permissions.setNodeId(peerId, proof)`.
    NodeIdProof {
        /// The node key file.
        #[arg(long)]
        file: PathBuf,
        /// The validator's account (SS58 or 0x hex) that will submit the call.
        #[arg(long)]
        account: String,
    },
}

/// Signature schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scheme {
    /// Schnorrkel (accounts).
    Sr25519,
    /// Edwards (consensus keys).
    Ed25519,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_defaults_are_the_pools_defaults() {
        let cli = Cli::parse_from(["ecochain"]);
        assert_eq!(cli.run.pool.config(), ecochain_txpool::Config::default());
    }

    #[test]
    fn pool_flags_reach_the_pool_config() {
        let cli = Cli::parse_from([
            "ecochain",
            "--pool-sender-limit",
            "8",
            "--pool-future-ttl-secs",
            "5",
            "--pool-kbytes",
            "2",
        ]);
        let options = cli.run.pool.config();
        assert_eq!(options.max_per_sender_ready_count, 8);
        assert_eq!(options.future_ttl, std::time::Duration::from_secs(5));
        assert_eq!(options.max_ready_bytes, 2048);
    }

    #[test]
    fn rpc_flags_reach_the_config() {
        use ecochain_rpc::RpcMethods;
        let local = Cli::parse_from(["ecochain"]).run.rpc.config(false, "n".into());
        assert_eq!(local.addr, "127.0.0.1:9944".parse().expect("addr"));
        assert_eq!(local.methods, RpcMethods::Unsafe, "auto on loopback");
        assert_eq!((local.max_connections, local.max_connections_per_ip), (100, 32));
        let public = Cli::parse_from([
            "ecochain",
            "--rpc-external",
            "--rpc-port",
            "9000",
            "--rpc-max-request-size",
            "2",
            "--rpc-rate-limit",
            "50",
            "--rpc-workers",
            "3",
        ])
        .run
        .rpc
        .config(false, "n".into());
        assert_eq!(public.addr, "0.0.0.0:9000".parse().expect("addr"));
        assert_eq!(public.methods, RpcMethods::Safe, "auto on a public interface");
        assert_eq!(public.max_request_bytes, 2 * 1024 * 1024);
        assert_eq!(public.rate_limit_per_ip_per_sec, 50);
        assert_eq!(public.workers.threads, 3);
    }

    #[test]
    fn unsafe_methods_only_on_loopback_unless_asked() {
        use ecochain_rpc::RpcMethods;
        let (local, public): (IpAddr, IpAddr) = ([127, 0, 0, 1].into(), [0, 0, 0, 0].into());
        assert_eq!(rpc_methods(RpcMethodsArg::Auto, local), RpcMethods::Unsafe);
        assert_eq!(rpc_methods(RpcMethodsArg::Auto, public), RpcMethods::Safe);
        assert_eq!(rpc_methods(RpcMethodsArg::Safe, local), RpcMethods::Safe);
        assert_eq!(rpc_methods(RpcMethodsArg::Unsafe, public), RpcMethods::Unsafe);
    }

    #[test]
    fn cors_is_restricted_outside_dev() {
        assert_eq!(rpc_cors(None, true), None);
        let default = rpc_cors(None, false).expect("a list");
        assert!(default
            .iter()
            .all(|o| o.contains("localhost") || o.contains("127.0.0.1") || o.contains("polkadot.js")));
        assert_eq!(rpc_cors(Some("all"), false), None);
        assert_eq!(rpc_cors(Some("https://a.example, https://b.example"), false).expect("list").len(), 2);
    }

    #[test]
    fn network_flags_reach_both_networks() {
        let cli = Cli::parse_from([
            "ecochain",
            "--port",
            "4000",
            "--listen-ip",
            "127.0.0.1",
            "--bootnodes",
            "/ip4/10.0.0.1/tcp/30333/p2p/12D3KooWAvS6vkddvtQ3nGKtkDhMMjFPYHdSZW9gtTJhHVNRjnUr",
        ]);
        let net = &cli.run.network;
        assert_eq!(net.consensus_listen(), "/ip4/127.0.0.1/tcp/4000");
        assert_eq!(net.gossip_listen().as_deref(), Ok("/ip4/127.0.0.1/tcp/4001"));
        assert_eq!(
            net.gossip_bootnodes(),
            vec!["/ip4/10.0.0.1/tcp/30334/p2p/12D3KooWAvS6vkddvtQ3nGKtkDhMMjFPYHdSZW9gtTJhHVNRjnUr".to_string()],
            "the gossip port is the next one"
        );
        let top = Cli::parse_from(["ecochain", "--port", "65535"]);
        assert!(top.run.network.gossip_listen().is_err());
        assert_eq!(gossip_address("/ip4/1.2.3.4/tcp/65535"), None);
        // Malformed boot nodes are refused with a reason, not ignored.
        let id = "12D3KooWAvS6vkddvtQ3nGKtkDhMMjFPYHdSZW9gtTJhHVNRjnUr";
        for bad in [
            "junk".to_string(),
            "/ip4/10.0.0.1/tcp/30333".to_string(),
            "/ip4/10.0.0.1/tcp/30333/p2p/notapeer".to_string(),
            format!("/ip4/10.0.0.1/udp/30333/p2p/{id}"),
            format!("/ip4/10.0.0.1/tcp/99999/p2p/{id}"),
        ] {
            let err = Cli::try_parse_from(["ecochain", "--bootnodes", &bad]).expect_err(&bad).to_string();
            assert!(err.contains("expected /ip4/"), "{bad}: {err}");
        }
    }

    #[test]
    fn consensus_timeouts_cover_the_heartbeat() {
        use std::time::Duration;
        let plain = Cli::parse_from(["ecochain"]).run.consensus;
        assert_eq!(plain.block_time(), Duration::from_secs(1));
        assert_eq!(plain.heartbeat(), None);
        assert!(plain.timeouts().max_timeout <= Duration::from_secs(8));
        let slow =
            Cli::parse_from(["ecochain", "--heartbeat-ms", "5000", "--max-round-timeout-ms", "3000"]).run.consensus;
        assert_eq!(slow.heartbeat(), Some(Duration::from_secs(5)));
        let t = slow.timeouts();
        assert!(t.propose >= Duration::from_secs(6), "validators wait out the proposer's heartbeat");
        assert!(t.max_timeout >= t.propose * 2);
        let zero = Cli::parse_from(["ecochain", "--block-time-ms", "0"]).run.consensus;
        assert_eq!(zero.block_time(), Duration::from_millis(1));
    }

    #[test]
    fn metrics_flags_reach_the_address() {
        assert_eq!(Cli::parse_from(["ecochain"]).run.metrics.addr(), Some("127.0.0.1:9615".parse().expect("addr")));
        let external = Cli::parse_from(["ecochain", "--prometheus-external", "--prometheus-port", "1"]);
        assert_eq!(external.run.metrics.addr(), Some("0.0.0.0:1".parse().expect("addr")));
        assert_eq!(Cli::parse_from(["ecochain", "--no-prometheus"]).run.metrics.addr(), None);
    }
}
