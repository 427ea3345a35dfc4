//! nomad-rules.md §5 (and vault-api.md §8): the workload-identity flow end to end on the wire.
//! `jwt` auth at `jwt-nomad` whose config fetches a loopback JWKS, the templated
//! `nomad-workloads` policy and role, and Nomad-like JWTs logging in: a job's token reads its
//! own secrets and nothing else; wrong audience, expiry, bad signature and a disallowed
//! algorithm are refused with Vault's messages.

use crate::common;

use std::net::TcpListener;
use std::time::Duration;

use common::call;
use serde_json::{json, Value};
use vault_sandbox::testing::{nomad_workload_claims, JwksServer};
use vault_sandbox::{Sandbox, SandboxHandle};

const HOUR: Duration = Duration::from_secs(3600);

fn dev() -> SandboxHandle {
    Sandbox::builder().dev("root").start().unwrap()
}

/// Enables `jwt` at `jwt-nomad` and returns the mount's accessor.
fn enable_jwt(node: &SandboxHandle) -> String {
    let enabled = call(
        &node.addr(),
        "POST",
        "sys/auth/jwt-nomad",
        Some("root"),
        Some(json!({"type": "jwt"})),
    );
    assert_eq!(enabled.status, 204, "{}", enabled.text);
    call(&node.addr(), "GET", "sys/auth", Some("root"), None).json()["data"]["jwt-nomad/"]
        ["accessor"]
        .as_str()
        .unwrap()
        .to_string()
}

fn write_config(node: &SandboxHandle, body: Value) -> common::Answer {
    call(
        &node.addr(),
        "POST",
        "auth/jwt-nomad/config",
        Some("root"),
        Some(body),
    )
}

/// The policy `nomad setup vault` writes, templated on the auth mount's accessor.
fn nomad_workloads_policy(accessor: &str) -> String {
    let ns = format!("{{{{identity.entity.aliases.{accessor}.metadata.nomad_namespace}}}}");
    let job = format!("{{{{identity.entity.aliases.{accessor}.metadata.nomad_job_id}}}}");
    format!(
        r#"path "secret/data/{ns}/{job}/*" {{
  capabilities = ["read"]
}}

path "secret/data/{ns}/{job}" {{
  capabilities = ["read"]
}}

path "secret/metadata/{ns}/*" {{
  capabilities = ["list"]
}}

path "secret/metadata/*" {{
  capabilities = ["list"]
}}
"#
    )
}

/// A dev node set up as `nomad setup vault` leaves it, with two jobs' secrets.
fn workload_identity_node(jwks: &JwksServer, algs: &[&str]) -> (SandboxHandle, String) {
    let node = dev();
    let accessor = enable_jwt(&node);
    let config = write_config(
        &node,
        json!({
            "jwks_url": jwks.url(),
            "jwt_supported_algs": algs,
            "default_role": "nomad-workloads",
        }),
    );
    assert_eq!(config.status, 204, "{}", config.text);
    let policy = call(
        &node.addr(),
        "PUT",
        "sys/policies/acl/nomad-workloads",
        Some("root"),
        Some(json!({"policy": nomad_workloads_policy(&accessor)})),
    );
    assert_eq!(policy.status, 204, "{}", policy.text);
    let role = call(
        &node.addr(),
        "POST",
        "auth/jwt-nomad/role/nomad-workloads",
        Some("root"),
        Some(json!({
            "role_type": "jwt",
            "bound_audiences": "vault.io",
            "user_claim": "/nomad_job_id",
            "user_claim_json_pointer": true,
            "claim_mappings": {
                "nomad_namespace": "nomad_namespace",
                "nomad_job_id": "nomad_job_id",
                "nomad_task": "nomad_task",
            },
            "token_type": "service",
            "token_period": "30m",
            "token_policies": ["nomad-workloads"],
        })),
    );
    assert_eq!(role.status, 204, "{}", role.text);
    for job in ["web", "api"] {
        let secret = call(
            &node.addr(),
            "POST",
            &format!("secret/data/default/{job}/config"),
            Some("root"),
            Some(json!({"data": {"password": format!("{job}-secret")}})),
        );
        assert_eq!(secret.status, 200, "{}", secret.text);
    }
    (node, accessor)
}

