//! WI step 3: the workload policy (`nomad-workloads`), templated on the auth method's REAL
//! accessor — read from `sys/auth` at the moment of writing, never remembered — so a token
//! from a job reads `secret/data/<namespace>/<job>/…` and nothing of another job.
//!
//! A policy nvctl creates starts with comment lines carrying nvctl's mark (and the flow's role
//! when it did not exist as the policy was written: the role step, next, creates it; a role
//! cannot carry a mark itself). A policy that existed without the mark
//! stays unmarked when nvctl updates it: it remains the operator's, and `--destroy` leaves it.
//! "In place" means the same rules (comments and layout aside) and the same marks.
//!
//! Its verify is the flow's final verification: the whole live check that
//! `nvctl check-role --flow workload-identity` runs, accessor drift included.

use anyhow::{Context, Result};

use crate::acl;
use crate::checks::{Finding, Findings, Severity};
use crate::exit::VaultFailure;
use crate::nomad::workload_identity::{self as wi, PolicyMarks, WorkloadIdentitySpec, CHECK};
use crate::output::Ui;
use crate::vault::VaultClient;

use crate::doctor::workload_identity::{check_live, WiTarget};
use crate::steps::{unified_diff, Plan, Step};

/// What `observe` saw.
#[derive(Debug, Clone)]
struct Observed {
    /// The auth mount's accessor; `None` while the mount does not exist (`--plan` on a fresh
    /// Vault, or a caller that observes every step before applying any).
    accessor: Option<String>,
    live: Option<String>,
    role_exists: bool,
}

pub struct WiPolicyStep {
    name: String,
    path: String,
    kv_mount: String,
    role_name: String,
    audiences: Vec<String>,
    observed: Option<Observed>,
}

impl WiPolicyStep {
    pub fn new(spec: &WorkloadIdentitySpec) -> WiPolicyStep {
        WiPolicyStep {
            name: spec.policy_name.to_lowercase(),
            path: spec.path().to_string(),
            kv_mount: spec.kv_mount.trim_matches('/').to_string(),
            role_name: spec.role_name.clone(),
            audiences: spec.audiences.clone(),
            observed: None,
        }
    }

    fn subject(&self) -> String {
        format!("sys/policies/acl/{}", self.name)
    }

    fn role_subject(&self) -> String {
        wi::role_subject(&self.path, &self.role_name)
    }

    /// The marks the policy should carry: nvctl's when it creates the policy or it already
    /// carries them; the roles already recorded, plus this flow's role when it did not exist
    /// when observed (the role step, after this one, creates it).
    fn desired_marks(&self) -> PolicyMarks {
        let Some(observed) = &self.observed else {
            return PolicyMarks::default();
        };
        let live = observed.live.as_deref().map(PolicyMarks::parse);
        let created_by_nvctl = live.as_ref().is_none_or(|m| m.created_by_nvctl);
        if !created_by_nvctl {
            return PolicyMarks::default();
        }
        let mut roles = live.map(|m| m.roles).unwrap_or_default();
        let ours = self.role_subject();
        if !observed.role_exists && !roles.contains(&ours) {
            roles.push(ours);
        }
        PolicyMarks {
            created_by_nvctl,
            roles,
        }
    }

    fn desired_text(&self, accessor: &str) -> String {
        format!(
            "{}{}",
            self.desired_marks().header(),
            wi::policy_body(accessor, &self.kv_mount)
        )
    }

    fn placeholder(&self) -> String {
        format!("<accessor of auth/{}/>", self.path)
    }

    fn in_place(&self) -> bool {
        let Some(Observed {
            accessor: Some(accessor),
            live: Some(live),
            ..
        }) = &self.observed
        else {
            return false;
        };
        acl::normalise(live) == acl::normalise(&self.desired_text(accessor))
            && PolicyMarks::parse(live) == self.desired_marks()
    }

    fn accessor_now(&self, client: &VaultClient) -> Result<Option<String>> {
        Ok(client
            .list_auth_mounts()
            .context("cannot list the auth methods (sys/auth)")?
            .get(&format!("{}/", self.path))
            .map(|m| m.accessor.clone()))
    }
}

impl Step for WiPolicyStep {
    fn name(&self) -> &'static str {
        "wi-policy"
    }

    fn reads_earlier_writes(&self) -> bool {
        // Templated on the accessor of the auth method an earlier stage enables.
        true
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        let accessor = self.accessor_now(client)?;
        let live = client
            .read_policy(&self.name)
            .with_context(|| format!("cannot read policy {:?}", self.name))?
            .map(|p| p.policy);
        let role_exists = accessor.is_some()
            && client
                .read_jwt_role(&self.path, &self.role_name)
                .with_context(|| format!("cannot read {}", self.role_subject()))?
                .is_some();
        self.observed = Some(Observed {
            accessor,
            live,
            role_exists,
        });
        Ok(())
    }

    fn plan(&self) -> Plan {
        let subject = self.subject();
        let observed = self.observed.as_ref();
        let accessor = observed
            .and_then(|o| o.accessor.clone())
            .unwrap_or_else(|| self.placeholder());
        let desired = self.desired_text(&accessor);
        match observed.and_then(|o| o.live.as_deref()) {
            None => Plan::create(
                subject,
                format!(
                    "create policy {:?}, templated on the accessor of auth/{}/ ({accessor})",
                    self.name, self.path
                ),
                desired.trim_end().to_string(),
            ),
            Some(_) if self.in_place() => Plan::nothing(
                subject,
                format!("policy {:?} (templated on {accessor})", self.name),
            ),
            Some(live) => Plan::update(
                subject.clone(),
                format!(
                    "policy {:?} differs from the workload policy on {accessor}; it will be replaced",
                    self.name
                ),
                unified_diff(live, &desired, &subject),
            ),
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        // The accessor is read now, not taken from observe: the mount may have been enabled
        // (or re-enabled) since.
        let accessor = self.accessor_now(client)?.ok_or_else(|| {
            anyhow::anyhow!(
                "no auth method at {}/: the workload policy is templated on its accessor, so it must exist first",
                self.path
            )
        })?;
        let text = self.desired_text(&accessor);
        let warnings = client
            .write_policy(&self.name, &text)
            .with_context(|| format!("cannot write policy {:?}", self.name))?;
        for w in warnings {
            ui.warn(format!("Vault: {w}"));
        }
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let subject = self.subject();
        let accessor = self.accessor_now(client)?;
        let live = client
            .read_policy(&self.name)
            .with_context(|| format!("cannot read policy {:?} back", self.name))?
            .ok_or_else(|| {
                VaultFailure(format!(
                    "policy {:?} was written but reading it back answered 404",
                    self.name
                ))
            })?
            .policy;
        if let Some(observed) = &mut self.observed {
            observed.live = Some(live.clone());
            observed.accessor = accessor.clone();
        }
        let mut findings = Findings::new();
        if let Some(accessor) = &accessor {
            if acl::normalise(&live) != acl::normalise(&self.desired_text(accessor)) {
                findings.push(
                    Finding::nvctl(
                        Severity::Error,
                        CHECK,
                        &subject,
                        "the policy read back differs from the desired text",
                    )
                    .with_remedy(
                        "another writer may have changed it; re-run to see the difference",
                    ),
                );
            }
        }
        findings.extend(check_live(
            client,
            &WiTarget {
                auth_path: &self.path,
                role: &self.role_name,
                server_audiences: &self.audiences,
                // The config step fetched it already.
                fetch_jwks: false,
            },
        )?);
        Ok(findings)
    }
}
