//! # Permissions — what a Besu operator's permissioning contracts did, on chain
//!
//! - **Validator set** with its ed25519 consensus keys. Changes are made by the
//!   admin origin ([`Pallet::add_validator`], [`Pallet::remove_validator`]) and
//!   take effect at a *scheduled* height (`now + ChangeDelay`), so every node
//!   switches at the same block. A change that would empty the set is refused.
//! - **Validator voting**: a validator [`Pallet::propose`]s any call; when more
//!   than half of the *current* validators have voted for it, it is dispatched
//!   with the [`Origin::ValidatorMajority`] origin. The runtime accepts that
//!   origin as the admin origin, so in local and production chains the
//!   validators, not a single key, govern (dev chains also accept `sudo`).
//! - **Node allow-list** of libp2p peer ids (base58 text) read by the node.
//! - **Validator node ids**: a validator's network identity is a node key of
//!   its own, not its consensus key. Each account registers the peer id of the
//!   node it validates with ([`Pallet::set_node_id`], signed by that node key
//!   so nobody can claim a node that is not theirs; rotatable; one account per
//!   peer id), as a Substrate validator sets its session keys. The nodes
//!   allow-list the current and scheduled validators' nodes and accept
//!   proposals only from them; a validator that registered none is reached at
//!   its consensus key's peer id, as before node keys existed.
//! - **Account allow-list**, enforced in transaction validation by
//!   [`CheckAllowListed`] (so the pool refuses a non-listed sender); validators
//!   are always allowed; the list can be switched off (dev chains).
//! - **Quorum protection**: every block names its author in a digest; a
//!   validator that authored within the online window counts as online, and a
//!   set change after which the online validators could not reach 2/3 is
//!   refused ([`Error::WouldLoseQuorum`]) before it is scheduled.
//! - **Roles** (oracle, verifier, issuer, minter, relayer) granted by the admin
//!   origin; the token pallets ask [`RoleProvider::has_role`].

pub use pallet::*;

mod extension;
mod types;
pub mod weights;

pub use extension::{CheckAllowListed, ACCOUNT_NOT_ALLOWED, TRANSACTION_TOO_LARGE};

/// What a node key signs to be registered for an account ([`Pallet::set_node_id`]):
/// this context, then the SCALE-encoded account.
pub const NODE_ID_CONTEXT: &[u8] = b"ecochain:node-id:v1:";

/// The message a node key signs to be registered for `who`.
pub fn node_id_payload<A: codec::Encode>(who: &A) -> Vec<u8> {
    let mut payload = NODE_ID_CONTEXT.to_vec();
    who.encode_to(&mut payload);
    payload
}

/// The ed25519 public key a libp2p peer id (base58 text) is made of: the
/// identity multihash of the key's protobuf encoding. `None` for other ids.
pub fn ed25519_of_peer_id(text: &[u8]) -> Option<[u8; 32]> {
    const PREFIX: [u8; 6] = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
    let bytes = bs58::decode(text).into_vec().ok()?;
    <[u8; 32]>::try_from(bytes.strip_prefix(&PREFIX)?).ok()
}
pub use types::{ProposalInfo, ScheduledChange, ValidatorInfo};
pub use weights::WeightInfo;

/// A mock runtime for this pallet's tests (feature `mock`). It lives in the
/// library, not in a test crate, because `construct_runtime!` adds a test that
/// builds the *default* genesis, and this pallet rightly refuses a genesis
/// without validators.
#[cfg(all(feature = "mock", not(test)))]
pub mod mock;

use ecochain_primitives::{BridgeKeys as BridgeKeysProvider, OnBridgeKeysChange, Role, RoleProvider};

