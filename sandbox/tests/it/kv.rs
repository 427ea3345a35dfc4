//! vault-api-engines.md §1 (`sys/internal/ui/mounts/<path>`) and §2 (KV v2, and KV v1 mounts),
//! as `vault kv` and consul-template's Vault reader (hashicorp/consul-template
//! dependency/vault_common.go isKVv2, vault_read.go) use them.

use serde_json::{json, Value};
use vault_sandbox::{Sandbox, SandboxHandle};

use crate::common::{call, Answer};

fn dev() -> SandboxHandle {
    Sandbox::builder().dev("root").start().unwrap()
}

fn req(node: &SandboxHandle, method: &str, path: &str, body: Option<Value>) -> Answer {
    call(&node.addr(), method, path, Some("root"), body)
}

fn put_secret(node: &SandboxHandle, path: &str, body: Value) -> Answer {
    req(node, "PUT", path, Some(body))
}

/// A token with `policy` (HCL) attached, created by root.
fn token_with(node: &SandboxHandle, name: &str, policy: &str) -> String {
    let written = put_secret(
        node,
        &format!("sys/policies/acl/{name}"),
        json!({ "policy": policy }),
    );
    assert_eq!(written.status, 204, "{}", written.text);
    let created = put_secret(node, "auth/token/create", json!({ "policies": [name] }));
    created.json()["auth"]["client_token"]
        .as_str()
        .unwrap()
        .to_string()
}

// vault-api-engines.md §2.1/§2.2: `vault kv put` then a template read: 200 with the version
// metadata, then data.data + data.metadata; never leased.
// vault-plugin-secrets-kv path_data.go pathDataWrite, pathDataRead
#[test]
fn write_then_read_returns_data_and_metadata() {
    let node = dev();
    let written = put_secret(
        &node,
        "secret/data/hashicups-api",
        json!({"data": {"api-key": "a", "principal-id": "b"}, "options": {}}),
    );
    assert_eq!(written.status, 200, "{}", written.text);
    let meta = written.json()["data"].clone();
    assert_eq!(meta["version"], 1);
    assert_eq!(meta["deletion_time"], "");
    assert_eq!(meta["destroyed"], false);
    assert_eq!(meta["custom_metadata"], Value::Null);
    assert!(meta["created_time"].as_str().unwrap().ends_with('Z'));

    let read = req(&node, "GET", "secret/data/hashicups-api", None);
    assert_eq!(read.status, 200);
    let body = read.json();
    assert_eq!(
        body["data"]["data"],
        json!({"api-key": "a", "principal-id": "b"})
    );
    assert_eq!(body["data"]["metadata"]["version"], 1);
    assert_eq!(body["lease_id"], "");
    assert_eq!(body["lease_duration"], 0);
    assert_eq!(body["mount_type"], "kv");
    let never = req(&node, "GET", "secret/data/never-written", None);
    assert_eq!((never.status, never.json()), (404, json!({"errors": []})));
}

// vault-api-engines.md §2.1: 400 `no data provided`, check-and-set (match, mismatch, parse
// error, required by config). path_data.go validateCheckAndSetOption
#[test]
fn data_write_refusals_and_check_and_set() {
    let node = dev();
    let flat = put_secret(&node, "secret/data/app", json!({"api-key": "a"}));
    assert_eq!(
        (flat.status, flat.error()),
        (400, "no data provided".to_string())
    );
    let first = put_secret(
        &node,
        "secret/data/app",
        json!({"data": {"k": "1"}, "options": {"cas": 0}}),
    );
    assert_eq!(first.status, 200, "{}", first.text);
    let stale = put_secret(
        &node,
        "secret/data/app",
        json!({"data": {"k": "2"}, "options": {"cas": 0}}),
    );
    assert_eq!(
        (stale.status, stale.error()),
        (
            400,
            "check-and-set parameter did not match the current version".to_string()
        )
    );
    let garbled = put_secret(
        &node,
        "secret/data/app",
        json!({"data": {"k": "2"}, "options": {"cas": "one"}}),
    );
    assert_eq!(garbled.error(), "error parsing check-and-set parameter");
    let ok = put_secret(
        &node,
        "secret/data/app",
        json!({"data": {"k": "2"}, "options": {"cas": "1"}}),
    );
    assert_eq!(ok.json()["data"]["version"], 2);

    assert_eq!(
        put_secret(&node, "secret/config", json!({"cas_required": true})).status,
        204
    );
    let required = put_secret(&node, "secret/data/app", json!({"data": {"k": "3"}}));
    assert_eq!(
        required.error(),
        "check-and-set parameter required for this call"
    );
    let read = req(&node, "GET", "secret/data/app", None);
    assert_eq!(read.json()["data"]["data"]["k"], "2", "nothing was lost");
}

