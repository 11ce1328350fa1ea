//! # Bridge — the chain side of ECT <-> ERC-20 and ECR <-> ERC-721
//!
//! Outbound (chain -> EVM): [`Pallet::lock_ect`] moves ECT into the bridge
//! account and [`Pallet::lock_ecr`] locks a certificate in place; each emits
//! [`Event::Locked`] with the next outbound nonce, which relayers turn into
//! M-of-N approved mints on the EVM side.
//!
//! Inbound (EVM -> chain): relayers (accounts with `Role::Relayer`) call
//! [`Pallet::approve_release`] for a burn event, keyed by
//! `(source chain id, transaction hash, log index)`. Every approval must agree
//! on what is released; at `Threshold` approvals the ECT (from the bridge
//! account) or the certificate is released to its chain recipient, exactly
//! once ever per key. Releases above `DelayThreshold` wait `ReleaseDelay` and
//! are then executed by anyone with [`Pallet::execute_release`].
//!
//! Limits: pause (admin), a per-transfer maximum and a rolling cap per period
//! on ECT moved in each direction.

pub use pallet::*;

pub mod weights;
pub use weights::WeightInfo;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

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
    use sp_runtime::traits::{AccountIdConversion, Zero};

    #[pallet::pallet]
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
        /// Origin allowed to pause and change limits.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// Wall-clock time.
        type Time: UnixTime;
        /// Derives the account holding locked ECT.
        #[pallet::constant]
        type PalletId: Get<PalletId>;
        /// Most relayers that can approve one release.
        #[pallet::constant]
        type MaxRelayers: Get<u32>;
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

    /// Where an inbound release comes from: (EVM chain id, transaction hash, log index).
    pub type SourceKey = (u64, H256, u32);

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

    /// State of an inbound release.
    #[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
    pub enum ReleaseState {
        /// Collecting approvals.
        Pending,
        /// Approved; executable from this Unix ms.
        Delayed(Moment),
        /// Released. Final: the key can never release again.
        Executed,
    }

    /// An inbound release and its approvals.
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
        /// Relayers who approved.
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

    /// Next outbound nonce.
    #[pallet::storage]
    pub type NextNonce<T> = StorageValue<_, u64, ValueQuery>;

    /// Outbound transfers by nonce.
    #[pallet::storage]
    pub type Outbounds<T: Config> = StorageMap<_, Twox64Concat, u64, Outbound<T::AccountId>>;

    /// Inbound releases by source key.
    #[pallet::storage]
    pub type Releases<T: Config> = StorageMap<_, Blake2_128Concat, SourceKey, ReleaseOf<T>>;

    /// ECT moved in the current period, per direction: (period index, outbound, inbound).
    #[pallet::storage]
    pub type PeriodUsage<T> = StorageValue<_, (u64, Balance, Balance), ValueQuery>;

    /// Certificates locked on chain while they live on the EVM side.
    #[pallet::storage]
    pub type LockedEcr<T> = StorageMap<_, Twox64Concat, u64, ()>;

    /// Genesis configuration.
    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// Approvals needed (M).
        pub threshold: u32,
        /// Transfer limits.
        pub limits: Option<Limits>,
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
        /// Not enough free ECT.
        InsufficientBalance,
        /// This source event was already released: never twice.
        AlreadyReleased,
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
        /// Too many approvals.
        TooManyApprovals,
        /// The threshold is zero or above the maximum.
        BadThreshold,
        /// The certificate is not locked by the bridge.
        CertificateNotLocked,
        /// A counter overflowed.
        Overflow,
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
            let certificate = T::Ecr::lock(token, &who)?;
            LockedEcr::<T>::insert(token, ());
            Self::record_outbound(who, Asset::Ecr(token), Some(certificate), recipient)
        }

        /// Approve releasing `asset` to `recipient` for the EVM burn event
        /// `source`; at the threshold it is released (or delayed).
        ///
        /// Origin: signed by a relayer. Emits [`Event::ReleaseApproved`] and
        /// then [`Event::Released`] or [`Event::ReleaseDelayed`].
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
            if let Asset::Ect(amount) = asset {
                ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
            }
            let mut release = match Releases::<T>::get(source) {
                Some(r) => {
                    ensure!(r.state != ReleaseState::Executed, Error::<T>::AlreadyReleased);
                    ensure!(r.asset == asset && r.recipient == recipient, Error::<T>::ReleaseMismatch);
                    ensure!(!r.approvals.contains(&relayer), Error::<T>::AlreadyApproved);
                    r
                }
                None => Release { asset, recipient, approvals: Default::default(), state: ReleaseState::Pending },
            };
            release.approvals.try_push(relayer.clone()).map_err(|_| Error::<T>::TooManyApprovals)?;
            let approvals = release.approvals.len() as u32;
            Self::deposit_event(Event::ReleaseApproved { source, relayer, approvals });
            if approvals >= Threshold::<T>::get() && release.state == ReleaseState::Pending {
                let delayed = match (&release.asset, BridgeLimits::<T>::get()) {
                    (Asset::Ect(amount), Some(l)) if l.delay_threshold > 0 && *amount > l.delay_threshold => {
                        Some(Self::now().saturating_add(l.release_delay_ms))
                    }
                    _ => None,
                };
                match delayed {
                    Some(until) => {
                        release.state = ReleaseState::Delayed(until);
                        Self::deposit_event(Event::ReleaseDelayed { source, until });
                    }
                    None => {
                        Self::execute(source, &release)?;
                        release.state = ReleaseState::Executed;
                    }
                }
            }
            Releases::<T>::insert(source, release);
            Ok(())
        }

        /// Execute an approved release whose delay has passed.
        ///
        /// Origin: signed (anyone). Emits [`Event::Released`].
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
        /// Origin: admin. Emits [`Event::LimitsSet`].
        #[pallet::call_index(6)]
        #[pallet::weight(T::WeightInfo::admin())]
        pub fn set_limits(origin: OriginFor<T>, limits: Option<Limits>) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            BridgeLimits::<T>::set(limits.clone());
            Self::deposit_event(Event::LimitsSet { limits });
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
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
            ensure!(limits.max_per_transfer == 0 || amount <= limits.max_per_transfer, Error::<T>::AboveMaxPerTransfer);
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
            let nonce = NextNonce::<T>::get();
            NextNonce::<T>::put(nonce.checked_add(1).ok_or(Error::<T>::Overflow)?);
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
                    T::Currency::transfer(&Self::account_id(), &release.recipient, amount, Preservation::Expendable)
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

        /// ECT held by the bridge (locked for the EVM side).
        pub fn locked_ect() -> Balance {
            T::Currency::balance(&Self::account_id())
        }

        /// Outbound transfer `nonce`, if any.
        pub fn transfer(nonce: u64) -> Option<Outbound<T::AccountId>> {
            Outbounds::<T>::get(nonce)
        }

        /// Invariants: every locked certificate is recorded once; nonces are dense.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            let next = NextNonce::<T>::get();
            ensure!(Outbounds::<T>::iter_keys().all(|n| n < next), "outbound nonce beyond the counter");
            for (_, r) in Releases::<T>::iter() {
                ensure!(r.approvals.len() as u32 <= T::MaxRelayers::get(), "too many approvals");
            }
            Ok(())
        }
    }
}
