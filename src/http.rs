//! nvctl's one HTTP client, under the Vault client, the Nomad client and the JWKS preflight:
//! blocking ureq (no async runtime in nvctl, issue 12), rustls, no redirects followed (the
//! callers decide), every status an answer, one timeout over connect, send and the whole
//! answer. Failures come back sorted by what they mean for the request — nothing was sent, the
//! TLS handshake failed, the time ran out, or the connection broke after sending — because
//! that decides whether a request may be sent again.

use std::io::Read;
use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine;
use ureq::http::{HeaderMap, Request, Uri};

pub use ureq::http::{HeaderValue, Method};
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};
use url::Url;

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
    Ok(ClientCert::new_with_certs(&chain, key))
}

/// How a request failed, by what it means for the request.
#[derive(Debug)]
pub enum Failure {
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

/// One client: a connection pool with its TLS settings and timeout.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
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
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(redirects)
            .max_redirects_will_error(false)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout))
            .user_agent(concat!("nvctl/", env!("CARGO_PKG_VERSION")))
            // No gzip/brotli negotiated: answers are read as they come, bounded by the caller.
            .accept_encoding("identity")
            .tls_config(tls_config.build())
            .build();
        let resolver = PinnedResolver {
            pin,
            fallback: DefaultResolver::default(),
        };
        Client {
            agent: ureq::Agent::with_parts(config, DefaultConnector::default(), resolver),
        }
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
            .map_err(|e| Failure::Connect(format!("invalid URL: {e}")))?;
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| Failure::Connect(format!("the {name} header cannot be sent")))?;
            value.set_sensitive(true);
            request = request.header(*name, value);
        }
        if let Some(credentials) = credentials {
            let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
            let mut value = HeaderValue::from_str(&format!("Basic {encoded}"))
                .map_err(|_| Failure::Connect("the address's credentials cannot be sent".into()))?;
            value.set_sensitive(true);
            request = request.header("Authorization", value);
        }
        let answer = match body {
            Some(body) => request
                .body(body.to_vec())
                .map_err(|e| Failure::Connect(format!("invalid request: {e}")))
                .and_then(|r| self.agent.run(r).map_err(sort)),
            None => request
                .body(())
                .map_err(|e| Failure::Connect(format!("invalid request: {e}")))
                .and_then(|r| self.agent.run(r).map_err(sort)),
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

    /// The announced length of the body.
    pub fn content_length(&self) -> Option<u64> {
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
        ureq::Error::Rustls(e) => format!("TLS handshake failed: {e}"),
        ureq::Error::Tls(e) => format!("TLS handshake failed: {e}"),
        ureq::Error::HostNotFound => "the host name could not be resolved".to_string(),
        other => other.to_string(),
    }
}

/// Sorts a failed exchange by the phase it failed in, as far as it can be told: refusals, name
/// lookups, unreachable networks and handshakes happen before anything is sent; anything else
/// may have followed the request, and is said so (never retried where that would be unsafe).
fn sort(err: ureq::Error) -> Failure {
    use std::io::ErrorKind;
    let text = describe(&err);
    match &err {
        ureq::Error::Timeout(_) => Failure::Timeout,
        ureq::Error::Io(e) if e.kind() == ErrorKind::ConnectionRefused => Failure::Refused(text),
        ureq::Error::Io(e) if e.kind() == ErrorKind::TimedOut => Failure::Timeout,
        ureq::Error::Io(e) if e.get_ref().is_some_and(|inner| inner.is::<NotResolved>()) => {
            Failure::Connect(text)
        }
        ureq::Error::Io(e)
            if matches!(
                e.kind(),
                ErrorKind::NetworkUnreachable
                    | ErrorKind::HostUnreachable
                    | ErrorKind::AddrNotAvailable
                    | ErrorKind::NetworkDown
            ) =>
        {
            Failure::Connect(text)
        }
        // The TLS handshake's own failures come as invalid data (rustls' error inside).
        ureq::Error::Io(e) if e.kind() == ErrorKind::InvalidData => {
            Failure::Tls(format!("TLS handshake failed: {e}"))
        }
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) | ureq::Error::Pem(_) => Failure::Tls(text),
        ureq::Error::HostNotFound | ureq::Error::BadUri(_) | ureq::Error::ConnectionFailed => {
            Failure::Connect(text)
        }
        _ => Failure::AfterSend(text),
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

/// Reads a whole body within the bound `max` bytes; `None` when it is larger. For small
/// answers read in one go (the JWKS preflight).
pub fn read_bounded(response: &mut Response, max: usize) -> Result<Option<Vec<u8>>, Failure> {
    let mut body = Vec::new();
    let mut reader = response.body().take(max as u64 + 1);
    reader
        .read_to_end(&mut body)
        .map_err(|e| read_failure(&e))?;
    Ok((body.len() <= max).then_some(body))
}
