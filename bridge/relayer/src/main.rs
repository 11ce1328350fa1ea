//! `ecochain-relayer`: carry and relay the bridge's messages, audit its
//! supply, or deploy the EVM contracts.

use alloy::primitives::{Address, U256};
use anyhow::Context;
use clap::{Parser, Subcommand};
use ecochain_relayer::{
    audit, chain::ChainClient, config::Config, deploy, evm, keys, metrics::Metrics, relay::Relayer,
};
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

/// The EcoChain bridge relayer (ECT <-> ERC-20, ECR <-> ERC-721).
#[derive(Parser)]
#[command(name = "ecochain-relayer", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Relay in both directions until SIGINT/SIGTERM.
    Run {
        /// The TOML configuration file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Compare locked ECT/ECR on chain with the wrapped supply; exit 1 on mismatch.
    Audit {
        /// The TOML configuration file (keys are not needed).
        #[arg(long, short)]
        config: PathBuf,
        /// Also require locked == wrapped (no transfer in flight).
        #[arg(long)]
        settled: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Deploy the EVM side for the chain behind `--chain-rpc` (a timelock if
    /// `--timelock-delay`, the light client, the bridge and its two tokens)
    /// and print the addresses as JSON.
    Deploy {
        /// EVM JSON-RPC endpoint.
        #[arg(long)]
        evm_rpc: String,
        /// A node of the chain (its genesis hash and current bridge key set are read).
        #[arg(long)]
        chain_rpc: String,
        /// File with the deployer's hex private key (default: env ECOCHAIN_RELAYER_EVM_KEY).
        #[arg(long)]
        key_file: Option<PathBuf>,
        /// Administers the contracts: directly, or as the timelock's proposer
        /// and executor with `--timelock-delay` (default: the deployer).
        #[arg(long)]
        admin: Option<Address>,
        /// Put admin actions behind a TimelockController with this delay (seconds).
        #[arg(long)]
        timelock_delay: Option<u64>,
        /// May pause the bridge at once (default: the admin).
        #[arg(long)]
        guardian: Option<Address>,
        /// Most wECT (smallest unit) minted per period.
        #[arg(long)]
        ect_cap: U256,
        /// Most wECR certificates minted per period.
        #[arg(long)]
        ecr_cap: U256,
        /// Cap period in seconds.
        #[arg(long)]
        period_secs: u64,
    },
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(2);
        }
    }
}

async fn shutdown_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

async fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Run { config } => {
            let config = Config::load(&config)?;
            let metrics = Metrics::new(ecochain_relayer::relay::stale_after(&config))?;
            if let Some(addr) = config.relayer.metrics {
                let bound = ecochain_relayer::metrics::serve(addr, metrics.clone())
                    .await
                    .with_context(|| format!("cannot serve metrics on {addr}"))?;
                tracing::info!(%bound, "metrics and /health served");
            }
            let relayer = Relayer::start(config, metrics).await?;
            relayer.run(shutdown_signal()).await?;
            Ok(0)
        }
        Command::Audit { config, settled, json } => {
            let config = Config::load(&config)?;
            let chain = ChainClient::connect(&config.chain.rpc).await?;
            // Reading needs no key: a throwaway signer is never used to send.
            let evm = evm::EvmClient::connect(&config.evm, alloy::signers::local::PrivateKeySigner::random()).await?;
            let report = audit::audit(&chain, &evm, true).await?.report;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!("{report}");
            }
            let ok = if settled { report.settled() } else { report.backed() };
            Ok(if ok { 0 } else { 1 })
        }
        Command::Deploy {
            evm_rpc,
            chain_rpc,
            key_file,
            admin,
            timelock_delay,
            guardian,
            ect_cap,
            ecr_cap,
            period_secs,
        } => {
            let chain_id = evm::chain_id(&evm_rpc).await?;
            let signer = keys::evm_key(key_file.as_deref(), chain_id)?;
            let admin = admin.unwrap_or(signer.address());
            let provider = evm::provider(&evm_rpc, signer)?;
            let chain = ChainClient::connect(&chain_rpc).await?;
            let plan = deploy::Plan {
                admin,
                guardian: guardian.unwrap_or(admin),
                timelock_delay,
                ect_cap,
                ecr_cap,
                period_secs,
            };
            let deployed = deploy::deploy(provider, &chain, plan).await.context("deploying the EVM side")?;
            println!("{}", serde_json::to_string_pretty(&deployed)?);
            Ok(0)
        }
    }
}
