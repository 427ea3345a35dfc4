//! vault-api.md §5–§6 over raw HTTP: token creation, lookup, renew, revoke.

use crate::common;

use std::time::Duration;

use common::call;
use serde_json::json;
use vault_sandbox::Sandbox;

const ROOT: &str = "root-token";

fn dev() -> vault_sandbox::SandboxHandle {
    Sandbox::builder().dev(ROOT).start().unwrap()
}

fn create(
    v: &vault_sandbox::SandboxHandle,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let a = call(&v.addr(), "POST", path, Some(token), Some(body));
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()
}

// vault-api.md §5: the response shape of an orphan periodic token.
#[test]
fn create_orphan_periodic_token_response() {
    let v = dev();
    call(
        &v.addr(),
        "PUT",
        "sys/policies/acl/nomad-server",
        Some(ROOT),
        Some(json!({"policy": "path \"a\" { capabilities = [\"read\"] }"})),
    );
    let body = create(
        &v,
        ROOT,
        "auth/token/create-orphan",
        json!({"policies": "nomad-server", "period": "72h"}),
    );
    let auth = &body["auth"];
    assert!(auth["client_token"].as_str().unwrap().starts_with("hvs."));
    assert_eq!(auth["policies"], json!(["default", "nomad-server"]));
    assert_eq!(auth["token_policies"], json!(["default", "nomad-server"]));
    assert_eq!(auth["metadata"], json!(null));
    assert_eq!(auth["lease_duration"], 259200);
    assert_eq!(auth["renewable"], true);
    assert_eq!(auth["orphan"], true);
    assert_eq!(auth["mfa_requirement"], json!(null));
    assert_eq!(auth["num_uses"], 0);
    assert_eq!(body["data"], json!(null));
    assert_eq!(body["warnings"], json!(null));
}

// vault-api.md §5: unknown policies warn; display_name and meta are stored.
#[test]
fn unknown_policy_warning_display_name_and_meta() {
    let v = dev();
    let body = create(
        &v,
        ROOT,
        "auth/token/create",
        json!({"policies": ["ghost"], "display_name": "ci", "meta": {"team": "ops"}}),
    );
    assert_eq!(body["warnings"], json!(["Policy \"ghost\" does not exist"]));
    let t = body["auth"]["client_token"].as_str().unwrap();
    let d = call(&v.addr(), "GET", "auth/token/lookup-self", Some(t), None).json()["data"].clone();
    assert_eq!(d["display_name"], "token-ci");
    assert_eq!(d["meta"], json!({"team": "ops"}));
    assert_eq!(d["orphan"], false);
    assert_eq!(d["creation_ttl"], 768 * 3600);
}

// vault-api.md §5: the bootstrap role flow: allowed policy works, disallowed is refused exactly.
#[test]
fn role_creation_from_server_token() {
    let v = dev();
    call(
        &v.addr(),
        "PUT",
        "sys/policies/acl/nomad-server",
        Some(ROOT),
        Some(json!({"policy":
        "path \"auth/token/create/nomad-cluster\" { capabilities = [\"update\"] }\npath \"auth/token/roles/nomad-cluster\" { capabilities = [\"read\"] }"})),
    );
    call(
        &v.addr(),
        "PUT",
        "auth/token/roles/nomad-cluster",
        Some(ROOT),
        Some(
            json!({"disallowed_policies": "nomad-server", "orphan": true, "token_period": 259200, "renewable": true}),
        ),
    );
    let server = create(
        &v,
        ROOT,
        "auth/token/create",
        json!({"policies": ["nomad-server"], "period": "72h", "no_parent": true}),
    );
    let server = server["auth"]["client_token"].as_str().unwrap().to_string();
    let ok = create(
        &v,
        &server,
        "auth/token/create/nomad-cluster",
        json!({"policies": ["app"]}),
    );
    assert_eq!(ok["auth"]["policies"], json!(["app", "default"]));
    assert_eq!(ok["auth"]["orphan"], true);
    let a = call(
        &v.addr(),
        "POST",
        "auth/token/create/nomad-cluster",
        Some(&server),
        Some(json!({"policies": ["nomad-server"]})),
    );
    assert_eq!(
        (a.status, a.error()),
        (
            400,
            "token policy \"nomad-server\" is disallowed by this role".to_string()
        )
    );
}

// vault-api.md §5: sudo-only parameters from a non-sudo token.
#[test]
fn sudo_requirements() {
    let v = dev();
    call(
        &v.addr(),
        "PUT",
        "sys/policies/acl/c",
        Some(ROOT),
        Some(json!({"policy": "path \"auth/token/create\" { capabilities = [\"update\"] }"})),
    );
    let t = create(&v, ROOT, "auth/token/create", json!({"policies": ["c"]}))["auth"]
        ["client_token"]
        .as_str()
        .unwrap()
        .to_string();
    for (body, msg) in [
        (
            json!({"id": "custom"}),
            "root or sudo privileges required to specify token id",
        ),
        (
            json!({"period": "1h"}),
            "root or sudo privileges required to create periodic token",
        ),
        (
            json!({"no_parent": true}),
            "root or sudo privileges required to create orphan token",
        ),
        (
            json!({"policies": ["other"]}),
            "child policies must be subset of parent",
        ),
    ] {
        let a = call(&v.addr(), "POST", "auth/token/create", Some(&t), Some(body));
        assert_eq!((a.status, a.error()), (400, msg.to_string()));
    }
}

