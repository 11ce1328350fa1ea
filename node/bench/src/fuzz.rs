//! `ecochain-bench fuzz`: random and mutated inputs for every decoder that
//! takes bytes from the network or from disk, on stable Rust (an
//! `arbitrary`-style loop, no cargo-fuzz).
//!
//! Each target starts from a seed corpus of real encodings and applies random
//! mutations (bit flips, byte sets, inserted, deleted and duplicated ranges,
//! splices, large length prefixes), or feeds fresh random bytes. A panic is a
//! finding: the input is printed in hex and the command fails. A stack overflow
//! aborts the process, which fails the command as well. The loop runs on a
//! thread with a 2 MiB stack (a default thread's), so a decoder must stay
//! within the depth limit without the RPC workers' larger stacks.

use anyhow::Context;
use bytes::Bytes;
use codec::Encode;
use ecochain_consensus::{
    codec::EcoCodec,
    context::{Address, BlockHash, EcoContext, Height, ProposalPart, Signature},
    stream::{Assembler, Limits, Part, PartOutcome},
};
use ecochain_runtime::{decode, RuntimeCall};
use malachitebft_app_channel::app::{
    streaming::{StreamContent, StreamId, StreamMessage},
    types::{codec::Codec, core::Round},
};
use sp_core::H256;
use sp_runtime::traits::Header as _;
use std::time::{Duration, Instant};

/// Arguments of `fuzz`.
#[derive(Debug, clap::Args)]
pub struct FuzzArgs {
    /// Target: extrinsic, block, batch, consensus, stream, journal, or all.
    #[arg(long, default_value = "all")]
    pub target: String,
    /// Seconds per target.
    #[arg(long, default_value_t = 10)]
    pub secs: u64,
    /// Random seed (default: from the clock; printed so a run can be repeated).
    #[arg(long)]
    pub seed: Option<u64>,
}

const TARGETS: [&str; 6] = ["extrinsic", "block", "batch", "consensus", "stream", "journal"];

/// A small xorshift generator: repeatable from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// One mutation of `input` (or a fresh random input).
fn mutate(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    if rng.below(16) == 0 {
        let len = rng.below(4096);
        return rng.bytes(len);
    }
    let pick = rng.below(corpus.len());
    let mut input = corpus[pick].clone();
    for _ in 0..=rng.below(8) {
        let len = input.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = [0x00, 0xff, 0x7f, 0x80, 0x03, 0xfc][rng.below(6)];
            }
            2 => {
                let at = rng.below(len + 1);
                let n = rng.below(64);
                let extra = rng.bytes(n);
                input.splice(at..at, extra);
            }
            3 if len > 0 => {
                let at = rng.below(len);
                let end = (at + rng.below(64)).min(len);
                input.drain(at..end);
            }
            4 if len > 0 => {
                let at = rng.below(len);
                let end = (at + rng.below(256)).min(len);
                let copy = input[at..end].to_vec();
                let to = rng.below(input.len() + 1);
                input.splice(to..to, copy);
            }
            5 => {
                let other = &corpus[rng.below(corpus.len())];
                let other = other.clone();
                let cut = rng.below(other.len() + 1);
                let at = rng.below(len + 1);
                input.truncate(at);
                input.extend_from_slice(&other[cut..]);
            }
            6 => {
                // A large length prefix where a vector's length goes.
                let at = rng.below(len + 1);
                let prefix: &[u8] =
                    [&[0xff, 0xff, 0xff, 0xff][..], &[0x03, 0xff, 0xff, 0xff, 0x7f], &[0xfe, 0xff, 0x03, 0x00]]
                        [rng.below(3)];
                input.splice(at..at, prefix.iter().copied());
            }
            _ => input.truncate(rng.below(len + 1)),
        }
    }
    input
}

fn transfer(nonce: u32) -> Vec<u8> {
    let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
        dest: sp_keyring::Sr25519Keyring::Bob.to_account_id().into(),
        value: 1_000,
    });
    ecochain_runtime::signing::sign_immortal(
        call,
        &sp_keyring::Sr25519Keyring::Alice.pair(),
        nonce,
        H256::repeat_byte(1),
    )
    .encode()
}

