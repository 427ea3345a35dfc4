//! Token-role files (roles/nomad-cluster.json and `--file`): accepting both spellings the
//! seeds use (`period`/`explicit_max_ttl` and `token_*`; lists as a string or an array),
//! refusing unknown fields and wrong types with clear messages, and producing the body nvctl
//! writes (`token_*` form) and a normalised form to diff against Vault's GET (vault-api.md §4).

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::duration::parse_vault_json;
use crate::nomad::role_rules::RoleFacts;

/// The shipped default role file, embedded at build time.
pub const DEFAULT_ROLE_JSON: &str = include_str!("../../roles/nomad-cluster.json");

/// Fields a role file may carry (legacy spellings included; `name` is checked, then ignored).
pub const VALID_FIELDS: &[&str] = &[
    "allowed_policies",
    "allowed_policies_glob",
    "disallowed_policies",
    "disallowed_policies_glob",
    "orphan",
    "renewable",
    "path_suffix",
    "allowed_entity_aliases",
    "token_period",
    "period",
    "token_explicit_max_ttl",
    "explicit_max_ttl",
    "token_bound_cidrs",
    "bound_cidrs",
    "token_no_default_policy",
    "token_num_uses",
    "token_type",
    "name",
];

const TOKEN_TYPES: &[&str] = &["service", "batch", "default-service", "default-batch"];

/// A token role as nvctl writes it. Policy lists are sanitised as Vault does (lower-cased,
/// trimmed, de-duplicated, sorted) so that a spec and Vault's answer compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleSpec {
    pub allowed_policies: Vec<String>,
    pub allowed_policies_glob: Vec<String>,
    pub disallowed_policies: Vec<String>,
    pub disallowed_policies_glob: Vec<String>,
    pub orphan: bool,
    pub renewable: bool,
    pub path_suffix: String,
    pub allowed_entity_aliases: Option<Vec<String>>,
    /// Seconds.
    pub token_period: u64,
    /// Seconds.
    pub token_explicit_max_ttl: u64,
    pub token_bound_cidrs: Vec<String>,
    pub token_no_default_policy: bool,
    pub token_num_uses: u64,
    pub token_type: String,
}

impl Default for RoleSpec {
    /// Vault's defaults for a role written with no fields (vault-api.md §4).
    fn default() -> Self {
        RoleSpec {
            allowed_policies: Vec::new(),
            allowed_policies_glob: Vec::new(),
            disallowed_policies: Vec::new(),
            disallowed_policies_glob: Vec::new(),
            orphan: false,
            renewable: true,
            path_suffix: String::new(),
            allowed_entity_aliases: None,
            token_period: 0,
            token_explicit_max_ttl: 0,
            token_bound_cidrs: Vec::new(),
            token_no_default_policy: false,
            token_num_uses: 0,
            token_type: "default-service".to_string(),
        }
    }
}

/// One problem in a role file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpecError {
    pub file: String,
    /// The field concerned, when there is one.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for RoleSpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}: field {field:?}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for RoleSpecError {}

/// Vault's role-name rule `\w(([\w-.]+)?\w)?` (vault-api.md §4).
pub fn validate_role_name(name: &str) -> Result<(), String> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let chars: Vec<char> = name.chars().collect();
    let ok = match chars.as_slice() {
        [] => false,
        [only] => word(*only),
        [first, middle @ .., last] => {
            word(*first) && word(*last) && middle.iter().all(|c| word(*c) || *c == '-' || *c == '.')
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid role name {name:?}: use letters, digits, '_', '-' and '.', starting and ending with a letter, digit or '_'"
        ))
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Vault's comma-list: a JSON array of strings or `"a,b"`; items trimmed, empties dropped.
fn comma_list(v: &Value) -> Result<Vec<String>, String> {
    let items: Vec<String> = match v {
        Value::String(s) => s.split(',').map(|p| p.trim().to_string()).collect(),
        Value::Array(list) => list
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.trim().to_string()),
                other => Err(format!(
                    "expected a list of strings, found {} in it",
                    type_name(other)
                )),
            })
            .collect::<Result<_, _>>()?,
        Value::Null => Vec::new(),
        other => {
            return Err(format!(
                "expected a list of names or a comma-separated string, got {}",
                type_name(other)
            ))
        }
    };
    Ok(items.into_iter().filter(|s| !s.is_empty()).collect())
}

