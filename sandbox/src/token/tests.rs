//! Token store logic, driven through the handlers with an in-memory `State`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};

use super::*;
use crate::auth::authenticate;
use crate::flavor::Flavor;
use crate::seal::SealState;

fn state() -> (State, String) {
    let mut state = State::new(Flavor::Vault, SealState::default());
    let now = state.clock.now();
    let root = state.tokens.create_root(Flavor::Vault, now);
    (state, root)
}

fn request(method: Method, path: &str, token: &str, body: Value) -> Request {
    Request {
        method,
        path: path.to_string(),
        trailing_slash: false,
        query: BTreeMap::new(),
        token: Some(token.to_string()),
        namespace: None,
        body: body.as_object().cloned().unwrap_or_default(),
        wrap_ttl: None,
    }
}

fn call(state: &mut State, method: Method, path: &str, token: &str, body: Value) -> HandlerResult {
    let req = request(method, path, token, body);
    let caller = authenticate(state, &req)?;
    handle(state, &caller, &req)
}

fn logical(r: HandlerResult) -> Logical {
    match r {
        Ok(Reply::Logical(l)) => l,
        other => panic!("expected a logical reply, got {other:?}"),
    }
}

fn error(r: HandlerResult) -> String {
    match r {
        Err(e) => e.errors.join("|"),
        other => panic!("expected an error, got {other:?}"),
    }
}

fn create_token(state: &mut State, token: &str, path: &str, body: Value) -> (String, Logical) {
    let l = logical(call(state, Method::Post, path, token, body));
    let id = l.auth.as_ref().unwrap()["client_token"]
        .as_str()
        .unwrap()
        .to_string();
    (id, l)
}

#[test]
fn root_token_has_vault_format_and_lookup_shape() {
    let (mut state, root) = state();
    assert!(root.starts_with("hvs.") && root.len() > 90);
    let data = logical(call(
        &mut state,
        Method::Get,
        "auth/token/lookup-self",
        &root,
        json!({}),
    ))
    .data
    .unwrap();
    assert_eq!(data["policies"], json!(["root"]));
    assert_eq!(data["path"], "auth/token/root");
    assert_eq!(data["display_name"], "root");
    assert_eq!(data["ttl"], 0);
    assert_eq!(data["creation_ttl"], 0);
    assert_eq!(data["expire_time"], Value::Null);
    assert!(data.get("renewable").is_none());
    assert!(data.get("issue_time").is_none());
}

// vault-api.md §5: the orphan periodic token of the documented setup.
#[test]
fn orphan_periodic_token_with_root() {
    let (mut state, root) = state();
    let (id, l) = create_token(
        &mut state,
        &root,
        "auth/token/create",
        json!({"policies": ["nomad-server"], "period": "72h", "orphan": true, "no_parent": true}),
    );
    let auth = l.auth.unwrap();
    assert_eq!(auth["policies"], json!(["default", "nomad-server"]));
    assert_eq!(auth["lease_duration"], 259_200);
    assert_eq!(auth["renewable"], true);
    assert_eq!(auth["orphan"], true);
    assert_eq!(auth["token_type"], "service");
    assert!(l
        .warnings
        .contains(&"Policy \"nomad-server\" does not exist".to_string()));
    let data = logical(call(
        &mut state,
        Method::Get,
        "auth/token/lookup-self",
        &id,
        json!({}),
    ))
    .data
    .unwrap();
    assert_eq!(data["period"], 259_200);
    assert_eq!(data["orphan"], true);
    assert_eq!(data["renewable"], true);
    assert!(data["issue_time"].is_string());
}

