//! Issue 10, local inputs: each bad input is refused with a message naming it, exit 1, before
//! Vault is contacted (the sandbox's request log stays empty).

use crate::support;

use support::Nvctl;
use vault_sandbox::SandboxHandle;

/// A sandbox whose request log must stay empty.
fn untouched() -> SandboxHandle {
    support::sandbox_only("counts the requests the sandbox received");
    support::dev_sandbox()
}

#[track_caller]
fn assert_untouched(sandbox: &SandboxHandle) {
    assert!(
        sandbox.requests().is_empty(),
        "Vault was contacted: {:?}",
        sandbox.requests()
    );
}

#[test]
fn an_address_ending_in_v1_is_refused_with_the_address_to_use() {
    let sandbox = untouched();
    let addr = sandbox.addr();
    Nvctl::new()
        .args(["status", "--address", &format!("{addr}/v1/")])
        .run()
        .exit(1)
        .stderr_has(&format!(
            "the Vault address \"{addr}/v1\" ends with /v1: give the server's address without the \
             API prefix (nvctl adds /v1/), e.g. {addr}"
        ));
    assert_untouched(&sandbox);
}

#[test]
fn a_namespace_with_a_control_character_is_refused() {
    let sandbox = untouched();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["status", "--namespace", "team-a\u{7}"])
        .run()
        .exit(1)
        .stderr_has(
            "invalid --namespace/VAULT_NAMESPACE \"team-a\\u{7}\": it contains the control character \
             '\\u{7}'",
        );
    Nvctl::new()
        .sandbox(&sandbox)
        .env("VAULT_NAMESPACE", "team\tb")
        .args(["status"])
        .run()
        .exit(1)
        .stderr_has("it contains the control character '\\t'");
    assert_untouched(&sandbox);
}

/// `/dev/zero` as a token file ends in a message, not in memory exhaustion; so does an
/// oversized policy file.
#[test]
fn an_endless_or_oversized_input_file_is_refused_before_reading_it_whole() {
    let sandbox = untouched();
    Nvctl::new()
        .env("VAULT_ADDR", &sandbox.addr())
        .args(["token", "lookup", "--token-file", "/dev/zero"])
        .run()
        .exit(1)
        .stderr_has("/dev/zero")
        .stderr_has("it is larger than 64 KiB, the most nvctl reads from such a file");
    let dir = support::workdir();
    let big = dir.path().join("huge.hcl");
    let file = std::fs::File::create(&big).expect("create");
    file.set_len(17 * 1024 * 1024).expect("grow");
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "diff", "--file"])
        .arg(&big)
        .run()
        .exit(1)
        .stderr_has(&format!(
            "cannot read the policy file {}: it is larger than 16 MiB, the most nvctl reads from \
             such a file",
            big.display()
        ));
    assert_untouched(&sandbox);
}

/// A UTF-8 byte order mark is named with the file and line.
#[test]
fn a_byte_order_mark_is_refused_with_the_file_and_line() {
    let sandbox = untouched();
    let dir = support::workdir();
    let policy = dir.path().join("bom.hcl");
    std::fs::write(
        &policy,
        "\u{feff}path \"sys/health\" { capabilities = [\"read\"] }\n",
    )
    .expect("write");
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "diff", "--file"])
        .arg(&policy)
        .run()
        .exit(1)
        .stderr_has(&format!(
            "cannot read the policy file {}: line 1 starts with a UTF-8 byte order mark (BOM)",
            policy.display()
        ))
        .stderr_has("save the file as UTF-8 without BOM");
    assert_untouched(&sandbox);
}

/// Writes `text` as `name` in a fresh directory; the directory lives as long as the result.
fn file(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = support::workdir();
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    (dir, path)
}

