//! The ACL HTTP API: `/v1/acl/bootstrap`, `/v1/acl/policies`, `/v1/acl/policy/:name`,
//! `/v1/acl/tokens`, `/v1/acl/token[/:accessor|/self]`. Each handler keeps the order of checks
//! of command/agent/acl_endpoint.go (method, body decoding, path match) and then of the RPC in
//! nomad/acl_endpoint.go (ACLs enabled, validation, authentication, management, state).

use serde_json::Value;

use super::policy;
use super::store::{AuthFailure, Caller, StoredPolicy};
use super::token::{self, is_uuid, AclToken};
use crate::api::{multierror, Answer, NomadError, Reply, Request};
use crate::gojson;
use crate::state::State;

const POLICY_DESCRIPTION_MAX: usize = 256;

fn resolve(state: &mut State, req: &Request) -> Result<Caller, AuthFailure> {
    let now = state.clock.now();
    let legacy = state.config.version.legacy_token_errors();
    state.acl.authenticate(
        state.config.acl_enabled,
        &req.token,
        now,
        &mut state.keyring,
        legacy,
    )
}

/// How the ACL RPCs answer an authentication failure: `ErrPermissionDenied` (from 1.5);
/// before, `ResolveToken`'s own error was returned.
fn denied(state: &State, failure: &AuthFailure) -> NomadError {
    if state.config.version.legacy_token_errors() {
        return match failure {
            AuthFailure::Expired => NomadError::from_rpc_text("ACL token expired"),
            _ => NomadError::token_not_found(),
        };
    }
    NomadError::permission_denied()
}

/// How `ACL.GetToken` and `ACL.WhoAmI` answer one: they return `Authenticate`'s error as is.
fn raw_failure(state: &State, failure: &AuthFailure) -> NomadError {
    if state.config.version.legacy_token_errors() {
        return denied(state, failure);
    }
    match failure {
        AuthFailure::Unknown => NomadError::permission_denied(),
        AuthFailure::Expired => NomadError::from_rpc_text("ACL token expired"),
        AuthFailure::Invalid(text) => NomadError::from_rpc_text(text.clone()),
    }
}

fn require_enabled(state: &State) -> Result<(), NomadError> {
    if state.config.acl_enabled {
        Ok(())
    } else {
        Err(NomadError::acl_disabled())
    }
}

/// Authenticates and requires a management token.
fn require_management(state: &mut State, req: &Request) -> Result<Caller, NomadError> {
    let caller = resolve(state, req).map_err(|f| denied(state, &f))?;
    if !state.acl.authority(&caller).is_management() {
        return Err(NomadError::permission_denied());
    }
    Ok(caller)
}

/// `decodeBody`: no body at all is `Request body is empty`.
fn decode_body(req: &Request, type_name: &'static str) -> Result<gojson::GoObject, String> {
    if !req.has_body() {
        return Err("Request body is empty".into());
    }
    gojson::decode(&req.body, type_name)
}

/// The policies a non-management caller may read: its own (getPolicyAuthorizationFunc).
fn own_policies(caller: &Caller) -> Vec<String> {
    match caller {
        Caller::Token(t) => t.policy_names().to_vec(),
        Caller::Anonymous => vec!["anonymous".into()],
        _ => Vec::new(),
    }
}

/// `GET /v1/acl/policies` (ACLPoliciesRequest → ACL.ListPolicies).
pub fn list_policies(state: &mut State, req: &Request) -> Answer {
    if req.method != "GET" {
        return Err(NomadError::invalid_method());
    }
    require_enabled(state)?;
    let caller = resolve(state, req).map_err(|f| denied(state, &f))?;
    let management = state.acl.authority(&caller).is_management();
    let own = own_policies(&caller);
    let prefix = req.query("prefix").unwrap_or_default();
    let list: Vec<Value> = state
        .acl
        .policies
        .values()
        .filter(|p| p.name.starts_with(prefix))
        .filter(|p| management || own.contains(&p.name))
        .map(StoredPolicy::stub_json)
        .collect();
    Ok(Reply::queried(
        Value::Array(list),
        State::index_or_one(state.tables.acl_policy),
    ))
}

