//! `database/config/:name`: a connection's stored configuration, its write (merge, Vault's 400s
//! in order) and its read (password gone, URL redacted) — vault-api-engines.md §3.1, §3.2.
//!
//! Upstream: builtin/logical/database/path_config_connection_ce.go (connectionWriteHandler,
//! connectionReadHandler), path_config_connection.go (DatabaseConfig), go-secure-stdlib
//! strutil (StrListContains, StrListContainsGlob / GlobbedStringsMatch).

use serde_json::{json, Map, Value};

use crate::api::{ApiError, Request};
use crate::flavor::Flavor;
use crate::token::fields;

use super::postgres::Plugin;

/// The one plugin the sandbox runs.
pub const POSTGRESQL_PLUGIN: &str = "postgresql-database-plugin";

/// Body keys the engine keeps for itself; every other key is a connection detail.
const ENGINE_KEYS: &[&str] = &[
    "name",
    "plugin_name",
    "plugin_version",
    "allowed_roles",
    "verify_connection",
    "root_rotation_statements",
    "password_policy",
    "skip_static_role_import_rotation",
    "rotation_schedule",
    "rotation_window",
    "rotation_period",
    "disable_automated_rotation",
    "EntDatabaseConfig",
];

/// A stored connection (Vault's `DatabaseConfig`).
#[derive(Clone, Default)]
pub struct Connection {
    pub plugin_name: String,
    pub plugin_version: String,
    /// Everything for the plugin, the root `password` included (never read back).
    pub details: Map<String, Value>,
    pub allowed_roles: Vec<String>,
    pub root_rotation_statements: Vec<String>,
    pub password_policy: String,
    pub verify_connection: bool,
    pub skip_static_role_import_rotation: bool,
    pub rotation_schedule: String,
    pub rotation_window: i64,
    pub rotation_period: i64,
    pub disable_automated_rotation: bool,
    /// Vault holds a plugin instance for this connection (made by a config write, dropped
    /// by rotate-root and reset); without one the next operation re-initialises it with a
    /// connection check first (`GetConnection`), which changes the error it fails with.
    pub loaded: bool,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("plugin_name", &self.plugin_name)
            .field("allowed_roles", &self.allowed_roles)
            .finish_non_exhaustive()
    }
}

/// A list of statements (`TypeStringSlice`): a JSON list, or one string as one statement.
pub fn statement_list(v: &Value) -> Result<Vec<String>, String> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) if s.is_empty() => Ok(Vec::new()),
        Value::String(s) => Ok(vec![s.trim().to_string()]),
        Value::Array(items) => Ok(items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.trim().to_string(),
                other => other.to_string(),
            })
            .collect()),
        other => Err(format!("'{other}' expected type '[]string'")),
    }
}

fn string_field(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("'{other}' expected type 'string'")),
    }
}

