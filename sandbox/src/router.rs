//! Routing: which handler answers a parsed request, after the seal, standby, authentication
//! and ACL checks every logical request goes through (vault-api.md §0–§3).
//!
//! The node-local `sys/` endpoints (init, seal-status, unseal, seal, health, leader) are raw
//! handlers answered by every node itself; everything else is *logical*: 503 while sealed,
//! 307 to the active node on a standby, then authenticated and authorised against the caller's
//! policies before the owning handler runs.

use serde_json::json;

use crate::api::{ApiError, HandlerResult, Method, Operation, Reply, Request};
use crate::flavor::Flavor;
use crate::seal::{HaRole, InitRequest};
use crate::state::State;
use crate::{auth, capabilities, database, jwt, leases, nomad_secrets, policy, token, wrapping};

/// What the front end must send back.
#[derive(Debug)]
pub enum Routed {
    /// A handler's answer; `mount_type` is what Vault's envelope names (`system`, `token`, `kv`).
    Answer {
        result: HandlerResult,
        mount_type: Option<String>,
    },
    /// A standby's 307 to the active node (the front end appends the request's path and query).
    Redirect { active_addr: String },
}

fn answer(result: HandlerResult, mount_type: &str) -> Routed {
    Routed::Answer {
        result,
        mount_type: Some(mount_type.to_string()),
    }
}

fn raw(result: HandlerResult) -> Routed {
    Routed::Answer {
        result,
        mount_type: None,
    }
}

/// 405 with `{"errors":[]}`, as Vault's raw handlers answer a wrong method.
fn method_not_allowed() -> HandlerResult {
    Err(ApiError {
        status: 405,
        errors: vec![],
    })
}

/// A namespace header on the endpoints that only exist in the root namespace (vault-api.md §0).
fn reject_namespace(flavor: Flavor, req: &Request) -> Option<HandlerResult> {
    let ns = req.namespace.as_deref()?.trim_matches('/');
    if ns.is_empty() || ns == "root" {
        return None;
    }
    Some(Err(match flavor {
        Flavor::OpenBao => ApiError::bad_request("operation unavailable in namespaces"),
        // Vault has no such namespace in the root-only sandbox: the route is not found.
        Flavor::Vault => ApiError::not_found(),
    }))
}

/// Routes one request.
pub fn route(state: &mut State, req: &Request) -> Routed {
    let node_local = matches!(
        req.path.as_str(),
        "sys/init" | "sys/unseal" | "sys/seal" | "sys/health" | "sys/step-down"
    );
    if node_local {
        if let Some(rejection) = reject_namespace(state.flavor, req) {
            return raw(rejection);
        }
    }
    let flavor = state.flavor;
    match req.path.as_str() {
        "sys/init" => raw(match req.method {
            Method::Get => Ok(Reply::Raw {
                status: 200,
                body: json!({"initialized": state.seal.initialized()}),
            }),
            Method::Put | Method::Post => init(state, req),
            _ => method_not_allowed(),
        }),
        "sys/seal-status" => raw(match req.method {
            Method::Get => Ok(Reply::Raw {
                status: 200,
                body: state.seal.status(flavor),
            }),
            _ => method_not_allowed(),
        }),
        "sys/unseal" => raw(match req.method {
            Method::Put | Method::Post => state.seal.unseal(flavor, req),
            _ => method_not_allowed(),
        }),
        "sys/seal" => raw(match req.method {
            Method::Put | Method::Post => seal(state, req),
            _ => method_not_allowed(),
        }),
        "sys/health" => raw(match req.method {
            Method::Get | Method::Head => {
                let now = state.clock.unix_seconds();
                state.seal.health(flavor, req, now)
            }
            _ => method_not_allowed(),
        }),
        "sys/leader" => raw(match req.method {
            Method::Get => state.seal.leader(),
            _ => method_not_allowed(),
        }),
        _ => logical(state, req),
    }
}

fn init(state: &mut State, req: &Request) -> HandlerResult {
    let parsed = InitRequest::from_body(&req.body)?;
    let flavor = state.flavor;
    let now = state.clock.now();
    let tokens = &mut state.tokens;
    let (body, _) = state
        .seal
        .initialize(&parsed, || tokens.create_root(flavor, now))?;
    Ok(Reply::Raw { status: 200, body })
}

/// `PUT sys/seal`: standby → 500, already sealed → 204, else sudo on `sys/seal` (vault-api.md §2).
fn seal(state: &mut State, req: &Request) -> HandlerResult {
    if state.seal.is_standby() {
        return state.seal.seal();
    }
    if !state.seal.initialized() || state.seal.is_sealed() {
        return Ok(Reply::NoContent);
    }
    let caller = auth::authenticate(state, req)?;
    if !auth::has_sudo(state, &caller, "sys/seal") {
        return Err(ApiError::acl_denied());
    }
    state.seal.seal()
}

