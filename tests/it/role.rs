//! `nvctl role create|show|diff`, end to end: the real binary against a Vault over HTTP
//! (vault-api.md §4; Nomad's role rules, nomad-rules.md §2). Every refused input is checked to
//! have sent no write.

use crate::support;

use serde_json::{json, Value};
use support::{Http, Nvctl, ROOT_TOKEN};

fn live_role(http: &Http, name: &str) -> Option<Value> {
    let (status, body) = http.get(&format!("auth/token/roles/{name}"));
    match status {
        200 => Some(body["data"].clone()),
        404 => None,
        other => panic!("GET role answered {other}: {body}"),
    }
}

fn sandbox_http(sandbox: &vault_sandbox::SandboxHandle) -> Http {
    Http::new(&sandbox.addr(), ROOT_TOKEN)
}

fn role_file(dir: &tempfile::TempDir, name: &str, body: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, body).unwrap();
    path
}

#[test]
fn role_create_writes_the_seed_role() {
    // vault-api.md §4: GET data shape of the documented role.
    let vault = support::vault();
    Nvctl::new()
        .vault(&vault)
        .args(["role", "create"])
        .run()
        .exit(0)
        .stderr_has("auth/token/roles/nomad-cluster: created")
        .stderr_has("Nomad's role rules pass");
    let data = live_role(&Http::of(&vault), "nomad-cluster").expect("role written");
    assert_eq!(data["disallowed_policies"], json!(["nomad-server"]));
    assert_eq!(data["allowed_policies"], json!([]));
    assert_eq!(data["orphan"], json!(true));
    assert_eq!(data["renewable"], json!(true));
    assert_eq!(data["token_period"], json!(259200));
    assert_eq!(data["token_explicit_max_ttl"], json!(0));
    assert_eq!(data["explicit_max_ttl"], json!(0));
    // Written in the token_* form: the legacy field is reset (vault-api.md §4).
    assert_eq!(data["period"], json!(0));
}

#[test]
fn role_create_twice_writes_nothing_the_second_time() {
    let sandbox = support::dev_sandbox();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create"])
        .run()
        .exit(0);
    let before = support::writes(&sandbox);
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create"])
        .run()
        .exit(0)
        .stderr_has("[✔] token role \"nomad-cluster\" already in place.");
    assert_eq!(support::writes(&sandbox), before);
}

#[test]
fn role_create_accepts_the_legacy_spelling_and_writes_token_fields() {
    let sandbox = support::dev_sandbox();
    let dir = support::workdir();
    let file = role_file(
        &dir,
        "legacy.json",
        r#"{"allowed_policies": "access-tables", "explicit_max_ttl": 0, "name": "nomad-cluster",
            "orphan": false, "period": 259200, "renewable": true}"#,
    );
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create", "--file"])
        .arg(&file)
        .run()
        .exit(0);
    let data = live_role(&sandbox_http(&sandbox), "nomad-cluster").unwrap();
    assert_eq!(data["token_period"], json!(259200));
    // Only token_* sent: Vault resets the legacy value (vault-api.md §4).
    assert_eq!(data["period"], json!(0));
    assert_eq!(data["allowed_policies"], json!(["access-tables"]));
    assert_eq!(data["orphan"], json!(false));
    let body = sandbox
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT" && r.path.contains("auth/token/roles/nomad-cluster"))
        .expect("role PUT recorded");
    let sent: Value = serde_json::from_str(&body.body).unwrap();
    assert_eq!(sent["token_period"], json!(259200));
    assert!(sent.get("period").is_none(), "legacy name sent: {sent}");
    assert!(
        sent.get("explicit_max_ttl").is_none(),
        "legacy name sent: {sent}"
    );
}

