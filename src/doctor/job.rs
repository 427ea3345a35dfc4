//! `nvctl check-job`'s checks: per task, the effective `vault` block in Nomad's words, then —
//! against the live Vault — whether each policy exists, whether the token role lets the task
//! token carry them (Vault's resolution, [`super::task_policies`]), and whether the task's
//! policies grant what its templates read (`secret "PATH"`), evaluated locally with nvctl's
//! own ACL matcher on the policies' text read from Vault.
//!
//! Nomad accepts such jobs: Vault refuses the task token, or the secret read, only when an
//! allocation starts on a client. Finding it here is the point.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use serde::Serialize;

use super::task_policies::{self, TaskTokenPolicies};
use crate::acl::{parse_policy, Acl, Operation, PolicyDoc};
use crate::checks::{check, Finding, Findings, Severity, Source};
use crate::nomad::gofmt::{go_list, go_quote};
use crate::nomad::jobspec::{
    self, Checkable, Jobspec, Problem, SecretFunction, SecretRef, SourceLocation, Task,
    TaskTemplate,
};
use crate::vault::{TokenRole, VaultClient};

/// What check-job found about one task.
#[derive(Debug, Clone, Serialize)]
pub struct TaskReport {
    pub job: String,
    pub group: String,
    pub task: String,
    pub at: String,
    /// The job's `vault.policies`, when written as literals.
    pub policies: Option<Vec<String>>,
    /// The policies the task token gets from the role, when Vault would create it.
    pub token_policies: Option<Vec<String>>,
    pub findings: Findings,
}

/// What the policies and the role look like in Vault: fetched once each.
#[derive(Debug, Default)]
pub struct VaultState {
    /// `None` when the role does not exist.
    pub role: Option<TokenRole>,
    /// Name → its parsed text; `Ok(None)` when the policy does not exist; `Err` with why the
    /// text cannot be used (read denied, nvctl cannot parse it).
    pub policies: BTreeMap<String, Result<Option<PolicyDoc>, String>>,
}

/// Reads the role and every named policy (plus `default`), in parallel. Transport failures
/// (Vault unreachable, TLS, sealed) are errors; a denied read is kept as "not checkable".
pub fn fetch_state(
    client: &VaultClient,
    role_name: &str,
    policies: &BTreeSet<String>,
) -> Result<VaultState> {
    let mut names: BTreeSet<String> = policies.clone();
    names.insert("default".to_string());
    names.remove("root");
    let names: Vec<String> = names.into_iter().collect();
    let (role, fetched) = std::thread::scope(|scope| {
        let role_handle = scope.spawn(|| client.read_token_role(role_name));
        // A few threads at a time: jobs rarely name more than a handful of policies.
        let mut fetched = Vec::new();
        for chunk in names.chunks(8) {
            let handles: Vec<_> = chunk
                .iter()
                .map(|name| scope.spawn(move || (name.clone(), client.read_policy(name))))
                .collect();
            for h in handles {
                fetched.push(h.join());
            }
        }
        (role_handle.join(), fetched)
    });
    let internal = || anyhow::anyhow!("internal error while reading Vault");
    let role = match role.map_err(|_| internal())? {
        Ok(role) => role,
        Err(e) => {
            return Err(
                anyhow::Error::new(e).context(format!("cannot read token role {role_name:?}"))
            )
        }
    };
    let mut state = VaultState {
        role,
        policies: BTreeMap::new(),
    };
    for item in fetched {
        let (name, answer) = item.map_err(|_| internal())?;
        let entry = match answer {
            Ok(None) => Ok(None),
            Ok(Some(policy)) => parse_policy(&policy.policy, &format!("policy {name}"))
                .map(|mut doc| {
                    doc.name = Some(name.clone());
                    Some(doc)
                })
                .map_err(|errors| {
                    let first = errors.first().map(|e| e.to_string()).unwrap_or_default();
                    format!("nvctl cannot parse policy {name:?} as read from Vault: {first}")
                }),
            Err(e) if e.status().is_some() => Err(format!("cannot read policy {name:?}: {e}")),
            Err(e) => return Err(e.into()),
        };
        state.policies.insert(name, entry);
    }
    Ok(state)
}

