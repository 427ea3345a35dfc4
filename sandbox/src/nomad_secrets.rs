//! Vault's Nomad secrets engine (vault-api-engines.md §5–§6; hashicorp/vault
//! builtin/logical/nomad): `config/access`, `config/lease`, `role/:name` (and `LIST role`),
//! `creds/:name`, and the lease engine that revokes a minted Nomad token.
//!
//! The engine talks to Nomad over HTTP like Vault's Nomad API client does (`X-Nomad-Token`,
//! `PUT /v1/acl/bootstrap`, `PUT /v1/acl/token`, `DELETE /v1/acl/token/:accessor`; a non-200
//! is `Unexpected response code: <code> (<body>)`), always **off the state lock**: handlers
//! gather what the call needs, answer [`Deferred`], and finish under the lock when Nomad has
//! answered. Settings live per mount (by the mount's UUID, as Vault's storage view does), so
//! a remount or a second `nomad` mount starts empty.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::api::{ApiError, Deferred, HandlerResult, Logical, Method, Reply, Request};
use crate::auth::Caller;
use crate::leases::{self, EngineIo, Lease, LeaseEngine, LeaseTerms, Secret};
use crate::state::State;
use crate::token::fields;

/// `maxTokenNameLength` (path_creds_create.go).
const MAX_TOKEN_NAME_LENGTH: usize = 256;
/// Where Vault's Nomad client goes without `address` or `NOMAD_ADDR` (api.DefaultConfig).
const DEFAULT_NOMAD_ADDR: &str = "http://127.0.0.1:4646";
/// How long one call to Nomad may take, and how much of its answer is read.
const NOMAD_CALL_TIMEOUT: Duration = Duration::from_secs(30);
const NOMAD_ANSWER_LIMIT: usize = 1 << 20;

/// `config/access` (accessConfig). `Debug` never shows the token or the client key.
#[derive(Clone, Default, PartialEq)]
pub struct AccessConfig {
    pub address: String,
    pub token: String,
    pub max_token_name_length: i64,
    pub ca_cert: String,
    pub client_cert: String,
    pub client_key: String,
}

impl std::fmt::Debug for AccessConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessConfig")
            .field("address", &self.address)
            .field("token", &"<redacted>")
            .field("max_token_name_length", &self.max_token_name_length)
            .finish_non_exhaustive()
    }
}

/// `role/:name` (roleConfig).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NomadRole {
    /// `None` until policies are given (read back as `null`).
    pub policies: Option<Vec<String>>,
    pub token_type: String,
    pub global: bool,
}

/// One `nomad` mount's storage.
#[derive(Debug, Clone, Default)]
pub struct NomadBackend {
    pub access: Option<AccessConfig>,
    /// `config/lease` in seconds.
    pub lease: Option<LeaseTerms>,
    pub roles: BTreeMap<String, NomadRole>,
}

/// Every `nomad` mount's storage, by mount UUID.
#[derive(Debug, Default)]
pub struct NomadSecretsStore {
    backends: BTreeMap<String, NomadBackend>,
}

impl NomadSecretsStore {
    /// The storage of the mount with this UUID, if anything was written there.
    pub fn backend(&self, uuid: &str) -> Option<&NomadBackend> {
        self.backends.get(uuid)
    }
}

/// The mount a path is under: its path (`nomad/`), UUID, and the rest of the path.
fn mount_of(state: &State, path: &str) -> Option<(String, String, String)> {
    let mount = state.mounts.secret_mount_of(path)?;
    if mount.kind != "nomad" {
        return None;
    }
    let rest = path.get(mount.path.len()..).unwrap_or_default().to_string();
    Some((mount.path.clone(), mount.uuid.clone(), rest))
}

fn backend<'a>(state: &'a State, uuid: &str) -> Option<&'a NomadBackend> {
    state.nomad_secrets.backends.get(uuid)
}

fn backend_mut<'a>(state: &'a mut State, uuid: &str) -> &'a mut NomadBackend {
    state
        .nomad_secrets
        .backends
        .entry(uuid.to_string())
        .or_default()
}

/// `framework.GenericNameRegex`: `\w(([\w-.]+)?\w)?`.
fn valid_name(name: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut chars = name.chars();
    let (Some(first), Some(last)) = (chars.next(), name.chars().last()) else {
        return false;
    };
    word(first) && word(last) && name.chars().all(|c| word(c) || c == '-' || c == '.')
}

