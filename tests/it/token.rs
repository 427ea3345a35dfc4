//! `nvctl token create|lookup|check` and `nvctl check-role`, end to end: the real binary against
//! a Vault over HTTP. The Vault state is set up from the test's side with plain HTTP, the way the
//! seed tutorial does it with `vault policy write` and `vault write`.

use crate::support;

use serde_json::json;
use support::{Http, Nvctl, TestVault, ROOT_TOKEN};
use vault_sandbox::SandboxHandle;

const ROLE: &str = "nomad-cluster";

/// The seed tutorial's policy and role, written as `vault policy write` / `vault write` would.
pub(crate) fn seed_policy_and_role(vault: &TestVault) {
    let http = Http::of(vault);
    let policy = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/nomad-server.hcl"
    ))
    .unwrap()
    .replace("{{role}}", ROLE);
    assert_eq!(
        http.put(
            "sys/policies/acl/nomad-server",
            &json!({ "policy": policy })
        )
        .0,
        204
    );
    let role: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/roles/nomad-cluster.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let (status, _) = http.put(&format!("auth/token/roles/{ROLE}"), &role);
    assert!(status == 204 || status == 200, "role write: {status}");
}

#[test]
fn token_create_mints_the_documented_server_token_and_nomad_accepts_it() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    let dir = support::workdir();
    let out = dir.path().join("nomad-server.token");

    let run = Nvctl::new()
        .vault(&vault)
        .args(["token", "create", "--output"])
        .arg(&out)
        .run()
        .exit(0)
        .stdout_has("hvs.********")
        .stderr_has("Nomad's start-up checks pass");

    let token = std::fs::read_to_string(&out).unwrap().trim().to_string();
    run.hides(&token);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // The token is what the tutorial's `vault token create -policy nomad-server -period 72h -orphan` gives.
    let (status, lookup) = Http::new(&vault.addr(), &token).get("auth/token/lookup-self");
    assert_eq!(status, 200);
    let data = &lookup["data"];
    assert_eq!(data["policies"], json!(["default", "nomad-server"]));
    assert_eq!(data["orphan"], json!(true));
    assert_eq!(data["renewable"], json!(true));
    assert_eq!(data["creation_ttl"], json!(259200));

    Nvctl::new()
        .vault(&vault)
        .args(["token", "check", "--token-file"])
        .arg(&out)
        .run()
        .exit(0)
        .hides(&token);
}

#[test]
fn token_create_refuses_to_overwrite_an_existing_file() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    let dir = support::workdir();
    let out = dir.path().join("token");
    std::fs::write(&out, "keep me").unwrap();
    Nvctl::new()
        .vault(&vault)
        .args(["token", "create", "--output"])
        .arg(&out)
        .run()
        .exit(1)
        .stderr_has("never overwrites");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
}

#[test]
fn token_create_raw_and_env_formats_print_only_the_token() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    let raw = Nvctl::new()
        .vault(&vault)
        .args(["token", "create", "--format", "raw"])
        .run()
        .exit(0);
    let token = raw.stdout.trim();
    assert!(
        token.starts_with("hvs.") || token.starts_with("s."),
        "{token}"
    );
    assert_eq!(raw.stdout.lines().count(), 1);

    let env = Nvctl::new()
        .vault(&vault)
        .args(["token", "create", "--format", "env"])
        .run()
        .exit(0);
    assert!(env.stdout.starts_with("VAULT_TOKEN="), "{}", env.stdout);
}

#[test]
fn token_create_json_hides_the_token_unless_asked() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    let dir = support::workdir();
    let out = dir.path().join("token");
    let run = Nvctl::new()
        .vault(&vault)
        .args(["token", "create", "--format", "json", "--output"])
        .arg(&out)
        .run()
        .exit(0);
    let doc = run.json();
    assert!(doc.get("token").is_none());
    assert_eq!(doc["nomad_would_accept"], json!(true));
    assert!(doc["accessor"].as_str().is_some_and(|a| !a.is_empty()));
    run.hides(std::fs::read_to_string(&out).unwrap().trim());

    let shown = Nvctl::new()
        .vault(&vault)
        .args(["token", "create", "--format", "json", "--show-secrets"])
        .run()
        .exit(0)
        .json();
    assert!(shown["token"].as_str().is_some_and(|t| !t.is_empty()));
}

/// Token-create requests a sandbox received (vault-api.md §5).
fn token_creations(sandbox: &SandboxHandle) -> Vec<String> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/v1/auth/token/create"))
        .map(|r| r.path)
        .collect()
}

