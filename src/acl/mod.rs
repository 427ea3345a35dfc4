//! Vault ACL policy text on nvctl's side: parsing with `file:line` errors, normalising for
//! "equal, nothing to do", evaluating paths with Vault's matching rules, and the shipped
//! `nomad-server` policy template. Written from vault-api.md §3 and Vault's `policy.go` /
//! `acl.go`, independently of the sandbox's engine.

pub mod matcher;
pub mod policy;
pub mod template;

pub use matcher::{Acl, Operation};
pub use policy::{
    canonical_text, normalise, parse_policy, policy_name, PathRule, PolicyDoc, PolicyError,
};
pub use template::{render_server_policy, DEFAULT_ROLE, SERVER_POLICY_NAME};