fn login(node: &SandboxHandle, body: Value) -> common::Answer {
    call(
        &node.addr(),
        "POST",
        "auth/jwt-nomad/login",
        None,
        Some(body),
    )
}

fn login_job(node: &SandboxHandle, jwks: &JwksServer, job: &str) -> Value {
    let jwt = jwks.sign(nomad_workload_claims(
        "default", job, "server", "vault.io", HOUR,
    ));
    let answer = login(node, json!({"role": "nomad-workloads", "jwt": jwt}));
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json()["auth"].clone()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// nomad-rules.md §5: writing the config fetches the JWKS URL; failures are Vault's
// `error checking jwks URL <url>`, an unreadable CA `error checking jwks_ca_pem`.
#[test]
fn config_write_fetches_the_jwks_url_and_reports_failures() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let node = dev();
    enable_jwt(&node);
    let ok = write_config(
        &node,
        json!({"jwks_url": jwks.url(), "jwt_supported_algs": ["EdDSA", "RS256"]}),
    );
    assert_eq!(ok.status, 204, "{}", ok.text);
    assert_eq!(jwks.requests(), 1);

    let dead = format!("http://127.0.0.1:{}/.well-known/jwks.json", free_port());
    let refused = write_config(&node, json!({"jwks_url": dead}));
    assert_eq!(
        (refused.status, refused.error()),
        (400, format!("error checking jwks URL {dead}"))
    );

    jwks.respond_with(500, "boom");
    let broken = write_config(&node, json!({"jwks_url": jwks.url()}));
    assert_eq!(
        (broken.status, broken.error()),
        (400, format!("error checking jwks URL {}", jwks.url()))
    );
    jwks.respond_with(200, "<html>not a key set</html>");
    let not_jwks = write_config(&node, json!({"jwks_url": jwks.url()}));
    assert_eq!(not_jwks.status, 400);
    jwks.serve_keys();

    let bad_ca = write_config(
        &node,
        json!({"jwks_url": jwks.url(), "jwks_ca_pem": "-----BEGIN CERTIFICATE-----"}),
    );
    assert_eq!(
        (bad_ca.status, bad_ca.error().as_str()),
        (400, "error checking jwks_ca_pem")
    );

    let bad_alg = write_config(
        &node,
        json!({"jwks_url": jwks.url(), "jwt_supported_algs": ["EdDSA", "HS256"]}),
    );
    assert_eq!(
        (bad_alg.status, bad_alg.error().as_str()),
        (
            400,
            "invalid jwt_supported_algs: unsupported signing algorithm \"HS256\""
        )
    );

    // Failed writes left the first config in place.
    let read = call(
        &node.addr(),
        "GET",
        "auth/jwt-nomad/config",
        Some("root"),
        None,
    )
    .json();
    assert_eq!(read["data"]["jwks_url"], jwks.url());
    assert_eq!(
        read["data"]["jwt_supported_algs"],
        json!(["EdDSA", "RS256"])
    );
}

// nomad-rules.md §5: a JWKS served over https is trusted only through `jwks_ca_pem`.
#[test]
fn https_jwks_url_is_trusted_through_jwks_ca_pem() {
    let jwks = JwksServer::start_ed25519_tls().unwrap();
    let node = dev();
    enable_jwt(&node);
    let untrusted = write_config(&node, json!({"jwks_url": jwks.url()}));
    assert_eq!(
        (untrusted.status, untrusted.error()),
        (400, format!("error checking jwks URL {}", jwks.url()))
    );
    let trusted = write_config(
        &node,
        json!({"jwks_url": jwks.url(), "jwks_ca_pem": jwks.ca_pem().unwrap()}),
    );
    assert_eq!(trusted.status, 204, "{}", trusted.text);
}

