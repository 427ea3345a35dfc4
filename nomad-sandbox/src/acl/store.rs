//! The ACL state (tokens, policies, the bootstrap marker) and how a request's secret becomes
//! a caller (nomad/auth/auth.go `Authenticate`, `ResolveACL`, `resolveSecretToken`).

use std::collections::BTreeMap;
use std::time::SystemTime;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use serde_json::{json, Value};

use super::policy::{self, Authority, Policy};
use super::token::{is_uuid, AclToken};
use crate::identity::Keyring;

/// A stored policy (structs.ACLPolicy).
#[derive(Debug, Clone)]
pub struct StoredPolicy {
    pub name: String,
    pub description: String,
    pub rules: String,
    pub parsed: Policy,
    pub hash: Vec<u8>,
    pub create_index: u64,
    pub modify_index: u64,
}

impl StoredPolicy {
    pub fn new(name: String, description: String, rules: String, parsed: Policy) -> Self {
        let mut h = Blake2b::<U32>::new();
        h.update(name.as_bytes());
        h.update(description.as_bytes());
        h.update(rules.as_bytes());
        StoredPolicy {
            name,
            description,
            rules,
            parsed,
            hash: h.finalize().to_vec(),
            create_index: 0,
            modify_index: 0,
        }
    }

    pub fn to_json(&self) -> Value {
        // A read parses the stored rules leniently for `RulesJSON` (ACL.GetPolicy).
        let rules_json = policy::parse(&self.rules, false)
            .map(|p| p.to_json())
            .unwrap_or(Value::Null);
        json!({
            "Name": self.name,
            "Description": self.description,
            "Rules": self.rules,
            "RulesJSON": if self.rules.is_empty() { Value::Null } else { rules_json },
            "JobACL": null,
            "Hash": STANDARD.encode(&self.hash),
            "CreateIndex": self.create_index,
            "ModifyIndex": self.modify_index,
        })
    }

    pub fn stub_json(&self) -> Value {
        json!({
            "Name": self.name,
            "Description": self.description,
            "JobACL": null,
            "Hash": STANDARD.encode(&self.hash),
            "CreateIndex": self.create_index,
            "ModifyIndex": self.modify_index,
        })
    }
}

#[derive(Debug, Default)]
pub struct AclStore {
    /// By accessor ID.
    pub tokens: BTreeMap<String, AclToken>,
    pub policies: BTreeMap<String, StoredPolicy>,
    /// The Raft index of the bootstrap (the "reset index"); `None` until bootstrapped.
    pub bootstrap_index: Option<u64>,
    /// What `<data_dir>/acl-bootstrap-reset` holds, if the operator wrote it.
    pub reset_file: Option<u64>,
}

/// Who is calling, once the secret is resolved.
#[derive(Debug, Clone)]
pub enum Caller {
    /// ACLs are off: everything is allowed (structs.ACLsDisabledToken).
    AclsDisabled,
    /// No secret: the `anonymous` policy applies (structs.AnonymousACLToken).
    Anonymous,
    Token(AclToken),
    /// A workload identity JWT this agent signed (its claims).
    Workload(Value),
}

/// Why a secret did not resolve, with the Go error text each case carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// A UUID no token has: `Permission denied` (`ACL token not found` before 1.5).
    Unknown,
    /// `ACL token expired`.
    Expired,
    /// Not a UUID and not a valid identity: the JWT verification error.
    Invalid(String),
}

impl AclStore {
    pub fn token_by_secret(&self, secret: &str) -> Option<&AclToken> {
        self.tokens.values().find(|t| t.secret_id == secret)
    }

    /// `Authenticate` + `resolveSecretToken`. `legacy` (before 1.5): no JWTs, unknown
    /// secrets are simply not found.
    pub fn authenticate(
        &self,
        acl_enabled: bool,
        secret: &str,
        now: SystemTime,
        keyring: &mut Keyring,
        legacy: bool,
    ) -> Result<Caller, AuthFailure> {
        if !acl_enabled {
            return Ok(Caller::AclsDisabled);
        }
        if secret.is_empty() {
            return Ok(Caller::Anonymous);
        }
        if !is_uuid(secret) {
            if legacy {
                return Err(AuthFailure::Unknown);
            }
            return keyring
                .verify(secret)
                .map(Caller::Workload)
                .map_err(AuthFailure::Invalid);
        }
        match self.token_by_secret(secret) {
            None => Err(AuthFailure::Unknown),
            Some(t) if t.is_expired(now) => Err(AuthFailure::Expired),
            Some(t) => Ok(Caller::Token(t.clone())),
        }
    }

    /// `ResolveACL`: what the caller may do. Policies a token names that do not exist are
    /// skipped (resolveACLFromToken), so such a token may do nothing.
    pub fn authority(&self, caller: &Caller) -> Authority {
        match caller {
            Caller::AclsDisabled => Authority::management(),
            Caller::Token(t) if t.is_management() => Authority::management(),
            Caller::Token(t) => Authority::from_policies(
                t.policy_names()
                    .iter()
                    .filter_map(|name| self.policies.get(name))
                    .map(|p| &p.parsed),
            ),
            Caller::Anonymous => {
                Authority::from_policies(self.policies.get("anonymous").map(|p| &p.parsed))
            }
            // Policies attached to jobs (JobACL) are not modelled: an identity may do nothing.
            Caller::Workload(_) => Authority::default(),
        }
    }

    /// The management token created by the bootstrap, if it still exists.
    pub fn bootstrap_token(&self) -> Option<&AclToken> {
        let index = self.bootstrap_index?;
        self.tokens
            .values()
            .find(|t| t.create_index == index && t.is_management())
    }
}