#[test]
fn token_create_that_would_mask_the_only_copy_is_refused_before_minting() {
    support::sandbox_only("counts the requests the sandbox received");
    let sandbox = support::dev_sandbox();
    for format in ["table", "json"] {
        Nvctl::new()
            .sandbox(&sandbox)
            .args(["token", "create", "--format", format])
            .run()
            .exit(1)
            .stderr_has("--output FILE")
            .stderr_has("--format raw")
            .stderr_has("--show-secrets")
            .stderr_has("Nothing was minted");
    }
    assert_eq!(token_creations(&sandbox), Vec::<String>::new());
}

#[test]
fn token_create_from_a_role_that_disallows_the_policy_is_explained_before_minting() {
    support::sandbox_only("counts the requests the sandbox received");
    let vault = TestVault::Sandbox(support::dev_sandbox());
    seed_policy_and_role(&vault);
    let dir = support::workdir();
    let out = dir.path().join("token");
    // The documented role disallows nomad-server, the policy the servers' token carries.
    Nvctl::new()
        .vault(&vault)
        .args(["token", "create", "--role", ROLE, "--output"])
        .arg(&out)
        .run()
        .exit(1)
        .stderr_has(r#"token policy "nomad-server" is disallowed by this role"#)
        .stderr_has(r#"the role "nomad-cluster"'s disallowed_policies: [nomad-server]"#)
        .stderr_has("Nothing was minted");
    assert!(!out.exists());
    let sandbox = vault.sandbox().unwrap();
    assert_eq!(token_creations(sandbox), Vec::<String>::new());
    // vault-api.md §4: the role was read to explain it.
    assert!(sandbox
        .requests()
        .iter()
        .any(|r| r.method == "GET" && r.path == format!("/v1/auth/token/roles/{ROLE}")));
}

#[test]
fn a_token_nomad_would_reject_exits_3_and_names_its_accessor() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    // A policy without revoke-accessor: Nomad's capability check fails.
    let http = Http::of(&vault);
    let weak = r#"
path "auth/token/create/nomad-cluster" { capabilities = ["update"] }
path "auth/token/roles/nomad-cluster" { capabilities = ["read"] }
"#;
    assert_eq!(
        http.put("sys/policies/acl/weak", &json!({ "policy": weak }))
            .0,
        204
    );
    let dir = support::workdir();
    let run = Nvctl::new()
        .vault(&vault)
        .args(["token", "create", "--policy", "weak", "--output"])
        .arg(dir.path().join("token"))
        .run()
        .exit(3)
        .stderr_has(
            r#"token must have one of the following capabilities ["update" "root"] on "auth/token/revoke-accessor"; has [deny]"#,
        )
        .stderr_has("vault token revoke -accessor");
    assert!(run.stderr.contains("Nomad would reject this token"));
}

#[test]
fn token_check_reports_a_ttl_only_token_in_nomads_words() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    // `-ttl` instead of `-period`, and not renewable: the failure the issue tracker is full of.
    let (status, created) = Http::of(&vault).put(
        "auth/token/create-orphan",
        &json!({ "policies": ["nomad-server"], "ttl": "1h", "renewable": false }),
    );
    assert_eq!(status, 200);
    let token = created["auth"]["client_token"]
        .as_str()
        .unwrap()
        .to_string();
    let dir = support::workdir();
    let file = dir.path().join("t");
    std::fs::write(&file, &token).unwrap();

    Nvctl::new()
        .vault(&vault)
        .args(["token", "check", "--token-file"])
        .arg(&file)
        .run()
        .exit(3)
        .stderr_has("Vault token is not renewable or root")
        .hides(&token);
}

#[test]
fn token_check_without_any_token_is_a_usage_error() {
    let vault = support::vault();
    Nvctl::new()
        .env("VAULT_ADDR", &vault.addr())
        .args(["token", "check"])
        .run()
        .exit(1)
        .stderr_has("no Vault token");
}

#[test]
fn token_lookup_masks_the_token() {
    let vault = support::vault();
    let run = Nvctl::new()
        .vault(&vault)
        .args(["token", "lookup"])
        .run()
        .exit(0)
        .stdout_has("accessor");
    run.hides(&vault.root_token());
}

#[test]
fn token_lookup_by_unknown_accessor_is_a_vault_error() {
    let vault = support::vault();
    Nvctl::new()
        .vault(&vault)
        .args(["token", "lookup", "--accessor", "nope"])
        .run()
        .exit(2)
        .stderr_has("invalid accessor");
}

