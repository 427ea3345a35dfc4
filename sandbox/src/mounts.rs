//! Secret and auth mounts, KV v2 data, JWT auth config and roles (vault-api.md §8).
//!
//! Only what the seeds enable is modelled: kv (v1 and v2), database and nomad secrets engines
//! (mounted, their own paths answer `unsupported path`), and the jwt/oidc auth method's config
//! and roles. The table lives in `State::mounts`; the router hands requests here after
//! authorisation. The identity store lives here too, as Vault's `identity/` mount: JWT logins
//! (`jwt::login`) write entities into it, `identity/entity/{id,name}/:x` read them.

use std::collections::BTreeMap;
use std::time::SystemTime;

use rand::RngCore;
use serde_json::{json, Map, Value};

use crate::api::{ApiError, Deferred, HandlerResult, Logical, Method, Reply, Request};
use crate::flavor::Flavor;
use crate::jwt::identity::IdentityStore;
use crate::jwt::keyset::{self, KeySet};
use crate::kv::{self, KvStore};
use crate::state::State;

/// Secrets engines a `POST sys/mounts/:path` may enable (after the `kv-v1`/`kv-v2` aliases).
const SECRET_TYPES: &[&str] = &[
    "kv", "generic", "database", "nomad", "pki", "transit", "ssh", "totp", "aws", "consul",
];

/// Vault's system default and maximum lease TTL (768h), in force where a mount sets none.
pub const SYSTEM_LEASE_TTL: u64 = 768 * 3600;

/// A mount's tunable settings; 0 TTLs mean "the system default".
#[derive(Debug, Clone, Default)]
pub struct MountConfig {
    pub default_lease_ttl: u64,
    pub max_lease_ttl: u64,
    pub force_no_cache: bool,
    /// Auth mounts: `default-service` unless tuned.
    pub token_type: Option<String>,
    pub listing_visibility: String,
    /// Tuned header and audit key lists, shown once set.
    pub lists: BTreeMap<String, Vec<String>>,
}

impl MountConfig {
    /// The `config` object of a mount-enable request (`handleMount`): TTLs as durations or
    /// `"system"`, default ≤ max.
    fn from_mount_request(config: Option<&Value>) -> Result<MountConfig, ApiError> {
        let mut parsed = MountConfig::default();
        let Some(Value::Object(config)) = config else {
            return Ok(parsed);
        };
        let ttl = |key: &str, what: &str| -> Result<u64, ApiError> {
            match config.get(key) {
                None => Ok(0),
                Some(Value::String(s)) if s.is_empty() || s == "system" => Ok(0),
                Some(value) => parse_duration(value).ok_or_else(|| {
                    let shown = value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_string);
                    ApiError::bad_request(format!(
                        "unable to parse {what} TTL of {shown}: time: invalid duration {shown:?}"
                    ))
                }),
            }
        };
        parsed.default_lease_ttl = ttl("default_lease_ttl", "default")?;
        parsed.max_lease_ttl = ttl("max_lease_ttl", "max")?;
        if parsed.max_lease_ttl != 0 && parsed.default_lease_ttl > parsed.max_lease_ttl {
            return Err(ApiError::bad_request(
                "given default lease TTL greater than given max lease TTL",
            ));
        }
        if parsed.max_lease_ttl == 0 && parsed.default_lease_ttl > SYSTEM_LEASE_TTL {
            return Err(ApiError::bad_request(format!(
                "given default lease TTL greater than system max lease TTL of {SYSTEM_LEASE_TTL}"
            )));
        }
        parsed.force_no_cache = config
            .get("force_no_cache")
            .and_then(bool_field)
            .unwrap_or(false);
        Ok(parsed)
    }
}
/// Auth methods a `POST sys/auth/:path` may enable.
const AUTH_TYPES: &[&str] = &[
    "jwt",
    "oidc",
    "approle",
    "userpass",
    "kubernetes",
    "cert",
    "ldap",
    "github",
];

/// One mounted secrets engine or auth method.
#[derive(Debug, Clone)]
pub struct Mount {
    /// With its trailing slash: `secret/`, `jwt-nomad/`.
    pub path: String,
    pub kind: String,
    pub description: String,
    pub accessor: String,
    pub uuid: String,
    pub options: Value,
    pub local: bool,
    pub seal_wrap: bool,
    /// The tunable settings (`config` in `sys/mounts`, `…/tune`).
    pub config: MountConfig,
    /// KV data (kv mounts only).
    pub(crate) kv: KvStore,
    /// JWT auth config (jwt/oidc auth mounts only).
    jwt_config: Option<Map<String, Value>>,
    /// JWT auth roles by name.
    jwt_roles: BTreeMap<String, Map<String, Value>>,
    /// The key set logins verify with, fetched on first use and again on a key miss; a
    /// config write empties it (Vault resets the backend's cached key set).
    jwt_keys: Option<KeySet>,
}

