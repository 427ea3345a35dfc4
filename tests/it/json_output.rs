//! Issue 10, README "JSON output": with `--format json` (or `NVCTL_FORMAT=json`) every command
//! prints exactly one JSON document on stdout — a failure included, as
//! `{"error": …, "exit_code": …}` with the process's own exit code — usage errors too when
//! the format is known from the arguments or the environment.

use crate::support;

use serde_json::Value;
use support::{Nvctl, Run};

/// stdout is exactly one JSON document; when the run failed and the document is an error, it
/// carries the process's exit code and the message stderr has.
#[track_caller]
fn one_document(run: &Run) -> Value {
    let documents: Vec<Value> = serde_json::Deserializer::from_str(&run.stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    assert_eq!(
        documents.len(),
        1,
        "stdout holds {} documents:\n{}\n--- stderr ---\n{}",
        documents.len(),
        run.stdout,
        run.stderr
    );
    documents.into_iter().next().unwrap_or_default()
}

#[track_caller]
fn error_document(run: &Run) -> String {
    let document = one_document(run);
    assert_eq!(
        document["exit_code"],
        Value::from(run.code),
        "{document}\n{}",
        run.stderr
    );
    let error = document["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no \"error\" string in {document}"))
        .to_string();
    assert!(
        run.stderr.contains(&error),
        "the JSON error is not stderr's message:\n{error}\n--- stderr ---\n{}",
        run.stderr
    );
    error
}

#[test]
fn a_usage_error_is_a_json_document_when_the_format_is_known() {
    let run = Nvctl::new()
        .args(["--format", "json", "polcy", "write"])
        .run()
        .exit(1);
    let error = error_document(&run);
    assert!(error.contains("unrecognized subcommand 'polcy'"), "{error}");

    let run = Nvctl::new()
        .env("NVCTL_FORMAT", "json")
        .args(["token", "create", "--no-such-flag"])
        .run()
        .exit(1);
    assert!(error_document(&run).contains("--no-such-flag"));

    // Without JSON asked for, stdout stays empty.
    Nvctl::new()
        .args(["polcy"])
        .run()
        .exit(1)
        .stdout_lacks("error");
}

#[test]
fn a_local_error_and_a_vault_error_are_json_documents_with_their_exit_codes() {
    let dir = support::workdir();
    let missing = dir.path().join("missing.hcl");
    let run = Nvctl::new()
        .args(["--format", "json", "policy", "diff", "--file"])
        .arg(&missing)
        .run()
        .exit(1);
    let error = error_document(&run);
    assert!(
        error.starts_with(&format!(
            "cannot read the policy file {}",
            missing.display()
        )),
        "{error}"
    );

    let sandbox = support::dev_sandbox();
    let run = Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "show", "--name", "absent", "--format=json"])
        .run()
        .exit(2);
    assert!(error_document(&run).starts_with("policy \"absent\" does not exist"));
}

/// Every command, made to fail, answers with one JSON document on stdout.
#[test]
fn every_command_that_fails_prints_one_json_document() {
    let dir = support::workdir();
    let nowhere = "http://127.0.0.1:1";
    let missing = dir.path().join("missing");
    let missing = missing.to_str().unwrap_or("missing");
    let cases: &[&[&str]] = &[
        &[
            "bootstrap",
            "--address",
            nowhere,
            "--max-retries",
            "0",
            "--yes",
        ],
        &["init", "--address", nowhere, "--max-retries", "0"],
        &["unseal", "--keys-file", missing],
        &["policy", "write", "--file", missing],
        &["policy", "show", "--address", nowhere, "--max-retries", "0"],
        &["role", "create", "--file", missing],
        &["role", "diff", "--address", nowhere, "--max-retries", "0"],
        &["check-role", "--address", nowhere, "--max-retries", "0"],
        &[
            "token",
            "create",
            "--address",
            nowhere,
            "--max-retries",
            "0",
        ],
        &["token", "lookup", "--token-file", missing],
        &["token", "check", "--address", nowhere, "--max-retries", "0"],
        &["stanza", "server", "--vault-address", "not a url"],
        &["doctor", "--agent-config", missing],
        &["check-job", missing],
        &["dev", "--address", nowhere],
        &["completions", "no-such-shell"],
    ];
    for args in cases {
        let run = Nvctl::new()
            .env("VAULT_TOKEN", "hvs.not-a-real-token")
            .current_dir(dir.path())
            .args(["--format", "json"])
            .args(*args)
            .run();
        assert_ne!(run.code, 0, "{args:?} succeeded:\n{}", run.stderr);
        let document = one_document(&run);
        if let Some(error) = document.get("error") {
            assert_eq!(document["exit_code"], Value::from(run.code), "{args:?}");
            assert!(error.is_string(), "{args:?}: {document}");
        }
    }
}
