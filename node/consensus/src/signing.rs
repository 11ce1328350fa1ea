//! Signing and verifying consensus messages with ed25519.
//!
//! Sign bytes are `domain tag ++ genesis hash ++ borsh(message fields)`: a
//! signature is valid for one kind of message on one chain only. A vote is
//! signed without its extension.

use crate::context::{Address, EcoContext, PrivateKey, Proposal, PublicKey, Signature, Vote};
use async_trait::async_trait;
use borsh::BorshSerialize;
use malachitebft_core_types::{SignedMessage, ValidatorProof, VoteExtensionScope};
use malachitebft_signing::{Error, Signer, VerificationResult, Verifier};
use sp_core::{ed25519, Pair};

fn sign_bytes(tag: &[u8], genesis: &[u8; 32], fields: impl BorshSerialize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(128);
    bytes.extend_from_slice(tag);
    bytes.extend_from_slice(genesis);
    // Writing into a Vec cannot fail.
    let _ = fields.serialize(&mut bytes);
    bytes
}

/// Bytes a vote's signature covers.
pub fn vote_bytes(genesis: &[u8; 32], vote: &Vote) -> Vec<u8> {
    sign_bytes(b"ECO-VOTE", genesis, (&vote.typ, &vote.height, &vote.round, &vote.value, &vote.validator))
}

/// Bytes a proposal's signature covers.
pub fn proposal_bytes(genesis: &[u8; 32], proposal: &Proposal) -> Vec<u8> {
    sign_bytes(
        b"ECO-PROP",
        genesis,
        (&proposal.height, &proposal.round, &proposal.value, &proposal.pol_round, &proposal.proposer),
    )
}

/// Bytes the proposer signs at the end of a proposal stream.
pub fn part_bytes(genesis: &[u8; 32], fields: impl BorshSerialize) -> Vec<u8> {
    sign_bytes(b"ECO-PART", genesis, fields)
}

fn scope_bytes(genesis: &[u8; 32], scope: &VoteExtensionScope<EcoContext>) -> Vec<u8> {
    sign_bytes(b"ECO-VEXT", genesis, (&scope.height, &scope.round, &scope.value_id, &scope.validator_address))
}

/// ed25519 verification of `message` under `key`.
pub fn verify(key: &PublicKey, message: &[u8], signature: &Signature) -> bool {
    let public = ed25519::Public::from_raw(key.0);
    let signature = ed25519::Signature::from_raw(signature.0);
    ed25519::Pair::verify(&signature, message, &public)
}

/// Signs with this node's consensus key.
pub struct EcoSigner {
    key: PrivateKey,
    genesis: [u8; 32],
}

impl EcoSigner {
    /// A signer for the chain with `genesis`.
    pub fn new(key: ed25519::Pair, genesis: [u8; 32]) -> Self {
        Self { key: PrivateKey(key), genesis }
    }

    /// This validator's address.
    pub fn address(&self) -> Address {
        Address(self.key.0.public().0)
    }

    /// Sign raw bytes.
    pub fn sign_raw(&self, bytes: &[u8]) -> Signature {
        Signature(self.key.0.sign(bytes).0)
    }
}

#[async_trait]
impl Signer<EcoContext> for EcoSigner {
    async fn sign_vote(&self, vote: Vote) -> Result<SignedMessage<EcoContext, Vote>, Error> {
        let signature = self.sign_raw(&vote_bytes(&self.genesis, &vote));
        Ok(SignedMessage::new(vote, signature))
    }

    async fn sign_proposal(&self, proposal: Proposal) -> Result<SignedMessage<EcoContext, Proposal>, Error> {
        let signature = self.sign_raw(&proposal_bytes(&self.genesis, &proposal));
        Ok(SignedMessage::new(proposal, signature))
    }

    async fn sign_vote_extension(
        &self,
        scope: VoteExtensionScope<EcoContext>,
        extension: (),
    ) -> Result<SignedMessage<EcoContext, ()>, Error> {
        Ok(SignedMessage::new(extension, self.sign_raw(&scope_bytes(&self.genesis, &scope))))
    }

    async fn sign_validator_proof(
        &self,
        public_key: Vec<u8>,
        peer_id: Vec<u8>,
    ) -> Result<ValidatorProof<EcoContext>, Error> {
        let signature = self.sign_raw(&ValidatorProof::<EcoContext>::signing_bytes(&public_key, &peer_id));
        Ok(ValidatorProof { public_key, peer_id, signature })
    }
}

/// Verifies with the validators' public keys.
#[derive(Clone)]
pub struct EcoVerifier {
    genesis: [u8; 32],
}

impl EcoVerifier {
    /// A verifier for the chain with `genesis`.
    pub fn new(genesis: [u8; 32]) -> Self {
        Self { genesis }
    }
}

#[async_trait]
impl Verifier<EcoContext> for EcoVerifier {
    async fn verify_signed_vote(
        &self,
        vote: &Vote,
        signature: &Signature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, Error> {
        Ok(VerificationResult::from_bool(verify(public_key, &vote_bytes(&self.genesis, vote), signature)))
    }

    async fn verify_signed_proposal(
        &self,
        proposal: &Proposal,
        signature: &Signature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, Error> {
        Ok(VerificationResult::from_bool(verify(public_key, &proposal_bytes(&self.genesis, proposal), signature)))
    }

    async fn verify_signed_vote_extension(
        &self,
        scope: &VoteExtensionScope<EcoContext>,
        _extension: &(),
        signature: &Signature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, Error> {
        Ok(VerificationResult::from_bool(verify(public_key, &scope_bytes(&self.genesis, scope), signature)))
    }

    async fn verify_validator_proof(&self, proof: &ValidatorProof<EcoContext>) -> Result<VerificationResult, Error> {
        let Ok(key) = <[u8; 32]>::try_from(proof.public_key.as_slice()) else {
            return Ok(VerificationResult::Invalid);
        };
        let bytes = ValidatorProof::<EcoContext>::signing_bytes(&proof.public_key, &proof.peer_id);
        Ok(VerificationResult::from_bool(verify(&PublicKey(key), &bytes, &proof.signature)))
    }
}
