//! The jobs' side of `nvctl bootstrap --config` (issue 13): `kv_secret "MOUNT/PATH" {
//! from_file }` written with check-and-set, its values never shown; `jobs = [...]` checked by
//! check-job (rehearsed in the legacy flow) as the last verification; and the seed 000
//! example (`examples/seed-000`) bootstrapping a fresh Vault end to end, after which its job
//! passes `check-job --rehearse`.

use crate::support::{self, Http, Nvctl, ROOT_TOKEN};

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use vault_sandbox::{Sandbox, SandboxHandle};

/// The example's secret values: they must never be printed.
const API_KEY: &str = "the_api_key_for_hashicups";
const PRINCIPAL: &str = "a_random_string_identifying_an_entity";

fn example_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/seed-000")
}

/// The seed 000 example copied into a fresh directory, its secret file made 0600 as its
/// README says (git keeps no file modes).
fn seed_000_copy() -> tempfile::TempDir {
    let dir = support::workdir();
    for entry in std::fs::read_dir(example_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    chmod(&dir.path().join("hashicups-api.json"), 0o600);
    dir
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn write_secret_file(dir: &Path, name: &str, json: &Value) -> PathBuf {
    let path = write(dir, name, &json.to_string());
    chmod(&path, 0o600);
    path
}

/// `nvctl bootstrap --config <dir>/bootstrap.hcl` at `sandbox`, run in `dir` (the init file
/// and the servers' token land there).
fn bootstrap(sandbox: &SandboxHandle, dir: &Path) -> Nvctl {
    Nvctl::new()
        .env("VAULT_ADDR", &sandbox.addr())
        .current_dir(dir)
        .args(["bootstrap", "--config"])
        .arg(dir.join("bootstrap.hcl"))
}

fn root_http(sandbox: &SandboxHandle) -> Http {
    Http::new(&sandbox.addr(), &sandbox.root_token().expect("initialised"))
}

fn secret_data(http: &Http, path: &str) -> (u16, Value) {
    let (status, body) = http.get(path);
    (status, body["data"].clone())
}

#[test]
fn seed_000_config_bootstraps_a_fresh_vault_and_its_job_passes_check_job_rehearsed() {
    support::sandbox_only("needs an uninitialised Vault");
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let dir = seed_000_copy();
    let run = bootstrap(&sandbox, dir.path())
        .arg("--yes")
        .run()
        .exit(0)
        .stderr_has("mount a KV v2 secrets engine at secret/ for secret/hashicups-api")
        .stderr_has("write KV v2 secret secret/hashicups-api from")
        .stderr_has("keys: api-key, principal-id")
        .stderr_has("secret/data/hashicups-api: created")
        .stderr_has("check-job --rehearse runs once the steps above are verified")
        .hides(API_KEY)
        .hides(PRINCIPAL);
    assert!(run.stderr.contains("Bootstrap complete"), "{}", run.stderr);

    // Vault holds the seed's objects.
    let http = root_http(&sandbox);
    let (status, data) = secret_data(&http, "secret/data/hashicups-api");
    assert_eq!(status, 200);
    assert_eq!(
        data["data"],
        json!({ "api-key": API_KEY, "principal-id": PRINCIPAL })
    );
    let (_, role) = http.get("auth/token/roles/nomad-cluster");
    assert_eq!(role["data"]["allowed_policies"], json!(["hashicups-api"]));
    let (status, _) = http.get("sys/policies/acl/hashicups-api");
    assert_eq!(status, 200);

    // The issue's "done when": the seed's job passes check-job --rehearse on that Vault.
    let root = sandbox.root_token().unwrap();
    let run = Nvctl::new()
        .env("VAULT_ADDR", &sandbox.addr())
        .env("VAULT_TOKEN", &root)
        .args(["check-job", "--rehearse", "--format", "json"])
        .arg(dir.path().join("example.nomad.hcl"))
        .run()
        .exit(0);
    let doc = run.json();
    let task = &doc["files"][0]["tasks"][0];
    assert_eq!(task["rehearsal"]["outcome"], json!("created"), "{doc}");
    assert_eq!(task["reads"][0]["vault_capabilities"], json!(["read"]));

    // A re-run writes nothing but the rehearsal's task token (minted, then revoked), and
    // reports the job checks in its JSON.
    sandbox.clear_requests();
    let run = bootstrap(&sandbox, dir.path())
        .args(["--yes", "--format", "json"])
        .run()
        .exit(0)
        .hides(API_KEY)
        .hides(PRINCIPAL);
    assert_eq!(
        support::writes(&sandbox),
        vec![
            "POST /v1/auth/token/create/nomad-cluster",
            "POST /v1/auth/token/revoke-accessor"
        ]
    );
    let doc = run.json();
    assert_eq!(doc["ok"], json!(true), "{doc}");
    let steps = doc["steps"].as_array().unwrap();
    let kv = steps.iter().find(|s| s["step"] == "kv secret").unwrap();
    assert_eq!(kv["outcome"], json!("unchanged"));
    assert_eq!(kv["subject"], json!("secret/data/hashicups-api"));
    let jobs = steps.iter().find(|s| s["step"] == "jobs").unwrap();
    assert_eq!(jobs["findings"], json!([]));
    assert_eq!(
        doc["jobs"]["files"][0]["tasks"][0]["rehearsal"]["outcome"],
        json!("created")
    );
}

#[test]
fn the_seed_000_example_is_refused_until_its_secret_file_is_0600() {
    support::sandbox_only("counts the requests Vault received");
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let dir = seed_000_copy();
    let secret = dir.path().join("hashicups-api.json");
    chmod(&secret, 0o644);
    bootstrap(&sandbox, dir.path())
        .arg("--yes")
        .run()
        .exit(1)
        .stderr_has(&format!(
            "kv_secret \"secret/hashicups-api\": {} has mode 0644: a file holding secret values must be 0600",
            secret.display()
        ))
        .stderr_has("chmod 600")
        .stderr_has("nothing was sent to Vault")
        .hides(API_KEY);
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
    // --plan on the shipped files as they are (0644 in a checkout) says the same.
    Nvctl::new()
        .args([
            "bootstrap",
            "--plan",
            "--address",
            "http://127.0.0.1:1",
            "--config",
        ])
        .arg(example_dir().join("bootstrap.hcl"))
        .run()
        .exit(1)
        .stderr_has("must be 0600");
}

/// A dev sandbox (an initialised Vault with `secret/` as KV v2, like `vault server -dev`)
/// with a config of `blocks` in `dir`; bootstrap runs with its root token.
fn dev_with(dir: &Path, blocks: &str) -> SandboxHandle {
    support::sandbox_only("counts the writes the sandbox receives");
    write(dir, "bootstrap.hcl", blocks);
    support::dev_sandbox()
}

fn dev_bootstrap(sandbox: &SandboxHandle, dir: &Path) -> Nvctl {
    bootstrap(sandbox, dir).env("VAULT_TOKEN", ROOT_TOKEN)
}

const KV_ONLY: &str = "kv_secret \"secret/app\" {\n  from_file = \"app.json\"\n}\n";

#[test]
fn a_changed_secret_file_plans_keys_never_values_and_writes_a_new_version() {
    let dir = support::workdir();
    let sandbox = dev_with(dir.path(), KV_ONLY);
    let file = write_secret_file(
        dir.path(),
        "app.json",
        &json!({ "user": "OLD-USER-VALUE", "gone": "OLD-GONE-VALUE", "same": "SAME-VALUE" }),
    );
    dev_bootstrap(&sandbox, dir.path())
        .arg("--yes")
        .run()
        .exit(0);
    std::fs::write(
        &file,
        json!({ "user": "NEW-USER-VALUE", "added": "NEW-ADDED-VALUE", "same": "SAME-VALUE" })
            .to_string(),
    )
    .unwrap();
    let values = [
        "OLD-USER-VALUE",
        "OLD-GONE-VALUE",
        "SAME-VALUE",
        "NEW-USER-VALUE",
        "NEW-ADDED-VALUE",
    ];

    sandbox.clear_requests();
    for format in ["table", "json"] {
        let mut run = dev_bootstrap(&sandbox, dir.path())
            .args(["-v", "--plan", "--format", format])
            .run()
            .exit(3);
        if format == "table" {
            run = run
                .stderr_has("KV secret secret/app differs from")
                .stderr_has("keys added: added")
                .stderr_has("keys removed: gone")
                .stderr_has("keys changed: user")
                .stderr_has("check-and-set: 1");
        } else {
            let doc = run.json();
            let kv = doc["steps"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["step"] == "kv secret")
                .cloned()
                .unwrap();
            assert_eq!(kv["outcome"], json!("pending"));
            assert!(kv["diff"].as_str().unwrap().contains("keys changed: user"));
        }
        for value in values {
            run = run.hides(value);
        }
    }
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());

    let mut run = dev_bootstrap(&sandbox, dir.path())
        .args(["-v", "--yes"])
        .run()
        .exit(0)
        .stderr_has("secret/data/app: updated");
    for value in values {
        run = run.hides(value);
    }
    let (_, data) = secret_data(&Http::new(&sandbox.addr(), ROOT_TOKEN), "secret/data/app");
    assert_eq!(
        data["data"],
        json!({ "user": "NEW-USER-VALUE", "added": "NEW-ADDED-VALUE", "same": "SAME-VALUE" })
    );
    assert_eq!(data["metadata"]["version"], json!(2));
    let cas_write = sandbox
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == "/v1/secret/data/app")
        .expect("the write");
    let body: Value = serde_json::from_str(&cas_write.body).unwrap();
    assert_eq!(body["options"], json!({ "cas": 1 }));

    // The same file again: the values are compared in memory and nothing is written.
    sandbox.clear_requests();
    dev_bootstrap(&sandbox, dir.path())
        .arg("--yes")
        .run()
        .exit(0)
        .stderr_has("KV secret secret/app (version 2, keys added, same, user)");
    let writes = support::writes(&sandbox);
    assert!(
        !writes.iter().any(|w| w.contains("/v1/secret/")),
        "{writes:?}"
    );
}

