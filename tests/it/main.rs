//! nvctl's end-to-end tests: one binary, one module per command or concern, sharing
//! `support` (the harness: the real binary against a Vault over real HTTP).

mod support;

mod bootstrap;
mod bootstrap_config;
mod bootstrap_jobs;
mod bounds;
mod check_job;
mod completions;
mod consent;
mod database;
mod dev;
mod doctor;
mod init;
mod inputs;
mod job_policy;
mod json_output;
mod keys;
mod nomad_secrets;
mod own_files;
mod policy;
mod role;
mod sealed;
mod security;
mod sequence;
mod settings;
mod shapes;
mod temp_files;
mod tls;
mod token;
mod transcripts;
mod unseal;
mod verdict;
mod wi_nomad;
mod workload_identity;
mod wrapping;
