//! The relayer's decisions as pure functions: what counts as final on the EVM
//! side, how far the outbound cursor advances, what to do with one outbound
//! nonce and one inbound release, and when repeated failed audits halt
//! relaying. `relay.rs` gathers the facts over RPC and acts on the answers.

use pallet_bridge::ReleaseState;

/// The newest EVM block treated as final in "N confirmations" mode: the
/// latest block minus `confirmations` (0 while the chain is shorter).
pub fn confirmed(latest: u64, confirmations: u64) -> u64 {
    latest.saturating_sub(confirmations)
}

/// The outbound cursor after a round: it moves past every nonce from
/// `cursor` on that is settled in a final EVM block, and stops at the first
/// one that is not (`settled_final[i]` is nonce `cursor + i`). A nonce
/// settled after a gap does not move it: the gap is retried first.
pub fn next_cursor(cursor: u64, settled_final: &[bool]) -> u64 {
    cursor + settled_final.iter().take_while(|settled| **settled).count() as u64
}

/// What to do with one outbound nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MintStep {
    /// Settled in a final block: nothing left to do.
    Done,
    /// Settled in a block not final yet, or the EVM bridge is paused: wait,
    /// do not send twice.
    Wait,
    /// Send this relayer's mint approval (if not sent within the retry time).
    Approve,
}

/// The step for one outbound nonce from what the EVM side shows.
pub fn mint_step(settled_final: bool, settled_latest: bool, evm_paused: bool) -> MintStep {
    if settled_final {
        MintStep::Done
    } else if evm_paused || settled_latest {
        MintStep::Wait
    } else {
        MintStep::Approve
    }
}

/// What to do with one burn seen on the EVM side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReleaseStep {
    /// Released on chain: forget it.
    Settle,
    /// Delayed and due: execute it (anyone may).
    Execute,
    /// Delayed and not due yet, or this relayer already approved: wait.
    Wait,
    /// Not decided and not approved by this relayer: approve.
    Approve,
}

/// The step for one inbound release from the chain's record of it (`None`:
/// not decided yet), whether this relayer already approved it, and the time.
pub fn release_step(decided: Option<&ReleaseState>, approved_by_me: bool, now_ms: u64) -> ReleaseStep {
    match decided {
        Some(ReleaseState::Executed) => ReleaseStep::Settle,
        Some(ReleaseState::Delayed(until)) if now_ms >= *until => ReleaseStep::Execute,
        Some(ReleaseState::Delayed(_)) => ReleaseStep::Wait,
        None if approved_by_me => ReleaseStep::Wait,
        None => ReleaseStep::Approve,
    }
}

/// Failed supply audits at distinct chain heights in a row that halt relaying.
pub const AUDIT_STRIKES: usize = 3;

/// Counts failed supply audits: relaying halts after [`AUDIT_STRIKES`] at
/// distinct chain heights in a row (one failure seen twice at the same
/// height counts once; a passing audit clears the count).
#[derive(Debug, Default)]
pub struct AuditStrikes {
    heights: Vec<u64>,
}

impl AuditStrikes {
    /// Record an audit at `chain_block`; returns whether relaying must halt.
    pub fn record(&mut self, chain_block: u64, backed: bool) -> bool {
        if backed {
            self.heights.clear();
            return false;
        }
        if self.heights.last() != Some(&chain_block) {
            self.heights.push(chain_block);
        }
        self.heights.len() >= AUDIT_STRIKES
    }

    /// Failed audits in a row so far.
    pub fn count(&self) -> usize {
        self.heights.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmations_count_back_from_the_latest_block() {
        assert_eq!(confirmed(100, 64), 36);
        assert_eq!(confirmed(100, 0), 100);
        assert_eq!(confirmed(10, 64), 0, "a chain shorter than the confirmations has nothing final");
    }

    #[test]
    fn the_cursor_stops_at_the_first_unsettled_nonce() {
        assert_eq!(next_cursor(5, &[]), 5);
        assert_eq!(next_cursor(5, &[true, true, true]), 8);
        assert_eq!(next_cursor(5, &[true, false, true]), 6, "a gap holds the cursor");
        assert_eq!(next_cursor(5, &[false, true]), 5);
    }

    #[test]
    fn mint_steps() {
        assert_eq!(mint_step(true, true, false), MintStep::Done);
        assert_eq!(mint_step(true, true, true), MintStep::Done, "final stays done while paused");
        assert_eq!(mint_step(false, true, false), MintStep::Wait, "settled but not final: no second send");
        assert_eq!(mint_step(false, false, true), MintStep::Wait, "paused");
        assert_eq!(mint_step(false, false, false), MintStep::Approve);
    }

    #[test]
    fn release_steps() {
        assert_eq!(release_step(Some(&ReleaseState::Executed), false, 0), ReleaseStep::Settle);
        assert_eq!(release_step(Some(&ReleaseState::Delayed(1_000)), true, 999), ReleaseStep::Wait);
        assert_eq!(release_step(Some(&ReleaseState::Delayed(1_000)), true, 1_000), ReleaseStep::Execute);
        assert_eq!(release_step(None, true, 0), ReleaseStep::Wait);
        assert_eq!(release_step(None, false, 0), ReleaseStep::Approve);
    }

    #[test]
    fn audits_halt_after_three_failing_heights_in_a_row() {
        let mut strikes = AuditStrikes::default();
        assert!(!strikes.record(10, false));
        assert!(!strikes.record(10, false), "the same height counts once");
        assert!(!strikes.record(11, false));
        assert!(!strikes.record(12, true), "a passing audit clears the count");
        assert_eq!(strikes.count(), 0);
        assert!(!strikes.record(13, false));
        assert!(!strikes.record(14, false));
        assert!(strikes.record(15, false));
    }
}
