//! vault-api.md §8 "Tune": `sys/mounts/<path>/tune` and `sys/auth/<path>/tune`, GET and POST,
//! with Vault's 400s (vault/logical_system.go handleTuneReadCommon, handleTuneWriteCommon).

use serde_json::{json, Value};
use vault_sandbox::{Sandbox, SandboxHandle};

use crate::common::{call, Answer};

fn dev() -> SandboxHandle {
    Sandbox::builder().dev("root").start().unwrap()
}

fn req(node: &SandboxHandle, method: &str, path: &str, body: Option<Value>) -> Answer {
    call(&node.addr(), method, path, Some("root"), body)
}

// vault-api.md §8: GET tune → effective TTLs (system default 768h), description, force_no_cache,
// options when set, token_type on auth mounts; data also at the top level (sys/mounts/*).
#[test]
fn tune_reads_effective_values() {
    let node = dev();
    let secret = req(&node, "GET", "sys/mounts/secret/tune", None);
    assert_eq!(secret.status, 200, "{}", secret.text);
    let body = secret.json();
    assert_eq!(
        body["data"],
        json!({"description": "key/value secret storage", "default_lease_ttl": 2_764_800,
               "max_lease_ttl": 2_764_800, "force_no_cache": false, "options": {"version": "2"}})
    );
    assert_eq!(body["max_lease_ttl"], 2_764_800, "copied to the top level");
    let token = req(&node, "GET", "sys/auth/token/tune", None).json();
    assert_eq!(token["data"]["token_type"], "default-service");
    assert!(token["data"].get("options").is_none());
    let unknown = req(&node, "GET", "sys/mounts/nowhere/tune", None);
    assert_eq!(
        (unknown.status, unknown.error()),
        (
            400,
            "cannot fetch sysview for path \"nowhere/\"".to_string()
        )
    );
}

// vault-api.md §8: POST tune → 204; TTLs as durations, "system" resets; description; token_type
// on auth mounts; the new values read back and show in sys/mounts.
#[test]
fn tune_writes_ttls_description_and_token_type() {
    let node = dev();
    let tuned = req(
        &node,
        "POST",
        "sys/mounts/secret/tune",
        Some(json!({"default_lease_ttl": "1h", "max_lease_ttl": 7200, "description": "apps"})),
    );
    assert_eq!((tuned.status, tuned.text.as_str()), (204, ""));
    let read = req(&node, "GET", "sys/mounts/secret/tune", None).json()["data"].clone();
    assert_eq!(read["default_lease_ttl"], 3600);
    assert_eq!(read["max_lease_ttl"], 7200);
    assert_eq!(read["description"], "apps");
    let listed = req(&node, "GET", "sys/mounts", None).json();
    assert_eq!(
        listed["data"]["secret/"]["config"]["default_lease_ttl"],
        3600
    );
    let reset = req(
        &node,
        "POST",
        "sys/mounts/secret/tune",
        Some(json!({"default_lease_ttl": "system", "max_lease_ttl": "system"})),
    );
    assert_eq!(reset.status, 204);
    assert_eq!(
        req(&node, "GET", "sys/mounts/secret/tune", None).json()["data"]["default_lease_ttl"],
        2_764_800
    );

    req(&node, "POST", "sys/auth/jwt", Some(json!({"type": "jwt"})));
    let batch = req(
        &node,
        "POST",
        "sys/auth/jwt/tune",
        Some(json!({"token_type": "default-batch", "listing_visibility": "unauth"})),
    );
    assert_eq!(batch.status, 204, "{}", batch.text);
    let read = req(&node, "GET", "sys/auth/jwt/tune", None).json()["data"].clone();
    assert_eq!(read["token_type"], "default-batch");
    assert_eq!(read["listing_visibility"], "unauth");
    let auth = req(&node, "GET", "sys/auth", None).json();
    assert_eq!(
        auth["data"]["jwt/"]["config"]["token_type"],
        "default-batch"
    );
}

// vault-api.md §8 tune 400s, in Vault's words. handleTuneWriteCommon
#[test]
fn tune_refusals() {
    let node = dev();
    let cases = [
        (
            "sys/mounts/nowhere/tune",
            json!({"description": "x"}),
            "tune of path \"nowhere/\" failed: no mount entry found",
        ),
        (
            "sys/mounts/secret/tune",
            json!({"default_lease_ttl": "1h", "max_lease_ttl": 60}),
            "backend max lease TTL of 60 would be less than backend default lease TTL of 3600",
        ),
        (
            "sys/mounts/secret/tune",
            json!({"token_type": "batch"}),
            "'token_type' can only be modified on auth mounts",
        ),
        (
            "sys/auth/token/tune",
            json!({"token_type": "batch"}),
            "'token_type' cannot be set for 'token' or 'ns_token' auth mounts",
        ),
        (
            "sys/mounts/secret/tune",
            json!({"options": {"version": "1"}}),
            "cannot downgrade mount from version 2",
        ),
        (
            "sys/mounts/secret/tune",
            json!({"default_lease_ttl": "abc"}),
            "time: invalid duration \"abc\"",
        ),
        (
            "sys/mounts/sys/tune",
            json!({"default_lease_ttl": "1h"}),
            "cannot tune parameter default_lease_ttl of sys/",
        ),
    ];
    for (path, body, message) in cases {
        let a = req(&node, "POST", path, Some(body.clone()));
        assert_eq!(
            (a.status, a.error()),
            (400, message.to_string()),
            "{path} {body}"
        );
    }
    let unchanged = req(&node, "GET", "sys/mounts/secret/tune", None).json()["data"].clone();
    assert_eq!(unchanged["default_lease_ttl"], 2_764_800, "nothing applied");
}

// vault-api.md §8: a KV mount tuned from version 1 to 2 → 200 with Vault's warning, and its
// secrets are read through data/ afterwards. handleTuneWriteCommon (kvUpgrade)
#[test]
fn tuning_kv_to_version_2_upgrades_it_with_a_warning() {
    let node = dev();
    req(
        &node,
        "POST",
        "sys/mounts/kv",
        Some(json!({"type": "kv-v1"})),
    );
    req(&node, "PUT", "kv/app", Some(json!({"k": "v"})));
    let upgraded = req(
        &node,
        "POST",
        "sys/mounts/kv/tune",
        Some(json!({"options": {"version": "2"}})),
    );
    assert_eq!(upgraded.status, 200, "{}", upgraded.text);
    assert_eq!(
        upgraded.json()["warnings"],
        json!(["Upgrading mount from version 1 to version 2. This mount will be unavailable for a brief period and will resume service shortly."])
    );
    let read = req(&node, "GET", "kv/data/app", None).json();
    assert_eq!(read["data"]["data"], json!({"k": "v"}));
    assert_eq!(read["data"]["metadata"]["version"], 1);
}

// Leases count from the tuned values (vault-api-engines.md §0: "else the mount default").
#[test]
fn tuned_ttls_apply_to_new_leases() {
    let node = dev();
    req(
        &node,
        "POST",
        "sys/mounts/database",
        Some(json!({"type": "database"})),
    );
    req(
        &node,
        "POST",
        "sys/mounts/database/tune",
        Some(json!({"default_lease_ttl": "10m"})),
    );
    let secret = vault_sandbox::leases::Secret {
        renewable: true,
        ..Default::default()
    };
    let issued = node.with_state(|s| vault_sandbox::leases::issue(s, "database/creds/r", secret));
    match issued {
        Ok(vault_sandbox::api::Reply::Logical(l)) => assert_eq!(l.lease_duration, 600),
        other => panic!("{other:?}"),
    }
}
