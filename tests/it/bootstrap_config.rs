//! `nvctl bootstrap --config FILE`: the whole configuration is checked before Vault is
//! touched, every problem reported at once with `file:line`, exit 1.

use crate::support;

use std::path::Path;

use support::Nvctl;
use vault_sandbox::Sandbox;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn every_config_error_is_reported_at_once_with_its_line_and_nothing_is_sent() {
    support::sandbox_only("counts the requests Vault received");
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let dir = support::workdir();
    let config = write(
        dir.path(),
        "bootstrap.hcl",
        r#"init {
  key_share     = 5
  key_threshold = 7
}
role {
  period = "72hours"
}
stanza {
  task_token_ttl = "1m"
}
token {
  period = true
}
job_policy "access-tables" {
  file = "missing.hcl"
}
"#,
    );
    let run = Nvctl::new()
        .sandbox(&sandbox)
        .args(["bootstrap", "--yes", "--config"])
        .arg(&config)
        .run()
        .exit(1)
        .stderr_has("bootstrap.hcl:2: unknown key \"key_share\" in the init block; did you mean \"key_shares\"?")
        .stderr_has("bootstrap.hcl:3: invalid seal configuration: threshold cannot be larger than shares (7 > 5)")
        .stderr_has("bootstrap.hcl:6: role period: invalid duration \"72hours\"")
        .stderr_has("bootstrap.hcl:9: task_token_ttl \"1m\": ChildTokenTTL is less than minimum allowed of 5m0s")
        .stderr_has("bootstrap.hcl:12: token.period: expected a duration such as \"72h\", got a boolean")
        .stderr_has("bootstrap.hcl:15: job policy \"access-tables\": cannot read")
        .stderr_has("nothing was sent to Vault");
    assert!(run.stderr.contains("(6 problems)"), "{}", run.stderr);
    assert!(
        sandbox.requests().is_empty(),
        "Vault was contacted: {:?}",
        sandbox.requests()
    );
}

#[test]
fn flags_override_the_file_and_their_errors_name_the_flag() {
    let dir = support::workdir();
    let config = write(
        dir.path(),
        "bootstrap.hcl",
        "init {\n  key_shares = 3\n  key_threshold = 2\n}\n",
    );
    // The flag replaces the file's threshold, so the error is the flag's.
    Nvctl::new()
        .env("VAULT_ADDR", "http://127.0.0.1:1")
        .args(["bootstrap", "--yes", "--key-threshold", "4", "--config"])
        .arg(&config)
        .run()
        .exit(1)
        .stderr_has("--key-threshold: invalid seal configuration: threshold cannot be larger than shares (4 > 3)");
}

#[test]
fn hcl_syntax_errors_and_unknown_blocks_carry_their_line() {
    let dir = support::workdir();
    let broken = write(dir.path(), "broken.hcl", "vault {\n  address = \n}\n");
    Nvctl::new()
        .env("VAULT_ADDR", "http://127.0.0.1:1")
        .args(["bootstrap", "--plan", "--config"])
        .arg(&broken)
        .run()
        .exit(1)
        .stderr_has("broken.hcl:")
        .stderr_has("HCL syntax");
    let typo = write(
        dir.path(),
        "typo.hcl",
        "\nrole {\n  name = \"nomad-cluster\"\n}\nstanzas {\n}\nperiod = \"72h\"\n",
    );
    Nvctl::new()
        .env("VAULT_ADDR", "http://127.0.0.1:1")
        .args(["bootstrap", "--plan", "--config"])
        .arg(&typo)
        .run()
        .exit(1)
        .stderr_has("typo.hcl:5: unknown block \"stanzas\"; did you mean \"stanza\"?")
        .stderr_has("typo.hcl:7: \"period\" belongs in the role block");
}

#[test]
fn server_policy_in_allowed_policies_is_advice_and_refused_before_vault_only_when_strict() {
    // Nomad never reads the role's lists (nomad/vault.go validateRole): nvctl's advice, a
    // warning; `strict = true` (or --strict) refuses before Vault is touched, exit 3.
    let dir = support::workdir();
    let config = write(
        dir.path(),
        "bootstrap.hcl",
        "role {\n  allowed_policies = [\"access-tables\", \"nomad-server\"]\n}\n",
    );
    Nvctl::new()
        .env("VAULT_ADDR", "http://127.0.0.1:1")
        .args(["bootstrap", "--plan", "--config"])
        .arg(&config)
        .run()
        .exit(2)
        .stderr_has("nvctl's advice (Nomad accepts this): ")
        .stderr_has("bootstrap.hcl:2: allowed_policies contains \"nomad-server\"");
    Nvctl::new()
        .env("VAULT_ADDR", "http://127.0.0.1:1")
        .args(["bootstrap", "--plan", "--strict", "--config"])
        .arg(&config)
        .run()
        .exit(3)
        .stderr_has("bootstrap.hcl:2: allowed_policies contains \"nomad-server\"")
        .stderr_has("fails under strict")
        .stderr_has("nothing was sent to Vault");
    let strict = write(
        dir.path(),
        "strict.hcl",
        "strict = true\nrole {\n  allowed_policies = [\"access-tables\", \"nomad-server\"]\n}\n",
    );
    Nvctl::new()
        .env("VAULT_ADDR", "http://127.0.0.1:1")
        .args(["bootstrap", "--plan", "--config"])
        .arg(&strict)
        .run()
        .exit(3)
        .stderr_has("strict.hcl:3: allowed_policies contains \"nomad-server\"");
}

