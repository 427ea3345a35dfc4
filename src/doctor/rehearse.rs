//! `check-job --rehearse` (legacy token flow): do for each task what a Nomad server does when
//! an allocation starts — ask Vault for a task token from the token role with the job's
//! policies (`auth/token/create/<role>`, as nomad/vault.go `CreateToken` does) — then ask
//! Vault in one request what that token may do on every path the task's templates request
//! (`sys/capabilities-self`), and revoke it by accessor. This is Vault's own verdict, not
//! nvctl's model of it; where they disagree, both are reported.
//!
//! One rehearsal per distinct policy set, all sets concurrently, three requests each. The
//! minted token is never printed, logged or kept; it is revoked even when the capability
//! request fails, and a token that cannot be revoked is reported with its accessor (it also
//! carries a short TTL, unless the role makes it periodic).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::job::{ModelToken, TaskReport};
use crate::checks::{check, Finding, Severity};
use crate::nomad::gofmt::{go_list, go_quote};
use crate::vault::{TokenCreateRequest, VaultClient, VaultError};

/// The TTL asked for the rehearsal token: long enough for two requests on a slow link.
const REHEARSAL_TTL_SECS: u64 = 120;

/// What Vault did with the task token request for one policy set.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TokenVerdict {
    /// The policies asked for (the job's `vault.policies`).
    pub requested: Vec<String>,
    /// `created` or `refused`.
    pub outcome: String,
    /// The token's policies, when created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_policies: Option<Vec<String>>,
    /// The rehearsal token's accessor (not a secret: it cannot be used to authenticate), so
    /// its revocation can be checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accessor: Option<String>,
    /// Vault's error, when refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vault_error: Option<String>,
    /// Path → capabilities, from `sys/capabilities-self` with the task token.
    #[serde(skip)]
    pub capabilities: BTreeMap<String, Vec<String>>,
    /// Why the token could not be revoked (its accessor is named), if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoke_problem: Option<String>,
}

/// Rehearses every distinct policy set of `tasks` and records Vault's verdicts on them. Only
/// a failure to reach Vault is an error; Vault refusing is a verdict.
pub fn rehearse_legacy(
    client: &VaultClient,
    role: &str,
    tasks: &mut [TaskReport],
) -> Result<(), VaultError> {
    let mut sets: BTreeMap<Vec<String>, BTreeSet<String>> = BTreeMap::new();
    for task in tasks.iter() {
        if let Some(policies) = &task.policies {
            let paths = sets.entry(policies.clone()).or_default();
            paths.extend(task.reads.iter().map(|r| r.requested.clone()));
        }
    }
    let sets: Vec<(Vec<String>, Vec<String>)> = sets
        .into_iter()
        .map(|(p, paths)| (p, paths.into_iter().collect()))
        .collect();
    let verdicts = super::job::concurrently(&sets, |(policies, paths)| {
        rehearse_one(client, role, policies, paths)
    });
    let mut by_set = BTreeMap::new();
    for ((policies, _), verdict) in sets.into_iter().zip(verdicts) {
        by_set.insert(policies, verdict?);
    }
    for task in tasks.iter_mut() {
        let Some(verdict) = task.policies.as_ref().and_then(|p| by_set.get(p)) else {
            continue;
        };
        compare(task, role, verdict);
        task.rehearsal = Some(verdict.clone());
    }
    Ok(())
}

