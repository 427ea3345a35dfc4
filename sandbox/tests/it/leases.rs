//! vault-api-engines.md §0 "Leased response" and §4: leases issued by an engine, their TTLs,
//! `sys/leases/lookup|renew|revoke|revoke-prefix|revoke-force`, LIST of lease IDs, expiry by
//! the sandbox clock, and engine failures leaving the lease in place.
//!
//! The engine here is a scripted [`LeaseEngine`]: it records what the node asked it to do and
//! fails when told to, the way the database and Nomad engines fail when PostgreSQL or Nomad
//! refuses.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};
use vault_sandbox::api::Reply;
use vault_sandbox::leases::{self, EngineIo, Lease, LeaseEngine, LeaseTerms, Secret};
use vault_sandbox::state::State;
use vault_sandbox::{Flavor, Sandbox, SandboxHandle};

use crate::common::call;

#[derive(Default)]
struct Script {
    fail_revoke: Option<String>,
    fail_renew: Option<String>,
    revoked: Vec<String>,
    renewed: Vec<(String, SystemTime)>,
    /// During a revocation, look the lease up through this node's HTTP API: proves the
    /// engine's I/O runs while the node's state lock is free.
    call_back: Option<String>,
    lookup_during_revoke: Option<u16>,
}

#[derive(Clone, Default)]
struct ScriptedEngine(Arc<Mutex<Script>>);

impl ScriptedEngine {
    fn script(&self) -> std::sync::MutexGuard<'_, Script> {
        self.0.lock().unwrap()
    }
}

impl LeaseEngine for ScriptedEngine {
    fn renew(
        &self,
        _state: &State,
        lease: &Lease,
        expires: SystemTime,
    ) -> Result<Option<EngineIo>, String> {
        let script = Arc::clone(&self.0);
        let id = lease.id.clone();
        Ok(Some(Box::pin(async move {
            let mut script = script.lock().unwrap();
            if let Some(e) = script.fail_renew.clone() {
                return Err(e);
            }
            script.renewed.push((id, expires));
            Ok(())
        })))
    }

    fn revoke(&self, _state: &State, lease: &Lease) -> Result<Option<EngineIo>, String> {
        let script = Arc::clone(&self.0);
        let id = lease.id.clone();
        let call_back = script.lock().unwrap().call_back.clone();
        Ok(Some(Box::pin(async move {
            if let Some(addr) = call_back {
                let status = reqwest::Client::new()
                    .put(format!("{addr}/v1/sys/leases/lookup"))
                    .header("X-Vault-Token", "root")
                    .body(json!({ "lease_id": id }).to_string())
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .map_err(|e| e.to_string())?;
                script.lock().unwrap().lookup_during_revoke = Some(status);
            }
            let mut script = script.lock().unwrap();
            if let Some(e) = script.fail_revoke.clone() {
                return Err(e);
            }
            script.revoked.push(id);
            Ok(())
        })))
    }
}

/// A dev node with `database/` mounted and the scripted engine serving its leases.
fn node_with_engine(flavor: Flavor) -> (SandboxHandle, ScriptedEngine) {
    let node = Sandbox::builder()
        .dev("root")
        .flavor(flavor)
        .start()
        .unwrap();
    let mount = call(
        &node.addr(),
        "POST",
        "sys/mounts/database",
        Some("root"),
        Some(json!({"type": "database"})),
    );
    assert_eq!(mount.status, 204, "{}", mount.text);
    let engine = ScriptedEngine::default();
    let registered = Arc::new(engine.clone());
    node.with_state(|s| s.leases.register_engine("database", registered));
    (node, engine)
}

/// What a creds handler does after its own I/O: issue a lease for `path`.
fn issue(node: &SandboxHandle, path: &str, ttl: u64, max_ttl: u64) -> vault_sandbox::api::Logical {
    let secret = Secret {
        data: json!({"username": "v-root-accessdb-x", "password": "p"}),
        internal: json!({"username": "v-root-accessdb-x"}),
        terms: LeaseTerms { ttl, max_ttl },
        renewable: true,
    };
    match node.with_state(|s| leases::issue(s, path, secret)) {
        Ok(Reply::Logical(logical)) => logical,
        other => panic!("issue answered {other:?}"),
    }
}

