//! check-job in the workload-identity flow (Nomad ≥ 1.7): a task logs in to Vault's `jwt`
//! auth method with its signed identity and gets the JWT role's `token_policies` — the job's
//! `vault.policies` play no part. Those policies are usually templated on the identity's
//! alias metadata (`{{identity.entity.aliases.<ACCESSOR>.metadata.nomad_job_id}}`, as
//! `nomad setup vault` writes them), so whether a template's read is granted depends on the
//! claims the task's identity carries and on the auth mount's accessor.
//!
//! nvctl evaluates the templates as Vault will for this task: the claims Nomad puts in a task
//! identity (`nomad_namespace`, `nomad_job_id`, `nomad_task`; nomad `structs.IdentityClaims`)
//! mapped to alias metadata by the role's `claim_mappings`, on the mount's real accessor. A
//! template Vault cannot fill (another accessor, a key the mappings never set) drops its path
//! (vault `policy.go` parsePaths skips a path whose template fails), so an accessor or
//! metadata mismatch shows up here, before a 403.
//!
//! The namespace claim is the job's `namespace` attribute (Nomad's `default` when absent); a
//! namespace computed at run time (a variable) leaves templated policies not checkable.
//! Limits: alias `name`/entity templates are not filled (reported as not checkable).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;

use super::job::{self, ModelToken, TaskReport, VaultState};
use crate::acl::{parse_policy, PathRule, PolicyDoc};
use crate::checks::{check, Finding, Severity};
use crate::nomad::gofmt::go_list;
use crate::nomad::jobspec::{self, Checkable, Job, Jobspec, Task};
use crate::vault::{JwtRole, VaultClient};

/// What Vault holds for the workload-identity flow, read once.
#[derive(Debug, Default)]
pub struct WiFacts {
    pub auth_path: String,
    /// The jwt mount's accessor; `None` when nothing is mounted at `auth_path`.
    pub accessor: Option<String>,
    /// The config's `default_role` (used when a task names no `vault.role`).
    pub default_role: Option<String>,
    pub roles: BTreeMap<String, Option<JwtRole>>,
    /// The roles' policies, by name.
    pub policies: BTreeMap<String, Result<Option<PolicyDoc>, String>>,
}

/// The JWT role a task logs in with: its `vault.role`, else the auth method's default role.
fn role_of(task: &Task, facts: &WiFacts) -> Option<String> {
    match task
        .vault
        .as_ref()
        .and_then(|v| v.role.as_ref())
        .map(|r| &r.value)
    {
        Some(Checkable::Literal(role)) => Some(role.clone()),
        Some(Checkable::NotCheckable { .. }) => None,
        None => facts.default_role.clone(),
    }
}

/// Reads the auth mount, its default role, the roles the tasks use and their policies.
pub fn fetch(client: &VaultClient, auth_path: &str, specs: &[Jobspec]) -> Result<WiFacts> {
    let path = auth_path.trim_matches('/').to_owned();
    let mounts = client.list_auth_mounts()?;
    let mut facts = WiFacts {
        accessor: mounts.get(&format!("{path}/")).map(|m| m.accessor.clone()),
        auth_path: path.clone(),
        ..WiFacts::default()
    };
    if facts.accessor.is_none() {
        return Ok(facts);
    }
    facts.default_role = client
        .read_jwt_config(&path)?
        .and_then(|c| c.default_role)
        .filter(|r| !r.is_empty());
    let names: Vec<String> = specs
        .iter()
        .flat_map(|s| &s.jobs)
        .flat_map(|j| &j.tasks)
        .filter_map(|t| role_of(t, &facts))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for (name, role) in names.iter().zip(job::concurrently(&names, |n| {
        client.read_jwt_role(&path, n)
    })) {
        facts.roles.insert(name.clone(), role?);
    }
    let mut policy_names: BTreeSet<String> = facts
        .roles
        .values()
        .flatten()
        .flat_map(|r| r.token_policies.clone().unwrap_or_default())
        .collect();
    policy_names.insert("default".into());
    let policy_names: Vec<String> = policy_names.into_iter().collect();
    for (name, answer) in policy_names
        .iter()
        .zip(job::concurrently(&policy_names, |n| client.read_policy(n)))
    {
        let entry = match answer {
            Ok(None) => Ok(None),
            Ok(Some(p)) => parse_policy(&p.policy, &format!("policy {name}"))
                .map(|mut doc| {
                    doc.name = Some(name.clone());
                    Some(doc)
                })
                .map_err(|_| format!("nvctl cannot parse policy {name:?} as read from Vault")),
            Err(e) if e.status().is_some() => Err(format!("cannot read policy {name:?}: {e}")),
            Err(e) => return Err(e.into()),
        };
        facts.policies.insert(name.clone(), entry);
    }
    Ok(facts)
}

/// Why a templated path was dropped for this task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dropped {
    /// Templated on another mount's accessor.
    OtherAccessor { policy: String, accessor: String },
    /// A metadata key the role's claim mappings never set.
    UnmappedKey { policy: String, key: String },
    /// A template nvctl does not fill (alias name, entity fields).
    NotModelled { policy: String, template: String },
}

