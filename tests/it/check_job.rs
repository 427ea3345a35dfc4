//! `nvctl check-job`, end to end: the seed guide's jobs and broken variants, checked by the
//! real binary against the policies and token role in a live Vault (set up from the test's
//! side with plain HTTP, as the guide does with `vault policy write` / `vault write`).

use crate::support;

use std::path::PathBuf;

use serde_json::{json, Value};
use support::{Http, Nvctl, TestVault};

const ROLE: &str = "nomad-cluster";
/// The guide's `access-tables` policy (seeds/001, step 11).
const ACCESS_TABLES: &str = "path \"database/creds/accessdb\" {\n  capabilities = [\"read\"]\n}\n";
/// The blog post's `hashicups-api` policy (seeds/000).
const HASHICUPS_API: &str =
    "path \"secret/data/hashicups-api\" {\n  capabilities = [\"read\"]\n}\n";

fn job(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jobs")
        .join(name)
}

fn write_policy(http: &Http, name: &str, text: &str) {
    assert_eq!(
        http.put(
            &format!("sys/policies/acl/{name}"),
            &json!({ "policy": text })
        )
        .0,
        204
    );
}

fn enable(http: &Http, path: &str, body: Value) {
    let (status, answer) = http.put(&format!("sys/mounts/{path}"), &body);
    assert!(
        status == 204 || status == 200,
        "mount {path}: {status} {answer}"
    );
}

fn write_role(http: &Http, body: &Value) {
    let (status, _) = http.put(&format!("auth/token/roles/{ROLE}"), body);
    assert!(status == 204 || status == 200, "role write: {status}");
}

/// The seed role (`disallowed_policies = "nomad-server"`) and the guide's policies.
fn seed(vault: &TestVault) -> Http {
    let http = Http::of(vault);
    let role: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/roles/nomad-cluster.json"
        ))
        .unwrap(),
    )
    .unwrap();
    write_role(&http, &role);
    // seeds/001: `vault secrets enable database`; seeds/000 relies on the dev server's `secret/`.
    enable(&http, "database", json!({ "type": "database" }));
    // seeds/001 steps 10-11: the connection (not verified: no database behind it here) and
    // the accessdb role with the seed's statement.
    let (status, answer) = http.put(
        "database/config/postgresql",
        &json!({
            "plugin_name": "postgresql-database-plugin",
            "allowed_roles": "accessdb",
            "connection_url": "postgresql://{{username}}:{{password}}@database.service.consul:5432/postgres?sslmode=disable",
            "username": "postgres",
            "password": "postgres123",
            "verify_connection": false,
        }),
    );
    assert_eq!(status, 204, "database connection: {answer}");
    let (status, answer) = http.put(
        "database/roles/accessdb",
        &json!({"db_name": "postgresql", "default_ttl": "1h", "max_ttl": "24h",
                "creation_statements": "GRANT ALL ON SCHEMA public TO \"{{name}}\";"}),
    );
    assert_eq!(status, 204, "database role: {answer}");
    write_policy(&http, "access-tables", ACCESS_TABLES);
    write_policy(&http, "hashicups-api", HASHICUPS_API);
    write_policy(
        &http,
        "nomad-server",
        "path \"auth/token/lookup-self\" {\n  capabilities = [\"read\"]\n}\n",
    );
    http
}

fn check_job(vault: &TestVault) -> Nvctl {
    Nvctl::new().vault(vault).arg("check-job")
}

#[test]
fn seed_web_job_with_seed_role_and_policy_passes() {
    // vault-api.md §5: the seed role only disallows nomad-server, so access-tables + default.
    // The engine side of database/creds/accessdb is checked too: the role exists and the
    // connection's allowed_roles admits it (vault-api-engines.md §3.2, §3.3).
    let vault = support::vault();
    seed(&vault);
    check_job(&vault)
        .arg(job("nomad-vault-demo.nomad.hcl"))
        .arg(job("postgres-nomad-demo.nomad.hcl"))
        .run()
        .exit(0)
        .stdout_lacks("could not be checked")
        .stderr_has("all checks passed");
}

/// The blog post's KV v2 secret (seeds/000 step 4: `vault kv put secret/hashicups-api …`).
const API_KEY_VALUE: &str = "the_api_key_for_hashicups";
const PRINCIPAL_VALUE: &str = "a_random_string_identifying_an_entity";

fn kv_put(http: &Http, data: Value) {
    let (status, answer) = http.put("secret/data/hashicups-api", &json!({ "data": data }));
    assert_eq!(status, 200, "kv put: {answer}");
}

fn seed_000(vault: &TestVault) -> Http {
    let http = seed(vault);
    kv_put(
        &http,
        json!({ "api-key": API_KEY_VALUE, "principal-id": PRINCIPAL_VALUE }),
    );
    http
}