/// Whether the item a write targets exists (the existence checks of `config/access` and
/// `role/:name`); `None` for paths without one (`config/lease` is always an update).
pub fn exists(state: &State, path: &str) -> Option<bool> {
    let (_, uuid, rest) = mount_of(state, path)?;
    let backend = backend(state, &uuid);
    if rest == "config/access" {
        return Some(backend.is_some_and(|b| b.access.is_some()));
    }
    let name = rest.strip_prefix("role/").filter(|n| valid_name(n))?;
    Some(backend.is_some_and(|b| b.roles.contains_key(name)))
}

fn unsupported_operation() -> ApiError {
    ApiError::new(405, "1 error occurred:\n\t* unsupported operation\n\n")
}

/// A handler's internal error as Vault answers it: 500, multierror-wrapped.
fn internal(message: &str) -> ApiError {
    ApiError::internal(format!("1 error occurred:\n\t* {message}\n\n"))
}

/// Everything under a `nomad` mount.
pub fn handle(state: &mut State, caller: &Caller, req: &Request) -> HandlerResult {
    let Some((_, uuid, rest)) = mount_of(state, &req.path) else {
        return Err(ApiError::unsupported_path());
    };
    let write = req.method.is_write();
    match rest.as_str() {
        "config/access" => match req.method {
            Method::Get => read_access(state, &uuid),
            Method::Delete => {
                backend_mut(state, &uuid).access = None;
                Ok(Reply::NoContent)
            }
            _ if write => write_access(state, &uuid, req),
            _ => Err(unsupported_operation()),
        },
        "config/lease" => match req.method {
            Method::Get => read_lease(state, &uuid),
            Method::Delete => {
                backend_mut(state, &uuid).lease = None;
                Ok(Reply::NoContent)
            }
            _ if write => write_lease(state, &uuid, req),
            _ => Err(unsupported_operation()),
        },
        "role" => match req.method {
            Method::List => list_roles(state, &uuid),
            _ => Err(unsupported_operation()),
        },
        _ => {
            if let Some(name) = rest.strip_prefix("role/").filter(|n| valid_name(n)) {
                let name = name.to_string();
                return match req.method {
                    Method::Get => read_role(state, &uuid, &name),
                    Method::Delete => {
                        backend_mut(state, &uuid).roles.remove(&name);
                        Ok(Reply::NoContent)
                    }
                    _ if write => write_role(state, &uuid, &name, req),
                    _ => Err(unsupported_operation()),
                };
            }
            if let Some(name) = rest.strip_prefix("creds/").filter(|n| valid_name(n)) {
                let name = name.to_string();
                return match req.method {
                    Method::Get => creds(state, caller, &uuid, &name, req),
                    _ => Err(unsupported_operation()),
                };
            }
            // Seed 004's `nomad/roles/x` lands here: Vault has no such path.
            Err(ApiError::unsupported_path())
        }
    }
}

fn read_access(state: &State, uuid: &str) -> HandlerResult {
    let access = backend(state, uuid)
        .and_then(|b| b.access.clone())
        .ok_or_else(ApiError::not_found)?;
    // The token and the client key are never read back.
    Ok(Reply::Logical(Logical::data(json!({
        "address": access.address,
        "max_token_name_length": access.max_token_name_length,
        "ca_cert": access.ca_cert,
        "client_cert": access.client_cert,
    }))))
}

fn string_field(req: &Request, field: &str) -> Result<Option<String>, ApiError> {
    fields::get(req, field, |v| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Ok(String::new()),
        other => Err(format!("'{other}' expected type 'string'")),
    })
}

/// `pathConfigAccessWrite`: only sent strings change, `max_token_name_length` always does;
/// without a token the engine bootstraps Nomad's ACLs and keeps the bootstrap secret.
fn write_access(state: &mut State, uuid: &str, req: &Request) -> HandlerResult {
    let mut conf = backend(state, uuid)
        .and_then(|b| b.access.clone())
        .unwrap_or_default();
    for (field, slot) in [
        ("address", &mut conf.address),
        ("token", &mut conf.token),
        ("ca_cert", &mut conf.ca_cert),
        ("client_cert", &mut conf.client_cert),
        ("client_key", &mut conf.client_key),
    ] {
        if let Some(value) = string_field(req, field)? {
            *slot = value;
        }
    }
    conf.max_token_name_length =
        fields::get(req, "max_token_name_length", fields::parse_int)?.unwrap_or(0);
    if !conf.token.is_empty() {
        backend_mut(state, uuid).access = Some(conf);
        return Ok(Reply::NoContent);
    }
    let client = match NomadClient::new(&conf) {
        Ok(client) => client,
        Err(_) => {
            return Err(ApiError::bad_request(
                "Token not provided and failed to construct client",
            ))
        }
    };
    let uuid = uuid.to_string();
    Ok(Deferred::reply(
        async move { client.bootstrap().await },
        move |state: &mut State, outcome: Result<String, String>| {
            let secret = outcome.map_err(|_| {
                ApiError::bad_request("Token not provided and failed to bootstrap ACLs")
            })?;
            conf.token = secret;
            backend_mut(state, &uuid).access = Some(conf);
            Ok(Reply::NoContent)
        },
    ))
}

