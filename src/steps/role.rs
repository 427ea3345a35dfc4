//! Step 4: the token role Nomad creates task tokens from — by default `nomad-cluster` from
//! `roles/nomad-cluster.json` — written to `auth/token/roles/<name>` in the `token_*` form
//! (vault-api.md §4) and checked with Nomad's role rules (nomad-rules.md §2).
//!
//! A role Nomad would reject is refused before anything is written unless forced: Nomad does
//! not fail when the role is wrong, it starts and disables its Vault integration, which is far
//! harder to notice than an error here.

use anyhow::{Context, Result};

use crate::checks::{check, Finding, Findings, Severity};
use crate::exit::VaultFailure;
use crate::nomad::role_rules::{self, RoleContext};
use crate::nomad::role_spec::RoleSpec;
use crate::output::Ui;
use crate::validation::role_facts;
use crate::vault::{TokenRole, TokenRoleParams, VaultClient};

use super::{unified_diff, Plan, Step};

/// Writes one token role and verifies it the way a Nomad server reads it at start-up.
pub struct RoleStep {
    name: String,
    desired: RoleSpec,
    source: String,
    force: bool,
    /// Observed: `None` before `observe`, `Some(None)` when the role does not exist.
    live: Option<Option<TokenRole>>,
    /// Whether `apply` wrote since the last `observe`.
    applied: bool,
    /// The Nomad servers' policies nvctl's advice judges the role against.
    server_policies: Vec<String>,
}

impl RoleStep {
    /// A step that makes role `name` match `desired` (read from `source_label`, for messages).
    /// With `force`, a role Nomad would reject is written anyway.
    pub fn new(
        name: impl Into<String>,
        desired: RoleSpec,
        source_label: impl Into<String>,
        force: bool,
    ) -> RoleStep {
        RoleStep {
            name: name.into(),
            desired,
            source: source_label.into(),
            force,
            live: None,
            applied: false,
            server_policies: vec!["nomad-server".to_string()],
        }
    }

    /// The Nomad servers' policies (default: `nomad-server`), for nvctl's advice on the role.
    pub fn with_server_policies(mut self, policies: Vec<String>) -> RoleStep {
        self.server_policies = policies;
        self
    }

    pub fn role_name(&self) -> &str {
        &self.name
    }

    pub fn desired(&self) -> &RoleSpec {
        &self.desired
    }

    /// Nomad's errors about the desired role (nomad-rules.md §2): empty when Nomad accepts it.
    /// Callers refuse to go on when this is non-empty and `--force` was not given.
    pub fn nomad_rejections(&self) -> Vec<Finding> {
        role_rules::check(&self.desired.to_role_facts(&self.name))
    }

    /// The live role seen by `observe` (`None`: not observed yet, or it does not exist).
    pub fn live(&self) -> Option<&TokenRole> {
        self.live.as_ref().and_then(Option::as_ref)
    }

    /// The live role in the comparable form.
    pub fn live_spec(&self) -> Result<Option<RoleSpec>> {
        self.live().map(live_spec).transpose()
    }

    /// Whether the live role equals the desired one; `false` when it is missing.
    pub fn is_in_place(&self) -> Result<bool> {
        Ok(self.live_spec()?.is_some_and(|live| live == self.desired))
    }

    /// The diff live → desired of the canonical JSON forms (from nothing when missing).
    pub fn diff(&self) -> Result<String> {
        let live = self
            .live_spec()?
            .map(|s| s.canonical_json())
            .unwrap_or_default();
        Ok(unified_diff(
            &live,
            &self.desired.canonical_json(),
            &format!("role {:?}", self.name),
        ))
    }

    fn subject(&self) -> String {
        format!("auth/token/roles/{}", self.name)
    }