#[test]
fn a_secret_file_others_may_read_is_refused_before_vault_is_asked() {
    let dir = support::workdir();
    let sandbox = dev_with(dir.path(), KV_ONLY);
    let file = write_secret_file(dir.path(), "app.json", &json!({ "user": "MODE-VALUE" }));
    chmod(&file, 0o640);
    sandbox.clear_requests();
    dev_bootstrap(&sandbox, dir.path())
        .arg("--yes")
        .run()
        .exit(1)
        .stderr_has(&format!(
            "bootstrap.hcl:2: kv_secret \"secret/app\": {} has mode 0640: a file holding secret values must be 0600",
            file.display()
        ))
        .stderr_has("nothing was sent to Vault")
        .hides("MODE-VALUE");
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
}

#[test]
fn a_concurrent_change_is_refused_by_check_and_set_and_kept() {
    // vault-plugin-secrets-kv path_data.go: a cas that is not the current version → 400
    // "check-and-set parameter did not match the current version", nothing written.
    let dir = support::workdir();
    let sandbox = dev_with(dir.path(), KV_ONLY);
    let file = write_secret_file(dir.path(), "app.json", &json!({ "user": "V1-VALUE" }));
    dev_bootstrap(&sandbox, dir.path())
        .arg("--yes")
        .run()
        .exit(0);
    std::fs::write(&file, json!({ "user": "FILE-VALUE" }).to_string()).unwrap();

    let mut terminal = dev_bootstrap(&sandbox, dir.path()).on_terminal();
    terminal
        .expect("keys changed: user")
        .expect("Apply this change to secret/data/app? [y/N] ");
    // Someone else writes a version while nvctl waits for the operator.
    let http = Http::new(&sandbox.addr(), ROOT_TOKEN);
    let (status, _) = http.put(
        "secret/data/app",
        &json!({ "data": { "user": "THEIRS-VALUE" } }),
    );
    assert_eq!(status, 200);
    terminal.send("y\n");
    terminal
        .finish()
        .exit(2)
        .stderr_has("secret/app was not written: it changed after nvctl read it (check-and-set 1)")
        .stderr_has("check-and-set parameter did not match the current version")
        .hides("FILE-VALUE")
        .hides("THEIRS-VALUE");
    let (_, data) = secret_data(&http, "secret/data/app");
    assert_eq!(data["data"], json!({ "user": "THEIRS-VALUE" }));
    assert_eq!(data["metadata"]["version"], json!(2));
}