#[test]
fn invalid_job_policy_text_is_reported_with_the_policy_files_line() {
    let dir = support::workdir();
    write(
        dir.path(),
        "web.hcl",
        "path \"secret/data/web\" {\n  capabilities = [\"reed\"]\n}\n",
    );
    let config = write(
        dir.path(),
        "bootstrap.hcl",
        "job_policy \"web\" {\n  file = \"web.hcl\"\n}\n",
    );
    Nvctl::new()
        .env("VAULT_ADDR", "http://127.0.0.1:1")
        .args(["bootstrap", "--plan", "--config"])
        .arg(&config)
        .run()
        .exit(1)
        .stderr_has("bootstrap.hcl:1: job policy \"web\"")
        .stderr_has("web.hcl:2")
        .stderr_has("reed");
}

#[test]
fn the_shipped_example_is_valid() {
    // --plan against an unreachable Vault: the configuration passes, the network fails (2).
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("bootstrap.example.hcl");
    Nvctl::new()
        .args([
            "bootstrap",
            "--plan",
            "--address",
            "http://127.0.0.1:1",
            "--max-retries",
            "0",
            "--config",
        ])
        .arg(&example)
        .run()
        .exit(2)
        .stderr_lacks("invalid bootstrap configuration");
}

#[test]
fn workload_identity_block_errors_carry_their_lines_and_nothing_is_sent() {
    support::sandbox_only("counts the requests Vault received");
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let dir = support::workdir();
    let config = write(
        dir.path(),
        "bootstrap.hcl",
        r#"workload_identity {
  jwks_url     = "nomad:4646/.well-known/jwks.json"
  audiences    = ["vault.io"]
  auth_path    = "/token/"
  jwks_ca_file = "missing-ca.pem"
  token_period = "half an hour"
  policy       = "root"
}
"#,
    );
    let run = Nvctl::new()
        .sandbox(&sandbox)
        .args(["bootstrap", "--yes", "--flow", "workload-identity", "--config"])
        .arg(&config)
        .run()
        .exit(1)
        .stderr_has("bootstrap.hcl:2: invalid JWKS URL: \"nomad:4646/.well-known/jwks.json\" is not a URL")
        .stderr_has("bootstrap.hcl:3: unknown key \"audiences\" in the workload_identity block; did you mean \"audience\"?")
        .stderr_has("bootstrap.hcl:4: invalid auth path: the auth path \"token\" is Vault's token store")
        .stderr_has("bootstrap.hcl:5: JWKS CA file")
        .stderr_has("missing-ca.pem: cannot read it")
        .stderr_has("bootstrap.hcl:6: invalid workload identity token period")
        .stderr_has("bootstrap.hcl:7: invalid workload identity policy name")
        .stderr_has("nothing was sent to Vault");
    assert!(run.stderr.contains("(6 problems)"), "{}", run.stderr);
    assert!(sandbox.requests().is_empty(), "Vault was contacted");
}

#[test]
fn workload_identity_block_sets_up_the_flow_and_flags_override_it() {
    support::sandbox_only("JWT auth against a loopback JWKS server");
    let jwks = vault_sandbox::testing::JwksServer::start_ed25519().unwrap();
    let sandbox = support::dev_sandbox();
    let dir = support::workdir();
    let config = write(
        dir.path(),
        "bootstrap.hcl",
        &format!(
            "workload_identity {{\n  jwks_url     = \"{}\"\n  audience     = [\"nomad-wi\"]\n  auth_path    = \"jwt-team\"\n  role         = \"team\"\n  token_period = \"1h\"\n}}\n",
            jwks.url()
        ),
    );
    let bootstrap = || {
        Nvctl::new()
            .sandbox(&sandbox)
            .args(["bootstrap", "--flow", "workload-identity", "--config"])
            .arg(&config)
    };
    bootstrap()
        .arg("--yes")
        .run()
        .exit(0)
        .stdout_has("aud = [\"nomad-wi\"]")
        .stdout_has("jwt_auth_backend_path = \"jwt-team/\"");
    let http = support::Http::new(&sandbox.addr(), support::ROOT_TOKEN);
    let (status, role) = http.get("auth/jwt-team/role/team");
    assert_eq!(status, 200, "{role}");
    assert_eq!(
        role["data"]["bound_audiences"],
        serde_json::json!(["nomad-wi"])
    );
    assert_eq!(role["data"]["token_period"], 3600);
    bootstrap().arg("--plan").run().exit(0);
    // The flag wins over the file: the role would change.
    bootstrap()
        .args(["--plan", "--audience", "vault.io"])
        .run()
        .exit(3)
        .stderr_has("role \"team\" differs");
}
