//! vault-api.md §9: response wrapping — `X-Vault-Wrap-TTL` on any logical request,
//! `sys/wrapping/unwrap|lookup|rewrap|wrap`, single use, TTL by the sandbox clock, the
//! `response-wrapping` policy, and what unwrap returns for a wrapped token create.

use std::time::Duration;

use serde_json::{json, Value};
use vault_sandbox::{Flavor, Sandbox, SandboxHandle};

use crate::common::{call, send, Answer};

fn dev() -> SandboxHandle {
    Sandbox::builder().dev("root").start().unwrap()
}

/// A request with `X-Vault-Wrap-TTL`.
fn wrapped(
    node: &SandboxHandle,
    method: &str,
    path: &str,
    token: &str,
    ttl: &str,
    body: Option<Value>,
) -> Answer {
    let body = body.map(|b| b.to_string());
    send(
        &node.addr(),
        method,
        path,
        &[("X-Vault-Token", token), ("X-Vault-Wrap-TTL", ttl)],
        body.as_deref(),
    )
}

fn unwrap_as(node: &SandboxHandle, wrapping_token: &str) -> Answer {
    call(
        &node.addr(),
        "PUT",
        "sys/wrapping/unwrap",
        Some(wrapping_token),
        None,
    )
}

// vault-api.md §9: a wrapped token create → 200 with only wrap_info (token, accessor, ttl,
// creation_time, creation_path, wrapped_accessor); unwrap (wrapping token as X-Vault-Token)
// returns the original answer with its auth; a second unwrap → 400.
// vault/wrapping.go wrapInCubbyhole (WrappedAccessor = resp.Auth.Accessor);
// vault/logical_system.go handleWrappingUnwrap; vault/request_handling.go ValidateWrappingToken
#[test]
fn a_wrapped_token_create_is_delivered_once_through_unwrap() {
    let node = dev();
    let answer = wrapped(
        &node,
        "POST",
        "auth/token/create",
        "root",
        "300",
        Some(json!({"policies": ["default"]})),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = answer.json();
    assert_eq!(body["data"], Value::Null);
    assert_eq!(body["auth"], Value::Null);
    assert_eq!(body["lease_id"], "");
    let info = &body["wrap_info"];
    assert_eq!(info["ttl"], 300);
    assert_eq!(info["creation_path"], "auth/token/create");
    assert!(info["token"].as_str().unwrap().starts_with("hvs."));
    assert!(!info["accessor"].as_str().unwrap().is_empty());
    assert!(info["creation_time"].as_str().unwrap().ends_with('Z'));
    let wrapped_accessor = info["wrapped_accessor"].as_str().unwrap().to_string();
    assert!(
        !answer.text.contains("client_token"),
        "the token is not in the clear"
    );

    let wrapping_token = info["token"].as_str().unwrap().to_string();
    let unwrapped = unwrap_as(&node, &wrapping_token);
    assert_eq!(unwrapped.status, 200, "{}", unwrapped.text);
    let original = unwrapped.json();
    assert_eq!(original["auth"]["accessor"], wrapped_accessor.as_str());
    assert_eq!(original["wrap_info"], Value::Null);
    assert_eq!(original["mount_type"], "");
    let client_token = original["auth"]["client_token"].as_str().unwrap();
    let own = call(
        &node.addr(),
        "GET",
        "auth/token/lookup-self",
        Some(client_token),
        None,
    );
    assert_eq!(own.status, 200, "the unwrapped token works");

    let again = unwrap_as(&node, &wrapping_token);
    assert_eq!(
        (again.status, again.error()),
        (
            400,
            "wrapping token is not valid or does not exist".to_string()
        )
    );
}

// vault-api.md §9: unwrap by a third party (`{"token"}` in the body, own X-Vault-Token);
// lookup needs no token and does not use the wrapping token up.
// vault/logical_system.go handleWrappingLookup (unauthenticated), responseWrappingUnwrap
#[test]
fn lookup_does_not_consume_and_a_third_party_can_unwrap() {
    let node = dev();
    let answer = wrapped(&node, "GET", "secret/config", "root", "5m", None);
    let token = answer.json()["wrap_info"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(answer.json()["wrap_info"]["ttl"], 300);
    for _ in 0..2 {
        let looked = call(
            &node.addr(),
            "PUT",
            "sys/wrapping/lookup",
            None,
            Some(json!({ "token": token })),
        );
        assert_eq!(looked.status, 200, "{}", looked.text);
        let data = &looked.json()["data"];
        assert_eq!(data["creation_ttl"], 300);
        assert_eq!(data["creation_path"], "secret/config");
        assert!(data["creation_time"].as_str().is_some());
    }
    let unwrapped = call(
        &node.addr(),
        "PUT",
        "sys/wrapping/unwrap",
        Some("root"),
        Some(json!({ "token": token })),
    );
    assert_eq!(unwrapped.status, 200, "{}", unwrapped.text);
    assert_eq!(unwrapped.json()["data"]["max_versions"], 0);
    let looked = call(
        &node.addr(),
        "PUT",
        "sys/wrapping/lookup",
        None,
        Some(json!({ "token": token })),
    );
    assert_eq!(
        looked.error(),
        "wrapping token is not valid or does not exist"
    );
}

// vault-api.md §9: the wrapping token lives for the wrap TTL, by the sandbox clock.
// vault/wrapping.go wrapInCubbyhole (TTL = ExplicitMaxTTL = wrap TTL)
#[test]
fn a_wrapping_token_expires_with_its_ttl() {
    let node = dev();
    let answer = wrapped(&node, "GET", "secret/config", "root", "60", None);
    let token = answer.json()["wrap_info"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    node.advance_clock(Duration::from_secs(61));
    let late = unwrap_as(&node, &token);
    assert_eq!(
        (late.status, late.error()),
        (
            400,
            "wrapping token is not valid or does not exist".to_string()
        )
    );
}

// vault-api.md §9: a bad header → 400 `error parsing X-Vault-Wrap-TTL header: <err>`; `0` means
// no wrapping; 204 answers and errors are never wrapped. http/handler.go requestWrapInfo;
// vault/request_handling.go (wrapping only when resp != nil and the TTL > 0)
#[test]
fn the_header_is_parsed_and_only_bodies_are_wrapped() {
    let node = dev();
    let bad = wrapped(&node, "GET", "secret/config", "root", "abc", None);
    assert_eq!(
        (bad.status, bad.error()),
        (
            400,
            "error parsing X-Vault-Wrap-TTL header: time: invalid duration \"abc\"".to_string()
        )
    );
    let negative = wrapped(&node, "GET", "secret/config", "root", "-5", None);
    assert_eq!(
        negative.error(),
        "error parsing X-Vault-Wrap-TTL header: requested wrap ttl cannot be negative"
    );
    let zero = wrapped(&node, "GET", "secret/config", "root", "0", None);
    assert_eq!(zero.json()["wrap_info"], Value::Null);
    assert_eq!(zero.json()["data"]["max_versions"], 0);
    let no_content = wrapped(
        &node,
        "PUT",
        "sys/policies/acl/p",
        "root",
        "300",
        Some(json!({"policy": "path \"x\" { capabilities = [\"read\"] }"})),
    );
    assert_eq!((no_content.status, no_content.text.as_str()), (204, ""));
    let missing = wrapped(&node, "GET", "secret/data/none", "root", "300", None);
    assert_eq!(
        (missing.status, missing.json()),
        (404, json!({"errors": []}))
    );
    // Raw handlers do not take the header.
    let health = wrapped(&node, "GET", "sys/health", "root", "abc", None);
    assert_eq!(health.status, 200);
}

// vault-api.md §9 + vault/request_handling.go: the wrapping response keeps the answer's
// warnings (`wrappingResp := &logical.Response{WrapInfo: resp.WrapInfo, Warnings: resp.Warnings}`).
#[test]
fn warnings_ride_on_the_wrapping_response() {
    let node = dev();
    let answer = wrapped(
        &node,
        "POST",
        "auth/token/create",
        "root",
        "300",
        Some(json!({"policies": ["no-such-policy"]})),
    );
    let body = answer.json();
    assert!(body["wrap_info"]["token"].is_string());
    assert_eq!(
        body["warnings"][0],
        "Policy \"no-such-policy\" does not exist"
    );
}

// vault-api.md §9: rewrap → a new wrap_info with the same TTL and creation_path, the old token
// revoked. vault/logical_system.go handleWrappingRewrap
#[test]
fn rewrap_moves_the_response_to_a_new_token() {
    let node = dev();
    let answer = wrapped(&node, "GET", "secret/config", "root", "120", None);
    let old = answer.json()["wrap_info"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let rewrapped = call(
        &node.addr(),
        "PUT",
        "sys/wrapping/rewrap",
        Some("root"),
        Some(json!({ "token": old })),
    );
    assert_eq!(rewrapped.status, 200, "{}", rewrapped.text);
    let info = rewrapped.json()["wrap_info"].clone();
    assert_eq!(info["ttl"], 120);
    assert_eq!(info["creation_path"], "secret/config");
    let new = info["token"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(unwrap_as(&node, &old).status, 400);
    let unwrapped = unwrap_as(&node, &new);
    assert_eq!(unwrapped.json()["data"]["cas_required"], false);
}

// vault-api.md §9: sys/wrapping/wrap wraps the body (unwrap: data); without the header → 400.
// vault/logical_system.go handleWrappingWrap
#[test]
fn wrap_wraps_any_body_and_needs_the_header() {
    let node = dev();
    let refused = call(
        &node.addr(),
        "PUT",
        "sys/wrapping/wrap",
        Some("root"),
        Some(json!({"a": "b"})),
    );
    assert_eq!(
        (refused.status, refused.error()),
        (
            400,
            "endpoint requires response wrapping to be used".to_string()
        )
    );
    let answer = wrapped(
        &node,
        "PUT",
        "sys/wrapping/wrap",
        "root",
        "300",
        Some(json!({"a": "b"})),
    );
    let info = answer.json()["wrap_info"].clone();
    assert_eq!(info["creation_path"], "sys/wrapping/wrap");
    assert!(info.get("wrapped_accessor").is_none());
    let unwrapped = unwrap_as(&node, info["token"].as_str().unwrap());
    assert_eq!(unwrapped.json()["data"], json!({"a": "b"}));
}

// vault-api.md §9: the wrapping token carries only the response-wrapping policy: it can unwrap
// and nothing else. vault/policy_store.go responseWrappingPolicy
#[test]
fn a_wrapping_token_can_only_unwrap() {
    let node = dev();
    let answer = wrapped(&node, "GET", "secret/config", "root", "300", None);
    let token = answer.json()["wrap_info"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let read = call(&node.addr(), "GET", "secret/config", Some(&token), None);
    assert_eq!(read.status, 403);
    let lookup = call(
        &node.addr(),
        "PUT",
        "auth/token/lookup",
        Some("root"),
        Some(json!({ "token": token })),
    );
    let data = &lookup.json()["data"];
    assert_eq!(data["policies"], json!(["response-wrapping"]));
    assert_eq!(data["path"], "secret/config");
    assert_eq!(data["orphan"], true);
}

// OpenBao: the stored answer carries no mount_type (its HTTPResponse has none).
#[test]
fn openbao_unwrap_has_no_mount_type() {
    let node = Sandbox::builder()
        .dev("root")
        .flavor(Flavor::OpenBao)
        .start()
        .unwrap();
    let answer = wrapped(&node, "GET", "secret/config", "root", "300", None);
    let token = answer.json()["wrap_info"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(token.starts_with("s."));
    let unwrapped = unwrap_as(&node, &token).json();
    assert!(unwrapped.get("mount_type").is_none());
    assert_eq!(unwrapped["data"]["max_versions"], 0);
}
