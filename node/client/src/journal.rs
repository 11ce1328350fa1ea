//! The journal of local transactions, as geth keeps one: every transaction a
//! node took in over its own RPC is appended to a file before the node
//! answers with its hash, and re-admitted (and gossiped again) after a
//! restart. A `kill -9` of the node a wallet talked to then loses nothing it
//! acknowledged.
//!
//! - Format: `(u32 little-endian length, extrinsic)` per entry. A torn last
//!   entry (the process died mid-write) is ignored on load.
//! - Each append is one `write` of the whole entry: the kernel keeps it when the
//!   process dies. [`Journal::sync`] (called once a second by the node) makes it
//!   survive a power loss as well.
//! - The file is rewritten ([`Journal::rotate`]) with only the transactions
//!   still pending, at start and whenever it outgrows [`Journal::max_bytes`],
//!   so it stays bounded.

use parking_lot::Mutex;
use std::{
    fs::{File, OpenOptions},
    io::{Read, Write},
    path::{Path, PathBuf},
};

/// Largest entry read back (an extrinsic's bound).
const MAX_ENTRY: usize = crate::MAX_EXTRINSIC_BYTES;

/// Errors of the journal.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Reading or writing the file failed.
    #[error("transaction journal {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
}

/// An append-only file of local transactions.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<(File, u64)>,
    max_bytes: u64,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> JournalError + '_ {
    move |source| JournalError::Io { path: path.to_path_buf(), source }
}

/// The entries of a journal's bytes; a torn or oversize tail ends the list.
pub fn parse(mut data: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Some((len, rest)) = data.split_first_chunk::<4>() {
        let len = u32::from_le_bytes(*len) as usize;
        if len > MAX_ENTRY || rest.len() < len {
            break;
        }
        out.push(rest[..len].to_vec());
        data = &rest[len..];
    }
    out
}

fn entry(xt: &[u8]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(xt.len() + 4);
    buf.extend_from_slice(&(xt.len() as u32).to_le_bytes());
    buf.extend_from_slice(xt);
    buf
}

impl Journal {
    /// Open (or create) the journal at `path`; returns it and the transactions
    /// it held. The caller re-admits those and then calls [`Journal::rotate`].
    pub fn open(path: &Path, max_bytes: u64) -> Result<(Self, Vec<Vec<u8>>), JournalError> {
        let mut old = Vec::new();
        match File::open(path) {
            Ok(mut f) => {
                f.read_to_end(&mut old).map_err(io(path))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(path)(e)),
        }
        let txs = parse(&old);
        let file = OpenOptions::new().create(true).append(true).open(path).map_err(io(path))?;
        let len = file.metadata().map_err(io(path))?.len();
        Ok((Self { path: path.to_path_buf(), file: Mutex::new((file, len)), max_bytes }, txs))
    }

    /// The size past which the owner should [`rotate`](Journal::rotate).
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Bytes in the file now.
    pub fn len(&self) -> u64 {
        self.file.lock().1
    }

    /// Whether the journal is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Append one transaction (one `write` call).
    pub fn append(&self, xt: &[u8]) -> Result<(), JournalError> {
        let buf = entry(xt);
        let mut file = self.file.lock();
        file.0.write_all(&buf).map_err(io(&self.path))?;
        file.1 += buf.len() as u64;
        Ok(())
    }

    /// The transactions in the file now.
    pub fn entries(&self) -> Result<Vec<Vec<u8>>, JournalError> {
        let _guard = self.file.lock();
        let data = std::fs::read(&self.path).map_err(io(&self.path))?;
        Ok(parse(&data))
    }

    /// Flush to the disk.
    pub fn sync(&self) -> Result<(), JournalError> {
        self.file.lock().0.sync_data().map_err(io(&self.path))
    }

    /// Replace the file with `keep` (the transactions still pending): written
    /// to a temporary file, synced, then renamed over the journal.
    pub fn rotate(&self, keep: &[Vec<u8>]) -> Result<(), JournalError> {
        let tmp = self.path.with_extension("tmp");
        let mut data = Vec::new();
        for xt in keep {
            data.extend_from_slice(&entry(xt));
        }
        let mut file = self.file.lock();
        {
            let mut out = File::create(&tmp).map_err(io(&tmp))?;
            out.write_all(&data).map_err(io(&tmp))?;
            out.sync_all().map_err(io(&tmp))?;
        }
        std::fs::rename(&tmp, &self.path).map_err(io(&self.path))?;
        let reopened = OpenOptions::new().append(true).open(&self.path).map_err(io(&self.path))?;
        *file = (reopened, data.len() as u64);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_survive_reopen_and_a_torn_tail_is_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("journal");
        let (journal, old) = Journal::open(&path, 1 << 20).expect("opens");
        assert!(old.is_empty());
        journal.append(b"one").expect("append");
        journal.append(&[7u8; 300]).expect("append");
        drop(journal);
        // A crash in the middle of a write leaves a torn entry.
        let mut f = OpenOptions::new().append(true).open(&path).expect("open");
        f.write_all(&100u32.to_le_bytes()).expect("write");
        f.write_all(b"torn").expect("write");
        drop(f);
        let (journal, old) = Journal::open(&path, 1 << 20).expect("reopens");
        assert_eq!(old, vec![b"one".to_vec(), vec![7u8; 300]]);
        journal.rotate(&old[1..]).expect("rotates");
        journal.append(b"three").expect("append after rotate");
        drop(journal);
        let (_, old) = Journal::open(&path, 1 << 20).expect("reopens");
        assert_eq!(old, vec![vec![7u8; 300], b"three".to_vec()]);
    }

    #[test]
    fn parse_never_panics_on_garbage() {
        assert!(parse(&[0xff, 0xff, 0xff, 0xff, 1, 2]).is_empty());
        assert!(parse(&[1, 0]).is_empty());
        assert_eq!(parse(&[0, 0, 0, 0]), vec![Vec::<u8>::new()]);
    }
}
