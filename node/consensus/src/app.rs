//! The application loop: answers Malachite's requests.
//!
//! - A height is a block number; the validator set of height `h` is the one in
//!   the state of block `h - 1` (`PermissionsApi_validators`), so a voted
//!   change takes effect at the same height on every node.
//! - The proposer builds a block from its pool (`GetValue`), keeps its state
//!   changes, and streams the encoded block as proposal parts signed at the end.
//! - Other validators reassemble the stream, check proposer and signature,
//!   execute the block on its parent state (and its timestamp against their
//!   clock), and report it valid or invalid.
//! - A decided block is committed with its commit certificate as the block's
//!   justification (engine id `ecochain_primitives::CONSENSUS_ENGINE_ID`), in the same RocksDB batch.
//! - Decided blocks are served to syncing peers with their certificates.

use crate::{
    block::{check_extends, check_header, check_timestamp, BlockError},
    codec::{decode_certificate, encode_certificate},
    context::{Address, BlockHash, BlockValue, EcoContext, Height, ProposalPart, ValidatorSet},
    signing::EcoSigner,
    stream::{check_init, init_bytes, Assembled, Assembler, Init, Limits, Part, PartOutcome, PART_BYTES},
};
use bytes::Bytes;
use codec::Encode;
use ecochain_client::{authoring::Proposer, Client, StoredBlock, TransactionPool};
use ecochain_executor::BuiltBlock;
use ecochain_primitives::CONSENSUS_ENGINE_ID;
use ecochain_runtime::Header;
use malachitebft_app_channel::{
    app::{
        engine::host::{HeightParams, Next, SyncedValueOutcome},
        streaming::{StreamContent, StreamId, StreamMessage},
        types::{
            core::{
                CommitCertificate, ExtendedCommitCertificate, ExtendedCommitSignature, LinearTimeouts, Round, Validity,
            },
            sync::RawDecidedValue,
            LocallyProposedValue, PeerId, ProposedValue,
        },
    },
    AppMsg, Channels, NetworkMsg,
};
use parking_lot::RwLock;
use sp_core::H256;
use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// Most complete proposals kept for the next height.
const MAX_PENDING: usize = 8;
/// Most blocks served in one sync response.
const MAX_SYNC_BATCH: u64 = 16;

/// What `consensus_status` reports.
#[derive(Clone, Debug, Default)]
pub struct Status {
    /// Height being decided.
    pub height: u64,
    /// Current round.
    pub round: i64,
    /// Proposer of the current round.
    pub proposer: Option<[u8; 32]>,
    /// Our role in the round.
    pub role: String,
    /// Consensus keys of the current validators.
    pub validators: Vec<[u8; 32]>,
    /// When the current round started.
    pub round_started: Option<Instant>,
    /// The last decided height and its certificate's signers.
    pub last_decided: Option<(u64, H256, u32, Vec<[u8; 32]>)>,
    /// Validators whose votes for the current round arrived (or our own).
    pub heard: std::collections::BTreeSet<[u8; 32]>,
    /// Proposers seen signing two blocks for one (height, round).
    pub equivocations: u64,
    /// Proposal parts refused (bad signature, wrong proposer, over a bound …).
    pub refused_parts: u64,
}

/// Shared view of consensus progress.
pub type SharedStatus = Arc<RwLock<Status>>;

/// Settings of the application loop.
#[derive(Clone)]
pub struct AppConfig {
    /// Round timeouts (linear back-off, capped).
    pub timeouts: LinearTimeouts,
    /// Target time per height (paces block production).
    pub target_block_time: Duration,
    /// Without transactions, a proposer waits up to this long after the
    /// last block before proposing an empty one (`None`: never waits).
    pub heartbeat: Option<Duration>,
}

/// A block known for the current heights: built here, received, or synced.
struct Candidate {
    height: u64,
    round: Round,
    pol_round: Round,
    proposer: Address,
    header: Header,
    extrinsics: Vec<Vec<u8>>,
    changes: Option<sp_state_machine::StorageChanges<sp_runtime::traits::BlakeTwo256>>,
    validity: Validity,
}

