//! Reads Nomad agent configuration the way `nomad agent -config` does (nomad-rules.md §4):
//! HCL and JSON files, directories in lexical order, later files overriding earlier ones
//! (non-empty strings and set booleans win), `vault` blocks merged by `name`.
//!
//! The `vault` blocks are decoded into the one model of the block (`nomad::vault_block`), with
//! where each key is. Nomad silently ignores unknown keys inside `vault`; this module keeps
//! them, with their location and the closest known key, because a typo such as
//! `create_from_roles` quietly disables the role. Pure: the environment (`VAULT_TOKEN`, `VAULT_NAMESPACE`) is not read
//! here; the doctor applies it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hcl::edit::expr::Expression;
use hcl::edit::structure::Body;
use hcl::edit::Span;

use crate::nomad::gofmt::go_quote;
pub use crate::nomad::vault_block::{
    DefaultIdentity, UnknownKey, VaultBlock, VaultFlow, DEFAULT_VAULT_ADDRESS, DEFAULT_VAULT_NAME,
    KNOWN_DEFAULT_IDENTITY_KEYS, KNOWN_VAULT_KEYS,
};
use crate::secret::SecretString;
use crate::source::{closest, literal, Interpolations, LineIndex, Literal};
pub use crate::source::{Located, Problem, Severity, Source, SourceLocation};

/// Why the agent configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The OS error is part of the message and not a `source`: shown with its causes
    /// (`{:#}`), it would otherwise be printed twice.
    #[error("{}: {cause}", path.display())]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// A directory given as configuration holds no file Nomad would read.
    #[error(
        "{}: no Nomad agent configuration in this directory (Nomad reads its *.hcl and *.json \
         files, and there are none): name the directory the agent is started with, or its files",
        path.display()
    )]
    EmptyDirectory { path: PathBuf },
    /// The parser's message and position, never the source line itself (it may hold a token).
    #[error("Error loading {location}: {message}")]
    Parse {
        location: SourceLocation,
        message: String,
    },
}