fn random_hex8() -> String {
    let mut bytes = [0u8; 4];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl Mount {
    fn new(path: &str, kind: &str, description: &str, options: Value, local: bool) -> Self {
        Mount {
            path: path.to_string(),
            kind: kind.to_string(),
            description: description.to_string(),
            accessor: format!("{kind}_{}", random_hex8()),
            uuid: uuid::Uuid::new_v4().to_string(),
            options,
            local,
            seal_wrap: false,
            config: MountConfig::default(),
            kv: KvStore::default(),
            jwt_config: None,
            jwt_roles: BTreeMap::new(),
            jwt_keys: None,
        }
    }

    /// The TTLs a lease under this mount gets by default and at most: the tuned values, else
    /// the system's 768h (Vault's `dynamicSystemView` DefaultLeaseTTL / MaxLeaseTTL).
    pub fn lease_ttls(&self) -> (u64, u64) {
        let or_system = |v: u64| if v == 0 { SYSTEM_LEASE_TTL } else { v };
        (
            or_system(self.config.default_lease_ttl),
            or_system(self.config.max_lease_ttl),
        )
    }

    pub(crate) fn is_kv_v2(&self) -> bool {
        self.kind == "kv" && self.options.get("version").and_then(Value::as_str) == Some("2")
    }

    /// The JSON that `GET sys/mounts` / `GET sys/auth` show for this mount.
    pub(crate) fn describe(&self, is_auth: bool) -> Value {
        let mut config = json!({
            "default_lease_ttl": self.config.default_lease_ttl,
            "max_lease_ttl": self.config.max_lease_ttl,
            "force_no_cache": self.config.force_no_cache,
        });
        if is_auth {
            let token_type = self
                .config
                .token_type
                .as_deref()
                .unwrap_or("default-service");
            config["token_type"] = json!(token_type);
        }
        if !self.config.listing_visibility.is_empty() {
            config["listing_visibility"] = json!(self.config.listing_visibility);
        }
        for (key, values) in &self.config.lists {
            config[key] = json!(values);
        }
        json!({
            "accessor": self.accessor,
            "config": config,
            "description": self.description,
            "external_entropy_access": false,
            "local": self.local,
            "options": self.options,
            "plugin_version": "",
            "running_plugin_version": format!("v0.0.0+builtin.{}", self.kind),
            "running_sha256": "",
            "seal_wrap": self.seal_wrap,
            "type": self.kind,
            "uuid": self.uuid,
            "deprecation_status": "supported",
        })
    }
}

/// Every secret and auth mount of one node, and the identity store.
#[derive(Debug, Default)]
pub struct MountTable {
    secret: BTreeMap<String, Mount>,
    auth: BTreeMap<String, Mount>,
    identity: IdentityStore,
}

/// What a JWT login reads and writes of its auth mount.
pub struct JwtLoginParts<'a> {
    /// The mount path with its trailing slash, without `auth/`: `jwt-nomad/`.
    pub path: &'a str,
    pub accessor: &'a str,
    pub kind: &'a str,
    pub config: Option<&'a Map<String, Value>>,
    pub roles: &'a BTreeMap<String, Map<String, Value>>,
    pub keys: &'a mut Option<KeySet>,
}

/// Normalises a mount path given in a URL: no leading slash, exactly one trailing slash.
fn mount_path(raw: &str) -> String {
    format!("{}/", raw.trim_matches('/'))
}

/// The mount a `POST sys/mounts/:path` body describes, checked in the order of Vault's
/// `handleMount`: the `config` TTLs, the type, then the `kv-v1`/`kv-v2` aliases and the
/// rule that only KV takes a `version` option.
fn new_secret_mount(path: &str, req: &Request) -> Result<Mount, ApiError> {
    let config = MountConfig::from_mount_request(req.body.get("config"))?;
    let mut kind = req.str_field("type").unwrap_or_default().to_string();
    if kind.is_empty() {
        return Err(ApiError::bad_request(
            "backend type must be specified as a string",
        ));
    }
    let mut options = match req.body.get("options") {
        Some(Value::Object(map)) => map.clone(),
        _ => Map::new(),
    };
    // `vault secrets enable -version=2` may send a number; Vault keeps map[string]string.
    for value in options.values_mut() {
        if let Some(n) = value.as_i64() {
            *value = json!(n.to_string());
        }
    }
    match kind.as_str() {
        "kv" => {}
        "kv-v1" | "kv-v2" => {
            options.insert("version".into(), json!(&kind[4..]));
            kind = "kv".into();
        }
        _ => {
            let version = options.get("version").and_then(Value::as_str);
            if version.is_some_and(|v| !v.is_empty()) {
                return Err(ApiError::bad_request(format!(
                    "secrets engine {kind:?} does not allow setting a version"
                )));
            }
        }
    }
    let options = if options.is_empty() && req.body.get("options").is_none() {
        Value::Null
    } else {
        Value::Object(options)
    };
    let description = req.str_field("description").unwrap_or_default();
    let local = req
        .body
        .get("local")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut mount = Mount::new(path, &kind, description, options, local);
    mount.config = config;
    Ok(mount)
}

