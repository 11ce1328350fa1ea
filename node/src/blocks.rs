//! `export-blocks`, `import-blocks` and `check-block`.
//!
//! The export format is a sequence of SCALE records, each
//! `(header, Vec<encoded extrinsic>, Option<Justifications>)`, prefixed by the
//! magic `ECOBLK01`. Import re-executes every block: nothing is trusted.

use crate::service::chain_dir;
use anyhow::{bail, Context};
use codec::{Decode, Encode};
use ecochain_client::{ChainSpec, Client, StoredBlock};
use sp_core::H256;
use std::{
    io::{BufReader, BufWriter, Read, Write},
    path::Path,
    sync::Arc,
};

const MAGIC: &[u8; 8] = b"ECOBLK01";

fn open(spec: &ChainSpec, base: &Path) -> anyhow::Result<Arc<Client>> {
    let path = chain_dir(base, spec).join("db");
    std::fs::create_dir_all(&path)?;
    // An existing database keeps its pruning mode; a new one is an archive.
    let config = ecochain_storage::Config { pruning: ecochain_storage::Pruning::Archive, ..Default::default() };
    Ok(Client::open(&path, &config, spec.clone())?)
}

/// Write blocks `from..=to` to `output`; returns how many.
pub fn export(spec: &ChainSpec, base: &Path, from: u32, to: Option<u32>, output: &Path) -> anyhow::Result<u32> {
    let client = open(spec, base)?;
    let to = to.unwrap_or(client.best_header().number);
    let mut out =
        BufWriter::new(std::fs::File::create(output).with_context(|| format!("creating {}", output.display()))?);
    out.write_all(MAGIC)?;
    let mut count = 0;
    for number in from..=to {
        let hash = client.hash(number)?.with_context(|| format!("no block #{number}"))?;
        let block = client.block(&hash)?.with_context(|| format!("block #{number} missing"))?;
        let record = (block.header, block.extrinsics, block.justifications).encode();
        out.write_all(&(record.len() as u32).to_le_bytes())?;
        out.write_all(&record)?;
        count += 1;
    }
    out.flush()?;
    Ok(count)
}

/// Import blocks from `input`, skipping those already stored; returns how many were imported.
pub fn import(spec: &ChainSpec, base: &Path, input: &Path) -> anyhow::Result<u32> {
    let client = open(spec, base)?;
    let mut reader =
        BufReader::new(std::fs::File::open(input).with_context(|| format!("opening {}", input.display()))?);
    let mut magic = [0u8; 8];
    reader.read_exact(&mut magic)?;
    if &magic != MAGIC {
        bail!("{} is not an ecochain block export", input.display());
    }
    let mut count = 0;
    loop {
        let mut len = [0u8; 4];
        match reader.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e.into()),
        }
        let len = u32::from_le_bytes(len) as usize;
        if len > 64 * 1024 * 1024 {
            bail!("record of {len} bytes is too large");
        }
        let mut record = vec![0u8; len];
        reader.read_exact(&mut record)?;
        let (header, extrinsics, justifications) =
            <(ecochain_runtime::Header, Vec<Vec<u8>>, Option<sp_runtime::Justifications>)>::decode(&mut &record[..])
                .context("corrupt block record")?;
        if header.number <= client.best_header().number {
            continue;
        }
        if !spec.is_dev() || justifications.is_some() {
            check_certificate(&client, &header, justifications.as_ref())?;
        }
        client.import_block(StoredBlock { header, extrinsics, justifications }, true)?;
        count += 1;
    }
    Ok(count)
}

/// A BFT chain's block must carry a commit certificate of the validators at
/// its parent block.
fn check_certificate(
    client: &Client,
    header: &ecochain_runtime::Header,
    justifications: Option<&sp_runtime::Justifications>,
) -> anyhow::Result<()> {
    let number = header.number;
    let block = StoredBlock { header: header.clone(), extrinsics: Vec::new(), justifications: justifications.cloned() };
    let cert = ecochain_consensus::stored_certificate(&block)
        .with_context(|| format!("block #{number} has no commit certificate"))?;
    let validators =
        ecochain_consensus::validator_set_at(client, &header.parent_hash).map_err(|e| anyhow::anyhow!("{e}"))?;
    ecochain_consensus::check_certificate(
        &client.genesis_hash().0,
        &cert,
        header.hash(),
        u64::from(number),
        &validators,
    )
    .map_err(|e| anyhow::anyhow!("block #{number}: {e}"))
}

/// Re-execute a stored block on its parent's state and compare roots.
pub fn check(spec: &ChainSpec, base: &Path, block: &str) -> anyhow::Result<String> {
    let client = open(spec, base)?;
    let hash = if let Some(hex) = block.strip_prefix("0x") {
        H256::from_slice(&hex::decode(hex).context("bad hash")?)
    } else {
        let number: u32 = block.parse().context("block must be a number or a 0x hash")?;
        client.hash(number)?.with_context(|| format!("no block #{number}"))?
    };
    let stored = client.block(&hash)?.with_context(|| format!("unknown block {hash:?}"))?;
    if stored.header.number == 0 {
        return Ok(format!("block #0 {hash:?} is genesis"));
    }
    let state = client.state_at(&stored.header.parent_hash)?;
    let block = ecochain_runtime::decode::decode_block(stored.header.clone(), &stored.extrinsics)
        .with_context(|| format!("block #{} {hash:?} is malformed", stored.header.number))?;
    let changes = client.executor().execute_block(&state, &block)?;
    if changes.transaction_storage_root != stored.header.state_root {
        bail!("block #{} {hash:?}: state root mismatch", stored.header.number);
    }
    Ok(format!("block #{} {hash:?} is valid ({} extrinsics)", stored.header.number, stored.extrinsics.len()))
}