/// What `nomad job run -output` / `nomad job inspect` print is the HTTP API's JSON, not a
/// jobspec: nvctl says so and how to get the HCL2 back.
#[test]
fn a_json_api_job_is_refused_with_how_to_get_the_hcl2_back() {
    let sandbox = untouched();
    let (_dir, job) = file(
        "web.json",
        "{\n  \"Job\": {\"ID\": \"web\", \"Name\": \"web\", \"TaskGroups\": []}\n}\n",
    );
    Nvctl::new()
        .sandbox(&sandbox)
        .arg("check-job")
        .arg(&job)
        .run()
        .exit(1)
        .stderr_has(&format!(
            "{}:1: a JSON job in the HTTP API's format (what `nomad job run -output` and `nomad \
             job inspect` print), not an HCL2 jobspec: nvctl reads HCL2 (`job \"web\" {{ … }}`). \
             Check the .nomad.hcl file the job came from, or get it back with `nomad job inspect \
             -hcl JOB`",
            job.display()
        ));
    assert_untouched(&sandbox);
}

#[test]
fn two_job_blocks_in_one_file_are_refused_at_the_second() {
    let sandbox = untouched();
    let (_dir, job) = file("two.nomad.hcl", "job \"a\" {\n}\n\njob \"b\" {\n}\n");
    Nvctl::new()
        .sandbox(&sandbox)
        .arg("check-job")
        .arg(&job)
        .run()
        .exit(1)
        .stderr_has(&format!(
            "{}:4: a second job block (\"b\"): a jobspec file holds one job, and Nomad refuses a \
             second (the first, \"a\", is at line 1); put each job in a file of its own",
            job.display()
        ));
    assert_untouched(&sandbox);
}

/// consul-template's parser stops the task on an action that is never closed; nvctl names the
/// line it opens on (hashicorp/consul-template renders with Go's text/template).
#[test]
fn an_unclosed_template_action_is_refused_with_its_line() {
    let sandbox = untouched();
    let (_dir, job) = file(
        "web.nomad.hcl",
        r#"job "web" {
  group "g" {
    task "t" {
      vault {
        policies = ["access-tables"]
      }
      template {
        data        = <<EOT
user={{ with secret "database/creds/accessdb" }
{{ .Data.username }}{{ end }}
EOT
        destination = "local/db.env"
      }
    }
  }
}
"#,
    );
    Nvctl::new()
        .sandbox(&sandbox)
        .arg("check-job")
        .arg(&job)
        .run()
        .exit(1)
        .stderr_has(&format!(
            "{}:9: template: the action opened with {{{{ here is not closed with }}}} before the \
             next {{{{ or the end of the text (consul-template refuses the template)",
            job.display()
        ));
    assert_untouched(&sandbox);
}

/// Vault parses the wrapping TTLs of a path block itself (hashicorp/vault vault/policy.go
/// parsePaths: `parseutil.ParseDurationSecond`, "error parsing min_wrapping_ttl").
#[test]
fn an_unparsable_min_wrapping_ttl_is_refused_with_its_line() {
    let sandbox = untouched();
    let (_dir, policy) = file(
        "app.hcl",
        "path \"secret/*\" {\n  capabilities     = [\"read\"]\n  min_wrapping_ttl = \"abc\"\n}\n",
    );
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "write", "--name", "app", "--yes", "--file"])
        .arg(&policy)
        .run()
        .exit(1)
        .stderr_has(&format!(
            "{}:3: path \"secret/*\": min_wrapping_ttl: invalid duration \"abc\": time: invalid \
             duration \"abc\" (a duration such as \"5m\" or a number of seconds)",
            policy.display()
        ))
        .stderr_has("the policy was not sent to Vault");
    assert_untouched(&sandbox);
}

/// Token role periods and TTLs are whole seconds in Vault; a fraction is refused, not
/// silently truncated.
#[test]
fn fractional_seconds_are_refused_where_vault_takes_whole_seconds() {
    let sandbox = untouched();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create", "--period", "1.5s", "--yes"])
        .run()
        .exit(1)
        .stderr_has(
            "invalid --period: invalid duration \"1.5s\": Vault counts whole seconds; use a \
             number of seconds or a Go duration such as 72h or 1h30m",
        );
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "create", "--explicit-max-ttl", "0.5", "--yes"])
        .run()
        .exit(1)
        .stderr_has("invalid --explicit-max-ttl: invalid duration \"0.5\"");
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["token", "create", "--period", "72h0.5s", "--yes"])
        .run()
        .exit(1)
        .stderr_has("invalid --period: invalid duration \"72h0.5s\"")
        .stderr_has("Vault counts whole seconds");
    assert_untouched(&sandbox);
}