impl MountTable {
    /// The mounts every Vault has: `sys/`, `cubbyhole/`, `identity/`, and the token auth method.
    pub fn with_builtins() -> Self {
        let mut table = MountTable::default();
        for (path, kind, description, local) in [
            (
                "cubbyhole/",
                "cubbyhole",
                "per-token private secret storage",
                true,
            ),
            ("identity/", "identity", "identity store", false),
            (
                "sys/",
                "system",
                "system endpoints used for control, policy and debugging",
                false,
            ),
        ] {
            table.secret.insert(
                path.into(),
                Mount::new(path, kind, description, Value::Null, local),
            );
        }
        let mut token = Mount::new(
            "token/",
            "token",
            "token based credentials",
            Value::Null,
            false,
        );
        token.accessor = format!("auth_token_{}", random_hex8());
        table.auth.insert("token/".into(), token);
        table
    }

    /// Dev mode mounts `secret/` as kv v2, as `vault server -dev` does.
    pub fn mount_dev_secret(&mut self) {
        self.secret.insert(
            "secret/".into(),
            Mount::new(
                "secret/",
                "kv",
                "key/value secret storage",
                json!({"version": "2"}),
                false,
            ),
        );
    }

    /// The secret mount that owns `path` (longest prefix), if any.
    pub fn secret_mount_of(&self, path: &str) -> Option<&Mount> {
        let with_slash = format!("{path}/");
        self.secret
            .values()
            .filter(|m| with_slash.starts_with(&m.path))
            .max_by_key(|m| m.path.len())
    }

    /// The auth mount that owns `path` (`auth/<mount>/…`), if any.
    pub fn auth_mount_of(&self, path: &str) -> Option<&Mount> {
        let rest = path.strip_prefix("auth/")?;
        let with_slash = format!("{rest}/");
        self.auth
            .values()
            .filter(|m| with_slash.starts_with(&m.path))
            .max_by_key(|m| m.path.len())
    }

