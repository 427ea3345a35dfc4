//! One template call (`secret "PATH"`) judged against the live Vault: the path consul-template
//! will request ([`super::secret_read`]), whether the task token's policies grant it, whether
//! the secret has the keys the template uses (`.Data.data.k` on KV v2, `.Data.k` on v1), and
//! for dynamic paths whether the engine can mint it (`database/creds/R`: the role and a
//! connection whose `allowed_roles` admits it; `nomad/creds/R`: the engine role).
//!
//! Key names only: the secrets are read with the operator's token and their values are
//! skipped while decoding (`vault::engines`), never printed or kept.

use std::collections::{BTreeMap, BTreeSet};

use super::secret_read::{self, Dynamic, MountView, ResolvedPath};
use crate::acl::{Acl, PolicyDoc};
use crate::checks::{check, Finding, Severity};
use crate::nomad::gofmt::{go_list, go_quote};
use crate::nomad::jobspec::{KeyUse, SecretRef, SourceLocation};
use crate::nomad::role_rules::glob_matches;
use crate::vault::{DatabaseConnection, DatabaseRole, NomadRole, SecretKeys};

/// A fact read from Vault: `Ok(None)` when it does not exist; `Err` with why it could not be
/// read (the operator's token was denied …), which makes the check "not checkable".
pub type Fetched<T> = Result<Option<T>, String>;

/// What the engines hold, read once per distinct path, role or connection.
#[derive(Debug, Default)]
pub struct EngineFacts {
    /// By requested path (`secret/data/hashicups-api`).
    pub secrets: BTreeMap<String, Fetched<SecretKeys>>,
    /// By (mount, role).
    pub database_roles: BTreeMap<(String, String), Fetched<DatabaseRole>>,
    /// By (mount, connection name).
    pub database_connections: BTreeMap<(String, String), Fetched<DatabaseConnection>>,
    /// By (mount, role).
    pub nomad_roles: BTreeMap<(String, String), Fetched<NomadRole>>,
}

/// The keys a database engine's creds carry (vault-api-engines.md §3.4).
const DATABASE_CREDS_KEYS: &[&str] = &["username", "password"];
/// The keys a Nomad engine's creds carry (§5.4).
const NOMAD_CREDS_KEYS: &[&str] = &["accessor_id", "secret_id"];

/// The task's side of a judgement.
pub struct TaskSide<'a> {
    /// `job/group/task (file:line)`.
    pub subject: &'a str,
    /// The task token's policies.
    pub policies: &'a [String],
    /// Their parsed text, when every one could be read (`None`: ACL not checkable).
    pub docs: Option<&'a [PolicyDoc]>,
}

/// Where a template call is written: the template's `file:line` or the call's own line.
pub fn call_location(template_at: &SourceLocation, line: Option<usize>) -> String {
    SourceLocation::new(&template_at.file, line.or(template_at.line)).to_string()
}

/// One call judged: the resolved request, nvctl's verdict on the policies (`None`: not
/// checkable), and the findings.
pub struct Judgement {
    pub resolved: ResolvedPath,
    pub model_allows: Option<bool>,
    pub findings: Vec<Finding>,
}

/// Every finding for one `secret`/`secrets` call with a literal path.
pub fn judge(
    task: &TaskSide<'_>,
    path: &str,
    secret: &SecretRef,
    at: &str,
    mounts: &[MountView],
    facts: &EngineFacts,
) -> Judgement {
    let acl = task.docs.map(Acl::from_policies);
    let resolved = secret_read::resolve(secret.function, secret.writes, path, mounts, acl.as_ref());
    let mut out = Vec::new();
    let call = call_name(secret);
    if resolved.mount.is_none() {
        let first = resolved.written.split('/').next().unwrap_or_default();
        out.push(
            Finding::nvctl(
                Severity::Error,
                check::JOB,
                at,
                format!(
                    "template {call} {}: no secrets engine is mounted at {first}/, so Vault cannot answer it",
                    go_quote(&resolved.written)
                ),
            )
            .with_remedy("enable the engine the template expects (vault secrets enable -path=… TYPE) or fix the path"),
        );
        return Judgement {
            resolved,
            model_allows: Some(false),
            findings: out,
        };
    }
    let model_allows = acl
        .as_ref()
        .map(|acl| acl.allows(resolved.op, &resolved.requested));
    if let (Some(acl), Some(docs)) = (&acl, task.docs) {
        if let Some(f) = policy_finding(task, docs, acl, &resolved, call, at) {
            out.push(f);
        }
    }
    match &resolved.dynamic {
        Some(dynamic) => out.extend(dynamic_findings(dynamic, &resolved, secret, at, facts)),
        None if resolved.is_kv_read() => out.extend(key_findings(&resolved, secret, at, facts)),
        None => {}
    }
    Judgement {
        resolved,
        model_allows,
        findings: out,
    }
}

