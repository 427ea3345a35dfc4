//! Step 3: an ACL policy — by default `nomad-server` from `policies/nomad-server.hcl` with the
//! role name substituted — written to `sys/policies/acl/<name>` (vault-api.md §3).
//!
//! The desired text is parsed locally before anything is sent, so a typo is reported with
//! `file:line` instead of as Vault's 400. "Equal" means equal in meaning (parsed, merged,
//! sorted: comments and layout ignored), so re-running against a policy someone reformatted
//! changes nothing; an update always shows the textual diff first.

use std::fmt;

use anyhow::{Context, Result};

use crate::acl::{self, PolicyDoc, PolicyError};
use crate::checks::{check, Finding, Findings, Severity};
use crate::exit::VaultFailure;
use crate::output::Ui;
use crate::vault::VaultClient;

use super::{unified_diff, Plan, Step};

/// The desired policy text did not pass local validation; nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPolicy {
    pub errors: Vec<PolicyError>,
}

impl fmt::Display for InvalidPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.errors.iter().map(ToString::to_string).collect();
        write!(
            f,
            "{}\nthe policy was not sent to Vault; fix the {} above",
            lines.join("\n"),
            if lines.len() == 1 {
                "problem"
            } else {
                "problems"
            }
        )
    }
}

impl std::error::Error for InvalidPolicy {}

/// The text of the shipped `nomad-server` policy for a token role, after checking the role
/// name (it ends up inside policy paths).
pub fn server_policy_text(role: &str) -> Result<String> {
    crate::nomad::role_spec::validate_role_name(role)
        .map_err(|m| anyhow::anyhow!("invalid --role: {m}"))?;
    Ok(acl::render_server_policy(role))
}

/// Writes one ACL policy and verifies it by reading it back.
pub struct PolicyStep {
    name: String,
    desired: String,
    source: String,
    parsed: PolicyDoc,
    /// Observed: `None` before `observe`, `Some(None)` when the policy does not exist.
    live: Option<Option<String>>,
    /// Whether `apply` wrote since the last `observe`.
    applied: bool,
}

impl PolicyStep {
    /// A step that makes policy `name` hold `desired_text`. `source_label` names where the text
    /// came from (`policies/nomad-server.hcl`, a file path) in messages. The text is validated
    /// here, before any request: an [`InvalidPolicy`] error lists every problem with `file:line`.
    /// Vault lower-cases policy names, so the name is lower-cased here too.
    pub fn new(
        name: impl Into<String>,
        desired_text: impl Into<String>,
        source_label: impl Into<String>,
    ) -> Result<PolicyStep> {
        let name = acl::policy_name(&name.into()).map_err(anyhow::Error::msg)?;
        let source = source_label.into();
        let desired = desired_text.into();
        if desired.trim().is_empty() {
            // vault-api.md §3: empty text → 400 `'policy' parameter not supplied or empty`.
            return Err(InvalidPolicy {
                errors: vec![PolicyError {
                    file: source,
                    line: None,
                    column: None,
                    message: "the policy text is empty".to_string(),
                }],
            }
            .into());
        }
        let parsed =
            acl::parse_policy(&desired, &source).map_err(|errors| InvalidPolicy { errors })?;
        Ok(PolicyStep {
            name,
            desired,
            source,
            parsed,
            live: None,
            applied: false,
        })
    }

    /// The policy name as Vault stores it.
    pub fn policy_name(&self) -> &str {
        &self.name
    }

    /// The text that will be written.
    pub fn desired_text(&self) -> &str {
        &self.desired
    }

    /// Things Vault accepts in the desired text that are probably not what the author meant.
    pub fn parse_warnings(&self) -> &[PolicyError] {
        &self.parsed.warnings
    }

    /// The live text seen by `observe` (`None`: not observed yet or the policy does not exist).
    pub fn live_text(&self) -> Option<&str> {
        self.live.as_ref().and_then(|l| l.as_deref())
    }

    /// Whether the live policy means the same as the desired text; `false` when it is missing.
    pub fn is_in_place(&self) -> bool {
        self.live_text()
            .is_some_and(|live| acl::normalise(live) == acl::canonical_text(&self.parsed))
    }

    /// The diff live → desired (from nothing when the policy does not exist): see
    /// [`policy_diff`].
    pub fn diff(&self) -> String {
        policy_diff(self.live_text(), &self.parsed, &self.name)
    }

    fn subject(&self) -> String {
        format!("sys/policies/acl/{}", self.name)
    }
}

/// The diff from the live policy text (`None`: it does not exist) to the desired policy, both
/// as Vault enforces them ([`acl::normalise`]: paths merged and sorted, capabilities settled,
/// comments and layout dropped). It is the comparison [`PolicyStep::is_in_place`] makes, so
/// every line shown changes what a token may do. It also keeps a large policy's diff near
/// n·log n: sorted, each path line is found once in each text, which the diff anchors on,
/// where the raw texts of two layouts of one policy made it quadratic (BENCHMARKS.md "Policy
/// text").
pub fn policy_diff(live: Option<&str>, desired: &PolicyDoc, name: &str) -> String {
    unified_diff(
        &live.map(acl::normalise).unwrap_or_default(),
        &acl::canonical_text(desired),
        &format!("policy {name:?} (normalised)"),
    )
}

