//! A validator signs the bridge's commitments with its secp256k1 bridge keys.
//!
//! After each finalized block the signer reads the commitment the bridge
//! pallet asks its key set to sign (`BridgeApi_bridge_signing`). For every key
//! this node holds that is in that set and has not signed yet, it signs the
//! commitment hash and submits `Bridge::sign_commitment` as an unsigned
//! transaction to its pool, which gossips it to the other validators; the
//! pallet certifies the commitment at more than 2/3 of the set. A signature
//! not yet on chain is sent again after [`RESEND_AFTER`].
//!
//! Keys live in the bridge keystore (`<base>/chains/<id>/keystore/bridge/`,
//! or `--bridge-keystore`): one file per key holding the hex of a 32-byte
//! secp256k1 secret, readable by its owner only (`ecochain key
//! generate-bridge-key`). The directory is read again whenever the set asks
//! for a key the node does not have, so a rotation needs no restart: add the
//! new key file, then call `permissions.setBridgeKey`. A validator of a dev or
//! local chain with a dev consensus key (`//Alice` …) also holds the dev
//! bridge key `//Alice`.

use anyhow::Context;
use codec::Encode;
use ecochain_client::{Client, TransactionPool};
use ecochain_primitives::bridge_key;
use ecochain_runtime::{RuntimeCall, UncheckedExtrinsic};
use sp_core::{H160, H256};
use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

/// How often the finalized block is checked.
const POLL: Duration = Duration::from_millis(200);
/// A signature not on chain by then is submitted again.
const RESEND_AFTER: Duration = Duration::from_secs(5);

/// This node's bridge keys: secret and EVM address.
pub struct BridgeKeys {
    dir: PathBuf,
    dev: Option<[u8; 32]>,
    keys: Vec<([u8; 32], H160)>,
}

impl BridgeKeys {
    /// The keys in `dir` (which may not exist yet), and `dev` if given.
    pub fn load(dir: PathBuf, dev: Option<[u8; 32]>) -> anyhow::Result<Self> {
        let mut keys = Self { dir, dev, keys: Vec::new() };
        keys.reload()?;
        Ok(keys)
    }

    /// Read the keystore again.
    fn reload(&mut self) -> anyhow::Result<()> {
        let mut keys = Vec::new();
        if let Some(secret) = self.dev {
            keys.push(secret);
        }
        if self.dir.exists() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
                .with_context(|| format!("reading {}", self.dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            for file in files {
                keys.push(read_secret(&file)?);
            }
        }
        self.keys = keys.into_iter().filter_map(|s| bridge_key::address(&s).map(|a| (s, a))).collect();
        self.keys.sort_by_key(|(_, a)| *a);
        self.keys.dedup_by_key(|(_, a)| *a);
        Ok(())
    }

    /// The addresses of the keys held.
    pub fn addresses(&self) -> Vec<H160> {
        self.keys.iter().map(|(_, a)| *a).collect()
    }
}

/// The secret in a bridge key file: `0x` and 64 hex digits.
pub fn read_secret(path: &Path) -> anyhow::Result<[u8; 32]> {
    crate::keys::check_private(path)?;
    let text = std::fs::read_to_string(path).with_context(|| format!("reading bridge key {}", path.display()))?;
    let bytes =
        hex::decode(text.trim().trim_start_matches("0x")).with_context(|| format!("{}: not hex", path.display()))?;
    let secret = <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| anyhow::anyhow!("{}: a bridge key is 32 bytes", path.display()))?;
    bridge_key::address(&secret).ok_or_else(|| anyhow::anyhow!("{}: not a secp256k1 secret", path.display()))?;
    Ok(secret)
}

/// Sign every pending commitment with this node's keys of its set, until the
/// process ends.
pub fn spawn(client: Arc<Client>, pool: Arc<TransactionPool>, mut keys: BridgeKeys) {
    tracing::info!(target: "bridge", keys = ?keys.addresses(), "signing bridge commitments");
    tokio::spawn(async move {
        let mut last = H256::zero();
        let mut sent: HashMap<(u64, H160), Instant> = HashMap::new();
        let mut reloaded_for = None;
        loop {
            tokio::time::sleep(POLL).await;
            let fin = client.finalized_hash();
            if fin == last && sent.values().all(|at| at.elapsed() < RESEND_AFTER) {
                continue;
            }
            last = fin;
            let signing = match client.runtime_api(fin).bridge_signing() {
                Ok(Some(s)) => s,
                Ok(None) => {
                    sent.clear();
                    continue;
                }
                Err(e) => {
                    tracing::warn!(target: "bridge", error = %e, "cannot read the pending bridge commitment");
                    continue;
                }
            };
            let c = &signing.commitment;
            sent.retain(|(block, _), _| *block == c.block_number);
            let mine = |keys: &BridgeKeys| keys.keys.iter().any(|(_, a)| signing.keys.contains(a));
            if !mine(&keys) && reloaded_for != Some(c.set_id) {
                // A rotation may have added a key file since the last read.
                reloaded_for = Some(c.set_id);
                if let Err(e) = keys.reload() {
                    tracing::warn!(target: "bridge", error = format!("{e:#}"), "cannot read the bridge keystore");
                }
                if !mine(&keys) {
                    tracing::warn!(
                        target: "bridge",
                        set_id = c.set_id,
                        held = ?keys.addresses(),
                        "this validator holds no bridge key of the signing set: its commitments go unsigned by it"
                    );
                }
            }
            for (secret, address) in &keys.keys {
                if !signing.keys.contains(address) || signing.signed.contains(address) {
                    continue;
                }
                if sent.get(&(c.block_number, *address)).is_some_and(|at| at.elapsed() < RESEND_AFTER) {
                    continue;
                }
                let Some(signature) = bridge_key::sign(secret, &signing.hash.0) else { continue };
                let call = RuntimeCall::Bridge(pallet_bridge::Call::sign_commitment {
                    block_number: c.block_number,
                    signature,
                });
                let xt = UncheckedExtrinsic::new_bare(call).encode();
                sent.insert((c.block_number, *address), Instant::now());
                match pool.submit(xt) {
                    Ok(_) => tracing::debug!(
                        target: "bridge",
                        block = c.block_number,
                        messages = c.messages,
                        set_id = c.set_id,
                        signer = ?address,
                        "signed the bridge commitment"
                    ),
                    Err(e) => tracing::debug!(target: "bridge", error = %e, "bridge commitment signature not pooled"),
                }
            }
        }
    });
}