#[test]
fn seed_000_job_reads_its_kv2_secret_and_passes() {
    let vault = support::vault();
    seed_000(&vault);
    let run = check_job(&vault)
        .args(["--format", "json"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(0);
    let doc = run.json();
    assert_eq!(doc["ok"], json!(true), "{doc}");
    let read = &doc["files"][0]["tasks"][0]["reads"][0];
    assert_eq!(read["path"], json!("secret/data/hashicups-api"));
    assert_eq!(read["requested"], json!("secret/data/hashicups-api"));
    assert_eq!(read["mount"], json!("secret/"));
    assert_eq!(read["engine"], json!("KV v2"));
    assert_eq!(read["capability"], json!("read"));
}

#[test]
fn v1_style_policy_path_on_a_kv2_mount_is_denied_in_the_operators_terms() {
    // consul-template vault_read.go:shimKVv2Path inserts data/: the policy must name it.
    let vault = support::vault();
    let http = seed_000(&vault);
    write_policy(
        &http,
        "hashicups-api",
        "path \"secret/hashicups-api\" {\n  capabilities = [\"read\"]\n}\n",
    );
    check_job(&vault)
        .arg(job("hashicups-v1-style-on-v2.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("the policy hashicups-api grants secret/hashicups-api, but the mount secret/ is KV v2: the template reads secret/data/hashicups-api");
}

#[test]
fn key_the_secret_lacks_is_named_and_no_value_is_ever_shown() {
    let vault = support::vault();
    let http = seed(&vault);
    kv_put(&http, json!({ "api-key": API_KEY_VALUE }));
    for format in ["table", "json"] {
        let run = check_job(&vault)
            .args(["-v", "--format", format])
            .arg(job("hashicups-api.nomad.hcl"))
            .run()
            .exit(3)
            .stdout_has("principal-id")
            .stdout_has("which the secret does not have (its keys: [api-key])")
            .stdout_lacks(API_KEY_VALUE)
            .stderr_lacks(API_KEY_VALUE);
        if format == "table" {
            run.stdout_has("hashicups-api.nomad.hcl:21");
        }
    }
}

#[test]
fn key_name_typo_suggests_the_key_the_secret_has() {
    let vault = support::vault();
    seed_000(&vault);
    check_job(&vault)
        .arg(job("hashicups-key-typo.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("the template uses key \"api_key\" of secret/data/hashicups-api")
        .stdout_has("did you mean \"api-key\"?")
        .stdout_lacks(API_KEY_VALUE);
}

#[test]
fn data_data_on_a_kv1_mount_is_reported() {
    let vault = support::vault();
    let http = seed(&vault);
    enable(&http, "kv", json!({ "type": "kv" }));
    let (status, _) = http.put(
        "kv/hashicups-api",
        &json!({ "api-key": API_KEY_VALUE, "principal-id": PRINCIPAL_VALUE }),
    );
    assert_eq!(status, 204);
    write_policy(
        &http,
        "hashicups-api",
        "path \"kv/hashicups-api\" {\n  capabilities = [\"read\"]\n}\n",
    );
    let run = check_job(&vault)
        .arg(job("hashicups-kv1-data-data.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("index .Data.data \"api-key\" reads .Data.data, but kv/ is a KV v1 mount")
        .stdout_has("{{ index .Data \"api-key\" }}");
    run.stdout_lacks("will be denied");
}

#[test]
fn data_key_on_a_kv2_mount_and_hyphenated_field_are_reported() {
    // The template's path lacks data/ (consul-template adds it, and the seed policy grants
    // that), but it reads .Data.api-key (KV v1 style) and .Data.data.principal-id, which Go
    // templates cannot parse.
    let vault = support::vault();
    seed_000(&vault);
    check_job(&vault)
        .arg(job("hashicups-v1-style-on-v2.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("reads .Data.api-key, but secret/ is a KV v2 mount: the secret's keys are under .Data.data")
        .stdout_has(".Data.data.principal-id: a Go template field name cannot contain \"-\"")
        .stdout_lacks("will be denied");
}

#[test]
fn secret_never_written_is_reported_in_consul_templates_words() {
    let vault = support::vault();
    seed(&vault);
    check_job(&vault)
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("consul-template fails with \"no secret exists at secret/data/hashicups-api\"");
}

#[test]
fn template_path_under_no_mount_is_reported() {
    let vault = support::vault();
    let http = seed(&vault);
    write_policy(
        &http,
        "hashicups-api",
        "path \"kv/hashicups-api\" {\n  capabilities = [\"read\"]\n}\n",
    );
    check_job(&vault)
        .arg(job("hashicups-kv1-data-data.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("no secrets engine is mounted at kv/");
}

#[test]
fn json_lists_the_task_token_policies() {
    let vault = support::vault();
    seed(&vault);
    let run = check_job(&vault)
        .args(["--format", "json"])
        .arg(job("nomad-vault-demo.nomad.hcl"))
        .run()
        .exit(0);
    let doc = run.json();
    assert_eq!(doc["ok"], json!(true));
    assert_eq!(doc["role"], json!(ROLE));
    let task = &doc["files"][0]["tasks"][0];
    assert_eq!(task["job"], json!("nomad-vault-demo"));
    assert_eq!(task["task"], json!("server"));
    assert_eq!(task["policies"], json!(["access-tables"]));
    assert_eq!(task["token_policies"], json!(["access-tables", "default"]));
}

#[test]
fn template_path_the_policy_does_not_grant_is_denied() {
    let vault = support::vault();
    seed(&vault);
    check_job(&vault)
        .arg(job("hashicups-wrong-policy.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("template secret \"secret/data/hashicups-api\" will be denied")
        .stdout_has("[access-tables default]")
        .stdout_has("hashicups-wrong-policy.nomad.hcl:18");
}

#[test]
fn write_style_secret_needs_update_not_read() {
    let vault = support::vault();
    let http = seed(&vault);
    enable(&http, "pki", json!({ "type": "pki" }));
    write_policy(
        &http,
        "pki-read-only",
        "path \"pki/issue/web\" {\n  capabilities = [\"read\"]\n}\n",
    );
    check_job(&vault)
        .arg(job("write-style-secret.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("template secret (write) \"pki/issue/web\" will be denied")
        .stdout_has("not \"update\"");
    write_policy(
        &http,
        "pki-read-only",
        "path \"pki/issue/*\" {\n  capabilities = [\"update\"]\n}\n",
    );
    check_job(&vault)
        .arg(job("write-style-secret.nomad.hcl"))
        .run()
        .exit(0);
}

#[test]
fn job_asking_for_a_disallowed_policy_fails_at_runtime_in_vaults_words() {
    let vault = support::vault();
    seed(&vault);
    check_job(&vault)
        .arg(job("asks-for-nomad-server.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("Vault: token policy \"nomad-server\" is disallowed by this role")
        .stdout_has("the allocation will fail at run time");
}

#[test]
fn policy_outside_the_roles_allowed_list_is_refused() {
    let vault = support::vault();
    let http = seed(&vault);
    write_role(
        &http,
        &json!({ "allowed_policies": "hashicups-api", "orphan": true, "token_period": "72h", "renewable": true }),
    );
    check_job(&vault)
        .arg(job("nomad-vault-demo.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("token policies ([\"access-tables\" \"default\"]) must be subset of the role's allowed policies ([\"default\" \"hashicups-api\"]) or glob policies ([])");
}

#[test]
fn missing_policy_is_reported() {
    let vault = support::vault();
    let http = seed(&vault);
    assert_eq!(http.delete("sys/policies/acl/access-tables").0, 204);
    check_job(&vault)
        .arg(job("nomad-vault-demo.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("Policy \"access-tables\" does not exist")
        // With the policy gone, the template's read is denied too.
        .stdout_has("template secret \"database/creds/accessdb\" will be denied");
}

#[test]
fn unknown_role_is_reported_in_vaults_words() {
    let vault = support::vault();
    seed(&vault);
    check_job(&vault)
        .args(["--role", "no-such-role"])
        .arg(job("nomad-vault-demo.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("unknown role no-such-role");
}

#[test]
fn root_policy_is_refused_in_nomads_words() {
    let vault = support::vault();
    seed(&vault);
    check_job(&vault)
        .arg(job("root-policy.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("Nomad: Can not specify \"root\" policy");
}

#[test]
fn change_mode_signal_without_signal_is_nomads_error() {
    let vault = support::vault();
    seed(&vault);
    check_job(&vault)
        .arg(job("signal-without-signal.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("Signal must be specified when using change mode \"signal\"");
}

#[test]
fn seed_hashicups_job_without_vault_block_gets_no_token() {
    let vault = support::vault();
    seed(&vault);
    check_job(&vault)
        .arg(job("hashicups-example.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("has no vault block at task, group or job level");
}

#[test]
fn interpolated_policies_are_not_checkable_never_guessed() {
    let vault = support::vault();
    seed(&vault);
    check_job(&vault)
        .arg(job("interpolated-policy.nomad.hcl"))
        .run()
        .exit(0)
        .stdout_has("not checkable")
        .stdout_lacks("access-tables");
}

#[test]
fn unreachable_vault_is_exit_2() {
    Nvctl::new()
        .env("VAULT_ADDR", "http://127.0.0.1:9")
        .env("VAULT_TOKEN", "t")
        .args(["--max-retries", "0", "check-job"])
        .arg(job("nomad-vault-demo.nomad.hcl"))
        .run()
        .exit(2)
        .stderr_has("connection refused by http://127.0.0.1:9")
        .stderr_has("is Vault running at http://127.0.0.1:9?");
}

#[test]
fn unreadable_job_file_is_exit_1() {
    let vault = support::vault();
    check_job(&vault)
        .arg(job("no-such-job.nomad.hcl"))
        .run()
        .exit(1)
        .stderr_has("no-such-job.nomad.hcl: No such file or directory");
}

// --rehearse: Vault's own verdict with a real task token (nomad/vault.go CreateToken asks
// auth/token/create/<role>; vault-api.md §7 sys/capabilities-self).

fn assert_revoked(http: &Http, accessor: &Value) {
    let accessor = accessor.as_str().expect("accessor in the rehearsal");
    let (status, body) = http.put(
        "auth/token/lookup-accessor",
        &json!({ "accessor": accessor }),
    );
    assert_eq!(status, 400, "rehearsal token still alive: {body}");
}

#[test]
fn rehearsed_seed_000_job_gets_its_token_and_read_and_the_token_is_revoked() {
    let vault = support::vault();
    let http = seed_000(&vault);
    let run = check_job(&vault)
        .args(["--rehearse", "--format", "json"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(0);
    let doc = run.json();
    assert_eq!(doc["rehearsed"], json!(true));
    let task = &doc["files"][0]["tasks"][0];
    assert_eq!(task["rehearsal"]["outcome"], json!("created"), "{task}");
    assert_eq!(
        task["rehearsal"]["token_policies"],
        json!(["default", "hashicups-api"])
    );
    assert_eq!(task["reads"][0]["vault_capabilities"], json!(["read"]));
    assert_eq!(task["reads"][0]["model_allows"], json!(true));
    assert_revoked(&http, &task["rehearsal"]["accessor"]);
}

#[test]
fn rehearsal_of_a_policy_the_role_does_not_allow_is_refused_in_vaults_words() {
    let vault = support::vault();
    let http = seed_000(&vault);
    write_role(
        &http,
        &json!({ "allowed_policies": "access-tables", "orphan": true, "token_period": "72h", "renewable": true }),
    );
    let run = check_job(&vault)
        .args(["--rehearse", "--format", "json"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(3);
    let doc = run.json();
    let rehearsal = &doc["files"][0]["tasks"][0]["rehearsal"];
    assert_eq!(rehearsal["outcome"], json!("refused"));
    let vault_says = rehearsal["vault_error"].as_str().unwrap_or_default();
    assert!(
        vault_says.contains("must be subset of the role's allowed policies"),
        "{vault_says}"
    );
    // nvctl's model said the same, so one finding carries Vault's words, not two.
    let findings = doc["findings"].as_array().unwrap();
    let refusals = findings
        .iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .unwrap_or_default()
                .contains("must be subset")
        })
        .count();
    assert_eq!(refusals, 1, "{findings:?}");
    assert_eq!(findings[0]["source"], json!("vault"));
}

#[test]
fn rehearsal_confirms_the_v1_style_policy_denial() {
    let vault = support::vault();
    let http = seed_000(&vault);
    write_policy(
        &http,
        "hashicups-api",
        "path \"secret/hashicups-api\" {\n  capabilities = [\"read\"]\n}\n",
    );
    let run = check_job(&vault)
        .args(["--rehearse", "--format", "json"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(3);
    let doc = run.json();
    let task = &doc["files"][0]["tasks"][0];
    assert_eq!(
        task["reads"][0]["requested"],
        json!("secret/data/hashicups-api")
    );
    assert_eq!(task["reads"][0]["vault_capabilities"], json!(["deny"]));
    assert_eq!(task["reads"][0]["model_allows"], json!(false));
    assert_revoked(&http, &task["rehearsal"]["accessor"]);
}

#[test]
fn nomad_creds_need_the_engine_role_at_role_singular() {
    // vault-api-engines.md §5.3/§5.4: the role lives at nomad/role/:name; creds of a missing
    // role → 400 `role "x" not found` (path_creds_create.go:pathTokenRead).
    let vault = support::vault();
    let http = seed(&vault);
    enable(&http, "nomad", json!({ "type": "nomad" }));
    write_policy(
        &http,
        "nomad-deployer",
        "path \"nomad/creds/deployer\" {\n  capabilities = [\"read\"]\n}\n",
    );
    check_job(&vault)
        .arg(job("nomad-creds.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("Vault: role \"deployer\" not found")
        .stdout_has("nomad/role/deployer");
    let (status, body) = http.put("nomad/role/deployer", &json!({ "policies": "deploy" }));
    assert!(status == 204 || status == 200, "{status} {body}");
    check_job(&vault)
        .arg(job("nomad-creds.nomad.hcl"))
        .run()
        .exit(0)
        .stderr_has("all checks passed");
}

#[test]
fn operator_token_without_sys_mounts_finds_each_mount_through_the_preflight() {
    // consul-template's own pre-flight, sys/internal/ui/mounts/<path> (vault-api-engines.md
    // §1, logical_system.go:pathInternalUIMountRead), answers for any token with access under
    // the mount, where GET sys/mounts needs a grant on sys/mounts.
    let vault = support::vault();
    let http = seed_000(&vault);
    write_policy(
        &http,
        "job-checker",
        concat!(
            "path \"sys/policies/acl/*\" {\n  capabilities = [\"read\"]\n}\n",
            "path \"auth/token/roles/*\" {\n  capabilities = [\"read\"]\n}\n",
            "path \"secret/data/*\" {\n  capabilities = [\"read\"]\n}\n",
        ),
    );
    let (status, created) = http.put(
        "auth/token/create",
        &json!({ "policies": ["job-checker"], "ttl": "10m" }),
    );
    assert_eq!(status, 200, "{created}");
    let token = created["auth"]["client_token"].as_str().unwrap().to_owned();
    let run = Nvctl::new()
        .env("VAULT_ADDR", &vault.addr())
        .env("VAULT_TOKEN", &token)
        .args(["check-job", "--format", "json"])
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(0);
    let doc = run.json();
    let read = &doc["files"][0]["tasks"][0]["reads"][0];
    assert_eq!(read["mount"], json!("secret/"), "{doc}");
    assert_eq!(read["engine"], json!("KV v2"));
    assert_eq!(read["requested"], json!("secret/data/hashicups-api"));
}

#[test]
fn missing_database_role_is_vaults_unknown_role() {
    // vault-api-engines.md §3.4 (path_creds_create.go:pathCredsCreateRead): creds of a role
    // that does not exist → 400 `unknown role: accessdb`.
    let vault = support::vault();
    let http = seed(&vault);
    assert_eq!(http.delete("database/roles/accessdb").0, 204);
    check_job(&vault)
        .arg(job("nomad-vault-demo.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("nomad-vault-demo.nomad.hcl:28] Vault: unknown role: accessdb");
}

#[test]
fn connection_not_allowing_the_role_is_vaults_not_an_allowed_role() {
    // §3.1/§3.4: allowed_roles defaults to none; globs match; "*" is every role.
    let vault = support::vault();
    let http = seed(&vault);
    let allow = |roles: &str| {
        let (status, answer) = http.put(
            "database/config/postgresql",
            &json!({ "plugin_name": "postgresql-database-plugin", "allowed_roles": roles, "verify_connection": false,
                     "connection_url": "postgresql://{{username}}:{{password}}@database.service.consul:5432/postgres",
                     "username": "postgres", "password": "postgres123" }),
        );
        assert!(status == 204 || status == 200, "{answer}");
    };
    allow("readonly");
    check_job(&vault)
        .arg(job("nomad-vault-demo.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("Vault: \"accessdb\" is not an allowed role")
        .stdout_has("add accessdb to its allowed_roles");
    allow("access*");
    check_job(&vault)
        .arg(job("nomad-vault-demo.nomad.hcl"))
        .run()
        .exit(0);
}

// Workload identity: the role's templated policy rendered with the task identity's claims
// (nomad structs.IdentityClaims: nomad_namespace, nomad_job_id, nomad_task) on the mount's
// accessor; vault policy.go skips a path whose template cannot be filled.

/// A jwt auth method at jwt-nomad/ with `nomad setup vault`'s role, and its policy templated
/// on `templated_on` (the mount's own accessor when `None`). Returns the real accessor.
fn workload_identity(http: &Http, templated_on: Option<&str>) -> String {
    let (status, body) = http.put("sys/auth/jwt-nomad", &json!({ "type": "jwt" }));
    assert!(status == 204 || status == 200, "{body}");
    let (_, auths) = http.get("sys/auth");
    let accessor = auths["data"]["jwt-nomad/"]["accessor"]
        .as_str()
        .expect("accessor")
        .to_owned();
    let on = templated_on.unwrap_or(&accessor);
    let ns = format!("{{{{identity.entity.aliases.{on}.metadata.nomad_namespace}}}}");
    let job = format!("{{{{identity.entity.aliases.{on}.metadata.nomad_job_id}}}}");
    write_policy(
        http,
        "nomad-workloads",
        &format!("path \"secret/data/{ns}/{job}\" {{\n  capabilities = [\"read\"]\n}}\n"),
    );
    let (status, body) = http.put(
        "auth/jwt-nomad/role/nomad-workloads",
        &json!({
            "role_type": "jwt",
            "bound_audiences": ["vault.io"],
            "user_claim": "/nomad_job_id",
            "user_claim_json_pointer": true,
            "claim_mappings": { "nomad_namespace": "nomad_namespace", "nomad_job_id": "nomad_job_id", "nomad_task": "nomad_task" },
            "token_type": "service",
            "token_policies": ["nomad-workloads"],
            "token_period": "30m",
        }),
    );
    assert!(status == 204 || status == 200, "{body}");
    let (status, body) = http.put(
        "secret/data/default/example",
        &json!({ "data": { "api-key": API_KEY_VALUE, "principal-id": PRINCIPAL_VALUE } }),
    );
    assert_eq!(status, 200, "{body}");
    accessor
}

#[test]
fn workload_identity_task_reads_its_own_path_through_the_templated_policy() {
    let vault = support::vault();
    let http = Http::of(&vault);
    workload_identity(&http, None);
    let run = check_job(&vault)
        .args(["--flow", "workload-identity", "--format", "json"])
        .arg(job("hashicups-wi.nomad.hcl"))
        .run()
        .exit(0);
    let doc = run.json();
    let task = &doc["files"][0]["tasks"][0];
    assert_eq!(
        task["token_policies"],
        json!(["default", "nomad-workloads"]),
        "{doc}"
    );
    assert_eq!(task["reads"][0]["model_allows"], json!(true));
}

#[test]
fn workload_identity_accessor_mismatch_is_caught_before_a_403() {
    let vault = support::vault();
    let http = Http::of(&vault);
    let accessor = workload_identity(&http, Some("auth_jwt_0ld00000"));
    check_job(&vault)
        .args(["--flow", "workload-identity"])
        .arg(job("hashicups-wi.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("template secret \"secret/data/default/example\" will be denied")
        .stdout_has(&format!("accessor mismatch: policy nomad-workloads is templated on auth_jwt_0ld00000, but this task's identity logs in through auth/jwt-nomad/ ({accessor})"));
}

#[test]
fn workload_identity_claims_carry_the_jobs_own_namespace() {
    // nomad structs.IdentityClaims: nomad_namespace is the job's namespace (jobspec2: the
    // job's `namespace` attribute), so nomad setup vault's policy grants secret/data/prod/….
    let vault = support::vault();
    let http = Http::of(&vault);
    workload_identity(&http, None);
    let (status, body) = http.put(
        "secret/data/prod/example",
        &json!({ "data": { "api-key": API_KEY_VALUE } }),
    );
    assert_eq!(status, 200, "{body}");
    let run = check_job(&vault)
        .args(["--flow", "workload-identity", "--format", "json"])
        .arg(job("hashicups-wi-prod.nomad.hcl"))
        .run()
        .exit(0);
    let doc = run.json();
    assert_eq!(
        doc["files"][0]["tasks"][0]["reads"][0]["model_allows"],
        json!(true),
        "{doc}"
    );
    // Taken as `default` (as before the namespace was read), the claim would render
    // secret/data/default/example and deny this read; a job without a namespace still is.
    check_job(&vault)
        .args(["--flow", "workload-identity"])
        .arg(job("hashicups-wi.nomad.hcl"))
        .run()
        .exit(0);
}

#[test]
fn a_pinned_kv_version_is_the_one_whose_keys_are_checked() {
    // consul-template sends ?version=N with the read (vault_read.go: ReadWithData with the
    // query values); version 1 lacks principal-id, version 2 has it.
    let vault = support::vault();
    let http = seed(&vault);
    kv_put(&http, json!({ "api-key": API_KEY_VALUE }));
    kv_put(
        &http,
        json!({ "api-key": API_KEY_VALUE, "principal-id": PRINCIPAL_VALUE }),
    );
    check_job(&vault)
        .arg(job("hashicups-versioned.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("the template uses key \"principal-id\" of secret/data/hashicups-api (version 1), which the secret does not have (its keys: [api-key])")
        .stdout_lacks(API_KEY_VALUE);
    // The latest version has the key: without the pin the same read passes.
    check_job(&vault)
        .arg(job("hashicups-api.nomad.hcl"))
        .run()
        .exit(0);
    // A deleted version is missing to consul-template (vault_read.go:deletedKVv2).
    let (status, body) = http.put("secret/delete/hashicups-api", &json!({ "versions": [1] }));
    assert!(status == 204 || status == 200, "{status} {body}");
    check_job(&vault)
        .arg(job("hashicups-versioned.nomad.hcl"))
        .run()
        .exit(3)
        .stdout_has("nothing is stored there (version 1 does not exist, or is deleted)");
}

// `check-job --nomad-addr`: the jobs registered in a running Nomad (the Nomad sandbox), in
// Nomad's JSON job format (hashicorp/nomad api/tasks.go: Task.Vault, Task.Templates with
// EmbeddedTmpl), judged by the same checks as job files and named `nomad:<namespace>/<id>`.
mod registered {
    use super::*;

    use nomad_sandbox::{NomadSandbox, NomadSandboxHandle};

    /// The job of hashicups-api.nomad.hcl / hashicups-wrong-policy.nomad.hcl as the Nomad CLI
    /// submits it (`nomad job run` → api.Job JSON): the task's vault policies and template.
    fn hashicups(policies: &[&str]) -> Value {
        json!({
            "ID": "example", "Name": "example", "Type": "service", "Datacenters": ["dc1"],
            "TaskGroups": [{"Name": "example", "Count": 1, "Tasks": [{
                "Name": "demo", "Driver": "docker",
                "Config": {"image": "devopsrob/nomad-vault-integration:1.1.0"},
                "Vault": {"Policies": policies},
                "Templates": [{
                    "DestPath": "${NOMAD_SECRETS_DIR}/env.vars", "Envvars": true, "ChangeMode": "restart",
                    "EmbeddedTmpl": "SECRET_ONE = \"{{with secret \"secret/data/hashicups-api\"}}{{index .Data.data \"api-key\"}}{{end}}\"\n"
                }]
            }]}]
        })
    }

    fn nomad_with(jobs: &[Value]) -> NomadSandboxHandle {
        let nomad = NomadSandbox::builder()
            .bootstrapped()
            .start()
            .expect("start the Nomad sandbox");
        for job in jobs {
            nomad.register_job(job).expect("register the job");
        }
        nomad
    }

    fn check_registered(vault: &TestVault, nomad: &NomadSandboxHandle) -> Nvctl {
        check_job(vault)
            .env("NOMAD_TOKEN", &nomad.management_token().unwrap())
            .arg("--nomad-addr")
            .arg(nomad.addr())
    }

    /// Every finding's severity and message, with where the task was found (`at`: the file's
    /// line there, `nomad:<namespace>/<id>` here) written as `AT`.
    fn messages(doc: &Value, at: &str) -> Vec<(Value, String)> {
        let mut found: Vec<(Value, String)> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let message = f["message"].as_str().unwrap_or_default();
                (f["severity"].clone(), message.replace(at, "AT"))
            })
            .collect();
        found.sort_by_key(|(s, m)| format!("{s}{m}"));
        found
    }

    #[test]
    fn a_registered_job_whose_policy_grants_its_secret_passes() {
        let vault = support::vault();
        seed_000(&vault);
        write_policy(&Http::of(&vault), "hashicups-api", HASHICUPS_API);
        let nomad = nomad_with(&[hashicups(&["hashicups-api"])]);
        let run = check_registered(&vault, &nomad)
            .args(["--format", "json"])
            .run()
            .exit(0);
        let doc = run.json();
        assert_eq!(doc["ok"], json!(true), "{doc}");
        assert_eq!(doc["files"][0]["file"], json!("nomad:default/example"));
        let read = &doc["files"][0]["tasks"][0]["reads"][0];
        assert_eq!(read["path"], json!("secret/data/hashicups-api"), "{doc}");
        assert_eq!(read["engine"], json!("KV v2"));
        check_registered(&vault, &nomad)
            .arg("example")
            .run()
            .exit(0)
            .stderr_has("all checks passed");
    }

    #[test]
    fn a_registered_job_whose_policy_lacks_the_path_gets_the_files_finding() {
        let vault = support::vault();
        let http = seed_000(&vault);
        write_policy(&http, "access-tables", ACCESS_TABLES);
        let nomad = nomad_with(&[hashicups(&["access-tables"])]);
        check_registered(&vault, &nomad)
            .run()
            .exit(3)
            .stdout_has("template secret \"secret/data/hashicups-api\" will be denied")
            .stdout_has("[access-tables default]")
            .stdout_has("nomad:default/example");
        // The same words as for the job file the registered job was submitted from.
        let from_nomad = check_registered(&vault, &nomad)
            .args(["--format", "json"])
            .run()
            .exit(3)
            .json();
        let from_file = check_job(&vault)
            .args(["--format", "json"])
            .arg(job("hashicups-wrong-policy.nomad.hcl"))
            .run()
            .exit(3)
            .json();
        let file_task = format!("{}:7", job("hashicups-wrong-policy.nomad.hcl").display());
        assert!(!messages(&from_nomad, "nomad:default/example").is_empty());
        assert_eq!(
            messages(&from_nomad, "nomad:default/example"),
            messages(&from_file, &file_task)
        );
    }

    #[test]
    fn a_token_file_is_read_and_only_the_named_job_is_checked() {
        let vault = support::vault();
        let http = seed_000(&vault);
        write_policy(&http, "hashicups-api", HASHICUPS_API);
        write_policy(&http, "access-tables", ACCESS_TABLES);
        let mut broken = hashicups(&["access-tables"]);
        broken["ID"] = json!("broken");
        broken["Name"] = json!("broken");
        let nomad = nomad_with(&[hashicups(&["hashicups-api"]), broken]);
        let dir = support::workdir();
        let token_file = dir.path().join("nomad.token");
        std::fs::write(&token_file, nomad.management_token().unwrap()).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let with_token_file = || {
            check_job(&vault)
                .env_remove("NOMAD_TOKEN")
                .arg("--nomad-addr")
                .arg(nomad.addr())
                .arg("--nomad-token-file")
                .arg(&token_file)
        };
        let run = with_token_file()
            .args(["--format", "json", "example"])
            .run()
            .exit(0);
        let files: Vec<Value> = run.json()["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["file"].clone())
            .collect();
        assert_eq!(files, vec![json!("nomad:default/example")]);
        // Every registered job when none is named: the broken one fails the run.
        with_token_file()
            .run()
            .exit(3)
            .stdout_has("nomad:default/broken");
        // A token file others can read is refused before anything is sent.
        std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        with_token_file()
            .run()
            .exit(1)
            .stderr_has("is readable by others (mode 644)")
            .hides(&nomad.management_token().unwrap());
    }

    /// A Nomad behind TLS with a private CA (the sandbox's TLS test endpoint stands in: it is
    /// not a Nomad, so a good handshake ends in its 404): without the CA the handshake fails,
    /// naming check-job's own flags; with --nomad-ca-cert or NOMAD_CACERT it succeeds.
    #[test]
    fn a_nomad_behind_tls_is_reached_with_its_ca_from_the_flag_or_nomad_cacert() {
        let vault = support::vault();
        let server = vault_sandbox::testing::JwksServer::start_ed25519_tls().expect("TLS server");
        let dir = support::workdir();
        let ca = dir.path().join("nomad-ca.pem");
        std::fs::write(&ca, server.ca_pem().expect("a CA")).unwrap();
        check_job(&vault)
            .env("NOMAD_TOKEN", "some-token")
            .env_remove("NOMAD_CACERT")
            .args(["--nomad-addr", &server.base_url()])
            .run()
            .exit(2)
            .stderr_has(&format!("TLS handshake with Nomad at {} failed", server.base_url()))
            .stderr_has("check --nomad-ca-cert/NOMAD_CACERT, --nomad-client-cert/NOMAD_CLIENT_CERT and --nomad-client-key/NOMAD_CLIENT_KEY")
            .hides("some-token");
        for nvctl in [
            check_job(&vault).arg("--nomad-ca-cert").arg(&ca),
            check_job(&vault).env("NOMAD_CACERT", ca.to_str().unwrap()),
        ] {
            nvctl
                .env("NOMAD_TOKEN", "some-token")
                .args(["--nomad-addr", &server.base_url()])
                .run()
                .exit(2)
                .stderr_lacks("TLS handshake")
                .stderr_has("/v1/jobs")
                .hides("some-token");
        }
    }

    #[test]
    fn an_unreachable_nomad_is_exit_2_naming_its_address() {
        let vault = support::vault();
        check_job(&vault)
            .env("NOMAD_TOKEN", "some-token")
            .args(["--nomad-addr", "http://127.0.0.1:9"])
            .run()
            .exit(2)
            .stderr_has("cannot connect to Nomad at http://127.0.0.1:9")
            .hides("some-token");
    }

    /// No token is the anonymous token, refused `list-jobs`; an unknown secret is refused too
    /// (the sandbox's Nomad 1.9.7 answers both `Permission denied`, 403 — structs.go
    /// ErrPermissionDenied as command/agent/http.go writes it). Either way exit 2, the
    /// token never shown.
    #[test]
    fn a_missing_or_unknown_token_gets_nomads_403_words_and_exit_2() {
        let vault = support::vault();
        let nomad = nomad_with(&[hashicups(&["hashicups-api"])]);
        check_job(&vault)
            .env_remove("NOMAD_TOKEN")
            .arg("--nomad-addr")
            .arg(nomad.addr())
            .run()
            .exit(2)
            .stderr_has("with 403: Permission denied")
            .stderr_has("no Nomad token was given: set NOMAD_TOKEN or --nomad-token-file");
        check_job(&vault)
            .env("NOMAD_TOKEN", "6e9e0b6d-0000-4000-8000-000000000000")
            .arg("--nomad-addr")
            .arg(nomad.addr())
            .run()
            .exit(2)
            .stderr_has("with 403: Permission denied")
            .hides("6e9e0b6d-0000-4000-8000-000000000000");
    }

    /// A Nomad (or namespace) without jobs: said, never "all checks passed" over nothing.
    #[test]
    fn a_nomad_without_jobs_says_nothing_was_checked() {
        let vault = support::vault();
        let nomad = nomad_with(&[]);
        check_registered(&vault, &nomad)
            .run()
            .exit(0)
            .stderr_has(&format!(
                "no job is registered in Nomad at {} (namespace \"*\"): nothing was checked",
                nomad.addr()
            ))
            .stderr_lacks("all checks passed");
    }

    /// `-v` logs the requests to Nomad as it logs Vault's, never the token.
    #[test]
    fn verbose_logs_the_requests_to_nomad_too() {
        let vault = support::vault();
        let nomad = nomad_with(&[hashicups(&["hashicups-api"])]);
        let token = nomad.management_token().unwrap();
        check_registered(&vault, &nomad)
            .arg("-v")
            .run()
            .stderr_has(&format!(
                "GET /v1/jobs?namespace=* → 200 (attempt 1, node {}",
                nomad.addr()
            ))
            .stderr_has("GET /v1/job/example?namespace=default → 200")
            .hides(&token);
    }

    /// A `user:password@` in the address is never printed.
    #[test]
    fn credentials_in_the_nomad_address_are_never_printed() {
        let vault = support::vault();
        let nomad = nomad_with(&[]);
        let address = nomad.addr().replace("http://", "http://ops:nomad-pa55@");
        check_job(&vault)
            .env("NOMAD_TOKEN", &nomad.management_token().unwrap())
            .args(["--nomad-addr", &address])
            .run()
            .stderr_has("no job is registered in Nomad at http://***@")
            .hides("nomad-pa55");
    }

    #[test]
    fn a_job_id_nomad_does_not_have_is_named() {
        let vault = support::vault();
        let nomad = nomad_with(&[hashicups(&["hashicups-api"])]);
        check_registered(&vault, &nomad)
            .arg("no-such-job")
            .run()
            .exit(1)
            .stderr_has(&format!(
                "no job \"no-such-job\" is registered in Nomad at {} (namespace \"*\")",
                nomad.addr()
            ));
    }
}
