//! End-to-end tests of the bridge: a real anvil, a real dev node, three real
//! relayer processes (threshold 2), all on loopback.

mod bridge;
mod finality;
mod harness;
mod light_client;
