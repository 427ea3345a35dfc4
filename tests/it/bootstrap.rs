//! `nvctl bootstrap` end to end: the real binary against sandboxes over HTTP — a fresh Vault
//! bootstrapped in one run, a second run that writes nothing, drift found by `--plan` and fixed,
//! consent, `--dev`, JSON, and interrupted runs that converge when re-run.

use crate::support;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use support::{Http, Nvctl};
use vault_sandbox::{Fault, Sandbox, SandboxHandle};

struct Layout {
    _dir: tempfile::TempDir,
    init: PathBuf,
    token: PathBuf,
}

fn layout() -> Layout {
    let dir = support::workdir();
    Layout {
        init: dir.path().join("vault-init.json"),
        token: dir.path().join("nomad-server.token"),
        _dir: dir,
    }
}

/// `nvctl bootstrap` at a sandbox with the layout's files (no operator token: it uses the
/// root token it obtains or finds in the init file).
fn bootstrap(sandbox: &SandboxHandle, files: &Layout) -> Nvctl {
    Nvctl::new()
        .env("VAULT_ADDR", &sandbox.addr())
        .args(["bootstrap", "--init-output"])
        .arg(&files.init)
        .arg("--token-output")
        .arg(&files.token)
}

fn root_http(sandbox: &SandboxHandle) -> Http {
    Http::new(&sandbox.addr(), &sandbox.root_token().expect("initialised"))
}

/// The tutorial's objects are in Vault and the token file holds a token Nomad would take.
fn assert_bootstrapped(sandbox: &SandboxHandle, files: &Layout) {
    let http = root_http(sandbox);
    let (status, policy) = http.get("sys/policies/acl/nomad-server");
    assert_eq!(status, 200, "policy missing");
    assert!(policy["data"]["policy"]
        .as_str()
        .unwrap()
        .contains("auth/token/create/nomad-cluster"));
    let (status, role) = http.get("auth/token/roles/nomad-cluster");
    assert_eq!(status, 200, "role missing");
    assert_eq!(role["data"]["disallowed_policies"], json!(["nomad-server"]));
    assert_eq!(role["data"]["orphan"], json!(true));
    assert_eq!(role["data"]["token_period"], json!(259200));
    let token = std::fs::read_to_string(&files.token).expect("token file");
    let (status, lookup) = http.put("auth/token/lookup", &json!({"token": token.trim()}));
    assert_eq!(status, 200, "the token on file is unknown to Vault");
    let policies = lookup["data"]["policies"].as_array().unwrap();
    assert!(policies.contains(&json!("nomad-server")));
    assert_eq!(lookup["data"]["orphan"], json!(true));
    assert_eq!(lookup["data"]["renewable"], json!(true));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in [&files.init, &files.token] {
            let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} is {mode:o}", file.display());
        }
    }
}

fn init_file_has_keys(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .is_some_and(|v| {
            v["unseal_keys_b64"]
                .as_array()
                .is_some_and(|k| !k.is_empty())
                && v["root_token"].as_str().is_some_and(|t| !t.is_empty())
        })
}

#[test]
fn fresh_vault_is_bootstrapped_in_one_run_and_a_second_run_writes_nothing() {
    support::sandbox_only("needs an uninitialised Vault");
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let files = layout();
    let run = bootstrap(&sandbox, &files).arg("--yes").run().exit(0);
    assert!(init_file_has_keys(&files.init));
    assert_bootstrapped(&sandbox, &files);
    // Nothing secret on the terminal.
    let root = sandbox.root_token().unwrap();
    let token = std::fs::read_to_string(&files.token).unwrap();
    let run = run.hides(&root).hides(token.trim());
    assert!(run.stdout.contains("create_from_role = \"nomad-cluster\""));

    sandbox.clear_requests();
    bootstrap(&sandbox, &files)
        .arg("--yes")
        .run()
        .exit(0)
        .stderr_has("policy \"nomad-server\" already in place.")
        .stderr_has("token role \"nomad-cluster\" already in place.");
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());
    assert_eq!(std::fs::read_to_string(&files.token).unwrap(), token);
}

#[test]
fn plan_on_a_fresh_vault_lists_every_step_sends_no_write_and_exits_3() {
    support::sandbox_only("needs an uninitialised Vault");
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let files = layout();
    let run = bootstrap(&sandbox, &files)
        .args(["--plan", "--format", "json"])
        .run()
        .exit(3);
    let doc = run.json();
    assert_eq!(doc["pending"], json!(true));
    let steps: Vec<&str> = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["init", "unseal", "policy", "role", "token"]);
    for request in sandbox.requests() {
        assert_eq!(request.method, "GET", "--plan sent {request:?}");
    }
    assert!(!files.init.exists());
}