/// Vault's policy-list sanitising: lower-cased, de-duplicated, sorted.
fn sanitise_policies(list: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = list.into_iter().map(|s| s.to_lowercase()).collect();
    out.sort();
    out.dedup();
    out
}

fn boolean(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        other => Err(format!("expected true or false, got {}", describe(other))),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("the string {s:?}"),
        other => type_name(other).to_string(),
    }
}

fn seconds(v: &Value) -> Result<u64, String> {
    let secs = parse_vault_json(v).map_err(|e| match v {
        Value::String(_) => format!("{e}; use a number of seconds or a duration such as \"72h\""),
        other => format!(
            "expected a number of seconds or a duration such as \"72h\", got {}",
            type_name(other)
        ),
    })?;
    u64::try_from(secs).map_err(|_| "must not be negative".to_string())
}

fn unsigned(v: &Value) -> Result<u64, String> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| "expected a whole number of zero or more".to_string()),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("expected a whole number, got the string {s:?}")),
        other => Err(format!("expected a whole number, got {}", type_name(other))),
    }
}

/// Parse a role file for the role `role_name`. Both seed spellings are accepted; giving the
/// legacy and `token_*` names with different values is refused (Vault would silently use the
/// `token_*` one). `name`, when present, must equal `role_name`.
pub fn parse_role_json(
    text: &str,
    role_name: &str,
    file_label: &str,
) -> Result<RoleSpec, Vec<RoleSpecError>> {
    let err = |field: Option<&str>, message: String| RoleSpecError {
        file: file_label.to_string(),
        field: field.map(str::to_string),
        message,
    };
    let value: Value = serde_json::from_str(text).map_err(|e| {
        vec![err(
            None,
            format!(
                "invalid JSON at line {} column {}: {e}",
                e.line(),
                e.column()
            ),
        )]
    })?;
    let Value::Object(map) = value else {
        return Err(vec![err(
            None,
            format!(
                "expected a JSON object of role fields, got {}",
                type_name(&value)
            ),
        )]);
    };
    let mut errors = Vec::new();
    for key in map.keys() {
        if !VALID_FIELDS.contains(&key.as_str()) {
            let why = match key.as_str() {
                "token_ttl" | "token_max_ttl" | "token_policies" => {
                    " (not a token-role field: Vault would silently ignore it)"
                }
                _ => "",
            };
            errors.push(err(
                Some(key),
                format!(
                    "unknown field{why}; valid fields: {}",
                    VALID_FIELDS.join(", ")
                ),
            ));
        }
    }
    let mut spec = RoleSpec::default();
    let field = |name: &str| map.get(name).cloned();
    macro_rules! take {
        ($name:literal, $conv:expr, $target:expr) => {
            if let Some(v) = field($name) {
                match $conv(&v) {
                    Ok(x) => $target = x,
                    Err(m) => errors.push(err(Some($name), m)),
                }
            }
        };
    }
    take!(
        "allowed_policies",
        |v| comma_list(v).map(sanitise_policies),
        spec.allowed_policies
    );
    take!(
        "allowed_policies_glob",
        |v| comma_list(v).map(sanitise_policies),
        spec.allowed_policies_glob
    );
    take!(
        "disallowed_policies",
        |v| comma_list(v).map(sanitise_policies),
        spec.disallowed_policies
    );
    take!(
        "disallowed_policies_glob",
        |v| comma_list(v).map(sanitise_policies),
        spec.disallowed_policies_glob
    );
    take!("orphan", boolean, spec.orphan);
    take!("renewable", boolean, spec.renewable);
    take!(
        "token_no_default_policy",
        boolean,
        spec.token_no_default_policy
    );
    take!("token_num_uses", unsigned, spec.token_num_uses);
    take!(
        "path_suffix",
        |v: &Value| v
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("expected a string, got {}", type_name(v))),
        spec.path_suffix
    );
    take!(
        "allowed_entity_aliases",
        |v| comma_list(v).map(Some),
        spec.allowed_entity_aliases
    );
    take!(
        "token_type",
        |v: &Value| match v.as_str() {
            Some(t) if TOKEN_TYPES.contains(&t) => Ok(t.to_string()),
            Some(t) => Err(format!(
                "invalid 'token_type' value {t:?}; one of: {}",
                TOKEN_TYPES.join(", ")
            )),
            None => Err(format!("expected a string, got {}", type_name(v))),
        },
        spec.token_type
    );
    // Pairs with a legacy spelling.
    let pair = |new: &'static str,
                old: &'static str,
                conv: &dyn Fn(&Value) -> Result<u64, String>,
                errors: &mut Vec<RoleSpecError>|
     -> u64 {
        let a = map.get(new).map(|v| conv(v).map_err(|m| err(Some(new), m)));
        let b = map.get(old).map(|v| conv(v).map_err(|m| err(Some(old), m)));
        match (a, b) {
            (Some(Err(e)), _) | (None, Some(Err(e))) => {
                errors.push(e);
                0
            }
            (Some(Ok(x)), Some(Ok(y))) if x != y => {
                errors.push(err(
                    Some(old),
                    format!("{old:?} ({y}) and {new:?} ({x}) disagree; give only {new:?}"),
                ));
                x
            }
            (Some(Ok(x)), Some(Err(e))) => {
                errors.push(e);
                x
            }
            (Some(Ok(x)), _) | (None, Some(Ok(x))) => x,
            (None, None) => 0,
        }
    };
    spec.token_period = pair("token_period", "period", &seconds, &mut errors);
    spec.token_explicit_max_ttl = pair(
        "token_explicit_max_ttl",
        "explicit_max_ttl",
        &seconds,
        &mut errors,
    );
    match (map.get("token_bound_cidrs"), map.get("bound_cidrs")) {
        (Some(v), _) | (None, Some(v)) => match comma_list(v) {
            Ok(list) => spec.token_bound_cidrs = list,
            Err(m) => errors.push(err(Some("token_bound_cidrs"), m)),
        },
        (None, None) => {}
    }
    if let Some(v) = map.get("name") {
        match v.as_str() {
            Some(n) if n == role_name => {}
            Some(n) => errors.push(err(
                Some("name"),
                format!("the file is for role {n:?} but the role being written is {role_name:?}; remove \"name\" or use --name {n}"),
            )),
            None => errors.push(err(Some("name"), format!("expected a string, got {}", type_name(v)))),
        }
    }
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

