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

use super::secret_read::{self, Dynamic, MountView};
use super::task_policies::{self, TaskTokenPolicies};
use super::template_reads::{self, EngineFacts, Fetched, TaskSide};
use crate::acl::{parse_policy, PolicyDoc};
use crate::checks::{check, Finding, Findings, Severity};
use crate::nomad::gofmt::go_quote;
use crate::nomad::jobspec::{
    self, Checkable, Jobspec, Problem, SecretFunction, SourceLocation, Task,
};
use crate::vault::{TokenRole, VaultClient, VaultError};

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
    /// Each template call with a literal path, as consul-template will send it.
    pub reads: Vec<ReadReport>,
    /// nvctl's model of Vault's answer to the task token request.
    #[serde(skip)]
    pub model_token: ModelToken,
    /// With `--rehearse`: what Vault did with a real task token request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rehearsal: Option<super::rehearse::TokenVerdict>,
    pub findings: Findings,
}

/// What nvctl's model says Vault does with the task token request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ModelToken {
    Created,
    /// Refused, with the message the model expects from Vault.
    Refused(String),
    /// Not modelled (no role, the role defers to the servers' token, policies not literal).
    #[default]
    Unknown,
}

/// One template call, resolved.
#[derive(Debug, Clone, Serialize)]
pub struct ReadReport {
    /// `file:line` of the call.
    pub at: String,
    /// The path as the template writes it.
    pub path: String,
    /// The path consul-template requests (with `data/` inserted on KV v2).
    pub requested: String,
    /// `read`, `list` or `update`.
    pub capability: String,
    /// The mount (`secret/`) and its engine (`KV v2`), when one is mounted there.
    pub mount: Option<String>,
    pub engine: Option<String>,
    /// nvctl's verdict on the task's policies (`None`: not checkable).
    pub model_allows: Option<bool>,
    /// With `--rehearse`: what `sys/capabilities-self` answered for a real task token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vault_capabilities: Option<Vec<String>>,
}

/// What the policies and the role look like in Vault: fetched once each.
#[derive(Debug)]
pub struct VaultState {
    /// `None` when the role does not exist.
    pub role: Option<TokenRole>,
    /// Name → its parsed text; `Ok(None)` when the policy does not exist; `Err` with why the
    /// text cannot be used (read denied, nvctl cannot parse it).
    pub policies: BTreeMap<String, Result<Option<PolicyDoc>, String>>,
    /// The secrets engines mounted, longest path first; `Err` with why they are not known.
    pub mounts: Result<Vec<MountView>, String>,
    /// What the engines the templates read hold.
    pub engines: EngineFacts,
}

/// How many requests check-job keeps in flight at once.
const CONCURRENCY: usize = 16;

