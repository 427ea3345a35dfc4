//! The shapes every handler speaks: a parsed request, and Nomad's two kinds of answer — a JSON
//! document, or an error written as **plain text** with its status (command/agent/http.go:
//! `wrap` sets `Content-Type: text/plain; charset=utf-8` and writes the message bare).

use std::collections::BTreeMap;

use serde_json::Value;

/// One HTTP request as the handlers see it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `PUT`, `POST`, `DELETE`, …
    pub method: String,
    /// The decoded path, `/v1/acl/token/self`.
    pub path: String,
    pub query: BTreeMap<String, String>,
    /// `X-Nomad-Token`, else the first word after `Authorization: Bearer`
    /// (http.go:parseToken). Empty when neither is sent.
    pub token: String,
    pub body: Vec<u8>,
}

impl Request {
    /// Whether a body was sent at all: Go hands a handler `http.NoBody` for a request without
    /// one, and `decodeBody` answers `Request body is empty` to that.
    pub fn has_body(&self) -> bool {
        !self.body.is_empty()
    }

    pub fn query(&self, key: &str) -> Option<&str> {
        self.query.get(key).map(String::as_str)
    }

    pub fn is_write(&self) -> bool {
        matches!(self.method.as_str(), "PUT" | "POST")
    }
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// 200 with a JSON document. `index` becomes `X-Nomad-Index`; `query_meta` adds
    /// `X-Nomad-KnownLeader`/`X-Nomad-LastContact` (http.go:setMeta).
    Json {
        value: Value,
        index: Option<u64>,
        query_meta: bool,
    },
    /// 200 with no body (a write whose handler returns `nil`), with `X-Nomad-Index`.
    Empty { index: Option<u64> },
    /// A 200 document with extra headers (the JWKS `Cache-Control`).
    JsonWithHeaders {
        value: Value,
        headers: Vec<(&'static str, String)>,
    },
}

impl Reply {
    /// A write's answer (`setIndex`).
    pub fn written(value: Value, index: u64) -> Reply {
        Reply::Json {
            value,
            index: Some(index),
            query_meta: false,
        }
    }

    /// A read's answer (`setMeta`).
    pub fn queried(value: Value, index: u64) -> Reply {
        Reply::Json {
            value,
            index: Some(index),
            query_meta: true,
        }
    }

    /// A document without Nomad's index headers.
    pub fn plain(value: Value) -> Reply {
        Reply::Json {
            value,
            index: None,
            query_meta: false,
        }
    }
}

/// An error as Nomad answers it: status and plain-text message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NomadError {
    pub status: u16,
    pub message: String,
}

impl NomadError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        NomadError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// `structs.ErrPermissionDenied`, mapped to 403 by its suffix (http.go:wrap).
    pub fn permission_denied() -> Self {
        Self::new(403, PERMISSION_DENIED)
    }

    /// `structs.ErrTokenNotFound`, mapped to 403 by its suffix (http.go:wrap).
    pub fn token_not_found() -> Self {
        Self::new(403, TOKEN_NOT_FOUND)
    }

    /// `ErrInvalidMethod` (http.go).
    pub fn invalid_method() -> Self {
        Self::new(405, "Invalid method")
    }

    /// nomad/acl_endpoint.go `aclDisabled`: `structs.NewErrRPCCoded(400, "ACL support disabled")`.
    pub fn acl_disabled() -> Self {
        Self::new(400, "ACL support disabled")
    }

    /// An error the RPC layer returns without a code: the HTTP layer answers 500 with its text
    /// unless the text ends in one of the well-known errors (http.go:wrap).
    pub fn from_rpc_text(text: impl Into<String>) -> Self {
        let text = text.into();
        for (suffix, status) in [
            (PERMISSION_DENIED, 403),
            (TOKEN_NOT_FOUND, 403),
            (JOB_REGISTRATION_DISABLED, 403),
        ] {
            if text.ends_with(suffix) {
                return Self::new(status, suffix);
            }
        }
        Self::new(500, text)
    }
}

pub const PERMISSION_DENIED: &str = "Permission denied";
pub const TOKEN_NOT_FOUND: &str = "ACL token not found";
const JOB_REGISTRATION_DISABLED: &str =
    "Job registration, dispatch, and scale are disabled by the scheduler configuration";

pub type Answer = Result<Reply, NomadError>;

/// hashicorp/go-multierror's default format: `1 error occurred:\n\t* msg\n\n`.
pub fn multierror(errors: &[String]) -> String {
    let points: Vec<String> = errors.iter().map(|e| format!("* {e}")).collect();
    let head = if errors.len() == 1 {
        "1 error occurred:".to_string()
    } else {
        format!("{} errors occurred:", errors.len())
    };
    format!("{head}\n\t{}\n\n", points.join("\n\t"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_rpc_errors_are_recognised_by_their_suffix() {
        let e = NomadError::from_rpc_text(
            "ACL token not found or invalid workload identity: Permission denied",
        );
        assert_eq!(e, NomadError::new(403, "Permission denied"));
        let e = NomadError::from_rpc_text("something broke");
        assert_eq!(e.status, 500);
    }

    #[test]
    fn multierror_matches_go_multierror() {
        assert_eq!(multierror(&["a".into()]), "1 error occurred:\n\t* a\n\n");
        assert_eq!(
            multierror(&["a".into(), "b".into()]),
            "2 errors occurred:\n\t* a\n\t* b\n\n"
        );
    }
}
