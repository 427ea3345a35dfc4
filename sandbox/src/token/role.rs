//! Token roles: `auth/token/roles/:role_name` (vault-api.md §4).

use serde_json::{json, Map, Value};

use super::fields::{self, get};
use crate::api::{ApiError, HandlerResult, Logical, Reply, Request};

/// A role's `token_type` as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleTokenType {
    Service,
    Batch,
    DefaultService,
    DefaultBatch,
}

impl RoleTokenType {
    pub fn parse(s: &str) -> Option<RoleTokenType> {
        match s {
            "service" => Some(RoleTokenType::Service),
            "batch" => Some(RoleTokenType::Batch),
            // Token roles take no plain `default` (token_store.go tokenStoreRoleCreateUpdate),
            // unlike auth-method roles (tokenutil).
            "default-service" => Some(RoleTokenType::DefaultService),
            "default-batch" => Some(RoleTokenType::DefaultBatch),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RoleTokenType::Service => "service",
            RoleTokenType::Batch => "batch",
            RoleTokenType::DefaultService => "default-service",
            RoleTokenType::DefaultBatch => "default-batch",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TokenRole {
    pub name: String,
    pub allowed_policies: Vec<String>,
    pub disallowed_policies: Vec<String>,
    pub allowed_policies_glob: Vec<String>,
    pub disallowed_policies_glob: Vec<String>,
    pub allowed_entity_aliases: Option<Vec<String>>,
    pub orphan: bool,
    pub renewable: bool,
    pub path_suffix: String,
    /// Legacy `period`; mirrors `token_period` when only the legacy name was sent.
    pub period: u64,
    pub token_period: u64,
    pub explicit_max_ttl: u64,
    pub token_explicit_max_ttl: u64,
    pub bound_cidrs: Vec<String>,
    pub token_bound_cidrs: Vec<String>,
    pub token_no_default_policy: bool,
    pub token_num_uses: i64,
    pub token_type: RoleTokenType,
}

impl TokenRole {
    pub fn new(name: &str) -> TokenRole {
        TokenRole {
            name: name.to_string(),
            allowed_policies: Vec::new(),
            disallowed_policies: Vec::new(),
            allowed_policies_glob: Vec::new(),
            disallowed_policies_glob: Vec::new(),
            allowed_entity_aliases: None,
            orphan: false,
            renewable: true,
            path_suffix: String::new(),
            period: 0,
            token_period: 0,
            explicit_max_ttl: 0,
            token_explicit_max_ttl: 0,
            bound_cidrs: Vec::new(),
            token_bound_cidrs: Vec::new(),
            token_no_default_policy: false,
            token_num_uses: 0,
            token_type: RoleTokenType::DefaultService,
        }
    }

    /// Whether any allow/disallow list or glob is set (this switches on role policy resolution).
    pub fn has_policy_lists(&self) -> bool {
        !self.allowed_policies.is_empty()
            || !self.disallowed_policies.is_empty()
            || !self.allowed_policies_glob.is_empty()
            || !self.disallowed_policies_glob.is_empty()
    }

    /// The GET `data` (vault-api.md §4).
    pub fn to_json(&self) -> Value {
        let mut data = json!({
            "name": self.name,
            "allowed_policies": self.allowed_policies,
            "disallowed_policies": self.disallowed_policies,
            "allowed_policies_glob": self.allowed_policies_glob,
            "disallowed_policies_glob": self.disallowed_policies_glob,
            "allowed_entity_aliases": self.allowed_entity_aliases,
            "orphan": self.orphan,
            "renewable": self.renewable,
            "path_suffix": self.path_suffix,
            "period": self.period,
            "token_period": self.token_period,
            "explicit_max_ttl": self.explicit_max_ttl,
            "token_explicit_max_ttl": self.token_explicit_max_ttl,
            "token_no_default_policy": self.token_no_default_policy,
            "token_type": self.token_type.as_str(),
        });
        if let Some(obj) = data.as_object_mut() {
            if !self.token_bound_cidrs.is_empty() {
                obj.insert("token_bound_cidrs".into(), json!(self.token_bound_cidrs));
            }
            if !self.bound_cidrs.is_empty() {
                obj.insert("bound_cidrs".into(), json!(self.bound_cidrs));
            }
            if self.token_num_uses > 0 {
                obj.insert("token_num_uses".into(), json!(self.token_num_uses));
            }
        }
        data
    }
}

/// `\w(([\w-.]+)?\w)?`, the role-name pattern of Vault's path regex.
pub fn valid_role_name(name: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let chars: Vec<char> = name.chars().collect();
    match chars.as_slice() {
        [] => false,
        [c] => word(*c),
        [first, middle @ .., last] => {
            word(*first) && word(*last) && middle.iter().all(|c| word(*c) || *c == '-' || *c == '.')
        }
    }
}

/// Vault matches `\w[\w-.]+\w` *unanchored*: some run of `[\w-.]` trimmed to word characters at
/// both ends must be at least three characters long.
fn path_suffix_matches(s: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    s.split(|c: char| !(word(c) || c == '-' || c == '.'))
        .map(|run| run.trim_matches(|c: char| !word(c)))
        .any(|run| run.chars().count() >= 3)
}

/// `policyutil.SanitizePolicies`: lower-case, trim, drop empties, `root` collapses, dedupe, sort.
pub fn sanitize_policies(policies: &[String], add_default: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in policies {
        let p = p.trim().to_lowercase();
        if p.is_empty() {
            continue;
        }
        if p == "root" {
            return vec!["root".to_string()];
        }
        out.push(p);
    }
    if add_default && !out.iter().any(|p| p == "default") {
        out.push("default".to_string());
    }
    out.sort();
    out.dedup();
    out
}

/// `strutil.RemoveDuplicates(list, true)`: lower-case, dedupe, sort.
pub fn lower_dedup(list: &[String]) -> Vec<String> {
    let mut out: Vec<String> = list
        .iter()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn valid_cidr(s: &str) -> bool {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let Ok(ip) = addr.parse::<std::net::IpAddr>() else {
        return false;
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|p| p <= max))
}

fn cidrs(list: Vec<String>) -> Result<Vec<String>, ApiError> {
    for c in &list {
        if !valid_cidr(c) {
            return Err(ApiError::bad_request(format!(
                "invalid value {c:?} when parsing bound cidrs"
            )));
        }
    }
    Ok(list)
}

pub const ROLE_FIELDS: &[&str] = &[
    "allowed_policies",
    "allowed_policies_glob",
    "disallowed_policies",
    "disallowed_policies_glob",
    "allowed_entity_aliases",
    "orphan",
    "renewable",
    "path_suffix",
    "period",
    "token_period",
    "explicit_max_ttl",
    "token_explicit_max_ttl",
    "bound_cidrs",
    "token_bound_cidrs",
    "token_no_default_policy",
    "token_num_uses",
    "token_type",
    // Not token-role fields, but Vault's schema swallows them without a word.
    "token_ttl",
    "token_max_ttl",
    "token_policies",
    "role_name",
];

fn non_negative(field: &str, v: i64) -> Result<u64, ApiError> {
    u64::try_from(v).map_err(|_| fields::field_error(field, "value must not be negative"))
}

/// Applies a legacy/new field pair (vault-api.md §4): only legacy → both; only new → legacy
/// reset; both → new wins with a warning.
fn upgrade_pair<T: Clone + Default>(
    legacy_value: Option<T>,
    new_value: Option<T>,
    legacy: &mut T,
    new: &mut T,
    warning: String,
    warnings: &mut Vec<String>,
) {
    match (legacy_value, new_value) {
        (Some(l), None) => {
            *legacy = l.clone();
            *new = l;
        }
        (l, Some(n)) => {
            *new = n;
            *legacy = T::default();
            if l.is_some() {
                warnings.push(warning);
            }
        }
        (None, None) => {}
    }
}

/// Creates or updates a role from the request body; only sent fields change on update.
pub fn write(
    existing: Option<&TokenRole>,
    name: &str,
    req: &Request,
) -> Result<(TokenRole, Vec<String>), ApiError> {
    let mut role = existing.cloned().unwrap_or_else(|| TokenRole::new(name));
    let mut warnings = Vec::new();

    if let Some(v) = get(req, "allowed_policies", fields::parse_comma_list)? {
        role.allowed_policies = sanitize_policies(&v, false);
    }
    if let Some(v) = get(req, "disallowed_policies", fields::parse_comma_list)? {
        role.disallowed_policies = lower_dedup(&v);
    }
    if let Some(v) = get(req, "allowed_policies_glob", fields::parse_comma_list)? {
        role.allowed_policies_glob = lower_dedup(&v);
    }
    if let Some(v) = get(req, "disallowed_policies_glob", fields::parse_comma_list)? {
        role.disallowed_policies_glob = lower_dedup(&v);
    }
    if let Some(v) = get(req, "allowed_entity_aliases", fields::parse_comma_list)? {
        let mut seen = Vec::new();
        for a in v.into_iter().map(|a| a.to_lowercase()) {
            if !seen.contains(&a) {
                seen.push(a);
            }
        }
        role.allowed_entity_aliases = Some(seen);
    }
    if let Some(v) = get(req, "orphan", fields::parse_bool)? {
        role.orphan = v;
    }
    if let Some(v) = get(req, "renewable", fields::parse_bool)? {
        role.renewable = v;
    }
    if let Some(v) = get(req, "path_suffix", |v| {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("'{v}' is not a string"))
    })? {
        if !v.is_empty() && !path_suffix_matches(&v) {
            return Err(ApiError::bad_request(
                "given role path suffix contains invalid characters; must match \\w[\\w-.]+\\w",
            ));
        }
        role.path_suffix = v;
    }
    if role.path_suffix.contains("..") {
        return Err(ApiError::bad_request(
            "error registering path suffix: path cannot contain parent references",
        ));
    }

    let period = get(req, "period", fields::parse_duration)?
        .map(|v| non_negative("period", v))
        .transpose()?;
    let token_period = get(req, "token_period", fields::parse_duration)?
        .map(|v| non_negative("token_period", v))
        .transpose()?;
    upgrade_pair(
        period,
        token_period,
        &mut role.period,
        &mut role.token_period,
        "Both 'token_period' and deprecated 'period' value supplied, ignoring the deprecated value"
            .to_string(),
        &mut warnings,
    );
    let max = get(req, "explicit_max_ttl", fields::parse_duration)?
        .map(|v| non_negative("explicit_max_ttl", v))
        .transpose()?;
    let token_max = get(req, "token_explicit_max_ttl", fields::parse_duration)?
        .map(|v| non_negative("token_explicit_max_ttl", v))
        .transpose()?;
    upgrade_pair(
        max,
        token_max,
        &mut role.explicit_max_ttl,
        &mut role.token_explicit_max_ttl,
        "Both 'token_explicit_max_ttl' and deprecated 'explicit_max_ttl' value supplied, ignoring the deprecated value"
            .to_string(),
        &mut warnings,
    );
    let bound = get(req, "bound_cidrs", fields::parse_comma_list)?
        .map(cidrs)
        .transpose()?;
    let token_bound = get(req, "token_bound_cidrs", fields::parse_comma_list)?
        .map(cidrs)
        .transpose()?;
    upgrade_pair(
        bound,
        token_bound,
        &mut role.bound_cidrs,
        &mut role.token_bound_cidrs,
        "Both 'token_bound_cidrs' and deprecated 'bound_cidrs' value supplied, ignoring the deprecated value"
            .to_string(),
        &mut warnings,
    );

    if let Some(v) = get(req, "token_no_default_policy", fields::parse_bool)? {
        role.token_no_default_policy = v;
    }
    if let Some(v) = get(req, "token_num_uses", fields::parse_int)? {
        if v < 0 {
            return Err(ApiError::bad_request("'token_num_uses' cannot be negative"));
        }
        role.token_num_uses = v;
    }
    if let Some(v) = req.body.get("token_type") {
        let s = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        role.token_type = RoleTokenType::parse(&s)
            .ok_or_else(|| ApiError::bad_request(format!("invalid 'token_type' value {s:?}")))?;
    }

    if role.token_type == RoleTokenType::Batch {
        let reason = if !role.orphan {
            Some("generate non-orphan tokens")
        } else if role.token_period != 0 {
            Some("generate periodic tokens")
        } else if role.renewable {
            Some("generate renewable tokens")
        } else if role.token_explicit_max_ttl != 0 {
            Some("generate tokens with an explicit max TTL")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(ApiError::bad_request(format!(
                "'token_type' cannot be 'batch' when role is set to {reason}"
            )));
        }
    }
    Ok((role, warnings))
}

/// The write answer: 204, or 200 with warnings (the unknown-field warning only rides along).
pub fn write_reply(req: &Request, mut warnings: Vec<String>) -> HandlerResult {
    if warnings.is_empty() {
        return Ok(Reply::NoContent);
    }
    if let Some(w) = fields::unknown_fields_warning(req, ROLE_FIELDS) {
        warnings.push(w);
    }
    Ok(Reply::Logical(Logical {
        warnings,
        ..Default::default()
    }))
}

pub fn list_reply(names: Vec<String>) -> HandlerResult {
    if names.is_empty() {
        return Err(ApiError::not_found());
    }
    let mut data = Map::new();
    data.insert("keys".into(), json!(names));
    Ok(Reply::Logical(Logical::data(Value::Object(data))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Method;
    use std::collections::BTreeMap;

    fn req(body: Value) -> Request {
        Request {
            method: Method::Put,
            path: "auth/token/roles/r".into(),
            trailing_slash: false,
            query: BTreeMap::new(),
            token: None,
            namespace: None,
            body: body.as_object().cloned().unwrap_or_default(),
            wrap_ttl: None,
        }
    }

    #[test]
    fn role_names_follow_vaults_pattern() {
        assert!(valid_role_name("nomad-cluster"));
        assert!(valid_role_name("a"));
        assert!(valid_role_name("a.b_c"));
        assert!(!valid_role_name("-a"));
        assert!(!valid_role_name("a-"));
        assert!(!valid_role_name("a/b"));
    }

    // vault-api.md §4: defaults and the GET shape.
    #[test]
    fn new_role_has_documented_defaults() {
        let (role, warnings) = write(
            None,
            "nomad-cluster",
            &req(json!({
                "disallowed_policies": "nomad-server", "orphan": "true", "token_period": "72h"
            })),
        )
        .unwrap();
        assert!(warnings.is_empty());
        assert_eq!(
            role.to_json(),
            json!({"name":"nomad-cluster","allowed_policies":[],"disallowed_policies":["nomad-server"],
             "allowed_policies_glob":[],"disallowed_policies_glob":[],"allowed_entity_aliases":null,
             "orphan":true,"renewable":true,"path_suffix":"","period":0,"token_period":259200,
             "explicit_max_ttl":0,"token_explicit_max_ttl":0,"token_no_default_policy":false,
             "token_type":"default-service"})
        );
    }

    // vault-api.md §4: legacy pairs.
    #[test]
    fn legacy_only_sets_both_new_only_resets_legacy_both_warns() {
        let (role, _) = write(None, "r", &req(json!({"period": 3600}))).unwrap();
        assert_eq!((role.period, role.token_period), (3600, 3600));
        let (role, _) = write(Some(&role), "r", &req(json!({"token_period": "2h"}))).unwrap();
        assert_eq!((role.period, role.token_period), (0, 7200));
        let (role, warnings) =
            write(None, "r", &req(json!({"period": 1, "token_period": 2}))).unwrap();
        assert_eq!((role.period, role.token_period), (0, 2));
        assert_eq!(
            warnings,
            vec!["Both 'token_period' and deprecated 'period' value supplied, ignoring the deprecated value"]
        );
    }

    #[test]
    fn updates_change_only_sent_fields() {
        let (role, _) = write(
            None,
            "r",
            &req(json!({"orphan": true, "allowed_policies": "b,A"})),
        )
        .unwrap();
        assert_eq!(role.allowed_policies, vec!["a", "b"]);
        let (role, _) = write(Some(&role), "r", &req(json!({"renewable": false}))).unwrap();
        assert!(role.orphan);
        assert!(!role.renewable);
        assert_eq!(role.allowed_policies, vec!["a", "b"]);
    }

    #[test]
    fn batch_roles_have_rules_and_token_type_is_validated() {
        let err = write(None, "r", &req(json!({"token_type": "batch"}))).unwrap_err();
        assert_eq!(
            err.errors,
            vec!["'token_type' cannot be 'batch' when role is set to generate non-orphan tokens"]
        );
        let err = write(
            None,
            "r",
            &req(json!({"token_type": "batch", "orphan": true})),
        )
        .unwrap_err();
        assert!(err.errors[0].ends_with("renewable tokens"));
        assert!(write(
            None,
            "r",
            &req(json!({"token_type": "batch", "orphan": true, "renewable": false}))
        )
        .is_ok());
        let err = write(None, "r", &req(json!({"token_type": "nope"}))).unwrap_err();
        assert_eq!(err.errors, vec!["invalid 'token_type' value \"nope\""]);
        let err = write(None, "r", &req(json!({"orphan": "maybe"}))).unwrap_err();
        assert!(err.errors[0].starts_with("Field validation failed: "));
    }

    #[test]
    fn path_suffix_rules() {
        assert!(write(None, "r", &req(json!({"path_suffix": "v1.0"}))).is_ok());
        assert!(write(None, "r", &req(json!({"path_suffix": "a..b"}))).is_err());
        assert!(write(None, "r", &req(json!({"path_suffix": "!"}))).is_err());
    }

    #[test]
    fn sanitize_collapses_root_and_sorts() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            sanitize_policies(&p(&["b", " A ", "b"]), true),
            p(&["a", "b", "default"])
        );
        assert_eq!(sanitize_policies(&p(&["x", "root"]), true), p(&["root"]));
    }
}
