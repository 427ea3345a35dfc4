//! nvctl's one HTTP client, under the Vault client, the Nomad client and the JWKS preflight:
//! blocking ureq (no async runtime in nvctl, issue 12), rustls, no redirects followed (the
//! callers decide), every status an answer, one timeout over connect, send and the whole
//! answer. Failures come back sorted by what they mean for the request — nothing was sent, the
//! TLS handshake failed, the time ran out, or the connection broke after sending — because
//! that decides whether a request may be sent again.

pub mod proxy;

use std::collections::HashMap;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use rustls::pki_types::pem::PemObject;
use ureq::http::{HeaderMap, Request, Uri};

pub use ureq::http::{HeaderValue, Method};
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{ConnectionDetails, Connector, DefaultConnector, NextTimeout};
use url::Url;
use zeroize::Zeroizing;

/// Certificates to trust instead of the built-in roots, a client identity for mutual TLS, and
/// the operator's insecure "accept any certificate".
#[derive(Clone, Default)]
pub struct TlsMaterial {
    pub roots: Vec<Certificate<'static>>,
    pub identity: Option<ClientCert>,
    pub skip_verify: bool,
}

/// The certificates in a PEM bundle; an error names what is wrong with it.
pub fn pem_certificates(pem: &[u8]) -> Result<Vec<Certificate<'static>>, String> {
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        if let PemItem::Certificate(cert) = item.map_err(|e| e.to_string())? {
            certs.push(cert);
        }
    }
    Ok(certs)
}

/// A client identity from a PEM certificate chain and a PEM private key (PKCS#8, RSA or SEC1).
pub fn pem_identity(cert_pem: &[u8], key_pem: &[u8]) -> Result<ClientCert, String> {
    let chain = pem_certificates(cert_pem)?;
    if chain.is_empty() {
        return Err("the certificate file holds no PEM certificate".into());
    }
    let key = PrivateKey::from_pem(key_pem)
        .map_err(|e| format!("the key file holds no PEM private key ({e})"))?;
    // Checked here as rustls will use them: the TLS layer would otherwise find a key that
    // does not match the certificate (or that it cannot load) only at the first connection.
    let chain_der = chain
        .iter()
        .map(|c| rustls::pki_types::CertificateDer::from(c.der().to_vec()))
        .collect();
    let key_der = rustls::pki_types::PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|e| format!("the key file holds no PEM private key ({e})"))?;
    rustls::sign::CertifiedKey::from_der(
        chain_der,
        key_der,
        &rustls::crypto::ring::default_provider(),
    )
    .map_err(|e| format!("the certificate and the key do not go together ({e})"))?;
    Ok(ClientCert::new_with_certs(&chain, key))
}

/// How a request failed, by what it means for the request.
#[derive(Debug)]
pub enum Failure {
    /// The request could not be built here (an invalid URL, a header value, a proxy
    /// setting): nothing was sent, and sending again would not help.
    Invalid(String),
    /// The connection was refused: nothing was sent.
    Refused(String),
    /// The connection could not be opened (name not found, network unreachable): nothing sent.
    Connect(String),
    /// The TLS handshake failed: nothing was sent.
    Tls(String),
    /// The time ran out; the request may have been sent.
    Timeout,
    /// The connection broke after the request may have been sent.
    AfterSend(String),
}

/// The failure in words (for a timeout, that no answer came in time).
impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Invalid(d)
            | Failure::Refused(d)
            | Failure::Connect(d)
            | Failure::Tls(d)
            | Failure::AfterSend(d) => f.write_str(d),
            Failure::Timeout => f.write_str("no answer in time"),
        }
    }
}

/// One client: its TLS settings, timeout and redirect rule, and a connection pool per proxy
/// (see [`proxy`]). Clones share them.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
}

struct Shared {
    tls: ureq::tls::TlsConfig,
    timeout: Duration,
    pin: Option<(String, Vec<SocketAddr>)>,
    redirects: u32,
    /// By proxy URL (`None`: direct).
    agents: Mutex<HashMap<Option<String>, ureq::Agent>>,
}

