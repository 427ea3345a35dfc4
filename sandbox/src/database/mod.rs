//! The database secrets engine with `postgresql-database-plugin` (vault-api-engines.md §3, §7),
//! connecting to a real PostgreSQL.
//!
//! Paths under a `database` mount: `config` (LIST), `config/:name`, `roles` (LIST),
//! `roles/:name`, `creds/:role`, `rotate-root/:name`, `reset/:name`; leases of `creds` renew
//! and revoke through `sys/leases/*` with [`DatabaseLeases`].
//!
//! Handlers run under the node's state lock and never touch the network: what needs
//! PostgreSQL (verifying a connection, creating a user, rotating the root password) is
//! answered as an [`api::Deferred`](crate::api::Deferred) whose I/O the front end awaits after
//! releasing the lock; its continuation takes the lock again, finds the mount's data anew
//! (by the mount's UUID, which a remount changes) and stores the result.
//!
//! Upstream: builtin/logical/database/{path_config_connection_ce.go, path_roles.go,
//! path_creds_create.go, path_rotate_credentials.go, secret_creds.go, backend.go}.

mod connection;
mod credentials;
mod postgres;
mod role;
mod statements;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};

use crate::api::{ApiError, Deferred, HandlerResult, Logical, Method, Reply, Request};
use crate::auth::Caller;
use crate::leases::{self, EngineIo, Lease, LeaseEngine, LeaseTerms, Secret};
use crate::state::State;

pub use connection::{Connection, POSTGRESQL_PLUGIN};
pub use postgres::Plugin;
pub use role::Role;

/// What one `database` mount holds.
#[derive(Debug, Default)]
struct MountData {
    connections: BTreeMap<String, Connection>,
    roles: BTreeMap<String, Role>,
}

/// The data of every `database` mount of a node, by mount UUID.
#[derive(Debug, Default)]
pub struct DatabaseStore {
    mounts: BTreeMap<String, MountData>,
}

impl DatabaseStore {
    fn mount(&mut self, uuid: &str) -> &mut MountData {
        self.mounts.entry(uuid.to_string()).or_default()
    }

    fn get(&self, uuid: &str) -> Option<&MountData> {
        self.mounts.get(uuid)
    }
}

/// A 500 as Vault renders a handler's error: a multierror of one.
fn internal(message: &str) -> ApiError {
    ApiError::internal(format!("1 error occurred:\n\t* {message}\n\n"))
}

fn unsupported_operation() -> ApiError {
    ApiError::new(405, "1 error occurred:\n\t* unsupported operation\n\n")
}

fn missing_connection(name: &str) -> String {
    format!("failed to find entry for connection with name: {name:?}")
}

/// `framework.GenericNameRegex`: `\w(([\w-.]+)?\w)?`.
fn is_name(name: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let first = name.chars().next();
    let last = name.chars().next_back();
    first.is_some_and(word)
        && last.is_some_and(word)
        && name.chars().all(|c| word(c) || c == '-' || c == '.')
}

/// The mount owning `path`: its UUID and the path below it (`config/postgresql`).
fn locate(state: &State, path: &str) -> Option<(String, String)> {
    let mount = state.mounts.secret_mount_of(path)?;
    (mount.kind == "database").then(|| {
        (
            mount.uuid.clone(),
            path.get(mount.path.len()..).unwrap_or_default().to_string(),
        )
    })
}

/// For the router's ACL operation: `Some(false)` when a write would create a connection or
/// a role (those paths have an existence check; the others always need `update`).
pub fn exists(state: &State, path: &str) -> Option<bool> {
    let (uuid, rest) = locate(state, path)?;
    let data = state.databases.get(&uuid);
    if let Some(name) = rest.strip_prefix("config/") {
        return Some(data.is_some_and(|d| d.connections.contains_key(name)));
    }
    if let Some(name) = rest.strip_prefix("roles/") {
        return Some(data.is_some_and(|d| d.roles.contains_key(name)));
    }
    None
}

