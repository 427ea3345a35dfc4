//! The proof that the workload-identity set-up works as a task meets it: a workload identity
//! Nomad signed (`--identity-file`; under `bootstrap --dev`, one the in-memory Nomad signs) is
//! logged in at `auth/<path>/login` through the role nvctl wrote, as Nomad's client does for a
//! task (hashicorp/nomad `client/allocrunner/taskrunner/vault_hook.go` →
//! `client/vaultclient` `DeriveTokenWithJWT`: `Logical().Write("auth/<path>/login",
//! {"role", "jwt"})`); the token Vault answers must carry the role's policies. The token is
//! then revoked (by accessor), so the proof leaves nothing behind.
//!
//! Vault's refusal (`error validating token: invalid audience (aud) claim`, `role "x" could
//! not be found`, an expired identity…) is quoted verbatim: it is what the task would meet.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::checks::{Finding, Findings, Severity};
use crate::nomad::workload_identity::WorkloadIdentitySpec;
use crate::output::Ui;
use crate::secret::SecretString;
use crate::steps::{Plan, Step};
use crate::vault::VaultClient;

/// The `check` field of the proof's findings.
pub const CHECK: &str = "workload-identity-login";

pub struct LoginProofStep {
    spec: WorkloadIdentitySpec,
    identity_file: PathBuf,
}

impl LoginProofStep {
    pub fn new(spec: &WorkloadIdentitySpec, identity_file: PathBuf) -> LoginProofStep {
        LoginProofStep {
            spec: spec.clone(),
            identity_file,
        }
    }

    fn subject(&self) -> String {
        format!("auth/{}/login", self.spec.path())
    }

    /// The identity, read again when it is used.
    fn identity(&self) -> Result<SecretString> {
        read_identity(&self.identity_file).map_err(anyhow::Error::msg)
    }
}

/// A workload identity from `path`: bounded, trimmed, and shaped as a JWT (three parts) —
/// checked when the configuration is read, before Vault is touched.
pub fn read_identity(path: &std::path::Path) -> Result<SecretString, String> {
    let text = crate::local_file::read_text(path, crate::local_file::MAX_SECRET_FILE_BYTES)
        .map_err(|e| format!("{}: cannot read it: {e}", path.display()))?;
    let jwt = text.trim();
    if jwt.split('.').count() != 3 || jwt.chars().any(char::is_whitespace) {
        return Err(format!(
            "{} does not hold a workload identity: a JWT is three base64url parts joined by dots",
            path.display()
        ));
    }
    Ok(SecretString::new(jwt))
}

impl Step for LoginProofStep {
    fn name(&self) -> &'static str {
        "workload identity login"
    }

    /// The role it logs in through is written by the stages above.
    fn reads_earlier_writes(&self) -> bool {
        true
    }

    fn observe(&mut self, _client: &VaultClient) -> Result<()> {
        self.identity().map(drop)
    }

    fn plan(&self) -> Plan {
        Plan::nothing(self.subject(), "workload identity login").with_in_place(format!(
            "the workload identity in {} is logged in at {} through role {:?} (as Nomad's \
             client does for a task), its token's policies checked, the token revoked.",
            self.identity_file.display(),
            self.subject(),
            self.spec.role_name
        ))
    }

    fn apply(&mut self, _client: &VaultClient, _ui: &Ui) -> Result<()> {
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let mut findings = Findings::new();
        let jwt = self.identity()?;
        let subject = self.subject();
        let login = match client.login_jwt(self.spec.path(), &self.spec.role_name, &jwt) {
            Ok(login) => login.auth,
            Err(e) if e.status().is_some_and(|s| (400..500).contains(&s)) => {
                findings.push(
                    Finding::vault(Severity::Error, CHECK, &subject, e.words()).with_remedy(
                        format!(
                            "a task presenting this identity would be refused the same way: \
                             compare the identity's aud with the role's bound_audiences ({}), and \
                             its signer with the JWKS at {}",
                            self.spec.audiences.join(", "),
                            self.spec.jwks_url
                        ),
                    ),
                );
                return Ok(findings);
            }
            Err(e) => return Err(e).with_context(|| format!("cannot log in at {subject}")),
        };
        let missing: Vec<&String> = self
            .spec
            .token_policies
            .iter()
            .filter(|p| !login.policies.contains(p))
            .collect();
        let job = login
            .metadata
            .as_ref()
            .and_then(|m| m.get("nomad_job_id"))
            .cloned()
            .unwrap_or_default();
        if missing.is_empty() {
            findings.push(Finding::nvctl(
                Severity::Info,
                CHECK,
                &subject,
                format!(
                    "the workload identity of job {job:?} logged in through role {:?}: its token \
                     carries the policies {}",
                    self.spec.role_name,
                    login.policies.join(", ")
                ),
            ));
        } else {
            findings.push(
                Finding::nvctl(
                    Severity::Error,
                    CHECK,
                    &subject,
                    format!(
                        "the workload identity of job {job:?} logged in through role {:?}, but \
                         its token lacks {} (it carries: {})",
                        self.spec.role_name,
                        missing
                            .iter()
                            .map(|p| format!("{p:?}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        login.policies.join(", ")
                    ),
                )
                .with_remedy(format!(
                    "the role's token_policies must name {}",
                    self.spec.token_policies.join(", ")
                )),
            );
        }
        if let Err(e) = client.revoke_accessor(&login.accessor) {
            findings.push(Finding::vault(
                Severity::Warning,
                CHECK,
                format!("auth/token/revoke-accessor {}", login.accessor),
                e.words(),
            ));
        }
        Ok(findings)
    }
}