impl Candidate {
    fn proposed_value(&self) -> ProposedValue<EcoContext> {
        ProposedValue {
            height: Height(self.height),
            round: self.round,
            valid_round: self.pol_round,
            proposer: self.proposer,
            value: BlockValue(BlockHash(self.header.hash().0)),
            validity: self.validity,
        }
    }
}

/// The application state.
pub struct App {
    ctx: EcoContext,
    client: Arc<Client>,
    pool: Arc<TransactionPool>,
    proposer: Arc<Proposer>,
    signer: Option<Arc<EcoSigner>>,
    config: AppConfig,
    status: SharedStatus,
    height: u64,
    validators: ValidatorSet,
    candidates: HashMap<BlockHash, Candidate>,
    streams: Assembler<PeerId>,
    limits: Limits,
    /// libp2p ids of the current and scheduled validators' nodes (registered
    /// on chain with `permissions.setNodeId`): the only publishers whose
    /// proposal parts are looked at.
    validator_peers: std::collections::HashSet<PeerId>,
    /// Complete proposals for the next height.
    pending: Vec<Assembled>,
    stream_nonce: u32,
    last_commit: Instant,
    /// A height whose decided block could not be committed: its `Finalized`
    /// restarts it, so value sync brings the block again.
    uncommitted: Option<u64>,
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// The validator set in the state of block `hash`.
pub fn validator_set_at(client: &Client, hash: &H256) -> eyre::Result<ValidatorSet> {
    let validators = client.runtime_api(*hash).validators()?;
    eyre::ensure!(!validators.is_empty(), "empty validator set at {hash:?}");
    Ok(ValidatorSet::new(validators.into_iter().map(|v| v.consensus_key)))
}

/// The node peer id of every current and scheduled validator in the state of
/// block `hash`, by consensus key. A validator's network key is a node key
/// apart from its consensus key, registered on chain (`permissions.setNodeId`);
/// one that registered none runs with its consensus key's peer id (as every
/// validator did before node keys).
pub fn validator_nodes_at(client: &Client, hash: &H256) -> eyre::Result<HashMap<[u8; 32], String>> {
    let nodes = client.runtime_api(*hash).validator_nodes()?;
    Ok(nodes
        .into_iter()
        .filter_map(|(key, registered)| {
            let id = match registered {
                Some(id) => String::from_utf8(id).ok()?,
                None => crate::peer_id_of_public(key).ok()?,
            };
            Some((key, id))
        })
        .collect())
}

/// The libp2p peer ids of the validators' nodes in the state of block `hash`.
fn validator_peers_at(client: &Client, hash: &H256) -> eyre::Result<std::collections::HashSet<PeerId>> {
    Ok(validator_nodes_at(client, hash)?.into_values().filter_map(|id| id.parse().ok()).collect())
}

/// Encode a block as it travels in proposal parts and sync responses.
pub fn encode_block(header: &Header, extrinsics: &[Vec<u8>]) -> Vec<u8> {
    (header, extrinsics).encode()
}

fn decode_block(bytes: &[u8]) -> Option<(Header, Vec<Vec<u8>>)> {
    ecochain_runtime::decode::decode_wire_block(bytes).ok()
}

/// The justification carrying a commit certificate.
pub fn certificate_justification(cert: &CommitCertificate<EcoContext>) -> sp_runtime::Justifications {
    let ext = ExtendedCommitCertificate {
        height: cert.height,
        round: cert.round,
        value_id: cert.value_id,
        commit_signatures: cert
            .commit_signatures
            .iter()
            .map(|s| ExtendedCommitSignature { address: s.address, signature: s.signature, extension: None })
            .collect(),
    };
    sp_runtime::Justifications::from((CONSENSUS_ENGINE_ID, encode_certificate(&ext)))
}

/// The commit certificate stored with a block.
pub fn stored_certificate(block: &StoredBlock) -> Option<ExtendedCommitCertificate<EcoContext>> {
    block.justifications.as_ref()?.get(CONSENSUS_ENGINE_ID).and_then(|j| decode_certificate(j).ok())
}

impl App {
    /// A new application loop state.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        ctx: EcoContext,
        client: Arc<Client>,
        pool: Arc<TransactionPool>,
        proposer: Arc<Proposer>,
        signer: Option<Arc<EcoSigner>>,
        config: AppConfig,
        status: SharedStatus,
    ) -> eyre::Result<Self> {
        let finalized = client.finalized_header();
        let validators = validator_set_at(&client, &finalized.hash())?;
        let validator_peers = validator_peers_at(&client, &finalized.hash())?;
        Ok(Self {
            ctx,
            client,
            pool,
            proposer,
            signer,
            config,
            status,
            height: u64::from(finalized.number) + 1,
            validators,
            candidates: HashMap::new(),
            streams: Assembler::new(Limits::default()),
            limits: Limits::default(),
            validator_peers,
            pending: Vec::new(),
            stream_nonce: 0,
            last_commit: Instant::now(),
            uncommitted: None,
        })
    }