/// The policy as Vault renders it for a token whose alias on `accessor` carries `metadata`:
/// templates filled, paths whose template cannot be filled dropped (and said why).
pub fn render(
    doc: &PolicyDoc,
    accessor: &str,
    metadata: &BTreeMap<String, String>,
) -> (PolicyDoc, Vec<Dropped>) {
    let policy = doc.name.clone().unwrap_or_default();
    let mut rules = Vec::new();
    let mut dropped = Vec::new();
    'rules: for rule in &doc.rules {
        if !rule.is_templated() {
            rules.push(rule.clone());
            continue;
        }
        let mut out = String::new();
        let mut rest = rule.path.as_str();
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                break;
            };
            let inner = after[..end].trim();
            rest = &after[end + 2..];
            let filled = inner
                .strip_prefix("identity.entity.aliases.")
                .and_then(|tail| tail.split_once('.'))
                .map(|(acc, field)| (acc, field.strip_prefix("metadata.")));
            match filled {
                Some((acc, _)) if acc != accessor => {
                    dropped.push(Dropped::OtherAccessor {
                        policy: policy.clone(),
                        accessor: acc.to_owned(),
                    });
                    continue 'rules;
                }
                Some((_, Some(key))) => match metadata.get(key) {
                    Some(value) => out.push_str(value),
                    None => {
                        dropped.push(Dropped::UnmappedKey {
                            policy: policy.clone(),
                            key: key.to_owned(),
                        });
                        continue 'rules;
                    }
                },
                _ => {
                    dropped.push(Dropped::NotModelled {
                        policy: policy.clone(),
                        template: inner.to_owned(),
                    });
                    continue 'rules;
                }
            }
        }
        out.push_str(rest);
        rules.push(PathRule {
            path: out,
            ..rule.clone()
        });
    }
    (
        PolicyDoc {
            name: doc.name.clone(),
            rules,
            warnings: doc.warnings.clone(),
        },
        dropped,
    )
}

/// The alias metadata Vault sets for this task's identity: the claims Nomad signs, through
/// the role's `claim_mappings` (claim → metadata key).
pub fn task_metadata(
    job_id: &str,
    namespace: &str,
    task: &Task,
    role: &JwtRole,
) -> BTreeMap<String, String> {
    let claims = BTreeMap::from([
        ("nomad_namespace", namespace.to_owned()),
        ("nomad_job_id", job_id.to_owned()),
        ("nomad_task", task.name.clone()),
    ]);
    role.claim_mappings
        .iter()
        .flatten()
        .filter_map(|(claim, key)| {
            claims
                .get(claim.trim_start_matches('/'))
                .map(|v| (key.clone(), v.clone()))
        })
        .collect()
}

/// Every check of one task in the workload-identity flow.
pub fn check_task(job: &Job, task: &Task, facts: &WiFacts, state: &VaultState) -> TaskReport {
    let job_id = job.name.as_str();
    let subject = job::task_subject(job_id, task);
    let mut report = TaskReport {
        job: job_id.to_owned(),
        group: task.group.clone(),
        task: task.name.clone(),
        at: task.at.to_string(),
        policies: None,
        token_policies: None,
        reads: Vec::new(),
        model_token: ModelToken::Unknown,
        rehearsal: None,
        findings: Default::default(),
    };
    for problem in jobspec::check_task(task, false) {
        report
            .findings
            .push(job::problem_finding(problem, &subject));
    }
    if task.vault.is_none() {
        return report;
    }
    let path = &facts.auth_path;
    let Some(accessor) = &facts.accessor else {
        report.findings.push(
            Finding::nvctl(
                Severity::Error,
                check::JOB,
                format!("auth/{path}/"),
                format!("no auth method is mounted at auth/{path}/: the task cannot log in with its identity"),
            )
            .with_remedy("nvctl bootstrap --flow workload-identity, or pass the servers' auth path with --auth-path"),
        );
        return report;
    };
    let Some(role_name) = role_of(task, facts) else {
        report.findings.push(Finding::nvctl(
            Severity::Error,
            check::JOB,
            subject.clone(),
            format!("the task names no vault.role and auth/{path}/config has no default_role: Vault refuses the login"),
        ));
        return report;
    };
    let Some(Some(role)) = facts.roles.get(&role_name) else {
        report.findings.push(Finding::vault(
            Severity::Error,
            check::JOB,
            format!("auth/{path}/role/{role_name}"),
            format!("role \"{role_name}\" could not be found"),
        ));
        return report;
    };
    let mut names: Vec<String> = role.token_policies.clone().unwrap_or_default();
    if !role.token_no_default_policy.unwrap_or(false) {
        names.push("default".into());
    }
    names.sort();
    names.dedup();
    report.token_policies = Some(names.clone());
    let (namespace, unknown_namespace) = match job.namespace() {
        Checkable::Literal(ns) => (ns, None),
        Checkable::NotCheckable { expression } => (String::new(), Some(expression)),
    };
    let metadata = task_metadata(job_id, &namespace, task, role);
    let docs = job::policy_docs(&names, &facts.policies).and_then(|docs| {
        // Nomad fills nomad_namespace from the job's namespace at run time: with it unknown,
        // a templated policy cannot be judged.
        match &unknown_namespace {
            Some(expression) if docs.iter().flat_map(|d| &d.rules).any(|r| r.is_templated()) => {
                Err(format!(
                    "the job's namespace is computed at run time ({expression}), so the nomad_namespace claim its templated policies are filled with is not known"
                ))
            }
            _ => Ok(docs),
        }
    });
    let docs = docs.map(|docs| {
        let mut rendered = Vec::new();
        let mut dropped = Vec::new();
        for doc in &docs {
            let (r, d) = render(doc, accessor, &metadata);
            rendered.push(r);
            dropped.extend(d);
        }
        (rendered, dropped)
    });
    let (docs, dropped) = match docs {
        Ok((docs, dropped)) => (Ok(docs), dropped),
        Err(why) => (Err(why), Vec::new()),
    };
    let (reads, found) = job::template_findings(&subject, task, &names, docs, state);
    let denied = found
        .iter()
        .any(|f| f.is_error() && f.message.contains("will be denied"));
    report.reads = reads;
    report.findings.extend(found);
    if denied {
        for d in dedup(dropped) {
            report
                .findings
                .push(dropped_finding(&d, path, accessor, &role_name, &metadata));
        }
    }
    report
}