fn read_lease(state: &State, uuid: &str) -> HandlerResult {
    let lease = backend(state, uuid)
        .and_then(|b| b.lease)
        .ok_or_else(ApiError::not_found)?;
    Ok(Reply::Logical(Logical::data(
        json!({"ttl": lease.ttl, "max_ttl": lease.max_ttl}),
    )))
}

/// `pathLeaseUpdate`: both values are always overwritten (absent → 0); no ttl ≤ max check.
fn write_lease(state: &mut State, uuid: &str, req: &Request) -> HandlerResult {
    let seconds = |field: &str| -> Result<u64, ApiError> {
        let v = fields::get(req, field, fields::parse_duration)?.unwrap_or(0);
        Ok(u64::try_from(v).unwrap_or(0))
    };
    let terms = LeaseTerms {
        ttl: seconds("ttl")?,
        max_ttl: seconds("max_ttl")?,
    };
    backend_mut(state, uuid).lease = Some(terms);
    Ok(Reply::NoContent)
}

fn list_roles(state: &State, uuid: &str) -> HandlerResult {
    let keys: Vec<&String> = backend(state, uuid)
        .map(|b| b.roles.keys().collect())
        .unwrap_or_default();
    if keys.is_empty() {
        return Err(ApiError::not_found());
    }
    Ok(Reply::Logical(Logical::data(json!({ "keys": keys }))))
}

fn read_role(state: &State, uuid: &str, name: &str) -> HandlerResult {
    let role = backend(state, uuid)
        .and_then(|b| b.roles.get(name))
        .ok_or_else(ApiError::not_found)?;
    Ok(Reply::Logical(Logical::data(json!({
        "type": role.token_type,
        "global": role.global,
        "policies": role.policies,
    }))))
}

/// `pathRolesWrite`: `policies` and `global` kept when absent, `type` reset to `client` when
/// absent; Vault's three 400s in order.
fn write_role(state: &mut State, uuid: &str, name: &str, req: &Request) -> HandlerResult {
    let mut role = backend(state, uuid)
        .and_then(|b| b.roles.get(name).cloned())
        .unwrap_or_default();
    if let Some(policies) = fields::get(req, "policies", fields::parse_comma_list)? {
        role.policies = Some(policies);
    }
    role.token_type = string_field(req, "type")?.unwrap_or_else(|| "client".to_string());
    let has_policies = role.policies.as_ref().is_some_and(|p| !p.is_empty());
    match role.token_type.as_str() {
        "client" if !has_policies => {
            return Err(ApiError::bad_request(
                "policies cannot be empty when using client tokens",
            ))
        }
        "management" if has_policies => {
            return Err(ApiError::bad_request(
                "policies should be empty when using management tokens",
            ))
        }
        "client" | "management" => {}
        _ => {
            return Err(ApiError::bad_request(
                "type must be \"client\" or \"management\"",
            ))
        }
    }
    if let Some(global) = fields::get(req, "global", fields::parse_bool)? {
        role.global = global;
    }
    backend_mut(state, uuid)
        .roles
        .insert(name.to_string(), role);
    Ok(Reply::NoContent)
}

