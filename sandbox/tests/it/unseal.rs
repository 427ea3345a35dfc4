//! vault-api.md §2: unseal, seal-status, seal, health.

use crate::common;

use common::{call, send};
use serde_json::{json, Value};
use vault_sandbox::{Flavor, Sandbox};

fn unseal(addr: &str, body: Value) -> common::Answer {
    call(addr, "PUT", "sys/unseal", None, Some(body))
}

fn hex_to_base64(hex_key: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(hex::decode(hex_key).unwrap())
}

// vault-api.md §2: below threshold progress goes up and a nonce (UUID) appears at the first share
#[test]
fn unseal_below_threshold_reports_progress_and_a_nonce() {
    let node = Sandbox::builder().sealed(5, 3).start().unwrap();
    let keys = node.unseal_keys();
    let a = unseal(&node.addr(), json!({"key": keys[0]}));
    assert_eq!(a.status, 200);
    let body = a.json();
    assert_eq!(body["sealed"], true);
    assert_eq!(body["progress"], 1);
    let nonce = body["nonce"].as_str().unwrap().to_string();
    assert_eq!(nonce.len(), 36);
    let second = unseal(&node.addr(), json!({"key": keys[1]})).json();
    assert_eq!(second["progress"], 2);
    assert_eq!(second["nonce"], nonce.as_str());
}

// vault-api.md §2: hex and base64 shares both count; threshold reached → unsealed
#[test]
fn unseal_accepts_hex_and_base64_and_unseals_at_threshold() {
    let node = Sandbox::builder().sealed(5, 3).start().unwrap();
    let keys = node.unseal_keys();
    unseal(&node.addr(), json!({"key": keys[4]}));
    unseal(&node.addr(), json!({"key": hex_to_base64(&keys[2])}));
    let done = unseal(&node.addr(), json!({"key": keys[0]})).json();
    assert_eq!(done["sealed"], false);
    assert_eq!(done["progress"], 0);
    assert_eq!(done["nonce"], "");
    assert!(done["cluster_name"]
        .as_str()
        .unwrap()
        .starts_with("vault-cluster-"));
    assert!(done["cluster_id"].is_string());
}

// vault-api.md §2: the same share twice is ignored
#[test]
fn the_same_share_twice_makes_no_progress() {
    let node = Sandbox::builder().sealed(5, 3).start().unwrap();
    let key = node.unseal_keys()[0].clone();
    unseal(&node.addr(), json!({"key": key}));
    let again = unseal(&node.addr(), json!({"key": key})).json();
    assert_eq!(again["progress"], 1);
    assert_eq!(again["sealed"], true);
}

// vault-api.md §2: threshold reached with a wrong share → bad key, progress reset
#[test]
fn unseal_with_wrong_share_resets_progress() {
    let node = Sandbox::builder().sealed(3, 2).start().unwrap();
    let other = Sandbox::builder().sealed(3, 2).start().unwrap();
    let keys = node.unseal_keys();
    let foreign = other.unseal_keys();
    // Pick a foreign share whose x-coordinate differs from ours so the combination succeeds
    // and the keyring check is what fails.
    let mine_x = &keys[0][64..];
    let wrong = foreign.iter().find(|k| &k[64..] != mine_x).unwrap();
    unseal(&node.addr(), json!({"key": keys[0]}));
    let a = unseal(&node.addr(), json!({"key": wrong}));
    assert_eq!(a.status, 500, "{}", a.text);
    assert!(
        a.error().starts_with("unable to retrieve stored keys:"),
        "{}",
        a.error()
    );
    assert!(a.error().ends_with("message authentication failed"));
    let status = call(&node.addr(), "GET", "sys/seal-status", None, None).json();
    assert_eq!(
        (status["progress"].clone(), status["sealed"].clone()),
        (json!(0), json!(true))
    );
    // the right shares still work afterwards
    unseal(&node.addr(), json!({"key": keys[1]}));
    assert_eq!(
        unseal(&node.addr(), json!({"key": keys[2]})).json()["sealed"],
        false
    );
}

// vault-api.md §2: reset clears progress; reset on an unsealed node → 400 vault is unsealed
#[test]
fn reset_clears_progress_and_is_refused_when_unsealed() {
    let node = Sandbox::builder().sealed(5, 3).start().unwrap();
    unseal(&node.addr(), json!({"key": node.unseal_keys()[0]}));
    let reset = unseal(&node.addr(), json!({"reset": true}));
    assert_eq!(reset.status, 200);
    assert_eq!(reset.json()["progress"], 0);
    let dev = Sandbox::builder().dev("root").start().unwrap();
    let a = unseal(&dev.addr(), json!({"reset": true}));
    assert_eq!((a.status, a.error().as_str()), (400, "vault is unsealed"));
}