#[test]
fn check_role_passes_on_the_documented_role() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    let dir = support::workdir();
    let out = dir.path().join("token");
    Nvctl::new()
        .vault(&vault)
        .args(["token", "create", "--output"])
        .arg(&out)
        .run()
        .exit(0);
    Nvctl::new()
        .vault(&vault)
        .args(["check-role", ROLE, "--token-file"])
        .arg(&out)
        .run()
        .exit(0);
}

#[test]
fn check_role_shows_the_capability_table_it_checked() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    let dir = support::workdir();
    let (_, file) = server_token_file(&vault, dir.path());
    let paths = [
        "sys/capabilities-self",
        "auth/token/renew-self",
        "auth/token/revoke-accessor",
        "auth/token/roles/nomad-cluster",
        "auth/token/create/nomad-cluster",
    ];
    let run = Nvctl::new()
        .vault(&vault)
        .args(["check-role", ROLE, "--token-file"])
        .arg(&file)
        .run()
        .exit(0)
        .stdout_has("Nomad needs")
        .stdout_has("token has");
    for path in paths {
        let row = run
            .stdout
            .lines()
            .find(|l| l.contains(path))
            .unwrap_or_else(|| panic!("no row for {path}:\n{}", run.stdout));
        assert!(row.contains("yes"), "{row}");
    }

    let doc = Nvctl::new()
        .vault(&vault)
        .args(["check-role", ROLE, "--format", "json", "--token-file"])
        .arg(&file)
        .run()
        .exit(0)
        .json();
    // vault-api.md §7: one answer for every path.
    let caps = doc["roles"][0]["capabilities"].as_object().unwrap();
    for path in paths {
        assert!(
            caps[path].as_array().is_some_and(|c| !c.is_empty()),
            "{path}: {caps:?}"
        );
    }
    assert_eq!(caps["auth/token/roles/nomad-cluster"], json!(["read"]));
}

#[test]
fn check_role_without_a_capabilities_answer_shows_nomads_warning_and_no_table() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    let http = Http::of(&vault);
    // No default policy: sys/capabilities-self is denied (vault-api.md §6, §7).
    let reader = r#"path "auth/token/roles/*" { capabilities = ["read"] }"#;
    assert_eq!(
        http.put("sys/policies/acl/reader", &json!({ "policy": reader }))
            .0,
        204
    );
    let (status, created) = http.put(
        "auth/token/create-orphan",
        &json!({ "policies": ["reader"], "no_default_policy": true }),
    );
    assert_eq!(status, 200, "{created}");
    let dir = support::workdir();
    let file = dir.path().join("reader.token");
    std::fs::write(&file, created["auth"]["client_token"].as_str().unwrap()).unwrap();
    Nvctl::new()
        .vault(&vault)
        .args(["check-role", ROLE, "--token-file"])
        .arg(&file)
        .run()
        .stdout_has("can not lookup token capabilities")
        .stdout_lacks("Nomad needs");
}

/// A dev sandbox, then sealed (vault-api.md §2): every logical path answers 503.
fn sealed_sandbox() -> SandboxHandle {
    support::sandbox_only("seals the Vault");
    let sandbox = support::dev_sandbox();
    let (status, _) = Http::new(&sandbox.addr(), ROOT_TOKEN).put("sys/seal", &json!({}));
    assert_eq!(status, 204);
    sandbox
}

#[test]
fn check_role_on_a_sealed_vault_is_a_vault_error_pointing_at_unseal() {
    let sandbox = sealed_sandbox();
    Nvctl::new()
        .sandbox(&sandbox)
        .env("VAULT_TOKEN", ROOT_TOKEN)
        .args(["check-role", ROLE])
        .run()
        .exit(2)
        .stderr_has("nvctl unseal")
        .stdout_lacks("failed to lookup role")
        .stdout_lacks("Role");
}

#[test]
fn token_check_on_a_sealed_vault_is_a_vault_error_not_a_finding() {
    let sandbox = sealed_sandbox();
    let run = Nvctl::new()
        .sandbox(&sandbox)
        .env("VAULT_TOKEN", ROOT_TOKEN)
        .args(["token", "check"])
        .run()
        .exit(2)
        .stderr_has("nvctl unseal")
        .stderr_lacks("failed to lookup Vault periodic token");
    assert_eq!(run.stdout.trim(), "");
}

