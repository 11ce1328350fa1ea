//! # ECT — EcoToken
//!
//! ECT is the chain's native currency. Balances live in `pallet-balances` (so
//! wallets see ECT as the native balance); this pallet adds what the seeds'
//! `EcoToken` contract promised on top:
//!
//! - a **max supply** (1,000,000,000 ECT by default): every mint on the chain —
//!   admin mints, staking rewards of this pallet and of EST — goes through
//!   [`Pallet::mint_capped`] and fails whole past the cap;
//! - **pause / unpause** by the admin origin: while paused no ECT moves (the
//!   runtime also filters `pallet-balances` transfers, and other pallets ask
//!   [`EctControl::ensure_transferable`] before moving ECT);
//! - ERC-20 style **allowances** (`approve` / `transfer_from`) and `burn`;
//! - **simple staking** at an APY (500 bps by default): staked ECT is held in
//!   the owner's account under [`HoldReason::Staked`]; rewards accrue per
//!   second as `staked * apy_bps * seconds / (365 days * 10_000)` and adding
//!   stake first settles what accrued so far.
//!
//! ## Rewards accrue at the APY in force at each moment
//!
//! A global **reward index** ([`RewardIndex`]) sums `apy_bps * seconds` over
//! time: every interval counted at the APY in force during it. It is brought
//! up to date (O(1)) before every APY change and every stake change, and each
//! stake remembers the index at which it was last settled, so its reward is
//! `staked * (index_now - index_then) / (365 days * 10_000)`. Changing the APY
//! therefore only affects time after the change; nobody needs to be settled.
//!
//! ## Statistics
//!
//! [`Holders`] counts the accounts holding ECT (accounts that exist in
//! `pallet-balances`): the runtime wires `frame_system::Config::OnNewAccount`
//! and `OnKilledAccount` to this pallet. [`TransactionCount`] counts the
//! successful calls of this pallet.

pub use pallet::*;

mod types;
pub mod weights;

