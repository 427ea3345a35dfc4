//! The one request path every Vault call goes through: headers, timeouts, retries with
//! backoff, 307 redirects from standbys, and the mapping of failures to [`VaultError`].

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use url::Url;
use zeroize::Zeroizing;

use crate::http::{Client, Failure, HeaderValue, Method, ReadStop, TlsMaterial};

use super::error::{ApiAnswer, PartialAnswer, TlsProblem, VaultError};
use super::observer::{ExchangeOutcome, RequestEvent, RequestObserver};
use super::wire::{self, Reply};
use super::{ClientConfig, TlsConfig, MAX_REDIRECTS};
use crate::secret::SecretString;

/// Longest wait honoured from a `Retry-After` header: a server asking for more is treated as
/// asking for this much, so that a misconfigured quota cannot hang the CLI for minutes.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
/// The largest answer read: a bigger one is refused rather than held in memory (no Vault API
/// nvctl calls answers anywhere near this).
pub const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;
/// First backoff step; doubles with each retry, up to [`MAX_BACKOFF`], with jitter.
const BASE_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Endpoints that must not carry `X-Vault-Namespace` (vault-api.md §0: OpenBao answers 400,
/// Vault may answer 404).
const NO_NAMESPACE_PATHS: [&str; 5] = [
    "sys/init",
    "sys/seal",
    "sys/unseal",
    "sys/health",
    "sys/step-down",
];

/// Whether a request may be sent again after a failure, decided per call by what a second
/// copy would do on the server.
///
/// Every variant is retried when nothing can have been applied: the connection could not be
/// opened, or Vault answered 429 — its rate limiter rejects a request before any handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// Repeating has the same effect as sending once (reads, PUTs that replace a policy or a
    /// role with the same body, deletes, revoke-accessor, seal). Also retried after a broken
    /// connection and after a 5xx.
    Safe,
    /// A duplicate is harmless but not free, and Vault's answer is final: also retried after
    /// a broken connection (no answer), never after a 5xx. Unseal: a repeated share is
    /// ignored, but a 500 means the combined key was wrong and progress was reset, and
    /// resending the share would silently start a new attempt. KV v2 writes: each copy that
    /// arrives adds a version, so only one whose answer was lost is sent again.
    UntilAnswered,
    /// Must not run twice: retried only when nothing was applied (see above). `sys/init` (a
    /// second copy answers "already initialized" and the keys of the first are lost) and
    /// token creation (a second copy mints a second, leaked token).
    NeverAfterSend,
}

/// One request, as the typed calls describe it.
pub(crate) struct Request {
    pub method: Method,
    /// The API path without `/v1/`, segments already encoded.
    pub path: String,
    pub query: Vec<(String, String)>,
    /// JSON body; zeroized after the call because it may hold a token or a share.
    pub body: Option<Zeroizing<Vec<u8>>>,
    pub replay: Replay,
    /// Send `X-Vault-Token`. Off for the unauthenticated `sys/*` endpoints so the token does
    /// not travel where it is not needed.
    pub authenticated: bool,
    /// Every status is an answer (sys/health encodes state in the status code): no retries
    /// on status, no mapping to errors.
    pub status_is_data: bool,
    /// `X-Vault-Wrap-TTL` in seconds: Vault answers with a single-use wrapping token in
    /// `wrap_info` instead of the answer itself (vault-api.md §9).
    pub wrap_ttl: Option<u64>,
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>, replay: Replay) -> Self {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            replay,
            authenticated: true,
            status_is_data: false,
            wrap_ttl: None,
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Request::new(Method::GET, path, Replay::Safe)
    }

    /// `LIST` sent as `GET ?list=true`, as the Go client does (some proxies refuse `LIST`).
    pub fn list(path: impl Into<String>) -> Self {
        Request::get(path).query("list", "true")
    }

    pub fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_owned(), value.into()));
        self
    }

    pub fn json<T: serde::Serialize>(mut self, body: &T) -> Result<Self, VaultError> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| VaultError::Config(format!("cannot encode request body: {e}")))?;
        self.body = Some(Zeroizing::new(bytes));
        Ok(self)
    }

    pub fn unauthenticated(mut self) -> Self {
        self.authenticated = false;
        self
    }

    pub fn status_is_data(mut self) -> Self {
        self.status_is_data = true;
        self
    }

    /// Asks Vault to wrap the answer for `seconds` (not zero: zero means no wrapping).
    pub fn wrapped(mut self, seconds: u64) -> Self {
        self.wrap_ttl = Some(seconds).filter(|s| *s > 0);
        self
    }
}

