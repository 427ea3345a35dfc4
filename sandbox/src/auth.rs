//! Authentication (token → caller) and authorisation of every logical request.
//!
//! The front end calls [`authenticate`] once per request, then [`authorize`] with the operation
//! the request maps to; handlers that need `sudo` on their own path ask [`has_sudo`].
//! Both check against [`acl_for`]: the caller's policies with identity templates rendered
//! from the caller's entity (JWT-login tokens have one), as Vault's policy store does.

use std::fmt;

use crate::acl::{Acl, TemplateContext};
use crate::api::{ApiError, Operation, Request};
use crate::state::State;
use crate::token::{TokenEntry, TokenType};

/// Who is making a request: a snapshot of the token as it was when the request arrived.
#[derive(Clone)]
pub struct Caller {
    /// The token itself (a secret: never printed).
    pub token_id: String,
    pub accessor: String,
    pub policies: Vec<String>,
    pub is_root: bool,
    pub entity_id: String,
    pub token_type: TokenType,
    /// `root`, `token-<name>`… (the database engine puts it in usernames).
    pub display_name: String,
}

impl fmt::Debug for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Caller")
            .field("token_id", &"<redacted>")
            .field("accessor", &self.accessor)
            .field("policies", &self.policies)
            .field("is_root", &self.is_root)
            .finish()
    }
}

impl Caller {
    pub fn from_entry(entry: &TokenEntry) -> Caller {
        Caller {
            token_id: entry.id.clone(),
            accessor: entry.accessor.clone(),
            is_root: entry.policies.iter().any(|p| p == "root"),
            policies: entry.policies.clone(),
            entity_id: entry.entity_id.clone(),
            token_type: entry.token_type,
            display_name: entry.display_name.clone(),
        }
    }
}

/// Resolves the request's token: missing, unknown or expired (by the sandbox clock) → 403
/// `permission denied`. A use-limited token has one use counted here.
pub fn authenticate(state: &mut State, req: &Request) -> Result<Caller, ApiError> {
    let Some(id) = req.token.as_deref().filter(|t| !t.is_empty()) else {
        return Err(ApiError::permission_denied());
    };
    let now = state.clock.now();
    let minted_elsewhere = state
        .seal
        .init_output()
        .is_some_and(|init| init.root_token == id);
    if minted_elsewhere && state.tokens.lookup(id, now).is_none() {
        state.tokens.adopt_cluster_root(id, now);
    }
    state
        .tokens
        .use_token(id, now)
        .map(|entry| Caller::from_entry(&entry))
        .ok_or_else(ApiError::permission_denied)
}

/// The caller's ACL: its policies, templated paths rendered for its entity.
pub fn acl_for(state: &State, caller: &Caller) -> Acl {
    if caller.is_root {
        return Acl::root();
    }
    let context = TemplateContext {
        entity: state.mounts.identity().entity(&caller.entity_id),
        now: i64::try_from(state.clock.unix_seconds()).unwrap_or(i64::MAX),
    };
    Acl::from_policies_for(
        caller
            .policies
            .iter()
            .filter_map(|name| state.policies.get(name))
            .map(|p| &p.parsed),
        &context,
    )
}

/// Checks `op` on `path` against the caller's policies; root passes everything.
pub fn authorize(
    state: &State,
    caller: &Caller,
    op: Operation,
    path: &str,
) -> Result<(), ApiError> {
    if caller.is_root {
        return Ok(());
    }
    let acl = acl_for(state, caller);
    // Vault's HTTP layer gives every LIST path a trailing slash before the ACL sees it.
    let allowed = if op == Operation::List && !path.ends_with('/') {
        acl.allows(op, &format!("{path}/"))
    } else {
        acl.allows(op, path)
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::acl_denied())
    }
}

/// Whether the caller holds `sudo` on `path` (root always does).
pub fn has_sudo(state: &State, caller: &Caller, path: &str) -> bool {
    caller.is_root || acl_for(state, caller).has_sudo(path)
}
