//! Status streams of watched transactions (`author_submitAndWatchExtrinsic`).
//!
//! Every watcher is an unbounded channel; a transaction emits a handful of statuses over its
//! life, so a channel holds at most a few messages. A final status ([`TxStatus::is_final`])
//! closes the stream, a dropped receiver is forgotten on the next status, and the pool sweeps
//! watchers of transactions it no longer tracks, so nothing outlives its transaction.

use futures::channel::mpsc::{self, UnboundedReceiver, UnboundedSender};
use serde::{Deserialize, Serialize};
use sp_core::H256;
use std::collections::HashMap;

/// Status stream of one watched transaction.
pub type TxStatusStream = UnboundedReceiver<TxStatus>;

/// What happened to a watched transaction.
///
/// Serialises like Substrate's `TransactionStatus` (`"ready"`, `{"inBlock": "0x…"}`, …), so the
/// RPC layer can forward it unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TxStatus {
    /// In the pool, waiting for a tag it requires.
    Future,
    /// In the pool, with everything it requires provided: a block may include it.
    Ready,
    /// Sent to these peers.
    Broadcast(Vec<String>),
    /// Included in this block.
    InBlock(H256),
    /// The block that included it was retracted; the transaction may come back to the pool.
    Retracted(H256),
    /// The block that included it is final. Final status.
    Finalized(H256),
    /// Replaced by this transaction, which provides the same tag with a higher priority. Final status.
    Usurped(H256),
    /// Removed to respect the pool's limits, expired after waiting too long in the future queue,
    /// or no longer tracked. Not banned: it may be submitted again. Final status.
    Dropped,
    /// The runtime declared it invalid, or it outlived its longevity. Final status.
    Invalid,
}

impl TxStatus {
    /// Whether no status follows this one (the stream closes after it).
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Finalized(_) | Self::Usurped(_) | Self::Dropped | Self::Invalid)
    }
}

/// Watchers by transaction hash, and where included watched transactions wait for finality.
#[derive(Default)]
pub(crate) struct Watchers {
    senders: HashMap<H256, Vec<UnboundedSender<TxStatus>>>,
    /// Watched transactions included in a block that is not final yet: block hash and number.
    in_block: HashMap<H256, (H256, u64)>,
}

impl Watchers {
    /// A new stream for `hash`; `current` is sent first when given.
    pub(crate) fn watch(&mut self, hash: H256, current: Option<TxStatus>) -> TxStatusStream {
        let (sender, receiver) = mpsc::unbounded();
        if let Some(status) = current {
            // Cannot fail: we hold the receiver.
            let _ = sender.unbounded_send(status);
        }
        self.senders.entry(hash).or_default().push(sender);
        receiver
    }

    /// Block hash of a watched transaction waiting for finality.
    pub(crate) fn in_block(&self, hash: &H256) -> Option<H256> {
        self.in_block.get(hash).map(|(block, _)| *block)
    }

    /// Sends `status` to the watchers of `hash`; a final status closes their streams.
    pub(crate) fn notify(&mut self, hash: &H256, status: TxStatus) {
        let Some(senders) = self.senders.get_mut(hash) else { return };
        senders.retain(|sender| sender.unbounded_send(status.clone()).is_ok());
        if status.is_final() || senders.is_empty() {
            self.senders.remove(hash);
            self.in_block.remove(hash);
        }
    }

    /// `hash` was included in block `block` number `number`: notify and wait for finality.
    pub(crate) fn included(&mut self, hash: &H256, block: H256, number: u64) {
        self.notify(hash, TxStatus::InBlock(block));
        if self.senders.contains_key(hash) {
            self.in_block.insert(*hash, (block, number));
        }
    }

    /// Block `block` is final: its watched transactions are finalized.
    pub(crate) fn finalized(&mut self, block: H256, included: &[H256]) {
        for hash in included {
            if self.in_block(hash) == Some(block) {
                self.notify(hash, TxStatus::Finalized(block));
            }
        }
    }

