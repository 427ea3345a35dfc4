//! One check-job run over many job files, shared by `nvctl check-job` and the bootstrap's
//! last verification (`jobs = [...]` in its configuration): read what the jobs are judged
//! against once ([`super::job::fetch_state`]), judge every task in its flow, then — legacy
//! flow, `--rehearse` — Vault's own verdict once per distinct policy set. Rendering and the
//! exit code are the callers'.

use std::path::PathBuf;

use anyhow::Result;
use serde::Serialize;

use super::job::{self, TaskReport};
use super::{rehearse, wi_task};
use crate::checks::Findings;
use crate::nomad::jobspec::Jobspec;
use crate::vault::VaultClient;

/// How the tasks get their Vault token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobFlow {
    /// The legacy token flow: task tokens from the token `role`; with `rehearse`, a real one
    /// is minted per distinct policy set, judged by Vault and revoked.
    Legacy { role: String, rehearse: bool },
    /// Workload identity: tasks log in at the JWT auth method at `auth_path`.
    WorkloadIdentity { auth_path: String },
}

impl JobFlow {
    /// `legacy` or `workload-identity`, as `--flow` spells it.
    pub fn name(&self) -> &'static str {
        match self {
            JobFlow::Legacy { .. } => "legacy",
            JobFlow::WorkloadIdentity { .. } => "workload-identity",
        }
    }

    pub fn rehearsed(&self) -> bool {
        matches!(self, JobFlow::Legacy { rehearse: true, .. })
    }
}

/// What was found in one job file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: PathBuf,
    pub jobs: Vec<String>,
    /// The file's own problems (not a task's).
    pub findings: Findings,
    pub tasks: Vec<TaskReport>,
}

/// What one run found, file by file, and every finding together.
#[derive(Debug, Clone, Default, Serialize)]
pub struct JobsReport {
    pub files: Vec<FileReport>,
    pub findings: Findings,
}

/// Judges every task of `specs` against the live Vault; only an unreachable Vault (or one
/// that answers nothing usable) is an error.
pub fn check(client: &VaultClient, specs: &[Jobspec], flow: &JobFlow) -> Result<JobsReport> {
    let role = match flow {
        JobFlow::Legacy { role, .. } => Some(role.as_str()),
        JobFlow::WorkloadIdentity { .. } => None,
    };
    let state = job::fetch_state(client, role, specs)?;
    let wi = match flow {
        JobFlow::WorkloadIdentity { auth_path } => Some(wi_task::fetch(client, auth_path, specs)?),
        JobFlow::Legacy { .. } => None,
    };

    // Every task first, so a rehearsal can cover each distinct policy set once.
    let mut indices = Vec::new();
    let mut tasks = Vec::new();
    for (index, spec) in specs.iter().enumerate() {
        for j in &spec.jobs {
            for t in &j.tasks {
                tasks.push(match &wi {
                    Some(facts) => wi_task::check_task(j, t, facts, &state),
                    None => job::check_task(&j.name, t, role.unwrap_or_default(), &state),
                });
                indices.push(index);
            }
        }
    }
    if let JobFlow::Legacy {
        role,
        rehearse: true,
    } = flow
    {
        rehearse::rehearse_legacy(client, role, &mut tasks)?;
    }

    let mut report = JobsReport::default();
    let mut tasks: Vec<(usize, TaskReport)> = indices.into_iter().zip(tasks).collect();
    for (index, spec) in specs.iter().enumerate() {
        let file_findings = job::offline_findings(spec);
        let (mine, rest): (Vec<_>, Vec<_>) = tasks.into_iter().partition(|(i, _)| *i == index);
        tasks = rest;
        let file_tasks: Vec<TaskReport> = mine.into_iter().map(|(_, t)| t).collect();
        report.findings.extend(file_findings.iter().cloned());
        for t in &file_tasks {
            report.findings.extend(t.findings.iter().cloned());
        }
        report.files.push(FileReport {
            file: spec.file.clone(),
            jobs: spec.jobs.iter().map(|j| j.name.clone()).collect(),
            findings: file_findings,
            tasks: file_tasks,
        });
    }
    Ok(report)
}
