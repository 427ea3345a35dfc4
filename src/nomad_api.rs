//! nvctl's own small Nomad HTTP client: the few calls nvctl makes on Nomad's side (the ACL
//! bootstrap, `agent/self`, `acl/token/self`, a policy by name, the registered jobs). Same
//! bounds as the Vault client: a timeout covering the whole answer, a
//! size limit, TLS from the operator's files (`ca_cert_file`, `client_cert_file`,
//! `client_key_file`), the token in `X-Nomad-Token` only, never in a message.
//!
//! Nomad's error bodies are plain text (vault-api-engines.md §6): [`NomadError::Api`] keeps
//! them verbatim so findings can quote Nomad byte for byte. Nothing here knows Vault.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde::Deserialize;
use serde_json::Value;
use url::Url;
use zeroize::Zeroizing;

use crate::http::{Client, Failure, HeaderValue, Method, ReadStop, TlsMaterial};
use crate::secret::SecretString;
use crate::vault::{ExchangeOutcome, PartialAnswer, RequestEvent, RequestObserver};

/// The largest answer read (a job list of a big cluster stays far below it).
pub const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;

/// TLS material for Nomad, as `nomad_secrets { ca_cert_file, client_cert_file, client_key_file }`
/// names it (the same files Vault is given in `nomad/config/access`), or check-job's flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NomadTls {
    pub ca_cert: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    /// How the operator gave them, for messages.
    pub names: TlsNames,
}

/// The operator's names for the three TLS settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlsNames {
    pub ca_cert: &'static str,
    pub client_cert: &'static str,
    pub client_key: &'static str,
}

impl TlsNames {
    /// check-job's flags, with the Nomad CLI's environment variables.
    pub const FLAGS: TlsNames = TlsNames {
        ca_cert: "--nomad-ca-cert/NOMAD_CACERT",
        client_cert: "--nomad-client-cert/NOMAD_CLIENT_CERT",
        client_key: "--nomad-client-key/NOMAD_CLIENT_KEY",
    };
}

impl Default for TlsNames {
    /// The `nomad_secrets` block's keys.
    fn default() -> Self {
        TlsNames {
            ca_cert: "ca_cert_file",
            client_cert: "client_cert_file",
            client_key: "client_key_file",
        }
    }
}

/// Everything the client needs, resolved by the caller.
#[derive(Clone)]
pub struct NomadClientConfig {
    /// `https://nomad.example.com:4646` (a trailing `/` is ignored).
    pub address: String,
    pub token: Option<SecretString>,
    pub tls: NomadTls,
    /// Connect + send + the whole answer.
    pub timeout: Duration,
    /// Told about every exchange (`-v`), as the Vault client's.
    pub observer: Option<Arc<dyn RequestObserver>>,
}

/// How a call to Nomad failed.
#[derive(Debug, thiserror::Error)]
pub enum NomadError {
    /// The settings are unusable (bad address, unreadable CA file): nothing was sent.
    #[error("invalid Nomad client settings: {0}")]
    Config(String),
    /// Nothing was sent: the connection could not be opened.
    #[error(
        "cannot connect to Nomad at {address} ({detail}): is Nomad running there, at that address?"
    )]
    Unreachable { address: String, detail: String },
    #[error("TLS handshake with Nomad at {address} failed ({detail}): check {settings}")]
    Tls {
        address: String,
        detail: String,
        /// The settings that decide it, as the operator named them.
        settings: String,
    },
    #[error("no answer from Nomad at {address} on {path} within {}", humantime::format_duration(*.timeout))]
    Timeout {
        address: String,
        path: String,
        timeout: Duration,
        /// The part of the answer that arrived in time (a server trickling it, or stalling).
        partial: PartialAnswer,
    },
    /// The connection broke after the request was sent: Nomad may have acted on it.
    #[error("the connection to Nomad at {address} broke during {method} {path} ({detail}): Nomad may have acted on it")]
    Interrupted {
        address: String,
        method: String,
        path: String,
        detail: String,
        /// The part of the answer that arrived before the break (often nothing).
        partial: PartialAnswer,
    },
    /// Nomad answered an error status; `message` is its plain-text body, verbatim.
    #[error("Nomad at {address} answered {method} {path} with {status}: {message}")]
    Api {
        address: String,
        method: String,
        path: String,
        status: u16,
        message: String,
    },
    /// An answer nvctl cannot use (not JSON, too large).
    #[error("Nomad at {address} answered {path} in a form nvctl cannot read: {detail}")]
    Decode {
        address: String,
        path: String,
        detail: String,
    },
}

