//! The workload-identity flow (nomad-rules.md §5) end to end against the sandbox: nvctl's WI
//! steps set Vault up for a loopback JWKS server, then Nomad-like JWTs log in and are confined
//! to their job's secrets; `nvctl check-role --flow workload-identity` (the real binary)
//! catches audience mismatch and accessor drift; a re-run writes nothing; `destroy` leaves
//! Vault as it found it.
//!
//! The steps are driven here through the library (`nvctl::steps::wi::run`) where a test needs
//! their reports, and through the real binary (`nvctl bootstrap --flow workload-identity`,
//! the flow choice, `--plan`, `--destroy`, `--dev`) at the end of the file. Every test needs
//! the sandbox's JWT login and JWKS server, so none runs against a live Vault.

use crate::support;

use std::collections::BTreeMap;
use std::time::Duration;

use nvctl::checks::Severity;
use nvctl::nomad::workload_identity::WorkloadIdentitySpec;
use nvctl::output::Ui;
use nvctl::steps::wi::{self, destroy::DestroyTarget};
use nvctl::steps::{Consent, Outcome, StepReport};
use nvctl::vault::{ClientConfig, VaultClient};
use serde_json::{json, Value};
use support::{Http, Nvctl};
use vault_sandbox::testing::{nomad_workload_claims, JwksServer};
use vault_sandbox::{Fault, SandboxHandle};

const HOUR: Duration = Duration::from_secs(3600);

fn client(sandbox: &SandboxHandle) -> VaultClient {
    let mut config = ClientConfig::new(sandbox.addr());
    config.token = Some(sandbox.root_token().expect("initialised").as_str().into());
    VaultClient::new(config).unwrap()
}

fn dev() -> SandboxHandle {
    support::sandbox_only("JWT logins against a loopback JWKS server");
    support::dev_sandbox()
}

/// The root token's view: a dev sandbox's, or the one a bootstrap's init obtained.
fn http(sandbox: &SandboxHandle) -> Http {
    Http::new(&sandbox.addr(), &sandbox.root_token().expect("initialised"))
}

/// Drives the WI steps as bootstrap does, with --yes.
fn apply(sandbox: &SandboxHandle, spec: &WorkloadIdentitySpec) -> Vec<StepReport> {
    wi::run(
        &client(sandbox),
        &Ui::unattended(),
        Consent::AskAlways,
        spec,
    )
    .expect("workload identity steps")
}

fn outcomes(reports: &[StepReport]) -> Vec<(&'static str, Outcome)> {
    reports.iter().map(|r| (r.step, r.outcome)).collect()
}

fn errors(reports: &[StepReport]) -> Vec<String> {
    reports
        .iter()
        .flat_map(|r| r.findings.iter())
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.subject, f.message))
        .collect()
}

fn put_secret(sandbox: &SandboxHandle, path: &str, value: &str) {
    let (status, body) = http(sandbox).put(
        &format!("secret/data/{path}"),
        &json!({"data": {"password": value}}),
    );
    assert_eq!(status, 200, "{body}");
}

/// `POST auth/<path>/login` without a token, as a Nomad client does for a task.
fn login(sandbox: &SandboxHandle, jwt: &str) -> (u16, Value) {
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/v1/auth/jwt-nomad/login", sandbox.addr()))
        .json(&json!({"role": "nomad-workloads", "jwt": jwt}))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(Value::Null))
}

fn read_as(sandbox: &SandboxHandle, token: &str, path: &str) -> (u16, Value) {
    Http::new(&sandbox.addr(), token).get(path)
}

fn job_token(sandbox: &SandboxHandle, jwks: &JwksServer, job: &str) -> String {
    let jwt = jwks.sign(nomad_workload_claims(
        "default", job, "server", "vault.io", HOUR,
    ));
    let (status, body) = login(sandbox, &jwt);
    assert_eq!(status, 200, "{body}");
    body["auth"]["client_token"].as_str().unwrap().to_string()
}

/// What `destroy` must leave as it was: the auth methods, the secrets engines, the policies.
fn snapshot(sandbox: &SandboxHandle) -> BTreeMap<&'static str, Value> {
    let h = http(sandbox);
    let mut out = BTreeMap::new();
    out.insert("sys/auth", h.get("sys/auth").1["data"].clone());
    out.insert("sys/mounts", h.get("sys/mounts").1["data"].clone());
    let (_, policies) = h.get("sys/policies/acl?list=true");
    out.insert("policies", policies["data"]["keys"].clone());
    out
}

// nomad-rules.md §5: the whole set-up, then a job's token reads its own secrets and not
// another job's; a wrong audience is refused; a re-run writes nothing.
#[test]
fn workload_identity_setup_confines_each_job_to_its_secrets_and_reruns_change_nothing() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    let spec = WorkloadIdentitySpec::nomad_defaults(jwks.url());
    let first = apply(&sandbox, &spec);
    assert_eq!(
        outcomes(&first),
        vec![
            ("auth-method", Outcome::Created),
            ("jwt-config", Outcome::Created),
            // Policy before role, as nomad setup vault writes them; no KV mount unless asked
            // (dev mode mounts secret/ as KV v2 already).
            ("wi-policy", Outcome::Created),
            ("jwt-role", Outcome::Created),
        ]
    );
    assert_eq!(errors(&first), Vec::<String>::new());

    // The policy is templated on the accessor sys/auth reports.
    let h = http(&sandbox);
    let accessor = h.get("sys/auth").1["data"]["jwt-nomad/"]["accessor"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, policy) = h.get("sys/policies/acl/nomad-workloads");
    let text = policy["data"]["policy"].as_str().unwrap();
    assert!(text.contains(&format!(
        "secret/data/{{{{identity.entity.aliases.{accessor}.metadata.nomad_namespace}}}}/{{{{identity.entity.aliases.{accessor}.metadata.nomad_job_id}}}}/*"
    )));
    assert!(text.starts_with("# [created-by: nvctl]"), "{text}");
    let (_, config) = h.get("auth/jwt-nomad/config");
    assert_eq!(config["data"]["jwks_url"], jwks.url().as_str());
    assert_eq!(config["data"]["default_role"], "nomad-workloads");
    let (_, role) = h.get("auth/jwt-nomad/role/nomad-workloads");
    assert_eq!(role["data"]["bound_audiences"], json!(["vault.io"]));
    assert_eq!(role["data"]["user_claim"], "/nomad_job_id");
    assert_eq!(role["data"]["token_period"], 1800);

    put_secret(&sandbox, "default/web/config", "web-secret");
    put_secret(&sandbox, "default/api/config", "api-secret");
    let web = job_token(&sandbox, &jwks, "web");
    let (status, own) = read_as(&sandbox, &web, "secret/data/default/web/config");
    assert_eq!(status, 200, "{own}");
    assert_eq!(own["data"]["data"]["password"], "web-secret");
    let (status, _) = read_as(&sandbox, &web, "secret/data/default/api/config");
    assert_eq!(
        status, 403,
        "a job's token must not read another job's secret"
    );

    let wrong = jwks.sign(nomad_workload_claims(
        "default", "web", "server", "nomad.io", HOUR,
    ));
    let (status, body) = login(&sandbox, &wrong);
    assert_eq!(status, 400);
    assert!(
        body["errors"][0]
            .as_str()
            .unwrap()
            .contains("invalid audience (aud) claim"),
        "{body}"
    );

    // Idempotent: observing again sends reads only.
    sandbox.clear_requests();
    let second = apply(&sandbox, &spec);
    assert!(
        second.iter().all(|r| r.outcome == Outcome::Unchanged),
        "{:?}",
        outcomes(&second)
    );
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());

    Nvctl::new()
        .sandbox(&sandbox)
        .args(["check-role", "--flow", "workload-identity"])
        .run()
        .exit(0)
        .stderr_has("workload identity role \"nomad-workloads\" at auth/jwt-nomad");
}