    /// The JWT mount that owns `path`, split into what a login needs.
    pub fn jwt_login_parts(&mut self, path: &str) -> Option<JwtLoginParts<'_>> {
        let key = self.auth_mount_of(path)?.path.clone();
        let mount = self.auth.get_mut(&key)?;
        Some(JwtLoginParts {
            path: &mount.path,
            accessor: &mount.accessor,
            kind: &mount.kind,
            config: mount.jwt_config.as_ref(),
            roles: &mount.jwt_roles,
            keys: &mut mount.jwt_keys,
        })
    }

    pub fn identity(&self) -> &IdentityStore {
        &self.identity
    }

    pub fn identity_mut(&mut self) -> &mut IdentityStore {
        &mut self.identity
    }

    /// The accessor of an auth mount (`jwt-nomad` or `jwt-nomad/`).
    pub fn auth_accessor(&self, path: &str) -> Option<String> {
        self.auth.get(&mount_path(path)).map(|m| m.accessor.clone())
    }

    /// For the router's ACL operation: `Some(false)` when a write would create the item.
    pub fn exists(&self, path: &str) -> Option<bool> {
        if let Some(mount) = self.auth_mount_of(path) {
            let rest = path
                .strip_prefix("auth/")?
                .strip_prefix(mount.path.as_str())?;
            return rest
                .strip_prefix("role/")
                .map(|name| mount.jwt_roles.contains_key(name));
        }
        let mount = self.secret_mount_of(path)?;
        let rest = path.get(mount.path.len()..)?;
        if mount.is_kv_v2() {
            rest.strip_prefix("data/")
                .map(|key| mount.kv.v2_exists(key))
        } else if mount.kind == "kv" {
            Some(mount.kv.v1_exists(rest))
        } else {
            None
        }
    }

    /// `sys/mounts`, `sys/mounts/:path` (vault-api.md §8, vault-api-engines.md §1).
    pub fn handle_sys_mounts(&mut self, flavor: Flavor, req: &Request) -> HandlerResult {
        let target = req
            .path
            .strip_prefix("sys/mounts")
            .unwrap_or_default()
            .trim_matches('/');
        if target.is_empty() {
            return match req.method {
                Method::Get => Ok(Reply::Logical(Logical::data(Value::Object(
                    self.secret
                        .iter()
                        .map(|(k, m)| (k.clone(), m.describe(false)))
                        .collect(),
                )))),
                _ => Err(ApiError::unsupported_path()),
            };
        }
        let path = mount_path(target);
        match req.method {
            Method::Get => self
                .secret
                .get(&path)
                .map(|m| Reply::Logical(Logical::data(m.describe(false))))
                .ok_or_else(|| ApiError::bad_request(format!("No secret engine mount at {path}"))),
            Method::Put | Method::Post => {
                let mount = new_secret_mount(&path, req)?;
                if let Some(existing) = self
                    .secret
                    .keys()
                    .find(|m| path.starts_with(m.as_str()) || m.starts_with(path.as_str()))
                {
                    return Err(ApiError::bad_request(format!(
                        "path is already in use at {existing}"
                    )));
                }
                // The catalog is consulted after the conflict check (mountInternal, then
                // newLogicalBackend); OpenBao ships no Nomad secrets engine.
                let builtin = SECRET_TYPES.contains(&mount.kind.as_str())
                    && !(flavor == Flavor::OpenBao && mount.kind == "nomad");
                if !builtin {
                    return Err(ApiError::bad_request(format!(
                        "plugin not found in the catalog: {}",
                        mount.kind
                    )));
                }
                self.secret.insert(path, mount);
                Ok(Reply::NoContent)
            }
            Method::Delete => {
                if ["sys/", "cubbyhole/", "identity/"].contains(&path.as_str()) {
                    return Err(ApiError::bad_request(format!("cannot unmount \"{path}\"")));
                }
                self.secret.remove(&path);
                Ok(Reply::NoContent)
            }
            _ => Err(ApiError::unsupported_path()),
        }
    }

    /// The mount that owns `path` (longest prefix; `auth/<x>` for auth mounts), to change it.
    pub fn mount_mut(&mut self, path: &str) -> Option<&mut Mount> {
        if path.starts_with("auth/") {
            let key = self.auth_mount_of(path)?.path.clone();
            self.auth.get_mut(&key)
        } else {
            let key = self.secret_mount_of(path)?.path.clone();
            self.secret.get_mut(&key)
        }
    }

    /// `GET sys/internal/ui/mounts/<path>` (logical_system.go pathInternalUIMountRead): the
    /// mount that owns `<path>`, described as `sys/mounts` does plus its `path`; 403 with the
    /// preflight message when there is none or `may_see(full mount path)` says no (so the
    /// endpoint cannot be used to discover mounts).
    pub fn ui_mount_read(&self, target: &str, may_see: impl Fn(&str) -> bool) -> HandlerResult {
        let target = target.trim_matches('/');
        if target.is_empty() {
            return Err(ApiError::bad_request("path not set"));
        }
        let requested = format!("{target}/");
        let denied = || {
            ApiError::new(
                403,
                format!("preflight capability check returned 403, please ensure client's policies grant access to path {requested:?}"),
            )
        };
        let found = match target.strip_prefix("auth/") {
            Some(_) => self
                .auth_mount_of(target)
                .map(|m| (format!("auth/{}", m.path), m.describe(true))),
            None => self
                .secret_mount_of(target)
                .map(|m| (m.path.clone(), m.describe(false))),
        };
        let Some((full_path, mut info)) = found else {
            return Err(denied());
        };
        if !may_see(&full_path) {
            return Err(denied());
        }
        info["path"] = json!(full_path);
        Ok(Reply::Logical(Logical::data(info)))
    }

    /// `sys/auth`, `sys/auth/:path` (vault-api.md §8).
    pub fn handle_sys_auth(&mut self, req: &Request) -> HandlerResult {
        let target = req
            .path
            .strip_prefix("sys/auth")
            .unwrap_or_default()
            .trim_matches('/');
        if target.is_empty() {
            return match req.method {
                Method::Get => Ok(Reply::Logical(Logical::data(Value::Object(
                    self.auth
                        .iter()
                        .map(|(k, m)| (k.clone(), m.describe(true)))
                        .collect(),
                )))),
                _ => Err(ApiError::unsupported_path()),
            };
        }
        let path = mount_path(target);
        match req.method {
            Method::Get => self
                .auth
                .get(&path)
                .map(|m| Reply::Logical(Logical::data(m.describe(true))))
                .ok_or_else(|| ApiError::bad_request(format!("No auth engine at {path}"))),
            Method::Put | Method::Post => {
                let kind = req.str_field("type").unwrap_or_default();
                if kind.is_empty() {
                    return Err(ApiError::bad_request(
                        "backend type must be specified as a string",
                    ));
                }
                if kind == "token" {
                    return Err(ApiError::bad_request(
                        "token credential backend cannot be instantiated",
                    ));
                }
                if !AUTH_TYPES.contains(&kind) {
                    return Err(ApiError::bad_request(format!(
                        "plugin not found in the catalog: {kind}"
                    )));
                }
                if let Some(existing) = self
                    .auth
                    .keys()
                    .find(|m| path.starts_with(m.as_str()) || m.starts_with(path.as_str()))
                {
                    // The auth table's path, without `auth/` (vault/auth.go
                    // enableCredentialInternal).
                    return Err(ApiError::bad_request(format!(
                        "path is already in use at {existing}"
                    )));
                }
                let description = req.str_field("description").unwrap_or_default();
                let options = req.body.get("options").cloned().unwrap_or(Value::Null);
                let local = req
                    .body
                    .get("local")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let mut mount = Mount::new(&path, kind, description, options, local);
                mount.accessor = format!("auth_{kind}_{}", random_hex8());
                self.auth.insert(path, mount);
                Ok(Reply::NoContent)
            }
            Method::Delete => {
                if path == "token/" {
                    return Err(ApiError::bad_request(
                        "token credential backend cannot be disabled",
                    ));
                }
                self.auth.remove(&path);
                Ok(Reply::NoContent)
            }
            _ => Err(ApiError::unsupported_path()),
        }
    }

    /// A request under a secret mount (kv v1/v2; other engines have no modelled paths).
    pub fn handle_secret(&mut self, req: &Request, now: SystemTime) -> HandlerResult {
        let Some(mount_key) = self.secret_mount_of(&req.path).map(|m| m.path.clone()) else {
            return Err(ApiError::no_handler(&req.path));
        };
        let Some(mount) = self.secret.get_mut(&mount_key) else {
            return Err(ApiError::no_handler(&req.path));
        };
        let rest = req
            .path
            .get(mount_key.len()..)
            .unwrap_or_default()
            .to_string();
        if mount.kind == "identity" {
            identity_read(&self.identity, &rest, req)
        } else if mount.is_kv_v2() {
            kv::handle_v2(&mut mount.kv, &rest, req, now)
        } else if mount.kind == "kv" || mount.kind == "generic" {
            let (default_ttl, _) = mount.lease_ttls();
            kv::handle_v1(&mut mount.kv, &rest, req, default_ttl)
        } else {
            Err(ApiError::unsupported_path())
        }
    }

    /// A request under a non-token auth mount (jwt/oidc config and roles).
    pub fn handle_auth(&mut self, req: &Request) -> HandlerResult {
        let Some(mount_key) = self.auth_mount_of(&req.path).map(|m| m.path.clone()) else {
            return Err(ApiError::no_handler(&req.path));
        };
        let Some(mount) = self.auth.get_mut(&mount_key) else {
            return Err(ApiError::no_handler(&req.path));
        };
        if mount.kind != "jwt" && mount.kind != "oidc" {
            return Err(ApiError::unsupported_path());
        }
        let rest = req
            .path
            .get("auth/".len() + mount_key.len()..)
            .unwrap_or_default()
            .to_string();
        jwt(mount, &rest, req)
    }
}

