//! Workload identity: the JWKS, OIDC discovery, and identities signed with Nomad's claims.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use nomad_sandbox::{NomadSandbox, TaskIdentity};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use serde_json::{json, Value};

use crate::common::{get, send};

fn decode(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// nomad/encrypter.go:SignClaims (RS256 with the root key's RSA key since 1.7, `kid`,
/// `typ: JWT`) and command/agent/keyring_endpoint.go:JWKSRequest; the signature verifies
/// against the published key with a plain RSA implementation.
#[test]
fn identities_verify_against_the_published_rs256_key() {
    let nomad = NomadSandbox::builder().start().unwrap();
    // The JWKS is public: no token, even with ACLs on and not bootstrapped.
    let jwks = get(&nomad.addr(), "/.well-known/jwks.json", None);
    assert_eq!(jwks.status, 200);
    assert!(jwks
        .header("cache-control")
        .unwrap()
        .starts_with("max-age="));
    let key = jwks.json()["keys"][0].clone();
    assert_eq!(
        (
            key["kty"].as_str(),
            key["alg"].as_str(),
            key["use"].as_str()
        ),
        (Some("RSA"), Some("RS256"), Some("sig"))
    );

    let jwt = nomad.sign_task_identity(&TaskIdentity::new("web", "frontend", "server"));
    let parts: Vec<&str> = jwt.split('.').collect();
    let header = decode(parts[0]);
    assert_eq!(
        header,
        json!({"alg": "RS256", "kid": key["kid"], "typ": "JWT"})
    );
    let n =
        rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(key["n"].as_str().unwrap()).unwrap());
    let e =
        rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(key["e"].as_str().unwrap()).unwrap());
    let public = rsa::RsaPublicKey::new(n, e).unwrap();
    let verifier = VerifyingKey::<sha2::Sha256>::new(public);
    let signature =
        Signature::try_from(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().as_slice()).unwrap();
    verifier
        .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .expect("signature verifies against the JWKS");
}

/// nomad/structs/workload_id.go:Build + identity.go:setWorkloadSubject — Nomad's claims.
#[test]
fn identity_claims_have_nomads_shape() {
    let nomad = NomadSandbox::builder().region("eu").start().unwrap();
    let task = TaskIdentity::new("web", "frontend", "server")
        .namespace("prod")
        .vault_role("nomad-workloads")
        .ttl(Some(Duration::from_secs(3600)));
    let claims = decode(nomad.sign_task_identity(&task).split('.').nth(1).unwrap());
    assert_eq!(claims["nomad_namespace"], "prod");
    assert_eq!(claims["nomad_job_id"], "web");
    assert_eq!(claims["nomad_task"], "server");
    assert_eq!(claims["nomad_allocation_id"].as_str().unwrap().len(), 36);
    assert_eq!(claims["vault_role"], "nomad-workloads");
    assert_eq!(claims["aud"], "vault.io");
    assert_eq!(claims["sub"], "eu:prod:web:frontend:server:vault_default");
    let iat = claims["iat"].as_i64().unwrap();
    assert_eq!(claims["nbf"].as_i64(), Some(iat));
    assert_eq!(claims["exp"].as_i64(), Some(iat + 3600));
    assert!(claims.get("iss").is_none(), "no issuer without oidc_issuer");
}

/// A skewed Nomad signs identities with its own clock (seed 004's clock skew).
#[test]
fn a_skewed_clock_shows_in_iat() {
    let nomad = NomadSandbox::builder()
        .clock_ahead(Duration::from_secs(900))
        .start()
        .unwrap();
    let claims = decode(
        nomad
            .sign_task_identity(&TaskIdentity::new("a", "b", "c"))
            .split('.')
            .nth(1)
            .unwrap(),
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let ahead = claims["iat"].as_i64().unwrap() - now;
    assert!((895..=905).contains(&ahead), "{ahead}");
}

/// A registered job's task: group, vault role and the agent's default_identity fill the claims.
#[test]
fn the_vault_identity_of_a_registered_task() {
    let nomad = NomadSandbox::builder().acl_enabled(false).start().unwrap();
    nomad
        .register_job(&json!({"ID": "api", "TaskGroups": [{"Name": "g", "Tasks": [{"Name": "t", "Driver": "docker", "Vault": {"Role": "custom"}}]}]}))
        .unwrap();
    let jwt = nomad.sign_vault_identity("default", "api", "t").unwrap();
    let claims = decode(jwt.split('.').nth(1).unwrap());
    assert_eq!(claims["sub"], "global:default:api:g:t:vault_default");
    assert_eq!(claims["vault_role"], "custom");
    assert!(nomad
        .sign_vault_identity("default", "api", "nope")
        .is_none());
}

/// command/agent/keyring_endpoint.go:OIDCDiscoveryRequest — 404 unless `oidc_issuer` is set;
/// structs.NewOIDCDiscoveryConfig; SignClaims adds `iss`.
#[test]
fn oidc_discovery_needs_an_issuer() {
    let plain = NomadSandbox::builder().start().unwrap();
    get(&plain.addr(), "/.well-known/openid-configuration", None)
        .assert_error(404, "OIDC Discovery endpoint disabled");
    let nomad = NomadSandbox::builder()
        .oidc_issuer("https://nomad.example.com")
        .start()
        .unwrap();
    let disco = get(&nomad.addr(), "/.well-known/openid-configuration", None).json();
    assert_eq!(
        disco["jwks_uri"],
        "https://nomad.example.com/.well-known/jwks.json"
    );
    assert_eq!(
        disco["id_token_signing_alg_values_supported"],
        json!(["RS256", "EdDSA"])
    );
    let claims = decode(
        nomad
            .sign_task_identity(&TaskIdentity::new("a", "b", "c"))
            .split('.')
            .nth(1)
            .unwrap(),
    );
    assert_eq!(claims["iss"], "https://nomad.example.com");
    send(&nomad.addr(), "POST", "/.well-known/jwks.json", None, None)
        .assert_error(405, "Invalid method");
}

/// Before 1.7 Nomad signed with Ed25519 (EdDSA) keys.
#[test]
fn nomad_before_1_7_publishes_an_eddsa_key() {
    let nomad = NomadSandbox::builder().version("1.6.5").start().unwrap();
    let key = get(&nomad.addr(), "/.well-known/jwks.json", None).json()["keys"][0].clone();
    assert_eq!(
        (
            key["kty"].as_str(),
            key["crv"].as_str(),
            key["alg"].as_str()
        ),
        (Some("OKP"), Some("Ed25519"), Some("EdDSA"))
    );
}

/// auth.go:Authenticate — a JWT this agent signed authenticates as a workload: token/self
/// has no ACL token for it (404), and it may not manage ACLs.
#[test]
fn a_signed_identity_is_a_workload_not_a_token() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let jwt = nomad.sign_task_identity(&TaskIdentity::new("a", "b", "c"));
    get(&nomad.addr(), "/v1/acl/token/self", Some(&jwt)).assert_error(404, "ACL token not found");
    get(&nomad.addr(), "/v1/acl/tokens", Some(&jwt)).assert_error(403, "Permission denied");
}
