//! `nvctl policy write|show|diff`, end to end: the real binary against a Vault over HTTP
//! (vault-api.md §3). Every refused input is checked to have sent no write.

use crate::support;

use serde_json::json;
use support::{Http, Nvctl, ROOT_TOKEN};

/// The seven paths of the seed tutorial's nomad-server policy, for role `nomad-cluster`.
const SEED_PATHS: [&str; 7] = [
    "auth/token/create/nomad-cluster",
    "auth/token/roles/nomad-cluster",
    "auth/token/lookup-self",
    "auth/token/lookup",
    "auth/token/revoke-accessor",
    "sys/capabilities-self",
    "auth/token/renew-self",
];

fn live_policy(http: &Http, name: &str) -> Option<String> {
    let (status, body) = http.get(&format!("sys/policies/acl/{name}"));
    match status {
        200 => Some(body["data"]["policy"].as_str().unwrap().to_string()),
        404 => None,
        other => panic!("GET policy answered {other}: {body}"),
    }
}

fn sandbox_http(sandbox: &vault_sandbox::SandboxHandle) -> Http {
    Http::new(&sandbox.addr(), ROOT_TOKEN)
}

#[test]
fn policy_write_creates_the_seed_policy_with_all_seven_paths() {
    // vault-api.md §3: PUT sys/policies/acl/:name, GET returns the text.
    let vault = support::vault();
    Nvctl::new()
        .vault(&vault)
        .args(["policy", "write"])
        .run()
        .exit(0)
        .stderr_has("sys/policies/acl/nomad-server: created");
    let text = live_policy(&Http::of(&vault), "nomad-server").expect("policy written");
    for path in SEED_PATHS {
        assert!(
            text.contains(&format!("path \"{path}\"")),
            "{path} missing:\n{text}"
        );
    }
    assert!(!text.contains("{{role}}"));
}

#[test]
fn policy_write_twice_writes_nothing_the_second_time() {
    let sandbox = support::dev_sandbox();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "write"])
        .run()
        .exit(0);
    let before = support::writes(&sandbox).len();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "write"])
        .run()
        .exit(0)
        .stderr_has("[✔] policy \"nomad-server\" already in place.");
    assert_eq!(support::writes(&sandbox).len(), before);
}

#[test]
fn policy_write_on_a_changed_policy_shows_the_diff_and_needs_consent() {
    let sandbox = support::dev_sandbox();
    let http = sandbox_http(&sandbox);
    let changed = "path \"auth/token/lookup-self\" {\n  capabilities = [\"read\"]\n}\n";
    assert_eq!(
        http.put(
            "sys/policies/acl/nomad-server",
            &json!({ "policy": changed })
        )
        .0,
        204
    );
    let before = support::writes(&sandbox);

    // Not on a terminal and no --yes: the diff is shown, nothing is written, exit 1.
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "write"])
        .run()
        .exit(1)
        .stderr_has("+path \"auth/token/create/nomad-cluster\" {")
        .stderr_has("--yes");
    assert_eq!(support::writes(&sandbox), before, "nothing may be written");
    assert_eq!(live_policy(&http, "nomad-server").as_deref(), Some(changed));

    // CI set counts as non-interactive too.
    Nvctl::new()
        .sandbox(&sandbox)
        .env("CI", "true")
        .args(["policy", "write"])
        .run()
        .exit(1)
        .stderr_has("not on a terminal (or CI is set); re-run with --yes to approve");
    assert_eq!(support::writes(&sandbox), before);

    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "write", "--yes"])
        .run()
        .exit(0)
        .stderr_has("sys/policies/acl/nomad-server: updated");
    let text = live_policy(&http, "nomad-server").unwrap();
    assert!(text.contains("auth/token/revoke-accessor"));
}

#[test]
fn policy_write_with_a_file_writes_that_policy_under_the_given_name() {
    let vault = support::vault();
    let dir = support::workdir();
    let file = dir.path().join("access-tables.hcl");
    let text = "path \"database/creds/accessdb\" {\n  capabilities = [\"read\"]\n}\n";
    std::fs::write(&file, text).unwrap();
    Nvctl::new()
        .vault(&vault)
        .args(["policy", "write", "--name", "access-tables", "--file"])
        .arg(&file)
        .run()
        .exit(0);
    assert_eq!(
        live_policy(&Http::of(&vault), "access-tables").as_deref(),
        Some(text)
    );
}

#[test]
fn policy_write_refuses_malformed_hcl_with_file_and_line_and_sends_nothing() {
    let sandbox = support::dev_sandbox();
    let dir = support::workdir();
    let file = dir.path().join("bad.hcl");
    std::fs::write(
        &file,
        "path \"secret/a\" {\n  capabilities = [\"read\"]\n}\n\npath \"secret/b\" {\n  capabilities = [\"read\"\n",
    )
    .unwrap();
    let label = file.display().to_string();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "write", "--name", "bad", "--file"])
        .arg(&file)
        .run()
        .exit(1)
        .stderr_has(&format!("{label}:"))
        .stderr_has("not sent to Vault");
    assert!(support::writes(&sandbox).is_empty());
    assert!(live_policy(&sandbox_http(&sandbox), "bad").is_none());
}

#[test]
fn policy_write_refuses_an_unknown_capability_naming_its_line() {
    let sandbox = support::dev_sandbox();
    let dir = support::workdir();
    let file = dir.path().join("typo.hcl");
    std::fs::write(
        &file,
        "path \"secret/a\" {\n  capabilities = [\"read\"]\n}\npath \"secret/b\" {\n  capabilities = [\"reed\"]\n}\n",
    )
    .unwrap();
    let run = Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "write", "--name", "typo", "--file"])
        .arg(&file)
        .run()
        .exit(1)
        .stderr_has("reed");
    let label = file.display().to_string();
    assert!(
        run.stderr.contains(&format!("{label}:4")) || run.stderr.contains(&format!("{label}:5")),
        "no file:line for the bad capability:\n{}",
        run.stderr
    );
    assert!(support::writes(&sandbox).is_empty());
}

