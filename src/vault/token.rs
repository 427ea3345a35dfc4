//! The token store (vault-api.md §4–7): token roles, token creation, lookup, renewal,
//! revocation by accessor, and `sys/capabilities-self`.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::http::Method;
use serde::{Deserialize, Serialize};

use super::error::VaultError;
use super::shape::Expected;
use super::transport::{Replay, Request, VaultClient};
use super::wire;
use crate::secret::SecretString;

/// A token role as `GET auth/token/roles/:name` returns it. Durations are seconds. Both the
/// legacy (`period`, `explicit_max_ttl`, `bound_cidrs`) and the `token_*` fields are kept,
/// because which one is set tells how the role was written (vault-api.md §4).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct TokenRole {
    pub name: String,
    #[serde(deserialize_with = "wire::string_list")]
    pub allowed_policies: Vec<String>,
    #[serde(deserialize_with = "wire::string_list")]
    pub disallowed_policies: Vec<String>,
    #[serde(deserialize_with = "wire::string_list")]
    pub allowed_policies_glob: Vec<String>,
    #[serde(deserialize_with = "wire::string_list")]
    pub disallowed_policies_glob: Vec<String>,
    #[serde(deserialize_with = "wire::opt_string_list")]
    pub allowed_entity_aliases: Option<Vec<String>>,
    #[serde(deserialize_with = "wire::lenient_bool")]
    pub orphan: bool,
    /// Vault's default is `true`.
    #[serde(deserialize_with = "wire::lenient_bool")]
    pub renewable: bool,
    pub path_suffix: String,
    #[serde(deserialize_with = "wire::seconds")]
    pub period: u64,
    #[serde(deserialize_with = "wire::seconds")]
    pub token_period: u64,
    #[serde(deserialize_with = "wire::seconds")]
    pub explicit_max_ttl: u64,
    #[serde(deserialize_with = "wire::seconds")]
    pub token_explicit_max_ttl: u64,
    #[serde(deserialize_with = "wire::string_list")]
    pub bound_cidrs: Vec<String>,
    #[serde(deserialize_with = "wire::string_list")]
    pub token_bound_cidrs: Vec<String>,
    #[serde(deserialize_with = "wire::lenient_bool")]
    pub token_no_default_policy: bool,
    pub token_num_uses: u64,
    /// `service`, `batch`, `default-service` or `default-batch`.
    pub token_type: String,
}

impl Expected for TokenRole {
    const WHAT: &'static str = "a token role";
    const REQUIRED: &'static [&'static str] = &[
        "name",
        "allowed_policies",
        "disallowed_policies",
        "orphan",
        "renewable",
    ];
}

impl Default for TokenRole {
    fn default() -> Self {
        TokenRole {
            name: String::new(),
            allowed_policies: Vec::new(),
            disallowed_policies: Vec::new(),
            allowed_policies_glob: Vec::new(),
            disallowed_policies_glob: Vec::new(),
            allowed_entity_aliases: None,
            orphan: false,
            renewable: true,
            path_suffix: String::new(),
            period: 0,
            token_period: 0,
            explicit_max_ttl: 0,
            token_explicit_max_ttl: 0,
            bound_cidrs: Vec::new(),
            token_bound_cidrs: Vec::new(),
            token_no_default_policy: false,
            token_num_uses: 0,
            token_type: "default-service".into(),
        }
    }
}

impl TokenRole {
    /// The period in force: `token_period`, else the legacy `period`.
    pub fn effective_period(&self) -> u64 {
        if self.token_period > 0 {
            self.token_period
        } else {
            self.period
        }
    }

    /// The explicit max TTL in force: `token_explicit_max_ttl`, else the legacy field.
    pub fn effective_explicit_max_ttl(&self) -> u64 {
        if self.token_explicit_max_ttl > 0 {
            self.token_explicit_max_ttl
        } else {
            self.explicit_max_ttl
        }
    }
}

