//! `nvctl unseal`, end to end: the real binary against sealed sandboxes over HTTP. Every test
//! needs a sealed Vault whose keys it knows, so they run against the sandbox only.
//! vault-api.md §0 (standby nodes), §1 (init answer formats), §2 (unseal, seal-status).

use crate::support;

use serde_json::{json, Value};
use support::{workdir, writes, Http, Nvctl};
use vault_sandbox::{Sandbox, SandboxHandle};

fn sealed() -> SandboxHandle {
    support::sandbox_only("needs a sealed Vault with known keys");
    Sandbox::builder().sealed(5, 3).start().expect("sandbox")
}

fn seal_status(h: &SandboxHandle) -> Value {
    Http::new(&h.addr(), "").get("sys/seal-status").1
}

fn unseal_puts(h: &SandboxHandle) -> usize {
    writes(h)
        .iter()
        .filter(|w| w.starts_with("PUT /v1/sys/unseal"))
        .count()
}

/// The file `vault operator init -format=json` writes, for the sandbox's keys.
fn vault_cli_init_file(h: &SandboxHandle) -> String {
    json!({
        "unseal_keys_b64": [],
        "unseal_keys_hex": h.unseal_keys(),
        "unseal_shares": 5,
        "unseal_threshold": 3,
        "recovery_keys_b64": [],
        "recovery_keys_hex": [],
        "recovery_keys_shares": 0,
        "recovery_keys_threshold": 0,
        "root_token": h.root_token().unwrap(),
    })
    .to_string()
}

#[test]
fn unseal_from_an_init_file_sends_the_threshold_and_unseals() {
    let h = sealed();
    let dir = workdir();
    let path = dir.path().join("vault-init.json");
    std::fs::write(&path, vault_cli_init_file(&h)).unwrap();
    let run = Nvctl::new()
        .sandbox(&h)
        .args(["unseal", "--keys-file"])
        .arg(&path)
        .run()
        .exit(0)
        .stdout_has("unsealed")
        .stdout_has("sealed (0/3)");
    for key in h.unseal_keys() {
        assert!(!run.stdout.contains(&key) && !run.stderr.contains(&key));
    }
    assert_eq!(seal_status(&h)["sealed"], false);
    assert_eq!(unseal_puts(&h), 3, "exactly the threshold");
}

#[test]
fn init_then_unseal_with_nvctls_own_file() {
    support::sandbox_only("needs an uninitialised Vault");
    let h = Sandbox::builder().uninitialized().start().expect("sandbox");
    let dir = workdir();
    let path = dir.path().join("vault-init.json");
    Nvctl::new()
        .sandbox(&h)
        .args(["init", "--output"])
        .arg(&path)
        .run()
        .exit(0);
    Nvctl::new()
        .sandbox(&h)
        .args(["unseal", "--keys-file"])
        .arg(&path)
        .run()
        .exit(0);
    assert_eq!(seal_status(&h)["sealed"], false);
}

#[test]
fn unseal_from_stdin_one_key_per_line() {
    let h = sealed();
    let keys = h.unseal_keys();
    Nvctl::new()
        .sandbox(&h)
        .args(["unseal", "--stdin"])
        .stdin(format!("{}\n\n{}\n{}\n", keys[4], keys[2], keys[0]))
        .run()
        .exit(0);
    assert_eq!(seal_status(&h)["sealed"], false);
}

#[test]
fn unseal_from_a_saved_raw_sys_init_answer() {
    let h = sealed();
    let dir = workdir();
    let path = dir.path().join("init-response.json");
    std::fs::write(
        &path,
        json!({"keys": h.unseal_keys(), "keys_base64": [], "root_token": h.root_token()})
            .to_string(),
    )
    .unwrap();
    Nvctl::new()
        .sandbox(&h)
        .args(["unseal", "--keys-file"])
        .arg(&path)
        .run()
        .exit(0);
    assert_eq!(seal_status(&h)["sealed"], false);
    assert_eq!(unseal_puts(&h), 3, "stops as soon as the node is unsealed");
}

