//! `<mount>/config/access` (vault-api-engines.md §5.1): Nomad's address, the management
//! token, and the TLS material (`ca_cert`, `client_cert`, `client_key` — PEM text read from
//! the configured files, as `vault write … ca_cert=@file` sends it).
//!
//! **The token is write-only.** Vault answers a read with `address`, `ca_cert` and
//! `client_cert`, never the token nor the client key, so nvctl cannot tell whether the token
//! Vault holds is the one it has. What nvctl decides, and why:
//! - the config is *current* when address, `ca_cert` and `client_cert` match: a re-run then
//!   writes nothing (and a token sent again would be a write every run);
//! - the token is sent on every write nvctl makes (create, or an update of the readable
//!   fields: a new address usually means another Nomad), when this run's ACL bootstrap made a
//!   new one, and when the operator asks with `--rewrite-nomad-token` (a rotated token);
//! - whether Vault's token works is proved where it matters: the credentials proof mints a
//!   token through Vault with it, and Nomad's refusal is quoted there.
//!
//! Plans show the body with the token and the client key masked.

use anyhow::{Context, Result};

use crate::checks::{Finding, Findings, Severity};
use crate::output::Ui;
use crate::secret::{SecretString, REDACTED};
use crate::steps::pipeline::Facts;
use crate::steps::{unified_diff, Plan, Step};
use crate::vault::nomad_engine::{NomadAccess, NomadAccessLive};
use crate::vault::VaultClient;

use super::acl_bootstrap::NomadBootstrapped;
use super::{wrote, NomadSecretsSpec};

/// Why the token is sent although the readable fields match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenOnly {
    Bootstrapped,
    Asked,
}

pub struct AccessStep {
    spec: NomadSecretsSpec,
    facts: Facts,
    /// The PEM texts of the configured files, read when the step is made.
    ca_cert: Option<String>,
    client_cert: Option<String>,
    /// `Some(None)`: observed, not configured.
    live: Option<Option<NomadAccessLive>>,
    /// Why the management token cannot be had yet.
    no_token: Option<String>,
    /// Something was written since `observe`.
    written: bool,
}

impl AccessStep {
    pub fn new(spec: &NomadSecretsSpec, facts: &Facts) -> AccessStep {
        let pem = |path: &Option<std::path::PathBuf>| {
            path.as_ref().and_then(|p| {
                crate::local_file::read_text(p, crate::local_file::MAX_INPUT_BYTES).ok()
            })
        };
        AccessStep {
            ca_cert: pem(&spec.tls.ca_cert),
            client_cert: pem(&spec.tls.client_cert),
            spec: spec.clone(),
            facts: facts.clone(),
            live: None,
            no_token: None,
            written: false,
        }
    }

    fn subject(&self) -> String {
        format!("{}/config/access", self.spec.mount)
    }

    /// The readable fields as they should be, one per line (what a diff compares).
    fn desired_text(&self) -> String {
        readable_text(
            &self.spec.address,
            self.ca_cert.as_deref().unwrap_or(""),
            self.client_cert.as_deref().unwrap_or(""),
        )
    }

    fn token_only(&self) -> Option<TokenOnly> {
        if self.facts.get::<NomadBootstrapped>().is_some() {
            Some(TokenOnly::Bootstrapped)
        } else if self.spec.rewrite_token {
            Some(TokenOnly::Asked)
        } else {
            None
        }
    }

    /// The body as the plan shows it: secrets masked, PEM texts named by their files.
    fn shown_body(&self) -> String {
        let mut body = serde_json::Map::new();
        body.insert("address".into(), self.spec.address.clone().into());
        body.insert("token".into(), REDACTED.into());
        let files = [
            ("ca_cert", &self.spec.tls.ca_cert),
            ("client_cert", &self.spec.tls.client_cert),
        ];
        for (key, path) in files {
            if let Some(path) = path {
                body.insert(key.into(), format!("<PEM from {}>", path.display()).into());
            }
        }
        if self.spec.tls.client_key.is_some() {
            body.insert("client_key".into(), REDACTED.into());
        }
        serde_json::to_string_pretty(&body).unwrap_or_default()
    }