// nomad-rules.md §5 (known failure mode): the servers' default_identity.aud and the role's
// bound_audiences disagree — check-role says so and exits 3.
#[test]
fn check_role_catches_an_audience_mismatch() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    apply(&sandbox, &WorkloadIdentitySpec::nomad_defaults(jwks.url()));
    let run = Nvctl::new()
        .sandbox(&sandbox)
        .args([
            "check-role",
            "--flow",
            "workload-identity",
            "--audience",
            "nomad.io",
        ])
        .run()
        .exit(3)
        .stdout_has("audience mismatch")
        .stdout_has("[\"vault.io\"]")
        .stdout_has("[\"nomad.io\"]");
    assert!(run
        .stdout
        .contains("audience claim does not match any expected audience"));

    let doc = Nvctl::new()
        .sandbox(&sandbox)
        .args([
            "check-role",
            "--flow",
            "workload-identity",
            "--audience",
            "nomad.io",
            "--format",
            "json",
        ])
        .run()
        .exit(3)
        .json();
    assert_eq!(doc["flow"], "workload-identity");
    assert_eq!(doc["roles"][0]["ok"], false);
    assert!(doc["roles"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["severity"] == "error" && f["check"] == "workload-identity"));
}

// nomad-rules.md §5: re-enabling the auth method changes its accessor and silently breaks the
// policy; check-role names the drift, and a re-run of the steps rewrites the policy.
#[test]
fn accessor_drift_is_caught_by_check_role_and_repaired_by_a_rerun() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    let spec = WorkloadIdentitySpec::nomad_defaults(jwks.url());
    apply(&sandbox, &spec);
    let h = http(&sandbox);
    let old = h.get("sys/auth").1["data"]["jwt-nomad/"]["accessor"].clone();

    // An operator disables and re-enables the auth method, then restores config and role.
    assert_eq!(h.delete("sys/auth/jwt-nomad").0, 204);
    apply_mount_config_and_role_only(&sandbox, &jwks);
    let new = h.get("sys/auth").1["data"]["jwt-nomad/"]["accessor"].clone();
    assert_ne!(old, new);
    put_secret(&sandbox, "default/web/config", "web-secret");
    let token = job_token(&sandbox, &jwks, "web");
    assert_eq!(
        read_as(&sandbox, &token, "secret/data/default/web/config").0,
        403,
        "the stale policy grants nothing"
    );

    let run = Nvctl::new()
        .sandbox(&sandbox)
        .args(["check-role", "--flow", "workload-identity"])
        .run()
        .exit(3)
        .stdout_has("accessor drift")
        .stdout_has(old.as_str().unwrap())
        .stdout_has(new.as_str().unwrap());
    assert!(run
        .stdout
        .contains("nvctl bootstrap --flow workload-identity"));

    let repaired = apply(&sandbox, &spec);
    let policy = repaired.iter().find(|r| r.step == "wi-policy").unwrap();
    assert_eq!(policy.outcome, Outcome::Updated);
    assert_eq!(errors(&repaired), Vec::<String>::new());
    let token = job_token(&sandbox, &jwks, "web");
    assert_eq!(
        read_as(&sandbox, &token, "secret/data/default/web/config").0,
        200
    );
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["check-role", "--flow", "workload-identity"])
        .run()
        .exit(0);
}

// `--destroy` removes what nvctl created, in reverse order, and nothing else: the dev mode's
// secret/ and an operator's policy stay; Vault ends as it began.
#[test]
fn destroy_leaves_vault_as_it_found_it() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    let h = http(&sandbox);
    assert_eq!(
        h.put(
            "sys/policies/acl/ops",
            &json!({"policy": "path \"secret/*\" { capabilities = [\"read\"] }"})
        )
        .0,
        204
    );
    let before = snapshot(&sandbox);
    let spec = WorkloadIdentitySpec::nomad_defaults(jwks.url());
    apply(&sandbox, &spec);
    assert_ne!(snapshot(&sandbox), before);

    let target = DestroyTarget::from(&spec);
    let planned = wi::destroy::destroy(
        &client(&sandbox),
        &Ui::unattended(),
        &target,
        Consent::PlanOnly,
    )
    .unwrap();
    // The policy goes last: it records the roles nvctl created.
    assert_eq!(
        planned.pending,
        vec!["sys/auth/jwt-nomad", "sys/policies/acl/nomad-workloads"]
    );
    assert!(planned.removed.is_empty());
    assert!(planned
        .kept
        .iter()
        .any(|k| k.subject == "sys/mounts/secret"));

    let done = wi::destroy::destroy(
        &client(&sandbox),
        &Ui::unattended(),
        &target,
        Consent::AskAlways,
    )
    .unwrap();
    assert_eq!(done.removed, planned.pending);
    assert_eq!(snapshot(&sandbox), before);

    // A second destroy finds nothing of nvctl's.
    sandbox.clear_requests();
    let again = wi::destroy::destroy(
        &client(&sandbox),
        &Ui::unattended(),
        &target,
        Consent::AskAlways,
    )
    .unwrap();
    assert!(again.removed.is_empty());
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());
}

// Asked for (--kv-mount), the KV v2 engine is mounted (marked) when absent, and destroy removes
// it again.
#[test]
fn destroy_removes_the_secret_engine_nvctl_mounted() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    assert_eq!(http(&sandbox).delete("sys/mounts/secret").0, 204);
    let before = snapshot(&sandbox);
    let spec = WorkloadIdentitySpec {
        mount_kv: true,
        ..WorkloadIdentitySpec::nomad_defaults(jwks.url())
    };
    let reports = apply(&sandbox, &spec);
    assert_eq!(
        reports.iter().find(|r| r.step == "kv").unwrap().outcome,
        Outcome::Created
    );
    let (_, mounts) = http(&sandbox).get("sys/mounts");
    assert_eq!(mounts["data"]["secret/"]["options"]["version"], "2");
    assert!(mounts["data"]["secret/"]["description"]
        .as_str()
        .unwrap()
        .contains("[created-by: nvctl]"));

    let done = wi::destroy::destroy(
        &client(&sandbox),
        &Ui::unattended(),
        &DestroyTarget::from(&spec),
        Consent::AskAlways,
    )
    .unwrap();
    assert_eq!(
        done.removed,
        vec![
            "sys/mounts/secret",
            "sys/auth/jwt-nomad",
            "sys/policies/acl/nomad-workloads"
        ]
    );
    assert_eq!(snapshot(&sandbox), before);
}

