//! `VaultError`: every way a call to Vault can fail, each saying what to do about it.
//!
//! Messages name the node and the API path, never a token: request headers and bodies are
//! not kept here, and Vault's own `errors` never echo the caller's token.

use std::fmt;
use std::time::Duration;

/// Why a TLS handshake failed, as far as the operator can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsProblem {
    /// The server's chain does not end in a CA we trust.
    UnknownIssuer,
    /// The certificate is valid but not for the name we connected to.
    NameMismatch,
    /// The certificate has expired or is not valid yet.
    Expired,
    /// The peer did not speak TLS (an `https://` address pointing at a plain HTTP listener).
    NotTls,
    /// Anything else (client certificate rejected, protocol mismatch…).
    Other,
}

/// What else an error answer said, besides its status and `errors`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiAnswer {
    /// Vault's `warnings`, when the error body carried any.
    pub warnings: Vec<String>,
    /// The full URL of the request that got this answer (after redirects), and the raw body of
    /// the answer (lossy UTF-8): what HashiCorp's Go client quotes in its own rendering of the
    /// error (`nomad::go_api_error`). Error bodies never echo a token.
    pub url: String,
    pub body: String,
}

/// An error from the Vault client.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The client configuration is unusable (bad address, unreadable CA file…): nothing was sent.
    #[error("invalid Vault client settings: {0}")]
    Config(String),

    /// Nothing listens at the address.
    #[error(
        "connection refused by {address} (on {path}, {attempts} attempt(s)): is Vault running at {address}? \
         Check --address/VAULT_ADDR"
    )]
    ConnectionRefused {
        address: String,
        path: String,
        attempts: u32,
    },

    /// The connection could not be set up for another reason (DNS, unreachable network…).
    #[error("cannot connect to {address} (on {path}, {attempts} attempt(s)): {detail}; is Vault running at {address}? Check --address/VAULT_ADDR")]
    Connect {
        address: String,
        path: String,
        detail: String,
        attempts: u32,
    },

    /// The TLS handshake failed.
    #[error("TLS handshake with {address} failed ({detail}): {}", tls_remedy(*.problem))]
    Tls {
        address: String,
        problem: TlsProblem,
        detail: String,
    },

    /// No complete answer within the configured timeout. Not retried: the request may be
    /// in progress on the server, and retrying would multiply the wait.
    #[error(
        "no answer from {address} on {path} within {}: raise the limit with --timeout/VAULT_CLIENT_TIMEOUT, or check that Vault is reachable",
        humantime::format_duration(*.timeout)
    )]
    Timeout {
        address: String,
        path: String,
        timeout: Duration,
        /// The part of the answer that arrived in time (a server trickling it, or stalling).
        partial: PartialAnswer,
    },

    /// The connection broke after the request was sent (dropped, reset, truncated answer).
    #[error("{}", interrupted_message(address, method, path, detail, *.attempts, *.may_have_been_applied))]
    Interrupted {
        address: String,
        method: String,
        path: String,
        detail: String,
        attempts: u32,
        /// True when the request may have taken effect and was deliberately not repeated.
        may_have_been_applied: bool,
        /// The part of the answer that arrived before the break (often nothing).
        partial: PartialAnswer,
    },

    /// Vault answered with an error status.
    #[error("{}", api_message(address, method, path, *.status, errors, *.attempts, None))]
    Api {
        address: String,
        method: String,
        path: String,
        status: u16,
        /// Vault's `errors` list (may be empty, e.g. a 404 for a missing item).
        errors: Vec<String>,
        attempts: u32,
        /// The rest of the answer (boxed, so the error stays small to pass around).
        answer: Box<ApiAnswer>,
    },

    /// Vault answered 503 "Vault is sealed", and `sys/seal-status` told whether the node is
    /// sealed or not even initialised (Vault answers both alike; the next step differs).
    #[error("{}", api_message(address, method, path, 503, errors, *.attempts, Some(*.state)))]
    Sealed {
        address: String,
        method: String,
        path: String,
        /// Vault's `errors` list ("Vault is sealed").
        errors: Vec<String>,
        attempts: u32,
        state: SealState,
    },

    /// More than the allowed number of 307 redirects (standby → active node).
    #[error(
        "too many redirects for {path} starting at {address} (last Location: {last_location}): \
             the standby nodes disagree about the active node; check `nvctl status` on each node"
    )]
    TooManyRedirects {
        address: String,
        path: String,
        last_location: String,
    },

    /// A redirect nvctl will not follow: it would send the request (and the token) over
    /// another scheme, or to a host the operator did not name.
    #[error(
        "{address} redirected {path} to {location}, which nvctl does not follow: {reason}. Point \
         --address/VAULT_ADDR at the node the request should go to (for a standby, the active \
         node; nvctl follows redirects between the addresses you name)"
    )]
    RedirectRefused {
        address: String,
        path: String,
        /// The Location, without credentials.
        location: String,
        reason: String,
    },

    /// Vault answered success but the body is not what the API documents.
    #[error("unexpected answer from {address}/v1/{path}: {detail}")]
    Decode {
        address: String,
        path: String,
        detail: String,
    },
}

