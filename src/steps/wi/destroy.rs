//! `--destroy` for the workload-identity flow: remove what nvctl created, and only that — the
//! policy, the roles recorded in its header, the KV engine, the auth method (its config and
//! roles go with it) — so Vault is left as nvctl found it.
//!
//! What nvctl created is what carries its mark (`nomad::workload_identity::NVCTL_MARK`): the
//! mounts' descriptions, the policy's header. Everything else at the same paths was there
//! before nvctl, or was made by someone else, and is listed as kept with the reason. Objects
//! nvctl only updated cannot be put back as they were; nvctl does not try.
//!
//! Each kind of object is one [`Removal`] step, driven by the one driver
//! (`steps::pipeline::drive`) in two stages: the roles, the secrets engine and the auth method
//! together, then the policy. The policy's header is the only record of the roles nvctl
//! created in an auth method it does not own, so it must outlive them: deleted in the same
//! stage, a role whose deletion failed (or a run interrupted) while the policy went would be
//! left behind, found by no re-run. Every removal of both stages is still observed together
//! and shown and approved one by one before anything is deleted
//! ([`Pipeline::ask_all_first`]); each is read back.

use anyhow::{Context, Result};
use serde::Serialize;

use crate::checks::Findings;
use crate::nomad::workload_identity::{self as wi, PolicyMarks, WorkloadIdentitySpec};
use crate::output::Ui;
use crate::steps::pipeline::{drive, Facts, Pipeline};
use crate::steps::{Consent, Plan, Step, StepReport};
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

/// An object left in place, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kept {
    pub subject: String,
    pub reason: String,
}

/// What `--destroy` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DestroyReport {
    pub removed: Vec<String>,
    /// `--plan`: what would be removed.
    pub pending: Vec<String>,
    pub kept: Vec<Kept>,
    /// The driver's report of each removal step, for the summary table.
    #[serde(skip)]
    pub steps: Vec<StepReport>,
}

/// Removes what nvctl created at `target` through the driver: each object shown with what goes
/// with it, asked for (`--yes` consents; without a terminal it refuses naming `--yes`),
/// deleted, and read back. With [`Consent::PlanOnly`] it only reports.
pub fn destroy(
    client: &VaultClient,
    ui: &Ui,
    target: &DestroyTarget,
    consent: Consent,
) -> Result<DestroyReport> {
    let [mut roles, mut engine, mut auth, mut policy] = [
        Object::RecordedRoles,
        Object::SecretsEngine,
        Object::AuthMethod,
        Object::Policy,
    ]
    .map(|object| Removal::new(object, target));
    let mut pipeline = Pipeline::new(Facts::default())
        .stage(
            "the roles, secrets engine and auth method",
            [
                Box::new(&mut roles) as Box<dyn Step + '_>,
                Box::new(&mut engine),
                Box::new(&mut auth),
            ],
        )
        // Last: it records the roles, and a re-run finds them only through it.
        .stage(
            "the policy recording the roles, once they are gone",
            [Box::new(&mut policy) as Box<dyn Step + '_>],
        )
        .ask_all_first();
    let driven = drive(&mut pipeline, client, ui, consent);
    drop(pipeline);
    // In pipeline order, which is the order of deletion.
    let removals = [roles, engine, auth, policy];
    let driven = driven.map_err(|e| unfinished(e, &removals))?;

    let mut report = DestroyReport {
        steps: driven.steps,
        ..DestroyReport::default()
    };
    for removal in &removals {
        let found = removal.found.as_ref();
        report
            .kept
            .extend(found.iter().flat_map(|f| f.kept.iter().cloned()));
        report.removed.extend(removal.removed.iter().cloned());
        if consent == Consent::PlanOnly {
            report.pending.extend(
                found
                    .iter()
                    .flat_map(|f| f.delete.iter().map(|i| i.subject.clone())),
            );
        }
    }
    if report.removed.is_empty() && report.pending.is_empty() {
        ui.done("Nothing nvctl created is left to delete.");
    }
    Ok(report)
}

/// A run stopped by a failed deletion says what it deleted and that the policy recording the
/// roles was kept for a re-run to finish with (the error itself names what failed).
fn unfinished(error: anyhow::Error, removals: &[Removal]) -> anyhow::Error {
    if !removals.iter().any(|r| r.tried) {
        return error;
    }
    let removed: Vec<&str> = removals
        .iter()
        .flat_map(|r| r.removed.iter().map(String::as_str))
        .collect();
    let removed = if removed.is_empty() {
        "nothing".to_string()
    } else {
        removed.join(", ")
    };
    let kept: Vec<&str> = removals
        .iter()
        .filter(|r| r.object == Object::Policy && !r.tried)
        .flat_map(|r| r.found.iter().flat_map(|f| &f.delete))
        .map(|i| i.subject.as_str())
        .collect();
    let kept = if kept.is_empty() {
        String::new()
    } else {
        format!(
            "; kept: {}, which records the roles nvctl created and goes once they are gone",
            kept.join(", ")
        )
    };
    error.context(format!(
        "--destroy stopped before the end; re-run it to finish (removed: {removed}{kept})"
    ))
}

/// The kinds of object the flow creates (their order is the pipeline's, in [`destroy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Object {
    Policy,
    /// JWT roles nvctl created in an auth method it did not create (recorded in the policy's
    /// header: a role has no field for a mark of its own).
    RecordedRoles,
    SecretsEngine,
    AuthMethod,
}

