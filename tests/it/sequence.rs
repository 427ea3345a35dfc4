//! The documented setup sequence, one command per step, against a fresh Vault:
//! `init → unseal → policy write → role create → token create → stanza server`, then
//! `check-role` and `token check` — the seed tutorial's result (seeds/001, steps 1–7).

use crate::support;

use serde_json::json;
use support::{Http, Nvctl};
use vault_sandbox::Sandbox;

#[test]
fn the_documented_sequence_reproduces_the_tutorial_and_passes_nomads_checks() {
    support::sandbox_only("needs an uninitialised Vault");
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let dir = support::workdir();
    let init_file = dir.path().join("vault-init.json");
    let token_file = dir.path().join("nomad-server.token");
    let addr = sandbox.addr();
    let nvctl = || Nvctl::new().env("VAULT_ADDR", &addr);

    // Step 1: init 5/3, keys on disk.
    nvctl()
        .args(["init", "--output"])
        .arg(&init_file)
        .run()
        .exit(0);
    let init = support::read_json(&init_file);
    let root = init["root_token"].as_str().unwrap().to_string();
    assert_eq!(init["unseal_keys_b64"].as_array().unwrap().len(), 5);
    assert_eq!(init["unseal_threshold"], json!(3));

    // Step 2: unseal.
    nvctl()
        .args(["unseal", "--keys-file"])
        .arg(&init_file)
        .run()
        .exit(0);
    let (_, status) = Http::new(&addr, "").get("sys/seal-status");
    assert_eq!(status["sealed"], json!(false));

    let as_root = || nvctl().env("VAULT_TOKEN", &root);

    // Step 4 of the tutorial: the nomad-server policy with all seven paths.
    as_root().args(["policy", "write"]).run().exit(0);
    let http = Http::new(&addr, &root);
    let (status, policy) = http.get("sys/policies/acl/nomad-server");
    assert_eq!(status, 200);
    let text = policy["data"]["policy"].as_str().unwrap();
    for path in [
        "auth/token/create/nomad-cluster",
        "auth/token/roles/nomad-cluster",
        "auth/token/lookup-self",
        "auth/token/lookup",
        "auth/token/revoke-accessor",
        "sys/capabilities-self",
        "auth/token/renew-self",
    ] {
        assert!(
            text.contains(&format!("path \"{path}\"")),
            "policy lacks {path}"
        );
    }

    // Step 5: the nomad-cluster role.
    as_root().args(["role", "create"]).run().exit(0);
    let (status, role) = http.get("auth/token/roles/nomad-cluster");
    assert_eq!(status, 200);
    let role = &role["data"];
    assert_eq!(role["disallowed_policies"], json!(["nomad-server"]));
    assert_eq!(role["orphan"], json!(true));
    assert_eq!(role["token_period"], json!(259200));
    assert_eq!(role["renewable"], json!(true));
    assert_eq!(role["token_explicit_max_ttl"], json!(0));

    // Step 6: the server token — policies default + nomad-server, orphan, 72h period, renewable.
    as_root()
        .args(["token", "create", "--output"])
        .arg(&token_file)
        .run()
        .exit(0)
        .hides(&root);
    let token = std::fs::read_to_string(&token_file)
        .unwrap()
        .trim()
        .to_string();
    let (_, lookup) = Http::new(&addr, &token).get("auth/token/lookup-self");
    let data = &lookup["data"];
    assert_eq!(data["policies"], json!(["default", "nomad-server"]));
    assert_eq!(data["orphan"], json!(true));
    assert_eq!(data["renewable"], json!(true));
    assert_eq!(data["creation_ttl"], json!(259200));

    // Step 7: the server stanza.
    let stanza = as_root()
        .args(["stanza", "server", "--vault-address", &addr])
        .run()
        .exit(0);
    assert!(stanza
        .stdout
        .contains("create_from_role = \"nomad-cluster\""));
    hcl::from_str::<hcl::Body>(&stanza.stdout).expect("stanza parses");

    // And Nomad's start-up checks pass on the result.
    nvctl()
        .args(["check-role", "nomad-cluster", "--token-file"])
        .arg(&token_file)
        .run()
        .exit(0);
    nvctl()
        .args(["token", "check", "--token-file"])
        .arg(&token_file)
        .run()
        .exit(0)
        .hides(&token);
}

/// README "One step at a time", run verbatim by bash in a fresh directory with the nvctl under
/// test first on PATH: every line must succeed (`set -euo pipefail`), and the sandbox it starts
/// in the background is stopped by the block's own last line (or by the trap, on a failure).
#[test]
fn the_readme_one_step_sequence_runs_verbatim_in_a_shell() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let section = readme
        .split_once("### One step at a time")
        .map(|(_, rest)| rest)
        .expect("the README has the one-step section");
    let block = section
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(block, _)| block)
        .expect("the section has a sh block");
    assert!(block.starts_with("eval \"$(nvctl dev"), "{block}");

    let dir = support::workdir();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("bin dir");
    let nvctl =
        std::env::var_os("NVCTL_TEST_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_nvctl").into());
    std::os::unix::fs::symlink(&nvctl, bin.join("nvctl")).expect("symlink nvctl");
    let work = dir.path().join("work");
    std::fs::create_dir(&work).expect("work dir");
    let script = format!(
        "set -euo pipefail\n\
         trap '[ -n \"${{NVCTL_DEV_PID:-}}\" ] && kill \"$NVCTL_DEV_PID\" 2>/dev/null; true' EXIT\n\
         {block}"
    );
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = std::process::Command::new("bash");
    for (key, _) in std::env::vars() {
        if key.starts_with("VAULT_") || key.starts_with("NVCTL_") {
            command.env_remove(&key);
        }
    }
    let output = command
        .args(["-c", &script])
        .env("PATH", path)
        .env("HOME", dir.path())
        .current_dir(&work)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the README sequence failed ({}):\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
        output.status
    );
    // Step 6 printed the block, check-role found nothing to complain about.
    assert!(stdout.contains("create_from_role"), "{stdout}");
    assert!(work.join("vault-init.json").exists());
    assert!(work.join("nomad-server.token").exists());
}

/// The step numbers of the README's command table are those of each command's help (and of
/// the one-step sequence's comments): init 1, unseal 2, policy 3, role 4, token 5, stanza 6.
#[test]
fn step_numbers_agree_between_the_readme_and_the_help() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let mut seen = Vec::new();
    for line in readme.lines().filter(|l| l.starts_with("| `nvctl ")) {
        let Some((_, rest)) = line.split_once("| step ") else {
            continue;
        };
        let step: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let command = line
            .trim_start_matches("| `nvctl ")
            .split([' ', '`', '\\'])
            .next()
            .unwrap_or_default()
            .to_string();
        let help = Nvctl::new()
            .args([command.as_str(), "--help"])
            .run()
            .exit(0);
        assert!(
            help.stdout.starts_with(&format!("Step {step}: ")),
            "README says `nvctl {command}` is step {step}; its help begins {:?}",
            help.stdout.lines().next()
        );
        let comment = format!("# step {step}");
        assert!(
            readme
                .lines()
                .any(|l| l.starts_with(&format!("nvctl {command} ")) && l.contains(&comment)),
            "the one-step sequence does not mark `nvctl {command}` as {comment}"
        );
        seen.push((command, step));
    }
    let steps: Vec<&str> = seen.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(steps, ["1", "2", "3", "4", "5", "6"], "{seen:?}");
}