    /// Refuses a change Nomad would reject, unless forced.
    fn guarded(&self, plan: Plan) -> Plan {
        let rejections = self.nomad_rejections();
        if self.force || rejections.is_empty() {
            return plan;
        }
        let messages: Vec<String> = rejections.into_iter().map(|f| f.message).collect();
        plan.refused(format!(
            "the token role {:?} ({}) would be rejected by Nomad: {}",
            self.name,
            self.source,
            messages.join("; ")
        ))
    }

    /// The body to PUT. Vault only changes the fields sent, so lists the desired role leaves
    /// empty but the live role has are sent empty to clear them.
    fn write_params(&self) -> Result<TokenRoleParams> {
        let mut body = self.desired.to_write_body();
        if let (Some(live), Some(map)) = (self.live(), body.as_object_mut()) {
            if !map.contains_key("token_bound_cidrs")
                && (!live.token_bound_cidrs.is_empty() || !live.bound_cidrs.is_empty())
            {
                map.insert("token_bound_cidrs".into(), serde_json::json!([]));
            }
        }
        serde_json::from_value(body).context("internal error: the role body does not convert")
    }
}

/// Vault's GET answer in the comparable form.
fn live_spec(role: &TokenRole) -> Result<RoleSpec> {
    let data = serde_json::to_value(role).context("internal error: the role does not convert")?;
    RoleSpec::from_vault_data(&data)
        .map_err(|m| VaultFailure(format!("role {:?}: Vault answered {m}", role.name)).into())
}

