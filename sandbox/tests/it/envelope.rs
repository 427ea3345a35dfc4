//! vault-api.md §0: wire conventions, envelopes and the error table.

use crate::common;

use common::{call, send};
use serde_json::json;
use vault_sandbox::{Flavor, Sandbox};

// vault-api.md §0 (success envelope)
#[test]
fn logical_read_answers_the_full_envelope_with_mount_type_on_vault() {
    let vault = Sandbox::builder().dev("root-token").start().unwrap();
    let a = call(&vault.addr(), "GET", "sys/mounts", Some("root-token"), None);
    assert_eq!(a.status, 200);
    let body = a.json();
    for key in [
        "request_id",
        "lease_id",
        "renewable",
        "lease_duration",
        "data",
        "wrap_info",
        "warnings",
        "auth",
    ] {
        assert!(body.get(key).is_some(), "missing {key}: {body}");
    }
    assert_eq!(body["request_id"].as_str().unwrap().len(), 36);
    assert_eq!(body["lease_id"], "");
    assert_eq!(body["wrap_info"], json!(null));
    assert_eq!(body["warnings"], json!(null));
    assert_eq!(body["mount_type"], "system");
}

// vault-api.md §0: `mount_type` is Vault-only
#[test]
fn openbao_envelope_has_no_mount_type() {
    let bao = Sandbox::builder()
        .dev("root")
        .flavor(Flavor::OpenBao)
        .start()
        .unwrap();
    let body = call(&bao.addr(), "GET", "sys/mounts", Some("root"), None).json();
    assert!(body.get("mount_type").is_none(), "{body}");
    assert!(body["data"].is_object());
}

// vault-api.md §0: every response carries Cache-Control: no-store and Content-Type: application/json
#[test]
fn every_response_is_no_store_json() {
    let vault = Sandbox::builder().dev("root").start().unwrap();
    for (method, path, token) in [
        ("GET", "sys/health", None),
        ("GET", "sys/mounts", Some("root")),
        ("GET", "sys/mounts", None),
        ("GET", "nope/x", Some("root")),
        ("POST", "sys/mounts/kv2", Some("root")),
    ] {
        let a = call(
            &vault.addr(),
            method,
            path,
            token,
            Some(json!({"type": "kv"})),
        );
        assert_eq!(
            a.header("cache-control").as_deref(),
            Some("no-store"),
            "{path}"
        );
        assert_eq!(
            a.header("content-type").as_deref(),
            Some("application/json"),
            "{path}"
        );
    }
}

// vault-api.md §0: a handler with nothing to return gives 204 with an empty body
#[test]
fn write_with_nothing_to_return_is_204_with_empty_body() {
    let vault = Sandbox::builder().dev("root").start().unwrap();
    let a = call(
        &vault.addr(),
        "POST",
        "sys/mounts/kv-one",
        Some("root"),
        Some(json!({"type": "kv"})),
    );
    assert_eq!(a.status, 204);
    assert!(a.text.is_empty());
}

// vault-api.md §0: a write that has warnings gives 200 with the envelope; unknown fields warned
#[test]
fn unknown_fields_give_200_with_the_unrecognized_parameters_warning() {
    let vault = Sandbox::builder().dev("root").start().unwrap();
    let a = call(
        &vault.addr(),
        "POST",
        "secret/data/app",
        Some("root"),
        Some(json!({"data": {"k": "v"}, "zeta": 1, "alpha": 2})),
    );
    assert_eq!(a.status, 200);
    assert_eq!(
        a.json()["warnings"],
        json!(["Endpoint ignored these unrecognized parameters: [alpha zeta]"])
    );
}

// vault-api.md §0: sys/mounts and sys/auth copy `data` to the top level
#[test]
fn sys_mounts_copies_data_keys_to_the_top_level() {
    let vault = Sandbox::builder().dev("root").start().unwrap();
    let body = call(&vault.addr(), "GET", "sys/mounts", Some("root"), None).json();
    assert_eq!(body["secret/"], body["data"]["secret/"]);
    assert_eq!(body["sys/"]["type"], "system");
    let auth = call(&vault.addr(), "GET", "sys/auth", Some("root"), None).json();
    assert_eq!(auth["token/"]["type"], "token");
}

// vault-api.md §0 errors: GET of a missing item → 404 {"errors":[]}
#[test]
fn missing_item_is_404_with_an_empty_errors_list() {
    let vault = Sandbox::builder().dev("root").start().unwrap();
    let a = call(
        &vault.addr(),
        "GET",
        "secret/data/nothing-here",
        Some("root"),
        None,
    );
    assert_eq!(a.status, 404);
    assert_eq!(a.json(), json!({"errors": []}));
}

