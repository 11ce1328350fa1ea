//! Typed runtime API calls: the one place that names a runtime API method and
//! encodes its arguments and decodes its answer, so callers (RPC, consensus,
//! pool, networking, benchmarks) write `client.runtime_api(at).validators()`
//! and the compiler checks the types.

use crate::{Client, Result};
use codec::{Decode, Encode};
use ecochain_runtime::{
    apis_types::{BridgeMessageProof, BridgeSigning, BridgeStatus},
    AccountId, Nonce, Runtime,
};
use sp_core::H256;
use sp_runtime::transaction_validity::{TransactionSource, TransactionValidity};

/// A validator's consensus key and the node peer id (base58 text) its
/// account registered, as `PermissionsApi_validator_nodes` lists them.
pub type ValidatorNode = ([u8; 32], Option<Vec<u8>>);

/// A validator as `PermissionsApi_validators` lists it.
pub type ValidatorInfo = pallet_permissions::ValidatorInfo<AccountId>;

/// Runtime API calls at one block (see [`Client::runtime_api`]).
pub struct RuntimeApi<'a> {
    client: &'a Client,
    at: H256,
}

impl<'a> RuntimeApi<'a> {
    pub(crate) fn new(client: &'a Client, at: H256) -> Self {
        Self { client, at }
    }

    fn call<R: Decode>(&self, method: &str, input: &[u8]) -> Result<R> {
        self.client.call_decode(&self.at, method, input)
    }

    /// `Metadata_metadata`: the SCALE metadata, as an opaque byte vector.
    pub fn metadata(&self) -> Result<Vec<u8>> {
        self.call("Metadata_metadata", &[])
    }

    /// `AccountNonceApi_account_nonce`: the next nonce of `who` on chain.
    pub fn account_nonce(&self, who: &AccountId) -> Result<Nonce> {
        self.call("AccountNonceApi_account_nonce", &who.encode())
    }

    /// `TaggedTransactionQueue_validate_transaction` of an encoded extrinsic.
    pub fn validate_transaction(&self, source: TransactionSource, xt: &[u8]) -> Result<TransactionValidity> {
        let mut data = source.encode();
        data.extend_from_slice(xt);
        data.extend_from_slice(self.at.as_bytes());
        self.call("TaggedTransactionQueue_validate_transaction", &data)
    }

    /// `PermissionsApi_validators`: the validator set in this block's state.
    pub fn validators(&self) -> Result<Vec<ValidatorInfo>> {
        self.call("PermissionsApi_validators", &[])
    }

    /// `PermissionsApi_allowed_nodes`: the on-chain node allow-list (libp2p peer ids, as bytes).
    pub fn allowed_nodes(&self) -> Result<Vec<Vec<u8>>> {
        self.call("PermissionsApi_allowed_nodes", &[])
    }

    /// `PermissionsApi_validator_nodes`: every current and scheduled
    /// validator's consensus key, with the node peer id (base58 text) its
    /// account registered, if any.
    pub fn validator_nodes(&self) -> Result<Vec<ValidatorNode>> {
        self.call("PermissionsApi_validator_nodes", &[])
    }

    /// `BridgeApi_bridge_status`.
    pub fn bridge_status(&self) -> Result<BridgeStatus> {
        self.call("BridgeApi_bridge_status", &[])
    }

    /// `BridgeApi_bridge_transfer`: the outbound transfer with `nonce`, if any.
    pub fn bridge_transfer(&self, nonce: u64) -> Result<Option<pallet_bridge::Outbound<AccountId>>> {
        self.call("BridgeApi_bridge_transfer", &nonce.encode())
    }

    /// `BridgeApi_bridge_commitment`: the newest certified bridge commitment.
    pub fn bridge_commitment(&self) -> Result<Option<pallet_bridge::SignedCommitmentOf<Runtime>>> {
        self.call("BridgeApi_bridge_commitment", &[])
    }

    /// `BridgeApi_bridge_signing`: the bridge commitment validators are asked to sign.
    pub fn bridge_signing(&self) -> Result<Option<BridgeSigning>> {
        self.call("BridgeApi_bridge_signing", &[])
    }

    /// `BridgeApi_bridge_message_proof`: message `nonce` and its proof under the
    /// newest certified commitment.
    pub fn bridge_message_proof(&self, nonce: u64) -> Result<Option<BridgeMessageProof>> {
        self.call("BridgeApi_bridge_message_proof", &nonce.encode())
    }

    /// `EcoChainApi_<query>`: one of the token queries, with its SCALE-encoded
    /// arguments; the RPC layer maps its methods one to one onto them.
    pub fn token_query<R: Decode>(&self, query: &str, args: &[u8]) -> Result<R> {
        self.call(&format!("EcoChainApi_{query}"), args)
    }
}