/// One object to delete.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Item {
    subject: String,
    /// What goes with it, for the operator.
    what: String,
    warning: Option<String>,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Policy(String),
    JwtRole { path: String, name: String },
    SecretsEngine(String),
    AuthMethod(String),
}

/// What observing found: what to delete and what stays.
#[derive(Debug, Clone, Default)]
struct Found {
    delete: Vec<Item>,
    kept: Vec<Kept>,
}

/// The step removing one kind of object the flow created, when nvctl's mark says it did.
pub struct Removal {
    object: Object,
    target: DestroyTarget,
    found: Option<Found>,
    /// Whether `apply` started deleting.
    tried: bool,
    removed: Vec<String>,
}

impl Removal {
    fn new(object: Object, target: &DestroyTarget) -> Removal {
        Removal {
            object,
            target: target.clone(),
            found: None,
            tried: false,
            removed: Vec::new(),
        }
    }

    /// The object's subject when there is nothing to delete.
    fn subject(&self) -> String {
        let t = &self.target;
        match self.object {
            Object::Policy => format!("sys/policies/acl/{}", t.policy_name),
            Object::RecordedRoles => wi::role_subject(&t.auth_path, &t.role_name),
            Object::SecretsEngine => format!("sys/mounts/{}", t.kv_mount),
            Object::AuthMethod => format!("sys/auth/{}", t.auth_path),
        }
    }

    fn look(&self, client: &VaultClient) -> Result<Found> {
        let t = &self.target;
        let mut found = Found::default();
        match self.object {
            Object::Policy => {
                let policy = read_policy(client, t)?;
                let subject = self.subject();
                match policy {
                    Some(marks) if marks.created_by_nvctl => found.delete.push(Item {
                        subject,
                        what: format!("policy {:?}", t.policy_name),
                        warning: None,
                        kind: Kind::Policy(t.policy_name.clone()),
                    }),
                    Some(_) => found.kept.push(Kept {
                        subject,
                        reason: "not created by nvctl (no nvctl mark in its header)".into(),
                    }),
                    None => {}
                }
            }
            Object::RecordedRoles => {
                let auth_mounts = client
                    .list_auth_mounts()
                    .context("cannot list the auth methods (sys/auth)")?;
                let auth = auth_mounts.get(&format!("{}/", t.auth_path));
                let auth_is_ours = auth.is_some_and(|m| wi::is_marked_description(&m.description));
                let marks = read_policy(client, t)?.unwrap_or_default();
                // Roles inside an auth method that goes anyway need no request of their own.
                for recorded in &marks.roles {
                    let Some((path, name)) = parse_role_subject(recorded) else {
                        continue;
                    };
                    if (path == t.auth_path && auth_is_ours)
                        || !auth_mounts.contains_key(&format!("{path}/"))
                    {
                        continue;
                    }
                    let exists = client
                        .read_jwt_role(&path, &name)
                        .with_context(|| format!("cannot read {recorded}"))?
                        .is_some();
                    if exists {
                        found.delete.push(Item {
                            subject: recorded.clone(),
                            what: format!("role {name:?} (recorded as created by nvctl)"),
                            warning: None,
                            kind: Kind::JwtRole { path, name },
                        });
                    }
                }
                let our_role = self.subject();
                if auth.is_some() && !auth_is_ours && !marks.roles.contains(&our_role) {
                    let exists = client
                        .read_jwt_role(&t.auth_path, &t.role_name)
                        .with_context(|| format!("cannot read {our_role}"))?
                        .is_some();
                    if exists {
                        found.kept.push(Kept {
                            subject: our_role,
                            reason: "not recorded as created by nvctl".into(),
                        });
                    }
                }
            }
            Object::SecretsEngine => {
                let key = format!("{}/", t.kv_mount);
                let mounts = client
                    .list_mounts()
                    .context("cannot list the secrets engines (sys/mounts)")?;
                if let Some(kv) = mounts.get(&key) {
                    let subject = self.subject();
                    if wi::is_marked_description(&kv.description) {
                        found.delete.push(Item {
                            subject,
                            what: format!("the {} secrets engine at {key}", kv.mount_type),
                            warning: Some(format!(
                                "every secret stored under {key} is deleted with it"
                            )),
                            kind: Kind::SecretsEngine(t.kv_mount.clone()),
                        });
                    } else {
                        found.kept.push(Kept {
                            subject,
                            reason: "not created by nvctl (no nvctl mark in its description)"
                                .into(),
                        });
                    }
                }
            }
            Object::AuthMethod => {
                let key = format!("{}/", t.auth_path);
                let mounts = client
                    .list_auth_mounts()
                    .context("cannot list the auth methods (sys/auth)")?;
                if let Some(auth) = mounts.get(&key) {
                    let subject = self.subject();
                    if wi::is_marked_description(&auth.description) {
                        found.delete.push(Item {
                            subject,
                            what: format!(
                                "the {} auth method at {key} with its config and roles",
                                auth.mount_type
                            ),
                            warning: Some(
                                "tokens issued by it are revoked: running tasks lose their Vault tokens"
                                    .into(),
                            ),
                            kind: Kind::AuthMethod(t.auth_path.clone()),
                        });
                    } else {
                        found.kept.push(Kept {
                            subject,
                            reason: "not created by nvctl (no nvctl mark in its description); its config stays too".into(),
                        });
                    }
                }
            }
        }
        Ok(found)
    }
}

