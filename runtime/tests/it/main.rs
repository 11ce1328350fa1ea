//! Runtime tests: genesis presets build and check their invariants, runtime
//! APIs answer natively, and a block of sr25519-signed extrinsics executes
//! through `Executive` and re-imports to the same state root.
//!
//! One integration-test binary (not unit tests): `construct_runtime!` adds a
//! test that builds the *default* genesis, which has no validators and is
//! rightly refused.

mod common;

mod block;
mod genesis;
mod governance;
mod identity;
mod pause;
mod sigcache;
