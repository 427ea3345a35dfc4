//! Workload identity: the keyring's signing key, `/.well-known/jwks.json`,
//! `/.well-known/openid-configuration`, identity JWTs with Nomad's claims, and their
//! verification (a JWT sent as a token).
//!
//! Upstream: nomad/encrypter.go `SignClaims` (header `alg`, `kid`, `typ: JWT`; RS256 when the
//! root key has an RSA key — every key made by Nomad >= 1.7 — else EdDSA), `GetPublicKey`,
//! command/agent/keyring_endpoint.go `JWKSRequest` (Cache-Control from the newest key's create
//! time + `root_key_rotation_threshold`, 720h) and `OIDCDiscoveryRequest` (404 `OIDC Discovery
//! endpoint disabled` unless `oidc_issuer` is set), nomad/structs/workload_id.go
//! `WorkloadIdentityClaimsBuilder.Build` and nomad/structs/identity.go (`sub` =
//! `<region>:<namespace>:<job>:<group>:<task>:<identity>`).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use serde::Serialize;
use serde_json::{json, Value};

use crate::clock::unix_seconds;

/// `structs.JWKSPath`.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";
pub const OIDC_DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
/// `root_key_rotation_threshold` default.
const ROTATION_THRESHOLD: Duration = Duration::from_secs(720 * 3600);
/// `jwksMinMaxAge`.
const JWKS_MIN_MAX_AGE: Duration = Duration::from_secs(15 * 60);

enum KeyMaterial {
    Rsa(Box<rsa::RsaPrivateKey>),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

struct SigningKey {
    kid: String,
    material: KeyMaterial,
    create_time: SystemTime,
}

/// The agent's root key, generated on first use (RSA generation takes a moment).
pub struct Keyring {
    rs256: bool,
    key: Option<SigningKey>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("alg", &self.algorithm())
            .field("kid", &self.key.as_ref().map(|k| k.kid.as_str()))
            .finish()
    }
}

fn crypto_error() -> String {
    "invalid signature: go-jose/go-jose: error in cryptographic primitive".into()
}

impl Keyring {
    pub fn new(rs256: bool) -> Self {
        Keyring { rs256, key: None }
    }

