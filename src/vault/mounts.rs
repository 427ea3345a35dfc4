//! Secrets engines and auth methods (vault-api.md §8): `sys/mounts`, `sys/auth`, KV v2
//! reads and writes, and the JWT auth method's config and roles (workload identity).

use std::collections::BTreeMap;
use std::fmt;

use crate::http::Method;
use serde::{Deserialize, Serialize};

use super::error::VaultError;
use super::shape::Expected;
use super::transport::{Replay, Request, VaultClient};
use super::wire;

/// A secrets engine or auth method mount, as `GET sys/mounts` / `GET sys/auth` list it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Mount {
    /// `kv`, `database`, `nomad`, `jwt`, `token`…
    #[serde(rename = "type")]
    pub mount_type: String,
    pub description: String,
    /// `auth_jwt_1a2b3c4d`: what workload-identity policies template on.
    pub accessor: String,
    pub local: bool,
    pub seal_wrap: bool,
    /// Engine options, e.g. `{"version": "2"}` for KV v2.
    pub options: Option<BTreeMap<String, String>>,
    /// Tuning (`default_lease_ttl`, `max_lease_ttl`…), as Vault sent it.
    pub config: Option<serde_json::Value>,
    pub uuid: String,
    pub plugin_version: String,
    pub running_plugin_version: String,
}

impl Mount {
    /// Whether this is a KV version 2 engine.
    pub fn is_kv_v2(&self) -> bool {
        self.mount_type == "kv"
            && self
                .options
                .as_ref()
                .and_then(|o| o.get("version"))
                .is_some_and(|v| v == "2")
    }
}

/// An auth method mount (same shape as a secrets engine mount).
pub type AuthMount = Mount;

/// The body of `POST sys/mounts/:path` and `POST sys/auth/:path`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct MountRequest {
    #[serde(rename = "type")]
    pub mount_type: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub local: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub seal_wrap: bool,
}

impl MountRequest {
    /// A mount of `mount_type` with no options.
    pub fn of_type(mount_type: &str) -> Self {
        MountRequest {
            mount_type: mount_type.to_owned(),
            ..MountRequest::default()
        }
    }

    /// A KV version 2 engine.
    pub fn kv_v2() -> Self {
        let mut request = MountRequest::of_type("kv");
        request.options.insert("version".into(), "2".into());
        request
    }
}

/// A KV v2 secret: the key/value pairs and the version's metadata. `Debug` shows the keys
/// only, since the values are secrets.
#[derive(Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct KvSecret {
    pub data: BTreeMap<String, serde_json::Value>,
    pub metadata: KvVersion,
}

impl Expected for KvSecret {
    const WHAT: &'static str = "a KV v2 secret";
    const REQUIRED: &'static [&'static str] = &["data", "metadata"];
}

impl fmt::Debug for KvSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&String> = self.data.keys().collect();
        f.debug_struct("KvSecret")
            .field("keys", &keys)
            .field("values", &crate::secret::REDACTED)
            .field("metadata", &self.metadata)
            .finish()
    }
}

/// The metadata of one KV v2 version.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct KvVersion {
    pub version: u64,
    pub created_time: String,
    /// Empty unless the version was deleted.
    pub deletion_time: String,
    pub destroyed: bool,
    pub custom_metadata: Option<BTreeMap<String, String>>,
}

impl Expected for KvVersion {
    const WHAT: &'static str = "a KV v2 version";
    const REQUIRED: &'static [&'static str] = &["version"];
}

/// What `GET :mount/metadata/:path` (KV v2, vault-api-engines.md §2.3) says of a secret: the
/// version a check-and-set write must name.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct KvMetadata {
    pub current_version: u64,
    pub cas_required: bool,
}

impl Expected for KvMetadata {
    const WHAT: &'static str = "a KV v2 secret's metadata";
    const REQUIRED: &'static [&'static str] = &["current_version"];
}

