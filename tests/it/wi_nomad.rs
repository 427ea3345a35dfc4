//! Workload identity against a Nomad that signs identities (issue 15): `bootstrap --flow
//! workload-identity --nomad-addr` pointed at the Nomad sandbox, so Vault's jwt auth fetches
//! the sandbox's JWKS (`/.well-known/jwks.json`, its RSA key), and the set-up is proved by a
//! real login: the Nomad sandbox signs a task's Vault identity (`vault_default`, Nomad's
//! claims), Vault logs it in through the role nvctl wrote, and the token's policies are
//! checked — by nvctl's own proof (`--identity-file`) and by Vault's verdict on the job's
//! secrets.

use crate::support;

use std::path::{Path, PathBuf};

use nomad_sandbox::{NomadSandbox, NomadSandboxHandle, TaskIdentity};
use serde_json::json;
use support::{Http, Nvctl};
use vault_sandbox::SandboxHandle;

/// The Vault identity of task `server` in group `web` of job `web`, as the Nomad sandbox
/// signs it for an allocation, for `audience`.
fn identity(nomad: &NomadSandboxHandle, audience: &str) -> String {
    nomad.sign_task_identity(
        &TaskIdentity::new("web", "web", "server")
            .audience(&[audience])
            .vault_role("nomad-workloads"),
    )
}

fn identity_file(dir: &Path, jwt: &str) -> PathBuf {
    let path = dir.join("nomad_vault_default.jwt");
    std::fs::write(&path, jwt).unwrap();
    path
}

fn wi_bootstrap(vault: &SandboxHandle, nomad: &NomadSandboxHandle, dir: &Path) -> Nvctl {
    Nvctl::new()
        .sandbox(vault)
        .args([
            "bootstrap",
            "--yes",
            "--flow",
            "workload-identity",
            "--nomad-addr",
        ])
        .arg(nomad.addr())
        .arg("--init-output")
        .arg(dir.join("vault-init.json"))
}

/// `POST auth/jwt-nomad/login` without a token, as a Nomad client does for a task.
fn login(vault: &SandboxHandle, jwt: &str) -> (u16, serde_json::Value) {
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/v1/auth/jwt-nomad/login", vault.addr()))
        .json(&json!({"role": "nomad-workloads", "jwt": jwt}))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or_default())
}

#[test]
fn bootstrap_with_nomad_addr_is_proved_by_an_identity_the_nomad_signs_logging_in() {
    support::sandbox_only("needs the sandbox's jwt auth fetching the Nomad sandbox's JWKS");
    let nomad = NomadSandbox::builder().start().expect("Nomad sandbox");
    let vault = support::dev_sandbox();
    let dir = support::workdir();
    let jwt = identity(&nomad, "vault.io");
    let file = identity_file(dir.path(), &jwt);

    vault.clear_requests();
    wi_bootstrap(&vault, &nomad, dir.path())
        .arg("--identity-file")
        .arg(&file)
        .arg("-v")
        .run()
        .exit(0)
        .stderr_has(
            "the workload identity of job \"web\" logged in through role \"nomad-workloads\": \
             its token carries the policies default, nomad-workloads",
        )
        .hides(&jwt);
    // Vault fetches the keys from the Nomad that signs.
    let http = Http::new(&vault.addr(), &vault.root_token().unwrap());
    let (_, config) = http.get("auth/jwt-nomad/config");
    assert_eq!(config["data"]["jwks_url"], nomad.jwks_url());
    // The proof's token was revoked once judged.
    let writes = support::writes(&vault);
    let login_at = writes
        .iter()
        .position(|w| w == "POST /v1/auth/jwt-nomad/login");
    let revoke_at = writes
        .iter()
        .position(|w| w == "POST /v1/auth/token/revoke-accessor");
    assert!(
        matches!((login_at, revoke_at), (Some(l), Some(r)) if l < r),
        "{writes:?}"
    );

    // Vault's verdict on what the token grants: the job's own secrets, no other job's.
    let (status, _) = http.put(
        "secret/data/default/web/config",
        &json!({"data": {"password": "web-secret"}}),
    );
    assert_eq!(status, 200);
    let (status, _) = http.put(
        "secret/data/default/api/config",
        &json!({"data": {"password": "api-secret"}}),
    );
    assert_eq!(status, 200);
    let (status, body) = login(&vault, &identity(&nomad, "vault.io"));
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["auth"]["token_policies"],
        json!(["default", "nomad-workloads"])
    );
    assert_eq!(body["auth"]["metadata"]["nomad_job_id"], "web");
    let token = body["auth"]["client_token"].as_str().unwrap();
    let as_job = Http::new(&vault.addr(), token);
    let (status, own) = as_job.get("secret/data/default/web/config");
    assert_eq!(status, 200, "{own}");
    assert_eq!(own["data"]["data"]["password"], "web-secret");
    let (status, _) = as_job.get("secret/data/default/api/config");
    assert_eq!(
        status, 403,
        "a job's token must not read another job's secret"
    );
}

