//! Seed 004's troubleshooting table, checked from Nomad's side with the management token
//! before Vault's engine is relied on:
//!
//! | seed 004 | what nvctl reads | whose words |
//! |---|---|---|
//! | "ACL support disabled" | `GET /v1/agent/self` → `config.ACL.Enabled` | Nomad's: its answer to Vault's token creation (nomad/acl_endpoint.go `UpsertTokens`) |
//! | "Permission denied" | `GET /v1/acl/token/self` → `Type` | Nomad's: what it answers a non-management token creating tokens; `ACL token not found` (403 from 1.5, 404 before) for a token it does not know |
//! | Policy not found | `GET /v1/acl/policy/:name` → 404 `ACL policy not found` | nvctl's: Nomad mints tokens naming missing policies without complaint, and they grant nothing |
//! | Token immediately invalid (clock skew) | the `Date` headers of Vault and Nomad | nvctl's: above [`MAX_SKEW`] |
//!
//! Each is a finding (exit 3) that stops the run before anything of the engine is written
//! (under `--plan` too): Vault would take the engine's settings without complaint, and every
//! `creds/` call would fail later. The step writes nothing.

use crate::steps::pipeline::joined;
use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};

use crate::checks::{Finding, Findings, Severity};
use crate::nomad_api::{AclToken, AgentSelf, NomadError};
use crate::output::Ui;
use crate::steps::{Plan, Step};
use crate::vault::VaultClient;

use super::{NomadSecretsSpec, CHECK};

/// The most the two clocks may differ: Vault's jwt auth tolerates 60 seconds of skew by
/// default (`clock_skew_leeway`), so identities Nomad signs further off are refused, and
/// leases and token times read wrong across the two.
pub const MAX_SKEW: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Default)]
struct Observed {
    /// Why nothing could be checked yet (no token before the bootstrap).
    not_yet: Option<String>,
    summary: String,
    findings: Findings,
    /// nvctl's remarks for the plan (the token sent over plain http).
    warnings: Vec<String>,
}

pub struct NomadChecksStep {
    spec: NomadSecretsSpec,
    observed: Option<Observed>,
}

impl NomadChecksStep {
    pub fn new(spec: &NomadSecretsSpec) -> NomadChecksStep {
        NomadChecksStep {
            spec: spec.clone(),
            observed: None,
        }
    }

    fn subject(&self) -> String {
        format!("Nomad at {}", self.spec.address)
    }

    /// The policies the client roles name, once each.
    fn policies(&self) -> BTreeSet<String> {
        self.spec
            .roles
            .iter()
            .filter(|r| r.token_type == "client")
            .flat_map(|r| r.policies.iter().cloned())
            .collect()
    }