/// The JWT/OIDC auth method's configuration (`auth/:mount/config`). Only the fields set are
/// written; fields not modelled are kept in `extra`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct JwtConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_ca_pem: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oidc_discovery_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oidc_discovery_ca_pem: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_string_list"
    )]
    pub jwt_validation_pubkeys: Option<Vec<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_string_list"
    )]
    pub jwt_supported_algs: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound_issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_role: Option<String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Expected for JwtConfig {
    const WHAT: &'static str = "a JWT auth method's configuration";
    const REQUIRED: &'static [&'static str] = &[];
}

/// A JWT auth role (`auth/:mount/role/:name`), e.g. Nomad's `nomad-workloads`. Durations in
/// seconds (strings like `"30m"` accepted when reading a file). Fields not modelled are kept
/// in `extra`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct JwtRole {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_type: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_string_list"
    )]
    pub bound_audiences: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_claim: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_claim_json_pointer: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_mappings: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound_subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound_claims: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound_claims_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_string_list"
    )]
    pub token_policies: Option<Vec<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_seconds"
    )]
    pub token_period: Option<u64>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_seconds"
    )]
    pub token_ttl: Option<u64>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_seconds"
    )]
    pub token_max_ttl: Option<u64>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_seconds"
    )]
    pub token_explicit_max_ttl: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_no_default_policy: Option<bool>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Expected for JwtRole {
    const WHAT: &'static str = "a JWT auth role";
    const REQUIRED: &'static [&'static str] = &["role_type"];
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Keys {
    #[serde(deserialize_with = "wire::string_list")]
    keys: Vec<String>,
}

impl Expected for Keys {
    const WHAT: &'static str = "a list of names";
    const REQUIRED: &'static [&'static str] = &["keys"];
}

#[derive(Serialize)]
struct KvWrite<'a> {
    data: &'a BTreeMap<String, serde_json::Value>,
}

/// A KV v2 write with check-and-set: `{"data":{…},"options":{"cas":N}}` (path_data.go).
#[derive(Serialize)]
struct KvCasWrite<'a> {
    #[serde(serialize_with = "expose_values")]
    data: &'a BTreeMap<String, crate::secret::SecretString>,
    options: KvCasOptions,
}

#[derive(Serialize)]
struct KvCasOptions {
    cas: u64,
}

/// The one place a KV secret's values leave the process: the body of the write.
fn expose_values<S: serde::Serializer>(
    data: &&BTreeMap<String, crate::secret::SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(data.iter().map(|(k, v)| (k, v.expose())))
}

/// `GET sys/mounts/:path/tune` (logical_system.go handleTuneReadCommon): the effective lease
/// TTLs, in seconds — the mount's own where tuned, the system's otherwise.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MountTune {
    #[serde(deserialize_with = "wire::seconds")]
    pub default_lease_ttl: u64,
    #[serde(deserialize_with = "wire::seconds")]
    pub max_lease_ttl: u64,
}

impl Expected for MountTune {
    const WHAT: &'static str = "a mount's tuning";
    const REQUIRED: &'static [&'static str] = &["max_lease_ttl"];
}