#[test]
fn a_kv_version_1_engine_is_refused_clearly_and_not_written() {
    let dir = support::workdir();
    let sandbox = dev_with(
        dir.path(),
        "kv_secret \"kv/app\" {\n  from_file = \"app.json\"\n}\n",
    );
    write_secret_file(dir.path(), "app.json", &json!({ "user": "V-VALUE" }));
    let http = Http::new(&sandbox.addr(), ROOT_TOKEN);
    let (status, _) = http.put("sys/mounts/kv", &json!({ "type": "kv" }));
    assert!(status == 204 || status == 200);
    dev_bootstrap(&sandbox, dir.path())
        .arg("--plan")
        .run()
        .exit(3)
        .stderr_has(
            "kv/ is a KV version 1 engine: nvctl writes KV secrets only with check-and-set",
        );
    sandbox.clear_requests();
    dev_bootstrap(&sandbox, dir.path())
        .arg("--yes")
        .run()
        .exit(1)
        .stderr_has("kv_secret \"kv/app\" not written: kv/ is a KV version 1 engine")
        .stderr_has("vault kv enable-versioning kv/");
    assert!(
        !support::writes(&sandbox)
            .iter()
            .any(|w| w.contains("/v1/kv/")),
        "{:?}",
        support::writes(&sandbox)
    );
}