#[test]
fn drift_in_the_role_is_shown_by_plan_and_fixed_by_a_yes_run() {
    support::sandbox_only("needs an uninitialised Vault");
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let files = layout();
    bootstrap(&sandbox, &files).arg("--yes").run().exit(0);
    let http = root_http(&sandbox);
    let (status, _) = http.put(
        "auth/token/roles/nomad-cluster",
        &json!({"orphan": false, "token_period": "1h"}),
    );
    assert_eq!(status, 204);

    sandbox.clear_requests();
    bootstrap(&sandbox, &files)
        .arg("--plan")
        .run()
        .exit(3)
        .stderr_has("token role \"nomad-cluster\" differs")
        .stderr_has("-  \"orphan\": false")
        .stderr_has("+  \"orphan\": true")
        .stderr_has("policy \"nomad-server\" already in place.");
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());

    bootstrap(&sandbox, &files).arg("--yes").run().exit(0);
    let (_, role) = http.get("auth/token/roles/nomad-cluster");
    assert_eq!(role["data"]["orphan"], json!(true));
    assert_eq!(role["data"]["token_period"], json!(259200));
    bootstrap(&sandbox, &files).arg("--plan").run().exit(0);
}

#[test]
fn without_a_terminal_and_without_yes_nothing_is_written() {
    support::sandbox_only("needs an uninitialised Vault");
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let files = layout();
    bootstrap(&sandbox, &files)
        .run()
        .exit(1)
        .stderr_has("--yes");
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());
    assert!(!files.init.exists());

    // Same when only the role drifted: the refusal comes before the first write.
    bootstrap(&sandbox, &files).arg("--yes").run().exit(0);
    root_http(&sandbox).delete("auth/token/roles/nomad-cluster");
    sandbox.clear_requests();
    bootstrap(&sandbox, &files)
        .run()
        .exit(1)
        .stderr_has("--yes");
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());
}

#[test]
fn json_reports_outcomes_the_accessor_and_written_files_but_not_the_token() {
    support::sandbox_only("needs an uninitialised Vault");
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let files = layout();
    let run = bootstrap(&sandbox, &files)
        .args(["--yes", "--format", "json"])
        .run()
        .exit(0);
    let doc = run.json();
    let token = std::fs::read_to_string(&files.token).unwrap();
    let run = run.hides(token.trim());
    assert!(doc["token"]["accessor"]
        .as_str()
        .is_some_and(|a| !a.is_empty()));
    assert!(doc["token"].get("token").is_none());
    let written: Vec<&str> = doc["written"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(written.contains(&files.init.to_str().unwrap()));
    assert!(written.contains(&files.token.to_str().unwrap()));
    for step in doc["steps"].as_array().unwrap() {
        assert_eq!(step["outcome"], json!("created"), "{step}");
    }
    assert_eq!(
        doc["verification"]["nomad_would_disable_vault"],
        json!(false)
    );
    drop(run);

    let again = bootstrap(&sandbox, &files)
        .args(["--yes", "--format", "json", "--show-secrets"])
        .run()
        .exit(0)
        .json();
    assert_eq!(again["token"]["token"], json!(token.trim()));
    assert_eq!(again["written"], json!([]));
    for step in again["steps"].as_array().unwrap() {
        assert_eq!(step["outcome"], json!("unchanged"), "{step}");
    }
}

#[test]
fn rotate_token_mints_a_new_one_and_revokes_the_old_one() {
    support::sandbox_only("needs an uninitialised Vault");
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let files = layout();
    bootstrap(&sandbox, &files).arg("--yes").run().exit(0);
    let old = std::fs::read_to_string(&files.token).unwrap();
    bootstrap(&sandbox, &files)
        .args(["--yes", "--rotate-token"])
        .run()
        .exit(0);
    let new = std::fs::read_to_string(&files.token).unwrap();
    assert_ne!(old, new);
    let http = root_http(&sandbox);
    let (status, _) = http.put("auth/token/lookup", &json!({"token": old.trim()}));
    assert_eq!(status, 403, "the old token still works");
    assert_bootstrapped(&sandbox, &files);
}

#[test]
fn initialised_vault_uses_the_operators_token_and_needs_no_init_file() {
    let vault = support::vault();
    let files = layout();
    Nvctl::new()
        .vault(&vault)
        .args(["bootstrap", "--yes", "--init-output"])
        .arg(&files.init)
        .arg("--token-output")
        .arg(&files.token)
        .run()
        .exit(0)
        .stderr_has("is initialized: already in place.");
    assert!(!files.init.exists());
    let http = Http::of(&vault);
    assert_eq!(http.get("auth/token/roles/nomad-cluster").0, 200);
}

#[test]
fn sealed_vault_without_keys_is_an_error_naming_the_init_file() {
    support::sandbox_only("needs a sealed Vault");
    let sandbox = Sandbox::builder().sealed(5, 3).start().unwrap();
    let files = layout();
    bootstrap(&sandbox, &files)
        .env("VAULT_TOKEN", &sandbox.root_token().unwrap())
        .arg("--yes")
        .run()
        .exit(1)
        .stderr_has("no unseal keys");
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());
}

