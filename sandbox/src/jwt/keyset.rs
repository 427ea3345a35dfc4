//! JSON Web Key sets: parsing, fetching a JWKS URL, and verifying a compact JWS against it.
//!
//! Vault's JWT method verifies through hashicorp/cap's key sets, which use go-oidc's
//! `RemoteKeySet`: keys are picked by `kid` when the token names one (else every key is
//! tried), and when no cached key verifies, the URL is fetched again once before giving up
//! with `failed to verify id token signature`. Ed25519 (`OKP`) and RSA keys verify (EdDSA,
//! RS256/384/512, PS256/384/512); `EC` keys are accepted in a set but never verify here.

use std::time::Duration;

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use ed25519_dalek::pkcs8::DecodePublicKey;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::signature::Verifier;
use rsa::{BigUint, RsaPublicKey};
use serde_json::{Map, Value};

/// How long a JWKS fetch may take before it counts as failed.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The public part of one key.
#[derive(Clone, PartialEq, Eq)]
pub enum PublicKey {
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(RsaPublicKey),
    /// A key type the sandbox cannot verify with (ECDSA); kept so a set holding one parses.
    Unverifiable,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PublicKey::Ed25519(_) => "Ed25519",
            PublicKey::Rsa(_) => "RSA",
            PublicKey::Unverifiable => "Unverifiable",
        })
    }
}

/// One JSON Web Key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwk {
    pub kid: String,
    pub key: PublicKey,
}

/// A parsed JWK set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet {
    pub keys: Vec<Jwk>,
}

/// Base64url, with or without padding (go-jose accepts both in keys).
pub fn b64url(text: &str) -> Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .or_else(|_| URL_SAFE.decode(text))
        .map_err(|e| format!("illegal base64 data: {e}"))
}

fn string_member<'a>(key: &'a Map<String, Value>, name: &str) -> Result<&'a str, String> {
    key.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("go-jose/go-jose: invalid {name} in JWK"))
}

fn parse_jwk(value: &Value) -> Result<Jwk, String> {
    let Some(key) = value.as_object() else {
        return Err("go-jose/go-jose: JWK must be a JSON object".to_string());
    };
    let kid = key
        .get("kid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let kty = key.get("kty").and_then(Value::as_str).unwrap_or_default();
    let public = match kty {
        "OKP" => {
            let crv = key.get("crv").and_then(Value::as_str).unwrap_or_default();
            if crv != "Ed25519" {
                return Err(format!("go-jose/go-jose: unsupported crv {crv:?}"));
            }
            let x = b64url(string_member(key, "x")?)?;
            let bytes: [u8; 32] = x
                .as_slice()
                .try_into()
                .map_err(|_| "go-jose/go-jose: invalid Ed25519 public key length".to_string())?;
            let verifying = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map_err(|e| format!("go-jose/go-jose: invalid Ed25519 public key: {e}"))?;
            PublicKey::Ed25519(verifying)
        }
        "RSA" => {
            let n = BigUint::from_bytes_be(&b64url(string_member(key, "n")?)?);
            let e = BigUint::from_bytes_be(&b64url(string_member(key, "e")?)?);
            let public = RsaPublicKey::new(n, e)
                .map_err(|e| format!("go-jose/go-jose: invalid RSA key: {e}"))?;
            PublicKey::Rsa(public)
        }
        "EC" => PublicKey::Unverifiable,
        other => {
            return Err(format!(
                "go-jose/go-jose: unknown json web key type '{other}'"
            ))
        }
    };
    Ok(Jwk { kid, key: public })
}

impl KeySet {
    /// Parses a JWK set document (`{"keys":[…]}`), with go-oidc's error wording.
    pub fn parse(body: &[u8]) -> Result<KeySet, String> {
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            format!(
                "oidc: failed to decode keys: {e} {}",
                String::from_utf8_lossy(body)
            )
        })?;
        let keys = match value.get("keys") {
            Some(Value::Array(keys)) => keys,
            Some(Value::Null) | None if value.is_object() => return Ok(KeySet::default()),
            _ => {
                return Err(format!(
                "oidc: failed to decode keys: json: cannot unmarshal into jose.JSONWebKeySet {}",
                String::from_utf8_lossy(body)
            ))
            }
        };
        let keys = keys
            .iter()
            .map(parse_jwk)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("oidc: failed to decode keys: {e}"))?;
        Ok(KeySet { keys })
    }

    /// Static keys from `jwt_validation_pubkeys` (PEM: PKIX Ed25519 or RSA, or PKCS#1 RSA).
    pub fn from_pems(pems: &[String]) -> Result<KeySet, String> {
        let mut keys = Vec::with_capacity(pems.len());
        for pem in pems {
            keys.push(Jwk {
                kid: String::new(),
                key: parse_public_key_pem(pem)?,
            });
        }
        Ok(KeySet { keys })
    }

    /// The claims payload if any suitable key verifies `jws`: keys with the token's `kid`, or
    /// every key when the token names none (go-oidc's remote key set).
    pub fn verify(&self, jws: &CompactJws) -> Option<Vec<u8>> {
        self.keys
            .iter()
            .filter(|k| jws.kid.is_empty() || k.kid == jws.kid)
            .find(|k| jws.verify_with(&k.key))
            .map(|_| jws.payload.clone())
    }

    /// Like [`KeySet::verify`] but trying every key whatever the token's `kid` (cap's static
    /// key set, for `jwt_validation_pubkeys`, whose keys have no ids).
    pub fn verify_any_key(&self, jws: &CompactJws) -> Option<Vec<u8>> {
        self.keys
            .iter()
            .find(|k| jws.verify_with(&k.key))
            .map(|_| jws.payload.clone())
    }
}