fn rehearse_one(
    client: &VaultClient,
    role: &str,
    policies: &[String],
    paths: &[String],
) -> Result<TokenVerdict, VaultError> {
    let request = TokenCreateRequest {
        policies: policies.to_vec(),
        ttl: Some(REHEARSAL_TTL_SECS),
        display_name: Some("nvctl-check-job-rehearsal".into()),
        meta: BTreeMap::from([("nvctl".into(), "check-job --rehearse".into())]),
        ..TokenCreateRequest::default()
    };
    let mut verdict = TokenVerdict {
        requested: policies.to_vec(),
        outcome: "refused".into(),
        token_policies: None,
        accessor: None,
        vault_error: None,
        capabilities: BTreeMap::new(),
        revoke_problem: None,
    };
    let created = match client.create_token_for_role(role, &request) {
        Ok(created) => created,
        Err(e) if e.status().is_some() && !e.is_sealed() && !e.may_have_been_applied() => {
            verdict.vault_error = Some(e.errors().join("; "));
            return Ok(verdict);
        }
        Err(e) => return Err(e),
    };
    verdict.outcome = "created".into();
    verdict.token_policies = Some(created.auth.policies.clone());
    let accessor = created.auth.accessor.clone();
    verdict.accessor = Some(accessor.clone());
    let task_client = client.with_token(created.auth.client_token);
    let capabilities = if paths.is_empty() {
        Ok(BTreeMap::new())
    } else {
        task_client.capabilities_self(paths)
    };
    // Revoke whatever happened above, with the operator's token.
    if let Err(e) = client.revoke_accessor(&accessor) {
        verdict.revoke_problem = Some(format!(
            "the rehearsal token (accessor {accessor}) could not be revoked: {e}; it expires on its own in {REHEARSAL_TTL_SECS}s unless the role makes it periodic (vault token revoke -accessor {accessor})"
        ));
    }
    verdict.capabilities = capabilities?;
    Ok(verdict)
}