    fn params(&self, validators: ValidatorSet) -> HeightParams<EcoContext> {
        HeightParams::new(validators, self.config.timeouts, Some(self.config.target_block_time))
    }

    /// Enter `height`, whose validators are those in the state of `parent`.
    fn enter_height(&mut self, height: u64, parent: &H256, validators: ValidatorSet) {
        self.height = height;
        match validator_peers_at(&self.client, parent) {
            Ok(peers) => self.validator_peers = peers,
            // Keep the last known ones: a set change is rare, a read error transient.
            Err(e) => tracing::warn!(target: "consensus", error = %e, "cannot read the validators' node ids"),
        }
        self.validators = validators.clone();
        self.candidates.retain(|_, c| c.height >= height);
        self.pending.retain(|p| p.init.height.0 >= height);
        self.streams.prune(height, now_ms());
        let mut status = self.status.write();
        status.height = height;
        status.validators = validators.validators().iter().map(|v| v.address.0).collect();
    }

    /// Run until the engine closes the channel. Every request is answered
    /// here or in its handler, also on error (see [`App::handle`]); only a node
    /// that cannot read its own finalized state stops the loop.
    pub async fn run(mut self, mut channels: Channels<EcoContext>) -> eyre::Result<()> {
        while let Some(msg) = channels.consensus.recv().await {
            self.handle(msg, &channels).await?;
        }
        tracing::warn!(target: "consensus", "consensus engine stopped");
        Ok(())
    }

