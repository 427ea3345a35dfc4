//! Issue 10: a sealed Vault and one that was never initialised both answer 503 "Vault is
//! sealed"; every command that sends a token says which it is and what to run next (one
//! `GET sys/seal-status` after the 503, in the client's single request path).

use crate::support;

use support::Nvctl;
use vault_sandbox::Sandbox;

const TOKEN_COMMANDS: &[&[&str]] = &[
    &["token", "create", "--format", "raw"],
    &["token", "lookup"],
    &["token", "check"],
    &["check-role"],
    &["policy", "show"],
    &["role", "show"],
];

#[test]
fn a_sealed_vault_is_called_sealed_with_the_unseal_progress() {
    support::sandbox_only("needs a sealed Vault");
    let sandbox = Sandbox::builder().sealed(5, 3).start().expect("sandbox");
    for args in TOKEN_COMMANDS {
        Nvctl::new()
            .env("VAULT_ADDR", &sandbox.addr())
            .env("VAULT_TOKEN", "hvs.some-token")
            .args(*args)
            .args(["--max-retries", "0"])
            .run()
            .exit(2)
            .stderr_has("Vault is sealed")
            .stderr_has(
                "Vault is initialised but sealed (0 of 3 unseal keys given): run `nvctl unseal`",
            )
            .stderr_lacks("nvctl init");
    }
}

#[test]
fn a_vault_never_initialised_is_called_not_initialised() {
    support::sandbox_only("needs an uninitialised Vault");
    let sandbox = Sandbox::builder().uninitialized().start().expect("sandbox");
    for args in TOKEN_COMMANDS {
        Nvctl::new()
            .env("VAULT_ADDR", &sandbox.addr())
            .env("VAULT_TOKEN", "hvs.some-token")
            .args(*args)
            .args(["--max-retries", "0"])
            .run()
            .exit(2)
            .stderr_has(
                "Vault is not initialised (not merely sealed): run `nvctl init` (or `nvctl \
                 bootstrap`), then `nvctl unseal`",
            );
    }
}
