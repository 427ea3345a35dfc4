//! `acl_bootstrap = true`: Nomad's ACL bootstrap, the one moment its management token exists
//! in an answer (Nomad keeps only its hash). `PUT /v1/acl/bootstrap` goes through
//! `crate::secret_once` as Vault's init does: the place is proved writable before anything is
//! sent, signals are held while the answer is in flight, the raw answer is saved 0600 before
//! it is judged, a `.sent` note stays when the answer is lost, and the token lands in
//! `token_file` (0600, fsync, rename) inside `apply`, before any other write of the run.
//! Never retried: a second bootstrap is refused by Nomad, and the first token would be lost.
//!
//! Nomad answers a second bootstrap `ACL bootstrap already done (reset index: N)` (400; 500
//! before 1.4). Then the token can only come from whoever holds it, or from Nomad's reset
//! procedure (`<data_dir>/server/acl-bootstrap-reset` holding N on the leader, then bootstrap
//! again — nomad/acl_endpoint.go `Bootstrap`, website acl/bootstrap docs), which the message
//! spells out with Nomad's own index.

use std::path::PathBuf;

use anyhow::{Context, Result};
use zeroize::Zeroizing;

use crate::checks::Findings;
use crate::nomad_api::{BootstrapToken, NomadError};
use crate::output::Ui;
use crate::secret_once::{diagnose_missing, kept_raw_answer, OnceSecret, Sent};
use crate::steps::pipeline::Facts;
use crate::steps::{Plan, Step};
use crate::vault::VaultClient;

use super::{wrote, NomadSecretsSpec, TokenSource};

/// This run bootstrapped Nomad's ACLs (the access step then sends the new token).
#[derive(Debug, Clone)]
pub struct NomadBootstrapped {
    pub accessor: String,
}

#[derive(Debug, Clone)]
struct Observed {
    token_file_exists: bool,
    /// `false`: Nomad answered `agent/self` without a token with ACLs disabled.
    acl_enabled: bool,
    /// What an earlier run left beside the missing token file.
    earlier_attempt: Option<String>,
}

pub struct AclBootstrapStep {
    spec: NomadSecretsSpec,
    target: PathBuf,
    facts: Facts,
    observed: Option<Observed>,
    written: Vec<String>,
}

impl AclBootstrapStep {
    pub fn new(spec: &NomadSecretsSpec, facts: &Facts) -> AclBootstrapStep {
        let target = match &spec.token {
            TokenSource::File(path) => path.clone(),
            // The resolver refuses acl_bootstrap without token_file.
            TokenSource::Environment(_) => PathBuf::from("nomad-management.token"),
        };
        AclBootstrapStep {
            spec: spec.clone(),
            target,
            facts: facts.clone(),
            observed: None,
            written: Vec::new(),
        }
    }

    fn subject(&self) -> String {
        format!("{}/v1/acl/bootstrap", self.spec.address)
    }

    /// Nomad's reset procedure, with Nomad's index when known.
    fn reset_procedure(&self, index: Option<&str>) -> String {
        let index = index.unwrap_or("N");
        format!(
            "Nomad's ACL bootstrap reset: on the leader, `echo {index} > \
             <data_dir>/server/acl-bootstrap-reset` ({index} is the reset index Nomad reports), \
             then run nvctl again: it bootstraps once more and saves the new token to {}",
            self.target.display()
        )
    }

    fn once_secret(&self, timeout: std::time::Duration) -> OnceSecret {
        OnceSecret {
            request: "PUT /v1/acl/bootstrap".into(),
            server: self.spec.address.clone(),
            effect: "Nomad's ACLs were bootstrapped".into(),
            holds: "Nomad's management token".into(),
            plural: false,
            if_lost: format!("the token is lost; use {}", self.reset_procedure(None)),
            check: "Run nvctl again".into(),
            if_acted: "if Nomad then answers `ACL bootstrap already done`".into(),
            bound: timeout,
            target: self.target.clone(),
        }
    }
}

/// The reset index in Nomad's `ACL bootstrap already done (reset index: N)`.
fn reset_index(message: &str) -> Option<&str> {
    let rest = message.split("reset index: ").nth(1)?;
    Some(rest.trim_end_matches(')').trim())
}

