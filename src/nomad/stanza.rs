//! The agent `vault` block (nomad-rules.md §4, §5) as nvctl writes it: the blocks nvctl
//! renders (the model is `nomad::vault_block`), rendering to HCL and to Nomad's JSON config
//! form, parsing it back with the one decoder (`agent_config`), and Nomad's agent rules over it — the fatal start
//! errors in Nomad's words, plus nvctl's findings (unknown keys Nomad silently ignores, a
//! client carrying a token, a missing role, legacy keys on 1.10+).

use std::fmt;

use serde_json::{Map, Value};

use crate::checks::{check, Finding, Severity};
use crate::duration::{format_go, parse_go, GoDuration};
use crate::nomad::agent_config;
use crate::nomad::gofmt::go_quote;
pub use crate::nomad::vault_block::{DefaultIdentity, VaultBlock};
use crate::nomad::vault_block::{DEFAULT_VAULT_ADDRESS, KNOWN_VAULT_KEYS};
use crate::nomad::versions::Flow;
use crate::secret::SecretString;
use crate::source::closest;

/// Nomad's minimum `task_token_ttl`.
pub const MIN_TASK_TOKEN_TTL: GoDuration = GoDuration::from_secs(300);

/// Why Nomad refuses a server's `task_token_ttl` at start-up (nomad/vault.go; nomad-rules.md
/// §2, fatal at start), in Nomad's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskTokenTtlError {
    /// `failed to parse TaskTokenTTL "3d": time: unknown unit "d" in duration "3d"`.
    #[error("{0}")]
    Unparsable(String),
    #[error(
        "ChildTokenTTL is less than minimum allowed of {}",
        format_go(MIN_TASK_TOKEN_TTL)
    )]
    BelowMinimum,
}

/// `task_token_ttl` as Nomad reads it: Go's `time.ParseDuration`, at least [`MIN_TASK_TOKEN_TTL`].
pub fn task_token_ttl(ttl: &str) -> Result<GoDuration, TaskTokenTtlError> {
    match parse_go(ttl) {
        Err(e) => Err(TaskTokenTtlError::Unparsable(format!(
            "failed to parse TaskTokenTTL {}: {e}",
            go_quote(ttl)
        ))),
        Ok(d) if d < MIN_TASK_TOKEN_TTL => Err(TaskTokenTtlError::BelowMinimum),
        Ok(d) => Ok(d),
    }
}

/// What the server block says instead of embedding the token (HCL comment; JSON cannot carry
/// it, so print it beside JSON output).
pub const TOKEN_ENV_NOTE: &str = "The Nomad servers' Vault token is not written here: set VAULT_TOKEN in the Nomad service environment (for systemd, a drop-in with Environment=VAULT_TOKEN=... in a 0600 file).";

/// Server (`server { enabled = true }`) or client agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentKind {
    Server,
    Client,
}

/// What `nvctl stanza` was asked for.
#[derive(Debug, Clone, Default)]
pub struct StanzaOptions {
    pub vault_address: String,
    pub role: Option<String>,
    pub task_token_ttl: Option<String>,
    pub namespace: Option<String>,
    pub ca_file: Option<String>,
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    pub tls_server_name: Option<String>,
    /// `--embed-token`: the token to write into the server block.
    pub embed_token: Option<SecretString>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.clone().filter(|v| !v.is_empty())
}

/// The blocks nvctl renders (the model is `nomad::vault_block`; these are nvctl's choices).
impl VaultBlock {
    /// The legacy-flow server block (nomad-rules.md §4), token only when embedding.
    pub fn server(opts: &StanzaOptions) -> VaultBlock {
        VaultBlock {
            enabled: Some(true),
            address: Some(opts.vault_address.clone()),
            task_token_ttl: non_empty(&opts.task_token_ttl),
            create_from_role: non_empty(&opts.role),
            namespace: non_empty(&opts.namespace),
            ca_file: non_empty(&opts.ca_file),
            cert_file: non_empty(&opts.cert_file),
            key_file: non_empty(&opts.key_file),
            tls_server_name: non_empty(&opts.tls_server_name),
            token: opts.embed_token.clone(),
            ..VaultBlock::default()
        }
    }