// nomad-rules.md §5: a workload's JWT logs in without a token and its token reads the job's
// own secrets (policy templated on the mount accessor) but gets 403 on another job's.
#[test]
fn workload_identity_token_reads_only_its_own_jobs_secrets() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let (node, accessor) = workload_identity_node(&jwks, &["EdDSA", "RS256"]);
    let auth = login_job(&node, &jwks, "web");
    let token = auth["client_token"].as_str().unwrap().to_string();
    assert!(token.starts_with("hvs."), "{token}");
    assert_eq!(auth["policies"], json!(["default", "nomad-workloads"]));
    assert_eq!(
        auth["token_policies"],
        json!(["default", "nomad-workloads"])
    );
    assert_eq!(
        auth["metadata"],
        json!({"nomad_job_id": "web", "nomad_namespace": "default", "nomad_task": "server",
               "role": "nomad-workloads"})
    );
    assert_eq!(auth["lease_duration"], 1800);
    assert_eq!(auth["renewable"], true);
    assert_eq!(auth["token_type"], "service");
    assert_eq!(auth["orphan"], true);
    assert_eq!(auth["num_uses"], 0);
    assert_eq!(auth["mfa_requirement"], Value::Null);
    let entity_id = auth["entity_id"].as_str().unwrap().to_string();
    assert_eq!(entity_id.len(), 36, "{entity_id}");
    assert!(!auth["accessor"].as_str().unwrap().is_empty());

    let own = call(
        &node.addr(),
        "GET",
        "secret/data/default/web/config",
        Some(&token),
        None,
    );
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(own.json()["data"]["data"]["password"], "web-secret");
    let other = call(
        &node.addr(),
        "GET",
        "secret/data/default/api/config",
        Some(&token),
        None,
    );
    assert_eq!(
        (other.status, other.error().as_str()),
        (403, "1 error occurred:\n\t* permission denied\n\n")
    );
    let write = call(
        &node.addr(),
        "POST",
        "secret/data/default/web/config",
        Some(&token),
        Some(json!({"data": {"x": "y"}})),
    );
    assert_eq!(write.status, 403);
    let list = call(
        &node.addr(),
        "LIST",
        "secret/metadata/default",
        Some(&token),
        None,
    );
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.json()["data"]["keys"], json!(["api/", "web/"]));

    // The token is tied to its entity; the alias carries the claim mappings.
    let me = call(
        &node.addr(),
        "GET",
        "auth/token/lookup-self",
        Some(&token),
        None,
    )
    .json();
    assert_eq!(me["data"]["entity_id"], entity_id.as_str());
    assert_eq!(me["data"]["path"], "auth/jwt-nomad/login");
    assert_eq!(me["data"]["display_name"], "jwt-nomad-web");
    assert_eq!(me["data"]["meta"]["nomad_job_id"], "web");
    let entity = call(
        &node.addr(),
        "GET",
        &format!("identity/entity/id/{entity_id}"),
        Some(&token),
        None,
    );
    assert_eq!(entity.status, 200, "{}", entity.text);
    let alias = &entity.json()["data"]["aliases"][0];
    assert_eq!(alias["name"], "web");
    assert_eq!(alias["mount_accessor"], accessor.as_str());
    assert_eq!(alias["mount_path"], "auth/jwt-nomad/");
    assert_eq!(alias["metadata"]["nomad_namespace"], "default");

    // Another job is another entity, whose entity the first token may not read; the same
    // job logging in again is the same entity.
    let api = login_job(&node, &jwks, "api");
    let api_entity = api["entity_id"].as_str().unwrap();
    assert_ne!(api_entity, entity_id);
    let foreign = call(
        &node.addr(),
        "GET",
        &format!("identity/entity/id/{api_entity}"),
        Some(&token),
        None,
    );
    assert_eq!(foreign.status, 403);
    let api_token = api["client_token"].as_str().unwrap();
    let api_read = call(
        &node.addr(),
        "GET",
        "secret/data/default/api/config",
        Some(api_token),
        None,
    );
    assert_eq!(api_read.json()["data"]["data"]["password"], "api-secret");
    assert_eq!(
        login_job(&node, &jwks, "web")["entity_id"],
        entity_id.as_str()
    );
}