#[test]
fn non_sudo_parent_rules() {
    let (mut state, root) = state();
    state
        .policies
        .write(
            "p",
            r#"path "auth/token/create" { capabilities = ["update"] }"#,
            Flavor::Vault,
        )
        .unwrap();
    let (child, _) = create_token(
        &mut state,
        &root,
        "auth/token/create",
        json!({"policies": "p"}),
    );
    let r = call(
        &mut state,
        Method::Post,
        "auth/token/create",
        &child,
        json!({"policies": ["other"]}),
    );
    assert_eq!(error(r), "child policies must be subset of parent");
    let r = call(
        &mut state,
        Method::Post,
        "auth/token/create",
        &child,
        json!({"no_parent": true}),
    );
    assert_eq!(
        error(r),
        "root or sudo privileges required to create orphan token"
    );
    let r = call(
        &mut state,
        Method::Post,
        "auth/token/create",
        &child,
        json!({"period": "1h"}),
    );
    assert_eq!(
        error(r),
        "root or sudo privileges required to create periodic token"
    );
    let r = call(
        &mut state,
        Method::Post,
        "auth/token/create",
        &child,
        json!({"id": "x"}),
    );
    assert_eq!(
        error(r),
        "root or sudo privileges required to specify token id"
    );
    let r = call(
        &mut state,
        Method::Post,
        "auth/token/create",
        &child,
        json!({"policies": ["root"]}),
    );
    assert_eq!(error(r), "child policies must be subset of parent");
    let (grandchild, l) = create_token(&mut state, &child, "auth/token/create", json!({}));
    assert_eq!(l.auth.unwrap()["policies"], json!(["default", "p"]));
    // vault-api.md §6: revoking the parent revokes non-orphan children.
    call(
        &mut state,
        Method::Post,
        "auth/token/revoke",
        &root,
        json!({"token": child}),
    )
    .unwrap();
    let r = call(
        &mut state,
        Method::Get,
        "auth/token/lookup-self",
        &grandchild,
        json!({}),
    );
    assert_eq!(error(r), "permission denied");
}

#[test]
fn create_validation_messages() {
    let (mut state, root) = state();
    assert_eq!(
        error(call(
            &mut state,
            Method::Post,
            "auth/token/create",
            &root,
            json!({"ttl": "-1h"})
        )),
        "ttl must be positive"
    );
    assert_eq!(
        error(call(
            &mut state,
            Method::Post,
            "auth/token/create",
            &root,
            json!({"period": "-1h"})
        )),
        "period must be positive"
    );
    assert_eq!(
        error(call(
            &mut state,
            Method::Post,
            "auth/token/create/nope",
            &root,
            json!({})
        )),
        "unknown role nope"
    );
    assert_eq!(
        error(call(
            &mut state,
            Method::Post,
            "auth/token/create",
            &root,
            json!({"policies": ["response-wrapping"]})
        )),
        "cannot assign policy \"response-wrapping\""
    );
    let (limited, _) = create_token(
        &mut state,
        &root,
        "auth/token/create",
        json!({"num_uses": 5}),
    );
    assert_eq!(
        error(call(
            &mut state,
            Method::Post,
            "auth/token/create",
            &limited,
            json!({})
        )),
        "restricted use token cannot generate child tokens"
    );
}

// vault-api.md §5: role policy resolution.
#[test]
fn role_with_disallowed_list_and_root_parent_yields_root_token() {
    let (mut state, root) = state();
    call(
        &mut state,
        Method::Post,
        "auth/token/roles/nomad-cluster",
        &root,
        json!({"disallowed_policies": "nomad-server", "orphan": true, "token_period": 259200}),
    )
    .unwrap();
    let (_, l) = create_token(
        &mut state,
        &root,
        "auth/token/create/nomad-cluster",
        json!({}),
    );
    assert_eq!(l.auth.unwrap()["policies"], json!(["root"]));
    let r = call(
        &mut state,
        Method::Post,
        "auth/token/create/nomad-cluster",
        &root,
        json!({"policies": ["nomad-server"]}),
    );
    assert_eq!(
        error(r),
        "token policy \"nomad-server\" is disallowed by this role"
    );
    let (id, l) = create_token(
        &mut state,
        &root,
        "auth/token/create/nomad-cluster",
        json!({"policies": ["app"]}),
    );
    let auth = l.auth.unwrap();
    assert_eq!(auth["policies"], json!(["app", "default"]));
    assert_eq!(auth["orphan"], true);
    assert_eq!(auth["lease_duration"], 259_200);
    let data = logical(call(
        &mut state,
        Method::Get,
        "auth/token/lookup-self",
        &id,
        json!({}),
    ))
    .data
    .unwrap();
    assert_eq!(data["role"], "nomad-cluster");
    assert_eq!(data["path"], "auth/token/create/nomad-cluster");
}

