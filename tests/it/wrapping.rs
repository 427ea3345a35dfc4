//! The servers' token delivered response-wrapped: `nvctl token create --wrap-ttl` hands out
//! only a single-use wrapping token, `nvctl token unwrap` on the server host gets the token
//! itself once, writes it 0600 and runs Nomad's start-up checks on it (issue 11; vault-api.md
//! §9: hashicorp/vault http/handler.go requestWrapInfo, vault/wrapping.go wrapInCubbyhole,
//! vault/logical_system.go handleWrappingLookup / handleWrappingUnwrap).

use crate::support;
use crate::token::seed_policy_and_role;

use std::path::Path;

use serde_json::{json, Value};
use support::{Http, Nvctl, TestVault};

/// `POST sys/wrapping/lookup {"token"}`: needs no token and does not use the wrapping token up.
fn wrap_lookup(vault: &TestVault, wrapping: &str) -> (u16, Value) {
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/v1/sys/wrapping/lookup", vault.addr()))
        .json(&json!({ "token": wrapping }))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(Value::Null))
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn first_line(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string()
}

/// `nvctl token unwrap` on "the server host": VAULT_ADDR only, no token of its own.
fn unwrap(vault: &TestVault, wrapped: &Path, output: &Path) -> Nvctl {
    Nvctl::new()
        .env("VAULT_ADDR", &vault.addr())
        .args(["token", "unwrap", "--wrapping-token-file"])
        .arg(wrapped)
        .arg("--output")
        .arg(output)
}

fn leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// The whole delivery: only the wrapping token leaves Vault at create; unwrap writes the token
// 0600, Nomad accepts it, and the wrapping token works once.
#[test]
fn wrapped_create_hands_out_only_the_wrapping_token_and_unwrap_delivers_the_token_once() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    let dir = support::workdir();
    let wrapped = dir.path().join("nomad-server.wrapped");
    let created = Nvctl::new()
        .vault(&vault)
        .args(["token", "create", "--wrap-ttl", "15m", "--output"])
        .arg(&wrapped)
        .run()
        .exit(0)
        .stdout_has("wrapping_token")
        .stdout_has("auth/token/create-orphan")
        .stderr_has("nvctl token unwrap --wrapping-token-file");
    assert_eq!(mode(&wrapped), 0o600);
    let wrapping = first_line(&wrapped);
    let created = created.hides(&wrapping);

    // What the file holds is a wrapping token for a token creation, valid 15 minutes.
    let (status, lookup) = wrap_lookup(&vault, &wrapping);
    assert_eq!(status, 200, "{lookup}");
    assert_eq!(lookup["data"]["creation_path"], "auth/token/create-orphan");
    assert_eq!(lookup["data"]["creation_ttl"], 900);
    if let Some(sandbox) = vault.sandbox() {
        let create = sandbox
            .requests()
            .into_iter()
            .find(|r| r.path == "/v1/auth/token/create-orphan")
            .expect("the token was minted");
        assert_eq!(create.header("x-vault-wrap-ttl"), Some("900"));
    }

    let token_file = dir.path().join("nomad-server.token");
    let run = unwrap(&vault, &wrapped, &token_file)
        .run()
        .exit(0)
        .stderr_has("Wrote the servers' token")
        .stderr_has("Nomad's start-up checks pass");
    assert_eq!(mode(&token_file), 0o600);
    let token = first_line(&token_file);
    assert!(!token.is_empty() && token != wrapping);
    // The token itself never went through create's terminal, nor unwrap's.
    created.hides(&token);
    run.hides(&token).hides(&wrapping);
    let (status, me) = Http::new(&vault.addr(), &token).get("auth/token/lookup-self");
    assert_eq!(status, 200);
    assert_eq!(me["data"]["policies"], json!(["default", "nomad-server"]));
    assert_eq!(me["data"]["orphan"], true);
    assert_eq!(me["data"]["renewable"], true);

    // Single use: a second unwrap is refused by Vault, writes nothing and says what it means.
    let again = dir.path().join("again.token");
    unwrap(&vault, &wrapped, &again)
        .run()
        .exit(2)
        .stderr_has("wrapping token is not valid or does not exist")
        .stderr_has("someone else");
    assert!(!again.exists());
    assert_eq!(
        leftovers(dir.path()),
        ["nomad-server.token", "nomad-server.wrapped"]
    );
}

// --format raw prints the wrapping token alone; unwrap reads it from standard input (`-`), and
// JSON says what Nomad says.
#[test]
fn raw_wrapping_token_through_a_pipe_and_a_json_verdict() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    let dir = support::workdir();
    let raw = Nvctl::new()
        .vault(&vault)
        .args(["token", "create", "--wrap-ttl", "5m", "--format", "raw"])
        .run()
        .exit(0);
    let wrapping = raw.stdout.trim().to_string();
    assert_eq!(wrapping.lines().count(), 1, "{}", raw.stdout);
    assert_eq!(wrap_lookup(&vault, &wrapping).0, 200);

    let token_file = dir.path().join("server.token");
    let doc = Nvctl::new()
        .env("VAULT_ADDR", &vault.addr())
        .args([
            "token",
            "unwrap",
            "--wrapping-token-file",
            "-",
            "--format",
            "json",
            "--output",
        ])
        .arg(&token_file)
        .stdin(format!("{wrapping}\n"))
        .run()
        .exit(0)
        .json();
    assert_eq!(doc["nomad_would_accept"], true);
    assert_eq!(doc["nomad_error"], Value::Null);
    assert!(token_file.exists());
}

