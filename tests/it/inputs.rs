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
