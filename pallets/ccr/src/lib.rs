//! pallet-ccr: being written.
