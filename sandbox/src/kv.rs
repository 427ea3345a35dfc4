//! The KV secrets engine, both versions (vault-api-engines.md §2; hashicorp/vault-plugin-
//! secrets-kv @824fb96: path_data.go, path_metadata.go, path_config.go, path_delete.go,
//! backend.go pathInvalid, passthrough.go for version 1).
//!
//! Version 2 keeps numbered versions per key (10 by default, `max_versions` from the key's
//! metadata or the mount's `config`), check-and-set, soft deletes (a 404 whose envelope still
//! carries the version's metadata) and the pathInvalid 404s with their warnings. Version 1 is
//! a plain map of paths to JSON objects whose reads carry the mount's default lease duration.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde_json::{json, Map, Value};

use crate::api::{ApiError, HandlerResult, Logical, Method, Reply, Request};
use crate::mounts::child_keys;
use crate::token::fields::{self, go_duration, rfc3339};

/// Versions kept per key when neither the key nor the mount says (path_data.go).
const DEFAULT_MAX_VERSIONS: u64 = 10;

/// One KV mount's data.
#[derive(Debug, Clone, Default)]
pub struct KvStore {
    /// Version 1: path → object.
    plain: BTreeMap<String, Map<String, Value>>,
    /// Version 2: key → versions and metadata.
    keys: BTreeMap<String, KeyMetadata>,
    config: KvConfig,
}

/// `<mount>/config` (path_config.go).
#[derive(Debug, Clone, Default)]
struct KvConfig {
    max_versions: u64,
    cas_required: bool,
    /// Seconds; negative disables it for every key.
    delete_version_after: i64,
}

#[derive(Debug, Clone, Default)]
struct KeyMetadata {
    versions: BTreeMap<u64, Version>,
    current: u64,
    oldest: u64,
    created: Option<SystemTime>,
    updated: Option<SystemTime>,
    max_versions: u64,
    cas_required: bool,
    delete_version_after: u64,
    custom_metadata: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone)]
struct Version {
    data: Value,
    created: SystemTime,
    deletion: Option<SystemTime>,
    destroyed: bool,
}

impl Version {
    fn deleted_at(&self, now: SystemTime) -> bool {
        self.deletion.is_some_and(|t| t <= now)
    }
}

fn time_or_empty(t: Option<SystemTime>) -> String {
    t.map(rfc3339).unwrap_or_default()
}

impl KeyMetadata {
    fn version_json(&self, number: u64, v: &Version) -> Value {
        json!({
            "created_time": rfc3339(v.created),
            "custom_metadata": self.custom_metadata,
            "deletion_time": time_or_empty(v.deletion),
            "destroyed": v.destroyed,
            "version": number,
        })
    }

    /// `KeyMetadata.AddVersion`: the sliding window of kept versions.
    fn add_version(&mut self, version: Version, config_max: u64) -> u64 {
        self.current += 1;
        self.updated = Some(version.created);
        self.created.get_or_insert(version.created);
        self.versions.insert(self.current, version);
        let max = match self.max_versions.max(config_max) {
            0 => DEFAULT_MAX_VERSIONS,
            m => m,
        };
        if self.current - self.oldest >= max {
            let last_dropped = self.current - max;
            self.versions.retain(|n, _| *n > last_dropped);
            self.oldest = last_dropped + 1;
        }
        self.current
    }
}

impl KvStore {
    /// For the router's ACL operation: whether a version-2 key has been written.
    pub fn v2_exists(&self, key: &str) -> bool {
        self.keys.contains_key(key)
    }

    pub fn v1_exists(&self, path: &str) -> bool {
        self.plain.contains_key(path)
    }

    /// A version-1 mount tuned to version 2: each path becomes a key whose version 1 is its
    /// data (vault-plugin-secrets-kv upgrade.go).
    pub fn upgrade_to_v2(&mut self, now: SystemTime) {
        for (path, data) in std::mem::take(&mut self.plain) {
            let meta = self.keys.entry(path).or_default();
            let version = Version {
                data: Value::Object(data),
                created: now,
                deletion: None,
                destroyed: false,
            };
            meta.add_version(version, self.config.max_versions);
        }
    }
}

fn list_reply(keys: Vec<String>) -> HandlerResult {
    if keys.is_empty() {
        return Err(ApiError::not_found());
    }
    Ok(Reply::Logical(Logical::data(json!({ "keys": keys }))))
}

