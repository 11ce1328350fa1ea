//! # EST — EcoStake
//!
//! Time-locked staking of ECT in tiers. A tier fixes a lock period, an APY
//! and a minimum amount; the defaults are Bronze 30 days 6%, Silver 90 days
//! 8%, Gold 180 days 10% and Platinum 365 days 12% (see [`default_tiers`]),
//! set in genesis and editable by the admin origin.
//!
//! - [`Pallet::stake`] opens a **position**: the ECT stays in the owner's
//!   account, held under [`HoldReason::Staked`], and the owner is credited the
//!   same amount of EST. EST is a non-transferable receipt: an account's EST
//!   balance is the sum of its active positions.
//! - [`Pallet::unstake`] closes a position and releases its ECT. At or after
//!   maturity (`start + duration`) it also pays the reward
//!   `amount * apy_bps * duration / (365 days * 10_000)`, minted through
//!   [`EctControl::mint_capped`]; before maturity the reward is forfeited.
//! - A position keeps the tier's terms from when it was opened: editing or
//!   removing a tier changes only new positions.
//! - If ECT's max supply leaves no room for a reward, the principal is still
//!   returned and the reward is recorded as unpaid (event
//!   [`Event::RewardDeferred`]); [`Pallet::claim_rewards`] mints it once there
//!   is room. Principal is never lost and a reward is never silently dropped.
//!
//! Times are Unix **seconds** (`T::Time`, i.e. `pallet-timestamp`); durations
//! are seconds (tiers state them in days). Closed positions stay readable by id
//! with `active = false`; only active ones count against
//! `MaxPositionsPerAccount`.
//!
//! Statistics: [`Holders`] counts the accounts with a non-zero EST balance,
//! [`TransactionCount`] the successful calls of this pallet.

pub use pallet::*;

mod types;
pub mod weights;