/// `/v1/acl/policy/:name` (ACLPolicySpecificRequest).
pub fn policy(state: &mut State, req: &Request) -> Answer {
    if req.path == "/v1/acl/policy/self" {
        return self_policies(state, req);
    }
    let name = req.path.trim_start_matches("/v1/acl/policy/").to_string();
    if name.is_empty() {
        return Err(NomadError::bad_request("Missing Policy Name"));
    }
    match req.method.as_str() {
        "GET" => read_policy(state, req, &name),
        "PUT" | "POST" => write_policy(state, req, &name),
        "DELETE" => delete_policy(state, req, &name),
        _ => Err(NomadError::invalid_method()),
    }
}

/// `GET /v1/acl/policy/self` for an ACL token: the policies it may list.
fn self_policies(state: &mut State, req: &Request) -> Answer {
    if req.method != "GET" {
        return Err(NomadError::invalid_method());
    }
    list_policies(state, req)
}

fn read_policy(state: &mut State, req: &Request, name: &str) -> Answer {
    require_enabled(state)?;
    let caller = resolve(state, req).map_err(|f| denied(state, &f))?;
    let management = state.acl.authority(&caller).is_management();
    if name != "anonymous" && !management && !own_policies(&caller).iter().any(|p| p == name) {
        return Err(NomadError::permission_denied());
    }
    match state.acl.policies.get(name) {
        Some(p) => Ok(Reply::queried(p.to_json(), p.modify_index)),
        None => Err(NomadError::new(404, "ACL policy not found")),
    }
}

fn write_policy(state: &mut State, req: &Request, name: &str) -> Answer {
    let body = decode_body(req, "structs.ACLPolicy").map_err(NomadError::bad_request)?;
    let read = |field: &str| body.string(field).map_err(NomadError::bad_request);
    let (body_name, description, rules) = (read("Name")?, read("Description")?, read("Rules")?);
    if body_name != name {
        return Err(NomadError::bad_request(
            "ACL policy name does not match request path",
        ));
    }
    require_enabled(state)?;
    require_management(state, req)?;

    // structs.ACLPolicy.Validate: every problem, in this order.
    let mut errors = Vec::new();
    if !valid_policy_name(name) {
        errors.push(format!("invalid name '{name}'"));
    }
    let parsed = policy::parse(&rules, true);
    if let Err(e) = &parsed {
        errors.push(format!("failed to parse rules: {e}"));
    }
    if description.len() > POLICY_DESCRIPTION_MAX {
        errors.push(format!("description longer than {POLICY_DESCRIPTION_MAX}"));
    }
    let parsed = match parsed {
        Ok(p) if errors.is_empty() => p,
        _ => {
            return Err(NomadError::bad_request(format!(
                "policy 0 invalid: {}",
                multierror(&errors)
            )))
        }
    };

    let index = state.next_index();
    let mut stored = StoredPolicy::new(name.to_string(), description, rules, parsed);
    stored.create_index = state
        .acl
        .policies
        .get(name)
        .map_or(index, |old| old.create_index);
    stored.modify_index = index;
    state.acl.policies.insert(name.to_string(), stored);
    state.tables.acl_policy = index;
    Ok(Reply::Empty { index: Some(index) })
}