fn tls_remedy(problem: TlsProblem) -> &'static str {
    match problem {
        TlsProblem::UnknownIssuer => {
            "the server certificate is signed by an unknown authority: pass the CA with \
             --ca-cert/VAULT_CACERT (or a directory with --ca-path/VAULT_CAPATH)"
        }
        TlsProblem::NameMismatch => {
            "the certificate is not valid for this host name: connect by a name the certificate \
             lists, or set --tls-server-name/VAULT_TLS_SERVER_NAME"
        }
        TlsProblem::Expired => "the server certificate has expired or is not yet valid: renew it",
        TlsProblem::NotTls => {
            "the server does not speak TLS on this port: use an http:// address if the listener \
             has tls_disable"
        }
        TlsProblem::Other => {
            "check --ca-cert/VAULT_CACERT, --client-cert/--client-key and the listener's TLS settings"
        }
    }
}

fn interrupted_message(
    address: &str,
    method: &str,
    path: &str,
    detail: &str,
    attempts: u32,
    may_have_been_applied: bool,
) -> String {
    if may_have_been_applied {
        format!(
            "the connection to {address} broke after {method} {path} was sent ({detail}); \
             it was not repeated because Vault may already have applied it: check the state \
             before trying again"
        )
    } else {
        format!(
            "the connection to {address} broke during {method} {path} ({detail}) after \
             {attempts} attempt(s): check the network or a proxy between nvctl and Vault"
        )
    }
}

/// The bytes of an answer that arrived before the connection broke: zeroized on drop and
/// never shown (`Debug` gives the length), since they may be part of a secret.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PartialAnswer(pub zeroize::Zeroizing<Vec<u8>>);

impl fmt::Debug for PartialAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PartialAnswer({} bytes)", self.0.len())
    }
}

/// What `sys/seal-status` said after a 503 "Vault is sealed".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealState {
    NotInitialized,
    Sealed { progress: u32, threshold: u32 },
}

fn api_message(
    address: &str,
    method: &str,
    path: &str,
    status: u16,
    errors: &[String],
    attempts: u32,
    seal: Option<SealState>,
) -> String {
    let said = if errors.is_empty() {
        String::from("no error message")
    } else {
        errors
            .iter()
            .map(|e| clean_multierror(e))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let tries = if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    };
    let head = format!("Vault at {address} answered {status} to {method} {path}{tries}: {said}");
    match remedy_for(status, errors, path, seal) {
        Some(remedy) => format!("{head}; {remedy}"),
        None => head,
    }
}

/// Vault wraps some errors as Go multierrors (`1 error occurred:\n\t* permission denied\n\n`):
/// keep the messages only, on one line.
fn clean_multierror(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.ends_with("error occurred:") && !l.ends_with("errors occurred:")
        })
        .map(|l| l.trim_start_matches("* "))
        .collect();
    if lines.is_empty() {
        message.trim().to_owned()
    } else {
        lines.join(", ")
    }
}

fn contains(errors: &[String], needle: &str) -> bool {
    errors
        .iter()
        .any(|e| e.to_ascii_lowercase().contains(needle))
}

