//! Nomad's start-up validation of its Vault token, run against the live Vault.
//!
//! A Nomad server (≤ 1.9) looks its token up, applies the token rules, asks
//! `sys/capabilities-self` about the paths it needs and reads its token role (nomad-rules.md
//! §2; hashicorp/nomad `nomad/vault.go` parseSelfToken). This module does the same requests —
//! the capabilities in one request, the role read alongside it, and both alongside the lookup
//! when the agent names its role — and hands the answers to the pure rules in `nomad/`.
//! `token create`, `token check`, `check-role`, `bootstrap` and `doctor` all call it, so they
//! agree — also on what is Nomad's verdict (an answer Nomad turns into a validation error, in
//! Nomad's words, the Go client's rendering of Vault's answer included) and what is Vault
//! failing (a sealed Vault, a 5xx, a rate limit, no connection): Nomad logs
//! `failed to validate self token/role` for those too but retries every 30 s and may well
//! succeed, so nvctl reports them as a Vault error (exit 2) saying so, never as a refusal.

use crate::steps::pipeline::joined;
use anyhow::Result;
use serde::Serialize;

use crate::checks::Findings;
use crate::nomad::go_api_error::nomad_quote;
use crate::nomad::gofmt::multierror;
use crate::nomad::role_rules::{RoleContext, RoleFacts};
use crate::nomad::token_rules::TokenFacts;
use crate::nomad::{capabilities, role_rules, token_rules};
use crate::secret::SecretString;
use crate::vault::{Capabilities, TokenLookup, TokenRole, VaultClient, VaultError};

/// How the Nomad agent is configured, as far as the start-up checks care.
#[derive(Debug, Clone, Default)]
pub struct AgentSettings {
    /// `create_from_role`; when unset Nomad uses the token's own `role`.
    pub create_from_role: Option<String>,
    /// `allow_unauthenticated` (Nomad's default: true).
    pub allow_unauthenticated: bool,
}

impl AgentSettings {
    pub fn new(create_from_role: Option<&str>, allow_unauthenticated: bool) -> AgentSettings {
        AgentSettings {
            create_from_role: create_from_role
                .filter(|r| !r.is_empty())
                .map(str::to_string),
            allow_unauthenticated,
        }
    }
}

/// What the validation saw, and what it found.
#[derive(Debug, Clone, Serialize)]
pub struct StartupReport {
    /// The token's accessor (never the token), when the lookup worked.
    pub accessor: Option<String>,
    pub policies: Vec<String>,
    /// The role Nomad would create task tokens from.
    pub role: Option<String>,
    pub findings: Findings,
    /// The error Nomad's validation returns (nomad/vault.go parseSelfToken), byte for byte:
    /// the lookup's failure as is, else Nomad's errors as a go-multierror list. A Nomad
    /// server logs it as the `error` of `failed to validate self token/role`. `None`: Nomad
    /// accepts the token.
    pub nomad_error: Option<String>,
    #[serde(skip)]
    pub token: Option<TokenFacts>,
    #[serde(skip)]
    pub role_facts: Option<RoleFacts>,
}

impl StartupReport {
    /// Whether Nomad would run with its Vault integration disabled (or refuse to start).
    pub fn nomad_would_disable(&self) -> bool {
        self.findings.nomad_would_disable()
    }
}

/// The error text Nomad's validation would return for these findings (see
/// [`StartupReport::nomad_error`]).
pub fn nomad_error(findings: &Findings) -> Option<String> {
    let messages = findings.nomad_validation_messages();
    match messages.as_slice() {
        [] => None,
        // The lookup failing ends the validation: parseSelfToken returns that error alone.
        [only] if only.starts_with(token_rules::LOOKUP_FAILED) => Some(only.to_string()),
        _ => Some(multierror(&messages)),
    }
}

