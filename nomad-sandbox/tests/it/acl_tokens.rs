//! `/v1/acl/tokens`, `/v1/acl/token` and `/v1/acl/token/:accessor|self`: what Vault's Nomad
//! engine calls (create, delete) and what nvctl checks (self).

use nomad_sandbox::NomadSandbox;
use serde_json::{json, Value};

use crate::common::{get, put, send, send_with, DEPLOY_RULES};

/// Exactly what Vault's nomad engine sends for a client role (vault-api-engines.md §6).
fn vault_create_body(name: &str, kind: &str, policies: Value) -> String {
    json!({"ExpirationTTL": "", "AccessorID": "", "SecretID": "", "Name": name, "Type": kind,
           "Policies": policies, "Roles": null, "Global": false,
           "CreateTime": "0001-01-01T00:00:00Z", "CreateIndex": 0, "ModifyIndex": 0})
    .to_string()
}

/// nomad/acl_endpoint.go:UpsertTokens + structs.ACLToken.Canonicalize: fresh IDs, a create
/// time, the hash; policy names are not checked to exist.
#[test]
fn vaults_create_request_mints_a_client_token() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    let body = vault_create_body(
        "vault-deployer-root-1767261600123456789",
        "client",
        json!(["deploy"]),
    );
    let answer = put(&nomad.addr(), "/v1/acl/token", Some(&root), &body);
    assert_eq!(answer.status, 200, "{}", answer.text);
    let t = answer.json();
    assert_eq!(t["Name"], "vault-deployer-root-1767261600123456789");
    assert_eq!(t["Type"], "client");
    assert_eq!(t["Policies"], json!(["deploy"]));
    assert_eq!(t["Roles"], Value::Null);
    assert_eq!(t["ExpirationTTL"], "");
    assert_ne!(t["CreateTime"], "0001-01-01T00:00:00Z");
    assert!(
        t["AccessorID"].as_str().unwrap().len() == 36
            && t["SecretID"].as_str().unwrap().len() == 36
    );
    assert_eq!(
        answer.header("x-nomad-index"),
        Some(t["CreateIndex"].to_string())
    );

    // The minted token reads itself (what nvctl's verify does); the policy does not exist.
    let me = get(&nomad.addr(), "/v1/acl/token/self", t["SecretID"].as_str());
    assert_eq!(me.json()["Policies"], json!(["deploy"]));
    // POST works the same (the Nomad api client sends PUT).
    let post = send(
        &nomad.addr(),
        "POST",
        "/v1/acl/token",
        Some(&root),
        Some(&vault_create_body("m", "management", Value::Null)),
    );
    assert_eq!(post.json()["Type"], "management");
}

/// structs.ACLToken.Validate via UpsertTokens: `token 0 invalid: <multierror>`.
#[test]
fn invalid_tokens_are_refused_with_nomads_messages() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    let cases = [
        (vault_create_body("a", "client", Value::Null), "token 0 invalid: 1 error occurred:\n\t* client token missing policies or roles\n\n".to_string()),
        (vault_create_body("a", "management", json!(["deploy"])), "token 0 invalid: 1 error occurred:\n\t* management token cannot be associated with policies or roles\n\n".into()),
        (vault_create_body("a", "", Value::Null), "token 0 invalid: 1 error occurred:\n\t* token type must be client or management\n\n".into()),
        (vault_create_body(&"n".repeat(257), "client", json!(["deploy"])), "token 0 invalid: 1 error occurred:\n\t* token name too long\n\n".into()),
    ];
    for (body, expected) in cases {
        put(&nomad.addr(), "/v1/acl/token", Some(&root), &body).assert_error(400, &expected);
    }
    // A TTL outside [1m, 24h] (acl token_min/max_expiration_ttl defaults).
    put(&nomad.addr(), "/v1/acl/token", Some(&root), r#"{"Type":"client","Policies":["x"],"ExpirationTTL":"48h"}"#)
        .assert_error(400, "token 0 invalid: 1 error occurred:\n\t* expiration time cannot be more than 24h0m0s in the future (was 48h0m0s)\n\n");
    // Roles must exist (there are none).
    put(
        &nomad.addr(),
        "/v1/acl/token",
        Some(&root),
        r#"{"Type":"client","Roles":[{"Name":"ops"}]}"#,
    )
    .assert_error(400, "cannot find role ops");
    // encoding/json's words for a body of the wrong shape.
    put(
        &nomad.addr(),
        "/v1/acl/token",
        Some(&root),
        r#"{"Type":"client","Policies":"deploy"}"#,
    )
    .assert_error(
        400,
        "json: cannot unmarshal string into Go struct field ACLToken.Policies of type []string",
    );
    assert_eq!(
        nomad.token_accessors().len(),
        1,
        "only the bootstrap token exists"
    );
}