// vault-api-engines.md §2: each write adds a version, 10 are kept by default, `?version=N`
// reads an old one; `max_versions` (config or metadata) narrows the window.
// path_data.go KeyMetadata.AddVersion; path_metadata.go pathMetadataRead
#[test]
fn versions_are_kept_ten_by_default_and_readable_by_number() {
    let node = dev();
    for n in 1..=12 {
        let w = put_secret(
            &node,
            "secret/data/rotating",
            json!({"data": {"n": n.to_string()}}),
        );
        assert_eq!(w.json()["data"]["version"], n);
    }
    let old = req(&node, "GET", "secret/data/rotating?version=3", None);
    assert_eq!(old.json()["data"]["data"]["n"], "3");
    assert_eq!(old.json()["data"]["metadata"]["version"], 3);
    let gone = req(&node, "GET", "secret/data/rotating?version=2", None);
    assert_eq!(gone.status, 404);
    let meta = req(&node, "GET", "secret/metadata/rotating", None).json()["data"].clone();
    assert_eq!(meta["current_version"], 12);
    assert_eq!(meta["oldest_version"], 3);
    let kept: Vec<&String> = meta["versions"].as_object().unwrap().keys().collect();
    assert_eq!(kept.len(), 10);
    assert_eq!(meta["max_versions"], 0);
    assert_eq!(meta["cas_required"], false);
    assert_eq!(meta["delete_version_after"], "0s");

    assert_eq!(
        put_secret(
            &node,
            "secret/metadata/rotating",
            json!({"max_versions": 2})
        )
        .status,
        204
    );
    put_secret(&node, "secret/data/rotating", json!({"data": {"n": "13"}}));
    let meta = req(&node, "GET", "secret/metadata/rotating", None).json()["data"].clone();
    assert_eq!(meta["versions"].as_object().unwrap().len(), 2);
    assert_eq!(meta["oldest_version"], 12);
}

// vault-api-engines.md §2.2/§2.3: DELETE data/<p> soft-deletes the latest version → 204; reading
// it is a 404 whose body is the full envelope (no `errors`) with data.data null and the
// metadata filled; metadata shows the deletion; destroy likewise.
// path_data.go pathDataDelete, pathDataRead (RespondWithStatusCode 404)
#[test]
fn a_soft_deleted_version_reads_as_404_with_its_metadata() {
    let node = dev();
    put_secret(&node, "secret/data/app", json!({"data": {"k": "1"}}));
    put_secret(&node, "secret/data/app", json!({"data": {"k": "2"}}));
    let deleted = req(&node, "DELETE", "secret/data/app", None);
    assert_eq!(deleted.status, 204);
    let read = req(&node, "GET", "secret/data/app", None);
    assert_eq!(read.status, 404);
    let body = read.json();
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["data"], Value::Null);
    assert_eq!(body["data"]["metadata"]["version"], 2);
    assert_ne!(body["data"]["metadata"]["deletion_time"], "");
    assert_eq!(body["mount_type"], "");
    assert!(body["request_id"].as_str().is_some());
    let older = req(&node, "GET", "secret/data/app?version=1", None);
    assert_eq!(older.json()["data"]["data"]["k"], "1");

    let undeleted = put_secret(&node, "secret/undelete/app", json!({"versions": [2]}));
    assert_eq!(undeleted.status, 204);
    assert_eq!(req(&node, "GET", "secret/data/app", None).status, 200);
    put_secret(&node, "secret/destroy/app", json!({"versions": [2]}));
    let destroyed = req(&node, "GET", "secret/data/app", None).json();
    assert_eq!(destroyed["data"]["metadata"]["destroyed"], true);
    assert_eq!(destroyed["data"]["data"], Value::Null);
}

