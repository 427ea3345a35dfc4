//! Helpers for tests of the workload-identity flow (nvctl's and the sandbox's own): a JWKS
//! server on loopback whose keys sign Nomad-like workload identity JWTs.
//!
//! ```no_run
//! use std::time::Duration;
//! use vault_sandbox::testing::{nomad_workload_claims, JwksServer};
//! let jwks = JwksServer::start_ed25519().unwrap();
//! let claims = nomad_workload_claims("default", "web", "server", "vault.io", Duration::from_secs(3600));
//! let jwt = jwks.sign(claims);
//! println!("{} {}", jwks.url(), jwt.len());
//! ```
//!
//! The server answers `GET /.well-known/jwks.json` with the public keys (any other path: 404),
//! one request per connection, until it is dropped. [`JwksServer::start_ed25519_tls`] serves
//! https with a certificate from a fresh throw-away CA, whose PEM is [`JwksServer::ca_pem`]
//! (what `jwks_ca_pem` must carry for Vault to trust it).

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};

/// The path the server serves its key set on (Nomad's).
pub const JWKS_PATH: &str = "/.well-known/jwks.json";

/// A fixed 2048-bit RSA key for RS256 test tokens: generating one in a debug build takes
/// seconds. It is a test fixture, trusted nowhere.
const TEST_RSA_KEY_PEM: &str = r"
-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCL7F9xh1mef8yE
BzayJRvyDquWziUJ6drAMRkfv9+qqmclGrjhkRuLzY8p7KEOkQHIajQSHMPxsuNJ
Ns4tPT2c2Ir3d2kpoWDFiGOaaY8l1F2La/qW0l9s1alWRQrSiYzmABzF53my/zQQ
utm7zcrjVYEhqSZ6CXcJYMIszB1/HqfGu3nmSqxDICd7ghNuAGakA++v1eCcxm45
8Gcb5U64AWd60nGQ++yV1wBE99g3vGGF7MuFpOCidba9zDnmnwQgdyEtUA9Rxjb3
eztLDTsH5pNx6E6qxQqHrR9av1BlkFKP0CvgFR6P1dSEKJJYi6kDy4uwYre9ngsi
dnjtq1IRAgMBAAECggEANtohalSIjemEp6daSkjg5SnaG2LRw0qhPiGhO0CRMord
p36LxqWHem1Jd8JzOs4euE3l/sm3CLu7fRqWhcaRrjh3dd6iY7cHRDic7039V3Oi
fkMEt/ZdgUFbQl4LiZBxo0KdBPoiy8hexUYyj/xzUl5VInh4hHPMbek4Ba64y3mJ
ITlHEpTHK9Zns2q28/kQTWjCTFxQ08uCPeYn+Z1IQMXUcNSclRyxcNYd7mtd5SAu
thhZ1JTM963hU4Yzm+hAEWEOmrC2cO7S63TamhiSFMsvq4Mn47AH/7IMHhWwmLhn
7Rzh+vzcJ/tpzZ6uOnfYffhzNT/ut8P/vMLtlGtr3wKBgQC9VF1gwZ8ieaMBs+77
N7iXRyhVe942toAXkrqXm+3ug3vSuAN3d8RCWDimEjiffE6VPFLsf8BI3umqct10
b6aKbSWOZOXQNmpFw4j7Xfj7zoP4nozlq2jPFT6evakzRwQ+4l6LWWfxICZt2tQz
jKXqC8TJHLak7hqQ18j+G6cbTwKBgQC9MiXlaNkO2a4jGJDiP39VdCdoydXsIbV+
7hzgPMJKt2c2ZtEYYg3p6GhVLkjw9CpTZtxhFC9/5jwPEZjr/vS6odChIQ4W7xrL
6I2S71WU6MVITv3uJKcc2qTKTIa4LlXxok46RyAOMcuxKjGzYzxcngI8BVHOcq2g
hHlzysHknwKBgCrwx3z6bS1UiTQJq1ou+R7WdL9uqKegHM076jYYl45RI/RW5/Jg
p5Kkj7SazVzexLP0Spp5HxNn+3c9Nh0CdbNPrgTtvXHL5a6M+rSIS8BQxn3M+Aff
KJZPKzS1r3qB0OSyUt8oF/sIX67qwtYuQDMlGCzE5mfh2QSg7GU1wGDhAoGBAI6z
P2AcR/NqfmycP9NWX1194aeo7MBQ4IsfYApF6anfUWr3++gvNR1jHSZ6ZavQDgig
AcL7LaSDbHNVK4l84OvP1wNhYjYsHIMGIZpdCKjrNLoIUoEHhkA+LaMkO0y6Ljq1
19kfAm+SYXd8QsZyJ/oXd8n7nStg1dLHeK+8k6gzAoGBAKAWh+x7f79w+cS+7i5q
/PM3xlf4iXfr7yATk1gsguaqztLPFo/uVi2RwPaWe7doBLnbJ8gHvFA4IvHEKNtY
su5P9QBb4oBjSDlHWuzplbbm0PtcD3+BrgdGtjv/aj3rkPc5GmCXKgf9OjWFK6mi
kF6yq/Dym+2JJoT2STYXCFyG
-----END PRIVATE KEY-----
";

