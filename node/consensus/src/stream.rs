//! Proposal streams: the pure, bounded reassembly of a streamed block and
//! the checks on its signed first part. No IO, no clock (time is passed in).
//!
//! A proposer streams `Init` (what is proposed, signed), the block in `Data`
//! chunks, and `Fin` (the same signature, marking the end). Every part comes
//! from a socket, so:
//!
//! - a stream gets buffer space only once its `Init` passed [`check_init`]:
//!   a height in the window `h ..= h + 1`, the expected proposer of its
//!   (height, round), a valid signature, a length within the block bound.
//!   Parts that arrive before their `Init` wait in a small per-peer reorder
//!   buffer ([`Limits::max_early_parts`]), counted in the peer's bytes;
//! - per stream, the number of parts, each part's size and the total are
//!   capped by the signed length; per peer, the number of streams and the bytes
//!   buffered are capped. When a peer is over its budget, only that peer's
//!   oldest stream is evicted: a peer cannot push out another peer's stream;
//! - completeness is counted (distinct parts received against the `Fin`
//!   sequence), never re-scanned;
//! - two different signed `Init`s from the proposer for one (height, round)
//!   are equivocation: kept as [`Evidence`] for the caller to log and count.

use crate::{
    context::{Address, BlockHash, Height, ProposalPart, Signature, ValidatorSet},
    signing::{part_bytes, verify},
};
use malachitebft_app_channel::app::types::core::Round;
use std::{
    collections::{BTreeMap, HashMap, HashSet},
    hash::Hash,
};

/// Largest chunk of a block in one proposal part.
pub const PART_BYTES: usize = 256 * 1024;
/// Largest block accepted from the network (the runtime's length limit plus room for the header).
pub const MAX_BLOCK_BYTES: usize = ecochain_runtime::decode::MAX_ENCODED_BLOCK_BYTES;

/// Bounds of the reassembly buffers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest encoded block a stream may announce.
    pub max_block_bytes: usize,
    /// Largest data part.
    pub max_part_bytes: usize,
    /// Most streams one peer may have open.
    pub max_streams_per_peer: usize,
    /// Most bytes buffered for one peer (its streams and early parts).
    pub max_bytes_per_peer: usize,
    /// Most parts one peer may have waiting for their stream's `Init`.
    pub max_early_parts: usize,
    /// Streams older than this are dropped, ms.
    pub stream_ttl_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_block_bytes: MAX_BLOCK_BYTES,
            max_part_bytes: PART_BYTES,
            max_streams_per_peer: 4,
            max_bytes_per_peer: 2 * (MAX_BLOCK_BYTES + PART_BYTES),
            max_early_parts: 8,
            stream_ttl_ms: 60_000,
        }
    }
}

impl Limits {
    /// Most parts in one stream: `Init`, the data chunks, `Fin` (the end
    /// marker's sequence number is this count).
    pub fn max_parts(&self) -> u64 {
        (self.max_block_bytes.div_ceil(self.max_part_bytes.max(1)) + 2) as u64
    }
}

/// The signed first part of a proposal stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Init {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// Proof-of-lock round, or nil.
    pub pol_round: Round,
    /// The proposer.
    pub proposer: Address,
    /// Hash of the block.
    pub block_hash: BlockHash,
    /// Length of the encoded block.
    pub total_len: u32,
    /// The proposer's signature over the fields above ([`init_bytes`]).
    pub signature: Signature,
}

impl Init {
    /// The proposal part that carries it.
    pub fn to_part(&self) -> ProposalPart {
        ProposalPart::Init {
            height: self.height,
            round: self.round,
            pol_round: self.pol_round,
            proposer: self.proposer,
            block_hash: self.block_hash,
            total_len: self.total_len,
            signature: self.signature,
        }
    }
}

/// The bytes an `Init`'s signature covers.
pub fn init_bytes(genesis: &[u8; 32], init: &Init) -> Vec<u8> {
    part_bytes(genesis, (&init.height, &init.round, &init.pol_round, &init.proposer, &init.block_hash, &init.total_len))
}