impl RoleSpec {
    /// The default role (roles/nomad-cluster.json).
    pub fn shipped_default() -> Result<RoleSpec, Vec<RoleSpecError>> {
        parse_role_json(
            DEFAULT_ROLE_JSON,
            "nomad-cluster",
            "roles/nomad-cluster.json",
        )
    }

    /// The body to PUT to `auth/token/roles/<name>`: the `token_*` spellings only, lists as
    /// arrays, durations in seconds; `allowed_entity_aliases`/`token_bound_cidrs` only when set.
    pub fn to_write_body(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "allowed_policies".into(),
            self.allowed_policies.clone().into(),
        );
        m.insert(
            "allowed_policies_glob".into(),
            self.allowed_policies_glob.clone().into(),
        );
        m.insert(
            "disallowed_policies".into(),
            self.disallowed_policies.clone().into(),
        );
        m.insert(
            "disallowed_policies_glob".into(),
            self.disallowed_policies_glob.clone().into(),
        );
        m.insert("orphan".into(), self.orphan.into());
        m.insert("renewable".into(), self.renewable.into());
        m.insert("path_suffix".into(), self.path_suffix.clone().into());
        if let Some(aliases) = &self.allowed_entity_aliases {
            m.insert("allowed_entity_aliases".into(), aliases.clone().into());
        }
        m.insert("token_period".into(), self.token_period.into());
        m.insert(
            "token_explicit_max_ttl".into(),
            self.token_explicit_max_ttl.into(),
        );
        if !self.token_bound_cidrs.is_empty() {
            m.insert(
                "token_bound_cidrs".into(),
                self.token_bound_cidrs.clone().into(),
            );
        }
        m.insert(
            "token_no_default_policy".into(),
            self.token_no_default_policy.into(),
        );
        m.insert("token_num_uses".into(), self.token_num_uses.into());
        m.insert("token_type".into(), self.token_type.clone().into());
        Value::Object(m)
    }

    /// Read Vault's GET `data` (vault-api.md §4) into the comparable form. The `token_*` value
    /// wins; the legacy one counts when only it is non-zero (a role written with the legacy
    /// names alone).
    pub fn from_vault_data(data: &Value) -> Result<RoleSpec, String> {
        let Some(map) = data.as_object() else {
            return Err("role data is not an object".to_string());
        };
        let list = |k: &str| -> Result<Vec<String>, String> {
            map.get(k)
                .map(|v| comma_list(v).map_err(|m| format!("{k}: {m}")))
                .transpose()
                .map(Option::unwrap_or_default)
        };
        let flag = |k: &str, default: bool| -> Result<bool, String> {
            map.get(k)
                .map(|v| boolean(v).map_err(|m| format!("{k}: {m}")))
                .transpose()
                .map(|o| o.unwrap_or(default))
        };
        let secs = |k: &str| -> Result<u64, String> {
            map.get(k)
                .map(|v| seconds(v).map_err(|m| format!("{k}: {m}")))
                .transpose()
                .map(Option::unwrap_or_default)
        };
        let either = |new: &str, old: &str| -> Result<u64, String> {
            let n = secs(new)?;
            Ok(if n != 0 { n } else { secs(old)? })
        };
        let cidrs = {
            let t = list("token_bound_cidrs")?;
            if t.is_empty() {
                list("bound_cidrs")?
            } else {
                t
            }
        };
        Ok(RoleSpec {
            allowed_policies: sanitise_policies(list("allowed_policies")?),
            allowed_policies_glob: sanitise_policies(list("allowed_policies_glob")?),
            disallowed_policies: sanitise_policies(list("disallowed_policies")?),
            disallowed_policies_glob: sanitise_policies(list("disallowed_policies_glob")?),
            orphan: flag("orphan", false)?,
            renewable: flag("renewable", true)?,
            path_suffix: map
                .get("path_suffix")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            allowed_entity_aliases: match map.get("allowed_entity_aliases") {
                None | Some(Value::Null) => None,
                Some(v) => Some(comma_list(v).map_err(|m| format!("allowed_entity_aliases: {m}"))?),
            },
            token_period: either("token_period", "period")?,
            token_explicit_max_ttl: either("token_explicit_max_ttl", "explicit_max_ttl")?,
            token_bound_cidrs: cidrs,
            token_no_default_policy: flag("token_no_default_policy", false)?,
            token_num_uses: map
                .get("token_num_uses")
                .map(unsigned)
                .transpose()?
                .unwrap_or(0),
            token_type: map
                .get("token_type")
                .and_then(Value::as_str)
                .unwrap_or("default-service")
                .to_string(),
        })
    }

    /// Stable, pretty JSON of the comparable form: diff two of these line by line.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// The facts Nomad's role rules look at, for refusing a role Nomad would reject before
    /// writing it.
    pub fn to_role_facts(&self, name: &str) -> RoleFacts {
        RoleFacts {
            name: name.to_string(),
            exists: true,
            renewable: self.renewable,
            period: 0,
            token_period: self.token_period,
            explicit_max_ttl: 0,
            token_explicit_max_ttl: self.token_explicit_max_ttl,
            orphan: self.orphan,
            allowed_policies: self.allowed_policies.clone(),
            disallowed_policies: self.disallowed_policies.clone(),
            allowed_policies_glob: self.allowed_policies_glob.clone(),
            disallowed_policies_glob: self.disallowed_policies_glob.clone(),
            token_type: self.token_type.clone(),
            token_no_default_policy: self.token_no_default_policy,
        }
    }
}

