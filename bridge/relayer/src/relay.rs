//! The relaying loop.
//!
//! Each round reads a finalized chain block and the EVM chain's final block,
//! audits the supply, then:
//!
//! - **outbound**: for every chain nonce from the cursor up to `next_nonce`
//!   (at most `window` per round), approve the mint on `EcoBridge` unless it is
//!   minted already or we approved it; the cursor passes a nonce once that is
//!   true at the EVM final block, so an approval lost to an EVM reorg is sent
//!   again;
//! - **inbound**: scan `Returned` logs up to the final block, record each burn
//!   together with the moved cursor in one synced batch, and approve its release
//!   on chain until the pallet reports it executed (executing delayed releases
//!   once their delay passed).
//!
//! Both sides are idempotent (the contract and the pallet refuse a second
//! approval and a second mint/release), so after a crash the relayer simply
//! re-reads both chains from its cursors.

use crate::{
    audit,
    chain::{ChainClient, SignedCommitment},
    config::Config,
    db::{Db, Inbound},
    decide,
    evm::{self, EvmClient, ReturnedLog},
    finality::FinalityClient,
    keys,
    metrics::Metrics,
};
use alloy::{
    eips::BlockId,
    primitives::{Bytes, B256},
};
use anyhow::{anyhow, Context};
use ecochain_runtime::{AccountId, RuntimeCall, ECT};
use pallet_bridge::{messages, Asset, SourceKey};
use sp_core::{crypto::Ss58Codec, sr25519, Pair, H256};
use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tracing::{error, info, warn};

/// Something the relayer sends, throttled by `retry_ms`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Work {
    Commit(u64),
    Mint(u64),
    Approve(SourceKey),
    Execute(SourceKey),
}

/// One relayer.
pub struct Relayer {
    config: Config,
    db: Db,
    chain: ChainClient,
    /// Verifies the chain's headers (commit certificates) for inbound reads.
    finality: FinalityClient,
    evm: EvmClient,
    key: sr25519::Pair,
    me: AccountId,
    metrics: Arc<Metrics>,
    sent: HashMap<Work, Instant>,
    /// Chain heights of consecutive failed audits.
    audits: crate::decide::AuditStrikes,
}

/// Rounds between two checks of every locked certificate's twin (one
/// `ownerOf` call per locked certificate).
const TWIN_CHECK_EVERY: u64 = 60;

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn to_ect_units(base: u128) -> f64 {
    base as f64 / ECT as f64
}

/// The chain-side transfer a `Returned` log of the bridge contract `bridge`
/// asks for.
pub fn inbound_of(log: &ReturnedLog, evm_chain_id: u64, bridge: sp_core::H160) -> anyhow::Result<Inbound> {
    let log_index = u32::try_from(log.log_index).context("log index above u32")?;
    let source: SourceKey = (evm_chain_id, bridge, H256(log.tx.0), log_index);
    let value = log.event.amountOrId;
    let asset = match log.event.kind {
        0 => Asset::Ect(u128::try_from(value).map_err(|_| anyhow!("amount {value} above u128"))?),
        1 => Asset::Ecr(u64::try_from(value).map_err(|_| anyhow!("token id {value} above u64"))?),
        kind => return Err(anyhow!("unknown asset kind {kind}")),
    };
    Ok(Inbound { source, asset, recipient: AccountId::new(log.event.chainRecipient.0), evm_block: log.block })
}