/// Adds Vault's verdict to a task's findings where it differs from nvctl's model; where Vault
/// allows what the model denied, the model's error gives way (Vault's verdict stands).
fn compare(task: &mut TaskReport, role: &str, verdict: &TokenVerdict) {
    let subject = format!("{}/{}/{} ({})", task.job, task.group, task.task, task.at);
    let create_path = format!("auth/token/create/{role}");
    if let Some(problem) = &verdict.revoke_problem {
        task.findings.push(Finding::nvctl(
            Severity::Warning,
            check::JOB,
            create_path.clone(),
            problem.clone(),
        ));
    }
    match (&task.model_token, verdict.vault_error.as_deref()) {
        (ModelToken::Created, Some(vault)) => task.findings.push(
            Finding::vault(Severity::Error, check::JOB, create_path.clone(), vault.to_owned())
                .with_remedy(format!(
                    "rehearsed: Vault refused a task token for {subject} with policies {} (nvctl's model expected it to be created: please report the difference); the allocation will fail at run time",
                    go_list(&verdict.requested)
                )),
        ),
        (ModelToken::Refused(model), None) => {
            let model = model.clone();
            task.findings.retain(|f| f.message != model);
            task.findings.push(Finding::nvctl(
                Severity::Warning,
                check::JOB,
                create_path.clone(),
                format!(
                    "rehearsed: Vault created the task token (policies {}) where nvctl's model expected {}; Vault's verdict stands — please report the difference",
                    go_list(verdict.token_policies.as_deref().unwrap_or_default()),
                    go_quote(&model)
                ),
            ));
        }
        (ModelToken::Unknown, Some(vault)) => task.findings.push(
            Finding::vault(Severity::Error, check::JOB, create_path.clone(), vault.to_owned())
                .with_remedy("rehearsed: Vault refuses the task token this job asks for; the allocation will fail at run time"),
        ),
        _ => {}
    }
    if verdict.outcome != "created" {
        return;
    }
    for read in &mut task.reads {
        let Some(caps) = verdict.capabilities.get(&read.requested) else {
            continue;
        };
        read.vault_capabilities = Some(caps.clone());
        let vault_allows = caps.iter().any(|c| c == "root" || *c == read.capability);
        match (read.model_allows, vault_allows) {
            (Some(true), false) => task.findings.push(
                Finding::vault(
                    Severity::Error,
                    check::JOB,
                    read.at.clone(),
                    format!(
                        "capabilities-self for a task token of role {role} with policies {} on {}: {}",
                        go_list(&verdict.requested),
                        go_quote(&read.requested),
                        go_list(caps)
                    ),
                )
                .with_remedy(format!(
                    "rehearsed: Vault denies {:?} where nvctl's model expected it granted (please report the difference); the template will get \"permission denied\"",
                    read.capability
                )),
            ),
            (Some(false), true) => {
                let at = read.at.clone();
                task.findings
                    .retain(|f| !(f.subject == at && f.message.contains("will be denied")));
                task.findings.push(Finding::nvctl(
                    Severity::Warning,
                    check::JOB,
                    at,
                    format!(
                        "rehearsed: Vault grants {} on {} to the task token where nvctl's model expected a denial; Vault's verdict stands — please report the difference",
                        go_list(caps),
                        go_quote(&read.requested)
                    ),
                ));
            }
            (None, false) => task.findings.push(
                Finding::vault(
                    Severity::Error,
                    check::JOB,
                    read.at.clone(),
                    format!(
                        "capabilities-self for a task token of role {role} with policies {} on {}: {}",
                        go_list(&verdict.requested),
                        go_quote(&read.requested),
                        go_list(caps)
                    ),
                )
                .with_remedy("rehearsed: the template will get \"permission denied\""),
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{Findings, Source};
    use crate::doctor::job::ReadReport;

    fn task(model_allows: bool) -> TaskReport {
        let mut findings = Findings::new();
        if !model_allows {
            findings.push(Finding::nvctl(
                Severity::Error,
                check::JOB,
                "job.nomad.hcl:20",
                "template secret \"secret/data/a\" will be denied: …",
            ));
        }
        TaskReport {
            job: "web".into(),
            group: "g".into(),
            task: "t".into(),
            at: "job.nomad.hcl:5".into(),
            policies: Some(vec!["app".into()]),
            token_policies: Some(vec!["app".into(), "default".into()]),
            reads: vec![ReadReport {
                at: "job.nomad.hcl:20".into(),
                path: "secret/data/a".into(),
                requested: "secret/data/a".into(),
                capability: "read".into(),
                mount: Some("secret/".into()),
                engine: Some("KV v2".into()),
                model_allows: Some(model_allows),
                vault_capabilities: None,
            }],
            model_token: ModelToken::Created,
            rehearsal: None,
            findings,
        }
    }

    fn verdict(caps: &[&str]) -> TokenVerdict {
        TokenVerdict {
            requested: vec!["app".into()],
            outcome: "created".into(),
            token_policies: Some(vec!["app".into(), "default".into()]),
            accessor: Some("acc".into()),
            vault_error: None,
            capabilities: BTreeMap::from([(
                "secret/data/a".to_owned(),
                caps.iter().map(|c| c.to_string()).collect(),
            )]),
            revoke_problem: None,
        }
    }

    #[test]
    fn vault_denying_what_the_model_allowed_is_an_error_in_vaults_terms() {
        let mut t = task(true);
        compare(&mut t, "nomad-cluster", &verdict(&["deny"]));
        let f: Vec<&Finding> = t.findings.iter().collect();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].source, Source::Vault);
        assert!(f[0].is_error());
        assert!(f[0].message.contains("[deny]"), "{}", f[0].message);
        assert_eq!(t.reads[0].vault_capabilities, Some(vec!["deny".to_owned()]));
    }

    #[test]
    fn vault_granting_what_the_model_denied_replaces_the_models_error() {
        let mut t = task(false);
        compare(&mut t, "nomad-cluster", &verdict(&["read"]));
        let f: Vec<&Finding> = t.findings.iter().collect();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].message.contains("Vault's verdict stands"));
    }

    #[test]
    fn agreement_adds_nothing_and_vault_refusing_a_modelled_token_is_reported() {
        let mut t = task(true);
        compare(&mut t, "nomad-cluster", &verdict(&["read", "list"]));
        assert!(t.findings.is_empty());
        let mut t = task(true);
        let mut refused = verdict(&[]);
        refused.outcome = "refused".into();
        refused.vault_error = Some("token policy \"app\" is disallowed by this role".into());
        compare(&mut t, "nomad-cluster", &refused);
        let f: Vec<&Finding> = t.findings.iter().collect();
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "token policy \"app\" is disallowed by this role"
        );
        assert_eq!(f[0].subject, "auth/token/create/nomad-cluster");
    }
}