// JWT roles cannot carry a mark: a role nvctl created inside the operator's auth method is
// recorded in nvctl's policy header, and destroy removes that role but keeps the mount.
#[test]
fn destroy_removes_a_role_nvctl_created_in_the_operators_auth_method() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    let h = http(&sandbox);
    mount_the_operators_auth_method(&h);
    let before = snapshot(&sandbox);
    let spec = WorkloadIdentitySpec::nomad_defaults(jwks.url());
    let reports = apply(&sandbox, &spec);
    assert_eq!(reports[0].outcome, Outcome::Unchanged);
    let (_, policy) = h.get("sys/policies/acl/nomad-workloads");
    assert!(policy["data"]["policy"]
        .as_str()
        .unwrap()
        .contains("also created auth/jwt-nomad/role/nomad-workloads"));

    let done = wi::destroy::destroy(
        &client(&sandbox),
        &Ui::unattended(),
        &DestroyTarget::from(&spec),
        Consent::AskAlways,
    )
    .unwrap();
    assert_eq!(
        done.removed,
        vec![
            "auth/jwt-nomad/role/nomad-workloads",
            "sys/policies/acl/nomad-workloads"
        ]
    );
    assert!(done.kept.iter().any(|k| k.subject == "sys/auth/jwt-nomad"));
    assert_eq!(snapshot(&sandbox), before);
    assert_eq!(
        h.get("auth/jwt-nomad/role/nomad-workloads").0,
        404,
        "the role nvctl created is gone"
    );
}

// A role and policy that were there before nvctl are updated with consent but never deleted.
#[test]
fn destroy_keeps_a_role_and_policy_that_existed_before() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    let h = http(&sandbox);
    assert_eq!(h.put("sys/auth/jwt-nomad", &json!({"type": "jwt"})).0, 204);
    assert_eq!(
        h.put(
            "auth/jwt-nomad/config",
            &json!({"jwks_url": jwks.url(), "jwt_supported_algs": ["EdDSA"]})
        )
        .0,
        204
    );
    assert_eq!(
        h.put(
            "auth/jwt-nomad/role/nomad-workloads",
            &json!({"role_type": "jwt", "bound_audiences": ["nomad.io"], "user_claim": "nomad_job_id"})
        )
        .0,
        204
    );
    assert_eq!(
        h.put(
            "sys/policies/acl/nomad-workloads",
            &json!({"policy": "path \"secret/data/shared/*\" { capabilities = [\"read\"] }"})
        )
        .0,
        204
    );
    let spec = WorkloadIdentitySpec::nomad_defaults(jwks.url());
    let reports = apply(&sandbox, &spec);
    assert_eq!(
        outcomes(&reports),
        vec![
            ("auth-method", Outcome::Unchanged),
            ("jwt-config", Outcome::Updated),
            ("wi-policy", Outcome::Updated),
            ("jwt-role", Outcome::Updated),
        ]
    );
    let diff = reports[3].diff.as_deref().unwrap();
    assert!(diff.contains("-    \"nomad.io\""), "{diff}");
    let (_, policy) = h.get("sys/policies/acl/nomad-workloads");
    assert!(
        !policy["data"]["policy"]
            .as_str()
            .unwrap()
            .contains("created-by"),
        "an operator's policy stays unmarked"
    );
    let done = wi::destroy::destroy(
        &client(&sandbox),
        &Ui::unattended(),
        &DestroyTarget::from(&spec),
        Consent::AskAlways,
    )
    .unwrap();
    assert!(done.removed.is_empty(), "{:?}", done.removed);
    let kept: Vec<&str> = done.kept.iter().map(|k| k.subject.as_str()).collect();
    assert!(
        kept.contains(&"sys/policies/acl/nomad-workloads"),
        "{kept:?}"
    );
    assert!(
        kept.contains(&"auth/jwt-nomad/role/nomad-workloads"),
        "{kept:?}"
    );
    assert!(kept.contains(&"sys/auth/jwt-nomad"), "{kept:?}");
}

// Pre-flight: nvctl fetches the JWKS itself; when Vault cannot fetch it either, the error says
// both and that Vault must reach the URL.
#[test]
fn unreachable_jwks_stops_before_the_config_with_a_clear_error() {
    let jwks = JwksServer::start_ed25519().unwrap();
    jwks.respond_with(500, "nomad is down");
    let sandbox = dev();
    let err = wi::run(
        &client(&sandbox),
        &Ui::unattended(),
        Consent::AskAlways,
        &WorkloadIdentitySpec::nomad_defaults(jwks.url()),
    )
    .unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("Vault could not fetch Nomad's JWKS"),
        "{text}"
    );
    assert!(text.contains("HTTP 500"), "{text}");
    assert!(text.contains("Vault servers can reach this URL"), "{text}");
    assert!(text.contains("error checking jwks URL"), "{text}");
    assert_eq!(nvctl::exit::classify(&err), nvctl::exit::Exit::Vault);
}

// Pre-flight: a JWK set without an EdDSA or RS256 key is a finding even when Vault takes it.
#[test]
fn preflight_reports_a_jwks_without_usable_keys() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let p = nvctl::doctor::workload_identity::fetch_jwks(&jwks.url(), None, Duration::from_secs(5));
    assert_eq!(p.algorithms(), vec!["EdDSA"]);
    jwks.respond_with(
        200,
        r#"{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b"}]}"#,
    );
    let p = nvctl::doctor::workload_identity::fetch_jwks(&jwks.url(), None, Duration::from_secs(5));
    let findings = p.findings(&["EdDSA".into()], Severity::Error);
    assert_eq!(findings.len(), 1);
    assert!(findings[0]
        .message
        .contains("no EdDSA (OKP/Ed25519) or RS256"));
    assert!(findings[0]
        .remedy
        .as_deref()
        .unwrap()
        .contains("Vault must be able to reach this URL too"));
}

// jwks_ca_pem: a JWKS served over TLS from a private CA works when the CA is given, for both
// nvctl's pre-flight and Vault's fetch.
#[test]
fn jwks_over_tls_needs_and_uses_the_ca() {
    let jwks = JwksServer::start_ed25519_tls().unwrap();
    let ca = jwks.ca_pem().unwrap();
    let without =
        nvctl::doctor::workload_identity::fetch_jwks(&jwks.url(), None, Duration::from_secs(5));
    assert!(!without.ok());
    let sandbox = dev();
    let mut spec = WorkloadIdentitySpec::nomad_defaults(jwks.url());
    spec.jwks_ca_pem = Some(ca.clone());
    let reports = apply(&sandbox, &spec);
    assert_eq!(errors(&reports), Vec::<String>::new());
    let config = reports.iter().find(|r| r.step == "jwt-config").unwrap();
    assert!(config
        .findings
        .iter()
        .any(|f| f.severity == Severity::Info && f.message.contains("EdDSA")));
    let (_, live) = http(&sandbox).get("auth/jwt-nomad/config");
    assert_eq!(
        live["data"]["jwks_ca_pem"].as_str().unwrap().trim(),
        ca.trim()
    );
    put_secret(&sandbox, "default/web/config", "web-secret");
    let token = job_token(&sandbox, &jwks, "web");
    assert_eq!(
        read_as(&sandbox, &token, "secret/data/default/web/config").0,
        200
    );
}