impl NomadError {
    pub fn status(&self) -> Option<u16> {
        match self {
            NomadError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Nomad's own words, when it answered.
    pub fn nomad_message(&self) -> Option<&str> {
        match self {
            NomadError::Api { message, .. } => Some(message),
            _ => None,
        }
    }

    /// The bytes of the answer that arrived before the connection broke or the time ran out,
    /// when any did: half an answer may be half a secret (see `crate::secret_once`).
    pub fn partial_answer(&self) -> Option<&[u8]> {
        match self {
            NomadError::Timeout { partial, .. } | NomadError::Interrupted { partial, .. }
                if !partial.0.is_empty() =>
            {
                Some(&partial.0)
            }
            _ => None,
        }
    }

    /// Whether Nomad may have acted on the request although no usable answer came back.
    pub fn may_have_acted(&self) -> bool {
        match self {
            NomadError::Timeout { .. }
            | NomadError::Interrupted { .. }
            | NomadError::Decode { .. } => true,
            NomadError::Api { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// One answer: status, body, and Nomad's clock.
pub struct NomadAnswer {
    pub status: u16,
    pub body: Zeroizing<Vec<u8>>,
    /// The `Date` header (Nomad's clock, for the clock-skew check).
    pub date: Option<SystemTime>,
}

/// `GET /v1/agent/self`, the parts nvctl reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSelf {
    pub acl_enabled: bool,
    /// `config.Version.Version`, e.g. `1.9.7`.
    pub version: String,
    pub date: Option<SystemTime>,
}

/// A Nomad ACL token as `acl/token/self` and `acl/token/:accessor` answer it. `Debug` never
/// shows the secret (it is not even kept).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct AclToken {
    #[serde(rename = "AccessorID")]
    pub accessor_id: String,
    #[serde(rename = "Name")]
    pub name: String,
    /// `client`, `management`.
    #[serde(rename = "Type")]
    pub token_type: String,
    #[serde(rename = "Policies", deserialize_with = "null_list")]
    pub policies: Vec<String>,
    #[serde(rename = "Global")]
    pub global: bool,
}

fn null_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

/// The bootstrap token from `PUT /v1/acl/bootstrap`. `Debug` hides the secret.
#[derive(Clone, Deserialize)]
pub struct BootstrapToken {
    #[serde(rename = "AccessorID")]
    pub accessor_id: String,
    #[serde(rename = "SecretID")]
    pub secret_id: SecretString,
    #[serde(rename = "Type", default)]
    pub token_type: String,
}

impl std::fmt::Debug for BootstrapToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BootstrapToken")
            .field("accessor_id", &self.accessor_id)
            .field("secret_id", &self.secret_id)
            .finish()
    }
}

impl BootstrapToken {
    /// Judges an answer to `PUT /v1/acl/bootstrap`: a management token with a secret.
    pub fn judge(answer: &[u8]) -> Result<BootstrapToken, String> {
        let token: BootstrapToken = serde_json::from_slice(answer)
            .map_err(|e| format!("not Nomad's ACL token JSON ({e})"))?;
        if token.secret_id.is_empty() || token.accessor_id.is_empty() {
            return Err("the answer has no SecretID or AccessorID".into());
        }
        Ok(token)
    }
}

/// A registered job as `GET /v1/jobs` lists it (api/jobs.go `JobListStub`).
#[derive(Debug, Clone, Deserialize)]
pub struct JobStub {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Namespace", default)]
    pub namespace: String,
}

/// A client for one Nomad agent. Clones share the connection pool.
#[derive(Clone)]
pub struct NomadClient {
    http: Client,
    base: Url,
    address: String,
    token: Option<SecretString>,
    timeout: Duration,
    /// What decides a TLS handshake, as the operator named it (for the TLS error).
    tls_settings: String,
    observer: Option<Arc<dyn RequestObserver>>,
}

impl std::fmt::Debug for NomadClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NomadClient")
            .field("address", &self.address)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

impl NomadClient {
    /// Parses the address and loads the TLS files; nothing is sent.
    pub fn new(config: NomadClientConfig) -> Result<NomadClient, NomadError> {
        let given = config.address.trim().trim_end_matches('/').to_string();
        // Shown everywhere without a `user:password` (which goes as Basic auth).
        let address = crate::vault::redact_userinfo(&given);
        let base = Url::parse(&given)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| {
                NomadError::Config(format!(
                    "invalid Nomad address {address:?}: use http(s)://host:port"
                ))
            })?;
        let mut material = TlsMaterial::default();
        if let Some(ca) = &config.tls.ca_cert {
            let names = config.tls.names;
            let pem = read_tls_file(ca, names.ca_cert)?;
            material.roots = crate::http::pem_certificates(&pem)
                .ok()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    NomadError::Config(format!(
                        "{} {} holds no PEM certificate",
                        names.ca_cert,
                        ca.display()
                    ))
                })?;
        }
        match (&config.tls.client_cert, &config.tls.client_key) {
            (None, None) => {}
            (Some(cert), Some(key)) => {
                let names = config.tls.names;
                let cert_pem = read_tls_file(cert, names.client_cert)?;
                let key_pem = Zeroizing::new(read_tls_file(key, names.client_key)?);
                let identity = crate::http::pem_identity(&cert_pem, &key_pem).map_err(|e| {
                    NomadError::Config(format!(
                        "{} {} and {} {} do not form a PEM identity: {e}",
                        names.client_cert,
                        cert.display(),
                        names.client_key,
                        key.display()
                    ))
                })?;
                material.identity = Some(identity);
            }
            _ => {
                return Err(NomadError::Config(format!(
                    "a client certificate needs both {} and {}",
                    config.tls.names.client_cert, config.tls.names.client_key
                )))
            }
        }
        let http = Client::new(&material, config.timeout, None);
        let names = config.tls.names;
        Ok(NomadClient {
            http,
            base,
            address,
            token: config.token,
            timeout: config.timeout,
            tls_settings: format!(
                "{}, {} and {}",
                names.ca_cert, names.client_cert, names.client_key
            ),
            observer: config.observer,
        })
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    /// Whether a token is sent (none: Nomad's anonymous token).
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sending a token over plain `http://` to a host that is not loopback: what to warn.
    pub fn plaintext_warning(&self) -> Option<String> {
        let host = self.base.host_str()?;
        let loopback = host == "localhost"
            || host
                .trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        (self.base.scheme() == "http" && !loopback && self.token.is_some()).then(|| {
            format!(
                "the Nomad management token is sent to {} over plain http://: anyone on the path can read it; use https://",
                self.address
            )
        })
    }