impl VaultClient {
    /// `GET sys/mounts/:path/tune`; `None` when nothing is mounted there (Vault answers 400
    /// `cannot fetch sysview for path "x/"`).
    pub fn read_mount_tune(&self, path: &str) -> Result<Option<MountTune>, VaultError> {
        match self.read_data(&format!("sys/mounts/{}/tune", wire::path(path))) {
            Ok(tune) => Ok(Some(tune)),
            Err(e)
                if e.status() == Some(400)
                    && e.errors()
                        .iter()
                        .any(|m| m.starts_with("cannot fetch sysview")) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// `GET sys/mounts`: secrets engines by path (with the trailing `/`, e.g. `secret/`).
    pub fn list_mounts(&self) -> Result<BTreeMap<String, Mount>, VaultError> {
        self.list_mount_table("sys/mounts")
    }

    /// `POST sys/mounts/:path`. Not idempotent (a second copy answers `path is already in
    /// use`) but retried like one: when a retry after a lost answer meets that error, the
    /// mount table decides — the same type at that path means our first attempt created it
    /// (success, with a warning saying so); anything else stays the error.
    pub fn enable_mount(
        &self,
        path: &str,
        mount: &MountRequest,
    ) -> Result<Vec<String>, VaultError> {
        self.enable_at("sys/mounts", path, mount)
    }

    /// `DELETE sys/mounts/:path`; returns warnings.
    pub fn disable_mount(&self, path: &str) -> Result<Vec<String>, VaultError> {
        self.delete_at(&format!("sys/mounts/{}", wire::path(path)))
    }

    /// `GET sys/auth`: auth methods by path (`jwt-nomad/`), each with its `accessor`.
    pub fn list_auth_mounts(&self) -> Result<BTreeMap<String, AuthMount>, VaultError> {
        self.list_mount_table("sys/auth")
    }

    /// `POST sys/auth/:path`, e.g. `{"type":"jwt"}`. Retries as [`VaultClient::enable_mount`].
    pub fn enable_auth(&self, path: &str, mount: &MountRequest) -> Result<Vec<String>, VaultError> {
        self.enable_at("sys/auth", path, mount)
    }

    /// `DELETE sys/auth/:path`; returns warnings.
    pub fn disable_auth(&self, path: &str) -> Result<Vec<String>, VaultError> {
        self.delete_at(&format!("sys/auth/{}", wire::path(path)))
    }

    /// `GET :mount/data/:path` (KV v2); `None` when the secret does not exist (or its latest
    /// version is deleted).
    pub fn kv2_read(&self, mount: &str, path: &str) -> Result<Option<KvSecret>, VaultError> {
        let api_path = format!("{}/data/{}", wire::path(mount), wire::path(path));
        wire::absent_on_404(self.read_data(&api_path))
    }

    /// `POST :mount/data/:path {"data": …}` (KV v2): the new version and Vault's warnings.
    /// Not idempotent — every copy that arrives adds a version — so it is sent again only when
    /// no answer came back ([`Replay::UntilAnswered`]), never after a 5xx.
    pub fn kv2_write(
        &self,
        mount: &str,
        path: &str,
        data: &BTreeMap<String, serde_json::Value>,
    ) -> Result<(KvVersion, Vec<String>), VaultError> {
        let api_path = format!("{}/data/{}", wire::path(mount), wire::path(path));
        let request = Request::new(Method::POST, api_path.as_str(), Replay::UntilAnswered)
            .json(&KvWrite { data })?;
        let reply = self.execute(&request)?;
        wire::decode_data(&reply, &api_path)
    }

    /// `POST :mount/data/:path` (KV v2) with check-and-set: written only if the secret's
    /// current version is still `cas` (0: it must not exist), else Vault answers 400
    /// `check-and-set parameter did not match the current version` and writes nothing.
    /// Sent again only when no answer came back, like [`VaultClient::kv2_write`] (a copy that
    /// arrived first makes the second fail its check-and-set, which the caller can tell by
    /// reading the secret back).
    pub fn kv2_write_checked(
        &self,
        mount: &str,
        path: &str,
        data: &BTreeMap<String, crate::secret::SecretString>,
        cas: u64,
    ) -> Result<(KvVersion, Vec<String>), VaultError> {
        let api_path = format!("{}/data/{}", wire::path(mount), wire::path(path));
        let body = KvCasWrite {
            data,
            options: KvCasOptions { cas },
        };
        let request =
            Request::new(Method::POST, api_path.as_str(), Replay::UntilAnswered).json(&body)?;
        let reply = self.execute(&request)?;
        wire::decode_data(&reply, &api_path)
    }

    /// `GET :mount/metadata/:path` (KV v2); `None` when the secret was never written.
    pub fn kv2_metadata(&self, mount: &str, path: &str) -> Result<Option<KvMetadata>, VaultError> {
        let api_path = format!("{}/metadata/{}", wire::path(mount), wire::path(path));
        wire::absent_on_404(self.read_data(&api_path))
    }

    /// `GET auth/:mount/config` of a JWT auth method; `None` when not configured yet.
    pub fn read_jwt_config(&self, mount: &str) -> Result<Option<JwtConfig>, VaultError> {
        wire::absent_on_404(self.read_data(&format!("auth/{}/config", wire::path(mount))))
    }

    /// `POST auth/:mount/config`; returns warnings.
    pub fn write_jwt_config(
        &self,
        mount: &str,
        config: &JwtConfig,
    ) -> Result<Vec<String>, VaultError> {
        self.put_json(&format!("auth/{}/config", wire::path(mount)), config)
    }

    /// `GET auth/:mount/role/:name`; `None` when it does not exist.
    pub fn read_jwt_role(&self, mount: &str, name: &str) -> Result<Option<JwtRole>, VaultError> {
        wire::absent_on_404(self.read_data(&jwt_role_path(mount, name)))
    }

    /// `POST auth/:mount/role/:name` (idempotent); returns warnings.
    pub fn write_jwt_role(
        &self,
        mount: &str,
        name: &str,
        role: &JwtRole,
    ) -> Result<Vec<String>, VaultError> {
        self.put_json(&jwt_role_path(mount, name), role)
    }

    /// `LIST auth/:mount/role` (none → empty).
    pub fn list_jwt_roles(&self, mount: &str) -> Result<Vec<String>, VaultError> {
        let path = format!("auth/{}/role", wire::path(mount));
        wire::empty_on_404(
            self.execute(&Request::list(path.as_str()))
                .and_then(|reply| wire::decode_data::<Keys>(&reply, &path))
                .map(|(keys, _)| keys.keys),
        )
    }

    /// `DELETE auth/:mount/role/:name`; returns warnings.
    pub fn delete_jwt_role(&self, mount: &str, name: &str) -> Result<Vec<String>, VaultError> {
        self.delete_at(&jwt_role_path(mount, name))
    }

    pub(crate) fn put_json<B: Serialize>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<Vec<String>, VaultError> {
        let request = Request::new(Method::PUT, path, Replay::Safe).json(body)?;
        let reply = self.execute(&request)?;
        wire::write_warnings(&reply, path)
    }

    fn list_mount_table(&self, path: &str) -> Result<BTreeMap<String, Mount>, VaultError> {
        let reply = self.execute(&Request::get(path))?;
        let body = wire::decode_value(&reply, path)?;
        // The table is in `data`, and copied to the top level next to `request_id` & co.
        let table = body
            .get("data")
            .and_then(|d| d.as_object())
            .or_else(|| body.as_object());
        let mut mounts = BTreeMap::new();
        for (mount_path, entry) in table.into_iter().flatten() {
            if entry.get("type").is_none() {
                continue;
            }
            let mount: Mount =
                serde_json::from_value(entry.clone()).map_err(|e| VaultError::Decode {
                    address: reply.answered_by.clone(),
                    path: path.to_owned(),
                    detail: format!("mount {mount_path}: {e}"),
                })?;
            mounts.insert(mount_path.clone(), mount);
        }
        Ok(mounts)
    }

    fn enable_at(
        &self,
        table: &str,
        mount_path: &str,
        mount: &MountRequest,
    ) -> Result<Vec<String>, VaultError> {
        let api_path = format!("{table}/{}", wire::path(mount_path));
        let request = Request::new(Method::POST, api_path.as_str(), Replay::Safe).json(mount)?;
        match self.execute(&request) {
            Ok(reply) => wire::write_warnings(&reply, &api_path),
            Err(err) if err.is_already_in_use() && err.attempts() > 1 => {
                let key = format!("{}/", mount_path.trim_matches('/'));
                let existing = self.list_mount_table(table)?;
                match existing.get(&key) {
                    Some(found) if found.mount_type == mount.mount_type => Ok(vec![format!(
                        "{key} was mounted by an earlier attempt whose answer was lost"
                    )]),
                    _ => Err(err),
                }
            }
            Err(err) => Err(err),
        }
    }
}

fn jwt_role_path(mount: &str, name: &str) -> String {
    format!("auth/{}/role/{}", wire::path(mount), wire::segment(name))
}