fn remedy_for(
    status: u16,
    errors: &[String],
    path: &str,
    seal: Option<SealState>,
) -> Option<String> {
    match status {
        503 if contains(errors, "sealed") && seal == Some(SealState::NotInitialized) => Some(
            "Vault is not initialised (not merely sealed): run `nvctl init` (or `nvctl \
             bootstrap`), then `nvctl unseal`"
                .into(),
        ),
        503 if contains(errors, "sealed") && seal.is_some() => {
            let (progress, threshold) = match seal {
                Some(SealState::Sealed {
                    progress,
                    threshold,
                }) => (progress, threshold),
                _ => (0, 0),
            };
            Some(format!(
                "Vault is initialised but sealed ({progress} of {threshold} unseal keys given): \
                 run `nvctl unseal`"
            ))
        }
        403 => Some(format!(
            "permission denied on {path}: the token is missing, invalid or expired, or its \
             policies do not grant this operation on {path} (inspect it with `nvctl token lookup`)"
        )),
        503 if contains(errors, "sealed") => Some(
            "Vault is sealed (or not initialised): run `nvctl unseal` (or `nvctl init`)".into(),
        ),
        503 | 500 if contains(errors, "no active") || contains(errors, "not active") => Some(
            "no active node answers: unseal the cluster's nodes or wait for a leader, then retry"
                .into(),
        ),
        429 => Some(format!(
            "Vault rate-limited {path}: wait and retry, or raise the rate limit quota"
        )),
        412 => Some(
            "the listener requires the X-Vault-Request header or a different client: check any \
             Vault Agent/Proxy in between"
                .into(),
        ),
        s if s >= 500 => Some("Vault failed internally: check the server log".into()),
        _ => None,
    }
}

