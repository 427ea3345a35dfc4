//! `nvctl doctor`'s checks of one Nomad agent: what its merged configuration says, then what a
//! Nomad server would find at start against the Vault **its configuration** names (address,
//! TLS files, namespace) — not nvctl's own `VAULT_ADDR`.
//!
//! Nomad's order is kept (nomad-rules.md §2): the fatal start errors first (if any, Nomad
//! stops there and so does the doctor), then the token — from the block, else the token given
//! to nvctl through `VAULT_TOKEN` or `--token-file`, which stands for the servers' environment
//! (Nomad reads `VAULT_TOKEN` when the block has none) — then `validation::validate_server_token`.
//! Failing to reach that Vault is a finding, not an error of the command: it is exactly what
//! the Nomad agent would run into.
//!
//! A workload-identity agent (a server with `default_identity`, a client with
//! `jwt_auth_backend_path`, or any agent of Nomad ≥ 1.10) gets the live workload-identity
//! checks instead ([`super::workload_identity`]): the auth method at its path, the role its tasks log in
//! with against the servers' `default_identity.aud`, and the policy's accessor against the
//! mount's. They read Vault with the token given to nvctl; without one they are skipped, said
//! so in an info finding.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::checks::{check, Finding, Findings, Severity};
use crate::nomad::agent_config::AgentConfig;
use crate::nomad::gofmt::go_quote;
use crate::nomad::stanza::{self, AgentContext, AgentKind};
use crate::nomad::vault_block::{VaultBlock, VaultFlow};
use crate::nomad::versions::{Flow, NomadVersion};
use crate::nomad::workload_identity::CHECK as CHECK_WI;
use crate::secret::SecretString;
use crate::validation::{validate_server_token, AgentSettings};
use crate::vault::{ClientConfig, TlsConfig, VaultClient};

/// Findings about reaching the Vault the agent's configuration names.
pub const CONNECTION: &str = "connection";

/// How the doctor was invoked, besides the files.
#[derive(Debug, Clone)]
pub struct AgentCheckOptions {
    pub nomad_version: Option<NomadVersion>,
    /// `--role`, overriding the configuration's `create_from_role`.
    pub role: Option<String>,
    /// The token given to nvctl (VAULT_TOKEN or --token-file), standing for the servers'
    /// environment, and a description of where it came from (never its value).
    pub given_token: Option<(SecretString, String)>,
    /// nvctl's own `VAULT_ADDR`, only to say when the configuration names another Vault.
    pub nvctl_address: String,
    pub timeout: Duration,
    pub max_retries: u32,
}

/// Which Vault integration the doctor checked the agent for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckedFlow {
    /// The token flow (Nomad ≤ 1.9).
    Legacy,
    /// Workload identity.
    WorkloadIdentity,
    /// No enabled `vault` block: the integration is off.
    Disabled,
}

/// What the doctor found about one agent.
#[derive(Debug, Clone, Serialize)]
pub struct AgentDiagnosis {
    pub files: Vec<PathBuf>,
    pub server: bool,
    pub client: bool,
    pub flow: CheckedFlow,
    /// The Vault address contacted, when one was.
    pub vault_address: Option<String>,
    /// Where the servers' token came from, when one was used (never the token).
    pub token_source: Option<String>,
    pub findings: Findings,
}

