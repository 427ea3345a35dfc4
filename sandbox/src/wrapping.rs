//! Response wrapping (vault-api.md §9; vault/wrapping.go wrapInCubbyhole, vault/request_handling.go,
//! vault/logical_system.go handleWrapping{Unwrap,Lookup,Rewrap,Wrap}, http/handler.go
//! requestWrapInfo).
//!
//! A logical request carrying `X-Vault-Wrap-TTL` whose handler answers with a body gets, instead
//! of that body, a single-use `response-wrapping` token living for the wrap TTL; the body as
//! Vault would have sent it is kept for that token ("its cubbyhole") and handed back once by
//! `sys/wrapping/unwrap`.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};

use crate::api::{ApiError, HandlerResult, Logical, Reply, Request};
use crate::auth::Caller;
use crate::policy::RESPONSE_WRAPPING;
use crate::state::State;
use crate::token::fields::{self, rfc3339};

/// What a wrapping token's cubbyhole holds: `response` and `wrapinfo`.
#[derive(Debug, Clone)]
struct Wrapped {
    /// The wrapped answer, the JSON body Vault would have sent (`logical.HTTPResponse`).
    response: Value,
    ttl: u64,
    created: SystemTime,
    creation_path: String,
}

/// The wrapped responses of a node, by wrapping token.
#[derive(Debug, Default)]
pub struct WrappingStore {
    wrapped: BTreeMap<String, Wrapped>,
}

/// `X-Vault-Wrap-TTL` (http/handler.go requestWrapInfo): `None` when absent or zero; `Err` is
/// the 400 Vault answers before routing.
pub fn parse_wrap_ttl(header: Option<&str>) -> Result<Option<Duration>, ApiError> {
    let Some(raw) = header else {
        return Ok(None);
    };
    let invalid =
        |e: String| ApiError::bad_request(format!("error parsing X-Vault-Wrap-TTL header: {e}"));
    let secs = fields::parse_duration_str(raw.trim()).map_err(invalid)?;
    if secs < 0 {
        return Err(invalid("requested wrap ttl cannot be negative".into()));
    }
    Ok((secs > 0).then(|| Duration::from_secs(secs as u64)))
}

/// Wraps an answer: mints the wrapping token, keeps `stored` (the body the answer would have
/// had) for it, and returns what the caller gets instead: only `wrap_info`, and the answer's
/// warnings (request_handling.go keeps `resp.Warnings` on the wrapping response).
pub fn wrap(
    state: &mut State,
    req: &Request,
    answer: Logical,
    stored: Value,
    ttl: Duration,
) -> Logical {
    let now = state.clock.now();
    let display_name = req
        .token
        .as_deref()
        .and_then(|id| state.tokens.lookup(id, now))
        .map(|t| t.display_name.clone())
        .unwrap_or_default();
    let ttl = ttl.as_secs();
    let flavor = state.flavor;
    let token = state
        .tokens
        .create_wrapping_token(flavor, &req.path, &display_name, ttl, now);
    let wrapped_accessor = answer
        .auth
        .as_ref()
        .and_then(|auth| auth.get("accessor"))
        .and_then(Value::as_str)
        .map(str::to_string);
    state.wrapping.wrapped.insert(
        token.id.clone(),
        Wrapped {
            response: stored,
            ttl,
            created: now,
            creation_path: req.path.clone(),
        },
    );
    wrapped_reply(
        &token.id,
        &token.accessor,
        ttl,
        now,
        &req.path,
        wrapped_accessor,
        answer.warnings,
    )
}

fn wrapped_reply(
    token: &str,
    accessor: &str,
    ttl: u64,
    created: SystemTime,
    creation_path: &str,
    wrapped_accessor: Option<String>,
    warnings: Vec<String>,
) -> Logical {
    let mut info = json!({
        "token": token,
        "accessor": accessor,
        "ttl": ttl,
        "creation_time": rfc3339(created),
        "creation_path": creation_path,
    });
    if let Some(accessor) = wrapped_accessor.filter(|a| !a.is_empty()) {
        info["wrapped_accessor"] = json!(accessor);
    }
    Logical {
        wrap_info: Some(info),
        warnings,
        ..Default::default()
    }
}

