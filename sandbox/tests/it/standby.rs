//! vault-api.md §0 (standby nodes) and §2: a standby answers the node-local endpoints itself
//! and redirects everything else to the active node.

use crate::common;

use common::call;
use serde_json::json;
use vault_sandbox::Sandbox;

fn unseal_all(addr: &str, keys: &[String], threshold: usize) {
    for key in &keys[..threshold] {
        call(addr, "PUT", "sys/unseal", None, Some(json!({"key": key})));
    }
}

// vault-api.md §0 standby: 307 with Location: <active addr><path>?<query> and no body
#[test]
fn standby_redirects_logical_requests_to_the_active_node() {
    let active = Sandbox::builder().sealed(3, 2).start().unwrap();
    let standby = Sandbox::builder().standby_of(&active).start().unwrap();
    let keys = active.unseal_keys();
    unseal_all(&active.addr(), &keys, 2);
    unseal_all(&standby.addr(), &keys, 2);
    let root = active.root_token().unwrap();
    let a = call(
        &standby.addr(),
        "GET",
        "secret/data/x?version=2",
        Some(&root),
        None,
    );
    assert_eq!(a.status, 307);
    assert_eq!(
        a.header("location").unwrap(),
        format!("{}/v1/secret/data/x?version=2", active.addr())
    );
    assert!(a.text.is_empty());
    let b = call(
        &standby.addr(),
        "GET",
        "auth/token/lookup-self",
        Some(&root),
        None,
    );
    assert_eq!(
        b.header("location").unwrap(),
        format!("{}/v1/auth/token/lookup-self", active.addr())
    );
}

// vault-api.md §2: unseal keys of the active node unseal the standby; each node has its own state
#[test]
fn each_node_must_be_unsealed_with_the_clusters_keys() {
    let active = Sandbox::builder().sealed(3, 2).start().unwrap();
    let standby = Sandbox::builder().standby_of(&active).start().unwrap();
    let keys = active.unseal_keys();
    assert_eq!(standby.unseal_keys(), keys);
    unseal_all(&active.addr(), &keys, 2);
    let s = call(&standby.addr(), "GET", "sys/seal-status", None, None).json();
    assert_eq!(
        (s["sealed"].clone(), s["initialized"].clone()),
        (json!(true), json!(true))
    );
    let first = call(
        &standby.addr(),
        "PUT",
        "sys/unseal",
        None,
        Some(json!({"key": keys[2]})),
    )
    .json();
    assert_eq!(first["progress"], 1);
    let done = call(
        &standby.addr(),
        "PUT",
        "sys/unseal",
        None,
        Some(json!({"key": keys[0]})),
    )
    .json();
    assert_eq!(done["sealed"], false);
}

// vault-api.md §2 health: standby → 429 unless standbyok; standbycode overrides
#[test]
fn standby_health_is_429_unless_standbyok() {
    let active = Sandbox::builder().sealed(1, 1).start().unwrap();
    let standby = Sandbox::builder().standby_of(&active).start().unwrap();
    let keys = active.unseal_keys();
    unseal_all(&standby.addr(), &keys, 1);
    let h = call(&standby.addr(), "GET", "sys/health", None, None);
    assert_eq!(h.status, 429);
    assert_eq!(h.json()["standby"], true);
    assert_eq!(
        call(
            &standby.addr(),
            "GET",
            "sys/health?standbyok=true",
            None,
            None
        )
        .status,
        200
    );
    assert_eq!(
        call(
            &standby.addr(),
            "GET",
            "sys/health?standbycode=200",
            None,
            None
        )
        .status,
        200
    );
}

// vault-api.md §2 seal: standby → 500 with Vault's message
#[test]
fn seal_on_a_standby_is_500() {
    let active = Sandbox::builder().dev("root").start().unwrap();
    let standby = Sandbox::builder().standby_of(&active).start().unwrap();
    unseal_all(&standby.addr(), &active.unseal_keys(), 1);
    let a = call(&standby.addr(), "PUT", "sys/seal", Some("root"), None);
    assert_eq!(a.status, 500);
    assert_eq!(
        a.error(),
        "vault cannot seal when in standby mode; please restart instead"
    );
}

// vault-api.md §0 standby: sys/init and sys/leader are answered by the node itself
#[test]
fn standby_answers_init_and_leader_itself() {
    let active = Sandbox::builder().dev("root").start().unwrap();
    let standby = Sandbox::builder().standby_of(&active).start().unwrap();
    assert_eq!(
        call(&standby.addr(), "GET", "sys/init", None, None).json(),
        json!({"initialized": true})
    );
    unseal_all(&standby.addr(), &active.unseal_keys(), 1);
    let leader = call(&standby.addr(), "GET", "sys/leader", None, None).json();
    assert_eq!(leader["is_self"], false);
    assert_eq!(leader["leader_address"], active.addr());
    let own = call(&active.addr(), "GET", "sys/leader", None, None).json();
    assert_eq!(own["is_self"], true);
}

// vault-api.md §0 standby: sealed standby answers 503 for logical paths, not 307
#[test]
fn a_sealed_standby_is_503_for_logical_paths() {
    let active = Sandbox::builder().dev("root").start().unwrap();
    let standby = Sandbox::builder().standby_of(&active).start().unwrap();
    assert_eq!(
        call(&standby.addr(), "GET", "sys/mounts", Some("root"), None).status,
        503
    );
}

// vault-api.md §1 with §0 standby: the nodes of a cluster share storage, so the root token
// minted by `sys/init` on any node is valid on the active node; a root token revoked there does
// not come back.
#[test]
fn the_root_token_from_an_init_answered_by_the_standby_works_on_the_active_node() {
    let active = Sandbox::builder().uninitialized().start().unwrap();
    let standby = Sandbox::builder().standby_of(&active).start().unwrap();
    let init = call(
        &standby.addr(),
        "PUT",
        "sys/init",
        None,
        Some(json!({"secret_shares": 1, "secret_threshold": 1})),
    );
    assert_eq!(init.status, 200, "{}", init.text);
    let answer = init.json();
    let root = answer["root_token"].as_str().unwrap().to_string();
    let key = answer["keys"][0].as_str().unwrap().to_string();
    unseal_all(&active.addr(), std::slice::from_ref(&key), 1);
    unseal_all(&standby.addr(), std::slice::from_ref(&key), 1);

    let write = call(
        &active.addr(),
        "PUT",
        "sys/policies/acl/p",
        Some(&root),
        Some(json!({"policy": "path \"a\" { capabilities = [\"read\"] }"})),
    );
    assert_eq!(write.status, 204, "{}", write.text);

    let revoke = call(
        &active.addr(),
        "POST",
        "auth/token/revoke-self",
        Some(&root),
        None,
    );
    assert_eq!(revoke.status, 204, "{}", revoke.text);
    let after = call(
        &active.addr(),
        "GET",
        "auth/token/lookup-self",
        Some(&root),
        None,
    );
    assert_eq!(after.status, 403);
}