// vault-api-engines.md §2.3: LIST metadata/<dir> → keys with folders; none → 404; DELETE
// metadata/<p> removes every version. path_metadata.go pathMetadataList, pathMetadataDelete
#[test]
fn metadata_list_and_delete() {
    let node = dev();
    for p in ["a", "dir/x", "dir/y"] {
        put_secret(
            &node,
            &format!("secret/data/{p}"),
            json!({"data": {"k": "v"}}),
        );
    }
    let root = req(&node, "LIST", "secret/metadata/", None);
    assert_eq!(root.json()["data"]["keys"], json!(["a", "dir/"]));
    let dir = req(&node, "LIST", "secret/metadata/dir", None);
    assert_eq!(dir.json()["data"]["keys"], json!(["x", "y"]));
    let none = req(&node, "LIST", "secret/metadata/nothing/", None);
    assert_eq!((none.status, none.json()), (404, json!({"errors": []})));
    assert_eq!(req(&node, "DELETE", "secret/metadata/a", None).status, 204);
    assert_eq!(req(&node, "GET", "secret/data/a", None).status, 404);
    assert_eq!(req(&node, "GET", "secret/metadata/a", None).status, 404);
}

// vault-api-engines.md §2.3: GET config → {cas_required, delete_version_after, max_versions};
// writes change only the fields sent → 204. path_config.go pathConfigRead, pathConfigWrite
#[test]
fn config_reads_and_writes() {
    let node = dev();
    let fresh = req(&node, "GET", "secret/config", None);
    assert_eq!(
        fresh.json()["data"],
        json!({"cas_required": false, "delete_version_after": "0s", "max_versions": 0})
    );
    let written = put_secret(
        &node,
        "secret/config",
        json!({"max_versions": 5, "delete_version_after": "1h"}),
    );
    assert_eq!((written.status, written.text.as_str()), (204, ""));
    let partial = put_secret(&node, "secret/config", json!({"cas_required": "true"}));
    assert_eq!(partial.status, 204);
    assert_eq!(
        req(&node, "GET", "secret/config", None).json()["data"],
        json!({"cas_required": true, "delete_version_after": "1h0m0s", "max_versions": 5})
    );
    let bad = put_secret(&node, "secret/config", json!({"max_versions": "many"}));
    assert_eq!(bad.status, 400);
    assert!(
        bad.error().starts_with("Field validation failed"),
        "{}",
        bad.text
    );
}

// vault-api-engines.md §2.4: a path without data/ → 404, envelope, data null, the warning naming
// the CLI verb for each HTTP verb; data/metadata roots → the root-of-mount warning.
// vault-plugin-secrets-kv backend.go pathInvalid
#[test]
fn invalid_paths_on_a_v2_mount_warn_per_verb() {
    let node = dev();
    for (method, verb) in [
        ("GET", "get"),
        ("PUT", "put"),
        ("LIST", "list"),
        ("DELETE", "delete"),
    ] {
        let body = if method == "PUT" {
            Some(json!({"api-key": "a"}))
        } else {
            None
        };
        let a = req(&node, method, "secret/hashicups-api", body);
        assert_eq!(a.status, 404, "{method}");
        let json = a.json();
        assert_eq!(json["data"], Value::Null);
        assert!(json.get("errors").is_none());
        assert_eq!(
            json["warnings"],
            json!([format!("Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv {verb}' for this operation.")])
        );
    }
    for root in ["secret/data", "secret/metadata"] {
        let a = req(&node, "GET", root, None);
        assert_eq!(a.status, 404);
        assert_eq!(
            a.json()["warnings"],
            json!(["Non-listing operations on the root of a K/V v2 mount are not supported."])
        );
    }
}

