//! Step 5: the Nomad servers' token — orphan, periodic, renewable, policy `nomad-server` —
//! minted with `create-orphan` (or `create/<role>`), kept in a 0600 file, and verified as a
//! Nomad server verifies it at start-up.
//!
//! When the token file already holds a token that passes Nomad's checks, it is kept (a re-run
//! mints nothing); `rotate` mints a new one, writes it, and only then revokes the old one, so
//! the servers are never left without a valid token on disk.
//!
//! [`TokenStep::wrapped`] delivers the token response-wrapped (vault-api.md §9): only the
//! single-use wrapping token leaves Vault (saved to the file or printed); `nvctl token unwrap`
//! on the server host gets the token itself, once, and runs Nomad's checks on it there.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::checks::Findings;
use crate::doctor::task_policies::{self, TaskTokenPolicies};
use crate::output::Ui;
use crate::secret::SecretString;
use crate::secret_file::PendingSecretFile;
use crate::settings::read_token_file;
use crate::validation::{validate_server_token, AgentSettings, StartupReport};
use crate::vault::{TokenCreateRequest, TokenCreated, TokenRole, VaultClient, WrapInfo};

use super::pipeline::Facts;
use super::{Plan, Step};

/// What the token step hands the flow's final verification: the token in force (never printed
/// unless asked) and what Nomad's start-up validation said of it.
#[derive(Debug, Clone)]
pub struct ServerTokenFacts {
    pub token: Option<SecretString>,
    pub startup: StartupReport,
}

/// What kind of token to mint.
#[derive(Debug, Clone)]
pub struct ServerTokenSpec {
    pub policies: Vec<String>,
    /// Seconds.
    pub period: u64,
    /// Mint from this token role (`auth/token/create/<role>`) instead of `create-orphan`.
    pub from_role: Option<String>,
    pub orphan: bool,
    pub display_name: String,
}

impl ServerTokenSpec {
    /// The documented server token: `vault token create -policy nomad-server -period 72h -orphan`.
    pub fn documented() -> ServerTokenSpec {
        ServerTokenSpec {
            policies: vec!["nomad-server".to_string()],
            period: 72 * 3600,
            from_role: None,
            orphan: true,
            display_name: "nomad-server".to_string(),
        }
    }

    fn request(&self) -> TokenCreateRequest {
        TokenCreateRequest {
            policies: self.policies.clone(),
            period: Some(self.period),
            renewable: Some(true),
            display_name: Some(self.display_name.clone()),
            // Plain `create` needs sudo for an orphan; `create-orphan` does not (vault-api.md §5).
            no_parent: None,
            ..TokenCreateRequest::default()
        }
    }

    /// The endpoint the token is minted at.
    pub fn endpoint(&self) -> String {
        match (&self.from_role, self.orphan) {
            (Some(role), _) => format!("auth/token/create/{role}"),
            (None, true) => "auth/token/create-orphan".to_string(),
            (None, false) => "auth/token/create".to_string(),
        }
    }
}

/// A freshly minted token; the secret is only handed out to whoever asks for it explicitly.
pub struct MintedToken {
    pub token: SecretString,
    pub created: TokenCreated,
}

pub struct TokenStep {
    spec: ServerTokenSpec,
    agent: AgentSettings,
    output: Option<PathBuf>,
    rotate: bool,
    /// Observed: the token already in the output file and what Nomad's checks said of it.
    existing: Option<(SecretString, StartupReport)>,
    minted: Option<MintedToken>,
    revoked_accessor: Option<String>,
    /// Nomad's start-up validation of the token in force, from `verify`.
    startup: Option<StartupReport>,
    written: Vec<String>,
    /// In a pipeline: where [`ServerTokenFacts`] go.
    facts: Option<Facts>,
    /// Seconds: deliver the token response-wrapped.
    wrap_ttl: Option<u64>,
    /// What Vault answered in place of the token, when wrapped.
    wrapped: Option<WrapInfo>,
}

impl TokenStep {
    /// `output`: the token file (kept when valid, written when minting). `agent`: the Nomad
    /// agent settings the verification uses (`create_from_role`, `allow_unauthenticated`).
    pub fn new(
        spec: ServerTokenSpec,
        agent: AgentSettings,
        output: Option<PathBuf>,
        rotate: bool,
    ) -> TokenStep {
        TokenStep {
            spec,
            agent,
            output,
            rotate,
            existing: None,
            minted: None,
            revoked_accessor: None,
            startup: None,
            written: Vec::new(),
            facts: None,
            wrap_ttl: None,
            wrapped: None,
        }
    }

    /// Mints the token response-wrapped for `wrap_ttl` seconds: the output file (or the
    /// caller) gets the wrapping token, never the token; Nomad's checks run where it is
    /// unwrapped (`nvctl token unwrap`), since nvctl never holds the token here.
    pub fn wrapped(mut self, wrap_ttl: u64) -> TokenStep {
        self.wrap_ttl = Some(wrap_ttl).filter(|t| *t > 0);
        self
    }

