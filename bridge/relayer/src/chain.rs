//! The EcoChain side, over the node's JSON-RPC only: runtime API calls
//! (`state_call`), storage reads and extrinsic submission. What decides an
//! approval is read with read proofs under a header this relayer verified
//! ([`crate::finality`]); what the EVM contracts verify themselves
//! (commitments, message proofs) is read plainly.

use crate::finality::Verified;
use anyhow::{anyhow, Context};
use codec::{Decode, Encode};
use ecochain_primitives::Role;
use ecochain_runtime::{apis_types::BridgeStatus, signing::sign_immortal, AccountId, Header, Runtime, RuntimeCall};
use jsonrpsee::{
    core::{client::ClientT, params::ArrayParams},
    http_client::{HttpClient, HttpClientBuilder},
};
use pallet_bridge::{Outbound, ReleaseOf, SourceKey};
use serde::de::DeserializeOwned;
use sp_core::{crypto::Ss58Codec, sr25519, Pair, H256};
use sp_runtime::{traits::BlakeTwo256, Justifications};
use std::time::Duration;

/// A decided release as stored by the bridge pallet.
pub type Release = ReleaseOf<Runtime>;

/// A certified commitment with its signatures.
pub type SignedCommitment = pallet_bridge::SignedCommitmentOf<Runtime>;

/// A JSON-RPC connection to one node.
pub struct ChainClient {
    rpc: HttpClient,
    /// Genesis hash (transactions are bound to it).
    pub genesis: H256,
    /// Whether the node reports a `Development` or `Local` chain (dev keys accepted).
    pub dev_chain: bool,
}

fn hex_bytes(text: &str) -> anyhow::Result<Vec<u8>> {
    hex::decode(text.trim_start_matches("0x")).map_err(|e| anyhow!("node returned invalid hex: {e}"))
}

fn at_param(params: &mut ArrayParams, at: H256) -> anyhow::Result<()> {
    Ok(params.insert(format!("{at:?}"))?)
}