impl Step for RoleStep {
    fn name(&self) -> &'static str {
        "role"
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        let live = client
            .read_token_role(&self.name)
            .with_context(|| format!("cannot read token role {:?}", self.name))?;
        self.live = Some(live);
        self.applied = false;
        Ok(())
    }

    fn plan(&self) -> Plan {
        let subject = self.subject();
        if self.live().is_none() {
            return self.guarded(Plan::create(
                subject,
                format!("create token role {:?} from {}", self.name, self.source),
                self.desired.canonical_json().trim_end().to_string(),
            ));
        }
        // A live answer nvctl cannot read is shown as a difference, so it is never taken for
        // "in place"; `apply` then rewrites it whole.
        match (self.is_in_place(), self.diff()) {
            (Ok(true), _) => Plan::nothing(subject, format!("token role {:?}", self.name)),
            (_, Ok(diff)) => self.guarded(Plan::update(
                subject,
                format!(
                    "token role {:?} differs from {}; it will be rewritten",
                    self.name, self.source
                ),
                diff,
            )),
            (_, Err(e)) => self.guarded(Plan::update(
                subject,
                format!("token role {:?} cannot be compared ({e:#})", self.name),
                String::new(),
            )),
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let rejections = self.nomad_rejections();
        if !rejections.is_empty() && !self.force {
            // The commands refuse earlier with the findings; this guards other callers.
            let words: Vec<&str> = rejections.iter().map(|f| f.message.as_str()).collect();
            anyhow::bail!(
                "token role {:?} not written: Nomad would reject it ({}); use --force to write it anyway",
                self.name,
                words.join("; ")
            );
        }
        let params = self.write_params()?;
        let warnings = client
            .write_token_role(&self.name, &params)
            .with_context(|| format!("cannot write token role {:?}", self.name))?;
        self.applied = true;
        for warning in warnings {
            ui.warn(format!("Vault: {warning}"));
        }
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let subject = self.subject();
        // Which policies exist only matters for a role that allows some (the "allowed policy
        // does not exist" finding); the list goes out with the read-back, not after it.
        let wants_list = !self.desired.allowed_policies.is_empty();
        let (live, listed) = match (&self.live, self.applied) {
            // Nothing was written since `observe` read it in this run: that read is the
            // read-back, and asking again would only cost a round trip.
            (Some(observed), false) => (Ok(observed.clone()), None),
            _ => std::thread::scope(|scope| {
                let list = wants_list.then(|| scope.spawn(|| client.list_policies().ok()));
                let live = client.read_token_role(&self.name);
                (
                    live,
                    list.map(|h| match h.join() {
                        Ok(listed) => listed,
                        Err(panic) => std::panic::resume_unwind(panic),
                    }),
                )
            }),
        };
        let live = live.with_context(|| format!("cannot read token role {:?} back", self.name))?;
        let Some(live) = live else {
            return Err(VaultFailure(format!(
                "token role {:?} was written but reading it back answered 404",
                self.name
            ))
            .into());
        };
        let mut findings = Findings::new();
        if live_spec(&live)? != self.desired {
            findings.push(
                Finding::nvctl(
                    Severity::Error,
                    check::ROLE,
                    subject,
                    "the token role read back differs from the desired role",
                )
                .with_remedy(format!(
                    "compare with `nvctl role diff --name {}`; another writer may have changed it",
                    self.name
                )),
            );
        }
        let facts = role_facts(&self.name, Some(&live));
        findings.extend(role_rules::check(&facts));
        // A token that may not list policies only loses that finding.
        let existing = if live.allowed_policies.is_empty() {
            None
        } else {
            listed.unwrap_or_else(|| client.list_policies().ok())
        };
        findings.extend(role_rules::nvctl_findings(
            &facts,
            &RoleContext {
                server_policies: &self.server_policies,
                existing_policies: existing.as_deref(),
            },
        ));
        self.live = Some(Some(live));
        Ok(findings)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Change;
    use super::*;

    fn seed_live() -> TokenRole {
        TokenRole {
            name: "nomad-cluster".into(),
            disallowed_policies: vec!["nomad-server".into()],
            orphan: true,
            renewable: true,
            token_period: 259_200,
            ..TokenRole::default()
        }
    }

    fn step(spec: RoleSpec) -> RoleStep {
        RoleStep::new("nomad-cluster", spec, "roles/nomad-cluster.json", false)
    }

    #[test]
    fn shipped_role_is_accepted_by_nomad() {
        let step = step(RoleSpec::shipped_default().unwrap());
        assert!(step.nomad_rejections().is_empty());
    }

    #[test]
    fn non_renewable_role_is_rejected_in_nomads_words() {
        let spec = RoleSpec {
            renewable: false,
            ..RoleSpec::shipped_default().unwrap()
        };
        let words: Vec<String> = step(spec)
            .nomad_rejections()
            .into_iter()
            .map(|f| f.message)
            .collect();
        assert_eq!(words, vec!["Role must allow tokens to be renewed"]);
    }

    #[test]
    fn plan_follows_the_live_role() {
        let mut s = step(RoleSpec::shipped_default().unwrap());
        s.live = Some(None);
        assert_eq!(s.plan().change, Change::Create);
        s.live = Some(Some(seed_live()));
        assert_eq!(s.plan().change, Change::None);
        // Written with the legacy name only: Vault shows both, and it is the same role.
        s.live = Some(Some(TokenRole {
            period: 259_200,
            ..seed_live()
        }));
        assert_eq!(s.plan().change, Change::None);
        s.live = Some(Some(TokenRole {
            orphan: false,
            ..seed_live()
        }));
        let plan = s.plan();
        assert_eq!(plan.change, Change::Update);
        let diff = plan.diff.unwrap();
        assert!(diff.contains("-  \"orphan\": false"), "{diff}");
        assert!(diff.contains("+  \"orphan\": true"), "{diff}");
    }

    #[test]
    fn write_body_uses_token_spellings_and_clears_live_cidrs() {
        let mut s = step(RoleSpec::shipped_default().unwrap());
        s.live = Some(Some(TokenRole {
            bound_cidrs: vec!["10.0.0.0/8".into()],
            token_bound_cidrs: vec!["10.0.0.0/8".into()],
            ..seed_live()
        }));
        let params = s.write_params().unwrap();
        assert_eq!(params.token_period, Some(259_200));
        assert_eq!(params.token_explicit_max_ttl, Some(0));
        assert_eq!(params.period, None);
        assert_eq!(params.token_bound_cidrs, Some(vec![]));
    }
}
