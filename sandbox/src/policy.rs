//! `sys/policies/acl/*` and `sys/policy/*` (vault-api.md §3).
//!
//! The store keeps each policy's raw text (returned verbatim on read) and its parsed rules
//! (used for every ACL check). `root` is never stored: it is a name the ACL engine knows.

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{json, Value};

use crate::acl::{parse_policy, Acl, ParsedPolicy};
use crate::api::{ApiError, HandlerResult, Logical, Method, Reply, Request};
use crate::auth::Caller;
use crate::flavor::Flavor;
use crate::state::State;

/// Vault's built-in `default` policy, verbatim from hashicorp/vault `vault/policy_store.go`.
pub const DEFAULT_POLICY: &str = r#"
# Allow tokens to look up their own properties
path "auth/token/lookup-self" {
    capabilities = ["read"]
}

# Allow tokens to renew themselves
path "auth/token/renew-self" {
    capabilities = ["update"]
}

# Allow tokens to revoke themselves
path "auth/token/revoke-self" {
    capabilities = ["update"]
}

# Allow a token to look up its own capabilities on a path
path "sys/capabilities-self" {
    capabilities = ["update"]
}

# Allow a token to look up its own entity by id or name
path "identity/entity/id/{{identity.entity.id}}" {
  capabilities = ["read"]
}
path "identity/entity/name/{{identity.entity.name}}" {
  capabilities = ["read"]
}


# Allow a token to look up its resultant ACL from all policies. This is useful
# for UIs. It is an internal path because the format may change at any time
# based on how the internal ACL features and capabilities change.
path "sys/internal/ui/resultant-acl" {
    capabilities = ["read"]
}

# Allow a token to renew a lease via lease_id in the request body; old path for
# old clients, new path for newer
path "sys/renew" {
    capabilities = ["update"]
}
path "sys/leases/renew" {
    capabilities = ["update"]
}

# Allow looking up lease properties. This requires knowing the lease ID ahead
# of time and does not divulge any sensitive information.
path "sys/leases/lookup" {
    capabilities = ["update"]
}

# Allow a token to manage its own cubbyhole
path "cubbyhole/*" {
    capabilities = ["create", "read", "update", "delete", "list"]
}

# Allow a token to wrap arbitrary values in a response-wrapping token
path "sys/wrapping/wrap" {
    capabilities = ["update"]
}

# Allow a token to look up the creation time and TTL of a given
# response-wrapping token
path "sys/wrapping/lookup" {
    capabilities = ["update"]
}

# Allow a token to unwrap a response-wrapping token. This is a convenience to
# avoid client token swapping since this is also part of the response wrapping
# policy.
path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}

# Allow general purpose tools
path "sys/tools/hash" {
    capabilities = ["update"]
}
path "sys/tools/hash/*" {
    capabilities = ["update"]
}

# Allow a token to make requests to the Authorization Endpoint for OIDC providers.
path "identity/oidc/provider/+/authorize" {
    capabilities = ["read", "update"]
}
"#;

/// The policy response-wrapping tokens carry; stored, readable, never listed or assignable.
pub const RESPONSE_WRAPPING_POLICY: &str = r#"
path "cubbyhole/response" {
    capabilities = ["create", "read"]
}

path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}
"#;

pub const RESPONSE_WRAPPING: &str = "response-wrapping";

#[derive(Debug, Clone)]
pub struct StoredPolicy {
    pub raw: String,
    pub parsed: ParsedPolicy,
}

#[derive(Debug)]
pub struct PolicyStore {
    policies: BTreeMap<String, StoredPolicy>,
}

impl Default for PolicyStore {
    /// A fresh store holds `default` and `response-wrapping`, as Vault's does after unseal.
    fn default() -> Self {
        let mut policies = BTreeMap::new();
        for (name, raw) in [
            ("default", DEFAULT_POLICY),
            (RESPONSE_WRAPPING, RESPONSE_WRAPPING_POLICY),
        ] {
            // Both texts only use capabilities common to every flavor.
            let parsed = parse_policy(raw, Flavor::Vault).unwrap_or_default();
            policies.insert(
                name.to_string(),
                StoredPolicy {
                    raw: raw.to_string(),
                    parsed,
                },
            );
        }
        PolicyStore { policies }
    }
}