/// One signing key with its key id.
#[derive(Clone)]
enum TestKey {
    Ed25519 {
        kid: String,
        key: Box<ed25519_dalek::SigningKey>,
    },
    Rsa {
        kid: String,
        key: Box<rsa::RsaPrivateKey>,
    },
}

impl TestKey {
    fn ed25519() -> TestKey {
        TestKey::Ed25519 {
            kid: uuid::Uuid::new_v4().to_string(),
            key: Box::new(ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng)),
        }
    }

    fn rsa() -> io::Result<TestKey> {
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(TEST_RSA_KEY_PEM)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        Ok(TestKey::Rsa {
            kid: uuid::Uuid::new_v4().to_string(),
            key: Box::new(key),
        })
    }

    fn kid(&self) -> &str {
        match self {
            TestKey::Ed25519 { kid, .. } | TestKey::Rsa { kid, .. } => kid,
        }
    }

    fn alg(&self) -> &'static str {
        match self {
            TestKey::Ed25519 { .. } => "EdDSA",
            TestKey::Rsa { .. } => "RS256",
        }
    }

    fn jwk(&self) -> Value {
        match self {
            TestKey::Ed25519 { kid, key } => json!({
                "kty": "OKP", "crv": "Ed25519", "use": "sig", "alg": "EdDSA", "kid": kid,
                "x": URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()),
            }),
            TestKey::Rsa { kid, key } => json!({
                "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
                "n": URL_SAFE_NO_PAD.encode(key.n().to_bytes_be()),
                "e": URL_SAFE_NO_PAD.encode(key.e().to_bytes_be()),
            }),
        }
    }

    fn public_key_pem(&self) -> io::Result<String> {
        let pem = match self {
            TestKey::Ed25519 { key, .. } => {
                ed25519_dalek::pkcs8::EncodePublicKey::to_public_key_pem(
                    &key.verifying_key(),
                    Default::default(),
                )
                .map_err(other_io)?
            }
            TestKey::Rsa { key, .. } => rsa::pkcs8::EncodePublicKey::to_public_key_pem(
                &key.to_public_key(),
                Default::default(),
            )
            .map_err(other_io)?,
        };
        Ok(pem)
    }

    fn sign(&self, input: &[u8]) -> Vec<u8> {
        match self {
            TestKey::Ed25519 { key, .. } => ed25519_dalek::Signer::sign(key.as_ref(), input)
                .to_bytes()
                .to_vec(),
            TestKey::Rsa { key, .. } => {
                let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**key).clone());
                signer.sign(input).to_vec()
            }
        }
    }
}

/// What the server thread shares with the handle.
struct Shared {
    keys: Mutex<Vec<TestKey>>,
    /// When set, every request is answered with this status and body instead.
    response: Mutex<Option<(u16, String)>>,
    /// Answer every request with 307 to this Location (for nvctl's redirect rules).
    redirect: Mutex<Option<String>>,
    requests: AtomicUsize,
    stop: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A JWKS server on 127.0.0.1 with one signing key; stops when dropped.
pub struct JwksServer {
    addr: SocketAddr,
    tls: bool,
    ca_pem: Option<String>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for JwksServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksServer")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl JwksServer {
    /// Plain http, one Ed25519 key (`EdDSA`, as Nomad signs workload identities).
    pub fn start_ed25519() -> io::Result<JwksServer> {
        Self::start(TestKey::ed25519(), None)
    }

    /// Plain http, one RSA key (`RS256`).
    pub fn start_rs256() -> io::Result<JwksServer> {
        Self::start(TestKey::rsa()?, None)
    }