/// Why a proposal (or its first part) was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProposalError {
    /// Its height is outside the window the node buffers.
    #[error("height {height} is outside {current}..={}", current + 1)]
    HeightOutOfWindow {
        /// The proposal's height.
        height: u64,
        /// The height being decided here.
        current: u64,
    },
    /// It does not come from the proposer of its (height, round).
    #[error("{proposer} is not the proposer of height {height} round {round}")]
    NotProposer {
        /// Who signed it.
        proposer: Address,
        /// Height.
        height: u64,
        /// Round.
        round: i64,
    },
    /// The signature does not verify.
    #[error("bad proposal signature")]
    BadSignature,
    /// The announced block is larger than a block may be.
    #[error("block of {len} bytes exceeds {max}")]
    TooLarge {
        /// Announced length.
        len: u64,
        /// The bound.
        max: u64,
    },
}

/// Check a stream's `Init` against the validator set of its height.
pub fn check_init(
    genesis: &[u8; 32],
    validators: &ValidatorSet,
    current_height: u64,
    init: &Init,
    limits: &Limits,
) -> Result<(), ProposalError> {
    let height = init.height.0;
    if height < current_height || height > current_height.saturating_add(1) {
        return Err(ProposalError::HeightOutOfWindow { height, current: current_height });
    }
    if init.total_len as usize > limits.max_block_bytes {
        return Err(ProposalError::TooLarge { len: u64::from(init.total_len), max: limits.max_block_bytes as u64 });
    }
    let expected = crate::context::select_proposer(validators.validators(), init.height, init.round);
    if expected.address != init.proposer {
        return Err(ProposalError::NotProposer { proposer: init.proposer, height, round: init.round.as_i64() });
    }
    if !verify(&expected.public_key, &init_bytes(genesis, init), &init.signature) {
        return Err(ProposalError::BadSignature);
    }
    Ok(())
}

/// Why a part was dropped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    /// The `Init` failed its checks.
    #[error("proposal refused: {0}")]
    Proposal(#[from] ProposalError),
    /// A sequence number past what a stream may hold.
    #[error("part {seq} is past the {max} parts a stream may have")]
    SequenceTooHigh {
        /// The part's sequence number.
        seq: u64,
        /// The bound.
        max: u64,
    },
    /// A data part larger than a part may be.
    #[error("part of {len} bytes exceeds {max}")]
    PartTooLarge {
        /// Its size.
        len: usize,
        /// The bound.
        max: usize,
    },
    /// More data than the signed length announced.
    #[error("stream carries more than its announced {0} bytes")]
    LongerThanAnnounced(u32),
    /// The parts do not form a stream (`Init` not first, two `Init`s, `Fin` before the end, a repeated sequence).
    #[error("malformed stream: {0}")]
    Malformed(&'static str),
    /// The stream ended with a length other than announced.
    #[error("stream of {got} bytes, {announced} announced")]
    WrongLength {
        /// Bytes received.
        got: usize,
        /// Bytes announced.
        announced: u32,
    },
}

/// A proposer signed two different blocks for one (height, round).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// The proposer.
    pub proposer: Address,
    /// Height.
    pub height: u64,
    /// Round.
    pub round: i64,
    /// The first block seen.
    pub first: BlockHash,
    /// The conflicting one.
    pub second: BlockHash,
}

/// A stream whose parts all arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assembled {
    /// The signed first part.
    pub init: Init,
    /// The encoded block (exactly `init.total_len` bytes).
    pub data: Vec<u8>,
}

/// What one part did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartOutcome {
    /// Buffered (or ignored as a harmless duplicate); the stream is not complete.
    Pending,
    /// The stream is complete.
    Complete(Assembled),
    /// The part was refused; the stream it belonged to, if any, is dropped.
    Refused(StreamError),
}

/// One part as the assembler sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// A proposal part.
    Data(ProposalPart),
    /// The end-of-stream marker (its sequence is the number of parts).
    End,
}

