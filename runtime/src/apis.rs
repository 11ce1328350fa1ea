//! Runtime APIs: the standard ones clients and the node need, plus
//! [`EcoChainApi`] (token queries behind the node's `ect_*` … `ecosystem_*`
//! RPC methods) and [`PermissionsApi`] (validator set and allow-lists for
//! consensus and networking).
//!
//! `impl_runtime_apis!` also generates [`api::dispatch`], the native entry
//! point the node's executor calls with a method name (`Core_version`, …) and
//! SCALE-encoded arguments.

use crate::{
    AccountId, Balance, Block, BlockNumber, Ccr, Ecr, Ecs, Ect, Egm, Est, Executive, InherentDataExt, Nonce,
    Permissions, Runtime, RuntimeGenesisConfig, System,
};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use frame_support::genesis_builder_helper::{build_state, get_preset};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_core::OpaqueMetadata;
use sp_runtime::{
    traits::Block as BlockT,
    transaction_validity::{TransactionSource, TransactionValidity},
    ApplyExtrinsicResult,
};
use sp_version::RuntimeVersion;

/// An account's holdings in all six tokens (`ecosystem_balance`).
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EcosystemBalance {
    /// ECT: free, staked, other held, pending rewards.
    pub ect: pallet_ect::EctBalance,
    /// ECS score profile.
    pub ecs: pallet_ecs::ScoreProfile,
    /// CCR credits per batch.
    pub ccr: pallet_ccr::CcrBalance,
    /// Number of ECR certificates owned.
    pub ecr: u32,
    /// EST receipt balance (sum of active positions).
    pub est: Balance,
    /// EGM gems: VIP status and total gem value.
    pub egm: pallet_egm::VipInfo,
}

/// One count per token, part of [`EcosystemStats`].
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenCounts {
    /// ECT.
    pub ect: u64,
    /// ECS.
    pub ecs: u64,
    /// CCR.
    pub ccr: u64,
    /// ECR.
    pub ecr: u64,
    /// EST.
    pub est: u64,
    /// EGM.
    pub egm: u64,
}

/// Chain-wide token figures (`ecosystem_stats`).
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EcosystemStats {
    /// Current block height.
    pub block_number: BlockNumber,
    /// ECT supplies and staking.
    pub ect: pallet_ect::TokenInfo,
    /// EST positions and totals.
    pub est: pallet_est::EstInfo,
    /// CCR issued, retired, listed.
    pub ccr: pallet_ccr::CcrStats,
    /// ECR certificates in existence.
    pub ecr_certificates: u64,
    /// EGM gems and values.
    pub egm: pallet_egm::GemStats,
    /// Current validator count.
    pub validators: u32,
    /// Accounts holding each token: ECT, accounts with a balance; ECS, accounts
    /// with a score record (badges); CCR, accounts with credits of some batch
    /// (not counting credits escrowed in listings); ECR and EGM, accounts owning
    /// a certificate / a gem; EST, accounts with active positions. Counters kept
    /// by the pallets, not scans.
    pub holders: TokenCounts,
    /// Successful calls of each token's pallet (ECT: of `pallet-ect`; plain
    /// `balances` transfers are not counted).
    pub transactions: TokenCounts,
}

/// The bridge's state (`bridge_status`).
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BridgeStatus {
    /// Whether locks and releases are refused.
    pub paused: bool,
    /// Relayer approvals needed (M).
    pub threshold: u32,
    /// Transfer limits.
    pub limits: Option<pallet_bridge::Limits>,
    /// ECT moved this period: (period index, outbound, inbound).
    pub period_usage: (u64, Balance, Balance),
    /// Next outbound nonce (= outbound transfers so far).
    pub next_nonce: u64,
    /// ECT locked for the EVM side (the bridge account above its existential deposit).
    pub locked_ect: Balance,
    /// Inbound releases with approvals but not yet decided.
    pub pending_releases: u32,
    /// Where outbound messages go (unset: locks are refused).
    pub destination: Option<pallet_bridge::Destination>,
    /// Id of the bridge key set that signs this block's commitment.
    pub set_id: u64,
    /// This chain's genesis hash, as messages carry it.
    pub genesis: sp_core::H256,
}

