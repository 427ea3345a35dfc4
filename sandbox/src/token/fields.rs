//! Coercion of request fields the way Vault's framework does it (vault-api.md §0 "Durations and
//! lists"): `"true"` is a bool, `"72h"`/`"3d"`/`"3600"`/`3600` are durations, `"a,b"` is a list.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::api::{ApiError, Request};

/// Go's `time.ParseDuration` plus Vault's integer-seconds and `d` suffix; whole seconds.
pub fn parse_duration(v: &Value) -> Result<i64, String> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .ok_or_else(|| format!("time: invalid duration \"{n}\"")),
        Value::String(s) => parse_duration_str(s.trim()),
        Value::Null => Ok(0),
        other => Err(format!("time: invalid duration \"{other}\"")),
    }
}

pub fn parse_duration_str(s: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration \"{s}\"");
    if s.is_empty() {
        return Ok(0);
    }
    if let Ok(secs) = s.parse::<i64>() {
        return Ok(secs);
    }
    if let Some(days) = s.strip_suffix('d') {
        return days
            .parse::<i64>()
            .map(|d| d * 86_400)
            .map_err(|_| invalid());
    }
    let (negative, mut rest) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut nanos: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(invalid)?;
        if num_len == 0 {
            return Err(invalid());
        }
        let number: f64 = rest[..num_len].parse().map_err(|_| invalid())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(invalid()),
        };
        nanos += number * scale;
        rest = &rest[unit_len..];
    }
    let secs = (nanos / 1e9) as i64;
    Ok(if negative { -secs } else { secs })
}

/// Go's `strconv.ParseBool`, plus numbers (non-zero is true) as mapstructure's weak decoding.
pub fn parse_bool(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) => Ok(n.as_f64().is_some_and(|f| f != 0.0)),
        Value::String(s) => match s.as_str() {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
            "0" | "f" | "F" | "FALSE" | "false" | "False" | "" => Ok(false),
            _ => Err(format!("strconv.ParseBool: parsing {s:?}: invalid syntax")),
        },
        Value::Null => Ok(false),
        other => Err(format!("cannot parse '{other}' as bool")),
    }
}

pub fn parse_int(v: &Value) -> Result<i64, String> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .ok_or_else(|| format!("cannot parse '{n}' as int")),
        Value::String(s) if s.trim().is_empty() => Ok(0),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("strconv.ParseInt: parsing {s:?}: invalid syntax")),
        Value::Null => Ok(0),
        other => Err(format!("cannot parse '{other}' as int")),
    }
}

/// A JSON array or a comma-separated string; items trimmed, empty items dropped.
pub fn parse_comma_list(v: &Value) -> Result<Vec<String>, String> {
    let items: Vec<String> = match v {
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        Value::String(s) => s.split(',').map(str::to_string).collect(),
        Value::Null => Vec::new(),
        other => return Err(format!("cannot parse '{other}' as a list")),
    };
    Ok(items
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect())
}

/// A string map (`meta`); values are stringified.
pub fn parse_string_map(v: &Value) -> Result<Option<BTreeMap<String, String>>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Object(map) => Ok(Some(
            map.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        )),
        other => Err(format!("expected a map, got '{other}'")),
    }
}

/// The framework's message for a field that does not coerce.
pub fn field_error(field: &str, reason: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Field validation failed: error converting input for field {field:?}: {reason}"
    ))
}

/// Reads an optional field with a coercion; `Err` is already the framework's 400.
pub fn get<T>(
    req: &Request,
    field: &str,
    parse: impl Fn(&Value) -> Result<T, String>,
) -> Result<Option<T>, ApiError> {
    match req.body.get(field) {
        None => Ok(None),
        Some(v) => parse(v).map(Some).map_err(|e| field_error(field, &e)),
    }
}

/// Vault's warning for body fields an endpoint does not know (only shown when it answers a body).
pub fn unknown_fields_warning(req: &Request, known: &[&str]) -> Option<String> {
    let unknown: Vec<&str> = req
        .body
        .keys()
        .map(String::as_str)
        .filter(|k| !known.contains(k))
        .collect();
    if unknown.is_empty() {
        None
    } else {
        Some(format!(
            "Endpoint ignored these unrecognized parameters: [{}]",
            unknown.join(" ")
        ))
    }
}

/// Go's `%q` of a string list: `["a" "b"]`.
pub fn go_quoted_list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", inner.join(" "))
}

/// Go's `time.Duration.String()` for whole seconds (`768h0m0s`).
pub fn go_duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{m}m{s}s")
    } else {
        format!("{s}s")
    }
}

/// Seconds since the epoch.
pub fn unix_seconds(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// RFC 3339 in UTC with Go's trimmed nanoseconds, as Vault's JSON renders `time.Time`.
pub fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = d.as_secs() as i64;
    let nanos = d.subsec_nanos();
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, mo, da) = civil_from_days(days);
    let mut out = format!(
        "{y:04}-{mo:02}-{da:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    );
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations_accept_vaults_forms() {
        assert_eq!(parse_duration(&json!(3600)).unwrap(), 3600);
        assert_eq!(parse_duration(&json!("3600")).unwrap(), 3600);
        assert_eq!(parse_duration(&json!("72h")).unwrap(), 259_200);
        assert_eq!(parse_duration(&json!("3d")).unwrap(), 259_200);
        assert_eq!(parse_duration(&json!("1h30m")).unwrap(), 5400);
        assert_eq!(parse_duration(&json!("1.5h")).unwrap(), 5400);
        assert_eq!(parse_duration(&json!("-1h")).unwrap(), -3600);
        assert!(parse_duration(&json!("3x")).is_err());
        assert!(parse_duration(&json!("h")).is_err());
    }

    #[test]
    fn bools_and_lists_coerce_from_strings() {
        assert!(parse_bool(&json!("true")).unwrap());
        assert!(!parse_bool(&json!("0")).unwrap());
        assert!(parse_bool(&json!("maybe")).is_err());
        assert_eq!(
            parse_comma_list(&json!("a, b,,c")).unwrap(),
            vec!["a", "b", "c"]
        );
        assert_eq!(
            parse_comma_list(&json!([" a", "b"])).unwrap(),
            vec!["a", "b"]
        );
    }

    #[test]
    fn times_render_like_go() {
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::new(0, 120_000_000)),
            "1970-01-01T00:00:00.12Z"
        );
        assert_eq!(go_duration(768 * 3600), "768h0m0s");
        assert_eq!(
            go_quoted_list(&["default".into(), "x".into()]),
            r#"["default" "x"]"#
        );
    }
}
