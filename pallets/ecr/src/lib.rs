//! pallet-ecr: being written.
