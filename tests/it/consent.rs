//! Consent as an operator at a terminal meets it (issue 10, "Prompts"): a whole line answers —
//! `y`/`yes` in any case approves, `n`/`no`/an empty line declines, anything else asks again;
//! what was typed before a question appeared never answers it; a stage written together asks
//! every question before writing any, and says so; and no text claims a thing was written
//! before it was. The binary runs on a pseudo-terminal (`Nvctl::on_terminal`).

use crate::support::{self, Http, Nvctl, Terminal, ROOT_TOKEN};

use std::time::Duration;

use serde_json::json;
use vault_sandbox::{Sandbox, SandboxHandle};

const PROMPT: &str = "Apply this change to sys/policies/acl/nomad-server? [y/N] ";
const OTHER_POLICY: &str = "path \"secret/*\" {\n  capabilities = [\"read\"]\n}\n";

/// A dev sandbox whose `nomad-server` policy says something else, so `policy write` shows a
/// diff and asks.
fn drifted(latency: Duration) -> SandboxHandle {
    support::sandbox_only("counts the writes the sandbox receives");
    let sandbox = Sandbox::builder()
        .dev(ROOT_TOKEN)
        .latency(latency)
        .start()
        .unwrap();
    let (status, _) = Http::new(&sandbox.addr(), ROOT_TOKEN).put(
        "sys/policies/acl/nomad-server",
        &json!({ "policy": OTHER_POLICY }),
    );
    assert_eq!(status, 204);
    sandbox.clear_requests();
    sandbox
}

/// `bootstrap` on a terminal against an initialised, unsealed Vault without the policy and the
/// role: both are one stage, written together once both are approved.
fn bootstrap_on_terminal() -> (SandboxHandle, tempfile::TempDir, Terminal) {
    support::sandbox_only("counts the writes the sandbox receives");
    let sandbox = support::dev_sandbox();
    let dir = support::workdir();
    sandbox.clear_requests();
    let terminal = Nvctl::new()
        .sandbox(&sandbox)
        .args(["bootstrap", "--init-output"])
        .arg(dir.path().join("vault-init.json"))
        .arg("--token-output")
        .arg(dir.path().join("nomad-server.token"))
        .on_terminal();
    (sandbox, dir, terminal)
}

fn live_policy(sandbox: &SandboxHandle) -> String {
    let (_, body) = Http::new(&sandbox.addr(), ROOT_TOKEN).get("sys/policies/acl/nomad-server");
    body["data"]["policy"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn anything_but_yes_or_no_asks_again_and_yes_in_any_case_approves() {
    let sandbox = drifted(Duration::ZERO);
    let mut terminal = Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "write"])
        .on_terminal();
    terminal.expect(PROMPT).send("maybe\n");
    terminal.expect("Please answer y (yes) or n (no).");
    terminal.expect(PROMPT).send("ye\n");
    terminal.expect(PROMPT).send("YES\n");
    terminal
        .finish()
        .exit(0)
        .stderr_has("sys/policies/acl/nomad-server: updated");
    assert!(live_policy(&sandbox).contains("auth/token/create/nomad-cluster"));
}

#[test]
fn no_in_any_case_or_an_empty_line_declines_and_nothing_is_written() {
    for answer in ["\n", "No\n", "n\n"] {
        let sandbox = drifted(Duration::ZERO);
        let mut terminal = Nvctl::new()
            .sandbox(&sandbox)
            .args(["policy", "write"])
            .on_terminal();
        terminal.expect(PROMPT).send(answer);
        terminal
            .finish()
            .exit(1)
            .stderr_has("sys/policies/acl/nomad-server was not changed: the operator declined");
        assert_eq!(
            support::writes(&sandbox),
            Vec::<String>::new(),
            "{answer:?}"
        );
        assert_eq!(live_policy(&sandbox), OTHER_POLICY);
    }
}

#[test]
fn input_typed_before_the_question_never_answers_it() {
    // Every request answers 300 ms late, so the "y" below is typed while nvctl is still
    // observing Vault, well before the question appears.
    let sandbox = drifted(Duration::from_millis(300));
    let mut terminal = Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "write"])
        .on_terminal();
    terminal.send("y\n");
    terminal.expect(PROMPT).send("n\n");
    terminal
        .finish()
        .exit(1)
        .stderr_has("the operator declined");
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());
    assert_eq!(live_policy(&sandbox), OTHER_POLICY);
}

/// Two answers typed at the first question: the second line is typed ahead of the next
/// question and is discarded, so the role question still waits for its own answer.
#[test]
fn an_answer_typed_ahead_never_carries_into_the_next_question() {
    let (sandbox, _dir, mut terminal) = bootstrap_on_terminal();
    terminal.expect(PROMPT).send("y\ny\n");
    terminal
        .expect("Apply this change to auth/token/roles/nomad-cluster? [y/N] ")
        .send("n\n");
    terminal
        .finish()
        .exit(1)
        .stderr_has("auth/token/roles/nomad-cluster was not changed: the operator declined");
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());
}

#[test]
fn a_stage_written_together_asks_every_question_before_writing_any() {
    // An initialised, unsealed Vault without the policy and the role: both are one stage,
    // written together once both are approved. Declining the second leaves the first unwritten.
    let (sandbox, _dir, mut terminal) = bootstrap_on_terminal();
    terminal.expect(
        "The 2 changes below (policies and role) are written together, once each is approved:",
    );
    terminal.expect(PROMPT).send("y\n");
    terminal
        .expect("Apply this change to auth/token/roles/nomad-cluster? [y/N] ")
        .send("n\n");
    terminal
        .finish()
        .exit(1)
        .stderr_has("auth/token/roles/nomad-cluster was not changed: the operator declined; nothing after it was done");
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());
}

#[test]
fn plan_and_prompts_say_what_will_be_written_never_that_it_was() {
    support::sandbox_only("needs an uninitialised Vault");
    let dir = support::workdir();
    let args = |nvctl: Nvctl| {
        nvctl
            .args(["bootstrap", "--init-output"])
            .arg(dir.path().join("vault-init.json"))
            .arg("--token-output")
            .arg(dir.path().join("nomad-server.token"))
    };
    let claims = ["written", "created", "saved", "minted."];

    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let plan = args(Nvctl::new().sandbox(&sandbox))
        .arg("--plan")
        .run()
        .exit(3)
        .stderr_has("[ ] initialize Vault at")
        .stderr_has("(would be done without --plan)")
        .stderr_has("[ ] unseal: not observable yet (Vault is not initialised)");
    for claim in claims {
        assert!(
            !plan.stderr.contains(claim),
            "--plan says {claim:?}:\n{}",
            plan.stderr
        );
    }

    // Before consent (no terminal, no --yes: refused at the first question).
    let asked = args(Nvctl::new().sandbox(&sandbox))
        .run()
        .exit(1)
        .stderr_has("(will be done once approved)")
        .stderr_has("--yes");
    for claim in claims {
        assert!(
            !asked.stderr.contains(claim),
            "before consent: {claim:?}:\n{}",
            asked.stderr
        );
    }
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());
}