    /// The client block: never a token, no role or TTL (servers create task tokens).
    pub fn client(opts: &StanzaOptions) -> VaultBlock {
        VaultBlock {
            enabled: Some(true),
            address: Some(opts.vault_address.clone()),
            namespace: non_empty(&opts.namespace),
            ca_file: non_empty(&opts.ca_file),
            cert_file: non_empty(&opts.cert_file),
            key_file: non_empty(&opts.key_file),
            tls_server_name: non_empty(&opts.tls_server_name),
            ..VaultBlock::default()
        }
    }

    /// Workload identity, server: `default_identity { aud ttl }` (nomad-rules.md §5).
    pub fn workload_identity_server(aud: &[String], ttl: &str) -> VaultBlock {
        VaultBlock {
            enabled: Some(true),
            default_identity: Some(DefaultIdentity {
                aud: aud.to_vec(),
                ttl: Some(ttl.to_string()),
                ..DefaultIdentity::default()
            }),
            ..VaultBlock::default()
        }
    }

    /// Workload identity, client: address and `jwt_auth_backend_path`.
    pub fn workload_identity_client(address: &str, jwt_auth_backend_path: &str) -> VaultBlock {
        VaultBlock {
            enabled: Some(true),
            address: Some(address.to_string()),
            jwt_auth_backend_path: Some(jwt_auth_backend_path.to_string()),
            ..VaultBlock::default()
        }
    }
}

/// Attributes in rendering order (the token last, and only its presence: callers expose).
fn attributes(block: &VaultBlock) -> Vec<(&'static str, Scalar<'_>)> {
    let mut out = Vec::new();
    let mut s = |k: &'static str, v: &'_ Option<String>| {
        if let Some(v) = v {
            out.push((k, Scalar::Str(v.clone())));
        }
    };
    s("name", &block.name);
    s("address", &block.address);
    s("create_from_role", &block.create_from_role);
    s("task_token_ttl", &block.task_token_ttl);
    s("namespace", &block.namespace);
    s("jwt_auth_backend_path", &block.jwt_auth_backend_path);
    s("ca_file", &block.ca_file);
    s("ca_path", &block.ca_path);
    s("cert_file", &block.cert_file);
    s("key_file", &block.key_file);
    s("tls_server_name", &block.tls_server_name);
    let mut attrs = Vec::new();
    if let Some(e) = block.enabled {
        attrs.push(("enabled", Scalar::Bool(e)));
    }
    attrs.extend(out);
    if let Some(b) = block.allow_unauthenticated {
        attrs.push(("allow_unauthenticated", Scalar::Bool(b)));
    }
    if let Some(b) = block.tls_skip_verify {
        attrs.push(("tls_skip_verify", Scalar::Bool(b)));
    }
    if let Some(t) = &block.token {
        attrs.push(("token", Scalar::Secret(t)));
    }
    attrs
}

enum Scalar<'a> {
    Str(String),
    Bool(bool),
    Secret(&'a SecretString),
}

