//! The non-CLI side of `nvctl doctor` and `nvctl check-job`: gather facts from the operator's
//! real files and the live Vault, and turn them into [`crate::checks::Findings`].
//!
//! - [`agent`]: a Nomad agent's merged configuration, checked the way the agent will meet it
//!   at start — against the Vault address, TLS files and namespace in that configuration;
//! - [`job`]: jobspecs' `vault` blocks and templates against the policies and token role;
//! - [`jobs`]: one check-job run over many job files (`check-job`, bootstrap's `jobs = [...]`);
//! - [`job_policy`]: the least-privilege policy a task's templates need (`nvctl job-policy`);
//! - [`task_policies`]: Vault's policy resolution for a token created from a role (pure);
//! - [`workload_identity`]: the live workload-identity checks (auth method, config, JWKS,
//!   role, templated policy), shared with the WI steps and `check-role`;
//! - [`secret_read`]: how consul-template turns a template's `secret` path into a request (pure);
//! - [`template_reads`]: one template call judged: policies, keys, dynamic-secret engines;
//! - [`rehearse`]: `check-job --rehearse`: Vault's own verdict with a real task token;
//! - [`wi_task`]: check-job in the workload-identity flow: the role's templated policies
//!   rendered with the task identity's claims on the mount's accessor.
//!
//! Rendering and exit codes belong to `commands/doctor.rs` and `commands/check_job.rs`.

pub mod agent;
pub mod job;
pub mod job_policy;
pub mod jobs;
pub mod rehearse;
pub mod secret_read;
pub mod task_policies;
pub mod template_reads;
pub mod wi_task;
pub mod workload_identity;
