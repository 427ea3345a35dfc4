//! nvctl: bootstrap and verify the Nomad ↔ Vault integration against a live Vault.

pub mod checks;
pub mod nomad;
pub mod secret;
pub mod vault;
