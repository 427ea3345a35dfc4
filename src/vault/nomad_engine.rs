//! Vault's Nomad secrets engine (vault-api-engines.md §5): `config/access` (the management
//! token and the client key are never read back), `config/lease`, `role/:name` (singular:
//! seed 004's `roles/` is 404) and `creds/:name`. Role reads are in `engines`
//! ([`VaultClient::read_nomad_role`]), shared with check-job.

use crate::http::Method;
use serde::{Deserialize, Serialize};

use super::error::VaultError;
use super::shape::Expected;
use super::transport::{Replay, Request, VaultClient};
use super::wire;
use crate::secret::SecretString;

/// What `<mount>/config/access` is written with. Only the fields sent change in Vault
/// (§5.1), so an update that leaves the token out keeps the one Vault has. `Debug` hides the
/// token and the client key.
#[derive(Clone, Default, Serialize)]
pub struct NomadAccess {
    pub address: String,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "expose_opt_secret"
    )]
    pub token: Option<SecretString>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "expose_opt_secret"
    )]
    pub client_key: Option<SecretString>,
}

fn expose_opt_secret<S: serde::Serializer>(
    secret: &Option<SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match secret {
        Some(s) => serializer.serialize_str(s.expose()),
        None => serializer.serialize_none(),
    }
}

impl std::fmt::Debug for NomadAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NomadAccess")
            .field("address", &self.address)
            .field(
                "token",
                &self.token.as_ref().map(|_| crate::secret::REDACTED),
            )
            .field("ca_cert", &self.ca_cert.is_some())
            .field("client_cert", &self.client_cert.is_some())
            .field(
                "client_key",
                &self.client_key.as_ref().map(|_| crate::secret::REDACTED),
            )
            .finish()
    }
}

/// `GET <mount>/config/access`: everything but the token and the client key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct NomadAccessLive {
    pub address: String,
    pub ca_cert: String,
    pub client_cert: String,
    pub max_token_name_length: u64,
}

impl Expected for NomadAccessLive {
    const WHAT: &'static str = "the Nomad engine's access configuration";
    const REQUIRED: &'static [&'static str] = &["address"];
}

/// `<mount>/config/lease`, in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NomadLease {
    #[serde(deserialize_with = "wire::seconds")]
    pub ttl: u64,
    #[serde(deserialize_with = "wire::seconds")]
    pub max_ttl: u64,
}

impl Expected for NomadLease {
    const WHAT: &'static str = "the Nomad engine's lease configuration";
    const REQUIRED: &'static [&'static str] = &["ttl", "max_ttl"];
}

/// The body of `<mount>/role/:name`: `type` always sent, since Vault resets it to `client`
/// on a write that omits it (§5.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NomadRoleWrite {
    pub policies: Vec<String>,
    #[serde(rename = "type")]
    pub token_type: String,
    pub global: bool,
}

/// `GET <mount>/creds/:name`: a Nomad ACL token under a lease. `Debug` hides the secret.
pub struct NomadCreds {
    pub lease_id: String,
    pub lease_duration: u64,
    pub accessor_id: String,
    pub secret_id: SecretString,
}

impl std::fmt::Debug for NomadCreds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NomadCreds")
            .field("lease_id", &self.lease_id)
            .field("accessor_id", &self.accessor_id)
            .field("secret_id", &crate::secret::REDACTED)
            .finish()
    }
}

#[derive(Deserialize)]
struct CredsEnvelope {
    #[serde(default)]
    lease_id: String,
    #[serde(default)]
    lease_duration: u64,
    data: Option<CredsData>,
}

impl Expected for CredsEnvelope {
    const WHAT: &'static str = "Nomad engine credentials";
    const REQUIRED: &'static [&'static str] = &["lease_id", "data"];
}

#[derive(Deserialize)]
struct CredsData {
    accessor_id: String,
    secret_id: SecretString,
}

/// A read of the engine's configuration: `None` when it is not set (an empty 404) and when
/// no engine is mounted there yet (`no handler for route`: this run's engine step mounts it,
/// and everything under it is then to be created). Any other 404 (`unsupported path`: another
/// kind of engine) stays an error; the engine step refuses that mount.
fn absent_before_mount<T>(result: Result<T, VaultError>) -> Result<Option<T>, VaultError> {
    match result {
        Err(e)
            if e.is_not_found()
                && e.errors()
                    .iter()
                    .any(|m| m.contains("no handler for route")) =>
        {
            Ok(None)
        }
        other => wire::absent_on_404(other),
    }
}

fn engine_path(mount: &str, rest: &str) -> String {
    format!("{}/{rest}", wire::path(mount))
}

impl VaultClient {
    /// `GET <mount>/role/:name` for this run's role step: `None` also before the mount exists.
    pub fn observe_nomad_role(
        &self,
        mount: &str,
        name: &str,
    ) -> Result<Option<super::NomadRole>, VaultError> {
        absent_before_mount(self.read_nomad_role(mount, name)).map(Option::flatten)
    }

    /// `GET <mount>/config/access`; `None` when not configured (or no engine there).
    pub fn read_nomad_access(&self, mount: &str) -> Result<Option<NomadAccessLive>, VaultError> {
        absent_before_mount(self.read_data(&engine_path(mount, "config/access")))
    }

    /// `PUT <mount>/config/access` (the same body twice has the same effect); warnings.
    pub fn write_nomad_access(
        &self,
        mount: &str,
        access: &NomadAccess,
    ) -> Result<Vec<String>, VaultError> {
        self.put_json(&engine_path(mount, "config/access"), access)
    }

    /// `GET <mount>/config/lease`; `None` when not set.
    pub fn read_nomad_lease(&self, mount: &str) -> Result<Option<NomadLease>, VaultError> {
        absent_before_mount(self.read_data(&engine_path(mount, "config/lease")))
    }

    /// `PUT <mount>/config/lease` (both values always overwritten, §5.2).
    pub fn write_nomad_lease(
        &self,
        mount: &str,
        lease: &NomadLease,
    ) -> Result<Vec<String>, VaultError> {
        self.put_json(&engine_path(mount, "config/lease"), lease)
    }

    /// `PUT <mount>/role/:name` (singular `role`).
    pub fn write_nomad_role(
        &self,
        mount: &str,
        name: &str,
        role: &NomadRoleWrite,
    ) -> Result<Vec<String>, VaultError> {
        self.put_json(
            &engine_path(mount, &format!("role/{}", wire::segment(name))),
            role,
        )
    }

    /// `GET <mount>/creds/:name`. Each copy that arrives mints a Nomad token, so it is sent
    /// again only when no answer came back (a lost answer's token goes with its lease).
    pub fn nomad_credentials(&self, mount: &str, role: &str) -> Result<NomadCreds, VaultError> {
        let path = engine_path(mount, &format!("creds/{}", wire::segment(role)));
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
        Ok(NomadCreds {
            lease_id: envelope.lease_id,
            lease_duration: envelope.lease_duration,
            accessor_id: data.accessor_id,
            secret_id: data.secret_id,
        })
    }
}
