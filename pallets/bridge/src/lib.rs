//! # Bridge — the chain side of ECT <-> ERC-20 and ECR <-> ERC-721
//!
//! Outbound (chain -> EVM): [`Pallet::lock_ect`] moves ECT into the bridge
//! account and [`Pallet::lock_ecr`] locks a certificate in place; each emits
//! [`Event::Locked`] with the next outbound nonce, which relayers turn into
//! M-of-N approved mints on the EVM side.
//!
//! Inbound (EVM -> chain): relayers (accounts with `Role::Relayer`) call
//! [`Pallet::approve_release`] for a burn event, keyed by
//! `(source chain id, bridge contract, transaction hash, log index)`, which
//! must name the destination's chain and contract. Approvals are counted per
//! content (asset and recipient), each relayer approving a key once, so a
//! relayer reporting something else cannot block the honest majority; when one
//! content reaches `Threshold` approvals the ECT (from the bridge account) or
//! the certificate is released to its chain recipient, exactly once ever per
//! key. A release above the delay threshold, or one that would exceed what is
//! left of the period's inbound cap, waits (until the delay passes or the next
//! period) and is then executed by anyone with [`Pallet::execute_release`].
//!
//! ## Only current relayers count
//!
//! Approvals are counted against the relayer set **at execution time**: an
//! approval by an account whose `Role::Relayer` was revoked does not count
//! toward `Threshold` (nor after the threshold was raised). When a delayed
//! release no longer has `Threshold` approvals from current relayers,
//! [`Pallet::execute_release`] reopens it ([`Event::ReleaseReopened`]): the
//! decision is dropped, the approvals of current relayers are kept, and the
//! other relayers approve it again.
//!
//! ## Releases larger than the period cap are refused
//!
//! A release of more ECT than `cap_per_period` could never execute (no period
//! would have room for it), so [`Pallet::approve_release`] refuses it at once
//! with [`Error::AboveInboundCap`]. The ECT stays burned on the EVM side until
//! the admin raises the cap ([`Pallet::set_limits`]); then the relayers'
//! approvals go through. Every release the pallet accepts fits the cap and is
//! executed once its delay and a period with room come; if the admin lowers
//! the cap below a release already decided, that release waits (failing with
//! [`Error::CapExceeded`]) until the cap is raised again.
//!
//! ## Bounded pending approvals
//!
//! Each relayer may have at most `MaxPendingApprovals` approvals on undecided
//! source keys ([`Error::TooManyPendingApprovals`]), and one key at most
//! `MaxRelayers` approvals, so a faulty relayer cannot fill storage with
//! approvals of events that never reach the threshold. A relayer (or the
//! admin, for a revoked relayer) withdraws an approval with
//! [`Pallet::cancel_approval`].
//!
//! ## Outbound messages and commitments for the EVM light client
//!
//! Every lock, and every change of the validators' bridge keys, is an
//! outbound **message** (see [`messages`]): ABI-encoded, naming this chain's
//! genesis, the destination chain id and contract, and a nonce. Messages are
//! leaves of an append-only keccak Merkle tree whose root (with the message
//! count and the signing set id) is in every block's header digest
//! ([`BRIDGE_ENGINE_ID`]). When a block adds messages and no commitment is
//! collecting signatures, that block's root becomes the [`Pending`]
//! commitment; validators sign it with their secp256k1 bridge keys and send
//! the signature as an unsigned [`Pallet::sign_commitment`] transaction,
//! checked against the set (each signer once, low `s`). At more than 2/3 of
//! the set the commitment is [`Certified`]: that certificate, with a message
//! and its Merkle proof, is all an EVM light client needs to mint — relayers
//! only carry it. A key change in block N is message SET `k+1`; block N is
//! still signed by set `k`, and set `k+1` signs from block N+1.
//!
//! Limits: pause (admin), a per-transfer maximum on locks and a rolling cap per
//! period on ECT moved in each direction. The bridge account is endowed with
//! the existential deposit at genesis and never released below it, so it can
//! never be reaped; [`Pallet::locked_ect`] excludes that deposit.

pub use pallet::*;

