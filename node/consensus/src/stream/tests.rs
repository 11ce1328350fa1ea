//! Table and property tests of the proposal-stream assembler and the `Init` checks.

use super::*;
use crate::{
    context::{Signature, Vote},
    signing::vote_bytes,
};
use malachitebft_app_channel::app::types::core::{NilOrVal, VoteType};
use proptest::prelude::*;
use sp_core::{ed25519, Pair};

const GENESIS: [u8; 32] = [7; 32];

fn keys() -> Vec<ed25519::Pair> {
    (0..4u8).map(|i| ed25519::Pair::from_seed(&[i + 1; 32])).collect()
}

fn set() -> ValidatorSet {
    ValidatorSet::new(keys().iter().map(|k| k.public().0))
}

/// The key of the proposer of (height, round) in [`set`].
fn proposer_key(height: u64, round: u32) -> ed25519::Pair {
    let set = set();
    let v = crate::context::select_proposer(set.validators(), Height(height), Round::new(round));
    keys().into_iter().find(|k| k.public().0 == v.address.0).expect("in the set")
}

fn signed_init(key: &ed25519::Pair, height: u64, round: u32, block: u8, total_len: u32) -> Init {
    let mut init = Init {
        height: Height(height),
        round: Round::new(round),
        pol_round: Round::Nil,
        proposer: Address(key.public().0),
        block_hash: BlockHash([block; 32]),
        total_len,
        signature: Signature([0; 64]),
    };
    init.signature = Signature(key.sign(&init_bytes(&GENESIS, &init)).0);
    init
}

fn init_part(init: &Init) -> Part {
    Part::Data(init.to_part())
}

/// The parts of a stream of `data`: Init, chunks, Fin, end marker.
fn stream_parts(init: &Init, data: &[u8], chunk: usize) -> Vec<(u64, Part)> {
    let mut parts = vec![init_part(init)];
    parts.extend(data.chunks(chunk).map(|c| Part::Data(ProposalPart::Data(c.to_vec()))));
    parts.push(Part::Data(ProposalPart::Fin(init.signature)));
    let end = parts.len() as u64;
    let mut out: Vec<(u64, Part)> = parts.into_iter().enumerate().map(|(i, p)| (i as u64, p)).collect();
    out.push((end, Part::End));
    out
}

fn checker(current: u64) -> impl Fn(&Init) -> Result<(), ProposalError> {
    move |init| check_init(&GENESIS, &set(), current, init, &Limits::default())
}

fn small_limits() -> Limits {
    Limits {
        max_block_bytes: 4096,
        max_part_bytes: 1024,
        max_streams_per_peer: 2,
        max_bytes_per_peer: 2 * 4096,
        max_early_parts: 3,
        stream_ttl_ms: 1_000,
    }
}

fn small_checker(current: u64) -> impl Fn(&Init) -> Result<(), ProposalError> {
    move |init| check_init(&GENESIS, &set(), current, init, &small_limits())
}

#[test]
fn an_in_order_stream_completes() {
    let key = proposer_key(5, 0);
    let data: Vec<u8> = (0..3000u32).map(|i| i as u8).collect();
    let init = signed_init(&key, 5, 0, 1, data.len() as u32);
    let mut asm = Assembler::new(Limits::default());
    let mut last = PartOutcome::Pending;
    for (seq, part) in stream_parts(&init, &data, 1000) {
        last = asm.receive(&1u8, b"s", seq, part, 0, checker(5));
    }
    assert_eq!(last, PartOutcome::Complete(Assembled { init, data }));
    assert_eq!(asm.buffered_bytes(), 0);
}

#[test]
fn parts_before_their_init_wait_in_the_bounded_reorder_buffer() {
    let key = proposer_key(5, 0);
    let data = vec![9u8; 2500];
    let init = signed_init(&key, 5, 0, 1, data.len() as u32);
    let mut parts = stream_parts(&init, &data, 1000);
    parts.rotate_left(1); // the Init arrives last
    let mut asm = Assembler::new(Limits::default());
    let outcomes: Vec<PartOutcome> =
        parts.into_iter().map(|(seq, part)| asm.receive(&1u8, b"s", seq, part, 0, checker(5))).collect();
    assert!(matches!(outcomes.last(), Some(PartOutcome::Complete(a)) if a.data == data));
}