/// Runs every check on a loaded configuration. Never fails: whatever goes wrong, including
/// reaching Vault, is a finding.
pub fn diagnose(config: &AgentConfig, opts: &AgentCheckOptions) -> AgentDiagnosis {
    let mut diagnosis = AgentDiagnosis {
        files: config.files.clone(),
        server: config.is_server(),
        client: config.is_client(),
        flow: CheckedFlow::Disabled,
        vault_address: None,
        token_source: None,
        findings: Findings::new(),
    };
    let mut findings = Findings::new();

    // What is wrong in the files themselves. Unknown keys are reported below, per block, with
    // the severity the stanza rules give them; the client-token warning comes from here.
    let unknown: Vec<String> = config
        .vaults
        .iter()
        .flat_map(|v| v.unknown_keys.iter().map(|k| k.to_string()))
        .collect();
    for problem in config.problems() {
        if !unknown.contains(&problem.message) {
            findings.push(problem.into_finding(check::STANZA));
        }
    }
    if !config.is_server() && !config.is_client() {
        findings.push(
            Finding::nvctl(
                Severity::Warning,
                check::STANZA,
                "agent",
                "neither server { enabled = true } nor client { enabled = true } in these files: checked as a client",
            )
            .with_remedy("pass every file the agent is started with (--agent-config may be repeated, or name the directory)"),
        );
    }

    let Some(block) = config.default_vault() else {
        findings.push(
            Finding::nvctl(
                Severity::Warning,
                check::STANZA,
                "vault",
                "no vault block: the Vault integration is off on this agent",
            )
            .with_remedy("add a vault block (nvctl stanza server|client prints one)"),
        );
        diagnosis.findings = findings;
        return diagnosis;
    };
    for other in config.vaults.iter().filter(|v| v.name() != block.name()) {
        findings.push(Finding::nvctl(
            Severity::Info,
            check::STANZA,
            format!("vault {:?}", other.name()),
            "a non-default Vault cluster (Nomad Enterprise): only its file-level checks ran",
        ));
        findings.extend(unknown_key_findings(other));
    }

    findings.extend(unknown_key_findings(block));
    let kind = if config.is_server() {
        AgentKind::Server
    } else {
        AgentKind::Client
    };
    let stanza = rules_view(block);
    let flow = choose_flow(block, kind, opts);
    diagnosis.flow = flow;

    let block_token = block
        .token
        .as_ref()
        .filter(|t| !t.expose().is_empty())
        .map(|t| {
            let at = block
                .at("token")
                .map(ToString::to_string)
                .unwrap_or_default();
            (t.clone(), format!("vault.token in {at}"))
        });
    let token = block_token.or_else(|| {
        opts.given_token.as_ref().map(|(t, from)| {
            (
                t.clone(),
                format!("{from} (Nomad reads VAULT_TOKEN from the server's environment when the block has no token)"),
            )
        })
    });

    let ctx = AgentContext {
        kind,
        token_in_env: Some(opts.given_token.is_some()),
    };
    let mut stanza_findings = if kind == AgentKind::Server && flow == CheckedFlow::WorkloadIdentity
    {
        // A workload-identity server: the legacy keys are judged by check_flow below, and
        // without default_identity the stanza rules would judge it as a legacy server.
        let wi_only = VaultBlock {
            token: None,
            allow_unauthenticated: None,
            task_token_ttl: None,
            create_from_role: None,
            ..stanza.clone()
        };
        if wi_only.default_identity.is_some() {
            stanza::check_agent_block_with(&wi_only, &ctx)
        } else {
            Vec::new()
        }
    } else {
        stanza::check_agent_block_with(&stanza, &ctx)
    };
    if kind == AgentKind::Client || flow != CheckedFlow::Legacy {
        // Only a legacy server needs a token; the stanza rules would otherwise ask for one.
        stanza_findings.retain(|f| f.message != "Vault token must be set");
    }
    // problems() above already warned about a client's token, with file and line.
    stanza_findings.retain(|f| {
        !f.message
            .starts_with("a client's vault block carries a token")
    });
    findings.extend(stanza_findings);

    if let Some(version) = &opts.nomad_version {
        for mut f in stanza::check_flow(&stanza, version.flow(), opts.given_token.is_some()) {
            if version.flow() == Flow::WorkloadIdentityOnly && f.is_error() {
                f.message = format!(
                    "Nomad {version} removed the legacy token flow (gone since 1.10); this block still sets {}",
                    stanza.keys_removed_in_1_10().join(", ")
                );
                f = f.with_remedy(
                    "set up workload identity with `nvctl bootstrap --flow workload-identity`, then remove token, allow_unauthenticated and task_token_ttl",
                );
            }
            findings.push(f);
        }
    }

    diagnosis.findings = findings;
    match (flow, kind) {
        (CheckedFlow::Disabled, _) => {}
        (CheckedFlow::WorkloadIdentity, AgentKind::Server) => {
            diagnosis
                .findings
                .extend(workload_identity_server_findings(block));
            let audiences = block
                .default_identity
                .as_ref()
                .map(|d| d.aud.clone())
                .unwrap_or_default();
            workload_identity_live(block, &audiences, opts, &mut diagnosis);
        }
        (CheckedFlow::WorkloadIdentity, AgentKind::Client)
        | (CheckedFlow::Legacy, AgentKind::Client) => {
            if flow == CheckedFlow::WorkloadIdentity && block.jwt_auth_backend_path.is_none() {
                diagnosis.findings.push(Finding::nvctl(
                    Severity::Info,
                    check::STANZA,
                    "vault (client)",
                    format!(
                        "no jwt_auth_backend_path: Nomad logs tasks in at auth/{}/login",
                        block.jwt_auth_backend_path()
                    ),
                ));
            }
            if flow == CheckedFlow::WorkloadIdentity {
                // Servers sign the identities: their audiences are not in a client's files.
                workload_identity_live(block, &[], opts, &mut diagnosis);
                return diagnosis;
            }
            // Clients talk to Vault themselves (renewing task tokens, WI logins): it must answer.
            if let Some(client) = connect(block, None, opts, &mut diagnosis) {
                if let Err(e) = client.seal_status() {
                    diagnosis.findings.push(unreachable(block, &e.to_string()));
                }
            }
        }
        (CheckedFlow::Legacy, AgentKind::Server) => {
            if diagnosis.findings.nomad_would_refuse_to_start() {
                diagnosis.findings.push(Finding::nvctl(
                    Severity::Info,
                    check::TOKEN,
                    "vault (server)",
                    "Nomad refuses to start with the errors above (\"Failed to setup Vault client\"): the token, capability and role checks did not run",
                ));
                return diagnosis;
            }
            let Some((token, from)) = token else {
                return diagnosis;
            };
            diagnosis.findings.push(Finding::nvctl(
                Severity::Info,
                check::TOKEN,
                "token",
                format!("checking the servers' token from {from}"),
            ));
            diagnosis.token_source = Some(from);
            let Some(client) = connect(block, Some(&token), opts, &mut diagnosis) else {
                return diagnosis;
            };
            let role = opts.role.as_deref().or(block.create_from_role.as_deref());
            let agent = AgentSettings::new(role, block.allows_unauthenticated());
            match validate_server_token(&client, &token, &agent) {
                Ok(report) => diagnosis.findings.extend(report.findings),
                Err(e) => diagnosis
                    .findings
                    .push(unreachable(block, &format!("{e:#}"))),
            }
        }
    }
    diagnosis
}

