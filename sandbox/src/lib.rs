//! `vault-sandbox`: an in-memory server that speaks Vault's HTTP API on loopback.
//!
//! It is the other side of the wire for nvctl's end-to-end tests and for `nvctl dev`. It is
//! written from `vault-api.md` and the upstream sources, never from nvctl's code, so that a
//! misunderstanding in nvctl's client is not mirrored by the same misunderstanding here.

pub mod api;
pub mod state;

// The front end and the platform (owned together): HTTP, envelopes, seal, faults, mounts.
pub mod clock;
pub mod flavor;
pub mod mounts;
pub mod seal;

// The auth side (owned together): ACL engine, policies, tokens, roles, capabilities.
pub mod acl;
pub mod auth;
pub mod capabilities;
pub mod policy;
pub mod token;