fn nested(depth: usize) -> Vec<u8> {
    let empty = RuntimeCall::Utility(pallet_utility::Call::batch { calls: Vec::new() }).encode();
    let mut body = vec![0x04u8];
    for _ in 0..depth {
        body.extend_from_slice(&[empty[0], empty[1], 4]);
    }
    body.extend(RuntimeCall::System(frame_system::Call::remark { remark: vec![1, 2, 3] }).encode());
    body.encode()
}

fn header() -> ecochain_runtime::Header {
    ecochain_runtime::Header::new(
        7,
        H256::repeat_byte(2),
        H256::repeat_byte(3),
        H256::repeat_byte(4),
        Default::default(),
    )
}

fn init_part() -> ProposalPart {
    ProposalPart::Init {
        height: Height(5),
        round: Round::new(0),
        pol_round: Round::Nil,
        proposer: Address([9; 32]),
        block_hash: BlockHash([8; 32]),
        total_len: 1000,
        signature: Signature([7; 64]),
    }
}

fn consensus_seeds() -> Vec<Vec<u8>> {
    let msg = |seq, content| StreamMessage::new(StreamId::new(Bytes::from_static(b"stream-1")), seq, content);
    let codec = EcoCodec;
    [
        msg(0, StreamContent::Data(init_part())),
        msg(1, StreamContent::Data(ProposalPart::Data(vec![5; 300]))),
        msg(2, StreamContent::Data(ProposalPart::Fin(Signature([7; 64])))),
        msg(3, StreamContent::Fin),
    ]
    .iter()
    .filter_map(|m| Codec::<StreamMessage<ProposalPart>>::encode(&codec, m).ok().map(|b| b.to_vec()))
    .collect()
}