/// The flow the agent will run, from `--nomad-version` and the keys present.
fn choose_flow(block: &VaultBlock, kind: AgentKind, opts: &AgentCheckOptions) -> CheckedFlow {
    if !block.is_enabled() {
        return CheckedFlow::Disabled;
    }
    let version_flow = opts.nomad_version.as_ref().map(NomadVersion::flow);
    if version_flow == Some(Flow::WorkloadIdentityOnly) {
        return CheckedFlow::WorkloadIdentity;
    }
    match block.flow() {
        VaultFlow::LegacyToken | VaultFlow::Mixed => CheckedFlow::Legacy,
        VaultFlow::WorkloadIdentity => CheckedFlow::WorkloadIdentity,
        // A server with a token in its environment runs the legacy flow (nomad-rules.md §1);
        // without one, 1.7+ would use workload identity, older ones need a token.
        VaultFlow::Undetermined => match (kind, version_flow) {
            (AgentKind::Server, Some(f))
                if f.supports_workload_identity() && opts.given_token.is_none() =>
            {
                CheckedFlow::WorkloadIdentity
            }
            _ => CheckedFlow::Legacy,
        },
    }
}

/// The live workload-identity checks (`super::workload_identity::check_live`) against the Vault the
/// block names: the auth method at `jwt_auth_backend_path` exists and is `jwt`, the role the
/// tasks log in with (`--role`, else `create_from_role`, else the auth method's `default_role`)
/// binds the servers' audiences, and its policy is templated on the mount's real accessor.
/// Reading those needs a token: the one given to nvctl; without one, only reachability.
fn workload_identity_live(
    block: &VaultBlock,
    server_audiences: &[String],
    opts: &AgentCheckOptions,
    diagnosis: &mut AgentDiagnosis,
) {
    use super::workload_identity::{check_live, default_role, WiTarget};
    use crate::nomad::workload_identity::DEFAULT_ROLE;

    let path = block.jwt_auth_backend_path().trim_matches('/').to_string();
    let Some((token, from)) = &opts.given_token else {
        if let Some(client) = connect(block, None, opts, diagnosis) {
            if let Err(e) = client.seal_status() {
                diagnosis.findings.push(unreachable(block, &e.to_string()));
                return;
            }
        }
        diagnosis.findings.push(
            Finding::nvctl(
                Severity::Info,
                CHECK_WI,
                format!("auth/{path}"),
                "the workload identity checks in Vault did not run: nvctl was given no token to read the auth method, role and policies with",
            )
            .with_remedy(format!(
                "set VAULT_TOKEN (or --token-file) to a token that may read sys/auth, auth/{path}/config, auth/{path}/role/* and sys/policies/acl/*"
            )),
        );
        return;
    };
    let Some(client) = connect(block, Some(token), opts, diagnosis) else {
        return;
    };
    let role = opts
        .role
        .clone()
        .or_else(|| block.create_from_role.clone())
        .filter(|r| !r.is_empty())
        .or_else(|| default_role(&client, &path))
        .unwrap_or_else(|| DEFAULT_ROLE.to_string());
    diagnosis.findings.push(Finding::nvctl(
        Severity::Info,
        CHECK_WI,
        crate::nomad::workload_identity::role_subject(&path, &role),
        format!("checking the workload identity set-up in Vault with the token from {from}"),
    ));
    match check_live(
        &client,
        &WiTarget {
            auth_path: &path,
            role: &role,
            server_audiences,
            fetch_jwks: true,
        },
    ) {
        Ok(found) => diagnosis.findings.extend(found),
        Err(e) => diagnosis
            .findings
            .push(unreachable(block, &format!("{e:#}"))),
    }
}