// --plan on a fresh Vault: every step reports its pending change and nothing is written, the
// policy shown on the accessor the mount will get.
#[test]
fn plan_only_writes_nothing() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    sandbox.clear_requests();
    let reports = wi::run(
        &client(&sandbox),
        &Ui::unattended(),
        Consent::PlanOnly,
        &WorkloadIdentitySpec::nomad_defaults(jwks.url()),
    )
    .unwrap();
    assert_eq!(
        outcomes(&reports),
        vec![
            ("auth-method", Outcome::Pending),
            ("jwt-config", Outcome::Pending),
            ("wi-policy", Outcome::Pending),
            ("jwt-role", Outcome::Pending),
        ]
    );
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());
}

fn agent_config(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn wi_server_config(addr: &str, aud: &str) -> String {
    format!(
        "server {{\n  enabled = true\n}}\n\nvault {{\n  enabled = true\n  address = \"{addr}\"\n\n  default_identity {{\n    aud = [\"{aud}\"]\n    ttl = \"1h\"\n  }}\n}}\n"
    )
}

fn wi_client_config(addr: &str, path: &str) -> String {
    format!(
        "client {{\n  enabled = true\n}}\n\nvault {{\n  enabled = true\n  address = \"{addr}\"\n  jwt_auth_backend_path = \"{path}\"\n}}\n"
    )
}

fn doctor(sandbox: &SandboxHandle, config: &std::path::Path) -> Nvctl {
    Nvctl::new()
        .sandbox(sandbox)
        .args(["doctor", "--nomad-version", "1.10.0", "--agent-config"])
        .arg(config)
}

// nomad-rules.md §5: doctor reads default_identity.aud from a WI server's files and checks it
// against the live role; the stanza nvctl emits passes.
#[test]
fn doctor_checks_a_wi_servers_audience_against_the_live_role() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    apply(&sandbox, &WorkloadIdentitySpec::nomad_defaults(jwks.url()));
    let dir = support::workdir();
    let good = agent_config(
        &dir,
        "good.hcl",
        &wi_server_config(&sandbox.addr(), "vault.io"),
    );
    doctor(&sandbox, &good)
        .run()
        .exit(0)
        .stderr_has("Nomad server agent (workload identity)")
        .stdout_has("checking the workload identity set-up");
    let bad = agent_config(
        &dir,
        "bad.hcl",
        &wi_server_config(&sandbox.addr(), "nomad.io"),
    );
    doctor(&sandbox, &bad)
        .run()
        .exit(3)
        .stdout_has("audience mismatch")
        .stdout_has("[\"nomad.io\"]");
    // Without a token nvctl can only say the checks did not run.
    Nvctl::new()
        .env("VAULT_ADDR", &sandbox.addr())
        .args(["doctor", "--nomad-version", "1.10.0", "--agent-config"])
        .arg(&good)
        .run()
        .exit(0)
        .stdout_has("did not run");
}

// nomad-rules.md §4/§5: a client's jwt_auth_backend_path must name a jwt auth method, and the
// policy of the role it logs in with must be templated on that mount's accessor.
#[test]
fn doctor_checks_a_wi_clients_auth_path_and_accessor_drift() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    let spec = WorkloadIdentitySpec::nomad_defaults(jwks.url());
    apply(&sandbox, &spec);
    let dir = support::workdir();
    let good = agent_config(
        &dir,
        "good.hcl",
        &wi_client_config(&sandbox.addr(), "jwt-nomad/"),
    );
    doctor(&sandbox, &good).run().exit(0);
    let typo = agent_config(
        &dir,
        "typo.hcl",
        &wi_client_config(&sandbox.addr(), "jwt-nomd/"),
    );
    doctor(&sandbox, &typo)
        .run()
        .exit(3)
        .stdout_has("no auth method is enabled at jwt-nomd/");

    // The auth method re-enabled under the same path: the client's config is unchanged, the
    // policy silently stale.
    let h = http(&sandbox);
    assert_eq!(h.delete("sys/auth/jwt-nomad").0, 204);
    apply_mount_config_and_role_only(&sandbox, &jwks);
    doctor(&sandbox, &good)
        .run()
        .exit(3)
        .stdout_has("accessor drift");
}

/// What an operator restores by hand after re-enabling the auth method: not the policy.
fn apply_mount_config_and_role_only(sandbox: &SandboxHandle, jwks: &JwksServer) {
    let h = http(sandbox);
    assert_eq!(h.put("sys/auth/jwt-nomad", &json!({"type": "jwt"})).0, 204);
    assert_eq!(
        h.put(
            "auth/jwt-nomad/config",
            &json!({"jwks_url": jwks.url(), "jwt_supported_algs": ["EdDSA", "RS256"], "default_role": "nomad-workloads"})
        )
        .0,
        204
    );
    let role = json!({
        "role_type": "jwt", "bound_audiences": ["vault.io"], "user_claim": "/nomad_job_id",
        "user_claim_json_pointer": true,
        "claim_mappings": {"nomad_namespace": "nomad_namespace", "nomad_job_id": "nomad_job_id", "nomad_task": "nomad_task"},
        "token_type": "service", "token_period": "30m", "token_policies": ["nomad-workloads"],
    });
    assert_eq!(h.put("auth/jwt-nomad/role/nomad-workloads", &role).0, 204);
}

// nomad-rules.md §5 (agent blocks): the WI stanzas carry the audience, identity TTL and auth
// path given, so they agree with the role nvctl wrote.
#[test]
fn wi_stanzas_take_audience_ttl_and_auth_path() {
    let server = Nvctl::new()
        .args([
            "stanza",
            "server",
            "--flow",
            "workload-identity",
            "--audience",
            "vault.io,other.example",
            "--identity-ttl",
            "2h",
            "--vault-address",
            "https://vault.example.com:8200",
        ])
        .run()
        .exit(0);
    assert!(
        server
            .stdout
            .contains("aud = [\"vault.io\", \"other.example\"]"),
        "{}",
        server.stdout
    );
    assert!(server.stdout.contains("ttl = \"2h\""), "{}", server.stdout);
    Nvctl::new()
        .args([
            "stanza",
            "client",
            "--flow",
            "workload-identity",
            "--auth-path",
            "/jwt-team/",
            "--vault-address",
            "https://vault.example.com:8200",
        ])
        .run()
        .exit(0)
        .stdout_has("jwt_auth_backend_path = \"jwt-team/\"");
    Nvctl::new()
        .args([
            "stanza",
            "server",
            "--flow",
            "workload-identity",
            "--identity-ttl",
            "an hour",
        ])
        .run()
        .exit(1)
        .stderr_has("invalid --identity-ttl");
}

/// `bootstrap --flow workload-identity` through the library, against a Vault already
/// initialised and unsealed (the root token as the operator's): its step reports and the final
/// verification's findings.
fn configure(
    sandbox: &SandboxHandle,
    jwks: &JwksServer,
    audience: &str,
    outputs: &[(nvctl::nomad::stanza::AgentKind, std::path::PathBuf)],
) -> (Vec<StepReport>, nvctl::checks::Findings) {
    use nvctl::bootstrap::config::{resolve, ResolveContext};
    use nvctl::bootstrap::{run, Connection, FlowSpec, Mode};
    use nvctl::cli::{BootstrapArgs, Flow};
    use nvctl::nomad::stanza::AgentKind;
    let output = |kind| {
        outputs
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, p)| p.clone())
    };
    let args = BootstrapArgs {
        flow: Some(Flow::WorkloadIdentity),
        jwks_url: Some(jwks.url()),
        audience: Some(audience.to_string()),
        init_output: Some(outputs[0].1.with_file_name("vault-init.json")),
        server_stanza_output: output(AgentKind::Server),
        client_stanza_output: output(AgentKind::Client),
        ..BootstrapArgs::default()
    };
    let config = resolve(
        &args,
        &ResolveContext {
            nomad_token: None,
            address_flags: vec![sandbox.addr()],
            fallback_addresses: Vec::new(),
            default_dir: None,
        },
    )
    .unwrap();
    let spec = wi::spec_from_options(&config.workload_identity).unwrap();
    let conn = Connection {
        client: client(sandbox),
        token: sandbox.root_token().map(|t| t.as_str().into()),
        namespace: None,
    };
    let report = run(
        &config,
        &FlowSpec::WorkloadIdentity(Box::new(spec)),
        &conn,
        &Ui::unattended(),
        Mode::Apply,
    )
    .unwrap();
    let verification = report.verification.expect("verified");
    (report.steps, verification.findings)
}

