//! The database secrets engine (vault-api-engines.md §3) and the leases its credentials come
//! with (§4): connections, roles, credentials, lease revocation, root rotation.

use std::collections::BTreeMap;
use std::fmt;

use crate::http::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::error::VaultError;
use super::shape::Expected;
use super::transport::{Replay, Request, VaultClient};
use super::wire;
use crate::secret::SecretString;

/// What nvctl writes to `:mount/config/:name`. The root password is a secret: it is put in
/// the body with an explicit `expose()` and nowhere else.
#[derive(Clone)]
pub struct ConnectionWrite {
    pub plugin_name: String,
    /// Templated (`{{username}}:{{password}}@`), so that Vault can rotate the password.
    pub connection_url: String,
    pub username: String,
    pub password: SecretString,
    pub allowed_roles: Vec<String>,
    pub verify_connection: bool,
}

impl fmt::Debug for ConnectionWrite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionWrite")
            .field("plugin_name", &self.plugin_name)
            .field("connection_url", &self.connection_url)
            .field("username", &self.username)
            .field("password", &crate::secret::REDACTED)
            .field("allowed_roles", &self.allowed_roles)
            .field("verify_connection", &self.verify_connection)
            .finish()
    }
}

impl ConnectionWrite {
    /// The request body, password included.
    fn body(&self) -> Value {
        json!({
            "plugin_name": self.plugin_name,
            "connection_url": self.connection_url,
            "username": self.username,
            "password": self.password.expose(),
            "allowed_roles": self.allowed_roles,
            "verify_connection": self.verify_connection,
        })
    }
}

/// `GET :mount/config/:name`: Vault never sends the password back.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct DatabaseConnection {
    pub plugin_name: String,
    #[serde(deserialize_with = "wire::string_list")]
    pub allowed_roles: Vec<String>,
    /// `connection_url`, `username`… (no `password`).
    pub connection_details: BTreeMap<String, Value>,
    /// Absent on OpenBao and older Vault.
    pub verify_connection: Option<bool>,
    #[serde(deserialize_with = "wire::string_list")]
    pub root_credentials_rotate_statements: Vec<String>,
}

impl Expected for DatabaseConnection {
    const WHAT: &'static str = "a database connection";
    const REQUIRED: &'static [&'static str] = &["plugin_name"];
}

impl DatabaseConnection {
    /// A string detail (`connection_url`, `username`).
    pub fn detail(&self, key: &str) -> &str {
        self.connection_details
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// `:mount/roles/:name`: a dynamic role. TTLs in seconds (0: the mount's).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct DatabaseRole {
    pub db_name: String,
    #[serde(deserialize_with = "wire::string_list")]
    pub creation_statements: Vec<String>,
    #[serde(deserialize_with = "wire::string_list")]
    pub revocation_statements: Vec<String>,
    #[serde(deserialize_with = "wire::string_list")]
    pub rollback_statements: Vec<String>,
    #[serde(deserialize_with = "wire::string_list")]
    pub renew_statements: Vec<String>,
    #[serde(deserialize_with = "wire::seconds")]
    pub default_ttl: u64,
    #[serde(deserialize_with = "wire::seconds")]
    pub max_ttl: u64,
}

impl Expected for DatabaseRole {
    const WHAT: &'static str = "a database role";
    const REQUIRED: &'static [&'static str] = &["db_name"];
}

/// `GET :mount/creds/:role`: a username and password under a lease.
pub struct LeasedCredentials {
    pub lease_id: String,
    pub lease_duration: u64,
    pub renewable: bool,
    pub username: String,
    pub password: SecretString,
    pub warnings: Vec<String>,
}

impl fmt::Debug for LeasedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeasedCredentials")
            .field("lease_id", &self.lease_id)
            .field("lease_duration", &self.lease_duration)
            .field("username", &self.username)
            .field("password", &crate::secret::REDACTED)
            .finish()
    }
}

#[derive(Deserialize)]
struct CredsEnvelope {
    #[serde(default)]
    lease_id: String,
    #[serde(default)]
    lease_duration: u64,
    #[serde(default)]
    renewable: bool,
    data: Option<CredsData>,
    #[serde(default, deserialize_with = "wire::string_list")]
    warnings: Vec<String>,
}

impl Expected for CredsEnvelope {
    const WHAT: &'static str = "database credentials";
    const REQUIRED: &'static [&'static str] = &["lease_id", "data"];
}