/// An HCL string literal: `"`/`\` escaped, control characters escaped, and `${`/`%{`
/// doubled so Nomad does not read them as interpolation.
pub fn hcl_quote(s: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Render as an HCL `vault { … }` block, aligned like `nomad fmt`. A server block without a
/// token carries the VAULT_TOKEN note as a comment; an embedded token carries a warning.
pub fn render_hcl(stanza: &VaultBlock, kind: AgentKind) -> String {
    let attrs = attributes(stanza);
    let width = attrs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = String::from("vault {\n");
    for (key, value) in &attrs {
        let rendered = match value {
            Scalar::Str(s) => hcl_quote(s),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Secret(t) => {
                out.push_str("  # Warning: this file holds a Vault token; keep it 0600 and out of version control.\n");
                hcl_quote(t.expose())
            }
        };
        out.push_str(&format!("  {key:<width$} = {rendered}\n"));
    }
    if let Some(id) = &stanza.default_identity {
        if !attrs.is_empty() {
            out.push('\n');
        }
        out.push_str("  default_identity {\n");
        let mut inner: Vec<(&str, String)> = Vec::new();
        let aud: Vec<String> = id.aud.iter().map(|a| hcl_quote(a)).collect();
        inner.push(("aud", format!("[{}]", aud.join(", "))));
        if let Some(t) = &id.ttl {
            inner.push(("ttl", hcl_quote(t)));
        }
        if let Some(b) = id.env {
            inner.push(("env", b.to_string()));
        }
        if let Some(b) = id.file {
            inner.push(("file", b.to_string()));
        }
        if let Some(p) = &id.filepath {
            inner.push(("filepath", hcl_quote(p)));
        }
        let w = inner.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (k, v) in inner {
            out.push_str(&format!("    {k:<w$} = {v}\n"));
        }
        if !id.extra_claims.is_empty() {
            out.push_str("\n    extra_claims {\n");
            let w = id.extra_claims.keys().map(String::len).max().unwrap_or(0);
            for (k, v) in &id.extra_claims {
                out.push_str(&format!("      {k:<w$} = {}\n", hcl_quote(v)));
            }
            out.push_str("    }\n");
        }
        out.push_str("  }\n");
    }
    let legacy_server = kind == AgentKind::Server && stanza.default_identity.is_none();
    if legacy_server && stanza.token.is_none() {
        out.push_str(
            "\n  # The Nomad servers' Vault token is not written here: set VAULT_TOKEN in the\n",
        );
        out.push_str("  # Nomad service environment (for systemd, a drop-in with\n");
        out.push_str("  # Environment=VAULT_TOKEN=... in a 0600 file).\n");
    }
    out.push_str("}\n");
    out
}

/// Render as Nomad's JSON config form: `{"vault": {…}}`, keys sorted, two-space indent.
pub fn render_json(stanza: &VaultBlock) -> String {
    let mut block = Map::new();
    for (key, value) in attributes(stanza) {
        let v = match value {
            Scalar::Str(s) => Value::String(s),
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Secret(t) => Value::String(t.expose().to_string()),
        };
        block.insert(key.to_string(), v);
    }
    if let Some(id) = &stanza.default_identity {
        let mut m = Map::new();
        m.insert("aud".into(), id.aud.clone().into());
        if let Some(t) = &id.ttl {
            m.insert("ttl".into(), t.clone().into());
        }
        if let Some(b) = id.env {
            m.insert("env".into(), b.into());
        }
        if let Some(b) = id.file {
            m.insert("file".into(), b.into());
        }
        if let Some(p) = &id.filepath {
            m.insert("filepath".into(), p.clone().into());
        }
        if !id.extra_claims.is_empty() {
            let claims: Map<String, Value> = id
                .extra_claims
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            m.insert("extra_claims".into(), Value::Object(claims));
        }
        block.insert("default_identity".into(), Value::Object(m));
    }
    let mut top = Map::new();
    top.insert("vault".into(), Value::Object(block));
    serde_json::to_string_pretty(&Value::Object(top)).unwrap_or_default() + "\n"
}

/// A `vault` block could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StanzaError {
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for StanzaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for StanzaError {}

/// Parses rendered output back (HCL when `json` is false) with the one decoder of agent
/// configuration, `agent_config` (Nomad's own decoding, command/agent/config_parse.go: HCL1,
/// where a quoted `"true"` is not a bool): exactly one `vault` block expected.
pub fn parse_back(text: &str, json: bool) -> Result<VaultBlock, StanzaError> {
    let name = if json { "vault.json" } else { "vault.hcl" };
    let config = agent_config::parse(text, std::path::Path::new(name)).map_err(|e| {
        let (line, message) = match e {
            agent_config::LoadError::Parse { location, message } => (location.line, message),
            other => (None, other.to_string()),
        };
        StanzaError {
            line,
            message: format!("{} syntax: {message}", if json { "JSON" } else { "HCL" }),
        }
    })?;
    if let Some(problem) = config.decode_problems.first() {
        return Err(StanzaError {
            line: problem.at.as_ref().and_then(|at| at.line),
            message: problem.message.clone(),
        });
    }
    match config.vaults.as_slice() {
        [block] => Ok(block.clone()),
        blocks => Err(StanzaError {
            line: None,
            message: format!("expected one vault block, found {}", blocks.len()),
        }),
    }
}

/// What nvctl knows about the agent besides its block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentContext {
    pub kind: AgentKind,
    /// Whether `VAULT_TOKEN` is set in the Nomad servers' environment: `None` when unknown
    /// (as for a stanza nvctl just rendered, whose note tells the operator to set it).
    pub token_in_env: Option<bool>,
}

