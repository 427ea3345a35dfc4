//! Vault's error answers as a Nomad server quotes them: Nomad talks to Vault through
//! HashiCorp's Go client (`github.com/hashicorp/vault/api`, v1.15.0 in Nomad 1.9), and every
//! error answer reaches Nomad's own messages (`failed to lookup Vault periodic token: …`,
//! `failed to lookup role "x": …`) as that client's `ResponseError.Error()` renders it.
//!
//! Reproduced from hashicorp/vault `api/response.go`:
//! - `Response.Error`: any status outside 200–399 is an error; the body is decoded into
//!   `struct { Errors []string }` (`sdk/helper/jsonutil.DecodeJSON`, which refuses an empty
//!   body); when that fails, the whole body is kept as the one "raw" message;
//! - `ResponseError.Error`: `Error making API request.\n\n` + `URL: <METHOD> <full URL>\n` +
//!   `Code: <status>. Errors:\n\n` + one `* <message>` per error, **concatenated with nothing
//!   between them**; or `Code: <status>. Raw Message:\n\n<body>` for a raw answer.
//!
//! Not reproduced: the `Namespace: <ns>\n` line the client adds when the *answer* carries an
//! `X-Vault-Namespace` header other than `root/` (Vault Enterprise), and the URL is the one
//! nvctl used — a Nomad server quotes the address in its own `vault` block.

use std::fmt;

use serde_json::Value;

use crate::vault::VaultError;

/// One error answer, as the Go client holds it (`api.ResponseError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoResponseError {
    pub method: String,
    pub url: String,
    pub status: u16,
    /// The body could not be decoded: `errors` holds the whole body as its one message.
    pub raw: bool,
    pub errors: Vec<String>,
}

impl GoResponseError {
    /// The error as the Go client builds it from a response's method, URL, status and body.
    pub fn from_response(method: &str, url: &str, status: u16, body: &str) -> GoResponseError {
        let (raw, errors) = match decode_errors(body) {
            Some(errors) => (false, errors),
            None => (true, vec![body.to_string()]),
        };
        GoResponseError {
            method: method.to_string(),
            url: url.to_string(),
            status,
            raw,
            errors,
        }
    }

    /// The Go client's error for a Vault error answer; `None` for failures that are not an
    /// answer (connection refused, timeouts…), which the Go client reports in Go's `net/http`
    /// words instead.
    pub fn from_vault_error(error: &VaultError) -> Option<GoResponseError> {
        match error {
            VaultError::Api {
                method,
                status,
                answer,
                ..
            } => Some(GoResponseError::from_response(
                method,
                &answer.url,
                *status,
                &answer.body,
            )),
            _ => None,
        }
    }
}

impl fmt::Display for GoResponseError {
    /// `ResponseError.Error()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.raw { "Raw Message" } else { "Errors" };
        write!(
            f,
            "Error making API request.\n\nURL: {} {}\nCode: {}. {kind}:\n\n",
            self.method, self.url, self.status
        )?;
        if self.raw && self.errors.len() == 1 {
            return f.write_str(&self.errors[0]);
        }
        for error in &self.errors {
            write!(f, "* {error}")?;
        }
        Ok(())
    }
}

/// `jsonutil.DecodeJSON(body, &struct{ Errors []string })`: `None` where Go's decoder fails.
/// Go reads the first JSON value and ignores what follows; `null` decodes to no errors; the
/// field name matches case-insensitively; a `null` element decodes to `""`; anything else of
/// the wrong type is an error (Go finishes decoding, then reports it).
fn decode_errors(body: &str) -> Option<Vec<String>> {
    let first = serde_json::Deserializer::from_str(body)
        .into_iter::<Value>()
        .next()?
        .ok()?;
    let object = match first {
        Value::Null => return Some(Vec::new()),
        Value::Object(object) => object,
        _ => return None,
    };
    let Some(errors) = object
        .iter()
        .filter(|(key, _)| key.to_lowercase() == "errors")
        .map(|(_, v)| v)
        .next_back()
    else {
        return Some(Vec::new());
    };
    match errors {
        Value::Null => Some(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Some(s.clone()),
                Value::Null => Some(String::new()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Nomad's text for a failed Vault call, as it embeds `err` with `%v`: the Go client's
/// rendering for an answer, else nvctl's own description (a Go `net/http` error cannot be
/// reproduced from here).
pub fn nomad_quote(error: &VaultError) -> String {
    match GoResponseError::from_vault_error(error) {
        Some(go) => go.to_string(),
        None => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://127.0.0.1:8200/v1/auth/token/lookup";

    fn render(status: u16, body: &str) -> String {
        GoResponseError::from_response("POST", URL, status, body).to_string()
    }

    // hashicorp/vault api/response.go ResponseError.Error: the strings below are built the way
    // that function builds them (fmt.Sprintf of the header, then "* %s" per error).
    #[test]
    fn one_error_is_one_bullet_after_a_blank_line() {
        assert_eq!(
            render(403, r#"{"errors":["permission denied"]}"#),
            format!("Error making API request.\n\nURL: POST {URL}\nCode: 403. Errors:\n\n* permission denied")
        );
    }

    #[test]
    fn several_errors_are_concatenated_without_a_separator() {
        assert_eq!(
            render(400, r#"{"errors":["a","b"]}"#),
            format!("Error making API request.\n\nURL: POST {URL}\nCode: 400. Errors:\n\n* a* b")
        );
    }

    #[test]
    fn a_multierror_message_is_quoted_as_vault_sent_it() {
        assert_eq!(
            render(403, r#"{"errors":["1 error occurred:\n\t* permission denied\n\n"]}"#),
            format!("Error making API request.\n\nURL: POST {URL}\nCode: 403. Errors:\n\n* 1 error occurred:\n\t* permission denied\n\n")
        );
    }

    #[test]
    fn no_errors_leave_the_header_alone() {
        for body in [r#"{"errors":[]}"#, "{}", "null", r#"{"errors":null}"#] {
            assert_eq!(
                render(404, body),
                format!("Error making API request.\n\nURL: POST {URL}\nCode: 404. Errors:\n\n"),
                "{body}"
            );
        }
    }

    #[test]
    fn an_undecodable_body_is_the_raw_message() {
        for body in [
            "<html>Bad Gateway</html>",
            "",
            "  ",
            r#"{"errors":"x"}"#,
            r#"{"errors":[1]}"#,
            "[]",
            "{",
        ] {
            assert_eq!(
                render(502, body),
                format!("Error making API request.\n\nURL: POST {URL}\nCode: 502. Raw Message:\n\n{body}"),
                "{body:?}"
            );
        }
    }

    #[test]
    fn go_decoding_details_are_kept() {
        // Case-insensitive field, null elements, a trailing second value ignored.
        assert_eq!(
            GoResponseError::from_response("GET", URL, 500, r#"{"Errors":["x",null]} {"y":1}"#)
                .errors,
            vec!["x".to_string(), String::new()]
        );
    }
}
