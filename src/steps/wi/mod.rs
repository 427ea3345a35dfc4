//! The workload-identity flow's steps (nomad-rules.md §5), after init/unseal, in the order
//! `nomad setup vault` writes (hashicorp/nomad `command/setup_vault.go` Run: the auth method
//! and its config, then the policy, then the role):
//!
//! 1. [`auth_method::AuthMethodStep`]: `jwt` auth at `--auth-path` (`jwt-nomad`), marked;
//! 2. [`config::JwtConfigStep`]: its config (`jwks_url`, algorithms, `default_role`,
//!    `jwks_ca_pem`), after nvctl fetched the JWKS itself (pre-flight); beside it, only when
//!    asked for (`--kv-mount`), [`kv::KvMountStep`]: a KV v2 engine, marked — `nomad setup
//!    vault` mounts none;
//! 3. [`policy::WiPolicyStep`]: the `nomad-workloads` policy, templated on the mount's real
//!    accessor (read from `sys/auth` when writing), marked. Its verify is the whole live check
//!    ([`crate::doctor::workload_identity::check_live`], what `check-role --flow workload-identity` runs);
//! 4. [`role::WiRoleStep`]: the `nomad-workloads` role, once its policy exists.
//!
//! 5. [`login::LoginProofStep`], only with a workload identity to prove it with
//!    (`--identity-file`, or the one the in-memory Nomad of `bootstrap --dev` signs): logged in
//!    through the role, its token's policies checked, the token revoked ([`login_stage`]).
//!
//! [`stages`] is their order, the one place it is written. JWT roles have no field for a mark:
//! the policy records in its marked header the role that did not exist when it was written
//! (the role step creates it next). [`destroy::destroy`] removes only what carries nvctl's
//! mark, through the same driver: the roles, engine and auth method, then the policy recording
//! the roles (it must outlive them), every removal asked for before the first is made.
//!
//! What the default options write equals what `nomad setup vault` writes, field by field; the
//! only additions are nvctl's mark — `[created-by: nvctl]` in the auth method's description and
//! in the policy's leading comment lines (which Vault keeps as written) — that `--destroy`
//! relies on to remove nvctl's objects and nothing else.

pub mod auth_method;
pub mod config;
pub mod destroy;
pub mod kv;
pub mod login;
pub mod policy;
pub mod role;

use std::path::PathBuf;

use anyhow::Result;

use crate::nomad::stanza::{AgentKind, VaultBlock};
use crate::nomad::workload_identity::{self as wi, WorkloadIdentitySpec};
use crate::output::Ui;
use crate::vault::VaultClient;

use super::pipeline::{drive, Facts, Pipeline, Stage};
use super::{Consent, Step, StepReport};

/// The workload-identity steps for `spec`, in their stages. Fails when the spec is invalid,
/// before anything is sent.
pub fn stages<'a>(spec: &WorkloadIdentitySpec) -> Result<Vec<Stage<'a>>> {
    spec.validate().map_err(anyhow::Error::msg)?;
    let config: Box<dyn Step> = Box::new(config::JwtConfigStep::new(spec));
    let config_stage = if spec.mount_kv {
        Stage::new(
            "jwt config and KV mount",
            [config, Box::new(kv::KvMountStep::new(&spec.kv_mount))],
        )
    } else {
        Stage::new("jwt config", [config])
    };
    Ok(vec![
        Stage::new(
            "jwt auth method",
            [Box::new(auth_method::AuthMethodStep::new(spec.path())) as Box<dyn Step>],
        ),
        config_stage,
        Stage::new(
            "workload policy",
            [Box::new(policy::WiPolicyStep::new(spec)) as Box<dyn Step>],
        ),
        Stage::new(
            "workload role",
            [Box::new(role::WiRoleStep::new(spec)) as Box<dyn Step>],
        ),
    ])
}

/// The login proof's stage, when a signed workload identity is at hand.
pub fn login_stage<'a>(
    spec: &WorkloadIdentitySpec,
    identity_file: Option<&PathBuf>,
) -> Vec<Stage<'a>> {
    identity_file
        .map(|file| {
            Stage::new(
                "workload identity login",
                [Box::new(login::LoginProofStep::new(spec, file.clone())) as Box<dyn Step>],
            )
        })
        .into_iter()
        .collect()
}

/// Drives the workload-identity stages alone (Vault initialised and unsealed, `client`
/// carrying a token): what `bootstrap --flow workload-identity` does after init and unseal,
/// for callers using nvctl as a library.
pub fn run(
    client: &VaultClient,
    ui: &Ui,
    consent: Consent,
    spec: &WorkloadIdentitySpec,
) -> Result<Vec<StepReport>> {
    let mut pipeline = Pipeline::new(Facts::default()).stages(stages(spec)?);
    Ok(drive(&mut pipeline, client, ui, consent)?.steps)
}