// The configuration phase bootstrap runs after init/unseal: the steps, then the agent blocks
// written to files and checked against Nomad's agent rules; a re-run leaves the files alone.
#[test]
fn configure_writes_agent_blocks_that_agree_with_the_role() {
    use nvctl::nomad::stanza::AgentKind;
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    let dir = support::workdir();
    let outputs = vec![
        (AgentKind::Server, dir.path().join("server.hcl")),
        (AgentKind::Client, dir.path().join("client.hcl")),
    ];
    let (reports, verification) = configure(&sandbox, &jwks, "nomad-wi", &outputs);
    assert_eq!(errors(&reports), Vec::<String>::new());
    assert!(!verification.has_errors(), "{verification:?}");
    let server = std::fs::read_to_string(&outputs[0].1).unwrap();
    assert!(server.contains("aud = [\"nomad-wi\"]"), "{server}");
    let client_block = std::fs::read_to_string(&outputs[1].1).unwrap();
    assert!(
        client_block.contains("jwt_auth_backend_path = \"jwt-nomad/\""),
        "{client_block}"
    );
    // The server block nvctl wrote is what doctor reads: its audience meets the role.
    let base = agent_config(&dir, "base.hcl", "server {\n  enabled = true\n}\n");
    doctor(&sandbox, &base)
        .args(["--agent-config"])
        .arg(&outputs[0].1)
        .run()
        .exit(0)
        .stderr_has("Nomad server agent (workload identity)");

    let (again, _) = configure(&sandbox, &jwks, "nomad-wi", &outputs);
    assert!(again.iter().all(|r| r.outcome == Outcome::Unchanged));
}

// ---------------------------------------------------------------------------------------
// `nvctl bootstrap --flow workload-identity`: the real binary.

/// `nvctl bootstrap --flow workload-identity --jwks-url <jwks>` at `sandbox` (with its root
/// token once it has one), the init file in `dir`.
fn wi_bootstrap(sandbox: &SandboxHandle, jwks: &JwksServer, dir: &std::path::Path) -> Nvctl {
    Nvctl::new()
        .sandbox(sandbox)
        .args(["bootstrap", "--flow", "workload-identity", "--jwks-url"])
        .arg(jwks.url())
        .arg("--init-output")
        .arg(dir.join("vault-init.json"))
}

/// The operator's own JWT auth method at nvctl's default path (no nvctl mark): nvctl creates
/// its role in it and records the role in its policy's header.
fn mount_the_operators_auth_method(h: &Http) {
    assert_eq!(
        h.put(
            "sys/auth/jwt-nomad",
            &json!({"type": "jwt", "description": "ops team"})
        )
        .0,
        204
    );
}

/// `bootstrap --flow workload-identity --destroy` against `sandbox`.
fn wi_destroy(sandbox: &SandboxHandle) -> Nvctl {
    Nvctl::new()
        .sandbox(sandbox)
        .args(["bootstrap", "--flow", "workload-identity", "--destroy"])
}

fn step_names(doc: &Value) -> Vec<String> {
    doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap().to_string())
        .collect()
}

// nomad-rules.md §5 through the command operators run: a fresh Vault is initialised,
// unsealed and set up for workload identity in one run; a job's JWT then reads its own
// secrets and not another job's; a re-run writes nothing.
#[test]
fn bootstrap_sets_up_workload_identity_on_a_fresh_vault_and_a_rerun_writes_nothing() {
    support::sandbox_only("needs an uninitialised Vault and a loopback JWKS server");
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = vault_sandbox::Sandbox::builder()
        .uninitialized()
        .start()
        .unwrap();
    let dir = support::workdir();
    // A fresh Vault has no secret/: asked for, nvctl mounts it.
    let run = wi_bootstrap(&sandbox, &jwks, dir.path())
        .args(["--kv-mount", "secret", "--yes", "--format", "json"])
        .run()
        .exit(0);
    let doc = run.json();
    let run = run.hides(&sandbox.root_token().unwrap());
    assert_eq!(doc["flow"], "workload-identity");
    assert_eq!(
        doc["token"],
        Value::Null,
        "workload identity mints no server token"
    );
    assert_eq!(
        step_names(&doc),
        [
            "init",
            "unseal",
            "auth-method",
            "jwt-config",
            "kv",
            "wi-policy",
            "jwt-role"
        ]
    );
    for step in doc["steps"].as_array().unwrap() {
        assert_eq!(step["outcome"], "created", "{step}");
    }
    assert_eq!(doc["verification"]["findings"], json!([]));
    assert!(doc["stanzas"]["server"]
        .as_str()
        .unwrap()
        .contains("aud = [\"vault.io\"]"));
    drop(run);

    put_secret(&sandbox, "default/web/config", "web-secret");
    put_secret(&sandbox, "default/api/config", "api-secret");
    let web = job_token(&sandbox, &jwks, "web");
    let (status, own) = read_as(&sandbox, &web, "secret/data/default/web/config");
    assert_eq!(status, 200, "{own}");
    assert_eq!(own["data"]["data"]["password"], "web-secret");
    assert_eq!(
        read_as(&sandbox, &web, "secret/data/default/api/config").0,
        403,
        "a job's token must not read another job's secret"
    );

    sandbox.clear_requests();
    wi_bootstrap(&sandbox, &jwks, dir.path())
        .args(["--kv-mount", "secret", "--yes"])
        .run()
        .exit(0)
        .stderr_has("role \"nomad-workloads\" already in place.")
        .stderr_has("Bootstrap complete (workload identity)")
        .stdout_has("jwt_auth_backend_path = \"jwt-nomad/\"");
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());
}

// Drift in CI: the role changed behind nvctl's back → --plan shows the diff, writes nothing
// and exits 3; a run with consent puts it back.
#[test]
fn bootstrap_plan_on_a_changed_role_exits_3_and_writes_nothing() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    let dir = support::workdir();
    wi_bootstrap(&sandbox, &jwks, dir.path())
        .arg("--yes")
        .run()
        .exit(0);
    let h = http(&sandbox);
    let (_, live) = h.get("auth/jwt-nomad/role/nomad-workloads");
    let mut changed = live["data"].clone();
    changed["bound_audiences"] = json!(["nomad.io"]);
    assert_eq!(
        h.put("auth/jwt-nomad/role/nomad-workloads", &changed).0,
        204
    );

    sandbox.clear_requests();
    wi_bootstrap(&sandbox, &jwks, dir.path())
        .arg("--plan")
        .run()
        .exit(3)
        .stderr_has("role \"nomad-workloads\" differs")
        .stderr_has("-    \"nomad.io\"")
        .stderr_has("+    \"vault.io\"")
        .stderr_has("Changes are pending");
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());

    wi_bootstrap(&sandbox, &jwks, dir.path())
        .arg("--yes")
        .run()
        .exit(0);
    wi_bootstrap(&sandbox, &jwks, dir.path())
        .arg("--plan")
        .run()
        .exit(0)
        .stderr_has("Nothing to change.");
}