/// `GET identity/entity/id/:id` and `identity/entity/name/:name`, the reads the `default`
/// policy grants a token on its own entity (through identity templating).
fn identity_read(identity: &IdentityStore, rest: &str, req: &Request) -> HandlerResult {
    let entity = if let Some(id) = rest.strip_prefix("entity/id/") {
        identity.entity(id)
    } else if let Some(name) = rest.strip_prefix("entity/name/") {
        identity.entity_by_name(name)
    } else {
        return Err(ApiError::unsupported_path());
    };
    match req.method {
        Method::Get => entity
            .map(|e| Reply::Logical(Logical::data(e.read_json())))
            .ok_or_else(ApiError::not_found),
        _ => Err(ApiError::unsupported_path()),
    }
}

/// Keys directly below `prefix` (`a`, `dir/`), sorted, for LIST.
pub(crate) fn child_keys<'a>(keys: impl Iterator<Item = &'a String>, prefix: &str) -> Vec<String> {
    let mut children: Vec<String> = keys
        .filter_map(|k| k.strip_prefix(prefix))
        .filter(|rest| !rest.is_empty())
        .map(|rest| match rest.find('/') {
            Some(i) => rest[..=i].to_string(),
            None => rest.to_string(),
        })
        .collect();
    children.dedup();
    children.sort();
    children.dedup();
    children
}

fn list_reply(keys: Vec<String>) -> HandlerResult {
    if keys.is_empty() {
        return Err(ApiError::not_found());
    }
    Ok(Reply::Logical(Logical::data(json!({ "keys": keys }))))
}

/// A duration field: integer seconds, numeric string, `Nd`, or a Go duration (`72h`, `1h30m`).
pub fn parse_duration(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => parse_duration_str(s.trim()),
        _ => None,
    }
}

