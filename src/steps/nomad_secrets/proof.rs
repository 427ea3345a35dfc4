//! The proof that the engine works end to end, as a CI job meets it (seed 004 "Generate
//! Credentials"): for each role, `GET <mount>/creds/NAME` through Vault; the token checked on
//! Nomad with its own secret (`/v1/acl/token/self`: `Type`, `Policies`, `Global` as the role
//! says); the lease revoked (`sys/leases/revoke`, sync); the token confirmed gone from Nomad
//! (its secret refused). Every failure is a finding in Vault's or Nomad's words.
//!
//! It mints only when this run wrote something of the group, so a re-run writes nothing (its
//! reads are its verification); what it mints it revokes before the run ends. `--no-mint`
//! skips it, as it skips the database proof.

use std::collections::BTreeSet;

use anyhow::Result;

use crate::checks::{Finding, Findings, Severity};
use crate::nomad_api::NomadError;
use crate::output::Ui;
use crate::steps::pipeline::Facts;
use crate::steps::{Plan, Step};
use crate::vault::{VaultClient, VaultError};

use super::{NomadEngineRole, NomadSecretsSpec, NomadSecretsWrites, CHECK};

pub struct ProofStep {
    spec: NomadSecretsSpec,
    facts: Facts,
}

impl ProofStep {
    pub fn new(spec: &NomadSecretsSpec, facts: &Facts) -> ProofStep {
        ProofStep {
            spec: spec.clone(),
            facts: facts.clone(),
        }
    }

    fn writes(&self) -> u32 {
        self.facts.get::<NomadSecretsWrites>().map_or(0, |w| w.0)
    }

    fn prove(&self, client: &VaultClient, role: &NomadEngineRole, findings: &mut Findings) {
        let creds_path = format!("{}/creds/{}", self.spec.mount, role.name);
        let creds = match client.nomad_credentials(&self.spec.mount, &role.name) {
            Ok(creds) => creds,
            Err(e) => {
                findings.push(vault_refused(&creds_path, &e, &self.spec.mount, &role.name));
                return;
            }
        };
        let Ok(nomad) = self.spec.client(Some(creds.secret_id.clone()), client) else {
            return;
        };
        let subject = format!("{creds_path} (accessor {})", creds.accessor_id);
        match nomad.token_self() {
            Ok(token) => {
                let mut wrong = Vec::new();
                if token.token_type != role.token_type {
                    wrong.push(format!(
                        "Type {:?} (the role says {:?})",
                        token.token_type, role.token_type
                    ));
                }
                let have: BTreeSet<&String> = token.policies.iter().collect();
                let want: BTreeSet<&String> = role.policies.iter().collect();
                if have != want {
                    wrong.push(format!(
                        "Policies {:?} (the role says {:?})",
                        token.policies, role.policies
                    ));
                }
                if token.global != role.global {
                    wrong.push(format!(
                        "Global {} (the role says {})",
                        token.global, role.global
                    ));
                }
                if wrong.is_empty() {
                    findings.push(Finding::nvctl(
                        Severity::Info,
                        CHECK,
                        &subject,
                        format!(
                            "Vault minted a {} token for role {:?} and Nomad knows it as such (policies: {}, global: {})",
                            token.token_type,
                            role.name,
                            if token.policies.is_empty() { "none".into() } else { token.policies.join(", ") },
                            token.global
                        ),
                    ));
                } else {
                    findings.push(Finding::nvctl(
                        Severity::Error,
                        CHECK,
                        &subject,
                        format!(
                            "the token Vault minted for role {:?} is, on Nomad: {}",
                            role.name,
                            wrong.join("; ")
                        ),
                    ));
                }
            }
            Err(e) => findings.push(nomad_refused(&subject, "acl/token/self", &e)),
        }
        if let Err(e) = client.revoke_lease(&creds.lease_id) {
            findings.push(
                Finding::vault(
                    Severity::Error,
                    CHECK,
                    format!("sys/leases/revoke {}", creds.lease_id),
                    e.words(),
                )
                .with_remedy(format!(
                    "the lease stays and so does the Nomad token (accessor {}): revoke it by hand \
                     (`vault lease revoke -force {}` and `nomad acl token delete {}`)",
                    creds.accessor_id, creds.lease_id, creds.accessor_id
                )),
            );
            return;
        }
        match nomad.token_self() {
            Err(e) if e.status().is_some_and(|s| (400..500).contains(&s)) => {
                findings.push(Finding::nvctl(
                    Severity::Info,
                    CHECK,
                    &subject,
                    format!(
                        "lease revoked; Nomad no longer accepts the token (Nomad: `{}`)",
                        e.nomad_message().unwrap_or_default()
                    ),
                ));
            }
            Ok(_) => findings.push(
                Finding::nvctl(
                    Severity::Error,
                    CHECK,
                    &subject,
                    "Vault revoked the lease, but Nomad still accepts the token",
                )
                .with_remedy(format!(
                    "delete it (`nomad acl token delete {}`) and check the engine's access config",
                    creds.accessor_id
                )),
            ),
            Err(e) => findings.push(nomad_refused(&subject, "acl/token/self", &e)),
        }
    }
}

