//! `sys/mounts/<path>/tune` and `sys/auth/<path>/tune`, GET and POST (vault-api.md §8;
//! vault/logical_system.go handleTuneReadCommon, handleTuneWriteCommon).
//!
//! The mount is found by longest prefix, as Vault's router does; TTLs read back effective
//! (the system's 768h where the mount sets none); a KV mount tuned from version 1 to 2 is
//! upgraded with Vault's warning.

use std::time::SystemTime;

use serde_json::{json, Map, Value};

use crate::api::{ApiError, HandlerResult, Logical, Method, Reply, Request};
use crate::mounts::{Mount, MountTable};
use crate::token::fields;

/// Mounts whose settings cannot be tuned (vault/mount.go untunableMounts).
const UNTUNABLE: &[&str] = &["cubbyhole/", "sys/", "audit/", "identity/"];

/// The list settings `tune` writes and reads back once set.
const LIST_FIELDS: &[&str] = &[
    "audit_non_hmac_request_keys",
    "audit_non_hmac_response_keys",
    "passthrough_request_headers",
    "allowed_response_headers",
];

/// The mount path a tune URL names: `sys/mounts/<p>/tune` → `<p>/`, `sys/auth/<p>/tune` →
/// `auth/<p>/`. `None` when the URL is not a tune URL.
pub fn target(path: &str) -> Option<String> {
    let inner = path.strip_suffix("/tune")?;
    if let Some(p) = inner.strip_prefix("sys/mounts/") {
        return Some(format!("{}/", p.trim_matches('/')));
    }
    inner
        .strip_prefix("sys/auth/")
        .map(|p| format!("auth/{}/", p.trim_matches('/')))
}

pub fn handle(
    mounts: &mut MountTable,
    target: &str,
    req: &Request,
    now: SystemTime,
) -> HandlerResult {
    match req.method {
        Method::Get => read(mounts, target),
        Method::Put | Method::Post => write(mounts, target, req, now),
        _ => Err(ApiError::unsupported_path()),
    }
}

fn read(mounts: &mut MountTable, target: &str) -> HandlerResult {
    let is_auth = target.starts_with("auth/");
    let Some(mount) = mounts.mount_mut(target.trim_end_matches('/')) else {
        return Err(ApiError::bad_request(format!(
            "cannot fetch sysview for path {target:?}"
        )));
    };
    let (default_ttl, max_ttl) = mount.lease_ttls();
    let mut data = json!({
        "description": mount.description,
        "default_lease_ttl": default_ttl,
        "max_lease_ttl": max_ttl,
        "force_no_cache": mount.config.force_no_cache,
    });
    if is_auth {
        data["token_type"] = json!(mount
            .config
            .token_type
            .as_deref()
            .unwrap_or("default-service"));
    }
    if !mount.config.listing_visibility.is_empty() {
        data["listing_visibility"] = json!(mount.config.listing_visibility);
    }
    for (key, values) in &mount.config.lists {
        data[key] = json!(values);
    }
    if mount.options.as_object().is_some_and(|o| !o.is_empty()) {
        data["options"] = mount.options.clone();
    }
    Ok(Reply::Logical(Logical::data(data)))
}

/// A TTL field: absent or `""` keeps the current value, `"system"` resets it to 0.
fn ttl_field(req: &Request, key: &str, current: u64) -> Result<u64, ApiError> {
    match req.body.get(key) {
        None => Ok(current),
        Some(Value::String(s)) if s.is_empty() => Ok(current),
        Some(Value::String(s)) if s == "system" => Ok(0),
        Some(value) => fields::parse_duration(value)
            .map(|secs| u64::try_from(secs).unwrap_or(0))
            .map_err(ApiError::bad_request),
    }
}