/// Runs Nomad's start-up validation of `token` (the Nomad servers' token) through `client`.
/// Answers that Nomad itself turns into a refusal ([`is_nomad_finding`]) become findings;
/// Vault failing to answer — sealed, a 5xx, a rate limit, no connection — is an error (a
/// [`VaultError`], exit 2) saying that Nomad would retry, since it says nothing about the token.
pub fn validate_server_token(
    client: &VaultClient,
    token: &SecretString,
    agent: &AgentSettings,
) -> Result<StartupReport> {
    let client = &client.with_token(token.clone());
    let mut findings = Findings::new();

    // Nomad looks the token up first because the role may come from the lookup. When the agent
    // names its role (`create_from_role`), the capability paths and the role read are known
    // up front, so the three requests go out together: one round trip instead of two.
    let known_role = agent.create_from_role.as_deref().filter(|r| !r.is_empty());
    let (lookup, early) = std::thread::scope(|scope| {
        let early = known_role.map(|name| {
            let paths = capabilities::request_paths(Some(name), agent.allow_unauthenticated);
            (
                scope.spawn(move || client.capabilities_self(&paths)),
                scope.spawn(move || client.read_token_role(name)),
            )
        });
        let lookup = lookup_own_token(client, token);
        (
            lookup,
            early.map(|(caps, role)| (joined(caps), joined(role))),
        )
    });
    let lookup = match lookup {
        OwnLookup::Found(lookup) => lookup,
        OwnLookup::Refused(finding) => {
            findings.push(finding);
            return Ok(StartupReport {
                accessor: None,
                policies: Vec::new(),
                role: agent.create_from_role.clone(),
                nomad_error: nomad_error(&findings),
                findings,
                token: None,
                role_facts: None,
            });
        }
        OwnLookup::VaultFailed(e) => return Err(nomad_would_retry(e, "the token's lookup")),
    };
    let token = token_facts(&lookup);
    findings.extend(token_rules::check(
        &token,
        agent.create_from_role.as_deref(),
    ));
    let role_name = token_rules::resolve_role(agent.create_from_role.as_deref(), &token);

    // Otherwise the role comes from the lookup: the capability check and the role read do not
    // depend on each other, so they still go together.
    let (caps, role) = match early {
        Some((caps, role)) => (caps, Some(role)),
        None => {
            read_capabilities_and_role(client, role_name.as_deref(), agent.allow_unauthenticated)
        }
    };
    // nvctl's advice judges the servers' real token: its own policies.
    let context = RoleContext {
        server_policies: &token.policies,
        existing_policies: None,
    };
    let judged = judge(
        caps,
        role_name.as_deref().zip(role),
        agent.allow_unauthenticated,
        &context,
    )?;
    findings.extend(judged.findings);
    findings.extend(token_rules::nvctl_findings(
        &token,
        judged.role_facts.as_ref(),
    ));

    Ok(StartupReport {
        accessor: Some(lookup.accessor.clone()).filter(|a| !a.is_empty()),
        policies: token.policies.clone(),
        role: role_name,
        nomad_error: nomad_error(&findings),
        findings,
        token: Some(token),
        role_facts: judged.role_facts,
    })
}

/// What made Vault unable to answer a request Nomad's validation makes, with what a Nomad
/// server would do about it: log `failed to validate self token/role` and try again every
/// 30 s (nomad/vault.go establishConnection). Exit 2, as every Vault error.
fn nomad_would_retry(e: VaultError, what: &str) -> anyhow::Error {
    anyhow::Error::new(e).context(format!(
        "Vault could not answer {what}: this is Vault failing, not Nomad refusing the token — a \
         Nomad server would log \"failed to validate self token/role\" and retry every 30s \
         until Vault answers"
    ))
}

/// What Nomad's capability table and role rules made of Vault's answers for one role.
#[derive(Debug, Clone, Default)]
pub struct RoleCheck {
    pub findings: Findings,
    /// The `sys/capabilities-self` answer (path → capabilities), when Vault gave one.
    pub capabilities: Option<Capabilities>,
    /// The role as read; `None` when the read was refused.
    pub role_facts: Option<RoleFacts>,
}

