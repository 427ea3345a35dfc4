//! Nomad ACL tokens (nomad/structs/acl.go `ACLToken`): the request form read from a body
//! (`UnmarshalJSON`: `ExpirationTTL` as a Go duration string or nanoseconds), `Canonicalize`,
//! `Validate` with its multierror messages, `SetHash` (BLAKE2b-256), and the JSON Nomad
//! answers with (`MarshalJSON`: `ExpirationTTL` first, `""` when zero).

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use serde_json::{json, Value};

use crate::clock::{go_duration, go_time, parse_go_duration, parse_go_time};
use crate::gojson::GoObject;

pub const CLIENT: &str = "client";
pub const MANAGEMENT: &str = "management";

/// `maxTokenNameLength` (nomad/structs/structs.go).
const MAX_TOKEN_NAME_LENGTH: usize = 256;

#[derive(Clone, PartialEq)]
pub struct AclToken {
    pub accessor_id: String,
    pub secret_id: String,
    pub name: String,
    pub token_type: String,
    /// `None` is Go's nil slice (`null` in JSON), as a management token has.
    pub policies: Option<Vec<String>>,
    /// Role links as sent; the sandbox has no ACL roles, so a token naming one is refused.
    pub roles: Option<Vec<Value>>,
    pub global: bool,
    pub hash: Vec<u8>,
    pub create_time: Option<SystemTime>,
    pub expiration_time: Option<SystemTime>,
    /// Nanoseconds.
    pub expiration_ttl: i64,
    pub create_index: u64,
    pub modify_index: u64,
}

impl std::fmt::Debug for AclToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AclToken")
            .field("accessor_id", &self.accessor_id)
            .field("secret_id", &"<redacted>")
            .field("name", &self.name)
            .field("type", &self.token_type)
            .field("policies", &self.policies)
            .field("global", &self.global)
            .finish_non_exhaustive()
    }
}