fn invalid_token() -> ApiError {
    ApiError::bad_request("wrapping token is not valid or does not exist")
}

/// The wrapping token a `sys/wrapping/{lookup,rewrap,unwrap}` request names: `token` in the
/// body, else its own `X-Vault-Token`.
fn named_token(req: &Request) -> Option<String> {
    req.str_field("token")
        .filter(|t| !t.is_empty())
        .or(req.token.as_deref())
        .map(str::to_string)
}

/// Whether the request is one whose wrapping token Vault validates before anything else.
pub fn validates_token_first(path: &str) -> bool {
    matches!(
        path,
        "sys/wrapping/lookup" | "sys/wrapping/rewrap" | "sys/wrapping/unwrap"
    )
}

/// request_handling.go ValidateWrappingToken: a live, unused token with exactly the
/// `response-wrapping` policy that has a wrapped response; else 400.
pub fn validate(state: &mut State, req: &Request) -> Result<String, ApiError> {
    let token = named_token(req).ok_or_else(invalid_token)?;
    let now = state.clock.now();
    let valid = state.tokens.lookup(&token, now).is_some_and(|t| {
        t.num_uses != -1 && t.policies.len() == 1 && t.policies[0] == RESPONSE_WRAPPING
    });
    if !valid || !state.wrapping.wrapped.contains_key(&token) {
        return Err(invalid_token());
    }
    Ok(token)
}

/// `sys/wrapping/lookup` (unauthenticated, does not use the token).
pub fn lookup(state: &mut State, req: &Request) -> HandlerResult {
    if !req.method.is_write() {
        return Err(ApiError::new(
            405,
            "1 error occurred:\n\t* unsupported operation\n\n",
        ));
    }
    let token = validate(state, req)?;
    let wrapped = state
        .wrapping
        .wrapped
        .get(&token)
        .ok_or_else(invalid_token)?;
    Ok(Reply::Logical(Logical::data(json!({
        "creation_ttl": wrapped.ttl,
        "creation_time": rfc3339(wrapped.created),
        "creation_path": wrapped.creation_path,
    }))))
}

/// `sys/wrapping/unwrap`, `sys/wrapping/rewrap`, `sys/wrapping/wrap` (after authentication and
/// the ACL check).
pub fn handle(state: &mut State, _caller: &Caller, req: &Request) -> HandlerResult {
    if !req.method.is_write() {
        return Err(ApiError::new(
            405,
            "1 error occurred:\n\t* unsupported operation\n\n",
        ));
    }
    match req.path.as_str() {
        "sys/wrapping/unwrap" => {
            // Validated before authentication, which may have spent the token's one use.
            let token = named_token(req).ok_or_else(invalid_token)?;
            let wrapped = state
                .wrapping
                .wrapped
                .remove(&token)
                .ok_or_else(invalid_token)?;
            state.tokens.revoke_orphan(&token);
            // The stored body, verbatim (handleWrappingUnwrap answers it as a raw body).
            Ok(Reply::Raw {
                status: 200,
                body: wrapped.response,
            })
        }
        "sys/wrapping/rewrap" => {
            let token = named_token(req).ok_or_else(invalid_token)?;
            let old = state
                .wrapping
                .wrapped
                .remove(&token)
                .ok_or_else(invalid_token)?;
            state.tokens.revoke_orphan(&token);
            let now = state.clock.now();
            let flavor = state.flavor;
            let fresh =
                state
                    .tokens
                    .create_wrapping_token(flavor, "sys/wrapping/rewrap", "", old.ttl, now);
            let reply = wrapped_reply(
                &fresh.id,
                &fresh.accessor,
                old.ttl,
                now,
                &old.creation_path,
                None,
                Vec::new(),
            );
            state.wrapping.wrapped.insert(
                fresh.id,
                Wrapped {
                    created: now,
                    ..old
                },
            );
            Ok(Reply::Logical(reply))
        }
        "sys/wrapping/wrap" => {
            if req.wrap_ttl.is_none() {
                return Err(ApiError::bad_request(
                    "endpoint requires response wrapping to be used",
                ));
            }
            Ok(Reply::Logical(Logical::data(Value::Object(
                req.body.clone(),
            ))))
        }
        _ => Err(ApiError::unsupported_path()),
    }
}