// nomad-rules.md §5: `role` may be left out (the config's `default_role`); a missing role,
// token or user claim is refused with the plugin's messages.
#[test]
fn login_defaults_the_role_and_refuses_incomplete_requests() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let (node, _) = workload_identity_node(&jwks, &["EdDSA"]);
    let jwt = jwks.sign(nomad_workload_claims(
        "default", "web", "server", "vault.io", HOUR,
    ));
    let defaulted = login(&node, json!({"jwt": jwt}));
    assert_eq!(defaulted.status, 200, "{}", defaulted.text);
    assert_eq!(
        defaulted.json()["auth"]["metadata"]["role"],
        "nomad-workloads"
    );
    assert_eq!(defaulted.json()["mount_type"], "jwt");

    let unknown = login(&node, json!({"role": "nope", "jwt": jwt}));
    assert_eq!(
        (unknown.status, unknown.error().as_str()),
        (400, "role \"nope\" could not be found")
    );
    let missing = login(&node, json!({"role": "nomad-workloads"}));
    assert_eq!(
        (missing.status, missing.error().as_str()),
        (400, "missing token")
    );
    let mut claims = nomad_workload_claims("default", "web", "server", "vault.io", HOUR);
    claims.as_object_mut().unwrap().remove("nomad_job_id");
    let no_user = login(&node, json!({"jwt": jwks.sign(claims)}));
    assert_eq!(
        (no_user.status, no_user.error().as_str()),
        (400, "claim \"/nomad_job_id\" not found in token")
    );
}

// nomad-rules.md §5 (audience mismatch): a JWT whose `aud` is not in `bound_audiences` is refused.
#[test]
fn wrong_audience_is_refused() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let (node, _) = workload_identity_node(&jwks, &["EdDSA", "RS256"]);
    let jwt = jwks.sign(nomad_workload_claims(
        "default", "web", "server", "nomad.io", HOUR,
    ));
    let refused = login(&node, json!({"role": "nomad-workloads", "jwt": jwt}));
    assert_eq!(
        (refused.status, refused.error().as_str()),
        (
            400,
            "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience"
        )
    );
}

// nomad-rules.md §5: `exp` is checked against Vault's clock (one minute of skew allowed), and
// the periodic token itself expires when not renewed.
#[test]
fn expired_jwt_is_refused_once_the_clock_has_moved() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let (node, _) = workload_identity_node(&jwks, &["EdDSA"]);
    let jwt = jwks.sign(nomad_workload_claims(
        "default", "web", "server", "vault.io", HOUR,
    ));
    let first = login(&node, json!({"jwt": jwt}));
    assert_eq!(first.status, 200, "{}", first.text);
    let token = first.json()["auth"]["client_token"]
        .as_str()
        .unwrap()
        .to_string();
    node.advance_clock(2 * HOUR);
    let late = login(&node, json!({"jwt": jwt}));
    assert_eq!(
        (late.status, late.error().as_str()),
        (
            400,
            "error validating token: invalid expiration time (exp) claim: token is expired"
        )
    );
    let stale = call(
        &node.addr(),
        "GET",
        "secret/data/default/web/config",
        Some(&token),
        None,
    );
    assert_eq!(stale.status, 403);
}

// nomad-rules.md §5: a JWT whose signature does not verify against the JWKS is refused,
// as is one signed by a key the JWKS does not serve.
#[test]
fn bad_signature_is_refused() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let (node, _) = workload_identity_node(&jwks, &["EdDSA"]);
    let jwt = jwks.sign(nomad_workload_claims(
        "default", "web", "server", "vault.io", HOUR,
    ));
    let (signed, signature) = jwt.rsplit_once('.').unwrap();
    let mut flipped: Vec<char> = signature.chars().collect();
    flipped[10] = if flipped[10] == 'A' { 'B' } else { 'A' };
    let tampered = format!("{signed}.{}", flipped.into_iter().collect::<String>());
    let refused = login(&node, json!({"jwt": tampered}));
    assert_eq!(
        (refused.status, refused.error().as_str()),
        (
            400,
            "error validating token: error verifying token signature: failed to verify id token signature"
        )
    );
    let stranger = JwksServer::start_ed25519().unwrap();
    let foreign = stranger.sign(nomad_workload_claims(
        "default", "web", "server", "vault.io", HOUR,
    ));
    assert_eq!(login(&node, json!({"jwt": foreign})).status, 400);
    let garbage = login(&node, json!({"jwt": "not-a-jwt"}));
    assert_eq!(garbage.status, 400);
    assert!(
        garbage.error().starts_with(
            "error validating token: error verifying token signature: oidc: malformed jwt"
        ),
        "{}",
        garbage.error()
    );
}