#[test]
fn policy_write_refuses_an_unreadable_file() {
    let sandbox = support::dev_sandbox();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "write", "--file", "/nonexistent/policy.hcl"])
        .run()
        .exit(1)
        .stderr_has("cannot read the policy file /nonexistent/policy.hcl");
    assert!(support::writes(&sandbox).is_empty());
}

#[test]
fn policy_write_with_another_role_substitutes_its_name() {
    let vault = support::vault();
    Nvctl::new()
        .vault(&vault)
        .args(["policy", "write", "--role", "other-role"])
        .run()
        .exit(0);
    let text = live_policy(&Http::of(&vault), "nomad-server").unwrap();
    assert!(text.contains("path \"auth/token/create/other-role\""));
    assert!(text.contains("path \"auth/token/roles/other-role\""));
    assert!(!text.contains("nomad-cluster"));
}

#[test]
fn policy_write_refuses_a_role_name_vault_would_not_accept() {
    let sandbox = support::dev_sandbox();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "write", "--role", "a/b"])
        .run()
        .exit(1)
        .stderr_has("invalid --role");
    assert!(support::writes(&sandbox).is_empty());
}

#[test]
fn policy_show_prints_the_live_text_and_json() {
    let vault = support::vault();
    Nvctl::new()
        .vault(&vault)
        .args(["policy", "write"])
        .run()
        .exit(0);
    Nvctl::new()
        .vault(&vault)
        .args(["policy", "show"])
        .run()
        .exit(0)
        .stdout_has("path \"auth/token/renew-self\" {");
    let run = Nvctl::new()
        .vault(&vault)
        .args(["policy", "show", "--format", "json"])
        .run()
        .exit(0);
    let doc = run.json();
    assert_eq!(doc["name"], "nomad-server");
    assert!(doc["policy"]
        .as_str()
        .unwrap()
        .contains("sys/capabilities-self"));
}

#[test]
fn policy_show_of_a_missing_policy_names_it_and_exits_2() {
    let sandbox = support::dev_sandbox();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "show", "--name", "nope"])
        .run()
        .exit(2)
        .stderr_has("policy \"nope\" does not exist");
}

#[test]
fn policy_diff_exits_0_when_equal_and_3_when_different_or_missing() {
    let sandbox = support::dev_sandbox();
    let http = sandbox_http(&sandbox);
    // Missing: differs from the desired text.
    let run = Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "diff", "--format", "json"])
        .run()
        .exit(3);
    let doc = run.json();
    assert_eq!(doc["exists"], false);
    assert_eq!(doc["equal"], false);

    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "write"])
        .run()
        .exit(0);
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "diff"])
        .run()
        .exit(0)
        .stdout_lacks("@@");

    // Same rules, different layout and no comments: still equal.
    let reformatted: String = SEED_PATHS
        .iter()
        .rev()
        .map(|p| {
            let cap = match *p {
                "auth/token/roles/nomad-cluster" | "auth/token/lookup-self" => "read",
                _ => "update",
            };
            format!("path \"{p}\" {{ capabilities = [\"{cap}\"] }}\n")
        })
        .collect();
    assert_eq!(
        http.put(
            "sys/policies/acl/nomad-server",
            &json!({ "policy": reformatted })
        )
        .0,
        204
    );
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "diff"])
        .run()
        .exit(0);

    // A real change: exit 3 with a unified diff of the two policies as Vault enforces them,
    // so the other layout (reverse order, one line per block, no comments) shows nothing: the
    // missing block is the whole diff.
    let changed = reformatted.replace(
        "path \"sys/capabilities-self\" { capabilities = [\"update\"] }\n",
        "",
    );
    http.put(
        "sys/policies/acl/nomad-server",
        &json!({ "policy": changed }),
    );
    let run = Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "diff"])
        .run()
        .exit(3)
        .stdout_has("--- live policy \"nomad-server\" (normalised)")
        .stdout_has("+++ desired policy \"nomad-server\" (normalised)");
    let changes: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| (l.starts_with('+') || l.starts_with('-')) && !l.starts_with("+++"))
        .filter(|l| !l.starts_with("---"))
        .collect();
    assert_eq!(
        changes,
        [
            "+path \"sys/capabilities-self\" {",
            "+  capabilities = [\"update\"]",
            "+}"
        ],
        "{}",
        run.stdout
    );
    let doc = Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "diff", "--format", "json"])
        .run()
        .exit(3)
        .json();
    assert_eq!(doc["name"], "nomad-server");
    assert_eq!(doc["equal"], false);
    assert!(doc["diff"].as_str().unwrap().contains("+path"));
    // diff never writes.
    assert_eq!(
        support::writes(&sandbox)
            .iter()
            .filter(|w| w.starts_with("PUT") || w.starts_with("POST"))
            .count(),
        3,
        "{:?}",
        support::writes(&sandbox)
    );
}

#[test]
fn policy_write_json_reports_the_outcome() {
    let sandbox = support::dev_sandbox();
    let doc = Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "write", "--format", "json"])
        .run()
        .exit(0)
        .json();
    assert_eq!(doc["outcome"], "created");
    assert_eq!(doc["ok"], true);
    let doc = Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "write", "--format", "json"])
        .run()
        .exit(0)
        .json();
    assert_eq!(doc["outcome"], "unchanged");
}