fn list_prefix(rest: &str) -> String {
    let trimmed = rest.trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("{trimmed}/")
    }
}

fn unsupported_operation() -> ApiError {
    ApiError::new(405, "1 error occurred:\n\t* unsupported operation\n\n")
}

/// A 404 whose body is the whole envelope (`logical.RespondWithStatusCode`).
fn not_found_envelope(data: Option<Value>, warnings: Vec<String>) -> HandlerResult {
    Ok(Reply::Logical(Logical {
        data,
        warnings,
        status: Some(404),
        ..Default::default()
    }))
}

/// backend.go pathInvalid: any operation on a path that is not a version-2 endpoint.
fn path_invalid(rest: &str, req: &Request) -> HandlerResult {
    if ["metadata", "data", "delete", "undelete", "destroy"].contains(&rest) {
        return not_found_envelope(
            None,
            vec!["Non-listing operations on the root of a K/V v2 mount are not supported.".into()],
        );
    }
    let verb = match req.method {
        Method::Put | Method::Post => "put",
        Method::Get | Method::Head => "get",
        Method::List => "list",
        Method::Delete => "delete",
    };
    not_found_envelope(
        None,
        vec![format!(
            "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv {verb}' for this operation."
        )],
    )
}

/// A request under a version-2 mount; `rest` is the path inside the mount.
pub fn handle_v2(kv: &mut KvStore, rest: &str, req: &Request, now: SystemTime) -> HandlerResult {
    let (head, key) = match rest.split_once('/') {
        Some((head, key)) => (head, key),
        None => (rest, ""),
    };
    let root = key.is_empty() && !req.trailing_slash;
    match head {
        "config" if key.is_empty() => config(kv, req),
        "metadata" if req.method == Method::List => {
            list_reply(child_keys(kv.keys.keys(), &list_prefix(key)))
        }
        "data" | "metadata" | "delete" | "undelete" | "destroy" if root => path_invalid(rest, req),
        "data" => data(kv, key, req, now),
        "metadata" => metadata(kv, key, req),
        "delete" | "undelete" | "destroy" => versions_op(kv, head, key, req, now),
        _ => path_invalid(rest, req),
    }
}

/// `GET|PUT <mount>/config` (path_config.go pathConfigRead / pathConfigWrite).
fn config(kv: &mut KvStore, req: &Request) -> HandlerResult {
    match req.method {
        Method::Get => Ok(Reply::Logical(Logical::data(json!({
            "cas_required": kv.config.cas_required,
            "delete_version_after": go_duration_signed(kv.config.delete_version_after),
            "max_versions": kv.config.max_versions,
        })))),
        Method::Put | Method::Post => {
            let max = fields::get(req, "max_versions", fields::parse_int)?;
            let cas = fields::get(req, "cas_required", fields::parse_bool)?;
            let after = fields::get(req, "delete_version_after", fields::parse_duration)?;
            if let Some(max) = max {
                kv.config.max_versions = u64::try_from(max).unwrap_or(0);
            }
            if let Some(cas) = cas {
                kv.config.cas_required = cas;
            }
            if let Some(after) = after {
                // Negative disables delete_version_after on every key; 0 clears it.
                kv.config.delete_version_after = if after < 0 { -1 } else { after };
            }
            Ok(Reply::NoContent)
        }
        _ => Err(unsupported_operation()),
    }
}

/// Go's `time.Duration.String()` of a signed number of seconds (`-1s` when disabled).
fn go_duration_signed(secs: i64) -> String {
    if secs < 0 {
        format!("-{}", go_duration(secs.unsigned_abs()))
    } else {
        go_duration(secs as u64)
    }
}

/// `<mount>/data/<key>` (path_data.go).
fn data(kv: &mut KvStore, key: &str, req: &Request, now: SystemTime) -> HandlerResult {
    match req.method {
        Method::Get => read(kv, key, req, now),
        Method::Put | Method::Post => write(kv, key, req, now),
        Method::Delete => {
            // pathDataDelete: the latest version, unless already deleted or destroyed.
            if let Some(meta) = kv.keys.get_mut(key) {
                let current = meta.current;
                if let Some(latest) = meta.versions.get_mut(&current) {
                    if !latest.destroyed && !latest.deleted_at(now) {
                        latest.deletion = Some(now);
                    }
                }
            }
            Ok(Reply::NoContent)
        }
        _ => Err(unsupported_operation()),
    }
}

