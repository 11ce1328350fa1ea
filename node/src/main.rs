//! `ecochain`: the EcoChain node. See `cli.rs` for the command line and
//! `service.rs` for how the parts are wired.

mod authoring;
mod blocks;
mod bridge_signer;
mod cli;
mod keys;
mod metrics;
mod service;

use anyhow::Context;
use clap::Parser;
use cli::{ChainArgs, Cli, Command, KeyCommand};
use ecochain_client::ChainSpec;
use std::path::PathBuf;

/// Info for our targets; Malachite and libp2p log every vote at info, so
/// they are quieter unless asked (`--log info,arc_malachitebft_core_consensus=info`).
/// Gossipsub warns each time a wallet resubmits a transaction it already
/// published (the duplicate is expected and handled): errors only.
const DEFAULT_LOG: &str = "info,arc_malachitebft_core_consensus=warn,arc_malachitebft_engine=warn,\
arc_malachitebft_network=warn,arc_malachitebft_sync=warn,arc_malachitebft_discovery=warn,\
arc_malachitebft_wal=warn,arc_malachitebft_app=warn,libp2p_gossipsub=error,libp2p_swarm=warn";

fn init_tracing(filter: Option<&str>) {
    let filter = filter
        .map(tracing_subscriber::EnvFilter::new)
        .or_else(|| tracing_subscriber::EnvFilter::try_from_env("RUST_LOG").ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(DEFAULT_LOG));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

/// The chain spec and base path a command works on.
fn resolve(chain: &ChainArgs) -> anyhow::Result<(ChainSpec, PathBuf, Option<tempdir::TempBase>)> {
    let name = if chain.dev { "dev" } else { chain.chain.as_deref().unwrap_or("local") };
    let spec = ChainSpec::load(name).with_context(|| format!("loading chain spec `{name}`"))?;
    if chain.tmp {
        let tmp = tempdir::TempBase::new()?;
        let path = tmp.path().to_path_buf();
        return Ok((spec, path, Some(tmp)));
    }
    let base = match &chain.base_path {
        Some(p) => p.clone(),
        None => {
            let home = std::env::var_os("HOME").context("HOME is not set; pass --base-path")?;
            PathBuf::from(home).join(".local/share/ecochain")
        }
    };
    Ok((spec, base, None))
}

mod tempdir {
    //! A base path removed when the node stops (`--tmp`).
    use std::path::{Path, PathBuf};

    /// Removes its directory on drop.
    pub struct TempBase(PathBuf);

    impl TempBase {
        pub fn new() -> anyhow::Result<Self> {
            let dir = std::env::temp_dir().join(format!("ecochain-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            Ok(Self(dir))
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempBase {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        None => {
            init_tracing(cli.run.log.as_deref());
            let (spec, base, _tmp) = resolve(&cli.run.chain)?;
            // Block execution and pool validation run the runtime on tokio's threads: give
            // them the stack the RPC workers have, so the deepest call the decoder admits
            // (and any recursion the runtime does on it) fits with room to spare.
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .thread_stack_size(ecochain_rpc::RUNTIME_STACK_BYTES)
                .build()?;
            runtime.block_on(service::run(cli.run, spec, base))
        }
        Some(Command::BuildSpec { chain, raw }) => {
            let (spec, _, _) = resolve(&chain)?;
            let spec = if raw { spec.to_raw()? } else { spec };
            println!("{}", spec.to_json()?);
            Ok(())
        }
        Some(Command::Key(KeyCommand::Generate { scheme, words, json })) => {
            println!("{}", keys::generate(scheme, words, json)?);
            Ok(())
        }
        Some(Command::Key(KeyCommand::Inspect { suri, scheme, json })) => {
            println!("{}", keys::inspect(&suri, scheme, json)?);
            Ok(())
        }
        Some(Command::Key(KeyCommand::Insert { chain, suri })) => {
            let (spec, base, _) = resolve(&chain)?;
            let path = service::chain_dir(&base, &spec).join("keystore").join("consensus");
            let public = keys::insert(&path, &suri, spec.is_dev())?;
            println!("consensus key {public} written to {}", path.display());
            Ok(())
        }
        Some(Command::Key(KeyCommand::GenerateNodeKey { file })) => {
            println!("{}", keys::generate_node_key(&file)?);
            Ok(())
        }
        Some(Command::Key(KeyCommand::GenerateBridgeKey { file })) => {
            println!("{:?}", keys::generate_bridge_key(&file)?);
            Ok(())
        }
        Some(Command::Key(KeyCommand::InspectNodeKey { file })) => {
            println!("{}", keys::node_peer_id(keys::load_node_key(&file)?)?);
            Ok(())
        }
        Some(Command::Key(KeyCommand::NodeIdProof { file, account })) => {
            println!("{}", keys::node_id_proof(&file, &account)?);
            Ok(())
        }
        Some(Command::ExportBlocks { chain, from, to, output }) => {
            init_tracing(None);
            let (spec, base, _) = resolve(&chain)?;
            let count = blocks::export(&spec, &base, from, to, &output)?;
            eprintln!("exported {count} blocks to {}", output.display());
            Ok(())
        }
        Some(Command::ImportBlocks { chain, input }) => {
            init_tracing(None);
            let (spec, base, _) = resolve(&chain)?;
            let count = blocks::import(&spec, &base, &input)?;
            eprintln!("imported {count} blocks from {}", input.display());
            Ok(())
        }
        Some(Command::PurgeChain { chain, yes }) => {
            let (spec, base, _) = resolve(&chain)?;
            let db = service::chain_dir(&base, &spec).join("db");
            if !db.exists() {
                eprintln!("{} does not exist", db.display());
                return Ok(());
            }
            if !yes {
                eprint!("Delete {}? [y/N] ", db.display());
                let mut answer = String::new();
                std::io::stdin().read_line(&mut answer)?;
                if !matches!(answer.trim(), "y" | "Y" | "yes") {
                    eprintln!("aborted");
                    return Ok(());
                }
            }
            std::fs::remove_dir_all(&db).with_context(|| format!("removing {}", db.display()))?;
            eprintln!("{} removed", db.display());
            Ok(())
        }
        Some(Command::CheckBlock { chain, block }) => {
            init_tracing(None);
            let (spec, base, _) = resolve(&chain)?;
            println!("{}", blocks::check(&spec, &base, &block)?);
            Ok(())
        }
    }
}