#[derive(Deserialize)]
struct CredsData {
    username: String,
    password: SecretString,
}

fn engine_path(mount: &str, section: &str, name: &str) -> String {
    format!("{}/{section}/{}", wire::path(mount), wire::segment(name))
}

impl VaultClient {
    /// `POST :mount/config/:name` (the same body twice has the same effect); Vault's
    /// warnings (the literal-password one) come back.
    pub fn write_database_connection(
        &self,
        mount: &str,
        name: &str,
        connection: &ConnectionWrite,
    ) -> Result<Vec<String>, VaultError> {
        let path = engine_path(mount, "config", name);
        let request =
            Request::new(Method::PUT, path.as_str(), Replay::Safe).json(&connection.body())?;
        let reply = self.execute(&request)?;
        wire::write_warnings(&reply, &path)
    }

    /// `POST :mount/config/:name` with only the keys to change (Vault keeps the others and
    /// merges the connection details key by key); returns warnings.
    pub fn update_database_connection(
        &self,
        mount: &str,
        name: &str,
        changes: &Value,
    ) -> Result<Vec<String>, VaultError> {
        let path = engine_path(mount, "config", name);
        let request = Request::new(Method::PUT, path.as_str(), Replay::Safe).json(changes)?;
        let reply = self.execute(&request)?;
        wire::write_warnings(&reply, &path)
    }

    /// `GET :mount/config/:name`; `None` when there is no such connection.
    pub fn read_database_connection(
        &self,
        mount: &str,
        name: &str,
    ) -> Result<Option<DatabaseConnection>, VaultError> {
        wire::absent_on_404(self.read_data(&engine_path(mount, "config", name)))
    }

    /// `POST :mount/roles/:name` (idempotent); returns warnings.
    pub fn write_database_role(
        &self,
        mount: &str,
        name: &str,
        role: &DatabaseRole,
    ) -> Result<Vec<String>, VaultError> {
        let path = engine_path(mount, "roles", name);
        let request = Request::new(Method::PUT, path.as_str(), Replay::Safe).json(role)?;
        let reply = self.execute(&request)?;
        wire::write_warnings(&reply, &path)
    }

    /// `GET :mount/roles/:name`; `None` when it does not exist.
    pub fn read_database_role(
        &self,
        mount: &str,
        name: &str,
    ) -> Result<Option<DatabaseRole>, VaultError> {
        wire::absent_on_404(self.read_data(&engine_path(mount, "roles", name)))
    }

    /// `GET :mount/creds/:role`. Each copy that arrives makes a database user, so it is sent
    /// again only when no answer came back (a lost answer's user expires with its lease).
    pub fn database_credentials(
        &self,
        mount: &str,
        role: &str,
    ) -> Result<LeasedCredentials, VaultError> {
        let path = engine_path(mount, "creds", role);
        let reply = self.execute(&Request::new(
            Method::GET,
            path.as_str(),
            Replay::UntilAnswered,
        ))?;
        let envelope: CredsEnvelope = wire::decode_body(&reply, &path)?;
        let data = envelope.data.ok_or_else(|| VaultError::Decode {
            address: reply.answered_by.clone(),
            path: path.clone(),
            detail: "the answer has no `data`".into(),
        })?;
        Ok(LeasedCredentials {
            lease_id: envelope.lease_id,
            lease_duration: envelope.lease_duration,
            renewable: envelope.renewable,
            username: data.username,
            password: data.password,
            warnings: envelope.warnings,
        })
    }

    /// `PUT sys/leases/revoke {"lease_id", "sync": true}`: returns once the engine has revoked
    /// the secret (an engine failure is Vault's 400, the lease kept).
    pub fn revoke_lease(&self, lease_id: &str) -> Result<(), VaultError> {
        let request = Request::new(Method::PUT, "sys/leases/revoke", Replay::Safe)
            .json(&json!({"lease_id": lease_id, "sync": true}))?;
        self.execute(&request).map(drop)
    }

    /// `POST :mount/rotate-root/:name`: Vault sets a password only it knows.
    pub fn rotate_database_root(&self, mount: &str, name: &str) -> Result<(), VaultError> {
        let path = engine_path(mount, "rotate-root", name);
        self.execute(&Request::new(
            Method::POST,
            path.as_str(),
            Replay::UntilAnswered,
        ))
        .map(drop)
    }
}
