//! Node tests: the real `ecochain` binary on loopback, a real RocksDB in a
//! temp dir, JSON-RPC over HTTP (and WebSocket for subxt). Each test starts its own node on free ports
//! and kills it by PID when done (`ecochain-testkit` holds the harness).

/// The committed `local` chain spec as JSON, for tests that derive a spec from it.
pub(crate) fn local_spec() -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../chain-specs/local.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("spec")).expect("json")
}

mod attacks;
mod bad_input;
mod chain_specs;
mod cli;
mod crash;
mod network;
mod restart;
mod subxt_client;
