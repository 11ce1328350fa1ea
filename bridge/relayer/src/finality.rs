//! The relayer's light client of EcoChain: it trusts no RPC endpoint for what
//! decides an approval. It starts from the pinned genesis (the header must
//! hash to it; the validator set is read from its state with a read proof)
//! and accepts a later block only with a commit certificate in which members
//! of the validator set it trusts, holding more than 2/3 of its voting power,
//! precommitted exactly that block on this chain. The validator set of each
//! accepted block is then read from its state root, again with a read proof,
//! and becomes the trusted set.
//!
//! When the set changed too much between the trusted block and the head for
//! the trusted set to have signed the head, the client bisects: it verifies a
//! block half way and retries, down to the block right after the trusted one,
//! which the trusted set itself certified. A set change costs O(log n)
//! verifications; an unchanged set, one per head.
//!
//! Like every BFT light client (Tendermint's skipping verification), this
//! assumes a set it trusts keeps more than 2/3 honest until the client has
//! moved past it; the client moves at every round with inbound work.
//!
//! A dev chain seals blocks alone and has no certificates: with
//! `chain.trust_node_finality` (refused unless the node reports a
//! `Development` or `Local` chain) its headers are taken as the node serves
//! them, still with read proofs under them.

use crate::chain::ChainClient;
use anyhow::{anyhow, bail, Context};
use codec::{Decode, Encode};
use ecochain_consensus::{check_certificate, context::ValidatorSet, CertificateError};
use ecochain_primitives::CONSENSUS_ENGINE_ID;
use ecochain_runtime::{AccountId, Runtime};
use sp_core::H256;
use tracing::info;

/// A block this relayer verified final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Verified {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: H256,
    /// Its state root: read proofs are checked against it.
    pub state_root: H256,
}

/// The newest verified block and the validator set in its state (the set
/// that certifies its child). The relayer stores it, so a restart resumes
/// from a recent set instead of the genesis one.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Trusted {
    /// The block.
    pub block: Verified,
    /// Consensus keys of the validators in its state.
    pub set: Vec<[u8; 32]>,
}

/// Why a block was not accepted.
#[derive(Debug, thiserror::Error)]
enum Rejected {
    /// The trusted set did not certify it (it may have changed since).
    #[error("{0}")]
    NotCertified(CertificateError),
    /// Anything else: a node that lies or fails.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Follows the chain's finality from the genesis hash.
pub struct FinalityClient {
    genesis: H256,
    trust_node: bool,
    trusted: Option<Trusted>,
}

impl FinalityClient {
    /// A client for the chain of `genesis`; `trust_node` takes headers
    /// without certificates (dev chains). It starts from genesis.
    pub fn new(genesis: H256, trust_node: bool) -> Self {
        Self::resume(genesis, trust_node, None)
    }

    /// [`FinalityClient::new`] resuming from a stored checkpoint.
    pub fn resume(genesis: H256, trust_node: bool, checkpoint: Option<Trusted>) -> Self {
        Self { genesis, trust_node, trusted: checkpoint }
    }

    /// The newest block verified so far.
    pub fn verified(&self) -> Option<Verified> {
        self.trusted.as_ref().map(|t| t.block)
    }

    /// The newest block verified so far with its validator set.
    pub fn trusted(&self) -> Option<&Trusted> {
        self.trusted.as_ref()
    }

    /// Verify block `head` (normally the node's finalized head) and return it.
    pub async fn verify(&mut self, chain: &ChainClient, head: H256) -> anyhow::Result<Verified> {
        let mut trusted = match self.trusted.take() {
            Some(t) => t,
            None => self.bootstrap(chain).await?,
        };
        let result = self.advance(chain, &mut trusted, head).await;
        self.trusted = Some(trusted);
        result
    }

    async fn bootstrap(&self, chain: &ChainClient) -> anyhow::Result<Trusted> {
        let header = chain.header(self.genesis).await.context("the genesis header")?;
        anyhow::ensure!(header.number == 0, "the pinned genesis {:?} is block #{}", self.genesis, header.number);
        let block = Verified { number: 0, hash: self.genesis, state_root: header.state_root };
        let set = validator_set(chain, &block).await?;
        info!(validators = set.len(), "finality client starts from the pinned genesis");
        Ok(Trusted { block, set })
    }

