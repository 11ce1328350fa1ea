//! The Malachite context: heights, validators, values, proposals and votes of
//! EcoChain, and the ed25519 signing scheme.
//!
//! - A consensus height is a block number; genesis (#0) is outside consensus.
//! - A validator's address is its ed25519 consensus key; every validator has
//!   voting power 1; the set comes from `PermissionsApi_validators` at the
//!   parent block, in on-chain order.
//! - The value decided is a block *hash*; the block itself travels as
//!   proposal parts. A reassembled block whose hash equals the value id is the
//!   proposed block, whoever relayed it.
//! - Every signed message is bound to the chain's genesis hash.

use borsh::{BorshDeserialize, BorshSerialize};
use malachitebft_core_types::{self as core, LinearTimeouts, NilOrVal, Round, SignedExtension, VoteType};
use std::{fmt, sync::Arc};

/// A block number taking part in consensus.
#[derive(Copy, Clone, Default, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct Height(pub u64);

impl fmt::Display for Height {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl core::Height for Height {
    const ZERO: Self = Height(0);
    const INITIAL: Self = Height(1);

    fn increment_by(&self, n: u64) -> Self {
        Height(self.0.saturating_add(n))
    }

    fn decrement_by(&self, n: u64) -> Option<Self> {
        self.0.checked_sub(n).map(Height)
    }

    fn as_u64(&self) -> u64 {
        self.0
    }
}

/// A validator's address: its ed25519 consensus public key.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct Address(pub [u8; 32]);

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}…", hex::encode(&self.0[..4]))
    }
}

impl core::Address for Address {}

/// The id of a value: the block hash.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct BlockHash(pub [u8; 32]);

impl BlockHash {
    /// As an `H256`.
    pub fn h256(&self) -> sp_core::H256 {
        sp_core::H256(self.0)
    }
}

impl From<sp_core::H256> for BlockHash {
    fn from(h: sp_core::H256) -> Self {
        BlockHash(h.0)
    }
}

impl fmt::Display for BlockHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

impl fmt::Debug for BlockHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}…", hex::encode(&self.0[..4]))
    }
}

/// The value consensus decides on: a block, named by its hash.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
pub struct BlockValue(pub BlockHash);

impl core::Value for BlockValue {
    type Id = BlockHash;

    fn id(&self) -> BlockHash {
        self.0
    }
}

/// ed25519 public key.
#[derive(Copy, Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct PublicKey(pub [u8; 32]);

/// ed25519 signature.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
pub struct Signature(pub [u8; 64]);

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sig(0x{}…)", hex::encode(&self.0[..4]))
    }
}

/// ed25519 secret key (sp-core's implementation).
#[derive(Clone)]
pub struct PrivateKey(pub sp_core::ed25519::Pair);

/// Errors decoding keys and signatures.
#[derive(Debug, thiserror::Error)]
#[error("expected {expected} bytes, got {got}")]
pub struct DecodingError {
    expected: usize,
    got: usize,
}

/// The signing scheme: ed25519.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ed25519;

impl core::SigningScheme for Ed25519 {
    type DecodingError = DecodingError;
    type Signature = Signature;
    type PublicKey = PublicKey;
    type PrivateKey = PrivateKey;

    fn decode_signature(bytes: &[u8]) -> Result<Signature, DecodingError> {
        <[u8; 64]>::try_from(bytes).map(Signature).map_err(|_| DecodingError { expected: 64, got: bytes.len() })
    }

    fn encode_signature(signature: &Signature) -> Vec<u8> {
        signature.0.to_vec()
    }

    fn decode_public_key(bytes: &[u8]) -> Result<PublicKey, DecodingError> {
        <[u8; 32]>::try_from(bytes).map(PublicKey).map_err(|_| DecodingError { expected: 32, got: bytes.len() })
    }

    fn encode_public_key(key: &PublicKey) -> Vec<u8> {
        key.0.to_vec()
    }
}

/// A validator with voting power 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validator {
    /// Its address (= consensus key).
    pub address: Address,
    /// Its consensus key.
    pub public_key: PublicKey,
    /// Its voting power.
    pub voting_power: u64,
}

impl Validator {
    /// A validator from its ed25519 consensus key.
    pub fn new(key: [u8; 32]) -> Self {
        Self { address: Address(key), public_key: PublicKey(key), voting_power: 1 }
    }
}

impl core::Validator<EcoContext> for Validator {
    fn address(&self) -> &Address {
        &self.address
    }

    fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    fn voting_power(&self) -> u64 {
        self.voting_power
    }
}

/// The validators of one height, in on-chain order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorSet {
    validators: Arc<Vec<Validator>>,
}

impl ValidatorSet {
    /// A set from consensus keys (must not be empty).
    pub fn new(keys: impl IntoIterator<Item = [u8; 32]>) -> Self {
        Self { validators: Arc::new(keys.into_iter().map(Validator::new).collect()) }
    }

    /// A set of validators with their voting power (must not be empty).
    pub fn from_validators(validators: Vec<Validator>) -> Self {
        Self { validators: Arc::new(validators) }
    }

    /// The validators.
    pub fn validators(&self) -> &[Validator] {
        &self.validators
    }
}

impl core::ValidatorSet<EcoContext> for ValidatorSet {
    fn count(&self) -> usize {
        self.validators.len()
    }

    fn total_voting_power(&self) -> u64 {
        self.validators.iter().map(|v| v.voting_power).sum()
    }