    /// One request; an error status is [`NomadError::Api`] with Nomad's text. Never retried:
    /// the callers' requests are few, and the bootstrap must never go twice.
    pub fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<NomadAnswer, NomadError> {
        let Some(observer) = &self.observer else {
            return self.send_once(method, path, body);
        };
        let started = Instant::now();
        let result = self.send_once(method.clone(), path, body);
        let outcome = match &result {
            Ok(answer) => ExchangeOutcome::Status(answer.status),
            Err(NomadError::Api { status, .. }) => ExchangeOutcome::Status(*status),
            Err(NomadError::Unreachable { .. }) => ExchangeOutcome::Failed("cannot connect"),
            Err(NomadError::Tls { .. }) => ExchangeOutcome::Failed("TLS handshake failed"),
            Err(NomadError::Timeout { .. }) => ExchangeOutcome::Failed("timed out"),
            Err(NomadError::Interrupted { .. }) => ExchangeOutcome::Failed("connection broken"),
            Err(NomadError::Decode { .. }) => ExchangeOutcome::Failed("unreadable answer"),
            // Nothing was sent.
            Err(NomadError::Config(_)) => return result,
        };
        observer.exchange(&RequestEvent {
            method: method.as_str(),
            path,
            outcome,
            attempt: 1,
            node: &self.address,
            elapsed: started.elapsed(),
        });
        result
    }

