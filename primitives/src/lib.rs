//! Types, constants and traits shared by the EcoChain runtime and its pallets.
//!
//! Pallets stay loosely coupled: a token pallet that needs to check a role or
//! move ECT depends on the traits here, and the runtime wires them to the
//! permissions pallet and to `pallet-ect`.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::pallet_prelude::DispatchResult;
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{
    helpers_128bit::multiply_by_rational_with_rounding,
    traits::{IdentifyAccount, Verify},
    MultiSignature, Rounding,
};

/// Balance of every fungible amount on the chain (ECT units have 18 decimals).
pub type Balance = u128;
/// Block height.
pub type BlockNumber = u32;
/// Milliseconds since the Unix epoch, as kept by `pallet-timestamp`.
pub type Moment = u64;
/// Transaction index of an account.
pub type Nonce = u32;
/// Signature type: sr25519, ed25519 or ecdsa, as polkadot.js signs.
pub type Signature = MultiSignature;
/// Account identifier derived from the signer's public key (`AccountId32`).
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Block and state hash.
pub type Hash = sp_core::H256;
/// Block header (what the node's storage, RPC and consensus handle without the runtime).
pub type Header = sp_runtime::generic::Header<BlockNumber, sp_runtime::traits::BlakeTwo256>;

/// One ECT in base units (18 decimals).
pub const ECT: Balance = 1_000_000_000_000_000_000;
/// Seconds in the 365-day year used by every APY formula.
pub const SECONDS_PER_YEAR: u64 = 365 * 24 * 60 * 60;
/// Seconds in a day.
pub const SECONDS_PER_DAY: u64 = 24 * 60 * 60;
/// Engine id of EcoChain's consensus items: the `PreRuntime` digest naming a
/// block's author (its ed25519 consensus key) and the commit certificate in
/// a block's justifications.
pub const CONSENSUS_ENGINE_ID: [u8; 4] = *b"ECBF";

/// Basis points in 100%.
pub const BPS_DENOMINATOR: u32 = 10_000;

/// Privileges the admin origin grants to accounts.
#[derive(
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Debug,
    Serialize,
    Deserialize,
)]
pub enum Role {
    /// Awards and sets EcoScore points.
    Oracle,
    /// Issues verified carbon-credit batches.
    Verifier,
    /// Mints and revokes EcoCertificates.
    Issuer,
    /// Mints EcoGems.
    Minter,
    /// Approves inbound bridge releases.
    Relayer,
}

/// Answers whether an account holds a role.
pub trait RoleProvider<AccountId> {
    /// `true` when `who` holds `role`.
    fn has_role(who: &AccountId, role: Role) -> bool;
}

/// The validators' secp256k1 bridge keys (as EVM addresses), which sign the
/// bridge's commitments for the EVM light client.
pub trait BridgeKeys {
    /// The current validators' bridge keys, ascending, without duplicates.
    fn bridge_keys() -> Vec<sp_core::H160>;
}

/// Told when the validators' bridge keys change (a validator joined or left,
/// or rotated its key). The bridge turns each change into a signed message for
/// the EVM light client.
pub trait OnBridgeKeysChange {
    /// The new keys, ascending, without duplicates.
    fn bridge_keys_changed(keys: Vec<sp_core::H160>);
}

impl OnBridgeKeysChange for () {
    fn bridge_keys_changed(_: Vec<sp_core::H160>) {}
}

/// Bridge keys: secp256k1 keys with which validators sign the bridge's
/// commitments, named by their EVM address.
pub mod bridge_key {
    use k256::ecdsa::SigningKey;
    use sp_core::{Pair, H160};
    use sp_crypto_hashing::keccak_256;

    /// The EVM address of the key with secret `secret`; `None` for an invalid secret.
    pub fn address(secret: &[u8; 32]) -> Option<H160> {
        let key = SigningKey::from_slice(secret).ok()?;
        let point = key.verifying_key().to_encoded_point(false);
        Some(H160::from_slice(&keccak_256(&point.as_bytes()[1..])[12..]))
    }

    /// The secret of the dev bridge key `//<Name>` (as `subkey --scheme ecdsa`
    /// derives it). Dev chains only.
    pub fn dev_secret(name: &str) -> [u8; 32] {
        let pair = sp_core::ecdsa::Pair::from_string(&format!("//{name}"), None)
            .unwrap_or_else(|e| panic!("dev bridge key //{name}: {e:?}"));
        pair.seed()
    }

    /// Sign `hash` raw with `secret`: `r ++ s ++ v`, `v` 27 or 28, low `s`.
    pub fn sign(secret: &[u8; 32], hash: &[u8; 32]) -> Option<[u8; 65]> {
        let key = SigningKey::from_slice(secret).ok()?;
        let (sig, recid) = key.sign_prehash_recoverable(hash).ok()?;
        let (sig, recid) = match sig.normalize_s() {
            Some(low) => (low, k256::ecdsa::RecoveryId::new(!recid.is_y_odd(), recid.is_x_reduced())),
            None => (sig, recid),
        };
        let mut out = [0u8; 65];
        out[..64].copy_from_slice(&sig.to_bytes());
        out[64] = 27 + recid.to_byte();
        Some(out)
    }
}

/// What the other pallets need from ECT, the native currency.
pub trait EctControl<AccountId> {
    /// Fails while ECT is paused: no ECT may move.
    fn ensure_transferable() -> DispatchResult;
    /// Mints `amount` ECT to `who`, failing (and minting nothing) past the max supply.
    fn mint_capped(who: &AccountId, amount: Balance) -> DispatchResult;
}

/// The certificate data an ECR token carries to the EVM side.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BridgedCertificate {
    /// Kind of certificate.
    pub certificate_type: Vec<u8>,
    /// Environmental impact score.
    pub impact_score: u32,
    /// Rarity, 1 ..= 5.
    pub rarity: u8,
    /// Metadata (a URI).
    pub metadata: Vec<u8>,
}

/// What the bridge needs from ECR: lock a token while it lives on the EVM
/// chain, and release it to a chain account when it comes back.
pub trait EcrBridge<AccountId> {
    /// Lock `token` of `owner`; returns the data the wrapped twin carries.
    fn lock(token: u64, owner: &AccountId) -> Result<BridgedCertificate, frame_support::pallet_prelude::DispatchError>;
    /// Unlock `token` to `to`.
    fn unlock(token: u64, to: &AccountId) -> DispatchResult;
}

/// Simple-interest reward: `amount * apy_bps * seconds / (365 days * 10_000)`,
/// rounded down, computed without intermediate overflow (saturating at `u128::MAX`).
pub fn interest(amount: Balance, apy_bps: u32, seconds: u64) -> Balance {
    let numerator = u128::from(apy_bps) * u128::from(seconds);
    let denominator = u128::from(SECONDS_PER_YEAR) * u128::from(BPS_DENOMINATOR);
    multiply_by_rational_with_rounding(amount, numerator, denominator, Rounding::Down).unwrap_or(Balance::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_percent_over_a_year() {
        assert_eq!(interest(1_000 * ECT, 500, SECONDS_PER_YEAR), 50 * ECT);
    }

    #[test]
    fn interest_rounds_down_and_does_not_overflow() {
        assert_eq!(interest(1, 500, 1), 0);
        assert_eq!(interest(Balance::MAX, 10_000, SECONDS_PER_YEAR), Balance::MAX);
        assert!(interest(Balance::MAX, 20_000, SECONDS_PER_YEAR) == Balance::MAX);
    }
}