/// Feed `input` to one decoder; `Err` names what went wrong beyond a refusal.
fn run_one(target: &str, input: &[u8], limits: &Limits) -> Result<(), String> {
    match target {
        "extrinsic" => {
            let _ = decode::decode_extrinsic(input);
        }
        "block" => {
            if let Ok((_, extrinsics)) = decode::decode_wire_block(input) {
                let _ = decode::decode_extrinsics(&extrinsics);
            }
        }
        "batch" => {
            if let Some(entries) = ecochain_network::decode_batch(input) {
                let total: usize = entries.iter().map(|e| e.len() + 4).sum();
                if total != input.len() {
                    return Err(format!("batch entries cover {total} of {} bytes", input.len()));
                }
            }
        }
        "consensus" => {
            let codec = EcoCodec;
            let bytes = Bytes::copy_from_slice(input);
            let _ = Codec::<StreamMessage<ProposalPart>>::decode(&codec, bytes.clone());
            let _ = Codec::<ProposalPart>::decode(&codec, bytes.clone());
            let _ = Codec::<malachitebft_core_consensus::SignedConsensusMsg<EcoContext>>::decode(&codec, bytes.clone());
            let _ = Codec::<malachitebft_core_consensus::LivenessMsg<EcoContext>>::decode(&codec, bytes.clone());
            let _ = Codec::<malachitebft_sync::Status<EcoContext>>::decode(&codec, bytes.clone());
            let _ = Codec::<malachitebft_sync::Request<EcoContext>>::decode(&codec, bytes.clone());
            let _ = Codec::<malachitebft_sync::Response<EcoContext>>::decode(&codec, bytes);
            let _ = ecochain_consensus::codec::decode_certificate(input);
        }
        "stream" => {
            // The bytes drive a sequence of parts from three peers.
            let mut asm: Assembler<u8> = Assembler::new(*limits);
            for (i, chunk) in input.chunks(6).enumerate() {
                let get = |k: usize| chunk.get(k).copied().unwrap_or(0);
                let (peer, stream, seq) = (get(0) % 3, [get(1) % 4], u64::from(get(2) % 40));
                let len = usize::from(get(4)) * 64;
                let part = match get(3) % 4 {
                    0 => Part::Data(init_part()),
                    1 => Part::Data(ProposalPart::Data(vec![get(5); len])),
                    2 => Part::Data(ProposalPart::Fin(Signature([7; 64]))),
                    _ => Part::End,
                };
                let accept = get(5) % 2 == 0;
                let out = asm.receive(&peer, &stream, seq, part, i as u64, |_| {
                    if accept {
                        Ok(())
                    } else {
                        Err(ecochain_consensus::stream::ProposalError::BadSignature)
                    }
                });
                if let PartOutcome::Complete(a) = out {
                    if a.data.len() != a.init.total_len as usize {
                        return Err("a completed stream of the wrong length".into());
                    }
                }
                for p in 0..3u8 {
                    if asm.peer_bytes(&p) > limits.max_bytes_per_peer {
                        return Err(format!("peer {p} buffers {} bytes", asm.peer_bytes(&p)));
                    }
                }
            }
        }
        "journal" => {
            let entries = ecochain_client::journal::parse(input);
            if entries.iter().map(|e| e.len() + 4).sum::<usize>() > input.len() {
                return Err("journal entries longer than the file".into());
            }
        }
        other => return Err(format!("unknown target {other}")),
    }
    Ok(())
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    match target {
        "extrinsic" => vec![transfer(0), nested(3), nested(255), nested(300)],
        "block" => {
            vec![(header(), vec![transfer(0), transfer(1)]).encode(), (header(), Vec::<Vec<u8>>::new()).encode()]
        }
        "batch" => {
            let batch = |txs: &[Vec<u8>]| {
                txs.iter().flat_map(|t| (t.len() as u32).to_le_bytes().into_iter().chain(t.iter().copied())).collect()
            };
            vec![batch(&[transfer(0), transfer(1)]), batch(&[Vec::new()])]
        }
        "consensus" => consensus_seeds(),
        "stream" => vec![(0..240u8).collect(), vec![0; 60]],
        _ => vec![[4u32.to_le_bytes().to_vec(), b"abcd".to_vec()].concat(), Vec::new()],
    }
}

/// Run the loop for one target; returns the inputs tried.
fn fuzz_target(target: &str, secs: u64, seed: u64) -> anyhow::Result<u64> {
    let corpus = seeds(target);
    let limits = Limits { max_block_bytes: 8 * 1024, max_part_bytes: 4096, ..Limits::default() };
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut rng = Rng(seed | 1);
    let mut tried = 0u64;
    while Instant::now() < deadline {
        for _ in 0..64 {
            let input = mutate(&mut rng, &corpus);
            let outcome = std::panic::catch_unwind(|| run_one(target, &input, &limits));
            match outcome {
                Ok(Ok(())) => {}
                Ok(Err(finding)) => anyhow::bail!("{target}: {finding} on input 0x{}", hex::encode(&input)),
                Err(_) => anyhow::bail!("{target}: panic on input 0x{}", hex::encode(&input)),
            }
            tried += 1;
        }
    }
    Ok(tried)
}

/// `ecochain-bench fuzz`.
pub fn run(args: FuzzArgs) -> anyhow::Result<()> {
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    });
    let targets: Vec<&str> = if args.target == "all" { TARGETS.to_vec() } else { vec![args.target.as_str()] };
    println!("fuzz seed {seed}, {} s per target", args.secs);
    for target in targets {
        let (name, secs) = (target.to_string(), args.secs);
        let tried = std::thread::Builder::new()
            .name(format!("fuzz-{name}"))
            .stack_size(2 * 1024 * 1024)
            .spawn(move || fuzz_target(&name, secs, seed))
            .context("starting the fuzz thread")?
            .join()
            .map_err(|_| anyhow::anyhow!("fuzz thread panicked"))??;
        println!("| fuzz {target} | {tried} inputs | no panic, no overflow, bounds held |");
    }
    Ok(())
}