/// pathDataRead: the current (or `?version=N`) version; a deleted or destroyed one is a 404
/// whose envelope carries `data: null` and the version's metadata.
fn read(kv: &KvStore, key: &str, req: &Request, now: SystemTime) -> HandlerResult {
    let Some(meta) = kv.keys.get(key) else {
        return Err(ApiError::not_found());
    };
    let wanted = match req.query.get("version") {
        None => 0,
        Some(raw) => raw.trim().parse::<i64>().map_err(|_| {
            fields::field_error(
                "version",
                &format!(
                    "cannot parse '' as int: strconv.ParseInt: parsing {raw:?}: invalid syntax"
                ),
            )
        })?,
    };
    let number = if wanted > 0 {
        wanted as u64
    } else {
        meta.current
    };
    let Some(version) = meta.versions.get(&number) else {
        return Err(ApiError::not_found());
    };
    let metadata = meta.version_json(number, version);
    if version.deleted_at(now) || version.destroyed {
        return not_found_envelope(
            Some(json!({ "data": null, "metadata": metadata })),
            Vec::new(),
        );
    }
    Ok(Reply::Logical(Logical::data(json!({
        "data": version.data,
        "metadata": metadata,
    }))))
}

/// pathDataWrite: `{"data":{…},"options":{"cas":N}}`.
fn write(kv: &mut KvStore, key: &str, req: &Request, now: SystemTime) -> HandlerResult {
    let data = match req.body.get("data") {
        Some(Value::Object(data)) => data.clone(),
        Some(Value::Null) | None => return Err(ApiError::bad_request("no data provided")),
        Some(_) => {
            return Err(fields::field_error(
                "data",
                "'' expected a map, got 'string'",
            ))
        }
    };
    let cas = req.body.get("options").and_then(|o| o.get("cas"));
    let config_max = kv.config.max_versions;
    let config_cas = kv.config.cas_required;
    let config_after = kv.config.delete_version_after;
    let meta = kv.keys.entry(key.to_string()).or_default();
    let checked = check_and_set(cas, config_cas || meta.cas_required, meta.current);
    if let Err(e) = checked {
        if meta.current == 0 {
            kv.keys.remove(key);
        }
        return Err(e);
    }
    let after = match (config_after, meta.delete_version_after) {
        (a, _) if a < 0 => 0,
        (a, 0) => a as u64,
        (0, m) => m,
        (a, m) => m.min(a as u64),
    };
    let version = Version {
        data: Value::Object(data),
        created: now,
        deletion: (after > 0).then(|| now + Duration::from_secs(after)),
        destroyed: false,
    };
    let number = meta.add_version(version, config_max);
    let written = &meta.versions[&number];
    let reply = Reply::Logical(Logical::data(meta.version_json(number, written)));
    Ok(reply.warn_unrecognized(req, &["data", "options", "version"]))
}

/// validateCheckAndSetOption.
fn check_and_set(cas: Option<&Value>, required: bool, current: u64) -> Result<(), ApiError> {
    match cas {
        Some(raw) => {
            let parsed = match raw {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                Value::Bool(b) => Some(i64::from(*b)),
                _ => None,
            };
            let Some(cas) = parsed else {
                return Err(ApiError::bad_request(
                    "error parsing check-and-set parameter",
                ));
            };
            if cas < 0 || cas as u64 != current {
                return Err(ApiError::bad_request(
                    "check-and-set parameter did not match the current version",
                ));
            }
            Ok(())
        }
        None if required => Err(ApiError::bad_request(
            "check-and-set parameter required for this call",
        )),
        None => Ok(()),
    }
}