/// `pathTokenRead`: mints a Nomad token named `vault-<role>-<display name>-<UnixNano>` and
/// answers it as a lease with `config/lease`'s terms.
fn creds(
    state: &mut State,
    caller: &Caller,
    uuid: &str,
    name: &str,
    req: &Request,
) -> HandlerResult {
    let conf = backend(state, uuid).and_then(|b| b.access.clone());
    let name_length = conf
        .as_ref()
        .and_then(|c| usize::try_from(c.max_token_name_length).ok())
        .filter(|n| *n > 0)
        .unwrap_or(MAX_TOKEN_NAME_LENGTH);
    let role = backend(state, uuid)
        .and_then(|b| b.roles.get(name).cloned())
        .ok_or_else(|| ApiError::bad_request(format!("role {name:?} not found")))?;
    let terms = backend(state, uuid)
        .and_then(|b| b.lease)
        .unwrap_or_default();
    let client = NomadClient::new(&conf.unwrap_or_default()).map_err(|e| internal(&e))?;
    let now = state.clock.now();
    let display_name = state
        .tokens
        .lookup(&caller.token_id, now)
        .map(|t| t.display_name.clone())
        .unwrap_or_default();
    let nanos = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut token_name = format!("vault-{name}-{display_name}-{nanos}");
    if token_name.len() > name_length {
        let mut cut = name_length;
        while !token_name.is_char_boundary(cut) {
            cut -= 1;
        }
        token_name.truncate(cut);
    }
    let body = json!({
        "ExpirationTTL": "",
        "AccessorID": "",
        "SecretID": "",
        "Name": token_name,
        "Type": role.token_type,
        "Policies": role.policies,
        "Roles": null,
        "Global": role.global,
        "CreateTime": "0001-01-01T00:00:00Z",
        "CreateIndex": 0,
        "ModifyIndex": 0,
    });
    let path = req.path.clone();
    Ok(Deferred::reply(
        async move { client.create_token(&body).await },
        move |state: &mut State, outcome: Result<(String, String), String>| {
            let (accessor_id, secret_id) = outcome.map_err(|e| internal(&e))?;
            leases::issue(
                state,
                &path,
                Secret {
                    data: json!({"accessor_id": accessor_id, "secret_id": secret_id}),
                    internal: json!({ "accessor_id": accessor_id }),
                    terms,
                    renewable: true,
                },
            )
        },
    ))
}

/// The lease engine of `nomad` mounts (secret_token.go): renewals count with the mount's
/// current `config/lease` and never call Nomad (its tokens have no expiry); revocation
/// deletes the token by accessor, and a Nomad error keeps the lease.
pub struct NomadLeases;

impl NomadLeases {
    pub fn shared() -> Arc<dyn LeaseEngine> {
        Arc::new(NomadLeases)
    }
}

impl LeaseEngine for NomadLeases {
    fn renew_terms(&self, state: &State, lease: &Lease) -> Result<LeaseTerms, String> {
        Ok(mount_of(state, &lease.path)
            .and_then(|(_, uuid, _)| backend(state, &uuid).and_then(|b| b.lease))
            .unwrap_or_default())
    }

    fn renew(
        &self,
        _state: &State,
        _lease: &Lease,
        _expires: SystemTime,
    ) -> Result<Option<EngineIo>, String> {
        Ok(None)
    }

    fn revoke(&self, state: &State, lease: &Lease) -> Result<Option<EngineIo>, String> {
        let conf = mount_of(state, &lease.path)
            .and_then(|(_, uuid, _)| backend(state, &uuid).and_then(|b| b.access.clone()))
            .unwrap_or_default();
        let client = NomadClient::new(&conf)?;
        let accessor = match lease.internal.get("accessor_id") {
            None => return Err("accessor_id is missing on the lease".into()),
            Some(Value::String(a)) => a.clone(),
            Some(_) => return Err("unable to convert accessor_id".into()),
        };
        Ok(Some(Box::pin(async move {
            client.delete_token(&accessor).await
        })))
    }
}