/// Every request under a `database` mount.
pub fn handle(state: &mut State, caller: &Caller, req: &Request) -> HandlerResult {
    let Some((uuid, rest)) = locate(state, &req.path) else {
        return Err(ApiError::unsupported_path());
    };
    let (section, name) = match rest.split_once('/') {
        Some((section, name)) => (section, Some(name)),
        None => (rest.as_str(), None),
    };
    if name.is_some_and(|n| !is_name(n)) {
        return Err(ApiError::unsupported_path());
    }
    match (section, name, req.method) {
        ("config", None, Method::List) => {
            let keys = state
                .databases
                .get(&uuid)
                .map(|d| d.connections.keys().cloned().collect())
                .unwrap_or_default();
            list(keys)
        }
        ("roles", None, Method::List) => {
            let keys = state
                .databases
                .get(&uuid)
                .map(|d| d.roles.keys().cloned().collect())
                .unwrap_or_default();
            list(keys)
        }
        ("config", Some(name), method) => config(state, &uuid, name, method, req),
        ("roles", Some(name), method) => roles(state, &uuid, name, method, req),
        ("creds", Some(name), Method::Get) => creds(state, caller, &uuid, name, req),
        ("rotate-root", Some(name), m) if m.is_write() => rotate_root(state, &uuid, name),
        ("reset", Some(name), m) if m.is_write() => reset(state, &uuid, name),
        ("creds" | "rotate-root" | "reset", Some(_), _) => Err(unsupported_operation()),
        _ => Err(ApiError::unsupported_path()),
    }
}

fn list(keys: Vec<String>) -> HandlerResult {
    if keys.is_empty() {
        return Err(ApiError::not_found());
    }
    Ok(Reply::Logical(Logical::data(json!({ "keys": keys }))))
}

fn config(
    state: &mut State,
    uuid: &str,
    name: &str,
    method: Method,
    req: &Request,
) -> HandlerResult {
    match method {
        Method::Get => {
            let flavor = state.flavor;
            state
                .databases
                .get(uuid)
                .and_then(|d| d.connections.get(name))
                .map(|c| Reply::Logical(Logical::data(c.read(flavor))))
                .ok_or_else(ApiError::not_found)
        }
        Method::Put | Method::Post => {
            let existing = state
                .databases
                .get(uuid)
                .and_then(|d| d.connections.get(name))
                .cloned();
            let (connection, plugin) = Connection::write(existing.as_ref(), req)?;
            let (uuid, name) = (uuid.to_string(), name.to_string());
            if !connection.verify_connection {
                return Ok(store_connection(state, &uuid, name, connection));
            }
            Ok(Deferred::reply(
                async move { plugin.verify().await },
                move |state: &mut State, verified: Result<(), String>| {
                    verified.map_err(|e| {
                        ApiError::bad_request(format!("error creating database object: {e}"))
                    })?;
                    Ok(store_connection(state, &uuid, name, connection))
                },
            ))
        }
        Method::Delete => {
            state.databases.mount(uuid).connections.remove(name);
            Ok(Reply::NoContent)
        }
        _ => Err(unsupported_operation()),
    }
}

/// Stores a written connection (its plugin instance now exists) and answers 204, or 200
/// with the literal-password warning.
fn store_connection(
    state: &mut State,
    uuid: &str,
    name: String,
    mut connection: Connection,
) -> Reply {
    connection.loaded = true;
    let warnings = connection.write_warnings();
    state
        .databases
        .mount(uuid)
        .connections
        .insert(name, connection);
    if warnings.is_empty() {
        Reply::NoContent
    } else {
        Reply::Logical(Logical {
            warnings,
            ..Default::default()
        })
    }
}

fn roles(
    state: &mut State,
    uuid: &str,
    name: &str,
    method: Method,
    req: &Request,
) -> HandlerResult {
    let data = state.databases.mount(uuid);
    match method {
        Method::Get => data
            .roles
            .get(name)
            .map(|r| Reply::Logical(Logical::data(r.read())))
            .ok_or_else(ApiError::not_found),
        Method::Put | Method::Post => {
            let role = Role::write(data.roles.get(name), req)?;
            data.roles.insert(name.to_string(), role);
            Ok(Reply::NoContent)
        }
        Method::Delete => {
            data.roles.remove(name);
            Ok(Reply::NoContent)
        }
        _ => Err(unsupported_operation()),
    }
}

/// The connection a role or lease names, cloned, with its plugin: Vault's `GetConnection`
/// up to the connection check (`Err` is the text of its 500).
fn connection_for(
    state: &State,
    uuid: &str,
    db_name: &str,
) -> Result<(Connection, Plugin), String> {
    let connection = state
        .databases
        .get(uuid)
        .and_then(|d| d.connections.get(db_name))
        .cloned()
        .ok_or_else(|| missing_connection(db_name))?;
    let plugin = connection.plugin()?;
    Ok((connection, plugin))
}

/// Loads the plugin instance when Vault would have none (connection check first), then runs
/// `op`; reports whether an instance exists afterwards.
async fn with_instance<F>(plugin: &Plugin, loaded: bool, op: F) -> (Result<(), String>, bool)
where
    F: std::future::Future<Output = Result<(), String>>,
{
    if !loaded {
        if let Err(e) = plugin.verify().await {
            return (Err(e), false);
        }
    }
    (op.await, true)
}