fn dedup(mut dropped: Vec<Dropped>) -> Vec<Dropped> {
    let mut seen = Vec::new();
    dropped.retain(|d| {
        let new = !seen.contains(d);
        seen.push(d.clone());
        new
    });
    dropped
}

fn dropped_finding(
    d: &Dropped,
    path: &str,
    accessor: &str,
    role: &str,
    metadata: &BTreeMap<String, String>,
) -> Finding {
    match d {
        Dropped::OtherAccessor { policy, accessor: other } => Finding::nvctl(
            Severity::Error,
            check::JOB,
            format!("sys/policies/acl/{policy}"),
            format!(
                "accessor mismatch: policy {policy} is templated on {other}, but this task's identity logs in through auth/{path}/ ({accessor}): Vault drops those paths, so they grant this task nothing (403)"
            ),
        )
        .with_remedy(format!("replace {other} by {accessor} in the policy (nvctl bootstrap --flow workload-identity rewrites it)")),
        Dropped::UnmappedKey { policy, key } => Finding::nvctl(
            Severity::Error,
            check::JOB,
            format!("sys/policies/acl/{policy}"),
            format!(
                "policy {policy} is templated on alias metadata {key:?}, which role {role}'s claim_mappings do not set for this task (it sets {}): Vault drops those paths",
                go_list(&metadata.keys().cloned().collect::<Vec<_>>())
            ),
        )
        .with_remedy(format!("map a claim to {key:?} in auth/{path}/role/{role}'s claim_mappings")),
        Dropped::NotModelled { policy, template } => Finding::nvctl(
            Severity::Warning,
            check::JOB,
            format!("sys/policies/acl/{policy}"),
            format!("policy {policy} uses the template {{{{{template}}}}}, which nvctl does not fill: its paths were not checked"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nomad::workload_identity::policy_body;

    fn doc(text: &str) -> PolicyDoc {
        let mut d = parse_policy(text, "p").unwrap();
        d.name = Some("nomad-workloads".into());
        d
    }

    fn meta() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("nomad_namespace".to_owned(), "default".to_owned()),
            ("nomad_job_id".to_owned(), "web".to_owned()),
            ("nomad_task".to_owned(), "server".to_owned()),
        ])
    }

    #[test]
    fn nomad_setup_vault_policy_renders_on_the_tasks_claims() {
        let (rendered, dropped) = render(
            &doc(&policy_body("auth_jwt_1", "secret")),
            "auth_jwt_1",
            &meta(),
        );
        assert!(dropped.is_empty());
        let paths: Vec<&str> = rendered.rules.iter().map(|r| r.path.as_str()).collect();
        assert!(paths.contains(&"secret/data/default/web/*"), "{paths:?}");
        assert!(paths.contains(&"secret/data/default/web"));
    }

    #[test]
    fn another_accessor_drops_the_templated_paths() {
        let (rendered, dropped) = render(
            &doc(&policy_body("auth_jwt_old", "secret")),
            "auth_jwt_new",
            &meta(),
        );
        assert!(rendered
            .rules
            .iter()
            .all(|r| !r.path.starts_with("secret/data")));
        assert_eq!(
            dropped[0],
            Dropped::OtherAccessor {
                policy: "nomad-workloads".into(),
                accessor: "auth_jwt_old".into()
            }
        );
    }

    #[test]
    fn unmapped_metadata_key_drops_the_path() {
        let text = "path \"kv/{{identity.entity.aliases.a.metadata.team}}/*\" { capabilities = [\"read\"] }";
        let (rendered, dropped) = render(&doc(text), "a", &meta());
        assert!(rendered.rules.is_empty());
        assert_eq!(
            dropped,
            vec![Dropped::UnmappedKey {
                policy: "nomad-workloads".into(),
                key: "team".into()
            }]
        );
    }
}