/// As `bootstrap` refuses `allowed_policies` with `disallowed_policies`.
#[test]
fn role_create_refuses_allowed_and_disallowed_policies_together() {
    let sandbox = untouched();
    Nvctl::new()
        .sandbox(&sandbox)
        .args([
            "role",
            "create",
            "--allowed-policies",
            "access-tables",
            "--disallowed-policies",
            "nomad-server",
            "--yes",
        ])
        .run()
        .exit(1)
        .stderr_has(
            "give --allowed-policies or --disallowed-policies, not both: jobs may use exactly \
             the allowed policies, or every policy but the disallowed ones",
        );
    assert_untouched(&sandbox);
}

#[test]
fn an_empty_accessor_is_refused() {
    let sandbox = untouched();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["token", "lookup", "--accessor", ""])
        .run()
        .exit(1)
        .stderr_has(
            "--accessor \"\" is empty: give the token's accessor (`nvctl token create` prints \
             it), or leave --accessor out to look up the token itself",
        );
    assert_untouched(&sandbox);
}

#[test]
fn an_agent_config_directory_without_any_config_is_refused() {
    let sandbox = untouched();
    let dir = support::workdir();
    std::fs::write(dir.path().join("README.md"), "not a config").expect("write");
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["doctor", "--agent-config"])
        .arg(dir.path())
        .run()
        .exit(1)
        .stderr_has(&format!(
            "{}: no Nomad agent configuration in this directory (Nomad reads its *.hcl and \
             *.json files, and there are none): name the directory the agent is started with, \
             or its files",
            dir.path().display()
        ));
    assert_untouched(&sandbox);
}

#[test]
fn a_ca_file_that_is_not_pem_is_refused_naming_the_file() {
    let sandbox = untouched();
    let (_dir, ca) = file("ca.pem", "this is not a certificate\n");
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["status", "--ca-cert"])
        .arg(&ca)
        .run()
        .exit(1)
        .stderr_has(&format!(
            "the CA certificate file {} (--ca-cert/VAULT_CACERT) holds no PEM certificate",
            ca.display()
        ));
    assert_untouched(&sandbox);
}

/// The OS's words appear once, whichever file could not be read.
#[test]
fn an_os_error_is_printed_once() {
    let sandbox = untouched();
    let dir = support::workdir();
    let missing = dir.path().join("missing.hcl");
    let cases: Vec<Vec<std::ffi::OsString>> = vec![
        vec![
            "doctor".into(),
            "--agent-config".into(),
            missing.clone().into(),
        ],
        vec!["check-job".into(), missing.clone().into()],
        vec![
            "policy".into(),
            "diff".into(),
            "--file".into(),
            missing.clone().into(),
        ],
        vec![
            "role".into(),
            "diff".into(),
            "--file".into(),
            missing.clone().into(),
        ],
        vec![
            "unseal".into(),
            "--keys-file".into(),
            missing.clone().into(),
        ],
        vec![
            "token".into(),
            "lookup".into(),
            "--token-file".into(),
            missing.clone().into(),
        ],
        vec!["status".into(), "--ca-cert".into(), missing.clone().into()],
        vec![
            "bootstrap".into(),
            "--config".into(),
            missing.clone().into(),
        ],
    ];
    for args in cases {
        let run = Nvctl::new().sandbox(&sandbox).args(&args).run().exit(1);
        assert_eq!(
            run.stderr.matches("No such file or directory").count(),
            1,
            "{args:?}:\n{}",
            run.stderr
        );
        assert!(
            run.stderr.contains(&missing.display().to_string()),
            "{args:?}:\n{}",
            run.stderr
        );
    }
    assert_untouched(&sandbox);
}