fn parse_duration_str(s: &str) -> Option<u64> {
    if s.is_empty() {
        return Some(0);
    }
    if let Ok(secs) = s.parse::<u64>() {
        return Some(secs);
    }
    if let Some(days) = s.strip_suffix('d').and_then(|d| d.parse::<u64>().ok()) {
        return Some(days * 86_400);
    }
    let mut total_ms: u128 = 0;
    let mut number = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let mut unit = c.to_string();
        while let Some(&next) = chars.peek() {
            if next.is_ascii_alphabetic() {
                unit.push(next);
                chars.next();
            } else {
                break;
            }
        }
        let value: f64 = number.parse().ok()?;
        number.clear();
        let ms_per_unit: f64 = match unit.as_str() {
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            _ => return None,
        };
        total_ms += (value * ms_per_unit) as u128;
    }
    if !number.is_empty() {
        return None;
    }
    u64::try_from(total_ms / 1000).ok()
}

/// A comma-list field: JSON array of strings or `"a,b"`, items trimmed, empties dropped.
fn comma_list(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|v| v.as_str().map(|s| s.trim().to_string()))
                .filter(|s| !s.is_empty())
                .collect(),
        ),
        Value::String(s) => Some(
            s.split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
        ),
        Value::Null => Some(Vec::new()),
        _ => None,
    }
}

