//! # ECR — EcoCertificate
//!
//! Non-fungible environmental certificates with ERC-721 semantics, as the
//! seeds' `EcoCertificate` contract promised:
//!
//! - accounts holding `Role::Issuer` **mint** certificates (type, impact score,
//!   rarity 1..=5, metadata URI) to any account; ids run 1, 2, 3, … and are
//!   never reused; the issuer, the issue date (Unix ms from `T::Time`) and
//!   `verified = true` are recorded;
//! - owners **transfer** and **burn**; ERC-721 **approvals**: one approved
//!   account per token (cleared by every transfer) and operators approved for
//!   all of an owner's tokens;
//! - the token's issuer (while still an issuer) or the admin origin **revoke**
//!   a certificate: it stays owned but `verified` becomes `false`;
//! - a fixed-price **market**: `list` / `cancel` / `buy` for ECT. The token stays
//!   with its owner while listed; a transfer, burn, bridge lock or revocation of
//!   a listed token removes the listing ([`Event::ListingCancelled`]) rather
//!   than being refused. The seller may re-list at another price at any time,
//!   so `buy` names the most the buyer pays (`max_price`, as pallet-nfts'
//!   `buy_item` takes `bid_price`) and fails with [`Error::PriceTooHigh`]
//!   when the listing costs more;
//! - **bridge locking**: [`Pallet::do_lock`] and [`Pallet::do_unlock`] (no
//!   dispatchables) let the bridge pallet take a token off chain while its
//!   ERC-721 twin lives on the EVM chain. A locked token keeps its owner but
//!   cannot be transferred, approved, listed, bought or burned.
//!
//! Each owner's tokens are indexed in a bounded list ([`OwnedTokens`], at most
//! `MaxTokensPerOwner`), so [`Pallet::certificates`] reads one storage item
//! plus the certificates themselves.
//!
//! Every ownership change (transfer, sale, unlock to another account) emits
//! [`Event::Transferred`]; mints and burns emit [`Event::Minted`] and
//! [`Event::Burned`], so an indexer can follow owners from events alone.
//!
//! Statistics: [`Holders`] counts the accounts owning at least one
//! certificate and [`TransactionCount`] the successful calls of this pallet.

pub use pallet::*;

mod types;
pub mod weights;

