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