/// What a validator's node needs to sign the pending bridge commitment.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct BridgeSigning {
    /// The commitment collecting signatures.
    pub commitment: pallet_bridge::Commitment,
    /// The hash to sign (see `pallet_bridge::messages::commitment_hash`).
    pub hash: sp_core::H256,
    /// Keys of its set.
    pub keys: Vec<sp_core::H160>,
    /// Keys that signed it already.
    pub signed: Vec<sp_core::H160>,
}

/// An outbound message with its Merkle proof under a certified commitment.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct BridgeMessageProof {
    /// The ABI-encoded message.
    pub message: Vec<u8>,
    /// The 32 siblings of its leaf, bottom-up.
    pub proof: Vec<sp_core::H256>,
    /// The certified commitment whose root it is proven under.
    pub certificate: pallet_bridge::SignedCommitmentOf<crate::Runtime>,
}

sp_api::decl_runtime_apis! {
    /// Read-only token queries served over RPC by the node.
    pub trait EcoChainApi {
        /// ECT name, symbol, decimals and supplies.
        fn ect_info() -> pallet_ect::TokenInfo;
        /// ECT free, staked, held and pending rewards of an account.
        fn ect_balance(who: AccountId) -> pallet_ect::EctBalance;
        /// ECS score, level, monthly score, achievements and badges.
        fn ecs_profile(who: AccountId) -> pallet_ecs::ScoreProfile;
        /// ECS levels with their required scores and benefits.
        fn ecs_levels() -> Vec<pallet_ecs::LevelView>;
        /// Benefits of the ECS level an account reached.
        fn ecs_benefits(who: AccountId) -> Vec<Vec<u8>>;
        /// CCR credits of an account per batch, with expired ones apart.
        fn ccr_balance(who: AccountId) -> pallet_ccr::CcrBalance;
        /// Open CCR marketplace listings.
        fn ccr_marketplace() -> Vec<pallet_ccr::ListingView<AccountId>>;
        /// CCR retirements made by an account.
        fn ccr_retirements(who: AccountId) -> Vec<pallet_ccr::RetirementView<AccountId>>;
        /// ECR certificates owned by an account.
        fn ecr_certificates(who: AccountId) -> Vec<(pallet_ecr::TokenId, pallet_ecr::CertificateRecord<AccountId>)>;
        /// An ECR certificate's record and verified flag.
        fn ecr_verify(token: pallet_ecr::TokenId) -> Option<pallet_ecr::CertificateRecord<AccountId>>;
        /// EST positions of an account.
        fn est_positions(who: AccountId) -> Vec<pallet_est::Position<AccountId>>;
        /// EST rewards of an account's active positions.
        fn est_rewards(who: AccountId) -> pallet_est::PendingRewards;
        /// EST tiers.
        fn est_tiers() -> Vec<pallet_est::TierInfo>;
        /// EGM gems owned by an account.
        fn egm_gems(who: AccountId) -> Vec<(pallet_egm::GemId, pallet_egm::GemInfo<AccountId>)>;
        /// EGM VIP status of an account.
        fn egm_vip_status(who: AccountId) -> pallet_egm::VipInfo;
        /// Benefits of an account's VIP status.
        fn egm_benefits(who: AccountId) -> (pallet_egm::VipStatus, Vec<Vec<u8>>);
        /// All six balances of an account.
        fn ecosystem_balance(who: AccountId) -> EcosystemBalance;
        /// Chain-wide token figures.
        fn ecosystem_stats() -> EcosystemStats;
    }

    /// The bridge's state, for the relayer and `bridge_*` RPC.
    pub trait BridgeApi {
        /// Paused flag, threshold, limits, period usage, next nonce, locked ECT.
        fn bridge_status() -> BridgeStatus;
        /// An outbound transfer by nonce.
        fn bridge_transfer(nonce: u64) -> Option<pallet_bridge::Outbound<AccountId>>;
        /// The newest certified commitment.
        fn bridge_commitment() -> Option<pallet_bridge::SignedCommitmentOf<crate::Runtime>>;
        /// The commitment validators are asked to sign, if any.
        fn bridge_signing() -> Option<BridgeSigning>;
        /// Message `nonce` with its proof under the newest certified commitment
        /// (`None` until one covers it).
        fn bridge_message_proof(nonce: u64) -> Option<BridgeMessageProof>;
        /// Message `nonce` and its proof in the tree of the first `size`
        /// messages (the tree of a commitment with `messages = size`).
        fn bridge_message_proof_in(nonce: u64, size: u64) -> Option<(Vec<u8>, Vec<sp_core::H256>)>;
        /// The newest commitment certified by key set `set_id`.
        fn bridge_set_commitment(set_id: u64) -> Option<pallet_bridge::SignedCommitmentOf<crate::Runtime>>;
        /// The bridge keys of set `set_id`, ascending.
        fn bridge_key_set(set_id: u64) -> Option<Vec<sp_core::H160>>;
    }

    /// Validator set and allow-lists, read by consensus and networking.
    pub trait PermissionsApi {
        /// The validator set executing the next block.
        fn validators() -> Vec<pallet_permissions::ValidatorInfo<AccountId>>;
        /// A scheduled validator-set change: the height and the new set.
        fn next_validator_change() -> Option<(BlockNumber, Vec<pallet_permissions::ValidatorInfo<AccountId>>)>;
        /// Allow-listed peer ids (base58 text).
        fn allowed_nodes() -> Vec<Vec<u8>>;
        /// Every current and scheduled validator's consensus key, with the node
        /// peer id (base58 text) its account registered (`permissions.setNodeId`).
        fn validator_nodes() -> Vec<([u8; 32], Option<Vec<u8>>)>;
        /// Whether an account may submit transactions.
        fn is_account_allowed(who: AccountId) -> bool;
    }
}