#[test]
fn every_kv_secret_and_jobs_error_is_reported_at_once_with_its_line() {
    support::sandbox_only("counts the requests Vault received");
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let dir = support::workdir();
    write_secret_file(
        dir.path(),
        "typed.json",
        &json!({ "pin": 12345, "nested": { "deep": "NESTED-VALUE" } }),
    );
    write_secret_file(dir.path(), "list.json", &json!(["LIST-VALUE"]));
    let broken = write(dir.path(), "broken.json", "{\"a\": \"BROKEN-VALUE\"");
    chmod(&broken, 0o600);
    write(
        dir.path(),
        "bad.nomad.hcl",
        "job \"x\" {\n  group \"g\" {\n",
    );
    write(
        dir.path(),
        "bootstrap.hcl",
        r#"kv_secret "secret" {
  from_file = "typed.json"
}
kv_secret "secret/typed" {
  from_file = "typed.json"
}
kv_secret "secret/list" {
  from_file = "list.json"
}
kv_secret "secret/broken" {
  from_file = "broken.json"
}
kv_secret "secret/none" {
  from_fil = "x.json"
}
kv_secret "/secret/typed/" {
  from_file = "typed.json"
}
jobs = ["missing.nomad.hcl", "bad.nomad.hcl"]
"#,
    );
    let run = bootstrap(&sandbox, dir.path())
        .arg("--yes")
        .run()
        .exit(1)
        .stderr_has("bootstrap.hcl:1: kv_secret \"secret\": give the mount and the secret's path")
        .stderr_has("bootstrap.hcl:5: kv_secret \"secret/typed\":")
        .stderr_has("key \"pin\": expected a string, got a number")
        .stderr_has("key \"nested\": expected a string, got an object")
        .stderr_has("bootstrap.hcl:8: kv_secret \"secret/list\":")
        .stderr_has("expected a JSON object of strings")
        .stderr_has("bootstrap.hcl:11: kv_secret \"secret/broken\":")
        .stderr_has("bootstrap.hcl:14: unknown key \"from_fil\" in the kv_secret block; did you mean \"from_file\"?")
        .stderr_has("bootstrap.hcl:16: kv_secret \"secret/typed\" is given twice (first at line 4)")
        .stderr_has("bootstrap.hcl:19: jobs: cannot check the job file")
        .stderr_has("missing.nomad.hcl")
        .stderr_has("bad.nomad.hcl:")
        .stderr_has("nothing was sent to Vault");
    for value in ["12345", "NESTED-VALUE", "LIST-VALUE", "BROKEN-VALUE"] {
        assert!(
            !run.stderr.contains(value),
            "{value} printed:\n{}",
            run.stderr
        );
    }
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
}

#[test]
fn a_job_that_would_not_get_its_secret_fails_the_bootstrap_with_exit_3() {
    // seed 000 with a secret that lacks principal-id: Vault is set up, but the job's
    // template would render "<no value>"; the check-job finding is the bootstrap's.
    support::sandbox_only("needs an uninitialised Vault");
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let dir = seed_000_copy();
    write_secret_file(
        dir.path(),
        "hashicups-api.json",
        &json!({ "api-key": API_KEY }),
    );
    bootstrap(&sandbox, dir.path())
        .arg("--yes")
        .run()
        .exit(3)
        .stderr_has("the template uses key \"principal-id\" of secret/data/hashicups-api, which the secret does not have (its keys: [api-key])")
        .stderr_has("the job checks found problems: a task would not get its secrets")
        .hides(API_KEY);
    let run = bootstrap(&sandbox, dir.path())
        .args(["--yes", "--format", "json"])
        .run()
        .exit(3);
    let doc = run.json();
    assert_eq!(doc["ok"], json!(false));
    let jobs = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "jobs")
        .cloned()
        .unwrap();
    assert!(
        jobs["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("principal-id"),
        "{jobs}"
    );
    assert_eq!(doc["jobs"]["findings"], jobs["findings"]);
}

#[test]
fn plan_on_a_fresh_vault_cannot_judge_the_secret_or_the_jobs_yet() {
    support::sandbox_only("needs an uninitialised Vault");
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let dir = seed_000_copy();
    bootstrap(&sandbox, dir.path())
        .arg("--plan")
        .run()
        .exit(3)
        .stderr_has("[ ] kv secret: not observable yet")
        .stderr_has("[ ] jobs: not observable yet")
        .hides(API_KEY);
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());
}