/// `check-role`: Nomad's capability table and role rules for `role`, with the token `client`
/// sends — the `sys/capabilities-self` request and the role read go out together. Errors as
/// [`validate_server_token`]: only answers Nomad would refuse on become findings.
pub fn check_role(
    client: &VaultClient,
    role: &str,
    allow_unauthenticated: bool,
    context: &RoleContext,
) -> Result<RoleCheck> {
    let (caps, read) = read_capabilities_and_role(client, Some(role), allow_unauthenticated);
    judge(
        caps,
        read.map(|read| (role, read)),
        allow_unauthenticated,
        context,
    )
}

/// Whether Vault's error answer is one Nomad turns into a refusal: the token or its policies
/// are at fault (400, 403, 404 — the statuses Nomad itself calls unrecoverable,
/// `Code:\s+40(0|3|4)` in nomad/structs VaultUnrecoverableError). Anything else — a 5xx, 503
/// sealed, 429, a transport failure — is Vault unable to answer, which Nomad retries.
pub fn is_nomad_finding(e: &VaultError) -> bool {
    matches!(e.status(), Some(400 | 403 | 404))
}

type RoleRead = Result<Option<TokenRole>, VaultError>;

/// `sys/capabilities-self` for every path Nomad checks, and the role read when there is a
/// role, sent in parallel.
fn read_capabilities_and_role(
    client: &VaultClient,
    role: Option<&str>,
    allow_unauthenticated: bool,
) -> (Result<Capabilities, VaultError>, Option<RoleRead>) {
    let paths = capabilities::request_paths(role, allow_unauthenticated);
    std::thread::scope(|scope| {
        let caps = scope.spawn(|| client.capabilities_self(&paths));
        let read = role.map(|name| scope.spawn(move || client.read_token_role(name)));
        (joined(caps), read.map(joined))
    })
}

/// The answers judged as a Nomad server judges them at start-up (nomad/vault.go
/// validateCapabilities, validateRole).
fn judge(
    caps: Result<Capabilities, VaultError>,
    role: Option<(&str, RoleRead)>,
    allow_unauthenticated: bool,
    context: &RoleContext,
) -> Result<RoleCheck> {
    let mut check = RoleCheck::default();
    let role_name = role.as_ref().map(|(name, _)| *name);
    match caps {
        Ok(caps) => {
            check
                .findings
                .extend(capabilities::check(&caps, role_name, allow_unauthenticated));
            check.capabilities = Some(caps);
        }
        // Nomad only warns, and skips the rest of the table.
        Err(e) if capabilities::failure_is_unrecoverable(e.status()) => {
            check.findings.push(capabilities::lookup_failed())
        }
        Err(e) => return Err(nomad_would_retry(e, "sys/capabilities-self")),
    }
    if let Some((name, read)) = role {
        // The Go client's Logical().Read answers "nothing there" for any 404, whatever its
        // body says: Nomad then says the role does not exist.
        let read = match read {
            Err(e) if e.is_not_found() => Ok(None),
            other => other,
        };
        match read {
            Ok(role) => {
                let facts = role_facts(name, role.as_ref());
                check.findings.extend(role_rules::check(&facts));
                check
                    .findings
                    .extend(role_rules::nvctl_findings(&facts, context));
                check.role_facts = Some(facts);
            }
            Err(e) if is_nomad_finding(&e) => check
                .findings
                .push(role_rules::lookup_failed(name, &nomad_quote(&e))),
            Err(e) => return Err(nomad_would_retry(e, &format!("the read of role {name:?}"))),
        }
    }
    Ok(check)
}

/// How Nomad's lookup of its own token ended.
enum OwnLookup {
    Found(Box<TokenLookup>),
    /// Nomad's finding, in its words.
    Refused(crate::checks::Finding),
    /// Vault could not answer (Nomad retries).
    VaultFailed(VaultError),
}

