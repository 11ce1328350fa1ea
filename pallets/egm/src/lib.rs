//! pallet-egm: being written.