/// Nomad's agent rules over one block, server or client, with VAULT_TOKEN unknown.
pub fn check_agent_block(stanza: &VaultBlock, is_server: bool) -> Vec<Finding> {
    let kind = if is_server {
        AgentKind::Server
    } else {
        AgentKind::Client
    };
    check_agent_block_with(
        stanza,
        &AgentContext {
            kind,
            token_in_env: None,
        },
    )
}

/// Nomad's agent rules over one block. Nomad's fatal start errors (`Failed to setup Vault
/// client: …`) come as Nomad errors; the rest are nvctl's.
pub fn check_agent_block_with(stanza: &VaultBlock, ctx: &AgentContext) -> Vec<Finding> {
    let subject = match ctx.kind {
        AgentKind::Server => "vault (server)",
        AgentKind::Client => "vault (client)",
    };
    let mut out = Vec::new();
    for unknown in &stanza.unknown_keys {
        let key = unknown.path();
        let at = match unknown.at.line {
            Some(line) => format!(" (line {line})"),
            None => String::new(),
        };
        let mut f = Finding::nvctl(
            Severity::Warning,
            check::STANZA,
            subject,
            format!(
                "unknown key {}{at} in the vault block: Nomad ignores it without a word",
                go_quote(&key)
            ),
        );
        f = match closest(&key, KNOWN_VAULT_KEYS) {
            Some(s) => {
                if s == "create_from_role" && stanza.create_from_role.is_none() {
                    f.severity = Severity::Error;
                }
                f.with_remedy(format!("did you mean {s:?}?"))
            }
            None => f.with_remedy(format!(
                "remove it; known keys: {}",
                KNOWN_VAULT_KEYS.join(", ")
            )),
        };
        out.push(f);
    }
    if stanza.enabled != Some(true) {
        out.push(
            Finding::nvctl(
                Severity::Warning,
                check::STANZA,
                subject,
                "the vault block is not enabled: Nomad ignores the rest of it",
            )
            .with_remedy("add enabled = true"),
        );
        return out;
    }
    let wi = stanza.default_identity.is_some() || stanza.jwt_auth_backend_path.is_some();
    match ctx.kind {
        AgentKind::Client => {
            if stanza.token.is_some() {
                out.push(
                    Finding::nvctl(Severity::Warning, check::STANZA, subject, "a client's vault block carries a token: clients never need one, and the file now holds a secret")
                        .with_remedy("remove token from the client configuration and revoke it if it was the servers' token"),
                );
            }
            for key in [
                "create_from_role",
                "task_token_ttl",
                "allow_unauthenticated",
            ] {
                let present = match key {
                    "create_from_role" => stanza.create_from_role.is_some(),
                    "task_token_ttl" => stanza.task_token_ttl.is_some(),
                    _ => stanza.allow_unauthenticated.is_some(),
                };
                if present {
                    out.push(
                        Finding::nvctl(
                            Severity::Info,
                            check::STANZA,
                            subject,
                            format!("{key} has no effect on a client"),
                        )
                        .with_remedy("set it on the servers"),
                    );
                }
            }
            if stanza.address.as_deref() == Some("") {
                out.push(Finding::nomad_error(
                    check::STANZA,
                    subject,
                    "Vault address must be set",
                ));
            }
        }
        AgentKind::Server if wi && stanza.keys_removed_in_1_10().is_empty() => {
            if let Some(id) = &stanza.default_identity {
                if id.aud.is_empty() {
                    out.push(
                        Finding::nvctl(Severity::Warning, check::STANZA, subject, "default_identity has no aud: Vault's JWT role checks bound_audiences against it")
                            .with_remedy("set aud = [\"vault.io\"] to match the role's bound_audiences"),
                    );
                }
                if let Some(ttl) = &id.ttl {
                    if let Err(e) = parse_go(ttl) {
                        out.push(Finding::nvctl(
                            Severity::Error,
                            check::STANZA,
                            subject,
                            format!("default_identity.ttl {}: {e}", go_quote(ttl)),
                        ));
                    }
                }
            }
        }
        AgentKind::Server => {
            // Nomad's buildClient, in its order.
            match (&stanza.token, ctx.token_in_env) {
                (Some(t), _) if !t.is_empty() => {}
                (_, Some(true)) => {}
                (_, Some(false)) => out.push(
                    Finding::nomad_error(check::STANZA, subject, "Vault token must be set")
                        .with_remedy("set VAULT_TOKEN in the Nomad servers' environment (nvctl token create --format env)"),
                ),
                (_, None) => out.push(
                    Finding::nvctl(Severity::Info, check::STANZA, subject, "no token in the block: Nomad reads VAULT_TOKEN from the servers' environment, and refuses to start with \"Vault token must be set\" without it")
                        .with_remedy("set VAULT_TOKEN in the Nomad service environment"),
                ),
            }
            if stanza.address.as_deref() == Some("") {
                out.push(
                    Finding::nomad_error(check::STANZA, subject, "Vault address must be set")
                        .with_remedy("set address = \"https://vault.example.com:8200\""),
                );
            } else if stanza.address.is_none() {
                out.push(
                    Finding::nvctl(
                        Severity::Info,
                        check::STANZA,
                        subject,
                        format!("no address: Nomad uses {DEFAULT_VAULT_ADDRESS}"),
                    )
                    .with_remedy("set address explicitly"),
                );
            }
            if let Some(ttl) = stanza.task_token_ttl.as_deref().filter(|t| !t.is_empty()) {
                if let Err(e) = task_token_ttl(ttl) {
                    let remedy = match e {
                        TaskTokenTtlError::Unparsable(_) => {
                            "use a Go duration such as \"1h\" (no \"d\" unit)"
                        }
                        TaskTokenTtlError::BelowMinimum => {
                            "set task_token_ttl to 5m or more, e.g. \"1h\""
                        }
                    };
                    out.push(
                        Finding::nomad_error(check::STANZA, subject, e.to_string())
                            .with_remedy(remedy),
                    );
                }
            }
            if stanza.create_from_role.as_deref().unwrap_or("").is_empty() {
                out.push(
                    Finding::nvctl(Severity::Warning, check::STANZA, subject, "no create_from_role: Nomad falls back to the token's own role, and a non-root token without one fails with \"token role name must be set when not using a root token\"")
                        .with_remedy("set create_from_role = \"nomad-cluster\""),
                );
            }
            if stanza.token.is_some() {
                out.push(
                    Finding::nvctl(Severity::Info, check::STANZA, subject, "the server block embeds the Vault token: keep the file 0600 and out of version control")
                        .with_remedy("prefer VAULT_TOKEN in the Nomad service environment"),
                );
            }
        }
    }
    out
}