// vault-api-engines.md §1: plain paths on a KV v1 mount; reads carry the mount's default lease
// duration (768h) without a lease ID; no body → 400 `missing data fields`.
// vault-plugin-secrets-kv passthrough.go handleReadOrRenew, handleWrite
#[test]
fn kv_v1_mounts_use_plain_paths() {
    let node = dev();
    assert_eq!(
        req(
            &node,
            "POST",
            "sys/mounts/kv1",
            Some(json!({"type": "kv-v1"}))
        )
        .status,
        204
    );
    assert_eq!(
        put_secret(&node, "kv1/hashicups-api", json!({"api-key": "a"})).status,
        204
    );
    let read = req(&node, "GET", "kv1/hashicups-api", None).json();
    assert_eq!(read["data"], json!({"api-key": "a"}));
    assert_eq!(read["lease_duration"], 2_764_800);
    assert_eq!(read["lease_id"], "");
    assert_eq!(read["renewable"], false);
    let empty = put_secret(&node, "kv1/empty", json!({}));
    assert_eq!(
        (empty.status, empty.error()),
        (400, "missing data fields".to_string())
    );
    let listed = req(&node, "LIST", "kv1/", None);
    assert_eq!(listed.json()["data"]["keys"], json!(["hashicups-api"]));
}

// vault-api-engines.md §1: GET sys/internal/ui/mounts/<path> → the mount's info plus `path`,
// what consul-template's isKVv2 reads (`options.version`, `path`).
// vault/logical_system.go pathInternalUIMountRead; consul-template dependency/vault_common.go isKVv2
#[test]
fn ui_mounts_describes_the_mount_of_a_path() {
    let node = dev();
    let reader = token_with(
        &node,
        "hashicups-api",
        "path \"secret/data/hashicups-api\" { capabilities = [\"read\"] }",
    );
    let a = call(
        &node.addr(),
        "GET",
        "sys/internal/ui/mounts/secret/hashicups-api",
        Some(&reader),
        None,
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let data = &a.json()["data"];
    assert_eq!(data["path"], "secret/");
    assert_eq!(data["type"], "kv");
    assert_eq!(data["options"], json!({"version": "2"}));
    assert!(data["accessor"].as_str().unwrap().starts_with("kv_"));
    let auth = req(
        &node,
        "GET",
        "sys/internal/ui/mounts/auth/token/lookup-self",
        None,
    );
    assert_eq!(auth.json()["data"]["path"], "auth/token/");
}

// vault-api-engines.md §1: 403 with the preflight message unless the token has some non-deny
// capability at or under the mount; an unknown mount answers the same 403.
// vault/logical_system.go pathInternalUIMountRead, hasMountAccess
#[test]
fn ui_mounts_preflight_is_403_without_access_under_the_mount() {
    let node = dev();
    let outsider = token_with(
        &node,
        "elsewhere",
        "path \"other/*\" { capabilities = [\"read\"] }\npath \"secret/data/private\" { capabilities = [\"deny\"] }",
    );
    let a = call(
        &node.addr(),
        "GET",
        "sys/internal/ui/mounts/secret/hashicups-api",
        Some(&outsider),
        None,
    );
    assert_eq!(
        (a.status, a.error()),
        (
            403,
            "preflight capability check returned 403, please ensure client's policies grant access to path \"secret/hashicups-api/\"".to_string()
        )
    );
    let unknown = req(&node, "GET", "sys/internal/ui/mounts/nowhere/x", None);
    assert_eq!(unknown.status, 403);
    assert!(unknown.error().contains("\"nowhere/x/\""));
    let globbed = token_with(
        &node,
        "globbed",
        "path \"secret/+/hashicups-*\" { capabilities = [\"read\"] }",
    );
    let b = call(
        &node.addr(),
        "GET",
        "sys/internal/ui/mounts/secret/hashicups-api",
        Some(&globbed),
        None,
    );
    assert_eq!(b.status, 200, "{}", b.text);
    let anonymous = call(
        &node.addr(),
        "GET",
        "sys/internal/ui/mounts/secret/x",
        None,
        None,
    );
    assert_eq!(anonymous.status, 403);
}
