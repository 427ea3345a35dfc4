//! `nvctl doctor`, end to end: the real binary reads real agent configuration files (the seed
//! guide's server and client, and broken variants) and runs Nomad's start-up checks against
//! the Vault **the configuration names**. Vault state is set up from the test's side with plain
//! HTTP, as the seed tutorial does with `vault policy write` / `vault write`. Agent files are
//! written to a temp dir at test time with the fixture's address replaced by the test Vault's.

use crate::support;

use std::path::Path;

use serde_json::{json, Value};
use support::{agent_file, fixture_text, Http, Nvctl, TestVault, FIXTURE_ADDR};

const ROLE: &str = "nomad-cluster";
/// Nothing listens here.
const DEAD_ADDR: &str = "http://127.0.0.1:9";

fn seed_policy_text() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/nomad-server.hcl"
    ))
    .unwrap()
    .replace("{{role}}", ROLE)
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

fn write_role(http: &Http, body: &Value) {
    let (status, _) = http.put(&format!("auth/token/roles/{ROLE}"), body);
    assert!(status == 204 || status == 200, "role write: {status}");
}

fn seed_role() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/roles/nomad-cluster.json"
        ))
        .unwrap(),
    )
    .unwrap()
}

/// The seed's `vault token create -policy nomad-server -period 72h -orphan`, with root.
fn create_token(http: &Http, body: Value) -> String {
    let (status, answer) = http.put("auth/token/create-orphan", &body);
    assert_eq!(status, 200, "token create: {answer}");
    answer["auth"]["client_token"].as_str().unwrap().to_string()
}

fn server_token(http: &Http) -> String {
    create_token(
        http,
        json!({ "policies": ["nomad-server"], "period": "72h" }),
    )
}

/// The seed policy and role, and the servers' token.
fn healthy(vault: &TestVault) -> String {
    let http = Http::of(vault);
    write_policy(&http, "nomad-server", &seed_policy_text());
    write_role(&http, &seed_role());
    server_token(&http)
}

/// nvctl with `VAULT_ADDR` at the test Vault and the servers' token in `VAULT_TOKEN`.
fn doctor(vault: &TestVault, token: &str) -> Nvctl {
    Nvctl::new()
        .env("VAULT_ADDR", &vault.addr())
        .env("VAULT_TOKEN", token)
        .arg("doctor")
}

#[test]
fn seed_server_with_seed_policy_role_and_token_passes() {
    // nomad-rules.md §2: the documented setup passes every start-up check.
    let vault = support::vault();
    let token = healthy(&vault);
    let dir = support::workdir();
    let server = agent_file(dir.path(), "server.hcl", &vault.addr());
    doctor(&vault, &token)
        .arg("--agent-config")
        .arg(&server)
        .run()
        .exit(0)
        .stderr_has("Nomad server agent (legacy token flow)")
        .stdout_has("checking the servers' token from VAULT_TOKEN")
        .hides(&token);
}

#[test]
fn seed_server_json_config_passes_the_same_way() {
    let vault = support::vault();
    let token = healthy(&vault);
    let dir = support::workdir();
    let server = agent_file(dir.path(), "server.json", &vault.addr());
    doctor(&vault, &token)
        .arg("--agent-config")
        .arg(&server)
        .run()
        .exit(0);
}

#[test]
fn token_file_counts_as_the_token_given_to_the_servers() {
    let vault = support::vault();
    let token = healthy(&vault);
    let dir = support::workdir();
    let server = agent_file(dir.path(), "server.hcl", &vault.addr());
    let token_file = dir.path().join("nomad.token");
    std::fs::write(&token_file, &token).unwrap();
    Nvctl::new()
        .env("VAULT_ADDR", &vault.addr())
        .args(["doctor", "--agent-config"])
        .arg(&server)
        .arg("--token-file")
        .arg(&token_file)
        .run()
        .exit(0)
        .stdout_has("from --token-file");
}

