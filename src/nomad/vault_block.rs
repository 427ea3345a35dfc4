//! The agent `vault` block (nomad-rules.md §4, §5): the one model of it. `stanza` renders it
//! and parses its own output back, `agent_config` decodes it from the operator's agent files
//! (Nomad's HCL1 decoding, command/agent/config_parse.go), and Nomad's agent rules
//! (`stanza::check_agent_block_with`) and the doctor judge it.
//!
//! Values are plain (`None`: the key is not written; the methods apply Nomad's defaults);
//! where each written key is lives beside them in [`VaultBlock::positions`], empty for a block
//! nvctl renders itself.

use std::collections::BTreeMap;
use std::fmt;

use crate::nomad::gofmt::go_quote;
use crate::secret::SecretString;
use crate::source::SourceLocation;

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

/// Keys that only mean something in the legacy token flow (used to tell the flow apart).
pub const LEGACY_FLOW_KEYS: &[&str] = &[
    "token",
    "allow_unauthenticated",
    "task_token_ttl",
    "create_from_role",
];

/// Keys Nomad 1.10 removed with the legacy token flow (`create_from_role` stays: workload
/// identity uses it too).
pub const REMOVED_IN_1_10_KEYS: &[&str] = &["token", "allow_unauthenticated", "task_token_ttl"];

/// Keys that only mean something in the workload identity flow.
pub const WORKLOAD_IDENTITY_KEYS: &[&str] = &["default_identity", "jwt_auth_backend_path"];

/// `default_identity { … }` (servers, workload identity flow).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefaultIdentity {
    /// Empty when not written.
    pub aud: Vec<String>,
    pub ttl: Option<String>,
    pub env: Option<bool>,
    pub file: Option<bool>,
    pub filepath: Option<String>,
    pub extra_claims: BTreeMap<String, String>,
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

impl UnknownKey {
    /// The key as written below `vault` (`create_from_roles`, `default_identity.audience`).
    pub fn path(&self) -> String {
        match self.block.strip_prefix("vault.") {
            Some(inner) => format!("{inner}.{}", self.key),
            None => self.key.clone(),
        }
    }
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

/// One agent `vault` block. `None` means the key is not written (an empty string in a file
/// counts as not written, as in Nomad's `Merge`).
#[derive(Debug, Clone, Default)]
pub struct VaultBlock {
    /// `None`: Nomad's `default` cluster.
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub address: Option<String>,
    pub create_from_role: Option<String>,
    pub namespace: Option<String>,
    pub task_token_ttl: Option<String>,
    pub allow_unauthenticated: Option<bool>,
    pub ca_file: Option<String>,
    pub ca_path: Option<String>,
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    pub tls_server_name: Option<String>,
    pub tls_skip_verify: Option<bool>,
    pub jwt_auth_backend_path: Option<String>,
    pub default_identity: Option<DefaultIdentity>,
    /// The servers' token (redacted in `Debug`); rendered only when embedding was asked for.
    pub token: Option<SecretString>,
    /// Keys Nomad ignores silently (typos), in file order.
    pub unknown_keys: Vec<UnknownKey>,
    /// Where each written key is: `address`, `default_identity`, `default_identity.aud` …
    pub positions: BTreeMap<&'static str, SourceLocation>,
    /// Where each block contributing to this one starts (files merge blocks by name).
    pub declared_at: Vec<SourceLocation>,
}

/// The same settings (and the same unknown keys), wherever they were written: a rendered
/// block equals the block parsed back from its text.
impl PartialEq for VaultBlock {
    fn eq(&self, other: &Self) -> bool {
        let unknown = |b: &VaultBlock| -> Vec<String> {
            b.unknown_keys.iter().map(UnknownKey::path).collect()
        };
        self.name() == other.name()
            && self.enabled == other.enabled
            && self.address == other.address
            && self.create_from_role == other.create_from_role
            && self.namespace == other.namespace
            && self.task_token_ttl == other.task_token_ttl
            && self.allow_unauthenticated == other.allow_unauthenticated
            && self.ca_file == other.ca_file
            && self.ca_path == other.ca_path
            && self.cert_file == other.cert_file
            && self.key_file == other.key_file
            && self.tls_server_name == other.tls_server_name
            && self.tls_skip_verify == other.tls_skip_verify
            && self.jwt_auth_backend_path == other.jwt_auth_backend_path
            && self.default_identity == other.default_identity
            && self.token == other.token
            && unknown(self) == unknown(other)
    }
}

impl VaultBlock {
    /// `name`, or `default`.
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(DEFAULT_VAULT_NAME)
    }

    /// Where `key` is written (`address`, `default_identity.aud`), for a decoded block.
    pub fn at(&self, key: &str) -> Option<&SourceLocation> {
        self.positions.get(key)
    }

    /// `enabled`, false when unset.
    pub fn is_enabled(&self) -> bool {
        self.enabled == Some(true)
    }

    /// `allow_unauthenticated`, **true** when unset (Nomad's default).
    pub fn allows_unauthenticated(&self) -> bool {
        self.allow_unauthenticated.unwrap_or(true)
    }

    /// `address`, or Nomad's default.
    pub fn address(&self) -> &str {
        self.address.as_deref().unwrap_or(DEFAULT_VAULT_ADDRESS)
    }