// nomad-rules.md §5: the token's `alg` must be one of the config's `jwt_supported_algs`.
#[test]
fn algorithm_outside_jwt_supported_algs_is_refused() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let (node, _) = workload_identity_node(&jwks, &["RS256"]);
    let jwt = jwks.sign(nomad_workload_claims(
        "default", "web", "server", "vault.io", HOUR,
    ));
    let refused = login(&node, json!({"jwt": jwt}));
    assert_eq!(
        (refused.status, refused.error().as_str()),
        (
            400,
            "error validating token: invalid algorithm (alg) header parameter: token signed with unexpected algorithm"
        )
    );
}

// nomad-rules.md §5: RS256 workload identities verify as well as EdDSA ones.
#[test]
fn rs256_workload_identity_logs_in() {
    let jwks = JwksServer::start_rs256().unwrap();
    let (node, _) = workload_identity_node(&jwks, &["EdDSA", "RS256"]);
    let auth = login_job(&node, &jwks, "api");
    let read = call(
        &node.addr(),
        "GET",
        "secret/data/default/api/config",
        auth["client_token"].as_str(),
        None,
    );
    assert_eq!(read.status, 200, "{}", read.text);
}

// nomad-rules.md §5: when Nomad rotates its key, a login with the new `kid` fetches the JWKS
// again (go-oidc's remote key set) instead of failing.
#[test]
fn rotated_key_is_fetched_at_login() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let (node, _) = workload_identity_node(&jwks, &["EdDSA"]);
    login_job(&node, &jwks, "web");
    let fetched = jwks.requests();
    login_job(&node, &jwks, "web");
    assert_eq!(jwks.requests(), fetched, "a known key needs no fetch");
    jwks.rotate().unwrap();
    login_job(&node, &jwks, "web");
    assert_eq!(jwks.requests(), fetched + 1);
}

// nomad-rules.md §5: `bound_claims` on the role restrict which workloads may log in.
#[test]
fn bound_claims_restrict_which_workloads_log_in() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let (node, _) = workload_identity_node(&jwks, &["EdDSA"]);
    let role = call(
        &node.addr(),
        "POST",
        "auth/jwt-nomad/role/nomad-workloads",
        Some("root"),
        Some(json!({"bound_claims": {"nomad_namespace": ["prod"]}})),
    );
    assert_eq!(role.status, 204, "{}", role.text);
    let jwt = jwks.sign(nomad_workload_claims(
        "default", "web", "server", "vault.io", HOUR,
    ));
    let refused = login(&node, json!({"jwt": jwt}));
    assert_eq!(
        (refused.status, refused.error().as_str()),
        (
            400,
            "error validating claims: claim \"nomad_namespace\" does not match any associated bound claim values"
        )
    );
    let prod = jwks.sign(nomad_workload_claims(
        "prod", "web", "server", "vault.io", HOUR,
    ));
    assert_eq!(login(&node, json!({"jwt": prod})).status, 200);
}

// nomad-rules.md §5: re-enabling the auth method gives a new accessor, and a policy still
// templated on the old one silently grants nothing (the drift check-role looks for).
#[test]
fn policy_templated_on_a_stale_accessor_grants_nothing() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let (node, old_accessor) = workload_identity_node(&jwks, &["EdDSA"]);
    call(
        &node.addr(),
        "DELETE",
        "sys/auth/jwt-nomad",
        Some("root"),
        None,
    );
    let new_accessor = enable_jwt(&node);
    assert_ne!(new_accessor, old_accessor);
    write_config(
        &node,
        json!({"jwks_url": jwks.url(), "default_role": "nomad-workloads"}),
    );
    call(
        &node.addr(),
        "POST",
        "auth/jwt-nomad/role/nomad-workloads",
        Some("root"),
        Some(json!({
            "role_type": "jwt", "bound_audiences": "vault.io", "user_claim": "/nomad_job_id",
            "user_claim_json_pointer": true,
            "claim_mappings": {"nomad_namespace": "nomad_namespace", "nomad_job_id": "nomad_job_id"},
            "token_period": "30m", "token_policies": ["nomad-workloads"],
        })),
    );
    let auth = login_job(&node, &jwks, "web");
    let read = call(
        &node.addr(),
        "GET",
        "secret/data/default/web/config",
        auth["client_token"].as_str(),
        None,
    );
    assert_eq!(read.status, 403);
}