fn vault_refused(path: &str, e: &VaultError, mount: &str, role: &str) -> Finding {
    let words = e.words();
    let remedy = if words.contains("not found") && words.contains("role") {
        format!(
            "the role is at {mount}/role/{role} (singular: seed 004's `vault write \
             {mount}/roles/{role}` gets 404 and writes nothing)"
        )
    } else if words.contains("ACL support disabled") {
        "Nomad's ACLs are disabled: see the Nomad checks".to_string()
    } else if words.contains("Permission denied") || words.contains("ACL token not found") {
        "Nomad refuses the token Vault holds: give config/access a management token \
         (run again with --rewrite-nomad-token once the token file holds it)"
            .to_string()
    } else {
        "see Vault's words above".to_string()
    };
    Finding::vault(Severity::Error, CHECK, format!("GET {path}"), words).with_remedy(remedy)
}

fn nomad_refused(subject: &str, call: &str, e: &NomadError) -> Finding {
    match e.nomad_message() {
        Some(words) => Finding::nomad_error(CHECK, format!("{subject}: {call}"), words),
        None => Finding::nvctl(Severity::Error, CHECK, subject, e.to_string()),
    }
}

impl Step for ProofStep {
    fn name(&self) -> &'static str {
        "nomad-creds"
    }

    /// Whether it mints depends on what the stages above wrote.
    fn reads_earlier_writes(&self) -> bool {
        true
    }

    fn observe(&mut self, _client: &VaultClient) -> Result<()> {
        Ok(())
    }

    fn plan(&self) -> Plan {
        let subject = format!("{}/creds/*", self.spec.mount);
        let message = if self.spec.roles.is_empty() {
            "Nomad credentials: no role to mint for.".to_string()
        } else if self.spec.no_mint {
            "Nomad credentials: proof skipped (--no-mint).".to_string()
        } else if self.writes() > 0 {
            format!(
                "Nomad credentials: one token per role ({}) is minted through Vault, checked on Nomad and revoked.",
                self.spec
                    .roles
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            "Nomad credentials: nothing of the engine changed, so none minted (a re-run writes nothing)."
                .to_string()
        };
        Plan::nothing(subject, "Nomad credentials").with_in_place(message)
    }

    fn apply(&mut self, _client: &VaultClient, _ui: &Ui) -> Result<()> {
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let mut findings = Findings::new();
        if self.writes() == 0 || self.spec.no_mint {
            return Ok(findings);
        }
        for role in &self.spec.roles {
            self.prove(client, role, &mut findings);
        }
        Ok(findings)
    }
}
