//! Reads Nomad agent configuration the way `nomad agent -config` does (nomad-rules.md §4):
//! HCL and JSON files, directories in lexical order, later files overriding earlier ones
//! (non-empty strings and set booleans win), `vault` blocks merged by `name`.
//!
//! Nomad silently ignores unknown keys inside `vault`; this module keeps them, with their
//! location and the closest known key, because a typo such as `create_from_roles` quietly
//! disables the role. Pure: the environment (`VAULT_TOKEN`, `VAULT_NAMESPACE`) is not read
//! here; the doctor applies it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use hcl::edit::expr::Expression;
use hcl::edit::structure::Body;
use hcl::edit::Span;

use crate::nomad::gofmt::go_quote;
use crate::secret::SecretString;
use crate::source::{closest, literal, Interpolations, LineIndex, Literal};
pub use crate::source::{Located, Problem, Severity, Source, SourceLocation};

/// Nomad's default `vault.address`.
pub const DEFAULT_VAULT_ADDRESS: &str = "https://vault.service.consul:8200";
/// Nomad's default `vault.jwt_auth_backend_path`.
pub const DEFAULT_JWT_AUTH_BACKEND_PATH: &str = "jwt-nomad";
/// The name of a `vault` block that does not set one.
pub const DEFAULT_VAULT_NAME: &str = "default";

/// Every key Nomad (1.5–1.10) reads inside an agent `vault` block.
pub const KNOWN_VAULT_KEYS: &[&str] = &[
    "name",
    "enabled",
    "create_from_role",
    "namespace",
    "address",
    "jwt_auth_backend_path",
    "ca_file",
    "ca_path",
    "cert_file",
    "key_file",
    "tls_server_name",
    "tls_skip_verify",
    "token",
    "allow_unauthenticated",
    "task_token_ttl",
    "default_identity",
];

/// Keys Nomad reads inside `vault.default_identity`.
pub const KNOWN_DEFAULT_IDENTITY_KEYS: &[&str] =
    &["aud", "ttl", "env", "file", "filepath", "extra_claims"];

/// Keys that only mean something in the legacy token flow (removed in Nomad 1.10).
pub const LEGACY_FLOW_KEYS: &[&str] = &[
    "token",
    "allow_unauthenticated",
    "task_token_ttl",
    "create_from_role",
];

/// Keys that only mean something in the workload identity flow.
pub const WORKLOAD_IDENTITY_KEYS: &[&str] = &["default_identity", "jwt_auth_backend_path"];

/// Why the agent configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The parser's message and position, never the source line itself (it may hold a token).
    #[error("Error loading {location}: {message}")]
    Parse {
        location: SourceLocation,
        message: String,
    },
}

/// The merged configuration of one agent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgentConfig {
    /// The files read, in merge order.
    pub files: Vec<PathBuf>,
    /// `server { enabled }`. Like Nomad, once a file enables it a later `false` does not
    /// turn it off (Nomad merges this plain bool with `if b.Enabled`).
    pub server_enabled: Option<Located<bool>>,
    /// `client { enabled }`, merged the same way.
    pub client_enabled: Option<Located<bool>>,
    /// Every `vault` block, merged by name, in order of first appearance.
    pub vaults: Vec<VaultBlock>,
    /// Values of the wrong type in the blocks nvctl reads.
    pub decode_problems: Vec<Problem>,
}

/// A `vault` block after merging every file that declares it. `None` means "not written";
/// the methods apply Nomad's defaults. Empty strings count as not written, as in Nomad's
/// `Merge`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultBlock {
    pub name: String,
    /// Where each contributing block starts.
    pub declared_at: Vec<SourceLocation>,
    pub enabled: Option<Located<bool>>,
    pub create_from_role: Option<Located<String>>,
    pub namespace: Option<Located<String>>,
    pub address: Option<Located<String>>,
    pub jwt_auth_backend_path: Option<Located<String>>,
    pub ca_file: Option<Located<String>>,
    pub ca_path: Option<Located<String>>,
    pub cert_file: Option<Located<String>>,
    pub key_file: Option<Located<String>>,
    pub tls_server_name: Option<Located<String>>,
    pub tls_skip_verify: Option<Located<bool>>,
    /// The server's token, redacted in `Debug`.
    pub token: Option<Located<SecretString>>,
    pub allow_unauthenticated: Option<Located<bool>>,
    pub task_token_ttl: Option<Located<String>>,
    pub default_identity: Option<DefaultIdentity>,
    /// Keys Nomad ignores silently (typos), in file order.
    pub unknown_keys: Vec<UnknownKey>,
}

/// `vault.default_identity` (servers, workload identity flow).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultIdentity {
    pub at: SourceLocation,
    pub aud: Option<Located<Vec<String>>>,
    pub ttl: Option<Located<String>>,
    pub env: Option<Located<bool>>,
    pub file: Option<Located<bool>>,
    pub filepath: Option<Located<String>>,
    pub extra_claims: Option<Located<BTreeMap<String, String>>>,
}

/// A key Nomad does not know, inside `vault` or `vault.default_identity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    pub key: String,
    /// `vault` or `vault.default_identity`.
    pub block: &'static str,
    pub at: SourceLocation,
    /// The closest known key, when the unknown one looks like a typo of it.
    pub suggestion: Option<&'static str>,
}