/// The ACL operation of a request; a write is `create` when the item does not exist yet.
fn operation(state: &State, req: &Request) -> Operation {
    match req.method {
        Method::Get | Method::Head => Operation::Read,
        Method::List => Operation::List,
        Method::Delete => Operation::Delete,
        Method::Put | Method::Post => {
            let exists = policy::exists(state, &req.path)
                .or_else(|| token::exists(state, &req.path))
                .or_else(|| state.mounts.exists(&req.path))
                .or_else(|| nomad_secrets::exists(state, &req.path))
                .or_else(|| database::exists(state, &req.path));
            if exists == Some(false) {
                Operation::Create
            } else {
                Operation::Update
            }
        }
    }
}

fn logical(state: &mut State, req: &Request) -> Routed {
    if !state.seal.initialized() || state.seal.is_sealed() {
        return raw(Err(ApiError::sealed()));
    }
    if let HaRole::Standby(active) = &state.seal.role {
        return Routed::Redirect {
            active_addr: active.clone(),
        };
    }
    // The JWT method's `login` needs no token (the plugin's `PathsSpecial.Unauthenticated`).
    if jwt::login::is_login_path(state, &req.path) {
        let kind = state
            .mounts
            .auth_mount_of(&req.path)
            .map(|m| m.kind.clone())
            .unwrap_or_default();
        return answer(jwt::login::handle(state, req), &kind);
    }
    // Vault validates the wrapping token of these before it looks at the caller's token;
    // `lookup` needs no token at all (logical_system.go PathsSpecial.Unauthenticated).
    if wrapping::validates_token_first(&req.path) {
        if req.path == "sys/wrapping/lookup" {
            return answer(wrapping::lookup(state, req), "system");
        }
        if let Err(e) = wrapping::validate(state, req) {
            return raw(Err(e));
        }
    }
    let caller = match auth::authenticate(state, req) {
        Ok(caller) => caller,
        Err(e) => return raw(Err(e)),
    };
    // An unauthenticated path in Vault's system backend that still judges the token: no ACL
    // check on the path itself (vault-api-engines.md §1).
    if let Some(target) = req.path.strip_prefix("sys/internal/ui/mounts/") {
        let acl = auth::acl_for(state, &caller);
        let result = match req.method {
            Method::Get => state
                .mounts
                .ui_mount_read(target, |mount| acl.has_mount_access(mount)),
            _ => Err(ApiError::new(
                405,
                "1 error occurred:\n\t* unsupported operation\n\n",
            )),
        };
        return answer(result, "system");
    }
    let op = operation(state, req);
    if let Err(e) = auth::authorize(state, &caller, op, &req.path) {
        return raw(Err(e));
    }
    let path = req.path.as_str();
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if under("sys/policy") || under("sys/policies/acl") {
        return answer(policy::handle(state, &caller, req), "system");
    }
    if under("sys/capabilities")
        || under("sys/capabilities-self")
        || under("sys/capabilities-accessor")
    {
        return answer(capabilities::handle(state, &caller, req), "system");
    }
    if let Some(target) = crate::tune::target(path) {
        let now = state.clock.now();
        return answer(
            crate::tune::handle(&mut state.mounts, &target, req, now),
            "system",
        );
    }
    if under("sys/mounts") {
        return answer(state.mounts.handle_sys_mounts(state.flavor, req), "system");
    }
    if under("sys/auth") {
        return answer(state.mounts.handle_sys_auth(req), "system");
    }
    if [
        "sys/leases",
        "sys/renew",
        "sys/revoke",
        "sys/revoke-prefix",
        "sys/revoke-force",
    ]
    .iter()
    .any(|p| under(p))
    {
        return answer(leases::handle(state, &caller, req), "system");
    }
    if under("sys/wrapping") {
        return answer(wrapping::handle(state, &caller, req), "system");
    }
    if path == "sys/step-down" {
        let result = match req.method {
            Method::Put | Method::Post if auth::has_sudo(state, &caller, path) => {
                Ok(Reply::NoContent)
            }
            Method::Put | Method::Post => Err(ApiError::acl_denied()),
            _ => Err(ApiError::unsupported_path()),
        };
        return answer(result, "system");
    }
    if under("sys") {
        return answer(Err(ApiError::unsupported_path()), "system");
    }
    if under("auth/token") {
        return answer(token::handle(state, &caller, req), "token");
    }
    if let Some(kind) = state.mounts.auth_mount_of(path).map(|m| m.kind.clone()) {
        return answer(state.mounts.handle_auth(req), &kind);
    }
    if let Some(kind) = state.mounts.secret_mount_of(path).map(|m| m.kind.clone()) {
        if kind == "nomad" {
            return answer(nomad_secrets::handle(state, &caller, req), &kind);
        }
        if kind == "database" {
            return answer(database::handle(state, &caller, req), &kind);
        }
        let now = state.clock.now();
        return answer(state.mounts.handle_secret(req, now), &kind);
    }
    raw(Err(ApiError::no_handler(path)))
}
