//! Commit certificates, checked as pure code: a certificate proves a block
//! final when precommits for exactly that block, at its height, on this chain,
//! from distinct members of the block's validator set carry more than 2/3 of
//! the set's voting power. Used on import (`import-blocks`) and by anyone
//! holding a block with its justification.

use crate::{
    context::{Address, EcoContext, ValidatorSet, Vote},
    signing::{verify, vote_bytes},
};
use malachitebft_app_channel::app::types::core::{ExtendedCommitCertificate, NilOrVal, VoteType};
use sp_core::H256;

/// Why a commit certificate does not prove a block final.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// It certifies another height or another block.
    #[error("certificate is for #{height} {value:?}, not for this block")]
    OtherBlock {
        /// The height it names.
        height: u64,
        /// The block it names.
        value: H256,
    },
    /// A signer is not in the block's validator set.
    #[error("{0} is not a validator of this block")]
    NotAValidator(Address),
    /// A validator signed twice.
    #[error("{0} signed twice")]
    DuplicateSigner(Address),
    /// A signature is not a precommit for this block on this chain by its signer.
    #[error("bad precommit signature from {0}")]
    BadSignature(Address),
    /// The signers hold 2/3 of the voting power or less.
    #[error("signers hold {signed} of {total} voting power, not more than 2/3")]
    NotEnoughPower {
        /// Voting power of the valid signers.
        signed: u64,
        /// The set's total voting power.
        total: u64,
    },
}