// `--destroy` through bootstrap: without consent nothing goes; --plan lists and exits 3;
// with --yes Vault ends as it was before the bootstrap.
#[test]
fn bootstrap_destroy_leaves_vault_as_it_found_it() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    let dir = support::workdir();
    let before = snapshot(&sandbox);
    wi_bootstrap(&sandbox, &jwks, dir.path())
        .arg("--yes")
        .run()
        .exit(0);
    assert_ne!(snapshot(&sandbox), before);
    let destroy = || wi_destroy(&sandbox);

    sandbox.clear_requests();
    destroy().run().exit(1).stderr_has("--yes");
    destroy()
        .arg("--plan")
        .run()
        .exit(3)
        .stderr_has("sys/policies/acl/nomad-workloads")
        .stderr_has("sys/auth/jwt-nomad");
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());

    let doc = destroy()
        .args(["--yes", "--format", "json"])
        .run()
        .exit(0)
        .json();
    assert_eq!(
        doc["removed"],
        json!(["sys/auth/jwt-nomad", "sys/policies/acl/nomad-workloads"])
    );
    assert_eq!(snapshot(&sandbox), before);
}

// `--destroy` goes through the one driver: each removal of both stages is asked for in
// pipeline order (the auth method, then the policy that goes after it) before anything is
// deleted, so declining the second deletes nothing of the first stage; the JSON report
// carries the driver's step reports, each removal `deleted`.
#[test]
fn bootstrap_destroy_asks_in_pipeline_order_and_reports_each_step() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    let dir = support::workdir();
    wi_bootstrap(&sandbox, &jwks, dir.path())
        .arg("--yes")
        .run()
        .exit(0);
    let bootstrapped = snapshot(&sandbox);
    let destroy = || wi_destroy(&sandbox);

    sandbox.clear_requests();
    let mut terminal = destroy().on_terminal();
    terminal
        .expect(
            "The 2 changes below are each asked for before any is deleted; then they are \
             deleted in this order, each group together: the roles, secrets engine and auth \
             method (1), then the policy recording the roles, once they are gone (1):",
        )
        .expect("Apply this change to sys/auth/jwt-nomad? [y/N] ")
        .send("y\n");
    terminal
        .expect("Apply this change to sys/policies/acl/nomad-workloads? [y/N] ")
        .send("n\n");
    terminal
        .finish()
        .exit(1)
        .stderr_has("sys/policies/acl/nomad-workloads was not changed: the operator declined");
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());
    assert_eq!(snapshot(&sandbox), bootstrapped);

    let doc = destroy()
        .args(["--yes", "--format", "json"])
        .run()
        .exit(0)
        .json();
    let outcomes: Vec<(&str, &str)> = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap(), s["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("jwt-role", "unchanged"),
            ("kv", "unchanged"),
            ("auth-method", "deleted"),
            ("wi-policy", "deleted"),
        ]
    );
}

// The policy's header is the only record of a role nvctl created in the operator's auth
// method, so it must outlive the role: when the role's DELETE fails (Vault answers 500), the
// run exits 2 naming the role, keeps the policy and says a re-run finishes; the re-run
// removes the role, then the policy; a third run removes nothing and writes nothing.
#[test]
fn bootstrap_destroy_keeps_the_policy_until_the_roles_it_records_are_gone() {
    support::sandbox_only("injects a failed DELETE");
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    let dir = support::workdir();
    let h = http(&sandbox);
    mount_the_operators_auth_method(&h);
    let before = snapshot(&sandbox);
    wi_bootstrap(&sandbox, &jwks, dir.path())
        .arg("--yes")
        .run()
        .exit(0);
    let role = "auth/jwt-nomad/role/nomad-workloads";
    let policy = "sys/policies/acl/nomad-workloads";
    let (_, recorded) = h.get(policy);
    assert!(
        recorded["data"]["policy"]
            .as_str()
            .unwrap()
            .contains(&format!("also created {role}")),
        "{recorded}"
    );
    let destroy = || wi_destroy(&sandbox);

    // --plan shows both removals, in the order they would be made, and deletes nothing.
    sandbox.clear_requests();
    let planned = destroy()
        .args(["--plan", "--format", "json"])
        .run()
        .exit(3)
        .json();
    assert_eq!(planned["would_remove"], json!([role, policy]));
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());

    sandbox.set_fault(Fault::respond_on_method_path(
        "DELETE",
        "auth/jwt-nomad/role/nomad-workloads",
        500,
        r#"{"errors":["internal error"]}"#,
    ));
    destroy()
        .arg("--yes")
        .run()
        .exit(2)
        .stderr_has(&format!("cannot delete {role}"))
        .stderr_has(&format!("kept: {policy}"))
        .stderr_has("re-run it to finish");
    assert_eq!(h.get(policy).0, 200, "the record of the role is kept");
    assert_eq!(h.get(role).0, 200);

    sandbox.clear_faults();
    let done = destroy()
        .args(["--yes", "--format", "json"])
        .run()
        .exit(0)
        .json();
    assert_eq!(done["removed"], json!([role, policy]));
    assert_eq!(h.get(role).0, 404);
    assert_eq!(snapshot(&sandbox), before);

    sandbox.clear_requests();
    let again = destroy()
        .args(["--yes", "--format", "json"])
        .run()
        .exit(0)
        .json();
    assert_eq!(again["removed"], json!([]));
    assert_eq!(support::writes(&sandbox), Vec::<String>::new());
}

// nomad-rules.md §1: Nomad 1.10 runs workload identity only — the version selects it, and
// the legacy flow is refused for it before Vault is contacted.
#[test]
fn nomad_1_10_selects_workload_identity_and_refuses_the_legacy_flow() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    let dir = support::workdir();
    sandbox.clear_requests();
    Nvctl::new()
        .sandbox(&sandbox)
        .args([
            "bootstrap",
            "--yes",
            "--flow",
            "legacy",
            "--nomad-version",
            "1.10.0",
        ])
        .run()
        .exit(1)
        .stderr_has("Nomad 1.10 removed the legacy token flow")
        .stderr_has("--flow workload-identity");
    assert!(sandbox.requests().is_empty(), "Vault was contacted");

    let run = Nvctl::new()
        .sandbox(&sandbox)
        .args([
            "bootstrap",
            "--yes",
            "--nomad-version",
            "1.10.0",
            "--format",
            "json",
        ])
        .args(["--jwks-url", &jwks.url(), "--init-output"])
        .arg(dir.path().join("vault-init.json"))
        .run()
        .exit(0)
        .stderr_has("the workload-identity flow");
    assert_eq!(run.json()["flow"], "workload-identity");
    assert_eq!(
        http(&sandbox).get("auth/jwt-nomad/role/nomad-workloads").0,
        200
    );
}

