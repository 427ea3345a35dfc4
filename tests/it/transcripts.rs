//! What an operator sees, as snapshots (`insta`): `bootstrap` on a fresh Vault and its re-run,
//! `--plan` with drift, `doctor`, `check-role`, `status` and `bootstrap --destroy`, each in human
//! form (stderr, then stdout) and as JSON. A change to any of these texts shows up here as a diff to review
//! (`cargo insta review`, or `INSTA_UPDATE=always` and `git diff`).
//!
//! What differs from run to run is masked before comparing: tokens, accessors, the sandbox's
//! port, temporary paths and times. Every run is against a fresh sandbox (they are
//! deterministic but for what is masked); none runs against a live Vault.

use crate::support;

use std::path::{Path, PathBuf};

use serde_json::json;
use support::{Http, Nvctl, Run};
use vault_sandbox::{Sandbox, SandboxHandle};

/// The masks, in order: each a regular expression and what stands for it.
const MASKS: &[(&str, &str)] = &[
    // Vault tokens: service (`hvs.`), batch (`hvb.`), and the legacy `s.`/`b.` forms.
    (r"\b(hv[sb]|[sb])\.[A-Za-z0-9_-]{20,}", "[TOKEN]"),
    // Token accessors (24 characters) and mount accessors (`auth_token_1a2b3c4d`).
    (r"\b[A-Za-z0-9]{24}\b", "[ACCESSOR]"),
    (
        r"\b(auth|system|cubbyhole|identity|kv|jwt|token|database)_[0-9a-f]{8}\b",
        "[MOUNT_ACCESSOR]",
    ),
    // Vault names its cluster at init (`vault-cluster-1a2b3c4d`).
    (r"vault-cluster-[0-9a-f]{8}", "vault-cluster-[ID]"),
    // The sandbox listens on a port of its own each run.
    (r"127\.0\.0\.1:[0-9]+", "127.0.0.1:[PORT]"),
    // RFC 3339 times and Go-style remaining durations (`71h59m58s`).
    (
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
        "[TIME]",
    ),
    (r"\b\d+h\d+m\d+s\b", "[DURATION]"),
];

/// Runs `check` with the masks applied to every snapshot it takes, temporary paths included.
fn masked(temp: &[&Path], check: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_snapshot_path("snapshots");
    for dir in temp {
        settings.add_filter(&regex_literal(&dir.display().to_string()), "[TMP]");
    }
    for (pattern, mask) in MASKS {
        settings.add_filter(pattern, *mask);
    }
    settings.bind(check);
}

