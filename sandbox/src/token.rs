//! The token store: roles, create variants, lookup, renew, revoke (vault-api.md §4–§6).
//!
//! Tokens live in memory keyed by id, with an accessor index. Expiry is judged against the
//! sandbox clock whenever a token is looked up: an expired token (or one whose parent chain
//! has expired) is revoked with its non-orphan descendants and is simply gone.

pub(crate) mod fields;
mod role;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::{Duration, SystemTime};

use rand::distributions::Alphanumeric;
use rand::Rng;
use serde_json::{json, Value};

pub use role::{RoleTokenType, TokenRole};

use crate::api::{ApiError, HandlerResult, Logical, Method, Reply, Request};
use crate::auth::{has_sudo, Caller};
use crate::flavor::Flavor;
use crate::policy::RESPONSE_WRAPPING;
use crate::state::State;

/// The token mount's default and maximum TTL (Vault's system defaults, 768h).
pub const MOUNT_DEFAULT_TTL: u64 = 768 * 3600;
pub const MOUNT_MAX_TTL: u64 = 768 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    Service,
    Batch,
}

impl TokenType {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::Service => "service",
            TokenType::Batch => "batch",
        }
    }
}

/// One token. `Debug` never shows the id.
#[derive(Clone)]
pub struct TokenEntry {
    pub id: String,
    pub accessor: String,
    pub policies: Vec<String>,
    /// The parent's id; `None` for orphans.
    pub parent: Option<String>,
    pub path: String,
    pub meta: Option<BTreeMap<String, String>>,
    pub display_name: String,
    /// 0 = unlimited; -1 = the last use has been spent (revoked at the next use).
    pub num_uses: i64,
    pub creation_time: SystemTime,
    /// The TTL at creation (`creation_ttl`), seconds.
    pub creation_ttl: u64,
    /// `explicit_max_ttl` as requested (shown on lookup).
    pub explicit_max_ttl: u64,
    /// The explicit max TTL actually in force (request or role, the lesser), caps renewals.
    pub effective_max_ttl: u64,
    /// `period` as requested (shown on lookup only when set).
    pub period: u64,
    /// The period in force (request or role, the lesser); renewals reset the TTL to it.
    pub effective_period: u64,
    pub role: Option<String>,
    pub renewable: bool,
    pub token_type: TokenType,
    pub entity_id: String,
    pub bound_cidrs: Vec<String>,
    /// `None`: no lease, never expires (root tokens without TTL).
    pub expire_time: Option<SystemTime>,
    pub issue_time: SystemTime,
    pub last_renewal: Option<SystemTime>,
}

impl fmt::Debug for TokenEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenEntry")
            .field("id", &"<redacted>")
            .field("accessor", &self.accessor)
            .field("policies", &self.policies)
            .field("path", &self.path)
            .field("expire_time", &self.expire_time)
            .finish_non_exhaustive()
    }
}

impl TokenEntry {
    fn is_root(&self) -> bool {
        self.policies.iter().any(|p| p == "root")
    }

    /// Seconds left on the lease (0 without one).
    pub fn ttl(&self, now: SystemTime) -> u64 {
        self.expire_time
            .and_then(|e| e.duration_since(now).ok())
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }

    /// The lookup `data` (vault-api.md §6); `show_id` is false for lookup-accessor.
    pub fn lookup_json(&self, now: SystemTime, show_id: bool) -> Value {
        let mut data = json!({
            "id": if show_id { self.id.as_str() } else { "" },
            "accessor": self.accessor,
            "policies": self.policies,
            "path": self.path,
            "meta": self.meta,
            "display_name": self.display_name,
            "num_uses": self.num_uses.max(0),
            "orphan": self.parent.is_none(),
            "creation_time": fields::unix_seconds(self.creation_time),
            "creation_ttl": self.creation_ttl,
            "expire_time": Value::Null,
            "ttl": 0,
            "explicit_max_ttl": self.explicit_max_ttl,
            "entity_id": self.entity_id,
            "type": self.token_type.as_str(),
        });
        if let Some(obj) = data.as_object_mut() {
            if let Some(role) = &self.role {
                obj.insert("role".into(), json!(role));
            }
            if self.period != 0 {
                obj.insert("period".into(), json!(self.period));
            }
            if !self.bound_cidrs.is_empty() {
                obj.insert("bound_cidrs".into(), json!(self.bound_cidrs));
            }
            if let Some(expire) = self.expire_time {
                if let Some(last) = self.last_renewal {
                    obj.insert(
                        "last_renewal_time".into(),
                        json!(fields::unix_seconds(last)),
                    );
                    obj.insert("last_renewal".into(), json!(fields::rfc3339(last)));
                }
                obj.insert("expire_time".into(), json!(fields::rfc3339(expire)));
                obj.insert("ttl".into(), json!(self.ttl(now)));
                obj.insert("renewable".into(), json!(self.renewable));
                obj.insert("issue_time".into(), json!(fields::rfc3339(self.issue_time)));
            }
        }
        data
    }

