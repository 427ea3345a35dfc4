//! Leases: the leased answers of secrets engines and `sys/leases/*` (vault-api-engines.md §0,
//! §4; vault/expiration.go, vault/logical_system.go handleLeaseLookup/handleRenew/handleRevoke*,
//! sdk/framework/lease.go CalculateTTL).
//!
//! A lease is created by an engine's handler through [`issue`]; the ID is the request path plus
//! 24 base62 characters. Its TTL is the engine's, else the mount's tuned default, else the
//! system's 768h, capped at the lesser of the engine's max and the mount's max counted from
//! the issue time, with Vault's warning. It is renewed, looked up and revoked through
//! `sys/leases/*`; when the sandbox clock passes its expiry it is revoked (see
//! [`crate::server::Node::expire_leases`]; the handle's `advance_clock` runs that at once).
//!
//! # How a secrets engine plugs in
//!
//! An engine implements [`LeaseEngine`] and registers it for its mount type with
//! [`LeaseStore::register_engine`] (the built-in registrations are in [`LeaseStore::new`]).
//! Its callbacks run **with the node's state lock held**, so they never touch the network:
//! they read what they need from the state and the lease, and hand back the I/O to run
//! ([`EngineIo`]), which the front end awaits after releasing the lock. A failed I/O leaves
//! the lease in place and the request answers Vault's 400
//! `failed to revoke entry: resp: (*logical.Response)(nil) err: <the error>`
//! (`failed to renew entry: …` for a renewal).
//!
//! ```
//! use std::sync::Arc;
//! use std::time::SystemTime;
//! use vault_sandbox::leases::{EngineIo, Lease, LeaseEngine, LeaseStore, LeaseTerms, Secret};
//! use vault_sandbox::state::State;
//!
//! /// Revokes a credential by calling a remote system (here: pretending to).
//! struct ExampleEngine;
//!
//! impl LeaseEngine for ExampleEngine {
//!     fn revoke(&self, _state: &State, lease: &Lease) -> Result<Option<EngineIo>, String> {
//!         // Under the lock: read what the I/O needs (the account name the engine put in
//!         // `internal` when it issued the lease, the engine's connection settings…).
//!         let account = lease.internal["username"].as_str().unwrap_or_default().to_string();
//!         // Not under the lock: the network call.
//!         Ok(Some(Box::pin(async move {
//!             if account.is_empty() {
//!                 return Err("no username in the lease".to_string());
//!             }
//!             Ok(())
//!         })))
//!     }
//!
//!     // Optional: renewal terms from the engine's current role (default: the issue terms)
//!     // and the I/O that extends the credential on the remote side (default: none).
//!     fn renew(&self, _state: &State, _lease: &Lease, _expires: SystemTime)
//!         -> Result<Option<EngineIo>, String> {
//!         Ok(None)
//!     }
//! }
//!
//! // Registration (done once per node, e.g. in `LeaseStore::new` for a built-in engine):
//! let mut leases = LeaseStore::new(); // `state.leases` on a node
//! leases.register_engine("example", Arc::new(ExampleEngine));
//!
//! // A creds handler, after its own I/O created the account, answers with a lease:
//! // `leases::issue(state, &req.path, Secret { data, internal, terms, renewable: true })`
//! let _ = (Secret::default(), LeaseTerms { ttl: 3600, max_ttl: 86400 });
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::distributions::Alphanumeric;
use rand::Rng;
use serde_json::{json, Value};

use crate::api::{ApiError, Deferred, HandlerResult, Logical, Method, Reply, Request};
use crate::auth::{has_sudo, Caller};
use crate::flavor::Flavor;
use crate::mounts::{child_keys, SYSTEM_LEASE_TTL};
use crate::state::State;
use crate::token::fields::{self, go_duration, rfc3339};

/// The network I/O an engine's renewal or revocation needs, run without the state lock.
/// `Err` carries the engine's error text (quoted in Vault's 400).
pub type EngineIo = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// What a secrets engine does on the remote system when one of its leases is renewed or
/// revoked (Vault's `framework.Secret` Renew and Revoke). Both callbacks run under the
/// node's state lock and must not block; the I/O they return runs after it is released.
pub trait LeaseEngine: Send + Sync {
    /// The TTL and max TTL a renewal counts with (the database engine reads the role's
    /// current `default_ttl`/`max_ttl`, the Nomad engine its `config/lease`). `Err` fails
    /// the renewal with the engine's text. Default: the terms the lease was issued with.
    fn renew_terms(&self, _state: &State, lease: &Lease) -> Result<LeaseTerms, String> {
        Ok(lease.terms)
    }