/// Nomad's lookup (nomad/vault.go lookupSelf): `lookup-self`, and when that fails in any way
/// or answers without data, `auth/token/lookup` with its own token — whose failure is the one
/// Nomad quotes, in the Go client's words. An answer without data there is Nomad's
/// "got empty response".
fn lookup_own_token(client: &VaultClient, token: &SecretString) -> OwnLookup {
    if let Ok(lookup) = client.lookup_self() {
        return OwnLookup::Found(Box::new(lookup));
    }
    match client.lookup_token(token) {
        Ok(lookup) => OwnLookup::Found(Box::new(lookup)),
        Err(VaultError::Decode { .. }) => OwnLookup::Refused(token_rules::lookup_empty()),
        Err(e) if is_nomad_finding(&e) => {
            OwnLookup::Refused(token_rules::lookup_failed(&nomad_quote(&e)))
        }
        Err(e) => OwnLookup::VaultFailed(e),
    }
}

/// The fields of a lookup that Nomad's rules read.
pub fn token_facts(lookup: &TokenLookup) -> TokenFacts {
    TokenFacts {
        accessor: Some(lookup.accessor.clone()).filter(|a| !a.is_empty()),
        policies: lookup.policies.clone(),
        creation_ttl: lookup.creation_ttl,
        ttl: lookup.ttl,
        renewable: lookup.renewable,
        role: lookup.role.clone().filter(|r| !r.is_empty()),
        orphan: lookup.orphan,
        period: lookup.period,
        explicit_max_ttl: lookup.explicit_max_ttl,
        expire_time: lookup.expire_time.clone(),
    }
}

/// The role as Nomad's rules read it; `None` means the read answered 404.
pub fn role_facts(name: &str, role: Option<&TokenRole>) -> RoleFacts {
    match role {
        None => RoleFacts::missing(name),
        Some(r) => RoleFacts {
            name: name.to_string(),
            exists: true,
            renewable: r.renewable,
            period: r.period,
            token_period: r.token_period,
            explicit_max_ttl: r.explicit_max_ttl,
            token_explicit_max_ttl: r.token_explicit_max_ttl,
            orphan: r.orphan,
            allowed_policies: r.allowed_policies.clone(),
            disallowed_policies: r.disallowed_policies.clone(),
            allowed_policies_glob: r.allowed_policies_glob.clone(),
            disallowed_policies_glob: r.disallowed_policies_glob.clone(),
            token_type: r.token_type.clone(),
            token_no_default_policy: r.token_no_default_policy,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::ClientConfig;
    use vault_sandbox::{Sandbox, SandboxHandle};

    fn sent(sandbox: &SandboxHandle, method: &str, path: &str) -> usize {
        sandbox
            .requests()
            .iter()
            .filter(|r| r.method == method && r.path == format!("/v1/{path}"))
            .count()
    }

    #[test]
    fn with_a_named_role_lookup_capabilities_and_role_read_are_each_sent_once() {
        let sandbox = Sandbox::builder()
            .dev("root-for-validation")
            .start()
            .unwrap();
        let client = VaultClient::new(ClientConfig::new(sandbox.addr())).unwrap();
        let agent = AgentSettings::new(Some("nomad-cluster"), true);
        let report =
            validate_server_token(&client, &SecretString::new("root-for-validation"), &agent)
                .unwrap();
        assert!(report.accessor.is_some());
        assert_eq!(report.role.as_deref(), Some("nomad-cluster"));
        // vault-api.md §6, §7, §4.
        assert_eq!(sent(&sandbox, "GET", "auth/token/lookup-self"), 1);
        assert_eq!(sent(&sandbox, "POST", "sys/capabilities-self"), 1);
        assert_eq!(sent(&sandbox, "GET", "auth/token/roles/nomad-cluster"), 1);
        // The role does not exist: Nomad's finding, from the read sent with the lookup.
        assert!(report.role_facts.is_some_and(|f| !f.exists));
    }

    #[test]
    fn an_unknown_token_gives_only_the_lookup_finding_even_with_a_named_role() {
        let sandbox = Sandbox::builder()
            .dev("root-for-validation")
            .start()
            .unwrap();
        let client = VaultClient::new(ClientConfig::new(sandbox.addr())).unwrap();
        let agent = AgentSettings::new(Some("nomad-cluster"), true);
        let report =
            validate_server_token(&client, &SecretString::new("not-a-token"), &agent).unwrap();
        assert!(report.accessor.is_none());
        assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
        assert!(report.findings.has_errors());
    }
}
