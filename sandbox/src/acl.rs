//! Policy parsing and the ACL engine with Vault's path-matching priority (vault-api.md §3).
