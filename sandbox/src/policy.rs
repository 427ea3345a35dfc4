//! `sys/policies/acl/*` and `sys/policy/*` (vault-api.md §3).
#[derive(Debug, Default)]
pub struct PolicyStore {}
