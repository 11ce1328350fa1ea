//! The supply check: what is locked on chain must back what exists on the EVM side.
//!
//! Chain state is read at a finalized block and the EVM side at its latest
//! block. Every mint follows a finalized lock and every release follows a burn,
//! so at any instant `wrapped <= locked` ("backed"); once no transfer is in
//! flight the two are equal and every locked certificate has exactly one twin
//! ("settled").

use crate::{chain::ChainClient, evm::EvmClient};
use alloy::primitives::U256;
use ecochain_runtime::apis_types::BridgeStatus;
use serde::Serialize;
use sp_core::H256;

/// The result of one audit.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditReport {
    /// Chain block the locked side was read at.
    pub chain_block: u64,
    /// ECT held by the bridge account, base units.
    pub locked_ect: u128,
    /// `WrappedECT.totalSupply()`, base units.
    pub wrapped_ect: U256,
    /// Certificates locked on chain.
    pub locked_ecr: Vec<u64>,
    /// `WrappedECR.totalSupply()`.
    pub wrapped_ecr: U256,
    /// Locked certificates without a wrapped twin (only when twins were checked).
    pub missing_twins: Option<Vec<u64>>,
}

impl AuditReport {
    /// Nothing exists on the EVM side that is not locked on chain.
    pub fn backed(&self) -> bool {
        self.wrapped_ect <= U256::from(self.locked_ect) && self.wrapped_ecr <= U256::from(self.locked_ecr.len())
    }

    /// Locked and wrapped are equal, and every locked certificate has its twin.
    pub fn settled(&self) -> bool {
        self.wrapped_ect == U256::from(self.locked_ect)
            && self.wrapped_ecr == U256::from(self.locked_ecr.len())
            && self.missing_twins.as_ref().is_none_or(|m| m.is_empty())
    }
}

impl std::fmt::Display for AuditReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "chain block        {}", self.chain_block)?;
        writeln!(f, "ECT locked         {}", self.locked_ect)?;
        writeln!(f, "wECT supply        {}", self.wrapped_ect)?;
        writeln!(f, "ECR locked         {} {:?}", self.locked_ecr.len(), self.locked_ecr)?;
        writeln!(f, "wECR supply        {}", self.wrapped_ecr)?;
        if let Some(missing) = &self.missing_twins {
            writeln!(f, "ECR without twin   {missing:?}")?;
        }
        let verdict = match (self.backed(), self.settled()) {
            (_, true) => "settled: locked == wrapped",
            (true, false) => "backed: wrapped <= locked (transfers in flight)",
            (false, _) => "MISMATCH: the EVM side holds more than is locked on chain",
        };
        write!(f, "verdict            {verdict}")
    }
}

/// An audit together with the chain state it read: a relayer round carries
/// on from the same finalized head.
pub struct Audit {
    /// The verdict and its figures.
    pub report: AuditReport,
    /// The finalized chain block read (after the EVM side).
    pub head: H256,
    /// The bridge's state at `head`.
    pub status: BridgeStatus,
}

/// Audit at the finalized chain head, fetched after the EVM reads; `twins`:
/// also check each locked certificate's twin.
pub async fn audit(chain: &ChainClient, evm: &EvmClient, twins: bool) -> anyhow::Result<Audit> {
    // EVM supply first: a mint can only follow a lock finalized before it, so
    // a chain head read afterwards always includes the locks behind the supply.
    let wrapped_ect = evm.wrapped_ect_supply().await?;
    let wrapped_ecr = evm.wrapped_ecr_supply().await?;
    let head = chain.finalized_head().await?;
    let status = chain.bridge_status(head).await?;
    let locked_ecr = chain.locked_ecr(head).await?;
    let chain_block = chain.block_number(head).await?;
    let missing_twins = if twins {
        let mut missing = Vec::new();
        for token in &locked_ecr {
            if evm.wrapped_ecr_owner(*token).await?.is_none() {
                missing.push(*token);
            }
        }
        Some(missing)
    } else {
        None
    };
    let report =
        AuditReport { chain_block, locked_ect: status.locked_ect, wrapped_ect, locked_ecr, wrapped_ecr, missing_twins };
    Ok(Audit { report, head, status })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(locked: u128, wrapped: u64, ecr: Vec<u64>, wecr: u64) -> AuditReport {
        AuditReport {
            chain_block: 1,
            locked_ect: locked,
            wrapped_ect: U256::from(wrapped),
            locked_ecr: ecr,
            wrapped_ecr: U256::from(wecr),
            missing_twins: Some(vec![]),
        }
    }

    #[test]
    fn verdicts() {
        assert!(report(10, 10, vec![1], 1).settled());
        let in_flight = report(10, 4, vec![1, 2], 1);
        assert!(in_flight.backed() && !in_flight.settled());
        assert!(!report(10, 11, vec![], 0).backed());
        assert!(!report(10, 10, vec![1], 2).backed());
        let mut missing = report(10, 10, vec![1], 1);
        missing.missing_twins = Some(vec![1]);
        assert!(missing.backed() && !missing.settled());
        assert!(report(10, 11, vec![], 0).to_string().contains("MISMATCH"));
    }
}