impl Client {
    /// With `pin`, the host name `pin.0` resolves to the addresses `pin.1` (to send a TLS
    /// server name other than the address's host, the URL carries the name and connects to
    /// the address's IPs).
    pub fn new(
        tls: &TlsMaterial,
        timeout: Duration,
        pin: Option<(String, Vec<SocketAddr>)>,
    ) -> Client {
        Client::build(tls, timeout, pin, 0)
    }

    /// A client that follows up to `redirects` redirects itself, for fetches that carry no
    /// credentials (a JWKS document, as Vault's own fetch follows them).
    pub fn following(tls: &TlsMaterial, timeout: Duration, redirects: u32) -> Client {
        Client::build(tls, timeout, None, redirects)
    }

    fn build(
        tls: &TlsMaterial,
        timeout: Duration,
        pin: Option<(String, Vec<SocketAddr>)>,
        redirects: u32,
    ) -> Client {
        let mut tls_config = TlsConfig::builder().disable_verification(tls.skip_verify);
        if !tls.roots.is_empty() {
            tls_config = tls_config.root_certs(RootCerts::new_with_certs(&tls.roots));
        }
        if let Some(identity) = &tls.identity {
            tls_config = tls_config.client_cert(Some(identity.clone()));
        }
        Client {
            shared: Arc::new(Shared {
                tls: tls_config.build(),
                timeout,
                pin,
                redirects,
                agents: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The pool for requests through `proxy` (or direct).
    fn agent(&self, proxy: Option<String>) -> Result<ureq::Agent, Failure> {
        let mut agents = self.shared.agents.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(agent) = agents.get(&proxy) {
            return Ok(agent.clone());
        }
        let via = match &proxy {
            Some(url) => Some(ureq::Proxy::new(url).map_err(|e| {
                Failure::Invalid(format!(
                    "the proxy {url:?} (HTTP_PROXY/HTTPS_PROXY) cannot be used: {e}"
                ))
            })?),
            None => None,
        };
        let s = &self.shared;
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(s.redirects)
            .max_redirects_will_error(false)
            .timeout_global(Some(s.timeout))
            .timeout_connect(Some(s.timeout))
            .user_agent(concat!("nvctl/", env!("CARGO_PKG_VERSION")))
            // No gzip/brotli negotiated: answers are read as they come, bounded by the caller.
            .accept_encoding("identity")
            .proxy(via)
            .tls_config(s.tls.clone())
            .build();
        let resolver = PinnedResolver {
            pin: s.pin.clone(),
            fallback: DefaultResolver::default(),
        };
        let agent = ureq::Agent::with_parts(config, BeforeSendConnector::default(), resolver);
        agents.insert(proxy, agent.clone());
        Ok(agent)
    }

    /// Sends one request. `headers` are sent as given, marked sensitive (they may carry a
    /// token); a `user:password` in the URL goes as Basic authorization, never in the URL.
    pub fn send(
        &self,
        method: Method,
        url: &Url,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Response, Failure> {
        let via = proxy::for_url(url);
        let agent = self.agent(via.clone())?;
        // A failure to reach the proxy is said as the proxy's, not the server's.
        let through = |failure: Failure| match (&via, failure) {
            (Some(p), Failure::Refused(d) | Failure::Connect(d)) => {
                Failure::Connect(format!("through {}: {d}", proxy::shown(p, url)))
            }
            (_, failure) => failure,
        };
        let mut bare = url.clone();
        let credentials = (!url.username().is_empty() || url.password().is_some()).then(|| {
            format!(
                "{}:{}",
                percent_decoded(url.username()),
                url.password().map(percent_decoded).unwrap_or_default()
            )
        });
        let _ = bare.set_username("");
        let _ = bare.set_password(None);
        let uri: Uri = bare
            .as_str()
            .parse()
            .map_err(|e| Failure::Invalid(format!("invalid URL: {e}")))?;
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| Failure::Invalid(format!("the {name} header cannot be sent")))?;
            value.set_sensitive(true);
            request = request.header(*name, value);
        }
        if let Some(credentials) = credentials {
            let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
            let mut value = HeaderValue::from_str(&format!("Basic {encoded}"))
                .map_err(|_| Failure::Invalid("the address's credentials cannot be sent".into()))?;
            value.set_sensitive(true);
            request = request.header("Authorization", value);
        }
        let answer = match body {
            Some(body) => request
                .body(body.to_vec())
                .map_err(|e| Failure::Invalid(format!("invalid request: {e}")))
                .and_then(|r| agent.run(r).map_err(sort).map_err(through)),
            None => request
                .body(())
                .map_err(|e| Failure::Invalid(format!("invalid request: {e}")))
                .and_then(|r| agent.run(r).map_err(sort).map_err(through)),
        }?;
        let (parts, body) = answer.into_parts();
        Ok(Response {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        })
    }
}

fn percent_decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// An answer whose body is still to be read.
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    body: ureq::Body,
}

impl Response {
    /// A header's value, when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The announced length of the body; none when `Transfer-Encoding` is there, which
    /// overrides it (RFC 9112 §6.3).
    pub fn content_length(&self) -> Option<u64> {
        if self.headers.contains_key("transfer-encoding") {
            return None;
        }
        self.header("content-length").and_then(|v| v.parse().ok())
    }

    /// The body as it arrives; a read error is sorted with [`read_failure`].
    pub fn body(&mut self) -> impl Read + '_ {
        // Bounded by the callers, who stop reading at their own limit.
        self.body.with_config().limit(u64::MAX).reader()
    }
}

/// A read of the body that failed: the time ran out, or the connection broke.
pub fn read_failure(err: &std::io::Error) -> Failure {
    let ureq_error = err.get_ref().and_then(|e| e.downcast_ref::<ureq::Error>());
    match ureq_error {
        Some(ureq::Error::Timeout(_)) => Failure::Timeout,
        _ if err.kind() == std::io::ErrorKind::TimedOut => Failure::Timeout,
        _ => Failure::AfterSend(format!("reading the answer: {}", describe_io(err))),
    }
}

fn describe_io(err: &std::io::Error) -> String {
    match err.get_ref().and_then(|e| e.downcast_ref::<ureq::Error>()) {
        Some(inner) => describe(inner),
        None => err.to_string(),
    }
}

/// ureq's error in words, without its `io: ` style prefixes.
fn describe(err: &ureq::Error) -> String {
    match err {
        ureq::Error::Io(e) => e.to_string(),
        ureq::Error::Rustls(e) => e.to_string(),
        ureq::Error::Tls(e) => e.to_string(),
        ureq::Error::HostNotFound => "the host name could not be resolved".to_string(),
        ureq::Error::Protocol(e) => format!("the answer is not valid HTTP ({e})"),
        other => other.to_string(),
    }
}

/// Sorts a failed exchange by the phase it failed in. Only what failed while the connection
/// was being opened ([`BeforeSendConnector`]: TCP, proxy, TLS handshake) or the name resolved
/// is "nothing was sent"; anything else may have followed the request — a pooled connection
/// that breaks, a TLS alert while the answer is read — and is said so.
fn sort(err: ureq::Error) -> Failure {
    use std::io::ErrorKind;
    let text = describe(&err);
    match &err {
        ureq::Error::Timeout(_) => Failure::Timeout,
        ureq::Error::Io(e) if e.get_ref().is_some_and(|inner| inner.is::<NotResolved>()) => {
            Failure::Connect(text)
        }
        ureq::Error::Io(e) => match e.get_ref().and_then(|i| i.downcast_ref::<BeforeSend>()) {
            Some(_) if e.kind() == ErrorKind::ConnectionRefused => Failure::Refused(text),
            Some(_) if e.kind() == ErrorKind::TimedOut => Failure::Timeout,
            Some(before) if before.tls => Failure::Tls(text),
            Some(_) => Failure::Connect(text),
            None if e.kind() == ErrorKind::TimedOut => Failure::Timeout,
            None => Failure::AfterSend(text),
        },
        ureq::Error::BadUri(_) | ureq::Error::InvalidProxyUrl | ureq::Error::Http(_) => {
            Failure::Invalid(text)
        }
        _ => Failure::AfterSend(text),
    }
}

/// A failure while the connection was being opened: nothing of the request was sent.
#[derive(Debug)]
struct BeforeSend {
    text: String,
    /// The TLS handshake failed (rather than TCP or the proxy).
    tls: bool,
}

impl std::fmt::Display for BeforeSend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for BeforeSend {}

/// ureq's default connector (TCP, proxy, rustls), its failures marked [`BeforeSend`] with
/// their I/O kind kept. A reused pooled connection does not pass through here.
#[derive(Debug, Default)]
struct BeforeSendConnector(DefaultConnector);

impl Connector<()> for BeforeSendConnector {
    type Out = <DefaultConnector as Connector<()>>::Out;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        self.0.connect(details, chained).map_err(|err| {
            let (kind, tls) = match &err {
                ureq::Error::Timeout(_) => return err,
                ureq::Error::Io(e) => (e.kind(), e.kind() == std::io::ErrorKind::InvalidData),
                ureq::Error::Rustls(_) | ureq::Error::Tls(_) | ureq::Error::Pem(_) => {
                    (std::io::ErrorKind::Other, true)
                }
                _ => (std::io::ErrorKind::Other, false),
            };
            let text = match (&err, tls) {
                (_, true) => format!("TLS handshake failed: {}", describe(&err)),
                _ => describe(&err),
            };
            ureq::Error::Io(std::io::Error::new(kind, BeforeSend { text, tls }))
        })
    }
}