fn put(node: &SandboxHandle, path: &str, token: &str, body: Value) -> crate::common::Answer {
    call(&node.addr(), "PUT", path, Some(token), Some(body))
}

/// A token with `policy` (HCL) attached, created by root.
fn token_with(node: &SandboxHandle, name: &str, policy: &str) -> String {
    let written = put(
        node,
        &format!("sys/policies/acl/{name}"),
        "root",
        json!({ "policy": policy }),
    );
    assert_eq!(written.status, 204, "{}", written.text);
    let created = put(
        node,
        "auth/token/create",
        "root",
        json!({ "policies": [name] }),
    );
    created.json()["auth"]["client_token"]
        .as_str()
        .unwrap()
        .to_string()
}

// vault-api-engines.md §0: lease_id = <request path>/<24 base62>, lease_duration = engine TTL,
// data as the engine gave it. vault/expiration.go Register: path.Join(req.Path, base62.Random(24))
#[test]
fn an_issued_lease_is_named_after_the_request_path() {
    let (node, _) = node_with_engine(Flavor::Vault);
    let leased = issue(&node, "database/creds/accessdb", 3600, 86400);
    let suffix = leased
        .lease_id
        .strip_prefix("database/creds/accessdb/")
        .unwrap();
    assert_eq!(suffix.len(), 24);
    assert!(suffix.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(leased.lease_duration, 3600);
    assert!(leased.renewable);
    assert!(leased.warnings.is_empty());
    assert_eq!(leased.data.unwrap()["username"], "v-root-accessdb-x");
}

// vault-api-engines.md §0: no engine TTL → the mount default (tuned, else 768h = 2764800);
// engine TTL above min(engine max, mount max) is capped with Vault's warning.
// sdk/framework/lease.go CalculateTTL; vault/request_handling.go (CalculateTTL before Register)
#[test]
fn lease_ttl_falls_back_to_the_mount_and_is_capped_with_vaults_warning() {
    let (node, _) = node_with_engine(Flavor::Vault);
    assert_eq!(
        issue(&node, "database/creds/a", 0, 0).lease_duration,
        2_764_800
    );
    let tuned = call(
        &node.addr(),
        "POST",
        "sys/mounts/db-short",
        Some("root"),
        Some(
            json!({"type": "database", "config": {"default_lease_ttl": "1h", "max_lease_ttl": "2h"}}),
        ),
    );
    assert_eq!(tuned.status, 204, "{}", tuned.text);
    assert_eq!(issue(&node, "db-short/creds/a", 0, 0).lease_duration, 3600);
    let capped = issue(&node, "db-short/creds/a", 10_800, 0);
    assert_eq!(capped.lease_duration, 7200);
    assert_eq!(
        capped.warnings,
        vec!["TTL of \"3h0m0s\" exceeded the effective max_ttl of \"2h0m0s\"; TTL value is capped accordingly"]
    );
    let engine_max = issue(&node, "database/creds/a", 7200, 1800);
    assert_eq!(engine_max.lease_duration, 1800);
    assert_eq!(engine_max.warnings.len(), 1);
}

// vault-api-engines.md §4 lookup: 200 data {id, issue_time, expire_time, last_renewal, renewable,
// ttl}; 400 `lease_id must be specified`, 400 `invalid lease`; the default policy grants it.
// vault/logical_system.go handleLeaseLookup
#[test]
fn lookup_answers_the_lease_times_to_a_default_policy_token() {
    let (node, _) = node_with_engine(Flavor::Vault);
    let id = issue(&node, "database/creds/accessdb", 3600, 0).lease_id;
    let plain = token_with(&node, "nothing", "path \"x\" { capabilities = [\"read\"] }");
    let found = put(
        &node,
        "sys/leases/lookup",
        &plain,
        json!({ "lease_id": id }),
    );
    assert_eq!(found.status, 200, "{}", found.text);
    let data = &found.json()["data"];
    assert_eq!(data["id"], id.as_str());
    assert_eq!(data["renewable"], true);
    assert_eq!(data["last_renewal"], Value::Null);
    let ttl = data["ttl"].as_i64().unwrap();
    assert!((3590..=3600).contains(&ttl), "{ttl}");
    assert!(data["issue_time"].as_str().unwrap().ends_with('Z'));
    assert!(data["expire_time"].as_str().unwrap().ends_with('Z'));
    assert!(data.get("path").is_none(), "Vault has no path key");
    let missing = put(&node, "sys/leases/lookup", &plain, json!({}));
    assert_eq!(
        (missing.status, missing.error()),
        (400, "lease_id must be specified".to_string())
    );
    let unknown = put(
        &node,
        "sys/leases/lookup",
        &plain,
        json!({"lease_id": "database/creds/accessdb/nope"}),
    );
    assert_eq!(
        (unknown.status, unknown.error()),
        (400, "invalid lease".to_string())
    );
}

// vault-api-engines.md §4: OpenBao's lookup adds `path`. openbao internal/vault/logical_system.go
// handleLeaseLookup
#[test]
fn openbao_lookup_adds_the_lease_path() {
    let (node, _) = node_with_engine(Flavor::OpenBao);
    let id = issue(&node, "database/creds/accessdb", 3600, 0).lease_id;
    let found = put(
        &node,
        "sys/leases/lookup",
        "root",
        json!({ "lease_id": id }),
    );
    assert_eq!(found.json()["data"]["path"], "database/creds/accessdb");
}

// vault-api-engines.md §4 renew: increment (body wins over the URL), engine I/O with the new
// expiry, TTL capped from the issue time with the warning, envelope with data null.
// vault/expiration.go Renew/renewEntry; sdk/framework/lease.go CalculateTTL
#[test]
fn renew_extends_through_the_engine_and_caps_from_the_issue_time() {
    let (node, engine) = node_with_engine(Flavor::Vault);
    let id = issue(&node, "database/creds/accessdb", 3600, 7200).lease_id;
    let renewed = put(
        &node,
        "sys/leases/renew/database/creds/accessdb/not-this-one",
        "root",
        json!({ "lease_id": id, "increment": "30m" }),
    );
    assert_eq!(renewed.status, 200, "{}", renewed.text);
    let body = renewed.json();
    assert_eq!(body["lease_id"], id.as_str());
    assert_eq!(body["lease_duration"], 1800);
    assert_eq!(body["renewable"], true);
    assert_eq!(body["data"], Value::Null);
    assert_eq!(body["warnings"], Value::Null);
    assert_eq!(engine.script().renewed.len(), 1);
    assert_eq!(engine.script().renewed[0].0, id);

    node.advance_clock(Duration::from_secs(1200));
    let capped = put(
        &node,
        &format!("sys/leases/renew/{id}"),
        "root",
        json!({ "increment": 7200 }),
    );
    assert_eq!(capped.status, 200, "{}", capped.text);
    let body = capped.json();
    let duration = body["lease_duration"].as_u64().unwrap();
    assert!((5990..=6000).contains(&duration), "{duration}");
    let warning = body["warnings"][0].as_str().unwrap();
    assert!(
        warning.starts_with("TTL of \"2h0m0s\" exceeded the effective max_ttl of \"1h"),
        "{warning}"
    );
    let looked = put(
        &node,
        "sys/leases/lookup",
        "root",
        json!({ "lease_id": id }),
    );
    assert_ne!(looked.json()["data"]["last_renewal"], Value::Null);

    let legacy = put(&node, "sys/renew", "root", json!({ "lease_id": id }));
    assert_eq!(legacy.status, 200, "{}", legacy.text);
}

// vault-api-engines.md §4 renew 400s: lease_id must be specified, lease not found,
// lease is not renewable, past the max TTL, engine failure (lease unchanged).
// vault/expiration.go leaseEntry.renewable, renewEntry ("failed to renew entry: resp: %#v err: %w")
#[test]
fn renew_refusals_say_what_vault_says() {
    let (node, engine) = node_with_engine(Flavor::Vault);
    let error = |body: Value| {
        let a = put(&node, "sys/leases/renew", "root", body);
        (a.status, a.error())
    };
    assert_eq!(error(json!({})), (400, "lease_id must be specified".into()));
    assert_eq!(
        error(json!({"lease_id": "database/creds/x/none"})),
        (400, "lease not found".into())
    );
    let fixed = node.with_state(|s| {
        let secret = Secret {
            data: json!({}),
            internal: json!({}),
            terms: LeaseTerms::default(),
            renewable: false,
        };
        match leases::issue(s, "database/creds/fixed", secret) {
            Ok(Reply::Logical(l)) => l.lease_id,
            other => panic!("{other:?}"),
        }
    });
    assert_eq!(
        error(json!({ "lease_id": fixed })),
        (400, "lease is not renewable".into())
    );

    let id = issue(&node, "database/creds/accessdb", 3600, 0).lease_id;
    engine.script().fail_renew = Some("pq: role \"v-x\" does not exist".into());
    let before = node.with_state(|s| s.leases.get(&id).unwrap().expire_time);
    assert_eq!(
        error(json!({ "lease_id": id, "increment": "2h" })),
        (
            400,
            "failed to renew entry: resp: (*logical.Response)(nil) err: pq: role \"v-x\" does not exist"
                .into()
        )
    );
    let after = node.with_state(|s| s.leases.get(&id).unwrap().expire_time);
    assert_eq!(before, after, "a failed renewal leaves the lease as it was");

    engine.script().fail_renew = None;
    let short = issue(&node, "database/creds/accessdb", 60, 120).lease_id;
    node.advance_clock(Duration::from_secs(30));
    // still valid: renew works up to the max
    assert_eq!(
        put(
            &node,
            "sys/leases/renew",
            "root",
            json!({ "lease_id": short, "increment": 90 })
        )
        .status,
        200
    );
    engine.script().fail_revoke = Some("keep it".into());
    node.advance_clock(Duration::from_secs(200));
    assert_eq!(
        error(json!({ "lease_id": short })),
        (400, "lease expired".into())
    );
}

// vault-api-engines.md §4 revoke: sync → 204 and gone (engine ran); sync:false → 202, revoked
// by the expiry sweep; unknown lease → 204; URL and legacy forms.
// vault/logical_system.go handleRevoke; vault/expiration.go Revoke, LazyRevoke
#[test]
fn revoke_runs_the_engine_sync_or_lazily() {
    let (node, engine) = node_with_engine(Flavor::Vault);
    let id = issue(&node, "database/creds/accessdb", 3600, 0).lease_id;
    let revoked = put(
        &node,
        "sys/leases/revoke",
        "root",
        json!({ "lease_id": id }),
    );
    assert_eq!((revoked.status, revoked.text.as_str()), (204, ""));
    assert_eq!(engine.script().revoked, vec![id.clone()]);
    assert!(node.with_state(|s| s.leases.get(&id).is_none()));
    let gone = put(
        &node,
        "sys/leases/lookup",
        "root",
        json!({ "lease_id": id }),
    );
    assert_eq!(gone.error(), "invalid lease");

    let unknown = put(
        &node,
        "sys/leases/revoke",
        "root",
        json!({ "lease_id": id }),
    );
    assert_eq!(unknown.status, 204);

    let lazy = issue(&node, "database/creds/accessdb", 3600, 0).lease_id;
    let accepted = put(
        &node,
        &format!("sys/leases/revoke/{lazy}"),
        "root",
        json!({ "sync": false }),
    );
    assert_eq!((accepted.status, accepted.text.as_str()), (202, ""));
    node.expire_leases();
    assert!(node.with_state(|s| s.leases.get(&lazy).is_none()));
    assert_eq!(engine.script().revoked.len(), 2);

    let legacy = issue(&node, "database/creds/accessdb", 3600, 0).lease_id;
    assert_eq!(
        put(&node, &format!("sys/revoke/{legacy}"), "root", json!({})).status,
        204
    );
    assert!(node.with_state(|s| s.leases.is_empty()));
}

// vault-api-engines.md §4: an engine failure → 400 `failed to revoke entry: resp:
// (*logical.Response)(nil) err: <err>`, the lease stays; revoke-force drops it anyway.
// vault/expiration.go revokeEntry, revokeCommon (force)
#[test]
fn a_failed_revocation_leaves_the_lease_and_force_removes_it() {
    let (node, engine) = node_with_engine(Flavor::Vault);
    let id = issue(&node, "database/creds/accessdb", 3600, 0).lease_id;
    engine.script().fail_revoke =
        Some("failed to execute query: pq: role \"v-x\" cannot be dropped".into());
    let failed = put(
        &node,
        "sys/leases/revoke",
        "root",
        json!({ "lease_id": id }),
    );
    assert_eq!(
        (failed.status, failed.error()),
        (
            400,
            "failed to revoke entry: resp: (*logical.Response)(nil) err: failed to execute query: pq: role \"v-x\" cannot be dropped"
                .to_string()
        )
    );
    let still = put(
        &node,
        "sys/leases/lookup",
        "root",
        json!({ "lease_id": id }),
    );
    assert_eq!(still.status, 200);

    let prefix = put(
        &node,
        "sys/leases/revoke-prefix/database/creds",
        "root",
        json!({}),
    );
    assert_eq!(
        (prefix.status, prefix.error()),
        (
            400,
            format!("failed to revoke {id:?} (1 / 1): failed to revoke entry: resp: (*logical.Response)(nil) err: failed to execute query: pq: role \"v-x\" cannot be dropped")
        )
    );
    let single = put(
        &node,
        &format!("sys/leases/revoke-prefix/{id}"),
        "root",
        json!({}),
    );
    assert!(
        single
            .error()
            .starts_with(&format!("failed to revoke {id:?}: failed to revoke entry")),
        "{}",
        single.text
    );

    let forced = put(
        &node,
        "sys/leases/revoke-force/database/creds",
        "root",
        json!({}),
    );
    assert_eq!(forced.status, 204, "{}", forced.text);
    assert!(node.with_state(|s| s.leases.is_empty()));
}

// vault-api-engines.md §4: revoke-prefix (sudo) revokes every lease under <prefix>/ → 204,
// nothing there → 204, sync:false → 202; LIST sys/leases/lookup/<prefix>/ (sudo) → keys, none → 404.
// vault/logical_system.go PathsSpecial.Root, handleRevokePrefixCommon, handleLeaseLookupList;
// vault/expiration.go revokePrefixCommon
#[test]
fn revoke_prefix_and_list_need_sudo_and_cover_the_prefix() {
    let (node, engine) = node_with_engine(Flavor::Vault);
    let a = issue(&node, "database/creds/accessdb", 3600, 0).lease_id;
    let b = issue(&node, "database/creds/accessdb", 3600, 0).lease_id;
    let other = issue(&node, "database/creds/other", 3600, 0).lease_id;

    let no_sudo = token_with(
        &node,
        "leases-nosudo",
        "path \"sys/leases/*\" { capabilities = [\"update\", \"list\"] }",
    );
    let denied = put(
        &node,
        "sys/leases/revoke-prefix/database/creds/accessdb",
        &no_sudo,
        json!({}),
    );
    assert_eq!(denied.status, 403);
    let denied_list = call(
        &node.addr(),
        "LIST",
        "sys/leases/lookup/database/creds/",
        Some(&no_sudo),
        None,
    );
    assert_eq!(denied_list.status, 403);

    let sudo = token_with(
        &node,
        "leases-sudo",
        "path \"sys/leases/*\" { capabilities = [\"update\", \"list\", \"sudo\"] }",
    );
    let folders = call(
        &node.addr(),
        "LIST",
        "sys/leases/lookup/database/creds/",
        Some(&sudo),
        None,
    );
    assert_eq!(folders.status, 200, "{}", folders.text);
    assert_eq!(
        folders.json()["data"]["keys"],
        json!(["accessdb/", "other/"])
    );
    let ids = call(
        &node.addr(),
        "LIST",
        "sys/leases/lookup/database/creds/accessdb/",
        Some(&sudo),
        None,
    );
    let mut expected: Vec<String> = [&a, &b]
        .iter()
        .map(|id| id.rsplit('/').next().unwrap().to_string())
        .collect();
    expected.sort();
    assert_eq!(ids.json()["data"]["keys"], json!(expected));
    let empty = call(
        &node.addr(),
        "LIST",
        "sys/leases/lookup/nomad/",
        Some(&sudo),
        None,
    );
    assert_eq!((empty.status, empty.json()), (404, json!({"errors": []})));

    let revoked = put(
        &node,
        "sys/leases/revoke-prefix/database/creds/accessdb",
        &sudo,
        json!({}),
    );
    assert_eq!(revoked.status, 204, "{}", revoked.text);
    let mut done = engine.script().revoked.clone();
    done.sort();
    let mut both = vec![a, b];
    both.sort();
    assert_eq!(done, both);
    assert!(node.with_state(|s| s.leases.get(&other).is_some()));

    let nothing = put(
        &node,
        "sys/leases/revoke-prefix/nomad/creds",
        &sudo,
        json!({}),
    );
    assert_eq!(nothing.status, 204);
    let lazily = put(
        &node,
        "sys/leases/revoke-prefix/database",
        &sudo,
        json!({"sync": false}),
    );
    assert_eq!(lazily.status, 202);
    node.expire_leases();
    assert!(node.with_state(|s| s.leases.is_empty()));
}

// vault-api-engines.md §0/§4: a lease whose expiry the clock passes is revoked through its
// engine; when the engine fails it stays (retried with backoff) and renew says `lease expired`.
// vault/expiration.go expireLeaseStrategyFairsharing, revocationJob.OnFailure
#[test]
fn an_expired_lease_is_revoked_through_its_engine() {
    let (node, engine) = node_with_engine(Flavor::Vault);
    let id = issue(&node, "database/creds/accessdb", 60, 0).lease_id;
    let keeps = issue(&node, "database/creds/accessdb", 3600, 0).lease_id;
    node.advance_clock(Duration::from_secs(61));
    assert_eq!(engine.script().revoked, vec![id.clone()]);
    assert!(node.with_state(|s| s.leases.get(&id).is_none()));
    assert!(node.with_state(|s| s.leases.get(&keeps).is_some()));

    engine.script().fail_revoke = Some("connection refused".into());
    node.advance_clock(Duration::from_secs(3600));
    let still = put(
        &node,
        "sys/leases/lookup",
        "root",
        json!({ "lease_id": keeps }),
    );
    assert_eq!(still.status, 200);
    assert_eq!(still.json()["data"]["renewable"], false);
    engine.script().fail_revoke = None;
    // Vault retries after 10 s × 2^attempt.
    node.advance_clock(Duration::from_secs(25));
    assert!(node.with_state(|s| s.leases.is_empty()));
}

// The engine's I/O runs with the node's state lock released: a revocation that itself calls
// the node over HTTP completes (under the lock it could never be answered).
#[test]
fn engine_io_runs_without_the_node_lock() {
    let (node, engine) = node_with_engine(Flavor::Vault);
    engine.script().call_back = Some(node.addr());
    let id = issue(&node, "database/creds/accessdb", 3600, 0).lease_id;
    let revoked = put(
        &node,
        "sys/leases/revoke",
        "root",
        json!({ "lease_id": id }),
    );
    assert_eq!(revoked.status, 204, "{}", revoked.text);
    assert_eq!(engine.script().lookup_during_revoke, Some(200));
    assert!(node.with_state(|s| s.leases.is_empty()));
}

// vault-api-engines.md §4: PUT on the list-only lookup/<prefix> path, other verbs → 405.
#[test]
fn wrong_verbs_on_lease_endpoints() {
    let (node, _) = node_with_engine(Flavor::Vault);
    let get = call(&node.addr(), "GET", "sys/leases/renew", Some("root"), None);
    assert_eq!(get.status, 405, "{}", get.text);
    let unknown = put(&node, "sys/leases/nonsense", "root", json!({}));
    assert_eq!(
        (unknown.status, unknown.error()),
        (404, "unsupported path".to_string())
    );
}