impl fmt::Display for UnknownKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown key {} in the {} block: Nomad ignores it silently",
            go_quote(&self.key),
            self.block
        )?;
        if let Some(suggestion) = self.suggestion {
            write!(f, "; did you mean {}?", go_quote(suggestion))?;
        }
        Ok(())
    }
}

/// Which Vault integration flow a `vault` block's keys point to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VaultFlow {
    /// Only legacy keys (`token`, `create_from_role`, …).
    LegacyToken,
    /// Only workload identity keys (`default_identity`, `jwt_auth_backend_path`).
    WorkloadIdentity,
    /// Keys of both flows.
    Mixed,
    /// Neither: the keys alone do not tell (e.g. a client with `enabled` and `address`).
    Undetermined,
}

impl VaultBlock {
    fn new(name: String) -> Self {
        Self {
            name,
            declared_at: Vec::new(),
            enabled: None,
            create_from_role: None,
            namespace: None,
            address: None,
            jwt_auth_backend_path: None,
            ca_file: None,
            ca_path: None,
            cert_file: None,
            key_file: None,
            tls_server_name: None,
            tls_skip_verify: None,
            token: None,
            allow_unauthenticated: None,
            task_token_ttl: None,
            default_identity: None,
            unknown_keys: Vec::new(),
        }
    }

    /// `enabled`, false when unset.
    pub fn is_enabled(&self) -> bool {
        self.enabled.as_ref().is_some_and(|e| e.value)
    }

    /// `allow_unauthenticated`, **true** when unset (Nomad's default).
    pub fn allows_unauthenticated(&self) -> bool {
        self.allow_unauthenticated.as_ref().is_none_or(|a| a.value)
    }

    /// `address`, or Nomad's default.
    pub fn address(&self) -> &str {
        self.address
            .as_ref()
            .map_or(DEFAULT_VAULT_ADDRESS, |a| a.value.as_str())
    }

    /// `jwt_auth_backend_path`, or Nomad's default.
    pub fn jwt_auth_backend_path(&self) -> &str {
        self.jwt_auth_backend_path
            .as_ref()
            .map_or(DEFAULT_JWT_AUTH_BACKEND_PATH, |a| a.value.as_str())
    }

    /// `tls_skip_verify`, false when unset.
    pub fn tls_skip_verify(&self) -> bool {
        self.tls_skip_verify.as_ref().is_some_and(|t| t.value)
    }

    /// The legacy-flow keys written in this block, with where.
    pub fn legacy_flow_keys(&self) -> Vec<(&'static str, SourceLocation)> {
        [
            ("token", self.token.as_ref().map(|t| &t.at)),
            (
                "allow_unauthenticated",
                self.allow_unauthenticated.as_ref().map(|a| &a.at),
            ),
            (
                "task_token_ttl",
                self.task_token_ttl.as_ref().map(|t| &t.at),
            ),
            (
                "create_from_role",
                self.create_from_role.as_ref().map(|c| &c.at),
            ),
        ]
        .into_iter()
        .filter_map(|(key, at)| at.map(|at| (key, at.clone())))
        .collect()
    }

    /// The workload-identity keys written in this block, with where.
    pub fn workload_identity_keys(&self) -> Vec<(&'static str, SourceLocation)> {
        [
            (
                "default_identity",
                self.default_identity.as_ref().map(|d| &d.at),
            ),
            (
                "jwt_auth_backend_path",
                self.jwt_auth_backend_path.as_ref().map(|j| &j.at),
            ),
        ]
        .into_iter()
        .filter_map(|(key, at)| at.map(|at| (key, at.clone())))
        .collect()
    }

    /// Which flow the written keys indicate.
    pub fn flow(&self) -> VaultFlow {
        match (
            self.legacy_flow_keys().is_empty(),
            self.workload_identity_keys().is_empty(),
        ) {
            (false, true) => VaultFlow::LegacyToken,
            (true, false) => VaultFlow::WorkloadIdentity,
            (false, false) => VaultFlow::Mixed,
            (true, true) => VaultFlow::Undetermined,
        }
    }

    fn merge(&mut self, later: VaultBlock) {
        self.declared_at.extend(later.declared_at);
        take(&mut self.enabled, later.enabled);
        take(&mut self.create_from_role, later.create_from_role);
        take(&mut self.namespace, later.namespace);
        take(&mut self.address, later.address);
        take(&mut self.jwt_auth_backend_path, later.jwt_auth_backend_path);
        take(&mut self.ca_file, later.ca_file);
        take(&mut self.ca_path, later.ca_path);
        take(&mut self.cert_file, later.cert_file);
        take(&mut self.key_file, later.key_file);
        take(&mut self.tls_server_name, later.tls_server_name);
        take(&mut self.tls_skip_verify, later.tls_skip_verify);
        take(&mut self.token, later.token);
        take(&mut self.allow_unauthenticated, later.allow_unauthenticated);
        take(&mut self.task_token_ttl, later.task_token_ttl);
        if let Some(identity) = later.default_identity {
            merge_identity(&mut self.default_identity, identity);
        }
        self.unknown_keys.extend(later.unknown_keys);
    }
}

/// Later settings win, field by field (Nomad's `Merge`).
fn take<T>(slot: &mut Option<T>, later: Option<T>) {
    if later.is_some() {
        *slot = later;
    }
}

