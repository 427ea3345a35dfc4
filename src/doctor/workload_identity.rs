//! The live workload-identity checks: gather the facts from Vault (the auth method and its
//! accessor, its config, the role, the role's policies) and from Nomad's JWKS endpoint, and
//! run the rules of `nomad::workload_identity` over them. Shared by the WI steps (their
//! observations and the policy step's verify),
//! `nvctl check-role --flow workload-identity` and `nvctl doctor`.
//!
//! Vault answering with a status (403, 404…) is a finding; not reaching Vault at all is an
//! error of the caller.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::checks::{Finding, Findings, Severity};
use crate::nomad::workload_identity::{
    self as wi, JwkSummary, JwtConfigFacts, JwtRoleFacts, ManagedRole, RoleContext, CHECK,
};
use crate::vault::{JwtConfig, JwtRole, VaultClient, VaultError};

/// How long the pre-flight waits for the JWKS endpoint.
pub const JWKS_TIMEOUT: Duration = Duration::from_secs(10);

/// What nvctl found when it fetched Nomad's JWKS itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksPreflight {
    pub url: String,
    /// The keys served, or why the fetch or the document failed.
    pub result: Result<Vec<JwkSummary>, String>,
}

impl JwksPreflight {
    pub fn ok(&self) -> bool {
        self.result.is_ok()
    }

    /// The algorithms of the usable keys served (`EdDSA`, `RS256`).
    pub fn algorithms(&self) -> Vec<String> {
        let mut algs: Vec<String> = self
            .result
            .iter()
            .flatten()
            .filter_map(|k| k.alg.clone())
            .collect();
        algs.sort();
        algs.dedup();
        algs
    }

    /// One line for the operator.
    pub fn describe(&self) -> String {
        match &self.result {
            Ok(keys) => format!(
                "{} serves {} key(s) Vault can verify Nomad's identities with ({})",
                self.url,
                keys.iter().filter(|k| k.alg.is_some()).count(),
                self.algorithms().join(", ")
            ),
            Err(e) => format!("nvctl could not use the JWKS at {}: {e}", self.url),
        }
    }

    /// Findings about the fetch, for a config that should use `supported_algs`. A failure is
    /// `severity`: an error before writing, a warning about a config Vault already accepted
    /// (nvctl may sit on another network than Vault).
    pub fn findings(&self, supported_algs: &[String], severity: Severity) -> Vec<Finding> {
        let subject = self.url.clone();
        match &self.result {
            Ok(keys) => {
                let mut out = vec![Finding::nvctl(
                    Severity::Info,
                    CHECK,
                    &subject,
                    format!(
                        "nvctl fetched Nomad's JWKS: {} key(s) Vault can verify Nomad's identities with ({})",
                        keys.iter().filter(|k| k.alg.is_some()).count(),
                        self.algorithms().join(", ")
                    ),
                )];
                let algs = self.algorithms();
                if !supported_algs.is_empty()
                    && !algs.iter().any(|a| supported_algs.iter().any(|s| s == a))
                {
                    out.push(
                        Finding::nvctl(
                            Severity::Error,
                            CHECK,
                            &subject,
                            format!(
                                "the JWKS serves {} keys but jwt_supported_algs is [{}]: Vault refuses Nomad's identities",
                                algs.join("/"),
                                supported_algs.join(", ")
                            ),
                        )
                        .with_remedy("add the served algorithm to jwt_supported_algs"),
                    );
                }
                out
            }
            Err(e) => vec![Finding::nvctl(
                severity,
                CHECK,
                &subject,
                format!("nvctl could not use Nomad's JWKS: {e}"),
            )
            .with_remedy(
                "check that Nomad is running and serves /.well-known/jwks.json at this URL (give --jwks-ca-file for a private CA); Vault must be able to reach this URL too, from the Vault servers",
            )],
        }
    }
}

/// Fetches the JWKS at `url` from here, trusting only `ca_pem` when given (as Vault does with
/// `jwks_ca_pem`), and checks that it holds an EdDSA or RS256 key. Never fails: what went wrong
/// is in the result.
pub fn fetch_jwks(url: &str, ca_pem: Option<&str>, timeout: Duration) -> JwksPreflight {
    JwksPreflight {
        url: url.to_string(),
        result: fetch(url, ca_pem, timeout),
    }
}

/// The most of a JWKS answer read: key sets are a few KiB.
const MAX_JWKS_BYTES: usize = 1024 * 1024;