/// Parses one PEM public key as Vault's `certutil.ParsePublicKeyPEM` would accept it.
pub fn parse_public_key_pem(pem: &str) -> Result<PublicKey, String> {
    if let Ok(key) = ed25519_dalek::VerifyingKey::from_public_key_pem(pem) {
        return Ok(PublicKey::Ed25519(key));
    }
    if let Ok(key) = <RsaPublicKey as rsa::pkcs8::DecodePublicKey>::from_public_key_pem(pem) {
        return Ok(PublicKey::Rsa(key));
    }
    if let Ok(key) = RsaPublicKey::from_pkcs1_pem(pem) {
        return Ok(PublicKey::Rsa(key));
    }
    Err("data does not contain any valid public keys".to_string())
}

/// A JWS in compact serialisation, split and decoded but not yet verified.
#[derive(Debug, Clone)]
pub struct CompactJws {
    pub alg: String,
    pub kid: String,
    /// `<header>.<payload>` as sent: what the signature covers.
    signing_input: String,
    signature: Vec<u8>,
    pub payload: Vec<u8>,
}

/// The algorithms go-oidc lets through its parser (every asymmetric JOSE algorithm).
pub const ASYMMETRIC_ALGS: &[&str] = &[
    "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA",
];

impl CompactJws {
    /// Splits and decodes a compact JWS; errors read like go-oidc's `oidc: malformed jwt: …`.
    pub fn parse(token: &str) -> Result<CompactJws, String> {
        let malformed = |e: &str| format!("oidc: malformed jwt: {e}");
        let parts: Vec<&str> = token.trim().split('.').collect();
        if parts.len() != 3 {
            return Err(malformed(
                "go-jose/go-jose: compact JWS format must have three parts",
            ));
        }
        let header_bytes = b64url(parts[0]).map_err(|e| malformed(&e))?;
        let header: Value = serde_json::from_slice(&header_bytes)
            .map_err(|e| malformed(&format!("go-jose/go-jose: {e}")))?;
        let alg = header
            .get("alg")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if !ASYMMETRIC_ALGS.contains(&alg.as_str()) {
            return Err(malformed(&format!(
                "go-jose/go-jose: unexpected signature algorithm \"{alg}\"; expected [{}]",
                ASYMMETRIC_ALGS.join(" ")
            )));
        }
        let kid = header
            .get("kid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let payload = b64url(parts[1]).map_err(|e| malformed(&e))?;
        let signature = b64url(parts[2]).map_err(|e| malformed(&e))?;
        Ok(CompactJws {
            alg,
            kid,
            signing_input: format!("{}.{}", parts[0], parts[1]),
            signature,
            payload,
        })
    }

    /// Whether `key` verifies the signature under the header's `alg`.
    fn verify_with(&self, key: &PublicKey) -> bool {
        let message = self.signing_input.as_bytes();
        match (self.alg.as_str(), key) {
            ("EdDSA", PublicKey::Ed25519(key)) => {
                ed25519_dalek::Signature::from_slice(&self.signature)
                    .is_ok_and(|sig| key.verify(message, &sig).is_ok())
            }
            ("RS256", PublicKey::Rsa(key)) => {
                pkcs1v15::<sha2::Sha256>(key, message, &self.signature)
            }
            ("RS384", PublicKey::Rsa(key)) => {
                pkcs1v15::<sha2::Sha384>(key, message, &self.signature)
            }
            ("RS512", PublicKey::Rsa(key)) => {
                pkcs1v15::<sha2::Sha512>(key, message, &self.signature)
            }
            ("PS256", PublicKey::Rsa(key)) => pss::<sha2::Sha256>(key, message, &self.signature),
            ("PS384", PublicKey::Rsa(key)) => pss::<sha2::Sha384>(key, message, &self.signature),
            ("PS512", PublicKey::Rsa(key)) => pss::<sha2::Sha512>(key, message, &self.signature),
            _ => false,
        }
    }
}

fn pkcs1v15<D>(key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool
where
    D: sha2::Digest + rsa::pkcs8::AssociatedOid,
{
    let Ok(sig) = rsa::pkcs1v15::Signature::try_from(signature) else {
        return false;
    };
    rsa::pkcs1v15::VerifyingKey::<D>::new(key.clone())
        .verify(message, &sig)
        .is_ok()
}

fn pss<D>(key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool
where
    D: sha2::Digest + rsa::sha2::digest::FixedOutputReset,
{
    let Ok(sig) = rsa::pss::Signature::try_from(signature) else {
        return false;
    };
    rsa::pss::VerifyingKey::<D>::new(key.clone())
        .verify(message, &sig)
        .is_ok()
}

/// Why a JWKS URL could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// `jwks_ca_pem` holds no certificate (Vault: `error checking jwks_ca_pem`).
    CaPem(String),
    /// The GET failed, answered non-200, or the body is not a JWK set.
    Fetch(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::CaPem(e) | FetchError::Fetch(e) => f.write_str(e),
        }
    }
}

/// GETs `url` and parses the JWK set. With `ca_pem`, only those certificates are trusted
/// for https (Vault builds a fresh pool from it); without, the built-in web roots are.
///
/// Handlers never call this under the node's state lock: they hand it to the front end as a
/// [`crate::api::Deferred`] step, which awaits it with the lock released.
pub async fn fetch(url: String, ca_pem: String) -> Result<KeySet, FetchError> {
    let roots = if ca_pem.trim().is_empty() {
        None
    } else {
        let certs = reqwest::Certificate::from_pem_bundle(ca_pem.as_bytes())
            .ok()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| {
                FetchError::CaPem("could not parse CA PEM value successfully".to_string())
            })?;
        Some(certs)
    };
    let fail = |e: String| FetchError::Fetch(e);
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::limited(10));
    if let Some(certs) = roots {
        builder = builder.tls_built_in_root_certs(false);
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    let client = builder.build().map_err(|e| fail(e.to_string()))?;
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| fail(format!("oidc: get keys failed: {}", error_chain(&e))))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| fail(format!("oidc: get keys failed: {e}")))?;
    if status != reqwest::StatusCode::OK {
        return Err(fail(format!(
            "oidc: get keys failed: {status} {}",
            String::from_utf8_lossy(&body)
        )));
    }
    KeySet::parse(&body).map_err(FetchError::Fetch)
}