    fn send_once(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<NomadAnswer, NomadError> {
        let url = Url::parse(&format!(
            "{}{}",
            self.base.as_str().trim_end_matches('/'),
            path
        ))
        .map_err(|e| NomadError::Config(format!("cannot build a URL for {path}: {e}")))?;
        let mut headers: Vec<(&str, Zeroizing<String>)> = Vec::new();
        if let Some(token) = &self.token {
            if HeaderValue::from_str(token.expose()).is_err() {
                return Err(NomadError::Config(
                    "the Nomad token holds characters that cannot be sent in an HTTP header \
                     (check the token file for stray bytes)"
                        .into(),
                ));
            }
            headers.push(("X-Nomad-Token", Zeroizing::new(token.expose().to_string())));
        }
        if body.is_some() {
            headers.push(("Content-Type", Zeroizing::new("application/json".into())));
        }
        let header_refs: Vec<(&str, &str)> =
            headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let started = Instant::now();
        let mut response = self
            .http
            .send(method.clone(), &url, &header_refs, body)
            .map_err(|e| self.transport(e, &method, path))?;
        let status = response.status;
        let date = response
            .header("date")
            .and_then(|v| httpdate::parse_http_date(v).ok());
        let body = self.read_answer(&mut response.body(), started, &method, path)?;
        if status >= 400 {
            return Err(NomadError::Api {
                address: self.address.clone(),
                method: method.to_string(),
                path: path.to_string(),
                status,
                message: String::from_utf8_lossy(&body).trim_end().to_string(),
            });
        }
        Ok(NomadAnswer { status, body, date })
    }

    fn read_answer(
        &self,
        response: &mut impl Read,
        started: Instant,
        method: &Method,
        path: &str,
    ) -> Result<Zeroizing<Vec<u8>>, NomadError> {
        crate::http::read_body(response, started, self.timeout, MAX_ANSWER_BYTES).map_err(|stop| {
            match stop {
                ReadStop::TooLarge => NomadError::Decode {
                    address: self.address.clone(),
                    path: path.to_string(),
                    detail: format!(
                        "the answer is larger than {} MiB, the most nvctl reads",
                        MAX_ANSWER_BYTES / (1024 * 1024)
                    ),
                },
                ReadStop::Timeout(partial) => self.timed_out(path, partial),
                ReadStop::Broken(detail, partial) => NomadError::Interrupted {
                    address: self.address.clone(),
                    method: method.to_string(),
                    path: path.to_string(),
                    detail,
                    partial: PartialAnswer(partial),
                },
            }
        })
    }

    fn timed_out(&self, path: &str, arrived: Zeroizing<Vec<u8>>) -> NomadError {
        NomadError::Timeout {
            address: self.address.clone(),
            path: path.to_string(),
            timeout: self.timeout,
            partial: PartialAnswer(arrived),
        }
    }

    fn transport(&self, failure: Failure, method: &Method, path: &str) -> NomadError {
        match failure {
            Failure::Invalid(detail) => NomadError::Config(detail),
            Failure::Timeout => self.timed_out(path, Zeroizing::default()),
            Failure::Tls(detail) => NomadError::Tls {
                address: self.address.clone(),
                detail,
                settings: self.tls_settings.clone(),
            },
            Failure::Refused(detail) | Failure::Connect(detail) => NomadError::Unreachable {
                address: self.address.clone(),
                detail,
            },
            Failure::AfterSend(detail) => NomadError::Interrupted {
                address: self.address.clone(),
                method: method.to_string(),
                path: path.to_string(),
                detail,
                partial: PartialAnswer::default(),
            },
        }
    }

    fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<(T, Option<SystemTime>), NomadError> {
        let answer = self.send(Method::GET, path, None)?;
        let value = serde_json::from_slice(&answer.body).map_err(|e| NomadError::Decode {
            address: self.address.clone(),
            path: path.to_string(),
            detail: e.to_string(),
        })?;
        Ok((value, answer.date))
    }

    /// `GET /v1/agent/self`: ACLs on or off, the version, and Nomad's clock.
    pub fn agent_self(&self) -> Result<AgentSelf, NomadError> {
        let (doc, date): (Value, _) = self.get_json("/v1/agent/self")?;
        let config = &doc["config"];
        Ok(AgentSelf {
            acl_enabled: config["ACL"]["Enabled"].as_bool().unwrap_or(false),
            version: config["Version"]["Version"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            date,
        })
    }

    /// `GET /v1/acl/token/self`: the token this client sends.
    pub fn token_self(&self) -> Result<AclToken, NomadError> {
        self.get_json("/v1/acl/token/self").map(|(t, _)| t)
    }

    /// `GET /v1/acl/policy/:name`: whether it exists (404 `ACL policy not found` when not).
    pub fn policy_exists(&self, name: &str) -> Result<bool, NomadError> {
        match self.send(
            Method::GET,
            &format!("/v1/acl/policy/{}", segment(name)),
            None,
        ) {
            Ok(_) => Ok(true),
            Err(e) if e.status() == Some(404) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// `GET /v1/jobs?namespace=NS`: the registered jobs of `namespace` (`*`: of every
    /// namespace the token may list).
    pub fn jobs(&self, namespace: &str) -> Result<Vec<JobStub>, NomadError> {
        self.get_json(&format!(
            "/v1/jobs?namespace={}",
            namespace_query(namespace)
        ))
        .map(|(jobs, _)| jobs)
    }

    /// `GET /v1/job/:id?namespace=NS`: the job in Nomad's JSON job format (structs.Job).
    pub fn job(&self, namespace: &str, id: &str) -> Result<Value, NomadError> {
        self.get_json(&format!(
            "/v1/job/{}?namespace={}",
            segment(id),
            namespace_query(namespace)
        ))
        .map(|(job, _)| job)
    }

    /// `PUT /v1/acl/bootstrap`, no body: the raw answer (it holds the management token,
    /// which exists nowhere else — see `crate::secret_once`).
    pub fn bootstrap_answer(&self) -> Result<Zeroizing<Vec<u8>>, NomadError> {
        self.send(Method::PUT, "/v1/acl/bootstrap", None)
            .map(|a| a.body)
    }
}

/// `NOMAD_TOKEN` from nvctl's environment, as the Nomad CLI reads it (trimmed; empty is none).
pub fn env_token() -> Option<SecretString> {
    std::env::var("NOMAD_TOKEN")
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(SecretString::new)
}

fn read_tls_file(path: &std::path::Path, key: &str) -> Result<Vec<u8>, NomadError> {
    crate::local_file::read_bytes(path, crate::local_file::MAX_INPUT_BYTES)
        .map_err(|e| NomadError::Config(format!("cannot read {key} {}: {e}", path.display())))
}

/// A path segment, percent-encoded.
fn segment(raw: &str) -> String {
    let mut out = String::new();
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A namespace as a query value: `*` (every namespace) is sent as written.
fn namespace_query(namespace: &str) -> String {
    if namespace == "*" {
        "*".into()
    } else {
        segment(namespace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bootstrap_answer_is_judged_and_its_secret_never_shown() {
        let token = BootstrapToken::judge(
            br#"{"AccessorID":"a1","SecretID":"s3cr3t","Type":"management","Policies":null}"#,
        )
        .unwrap();
        assert_eq!(token.accessor_id, "a1");
        assert!(!format!("{token:?}").contains("s3cr3t"));
        assert!(BootstrapToken::judge(b"{\"AccessorID\":\"a\"}").is_err());
        assert!(BootstrapToken::judge(b"ACL bootstrap already done").is_err());
    }

    #[test]
    fn segments_are_encoded_and_addresses_checked() {
        assert_eq!(segment("a b/c"), "a%20b%2Fc");
        let bad = NomadClient::new(NomadClientConfig {
            address: "nomad:4646".into(),
            token: None,
            tls: NomadTls::default(),
            timeout: Duration::from_secs(1),
            observer: None,
        });
        assert!(matches!(bad, Err(NomadError::Config(_))));
    }

    #[test]
    fn a_token_over_plain_http_to_a_remote_host_is_warned_about() {
        let client = |addr: &str| {
            NomadClient::new(NomadClientConfig {
                address: addr.into(),
                token: Some(SecretString::new("t")),
                tls: NomadTls::default(),
                timeout: Duration::from_secs(1),
                observer: None,
            })
            .unwrap()
        };
        assert!(client("http://nomad.example:4646")
            .plaintext_warning()
            .is_some());
        assert!(client("http://127.0.0.1:4646")
            .plaintext_warning()
            .is_none());
        assert!(client("https://nomad.example:4646")
            .plaintext_warning()
            .is_none());
    }
}