/// Offline workload-identity checks of a server block.
fn workload_identity_server_findings(block: &VaultBlock) -> Vec<Finding> {
    let subject = "vault (server)";
    let mut out = Vec::new();
    match &block.default_identity {
        None => out.push(
            Finding::nvctl(
                Severity::Error,
                check::STANZA,
                subject,
                "no default_identity block: without it (or an identity per task) Nomad servers sign no workload identity for Vault, and tasks get no Vault token",
            )
            .with_remedy("add default_identity { aud = [\"vault.io\"]  ttl = \"1h\" }"),
        ),
        Some(identity) => {
            if identity.ttl.is_none() {
                out.push(
                    Finding::nvctl(
                        Severity::Warning,
                        check::STANZA,
                        subject,
                        "default_identity has no ttl: the identity never expires",
                    )
                    .with_remedy("set ttl = \"1h\""),
                );
            }
        }
    }
    out
}

/// Unknown keys in one block, with their file:line and the closest known key. A typo of
/// `create_from_role` with no real `create_from_role` is an error: the role is silently lost.
fn unknown_key_findings(block: &VaultBlock) -> Vec<Finding> {
    block
        .unknown_keys
        .iter()
        .map(|unknown| {
            let role_lost = unknown.suggestion == Some("create_from_role")
                && block.create_from_role.is_none();
            let severity = if role_lost {
                Severity::Error
            } else {
                Severity::Warning
            };
            let finding = Finding::nvctl(
                severity,
                check::STANZA,
                unknown.at.to_string(),
                unknown.to_string(),
            );
            match unknown.suggestion {
                Some(s) if role_lost => finding.with_remedy(format!(
                    "rename it to {s}: as written, Nomad runs without a role and a non-root token fails with \"token role name must be set when not using a root token\""
                )),
                Some(s) => finding.with_remedy(format!("rename it to {s}")),
                None => finding.with_remedy("remove it"),
            }
        })
        .collect()
}