#[test]
fn doctor_uses_the_config_address_not_vault_addr() {
    let vault = support::vault();
    let token = healthy(&vault);
    let dir = support::workdir();
    let server = agent_file(dir.path(), "server.hcl", &vault.addr());
    // VAULT_ADDR points at nothing: only the config's address can make this pass.
    Nvctl::new()
        .env("VAULT_ADDR", DEAD_ADDR)
        .env("VAULT_TOKEN", &token)
        .args(["doctor", "--agent-config"])
        .arg(&server)
        .run()
        .exit(0)
        .stdout_has("using the Vault address in the agent configuration")
        .stdout_has(&format!("not VAULT_ADDR {DEAD_ADDR}"));
}

#[test]
fn unreachable_config_address_is_a_finding_with_exit_3() {
    let vault = support::vault();
    let token = healthy(&vault);
    let dir = support::workdir();
    let server = agent_file(dir.path(), "server.hcl", DEAD_ADDR);
    doctor(&vault, &token)
        .args(["--max-retries", "0", "--agent-config"])
        .arg(&server)
        .run()
        .exit(3)
        .stdout_has("connection:")
        .stdout_has("the agent's Vault cannot be used")
        .stdout_has("127.0.0.1:9");
}

#[test]
fn missing_ca_file_is_a_finding_and_vault_is_not_contacted() {
    let vault = support::vault();
    let token = healthy(&vault);
    let dir = support::workdir();
    let text = fixture_text("server.hcl")
        .replace(FIXTURE_ADDR, &vault.addr())
        .replace(
            "create_from_role = \"nomad-cluster\"",
            "create_from_role = \"nomad-cluster\"\n  ca_file          = \"/nonexistent/vault-ca.pem\"",
        );
    let server = dir.path().join("server.hcl");
    std::fs::write(&server, text).unwrap();
    doctor(&vault, &token)
        .arg("--agent-config")
        .arg(&server)
        .run()
        .exit(3)
        .stdout_has("vault.ca_file \"/nonexistent/vault-ca.pem\" does not exist");
}

#[test]
fn role_that_is_not_renewable_disables_the_integration() {
    // nomad-rules.md §2 role rules: `Role must allow tokens to be renewed`.
    let vault = support::vault();
    let token = healthy(&vault);
    let mut role = seed_role();
    role["renewable"] = json!(false);
    write_role(&Http::of(&vault), &role);
    let dir = support::workdir();
    let server = agent_file(dir.path(), "server.hcl", &vault.addr());
    doctor(&vault, &token)
        .arg("--agent-config")
        .arg(&server)
        .run()
        .exit(3)
        .stdout_has("Nomad: Role must allow tokens to be renewed")
        .stderr_has("Nomad would start with its Vault integration disabled");
}

#[test]
fn role_without_a_period_fails_nomads_role_rules() {
    let vault = support::vault();
    let token = healthy(&vault);
    let mut role = seed_role();
    role["token_period"] = json!(0);
    role["token_explicit_max_ttl"] = json!(3600);
    write_role(&Http::of(&vault), &role);
    let dir = support::workdir();
    let server = agent_file(dir.path(), "server.hcl", &vault.addr());
    doctor(&vault, &token)
        .arg("--agent-config")
        .arg(&server)
        .run()
        .exit(3)
        .stdout_has("Role can not use an explicit max ttl. Token must be periodic.")
        .stdout_has("Role must have a non-zero period to make tokens periodic.");
}

#[test]
fn missing_role_is_reported_in_nomads_words() {
    let vault = support::vault();
    let token = healthy(&vault);
    assert_eq!(
        Http::of(&vault)
            .delete(&format!("auth/token/roles/{ROLE}"))
            .0,
        204
    );
    let dir = support::workdir();
    let server = agent_file(dir.path(), "server.hcl", &vault.addr());
    doctor(&vault, &token)
        .arg("--agent-config")
        .arg(&server)
        .run()
        .exit(3)
        .stdout_has("Nomad: Role \"nomad-cluster\" does not exist");
}

