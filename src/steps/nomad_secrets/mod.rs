//! `nomad_secrets { … }` (seed 004, issue 15): Vault's Nomad secrets engine as steps, checked
//! from Nomad's side with the management token, proven by minting and revoking real Nomad
//! ACL tokens.
//!
//! Stages (each left out when it has nothing to do):
//! 1. **Nomad ACL bootstrap** (`acl_bootstrap = true`, [`bootstrap_stage`], right after Vault
//!    is unsealed): [`acl_bootstrap`] — `PUT /v1/acl/bootstrap` as a secret that exists once
//!    (`crate::secret_once`): the management token is saved 0600 to `token_file` before
//!    anything else of the run is written.
//! 2. **Nomad secrets engine**: [`checks`] (Nomad's side: ACLs on, a management token, the
//!    roles' policies exist, the two clocks agree) beside [`engine`] (the mount).
//! 3. **Nomad engine access and lease**: [`access`] (`config/access`; the token is
//!    write-only, see there), [`lease`] (`config/lease`).
//! 4. **Nomad engine roles**: [`role`], one per `role "NAME" {}` at `role/NAME`.
//! 5. **Nomad credentials**: [`proof`] — `creds/NAME` for each role, the token checked on
//!    Nomad (`acl/token/self`), the lease revoked, the token confirmed gone. Only when this
//!    run wrote something of the group: a re-run writes nothing.

pub mod access;
pub mod acl_bootstrap;
pub mod checks;
pub mod engine;
pub mod lease;
pub mod proof;
pub mod role;

use crate::vault::VaultClient;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::nomad_api::{NomadClient, NomadClientConfig, NomadTls};
use crate::secret::SecretString;

use super::pipeline::{Facts, Stage};
use super::Step;

/// The `check` field of this group's findings.
pub const CHECK: &str = "nomad-secrets";

/// Where the management token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// `token_file` (0600); with `acl_bootstrap`, where the bootstrap token is saved.
    File(PathBuf),
    /// `NOMAD_TOKEN` from nvctl's environment.
    Environment(SecretString),
}

/// One `role "NAME" { policies, type, global }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NomadEngineRole {
    pub name: String,
    pub policies: Vec<String>,
    /// `client` or `management`.
    pub token_type: String,
    pub global: bool,
}

/// The `nomad_secrets` block, resolved and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NomadSecretsSpec {
    /// The engine's mount, without slashes (`nomad`).
    pub mount: String,
    /// Nomad's address as Vault reaches it (and nvctl, for the checks).
    pub address: String,
    pub token: TokenSource,
    pub tls: NomadTls,
    pub acl_bootstrap: bool,
    /// `lease_ttl` / `lease_max_ttl` in seconds; `None` when neither is given.
    pub lease: Option<(u64, u64)>,
    pub roles: Vec<NomadEngineRole>,
    /// Send the management token to `config/access` again although the rest is in place.
    pub rewrite_token: bool,
    /// `--no-mint`: no credentials proof.
    pub no_mint: bool,
}

impl NomadSecretsSpec {
    /// The management token, as it is now: from the environment, or the token file (refused
    /// unless 0600); `None` while the file does not exist (the bootstrap will write it).
    pub fn management_token(&self) -> Result<Option<SecretString>> {
        match &self.token {
            TokenSource::Environment(token) => Ok(Some(token.clone())),
            TokenSource::File(path) => {
                if !path.exists() {
                    return Ok(None);
                }
                check_private(path, "the Nomad token file", "a management token")?;
                let text =
                    crate::local_file::read_text(path, crate::local_file::MAX_SECRET_FILE_BYTES)
                        .with_context(|| {
                            format!("cannot read the Nomad token file {}", path.display())
                        })?;
                let token = text.trim();
                if token.is_empty() {
                    anyhow::bail!("the Nomad token file {} is empty", path.display());
                }
                Ok(Some(SecretString::new(token)))
            }
        }
    }

    /// Where the token is, for messages: `token_file x` or `NOMAD_TOKEN`.
    pub fn token_origin(&self) -> String {
        match &self.token {
            TokenSource::File(path) => format!("token_file {}", path.display()),
            TokenSource::Environment(_) => "NOMAD_TOKEN".into(),
        }
    }

    /// A client for Nomad with `token` (the timeout and the `-v` log are the Vault client's).
    pub fn client(
        &self,
        token: Option<SecretString>,
        vault: &VaultClient,
    ) -> Result<NomadClient, crate::nomad_api::NomadError> {
        NomadClient::new(NomadClientConfig {
            address: self.address.clone(),
            token,
            tls: self.tls.clone(),
            timeout: vault.timeout(),
            observer: vault.request_observer(),
        })
    }
}

/// Refuses a file that others can read: `what` (e.g. `the Nomad token file`) holds `holds`.
pub fn check_private(path: &std::path::Path, what: &str, holds: &str) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            anyhow::bail!(
                "{what} {} is readable by others (mode {:o}): it holds {holds}; `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
    }
    Ok(())
}

/// What this run wrote of the group (the proof mints only when something changed).
#[derive(Debug, Clone, Default)]
pub struct NomadSecretsWrites(pub u32);

/// The ACL bootstrap's stage (`acl_bootstrap = true`): placed by the flows right after
/// Vault is unsealed, before any other write of the run, so the token that exists once is on
/// disk before anything else can fail.
pub fn bootstrap_stage<'a>(spec: Option<&NomadSecretsSpec>, facts: &Facts) -> Vec<Stage<'a>> {
    match spec {
        Some(spec) if spec.acl_bootstrap => vec![Stage::new(
            "Nomad ACL bootstrap",
            [boxed(acl_bootstrap::AclBootstrapStep::new(spec, facts))],
        )],
        _ => Vec::new(),
    }
}

/// The engine's stages; empty when `spec` is `None`.
pub fn stages<'a>(spec: Option<&NomadSecretsSpec>, facts: &Facts) -> Vec<Stage<'a>> {
    let Some(spec) = spec else {
        return Vec::new();
    };
    let mut stages = Vec::new();
    stages.push(Stage::new(
        "Nomad secrets engine",
        [
            boxed(checks::NomadChecksStep::new(spec)),
            boxed(engine::EngineStep::new(spec, facts)),
        ],
    ));
    let mut config: Vec<Box<dyn Step>> = vec![boxed(access::AccessStep::new(spec, facts))];
    if spec.lease.is_some() {
        config.push(boxed(lease::LeaseStep::new(spec, facts)));
    }
    stages.push(Stage::new("Nomad engine access and lease", config));
    stages.push(Stage::new(
        "Nomad engine roles",
        spec.roles
            .iter()
            .map(|r| boxed(role::RoleStep::new(spec, r, facts)))
            .collect::<Vec<_>>(),
    ));
    stages.push(Stage::new(
        "Nomad credentials",
        [boxed(proof::ProofStep::new(spec, facts))],
    ));
    stages
}

fn boxed<'a>(step: impl Step + 'a) -> Box<dyn Step + 'a> {
    Box::new(step)
}

/// Counts one write of the group in `facts`.
fn wrote(facts: &Facts) {
    facts.update::<NomadSecretsWrites, _>(|w| w.0 += 1);
}