#[test]
fn role_with_allowed_list_checks_subset_with_exact_message() {
    let (mut state, root) = state();
    call(
        &mut state,
        Method::Post,
        "auth/token/roles/r",
        &root,
        json!({"allowed_policies": "y"}),
    )
    .unwrap();
    let (_, l) = create_token(&mut state, &root, "auth/token/create/r", json!({}));
    assert_eq!(l.auth.unwrap()["policies"], json!(["default", "y"]));
    let r = call(
        &mut state,
        Method::Post,
        "auth/token/create/r",
        &root,
        json!({"policies": "x"}),
    );
    assert_eq!(
        error(r),
        r#"token policies (["default" "x"]) must be subset of the role's allowed policies (["default" "y"]) or glob policies ([])"#
    );
    call(
        &mut state,
        Method::Post,
        "auth/token/roles/g",
        &root,
        json!({"allowed_policies_glob": "app-*"}),
    )
    .unwrap();
    let (_, l) = create_token(
        &mut state,
        &root,
        "auth/token/create/g",
        json!({"policies": "app-1"}),
    );
    assert_eq!(l.auth.unwrap()["policies"], json!(["app-1", "default"]));
}

#[test]
fn role_and_request_period_take_the_lesser_with_warning() {
    let (mut state, root) = state();
    call(
        &mut state,
        Method::Post,
        "auth/token/roles/r",
        &root,
        json!({"token_period": "2h"}),
    )
    .unwrap();
    let (_, l) = create_token(
        &mut state,
        &root,
        "auth/token/create/r",
        json!({"period": "1h"}),
    );
    assert_eq!(l.auth.unwrap()["lease_duration"], 3600);
    assert_eq!(l.warnings, vec!["Period specified both during creation call and in role; using the lesser value of 3600 seconds"]);
}

#[test]
fn ttl_defaults_to_768h_and_is_capped_by_explicit_max() {
    let (mut state, root) = state();
    let (_, l) = create_token(
        &mut state,
        &root,
        "auth/token/create",
        json!({"policies": "a"}),
    );
    assert_eq!(l.auth.unwrap()["lease_duration"], 768 * 3600);
    let (_, l) = create_token(
        &mut state,
        &root,
        "auth/token/create",
        json!({"policies": "a", "ttl": "2h", "explicit_max_ttl": "1h"}),
    );
    assert_eq!(l.auth.unwrap()["lease_duration"], 3600);
    let (_, l) = create_token(
        &mut state,
        &root,
        "auth/token/create",
        json!({"display_name": "my app!"}),
    );
    let auth = l.auth.unwrap();
    assert_eq!(auth["lease_duration"], 0);
    assert_eq!(auth["renewable"], false);
}

// vault-api.md §6 + clock: expired tokens are gone; renewal extends periodic tokens.
#[test]
fn expiry_and_renewal_follow_the_clock() {
    let (mut state, root) = state();
    let (id, _) = create_token(
        &mut state,
        &root,
        "auth/token/create",
        json!({"policies": "a", "period": "1h"}),
    );
    state.clock.advance(Duration::from_secs(1800));
    let l = logical(call(
        &mut state,
        Method::Post,
        "auth/token/renew-self",
        &id,
        json!({"increment": "10h"}),
    ));
    assert_eq!(l.auth.unwrap()["lease_duration"], 3600);
    state.clock.advance(Duration::from_secs(3000));
    assert!(call(
        &mut state,
        Method::Get,
        "auth/token/lookup-self",
        &id,
        json!({})
    )
    .is_ok());
    state.clock.advance(Duration::from_secs(700));
    assert_eq!(
        error(call(
            &mut state,
            Method::Get,
            "auth/token/lookup-self",
            &id,
            json!({})
        )),
        "permission denied"
    );
    let r = call(
        &mut state,
        Method::Post,
        "auth/token/renew-self",
        &root,
        json!({}),
    );
    assert_eq!(error(r), "invalid lease ID");
}

