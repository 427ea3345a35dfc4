//! vault-sandbox's conformance tests: one binary, one module per API area of vault-api.md,
//! sharing `common` (an HTTP client for the sandbox).

mod common;

mod auth_capabilities;
mod auth_policies;
mod auth_roles;
mod auth_tokens;
mod bootstrap_sequence;
mod database;
mod envelope;
mod faults;
mod init;
mod jwt_login;
mod kv;
mod leases;
mod mounts;
mod namespace;
mod nomad_engine;
mod standby;
mod tune;
mod unseal;
mod wrapping;