    /// What Vault answered in place of the token, once a wrapped token is minted.
    pub fn wrap_info(&self) -> Option<&WrapInfo> {
        self.wrapped.as_ref()
    }

    /// Hands [`ServerTokenFacts`] on once verified (to the flow's final verification).
    pub fn sharing(mut self, facts: Facts) -> TokenStep {
        self.facts = Some(facts);
        self
    }

    /// The token now in force: the one minted by `apply`, else the valid one found on disk.
    pub fn token(&self) -> Option<&SecretString> {
        self.minted
            .as_ref()
            .map(|m| &m.token)
            .or_else(|| self.existing.as_ref().map(|(t, _)| t))
    }

    pub fn minted(&self) -> Option<&MintedToken> {
        self.minted.as_ref()
    }

    /// What Nomad's start-up validation said of the token in force (after `verify`): its
    /// findings and accessor.
    pub fn startup(&self) -> Option<&StartupReport> {
        self.startup.as_ref()
    }

    /// The accessor of the token revoked by a rotation.
    pub fn revoked_accessor(&self) -> Option<&str> {
        self.revoked_accessor.as_deref()
    }

    /// Mints the token wrapped and keeps the wrapping token in `pending` (when given).
    fn apply_wrapped(
        &mut self,
        client: &VaultClient,
        ui: &Ui,
        pending: Option<PendingSecretFile>,
        request: &TokenCreateRequest,
        wrap_ttl: u64,
    ) -> Result<()> {
        let info = client
            .create_token_wrapped(&self.spec.endpoint(), request, wrap_ttl)
            .map_err(|e| {
                if e.may_have_been_applied() {
                    anyhow::Error::new(e).context(
                        "the connection broke after the token request was sent: a wrapped token \
                         may have been created that nobody can unwrap; it expires after its \
                         period unless renewed",
                    )
                } else {
                    e.into()
                }
            })?;
        if let Some(pending) = pending {
            let path = pending.target().display().to_string();
            if let Err(e) = pending.commit(format!("{}\n", info.token.expose()).as_bytes()) {
                let revoke = info
                    .wrapped_accessor
                    .as_deref()
                    .map(|a| {
                        format!("; revoke the token inside with `vault token revoke -accessor {a}`")
                    })
                    .unwrap_or_default();
                return Err(e.context(format!(
                    "the wrapping token (accessor {}) could not be saved{revoke}",
                    info.accessor
                )));
            }
            self.written.push(path);
        }
        ui.detail(format!(
            "the token was minted response-wrapped (wrapping token accessor {}, valid {})",
            info.accessor,
            crate::duration::format_friendly(info.ttl)
        ));
        self.wrapped = Some(info);
        Ok(())
    }

    /// A token on file is kept when Nomad accepts it: nvctl's advice (about the role, say)
    /// is no reason to mint another token.
    fn existing_is_usable(&self) -> bool {
        self.existing
            .as_ref()
            .is_some_and(|(_, report)| !report.nomad_would_disable())
    }
}