/// The marks of the flow's policy; `None` when there is no such policy.
fn read_policy(client: &VaultClient, t: &DestroyTarget) -> Result<Option<PolicyMarks>> {
    let policy = client
        .read_policy(&t.policy_name)
        .with_context(|| format!("cannot read policy {:?}", t.policy_name))?;
    Ok(policy.map(|p| PolicyMarks::parse(&p.policy)))
}

impl Step for Removal {
    fn name(&self) -> &'static str {
        match self.object {
            Object::Policy => "wi-policy",
            Object::RecordedRoles => "jwt-role",
            Object::SecretsEngine => "kv",
            Object::AuthMethod => "auth-method",
        }
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        self.found = Some(self.look(client)?);
        Ok(())
    }

    fn plan(&self) -> Plan {
        let found = self.found.clone().unwrap_or_default();
        let kept = found
            .kept
            .iter()
            .map(|k| format!("{} kept: {}", k.subject, k.reason));
        if found.delete.is_empty() {
            let subject = self.subject();
            let in_place = kept.collect::<Vec<_>>().join("; ");
            let in_place = if in_place.is_empty() {
                format!("{subject}: nothing of nvctl's to delete")
            } else {
                in_place
            };
            return Plan::nothing(subject, "nothing to delete").with_in_place(in_place);
        }
        let subjects: Vec<&str> = found.delete.iter().map(|i| i.subject.as_str()).collect();
        let whats: Vec<&str> = found.delete.iter().map(|i| i.what.as_str()).collect();
        let body: Vec<String> = found
            .delete
            .iter()
            .map(|i| format!("{} ({})", i.subject, i.what))
            .chain(kept)
            .collect();
        let mut plan = Plan::delete(
            subjects.join(", "),
            format!("delete {}", whats.join(", ")),
            body.join("\n"),
        )
        .with_done(format!("Deleted {}.", subjects.join(", ")));
        for item in &found.delete {
            if let Some(w) = &item.warning {
                plan = plan.with_warning(format!("{}: {w}", item.subject));
            }
        }
        plan
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let items = self
            .found
            .as_ref()
            .map(|f| f.delete.clone())
            .unwrap_or_default();
        self.tried = true;
        for item in items {
            let warnings = match &item.kind {
                Kind::Policy(name) => client.delete_policy(name),
                Kind::JwtRole { path, name } => client.delete_jwt_role(path, name),
                Kind::SecretsEngine(path) => client.disable_mount(path),
                Kind::AuthMethod(path) => client.disable_auth(path),
            }
            .with_context(|| {
                format!(
                    "cannot delete {} (deleted so far: {})",
                    item.subject,
                    if self.removed.is_empty() {
                        "nothing".to_string()
                    } else {
                        self.removed.join(", ")
                    }
                )
            })?;
            for w in warnings {
                ui.warn(format!("Vault: {w}"));
            }
            self.removed.push(item.subject.clone());
        }
        Ok(())
    }

    /// Nothing marked may be left of what was deleted.
    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        if self.removed.is_empty() {
            return Ok(Findings::new());
        }
        let left: Vec<String> = match self.object {
            // The policy held the record of the roles: read each deleted role itself.
            Object::RecordedRoles => {
                let mut left = Vec::new();
                for item in self.found.iter().flat_map(|f| &f.delete) {
                    if let Kind::JwtRole { path, name } = &item.kind {
                        if client
                            .read_jwt_role(path, name)
                            .with_context(|| format!("cannot read {}", item.subject))?
                            .is_some()
                        {
                            left.push(item.subject.clone());
                        }
                    }
                }
                left
            }
            _ => self
                .look(client)?
                .delete
                .into_iter()
                .map(|i| i.subject)
                .collect(),
        };
        if !left.is_empty() {
            return Err(crate::exit::VaultFailure(format!(
                "Vault still holds objects nvctl created after deleting them: {}",
                left.join(", ")
            ))
            .into());
        }
        Ok(Findings::new())
    }
}

/// `auth/<path>/role/<name>` → (path, name).
fn parse_role_subject(subject: &str) -> Option<(String, String)> {
    let rest = subject.strip_prefix("auth/")?;
    let (path, name) = rest.rsplit_once("/role/")?;
    (!path.is_empty() && !name.is_empty()).then(|| (path.to_string(), name.to_string()))
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