#[test]
fn dev_bootstraps_an_in_memory_vault_and_prints_stanzas_that_parse() {
    let dir = support::workdir();
    let run = Nvctl::new()
        .current_dir(dir.path())
        .args(["bootstrap", "--dev"])
        .run()
        .exit(0)
        .stderr_has("Bootstrap complete");
    let body: hcl::Body = hcl::from_str(&run.stdout).expect("stdout is HCL");
    let blocks: Vec<&hcl::Block> = body
        .blocks()
        .filter(|b| b.identifier() == "vault")
        .collect();
    assert_eq!(blocks.len(), 2, "{}", run.stdout);
    let server = blocks[0];
    let attr = |name: &str| {
        server
            .body()
            .attributes()
            .find(|a| a.key() == name)
            .map(|a| a.expr().clone())
    };
    assert_eq!(
        attr("create_from_role"),
        Some(hcl::Expression::from("nomad-cluster"))
    );
    assert_eq!(attr("task_token_ttl"), Some(hcl::Expression::from("1h")));
    assert_eq!(attr("enabled"), Some(hcl::Expression::from(true)));
}

/// A connection dropped after Vault applied request N, for every N of a fresh bootstrap:
/// the re-run converges, and whenever Vault is initialised its keys are on disk — except when
/// the dropped answer was `sys/init`'s own, which nvctl must then say plainly.
#[test]
fn a_dropped_connection_at_any_request_converges_on_rerun_and_never_loses_keys() {
    support::sandbox_only("injects faults");
    let probe = Sandbox::builder().uninitialized().start().unwrap();
    let files = layout();
    bootstrap(&probe, &files).arg("--yes").run().exit(0);
    let total = probe.requests().len() as u64;
    let init_index = probe
        .requests()
        .iter()
        .position(|r| r.method == "PUT" && r.path.starts_with("/v1/sys/init"))
        .unwrap() as u64
        + 1;
    assert!(total > 5, "only {total} requests");

    let mut interrupted = 0;
    for n in 1..=total {
        let sandbox = Sandbox::builder()
            .uninitialized()
            .fault(Fault::drop_after_apply(n))
            .start()
            .unwrap();
        let files = layout();
        let first = bootstrap(&sandbox, &files)
            .args(["--yes", "--max-retries", "0"])
            .run();
        assert!(
            [0, 2].contains(&first.code),
            "request {n}: exit {}\n{}",
            first.code,
            first.stderr
        );
        if first.code == 2 {
            interrupted += 1;
        }
        let initialised = sandbox.root_token().is_some();
        if n == init_index {
            assert_eq!(first.code, 2);
            assert!(
                first
                    .stderr
                    .contains("may have acted on it (Vault was initialised)"),
                "{}",
                first.stderr
            );
            // The re-run says plainly that the keys are lost (issue 10).
            let rerun = bootstrap(&sandbox, &files).arg("--yes").run();
            assert!(
                rerun.stderr.contains(
                    "Vault was initialised by a run whose answer was not saved: the unseal keys \
                     and the root token are lost"
                ),
                "{}",
                rerun.stderr
            );
            continue;
        }
        assert!(
            !initialised || init_file_has_keys(&files.init),
            "request {n}: Vault is initialised but the keys are not on disk"
        );
        bootstrap(&sandbox, &files).arg("--yes").run().exit(0);
        assert_bootstrapped(&sandbox, &files);
        sandbox.clear_requests();
        bootstrap(&sandbox, &files).arg("--yes").run().exit(0);
        assert_eq!(
            support::writes(&sandbox),
            Vec::<String>::new(),
            "request {n}"
        );
    }
    // Without retries most dropped answers end the first run: the faults did bite.
    assert!(
        interrupted * 2 > total,
        "{interrupted} of {total} runs interrupted"
    );
}