/// `f` over every item, at most [`CONCURRENCY`] at a time; results in the items' order.
pub(crate) fn concurrently<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENCY.min(items.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                if let Ok(mut all) = results.lock() {
                    all[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// A Vault answer kept as a fact: an answer with a status (403, 404 with a message …) makes
/// the fact "not checkable"; no answer at all (unreachable, TLS, sealed) is the caller's error.
fn fact<T>(what: &str, answer: Result<Option<T>, VaultError>) -> Result<Fetched<T>, VaultError> {
    match answer {
        Ok(v) => Ok(Ok(v)),
        Err(e) if e.status().is_some() && !e.is_sealed() => {
            Ok(Err(format!("cannot read {what}: {e}")))
        }
        Err(e) => Err(e),
    }
}

/// Reads what check-job judges the jobs against, in three concurrent rounds whatever the
/// number of jobs: (1) the role, every named policy (plus `default`) and the mount table;
/// (2) for each distinct path the templates read, the secret's key names, the database role
/// or the Nomad engine role; (3) the database connections those roles name. Transport
/// failures (Vault unreachable, TLS, sealed) are errors; an answer with a status (a denied
/// read) is kept as "not checkable".
/// `role_name` is the token role of the legacy flow (`None` in the workload-identity flow,
/// which has none).
pub fn fetch_state(
    client: &VaultClient,
    role_name: Option<&str>,
    specs: &[Jobspec],
) -> Result<VaultState> {
    let mut names: BTreeSet<String> = policies_named(specs);
    names.insert("default".to_string());
    names.remove("root");
    let names: Vec<String> = names.into_iter().collect();
    let written = template_paths(specs);
    let (role, fetched, mounts) = std::thread::scope(|scope| {
        let role_handle = scope.spawn(|| match role_name {
            Some(name) => client.read_token_role(name),
            None => Ok(None),
        });
        let mounts_handle = scope.spawn(|| read_mounts(client, &written));
        let fetched = concurrently(&names, |name| (name.clone(), client.read_policy(name)));
        (role_handle.join(), fetched, mounts_handle.join())
    });
    let internal = || anyhow::anyhow!("internal error while reading Vault");
    let role = match role.map_err(|_| internal())? {
        Ok(role) => role,
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!(
                "cannot read token role {:?}",
                role_name.unwrap_or_default()
            )))
        }
    };
    let mut state = VaultState {
        role,
        policies: BTreeMap::new(),
        mounts: mounts.map_err(|_| internal())??,
        engines: EngineFacts::default(),
    };
    for (name, answer) in fetched {
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
    if let Ok(mounts) = &state.mounts {
        state.engines = fetch_engine_facts(client, mounts, &written)?;
    }
    Ok(state)
}

/// Every literal `secret`/`secrets` path in the jobs' templates, with how it is called.
fn template_paths(specs: &[Jobspec]) -> BTreeSet<(String, SecretFunction, bool)> {
    specs
        .iter()
        .flat_map(|s| &s.jobs)
        .flat_map(|j| &j.tasks)
        .flat_map(|t| &t.templates)
        .flat_map(|t| t.secret_refs())
        .filter_map(|r| {
            let path = r.path.literal()?.clone();
            Some((path, r.function, r.writes))
        })
        .collect()
}

/// The mount table (`GET sys/mounts`); when the operator's token may not read it, the mount
/// of each path through consul-template's own pre-flight (`sys/internal/ui/mounts/<path>`).
fn read_mounts(
    client: &VaultClient,
    written: &BTreeSet<(String, SecretFunction, bool)>,
) -> Result<Result<Vec<MountView>, String>, VaultError> {
    let denied = match client.list_mounts() {
        Ok(table) => return Ok(Ok(secret_read::mount_views(&table))),
        Err(e) if e.status().is_some() && !e.is_sealed() => e,
        Err(e) => return Err(e),
    };
    let paths: Vec<String> = written
        .iter()
        .map(|(p, _, _)| secret_read::normalise(p).0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut table = BTreeMap::new();
    for answer in concurrently(&paths, |p| client.mount_of_path(p)) {
        match answer {
            Ok(found) if !found.path.is_empty() => {
                table.insert(found.path.clone(), found.mount);
            }
            Ok(_) => {}
            Err(e) if e.status().is_some() && !e.is_sealed() => {
                return Ok(Err(format!(
                    "cannot read the mount table ({denied}) nor the mount of each path ({e})"
                )))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Ok(secret_read::mount_views(&table)))
}

/// What a request in round 2 asks for.
enum Lookup {
    Secret {
        /// The facts' key: the path with `?version=N` when one version is read.
        label: String,
        requested: String,
        version: Option<String>,
        kv2: bool,
    },
    DatabaseRole {
        mount: String,
        role: String,
    },
    NomadRole {
        mount: String,
        role: String,
    },
}

enum Answer {
    Secret(String, Fetched<crate::vault::SecretKeys>),
    DatabaseRole((String, String), Fetched<crate::vault::DatabaseRole>),
    NomadRole((String, String), Fetched<crate::vault::NomadRole>),
}

fn fetch_engine_facts(
    client: &VaultClient,
    mounts: &[MountView],
    written: &BTreeSet<(String, SecretFunction, bool)>,
) -> Result<EngineFacts> {
    let mut lookups = Vec::new();
    let mut seen = BTreeSet::new();
    for (path, function, writes) in written {
        let resolved = secret_read::resolve(*function, *writes, path, mounts, None);
        let lookup = match &resolved.dynamic {
            Some(Dynamic::DatabaseCreds { mount, role }) => Lookup::DatabaseRole {
                mount: mount.clone(),
                role: role.clone(),
            },
            Some(Dynamic::NomadCreds { mount, role }) => Lookup::NomadRole {
                mount: mount.clone(),
                role: role.clone(),
            },
            None if resolved.is_kv_read() => Lookup::Secret {
                kv2: resolved.reads_kv2_data(),
                label: resolved.read_label(),
                requested: resolved.requested.clone(),
                // Only KV v2 keeps versions; consul-template sends the query either way and
                // KV v1 ignores it.
                version: resolved
                    .version
                    .clone()
                    .filter(|_| resolved.reads_kv2_data()),
            },
            None => continue,
        };
        let key = match &lookup {
            Lookup::Secret { label, .. } => format!("s {label}"),
            Lookup::DatabaseRole { mount, role } => format!("d {mount} {role}"),
            Lookup::NomadRole { mount, role } => format!("n {mount} {role}"),
        };
        if seen.insert(key) {
            lookups.push(lookup);
        }
    }
    let answers = concurrently(&lookups, |lookup| -> Result<Answer, VaultError> {
        Ok(match lookup {
            Lookup::Secret {
                label,
                requested,
                version,
                kv2,
            } => Answer::Secret(
                label.clone(),
                fact(
                    label,
                    client.read_secret_keys(requested, *kv2, version.as_deref()),
                )?,
            ),
            Lookup::DatabaseRole { mount, role } => Answer::DatabaseRole(
                (mount.clone(), role.clone()),
                fact(
                    &format!("{mount}/roles/{role}"),
                    client.read_database_role(mount, role),
                )?,
            ),
            Lookup::NomadRole { mount, role } => Answer::NomadRole(
                (mount.clone(), role.clone()),
                fact(
                    &format!("{mount}/role/{role}"),
                    client.read_nomad_role(mount, role),
                )?,
            ),
        })
    });
    let mut facts = EngineFacts::default();
    for answer in answers {
        match answer? {
            Answer::Secret(k, v) => {
                facts.secrets.insert(k, v);
            }
            Answer::DatabaseRole(k, v) => {
                facts.database_roles.insert(k, v);
            }
            Answer::NomadRole(k, v) => {
                facts.nomad_roles.insert(k, v);
            }
        }
    }
    // Round 3: the connections the database roles name.
    let connections: Vec<(String, String)> = facts
        .database_roles
        .iter()
        .filter_map(|((mount, _), role)| match role {
            Ok(Some(r)) => Some((mount.clone(), r.db_name.clone())),
            _ => None,
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for (key, answer) in connections
        .iter()
        .zip(concurrently(&connections, |(mount, name)| {
            fact(
                &format!("{mount}/config/{name}"),
                client.read_database_connection(mount, name),
            )
        }))
    {
        facts.database_connections.insert(key.clone(), answer?);
    }
    Ok(facts)
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

pub(crate) fn task_subject(job: &str, task: &Task) -> String {
    format!("{job}/{}/{} ({})", task.group, task.name, task.at)
}

pub(crate) fn problem_finding(problem: Problem, fallback: &str) -> Finding {
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
        reads: Vec::new(),
        model_token: ModelToken::Unknown,
        rehearsal: None,
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
            "vault.role names a workload-identity JWT role: not checked in the legacy flow (check it with --flow workload-identity)",
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
            report.model_token = ModelToken::Created;
            report.token_policies = Some(p.clone());
            p.clone()
        }
        Some(TaskTokenPolicies::Refused {
            message,
            forbidden_by,
            requested,
        }) => {
            report.model_token = ModelToken::Refused(message.clone());
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

    let docs = policy_docs(&token_policies, &state.policies);
    let (reads, found) = template_findings(&subject, task, &token_policies, docs, state);
    report.reads = reads;
    findings.extend(found);
    report.findings = findings;
    report
}

/// The text of the task token's policies; any that cannot be read makes the ACL not
/// checkable (`Err` with why). A missing policy grants nothing (reported on its own).
pub(crate) fn policy_docs(
    policies: &[String],
    known: &BTreeMap<String, Result<Option<PolicyDoc>, String>>,
) -> Result<Vec<PolicyDoc>, String> {
    let mut docs = Vec::new();
    for name in policies {
        match known.get(name) {
            Some(Ok(Some(doc))) => docs.push(doc.clone()),
            Some(Ok(None)) => {}
            Some(Err(why)) => return Err(why.clone()),
            None => return Err(format!("policy {name:?} was not read")),
        }
    }
    Ok(docs)
}

/// Every template call of the task, judged against the task token's policies and what the
/// engines hold ([`template_reads::judge`]).
pub(crate) fn template_findings(
    subject: &str,
    task: &Task,
    policies: &[String],
    docs: Result<Vec<PolicyDoc>, String>,
    state: &VaultState,
) -> (Vec<ReadReport>, Vec<Finding>) {
    let mut out = Vec::new();
    let mut reads = Vec::new();
    // Mounts not known: one catch-all "mount" so every path is judged as written.
    let unknown = [MountView {
        path: String::new(),
        engine: secret_read::Engine::Other("unknown".into()),
    }];
    let mounts = match &state.mounts {
        Ok(m) => m.as_slice(),
        Err(why) => {
            if task.templates.iter().any(|t| !t.secret_refs().is_empty()) {
                out.push(Finding::nvctl(
                    Severity::Warning,
                    check::JOB,
                    subject,
                    format!("the templates' paths are judged as written, not as consul-template resolves them: {why}"),
                ));
            }
            &unknown
        }
    };
    let (docs, unreadable) = match docs {
        Ok(docs) => (docs, None),
        Err(why) => (Vec::new(), Some(why)),
    };
    let side = TaskSide {
        subject,
        policies,
        docs: unreadable.is_none().then_some(docs.as_slice()),
    };
    for template in &task.templates {
        for secret in template.secret_refs() {
            let Checkable::Literal(path) = &secret.path else {
                continue; // reported as not checkable by jobspec::check_task
            };
            let at = template_reads::call_location(&template.at, secret.file_line);
            if let Some(why) = &unreadable {
                out.push(Finding::nvctl(
                    Severity::Warning,
                    check::JOB,
                    at.clone(),
                    format!("template {} policies not checkable: {why}", go_quote(path)),
                ));
            }
            let judged = template_reads::judge(&side, path, &secret, &at, mounts, &state.engines);
            out.extend(judged.findings);
            let resolved = judged.resolved;
            let mount = resolved.mount.filter(|m| !m.path.is_empty());
            reads.push(ReadReport {
                at,
                path: resolved.written,
                requested: resolved.requested,
                capability: resolved.op.required_capability().to_owned(),
                engine: mount.as_ref().map(|m| m.describe()),
                mount: mount.map(|m| m.path),
                model_allows: judged.model_allows,
                vault_capabilities: None,
            });
        }
    }
    (reads, out)
}
