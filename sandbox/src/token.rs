//! The token store: roles, create variants, lookup, renew, revoke (vault-api.md §4–§6).
#[derive(Debug, Default)]
pub struct TokenStore {}