// vault-api.md §2: input validation messages, in order
#[test]
fn unseal_input_errors() {
    let node = Sandbox::builder().sealed(5, 3).start().unwrap();
    let cases = [
        (
            json!({}),
            "'key' must be specified in request body as JSON, or 'reset' set to true",
        ),
        (
            json!({"key": ""}),
            "'key' must be specified in request body as JSON, or 'reset' set to true",
        ),
        (
            json!({"key": "not hex or base64!"}),
            "'key' must be a valid hex or base64 string",
        ),
        (
            json!({"key": "abcd"}),
            "invalid key: key is shorter than minimum 16 bytes",
        ),
        (
            json!({"key": "ab".repeat(34)}),
            "invalid key: key is longer than maximum 33 bytes",
        ),
    ];
    for (body, message) in cases {
        let a = unseal(&node.addr(), body.clone());
        assert_eq!((a.status, a.error().as_str()), (400, message), "{body}");
    }
}

// vault-api.md §2: not initialised → 400 Vault is not initialized
#[test]
fn unseal_on_an_uninitialised_node_is_refused() {
    let node = Sandbox::builder().uninitialized().start().unwrap();
    let a = unseal(&node.addr(), json!({"key": "ab".repeat(33)}));
    assert_eq!(
        (a.status, a.error().as_str()),
        (400, "Vault is not initialized")
    );
}

// vault-api.md §2: already unsealed → 200 seal-status with sealed:false
#[test]
fn unseal_on_an_unsealed_node_answers_its_status() {
    let dev = Sandbox::builder().dev("root").start().unwrap();
    let a = unseal(&dev.addr(), json!({"key": dev.unseal_keys()[0]}));
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["sealed"], false);
}

// vault-api.md §2 seal-status: uninitialised shape
#[test]
fn seal_status_of_an_uninitialised_node() {
    let node = Sandbox::builder().uninitialized().start().unwrap();
    let s = call(&node.addr(), "GET", "sys/seal-status", None, None).json();
    assert_eq!(s["initialized"], false);
    assert_eq!(s["sealed"], true);
    assert_eq!(
        (s["t"].clone(), s["n"].clone(), s["progress"].clone()),
        (json!(0), json!(0), json!(0))
    );
    assert_eq!(s["nonce"], "");
    assert_eq!(s["type"], "shamir");
    assert!(s.get("cluster_name").is_none());
}

// vault-api.md §2 seal-status: build_date on Vault, commit_date on OpenBao; cluster fields only when unsealed
#[test]
fn seal_status_fields_per_flavor() {
    let vault = Sandbox::builder().sealed(3, 2).start().unwrap();
    let s = call(&vault.addr(), "GET", "sys/seal-status", None, None).json();
    assert!(s["build_date"].is_string() && s.get("commit_date").is_none());
    assert!(s.get("cluster_name").is_none() && s.get("cluster_id").is_none());
    for key in ["version", "migration", "recovery_seal", "storage_type"] {
        assert!(s.get(key).is_some(), "{key}");
    }
    let bao = Sandbox::builder()
        .dev("r")
        .flavor(Flavor::OpenBao)
        .start()
        .unwrap();
    let s = call(&bao.addr(), "GET", "sys/seal-status", None, None).json();
    assert!(s["commit_date"].is_string() && s.get("build_date").is_none());
    assert!(s["cluster_name"].is_string() && s["cluster_id"].is_string());
}

// vault-api.md §2 seal: root → 204, then sealed; again → 204
#[test]
fn seal_with_root_is_204_and_seals() {
    let dev = Sandbox::builder().dev("root").start().unwrap();
    let a = call(&dev.addr(), "PUT", "sys/seal", Some("root"), None);
    assert_eq!(a.status, 204);
    assert_eq!(
        call(&dev.addr(), "GET", "sys/seal-status", None, None).json()["sealed"],
        true
    );
    assert_eq!(
        call(&dev.addr(), "PUT", "sys/seal", Some("root"), None).status,
        204
    );
    // and the dev key unseals it again
    let back = unseal(&dev.addr(), json!({"key": dev.unseal_keys()[0]})).json();
    assert_eq!(back["sealed"], false);
}

// vault-api.md §2 seal: no token → 403
#[test]
fn seal_without_a_token_is_403() {
    let dev = Sandbox::builder().dev("root").start().unwrap();
    let a = call(&dev.addr(), "PUT", "sys/seal", None, None);
    assert_eq!(a.status, 403);
    assert_eq!(
        call(&dev.addr(), "GET", "sys/seal-status", None, None).json()["sealed"],
        false
    );
}