// vault-api.md §0: login is a logical request like any other: 503 while sealed.
#[test]
fn login_is_refused_while_sealed() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let (node, _) = workload_identity_node(&jwks, &["EdDSA"]);
    let sealed = call(&node.addr(), "PUT", "sys/seal", Some("root"), None);
    assert_eq!(sealed.status, 204);
    let jwt = jwks.sign(nomad_workload_claims(
        "default", "web", "server", "vault.io", HOUR,
    ));
    assert_eq!(login(&node, json!({"jwt": jwt})).status, 503);
}

// vault-api.md §8: instead of a JWKS URL, the config may carry PEM `jwt_validation_pubkeys`;
// they must parse, and logins verify against them.
#[test]
fn static_validation_keys_verify_logins() {
    let signer = JwksServer::start_ed25519().unwrap();
    let node = dev();
    enable_jwt(&node);
    let bad = write_config(&node, json!({"jwt_validation_pubkeys": ["not a key"]}));
    assert_eq!(
        (bad.status, bad.error().as_str()),
        (
            400,
            "error parsing public key: data does not contain any valid public keys"
        )
    );
    let ok = write_config(
        &node,
        json!({
            "jwt_validation_pubkeys": [signer.public_key_pem().unwrap()],
            "jwt_supported_algs": ["EdDSA"],
        }),
    );
    assert_eq!(ok.status, 204, "{}", ok.text);
    let role = call(
        &node.addr(),
        "POST",
        "auth/jwt-nomad/role/wi",
        Some("root"),
        Some(
            json!({"role_type": "jwt", "bound_audiences": ["vault.io"], "user_claim": "nomad_job_id"}),
        ),
    );
    assert_eq!(role.status, 204, "{}", role.text);
    let claims = nomad_workload_claims("default", "web", "server", "vault.io", HOUR);
    let good = login(
        &node,
        json!({"role": "wi", "jwt": signer.sign(claims.clone())}),
    );
    assert_eq!(good.status, 200, "{}", good.text);
    assert_eq!(good.json()["auth"]["policies"], json!(["default"]));
    let stranger = JwksServer::start_ed25519().unwrap();
    let refused = login(&node, json!({"role": "wi", "jwt": stranger.sign(claims)}));
    assert_eq!(
        (refused.status, refused.error().as_str()),
        (
            400,
            "error validating token: error verifying token signature: no known key successfully validated the token signature"
        )
    );
}

#[test]
fn capabilities_self_of_a_workload_token_renders_its_templated_rules() {
    // vault-api.md §7 with nomad-rules.md §5: the capabilities endpoint answers what the ACL
    // enforces, templated paths included.
    let jwks = JwksServer::start_ed25519().unwrap();
    let (node, _accessor) = workload_identity_node(&jwks, &["EdDSA"]);
    let auth = login_job(&node, &jwks, "web");
    let token = auth["client_token"].as_str().unwrap().to_string();
    let answer = call(
        &node.addr(),
        "POST",
        "sys/capabilities-self",
        Some(&token),
        Some(
            json!({"paths": ["secret/data/default/web/config", "secret/data/default/api/config"]}),
        ),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    let data = &answer.json()["data"];
    assert_eq!(data["secret/data/default/web/config"], json!(["read"]));
    assert_eq!(data["secret/data/default/api/config"], json!(["deny"]));
}

// The JWKS fetch of a config write runs with the node's state lock released (it is a deferred
// step, see api::Deferred): a key server that asks this same node for its health before it
// answers gets that answer, and the write then succeeds. Under the lock the health request
// could not be answered before the fetch timed out.
#[test]
fn the_jwks_fetch_runs_without_the_node_lock() {
    use std::io::{Read, Write};
    let node = dev();
    enable_jwt(&node);
    let keys = JwksServer::start_ed25519().unwrap();
    let body = keys.jwks().to_string();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    let addr = node.addr();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request).unwrap();
        let health = call(&addr, "GET", "sys/health", None, None).status;
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(answer.as_bytes()).unwrap();
        health
    });
    let written = write_config(&node, json!({ "jwks_url": url }));
    assert_eq!(written.status, 204, "{}", written.text);
    assert_eq!(server.join().unwrap(), 200);
}