impl ChainClient {
    /// Connect to `url` and read the genesis hash and chain type.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let rpc = HttpClientBuilder::default()
            .request_timeout(Duration::from_secs(30))
            .build(url)
            .with_context(|| format!("invalid chain RPC url {url}"))?;
        let mut params = ArrayParams::new();
        params.insert(0u32)?;
        let genesis: Option<H256> =
            rpc.request("chain_getBlockHash", params).await.with_context(|| format!("chain node {url}"))?;
        let genesis = genesis.ok_or_else(|| anyhow!("chain node {url} has no genesis block"))?;
        let chain_type: serde_json::Value = rpc.request("system_chainType", ArrayParams::new()).await?;
        // Like the node: dev keys are for `Development` and `Local` chains only.
        Ok(Self { rpc, genesis, dev_chain: chain_type == "Development" || chain_type == "Local" })
    }

    async fn request<T: DeserializeOwned>(&self, method: &str, params: ArrayParams) -> anyhow::Result<T> {
        self.rpc.request(method, params).await.with_context(|| format!("chain RPC {method}"))
    }

    /// The latest finalized block (BFT: final as soon as it is imported).
    pub async fn finalized_head(&self) -> anyhow::Result<H256> {
        self.request("chain_getFinalizedHead", ArrayParams::new()).await
    }

    /// The number of block `at`.
    pub async fn block_number(&self, at: H256) -> anyhow::Result<u64> {
        let mut params = ArrayParams::new();
        at_param(&mut params, at)?;
        let header: serde_json::Value = self.request("chain_getHeader", params).await?;
        let number = header["number"].as_str().ok_or_else(|| anyhow!("header without number"))?;
        Ok(u64::from_str_radix(number.trim_start_matches("0x"), 16)?)
    }

    /// The hash of block `number` (as the node claims it).
    pub async fn block_hash(&self, number: u64) -> anyhow::Result<Option<H256>> {
        let mut params = ArrayParams::new();
        params.insert(number)?;
        self.request("chain_getBlockHash", params).await
    }

    /// Header `hash`, checked to hash to `hash`.
    pub async fn header(&self, hash: H256) -> anyhow::Result<Header> {
        let mut params = ArrayParams::new();
        at_param(&mut params, hash)?;
        let header: Option<Header> = self.request("chain_getHeader", params).await?;
        let header = header.ok_or_else(|| anyhow!("the node does not know block {hash:?}"))?;
        anyhow::ensure!(header.hash() == hash, "the node served another header for block {hash:?}");
        Ok(header)
    }

    /// Header `hash` (checked) with its justifications.
    pub async fn header_and_justifications(&self, hash: H256) -> anyhow::Result<(Header, Option<Justifications>)> {
        #[derive(serde::Deserialize)]
        struct Block {
            header: Header,
        }
        #[derive(serde::Deserialize)]
        struct Signed {
            block: Block,
            justifications: Option<Justifications>,
        }
        let mut params = ArrayParams::new();
        at_param(&mut params, hash)?;
        let signed: Option<Signed> = self.request("chain_getBlock", params).await?;
        let signed = signed.ok_or_else(|| anyhow!("the node does not know block {hash:?}"))?;
        anyhow::ensure!(signed.block.header.hash() == hash, "the node served another block for {hash:?}");
        Ok((signed.block.header, signed.justifications))
    }

    /// The values at `keys` in the state under `state_root` (of block `at`),
    /// from a read proof the node serves and this relayer checks against that
    /// root: a node cannot make up or hide a value.
    pub async fn proven_storage(
        &self,
        keys: &[Vec<u8>],
        at: H256,
        state_root: H256,
    ) -> anyhow::Result<Vec<Option<Vec<u8>>>> {
        #[derive(serde::Deserialize)]
        struct ReadProof {
            proof: Vec<String>,
        }
        let mut params = ArrayParams::new();
        params.insert(keys.iter().map(|k| format!("0x{}", hex::encode(k))).collect::<Vec<_>>())?;
        at_param(&mut params, at)?;
        let answer: ReadProof = self.request("state_getReadProof", params).await?;
        let nodes = answer.proof.iter().map(|n| hex_bytes(n)).collect::<anyhow::Result<Vec<_>>>()?;
        let mut values = sp_state_machine::read_proof_check::<BlakeTwo256, _>(
            state_root,
            sp_state_machine::StorageProof::new(nodes),
            keys,
        )
        .map_err(|e| anyhow!("the node's read proof at {at:?} does not check against its state root: {e}"))?;
        Ok(keys.iter().map(|k| values.remove(k).flatten()).collect())
    }

    /// Call runtime API `method` at block `at` and decode the answer.
    pub async fn call<T: Decode>(&self, method: &str, args: &[u8], at: H256) -> anyhow::Result<T> {
        let mut params = ArrayParams::new();
        params.insert(method)?;
        params.insert(format!("0x{}", hex::encode(args)))?;
        at_param(&mut params, at)?;
        let answer: String = self.request("state_call", params).await?;
        T::decode(&mut &hex_bytes(&answer)?[..]).map_err(|e| anyhow!("cannot decode {method}: {e}"))
    }

    async fn storage(&self, key: &[u8], at: H256) -> anyhow::Result<Option<Vec<u8>>> {
        let mut params = ArrayParams::new();
        params.insert(format!("0x{}", hex::encode(key)))?;
        at_param(&mut params, at)?;
        let value: Option<String> = self.request("state_getStorage", params).await?;
        value.map(|v| hex_bytes(&v)).transpose()
    }

    /// The SCALE-decoded value at storage `key` at `at`.
    pub async fn storage_value<T: Decode>(&self, key: &[u8], at: H256) -> anyhow::Result<Option<T>> {
        self.storage(key, at)
            .await?
            .map(|bytes| T::decode(&mut &bytes[..]).map_err(|e| anyhow!("cannot decode storage value: {e}")))
            .transpose()
    }

    /// The bridge's state at `at`.
    pub async fn bridge_status(&self, at: H256) -> anyhow::Result<BridgeStatus> {
        self.call("BridgeApi_bridge_status", &[], at).await
    }

    /// Outbound transfer `nonce` at `at`.
    pub async fn bridge_transfer(&self, nonce: u64, at: H256) -> anyhow::Result<Option<Outbound<AccountId>>> {
        self.call("BridgeApi_bridge_transfer", &nonce.encode(), at).await
    }

    /// The newest certified bridge commitment at `at`.
    pub async fn commitment(&self, at: H256) -> anyhow::Result<Option<SignedCommitment>> {
        self.call("BridgeApi_bridge_commitment", &[], at).await
    }

    /// The newest commitment certified by key set `set_id` at `at`.
    pub async fn set_commitment(&self, set_id: u64, at: H256) -> anyhow::Result<Option<SignedCommitment>> {
        self.call("BridgeApi_bridge_set_commitment", &set_id.encode(), at).await
    }

    /// Message `nonce` and its 32 Merkle siblings in the tree of the first
    /// `size` messages, at `at`.
    pub async fn message_proof(&self, nonce: u64, size: u64, at: H256) -> anyhow::Result<Option<(Vec<u8>, Vec<H256>)>> {
        self.call("BridgeApi_bridge_message_proof_in", &(nonce, size).encode(), at).await
    }

    /// The bridge keys of set `set_id` at `at`.
    pub async fn key_set(&self, set_id: u64, at: H256) -> anyhow::Result<Option<Vec<sp_core::H160>>> {
        self.call("BridgeApi_bridge_key_set", &set_id.encode(), at).await
    }

    /// An ECR certificate at `at`.
    pub async fn certificate(
        &self,
        token: u64,
        at: H256,
    ) -> anyhow::Result<Option<pallet_ecr::CertificateRecord<AccountId>>> {
        self.call("EcoChainApi_ecr_verify", &token.encode(), at).await
    }

    /// The release decided for burn `source`, and whether `who` approved it
    /// while undecided, in the state of the verified block `at` (read proofs).
    pub async fn release_and_vote(
        &self,
        source: SourceKey,
        who: &AccountId,
        at: &Verified,
    ) -> anyhow::Result<(Option<Release>, bool)> {
        let keys = [
            pallet_bridge::Releases::<Runtime>::hashed_key_for(source),
            pallet_bridge::Voted::<Runtime>::hashed_key_for(source, who),
        ];
        let mut values = self.proven_storage(&keys, at.hash, at.state_root).await?.into_iter();
        let release = values
            .next()
            .flatten()
            .map(|bytes| Release::decode(&mut &bytes[..]).map_err(|e| anyhow!("release: {e}")))
            .transpose()?;
        Ok((release, values.next().flatten().is_some()))
    }

    /// Whether `who` holds `Role::Relayer` at `at`.
    pub async fn is_relayer(&self, who: &AccountId, at: H256) -> anyhow::Result<bool> {
        let key = pallet_permissions::Roles::<Runtime>::hashed_key_for(who, Role::Relayer);
        Ok(self.storage(&key, at).await?.is_some())
    }

    /// Token ids of every certificate locked by the bridge at `at`.
    pub async fn locked_ecr(&self, at: H256) -> anyhow::Result<Vec<u64>> {
        let prefix = pallet_bridge::LockedEcr::<Runtime>::hashed_key_for(0u64)[..32].to_vec();
        let mut tokens = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let mut params = ArrayParams::new();
            params.insert(format!("0x{}", hex::encode(&prefix)))?;
            params.insert(1_000u32)?;
            params.insert(start.clone())?;
            at_param(&mut params, at)?;
            let keys: Vec<String> = self.request("state_getKeysPaged", params).await?;
            for key in &keys {
                // prefix (32) ++ twox64 (8) ++ token id (u64 LE)
                let bytes = hex_bytes(key)?;
                let id = bytes.get(40..48).ok_or_else(|| anyhow!("short LockedEcr key {key}"))?;
                tokens.push(u64::decode(&mut &id[..])?);
            }
            if keys.len() < 1_000 {
                return Ok(tokens);
            }
            start = keys.last().cloned();
        }
    }

    /// The next nonce of `who`, counting its transactions in the node's pool.
    pub async fn next_index(&self, who: &AccountId) -> anyhow::Result<u32> {
        let mut params = ArrayParams::new();
        params.insert(who.to_ss58check())?;
        self.request("system_accountNextIndex", params).await
    }

    /// Sign `call` with `signer` and submit it; returns the transaction hash.
    pub async fn submit(&self, call: RuntimeCall, signer: &sr25519::Pair, nonce: u32) -> anyhow::Result<H256> {
        let xt = sign_immortal(call, signer, nonce, self.genesis);
        let mut params = ArrayParams::new();
        params.insert(format!("0x{}", hex::encode(xt.encode())))?;
        self.request("author_submitExtrinsic", params).await
    }

    /// Sign and submit `call` with the signer's next nonce.
    pub async fn submit_next(&self, call: RuntimeCall, signer: &sr25519::Pair) -> anyhow::Result<H256> {
        let nonce = self.next_index(&signer.public().into()).await?;
        self.submit(call, signer, nonce).await
    }
}
