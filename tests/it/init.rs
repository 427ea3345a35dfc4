//! `nvctl init`, end to end: the real binary against a fresh sandbox over HTTP. Every test needs
//! an uninitialised (or fault-injecting) Vault, so they run against the sandbox only.
//! vault-api.md §1 (sys/init) and §2 (seal-status, unseal).

use crate::support;

use std::path::Path;

use serde_json::{json, Value};
use support::{read_json, workdir, writes, Http, Nvctl};
use vault_sandbox::{Fault, Sandbox, SandboxHandle};

fn uninitialized() -> SandboxHandle {
    support::sandbox_only("needs an uninitialised Vault");
    Sandbox::builder().uninitialized().start().expect("sandbox")
}

fn init_puts(h: &SandboxHandle) -> usize {
    writes(h)
        .iter()
        .filter(|w| w.starts_with("PUT /v1/sys/init"))
        .count()
}

fn seal_status(h: &SandboxHandle) -> Value {
    Http::new(&h.addr(), "").get("sys/seal-status").1
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("list")
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("file").permissions().mode() & 0o777
}

#[test]
fn fresh_init_writes_a_private_file_whose_keys_unseal_vault_and_masks_them() {
    let h = uninitialized();
    let dir = workdir();
    let out = dir.path().join("vault-init.json");
    let run = Nvctl::new()
        .sandbox(&h)
        .args(["init", "--output"])
        .arg(&out)
        .run()
        .exit(0)
        .stdout_has("Unseal Key 1: ********")
        .stdout_has(&out.display().to_string())
        .stdout_has("permanently sealed");

    assert_eq!(mode(&out), 0o600);
    let file = read_json(&out);
    for field in [
        "unseal_keys_b64",
        "unseal_keys_hex",
        "unseal_shares",
        "unseal_threshold",
        "recovery_keys_b64",
        "recovery_keys_hex",
        "recovery_keys_shares",
        "recovery_keys_threshold",
        "root_token",
        "address",
        "created_at",
    ] {
        assert!(file.contains_key(field), "{field} missing: {file:?}");
    }
    assert_eq!(file["unseal_shares"], 5);
    assert_eq!(file["unseal_threshold"], 3);
    assert_eq!(file["address"], h.addr());
    assert!(humantime::parse_rfc3339(file["created_at"].as_str().unwrap()).is_ok());
    let hex = strings(&file["unseal_keys_hex"]);
    assert_eq!(hex, h.unseal_keys(), "the file holds the cluster's keys");
    assert_eq!(file["root_token"], h.root_token().unwrap());
    // No temporary file is left beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // Nothing secret was printed.
    let run = run.hides(&h.root_token().unwrap());
    for key in hex.iter().chain(strings(&file["unseal_keys_b64"]).iter()) {
        assert!(!run.stdout.contains(key.as_str()) && !run.stderr.contains(key.as_str()));
    }

    // The threshold of the saved keys unseals the sandbox.
    let http = Http::new(&h.addr(), "");
    for key in strings(&file["unseal_keys_b64"]).iter().take(3) {
        http.put("sys/unseal", &json!({ "key": key }));
    }
    assert_eq!(seal_status(&h)["sealed"], false);
}

#[test]
fn show_secrets_prints_the_keys_with_vaults_distribution_warning() {
    let h = uninitialized();
    let dir = workdir();
    let out = dir.path().join("init.json");
    let run = Nvctl::new()
        .sandbox(&h)
        .args(["init", "--show-secrets", "--output"])
        .arg(&out)
        .run()
        .exit(0)
        .stdout_has(&h.root_token().unwrap())
        .stdout_has("Please securely distribute the key shares printed above");
    for key in strings(&read_json(&out)["unseal_keys_b64"]) {
        assert!(run.stdout.contains(&key), "key {key} not shown");
    }
}

#[test]
fn an_initialized_vault_is_left_alone_and_only_read() {
    let h = Sandbox::builder().sealed(5, 3).start().expect("sandbox");
    let dir = workdir();
    let out = dir.path().join("vault-init.json");
    Nvctl::new()
        .sandbox(&h)
        .args(["init", "--output"])
        .arg(&out)
        .run()
        .exit(0)
        .stderr_has("already initialized");
    assert!(writes(&h).is_empty(), "{:?}", writes(&h));
    assert!(h.requests().iter().all(|r| r.method == "GET"));
    assert!(!out.exists());
}

#[test]
fn an_existing_output_file_is_never_overwritten_and_nothing_is_initialised() {
    let h = uninitialized();
    let dir = workdir();
    let out = dir.path().join("vault-init.json");
    std::fs::write(&out, "precious").unwrap();
    Nvctl::new()
        .sandbox(&h)
        .args(["init", "--output"])
        .arg(&out)
        .run()
        .exit(1)
        .stderr_has("already exists");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
    assert_eq!(init_puts(&h), 0);
    assert_eq!(seal_status(&h)["initialized"], false);
}

#[test]
fn an_unwritable_place_fails_before_vault_is_touched() {
    let h = uninitialized();
    let dir = workdir();
    // A path under a regular file: not creatable, even for root.
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    let out = blocker.join("vault-init.json");
    Nvctl::new()
        .sandbox(&h)
        .args(["init", "--output"])
        .arg(&out)
        .run()
        .exit(1)
        .stderr_has("cannot create a file in");
    assert_eq!(init_puts(&h), 0);
    assert_eq!(seal_status(&h)["initialized"], false);
}

