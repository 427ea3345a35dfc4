//! Nomad's rules as data and pure functions: no network here.
//!
//! Each submodule reproduces one part of what Nomad checks (nomad-rules.md), quoting Nomad's
//! messages verbatim in [`crate::checks::Finding`]s and adding nvctl's own findings beside them.

pub mod agent_config;
pub mod capabilities;
pub mod go_api_error;
pub mod gofmt;
pub mod job_json;
pub mod jobspec;
pub mod role_rules;
pub mod role_spec;
pub mod stanza;
pub mod token_rules;
pub mod vault_block;
pub mod versions;
pub mod workload_identity;