// vault-api.md §0 errors: LIST with no keys → 404 {"errors":[]}
#[test]
fn list_with_no_keys_is_404_with_an_empty_errors_list() {
    let vault = Sandbox::builder().dev("root").start().unwrap();
    let a = call(&vault.addr(), "LIST", "secret/metadata", Some("root"), None);
    assert_eq!(a.status, 404);
    assert_eq!(a.json(), json!({"errors": []}));
}

// vault-api.md §0 errors: unknown mount / route
#[test]
fn unknown_mount_is_404_no_handler_for_route() {
    let vault = Sandbox::builder().dev("root").start().unwrap();
    let a = call(&vault.addr(), "GET", "nomount/foo", Some("root"), None);
    assert_eq!(a.status, 404);
    assert_eq!(
        a.error(),
        "no handler for route \"nomount/foo\". route entry not found."
    );
}

// vault-api.md §0 errors: unknown path inside a mount (a KV v2 mount answers its own
// pathInvalid 404 instead: see kv.rs)
#[test]
fn unknown_path_inside_a_mount_is_404_unsupported_path() {
    let vault = Sandbox::builder().dev("root").start().unwrap();
    let mounted = call(
        &vault.addr(),
        "POST",
        "sys/mounts/database",
        Some("root"),
        Some(serde_json::json!({"type": "database"})),
    );
    assert_eq!(mounted.status, 204);
    let a = call(&vault.addr(), "GET", "database/bogus/x", Some("root"), None);
    assert_eq!(a.status, 404);
    assert_eq!(a.error(), "unsupported path");
    let a = call(&vault.addr(), "GET", "sys/not-a-thing", Some("root"), None);
    assert_eq!(a.error(), "unsupported path");
}

// vault-api.md §0 errors: missing or invalid token → 403 permission denied
#[test]
fn missing_or_invalid_token_is_403_permission_denied() {
    let vault = Sandbox::builder().dev("root").start().unwrap();
    let missing = call(&vault.addr(), "GET", "sys/mounts", None, None);
    assert_eq!(missing.status, 403);
    assert!(missing.error().contains("permission denied"));
    let invalid = call(&vault.addr(), "GET", "sys/mounts", Some("hvs.nope"), None);
    assert_eq!(invalid.status, 403);
    assert!(invalid.error().contains("permission denied"));
}

// vault-api.md §0 errors: sealed or uninitialised → 503 Vault is sealed
#[test]
fn logical_paths_are_503_while_sealed_or_uninitialised() {
    let sealed = Sandbox::builder().sealed(3, 2).start().unwrap();
    let root = sealed.root_token().unwrap();
    let a = call(&sealed.addr(), "GET", "sys/mounts", Some(&root), None);
    assert_eq!((a.status, a.error().as_str()), (503, "Vault is sealed"));
    let a = call(&sealed.addr(), "GET", "auth/token/lookup-self", None, None);
    assert_eq!(a.status, 503);
    let fresh = Sandbox::builder().uninitialized().start().unwrap();
    let a = call(
        &fresh.addr(),
        "GET",
        "secret/data/x",
        Some("anything"),
        None,
    );
    assert_eq!((a.status, a.error().as_str()), (503, "Vault is sealed"));
}

// vault-api.md §0: malformed JSON → 400. Vault's logical handlers say `error parsing JSON`
// (http/logical.go buildLogicalRequestNoAuth); its raw handlers quote Go's decoder after
// `failed to parse JSON input: ` and need a body (http/handler.go parseJSONRequest); OpenBao
// says `failed to decode JSON input: <Go error>` everywhere and takes an empty body
// (openbao internal/http/json.go).
#[test]
fn malformed_json_is_400_with_the_flavors_wording() {
    let put = |node: &vault_sandbox::SandboxHandle, path: &str, body: &str| {
        let a = send(
            &node.addr(),
            "PUT",
            path,
            &[("X-Vault-Token", "root")],
            Some(body),
        );
        (a.status, a.error())
    };
    let vault = Sandbox::builder().dev("root").start().unwrap();
    let fresh = Sandbox::builder().uninitialized().start().unwrap();
    let bao = Sandbox::builder()
        .dev("root")
        .flavor(Flavor::OpenBao)
        .start()
        .unwrap();
    let bao_fresh = Sandbox::builder()
        .uninitialized()
        .flavor(Flavor::OpenBao)
        .start()
        .unwrap();
    let bad = |m: &str| (400, m.to_string());
    assert_eq!(
        put(&vault, "sys/mounts/x", "{\"type\": "),
        bad("error parsing JSON")
    );
    assert_eq!(
        put(&vault, "secret/data/x", "[1]"),
        bad("error parsing JSON")
    );
    assert_eq!(put(&vault, "sys/seal", "{"), bad("error parsing JSON"));
    assert_eq!(
        put(&fresh, "sys/init", "{"),
        bad("failed to parse JSON input: unexpected EOF")
    );
    assert_eq!(
        put(&fresh, "sys/init", "secret_shares=1"),
        bad("failed to parse JSON input: invalid character 's' looking for beginning of value")
    );
    assert_eq!(
        put(&fresh, "sys/init", ""),
        bad("failed to parse JSON input: EOF")
    );
    assert_eq!(
        put(&vault, "sys/unseal", ""),
        bad("failed to parse JSON input: EOF")
    );
    assert_eq!(
        put(&bao, "sys/mounts/x", "{\"type\": "),
        bad("failed to decode JSON input: unexpected EOF")
    );
    assert_eq!(
        put(&bao, "sys/policies/acl/p", "[]"),
        bad("failed to decode JSON input: json: cannot unmarshal array into Go value of type map[string]interface {}")
    );
    assert_eq!(
        put(&bao_fresh, "sys/init", "{'a'}"),
        bad("failed to decode JSON input: invalid character '\\'' looking for beginning of object key string")
    );
    // An empty body on a logical path is no body at all.
    let empty = send(
        &vault.addr(),
        "PUT",
        "sys/mounts/y",
        &[("X-Vault-Token", "root")],
        Some(""),
    );
    assert_eq!(empty.error(), "backend type must be specified as a string");
}