// vault-api.md §6: lookup variants and their errors.
#[test]
fn lookup_variants() {
    let v = dev();
    let body = create(
        &v,
        ROOT,
        "auth/token/create",
        json!({"policies": ["a"], "ttl": "1h"}),
    );
    let (t, acc) = (
        body["auth"]["client_token"].as_str().unwrap(),
        body["auth"]["accessor"].as_str().unwrap(),
    );
    let d = call(
        &v.addr(),
        "POST",
        "auth/token/lookup",
        Some(ROOT),
        Some(json!({"token": t})),
    )
    .json()["data"]
        .clone();
    assert_eq!(d["id"], t);
    let ttl = d["ttl"].as_u64().unwrap();
    assert!((3590..=3600).contains(&ttl), "{ttl}");
    assert!(d["expire_time"].as_str().unwrap().ends_with('Z'));
    assert!(d.get("role").is_none() && d.get("period").is_none());
    let d = call(
        &v.addr(),
        "POST",
        "auth/token/lookup-accessor",
        Some(ROOT),
        Some(json!({"accessor": acc})),
    )
    .json()["data"]
        .clone();
    assert_eq!(d["id"], "");
    let a = call(
        &v.addr(),
        "POST",
        "auth/token/lookup",
        Some(ROOT),
        Some(json!({"token": "nope"})),
    );
    assert_eq!((a.status, a.error()), (403, "bad token".to_string()));
    let a = call(
        &v.addr(),
        "POST",
        "auth/token/lookup-accessor",
        Some(ROOT),
        Some(json!({"accessor": "nope"})),
    );
    assert_eq!((a.status, a.error()), (400, "invalid accessor".to_string()));
    let d =
        call(&v.addr(), "GET", "auth/token/lookup-self", Some(ROOT), None).json()["data"].clone();
    assert_eq!(
        (d["path"].clone(), d["expire_time"].clone()),
        (json!("auth/token/root"), json!(null))
    );
}

// vault-api.md §6 + clock: TTLs count down, expired tokens get 403, renewal extends.
#[test]
fn renew_and_expiry_with_clock() {
    let v = dev();
    let t = create(
        &v,
        ROOT,
        "auth/token/create",
        json!({"policies": ["a"], "ttl": "1h"}),
    )["auth"]["client_token"]
        .as_str()
        .unwrap()
        .to_string();
    v.advance_clock(Duration::from_secs(1800));
    let a = call(
        &v.addr(),
        "PUT",
        "auth/token/renew-self",
        Some(&t),
        Some(json!({"increment": "2h"})),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["auth"]["lease_duration"], 7200);
    v.advance_clock(Duration::from_secs(7201));
    let a = call(&v.addr(), "GET", "auth/token/lookup-self", Some(&t), None);
    assert_eq!(
        (a.status, a.error()),
        (403, "permission denied".to_string())
    );
    let a = call(
        &v.addr(),
        "PUT",
        "auth/token/renew-self",
        Some(ROOT),
        Some(json!({})),
    );
    assert_eq!((a.status, a.error()), (400, "invalid lease ID".to_string()));
}

// vault-api.md §6: revoke-self, revoke of a parent, revoke-accessor and its unknown warning.
#[test]
fn revocations() {
    let v = dev();
    let parent = create(&v, ROOT, "auth/token/create", json!({"policies": ["a"]}))["auth"]
        ["client_token"]
        .as_str()
        .unwrap()
        .to_string();
    call(
        &v.addr(),
        "PUT",
        "sys/policies/acl/a",
        Some(ROOT),
        Some(json!({"policy": "path \"auth/token/create\" { capabilities = [\"update\"] }"})),
    );
    let child = create(&v, &parent, "auth/token/create", json!({}))["auth"]["client_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        call(
            &v.addr(),
            "POST",
            "auth/token/revoke",
            Some(ROOT),
            Some(json!({"token": parent}))
        )
        .status,
        204
    );
    assert_eq!(
        call(
            &v.addr(),
            "GET",
            "auth/token/lookup-self",
            Some(&child),
            None
        )
        .status,
        403
    );
    let body = create(&v, ROOT, "auth/token/create", json!({}));
    let acc = body["auth"]["accessor"].as_str().unwrap();
    assert_eq!(
        call(
            &v.addr(),
            "POST",
            "auth/token/revoke-accessor",
            Some(ROOT),
            Some(json!({"accessor": acc}))
        )
        .status,
        204
    );
    let a = call(
        &v.addr(),
        "POST",
        "auth/token/revoke-accessor",
        Some(ROOT),
        Some(json!({"accessor": "nope"})),
    );
    assert_eq!(a.status, 200);
    assert_eq!(
        a.json()["warnings"],
        json!(["No token found with this accessor"])
    );
    let t = create(&v, ROOT, "auth/token/create", json!({"policies": ["x"]}))["auth"]
        ["client_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        call(&v.addr(), "PUT", "auth/token/revoke-self", Some(&t), None).status,
        204
    );
    assert_eq!(
        call(&v.addr(), "GET", "auth/token/lookup-self", Some(&t), None).status,
        403
    );
}
