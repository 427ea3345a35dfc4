//! What check-job reads of the secrets engines a job's templates use (vault-api-engines.md):
//! the KV v2 pre-flight (`sys/internal/ui/mounts/<path>`, §1), the key *names* of a KV secret
//! (§2.2; values are skipped while decoding and never held), the database engine's roles and
//! connections (§3.2, §3.3, in `database`) and the Nomad engine's roles (§5.3, `nomad/role/:name`).

use std::collections::{BTreeMap, BTreeSet};

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::error::VaultError;
use super::mounts::Mount;
use super::shape::Expected;
use super::transport::{Request, VaultClient};
use super::wire;

/// The mount a path falls under, as `GET sys/internal/ui/mounts/<path>` answers it: the mount
/// information plus its `path` (`secret/`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct PathMount {
    pub path: String,
    #[serde(flatten)]
    pub mount: Mount,
}

impl Expected for PathMount {
    const WHAT: &'static str = "the mount of a path";
    const REQUIRED: &'static [&'static str] = &["path", "type"];
}

/// The key names of a secret's `data`. For KV v2 they are those of `data.data`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretKeys {
    pub keys: BTreeSet<String>,
}

/// `data` of a KV v1 secret, values skipped.
type KeysOnly = BTreeMap<String, IgnoredAny>;

/// `data` of a KV v2 read, values skipped.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Kv2KeysOnly {
    data: Option<KeysOnly>,
    metadata: Kv2Deletion,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Kv2Deletion {
    deletion_time: String,
}

impl Expected for Kv2KeysOnly {
    const WHAT: &'static str = "a KV v2 secret";
    const REQUIRED: &'static [&'static str] = &["data"];
}

impl Expected for KeysOnly {
    const WHAT: &'static str = "a KV v1 secret";
    const REQUIRED: &'static [&'static str] = &[];
}

/// `GET nomad/role/:name` (§5.3).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct NomadRole {
    #[serde(rename = "type")]
    pub token_type: String,
    #[serde(deserialize_with = "wire::string_list")]
    pub policies: Vec<String>,
    pub global: bool,
}

impl Expected for NomadRole {
    const WHAT: &'static str = "a Nomad secrets engine role";
    const REQUIRED: &'static [&'static str] = &["type"];
}

impl VaultClient {
    /// `GET sys/internal/ui/mounts/<path>`: the mount `path` is under, as consul-template and
    /// `vault kv` find it. 403 unless the token has some capability under that mount.
    pub fn mount_of_path(&self, path: &str) -> Result<PathMount, VaultError> {
        self.read_data(&format!("sys/internal/ui/mounts/{}", wire::path(path)))
    }

    /// The key names of the secret at `api_path` (the path as requested: `secret/data/x` on
    /// KV v2), of KV v2 version `version` when given (`?version=N`, as consul-template sends
    /// a template's query). `None` when it does not exist — including a deleted or destroyed
    /// KV v2 version, which Vault answers 404 with `data.data` null (§2.2), and a version
    /// with a deletion time at all, which consul-template treats as missing
    /// (dependency/vault_read.go:deletedKVv2).
    pub fn read_secret_keys(
        &self,
        api_path: &str,
        kv2: bool,
        version: Option<&str>,
    ) -> Result<Option<SecretKeys>, VaultError> {
        let path = wire::path(api_path);
        let mut request = Request::get(path.as_str());
        if let Some(version) = version {
            request = request.query("version", version);
        }
        let reply = match self.execute(&request) {
            Ok(reply) => reply,
            Err(e) => return wire::absent_on_404(Err(e)),
        };
        let keys = if kv2 {
            let (data, _) = wire::decode_data::<Kv2KeysOnly>(&reply, &path)?;
            match data.data {
                Some(keys) if data.metadata.deletion_time.is_empty() => keys.into_keys().collect(),
                _ => return Ok(None),
            }
        } else {
            let (data, _) = wire::decode_data::<KeysOnly>(&reply, &path)?;
            data.into_keys().collect()
        };
        Ok(Some(SecretKeys { keys }))
    }

    /// `GET <mount>/role/:name` of a Nomad engine (singular `role`); `None` when missing.
    pub fn read_nomad_role(
        &self,
        mount: &str,
        name: &str,
    ) -> Result<Option<NomadRole>, VaultError> {
        wire::absent_on_404(self.read_data(&format!(
            "{}/role/{}",
            wire::path(mount),
            wire::segment(name)
        )))
    }
}