/// The Nomad agents' `vault` blocks for this set-up: servers sign identities for the role's
/// audiences; clients log in at the auth path.
pub fn stanza(spec: &WorkloadIdentitySpec, kind: AgentKind, vault_address: &str) -> VaultBlock {
    match kind {
        AgentKind::Server => {
            let mut s = VaultBlock::workload_identity_server(&spec.audiences, &spec.identity_ttl);
            s.address = Some(vault_address.to_string());
            s
        }
        AgentKind::Client => {
            VaultBlock::workload_identity_client(vault_address, &format!("{}/", spec.path()))
        }
    }
}

/// The workload-identity settings as `nvctl bootstrap`'s flags give them; `None` takes
/// `nomad setup vault`'s default.
#[derive(Debug, Clone, Default)]
pub struct WiOptions {
    pub jwks_url: Option<String>,
    /// Nomad's HTTP address: the JWKS URL is `<nomad_addr>/.well-known/jwks.json`.
    pub nomad_addr: Option<String>,
    pub jwks_ca_file: Option<PathBuf>,
    /// Comma-separated.
    pub audience: Option<String>,
    pub auth_path: Option<String>,
    pub role: Option<String>,
    pub policy: Option<String>,
    /// The role's token period (`30m`, `1800`).
    pub token_period: Option<String>,
    /// `--kv-mount`: the KV v2 mount the policy grants on, mounted by nvctl when absent.
    /// `None`: the policy grants on `secret/` and nothing is mounted (`nomad setup vault`).
    pub kv_mount: Option<String>,
    /// `--identity-file`: a workload identity Nomad signed, logged in through the role to
    /// prove the set-up ([`login`]).
    pub identity_file: Option<PathBuf>,
}

/// The spec the options describe, validated; the CA file is read here. Errors name the flag.
pub fn spec_from_options(opts: &WiOptions) -> Result<WorkloadIdentitySpec> {
    let jwks_url = match (&opts.jwks_url, &opts.nomad_addr) {
        (Some(url), _) => {
            jwks_url_setting(url).map_err(|e| anyhow::anyhow!("invalid --jwks-url: {e}"))?
        }
        (None, Some(addr)) => wi::jwks_url_from_nomad_addr(addr)
            .map_err(|e| anyhow::anyhow!("invalid --nomad-addr: {e}"))?,
        (None, None) => anyhow::bail!(
            "the workload-identity flow needs Nomad's JWKS URL, which Vault fetches: give --nomad-addr URL (the URL is <addr>/.well-known/jwks.json) or --jwks-url URL"
        ),
    };
    let mut spec = WorkloadIdentitySpec::nomad_defaults(jwks_url);
    if let Some(file) = &opts.jwks_ca_file {
        spec.jwks_ca_pem =
            Some(jwks_ca_setting(file).map_err(|e| anyhow::anyhow!("--jwks-ca-file {e}"))?);
    }
    apply_names(&mut spec, opts)?;
    spec.validate().map_err(anyhow::Error::msg)?;
    Ok(spec)
}

/// The audience, path, names and period of `opts` over `spec`'s defaults.
fn apply_names(spec: &mut WorkloadIdentitySpec, opts: &WiOptions) -> Result<()> {
    if let Some(aud) = &opts.audience {
        spec.audiences =
            audience_setting(aud).map_err(|e| anyhow::anyhow!("invalid --audience: {e}"))?;
    }
    if let Some(path) = &opts.auth_path {
        spec.auth_path =
            auth_path_setting(path).map_err(|e| anyhow::anyhow!("invalid --auth-path: {e}"))?;
    }
    if let Some(role) = &opts.role {
        spec.role_name = role.clone();
    }
    if let Some(policy) = &opts.policy {
        spec.policy_name = policy.to_lowercase();
        spec.token_policies = vec![spec.policy_name.clone()];
    }
    if let Some(period) = &opts.token_period {
        spec.token_period = crate::duration::parse_flag_seconds(period)
            .map_err(|e| anyhow::anyhow!("invalid --role-period: {e}"))?;
    }
    if let Some(kv) = &opts.kv_mount {
        spec.kv_mount =
            kv_mount_setting(kv).map_err(|e| anyhow::anyhow!("invalid --kv-mount: {e}"))?;
        spec.mount_kv = true;
    }
    Ok(())
}

// One setting at a time, with messages that name no flag: `spec_from_options` adds the flag,
// `bootstrap`'s configuration file adds `file:line`.