/// The parts of the client every clone shares.
struct Shared {
    tls: TlsConfig,
    material: TlsMaterial,
    namespace: Option<String>,
    timeout: Duration,
    max_retries: u32,
    /// The client without DNS overrides, shared by all clones (one connection pool).
    plain: Client,
    /// With `tls.server_name`: one client per `host:port`, resolving the server name to that
    /// host's addresses.
    by_origin: Mutex<HashMap<String, Client>>,
    notices: Mutex<Vec<String>>,
    warned_hosts: Mutex<HashSet<String>>,
    /// The hosts the operator named (every address this client and its clones were given):
    /// the only ones a redirect may lead to.
    named_hosts: Mutex<HashSet<String>>,

    /// Told about every exchange (for `-v`), when the caller asked.
    observer: Option<Arc<dyn RequestObserver>>,
}

/// A Vault client for one node. Clones are cheap and share the connection pool.
#[derive(Clone)]
pub struct VaultClient {
    shared: Arc<Shared>,
    base: Url,
    address: String,
    token: Option<SecretString>,
}

impl std::fmt::Debug for VaultClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultClient")
            .field("address", &self.address)
            .field("token", &self.token)
            .field("namespace", &self.shared.namespace)
            .finish_non_exhaustive()
    }
}

/// How one send failed.
enum SendFailure {
    /// The connection could not be opened: nothing was sent.
    Refused,
    Connect(String),
    Tls(TlsProblem, String),
    /// The answer did not come whole within the timeout; with the bytes that had arrived (as
    /// for `AfterSend`: a trickled answer may be most of a secret).
    Timeout(Zeroizing<Vec<u8>>),
    /// The connection broke after (part of) the request was written; with the bytes of the
    /// answer that had arrived (kept for a secret that exists once, see `secret_once`).
    AfterSend(String, Zeroizing<Vec<u8>>),
    /// Not a transport problem (too many redirects, bad Location…).
    Fatal(Box<VaultError>),
}

struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    date: Option<SystemTime>,
    body: Zeroizing<Vec<u8>>,
    answered_by: String,
    /// The full URL answered (for error messages in the Go client's form).
    url: String,
}

impl VaultClient {
    /// Builds a client: parses the address, loads the CA and client certificates. Nothing is
    /// sent until the first call.
    pub fn new(config: ClientConfig) -> Result<VaultClient, VaultError> {
        VaultClient::observed(config, None)
    }

    /// [`VaultClient::new`], telling `observer` about every exchange this client and its
    /// clones (other nodes, other tokens) have with Vault.
    pub fn observed(
        config: ClientConfig,
        observer: Option<Arc<dyn RequestObserver>>,
    ) -> Result<VaultClient, VaultError> {
        let (base, address) = parse_address(&config.address).map_err(|e| match e {
            VaultError::Config(message) => {
                VaultError::Config(format!("{message} (check --address/VAULT_ADDR)"))
            }
            other => other,
        })?;
        let material = TlsMaterial {
            roots: load_roots(&config.tls)?,
            identity: load_identity(&config.tls)?,
            skip_verify: config.tls.skip_verify,
        };
        if let Some(name) = &config.tls.server_name {
            if name.trim().is_empty() {
                return Err(VaultError::Config(
                    "the TLS server name (--tls-server-name/VAULT_TLS_SERVER_NAME) is empty".into(),
                ));
            }
        }
        let plain = Client::new(&material, config.timeout, None);
        let shared = Shared {
            tls: config.tls,
            material,
            namespace: config.namespace.filter(|ns| !ns.trim().is_empty()),
            timeout: config.timeout,
            max_retries: config.max_retries,
            plain,
            by_origin: Mutex::new(HashMap::new()),
            notices: Mutex::new(Vec::new()),
            warned_hosts: Mutex::new(HashSet::new()),
            named_hosts: Mutex::new(HashSet::new()),
            observer,
        };
        let shared = Arc::new(shared);
        let base = name_address(&shared, base);
        Ok(VaultClient {
            shared,
            base,
            address,
            token: config.token,
        })
    }

    /// The same client for another node (TLS material, pool, token and namespace reused).
    pub fn with_address(&self, address: &str) -> Result<VaultClient, VaultError> {
        let (base, address) = parse_address(address)?;
        let base = name_address(&self.shared, base);
        Ok(VaultClient {
            shared: Arc::clone(&self.shared),
            base,
            address,
            token: self.token.clone(),
        })
    }

    /// The same client sending another token (e.g. the root token right after init).
    pub fn with_token(&self, token: SecretString) -> VaultClient {
        VaultClient {
            token: Some(token),
            ..self.clone()
        }
    }

    /// The node this client talks to, normalised (no trailing `/`).
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The namespace sent with namespaced requests.
    pub fn namespace(&self) -> Option<&str> {
        self.shared.namespace.as_deref()
    }

