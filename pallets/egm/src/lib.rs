//! # EGM — EcoGem
//!
//! Collectible gems, the VIP status they earn and the premium features that
//! status unlocks (SPEC §3 "EGM").
//!
//! - **Gems** are NFTs with ids from 1 upward, minted by accounts holding
//!   [`Role::Minter`](ecochain_primitives::Role::Minter) with a type, a rarity
//!   (1 ..= 5), a value and metadata; the owner may transfer or burn them.
//! - **VIP status** comes from the total value of the gems an account holds,
//!   kept per account in [`HeldValue`] and updated on every mint, transfer and
//!   burn: `None` below Bronze, then Bronze (default 100), Silver (500),
//!   Gold (1,000), Platinum (5,000). Thresholds are set in genesis and by the
//!   admin origin; each status has a list of benefits.
//! - **Premium features** are registered by the admin with a required status,
//!   a gem-value cost and a grant duration. [`Pallet::access_feature`] checks
//!   the caller's status (as it stands before any burn), burns the gems the
//!   caller names when the feature has a cost, and records or extends a grant.
//!   Gem value burned above the cost is **not refunded**: the caller chooses
//!   which gems to burn.
//!
//! Gem values are plain gem-value units, not ECT: EGM moves no ECT. Times are
//! Unix milliseconds like `pallet-timestamp`; feature durations are seconds.
//!
//! `access_feature` needs no price limit: the caller names the gems to burn,
//! so it never pays more than it chose, whatever the admin re-registers.
//!
//! Statistics: [`Holders`] counts the accounts holding at least one gem,
//! [`TransactionCount`] the successful calls of this pallet.

pub use pallet::*;

mod types;
pub mod weights;