pub use types::{default_tiers, EstInfo, PendingRewards, Position, PositionId, PositionReward, Tier, TierId, TierInfo};
pub use weights::WeightInfo;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// Token name.
pub const NAME: &str = "EcoStake";
/// Token symbol.
pub const SYMBOL: &str = "EST";
/// Token decimals (as ECT: EST is credited 1:1).
pub const DECIMALS: u8 = 18;
/// Highest APY a tier may have: 100%.
pub const MAX_APY_BPS: u32 = 10_000;

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use ecochain_primitives::{Balance, EctControl};
    use frame_support::{
        pallet_prelude::*,
        storage::with_storage_layer,
        traits::{
            fungible::{InspectHold, Mutate, MutateHold},
            tokens::Precision,
            UnixTime,
        },
    };
    use frame_system::pallet_prelude::*;
    use sp_runtime::traits::Zero;

    /// A tier as stored.
    pub type TierOf<T> = Tier<BoundedVec<u8, <T as Config>::MaxNameLen>>;
    /// A position as stored.
    pub type PositionOf<T> = Position<<T as frame_system::Config>::AccountId>;

    #[pallet::pallet]
    pub struct Pallet<T>(_);

    /// Configuration of the EST pallet.
    #[pallet::config]
    pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
        /// The native currency (`pallet-balances`): staked ECT is held in it.
        type Currency: Mutate<Self::AccountId, Balance = Balance>
            + MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
        /// The runtime's hold reasons, which include this pallet's.
        type RuntimeHoldReason: From<HoldReason>;
        /// Origin allowed to set and remove tiers.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// Wall-clock time (`pallet-timestamp`).
        type Time: UnixTime;
        /// ECT's pause flag and capped minting (`pallet-ect`).
        type Ect: EctControl<Self::AccountId>;
        /// Weights of this pallet's calls.
        type WeightInfo: WeightInfo;
        /// Most tiers that may exist at once.
        #[pallet::constant]
        type MaxTiers: Get<u32>;
        /// Longest tier name, in bytes.
        #[pallet::constant]
        type MaxNameLen: Get<u32>;
        /// Most active positions one account may hold.
        #[pallet::constant]
        type MaxPositionsPerAccount: Get<u32>;
    }

    /// Why this pallet holds ECT in an account.
    #[pallet::composite_enum]
    pub enum HoldReason {
        /// ECT locked in EST positions.
        #[codec(index = 0)]
        Staked,
    }

    /// Staking tiers by id.
    #[pallet::storage]
    pub type Tiers<T: Config> = CountedStorageMap<_, Twox64Concat, TierId, TierOf<T>>;

    /// Every position ever opened, by id (closed ones with `active = false`).
    #[pallet::storage]
    pub type Positions<T: Config> = StorageMap<_, Twox64Concat, PositionId, PositionOf<T>>;

    /// Id of the last position opened (0 before the first); ids start at 1.
    #[pallet::storage]
    pub type LastPositionId<T> = StorageValue<_, PositionId, ValueQuery>;

    /// Ids of each account's active positions, oldest first.
    #[pallet::storage]
    pub type AccountPositions<T: Config> =
        StorageMap<_, Blake2_128Concat, T::AccountId, BoundedVec<PositionId, T::MaxPositionsPerAccount>, ValueQuery>;

    /// EST balance of each account: the sum of its active positions' amounts.
    #[pallet::storage]
    pub type EstBalances<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Balance, ValueQuery>;

    /// ECT locked in all active positions (= EST total supply).
    #[pallet::storage]
    pub type TotalStaked<T> = StorageValue<_, Balance, ValueQuery>;

    /// Matured rewards that could not be minted (ECT max supply reached), per account.
    #[pallet::storage]
    pub type UnpaidRewards<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Balance, ValueQuery>;

    /// Number of accounts with a non-zero EST balance.
    #[pallet::storage]
    pub type Holders<T> = StorageValue<_, u64, ValueQuery>;

    /// Number of successful calls of this pallet.
    #[pallet::storage]
    pub type TransactionCount<T> = StorageValue<_, u64, ValueQuery>;

    /// Genesis configuration of EST: the tiers.
    #[pallet::genesis_config]
    pub struct GenesisConfig<T: Config> {
        /// Initial tiers; must be non-empty, ids unique, names non-empty and
        /// within `MaxNameLen`, durations > 0 days, APYs <= 10,000 bps.
        pub tiers: Vec<TierInfo>,
        #[serde(skip)]
        #[doc(hidden)]
        pub _config: core::marker::PhantomData<T>,
    }

    impl<T: Config> Default for GenesisConfig<T> {
        fn default() -> Self {
            Self { tiers: default_tiers(), _config: Default::default() }
        }
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            assert!(!self.tiers.is_empty(), "EST genesis: no staking tiers");
            assert!(
                self.tiers.len() <= T::MaxTiers::get() as usize,
                "EST genesis: {} tiers, above MaxTiers {}",
                self.tiers.len(),
                T::MaxTiers::get()
            );
            for tier in &self.tiers {
                assert!(!Tiers::<T>::contains_key(tier.id), "EST genesis: tier id {} appears twice", tier.id);
                assert!(!tier.name.is_empty(), "EST genesis: tier {} has an empty name", tier.id);
                let name: BoundedVec<u8, T::MaxNameLen> = tier
                    .name
                    .clone()
                    .try_into()
                    .unwrap_or_else(|_| panic!("EST genesis: tier {} name is longer than MaxNameLen", tier.id));
                assert!(tier.duration_days > 0, "EST genesis: tier {} has a zero duration", tier.id);
                assert!(
                    tier.apy_bps <= MAX_APY_BPS,
                    "EST genesis: tier {} apy_bps {} is above the maximum {MAX_APY_BPS}",
                    tier.id,
                    tier.apy_bps
                );
                Tiers::<T>::insert(
                    tier.id,
                    Tier {
                        name,
                        duration_days: tier.duration_days,
                        apy_bps: tier.apy_bps,
                        min_amount: tier.min_amount,
                    },
                );
            }
        }
    }

    /// Events of the EST pallet.
    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// An account locked ECT in a new position and was credited as much EST.
        Staked {
            /// Owner of the position.
            who: T::AccountId,
            /// New position id.
            position: PositionId,
            /// Tier of the position.
            tier: TierId,
            /// ECT units locked (= EST credited).
            amount: Balance,
        },
        /// A position was closed: its ECT released and its EST debited.
        Unstaked {
            /// Owner of the position.
            who: T::AccountId,
            /// Closed position id.
            position: PositionId,
            /// ECT units released.
            principal: Balance,
            /// ECT units minted as reward now (0 when early, or when deferred,
            /// see [`Event::RewardDeferred`]).
            reward: Balance,
            /// Unstaked before maturity: the reward was forfeited.
            early: bool,
        },
        /// A matured reward could not be minted (ECT max supply) and was recorded as unpaid.
        RewardDeferred {
            /// Owner of the position.
            who: T::AccountId,
            /// Closed position id.
            position: PositionId,
            /// ECT units owed, claimable with `claim_rewards`.
            amount: Balance,
        },
        /// Unpaid rewards were minted.
        RewardsClaimed {
            /// Recipient.
            who: T::AccountId,
            /// ECT units minted.
            amount: Balance,
        },
        /// A tier was created or its terms changed (for new positions only).
        TierSet {
            /// Tier id.
            tier: TierId,
            /// Display name.
            name: BoundedVec<u8, T::MaxNameLen>,
            /// Lock period in days.
            duration_days: u32,
            /// APY in basis points.
            apy_bps: u32,
            /// Smallest amount a position may lock.
            min_amount: Balance,
        },
        /// A tier was removed; its open positions keep their terms.
        TierRemoved {
            /// Tier id.
            tier: TierId,
        },
    }

    /// Errors of the EST pallet.
    #[pallet::error]
    pub enum Error<T> {
        /// The amount is zero.
        ZeroAmount,
        /// No tier has this id.
        TierNotFound,
        /// The amount is below the tier's minimum.
        BelowTierMinimum,
        /// The account does not hold enough free ECT (the existential deposit stays free).
        InsufficientBalance,
        /// The account already holds `MaxPositionsPerAccount` active positions.
        TooManyPositions,
        /// No position has this id.
        PositionNotFound,
        /// The caller does not own the position.
        NotPositionOwner,
        /// The position was already unstaked.
        PositionClosed,
        /// `MaxTiers` tiers already exist.
        TooManyTiers,
        /// The tier name is empty.
        EmptyTierName,
        /// The tier duration is zero days.
        ZeroDuration,
        /// The APY is above 10,000 basis points.
        ApyTooHigh,
        /// The account has no unpaid rewards.
        NoUnpaidRewards,
        /// An arithmetic overflow was prevented.
        Overflow,
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Lock `amount` of the caller's free ECT in a new position of `tier`,
        /// on the tier's current terms, and credit as much EST.
        ///
        /// Origin: signed. Emits [`Event::Staked`]. Fails while ECT is paused,
        /// below the tier's minimum, or past `MaxPositionsPerAccount`.
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::stake())]
        pub fn stake(origin: OriginFor<T>, tier: TierId, amount: Balance) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_stake(&who, tier, amount)?;
            Self::note_transaction();
            Ok(())
        }

        /// Close one of the caller's positions: release its ECT and debit its
        /// EST. At or after maturity the reward is minted too; before, it is
        /// forfeited. If the max supply leaves no room for the reward, the
        /// principal is released anyway and the reward recorded as unpaid.
        ///
        /// Origin: signed (the owner). Emits [`Event::Unstaked`], and
        /// [`Event::RewardDeferred`] when the reward is deferred. Fails while
        /// ECT is paused.
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::unstake())]
        pub fn unstake(origin: OriginFor<T>, position: PositionId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_unstake(&who, position)?;
            Self::note_transaction();
            Ok(())
        }

        /// Mint the caller's unpaid rewards (deferred by the max supply).
        ///
        /// Origin: signed. Emits [`Event::RewardsClaimed`]. Fails whole while
        /// there is still no room under the max supply.
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::claim_rewards())]
        pub fn claim_rewards(origin: OriginFor<T>) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_claim_rewards(&who)?;
            Self::note_transaction();
            Ok(())
        }

        /// Create tier `tier` or replace its terms. Open positions keep theirs.
        ///
        /// Origin: admin. Emits [`Event::TierSet`].
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::set_tier())]
        pub fn set_tier(
            origin: OriginFor<T>,
            tier: TierId,
            name: BoundedVec<u8, T::MaxNameLen>,
            duration_days: u32,
            apy_bps: u32,
            min_amount: Balance,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::do_set_tier(tier, Tier { name, duration_days, apy_bps, min_amount })?;
            Self::note_transaction();
            Ok(())
        }

        /// Remove tier `tier`: no new position may open in it. Open positions
        /// keep their terms. Removing every tier closes staking.
        ///
        /// Origin: admin. Emits [`Event::TierRemoved`].
        #[pallet::call_index(4)]
        #[pallet::weight(T::WeightInfo::remove_tier())]
        pub fn remove_tier(origin: OriginFor<T>, tier: TierId) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(Tiers::<T>::contains_key(tier), Error::<T>::TierNotFound);
            Tiers::<T>::remove(tier);
            Self::deposit_event(Event::TierRemoved { tier });
            Self::note_transaction();
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        fn now_secs() -> u64 {
            T::Time::now().as_secs()
        }

        /// Open a position of `amount` ECT in `tier` for `who`; returns its id.
        pub fn do_stake(who: &T::AccountId, tier_id: TierId, amount: Balance) -> Result<PositionId, DispatchError> {
            T::Ect::ensure_transferable()?;
            ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
            let tier = Tiers::<T>::get(tier_id).ok_or(Error::<T>::TierNotFound)?;
            ensure!(amount >= tier.min_amount, Error::<T>::BelowTierMinimum);

            let id = LastPositionId::<T>::get().checked_add(1).ok_or(Error::<T>::Overflow)?;
            let est = EstBalances::<T>::get(who).checked_add(amount).ok_or(Error::<T>::Overflow)?;
            let total = TotalStaked::<T>::get().checked_add(amount).ok_or(Error::<T>::Overflow)?;
            let mut ids = AccountPositions::<T>::get(who);
            ids.try_push(id).map_err(|_| Error::<T>::TooManyPositions)?;

            T::Currency::hold(&HoldReason::Staked.into(), who, amount).map_err(|_| Error::<T>::InsufficientBalance)?;

            let position = Position {
                id,
                owner: who.clone(),
                tier: tier_id,
                amount,
                start: Self::now_secs(),
                duration: tier.duration_secs(),
                apy_bps: tier.apy_bps,
                active: true,
            };
            Positions::<T>::insert(id, position);
            LastPositionId::<T>::put(id);
            AccountPositions::<T>::insert(who, ids);
            if !EstBalances::<T>::contains_key(who) {
                Holders::<T>::mutate(|n| *n = n.saturating_add(1));
            }
            EstBalances::<T>::insert(who, est);
            TotalStaked::<T>::put(total);
            Self::deposit_event(Event::Staked { who: who.clone(), position: id, tier: tier_id, amount });
            Ok(id)
        }

        /// Close position `id` of `who`, paying the reward if it has matured.
        pub fn do_unstake(who: &T::AccountId, id: PositionId) -> DispatchResult {
            T::Ect::ensure_transferable()?;
            let mut position = Positions::<T>::get(id).ok_or(Error::<T>::PositionNotFound)?;
            ensure!(position.owner == *who, Error::<T>::NotPositionOwner);
            ensure!(position.active, Error::<T>::PositionClosed);
            let principal = position.amount;
            let early = Self::now_secs() < position.matures_at();
            let earned = if early { 0 } else { position.reward_at_maturity() };

            T::Currency::release(&HoldReason::Staked.into(), who, principal, Precision::Exact)?;

            let mut ids = AccountPositions::<T>::get(who);
            ids.retain(|p| *p != id);
            if ids.is_empty() {
                AccountPositions::<T>::remove(who);
            } else {
                AccountPositions::<T>::insert(who, ids);
            }
            let est = EstBalances::<T>::get(who).saturating_sub(principal);
            if est.is_zero() {
                EstBalances::<T>::remove(who);
                Holders::<T>::mutate(|n| *n = n.saturating_sub(1));
            } else {
                EstBalances::<T>::insert(who, est);
            }
            TotalStaked::<T>::mutate(|t| *t = t.saturating_sub(principal));
            position.active = false;
            Positions::<T>::insert(id, position);

            // The principal is out whatever happens to the reward: a failed mint
            // (max supply) rolls back only its own changes and is recorded as owed.
            let mut reward = 0;
            let mut deferred = 0;
            if !earned.is_zero() {
                match with_storage_layer(|| T::Ect::mint_capped(who, earned)) {
                    Ok(()) => reward = earned,
                    Err(_) => {
                        UnpaidRewards::<T>::try_mutate(who, |owed| -> DispatchResult {
                            *owed = owed.checked_add(earned).ok_or(Error::<T>::Overflow)?;
                            Ok(())
                        })?;
                        deferred = earned;
                    }
                }
            }
            Self::deposit_event(Event::Unstaked { who: who.clone(), position: id, principal, reward, early });
            if !deferred.is_zero() {
                Self::deposit_event(Event::RewardDeferred { who: who.clone(), position: id, amount: deferred });
            }
            Ok(())
        }

        /// Mint the unpaid rewards of `who`, all or nothing.
        pub fn do_claim_rewards(who: &T::AccountId) -> DispatchResult {
            T::Ect::ensure_transferable()?;
            let amount = UnpaidRewards::<T>::get(who);
            ensure!(!amount.is_zero(), Error::<T>::NoUnpaidRewards);
            T::Ect::mint_capped(who, amount)?;
            UnpaidRewards::<T>::remove(who);
            Self::deposit_event(Event::RewardsClaimed { who: who.clone(), amount });
            Ok(())
        }

        /// Validate and store tier `id`.
        pub fn do_set_tier(id: TierId, tier: TierOf<T>) -> DispatchResult {
            ensure!(!tier.name.is_empty(), Error::<T>::EmptyTierName);
            ensure!(tier.duration_days > 0, Error::<T>::ZeroDuration);
            ensure!(tier.apy_bps <= MAX_APY_BPS, Error::<T>::ApyTooHigh);
            ensure!(Tiers::<T>::contains_key(id) || Tiers::<T>::count() < T::MaxTiers::get(), Error::<T>::TooManyTiers);
            Self::deposit_event(Event::TierSet {
                tier: id,
                name: tier.name.clone(),
                duration_days: tier.duration_days,
                apy_bps: tier.apy_bps,
                min_amount: tier.min_amount,
            });
            Tiers::<T>::insert(id, tier);
            Ok(())
        }

        /// Count one successful call in [`TransactionCount`].
        fn note_transaction() {
            TransactionCount::<T>::mutate(|n| *n = n.saturating_add(1));
        }

        /// Number of accounts with a non-zero EST balance.
        pub fn holders() -> u64 {
            Holders::<T>::get()
        }

        /// Number of successful calls of this pallet.
        pub fn transactions() -> u64 {
            TransactionCount::<T>::get()
        }

        /// Active positions of `who`, oldest first.
        pub fn positions(who: &T::AccountId) -> Vec<PositionOf<T>> {
            AccountPositions::<T>::get(who).into_iter().filter_map(Positions::<T>::get).collect()
        }

        /// Position `id`, active or closed.
        pub fn position(id: PositionId) -> Option<PositionOf<T>> {
            Positions::<T>::get(id)
        }

        /// Rewards of `who`: each active position's reward if held to maturity
        /// (nothing accrues pro rata: an early unstake forfeits it), the part
        /// already matured, and rewards deferred by the max supply.
        pub fn pending_rewards(who: &T::AccountId) -> PendingRewards {
            let now = Self::now_secs();
            let mut pending = PendingRewards { unpaid: UnpaidRewards::<T>::get(who), ..Default::default() };
            for position in Self::positions(who) {
                let reward = position.reward_at_maturity();
                let matures_at = position.matures_at();
                let matured = now >= matures_at;
                pending.at_maturity = pending.at_maturity.saturating_add(reward);
                if matured {
                    pending.matured = pending.matured.saturating_add(reward);
                }
                pending.positions.push(PositionReward { position: position.id, reward, matures_at, matured });
            }
            pending
        }

        /// All tiers, by id.
        pub fn tiers() -> Vec<TierInfo> {
            let mut tiers: Vec<TierInfo> = Tiers::<T>::iter()
                .map(|(id, t)| TierInfo {
                    id,
                    name: t.name.into_inner(),
                    duration_days: t.duration_days,
                    apy_bps: t.apy_bps,
                    min_amount: t.min_amount,
                })
                .collect();
            tiers.sort_by_key(|t| t.id);
            tiers
        }

        /// EST balance of `who`: the ECT locked in its active positions.
        pub fn est_balance(who: &T::AccountId) -> Balance {
            EstBalances::<T>::get(who)
        }

        /// ECT locked in all active positions (= EST total supply).
        pub fn total_staked() -> Balance {
            TotalStaked::<T>::get()
        }

        /// Token-level figures of EST.
        pub fn info() -> EstInfo {
            EstInfo {
                name: NAME.as_bytes().to_vec(),
                symbol: SYMBOL.as_bytes().to_vec(),
                decimals: DECIMALS,
                total_supply: TotalStaked::<T>::get(),
                tiers: Tiers::<T>::count(),
            }
        }

        /// The pallet's invariants: for every account, the amounts of its
        /// active positions sum to its EST balance and to its ECT held under
        /// [`HoldReason::Staked`]; the balances sum to [`TotalStaked`]; every
        /// active position is indexed under its owner exactly once; tiers are
        /// valid and within `MaxTiers`.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            let last_id = LastPositionId::<T>::get();
            let mut indexed: u64 = 0;
            let mut total: Balance = 0;
            for (who, ids) in AccountPositions::<T>::iter() {
                ensure!(!ids.is_empty(), "an empty position index is stored");
                let mut sum: Balance = 0;
                for (i, id) in ids.iter().enumerate() {
                    ensure!(!ids[..i].contains(id), "a position is indexed twice");
                    let p = Positions::<T>::get(id).ok_or("an indexed position does not exist")?;
                    ensure!(p.owner == who, "a position is indexed under another account");
                    ensure!(p.active, "a closed position is still indexed");
                    sum = sum.checked_add(p.amount).ok_or("position sum overflows")?;
                }
                indexed = indexed.saturating_add(ids.len() as u64);
                ensure!(sum == EstBalances::<T>::get(&who), "EST balance differs from the sum of active positions");
                let held = T::Currency::balance_on_hold(&HoldReason::Staked.into(), &who);
                ensure!(held == sum, "held ECT differs from the sum of active positions");
                total = total.checked_add(sum).ok_or("total overflows")?;
            }
            ensure!(
                EstBalances::<T>::iter_keys().count() as u64 == Holders::<T>::get(),
                "Holders differs from the accounts with an EST balance"
            );
            for (who, est) in EstBalances::<T>::iter() {
                ensure!(!est.is_zero(), "a zero EST balance is stored");
                ensure!(AccountPositions::<T>::contains_key(&who), "an EST balance without positions");
            }
            ensure!(total == TotalStaked::<T>::get(), "TotalStaked differs from the sum of EST balances");

            let mut active: u64 = 0;
            for (id, p) in Positions::<T>::iter() {
                ensure!(p.id == id && id > 0 && id <= last_id, "a position id is out of range or mismatched");
                if p.active {
                    active = active.saturating_add(1);
                }
            }
            ensure!(active == indexed, "active positions differ from the indexed ones");

            for (_, owed) in UnpaidRewards::<T>::iter() {
                ensure!(!owed.is_zero(), "a zero unpaid reward is stored");
            }

            let mut tiers: u32 = 0;
            for (_, tier) in Tiers::<T>::iter() {
                tiers = tiers.saturating_add(1);
                ensure!(!tier.name.is_empty(), "a tier has an empty name");
                ensure!(tier.duration_days > 0, "a tier has a zero duration");
                ensure!(tier.apy_bps <= MAX_APY_BPS, "a tier's APY is above the maximum");
            }
            ensure!(tiers == Tiers::<T>::count(), "tier counter differs from the tiers");
            ensure!(tiers <= T::MaxTiers::get(), "more tiers than MaxTiers");
            Ok(())
        }
    }
}