fn merge_identity(slot: &mut Option<DefaultIdentity>, later: DefaultIdentity) {
    match slot {
        Some(current) => {
            take(&mut current.aud, later.aud);
            take(&mut current.ttl, later.ttl);
            take(&mut current.env, later.env);
            take(&mut current.file, later.file);
            take(&mut current.filepath, later.filepath);
            take(&mut current.extra_claims, later.extra_claims);
        }
        None => *slot = Some(later),
    }
}

impl AgentConfig {
    /// `server { enabled = true }` in some file.
    pub fn is_server(&self) -> bool {
        self.server_enabled.as_ref().is_some_and(|s| s.value)
    }

    /// `client { enabled = true }` in some file.
    pub fn is_client(&self) -> bool {
        self.client_enabled.as_ref().is_some_and(|c| c.value)
    }

    /// The `vault` block with this name.
    pub fn vault(&self, name: &str) -> Option<&VaultBlock> {
        self.vaults.iter().find(|v| v.name == name)
    }

    /// The `vault` block named `default` (or without a name).
    pub fn default_vault(&self) -> Option<&VaultBlock> {
        self.vault(DEFAULT_VAULT_NAME)
    }

    /// What is wrong in the files themselves, before any Vault call: wrong value types,
    /// unknown keys (with suggestions), placeholders left from the docs, a client holding a
    /// server token.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = self.decode_problems.clone();
        for vault in &self.vaults {
            for unknown in &vault.unknown_keys {
                problems.push(Problem::new(
                    Severity::Warning,
                    Source::Nvctl,
                    unknown.to_string(),
                    Some(unknown.at.clone()),
                ));
            }
            if let Some(token) = &vault.token {
                // Never quote the token, even a placeholder-looking one.
                if looks_like_placeholder(token.value.expose()) {
                    problems.push(Problem::new(
                        Severity::Error,
                        Source::Nvctl,
                        "vault.token looks like a placeholder copied from the docs (\"$…\" or \"<…>\"): Nomad does not expand environment variables in agent files; remove it and set VAULT_TOKEN in the server's environment",
                        Some(token.at.clone()),
                    ));
                }
                if self.is_client() && !self.is_server() {
                    problems.push(Problem::new(
                        Severity::Warning,
                        Source::Nvctl,
                        "a Nomad client carries a Vault token: clients never need one; remove vault.token from the client's configuration",
                        Some(token.at.clone()),
                    ));
                }
            }
            for (key, setting) in [
                ("address", &vault.address),
                ("namespace", &vault.namespace),
                ("create_from_role", &vault.create_from_role),
            ] {
                if let Some(setting) = setting {
                    if looks_like_placeholder(&setting.value) {
                        problems.push(Problem::new(
                            Severity::Error,
                            Source::Nvctl,
                            format!(
                                "vault.{key} = {} looks like a placeholder copied from the docs: Nomad does not expand environment variables in agent files",
                                go_quote(&setting.value)
                            ),
                            Some(setting.at.clone()),
                        ));
                    }
                }
            }
        }
        problems
    }

    fn merge(&mut self, later: AgentConfig) {
        self.files.extend(later.files);
        for (slot, later) in [
            (&mut self.server_enabled, later.server_enabled),
            (&mut self.client_enabled, later.client_enabled),
        ] {
            match later {
                Some(l) if l.value || slot.is_none() => *slot = Some(l),
                _ => {}
            }
        }
        for vault in later.vaults {
            match self.vaults.iter_mut().find(|v| v.name == vault.name) {
                Some(existing) => existing.merge(vault),
                None => self.vaults.push(vault),
            }
        }
        self.decode_problems.extend(later.decode_problems);
    }
}

fn looks_like_placeholder(value: &str) -> bool {
    let value = value.trim();
    value.starts_with('$') || (value.starts_with('<') && value.ends_with('>'))
}

/// Loads files and directories in order, as `nomad agent -config A -config B` does.
pub fn load(paths: &[PathBuf]) -> Result<AgentConfig, LoadError> {
    let mut config = AgentConfig::default();
    for path in paths {
        let io = |source| LoadError::Io {
            path: path.clone(),
            source,
        };
        if std::fs::metadata(path).map_err(io)?.is_dir() {
            for file in config_files_in(path)? {
                config.merge(load_file(&file)?);
            }
        } else {
            config.merge(load_file(path)?);
        }
    }
    Ok(config)
}

/// The files Nomad's `LoadConfigDir` reads: not recursive, `.hcl`/`.json` only, editor
/// temporaries skipped (`~` suffix, `.#` prefix, `#…#`), sorted bytewise by path. Other hidden
/// files are *not* skipped, as in Nomad.
fn config_files_in(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let io = |source| LoadError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        if entry.file_type().map_err(io)?.is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let wanted = name.ends_with(".hcl") || name.ends_with(".json");
        let temporary = name.ends_with('~')
            || name.starts_with(".#")
            || (name.starts_with('#') && name.ends_with('#'));
        if wanted && !temporary {
            files.push(entry.path());
        }
    }
    files.sort_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    Ok(files)
}

fn load_file(path: &Path) -> Result<AgentConfig, LoadError> {
    let src = crate::local_file::read_text(path, crate::local_file::MAX_INPUT_BYTES).map_err(
        |source| LoadError::Io {
            path: path.to_owned(),
            source,
        },
    )?;
    parse(&src, path)
}

