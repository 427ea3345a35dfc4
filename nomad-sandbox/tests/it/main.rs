//! nomad-sandbox's conformance tests: one binary, one module per API area, sharing `common`
//! (a plain HTTP client). Each test cites the upstream hashicorp/nomad file:function it pins.

mod common;

mod acl_bootstrap;
mod acl_disabled;
mod acl_policies;
mod acl_tokens;
mod agent;
mod jobs;
mod wire;
mod workload_identity;