#[test]
fn every_address_is_unsealed_active_and_standby() {
    let active = sealed();
    let standby = Sandbox::builder()
        .standby_of(&active)
        .start()
        .expect("standby");
    let keys = active.unseal_keys();
    let run = Nvctl::new()
        .args(["unseal", "--stdin", "--format", "json", "--address"])
        .arg(active.addr())
        .arg("--address")
        .arg(standby.addr())
        .stdin(keys[..3].join("\n"))
        .run()
        .exit(0);
    assert_eq!(seal_status(&active)["sealed"], false);
    assert_eq!(seal_status(&standby)["sealed"], false);
    assert_eq!(unseal_puts(&standby), 3, "unseal is never forwarded");
    let doc = run.json();
    let nodes = doc["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 2);
    for node in nodes {
        assert_eq!(node["before"]["sealed"], true);
        assert_eq!(node["after"]["sealed"], false);
        assert_eq!(node["keys_submitted"], 3);
    }
}

#[test]
fn an_unsealed_node_is_sent_nothing() {
    support::sandbox_only("counts requests");
    let h = Sandbox::builder().dev("root").start().expect("sandbox");
    let keys = h.unseal_keys();
    Nvctl::new()
        .sandbox(&h)
        .args(["unseal", "--stdin"])
        .stdin(keys.join("\n"))
        .run()
        .exit(0)
        .stderr_has("nothing sent");
    assert!(writes(&h).is_empty(), "{:?}", writes(&h));
}

#[test]
fn a_malformed_key_fails_before_anything_is_sent() {
    let h = sealed();
    let keys = h.unseal_keys();
    let bad = "this-is-not-a-key";
    Nvctl::new()
        .sandbox(&h)
        .args(["unseal", "--stdin"])
        .stdin(format!("{}\n{bad}\n{}\n", keys[0], keys[1]))
        .run()
        .exit(1)
        .stderr_has("unseal key 2 from stdin is malformed")
        .stderr_has("'key' must be a valid hex or base64 string")
        .hides(bad);
    assert!(h.requests().is_empty(), "nothing sent");
}

#[test]
fn a_key_of_the_wrong_length_fails_before_anything_is_sent() {
    let h = sealed();
    Nvctl::new()
        .sandbox(&h)
        .args(["unseal", "--stdin"])
        .stdin("deadbeef\n")
        .run()
        .exit(1)
        .stderr_has("invalid key: key is shorter than minimum 16 bytes");
    assert_eq!(unseal_puts(&h), 0);
}

#[test]
fn unseal_with_wrong_shares_resets_progress_and_exits_2() {
    let h = sealed();
    let other = Sandbox::builder().sealed(5, 3).start().expect("other");
    let wrong = other.unseal_keys();
    Nvctl::new()
        .sandbox(&h)
        .args(["unseal", "--stdin"])
        .stdin(wrong[..3].join("\n"))
        .run()
        .exit(2)
        .stderr_has("progress was reset")
        .hides(&wrong[0]);
    let status = seal_status(&h);
    assert_eq!(status["sealed"], true);
    assert_eq!(status["progress"], 0);
}

#[test]
fn reset_discards_the_progress_of_each_sealed_node() {
    let h = sealed();
    let http = Http::new(&h.addr(), "");
    http.put("sys/unseal", &json!({"key": h.unseal_keys()[0]}));
    assert_eq!(seal_status(&h)["progress"], 1);
    Nvctl::new()
        .sandbox(&h)
        .args(["unseal", "--reset"])
        .run()
        .exit(0)
        .stderr_has("progress discarded");
    let status = seal_status(&h);
    assert_eq!(
        (status["sealed"].clone(), status["progress"].clone()),
        (json!(true), json!(0))
    );
    let put = h
        .requests()
        .into_iter()
        .rfind(|r| r.method == "PUT")
        .unwrap();
    let body: Value = serde_json::from_str(&put.body).unwrap();
    assert_eq!(body, json!({"reset": true}));
}

#[test]
fn without_a_key_source_and_without_a_terminal_names_the_flags() {
    let h = sealed();
    Nvctl::new()
        .sandbox(&h)
        .args(["unseal"])
        .run()
        .exit(1)
        .stderr_has("--keys-file")
        .stderr_has("--stdin");
    assert!(h.requests().is_empty());
}

#[test]
fn an_unreadable_keys_file_is_a_local_error() {
    let h = sealed();
    let dir = workdir();
    Nvctl::new()
        .sandbox(&h)
        .args(["unseal", "--keys-file"])
        .arg(dir.path().join("missing.json"))
        .run()
        .exit(1)
        .stderr_has("cannot read the init file");
    assert!(h.requests().is_empty());
}

#[test]
fn an_uninitialised_node_is_reported_not_unsealed() {
    support::sandbox_only("needs an uninitialised Vault");
    let h = Sandbox::builder().uninitialized().start().expect("sandbox");
    Nvctl::new()
        .sandbox(&h)
        .args(["unseal", "--stdin"])
        .stdin("ab".repeat(33))
        .run()
        .exit(2)
        .stderr_has("not initialized")
        .stderr_has("nvctl init");
    assert_eq!(unseal_puts(&h), 0);
}
