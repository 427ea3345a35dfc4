//! vault-api.md §3 over raw HTTP: ACL policies on both endpoints and the ACL engine.

use crate::common;

use common::call;
use serde_json::json;
use vault_sandbox::Sandbox;

const ROOT: &str = "root-token";

fn dev() -> vault_sandbox::SandboxHandle {
    Sandbox::builder().dev(ROOT).start().unwrap()
}

// vault-api.md §3: write → 204, GET `data` {"name","policy"}.
#[test]
fn write_and_read_on_preferred_endpoint() {
    let v = dev();
    let text = "path \"secret/*\" {\n  capabilities = [\"read\"]\n}\n";
    let a = call(
        &v.addr(),
        "PUT",
        "sys/policies/acl/Nomad-Server",
        Some(ROOT),
        Some(json!({"policy": text})),
    );
    assert_eq!(a.status, 204, "{}", a.text);
    assert!(a.text.is_empty());
    let a = call(
        &v.addr(),
        "GET",
        "sys/policies/acl/nomad-server",
        Some(ROOT),
        None,
    );
    assert_eq!(a.status, 200);
    assert_eq!(
        a.json()["data"],
        json!({"name": "nomad-server", "policy": text})
    );
}

// vault-api.md §3: legacy endpoint returns `rules`, copied to the top level.
#[test]
fn legacy_endpoint_reads_rules_at_top_level() {
    let v = dev();
    call(
        &v.addr(),
        "PUT",
        "sys/policy/p",
        Some(ROOT),
        Some(json!({"policy": "path \"a\" { capabilities = [\"read\"] }"})),
    );
    let body = call(&v.addr(), "GET", "sys/policy/p", Some(ROOT), None).json();
    assert_eq!(body["data"]["name"], "p");
    assert_eq!(body["rules"], body["data"]["rules"]);
    assert!(body["data"].get("policy").is_none());
}

// vault-api.md §3: `rules` accepted on the legacy write with the deprecation warning.
#[test]
fn legacy_rules_field_warns() {
    let v = dev();
    let a = call(
        &v.addr(),
        "PUT",
        "sys/policy/p",
        Some(ROOT),
        Some(json!({"rules": "path \"a\" { capabilities = [\"read\"] }"})),
    );
    assert_eq!(a.status, 200);
    assert_eq!(
        a.json()["warnings"],
        json!(["'rules' is deprecated, please use 'policy' instead"])
    );
}

// vault-api.md §3: lists sorted, ending with root; legacy list has keys and policies.
#[test]
fn lists_are_sorted_and_end_with_root() {
    let v = dev();
    for name in ["zeta", "alpha"] {
        call(
            &v.addr(),
            "PUT",
            &format!("sys/policies/acl/{name}"),
            Some(ROOT),
            Some(json!({"policy": "path \"a\" { capabilities = [\"read\"] }"})),
        );
    }
    let a = call(&v.addr(), "LIST", "sys/policies/acl", Some(ROOT), None);
    assert_eq!(
        a.json()["data"]["keys"],
        json!(["alpha", "default", "zeta", "root"])
    );
    let a = call(&v.addr(), "GET", "sys/policy", Some(ROOT), None).json();
    assert_eq!(a["data"]["keys"], a["data"]["policies"]);
}

// vault-api.md §3: base64 policy text is decoded.
#[test]
fn base64_policy_is_decoded() {
    use base64::Engine;
    let v = dev();
    let text = "path \"b\" { capabilities = [\"list\"] }";
    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
    assert_eq!(
        call(
            &v.addr(),
            "PUT",
            "sys/policies/acl/b",
            Some(ROOT),
            Some(json!({"policy": b64}))
        )
        .status,
        204
    );
    assert_eq!(
        call(&v.addr(), "GET", "sys/policies/acl/b", Some(ROOT), None).json()["data"]["policy"],
        text
    );
}

// vault-api.md §3: root/default rules and the missing-item answers.
#[test]
fn root_default_and_missing_rules() {
    let v = dev();
    let a = call(&v.addr(), "GET", "sys/policies/acl/root", Some(ROOT), None);
    assert_eq!(a.json()["data"], json!({"name": "root", "policy": ""}));
    let a = call(
        &v.addr(),
        "GET",
        "sys/policies/acl/missing",
        Some(ROOT),
        None,
    );
    assert_eq!((a.status, a.json()), (404, json!({"errors": []})));
    assert_eq!(
        call(
            &v.addr(),
            "DELETE",
            "sys/policies/acl/missing",
            Some(ROOT),
            None
        )
        .status,
        204
    );
    let a = call(
        &v.addr(),
        "DELETE",
        "sys/policies/acl/default",
        Some(ROOT),
        None,
    );
    assert_eq!(
        (a.status, a.error()),
        (400, "cannot delete default policy".to_string())
    );
    let a = call(
        &v.addr(),
        "DELETE",
        "sys/policies/acl/root",
        Some(ROOT),
        None,
    );
    assert_eq!(a.error(), "cannot delete \"root\" policy");
    let a = call(
        &v.addr(),
        "PUT",
        "sys/policies/acl/root",
        Some(ROOT),
        Some(json!({"policy": "path \"a\" { capabilities = [\"read\"] }"})),
    );
    assert_eq!(
        (a.status, a.error()),
        (400, "cannot update \"root\" policy".to_string())
    );
    let a = call(
        &v.addr(),
        "PUT",
        "sys/policies/acl/x",
        Some(ROOT),
        Some(json!({"policy": ""})),
    );
    assert_eq!(a.error(), "'policy' parameter not supplied or empty");
    assert_eq!(
        call(
            &v.addr(),
            "PUT",
            "sys/policies/acl/default",
            Some(ROOT),
            Some(json!({"policy": "path \"a\" { capabilities = [\"read\"] }"}))
        )
        .status,
        204
    );
}