/// The merged block as the stanza rules read it. Unknown keys are left out: they are reported
/// with their file and line by [`unknown_key_findings`].
pub fn rules_view(block: &VaultBlock) -> VaultBlock {
    VaultBlock {
        unknown_keys: Vec::new(),
        ..block.clone()
    }
}

/// The client for the Vault the block names, with its TLS files and namespace. Missing TLS
/// files and unusable settings are findings (Nomad fails to set up its Vault client on them).
fn connect(
    block: &VaultBlock,
    token: Option<&SecretString>,
    opts: &AgentCheckOptions,
    diagnosis: &mut AgentDiagnosis,
) -> Option<VaultClient> {
    let address = block.address().trim_end_matches('/').to_string();
    diagnosis.vault_address = Some(address.clone());
    if address != opts.nvctl_address.trim_end_matches('/') {
        let from = block
            .address
            .as_ref()
            .and(block.at("address"))
            .map_or("Nomad's default".to_string(), ToString::to_string);
        diagnosis.findings.push(Finding::nvctl(
            Severity::Info,
            CONNECTION,
            address.clone(),
            format!(
                "using the Vault address in the agent configuration ({from}), not VAULT_ADDR {}",
                opts.nvctl_address
            ),
        ));
    }
    let mut missing = false;
    for (key, setting) in [
        ("ca_file", &block.ca_file),
        ("ca_path", &block.ca_path),
        ("cert_file", &block.cert_file),
        ("key_file", &block.key_file),
    ] {
        if let Some(path) = setting.as_ref().filter(|p| !p.is_empty()) {
            if !Path::new(path).exists() {
                missing = true;
                diagnosis.findings.push(
                    Finding::nvctl(
                        Severity::Error,
                        CONNECTION,
                        block.at(key).map(ToString::to_string).unwrap_or_default(),
                        format!(
                            "vault.{key} {} does not exist: the agent cannot set up TLS to Vault",
                            go_quote(path)
                        ),
                    )
                    .with_remedy(
                        "fix the path, or run nvctl doctor on the host the agent runs on (relative paths resolve against the agent's working directory)",
                    ),
                );
            }
        }
    }
    if missing {
        return None;
    }
    let tls = TlsConfig {
        ca_cert: block.ca_file.as_ref().map(PathBuf::from),
        ca_path: block.ca_path.as_ref().map(PathBuf::from),
        client_cert: block.cert_file.as_ref().map(PathBuf::from),
        client_key: block.key_file.as_ref().map(PathBuf::from),
        server_name: block.tls_server_name.clone().filter(|n| !n.is_empty()),
        skip_verify: block.tls_skip_verify(),
    };
    let config = ClientConfig {
        address: address.clone(),
        token: token.cloned(),
        namespace: block
            .namespace
            .as_ref()
            .map(|n| n.trim_matches('/').to_string())
            .filter(|n| !n.is_empty()),
        tls,
        timeout: opts.timeout,
        max_retries: opts.max_retries,
    };
    match VaultClient::new(config) {
        Ok(client) => Some(client),
        Err(e) => {
            diagnosis.findings.push(unreachable(block, &e.to_string()));
            None
        }
    }
}

fn unreachable(block: &VaultBlock, error: &str) -> Finding {
    let subject = block.address().trim_end_matches('/').to_string();
    Finding::nvctl(
        Severity::Error,
        CONNECTION,
        subject,
        format!("the agent's Vault cannot be used: {error}"),
    )
    .with_remedy("check vault.address and the TLS settings in the agent configuration, and that Vault answers from this host")
}