pub use types::{
    FeatureId, FeatureInfo, GemId, GemInfo, GemStats, Grant, GrantInfo, VipInfo, VipStatus, VipThresholds, VipTier,
};
pub use weights::WeightInfo;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// Lowest gem rarity.
pub const MIN_RARITY: u8 = 1;
/// Highest gem rarity.
pub const MAX_RARITY: u8 = 5;

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use crate::types::{Feature, Gem};
    use ecochain_primitives::{Balance, Moment, Role, RoleProvider};
    use frame_support::{pallet_prelude::*, traits::UnixTime};
    use frame_system::pallet_prelude::*;
    use sp_runtime::traits::Zero;

    #[pallet::pallet]
    pub struct Pallet<T>(_);

    /// A gem as stored for runtime `T`.
    pub type GemOf<T> =
        Gem<<T as frame_system::Config>::AccountId, <T as Config>::MaxGemTypeLen, <T as Config>::MaxMetadataLen>;
    /// A feature as stored for runtime `T`.
    pub type FeatureOf<T> = Feature<<T as Config>::MaxNameLen>;
    /// One benefit's text.
    pub type BenefitOf<T> = BoundedVec<u8, <T as Config>::MaxBenefitLen>;
    /// The benefits of one VIP status.
    pub type BenefitsOf<T> = BoundedVec<BenefitOf<T>, <T as Config>::MaxBenefits>;

    /// Configuration of the EGM pallet.
    #[pallet::config]
    pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
        /// Origin allowed to set VIP thresholds and benefits and to manage features.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// Who holds [`Role::Minter`].
        type Roles: RoleProvider<Self::AccountId>;
        /// Wall-clock time (`pallet-timestamp`).
        type Time: UnixTime;
        /// Weights of this pallet's calls.
        type WeightInfo: WeightInfo;
        /// Most gems one account may hold.
        #[pallet::constant]
        type MaxGemsPerOwner: Get<u32>;
        /// Longest gem type, in bytes.
        #[pallet::constant]
        type MaxGemTypeLen: Get<u32>;
        /// Longest gem metadata, in bytes.
        #[pallet::constant]
        type MaxMetadataLen: Get<u32>;
        /// Most benefits per VIP status.
        #[pallet::constant]
        type MaxBenefits: Get<u32>;
        /// Longest benefit text, in bytes.
        #[pallet::constant]
        type MaxBenefitLen: Get<u32>;
        /// Most premium features registered at once.
        #[pallet::constant]
        type MaxFeatures: Get<u32>;
        /// Longest feature name, in bytes.
        #[pallet::constant]
        type MaxNameLen: Get<u32>;
        /// Most gems burned by one `access_feature`.
        #[pallet::constant]
        type MaxGemsPerAccess: Get<u32>;
    }

    /// The highest gem id minted so far (0: none yet).
    #[pallet::storage]
    pub type LastGemId<T> = StorageValue<_, GemId, ValueQuery>;

    /// Gems in existence, by id.
    #[pallet::storage]
    pub type Gems<T: Config> = StorageMap<_, Blake2_128Concat, GemId, GemOf<T>>;

    /// Number of gems in existence.
    #[pallet::storage]
    pub type GemCount<T> = StorageValue<_, u64, ValueQuery>;

    /// Total value of the gems in existence.
    #[pallet::storage]
    pub type TotalValue<T> = StorageValue<_, Balance, ValueQuery>;

    /// Ids of the gems each account holds, in order of arrival (no empty entries).
    #[pallet::storage]
    pub type OwnedGems<T: Config> =
        StorageMap<_, Blake2_128Concat, T::AccountId, BoundedVec<GemId, T::MaxGemsPerOwner>, ValueQuery>;

    /// Number of accounts holding at least one gem.
    #[pallet::storage]
    pub type Holders<T> = StorageValue<_, u64, ValueQuery>;

    /// Number of successful calls of this pallet.
    #[pallet::storage]
    pub type TransactionCount<T> = StorageValue<_, u64, ValueQuery>;

    /// Total value of the gems each account holds (no zero entries); drives VIP status.
    #[pallet::storage]
    pub type HeldValue<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Balance, ValueQuery>;

    /// VIP thresholds.
    #[pallet::storage]
    pub type Thresholds<T> = StorageValue<_, VipThresholds, ValueQuery>;

    /// Benefits of each VIP status.
    #[pallet::storage]
    pub type Benefits<T: Config> = StorageMap<_, Twox64Concat, VipStatus, BenefitsOf<T>, ValueQuery>;

    /// Registered premium features.
    #[pallet::storage]
    pub type Features<T: Config> = CountedStorageMap<_, Twox64Concat, FeatureId, FeatureOf<T>>;

    /// Registrations made so far; the next registration gets this number plus one.
    #[pallet::storage]
    pub type Registrations<T> = StorageValue<_, u32, ValueQuery>;

    /// Grants: (account, feature) -> expiry. A grant counts only while it has
    /// not expired and its feature is still the registration it was made under.
    #[pallet::storage]
    pub type Grants<T: Config> = StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, FeatureId, Grant>;

    /// Genesis configuration of EGM.
    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// VIP thresholds (default 100 / 500 / 1,000 / 5,000); must be strictly
        /// ascending and above zero.
        pub vip_thresholds: VipThresholds,
        /// Benefits per status, each as UTF-8 bytes; a status at most once.
        pub vip_benefits: Vec<(VipStatus, Vec<Vec<u8>>)>,
        /// Premium features: (id, name, required status, gem value cost, duration in seconds).
        pub features: Vec<(FeatureId, Vec<u8>, VipStatus, Balance, u64)>,
        #[serde(skip)]
        #[doc(hidden)]
        pub _config: core::marker::PhantomData<T>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            let t = self.vip_thresholds;
            assert!(
                t.is_valid(),
                "EGM genesis: VIP thresholds must be strictly ascending and above zero, got {}/{}/{}/{}",
                t.bronze,
                t.silver,
                t.gold,
                t.platinum
            );
            Thresholds::<T>::put(t);
            for (status, benefits) in &self.vip_benefits {
                assert!(!Benefits::<T>::contains_key(status), "EGM genesis: benefits of {status:?} are listed twice");
                let bounded: Vec<BenefitOf<T>> = benefits
                    .iter()
                    .map(|b| {
                        b.clone().try_into().unwrap_or_else(|_| {
                            panic!("EGM genesis: a benefit of {status:?} is longer than MaxBenefitLen")
                        })
                    })
                    .collect();
                let bounded: BenefitsOf<T> = bounded
                    .try_into()
                    .unwrap_or_else(|_| panic!("EGM genesis: {status:?} has more benefits than MaxBenefits"));
                Benefits::<T>::insert(status, bounded);
            }
            for (id, name, required_status, cost, duration_secs) in &self.features {
                assert!(!Features::<T>::contains_key(id), "EGM genesis: feature {id} is listed twice");
                assert!(*duration_secs > 0, "EGM genesis: feature {id} has a zero duration");
                assert!(Features::<T>::count() < T::MaxFeatures::get(), "EGM genesis: more features than MaxFeatures");
                let name: BoundedVec<u8, T::MaxNameLen> = name
                    .clone()
                    .try_into()
                    .unwrap_or_else(|_| panic!("EGM genesis: name of feature {id} is longer than MaxNameLen"));
                let registration = Registrations::<T>::get().saturating_add(1);
                Registrations::<T>::put(registration);
                Features::<T>::insert(
                    id,
                    Feature {
                        name,
                        required_status: *required_status,
                        gem_value_cost: *cost,
                        duration_secs: *duration_secs,
                        registration,
                    },
                );
            }
        }
    }

    /// Events of the EGM pallet.
    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// A minter created a gem.
        GemMinted {
            /// New gem id.
            gem: GemId,
            /// Minter that created it.
            minter: T::AccountId,
            /// First owner.
            to: T::AccountId,
            /// Rarity, 1 ..= 5.
            rarity: u8,
            /// Value in gem-value units.
            value: Balance,
        },
        /// A gem changed owner.
        GemTransferred {
            /// Gem id.
            gem: GemId,
            /// Previous owner.
            from: T::AccountId,
            /// New owner.
            to: T::AccountId,
            /// Value of the gem.
            value: Balance,
        },
        /// A gem was destroyed, by its owner or to pay for a feature.
        GemBurned {
            /// Gem id.
            gem: GemId,
            /// Last owner.
            owner: T::AccountId,
            /// Value of the gem.
            value: Balance,
        },
        /// A gem movement changed an account's VIP status. (A change of the
        /// thresholds moves statuses without this event.)
        VipStatusChanged {
            /// Account.
            who: T::AccountId,
            /// Status before.
            from: VipStatus,
            /// Status after.
            to: VipStatus,
        },
        /// The admin set the VIP thresholds.
        VipThresholdsSet {
            /// New thresholds.
            thresholds: VipThresholds,
        },
        /// The admin set the benefits of a VIP status.
        VipBenefitsSet {
            /// Status.
            status: VipStatus,
            /// Number of benefits now listed.
            count: u32,
        },
        /// The admin registered a premium feature.
        FeatureRegistered {
            /// Feature id.
            feature: FeatureId,
            /// Lowest VIP status allowed.
            required_status: VipStatus,
            /// Gem value burned per access.
            gem_value_cost: Balance,
            /// Length of one grant, in seconds.
            duration_secs: u64,
        },
        /// The admin removed a premium feature; its grants no longer count.
        FeatureRemoved {
            /// Feature id.
            feature: FeatureId,
        },
        /// An account was granted (or extended) access to a feature.
        FeatureAccessed {
            /// Account.
            who: T::AccountId,
            /// Feature id.
            feature: FeatureId,
            /// Unix milliseconds at which access now ends.
            expires_at: Moment,
            /// Number of gems burned.
            gems_burned: u32,
            /// Total value of the gems burned (at least the cost; no refund).
            value_burned: Balance,
        },
        /// An expired or obsolete grant was deleted.
        GrantPruned {
            /// Account.
            who: T::AccountId,
            /// Feature id.
            feature: FeatureId,
        },
    }

    /// Errors of the EGM pallet.
    #[pallet::error]
    pub enum Error<T> {
        /// The caller does not hold the Minter role.
        NotMinter,
        /// Rarity is outside 1 ..= 5.
        InvalidRarity,
        /// No gem has this id.
        UnknownGem,
        /// The caller does not own the gem.
        NotGemOwner,
        /// The recipient already owns the gem.
        TransferToSelf,
        /// The recipient holds `MaxGemsPerOwner` gems already.
        TooManyGems,
        /// The thresholds are not strictly ascending above zero.
        ThresholdsNotAscending,
        /// No feature has this id.
        UnknownFeature,
        /// A feature with this id is already registered.
        FeatureExists,
        /// `MaxFeatures` features are registered already.
        TooManyFeatures,
        /// A feature's duration is zero.
        ZeroDuration,
        /// The caller's VIP status is below the feature's required status.
        VipStatusTooLow,
        /// The gems named are worth less than the feature's cost.
        InsufficientGemValue,
        /// The same gem is named twice.
        DuplicateGem,
        /// Gems were named for a feature that costs nothing.
        GemsNotNeeded,
        /// The account has no grant for this feature.
        NoGrant,
        /// The grant is still valid and cannot be pruned.
        GrantStillValid,
        /// An arithmetic overflow was prevented.
        Overflow,
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Create a gem owned by `to`; ids run from 1 upward.
        ///
        /// Origin: signed, holding the Minter role ([`Error::NotMinter`] otherwise).
        /// Emits [`Event::GemMinted`] and, if `to`'s status rises,
        /// [`Event::VipStatusChanged`]. Weight: [`WeightInfo::mint`].
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::mint())]
        pub fn mint(
            origin: OriginFor<T>,
            to: T::AccountId,
            gem_type: BoundedVec<u8, T::MaxGemTypeLen>,
            rarity: u8,
            value: Balance,
            metadata: BoundedVec<u8, T::MaxMetadataLen>,
        ) -> DispatchResult {
            let minter = ensure_signed(origin)?;
            ensure!(T::Roles::has_role(&minter, Role::Minter), Error::<T>::NotMinter);
            Self::do_mint(&minter, &to, gem_type, rarity, value, metadata)?;
            Self::note_transaction();
            Ok(())
        }

        /// Give the caller's gem `gem` to `to`.
        ///
        /// Origin: signed, the gem's owner. Emits [`Event::GemTransferred`] and a
        /// [`Event::VipStatusChanged`] for each side whose status moves.
        /// Weight: [`WeightInfo::transfer`].
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::transfer())]
        pub fn transfer(origin: OriginFor<T>, gem: GemId, to: T::AccountId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_transfer(&who, gem, &to)?;
            Self::note_transaction();
            Ok(())
        }

        /// Destroy the caller's gem `gem`.
        ///
        /// Origin: signed, the gem's owner. Emits [`Event::GemBurned`] and, if the
        /// status falls, [`Event::VipStatusChanged`]. Weight: [`WeightInfo::burn`].
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::burn())]
        pub fn burn(origin: OriginFor<T>, gem: GemId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_burn(&who, gem)?;
            Self::note_transaction();
            Ok(())
        }

        /// Set the VIP thresholds; they must be strictly ascending above zero.
        ///
        /// Origin: admin. Emits [`Event::VipThresholdsSet`].
        /// Weight: [`WeightInfo::set_vip_thresholds`].
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::set_vip_thresholds())]
        pub fn set_vip_thresholds(origin: OriginFor<T>, thresholds: VipThresholds) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::do_set_vip_thresholds(thresholds)?;
            Self::note_transaction();
            Ok(())
        }

        /// Replace the benefits of `status` (an empty list clears them).
        ///
        /// Origin: admin. Emits [`Event::VipBenefitsSet`].
        /// Weight: [`WeightInfo::set_vip_benefits`].
        #[pallet::call_index(4)]
        #[pallet::weight(T::WeightInfo::set_vip_benefits())]
        pub fn set_vip_benefits(origin: OriginFor<T>, status: VipStatus, benefits: BenefitsOf<T>) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::do_set_vip_benefits(status, benefits)?;
            Self::note_transaction();
            Ok(())
        }

        /// Register premium feature `feature_id`. To change a feature, remove it
        /// and register it again (grants made before then stop counting).
        ///
        /// Origin: admin. Emits [`Event::FeatureRegistered`].
        /// Weight: [`WeightInfo::register_feature`].
        #[pallet::call_index(5)]
        #[pallet::weight(T::WeightInfo::register_feature())]
        pub fn register_feature(
            origin: OriginFor<T>,
            feature_id: FeatureId,
            name: BoundedVec<u8, T::MaxNameLen>,
            required_status: VipStatus,
            gem_value_cost: Balance,
            duration_secs: u64,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::do_register_feature(feature_id, name, required_status, gem_value_cost, duration_secs)?;
            Self::note_transaction();
            Ok(())
        }

        /// Remove premium feature `feature_id`; existing grants stop counting.
        ///
        /// Origin: admin. Emits [`Event::FeatureRemoved`].
        /// Weight: [`WeightInfo::remove_feature`].
        #[pallet::call_index(6)]
        #[pallet::weight(T::WeightInfo::remove_feature())]
        pub fn remove_feature(origin: OriginFor<T>, feature_id: FeatureId) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::do_remove_feature(feature_id)?;
            Self::note_transaction();
            Ok(())
        }

        /// Gain (or extend) access to `feature`.
        ///
        /// The caller's VIP status, as it stands before anything is burned, must
        /// be at least the feature's required status. If the feature has a gem
        /// value cost, `gems_to_burn` must name distinct gems of the caller
        /// worth at least the cost, and all of them are burned: value above the
        /// cost is **not refunded**. A feature without cost takes no gems. An
        /// unexpired grant is extended by the feature's duration; otherwise the
        /// grant runs from now.
        ///
        /// Origin: signed. Emits one [`Event::GemBurned`] per gem,
        /// [`Event::VipStatusChanged`] if the status falls, then
        /// [`Event::FeatureAccessed`]. Weight: [`WeightInfo::access_feature`].
        #[pallet::call_index(7)]
        #[pallet::weight(T::WeightInfo::access_feature(gems_to_burn.len() as u32))]
        pub fn access_feature(
            origin: OriginFor<T>,
            feature: FeatureId,
            gems_to_burn: BoundedVec<GemId, T::MaxGemsPerAccess>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_access_feature(&who, feature, &gems_to_burn)?;
            Self::note_transaction();
            Ok(())
        }

        /// Delete `who`'s grant for `feature` once it has expired or its feature
        /// was removed or re-registered (storage clean-up; anyone may call).
        ///
        /// Origin: signed, anyone. Emits [`Event::GrantPruned`].
        /// Weight: [`WeightInfo::prune_grant`].
        #[pallet::call_index(8)]
        #[pallet::weight(T::WeightInfo::prune_grant())]
        pub fn prune_grant(origin: OriginFor<T>, who: T::AccountId, feature: FeatureId) -> DispatchResult {
            ensure_signed(origin)?;
            Self::do_prune_grant(&who, feature)?;
            Self::note_transaction();
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// Now, in Unix milliseconds.
        fn now_ms() -> Moment {
            Moment::try_from(T::Time::now().as_millis()).unwrap_or(Moment::MAX)
        }

        /// Store `who`'s new held value and emit [`Event::VipStatusChanged`] if
        /// the status moved from what `old` earned.
        fn store_value(who: &T::AccountId, old: Balance, new: Balance) {
            if new.is_zero() {
                HeldValue::<T>::remove(who);
            } else {
                HeldValue::<T>::insert(who, new);
            }
            let thresholds = Thresholds::<T>::get();
            let (from, to) = (thresholds.status_for(old), thresholds.status_for(new));
            if from != to {
                Self::deposit_event(Event::VipStatusChanged { who: who.clone(), from, to });
            }
        }

        /// Mint a gem to `to` on behalf of `minter` (the role is checked by the caller).
        pub fn do_mint(
            minter: &T::AccountId,
            to: &T::AccountId,
            gem_type: BoundedVec<u8, T::MaxGemTypeLen>,
            rarity: u8,
            value: Balance,
            metadata: BoundedVec<u8, T::MaxMetadataLen>,
        ) -> Result<GemId, DispatchError> {
            ensure!((MIN_RARITY..=MAX_RARITY).contains(&rarity), Error::<T>::InvalidRarity);
            let id = LastGemId::<T>::get().checked_add(1).ok_or(Error::<T>::Overflow)?;
            let held = HeldValue::<T>::get(to);
            let new_held = held.checked_add(value).ok_or(Error::<T>::Overflow)?;
            let total = TotalValue::<T>::get().checked_add(value).ok_or(Error::<T>::Overflow)?;
            let count = GemCount::<T>::get().checked_add(1).ok_or(Error::<T>::Overflow)?;
            let mut owned = OwnedGems::<T>::get(to);
            owned.try_push(id).map_err(|_| Error::<T>::TooManyGems)?;

            let gem = Gem {
                owner: to.clone(),
                minter: minter.clone(),
                gem_type,
                rarity,
                value,
                metadata,
                minted_at: Self::now_ms(),
            };
            Gems::<T>::insert(id, gem);
            Self::store_index(to, owned);
            LastGemId::<T>::put(id);
            GemCount::<T>::put(count);
            TotalValue::<T>::put(total);
            Self::deposit_event(Event::GemMinted { gem: id, minter: minter.clone(), to: to.clone(), rarity, value });
            Self::store_value(to, held, new_held);
            Ok(id)
        }

        /// Move `gem` from its owner `from` to `to`.
        pub fn do_transfer(from: &T::AccountId, id: GemId, to: &T::AccountId) -> DispatchResult {
            let mut gem = Gems::<T>::get(id).ok_or(Error::<T>::UnknownGem)?;
            ensure!(&gem.owner == from, Error::<T>::NotGemOwner);
            ensure!(from != to, Error::<T>::TransferToSelf);
            let value = gem.value;
            let to_old = HeldValue::<T>::get(to);
            let to_new = to_old.checked_add(value).ok_or(Error::<T>::Overflow)?;
            let mut to_owned = OwnedGems::<T>::get(to);
            to_owned.try_push(id).map_err(|_| Error::<T>::TooManyGems)?;
            let from_old = HeldValue::<T>::get(from);

            Self::remove_from_owner(from, id);
            Self::store_index(to, to_owned);
            gem.owner = to.clone();
            Gems::<T>::insert(id, gem);
            Self::deposit_event(Event::GemTransferred { gem: id, from: from.clone(), to: to.clone(), value });
            Self::store_value(from, from_old, from_old.saturating_sub(value));
            Self::store_value(to, to_old, to_new);
            Ok(())
        }

        /// Destroy `gem`, which `owner` must own.
        pub fn do_burn(owner: &T::AccountId, id: GemId) -> DispatchResult {
            let gem = Gems::<T>::get(id).ok_or(Error::<T>::UnknownGem)?;
            ensure!(&gem.owner == owner, Error::<T>::NotGemOwner);
            let old = HeldValue::<T>::get(owner);
            Self::burn_unchecked(owner, id, gem.value);
            Self::store_value(owner, old, old.saturating_sub(gem.value));
            Ok(())
        }

        /// Remove a gem known to belong to `owner`, without touching [`HeldValue`].
        fn burn_unchecked(owner: &T::AccountId, id: GemId, value: Balance) {
            Gems::<T>::remove(id);
            Self::remove_from_owner(owner, id);
            GemCount::<T>::mutate(|c| *c = c.saturating_sub(1));
            TotalValue::<T>::mutate(|v| *v = v.saturating_sub(value));
            Self::deposit_event(Event::GemBurned { gem: id, owner: owner.clone(), value });
        }

        /// Store `owner`'s non-empty index (one gem added), counting a new holder.
        fn store_index(owner: &T::AccountId, owned: BoundedVec<GemId, T::MaxGemsPerOwner>) {
            if owned.len() == 1 {
                Holders::<T>::mutate(|n| *n = n.saturating_add(1));
            }
            OwnedGems::<T>::insert(owner, owned);
        }

        /// Drop `id` from `owner`'s index, deleting the entry (and counting a
        /// holder gone) when it empties.
        fn remove_from_owner(owner: &T::AccountId, id: GemId) {
            OwnedGems::<T>::mutate_exists(owner, |owned| {
                if let Some(list) = owned {
                    list.retain(|g| *g != id);
                    if list.is_empty() {
                        *owned = None;
                        Holders::<T>::mutate(|n| *n = n.saturating_sub(1));
                    }
                }
            });
        }

        /// Count one successful call in [`TransactionCount`].
        fn note_transaction() {
            TransactionCount::<T>::mutate(|n| *n = n.saturating_add(1));
        }

        /// Number of accounts holding at least one gem.
        pub fn holders() -> u64 {
            Holders::<T>::get()
        }

        /// Number of successful calls of this pallet.
        pub fn transactions() -> u64 {
            TransactionCount::<T>::get()
        }

        /// Set the VIP thresholds after checking they ascend.
        pub fn do_set_vip_thresholds(thresholds: VipThresholds) -> DispatchResult {
            ensure!(thresholds.is_valid(), Error::<T>::ThresholdsNotAscending);
            Thresholds::<T>::put(thresholds);
            Self::deposit_event(Event::VipThresholdsSet { thresholds });
            Ok(())
        }

        /// Replace the benefits of `status`.
        pub fn do_set_vip_benefits(status: VipStatus, benefits: BenefitsOf<T>) -> DispatchResult {
            let count = benefits.len() as u32;
            if benefits.is_empty() {
                Benefits::<T>::remove(status);
            } else {
                Benefits::<T>::insert(status, benefits);
            }
            Self::deposit_event(Event::VipBenefitsSet { status, count });
            Ok(())
        }

        /// Register a new premium feature.
        pub fn do_register_feature(
            id: FeatureId,
            name: BoundedVec<u8, T::MaxNameLen>,
            required_status: VipStatus,
            gem_value_cost: Balance,
            duration_secs: u64,
        ) -> DispatchResult {
            ensure!(!Features::<T>::contains_key(id), Error::<T>::FeatureExists);
            ensure!(Features::<T>::count() < T::MaxFeatures::get(), Error::<T>::TooManyFeatures);
            ensure!(duration_secs > 0, Error::<T>::ZeroDuration);
            let registration = Registrations::<T>::get().checked_add(1).ok_or(Error::<T>::Overflow)?;
            Registrations::<T>::put(registration);
            Features::<T>::insert(id, Feature { name, required_status, gem_value_cost, duration_secs, registration });
            Self::deposit_event(Event::FeatureRegistered {
                feature: id,
                required_status,
                gem_value_cost,
                duration_secs,
            });
            Ok(())
        }

        /// Remove a premium feature; its grants stop counting (see [`Pallet::prune_grant`]).
        pub fn do_remove_feature(id: FeatureId) -> DispatchResult {
            ensure!(Features::<T>::contains_key(id), Error::<T>::UnknownFeature);
            Features::<T>::remove(id);
            Self::deposit_event(Event::FeatureRemoved { feature: id });
            Ok(())
        }

        /// Check status, burn the named gems against the cost, record the grant.
        pub fn do_access_feature(who: &T::AccountId, id: FeatureId, gems: &[GemId]) -> DispatchResult {
            let feature = Features::<T>::get(id).ok_or(Error::<T>::UnknownFeature)?;
            let held = HeldValue::<T>::get(who);
            // Status before any burn.
            ensure!(Self::status_of(who) >= feature.required_status, Error::<T>::VipStatusTooLow);

            let mut burned: Balance = 0;
            if feature.gem_value_cost.is_zero() {
                ensure!(gems.is_empty(), Error::<T>::GemsNotNeeded);
            } else {
                for (i, gem_id) in gems.iter().enumerate() {
                    ensure!(!gems[..i].contains(gem_id), Error::<T>::DuplicateGem);
                    let gem = Gems::<T>::get(gem_id).ok_or(Error::<T>::UnknownGem)?;
                    ensure!(&gem.owner == who, Error::<T>::NotGemOwner);
                    burned = burned.checked_add(gem.value).ok_or(Error::<T>::Overflow)?;
                }
                ensure!(burned >= feature.gem_value_cost, Error::<T>::InsufficientGemValue);
            }

            let now = Self::now_ms();
            let duration_ms = feature.duration_secs.saturating_mul(1_000);
            let start = match Grants::<T>::get(who, id) {
                Some(g) if g.registration == feature.registration && g.expires_at > now => g.expires_at,
                _ => now,
            };
            let expires_at = start.saturating_add(duration_ms);

            // Everything checked: write.
            for gem_id in gems {
                if let Some(gem) = Gems::<T>::get(gem_id) {
                    Self::burn_unchecked(who, *gem_id, gem.value);
                }
            }
            if !gems.is_empty() {
                Self::store_value(who, held, held.saturating_sub(burned));
            }
            Grants::<T>::insert(who, id, Grant { expires_at, registration: feature.registration });
            Self::deposit_event(Event::FeatureAccessed {
                who: who.clone(),
                feature: id,
                expires_at,
                gems_burned: gems.len() as u32,
                value_burned: burned,
            });
            Ok(())
        }

        /// Delete a grant that has expired or whose feature registration is gone.
        pub fn do_prune_grant(who: &T::AccountId, id: FeatureId) -> DispatchResult {
            let grant = Grants::<T>::get(who, id).ok_or(Error::<T>::NoGrant)?;
            ensure!(!Self::grant_counts(id, &grant), Error::<T>::GrantStillValid);
            Grants::<T>::remove(who, id);
            Self::deposit_event(Event::GrantPruned { who: who.clone(), feature: id });
            Ok(())
        }

        /// Whether `grant` of feature `id` gives access now.
        fn grant_counts(id: FeatureId, grant: &Grant) -> bool {
            Features::<T>::get(id).is_some_and(|f| f.registration == grant.registration)
                && grant.expires_at > Self::now_ms()
        }

        fn gem_info(gem: GemOf<T>) -> GemInfo<T::AccountId> {
            GemInfo {
                owner: gem.owner,
                minter: gem.minter,
                gem_type: gem.gem_type.into_inner(),
                rarity: gem.rarity,
                value: gem.value,
                metadata: gem.metadata.into_inner(),
                minted_at: gem.minted_at,
            }
        }

        /// The gems `who` holds, in order of arrival.
        pub fn gems(who: &T::AccountId) -> Vec<(GemId, GemInfo<T::AccountId>)> {
            OwnedGems::<T>::get(who)
                .into_iter()
                .filter_map(|id| Gems::<T>::get(id).map(|g| (id, Self::gem_info(g))))
                .collect()
        }

        /// One gem, if it exists.
        pub fn gem(id: GemId) -> Option<GemInfo<T::AccountId>> {
            Gems::<T>::get(id).map(Self::gem_info)
        }

        /// `who`'s current VIP status.
        pub fn status_of(who: &T::AccountId) -> VipStatus {
            Thresholds::<T>::get().status_for(HeldValue::<T>::get(who))
        }

        /// `who`'s VIP status, total gem value and the next threshold up.
        pub fn vip_status(who: &T::AccountId) -> VipInfo {
            let thresholds = Thresholds::<T>::get();
            let total_value = HeldValue::<T>::get(who);
            let status = thresholds.status_for(total_value);
            let next_status = status.next();
            VipInfo { status, total_value, next_status, next_threshold: next_status.map(|s| thresholds.min_value(s)) }
        }

        /// The benefits of `status`.
        pub fn benefits(status: VipStatus) -> Vec<Vec<u8>> {
            Benefits::<T>::get(status).into_iter().map(|b| b.into_inner()).collect()
        }

        /// `who`'s status and its benefits.
        pub fn benefits_of(who: &T::AccountId) -> (VipStatus, Vec<Vec<u8>>) {
            let status = Self::status_of(who);
            (status, Self::benefits(status))
        }

        /// Every status, lowest first, with its threshold and benefits.
        pub fn vip_tiers() -> Vec<VipTier> {
            let thresholds = Thresholds::<T>::get();
            VipStatus::ALL
                .into_iter()
                .map(|status| VipTier {
                    status,
                    min_value: thresholds.min_value(status),
                    benefits: Self::benefits(status),
                })
                .collect()
        }

        /// The registered premium features, by id.
        pub fn features() -> Vec<FeatureInfo> {
            let mut all: Vec<FeatureInfo> = Features::<T>::iter()
                .map(|(id, f)| FeatureInfo {
                    id,
                    name: f.name.into_inner(),
                    required_status: f.required_status,
                    gem_value_cost: f.gem_value_cost,
                    duration_secs: f.duration_secs,
                })
                .collect();
            all.sort_by_key(|f| f.id);
            all
        }

        /// Whether `who` has live access to `feature` now.
        pub fn has_access(who: &T::AccountId, feature: FeatureId) -> bool {
            Grants::<T>::get(who, feature).is_some_and(|g| Self::grant_counts(feature, &g))
        }

        /// `who`'s live grants, by feature id.
        pub fn grants(who: &T::AccountId) -> Vec<GrantInfo> {
            let mut all: Vec<GrantInfo> = Grants::<T>::iter_prefix(who)
                .filter(|(id, g)| Self::grant_counts(*id, g))
                .map(|(feature, g)| GrantInfo { feature, expires_at: g.expires_at })
                .collect();
            all.sort_by_key(|g| g.feature);
            all
        }

        /// Gems minted, in existence and their total value.
        pub fn stats() -> GemStats {
            GemStats { minted: LastGemId::<T>::get(), live: GemCount::<T>::get(), total_value: TotalValue::<T>::get() }
        }

        /// The pallet's invariants: each gem has exactly one owner and sits once
        /// in that owner's index; the index holds only existing gems of that
        /// owner; each account's [`HeldValue`] is the sum of its gems' values;
        /// counts and totals match; thresholds ascend; features fit the bound.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            let last = LastGemId::<T>::get();
            let mut gems: u64 = 0;
            let mut total: Balance = 0;
            for (id, gem) in Gems::<T>::iter() {
                ensure!(id >= 1 && id <= last, "gem id outside 1 ..= LastGemId");
                ensure!((MIN_RARITY..=MAX_RARITY).contains(&gem.rarity), "gem rarity outside 1 ..= 5");
                let in_index = OwnedGems::<T>::get(&gem.owner).iter().filter(|g| **g == id).count();
                ensure!(in_index == 1, "gem is not exactly once in its owner's index");
                gems = gems.checked_add(1).ok_or("gem count overflows")?;
                total = total.checked_add(gem.value).ok_or("total value overflows")?;
            }
            ensure!(gems == GemCount::<T>::get(), "GemCount differs from the gems stored");
            ensure!(total == TotalValue::<T>::get(), "TotalValue differs from the sum of gem values");

            let mut indexed: u64 = 0;
            for (who, owned) in OwnedGems::<T>::iter() {
                ensure!(!owned.is_empty(), "empty gem index stored");
                let mut sum: Balance = 0;
                for id in owned.iter() {
                    let gem = Gems::<T>::get(id).ok_or("indexed gem does not exist")?;
                    ensure!(gem.owner == who, "indexed gem belongs to another account");
                    sum = sum.checked_add(gem.value).ok_or("held value overflows")?;
                    indexed = indexed.checked_add(1).ok_or("index count overflows")?;
                }
                ensure!(sum == HeldValue::<T>::get(&who), "held value differs from the sum of the account's gems");
            }
            ensure!(indexed == gems, "a gem is indexed under more than one account");
            ensure!(
                OwnedGems::<T>::iter_keys().count() as u64 == Holders::<T>::get(),
                "Holders differs from the accounts holding gems"
            );
            for (who, value) in HeldValue::<T>::iter() {
                ensure!(!value.is_zero(), "zero held value stored");
                ensure!(OwnedGems::<T>::contains_key(&who), "held value without gems");
            }

            ensure!(Thresholds::<T>::get().is_valid(), "VIP thresholds do not ascend");
            let features = Features::<T>::iter().count() as u32;
            ensure!(features == Features::<T>::count(), "feature counter differs from the features stored");
            ensure!(features <= T::MaxFeatures::get(), "more features than MaxFeatures");
            let registrations = Registrations::<T>::get();
            for (_, feature) in Features::<T>::iter() {
                ensure!(feature.registration <= registrations, "feature registration from the future");
                ensure!(feature.duration_secs > 0, "feature with zero duration");
            }
            for (_, _, grant) in Grants::<T>::iter() {
                ensure!(grant.registration <= registrations, "grant registration from the future");
            }
            Ok(())
        }
    }
}