/// nomad/acl_endpoint.go:UpsertTokens — management only; an unknown secret is
/// `Permission denied` (Authenticate, Nomad >= 1.5), as is a client token.
#[test]
fn creating_tokens_needs_a_management_token() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    nomad.put_policy("deploy", DEPLOY_RULES).unwrap();
    let (_, client) = nomad.create_token("ci", "client", &["deploy"]).unwrap();
    let body = vault_create_body("x", "client", json!(["deploy"]));
    let addr = nomad.addr();
    put(&addr, "/v1/acl/token", Some(&client), &body).assert_error(403, "Permission denied");
    put(
        &addr,
        "/v1/acl/token",
        Some("65af6f07-7f57-bb24-cdae-a27f86a894ce"),
        &body,
    )
    .assert_error(403, "Permission denied");
    put(&addr, "/v1/acl/token", None, &body).assert_error(403, "Permission denied");
    get(&addr, "/v1/acl/token", Some(&client)).assert_error(405, "Invalid method");
}

/// Before 1.5 the secret was resolved with ResolveToken: an unknown one is
/// `ACL token not found` (403 by http.go:wrap's suffix match; vault-api-engines.md §6).
#[test]
fn old_nomads_say_acl_token_not_found_for_an_unknown_secret() {
    let nomad = NomadSandbox::builder()
        .version("1.4.7")
        .bootstrapped()
        .start()
        .unwrap();
    let body = vault_create_body("x", "client", json!(["deploy"]));
    put(
        &nomad.addr(),
        "/v1/acl/token",
        Some("65af6f07-7f57-bb24-cdae-a27f86a894ce"),
        &body,
    )
    .assert_error(403, "ACL token not found");
    get(
        &nomad.addr(),
        "/v1/acl/token/self",
        Some("65af6f07-7f57-bb24-cdae-a27f86a894ce"),
    )
    .assert_error(404, "ACL token not found");
}

/// nomad/acl_endpoint.go:DeleteTokens — 200 empty; an unknown accessor is
/// `Cannot delete nonexistent tokens: <id>`; the deleted secret no longer works.
#[test]
fn deleting_tokens_as_vaults_revoke_does() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    let (accessor, secret) = nomad
        .create_token("vault-x", "client", &["deploy"])
        .unwrap();
    let addr = nomad.addr();
    send(
        &addr,
        "DELETE",
        &format!("/v1/acl/token/{accessor}"),
        Some(&secret),
        None,
    )
    .assert_error(403, "Permission denied");
    let d = send(
        &addr,
        "DELETE",
        &format!("/v1/acl/token/{accessor}"),
        Some(&root),
        None,
    );
    assert_eq!((d.status, d.text.as_str()), (200, ""));
    assert!(d.header("x-nomad-index").is_some());
    assert!(!nomad.token_exists(&accessor));
    get(&addr, "/v1/acl/token/self", Some(&secret)).assert_error(403, "Permission denied");
    send(
        &addr,
        "DELETE",
        &format!("/v1/acl/token/{accessor}"),
        Some(&root),
        None,
    )
    .assert_error(
        400,
        &format!("Cannot delete nonexistent tokens: {accessor}"),
    );
}

/// nomad/acl_endpoint.go:GetToken — management reads any token (404 for a missing one); a
/// client token reads only itself; command/agent/acl_endpoint.go:aclTokenCrud's
/// `Missing Token Accessor`.
#[test]
fn reading_tokens_by_accessor() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    let (a1, s1) = nomad.create_token("one", "client", &["deploy"]).unwrap();
    let (a2, _) = nomad.create_token("two", "client", &["deploy"]).unwrap();
    let addr = nomad.addr();
    assert_eq!(
        get(&addr, &format!("/v1/acl/token/{a1}"), Some(&root)).json()["Name"],
        "one"
    );
    assert_eq!(
        get(&addr, &format!("/v1/acl/token/{a1}"), Some(&s1)).json()["SecretID"],
        s1.as_str()
    );
    get(&addr, &format!("/v1/acl/token/{a2}"), Some(&s1)).assert_error(403, "Permission denied");
    let missing = "c834ba40-8d84-b0c1-c084-3a31d3383c03";
    get(&addr, &format!("/v1/acl/token/{missing}"), Some(&root))
        .assert_error(404, "ACL token not found");
    get(&addr, &format!("/v1/acl/token/{missing}"), Some(&s1))
        .assert_error(403, "Permission denied");
    get(&addr, "/v1/acl/token/", Some(&root)).assert_error(400, "Missing Token Accessor");
}