    /// Answer one engine request. On error the answer is the one that keeps
    /// the engine safe and live:
    /// - `GetValue` without a block to offer drops its reply: the engine
    ///   treats it as a proposer that is down (the round's propose timeout
    ///   passes and validators prevote nil);
    /// - `Decided` whose block cannot be committed replies, and the
    ///   `Finalized` that follows restarts the height (value sync brings the
    ///   block);
    /// - `ConsensusReady` retries reading the finalized state, then stops.
    async fn handle(&mut self, msg: AppMsg<EcoContext>, channels: &Channels<EcoContext>) -> eyre::Result<()> {
        match msg {
            AppMsg::ConsensusReady { reply } => {
                let (height, validators) = self.ready().await?;
                tracing::info!(target: "consensus", height, validators = validators.validators().len(), "consensus ready");
                let _ = reply.send((Height(height), self.params(validators)));
            }
            AppMsg::StartedRound { height, round, proposer, role, reply_value } => {
                {
                    let mut status = self.status.write();
                    status.height = height.0;
                    status.round = round.as_i64();
                    status.proposer = Some(proposer.0);
                    status.role = format!("{role:?}");
                    status.round_started = Some(Instant::now());
                }
                tracing::debug!(target: "consensus", height = height.0, round = round.as_i64(), %proposer, ?role, "round started");
                // Proposals that arrived before we reached this height.
                let pending = std::mem::take(&mut self.pending);
                for p in pending {
                    if p.init.height == height {
                        self.verify_proposal(p).await;
                    } else {
                        self.pending.push(p);
                    }
                }
                let values = self
                    .candidates
                    .values()
                    .filter(|c| c.height == height.0 && c.round == round)
                    .map(Candidate::proposed_value)
                    .collect();
                let _ = reply_value.send(values);
            }
            AppMsg::GetValue { height, round, timeout, reply } => {
                match self.get_value(height, round, timeout, channels).await {
                    Ok(value) => {
                        let _ = reply.send(value);
                    }
                    Err(e) => {
                        tracing::warn!(target: "consensus", height = height.0, round = round.as_i64(), error = %e, "no block to propose; the round's propose timeout applies");
                        drop(reply);
                    }
                }
            }
            AppMsg::ExtendVote { reply, .. } => {
                let _ = reply.send(None);
            }
            AppMsg::VerifyVoteExtensions { extensions, reply, .. } => {
                let _ = reply.send(extensions.into_iter().map(|(address, _)| (address, Ok(()))).collect());
            }
            AppMsg::RestreamProposal { height, round, valid_round, value_id, .. } => {
                if let Some(c) = self.candidates.get(&value_id) {
                    let (header, extrinsics) = (c.header.clone(), c.extrinsics.clone());
                    self.stream_proposal(height, round, valid_round, &header, &extrinsics, channels).await;
                }
            }
            AppMsg::GetHistoryMinHeight { reply } => {
                let _ = reply.send(Height(1));
            }
            AppMsg::ReceivedProposalPart { from, published_by, part, reply } => {
                let value = self.received_part(published_by.unwrap_or(from), part).await;
                let _ = reply.send(value);
            }
            AppMsg::Decided { certificate, reply, .. } => {
                if let Err(e) = self.commit(&certificate).await {
                    tracing::error!(target: "consensus", height = certificate.height.0, error = %e, "decided block not committed; the height restarts and sync brings it");
                    self.uncommitted = Some(certificate.height.0);
                }
                let _ = reply.send(());
            }
            AppMsg::Finalized { certificate, reply, .. } => {
                let next = self.finalized(&certificate).await;
                let _ = reply.send(next);
            }
            AppMsg::GetDecidedValues { range, reply } => {
                let _ = reply.send(self.decided_values(range.start().0, range.end().0));
            }
            AppMsg::ProcessSyncedValue { height, round, proposer, value_bytes, reply } => {
                let outcome = self.synced_value(height, round, proposer, value_bytes).await;
                let _ = reply.send(outcome);
            }
        }
        Ok(())
    }

    /// The height to start at and its validators, from the finalized state;
    /// retried a few times (a busy disk), then an error that stops the loop.
    async fn ready(&mut self) -> eyre::Result<(u64, ValidatorSet)> {
        let mut attempt = 0;
        loop {
            let finalized = self.client.finalized_header();
            match validator_set_at(&self.client, &finalized.hash()) {
                Ok(validators) => {
                    let height = u64::from(finalized.number) + 1;
                    self.enter_height(height, &finalized.hash(), validators.clone());
                    return Ok((height, validators));
                }
                Err(e) if attempt < 5 => {
                    attempt += 1;
                    tracing::warn!(target: "consensus", error = %e, attempt, "cannot read the validator set; retrying");
                    tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
                }
                Err(e) => return Err(e.wrap_err("reading the validator set of the finalized block")),
            }
        }
    }