#[test]
fn role_flag_overrides_create_from_role_and_its_capabilities_are_checked() {
    // The seed policy only covers nomad-cluster: another role fails rows 4 and 5.
    let vault = support::vault();
    let token = healthy(&vault);
    let dir = support::workdir();
    let server = agent_file(dir.path(), "server.hcl", &vault.addr());
    doctor(&vault, &token)
        .args(["--role", "other-role", "--agent-config"])
        .arg(&server)
        .run()
        .exit(3)
        .stdout_has("token must have one of the following capabilities [\"update\" \"root\"] on \"auth/token/create/other-role\"; has [deny]");
}

#[test]
fn policy_missing_revoke_accessor_fails_the_capability_table() {
    // nomad-rules.md §2 capabilities, row 3.
    let vault = support::vault();
    let http = Http::of(&vault);
    let policy = seed_policy_text();
    let without: String = remove_path_block(&policy, "auth/token/revoke-accessor");
    assert_ne!(without, policy, "the seed policy grants revoke-accessor");
    write_policy(&http, "nomad-server", &without);
    write_role(&http, &seed_role());
    let token = server_token(&http);
    let dir = support::workdir();
    let server = agent_file(dir.path(), "server.hcl", &vault.addr());
    doctor(&vault, &token)
        .arg("--agent-config")
        .arg(&server)
        .run()
        .exit(3)
        .stdout_has("token must have one of the following capabilities [\"update\" \"root\"] on \"auth/token/revoke-accessor\"; has [deny]");
}

/// The policy text without the `path "<path>" { … }` block.
fn remove_path_block(policy: &str, path: &str) -> String {
    let start = policy
        .find(&format!("path \"{path}\""))
        .expect("path block present");
    let end = start + policy[start..].find('}').unwrap() + 1;
    format!("{}{}", &policy[..start], &policy[end..])
}

#[test]
fn non_renewable_server_token_fails_nomads_token_rules() {
    let vault = support::vault();
    healthy(&vault);
    let token = create_token(
        &Http::of(&vault),
        json!({ "policies": ["nomad-server"], "period": "72h", "renewable": false }),
    );
    let dir = support::workdir();
    let server = agent_file(dir.path(), "server.hcl", &vault.addr());
    doctor(&vault, &token)
        .arg("--agent-config")
        .arg(&server)
        .run()
        .exit(3)
        .stdout_has("Vault token is not renewable or root");
}

#[test]
fn ttl_only_server_token_is_flagged_by_nvctl() {
    // nomad-rules.md §6: tokens created with -ttl instead of -period expire.
    let vault = support::vault();
    healthy(&vault);
    let token = create_token(
        &Http::of(&vault),
        json!({ "policies": ["nomad-server"], "ttl": "1h" }),
    );
    let dir = support::workdir();
    let server = agent_file(dir.path(), "server.hcl", &vault.addr());
    doctor(&vault, &token)
        .arg("--agent-config")
        .arg(&server)
        .run()
        .exit(0)
        .stdout_has("nvctl's advice: the server token is not periodic");
}

#[test]
fn typo_create_from_roles_is_an_error_naming_the_key() {
    let vault = support::vault();
    let token = healthy(&vault);
    let dir = support::workdir();
    let server = agent_file(dir.path(), "typo-create-from-roles.hcl", &vault.addr());
    doctor(&vault, &token)
        .arg("--agent-config")
        .arg(&server)
        .run()
        .exit(3)
        .stdout_has("unknown key \"create_from_roles\" in the vault block")
        .stdout_has("did you mean \"create_from_role\"?")
        .stdout_has("typo-create-from-roles.hcl:11");
}

#[test]
fn task_token_ttl_under_5m_means_nomad_refuses_to_start() {
    let vault = support::vault();
    let token = healthy(&vault);
    let dir = support::workdir();
    let server = agent_file(dir.path(), "task-token-ttl-1m.hcl", &vault.addr());
    doctor(&vault, &token)
        .arg("--agent-config")
        .arg(&server)
        .run()
        .exit(3)
        .stdout_has("Nomad: ChildTokenTTL is less than minimum allowed of 5m0s")
        .stdout_has("did not run")
        .stderr_has("Nomad would refuse to start");
}