fn call_name(secret: &SecretRef) -> &'static str {
    use crate::nomad::jobspec::SecretFunction;
    match (secret.function, secret.writes) {
        (SecretFunction::Secrets, _) => "secrets",
        (SecretFunction::Secret, true) => "secret (write)",
        (SecretFunction::Secret, false) => "secret",
    }
}

/// Names of the policies among `docs` that grant `capability` on `path` on their own.
fn granting(docs: &[PolicyDoc], op: crate::acl::Operation, path: &str) -> Vec<String> {
    docs.iter()
        .filter(|d| Acl::from_policies(std::slice::from_ref(*d)).allows(op, path))
        .filter_map(|d| d.name.clone())
        .collect()
}

fn policy_finding(
    task: &TaskSide<'_>,
    docs: &[PolicyDoc],
    acl: &Acl,
    resolved: &ResolvedPath,
    call: &str,
    at: &str,
) -> Option<Finding> {
    let op = resolved.op;
    let requested = &resolved.requested;
    if acl.allows(op, requested) {
        return None;
    }
    let needed = op.required_capability();
    let mount = resolved.mount.as_ref()?;
    // A templated rule (identity metadata, filled per token) may match: only when the text
    // before its first `{{` is a prefix of the path and it grants the capability.
    let template_may_grant = docs.iter().flat_map(|d| &d.rules).any(|r| {
        let literal_prefix = r.path.split("{{").next().unwrap_or_default();
        r.is_templated()
            && requested.starts_with(literal_prefix)
            && r.capabilities.iter().any(|c| c == needed)
    });
    if template_may_grant {
        return Some(Finding::nvctl(
            Severity::Warning,
            check::JOB,
            at,
            format!(
                "template {call} {}: no literal rule grants {needed:?}, and a templated path (identity metadata) may: not checkable",
                go_quote(requested)
            ),
        ));
    }
    let remedy = format!(
        "Vault answers \"permission denied\" and the template blocks the task: add to one of the task's policies path {} {{ capabilities = [\"{needed}\"] }}, or add a policy that grants it to the job's vault.policies",
        go_quote(requested)
    );
    // The classic: a policy written for the path as the template spells it (or as KV v1
    // would take it) on a KV v2 mount, where consul-template inserts `data/`.
    if requested != &resolved.written {
        let grants_written = granting(docs, op, &resolved.written);
        if !grants_written.is_empty() {
            return Some(
                Finding::nvctl(
                    Severity::Error,
                    check::JOB,
                    at,
                    format!(
                        "template {call} {} will be denied: the policy {} grants {}, but the mount {} is {}: the template reads {}",
                        go_quote(&resolved.written),
                        grants_written.join(", "),
                        resolved.written,
                        mount.path,
                        mount.describe(),
                        requested
                    ),
                )
                .with_remedy(remedy),
            );
        }
    }
    if resolved.preflight_denied {
        let would_be = secret_read::resolve(
            crate::nomad::jobspec::SecretFunction::Secret,
            false,
            &resolved.written,
            std::slice::from_ref(mount),
            None,
        );
        return Some(
            Finding::nvctl(
                Severity::Error,
                check::JOB,
                at,
                format!(
                    "template {call} {} will be denied: task {} holds policies {} which grant nothing under {}, so consul-template cannot tell that it is {} (sys/internal/ui/mounts answers 403) and reads {} as written",
                    go_quote(&resolved.written),
                    task.subject,
                    go_list(task.policies),
                    mount.path,
                    mount.describe(),
                    resolved.written
                ),
            )
            .with_remedy(format!(
                "grant read on {} (the path consul-template reads once it knows the mount is {})",
                would_be.requested,
                mount.describe()
            )),
        );
    }
    let caps: Vec<String> = acl.capabilities(requested).into_iter().collect();
    let shown = if requested == &resolved.written {
        go_quote(requested)
    } else {
        format!("{} (requested as {requested})", go_quote(&resolved.written))
    };
    Some(
        Finding::nvctl(
            Severity::Error,
            check::JOB,
            at,
            format!(
                "template {call} {shown} will be denied: task {} holds policies {} which grant {} on it, not {needed:?}",
                task.subject,
                go_list(task.policies),
                go_list(&caps)
            ),
        )
        .with_remedy(remedy),
    )
}