/// Check `cert` for block `block_hash` number `number` of the chain with
/// `genesis`, against the validators of the block's parent.
pub fn check_certificate(
    genesis: &[u8; 32],
    cert: &ExtendedCommitCertificate<EcoContext>,
    block_hash: H256,
    number: u64,
    validators: &ValidatorSet,
) -> Result<(), CertificateError> {
    if cert.height.0 != number || cert.value_id.0 != block_hash.0 {
        return Err(CertificateError::OtherBlock { height: cert.height.0, value: H256(cert.value_id.0) });
    }
    let mut signers = std::collections::BTreeSet::new();
    let mut signed: u64 = 0;
    for sig in &cert.commit_signatures {
        let Some(validator) = validators.validators().iter().find(|v| v.address == sig.address) else {
            return Err(CertificateError::NotAValidator(sig.address));
        };
        if !signers.insert(sig.address) {
            return Err(CertificateError::DuplicateSigner(sig.address));
        }
        let vote = Vote {
            typ: VoteType::Precommit,
            height: cert.height,
            round: cert.round,
            value: NilOrVal::Val(cert.value_id),
            validator: sig.address,
            extension: None,
        };
        if !verify(&validator.public_key, &vote_bytes(genesis, &vote), &sig.signature) {
            return Err(CertificateError::BadSignature(sig.address));
        }
        signed = signed.saturating_add(validator.voting_power);
    }
    let total: u64 = validators.validators().iter().map(|v| v.voting_power).sum();
    // More than 2/3, in integers: 3 * signed > 2 * total.
    if u128::from(signed) * 3 <= u128::from(total) * 2 {
        return Err(CertificateError::NotEnoughPower { signed, total });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        context::{BlockHash, Height, Proposal, Signature},
        signing::proposal_bytes,
    };
    use malachitebft_app_channel::app::types::core::{
        ExtendedCommitSignature, Round, ThresholdParams, VoteExtensionPolicy,
    };
    use malachitebft_signing::VerifierExt;
    use sp_core::{ed25519, Pair};

    const GENESIS: [u8; 32] = [7; 32];
    const BLOCK: [u8; 32] = [9; 32];
    const NUMBER: u64 = 12;

    fn keys() -> Vec<ed25519::Pair> {
        (0u8..4).map(|i| ed25519::Pair::from_seed(&[i + 1; 32])).collect()
    }

    fn set() -> ValidatorSet {
        ValidatorSet::new(keys().iter().map(|k| k.public().0))
    }

    fn precommit(
        key: &ed25519::Pair,
        genesis: &[u8; 32],
        height: u64,
        block: [u8; 32],
    ) -> ExtendedCommitSignature<EcoContext> {
        let address = Address(key.public().0);
        let vote = Vote {
            typ: VoteType::Precommit,
            height: Height(height),
            round: Round::new(0),
            value: NilOrVal::Val(BlockHash(block)),
            validator: address,
            extension: None,
        };
        ExtendedCommitSignature {
            address,
            signature: Signature(key.sign(&vote_bytes(genesis, &vote)).0),
            extension: None,
        }
    }

    fn cert(signatures: Vec<ExtendedCommitSignature<EcoContext>>) -> ExtendedCommitCertificate<EcoContext> {
        ExtendedCommitCertificate {
            height: Height(NUMBER),
            round: Round::new(0),
            value_id: BlockHash(BLOCK),
            commit_signatures: signatures,
        }
    }

    fn good(n: usize) -> Vec<ExtendedCommitSignature<EcoContext>> {
        keys().iter().take(n).map(|k| precommit(k, &GENESIS, NUMBER, BLOCK)).collect()
    }

    fn check(c: &ExtendedCommitCertificate<EcoContext>) -> Result<(), CertificateError> {
        check_certificate(&GENESIS, c, H256(BLOCK), NUMBER, &set())
    }

    #[test]
    fn certificate_checks_table() {
        let k = keys();
        let outsider = ed25519::Pair::from_seed(&[99; 32]);
        let addr = |key: &ed25519::Pair| Address(key.public().0);
        // A prevote for the block, signed correctly, is not a precommit.
        let prevote = {
            let vote = Vote {
                typ: VoteType::Prevote,
                height: Height(NUMBER),
                round: Round::new(0),
                value: NilOrVal::Val(BlockHash(BLOCK)),
                validator: addr(&k[2]),
                extension: None,
            };
            ExtendedCommitSignature {
                address: addr(&k[2]),
                signature: Signature(k[2].sign(&vote_bytes(&GENESIS, &vote)).0),
                extension: None,
            }
        };
        // A proposal signature by a validator is not a vote.
        let proposal_sig = {
            let p = Proposal {
                height: Height(NUMBER),
                round: Round::new(0),
                value: crate::context::BlockValue(BlockHash(BLOCK)),
                pol_round: Round::Nil,
                proposer: addr(&k[2]),
            };
            ExtendedCommitSignature {
                address: addr(&k[2]),
                signature: Signature(k[2].sign(&proposal_bytes(&GENESIS, &p)).0),
                extension: None,
            }
        };
        let with = |third: ExtendedCommitSignature<EcoContext>| {
            let mut s = good(2);
            s.push(third);
            cert(s)
        };
        let mut other_height = cert(good(3));
        other_height.height = Height(NUMBER + 1);
        let mut other_block = cert(good(3));
        other_block.value_id = BlockHash([8; 32]);
        let mut tampered = good(3);
        tampered[1].signature.0[0] ^= 1;
        let table: Vec<(&str, ExtendedCommitCertificate<EcoContext>, Result<(), CertificateError>)> = vec![
            ("3 of 4 precommits", cert(good(3)), Ok(())),
            ("4 of 4 precommits", cert(good(4)), Ok(())),
            ("2 of 4 is exactly 1/2", cert(good(2)), Err(CertificateError::NotEnoughPower { signed: 2, total: 4 })),
            ("no signatures", cert(vec![]), Err(CertificateError::NotEnoughPower { signed: 0, total: 4 })),
            ("a tampered signature", cert(tampered), Err(CertificateError::BadSignature(addr(&k[1])))),
            (
                "a signer outside the set",
                with(precommit(&outsider, &GENESIS, NUMBER, BLOCK)),
                Err(CertificateError::NotAValidator(addr(&outsider))),
            ),
            (
                "a validator counted twice",
                with(precommit(&k[1], &GENESIS, NUMBER, BLOCK)),
                Err(CertificateError::DuplicateSigner(addr(&k[1]))),
            ),
            (
                "a precommit on another chain",
                with(precommit(&k[2], &[8; 32], NUMBER, BLOCK)),
                Err(CertificateError::BadSignature(addr(&k[2]))),
            ),
            (
                "a precommit for another block",
                with(precommit(&k[2], &GENESIS, NUMBER, [8; 32])),
                Err(CertificateError::BadSignature(addr(&k[2]))),
            ),
            (
                "a precommit at another height",
                with(precommit(&k[2], &GENESIS, NUMBER + 1, BLOCK)),
                Err(CertificateError::BadSignature(addr(&k[2]))),
            ),
            ("a prevote", with(prevote), Err(CertificateError::BadSignature(addr(&k[2])))),
            ("a proposal signature", with(proposal_sig), Err(CertificateError::BadSignature(addr(&k[2])))),
            (
                "a certificate for another height",
                other_height,
                Err(CertificateError::OtherBlock { height: NUMBER + 1, value: H256(BLOCK) }),
            ),
            (
                "a certificate for another block",
                other_block,
                Err(CertificateError::OtherBlock { height: NUMBER, value: H256([8; 32]) }),
            ),
        ];
        // On value sync, Malachite checks a synced block's certificate itself
        // (its `VerifierExt` over our verifier): it must refuse the same ones.
        let verifier = crate::signing::EcoVerifier::new(GENESIS);
        let ctx = EcoContext { genesis: GENESIS };
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        for (case, c, expected) in table {
            assert_eq!(check(&c), expected, "{case}");
            let synced = runtime.block_on(verifier.verify_extended_commit_certificate(
                &ctx,
                &c,
                &set(),
                ThresholdParams::default(),
                VoteExtensionPolicy::Disabled,
            ));
            assert_eq!(synced.is_ok(), expected.is_ok(), "{case}, on sync: {synced:?}");
        }
    }

    #[test]
    fn voting_power_not_heads_decides() {
        // One validator with 3 of 5 power: its precommit alone is not > 2/3, with one more it is.
        let k = keys();
        let mut validators: Vec<_> = set().validators().to_vec();
        validators[0].voting_power = 3;
        validators.truncate(3);
        let weighted = ValidatorSet::from_validators(validators);
        let alone = cert(good(1));
        assert_eq!(
            check_certificate(&GENESIS, &alone, H256(BLOCK), NUMBER, &weighted),
            Err(CertificateError::NotEnoughPower { signed: 3, total: 5 })
        );
        let two = cert(vec![precommit(&k[0], &GENESIS, NUMBER, BLOCK), precommit(&k[1], &GENESIS, NUMBER, BLOCK)]);
        assert_eq!(check_certificate(&GENESIS, &two, H256(BLOCK), NUMBER, &weighted), Ok(()));
        // Two of the three heads without the heavy one: 2 of 5.
        let light = cert(vec![precommit(&k[1], &GENESIS, NUMBER, BLOCK), precommit(&k[2], &GENESIS, NUMBER, BLOCK)]);
        assert_eq!(
            check_certificate(&GENESIS, &light, H256(BLOCK), NUMBER, &weighted),
            Err(CertificateError::NotEnoughPower { signed: 2, total: 5 })
        );
    }
}