    /// Block `block` was retracted: its watched transactions are notified and wait to be
    /// resubmitted. Returns their hashes.
    pub(crate) fn retracted(&mut self, block: H256) -> Vec<H256> {
        let hashes: Vec<H256> =
            self.in_block.iter().filter(|(_, (at, _))| *at == block).map(|(hash, _)| *hash).collect();
        for hash in &hashes {
            self.in_block.remove(hash);
            self.notify(hash, TxStatus::Retracted(block));
        }
        hashes
    }

    /// Forgets closed receivers; ends with [`TxStatus::Dropped`] the watchers of transactions
    /// neither `in_pool` nor in a block at or above `oldest_block`.
    pub(crate) fn sweep(&mut self, in_pool: impl Fn(&H256) -> bool, oldest_block: u64) {
        let stale: Vec<H256> = self
            .senders
            .iter_mut()
            .filter_map(|(hash, senders)| {
                senders.retain(|sender| !sender.is_closed());
                let waiting = match self.in_block.get(hash) {
                    Some((_, number)) => *number >= oldest_block,
                    None => in_pool(hash),
                };
                (senders.is_empty() || !waiting).then_some(*hash)
            })
            .collect();
        for hash in stale {
            self.notify(&hash, TxStatus::Dropped);
            self.senders.remove(&hash);
            self.in_block.remove(&hash);
        }
    }

    /// Number of watched transactions.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.senders.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(stream: &mut TxStatusStream) -> Vec<TxStatus> {
        let mut out = Vec::new();
        while let Ok(status) = stream.try_recv() {
            out.push(status);
        }
        out
    }

    #[test]
    fn final_status_closes_the_stream() {
        let mut watchers = Watchers::default();
        let hash = H256::repeat_byte(1);
        let mut stream = watchers.watch(hash, Some(TxStatus::Ready));
        watchers.notify(&hash, TxStatus::Dropped);
        assert_eq!(drain(&mut stream), vec![TxStatus::Ready, TxStatus::Dropped]);
        assert!(matches!(stream.try_recv(), Err(futures::channel::mpsc::TryRecvError::Closed)));
        assert_eq!(watchers.len(), 0);
    }

    #[test]
    fn dropped_receivers_are_forgotten() {
        let mut watchers = Watchers::default();
        let hash = H256::repeat_byte(1);
        drop(watchers.watch(hash, None));
        watchers.notify(&hash, TxStatus::Ready);
        assert_eq!(watchers.len(), 0);
    }

    #[test]
    fn sweep_ends_untracked_and_finality_timed_out_watchers() {
        let mut watchers = Watchers::default();
        let (pooled, orphan, old, recent) =
            (H256::repeat_byte(1), H256::repeat_byte(2), H256::repeat_byte(3), H256::repeat_byte(4));
        let mut streams: Vec<_> = [pooled, orphan, old, recent].iter().map(|h| watchers.watch(*h, None)).collect();
        watchers.included(&old, H256::repeat_byte(9), 1);
        watchers.included(&recent, H256::repeat_byte(9), 10);
        watchers.sweep(|hash| *hash == pooled, 5);
        let statuses: Vec<_> = streams.iter_mut().map(drain).collect();
        assert_eq!(statuses[0], vec![]);
        assert_eq!(statuses[1], vec![TxStatus::Dropped]);
        assert_eq!(statuses[2], vec![TxStatus::InBlock(H256::repeat_byte(9)), TxStatus::Dropped]);
        assert_eq!(statuses[3], vec![TxStatus::InBlock(H256::repeat_byte(9))]);
        assert_eq!(watchers.len(), 2);
    }

    #[test]
    fn status_serialises_like_substrate() {
        let json = |status: &TxStatus| serde_json::to_string(status).expect("serialisable");
        assert_eq!(json(&TxStatus::Ready), r#""ready""#);
        assert_eq!(json(&TxStatus::Future), r#""future""#);
        assert_eq!(json(&TxStatus::Broadcast(vec!["peer".into()])), r#"{"broadcast":["peer"]}"#);
        assert_eq!(json(&TxStatus::InBlock(H256::zero())), format!(r#"{{"inBlock":"0x{}"}}"#, "00".repeat(32)));
        assert_eq!(json(&TxStatus::Dropped), r#""dropped""#);
    }
}
