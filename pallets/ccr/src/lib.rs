//! # CCR — CarbonCredit
//!
//! Verified carbon credits, kept in **batches**. A verifier (an account holding
//! [`Role::Verifier`](ecochain_primitives::Role::Verifier)) issues a batch for one
//! verification: the verification id can be used once, ever, so the same tonnes
//! are never issued twice. Credits are fungible within their batch; balances are
//! kept per (account, batch).
//!
//! - **transfer** moves credits of one batch between accounts;
//! - **retire** burns credits permanently and records who retired how many, on
//!   whose behalf and when (a [`Retirement`]) — the point of a carbon credit;
//! - a **marketplace**: `list` escrows credits in a listing at a price per credit
//!   in ECT base units, `cancel` returns what is left to the seller, and `buy`
//!   pays ECT (the native currency, through `T::Currency`, refused while ECT is
//!   paused) and receives credits in one atomic call; partial fills are allowed.
//!   A listing's price never changes and listing ids are never reused (a seller
//!   re-prices by cancelling and listing anew, under a new id), so a buyer
//!   naming a listing id always pays the price they saw.
//!
//! Credits expire: from a batch's `expiry_date` on (`now >= expiry_date`, Unix
//! milliseconds like `pallet-timestamp`) they can no longer be transferred,
//! listed, bought or retired. A seller can still cancel a listing of expired
//! credits to get them back.
//!
//! Invariant, for every batch: `issued == held + escrowed in open listings + retired`
//! (see [`Pallet::do_try_state`]).
//!
//! Statistics: [`Holders`] counts the accounts holding credits of at least
//! one batch (credits escrowed in a listing are the listing's, not the
//! seller's), [`TransactionCount`] the successful calls of this pallet.

pub use pallet::*;

mod types;
pub mod weights;