/// Engine id of the `PreRuntime` digest naming a block's author (its ed25519
/// consensus key), which proposers put in every header.
pub const AUTHOR_ENGINE: [u8; 4] = ecochain_primitives::CONSENSUS_ENGINE_ID;

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use frame_support::{
        dispatch::{GetDispatchInfo, PostDispatchInfo},
        pallet_prelude::*,
        traits::{EnsureOrigin, OriginTrait},
    };
    use frame_system::pallet_prelude::*;
    use sp_core::H160;
    use sp_runtime::traits::{Dispatchable, Hash, Saturating, Zero};

    #[pallet::pallet]
    pub struct Pallet<T>(_);

    /// Configuration of the permissions pallet.
    #[pallet::config]
    pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
        /// The runtime origin, which can be built from this pallet's [`Origin`].
        type ProposalOrigin: From<Origin>;
        /// The runtime call validators vote on.
        type Proposal: Parameter
            + Dispatchable<RuntimeOrigin = Self::ProposalOrigin, PostInfo = PostDispatchInfo>
            + GetDispatchInfo
            + From<Call<Self>>;
        /// Origin allowed to change validators, allow-lists and roles.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// Blocks between a validator-set change being enacted and taking effect.
        #[pallet::constant]
        type ChangeDelay: Get<BlockNumberFor<Self>>;
        /// Blocks a proposal stays open for votes.
        #[pallet::constant]
        type ProposalLifetime: Get<BlockNumberFor<Self>>;
        /// Largest validator set.
        #[pallet::constant]
        type MaxValidators: Get<u32>;
        /// Longest encoded proposal, in bytes.
        #[pallet::constant]
        type MaxProposalLen: Get<u32>;
        /// Heaviest call a proposal may carry (the `vote` weight includes it).
        #[pallet::constant]
        type MaxProposalWeight: Get<Weight>;
        /// Longest peer id text.
        #[pallet::constant]
        type MaxPeerIdLen: Get<u32>;
        /// Longest signed transaction, encoded, in bytes ([`CheckAllowListed`]
        /// refuses longer ones): on a fee-less chain nothing else prices a large
        /// `remark` out of a block.
        #[pallet::constant]
        type MaxSignedTxBytes: Get<u32>;
        /// A validator that authored a block within this many blocks (or
        /// three times the set size, if larger) counts as online.
        #[pallet::constant]
        type OnlineWindow: Get<BlockNumberFor<Self>>;
        /// Told when the current validators' bridge keys change.
        type OnBridgeKeysChange: OnBridgeKeysChange;
        /// Weights of this pallet's calls.
        type WeightInfo: WeightInfo;
    }

    /// Origin of a call enacted by validator voting.
    #[pallet::origin]
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
    pub enum Origin {
        /// More than half of the validators voted for the call.
        ValidatorMajority,
    }

    /// A bounded libp2p peer id, as base58 text (`12D3KooW…`).
    pub type PeerIdOf<T> = BoundedVec<u8, <T as Config>::MaxPeerIdLen>;
    /// The validator set type.
    pub type ValidatorsOf<T> =
        BoundedVec<ValidatorInfo<<T as frame_system::Config>::AccountId>, <T as Config>::MaxValidators>;

    /// The current validator set.
    #[pallet::storage]
    pub type Validators<T: Config> = StorageValue<_, ValidatorsOf<T>, ValueQuery>;

    /// The next validator set and the height at which it takes effect.
    #[pallet::storage]
    pub type NextChange<T: Config> = StorageValue<_, ScheduledChange<BlockNumberFor<T>, ValidatorsOf<T>>>;

    /// Each validator's secp256k1 bridge key, as its EVM address: it signs the
    /// bridge's commitments for the EVM light client. Set with
    /// [`Pallet::add_validator`], rotated with [`Pallet::set_bridge_key`].
    #[pallet::storage]
    pub type BridgeKeys<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, H160>;

    /// Last block each validator (by consensus key) authored, from the block's
    /// `PreRuntime` digest with engine id [`AUTHOR_ENGINE`].
    #[pallet::storage]
    pub type LastAuthored<T: Config> = StorageMap<_, Blake2_128Concat, [u8; 32], BlockNumberFor<T>>;

    /// Open proposals.
    #[pallet::storage]
    pub type Proposals<T: Config> = StorageMap<
        _,
        Twox64Concat,
        u32,
        ProposalInfo<T::AccountId, BlockNumberFor<T>, T::Hash, T::MaxProposalLen, T::MaxValidators>,
    >;

    /// Id of the next proposal.
    #[pallet::storage]
    pub type NextProposalId<T> = StorageValue<_, u32, ValueQuery>;

    /// Peer ids allowed to connect to the network.
    #[pallet::storage]
    pub type AllowedNodes<T: Config> = StorageMap<_, Blake2_128Concat, PeerIdOf<T>, ()>;

    /// The peer id of the node each account validates with ([`Pallet::set_node_id`]).
    #[pallet::storage]
    pub type NodeIds<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, PeerIdOf<T>>;

    /// The account that registered each node peer id: a node serves one validator.
    #[pallet::storage]
    pub type NodeOwners<T: Config> = StorageMap<_, Blake2_128Concat, PeerIdOf<T>, T::AccountId>;

    /// Accounts allowed to submit transactions (when the list is enabled).
    #[pallet::storage]
    pub type AllowedAccounts<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ()>;

    /// Whether the account allow-list is enforced.
    #[pallet::storage]
    pub type AccountAllowListEnabled<T> = StorageValue<_, bool, ValueQuery>;

    /// Roles held: (account, role) -> ().
    #[pallet::storage]
    pub type Roles<T: Config> = StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, Role, ()>;

    /// Genesis configuration.
    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// Initial validators: account and ed25519 consensus key.
        pub validators: Vec<(T::AccountId, [u8; 32])>,
        /// Allow-listed peer ids (base58 text).
        pub allowed_nodes: Vec<String>,
        /// Node peer ids (base58 text) of accounts, as [`Pallet::set_node_id`] sets them.
        #[serde(default)]
        pub validator_nodes: Vec<(T::AccountId, String)>,
        /// Allow-listed accounts.
        pub allowed_accounts: Vec<T::AccountId>,
        /// Enforce the account allow-list.
        pub account_allow_list_enabled: bool,
        /// Initial role grants.
        pub roles: Vec<(T::AccountId, Role)>,
        /// Bridge keys (EVM addresses of secp256k1 keys) of the initial validators.
        #[serde(default)]
        pub bridge_keys: Vec<(T::AccountId, H160)>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            assert!(!self.validators.is_empty(), "permissions genesis: at least one validator is required");
            let mut set = Vec::with_capacity(self.validators.len());
            for (account, key) in &self.validators {
                assert!(
                    !set.iter().any(|v: &ValidatorInfo<T::AccountId>| &v.account == account || &v.consensus_key == key),
                    "permissions genesis: validator {account:?} or its consensus key appears twice"
                );
                set.push(ValidatorInfo { account: account.clone(), consensus_key: *key });
            }
            for v in &set {
                // Genesis validators count as online until the window passes.
                LastAuthored::<T>::insert(v.consensus_key, BlockNumberFor::<T>::zero());
            }
            let set: ValidatorsOf<T> = set.try_into().unwrap_or_else(|_| {
                panic!("permissions genesis: more than MaxValidators ({}) validators", T::MaxValidators::get())
            });
            Validators::<T>::put(set);
            for node in &self.allowed_nodes {
                let peer: PeerIdOf<T> = node
                    .as_bytes()
                    .to_vec()
                    .try_into()
                    .unwrap_or_else(|_| panic!("permissions genesis: peer id {node} is too long"));
                AllowedNodes::<T>::insert(peer, ());
            }
            for (account, node) in &self.validator_nodes {
                let peer = Pallet::<T>::peer_id(node.as_bytes())
                    .unwrap_or_else(|_| panic!("permissions genesis: {node} is not a peer id"));
                assert!(
                    !NodeOwners::<T>::contains_key(&peer) && !NodeIds::<T>::contains_key(account),
                    "permissions genesis: node {node} or account {account:?} appears twice in validator_nodes"
                );
                NodeOwners::<T>::insert(&peer, account);
                NodeIds::<T>::insert(account, peer);
            }
            for account in &self.allowed_accounts {
                AllowedAccounts::<T>::insert(account, ());
            }
            AccountAllowListEnabled::<T>::put(self.account_allow_list_enabled);
            for (account, role) in &self.roles {
                Roles::<T>::insert(account, role, ());
            }
            for (account, key) in &self.bridge_keys {
                assert!(!key.is_zero(), "permissions genesis: zero bridge key of {account:?}");
                assert!(
                    !BridgeKeys::<T>::iter_values().any(|k| k == *key),
                    "permissions genesis: bridge key {key:?} appears twice"
                );
                BridgeKeys::<T>::insert(account, key);
            }
        }
    }

    /// Events of the permissions pallet.
    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// A validator proposed a call.
        Proposed {
            /// Proposal id.
            id: u32,
            /// Proposing validator.
            proposer: T::AccountId,
            /// Hash of the encoded call.
            call_hash: T::Hash,
        },
        /// A validator voted for a proposal.
        Voted {
            /// Proposal id.
            id: u32,
            /// Voting validator.
            voter: T::AccountId,
            /// Votes from current validators so far.
            ayes: u32,
            /// Votes needed.
            threshold: u32,
        },
        /// A proposal reached the majority and was dispatched.
        Executed {
            /// Proposal id.
            id: u32,
            /// The call's outcome.
            result: DispatchResult,
        },
        /// An expired proposal was removed.
        ProposalExpired {
            /// Proposal id.
            id: u32,
        },
        /// A validator-set change was scheduled.
        ValidatorChangeScheduled {
            /// Height at which the new set takes effect.
            at: BlockNumberFor<T>,
            /// Accounts of the new set.
            validators: Vec<T::AccountId>,
        },
        /// The scheduled validator set took effect.
        ValidatorSetChanged {
            /// Accounts of the new set.
            validators: Vec<T::AccountId>,
        },
        /// A validator set or rotated its bridge key.
        BridgeKeySet {
            /// The validator.
            who: T::AccountId,
            /// The new key (EVM address).
            key: H160,
        },
        /// A peer id was allow-listed.
        NodeAdded {
            /// The peer id (base58 text).
            peer_id: Vec<u8>,
        },
        /// A peer id was removed from the allow-list.
        NodeRemoved {
            /// The peer id (base58 text).
            peer_id: Vec<u8>,
        },
        /// An account registered the node it validates with.
        NodeIdSet {
            /// The account.
            who: T::AccountId,
            /// The node's peer id (base58 text).
            peer_id: Vec<u8>,
        },
        /// An account was allow-listed.
        AccountAdded {
            /// The account.
            who: T::AccountId,
        },
        /// An account was removed from the allow-list.
        AccountRemoved {
            /// The account.
            who: T::AccountId,
        },
        /// The account allow-list was switched on or off.
        AccountAllowListSet {
            /// Whether it is enforced now.
            enabled: bool,
        },
        /// A role was granted.
        RoleGranted {
            /// The account.
            who: T::AccountId,
            /// The role.
            role: Role,
        },
        /// A role was revoked.
        RoleRevoked {
            /// The account.
            who: T::AccountId,
            /// The role.
            role: Role,
        },
    }

    /// Errors of the permissions pallet.
    #[pallet::error]
    pub enum Error<T> {
        /// The caller is not a current validator.
        NotValidator,
        /// The account is already a validator (or will be).
        AlreadyValidator,
        /// The consensus key is already used by a validator.
        DuplicateConsensusKey,
        /// The change would leave no validator.
        WouldEmptySet,
        /// After the change, the validators seen online could not reach the
        /// 2/3 quorum: the chain would stall.
        WouldLoseQuorum,
        /// The set would exceed `MaxValidators`.
        TooManyValidators,
        /// Another validator-set change is already scheduled.
        ChangePending,
        /// No proposal has this id.
        UnknownProposal,
        /// The validator already voted for this proposal.
        AlreadyVoted,
        /// The proposal's voting period has ended.
        ProposalExpired,
        /// The proposal is still open.
        ProposalStillOpen,
        /// The encoded call is longer than `MaxProposalLen`.
        ProposalTooLong,
        /// The call is heavier than `MaxProposalWeight`.
        ProposalTooHeavy,
        /// The peer id is not base58 text of 32 to `MaxPeerIdLen` characters.
        BadPeerId,
        /// Another account registered this node peer id.
        NodeIdInUse,
        /// The peer id is not that of an ed25519 node key, or the signature is
        /// not that key's over [`node_id_payload`] of the caller.
        BadNodeIdProof,
        /// The peer id is already allow-listed.
        NodeAlreadyAllowed,
        /// The peer id is not allow-listed.
        NodeNotAllowed,
        /// The account is already allow-listed.
        AccountAlreadyAllowed,
        /// The account is not allow-listed.
        AccountNotAllowed,
        /// The account already holds the role.
        RoleAlreadyGranted,
        /// The account does not hold the role.
        RoleNotGranted,
        /// The bridge key is zero or another validator's.
        BadBridgeKey,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn on_initialize(now: BlockNumberFor<T>) -> Weight {
            let author = Self::note_author_from_digest(now);
            let weight = if author { T::DbWeight::get().writes(1) } else { Weight::zero() };
            weight.saturating_add(match NextChange::<T>::get() {
                Some(change) if change.at <= now => {
                    let validators = change.validators.iter().map(|v| v.account.clone()).collect();
                    Validators::<T>::put(change.validators);
                    NextChange::<T>::kill();
                    Self::deposit_event(Event::ValidatorSetChanged { validators });
                    T::OnBridgeKeysChange::bridge_keys_changed(Self::bridge_keys());
                    T::DbWeight::get().reads_writes(1, 3)
                }
                _ => T::DbWeight::get().reads(1),
            })
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Propose `call` for validator vote; the proposer's vote counts. With a
        /// single validator the call is dispatched at once.
        ///
        /// Origin: signed by a current validator. Emits [`Event::Proposed`],
        /// [`Event::Voted`] and, at the majority, [`Event::Executed`].
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::propose().saturating_add(T::MaxProposalWeight::get()))]
        pub fn propose(origin: OriginFor<T>, call: Box<T::Proposal>) -> DispatchResultWithPostInfo {
            let who = ensure_signed(origin)?;
            ensure!(Self::is_validator(&who), Error::<T>::NotValidator);
            ensure!(
                call.get_dispatch_info().total_weight().all_lte(T::MaxProposalWeight::get()),
                Error::<T>::ProposalTooHeavy
            );
            let encoded: BoundedVec<u8, T::MaxProposalLen> =
                call.encode().try_into().map_err(|_| Error::<T>::ProposalTooLong)?;
            let id = NextProposalId::<T>::get();
            NextProposalId::<T>::put(id.wrapping_add(1));
            let call_hash = T::Hashing::hash(&encoded);
            let now = frame_system::Pallet::<T>::block_number();
            let info = ProposalInfo {
                call: encoded,
                call_hash,
                proposer: who.clone(),
                expires_at: now.saturating_add(T::ProposalLifetime::get()),
                votes: Default::default(),
            };
            Proposals::<T>::insert(id, info);
            Self::deposit_event(Event::Proposed { id, proposer: who.clone(), call_hash });
            let actual = Self::do_vote(id, who)?;
            Ok(Some(T::WeightInfo::propose().saturating_add(actual)).into())
        }

        /// Vote for an open proposal; at more than half of the current
        /// validators the call is dispatched.
        ///
        /// Origin: signed by a current validator. Emits [`Event::Voted`] and, at
        /// the majority, [`Event::Executed`].
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::vote().saturating_add(T::MaxProposalWeight::get()))]
        pub fn vote(origin: OriginFor<T>, id: u32) -> DispatchResultWithPostInfo {
            let who = ensure_signed(origin)?;
            ensure!(Self::is_validator(&who), Error::<T>::NotValidator);
            let actual = Self::do_vote(id, who)?;
            Ok(Some(T::WeightInfo::vote().saturating_add(actual)).into())
        }

        /// Remove a proposal whose voting period has ended.
        ///
        /// Origin: signed (anyone). Emits [`Event::ProposalExpired`].
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::close_expired())]
        pub fn close_expired(origin: OriginFor<T>, id: u32) -> DispatchResult {
            ensure_signed(origin)?;
            let info = Proposals::<T>::get(id).ok_or(Error::<T>::UnknownProposal)?;
            ensure!(frame_system::Pallet::<T>::block_number() > info.expires_at, Error::<T>::ProposalStillOpen);
            Proposals::<T>::remove(id);
            Self::deposit_event(Event::ProposalExpired { id });
            Ok(())
        }

        /// Schedule adding a validator with its ed25519 consensus key and its
        /// secp256k1 bridge key (as an EVM address), effective `ChangeDelay`
        /// blocks from now.
        ///
        /// Origin: admin. Emits [`Event::ValidatorChangeScheduled`]. Fails with
        /// [`Error::BadBridgeKey`] for a zero key or another validator's.
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::change_validators())]
        pub fn add_validator(
            origin: OriginFor<T>,
            account: T::AccountId,
            consensus_key: [u8; 32],
            bridge_key: H160,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(NextChange::<T>::get().is_none(), Error::<T>::ChangePending);
            let mut set = Validators::<T>::get();
            ensure!(!set.iter().any(|v| v.account == account), Error::<T>::AlreadyValidator);
            ensure!(!set.iter().any(|v| v.consensus_key == consensus_key), Error::<T>::DuplicateConsensusKey);
            Self::ensure_bridge_key_free(&account, &bridge_key)?;
            set.try_push(ValidatorInfo { account: account.clone(), consensus_key })
                .map_err(|_| Error::<T>::TooManyValidators)?;
            Self::ensure_quorum(&set, Some(&consensus_key))?;
            BridgeKeys::<T>::insert(&account, bridge_key);
            Self::deposit_event(Event::BridgeKeySet { who: account, key: bridge_key });
            Self::schedule(set);
            Ok(())
        }

        /// Rotate the caller's bridge key. Effective at once: the bridge
        /// commits the new key set for the EVM light client in this block,
        /// signed by the old keys, and the new key signs from the next block.
        /// Run the node with the new key in its keystore before rotating.
        ///
        /// Origin: signed by a current validator. Emits [`Event::BridgeKeySet`].
        /// Fails with [`Error::BadBridgeKey`] for a zero key or another
        /// validator's.
        #[pallet::call_index(13)]
        #[pallet::weight(T::WeightInfo::change_validators())]
        pub fn set_bridge_key(origin: OriginFor<T>, key: H160) -> DispatchResult {
            let who = ensure_signed(origin)?;
            ensure!(Self::is_validator(&who), Error::<T>::NotValidator);
            if BridgeKeys::<T>::get(&who) == Some(key) {
                return Ok(());
            }
            Self::ensure_bridge_key_free(&who, &key)?;
            BridgeKeys::<T>::insert(&who, key);
            Self::deposit_event(Event::BridgeKeySet { who, key });
            T::OnBridgeKeysChange::bridge_keys_changed(Self::bridge_keys());
            Ok(())
        }

        /// Schedule removing a validator, effective `ChangeDelay` blocks from
        /// now. The last validator cannot be removed.
        ///
        /// Origin: admin. Emits [`Event::ValidatorChangeScheduled`].
        #[pallet::call_index(4)]
        #[pallet::weight(T::WeightInfo::change_validators())]
        pub fn remove_validator(origin: OriginFor<T>, account: T::AccountId) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(NextChange::<T>::get().is_none(), Error::<T>::ChangePending);
            let mut set = Validators::<T>::get();
            let before = set.len();
            set.retain(|v| v.account != account);
            ensure!(set.len() < before, Error::<T>::NotValidator);
            ensure!(!set.is_empty(), Error::<T>::WouldEmptySet);
            Self::ensure_quorum(&set, None)?;
            Self::schedule(set);
            Ok(())
        }

        /// Allow-list a libp2p peer id (base58 text).
        ///
        /// Origin: admin. Emits [`Event::NodeAdded`].
        #[pallet::call_index(5)]
        #[pallet::weight(T::WeightInfo::set_entry())]
        pub fn add_node(origin: OriginFor<T>, peer_id: Vec<u8>) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            let peer = Self::peer_id(&peer_id)?;
            ensure!(!AllowedNodes::<T>::contains_key(&peer), Error::<T>::NodeAlreadyAllowed);
            AllowedNodes::<T>::insert(peer, ());
            Self::deposit_event(Event::NodeAdded { peer_id });
            Ok(())
        }

        /// Remove a peer id from the allow-list.
        ///
        /// Origin: admin. Emits [`Event::NodeRemoved`].
        #[pallet::call_index(6)]
        #[pallet::weight(T::WeightInfo::set_entry())]
        pub fn remove_node(origin: OriginFor<T>, peer_id: Vec<u8>) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            // Any entry can be removed, also one older than today's format check.
            let peer = PeerIdOf::<T>::try_from(peer_id.clone()).map_err(|_| Error::<T>::NodeNotAllowed)?;
            ensure!(AllowedNodes::<T>::take(&peer).is_some(), Error::<T>::NodeNotAllowed);
            Self::deposit_event(Event::NodeRemoved { peer_id });
            Ok(())
        }

        /// Allow-list an account.
        ///
        /// Origin: admin. Emits [`Event::AccountAdded`].
        #[pallet::call_index(7)]
        #[pallet::weight(T::WeightInfo::set_entry())]
        pub fn add_account(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(!AllowedAccounts::<T>::contains_key(&who), Error::<T>::AccountAlreadyAllowed);
            AllowedAccounts::<T>::insert(&who, ());
            Self::deposit_event(Event::AccountAdded { who });
            Ok(())
        }

        /// Remove an account from the allow-list.
        ///
        /// Origin: admin. Emits [`Event::AccountRemoved`].
        #[pallet::call_index(8)]
        #[pallet::weight(T::WeightInfo::set_entry())]
        pub fn remove_account(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(AllowedAccounts::<T>::take(&who).is_some(), Error::<T>::AccountNotAllowed);
            Self::deposit_event(Event::AccountRemoved { who });
            Ok(())
        }

        /// Switch the account allow-list on or off.
        ///
        /// Origin: admin. Emits [`Event::AccountAllowListSet`].
        #[pallet::call_index(9)]
        #[pallet::weight(T::WeightInfo::set_entry())]
        pub fn set_account_allow_list(origin: OriginFor<T>, enabled: bool) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            AccountAllowListEnabled::<T>::put(enabled);
            Self::deposit_event(Event::AccountAllowListSet { enabled });
            Ok(())
        }

        /// Grant `role` to `who`.
        ///
        /// Origin: admin. Emits [`Event::RoleGranted`].
        #[pallet::call_index(10)]
        #[pallet::weight(T::WeightInfo::set_entry())]
        pub fn grant_role(origin: OriginFor<T>, who: T::AccountId, role: Role) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(!Roles::<T>::contains_key(&who, role), Error::<T>::RoleAlreadyGranted);
            Roles::<T>::insert(&who, role, ());
            Self::deposit_event(Event::RoleGranted { who, role });
            Ok(())
        }

        /// Revoke `role` from `who`.
        ///
        /// Origin: admin. Emits [`Event::RoleRevoked`].
        #[pallet::call_index(11)]
        #[pallet::weight(T::WeightInfo::set_entry())]
        pub fn revoke_role(origin: OriginFor<T>, who: T::AccountId, role: Role) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(Roles::<T>::take(&who, role).is_some(), Error::<T>::RoleNotGranted);
            Self::deposit_event(Event::RoleRevoked { who, role });
            Ok(())
        }

        /// Register (or change) the peer id of the node `origin` validates
        /// with: the network identity of its node key, which is not its
        /// consensus key. `proof` is that node key's ed25519 signature over
        /// [`node_id_payload`] of `origin`, so only the holder of a node key
        /// can register it (`ecochain key node-id-proof` makes it). Any
        /// account may register one; it counts while the account is a current
        /// or scheduled validator. One account per peer id.
        ///
        /// Origin: signed. Emits [`Event::NodeIdSet`].
        #[pallet::call_index(12)]
        #[pallet::weight(T::WeightInfo::set_node_id())]
        pub fn set_node_id(origin: OriginFor<T>, peer_id: Vec<u8>, proof: [u8; 64]) -> DispatchResult {
            let who = ensure_signed(origin)?;
            let peer = Self::peer_id(&peer_id)?;
            let key = ed25519_of_peer_id(&peer_id).ok_or(Error::<T>::BadNodeIdProof)?;
            ensure!(
                sp_io::crypto::ed25519_verify(
                    &sp_core::ed25519::Signature::from_raw(proof),
                    &node_id_payload(&who),
                    &sp_core::ed25519::Public::from_raw(key),
                ),
                Error::<T>::BadNodeIdProof
            );
            match NodeOwners::<T>::get(&peer) {
                Some(owner) if owner == who => return Ok(()),
                Some(_) => return Err(Error::<T>::NodeIdInUse.into()),
                None => {}
            }
            if let Some(old) = NodeIds::<T>::get(&who) {
                NodeOwners::<T>::remove(old);
            }
            NodeOwners::<T>::insert(&peer, &who);
            NodeIds::<T>::insert(&who, peer);
            Self::deposit_event(Event::NodeIdSet { who, peer_id });
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// The current validators' bridge keys, ascending, without duplicates;
        /// validators without a key are left out.
        pub fn bridge_keys() -> Vec<H160> {
            let mut keys: Vec<H160> =
                Validators::<T>::get().iter().filter_map(|v| BridgeKeys::<T>::get(&v.account)).collect();
            keys.sort_unstable();
            keys.dedup();
            keys
        }

        /// `key` is nonzero and no other current or scheduled validator's.
        fn ensure_bridge_key_free(who: &T::AccountId, key: &H160) -> DispatchResult {
            ensure!(!key.is_zero(), Error::<T>::BadBridgeKey);
            let scheduled = NextChange::<T>::get().map(|c| c.validators.into_inner()).unwrap_or_default();
            let taken = Validators::<T>::get()
                .iter()
                .chain(scheduled.iter())
                .any(|v| &v.account != who && BridgeKeys::<T>::get(&v.account).as_ref() == Some(key));
            ensure!(!taken, Error::<T>::BadBridgeKey);
            Ok(())
        }

        /// Whether `who` is in the current validator set.
        pub fn is_validator(who: &T::AccountId) -> bool {
            Validators::<T>::get().iter().any(|v| &v.account == who)
        }

        /// Votes needed: more than half of `n` validators.
        pub fn threshold(n: usize) -> u32 {
            u32::try_from(n / 2 + 1).unwrap_or(u32::MAX)
        }

        /// A peer id as base58 text (`12D3KooW…`, `Qm…`): the bitcoin alphabet,
        /// at least 32 characters (the shortest multihash of a key), at most
        /// `MaxPeerIdLen`. The node parses it fully; this keeps junk out of state.
        fn peer_id(raw: &[u8]) -> Result<PeerIdOf<T>, DispatchError> {
            const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
            ensure!(raw.len() >= 32 && raw.iter().all(|c| BASE58.contains(c)), Error::<T>::BadPeerId);
            Ok(raw.to_vec().try_into().map_err(|_| Error::<T>::BadPeerId)?)
        }

        /// Every current and scheduled validator's consensus key with the
        /// node peer id its account registered, if any: the nodes let them in
        /// and take proposals from them (a validator without one is reached at
        /// its consensus key's peer id).
        pub fn validator_nodes() -> Vec<([u8; 32], Option<Vec<u8>>)> {
            let mut out: Vec<([u8; 32], Option<Vec<u8>>)> = Vec::new();
            let next = NextChange::<T>::get().map(|c| c.validators.into_inner()).unwrap_or_default();
            for v in Validators::<T>::get().into_iter().chain(next) {
                if !out.iter().any(|(key, _)| *key == v.consensus_key) {
                    out.push((v.consensus_key, NodeIds::<T>::get(&v.account).map(|p| p.into_inner())));
                }
            }
            out
        }

        /// Record the author named in the block's digest; `true` if one was found.
        fn note_author_from_digest(now: BlockNumberFor<T>) -> bool {
            let digest = frame_system::Pallet::<T>::digest();
            let author = digest.logs.iter().find_map(|item| match item.as_pre_runtime() {
                Some((id, data)) if id == AUTHOR_ENGINE => <[u8; 32]>::try_from(data).ok(),
                _ => None,
            });
            match author {
                Some(key) => {
                    Self::note_author(key, now);
                    true
                }
                None => false,
            }
        }

        /// Record that the validator with `key` authored block `at`.
        pub fn note_author(key: [u8; 32], at: BlockNumberFor<T>) {
            if Validators::<T>::get().iter().any(|v| v.consensus_key == key) {
                LastAuthored::<T>::insert(key, at);
            }
        }

        /// Whether the validator with `key` authored a block recently.
        pub fn is_online(key: &[u8; 32], set_size: usize) -> bool {
            let now = frame_system::Pallet::<T>::block_number();
            let by_size: BlockNumberFor<T> = u32::try_from(set_size.saturating_mul(3)).unwrap_or(u32::MAX).into();
            let window = T::OnlineWindow::get().max(by_size);
            LastAuthored::<T>::get(key).is_some_and(|at| now.saturating_sub(at) <= window)
        }

        /// Refuse a new set whose online members could not reach 2/3. A
        /// validator being added counts as online: its node must be running
        /// (and allow-listed) before the vote; it cannot have authored yet.
        fn ensure_quorum(set: &ValidatorsOf<T>, joining: Option<&[u8; 32]>) -> DispatchResult {
            let current = Validators::<T>::get().len();
            let online = set
                .iter()
                .filter(|v| Some(&v.consensus_key) == joining || Self::is_online(&v.consensus_key, current))
                .count();
            let quorum = set.len() * 2 / 3 + 1;
            ensure!(online >= quorum, Error::<T>::WouldLoseQuorum);
            Ok(())
        }

        fn schedule(set: ValidatorsOf<T>) {
            let at = frame_system::Pallet::<T>::block_number().saturating_add(T::ChangeDelay::get());
            let validators = set.iter().map(|v| v.account.clone()).collect();
            NextChange::<T>::put(ScheduledChange { at, validators: set });
            Self::deposit_event(Event::ValidatorChangeScheduled { at, validators });
        }

        /// Record `who`'s vote on proposal `id` and dispatch it at the majority.
        /// Returns the weight of the dispatched call, if any.
        fn do_vote(id: u32, who: T::AccountId) -> Result<Weight, DispatchError> {
            let mut info = Proposals::<T>::get(id).ok_or(Error::<T>::UnknownProposal)?;
            ensure!(frame_system::Pallet::<T>::block_number() <= info.expires_at, Error::<T>::ProposalExpired);
            ensure!(!info.votes.contains(&who), Error::<T>::AlreadyVoted);
            let set = Validators::<T>::get();
            // Votes of accounts that left the set no longer count.
            info.votes.retain(|v| set.iter().any(|s| &s.account == v));
            info.votes.try_push(who.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
            let ayes = u32::try_from(info.votes.len()).unwrap_or(u32::MAX);
            let threshold = Self::threshold(set.len());
            Self::deposit_event(Event::Voted { id, voter: who, ayes, threshold });
            if ayes < threshold {
                Proposals::<T>::insert(id, info);
                return Ok(Weight::zero());
            }
            Proposals::<T>::remove(id);
            let call = T::Proposal::decode(&mut &info.call[..]).map_err(|_| Error::<T>::UnknownProposal)?;
            let weight = call.get_dispatch_info().total_weight();
            let outcome = call.dispatch(Origin::ValidatorMajority.into());
            let (result, used) = match outcome {
                Ok(post) => (Ok(()), post.actual_weight.unwrap_or(weight)),
                Err(e) => (Err(e.error), e.post_info.actual_weight.unwrap_or(weight)),
            };
            Self::deposit_event(Event::Executed { id, result });
            Ok(used)
        }

        /// Whether `who` may submit transactions now.
        pub fn is_account_allowed(who: &T::AccountId) -> bool {
            !AccountAllowListEnabled::<T>::get() || AllowedAccounts::<T>::contains_key(who) || Self::is_validator(who)
        }

        /// Whether the peer id (base58 text) is allow-listed.
        pub fn is_node_allowed(peer_id: &[u8]) -> bool {
            PeerIdOf::<T>::try_from(peer_id.to_vec()).map(AllowedNodes::<T>::contains_key).unwrap_or(false)
        }

        /// All allow-listed peer ids.
        pub fn allowed_nodes() -> Vec<Vec<u8>> {
            AllowedNodes::<T>::iter_keys().map(|k| k.into_inner()).collect()
        }

        /// The current validator set.
        pub fn validators() -> Vec<ValidatorInfo<T::AccountId>> {
            Validators::<T>::get().into_inner()
        }

        /// The roles `who` holds.
        pub fn roles_of(who: &T::AccountId) -> Vec<Role> {
            Roles::<T>::iter_key_prefix(who).collect()
        }

        /// Invariants: a non-empty set with unique accounts and keys, the same for
        /// a scheduled set, and proposals' votes bounded by the set.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            fn check<A: PartialEq>(set: &[ValidatorInfo<A>]) -> Result<(), sp_runtime::TryRuntimeError> {
                ensure!(!set.is_empty(), "validator set is empty");
                for (i, v) in set.iter().enumerate() {
                    for w in &set[i + 1..] {
                        ensure!(v.account != w.account, "duplicate validator account");
                        ensure!(v.consensus_key != w.consensus_key, "duplicate consensus key");
                    }
                }
                Ok(())
            }
            check(&Validators::<T>::get())?;
            if let Some(next) = NextChange::<T>::get() {
                check(&next.validators)?;
            }
            for (who, peer) in NodeIds::<T>::iter() {
                ensure!(NodeOwners::<T>::get(&peer).as_ref() == Some(&who), "node id without its owner entry");
            }
            ensure!(
                NodeOwners::<T>::iter().count() == NodeIds::<T>::iter().count(),
                "node owner entries without node ids"
            );
            for (id, p) in Proposals::<T>::iter() {
                ensure!(id < NextProposalId::<T>::get(), "proposal id not yet issued");
                ensure!(!p.votes.is_empty(), "open proposal without votes");
            }
            Ok(())
        }
    }

    impl<T: Config> BridgeKeysProvider for Pallet<T> {
        fn bridge_keys() -> Vec<H160> {
            Pallet::<T>::bridge_keys()
        }
    }

    impl<T: Config> RoleProvider<T::AccountId> for Pallet<T> {
        fn has_role(who: &T::AccountId, role: Role) -> bool {
            Roles::<T>::contains_key(who, role)
        }
    }

    /// Accepts only calls enacted by validator majority.
    pub struct EnsureValidatorMajority<T>(core::marker::PhantomData<T>);

    impl<O, T> EnsureOrigin<O> for EnsureValidatorMajority<T>
    where
        O: OriginTrait + From<Origin> + Into<Result<Origin, O>>,
    {
        type Success = ();

        fn try_origin(o: O) -> Result<Self::Success, O> {
            o.into().map(|Origin::ValidatorMajority| ())
        }
    }
}
