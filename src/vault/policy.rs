//! ACL policies (vault-api.md §3): `sys/policies/acl/:name` and the legacy `sys/policy/:name`.
//! Writes and deletes are idempotent, so they are retried like reads.

use crate::http::Method;
use serde::{Deserialize, Serialize};

use super::error::VaultError;
use super::shape::Expected;
use super::transport::{Replay, Request, VaultClient};
use super::wire;

/// A policy as `sys/policies/acl/:name` returns it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct AclPolicy {
    pub name: String,
    /// The HCL text (empty for `root`).
    pub policy: String,
}

impl Expected for AclPolicy {
    const WHAT: &'static str = "a policy";
    const REQUIRED: &'static [&'static str] = &["name", "policy"];
}

/// A policy as the legacy `sys/policy/:name` returns it (`rules` instead of `policy`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct LegacyPolicy {
    pub name: String,
    /// The HCL text.
    pub rules: String,
}

impl Expected for LegacyPolicy {
    const WHAT: &'static str = "a policy";
    const REQUIRED: &'static [&'static str] = &["name", "rules"];
}

#[derive(Serialize)]
struct PolicyBody<'a> {
    policy: &'a str,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Keys {
    #[serde(deserialize_with = "wire::string_list")]
    keys: Vec<String>,
    #[serde(deserialize_with = "wire::string_list")]
    policies: Vec<String>,
}

impl Expected for Keys {
    const WHAT: &'static str = "a list of policy names";
    const REQUIRED: &'static [&'static str] = &["keys"];
}

/// The legacy list: `keys`, or `policies` on old servers, so neither is required.
#[derive(Deserialize)]
#[serde(transparent)]
struct LegacyKeys(Keys);

impl Expected for LegacyKeys {
    const WHAT: &'static str = "a list of policy names";
    const REQUIRED: &'static [&'static str] = &[];
}

const ACL: &str = "sys/policies/acl";
const LEGACY: &str = "sys/policy";

impl VaultClient {
    /// `GET sys/policies/acl/:name`; `None` when it does not exist.
    pub fn read_policy(&self, name: &str) -> Result<Option<AclPolicy>, VaultError> {
        let path = format!("{ACL}/{}", wire::segment(name));
        wire::absent_on_404(self.read_data(&path))
    }

    /// `PUT sys/policies/acl/:name {"policy": text}`; returns Vault's warnings.
    pub fn write_policy(&self, name: &str, text: &str) -> Result<Vec<String>, VaultError> {
        self.write_policy_at(&format!("{ACL}/{}", wire::segment(name)), text)
    }

    /// `LIST sys/policies/acl`: policy names, sorted by Vault (`root` last).
    pub fn list_policies(&self) -> Result<Vec<String>, VaultError> {
        let request = Request::list(ACL);
        wire::empty_on_404(
            self.execute(&request)
                .and_then(|reply| wire::decode_data::<Keys>(&reply, ACL))
                .map(|(keys, _)| keys.keys),
        )
    }

    /// `DELETE sys/policies/acl/:name` (204 even when missing); returns warnings.
    pub fn delete_policy(&self, name: &str) -> Result<Vec<String>, VaultError> {
        self.delete_at(&format!("{ACL}/{}", wire::segment(name)))
    }

    /// `GET sys/policy/:name` (legacy); `None` when it does not exist.
    pub fn read_legacy_policy(&self, name: &str) -> Result<Option<LegacyPolicy>, VaultError> {
        let path = format!("{LEGACY}/{}", wire::segment(name));
        wire::absent_on_404(self.read_data(&path))
    }

    /// `PUT sys/policy/:name {"policy": text}` (legacy); returns warnings.
    pub fn write_legacy_policy(&self, name: &str, text: &str) -> Result<Vec<String>, VaultError> {
        self.write_policy_at(&format!("{LEGACY}/{}", wire::segment(name)), text)
    }

    /// `GET sys/policy` (legacy list): `data.keys`, or `data.policies` on old servers.
    pub fn list_legacy_policies(&self) -> Result<Vec<String>, VaultError> {
        let request = Request::get(LEGACY);
        wire::empty_on_404(
            self.execute(&request)
                .and_then(|reply| wire::decode_data::<LegacyKeys>(&reply, LEGACY))
                .map(|(LegacyKeys(keys), _)| {
                    if keys.keys.is_empty() {
                        keys.policies
                    } else {
                        keys.keys
                    }
                }),
        )
    }

    /// `DELETE sys/policy/:name` (legacy); returns warnings.
    pub fn delete_legacy_policy(&self, name: &str) -> Result<Vec<String>, VaultError> {
        self.delete_at(&format!("{LEGACY}/{}", wire::segment(name)))
    }

    fn write_policy_at(&self, path: &str, text: &str) -> Result<Vec<String>, VaultError> {
        let request =
            Request::new(Method::PUT, path, Replay::Safe).json(&PolicyBody { policy: text })?;
        let reply = self.execute(&request)?;
        wire::write_warnings(&reply, path)
    }

    /// GET a logical path and decode its `data`.
    pub(crate) fn read_data<D: Expected>(&self, path: &str) -> Result<D, VaultError> {
        let reply = self.execute(&Request::get(path))?;
        wire::decode_data(&reply, path).map(|(data, _)| data)
    }

    /// DELETE a logical path; idempotent, so retried like a read. Returns warnings.
    pub(crate) fn delete_at(&self, path: &str) -> Result<Vec<String>, VaultError> {
        let reply = self.execute(&Request::new(Method::DELETE, path, Replay::Safe))?;
        wire::write_warnings(&reply, path)
    }
}
