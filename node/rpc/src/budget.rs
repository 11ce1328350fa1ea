//! Node-wide and per-IP budgets for open connections and subscriptions.
//!
//! jsonrpsee bounds subscriptions per connection; without a node-wide bound,
//! one client opening many connections holds as many subscriptions as it
//! likes (100 connections x 1,024 = 102,400 measured: +398 MiB, 1 s heartbeat
//! stretched to 1.65 s). A [`Budget`] hands out [`Slot`]s up to a total and
//! up to a share per IP; a slot is given back when it is dropped.

use parking_lot::Mutex;
use std::{collections::HashMap, net::IpAddr, sync::Arc};

/// Counts of what is held, in total and per IP.
#[derive(Debug, Default)]
struct Held {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// A bounded resource shared by every client.
#[derive(Debug)]
pub(crate) struct Budget {
    max_total: usize,
    max_per_ip: usize,
    held: Mutex<Held>,
}

/// One unit of a [`Budget`], returned on drop.
#[derive(Debug)]
pub(crate) struct Slot {
    budget: Arc<Budget>,
    ip: Option<IpAddr>,
}

/// Why a slot was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The node holds its maximum.
    NodeFull(usize),
    /// This IP holds its share.
    IpFull(usize),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NodeFull(max) => write!(f, "the node serves at most {max}"),
            Self::IpFull(max) => write!(f, "one IP address may hold at most {max}"),
        }
    }
}

impl Budget {
    pub(crate) fn new(max_total: usize, max_per_ip: usize) -> Arc<Self> {
        Arc::new(Self { max_total, max_per_ip, held: Mutex::new(Held::default()) })
    }

    /// Take a slot for `ip` (`None`: unknown origin, counted in the total only).
    pub(crate) fn take(self: &Arc<Self>, ip: Option<IpAddr>) -> Result<Slot, Refused> {
        let mut held = self.held.lock();
        if held.total >= self.max_total {
            return Err(Refused::NodeFull(self.max_total));
        }
        if let Some(ip) = ip {
            let mine = held.per_ip.entry(ip).or_default();
            if *mine >= self.max_per_ip {
                return Err(Refused::IpFull(self.max_per_ip));
            }
            *mine += 1;
        }
        held.total += 1;
        Ok(Slot { budget: self.clone(), ip })
    }

    /// Slots held now.
    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        self.held.lock().total
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.budget.held.lock();
        held.total = held.total.saturating_sub(1);
        if let Some(ip) = self.ip {
            if let Some(n) = held.per_ip.get_mut(&ip) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    held.per_ip.remove(&ip);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_total_and_per_ip_and_returns_slots() {
        let budget = Budget::new(3, 2);
        let (a, b): (IpAddr, IpAddr) = ([10, 0, 0, 1].into(), [10, 0, 0, 2].into());
        let a1 = budget.take(Some(a)).expect("first");
        let _a2 = budget.take(Some(a)).expect("second");
        assert_eq!(budget.take(Some(a)).expect_err("a's share"), Refused::IpFull(2));
        let _b1 = budget.take(Some(b)).expect("b");
        assert_eq!(budget.take(Some(b)).expect_err("node full"), Refused::NodeFull(3));
        drop(a1);
        assert_eq!(budget.held(), 2);
        budget.take(Some(a)).expect("a's slot came back");
    }
}