#[test]
fn accessor_paths() {
    let (mut state, root) = state();
    let (id, l) = create_token(
        &mut state,
        &root,
        "auth/token/create",
        json!({"policies": "a"}),
    );
    let accessor = l.auth.unwrap()["accessor"].as_str().unwrap().to_string();
    let data = logical(call(
        &mut state,
        Method::Post,
        "auth/token/lookup-accessor",
        &root,
        json!({"accessor": accessor}),
    ))
    .data
    .unwrap();
    assert_eq!(data["id"], "");
    assert_eq!(
        error(call(
            &mut state,
            Method::Post,
            "auth/token/lookup-accessor",
            &root,
            json!({"accessor": "nope"})
        )),
        "invalid accessor"
    );
    assert_eq!(
        error(call(
            &mut state,
            Method::Post,
            "auth/token/lookup",
            &root,
            json!({"token": "nope"})
        )),
        "bad token"
    );
    assert!(matches!(
        call(
            &mut state,
            Method::Post,
            "auth/token/revoke-accessor",
            &root,
            json!({"accessor": accessor})
        ),
        Ok(Reply::NoContent)
    ));
    assert!(state.tokens.lookup(&id, state.clock.now()).is_none());
    let l = logical(call(
        &mut state,
        Method::Post,
        "auth/token/revoke-accessor",
        &root,
        json!({"accessor": "nope"}),
    ));
    assert_eq!(l.warnings, vec!["No token found with this accessor"]);
}

#[test]
fn use_limited_token_is_gone_after_its_uses() {
    let (mut state, root) = state();
    let (id, _) = create_token(
        &mut state,
        &root,
        "auth/token/create",
        json!({"num_uses": 2}),
    );
    assert!(call(
        &mut state,
        Method::Get,
        "auth/token/lookup-self",
        &id,
        json!({})
    )
    .is_ok());
    assert!(call(
        &mut state,
        Method::Get,
        "auth/token/lookup-self",
        &id,
        json!({})
    )
    .is_ok());
    assert_eq!(
        error(call(
            &mut state,
            Method::Get,
            "auth/token/lookup-self",
            &id,
            json!({})
        )),
        "permission denied"
    );
}

#[test]
fn role_list_get_delete() {
    let (mut state, root) = state();
    assert_eq!(
        call(
            &mut state,
            Method::List,
            "auth/token/roles",
            &root,
            json!({})
        )
        .unwrap_err()
        .status,
        404
    );
    call(
        &mut state,
        Method::Put,
        "auth/token/roles/b",
        &root,
        json!({}),
    )
    .unwrap();
    call(
        &mut state,
        Method::Put,
        "auth/token/roles/a",
        &root,
        json!({}),
    )
    .unwrap();
    let l = logical(call(
        &mut state,
        Method::List,
        "auth/token/roles",
        &root,
        json!({}),
    ));
    assert_eq!(l.data.unwrap()["keys"], json!(["a", "b"]));
    assert!(matches!(
        call(
            &mut state,
            Method::Delete,
            "auth/token/roles/a",
            &root,
            json!({})
        ),
        Ok(Reply::NoContent)
    ));
    assert_eq!(
        call(
            &mut state,
            Method::Get,
            "auth/token/roles/a",
            &root,
            json!({})
        )
        .unwrap_err()
        .status,
        404
    );
    assert_eq!(exists(&state, "auth/token/roles/b"), Some(true));
    assert_eq!(exists(&state, "auth/token/roles/a"), Some(false));
    assert_eq!(exists(&state, "auth/token/create"), None);
}

#[test]
fn debug_output_never_shows_the_token() {
    let (mut state, root) = state();
    let entry = state
        .tokens
        .lookup(&root, state.clock.now())
        .unwrap()
        .clone();
    assert!(!format!("{entry:?}").contains(&root));
    let caller = crate::auth::Caller::from_entry(&entry);
    assert!(!format!("{caller:?}").contains(&root));
}

#[test]
fn openbao_tokens_use_short_format() {
    let mut store = TokenStore::default();
    let id = store.create_root(Flavor::OpenBao, SystemTime::now());
    assert!(id.starts_with("s.") && id.len() == 26);
}