#[test]
fn server_without_any_token_cannot_start() {
    let vault = support::vault();
    healthy(&vault);
    let dir = support::workdir();
    let server = agent_file(dir.path(), "server.hcl", &vault.addr());
    Nvctl::new()
        .env("VAULT_ADDR", &vault.addr())
        .args(["doctor", "--agent-config"])
        .arg(&server)
        .run()
        .exit(3)
        .stdout_has("Nomad: Vault token must be set");
}

#[test]
fn nomad_1_10_with_a_token_points_at_workload_identity() {
    let dir = support::workdir();
    let server = agent_file(dir.path(), "nomad-1.10-with-token.hcl", FIXTURE_ADDR);
    Nvctl::new()
        .env("VAULT_ADDR", DEAD_ADDR)
        .args(["doctor", "--nomad-version", "1.10.0", "--agent-config"])
        .arg(&server)
        .run()
        .exit(3)
        .stdout_has("flow:")
        .stdout_has("removed the legacy token flow")
        .stdout_has("nvctl bootstrap --flow workload-identity")
        .hides("hvs.fixture-not-a-real-token");
}

#[test]
fn seed_placeholders_are_errors() {
    let dir = support::workdir();
    let server = agent_file(dir.path(), "seed-placeholders.hcl", FIXTURE_ADDR);
    Nvctl::new()
        .env("VAULT_ADDR", DEAD_ADDR)
        .args(["doctor", "--agent-config"])
        .arg(&server)
        .run()
        .exit(3)
        .stdout_has("looks like a placeholder copied from the docs");
}

#[test]
fn seed_client_reaches_its_vault_and_passes() {
    let vault = support::vault();
    let dir = support::workdir();
    let client = agent_file(dir.path(), "client.hcl", &vault.addr());
    Nvctl::new()
        .env("VAULT_ADDR", &vault.addr())
        .args(["doctor", "--agent-config"])
        .arg(&client)
        .run()
        .exit(0)
        .stderr_has("Nomad client agent");
}

#[test]
fn client_carrying_a_token_is_a_warning() {
    let vault = support::vault();
    let dir = support::workdir();
    let client = agent_file(dir.path(), "client-with-token.hcl", &vault.addr());
    Nvctl::new()
        .env("VAULT_ADDR", &vault.addr())
        .args(["doctor", "--agent-config"])
        .arg(&client)
        .run()
        .exit(0)
        .stdout_has("warning")
        .stdout_has("a Nomad client carries a Vault token")
        .hides("hvs.fixture-client-token");
}

#[test]
fn json_form_has_files_roles_flow_and_findings() {
    let vault = support::vault();
    let token = healthy(&vault);
    let dir = support::workdir();
    let server = agent_file(dir.path(), "typo-create-from-roles.hcl", &vault.addr());
    let run = doctor(&vault, &token)
        .args(["--format", "json", "--agent-config"])
        .arg(&server)
        .run()
        .exit(3);
    let doc = run.json();
    assert_eq!(doc["server"], json!(true));
    assert_eq!(doc["client"], json!(false));
    assert_eq!(doc["flow"], json!("legacy"));
    assert_eq!(doc["files"][0], json!(server.display().to_string()));
    let findings = doc["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["severity"] == "error"
        && f["message"]
            .as_str()
            .unwrap()
            .contains("\"create_from_roles\"")));
}

#[test]
fn unparsable_config_is_exit_1() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agent/broken-syntax.hcl");
    Nvctl::new()
        .env("VAULT_ADDR", DEAD_ADDR)
        .args(["doctor", "--agent-config"])
        .arg(&dir)
        .run()
        .exit(1)
        .stderr_has("cannot read the Nomad agent configuration");
}