impl Step for PolicyStep {
    fn name(&self) -> &'static str {
        "policy"
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        let live = client
            .read_policy(&self.name)
            .with_context(|| format!("cannot read policy {:?}", self.name))?;
        self.live = Some(live.map(|p| p.policy));
        self.applied = false;
        Ok(())
    }

    fn plan(&self) -> Plan {
        let subject = self.subject();
        match self.live_text() {
            None => Plan::create(
                subject,
                format!("create policy {:?} from {}", self.name, self.source),
                self.desired.trim_end().to_string(),
            ),
            Some(_) if self.is_in_place() => {
                Plan::nothing(subject, format!("policy {:?}", self.name))
            }
            Some(_) => Plan::update(
                subject,
                format!(
                    "policy {:?} differs from {}; it will be replaced",
                    self.name, self.source
                ),
                self.diff(),
            ),
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let warnings = client
            .write_policy(&self.name, &self.desired)
            .with_context(|| format!("cannot write policy {:?}", self.name))?;
        self.applied = true;
        for warning in warnings {
            ui.warn(format!("Vault: {warning}"));
        }
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let subject = self.subject();
        let mut findings = Findings::new();
        findings.extend(self.parsed.warnings.iter().map(|w| {
            Finding::nvctl(
                Severity::Warning,
                check::POLICY,
                subject.clone(),
                w.to_string(),
            )
        }));
        let live = match (&self.live, self.applied) {
            // Nothing was written since `observe` read it in this run: that read is the
            // read-back, and asking again would only cost a round trip.
            (Some(observed), false) => observed.clone(),
            _ => client
                .read_policy(&self.name)
                .with_context(|| format!("cannot read policy {:?} back", self.name))?
                .map(|p| p.policy),
        };
        match live {
            None => {
                // Not a finding: the write "succeeded" and the read says otherwise, so
                // something between nvctl and Vault is wrong.
                return Err(VaultFailure(format!(
                    "policy {:?} was written but reading it back answered 404",
                    self.name
                ))
                .into());
            }
            Some(policy) => {
                if acl::normalise(&policy) != acl::canonical_text(&self.parsed) {
                    findings.push(
                        Finding::nvctl(
                            Severity::Error,
                            check::POLICY,
                            subject,
                            "the policy read back differs from the desired text",
                        )
                        .with_remedy(format!(
                            "compare with `nvctl policy diff --name {}`; another writer may have changed it",
                            self.name
                        )),
                    );
                }
                self.live = Some(Some(policy));
            }
        }
        Ok(findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_policy_for_a_role_is_valid_and_names_the_role() {
        let text = server_policy_text("other-role").unwrap();
        let step = PolicyStep::new("nomad-server", text, "policies/nomad-server.hcl").unwrap();
        assert!(step.desired_text().contains("auth/token/create/other-role"));
        assert!(step.parse_warnings().is_empty());
    }

    #[test]
    fn bad_role_names_are_refused_before_substitution() {
        assert!(server_policy_text("a/b").is_err());
        assert!(server_policy_text("").is_err());
    }

    #[test]
    fn invalid_text_is_refused_with_file_and_line() {
        let err = PolicyStep::new(
            "p",
            "path \"a\" {\n  capabilities = [\"reed\"]\n}\n",
            "my.hcl",
        )
        .err()
        .unwrap();
        let text = err.to_string();
        assert!(text.starts_with("my.hcl:"), "{text}");
        assert!(text.contains("reed"), "{text}");
        assert!(err.downcast_ref::<InvalidPolicy>().is_some());
    }

    #[test]
    fn root_and_empty_names_and_empty_text_are_refused() {
        assert!(PolicyStep::new("root", "path \"a\" { capabilities = [\"read\"] }", "f").is_err());
        assert!(PolicyStep::new(" ", "path \"a\" { capabilities = [\"read\"] }", "f").is_err());
        assert!(PolicyStep::new("p", "  \n", "f").is_err());
    }

    #[test]
    fn names_are_lower_cased_as_vault_does() {
        let step = PolicyStep::new(
            "Nomad-Server",
            "path \"a\" { capabilities = [\"read\"] }",
            "f",
        )
        .unwrap();
        assert_eq!(step.policy_name(), "nomad-server");
    }

    #[test]
    fn reformatted_live_text_counts_as_in_place() {
        let mut step = PolicyStep::new(
            "p",
            "# comment\npath \"a\" {\n  capabilities = [\"read\", \"list\"]\n}\n",
            "f",
        )
        .unwrap();
        step.live = Some(Some(
            "path \"a\" { capabilities = [\"list\",\"read\"] }".into(),
        ));
        assert!(step.is_in_place());
        assert_eq!(step.plan().change, super::super::Change::None);
        step.live = Some(Some("path \"a\" { capabilities = [\"read\"] }".into()));
        assert!(!step.is_in_place());
        let plan = step.plan();
        assert_eq!(plan.change, super::super::Change::Update);
        assert!(plan
            .diff
            .unwrap()
            .contains("+  capabilities = [\"list\", \"read\"]"));
        step.live = Some(None);
        assert_eq!(step.plan().change, super::super::Change::Create);
    }
}