/// The body of `PUT auth/token/roles/:name`. Only the fields set are sent (Vault changes only
/// those on update). Deserializes from a role file: durations may be `259200`, `"259200"` or
/// `"72h"`, lists an array or `"a,b"`; fields not modelled here are kept in `extra` and sent
/// as they are.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct TokenRoleParams {
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_string_list"
    )]
    pub allowed_policies: Option<Vec<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_string_list"
    )]
    pub disallowed_policies: Option<Vec<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_string_list"
    )]
    pub allowed_policies_glob: Option<Vec<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_string_list"
    )]
    pub disallowed_policies_glob: Option<Vec<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_string_list"
    )]
    pub allowed_entity_aliases: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orphan: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_suffix: Option<String>,
    /// Legacy name of `token_period`; sending both makes Vault warn and ignore this one.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_seconds"
    )]
    pub period: Option<u64>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_seconds"
    )]
    pub token_period: Option<u64>,
    /// Legacy name of `token_explicit_max_ttl`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_seconds"
    )]
    pub explicit_max_ttl: Option<u64>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_seconds"
    )]
    pub token_explicit_max_ttl: Option<u64>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_string_list"
    )]
    pub bound_cidrs: Option<Vec<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire::opt_string_list"
    )]
    pub token_bound_cidrs: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_no_default_policy: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_num_uses: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Fields this type does not model (Vault ignores unknown ones, e.g. `token_ttl`).
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl From<&TokenRole> for TokenRoleParams {
    /// The write that recreates `role` (with the `token_*` field names).
    fn from(role: &TokenRole) -> Self {
        TokenRoleParams {
            allowed_policies: Some(role.allowed_policies.clone()),
            disallowed_policies: Some(role.disallowed_policies.clone()),
            allowed_policies_glob: Some(role.allowed_policies_glob.clone()),
            disallowed_policies_glob: Some(role.disallowed_policies_glob.clone()),
            allowed_entity_aliases: role.allowed_entity_aliases.clone(),
            orphan: Some(role.orphan),
            renewable: Some(role.renewable),
            path_suffix: Some(role.path_suffix.clone()),
            period: None,
            token_period: Some(role.effective_period()),
            explicit_max_ttl: None,
            token_explicit_max_ttl: Some(role.effective_explicit_max_ttl()),
            bound_cidrs: None,
            token_bound_cidrs: if role.token_bound_cidrs.is_empty() {
                None
            } else {
                Some(role.token_bound_cidrs.clone())
            },
            token_no_default_policy: Some(role.token_no_default_policy),
            token_num_uses: (role.token_num_uses > 0).then_some(role.token_num_uses),
            token_type: Some(role.token_type.clone()),
            extra: BTreeMap::new(),
        }
    }
}

/// The body of the token create endpoints (vault-api.md §5). Durations in seconds. A custom
/// token `id` is deliberately not supported.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct TokenCreateRequest {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
    /// Orphan via plain `create` (needs sudo); ignored with a role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_parent: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_default_policy: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explicit_max_ttl: Option<u64>,
    /// Stored by Vault as `token-<name>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_uses: Option<u64>,
    /// Periodic token (needs sudo or root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<u64>,
    /// `service` or `batch`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_alias: Option<String>,
}

/// The `auth` block of a token create or renew answer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TokenAuth {
    /// The new token.
    pub client_token: SecretString,
    pub accessor: String,
    #[serde(deserialize_with = "wire::string_list")]
    pub policies: Vec<String>,
    #[serde(deserialize_with = "wire::string_list")]
    pub token_policies: Vec<String>,
    pub metadata: Option<BTreeMap<String, String>>,
    /// Seconds; 0 for a token that never expires.
    #[serde(deserialize_with = "wire::seconds")]
    pub lease_duration: u64,
    pub renewable: bool,
    pub entity_id: String,
    pub token_type: String,
    pub orphan: bool,
    pub num_uses: u64,
}

impl Expected for TokenAuth {
    const WHAT: &'static str = "a new token";
    const REQUIRED: &'static [&'static str] = &["client_token", "accessor", "policies"];
}

/// A created (or renewed) token with the warnings of the answer (e.g. `Policy "x" does not
/// exist`).
#[derive(Debug, Clone)]
pub struct TokenCreated {
    pub auth: TokenAuth,
    pub warnings: Vec<String>,
}

/// The `data` of `lookup-self`, `lookup` and `lookup-accessor` (vault-api.md §6). Durations
/// in seconds; fields Vault only sends sometimes are `Option`/default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TokenLookup {
    /// The token itself; `None` from `lookup-accessor` (which answers `""`).
    #[serde(deserialize_with = "wire::opt_secret")]
    pub id: Option<SecretString>,
    pub accessor: String,
    #[serde(deserialize_with = "wire::string_list")]
    pub policies: Vec<String>,
    #[serde(deserialize_with = "wire::string_list")]
    pub identity_policies: Vec<String>,
    /// The path that created it (`auth/token/create/nomad-cluster`, `auth/token/root`).
    pub path: String,
    pub meta: Option<BTreeMap<String, String>>,
    pub display_name: String,
    pub num_uses: u64,
    pub orphan: bool,
    /// Unix seconds.
    pub creation_time: i64,
    #[serde(deserialize_with = "wire::seconds")]
    pub creation_ttl: u64,
    /// RFC 3339; `None` for a token that never expires.
    pub expire_time: Option<String>,
    /// Seconds left.
    #[serde(deserialize_with = "wire::seconds")]
    pub ttl: u64,
    #[serde(deserialize_with = "wire::seconds")]
    pub explicit_max_ttl: u64,
    pub entity_id: String,
    /// `service` or `batch`.
    #[serde(rename = "type")]
    pub token_type: String,
    /// Only when the token is periodic (set on the request; from a role: unconfirmed).
    #[serde(deserialize_with = "wire::opt_seconds")]
    pub period: Option<u64>,
    /// Only sent for tokens with a lease; absent means not renewable.
    pub renewable: bool,
    pub issue_time: Option<String>,
    /// Only for tokens created against a role.
    pub role: Option<String>,
    #[serde(deserialize_with = "wire::string_list")]
    pub bound_cidrs: Vec<String>,
}

