//! vault-api.md §7 over raw HTTP: capabilities.

use crate::common;

use common::call;
use serde_json::json;
use vault_sandbox::Sandbox;

const ROOT: &str = "root-token";

// vault-api.md §7: many paths in one request, sorted, `capabilities` only for one path,
// top-level copy, deny when nothing matches.
#[test]
fn capabilities_self_many_paths() {
    let v = Sandbox::builder().dev(ROOT).start().unwrap();
    call(
        &v.addr(),
        "PUT",
        "sys/policies/acl/p",
        Some(ROOT),
        Some(json!({"policy":
        "path \"auth/token/create/nomad-cluster\" { capabilities = [\"update\"] }\npath \"auth/token/roles/*\" { capabilities = [\"read\", \"list\"] }"})),
    );
    let t = call(
        &v.addr(),
        "POST",
        "auth/token/create",
        Some(ROOT),
        Some(json!({"policies": ["p"]})),
    )
    .json()["auth"]["client_token"]
        .as_str()
        .unwrap()
        .to_string();
    let body = call(
        &v.addr(),
        "POST",
        "sys/capabilities-self",
        Some(&t),
        Some(
            json!({"paths": ["auth/token/create/nomad-cluster", "auth/token/roles/x", "secret/x"]}),
        ),
    )
    .json();
    assert_eq!(
        body["data"]["auth/token/create/nomad-cluster"],
        json!(["update"])
    );
    assert_eq!(body["data"]["auth/token/roles/x"], json!(["list", "read"]));
    assert_eq!(body["data"]["secret/x"], json!(["deny"]));
    assert!(body["data"].get("capabilities").is_none());
    assert_eq!(body["auth/token/roles/x"], json!(["list", "read"]));
    let body = call(
        &v.addr(),
        "POST",
        "sys/capabilities-self",
        Some(&t),
        Some(json!({"path": "auth/token/lookup-self"})),
    )
    .json();
    assert_eq!(body["data"]["capabilities"], json!(["read"]));
    assert_eq!(body["capabilities"], json!(["read"]));
    let body = call(
        &v.addr(),
        "POST",
        "sys/capabilities-self",
        Some(&t),
        Some(json!({"paths": "a,auth/token/renew-self"})),
    )
    .json();
    assert_eq!(body["data"]["auth/token/renew-self"], json!(["update"]));
}

// vault-api.md §7: root → ["root"]; sys/capabilities with a token; no paths → 400.
#[test]
fn root_other_token_and_missing_paths() {
    let v = Sandbox::builder().dev(ROOT).start().unwrap();
    let body = call(
        &v.addr(),
        "POST",
        "sys/capabilities-self",
        Some(ROOT),
        Some(json!({"paths": ["anything"]})),
    )
    .json();
    assert_eq!(body["data"]["anything"], json!(["root"]));
    let t = call(
        &v.addr(),
        "POST",
        "auth/token/create",
        Some(ROOT),
        Some(json!({"policies": ["x"]})),
    )
    .json()["auth"]["client_token"]
        .as_str()
        .unwrap()
        .to_string();
    let body = call(
        &v.addr(),
        "POST",
        "sys/capabilities",
        Some(ROOT),
        Some(json!({"token": t, "paths": ["sys/capabilities-self"]})),
    )
    .json();
    assert_eq!(body["capabilities"], json!(["update"]));
    let a = call(
        &v.addr(),
        "POST",
        "sys/capabilities-self",
        Some(ROOT),
        Some(json!({})),
    );
    assert_eq!(
        (a.status, a.error()),
        (400, "paths must be supplied".to_string())
    );
}
