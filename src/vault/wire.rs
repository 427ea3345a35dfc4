//! Wire helpers shared by the API modules: the response envelope, error bodies, path
//! encoding, and lenient field decoders (Vault and OpenBao differ, and inputs written by
//! people say `"72h"` where Vault answers `259200`).

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};

use super::error::VaultError;
use super::shape::{self, Expected};
use crate::secret::SecretString;
use zeroize::Zeroizing;

// The answer type lives here, not in `transport`, so that the dependency goes one way:
// transport (the request path) uses wire (the format), never the reverse.

/// A successful (or, with `status_is_data`, any) answer.
pub(crate) struct Reply {
    pub status: u16,
    /// The raw body; zeroized on drop because it may hold keys or tokens.
    pub body: Zeroizing<Vec<u8>>,
    /// How many attempts were made (> 1 when the request was retried).
    pub attempts: u32,
    /// The node that answered (after redirects).
    pub answered_by: String,
    /// The answer's `Date` header: the server's clock (a clock-skew check compares it).
    pub date: Option<std::time::SystemTime>,
}

/// The envelope of logical endpoints (vault-api.md §0). Unknown fields (`request_id`,
/// `mount_type`…) are ignored.
#[derive(Deserialize)]
pub(crate) struct Envelope<D, A = IgnoredAny> {
    #[serde(default = "Option::default")]
    pub data: Option<D>,
    #[serde(default, deserialize_with = "string_list")]
    pub warnings: Vec<String>,
    #[serde(default = "Option::default")]
    pub auth: Option<A>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Option<Vec<serde_json::Value>>,
    #[serde(default, deserialize_with = "string_list")]
    warnings: Vec<String>,
}

/// Vault's `errors` and `warnings` from an error answer. A body that is not Vault's JSON
/// (a proxy's HTML page) becomes one short error line.
pub(crate) fn error_body(body: &[u8]) -> (Vec<String>, Vec<String>) {
    if body.iter().all(u8::is_ascii_whitespace) {
        return (Vec::new(), Vec::new());
    }
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) => {
            let errors = parsed
                .errors
                .unwrap_or_default()
                .into_iter()
                .map(|e| match e {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect();
            (errors, parsed.warnings)
        }
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let short: String = text.trim().chars().take(200).collect();
            (vec![format!("non-JSON answer: {short}")], Vec::new())
        }
    }
}

/// A JSON body as a [`serde_json::Value`], for callers that look the shape over themselves
/// (tables whose keys are mount paths, `capabilities-self`); typed answers go through
/// [`decode_body`], [`decode_data`] or [`decode_auth`].
pub(crate) fn decode_value(reply: &Reply, path: &str) -> Result<serde_json::Value, VaultError> {
    let (value, _) = shape::decode::<AnyObject>(reply, path, shape::Part::Body)?;
    Ok(value.0)
}

/// Any JSON object, as a value.
#[derive(Deserialize)]
#[serde(transparent)]
struct AnyObject(serde_json::Value);

impl Expected for AnyObject {
    const WHAT: &'static str = "a JSON object";
    const REQUIRED: &'static [&'static str] = &[];
}

/// The body of a `sys/` endpoint that answers outside the envelope (`sys/seal-status`…).
pub(crate) fn decode_body<T: Expected>(reply: &Reply, path: &str) -> Result<T, VaultError> {
    shape::decode(reply, path, shape::Part::Body).map(|(body, _)| body)
}

/// A logical endpoint's `data` (and `warnings`), checked to be what `D` needs.
pub(crate) fn decode_data<D: Expected>(
    reply: &Reply,
    path: &str,
) -> Result<(D, Vec<String>), VaultError> {
    shape::decode(reply, path, shape::Part::Data)
}

/// The `auth` block of a login, token creation or renewal (and `warnings`).
pub(crate) fn decode_auth<A: Expected>(
    reply: &Reply,
    path: &str,
) -> Result<(A, Vec<String>), VaultError> {
    shape::decode(reply, path, shape::Part::Auth)
}

/// The `warnings` of a write: 204 has no body, 200 carries the envelope.
pub(crate) fn write_warnings(reply: &Reply, path: &str) -> Result<Vec<String>, VaultError> {
    if reply.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    #[derive(Deserialize)]
    struct Written {
        #[serde(default, deserialize_with = "string_list")]
        warnings: Vec<String>,
    }
    impl Expected for Written {
        const WHAT: &'static str = "Vault's JSON answer to a write";
        const REQUIRED: &'static [&'static str] = &[];
    }
    decode_body::<Written>(reply, path).map(|written| written.warnings)
}

/// serde_json messages can quote the offending value (`invalid type: string "hvs.…"`), which
/// could be a token: keep the shape of the problem, drop quoted values.
pub(crate) fn describe_json_error(err: &serde_json::Error) -> String {
    let message = err.to_string();
    let mut out = String::with_capacity(message.len());
    let mut in_quotes = false;
    for c in message.chars() {
        if c == '"' || c == '`' {
            if !in_quotes {
                out.push_str("\"…\"");
            }
            in_quotes = !in_quotes;
        } else if !in_quotes {
            out.push(c);
        }
    }
    out
}

/// Turns an empty 404 (`{"errors":[]}`, a missing item) into `Ok(None)`. A 404 with a message
/// (`no handler for route`, `unsupported path`: a missing mount) stays an error, so that a
/// wrong mount is not reported as "not there yet".
pub(crate) fn absent_on_404<T>(result: Result<T, VaultError>) -> Result<Option<T>, VaultError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(err) if err.is_not_found() && err.errors().is_empty() => Ok(None),
        Err(err) => Err(err),
    }
}