#[test]
fn role_create_refuses_unknown_fields_listing_the_valid_ones() {
    let sandbox = support::dev_sandbox();
    let dir = support::workdir();
    let file = role_file(&dir, "typo.json", r#"{"orphan": true, "perod": "72h"}"#);
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create", "--file"])
        .arg(&file)
        .run()
        .exit(1)
        .stderr_has("field \"perod\": unknown field")
        .stderr_has("valid fields: allowed_policies,")
        .stderr_has("token_period");
    assert!(support::writes(&sandbox).is_empty());
}

#[test]
fn role_create_refuses_wrong_types_and_malformed_json() {
    let sandbox = support::dev_sandbox();
    let dir = support::workdir();
    let file = role_file(
        &dir,
        "types.json",
        r#"{"orphan": "yes", "token_period": true}"#,
    );
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create", "--file"])
        .arg(&file)
        .run()
        .exit(1)
        .stderr_has("\"orphan\": expected true or false, got the string \"yes\"")
        .stderr_has("\"token_period\": expected a number of seconds");
    let file = role_file(&dir, "broken.json", "{\"orphan\": tru}");
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create", "--file"])
        .arg(&file)
        .run()
        .exit(1)
        .stderr_has("invalid JSON at line 1");
    assert!(support::writes(&sandbox).is_empty());
}

#[test]
fn role_create_refuses_bad_period_flags() {
    let sandbox = support::dev_sandbox();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create", "--period", "72hours"])
        .run()
        .exit(1)
        .stderr_has("invalid --period")
        .stderr_has("72hours");
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create", "--period=-1h"])
        .run()
        .exit(1)
        .stderr_has("invalid --period")
        .stderr_has("must not be negative");
    // Written with a space, `-1h` is still taken as the value: the same message, exit 1.
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create", "--period", "-1h"])
        .run()
        .exit(1)
        .stderr_has("invalid --period")
        .stderr_has("must not be negative");
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create", "--explicit-max-ttl", "soon"])
        .run()
        .exit(1)
        .stderr_has("invalid --explicit-max-ttl");
    assert!(support::writes(&sandbox).is_empty());
}

#[test]
fn role_create_refuses_a_role_nomad_would_reject_in_nomads_words() {
    let sandbox = support::dev_sandbox();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create", "--renewable", "false"])
        .run()
        .exit(3)
        .stderr_has("Role must allow tokens to be renewed")
        .stderr_has("--force");
    Nvctl::new()
        .sandbox(&sandbox)
        .args([
            "role",
            "create",
            "--explicit-max-ttl",
            "1h",
            "--period",
            "0",
        ])
        .run()
        .exit(3)
        .stderr_has("Role can not use an explicit max ttl. Token must be periodic.")
        .stderr_has("Role must have a non-zero period to make tokens periodic.");
    assert!(support::writes(&sandbox).is_empty());
    assert!(live_role(&sandbox_http(&sandbox), "nomad-cluster").is_none());
}

#[test]
fn role_create_with_force_writes_a_rejected_role_and_exits_3() {
    let sandbox = support::dev_sandbox();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create", "--renewable", "false", "--force"])
        .run()
        .exit(3)
        .stderr_has("Role must allow tokens to be renewed");
    let data = live_role(&sandbox_http(&sandbox), "nomad-cluster").unwrap();
    assert_eq!(data["renewable"], json!(false));
}

#[test]
fn role_create_flags_override_the_file() {
    let vault = support::vault();
    Nvctl::new()
        .vault(&vault)
        .args([
            "role",
            "create",
            "--name",
            "jobs",
            "--allowed-policies",
            "Access-Tables,hashicups-api",
            "--disallowed-policies",
            "",
            "--period",
            "24h",
            "--orphan",
            "false",
        ])
        .run()
        .exit(0);
    let data = live_role(&Http::of(&vault), "jobs").unwrap();
    assert_eq!(
        data["allowed_policies"],
        json!(["access-tables", "hashicups-api"])
    );
    assert_eq!(data["disallowed_policies"], json!([]));
    assert_eq!(data["token_period"], json!(86400));
    assert_eq!(data["orphan"], json!(false));
}

#[test]
fn role_create_on_a_drifted_role_shows_the_diff_and_needs_consent() {
    let sandbox = support::dev_sandbox();
    let http = sandbox_http(&sandbox);
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create"])
        .run()
        .exit(0);
    // Someone changes the role behind nvctl's back.
    let (status, _) = http.put(
        "auth/token/roles/nomad-cluster",
        &json!({"token_period": 3600}),
    );
    assert!(status == 204 || status == 200);
    let before = support::writes(&sandbox);
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create"])
        .run()
        .exit(1)
        .stderr_has("-  \"token_period\": 3600")
        .stderr_has("+  \"token_period\": 259200")
        .stderr_has("--yes");
    assert_eq!(support::writes(&sandbox), before, "nothing may be written");

    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create", "--yes"])
        .run()
        .exit(0)
        .stderr_has("auth/token/roles/nomad-cluster: updated");
    assert_eq!(
        live_role(&http, "nomad-cluster").unwrap()["token_period"],
        json!(259200)
    );
}

#[test]
fn role_show_prints_the_live_role_as_a_table_and_json() {
    let vault = support::vault();
    Nvctl::new()
        .vault(&vault)
        .args(["role", "create"])
        .run()
        .exit(0);
    Nvctl::new()
        .vault(&vault)
        .args(["role", "show"])
        .run()
        .exit(0)
        .stdout_has("disallowed_policies")
        .stdout_has("[\"nomad-server\"]")
        .stdout_has("token_period")
        .stdout_has("259200 (3d)");
    let doc = Nvctl::new()
        .vault(&vault)
        .args(["role", "show", "--format", "json"])
        .run()
        .exit(0)
        .json();
    assert_eq!(doc["name"], "nomad-cluster");
    assert_eq!(doc["token_period"], json!(259200));
    assert_eq!(doc["orphan"], json!(true));
}

#[test]
fn role_show_of_a_missing_role_names_it_and_exits_2() {
    let sandbox = support::dev_sandbox();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "show", "--name", "nope"])
        .run()
        .exit(2)
        .stderr_has("token role \"nope\" does not exist");
}

#[test]
fn role_diff_exits_0_when_equal_and_3_when_different_or_missing() {
    let sandbox = support::dev_sandbox();
    let http = sandbox_http(&sandbox);
    let doc = Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "diff", "--format", "json"])
        .run()
        .exit(3)
        .json();
    assert_eq!(doc["exists"], false);
    assert_eq!(doc["equal"], false);

    // Written by hand with the legacy spelling, as an older tutorial does: the same role.
    let (status, _) = http.put(
        "auth/token/roles/nomad-cluster",
        &json!({"disallowed_policies": "nomad-server", "orphan": true,
                "period": 259200, "explicit_max_ttl": 0, "renewable": true}),
    );
    assert!(status == 204 || status == 200);
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "diff"])
        .run()
        .exit(0)
        .stdout_lacks("@@");

    http.put(
        "auth/token/roles/nomad-cluster",
        &json!({"renewable": false}),
    );
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "diff"])
        .run()
        .exit(3)
        .stdout_has("--- live role \"nomad-cluster\"")
        .stdout_has("+  \"renewable\": true");
    let doc = Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "diff", "--format", "json"])
        .run()
        .exit(3)
        .json();
    assert_eq!(doc["equal"], false);
    assert!(doc["diff"].as_str().unwrap().contains("renewable"));
}
