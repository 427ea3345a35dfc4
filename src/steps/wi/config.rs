//! WI step 2: the JWT auth method's config (`auth/<path>/config`): Nomad's JWKS URL, the
//! algorithms Nomad signs with, the role jobs log in with by default, and the CA Vault checks
//! the JWKS endpoint's certificate with.
//!
//! Before writing, nvctl fetches the JWKS itself (the pre-flight): Vault fetches it when the
//! config is written and refuses with `error checking jwks URL` when it cannot, so a failure
//! here explains that answer — and a success here does not prove Vault can reach it too.
//! Vault replaces the whole config on write, so the fields nvctl does not manage that matter
//! (`bound_issuer`, `namespace_in_state`) are sent back as they were.

use anyhow::{Context, Result};
use serde::Serialize;

use crate::checks::{Finding, Findings, Severity};
use crate::exit::VaultFailure;
use crate::nomad::workload_identity::{self as wi, RoleContext, WorkloadIdentitySpec, CHECK};
use crate::output::Ui;
use crate::vault::{JwtConfig, VaultClient};

use crate::doctor::workload_identity::{
    auth_mount_exists, config_facts, fetch_jwks, JwksPreflight, JWKS_TIMEOUT,
};
use crate::steps::{unified_diff, Plan, Step};

pub struct JwtConfigStep {
    path: String,
    role_name: String,
    desired: ManagedConfig,
    /// Observed: the pre-flight fetch of the JWKS.
    preflight: Option<JwksPreflight>,
    /// Observed: `None` before `observe`, `Some(None)` when not configured (or no mount yet).
    live: Option<Option<JwtConfig>>,
}

/// The config fields nvctl manages, comparable (lists sorted, PEM trimmed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
struct ManagedConfig {
    jwks_url: String,
    jwks_ca_pem: String,
    jwt_supported_algs: Vec<String>,
    default_role: String,
    /// Other key sources must be empty: Vault wants exactly one.
    oidc_discovery_url: String,
    jwt_validation_pubkeys: Vec<String>,
}

impl ManagedConfig {
    fn of(config: &JwtConfig) -> ManagedConfig {
        let mut algs = config.jwt_supported_algs.clone().unwrap_or_default();
        algs.sort();
        algs.dedup();
        ManagedConfig {
            jwks_url: config.jwks_url.clone().unwrap_or_default(),
            jwks_ca_pem: config
                .jwks_ca_pem
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_string(),
            jwt_supported_algs: algs,
            default_role: config.default_role.clone().unwrap_or_default(),
            oidc_discovery_url: config.oidc_discovery_url.clone().unwrap_or_default(),
            jwt_validation_pubkeys: config.jwt_validation_pubkeys.clone().unwrap_or_default(),
        }
    }

