//! Which handler answers a path: the subset of command/agent/http.go `registerHandlers` the
//! sandbox models. Like Go's `ServeMux`, a path whose subtree is registered but is asked for
//! without the trailing slash (`/v1/job`) is redirected (301) to it; an unknown path gets the
//! root fallthrough's bare 404.

use serde_json::json;

use crate::api::{Answer, NomadError, Reply, Request};
use crate::identity::{self, JWKS_PATH, OIDC_DISCOVERY_PATH};
use crate::state::State;
use crate::{acl, agent, jobs};

pub enum Routed {
    Answer(Answer),
    /// 301 to this location.
    Redirect(String),
    /// The root fallthrough: 404 with no body.
    NotFound,
}

pub fn route(state: &mut State, req: &Request) -> Routed {
    let path = req.path.as_str();
    let answer = match path {
        "/v1/acl/bootstrap" => acl::endpoints::bootstrap(state, req),
        "/v1/acl/policies" => acl::endpoints::list_policies(state, req),
        "/v1/acl/tokens" => acl::endpoints::list_tokens(state, req),
        "/v1/acl/token" => acl::endpoints::token(state, req),
        // Registered in Nomad, not modelled here.
        "/v1/acl/token/onetime" | "/v1/acl/token/onetime/exchange" => return Routed::NotFound,
        "/v1/agent/self" => agent::agent_self(state, req),
        "/v1/jobs" => jobs::jobs(state, req),
        "/v1/status/leader" => status_leader(req),
        JWKS_PATH => jwks(state, req),
        OIDC_DISCOVERY_PATH => oidc_discovery(state, req),
        "/v1/acl/policy" | "/v1/job" => return Routed::Redirect(format!("{path}/")),
        p if p.starts_with("/v1/acl/policy/") => acl::endpoints::policy(state, req),
        p if p.starts_with("/v1/acl/token/") => acl::endpoints::token(state, req),
        p if p.starts_with("/v1/job/") => jobs::job(state, req),
        _ => return Routed::NotFound,
    };
    Routed::Answer(answer)
}

/// `GET /v1/status/leader`: the leader's RPC address, a JSON string.
fn status_leader(req: &Request) -> Answer {
    if req.method != "GET" {
        return Err(NomadError::invalid_method());
    }
    Ok(Reply::plain(json!("127.0.0.1:4647")))
}

/// `GET /.well-known/jwks.json`: public, no token needed (Keyring.ListPublic).
fn jwks(state: &mut State, req: &Request) -> Answer {
    if req.method != "GET" {
        return Err(NomadError::invalid_method());
    }
    let now = state.clock.now();
    let (keys, cache_control) = state.keyring.jwks(now);
    Ok(Reply::JsonWithHeaders {
        value: keys,
        headers: vec![("cache-control", cache_control)],
    })
}

/// `GET /.well-known/openid-configuration` (Keyring.GetConfig).
fn oidc_discovery(state: &mut State, req: &Request) -> Answer {
    if req.method != "GET" {
        return Err(NomadError::invalid_method());
    }
    match &state.config.oidc_issuer {
        Some(issuer) => Ok(Reply::plain(identity::oidc_discovery(issuer))),
        None => Err(NomadError::new(404, "OIDC Discovery endpoint disabled")),
    }
}
