//! `database/roles/:name`: a dynamic role (vault-api-engines.md §3.3).
//!
//! Upstream: builtin/logical/database/path_roles.go (pathRoleCreateUpdate, pathRoleRead,
//! roleEntry.setCredentialType). Not checked at write, as in Vault: that `db_name` exists,
//! that there are creation statements, that `default_ttl` ≤ `max_ttl`.

use serde_json::{json, Map, Value};

use crate::api::{ApiError, Request};
use crate::token::fields;

use super::connection::statement_list;

const CREDENTIAL_TYPES: &[&str] = &["password", "rsa_private_key", "client_certificate"];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Role {
    pub db_name: String,
    pub creation: Vec<String>,
    pub revocation: Vec<String>,
    pub rollback: Vec<String>,
    pub renew: Vec<String>,
    /// Seconds; 0 means the mount's value.
    pub default_ttl: u64,
    pub max_ttl: u64,
    pub credential_type: String,
    pub credential_config: Map<String, Value>,
}

fn seconds(v: &Value) -> Result<u64, String> {
    fields::parse_duration(v).map(|s| s.max(0) as u64)
}

impl Role {
    /// The role after a write (`existing` is `None` on create), or Vault's 400.
    pub fn write(existing: Option<&Role>, req: &Request) -> Result<Role, ApiError> {
        let create = existing.is_none();
        let mut role = existing.cloned().unwrap_or(Role {
            credential_type: "password".into(),
            ..Default::default()
        });
        if let Some(v) = fields::get(req, "db_name", |v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("'{v}' expected type 'string'"))
        })? {
            role.db_name = v;
        } else if create {
            role.db_name = String::new();
        }
        if role.db_name.is_empty() {
            return Err(ApiError::bad_request("database name is required"));
        }
        if let Some(v) = req.body.get("credential_type") {
            let kind = v.as_str().unwrap_or_default();
            if !CREDENTIAL_TYPES.contains(&kind) {
                return Err(ApiError::bad_request(format!(
                    "invalid credential_type {kind:?}"
                )));
            }
            role.credential_type = kind.to_string();
        }
        match req.body.get("credential_config") {
            Some(Value::Object(map)) => role.credential_config = map.clone(),
            Some(Value::Null) | None if create => role.credential_config = Map::new(),
            Some(Value::Null) | None => {}
            Some(other) => {
                return Err(fields::field_error(
                    "credential_config",
                    &format!("'{other}' expected a map"),
                ))
            }
        }
        for (key, list) in [
            ("creation_statements", &mut role.creation),
            ("revocation_statements", &mut role.revocation),
            ("rollback_statements", &mut role.rollback),
            ("renew_statements", &mut role.renew),
        ] {
            if let Some(v) = fields::get(req, key, statement_list)? {
                *list = v;
            } else if create {
                list.clear();
            }
        }
        role.revocation.retain(|s| !s.is_empty());
        if let Some(v) = fields::get(req, "default_ttl", seconds)? {
            role.default_ttl = v;
        } else if create {
            role.default_ttl = 0;
        }
        if let Some(v) = fields::get(req, "max_ttl", seconds)? {
            role.max_ttl = v;
        } else if create {
            role.max_ttl = 0;
        }
        Ok(role)
    }

    /// `GET database/roles/:name`: all four lists always present.
    pub fn read(&self) -> Value {
        let mut data = json!({
            "db_name": self.db_name,
            "creation_statements": self.creation,
            "revocation_statements": self.revocation,
            "rollback_statements": self.rollback,
            "renew_statements": self.renew,
            "default_ttl": self.default_ttl,
            "max_ttl": self.max_ttl,
            "credential_type": self.credential_type,
        });
        if !self.credential_config.is_empty() {
            data["credential_config"] = Value::Object(self.credential_config.clone());
        }
        data
    }
}