fn key_at(secret_at: &str, use_: &KeyUse, template_file: &str) -> String {
    match use_.file_line {
        Some(line) => format!("{template_file}:{line}"),
        None => secret_at.to_owned(),
    }
}

fn file_of(at: &str) -> &str {
    at.rsplit_once(':')
        .filter(|(_, line)| line.chars().all(|c| c.is_ascii_digit()))
        .map_or(at, |(file, _)| file)
}

/// The key (or keys) a use reads, or a finding when it reads the wrong level for the engine.
fn key_findings(
    resolved: &ResolvedPath,
    secret: &SecretRef,
    secret_at: &str,
    facts: &EngineFacts,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let kv2 = resolved.reads_kv2_data();
    let Some(fetched) = facts.secrets.get(&resolved.read_label()) else {
        return out;
    };
    let keys = match fetched {
        Ok(Some(keys)) => Some(&keys.keys),
        Ok(None) => {
            out.push(
                Finding::nvctl(
                    Severity::Error,
                    check::JOB,
                    secret_at,
                    format!(
                        "template secret {}: nothing is stored there{}; consul-template fails with \"no secret exists at {}\" and the task never starts",
                        go_quote(&resolved.written),
                        match &resolved.version {
                            Some(v) if kv2 => format!(" (version {v} does not exist, or is deleted)"),
                            _ => String::new(),
                        },
                        resolved.requested
                    ),
                )
                .with_remedy(if kv2 {
                    format!("write it: vault kv put {} KEY=VALUE …", resolved.written.replacen("/data/", "/", 1))
                } else {
                    format!("write it: vault write {} KEY=VALUE …", resolved.requested)
                }),
            );
            None
        }
        Err(why) => {
            out.push(Finding::nvctl(
                Severity::Warning,
                check::JOB,
                secret_at,
                format!(
                    "template secret {}: keys not checkable: {why}",
                    go_quote(&resolved.written)
                ),
            ));
            None
        }
    };
    let file = file_of(secret_at).to_owned();
    for use_ in &secret.keys {
        let at = key_at(secret_at, use_, &file);
        if let Some(f) = hyphen_finding(use_, &at) {
            out.push(f);
            continue;
        }
        let Some(first) = use_.segments.first() else {
            continue;
        };
        let key = if kv2 {
            match first.as_str() {
                "metadata" => continue,
                "data" => match use_.segments.get(1) {
                    Some(k) => k,
                    None => continue,
                },
                other => {
                    out.push(
                        Finding::nvctl(
                            Severity::Error,
                            check::JOB,
                            at,
                            format!(
                                "{} reads .Data.{other}, but {} is a KV v2 mount: the secret's keys are under .Data.data, so this renders \"<no value>\"",
                                use_.written,
                                resolved.mount.as_ref().map_or("", |m| m.path.as_str())
                            ),
                        )
                        .with_remedy(format!("write {{{{ index .Data.data {} }}}}", go_quote(other))),
                    );
                    continue;
                }
            }
        } else {
            if first == "data" && keys.is_some_and(|k| !k.contains("data")) {
                out.push(
                    Finding::nvctl(
                        Severity::Error,
                        check::JOB,
                        at,
                        format!(
                            "{} reads .Data.data, but {} is a KV v1 mount: the keys are directly under .Data (there is no \"data\" key), so this renders \"<no value>\"",
                            use_.written,
                            resolved.mount.as_ref().map_or("", |m| m.path.as_str())
                        ),
                    )
                    .with_remedy(match use_.segments.get(1) {
                        Some(k) => format!("write {{{{ index .Data {} }}}}", go_quote(k)),
                        None => "read the keys from .Data".to_owned(),
                    }),
                );
                continue;
            }
            first
        };
        if let Some(keys) = keys {
            let of = match &resolved.version {
                Some(v) if kv2 => format!("{} (version {v})", resolved.written),
                _ => resolved.written.clone(),
            };
            if let Some(f) = missing_key(key, keys, &at, &of) {
                out.push(f);
            }
        }
    }
    out
}