impl Connection {
    /// The connection after a write (`existing` is `None` on create), and its initialised
    /// plugin, or Vault's 400. The caller verifies the connection (I/O) before storing it.
    pub fn write(
        existing: Option<&Connection>,
        req: &Request,
    ) -> Result<(Connection, Plugin), ApiError> {
        let create = existing.is_none();
        let mut c = existing.cloned().unwrap_or(Connection {
            verify_connection: true,
            ..Default::default()
        });
        if let Some(v) = fields::get(req, "verify_connection", fields::parse_bool)? {
            c.verify_connection = v;
        } else if create {
            c.verify_connection = true;
        }
        if let Some(v) = fields::get(req, "plugin_name", string_field)? {
            c.plugin_name = v;
        } else if create {
            c.plugin_name = String::new();
        }
        if c.plugin_name.is_empty() {
            return Err(ApiError::bad_request("empty plugin name"));
        }
        if let Some(v) = fields::get(req, "plugin_version", string_field)? {
            c.plugin_version = v;
        }
        if let Some(v) = fields::get(req, "allowed_roles", fields::parse_comma_list)? {
            c.allowed_roles = v;
        } else if create {
            c.allowed_roles = Vec::new();
        }
        if let Some(v) = fields::get(req, "root_rotation_statements", statement_list)? {
            c.root_rotation_statements = v;
        } else if create {
            c.root_rotation_statements = Vec::new();
        }
        if let Some(v) = fields::get(req, "password_policy", string_field)? {
            c.password_policy = v;
        }
        if let Some(v) = fields::get(req, "skip_static_role_import_rotation", fields::parse_bool)? {
            c.skip_static_role_import_rotation = v;
        }
        if let Some(v) = fields::get(req, "rotation_schedule", string_field)? {
            c.rotation_schedule = v;
        }
        if let Some(v) = fields::get(req, "rotation_window", fields::parse_duration)? {
            c.rotation_window = v;
        }
        if let Some(v) = fields::get(req, "rotation_period", fields::parse_duration)? {
            c.rotation_period = v;
        }
        if let Some(v) = fields::get(req, "disable_automated_rotation", fields::parse_bool)? {
            c.disable_automated_rotation = v;
        }
        // On update only the sent details change, key by key.
        let sent = req
            .body
            .iter()
            .filter(|(k, _)| !ENGINE_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()));
        if create {
            c.details = sent.collect();
        } else {
            c.details.extend(sent);
        }
        if c.plugin_name != POSTGRESQL_PLUGIN {
            return Err(ApiError::bad_request(format!(
                "error creating database object: plugin not found in the catalog: {}",
                c.plugin_name
            )));
        }
        let plugin = Plugin::initialize(&c.details)
            .map_err(|e| ApiError::bad_request(format!("error creating database object: {e}")))?;
        Ok((c, plugin))
    }

    /// The plugin for an operation on a stored connection (`GetConnection`'s `Initialize`).
    pub fn plugin(&self) -> Result<Plugin, String> {
        Plugin::initialize(&self.details)
    }

    /// The warnings a successful write answers with (200 instead of 204 when any).
    pub fn write_warnings(&self) -> Vec<String> {
        let url = self
            .details
            .get("connection_url")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if literal_password(url).is_some() {
            vec!["Password found in connection_url, use a templated url to enable root rotation and prevent read access to password information.".to_string()]
        } else {
            Vec::new()
        }
    }

    /// `GET database/config/:name`.
    pub fn read(&self, flavor: Flavor) -> Value {
        let mut details = self.details.clone();
        for secret in ["password", "private_key", "service_account_json"] {
            details.remove(secret);
        }
        if let Some(Value::String(url)) = details.get_mut("connection_url") {
            if let Some(span) = literal_password(url) {
                url.replace_range(span, "xxxxx");
            }
        }
        let mut data = json!({
            "allowed_roles": self.allowed_roles,
            "connection_details": details,
            "password_policy": self.password_policy,
            "plugin_name": self.plugin_name,
            "plugin_version": self.plugin_version,
            "root_credentials_rotate_statements": self.root_rotation_statements,
        });
        if flavor == Flavor::Vault {
            for (k, v) in [
                ("verify_connection", json!(self.verify_connection)),
                (
                    "skip_static_role_import_rotation",
                    json!(self.skip_static_role_import_rotation),
                ),
                ("rotation_schedule", json!(self.rotation_schedule)),
                ("rotation_window", json!(self.rotation_window)),
                ("rotation_period", json!(self.rotation_period)),
                (
                    "disable_automated_rotation",
                    json!(self.disable_automated_rotation),
                ),
            ] {
                data[k] = v;
            }
        }
        data
    }

    /// Whether `role` may get credentials here: `*`, the name, or a name matching a glob
    /// with a leading and/or trailing `*`.
    pub fn allows(&self, role: &str) -> bool {
        self.allowed_roles
            .iter()
            .any(|allowed| allowed == "*" || glob_matches(allowed, role))
    }

    /// A string detail (`username`, `password`), empty when absent.
    pub fn detail(&self, key: &str) -> &str {
        self.details
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// strutil.GlobbedStringsMatch.
fn glob_matches(pattern: &str, value: &str) -> bool {
    if pattern.len() < 2 {
        return pattern == value;
    }
    let prefix = pattern.starts_with('*');
    let suffix = pattern.ends_with('*');
    match (prefix, suffix) {
        (true, true) => value.contains(&pattern[1..pattern.len() - 1]),
        (true, false) => value.ends_with(&pattern[1..]),
        (false, true) => value.starts_with(&pattern[..pattern.len() - 1]),
        (false, false) => value == pattern,
    }
}

/// Where the password of a URL sits when Go's `url.Parse` accepts it and finds one. A
/// `{{username}}:{{password}}@` URL does not parse in Go (braces are not valid userinfo), so
/// it has none.
pub fn literal_password(url: &str) -> Option<std::ops::Range<usize>> {
    let scheme_end = url.find("://")?;
    let scheme = &url[..scheme_end];
    let mut chars = scheme.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let start = scheme_end + 3;
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    let authority = &url[start..end];
    let at = authority.rfind('@')?;
    let userinfo = &authority[..at];
    // net/url validUserinfo
    if !userinfo
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c))
    {
        return None;
    }
    let colon = userinfo.find(':')?;
    Some(start + colon + 1..start + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_parseable_url_with_a_password_has_a_literal_one() {
        let url = "postgresql://postgres:postgres123@db:5432/postgres?sslmode=disable";
        let span = literal_password(url).unwrap();
        assert_eq!(&url[span], "postgres123");
        assert!(literal_password(
            "postgresql://{{username}}:{{password}}@db:5432/postgres?sslmode=disable"
        )
        .is_none());
        assert!(literal_password("postgresql://postgres@db/postgres").is_none());
        assert!(literal_password("host=db user=postgres password=x").is_none());
    }

    #[test]
    fn allowed_roles_match_star_names_and_edge_globs() {
        let c = |roles: &[&str]| Connection {
            allowed_roles: roles.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        assert!(!c(&[]).allows("accessdb"));
        assert!(c(&["*"]).allows("accessdb"));
        assert!(c(&["accessdb"]).allows("accessdb"));
        assert!(c(&["access*"]).allows("accessdb"));
        assert!(c(&["*db"]).allows("accessdb"));
        assert!(c(&["*cess*"]).allows("accessdb"));
        assert!(!c(&["acc*db"]).allows("accessdb"));
        assert!(!c(&["other"]).allows("accessdb"));
    }
}