    /// The I/O that extends the secret until `expires` (the database engine's renew
    /// statements with `{{expiration}}`). Default: nothing to do remotely.
    fn renew(
        &self,
        _state: &State,
        _lease: &Lease,
        _expires: SystemTime,
    ) -> Result<Option<EngineIo>, String> {
        Ok(None)
    }

    /// The I/O that revokes the secret (revocation statements, `DELETE /v1/acl/token/:id`).
    /// `Ok(None)`: nothing to do remotely.
    fn revoke(&self, state: &State, lease: &Lease) -> Result<Option<EngineIo>, String>;
}

/// An engine's lease settings in seconds; 0 means "the mount's value".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeaseTerms {
    pub ttl: u64,
    pub max_ttl: u64,
}

/// What an engine's handler hands to [`issue`] (Vault's `logical.Secret` plus the data).
#[derive(Clone, Default)]
pub struct Secret {
    /// The response's `data` (e.g. username and password), returned once to the caller.
    pub data: Value,
    /// Engine-private facts the renew and revoke callbacks need (never shown).
    pub internal: Value,
    pub terms: LeaseTerms,
    pub renewable: bool,
}

/// One lease. `Debug` never shows `data` or `internal` (they hold credentials).
#[derive(Clone)]
pub struct Lease {
    pub id: String,
    /// The request path that created it: `database/creds/accessdb`.
    pub path: String,
    /// The mount type whose engine renews and revokes it.
    pub engine: String,
    pub data: Value,
    pub internal: Value,
    pub terms: LeaseTerms,
    pub renewable: bool,
    pub issue_time: SystemTime,
    pub expire_time: SystemTime,
    pub last_renewal: Option<SystemTime>,
    /// Failed revocations after expiry; Vault gives up (irrevocable) after 6.
    revoke_attempts: u8,
    /// No expiry revocation before this (Vault's exponential backoff, 10 s base).
    retry_after: Option<SystemTime>,
    /// An expiry revocation is running (its I/O is in flight).
    expiring: bool,
}

impl fmt::Debug for Lease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lease")
            .field("id", &self.id)
            .field("engine", &self.engine)
            .field("expire_time", &self.expire_time)
            .finish_non_exhaustive()
    }
}

/// Vault's retry budget for revoking an expired lease (expiration.go maxRevokeAttempts).
const MAX_REVOKE_ATTEMPTS: u8 = 6;

/// Every lease of a node and the engines that renew and revoke them.
#[derive(Default)]
pub struct LeaseStore {
    leases: BTreeMap<String, Lease>,
    engines: BTreeMap<String, Arc<dyn LeaseEngine>>,
}

impl fmt::Debug for LeaseStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeaseStore")
            .field("leases", &self.leases.len())
            .field("engines", &self.engines.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl LeaseStore {
    /// An empty store with the built-in engines registered (one line per engine).
    pub fn new() -> Self {
        let mut store = LeaseStore::default();
        store.register_engine("nomad", crate::nomad_secrets::NomadLeases::shared());
        store.register_engine("database", Arc::new(crate::database::DatabaseLeases));
        store
    }

    /// Makes `engine` renew and revoke the leases issued under mounts of `mount_type`.
    pub fn register_engine(&mut self, mount_type: &str, engine: Arc<dyn LeaseEngine>) {
        self.engines.insert(mount_type.to_string(), engine);
    }

    pub fn get(&self, id: &str) -> Option<&Lease> {
        self.leases.get(id)
    }

    /// Lease IDs, sorted.
    pub fn ids(&self) -> Vec<String> {
        self.leases.keys().cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.leases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.leases.is_empty()
    }

    fn engine_for(&self, lease: &Lease) -> Option<Arc<dyn LeaseEngine>> {
        self.engines.get(&lease.engine).cloned()
    }
}

/// 24 base62 characters (Vault's `base62.Random(TokenLength)`).
fn lease_suffix() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect()
}