pub use types::{EctBalance, StakeInfo, TokenInfo};
pub use weights::WeightInfo;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// Token name.
pub const NAME: &str = "EcoToken";
/// Token symbol.
pub const SYMBOL: &str = "ECT";
/// Token decimals.
pub const DECIMALS: u8 = 18;
/// Default max supply: 1,000,000,000 ECT.
pub const DEFAULT_MAX_SUPPLY: ecochain_primitives::Balance = 1_000_000_000 * ecochain_primitives::ECT;
/// Default staking APY: 5%.
pub const DEFAULT_APY_BPS: u32 = 500;
/// Highest APY the admin may set: 100%.
pub const MAX_APY_BPS: u32 = 10_000;

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use ecochain_primitives::{Balance, EctControl, BPS_DENOMINATOR, SECONDS_PER_YEAR};
    use frame_support::{
        pallet_prelude::*,
        traits::{
            fungible::{Inspect, InspectHold, Mutate, MutateHold},
            tokens::{Fortitude, Precision, Preservation},
            UnixTime,
        },
    };
    use frame_system::pallet_prelude::*;
    use sp_runtime::{helpers_128bit::multiply_by_rational_with_rounding, traits::Zero, Rounding};

    #[pallet::pallet]
    pub struct Pallet<T>(_);

    /// Configuration of the ECT pallet.
    #[pallet::config]
    pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
        /// The native currency (`pallet-balances`).
        type Currency: Mutate<Self::AccountId, Balance = Balance>
            + MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
        /// The runtime's hold reasons, which include this pallet's.
        type RuntimeHoldReason: From<HoldReason>;
        /// Origin allowed to mint, pause and change the APY.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// Wall-clock time (`pallet-timestamp`).
        type Time: UnixTime;
        /// Weights of this pallet's calls.
        type WeightInfo: WeightInfo;
    }

    /// Why this pallet holds ECT in an account.
    #[pallet::composite_enum]
    pub enum HoldReason {
        /// ECT staked with [`Pallet::stake`].
        #[codec(index = 0)]
        Staked,
    }

    /// The cap on total issuance.
    #[pallet::storage]
    pub type MaxSupply<T> = StorageValue<_, Balance, ValueQuery>;

    /// Whether ECT movements are paused.
    #[pallet::storage]
    pub type Paused<T> = StorageValue<_, bool, ValueQuery>;

    /// Staking APY in basis points.
    #[pallet::storage]
    pub type ApyBps<T> = StorageValue<_, u32, ValueQuery>;

    /// Allowances: (owner, spender) -> amount the spender may move.
    #[pallet::storage]
    pub type Allowances<T: Config> =
        StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Blake2_128Concat, T::AccountId, Balance, ValueQuery>;

    /// Stake of each staker.
    #[pallet::storage]
    pub type Stakes<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, StakeInfo>;

    /// Sum of all stakes.
    #[pallet::storage]
    pub type TotalStaked<T> = StorageValue<_, Balance, ValueQuery>;

    /// Reward index: the sum over time of `apy_bps * seconds`, each interval at
    /// the APY in force during it, up to [`RewardIndexUpdatedAt`]. A stake
    /// earns `amount * (index now - its index) / (365 days * 10_000)`.
    #[pallet::storage]
    pub type RewardIndex<T> = StorageValue<_, u128, ValueQuery>;

    /// Unix seconds up to which [`RewardIndex`] is computed.
    #[pallet::storage]
    pub type RewardIndexUpdatedAt<T> = StorageValue<_, u64, ValueQuery>;

    /// Number of accounts holding ECT (existing in `pallet-balances`), kept by
    /// the `OnNewAccount` / `OnKilledAccount` hooks.
    #[pallet::storage]
    pub type Holders<T> = StorageValue<_, u64, ValueQuery>;

    /// Number of successful calls of this pallet.
    #[pallet::storage]
    pub type TransactionCount<T> = StorageValue<_, u64, ValueQuery>;

    /// Genesis configuration of ECT. Balances themselves come from `pallet-balances`.
    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// Cap on total issuance (0 means the default, 1,000,000,000 ECT).
        pub max_supply: Balance,
        /// Staking APY in basis points.
        pub apy_bps: u32,
        /// Start paused.
        pub paused: bool,
        #[serde(skip)]
        #[doc(hidden)]
        pub _config: core::marker::PhantomData<T>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            let max = if self.max_supply.is_zero() { DEFAULT_MAX_SUPPLY } else { self.max_supply };
            let issued = T::Currency::total_issuance();
            assert!(
                issued <= max,
                "ECT genesis: genesis balances total {issued} units, above the max supply of {max} units"
            );
            assert!(
                self.apy_bps <= MAX_APY_BPS,
                "ECT genesis: apy_bps {} is above the maximum {MAX_APY_BPS}",
                self.apy_bps
            );
            MaxSupply::<T>::put(max);
            ApyBps::<T>::put(self.apy_bps);
            Paused::<T>::put(self.paused);
        }
    }

    /// Events of the ECT pallet.
    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// ECT moved between accounts.
        Transferred {
            /// Sender.
            from: T::AccountId,
            /// Recipient.
            to: T::AccountId,
            /// ECT units moved.
            amount: Balance,
        },
        /// An owner set a spender's allowance.
        Approved {
            /// Account whose ECT may be spent.
            owner: T::AccountId,
            /// Account allowed to spend.
            spender: T::AccountId,
            /// New allowance.
            amount: Balance,
        },
        /// ECT was destroyed by its owner.
        Burned {
            /// Former holder.
            who: T::AccountId,
            /// ECT units destroyed.
            amount: Balance,
        },
        /// New ECT was created.
        Minted {
            /// Recipient.
            to: T::AccountId,
            /// ECT units created.
            amount: Balance,
        },
        /// ECT movements were paused.
        Paused,
        /// ECT movements were resumed.
        Unpaused,
        /// An account staked ECT.
        Staked {
            /// Staker.
            who: T::AccountId,
            /// ECT units added to the stake.
            amount: Balance,
        },
        /// An account withdrew staked ECT.
        Unstaked {
            /// Staker.
            who: T::AccountId,
            /// ECT units released.
            amount: Balance,
        },
        /// Staking rewards were minted to an account.
        RewardsClaimed {
            /// Staker.
            who: T::AccountId,
            /// ECT units minted as reward.
            amount: Balance,
        },
        /// The staking APY changed.
        ApyChanged {
            /// New APY in basis points.
            apy_bps: u32,
        },
    }

    /// Errors of the ECT pallet.
    #[pallet::error]
    pub enum Error<T> {
        /// ECT is paused: no ECT may move.
        TokenPaused,
        /// ECT is already paused.
        AlreadyPaused,
        /// ECT is not paused.
        NotPaused,
        /// The amount is zero.
        ZeroAmount,
        /// The account does not hold enough free ECT.
        InsufficientBalance,
        /// The spender's allowance is smaller than the amount.
        InsufficientAllowance,
        /// Minting would take the total issuance past the max supply.
        MaxSupplyExceeded,
        /// The account has staked less than the amount.
        InsufficientStake,
        /// No staking rewards are pending.
        NoRewards,
        /// The APY is above 10,000 basis points.
        ApyTooHigh,
        /// An arithmetic overflow was prevented.
        Overflow,
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Move `amount` ECT from the caller to `to`.
        ///
        /// Origin: signed. Emits [`Event::Transferred`]. Fails with
        /// [`Error::TokenPaused`] while paused.
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::transfer())]
        pub fn transfer(origin: OriginFor<T>, to: T::AccountId, amount: Balance) -> DispatchResult {
            let from = ensure_signed(origin)?;
            Self::do_transfer(&from, &to, amount)?;
            Self::note_transaction();
            Ok(())
        }

        /// Allow `spender` to move up to `amount` of the caller's ECT (replaces the previous allowance).
        ///
        /// Origin: signed. Emits [`Event::Approved`].
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::approve())]
        pub fn approve(origin: OriginFor<T>, spender: T::AccountId, amount: Balance) -> DispatchResult {
            let owner = ensure_signed(origin)?;
            if amount.is_zero() {
                Allowances::<T>::remove(&owner, &spender);
            } else {
                Allowances::<T>::insert(&owner, &spender, amount);
            }
            Self::deposit_event(Event::Approved { owner, spender, amount });
            Self::note_transaction();
            Ok(())
        }

        /// Move `amount` ECT from `owner` to `to` out of the caller's allowance.
        ///
        /// Origin: signed (the spender). Emits [`Event::Transferred`]. Fails
        /// with [`Error::TokenPaused`] while paused.
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::transfer_from())]
        pub fn transfer_from(
            origin: OriginFor<T>,
            owner: T::AccountId,
            to: T::AccountId,
            amount: Balance,
        ) -> DispatchResult {
            let spender = ensure_signed(origin)?;
            Self::ensure_not_paused()?;
            let allowed = Allowances::<T>::get(&owner, &spender);
            let left = allowed.checked_sub(amount).ok_or(Error::<T>::InsufficientAllowance)?;
            Self::do_transfer(&owner, &to, amount)?;
            if left.is_zero() {
                Allowances::<T>::remove(&owner, &spender);
            } else {
                Allowances::<T>::insert(&owner, &spender, left);
            }
            Self::note_transaction();
            Ok(())
        }

        /// Destroy `amount` of the caller's free ECT.
        ///
        /// Origin: signed. Emits [`Event::Burned`]. Fails with
        /// [`Error::TokenPaused`] while paused.
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::burn())]
        pub fn burn(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::ensure_not_paused()?;
            ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
            T::Currency::burn_from(&who, amount, Preservation::Expendable, Precision::Exact, Fortitude::Polite)
                .map_err(|_| Error::<T>::InsufficientBalance)?;
            Self::deposit_event(Event::Burned { who, amount });
            Self::note_transaction();
            Ok(())
        }

        /// Create `amount` new ECT for `to`, never past the max supply.
        ///
        /// Origin: admin. Emits [`Event::Minted`].
        #[pallet::call_index(4)]
        #[pallet::weight(T::WeightInfo::mint())]
        pub fn mint(origin: OriginFor<T>, to: T::AccountId, amount: Balance) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
            Self::do_mint(&to, amount)?;
            Self::note_transaction();
            Ok(())
        }

        /// Stop every ECT movement.
        ///
        /// Origin: admin. Emits [`Event::Paused`].
        #[pallet::call_index(5)]
        #[pallet::weight(T::WeightInfo::pause())]
        pub fn pause(origin: OriginFor<T>) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(!Paused::<T>::get(), Error::<T>::AlreadyPaused);
            Paused::<T>::put(true);
            Self::deposit_event(Event::Paused);
            Self::note_transaction();
            Ok(())
        }

        /// Resume ECT movements.
        ///
        /// Origin: admin. Emits [`Event::Unpaused`].
        #[pallet::call_index(6)]
        #[pallet::weight(T::WeightInfo::pause())]
        pub fn unpause(origin: OriginFor<T>) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(Paused::<T>::get(), Error::<T>::NotPaused);
            Paused::<T>::put(false);
            Self::deposit_event(Event::Unpaused);
            Self::note_transaction();
            Ok(())
        }

        /// Stake `amount` of the caller's free ECT. Rewards accrued on an
        /// existing stake are settled first, so none are lost.
        ///
        /// Origin: signed. Emits [`Event::Staked`]. Fails with
        /// [`Error::TokenPaused`] while paused.
        #[pallet::call_index(7)]
        #[pallet::weight(T::WeightInfo::stake())]
        pub fn stake(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_stake(&who, amount)?;
            Self::note_transaction();
            Ok(())
        }

        /// Withdraw `amount` of the caller's stake back to free balance; rewards
        /// accrued so far stay claimable.
        ///
        /// Origin: signed. Emits [`Event::Unstaked`]. Fails with
        /// [`Error::TokenPaused`] while paused.
        #[pallet::call_index(8)]
        #[pallet::weight(T::WeightInfo::unstake())]
        pub fn unstake(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_unstake(&who, amount)?;
            Self::note_transaction();
            Ok(())
        }

        /// Mint the caller's pending staking rewards (within the max supply).
        ///
        /// Origin: signed. Emits [`Event::RewardsClaimed`]. Fails with
        /// [`Error::TokenPaused`] while paused.
        #[pallet::call_index(9)]
        #[pallet::weight(T::WeightInfo::claim_rewards())]
        pub fn claim_rewards(origin: OriginFor<T>) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_claim(&who)?;
            Self::note_transaction();
            Ok(())
        }

        /// Set the staking APY (basis points, at most 10,000) from now on. The
        /// reward index is first brought up to now at the old APY, so time
        /// before the change keeps the old rate for every stake.
        ///
        /// Origin: admin. Emits [`Event::ApyChanged`].
        #[pallet::call_index(10)]
        #[pallet::weight(T::WeightInfo::set_apy())]
        pub fn set_apy(origin: OriginFor<T>, apy_bps: u32) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(apy_bps <= MAX_APY_BPS, Error::<T>::ApyTooHigh);
            Self::update_index(Self::now_secs());
            ApyBps::<T>::put(apy_bps);
            Self::deposit_event(Event::ApyChanged { apy_bps });
            Self::note_transaction();
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        fn now_secs() -> u64 {
            T::Time::now().as_secs()
        }

        /// Fails with [`Error::TokenPaused`] while ECT is paused.
        pub fn ensure_not_paused() -> DispatchResult {
            ensure!(!Paused::<T>::get(), Error::<T>::TokenPaused);
            Ok(())
        }

        /// Transfer free ECT, keeping the sender's account alive.
        pub fn do_transfer(from: &T::AccountId, to: &T::AccountId, amount: Balance) -> DispatchResult {
            Self::ensure_not_paused()?;
            ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
            T::Currency::transfer(from, to, amount, Preservation::Expendable)
                .map_err(|_| Error::<T>::InsufficientBalance)?;
            Self::deposit_event(Event::Transferred { from: from.clone(), to: to.clone(), amount });
            Ok(())
        }

        /// Mint within the max supply; nothing is minted on error.
        pub fn do_mint(to: &T::AccountId, amount: Balance) -> DispatchResult {
            let issued = T::Currency::total_issuance();
            let after = issued.checked_add(amount).ok_or(Error::<T>::MaxSupplyExceeded)?;
            ensure!(after <= MaxSupply::<T>::get(), Error::<T>::MaxSupplyExceeded);
            T::Currency::mint_into(to, amount)?;
            Self::deposit_event(Event::Minted { to: to.clone(), amount });
            Ok(())
        }

        /// Count one successful call in [`TransactionCount`].
        fn note_transaction() {
            TransactionCount::<T>::mutate(|n| *n = n.saturating_add(1));
        }

        /// The reward index at `now`: the stored index plus the current APY
        /// over the seconds since it was last updated.
        fn index_at(now: u64) -> u128 {
            let elapsed = now.saturating_sub(RewardIndexUpdatedAt::<T>::get());
            RewardIndex::<T>::get().saturating_add(u128::from(ApyBps::<T>::get()) * u128::from(elapsed))
        }

        /// Store the reward index at `now` (before the APY or a stake changes).
        fn update_index(now: u64) -> u128 {
            let index = Self::index_at(now);
            RewardIndex::<T>::put(index);
            RewardIndexUpdatedAt::<T>::put(now.max(RewardIndexUpdatedAt::<T>::get()));
            index
        }

        /// Reward of `amount` staked while the index grew by `index_delta`
        /// (`apy_bps * seconds` summed): `amount * index_delta / (365 days * 10_000)`,
        /// rounded down, saturating.
        fn accrued(amount: Balance, index_delta: u128) -> Balance {
            let denominator = u128::from(SECONDS_PER_YEAR) * u128::from(BPS_DENOMINATOR);
            multiply_by_rational_with_rounding(amount, index_delta, denominator, Rounding::Down).unwrap_or(Balance::MAX)
        }

        /// Bring a stake's pending reward up to the reward index `index`.
        fn settle(stake: &mut StakeInfo, index: u128) {
            let delta = index.saturating_sub(stake.index);
            stake.pending = stake.pending.saturating_add(Self::accrued(stake.amount, delta));
            stake.index = index;
        }

        /// Hold `amount` as stake after settling the existing stake's reward.
        pub fn do_stake(who: &T::AccountId, amount: Balance) -> DispatchResult {
            Self::ensure_not_paused()?;
            ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
            let index = Self::update_index(Self::now_secs());
            let mut stake = Stakes::<T>::get(who).unwrap_or(StakeInfo { amount: 0, index, pending: 0 });
            Self::settle(&mut stake, index);
            stake.amount = stake.amount.checked_add(amount).ok_or(Error::<T>::Overflow)?;
            let total = TotalStaked::<T>::get().checked_add(amount).ok_or(Error::<T>::Overflow)?;
            T::Currency::hold(&HoldReason::Staked.into(), who, amount).map_err(|_| Error::<T>::InsufficientBalance)?;
            Stakes::<T>::insert(who, stake);
            TotalStaked::<T>::put(total);
            Self::deposit_event(Event::Staked { who: who.clone(), amount });
            Ok(())
        }

        /// Release `amount` of stake, keeping the accrued reward claimable.
        pub fn do_unstake(who: &T::AccountId, amount: Balance) -> DispatchResult {
            Self::ensure_not_paused()?;
            ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
            let mut stake = Stakes::<T>::get(who).ok_or(Error::<T>::InsufficientStake)?;
            ensure!(stake.amount >= amount, Error::<T>::InsufficientStake);
            Self::settle(&mut stake, Self::update_index(Self::now_secs()));
            T::Currency::release(&HoldReason::Staked.into(), who, amount, Precision::Exact)?;
            stake.amount -= amount;
            TotalStaked::<T>::mutate(|t| *t = t.saturating_sub(amount));
            Self::store_stake(who, stake);
            Self::deposit_event(Event::Unstaked { who: who.clone(), amount });
            Ok(())
        }

        /// Mint the pending reward of `who`.
        pub fn do_claim(who: &T::AccountId) -> DispatchResult {
            Self::ensure_not_paused()?;
            let mut stake = Stakes::<T>::get(who).ok_or(Error::<T>::NoRewards)?;
            Self::settle(&mut stake, Self::update_index(Self::now_secs()));
            let amount = stake.pending;
            ensure!(!amount.is_zero(), Error::<T>::NoRewards);
            Self::do_mint(who, amount)?;
            stake.pending = 0;
            Self::store_stake(who, stake);
            Self::deposit_event(Event::RewardsClaimed { who: who.clone(), amount });
            Ok(())
        }

        fn store_stake(who: &T::AccountId, stake: StakeInfo) {
            if stake.amount.is_zero() && stake.pending.is_zero() {
                Stakes::<T>::remove(who);
            } else {
                Stakes::<T>::insert(who, stake);
            }
        }

        /// Reward accrued by `who` and not yet claimed, as of now.
        pub fn pending_rewards(who: &T::AccountId) -> Balance {
            Stakes::<T>::get(who)
                .map(|mut s| {
                    Self::settle(&mut s, Self::index_at(Self::now_secs()));
                    s.pending
                })
                .unwrap_or(0)
        }

        /// Number of accounts holding ECT.
        pub fn holders() -> u64 {
            Holders::<T>::get()
        }

        /// Number of successful calls of this pallet.
        pub fn transactions() -> u64 {
            TransactionCount::<T>::get()
        }

        /// Token-level figures: name, symbol, decimals, supplies.
        pub fn info() -> TokenInfo {
            let total = T::Currency::total_issuance();
            let staked = TotalStaked::<T>::get();
            TokenInfo {
                name: NAME.as_bytes().to_vec(),
                symbol: SYMBOL.as_bytes().to_vec(),
                decimals: DECIMALS,
                total_supply: total,
                circulating_supply: total.saturating_sub(staked),
                max_supply: MaxSupply::<T>::get(),
                total_staked: staked,
                apy_bps: ApyBps::<T>::get(),
                paused: Paused::<T>::get(),
            }
        }

        /// Free, staked, other held balance and pending rewards of `who`.
        pub fn balance(who: &T::AccountId) -> EctBalance {
            let staked = Stakes::<T>::get(who).map(|s| s.amount).unwrap_or(0);
            let held = T::Currency::total_balance(who).saturating_sub(T::Currency::balance(who));
            EctBalance {
                free: T::Currency::balance(who),
                staked,
                other_held: held.saturating_sub(staked),
                pending_rewards: Self::pending_rewards(who),
            }
        }

        /// The pallet's invariants: stakes sum to [`TotalStaked`], each stake is
        /// held in its account and settled no further than [`RewardIndex`], and
        /// total issuance is within the max supply.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            let mut sum: Balance = 0;
            for (who, stake) in Stakes::<T>::iter() {
                sum = sum.checked_add(stake.amount).ok_or("stake sum overflows")?;
                let held = T::Currency::balance_on_hold(&HoldReason::Staked.into(), &who);
                ensure!(held == stake.amount, "stake differs from the held balance");
            }
            ensure!(sum == TotalStaked::<T>::get(), "TotalStaked differs from the sum of stakes");
            let index = RewardIndex::<T>::get();
            ensure!(Stakes::<T>::iter_values().all(|s| s.index <= index), "a stake is settled beyond the reward index");
            ensure!(T::Currency::total_issuance() <= MaxSupply::<T>::get(), "total issuance above the max supply");
            Ok(())
        }
    }

    impl<T: Config> EctControl<T::AccountId> for Pallet<T> {
        fn ensure_transferable() -> DispatchResult {
            Self::ensure_not_paused()
        }

        fn mint_capped(who: &T::AccountId, amount: Balance) -> DispatchResult {
            Self::do_mint(who, amount)
        }
    }

    /// Counts a new ECT holder (wired as `frame_system::Config::OnNewAccount`).
    impl<T: Config> frame_support::traits::OnNewAccount<T::AccountId> for Pallet<T> {
        fn on_new_account(_who: &T::AccountId) {
            Holders::<T>::mutate(|n| *n = n.saturating_add(1));
        }
    }

    /// Counts a holder gone (wired as `frame_system::Config::OnKilledAccount`).
    impl<T: Config> frame_support::traits::OnKilledAccount<T::AccountId> for Pallet<T> {
        fn on_killed_account(_who: &T::AccountId) {
            Holders::<T>::mutate(|n| *n = n.saturating_sub(1));
        }
    }
}