/// An error with its sources, as Go prints wrapped errors.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::Signer;

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn ed25519_token(
        key: &ed25519_dalek::SigningKey,
        kid: &str,
        alg: &str,
        claims: &str,
    ) -> String {
        let header = format!(r#"{{"alg":"{alg}","kid":"{kid}","typ":"JWT"}}"#);
        let input = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
        let sig = key.sign(input.as_bytes());
        format!("{input}.{}", b64(&sig.to_bytes()))
    }

    fn set_of(key: &ed25519_dalek::SigningKey, kid: &str) -> KeySet {
        let doc = format!(
            r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","kid":"{kid}","use":"sig","x":"{}"}}]}}"#,
            b64(key.verifying_key().as_bytes())
        );
        KeySet::parse(doc.as_bytes()).unwrap()
    }

    #[test]
    fn ed25519_signature_verifies_with_the_matching_kid_only() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let set = set_of(&key, "k1");
        let token = ed25519_token(&key, "k1", "EdDSA", r#"{"sub":"x"}"#);
        let jws = CompactJws::parse(&token).unwrap();
        assert_eq!(set.verify(&jws).unwrap(), br#"{"sub":"x"}"#);
        let other_kid = ed25519_token(&key, "k2", "EdDSA", r#"{"sub":"x"}"#);
        assert!(set
            .verify(&CompactJws::parse(&other_kid).unwrap())
            .is_none());
        let no_kid = ed25519_token(&key, "", "EdDSA", r#"{"sub":"x"}"#);
        assert!(set.verify(&CompactJws::parse(&no_kid).unwrap()).is_some());
    }

    #[test]
    fn tampered_payload_or_wrong_key_does_not_verify() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let set = set_of(&key, "k1");
        let token = ed25519_token(&key, "k1", "EdDSA", r#"{"sub":"x"}"#);
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        parts[1] = b64(br#"{"sub":"y"}"#);
        let tampered = parts.join(".");
        assert!(set.verify(&CompactJws::parse(&tampered).unwrap()).is_none());
        let stranger = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        let forged = ed25519_token(&stranger, "k1", "EdDSA", r#"{"sub":"x"}"#);
        assert!(set.verify(&CompactJws::parse(&forged).unwrap()).is_none());
    }

    #[test]
    fn malformed_tokens_and_symmetric_algorithms_are_rejected_when_parsed() {
        let err = CompactJws::parse("abc").unwrap_err();
        assert!(err.starts_with("oidc: malformed jwt: "), "{err}");
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let hs = ed25519_token(&key, "k1", "HS256", "{}");
        let err = CompactJws::parse(&hs).unwrap_err();
        assert!(
            err.contains("unexpected signature algorithm \"HS256\""),
            "{err}"
        );
    }

    #[test]
    fn key_sets_reject_unknown_key_types_and_non_json() {
        assert!(KeySet::parse(br#"{"keys":[{"kty":"oct","k":"AA"}]}"#)
            .unwrap_err()
            .contains("unknown json web key type"));
        assert!(KeySet::parse(b"<html>")
            .unwrap_err()
            .starts_with("oidc: failed to decode keys"));
        assert_eq!(KeySet::parse(br#"{"keys":[]}"#).unwrap().keys.len(), 0);
    }

    #[test]
    fn unreadable_ca_pem_is_reported_before_any_request() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let fetched = runtime.block_on(fetch(
            "http://127.0.0.1:9/jwks".into(),
            "-----BEGIN CERTIFICATE-----".into(),
        ));
        assert_eq!(
            fetched,
            Err(FetchError::CaPem(
                "could not parse CA PEM value successfully".into()
            ))
        );
    }
}