pub use types::{Certificate, CertificateRecord, GenesisCertificate, Listing, ListingInfo, TokenId};
pub use weights::WeightInfo;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// Lowest valid rarity.
pub const MIN_RARITY: u8 = 1;
/// Highest valid rarity.
pub const MAX_RARITY: u8 = 5;

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

    /// A certificate as stored by this runtime.
    pub type CertificateOf<T> = Certificate<
        <T as frame_system::Config>::AccountId,
        <T as Config>::MaxCertificateTypeLen,
        <T as Config>::MaxMetadataLen,
    >;

    #[pallet::pallet]
    pub struct Pallet<T>(_);

    /// Configuration of the ECR pallet.
    #[pallet::config]
    pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
        /// Origin allowed to revoke any certificate.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// Who holds `Role::Issuer`.
        type Roles: RoleProvider<Self::AccountId>;
        /// Wall-clock time (`pallet-timestamp`); issue dates are Unix milliseconds.
        type Time: UnixTime;
        /// The native currency (ECT), in which sales are paid.
        type Currency: Mutate<Self::AccountId, Balance = Balance>;
        /// ECT controls: sales fail while ECT is paused.
        type Ect: EctControl<Self::AccountId>;
        /// Weights of this pallet's calls.
        type WeightInfo: WeightInfo;
        /// Longest certificate type, in bytes.
        #[pallet::constant]
        type MaxCertificateTypeLen: Get<u32>;
        /// Longest metadata (URI), in bytes.
        #[pallet::constant]
        type MaxMetadataLen: Get<u32>;
        /// Most certificates one account may own (bounds [`OwnedTokens`]).
        #[pallet::constant]
        type MaxTokensPerOwner: Get<u32>;
    }

    /// Every existing certificate, by id. Burned certificates are removed.
    #[pallet::storage]
    pub type Certificates<T: Config> = StorageMap<_, Twox64Concat, TokenId, CertificateOf<T>>;

    /// Ids owned by each account, in no particular order (swap-removed).
    #[pallet::storage]
    pub type OwnedTokens<T: Config> =
        StorageMap<_, Blake2_128Concat, T::AccountId, BoundedVec<TokenId, T::MaxTokensPerOwner>, ValueQuery>;

    /// The highest id ever minted (0 before the first mint); the next id is one more.
    #[pallet::storage]
    pub type LastTokenId<T> = StorageValue<_, TokenId, ValueQuery>;

    /// Number of existing (minted and not burned) certificates.
    #[pallet::storage]
    pub type TokenCount<T> = StorageValue<_, u64, ValueQuery>;

    /// The single account approved to transfer each token (ERC-721 `getApproved`).
    #[pallet::storage]
    pub type TokenApprovals<T: Config> = StorageMap<_, Twox64Concat, TokenId, T::AccountId>;

    /// Operators approved for all of an owner's tokens: (owner, operator).
    #[pallet::storage]
    pub type OperatorApprovals<T: Config> =
        StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Blake2_128Concat, T::AccountId, ()>;

    /// Tokens on sale.
    #[pallet::storage]
    pub type Listings<T: Config> = StorageMap<_, Twox64Concat, TokenId, Listing<T::AccountId>>;

    /// Number of accounts owning at least one certificate (locked ones included).
    #[pallet::storage]
    pub type Holders<T> = StorageValue<_, u64, ValueQuery>;

    /// Number of successful calls of this pallet.
    #[pallet::storage]
    pub type TransactionCount<T> = StorageValue<_, u64, ValueQuery>;

    /// Genesis configuration of ECR.
    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// Certificates minted at genesis, given ids 1, 2, … in order.
        pub certificates: Vec<GenesisCertificate<T::AccountId>>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            for (index, c) in self.certificates.iter().enumerate() {
                assert!(
                    (MIN_RARITY..=MAX_RARITY).contains(&c.rarity),
                    "ECR genesis: certificate #{index} has rarity {}, outside {MIN_RARITY}..={MAX_RARITY}",
                    c.rarity
                );
                assert!(!c.certificate_type.is_empty(), "ECR genesis: certificate #{index} has an empty type");
                let certificate_type = BoundedVec::try_from(c.certificate_type.clone()).unwrap_or_else(|_| {
                    panic!("ECR genesis: certificate #{index} type is longer than MaxCertificateTypeLen")
                });
                let metadata = BoundedVec::try_from(c.metadata.clone()).unwrap_or_else(|_| {
                    panic!("ECR genesis: certificate #{index} metadata is longer than MaxMetadataLen")
                });
                let id = LastTokenId::<T>::get() + 1;
                Pallet::<T>::add_to_index(&c.owner, id).unwrap_or_else(|_| {
                    panic!("ECR genesis: certificate #{index} would give its owner more than MaxTokensPerOwner")
                });
                Certificates::<T>::insert(
                    id,
                    Certificate {
                        owner: c.owner.clone(),
                        issuer: c.issuer.clone(),
                        certificate_type,
                        impact_score: c.impact_score,
                        rarity: c.rarity,
                        metadata,
                        issued_at: c.issued_at,
                        verified: true,
                        locked: false,
                    },
                );
                LastTokenId::<T>::put(id);
                TokenCount::<T>::mutate(|n| *n += 1);
            }
        }
    }

    /// Events of the ECR pallet.
    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// An issuer minted a certificate.
        Minted {
            /// New token id.
            token_id: TokenId,
            /// Issuer who minted it.
            issuer: T::AccountId,
            /// First owner.
            to: T::AccountId,
            /// Rarity, 1 ..= 5.
            rarity: u8,
            /// Impact score.
            impact_score: u32,
        },
        /// A certificate changed owner (transfer, sale or bridge unlock).
        Transferred {
            /// Token moved.
            token_id: TokenId,
            /// Previous owner.
            from: T::AccountId,
            /// New owner.
            to: T::AccountId,
        },
        /// The account approved for one token was set or cleared.
        Approved {
            /// Token concerned.
            token_id: TokenId,
            /// Owner of the token.
            owner: T::AccountId,
            /// Newly approved account, `None` when the approval was cleared.
            spender: Option<T::AccountId>,
        },
        /// An owner approved or disapproved an operator for all their tokens.
        ApprovalForAll {
            /// Owner of the tokens.
            owner: T::AccountId,
            /// Operator concerned.
            operator: T::AccountId,
            /// Whether the operator is now approved.
            approved: bool,
        },
        /// An owner destroyed a certificate.
        Burned {
            /// Token destroyed.
            token_id: TokenId,
            /// Its last owner.
            owner: T::AccountId,
        },
        /// A certificate was revoked: it is no longer verified.
        Revoked {
            /// Token revoked.
            token_id: TokenId,
            /// The issuer who revoked it, `None` when the admin origin did.
            by: Option<T::AccountId>,
        },
        /// A certificate was put on sale (or its price changed).
        Listed {
            /// Token on sale.
            token_id: TokenId,
            /// Owner selling it.
            seller: T::AccountId,
            /// Price in ECT base units.
            price: Balance,
        },
        /// A listing was withdrawn: by its seller, or because the token was
        /// transferred, burned, locked or revoked.
        ListingCancelled {
            /// Token no longer on sale.
            token_id: TokenId,
            /// Owner who had listed it.
            seller: T::AccountId,
        },
        /// A listed certificate was bought.
        Sold {
            /// Token sold.
            token_id: TokenId,
            /// Previous owner, paid `price`.
            seller: T::AccountId,
            /// New owner, who paid.
            buyer: T::AccountId,
            /// Price paid in ECT base units.
            price: Balance,
        },
        /// The bridge locked a certificate (its twin now lives on the EVM chain).
        Locked {
            /// Token locked.
            token_id: TokenId,
            /// Owner who bridged it.
            owner: T::AccountId,
        },
        /// The bridge released a certificate back to an account on this chain.
        Unlocked {
            /// Token released.
            token_id: TokenId,
            /// Account that now owns it.
            to: T::AccountId,
        },
    }

    /// Errors of the ECR pallet.
    #[pallet::error]
    pub enum Error<T> {
        /// The caller does not hold `Role::Issuer`.
        NotIssuer,
        /// The caller is not the issuer of this certificate.
        NotTokenIssuer,
        /// Rarity must be within 1 ..= 5.
        InvalidRarity,
        /// The certificate type is empty.
        EmptyCertificateType,
        /// No certificate has this id (never minted, or burned).
        UnknownToken,
        /// The caller does not own the token.
        NotOwner,
        /// The caller is neither the owner, nor approved for the token, nor an
        /// operator of the owner.
        NotAuthorized,
        /// The token is locked by the bridge.
        TokenLocked,
        /// The token is not locked by the bridge.
        NotLocked,
        /// The recipient already owns `MaxTokensPerOwner` certificates.
        TooManyTokens,
        /// The recipient already owns the token.
        TransferToSelf,
        /// The owner cannot be the approved account of their own token.
        ApproveToOwner,
        /// An account cannot be its own operator.
        ApproveToCaller,
        /// The certificate is already revoked.
        AlreadyRevoked,
        /// A revoked certificate cannot be listed.
        CertificateRevoked,
        /// The price is zero.
        ZeroPrice,
        /// The token is not on sale.
        NotListed,
        /// The owner cannot buy their own token.
        BuyOwnToken,
        /// The buyer cannot pay the price (keeping the existential deposit).
        InsufficientBalance,
        /// The listing's price is above the `max_price` the buyer accepts.
        PriceTooHigh,
        /// No token id is left.
        TokenIdOverflow,
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Mint a new certificate to `to`, recording the caller as issuer, the
        /// current time as issue date and `verified = true`.
        ///
        /// Origin: signed, holding `Role::Issuer` ([`Error::NotIssuer`]). Emits
        /// [`Event::Minted`]. Fails with [`Error::InvalidRarity`] outside 1..=5.
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::mint())]
        pub fn mint(
            origin: OriginFor<T>,
            to: T::AccountId,
            certificate_type: BoundedVec<u8, T::MaxCertificateTypeLen>,
            impact_score: u32,
            rarity: u8,
            metadata: BoundedVec<u8, T::MaxMetadataLen>,
        ) -> DispatchResult {
            let issuer = ensure_signed(origin)?;
            ensure!(T::Roles::has_role(&issuer, Role::Issuer), Error::<T>::NotIssuer);
            Self::do_mint(issuer, to, certificate_type, impact_score, rarity, metadata)?;
            Self::note_transaction();
            Ok(())
        }

        /// Move `token_id` to `to`; clears the token's approval and removes its listing.
        ///
        /// Origin: signed: the owner, the token's approved account or an
        /// operator of the owner. Emits [`Event::Transferred`] (and
        /// [`Event::ListingCancelled`] if it was listed).
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::transfer())]
        pub fn transfer(origin: OriginFor<T>, token_id: TokenId, to: T::AccountId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_transfer(&who, token_id, &to)?;
            Self::note_transaction();
            Ok(())
        }

        /// Approve `spender` to transfer `token_id`, or clear the approval with `None`.
        ///
        /// Origin: signed: the owner or an operator of the owner. Emits [`Event::Approved`].
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::approve())]
        pub fn approve(origin: OriginFor<T>, token_id: TokenId, spender: Option<T::AccountId>) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_approve(&who, token_id, spender)?;
            Self::note_transaction();
            Ok(())
        }

        /// Approve or disapprove `operator` to transfer and approve all the caller's tokens.
        ///
        /// Origin: signed. Emits [`Event::ApprovalForAll`].
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::set_approval_for_all())]
        pub fn set_approval_for_all(origin: OriginFor<T>, operator: T::AccountId, approved: bool) -> DispatchResult {
            let owner = ensure_signed(origin)?;
            ensure!(owner != operator, Error::<T>::ApproveToCaller);
            if approved {
                OperatorApprovals::<T>::insert(&owner, &operator, ());
            } else {
                OperatorApprovals::<T>::remove(&owner, &operator);
            }
            Self::deposit_event(Event::ApprovalForAll { owner, operator, approved });
            Self::note_transaction();
            Ok(())
        }

        /// Destroy `token_id`; its approval and listing go with it.
        ///
        /// Origin: signed, the owner. Emits [`Event::Burned`] (and
        /// [`Event::ListingCancelled`] if it was listed).
        #[pallet::call_index(4)]
        #[pallet::weight(T::WeightInfo::burn())]
        pub fn burn(origin: OriginFor<T>, token_id: TokenId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_burn(&who, token_id)?;
            Self::note_transaction();
            Ok(())
        }

        /// Mark `token_id` as no longer verified; a listing of it is removed.
        ///
        /// Origin: the admin origin, or signed by the certificate's issuer who
        /// still holds `Role::Issuer` ([`Error::NotIssuer`],
        /// [`Error::NotTokenIssuer`]). Emits [`Event::Revoked`] (`by` is `None`
        /// for the admin).
        #[pallet::call_index(5)]
        #[pallet::weight(T::WeightInfo::revoke())]
        pub fn revoke(origin: OriginFor<T>, token_id: TokenId) -> DispatchResult {
            let by = match T::AdminOrigin::try_origin(origin) {
                Ok(_) => None,
                Err(origin) => {
                    let who = ensure_signed(origin)?;
                    ensure!(T::Roles::has_role(&who, Role::Issuer), Error::<T>::NotIssuer);
                    Some(who)
                }
            };
            Self::do_revoke(by, token_id)?;
            Self::note_transaction();
            Ok(())
        }

        /// Put `token_id` on sale for `price` ECT, or change the price of an
        /// existing listing. The token stays with the caller until sold.
        ///
        /// Origin: signed, the owner. Emits [`Event::Listed`]. Revoked and
        /// locked tokens cannot be listed.
        #[pallet::call_index(6)]
        #[pallet::weight(T::WeightInfo::list())]
        pub fn list(origin: OriginFor<T>, token_id: TokenId, price: Balance) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_list(&who, token_id, price)?;
            Self::note_transaction();
            Ok(())
        }

        /// Withdraw the caller's listing of `token_id`.
        ///
        /// Origin: signed, the seller. Emits [`Event::ListingCancelled`].
        #[pallet::call_index(7)]
        #[pallet::weight(T::WeightInfo::cancel())]
        pub fn cancel(origin: OriginFor<T>, token_id: TokenId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            let listing = Listings::<T>::get(token_id).ok_or(Error::<T>::NotListed)?;
            ensure!(listing.seller == who, Error::<T>::NotOwner);
            Listings::<T>::remove(token_id);
            Self::deposit_event(Event::ListingCancelled { token_id, seller: who });
            Self::note_transaction();
            Ok(())
        }

        /// Buy the listed `token_id`: the caller pays the listed price in ECT to
        /// the seller and receives the token; the listing is removed.
        ///
        /// `max_price` is the most the caller pays: the seller may re-list at a
        /// higher price before this call executes, and then it fails with
        /// [`Error::PriceTooHigh`]. The price paid is the listed one (at most
        /// `max_price`).
        ///
        /// Origin: signed, anyone but the owner. Emits [`Event::Transferred`]
        /// then [`Event::Sold`]. Fails while ECT is paused.
        #[pallet::call_index(8)]
        #[pallet::weight(T::WeightInfo::buy())]
        pub fn buy(origin: OriginFor<T>, token_id: TokenId, max_price: Balance) -> DispatchResult {
            let buyer = ensure_signed(origin)?;
            Self::do_buy(&buyer, token_id, max_price)?;
            Self::note_transaction();
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        fn now_ms() -> Moment {
            Moment::try_from(T::Time::now().as_millis()).unwrap_or(Moment::MAX)
        }

        fn certificate(token_id: TokenId) -> Result<CertificateOf<T>, DispatchError> {
            Certificates::<T>::get(token_id).ok_or_else(|| Error::<T>::UnknownToken.into())
        }

        /// Whether `who` may transfer `token_id` owned by `owner`.
        fn is_authorized(who: &T::AccountId, owner: &T::AccountId, token_id: TokenId) -> bool {
            who == owner
                || OperatorApprovals::<T>::contains_key(owner, who)
                || TokenApprovals::<T>::get(token_id).as_ref() == Some(who)
        }

        /// Remove the listing of `token_id`, if any, announcing it.
        fn drop_listing(token_id: TokenId) {
            if let Some(listing) = Listings::<T>::take(token_id) {
                Self::deposit_event(Event::ListingCancelled { token_id, seller: listing.seller });
            }
        }

        /// Add `token_id` to `owner`'s index, counting a new holder.
        fn add_to_index(owner: &T::AccountId, token_id: TokenId) -> DispatchResult {
            let mut owned = OwnedTokens::<T>::get(owner);
            owned.try_push(token_id).map_err(|_| Error::<T>::TooManyTokens)?;
            if owned.len() == 1 {
                Holders::<T>::mutate(|n| *n = n.saturating_add(1));
            }
            OwnedTokens::<T>::insert(owner, owned);
            Ok(())
        }

        /// Remove `token_id` from `owner`'s index, counting a holder gone when it empties.
        fn remove_from_index(owner: &T::AccountId, token_id: TokenId) {
            OwnedTokens::<T>::mutate_exists(owner, |maybe| {
                if let Some(owned) = maybe {
                    if let Some(pos) = owned.iter().position(|id| *id == token_id) {
                        owned.swap_remove(pos);
                    }
                    if owned.is_empty() {
                        *maybe = None;
                        Holders::<T>::mutate(|n| *n = n.saturating_sub(1));
                    }
                }
            });
        }

        /// Count one successful call in [`TransactionCount`].
        fn note_transaction() {
            TransactionCount::<T>::mutate(|n| *n = n.saturating_add(1));
        }

        /// Hand `certificate` (id `token_id`) from its owner to `to`: index, owner,
        /// approval and listing. Callers have checked authority and the lock.
        fn move_token(token_id: TokenId, mut certificate: CertificateOf<T>, to: &T::AccountId) -> DispatchResult {
            let from = certificate.owner.clone();
            Self::add_to_index(to, token_id)?;
            Self::remove_from_index(&from, token_id);
            certificate.owner = to.clone();
            Certificates::<T>::insert(token_id, certificate);
            TokenApprovals::<T>::remove(token_id);
            Self::drop_listing(token_id);
            Self::deposit_event(Event::Transferred { token_id, from, to: to.clone() });
            Ok(())
        }

        /// Mint a certificate to `to` with `issuer` recorded; returns the new id.
        /// The caller has checked the issuer's role.
        pub fn do_mint(
            issuer: T::AccountId,
            to: T::AccountId,
            certificate_type: BoundedVec<u8, T::MaxCertificateTypeLen>,
            impact_score: u32,
            rarity: u8,
            metadata: BoundedVec<u8, T::MaxMetadataLen>,
        ) -> Result<TokenId, DispatchError> {
            ensure!((MIN_RARITY..=MAX_RARITY).contains(&rarity), Error::<T>::InvalidRarity);
            ensure!(!certificate_type.is_empty(), Error::<T>::EmptyCertificateType);
            let token_id = LastTokenId::<T>::get().checked_add(1).ok_or(Error::<T>::TokenIdOverflow)?;
            let count = TokenCount::<T>::get().checked_add(1).ok_or(Error::<T>::TokenIdOverflow)?;
            Self::add_to_index(&to, token_id)?;
            Certificates::<T>::insert(
                token_id,
                Certificate {
                    owner: to.clone(),
                    issuer: issuer.clone(),
                    certificate_type,
                    impact_score,
                    rarity,
                    metadata,
                    issued_at: Self::now_ms(),
                    verified: true,
                    locked: false,
                },
            );
            LastTokenId::<T>::put(token_id);
            TokenCount::<T>::put(count);
            Self::deposit_event(Event::Minted { token_id, issuer, to, rarity, impact_score });
            Ok(token_id)
        }

        /// Transfer `token_id` to `to` on behalf of `who` (owner, approved or operator).
        pub fn do_transfer(who: &T::AccountId, token_id: TokenId, to: &T::AccountId) -> DispatchResult {
            let certificate = Self::certificate(token_id)?;
            ensure!(Self::is_authorized(who, &certificate.owner, token_id), Error::<T>::NotAuthorized);
            ensure!(!certificate.locked, Error::<T>::TokenLocked);
            ensure!(certificate.owner != *to, Error::<T>::TransferToSelf);
            Self::move_token(token_id, certificate, to)
        }

        /// Set or clear the approved account of `token_id` on behalf of `who` (owner or operator).
        pub fn do_approve(who: &T::AccountId, token_id: TokenId, spender: Option<T::AccountId>) -> DispatchResult {
            let certificate = Self::certificate(token_id)?;
            let owner = certificate.owner;
            ensure!(*who == owner || OperatorApprovals::<T>::contains_key(&owner, who), Error::<T>::NotAuthorized);
            ensure!(!certificate.locked, Error::<T>::TokenLocked);
            match &spender {
                Some(spender) => {
                    ensure!(*spender != owner, Error::<T>::ApproveToOwner);
                    TokenApprovals::<T>::insert(token_id, spender);
                }
                None => TokenApprovals::<T>::remove(token_id),
            }
            Self::deposit_event(Event::Approved { token_id, owner, spender });
            Ok(())
        }

        /// Burn `token_id`, owned by `who`.
        pub fn do_burn(who: &T::AccountId, token_id: TokenId) -> DispatchResult {
            let certificate = Self::certificate(token_id)?;
            ensure!(certificate.owner == *who, Error::<T>::NotOwner);
            ensure!(!certificate.locked, Error::<T>::TokenLocked);
            Self::drop_listing(token_id);
            Self::remove_from_index(who, token_id);
            Certificates::<T>::remove(token_id);
            TokenApprovals::<T>::remove(token_id);
            TokenCount::<T>::mutate(|n| *n = n.saturating_sub(1));
            Self::deposit_event(Event::Burned { token_id, owner: who.clone() });
            Ok(())
        }

        /// Revoke `token_id`: by its issuer (`Some`, role already checked) or the admin (`None`).
        pub fn do_revoke(by: Option<T::AccountId>, token_id: TokenId) -> DispatchResult {
            let mut certificate = Self::certificate(token_id)?;
            if let Some(who) = &by {
                ensure!(certificate.issuer == *who, Error::<T>::NotTokenIssuer);
            }
            ensure!(certificate.verified, Error::<T>::AlreadyRevoked);
            certificate.verified = false;
            Certificates::<T>::insert(token_id, certificate);
            Self::drop_listing(token_id);
            Self::deposit_event(Event::Revoked { token_id, by });
            Ok(())
        }

        /// List `token_id`, owned by `who`, at `price` (replacing an existing price).
        pub fn do_list(who: &T::AccountId, token_id: TokenId, price: Balance) -> DispatchResult {
            let certificate = Self::certificate(token_id)?;
            ensure!(certificate.owner == *who, Error::<T>::NotOwner);
            ensure!(!certificate.locked, Error::<T>::TokenLocked);
            ensure!(certificate.verified, Error::<T>::CertificateRevoked);
            ensure!(!price.is_zero(), Error::<T>::ZeroPrice);
            Listings::<T>::insert(token_id, Listing { seller: who.clone(), price });
            Self::deposit_event(Event::Listed { token_id, seller: who.clone(), price });
            Ok(())
        }

        /// `buyer` pays the listed price of `token_id` (at most `max_price`) to
        /// its seller and receives it.
        pub fn do_buy(buyer: &T::AccountId, token_id: TokenId, max_price: Balance) -> DispatchResult {
            let listing = Listings::<T>::get(token_id).ok_or(Error::<T>::NotListed)?;
            ensure!(listing.price <= max_price, Error::<T>::PriceTooHigh);
            let certificate = Self::certificate(token_id)?;
            ensure!(certificate.owner != *buyer, Error::<T>::BuyOwnToken);
            ensure!(!certificate.locked, Error::<T>::TokenLocked);
            T::Ect::ensure_transferable()?;
            T::Currency::transfer(buyer, &listing.seller, listing.price, Preservation::Preserve)
                .map_err(|_| Error::<T>::InsufficientBalance)?;
            // `move_token` removes the listing; announce the sale, not a cancellation.
            Listings::<T>::remove(token_id);
            Self::move_token(token_id, certificate, buyer)?;
            Self::deposit_event(Event::Sold {
                token_id,
                seller: listing.seller,
                buyer: buyer.clone(),
                price: listing.price,
            });
            Ok(())
        }

        /// Lock `token_id` for the bridge on behalf of `owner`, returning the
        /// certificate (as it now stands, `locked = true`) for the outbound message.
        ///
        /// Fails with [`Error::NotOwner`] unless `owner` owns it, and with
        /// [`Error::TokenLocked`] if it is already locked. Clears the approval and
        /// removes the listing. Emits [`Event::Locked`].
        pub fn do_lock(
            token_id: TokenId,
            owner: &T::AccountId,
        ) -> Result<CertificateRecord<T::AccountId>, DispatchError> {
            let mut certificate = Self::certificate(token_id)?;
            ensure!(certificate.owner == *owner, Error::<T>::NotOwner);
            ensure!(!certificate.locked, Error::<T>::TokenLocked);
            certificate.locked = true;
            let record = certificate.to_record();
            Certificates::<T>::insert(token_id, certificate);
            TokenApprovals::<T>::remove(token_id);
            Self::drop_listing(token_id);
            Self::deposit_event(Event::Locked { token_id, owner: owner.clone() });
            Ok(record)
        }

        /// Release the locked `token_id` to `to` (the bridge's inbound release):
        /// clears the lock and, when `to` is not the owner, moves the token.
        ///
        /// Fails with [`Error::NotLocked`] unless locked and with
        /// [`Error::TooManyTokens`] if `to` owns `MaxTokensPerOwner` tokens.
        /// Emits [`Event::Unlocked`] (after [`Event::Transferred`] when the owner changes).
        pub fn do_unlock(token_id: TokenId, to: &T::AccountId) -> DispatchResult {
            let mut certificate = Self::certificate(token_id)?;
            ensure!(certificate.locked, Error::<T>::NotLocked);
            certificate.locked = false;
            if certificate.owner == *to {
                Certificates::<T>::insert(token_id, certificate);
            } else {
                Self::move_token(token_id, certificate, to)?;
            }
            Self::deposit_event(Event::Unlocked { token_id, to: to.clone() });
            Ok(())
        }

        /// The certificates `who` owns, by id (ascending), locked ones included.
        pub fn certificates(who: &T::AccountId) -> Vec<(TokenId, CertificateRecord<T::AccountId>)> {
            let mut ids = OwnedTokens::<T>::get(who).into_inner();
            ids.sort_unstable();
            ids.into_iter().filter_map(|id| Certificates::<T>::get(id).map(|c| (id, c.to_record()))).collect()
        }

        /// The certificate `token_id` with its owner and `verified` flag; `None`
        /// if it was never minted or was burned.
        pub fn verify(token_id: TokenId) -> Option<CertificateRecord<T::AccountId>> {
            Certificates::<T>::get(token_id).map(|c| c.to_record())
        }

        /// Every listing, by token id (ascending).
        pub fn listings() -> Vec<ListingInfo<T::AccountId>> {
            let mut all: Vec<_> = Listings::<T>::iter()
                .filter_map(|(token_id, l)| {
                    Certificates::<T>::get(token_id).map(|c| ListingInfo {
                        token_id,
                        seller: l.seller,
                        price: l.price,
                        certificate: c.to_record(),
                    })
                })
                .collect();
            all.sort_unstable_by_key(|l| l.token_id);
            all
        }

        /// Owner of `token_id` (ERC-721 `ownerOf`).
        pub fn owner_of(token_id: TokenId) -> Option<T::AccountId> {
            Certificates::<T>::get(token_id).map(|c| c.owner)
        }

        /// Number of certificates `who` owns (ERC-721 `balanceOf`).
        pub fn balance_of(who: &T::AccountId) -> u32 {
            OwnedTokens::<T>::decode_len(who).unwrap_or(0) as u32
        }

        /// Account approved for `token_id` (ERC-721 `getApproved`).
        pub fn approved(token_id: TokenId) -> Option<T::AccountId> {
            TokenApprovals::<T>::get(token_id)
        }

        /// Whether `operator` may manage all of `owner`'s tokens (ERC-721 `isApprovedForAll`).
        pub fn is_approved_for_all(owner: &T::AccountId, operator: &T::AccountId) -> bool {
            OperatorApprovals::<T>::contains_key(owner, operator)
        }

        /// Number of existing certificates (minted minus burned).
        pub fn total_supply() -> u64 {
            TokenCount::<T>::get()
        }

        /// Number of accounts owning at least one certificate.
        pub fn holders() -> u64 {
            Holders::<T>::get()
        }

        /// Number of successful calls of this pallet.
        pub fn transactions() -> u64 {
            TransactionCount::<T>::get()
        }

        /// The pallet's invariants: every certificate has exactly one owner whose
        /// index lists it; every index entry names an existing certificate owned
        /// by that account, without duplicates; counts agree; ids are at most
        /// [`LastTokenId`]; listings and approvals refer to existing unlocked
        /// tokens, listings by their current owner.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            let mut certificates: u64 = 0;
            for (id, c) in Certificates::<T>::iter() {
                certificates = certificates.checked_add(1).ok_or("certificate count overflows")?;
                ensure!(id >= 1 && id <= LastTokenId::<T>::get(), "certificate id outside 1..=LastTokenId");
                ensure!(OwnedTokens::<T>::get(&c.owner).contains(&id), "certificate missing from its owner's index");
                ensure!((MIN_RARITY..=MAX_RARITY).contains(&c.rarity), "certificate rarity outside 1..=5");
            }
            ensure!(certificates == TokenCount::<T>::get(), "TokenCount differs from the number of certificates");
            let mut indexed: u64 = 0;
            for (owner, ids) in OwnedTokens::<T>::iter() {
                ensure!(!ids.is_empty(), "empty owner index kept in storage");
                for (i, id) in ids.iter().enumerate() {
                    ensure!(!ids[..i].contains(id), "token listed twice in an owner's index");
                    let c = Certificates::<T>::get(id).ok_or("owner index names a missing certificate")?;
                    ensure!(c.owner == owner, "owner index names a token owned by another account");
                }
                indexed = indexed.checked_add(ids.len() as u64).ok_or("index count overflows")?;
            }
            ensure!(indexed == certificates, "owner indexes and certificates differ in number");
            ensure!(
                OwnedTokens::<T>::iter_keys().count() as u64 == Holders::<T>::get(),
                "Holders differs from the number of owner indexes"
            );
            for (id, listing) in Listings::<T>::iter() {
                let c = Certificates::<T>::get(id).ok_or("listing of a missing certificate")?;
                ensure!(c.owner == listing.seller, "listing seller is not the owner");
                ensure!(!c.locked, "listing of a locked certificate");
                ensure!(!listing.price.is_zero(), "listing at price zero");
            }
            for (id, spender) in TokenApprovals::<T>::iter() {
                let c = Certificates::<T>::get(id).ok_or("approval of a missing certificate")?;
                ensure!(!c.locked, "approval of a locked certificate");
                ensure!(c.owner != spender, "owner approved for its own token");
            }
            Ok(())
        }
    }
}

impl<T: Config> ecochain_primitives::EcrBridge<T::AccountId> for Pallet<T> {
    fn lock(
        token: u64,
        owner: &T::AccountId,
    ) -> Result<ecochain_primitives::BridgedCertificate, frame_support::pallet_prelude::DispatchError> {
        let record = Self::do_lock(token, owner)?;
        Ok(ecochain_primitives::BridgedCertificate {
            certificate_type: record.certificate_type,
            impact_score: record.impact_score,
            rarity: record.rarity,
            metadata: record.metadata,
        })
    }

    fn unlock(token: u64, to: &T::AccountId) -> frame_support::pallet_prelude::DispatchResult {
        Self::do_unlock(token, to)
    }
}
