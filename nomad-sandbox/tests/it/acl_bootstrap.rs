//! `/v1/acl/bootstrap`: once, then Nomad's error with the reset index; the operator-supplied
//! `BootstrapSecret`; the reset file.

use nomad_sandbox::NomadSandbox;

use crate::common::{get, put, send};

/// nomad/acl_endpoint.go:Bootstrap — a global management token named "Bootstrap Token",
/// no token needed; command/agent/acl_endpoint.go:ACLTokenBootstrap sets X-Nomad-Index.
#[test]
fn bootstrap_returns_a_global_management_token_once() {
    let nomad = NomadSandbox::builder().start().unwrap();
    let first = send(&nomad.addr(), "POST", "/v1/acl/bootstrap", None, None);
    assert_eq!(first.status, 200, "{}", first.text);
    let token = first.json();
    assert_eq!(token["Name"], "Bootstrap Token");
    assert_eq!(token["Type"], "management");
    assert_eq!(token["Policies"], serde_json::Value::Null);
    assert_eq!(token["Global"], true);
    assert_eq!(token["ExpirationTTL"], "");
    let index = token["CreateIndex"].as_u64().unwrap();
    assert_eq!(first.header("x-nomad-index"), Some(index.to_string()));
    assert_eq!(
        nomad.management_token().as_deref(),
        token["SecretID"].as_str()
    );

    // The token works: it reads itself.
    let me = get(
        &nomad.addr(),
        "/v1/acl/token/self",
        token["SecretID"].as_str(),
    );
    assert_eq!(me.json()["AccessorID"], token["AccessorID"]);

    let again = send(&nomad.addr(), "PUT", "/v1/acl/bootstrap", None, None);
    again.assert_error(
        400,
        &format!("ACL bootstrap already done (reset index: {index})"),
    );
}

/// nomad/acl_endpoint.go:Bootstrap — `BootstrapSecret` must be a UUID (`invalid acl token`);
/// ACLTokenBootstrap — an undecodable body is `failed to decode request body: …`.
#[test]
fn an_operator_supplied_secret_is_used_when_it_is_a_uuid() {
    let nomad = NomadSandbox::builder().start().unwrap();
    put(
        &nomad.addr(),
        "/v1/acl/bootstrap",
        None,
        r#"{"BootstrapSecret":"not-a-uuid"}"#,
    )
    .assert_error(400, "invalid acl token");
    put(&nomad.addr(), "/v1/acl/bootstrap", None, "{")
        .assert_error(400, "failed to decode request body: unexpected EOF");
    assert!(
        nomad.management_token().is_none(),
        "nothing bootstrapped yet"
    );

    let secret = "2b778dd9-f5f1-6f29-b4b4-9a5fa948757a";
    let answer = put(
        &nomad.addr(),
        "/v1/acl/bootstrap",
        None,
        &format!(r#"{{"BootstrapSecret":"{secret}"}}"#),
    );
    assert_eq!(answer.json()["SecretID"], secret);
    assert_eq!(nomad.management_token().as_deref(), Some(secret));
}

/// nomad/acl_endpoint.go:Bootstrap + fileBootstrapResetIndex — a reset file with the right
/// index allows one more bootstrap; a wrong one is refused with both indexes.
#[test]
fn the_reset_file_allows_a_second_bootstrap() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let old = nomad.management_token().unwrap();
    let reset = nomad.bootstrap_reset_index().unwrap();
    nomad.write_bootstrap_reset_file(reset + 100);
    send(&nomad.addr(), "POST", "/v1/acl/bootstrap", None, None).assert_error(
        400,
        &format!(
            "Invalid bootstrap reset index (specified {}, reset index: {reset})",
            reset + 100
        ),
    );
    nomad.write_bootstrap_reset_file(reset);
    let answer = send(&nomad.addr(), "POST", "/v1/acl/bootstrap", None, None);
    assert_eq!(answer.status, 200);
    assert_ne!(answer.json()["SecretID"], old.as_str());
    // The old bootstrap token still exists: a reset does not delete tokens.
    assert_eq!(
        get(&nomad.addr(), "/v1/acl/token/self", Some(&old)).status,
        200
    );
}

/// command/agent/acl_endpoint.go:ACLTokenBootstrap — only PUT and POST.
#[test]
fn bootstrap_with_get_is_an_invalid_method() {
    let nomad = NomadSandbox::builder().start().unwrap();
    get(&nomad.addr(), "/v1/acl/bootstrap", None).assert_error(405, "Invalid method");
}

/// The builder bootstraps through the same handler; a non-UUID secret is refused there too.
#[test]
fn the_builder_refuses_a_bootstrap_nomad_would_refuse() {
    let err = NomadSandbox::builder()
        .bootstrapped_with("root")
        .start()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("invalid acl token"), "{err}");
    let err = NomadSandbox::builder()
        .acl_enabled(false)
        .bootstrapped()
        .start()
        .unwrap_err();
    assert!(err.to_string().contains("ACL support disabled"), "{err}");
}