    async fn get_value(
        &mut self,
        height: Height,
        round: Round,
        timeout: Duration,
        channels: &Channels<EcoContext>,
    ) -> eyre::Result<LocallyProposedValue<EcoContext>> {
        let me =
            self.signer.as_ref().map(|s| s.address()).ok_or_else(|| eyre::eyre!("asked to propose without a key"))?;
        if let Some(c) = self.candidates.values().find(|c| c.height == height.0 && c.round == round && c.proposer == me)
        {
            let (header, extrinsics) = (c.header.clone(), c.extrinsics.clone());
            let hash = header.hash();
            self.stream_proposal(height, round, Round::Nil, &header, &extrinsics, channels).await;
            return Ok(LocallyProposedValue::new(height, round, BlockValue(BlockHash(hash.0))));
        }
        let started = Instant::now();
        if let Some(heartbeat) = self.config.heartbeat {
            // No empty blocks unless the heartbeat passes; never past the propose timeout.
            let deadline = (self.last_commit + heartbeat).min(started + timeout.mul_f32(0.8));
            while self.pool.status().ready == 0 && Instant::now() < deadline {
                let _ = tokio::time::timeout_at(deadline.into(), self.pool.wait_ready()).await;
            }
        }
        let proposer = self.proposer.clone();
        let built: BuiltBlock = tokio::task::spawn_blocking(move || proposer.propose()).await??;
        eyre::ensure!(
            u64::from(built.header.number) == height.0,
            "built block #{} for height {}: the best block moved",
            built.header.number,
            height.0
        );
        let hash = built.header.hash();
        tracing::info!(
            target: "consensus",
            height = height.0,
            round = round.as_i64(),
            %hash,
            txs = built.extrinsics.len().saturating_sub(1),
            ms = started.elapsed().as_millis() as u64,
            budget_ms = timeout.as_millis() as u64,
            "proposing"
        );
        let (header, extrinsics) = (built.header.clone(), built.extrinsics.clone());
        self.candidates.insert(
            BlockHash(hash.0),
            Candidate {
                height: height.0,
                round,
                pol_round: Round::Nil,
                proposer: me,
                header: built.header,
                extrinsics: built.extrinsics,
                changes: Some(built.changes),
                validity: Validity::Valid,
            },
        );
        self.stream_proposal(height, round, Round::Nil, &header, &extrinsics, channels).await;
        Ok(LocallyProposedValue::new(height, round, BlockValue(BlockHash(hash.0))))
    }

    async fn stream_proposal(
        &mut self,
        height: Height,
        round: Round,
        pol_round: Round,
        header: &Header,
        extrinsics: &[Vec<u8>],
        channels: &Channels<EcoContext>,
    ) {
        let Some(signer) = self.signer.clone() else { return };
        let bytes = encode_block(header, extrinsics);
        let block_hash = BlockHash(header.hash().0);
        let total_len = bytes.len() as u32;
        let proposer = signer.address();
        let mut init = Init {
            height,
            round,
            pol_round,
            proposer,
            block_hash,
            total_len,
            signature: crate::context::Signature([0; 64]),
        };
        init.signature = signer.sign_raw(&init_bytes(&self.ctx.genesis, &init));
        self.stream_nonce = self.stream_nonce.wrapping_add(1);
        let mut id = Vec::with_capacity(16);
        id.extend_from_slice(&height.0.to_be_bytes());
        id.extend_from_slice(&(round.as_i64() as u32).to_be_bytes());
        id.extend_from_slice(&self.stream_nonce.to_be_bytes());
        let stream_id = StreamId::new(Bytes::from(id));
        let mut parts = vec![init.to_part()];
        parts.extend(bytes.chunks(PART_BYTES).map(|c| ProposalPart::Data(c.to_vec())));
        parts.push(ProposalPart::Fin(init.signature));
        let count = parts.len() as u64;
        for (seq, part) in parts.into_iter().enumerate() {
            let msg = StreamMessage::new(stream_id.clone(), seq as u64, StreamContent::Data(part));
            if channels.network.send(NetworkMsg::PublishProposalPart(msg)).await.is_err() {
                return;
            }
        }
        let fin = StreamMessage::new(stream_id, count, StreamContent::Fin);
        let _ = channels.network.send(NetworkMsg::PublishProposalPart(fin)).await;
    }