fn write(mounts: &mut MountTable, target: &str, req: &Request, now: SystemTime) -> HandlerResult {
    let is_auth = target.starts_with("auth/");
    if let Some(untunable) = UNTUNABLE.iter().find(|p| target.starts_with(*p)) {
        let allowed = [
            "audit_non_hmac_request_keys",
            "audit_non_hmac_response_keys",
        ];
        let tunable_keys = [
            "default_lease_ttl",
            "max_lease_ttl",
            "description",
            "options",
            "token_type",
            "listing_visibility",
            "plugin_version",
            "passthrough_request_headers",
            "allowed_response_headers",
        ];
        if let Some(field) = req
            .body
            .keys()
            .find(|k| tunable_keys.contains(&k.as_str()) && !allowed.contains(&k.as_str()))
        {
            return Err(ApiError::bad_request(format!(
                "cannot tune parameter {field} of {untunable}"
            )));
        }
    }
    let Some(mount) = mounts.mount_mut(target.trim_end_matches('/')) else {
        return Err(ApiError::bad_request(format!(
            "tune of path {target:?} failed: no mount entry found"
        )));
    };
    // Everything is checked before anything changes (Vault rolls back on failure).
    let mut tuned = mount.config.clone();
    tuned.default_lease_ttl = ttl_field(req, "default_lease_ttl", tuned.default_lease_ttl)?;
    tuned.max_lease_ttl = ttl_field(req, "max_lease_ttl", tuned.max_lease_ttl)?;
    let changed = tuned.default_lease_ttl != mount.config.default_lease_ttl
        || tuned.max_lease_ttl != mount.config.max_lease_ttl;
    if changed
        && tuned.default_lease_ttl != 0
        && tuned.max_lease_ttl != 0
        && tuned.max_lease_ttl < tuned.default_lease_ttl
    {
        return Err(ApiError::bad_request(format!(
            "backend max lease TTL of {} would be less than backend default lease TTL of {}",
            tuned.max_lease_ttl, tuned.default_lease_ttl
        )));
    }
    let description = req.str_field("description").map(str::to_string);
    if let Some(visibility) = req.body.get("listing_visibility") {
        let visibility = visibility.as_str().unwrap_or_default();
        if !["", "unauth", "hidden"].contains(&visibility) {
            return Err(ApiError::bad_request(format!(
                "invalid listing_visibility {visibility}"
            )));
        }
        tuned.listing_visibility = visibility.to_string();
    }
    if let Some(raw) = req.body.get("token_type") {
        if !is_auth {
            return Err(ApiError::bad_request(
                "'token_type' can only be modified on auth mounts",
            ));
        }
        if mount.kind == "token" {
            return Err(ApiError::bad_request(
                "'token_type' cannot be set for 'token' or 'ns_token' auth mounts",
            ));
        }
        let token_type = match raw.as_str().unwrap_or("invalid") {
            "" | "default-service" => "default-service",
            "default-batch" => "default-batch",
            "service" => "service",
            "batch" => "batch",
            _ => return Err(ApiError::bad_request("invalid value for 'token_type'")),
        };
        tuned.token_type = Some(token_type.to_string());
    }
    for key in LIST_FIELDS {
        if let Some(raw) = req.body.get(*key) {
            let values = fields::parse_comma_list(raw).map_err(|e| fields::field_error(key, &e))?;
            tuned.lists.insert((*key).to_string(), values);
        }
    }
    let (options, upgrade) = tuned_options(mount, req.body.get("options"))?;
    mount.config = tuned;
    if let Some(description) = description {
        mount.description = description;
    }
    if let Some(options) = options {
        mount.options = Value::Object(options);
    }
    match upgrade {
        Some((from, to)) => {
            mount.kv.upgrade_to_v2(now);
            Ok(Reply::Logical(Logical {
                warnings: vec![format!("Upgrading mount from version {from} to version {to}. This mount will be unavailable for a brief period and will resume service shortly.")],
                ..Default::default()
            }))
        }
        None => Ok(Reply::NoContent),
    }
}

/// The mount's options after a tune (`None`: unchanged) and the KV upgrade it asks for.
#[allow(clippy::type_complexity)]
fn tuned_options(
    mount: &Mount,
    requested: Option<&Value>,
) -> Result<(Option<Map<String, Value>>, Option<(i64, i64)>), ApiError> {
    let Some(Value::Object(requested)) = requested else {
        return Ok((None, None));
    };
    if requested.is_empty() {
        return Ok((None, None));
    }
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut options = mount.options.as_object().cloned().unwrap_or_default();
    let mut upgrade = None;
    if let Some(wanted) = requested.get("version") {
        let current = options.get("version").map(text).unwrap_or_default();
        let current: i64 = if current.is_empty() {
            0
        } else {
            current.parse().map_err(|_| {
                ApiError::bad_request(format!("unable to parse mount entry: strconv.ParseInt: parsing {current:?}: invalid syntax"))
            })?
        };
        let wanted_text = text(wanted);
        let wanted: i64 = wanted_text.parse().map_err(|_| {
            ApiError::bad_request(format!("unable to parse options: strconv.ParseInt: parsing {wanted_text:?}: invalid syntax"))
        })?;
        if !(1..=2).contains(&wanted) {
            return Err(ApiError::bad_request(format!(
                "invalid version provided: {wanted}"
            )));
        }
        if current > wanted {
            return Err(ApiError::bad_request(format!(
                "cannot downgrade mount from version {current}"
            )));
        }
        if current < wanted {
            upgrade = Some((current, wanted));
        }
    }
    for (key, value) in requested {
        let value = text(value);
        if value.is_empty() && key != "version" {
            options.remove(key);
        } else {
            options.insert(key.clone(), json!(value));
        }
    }
    Ok((Some(options), upgrade))
}
