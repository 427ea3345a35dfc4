//! Init, unseal, seal, seal-status and health (vault-api.md §1–§2).
#[derive(Debug, Default)]
pub struct SealState {}