    async fn received_part(
        &mut self,
        from: PeerId,
        part: StreamMessage<ProposalPart>,
    ) -> Option<ProposedValue<EcoContext>> {
        if !self.validator_peers.contains(&from) {
            // Not published by a validator: nothing to buffer (the signed first part would fail anyway).
            self.status.write().refused_parts += 1;
            tracing::debug!(target: "consensus", %from, "proposal part from a non-validator dropped");
            return None;
        }
        let stream = part.stream_id.to_bytes();
        let content = match part.content {
            StreamContent::Data(p) => Part::Data(p),
            StreamContent::Fin => Part::End,
        };
        let (genesis, height, limits) = (self.ctx.genesis, self.height, self.limits);
        let validators = self.validators.clone();
        let outcome = self.streams.receive(&from, &stream, part.sequence, content, now_ms(), |init| {
            check_init(&genesis, &validators, height, init, &limits)
        });
        for e in self.streams.take_evidence() {
            self.status.write().equivocations += 1;
            tracing::warn!(
                target: "consensus",
                proposer = %e.proposer,
                height = e.height,
                round = e.round,
                first = %hex::encode(e.first.0),
                second = %hex::encode(e.second.0),
                "equivocation: the proposer signed two blocks for one round"
            );
        }
        match outcome {
            PartOutcome::Pending => None,
            PartOutcome::Refused(reason) => {
                self.status.write().refused_parts += 1;
                tracing::debug!(target: "consensus", %from, %reason, "proposal part refused");
                None
            }
            PartOutcome::Complete(assembled) if assembled.init.height.0 > self.height => {
                if self.pending.len() >= MAX_PENDING {
                    self.pending.remove(0);
                }
                self.pending.push(assembled);
                None
            }
            PartOutcome::Complete(assembled) if assembled.init.height.0 < self.height => None,
            PartOutcome::Complete(assembled) => self.verify_proposal(assembled).await,
        }
    }

    /// Check a complete proposal for the current height and execute it.
    async fn verify_proposal(&mut self, p: Assembled) -> Option<ProposedValue<EcoContext>> {
        // Checked when its Init arrived; again now, against this height's validator set
        // (a proposal for the next height was checked against the previous one).
        if let Err(reason) = check_init(&self.ctx.genesis, &self.validators, self.height, &p.init, &self.limits) {
            tracing::warn!(target: "consensus", height = p.init.height.0, %reason, "proposal refused");
            return None;
        }
        let Init { height, round, pol_round, proposer, block_hash, .. } = p.init;
        let Some((header, extrinsics)) = decode_block(&p.data) else {
            tracing::warn!(target: "consensus", height = height.0, %proposer, reason = %BlockError::NotABlock, "proposal refused");
            return None;
        };
        if let Some(c) = self.candidates.get(&block_hash) {
            if header.hash().0 == block_hash.0 && c.validity == Validity::Valid {
                return Some(ProposedValue { round, valid_round: pol_round, ..c.proposed_value() });
            }
        }
        let best = self.client.best_header();
        let (validity, changes) = match check_header(&header, block_hash, proposer, (best.number, best.hash())) {
            // A block that is not the signed one is no candidate at all.
            Err(reason @ BlockError::HashMismatch { .. }) => {
                tracing::warn!(target: "consensus", height = height.0, %proposer, %reason, "proposal refused");
                return None;
            }
            // We are behind (or the proposer is): invalid for us now, but not
            // remembered, so the block is judged again once we caught up (a
            // remembered verdict made a node that fell behind refuse the
            // decided block from value sync forever).
            Err(reason @ BlockError::NotOnBest { .. }) => {
                tracing::info!(target: "consensus", height = height.0, %proposer, %reason, "proposal for a block we cannot judge yet");
                let candidate = Candidate {
                    height: height.0,
                    round,
                    pol_round,
                    proposer,
                    header,
                    extrinsics,
                    changes: None,
                    validity: Validity::Invalid,
                };
                return Some(candidate.proposed_value());
            }
            Err(reason) => {
                tracing::warn!(target: "consensus", height = height.0, %proposer, %reason, "invalid proposal");
                (Validity::Invalid, None)
            }
            Ok(()) => self.execute(&header, &extrinsics, Some(now_ms())).await,
        };
        let candidate =
            Candidate { height: height.0, round, pol_round, proposer, header, extrinsics, changes, validity };
        let value = candidate.proposed_value();
        tracing::debug!(target: "consensus", height = height.0, round = round.as_i64(), ?validity, "proposal verified");
        self.candidates.insert(block_hash, candidate);
        Some(value)
    }