    /// JSON for plans and diffs; PEM blocks shortened to a fingerprint.
    fn shown(&self) -> String {
        let mut shown = self.clone();
        shown.jwks_ca_pem = pem_label(&self.jwks_ca_pem);
        shown.jwt_validation_pubkeys = self
            .jwt_validation_pubkeys
            .iter()
            .map(|p| pem_label(p))
            .collect();
        let mut text = serde_json::to_string_pretty(&shown).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// A PEM block as `PEM (N bytes, fnv64 xxxxxxxxxxxxxxxx)`: enough to see that two differ.
fn pem_label(pem: &str) -> String {
    if pem.is_empty() {
        return String::new();
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in pem.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("PEM ({} bytes, fnv64 {hash:016x})", pem.len())
}

impl JwtConfigStep {
    pub fn new(spec: &WorkloadIdentitySpec) -> JwtConfigStep {
        let mut algs = spec.supported_algs.clone();
        algs.sort();
        algs.dedup();
        JwtConfigStep {
            path: spec.path().to_string(),
            role_name: spec.role_name.clone(),
            desired: ManagedConfig {
                jwks_url: spec.jwks_url.clone(),
                jwks_ca_pem: spec
                    .jwks_ca_pem
                    .as_deref()
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                jwt_supported_algs: algs,
                default_role: spec.role_name.clone(),
                oidc_discovery_url: String::new(),
                jwt_validation_pubkeys: Vec::new(),
            },
            preflight: None,
            live: None,
        }
    }

    /// The pre-flight result, once observed.
    pub fn preflight(&self) -> Option<&JwksPreflight> {
        self.preflight.as_ref()
    }

    fn live(&self) -> Option<&JwtConfig> {
        self.live.as_ref().and_then(Option::as_ref)
    }

    fn subject(&self) -> String {
        format!("auth/{}/config", self.path)
    }

    /// The body to write: the managed fields, plus the unmanaged ones Vault would otherwise
    /// reset.
    fn body(&self) -> JwtConfig {
        let d = &self.desired;
        let mut body = JwtConfig {
            jwks_url: Some(d.jwks_url.clone()),
            jwks_ca_pem: (!d.jwks_ca_pem.is_empty()).then(|| d.jwks_ca_pem.clone()),
            jwt_supported_algs: Some(d.jwt_supported_algs.clone()),
            default_role: Some(d.default_role.clone()),
            ..JwtConfig::default()
        };
        if let Some(live) = self.live() {
            body.bound_issuer = live.bound_issuer.clone().filter(|s| !s.is_empty());
            if let Some(v) = live.extra.get("namespace_in_state") {
                body.extra.insert("namespace_in_state".into(), v.clone());
            }
        }
        body
    }

    fn preflight_note(&self) -> String {
        match &self.preflight {
            Some(p) if !p.ok() => format!(
                " — warning: {}; Vault fetches it when the config is written and must reach it too",
                p.describe()
            ),
            _ => String::new(),
        }
    }
}

impl Step for JwtConfigStep {
    fn name(&self) -> &'static str {
        "jwt-config"
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        let ca =
            (!self.desired.jwks_ca_pem.is_empty()).then_some(self.desired.jwks_ca_pem.as_str());
        let (preflight, live) = std::thread::scope(|scope| {
            let preflight = scope.spawn(|| fetch_jwks(&self.desired.jwks_url, ca, JWKS_TIMEOUT));
            let live = match auth_mount_exists(client, &self.path) {
                Ok(true) => client
                    .read_jwt_config(&self.path)
                    .with_context(|| format!("cannot read {}", self.subject())),
                Ok(false) => Ok(None),
                Err(e) => Err(e),
            };
            (preflight.join(), live)
        });
        self.preflight =
            Some(preflight.map_err(|_| anyhow::anyhow!("internal error in the JWKS pre-flight"))?);
        self.live = Some(live?);
        Ok(())
    }

    fn plan(&self) -> Plan {
        let subject = self.subject();
        match self.live() {
            None => Plan::create(
                subject,
                format!(
                    "configure the JWT auth method {:?} for Nomad's JWKS at {}{}",
                    self.path,
                    self.desired.jwks_url,
                    self.preflight_note()
                ),
                self.desired.shown().trim_end().to_string(),
            ),
            Some(live) if ManagedConfig::of(live) == self.desired => {
                Plan::nothing(subject, format!("JWT auth method {:?} config", self.path))
            }
            Some(live) => Plan::update(
                subject.clone(),
                format!(
                    "the config of {:?} differs; it will be rewritten{}",
                    self.path,
                    self.preflight_note()
                ),
                unified_diff(
                    &ManagedConfig::of(live).shown(),
                    &self.desired.shown(),
                    &subject,
                ),
            ),
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let result = client.write_jwt_config(&self.path, &self.body());
        match result {
            Ok(warnings) => {
                for w in warnings {
                    ui.warn(format!("Vault: {w}"));
                }
                Ok(())
            }
            Err(e) if e.to_string().contains("error checking jwks") => {
                let ours = match &self.preflight {
                    Some(p) if p.ok() => "nvctl itself could fetch it, so Vault's network or TLS trust differs from nvctl's".to_string(),
                    Some(p) => p.describe(),
                    None => "nvctl did not fetch it".to_string(),
                };
                Err(e).with_context(|| {
                    format!(
                        "Vault could not fetch Nomad's JWKS at {} ({ours}): check that Nomad is running, that the Vault servers can reach this URL, and give --jwks-ca-file when its certificate is from a private CA",
                        self.desired.jwks_url
                    )
                })
            }
            Err(e) => Err(e).with_context(|| format!("cannot write {}", self.subject())),
        }
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let subject = self.subject();
        let live = client
            .read_jwt_config(&self.path)
            .with_context(|| format!("cannot read {subject} back"))?
            .ok_or_else(|| {
                VaultFailure(format!(
                    "{subject} was written but reading it back answered 404"
                ))
            })?;
        let mut findings = Findings::new();
        if ManagedConfig::of(&live) != self.desired {
            findings.push(
                Finding::nvctl(
                    Severity::Error,
                    CHECK,
                    &subject,
                    "the config read back differs from the desired one",
                )
                .with_remedy("another writer may have changed it; re-run to see the difference"),
            );
        }
        if let Some(p) = &self.preflight {
            // Vault accepted the config, so it reached the JWKS: nvctl failing is a warning.
            findings.extend(p.findings(&self.desired.jwt_supported_algs, Severity::Warning));
        }
        findings.extend(wi::check_config(
            Some(&config_facts(&live)),
            &RoleContext {
                auth_path: &self.path,
                role_name: &self.role_name,
                server_audiences: &[],
                existing_policies: None,
            },
        ));
        self.live = Some(Some(live));
        Ok(findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step() -> JwtConfigStep {
        JwtConfigStep::new(&WorkloadIdentitySpec::nomad_defaults(
            "http://127.0.0.1:4646/.well-known/jwks.json",
        ))
    }

    #[test]
    fn same_algorithms_in_another_order_are_in_place() {
        let mut s = step();
        s.live = Some(Some(JwtConfig {
            jwks_url: Some("http://127.0.0.1:4646/.well-known/jwks.json".into()),
            jwt_supported_algs: Some(vec!["RS256".into(), "EdDSA".into()]),
            default_role: Some("nomad-workloads".into()),
            jwks_ca_pem: Some(String::new()),
            ..JwtConfig::default()
        }));
        assert_eq!(s.plan().change, crate::steps::Change::None);
    }

    #[test]
    fn static_keys_make_an_update_that_clears_them_and_keeps_bound_issuer() {
        let mut s = step();
        s.live = Some(Some(JwtConfig {
            jwt_validation_pubkeys: Some(vec!["-----BEGIN PUBLIC KEY-----\nabc\n".into()]),
            bound_issuer: Some("nomad".into()),
            ..JwtConfig::default()
        }));
        let plan = s.plan();
        assert_eq!(plan.change, crate::steps::Change::Update);
        assert!(plan.diff.unwrap().contains("PEM ("));
        let body = s.body();
        assert_eq!(body.bound_issuer.as_deref(), Some("nomad"));
        assert_eq!(body.jwt_validation_pubkeys, None);
    }
}
