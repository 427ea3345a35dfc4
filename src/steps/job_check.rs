//! The bootstrap's last stage when its configuration lists `jobs = [...]`: check-job on those
//! job files against what the run has just set up (`doctor::jobs`), with the rehearsal in the
//! legacy flow (a real task token from the role, judged by Vault, revoked). It plans nothing
//! and writes nothing of its own; its verification is the check, whose findings become the
//! step's (and so the summary's, the JSON report's and the exit code's), and whose whole
//! report is published as a fact ([`JobsReport`]) for the JSON report.

use anyhow::Result;

use super::pipeline::Facts;
use super::{Plan, Step};
use crate::checks::Findings;
use crate::doctor::jobs::{self, JobFlow, JobsReport};
use crate::nomad::jobspec::Jobspec;
use crate::output::Ui;
use crate::vault::VaultClient;

pub struct JobCheckStep {
    specs: Vec<Jobspec>,
    flow: JobFlow,
    facts: Facts,
}

impl JobCheckStep {
    pub fn new(specs: Vec<Jobspec>, flow: JobFlow, facts: &Facts) -> JobCheckStep {
        JobCheckStep {
            specs,
            flow,
            facts: facts.clone(),
        }
    }

    fn files(&self) -> String {
        self.specs
            .iter()
            .map(|s| s.file.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Step for JobCheckStep {
    fn name(&self) -> &'static str {
        "jobs"
    }

    /// Judged against the policies, role and secrets the stages above write.
    fn reads_earlier_writes(&self) -> bool {
        true
    }

    fn observe(&mut self, _client: &VaultClient) -> Result<()> {
        Ok(())
    }

    fn plan(&self) -> Plan {
        Plan::nothing(self.files(), "job checks").with_in_place(format!(
            "jobs {}: check-job{} runs once the steps above are verified (not under --plan)",
            self.files(),
            if self.flow.rehearsed() {
                " --rehearse"
            } else {
                ""
            },
        ))
    }

    fn apply(&mut self, _client: &VaultClient, _ui: &Ui) -> Result<()> {
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let report = jobs::check(client, &self.specs, &self.flow)?;
        let findings = report.findings.clone();
        self.facts.put::<JobsReport>(report);
        Ok(findings)
    }
}