impl VaultError {
    /// The HTTP status Vault answered with, for API errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            VaultError::Api { status, .. } => Some(*status),
            VaultError::Sealed { .. } => Some(503),
            _ => None,
        }
    }

    /// Vault's `errors` list (empty for non-API errors).
    pub fn errors(&self) -> &[String] {
        match self {
            VaultError::Api { errors, .. } | VaultError::Sealed { errors, .. } => errors,
            _ => &[],
        }
    }

    /// Vault's own words, for a finding that quotes them: its `errors` verbatim (joined by
    /// `; `), or the whole message when Vault gave none (nothing answered, a broken answer).
    pub fn words(&self) -> String {
        if self.errors().is_empty() {
            self.to_string()
        } else {
            self.errors().join("; ")
        }
    }

    /// Vault's `warnings` carried by an error answer.
    pub fn warnings(&self) -> &[String] {
        match self {
            VaultError::Api { answer, .. } => &answer.warnings,
            _ => &[],
        }
    }

    /// The API path (without `/v1/`) the error is about, when a request was made.
    pub fn path(&self) -> Option<&str> {
        match self {
            VaultError::Config(_) | VaultError::Tls { .. } => None,
            VaultError::ConnectionRefused { path, .. }
            | VaultError::Connect { path, .. }
            | VaultError::Timeout { path, .. }
            | VaultError::Interrupted { path, .. }
            | VaultError::Api { path, .. }
            | VaultError::Sealed { path, .. }
            | VaultError::TooManyRedirects { path, .. }
            | VaultError::RedirectRefused { path, .. }
            | VaultError::Decode { path, .. } => Some(path),
        }
    }

    /// How many times the request was sent (1 when it was not retried).
    pub fn attempts(&self) -> u32 {
        match self {
            VaultError::ConnectionRefused { attempts, .. }
            | VaultError::Connect { attempts, .. }
            | VaultError::Interrupted { attempts, .. }
            | VaultError::Api { attempts, .. }
            | VaultError::Sealed { attempts, .. } => *attempts,
            _ => 1,
        }
    }

    /// 403: the token is invalid or its policies deny the path.
    pub fn is_permission_denied(&self) -> bool {
        self.status() == Some(403)
    }

    /// The bytes of the answer that arrived before the connection broke or the time ran out,
    /// when any did.
    pub fn partial_answer(&self) -> Option<&[u8]> {
        match self {
            VaultError::Interrupted { partial, .. } | VaultError::Timeout { partial, .. }
                if !partial.0.is_empty() =>
            {
                Some(&partial.0)
            }
            _ => None,
        }
    }

    /// 503 "Vault is sealed".
    pub fn is_sealed(&self) -> bool {
        self.status() == Some(503) && contains(self.errors(), "sealed")
    }

    /// 404 (a missing item, an unknown route or an unknown path inside a mount).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// 400: Vault rejected the input; `errors()` says why.
    pub fn is_bad_request(&self) -> bool {
        self.status() == Some(400)
    }

    /// 429 (rate limit) after all retries.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    /// 400 "path is already in use" from enabling a mount or auth method.
    pub fn is_already_in_use(&self) -> bool {
        self.is_bad_request() && contains(self.errors(), "already in use")
    }

    /// 400 "Vault is already initialized" from `sys/init`.
    pub fn is_already_initialized(&self) -> bool {
        self.is_bad_request() && contains(self.errors(), "already initialized")
    }

    /// Nothing listens at the address.
    pub fn is_connection_refused(&self) -> bool {
        matches!(self, VaultError::ConnectionRefused { .. })
    }

    /// The node could not be reached at all (refused, DNS, TLS, timeout): useful for
    /// "unreachable" in `nvctl status`.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            VaultError::ConnectionRefused { .. }
                | VaultError::Connect { .. }
                | VaultError::Tls { .. }
                | VaultError::Timeout { .. }
        )
    }

    /// The request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, VaultError::Timeout { .. })
    }

    /// The request may have been applied by Vault although no answer arrived (it was
    /// deliberately not repeated): the caller must look at the state before trying again.
    pub fn may_have_been_applied(&self) -> bool {
        matches!(
            self,
            VaultError::Interrupted {
                may_have_been_applied: true,
                ..
            }
        )
    }

    /// What the operator should do, on its own (the `Display` text already ends with it).
    pub fn remedy(&self) -> Option<String> {
        match self {
            VaultError::Config(_) => {
                Some("fix the flag or VAULT_* variable named above".to_owned())
            }
            VaultError::ConnectionRefused { address, .. } | VaultError::Connect { address, .. } => {
                Some(format!(
                    "is Vault running at {address}? Check --address/VAULT_ADDR"
                ))
            }
            VaultError::Tls { problem, .. } => Some(tls_remedy(*problem).to_owned()),
            VaultError::Timeout { timeout, .. } => Some(format!(
                "raise the limit ({}) with --timeout/VAULT_CLIENT_TIMEOUT, or check that Vault is reachable",
                humantime::format_duration(*timeout)
            )),
            VaultError::Interrupted {
                may_have_been_applied: true,
                ..
            } => Some("check the state before trying again: Vault may have applied the request".into()),
            VaultError::Interrupted { .. } => {
                Some("check the network or a proxy between nvctl and Vault".into())
            }
            VaultError::Api {
                status,
                errors,
                path,
                ..
            } => remedy_for(*status, errors, path, None),
            VaultError::Sealed {
                errors,
                path,
                state,
                ..
            } => remedy_for(503, errors, path, Some(*state)),
            VaultError::TooManyRedirects { .. } => {
                Some("check `nvctl status` on each node: the standbys disagree about the active node".into())
            }
            VaultError::RedirectRefused { .. } => {
                Some("name the node to talk to with --address/VAULT_ADDR".into())
            }
            VaultError::Decode { .. } => {
                Some("is the address a Vault (or OpenBao) server, not a proxy or another service?".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, errors: &[&str], path: &str) -> VaultError {
        VaultError::Api {
            address: "https://vault.example:8200".into(),
            method: "GET".into(),
            path: path.into(),
            status,
            errors: errors.iter().map(|e| e.to_string()).collect(),
            attempts: 1,
            answer: Box::new(ApiAnswer {
                url: format!("https://vault.example:8200/v1/{path}"),
                ..ApiAnswer::default()
            }),
        }
    }

    #[test]
    fn multierror_permission_denied_is_one_line_naming_the_path() {
        let err = api(
            403,
            &["1 error occurred:\n\t* permission denied\n\n"],
            "auth/token/roles/nomad-cluster",
        );
        let shown = err.to_string();
        assert!(!shown.contains('\n'), "{shown}");
        assert!(
            shown.contains("permission denied on auth/token/roles/nomad-cluster"),
            "{shown}"
        );
        assert!(err.is_permission_denied());
    }

    #[test]
    fn sealed_answer_points_at_nvctl_unseal() {
        let err = api(503, &["Vault is sealed"], "sys/policies/acl");
        assert!(err.is_sealed());
        assert!(err.to_string().contains("nvctl unseal"), "{err}");
    }

    #[test]
    fn unknown_issuer_points_at_ca_cert() {
        let err = VaultError::Tls {
            address: "https://10.0.0.1:8200".into(),
            problem: TlsProblem::UnknownIssuer,
            detail: "invalid peer certificate: UnknownIssuer".into(),
        };
        let shown = err.to_string();
        assert!(
            shown.contains("--ca-cert") && shown.contains("VAULT_CACERT"),
            "{shown}"
        );
    }
}