    /// Whether a token is configured.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        self.shared.timeout
    }

    /// The observer told about this client's exchanges (`-v`), for clients of other servers
    /// (Nomad) to tell it theirs.
    pub fn request_observer(&self) -> Option<Arc<dyn RequestObserver>> {
        self.shared.observer.clone()
    }

    /// Warnings for the operator gathered while sending (e.g. a token sent over plain
    /// `http://` to a non-loopback host), each once; drained by this call. Shared by clones.
    pub fn take_notices(&self) -> Vec<String> {
        match self.shared.notices.lock() {
            Ok(mut notices) => std::mem::take(&mut *notices),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }

    /// The single request path: retries, backoff, redirects and error mapping.
    pub(crate) fn execute(&self, request: &Request) -> Result<Reply, VaultError> {
        let max_attempts = self.shared.max_retries.saturating_add(1);
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let can_retry = attempt < max_attempts;
            match self.send_following_redirects(request, attempt) {
                Ok(answer) => {
                    if request.status_is_data || answer.status < 400 {
                        return Ok(Reply {
                            status: answer.status,
                            body: answer.body,
                            attempts: attempt,
                            answered_by: answer.answered_by,
                            date: answer.date,
                        });
                    }
                    let (errors, warnings) = wire::error_body(&answer.body);
                    if can_retry && status_is_retryable(answer.status, &errors, request.replay) {
                        std::thread::sleep(answer.retry_after.unwrap_or_else(|| backoff(attempt)));
                        continue;
                    }
                    if let Some(state) =
                        self.seal_state_after(answer.status, &errors, &request.path)
                    {
                        return Err(VaultError::Sealed {
                            address: answer.answered_by,
                            method: request.method.to_string(),
                            path: request.path.clone(),
                            errors,
                            attempts: attempt,
                            state,
                        });
                    }
                    return Err(VaultError::Api {
                        address: answer.answered_by,
                        method: request.method.to_string(),
                        path: request.path.clone(),
                        status: answer.status,
                        errors,
                        attempts: attempt,
                        answer: Box::new(ApiAnswer {
                            warnings,
                            body: String::from_utf8_lossy(&answer.body).into_owned(),
                            url: answer.url,
                        }),
                    });
                }
                Err(SendFailure::Refused) if can_retry => std::thread::sleep(backoff(attempt)),
                Err(SendFailure::Refused) => {
                    return Err(VaultError::ConnectionRefused {
                        address: self.address.clone(),
                        path: request.path.clone(),
                        attempts: attempt,
                    })
                }
                Err(SendFailure::Connect(_)) if can_retry => std::thread::sleep(backoff(attempt)),
                Err(SendFailure::Connect(detail)) => {
                    return Err(VaultError::Connect {
                        address: self.address.clone(),
                        path: request.path.clone(),
                        detail,
                        attempts: attempt,
                    })
                }
                // A certificate problem does not fix itself: no retry.
                Err(SendFailure::Tls(problem, detail)) => {
                    return Err(VaultError::Tls {
                        address: self.address.clone(),
                        problem,
                        detail,
                    })
                }
                // Not retried: the request may still be running on the server, and retries
                // would multiply a wait the operator already found too long.
                Err(SendFailure::Timeout(partial)) => {
                    return Err(VaultError::Timeout {
                        address: self.address.clone(),
                        path: request.path.clone(),
                        timeout: self.shared.timeout,
                        partial: PartialAnswer(partial),
                    })
                }
                Err(SendFailure::AfterSend(..))
                    if can_retry && request.replay != Replay::NeverAfterSend =>
                {
                    std::thread::sleep(backoff(attempt))
                }
                Err(SendFailure::AfterSend(detail, partial)) => {
                    return Err(VaultError::Interrupted {
                        address: self.address.clone(),
                        method: request.method.to_string(),
                        path: request.path.clone(),
                        detail,
                        attempts: attempt,
                        may_have_been_applied: request.replay == Replay::NeverAfterSend,
                        partial: PartialAnswer(partial),
                    })
                }
                Err(SendFailure::Fatal(err)) => return Err(*err),
            }
        }
    }

    /// One attempt: send, and follow up to [`MAX_REDIRECTS`] 307/308 answers with the same
    /// method, body and headers. The HTTP client follows none itself: an HTTP client's own
    /// redirects drop `X-Vault-Token` when they cross origins, which a standby's always do.
    fn send_following_redirects(
        &self,
        request: &Request,
        attempt: u32,
    ) -> Result<Answer, SendFailure> {
        let mut url = self.url_for(request)?;
        let mut hops = 0;
        loop {
            let (answer, location) = self.send_observed(&url, request, attempt)?;
            let Some(location) = location else {
                return Ok(answer);
            };
            if hops >= MAX_REDIRECTS {
                return Err(SendFailure::Fatal(Box::new(VaultError::TooManyRedirects {
                    address: self.address.clone(),
                    path: request.path.clone(),
                    last_location: redact_userinfo(&location),
                })));
            }
            hops += 1;
            let next = url.join(&location).map_err(|e| {
                SendFailure::Fatal(Box::new(VaultError::Decode {
                    address: origin_of(&url),
                    path: request.path.clone(),
                    detail: format!(
                        "redirect to an invalid Location {:?}: {e}",
                        redact_userinfo(&location)
                    ),
                }))
            })?;
            if let Some(reason) = self.redirect_refusal(&url, &next) {
                return Err(SendFailure::Fatal(Box::new(VaultError::RedirectRefused {
                    address: origin_of(&url),
                    path: request.path.clone(),
                    location: redact_userinfo(next.as_str()),
                    reason,
                })));
            }
            url = self.with_known_credentials(next);
        }
    }

    /// Why a redirect from `from` to `to` must not be followed, if it must not: another scheme
    /// (https → http would send the token in clear; Vault's own client refuses that downgrade,
    /// api/client.go "redirect would cause protocol downgrade"), or a host the operator did
    /// not name (the token would go to a server nobody chose).
    fn redirect_refusal(&self, from: &Url, to: &Url) -> Option<String> {
        if from.scheme() != to.scheme() {
            return Some(if from.scheme() == "https" && to.scheme() == "http" {
                "it would downgrade https to plain http, sending the token and the request in \
                 clear"
                    .to_string()
            } else {
                format!(
                    "it changes the scheme from {} to {}, and nvctl sends the token only over \
                     the scheme you named",
                    from.scheme(),
                    to.scheme()
                )
            });
        }
        let host = to.host_str().unwrap_or_default().to_ascii_lowercase();
        let named = match self.shared.named_hosts.lock() {
            Ok(hosts) => hosts.contains(&host),
            Err(poisoned) => poisoned.into_inner().contains(&host),
        };
        if named {
            None
        } else {
            Some(format!(
                "{host} is not an address you named, and nvctl sends the token only to those"
            ))
        }
    }

    /// A redirect target carries no credentials: give it those the operator gave for its
    /// origin, if any.
    fn with_known_credentials(&self, url: Url) -> Url {
        attach_credentials(url)
    }

    /// [`Self::send_once`], reported to the observer.
    fn send_observed(
        &self,
        url: &Url,
        request: &Request,
        attempt: u32,
    ) -> Result<(Answer, Option<String>), SendFailure> {
        let Some(observer) = &self.shared.observer else {
            return self.send_once(url, request);
        };
        let started = Instant::now();
        let result = self.send_once(url, request);
        let outcome = match &result {
            Ok((answer, _)) => ExchangeOutcome::Status(answer.status),
            Err(SendFailure::Refused) => ExchangeOutcome::Failed("connection refused"),
            Err(SendFailure::Connect(_)) => ExchangeOutcome::Failed("cannot connect"),
            Err(SendFailure::Tls(..)) => ExchangeOutcome::Failed("TLS handshake failed"),
            Err(SendFailure::Timeout(_)) => ExchangeOutcome::Failed("timed out"),
            Err(SendFailure::AfterSend(..)) => ExchangeOutcome::Failed("connection broken"),
            // Nothing was sent (bad settings, a redirect nvctl will not follow…).
            Err(SendFailure::Fatal(_)) => return result,
        };
        let path = match url.query() {
            Some(query) => format!("{}?{query}", request.path),
            None => request.path.clone(),
        };
        observer.exchange(&RequestEvent {
            method: request.method.as_str(),
            path: &path,
            outcome,
            attempt,
            node: &origin_of(url),
            elapsed: started.elapsed(),
        });
        result
    }

    /// Sends once; returns the answer, and the `Location` when it is a redirect to follow.
    fn send_once(
        &self,
        url: &Url,
        request: &Request,
    ) -> Result<(Answer, Option<String>), SendFailure> {
        let (http, wire_url) = self.transport_for(url)?;
        let mut headers: Vec<(&str, String)> = vec![("X-Vault-Request", "true".into())];
        if request.authenticated {
            if let Some(token) = &self.token {
                if HeaderValue::from_str(token.expose()).is_err() {
                    return Err(SendFailure::Fatal(Box::new(VaultError::Config(
                        "the token contains characters that cannot be sent in an HTTP header \
                         (check the token file for stray bytes)"
                            .into(),
                    ))));
                }
                headers.push(("X-Vault-Token", token.expose().to_string()));
                self.note_plaintext_token(url);
            }
        }
        if let Some(seconds) = request.wrap_ttl {
            headers.push(("X-Vault-Wrap-TTL", seconds.to_string()));
        }
        if let Some(namespace) = &self.shared.namespace {
            if sends_namespace(&request.path) {
                headers.push(("X-Vault-Namespace", namespace.clone()));
            }
        }
        if request.body.is_some() {
            headers.push(("Content-Type", "application/json".into()));
        }
        // Zeroized when dropped: the token is in it.
        let headers: Vec<(&str, Zeroizing<String>)> = headers
            .into_iter()
            .map(|(name, value)| (name, Zeroizing::new(value)))
            .collect();
        let header_refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let started = Instant::now();
        let mut response = http
            .send(
                request.method.clone(),
                &wire_url,
                &header_refs,
                request.body.as_ref().map(|b| b.as_slice()),
            )
            .map_err(classify)?;
        let status = response.status;
        let answered_by = origin_of(url);
        let location = if matches!(status, 307 | 308) {
            response.header("location").map(str::to_owned)
        } else {
            None
        };
        let retry_after = response
            .header("retry-after")
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let too_large = || {
            SendFailure::Fatal(Box::new(VaultError::Decode {
                address: answered_by.clone(),
                path: request.path.clone(),
                detail: format!(
                    "the answer is larger than {} MiB, the most nvctl reads: refused",
                    MAX_ANSWER_BYTES / (1024 * 1024)
                ),
            }))
        };
        if response
            .content_length()
            .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
        {
            return Err(too_large());
        }
        let date = response
            .header("date")
            .and_then(|v| httpdate::parse_http_date(v).ok());
        let body = crate::http::read_body(
            &mut response.body(),
            started,
            self.shared.timeout,
            MAX_ANSWER_BYTES,
        )
        .map_err(|stop| match stop {
            ReadStop::TooLarge => too_large(),
            ReadStop::Timeout(partial) => SendFailure::Timeout(partial),
            ReadStop::Broken(detail, partial) => SendFailure::AfterSend(detail, partial),
        })?;
        Ok((
            Answer {
                status,
                retry_after,
                date,
                body,
                answered_by,
                url: url.to_string(),
            },
            location,
        ))
    }

    fn url_for(&self, request: &Request) -> Result<Url, SendFailure> {
        let base = self.base.as_str().trim_end_matches('/');
        let mut url = Url::parse(&format!("{base}/v1/{}", request.path)).map_err(|e| {
            SendFailure::Fatal(Box::new(VaultError::Config(format!(
                "cannot build a URL for {}: {e}",
                request.path
            ))))
        })?;
        if !request.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &request.query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    /// The HTTP client and the URL to put on the wire. Without a TLS server name that is the
    /// shared client and the URL itself. With one, the URL's host becomes the server name
    /// (so rustls sends it in SNI and verifies against it) and a client resolving that name
    /// to the original host's addresses carries the request.
    fn transport_for(&self, url: &Url) -> Result<(Client, Url), SendFailure> {
        let Some(server_name) = self.shared.tls.server_name.as_deref() else {
            return Ok((self.shared.plain.clone(), url.clone()));
        };
        let host = url.host_str().unwrap_or_default();
        if url.scheme() != "https" || host.eq_ignore_ascii_case(server_name) {
            return Ok((self.shared.plain.clone(), url.clone()));
        }
        let config_err =
            |message: String| SendFailure::Fatal(Box::new(VaultError::Config(message)));
        if server_name.parse::<IpAddr>().is_ok() {
            return Err(config_err(format!(
                "the TLS server name {server_name:?} is an IP address different from the \
                 address's host {host:?}: connect to {server_name} directly instead"
            )));
        }
        let port = url.port_or_known_default().unwrap_or(443);
        let origin = format!("{host}:{port}");
        let mut wire_url = url.clone();
        wire_url
            .set_host(Some(server_name))
            .map_err(|e| config_err(format!("invalid TLS server name {server_name:?}: {e}")))?;
        let mut cache = match self.shared.by_origin.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(client) = cache.get(&origin) {
            return Ok((client.clone(), wire_url));
        }
        let bare_host = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> = (bare_host, port)
            .to_socket_addrs()
            .map_err(|e| SendFailure::Connect(format!("cannot resolve {host}: {e}")))?
            .collect();
        let client = Client::new(
            &self.shared.material,
            self.shared.timeout,
            Some((server_name.to_string(), addrs)),
        );
        cache.insert(origin, client.clone());
        Ok((client, wire_url))
    }

    fn note_plaintext_token(&self, url: &Url) {
        if url.scheme() != "http" || is_loopback(url) {
            return;
        }
        let host = url.host_str().unwrap_or_default().to_owned();
        let first_time = match self.shared.warned_hosts.lock() {
            Ok(mut hosts) => hosts.insert(host.clone()),
            Err(poisoned) => poisoned.into_inner().insert(host.clone()),
        };
        if first_time {
            let notice = format!(
                "a Vault token is being sent over plain http:// to {host}; anyone on the \
                 network path can read it: use an https:// address"
            );
            match self.shared.notices.lock() {
                Ok(mut notices) => notices.push(notice),
                Err(poisoned) => poisoned.into_inner().push(notice),
            }
        }
    }
}