    /// `jwt_auth_backend_path`, or Nomad's default.
    pub fn jwt_auth_backend_path(&self) -> &str {
        self.jwt_auth_backend_path
            .as_deref()
            .unwrap_or(DEFAULT_JWT_AUTH_BACKEND_PATH)
    }

    /// `tls_skip_verify`, false when unset.
    pub fn tls_skip_verify(&self) -> bool {
        self.tls_skip_verify == Some(true)
    }

    /// Whether `key` (one of [`KNOWN_VAULT_KEYS`]) is written.
    pub fn is_set(&self, key: &str) -> bool {
        match key {
            "name" => self.name.is_some(),
            "enabled" => self.enabled.is_some(),
            "create_from_role" => self.create_from_role.is_some(),
            "namespace" => self.namespace.is_some(),
            "address" => self.address.is_some(),
            "jwt_auth_backend_path" => self.jwt_auth_backend_path.is_some(),
            "ca_file" => self.ca_file.is_some(),
            "ca_path" => self.ca_path.is_some(),
            "cert_file" => self.cert_file.is_some(),
            "key_file" => self.key_file.is_some(),
            "tls_server_name" => self.tls_server_name.is_some(),
            "tls_skip_verify" => self.tls_skip_verify.is_some(),
            "token" => self.token.is_some(),
            "allow_unauthenticated" => self.allow_unauthenticated.is_some(),
            "task_token_ttl" => self.task_token_ttl.is_some(),
            "default_identity" => self.default_identity.is_some(),
            _ => false,
        }
    }

    /// The keys of `keys` written in this block, in `keys`' order.
    fn written(&self, keys: &[&'static str]) -> Vec<&'static str> {
        keys.iter().copied().filter(|k| self.is_set(k)).collect()
    }

    /// The keys Nomad 1.10 removed that this block still sets.
    pub fn keys_removed_in_1_10(&self) -> Vec<&'static str> {
        self.written(REMOVED_IN_1_10_KEYS)
    }

    /// The legacy-flow keys written in this block, with where.
    pub fn legacy_flow_keys(&self) -> Vec<(&'static str, SourceLocation)> {
        self.written_at(LEGACY_FLOW_KEYS)
    }

    /// The workload-identity keys written in this block, with where.
    pub fn workload_identity_keys(&self) -> Vec<(&'static str, SourceLocation)> {
        self.written_at(WORKLOAD_IDENTITY_KEYS)
    }

    fn written_at(&self, keys: &[&'static str]) -> Vec<(&'static str, SourceLocation)> {
        self.written(keys)
            .into_iter()
            .filter_map(|k| Some((k, self.at(k)?.clone())))
            .collect()
    }

    /// Which flow the written keys indicate.
    pub fn flow(&self) -> VaultFlow {
        match (
            self.written(LEGACY_FLOW_KEYS).is_empty(),
            self.written(WORKLOAD_IDENTITY_KEYS).is_empty(),
        ) {
            (false, true) => VaultFlow::LegacyToken,
            (true, false) => VaultFlow::WorkloadIdentity,
            (false, false) => VaultFlow::Mixed,
            (true, true) => VaultFlow::Undetermined,
        }
    }

    /// `later` (a block of the same name in a later file) over this one, key by key (Nomad's
    /// `VaultConfig.Merge`): what `later` writes wins, with its position.
    pub fn merge(&mut self, later: VaultBlock) {
        fn take<T>(slot: &mut Option<T>, later: Option<T>) {
            if later.is_some() {
                *slot = later;
            }
        }
        self.declared_at.extend(later.declared_at);
        self.positions.extend(later.positions);
        take(&mut self.name, later.name);
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
        if let Some(later) = later.default_identity {
            match &mut self.default_identity {
                Some(current) => {
                    if !later.aud.is_empty() {
                        current.aud = later.aud;
                    }
                    take(&mut current.ttl, later.ttl);
                    take(&mut current.env, later.env);
                    take(&mut current.file, later.file);
                    take(&mut current.filepath, later.filepath);
                    if !later.extra_claims.is_empty() {
                        current.extra_claims = later.extra_claims;
                    }
                }
                None => self.default_identity = Some(later),
            }
        }
        self.unknown_keys.extend(later.unknown_keys);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_is_about_the_settings_not_where_they_were_written() {
        let rendered = VaultBlock {
            enabled: Some(true),
            address: Some("https://v:8200".into()),
            ..VaultBlock::default()
        };
        let mut decoded = rendered.clone();
        decoded
            .positions
            .insert("address", SourceLocation::new("agent.hcl", Some(3)));
        decoded.name = Some(DEFAULT_VAULT_NAME.into());
        assert_eq!(rendered, decoded);
        decoded.task_token_ttl = Some("1h".into());
        assert_ne!(rendered, decoded);
    }

    #[test]
    fn keys_tell_the_flow_and_1_10_keeps_create_from_role() {
        let legacy = VaultBlock {
            create_from_role: Some("nomad-cluster".into()),
            ..VaultBlock::default()
        };
        assert_eq!(legacy.flow(), VaultFlow::LegacyToken);
        assert!(legacy.keys_removed_in_1_10().is_empty());
        let mixed = VaultBlock {
            task_token_ttl: Some("1h".into()),
            jwt_auth_backend_path: Some("jwt-nomad".into()),
            ..legacy
        };
        assert_eq!(mixed.flow(), VaultFlow::Mixed);
        assert_eq!(mixed.keys_removed_in_1_10(), ["task_token_ttl"]);
    }
}