#[test]
fn init_checks_table() {
    let limits = Limits::default();
    let proposer = proposer_key(5, 0);
    let other = keys().into_iter().find(|k| k.public() != proposer.public()).expect("four keys");
    let good = signed_init(&proposer, 5, 0, 1, 100);

    let mut forged = good.clone();
    forged.block_hash = BlockHash([2; 32]);
    // A precommit signature by the proposer over the same height and round never verifies as a part.
    let vote = Vote {
        typ: VoteType::Precommit,
        height: Height(5),
        round: Round::new(0),
        value: NilOrVal::Val(good.block_hash),
        validator: good.proposer,
        extension: None,
    };
    let mut vote_signed = good.clone();
    vote_signed.signature = Signature(proposer.sign(&vote_bytes(&GENESIS, &vote)).0);
    // Signed for another chain.
    let mut other_chain = good.clone();
    other_chain.signature = Signature(proposer.sign(&init_bytes(&[8; 32], &good)).0);

    let cases: Vec<(&str, Init, u64, Result<(), ProposalError>)> = vec![
        ("valid", good.clone(), 5, Ok(())),
        ("valid one height ahead", signed_init(&proposer_key(6, 0), 6, 0, 1, 100), 5, Ok(())),
        (
            "two heights ahead",
            signed_init(&proposer_key(7, 0), 7, 0, 1, 100),
            5,
            Err(ProposalError::HeightOutOfWindow { height: 7, current: 5 }),
        ),
        ("past height", good.clone(), 6, Err(ProposalError::HeightOutOfWindow { height: 5, current: 6 })),
        (
            "not the proposer",
            signed_init(&other, 5, 0, 1, 100),
            5,
            Err(ProposalError::NotProposer { proposer: Address(other.public().0), height: 5, round: 0 }),
        ),
        ("fields changed after signing", forged, 5, Err(ProposalError::BadSignature)),
        ("a vote signature", vote_signed, 5, Err(ProposalError::BadSignature)),
        ("another chain's signature", other_chain, 5, Err(ProposalError::BadSignature)),
        (
            "too large",
            signed_init(&proposer, 5, 0, 1, u32::MAX),
            5,
            Err(ProposalError::TooLarge { len: u64::from(u32::MAX), max: limits.max_block_bytes as u64 }),
        ),
    ];
    for (name, init, current, expected) in cases {
        assert_eq!(check_init(&GENESIS, &set(), current, &init, &limits), expected, "{name}");
    }
}

#[test]
fn a_refused_init_buffers_nothing() {
    let other = keys().into_iter().find(|k| k.public() != proposer_key(5, 0).public()).expect("four keys");
    let init = signed_init(&other, 5, 0, 1, 3000);
    let mut asm = Assembler::new(Limits::default());
    let mut refused = 0;
    for (seq, part) in stream_parts(&init, &[1u8; 3000], 1000) {
        if matches!(asm.receive(&1u8, b"s", seq, part, 0, checker(5)), PartOutcome::Refused(_)) {
            refused += 1;
        }
    }
    assert_eq!(refused, 1, "the Init is refused");
    // The parts after it wait as early parts, within the reorder bound only.
    assert!(asm.peer_bytes(&1u8) <= 3000);
}

#[test]
fn junk_parts_for_unknown_streams_stay_within_the_early_bound() {
    let limits = Limits::default();
    let mut asm = Assembler::new(limits);
    for i in 0..10_000u64 {
        let id = i.to_be_bytes();
        let part = Part::Data(ProposalPart::Data(vec![0xAB; PART_BYTES]));
        asm.receive(&1u8, &id, 1 + i % 30, part, i, checker(5));
        assert!(asm.buffered_bytes() <= limits.max_early_parts * PART_BYTES);
    }
    // Sequence numbers past the bound are refused outright.
    let far = asm.receive(&1u8, b"x", u64::MAX, Part::End, 0, checker(5));
    assert!(matches!(far, PartOutcome::Refused(StreamError::SequenceTooHigh { .. })));
}