    /// The `auth` block of a create/renew/login answer (vault-api.md §5).
    pub fn auth_json(&self, now: SystemTime) -> Value {
        json!({
            "client_token": self.id,
            "accessor": self.accessor,
            "policies": self.policies,
            "token_policies": self.policies,
            "metadata": self.meta,
            "lease_duration": self.ttl(now),
            "renewable": self.renewable && self.expire_time.is_some(),
            "entity_id": self.entity_id,
            "token_type": self.token_type.as_str(),
            "orphan": self.parent.is_none(),
            "mfa_requirement": Value::Null,
            "num_uses": self.num_uses.max(0),
        })
    }
}

/// What an auth method's login asks the token store for (issue 7: JWT login).
#[derive(Debug, Clone, Default)]
pub struct LoginToken {
    /// Mount path of the auth method, e.g. `auth/jwt/login` (the token's `path`).
    pub path: String,
    pub policies: Vec<String>,
    pub metadata: BTreeMap<String, String>,
    pub display_name: String,
    pub ttl: u64,
    pub max_ttl: u64,
    pub period: u64,
    pub batch: bool,
    pub no_default_policy: bool,
    pub num_uses: i64,
    /// The entity the login resolved to (the identity store's id), shown as `entity_id`.
    pub entity_id: String,
}

#[derive(Debug, Default)]
pub struct TokenStore {
    tokens: HashMap<String, TokenEntry>,
    accessors: HashMap<String, String>,
    roles: BTreeMap<String, TokenRole>,
    /// This node holds (or held) the cluster's initial root token: minted here, given in dev
    /// mode, or adopted from the shared barrier. Adoption happens at most once, so a root token
    /// revoked here does not come back.
    has_cluster_root: bool,
}