fn unix(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A TTL and the warnings capping it produced (sdk/framework/lease.go CalculateTTL, the
/// non-periodic branch): `increment`, else the engine's TTL, else the mount default; never
/// past `start` + min(engine max, mount max). Times count in whole seconds, as Vault's do.
fn calculate_ttl(
    now: SystemTime,
    start: SystemTime,
    increment: u64,
    terms: LeaseTerms,
    (mount_default, mount_max): (u64, u64),
) -> Result<(u64, Vec<String>), String> {
    let max = if terms.max_ttl > 0 && terms.max_ttl < mount_max {
        terms.max_ttl
    } else {
        mount_max
    };
    let ttl = [increment, terms.ttl, mount_default]
        .into_iter()
        .find(|t| *t > 0)
        .unwrap_or(0);
    let max_valid = unix(start) + max as i64 - unix(now);
    if max_valid < 0 {
        return Err("past the max TTL, cannot renew".to_string());
    }
    let max_valid = max_valid as u64;
    if max_valid < ttl {
        let warning = format!(
            "TTL of {:?} exceeded the effective max_ttl of {:?}; TTL value is capped accordingly",
            go_duration(ttl),
            go_duration(max_valid)
        );
        return Ok((max_valid, vec![warning]));
    }
    Ok((ttl, Vec::new()))
}

/// The default and max TTL of the mount that owns `path` (system values if it is gone).
fn mount_ttls(state: &State, path: &str) -> (u64, u64) {
    state
        .mounts
        .secret_mount_of(path)
        .map(|m| m.lease_ttls())
        .unwrap_or((SYSTEM_LEASE_TTL, SYSTEM_LEASE_TTL))
}

/// Registers a leased secret answering `request_path` and builds the reply: `data`, the
/// lease ID, `renewable`, `lease_duration`, and the capping warning if any (vault/
/// request_handling.go: CalculateTTL then expiration.Register).
pub fn issue(state: &mut State, request_path: &str, secret: Secret) -> HandlerResult {
    let now = state.clock.now();
    let engine = state
        .mounts
        .secret_mount_of(request_path)
        .map(|m| m.kind.clone())
        .ok_or_else(|| ApiError::no_handler(request_path))?;
    let (ttl, warnings) = calculate_ttl(now, now, 0, secret.terms, mount_ttls(state, request_path))
        .map_err(ApiError::internal)?;
    let id = format!("{request_path}/{}", lease_suffix());
    state.leases.leases.insert(
        id.clone(),
        Lease {
            id: id.clone(),
            path: request_path.to_string(),
            engine,
            data: secret.data.clone(),
            internal: secret.internal,
            terms: secret.terms,
            renewable: secret.renewable,
            issue_time: now,
            expire_time: now + Duration::from_secs(ttl),
            last_renewal: None,
            revoke_attempts: 0,
            retry_after: None,
            expiring: false,
        },
    );
    Ok(Reply::Logical(Logical {
        data: Some(secret.data),
        warnings,
        renewable: secret.renewable,
        lease_duration: ttl,
        lease_id: id,
        ..Default::default()
    }))
}

/// The endpoints under `sys/leases/` and their legacy names (`sys/renew`, `sys/revoke`,
/// `sys/revoke-prefix`, `sys/revoke-force`).
enum Endpoint {
    Lookup,
    LookupList(String),
    Renew(String),
    Revoke(String),
    RevokePrefix { prefix: String, force: bool },
}

fn endpoint(req: &Request) -> Option<Endpoint> {
    let rest = req.path.strip_prefix("sys/")?;
    let rest = rest.strip_prefix("leases/").unwrap_or(rest);
    let (verb, arg) = match rest.split_once('/') {
        Some((verb, arg)) => (verb, arg.to_string()),
        None => (rest, String::new()),
    };
    let with_slash = |arg: String| {
        if req.trailing_slash && !arg.is_empty() {
            format!("{arg}/")
        } else {
            arg
        }
    };
    let legacy = !req.path.starts_with("sys/leases/");
    Some(match verb {
        "lookup" if !legacy && req.method == Method::List => Endpoint::LookupList(arg),
        "lookup" if !legacy && arg.is_empty() => Endpoint::Lookup,
        "renew" => Endpoint::Renew(arg),
        "revoke" => Endpoint::Revoke(arg),
        "revoke-prefix" if !arg.is_empty() => Endpoint::RevokePrefix {
            prefix: with_slash(arg),
            force: false,
        },
        "revoke-force" if !arg.is_empty() => Endpoint::RevokePrefix {
            prefix: with_slash(arg),
            force: true,
        },
        _ => return None,
    })
}

fn unsupported_operation() -> ApiError {
    ApiError::new(405, "1 error occurred:\n\t* unsupported operation\n\n")
}

/// `lease_id` from the body, else from the URL (the body wins, as in handleRenew).
fn lease_id(req: &Request, from_url: &str) -> Result<String, ApiError> {
    let id = req
        .str_field("lease_id")
        .filter(|s| !s.is_empty())
        .unwrap_or(from_url)
        .to_string();
    if id.is_empty() {
        return Err(ApiError::bad_request("lease_id must be specified"));
    }
    Ok(id)
}

/// Everything under `sys/leases/` (and the legacy `sys/renew`, `sys/revoke*`).
pub fn handle(state: &mut State, caller: &Caller, req: &Request) -> HandlerResult {
    let Some(endpoint) = endpoint(req) else {
        return Err(ApiError::unsupported_path());
    };
    let sudo_path = match &endpoint {
        Endpoint::LookupList(_) | Endpoint::RevokePrefix { .. } => Some(format!("{}/", req.path)),
        _ => None,
    };
    // logical_system.go PathsSpecial.Root: leases/lookup/*, leases/revoke-prefix/*,
    // leases/revoke-force/*, revoke-prefix/*, revoke-force/*.
    if let Some(path) = sudo_path {
        if !has_sudo(state, caller, &path) {
            return Err(ApiError::acl_denied());
        }
    }
    let write = req.method.is_write();
    let sync = fields::get(req, "sync", fields::parse_bool)?.unwrap_or(true);
    match endpoint {
        Endpoint::Lookup if write => lookup(state, req),
        Endpoint::LookupList(prefix) => lookup_list(state, &prefix),
        Endpoint::Renew(url_id) if write => {
            let id = lease_id(req, &url_id)?;
            let increment = fields::get(req, "increment", fields::parse_duration)?
                .unwrap_or(0)
                .max(0) as u64;
            renew(state, id, increment)
        }
        Endpoint::Revoke(url_id) if write => {
            let id = lease_id(req, &url_id)?;
            if sync {
                revoke(state, &id, false, |e| e)
            } else {
                revoke_lazily(state, &id);
                Ok(Reply::Empty { status: 202 })
            }
        }
        Endpoint::RevokePrefix { prefix, force } if write => {
            // revoke-force is always synchronous (handleRevokeForce).
            let sync = sync || force;
            revoke_prefix(state, &prefix, force, sync)
        }
        _ => Err(unsupported_operation()),
    }
}

/// `PUT sys/leases/lookup {"lease_id"}` (handleLeaseLookup).
fn lookup(state: &mut State, req: &Request) -> HandlerResult {
    let id = req.str_field("lease_id").unwrap_or_default();
    if id.is_empty() {
        return Err(ApiError::bad_request("lease_id must be specified"));
    }
    let now = state.clock.now();
    let lease = state
        .leases
        .get(id)
        .ok_or_else(|| ApiError::bad_request("invalid lease"))?;
    let ttl = unix(lease.expire_time) - unix(now);
    let mut data = json!({
        "id": id,
        "issue_time": rfc3339(lease.issue_time),
        "expire_time": rfc3339(lease.expire_time),
        "last_renewal": lease.last_renewal.map(rfc3339),
        "renewable": renewable(lease, now).is_ok(),
        "ttl": ttl,
    });
    if state.flavor == Flavor::OpenBao {
        data["path"] = json!(lease.path);
    }
    Ok(Reply::Logical(Logical::data(data)))
}

/// `LIST sys/leases/lookup/<prefix>/`: the lease IDs and folders directly under it.
fn lookup_list(state: &State, prefix: &str) -> HandlerResult {
    let prefix = prefix.trim_matches('/');
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    let keys = child_keys(state.leases.leases.keys(), &prefix);
    if keys.is_empty() {
        return Err(ApiError::not_found());
    }
    Ok(Reply::Logical(Logical::data(json!({ "keys": keys }))))
}

/// Vault's `leaseEntry.renewable`.
fn renewable(lease: &Lease, now: SystemTime) -> Result<(), String> {
    if lease.expire_time <= now {
        return Err("lease expired".to_string());
    }
    if !lease.renewable {
        return Err("lease is not renewable".to_string());
    }
    Ok(())
}

fn renew_failure(err: &str) -> ApiError {
    ApiError::bad_request(format!(
        "failed to renew entry: resp: (*logical.Response)(nil) err: {err}"
    ))
}

fn revoke_failure(err: &str) -> ApiError {
    ApiError::bad_request(format!(
        "failed to revoke entry: resp: (*logical.Response)(nil) err: {err}"
    ))
}

/// `PUT sys/leases/renew` (expiration.go Renew): the engine's terms and I/O, then the TTL
/// counted from the issue time.
fn renew(state: &mut State, id: String, increment: u64) -> HandlerResult {
    let now = state.clock.now();
    let lease = state
        .leases
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::bad_request("lease not found"))?;
    renewable(&lease, now).map_err(ApiError::bad_request)?;
    let engine = state.leases.engine_for(&lease);
    let terms = match &engine {
        Some(engine) => engine
            .renew_terms(state, &lease)
            .map_err(|e| renew_failure(&e))?,
        None => lease.terms,
    };
    let (ttl, warnings) = calculate_ttl(
        now,
        lease.issue_time,
        increment,
        terms,
        mount_ttls(state, &lease.path),
    )
    .map_err(ApiError::bad_request)?;
    let expires = now + Duration::from_secs(ttl);
    let io = match &engine {
        Some(engine) => engine
            .renew(state, &lease, expires)
            .map_err(|e| renew_failure(&e))?,
        None => None,
    };
    let finish = move |state: &mut State| -> HandlerResult {
        if let Some(lease) = state.leases.leases.get_mut(&id) {
            lease.expire_time = expires;
            lease.last_renewal = Some(now);
            lease.terms = terms;
        }
        Ok(Reply::Logical(Logical {
            lease_id: id,
            renewable: true,
            lease_duration: ttl,
            warnings,
            ..Default::default()
        }))
    };
    match io {
        None => finish(state),
        Some(io) => Ok(Deferred::reply(
            io,
            move |state, outcome: Result<(), String>| {
                outcome.map_err(|e| renew_failure(&e))?;
                finish(state)
            },
        )),
    }
}

/// The I/O that revokes `lease` (none for an engine without one).
fn revocation_io(state: &State, lease: &Lease) -> Result<Option<EngineIo>, String> {
    match state.leases.engine_for(lease) {
        Some(engine) => engine.revoke(state, lease),
        None => Ok(None),
    }
}

/// Revokes one lease now (expiration.go revokeCommon): 204 when it is gone or was never
/// there; an engine failure leaves it and answers 400 (`wrap` frames the error text, as
/// revoke-prefix does); `force` drops it whatever the engine said.
fn revoke(
    state: &mut State,
    id: &str,
    force: bool,
    wrap: impl FnOnce(String) -> String + Send + 'static,
) -> HandlerResult {
    let Some(lease) = state.leases.get(id).cloned() else {
        return Ok(Reply::NoContent);
    };
    let id = id.to_string();
    let settle = move |state: &mut State, outcome: Result<(), String>| -> HandlerResult {
        match outcome {
            Err(e) if !force => Err(ApiError::bad_request(wrap(
                revoke_failure(&e).errors.join(""),
            ))),
            _ => {
                state.leases.leases.remove(&id);
                Ok(Reply::NoContent)
            }
        }
    };
    match revocation_io(state, &lease) {
        Ok(Some(io)) => Ok(Deferred::reply(io, settle)),
        Ok(None) => settle(state, Ok(())),
        Err(e) => settle(state, Err(e)),
    }
}

/// `sync: false` (expiration.go LazyRevoke): the lease expires now and the expiry sweep
/// revokes it.
fn revoke_lazily(state: &mut State, id: &str) {
    let now = state.clock.now();
    if let Some(lease) = state.leases.leases.get_mut(id) {
        lease.expire_time = now;
        lease.retry_after = None;
    }
}

/// `sys/leases/revoke-prefix/<p>` and `revoke-force/<p>` (expiration.go revokePrefixCommon):
/// a prefix that is itself a lease ID revokes that lease; else every lease under `<p>/`, in
/// order, stopping at the first failure.
fn revoke_prefix(state: &mut State, prefix: &str, force: bool, sync: bool) -> HandlerResult {
    if !prefix.ends_with('/') && state.leases.get(prefix).is_some() {
        if !sync {
            revoke_lazily(state, prefix);
            return Ok(Reply::Empty { status: 202 });
        }
        let quoted = format!("{prefix:?}");
        return revoke(state, prefix, force, move |e| {
            format!("failed to revoke {quoted}: {e}")
        });
    }
    let prefix = if prefix.ends_with('/') {
        prefix.to_string()
    } else {
        format!("{prefix}/")
    };
    let ids: VecDeque<String> = state
        .leases
        .leases
        .keys()
        .filter(|id| id.starts_with(&prefix))
        .cloned()
        .collect();
    if !sync {
        for id in &ids {
            revoke_lazily(state, id);
        }
        return Ok(Reply::Empty { status: 202 });
    }
    let total = ids.len();
    revoke_each(state, ids, total, force)
}

/// Revokes `ids` one after the other; each may defer for its I/O and continues with the rest.
fn revoke_each(
    state: &mut State,
    mut ids: VecDeque<String>,
    total: usize,
    force: bool,
) -> HandlerResult {
    while let Some(id) = ids.pop_front() {
        let index = total - ids.len();
        let quoted = format!("{id:?}");
        let answer = revoke(state, &id, force, move |e| {
            format!("failed to revoke {quoted} ({index} / {total}): {e}")
        })?;
        if let Reply::Deferred(deferred) = answer {
            let rest = ids;
            return Ok(Deferred::reply(
                deferred.run(),
                move |state, then: crate::api::Continuation| {
                    then(state)?;
                    revoke_each(state, rest, total, force)
                },
            ));
        }
    }
    Ok(Reply::NoContent)
}

/// An expiry revocation the node runs without its lock: the lease and its I/O.
pub struct Expiry {
    pub lease_id: String,
    pub io: Option<EngineIo>,
}

/// Takes the leases whose expiry has passed (and whose retry time has come), marks them as
/// being revoked, and hands back their revocation I/O. An engine that cannot even prepare
/// counts as a failed attempt.
pub fn due_expiries(state: &mut State) -> Vec<Expiry> {
    let now = state.clock.now();
    let due: Vec<Lease> = state
        .leases
        .leases
        .values()
        .filter(|l| l.expire_time <= now && !l.expiring)
        .filter(|l| l.revoke_attempts < MAX_REVOKE_ATTEMPTS)
        .filter(|l| l.retry_after.is_none_or(|t| t <= now))
        .cloned()
        .collect();
    let mut expiries = Vec::new();
    for lease in due {
        match revocation_io(state, &lease) {
            Ok(io) => {
                if let Some(l) = state.leases.leases.get_mut(&lease.id) {
                    l.expiring = true;
                }
                expiries.push(Expiry {
                    lease_id: lease.id,
                    io,
                });
            }
            Err(_) => expiry_failed(state, &lease.id, now),
        }
    }
    expiries
}

/// Records the outcome of an expiry revocation: gone on success; on failure kept, retried
/// with Vault's backoff (10 s × 2^attempt), irrevocable after 6 attempts.
pub fn finish_expiry(state: &mut State, lease_id: &str, outcome: Result<(), String>) {
    let now = state.clock.now();
    match outcome {
        Ok(()) => {
            state.leases.leases.remove(lease_id);
        }
        Err(_) => expiry_failed(state, lease_id, now),
    }
}

fn expiry_failed(state: &mut State, lease_id: &str, now: SystemTime) {
    if let Some(lease) = state.leases.leases.get_mut(lease_id) {
        lease.expiring = false;
        lease.revoke_attempts += 1;
        let backoff = 10u64 << u32::from(lease.revoke_attempts.min(16));
        lease.retry_after = Some(now + Duration::from_secs(backoff));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn ttl_is_increment_then_engine_then_mount_default() {
        let terms = LeaseTerms {
            ttl: 3600,
            max_ttl: 0,
        };
        let mount = (7200, 86400);
        assert_eq!(calculate_ttl(at(0), at(0), 60, terms, mount).unwrap().0, 60);
        assert_eq!(
            calculate_ttl(at(0), at(0), 0, terms, mount).unwrap().0,
            3600
        );
        let none = LeaseTerms::default();
        assert_eq!(calculate_ttl(at(0), at(0), 0, none, mount).unwrap().0, 7200);
    }

    #[test]
    fn ttl_is_capped_from_the_issue_time_with_vaults_warning() {
        let terms = LeaseTerms {
            ttl: 3600,
            max_ttl: 7200,
        };
        let (ttl, warnings) = calculate_ttl(
            at(5400),
            at(0),
            0,
            terms,
            (SYSTEM_LEASE_TTL, SYSTEM_LEASE_TTL),
        )
        .unwrap();
        assert_eq!(ttl, 1800);
        assert_eq!(
            warnings,
            vec![
                "TTL of \"1h0m0s\" exceeded the effective max_ttl of \"30m0s\"; TTL value is capped accordingly"
            ]
        );
        let past = calculate_ttl(at(7201), at(0), 0, terms, (3600, 86400));
        assert_eq!(past, Err("past the max TTL, cannot renew".to_string()));
    }
}
