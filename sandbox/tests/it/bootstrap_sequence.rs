//! The documented bootstrap sequence end to end (vault-api.md §1–§7, seed 000 steps 1–5),
//! over raw HTTP: init 5/3 → unseal with 3 shares → `nomad-server` policy → `nomad-cluster`
//! role → orphan periodic server token → lookup-self → capabilities-self → child tokens.

use crate::common;

use common::call;
use serde_json::json;
use vault_sandbox::Sandbox;

/// Seed 000, step 1: the nomad-server policy, as the blog gives it.
const NOMAD_SERVER_POLICY: &str = r#"# Allow creating tokens under "nomad-cluster" token role. The token role name
# should be updated if "nomad-cluster" is not used.
path "auth/token/create/nomad-cluster" {
capabilities = ["update"]
}
# Allow looking up "nomad-cluster" token role. The token role name should be
# updated if "nomad-cluster" is not used.
path "auth/token/roles/nomad-cluster" {
capabilities = ["read"]
}
# Allow looking up the token passed to Nomad to validate # the token has the
# proper capabilities. This is provided by the "default" policy.
path "auth/token/lookup-self" {
capabilities = ["read"]
}
# Allow looking up incoming tokens to validate they have permissions to access
# the tokens they are requesting. This is only required if
# `allow_unauthenticated` is set to false.
path "auth/token/lookup" {
capabilities = ["update"]
}
# Allow revoking tokens that should no longer exist. This allows revoking
# tokens for dead tasks.
path "auth/token/revoke-accessor" {
capabilities = ["update"]
}
# Allow checking the capabilities of our own token. This is used to validate the
# token upon startup.
path "sys/capabilities-self" {
capabilities = ["update"]
}
# Allow our own token to be renewed.
path "auth/token/renew-self" {
capabilities = ["update"]
}
"#;

#[test]
fn documented_bootstrap_sequence_end_to_end() {
    let vault = Sandbox::builder().uninitialized().start().unwrap();
    let addr = vault.addr();

    // vault-api.md §1: init 5/3
    let init = call(
        &addr,
        "PUT",
        "sys/init",
        None,
        Some(json!({"secret_shares": 5, "secret_threshold": 3})),
    );
    assert_eq!(init.status, 200, "{}", init.text);
    let init = init.json();
    let keys: Vec<String> = init["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    let root = init["root_token"].as_str().unwrap().to_string();
    assert_eq!(keys.len(), 5);

    // vault-api.md §2: unseal with three shares (one of them base64)
    let mut status = json!(null);
    for key in [&keys[3], &keys[0], &keys[1]] {
        status = call(&addr, "PUT", "sys/unseal", None, Some(json!({"key": key}))).json();
    }
    assert_eq!(status["sealed"], false, "{status}");

    // vault-api.md §3: the nomad-server policy, read back identical
    let w = call(
        &addr,
        "PUT",
        "sys/policies/acl/nomad-server",
        Some(&root),
        Some(json!({"policy": NOMAD_SERVER_POLICY})),
    );
    assert_eq!(w.status, 204, "{}", w.text);
    let r = call(
        &addr,
        "GET",
        "sys/policies/acl/nomad-server",
        Some(&root),
        None,
    )
    .json();
    assert_eq!(r["data"]["policy"], NOMAD_SERVER_POLICY);
    let w = call(
        &addr,
        "PUT",
        "sys/policies/acl/hashicups-api",
        Some(&root),
        Some(
            json!({"policy": "path \"secret/data/hashicups-api\" {\n  capabilities = [\"read\"]\n}\n"}),
        ),
    );
    assert_eq!(w.status, 204);

    // vault-api.md §4: the nomad-cluster role (seed 000's JSON, disallowed variant)
    let role = json!({"disallowed_policies": "nomad-server", "token_explicit_max_ttl": 0,
        "orphan": true, "token_period": 259200, "renewable": true});
    let w = call(
        &addr,
        "PUT",
        "auth/token/roles/nomad-cluster",
        Some(&root),
        Some(role),
    );
    assert_eq!(w.status, 204, "{}", w.text);
    let r = call(
        &addr,
        "GET",
        "auth/token/roles/nomad-cluster",
        Some(&root),
        None,
    )
    .json();
    assert_eq!(r["data"]["disallowed_policies"], json!(["nomad-server"]));
    assert_eq!(r["data"]["token_period"], 259200);
    assert_eq!(r["data"]["orphan"], true);

    // vault-api.md §5: `vault token create -policy nomad-server -period 72h -orphan`
    let created = call(
        &addr,
        "POST",
        "auth/token/create",
        Some(&root),
        Some(json!({"policies": ["nomad-server"], "period": "72h", "no_parent": true})),
    );
    assert_eq!(created.status, 200, "{}", created.text);
    let auth = created.json()["auth"].clone();
    assert_eq!(auth["policies"], json!(["default", "nomad-server"]));
    assert_eq!(auth["orphan"], true);
    assert_eq!(auth["renewable"], true);
    assert_eq!(auth["lease_duration"], 259200);
    let server_token = auth["client_token"].as_str().unwrap().to_string();
    assert!(server_token.starts_with("hvs."));

    // vault-api.md §6: lookup-self with the server token
    let me = call(
        &addr,
        "GET",
        "auth/token/lookup-self",
        Some(&server_token),
        None,
    );
    assert_eq!(me.status, 200, "{}", me.text);
    let me = me.json()["data"].clone();
    assert_eq!(me["policies"], json!(["default", "nomad-server"]));
    assert_eq!(me["orphan"], true);
    assert_eq!(me["renewable"], true);
    assert_eq!(me["creation_ttl"], 259200);
    assert!(me["ttl"].as_u64().unwrap() > 259000);

    // vault-api.md §7 / nomad-rules.md §2: capabilities-self on the five Nomad paths
    let paths = [
        ("auth/token/lookup", "update"),
        ("auth/token/renew-self", "update"),
        ("auth/token/revoke-accessor", "update"),
        ("auth/token/roles/nomad-cluster", "read"),
        ("auth/token/create/nomad-cluster", "update"),
    ];
    let caps = call(
        &addr,
        "POST",
        "sys/capabilities-self",
        Some(&server_token),
        Some(json!({"paths": paths.iter().map(|(p, _)| *p).collect::<Vec<_>>()})),
    );
    assert_eq!(caps.status, 200, "{}", caps.text);
    let caps = caps.json();
    for (path, wanted) in paths {
        assert_eq!(caps["data"][path], json!([wanted]), "{path}: {caps}");
        assert_eq!(caps[path], json!([wanted]), "top-level copy of {path}");
    }

    // vault-api.md §5: a task token from the role with an allowed policy works
    let child = call(
        &addr,
        "POST",
        "auth/token/create/nomad-cluster",
        Some(&server_token),
        Some(json!({"policies": ["hashicups-api"]})),
    );
    assert_eq!(child.status, 200, "{}", child.text);
    let child_auth = child.json()["auth"].clone();
    assert_eq!(child_auth["policies"], json!(["default", "hashicups-api"]));
    assert_eq!(child_auth["orphan"], true);

    // ... and with nomad-server it is refused with Vault's exact message
    let refused = call(
        &addr,
        "POST",
        "auth/token/create/nomad-cluster",
        Some(&server_token),
        Some(json!({"policies": ["nomad-server"]})),
    );
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.error(),
        "token policy \"nomad-server\" is disallowed by this role"
    );
}