impl Relayer {
    /// Connect to both chains, load the keys, open the database.
    pub async fn start(config: Config, metrics: Arc<Metrics>) -> anyhow::Result<Self> {
        let chain = ChainClient::connect(&config.chain.rpc).await?;
        match config.chain.genesis {
            Some(pinned) => anyhow::ensure!(
                pinned == chain.genesis,
                "the chain node {} is on genesis {:?}, not the pinned {pinned:?}",
                config.chain.rpc,
                chain.genesis
            ),
            None => anyhow::ensure!(
                chain.dev_chain,
                "chain.genesis must pin the chain's genesis hash outside dev and local chains"
            ),
        }
        anyhow::ensure!(
            !config.chain.trust_node_finality || chain.dev_chain,
            "chain.trust_node_finality is for dev and local chains only"
        );
        let key = keys::chain_key(config.chain.key_file.as_deref(), chain.dev_chain)?;
        let evm_chain_id = evm::chain_id(&config.evm.rpc).await?;
        let signer = keys::evm_key(config.evm.key_file.as_deref(), evm_chain_id)?;
        let evm = EvmClient::connect(&config.evm, signer).await?;
        let identity =
            format!("bridge {} on EVM chain {evm_chain_id}, chain genesis {:?}", config.evm.bridge, chain.genesis);
        let db = Db::open(&config.relayer.database, &identity)?;
        let finality = FinalityClient::resume(chain.genesis, config.chain.trust_node_finality, db.finality()?);
        let me: AccountId = key.public().into();

        let fin = chain.finalized_head().await?;
        if !chain.is_relayer(&me, fin).await? {
            warn!(account = %me.to_ss58check(), "this account does not hold Role::Relayer on chain: its release approvals will fail");
        }
        let lc_genesis = evm.light_client.genesis().call().await.context("EcoLightClient.genesis")?;
        anyhow::ensure!(
            lc_genesis.0 == chain.genesis.0,
            "the bridge's light client follows genesis {lc_genesis}, the chain node is on {:?}",
            chain.genesis
        );
        let pending = db.pending_inbound()?;
        info!(
            chain_account = %me.to_ss58check(),
            evm_address = %evm.address,
            bridge = %config.evm.bridge,
            evm_chain_id,
            chain_cursor = db.chain_cursor()?.unwrap_or(config.evm.start_nonce),
            evm_cursor = ?db.evm_cursor()?,
            pending_inbound = pending.len(),
            "relayer started; unsettled work is reconciled against both chains in the first round"
        );
        Ok(Self {
            config,
            db,
            chain,
            finality,
            evm,
            key,
            me,
            metrics,
            sent: HashMap::new(),
            audits: Default::default(),
        })
    }

    /// Run rounds until `shutdown` resolves.
    pub async fn run(mut self, shutdown: impl std::future::Future<Output = ()>) -> anyhow::Result<()> {
        tokio::pin!(shutdown);
        let round_timeout = Duration::from_secs(self.config.relayer.round_timeout_secs);
        loop {
            let round = tokio::time::timeout(round_timeout, self.round())
                .await
                .unwrap_or_else(|_| Err(anyhow!("round abandoned after {round_timeout:?} (a stuck RPC endpoint?)")));
            match round {
                Ok(()) => self.metrics.round_done(),
                Err(e) => {
                    self.metrics.errors.with_label_values(&["round"]).inc();
                    warn!(error = format!("{e:#}"), "round failed; retrying");
                }
            }
            tokio::select! {
                _ = &mut shutdown => {
                    info!("shutting down");
                    return Ok(());
                }
                _ = tokio::time::sleep(self.config.relayer.poll()) => {}
            }
        }
    }

    /// Whether `work` may be sent now (not sent within `retry_ms`); marks it sent.
    fn due(&mut self, work: Work) -> bool {
        let retry = self.config.relayer.retry();
        let now = Instant::now();
        match self.sent.get(&work) {
            Some(at) if now.duration_since(*at) < retry => false,
            _ => {
                self.sent.insert(work, now);
                true
            }
        }
    }