    /// `RS256` or `EdDSA`.
    pub fn algorithm(&self) -> &'static str {
        if self.rs256 {
            "RS256"
        } else {
            "EdDSA"
        }
    }

    fn active(&mut self, now: SystemTime) -> &SigningKey {
        let rs256 = self.rs256;
        self.key.get_or_insert_with(|| SigningKey {
            kid: uuid::Uuid::new_v4().to_string(),
            material: if rs256 {
                // 2048 bits, as Nomad's root keys (structs.NewUnwrappedRootKey).
                match rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048) {
                    Ok(key) => KeyMaterial::Rsa(Box::new(key)),
                    Err(_) => KeyMaterial::Ed25519(Box::new(ed25519_dalek::SigningKey::generate(
                        &mut rand::rngs::OsRng,
                    ))),
                }
            } else {
                KeyMaterial::Ed25519(Box::new(ed25519_dalek::SigningKey::generate(
                    &mut rand::rngs::OsRng,
                )))
            },
            create_time: now,
        })
    }

    /// The key ID of the signing key.
    pub fn kid(&mut self, now: SystemTime) -> String {
        self.active(now).kid.clone()
    }

    /// The JWKS document and the `Cache-Control: max-age` Nomad sends with it.
    pub fn jwks(&mut self, now: SystemTime) -> (Value, String) {
        let key = self.active(now);
        let jwk = match &key.material {
            KeyMaterial::Rsa(k) => json!({
                "use": "sig", "kty": "RSA", "kid": key.kid, "alg": "RS256",
                "n": URL_SAFE_NO_PAD.encode(k.n().to_bytes_be()),
                "e": URL_SAFE_NO_PAD.encode(k.e().to_bytes_be()),
            }),
            KeyMaterial::Ed25519(k) => json!({
                "use": "sig", "kty": "OKP", "kid": key.kid, "crv": "Ed25519", "alg": "EdDSA",
                "x": URL_SAFE_NO_PAD.encode(k.verifying_key().as_bytes()),
            }),
        };
        let expires = key.create_time + ROTATION_THRESHOLD;
        let left = expires.duration_since(now).unwrap_or_default();
        let renew = if left / 2 < JWKS_MIN_MAX_AGE {
            JWKS_MIN_MAX_AGE
        } else {
            left / 2
        };
        let stagger = rand::random::<f64>() * renew.as_secs_f64() / 10.0;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let max_age = (renew.as_secs_f64() + stagger) as u64;
        (json!({ "keys": [jwk] }), format!("max-age={max_age}"))
    }

    /// A compact JWS over `claims`, as `Encrypter.SignClaims` makes it.
    pub fn sign(&mut self, claims: &impl Serialize, now: SystemTime) -> String {
        let key = self.active(now);
        let alg = match key.material {
            KeyMaterial::Rsa(_) => "RS256",
            KeyMaterial::Ed25519(_) => "EdDSA",
        };
        let header = json!({"alg": alg, "kid": key.kid, "typ": "JWT"});
        let payload = serde_json::to_vec(claims).unwrap_or_default();
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let signature = match &key.material {
            KeyMaterial::Rsa(k) => rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**k).clone())
                .sign(input.as_bytes())
                .to_vec(),
            KeyMaterial::Ed25519(k) => ed25519_dalek::Signer::sign(k.as_ref(), input.as_bytes())
                .to_bytes()
                .to_vec(),
        };
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// `Encrypter.VerifyClaim`: the claims of a JWT this keyring signed, or go-jose's error.
    pub fn verify(&mut self, jwt: &str) -> Result<Value, String> {
        let parts: Vec<&str> = jwt.split('.').collect();
        if parts.len() != 3 {
            return Err(
                "failed to parse signed token: go-jose/go-jose: compact JWS format must have three parts"
                    .into(),
            );
        }
        let decode = |part: &str| {
            URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|e| format!("failed to parse signed token: {e}"))
        };
        let header: Value = serde_json::from_slice(&decode(parts[0])?)
            .map_err(|e| format!("failed to parse signed token: {e}"))?;
        let signature = decode(parts[2])?;
        let kid = header
            .get("kid")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(key) = self.key.as_ref().filter(|k| k.kid == kid) else {
            return Err(format!("no such key {kid} in keyring"));
        };
        let input = format!("{}.{}", parts[0], parts[1]);
        let ok = match &key.material {
            KeyMaterial::Rsa(k) => {
                let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(k.to_public_key());
                rsa::pkcs1v15::Signature::try_from(signature.as_slice())
                    .is_ok_and(|sig| verifier.verify(input.as_bytes(), &sig).is_ok())
            }
            KeyMaterial::Ed25519(k) => ed25519_dalek::Signature::from_slice(&signature)
                .is_ok_and(|sig| k.verifying_key().verify(input.as_bytes(), &sig).is_ok()),
        };
        if !ok {
            return Err(crypto_error());
        }
        serde_json::from_slice(&decode(parts[1])?).map_err(|e| format!("invalid claims: {e}"))
    }
}

/// The task whose identity a test wants signed (what an allocation's task would get).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskIdentity {
    pub namespace: String,
    pub job_id: String,
    pub group: String,
    pub task: String,
    /// A fresh UUID unless set.
    pub allocation_id: String,
    /// `vault_default` for the Vault identity; `default` for the task's default identity.
    pub identity_name: String,
    /// `aud`; empty leaves the claim out.
    pub audience: Vec<String>,
    /// `exp` = now + ttl; `None` leaves the claim out (an identity that never expires).
    pub ttl: Option<Duration>,
    pub vault_role: String,
    pub vault_namespace: String,
    pub extra_claims: BTreeMap<String, String>,
}

impl TaskIdentity {
    /// The Vault identity (`vault_default`) of `task` in `group` of job `job_id` in the
    /// `default` namespace, with the audience and TTL of the `default_identity` that
    /// `nomad setup vault` configures (`vault.io`, 1h).
    pub fn new(job_id: &str, group: &str, task: &str) -> Self {
        TaskIdentity {
            namespace: "default".into(),
            job_id: job_id.into(),
            group: group.into(),
            task: task.into(),
            allocation_id: uuid::Uuid::new_v4().to_string(),
            identity_name: "vault_default".into(),
            audience: vec!["vault.io".into()],
            ttl: Some(Duration::from_secs(3600)),
            vault_role: String::new(),
            vault_namespace: String::new(),
            extra_claims: BTreeMap::new(),
        }
    }

