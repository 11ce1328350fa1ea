//! pallet-ecs: being written.