// nomad-rules.md §1: 1.7–1.9 run both flows; without a terminal and without --flow the legacy
// flow stays, with a note naming --flow. Flags of the other flow are refused, not ignored.
#[test]
fn nomad_1_8_without_flow_stays_legacy_with_a_note_and_foreign_flags_are_refused() {
    let sandbox = dev();
    let dir = support::workdir();
    let run = Nvctl::new()
        .sandbox(&sandbox)
        .args([
            "bootstrap",
            "--plan",
            "--nomad-version",
            "1.8.0",
            "--format",
            "json",
        ])
        .arg("--init-output")
        .arg(dir.path().join("vault-init.json"))
        .arg("--token-output")
        .arg(dir.path().join("nomad-server.token"))
        .run()
        .exit(3)
        .stderr_has("--flow workload-identity");
    assert_eq!(run.json()["flow"], "legacy");

    sandbox.clear_requests();
    Nvctl::new()
        .sandbox(&sandbox)
        .args([
            "bootstrap",
            "--yes",
            "--jwks-url",
            "http://127.0.0.1:1/jwks",
        ])
        .run()
        .exit(1)
        .stderr_has("--jwks-url belong(s) to the workload-identity flow");
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["bootstrap", "--yes", "--destroy"])
        .run()
        .exit(1)
        .stderr_has("the legacy token flow has no --destroy");
    Nvctl::new()
        .sandbox(&sandbox)
        .args([
            "bootstrap",
            "--yes",
            "--flow",
            "workload-identity",
            "--rotate-token",
        ])
        .args(["--jwks-url", "http://127.0.0.1:1/jwks"])
        .run()
        .exit(1)
        .stderr_has("--rotate-token belong(s) to the legacy token flow");
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["bootstrap", "--yes", "--flow", "workload-identity"])
        .run()
        .exit(1)
        .stderr_has("--nomad-addr");
    assert!(sandbox.requests().is_empty(), "Vault was contacted");
}

// The newcomer's one command works for workload identity too: an in-memory Nomad whose JWKS
// Vault fetches and whose signed identity logs in through the role (issue 15), and both agent
// blocks printed as HCL that parses.
#[test]
fn dev_with_workload_identity_prints_both_stanzas_that_parse() {
    let dir = support::workdir();
    let run = Nvctl::new()
        .current_dir(dir.path())
        .args(["bootstrap", "--dev", "--flow", "workload-identity", "-v"])
        .run()
        .exit(0)
        .stderr_has("In-memory Nomad at http://127.0.0.1:")
        .stderr_has("the workload identity of job \"nvctl-proof\" logged in through role \"nomad-workloads\"")
        .stderr_has("Bootstrap complete (workload identity)");
    let body: hcl::Body = hcl::from_str(&run.stdout).expect("stdout is HCL");
    let blocks: Vec<&hcl::Block> = body
        .blocks()
        .filter(|b| b.identifier() == "vault")
        .collect();
    assert_eq!(blocks.len(), 2, "{}", run.stdout);
    let identity = blocks[0]
        .body()
        .blocks()
        .find(|b| b.identifier() == "default_identity")
        .expect("the server block has default_identity");
    let aud = identity
        .body()
        .attributes()
        .find(|a| a.key() == "aud")
        .map(|a| a.expr().clone());
    assert_eq!(
        aud,
        Some(hcl::Expression::Array(vec![hcl::Expression::from(
            "vault.io"
        )]))
    );
    let path = blocks[1]
        .body()
        .attributes()
        .find(|a| a.key() == "jwt_auth_backend_path")
        .map(|a| a.expr().clone());
    assert_eq!(path, Some(hcl::Expression::from("jwt-nomad/")));
    assert!(
        !run.stdout.contains("token"),
        "no token in a workload identity block: {}",
        run.stdout
    );
}

// `nomad setup vault`, as hashicorp/nomad command/setup_vault.go (v1.9.x) writes it with its
// defaults — the bodies of command/asset/vault-wi-default-auth-method-config.json,
// vault-wi-default-policy.hcl and vault-wi-default-role.json, in Run's order:
// createAuthMethod (EnableAuthWithOptions {Type: "jwt"}, then the config with jwks_url and
// default_role set by renderAuthMethod), createPolicy (the policy base64-encoded, auth_jwt_X
// replaced by the mount's accessor in renderPolicy), createRole (bound_audiences set to
// "vault.io" by renderRole). No KV mount.
const SETUP_VAULT_POLICY: &str = "path \"secret/data/{{identity.entity.aliases.auth_jwt_X.metadata.nomad_namespace}}/{{identity.entity.aliases.auth_jwt_X.metadata.nomad_job_id}}/*\" {\n  capabilities = [\"read\"]\n}\n\npath \"secret/data/{{identity.entity.aliases.auth_jwt_X.metadata.nomad_namespace}}/{{identity.entity.aliases.auth_jwt_X.metadata.nomad_job_id}}\" {\n  capabilities = [\"read\"]\n}\n\npath \"secret/metadata/{{identity.entity.aliases.auth_jwt_X.metadata.nomad_namespace}}/*\" {\n  capabilities = [\"list\"]\n}\n\npath \"secret/metadata/*\" {\n  capabilities = [\"list\"]\n}\n";

fn setup_vault_config(jwks_url: &str) -> Value {
    json!({
        "jwks_url": jwks_url,
        "jwt_supported_algs": ["EdDSA", "RS256"],
        "default_role": "nomad-workloads",
    })
}

fn setup_vault_role() -> Value {
    json!({
        "role_type": "jwt",
        "bound_audiences": "vault.io",
        "user_claim": "/nomad_job_id",
        "user_claim_json_pointer": true,
        "claim_mappings": {
            "nomad_namespace": "nomad_namespace",
            "nomad_job_id": "nomad_job_id",
            "nomad_task": "nomad_task",
        },
        "token_type": "service",
        "token_period": "30m",
        "token_policies": ["nomad-workloads"],
    })
}

/// Replays `nomad setup vault -y` against `sandbox` (command/setup_vault.go Run).
fn nomad_setup_vault(sandbox: &SandboxHandle, jwks_url: &str) {
    use base64::Engine;
    let h = http(sandbox);
    assert_eq!(h.put("sys/auth/jwt-nomad", &json!({"type": "jwt"})).0, 204);
    let (status, body) = h.put("auth/jwt-nomad/config", &setup_vault_config(jwks_url));
    assert_eq!(status, 204, "{body}");
    let accessor = h.get("sys/auth/jwt-nomad").1["data"]["accessor"]
        .as_str()
        .unwrap()
        .to_string();
    let policy = SETUP_VAULT_POLICY.replace("auth_jwt_X", &accessor);
    let encoded = base64::engine::general_purpose::STANDARD.encode(policy);
    assert_eq!(
        h.put(
            "sys/policies/acl/nomad-workloads",
            &json!({"policy": encoded})
        )
        .0,
        204
    );
    let (status, body) = h.put("auth/jwt-nomad/role/nomad-workloads", &setup_vault_role());
    assert!(matches!(status, 200 | 204), "{status} {body}");
}