    /// One round: audit, outbound, inbound.
    pub async fn round(&mut self) -> anyhow::Result<()> {
        if self.metrics.halted.get() != 0 {
            return Ok(());
        }
        // Forget sends long past their retry time (bounds the map), once a round.
        let forget = self.config.relayer.retry() * 10;
        self.sent.retain(|_, at| at.elapsed() < forget);
        // EVM first, then a chain head fetched after it: see `audit`. Every
        // `TWIN_CHECK_EVERY` rounds each locked certificate's twin is checked too.
        let twins = self.metrics.rounds.get().is_multiple_of(TWIN_CHECK_EVERY);
        let audit::Audit { report, head: fin, status } = audit::audit(&self.chain, &self.evm, twins).await?;
        if let Some(missing) = report.missing_twins.as_ref().filter(|m| !m.is_empty()) {
            info!(?missing, "locked certificates without a wrapped twin yet (in flight, or a mismatch if it persists)");
        }
        self.metrics.locked_ect.set(to_ect_units(report.locked_ect));
        self.metrics.wrapped_ect.set(to_ect_units(u128::try_from(report.wrapped_ect).unwrap_or(u128::MAX)));
        self.metrics.locked_ecr.set(report.locked_ecr.len() as i64);
        self.metrics.wrapped_ecr.set(i64::try_from(report.wrapped_ecr).unwrap_or(i64::MAX));
        self.metrics.audit_backed.set(i64::from(report.backed()));
        let halt = self.audits.record(report.chain_block, report.backed());
        if !report.backed() {
            warn!(strike = self.audits.count(), "supply audit failed:\n{report}");
            if halt {
                self.metrics.halted.set(1);
                error!(
                    "supply audit failed at {} chain heights in a row: relaying STOPPED. \
                     Investigate, then restart the relayer.\n{report}",
                    crate::decide::AUDIT_STRIKES
                );
            }
            return Ok(());
        }

        self.metrics.chain_height.set(report.chain_block as i64);
        let evm_final = self.evm.final_block().await?;
        self.metrics.evm_final_block.set(evm_final as i64);
        let outbound = self.outbound(fin, evm_final).await;
        if let Err(e) = &outbound {
            self.metrics.errors.with_label_values(&["evm"]).inc();
            warn!(error = format!("{e:#}"), "outbound (chain -> EVM) failed");
        }
        // A failing log scan must not hold back burns already recorded.
        let scan = self.scan(evm_final).await;
        if let Err(e) = &scan {
            self.metrics.errors.with_label_values(&["scan"]).inc();
            warn!(error = format!("{e:#}"), "EVM log scan failed");
        }
        if status.paused {
            info!("the chain bridge is paused: no release is submitted");
        } else {
            self.inbound(fin).await.context("inbound (EVM -> chain)")?;
        }
        self.metrics.rounds.inc();
        outbound.and(scan)
    }

    /// The certified commitment to carry to the light client: the chain's
    /// newest if the light client follows its set; else the newest of the
    /// light client's set, which covers the announcement of the next set.
    async fn commitment_to_carry(&self, fin: H256) -> anyhow::Result<Option<SignedCommitment>> {
        let Some(latest) = self.chain.commitment(fin).await? else { return Ok(None) };
        let lc_set = self.evm.light_client_set(BlockId::latest()).await?;
        let chain_set = latest.commitment.set_id;
        if chain_set == lc_set {
            return Ok(Some(latest));
        }
        if chain_set < lc_set {
            warn!(
                chain_set,
                lc_set, "the light client is ahead of the chain's key set (an emergency set?): nothing to carry"
            );
            return Ok(None);
        }
        let of_set = self.chain.set_commitment(lc_set, fin).await?;
        if of_set.is_none() {
            error!(lc_set, chain_set, "the chain has no certificate of the light client's set: it cannot follow without the admin's emergency set");
        }
        Ok(of_set)
    }

