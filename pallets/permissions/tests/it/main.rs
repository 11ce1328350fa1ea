//! Permissions pallet tests, by topic, on a mock runtime.
//! The mock runtime is `pallet_permissions::mock` (feature `mock`).

mod allow_lists;
mod governance;
mod node_ids;
mod validators;