#[test]
fn a_flooding_peer_cannot_evict_the_proposers_stream() {
    let limits = small_limits();
    let key = proposer_key(5, 0);
    let data = vec![3u8; 4000];
    let init = signed_init(&key, 5, 0, 1, data.len() as u32);
    let honest = stream_parts(&init, &data, 1000);
    let mut asm = Assembler::new(limits);
    // The honest stream starts.
    for (seq, part) in honest.iter().take(2).cloned() {
        assert_eq!(asm.receive(&0u8, b"honest", seq, part, 0, small_checker(5)), PartOutcome::Pending);
    }
    // Peer 1 replays the signed Init on many streams and floods data.
    for i in 0..100u32 {
        let id = i.to_be_bytes();
        for (seq, part) in stream_parts(&init, &data, 1000).into_iter().take(4) {
            asm.receive(&1u8, &id, seq, part, u64::from(i), small_checker(5));
        }
        assert!(asm.peer_bytes(&1u8) <= limits.max_bytes_per_peer);
    }
    let mut last = PartOutcome::Pending;
    for (seq, part) in honest.into_iter().skip(2) {
        last = asm.receive(&0u8, b"honest", seq, part, 200, small_checker(5));
    }
    assert!(matches!(&last, PartOutcome::Complete(a) if a.data == data), "{last:?}");
}

#[test]
fn streams_longer_than_announced_are_refused() {
    let key = proposer_key(5, 0);
    let init = signed_init(&key, 5, 0, 1, 1000);
    let mut asm = Assembler::new(Limits::default());
    asm.receive(&1u8, b"s", 0, init_part(&init), 0, checker(5));
    asm.receive(&1u8, b"s", 1, Part::Data(ProposalPart::Data(vec![0; 800])), 0, checker(5));
    let out = asm.receive(&1u8, b"s", 2, Part::Data(ProposalPart::Data(vec![0; 800])), 0, checker(5));
    assert_eq!(out, PartOutcome::Refused(StreamError::LongerThanAnnounced(1000)));
    assert_eq!(asm.buffered_bytes(), 0, "the stream is dropped");
}

#[test]
fn equivocation_is_evidence() {
    let key = proposer_key(5, 0);
    let mut asm = Assembler::new(Limits::default());
    asm.receive(&1u8, b"a", 0, init_part(&signed_init(&key, 5, 0, 1, 10)), 0, checker(5));
    asm.receive(&1u8, b"b", 0, init_part(&signed_init(&key, 5, 0, 2, 10)), 0, checker(5));
    let evidence = asm.take_evidence();
    assert_eq!(evidence.len(), 1);
    assert_eq!((evidence[0].first, evidence[0].second), (BlockHash([1; 32]), BlockHash([2; 32])));
}

#[test]
fn prune_drops_old_heights_and_expired_streams() {
    let mut asm = Assembler::new(Limits::default());
    let init = signed_init(&proposer_key(5, 0), 5, 0, 1, 5000);
    asm.receive(&1u8, b"s", 0, init_part(&init), 0, checker(5));
    asm.receive(&1u8, b"s", 1, Part::Data(ProposalPart::Data(vec![0; 1000])), 0, checker(5));
    assert_eq!(asm.buffered_bytes(), 1000);
    asm.prune(6, 1);
    assert_eq!(asm.buffered_bytes(), 0);
}

/// One random step from a peer: any part kind, any sequence, any stream.
fn step() -> impl Strategy<Value = (u8, u8, u64, u8, usize, u8)> {
    (0u8..3, 0u8..6, 0u64..12, 0u8..5, 0usize..1500, 0u8..3)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever parts arrive, in any order, no peer's buffer exceeds its bound,
    /// and a completed stream is exactly what the proposer signed.
    #[test]
    fn random_parts_respect_the_bounds(steps in proptest::collection::vec(step(), 1..200)) {
        let limits = small_limits();
        let key = proposer_key(5, 0);
        let data: Vec<u8> = (0..3000u32).map(|i| (i * 7) as u8).collect();
        let init = signed_init(&key, 5, 0, 1, data.len() as u32);
        let honest = stream_parts(&init, &data, 1000);
        let mut asm = Assembler::new(limits);
        for (i, (peer, stream, seq, kind, len, which)) in steps.into_iter().enumerate() {
            let part = match kind {
                0 => honest[(seq as usize) % honest.len()].1.clone(),
                1 => Part::Data(ProposalPart::Data(vec![which; len])),
                2 => Part::End,
                3 => init_part(&signed_init(&keys()[which as usize], 5, 0, which, len as u32)),
                _ => Part::Data(ProposalPart::Fin(init.signature)),
            };
            let out = asm.receive(&peer, &[stream], seq, part, i as u64, small_checker(5));
            if let PartOutcome::Complete(a) = out {
                prop_assert_eq!(a.data.len(), a.init.total_len as usize);
                prop_assert!(check_init(&GENESIS, &set(), 5, &a.init, &limits).is_ok());
            }
            for p in 0..3u8 {
                prop_assert!(asm.peer_bytes(&p) <= limits.max_bytes_per_peer);
            }
        }
    }
}