#[test]
fn token_check_of_an_unknown_token_shows_the_finding_without_an_empty_table() {
    let vault = support::vault();
    let dir = support::workdir();
    let file = dir.path().join("t");
    std::fs::write(&file, "hvs.not-a-token-vault-knows").unwrap();
    let run = Nvctl::new()
        .vault(&vault)
        .args(["token", "check", "--token-file"])
        .arg(&file)
        .run()
        .exit(3)
        .stderr_has("failed to lookup Vault periodic token");
    assert_eq!(run.stdout.trim(), "", "no table of dashes");
}

#[test]
fn token_lookup_by_accessor_shows_a_dash_for_the_id_it_never_gets() {
    let vault = support::vault();
    let (status, lookup) = Http::of(&vault).get("auth/token/lookup-self");
    assert_eq!(status, 200);
    let accessor = lookup["data"]["accessor"].as_str().unwrap().to_string();
    let run = Nvctl::new()
        .vault(&vault)
        .args(["token", "lookup", "--accessor", &accessor])
        .run()
        .exit(0);
    let id_row = run
        .stdout
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some("id"))
        .unwrap_or_else(|| panic!("no id row:\n{}", run.stdout));
    let cells: Vec<&str> = id_row
        .split_whitespace()
        .filter(|c| *c != "│" && *c != "|")
        .collect();
    assert_eq!(cells, vec!["id", "-"], "{id_row}");
}

#[test]
fn check_role_reports_a_non_periodic_non_renewable_role_in_nomads_words() {
    let vault = support::vault();
    let http = Http::of(&vault);
    let (status, _) = http.put(
        "auth/token/roles/broken",
        &json!({ "disallowed_policies": "nomad-server", "renewable": false, "token_explicit_max_ttl": "1h" }),
    );
    assert!(status == 204 || status == 200);
    Nvctl::new()
        .vault(&vault)
        .args(["check-role", "broken"])
        .run()
        .exit(3)
        .stdout_has("Role must allow tokens to be renewed")
        .stdout_has("Role can not use an explicit max ttl. Token must be periodic.")
        .stdout_has("Role must have a non-zero period to make tokens periodic.");
}

#[test]
fn check_role_of_a_missing_role_says_it_does_not_exist() {
    let vault = support::vault();
    let run = Nvctl::new()
        .vault(&vault)
        .args(["check-role", "ghost", "--format", "json"])
        .run()
        .exit(3);
    assert!(
        run.stdout.contains(r#"Role \"ghost\" does not exist"#),
        "{}",
        run.stdout
    );
}

#[test]
fn check_role_all_checks_every_role() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    let http = Http::of(&vault);
    http.put(
        "auth/token/roles/second",
        &json!({ "allowed_policies": "x", "token_period": "72h" }),
    );
    let doc = Nvctl::new()
        .vault(&vault)
        .args(["check-role", "--all", "--format", "json"])
        .run()
        .json();
    let names: Vec<&str> = doc["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&ROLE) && names.contains(&"second"),
        "{names:?}"
    );
}