/// Parses one agent file. Like HCL1, text whose first non-blank character is `{` is JSON;
/// anything else is HCL.
pub fn parse(src: &str, path: &Path) -> Result<AgentConfig, LoadError> {
    let entries = if src.trim_start().starts_with('{') {
        json_entries(src, path)?
    } else {
        hcl_entries(src, path)?
    };
    let mut decoder = Decoder {
        file: path,
        problems: Vec::new(),
    };
    let mut config = decoder.config(&entries);
    config.files.push(path.to_owned());
    config.decode_problems = decoder.problems;
    Ok(config)
}

/// A format-neutral view of a config file: HCL blocks and JSON objects both become
/// `Node::Object`.
#[derive(Debug, Clone)]
enum Node {
    Scalar(Literal),
    Object(Vec<Entry>),
    List(Vec<Node>),
    /// An HCL expression that is not a literal (a function call, a variable …).
    Opaque,
}

#[derive(Debug, Clone)]
struct Entry {
    key: String,
    node: Node,
    line: Option<usize>,
}

/// HCL1 allows quoted attribute names (`"driver.raw_exec.enable" = "1"` in client
/// `options`), HCL2 does not. Replace such a name with an identifier of the same length so
/// the file parses and every byte offset (hence every line) stays where it was.
fn unquote_attribute_names(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for line in src.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        let rest = &line[indent..];
        let quoted_key_len = rest
            .strip_prefix('"')
            .and_then(|r| r.find('"'))
            .map(|close| close + 2)
            .filter(|&len| rest[len..].trim_start().starts_with('='));
        match quoted_key_len {
            Some(len) if rest[1..len - 1].chars().all(|c| c != '\\') => {
                out.push_str(&line[..indent]);
                out.push('_');
                out.push_str(&"q".repeat(len - 1));
                out.push_str(&rest[len..]);
            }
            _ => out.push_str(line),
        }
    }
    out
}

fn hcl_entries(src: &str, path: &Path) -> Result<Vec<Entry>, LoadError> {
    let prepared = unquote_attribute_names(src);
    let body: Body =
        prepared
            .parse()
            .map_err(|err: hcl::edit::parser::Error| LoadError::Parse {
                location: SourceLocation::new(path, Some(err.location().line())),
                message: format!("{} (column {})", err.message(), err.location().column()),
            })?;
    let lines = LineIndex::new(&prepared);
    Ok(body_entries(&body, &prepared, &lines))
}

fn body_entries(body: &Body, src: &str, lines: &LineIndex) -> Vec<Entry> {
    body.iter()
        .map(|structure| match structure {
            hcl::edit::structure::Structure::Attribute(attr) => Entry {
                key: attr.key.value().as_str().to_owned(),
                node: expression_node(&attr.value, src),
                line: lines.line_of(attr.span()),
            },
            hcl::edit::structure::Structure::Block(block) => Entry {
                key: block.ident.value().as_str().to_owned(),
                node: Node::Object(body_entries(&block.body, src, lines)),
                line: lines.line_of(block.span()),
            },
        })
        .collect()
}

fn expression_node(expr: &Expression, src: &str) -> Node {
    match literal(expr, src, Interpolations::Verbatim) {
        Ok(value) => literal_node(value),
        Err(_) => Node::Opaque,
    }
}

fn literal_node(value: Literal) -> Node {
    match value {
        Literal::Array(items) => Node::List(items.into_iter().map(literal_node).collect()),
        Literal::Object(entries) => Node::Object(
            entries
                .into_iter()
                .map(|(key, value)| Entry {
                    key,
                    node: literal_node(value),
                    // Object items share their attribute's line; `Decoder` falls back to it.
                    line: None,
                })
                .collect(),
        ),
        scalar => Node::Scalar(scalar),
    }
}

fn json_entries(src: &str, path: &Path) -> Result<Vec<Entry>, LoadError> {
    let value: serde_json::Value = serde_json::from_str(src).map_err(|err| LoadError::Parse {
        location: SourceLocation::new(path, Some(err.line())),
        message: format!("invalid JSON (column {})", err.column()),
    })?;
    let lines = LineIndex::new(src);
    match json_node(value, src, &lines) {
        Node::Object(entries) => Ok(entries),
        _ => Err(LoadError::Parse {
            location: SourceLocation::new(path, Some(1)),
            message: "a JSON agent configuration must be an object".into(),
        }),
    }
}

fn json_node(value: serde_json::Value, src: &str, lines: &LineIndex) -> Node {
    use serde_json::Value;
    match value {
        Value::Null => Node::Scalar(Literal::Null),
        Value::Bool(b) => Node::Scalar(Literal::Bool(b)),
        Value::Number(n) => Node::Scalar(Literal::Number(n.to_string())),
        Value::String(s) => Node::Scalar(Literal::String(s)),
        Value::Array(items) => Node::List(
            items
                .into_iter()
                .map(|item| json_node(item, src, lines))
                .collect(),
        ),
        Value::Object(map) => Node::Object(
            map.into_iter()
                .map(|(key, value)| Entry {
                    line: unique_json_key_line(src, &key, lines),
                    node: json_node(value, src, lines),
                    key,
                })
                .collect(),
        ),
    }
}

/// serde_json keeps no positions; a key's line is given only when `"key":` occurs exactly
/// once in the file, so a line is never wrong, merely sometimes missing.
fn unique_json_key_line(src: &str, key: &str, lines: &LineIndex) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    let mut hits = src
        .match_indices(&quoted)
        .filter(|(i, _)| src[i + quoted.len()..].trim_start().starts_with(':'));
    let (first, _) = hits.next()?;
    hits.next().is_none().then(|| lines.line(first))
}