fn sends_namespace(path: &str) -> bool {
    let path = path.trim_matches('/');
    !NO_NAMESPACE_PATHS.contains(&path)
}

fn status_is_retryable(status: u16, errors: &[String], replay: Replay) -> bool {
    // Vault's rate limiter answers 429 before any handler runs: nothing was applied, so even
    // sys/init and token creation may be sent again.
    if status == 429 {
        return true;
    }
    match replay {
        Replay::NeverAfterSend | Replay::UntilAnswered => false,
        Replay::Safe => {
            let sealed = status == 503
                && errors
                    .iter()
                    .any(|e| e.to_ascii_lowercase().contains("sealed"));
            // 501 (not implemented) and "sealed" will answer the same a moment later.
            status >= 500 && status != 501 && !sealed
        }
    }
}

/// `Retry-After` as delay-seconds or as an HTTP-date (RFC 9110 §10.2.3), capped at
/// [`MAX_RETRY_AFTER`]; a date in the past means "now".
fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = httpdate::parse_http_date(value).ok()?;
            at.duration_since(now).unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// Exponential backoff with jitter: 250ms, 500ms, 1s… capped at 5s, each scaled by a random
/// factor in [0.5, 1) so that several clients do not retry in lockstep.
fn backoff(attempt: u32) -> Duration {
    let exp = BASE_BACKOFF.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    exp.min(MAX_BACKOFF).mul_f64(0.5 + fastrand::f64() * 0.5)
}

