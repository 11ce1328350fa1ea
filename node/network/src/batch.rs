//! Transactions travel in batches: one gossipsub message carries every
//! transaction a node submitted within a few milliseconds. A message costs a
//! protobuf envelope, a yamux frame, a noise encryption and a flush per peer,
//! whatever its size; a transfer is about 150 bytes, so one message per
//! transaction made the transport the largest network cost.
//!
//! A batch is the concatenation of `(u32 little-endian length, bytes)` per
//! transaction. [`Outbox`] decides when to publish, as a pure function of the
//! transactions and the clock.

use std::time::Duration;

use tokio::time::Instant;

/// A batch is published once it holds this many bytes…
pub(crate) const BATCH_MAX_BYTES: usize = 64 * 1024;
/// …or once its first transaction waited this long.
pub(crate) const BATCH_DELAY: Duration = Duration::from_millis(5);

const LEN_BYTES: usize = 4;

/// The encoded batch of `txs`.
pub(crate) fn encode(txs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(txs.iter().map(|tx| tx.len() + LEN_BYTES).sum());
    for tx in txs {
        // A transaction is at most `max_tx_bytes`, far below 4 GiB.
        out.extend_from_slice(&(tx.len() as u32).to_le_bytes());
        out.extend_from_slice(tx);
    }
    out
}

/// The transactions of a batch, or `None` if it is malformed (truncated, or
/// a length running past the end).
pub(crate) fn decode(mut data: &[u8]) -> Option<Vec<&[u8]>> {
    let mut txs = Vec::new();
    while !data.is_empty() {
        let (len, rest) = data.split_first_chunk::<LEN_BYTES>()?;
        let len = u32::from_le_bytes(*len) as usize;
        if rest.len() < len {
            return None;
        }
        let (tx, rest) = rest.split_at(len);
        txs.push(tx);
        data = rest;
    }
    Some(txs)
}

/// First byte of a salt entry. An extrinsic starting with it would announce a
/// 67-byte compact length: no transaction of this chain does, so a salt entry
/// can never be mistaken for one.
const SALT_MARK: u8 = 0xFF;
/// Length of a salt entry (the mark and a 7-byte counter).
const SALT_LEN: usize = 8;

/// A salt entry: re-propagated batches start with one so their gossipsub
/// message id (the hash of the data) differs from the first publication's,
/// which peers and our own duplicate cache remember for a minute.
pub(crate) fn salt(counter: u64) -> Vec<u8> {
    let mut salt = counter.to_le_bytes();
    salt[SALT_LEN - 1] = SALT_MARK;
    salt.reverse();
    salt.to_vec()
}

/// Whether a batch entry is a salt, not a transaction.
pub(crate) fn is_salt(entry: &[u8]) -> bool {
    entry.len() == SALT_LEN && entry[0] == SALT_MARK
}

/// The batches re-propagating `txs`: each starts with a fresh salt and holds
/// at most [`BATCH_MAX_BYTES`] (or one larger transaction alone).
pub(crate) fn resend(txs: Vec<Vec<u8>>, counter: &mut u64) -> Vec<Vec<u8>> {
    let mut batches = Vec::new();
    let mut current: Vec<Vec<u8>> = Vec::new();
    let mut bytes = 0;
    for tx in txs {
        if !current.is_empty() && bytes + encoded_len(&tx) > BATCH_MAX_BYTES {
            batches.push(encode(&std::mem::take(&mut current)));
            bytes = 0;
        }
        if current.is_empty() {
            *counter = counter.wrapping_add(1);
            current.push(salt(*counter));
            bytes = encoded_len(&current[0]);
        }
        bytes += encoded_len(&tx);
        current.push(tx);
    }
    if current.len() > 1 {
        batches.push(encode(&current));
    }
    batches
}

/// Size of `tx` in a batch.
pub(crate) fn encoded_len(tx: &[u8]) -> usize {
    tx.len() + LEN_BYTES
}

/// Transactions waiting to be published.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    txs: Vec<Vec<u8>>,
    bytes: usize,
    since: Option<Instant>,
}

