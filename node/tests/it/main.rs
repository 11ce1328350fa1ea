//! Node tests: the real `ecochain` binary on loopback, a real RocksDB in a
//! temp dir, JSON-RPC over HTTP (and WebSocket for subxt). Each test starts its own node on free ports
//! and kills it by PID when done (`ecochain-testkit` holds the harness).

mod attacks;
mod bad_input;
mod chain_specs;
mod cli;
mod crash;
mod network;
mod restart;
mod subxt_client;