    /// https with a certificate for `127.0.0.1`/`localhost` from a fresh CA; one Ed25519 key.
    pub fn start_ed25519_tls() -> io::Result<JwksServer> {
        let (config, ca_pem) = tls_config()?;
        let mut server = Self::start(TestKey::ed25519(), Some(config))?;
        server.ca_pem = Some(ca_pem);
        Ok(server)
    }

    fn start(key: TestKey, tls: Option<Arc<rustls::ServerConfig>>) -> io::Result<JwksServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            keys: Mutex::new(vec![key]),
            response: Mutex::new(None),
            redirect: Mutex::new(None),
            requests: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        });
        let tls_on = tls.is_some();
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("vault-sandbox-test-jwks".into())
            .spawn(move || serve(listener, thread_shared, tls))?;
        Ok(JwksServer {
            addr,
            tls: tls_on,
            ca_pem: None,
            shared,
            thread: Some(thread),
        })
    }

    /// `http(s)://127.0.0.1:<port>`: the address of a Nomad agent serving the key set.
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The JWKS URL: `<base_url>/.well-known/jwks.json`.
    pub fn url(&self) -> String {
        format!("{}{JWKS_PATH}", self.base_url())
    }

    /// The CA certificate (PEM) of a TLS server; `None` for plain http.
    pub fn ca_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    /// The current signing key's `kid`.
    pub fn kid(&self) -> String {
        lock(&self.shared.keys)
            .first()
            .map(|k| k.kid().to_string())
            .unwrap_or_default()
    }

    /// The current signing key's algorithm (`EdDSA` or `RS256`).
    pub fn alg(&self) -> &'static str {
        lock(&self.shared.keys)
            .first()
            .map(TestKey::alg)
            .unwrap_or("EdDSA")
    }

    /// The JWK set document the server answers with.
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = lock(&self.shared.keys).iter().map(TestKey::jwk).collect();
        json!({ "keys": keys })
    }

    /// The current signing key's public key as PKIX PEM (for `jwt_validation_pubkeys`).
    pub fn public_key_pem(&self) -> io::Result<String> {
        match lock(&self.shared.keys).first() {
            Some(key) => key.public_key_pem(),
            None => Err(io::Error::other("no signing key")),
        }
    }

    /// A compact JWS of `claims`, signed by the current key, its `kid` in the header.
    pub fn sign(&self, claims: Value) -> String {
        let keys = lock(&self.shared.keys);
        let Some(key) = keys.first() else {
            return String::new();
        };
        let header = json!({"alg": key.alg(), "kid": key.kid(), "typ": "JWT"});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// Replaces the signing key with a fresh one of the same kind (new `kid`), as a Nomad
    /// key rotation does; the old key is no longer served.
    pub fn rotate(&self) -> io::Result<()> {
        let mut keys = lock(&self.shared.keys);
        let fresh = match keys.first() {
            Some(TestKey::Rsa { .. }) => TestKey::rsa()?,
            _ => TestKey::ed25519(),
        };
        *keys = vec![fresh];
        Ok(())
    }

    /// Answers every request with `status` and `body` instead of the key set (a broken
    /// JWKS endpoint); [`JwksServer::serve_keys`] undoes it.
    pub fn respond_with(&self, status: u16, body: &str) {
        *lock(&self.shared.response) = Some((status, body.to_string()));
    }

    /// Answers every request with `307 Temporary Redirect` to `location` (as a Vault standby
    /// does), whatever else was set.
    pub fn redirect_to(&self, location: &str) {
        *lock(&self.shared.redirect) = Some(location.to_string());
    }

    /// Serves the key set again after [`JwksServer::respond_with`].
    pub fn serve_keys(&self) {
        *lock(&self.shared.response) = None;
    }

    /// How many HTTP requests the server has answered.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The claims Nomad puts in a task's default workload identity for Vault (`vault_default`),
/// valid from now for `ttl`.
pub fn nomad_workload_claims(
    namespace: &str,
    job_id: &str,
    task: &str,
    audience: &str,
    ttl: Duration,
) -> Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    json!({
        "aud": [audience],
        "iat": now,
        "nbf": now,
        "exp": now + ttl.as_secs(),
        "jti": uuid::Uuid::new_v4().to_string(),
        "sub": format!("global:{namespace}:{job_id}:{job_id}:{task}:vault_default"),
        "nomad_namespace": namespace,
        "nomad_job_id": job_id,
        "nomad_task": task,
        "nomad_allocation_id": uuid::Uuid::new_v4().to_string(),
    })
}

