//! Temporarily banned transaction hashes.
//!
//! A hash is banned when its transaction was included (until its block is retracted) or declared
//! invalid by the runtime, so that peers re-gossiping it do not make the node validate it again.
//! Transactions the pool drops for its own reasons (limits, expiry, a retracted block) are never
//! banned: they may come back. The list is an LRU of bounded length:
//! under a flood the oldest bans are forgotten first, which only costs a re-validation.

use schnellru::{ByLength, LruMap};
use sp_core::H256;
use std::time::{Duration, Instant};

/// Banned hashes and when they were banned.
pub(crate) struct Bans {
    banned_at: LruMap<H256, Instant>,
    ban_time: Duration,
}

impl Bans {
    /// At most `capacity` bans, each lasting `ban_time`.
    pub(crate) fn new(capacity: u32, ban_time: Duration) -> Self {
        Self { banned_at: LruMap::new(ByLength::new(capacity.max(1))), ban_time }
    }

    /// Bans `hash` from `now` on (renewing an existing ban).
    pub(crate) fn ban(&mut self, hash: H256, now: Instant) {
        self.banned_at.insert(hash, now);
    }

    /// Lifts the ban on `hash`, if any.
    pub(crate) fn unban(&mut self, hash: &H256) {
        self.banned_at.remove(hash);
    }

    /// Whether `hash` is banned at `now`; forgets an expired ban.
    pub(crate) fn is_banned(&mut self, hash: &H256, now: Instant) -> bool {
        match self.banned_at.peek(hash) {
            Some(at) if now.saturating_duration_since(*at) < self.ban_time => true,
            Some(_) => {
                self.banned_at.remove(hash);
                false
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ban_expires_after_ban_time() {
        let start = Instant::now();
        let mut bans = Bans::new(8, Duration::from_secs(60));
        let hash = H256::repeat_byte(1);
        assert!(!bans.is_banned(&hash, start));
        bans.ban(hash, start);
        assert!(bans.is_banned(&hash, start + Duration::from_secs(59)));
        assert!(!bans.is_banned(&hash, start + Duration::from_secs(60)));
        // The expired ban was forgotten.
        assert!(!bans.is_banned(&hash, start));
    }

    #[test]
    fn oldest_ban_is_forgotten_past_capacity() {
        let now = Instant::now();
        let mut bans = Bans::new(2, Duration::from_secs(60));
        for byte in 1..=3 {
            bans.ban(H256::repeat_byte(byte), now);
        }
        assert!(!bans.is_banned(&H256::repeat_byte(1), now));
        assert!(bans.is_banned(&H256::repeat_byte(2), now));
        assert!(bans.is_banned(&H256::repeat_byte(3), now));
    }

    #[test]
    fn unban_lifts_the_ban() {
        let now = Instant::now();
        let mut bans = Bans::new(2, Duration::from_secs(60));
        bans.ban(H256::repeat_byte(1), now);
        bans.unban(&H256::repeat_byte(1));
        assert!(!bans.is_banned(&H256::repeat_byte(1), now));
    }
}