// vault-api.md §2 health: default codes in order uninit 501, sealed 503, active 200
#[test]
fn health_default_codes() {
    let fresh = Sandbox::builder().uninitialized().start().unwrap();
    let sealed = Sandbox::builder().sealed(3, 2).start().unwrap();
    let dev = Sandbox::builder().dev("root").start().unwrap();
    assert_eq!(
        call(&fresh.addr(), "GET", "sys/health", None, None).status,
        501
    );
    assert_eq!(
        call(&sealed.addr(), "GET", "sys/health", None, None).status,
        503
    );
    let ok = call(&dev.addr(), "GET", "sys/health", None, None);
    assert_eq!(ok.status, 200);
    let body = ok.json();
    for key in [
        "initialized",
        "sealed",
        "standby",
        "replication_performance_mode",
        "replication_dr_mode",
        "server_time_utc",
        "version",
        "cluster_name",
        "cluster_id",
    ] {
        assert!(body.get(key).is_some(), "{key}");
    }
}

// vault-api.md §2 health: every query override
#[test]
fn health_query_overrides_each_code() {
    let fresh = Sandbox::builder().uninitialized().start().unwrap();
    let sealed = Sandbox::builder().sealed(3, 2).start().unwrap();
    let dev = Sandbox::builder().dev("root").start().unwrap();
    assert_eq!(
        call(
            &fresh.addr(),
            "GET",
            "sys/health?uninitcode=299",
            None,
            None
        )
        .status,
        299
    );
    assert_eq!(
        call(
            &sealed.addr(),
            "GET",
            "sys/health?sealedcode=298",
            None,
            None
        )
        .status,
        298
    );
    assert_eq!(
        call(&dev.addr(), "GET", "sys/health?activecode=204", None, None).status,
        204
    );
}

// vault-api.md §2 health: a non-integer code → 400
#[test]
fn health_with_a_non_integer_code_is_400() {
    let dev = Sandbox::builder().dev("root").start().unwrap();
    for q in [
        "activecode=abc",
        "standbycode=x",
        "sealedcode=1.5",
        "uninitcode=",
    ] {
        assert_eq!(
            call(&dev.addr(), "GET", &format!("sys/health?{q}"), None, None).status,
            400,
            "{q}"
        );
    }
}

// vault-api.md §2 health: HEAD answers the same code with no body
#[test]
fn health_head_has_the_code_and_no_body() {
    let sealed = Sandbox::builder().sealed(3, 2).start().unwrap();
    let a = send(&sealed.addr(), "HEAD", "sys/health", &[], None);
    assert_eq!(a.status, 503);
    assert!(a.text.is_empty());
}

// vault-api.md §2 health bodies: uninitialised (501) and sealed (503) cores are standbys with
// replication modes "unknown" and no cluster_*; an unsealed standby (429) has cluster_* and
// ha_connection_healthy; the active node has standby false and "disabled" modes.
// vault/http/sys_health.go getSysHealth (standby from core.StandbyStates: vault/core.go
// CreateCore and sealInternal set standby = true)
#[test]
fn health_bodies_while_uninitialised_sealed_and_standby() {
    let fresh = Sandbox::builder().uninitialized().start().unwrap();
    let body = call(&fresh.addr(), "GET", "sys/health", None, None).json();
    assert_eq!(body["initialized"], false);
    assert_eq!(body["sealed"], true);
    assert_eq!(body["standby"], true);
    assert_eq!(body["replication_performance_mode"], "unknown");
    assert_eq!(body["replication_dr_mode"], "unknown");
    assert!(body.get("cluster_name").is_none());

    let sealed = Sandbox::builder().sealed(1, 1).start().unwrap();
    let body = call(&sealed.addr(), "GET", "sys/health", None, None).json();
    assert_eq!(
        (
            &body["initialized"],
            &body["sealed"],
            &body["standby"],
            &body["replication_dr_mode"]
        ),
        (&json!(true), &json!(true), &json!(true), &json!("unknown"))
    );
    assert!(body.get("cluster_id").is_none());
    assert!(body.get("ha_connection_healthy").is_none());

    let standby = Sandbox::builder().standby_of(&sealed).start().unwrap();
    unseal(&sealed.addr(), json!({"key": sealed.unseal_keys()[0]}));
    unseal(&standby.addr(), json!({"key": sealed.unseal_keys()[0]}));
    let answer = call(&standby.addr(), "GET", "sys/health", None, None);
    assert_eq!(answer.status, 429);
    let body = answer.json();
    assert_eq!(body["standby"], true);
    assert_eq!(body["sealed"], false);
    assert_eq!(body["ha_connection_healthy"], true);
    assert!(body["cluster_name"].is_string());
    assert_eq!(body["replication_performance_mode"], "disabled");

    let active = call(&sealed.addr(), "GET", "sys/health", None, None).json();
    assert_eq!(active["standby"], false);
    assert_eq!(active["replication_performance_mode"], "disabled");
    assert!(active.get("ha_connection_healthy").is_none());
}
