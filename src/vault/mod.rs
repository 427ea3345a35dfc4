//! The typed Vault client: one request path with retries, redirects and error mapping, and one
//! module per API area. Knows nothing of Nomad or of the terminal.
//!
//! - [`ClientConfig`] holds everything the client needs, already resolved by the caller (the
//!   client never reads the environment);
//! - [`VaultClient`] is cheap to clone (clones share the connection pool) and offers the typed
//!   calls of vault-api.md §1–8, grouped in `sys`, `policy`, `token` and `mounts`;
//! - every call goes through `transport`'s single request path, which decides per call
//!   whether a retry is safe ([`Replay`]) and reports each exchange to an optional
//!   [`RequestObserver`] (the CLI's `-v`);
//! - failures are a [`VaultError`] that names the node and the path and says what to do.

pub mod database;
pub mod engines;
mod error;
pub mod mounts;
pub mod nomad_engine;
mod observer;
pub mod policy;
mod shape;
pub mod sys;
pub mod token;
mod transport;
mod wire;
pub mod wrapping;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod testserver;

pub use database::{DatabaseConnection, DatabaseRole};
pub use engines::{NomadRole, PathMount, SecretKeys};
pub use error::{ApiAnswer, PartialAnswer, SealState, TlsProblem, VaultError};
pub use mounts::{
    AuthMount, JwtConfig, JwtRole, KvMetadata, KvSecret, KvVersion, Mount, MountRequest,
};
pub use observer::{ExchangeOutcome, RequestEvent, RequestObserver};
pub use policy::{AclPolicy, LegacyPolicy};
pub use sys::{Health, HealthQuery, InitRequest, InitResponse, Leader, SealStatus};
pub use token::{
    Capabilities, TokenAuth, TokenCreateRequest, TokenCreated, TokenLookup, TokenRole,
    TokenRoleParams,
};
pub use transport::{
    error_chain, normalise_address, redact_userinfo, strip_userinfo, Replay, VaultClient,
    MAX_RETRY_AFTER,
};
pub(crate) use wire::describe_json_error;
pub use wire::parse_duration_secs;
pub use wrapping::{WrapInfo, WrapLookup};

use std::path::PathBuf;
use std::time::Duration;

use crate::secret::SecretString;

/// The default per-request timeout, as `VAULT_CLIENT_TIMEOUT` in the Vault CLI.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The default number of retries, as `VAULT_MAX_RETRIES` in the Vault CLI.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Redirects (307 from a standby) followed per attempt before giving up.
pub const MAX_REDIRECTS: u32 = 3;

/// TLS settings, mirroring `VAULT_CACERT`, `VAULT_CAPATH`, `VAULT_CLIENT_CERT`,
/// `VAULT_CLIENT_KEY`, `VAULT_TLS_SERVER_NAME` and `VAULT_SKIP_VERIFY`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsConfig {
    /// A PEM file with one or more CA certificates. When set, `ca_path` is ignored and the
    /// built-in roots are not trusted (as the Vault CLI does).
    pub ca_cert: Option<PathBuf>,
    /// A directory of PEM files; every certificate found in its regular files is trusted.
    /// Files without a PEM certificate are skipped; a directory without any is an error.
    pub ca_path: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS; needs `client_key`.
    pub client_cert: Option<PathBuf>,
    /// Client private key (PEM: PKCS#8, RSA or SEC1); needs `client_cert`.
    pub client_key: Option<PathBuf>,
    /// The name to send in SNI and to verify the certificate against, instead of the
    /// address's host. Implemented by connecting to the address's IPs under this name
    /// (the HTTP client cannot set the verification name separately), so the HTTP `Host`
    /// header carries this name too.
    pub server_name: Option<String>,
    /// Accept any server certificate. Insecure: for lab set-ups only.
    pub skip_verify: bool,
}

/// Everything the client needs, resolved once by the caller from flags and environment.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// One node, e.g. `https://127.0.0.1:8200` (a trailing `/` is ignored).
    pub address: String,
    /// The token sent as `X-Vault-Token` on authenticated endpoints.
    pub token: Option<SecretString>,
    /// Sent as `X-Vault-Namespace`, except on the endpoints Vault refuses it on.
    pub namespace: Option<String>,
    /// TLS settings.
    pub tls: TlsConfig,
    /// Per-request timeout (connect + send + whole answer).
    pub timeout: Duration,
    /// Retries after the first attempt, for failures a retry can fix (see [`Replay`]).
    pub max_retries: u32,
}

impl ClientConfig {
    /// A configuration for `address` with no token, no namespace, default TLS,
    /// [`DEFAULT_TIMEOUT`] and [`DEFAULT_MAX_RETRIES`].
    pub fn new(address: impl Into<String>) -> Self {
        ClientConfig {
            address: address.into(),
            token: None,
            namespace: None,
            tls: TlsConfig::default(),
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
        }
    }
}