#[test]
fn stanza_server_parses_back_and_carries_no_token_by_default() {
    let vault = support::vault();
    let run = Nvctl::new()
        .vault(&vault)
        .args([
            "stanza",
            "server",
            "--vault-address",
            "https://vault.example.com:8200",
        ])
        .run()
        .exit(0)
        .stdout_has(r#"create_from_role = "nomad-cluster""#)
        .stdout_has(r#"task_token_ttl   = "1h""#)
        .stdout_has("VAULT_TOKEN")
        .hides(&vault.root_token());
    let body: hcl::Body = hcl::from_str(&run.stdout).expect("stanza parses as HCL");
    assert_eq!(body.blocks().count(), 1);
}

#[test]
fn stanza_refuses_a_task_token_ttl_under_five_minutes() {
    Nvctl::new()
        .args(["stanza", "server", "--task-token-ttl", "1m"])
        .run()
        .exit(1)
        .stderr_has("ChildTokenTTL is less than minimum allowed of 5m0s");
}

#[test]
fn stanza_client_never_embeds_a_token() {
    let dir = support::workdir();
    let file = dir.path().join("token");
    std::fs::write(&file, "hvs.secret-never-printed\n").unwrap();
    Nvctl::new()
        .args(["stanza", "client", "--embed-token", "--token-file"])
        .arg(&file)
        .run()
        .exit(1)
        .stderr_has("never carries a token")
        .hides("hvs.secret-never-printed");
}

/// A token for the Nomad servers (not root), in a file, as `token create --output` leaves it.
fn server_token_file(vault: &TestVault, dir: &std::path::Path) -> (String, std::path::PathBuf) {
    let (status, created) = Http::of(vault).put(
        "auth/token/create-orphan",
        &json!({ "policies": ["nomad-server"], "period": "72h" }),
    );
    assert_eq!(status, 200, "{created}");
    let token = created["auth"]["client_token"]
        .as_str()
        .unwrap()
        .to_string();
    let file = dir.join("nomad-server.token");
    std::fs::write(&file, format!("{token}\n")).unwrap();
    (token, file)
}

#[test]
fn stanza_embedded_token_is_written_0600() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    let dir = support::workdir();
    let (token, file) = server_token_file(&vault, dir.path());
    let out = dir.path().join("vault.hcl");
    Nvctl::new()
        .vault(&vault)
        .args(["stanza", "server", "--embed-token", "--token-file"])
        .arg(&file)
        .arg("--output")
        .arg(&out)
        .run()
        .exit(0)
        .stderr_has("embeds the Nomad servers' Vault token")
        .hides(&token);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains(&token));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// Issue 10: `--embed-token` follows `token create`'s `--show-secrets` rule — the token reaches
/// stdout only when secrets are asked for; else `--output FILE`.
#[test]
fn stanza_embed_token_prints_the_token_only_with_show_secrets() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    let dir = support::workdir();
    let (token, file) = server_token_file(&vault, dir.path());
    Nvctl::new()
        .vault(&vault)
        .args(["stanza", "server", "--embed-token", "--token-file"])
        .arg(&file)
        .run()
        .exit(1)
        .stderr_has(
            "error: --embed-token without --output would print the servers' token on stdout: use \
             --output FILE (written 0600), or --show-secrets to print it",
        )
        .stdout_lacks("vault {")
        .hides(&token);
    let shown = Nvctl::new()
        .vault(&vault)
        .args([
            "stanza",
            "server",
            "--show-secrets",
            "--embed-token",
            "--token-file",
        ])
        .arg(&file)
        .run()
        .exit(0);
    assert!(shown.stdout.contains(&token), "{}", shown.stdout);
}

#[test]
fn stanza_embed_token_needs_a_token_file() {
    // Not the caller's own VAULT_TOKEN, silently.
    Nvctl::new()
        .env("VAULT_TOKEN", "hvs.callers-own-token")
        .args(["stanza", "server", "--embed-token"])
        .run()
        .exit(1)
        .stderr_has("--token-file")
        .hides("hvs.callers-own-token");
}

#[test]
fn stanza_refuses_to_embed_a_root_token() {
    let vault = support::vault();
    let dir = support::workdir();
    let file = dir.path().join("root.token");
    std::fs::write(&file, vault.root_token()).unwrap();
    Nvctl::new()
        .vault(&vault)
        .args([
            "stanza",
            "server",
            "--show-secrets",
            "--embed-token",
            "--token-file",
        ])
        .arg(&file)
        .run()
        .exit(1)
        .stderr_has("refusing to embed a root token")
        .stderr_has("nvctl token create")
        .stderr_lacks("embeds the Nomad servers' Vault token")
        .stdout_lacks("vault {")
        .hides(&vault.root_token());
}

#[test]
fn stanza_embed_refuses_an_existing_file_before_warning_or_asking_vault() {
    support::sandbox_only("counts the requests the sandbox received");
    let sandbox = support::dev_sandbox();
    let dir = support::workdir();
    let file = dir.path().join("token");
    std::fs::write(&file, "hvs.some-server-token\n").unwrap();
    let out = dir.path().join("vault.hcl");
    std::fs::write(&out, "keep me").unwrap();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["stanza", "server", "--embed-token", "--token-file"])
        .arg(&file)
        .arg("--output")
        .arg(&out)
        .run()
        .exit(1)
        .stderr_has("already exists")
        .stderr_lacks("embeds the Nomad servers' Vault token");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    assert!(sandbox.requests().is_empty());
}

#[test]
fn stanza_json_is_valid_json() {
    let run = Nvctl::new()
        .args(["stanza", "server", "--format", "json"])
        .run()
        .exit(0);
    let doc = run.json();
    assert_eq!(doc["vault"]["enabled"], json!(true));
    assert_eq!(doc["vault"]["create_from_role"], json!("nomad-cluster"));
}
