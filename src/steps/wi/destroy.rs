//! `--destroy` for the workload-identity flow: remove what nvctl created, and only that, in the
//! reverse order of creation — the policy, the roles recorded in its header, the KV engine,
//! the auth method (its config and roles go with it) — so Vault is left as nvctl found it.
//!
//! What nvctl created is what carries its mark (`nomad::workload_identity::NVCTL_MARK`): the
//! mounts' descriptions, the policy's header. Everything else at the same paths was there
//! before nvctl, or was made by someone else, and is listed as kept with the reason. Objects
//! nvctl only updated cannot be put back as they were; nvctl does not try.

use anyhow::{Context, Result};
use serde::Serialize;

use crate::nomad::workload_identity::{self as wi, PolicyMarks, WorkloadIdentitySpec};
use crate::output::Ui;
use crate::steps::Consent;
use crate::vault::VaultClient;

/// Where the flow's objects are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestroyTarget {
    pub auth_path: String,
    pub role_name: String,
    pub policy_name: String,
    pub kv_mount: String,
}

impl From<&WorkloadIdentitySpec> for DestroyTarget {
    fn from(spec: &WorkloadIdentitySpec) -> Self {
        DestroyTarget {
            auth_path: spec.path().to_string(),
            role_name: spec.role_name.clone(),
            policy_name: spec.policy_name.to_lowercase(),
            kv_mount: spec.kv_mount.trim_matches('/').to_string(),
        }
    }
}

impl DestroyTarget {
    /// Where `--destroy` looks: the options' auth path and names over `nomad setup vault`'s
    /// defaults. No JWKS URL is needed to remove things.
    pub fn from_options(opts: &super::WiOptions) -> Result<DestroyTarget> {
        let mut spec = WorkloadIdentitySpec::nomad_defaults(String::new());
        super::apply_names(&mut spec, opts)?;
        Ok(DestroyTarget::from(&spec))
    }
}

/// One object to remove.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removal {
    pub subject: String,
    /// What goes with it, for the operator.
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    #[serde(skip)]
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Policy(String),
    JwtRole { path: String, name: String },
    SecretsEngine(String),
    AuthMethod(String),
}

/// An object left in place, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kept {
    pub subject: String,
    pub reason: String,
}

/// What `--destroy` would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DestroyPlan {
    /// In the order they are removed.
    pub removals: Vec<Removal>,
    pub kept: Vec<Kept>,
}

/// What `--destroy` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DestroyReport {
    pub removed: Vec<String>,
    /// `--plan`: what would be removed.
    pub pending: Vec<String>,
    pub kept: Vec<Kept>,
}

/// Reads which of the flow's objects exist and which carry nvctl's mark. Reads only.
pub fn observe(client: &VaultClient, target: &DestroyTarget) -> Result<DestroyPlan> {
    let auth_key = format!("{}/", target.auth_path);
    let kv_key = format!("{}/", target.kv_mount);
    let auth_mounts = client
        .list_auth_mounts()
        .context("cannot list the auth methods (sys/auth)")?;
    let auth = auth_mounts.get(&auth_key).cloned();
    let kv = client
        .list_mounts()
        .context("cannot list the secrets engines (sys/mounts)")?
        .get(&kv_key)
        .cloned();
    let policy = client
        .read_policy(&target.policy_name)
        .with_context(|| format!("cannot read policy {:?}", target.policy_name))?;
    let marks = policy
        .as_ref()
        .map(|p| PolicyMarks::parse(&p.policy))
        .unwrap_or_default();
    let auth_is_ours = auth
        .as_ref()
        .is_some_and(|m| wi::is_marked_description(&m.description));

    let mut plan = DestroyPlan::default();
    let policy_subject = format!("sys/policies/acl/{}", target.policy_name);
    match &policy {
        Some(_) if marks.created_by_nvctl => plan.removals.push(Removal {
            subject: policy_subject,
            what: format!("policy {:?}", target.policy_name),
            warning: None,
            kind: Kind::Policy(target.policy_name.clone()),
        }),
        Some(_) => plan.kept.push(Kept {
            subject: policy_subject,
            reason: "not created by nvctl (no nvctl mark in its header)".into(),
        }),
        None => {}
    }

    // Roles nvctl recorded; those inside an auth method that goes anyway need no request.
    for recorded in &marks.roles {
        let Some((path, name)) = parse_role_subject(recorded) else {
            continue;
        };
        if (path == target.auth_path && auth_is_ours)
            || !auth_mounts.contains_key(&format!("{path}/"))
        {
            continue;
        }
        let exists = client
            .read_jwt_role(&path, &name)
            .with_context(|| format!("cannot read {recorded}"))?
            .is_some();
        if exists {
            plan.removals.push(Removal {
                subject: recorded.clone(),
                what: format!("role {name:?} (recorded as created by nvctl)"),
                warning: None,
                kind: Kind::JwtRole { path, name },
            });
        }
    }
    let our_role = wi::role_subject(&target.auth_path, &target.role_name);
    if auth.is_some() && !auth_is_ours && !marks.roles.contains(&our_role) {
        let exists = client
            .read_jwt_role(&target.auth_path, &target.role_name)
            .with_context(|| format!("cannot read {our_role}"))?
            .is_some();
        if exists {
            plan.kept.push(Kept {
                subject: our_role,
                reason: "not recorded as created by nvctl".into(),
            });
        }
    }

    if let Some(kv) = &kv {
        let subject = format!("sys/mounts/{}", target.kv_mount);
        if wi::is_marked_description(&kv.description) {
            plan.removals.push(Removal {
                subject,
                what: format!("the {} secrets engine at {kv_key}", kv.mount_type),
                warning: Some(format!(
                    "every secret stored under {kv_key} is deleted with it"
                )),
                kind: Kind::SecretsEngine(target.kv_mount.clone()),
            });
        } else {
            plan.kept.push(Kept {
                subject,
                reason: "not created by nvctl (no nvctl mark in its description)".into(),
            });
        }
    }

    if let Some(auth) = &auth {
        let subject = format!("sys/auth/{}", target.auth_path);
        if auth_is_ours {
            plan.removals.push(Removal {
                subject,
                what: format!(
                    "the {} auth method at {auth_key} with its config and roles",
                    auth.mount_type
                ),
                warning: Some(
                    "tokens issued by it are revoked: running tasks lose their Vault tokens".into(),
                ),
                kind: Kind::AuthMethod(target.auth_path.clone()),
            });
        } else {
            plan.kept.push(Kept {
                subject,
                reason:
                    "not created by nvctl (no nvctl mark in its description); its config stays too"
                        .into(),
            });
        }
    }
    Ok(plan)
}