/// The default resolver, except for one pinned host name.
#[derive(Debug)]
struct PinnedResolver {
    pin: Option<(String, Vec<SocketAddr>)>,
    fallback: DefaultResolver,
}

impl Resolver for PinnedResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        if let Some((name, addrs)) = &self.pin {
            if uri.host().is_some_and(|h| h.eq_ignore_ascii_case(name)) {
                let mut resolved = self.fallback.empty();
                for addr in addrs.iter().take(16) {
                    resolved.push(*addr);
                }
                if resolved.is_empty() {
                    return Err(ureq::Error::HostNotFound);
                }
                return Ok(resolved);
            }
        }
        self.fallback
            .resolve(uri, config, timeout)
            .map_err(|e| match e {
                ureq::Error::Timeout(_) => e,
                other => ureq::Error::Io(std::io::Error::other(NotResolved(format!(
                    "cannot resolve {}: {}",
                    uri.host().unwrap_or_default(),
                    describe(&other)
                )))),
            })
    }
}

/// A host name that could not be resolved: nothing was sent.
#[derive(Debug)]
struct NotResolved(String);

impl std::fmt::Display for NotResolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotResolved {}

/// How reading an answer's body stopped short. What had arrived goes with it: half an answer
/// may be half a secret (see `crate::secret_once`).
pub enum ReadStop {
    /// More than the most the caller reads.
    TooLarge,
    /// The time ran out.
    Timeout(Zeroizing<Vec<u8>>),
    /// The connection broke.
    Broken(String, Zeroizing<Vec<u8>>),
}

/// Reads a whole body within `timeout` of `started` (a server trickling bytes cannot hold
/// nvctl longer than that, plus one read's own timeout) and at most `max` bytes. The one
/// bounded reader of every answer nvctl reads: Vault's, Nomad's, a JWKS document.
pub fn read_body(
    body: &mut impl Read,
    started: Instant,
    timeout: Duration,
    max: usize,
) -> Result<Zeroizing<Vec<u8>>, ReadStop> {
    let mut read = Zeroizing::new(Vec::new());
    let mut chunk = Zeroizing::new(vec![0u8; 64 * 1024]);
    loop {
        let n = match body.read(&mut chunk) {
            Ok(0) => return Ok(read),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) if started.elapsed() >= timeout => return Err(ReadStop::Timeout(read)),
            Err(e) => {
                return Err(match read_failure(&e) {
                    Failure::Timeout => ReadStop::Timeout(read),
                    other => ReadStop::Broken(other.to_string(), read),
                })
            }
        };
        if read.len() + n > max {
            return Err(ReadStop::TooLarge);
        }
        read.extend_from_slice(&chunk[..n]);
        if started.elapsed() > timeout {
            return Err(ReadStop::Timeout(read));
        }
    }
}