    /// Execute a block on its parent state; with `now` (ms), also check its
    /// timestamp against that clock.
    async fn execute(
        &self,
        header: &Header,
        extrinsics: &[Vec<u8>],
        now: Option<u64>,
    ) -> (Validity, Option<sp_state_machine::StorageChanges<sp_runtime::traits::BlakeTwo256>>) {
        let best = self.client.best_header();
        if let Err(reason) = check_extends(header, (best.number, best.hash())) {
            tracing::warn!(target: "consensus", %reason, "invalid block");
            return (Validity::Invalid, None);
        }
        let client = self.client.clone();
        let (header, extrinsics) = (header.clone(), extrinsics.to_vec());
        let outcome = tokio::task::spawn_blocking(move || -> Result<_, String> {
            let decoded = ecochain_runtime::decode::decode_extrinsics(&extrinsics).map_err(|e| e.to_string())?;
            if let Some(now) = now {
                check_timestamp(&decoded, now).map_err(|e| e.to_string())?;
            }
            let state = client.state_at(&header.parent_hash).map_err(|e| e.to_string())?;
            let block = ecochain_runtime::Block { header: header.clone(), extrinsics: decoded };
            let changes = client.executor().execute_block(&state, &block).map_err(|e| e.to_string())?;
            if changes.transaction_storage_root != header.state_root {
                return Err("state root mismatch".into());
            }
            Ok(changes)
        })
        .await;
        match outcome {
            Ok(Ok(changes)) => (Validity::Valid, Some(changes)),
            Ok(Err(reason)) => {
                tracing::warn!(target: "consensus", reason, "invalid block");
                (Validity::Invalid, None)
            }
            Err(e) => {
                tracing::error!(target: "consensus", error = %e, "block execution task failed");
                (Validity::Invalid, None)
            }
        }
    }

    /// Commit the decided block (idempotent: a WAL replay may decide it again).
    async fn commit(&mut self, cert: &CommitCertificate<EcoContext>) -> eyre::Result<()> {
        let hash = cert.value_id.h256();
        if self.client.header(&hash)?.is_some() {
            return Ok(());
        }
        let candidate = self
            .candidates
            .remove(&cert.value_id)
            .ok_or_else(|| eyre::eyre!("decided block {hash:?} is unknown here"))?;
        let justification = certificate_justification(cert);
        let number = candidate.header.number;
        let txs = candidate.extrinsics.len().saturating_sub(1);
        let client = self.client.clone();
        let started = Instant::now();
        let committed = tokio::task::spawn_blocking(move || match candidate.changes {
            Some(changes) => client.commit_built(
                BuiltBlock { header: candidate.header, extrinsics: candidate.extrinsics, changes },
                Some(justification),
                true,
            ),
            None => client.import_block(
                StoredBlock {
                    header: candidate.header,
                    extrinsics: candidate.extrinsics,
                    justifications: Some(justification),
                },
                true,
            ),
        })
        .await??;
        debug_assert_eq!(committed, hash);
        let signers: Vec<[u8; 32]> = cert.commit_signatures.iter().map(|s| s.address.0).collect();
        self.status.write().last_decided = Some((u64::from(number), hash, cert.round.as_i64() as u32, signers));
        // The client's commit hooks pruned the pool and updated the metrics.
        self.last_commit = Instant::now();
        tracing::info!(
            target: "consensus",
            number,
            %hash,
            round = cert.round.as_i64(),
            txs,
            signatures = cert.commit_signatures.len(),
            ms = started.elapsed().as_millis() as u64,
            "committed block"
        );
        Ok(())
    }