/// [`RoleFacts`] straight from Vault's GET `data`, keeping the legacy fields apart as Nomad
/// reads them.
pub fn role_facts_from_vault_data(name: &str, data: &Value) -> Result<RoleFacts, String> {
    let spec = RoleSpec::from_vault_data(data)?;
    let secs = |k: &str| {
        data.get(k)
            .map(seconds)
            .transpose()
            .map(Option::unwrap_or_default)
    };
    Ok(RoleFacts {
        period: secs("period")?,
        token_period: secs("token_period")?,
        explicit_max_ttl: secs("explicit_max_ttl")?,
        token_explicit_max_ttl: secs("token_explicit_max_ttl")?,
        ..spec.to_role_facts(name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> Result<RoleSpec, Vec<RoleSpecError>> {
        parse_role_json(text, "nomad-cluster", "role.json")
    }

    #[test]
    fn shipped_default_matches_the_seeds() {
        let spec = RoleSpec::shipped_default().unwrap();
        assert_eq!(spec.disallowed_policies, vec!["nomad-server"]);
        assert!(spec.allowed_policies.is_empty());
        assert!(spec.orphan);
        assert!(spec.renewable);
        assert_eq!(spec.token_period, 259_200);
        assert_eq!(spec.token_explicit_max_ttl, 0);
    }

    #[test]
    fn both_seed_spellings_give_the_same_spec() {
        let new = parse(r#"{"allowed_policies":"access-tables","token_explicit_max_ttl":0,"name":"nomad-cluster","orphan":true,"token_period":259200,"renewable":true}"#).unwrap();
        let old = parse(r#"{"allowed_policies":["access-tables"],"explicit_max_ttl":0,"orphan":true,"period":"72h","renewable":true}"#).unwrap();
        assert_eq!(new, old);
        assert_eq!(new.allowed_policies, vec!["access-tables"]);
    }

    #[test]
    fn lists_accept_strings_and_arrays_and_are_sanitised() {
        let spec = parse(r#"{"disallowed_policies":" Nomad-Server , admin,admin"}"#).unwrap();
        assert_eq!(spec.disallowed_policies, vec!["admin", "nomad-server"]);
    }

    #[test]
    fn unknown_fields_are_refused_listing_the_valid_ones() {
        let errs = parse(r#"{"orphan":true,"perod":"72h","token_ttl":"1h"}"#).unwrap_err();
        assert_eq!(errs.len(), 2);
        let text = errs[0].to_string();
        assert!(
            text.starts_with(
                "role.json: field \"perod\": unknown field; valid fields: allowed_policies,"
            ),
            "{text}"
        );
        assert!(errs[1].message.contains("Vault would silently ignore it"));
    }

    #[test]
    fn wrong_types_are_explained() {
        let errs = parse(r#"{"orphan":"yes","renewable":1,"token_period":true,"allowed_policies":{"a":1},"token_num_uses":-1}"#).unwrap_err();
        let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(errs.len(), 5, "{msgs:?}");
        assert!(msgs
            .iter()
            .any(|m| m.contains("\"orphan\": expected true or false, got the string \"yes\"")));
        assert!(msgs
            .iter()
            .any(|m| m.contains("\"renewable\": expected true or false, got a number")));
        assert!(msgs
            .iter()
            .any(|m| m.contains("\"token_period\": expected a number of seconds")));
        assert!(msgs
            .iter()
            .any(|m| m.contains("\"allowed_policies\": expected a list")));
    }

    #[test]
    fn bad_and_negative_durations_are_refused() {
        let errs = parse(r#"{"token_period":"72hours"}"#).unwrap_err();
        assert!(
            errs[0].message.contains("unknown unit \"hours\""),
            "{}",
            errs[0]
        );
        let errs = parse(r#"{"token_period":"-1h"}"#).unwrap_err();
        assert!(errs[0].message.contains("must not be negative"));
    }

    #[test]
    fn disagreeing_legacy_and_new_fields_are_refused() {
        let errs = parse(r#"{"period":3600,"token_period":"72h"}"#).unwrap_err();
        assert!(errs[0].message.contains("disagree"));
        assert!(parse(r#"{"period":259200,"token_period":"72h"}"#).is_ok());
    }

    #[test]
    fn name_must_match_the_role_being_written() {
        assert!(parse(r#"{"name":"nomad-cluster"}"#).is_ok());
        let errs = parse(r#"{"name":"other"}"#).unwrap_err();
        assert!(errs[0].message.contains("--name other"));
    }

    #[test]
    fn malformed_json_and_non_objects_are_refused() {
        let errs = parse("{\"orphan\": tru}").unwrap_err();
        assert!(errs[0].message.starts_with("invalid JSON at line 1"));
        let errs = parse("[1]").unwrap_err();
        assert!(errs[0].message.contains("got a list"));
    }

    #[test]
    fn token_type_is_checked() {
        let errs = parse(r#"{"token_type":"periodic"}"#).unwrap_err();
        assert!(errs[0]
            .message
            .starts_with("invalid 'token_type' value \"periodic\""));
    }

    #[test]
    fn write_body_uses_token_spellings_only() {
        let body = RoleSpec::shipped_default().unwrap().to_write_body();
        assert_eq!(body["token_period"], 259_200);
        assert_eq!(body["disallowed_policies"], json!(["nomad-server"]));
        assert!(body.get("period").is_none());
        assert!(body.get("explicit_max_ttl").is_none());
        assert!(body.get("name").is_none());
        assert!(body.get("token_bound_cidrs").is_none());
    }

    #[test]
    fn vault_get_answer_compares_equal_to_the_spec() {
        // vault-api.md §4 GET data.
        let data = json!({"name":"nomad-cluster","allowed_policies":[],"disallowed_policies":["nomad-server"],
            "allowed_policies_glob":[],"disallowed_policies_glob":[],"allowed_entity_aliases":null,
            "orphan":true,"renewable":true,"path_suffix":"","period":0,"token_period":259200,
            "explicit_max_ttl":0,"token_explicit_max_ttl":0,"token_no_default_policy":false,
            "token_type":"default-service"});
        let live = RoleSpec::from_vault_data(&data).unwrap();
        let desired = RoleSpec::shipped_default().unwrap();
        assert_eq!(live, desired);
        assert_eq!(live.canonical_json(), desired.canonical_json());
        let changed =
            RoleSpec::from_vault_data(&json!({"orphan": false, "token_period": 3600})).unwrap();
        assert_ne!(changed.canonical_json(), desired.canonical_json());
    }

    #[test]
    fn legacy_only_role_from_vault_keeps_its_period() {
        let data = json!({"period": 259200, "token_period": 259200, "renewable": true});
        let facts = role_facts_from_vault_data("r", &data).unwrap();
        assert_eq!(facts.period, 259_200);
        let spec = RoleSpec::from_vault_data(&json!({"period": 3600, "token_period": 0})).unwrap();
        assert_eq!(spec.token_period, 3600);
    }

    #[test]
    fn spec_converts_to_facts_nomad_accepts() {
        let facts = RoleSpec::shipped_default()
            .unwrap()
            .to_role_facts("nomad-cluster");
        assert!(crate::nomad::role_rules::check(&facts).is_empty());
        let bad = RoleSpec {
            token_period: 0,
            ..RoleSpec::default()
        };
        assert_eq!(
            crate::nomad::role_rules::check(&bad.to_role_facts("r")).len(),
            1
        );
    }

    #[test]
    fn role_names_follow_vaults_pattern() {
        for ok in ["nomad-cluster", "a", "a.b_c", "_x_"] {
            assert!(validate_role_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-a", "a-", "a/b", "a b", "róle"] {
            assert!(validate_role_name(bad).is_err(), "{bad}");
        }
    }
}