impl Expected for TokenLookup {
    const WHAT: &'static str = "a token lookup";
    const REQUIRED: &'static [&'static str] = &["accessor", "policies", "ttl"];
}

impl TokenLookup {
    /// Whether the token has the `root` policy.
    pub fn is_root(&self) -> bool {
        self.policies.iter().any(|p| p == "root")
    }
}

/// Path → capabilities (`["deny"]` when nothing matches, `["root"]` for a root token).
pub type Capabilities = BTreeMap<String, Vec<String>>;

const ROLES: &str = "auth/token/roles";

#[derive(Deserialize, Default)]
#[serde(default)]
struct Keys {
    #[serde(deserialize_with = "wire::string_list")]
    keys: Vec<String>,
}

impl Expected for Keys {
    const WHAT: &'static str = "a list of token role names";
    const REQUIRED: &'static [&'static str] = &["keys"];
}

impl VaultClient {
    /// `GET auth/token/roles/:name`; `None` when it does not exist.
    pub fn read_token_role(&self, name: &str) -> Result<Option<TokenRole>, VaultError> {
        wire::absent_on_404(self.read_data(&format!("{ROLES}/{}", wire::segment(name))))
    }

    /// `PUT auth/token/roles/:name`. Idempotent, so retried. Returns Vault's warnings (e.g.
    /// both `token_period` and `period` given).
    pub fn write_token_role(
        &self,
        name: &str,
        params: &TokenRoleParams,
    ) -> Result<Vec<String>, VaultError> {
        let path = format!("{ROLES}/{}", wire::segment(name));
        let request = Request::new(Method::PUT, path.as_str(), Replay::Safe).json(params)?;
        let reply = self.execute(&request)?;
        wire::write_warnings(&reply, &path)
    }

    /// `LIST auth/token/roles` (none → empty).
    pub fn list_token_roles(&self) -> Result<Vec<String>, VaultError> {
        wire::empty_on_404(
            self.execute(&Request::list(ROLES))
                .and_then(|reply| wire::decode_data::<Keys>(&reply, ROLES))
                .map(|(keys, _)| keys.keys),
        )
    }

    /// `DELETE auth/token/roles/:name`; returns warnings.
    pub fn delete_token_role(&self, name: &str) -> Result<Vec<String>, VaultError> {
        self.delete_at(&format!("{ROLES}/{}", wire::segment(name)))
    }

    /// `POST auth/token/create`. Never retried once sent: a second copy would mint a second
    /// token nobody knows about. On [`VaultError::may_have_been_applied`] a token may exist.
    pub fn create_token(&self, request: &TokenCreateRequest) -> Result<TokenCreated, VaultError> {
        self.create_token_at("auth/token/create".into(), request)
    }

    /// `POST auth/token/create-orphan` (no sudo needed). Never retried once sent.
    pub fn create_orphan_token(
        &self,
        request: &TokenCreateRequest,
    ) -> Result<TokenCreated, VaultError> {
        self.create_token_at("auth/token/create-orphan".into(), request)
    }

    /// `POST auth/token/create/:role`. Never retried once sent.
    pub fn create_token_for_role(
        &self,
        role: &str,
        request: &TokenCreateRequest,
    ) -> Result<TokenCreated, VaultError> {
        self.create_token_at(
            format!("auth/token/create/{}", wire::segment(role)),
            request,
        )
    }

    fn create_token_at(
        &self,
        path: String,
        body: &TokenCreateRequest,
    ) -> Result<TokenCreated, VaultError> {
        let request =
            Request::new(Method::POST, path.as_str(), Replay::NeverAfterSend).json(body)?;
        let reply = self.execute(&request)?;
        auth_of(&reply, &path)
    }