/// `structs.ValidPolicyName`: `^[a-zA-Z0-9-]{1,128}$`.
fn valid_policy_name(name: &str) -> bool {
    (1..=128).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn delete_policy(state: &mut State, req: &Request, name: &str) -> Answer {
    require_enabled(state)?;
    require_management(state, req)?;
    let index = state.next_index();
    state.acl.policies.remove(name);
    state.tables.acl_policy = index;
    Ok(Reply::Empty { index: Some(index) })
}

/// `PUT|POST /v1/acl/bootstrap` (ACLTokenBootstrap → ACL.Bootstrap).
pub fn bootstrap(state: &mut State, req: &Request) -> Answer {
    if !req.is_write() {
        return Err(NomadError::invalid_method());
    }
    let mut provided = String::new();
    if req.has_body() {
        let body = gojson::decode(&req.body, "structs.ACLTokenBootstrapRequest")
            .and_then(|b| b.string("BootstrapSecret"))
            .map_err(|e| NomadError::bad_request(format!("failed to decode request body: {e}")))?;
        provided = body;
    }
    require_enabled(state)?;
    if let Some(reset_index) = state.acl.bootstrap_index {
        match state.acl.reset_file.unwrap_or(0) {
            0 => {
                return Err(NomadError::bad_request(format!(
                    "ACL bootstrap already done (reset index: {reset_index})"
                )))
            }
            specified if specified != reset_index => {
                return Err(NomadError::bad_request(format!(
                "Invalid bootstrap reset index (specified {specified}, reset index: {reset_index})"
            )))
            }
            _ => {}
        }
    }
    let secret = if provided.is_empty() {
        uuid::Uuid::new_v4().to_string()
    } else if is_uuid(&provided) {
        provided
    } else {
        return Err(NomadError::bad_request("invalid acl token"));
    };
    let now = state.clock.now();
    let mut token = AclToken::bootstrap(secret, now);
    let index = state.next_index();
    token.create_index = index;
    token.modify_index = index;
    let reply = token.to_json();
    state.acl.tokens.insert(token.accessor_id.clone(), token);
    state.acl.bootstrap_index = Some(index);
    state.tables.acl_token = index;
    Ok(Reply::written(reply, index))
}

/// `GET /v1/acl/tokens` (ACLTokensRequest → ACL.ListTokens).
pub fn list_tokens(state: &mut State, req: &Request) -> Answer {
    if req.method != "GET" {
        return Err(NomadError::invalid_method());
    }
    require_enabled(state)?;
    require_management(state, req)?;
    let prefix = req.query("prefix").unwrap_or_default();
    let global_only = matches!(
        req.query("global"),
        Some("true" | "1" | "t" | "T" | "TRUE" | "True")
    );
    let mut tokens: Vec<&AclToken> = state
        .acl
        .tokens
        .values()
        .filter(|t| t.accessor_id.starts_with(prefix))
        .filter(|t| !global_only || t.global)
        .collect();
    // Chronological (create index), accessor ID breaking ties; by ID with a prefix/global.
    if prefix.is_empty() && !global_only {
        tokens.sort_by(|a, b| {
            (a.create_index, &a.accessor_id).cmp(&(b.create_index, &b.accessor_id))
        });
    }
    if req.query("reverse").is_some_and(|v| v == "true") {
        tokens.reverse();
    }
    let list: Vec<Value> = tokens.into_iter().map(AclToken::stub_json).collect();
    Ok(Reply::queried(Value::Array(list), state.tables.acl_token))
}

/// `/v1/acl/token`, `/v1/acl/token/self`, `/v1/acl/token/:accessor` (ACLTokenSpecificRequest).
pub fn token(state: &mut State, req: &Request) -> Answer {
    match req.path.as_str() {
        "/v1/acl/token" => {
            if !req.is_write() {
                return Err(NomadError::invalid_method());
            }
            upsert_token(state, req, "")
        }
        "/v1/acl/token/self" => token_self(state, req),
        path => {
            let accessor = path.trim_start_matches("/v1/acl/token/").to_string();
            if accessor.is_empty() {
                return Err(NomadError::bad_request("Missing Token Accessor"));
            }
            match req.method.as_str() {
                "GET" => read_token(state, req, &accessor),
                "PUT" | "POST" => upsert_token(state, req, &accessor),
                "DELETE" => delete_token(state, req, &accessor),
                _ => Err(NomadError::invalid_method()),
            }
        }
    }
}

fn upsert_token(state: &mut State, req: &Request, path_accessor: &str) -> Answer {
    // Before 1.5 a body that did not decode was a 500 (aclTokenUpdate).
    let decode_status = if state.config.version.legacy_token_errors() {
        500
    } else {
        400
    };
    let mut token = decode_body(req, "structs.ACLToken")
        .and_then(|b| AclToken::from_request(&b))
        .map_err(|e| NomadError::new(decode_status, e))?;
    if !path_accessor.is_empty() && token.accessor_id != path_accessor {
        return Err(NomadError::bad_request(
            "ACL token accessor does not match request path",
        ));
    }
    require_enabled(state)?;
    require_management(state, req)?;

    let existing = if token.accessor_id.is_empty() {
        None
    } else {
        match state.acl.tokens.get(&token.accessor_id) {
            Some(found) => Some(found.clone()),
            None => {
                if !is_uuid(&token.accessor_id)
                    || !is_uuid(&token.secret_id)
                    || token.token_type == token::MANAGEMENT
                {
                    return Err(NomadError::bad_request(format!(
                        "cannot find token {}",
                        token.accessor_id
                    )));
                }
                None
            }
        }
    };
    let now = state.clock.now();
    token.canonicalize(now);
    let errors = token.validate(
        state.config.token_min_ttl,
        state.config.token_max_ttl,
        existing.as_ref(),
    );
    if !errors.is_empty() {
        return Err(NomadError::bad_request(format!(
            "token 0 invalid: {}",
            multierror(&errors)
        )));
    }
    // No ACL roles exist in the sandbox: any role link names a role Nomad cannot find.
    if let Some(link) = token.roles.as_ref().and_then(|r| r.first()) {
        let id = link.get("ID").and_then(Value::as_str).unwrap_or_default();
        let name = link.get("Name").and_then(Value::as_str).unwrap_or_default();
        return Err(NomadError::bad_request(format!(
            "cannot find role {}",
            if id.is_empty() { name } else { id }
        )));
    }
    token.roles = None;
    token.set_hash();

    let index = state.next_index();
    match &existing {
        Some(old) => {
            token.create_index = old.create_index;
            token.secret_id = old.secret_id.clone();
            token.create_time = old.create_time;
        }
        None => token.create_index = index,
    }
    token.modify_index = index;
    let reply = token.to_json();
    state.acl.tokens.insert(token.accessor_id.clone(), token);
    state.tables.acl_token = index;
    Ok(Reply::written(reply, index))
}

fn read_token(state: &mut State, req: &Request, accessor: &str) -> Answer {
    require_enabled(state)?;
    let caller = resolve(state, req).map_err(|f| raw_failure(state, &f))?;
    let management = state.acl.authority(&caller).is_management();
    match state.acl.tokens.get(accessor) {
        None if management => Err(NomadError::new(404, "ACL token not found")),
        None => Err(NomadError::permission_denied()),
        Some(t) => {
            let own = matches!(&caller, Caller::Token(c) if c.secret_id == t.secret_id);
            if !management && !own {
                return Err(NomadError::permission_denied());
            }
            Ok(Reply::queried(t.to_json(), t.modify_index))
        }
    }
}

fn delete_token(state: &mut State, req: &Request, accessor: &str) -> Answer {
    require_enabled(state)?;
    require_management(state, req)?;
    if !state.acl.tokens.contains_key(accessor) {
        return Err(NomadError::bad_request(format!(
            "Cannot delete nonexistent tokens: {accessor}"
        )));
    }
    let index = state.next_index();
    state.acl.tokens.remove(accessor);
    state.tables.acl_token = index;
    Ok(Reply::Empty { index: Some(index) })
}

/// `GET /v1/acl/token/self` (aclTokenSelf → ACL.WhoAmI; ACL.ResolveToken before 1.5).
fn token_self(state: &mut State, req: &Request) -> Answer {
    if req.method != "GET" {
        return Err(NomadError::invalid_method());
    }
    if state.config.version.legacy_token_errors() {
        require_enabled(state)?;
        return match state.acl.token_by_secret(&req.token) {
            Some(t) => Ok(Reply::queried(t.to_json(), t.modify_index)),
            None => Err(NomadError::new(404, "ACL token not found")),
        };
    }
    let caller = resolve(state, req).map_err(|f| raw_failure(state, &f))?;
    match caller {
        Caller::AclsDisabled => Ok(Reply::queried(token::acls_disabled_json(), 0)),
        Caller::Anonymous => Ok(Reply::queried(token::anonymous_json(), 0)),
        Caller::Token(t) => Ok(Reply::queried(t.to_json(), t.modify_index)),
        Caller::Workload(_) => Err(NomadError::new(404, "ACL token not found")),
    }
}