/// The merged configuration of one agent.
#[derive(Debug, Clone, PartialEq, Default)]
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
        self.vaults.iter().find(|v| v.name() == name)
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
                let at = vault.at("token").cloned();
                // Never quote the token, even a placeholder-looking one.
                if looks_like_placeholder(token.expose()) {
                    problems.push(Problem::new(
                        Severity::Error,
                        Source::Nvctl,
                        "vault.token looks like a placeholder copied from the docs (\"$…\" or \"<…>\"): Nomad does not expand environment variables in agent files; remove it and set VAULT_TOKEN in the server's environment",
                        at.clone(),
                    ));
                }
                if self.is_client() && !self.is_server() {
                    problems.push(Problem::new(
                        Severity::Warning,
                        Source::Nvctl,
                        "a Nomad client carries a Vault token: clients never need one; remove vault.token from the client's configuration",
                        at,
                    ));
                }
            }
            for (key, setting) in [
                ("address", &vault.address),
                ("namespace", &vault.namespace),
                ("create_from_role", &vault.create_from_role),
            ] {
                if let Some(setting) = setting {
                    if looks_like_placeholder(setting) {
                        problems.push(Problem::new(
                            Severity::Error,
                            Source::Nvctl,
                            format!(
                                "vault.{key} = {} looks like a placeholder copied from the docs: Nomad does not expand environment variables in agent files",
                                go_quote(setting)
                            ),
                            vault.at(key).cloned(),
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
            match self.vaults.iter_mut().find(|v| v.name() == vault.name()) {
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
        let io = |cause| LoadError::Io {
            path: path.clone(),
            cause,
        };
        if std::fs::metadata(path).map_err(io)?.is_dir() {
            let files = config_files_in(path)?;
            if files.is_empty() {
                return Err(LoadError::EmptyDirectory { path: path.clone() });
            }
            for file in files {
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
    let io = |cause| LoadError::Io {
        path: dir.to_owned(),
        cause,
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
        |cause| LoadError::Io {
            path: path.to_owned(),
            cause,
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
                        match config.vaults.iter_mut().find(|v| v.name() == vault.name()) {
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
        let mut vault = VaultBlock::default();
        vault.declared_at.push(self.at(block_line));
        for entry in entries {
            let line = entry.line.or(block_line);
            let Some(key) = KNOWN_VAULT_KEYS.iter().copied().find(|k| *k == entry.key) else {
                vault.unknown_keys.push(UnknownKey {
                    key: entry.key.clone(),
                    block: "vault",
                    at: self.at(line),
                    suggestion: closest(&entry.key, KNOWN_VAULT_KEYS),
                });
                continue;
            };
            let text = |d: &mut Self| d.string("vault", entry, line);
            let written = match key {
                "name" => {
                    // `name = "default"` is the default cluster, as if unnamed.
                    vault.name = text(self).filter(|n| n != DEFAULT_VAULT_NAME);
                    vault.name.is_some()
                }
                "enabled" => set(&mut vault.enabled, self.flag("vault", entry, line)),
                "create_from_role" => set(&mut vault.create_from_role, text(self)),
                "namespace" => set(&mut vault.namespace, text(self)),
                "address" => set(&mut vault.address, text(self)),
                "jwt_auth_backend_path" => set(&mut vault.jwt_auth_backend_path, text(self)),
                "ca_file" => set(&mut vault.ca_file, text(self)),
                "ca_path" => set(&mut vault.ca_path, text(self)),
                "cert_file" => set(&mut vault.cert_file, text(self)),
                "key_file" => set(&mut vault.key_file, text(self)),
                "tls_server_name" => set(&mut vault.tls_server_name, text(self)),
                "tls_skip_verify" => {
                    set(&mut vault.tls_skip_verify, self.flag("vault", entry, line))
                }
                "token" => {
                    // Decoded without `string` so a wrong-typed token is never echoed.
                    let token = match &entry.node {
                        Node::Scalar(Literal::String(s)) if !s.is_empty() => {
                            Some(SecretString::new(s.clone()))
                        }
                        Node::Scalar(Literal::String(_)) => None,
                        _ => {
                            self.wrong_type("vault", entry, line, "a string");
                            None
                        }
                    };
                    set(&mut vault.token, token)
                }
                "allow_unauthenticated" => set(
                    &mut vault.allow_unauthenticated,
                    self.flag("vault", entry, line),
                ),
                "task_token_ttl" => set(&mut vault.task_token_ttl, text(self)),
                _ => {
                    // default_identity: one block (or, in JSON, a list of them), merged.
                    for (block, identity_line) in objects(entry) {
                        let identity_line = identity_line.or(line);
                        let identity = self.default_identity(block, identity_line, &mut vault);
                        vault.positions.insert(key, self.at(identity_line));
                        vault.merge(VaultBlock {
                            default_identity: Some(identity),
                            ..VaultBlock::default()
                        });
                    }
                    false
                }
            };
            if written {
                vault.positions.insert(key, self.at(line));
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
        let mut identity = DefaultIdentity::default();
        for entry in entries {
            let line = entry.line.or(block_line);
            let Some(key) = KNOWN_DEFAULT_IDENTITY_KEYS
                .iter()
                .copied()
                .find(|k| *k == entry.key)
            else {
                vault.unknown_keys.push(UnknownKey {
                    key: entry.key.clone(),
                    block: BLOCK,
                    at: self.at(line),
                    suggestion: closest(&entry.key, KNOWN_DEFAULT_IDENTITY_KEYS),
                });
                continue;
            };
            let written = match key {
                "aud" => match self.string_list(BLOCK, entry, line) {
                    Some(aud) => {
                        identity.aud = aud;
                        true
                    }
                    None => false,
                },
                "ttl" => set(&mut identity.ttl, self.string(BLOCK, entry, line)),
                "env" => set(&mut identity.env, self.flag(BLOCK, entry, line)),
                "file" => set(&mut identity.file, self.flag(BLOCK, entry, line)),
                "filepath" => set(&mut identity.filepath, self.string(BLOCK, entry, line)),
                _ => match self.string_map(BLOCK, entry, line) {
                    Some(claims) => {
                        identity.extra_claims = claims;
                        true
                    }
                    None => false,
                },
            };
            if written {
                let path = match key {
                    "aud" => "default_identity.aud",
                    "ttl" => "default_identity.ttl",
                    "env" => "default_identity.env",
                    "file" => "default_identity.file",
                    "filepath" => "default_identity.filepath",
                    _ => "default_identity.extra_claims",
                };
                vault.positions.insert(path, self.at(line));
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
    fn string(&mut self, block: &str, entry: &Entry, line: Option<usize>) -> Option<String> {
        let value = match &entry.node {
            Node::Scalar(Literal::String(s)) => s.clone(),
            Node::Scalar(Literal::Number(n)) => n.clone(),
            _ => {
                self.wrong_type(block, entry, line, "a string");
                return None;
            }
        };
        (!value.is_empty()).then_some(value)
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

    /// A boolean without its position (the block keeps positions by key).
    fn flag(&mut self, block: &str, entry: &Entry, line: Option<usize>) -> Option<bool> {
        self.boolean(block, entry, line).map(|b| b.value)
    }

    /// A list of strings; HCL1 also takes a single string as a one-element list.
    fn string_list(
        &mut self,
        block: &str,
        entry: &Entry,
        line: Option<usize>,
    ) -> Option<Vec<String>> {
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
            Some(values) => Some(values),
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
    ) -> Option<BTreeMap<String, String>> {
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
        (!map.is_empty()).then_some(map)
    }
}

/// Puts a decoded value in its slot; whether one was written.
fn set<T>(slot: &mut Option<T>, value: Option<T>) -> bool {
    let written = value.is_some();
    if written {
        *slot = value;
    }
    written
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

    fn line(vault: &VaultBlock, key: &str) -> Option<usize> {
        vault.at(key).and_then(|at| at.line)
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
        assert_eq!(vault.create_from_role.as_deref().unwrap(), "nomad-cluster");
        assert_eq!(line(vault, "create_from_role"), Some(17));
        assert_eq!(vault.task_token_ttl.as_deref().unwrap(), "1h");
        assert!(vault.token.is_none());
        assert!(vault.allows_unauthenticated(), "Nomad's default is true");
        assert_eq!(vault.flow(), VaultFlow::LegacyToken);
        assert_eq!(
            vault.at("create_from_role").unwrap().to_string(),
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
        assert_eq!(line(vault, "address"), Some(16));
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
            h.create_from_role.as_deref().unwrap(),
            j.create_from_role.as_deref().unwrap()
        );
        assert_eq!(
            h.task_token_ttl.as_deref().unwrap(),
            j.task_token_ttl.as_deref().unwrap()
        );
        assert!(j.is_enabled());
        // Keys that occur once in the file get their line.
        assert_eq!(line(j, "create_from_role"), Some(11));
        // "enabled" occurs twice (server and vault): never a guessed line, the vault
        // block's own line instead.
        assert_eq!(line(j, "enabled"), Some(7));
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
        assert_eq!(vault.task_token_ttl.as_deref().unwrap(), "1m");
        assert_eq!(line(vault, "task_token_ttl"), Some(10));
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
        assert_eq!(identity.aud, vec!["vault.io"]);
        assert_eq!(identity.ttl.as_deref().unwrap(), "1h");
        assert_eq!(
            vault.token.as_ref().unwrap().expose(),
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
        let names: Vec<_> = config.vaults.iter().map(|v| v.name()).collect();
        assert_eq!(names, vec!["default", "secondary"]);

        let vault = config.default_vault().unwrap();
        assert_eq!(vault.address(), "http://vault-b.example.com:8200");
        assert_eq!(
            vault.at("address").unwrap().file,
            dir.join("20-override.hcl")
        );
        // An empty string does not override…
        assert_eq!(vault.create_from_role.as_deref().unwrap(), "nomad-cluster");
        assert_eq!(
            vault.at("create_from_role").unwrap().file,
            dir.join("10-base.hcl")
        );
        // …a set boolean does, even to false.
        assert!(!vault.tls_skip_verify());
        assert_eq!(line(vault, "tls_skip_verify"), Some(5));
        assert!(!vault.allows_unauthenticated());
        assert_eq!(vault.task_token_ttl.as_deref().unwrap(), "2h");
        let identity = vault.default_identity.as_ref().unwrap();
        assert_eq!(identity.aud, vec!["vault.io"]);
        assert_eq!(
            vault.at("default_identity").unwrap().file,
            dir.join("30-identity.json")
        );
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
            vault.at("enabled"),
            Some(&SourceLocation::new(&later, Some(6)))
        );
        assert_eq!(vault.create_from_role.as_deref().unwrap(), "nomad-cluster");
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