fn hyphen_finding(use_: &KeyUse, at: &str) -> Option<Finding> {
    if !use_.hyphenated_field {
        return None;
    }
    let mut chain = use_.segments.clone();
    let last = chain.pop().unwrap_or_default();
    let base = if chain.is_empty() {
        ".Data".to_owned()
    } else {
        format!(".Data.{}", chain.join("."))
    };
    Some(
        Finding::nvctl(
            Severity::Error,
            check::JOB,
            at,
            format!(
                "{}: a Go template field name cannot contain \"-\", so the template does not parse and the task fails",
                use_.written
            ),
        )
        .with_remedy(format!("write {{{{ index {base} {} }}}}", go_quote(&last))),
    )
}

/// A key the template uses that the secret lacks, with the closest existing name.
fn missing_key(key: &str, keys: &BTreeSet<String>, at: &str, path: &str) -> Option<Finding> {
    if keys.contains(key) {
        return None;
    }
    let all: Vec<String> = keys.iter().cloned().collect();
    let closest = keys
        .iter()
        .map(|k| (edit_distance(k, key), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min();
    let mut message = format!(
        "the template uses key {} of {path}, which the secret does not have (its keys: {}): it renders \"<no value>\"",
        go_quote(key),
        go_list(&all)
    );
    if let Some((_, k)) = closest {
        message.push_str(&format!("; did you mean {}?", go_quote(k)));
    }
    Some(
        Finding::nvctl(Severity::Error, check::JOB, at, message)
            .with_remedy("fix the key name in the template, or add the key to the secret"),
    )
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Whether a database connection's `allowed_roles` admits `role` (`*` or a glob).
pub fn connection_allows(connection: &DatabaseConnection, role: &str) -> bool {
    connection
        .allowed_roles
        .iter()
        .any(|pattern| pattern == "*" || glob_matches(pattern, role))
}

fn dynamic_findings(
    dynamic: &Dynamic,
    resolved: &ResolvedPath,
    secret: &SecretRef,
    at: &str,
    facts: &EngineFacts,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let not_checkable = |why: &str| {
        Finding::nvctl(
            Severity::Warning,
            check::JOB,
            at,
            format!(
                "template secret {}: the engine could not be checked: {why}",
                go_quote(&resolved.written)
            ),
        )
    };
    let creds_keys: &[&str] = match dynamic {
        Dynamic::DatabaseCreds { mount, role } => {
            match facts.database_roles.get(&(mount.clone(), role.clone())) {
                Some(Ok(None)) => out.push(
                    Finding::vault(Severity::Error, check::JOB, at, format!("unknown role: {role}"))
                        .with_remedy(format!(
                            "Vault answers 400 when the template reads {}: create the role (vault write {mount}/roles/{role} db_name=… creation_statements=…)",
                            resolved.requested
                        )),
                ),
                Some(Ok(Some(db_role))) => {
                    let key = (mount.clone(), db_role.db_name.clone());
                    match facts.database_connections.get(&key) {
                        Some(Ok(None)) => out.push(
                            Finding::vault(
                                Severity::Error,
                                check::JOB,
                                at,
                                format!(
                                    "failed to find entry for connection with name: {}",
                                    go_quote(&db_role.db_name)
                                ),
                            )
                            .with_remedy(format!(
                                "role {role} names the connection {:?}, which {mount}/config does not have: write it (vault write {mount}/config/{} …) or fix the role's db_name",
                                db_role.db_name, db_role.db_name
                            )),
                        ),
                        Some(Ok(Some(connection))) if !connection_allows(connection, role) => out
                            .push(
                                Finding::vault(
                                    Severity::Error,
                                    check::JOB,
                                    at,
                                    format!("{} is not an allowed role", go_quote(role)),
                                )
                                .with_remedy(format!(
                                    "the connection {} allows {}: add {role} to its allowed_roles (vault write {mount}/config/{} allowed_roles=…)",
                                    db_role.db_name,
                                    go_list(&connection.allowed_roles),
                                    db_role.db_name
                                )),
                            ),
                        Some(Err(why)) => out.push(not_checkable(why)),
                        _ => {}
                    }
                    if db_role.creation_statements.is_empty() {
                        out.push(
                            Finding::vault(Severity::Error, check::JOB, at, "empty creation statements")
                                .with_remedy(format!("give role {role} its creation_statements")),
                        );
                    }
                }
                Some(Err(why)) => out.push(not_checkable(why)),
                None => {}
            }
            DATABASE_CREDS_KEYS
        }
        Dynamic::NomadCreds { mount, role } => {
            match facts.nomad_roles.get(&(mount.clone(), role.clone())) {
                Some(Ok(None)) => out.push(
                    Finding::vault(Severity::Error, check::JOB, at, format!("role {} not found", go_quote(role)))
                        .with_remedy(format!(
                            "Vault answers 400 when the template reads {}: create the Nomad engine role at {mount}/role/{role} (singular \"role\"; {mount}/roles/… is not a path) with the Nomad ACL policies it should carry",
                            resolved.requested
                        )),
                ),
                Some(Err(why)) => out.push(not_checkable(why)),
                _ => {}
            }
            NOMAD_CREDS_KEYS
        }
    };
    let known: BTreeSet<String> = creds_keys.iter().map(|k| k.to_string()).collect();
    let file = file_of(at).to_owned();
    for use_ in &secret.keys {
        let here = key_at(at, use_, &file);
        if let Some(f) = hyphen_finding(use_, &here) {
            out.push(f);
        } else if let Some(first) = use_.segments.first() {
            if let Some(f) = missing_key(first, &known, &here, &resolved.requested) {
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::secret_read::mount_views;
    use crate::nomad::jobspec::{secret_refs, Checkable};
    use crate::vault::Mount;

    fn mounts() -> Vec<MountView> {
        let table = BTreeMap::from([
            (
                "database/".to_owned(),
                Mount {
                    mount_type: "database".into(),
                    ..Mount::default()
                },
            ),
            (
                "nomad/".to_owned(),
                Mount {
                    mount_type: "nomad".into(),
                    ..Mount::default()
                },
            ),
        ]);
        mount_views(&table)
    }

    fn findings(template: &str, facts: &EngineFacts) -> Vec<Finding> {
        let secret = secret_refs(template).remove(0);
        let Checkable::Literal(path) = secret.path.clone() else {
            panic!("not literal")
        };
        let task = TaskSide {
            subject: "web/demo/server",
            policies: &[],
            docs: None,
        };
        judge(&task, &path, &secret, "job.nomad.hcl:3", &mounts(), facts).findings
    }

    fn db_facts(
        role: Fetched<DatabaseRole>,
        connection: Fetched<DatabaseConnection>,
    ) -> EngineFacts {
        let mut facts = EngineFacts::default();
        facts
            .database_roles
            .insert(("database".into(), "accessdb".into()), role);
        facts
            .database_connections
            .insert(("database".into(), "postgresql".into()), connection);
        facts
    }

    fn role() -> DatabaseRole {
        DatabaseRole {
            db_name: "postgresql".into(),
            creation_statements: vec!["CREATE ROLE \"{{name}}\";".into()],
            ..DatabaseRole::default()
        }
    }

    fn connection(allowed: &[&str]) -> DatabaseConnection {
        DatabaseConnection {
            allowed_roles: allowed.iter().map(|s| s.to_string()).collect(),
            plugin_name: "postgresql-database-plugin".into(),
            ..DatabaseConnection::default()
        }
    }

    const SEED_001: &str =
        "{{ with secret \"database/creds/accessdb\" }}{{ .Data.username }}{{ .Data.password }}{{ end }}";

    fn messages(found: &[Finding]) -> Vec<String> {
        found.iter().map(|f| f.message.clone()).collect()
    }

    #[test]
    fn database_creds_need_the_role_and_a_connection_allowing_it() {
        // vault-api-engines.md §3.4: path_creds_create.go:pathCredsCreateRead, in this order.
        let ok = db_facts(Ok(Some(role())), Ok(Some(connection(&["accessdb"]))));
        assert!(findings(SEED_001, &ok).is_empty());
        let missing_role = db_facts(Ok(None), Ok(None));
        assert_eq!(
            messages(&findings(SEED_001, &missing_role)),
            ["unknown role: accessdb"]
        );
        let missing_connection = db_facts(Ok(Some(role())), Ok(None));
        assert_eq!(
            messages(&findings(SEED_001, &missing_connection)),
            ["failed to find entry for connection with name: \"postgresql\""]
        );
        let not_allowed = db_facts(Ok(Some(role())), Ok(Some(connection(&["other"]))));
        let found = findings(SEED_001, &not_allowed);
        assert_eq!(messages(&found), ["\"accessdb\" is not an allowed role"]);
        assert_eq!(found[0].source, crate::checks::Source::Vault);
    }

    #[test]
    fn allowed_roles_globs_and_star_admit_the_role() {
        for allowed in [&["*"][..], &["access*"], &["*db"], &["a*d*b"]] {
            let facts = db_facts(Ok(Some(role())), Ok(Some(connection(allowed))));
            assert!(findings(SEED_001, &facts).is_empty(), "{allowed:?}");
        }
        assert!(!connection_allows(
            &connection(&["accessdb2", "acc"]),
            "accessdb"
        ));
        assert!(!connection_allows(&connection(&[]), "accessdb"));
    }

    #[test]
    fn creds_keys_are_checked_and_engine_not_answering_is_not_checkable() {
        let ok = db_facts(Ok(Some(role())), Ok(Some(connection(&["accessdb"]))));
        let typo = "{{ with secret \"database/creds/accessdb\" }}{{ .Data.user }}{{ end }}";
        let found = messages(&findings(typo, &ok));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].contains("key \"user\" of database/creds/accessdb"),
            "{found:?}"
        );
        let denied = db_facts(
            Err("cannot read database/roles/accessdb: 403".into()),
            Ok(None),
        );
        let found = findings(SEED_001, &denied);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Warning);
    }

    #[test]
    fn nomad_creds_need_the_engine_role_at_role_not_roles() {
        let mut facts = EngineFacts::default();
        facts
            .nomad_roles
            .insert(("nomad".into(), "deployer".into()), Ok(None));
        let template = "{{ with secret \"nomad/creds/deployer\" }}{{ .Data.secret_id }}{{ end }}";
        let found = findings(template, &facts);
        assert_eq!(messages(&found), ["role \"deployer\" not found"]);
        assert!(found[0]
            .remedy
            .as_deref()
            .unwrap_or_default()
            .contains("nomad/role/deployer"));
        facts.nomad_roles.insert(
            ("nomad".into(), "deployer".into()),
            Ok(Some(NomadRole {
                token_type: "client".into(),
                policies: vec!["deploy".into()],
                global: false,
            })),
        );
        assert!(findings(template, &facts).is_empty());
    }
}
