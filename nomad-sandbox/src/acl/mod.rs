//! Nomad's ACL system: policies (rules and capabilities), tokens, the store that holds them
//! and resolves callers, and the HTTP endpoints.

pub mod endpoints;
pub mod policy;
pub mod store;
pub mod token;