// vault-api.md §3: parse errors, all 400 with the prefix.
#[test]
fn parse_errors_are_400_with_prefix() {
    let v = dev();
    let cases = [
        ("bogus = 1", "invalid key \"bogus\" on line 1"),
        (
            "path \"x\" { capabilities = [\"foo\"] }",
            "path \"x\": invalid capability \"foo\"",
        ),
        (
            "path \"x/+*\" { capabilities = [\"read\"] }",
            "path \"x/+*\": invalid use of wildcards ('+*' is forbidden)",
        ),
        ("path \"x\" {", "At "),
    ];
    for (text, expected) in cases {
        let a = call(
            &v.addr(),
            "PUT",
            "sys/policies/acl/bad",
            Some(ROOT),
            Some(json!({"policy": text})),
        );
        assert_eq!(a.status, 400);
        assert!(
            a.error().starts_with("failed to parse policy: "),
            "{}",
            a.error()
        );
        assert!(a.error().contains(expected), "{} vs {expected}", a.error());
    }
    assert_eq!(
        call(
            &v.addr(),
            "PUT",
            "sys/policies/acl/empty",
            Some(ROOT),
            Some(json!({"policy": "# nothing"}))
        )
        .status,
        204
    );
}

fn token_with(v: &vault_sandbox::SandboxHandle, policy: &str) -> String {
    call(
        &v.addr(),
        "PUT",
        "sys/policies/acl/t",
        Some(ROOT),
        Some(json!({"policy": policy})),
    );
    let a = call(
        &v.addr(),
        "POST",
        "auth/token/create",
        Some(ROOT),
        Some(json!({"policies": ["t"]})),
    );
    a.json()["auth"]["client_token"]
        .as_str()
        .unwrap()
        .to_string()
}

// vault-api.md §3: every request is authorised; a valid token denied gets the multierror 403.
#[test]
fn acl_denies_with_multierror_and_allows_granted_paths() {
    let v = dev();
    let t = token_with(
        &v,
        "path \"sys/policies/acl/*\" { capabilities = [\"read\", \"list\"] }",
    );
    assert_eq!(
        call(&v.addr(), "GET", "sys/policies/acl/default", Some(&t), None).status,
        200
    );
    // LIST paths carry a trailing slash, so `sys/policies/acl/*` covers the list too.
    assert_eq!(
        call(&v.addr(), "LIST", "sys/policies/acl", Some(&t), None).status,
        200
    );
    assert_eq!(
        call(&v.addr(), "GET", "sys/policy", Some(&t), None).status,
        403
    );
    let a = call(
        &v.addr(),
        "PUT",
        "sys/policies/acl/x",
        Some(&t),
        Some(json!({"policy": "path \"a\" { capabilities = [\"read\"] }"})),
    );
    assert_eq!(
        (a.status, a.error()),
        (
            403,
            "1 error occurred:\n\t* permission denied\n\n".to_string()
        )
    );
    let a = call(
        &v.addr(),
        "GET",
        "sys/policies/acl/default",
        Some("nope"),
        None,
    );
    assert_eq!(
        (a.status, a.error()),
        (403, "permission denied".to_string())
    );
    let a = call(&v.addr(), "GET", "sys/policies/acl/default", None, None);
    assert_eq!(a.status, 403);
}

// vault-api.md §3: the default policy's grants (read lookup-self, POST denied).
#[test]
fn default_policy_grants() {
    let v = dev();
    let t = token_with(&v, "path \"nothing\" { capabilities = [\"read\"] }");
    assert_eq!(
        call(&v.addr(), "GET", "auth/token/lookup-self", Some(&t), None).status,
        200
    );
    assert_eq!(
        call(
            &v.addr(),
            "POST",
            "auth/token/lookup-self",
            Some(&t),
            Some(json!({}))
        )
        .status,
        403
    );
    assert_eq!(
        call(
            &v.addr(),
            "POST",
            "sys/capabilities-self",
            Some(&t),
            Some(json!({"paths": ["a"]}))
        )
        .status,
        200
    );
}
