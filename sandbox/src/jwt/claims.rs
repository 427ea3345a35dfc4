//! Claim checks of a verified JWT, in the order and wording of hashicorp/cap `jwt/jwt.go`
//! (`validateAll`) and vault-plugin-auth-jwt `claims.go` (claim lookup by JSON pointer,
//! `claim_mappings`, `bound_claims`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// cap's default leeway for a missing `exp` or `nbf` (`DefaultLeewaySeconds`).
pub const DEFAULT_LEEWAY_SECS: i64 = 150;
/// go-jose's default clock-skew leeway (`jwt.DefaultLeeway`, one minute).
pub const DEFAULT_CLOCK_SKEW_SECS: i64 = 60;

/// What the role and config expect of a token (cap's `jwt.Expected`).
#[derive(Debug, Clone, Default)]
pub struct Expected {
    pub issuer: String,
    pub subject: String,
    pub audiences: Vec<String>,
    /// Empty: every supported algorithm, as the plugin passes when `jwt_supported_algs` is unset.
    pub algorithms: Vec<String>,
    /// Seconds; 0 = default, negative = none (the role's `*_leeway` fields).
    pub not_before_leeway: i64,
    pub expiration_leeway: i64,
    pub clock_skew_leeway: i64,
    /// Unix seconds (the sandbox clock).
    pub now: i64,
}

fn leeway(configured: i64, default: i64) -> i64 {
    match configured {
        n if n < 0 => 0,
        0 => default,
        n => n,
    }
}

/// A NumericDate claim: absent → 0; go-jose takes floats and truncates them.
fn numeric_date(claims: &Map<String, Value>, name: &str) -> Result<i64, String> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .ok_or_else(|| format!("square/go-jose/jwt: invalid {name}")),
        Some(other) => Err(format!(
            "json: cannot unmarshal {} into Go struct field Claims.{name} of type jwt.NumericDate",
            json_kind(other)
        )),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The `aud` claim as go-jose reads it: a string or a list of strings.
pub fn audiences(claims: &Map<String, Value>) -> Result<Vec<String>, String> {
    match claims.get("aud") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| "square/go-jose/jwt: expected string or array value to unmarshal to Audience".to_string())
            })
            .collect(),
        Some(_) => Err(
            "square/go-jose/jwt: expected string or array value to unmarshal to Audience"
                .to_string(),
        ),
    }
}

fn string_claim(claims: &Map<String, Value>, name: &str) -> String {
    claims
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// cap's `Validator.Validate` after the signature: algorithm, registered claims, times.
/// `alg` is the verified token's header algorithm.
pub fn validate(alg: &str, claims: &Map<String, Value>, expected: &Expected) -> Result<(), String> {
    let allowed: Vec<&str> = if expected.algorithms.is_empty() {
        vec!["RS256"]
    } else {
        expected.algorithms.iter().map(String::as_str).collect()
    };
    if !allowed.contains(&alg) {
        return Err(
            "invalid algorithm (alg) header parameter: token signed with unexpected algorithm"
                .to_string(),
        );
    }
    if !expected.issuer.is_empty() && expected.issuer != string_claim(claims, "iss") {
        return Err("invalid issuer (iss) claim".to_string());
    }
    if !expected.subject.is_empty() && expected.subject != string_claim(claims, "sub") {
        return Err("invalid subject (sub) claim".to_string());
    }
    let aud = audiences(claims)?;
    if !expected.audiences.is_empty() && !expected.audiences.iter().any(|a| aud.contains(a)) {
        return Err(
            "invalid audience (aud) claim: audience claim does not match any expected audience"
                .to_string(),
        );
    }
    let iat = numeric_date(claims, "iat")?;
    let mut exp = numeric_date(claims, "exp")?;
    let mut nbf = numeric_date(claims, "nbf")?;
    if iat == 0 && exp == 0 && nbf == 0 {
        return Err(
            "no issued at (iat), not before (nbf), or expiration time (exp) claims in token"
                .to_string(),
        );
    }
    if exp == 0 {
        let latest_start = iat.max(nbf);
        exp = latest_start + leeway(expected.expiration_leeway, DEFAULT_LEEWAY_SECS);
    }
    if nbf == 0 {
        nbf = if iat != 0 {
            iat
        } else {
            exp - leeway(expected.not_before_leeway, DEFAULT_LEEWAY_SECS)
        };
    }
    let skew = leeway(expected.clock_skew_leeway, DEFAULT_CLOCK_SKEW_SECS);
    let now = expected.now;
    if now + skew < nbf {
        return Err("invalid not before (nbf) claim: token not yet valid".to_string());
    }
    if now - skew > exp {
        return Err("invalid expiration time (exp) claim: token is expired".to_string());
    }
    if iat != 0 && now + skew < iat {
        return Err("invalid issued at (iat) claim: token issued in the future".to_string());
    }
    Ok(())
}

/// A claim by name, or by JSON pointer when the name starts with `/` (`getClaim`).
pub fn get_claim<'a>(claims: &'a Map<String, Value>, claim: &str) -> Option<&'a Value> {
    let value = match claim.strip_prefix('/') {
        Some(pointer) => {
            let (first, rest) = match pointer.split_once('/') {
                Some((first, rest)) => (first, format!("/{rest}")),
                None => (pointer, String::new()),
            };
            let first = first.replace("~1", "/").replace("~0", "~");
            let top = claims.get(&first)?;
            if rest.is_empty() {
                top
            } else {
                top.pointer(&rest)?
            }
        }
        None => claims.get(claim)?,
    };
    (!value.is_null()).then_some(value)
}