fn mark_loaded(state: &mut State, uuid: &str, db_name: &str, loaded: bool) {
    if let Some(c) = state.databases.mount(uuid).connections.get_mut(db_name) {
        c.loaded = loaded;
    }
}

/// `GET database/creds/:role` (§3.4): checks in Vault's order, then the creation statements
/// run on PostgreSQL without the lock, then the leased answer.
fn creds(
    state: &mut State,
    caller: &Caller,
    uuid: &str,
    name: &str,
    req: &Request,
) -> HandlerResult {
    let role = state
        .databases
        .get(uuid)
        .and_then(|d| d.roles.get(name))
        .cloned()
        .ok_or_else(|| ApiError::bad_request(format!("unknown role: {name}")))?;
    let connection = state
        .databases
        .get(uuid)
        .and_then(|d| d.connections.get(&role.db_name))
        .cloned()
        .ok_or_else(|| internal(&missing_connection(&role.db_name)))?;
    if !connection.allows(name) {
        return Err(internal(&format!("{name:?} is not an allowed role")));
    }
    if role.credential_type != "password" {
        return Err(ApiError::bad_request(format!(
            "unsupported credential_type: {:?}",
            role.credential_type
        )));
    }
    let plugin = connection.plugin().map_err(|e| internal(&e))?;
    let loaded = connection.loaded;
    if loaded && role.creation.is_empty() {
        return Err(internal("empty creation statements"));
    }
    let now = state.clock.now();
    let (mount_default, mount_max) = state
        .mounts
        .secret_mount_of(&req.path)
        .map(|m| m.lease_ttls())
        .unwrap_or((
            crate::mounts::SYSTEM_LEASE_TTL,
            crate::mounts::SYSTEM_LEASE_TTL,
        ));
    let ttl = lease_ttl(&role, mount_default, mount_max);
    // A small buffer past the lease, as Vault adds, so the role outlives it.
    let expiration = credentials::expiration(now + Duration::from_secs(ttl + 5));
    let username = credentials::username(&caller.display_name, name, now);
    let password = credentials::password();
    let (uuid, path, role_name) = (uuid.to_string(), req.path.clone(), name.to_string());
    let io = {
        let (username, password) = (username.clone(), password.clone());
        let creation = role.creation.clone();
        async move {
            with_instance(&plugin, loaded, async {
                if creation.is_empty() {
                    return Err("empty creation statements".to_string());
                }
                plugin
                    .new_user(&creation, &username, &password, &expiration)
                    .await
            })
            .await
        }
    };
    Ok(Deferred::reply(
        io,
        move |state: &mut State, (outcome, loaded)| {
            mark_loaded(state, &uuid, &role.db_name, loaded);
            outcome.map_err(|e| internal(&e))?;
            leases::issue(
                state,
                &path,
                Secret {
                    data: json!({"username": username, "password": password}),
                    internal: json!({
                        "username": username,
                        "role": role_name,
                        "db_name": role.db_name,
                        "revocation_statements": role.revocation,
                    }),
                    terms: LeaseTerms {
                        ttl: role.default_ttl,
                        max_ttl: role.max_ttl,
                    },
                    renewable: true,
                },
            )
        },
    ))
}

/// `framework.CalculateTTL` for a fresh secret: the role's TTL, else the mount's, capped by
/// the lesser of the role's and the mount's max.
fn lease_ttl(role: &Role, mount_default: u64, mount_max: u64) -> u64 {
    let max = if role.max_ttl > 0 && role.max_ttl < mount_max {
        role.max_ttl
    } else {
        mount_max
    };
    let ttl = if role.default_ttl > 0 {
        role.default_ttl
    } else {
        mount_default
    };
    ttl.min(max)
}

/// `POST database/rotate-root/:name` (§3.5).
fn rotate_root(state: &mut State, uuid: &str, name: &str) -> HandlerResult {
    let connection = state
        .databases
        .get(uuid)
        .and_then(|d| d.connections.get(name))
        .cloned()
        .ok_or_else(|| internal(&missing_connection(name)))?;
    if connection.detail("username").is_empty() {
        return Err(internal(
            "unable to rotate root credentials: no username in configuration",
        ));
    }
    if connection.detail("password").is_empty() && connection.detail("private_key").is_empty() {
        return Err(internal(
            "unable to rotate root credentials: both private_key and password fields are missing from the configuration",
        ));
    }
    let plugin = connection.plugin().map_err(|e| internal(&e))?;
    let new_password = credentials::password();
    let statements = connection.root_rotation_statements.clone();
    let (uuid, name) = (uuid.to_string(), name.to_string());
    let io = {
        let new_password = new_password.clone();
        async move {
            with_instance(&plugin, connection.loaded, async {
                plugin
                    .rotate_root(&statements, &new_password)
                    .await
                    .map_err(|e| format!("failed to update user: {e}"))
            })
            .await
        }
    };
    Ok(Deferred::reply(
        io,
        move |state: &mut State, (outcome, _)| {
            // The instance is closed and dropped whatever happened.
            mark_loaded(state, &uuid, &name, false);
            outcome.map_err(|e| internal(&e))?;
            if let Some(c) = state.databases.mount(&uuid).connections.get_mut(&name) {
                c.details
                    .insert("password".into(), Value::String(new_password));
            }
            Ok(Reply::NoContent)
        },
    ))
}