/// Every literal policy name the tasks ask for, sanitised as Vault will.
pub fn policies_named(specs: &[Jobspec]) -> BTreeSet<String> {
    specs
        .iter()
        .flat_map(|s| &s.jobs)
        .flat_map(|j| &j.tasks)
        .filter_map(|t| t.vault.as_ref())
        .filter_map(|v| v.policies().literal().cloned())
        .flat_map(|p| task_policies::sanitize(&p, false))
        .collect()
}

/// Checks that need no Vault: Nomad's validation of the `vault` blocks and nvctl's notes on
/// templates, per task; the file's own problems under the job.
pub fn offline_findings(spec: &Jobspec) -> Findings {
    let mut findings = Findings::new();
    for problem in &spec.problems {
        findings.push(problem_finding(problem.clone(), &file_subject(spec)));
    }
    findings
}

fn file_subject(spec: &Jobspec) -> String {
    spec.file.display().to_string()
}

fn task_subject(job: &str, task: &Task) -> String {
    format!("{job}/{}/{} ({})", task.group, task.name, task.at)
}

fn problem_finding(problem: Problem, fallback: &str) -> Finding {
    let subject = problem
        .at
        .as_ref()
        .map_or(fallback.to_string(), SourceLocation::to_string);
    Finding::new(
        problem.severity,
        problem.source,
        check::JOB,
        subject,
        problem.message,
    )
}

/// Every check of one task, offline and against `state`.
pub fn check_task(job: &str, task: &Task, role_name: &str, state: &VaultState) -> TaskReport {
    let subject = task_subject(job, task);
    let mut findings = Findings::new();
    for problem in jobspec::check_task(task, false) {
        findings.push(problem_finding(problem, &subject));
    }
    let mut report = TaskReport {
        job: job.to_string(),
        group: task.group.clone(),
        task: task.name.clone(),
        at: task.at.to_string(),
        policies: None,
        token_policies: None,
        findings: Findings::new(),
    };
    let Some(vault) = &task.vault else {
        report.findings = findings;
        return report;
    };

    if let Some(ns) = &vault.namespace {
        let what = match &ns.value {
            Checkable::Literal(n) => go_quote(n),
            Checkable::NotCheckable { expression } => expression.clone(),
        };
        findings.push(
            Finding::nvctl(
                Severity::Warning,
                check::JOB,
                ns.at.to_string(),
                format!("vault.namespace = {what}: Vault namespaces in jobs need Nomad Enterprise; nvctl checked the policies in its own namespace"),
            )
            .with_remedy("drop namespace on Nomad Community Edition, or run check-job with VAULT_NAMESPACE set to it"),
        );
    }
    if let Some(role) = &vault.role {
        findings.push(Finding::nvctl(
            Severity::Info,
            check::JOB,
            role.at.to_string(),
            "vault.role names a workload-identity JWT role: not checked here (the task token role is --role)",
        ));
    }

    let Some(requested) = vault.policies().literal().cloned() else {
        // Not checkable: jobspec::check_task said so already.
        report.findings = findings;
        return report;
    };
    let requested = task_policies::sanitize(&requested, false);
    report.policies = Some(requested.clone());
    if requested.iter().any(|p| p == "root") {
        // Nomad refuses the job ("Can not specify \"root\" policy"); nothing more to learn.
        report.findings = findings;
        return report;
    }
    let policies_at = vault
        .policies
        .as_ref()
        .map_or(vault.at.to_string(), |p| p.at.to_string());

    for name in &requested {
        if let Some(Ok(None)) = state.policies.get(name) {
            findings.push(
                Finding::vault(
                    Severity::Error,
                    check::JOB,
                    policies_at.clone(),
                    format!("Policy {} does not exist", go_quote(name)),
                )
                .with_remedy(format!(
                    "write it (vault policy write {name} FILE) or fix the name: Vault still creates the task token, but it grants nothing through {name:?}"
                )),
            );
        }
    }

    let resolution = match &state.role {
        None => {
            findings.push(
                Finding::vault(
                    Severity::Error,
                    check::JOB,
                    format!("auth/token/create/{role_name}"),
                    format!("unknown role {role_name}"),
                )
                .with_remedy(
                    "the allocation will fail at run time: create the role (nvctl role create) or pass the servers' create_from_role with --role",
                ),
            );
            None
        }
        Some(role) => Some(task_policies::resolve(role, &requested)),
    };
    let token_policies = match &resolution {
        Some(TaskTokenPolicies::Granted(p)) => {
            report.token_policies = Some(p.clone());
            p.clone()
        }
        Some(TaskTokenPolicies::Refused {
            message,
            forbidden_by,
            requested,
        }) => {
            findings.push(
                Finding::vault(Severity::Error, check::JOB, policies_at.clone(), message.clone())
                    .with_remedy(format!(
                        "Nomad accepts the job, but the allocation will fail at run time when a client asks for the task token (auth/token/create/{role_name}): change the job's policies or the role's {forbidden_by}"
                    )),
            );
            requested.clone()
        }
        Some(TaskTokenPolicies::DependsOnServerToken { requested }) => {
            findings.push(
                Finding::nvctl(
                    Severity::Warning,
                    check::JOB,
                    format!("auth/token/roles/{role_name}"),
                    "the role has neither allowed nor disallowed policies: Vault only creates the task token if the Nomad servers' own token holds every policy the job asks for (\"child policies must be subset of parent\")",
                )
                .with_remedy("set disallowed_policies = \"nomad-server\" (or an allowed_policies list) on the role"),
            );
            requested.clone()
        }
        None => task_policies::sanitize(&requested, true),
    };

    for template in &task.templates {
        for secret in template.secret_refs() {
            if let Some(f) = check_secret(&subject, template, &secret, &token_policies, state) {
                findings.push(f);
            }
        }
    }
    report.findings = findings;
    report
}