/// A stream with a checked `Init`.
#[derive(Debug)]
struct Stream {
    init: Init,
    /// Data chunks by sequence number.
    chunks: BTreeMap<u64, Vec<u8>>,
    /// Distinct sequence numbers received (the `Init` included).
    received: u64,
    /// The number of parts, once the end marker arrived.
    end: Option<u64>,
    bytes: usize,
    started_ms: u64,
}

/// Parts waiting for their `Init`.
#[derive(Debug)]
struct Early {
    stream: Vec<u8>,
    seq: u64,
    part: Part,
    bytes: usize,
}

#[derive(Debug, Default)]
struct PeerState {
    streams: HashMap<Vec<u8>, Stream>,
    early: Vec<Early>,
    bytes: usize,
}

impl PeerState {
    fn is_empty(&self) -> bool {
        self.streams.is_empty() && self.early.is_empty()
    }

    fn drop_stream(&mut self, id: &[u8]) {
        if let Some(s) = self.streams.remove(id) {
            self.bytes = self.bytes.saturating_sub(s.bytes);
        }
    }
}

fn part_len(part: &Part) -> usize {
    match part {
        Part::Data(ProposalPart::Data(d)) => d.len(),
        _ => 0,
    }
}

/// The reassembly buffers of every peer.
#[derive(Debug)]
pub struct Assembler<P> {
    limits: Limits,
    peers: HashMap<P, PeerState>,
    /// The block each (height, round) proposal named first, to spot equivocation.
    proposals: HashMap<(u64, i64), BlockHash>,
    evidence: Vec<Evidence>,
    /// Streams completed recently, so their restreams are not reassembled twice.
    done: HashSet<(u64, i64, BlockHash)>,
}

impl<P: Hash + Eq + Clone> Assembler<P> {
    /// Empty buffers with these limits.
    pub fn new(limits: Limits) -> Self {
        Self { limits, peers: HashMap::new(), proposals: HashMap::new(), evidence: Vec::new(), done: HashSet::new() }
    }

    /// Bytes buffered for all peers.
    pub fn buffered_bytes(&self) -> usize {
        self.peers.values().map(|p| p.bytes).sum()
    }

    /// Bytes buffered for `peer`.
    pub fn peer_bytes(&self, peer: &P) -> usize {
        self.peers.get(peer).map_or(0, |p| p.bytes)
    }

    /// Equivocation seen since the last call.
    pub fn take_evidence(&mut self) -> Vec<Evidence> {
        std::mem::take(&mut self.evidence)
    }

    /// Forget streams below `height` and streams older than the TTL.
    pub fn prune(&mut self, height: u64, now_ms: u64) {
        let ttl = self.limits.stream_ttl_ms;
        for state in self.peers.values_mut() {
            let stale: Vec<Vec<u8>> = state
                .streams
                .iter()
                .filter(|(_, s)| s.init.height.0 < height || now_ms.saturating_sub(s.started_ms) > ttl)
                .map(|(id, _)| id.clone())
                .collect();
            for id in stale {
                state.drop_stream(&id);
            }
        }
        self.peers.retain(|_, s| !s.is_empty());
        self.proposals.retain(|(h, _), _| *h >= height);
        self.done.retain(|(h, _, _)| *h >= height);
    }