impl AclToken {
    /// Reads a token from a request body (`structs.ACLToken.UnmarshalJSON`).
    pub fn from_request(body: &GoObject) -> Result<AclToken, String> {
        let expiration_ttl = match body.get("ExpirationTTL") {
            None => 0,
            Some(Value::String(s)) if s.is_empty() => 0,
            Some(Value::String(s)) => parse_go_duration(s)?,
            #[allow(clippy::cast_possible_truncation)]
            Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0) as i64,
            Some(_) => 0,
        };
        let time = |field: &str| -> Result<Option<SystemTime>, String> {
            match body.get(field) {
                None => Ok(None),
                Some(Value::String(s)) => parse_go_time(s),
                Some(other) => Err(format!(
                    "parsing time {} as \"2006-01-02T15:04:05Z07:00\": cannot parse",
                    other
                )),
            }
        };
        Ok(AclToken {
            accessor_id: body.string("AccessorID")?,
            secret_id: body.string("SecretID")?,
            name: body.string("Name")?,
            token_type: body.string("Type")?,
            policies: body.strings("Policies")?,
            roles: match body.get("Roles") {
                Some(Value::Array(items)) => Some(items.clone()),
                _ => None,
            },
            global: body.bool("Global")?,
            hash: Vec::new(),
            create_time: time("CreateTime")?,
            expiration_time: time("ExpirationTime")?,
            expiration_ttl,
            create_index: 0,
            modify_index: 0,
        })
    }

    /// The management token `ACL.Bootstrap` creates.
    pub fn bootstrap(secret_id: String, now: SystemTime) -> AclToken {
        let mut token = AclToken {
            accessor_id: uuid::Uuid::new_v4().to_string(),
            secret_id,
            name: "Bootstrap Token".into(),
            token_type: MANAGEMENT.into(),
            policies: None,
            roles: None,
            global: true,
            hash: Vec::new(),
            create_time: Some(now),
            expiration_time: None,
            expiration_ttl: 0,
            create_index: 0,
            modify_index: 0,
        };
        token.set_hash();
        token
    }

    pub fn is_management(&self) -> bool {
        self.token_type == MANAGEMENT
    }

    pub fn policy_names(&self) -> &[String] {
        self.policies.as_deref().unwrap_or_default()
    }

    /// `ACLToken.Canonicalize`: a token without accessor gets fresh IDs and a create time; an
    /// uploaded one without create time gets one. The TTL becomes an expiration time.
    pub fn canonicalize(&mut self, now: SystemTime) {
        if self.accessor_id.is_empty() {
            self.accessor_id = uuid::Uuid::new_v4().to_string();
            self.secret_id = uuid::Uuid::new_v4().to_string();
            self.create_time = Some(now);
        } else if self.create_time.is_none() {
            self.create_time = Some(now);
        } else {
            return;
        }
        if self.expiration_time.is_none() && self.expiration_ttl != 0 {
            self.expiration_time = self
                .create_time
                .and_then(|t| add_nanos(t, self.expiration_ttl));
        }
    }

    /// `ACLToken.Validate(minTTL, maxTTL, existing)`: the messages, in Nomad's order.
    pub fn validate(
        &self,
        min_ttl: Duration,
        max_ttl: Duration,
        existing: Option<&AclToken>,
    ) -> Vec<String> {
        let mut errors = Vec::new();
        if self.name.len() > MAX_TOKEN_NAME_LENGTH {
            errors.push("token name too long".to_string());
        }
        let has_roles = self.roles.as_ref().is_some_and(|r| !r.is_empty());
        match self.token_type.as_str() {
            CLIENT => {
                if self.policy_names().is_empty() && !has_roles {
                    errors.push("client token missing policies or roles".into());
                }
            }
            MANAGEMENT => {
                if !self.policy_names().is_empty() || has_roles {
                    errors.push(
                        "management token cannot be associated with policies or roles".into(),
                    );
                }
            }
            _ => errors.push("token type must be client or management".into()),
        }
        match existing {
            None => {
                if self.expiration_ttl < 0 {
                    errors.push(format!(
                        "token expiration TTL '{}' should not be negative",
                        go_duration(self.expiration_ttl)
                    ));
                }
                if let (Some(expires), Some(created)) = (self.expiration_time, self.create_time) {
                    if created > expires {
                        errors.push("expiration time cannot be before create time".into());
                    }
                    let expires_in = signed_nanos(expires, created);
                    let max = i64::try_from(max_ttl.as_nanos()).unwrap_or(i64::MAX);
                    let min = i64::try_from(min_ttl.as_nanos()).unwrap_or(0);
                    if expires_in > max {
                        errors.push(format!(
                            "expiration time cannot be more than {} in the future (was {})",
                            go_duration(max),
                            go_duration(expires_in)
                        ));
                    } else if expires_in < min {
                        errors.push(format!(
                            "expiration time cannot be less than {} in the future (was {})",
                            go_duration(min),
                            go_duration(expires_in)
                        ));
                    }
                }
            }
            Some(old) => {
                if old.global != self.global {
                    errors.push("cannot toggle global mode".into());
                }
                if old.expiration_ttl != self.expiration_ttl {
                    errors.push("cannot update expiration TTL".into());
                }
                if self.expiration_time.is_some() && old.expiration_time != self.expiration_time {
                    errors.push("cannot update expiration time".into());
                }
            }
        }
        errors
    }

    /// `ACLToken.SetHash`: BLAKE2b-256 over name, type, policies, locality and role IDs.
    pub fn set_hash(&mut self) {
        let mut h = Blake2b::<U32>::new();
        h.update(self.name.as_bytes());
        h.update(self.token_type.as_bytes());
        for p in self.policy_names() {
            h.update(p.as_bytes());
        }
        h.update(if self.global {
            b"global" as &[u8]
        } else {
            b"local"
        });
        self.hash = h.finalize().to_vec();
    }

    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.expiration_time.is_some_and(|t| t < now)
    }

    /// The token as Nomad answers it (with its secret): `MarshalJSON` puts `ExpirationTTL`
    /// first.
    pub fn to_json(&self) -> Value {
        let mut out = serde_json::Map::new();
        let ttl = if self.expiration_ttl == 0 {
            String::new()
        } else {
            go_duration(self.expiration_ttl)
        };
        out.insert("ExpirationTTL".into(), json!(ttl));
        if let Value::Object(stub) = self.stub_json() {
            for (k, v) in stub {
                out.insert(k.clone(), v);
                if k == "AccessorID" {
                    out.insert("SecretID".into(), json!(self.secret_id));
                }
            }
        }
        Value::Object(out)
    }

    /// `ACLTokenListStub` (no secret).
    pub fn stub_json(&self) -> Value {
        json!({
            "AccessorID": self.accessor_id,
            "Name": self.name,
            "Type": self.token_type,
            "Policies": self.policies,
            "Roles": self.roles,
            "Global": self.global,
            "Hash": STANDARD.encode(&self.hash),
            "CreateTime": self.create_time.map_or_else(|| crate::clock::GO_ZERO_TIME.to_string(), go_time),
            "ExpirationTime": self.expiration_time.map(go_time),
            "CreateIndex": self.create_index,
            "ModifyIndex": self.modify_index,
        })
    }
}