#[test]
fn an_identity_vault_refuses_is_quoted_in_vaults_words_and_exit_3() {
    support::sandbox_only("needs the sandbox's jwt auth fetching the Nomad sandbox's JWKS");
    let nomad = NomadSandbox::builder().start().expect("Nomad sandbox");
    let vault = support::dev_sandbox();
    let dir = support::workdir();
    // Signed for another audience than the role's bound_audiences (vault.io): the login a
    // task with this identity makes fails (path_login.go validateAudience via
    // cap/jwt Validator: `invalid audience (aud) claim`).
    let jwt = identity(&nomad, "nomad.io");
    let file = identity_file(dir.path(), &jwt);
    wi_bootstrap(&vault, &nomad, dir.path())
        .arg("--identity-file")
        .arg(&file)
        .run()
        .exit(3)
        .stderr_has("invalid audience (aud) claim")
        .stderr_has("compare the identity's aud with the role's bound_audiences (vault.io)")
        .hides(&jwt);
    // The set-up itself was written: a re-run with a good identity passes and writes
    // nothing but the proof's login and revocation.
    let good = identity(&nomad, "vault.io");
    std::fs::write(&file, &good).unwrap();
    vault.clear_requests();
    wi_bootstrap(&vault, &nomad, dir.path())
        .arg("--identity-file")
        .arg(&file)
        .run()
        .exit(0);
    assert_eq!(
        support::writes(&vault),
        vec![
            "POST /v1/auth/jwt-nomad/login".to_string(),
            "POST /v1/auth/token/revoke-accessor".to_string()
        ]
    );
    // --plan logs nothing in.
    vault.clear_requests();
    wi_bootstrap(&vault, &nomad, dir.path())
        .arg("--plan")
        .arg("--identity-file")
        .arg(&file)
        .run()
        .exit(0)
        .stderr_has("is logged in at auth/jwt-nomad/login through role \"nomad-workloads\"");
    assert_eq!(support::writes(&vault), Vec::<String>::new());
}

#[test]
fn a_missing_or_malformed_identity_file_is_refused_before_vault_is_touched() {
    support::sandbox_only("counts the requests Vault received");
    let nomad = NomadSandbox::builder().start().expect("Nomad sandbox");
    let vault = support::dev_sandbox();
    let dir = support::workdir();
    vault.clear_requests();
    wi_bootstrap(&vault, &nomad, dir.path())
        .arg("--identity-file")
        .arg(dir.path().join("missing.jwt"))
        .run()
        .exit(1)
        .stderr_has("--identity-file")
        .stderr_has("missing.jwt: no such file");
    assert_eq!(support::writes(&vault), Vec::<String>::new());

    let file = identity_file(dir.path(), "not a jwt");
    wi_bootstrap(&vault, &nomad, dir.path())
        .arg("--identity-file")
        .arg(&file)
        .run()
        .exit(1)
        .stderr_has("does not hold a workload identity: a JWT is three base64url parts");
    assert_eq!(support::writes(&vault), Vec::<String>::new());

    // The legacy flow has no identities to prove.
    Nvctl::new()
        .sandbox(&vault)
        .args(["bootstrap", "--yes", "--flow", "legacy", "--identity-file"])
        .arg(&file)
        .run()
        .exit(1)
        .stderr_has("--identity-file belong(s) to the workload-identity flow");
    assert_eq!(support::writes(&vault), Vec::<String>::new());
}