struct Decoder<'a> {
    file: &'a Path,
    problems: Vec<Problem>,
}

impl Decoder<'_> {
    fn at(&self, line: Option<usize>) -> SourceLocation {
        SourceLocation::new(self.file, line)
    }

    fn config(&mut self, entries: &[Entry]) -> AgentConfig {
        let mut config = AgentConfig::default();
        for entry in entries {
            match entry.key.as_str() {
                "server" | "client" => {
                    for (block, line) in objects(entry) {
                        let enabled = block
                            .iter()
                            .filter(|e| e.key == "enabled")
                            .filter_map(|e| self.boolean(&entry.key, e, line))
                            .last();
                        let slot = if entry.key == "server" {
                            &mut config.server_enabled
                        } else {
                            &mut config.client_enabled
                        };
                        match enabled {
                            Some(e) if e.value || slot.is_none() => *slot = Some(e),
                            _ => {}
                        }
                    }
                }
                "vault" => {
                    for (block, line) in objects(entry) {
                        let vault = self.vault(block, line);
                        match config.vaults.iter_mut().find(|v| v.name == vault.name) {
                            Some(existing) => existing.merge(vault),
                            None => config.vaults.push(vault),
                        }
                    }
                }
                _ => {}
            }
        }
        config
    }

    fn vault(&mut self, entries: &[Entry], block_line: Option<usize>) -> VaultBlock {
        let mut vault = VaultBlock::new(DEFAULT_VAULT_NAME.to_owned());
        vault.declared_at.push(self.at(block_line));
        for entry in entries {
            let line = entry.line.or(block_line);
            let text = |d: &mut Self| d.string("vault", entry, line);
            match entry.key.as_str() {
                "name" => {
                    if let Some(name) = text(self) {
                        vault.name = name.value;
                    }
                }
                "enabled" => vault.enabled = self.boolean("vault", entry, line),
                "create_from_role" => vault.create_from_role = text(self),
                "namespace" => vault.namespace = text(self),
                "address" => vault.address = text(self),
                "jwt_auth_backend_path" => vault.jwt_auth_backend_path = text(self),
                "ca_file" => vault.ca_file = text(self),
                "ca_path" => vault.ca_path = text(self),
                "cert_file" => vault.cert_file = text(self),
                "key_file" => vault.key_file = text(self),
                "tls_server_name" => vault.tls_server_name = text(self),
                "tls_skip_verify" => vault.tls_skip_verify = self.boolean("vault", entry, line),
                "token" => {
                    // Decoded without `string` so a wrong-typed token is never echoed.
                    vault.token = match &entry.node {
                        Node::Scalar(Literal::String(s)) if !s.is_empty() => Some(Located {
                            value: SecretString::new(s.clone()),
                            at: self.at(line),
                        }),
                        Node::Scalar(Literal::String(_)) => None,
                        _ => {
                            self.wrong_type("vault", entry, line, "a string");
                            None
                        }
                    }
                }
                "allow_unauthenticated" => {
                    vault.allow_unauthenticated = self.boolean("vault", entry, line)
                }
                "task_token_ttl" => vault.task_token_ttl = text(self),
                "default_identity" => {
                    for (block, identity_line) in objects(entry) {
                        let identity =
                            self.default_identity(block, identity_line.or(line), &mut vault);
                        merge_identity(&mut vault.default_identity, identity);
                    }
                }
                unknown => vault.unknown_keys.push(UnknownKey {
                    key: unknown.to_owned(),
                    block: "vault",
                    at: self.at(line),
                    suggestion: closest(unknown, KNOWN_VAULT_KEYS),
                }),
            }
        }
        vault
    }

    fn default_identity(
        &mut self,
        entries: &[Entry],
        block_line: Option<usize>,
        vault: &mut VaultBlock,
    ) -> DefaultIdentity {
        const BLOCK: &str = "vault.default_identity";
        let mut identity = DefaultIdentity {
            at: self.at(block_line),
            aud: None,
            ttl: None,
            env: None,
            file: None,
            filepath: None,
            extra_claims: None,
        };
        for entry in entries {
            let line = entry.line.or(block_line);
            match entry.key.as_str() {
                "aud" => identity.aud = self.string_list(BLOCK, entry, line),
                "ttl" => identity.ttl = self.string(BLOCK, entry, line),
                "env" => identity.env = self.boolean(BLOCK, entry, line),
                "file" => identity.file = self.boolean(BLOCK, entry, line),
                "filepath" => identity.filepath = self.string(BLOCK, entry, line),
                "extra_claims" => identity.extra_claims = self.string_map(BLOCK, entry, line),
                unknown => vault.unknown_keys.push(UnknownKey {
                    key: unknown.to_owned(),
                    block: BLOCK,
                    at: self.at(line),
                    suggestion: closest(unknown, KNOWN_DEFAULT_IDENTITY_KEYS),
                }),
            }
        }
        identity
    }

    fn wrong_type(&mut self, block: &str, entry: &Entry, line: Option<usize>, wanted: &str) {
        let found = match &entry.node {
            Node::Scalar(literal) => literal.kind(),
            Node::Object(_) => "an object",
            Node::List(_) => "a list",
            Node::Opaque => "an expression",
        };
        self.problems.push(Problem::new(
            Severity::Error,
            Source::Nvctl,
            format!("{block}.{} must be {wanted}, found {found}", entry.key),
            Some(self.at(line)),
        ));
    }

    /// HCL1 decodes numbers into string fields too; empty strings count as unset.
    fn string(
        &mut self,
        block: &str,
        entry: &Entry,
        line: Option<usize>,
    ) -> Option<Located<String>> {
        let value = match &entry.node {
            Node::Scalar(Literal::String(s)) => s.clone(),
            Node::Scalar(Literal::Number(n)) => n.clone(),
            _ => {
                self.wrong_type(block, entry, line, "a string");
                return None;
            }
        };
        (!value.is_empty()).then(|| Located {
            value,
            at: self.at(line),
        })
    }

    fn boolean(
        &mut self,
        block: &str,
        entry: &Entry,
        line: Option<usize>,
    ) -> Option<Located<bool>> {
        match &entry.node {
            Node::Scalar(Literal::Bool(b)) => Some(Located {
                value: *b,
                at: self.at(line),
            }),
            _ => {
                self.wrong_type(block, entry, line, "a bool");
                None
            }
        }
    }

    /// A list of strings; HCL1 also takes a single string as a one-element list.
    fn string_list(
        &mut self,
        block: &str,
        entry: &Entry,
        line: Option<usize>,
    ) -> Option<Located<Vec<String>>> {
        let values = match &entry.node {
            Node::Scalar(Literal::String(s)) => Some(vec![s.clone()]),
            Node::List(items) => items
                .iter()
                .map(|item| match item {
                    Node::Scalar(Literal::String(s)) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            _ => None,
        };
        match values {
            Some(values) if values.is_empty() => None,
            Some(value) => Some(Located {
                value,
                at: self.at(line),
            }),
            None => {
                self.wrong_type(block, entry, line, "a list of strings");
                None
            }
        }
    }

    fn string_map(
        &mut self,
        block: &str,
        entry: &Entry,
        line: Option<usize>,
    ) -> Option<Located<BTreeMap<String, String>>> {
        let objects = objects(entry);
        let mut map = BTreeMap::new();
        for (entries, _) in &objects {
            for item in entries.iter() {
                match &item.node {
                    Node::Scalar(Literal::String(s)) => {
                        map.insert(item.key.clone(), s.clone());
                    }
                    _ => {
                        self.wrong_type(block, entry, line, "a map of strings");
                        return None;
                    }
                }
            }
        }
        if objects.is_empty() {
            self.wrong_type(block, entry, line, "a map of strings");
            return None;
        }
        (!map.is_empty()).then(|| Located {
            value: map,
            at: self.at(line),
        })
    }
}

/// The objects an entry holds: a block, an object attribute (`vault = { … }`), or, in JSON,
/// a list of objects (`"vault": [{…}, {…}]`). Each with the line it starts on.
fn objects(entry: &Entry) -> Vec<(&[Entry], Option<usize>)> {
    match &entry.node {
        Node::Object(entries) => vec![(entries.as_slice(), entry.line)],
        Node::List(items) => items
            .iter()
            .filter_map(|item| match item {
                Node::Object(entries) => Some((entries.as_slice(), entry.line)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/agent")
            .join(name)
    }

    fn load_one(name: &str) -> AgentConfig {
        load(&[fixture(name)]).unwrap()
    }

    fn line<T>(setting: &Option<Located<T>>) -> Option<usize> {
        setting.as_ref().and_then(|s| s.at.line)
    }

    #[test]
    fn seed_server_config_is_a_legacy_server_without_token() {
        let config = load_one("server.hcl");
        assert!(config.is_server());
        assert!(!config.is_client());
        assert_eq!(config.vaults.len(), 1);
        let vault = config.default_vault().unwrap();
        assert!(vault.is_enabled());
        assert_eq!(vault.address(), "http://active.vault.service.consul:8200");
        assert_eq!(
            vault.create_from_role.as_ref().unwrap().value,
            "nomad-cluster"
        );
        assert_eq!(line(&vault.create_from_role), Some(17));
        assert_eq!(vault.task_token_ttl.as_ref().unwrap().value, "1h");
        assert!(vault.token.is_none());
        assert!(vault.allows_unauthenticated(), "Nomad's default is true");
        assert_eq!(vault.flow(), VaultFlow::LegacyToken);
        assert_eq!(
            vault.create_from_role.as_ref().unwrap().at.to_string(),
            format!("{}:17", fixture("server.hcl").display())
        );
        assert!(config.problems().is_empty(), "{:?}", config.problems());
    }

    #[test]
    fn seed_client_config_is_a_client_and_hcl1_quoted_keys_parse() {
        let config = load_one("client.hcl");
        assert!(config.is_client());
        assert!(!config.is_server());
        let vault = config.default_vault().unwrap();
        assert!(vault.is_enabled());
        assert_eq!(line(&vault.address), Some(16));
        assert_eq!(vault.flow(), VaultFlow::Undetermined);
        assert!(config.problems().is_empty());
    }

    #[test]
    fn json_server_config_reads_like_the_hcl_one() {
        let hcl = load_one("server.hcl");
        let json = load_one("server.json");
        assert!(json.is_server());
        let (h, j) = (hcl.default_vault().unwrap(), json.default_vault().unwrap());
        assert_eq!(h.address(), j.address());
        assert_eq!(
            h.create_from_role.as_ref().unwrap().value,
            j.create_from_role.as_ref().unwrap().value
        );
        assert_eq!(
            h.task_token_ttl.as_ref().unwrap().value,
            j.task_token_ttl.as_ref().unwrap().value
        );
        assert!(j.is_enabled());
        // Keys that occur once in the file get their line.
        assert_eq!(line(&j.create_from_role), Some(11));
        // "enabled" occurs twice (server and vault): never a guessed line, the vault
        // block's own line instead.
        assert_eq!(line(&j.enabled), Some(7));
    }

    #[test]
    fn typo_in_vault_key_is_reported_with_location_and_suggestion() {
        let config = load_one("typo-create-from-roles.hcl");
        let vault = config.default_vault().unwrap();
        assert!(vault.create_from_role.is_none(), "the typo sets nothing");
        assert_eq!(vault.unknown_keys.len(), 1);
        let unknown = &vault.unknown_keys[0];
        assert_eq!(unknown.key, "create_from_roles");
        assert_eq!(unknown.suggestion, Some("create_from_role"));
        assert_eq!(unknown.at.line, Some(11));
        let problems = config.problems();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].message,
            "unknown key \"create_from_roles\" in the vault block: Nomad ignores it silently; did you mean \"create_from_role\"?"
        );
        assert_eq!(problems[0].severity, Severity::Warning);
    }

    #[test]
    fn task_token_ttl_is_kept_as_written_for_the_doctor() {
        let config = load_one("task-token-ttl-1m.hcl");
        let vault = config.default_vault().unwrap();
        assert_eq!(vault.task_token_ttl.as_ref().unwrap().value, "1m");
        assert_eq!(line(&vault.task_token_ttl), Some(10));
    }

    #[test]
    fn workload_identity_block_with_token_is_mixed_flow_and_token_stays_secret() {
        let config = load_one("nomad-1.10-with-token.hcl");
        let vault = config.default_vault().unwrap();
        assert_eq!(vault.flow(), VaultFlow::Mixed);
        let legacy: Vec<_> = vault
            .legacy_flow_keys()
            .into_iter()
            .map(|(k, at)| (k, at.line))
            .collect();
        assert_eq!(legacy, vec![("token", Some(10))]);
        let wi: Vec<_> = vault
            .workload_identity_keys()
            .into_iter()
            .map(|(k, at)| (k, at.line))
            .collect();
        assert_eq!(wi, vec![("default_identity", Some(12))]);
        let identity = vault.default_identity.as_ref().unwrap();
        assert_eq!(identity.aud.as_ref().unwrap().value, vec!["vault.io"]);
        assert_eq!(identity.ttl.as_ref().unwrap().value, "1h");
        assert_eq!(
            vault.token.as_ref().unwrap().value.expose(),
            "hvs.fixture-not-a-real-token"
        );
        let debug = format!("{config:?}");
        assert!(!debug.contains("fixture-not-a-real-token"));
        assert!(debug.contains(crate::secret::REDACTED));
    }

    #[test]
    fn client_carrying_a_token_is_a_warning_that_never_quotes_it() {
        let config = load_one("client-with-token.hcl");
        let problems = config.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].severity, Severity::Warning);
        assert!(problems[0].message.contains("clients never need one"));
        assert_eq!(problems[0].at.as_ref().unwrap().line, Some(9));
        assert!(!format!("{problems:?}").contains("fixture-client-token"));
    }

    #[test]
    fn doc_placeholders_are_flagged_because_nomad_does_not_expand_them() {
        let config = load_one("seed-placeholders.hcl");
        let vault = config.default_vault().unwrap();
        assert_eq!(vault.address(), "$VAULT_ADDR");
        let problems = config.problems();
        let lines: Vec<_> = problems
            .iter()
            .map(|p| p.at.as_ref().unwrap().line)
            .collect();
        assert_eq!(lines, vec![Some(12), Some(9)], "{problems:?}");
        assert!(problems[0]
            .message
            .starts_with("vault.token looks like a placeholder"));
        assert!(problems[1].message.contains("\"$VAULT_ADDR\""));
        assert!(!format!("{problems:?}").contains("$VAULT_TOKEN"));
    }

    #[test]
    fn directory_is_read_like_nomad_load_config_dir() {
        let dir = fixture("conf.d");
        let config = load(std::slice::from_ref(&dir)).unwrap();
        let names: Vec<_> = config
            .files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        // Lexical order; hidden files are read; editor temporaries, other extensions and
        // subdirectories are not.
        assert_eq!(
            names,
            vec![
                ".hidden.hcl",
                "10-base.hcl",
                "20-override.hcl",
                "30-identity.json"
            ]
        );
        assert!(config.is_server());
        let names: Vec<_> = config.vaults.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, vec!["default", "secondary"]);

        let vault = config.default_vault().unwrap();
        assert_eq!(vault.address(), "http://vault-b.example.com:8200");
        assert_eq!(
            vault.address.as_ref().unwrap().at.file,
            dir.join("20-override.hcl")
        );
        // An empty string does not override…
        assert_eq!(
            vault.create_from_role.as_ref().unwrap().value,
            "nomad-cluster"
        );
        assert_eq!(
            vault.create_from_role.as_ref().unwrap().at.file,
            dir.join("10-base.hcl")
        );
        // …a set boolean does, even to false.
        assert!(!vault.tls_skip_verify());
        assert_eq!(line(&vault.tls_skip_verify), Some(5));
        assert!(!vault.allows_unauthenticated());
        assert_eq!(vault.task_token_ttl.as_ref().unwrap().value, "2h");
        let identity = vault.default_identity.as_ref().unwrap();
        assert_eq!(identity.aud.as_ref().unwrap().value, vec!["vault.io"]);
        assert_eq!(identity.at.file, dir.join("30-identity.json"));
        assert_eq!(vault.declared_at.len(), 4);

        let secondary = config.vault("secondary").unwrap();
        assert_eq!(
            secondary.address(),
            "http://vault-secondary.example.com:8200"
        );
        assert!(secondary.is_enabled());
    }

    #[test]
    fn later_files_override_earlier_ones_across_config_flags() {
        let dir = tempfile::tempdir().unwrap();
        let later = dir.path().join("later.hcl");
        std::fs::write(
            &later,
            "server {\n  enabled = false\n}\nvault {\n  address = \"https://vault.internal:8200\"\n  enabled = false\n}\n",
        )
        .unwrap();
        let config = load(&[fixture("server.hcl"), later.clone()]).unwrap();
        // server.enabled is a plain bool in Nomad: a later false does not demote a server.
        assert!(config.is_server());
        let vault = config.default_vault().unwrap();
        assert_eq!(vault.address(), "https://vault.internal:8200");
        assert!(!vault.is_enabled());
        assert_eq!(
            vault.enabled.as_ref().unwrap().at,
            SourceLocation::new(&later, Some(6))
        );
        assert_eq!(
            vault.create_from_role.as_ref().unwrap().value,
            "nomad-cluster"
        );
    }

    #[test]
    fn unset_address_and_jwt_path_take_nomads_defaults() {
        let config = parse("vault {\n  enabled = true\n}\n", Path::new("a.hcl")).unwrap();
        let vault = config.default_vault().unwrap();
        assert_eq!(vault.address(), DEFAULT_VAULT_ADDRESS);
        assert_eq!(vault.jwt_auth_backend_path(), "jwt-nomad");
        assert!(vault.allows_unauthenticated());
        assert!(!config.is_server() && !config.is_client());
    }

    #[test]
    fn unknown_default_identity_key_is_reported_under_its_block() {
        let src = "vault {\n  default_identity {\n    audience = [\"vault.io\"]\n  }\n}\n";
        let config = parse(src, Path::new("wi.hcl")).unwrap();
        let unknown = &config.default_vault().unwrap().unknown_keys;
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].block, "vault.default_identity");
        assert_eq!(unknown[0].at.line, Some(3));
        assert_eq!(unknown[0].suggestion, None);
    }

    #[test]
    fn wrongly_typed_values_are_decode_problems() {
        let src = "vault {\n  enabled = \"true\"\n  token = true\n  address = [\"a\"]\n}\n";
        let config = parse(src, Path::new("types.hcl")).unwrap();
        let messages: Vec<_> = config
            .decode_problems
            .iter()
            .map(|p| (p.message.as_str(), p.at.as_ref().unwrap().line))
            .collect();
        assert_eq!(
            messages,
            vec![
                ("vault.enabled must be a bool, found a string", Some(2)),
                ("vault.token must be a string, found a bool", Some(3)),
                ("vault.address must be a string, found a list", Some(4)),
            ]
        );
        assert!(config.default_vault().unwrap().enabled.is_none());
    }

    #[test]
    fn json_vault_list_declares_several_named_blocks() {
        let src = r#"{"vault": [{"enabled": true}, {"name": "eu", "address": "https://eu:8200", "create_from_rol": "x"}]}"#;
        let config = parse(src, Path::new("multi.json")).unwrap();
        assert_eq!(config.vaults.len(), 2);
        let eu = config.vault("eu").unwrap();
        assert_eq!(eu.address(), "https://eu:8200");
        assert_eq!(eu.unknown_keys[0].suggestion, Some("create_from_role"));
        assert_eq!(eu.unknown_keys[0].at.line, Some(1));
    }

    #[test]
    fn syntax_error_names_the_file_and_line() {
        let err = load(&[fixture("broken-syntax.hcl")]).unwrap_err();
        match &err {
            LoadError::Parse { location, .. } => {
                assert_eq!(location.file, fixture("broken-syntax.hcl"));
                assert!(location.line.is_some());
            }
            other => panic!("expected a parse error, got {other:?}"),
        }
        assert!(err.to_string().starts_with("Error loading "));
        assert!(err.to_string().contains("broken-syntax.hcl:"));
    }

    #[test]
    fn parse_error_never_echoes_the_source_line() {
        let err = parse("vault {\n  token = \"hvs.SECRET\n}\n", Path::new("t.hcl")).unwrap_err();
        assert!(!err.to_string().contains("hvs.SECRET"), "{err}");
        let err = parse(
            "{\"vault\": {\"token\": \"hvs.SECRET\"",
            Path::new("t.json"),
        )
        .unwrap_err();
        assert!(!err.to_string().contains("hvs.SECRET"), "{err}");
    }

    #[test]
    fn missing_path_is_an_io_error_naming_it() {
        let err = load(&[fixture("does-not-exist.hcl")]).unwrap_err();
        assert!(matches!(err, LoadError::Io { .. }));
        assert!(err.to_string().contains("does-not-exist.hcl"));
    }
}