/// `auth/<path>/role/<name>` → (path, name).
fn parse_role_subject(subject: &str) -> Option<(String, String)> {
    let rest = subject.strip_prefix("auth/")?;
    let (path, name) = rest.rsplit_once("/role/")?;
    (!path.is_empty() && !name.is_empty()).then(|| (path.to_string(), name.to_string()))
}

/// Shows what would be removed, asks (`--yes` consents; without a terminal it refuses naming
/// `--yes`), removes it in order and checks nothing marked is left. With
/// [`Consent::PlanOnly`] it only reports.
pub fn destroy(
    client: &VaultClient,
    ui: &Ui,
    target: &DestroyTarget,
    consent: Consent,
) -> Result<DestroyReport> {
    let plan = observe(client, target)?;
    let mut report = DestroyReport {
        kept: plan.kept.clone(),
        ..DestroyReport::default()
    };
    for kept in &plan.kept {
        ui.info(format!("[-] {} kept: {}", kept.subject, kept.reason));
    }
    if plan.removals.is_empty() {
        ui.done("Nothing nvctl created is left to delete.");
        return Ok(report);
    }
    ui.info("The following items, created by nvctl, will be deleted:");
    for r in &plan.removals {
        ui.info(format!("    {} ({})", r.subject, r.what));
        if let Some(w) = &r.warning {
            ui.warn(format!("{}: {w}", r.subject));
        }
    }
    if consent == Consent::PlanOnly {
        report.pending = plan.removals.iter().map(|r| r.subject.clone()).collect();
        return Ok(report);
    }
    if !ui.confirm(&format!(
        "Delete the {} item(s) listed above?",
        plan.removals.len()
    ))? {
        anyhow::bail!("nothing was deleted: the operator declined");
    }
    for r in &plan.removals {
        let warnings = match &r.kind {
            Kind::Policy(name) => client.delete_policy(name),
            Kind::JwtRole { path, name } => client.delete_jwt_role(path, name),
            Kind::SecretsEngine(path) => client.disable_mount(path),
            Kind::AuthMethod(path) => client.disable_auth(path),
        }
        .with_context(|| {
            format!(
                "cannot delete {} (deleted so far: {})",
                r.subject,
                if report.removed.is_empty() {
                    "nothing".to_string()
                } else {
                    report.removed.join(", ")
                }
            )
        })?;
        for w in warnings {
            ui.warn(format!("Vault: {w}"));
        }
        ui.done(format!("Deleted {}.", r.subject));
        report.removed.push(r.subject.clone());
    }
    let left = observe(client, target)?;
    if !left.removals.is_empty() {
        let subjects: Vec<&str> = left.removals.iter().map(|r| r.subject.as_str()).collect();
        return Err(crate::exit::VaultFailure(format!(
            "Vault still holds objects nvctl created after deleting them: {}",
            subjects.join(", ")
        ))
        .into());
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_subjects_split_into_path_and_name() {
        assert_eq!(
            parse_role_subject("auth/jwt-nomad/role/nomad-workloads"),
            Some(("jwt-nomad".into(), "nomad-workloads".into()))
        );
        assert_eq!(
            parse_role_subject("auth/team/jwt/role/r"),
            Some(("team/jwt".into(), "r".into()))
        );
        assert_eq!(parse_role_subject("sys/policies/acl/x"), None);
        assert_eq!(parse_role_subject("auth/role/"), None);
    }
}