/// nomad/acl_endpoint.go:UpsertTokens on `/v1/acl/token/:accessor` — the path must match the
/// body; an update keeps secret and create index; `cannot toggle global mode`.
#[test]
fn updating_a_token() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    let (accessor, secret) = nomad.create_token("one", "client", &["deploy"]).unwrap();
    let addr = nomad.addr();
    let path = format!("/v1/acl/token/{accessor}");
    put(
        &addr,
        &path,
        Some(&root),
        r#"{"AccessorID":"other","Type":"client","Policies":["a"]}"#,
    )
    .assert_error(400, "ACL token accessor does not match request path");
    let body = json!({"AccessorID": accessor, "Name": "renamed", "Type": "client", "Policies": ["readonly"]}).to_string();
    let t = put(&addr, &path, Some(&root), &body).json();
    assert_eq!(
        (t["Name"].as_str(), t["SecretID"].as_str()),
        (Some("renamed"), Some(secret.as_str()))
    );
    assert!(t["ModifyIndex"].as_u64() > t["CreateIndex"].as_u64());
    let body =
        json!({"AccessorID": accessor, "Type": "client", "Policies": ["readonly"], "Global": true})
            .to_string();
    put(&addr, &path, Some(&root), &body).assert_error(
        400,
        "token 0 invalid: 1 error occurred:\n\t* cannot toggle global mode\n\n",
    );
    let missing = json!({"AccessorID": "nope", "Type": "client", "Policies": ["a"]}).to_string();
    put(&addr, "/v1/acl/token/nope", Some(&root), &missing)
        .assert_error(400, "cannot find token nope");
}

/// nomad/acl_endpoint.go:ListTokens — management only; stubs without secrets, oldest first.
#[test]
fn listing_tokens() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    let (_, client) = nomad.create_token("ci", "client", &["deploy"]).unwrap();
    let list = get(&nomad.addr(), "/v1/acl/tokens", Some(&root)).json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bootstrap Token", "ci"]);
    assert!(list[1].get("SecretID").is_none());
    get(&nomad.addr(), "/v1/acl/tokens", Some(&client)).assert_error(403, "Permission denied");
}

/// nomad/acl_endpoint.go:WhoAmI — no token is the anonymous token; a non-UUID that is not a
/// JWT is a 500 with go-jose's error; http.go:parseToken accepts `Authorization: Bearer`.
#[test]
fn token_self_for_anonymous_garbage_and_bearer() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    let anon = get(&nomad.addr(), "/v1/acl/token/self", None).json();
    assert_eq!(
        (anon["AccessorID"].as_str(), anon["Name"].as_str()),
        (Some("anonymous"), Some("Anonymous Token"))
    );
    get(&nomad.addr(), "/v1/acl/token/self", Some("garbage")).assert_error(
        500,
        "failed to parse signed token: go-jose/go-jose: compact JWS format must have three parts",
    );
    let bearer = format!("Bearer {root}");
    let me = send_with(
        &nomad.addr(),
        "GET",
        "/v1/acl/token/self",
        &[("Authorization", bearer.as_str())],
        None,
    );
    assert_eq!(me.json()["Type"], "management");
    send(
        &nomad.addr(),
        "POST",
        "/v1/acl/token/self",
        Some(&root),
        None,
    )
    .assert_error(405, "Invalid method");
}

/// structs.ACLToken.IsExpired via Authenticate: an expired token is refused by the RPCs.
#[test]
fn expired_tokens_stop_working() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    let t = put(
        &nomad.addr(),
        "/v1/acl/token",
        Some(&root),
        r#"{"Type":"management","ExpirationTTL":"1m"}"#,
    )
    .json();
    assert!(t["ExpirationTime"].is_string());
    assert_eq!(t["ExpirationTTL"], "1m0s");
    let secret = t["SecretID"].as_str().unwrap().to_string();
    assert_eq!(
        get(&nomad.addr(), "/v1/acl/tokens", Some(&secret)).status,
        200
    );
    nomad.set_clock_ahead(std::time::Duration::from_secs(120));
    get(&nomad.addr(), "/v1/acl/tokens", Some(&secret)).assert_error(403, "Permission denied");
    get(&nomad.addr(), "/v1/acl/token/self", Some(&secret)).assert_error(500, "ACL token expired");
}
