//! `nvctl job-policy [--write] [--name N] JOBFILE...`, end to end: the least-privilege policy
//! derived from the templates against a live Vault's mounts (consul-template's KV v2 `data/`
//! insertion, vault_read.go:shimKVv2Path), printed, or written as steps with consent and the
//! role's `allowed_policies` extended; a re-run writes nothing; every bad input refused with
//! its message and exit code before anything is written.

use crate::support::{self, Http, Nvctl, TestVault};

use std::path::PathBuf;

use serde_json::{json, Value};
use vault_sandbox::SandboxHandle;

const ROLE: &str = "nomad-cluster";
const DERIVED: &str = "path \"secret/data/hashicups-api\" {\n  capabilities = [\"read\"]\n}";

fn job(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jobs")
        .join(name)
}

/// The seed role (`disallowed_policies = "nomad-server"`, roles/nomad-cluster.json) on a
/// Vault whose `secret/` is KV v2 (a dev server's).
fn seeded(vault: &TestVault) -> Http {
    let http = Http::of(vault);
    write_role(
        &http,
        &json!({ "disallowed_policies": "nomad-server", "orphan": true, "token_period": "72h", "renewable": true }),
    );
    http
}

fn write_role(http: &Http, body: &Value) {
    let (status, answer) = http.put(&format!("auth/token/roles/{ROLE}"), body);
    assert!(status == 204 || status == 200, "role: {status} {answer}");
}