/// Reads the role a token is to be minted from and, when Vault would refuse the policies asked
/// for (vault-api.md §5), says so in Vault's words and names the role's list — before anything
/// is minted or a file prepared. A caller that may not read the role leaves the verdict to
/// Vault.
fn refuse_what_the_role_forbids(
    client: &VaultClient,
    role: &str,
    policies: &[String],
) -> Result<()> {
    let found = match client.read_token_role(role) {
        Ok(found) => found,
        Err(e) if e.is_permission_denied() => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let Some(found) = found else {
        bail!(
            "Vault would refuse this token: unknown role {role} (auth/token/roles/{role} does not \
             exist): create it with `nvctl role create --name {role}`. Nothing was minted"
        );
    };
    if let TaskTokenPolicies::Refused {
        message,
        forbidden_by,
        ..
    } = task_policies::resolve(&found, policies)
    {
        bail!(
            "Vault would refuse this token: {message} (the role {role:?}'s {forbidden_by}: {}). \
             Nothing was minted. The Nomad servers' own token is minted without --role; use \
             --role only for policies the role may hand out",
            role_list(&found, forbidden_by)
        );
    }
    Ok(())
}

/// One of a role's policy lists, as `vault read` shows it.
fn role_list(role: &TokenRole, field: &str) -> String {
    let list = match field {
        "allowed_policies" => {
            let mut both = role.allowed_policies.clone();
            both.extend(role.allowed_policies_glob.iter().cloned());
            both
        }
        "disallowed_policies_glob" => role.disallowed_policies_glob.clone(),
        _ => role.disallowed_policies.clone(),
    };
    format!("[{}]", list.join(" "))
}

impl Step for TokenStep {
    fn name(&self) -> &'static str {
        "token"
    }

    fn reads_earlier_writes(&self) -> bool {
        // Nomad's checks of a kept token read the policy and role an earlier stage writes.
        true
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        self.existing = None;
        if let Some(role) = &self.spec.from_role {
            refuse_what_the_role_forbids(client, role, &self.spec.policies)?;
        }
        let Some(path) = &self.output else {
            return Ok(());
        };
        if !path.exists() {
            return Ok(());
        }
        let token = read_token_file(path)
            .with_context(|| format!("cannot read the token file {}", path.display()))?;
        let report = validate_server_token(client, &token, &self.agent)?;
        // `--plan` reports this validation (the token step's plan depends on it); an applied
        // run replaces it with the verification's.
        if let Some(facts) = &self.facts {
            facts.put(ServerTokenFacts {
                token: Some(token.clone()),
                startup: report.clone(),
            });
        }
        self.existing = Some((token, report));
        Ok(())
    }

    fn plan(&self) -> Plan {
        let subject = self.spec.endpoint();
        let body = format!(
            "policies = {:?}\nperiod   = {}\norphan   = {}\nrenewable = true{}",
            self.spec.policies,
            crate::duration::format_friendly(self.spec.period),
            self.spec.orphan || self.spec.from_role.is_some(),
            self.output
                .as_ref()
                .map(|p| format!("\nsaved to {} (0600) once minted", p.display()))
                .unwrap_or_default()
        );
        match (&self.existing, self.rotate) {
            (Some(_), false) if self.existing_is_usable() => Plan::nothing(
                subject,
                format!(
                    "Nomad server token in {}",
                    self.output
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                ),
            ),
            (Some(_), true) => Plan::create(
                subject,
                "rotate the Nomad server token (mint, write, then revoke the old one)",
                body,
            ),
            (Some(_), false) => Plan::create(
                subject,
                "replace the Nomad server token: the one on file fails Nomad's checks",
                body,
            ),
            (None, _) => match self.wrap_ttl {
                Some(ttl) => Plan::create(
                    subject,
                    format!(
                        "mint the Nomad server token, response-wrapped for {} (only the \
                         single-use wrapping token leaves Vault)",
                        crate::duration::format_friendly(ttl)
                    ),
                    body,
                ),
                None => Plan::create(subject, "mint the Nomad server token", body),
            },
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        // Prepare the file first: a place we cannot write fails before a token exists.
        let pending = match &self.output {
            Some(path) if self.existing.is_some() || path.exists() => {
                Some(PendingSecretFile::replace(path)?)
            }
            Some(path) => Some(PendingSecretFile::create_new(path)?),
            None => None,
        };
        let request = self.spec.request();
        if let Some(wrap_ttl) = self.wrap_ttl {
            return self.apply_wrapped(client, ui, pending, &request, wrap_ttl);
        }
        let created = match &self.spec.from_role {
            Some(role) => client.create_token_for_role(role, &request),
            None if self.spec.orphan => client.create_orphan_token(&request),
            None => client.create_token(&request),
        }
        .map_err(|e| {
            if e.may_have_been_applied() {
                anyhow::Error::new(e).context(
                    "the connection broke after the token request was sent: a token may have been \
                     created that nobody holds; it expires after its period unless renewed",
                )
            } else {
                e.into()
            }
        })?;
        for warning in &created.warnings {
            ui.warn(format!("Vault: {warning}"));
        }
        let token = created.auth.client_token.clone();
        if let Some(pending) = pending {
            let path = pending.target().display().to_string();
            if let Err(e) = pending.commit(format!("{}\n", token.expose()).as_bytes()) {
                // The token exists only in memory now: say how to revoke it rather than lose track.
                return Err(e.context(format!(
                    "the new token (accessor {}) could not be saved; revoke it with \
                     `vault token revoke -accessor {}`",
                    created.auth.accessor, created.auth.accessor
                )));
            }
            self.written.push(path);
        }
        // Rotation: the new token is on disk; only now revoke the old one.
        if let Some((_, old)) = &self.existing {
            if let Some(accessor) = &old.accessor {
                match client.revoke_accessor(accessor) {
                    Ok(_) => self.revoked_accessor = Some(accessor.clone()),
                    Err(e) => ui.warn(format!(
                        "the old token (accessor {accessor}) could not be revoked: {e}"
                    )),
                }
            }
        }
        self.minted = Some(MintedToken { token, created });
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let report = match (&self.minted, &self.existing) {
            (Some(minted), _) => validate_server_token(client, &minted.token, &self.agent)?,
            // Kept: `observe` ran Nomad's validation on it in this run and nothing was minted
            // since, so that answer stands; validating again would only cost a round trip.
            (None, Some((_, observed))) => observed.clone(),
            (None, None) => return Ok(Findings::new()),
        };
        let findings = report.findings.clone();
        if let Some(facts) = &self.facts {
            facts.put(ServerTokenFacts {
                token: self.token().cloned(),
                startup: report.clone(),
            });
        }
        self.startup = Some(report);
        Ok(findings)
    }

    fn written(&self) -> Vec<String> {
        self.written.clone()
    }
}