// A wrapping token that wraps anything but a token creation is not unwrapped: exit 3, nothing
// written, and the wrapping token still usable by whoever it was meant for.
#[test]
fn unwrap_refuses_a_wrapping_token_that_wraps_something_else() {
    let vault = support::vault();
    let dir = support::workdir();
    // sys/wrapping/wrap wraps any body (logical_system.go handleWrappingWrap).
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/v1/sys/wrapping/wrap", vault.addr()))
        .header("X-Vault-Token", vault.root_token())
        .header("X-Vault-Wrap-TTL", "300")
        .json(&json!({"not": "a token"}))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let body: Value = resp.json().unwrap();
    let wrapping = body["wrap_info"]["token"].as_str().unwrap().to_string();
    let wrapped = dir.path().join("other.wrapped");
    std::fs::write(&wrapped, format!("{wrapping}\n")).unwrap();
    let output = dir.path().join("server.token");
    unwrap(&vault, &wrapped, &output)
        .run()
        .exit(3)
        .stderr_has("wraps the answer of \"sys/wrapping/wrap\", not a token creation")
        .hides(&wrapping);
    assert!(!output.exists());
    assert_eq!(leftovers(dir.path()), ["other.wrapped"]);
    assert_eq!(wrap_lookup(&vault, &wrapping).0, 200, "not used up");
}

// An unwrapped token Nomad would refuse is still kept (it exists once), and the verdict is
// Nomad's: exit 3 with Nomad's words.
#[test]
fn an_unwrapped_token_nomad_would_refuse_is_kept_and_exits_3() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    let dir = support::workdir();
    let wrapped = dir.path().join("wrapped");
    Nvctl::new()
        .vault(&vault)
        .args(["token", "create", "--wrap-ttl", "5m", "--output"])
        .arg(&wrapped)
        .run()
        .exit(0);
    let output = dir.path().join("server.token");
    unwrap(&vault, &wrapped, &output)
        .args(["--nomad-role", "no-such-role"])
        .run()
        .exit(3)
        .stderr_has("Wrote the servers' token")
        // The servers' policy grants on nomad-cluster only: Vault refuses the role read.
        .stderr_has("failed to lookup role \"no-such-role\"")
        .stderr_has("Nomad would disable its Vault integration");
    assert_eq!(mode(&output), 0o600);
}

// Bad inputs: one message naming the input, exit 1, and nothing minted or used up.
#[test]
fn bad_wrapping_inputs_are_refused_before_anything_is_minted_or_used_up() {
    let vault = support::vault();
    seed_policy_and_role(&vault);
    let dir = support::workdir();
    let minted_before = |vault: &TestVault| -> usize {
        vault
            .sandbox()
            .map(|s| {
                s.requests()
                    .iter()
                    .filter(|r| r.path.starts_with("/v1/auth/token/create"))
                    .count()
            })
            .unwrap_or(0)
    };
    let create = || Nvctl::new().vault(&vault).args(["token", "create"]);
    create()
        .args(["--wrap-ttl", "0", "--format", "raw"])
        .run()
        .exit(1)
        .stderr_has("invalid --wrap-ttl: 0 means no wrapping");
    create()
        .args(["--wrap-ttl", "soon", "--format", "raw"])
        .run()
        .exit(1)
        .stderr_has("invalid --wrap-ttl");
    create()
        .args(["--wrap-ttl", "5m", "--format", "env"])
        .run()
        .exit(1)
        .stderr_has("a wrapping token is not the servers' token");
    create()
        .args(["--wrap-ttl", "5m"])
        .run()
        .exit(1)
        .stderr_has("nothing would keep the wrapping token");
    assert_eq!(minted_before(&vault), 0, "nothing was minted");

    // unwrap: the output exists → refused before the wrapping token is used.
    let wrapped = dir.path().join("wrapped");
    create()
        .args(["--wrap-ttl", "5m", "--output"])
        .arg(&wrapped)
        .run()
        .exit(0);
    let wrapping = first_line(&wrapped);
    let taken = dir.path().join("taken.token");
    std::fs::write(&taken, "keep me\n").unwrap();
    unwrap(&vault, &wrapped, &taken)
        .run()
        .exit(1)
        .stderr_has("already exists");
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "keep me\n");
    assert_eq!(wrap_lookup(&vault, &wrapping).0, 200, "not used up");
    // No wrapping token file, an empty one, a terminal-less empty stdin.
    let missing = dir.path().join("missing");
    unwrap(&vault, &missing, &dir.path().join("a.token"))
        .run()
        .exit(1)
        .stderr_has("cannot read the wrapping token file");
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    unwrap(&vault, &empty, &dir.path().join("b.token"))
        .run()
        .exit(1)
        .stderr_has("the file is empty");
    Nvctl::new()
        .env("VAULT_ADDR", &vault.addr())
        .args(["token", "unwrap", "--wrapping-token-file", "-", "--output"])
        .arg(dir.path().join("c.token"))
        .stdin("")
        .run()
        .exit(1)
        .stderr_has("no wrapping token on standard input");
    for name in ["a.token", "b.token", "c.token"] {
        assert!(!dir.path().join(name).exists(), "{name}");
    }
    assert_eq!(wrap_lookup(&vault, &wrapping).0, 200, "still not used up");
}