    fn look(&self, client: &VaultClient) -> Result<Observed> {
        let Some(token) = self.spec.management_token()? else {
            return Ok(Observed {
                not_yet: Some(format!(
                    "no management token yet ({} does not exist)",
                    self.spec.token_origin()
                )),
                ..Observed::default()
            });
        };
        let nomad = self
            .spec
            .client(Some(token), client)
            .context("the nomad_secrets block")?;
        let policies: Vec<String> = self.policies().into_iter().collect();
        // Everything at once: one round trip to each server.
        let (agent, token_self, vault_time, found) = std::thread::scope(|s| {
            let agent = s.spawn(|| nomad.agent_self());
            let token = s.spawn(|| nomad.token_self());
            let vault = s.spawn(|| client.server_time());
            let found: Vec<_> = policies
                .iter()
                .map(|p| {
                    let nomad = &nomad;
                    s.spawn(move || nomad.policy_exists(p))
                })
                .collect();
            (
                joined(agent),
                joined(token),
                joined(vault),
                found.into_iter().map(joined).collect::<Vec<_>>(),
            )
        });
        let mut findings = Findings::new();
        let mut refuses = None;
        let agent = match agent {
            Ok(agent) => Some(agent),
            // A token Nomad does not know cannot read agent/self either: token/self says why.
            Err(e) if e.status().is_some_and(|s| (400..500).contains(&s)) => None,
            Err(e) => return Err(e.into()),
        };
        let acl_enabled = agent.as_ref().is_none_or(|a| a.acl_enabled);
        if !acl_enabled {
            let why = "Nomad's ACLs are disabled";
            refuses = Some(why.to_string());
            findings.push(acl_disabled(&self.spec.address));
        } else {
            match token_self {
                Ok(token) if token.token_type == "management" => {}
                Ok(token) => {
                    refuses = Some(format!("the token is a {} token", token.token_type));
                    findings.push(not_management(&self.spec, &token));
                }
                Err(e) => match e.nomad_message() {
                    Some(words) => {
                        refuses = Some("Nomad does not accept the token".into());
                        findings.push(unknown_token(&self.spec, words, &e));
                    }
                    None => return Err(e.into()),
                },
            }
        }
        let mut missing = 0;
        if acl_enabled && refuses.is_none() {
            for (policy, found) in policies.iter().zip(found) {
                match found {
                    Ok(true) => {}
                    Ok(false) => {
                        missing += 1;
                        findings.push(missing_policy(&self.spec, policy));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        let vault_time = vault_time.context("reading Vault's clock (sys/health)")?;
        let skew = match (vault_time, agent.as_ref().and_then(|a| a.date)) {
            (Some(v), Some(n)) => Some(skew_finding(&self.spec.address, v, n, &mut findings)),
            _ => None,
        };
        let summary = summary(
            agent.as_ref(),
            acl_enabled,
            refuses.is_none(),
            policies.len(),
            missing,
            skew,
        );
        Ok(Observed {
            not_yet: None,
            summary,
            findings,
            warnings: nomad
                .plaintext_warning()
                .map(|w| format!("{w} (nvctl's remark)"))
                .into_iter()
                .collect(),
        })
    }
}

fn summary(
    agent: Option<&AgentSelf>,
    acl_enabled: bool,
    management: bool,
    policies: usize,
    missing: usize,
    skew: Option<Duration>,
) -> String {
    let mut parts = Vec::new();
    if let Some(agent) = agent.filter(|a| !a.version.is_empty()) {
        parts.push(format!("Nomad {}", agent.version));
    }
    parts.push(if acl_enabled {
        "ACLs enabled".to_string()
    } else {
        "ACLs DISABLED".to_string()
    });
    if acl_enabled {
        parts.push(if management {
            "a management token".to_string()
        } else {
            "NOT a usable management token".to_string()
        });
    }
    if policies > 0 && acl_enabled && management {
        parts.push(format!(
            "{} of {policies} role policies found",
            policies - missing
        ));
    }
    if let Some(skew) = skew {
        parts.push(format!("clocks {}s apart", skew.as_secs()));
    }
    parts.join(", ")
}

/// Nomad's answer to token creation with ACLs off, and what to do.
fn acl_disabled(address: &str) -> Finding {
    Finding::nomad_error(
        CHECK,
        format!("{address}: config.ACL.Enabled = false (agent/self)"),
        "ACL support disabled",
    )
    .with_remedy(
        "Nomad answers this to every token Vault's creds/ calls create: enable ACLs on every \
         Nomad agent (`acl { enabled = true }`), restart them, and bootstrap them \
         (`acl_bootstrap = true` in nomad_secrets, or `nomad acl bootstrap`)",
    )
}

fn not_management(spec: &NomadSecretsSpec, token: &AclToken) -> Finding {
    Finding::nomad_error(
        CHECK,
        format!(
            "{}: Type {:?} (acl/token/self)",
            spec.token_origin(),
            token.token_type
        ),
        "Permission denied",
    )
    .with_remedy(format!(
        "Nomad answers this when a token that is not a management token creates tokens, so \
         every creds/ call through Vault fails with `Unexpected response code: 403 (Permission \
         denied)`. The token in {} is a {} token (policies: {}): give Vault a management token \
         (`nomad acl token create -type=management`, or the bootstrap token)",
        spec.token_origin(),
        token.token_type,
        if token.policies.is_empty() {
            "none".to_string()
        } else {
            token.policies.join(", ")
        }
    ))
}

fn unknown_token(spec: &NomadSecretsSpec, words: &str, e: &NomadError) -> Finding {
    Finding::nomad_error(
        CHECK,
        format!(
            "{}: acl/token/self answered {}",
            spec.token_origin(),
            e.status().unwrap_or(0)
        ),
        words,
    )
    .with_remedy(format!(
        "Nomad does not accept the token in {}: Vault's creds/ calls would fail the same way \
         (`Unexpected response code: {} ({words})`). Use a current management token",
        spec.token_origin(),
        e.status().unwrap_or(0)
    ))
}

fn missing_policy(spec: &NomadSecretsSpec, policy: &str) -> Finding {
    let roles: Vec<&str> = spec
        .roles
        .iter()
        .filter(|r| r.policies.iter().any(|p| p == policy))
        .map(|r| r.name.as_str())
        .collect();
    Finding::nvctl(
        Severity::Error,
        CHECK,
        format!("{}/v1/acl/policy/{policy}", spec.address),
        format!(
            "the Nomad ACL policy {policy:?} does not exist (Nomad: `ACL policy not found`), \
             but role {} names it: Nomad mints such tokens without complaint, and they grant \
             nothing through it",
            roles
                .iter()
                .map(|r| format!("{r:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .with_remedy(format!(
        "create it (`nomad acl policy apply {policy} {policy}.policy.hcl`), or correct the name in the role"
    ))
}

/// Adds a finding when the clocks are more than [`MAX_SKEW`] apart; returns the skew.
fn skew_finding(
    address: &str,
    vault: SystemTime,
    nomad: SystemTime,
    findings: &mut Findings,
) -> Duration {
    let (skew, ahead) = match nomad.duration_since(vault) {
        Ok(d) => (d, "ahead of"),
        Err(e) => (e.duration(), "behind"),
    };
    if skew > MAX_SKEW {
        findings.push(
            Finding::nvctl(
                Severity::Error,
                CHECK,
                format!("{address}: Date header"),
                format!(
                    "Nomad's clock is {} {ahead} Vault's (their Date headers: Nomad {}, Vault {}); \
                     more than {}s apart, tokens and workload identities are judged invalid as \
                     soon as they are issued",
                    humantime::format_duration(skew),
                    httpdate::fmt_http_date(nomad),
                    httpdate::fmt_http_date(vault),
                    MAX_SKEW.as_secs()
                ),
            )
            .with_remedy("synchronise the clocks of the Vault and Nomad servers (NTP)"),
        );
    }
    skew
}

impl Step for NomadChecksStep {
    fn name(&self) -> &'static str {
        "nomad-checks"
    }

    /// With `acl_bootstrap`, the token comes from the bootstrap stage.
    fn reads_earlier_writes(&self) -> bool {
        self.spec.acl_bootstrap
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        self.observed = Some(self.look(client)?);
        Ok(())
    }

    fn plan(&self) -> Plan {
        let observed = self.observed.clone().unwrap_or_default();
        let summary = match &observed.not_yet {
            Some(why) => format!("Nomad's side not checked yet: {why}"),
            None => format!("{}: {}", self.subject(), observed.summary),
        };
        let mut plan = Plan::nothing(self.subject(), &summary).with_in_place(format!(
            "{summary}{}",
            if observed.findings.has_errors() {
                " (problems below)"
            } else {
                "."
            }
        ));
        for f in observed.findings.iter() {
            plan = plan.with_warning(format!("{}: {}", f.subject, f.message));
        }
        for w in observed.warnings {
            plan = plan.with_warning(w);
        }
        plan
    }

    /// Vault's engine would be given a token Nomad refuses, roles whose policies do not
    /// exist, or clocks that invalidate every token: nothing of the engine is written.
    fn findings_before_writing(&self) -> Findings {
        self.observed
            .as_ref()
            .map(|o| o.findings.clone())
            .unwrap_or_default()
    }

    fn apply(&mut self, _client: &VaultClient, _ui: &Ui) -> Result<()> {
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        if self.observed.as_ref().is_none_or(|o| o.not_yet.is_some()) {
            self.observed = Some(self.look(client)?);
        }
        Ok(self
            .observed
            .as_ref()
            .map(|o| o.findings.clone())
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_further_apart_than_vaults_leeway_are_a_finding_either_way() {
        let now = SystemTime::now();
        let mut findings = Findings::new();
        skew_finding("n", now, now + Duration::from_secs(30), &mut findings);
        assert!(findings.is_empty());
        let skew = skew_finding("n", now, now - Duration::from_secs(300), &mut findings);
        assert_eq!(skew, Duration::from_secs(300));
        assert!(findings.iter().any(|f| f.message.contains("5m behind")));
    }
}