    async fn finalized(&mut self, cert: &CommitCertificate<EcoContext>) -> Next<EcoContext> {
        let hash = cert.value_id.h256();
        let height = cert.height.0;
        // The final certificate may carry more signatures than the decided one.
        if let Ok(Some(block)) = self.client.block(&hash) {
            let stored = stored_certificate(&block).map(|c| c.commit_signatures.len()).unwrap_or(0);
            if cert.commit_signatures.len() > stored {
                if let Err(e) = self.client.finalize(&hash, Some(certificate_justification(cert))) {
                    tracing::warn!(target: "consensus", error = %e, "could not store the final certificate");
                }
            }
        }
        if self.uncommitted.take() == Some(height) {
            return Next::Restart(Height(height), self.params(self.validators.clone()));
        }
        match self.client.header(&hash) {
            Ok(Some(_)) => match validator_set_at(&self.client, &hash) {
                Ok(validators) => {
                    self.enter_height(height + 1, &hash, validators.clone());
                    Next::Start(Height(height + 1), self.params(validators))
                }
                Err(e) => {
                    tracing::error!(target: "consensus", error = %e, "cannot read the next validator set");
                    Next::Restart(Height(height), self.params(self.validators.clone()))
                }
            },
            _ => {
                tracing::error!(target: "consensus", height, %hash, "finalized block is not stored; restarting the height");
                Next::Restart(Height(height), self.params(self.validators.clone()))
            }
        }
    }

    fn decided_values(&self, start: u64, end: u64) -> Vec<RawDecidedValue<EcoContext>> {
        let best = u64::from(self.client.finalized_header().number);
        let end = end.min(best).min(start.saturating_add(MAX_SYNC_BATCH - 1));
        let mut values = Vec::new();
        for number in start.max(1)..=end {
            let Ok(Some(hash)) = self.client.hash(number as u32) else { break };
            let Ok(Some(block)) = self.client.block(&hash) else { break };
            let Some(cert) = stored_certificate(&block) else { break };
            values.push(RawDecidedValue::new(Bytes::from(encode_block(&block.header, &block.extrinsics)), cert));
        }
        values
    }

    async fn synced_value(
        &mut self,
        height: Height,
        round: Round,
        proposer: Address,
        bytes: Bytes,
    ) -> SyncedValueOutcome<EcoContext> {
        let Some((header, extrinsics)) = decode_block(&bytes) else { return SyncedValueOutcome::PeerFault };
        if u64::from(header.number) != height.0 {
            return SyncedValueOutcome::PeerFault;
        }
        let hash = BlockHash(header.hash().0);
        if let Some(c) = self.candidates.get(&hash) {
            // A verdict of invalid came from judging it as a proposal (our clock,
            // our best block then); a decided block is judged again below.
            if c.validity == Validity::Valid {
                return SyncedValueOutcome::Verdict(c.proposed_value());
            }
        }
        if self.client.best_header().number + 1 != header.number {
            return SyncedValueOutcome::LocalTransientError;
        }
        // The engine checked the certificate: 2/3 of the voting power decided
        // this block. If it does not execute here, the fault is ours (a read
        // error, a block that moved): a verdict of invalid would leave its
        // height reserved in value sync and the node stuck at it, so the
        // engine is told to ask again.
        let (validity, changes) = self.execute(&header, &extrinsics, None).await;
        if validity != Validity::Valid {
            tracing::warn!(target: "consensus", height = height.0, %hash, "a decided block from value sync did not execute here; asking again");
            return SyncedValueOutcome::LocalTransientError;
        }
        let candidate = Candidate {
            height: height.0,
            round,
            pol_round: Round::Nil,
            proposer,
            header,
            extrinsics,
            changes,
            validity,
        };
        let value = candidate.proposed_value();
        self.candidates.insert(hash, candidate);
        SyncedValueOutcome::Verdict(value)
    }
}