/// Vault normalises policy names this way everywhere.
pub fn sanitize_name(name: &str) -> String {
    name.trim().to_lowercase()
}

impl PolicyStore {
    pub fn get(&self, name: &str) -> Option<&StoredPolicy> {
        self.policies.get(&sanitize_name(name))
    }

    /// Whether a token may carry this policy without the "does not exist" warning.
    pub fn exists(&self, name: &str) -> bool {
        let name = sanitize_name(name);
        name == "root" || self.policies.contains_key(&name)
    }

    /// Stores a policy whose text already parsed (no immutability checks: the handler does them).
    pub fn set(&mut self, name: &str, raw: &str, parsed: ParsedPolicy) {
        self.policies.insert(
            sanitize_name(name),
            StoredPolicy {
                raw: raw.to_string(),
                parsed,
            },
        );
    }

    /// Writes a policy from HCL text, as `PUT sys/policies/acl/:name` does.
    pub fn write(&mut self, name: &str, text: &str, flavor: Flavor) -> Result<(), String> {
        let parsed = parse_policy(text, flavor)?;
        let name = sanitize_name(name);
        if name == "root" || name == RESPONSE_WRAPPING {
            return Err(format!("cannot update {name:?} policy"));
        }
        self.set(&name, text, parsed);
        Ok(())
    }

    /// The list answer: sorted assignable names, then `root` (root namespace).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .policies
            .keys()
            .filter(|n| *n != RESPONSE_WRAPPING)
            .cloned()
            .collect();
        names.push("root".to_string());
        names
    }

    /// The ACL a token with these policies gets; unknown names contribute nothing.
    pub fn acl(&self, names: &[String]) -> Acl {
        if names.iter().any(|n| n == "root") {
            return Acl::root();
        }
        Acl::from_policies(
            names
                .iter()
                .filter_map(|n| self.policies.get(n.as_str()))
                .map(|p| &p.parsed),
        )
    }
}

/// Vault's policy endpoints have no existence check, so a write is always an `update`.
pub fn exists(_state: &State, _path: &str) -> Option<bool> {
    None
}

fn unsupported_operation() -> ApiError {
    ApiError::new(405, "1 error occurred:\n\t* unsupported operation\n\n")
}

/// `sys/policy`, `sys/policy/*`, `sys/policies/acl`, `sys/policies/acl/*`.
pub fn handle(state: &mut State, _caller: &Caller, req: &Request) -> HandlerResult {
    let (legacy, name) = if let Some(rest) = req.path.strip_prefix("sys/policy") {
        match rest.strip_prefix('/') {
            Some(name) => (true, Some(name)),
            None if rest.is_empty() => (true, None),
            None => return Err(ApiError::unsupported_path()),
        }
    } else if let Some(rest) = req.path.strip_prefix("sys/policies/acl") {
        match rest.strip_prefix('/') {
            Some(name) => (false, Some(name)),
            None if rest.is_empty() => (false, None),
            None => return Err(ApiError::unsupported_path()),
        }
    } else {
        return Err(ApiError::unsupported_path());
    };

    let name = name.filter(|n| !n.is_empty());
    match (name, req.method) {
        (None, Method::List) | (None, Method::Get) if legacy => Ok(list(state, true)),
        (None, Method::List) => Ok(list(state, false)),
        (None, _) => Err(unsupported_operation()),
        (Some(name), Method::Get) => read(state, name, legacy),
        (Some(name), m) if m.is_write() => write(state, name, req, legacy),
        (Some(name), Method::Delete) => delete(state, name),
        (Some(_), _) => Err(unsupported_operation()),
    }
}

fn logical(data: Value, legacy: bool) -> Reply {
    Reply::Logical(Logical {
        data: Some(data),
        data_at_top_level: legacy,
        ..Default::default()
    })
}

fn list(state: &State, legacy: bool) -> Reply {
    let names = state.policies.names();
    let data = if legacy {
        json!({"keys": names, "policies": names})
    } else {
        json!({"keys": names})
    };
    logical(data, legacy)
}