fn fetch(url: &str, ca_pem: Option<&str>, timeout: Duration) -> Result<Vec<JwkSummary>, String> {
    let mut material = crate::http::TlsMaterial::default();
    if let Some(pem) = ca_pem.filter(|p| !p.trim().is_empty()) {
        let certs = crate::http::pem_certificates(pem.as_bytes())
            .map_err(|e| format!("the JWKS CA certificate is not PEM: {e}"))?;
        if certs.is_empty() {
            return Err("the JWKS CA file holds no PEM certificate".into());
        }
        material.roots = certs;
    }
    let url = url::Url::parse(url).map_err(|e| format!("the JWKS URL is not valid: {e}"))?;
    let client = crate::http::Client::following(&material, timeout, 3);
    let started = std::time::Instant::now();
    let mut response = client
        .send(
            crate::http::Method::GET,
            &url,
            &[("Accept", "application/json")],
            None,
        )
        .map_err(|e| format!("the request failed: {e}"))?;
    let status = response.status;
    let body = crate::http::read_body(&mut response.body(), started, timeout, MAX_JWKS_BYTES)
        .map_err(|stop| match stop {
            crate::http::ReadStop::TooLarge => format!(
                "the answer is larger than {} KiB, more than any key set",
                MAX_JWKS_BYTES / 1024
            ),
            crate::http::ReadStop::Timeout(_) => {
                "reading the answer failed: no answer in time".to_string()
            }
            crate::http::ReadStop::Broken(detail, _) => {
                format!("reading the answer failed: {detail}")
            }
        })?;
    let body = String::from_utf8_lossy(&body).into_owned();
    if !(200..300).contains(&status) {
        let excerpt: String = body.trim().chars().take(120).collect();
        return Err(format!("HTTP {status}: {excerpt}"));
    }
    let doc: serde_json::Value =
        serde_json::from_str(&body).map_err(|e| format!("the answer is not JSON ({e})"))?;
    wi::check_jwks(&doc)
}

/// The comparable form of a live JWT role.
pub fn managed_role(role: &JwtRole) -> ManagedRole {
    let list = |l: &Option<Vec<String>>| -> Vec<String> {
        let mut v: Vec<String> = l
            .iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect();
        v.sort();
        v.dedup();
        v
    };
    ManagedRole {
        role_type: role.role_type.clone().unwrap_or_default(),
        bound_audiences: list(&role.bound_audiences),
        user_claim: role.user_claim.clone().unwrap_or_default(),
        user_claim_json_pointer: role.user_claim_json_pointer.unwrap_or(false),
        claim_mappings: role.claim_mappings.clone().unwrap_or_default(),
        token_type: role.token_type.clone().unwrap_or_default(),
        token_period: role.token_period.unwrap_or(0),
        token_policies: list(&role.token_policies)
            .into_iter()
            .map(|p| p.to_lowercase())
            .collect(),
    }
}

/// A live JWT role in the rules' plain form.
pub fn role_facts(role: &JwtRole) -> JwtRoleFacts {
    JwtRoleFacts {
        managed: managed_role(role),
        token_ttl: role.token_ttl.unwrap_or(0),
        has_bound_claims: role
            .bound_claims
            .as_ref()
            .and_then(serde_json::Value::as_object)
            .is_some_and(|m| !m.is_empty()),
    }
}

/// A live JWT config in the rules' plain form.
pub fn config_facts(config: &JwtConfig) -> JwtConfigFacts {
    let set = |s: &Option<String>| s.as_ref().is_some_and(|v| !v.is_empty());
    JwtConfigFacts {
        jwks_url: config.jwks_url.clone().unwrap_or_default(),
        has_other_key_source: set(&config.oidc_discovery_url)
            || config
                .jwt_validation_pubkeys
                .as_ref()
                .is_some_and(|k| !k.is_empty()),
        supported_algs: config.jwt_supported_algs.clone().unwrap_or_default(),
        default_role: config.default_role.clone().unwrap_or_default(),
    }
}

/// The auth method's `default_role` (the role tasks log in with when neither the job nor the
/// agent names one); `None` when there is no such mount, config or default, or it cannot be read.
pub fn default_role(client: &VaultClient, auth_path: &str) -> Option<String> {
    let path = auth_path.trim_matches('/');
    if !auth_mount_exists(client, path).ok()? {
        return None;
    }
    client
        .read_jwt_config(path)
        .ok()
        .flatten()
        .and_then(|c| c.default_role)
        .filter(|r| !r.is_empty())
}

/// What to check.
#[derive(Debug, Clone)]
pub struct WiTarget<'a> {
    /// The auth method's path (`jwt-nomad`).
    pub auth_path: &'a str,
    pub role: &'a str,
    /// The servers' `default_identity.aud`; empty when unknown.
    pub server_audiences: &'a [String],
    /// Also fetch the config's JWKS URL from here.
    pub fetch_jwks: bool,
}

