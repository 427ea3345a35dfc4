//! vault-api.md §4 over raw HTTP: token roles.

use crate::common;

use common::call;
use serde_json::json;
use vault_sandbox::Sandbox;

const ROOT: &str = "root-token";

fn dev() -> vault_sandbox::SandboxHandle {
    Sandbox::builder().dev(ROOT).start().unwrap()
}

// vault-api.md §4: the documented GET shape, with string coercion of bool and duration.
#[test]
fn role_get_shape_matches_documentation() {
    let v = dev();
    let a = call(
        &v.addr(),
        "PUT",
        "auth/token/roles/nomad-cluster",
        Some(ROOT),
        Some(json!({
            "disallowed_policies": "nomad-server", "orphan": "true", "token_period": "72h",
            "renewable": true, "token_explicit_max_ttl": 0
        })),
    );
    assert_eq!(a.status, 204, "{}", a.text);
    let a = call(
        &v.addr(),
        "GET",
        "auth/token/roles/nomad-cluster",
        Some(ROOT),
        None,
    );
    assert_eq!(
        a.json()["data"],
        json!({"name":"nomad-cluster","allowed_policies":[],"disallowed_policies":["nomad-server"],
        "allowed_policies_glob":[],"disallowed_policies_glob":[],"allowed_entity_aliases":null,
        "orphan":true,"renewable":true,"path_suffix":"","period":0,"token_period":259200,
        "explicit_max_ttl":0,"token_explicit_max_ttl":0,"token_no_default_policy":false,
        "token_type":"default-service"})
    );
}

// vault-api.md §4: comma lists vs arrays, `3d`, numeric strings, cidrs and num_uses shown when set.
#[test]
fn coercions_and_optional_keys() {
    let v = dev();
    call(
        &v.addr(),
        "PUT",
        "auth/token/roles/r",
        Some(ROOT),
        Some(json!({
            "allowed_policies": ["b", "a"], "explicit_max_ttl": "3d", "token_bound_cidrs": "10.0.0.0/8",
            "token_num_uses": "3", "token_ttl": "1h", "token_policies": "x"
        })),
    );
    let d = call(&v.addr(), "GET", "auth/token/roles/r", Some(ROOT), None).json()["data"].clone();
    assert_eq!(d["allowed_policies"], json!(["a", "b"]));
    assert_eq!(
        (
            d["explicit_max_ttl"].clone(),
            d["token_explicit_max_ttl"].clone()
        ),
        (json!(259200), json!(259200))
    );
    assert_eq!(d["token_bound_cidrs"], json!(["10.0.0.0/8"]));
    assert!(d.get("bound_cidrs").is_none());
    assert_eq!(d["token_num_uses"], 3);
    assert!(d.get("token_ttl").is_none() && d.get("token_policies").is_none());
}

// vault-api.md §4: both legacy and new sent → 200 with the exact warning.
#[test]
fn both_legacy_and_new_warn() {
    let v = dev();
    let a = call(
        &v.addr(),
        "PUT",
        "auth/token/roles/r",
        Some(ROOT),
        Some(json!({"period": 60, "token_period": 120})),
    );
    assert_eq!(a.status, 200);
    assert_eq!(
        a.json()["warnings"][0],
        "Both 'token_period' and deprecated 'period' value supplied, ignoring the deprecated value"
    );
    let d = call(&v.addr(), "GET", "auth/token/roles/r", Some(ROOT), None).json()["data"].clone();
    assert_eq!(
        (d["period"].clone(), d["token_period"].clone()),
        (json!(0), json!(120))
    );
}