fn random_string(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

fn new_token_id(flavor: Flavor, token_type: TokenType) -> String {
    match (flavor, token_type) {
        (Flavor::Vault, TokenType::Service) => format!("hvs.{}", random_string(91)),
        (Flavor::Vault, TokenType::Batch) => format!("hvb.{}", random_string(130)),
        (Flavor::OpenBao, TokenType::Service) => format!("s.{}", random_string(24)),
        (Flavor::OpenBao, TokenType::Batch) => format!("b.{}", random_string(24)),
    }
}

impl TokenStore {
    /// The initial root token (`sys/init`): policies `["root"]`, never expires.
    pub fn create_root(&mut self, flavor: Flavor, now: SystemTime) -> String {
        let id = new_token_id(flavor, TokenType::Service);
        self.insert_root(&id, now);
        id
    }

    /// Adopts the cluster's initial root token minted by another node's `sys/init`. In Vault all
    /// nodes read one storage; the sandbox's nodes share only the barrier, so a node learns the
    /// root token the first time it is presented. Returns whether it was adopted.
    pub fn adopt_cluster_root(&mut self, id: &str, now: SystemTime) -> bool {
        if self.has_cluster_root {
            return false;
        }
        self.insert_root(id, now);
        true
    }

    /// A root token with a chosen id (dev mode's `-dev-root-token-id`).
    pub fn insert_root(&mut self, id: &str, now: SystemTime) {
        self.has_cluster_root = true;
        let entry = TokenEntry {
            id: id.to_string(),
            accessor: self.new_accessor(),
            policies: vec!["root".to_string()],
            parent: None,
            path: "auth/token/root".to_string(),
            meta: None,
            display_name: "root".to_string(),
            num_uses: 0,
            creation_time: now,
            creation_ttl: 0,
            explicit_max_ttl: 0,
            effective_max_ttl: 0,
            period: 0,
            effective_period: 0,
            role: None,
            renewable: false,
            token_type: TokenType::Service,
            entity_id: String::new(),
            bound_cidrs: Vec::new(),
            expire_time: None,
            issue_time: now,
            last_renewal: None,
        };
        self.insert(entry);
    }

    /// Mints a token for an auth method login: orphan, `default` added unless asked not to,
    /// TTL from `ttl`/`period` (mount default 768h), capped by `max_ttl`.
    pub fn create_login_token(
        &mut self,
        flavor: Flavor,
        login: &LoginToken,
        now: SystemTime,
    ) -> TokenEntry {
        let token_type = if login.batch {
            TokenType::Batch
        } else {
            TokenType::Service
        };
        let policies = role::sanitize_policies(&login.policies, !login.no_default_policy);
        let max = if login.max_ttl > 0 {
            login.max_ttl.min(MOUNT_MAX_TTL)
        } else {
            MOUNT_MAX_TTL
        };
        let ttl = if login.period > 0 {
            login.period
        } else if login.ttl > 0 {
            login.ttl.min(max)
        } else {
            MOUNT_DEFAULT_TTL.min(max)
        };
        let entry = TokenEntry {
            id: new_token_id(flavor, token_type),
            accessor: if login.batch {
                String::new()
            } else {
                self.new_accessor()
            },
            policies,
            parent: None,
            path: login.path.clone(),
            meta: if login.metadata.is_empty() {
                None
            } else {
                Some(login.metadata.clone())
            },
            display_name: login.display_name.clone(),
            num_uses: login.num_uses.max(0),
            creation_time: now,
            creation_ttl: ttl,
            explicit_max_ttl: 0,
            effective_max_ttl: login.max_ttl,
            period: login.period,
            effective_period: login.period,
            role: None,
            renewable: !login.batch,
            token_type,
            entity_id: login.entity_id.clone(),
            bound_cidrs: Vec::new(),
            expire_time: Some(now + Duration::from_secs(ttl)),
            issue_time: now,
            last_renewal: None,
        };
        self.insert(entry.clone());
        entry
    }

    /// Mints a response-wrapping token (vault/wrapping.go wrapInCubbyhole): orphan, policy
    /// `response-wrapping` only, one use, TTL and explicit max TTL = the wrap TTL, not
    /// renewable, `path` = the wrapped request's path.
    pub fn create_wrapping_token(
        &mut self,
        flavor: Flavor,
        path: &str,
        display_name: &str,
        ttl: u64,
        now: SystemTime,
    ) -> TokenEntry {
        let entry = TokenEntry {
            id: new_token_id(flavor, TokenType::Service),
            accessor: self.new_accessor(),
            policies: vec![RESPONSE_WRAPPING.to_string()],
            parent: None,
            path: path.to_string(),
            meta: None,
            display_name: display_name.to_string(),
            num_uses: 1,
            creation_time: now,
            creation_ttl: ttl,
            explicit_max_ttl: ttl,
            effective_max_ttl: ttl,
            period: 0,
            effective_period: 0,
            role: None,
            renewable: false,
            token_type: TokenType::Service,
            entity_id: String::new(),
            bound_cidrs: Vec::new(),
            expire_time: Some(now + Duration::from_secs(ttl)),
            issue_time: now,
            last_renewal: None,
        };
        self.insert(entry.clone());
        entry
    }

    fn new_accessor(&self) -> String {
        loop {
            let a = random_string(24);
            if !self.accessors.contains_key(&a) {
                return a;
            }
        }
    }

    fn insert(&mut self, entry: TokenEntry) {
        if !entry.accessor.is_empty() {
            self.accessors
                .insert(entry.accessor.clone(), entry.id.clone());
        }
        self.tokens.insert(entry.id.clone(), entry);
    }

    /// The token if it is still alive at `now`; an expired token (or one under an expired
    /// parent) is revoked on the way.
    pub fn lookup(&mut self, id: &str, now: SystemTime) -> Option<&TokenEntry> {
        let mut cursor = Some(id.to_string());
        let mut expired: Option<String> = None;
        while let Some(current) = cursor {
            let entry = self.tokens.get(&current)?;
            if entry.expire_time.is_some_and(|e| e <= now) {
                expired = Some(current.clone());
            }
            cursor = entry.parent.clone();
        }
        if let Some(root_of_expiry) = expired {
            self.revoke_tree(&root_of_expiry);
            return None;
        }
        self.tokens.get(id)
    }

    pub fn id_for_accessor(&self, accessor: &str) -> Option<String> {
        self.accessors.get(accessor).cloned()
    }

    /// Counts one use of a token for a request and returns its state for the caller.
    pub fn use_token(&mut self, id: &str, now: SystemTime) -> Option<TokenEntry> {
        let entry = self.lookup(id, now)?;
        if entry.num_uses == -1 {
            // Its last use was spent by an earlier request.
            self.revoke_tree(id);
            return None;
        }
        let entry = self.tokens.get_mut(id)?;
        if entry.num_uses > 0 {
            entry.num_uses -= 1;
            if entry.num_uses == 0 {
                entry.num_uses = -1;
            }
        }
        Some(entry.clone())
    }

    /// Revokes a token and every non-orphan descendant.
    pub fn revoke_tree(&mut self, id: &str) {
        let mut stack = vec![id.to_string()];
        while let Some(current) = stack.pop() {
            if let Some(entry) = self.tokens.remove(&current) {
                self.accessors.remove(&entry.accessor);
            }
            stack.extend(
                self.tokens
                    .values()
                    .filter(|t| t.parent.as_deref() == Some(current.as_str()))
                    .map(|t| t.id.clone()),
            );
        }
    }

    /// Revokes a token and makes its children orphans.
    pub fn revoke_orphan(&mut self, id: &str) {
        if let Some(entry) = self.tokens.remove(id) {
            self.accessors.remove(&entry.accessor);
        }
        for t in self.tokens.values_mut() {
            if t.parent.as_deref() == Some(id) {
                t.parent = None;
            }
        }
    }

    pub fn role(&self, name: &str) -> Option<&TokenRole> {
        self.roles.get(name)
    }

    pub fn set_role(&mut self, role: TokenRole) {
        self.roles.insert(role.name.clone(), role);
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// Vault's existence checks under `auth/token/`: only roles have one (a write to a missing
/// role is a `create`).
pub fn exists(state: &State, path: &str) -> Option<bool> {
    let name = path.strip_prefix("auth/token/roles/")?;
    Some(state.tokens.roles.contains_key(name))
}

fn unsupported_operation() -> ApiError {
    ApiError::new(405, "1 error occurred:\n\t* unsupported operation\n\n")
}

fn warnings_only(warnings: Vec<String>) -> Reply {
    Reply::Logical(Logical {
        warnings,
        ..Default::default()
    })
}

/// Everything under `auth/token/`.
pub fn handle(state: &mut State, caller: &Caller, req: &Request) -> HandlerResult {
    let Some(sub) = req.path.strip_prefix("auth/token/") else {
        return Err(ApiError::unsupported_path());
    };
    let m = req.method;
    match sub {
        "create" | "create-orphan" if m.is_write() => create(state, caller, req, None),
        "lookup-self" if m == Method::Get || m.is_write() => lookup(state, &caller.token_id, true),
        "lookup" if m == Method::Get || m.is_write() => {
            let id = req
                .str_field("token")
                .or_else(|| req.query.get("token").map(String::as_str))
                .filter(|t| !t.is_empty())
                .unwrap_or(&caller.token_id)
                .to_string();
            lookup(state, &id, true)
        }
        "lookup-accessor" if m.is_write() => {
            let id = accessor_field(state, req)?;
            lookup(state, &id, false)
        }
        "renew-self" if m.is_write() => renew(state, &caller.token_id.clone(), req),
        "renew" if m.is_write() => {
            let id = req.str_field("token").unwrap_or_default().to_string();
            if id.is_empty() {
                return Err(ApiError::bad_request("missing token ID"));
            }
            renew(state, &id, req)
        }
        "renew-accessor" if m.is_write() => {
            let id = accessor_field(state, req)?;
            renew(state, &id, req)
        }
        "revoke-self" if m.is_write() => revoke(state, &caller.token_id.clone()),
        "revoke" if m.is_write() => {
            let id = req.str_field("token").unwrap_or_default().to_string();
            if id.is_empty() {
                return Err(ApiError::bad_request("missing token ID"));
            }
            revoke(state, &id)
        }
        "revoke-accessor" if m.is_write() => {
            let accessor = req.str_field("accessor").unwrap_or_default();
            match state.tokens.id_for_accessor(accessor) {
                Some(id) => revoke(state, &id),
                None => Ok(warnings_only(vec![
                    "No token found with this accessor".to_string()
                ])),
            }
        }
        "revoke-orphan" if m.is_write() => {
            if !has_sudo(state, caller, &req.path) {
                return Err(ApiError::bad_request(
                    "root or sudo privileges required to revoke and orphan",
                ));
            }
            let id = req.str_field("token").unwrap_or_default().to_string();
            let now = state.clock.now();
            match state.tokens.lookup(&id, now).map(|t| t.token_type) {
                None => Err(ApiError::bad_request("token to revoke not found")),
                Some(TokenType::Batch) => {
                    Err(ApiError::bad_request("batch tokens cannot be revoked"))
                }
                Some(TokenType::Service) => {
                    state.tokens.revoke_orphan(&id);
                    Ok(Reply::NoContent)
                }
            }
        }
        "accessors" if m == Method::List => {
            let mut keys: Vec<String> = state.tokens.accessors.keys().cloned().collect();
            keys.sort();
            role::list_reply(keys)
        }
        "roles" if m == Method::List => {
            role::list_reply(state.tokens.roles.keys().cloned().collect())
        }
        _ => {
            if let Some(role_name) = sub.strip_prefix("create/") {
                if !role::valid_role_name(role_name) {
                    return Err(ApiError::unsupported_path());
                }
                if !m.is_write() {
                    return Err(unsupported_operation());
                }
                return create(state, caller, req, Some(role_name));
            }
            if let Some(name) = sub.strip_prefix("roles/") {
                if !role::valid_role_name(name) {
                    return Err(ApiError::unsupported_path());
                }
                return match m {
                    Method::Get => state
                        .tokens
                        .role(name)
                        .map(|r| Reply::Logical(Logical::data(r.to_json())))
                        .ok_or_else(ApiError::not_found),
                    Method::Delete => {
                        state.tokens.roles.remove(name);
                        Ok(Reply::NoContent)
                    }
                    m if m.is_write() => {
                        let (role, warnings) = role::write(state.tokens.role(name), name, req)?;
                        state.tokens.set_role(role);
                        role::write_reply(req, warnings)
                    }
                    _ => Err(unsupported_operation()),
                };
            }
            const KNOWN: &[&str] = &[
                "create",
                "create-orphan",
                "lookup",
                "lookup-self",
                "lookup-accessor",
                "renew",
                "renew-self",
                "renew-accessor",
                "revoke",
                "revoke-self",
                "revoke-accessor",
                "revoke-orphan",
                "accessors",
                "roles",
            ];
            if KNOWN.contains(&sub) {
                Err(unsupported_operation())
            } else {
                Err(ApiError::unsupported_path())
            }
        }
    }
}

fn accessor_field(state: &State, req: &Request) -> Result<String, ApiError> {
    let accessor = req.str_field("accessor").unwrap_or_default();
    if accessor.is_empty() {
        return Err(ApiError::bad_request("missing accessor"));
    }
    state
        .tokens
        .id_for_accessor(accessor)
        .ok_or_else(|| ApiError::bad_request("invalid accessor"))
}

fn lookup(state: &mut State, id: &str, show_id: bool) -> HandlerResult {
    let now = state.clock.now();
    match state.tokens.lookup(id, now) {
        Some(entry) => Ok(Reply::Logical(Logical::data(
            entry.lookup_json(now, show_id),
        ))),
        None => Err(ApiError::new(403, "bad token")),
    }
}

fn revoke(state: &mut State, id: &str) -> HandlerResult {
    let now = state.clock.now();
    if let Some(entry) = state.tokens.lookup(id, now) {
        if entry.token_type == TokenType::Batch {
            return Err(ApiError::bad_request("batch tokens cannot be revoked"));
        }
        state.tokens.revoke_tree(id);
    }
    Ok(Reply::NoContent)
}

fn renew(state: &mut State, id: &str, req: &Request) -> HandlerResult {
    let increment = fields::get(req, "increment", fields::parse_duration)?
        .unwrap_or(0)
        .max(0) as u64;
    let now = state.clock.now();
    if state.tokens.lookup(id, now).is_none() {
        return Err(ApiError::bad_request("token not found"));
    }
    let Some(entry) = state.tokens.tokens.get_mut(id) else {
        return Err(ApiError::bad_request("token not found"));
    };
    if entry.token_type == TokenType::Batch {
        return Err(ApiError::bad_request("batch tokens cannot be renewed"));
    }
    if entry.expire_time.is_none() {
        return Err(ApiError::bad_request("invalid lease ID"));
    }
    if !entry.renewable {
        return Err(ApiError::bad_request("lease is not renewable"));
    }
    let mut warnings = Vec::new();
    let ttl = if entry.effective_period > 0 {
        let cap = if entry.effective_max_ttl > 0 {
            Some(entry.effective_max_ttl)
        } else {
            None
        };
        capped_ttl(
            entry.effective_period,
            cap,
            entry.creation_time,
            now,
            &mut warnings,
        )
    } else {
        let wanted = if increment > 0 {
            increment
        } else {
            entry.creation_ttl
        };
        let max = effective_max(entry.effective_max_ttl);
        capped_ttl(wanted, Some(max), entry.creation_time, now, &mut warnings)
    };
    entry.expire_time = Some(now + Duration::from_secs(ttl));
    entry.last_renewal = Some(now);
    let auth = entry.auth_json(now);
    Ok(Reply::Logical(Logical {
        auth: Some(auth),
        warnings,
        ..Default::default()
    }))
}

fn effective_max(explicit: u64) -> u64 {
    if explicit > 0 {
        explicit.min(MOUNT_MAX_TTL)
    } else {
        MOUNT_MAX_TTL
    }
}

/// framework.CalculateTTL's cap: the lease may not outlive `start + max`.
fn capped_ttl(
    wanted: u64,
    max: Option<u64>,
    start: SystemTime,
    now: SystemTime,
    warnings: &mut Vec<String>,
) -> u64 {
    let Some(max) = max else {
        return wanted;
    };
    let limit = start + Duration::from_secs(max);
    let left = limit.duration_since(now).map(|d| d.as_secs()).unwrap_or(0);
    if wanted > left {
        warnings.push(format!(
            "TTL of {:?} exceeded the effective max_ttl of {:?}; TTL value is capped accordingly",
            fields::go_duration(wanted),
            fields::go_duration(left)
        ));
        left
    } else {
        wanted
    }
}

/// Vault's `strutil.GlobbedStringsMatch`: `*` anywhere matches any run of characters.
fn glob_match(pattern: &str, value: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == value;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !value.starts_with(first) || value.len() < first.len() + last.len() || !value.ends_with(last)
    {
        return false;
    }
    let mut rest = &value[first.len()..value.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

struct CreateRequest {
    id: Option<String>,
    policies: Vec<String>,
    meta: Option<BTreeMap<String, String>>,
    no_parent: bool,
    no_default_policy: bool,
    ttl: Option<i64>,
    renewable: Option<bool>,
    explicit_max_ttl: Option<i64>,
    display_name: String,
    num_uses: i64,
    period: Option<i64>,
    token_type: String,
}

const CREATE_FIELDS: &[&str] = &[
    "id",
    "policies",
    "meta",
    "no_parent",
    "no_default_policy",
    "lease",
    "ttl",
    "renewable",
    "explicit_max_ttl",
    "display_name",
    "num_uses",
    "period",
    "type",
    "entity_alias",
    "role_name",
];

fn decode_error(e: ApiError) -> ApiError {
    ApiError::bad_request(format!(
        "Error decoding request: {}",
        e.errors.join("; ").replace("Field validation failed: ", "")
    ))
}

fn parse_create(req: &Request) -> Result<CreateRequest, ApiError> {
    let string = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        other => Ok(other.to_string()),
    };
    let ttl = match fields::get(req, "ttl", fields::parse_duration).map_err(decode_error)? {
        Some(v) => Some(v),
        None => fields::get(req, "lease", fields::parse_duration).map_err(decode_error)?,
    };
    Ok(CreateRequest {
        id: fields::get(req, "id", string)?.filter(|s| !s.is_empty()),
        policies: fields::get(req, "policies", fields::parse_comma_list)
            .map_err(decode_error)?
            .unwrap_or_default(),
        meta: fields::get(req, "meta", fields::parse_string_map)
            .map_err(decode_error)?
            .flatten(),
        no_parent: fields::get(req, "no_parent", fields::parse_bool)
            .map_err(decode_error)?
            .unwrap_or(false),
        no_default_policy: fields::get(req, "no_default_policy", fields::parse_bool)
            .map_err(decode_error)?
            .unwrap_or(false),
        ttl,
        renewable: fields::get(req, "renewable", fields::parse_bool).map_err(decode_error)?,
        explicit_max_ttl: fields::get(req, "explicit_max_ttl", fields::parse_duration)
            .map_err(decode_error)?,
        display_name: fields::get(req, "display_name", string)?.unwrap_or_default(),
        num_uses: fields::get(req, "num_uses", fields::parse_int)
            .map_err(decode_error)?
            .unwrap_or(0),
        period: fields::get(req, "period", fields::parse_duration).map_err(decode_error)?,
        token_type: fields::get(req, "type", string)?.unwrap_or_default(),
    })
}

/// `auth/token/create`, `create-orphan`, `create/:role_name` (vault-api.md §5).
fn create(
    state: &mut State,
    caller: &Caller,
    req: &Request,
    role_name: Option<&str>,
) -> HandlerResult {
    let now = state.clock.now();
    let role = match role_name {
        Some(name) => match state.tokens.role(name) {
            Some(r) => Some(r.clone()),
            None => return Err(ApiError::bad_request(format!("unknown role {name}"))),
        },
        None => None,
    };
    let Some(parent) = state.tokens.tokens.get(&caller.token_id).cloned() else {
        return Err(ApiError::bad_request(
            "parent token lookup failed: no parent found",
        ));
    };
    if parent.token_type == TokenType::Batch {
        return Err(ApiError::bad_request(
            "batch tokens cannot create more tokens",
        ));
    }
    if parent.num_uses != 0 {
        return Err(ApiError::bad_request(
            "restricted use token cannot generate child tokens",
        ));
    }
    let is_sudo = has_sudo(state, caller, &req.path);
    let mut data = parse_create(req)?;
    if let Some(r) = &role {
        if r.token_no_default_policy {
            data.no_default_policy = true;
        }
        if r.token_num_uses > 0 && (data.num_uses == 0 || r.token_num_uses < data.num_uses) {
            data.num_uses = r.token_num_uses;
        }
    }

    let mut renewable = data.renewable.unwrap_or(true);
    let mut type_str = data.token_type.clone();
    if let Some(r) = &role {
        match r.token_type {
            RoleTokenType::DefaultService => {}
            RoleTokenType::DefaultBatch => {
                if type_str.is_empty() {
                    type_str = "batch".into();
                }
            }
            RoleTokenType::Service => type_str = "service".into(),
            RoleTokenType::Batch => type_str = "batch".into(),
        }
    }
    let token_type = match type_str.as_str() {
        "" | "service" => TokenType::Service,
        "batch" => {
            let bad = if data.explicit_max_ttl.unwrap_or(0) != 0 {
                Some("explicit_max_ttl")
            } else if data.num_uses != 0 {
                Some("num_uses")
            } else if data.period.unwrap_or(0) != 0 {
                Some("period")
            } else {
                None
            };
            if let Some(bad) = bad {
                return Err(ApiError::bad_request(format!(
                    "batch tokens cannot have {bad:?} set"
                )));
            }
            renewable = false;
            TokenType::Batch
        }
        _ => return Err(ApiError::bad_request("invalid 'token_type' value")),
    };
    if data.num_uses < 0 {
        return Err(ApiError::bad_request("number of uses cannot be negative"));
    }

    let mut path = req.path.clone();
    if let Some(r) = &role {
        if !r.renewable {
            renewable = false;
        }
        if !r.path_suffix.is_empty() {
            path = format!("{path}/{}", r.path_suffix);
        }
    }
    let mut display_name = "token".to_string();
    if !data.display_name.is_empty() {
        let full: String = format!("token-{}", data.display_name)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        display_name = full.strip_suffix('-').unwrap_or(&full).to_string();
    }
    if data.id.is_some() && !is_sudo {
        return Err(ApiError::bad_request(
            "root or sudo privileges required to specify token id",
        ));
    }

    // Policy resolution (hashicorp/vault handleCreateCommon).
    let mut add_default = false;
    let mut policies = data.policies.clone();
    match &role {
        Some(r) if r.has_policy_lists() => {
            let local_default = !data.no_default_policy
                && !r.disallowed_policies.iter().any(|p| p == "default")
                && !r
                    .disallowed_policies_glob
                    .iter()
                    .any(|g| glob_match(g, "default"));
            let mut finals = if policies.is_empty() {
                Vec::new()
            } else {
                role::sanitize_policies(&policies, local_default)
            };
            if !r.allowed_policies.is_empty() || !r.allowed_policies_glob.is_empty() {
                let allowed = role::sanitize_policies(&r.allowed_policies, local_default);
                if finals.is_empty() {
                    finals = allowed;
                } else {
                    let ok = finals.iter().all(|p| {
                        allowed.contains(p)
                            || r.allowed_policies_glob.iter().any(|g| glob_match(g, p))
                    });
                    if !ok {
                        return Err(ApiError::bad_request(format!(
                            "token policies ({}) must be subset of the role's allowed policies ({}) or glob policies ({})",
                            fields::go_quoted_list(&finals),
                            fields::go_quoted_list(&allowed),
                            fields::go_quoted_list(&r.allowed_policies_glob)
                        )));
                    }
                }
            } else if finals.is_empty() {
                finals = role::sanitize_policies(&parent.policies, local_default);
            }
            for p in &finals {
                if r.disallowed_policies.contains(p)
                    || r.disallowed_policies_glob.iter().any(|g| glob_match(g, p))
                {
                    return Err(ApiError::bad_request(format!(
                        "token policy {p:?} is disallowed by this role"
                    )));
                }
            }
            policies = finals;
        }
        _ if policies.is_empty() => {
            policies = role::sanitize_policies(&parent.policies, false);
        }
        _ if !is_sudo => {
            let wanted = role::sanitize_policies(&policies, false);
            let have = role::sanitize_policies(&parent.policies, false);
            if !wanted.iter().all(|p| have.contains(p)) {
                return Err(ApiError::bad_request(
                    "child policies must be subset of parent",
                ));
            }
            add_default = !data.no_default_policy && parent.policies.iter().any(|p| p == "default");
        }
        _ => add_default = !data.no_default_policy,
    }
    let mut policies = role::sanitize_policies(&policies, add_default);
    if data.no_default_policy {
        policies.retain(|p| p != "default");
    }
    if let Some(p) = policies.iter().find(|p| *p == RESPONSE_WRAPPING) {
        return Err(ApiError::bad_request(format!("cannot assign policy {p:?}")));
    }
    let is_root = policies.iter().any(|p| p == "root");
    if is_root {
        if !parent.is_root() {
            return Err(ApiError::bad_request(
                "root tokens may not be created without parent token being root",
            ));
        }
        if token_type == TokenType::Batch {
            return Err(ApiError::bad_request("batch tokens cannot be root tokens"));
        }
    }

    let mut parent_id = Some(parent.id.clone());
    let mut bound_cidrs = Vec::new();
    match &role {
        Some(r) => {
            if r.orphan {
                parent_id = None;
            }
            bound_cidrs = r.token_bound_cidrs.clone();
        }
        None if data.no_parent => {
            if !is_sudo {
                return Err(ApiError::bad_request(
                    "root or sudo privileges required to create orphan token",
                ));
            }
            parent_id = None;
        }
        None => {
            if req.path == "auth/token/create-orphan" {
                parent_id = None;
            }
        }
    }
    let mut entity_id = String::new();
    if parent_id.is_some() {
        entity_id = parent.entity_id.clone();
        if role.is_none() {
            bound_cidrs = parent.bound_cidrs.clone();
        }
    }

    let mut explicit_max = 0u64;
    if let Some(v) = data.explicit_max_ttl {
        if v < 0 {
            return Err(ApiError::bad_request("explicit_max_ttl must be positive"));
        }
        explicit_max = v as u64;
    }
    let requested_explicit_max = explicit_max;
    let mut requested_period = 0u64;
    let mut period = 0u64;
    if let Some(v) = data.period {
        if v < 0 {
            return Err(ApiError::bad_request("period must be positive"));
        }
        if v > 0 {
            if !is_sudo {
                return Err(ApiError::bad_request(
                    "root or sudo privileges required to create periodic token",
                ));
            }
            requested_period = v as u64;
            period = v as u64;
        }
    }
    let mut ttl = 0u64;
    if let Some(v) = data.ttl {
        if v < 0 {
            return Err(ApiError::bad_request("ttl must be positive"));
        }
        ttl = v as u64;
    }

    let mut warnings = Vec::new();
    if let Some(r) = role.as_ref().filter(|_| token_type != TokenType::Batch) {
        if r.token_explicit_max_ttl != 0 {
            if explicit_max == 0 {
                explicit_max = r.token_explicit_max_ttl;
            } else {
                explicit_max = explicit_max.min(r.token_explicit_max_ttl);
                warnings.push(format!(
                    "Explicit max TTL specified both during creation call and in role; using the lesser value of {explicit_max} seconds"
                ));
            }
        }
        if r.token_period != 0 {
            if period == 0 {
                period = r.token_period;
            } else {
                period = period.min(r.token_period);
                warnings.push(format!(
                    "Period specified both during creation call and in role; using the lesser value of {period} seconds"
                ));
            }
        }
    }

    if period > 0 || ttl > 0 || !is_root {
        ttl = if period > 0 {
            if explicit_max > 0 {
                period.min(explicit_max)
            } else {
                period
            }
        } else {
            let wanted = if ttl > 0 { ttl } else { MOUNT_DEFAULT_TTL };
            let max = effective_max(explicit_max);
            capped_ttl(wanted, Some(max), now, now, &mut warnings)
        };
    }
    if ttl == 0 && explicit_max > 0 {
        ttl = explicit_max;
    }
    if ttl == 0 {
        if parent.creation_ttl != 0 {
            return Err(ApiError::bad_request(
                "expiring root tokens cannot create non-expiring root tokens",
            ));
        }
        renewable = false;
        bound_cidrs = Vec::new();
    }

    let id = match data.id {
        Some(id) => {
            warnings.push("Supplying a custom ID for the token uses the weaker SHA1 hashing instead of the more secure SHA2-256 HMAC for token obfuscation. SHA1 hashed tokens on the wire leads to less secure lookups.".to_string());
            if state.tokens.tokens.contains_key(&id) {
                return Err(ApiError::bad_request(
                    "cannot create a token with a duplicate ID",
                ));
            }
            id
        }
        None => new_token_id(state.flavor, token_type),
    };
    let entry = TokenEntry {
        id,
        // Batch tokens carry no accessor.
        accessor: if token_type == TokenType::Batch {
            String::new()
        } else {
            state.tokens.new_accessor()
        },
        policies,
        parent: parent_id,
        path,
        meta: data.meta,
        display_name,
        num_uses: data.num_uses,
        creation_time: now,
        creation_ttl: ttl,
        explicit_max_ttl: requested_explicit_max,
        effective_max_ttl: explicit_max,
        period: requested_period,
        effective_period: period,
        role: role.as_ref().map(|r| r.name.clone()),
        renewable,
        token_type,
        entity_id,
        bound_cidrs,
        expire_time: if ttl > 0 {
            Some(now + Duration::from_secs(ttl))
        } else {
            None
        },
        issue_time: now,
        last_renewal: None,
    };
    for p in &entry.policies {
        if !state.policies.exists(p) {
            warnings.push(format!("Policy {p:?} does not exist"));
        }
    }
    if let Some(w) = fields::unknown_fields_warning(req, CREATE_FIELDS) {
        warnings.push(w);
    }
    let auth = entry.auth_json(now);
    state.tokens.insert(entry);
    Ok(Reply::Logical(Logical {
        auth: Some(auth),
        warnings,
        ..Default::default()
    }))
}

#[cfg(test)]
mod tests;
