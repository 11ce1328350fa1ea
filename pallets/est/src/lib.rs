//! pallet-est: being written.