fn other_io(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// A server certificate for 127.0.0.1 and localhost, signed by a fresh CA; returns the
/// rustls config and the CA's PEM.
fn tls_config() -> io::Result<(Arc<rustls::ServerConfig>, String)> {
    let ca_key = rcgen::KeyPair::generate().map_err(other_io)?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(other_io)?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "vault-sandbox test JWKS CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).map_err(other_io)?;
    let leaf_key = rcgen::KeyPair::generate().map_err(other_io)?;
    let mut leaf_params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .map_err(other_io)?;
    leaf_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "127.0.0.1");
    let leaf = leaf_params.signed_by(&leaf_key, &ca).map_err(other_io)?;
    let key = rustls::pki_types::PrivatePkcs8KeyDer::from(leaf_key.serialize_der());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(other_io)?
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone()], key.into())
    .map_err(other_io)?;
    Ok((Arc::new(config), ca.pem()))
}

/// Accepts connections until asked to stop; polls so that a drop never waits on `accept`.
fn serve(listener: TcpListener, shared: Arc<Shared>, tls: Option<Arc<rustls::ServerConfig>>) {
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = answer(stream, &shared, tls.as_ref());
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

fn answer(
    stream: TcpStream,
    shared: &Shared,
    tls: Option<&Arc<rustls::ServerConfig>>,
) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    match tls {
        Some(config) => {
            let connection = rustls::ServerConnection::new(Arc::clone(config)).map_err(other_io)?;
            let mut tls_stream = rustls::StreamOwned::new(connection, stream);
            exchange(&mut tls_stream, shared)?;
            tls_stream.conn.send_close_notify();
            tls_stream.flush()
        }
        None => {
            let mut plain = stream;
            exchange(&mut plain, shared)
        }
    }
}

/// Reads one request head and writes the answer.
fn exchange(stream: &mut (impl Read + Write), shared: &Shared) -> io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let path = head
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .unwrap_or_default()
        .to_string();
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let overridden = lock(&shared.response).clone();
    let (status, body) = match overridden {
        Some(answer) => answer,
        None if path.split('?').next() == Some(JWKS_PATH) => {
            let keys: Vec<Value> = lock(&shared.keys).iter().map(TestKey::jwk).collect();
            (200, json!({ "keys": keys }).to_string())
        }
        None => (404, "404 page not found\n".to_string()),
    };
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    };
    let response = match lock(&shared.redirect).clone() {
        Some(location) => format!(
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            path.split_once("/v1/").map(|(_, rest)| format!("/v1/{rest}")).unwrap_or_default()
        ),
        None => format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    };
    stream.write_all(response.as_bytes())?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::keyset::{CompactJws, KeySet};

    #[test]
    fn signed_tokens_verify_against_the_served_key_set() {
        for server in [
            JwksServer::start_ed25519().unwrap(),
            JwksServer::start_rs256().unwrap(),
        ] {
            let set = KeySet::parse(server.jwks().to_string().as_bytes()).unwrap();
            let token = server.sign(json!({"sub": "x"}));
            let jws = CompactJws::parse(&token).unwrap();
            assert_eq!(jws.alg, server.alg());
            assert_eq!(jws.kid, server.kid());
            assert!(set.verify(&jws).is_some());
        }
    }

    #[test]
    fn the_key_set_is_fetched_over_http_and_over_tls_with_its_ca() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let fetch = |url: String, ca: &str| {
            runtime.block_on(crate::jwt::keyset::fetch(url, ca.to_string()))
        };
        let plain = JwksServer::start_ed25519().unwrap();
        let fetched = fetch(plain.url(), "").unwrap();
        assert_eq!(fetched.keys.len(), 1);
        assert_eq!(fetched.keys[0].kid, plain.kid());
        assert_eq!(plain.requests(), 1);

        let tls = JwksServer::start_ed25519_tls().unwrap();
        assert!(tls.url().starts_with("https://127.0.0.1:"));
        let ca = tls.ca_pem().unwrap();
        assert!(fetch(tls.url(), &ca).is_ok());
        // Without the CA (web roots only), the certificate is not trusted.
        assert!(fetch(tls.url(), "").is_err());
    }
}