/// The block against the Nomad version's flow (nomad-rules.md §1): legacy keys on ≥ 1.10 are
/// an error; the legacy flow on 1.7–1.9 is deprecated.
pub fn check_flow(stanza: &VaultBlock, flow: Flow, token_in_env: bool) -> Vec<Finding> {
    let legacy = stanza.keys_removed_in_1_10();
    let mut out = Vec::new();
    match flow {
        Flow::WorkloadIdentityOnly if !legacy.is_empty() => out.push(
            Finding::nvctl(
                Severity::Error,
                check::FLOW,
                "vault",
                format!("Nomad 1.10 removed the legacy token flow; this block still sets {}", legacy.join(", ")),
            )
            .with_remedy("migrate to workload identity (nomad setup vault, or nvctl bootstrap with the workload-identity flow) and remove these keys"),
        ),
        Flow::LegacyOrWorkloadIdentity if !legacy.is_empty() || (token_in_env && stanza.default_identity.is_none()) => out.push(
            Finding::nvctl(
                Severity::Warning,
                check::FLOW,
                "vault",
                if legacy.is_empty() {
                    "VAULT_TOKEN in the servers' environment switches them to the deprecated legacy token flow".to_string()
                } else {
                    "the legacy token flow is deprecated since Nomad 1.7 and removed in 1.10".to_string()
                },
            )
            .with_remedy("plan the move to workload identity before upgrading to 1.10"),
        ),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Source;

    fn opts() -> StanzaOptions {
        StanzaOptions {
            vault_address: "https://vault.example.com:8200".into(),
            role: Some("nomad-cluster".into()),
            task_token_ttl: Some("1h".into()),
            ..StanzaOptions::default()
        }
    }

    /// The rendered block against its snapshot (`src/nomad/snapshots/`; `cargo insta review`
    /// or `INSTA_UPDATE=always` rewrites it). Snapshots compare without the trailing newline,
    /// so that is checked here: a block ends with exactly one, as operators paste it.
    fn snapshot(name: &str, actual: &str) {
        assert!(
            actual.ends_with("}\n") && !actual.ends_with("\n\n"),
            "{name} must end with one newline: {actual:?}"
        );
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(name, actual);
        });
    }

    #[test]
    fn server_hcl_matches_its_snapshot_and_omits_the_token() {
        let text = render_hcl(&VaultBlock::server(&opts()), AgentKind::Server);
        snapshot("stanza_server.hcl", &text);
        assert!(!text.contains("token   "));
        assert!(text.contains("VAULT_TOKEN"));
    }

    #[test]
    fn server_json_matches_its_snapshot() {
        snapshot(
            "stanza_server.json",
            &render_json(&VaultBlock::server(&opts())),
        );
    }

    #[test]
    fn client_blocks_match_their_snapshots_and_never_carry_a_token() {
        let with_token = StanzaOptions {
            embed_token: Some(SecretString::new("hvs.secret")),
            ..opts()
        };
        let client = VaultBlock::client(&with_token);
        assert!(client.token.is_none());
        snapshot("stanza_client.hcl", &render_hcl(&client, AgentKind::Client));
        snapshot("stanza_client.json", &render_json(&client));
    }

    #[test]
    fn embedded_token_is_rendered_with_a_warning() {
        let o = StanzaOptions {
            embed_token: Some(SecretString::new("hvs.TEST-TOKEN")),
            ..opts()
        };
        let s = VaultBlock::server(&o);
        snapshot(
            "stanza_server_embedded.hcl",
            &render_hcl(&s, AgentKind::Server),
        );
        let back = parse_back(&render_json(&s), true).unwrap();
        assert_eq!(
            back.token.as_ref().map(SecretString::expose),
            Some("hvs.TEST-TOKEN")
        );
        assert!(!format!("{s:?}").contains("TEST-TOKEN"));
    }

    #[test]
    fn workload_identity_blocks_match_their_snapshots() {
        let server = VaultBlock::workload_identity_server(&["vault.io".to_string()], "1h");
        snapshot(
            "stanza_wi_server.hcl",
            &render_hcl(&server, AgentKind::Server),
        );
        snapshot("stanza_wi_server.json", &render_json(&server));
        let client =
            VaultBlock::workload_identity_client("https://vault.example.com:8200", "jwt-nomad/");
        snapshot(
            "stanza_wi_client.hcl",
            &render_hcl(&client, AgentKind::Client),
        );
        for (s, kind) in [(server, AgentKind::Server), (client, AgentKind::Client)] {
            assert_eq!(parse_back(&render_hcl(&s, kind), false).unwrap(), s);
            assert_eq!(parse_back(&render_json(&s), true).unwrap(), s);
            assert!(check_agent_block(&s, kind == AgentKind::Server)
                .iter()
                .all(|f| !f.is_error()));
        }
    }

    #[test]
    fn rendered_blocks_parse_back_to_the_same_stanza() {
        let full = StanzaOptions {
            namespace: Some("ns1".into()),
            ca_file: Some("/etc/vault/ca.pem".into()),
            cert_file: Some("/etc/vault/cert.pem".into()),
            key_file: Some("/etc/vault/key.pem".into()),
            tls_server_name: Some("vault.internal".into()),
            ..opts()
        };
        for s in [VaultBlock::server(&full), VaultBlock::client(&full)] {
            assert_eq!(
                parse_back(&render_hcl(&s, AgentKind::Server), false).unwrap(),
                s
            );
            assert_eq!(parse_back(&render_json(&s), true).unwrap(), s);
        }
    }

    #[test]
    fn rendered_server_block_passes_nomads_agent_rules() {
        let s = parse_back(
            &render_hcl(&VaultBlock::server(&opts()), AgentKind::Server),
            false,
        )
        .unwrap();
        let fs = check_agent_block(&s, true);
        assert!(fs.iter().all(|f| !f.is_error()), "{fs:?}");
        // With VAULT_TOKEN known to be set, nothing at all.
        let ctx = AgentContext {
            kind: AgentKind::Server,
            token_in_env: Some(true),
        };
        assert!(check_agent_block_with(&s, &ctx).is_empty());
    }

    #[test]
    fn fatal_start_errors_use_nomads_words() {
        let ctx = AgentContext {
            kind: AgentKind::Server,
            token_in_env: Some(false),
        };
        let s = VaultBlock {
            address: Some(String::new()),
            task_token_ttl: Some("72hours".into()),
            ..VaultBlock::server(&opts())
        };
        let fs = check_agent_block_with(&s, &ctx);
        let msgs: Vec<&str> = fs
            .iter()
            .filter(|f| f.source == Source::Nomad)
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(
            msgs,
            vec![
                "Vault token must be set",
                "Vault address must be set",
                r#"failed to parse TaskTokenTTL "72hours": time: unknown unit "hours" in duration "72hours""#,
            ]
        );
        let d = VaultBlock {
            task_token_ttl: Some("3d".into()),
            ..VaultBlock::server(&opts())
        };
        assert!(check_agent_block(&d, true).iter().any(|f| f.message
            == r#"failed to parse TaskTokenTTL "3d": time: unknown unit "d" in duration "3d""#));
    }

    #[test]
    fn task_token_ttl_under_five_minutes_is_refused_exactly_five_is_fine() {
        let short = VaultBlock {
            task_token_ttl: Some("4m59s".into()),
            ..VaultBlock::server(&opts())
        };
        let fs = check_agent_block(&short, true);
        assert!(fs
            .iter()
            .any(|f| f.is_error()
                && f.message == "ChildTokenTTL is less than minimum allowed of 5m0s"));
        let five = VaultBlock {
            task_token_ttl: Some("5m".into()),
            ..VaultBlock::server(&opts())
        };
        assert!(check_agent_block(&five, true).iter().all(|f| !f.is_error()));
        let negative = VaultBlock {
            task_token_ttl: Some("-1h".into()),
            ..VaultBlock::server(&opts())
        };
        assert!(check_agent_block(&negative, true)
            .iter()
            .any(|f| f.message.starts_with("ChildTokenTTL")));
    }

    #[test]
    fn typo_of_create_from_role_is_an_error_with_a_suggestion() {
        let text = "vault {\n  enabled = true\n  address = \"https://v:8200\"\n  create_from_roles = \"nomad-cluster\"\n}\n";
        let s = parse_back(text, false).unwrap();
        let unknown: Vec<_> = s
            .unknown_keys
            .iter()
            .map(|k| (k.path(), k.at.line))
            .collect();
        assert_eq!(unknown, vec![("create_from_roles".to_string(), Some(4))]);
        let fs = check_agent_block(&s, true);
        let typo = fs
            .iter()
            .find(|f| f.message.contains("create_from_roles"))
            .unwrap();
        assert_eq!(typo.severity, Severity::Error);
        assert_eq!(
            typo.remedy.as_deref(),
            Some("did you mean \"create_from_role\"?")
        );
        assert!(typo.message.contains("(line 4)"));
    }

    #[test]
    fn client_with_token_is_a_warning() {
        let s = VaultBlock {
            token: Some(SecretString::new("t")),
            ..VaultBlock::client(&opts())
        };
        let fs = check_agent_block(&s, false);
        assert!(fs
            .iter()
            .any(|f| f.severity == Severity::Warning && f.message.contains("carries a token")));
    }

    #[test]
    fn disabled_block_is_reported_and_not_checked_further() {
        let s = VaultBlock {
            enabled: Some(false),
            ..VaultBlock::server(&opts())
        };
        let fs = check_agent_block(&s, true);
        assert_eq!(fs.len(), 1);
        assert!(fs[0].message.contains("not enabled"));
    }

    #[test]
    fn a_quoted_bool_is_refused_as_nomad_refuses_it_and_one_decoder_says_so() {
        // hashicorp/nomad command/agent/config_parse.go:ParseConfigFile decodes with HCL1
        // (hcl.Decode); hashicorp/hcl decoder.go:decodeBool takes only a BOOL token, so
        // `enabled = "true"` is "unknown type". parse_back and doctor share agent_config's
        // decoder, so they say the same.
        let quoted = "vault {\n enabled = \"true\"\n address = \"a\"\n}";
        let err = parse_back(quoted, false).unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        assert!(
            err.message.contains("vault.enabled must be a bool"),
            "{err}"
        );
        let config = agent_config::parse(quoted, std::path::Path::new("agent.hcl")).unwrap();
        assert_eq!(config.decode_problems[0].message, err.message);
        let err = parse_back("vault {\n enabled = [1]\n}", false).unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        assert!(
            err.message.contains("vault.enabled must be a bool"),
            "{err}"
        );
        assert!(parse_back("vault {", false)
            .unwrap_err()
            .message
            .starts_with("HCL syntax"));
        assert!(parse_back("{}", true)
            .unwrap_err()
            .message
            .contains("found 0"));
    }

    #[test]
    fn legacy_keys_on_nomad_1_10_are_an_error() {
        let legacy = VaultBlock::server(&opts());
        let fs = check_flow(&legacy, Flow::WorkloadIdentityOnly, false);
        assert_eq!(fs.len(), 1);
        assert!(fs[0].is_error());
        assert!(fs[0].message.contains("task_token_ttl"));
        assert!(check_flow(&legacy, Flow::Legacy, false).is_empty());
        let no_keys = VaultBlock {
            task_token_ttl: None,
            ..legacy
        };
        let fs = check_flow(&no_keys, Flow::LegacyOrWorkloadIdentity, true);
        assert!(fs[0].message.contains("VAULT_TOKEN"));
    }

    #[test]
    fn hcl_quote_escapes_interpolation() {
        assert_eq!(hcl_quote("a\"b"), r#""a\"b""#);
        assert_eq!(hcl_quote("${x}"), r#""$${x}""#);
        assert_eq!(hcl_quote("%{x}"), r#""%%{x}""#);
        assert_eq!(hcl_quote("$5"), r#""$5""#);
        let s = VaultBlock {
            address: Some("https://${host}:8200".into()),
            ..VaultBlock::client(&opts())
        };
        assert_eq!(
            parse_back(&render_hcl(&s, AgentKind::Client), false)
                .unwrap()
                .address,
            s.address
        );
    }
}
