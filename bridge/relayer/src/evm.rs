//! The EVM side through alloy: the `EcoBridge` contract and its two tokens.
//!
//! Bindings are generated from the committed artifacts in `bridge/contracts/out`.

use crate::config::EvmConfig;
use alloy::{
    eips::{BlockId, BlockNumberOrTag},
    network::EthereumWallet,
    primitives::{Address, Bytes, B256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::Filter,
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use anyhow::{anyhow, Context};
use std::time::Duration;

/// Bindings of `EcoBridge` (its ABI also names the `WrappedECR.Certificate` struct).
pub mod bridge_abi {
    #![allow(missing_docs)]
    alloy::sol!(
        #[sol(rpc, all_derives)]
        EcoBridge,
        "../contracts/out/EcoBridge.json"
    );
}

/// Bindings of the wrapped tokens.
pub mod token_abi {
    #![allow(missing_docs)]
    alloy::sol!(
        #[sol(rpc, all_derives)]
        WrappedECT,
        "../contracts/out/WrappedECT.json"
    );
    alloy::sol!(
        #[sol(rpc, all_derives)]
        WrappedECR,
        "../contracts/out/WrappedECR.json"
    );
}

/// Bindings of the light client that verifies the chain's commitments.
pub mod light_client_abi {
    #![allow(missing_docs)]
    alloy::sol!(
        #[sol(rpc, all_derives)]
        EcoLightClient,
        "../contracts/out/EcoLightClient.json"
    );
}

pub use bridge_abi::EcoBridge;
pub use light_client_abi::EcoLightClient;
pub use token_abi::{WrappedECR, WrappedECT};

/// Certificate data carried by a wrapped ECR (the contract's `WrappedECR.Certificate`).
pub type Certificate = token_abi::WrappedECR::Certificate;

/// How the relayer decides a block is final.
#[derive(Clone, Copy, Debug)]
pub enum Finality {
    /// The `finalized` block tag.
    Tag,
    /// `latest - n`.
    Confirmations(u64),
}

/// A `Returned` log: a burn on the EVM side to be released on chain.
#[derive(Clone, Debug)]
pub struct ReturnedLog {
    /// Block of the log.
    pub block: u64,
    /// Transaction hash.
    pub tx: B256,
    /// Log index in the block.
    pub log_index: u64,
    /// Hash of the block of the log.
    pub block_hash: B256,
    /// The decoded event.
    pub event: EcoBridge::Returned,
}

/// A connection to the EVM chain, signing with the relayer's key.
pub struct EvmClient {
    provider: DynProvider,
    /// The bridge contract.
    pub bridge: EcoBridge::EcoBridgeInstance<DynProvider>,
    /// The light client the bridge mints through.
    pub light_client: EcoLightClient::EcoLightClientInstance<DynProvider>,
    /// Wrapped ECT.
    pub ect: WrappedECT::WrappedECTInstance<DynProvider>,
    /// Wrapped ECR.
    pub ecr: WrappedECR::WrappedECRInstance<DynProvider>,
    /// EVM chain id.
    pub chain_id: u64,
    /// The relayer's EVM address.
    pub address: Address,
    finality: Finality,
    receipt_timeout: Duration,
    /// First block with the bridge's code (from `evm.start_block`).
    deployed_at: u64,
    /// Other endpoints that must confirm every burn (`evm.witnesses`).
    witnesses: Vec<(String, DynProvider)>,
}

/// Connect a signing provider to `url`.
pub fn provider(url: &str, signer: PrivateKeySigner) -> anyhow::Result<DynProvider> {
    let url = url.parse().with_context(|| format!("invalid EVM RPC url {url}"))?;
    // Nonces are read from the node (`pending`) for every transaction: a cached
    // nonce would be consumed by a call whose gas estimation reverts (another
    // relayer completed the mint first) and leave a gap no later transaction
    // could cross.
    Ok(ProviderBuilder::new()
        .disable_recommended_fillers()
        .with_gas_estimation()
        .with_simple_nonce_management()
        .fetch_chain_id()
        .wallet(EthereumWallet::from(signer))
        .connect_http(url)
        .erased())
}

/// The chain id behind `url` (before any key is loaded).
pub async fn chain_id(url: &str) -> anyhow::Result<u64> {
    let url = url.parse().with_context(|| format!("invalid EVM RPC url {url}"))?;
    let provider = ProviderBuilder::new().connect_http(url);
    provider.get_chain_id().await.with_context(|| "EVM RPC eth_chainId")
}

impl EvmClient {
    /// Connect to the bridge of `config`, signing with `signer`.
    pub async fn connect(config: &EvmConfig, signer: PrivateKeySigner) -> anyhow::Result<Self> {
        let address = signer.address();
        let provider = provider(&config.rpc, signer)?;
        let chain_id = provider.get_chain_id().await.context("EVM RPC eth_chainId")?;
        let code = provider.get_code_at(config.bridge).await.context("EVM RPC eth_getCode")?;
        anyhow::ensure!(!code.is_empty(), "no contract at evm.bridge {} on EVM chain {chain_id}", config.bridge);
        let bridge = EcoBridge::new(config.bridge, provider.clone());
        let light_client = EcoLightClient::new(
            bridge.lightClient().call().await.context("EcoBridge.lightClient()")?,
            provider.clone(),
        );
        let ect = WrappedECT::new(bridge.ect().call().await.context("EcoBridge.ect()")?, provider.clone());
        let ecr = WrappedECR::new(bridge.ecr().call().await.context("EcoBridge.ecr()")?, provider.clone());
        Ok(Self {
            provider,
            bridge,
            light_client,
            ect,
            ecr,
            chain_id,
            address,
            finality: config.confirmations.map_or(Finality::Tag, Finality::Confirmations),
            receipt_timeout: Duration::from_secs(config.receipt_timeout_secs),
            deployed_at: config.start_block,
            witnesses: config
                .witnesses
                .iter()
                .map(|url| {
                    let parsed = url.parse().with_context(|| format!("invalid EVM witness url {url}"))?;
                    anyhow::Ok((url.clone(), ProviderBuilder::new().connect_http(parsed).erased()))
                })
                .collect::<anyhow::Result<_>>()?,
        })
    }

    /// The newest block the relayer treats as final.
    pub async fn final_block(&self) -> anyhow::Result<u64> {
        match self.finality {
            Finality::Tag => {
                let block = self
                    .provider
                    .get_block_by_number(BlockNumberOrTag::Finalized)
                    .await
                    .context("EVM RPC eth_getBlockByNumber(finalized)")?
                    .ok_or_else(|| anyhow!("the EVM node has no finalized block yet"))?;
                Ok(block.header.number)
            }
            Finality::Confirmations(n) => Ok(crate::decide::confirmed(
                self.provider.get_block_number().await.context("EVM RPC eth_blockNumber")?,
                n,
            )),
        }
    }

    /// The latest block number.
    pub async fn latest_block(&self) -> anyhow::Result<u64> {
        self.provider.get_block_number().await.context("EVM RPC eth_blockNumber")
    }

    /// `Returned` logs of the bridge in `from..=to`.
    pub async fn returned_logs(&self, from: u64, to: u64) -> anyhow::Result<Vec<ReturnedLog>> {
        let filter = Filter::new()
            .address(*self.bridge.address())
            .event_signature(EcoBridge::Returned::SIGNATURE_HASH)
            .from_block(from)
            .to_block(to);
        let logs = self.provider.get_logs(&filter).await.context("EVM RPC eth_getLogs")?;
        logs.into_iter()
            .map(|log| {
                let block = log.block_number.ok_or_else(|| anyhow!("log without block number"))?;
                let tx = log.transaction_hash.ok_or_else(|| anyhow!("log without transaction hash"))?;
                let log_index = log.log_index.ok_or_else(|| anyhow!("log without index"))?;
                let block_hash = log.block_hash.ok_or_else(|| anyhow!("log without block hash"))?;
                let event = EcoBridge::Returned::decode_log(&log.inner).context("decode Returned")?.data;
                Ok(ReturnedLog { block, tx, log_index, block_hash, event })
            })
            .collect()
    }

    /// Check `log` against every witness endpoint: each must have the
    /// transaction's receipt, successful, in the same block, with the same
    /// `Returned` log of this bridge at the same index.
    pub async fn confirm_log(&self, log: &ReturnedLog) -> anyhow::Result<()> {
        for (url, witness) in &self.witnesses {
            let receipt = witness
                .get_transaction_receipt(log.tx)
                .await
                .with_context(|| format!("witness {url}: eth_getTransactionReceipt"))?
                .ok_or_else(|| anyhow!("witness {url} does not know transaction {}", log.tx))?;
            anyhow::ensure!(receipt.status(), "witness {url}: transaction {} failed there", log.tx);
            anyhow::ensure!(
                receipt.block_hash == Some(log.block_hash),
                "witness {url}: transaction {} is in block {:?}, not {}",
                log.tx,
                receipt.block_hash,
                log.block_hash
            );
            let same = receipt.inner.logs().iter().any(|l| {
                l.log_index == Some(log.log_index)
                    && l.address() == *self.bridge.address()
                    && EcoBridge::Returned::decode_log(&l.inner).is_ok_and(|e| e.data == log.event)
            });
            anyhow::ensure!(same, "witness {url}: transaction {} has no such Returned log", log.tx);
        }
        Ok(())
    }

    /// Whether chain message `nonce` needs nothing more at `block`: minted
    /// already, or (a SET message announcing `announces`) the light client
    /// has that set or a newer one. A block before the bridge existed (a final
    /// block just after deployment) counts as "not yet".
    pub async fn settled(&self, nonce: u64, announces: Option<u64>, block: BlockId) -> anyhow::Result<bool> {
        if let BlockId::Number(alloy::eips::BlockNumberOrTag::Number(n)) = block {
            if n < self.deployed_at {
                return Ok(false);
            }
        }
        match announces {
            Some(set_id) => Ok(self.light_client_set(block).await? >= set_id),
            None => self.bridge.processed(nonce).block(block).call().await.context("EcoBridge.processed"),
        }
    }

    /// Mint the chain message `message`, proven by `proof` under the light
    /// client's accepted `root`; waits for the receipt.
    pub async fn mint(&self, message: Bytes, root: B256, proof: [B256; 32]) -> anyhow::Result<B256> {
        let call = self.bridge.mint(message, root, proof);
        let pending = call.send().await.map_err(|e| anyhow!("mint: {}", describe(&e)))?;
        self.confirm(pending, "mint").await
    }

    /// Submit a certified commitment to the light client; waits for the receipt.
    pub async fn submit_commitment(
        &self,
        block_number: u64,
        root: B256,
        set_id: u64,
        signatures: Vec<Bytes>,
    ) -> anyhow::Result<B256> {
        let call = self.light_client.submitCommitment(block_number, root, set_id, signatures);
        let pending = call.send().await.map_err(|e| anyhow!("submitCommitment: {}", describe(&e)))?;
        self.confirm(pending, "submitCommitment").await
    }

    /// Install the key set announced by SET message `message` in the light
    /// client; waits for the receipt.
    pub async fn apply_set_change(&self, message: Bytes, root: B256, proof: [B256; 32]) -> anyhow::Result<B256> {
        let call = self.light_client.applySetChange(message, root, proof);
        let pending = call.send().await.map_err(|e| anyhow!("applySetChange: {}", describe(&e)))?;
        self.confirm(pending, "applySetChange").await
    }

    /// The light client's current set id at `block`.
    pub async fn light_client_set(&self, block: BlockId) -> anyhow::Result<u64> {
        self.light_client.currentSetId().block(block).call().await.context("EcoLightClient.currentSetId")
    }

    async fn confirm(
        &self,
        pending: alloy::providers::PendingTransactionBuilder<alloy::network::Ethereum>,
        what: &str,
    ) -> anyhow::Result<B256> {
        let receipt = tokio::time::timeout(self.receipt_timeout, pending.get_receipt())
            .await
            .map_err(|_| anyhow!("{what}: no receipt within {:?}", self.receipt_timeout))?
            .with_context(|| format!("{what} receipt"))?;
        anyhow::ensure!(receipt.status(), "{what} reverted in {:?}", receipt.transaction_hash);
        Ok(receipt.transaction_hash)
    }

    /// Wrapped ECT supply (latest block).
    pub async fn wrapped_ect_supply(&self) -> anyhow::Result<U256> {
        self.ect.totalSupply().call().await.context("WrappedECT.totalSupply")
    }

    /// Wrapped ECR supply (latest block).
    pub async fn wrapped_ecr_supply(&self) -> anyhow::Result<U256> {
        self.ecr.totalSupply().call().await.context("WrappedECR.totalSupply")
    }

    /// The owner of wrapped ECR `token`, if it exists (latest block).
    pub async fn wrapped_ecr_owner(&self, token: u64) -> anyhow::Result<Option<Address>> {
        match self.ecr.ownerOf(U256::from(token)).call().await {
            Ok(owner) => Ok(Some(owner)),
            Err(e) if e.as_decoded_interface_error::<WrappedECR::WrappedECRErrors>().is_some() => Ok(None),
            Err(e) => Err(anyhow!("WrappedECR.ownerOf({token}): {e}")),
        }
    }
}

/// A contract error with its decoded revert reason when the bridge defines it.
pub fn describe(e: &alloy::contract::Error) -> String {
    if let Some(decoded) = e.as_decoded_interface_error::<EcoBridge::EcoBridgeErrors>() {
        return format!("reverted: {decoded:?}");
    }
    match e.as_decoded_interface_error::<EcoLightClient::EcoLightClientErrors>() {
        Some(decoded) => format!("reverted: {decoded:?}"),
        None => e.to_string(),
    }
}
