//! pallet-permissions: being written.