/// Every live workload-identity check: the auth method exists and is `jwt`; its config; the
/// role (audiences, user claim, claim mappings, token type, policies exist); each of the role's
/// policies templated on the mount's real accessor with metadata the role maps; optionally the
/// JWKS as nvctl sees it. Fails only when Vault cannot be reached at all.
pub fn check_live(client: &VaultClient, target: &WiTarget<'_>) -> Result<Findings> {
    let path = target.auth_path.trim_matches('/');
    let mut findings = Findings::new();
    let mounts = match client.list_auth_mounts() {
        Ok(m) => m,
        Err(e) => return status_finding(e, "sys/auth", findings),
    };
    let key = format!("{path}/");
    let Some(mount) = mounts.get(&key) else {
        findings.push(
            Finding::nvctl(
                Severity::Error,
                CHECK,
                format!("auth/{key}"),
                format!(
                    "no auth method is enabled at {key}: Nomad's workload identities cannot log in (Nomad clients use jwt_auth_backend_path = \"{key}\")"
                ),
            )
            .with_remedy(format!(
                "run `nvctl bootstrap --flow workload-identity --auth-path {path}`, or point --auth-path (and the clients' jwt_auth_backend_path) at the right mount"
            )),
        );
        return Ok(findings);
    };
    if mount.mount_type != "jwt" && mount.mount_type != "oidc" {
        findings.push(Finding::nvctl(
            Severity::Error,
            CHECK,
            format!("auth/{key}"),
            format!(
                "the auth method at {key} is of type {:?}, not jwt",
                mount.mount_type
            ),
        ));
        return Ok(findings);
    }
    let accessor = mount.accessor.clone();
    let others: BTreeMap<String, String> = mounts
        .iter()
        .filter(|(p, _)| **p != key)
        .map(|(p, m)| (m.accessor.clone(), p.clone()))
        .collect();

    let (role, config, existing) = std::thread::scope(|scope| {
        let config = scope.spawn(|| client.read_jwt_config(path));
        let existing = scope.spawn(|| client.list_policies());
        let role = client.read_jwt_role(path, target.role);
        (
            role,
            config.join().map_err(|_| anyhow::anyhow!("internal error")),
            existing
                .join()
                .map_err(|_| anyhow::anyhow!("internal error")),
        )
    });
    let existing = existing?.ok();
    let ctx = RoleContext {
        auth_path: path,
        role_name: target.role,
        server_audiences: target.server_audiences,
        existing_policies: existing.as_deref(),
    };
    let config = match config? {
        Ok(c) => c,
        Err(e) => return status_finding(e, &format!("auth/{path}/config"), findings),
    };
    findings.extend(wi::check_config(
        config.as_ref().map(config_facts).as_ref(),
        &ctx,
    ));
    let role = match role {
        Ok(r) => r,
        Err(e) => {
            return status_finding(e, &wi::role_subject(path, target.role), findings);
        }
    };
    let facts = role.as_ref().map(role_facts);
    findings.extend(wi::check_role(facts.as_ref(), &ctx));

    if let Some(facts) = &facts {
        let mut templated_here = false;
        for policy in facts
            .managed
            .token_policies
            .iter()
            .filter(|p| *p != "default")
        {
            let text = match client.read_policy(policy) {
                Ok(Some(p)) => p.policy,
                // A missing policy is reported by the role rules.
                Ok(None) => continue,
                Err(e) => {
                    return status_finding(e, &format!("sys/policies/acl/{policy}"), findings)
                }
            };
            templated_here |= wi::alias_templates(&text).contains_key(&accessor);
            findings.extend(wi::check_policy_templates(
                policy,
                &text,
                path,
                &accessor,
                &others,
                Some(&facts.managed),
            ));
        }
        let drift = findings
            .iter()
            .any(|f| f.message.starts_with("accessor drift"));
        if !templated_here && !drift && !facts.managed.token_policies.is_empty() {
            findings.push(Finding::nvctl(
                Severity::Info,
                CHECK,
                wi::role_subject(path, target.role),
                format!(
                    "no policy of the role is templated on {accessor} (auth/{key}): every job's token gets the same access"
                ),
            ));
        }
    }

    if target.fetch_jwks {
        if let Some(config) = &config {
            if let Some(url) = config.jwks_url.as_deref().filter(|u| !u.is_empty()) {
                let preflight = fetch_jwks(url, config.jwks_ca_pem.as_deref(), JWKS_TIMEOUT);
                findings.extend(preflight.findings(
                    config.jwt_supported_algs.as_deref().unwrap_or_default(),
                    Severity::Warning,
                ));
            }
        }
    }
    Ok(findings)
}

/// Vault answered with a status: that is a finding; no answer at all is the caller's error.
fn status_finding(err: VaultError, subject: &str, mut findings: Findings) -> Result<Findings> {
    if err.status().is_none() {
        return Err(err).with_context(|| format!("cannot read {subject}"));
    }
    let remedy = if err.is_permission_denied() {
        "give nvctl a token that may read sys/auth, auth/<path>/config, auth/<path>/role/* and sys/policies/acl/*"
    } else {
        "see Vault's answer"
    };
    findings
        .push(Finding::vault(Severity::Error, CHECK, subject, err.to_string()).with_remedy(remedy));
    Ok(findings)
}

/// Whether an auth method is mounted at `path`. Reads under a path nothing is mounted at
/// answer 404 with a message, which the client rightly treats as an error, so the steps ask
/// this first and take "no mount yet" as "nothing there yet".
pub fn auth_mount_exists(client: &VaultClient, path: &str) -> Result<bool> {
    Ok(client
        .list_auth_mounts()
        .context("cannot list the auth methods (sys/auth)")?
        .contains_key(&format!("{}/", path.trim_matches('/'))))
}
