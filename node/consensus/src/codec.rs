//! The codec of everything Malachite sends over the network and writes to
//! its write-ahead log: borsh, behind a version byte.
//!
//! The WAL outlives processes, so the encoding is part of the storage format:
//! never change it without bumping [`VERSION`] and migrating. Types whose
//! borsh implementation the engine does not provide for our context
//! (`ValidatorProof`, sync `Response`) are encoded field by field here.

use crate::context::{Address, BlockHash, EcoContext, Height, ProposalPart, Signature};
use borsh::{BorshDeserialize, BorshSerialize};
use bytes::Bytes;
use malachitebft_core_consensus::{LivenessMsg, ProposedValue, SignedConsensusMsg};
use malachitebft_core_types::{
    ExtendedCommitCertificate, ExtendedCommitSignature, PolkaCertificate, Round, SignedExtension, ValidatorProof,
};
use malachitebft_engine::util::streaming::StreamMessage;
use malachitebft_sync::{RawDecidedValue, Request, Response, Status, ValueResponse};

/// Version byte in front of every encoded message.
pub const VERSION: u8 = 1;

/// Errors of the codec.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// Empty input.
    #[error("empty message")]
    Empty,
    /// Unknown version byte.
    #[error("unsupported codec version {0}")]
    Version(u8),
    /// Borsh failed.
    #[error("borsh: {0}")]
    Borsh(#[from] std::io::Error),
}

/// The codec (network, sync and WAL).
#[derive(Clone, Copy, Debug, Default)]
pub struct EcoCodec;

fn encode<T: BorshSerialize>(msg: &T) -> Result<Bytes, CodecError> {
    let mut out = vec![VERSION];
    msg.serialize(&mut out)?;
    Ok(Bytes::from(out))
}

fn decode<T: BorshDeserialize>(bytes: &[u8]) -> Result<T, CodecError> {
    match bytes.split_first() {
        None => Err(CodecError::Empty),
        Some((&VERSION, rest)) => Ok(borsh::from_slice(rest)?),
        Some((v, _)) => Err(CodecError::Version(*v)),
    }
}

macro_rules! borsh_codec {
    ($($t:ty),* $(,)?) => {$(
        impl malachitebft_app_channel::app::types::codec::Codec<$t> for EcoCodec {
            type Error = CodecError;

            fn decode(&self, bytes: Bytes) -> Result<$t, CodecError> {
                decode(&bytes)
            }

            fn encode(&self, msg: &$t) -> Result<Bytes, CodecError> {
                encode(msg)
            }
        }
    )*};
}

borsh_codec!(
    ProposalPart,
    SignedConsensusMsg<EcoContext>,
    LivenessMsg<EcoContext>,
    StreamMessage<ProposalPart>,
    ProposedValue<EcoContext>,
    PolkaCertificate<EcoContext>,
    Status<EcoContext>,
    Request<EcoContext>,
);

/// Wire form of a validator proof.
#[derive(BorshSerialize, BorshDeserialize)]
struct WireProof {
    public_key: Vec<u8>,
    peer_id: Vec<u8>,
    signature: Signature,
}

impl malachitebft_app_channel::app::types::codec::Codec<ValidatorProof<EcoContext>> for EcoCodec {
    type Error = CodecError;

    fn decode(&self, bytes: Bytes) -> Result<ValidatorProof<EcoContext>, CodecError> {
        let w: WireProof = decode(&bytes)?;
        Ok(ValidatorProof { public_key: w.public_key, peer_id: w.peer_id, signature: w.signature })
    }

    fn encode(&self, p: &ValidatorProof<EcoContext>) -> Result<Bytes, CodecError> {
        encode(&WireProof { public_key: p.public_key.clone(), peer_id: p.peer_id.clone(), signature: p.signature })
    }
}

/// Wire form of a commit certificate (with the extensions slot, always empty here).
#[derive(BorshSerialize, BorshDeserialize)]
pub struct WireCertificate {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// Decided block.
    pub value_id: BlockHash,
    /// Precommit signatures: signer, signature, extension.
    pub signatures: Vec<(Address, Signature, Option<SignedExtension<EcoContext>>)>,
}

impl From<&ExtendedCommitCertificate<EcoContext>> for WireCertificate {
    fn from(c: &ExtendedCommitCertificate<EcoContext>) -> Self {
        Self {
            height: c.height,
            round: c.round,
            value_id: c.value_id,
            signatures: c.commit_signatures.iter().map(|s| (s.address, s.signature, s.extension.clone())).collect(),
        }
    }
}

impl From<WireCertificate> for ExtendedCommitCertificate<EcoContext> {
    fn from(w: WireCertificate) -> Self {
        ExtendedCommitCertificate {
            height: w.height,
            round: w.round,
            value_id: w.value_id,
            commit_signatures: w
                .signatures
                .into_iter()
                .map(|(address, signature, extension)| ExtendedCommitSignature { address, signature, extension })
                .collect(),
        }
    }
}

