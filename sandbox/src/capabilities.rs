//! `sys/capabilities` and `sys/capabilities-self` (vault-api.md §7).