sp_api::impl_runtime_apis! {
    impl sp_api::Core<Block> for Runtime {
        fn version() -> RuntimeVersion {
            crate::version()
        }

        fn execute_block(block: <Block as BlockT>::LazyBlock) {
            Executive::execute_block(block);
        }

        fn initialize_block(header: &<Block as BlockT>::Header) -> sp_runtime::ExtrinsicInclusionMode {
            Executive::initialize_block(header)
        }
    }

    impl sp_api::Metadata<Block> for Runtime {
        fn metadata() -> OpaqueMetadata {
            OpaqueMetadata::new(Runtime::metadata().into())
        }

        fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
            Runtime::metadata_at_version(version)
        }

        fn metadata_versions() -> Vec<u32> {
            Runtime::metadata_versions()
        }
    }

    impl sp_block_builder::BlockBuilder<Block> for Runtime {
        fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
            Executive::apply_extrinsic(extrinsic)
        }

        fn finalize_block() -> <Block as BlockT>::Header {
            Executive::finalize_block()
        }

        fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
            // In the v4 bare format (`new_bare_legacy`), which every decoder
            // reads (api-sidecar 18 refuses v5 bare); the runtime accepts both.
            data.create_extrinsics()
                .into_iter()
                .map(|xt| crate::UncheckedExtrinsic::new_bare_legacy(xt.function))
                .collect()
        }

        fn check_inherents(
            block: <Block as BlockT>::LazyBlock,
            data: sp_inherents::InherentData,
        ) -> sp_inherents::CheckInherentsResult {
            data.check_extrinsics(&block)
        }
    }

    impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
        fn validate_transaction(
            source: TransactionSource,
            tx: <Block as BlockT>::Extrinsic,
            block_hash: <Block as BlockT>::Hash,
        ) -> TransactionValidity {
            Executive::validate_transaction(source, tx, block_hash)
        }
    }

    impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
        fn offchain_worker(header: &<Block as BlockT>::Header) {
            Executive::offchain_worker(header)
        }
    }

    impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
        fn account_nonce(account: AccountId) -> Nonce {
            System::account_nonce(account)
        }
    }

    impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
        fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
            build_state::<RuntimeGenesisConfig>(config)
        }

        fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
            get_preset::<RuntimeGenesisConfig>(id, crate::genesis::get_preset)
        }

        fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
            crate::genesis::preset_names()
        }
    }

    impl self::EcoChainApi<Block> for Runtime {
        fn ect_info() -> pallet_ect::TokenInfo {
            Ect::info()
        }

        fn ect_balance(who: AccountId) -> pallet_ect::EctBalance {
            Ect::balance(&who)
        }

        fn ecs_profile(who: AccountId) -> pallet_ecs::ScoreProfile {
            Ecs::profile(&who)
        }

        fn ecs_levels() -> Vec<pallet_ecs::LevelView> {
            Ecs::levels()
        }

        fn ecs_benefits(who: AccountId) -> Vec<Vec<u8>> {
            Ecs::benefits_of(&who)
        }

        fn ccr_balance(who: AccountId) -> pallet_ccr::CcrBalance {
            Ccr::balance(&who)
        }

        fn ccr_marketplace() -> Vec<pallet_ccr::ListingView<AccountId>> {
            Ccr::marketplace()
        }

        fn ccr_retirements(who: AccountId) -> Vec<pallet_ccr::RetirementView<AccountId>> {
            Ccr::retirements(&who)
        }

        fn ecr_certificates(who: AccountId) -> Vec<(pallet_ecr::TokenId, pallet_ecr::CertificateRecord<AccountId>)> {
            Ecr::certificates(&who)
        }

        fn ecr_verify(token: pallet_ecr::TokenId) -> Option<pallet_ecr::CertificateRecord<AccountId>> {
            Ecr::verify(token)
        }

        fn est_positions(who: AccountId) -> Vec<pallet_est::Position<AccountId>> {
            Est::positions(&who)
        }

        fn est_rewards(who: AccountId) -> pallet_est::PendingRewards {
            Est::pending_rewards(&who)
        }

        fn est_tiers() -> Vec<pallet_est::TierInfo> {
            Est::tiers()
        }

        fn egm_gems(who: AccountId) -> Vec<(pallet_egm::GemId, pallet_egm::GemInfo<AccountId>)> {
            Egm::gems(&who)
        }

        fn egm_vip_status(who: AccountId) -> pallet_egm::VipInfo {
            Egm::vip_status(&who)
        }

        fn egm_benefits(who: AccountId) -> (pallet_egm::VipStatus, Vec<Vec<u8>>) {
            Egm::benefits_of(&who)
        }

        fn ecosystem_balance(who: AccountId) -> EcosystemBalance {
            EcosystemBalance {
                ect: Ect::balance(&who),
                ecs: Ecs::profile(&who),
                ccr: Ccr::balance(&who),
                ecr: Ecr::balance_of(&who),
                est: Est::est_balance(&who),
                egm: Egm::vip_status(&who),
            }
        }

        fn ecosystem_stats() -> EcosystemStats {
            EcosystemStats {
                block_number: System::block_number(),
                ect: Ect::info(),
                est: Est::info(),
                ccr: Ccr::stats(),
                ecr_certificates: Ecr::total_supply(),
                egm: Egm::stats(),
                validators: u32::try_from(Permissions::validators().len()).unwrap_or(u32::MAX),
                holders: TokenCounts {
                    ect: Ect::holders(),
                    ecs: Ecs::holders(),
                    ccr: Ccr::holders(),
                    ecr: Ecr::holders(),
                    est: Est::holders(),
                    egm: Egm::holders(),
                },
                transactions: TokenCounts {
                    ect: Ect::transactions(),
                    ecs: Ecs::transactions(),
                    ccr: Ccr::transactions(),
                    ecr: Ecr::transactions(),
                    est: Est::transactions(),
                    egm: Egm::transactions(),
                },
            }
        }
    }

    impl self::BridgeApi<Block> for Runtime {
        fn bridge_status() -> BridgeStatus {
            BridgeStatus {
                paused: pallet_bridge::Paused::<Runtime>::get(),
                threshold: pallet_bridge::Threshold::<Runtime>::get(),
                limits: pallet_bridge::BridgeLimits::<Runtime>::get(),
                period_usage: pallet_bridge::PeriodUsage::<Runtime>::get(),
                next_nonce: pallet_bridge::NextNonce::<Runtime>::get(),
                locked_ect: pallet_bridge::Pallet::<Runtime>::locked_ect(),
                pending_releases: pallet_bridge::PendingReleases::<Runtime>::get(),
                destination: pallet_bridge::MessageDestination::<Runtime>::get(),
                set_id: pallet_bridge::SetId::<Runtime>::get(),
                genesis: crate::Bridge::genesis_hash(),
            }
        }

        fn bridge_transfer(nonce: u64) -> Option<pallet_bridge::Outbound<AccountId>> {
            pallet_bridge::Pallet::<Runtime>::transfer(nonce)
        }

        fn bridge_commitment() -> Option<pallet_bridge::SignedCommitmentOf<Runtime>> {
            pallet_bridge::Certified::<Runtime>::get()
        }

        fn bridge_signing() -> Option<BridgeSigning> {
            let pending = pallet_bridge::Pending::<Runtime>::get()?;
            let c = &pending.commitment;
            let hash = pallet_bridge::messages::commitment_hash(crate::Bridge::genesis_hash(), c.block_number, c.root, c.set_id);
            let keys = pallet_bridge::KeySets::<Runtime>::get(c.set_id).unwrap_or_default().into_inner();
            let signed = pending.signatures.iter().map(|(signer, _)| *signer).collect();
            Some(BridgeSigning { commitment: pending.commitment.clone(), hash, keys, signed })
        }

        fn bridge_message_proof_in(nonce: u64, size: u64) -> Option<(Vec<u8>, Vec<sp_core::H256>)> {
            crate::Bridge::message_proof_in(nonce, size)
        }

        fn bridge_set_commitment(set_id: u64) -> Option<pallet_bridge::SignedCommitmentOf<Runtime>> {
            pallet_bridge::SetCertificates::<Runtime>::get(set_id)
        }

        fn bridge_key_set(set_id: u64) -> Option<Vec<sp_core::H160>> {
            pallet_bridge::KeySets::<Runtime>::get(set_id).map(|keys| keys.into_inner())
        }

        fn bridge_message_proof(nonce: u64) -> Option<BridgeMessageProof> {
            let (message, proof, certificate) = crate::Bridge::message_proof(nonce)?;
            Some(BridgeMessageProof { message, proof, certificate })
        }
    }

    impl self::PermissionsApi<Block> for Runtime {
        fn validators() -> Vec<pallet_permissions::ValidatorInfo<AccountId>> {
            Permissions::validators()
        }

        fn next_validator_change() -> Option<(BlockNumber, Vec<pallet_permissions::ValidatorInfo<AccountId>>)> {
            pallet_permissions::NextChange::<Runtime>::get().map(|c| (c.at, c.validators.into_inner()))
        }

        fn allowed_nodes() -> Vec<Vec<u8>> {
            Permissions::allowed_nodes()
        }

        fn validator_nodes() -> Vec<([u8; 32], Option<Vec<u8>>)> {
            Permissions::validator_nodes()
        }

        fn is_account_allowed(who: AccountId) -> bool {
            Permissions::is_account_allowed(&who)
        }
    }
}