fn bool_field(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.as_str() {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
            "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

const JWT_CONFIG_STRINGS: &[&str] = &[
    "oidc_discovery_url",
    "oidc_discovery_ca_pem",
    "oidc_client_id",
    "oidc_client_secret",
    "oidc_response_mode",
    "jwks_url",
    "jwks_ca_pem",
    "bound_issuer",
    "default_role",
];
const JWT_CONFIG_LISTS: &[&str] = &[
    "jwt_supported_algs",
    "jwt_validation_pubkeys",
    "oidc_response_types",
];

fn jwt_config_write(req: &Request) -> Result<Map<String, Value>, ApiError> {
    let mut config = Map::new();
    for key in JWT_CONFIG_STRINGS {
        let value = req
            .body
            .get(*key)
            .and_then(Value::as_str)
            .unwrap_or_default();
        config.insert((*key).into(), json!(value));
    }
    for key in JWT_CONFIG_LISTS {
        let value = req
            .body
            .get(*key)
            .map(comma_list)
            .unwrap_or(Some(Vec::new()));
        let value = value.ok_or_else(|| {
            ApiError::bad_request(format!("Field validation failed: invalid list for {key}"))
        })?;
        config.insert((*key).into(), json!(value));
    }
    config.insert(
        "jwks_pairs".into(),
        req.body.get("jwks_pairs").cloned().unwrap_or(json!([])),
    );
    config.insert(
        "provider_config".into(),
        req.body
            .get("provider_config")
            .cloned()
            .unwrap_or(json!({})),
    );
    config.insert(
        "namespace_in_state".into(),
        json!(req
            .body
            .get("namespace_in_state")
            .and_then(bool_field)
            .unwrap_or(true)),
    );
    config.insert("unsupported_critical_cert_extensions".into(), json!([]));
    let set = |key: &str| match config.get(key) {
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        _ => false,
    };
    let sources = [
        "oidc_discovery_url",
        "jwks_url",
        "jwt_validation_pubkeys",
        "jwks_pairs",
    ]
    .iter()
    .filter(|k| set(k))
    .count();
    if sources != 1 {
        return Err(ApiError::bad_request(
            "exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set",
        ));
    }
    // The secret never comes back on read.
    config.remove("oidc_client_secret");
    Ok(config)
}

const JWT_ROLE_FIELDS: &[&str] = &[
    "role_type",
    "bound_audiences",
    "user_claim",
    "user_claim_json_pointer",
    "claim_mappings",
    "bound_claims",
    "bound_claims_type",
    "bound_subject",
    "groups_claim",
    "allowed_redirect_uris",
    "oidc_scopes",
    "verbose_oidc_logging",
    "max_age",
    "expiration_leeway",
    "not_before_leeway",
    "clock_skew_leeway",
    "token_type",
    "token_period",
    "token_policies",
    "token_ttl",
    "token_max_ttl",
    "token_explicit_max_ttl",
    "token_no_default_policy",
    "token_num_uses",
    "token_bound_cidrs",
    "policies",
    "period",
    "ttl",
    "max_ttl",
    "num_uses",
    "bound_cidrs",
];

/// Writes or updates a JWT role; on update only the sent fields change.
fn jwt_role_write(
    existing: Option<&Map<String, Value>>,
    req: &Request,
) -> Result<Map<String, Value>, ApiError> {
    let mut role = existing.cloned().unwrap_or_else(|| {
        let mut role = Map::new();
        for (k, v) in [
            ("role_type", json!("oidc")),
            ("bound_audiences", json!([])),
            ("user_claim", json!("")),
            ("user_claim_json_pointer", json!(false)),
            ("claim_mappings", Value::Null),
            ("bound_claims", Value::Null),
            ("bound_claims_type", json!("string")),
            ("bound_subject", json!("")),
            ("groups_claim", json!("")),
            ("allowed_redirect_uris", json!([])),
            ("oidc_scopes", json!([])),
            ("verbose_oidc_logging", json!(false)),
            ("max_age", json!(0)),
            ("expiration_leeway", json!(0)),
            ("not_before_leeway", json!(0)),
            ("clock_skew_leeway", json!(0)),
            ("token_type", json!("default")),
            ("token_period", json!(0)),
            ("token_policies", json!([])),
            ("token_ttl", json!(0)),
            ("token_max_ttl", json!(0)),
            ("token_explicit_max_ttl", json!(0)),
            ("token_no_default_policy", json!(false)),
            ("token_num_uses", json!(0)),
            ("token_bound_cidrs", json!([])),
        ] {
            role.insert(k.into(), v);
        }
        role
    });
    let invalid = |key: &str| {
        ApiError::bad_request(format!("Field validation failed: invalid value for {key}"))
    };
    // Legacy names write into their token_* counterparts.
    fn alias(key: &str) -> &str {
        match key {
            "policies" => "token_policies",
            "period" => "token_period",
            "ttl" => "token_ttl",
            "max_ttl" => "token_max_ttl",
            "num_uses" => "token_num_uses",
            "bound_cidrs" => "token_bound_cidrs",
            other => other,
        }
    }
    for (key, value) in &req.body {
        if !JWT_ROLE_FIELDS.contains(&key.as_str()) {
            continue;
        }
        let target = alias(key);
        let stored = match target {
            "bound_audiences"
            | "allowed_redirect_uris"
            | "oidc_scopes"
            | "token_policies"
            | "token_bound_cidrs" => json!(comma_list(value).ok_or_else(|| invalid(key))?),
            "user_claim_json_pointer" | "verbose_oidc_logging" | "token_no_default_policy" => {
                json!(bool_field(value).ok_or_else(|| invalid(key))?)
            }
            "token_period"
            | "token_ttl"
            | "token_max_ttl"
            | "token_explicit_max_ttl"
            | "max_age"
            | "expiration_leeway"
            | "not_before_leeway"
            | "clock_skew_leeway" => {
                json!(parse_duration(value).ok_or_else(|| invalid(key))?)
            }
            "token_num_uses" => json!(value
                .as_u64()
                .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
                .ok_or_else(|| invalid(key))?),
            "claim_mappings" | "bound_claims" => match value {
                Value::Object(_) | Value::Null => value.clone(),
                _ => return Err(invalid(key)),
            },
            _ => match value {
                Value::String(_) => value.clone(),
                _ => return Err(invalid(key)),
            },
        };
        role.insert(target.into(), stored);
    }
    if role["token_policies"]
        .as_array()
        .is_some_and(|p| !p.is_empty())
    {
        let mut policies: Vec<String> = role["token_policies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str().map(|s| s.to_lowercase()))
            .collect();
        policies.sort();
        policies.dedup();
        role.insert("token_policies".into(), json!(policies));
    }
    let role_type = role["role_type"].as_str().unwrap_or_default().to_string();
    if role_type != "jwt" && role_type != "oidc" {
        return Err(ApiError::bad_request(format!(
            "invalid 'role_type': {role_type}"
        )));
    }
    let token_type = role["token_type"].as_str().unwrap_or_default();
    if ![
        "default",
        "service",
        "batch",
        "default-service",
        "default-batch",
    ]
    .contains(&token_type)
    {
        return Err(ApiError::bad_request(format!(
            "invalid 'token_type' value \"{token_type}\""
        )));
    }
    if role["user_claim"].as_str().unwrap_or_default().is_empty() {
        return Err(ApiError::bad_request(
            "a user claim must be defined on the role",
        ));
    }
    let empty = |key: &str| role[key].as_array().is_none_or(|a| a.is_empty());
    if role_type == "jwt"
        && empty("bound_audiences")
        && empty("token_bound_cidrs")
        && role["bound_subject"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
        && role["bound_claims"]
            .as_object()
            .is_none_or(|m| m.is_empty())
    {
        return Err(ApiError::bad_request(
            "must have at least one bound constraint when creating/updating a role",
        ));
    }
    if role_type == "oidc" && empty("allowed_redirect_uris") {
        return Err(ApiError::bad_request(
            "'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.",
        ));
    }
    Ok(role)
}

fn jwt(mount: &mut Mount, rest: &str, req: &Request) -> HandlerResult {
    let (_, max_lease_ttl) = mount.lease_ttls();
    if rest == "config" {
        return match req.method {
            Method::Get => mount
                .jwt_config
                .clone()
                .map(|c| Reply::Logical(Logical::data(Value::Object(c))))
                .ok_or_else(ApiError::not_found),
            Method::Put | Method::Post => {
                let mut known: Vec<&str> = JWT_CONFIG_STRINGS.to_vec();
                known.extend_from_slice(JWT_CONFIG_LISTS);
                known.extend_from_slice(&[
                    "jwks_pairs",
                    "provider_config",
                    "namespace_in_state",
                    "unsupported_critical_cert_extensions",
                ]);
                let config = jwt_config_write(req)?;
                let Some((url, ca_pem)) = crate::jwt::jwks_to_check(&config) else {
                    crate::jwt::check_config(&config)?;
                    mount.jwt_config = Some(config);
                    mount.jwt_keys = None;
                    return Ok(Reply::NoContent.warn_unrecognized(req, &known));
                };
                // The JWKS fetch runs with the node's lock released; the mount is found
                // again afterwards.
                let path = format!("auth/{}", mount.path);
                let req = req.clone();
                let known: Vec<String> = known.iter().map(|k| k.to_string()).collect();
                Ok(Deferred::reply(
                    keyset::fetch(url.clone(), ca_pem),
                    move |state: &mut State, fetched| {
                        crate::jwt::check_jwks(&url, fetched)?;
                        crate::jwt::check_config(&config)?;
                        let mount = state
                            .mounts
                            .mount_mut(&path)
                            .ok_or_else(|| ApiError::no_handler(&req.path))?;
                        mount.jwt_config = Some(config);
                        mount.jwt_keys = None;
                        let known: Vec<&str> = known.iter().map(String::as_str).collect();
                        Ok(Reply::NoContent.warn_unrecognized(&req, &known))
                    },
                ))
            }
            _ => Err(ApiError::unsupported_path()),
        };
    }
    if rest == "role" {
        return match req.method {
            Method::List => list_reply(mount.jwt_roles.keys().cloned().collect()),
            _ => Err(ApiError::unsupported_path()),
        };
    }
    if let Some(name) = rest.strip_prefix("role/") {
        if name.is_empty() || name.contains('/') {
            return Err(ApiError::unsupported_path());
        }
        return match req.method {
            Method::Get => mount
                .jwt_roles
                .get(name)
                .map(|r| Reply::Logical(Logical::data(Value::Object(r.clone()))))
                .ok_or_else(ApiError::not_found),
            Method::Put | Method::Post => {
                let role = jwt_role_write(mount.jwt_roles.get(name), req)?;
                // The plugin answers nothing unless it has a warning of its own; only then does
                // the framework add its unrecognized-parameters warning (path_role.go
                // pathRoleCreateUpdate; sdk/framework/backend.go HandleRequest).
                let mut warnings = Vec::new();
                if role["token_max_ttl"].as_u64().unwrap_or(0) > max_lease_ttl {
                    warnings.push("token max ttl is greater than the system or backend mount's maximum TTL value; issued tokens' max TTL value will be truncated".to_string());
                }
                if role["verbose_oidc_logging"].as_bool() == Some(true) {
                    warnings.push("verbose_oidc_logging has been enabled for this role. This is not recommended in production since sensitive information may be present in OIDC responses.".to_string());
                }
                mount.jwt_roles.insert(name.to_string(), role);
                if warnings.is_empty() {
                    return Ok(Reply::NoContent);
                }
                let mut known = JWT_ROLE_FIELDS.to_vec();
                known.push("name");
                warnings.extend(req.unrecognized_warning(&known));
                Ok(Reply::Logical(Logical {
                    warnings,
                    ..Default::default()
                }))
            }
            Method::Delete => {
                mount.jwt_roles.remove(name);
                Ok(Reply::NoContent)
            }
            _ => Err(ApiError::unsupported_path()),
        };
    }
    Err(ApiError::unsupported_path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_seconds_day_suffix_and_go_durations() {
        assert_eq!(parse_duration(&json!(30)), Some(30));
        assert_eq!(parse_duration(&json!("3600")), Some(3600));
        assert_eq!(parse_duration(&json!("3d")), Some(259_200));
        assert_eq!(parse_duration(&json!("72h")), Some(259_200));
        assert_eq!(parse_duration(&json!("1h30m")), Some(5400));
        assert_eq!(parse_duration(&json!("30m")), Some(1800));
        assert_eq!(parse_duration(&json!("abc")), None);
        assert_eq!(parse_duration(&json!("5x")), None);
    }

    #[test]
    fn child_keys_lists_direct_children_with_folders_marked() {
        let keys = ["a".to_string(), "dir/x".into(), "dir/y".into(), "b".into()];
        assert_eq!(child_keys(keys.iter(), ""), vec!["a", "b", "dir/"]);
        assert_eq!(child_keys(keys.iter(), "dir/"), vec!["x", "y"]);
    }
}