/// `POST database/reset/:name`: the instance is dropped and made again, with a connection
/// check whose failure is a 500.
fn reset(state: &mut State, uuid: &str, name: &str) -> HandlerResult {
    mark_loaded(state, uuid, name, false);
    let (_, plugin) = connection_for(state, uuid, name).map_err(|e| internal(&e))?;
    let (uuid, name) = (uuid.to_string(), name.to_string());
    Ok(Deferred::reply(
        async move { plugin.verify().await },
        move |state: &mut State, verified: Result<(), String>| {
            verified.map_err(|e| internal(&e))?;
            mark_loaded(state, &uuid, &name, true);
            Ok(Reply::NoContent)
        },
    ))
}

/// Renewal and revocation of `creds` leases (secret_creds.go).
pub struct DatabaseLeases;

/// The mount UUID of a lease's path.
fn lease_mount(state: &State, lease: &Lease) -> Result<String, String> {
    locate(state, &lease.path)
        .map(|(uuid, _)| uuid)
        .ok_or_else(|| format!("no database mount for {}", lease.path))
}

fn internal_str<'a>(lease: &'a Lease, key: &str) -> Option<&'a str> {
    lease.internal.get(key).and_then(Value::as_str)
}

impl DatabaseLeases {
    /// The role a lease was issued for, as it is now (renewal needs it).
    fn role(state: &State, lease: &Lease) -> Result<(String, Role), String> {
        let uuid = lease_mount(state, lease)?;
        let name = internal_str(lease, "role").unwrap_or_default();
        state
            .databases
            .get(&uuid)
            .and_then(|d| d.roles.get(name))
            .cloned()
            .map(|role| (uuid, role))
            .ok_or_else(|| format!("error during renew: could not find role with name {name:?}"))
    }
}

impl LeaseEngine for DatabaseLeases {
    fn renew_terms(&self, state: &State, lease: &Lease) -> Result<LeaseTerms, String> {
        let (_, role) = Self::role(state, lease)?;
        Ok(LeaseTerms {
            ttl: role.default_ttl,
            max_ttl: role.max_ttl,
        })
    }

    fn renew(
        &self,
        state: &State,
        lease: &Lease,
        expires: SystemTime,
    ) -> Result<Option<EngineIo>, String> {
        let (uuid, role) = Self::role(state, lease)?;
        let (connection, plugin) = connection_for(state, &uuid, &role.db_name)?;
        let username = internal_str(lease, "username")
            .unwrap_or_default()
            .to_string();
        let expiration = credentials::expiration(expires + Duration::from_secs(5));
        Ok(Some(Box::pin(async move {
            with_instance(&plugin, connection.loaded, async {
                plugin.renew_user(&role.renew, &username, &expiration).await
            })
            .await
            .0
        })))
    }

    fn revoke(&self, state: &State, lease: &Lease) -> Result<Option<EngineIo>, String> {
        let uuid = lease_mount(state, lease)?;
        let role_name = internal_str(lease, "role").ok_or("no role name was provided")?;
        let username = internal_str(lease, "username")
            .ok_or("secret is missing username internal data")?
            .to_string();
        // The role as it is now wins; a deleted role's lease carries what revocation needs.
        let current = state
            .databases
            .get(&uuid)
            .and_then(|d| d.roles.get(role_name));
        let (db_name, revocation) = match current {
            Some(role) => (role.db_name.clone(), role.revocation.clone()),
            None => {
                let db_name = internal_str(lease, "db_name").ok_or_else(|| {
                    format!("error during revoke: could not find role with name {role_name:?} or embedded revocation db name data")
                })?;
                let statements = lease
                    .internal
                    .get("revocation_statements")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                (db_name.to_string(), statements)
            }
        };
        let (connection, plugin) = connection_for(state, &uuid, &db_name)?;
        Ok(Some(Box::pin(async move {
            with_instance(&plugin, connection.loaded, async {
                plugin.delete_user(&revocation, &username).await
            })
            .await
            .0
        })))
    }
}