fn live_policy(http: &Http, name: &str) -> Option<String> {
    let (status, body) = http.get(&format!("sys/policies/acl/{name}"));
    (status == 200).then(|| {
        body["data"]["policy"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    })
}

fn job_policy(vault: &TestVault) -> Nvctl {
    Nvctl::new().vault(vault).arg("job-policy")
}

/// A dev sandbox with the seed role, its requests cleared.
fn sandboxed() -> TestVault {
    support::sandbox_only("counts the writes the sandbox receives");
    let vault = TestVault::Sandbox(support::dev_sandbox());
    seeded(&vault);
    sandbox(&vault).clear_requests();
    vault
}

fn sandbox(vault: &TestVault) -> &SandboxHandle {
    vault.sandbox().expect("a sandbox")
}

#[test]
fn prints_the_kv2_aware_policy_under_the_jobs_missing_policy_name_and_writes_nothing() {
    let vault = sandboxed();
    let sandbox = sandbox(&vault);
    job_policy(&vault)
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(0)
        .stdout_has("# policy \"hashicups-api\"")
        .stdout_has(DERIVED)
        .stdout_has("example/example/demo");
    assert_eq!(support::writes(sandbox), Vec::<String>::new());
}

#[test]
fn json_lists_each_policy_its_tasks_and_paths() {
    let vault = support::vault();
    seeded(&vault);
    let run = job_policy(&vault)
        .args(["--format", "json"])
        .arg(job("two-readers.nomad.hcl"))
        .run()
        .exit(0);
    let doc = run.json();
    assert_eq!(doc["write"], json!(false));
    assert_eq!(doc["ok"], json!(true));
    assert_eq!(doc["steps"], json!([]));
    let policies = doc["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 2, "{doc}");
    assert_eq!(policies[0]["name"], json!("shop-api"));
    assert_eq!(policies[0]["tasks"], json!(["shop/shop/api"]));
    assert_eq!(
        policies[0]["paths"],
        json!({ "secret/data/hashicups-api": ["read"] })
    );
    assert_eq!(policies[1]["name"], json!("shop-worker"));
    // No database engine is mounted here: the path is taken as written.
    assert_eq!(
        policies[1]["paths"],
        json!({ "database/creds/accessdb": ["read"] })
    );
}

#[test]
fn write_without_a_terminal_needs_yes_and_writes_nothing() {
    let vault = sandboxed();
    let sandbox = sandbox(&vault);
    job_policy(&vault)
        .arg("--write")
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(1)
        .stderr_has("re-run with --yes to approve");
    assert_eq!(support::writes(sandbox), Vec::<String>::new());
}

#[test]
fn write_creates_the_policy_the_job_then_gets_and_a_rerun_writes_nothing() {
    let vault = sandboxed();
    let sandbox = sandbox(&vault);
    let http = Http::of(&vault);
    job_policy(&vault)
        .args(["--write", "--yes"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(0)
        .stderr_has("create policy \"hashicups-api\" from the templates of example/example/demo")
        .stderr_has("sys/policies/acl/hashicups-api: created")
        .stderr_has("in place and read back: policy \"hashicups-api\"");
    assert_eq!(
        support::writes(sandbox),
        vec!["PUT /v1/sys/policies/acl/hashicups-api"]
    );
    assert!(live_policy(&http, "hashicups-api")
        .unwrap()
        .contains(DERIVED));
    // The task now gets its read, by Vault's own verdict (a rehearsed task token).
    let (status, _) = http.put(
        "secret/data/hashicups-api",
        &json!({ "data": { "api-key": "k", "principal-id": "p" } }),
    );
    assert_eq!(status, 200);
    Nvctl::new()
        .vault(&vault)
        .args(["check-job", "--rehearse"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(0);

    // Re-run: the job's policy now exists with exactly these rules, so it keeps its name and
    // nothing is written.
    sandbox.clear_requests();
    let run = job_policy(&vault)
        .args(["--write", "--yes", "--format", "json"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(0);
    assert_eq!(support::writes(sandbox), Vec::<String>::new());
    let doc = run.json();
    assert_eq!(doc["policies"][0]["name"], json!("hashicups-api"));
    assert_eq!(doc["steps"][0]["outcome"], json!("unchanged"), "{doc}");
}

#[test]
fn on_a_terminal_the_body_is_shown_and_declining_writes_nothing() {
    let vault = sandboxed();
    let sandbox = sandbox(&vault);
    let mut terminal = job_policy(&vault)
        .arg("--write")
        .arg(job("hashicups-api.nomad.hcl"))
        .on_terminal();
    terminal
        .expect("secret/data/hashicups-api")
        .expect("Apply this change to sys/policies/acl/hashicups-api? [y/N] ")
        .send("n\n");
    terminal
        .finish()
        .exit(1)
        .stderr_has("sys/policies/acl/hashicups-api was not changed: the operator declined");
    assert_eq!(support::writes(sandbox), Vec::<String>::new());

    let mut terminal = job_policy(&vault)
        .arg("--write")
        .arg(job("hashicups-api.nomad.hcl"))
        .on_terminal();
    terminal
        .expect("Apply this change to sys/policies/acl/hashicups-api? [y/N] ")
        .send("y\n");
    terminal
        .finish()
        .exit(0)
        .stderr_has("sys/policies/acl/hashicups-api: created");
}

#[test]
fn a_role_with_an_allowed_list_gets_the_policy_added_with_its_diff() {
    let vault = sandboxed();
    let sandbox = sandbox(&vault);
    let http = Http::of(&vault);
    write_role(
        &http,
        &json!({ "allowed_policies": "access-tables", "orphan": true, "token_period": "72h", "renewable": true }),
    );
    // Without --write: said, not done.
    job_policy(&vault)
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(0)
        .stderr_has("the role's allowed_policies does not list [hashicups-api]")
        .stderr_has("--write adds them");
    sandbox.clear_requests();
    job_policy(&vault)
        .args(["--write", "--yes"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(0)
        .stderr_has("token role \"nomad-cluster\" differs")
        .stderr_has("+    \"hashicups-api\"")
        .stderr_has("auth/token/roles/nomad-cluster: updated");
    let (_, role) = http.get(&format!("auth/token/roles/{ROLE}"));
    assert_eq!(
        role["data"]["allowed_policies"],
        json!(["access-tables", "hashicups-api"])
    );
    assert_eq!(role["data"]["token_period"], json!(259200));
    assert_eq!(
        support::writes(sandbox),
        vec![
            "PUT /v1/sys/policies/acl/hashicups-api",
            "PUT /v1/auth/token/roles/nomad-cluster"
        ]
    );
    sandbox.clear_requests();
    job_policy(&vault)
        .args(["--write", "--yes"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(0);
    assert_eq!(support::writes(sandbox), Vec::<String>::new());
}

#[test]
fn an_existing_policy_with_other_rules_is_not_replaced_and_the_task_is_told() {
    let vault = support::vault();
    let http = seeded(&vault);
    let other = "path \"secret/hashicups-api\" {\n  capabilities = [\"read\"]\n}\n";
    assert_eq!(
        http.put(
            "sys/policies/acl/hashicups-api",
            &json!({ "policy": other })
        )
        .0,
        204
    );
    job_policy(&vault)
        .args(["--write", "--yes"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(0)
        .stderr_has("sys/policies/acl/example-demo: created")
        .stderr_has(
            "task example/example/demo asks for [hashicups-api], not for policy \"example-demo\"",
        )
        .stderr_has("add \"example-demo\" to the task's vault { policies = [...] }");
    assert_eq!(live_policy(&http, "hashicups-api").as_deref(), Some(other));
}

#[test]
fn name_overrides_the_default_for_the_one_task_reading_from_vault() {
    let vault = support::vault();
    let http = seeded(&vault);
    job_policy(&vault)
        .args(["--write", "--yes", "--name", "HashiCups-Reader"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(0)
        .stderr_has("sys/policies/acl/hashicups-reader: created")
        .stderr_has("not for policy \"hashicups-reader\"");
    assert!(live_policy(&http, "hashicups-reader")
        .unwrap()
        .contains(DERIVED));
}

#[test]
fn name_with_several_tasks_reading_from_vault_is_refused_before_vault_is_asked() {
    support::sandbox_only("counts the requests Vault received");
    let vault = TestVault::Sandbox(support::dev_sandbox());
    let sandbox = sandbox(&vault);
    job_policy(&vault)
        .args(["--write", "--yes", "--name", "shop"])
        .arg(job("two-readers.nomad.hcl"))
        .run()
        .exit(1)
        .stderr_has("--name names one policy, but 2 tasks read from Vault (shop/shop/api, shop/shop/worker)");
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
}

#[test]
fn names_vault_or_every_token_would_misuse_are_refused() {
    let vault = support::vault();
    for (name, says) in [
        ("root", "--name: invalid policy name \"root\""),
        ("default", "--name: \"default\" is attached to every token"),
        (
            "a/b",
            "--name: invalid policy name \"a/b\": it must not contain '/'",
        ),
        (" ", "--name: invalid policy name: it must not be empty"),
    ] {
        job_policy(&vault)
            .args(["--write", "--yes", "--name", name])
            .arg(job("hashicups-api.nomad.hcl"))
            .run()
            .exit(1)
            .stderr_has(says);
    }
}

#[test]
fn a_name_the_role_forbids_is_vaults_refusal_and_nothing_is_written() {
    let vault = sandboxed();
    let sandbox = sandbox(&vault);
    let http = Http::of(&vault);
    let before = live_policy(&http, "nomad-server");
    job_policy(&vault)
        .args(["--write", "--yes", "--name", "nomad-server"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("# policy \"nomad-server\"")
        .stderr_has("Vault: token policy \"nomad-server\" is disallowed by this role")
        .stderr_has("nothing was written");
    assert_eq!(support::writes(sandbox), Vec::<String>::new());
    assert_eq!(live_policy(&http, "nomad-server"), before);
}

#[test]
fn a_job_reading_nothing_needs_no_policy() {
    let vault = sandboxed();
    let sandbox = sandbox(&vault);
    job_policy(&vault)
        .args(["--write", "--yes"])
        .arg(job("no-vault-reads.nomad.hcl"))
        .run()
        .exit(0)
        .stderr_has("no template reads anything from Vault");
    assert_eq!(support::writes(sandbox), Vec::<String>::new());
}

#[test]
fn a_kv1_mount_gets_the_path_as_written() {
    let vault = support::vault();
    let http = seeded(&vault);
    let (status, _) = http.put("sys/mounts/kv", &json!({ "type": "kv" }));
    assert!(status == 204 || status == 200);
    job_policy(&vault)
        .arg(job("hashicups-kv1-data-data.nomad.hcl"))
        .run()
        .exit(0)
        .stdout_has("path \"kv/hashicups-api\" {\n  capabilities = [\"read\"]\n}");
}

#[test]
fn bad_job_files_and_an_unreachable_vault_get_their_exit_codes() {
    let vault = support::vault();
    job_policy(&vault)
        .arg(job("no-such-job.nomad.hcl"))
        .run()
        .exit(1)
        .stderr_has("no-such-job.nomad.hcl");
    let dir = support::workdir();
    let broken = dir.path().join("broken.nomad.hcl");
    std::fs::write(&broken, "job \"x\" {\n  group \"g\" {\n").unwrap();
    job_policy(&vault)
        .arg(&broken)
        .run()
        .exit(1)
        .stderr_has("broken.nomad.hcl:");
    Nvctl::new()
        .env("VAULT_ADDR", "http://127.0.0.1:9")
        .env("VAULT_TOKEN", "t")
        .args(["--max-retries", "0", "job-policy"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(2)
        .stderr_has("connection refused by http://127.0.0.1:9")
        .stderr_has("is Vault running at http://127.0.0.1:9?");
    job_policy(&vault)
        .args(["--format", "yaml"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(1)
        .stderr_has("invalid value 'yaml' for '--format <FORMAT>'");
}

#[test]
fn name_of_an_existing_policy_shows_the_rules_diff_before_replacing_them() {
    let vault = support::vault();
    let http = seeded(&vault);
    let other = "path \"secret/hashicups-api\" {\n  capabilities = [\"read\"]\n}\n";
    assert_eq!(
        http.put(
            "sys/policies/acl/hashicups-api",
            &json!({ "policy": other })
        )
        .0,
        204
    );
    // --name takes the existing policy: its rules are replaced, with the diff shown first.
    job_policy(&vault)
        .args(["--write", "--yes", "--name", "hashicups-api"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(0)
        .stderr_has("policy \"hashicups-api\" differs from the templates of example/example/demo")
        .stderr_has("-path \"secret/hashicups-api\" {")
        .stderr_has("+path \"secret/data/hashicups-api\" {")
        .stderr_has("sys/policies/acl/hashicups-api: updated");
    assert!(live_policy(&http, "hashicups-api")
        .unwrap()
        .contains(DERIVED));
}

#[test]
fn a_rerun_naming_the_job_file_another_way_writes_nothing() {
    // The policy text names the tasks, not how the job file was spelled on the command
    // line: from another directory, with a relative path, the same job needs the same text.
    let vault = sandboxed();
    let sandbox = sandbox(&vault);
    job_policy(&vault)
        .args(["--write", "--yes"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(0)
        .stderr_has("sys/policies/acl/hashicups-api: created");
    sandbox.clear_requests();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    job_policy(&vault)
        .current_dir(&fixtures)
        .args(["--write", "--yes", "jobs/hashicups-api.nomad.hcl"])
        .run()
        .exit(0)
        .stderr_lacks("differs");
    assert_eq!(support::writes(sandbox), Vec::<String>::new());
}
