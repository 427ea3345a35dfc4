//! vault-api.md §1: `sys/init`.

use crate::common;

use common::call;
use serde_json::{json, Value};
use vault_sandbox::{Flavor, Sandbox};

fn init(addr: &str, body: Value) -> common::Answer {
    call(addr, "PUT", "sys/init", None, Some(body))
}

// vault-api.md §1: GET → {"initialized": …}
#[test]
fn get_init_reports_whether_the_cluster_is_initialised() {
    let fresh = Sandbox::builder().uninitialized().start().unwrap();
    assert_eq!(
        call(&fresh.addr(), "GET", "sys/init", None, None).json(),
        json!({"initialized": false})
    );
    let dev = Sandbox::builder().dev("root").start().unwrap();
    assert_eq!(
        call(&dev.addr(), "GET", "sys/init", None, None).json(),
        json!({"initialized": true})
    );
}

// vault-api.md §1: 5/3 gives five 33-byte shares (66 hex, 44 base64) and a Vault root token;
// the node stays sealed
#[test]
fn init_five_three_gives_33_byte_shares_and_leaves_the_node_sealed() {
    let node = Sandbox::builder().uninitialized().start().unwrap();
    let a = init(
        &node.addr(),
        json!({"secret_shares": 5, "secret_threshold": 3}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let body = a.json();
    let keys = body["keys"].as_array().unwrap();
    let b64 = body["keys_base64"].as_array().unwrap();
    assert_eq!(keys.len(), 5);
    assert!(keys.iter().all(|k| k.as_str().unwrap().len() == 66));
    assert!(b64.iter().all(|k| k.as_str().unwrap().len() == 44));
    assert!(body.get("recovery_keys").is_none());
    assert!(body["root_token"].as_str().unwrap().starts_with("hvs."));
    let status = call(&node.addr(), "GET", "sys/seal-status", None, None).json();
    assert_eq!(
        (
            status["sealed"].clone(),
            status["t"].clone(),
            status["n"].clone()
        ),
        (json!(true), json!(3), json!(5))
    );
    assert_eq!(
        node.unseal_keys(),
        keys.iter()
            .map(|k| k.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(node.root_token().as_deref(), body["root_token"].as_str());
}

// vault-api.md §1: 1/1 gives the raw 32-byte key (64 hex chars)
#[test]
fn init_one_of_one_gives_the_raw_32_byte_key() {
    let node = Sandbox::builder().uninitialized().start().unwrap();
    let body = init(
        &node.addr(),
        json!({"secret_shares": 1, "secret_threshold": 1}),
    )
    .json();
    assert_eq!(body["keys"][0].as_str().unwrap().len(), 64);
}

// vault-api.md §1: OpenBao tokens are `s.` + 24 chars
#[test]
fn openbao_root_token_has_the_s_prefix() {
    let node = Sandbox::builder()
        .uninitialized()
        .flavor(Flavor::OpenBao)
        .start()
        .unwrap();
    let body = init(
        &node.addr(),
        json!({"secret_shares": 1, "secret_threshold": 1}),
    )
    .json();
    assert!(
        body["root_token"].as_str().unwrap().starts_with("s."),
        "{body}"
    );
}

// vault-api.md §1 errors
#[test]
fn init_validation_messages_match_vaults() {
    let node = Sandbox::builder().uninitialized().start().unwrap();
    let cases = [
        (json!({"secret_shares": 0, "secret_threshold": 1}), "invalid seal configuration: shares must be at least one"),
        (json!({"secret_shares": 3, "secret_threshold": 0}), "invalid seal configuration: threshold must be at least one"),
        (json!({"secret_shares": 3, "secret_threshold": 1}), "invalid seal configuration: threshold must be greater than one for multiple shares"),
        (json!({"secret_shares": 256, "secret_threshold": 3}), "invalid seal configuration: shares must be less than 256"),
        (json!({"secret_shares": 300, "secret_threshold": 256}), "invalid seal configuration: shares must be less than 256"),
        (json!({"secret_shares": 3, "secret_threshold": 4}), "invalid seal configuration: threshold cannot be larger than shares"),
        (json!({"secret_shares": 3, "secret_threshold": 2, "pgp_keys": ["a", "b"]}), "invalid seal configuration: count mismatch between number of provided PGP keys and number of shares"),
        (json!({"secret_shares": 3, "secret_threshold": 2, "recovery_shares": 3}), "parameters recovery_shares not applicable to seal type shamir"),
    ];
    for (body, message) in cases {
        let a = init(&node.addr(), body.clone());
        assert_eq!(a.status, 400, "{body}");
        assert_eq!(a.error(), message, "{body}");
    }
    assert_eq!(
        call(&node.addr(), "GET", "sys/init", None, None).json()["initialized"],
        false
    );
}

// vault-api.md §1: threshold above 255 with enough shares is refused by the threshold rule
#[test]
fn init_threshold_of_256_is_refused() {
    let node = Sandbox::builder().uninitialized().start().unwrap();
    // shares is checked first, so pair it with a valid share count to reach the threshold rule
    let a = init(
        &node.addr(),
        json!({"secret_shares": 255, "secret_threshold": 256}),
    );
    assert_eq!(
        a.error(),
        "invalid seal configuration: threshold must be less than 256"
    );
}

// vault-api.md §1 errors: already initialised
#[test]
fn second_init_is_refused_as_already_initialized() {
    let node = Sandbox::builder().uninitialized().start().unwrap();
    assert_eq!(
        init(
            &node.addr(),
            json!({"secret_shares": 1, "secret_threshold": 1})
        )
        .status,
        200
    );
    let again = init(
        &node.addr(),
        json!({"secret_shares": 1, "secret_threshold": 1}),
    );
    assert_eq!(
        (again.status, again.error().as_str()),
        (400, "Vault is already initialized")
    );
}

// vault-api.md §1: pgp_keys → never plaintext; the sandbox refuses PGP with 400
#[test]
fn pgp_keys_are_refused_rather_than_answered_in_plaintext() {
    let node = Sandbox::builder().uninitialized().start().unwrap();
    let a = init(
        &node.addr(),
        json!({"secret_shares": 2, "secret_threshold": 2, "pgp_keys": ["a", "b"]}),
    );
    assert_eq!(a.status, 400);
    assert!(a.error().contains("does not support PGP"), "{}", a.error());
    let a = init(
        &node.addr(),
        json!({"secret_shares": 1, "secret_threshold": 1, "root_token_pgp_key": "a"}),
    );
    assert_eq!(a.status, 400);
    assert!(a.json().get("keys").is_none());
    assert_eq!(
        call(&node.addr(), "GET", "sys/init", None, None).json()["initialized"],
        false
    );
}

// vault-api.md §1: auto-unseal returns recovery keys and unseals itself; t/n describe recovery keys
#[test]
fn auto_unseal_init_returns_recovery_keys_and_the_node_unseals_itself() {
    let node = Sandbox::builder()
        .uninitialized()
        .auto_unseal()
        .start()
        .unwrap();
    let body = init(
        &node.addr(),
        json!({"recovery_shares": 4, "recovery_threshold": 2}),
    )
    .json();
    assert_eq!(body["recovery_keys"].as_array().unwrap().len(), 4);
    assert_eq!(body["recovery_keys_base64"].as_array().unwrap().len(), 4);
    assert_eq!(body["keys"], json!([]));
    let status = call(&node.addr(), "GET", "sys/seal-status", None, None).json();
    assert_eq!(status["sealed"], false);
    assert_eq!(status["recovery_seal"], true);
    assert_eq!(
        (status["t"].clone(), status["n"].clone()),
        (json!(2), json!(4))
    );
    assert_eq!(status["type"], "awskms");
}

// vault-api.md §1: auto-unseal given secret_* → 400 not applicable to seal type awskms
#[test]
fn auto_unseal_refuses_secret_shares() {
    let node = Sandbox::builder()
        .uninitialized()
        .auto_unseal()
        .start()
        .unwrap();
    let a = init(
        &node.addr(),
        json!({"secret_shares": 5, "secret_threshold": 3}),
    );
    assert_eq!(a.status, 400);
    assert_eq!(
        a.error(),
        "parameters secret_shares,secret_threshold not applicable to seal type awskms"
    );
}