/// `text` as a regular expression matching itself.
fn regex_literal(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escape = r"\.+*?()|[]{}^$#&-~".contains(c);
            escape.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// The transcript of one run: the command as the operator typed it, the exit code, stderr,
/// then stdout.
fn transcript(command: &str, run: &Run) -> String {
    format!(
        "$ nvctl {command}\nexit: {}\n--- stderr ---\n{}--- stdout ---\n{}",
        run.code, run.stderr, run.stdout
    )
}

/// An uninitialised sandbox, and where the bootstrap keeps its files.
struct Fresh {
    sandbox: SandboxHandle,
    dir: tempfile::TempDir,
}

impl Fresh {
    fn new() -> Fresh {
        support::sandbox_only("snapshots are taken against the sandbox");
        Fresh {
            sandbox: Sandbox::builder().uninitialized().start().unwrap(),
            dir: support::workdir(),
        }
    }

    fn init_file(&self) -> PathBuf {
        self.dir.path().join("vault-init.json")
    }

    fn token_file(&self) -> PathBuf {
        self.dir.path().join("nomad-server.token")
    }

    /// `nvctl bootstrap --yes` with this layout's files and `extra` arguments, and the command
    /// line as an operator would read it.
    fn bootstrap(&self, extra: &[&str]) -> (String, Run) {
        let run = Nvctl::new()
            .env("VAULT_ADDR", &self.sandbox.addr())
            .args(["bootstrap", "--yes", "--init-output"])
            .arg(self.init_file())
            .arg("--token-output")
            .arg(self.token_file())
            .args(extra)
            .run();
        let command = format!(
            "bootstrap --yes --init-output [TMP]/vault-init.json --token-output [TMP]/nomad-server.token {}",
            extra.join(" ")
        );
        (command.trim_end().to_string(), run)
    }

    /// nvctl with the sandbox's address and the root token init obtained.
    fn nvctl(&self) -> Nvctl {
        Nvctl::new().sandbox(&self.sandbox)
    }

    fn root(&self) -> Http {
        Http::new(&self.sandbox.addr(), &self.sandbox.root_token().unwrap())
    }
}

/// A fresh Vault bootstrapped (legacy flow) in one run, then the same command again: the
/// re-run says everything is in place and writes nothing.
#[test]
fn bootstrap_fresh_and_rerun() {
    let vault = Fresh::new();
    masked(&[vault.dir.path()], || {
        let (command, fresh) = vault.bootstrap(&[]);
        let fresh = fresh.exit(0);
        insta::assert_snapshot!("bootstrap_fresh", transcript(&command, &fresh));
        vault.sandbox.clear_requests();
        let (command, rerun) = vault.bootstrap(&[]);
        insta::assert_snapshot!("bootstrap_rerun", transcript(&command, &rerun.exit(0)));
        assert_eq!(support::writes(&vault.sandbox), Vec::<String>::new());
    });
}

#[test]
fn bootstrap_fresh_and_rerun_json() {
    let vault = Fresh::new();
    masked(&[vault.dir.path()], || {
        let (command, fresh) = vault.bootstrap(&["--format", "json"]);
        insta::assert_snapshot!("bootstrap_fresh_json", transcript(&command, &fresh.exit(0)));
        let (command, rerun) = vault.bootstrap(&["--format", "json"]);
        insta::assert_snapshot!("bootstrap_rerun_json", transcript(&command, &rerun.exit(0)));
    });
}

/// The servers' policy changed behind nvctl's back: `--plan` shows the diff, writes nothing
/// and exits 3.
#[test]
fn bootstrap_plan_with_drift() {
    let vault = Fresh::new();
    vault.bootstrap(&[]).1.exit(0);
    assert_eq!(
        vault
            .root()
            .put(
                "sys/policies/acl/nomad-server",
                &json!({"policy": "path \"auth/token/lookup-self\" {\n  capabilities = [\"read\"]\n}\n"}),
            )
            .0,
        204
    );
    vault.sandbox.clear_requests();
    masked(&[vault.dir.path()], || {
        let (command, plan) = vault.bootstrap(&["--plan"]);
        insta::assert_snapshot!("bootstrap_plan_drift", transcript(&command, &plan.exit(3)));
        let (command, plan) = vault.bootstrap(&["--plan", "--format", "json"]);
        insta::assert_snapshot!(
            "bootstrap_plan_drift_json",
            transcript(&command, &plan.exit(3))
        );
    });
    assert_eq!(support::writes(&vault.sandbox), Vec::<String>::new());
}

/// `doctor` on the guide's server configuration, with the token bootstrap wrote.
#[test]
fn doctor_on_a_bootstrapped_vault() {
    let vault = Fresh::new();
    vault.bootstrap(&[]).1.exit(0);
    let token = std::fs::read_to_string(vault.token_file()).unwrap();
    let server = support::agent_file(vault.dir.path(), "server.hcl", &vault.sandbox.addr());
    masked(&[vault.dir.path()], || {
        for (name, extra) in [
            ("doctor", &[][..]),
            ("doctor_json", &["--format", "json"][..]),
        ] {
            let run = Nvctl::new()
                .env("VAULT_ADDR", &vault.sandbox.addr())
                .env("VAULT_TOKEN", token.trim())
                .arg("doctor")
                .args(extra)
                .arg("--agent-config")
                .arg(&server)
                .run()
                .exit(0)
                .hides(token.trim());
            let command = format!("doctor {} --agent-config [TMP]/server.hcl", extra.join(" "));
            insta::assert_snapshot!(name, transcript(&command.replace("  ", " "), &run));
        }
    });
}

/// `check-role` against the role bootstrap wrote, with the servers' token.
#[test]
fn check_role_on_a_bootstrapped_vault() {
    let vault = Fresh::new();
    vault.bootstrap(&[]).1.exit(0);
    masked(&[vault.dir.path()], || {
        for (name, extra) in [
            ("check_role", &[][..]),
            ("check_role_json", &["--format", "json"][..]),
        ] {
            let run = vault
                .nvctl()
                .args(["check-role", "nomad-cluster"])
                .args(extra)
                .arg("--token-file")
                .arg(vault.token_file())
                .run()
                .exit(0);
            let command = format!(
                "check-role nomad-cluster {} --token-file [TMP]/nomad-server.token",
                extra.join(" ")
            );
            insta::assert_snapshot!(name, transcript(&command.replace("  ", " "), &run));
        }
    });
}

/// `status` of a bootstrapped (initialised, unsealed) Vault.
#[test]
fn status_of_a_bootstrapped_vault() {
    let vault = Fresh::new();
    vault.bootstrap(&[]).1.exit(0);
    masked(&[vault.dir.path()], || {
        for (name, extra) in [
            ("status", &[][..]),
            ("status_json", &["--format", "json"][..]),
        ] {
            let run = vault.nvctl().arg("status").args(extra).run().exit(0);
            let command = format!("status {}", extra.join(" "));
            insta::assert_snapshot!(name, transcript(command.trim_end(), &run));
        }
    });
}

/// `bootstrap --flow workload-identity --destroy` after a workload-identity bootstrap: `--plan`
/// lists what would go (exit 3), then with `--yes` the removals are shown in pipeline order,
/// deleted, read back and reported by the driver's table and JSON.
#[test]
fn bootstrap_destroy_plan_then_apply() {
    support::sandbox_only("snapshots are taken against the sandbox");
    let jwks = vault_sandbox::testing::JwksServer::start_ed25519().unwrap();
    let sandbox = support::dev_sandbox();
    let dir = support::workdir();
    Nvctl::new()
        .sandbox(&sandbox)
        .args([
            "bootstrap",
            "--yes",
            "--flow",
            "workload-identity",
            "--jwks-url",
        ])
        .arg(jwks.url())
        .arg("--init-output")
        .arg(dir.path().join("vault-init.json"))
        .run()
        .exit(0);
    let destroy = |extra: &[&str], code: i32| {
        let run = Nvctl::new()
            .sandbox(&sandbox)
            .args(["bootstrap", "--flow", "workload-identity", "--destroy"])
            .args(extra)
            .run()
            .exit(code);
        let command = format!(
            "bootstrap --flow workload-identity --destroy {}",
            extra.join(" ")
        );
        transcript(command.trim_end(), &run)
    };
    masked(&[dir.path()], || {
        insta::assert_snapshot!("destroy_plan", destroy(&["--plan"], 3));
        insta::assert_snapshot!(
            "destroy_plan_json",
            destroy(&["--plan", "--format", "json"], 3)
        );
        insta::assert_snapshot!("destroy", destroy(&["--yes"], 0));
        insta::assert_snapshot!(
            "destroy_again_json",
            destroy(&["--yes", "--format", "json"], 0)
        );
    });
}