    /// Take one part of stream `stream` from `peer`. `check` is [`check_init`]
    /// bound to the node's state.
    pub fn receive(
        &mut self,
        peer: &P,
        stream: &[u8],
        seq: u64,
        part: Part,
        now_ms: u64,
        check: impl Fn(&Init) -> Result<(), ProposalError>,
    ) -> PartOutcome {
        let max_parts = self.limits.max_parts();
        // The end marker's sequence is the number of parts: it may equal the bound.
        if seq > max_parts || (seq == max_parts && part != Part::End) {
            return self.refuse(peer, stream, StreamError::SequenceTooHigh { seq, max: max_parts });
        }
        let len = part_len(&part);
        if len > self.limits.max_part_bytes {
            return self.refuse(peer, stream, StreamError::PartTooLarge { len, max: self.limits.max_part_bytes });
        }
        let known = self.peers.get(peer).is_some_and(|s| s.streams.contains_key(stream));
        if !known {
            match part {
                Part::Data(ProposalPart::Init {
                    height,
                    round,
                    pol_round,
                    proposer,
                    block_hash,
                    total_len,
                    signature,
                }) => {
                    if seq != 0 {
                        return PartOutcome::Refused(StreamError::Malformed("Init is not the first part"));
                    }
                    let init = Init { height, round, pol_round, proposer, block_hash, total_len, signature };
                    if let Err(e) = check(&init) {
                        self.drop_early(peer, stream);
                        return PartOutcome::Refused(e.into());
                    }
                    self.note_proposal(&init);
                    if self.done.contains(&(init.height.0, init.round.as_i64(), init.block_hash)) {
                        return PartOutcome::Pending;
                    }
                    self.open(peer, stream, init, now_ms);
                    // Parts that came before the Init.
                    let early = self.take_early(peer, stream);
                    let mut outcome = PartOutcome::Pending;
                    for e in early {
                        outcome = self.add(peer, stream, e.seq, e.part);
                        if !matches!(outcome, PartOutcome::Pending) {
                            break;
                        }
                    }
                    return outcome;
                }
                other => return self.hold_early(peer, stream, seq, other),
            }
        }
        self.add(peer, stream, seq, part)
    }

    fn note_proposal(&mut self, init: &Init) {
        let key = (init.height.0, init.round.as_i64());
        match self.proposals.get(&key) {
            Some(first) if *first != init.block_hash => self.evidence.push(Evidence {
                proposer: init.proposer,
                height: key.0,
                round: key.1,
                first: *first,
                second: init.block_hash,
            }),
            Some(_) => {}
            None => {
                self.proposals.insert(key, init.block_hash);
            }
        }
    }

    fn open(&mut self, peer: &P, stream: &[u8], init: Init, now_ms: u64) {
        let max_streams = self.limits.max_streams_per_peer.max(1);
        let state = self.peers.entry(peer.clone()).or_default();
        while state.streams.len() >= max_streams {
            // This peer's oldest stream makes room; other peers are untouched.
            let Some(oldest) = state.streams.iter().min_by_key(|(_, s)| s.started_ms).map(|(id, _)| id.clone()) else {
                break;
            };
            state.drop_stream(&oldest);
        }
        state.streams.insert(
            stream.to_vec(),
            Stream { init, chunks: BTreeMap::new(), received: 1, end: None, bytes: 0, started_ms: now_ms },
        );
    }

    fn hold_early(&mut self, peer: &P, stream: &[u8], seq: u64, part: Part) -> PartOutcome {
        let bytes = part_len(&part);
        let (max_early, max_bytes) = (self.limits.max_early_parts, self.limits.max_bytes_per_peer);
        let state = self.peers.entry(peer.clone()).or_default();
        while !state.early.is_empty() && (state.early.len() >= max_early || state.bytes + bytes > max_bytes) {
            let old = state.early.remove(0);
            state.bytes = state.bytes.saturating_sub(old.bytes);
        }
        if max_early == 0 || state.bytes + bytes > max_bytes {
            return PartOutcome::Pending;
        }
        state.bytes += bytes;
        state.early.push(Early { stream: stream.to_vec(), seq, part, bytes });
        PartOutcome::Pending
    }

    fn take_early(&mut self, peer: &P, stream: &[u8]) -> Vec<Early> {
        let Some(state) = self.peers.get_mut(peer) else { return Vec::new() };
        let (mine, rest): (Vec<Early>, Vec<Early>) =
            std::mem::take(&mut state.early).into_iter().partition(|e| e.stream == stream);
        state.early = rest;
        state.bytes = state.bytes.saturating_sub(mine.iter().map(|e| e.bytes).sum());
        mine
    }

    fn drop_early(&mut self, peer: &P, stream: &[u8]) {
        drop(self.take_early(peer, stream));
    }

    fn refuse(&mut self, peer: &P, stream: &[u8], err: StreamError) -> PartOutcome {
        if let Some(state) = self.peers.get_mut(peer) {
            state.drop_stream(stream);
        }
        self.drop_early(peer, stream);
        PartOutcome::Refused(err)
    }