fn origin_of(url: &Url) -> String {
    let mut origin = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        origin.push_str(&format!(":{port}"));
    }
    origin
}

fn is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let name = bare.to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    }
}

/// Checks that `address` is an `http(s)://` URL with a host and no query or fragment, and
/// drops a trailing `/`: the one rule for a Vault address, used by the settings too.
pub fn normalise_address(address: &str) -> Result<String, VaultError> {
    parse_address(address).map(|(_, normalised)| normalised)
}

/// Parses an address: the URL to send to (credentials included, if given) and the address to
/// show (never with credentials).
fn parse_address(address: &str) -> Result<(Url, String), VaultError> {
    let trimmed = address.trim().trim_end_matches('/');
    let shown = redact_userinfo(trimmed);
    let url = Url::parse(trimmed).map_err(|e| {
        VaultError::Config(format!(
            "the Vault address {shown:?} is not a URL: {e}; expected e.g. https://127.0.0.1:8200"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(VaultError::Config(format!(
            "the Vault address {shown:?} must start with https:// or http://"
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(VaultError::Config(format!(
            "the Vault address {shown:?} has no host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(VaultError::Config(format!(
            "the Vault address {shown:?} must not have a query or fragment"
        )));
    }
    if url.path().trim_end_matches('/').ends_with("/v1") {
        return Err(VaultError::Config(format!(
            "the Vault address {shown:?} ends with /v1: give the server's address without the \
             API prefix (nvctl adds /v1/), e.g. {}",
            shown.trim_end_matches('/').trim_end_matches("/v1")
        )));
    }
    remember_credentials(&url);
    // Shown and used as this node's name from here on: no credentials at all (they are found
    // again by origin when a request is sent).
    Ok((url, strip_userinfo(trimmed)))
}

/// `text` without the `user:password@` of the URL in it.
pub fn strip_userinfo(text: &str) -> String {
    redact_userinfo(text).replacen("***@", "", 1)
}

/// `text` with the `user:password@` of any URL in it replaced by `***@`, for messages.
pub fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace() || c == '"')
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("***@");
                out.push_str(&authority[at + 1..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

/// `user:password` given in an address, by origin: sent (as Basic auth, by `crate::http`) to that
/// origin only, and never shown. Process-wide because every address nvctl handles is the
/// shown one (credentials stripped when the address is read, [`normalise_address`]).
static CREDENTIALS: Mutex<Vec<(String, String, String)>> = Mutex::new(Vec::new());

fn remember_credentials(url: &Url) {
    if url.username().is_empty() && url.password().is_none() {
        return;
    }
    let entry = (
        origin_of(url),
        url.username().to_owned(),
        url.password().unwrap_or_default().to_owned(),
    );
    let mut known = CREDENTIALS.lock().unwrap_or_else(|e| e.into_inner());
    known.retain(|(origin, ..)| *origin != entry.0);
    known.push(entry);
}

/// Records the address's host as named by the operator; gives it the credentials known for its
/// origin.
fn name_address(shared: &Shared, url: Url) -> Url {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match shared.named_hosts.lock() {
        Ok(mut hosts) => hosts.insert(host),
        Err(poisoned) => poisoned.into_inner().insert(host),
    };
    attach_credentials(url)
}

fn attach_credentials(mut url: Url) -> Url {
    if !url.username().is_empty() {
        return url;
    }
    let origin = origin_of(&url);
    let known = CREDENTIALS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|(o, ..)| *o == origin)
        .map(|(_, user, password)| (user.clone(), password.clone()));
    if let Some((user, password)) = known {
        let _ = url.set_username(&user);
        let _ = url.set_password(Some(password.as_str()).filter(|p| !p.is_empty()));
    }
    url
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, VaultError> {
    crate::local_file::read_bytes(path, crate::local_file::MAX_INPUT_BYTES)
        .map_err(|e| VaultError::Config(format!("cannot read {what} {}: {e}", path.display())))
}

fn load_roots(tls: &TlsConfig) -> Result<Vec<ureq::tls::Certificate<'static>>, VaultError> {
    // As the Vault CLI: the CA file wins over the CA directory.
    if let Some(file) = &tls.ca_cert {
        let pem = read_file(file, "the CA certificate file (--ca-cert/VAULT_CACERT)")?;
        let certs = crate::http::pem_certificates(&pem).map_err(|e| {
            VaultError::Config(format!(
                "the CA certificate file {} (--ca-cert/VAULT_CACERT) is not valid PEM: {e}",
                file.display()
            ))
        })?;
        if certs.is_empty() {
            return Err(VaultError::Config(format!(
                "the CA certificate file {} (--ca-cert/VAULT_CACERT) holds no PEM certificate",
                file.display()
            )));
        }
        return Ok(certs);
    }
    let Some(dir) = &tls.ca_path else {
        return Ok(Vec::new());
    };
    let entries = std::fs::read_dir(dir).map_err(|e| {
        VaultError::Config(format!(
            "cannot read the CA directory {} (--ca-path/VAULT_CAPATH): {e}",
            dir.display()
        ))
    })?;
    let mut certs = Vec::new();
    let mut names: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    names.sort();
    for path in names {
        // Follows symlinks (c_rehash directories are full of them); skips subdirectories.
        if !path.is_file() {
            continue;
        }
        let Ok(pem) = crate::local_file::read_bytes(&path, crate::local_file::MAX_INPUT_BYTES)
        else {
            continue;
        };
        if let Ok(found) = crate::http::pem_certificates(&pem) {
            certs.extend(found);
        }
    }
    if certs.is_empty() {
        return Err(VaultError::Config(format!(
            "the CA directory {} (--ca-path/VAULT_CAPATH) holds no PEM certificate",
            dir.display()
        )));
    }
    Ok(certs)
}

fn load_identity(tls: &TlsConfig) -> Result<Option<ureq::tls::ClientCert>, VaultError> {
    let (cert, key) = match (&tls.client_cert, &tls.client_key) {
        (None, None) => return Ok(None),
        (Some(cert), Some(key)) => (cert, key),
        _ => {
            return Err(VaultError::Config(
                "a client certificate needs both --client-cert/VAULT_CLIENT_CERT and \
                 --client-key/VAULT_CLIENT_KEY"
                    .into(),
            ))
        }
    };
    let cert_pem = read_file(
        cert,
        "the client certificate (--client-cert/VAULT_CLIENT_CERT)",
    )?;
    let key_pem = Zeroizing::new(read_file(
        key,
        "the client key (--client-key/VAULT_CLIENT_KEY)",
    )?);
    crate::http::pem_identity(&cert_pem, &key_pem)
        .map(Some)
        .map_err(|e| {
            VaultError::Config(format!(
                "the client certificate {} and key {} do not form a PEM identity: {e}",
                cert.display(),
                key.display()
            ))
        })
}

/// The error and its sources on one line. URLs in messages never hold a token (it travels in
/// a header). Nomad's client words its failures with it too.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

fn tls_problem(chain: &str) -> Option<TlsProblem> {
    let lower = chain.to_ascii_lowercase();
    if lower.contains("unknownissuer") || lower.contains("unknown issuer") {
        Some(TlsProblem::UnknownIssuer)
    } else if lower.contains("notvalidforname") || lower.contains("not valid for name") {
        Some(TlsProblem::NameMismatch)
    } else if lower.contains("certificate expired")
        || lower.contains("certificate: expired")
        || lower.contains("not valid yet")
        || lower.contains("notvalidyet")
    {
        Some(TlsProblem::Expired)
    } else if lower.contains("corrupt message") || lower.contains("invalidcontenttype") {
        Some(TlsProblem::NotTls)
    } else if lower.contains("peer certificate")
        || lower.contains("handshake")
        || lower.contains("fatal alert")
        || lower.contains("certificate")
    {
        Some(TlsProblem::Other)
    } else {
        None
    }
}

fn classify(failure: Failure) -> SendFailure {
    match failure {
        Failure::Invalid(detail) => SendFailure::Fatal(Box::new(VaultError::Config(detail))),
        Failure::Refused(_) => SendFailure::Refused,
        Failure::Connect(detail) => SendFailure::Connect(detail),
        Failure::Tls(detail) => {
            SendFailure::Tls(tls_problem(&detail).unwrap_or(TlsProblem::Other), detail)
        }
        Failure::Timeout => SendFailure::Timeout(Zeroizing::default()),
        Failure::AfterSend(detail) => SendFailure::AfterSend(detail, Zeroizing::default()),
    }
}

impl From<VaultError> for SendFailure {
    fn from(err: VaultError) -> Self {
        SendFailure::Fatal(Box::new(err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_over_plain_http_to_a_remote_host_is_warned_once() {
        let mut config = ClientConfig::new("http://10.0.0.7:8200");
        config.token = Some(SecretString::new("s.secret"));
        let client = VaultClient::new(config).expect("client builds");
        let url = Url::parse("http://10.0.0.7:8200/v1/sys/mounts").expect("url");
        client.note_plaintext_token(&url);
        client.note_plaintext_token(&url);
        let notices = client.take_notices();
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(notices[0].contains("10.0.0.7") && notices[0].contains("https://"));
        assert!(!notices[0].contains("s.secret"));
        assert!(client.take_notices().is_empty(), "drained");
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        for address in [
            "http://127.0.0.1:8200",
            "http://localhost:8200",
            "http://[::1]:8200",
        ] {
            assert!(is_loopback(&Url::parse(address).expect("url")), "{address}");
        }
        assert!(!is_loopback(
            &Url::parse("http://vault.internal:8200").expect("url")
        ));
    }

    #[test]
    fn namespace_is_withheld_exactly_on_the_listed_sys_paths() {
        for path in NO_NAMESPACE_PATHS {
            assert!(!sends_namespace(path), "{path}");
        }
        assert!(sends_namespace("sys/seal-status"));
        assert!(sends_namespace("sys/policies/acl/x"));
    }

    #[test]
    fn retry_decisions_follow_replay_safety() {
        let none: Vec<String> = Vec::new();
        let sealed = vec!["Vault is sealed".to_string()];
        assert!(status_is_retryable(502, &none, Replay::Safe));
        assert!(status_is_retryable(429, &none, Replay::Safe));
        assert!(!status_is_retryable(503, &sealed, Replay::Safe));
        assert!(!status_is_retryable(501, &none, Replay::Safe));
        assert!(!status_is_retryable(400, &none, Replay::Safe));
        assert!(status_is_retryable(429, &none, Replay::UntilAnswered));
        assert!(!status_is_retryable(500, &none, Replay::UntilAnswered));
        // Rejected by the rate limiter before any handler: safe even for sys/init.
        assert!(status_is_retryable(429, &none, Replay::NeverAfterSend));
        assert!(!status_is_retryable(500, &none, Replay::NeverAfterSend));
        assert!(backoff(1) <= Duration::from_millis(250));
        assert!(backoff(30) <= MAX_BACKOFF);
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_any_http_date_and_capped() {
        // 1994-11-06T08:49:37Z, RFC 9110's example date.
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("3600", now), Some(MAX_RETRY_AFTER));
        for date in [
            "Sun, 06 Nov 1994 08:49:42 GMT",
            "Sunday, 06-Nov-94 08:49:42 GMT",
            "Sun Nov  6 08:49:42 1994",
        ] {
            assert_eq!(
                parse_retry_after(date, now),
                Some(Duration::from_secs(5)),
                "{date}"
            );
        }
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn a_name_that_resolves_to_loopback_is_still_warned_about() {
        // The decision is the name's: `vm` may map to 127.0.0.1 in /etc/hosts on one machine
        // and to another host elsewhere, and the token travels wherever DNS says.
        assert!(!is_loopback(&Url::parse("http://vm:8200").expect("url")));
        assert!(!is_loopback(
            &Url::parse("http://10.0.0.7:8200").expect("url")
        ));
        assert!(is_loopback(
            &Url::parse("http://127.0.0.2:8200").expect("url")
        ));
        assert!(is_loopback(
            &Url::parse("http://vault.localhost:8200").expect("url")
        ));
    }

    #[test]
    fn normalise_address_is_the_one_address_rule() {
        assert_eq!(
            normalise_address(" https://vault:8200/ ").expect("valid"),
            "https://vault:8200"
        );
        for bad in [
            "vault:8200",
            "ftp://vault",
            "http://",
            "https://vault:8200/?x=1",
        ] {
            assert!(
                matches!(normalise_address(bad), Err(VaultError::Config(_))),
                "{bad}"
            );
        }
    }
}