#[test]
fn workload_identity_flow_writes_the_kv_secret_and_checks_the_job_with_its_identity() {
    support::sandbox_only("JWT auth against a loopback JWKS server");
    let jwks = vault_sandbox::testing::JwksServer::start_ed25519().unwrap();
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let dir = support::workdir();
    write_secret_file(
        dir.path(),
        "example.json",
        &json!({ "api-key": API_KEY, "principal-id": PRINCIPAL }),
    );
    let job = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jobs/hashicups-wi.nomad.hcl");
    write(
        dir.path(),
        "bootstrap.hcl",
        &format!(
            "workload_identity {{\n  jwks_url = \"{}\"\n}}\nkv_secret \"secret/default/example\" {{\n  from_file = \"example.json\"\n}}\njobs = [{:?}]\n",
            jwks.url(),
            job.display().to_string()
        ),
    );
    let run = bootstrap(&sandbox, dir.path())
        .args(["--yes", "--flow", "workload-identity", "--format", "json"])
        .run()
        .exit(0)
        .hides(API_KEY);
    let doc = run.json();
    assert_eq!(doc["ok"], json!(true), "{doc}");
    let task = &doc["jobs"]["files"][0]["tasks"][0];
    assert_eq!(
        task["token_policies"],
        json!(["default", "nomad-workloads"])
    );
    assert_eq!(task["reads"][0]["model_allows"], json!(true));
    let (status, data) = secret_data(&root_http(&sandbox), "secret/data/default/example");
    assert_eq!(status, 200);
    assert_eq!(data["data"]["api-key"], json!(API_KEY));
}

#[test]
fn a_secret_from_an_environment_variable_is_written_and_never_shown() {
    // A CI secret: the same JSON object of strings, as the variable's value.
    let dir = support::workdir();
    let sandbox = dev_with(
        dir.path(),
        "kv_secret \"secret/app\" {\n  from_env = \"APP_SECRET_JSON\"\n}\n",
    );
    dev_bootstrap(&sandbox, dir.path())
        .env("APP_SECRET_JSON", r#"{"user": "ENV-USER-VALUE"}"#)
        .args(["-v", "--yes"])
        .run()
        .exit(0)
        .stderr_has("write KV v2 secret secret/app from $APP_SECRET_JSON")
        .stderr_has("secret/data/app: created")
        .hides("ENV-USER-VALUE");
    let (_, data) = secret_data(&Http::new(&sandbox.addr(), ROOT_TOKEN), "secret/data/app");
    assert_eq!(data["data"], json!({ "user": "ENV-USER-VALUE" }));
    sandbox.clear_requests();
    dev_bootstrap(&sandbox, dir.path())
        .env("APP_SECRET_JSON", r#"{"user": "ENV-USER-VALUE"}"#)
        .arg("--yes")
        .run()
        .exit(0);
    let writes = support::writes(&sandbox);
    assert!(
        !writes.iter().any(|w| w.contains("/v1/secret/")),
        "{writes:?}"
    );

    // Unset, not JSON, or given with from_file: refused before Vault is asked, no value shown.
    sandbox.clear_requests();
    dev_bootstrap(&sandbox, dir.path())
        .arg("--yes")
        .run()
        .exit(1)
        .stderr_has("bootstrap.hcl:2: kv_secret \"secret/app\": the environment variable APP_SECRET_JSON is not set")
        .stderr_has("nothing was sent to Vault");
    dev_bootstrap(&sandbox, dir.path())
        .env("APP_SECRET_JSON", "user=BROKEN-ENV-VALUE")
        .arg("--yes")
        .run()
        .exit(1)
        .stderr_has("kv_secret \"secret/app\": $APP_SECRET_JSON:")
        .hides("BROKEN-ENV-VALUE");
    write_secret_file(dir.path(), "app.json", &json!({ "user": "F" }));
    write(
        dir.path(),
        "bootstrap.hcl",
        "kv_secret \"secret/app\" {\n  from_file = \"app.json\"\n  from_env  = \"APP_SECRET_JSON\"\n}\nkv_secret \"secret/none\" {\n}\n",
    );
    dev_bootstrap(&sandbox, dir.path())
        .env("APP_SECRET_JSON", r#"{"user": "ENV-USER-VALUE"}"#)
        .arg("--yes")
        .run()
        .exit(1)
        .stderr_has(
            "bootstrap.hcl:3: kv_secret \"secret/app\": give from_file or from_env, not both",
        )
        .stderr_has("bootstrap.hcl:5: kv_secret \"secret/none\" needs from_file = ")
        .stderr_has("or from_env = ")
        .hides("ENV-USER-VALUE");
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
}
