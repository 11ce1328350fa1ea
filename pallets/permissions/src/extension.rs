//! `CheckAllowListed`: the account allow-list, enforced at transaction validation.

use crate::{Config, Pallet};
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
    pallet_prelude::TransactionSource,
    traits::{Get, OriginTrait},
    weights::Weight,
    DefaultNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::{
    impl_tx_ext_default,
    traits::{DispatchInfoOf, TransactionExtension, ValidateResult},
    transaction_validity::InvalidTransaction,
};

/// `InvalidTransaction::Custom` code for a sender that is not allow-listed.
pub const ACCOUNT_NOT_ALLOWED: u8 = 1;
/// `InvalidTransaction::Custom` code for a signed transaction longer than `MaxSignedTxBytes`.
pub const TRANSACTION_TOO_LARGE: u8 = 2;

/// Refuses signed transactions from accounts not on the allow-list, while the
/// list is enforced, and signed transactions longer than `MaxSignedTxBytes`
/// (a `remark` included). Zero-sized: clients that do not know it still sign correctly.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckAllowListed<T>(PhantomData<T>);

impl<T> CheckAllowListed<T> {
    /// The extension (it carries no data).
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> core::fmt::Debug for CheckAllowListed<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "CheckAllowListed")
    }
}

impl<T: Config + Send + Sync> TransactionExtension<T::RuntimeCall> for CheckAllowListed<T> {
    const IDENTIFIER: &'static str = "CheckAllowListed";
    type Implicit = ();
    type Val = ();
    type Pre = ();

    fn weight(&self, _: &T::RuntimeCall) -> Weight {
        // Three reads: the flag, the sender's list entry, the validator set. The flag
        // and the set are the same keys for every signed transaction of every block,
        // so they are hot in the trie cache (part of the runtime's measured base
        // extrinsic cost); the entry is the sender's own: one cold read.
        T::DbWeight::get().reads(1)
    }

    fn validate(
        &self,
        origin: <T as frame_system::Config>::RuntimeOrigin,
        _call: &T::RuntimeCall,
        _info: &DispatchInfoOf<T::RuntimeCall>,
        len: usize,
        _self_implicit: Self::Implicit,
        _inherited_implication: &impl Encode,
        _source: TransactionSource,
    ) -> ValidateResult<Self::Val, T::RuntimeCall> {
        if let Some(who) = origin.as_signer() {
            if len > T::MaxSignedTxBytes::get() as usize {
                return Err(InvalidTransaction::Custom(TRANSACTION_TOO_LARGE).into());
            }
            if !Pallet::<T>::is_account_allowed(who) {
                return Err(InvalidTransaction::Custom(ACCOUNT_NOT_ALLOWED).into());
            }
        }
        Ok((Default::default(), (), origin))
    }

    impl_tx_ext_default!(T::RuntimeCall; prepare);
}
