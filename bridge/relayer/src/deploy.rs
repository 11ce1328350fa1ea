//! `ecochain-relayer deploy`: the EVM side of a bridge to one chain.
//!
//! Reads the chain's genesis hash and the key set that signs its commitments
//! now, then deploys, in order: an `EcoTimelock` (when a delay is given)
//! whose proposer and executor is the admin, an `EcoLightClient` starting from
//! that key set, and an `EcoBridge` (which creates wECT and wECR) on that
//! light client. The timelock, if any, is the admin of both contracts: caps,
//! unpausing and the emergency key set then wait out its delay; the guardian
//! may only pause. The chain's admin then points the chain at these two
//! addresses (`bridge.setDestination`).

use crate::{chain::ChainClient, evm};
use alloy::{
    primitives::{Address, B256, U256},
    providers::DynProvider,
};
use anyhow::{anyhow, Context};
use serde_json::{json, Value};

/// Bindings of the timelock (OpenZeppelin's `TimelockController`).
pub mod timelock_abi {
    #![allow(missing_docs)]
    alloy::sol!(
        #[sol(rpc, all_derives)]
        EcoTimelock,
        "../contracts/out/EcoTimelock.json"
    );
}

/// What to deploy.
pub struct Plan {
    /// Who administers the bridge: directly, or as the timelock's proposer and executor.
    pub admin: Address,
    /// Who may pause.
    pub guardian: Address,
    /// The timelock's delay in seconds; `None`: `admin` administers directly.
    pub timelock_delay: Option<u64>,
    /// Most wECT (smallest unit) minted per period.
    pub ect_cap: U256,
    /// Most wECR certificates minted per period.
    pub ecr_cap: U256,
    /// Cap period, seconds.
    pub period_secs: u64,
}

async fn receipt_address(
    pending: Result<alloy::providers::PendingTransactionBuilder<alloy::network::Ethereum>, alloy::contract::Error>,
    what: &str,
) -> anyhow::Result<(Address, u64)> {
    let receipt = pending
        .map_err(|e| anyhow!("deploy {what}: {}", evm::describe(&e)))?
        .get_receipt()
        .await
        .with_context(|| format!("deploy {what}: receipt"))?;
    anyhow::ensure!(receipt.status(), "deploy {what} reverted in {}", receipt.transaction_hash);
    let address = receipt.contract_address.with_context(|| format!("deploy {what}: no contract address"))?;
    Ok((address, receipt.block_number.with_context(|| format!("deploy {what}: no block number"))?))
}

/// Deploy with `provider` (the deployer pays) against the chain behind `chain`;
/// returns the addresses as JSON.
pub async fn deploy(provider: DynProvider, chain: &ChainClient, plan: Plan) -> anyhow::Result<Value> {
    let fin = chain.finalized_head().await?;
    let status = chain.bridge_status(fin).await?;
    let keys = chain
        .key_set(status.set_id, fin)
        .await?
        .filter(|k| !k.is_empty())
        .ok_or_else(|| anyhow!("the chain has no bridge keys in set {}: register them first", status.set_id))?;
    let validators: Vec<Address> = keys.iter().map(|k| Address::from(k.0)).collect();
    let weights = vec![U256::from(1u8); validators.len()];
    let timelock = match plan.timelock_delay {
        Some(delay) => {
            let pending = timelock_abi::EcoTimelock::deploy_builder(
                provider.clone(),
                U256::from(delay),
                vec![plan.admin],
                vec![plan.admin],
                Address::ZERO,
            )
            .send()
            .await;
            Some(receipt_address(pending, "EcoTimelock").await?.0)
        }
        None => None,
    };
    let admin = timelock.unwrap_or(plan.admin);
    let pending = evm::EcoLightClient::deploy_builder(
        provider.clone(),
        B256::from(chain.genesis.0),
        status.set_id,
        validators.clone(),
        weights,
        admin,
    )
    .send()
    .await;
    let (light_client, _) = receipt_address(pending, "EcoLightClient").await?;
    let pending = evm::EcoBridge::deploy_builder(
        provider.clone(),
        light_client,
        admin,
        plan.guardian,
        plan.ect_cap,
        plan.ecr_cap,
        U256::from(plan.period_secs),
    )
    .send()
    .await;
    let (bridge, block) = receipt_address(pending, "EcoBridge").await?;
    let contract = evm::EcoBridge::new(bridge, provider);
    Ok(json!({
        "chainId": alloy::providers::Provider::get_chain_id(contract.provider()).await?,
        "genesis": format!("{:?}", chain.genesis),
        "setId": status.set_id,
        "validators": validators,
        "lightClient": light_client,
        "bridge": bridge,
        "wrappedEct": contract.ect().call().await?,
        "wrappedEcr": contract.ecr().call().await?,
        "admin": admin,
        "timelock": timelock,
        "guardian": plan.guardian,
        "deployBlock": block,
    }))
}