/// `nvctl bootstrap --yes` at the given nodes (in that order) with the layout's files.
fn bootstrap_nodes(nodes: &[&SandboxHandle], files: &Layout) -> Nvctl {
    let mut nvctl = Nvctl::new()
        .env_remove("VAULT_ADDR")
        .args(["bootstrap", "--yes"]);
    for node in nodes {
        nvctl = nvctl.args(["--address", &node.addr()]);
    }
    nvctl
        .arg("--init-output")
        .arg(&files.init)
        .arg("--token-output")
        .arg(&files.token)
}

/// vault-api.md §2: each node answers `sys/seal-status` for itself.
fn is_sealed(node: &SandboxHandle) -> bool {
    let (status, seal) = Http::new(&node.addr(), "").get("sys/seal-status");
    assert_eq!(status, 200);
    seal["sealed"].as_bool().expect("sealed is a boolean")
}

#[test]
fn a_standby_given_as_address_is_unsealed_too_and_the_objects_land_on_the_active_node() {
    // vault-api.md §0 "Standby nodes": the barrier is shared but every node must be unsealed.
    support::sandbox_only("needs an uninitialised cluster");
    let active = Sandbox::builder().uninitialized().start().unwrap();
    let standby = Sandbox::builder().standby_of(&active).start().unwrap();
    let files = layout();
    bootstrap_nodes(&[&active, &standby], &files).run().exit(0);
    assert!(!is_sealed(&active), "the active node is still sealed");
    assert!(!is_sealed(&standby), "the standby is still sealed");
    assert_bootstrapped(&active, &files);
    assert_eq!(support::writes(&standby), vec!["PUT /v1/sys/unseal"; 3]);
}

#[test]
fn an_uninitialised_cluster_given_standby_first_is_initialised_through_it() {
    // vault-api.md §1 and §0: before init there is no active node to prefer, so init may be
    // answered by the standby; the root token it mints is the cluster's, and the logical writes
    // that follow reach the active node through the standby's 307s.
    support::sandbox_only("needs an uninitialised cluster");
    let active = Sandbox::builder().uninitialized().start().unwrap();
    let standby = Sandbox::builder().standby_of(&active).start().unwrap();
    let files = layout();
    bootstrap_nodes(&[&standby, &active], &files).run().exit(0);
    assert!(!is_sealed(&active), "the active node is still sealed");
    assert!(!is_sealed(&standby), "the standby is still sealed");
    assert_bootstrapped(&active, &files);
}

#[test]
fn a_sealed_cluster_given_standby_first_is_unsealed_node_by_node_and_configured_through_the_redirect(
) {
    // vault-api.md §0 "Standby nodes": a standby answers logical requests with 307 to the
    // active node (the client follows it), so the order of the addresses does not matter once
    // the cluster is initialised; unseal is node-local (§2), so both nodes get the shares.
    support::sandbox_only("needs a sealed cluster");
    let active = Sandbox::builder().sealed(5, 3).start().unwrap();
    let standby = Sandbox::builder().standby_of(&active).start().unwrap();
    let files = layout();
    // The init file an earlier `vault operator init` left (its JSON output's field names).
    let init = json!({
        "unseal_keys_b64": active.unseal_keys(),
        "unseal_shares": 5,
        "unseal_threshold": 3,
        "root_token": active.root_token().unwrap(),
    });
    std::fs::write(&files.init, init.to_string()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&files.init, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    bootstrap_nodes(&[&standby, &active], &files)
        .run()
        .exit(0)
        .stderr_has("is initialized: already in place.");
    assert!(!is_sealed(&active), "the active node is still sealed");
    assert!(!is_sealed(&standby), "the standby is still sealed");
    assert_bootstrapped(&active, &files);
    // Init was not repeated; the standby got the shares, and every write it received was
    // answered with a 307 and made again, by the active node.
    let configured = [
        "PUT /v1/sys/policies/acl/nomad-server",
        "PUT /v1/auth/token/roles/nomad-cluster",
        "POST /v1/auth/token/create-orphan",
    ];
    // The policy and the role are written in parallel: their order is not fixed.
    let mut expected: Vec<String> = ["PUT /v1/sys/unseal"; 3]
        .into_iter()
        .chain(configured)
        .map(String::from)
        .collect();
    expected.sort();
    let sorted = |mut writes: Vec<String>| {
        writes.sort();
        writes
    };
    assert_eq!(sorted(support::writes(&standby)), expected);
    assert_eq!(sorted(support::writes(&active)), expected);
}