/// Like [`absent_on_404`] for lists: an empty 404 means no keys.
pub(crate) fn empty_on_404(
    result: Result<Vec<String>, VaultError>,
) -> Result<Vec<String>, VaultError> {
    absent_on_404(result).map(Option::unwrap_or_default)
}

/// Percent-encodes one path segment (a policy, role or mount name); `/` is encoded too.
pub(crate) fn segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~+:@=,".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Encodes a multi-segment path (`secret/nomad`, `jwt-nomad`): leading/trailing `/` dropped,
/// each segment encoded.
pub(crate) fn path(raw: &str) -> String {
    raw.trim_matches('/')
        .split('/')
        .map(segment)
        .collect::<Vec<_>>()
        .join("/")
}

#[derive(Deserialize)]
#[serde(untagged)]
enum SecondsInput {
    Int(u64),
    Signed(i64),
    Float(f64),
    Text(String),
}

/// A duration in one of Vault's answers, in Vault's own syntax (`duration::parse_vault_str`:
/// integer seconds, a numeric string, `<n>d`, or a Go duration such as `"72h"`, `"1.5h"`);
/// fractions of a second are dropped, negatives refused.
pub fn parse_duration_secs(text: &str) -> Option<u64> {
    crate::duration::parse_vault_str(text)
        .ok()
        .and_then(|secs| u64::try_from(secs).ok())
}

/// Deserializes a duration in seconds from an integer, a numeric or Go-duration string, or
/// `null` (0).
pub(crate) fn seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    use serde::de::Error;
    match Option::<SecondsInput>::deserialize(deserializer)? {
        None => Ok(0),
        Some(SecondsInput::Int(n)) => Ok(n),
        Some(SecondsInput::Signed(n)) => Ok(n.max(0) as u64),
        Some(SecondsInput::Float(f)) if f.is_finite() && f >= 0.0 => Ok(f as u64),
        Some(SecondsInput::Float(_)) => Err(D::Error::custom("a duration must not be negative")),
        Some(SecondsInput::Text(text)) => parse_duration_secs(&text).ok_or_else(|| {
            D::Error::custom(format!(
                "invalid duration {text:?}: use seconds or units like \"72h\""
            ))
        }),
    }
}

/// Like [`seconds`], keeping "absent" apart from 0.
pub(crate) fn opt_seconds<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "seconds")] u64);
    Option::<Wrapped>::deserialize(deserializer).map(|o| o.map(|Wrapped(s)| s))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ListInput {
    List(Vec<serde_json::Value>),
    Text(String),
}

/// A list of strings from a JSON array, a comma-separated string (items trimmed) or `null`.
pub(crate) fn string_list<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    Ok(match Option::<ListInput>::deserialize(deserializer)? {
        None => Vec::new(),
        Some(ListInput::List(items)) => items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        Some(ListInput::Text(text)) => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// Like [`string_list`], keeping `null`/absent apart from `[]`.
pub(crate) fn opt_string_list<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "string_list")] Vec<String>);
    Option::<Wrapped>::deserialize(deserializer).map(|o| o.map(|Wrapped(v)| v))
}

/// A secret that Vault sends as `""` when it has none (lookup-accessor's `id`).
pub(crate) fn opt_secret<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<SecretString>, D::Error> {
    Ok(Option::<SecretString>::deserialize(deserializer)?.filter(|s| !s.is_empty()))
}

/// A boolean that may come as a string (`"true"`), as `vault write k=v` sends it.
pub(crate) fn lenient_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    use serde::de::Error;
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum BoolInput {
        Bool(bool),
        Text(String),
    }
    match Option::<BoolInput>::deserialize(deserializer)? {
        None => Ok(false),
        Some(BoolInput::Bool(b)) => Ok(b),
        Some(BoolInput::Text(t)) => match t.trim().to_ascii_lowercase().as_str() {
            "1" | "t" | "true" => Ok(true),
            "0" | "f" | "false" | "" => Ok(false),
            _ => Err(D::Error::custom(format!("invalid boolean {t:?}"))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_vault() {
        assert_eq!(parse_duration_secs("3600"), Some(3600));
        assert_eq!(parse_duration_secs("72h"), Some(259_200));
        assert_eq!(parse_duration_secs("1h30m"), Some(5400));
        assert_eq!(parse_duration_secs("3d"), Some(259_200));
        assert_eq!(parse_duration_secs("1.5h"), Some(5400));
        assert_eq!(parse_duration_secs("72 hours"), None);
        assert_eq!(parse_duration_secs("-1h"), None);
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(path("/secret/nomad db/"), "secret/nomad%20db");
        assert_eq!(segment("a/b?c"), "a%2Fb%3Fc");
        assert_eq!(segment("nomad-cluster"), "nomad-cluster");
    }

    #[test]
    fn json_errors_drop_quoted_values() {
        let err = serde_json::from_str::<u64>("\"hvs.secret\"").expect_err("a string is no u64");
        let shown = describe_json_error(&err);
        assert!(!shown.contains("hvs.secret"), "{shown}");
        assert!(shown.contains("invalid type"), "{shown}");
    }

    #[test]
    fn error_body_tolerates_non_json_and_empty_lists() {
        assert_eq!(error_body(b"{\"errors\":[]}"), (vec![], vec![]));
        let (errors, _) = error_body(b"<html>Bad Gateway</html>");
        assert_eq!(
            errors,
            vec!["non-JSON answer: <html>Bad Gateway</html>".to_string()]
        );
    }
}