/// The built-in tokens `ACL.WhoAmI` can answer with (nomad/structs/acl.go).
pub fn anonymous_json() -> Value {
    builtin_json(
        "anonymous",
        "Anonymous Token",
        Some(vec!["anonymous".to_string()]),
    )
}

pub fn acls_disabled_json() -> Value {
    builtin_json("acls-disabled", "ACLs disabled token", None)
}

fn builtin_json(accessor: &str, name: &str, policies: Option<Vec<String>>) -> Value {
    json!({
        "ExpirationTTL": "",
        "AccessorID": accessor,
        "SecretID": "",
        "Name": name,
        "Type": CLIENT,
        "Policies": policies,
        "Roles": null,
        "Global": false,
        "Hash": null,
        "CreateTime": crate::clock::GO_ZERO_TIME,
        "ExpirationTime": null,
        "CreateIndex": 0,
        "ModifyIndex": 0,
    })
}

fn add_nanos(t: SystemTime, nanos: i64) -> Option<SystemTime> {
    let d = Duration::from_nanos(nanos.unsigned_abs());
    if nanos >= 0 {
        t.checked_add(d)
    } else {
        t.checked_sub(d)
    }
}

fn signed_nanos(later: SystemTime, earlier: SystemTime) -> i64 {
    match later.duration_since(earlier) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_nanos()).unwrap_or(i64::MAX),
    }
}

/// `helper.IsUUID`: 8-4-4-4-12 hex digits, either case.
pub fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(kind: &str, policies: Option<Vec<&str>>) -> AclToken {
        let mut t = AclToken::bootstrap(String::new(), SystemTime::now());
        t.token_type = kind.into();
        t.policies = policies.map(|p| p.into_iter().map(String::from).collect());
        t
    }

    #[test]
    fn validation_messages_follow_nomad() {
        let day = Duration::from_secs(86_400);
        let min = Duration::from_secs(60);
        assert_eq!(
            token(CLIENT, None).validate(min, day, None),
            vec!["client token missing policies or roles"]
        );
        assert_eq!(
            token(MANAGEMENT, Some(vec!["x"])).validate(min, day, None),
            vec!["management token cannot be associated with policies or roles"]
        );
        let mut t = token("admin", None);
        t.name = "n".repeat(257);
        assert_eq!(
            t.validate(min, day, None),
            vec![
                "token name too long",
                "token type must be client or management"
            ]
        );
    }

    #[test]
    fn json_has_nomads_fields_and_empty_ttl() {
        let t = token(MANAGEMENT, None);
        let v = t.to_json();
        assert_eq!(v["ExpirationTTL"], "");
        assert_eq!(v["Policies"], Value::Null);
        assert_eq!(v["Global"], true);
        assert_eq!(
            STANDARD.decode(v["Hash"].as_str().unwrap()).unwrap().len(),
            32
        );
    }

    #[test]
    fn uuids_are_recognised_in_either_case() {
        assert!(is_uuid("b780e702-98ce-521f-2e5f-c6b87de05b24"));
        assert!(is_uuid("B780E702-98CE-521F-2E5F-C6B87DE05B24"));
        assert!(!is_uuid("not-a-uuid"));
    }
}