/// A template's `secret`/`secrets` use against the task token's policies.
fn check_secret(
    subject: &str,
    template: &TaskTemplate,
    secret: &SecretRef,
    policies: &[String],
    state: &VaultState,
) -> Option<Finding> {
    let Checkable::Literal(path) = &secret.path else {
        return None; // reported as not checkable by jobspec::check_task
    };
    let path = path.trim_start_matches('/');
    let at =
        SourceLocation::new(&template.at.file, secret.file_line.or(template.at.line)).to_string();
    let (op, call) = match (secret.function, secret.writes) {
        (SecretFunction::Secrets, _) => (Operation::List, "secrets"),
        (SecretFunction::Secret, true) => (Operation::Update, "secret (write)"),
        (SecretFunction::Secret, false) => (Operation::Read, "secret"),
    };
    let mut docs = Vec::new();
    for name in policies {
        match state.policies.get(name) {
            Some(Ok(Some(doc))) => docs.push(doc.clone()),
            Some(Ok(None)) => {} // missing: grants nothing (reported above)
            Some(Err(why)) => {
                return Some(Finding::nvctl(
                    Severity::Warning,
                    check::JOB,
                    at,
                    format!("template {call} {}: not checkable: {why}", go_quote(path)),
                ));
            }
            None => {
                return Some(Finding::nvctl(
                    Severity::Warning,
                    check::JOB,
                    at,
                    format!(
                        "template {call} {}: not checkable: policy {name:?} was not read",
                        go_quote(path)
                    ),
                ))
            }
        }
    }
    let acl = Acl::from_policies(&docs);
    if acl.allows(op, path) {
        return None;
    }
    let caps: Vec<String> = acl.capabilities(path).into_iter().collect();
    let needed = op.required_capability();
    // A templated rule (identity metadata, filled per token) may match: only when the text
    // before its first `{{` is a prefix of the path and it grants the capability.
    let template_may_grant = docs.iter().flat_map(|d| &d.rules).any(|r| {
        let literal_prefix = r.path.split("{{").next().unwrap_or_default();
        r.is_templated()
            && path.starts_with(literal_prefix)
            && r.capabilities.iter().any(|c| c == needed)
    });
    if template_may_grant {
        return Some(Finding::nvctl(
            Severity::Warning,
            check::JOB,
            at,
            format!(
                "template {call} {}: no literal rule grants {needed:?}, and a templated path (identity metadata) may: not checkable",
                go_quote(path)
            ),
        ));
    }
    Some(
        Finding::new(
            Severity::Error,
            Source::Nvctl,
            check::JOB,
            at,
            format!(
                "template {call} {} will be denied: task {} holds policies {} which grant {} on it, not {needed:?}",
                go_quote(path),
                subject,
                go_list(policies),
                go_list(&caps)
            ),
        )
        .with_remedy(format!(
            "Vault answers \"permission denied\" and the template blocks the task: add to one of the task's policies path {} {{ capabilities = [\"{needed}\"] }}, or add a policy that grants it to the job's vault.policies",
            go_quote(path)
        )),
    )
}