    pub fn namespace(mut self, namespace: &str) -> Self {
        self.namespace = namespace.into();
        self
    }

    pub fn audience(mut self, audience: &[&str]) -> Self {
        self.audience = audience.iter().map(|a| a.to_string()).collect();
        self
    }

    pub fn ttl(mut self, ttl: Option<Duration>) -> Self {
        self.ttl = ttl;
        self
    }

    pub fn vault_role(mut self, role: &str) -> Self {
        self.vault_role = role.into();
        self
    }

    pub fn identity_name(mut self, name: &str) -> Self {
        self.identity_name = name.into();
        self
    }

    pub fn allocation_id(mut self, id: &str) -> Self {
        self.allocation_id = id.into();
        self
    }
}

/// `aud`: one audience is a plain string, several an array (go-jose `Audience.MarshalJSON`).
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The claims of a task's workload identity, in Nomad's field order.
#[derive(Debug, Serialize)]
pub struct IdentityClaims {
    nomad_namespace: String,
    nomad_job_id: String,
    nomad_allocation_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    nomad_task: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    vault_namespace: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    vault_role: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extra_claims: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<String>,
    sub: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<Audience>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exp: Option<i64>,
    nbf: i64,
    iat: i64,
    jti: String,
}

impl IdentityClaims {
    /// `WorkloadIdentityClaimsBuilder.Build(now)` for a task identity in `region`.
    pub fn build(task: &TaskIdentity, region: &str, issuer: Option<&str>, now: SystemTime) -> Self {
        let iat = unix_seconds(now);
        let aud = match task.audience.as_slice() {
            [] => None,
            [one] => Some(Audience::One(one.clone())),
            many => Some(Audience::Many(many.to_vec())),
        };
        IdentityClaims {
            nomad_namespace: task.namespace.clone(),
            nomad_job_id: task.job_id.clone(),
            nomad_allocation_id: task.allocation_id.clone(),
            nomad_task: task.task.clone(),
            vault_namespace: task.vault_namespace.clone(),
            vault_role: task.vault_role.clone(),
            extra_claims: task.extra_claims.clone(),
            iss: issuer.map(String::from),
            sub: [
                region,
                &task.namespace,
                &task.job_id,
                &task.group,
                &task.task,
                &task.identity_name,
            ]
            .join(":"),
            aud,
            exp: task
                .ttl
                .filter(|t| !t.is_zero())
                .map(|t| iat + i64::try_from(t.as_secs()).unwrap_or(i64::MAX / 2)),
            nbf: iat,
            iat,
            jti: uuid::Uuid::new_v4().to_string(),
        }
    }
}

/// `structs.NewOIDCDiscoveryConfig(issuer)`.
pub fn oidc_discovery(issuer: &str) -> Value {
    let jwks_uri = format!("{}{JWKS_PATH}", issuer.trim_end_matches('/'));
    json!({
        "issuer": issuer,
        "jwks_uri": jwks_uri,
        "id_token_signing_alg_values_supported": ["RS256", "EdDSA"],
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_identities_verify_and_tampering_is_caught() {
        let mut keyring = Keyring::new(false);
        let now = SystemTime::now();
        let claims = IdentityClaims::build(
            &TaskIdentity::new("web", "frontend", "server"),
            "global",
            None,
            now,
        );
        let jwt = keyring.sign(&claims, now);
        let verified = keyring.verify(&jwt).unwrap();
        assert_eq!(
            verified["sub"],
            "global:default:web:frontend:server:vault_default"
        );
        assert_eq!(verified["aud"], "vault.io");
        assert_eq!(verified["nomad_task"], "server");
        let mut parts: Vec<&str> = jwt.split('.').collect();
        let other = keyring.sign(
            &IdentityClaims::build(&TaskIdentity::new("db", "g", "t"), "global", None, now),
            now,
        );
        let other_payload = other.split('.').nth(1).unwrap().to_string();
        parts[1] = &other_payload;
        assert_eq!(
            keyring.verify(&parts.join(".")).unwrap_err(),
            crypto_error()
        );
        assert!(keyring.verify("abc").unwrap_err().contains("three parts"));
    }
}