    /// Add a part to a stream whose `Init` was checked.
    fn add(&mut self, peer: &P, stream: &[u8], seq: u64, part: Part) -> PartOutcome {
        let max_bytes = self.limits.max_bytes_per_peer;
        let Some(state) = self.peers.get_mut(peer) else { return PartOutcome::Pending };
        let Some(s) = state.streams.get_mut(stream) else { return PartOutcome::Pending };
        match part {
            Part::End => {
                if s.end.is_some_and(|e| e != seq) || seq < s.received || seq < 2 {
                    return self.refuse(peer, stream, StreamError::Malformed("inconsistent end of stream"));
                }
                s.end = Some(seq);
            }
            Part::Data(ProposalPart::Init { .. }) => {
                return self.refuse(peer, stream, StreamError::Malformed("a second Init"));
            }
            Part::Data(ProposalPart::Fin(signature)) => {
                if seq == 0 || signature != s.init.signature {
                    return self.refuse(peer, stream, StreamError::Malformed("Fin does not repeat the Init signature"));
                }
                if s.chunks.insert(seq, Vec::new()).is_some() {
                    return PartOutcome::Pending;
                }
                s.received += 1;
            }
            Part::Data(ProposalPart::Data(chunk)) => {
                if seq == 0 || chunk.is_empty() {
                    return self.refuse(peer, stream, StreamError::Malformed("empty data or data at sequence 0"));
                }
                if s.chunks.contains_key(&seq) {
                    return PartOutcome::Pending;
                }
                let announced = s.init.total_len;
                if s.bytes + chunk.len() > announced as usize {
                    return self.refuse(peer, stream, StreamError::LongerThanAnnounced(announced));
                }
                if state.bytes + chunk.len() > max_bytes {
                    // Over the peer's budget: its oldest other stream goes first.
                    let oldest = state
                        .streams
                        .iter()
                        .filter(|(id, _)| id.as_slice() != stream)
                        .min_by_key(|(_, s)| s.started_ms)
                        .map(|(id, _)| id.clone());
                    match oldest {
                        Some(id) => state.drop_stream(&id),
                        None => {
                            return self.refuse(peer, stream, StreamError::LongerThanAnnounced(announced));
                        }
                    }
                    if state.bytes + chunk.len() > max_bytes {
                        return self.refuse(peer, stream, StreamError::LongerThanAnnounced(announced));
                    }
                }
                let Some(s) = state.streams.get_mut(stream) else { return PartOutcome::Pending };
                s.bytes += chunk.len();
                state.bytes += chunk.len();
                s.chunks.insert(seq, chunk);
                s.received += 1;
            }
        }
        let Some(s) = state.streams.get(stream) else { return PartOutcome::Pending };
        if s.end.is_none_or(|end| s.received < end) {
            return PartOutcome::Pending;
        }
        if s.end.is_some_and(|end| s.received > end) {
            return self.refuse(peer, stream, StreamError::Malformed("more parts than the end marker counts"));
        }
        // Complete: every sequence below `end` arrived once.
        let Some(s) = state.streams.remove(stream) else { return PartOutcome::Pending };
        state.bytes = state.bytes.saturating_sub(s.bytes);
        if state.is_empty() {
            self.peers.remove(peer);
        }
        let last = s.end.unwrap_or(0).saturating_sub(1);
        if !matches!(s.chunks.get(&last), Some(c) if c.is_empty()) {
            return PartOutcome::Refused(StreamError::Malformed("the last part is not Fin"));
        }
        let mut data = Vec::with_capacity(s.bytes);
        for chunk in s.chunks.into_values() {
            data.extend_from_slice(&chunk);
        }
        if data.len() != s.init.total_len as usize {
            return PartOutcome::Refused(StreamError::WrongLength { got: data.len(), announced: s.init.total_len });
        }
        self.done.insert((s.init.height.0, s.init.round.as_i64(), s.init.block_hash));
        PartOutcome::Complete(Assembled { init: s.init, data })
    }
}

#[cfg(test)]
mod tests;