/// Alias metadata from `claim_mappings` (`extractMetadata`): missing claims are skipped;
/// strings are taken as they are, numbers and booleans as Go prints them.
pub fn extract_metadata(
    claims: &Map<String, Value>,
    mappings: &Map<String, Value>,
) -> Result<BTreeMap<String, String>, String> {
    let mut metadata = BTreeMap::new();
    for (source, target) in mappings {
        let Some(target) = target.as_str() else {
            continue;
        };
        let Some(value) = get_claim(claims, source) else {
            continue;
        };
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => return Err(format!("error converting claim '{source}' to string")),
        };
        metadata.insert(target.to_string(), text);
    }
    Ok(metadata)
}

/// `*` anywhere in the pattern matches any run of characters (ryanuber/go-glob).
fn glob_match(pattern: &str, text: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// Every `bound_claims` entry must match the token (`validateBoundClaims`); with
/// `bound_claims_type` `glob`, expected values may use `*`.
pub fn validate_bound_claims(
    bound_type: &str,
    bound: &Map<String, Value>,
    claims: &Map<String, Value>,
) -> Result<(), String> {
    let use_glob = bound_type == "glob";
    for (claim, expected) in bound {
        let Some(actual) = get_claim(claims, claim) else {
            return Err(format!("claim {claim:?} is missing"));
        };
        let actual_values: Vec<String> = match actual {
            Value::Array(items) => items.iter().map(scalar_text).collect(),
            Value::String(_) | Value::Bool(_) | Value::Number(_) => vec![scalar_text(actual)],
            _ => return Err(format!("received claim is not a string or list: {actual}")),
        };
        let expected_values: Vec<String> = match expected {
            Value::Array(items) => items.iter().map(scalar_text).collect(),
            Value::String(_) | Value::Bool(_) | Value::Number(_) => vec![scalar_text(expected)],
            _ => return Err(format!("bound claim is not a string or list: {expected}")),
        };
        let found = expected_values.iter().any(|e| {
            actual_values
                .iter()
                .any(|a| if use_glob { glob_match(e, a) } else { e == a })
        });
        if !found {
            return Err(format!(
                "claim {claim:?} does not match any associated bound claim values"
            ));
        }
    }
    Ok(())
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn expected(now: i64) -> Expected {
        Expected {
            audiences: vec!["vault.io".into()],
            algorithms: vec!["EdDSA".into(), "RS256".into()],
            now,
            ..Default::default()
        }
    }

    #[test]
    fn expiry_counts_one_minute_of_clock_skew() {
        let c = claims(json!({"aud": "vault.io", "iat": 1000, "exp": 2000}));
        assert!(validate("EdDSA", &c, &expected(2060)).is_ok());
        assert_eq!(
            validate("EdDSA", &c, &expected(2061)).unwrap_err(),
            "invalid expiration time (exp) claim: token is expired"
        );
        assert_eq!(
            validate("EdDSA", &c, &expected(900)).unwrap_err(),
            "invalid not before (nbf) claim: token not yet valid"
        );
    }

    #[test]
    fn missing_exp_defaults_to_the_latest_start_plus_150s() {
        let c = claims(json!({"aud": ["vault.io"], "iat": 1000}));
        assert!(validate("EdDSA", &c, &expected(1000 + 150 + 60)).is_ok());
        assert!(validate("EdDSA", &c, &expected(1000 + 150 + 61)).is_err());
        let none = claims(json!({"aud": "vault.io"}));
        assert!(validate("EdDSA", &none, &expected(1))
            .unwrap_err()
            .starts_with("no issued at (iat)"));
    }

    #[test]
    fn audience_and_algorithm_must_be_expected() {
        let c = claims(json!({"aud": ["other"], "exp": 5000}));
        assert_eq!(
            validate("EdDSA", &c, &expected(1000)).unwrap_err(),
            "invalid audience (aud) claim: audience claim does not match any expected audience"
        );
        // Only `exp`: cap takes `nbf` as exp - 150s.
        let ok = claims(json!({"aud": ["x", "vault.io"], "exp": 5000}));
        assert!(validate("EdDSA", &ok, &expected(4900)).is_ok());
        assert_eq!(
            validate("EdDSA", &ok, &expected(1000)).unwrap_err(),
            "invalid not before (nbf) claim: token not yet valid"
        );
        assert!(validate("PS256", &ok, &expected(4900))
            .unwrap_err()
            .contains("token signed with unexpected algorithm"));
        // No configured algorithms: cap expects RS256 only.
        let mut any = expected(4900);
        any.algorithms.clear();
        assert!(validate("EdDSA", &ok, &any).is_err());
        assert!(validate("RS256", &ok, &any).is_ok());
    }

    #[test]
    fn claims_resolve_by_name_or_json_pointer() {
        let c = claims(json!({"nomad_job_id": "web", "a/b": "slash", "n": {"x": ["p", "q"]}}));
        assert_eq!(get_claim(&c, "nomad_job_id"), Some(&json!("web")));
        assert_eq!(get_claim(&c, "/nomad_job_id"), Some(&json!("web")));
        assert_eq!(get_claim(&c, "/a~1b"), Some(&json!("slash")));
        assert_eq!(get_claim(&c, "/n/x/1"), Some(&json!("q")));
        assert_eq!(get_claim(&c, "/missing"), None);
    }

    #[test]
    fn claim_mappings_skip_missing_claims_and_refuse_objects() {
        let c = claims(json!({"nomad_task": "t", "count": 3, "obj": {}}));
        let m = claims(
            json!({"nomad_task": "nomad_task", "nomad_job_id": "nomad_job_id", "count": "count"}),
        );
        let meta = extract_metadata(&c, &m).unwrap();
        assert_eq!(meta.len(), 2);
        assert_eq!(meta["nomad_task"], "t");
        assert_eq!(meta["count"], "3");
        let bad = claims(json!({"obj": "o"}));
        assert_eq!(
            extract_metadata(&c, &bad).unwrap_err(),
            "error converting claim 'obj' to string"
        );
    }

    #[test]
    fn bound_claims_match_exactly_or_by_glob() {
        let c = claims(json!({"nomad_namespace": "default", "groups": ["a", "b"]}));
        let bound = claims(json!({"nomad_namespace": ["prod", "default"], "groups": "b"}));
        assert!(validate_bound_claims("string", &bound, &c).is_ok());
        let wrong = claims(json!({"nomad_namespace": "prod"}));
        assert_eq!(
            validate_bound_claims("string", &wrong, &c).unwrap_err(),
            "claim \"nomad_namespace\" does not match any associated bound claim values"
        );
        let glob = claims(json!({"nomad_namespace": "def*"}));
        assert!(validate_bound_claims("glob", &glob, &c).is_ok());
        assert!(validate_bound_claims("string", &glob, &c).is_err());
        let missing = claims(json!({"nomad_job_id": "x"}));
        assert_eq!(
            validate_bound_claims("string", &missing, &c).unwrap_err(),
            "claim \"nomad_job_id\" is missing"
        );
        assert!(glob_match("a*c*e", "abcde"));
        assert!(!glob_match("a*c*e", "abcd"));
    }
}