    async fn advance(&self, chain: &ChainClient, trusted: &mut Trusted, head: H256) -> anyhow::Result<Verified> {
        if head == trusted.block.hash {
            return Ok(trusted.block);
        }
        let target = chain.header(head).await.context("the head to verify")?;
        let target_number = u64::from(target.number);
        anyhow::ensure!(
            target_number > trusted.block.number,
            "the node's head #{target_number} is not after the verified block #{}",
            trusted.block.number
        );
        // Aim at the head; on a set the trusted one did not certify, at the
        // middle of what is left; on success, at the head again.
        let mut goal = target_number;
        while trusted.block.number < target_number {
            let hash = if goal == target_number {
                head
            } else {
                chain.block_hash(goal).await?.ok_or_else(|| anyhow!("the node has no block #{goal}"))?
            };
            match self.accept(chain, trusted, hash, goal).await {
                Ok(next) => {
                    *trusted = next;
                    goal = target_number;
                }
                Err(Rejected::NotCertified(e)) if goal > trusted.block.number + 1 => {
                    tracing::debug!(goal, error = %e, "the trusted set did not certify this block; bisecting");
                    goal = trusted.block.number + (goal - trusted.block.number) / 2;
                }
                Err(Rejected::NotCertified(e)) => {
                    bail!("block #{goal} is not certified by the validators of its parent: {e}")
                }
                Err(Rejected::Other(e)) => return Err(e),
            }
        }
        anyhow::ensure!(trusted.block.hash == head, "the node's head is not on the verified chain");
        Ok(trusted.block)
    }

    /// Accept block `hash` number `number` if the trusted set certified it.
    async fn accept(
        &self,
        chain: &ChainClient,
        trusted: &Trusted,
        hash: H256,
        number: u64,
    ) -> Result<Trusted, Rejected> {
        let (header, justifications) = chain.header_and_justifications(hash).await?;
        if u64::from(header.number) != number {
            return Err(anyhow!("the node's block #{number} says it is #{}", header.number).into());
        }
        let certificate = justifications.as_ref().and_then(|j| j.get(CONSENSUS_ENGINE_ID));
        match certificate {
            Some(bytes) => {
                let mut cert = ecochain_consensus::codec::decode_certificate(bytes)
                    .map_err(|e| anyhow!("block #{number}: undecodable commit certificate: {e:?}"))?;
                // Signatures of validators the trusted set does not know do not count.
                cert.commit_signatures.retain(|s| trusted.set.contains(&s.address.0));
                let set = ValidatorSet::new(trusted.set.iter().copied());
                check_certificate(&self.genesis.0, &cert, hash, number, &set).map_err(Rejected::NotCertified)?;
            }
            None if self.trust_node => {}
            None => return Err(anyhow!("block #{number} carries no commit certificate").into()),
        }
        let block = Verified { number, hash, state_root: header.state_root };
        let set = validator_set(chain, &block).await?;
        if set != trusted.set {
            info!(number, validators = set.len(), "finality client follows a validator-set change");
        }
        Ok(Trusted { block, set })
    }
}

/// The consensus keys of the validators in the state of `at`, read with a proof.
async fn validator_set(chain: &ChainClient, at: &Verified) -> anyhow::Result<Vec<[u8; 32]>> {
    let key = pallet_permissions::Validators::<Runtime>::hashed_key().to_vec();
    let value = chain.proven_storage(&[key], at.hash, at.state_root).await?.pop().flatten();
    let bytes = value.ok_or_else(|| anyhow!("no validator set in the state of block #{}", at.number))?;
    let set = Vec::<pallet_permissions::ValidatorInfo<AccountId>>::decode(&mut &bytes[..])
        .map_err(|e| anyhow!("block #{}: undecodable validator set: {e}", at.number))?;
    anyhow::ensure!(!set.is_empty(), "block #{}: empty validator set", at.number);
    Ok(set.into_iter().map(|v| v.consensus_key).collect())
}
