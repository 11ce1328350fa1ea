//! # ecochain-relayer
//!
//! Bridges ECT (to an ERC-20) and ECR (to an ERC-721) between EcoChain and an
//! EVM chain (Polygon in production, anvil in tests). Each relayer:
//!
//! - follows **finalized** chain state: every outbound nonce of `pallet-bridge`
//!   below `next_nonce` is approved on `EcoBridge` (`approveEct`/`approveEcr`);
//!   the contract mints at M approvals, never twice per nonce;
//! - follows `Returned` logs of `EcoBridge` up to the EVM chain's `finalized`
//!   block (or `latest - confirmations`) and approves the release on chain
//!   (`Bridge::approve_release`, keyed by chain id, transaction hash and log
//!   index); the pallet releases at M approvals, never twice per key;
//! - persists its cursors and every unsettled inbound transfer in RocksDB,
//!   written synchronously, so a crash or `kill -9` neither skips nor doubles:
//!   on restart it re-reads both chains for everything not yet settled;
//! - audits the supply each round (ECT locked on chain vs wrapped supply, ECR
//!   locked vs wrapped) and stops relaying when the EVM side holds more than is
//!   locked.
//!
//! The chain is reached only over its JSON-RPC; the EVM side through alloy.

pub mod audit;
pub mod chain;
pub mod config;
pub mod db;
pub mod decide;
pub mod deploy;
pub mod evm;
pub mod keys;
pub mod metrics;
pub mod relay;