// vault-api.md §4: errors (400).
#[test]
fn validation_errors() {
    let v = dev();
    let a = call(
        &v.addr(),
        "PUT",
        "auth/token/roles/r",
        Some(ROOT),
        Some(json!({"token_type": "weird"})),
    );
    assert_eq!(
        (a.status, a.error()),
        (400, "invalid 'token_type' value \"weird\"".to_string())
    );
    let a = call(
        &v.addr(),
        "PUT",
        "auth/token/roles/r",
        Some(ROOT),
        Some(json!({"token_type": "batch"})),
    );
    assert_eq!(
        a.error(),
        "'token_type' cannot be 'batch' when role is set to generate non-orphan tokens"
    );
    let a = call(
        &v.addr(),
        "PUT",
        "auth/token/roles/r",
        Some(ROOT),
        Some(json!({"orphan": "perhaps"})),
    );
    assert_eq!(a.status, 400);
    assert!(a.error().starts_with("Field validation failed: "));
    let a = call(
        &v.addr(),
        "PUT",
        "auth/token/roles/r",
        Some(ROOT),
        Some(json!({"token_period": "soon"})),
    );
    assert!(a.error().starts_with("Field validation failed: "));
}

// vault-api.md §4: GET missing 404, LIST none 404, LIST keys, DELETE 204.
#[test]
fn list_get_missing_and_delete() {
    let v = dev();
    let a = call(&v.addr(), "LIST", "auth/token/roles", Some(ROOT), None);
    assert_eq!((a.status, a.json()), (404, json!({"errors": []})));
    call(
        &v.addr(),
        "PUT",
        "auth/token/roles/one",
        Some(ROOT),
        Some(json!({})),
    );
    assert_eq!(
        call(&v.addr(), "LIST", "auth/token/roles", Some(ROOT), None).json()["data"]["keys"],
        json!(["one"])
    );
    assert_eq!(
        call(&v.addr(), "GET", "auth/token/roles/two", Some(ROOT), None).status,
        404
    );
    assert_eq!(
        call(
            &v.addr(),
            "DELETE",
            "auth/token/roles/one",
            Some(ROOT),
            None
        )
        .status,
        204
    );
    assert_eq!(
        call(&v.addr(), "GET", "auth/token/roles/one", Some(ROOT), None).status,
        404
    );
}

// vault-api.md §4: a write to a missing role is a `create` for the ACL (existence check).
#[test]
fn role_write_needs_create_when_missing() {
    let v = dev();
    call(
        &v.addr(),
        "PUT",
        "sys/policies/acl/upd",
        Some(ROOT),
        Some(json!({"policy": "path \"auth/token/roles/*\" { capabilities = [\"update\"] }"})),
    );
    let t = call(
        &v.addr(),
        "POST",
        "auth/token/create",
        Some(ROOT),
        Some(json!({"policies": ["upd"]})),
    )
    .json()["auth"]["client_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        call(
            &v.addr(),
            "PUT",
            "auth/token/roles/new",
            Some(&t),
            Some(json!({}))
        )
        .status,
        403
    );
    call(
        &v.addr(),
        "PUT",
        "auth/token/roles/new",
        Some(ROOT),
        Some(json!({})),
    );
    assert_eq!(
        call(
            &v.addr(),
            "PUT",
            "auth/token/roles/new",
            Some(&t),
            Some(json!({"orphan": true}))
        )
        .status,
        204
    );
}

// vault-api.md §4: a token role's token_type takes service/batch/default-service/default-batch,
// and plain "default" is refused (vault/token_store.go tokenStoreRoleCreateUpdate; only
// auth-method roles, through sdk/helper/tokenutil, take "default"). Nothing is written.
#[test]
fn token_role_refuses_token_type_default() {
    let node = vault_sandbox::Sandbox::builder()
        .dev("root")
        .start()
        .unwrap();
    let refused = crate::common::call(
        &node.addr(),
        "POST",
        "auth/token/roles/nomad-cluster",
        Some("root"),
        Some(serde_json::json!({"token_type": "default", "orphan": true})),
    );
    assert_eq!(
        (refused.status, refused.error()),
        (400, "invalid 'token_type' value \"default\"".to_string())
    );
    let read = crate::common::call(
        &node.addr(),
        "GET",
        "auth/token/roles/nomad-cluster",
        Some("root"),
        None,
    );
    assert_eq!(read.status, 404);
}