    fn body(&self) -> Result<NomadAccess> {
        let token = self.spec.management_token()?.with_context(|| {
            format!(
                "no Nomad management token: {} does not exist",
                self.spec.token_origin()
            )
        })?;
        let client_key = match &self.spec.tls.client_key {
            Some(path) => Some(SecretString::new(
                crate::local_file::read_text(path, crate::local_file::MAX_SECRET_FILE_BYTES)
                    .with_context(|| format!("cannot read client_key_file {}", path.display()))?,
            )),
            None => None,
        };
        Ok(NomadAccess {
            address: self.spec.address.clone(),
            token: Some(token),
            ca_cert: self.ca_cert.clone(),
            client_cert: self.client_cert.clone(),
            client_key,
        })
    }
}

fn readable_text(address: &str, ca_cert: &str, client_cert: &str) -> String {
    let pem = |text: &str| {
        if text.trim().is_empty() {
            "(none)".to_string()
        } else {
            format!("PEM, {} lines", text.trim().lines().count())
        }
    };
    format!(
        "address = {address}\nca_cert = {}\nclient_cert = {}\n",
        pem(ca_cert),
        pem(client_cert)
    )
}

fn matches(live: &NomadAccessLive, address: &str, ca: &str, cert: &str) -> bool {
    live.address.trim_end_matches('/') == address.trim_end_matches('/')
        && live.ca_cert.trim() == ca.trim()
        && live.client_cert.trim() == cert.trim()
}

impl Step for AccessStep {
    fn name(&self) -> &'static str {
        "nomad-access"
    }

    /// With `acl_bootstrap`, the token to send comes from the bootstrap stage.
    fn reads_earlier_writes(&self) -> bool {
        self.spec.acl_bootstrap
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        self.no_token = match self.spec.management_token()? {
            Some(_) => None,
            None => Some(format!("{} does not exist yet", self.spec.token_origin())),
        };
        self.live = Some(
            client
                .read_nomad_access(&self.spec.mount)
                .with_context(|| format!("cannot read {}", self.subject()))?,
        );
        self.written = false;
        Ok(())
    }

    fn plan(&self) -> Plan {
        let subject = self.subject();
        let ca = self.ca_cert.as_deref().unwrap_or("");
        let cert = self.client_cert.as_deref().unwrap_or("");
        let plan = match self.live.as_ref().and_then(Option::as_ref) {
            None => Plan::create(
                &subject,
                format!(
                    "give Vault's Nomad engine Nomad's address and the management token ({})",
                    self.spec.token_origin()
                ),
                self.shown_body(),
            ),
            Some(live) if !matches(live, &self.spec.address, ca, cert) => Plan::update(
                &subject,
                format!(
                    "{subject} differs: address/TLS rewritten, the management token sent with them"
                ),
                unified_diff(
                    &readable_text(&live.address, &live.ca_cert, &live.client_cert),
                    &self.desired_text(),
                    &subject,
                ),
            ),
            Some(_) => match self.token_only() {
                Some(why) => Plan::update(
                    &subject,
                    format!(
                        "send the management token to {subject} again ({})",
                        match why {
                            TokenOnly::Bootstrapped => "the one this run's ACL bootstrap made",
                            TokenOnly::Asked => "--rewrite-nomad-token",
                        }
                    ),
                    format!("token = {REDACTED} ({})", self.spec.token_origin()),
                ),
                None => Plan::nothing(&subject, subject.clone()).with_in_place(format!(
                    "{subject} points at {} (the token is write-only: Vault never shows it; \
                     --rewrite-nomad-token sends it again).",
                    self.spec.address
                )),
            },
        };
        match &self.no_token {
            Some(why) if plan.change != crate::steps::Change::None => {
                plan.refused(format!("no Nomad management token to send: {why}"))
            }
            _ => plan,
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let body = self.body()?;
        let warnings = client
            .write_nomad_access(&self.spec.mount, &body)
            .with_context(|| format!("cannot write {}", self.subject()))?;
        for w in warnings {
            ui.warn(format!("Vault: {w}"));
        }
        self.written = true;
        wrote(&self.facts);
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let mut findings = Findings::new();
        if !self.written {
            return Ok(findings);
        }
        let live = client.read_nomad_access(&self.spec.mount)?;
        let ca = self.ca_cert.as_deref().unwrap_or("");
        let cert = self.client_cert.as_deref().unwrap_or("");
        if !live
            .as_ref()
            .is_some_and(|l| matches(l, &self.spec.address, ca, cert))
        {
            findings.push(Finding::nvctl(
                Severity::Error,
                super::CHECK,
                self.subject(),
                "Vault does not read back the address and certificates nvctl wrote",
            ));
        }
        self.live = Some(live);
        Ok(findings)
    }
}
