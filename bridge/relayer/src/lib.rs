//! # ecochain-relayer
//!
//! Bridges ECT (to an ERC-20) and ECR (to an ERC-721) between EcoChain and an
//! EVM chain (Polygon in production, anvil in tests). Each relayer:
//!
//! - carries the chain's certified commitments outbound: it submits the
//!   newest one (signed by more than 2/3 of the validators' bridge keys) to
//!   `EcoLightClient` and mints every message under it on `EcoBridge` with its
//!   Merkle proof; the contracts verify everything, so any funded account can
//!   carry;
//! - follows `Returned` logs of `EcoBridge` up to the EVM chain's `finalized`
//!   block (or `latest - confirmations`), confirmed on every witness endpoint,
//!   and approves the release on chain (`Bridge::approve_release`, keyed by
//!   EVM chain id, bridge contract, transaction hash and log index); the
//!   pallet releases at M approvals, never twice per key. What it reads from
//!   the chain to decide comes with read proofs under a header it verified
//!   from the pinned genesis by commit certificates ([`finality`]);
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
pub mod finality;
pub mod keys;
pub mod metrics;
pub mod relay;