impl Outbox {
    /// Queue `tx`; returns a batch to publish now when the queue could not
    /// take it (the queue before `tx`) or is full with it.
    pub(crate) fn push(&mut self, tx: Vec<u8>, now: Instant) -> Vec<Vec<u8>> {
        let mut ready = Vec::new();
        if !self.txs.is_empty() && self.bytes + encoded_len(&tx) > BATCH_MAX_BYTES {
            ready.extend(self.take());
        }
        self.bytes += encoded_len(&tx);
        self.txs.push(tx);
        self.since.get_or_insert(now);
        if self.bytes >= BATCH_MAX_BYTES {
            ready.extend(self.take());
        }
        ready
    }

    /// When the queued batch is due, if anything is queued.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.since.map(|since| since + BATCH_DELAY)
    }

    /// The queued batch, encoded, leaving the queue empty.
    pub(crate) fn take(&mut self) -> Option<Vec<u8>> {
        self.since = None;
        self.bytes = 0;
        let txs = std::mem::take(&mut self.txs);
        (!txs.is_empty()).then(|| encode(&txs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resent_batches_are_salted_and_differ() {
        let txs = vec![vec![1u8; 100], vec![2u8; 100]];
        let mut counter = 0;
        let first = resend(txs.clone(), &mut counter);
        let second = resend(txs.clone(), &mut counter);
        assert_eq!(first.len(), 1);
        assert_ne!(first, second, "a new salt each time");
        let entries = decode(&first[0]).expect("well formed");
        assert!(is_salt(entries[0]));
        assert_eq!(entries[1..].iter().map(|e| e.to_vec()).collect::<Vec<_>>(), txs);
        assert!(!entries[1..].iter().any(|e| is_salt(e)));
        // Many transactions split into bounded batches, each salted.
        let many = vec![vec![3u8; 1000]; 200];
        let batches = resend(many, &mut counter);
        assert!(batches.len() > 1);
        assert!(batches.iter().all(|b| b.len() <= BATCH_MAX_BYTES + 1004 && is_salt(decode(b).expect("ok")[0])));
        assert!(resend(Vec::new(), &mut counter).is_empty());
    }

    #[test]
    fn batches_round_trip() {
        let txs = vec![b"a".to_vec(), Vec::new(), vec![7; 300]];
        let encoded = encode(&txs);
        let decoded: Vec<Vec<u8>> = decode(&encoded).expect("well formed").into_iter().map(<[u8]>::to_vec).collect();
        assert_eq!(decoded, txs);
        assert_eq!(decode(&[]).expect("empty"), Vec::<&[u8]>::new());
    }

    #[test]
    fn malformed_batches_are_refused() {
        let encoded = encode(&[vec![1; 10]]);
        assert!(decode(&encoded[..encoded.len() - 1]).is_none(), "truncated transaction");
        assert!(decode(&encoded[..3]).is_none(), "truncated length");
        assert!(decode(&[0xff, 0xff, 0xff, 0xff, 1]).is_none(), "length past the end");
    }

    #[test]
    fn the_outbox_publishes_when_full_or_due() {
        let now = Instant::now();
        let mut outbox = Outbox::default();
        assert_eq!(outbox.deadline(), None);
        assert!(outbox.push(vec![1; 100], now).is_empty());
        assert!(outbox.push(vec![2; 100], now + Duration::from_millis(1)).is_empty());
        // Due after the first transaction's delay, not the last one's.
        assert_eq!(outbox.deadline(), Some(now + BATCH_DELAY));
        let batch = outbox.take().expect("two queued");
        assert_eq!(decode(&batch).expect("well formed"), vec![&[1; 100][..], &[2; 100][..]]);
        assert_eq!((outbox.deadline(), outbox.take()), (None, None));

        // A transaction that does not fit sends the queue first; one that fills it goes with it.
        let big = BATCH_MAX_BYTES / 2;
        assert!(outbox.push(vec![3; big], now).is_empty());
        let sent = outbox.push(vec![4; big], now);
        assert_eq!(sent.len(), 1);
        assert_eq!(decode(&sent[0]).expect("well formed").len(), 1);
        let sent = outbox.push(vec![5; BATCH_MAX_BYTES], now);
        assert_eq!(sent.len(), 2, "the queue, then the oversize batch alone");
        assert_eq!(outbox.take(), None);
    }
}