    /// Carry the chain's certified commitment and every message under it.
    async fn outbound(&mut self, fin: H256, evm_final: u64) -> anyhow::Result<()> {
        let Some(cert) = self.commitment_to_carry(fin).await? else { return Ok(()) };
        let c = &cert.commitment;
        let root = B256::from(c.root.0);
        if !self.evm.light_client.isAccepted(root).call().await.context("EcoLightClient.isAccepted")? {
            let latest = self.evm.light_client.latestBlock().call().await.context("EcoLightClient.latestBlock")?;
            // A newer commitment of this set already there: our view of the chain lags; wait.
            if c.block_number > latest && self.due(Work::Commit(c.block_number)) {
                let signatures = cert.signatures.iter().map(|(_, sig)| Bytes::from(sig.to_vec())).collect();
                match self.evm.submit_commitment(c.block_number, root, c.set_id, signatures).await {
                    Ok(tx) => {
                        self.metrics.approvals.with_label_values(&["commitment"]).inc();
                        info!(block = c.block_number, messages = c.messages, set_id = c.set_id, %tx, "commitment accepted by the light client");
                    }
                    // Another carrier may have submitted it: the next round re-reads.
                    Err(e) => warn!(block = c.block_number, error = format!("{e:#}"), "commitment not submitted"),
                }
            }
            return Ok(());
        }
        let cursor = self.db.chain_cursor()?.unwrap_or(0).max(self.config.evm.start_nonce);
        let end = c.messages.min(cursor.saturating_add(self.config.relayer.window));
        let evm_paused = self.evm.bridge.paused().call().await.context("EcoBridge.paused")?;
        let mut settled_final = Vec::new();
        let result = async {
            for nonce in cursor..end {
                let (message, proof) =
                    self.chain.message_proof(nonce, c.messages, fin).await?.ok_or_else(|| {
                        anyhow!("message {nonce} has no proof in the certified tree of {}", c.messages)
                    })?;
                let decoded = messages::decode(&message).ok_or_else(|| anyhow!("message {nonce} does not decode"))?;
                let announces = (decoded.kind == messages::KIND_SET)
                    .then(|| messages::set_id_of(&decoded.payload))
                    .map(|id| id.ok_or_else(|| anyhow!("SET message {nonce} does not decode")))
                    .transpose()?;
                let is_final = self.evm.settled(nonce, announces, BlockId::number(evm_final)).await?;
                settled_final.push(is_final);
                let latest = !is_final && self.evm.settled(nonce, announces, BlockId::latest()).await?;
                // A paused bridge stops mints, not the light client.
                let paused = evm_paused && announces.is_none();
                if decide::mint_step(is_final, latest, paused) == decide::MintStep::Approve
                    && self.due(Work::Mint(nonce))
                {
                    self.deliver(nonce, announces, message, root, proof).await;
                }
            }
            anyhow::Ok(())
        }
        .await;
        let new_cursor = decide::next_cursor(cursor, &settled_final);
        if new_cursor != cursor {
            self.db.set_chain_cursor(new_cursor)?;
        }
        self.metrics.chain_lag_nonces.set(c.messages.saturating_sub(new_cursor) as i64);
        result
    }

    /// Mint message `nonce`, or apply it to the light client if it announces a set.
    async fn deliver(&mut self, nonce: u64, announces: Option<u64>, message: Vec<u8>, root: B256, proof: Vec<H256>) {
        let Ok(proof) = <[B256; 32]>::try_from(proof.iter().map(|h| B256::from(h.0)).collect::<Vec<_>>()) else {
            error!(nonce, "a proof without 32 siblings");
            return;
        };
        let message = Bytes::from(message);
        let sent = match announces {
            Some(_) => self.evm.apply_set_change(message, root, proof).await,
            None => self.evm.mint(message, root, proof).await,
        };
        match sent {
            Ok(tx) => {
                self.metrics.approvals.with_label_values(&["evm"]).inc();
                match announces {
                    Some(set_id) => info!(nonce, set_id, %tx, "the light client follows the chain's new key set"),
                    None => info!(nonce, %tx, "minted on the EVM side"),
                }
            }
            // Another carrier may have delivered it meanwhile: the next round re-reads the contracts.
            Err(e) => warn!(nonce, error = format!("{e:#}"), "message not delivered"),
        }
    }