    fn get_by_address(&self, address: &Address) -> Option<&Validator> {
        self.validators.iter().find(|v| &v.address == address)
    }

    fn get_by_index(&self, index: usize) -> Option<&Validator> {
        self.validators.get(index)
    }
}

/// A proposal: this proposer proposes this block at (height, round).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Proposal {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// The block.
    pub value: BlockValue,
    /// Round of the proof of lock, or nil.
    pub pol_round: Round,
    /// The proposer.
    pub proposer: Address,
}

impl core::Proposal<EcoContext> for Proposal {
    fn height(&self) -> Height {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &BlockValue {
        &self.value
    }

    fn take_value(self) -> BlockValue {
        self.value
    }

    fn pol_round(&self) -> Round {
        self.pol_round
    }

    fn validator_address(&self) -> &Address {
        &self.proposer
    }
}

/// A prevote or precommit.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Vote {
    /// Prevote or precommit.
    pub typ: VoteType,
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// The block voted for, or nil.
    pub value: NilOrVal<BlockHash>,
    /// The voter.
    pub validator: Address,
    /// Vote extension (unused: extensions are disabled).
    pub extension: Option<SignedExtension<EcoContext>>,
}

impl core::Vote<EcoContext> for Vote {
    fn height(&self) -> Height {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &NilOrVal<BlockHash> {
        &self.value
    }

    fn take_value(self) -> NilOrVal<BlockHash> {
        self.value
    }

    fn vote_type(&self) -> VoteType {
        self.typ
    }

    fn validator_address(&self) -> &Address {
        &self.validator
    }

    fn extension(&self) -> Option<&SignedExtension<EcoContext>> {
        self.extension.as_ref()
    }

    fn take_extension(&mut self) -> Option<SignedExtension<EcoContext>> {
        self.extension.take()
    }

    fn extend(self, extension: SignedExtension<EcoContext>) -> Self {
        Self { extension: Some(extension), ..self }
    }
}

/// A piece of a streamed block proposal.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ProposalPart {
    /// First part: what is being proposed.
    Init {
        /// Height.
        height: Height,
        /// Round.
        round: Round,
        /// Proof-of-lock round, or nil.
        pol_round: Round,
        /// The proposer.
        proposer: Address,
        /// Hash of the block.
        block_hash: BlockHash,
        /// Length of the encoded block.
        total_len: u32,
        /// The proposer's signature over the fields above
        /// ([`init_bytes`](crate::stream::init_bytes)): checked before any
        /// other part of the stream is buffered.
        signature: Signature,
    },
    /// A chunk of the SCALE-encoded block.
    Data(Vec<u8>),
    /// Last part: the same signature as the `Init`.
    Fin(Signature),
}

impl core::ProposalPart<EcoContext> for ProposalPart {
    fn is_first(&self) -> bool {
        matches!(self, ProposalPart::Init { .. })
    }

    fn is_last(&self) -> bool {
        matches!(self, ProposalPart::Fin(_))
    }
}

/// EcoChain's consensus context.
#[derive(Clone, Debug)]
pub struct EcoContext {
    /// Genesis hash: every signature is bound to it.
    pub genesis: [u8; 32],
}

impl core::Context for EcoContext {
    type Address = Address;
    type Height = Height;
    type ProposalPart = ProposalPart;
    type Proposal = Proposal;
    type Validator = Validator;
    type ValidatorSet = ValidatorSet;
    type Timeouts = LinearTimeouts;
    type Value = BlockValue;
    type Vote = Vote;
    type Extension = ();
    type SigningScheme = Ed25519;

    fn select_proposer<'a>(&self, set: &'a ValidatorSet, height: Height, round: Round) -> &'a Validator {
        select_proposer(set.validators(), height, round)
    }

    fn new_proposal(
        &self,
        height: Height,
        round: Round,
        value: BlockValue,
        pol_round: Round,
        proposer: Address,
    ) -> Proposal {
        Proposal { height, round, value, pol_round, proposer }
    }

    fn new_prevote(&self, height: Height, round: Round, value: NilOrVal<BlockHash>, validator: Address) -> Vote {
        Vote { typ: VoteType::Prevote, height, round, value, validator, extension: None }
    }

    fn new_precommit(&self, height: Height, round: Round, value: NilOrVal<BlockHash>, validator: Address) -> Vote {
        Vote { typ: VoteType::Precommit, height, round, value, validator, extension: None }
    }
}

/// Round-robin proposer: `(height - 1 + round) mod n`, the same on every node.
///
/// # Panics
/// On an empty set, which the permissions pallet never allows.
pub fn select_proposer(validators: &[Validator], height: Height, round: Round) -> &Validator {
    assert!(!validators.is_empty(), "the validator set is never empty");
    let round = u64::from(round.as_u32().unwrap_or(0));
    let index = (height.0.saturating_sub(1).wrapping_add(round) % validators.len() as u64) as usize;
    &validators[index]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposer_rotates_by_height_and_round() {
        let set = ValidatorSet::new([[1; 32], [2; 32], [3; 32]]);
        let pick = |h, r| select_proposer(set.validators(), Height(h), Round::new(r)).address.0[0];
        assert_eq!((pick(1, 0), pick(2, 0), pick(3, 0), pick(4, 0)), (1, 2, 3, 1));
        assert_eq!((pick(1, 1), pick(1, 2)), (2, 3));
    }
}
