//! WI step 4 (the last): the JWT role Nomad's workloads log in with (`auth/<path>/role/nomad-workloads`):
//! the audiences the servers sign for, the per-job user claim, the claims copied into the
//! identity alias's metadata (what the policy's templates read), a periodic service token and
//! the workload policy.
//!
//! Only the fields nvctl manages are compared and written; others the operator set stay.
//! Written after the policy, as `nomad setup vault` does. JWT roles have no field for a mark:
//! the policy step, before this one, records a role that does not exist yet in its marked
//! header.

use anyhow::{Context, Result};

use crate::checks::{Finding, Findings, Severity};
use crate::exit::VaultFailure;
use crate::nomad::workload_identity::{
    self as wi, ManagedRole, RoleContext, WorkloadIdentitySpec, CHECK,
};
use crate::output::Ui;
use crate::vault::{JwtRole, VaultClient};

use crate::doctor::workload_identity::{auth_mount_exists, managed_role, role_facts};
use crate::steps::{unified_diff, Plan, Step};

pub struct WiRoleStep {
    path: String,
    name: String,
    desired: ManagedRole,
    /// Observed: `None` before `observe`, `Some(None)` when the role does not exist.
    live: Option<Option<JwtRole>>,
}

impl WiRoleStep {
    pub fn new(spec: &WorkloadIdentitySpec) -> WiRoleStep {
        WiRoleStep {
            path: spec.path().to_string(),
            name: spec.role_name.clone(),
            desired: spec.desired_role(),
            live: None,
        }
    }

    pub fn desired(&self) -> &ManagedRole {
        &self.desired
    }

    fn live(&self) -> Option<&JwtRole> {
        self.live.as_ref().and_then(Option::as_ref)
    }

    fn subject(&self) -> String {
        wi::role_subject(&self.path, &self.name)
    }

    fn body(&self) -> JwtRole {
        let d = &self.desired;
        JwtRole {
            role_type: Some(d.role_type.clone()),
            bound_audiences: Some(d.bound_audiences.clone()),
            user_claim: Some(d.user_claim.clone()),
            user_claim_json_pointer: Some(d.user_claim_json_pointer),
            claim_mappings: Some(d.claim_mappings.clone()),
            token_type: Some(d.token_type.clone()),
            token_period: Some(d.token_period),
            token_policies: Some(d.token_policies.clone()),
            ..JwtRole::default()
        }
    }
}

impl Step for WiRoleStep {
    fn name(&self) -> &'static str {
        "jwt-role"
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        let live = if auth_mount_exists(client, &self.path)? {
            client
                .read_jwt_role(&self.path, &self.name)
                .with_context(|| format!("cannot read {}", self.subject()))?
        } else {
            None
        };
        self.live = Some(live);
        Ok(())
    }

    fn plan(&self) -> Plan {
        let subject = self.subject();
        match self.live() {
            None => Plan::create(
                subject,
                format!("create the workload identity role {:?}", self.name),
                self.desired.canonical_json().trim_end().to_string(),
            ),
            Some(live) if managed_role(live) == self.desired => {
                Plan::nothing(subject, format!("role {:?}", self.name))
            }
            Some(live) => Plan::update(
                subject.clone(),
                format!("role {:?} differs; it will be rewritten", self.name),
                unified_diff(
                    &managed_role(live).canonical_json(),
                    &self.desired.canonical_json(),
                    &subject,
                ),
            ),
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let warnings = client
            .write_jwt_role(&self.path, &self.name, &self.body())
            .with_context(|| format!("cannot write {}", self.subject()))?;
        for w in warnings {
            ui.warn(format!("Vault: {w}"));
        }
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let subject = self.subject();
        let live = client
            .read_jwt_role(&self.path, &self.name)
            .with_context(|| format!("cannot read {subject} back"))?
            .ok_or_else(|| {
                VaultFailure(format!(
                    "{subject} was written but reading it back answered 404"
                ))
            })?;
        let mut findings = Findings::new();
        if managed_role(&live) != self.desired {
            findings.push(
                Finding::nvctl(
                    Severity::Error,
                    CHECK,
                    &subject,
                    "the role read back differs from the desired one",
                )
                .with_remedy("another writer may have changed it; re-run to see the difference"),
            );
        }
        // The role's own rules; whether its policies exist and match the mount is the policy
        // step's verification.
        findings.extend(wi::check_role(
            Some(&role_facts(&live)),
            &RoleContext {
                auth_path: &self.path,
                role_name: &self.name,
                server_audiences: &[],
                existing_policies: None,
            },
        ));
        self.live = Some(Some(live));
        Ok(findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step() -> WiRoleStep {
        WiRoleStep::new(&WorkloadIdentitySpec::nomad_defaults(
            "http://n/.well-known/jwks.json",
        ))
    }

    #[test]
    fn role_as_vault_returns_it_is_in_place_and_a_changed_audience_is_a_diff() {
        let mut s = step();
        let vault_form = JwtRole {
            role_type: Some("jwt".into()),
            bound_audiences: Some(vec!["vault.io".into()]),
            user_claim: Some("/nomad_job_id".into()),
            user_claim_json_pointer: Some(true),
            claim_mappings: Some(
                ["nomad_task", "nomad_job_id", "nomad_namespace"]
                    .iter()
                    .map(|c| (c.to_string(), c.to_string()))
                    .collect(),
            ),
            token_type: Some("service".into()),
            token_period: Some(1800),
            token_policies: Some(vec!["nomad-workloads".into()]),
            token_ttl: Some(0),
            ..JwtRole::default()
        };
        s.live = Some(Some(vault_form.clone()));
        assert_eq!(s.plan().change, crate::steps::Change::None);
        s.live = Some(Some(JwtRole {
            bound_audiences: Some(vec!["nomad.io".into()]),
            ..vault_form
        }));
        let plan = s.plan();
        assert_eq!(plan.change, crate::steps::Change::Update);
        let diff = plan.diff.unwrap();
        assert!(diff.contains("-    \"nomad.io\""), "{diff}");
        assert!(diff.contains("+    \"vault.io\""), "{diff}");
    }
}