/// A JWKS URL: `http://` or `https://`.
pub fn jwks_url_setting(url: &str) -> Result<String, String> {
    let url = url.trim();
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(url.to_string())
    } else {
        Err(format!(
            "{url:?} is not a URL: it must start with http:// or https://"
        ))
    }
}

/// A CA file for the JWKS endpoint: read, and holding a PEM certificate.
pub fn jwks_ca_setting(file: &std::path::Path) -> Result<String, String> {
    let pem = crate::local_file::read_text(file, crate::local_file::MAX_INPUT_BYTES)
        .map_err(|e| format!("{}: cannot read it: {e}", file.display()))?;
    if !pem.contains("-----BEGIN CERTIFICATE-----") {
        return Err(format!(
            "{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            file.display()
        ));
    }
    Ok(pem)
}

/// Audiences, comma-separated; at least one.
pub fn audience_setting(text: &str) -> Result<Vec<String>, String> {
    let audiences: Vec<String> = text
        .split(',')
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    if audiences.is_empty() {
        return Err("at least one audience is needed (Nomad's default is vault.io)".into());
    }
    Ok(audiences)
}

/// A KV mount path, without its slashes.
pub fn kv_mount_setting(path: &str) -> Result<String, String> {
    match path.trim().trim_matches('/') {
        "" => Err("the KV mount path must not be empty".into()),
        // Vault's own paths (hashicorp/vault vault/mount.go protectedMounts).
        p if ["audit", "auth", "sys", "cubbyhole", "identity"]
            .iter()
            .any(|r| p == *r || p.starts_with(&format!("{r}/"))) =>
        {
            Err(format!(
                "{p:?} is one of Vault's own paths; choose another (nomad setup vault's policy uses secret)"
            ))
        }
        p => Ok(p.to_string()),
    }
}

/// An auth method path, without its slashes; not Vault's token store.
pub fn auth_path_setting(path: &str) -> Result<String, String> {
    let path = path.trim().trim_matches('/');
    match path {
        "" => Err("the auth path must not be empty".into()),
        "token" => Err("the auth path \"token\" is Vault's token store; choose another".into()),
        _ => Ok(path.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::stanza::{StanzaFormat, StanzaStep};

    #[test]
    fn options_default_to_nomad_setup_vault_and_derive_the_jwks_url() {
        let spec = spec_from_options(&WiOptions {
            nomad_addr: Some("https://nomad.example:4646".into()),
            ..WiOptions::default()
        })
        .unwrap();
        assert_eq!(
            spec,
            WorkloadIdentitySpec::nomad_defaults(
                "https://nomad.example:4646/.well-known/jwks.json"
            )
        );
    }

    #[test]
    fn options_override_audience_path_names_and_period() {
        let spec = spec_from_options(&WiOptions {
            jwks_url: Some("http://127.0.0.1:4646/.well-known/jwks.json".into()),
            audience: Some("vault.io, other".into()),
            auth_path: Some("/jwt-team/".into()),
            role: Some("team".into()),
            policy: Some("Team-Policy".into()),
            token_period: Some("1h".into()),
            ..WiOptions::default()
        })
        .unwrap();
        assert_eq!(spec.audiences, vec!["vault.io", "other"]);
        assert_eq!(spec.path(), "jwt-team");
        assert_eq!(spec.role_name, "team");
        assert_eq!(spec.token_policies, vec!["team-policy"]);
        assert_eq!(spec.token_period, 3600);
        assert_eq!(
            stanza(&spec, AgentKind::Client, "https://v:8200").jwt_auth_backend_path,
            Some("jwt-team/".to_string())
        );
    }

    #[test]
    fn emitted_wi_blocks_pass_nomads_agent_rules() {
        let spec = WorkloadIdentitySpec::nomad_defaults("http://n:4646/.well-known/jwks.json");
        for kind in [AgentKind::Server, AgentKind::Client] {
            let findings = StanzaStep::new(
                kind,
                stanza(&spec, kind, "https://v:8200"),
                StanzaFormat::Hcl,
                None,
            )
            .check();
            assert!(!findings.has_errors(), "{kind:?}: {findings:?}");
        }
    }

    #[test]
    fn missing_jwks_source_and_bad_ca_file_are_refused_naming_the_flag() {
        let err = spec_from_options(&WiOptions::default()).unwrap_err();
        assert!(err.to_string().contains("--nomad-addr"));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ca.pem");
        std::fs::write(&file, "not a certificate").unwrap();
        let err = spec_from_options(&WiOptions {
            nomad_addr: Some("http://n:4646".into()),
            jwks_ca_file: Some(file),
            ..WiOptions::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("--jwks-ca-file"));
        let err = spec_from_options(&WiOptions {
            nomad_addr: Some("n:4646".into()),
            ..WiOptions::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("invalid --nomad-addr"));
    }
}