/// What Vault's Nomad API client is: address, token and TLS from `config/access`, else from
/// Vault's own environment (`NOMAD_ADDR`, `NOMAD_TOKEN`, `NOMAD_REGION`, `NOMAD_NAMESPACE`),
/// as `api.DefaultConfig` reads it.
struct NomadClient {
    http: reqwest::Client,
    address: String,
    token: String,
    query: Vec<(&'static str, String)>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl NomadClient {
    fn new(conf: &AccessConfig) -> Result<NomadClient, String> {
        let address = Some(conf.address.clone())
            .filter(|a| !a.is_empty())
            .or_else(|| env("NOMAD_ADDR"))
            .unwrap_or_else(|| DEFAULT_NOMAD_ADDR.to_string());
        let token = Some(conf.token.clone())
            .filter(|t| !t.is_empty())
            .or_else(|| env("NOMAD_TOKEN"))
            .unwrap_or_default();
        let mut builder = reqwest::Client::builder()
            .timeout(NOMAD_CALL_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none());
        if !conf.ca_cert.is_empty() {
            // Go's AppendCertsFromPEM: text without one certificate is an error.
            let bundle = reqwest::Certificate::from_pem_bundle(conf.ca_cert.as_bytes())
                .ok()
                .filter(|certs| !certs.is_empty())
                .ok_or_else(|| "Error loading CA File: Couldn't parse PEM".to_string())?;
            for ca in bundle {
                builder = builder.add_root_certificate(ca);
            }
        }
        if !conf.client_cert.is_empty() || !conf.client_key.is_empty() {
            let pem = format!("{}\n{}", conf.client_cert, conf.client_key);
            let identity = reqwest::Identity::from_pem(pem.as_bytes()).map_err(|e| {
                format!("tls: failed to find any PEM data in certificate input: {e}")
            })?;
            builder = builder.identity(identity);
        }
        let http = builder.build().map_err(|e| e.to_string())?;
        let mut query = Vec::new();
        if let Some(region) = env("NOMAD_REGION") {
            query.push(("region", region));
        }
        if let Some(namespace) = env("NOMAD_NAMESPACE") {
            query.push(("namespace", namespace));
        }
        Ok(NomadClient {
            http,
            address: address.trim_end_matches('/').to_string(),
            token,
            query,
        })
    }

    /// One call; `Ok` is the 200 body, `Err` the Go client's error text.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Vec<u8>, String> {
        let url = format!("{}{path}", self.address);
        // Go's url.Error names the method as `Put`, `Delete`.
        let op = {
            let m = method.as_str().to_ascii_lowercase();
            let mut chars = m.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        };
        let mut request = self.http.request(method, &url).query(&self.query);
        if !self.token.is_empty() {
            request = request.header("X-Nomad-Token", &self.token);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        let describe = |e: reqwest::Error| -> String {
            let host = url
                .split("://")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .unwrap_or_default();
            if e.is_connect() {
                format!("{op} {url:?}: dial tcp {host}: connect: connection refused")
            } else if e.is_timeout() {
                format!("{op} {url:?}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
            } else {
                format!("{op} {url:?}: {e}")
            }
        };
        let mut response = request.send().await.map_err(describe)?;
        let status = response.status().as_u16();
        let mut answer = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(describe)? {
            if answer.len() + chunk.len() > NOMAD_ANSWER_LIMIT {
                return Err(format!(
                    "{op} {url:?}: answer larger than {NOMAD_ANSWER_LIMIT} bytes"
                ));
            }
            answer.extend_from_slice(&chunk);
        }
        if status != 200 {
            let text = String::from_utf8_lossy(&answer).into_owned();
            return Err(if text.is_empty() {
                format!("Unexpected response code: {status}")
            } else {
                format!("Unexpected response code: {status} ({text})")
            });
        }
        Ok(answer)
    }

    fn token_fields(answer: &[u8]) -> Result<(String, String), String> {
        let token: Value = serde_json::from_slice(answer).map_err(|e| e.to_string())?;
        let field = |k: &str| {
            token
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        Ok((field("AccessorID"), field("SecretID")))
    }

    /// `ACLTokens().Bootstrap(nil)`: the bootstrap token's secret.
    async fn bootstrap(&self) -> Result<String, String> {
        let answer = self
            .call(reqwest::Method::PUT, "/v1/acl/bootstrap", None)
            .await?;
        Self::token_fields(&answer).map(|(_, secret)| secret)
    }

    /// `ACLTokens().Create`: `(accessor, secret)`.
    async fn create_token(&self, body: &Value) -> Result<(String, String), String> {
        let answer = self
            .call(reqwest::Method::PUT, "/v1/acl/token", Some(body))
            .await?;
        Self::token_fields(&answer)
    }

    /// `ACLTokens().Delete`.
    async fn delete_token(&self, accessor: &str) -> Result<(), String> {
        if accessor.is_empty() {
            return Err("missing accessor ID".into());
        }
        self.call(
            reqwest::Method::DELETE,
            &format!("/v1/acl/token/{accessor}"),
            None,
        )
        .await
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_follow_the_generic_name_regex() {
        assert!(valid_name("deployer"));
        assert!(valid_name("nomad-admin.v2"));
        assert!(valid_name("a"));
        assert!(!valid_name("-x"));
        assert!(!valid_name("x."));
        assert!(!valid_name("a/b"));
        assert!(!valid_name(""));
    }
}