/// What a workload-identity set-up left in Vault, with the accessor (which differs between
/// two Vaults) replaced by `auth_jwt_X`, nvctl's mark taken out (the auth method's
/// description, the policy's leading `# [created-by: nvctl] …` lines) and the mount's
/// identifiers dropped.
fn wi_state(sandbox: &SandboxHandle) -> Value {
    let h = http(sandbox);
    let mut mount = h.get("sys/auth").1["data"]["jwt-nomad/"].clone();
    let accessor = mount["accessor"].as_str().unwrap().to_string();
    let description = mount["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for volatile in ["accessor", "uuid", "description"] {
        mount.as_object_mut().unwrap().remove(volatile);
    }
    let policy = h.get("sys/policies/acl/nomad-workloads").1["data"]["policy"]
        .as_str()
        .unwrap()
        .to_string();
    let unmarked: String = policy
        .lines()
        .skip_while(|l| l.starts_with("# [created-by: nvctl]"))
        .map(|l| format!("{l}\n"))
        .collect();
    json!({
        "marked": description.contains("[created-by: nvctl]"),
        "sys/auth/jwt-nomad/": mount,
        "auth/jwt-nomad/config": h.get("auth/jwt-nomad/config").1["data"],
        "policy": unmarked.replace(&accessor, "auth_jwt_X"),
        "role": h.get("auth/jwt-nomad/role/nomad-workloads").1["data"],
        "kv mounted at secret/": h.get("sys/mounts").1["data"].get("secret/").is_some(),
    })
}

// Issue 11: with the default options nvctl writes what `nomad setup vault` writes, field by
// field and in its order (auth method, config, policy, role), plus nvctl's mark only; on a
// Vault without secret/ it mounts no KV engine.
#[test]
fn default_options_write_what_nomad_setup_vault_writes_in_its_order() {
    support::sandbox_only("needs an uninitialised Vault and a loopback JWKS server");
    let jwks = JwksServer::start_ed25519().unwrap();
    let ours = vault_sandbox::Sandbox::builder()
        .uninitialized()
        .start()
        .unwrap();
    let dir = support::workdir();
    wi_bootstrap(&ours, &jwks, dir.path())
        .arg("--yes")
        .run()
        .exit(0)
        .stderr_has("Bootstrap complete (workload identity)");

    // The requests, in order, after init and unseal.
    let writes: Vec<_> = ours
        .requests()
        .into_iter()
        .filter(|r| !matches!(r.method.as_str(), "GET" | "HEAD" | "LIST"))
        .filter(|r| !r.path.starts_with("/v1/sys/init") && !r.path.starts_with("/v1/sys/unseal"))
        .collect();
    let paths: Vec<&str> = writes.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/v1/sys/auth/jwt-nomad",
            "/v1/auth/jwt-nomad/config",
            "/v1/sys/policies/acl/nomad-workloads",
            "/v1/auth/jwt-nomad/role/nomad-workloads",
        ]
    );
    let body = |i: usize| -> Value { serde_json::from_str(&writes[i].body).unwrap() };
    // setup_vault.go createAuthMethod: {"type": "jwt"}; nvctl adds its mark in the description.
    let enable = body(0);
    assert_eq!(enable["type"], "jwt");
    assert!(enable["description"]
        .as_str()
        .unwrap()
        .contains("[created-by: nvctl]"));
    let extra: Vec<&String> = enable
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !["type", "description"].contains(&k.as_str()))
        .collect();
    assert!(extra.is_empty(), "{enable}");
    assert_eq!(body(1), setup_vault_config(&jwks.url()));
    let role = body(3);
    let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&role), keys(&setup_vault_role()));

    // The state each leaves in Vault: the same, field by field.
    let theirs = dev();
    nomad_setup_vault(&theirs, &jwks.url());
    let mut expected = wi_state(&theirs);
    expected["marked"] = json!(true);
    expected["kv mounted at secret/"] = json!(false);
    assert_eq!(wi_state(&ours), expected);
    assert_eq!(
        wi_state(&theirs)["policy"],
        SETUP_VAULT_POLICY,
        "the policy as nomad setup vault's asset has it"
    );
}

// --kv-mount is checked before anything is sent: Vault's own paths are refused, naming the
// flag; the flag belongs to the workload-identity flow.
#[test]
fn a_kv_mount_on_vaults_own_paths_is_refused_before_vault_is_contacted() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    let dir = support::workdir();
    sandbox.clear_requests();
    wi_bootstrap(&sandbox, &jwks, dir.path())
        .args(["--kv-mount", "sys/", "--yes"])
        .run()
        .exit(1)
        .stderr_has("--kv-mount")
        .stderr_has("one of Vault's own paths");
    assert!(sandbox.requests().is_empty(), "Vault was contacted");
    Nvctl::new()
        .sandbox(&sandbox)
        .args([
            "bootstrap",
            "--flow",
            "legacy",
            "--kv-mount",
            "secret",
            "--plan",
        ])
        .run()
        .exit(1)
        .stderr_has("--kv-mount");
}

// The configuration key does what the flag does: kv_mount = "apps" mounts KV v2 at apps/ and
// the policy grants there.
#[test]
fn kv_mount_in_the_configuration_mounts_the_engine_the_policy_grants_on() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    let dir = support::workdir();
    let config = dir.path().join("bootstrap.hcl");
    std::fs::write(&config, "workload_identity {\n  kv_mount = \"apps\"\n}\n").unwrap();
    wi_bootstrap(&sandbox, &jwks, dir.path())
        .arg("--config")
        .arg(&config)
        .arg("--yes")
        .run()
        .exit(0);
    let h = http(&sandbox);
    let (_, mounts) = h.get("sys/mounts");
    assert_eq!(mounts["data"]["apps/"]["options"]["version"], "2");
    assert!(mounts["data"]["apps/"]["description"]
        .as_str()
        .unwrap()
        .contains("[created-by: nvctl]"));
    let (_, policy) = h.get("sys/policies/acl/nomad-workloads");
    assert!(policy["data"]["policy"]
        .as_str()
        .unwrap()
        .contains("path \"apps/metadata/*\""));
    let (status, body) = h.put(
        "apps/data/default/web/config",
        &json!({"data": {"password": "p"}}),
    );
    assert_eq!(status, 200, "{body}");
    let web = job_token(&sandbox, &jwks, "web");
    assert_eq!(
        read_as(&sandbox, &web, "apps/data/default/web/config").0,
        200
    );
}

// --destroy takes --kv-mount as the run that mounted it did: the marked engine at apps/ goes
// with the rest, and Vault ends as it began.
#[test]
fn destroy_with_the_same_kv_mount_removes_the_engine_nvctl_mounted() {
    let jwks = JwksServer::start_ed25519().unwrap();
    let sandbox = dev();
    let dir = support::workdir();
    let before = snapshot(&sandbox);
    wi_bootstrap(&sandbox, &jwks, dir.path())
        .args(["--kv-mount", "apps", "--yes"])
        .run()
        .exit(0);
    let doc = Nvctl::new()
        .sandbox(&sandbox)
        .args([
            "bootstrap",
            "--flow",
            "workload-identity",
            "--destroy",
            "--kv-mount",
            "apps",
            "--yes",
            "--format",
            "json",
        ])
        .run()
        .exit(0)
        .json();
    assert!(
        doc["removed"]
            .as_array()
            .unwrap()
            .contains(&json!("sys/mounts/apps")),
        "{doc}"
    );
    assert_eq!(snapshot(&sandbox), before);
}