fn read(state: &State, name: &str, legacy: bool) -> HandlerResult {
    let name = sanitize_name(name);
    let field = if legacy { "rules" } else { "policy" };
    if name == "root" {
        return Ok(logical(json!({"name": "root", field: ""}), legacy));
    }
    match state.policies.get(&name) {
        Some(p) => Ok(logical(json!({"name": name, field: p.raw}), legacy)),
        None => Err(ApiError::not_found()),
    }
}

fn write(state: &mut State, name: &str, req: &Request, legacy: bool) -> HandlerResult {
    let mut warnings = Vec::new();
    let mut text = req.str_field("policy").unwrap_or_default().to_string();
    if text.is_empty() && legacy {
        text = req.str_field("rules").unwrap_or_default().to_string();
        warnings.push("'rules' is deprecated, please use 'policy' instead".to_string());
    }
    if text.is_empty() {
        return Err(ApiError::bad_request(
            "'policy' parameter not supplied or empty",
        ));
    }
    // `vault policy write` may send the text base64-encoded; Vault decodes it when it can.
    if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(text.as_bytes()) {
        if let Ok(decoded) = String::from_utf8(bytes) {
            text = decoded;
        }
    }
    let flavor = state.flavor;
    state
        .policies
        .write(name, &text, flavor)
        .map_err(ApiError::bad_request)?;
    if warnings.is_empty() {
        Ok(Reply::NoContent)
    } else {
        Ok(Reply::Logical(Logical {
            warnings,
            ..Default::default()
        }))
    }
}

fn delete(state: &mut State, name: &str) -> HandlerResult {
    let name = sanitize_name(name);
    if name == "root" || name == RESPONSE_WRAPPING {
        return Err(ApiError::bad_request(format!(
            "cannot delete {name:?} policy"
        )));
    }
    if name == "default" {
        return Err(ApiError::bad_request("cannot delete default policy"));
    }
    state.policies.policies.remove(&name);
    Ok(Reply::NoContent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Operation;

    #[test]
    fn default_policy_parses_and_grants_the_documented_paths() {
        let store = PolicyStore::default();
        let acl = store.acl(&["default".to_string()]);
        // vault-api.md §6: read on lookup-self, update on renew/revoke-self and capabilities-self
        assert!(acl.allows(Operation::Read, "auth/token/lookup-self"));
        assert!(!acl.allows(Operation::Update, "auth/token/lookup-self"));
        assert!(acl.allows(Operation::Update, "auth/token/renew-self"));
        assert!(acl.allows(Operation::Update, "auth/token/revoke-self"));
        assert!(acl.allows(Operation::Update, "sys/capabilities-self"));
        assert!(acl.allows(Operation::List, "cubbyhole/"));
        assert!(acl.allows(Operation::Update, "identity/oidc/provider/p/authorize"));
        assert!(!acl.allows(Operation::Read, "sys/policies/acl/default"));
        assert_eq!(
            store.get("default").map(|p| p.raw.as_str()),
            Some(DEFAULT_POLICY)
        );
    }

    #[test]
    fn names_are_sorted_end_with_root_and_hide_response_wrapping() {
        let mut store = PolicyStore::default();
        store
            .write(
                "Zeta",
                r#"path "a" { capabilities = ["read"] }"#,
                Flavor::Vault,
            )
            .unwrap();
        store.write("alpha", "", Flavor::Vault).unwrap();
        assert_eq!(store.names(), vec!["alpha", "default", "zeta", "root"]);
        assert!(store.exists("ZETA"));
        assert!(store.exists("root"));
        assert!(!store.exists("nope"));
    }

    #[test]
    fn root_and_response_wrapping_cannot_be_written() {
        let mut store = PolicyStore::default();
        assert_eq!(
            store.write("root", "", Flavor::Vault).unwrap_err(),
            "cannot update \"root\" policy"
        );
        assert!(store.write("response-wrapping", "", Flavor::Vault).is_err());
        assert!(store.write("default", "", Flavor::Vault).is_ok());
    }

    #[test]
    fn root_in_the_list_gives_the_root_acl() {
        let store = PolicyStore::default();
        let acl = store.acl(&["default".to_string(), "root".to_string()]);
        assert!(acl.is_root());
    }
}