impl Step for AclBootstrapStep {
    fn name(&self) -> &'static str {
        "nomad-acl-bootstrap"
    }

    /// Talks to Nomad only.
    fn needs_token(&self) -> bool {
        false
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        if self.target.exists() {
            self.observed = Some(Observed {
                token_file_exists: true,
                acl_enabled: true,
                earlier_attempt: None,
            });
            return Ok(());
        }
        // Without a token, agent/self answers 403 when ACLs are on (the anonymous policy has
        // no agent:read) and 200 when they are off.
        let nomad = self
            .spec
            .client(None, client)
            .context("the nomad_secrets block")?;
        let acl_enabled = match nomad.agent_self() {
            Ok(agent) => agent.acl_enabled,
            Err(e) if e.status() == Some(403) => true,
            Err(e) => return Err(e.into()),
        };
        self.observed = Some(Observed {
            token_file_exists: false,
            acl_enabled,
            earlier_attempt: diagnose_missing(&self.target),
        });
        Ok(())
    }

    fn plan(&self) -> Plan {
        let Some(observed) = &self.observed else {
            return Plan::nothing(self.subject(), "Nomad's ACL bootstrap");
        };
        if observed.token_file_exists {
            return Plan::nothing(self.subject(), "Nomad's ACL bootstrap").with_in_place(format!(
                "Nomad's management token is in {}: nothing to bootstrap.",
                self.target.display()
            ));
        }
        if !observed.acl_enabled {
            // No token can come of it, and Vault's engine needs one: stop before any write.
            return Plan::create(self.subject(), "Nomad's ACL bootstrap", String::new()).refused(
                format!(
                    "Nomad's ACLs are disabled at {} (agent/self: config.ACL.Enabled = false): \
                     nothing to bootstrap, so no management token for Vault's Nomad engine, and \
                     Nomad answers every token Vault would create `ACL support disabled`. Enable \
                     ACLs on every Nomad agent (`acl {{ enabled = true }}`), restart them, and \
                     run nvctl again; nothing was written",
                    self.spec.address
                ),
            );
        }
        let plan = Plan::create(
            self.subject(),
            format!(
                "bootstrap Nomad's ACLs at {}, saving the management token to {} (0600) before anything else",
                self.spec.address,
                self.target.display()
            ),
            format!(
                "PUT {}/v1/acl/bootstrap (no body)\nthe answer's SecretID (the management token) goes to {}; it exists nowhere else",
                self.spec.address,
                self.target.display()
            ),
        )
        .with_done(format!(
            "Nomad's ACLs bootstrapped: the management token is saved in {}",
            self.target.display()
        ));
        // An earlier answer kept raw: nothing is sent while it is there.
        if let Some(why) = kept_raw_answer(
            &self.target,
            "PUT /v1/acl/bootstrap",
            "Nomad's management token",
        ) {
            return plan.refused(why);
        }
        match &observed.earlier_attempt {
            Some(told) => plan.with_warning(format!(
                "{told} This run asks Nomad again: if the earlier request reached it, Nomad \
                 refuses with `ACL bootstrap already done`, and the token that answer held is lost."
            )),
            None => plan,
        }
    }

    fn apply(&mut self, client: &VaultClient, _ui: &Ui) -> Result<()> {
        let timeout = client.timeout();
        let nomad = self.spec.client(None, client)?;
        let earlier = self
            .observed
            .as_ref()
            .and_then(|o| o.earlier_attempt.clone());
        let result = self.once_secret(timeout).prepare()?.exchange(
            || Sent::from_nomad(nomad.bootstrap_answer()),
            |raw| BootstrapToken::judge(raw).map_err(anyhow::Error::msg),
            |token| Zeroizing::new(format!("{}\n", token.secret_id.expose()).into_bytes()),
        );
        let token = match result {
            Ok(token) => token,
            Err(e) => {
                let already = e
                    .chain()
                    .find_map(|c| c.downcast_ref::<NomadError>())
                    .and_then(NomadError::nomad_message)
                    .filter(|m| m.contains("ACL bootstrap already done"))
                    .map(str::to_string);
                let Some(words) = already else {
                    return Err(e);
                };
                let lost = match earlier {
                    Some(_) => "an earlier run of nvctl bootstrapped them and its answer was not \
                                saved, so the management token it held is lost"
                        .to_string(),
                    None => format!(
                        "whoever bootstrapped them holds the management token: write it to {} \
                         (chmod 600) and run nvctl again",
                        self.target.display()
                    ),
                };
                return Err(e.context(crate::exit::VaultFailure(format!(
                    "Nomad's ACLs were bootstrapped before (Nomad: `{words}`) and {} does not \
                     hold the management token: {lost}; if nobody holds it, use {}",
                    self.target.display(),
                    self.reset_procedure(reset_index(&words))
                ))));
            }
        };
        if token.token_type != "management" && !token.token_type.is_empty() {
            anyhow::bail!(crate::exit::VaultFailure(format!(
                "Nomad's bootstrap answer is a {:?} token, not a management token (saved in {} all the same)",
                token.token_type,
                self.target.display()
            )));
        }
        self.written.push(self.target.display().to_string());
        self.facts.put(NomadBootstrapped {
            accessor: token.accessor_id,
        });
        wrote(&self.facts);
        Ok(())
    }

    fn verify(&mut self, _client: &VaultClient) -> Result<Findings> {
        // Whether the token it saved (or found) works is the Nomad checks' verdict.
        Ok(Findings::new())
    }

    fn written(&self) -> Vec<String> {
        self.written.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reset_index_is_read_from_nomads_words() {
        assert_eq!(
            reset_index("ACL bootstrap already done (reset index: 7)"),
            Some("7")
        );
        assert_eq!(reset_index("Permission denied"), None);
    }
}