/// Encode a certificate (stored as the block's justification).
pub fn encode_certificate(c: &ExtendedCommitCertificate<EcoContext>) -> Vec<u8> {
    encode(&WireCertificate::from(c)).map(|b| b.to_vec()).unwrap_or_default()
}

/// Decode a stored certificate.
pub fn decode_certificate(bytes: &[u8]) -> Result<ExtendedCommitCertificate<EcoContext>, CodecError> {
    decode::<WireCertificate>(bytes).map(Into::into)
}

#[derive(BorshSerialize, BorshDeserialize)]
struct WireResponse {
    start_height: Height,
    values: Vec<(Vec<u8>, WireCertificate)>,
}

impl malachitebft_app_channel::app::types::codec::Codec<Response<EcoContext>> for EcoCodec {
    type Error = CodecError;

    fn decode(&self, bytes: Bytes) -> Result<Response<EcoContext>, CodecError> {
        let w: WireResponse = decode(&bytes)?;
        Ok(Response::ValueResponse(ValueResponse {
            start_height: w.start_height,
            values: w
                .values
                .into_iter()
                .map(|(value, cert)| RawDecidedValue { value_bytes: Bytes::from(value), certificate: cert.into() })
                .collect(),
        }))
    }

    fn encode(&self, r: &Response<EcoContext>) -> Result<Bytes, CodecError> {
        let Response::ValueResponse(v) = r;
        encode(&WireResponse {
            start_height: v.start_height,
            values: v
                .values
                .iter()
                .map(|raw| (raw.value_bytes.to_vec(), WireCertificate::from(&raw.certificate)))
                .collect(),
        })
    }
}

impl malachitebft_app_channel::app::types::codec::HasEncodedLen<Response<EcoContext>> for EcoCodec {
    fn encoded_len(&self, r: &Response<EcoContext>) -> Result<usize, CodecError> {
        use malachitebft_app_channel::app::types::codec::Codec;
        self.encode(r).map(|b| b.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{BlockValue, Proposal, Vote};
    use malachitebft_app_channel::app::types::codec::Codec;
    use malachitebft_core_types::{NilOrVal, SignedMessage, VoteType};

    #[test]
    fn votes_round_trip_and_versions_are_checked() {
        let vote = Vote {
            typ: VoteType::Precommit,
            height: Height(7),
            round: Round::new(2),
            value: NilOrVal::Val(BlockHash([9; 32])),
            validator: Address([1; 32]),
            extension: None,
        };
        let msg = SignedConsensusMsg::Vote(SignedMessage::new(vote, Signature([3; 64])));
        let bytes = Codec::<SignedConsensusMsg<EcoContext>>::encode(&EcoCodec, &msg).expect("encodes");
        assert_eq!(bytes[0], VERSION);
        let back: SignedConsensusMsg<EcoContext> = EcoCodec.decode(bytes.clone()).expect("decodes");
        assert_eq!(back, msg);
        let mut bad = bytes.to_vec();
        bad[0] = 99;
        assert!(Codec::<SignedConsensusMsg<EcoContext>>::decode(&EcoCodec, Bytes::from(bad)).is_err());
        assert!(Codec::<SignedConsensusMsg<EcoContext>>::decode(&EcoCodec, Bytes::new()).is_err());
        let mut trailing = bytes.to_vec();
        trailing.push(0);
        assert!(Codec::<SignedConsensusMsg<EcoContext>>::decode(&EcoCodec, Bytes::from(trailing)).is_err());
    }

    #[test]
    fn proposals_and_certificates_round_trip() {
        let proposal = Proposal {
            height: Height(1),
            round: Round::ZERO,
            value: BlockValue(BlockHash([5; 32])),
            pol_round: Round::Nil,
            proposer: Address([2; 32]),
        };
        let msg = SignedConsensusMsg::Proposal(SignedMessage::new(proposal, Signature([4; 64])));
        let bytes = Codec::<SignedConsensusMsg<EcoContext>>::encode(&EcoCodec, &msg).expect("encodes");
        assert_eq!(Codec::<SignedConsensusMsg<EcoContext>>::decode(&EcoCodec, bytes).expect("decodes"), msg);

        let cert = ExtendedCommitCertificate::<EcoContext> {
            height: Height(3),
            round: Round::new(1),
            value_id: BlockHash([8; 32]),
            commit_signatures: vec![ExtendedCommitSignature {
                address: Address([1; 32]),
                signature: Signature([2; 64]),
                extension: None,
            }],
        };
        assert_eq!(decode_certificate(&encode_certificate(&cert)).expect("decodes"), cert);
    }
}