/// `<mount>/metadata/<key>` (path_metadata.go).
fn metadata(kv: &mut KvStore, key: &str, req: &Request) -> HandlerResult {
    match req.method {
        Method::Get => {
            let meta = kv.keys.get(key).ok_or_else(ApiError::not_found)?;
            let versions: Map<String, Value> = meta
                .versions
                .iter()
                .map(|(n, v)| {
                    (
                        n.to_string(),
                        json!({
                            "created_time": rfc3339(v.created),
                            "deletion_time": time_or_empty(v.deletion),
                            "destroyed": v.destroyed,
                        }),
                    )
                })
                .collect();
            Ok(Reply::Logical(Logical::data(json!({
                "cas_required": meta.cas_required,
                "created_time": time_or_empty(meta.created),
                "current_version": meta.current,
                "custom_metadata": meta.custom_metadata,
                "delete_version_after": go_duration(meta.delete_version_after),
                "max_versions": meta.max_versions,
                "oldest_version": meta.oldest,
                "updated_time": time_or_empty(meta.updated),
                "versions": versions,
            }))))
        }
        Method::Put | Method::Post => {
            let max = fields::get(req, "max_versions", fields::parse_int)?;
            let cas = fields::get(req, "cas_required", fields::parse_bool)?;
            let after = fields::get(req, "delete_version_after", fields::parse_duration)?;
            let custom = fields::get(req, "custom_metadata", fields::parse_string_map)?;
            if max.is_none() && cas.is_none() && after.is_none() && custom.is_none() {
                return Ok(Reply::NoContent);
            }
            let warning = (cas == Some(false) && kv.config.cas_required).then(|| {
                "\"cas_required\" set to false, but is mandated by backend config. This value will be ignored.".to_string()
            });
            let meta = kv.keys.entry(key.to_string()).or_default();
            if let Some(max) = max {
                meta.max_versions = u64::try_from(max).unwrap_or(0);
            }
            if let Some(cas) = cas {
                meta.cas_required = cas;
            }
            if let Some(after) = after {
                meta.delete_version_after = u64::try_from(after).unwrap_or(0);
            }
            if let Some(custom) = custom {
                meta.custom_metadata = custom;
            }
            Ok(match warning {
                Some(w) => Reply::Logical(Logical {
                    warnings: vec![w],
                    ..Default::default()
                }),
                None => Reply::NoContent,
            })
        }
        Method::Delete => {
            kv.keys.remove(key);
            Ok(Reply::NoContent)
        }
        _ => Err(unsupported_operation()),
    }
}

/// `delete/<key>`, `undelete/<key>`, `destroy/<key>` with `{"versions":[…]}`
/// (path_delete.go, path_destroy.go).
fn versions_op(
    kv: &mut KvStore,
    op: &str,
    key: &str,
    req: &Request,
    now: SystemTime,
) -> HandlerResult {
    if !req.method.is_write() {
        return Err(unsupported_operation());
    }
    let numbers: Vec<u64> = match req.body.get("versions") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
            .collect(),
        Some(Value::String(s)) => s.split(',').filter_map(|p| p.trim().parse().ok()).collect(),
        _ => Vec::new(),
    };
    if numbers.is_empty() {
        return Err(ApiError::bad_request("no version number provided"));
    }
    let Some(meta) = kv.keys.get_mut(key) else {
        return Ok(Reply::NoContent);
    };
    for number in numbers {
        let Some(version) = meta.versions.get_mut(&number) else {
            continue;
        };
        match op {
            "delete" if !version.destroyed && !version.deleted_at(now) => {
                version.deletion = Some(now)
            }
            "undelete" if !version.destroyed => version.deletion = None,
            "destroy" => {
                version.destroyed = true;
                version.data = Value::Null;
            }
            _ => {}
        }
    }
    Ok(Reply::NoContent)
}

/// A request under a version-1 mount (passthrough.go): reads carry the mount's default lease
/// duration (or the secret's own `ttl`), never a lease ID.
pub fn handle_v1(kv: &mut KvStore, rest: &str, req: &Request, default_ttl: u64) -> HandlerResult {
    match req.method {
        Method::List => list_reply(child_keys(kv.plain.keys(), &list_prefix(rest))),
        _ if rest.is_empty() => Err(ApiError::unsupported_path()),
        Method::Get => {
            let data = kv.plain.get(rest).ok_or_else(ApiError::not_found)?;
            let ttl = data
                .get("ttl")
                .or_else(|| data.get("lease"))
                .and_then(|raw| fields::parse_duration(raw).ok())
                .and_then(|secs| u64::try_from(secs).ok())
                .unwrap_or(default_ttl);
            Ok(Reply::Logical(Logical {
                data: Some(Value::Object(data.clone())),
                lease_duration: ttl,
                ..Default::default()
            }))
        }
        Method::Put | Method::Post => {
            if req.body.is_empty() {
                return Err(ApiError::bad_request("missing data fields"));
            }
            kv.plain.insert(rest.to_string(), req.body.clone());
            Ok(Reply::NoContent)
        }
        Method::Delete => {
            kv.plain.remove(rest);
            Ok(Reply::NoContent)
        }
        Method::Head => Err(ApiError::unsupported_path()),
    }
}