pub mod messages;
pub mod weights;
pub use weights::WeightInfo;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// Engine id of the header digest item `(root, messages, set_id)` (SCALE) of
/// the bridge's message tree after the block.
pub const BRIDGE_ENGINE_ID: [u8; 4] = *b"ecbr";

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use ecochain_primitives::{Balance, BridgedCertificate, EcrBridge, EctControl, Moment, Role, RoleProvider};
    use frame_support::{
        pallet_prelude::*,
        traits::{
            fungible::{Inspect, Mutate},
            tokens::Preservation,
            UnixTime,
        },
        PalletId,
    };
    use frame_system::pallet_prelude::*;
    use serde::{Deserialize, Serialize};
    use sp_core::{H160, H256};
    use sp_runtime::{
        traits::{AccountIdConversion, SaturatedConversion, Zero},
        DigestItem,
    };
    use std::collections::BTreeMap;

    /// 1: complete subtrees of the message tree are stored ([`Nodes`]).
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    /// Configuration of the bridge pallet.
    #[pallet::config]
    pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
        /// ECT, the native currency.
        type Currency: Mutate<Self::AccountId, Balance = Balance>;
        /// ECT pause and cap.
        type Ect: EctControl<Self::AccountId>;
        /// ECR locking.
        type Ecr: EcrBridge<Self::AccountId>;
        /// Who holds `Role::Relayer`.
        type Roles: RoleProvider<Self::AccountId>;
        /// The validators' bridge keys (the genesis set).
        type BridgeKeys: ecochain_primitives::BridgeKeys;
        /// Most bridge keys in a set (the validator set's maximum).
        #[pallet::constant]
        type MaxSigners: Get<u32>;
        /// Origin allowed to pause and change limits.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// Wall-clock time.
        type Time: UnixTime;
        /// Derives the account holding locked ECT.
        #[pallet::constant]
        type PalletId: Get<PalletId>;
        /// Most relayers that can approve one release (and most approvals one
        /// undecided source key may collect).
        #[pallet::constant]
        type MaxRelayers: Get<u32>;
        /// Most approvals one relayer may have on undecided source keys.
        #[pallet::constant]
        type MaxPendingApprovals: Get<u32>;
        /// Weights.
        type WeightInfo: WeightInfo;
    }

    /// What crosses the bridge.
    #[derive(
        Encode,
        Decode,
        DecodeWithMemTracking,
        MaxEncodedLen,
        TypeInfo,
        Clone,
        PartialEq,
        Eq,
        Debug,
        Serialize,
        Deserialize,
    )]
    #[serde(rename_all = "camelCase")]
    pub enum Asset {
        /// An amount of ECT.
        Ect(Balance),
        /// An ECR certificate by token id.
        Ecr(u64),
    }

    /// Where outbound messages go.
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
        Debug,
        Serialize,
        Deserialize,
    )]
    #[serde(rename_all = "camelCase")]
    pub struct Destination {
        /// EVM chain id.
        pub chain_id: u64,
        /// The `EcoBridge` contract (target of ECT and ECR messages).
        pub bridge: H160,
        /// The `EcoLightClient` contract (target of SET messages).
        pub light_client: H160,
    }

    /// What validators sign: the message tree's root after a block.
    #[derive(
        Encode,
        Decode,
        DecodeWithMemTracking,
        MaxEncodedLen,
        TypeInfo,
        Clone,
        PartialEq,
        Eq,
        Debug,
        Serialize,
        Deserialize,
    )]
    #[serde(rename_all = "camelCase")]
    pub struct Commitment {
        /// The block.
        pub block_number: u64,
        /// Root of the message tree after it.
        pub root: H256,
        /// Messages in the tree.
        pub messages: u64,
        /// The set whose keys sign it.
        pub set_id: u64,
    }

    /// A commitment and the signatures collected for it, by ascending signer.
    #[derive(
        Encode,
        Decode,
        MaxEncodedLen,
        TypeInfo,
        frame_support::CloneNoBound,
        frame_support::PartialEqNoBound,
        frame_support::EqNoBound,
        frame_support::DebugNoBound,
    )]
    #[scale_info(skip_type_params(MaxSigners))]
    pub struct SignedCommitment<MaxSigners: Get<u32>> {
        /// What is signed.
        pub commitment: Commitment,
        /// (signer's EVM address, 65-byte signature), ascending by signer.
        pub signatures: BoundedVec<(H160, [u8; 65]), MaxSigners>,
    }

    /// Type of a stored signed commitment.
    pub type SignedCommitmentOf<T> = SignedCommitment<<T as Config>::MaxSigners>;

    /// A set of bridge keys.
    pub type KeySetOf<T> = BoundedVec<H160, <T as Config>::MaxSigners>;

    /// Longest outbound message, bytes (an ECR message with its texts, which
    /// may triple when made valid UTF-8, fits).
    pub type MaxMessageLen = ConstU32<8192>;

    /// Where an inbound release comes from: (EVM chain id, bridge contract,
    /// transaction hash, log index). Only burns of the destination's chain
    /// and bridge contract are released.
    pub type SourceKey = (u64, H160, H256, u32);

    /// A locked outbound transfer.
    #[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Outbound<AccountId> {
        /// What was locked.
        pub asset: Asset,
        /// Who locked it.
        pub sender: AccountId,
        /// EVM recipient.
        pub recipient: H160,
        /// When (Unix ms).
        pub at: Moment,
    }

    /// State of a decided inbound release.
    #[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
    pub enum ReleaseState {
        /// Approved; executable from this Unix ms.
        Delayed(Moment),
        /// Released. Final: the key can never release again.
        Executed,
    }

    /// An inbound release that reached its approvals.
    #[derive(
        Encode,
        Decode,
        MaxEncodedLen,
        TypeInfo,
        frame_support::CloneNoBound,
        frame_support::PartialEqNoBound,
        frame_support::EqNoBound,
        frame_support::DebugNoBound,
    )]
    #[scale_info(skip_type_params(MaxRelayers))]
    pub struct Release<AccountId: Clone + PartialEq + Eq + core::fmt::Debug, MaxRelayers: Get<u32>> {
        /// What is released.
        pub asset: Asset,
        /// Chain recipient.
        pub recipient: AccountId,
        /// Relayers who approved this content.
        pub approvals: BoundedVec<AccountId, MaxRelayers>,
        /// Where it stands.
        pub state: ReleaseState,
    }

    /// Type of a stored release.
    pub type ReleaseOf<T> = Release<<T as frame_system::Config>::AccountId, <T as Config>::MaxRelayers>;

    /// Limits on ECT per direction.
    #[derive(
        Encode,
        Decode,
        DecodeWithMemTracking,
        MaxEncodedLen,
        TypeInfo,
        Clone,
        PartialEq,
        Eq,
        Debug,
        Serialize,
        Deserialize,
    )]
    #[serde(rename_all = "camelCase")]
    pub struct Limits {
        /// Largest single transfer (0: no limit).
        pub max_per_transfer: Balance,
        /// Most ECT per period per direction (0: no cap).
        pub cap_per_period: Balance,
        /// Period length, ms.
        pub period_ms: Moment,
        /// Releases above this wait `release_delay_ms` (0: never wait).
        pub delay_threshold: Balance,
        /// How long a large release waits, ms.
        pub release_delay_ms: Moment,
    }

    /// Approvals needed for a release (M of the N relayers).
    #[pallet::storage]
    pub type Threshold<T> = StorageValue<_, u32, ValueQuery>;

    /// Whether the bridge is paused.
    #[pallet::storage]
    pub type Paused<T> = StorageValue<_, bool, ValueQuery>;

    /// Transfer limits.
    #[pallet::storage]
    pub type BridgeLimits<T> = StorageValue<_, Limits, OptionQuery>;

    /// Next message nonce (= messages so far: locks and key-set changes).
    #[pallet::storage]
    pub type NextNonce<T> = StorageValue<_, u64, ValueQuery>;

    /// Outbound transfers by nonce.
    #[pallet::storage]
    pub type Outbounds<T: Config> = StorageMap<_, Twox64Concat, u64, Outbound<T::AccountId>>;

    /// Inbound releases that reached their approvals, by source key. An
    /// executed release is never removed, so its key can never release again;
    /// a delayed one is removed only when reopened (see [`Event::ReleaseReopened`]).
    #[pallet::storage]
    pub type Releases<T: Config> = StorageMap<_, Blake2_128Concat, SourceKey, ReleaseOf<T>>;

    /// Approvals still collecting, per source key and content hash
    /// (`blake2_256(SCALE(asset, recipient))`). Cleared when a content is decided.
    #[pallet::storage]
    pub type Approvals<T: Config> = StorageDoubleMap<
        _,
        Blake2_128Concat,
        SourceKey,
        Identity,
        H256,
        BoundedVec<T::AccountId, T::MaxRelayers>,
        ValueQuery,
    >;

    /// The content each relayer approved per undecided source key.
    #[pallet::storage]
    pub type Voted<T: Config> = StorageDoubleMap<_, Blake2_128Concat, SourceKey, Blake2_128Concat, T::AccountId, H256>;

    /// Source keys with approvals but no decision yet.
    #[pallet::storage]
    pub type PendingReleases<T> = StorageValue<_, u32, ValueQuery>;

    /// Number of approvals (of any content) on each undecided source key; at
    /// most `MaxRelayers`.
    #[pallet::storage]
    pub type VoteCount<T> = StorageMap<_, Blake2_128Concat, SourceKey, u32, ValueQuery>;

    /// Number of undecided source keys each relayer approved; at most
    /// `MaxPendingApprovals`.
    #[pallet::storage]
    pub type PendingApprovals<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

    /// ECT moved in the current period, per direction: (period index, outbound, inbound).
    #[pallet::storage]
    pub type PeriodUsage<T> = StorageValue<_, (u64, Balance, Balance), ValueQuery>;

    /// Certificates locked on chain while they live on the EVM side.
    #[pallet::storage]
    pub type LockedEcr<T> = StorageMap<_, Twox64Concat, u64, ()>;

    /// Where outbound messages go; locks are refused until it is set.
    #[pallet::storage]
    pub type MessageDestination<T> = StorageValue<_, Destination, OptionQuery>;

    /// This chain's genesis hash, kept from block 1 (the system pallet
    /// forgets old block hashes).
    #[pallet::storage]
    pub type GenesisHash<T> = StorageValue<_, H256, OptionQuery>;

    /// Outbound messages by nonce (ABI-encoded, see [`messages`]).
    #[pallet::storage]
    pub type Messages<T> = StorageMap<_, Twox64Concat, u64, BoundedVec<u8, MaxMessageLen>>;

    /// Leaf of each message (`keccak256(message)`), by nonce.
    #[pallet::storage]
    pub type Leaves<T> = StorageMap<_, Twox64Concat, u64, H256>;

    /// Left frontier of the message tree (see [`messages::append`]).
    #[pallet::storage]
    pub type Branch<T> = StorageValue<_, [H256; messages::DEPTH], ValueQuery>;

    /// Root of each complete subtree of the message tree by (height >= 1,
    /// index from the left): what makes a proof cost O(DEPTH²) reads.
    #[pallet::storage]
    pub type Nodes<T> = StorageDoubleMap<_, Twox64Concat, u8, Twox64Concat, u64, H256>;

    /// Id of the key set that signs new commitments. It moves on to an
    /// announced set only once a certificate of this set covers the
    /// announcing SET message, so the light client can always follow.
    #[pallet::storage]
    pub type SetId<T> = StorageValue<_, u64, ValueQuery>;

    /// Id of the newest key set announced.
    #[pallet::storage]
    pub type LatestSetId<T> = StorageValue<_, u64, ValueQuery>;

    /// Nonce of the SET message announcing each set.
    #[pallet::storage]
    pub type SetAnnouncements<T> = StorageMap<_, Twox64Concat, u64, u64>;

    /// Bridge keys of each set id, ascending.
    #[pallet::storage]
    pub type KeySets<T: Config> = StorageMap<_, Twox64Concat, u64, KeySetOf<T>>;

    /// The commitment collecting signatures, if any.
    #[pallet::storage]
    pub type Pending<T: Config> = StorageValue<_, SignedCommitmentOf<T>, OptionQuery>;

    /// The newest commitment signed by more than 2/3 of its set.
    #[pallet::storage]
    pub type Certified<T: Config> = StorageValue<_, SignedCommitmentOf<T>, OptionQuery>;

    /// The newest commitment certified by each key set. A set's last one
    /// covers the message announcing the next set, so a light client that
    /// is several sets behind catches up set by set.
    #[pallet::storage]
    pub type SetCertificates<T: Config> = StorageMap<_, Twox64Concat, u64, SignedCommitmentOf<T>>;

    /// Genesis configuration.
    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// Approvals needed (M).
        pub threshold: u32,
        /// Transfer limits.
        pub limits: Option<Limits>,
        /// Where outbound messages go.
        #[serde(default)]
        pub destination: Option<Destination>,
        #[serde(skip)]
        #[doc(hidden)]
        pub _config: core::marker::PhantomData<T>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            let threshold = if self.threshold == 0 { 2 } else { self.threshold };
            assert!(threshold <= T::MaxRelayers::get(), "bridge genesis: threshold above MaxRelayers");
            Threshold::<T>::put(threshold);
            if let Some(limits) = &self.limits {
                assert!(limits.period_ms > 0 || limits.cap_per_period == 0, "bridge genesis: a cap needs a period");
                BridgeLimits::<T>::put(limits);
            }
            MessageDestination::<T>::set(self.destination);
            let keys: KeySetOf<T> = <T::BridgeKeys as ecochain_primitives::BridgeKeys>::bridge_keys()
                .try_into()
                .unwrap_or_else(|_| panic!("bridge genesis: more bridge keys than MaxSigners"));
            KeySets::<T>::insert(0, keys);
            // The bridge account holds the existential deposit forever, so a
            // release can never reap it (and destroy what remains locked).
            let account = Pallet::<T>::account_id();
            if T::Currency::balance(&account).is_zero() {
                let deposit = T::Currency::minimum_balance();
                assert!(
                    T::Currency::mint_into(&account, deposit).is_ok(),
                    "bridge genesis: cannot endow the bridge account"
                );
            }
        }
    }

    /// Events of the bridge.
    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// An asset was locked for the EVM side.
        Locked {
            /// Outbound nonce.
            nonce: u64,
            /// What was locked.
            asset: Asset,
            /// Certificate data, for ECR.
            certificate: Option<BridgedCertificate>,
            /// Sender on chain.
            sender: T::AccountId,
            /// EVM recipient.
            recipient: H160,
        },
        /// A relayer approved a release.
        ReleaseApproved {
            /// Source event.
            source: SourceKey,
            /// The relayer.
            relayer: T::AccountId,
            /// Approvals so far.
            approvals: u32,
        },
        /// A release reached its approvals and waits for its delay.
        ReleaseDelayed {
            /// Source event.
            source: SourceKey,
            /// Executable from this Unix ms.
            until: Moment,
        },
        /// A delayed release lost its threshold (relayers revoked or the
        /// threshold raised): it collects approvals again.
        ReleaseReopened {
            /// Source event.
            source: SourceKey,
            /// Approvals of current relayers kept.
            approvals: u32,
        },
        /// A relayer's approval of an undecided release was withdrawn.
        ApprovalCancelled {
            /// Source event.
            source: SourceKey,
            /// The relayer whose approval was withdrawn.
            relayer: T::AccountId,
        },
        /// An asset was released on chain.
        Released {
            /// Source event.
            source: SourceKey,
            /// What was released.
            asset: Asset,
            /// Chain recipient.
            recipient: T::AccountId,
        },
        /// The bridge was paused or resumed.
        PausedSet {
            /// Whether paused now.
            paused: bool,
        },
        /// The approval threshold changed.
        ThresholdSet {
            /// Approvals needed.
            threshold: u32,
        },
        /// Limits changed.
        LimitsSet {
            /// New limits.
            limits: Option<Limits>,
        },
        /// The message destination changed.
        DestinationSet {
            /// New destination.
            destination: Option<Destination>,
        },
        /// An outbound message was added to the tree.
        MessageQueued {
            /// Its nonce (leaf index).
            nonce: u64,
            /// Its kind (0 ECT, 1 ECR, 2 SET).
            kind: u8,
            /// Its leaf, `keccak256(message)`.
            leaf: H256,
        },
        /// The validators' bridge keys changed: set `set_id` signs from the next block.
        KeySetChanged {
            /// The new set id.
            set_id: u64,
            /// Its keys.
            keys: Vec<H160>,
        },
        /// A validator signed the pending commitment.
        CommitmentSigned {
            /// The committed block.
            block_number: u64,
            /// The signer's bridge key.
            signer: H160,
        },
        /// A commitment was signed by more than 2/3 of its set.
        CommitmentCertified {
            /// The commitment.
            commitment: Commitment,
        },
    }

    /// Errors of the bridge.
    #[pallet::error]
    pub enum Error<T> {
        /// The bridge is paused.
        BridgePaused,
        /// The caller is not a relayer.
        NotRelayer,
        /// The amount is zero.
        ZeroAmount,
        /// The transfer is above the per-transfer maximum.
        AboveMaxPerTransfer,
        /// The transfer would exceed the cap of the period.
        CapExceeded,
        /// The release is larger than the per-period cap, so it could never
        /// execute: refused until the admin raises the cap.
        AboveInboundCap,
        /// The relayer already has `MaxPendingApprovals` approvals on undecided
        /// releases.
        TooManyPendingApprovals,
        /// The relayer has no approval on this undecided release.
        NotApproved,
        /// Not enough free ECT.
        InsufficientBalance,
        /// This source event was already released: never twice.
        AlreadyReleased,
        /// This source event is decided and waits for its delay or the next period.
        AlreadyDecided,
        /// The EVM recipient is the zero address.
        ZeroRecipient,
        /// The relayer already approved this release.
        AlreadyApproved,
        /// The approval describes another asset or recipient than earlier ones.
        ReleaseMismatch,
        /// No release for this source event.
        UnknownRelease,
        /// The release is not waiting for a delay.
        NotDelayed,
        /// The delay has not passed.
        DelayNotPassed,
        /// The source key already has `MaxRelayers` approvals.
        TooManyApprovals,
        /// The threshold is zero or above the maximum.
        BadThreshold,
        /// The certificate is not locked by the bridge.
        CertificateNotLocked,
        /// A counter overflowed.
        Overflow,
        /// The limits set a cap per period with a zero period length.
        CapWithoutPeriod,
        /// No message destination is set: the bridge has no EVM side yet.
        NoDestination,
        /// The burn is not of the destination's chain id and bridge contract.
        WrongSource,
        /// No commitment is collecting signatures for this block.
        NoPendingCommitment,
        /// The signature is malformed, has a high `s`, or is not by a key of the set.
        BadCommitmentSignature,
        /// This key already signed the pending commitment.
        AlreadySigned,
        /// The message tree is full.
        TreeFull,
        /// The message is longer than `MaxMessageLen`.
        MessageTooLong,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        /// Version 0 -> 1: store the complete subtrees of the messages so
        /// far (one pass over their leaves, once).
        fn on_runtime_upgrade() -> Weight {
            if StorageVersion::get::<Pallet<T>>() >= STORAGE_VERSION {
                return T::DbWeight::get().reads(1);
            }
            let count = NextNonce::<T>::get();
            let mut branch = [H256::zero(); messages::DEPTH];
            let mut written = 0u64;
            for nonce in 0..count {
                let leaf = Leaves::<T>::get(nonce).unwrap_or_default();
                messages::append(&mut branch, nonce, leaf, |height, index, root| {
                    Nodes::<T>::insert(height, index, root);
                    written += 1;
                });
            }
            STORAGE_VERSION.put::<Pallet<T>>();
            T::DbWeight::get().reads_writes(count.saturating_add(2), written.saturating_add(1))
        }

        fn on_initialize(now: BlockNumberFor<T>) -> Weight {
            let mut weight = T::DbWeight::get().reads(1);
            if now.saturated_into::<u64>() == 1 {
                GenesisHash::<T>::put(H256::from_slice(
                    frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero()).as_ref(),
                ));
                weight = weight.saturating_add(T::DbWeight::get().writes(1));
            }
            // `on_finalize`'s reads and writes.
            weight.saturating_add(T::DbWeight::get().reads_writes(5, 1))
        }

        fn on_finalize(now: BlockNumberFor<T>) {
            let messages = NextNonce::<T>::get();
            let root = messages::root(&Branch::<T>::get(), messages);
            let set_id = SetId::<T>::get();
            frame_system::Pallet::<T>::deposit_log(DigestItem::Consensus(
                BRIDGE_ENGINE_ID,
                (root, messages, set_id).encode(),
            ));
            let certified = Certified::<T>::get().map_or(0, |c| c.commitment.messages);
            if messages > certified
                && !Pending::<T>::exists()
                && KeySets::<T>::get(set_id).is_some_and(|keys| !keys.is_empty())
            {
                let commitment = Commitment { block_number: now.saturated_into(), root, messages, set_id };
                Pending::<T>::put(SignedCommitment { commitment, signatures: BoundedVec::new() });
            }
        }
    }

    // `#[pallet::authorize]` would need `frame_system::AuthorizeCall` in the
    // runtime's transaction extensions, which every wallet would then have to
    // know; unsigned validation works with all of them until it is removed.
    #[allow(deprecated)]
    #[pallet::validate_unsigned]
    impl<T: Config> ValidateUnsigned for Pallet<T> {
        type Call = Call<T>;

        fn validate_unsigned(_source: TransactionSource, call: &Self::Call) -> TransactionValidity {
            let Call::sign_commitment { block_number, signature } = call else {
                return InvalidTransaction::Call.into();
            };
            let (signer, _) = Self::check_commitment_signature(*block_number, signature).map_err(|e| {
                if e == Error::<T>::NoPendingCommitment.into() {
                    InvalidTransaction::Stale
                } else {
                    InvalidTransaction::BadProof
                }
            })?;
            ValidTransaction::with_tag_prefix("EcoBridgeCommitment")
                .priority(TransactionPriority::MAX / 2)
                .and_provides((block_number, signer))
                .longevity(64)
                .propagate(true)
                .build()
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Lock `amount` ECT for `recipient` on the EVM side.
        ///
        /// Origin: signed. Emits [`Event::Locked`].
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::lock())]
        pub fn lock_ect(origin: OriginFor<T>, amount: Balance, recipient: H160) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::ensure_active()?;
            T::Ect::ensure_transferable()?;
            ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
            ensure!(!recipient.is_zero(), Error::<T>::ZeroRecipient);
            Self::check_limits(amount, true)?;
            T::Currency::transfer(&who, &Self::account_id(), amount, Preservation::Expendable)
                .map_err(|_| Error::<T>::InsufficientBalance)?;
            Self::record_outbound(who, Asset::Ect(amount), None, recipient)
        }

        /// Lock certificate `token` for `recipient` on the EVM side; it stays
        /// locked on chain while its twin lives there.
        ///
        /// Origin: signed by the owner. Emits [`Event::Locked`].
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::lock())]
        pub fn lock_ecr(origin: OriginFor<T>, token: u64, recipient: H160) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::ensure_active()?;
            ensure!(!recipient.is_zero(), Error::<T>::ZeroRecipient);
            let certificate = T::Ecr::lock(token, &who)?;
            LockedEcr::<T>::insert(token, ());
            Self::record_outbound(who, Asset::Ecr(token), Some(certificate), recipient)
        }

        /// Approve releasing `asset` to `recipient` for the EVM burn event
        /// `source`; when the approvals of current relayers for this content
        /// reach the threshold it is released (or delayed).
        ///
        /// Origin: signed by a relayer. Emits [`Event::ReleaseApproved`] and
        /// then [`Event::Released`] or [`Event::ReleaseDelayed`]. Fails with
        /// [`Error::AboveInboundCap`] for more ECT than the period cap and with
        /// [`Error::TooManyPendingApprovals`] past `MaxPendingApprovals`.
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::approve_release())]
        pub fn approve_release(
            origin: OriginFor<T>,
            source: SourceKey,
            asset: Asset,
            recipient: T::AccountId,
        ) -> DispatchResult {
            let relayer = ensure_signed(origin)?;
            ensure!(T::Roles::has_role(&relayer, Role::Relayer), Error::<T>::NotRelayer);
            Self::ensure_active()?;
            let dest = MessageDestination::<T>::get().ok_or(Error::<T>::NoDestination)?;
            ensure!((source.0, source.1) == (dest.chain_id, dest.bridge), Error::<T>::WrongSource);
            if let Asset::Ect(amount) = asset {
                ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
                ensure!(Self::fits_inbound_cap(amount), Error::<T>::AboveInboundCap);
            }
            if let Some(decided) = Releases::<T>::get(source) {
                return Err(match decided.state {
                    ReleaseState::Executed => Error::<T>::AlreadyReleased,
                    ReleaseState::Delayed(_) => Error::<T>::AlreadyDecided,
                }
                .into());
            }
            ensure!(!Voted::<T>::contains_key(source, &relayer), Error::<T>::AlreadyApproved);
            let pending = PendingApprovals::<T>::get(&relayer);
            ensure!(pending < T::MaxPendingApprovals::get(), Error::<T>::TooManyPendingApprovals);
            let votes = VoteCount::<T>::get(source);
            ensure!(votes < T::MaxRelayers::get(), Error::<T>::TooManyApprovals);
            let content = Self::content_hash(&asset, &recipient);
            let mut approvals = Approvals::<T>::get(source, content);
            approvals.try_push(relayer.clone()).map_err(|_| Error::<T>::TooManyApprovals)?;
            if votes == 0 {
                PendingReleases::<T>::mutate(|n| *n = n.saturating_add(1));
            }
            VoteCount::<T>::insert(source, votes.saturating_add(1));
            Voted::<T>::insert(source, &relayer, content);
            PendingApprovals::<T>::insert(&relayer, pending.saturating_add(1));
            let current = Self::current_relayers(&approvals);
            let count = current.len() as u32;
            Self::deposit_event(Event::ReleaseApproved { source, relayer, approvals: count });
            if count < Threshold::<T>::get() {
                Approvals::<T>::insert(source, content, approvals);
                return Ok(());
            }
            // Decided: forget the votes, keep the decision forever.
            Self::forget_votes(source);
            let mut release = Release { asset, recipient, approvals: current, state: ReleaseState::Executed };
            match Self::wait_until(&release.asset) {
                Some(until) => {
                    release.state = ReleaseState::Delayed(until);
                    Self::deposit_event(Event::ReleaseDelayed { source, until });
                }
                None => Self::execute(source, &release)?,
            }
            Releases::<T>::insert(source, release);
            Ok(())
        }

        /// Execute an approved release whose delay has passed. If its approvals
        /// from current relayers are now below the threshold, reopen it instead.
        ///
        /// Origin: signed (anyone). Emits [`Event::Released`], or
        /// [`Event::ReleaseReopened`] when it lost its threshold.
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::approve_release())]
        pub fn execute_release(origin: OriginFor<T>, source: SourceKey) -> DispatchResult {
            ensure_signed(origin)?;
            Self::ensure_active()?;
            let mut release = Releases::<T>::get(source).ok_or(Error::<T>::UnknownRelease)?;
            let ReleaseState::Delayed(until) = release.state else {
                return Err(if release.state == ReleaseState::Executed {
                    Error::<T>::AlreadyReleased
                } else {
                    Error::<T>::NotDelayed
                }
                .into());
            };
            ensure!(Self::now() >= until, Error::<T>::DelayNotPassed);
            let current = Self::current_relayers(&release.approvals);
            if (current.len() as u32) < Threshold::<T>::get() {
                Self::reopen(source, &release, current);
                return Ok(());
            }
            Self::execute(source, &release)?;
            release.state = ReleaseState::Executed;
            Releases::<T>::insert(source, release);
            Ok(())
        }

        /// Pause or resume the bridge.
        ///
        /// Origin: admin. Emits [`Event::PausedSet`].
        #[pallet::call_index(4)]
        #[pallet::weight(T::WeightInfo::admin())]
        pub fn set_paused(origin: OriginFor<T>, paused: bool) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Paused::<T>::put(paused);
            Self::deposit_event(Event::PausedSet { paused });
            Ok(())
        }

        /// Set the approvals needed (M).
        ///
        /// Origin: admin. Emits [`Event::ThresholdSet`].
        #[pallet::call_index(5)]
        #[pallet::weight(T::WeightInfo::admin())]
        pub fn set_threshold(origin: OriginFor<T>, threshold: u32) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(threshold > 0 && threshold <= T::MaxRelayers::get(), Error::<T>::BadThreshold);
            Threshold::<T>::put(threshold);
            Self::deposit_event(Event::ThresholdSet { threshold });
            Ok(())
        }

        /// Set or clear the transfer limits.
        ///
        /// Origin: admin. Emits [`Event::LimitsSet`]. Fails with
        /// [`Error::CapWithoutPeriod`] for a cap with a zero period (which
        /// would cap nothing), as genesis refuses it.
        #[pallet::call_index(6)]
        #[pallet::weight(T::WeightInfo::admin())]
        pub fn set_limits(origin: OriginFor<T>, limits: Option<Limits>) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            if let Some(l) = &limits {
                ensure!(l.period_ms > 0 || l.cap_per_period == 0, Error::<T>::CapWithoutPeriod);
            }
            BridgeLimits::<T>::set(limits.clone());
            Self::deposit_event(Event::LimitsSet { limits });
            Ok(())
        }

        /// Set (or clear) where outbound messages go. Messages already in the
        /// tree keep their destination.
        ///
        /// Origin: admin. Emits [`Event::DestinationSet`].
        #[pallet::call_index(8)]
        #[pallet::weight(T::WeightInfo::admin())]
        pub fn set_destination(origin: OriginFor<T>, destination: Option<Destination>) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            MessageDestination::<T>::set(destination);
            Self::deposit_event(Event::DestinationSet { destination });
            Ok(())
        }

        /// A validator's signature of the pending commitment with its bridge
        /// key (`r ++ s ++ v`, `v` 27 or 28, low `s`). At more than 2/3 of
        /// the set, the commitment is certified.
        ///
        /// Origin: none (an unsigned transaction, valid only with a signature
        /// by a key of the set). Emits [`Event::CommitmentSigned`] and then
        /// [`Event::CommitmentCertified`].
        #[pallet::call_index(9)]
        #[pallet::weight(T::WeightInfo::sign_commitment())]
        pub fn sign_commitment(origin: OriginFor<T>, block_number: u64, signature: [u8; 65]) -> DispatchResult {
            ensure_none(origin)?;
            let (signer, mut pending) = Self::check_commitment_signature(block_number, &signature)?;
            let at = pending.signatures.partition_point(|(s, _)| *s < signer);
            pending.signatures.try_insert(at, (signer, signature)).map_err(|_| Error::<T>::BadCommitmentSignature)?;
            Self::deposit_event(Event::CommitmentSigned { block_number, signer });
            let set = KeySets::<T>::get(pending.commitment.set_id).unwrap_or_default();
            if pending.signatures.len() * 3 > set.len() * 2 {
                Pending::<T>::kill();
                Self::deposit_event(Event::CommitmentCertified { commitment: pending.commitment.clone() });
                SetCertificates::<T>::insert(pending.commitment.set_id, &pending);
                Self::advance_set(pending.commitment.messages);
                Certified::<T>::put(pending);
            } else {
                Pending::<T>::put(pending);
            }
            Ok(())
        }

        /// Withdraw `relayer`'s approval of the undecided release `source`,
        /// freeing one of its `MaxPendingApprovals`.
        ///
        /// Origin: signed by `relayer` (also after its role was revoked), or
        /// admin. Emits [`Event::ApprovalCancelled`]. Fails with
        /// [`Error::NotApproved`] if it has no approval there.
        #[pallet::call_index(7)]
        #[pallet::weight(T::WeightInfo::approve_release())]
        pub fn cancel_approval(origin: OriginFor<T>, source: SourceKey, relayer: T::AccountId) -> DispatchResult {
            if let Err(origin) = T::AdminOrigin::try_origin(origin) {
                ensure!(ensure_signed(origin)? == relayer, DispatchError::BadOrigin);
            }
            let content = Voted::<T>::take(source, &relayer).ok_or(Error::<T>::NotApproved)?;
            Approvals::<T>::mutate_exists(source, content, |approvals| {
                if let Some(list) = approvals {
                    list.retain(|a| *a != relayer);
                    if list.is_empty() {
                        *approvals = None;
                    }
                }
            });
            Self::release_pending(&relayer);
            let votes = VoteCount::<T>::get(source).saturating_sub(1);
            if votes == 0 {
                VoteCount::<T>::remove(source);
                PendingReleases::<T>::mutate(|n| *n = n.saturating_sub(1));
            } else {
                VoteCount::<T>::insert(source, votes);
            }
            Self::deposit_event(Event::ApprovalCancelled { source, relayer });
            Ok(())
        }
    }

    impl<T: Config> ecochain_primitives::OnBridgeKeysChange for Pallet<T> {
        fn bridge_keys_changed(keys: Vec<H160>) {
            let set_id = LatestSetId::<T>::get().saturating_add(1);
            let bounded: KeySetOf<T> = BoundedVec::truncate_from(keys.clone());
            KeySets::<T>::insert(set_id, bounded);
            LatestSetId::<T>::put(set_id);
            Self::deposit_event(Event::KeySetChanged { set_id, keys: keys.clone() });
            let payload = messages::set_payload(set_id, &keys);
            let queued = MessageDestination::<T>::get().and_then(|dest| {
                Self::queue_message(dest.chain_id, dest.light_client, messages::KIND_SET, payload).ok()
            });
            match queued {
                Some(nonce) => SetAnnouncements::<T>::insert(set_id, nonce),
                // No EVM side to tell (or the tree is full): the set signs
                // at once; an EVM side deployed later starts from it.
                None => SetId::<T>::put(set_id),
            }
        }
    }

    impl<T: Config> Pallet<T> {
        /// Move the signing set on past every set whose announcement is among
        /// the first `covered` messages (now certified by the current set).
        fn advance_set(covered: u64) {
            let mut set_id = SetId::<T>::get();
            while let Some(nonce) = SetAnnouncements::<T>::get(set_id + 1) {
                if nonce >= covered {
                    break;
                }
                set_id += 1;
            }
            SetId::<T>::put(set_id);
        }

        /// This chain's genesis hash.
        pub fn genesis_hash() -> H256 {
            GenesisHash::<T>::get().unwrap_or_else(|| {
                H256::from_slice(frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero()).as_ref())
            })
        }

        /// Add a message to the tree; returns its nonce.
        fn queue_message(chain_id: u64, target: H160, kind: u8, payload: Vec<u8>) -> Result<u64, DispatchError> {
            let nonce = NextNonce::<T>::get();
            ensure!(nonce < u64::from(u32::MAX), Error::<T>::TreeFull);
            let route = messages::Route { genesis: Self::genesis_hash(), chain_id, target };
            let message = messages::message(&route, nonce, kind, payload);
            let leaf = messages::leaf(&message);
            let bounded: BoundedVec<u8, MaxMessageLen> = message.try_into().map_err(|_| Error::<T>::MessageTooLong)?;
            Branch::<T>::mutate(|branch| messages::append(branch, nonce, leaf, Nodes::<T>::insert));
            Messages::<T>::insert(nonce, bounded);
            Leaves::<T>::insert(nonce, leaf);
            NextNonce::<T>::put(nonce + 1);
            Self::deposit_event(Event::MessageQueued { nonce, kind, leaf });
            Ok(nonce)
        }

        /// The signer of `signature` over the pending commitment of
        /// `block_number`, if it is a key of the set that has not signed yet;
        /// with the pending commitment.
        fn check_commitment_signature(
            block_number: u64,
            signature: &[u8; 65],
        ) -> Result<(H160, SignedCommitmentOf<T>), DispatchError> {
            let pending = Pending::<T>::get()
                .filter(|p| p.commitment.block_number == block_number)
                .ok_or(Error::<T>::NoPendingCommitment)?;
            let c = &pending.commitment;
            let hash = messages::commitment_hash(Self::genesis_hash(), c.block_number, c.root, c.set_id);
            let signer = messages::recover(&hash, signature).ok_or(Error::<T>::BadCommitmentSignature)?;
            let set = KeySets::<T>::get(c.set_id).unwrap_or_default();
            ensure!(set.contains(&signer), Error::<T>::BadCommitmentSignature);
            ensure!(!pending.signatures.iter().any(|(s, _)| *s == signer), Error::<T>::AlreadySigned);
            Ok((signer, pending))
        }

        /// The message `nonce`, its Merkle proof and the certified commitment
        /// it is proven under; `None` until a certified commitment covers it.
        pub fn message_proof(nonce: u64) -> Option<(Vec<u8>, Vec<H256>, SignedCommitmentOf<T>)> {
            let certified = Certified::<T>::get()?;
            let (message, proof) = Self::message_proof_in(nonce, certified.commitment.messages)?;
            Some((message, proof, certified))
        }

        /// The message `nonce` and its Merkle proof in the tree of the first
        /// `size` messages (the tree a commitment with `messages = size`
        /// signed); `None` unless `nonce < size <= ` the messages so far.
        /// Reads O(DEPTH²) nodes at most, whatever `size` is.
        pub fn message_proof_in(nonce: u64, size: u64) -> Option<(Vec<u8>, Vec<H256>)> {
            if nonce >= size || size > NextNonce::<T>::get() {
                return None;
            }
            let proof = messages::proof(size, nonce, |height, index| match height {
                0 => Leaves::<T>::get(index),
                _ => Nodes::<T>::get(height, index),
            })?;
            Some((Messages::<T>::get(nonce)?.into_inner(), proof))
        }

        /// `blake2_256(SCALE(asset, recipient))`: what relayers approve.
        fn content_hash(asset: &Asset, recipient: &T::AccountId) -> H256 {
            <sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash_of(&(asset, recipient))
        }

        /// The accounts of `approvals` that hold `Role::Relayer` now.
        fn current_relayers(
            approvals: &BoundedVec<T::AccountId, T::MaxRelayers>,
        ) -> BoundedVec<T::AccountId, T::MaxRelayers> {
            let mut current = approvals.clone();
            current.retain(|a| T::Roles::has_role(a, Role::Relayer));
            current
        }

        /// Whether `amount` fits the per-period inbound cap at all (any amount
        /// when no cap is set).
        fn fits_inbound_cap(amount: Balance) -> bool {
            match BridgeLimits::<T>::get() {
                Some(limits) if limits.cap_per_period > 0 && limits.period_ms > 0 => amount <= limits.cap_per_period,
                _ => true,
            }
        }

        /// One approval of `relayer` on an undecided key is gone.
        fn release_pending(relayer: &T::AccountId) {
            PendingApprovals::<T>::mutate_exists(relayer, |n| {
                let left = n.unwrap_or(0).saturating_sub(1);
                *n = (left > 0).then_some(left);
            });
        }

        /// Forget the votes on `source`, now decided.
        fn forget_votes(source: SourceKey) {
            for (voter, _) in Voted::<T>::drain_prefix(source) {
                Self::release_pending(&voter);
            }
            let _ = Approvals::<T>::clear_prefix(source, T::MaxRelayers::get(), None);
            VoteCount::<T>::remove(source);
            PendingReleases::<T>::mutate(|n| *n = n.saturating_sub(1));
        }

        /// Drop the decision on `source`, which lost its threshold, keeping the
        /// approvals of `current` relayers (below the threshold) that have room
        /// under `MaxPendingApprovals`.
        fn reopen(source: SourceKey, release: &ReleaseOf<T>, mut current: BoundedVec<T::AccountId, T::MaxRelayers>) {
            Releases::<T>::remove(source);
            current.retain(|r| PendingApprovals::<T>::get(r) < T::MaxPendingApprovals::get());
            let kept = current.len() as u32;
            if kept > 0 {
                let content = Self::content_hash(&release.asset, &release.recipient);
                for relayer in current.iter() {
                    Voted::<T>::insert(source, relayer, content);
                    PendingApprovals::<T>::mutate(relayer, |n| *n = n.saturating_add(1));
                }
                Approvals::<T>::insert(source, content, current);
                VoteCount::<T>::insert(source, kept);
                PendingReleases::<T>::mutate(|n| *n = n.saturating_add(1));
            }
            Self::deposit_event(Event::ReleaseReopened { source, approvals: kept });
        }

        /// When a just-decided release must wait: above the delay threshold
        /// (until the delay passes) or beyond this period's inbound cap (until
        /// the next period).
        fn wait_until(asset: &Asset) -> Option<Moment> {
            let (Asset::Ect(amount), Some(limits)) = (asset, BridgeLimits::<T>::get()) else { return None };
            let now = Self::now();
            if limits.delay_threshold > 0 && *amount > limits.delay_threshold {
                return Some(now.saturating_add(limits.release_delay_ms));
            }
            if limits.cap_per_period > 0 && limits.period_ms > 0 {
                let period = now / limits.period_ms;
                let (stored, _, inbound) = PeriodUsage::<T>::get();
                let used = if stored == period { inbound } else { 0 };
                if used.saturating_add(*amount) > limits.cap_per_period {
                    return Some((period + 1).saturating_mul(limits.period_ms));
                }
            }
            None
        }

        /// The account holding locked ECT.
        pub fn account_id() -> T::AccountId {
            T::PalletId::get().into_account_truncating()
        }

        fn now() -> Moment {
            T::Time::now().as_millis() as Moment
        }

        fn ensure_active() -> DispatchResult {
            ensure!(!Paused::<T>::get(), Error::<T>::BridgePaused);
            Ok(())
        }

        /// Check the per-transfer maximum and the period cap, and count the amount.
        fn check_limits(amount: Balance, outbound: bool) -> DispatchResult {
            let Some(limits) = BridgeLimits::<T>::get() else { return Ok(()) };
            // The maximum applies to locks; what was burned on the EVM side is
            // released (waiting when large), never refused for good.
            ensure!(
                !outbound || limits.max_per_transfer == 0 || amount <= limits.max_per_transfer,
                Error::<T>::AboveMaxPerTransfer
            );
            if limits.cap_per_period == 0 || limits.period_ms == 0 {
                return Ok(());
            }
            let period = Self::now() / limits.period_ms;
            let (stored, mut out, mut inb) = PeriodUsage::<T>::get();
            if stored != period {
                (out, inb) = (0, 0);
            }
            let used = if outbound { &mut out } else { &mut inb };
            *used = used.checked_add(amount).ok_or(Error::<T>::Overflow)?;
            ensure!(*used <= limits.cap_per_period, Error::<T>::CapExceeded);
            PeriodUsage::<T>::put((period, out, inb));
            Ok(())
        }

        fn record_outbound(
            sender: T::AccountId,
            asset: Asset,
            certificate: Option<BridgedCertificate>,
            recipient: H160,
        ) -> DispatchResult {
            let dest = MessageDestination::<T>::get().ok_or(Error::<T>::NoDestination)?;
            let (kind, payload) = match (&asset, &certificate) {
                (Asset::Ect(amount), _) => (messages::KIND_ECT, messages::ect_payload(recipient, *amount)),
                (Asset::Ecr(token), Some(cert)) => (messages::KIND_ECR, messages::ecr_payload(recipient, *token, cert)),
                (Asset::Ecr(_), None) => return Err(Error::<T>::CertificateNotLocked.into()),
            };
            let nonce = Self::queue_message(dest.chain_id, dest.bridge, kind, payload)?;
            Outbounds::<T>::insert(
                nonce,
                Outbound { asset: asset.clone(), sender: sender.clone(), recipient, at: Self::now() },
            );
            Self::deposit_event(Event::Locked { nonce, asset, certificate, sender, recipient });
            Ok(())
        }

        fn execute(source: SourceKey, release: &ReleaseOf<T>) -> DispatchResult {
            match release.asset {
                Asset::Ect(amount) => {
                    T::Ect::ensure_transferable()?;
                    Self::check_limits(amount, false)?;
                    T::Currency::transfer(&Self::account_id(), &release.recipient, amount, Preservation::Preserve)
                        .map_err(|_| Error::<T>::InsufficientBalance)?;
                }
                Asset::Ecr(token) => {
                    ensure!(LockedEcr::<T>::take(token).is_some(), Error::<T>::CertificateNotLocked);
                    T::Ecr::unlock(token, &release.recipient)?;
                }
            }
            Self::deposit_event(Event::Released {
                source,
                asset: release.asset.clone(),
                recipient: release.recipient.clone(),
            });
            Ok(())
        }

        /// ECT locked for the EVM side (the bridge account's balance above its
        /// permanent existential deposit).
        pub fn locked_ect() -> Balance {
            T::Currency::balance(&Self::account_id()).saturating_sub(T::Currency::minimum_balance())
        }

        /// Outbound transfer `nonce`, if any.
        pub fn transfer(nonce: u64) -> Option<Outbound<T::AccountId>> {
            Outbounds::<T>::get(nonce)
        }

        /// Invariants: nonces are dense; decided keys have no votes left; the
        /// vote counters ([`VoteCount`], [`PendingApprovals`],
        /// [`PendingReleases`]) match the votes, within their bounds; each
        /// vote is in the approval list of its content.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            let next = NextNonce::<T>::get();
            ensure!(Outbounds::<T>::iter_keys().all(|n| n < next), "outbound nonce beyond the counter");
            for (_, r) in Releases::<T>::iter() {
                ensure!(r.approvals.len() as u32 <= T::MaxRelayers::get(), "too many approvals");
            }
            for (source, _) in Releases::<T>::iter() {
                ensure!(Voted::<T>::iter_prefix(source).next().is_none(), "votes left on a decided release");
            }
            let mut per_key: BTreeMap<SourceKey, u32> = BTreeMap::new();
            let mut per_relayer: BTreeMap<T::AccountId, u32> = BTreeMap::new();
            for (source, relayer, content) in Voted::<T>::iter() {
                ensure!(Approvals::<T>::get(source, content).contains(&relayer), "a vote missing from its approvals");
                *per_key.entry(source).or_default() += 1;
                *per_relayer.entry(relayer).or_default() += 1;
            }
            let approvals: usize = Approvals::<T>::iter_values().map(|a| a.len()).sum();
            ensure!(approvals == Voted::<T>::iter().count(), "approvals without a vote");
            ensure!(VoteCount::<T>::iter().count() == per_key.len(), "VoteCount differs from the votes");
            for (source, n) in VoteCount::<T>::iter() {
                ensure!(per_key.get(&source) == Some(&n), "VoteCount differs from the votes");
                ensure!(n <= T::MaxRelayers::get(), "more votes on a key than MaxRelayers");
            }
            ensure!(PendingReleases::<T>::get() as usize == per_key.len(), "PendingReleases differs from the keys");
            ensure!(
                PendingApprovals::<T>::iter().count() == per_relayer.len(),
                "PendingApprovals differs from the votes"
            );
            for (relayer, n) in PendingApprovals::<T>::iter() {
                ensure!(per_relayer.get(&relayer) == Some(&n), "PendingApprovals differs from the votes");
                ensure!(n <= T::MaxPendingApprovals::get(), "more pending approvals than MaxPendingApprovals");
            }
            Ok(())
        }
    }
}