#[test]
fn threshold_larger_than_shares_is_refused_with_vaults_message() {
    let h = uninitialized();
    let dir = workdir();
    Nvctl::new()
        .sandbox(&h)
        .current_dir(dir.path())
        .args(["init", "--key-shares", "3", "--key-threshold", "5"])
        .run()
        .exit(1)
        .stderr_has("invalid seal configuration: threshold cannot be larger than shares");
    assert!(h.requests().is_empty(), "nothing sent");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn more_than_255_shares_is_refused_with_vaults_message() {
    let h = uninitialized();
    let dir = workdir();
    Nvctl::new()
        .sandbox(&h)
        .current_dir(dir.path())
        .args(["init", "--key-shares", "256", "--key-threshold", "3"])
        .run()
        .exit(1)
        .stderr_has("invalid seal configuration: shares must be less than 256");
    assert!(h.requests().is_empty(), "nothing sent");
}

#[test]
fn a_single_share_works_but_warns() {
    let h = uninitialized();
    let dir = workdir();
    let out = dir.path().join("vault-init.json");
    Nvctl::new()
        .sandbox(&h)
        .args([
            "init",
            "--key-shares",
            "1",
            "--key-threshold",
            "1",
            "--output",
        ])
        .arg(&out)
        .run()
        .exit(0)
        .stderr_has("warning:")
        .stderr_has("single key share");
    let file = read_json(&out);
    assert_eq!(file["unseal_shares"], 1);
    assert_eq!(
        strings(&file["unseal_keys_hex"])[0].len(),
        64,
        "1/1: the raw 32-byte key"
    );
}

#[test]
fn auto_unseal_vault_gets_recovery_shares() {
    support::sandbox_only("needs an auto-unseal Vault");
    let h = Sandbox::builder()
        .uninitialized()
        .auto_unseal()
        .start()
        .expect("sandbox");
    let dir = workdir();
    let out = dir.path().join("vault-init.json");
    Nvctl::new()
        .sandbox(&h)
        .args([
            "init",
            "--key-shares",
            "4",
            "--key-threshold",
            "2",
            "--output",
        ])
        .arg(&out)
        .run()
        .exit(0)
        .stdout_has("Recovery Key 1: ********");
    let put = h
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT" && r.path == "/v1/sys/init")
        .expect("init sent");
    let body: Value = serde_json::from_str(&put.body).unwrap();
    assert_eq!(body["recovery_shares"], 4);
    assert_eq!(body["recovery_threshold"], 2);
    assert!(body.get("secret_shares").is_none(), "{body}");
    let file = read_json(&out);
    assert_eq!(file["recovery_keys_shares"], 4);
    assert_eq!(file["recovery_keys_threshold"], 2);
    assert_eq!(strings(&file["recovery_keys_hex"]).len(), 4);
    assert!(strings(&file["unseal_keys_hex"]).is_empty());
    assert_eq!(
        seal_status(&h)["sealed"],
        false,
        "auto-unseal unseals itself"
    );
}

#[test]
fn a_connection_dropped_after_init_says_vault_may_be_initialised_and_never_retries() {
    support::sandbox_only("needs fault injection");
    // Requests: GET sys/init, GET sys/seal-status, PUT sys/init (applied, then dropped).
    let h = Sandbox::builder()
        .uninitialized()
        .fault(Fault::drop_after_apply(3))
        .start()
        .expect("sandbox");
    let dir = workdir();
    let out = dir.path().join("vault-init.json");
    Nvctl::new()
        .sandbox(&h)
        .args(["init", "--output"])
        .arg(&out)
        .run()
        .exit(2)
        .stderr_has(&format!(
            "PUT sys/init was sent to {} but no usable answer came back",
            h.addr()
        ))
        .stderr_has("may have acted on it (Vault was initialised)")
        .stderr_has("nvctl status")
        .stderr_lacks("refused");
    assert_eq!(init_puts(&h), 1, "sys/init is never sent twice");
    assert!(!out.exists());
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        ["vault-init.json.sent"],
        "the temporary file is removed; the note of the attempt stays for the re-run"
    );
}

#[test]
fn json_output_is_one_document_with_masked_keys() {
    let h = uninitialized();
    let dir = workdir();
    let out = dir.path().join("vault-init.json");
    let run = Nvctl::new()
        .sandbox(&h)
        .args(["init", "--format", "json", "--output"])
        .arg(&out)
        .run()
        .exit(0);
    let doc = run.json();
    assert_eq!(doc["output"], out.display().to_string());
    assert_eq!(doc["unseal_shares"], 5);
    assert_eq!(doc["unseal_threshold"], 3);
    assert_eq!(doc["already_initialized"], false);
    assert_eq!(strings(&doc["unseal_keys_b64"]).len(), 5);
    assert!(strings(&doc["unseal_keys_b64"])
        .iter()
        .all(|k| k == "********"));
    run.hides(&h.root_token().unwrap());
}

#[test]
fn json_output_with_show_secrets_carries_the_keys() {
    let h = uninitialized();
    let dir = workdir();
    let out = dir.path().join("vault-init.json");
    let doc = Nvctl::new()
        .sandbox(&h)
        .args(["init", "--format", "json", "--show-secrets", "--output"])
        .arg(&out)
        .run()
        .exit(0)
        .json();
    assert_eq!(doc["root_token"], h.root_token().unwrap());
    assert_eq!(strings(&doc["unseal_keys_hex"]), h.unseal_keys());
}