pub use types::{
    BatchBalance, BatchId, BatchInfo, BatchView, CcrBalance, CcrStats, GenesisBatch, Listing, ListingId, ListingView,
    Retirement, RetirementId, RetirementView,
};
pub use weights::WeightInfo;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use ecochain_primitives::{Balance, EctControl, Moment, Role, RoleProvider};
    use frame_support::{
        pallet_prelude::*,
        traits::{fungible::Mutate, tokens::Preservation, UnixTime},
    };
    use frame_system::pallet_prelude::*;
    use sp_runtime::traits::Zero;
    use std::collections::{BTreeMap, BTreeSet};

    #[pallet::pallet]
    pub struct Pallet<T>(_);

    /// Configuration of the CCR pallet.
    #[pallet::config]
    pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
        /// Who holds which role (verifiers issue batches).
        type Roles: RoleProvider<Self::AccountId>;
        /// Wall-clock time (`pallet-timestamp`); read in milliseconds.
        type Time: UnixTime;
        /// ECT, the native currency, in which listings are paid.
        type Currency: Mutate<Self::AccountId, Balance = Balance>;
        /// ECT controls: payments are refused while ECT is paused.
        type Ect: EctControl<Self::AccountId>;
        /// Weights of this pallet's calls.
        type WeightInfo: WeightInfo;
        /// Longest verification id, in bytes.
        #[pallet::constant]
        type MaxIdLen: Get<u32>;
        /// Longest retirement beneficiary, in bytes.
        #[pallet::constant]
        type MaxBeneficiaryLen: Get<u32>;
        /// Most listings open at once (keeps the marketplace query bounded).
        #[pallet::constant]
        type MaxListings: Get<u32>;
        /// Most listings one seller may have open: no single account can fill
        /// the marketplace (transactions pay no fee).
        #[pallet::constant]
        type MaxListingsPerSeller: Get<u32>;
    }

    /// A verification id, bounded.
    pub type VerificationIdOf<T> = BoundedVec<u8, <T as Config>::MaxIdLen>;
    /// A retirement beneficiary, bounded.
    pub type BeneficiaryOf<T> = BoundedVec<u8, <T as Config>::MaxBeneficiaryLen>;
    /// A stored batch.
    pub type BatchInfoOf<T> = BatchInfo<<T as frame_system::Config>::AccountId, VerificationIdOf<T>>;
    /// A stored retirement.
    pub type RetirementOf<T> = Retirement<<T as frame_system::Config>::AccountId, BeneficiaryOf<T>>;

    /// The highest batch id issued so far (0: none).
    #[pallet::storage]
    pub type LastBatchId<T> = StorageValue<_, BatchId, ValueQuery>;

    /// Batches by id.
    #[pallet::storage]
    pub type Batches<T: Config> = StorageMap<_, Twox64Concat, BatchId, BatchInfoOf<T>>;

    /// Verification ids ever issued, with the batch they created.
    #[pallet::storage]
    pub type VerificationIds<T: Config> = StorageMap<_, Blake2_128Concat, VerificationIdOf<T>, BatchId>;

    /// Credits held: (account, batch) -> amount. Zero entries are removed.
    #[pallet::storage]
    pub type Holdings<T: Config> =
        StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, BatchId, Balance, ValueQuery>;

    /// The highest listing id created so far (0: none).
    #[pallet::storage]
    pub type LastListingId<T> = StorageValue<_, ListingId, ValueQuery>;

    /// Open listings by id; a listing is removed when sold out or cancelled.
    #[pallet::storage]
    pub type Listings<T: Config> = StorageMap<_, Twox64Concat, ListingId, Listing<T::AccountId>>;

    /// Number of open listings.
    #[pallet::storage]
    pub type ListingCount<T> = StorageValue<_, u32, ValueQuery>;

    /// Number of open listings per seller (absent: none), within `MaxListingsPerSeller`.
    #[pallet::storage]
    pub type SellerListings<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

    /// The highest retirement id recorded so far (0: none).
    #[pallet::storage]
    pub type LastRetirementId<T> = StorageValue<_, RetirementId, ValueQuery>;

    /// Retirement records by id. Never removed.
    #[pallet::storage]
    pub type Retirements<T: Config> = StorageMap<_, Twox64Concat, RetirementId, RetirementOf<T>>;

    /// Index of retirements by the retiring account.
    #[pallet::storage]
    pub type AccountRetirements<T: Config> =
        StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, RetirementId, (), OptionQuery>;

    /// Credits issued over all batches.
    #[pallet::storage]
    pub type TotalIssued<T> = StorageValue<_, Balance, ValueQuery>;

    /// Credits retired over all batches.
    #[pallet::storage]
    pub type TotalRetired<T> = StorageValue<_, Balance, ValueQuery>;

    /// Number of batches each account holds credits of (its non-zero [`Holdings`]).
    #[pallet::storage]
    pub type HeldBatches<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

    /// Number of accounts holding credits of at least one batch.
    #[pallet::storage]
    pub type Holders<T> = StorageValue<_, u64, ValueQuery>;

    /// Number of successful calls of this pallet.
    #[pallet::storage]
    pub type TransactionCount<T> = StorageValue<_, u64, ValueQuery>;

    /// Genesis configuration of CCR: batches issued at genesis.
    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// Batches to create, ids 1, 2, ... in this order. Each needs a non-empty,
        /// unique verification id of at most `MaxIdLen` bytes, an amount above
        /// zero and an expiry after its issue date. Roles and the clock are not
        /// checked at genesis.
        pub batches: Vec<GenesisBatch<T::AccountId>>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            for (index, b) in self.batches.iter().enumerate() {
                assert!(!b.amount.is_zero(), "CCR genesis: batch #{index} has a zero amount");
                assert!(!b.verification_id.is_empty(), "CCR genesis: batch #{index} has an empty verification id");
                let id: VerificationIdOf<T> = b.verification_id.clone().try_into().unwrap_or_else(|_| {
                    panic!("CCR genesis: batch #{index} has a verification id longer than MaxIdLen")
                });
                assert!(
                    !VerificationIds::<T>::contains_key(&id),
                    "CCR genesis: batch #{index} repeats a verification id"
                );
                assert!(
                    b.expiry_date > b.issue_date,
                    "CCR genesis: batch #{index} expires ({}) at or before its issue date ({})",
                    b.expiry_date,
                    b.issue_date
                );
                if let Err(e) =
                    Pallet::<T>::insert_batch(&b.verifier, &b.owner, b.amount, id, b.issue_date, b.expiry_date)
                {
                    panic!("CCR genesis: batch #{index} cannot be stored: {e:?}");
                }
            }
        }
    }

    /// Events of the CCR pallet.
    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// A verifier issued a new batch of credits.
        Issued {
            /// The new batch.
            batch: BatchId,
            /// The verifier that issued it.
            verifier: T::AccountId,
            /// The account credited.
            to: T::AccountId,
            /// Credits issued.
            amount: Balance,
            /// The verification reference, now used.
            verification_id: VerificationIdOf<T>,
            /// When the credits expire (Unix milliseconds).
            expiry_date: Moment,
        },
        /// Credits moved between accounts.
        Transferred {
            /// The batch.
            batch: BatchId,
            /// Sender.
            from: T::AccountId,
            /// Recipient.
            to: T::AccountId,
            /// Credits moved.
            amount: Balance,
        },
        /// Credits were retired (burned) permanently.
        Retired {
            /// The retirement record.
            retirement: RetirementId,
            /// The batch.
            batch: BatchId,
            /// The account that retired them.
            who: T::AccountId,
            /// Credits retired.
            amount: Balance,
            /// On whose behalf.
            beneficiary: BeneficiaryOf<T>,
        },
        /// Credits were escrowed in a new listing.
        Listed {
            /// The new listing.
            listing: ListingId,
            /// The seller.
            seller: T::AccountId,
            /// The batch.
            batch: BatchId,
            /// Credits for sale.
            amount: Balance,
            /// Price per credit in ECT base units.
            price_per_unit: Balance,
        },
        /// A seller cancelled a listing and got the unsold credits back.
        ListingCancelled {
            /// The listing, now removed.
            listing: ListingId,
            /// The seller.
            seller: T::AccountId,
            /// The batch.
            batch: BatchId,
            /// Credits returned to the seller.
            amount: Balance,
        },
        /// Credits were bought from a listing.
        Sold {
            /// The listing.
            listing: ListingId,
            /// The seller, who received the ECT.
            seller: T::AccountId,
            /// The buyer, who received the credits.
            buyer: T::AccountId,
            /// The batch.
            batch: BatchId,
            /// Credits bought.
            amount: Balance,
            /// ECT base units paid in total.
            price: Balance,
        },
    }

    /// Errors of the CCR pallet.
    #[pallet::error]
    pub enum Error<T> {
        /// The caller does not hold the verifier role.
        NotVerifier,
        /// The amount is zero.
        ZeroAmount,
        /// The verification id is empty.
        EmptyVerificationId,
        /// The verification id was already issued.
        VerificationIdUsed,
        /// The expiry date is not after the issue date.
        ExpiryNotAfterIssue,
        /// The expiry date is not in the future.
        ExpiryInPast,
        /// No batch has this id.
        UnknownBatch,
        /// The batch's credits are expired.
        CreditExpired,
        /// The account holds fewer credits of the batch than the amount.
        InsufficientBalance,
        /// The price per credit is zero.
        ZeroPrice,
        /// The total price overflows.
        PriceOverflow,
        /// The marketplace holds the maximum number of open listings.
        TooManyListings,
        /// No open listing has this id.
        UnknownListing,
        /// Only the listing's seller may do this.
        NotSeller,
        /// A seller cannot buy from their own listing.
        OwnListing,
        /// The listing holds fewer credits than the amount.
        InsufficientListed,
        /// The buyer cannot pay the price in ECT.
        InsufficientFunds,
        /// An arithmetic overflow was prevented (ids or totals).
        Overflow,
        /// The seller already has `MaxListingsPerSeller` listings open.
        TooManyListingsOfSeller,
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Issue a new batch of `amount` credits to `to` for the verification
        /// `verification_id`, which can be issued only once. Dates are Unix
        /// milliseconds; `expiry_date` must be after `issue_date` and in the future.
        ///
        /// Origin: signed by a verifier. Emits [`Event::Issued`].
        /// Weight: [`WeightInfo::issue`].
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::issue())]
        pub fn issue(
            origin: OriginFor<T>,
            to: T::AccountId,
            amount: Balance,
            verification_id: VerificationIdOf<T>,
            issue_date: Moment,
            expiry_date: Moment,
        ) -> DispatchResult {
            let verifier = ensure_signed(origin)?;
            ensure!(T::Roles::has_role(&verifier, Role::Verifier), Error::<T>::NotVerifier);
            Self::do_issue(&verifier, &to, amount, verification_id, issue_date, expiry_date)?;
            Self::note_transaction();
            Ok(())
        }

        /// Move `amount` unexpired credits of `batch` from the caller to `to`.
        ///
        /// Origin: signed (the holder). Emits [`Event::Transferred`].
        /// Weight: [`WeightInfo::transfer`].
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::transfer())]
        pub fn transfer(origin: OriginFor<T>, to: T::AccountId, batch: BatchId, amount: Balance) -> DispatchResult {
            let from = ensure_signed(origin)?;
            Self::do_transfer(&from, &to, batch, amount)?;
            Self::note_transaction();
            Ok(())
        }

        /// Retire (burn) `amount` unexpired credits of `batch` on behalf of
        /// `beneficiary`, recording a [`Retirement`].
        ///
        /// Origin: signed (the holder). Emits [`Event::Retired`].
        /// Weight: [`WeightInfo::retire`].
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::retire())]
        pub fn retire(
            origin: OriginFor<T>,
            batch: BatchId,
            amount: Balance,
            beneficiary: BeneficiaryOf<T>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_retire(&who, batch, amount, beneficiary)?;
            Self::note_transaction();
            Ok(())
        }

        /// Escrow `amount` unexpired credits of `batch` in a new listing at
        /// `price_per_unit` ECT base units per credit.
        ///
        /// Origin: signed (the holder). Emits [`Event::Listed`].
        /// Weight: [`WeightInfo::list`].
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::list())]
        pub fn list(origin: OriginFor<T>, batch: BatchId, amount: Balance, price_per_unit: Balance) -> DispatchResult {
            let seller = ensure_signed(origin)?;
            Self::do_list(&seller, batch, amount, price_per_unit)?;
            Self::note_transaction();
            Ok(())
        }

        /// Close `listing` and return its unsold credits to the seller (also
        /// when they are expired).
        ///
        /// Origin: signed by the listing's seller. Emits [`Event::ListingCancelled`].
        /// Weight: [`WeightInfo::cancel`].
        #[pallet::call_index(4)]
        #[pallet::weight(T::WeightInfo::cancel())]
        pub fn cancel(origin: OriginFor<T>, listing: ListingId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_cancel(&who, listing)?;
            Self::note_transaction();
            Ok(())
        }

        /// Buy `amount` credits from `listing`, paying `amount * price_per_unit`
        /// ECT to the seller in the same call. Partial fills are allowed; the
        /// listing closes when empty. Refused while ECT is paused and for
        /// expired credits.
        ///
        /// Origin: signed (any account but the seller). Emits [`Event::Sold`].
        /// Weight: [`WeightInfo::buy`].
        #[pallet::call_index(5)]
        #[pallet::weight(T::WeightInfo::buy())]
        pub fn buy(origin: OriginFor<T>, listing: ListingId, amount: Balance) -> DispatchResult {
            let buyer = ensure_signed(origin)?;
            Self::do_buy(&buyer, listing, amount)?;
            Self::note_transaction();
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// Now, in Unix milliseconds.
        pub fn now_ms() -> Moment {
            Moment::try_from(T::Time::now().as_millis()).unwrap_or(Moment::MAX)
        }

        fn is_expired(info: &BatchInfoOf<T>, now: Moment) -> bool {
            now >= info.expiry_date
        }

        /// The batch, if it exists and is not expired.
        fn active_batch(batch: BatchId) -> Result<BatchInfoOf<T>, DispatchError> {
            let info = Batches::<T>::get(batch).ok_or(Error::<T>::UnknownBatch)?;
            ensure!(!Self::is_expired(&info, Self::now_ms()), Error::<T>::CreditExpired);
            Ok(info)
        }

        fn credit(who: &T::AccountId, batch: BatchId, amount: Balance) -> DispatchResult {
            if amount.is_zero() {
                return Ok(());
            }
            let held = Holdings::<T>::get(who, batch);
            let after = held.checked_add(amount).ok_or(Error::<T>::Overflow)?;
            if held.is_zero() && !after.is_zero() {
                let batches = HeldBatches::<T>::get(who);
                if batches == 0 {
                    Holders::<T>::mutate(|n| *n = n.saturating_add(1));
                }
                HeldBatches::<T>::insert(who, batches.saturating_add(1));
            }
            Holdings::<T>::insert(who, batch, after);
            Ok(())
        }

        fn debit(who: &T::AccountId, batch: BatchId, amount: Balance) -> DispatchResult {
            let held = Holdings::<T>::get(who, batch);
            let left = held.checked_sub(amount).ok_or(Error::<T>::InsufficientBalance)?;
            if left.is_zero() {
                Holdings::<T>::remove(who, batch);
                if !held.is_zero() {
                    let batches = HeldBatches::<T>::get(who).saturating_sub(1);
                    if batches == 0 {
                        HeldBatches::<T>::remove(who);
                        Holders::<T>::mutate(|n| *n = n.saturating_sub(1));
                    } else {
                        HeldBatches::<T>::insert(who, batches);
                    }
                }
            } else {
                Holdings::<T>::insert(who, batch, left);
            }
            Ok(())
        }

        /// Count one successful call in [`TransactionCount`].
        fn note_transaction() {
            TransactionCount::<T>::mutate(|n| *n = n.saturating_add(1));
        }

        /// Number of accounts holding credits of at least one batch.
        pub fn holders() -> u64 {
            Holders::<T>::get()
        }

        /// Number of successful calls of this pallet.
        pub fn transactions() -> u64 {
            TransactionCount::<T>::get()
        }

        /// Validate and issue a batch; the caller has checked the verifier role.
        pub fn do_issue(
            verifier: &T::AccountId,
            to: &T::AccountId,
            amount: Balance,
            verification_id: VerificationIdOf<T>,
            issue_date: Moment,
            expiry_date: Moment,
        ) -> Result<BatchId, DispatchError> {
            ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
            ensure!(!verification_id.is_empty(), Error::<T>::EmptyVerificationId);
            ensure!(!VerificationIds::<T>::contains_key(&verification_id), Error::<T>::VerificationIdUsed);
            ensure!(expiry_date > issue_date, Error::<T>::ExpiryNotAfterIssue);
            ensure!(expiry_date > Self::now_ms(), Error::<T>::ExpiryInPast);
            let batch = Self::insert_batch(verifier, to, amount, verification_id.clone(), issue_date, expiry_date)?;
            Self::deposit_event(Event::Issued {
                batch,
                verifier: verifier.clone(),
                to: to.clone(),
                amount,
                verification_id,
                expiry_date,
            });
            Ok(batch)
        }

        /// Store a batch and credit its owner (no role, date or uniqueness checks).
        fn insert_batch(
            verifier: &T::AccountId,
            to: &T::AccountId,
            amount: Balance,
            verification_id: VerificationIdOf<T>,
            issue_date: Moment,
            expiry_date: Moment,
        ) -> Result<BatchId, DispatchError> {
            let batch = LastBatchId::<T>::get().checked_add(1).ok_or(Error::<T>::Overflow)?;
            let total = TotalIssued::<T>::get().checked_add(amount).ok_or(Error::<T>::Overflow)?;
            VerificationIds::<T>::insert(&verification_id, batch);
            Batches::<T>::insert(
                batch,
                BatchInfo {
                    verification_id,
                    verifier: verifier.clone(),
                    issue_date,
                    expiry_date,
                    issued: amount,
                    retired: 0,
                },
            );
            Self::credit(to, batch, amount)?;
            LastBatchId::<T>::put(batch);
            TotalIssued::<T>::put(total);
            Ok(batch)
        }

        /// Move unexpired credits between accounts.
        pub fn do_transfer(from: &T::AccountId, to: &T::AccountId, batch: BatchId, amount: Balance) -> DispatchResult {
            ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
            Self::active_batch(batch)?;
            Self::debit(from, batch, amount)?;
            Self::credit(to, batch, amount)?;
            Self::deposit_event(Event::Transferred { batch, from: from.clone(), to: to.clone(), amount });
            Ok(())
        }

        /// Burn unexpired credits and record the retirement.
        pub fn do_retire(
            who: &T::AccountId,
            batch: BatchId,
            amount: Balance,
            beneficiary: BeneficiaryOf<T>,
        ) -> Result<RetirementId, DispatchError> {
            ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
            let mut info = Self::active_batch(batch)?;
            // The balance first: retiring more than is held is `InsufficientBalance`,
            // not the overflow of the sums below (which cannot overflow once it passed).
            Self::debit(who, batch, amount)?;
            let id = LastRetirementId::<T>::get().checked_add(1).ok_or(Error::<T>::Overflow)?;
            info.retired = info.retired.checked_add(amount).ok_or(Error::<T>::Overflow)?;
            let total = TotalRetired::<T>::get().checked_add(amount).ok_or(Error::<T>::Overflow)?;
            Batches::<T>::insert(batch, info);
            TotalRetired::<T>::put(total);
            LastRetirementId::<T>::put(id);
            Retirements::<T>::insert(
                id,
                Retirement {
                    id,
                    batch,
                    account: who.clone(),
                    amount,
                    beneficiary: beneficiary.clone(),
                    at: Self::now_ms(),
                },
            );
            AccountRetirements::<T>::insert(who, id, ());
            Self::deposit_event(Event::Retired { retirement: id, batch, who: who.clone(), amount, beneficiary });
            Ok(id)
        }

        /// Escrow unexpired credits in a new listing.
        pub fn do_list(
            seller: &T::AccountId,
            batch: BatchId,
            amount: Balance,
            price_per_unit: Balance,
        ) -> Result<ListingId, DispatchError> {
            ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
            ensure!(!price_per_unit.is_zero(), Error::<T>::ZeroPrice);
            // Every partial fill then has a representable price too.
            amount.checked_mul(price_per_unit).ok_or(Error::<T>::PriceOverflow)?;
            Self::active_batch(batch)?;
            let count = ListingCount::<T>::get();
            ensure!(count < T::MaxListings::get(), Error::<T>::TooManyListings);
            let mine = SellerListings::<T>::get(seller);
            ensure!(mine < T::MaxListingsPerSeller::get(), Error::<T>::TooManyListingsOfSeller);
            let listing = LastListingId::<T>::get().checked_add(1).ok_or(Error::<T>::Overflow)?;
            Self::debit(seller, batch, amount)?;
            Listings::<T>::insert(listing, Listing { seller: seller.clone(), batch, amount, price_per_unit });
            LastListingId::<T>::put(listing);
            ListingCount::<T>::put(count.saturating_add(1));
            SellerListings::<T>::insert(seller, mine.saturating_add(1));
            Self::deposit_event(Event::Listed { listing, seller: seller.clone(), batch, amount, price_per_unit });
            Ok(listing)
        }

        fn close_listing(listing: ListingId, seller: &T::AccountId) {
            Listings::<T>::remove(listing);
            ListingCount::<T>::mutate(|c| *c = c.saturating_sub(1));
            SellerListings::<T>::mutate_exists(seller, |n| {
                *n = n.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
            });
        }

        /// Close a listing, returning its credits to the seller.
        pub fn do_cancel(who: &T::AccountId, listing: ListingId) -> DispatchResult {
            let l = Listings::<T>::get(listing).ok_or(Error::<T>::UnknownListing)?;
            ensure!(&l.seller == who, Error::<T>::NotSeller);
            Self::credit(&l.seller, l.batch, l.amount)?;
            Self::close_listing(listing, &l.seller);
            Self::deposit_event(Event::ListingCancelled {
                listing,
                seller: l.seller,
                batch: l.batch,
                amount: l.amount,
            });
            Ok(())
        }

        /// Pay ECT to the seller and take credits out of the listing.
        pub fn do_buy(buyer: &T::AccountId, listing: ListingId, amount: Balance) -> DispatchResult {
            ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
            let mut l = Listings::<T>::get(listing).ok_or(Error::<T>::UnknownListing)?;
            ensure!(&l.seller != buyer, Error::<T>::OwnListing);
            let left = l.amount.checked_sub(amount).ok_or(Error::<T>::InsufficientListed)?;
            Self::active_batch(l.batch)?;
            let price = amount.checked_mul(l.price_per_unit).ok_or(Error::<T>::PriceOverflow)?;
            T::Ect::ensure_transferable()?;
            T::Currency::transfer(buyer, &l.seller, price, Preservation::Expendable)
                .map_err(|_| Error::<T>::InsufficientFunds)?;
            Self::credit(buyer, l.batch, amount)?;
            if left.is_zero() {
                Self::close_listing(listing, &l.seller);
            } else {
                l.amount = left;
                Listings::<T>::insert(listing, &l);
            }
            Self::deposit_event(Event::Sold {
                listing,
                seller: l.seller,
                buyer: buyer.clone(),
                batch: l.batch,
                amount,
                price,
            });
            Ok(())
        }

        /// An account's credits per batch (by batch id), with totals split
        /// into active and expired, and what it has escrowed in listings.
        pub fn balance(who: &T::AccountId) -> CcrBalance {
            let now = Self::now_ms();
            let mut out = CcrBalance::default();
            for (batch, amount) in Holdings::<T>::iter_prefix(who) {
                let expired = Batches::<T>::get(batch).is_none_or(|info| Self::is_expired(&info, now));
                out.total = out.total.saturating_add(amount);
                if expired {
                    out.total_expired = out.total_expired.saturating_add(amount);
                } else {
                    out.total_active = out.total_active.saturating_add(amount);
                }
                out.batches.push(BatchBalance { batch, amount, expired });
            }
            out.batches.sort_by_key(|b| b.batch);
            out.listed = Listings::<T>::iter_values()
                .filter(|l| &l.seller == who)
                .fold(0, |acc: Balance, l| acc.saturating_add(l.amount));
            out
        }

        /// The open listings, by listing id.
        pub fn marketplace() -> Vec<ListingView<T::AccountId>> {
            let now = Self::now_ms();
            let mut out: Vec<_> = Listings::<T>::iter()
                .map(|(id, l)| {
                    let expiry_date = Batches::<T>::get(l.batch).map(|b| b.expiry_date).unwrap_or(0);
                    ListingView {
                        id,
                        seller: l.seller,
                        batch: l.batch,
                        amount: l.amount,
                        price_per_unit: l.price_per_unit,
                        expiry_date,
                        expired: now >= expiry_date,
                    }
                })
                .collect();
            out.sort_by_key(|l| l.id);
            out
        }

        fn retirement_view(r: RetirementOf<T>) -> RetirementView<T::AccountId> {
            RetirementView {
                id: r.id,
                batch: r.batch,
                account: r.account,
                amount: r.amount,
                beneficiary: r.beneficiary.into_inner(),
                at: r.at,
            }
        }

        /// The retirements made by `who`, by id.
        pub fn retirements(who: &T::AccountId) -> Vec<RetirementView<T::AccountId>> {
            let mut ids: Vec<RetirementId> = AccountRetirements::<T>::iter_key_prefix(who).collect();
            ids.sort_unstable();
            ids.into_iter().filter_map(Retirements::<T>::get).map(Self::retirement_view).collect()
        }

        /// One retirement record.
        pub fn retirement(id: RetirementId) -> Option<RetirementView<T::AccountId>> {
            Retirements::<T>::get(id).map(Self::retirement_view)
        }

        /// One batch with its expiry status.
        pub fn batch(id: BatchId) -> Option<BatchView<T::AccountId>> {
            let now = Self::now_ms();
            Batches::<T>::get(id).map(|b| BatchView {
                id,
                expired: Self::is_expired(&b, now),
                verification_id: b.verification_id.into_inner(),
                verifier: b.verifier,
                issue_date: b.issue_date,
                expiry_date: b.expiry_date,
                issued: b.issued,
                retired: b.retired,
            })
        }

        /// Pallet-wide figures.
        pub fn stats() -> CcrStats {
            CcrStats {
                batches: LastBatchId::<T>::get(),
                total_issued: TotalIssued::<T>::get(),
                total_retired: TotalRetired::<T>::get(),
                retirements: LastRetirementId::<T>::get(),
                open_listings: ListingCount::<T>::get(),
            }
        }

        /// The pallet's invariants:
        /// - for every batch, `issued == held + listed + retired`, and `retired`
        ///   equals the sum of its retirement records;
        /// - holdings and listings are non-zero and name existing batches;
        /// - ids are dense up to their `Last*` counters; every verification id
        ///   maps to the batch that carries it;
        /// - [`ListingCount`] counts the listings and is within `MaxListings`;
        /// - [`TotalIssued`] / [`TotalRetired`] are the sums over batches;
        /// - the per-account retirement index matches the records.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            let last_batch = LastBatchId::<T>::get();
            let mut held: BTreeMap<BatchId, Balance> = BTreeMap::new();
            let add = |m: &mut BTreeMap<BatchId, Balance>, batch: BatchId, amount: Balance| {
                let e = m.entry(batch).or_default();
                *e = e.checked_add(amount).ok_or("CCR: sum overflows")?;
                Ok::<(), sp_runtime::TryRuntimeError>(())
            };

            let mut held_batches: BTreeMap<T::AccountId, u32> = BTreeMap::new();
            for (who, batch, amount) in Holdings::<T>::iter() {
                ensure!(!amount.is_zero(), "CCR: zero holding stored");
                ensure!(Batches::<T>::contains_key(batch), "CCR: holding of an unknown batch");
                add(&mut held, batch, amount)?;
                *held_batches.entry(who).or_default() += 1;
            }
            ensure!(
                held_batches.len() as u64 == Holders::<T>::get(),
                "CCR: Holders differs from the accounts holding credits"
            );
            ensure!(
                HeldBatches::<T>::iter().all(|(who, n)| held_batches.get(&who) == Some(&n))
                    && HeldBatches::<T>::iter().count() == held_batches.len(),
                "CCR: HeldBatches differs from the holdings"
            );

            let mut listings = 0u32;
            let mut per_seller: BTreeMap<T::AccountId, u32> = BTreeMap::new();
            for (id, l) in Listings::<T>::iter() {
                *per_seller.entry(l.seller.clone()).or_default() += 1;
                ensure!(id >= 1 && id <= LastListingId::<T>::get(), "CCR: listing id beyond LastListingId");
                ensure!(!l.amount.is_zero(), "CCR: empty listing left open");
                ensure!(!l.price_per_unit.is_zero(), "CCR: listing with zero price");
                ensure!(Batches::<T>::contains_key(l.batch), "CCR: listing of an unknown batch");
                add(&mut held, l.batch, l.amount)?;
                listings = listings.checked_add(1).ok_or("CCR: listing count overflows")?;
            }
            ensure!(listings == ListingCount::<T>::get(), "CCR: ListingCount differs from the listings");
            ensure!(listings <= T::MaxListings::get(), "CCR: more listings than MaxListings");
            ensure!(
                SellerListings::<T>::iter().count() == per_seller.len()
                    && per_seller.iter().all(|(who, n)| {
                        SellerListings::<T>::get(who) == *n && *n <= T::MaxListingsPerSeller::get()
                    }),
                "CCR: SellerListings differs from the listings or exceeds MaxListingsPerSeller"
            );

            let mut retired_records: BTreeMap<BatchId, Balance> = BTreeMap::new();
            let mut retirement_count = 0u64;
            for (id, r) in Retirements::<T>::iter() {
                ensure!(r.id == id, "CCR: retirement record under the wrong id");
                ensure!(id >= 1 && id <= LastRetirementId::<T>::get(), "CCR: retirement id beyond LastRetirementId");
                ensure!(!r.amount.is_zero(), "CCR: zero retirement recorded");
                ensure!(
                    AccountRetirements::<T>::contains_key(&r.account, id),
                    "CCR: retirement missing from the account index"
                );
                add(&mut retired_records, r.batch, r.amount)?;
                retirement_count = retirement_count.checked_add(1).ok_or("CCR: retirement count overflows")?;
            }
            ensure!(retirement_count == LastRetirementId::<T>::get(), "CCR: retirement ids are not dense");
            for (who, id, ()) in AccountRetirements::<T>::iter() {
                let r = Retirements::<T>::get(id).ok_or("CCR: account index names a missing retirement")?;
                ensure!(r.account == who, "CCR: account index names another account's retirement");
            }

            let mut batches = 0u32;
            let mut total_issued: Balance = 0;
            let mut total_retired: Balance = 0;
            let mut ids = BTreeSet::new();
            for (batch, info) in Batches::<T>::iter() {
                ensure!(batch >= 1 && batch <= last_batch, "CCR: batch id beyond LastBatchId");
                ensure!(!info.issued.is_zero(), "CCR: batch with nothing issued");
                ensure!(info.expiry_date > info.issue_date, "CCR: batch expires before its issue date");
                ensure!(
                    VerificationIds::<T>::get(&info.verification_id) == Some(batch),
                    "CCR: verification id does not map to its batch"
                );
                ensure!(ids.insert(info.verification_id.clone()), "CCR: verification id on two batches");
                let outstanding = held.get(&batch).copied().unwrap_or(0);
                let accounted = outstanding.checked_add(info.retired).ok_or("CCR: sum overflows")?;
                ensure!(info.issued == accounted, "CCR: issued != held + listed + retired");
                ensure!(
                    retired_records.get(&batch).copied().unwrap_or(0) == info.retired,
                    "CCR: batch retired differs from its retirement records"
                );
                total_issued = total_issued.checked_add(info.issued).ok_or("CCR: sum overflows")?;
                total_retired = total_retired.checked_add(info.retired).ok_or("CCR: sum overflows")?;
                batches = batches.checked_add(1).ok_or("CCR: batch count overflows")?;
            }
            ensure!(batches == last_batch, "CCR: batch ids are not dense");
            ensure!(VerificationIds::<T>::iter().count() == batches as usize, "CCR: stray verification id");
            ensure!(total_issued == TotalIssued::<T>::get(), "CCR: TotalIssued differs from the batches");
            ensure!(total_retired == TotalRetired::<T>::get(), "CCR: TotalRetired differs from the batches");
            Ok(())
        }
    }
}