    /// Record the `Returned` logs of final blocks not yet scanned.
    async fn scan(&mut self, evm_final: u64) -> anyhow::Result<()> {
        let mut from = match self.db.evm_cursor()? {
            Some(done) => done + 1,
            None => self.config.evm.start_block,
        };
        while from <= evm_final {
            let to = evm_final.min(from + self.config.evm.log_batch - 1);
            let mut found = Vec::new();
            for log in self.evm.returned_logs(from, to).await? {
                // Not recorded (and the cursor not moved) until every witness shows it.
                self.evm.confirm_log(&log).await.context("a burn not confirmed by a witness")?;
                match inbound_of(&log, self.evm.chain_id, sp_core::H160(self.evm.bridge.address().0 .0)) {
                    Ok(item) => {
                        info!(source = ?item.source, asset = ?item.asset, recipient = %item.recipient.to_ss58check(), "burn seen on the EVM side");
                        found.push(item);
                    }
                    Err(e) => error!(tx = %log.tx, error = format!("{e:#}"), "unrelayable Returned log skipped"),
                }
            }
            self.db.record_scan(&found, to)?;
            from = to + 1;
            self.metrics.evm_lag_blocks.set(evm_final.saturating_sub(to) as i64);
        }
        self.metrics.evm_lag_blocks.set(evm_final.saturating_sub(from.saturating_sub(1)) as i64);
        Ok(())
    }

    /// Approve (or execute, after a delay) the release of every recorded burn.
    async fn inbound(&mut self, fin: H256) -> anyhow::Result<()> {
        let pending = self.db.pending_inbound()?;
        self.metrics.pending_inbound.set(pending.len() as i64);
        if pending.is_empty() {
            return Ok(());
        }
        // What decides an approval is read under a block this relayer verified.
        let before = self.finality.verified();
        let at = self.finality.verify(&self.chain, fin).await.context("verify the chain's finalized head")?;
        if before != Some(at) {
            if let Some(trusted) = self.finality.trusted() {
                self.db.set_finality(trusted)?;
            }
        }
        for item in pending {
            let (decided, voted) = self.chain.release_and_vote(item.source, &self.me, &at).await?;
            if let Some(r) = &decided {
                if r.asset != item.asset || r.recipient != item.recipient {
                    error!(source = ?item.source, decided = ?r.asset, ours = ?item.asset, "the relayers decided another release than this relayer read from the EVM chain");
                }
            }
            let approved = decided.is_none() && voted;
            let call = match decide::release_step(decided.as_ref().map(|r| &r.state), approved, now_ms()) {
                decide::ReleaseStep::Settle => {
                    self.db.settle_inbound(&item.source)?;
                    info!(source = ?item.source, asset = ?item.asset, "released on chain");
                    continue;
                }
                decide::ReleaseStep::Execute if self.due(Work::Execute(item.source)) => {
                    RuntimeCall::Bridge(pallet_bridge::Call::execute_release { source: item.source })
                }
                decide::ReleaseStep::Approve => match self.approve_call(&item) {
                    Some(call) => call,
                    None => continue,
                },
                decide::ReleaseStep::Execute | decide::ReleaseStep::Wait => continue,
            };
            match self.chain.submit_next(call, &self.key).await {
                Ok(tx) => {
                    self.metrics.approvals.with_label_values(&["chain"]).inc();
                    info!(source = ?item.source, %tx, "submitted the release on chain");
                }
                Err(e) => warn!(source = ?item.source, error = format!("{e:#}"), "release not submitted"),
            }
        }
        Ok(())
    }

    fn approve_call(&mut self, item: &Inbound) -> Option<RuntimeCall> {
        self.due(Work::Approve(item.source)).then(|| {
            RuntimeCall::Bridge(pallet_bridge::Call::approve_release {
                source: item.source,
                asset: item.asset.clone(),
                recipient: item.recipient.clone(),
            })
        })
    }
}

/// Poll interval used by `/health` staleness: three rounds, at least 30 s.
pub fn stale_after(config: &Config) -> u64 {
    (config.relayer.poll() * 3).max(Duration::from_secs(30)).as_secs()
}