// vault-api.md §0: X-Vault-Request is optional; Authorization: Bearer works; X-Vault-Token wins
#[test]
fn token_headers_bearer_and_optional_request_header() {
    let vault = Sandbox::builder().dev("root").start().unwrap();
    let bare = send(
        &vault.addr(),
        "GET",
        "sys/mounts",
        &[("X-Vault-Token", "root")],
        None,
    );
    assert_eq!(bare.status, 200);
    let bearer = send(
        &vault.addr(),
        "GET",
        "sys/mounts",
        &[("Authorization", "Bearer root")],
        None,
    );
    assert_eq!(bearer.status, 200);
    let both = send(
        &vault.addr(),
        "GET",
        "sys/mounts",
        &[("Authorization", "Bearer root"), ("X-Vault-Token", "wrong")],
        None,
    );
    assert_eq!(both.status, 403);
}

// vault-api.md §0: LIST is the LIST method or GET ?list=true
#[test]
fn list_method_and_get_list_true_are_the_same() {
    let vault = Sandbox::builder().dev("root").start().unwrap();
    call(
        &vault.addr(),
        "POST",
        "secret/data/a",
        Some("root"),
        Some(json!({"data": {"x": 1}})),
    );
    let list = call(
        &vault.addr(),
        "LIST",
        "secret/metadata/",
        Some("root"),
        None,
    );
    let get = call(
        &vault.addr(),
        "GET",
        "secret/metadata?list=true",
        Some("root"),
        None,
    );
    assert_eq!(list.status, 200);
    assert_eq!(list.json()["data"]["keys"], json!(["a"]));
    assert_eq!(get.json()["data"]["keys"], json!(["a"]));
}

// vault-api.md §0 errors: wrong method on raw handlers → 405 {"errors":[]}
#[test]
fn wrong_method_on_raw_handlers_is_405_with_empty_errors() {
    let vault = Sandbox::builder().dev("root").start().unwrap();
    for (method, path) in [
        ("DELETE", "sys/init"),
        ("POST", "sys/seal-status"),
        ("GET", "sys/unseal"),
        ("POST", "sys/health"),
        ("GET", "sys/seal"),
    ] {
        let a = call(&vault.addr(), method, path, None, None);
        assert_eq!(a.status, 405, "{method} {path}");
        assert_eq!(a.json(), json!({"errors": []}));
    }
}

// vault-api.md §0: the handle records every request (method, path with query, headers, body)
#[test]
fn requests_are_recorded_and_can_be_cleared() {
    let vault = Sandbox::builder().dev("root").start().unwrap();
    call(
        &vault.addr(),
        "GET",
        "sys/health?standbyok=true",
        None,
        None,
    );
    call(
        &vault.addr(),
        "PUT",
        "sys/mounts/k",
        Some("root"),
        Some(json!({"type": "kv"})),
    );
    let recorded = vault.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].method, "GET");
    assert_eq!(recorded[0].path, "/v1/sys/health?standbyok=true");
    assert_eq!(recorded[1].header("x-vault-request"), Some("true"));
    assert_eq!(recorded[1].body, "{\"type\":\"kv\"}");
    assert!(
        !format!("{:?}", recorded[1]).contains("root\""),
        "token leaked into Debug"
    );
    vault.clear_requests();
    assert!(vault.requests().is_empty());
}