    /// `POST auth/<path>/login {"role", "jwt"}`, unauthenticated: a task's login with its
    /// workload identity, as Nomad's client makes it. Never retried once sent (each copy that
    /// arrives is a token).
    pub fn login_jwt(
        &self,
        auth_path: &str,
        role: &str,
        jwt: &SecretString,
    ) -> Result<TokenCreated, VaultError> {
        #[derive(Serialize)]
        struct Body<'a> {
            role: &'a str,
            jwt: &'a str,
        }
        let path = format!("auth/{}/login", wire::path(auth_path));
        let request = Request::new(Method::POST, path.as_str(), Replay::NeverAfterSend)
            .unauthenticated()
            .json(&Body {
                role,
                jwt: jwt.expose(),
            })?;
        let reply = self.execute(&request)?;
        auth_of(&reply, &path)
    }

    /// `GET auth/token/lookup-self`.
    pub fn lookup_self(&self) -> Result<TokenLookup, VaultError> {
        self.read_data("auth/token/lookup-self")
    }

    /// `POST auth/token/lookup {"token"}`. An unknown token is a 403 (`bad token`).
    pub fn lookup_token(&self, token: &SecretString) -> Result<TokenLookup, VaultError> {
        #[derive(Serialize)]
        struct Body<'a> {
            token: &'a str,
        }
        self.post_for_data(
            "auth/token/lookup",
            &Body {
                token: token.expose(),
            },
        )
    }

    /// `POST auth/token/lookup-accessor {"accessor"}`. Unknown accessor: 400 `invalid accessor`.
    pub fn lookup_accessor(&self, accessor: &str) -> Result<TokenLookup, VaultError> {
        #[derive(Serialize)]
        struct Body<'a> {
            accessor: &'a str,
        }
        self.post_for_data("auth/token/lookup-accessor", &Body { accessor })
    }

    /// `POST auth/token/renew-self`, optionally asking for `increment`. Retried: renewing twice
    /// only moves the expiry to the same point again.
    pub fn renew_self(&self, increment: Option<Duration>) -> Result<TokenCreated, VaultError> {
        #[derive(Serialize)]
        struct Body {
            #[serde(skip_serializing_if = "Option::is_none")]
            increment: Option<u64>,
        }
        let path = "auth/token/renew-self";
        let request = Request::new(Method::POST, path, Replay::Safe).json(&Body {
            increment: increment.map(|d| d.as_secs()),
        })?;
        let reply = self.execute(&request)?;
        auth_of(&reply, path)
    }

    /// `POST auth/token/revoke-accessor {"accessor"}`. Retried (revoking twice is harmless);
    /// an unknown accessor is not an error but the warning `No token found with this accessor`.
    pub fn revoke_accessor(&self, accessor: &str) -> Result<Vec<String>, VaultError> {
        #[derive(Serialize)]
        struct Body<'a> {
            accessor: &'a str,
        }
        let path = "auth/token/revoke-accessor";
        let request = Request::new(Method::POST, path, Replay::Safe).json(&Body { accessor })?;
        let reply = self.execute(&request)?;
        wire::write_warnings(&reply, path)
    }

    /// `POST sys/capabilities-self {"paths": [...]}`: the calling token's capabilities on
    /// every path, in one request. The map has exactly the paths asked for.
    pub fn capabilities_self<S: AsRef<str>>(
        &self,
        paths: &[S],
    ) -> Result<Capabilities, VaultError> {
        #[derive(Serialize)]
        struct Body<'a> {
            paths: Vec<&'a str>,
        }
        let path = "sys/capabilities-self";
        let asked: Vec<&str> = paths.iter().map(AsRef::as_ref).collect();
        let request = Request::new(Method::POST, path, Replay::Safe).json(&Body {
            paths: asked.clone(),
        })?;
        let reply = self.execute(&request)?;
        let body = wire::decode_value(&reply, path)?;
        // `data` holds the map; the same keys are copied to the top level, which is all some
        // old servers send.
        let map = body.get("data").filter(|d| d.is_object()).unwrap_or(&body);
        let mut out = Capabilities::new();
        for asked_path in asked {
            let found = map.get(asked_path).or_else(|| {
                (paths.len() == 1)
                    .then(|| map.get("capabilities"))
                    .flatten()
            });
            let Some(list) = found.and_then(|v| v.as_array()) else {
                return Err(VaultError::Decode {
                    address: reply.answered_by.clone(),
                    path: path.into(),
                    detail: format!("no capabilities for {asked_path:?} in the answer"),
                });
            };
            out.insert(
                asked_path.to_owned(),
                list.iter()
                    .filter_map(|c| c.as_str().map(str::to_owned))
                    .collect(),
            );
        }
        Ok(out)
    }

    fn post_for_data<B: Serialize, D: Expected>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<D, VaultError> {
        let request = Request::new(Method::POST, path, Replay::Safe).json(body)?;
        let reply = self.execute(&request)?;
        wire::decode_data(&reply, path).map(|(data, _)| data)
    }
}

fn auth_of(reply: &super::wire::Reply, path: &str) -> Result<TokenCreated, VaultError> {
    let (auth, warnings) = wire::decode_auth::<TokenAuth>(reply, path)?;
    Ok(TokenCreated { auth, warnings })
}
