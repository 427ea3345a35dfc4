//! Nomad's verdict, case by case. Each case is a Vault state taken from Nomad's own tests or
//! from a path through Nomad's validation code (hashicorp/nomad v1.9.7 `nomad/vault.go`
//! parseSelfToken, lookupSelf, validateCapabilities, validateRole; `nomad/vault_test.go`), with
//! what Nomad does with it: accept; refuse, with the exact error parseSelfToken returns (the
//! `error` of Nomad's `failed to validate self token/role` log line); or retry, because Vault
//! itself failed. Every case runs through `nvctl token check` and `nvctl check-role` (and, when
//! the state is the bootstrap configuration's own, `nvctl bootstrap --plan`) against the
//! sandbox: exit 0 where Nomad accepts, 3 where it refuses, with Nomad's bytes, 2 where Nomad
//! would retry.
//!
//! The expected strings are built here the way the upstream code builds them (the Go format
//! strings are quoted beside each helper), never with nvctl's own functions. Sandbox only: the
//! cases need fault injection and fresh Vaults.

use std::path::PathBuf;

use serde_json::{json, Value};
use vault_sandbox::{Fault, SandboxHandle};

use crate::support::{self, Http, Nvctl, ROOT_TOKEN};

// ---- The upstream formats --------------------------------------------------------------------

/// Go's `%q` on a `[]string`: `["update" "root"]`.
fn q_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(" "))
}

/// nomad/vault.go validateCapabilities:
/// `fmt.Errorf("token must have one of the following capabilities %q on %q; has %v", requiredCaps, path, caps)`.
fn caps_error(path: &str, required: &[&str], has: &[&str]) -> String {
    format!(
        "token must have one of the following capabilities {} on \"{path}\"; has [{}]",
        q_list(required),
        has.join(" ")
    )
}

/// github.com/hashicorp/go-multierror v1.1.1 format.go ListFormatFunc.
fn multierror(errors: &[String]) -> String {
    if errors.len() == 1 {
        return format!("1 error occurred:\n\t* {}\n\n", errors[0]);
    }
    let points: Vec<String> = errors.iter().map(|e| format!("* {e}")).collect();
    format!(
        "{} errors occurred:\n\t{}\n\n",
        errors.len(),
        points.join("\n\t")
    )
}

/// hashicorp/vault api/response.go ResponseError.Error: the header, then `"* %s"` per error,
/// written one after the other.
fn go_api_error(method: &str, url: &str, status: u16, errors: &[&str]) -> String {
    let mut out =
        format!("Error making API request.\n\nURL: {method} {url}\nCode: {status}. Errors:\n\n");
    for e in errors {
        out.push_str(&format!("* {e}"));
    }
    out
}

/// The same for a body the client cannot decode (`Raw Message`).
fn go_api_raw_error(method: &str, url: &str, status: u16, body: &str) -> String {
    format!(
        "Error making API request.\n\nURL: {method} {url}\nCode: {status}. Raw Message:\n\n{body}"
    )
}

/// Vault's message for an ACL denial (vault-api.md §0), as it sits in `errors`.
const ACL_DENIED: &str = "1 error occurred:\n\t* permission denied\n\n";

const UPDATE_ROOT: &[&str] = &["update", "root"];
const READ_ROOT: &[&str] = &["read", "root"];

// ---- The lab: a sandbox set up by `nvctl bootstrap`, then by each case ----------------------

/// The bootstrap configuration every case starts from: the documented set-up.
const SEED_CONFIG: &str =
    "init {\n  output = \"vault-init.json\"\n}\ntoken {\n  output = \"nomad-server.token\"\n}\n";

struct Lab {
    sandbox: SandboxHandle,
    http: Http,
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Lab {
    /// A fresh sandbox, bootstrapped by nvctl with `config` (the documented set-up by default).
    fn new(config: &str) -> Lab {
        let sandbox = support::dev_sandbox();
        let dir = support::workdir();
        let path = dir.path().join("bootstrap.hcl");
        std::fs::write(&path, config).unwrap();
        Nvctl::new()
            .sandbox(&sandbox)
            .args(["bootstrap", "--yes", "--config"])
            .arg(&path)
            .run()
            .exit(0);
        Lab {
            http: Http::new(&sandbox.addr(), ROOT_TOKEN),
            sandbox,
            dir,
            config: path,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v1/{path}", self.sandbox.addr())
    }

    fn policy(&self, name: &str, text: &str) {
        let (status, body) = self.http.put(
            &format!("sys/policies/acl/{name}"),
            &json!({ "policy": text }),
        );
        assert_eq!(status, 204, "policy {name}: {body}");
    }

    fn role(&self, name: &str, body: Value) {
        let (status, answer) = self.http.put(&format!("auth/token/roles/{name}"), &body);
        assert!(
            status == 204 || status == 200,
            "role {name}: {status} {answer}"
        );
    }

    /// A token minted at `path` (`auth/token/create`, `…/create-orphan`, `…/create/<role>`).
    fn token(&self, path: &str, body: Value) -> String {
        let (status, answer) = self.http.put(path, &body);
        assert_eq!(status, 200, "{path}: {answer}");
        answer["auth"]["client_token"]
            .as_str()
            .expect("client_token")
            .to_string()
    }

    /// The token bootstrap wrote for the servers.
    fn seed_token(&self) -> String {
        std::fs::read_to_string(self.token_file())
            .unwrap()
            .trim()
            .to_string()
    }

    fn token_file(&self) -> PathBuf {
        self.dir.path().join("nomad-server.token")
    }

    /// Puts `token` in the servers' token file, as an operator handing them another one.
    fn hand_servers(&self, token: &str) {
        std::fs::write(self.token_file(), format!("{token}\n")).unwrap();
    }
}

/// The Nomad servers' side of a case.
struct Servers {
    token: String,
    /// `create_from_role`; `None`: unset (Nomad uses the token's own role).
    create_from_role: Option<&'static str>,
    /// `allow_unauthenticated` (Nomad's agent default: true; `nomad/vault_test.go` runs with
    /// the struct's zero value, false).
    allow_unauthenticated: bool,
    /// The role `check-role` is asked about.
    role: &'static str,
}

/// What Nomad does with the state.
#[derive(Debug, Clone)]
enum Nomad {
    Accepts,
    /// parseSelfToken's error, byte for byte.
    Refuses(String),
    /// Vault failed to answer: Nomad retries every 30 s.
    Retries,
}

struct Expect {
    token_check: Nomad,
    /// Nomad's capability table and role rules alone, for the role `check-role` is asked about.
    check_role: Nomad,
    /// `bootstrap --plan` with the lab's configuration, when the state is that configuration's.
    bootstrap_plan: Option<Nomad>,
}

struct Case {
    name: &'static str,
    /// Where in Nomad the case comes from.
    upstream: &'static str,
    config: &'static str,
    setup: fn(&Lab) -> Servers,
    expect: fn(&Lab) -> Expect,
}

// ---- The legs --------------------------------------------------------------------------------

fn token_check(lab: &Lab, servers: &Servers, format: &str) -> support::Run {
    let mut cmd = Nvctl::new()
        .env("VAULT_ADDR", &lab.sandbox.addr())
        .env("VAULT_TOKEN", &servers.token)
        .args(["token", "check", "--format", format, "--role"])
        .arg(servers.create_from_role.unwrap_or(""));
    if !servers.allow_unauthenticated {
        cmd = cmd.args(["--allow-unauthenticated", "false"]);
    }
    cmd.run()
}

fn check_role(lab: &Lab, servers: &Servers) -> support::Run {
    let mut cmd = Nvctl::new()
        .env("VAULT_ADDR", &lab.sandbox.addr())
        .env("VAULT_TOKEN", &servers.token)
        .args(["check-role", servers.role, "--format", "json"]);
    if !servers.allow_unauthenticated {
        cmd = cmd.args(["--allow-unauthenticated", "false"]);
    }
    cmd.run()
}

fn bootstrap_plan(lab: &Lab) -> support::Run {
    Nvctl::new()
        .sandbox(&lab.sandbox)
        .args(["bootstrap", "--plan", "--format", "json", "--config"])
        .arg(&lab.config)
        .run()
}

const RETRY_WORDS: &str =
    "a Nomad server would log \"failed to validate self token/role\" and retry every 30s";

fn run_case(case: &Case) -> Vec<String> {
    let lab = Lab::new(case.config);
    let servers = (case.setup)(&lab);
    let expect = (case.expect)(&lab);
    let mut failures = Vec::new();
    let mut check = |leg: &str, ok: bool, run: &support::Run| {
        if !ok {
            failures.push(format!(
                "{} [{}] {leg}: exit {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                case.name, case.upstream, run.code, run.stdout, run.stderr
            ));
        }
    };

    // token check: the whole of parseSelfToken.
    let json_run = token_check(&lab, &servers, "json");
    let text_run = token_check(&lab, &servers, "table");
    match &expect.token_check {
        Nomad::Accepts => {
            let doc = json_run.json();
            check(
                "token check (json) accepts",
                json_run.code == 0
                    && doc["nomad_would_accept"] == json!(true)
                    && doc["nomad_error"].is_null(),
                &json_run,
            );
            check(
                "token check (table) accepts without speaking for Nomad's refusal",
                text_run.code == 0 && !text_run.stderr.contains("Nomad would disable"),
                &text_run,
            );
        }
        Nomad::Refuses(error) => {
            let doc = json_run.json();
            check(
                &format!("token check (json) refuses with {error:?}"),
                json_run.code == 3
                    && doc["nomad_would_accept"] == json!(false)
                    && doc["nomad_error"] == json!(error),
                &json_run,
            );
            check(
                "token check (table) refuses in Nomad's words",
                text_run.code == 3
                    && text_run
                        .stderr
                        .contains("Nomad would disable its Vault integration"),
                &text_run,
            );
        }
        Nomad::Retries => check(
            "token check says Nomad would retry (exit 2)",
            json_run.code == 2
                && json_run.stderr.contains(RETRY_WORDS)
                && !json_run.stderr.contains("Nomad would disable"),
            &json_run,
        ),
    }

    // check-role: the capability table and the role rules.
    let run = check_role(&lab, &servers);
    match &expect.check_role {
        Nomad::Accepts => {
            let doc = run.json();
            check(
                "check-role accepts",
                run.code == 0
                    && doc["roles"][0]["nomad_would_accept"] == json!(true)
                    && doc["roles"][0]["nomad_error"].is_null(),
                &run,
            );
        }
        Nomad::Refuses(error) => {
            let doc = run.json();
            check(
                &format!("check-role refuses with {error:?}"),
                run.code == 3
                    && doc["roles"][0]["nomad_would_accept"] == json!(false)
                    && doc["roles"][0]["nomad_error"] == json!(error),
                &run,
            );
        }
        Nomad::Retries => check(
            "check-role says Nomad would retry (exit 2)",
            run.code == 2 && run.stderr.contains(RETRY_WORDS),
            &run,
        ),
    }

    // bootstrap --plan with the configuration the state was made from.
    if let Some(plan) = &expect.bootstrap_plan {
        let run = bootstrap_plan(&lab);
        match plan {
            Nomad::Accepts => {
                let doc = run.json();
                check(
                    "bootstrap --plan: nothing to change",
                    run.code == 0
                        && doc["pending"] == json!(false)
                        && doc["verification"]["nomad_would_disable_vault"] == json!(false),
                    &run,
                );
            }
            Nomad::Refuses(error) => {
                let doc = run.json();
                check(
                    &format!("bootstrap --plan refuses with {error:?}"),
                    run.code == 3
                        && doc["verification"]["nomad_would_disable_vault"] == json!(true)
                        && doc["verification"]["nomad_error"] == json!(error),
                    &run,
                );
            }
            Nomad::Retries => check(
                "bootstrap --plan says Nomad would retry (exit 2)",
                run.code == 2 && run.stderr.contains(RETRY_WORDS),
                &run,
            ),
        }
    }
    failures
}

fn run_table(cases: &[Case]) {
    let failures: Vec<String> = cases.iter().flat_map(run_case).collect();
    assert!(
        failures.is_empty(),
        "{} of the case table's checks failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

// ---- Shared state --------------------------------------------------------------------------

/// nomad/vault_test.go nomadRoleManagementPolicy.
const NOMAD_ROLE_MANAGEMENT: &str = r#"
path "auth/token/renew-self" {
	capabilities = ["update"]
}

path "auth/token/lookup" {
	capabilities = ["update"]
}

path "auth/token/roles/test" {
	capabilities = ["read"]
}

path "auth/token/revoke-accessor" {
	capabilities = ["update"]
}
"#;

/// nomad/vault_test.go tokenLookupPolicy.
const TOKEN_LOOKUP: &str = r#"
path "auth/token/lookup" {
	capabilities = ["update"]
}
"#;

/// nomad/vault_test.go nomadRoleCreatePolicy.
const NOMAD_ROLE_CREATE: &str = r#"
path "auth/token/create/test" {
	capabilities = ["create", "update"]
}
"#;

/// nomad/vault_test.go secretPolicy.
const SECRET: &str = r#"
path "secret/*" {
	capabilities = ["create", "read", "update", "delete", "list"]
}
"#;

/// Nomad's tests mint role tokens with 5–10 s periods; the sandbox's clock runs in real time,
/// so the cases use a minute: long enough for a slow machine, the same verdict.
const SHORT_PERIOD: u64 = 60;

/// The documented servers' policy minus some paths, for a token that lacks them.
fn server_policy_without(paths: &[&str]) -> String {
    server_policy_for("nomad-cluster", paths)
}

/// The documented servers' policy for `role`, minus `paths`.
fn server_policy_for(role: &str, paths: &[&str]) -> String {
    let full = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/nomad-server.hcl"
    ))
    .unwrap()
    .replace("{{role}}", role);
    let mut out = String::new();
    for block in full.split("\n\n") {
        if !paths
            .iter()
            .any(|p| block.contains(&format!("path \"{p}\"")))
        {
            out.push_str(block);
            out.push_str("\n\n");
        }
    }
    out
}

/// nomad/vault_test.go testVaultRoleAndToken: writes `policies` and the role `test`, and mints
/// the servers' token from that role with `token_policies` (none: the role decides). As in
/// Nomad's tests, `create_from_role` is unset and `allow_unauthenticated` false.
fn role_and_token(
    lab: &Lab,
    policies: &[(&str, &str)],
    role: Value,
    token_policies: &[&str],
) -> Servers {
    for (name, text) in policies {
        lab.policy(name, text);
    }
    lab.role("test", role);
    let body = if token_policies.is_empty() {
        json!({})
    } else {
        json!({ "policies": token_policies })
    };
    Servers {
        token: lab.token("auth/token/create/test", body),
        create_from_role: None,
        allow_unauthenticated: false,
        role: "test",
    }
}

/// The policies of nomad/vault_test.go defaultTestVaultAllowlistRoleAndToken.
const ROLE_POLICIES: [(&str, &str); 2] = [
    ("nomad-role-create", NOMAD_ROLE_CREATE),
    ("nomad-role-management", NOMAD_ROLE_MANAGEMENT),
];

/// An orphan periodic token with `policies`, as `vault token create -orphan -period 72h`.
fn orphan_token(lab: &Lab, policies: &[&str], extra: Value) -> String {
    let mut body = json!({ "policies": policies, "period": "72h" });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    lab.token("auth/token/create-orphan", body)
}

fn documented(token: String) -> Servers {
    Servers {
        token,
        create_from_role: Some("nomad-cluster"),
        allow_unauthenticated: true,
        role: "nomad-cluster",
    }
}

fn accepted_everywhere(_: &Lab) -> Expect {
    Expect {
        token_check: Nomad::Accepts,
        check_role: Nomad::Accepts,
        bootstrap_plan: Some(Nomad::Accepts),
    }
}

fn accepted_outside_bootstrap(_: &Lab) -> Expect {
    Expect {
        token_check: Nomad::Accepts,
        check_role: Nomad::Accepts,
        bootstrap_plan: None,
    }
}

// ---- The cases Nomad accepts -----------------------------------------------------------------

fn accepted_cases() -> Vec<Case> {
    vec![
        Case {
            name: "documented set-up",
            upstream: "nomad/vault.go parseSelfToken: every rule passes",
            config: SEED_CONFIG,
            setup: |lab| documented(lab.seed_token()),
            expect: accepted_everywhere,
        },
        Case {
            name: "allow list of default and root, token_period",
            upstream: "nomad/vault_test.go TestVaultClient_ValidateRole_Success",
            config: SEED_CONFIG,
            // A root token with a TTL, renewable: the root branch's TTL rules pass.
            setup: |lab| {
                role_and_token(
                    lab,
                    &ROLE_POLICIES,
                    json!({"allowed_policies": "default,root", "orphan": true, "renewable": true, "token_period": 1000}),
                    &[],
                )
            },
            expect: accepted_outside_bootstrap,
        },
        Case {
            name: "allow list of default and root, legacy period",
            upstream: "nomad/vault_test.go TestVaultClient_ValidateRole_Deprecated_Success",
            config: SEED_CONFIG,
            setup: |lab| {
                role_and_token(
                    lab,
                    &ROLE_POLICIES,
                    json!({"allowed_policies": "default,root", "orphan": true, "renewable": true, "period": 1000}),
                    &[],
                )
            },
            expect: accepted_outside_bootstrap,
        },
        Case {
            name: "allow list holding the servers' own policies",
            upstream: "nomad/vault_test.go defaultTestVaultAllowlistRoleAndToken (TestVaultClient_CreateToken_Allowlist_Role)",
            config: SEED_CONFIG,
            setup: |lab| {
                role_and_token(
                    lab,
                    &ROLE_POLICIES,
                    json!({"allowed_policies": "nomad-role-create,nomad-role-management", "period": SHORT_PERIOD}),
                    &["nomad-role-create", "nomad-role-management"],
                )
            },
            expect: accepted_outside_bootstrap,
        },
        Case {
            name: "deny list missing one of the servers' policies, child token",
            upstream: "nomad/vault_test.go defaultTestVaultDenylistRoleAndToken (TestVaultClient_CreateToken_Denylist_Role)",
            config: SEED_CONFIG,
            setup: |lab| {
                lab.policy("nomad-role-create", NOMAD_ROLE_CREATE);
                lab.policy("nomad-role-management", NOMAD_ROLE_MANAGEMENT);
                lab.policy("secrets", SECRET);
                lab.role(
                    "test",
                    json!({"disallowed_policies": "nomad-role-create", "period": SHORT_PERIOD}),
                );
                Servers {
                    token: lab.token(
                        "auth/token/create",
                        json!({"policies": ["nomad-role-create", "nomad-role-management"]}),
                    ),
                    create_from_role: Some("test"),
                    allow_unauthenticated: false,
                    role: "test",
                }
            },
            expect: accepted_outside_bootstrap,
        },
        Case {
            name: "root token, no role",
            upstream: "nomad/vault_test.go TestVaultClient_CreateToken_Root; vault.go parseSelfToken root branch",
            config: SEED_CONFIG,
            setup: |_| Servers {
                token: ROOT_TOKEN.to_string(),
                create_from_role: None,
                allow_unauthenticated: false,
                role: "nomad-cluster",
            },
            expect: accepted_outside_bootstrap,
        },
        Case {
            name: "root token handed to the servers, role named",
            upstream: "nomad/vault_test.go TestVaultClient_CreateToken_Root_Target_Role",
            config: SEED_CONFIG,
            setup: |lab| {
                lab.hand_servers(ROOT_TOKEN);
                documented(ROOT_TOKEN.to_string())
            },
            expect: accepted_everywhere,
        },
        Case {
            name: "capabilities-self denied: Nomad warns and skips the table",
            upstream: "nomad/vault.go validateCapabilities: VaultUnrecoverableError on sys/capabilities-self",
            config: SEED_CONFIG,
            setup: |lab| {
                // No default policy, no sys/capabilities-self — and no revoke-accessor either:
                // Nomad cannot see that, so it does not refuse.
                lab.policy(
                    "blind",
                    &server_policy_without(&["sys/capabilities-self", "auth/token/revoke-accessor"]),
                );
                let token = orphan_token(lab, &["blind"], json!({"no_default_policy": true}));
                lab.hand_servers(&token);
                documented(token)
            },
            expect: accepted_everywhere,
        },
        Case {
            name: "lookup-self denied, lookup allowed",
            upstream: "nomad/vault.go lookupSelf: falls back to auth/token/lookup with its own token",
            config: SEED_CONFIG,
            setup: |lab| {
                lab.policy("no-self", &server_policy_without(&["auth/token/lookup-self"]));
                let token = orphan_token(lab, &["no-self"], json!({"no_default_policy": true}));
                lab.hand_servers(&token);
                documented(token)
            },
            expect: accepted_everywhere,
        },
        Case {
            name: "lookup-self fails (500), lookup answers",
            upstream: "nomad/vault.go lookupSelf: any failure of LookupSelf falls back",
            config: SEED_CONFIG,
            setup: |lab| {
                lab.sandbox.set_fault(Fault::respond_on_path(
                    "auth/token/lookup-self",
                    500,
                    r#"{"errors":["internal error"]}"#,
                ));
                documented(lab.seed_token())
            },
            expect: accepted_everywhere,
        },
        Case {
            name: "allow_unauthenticated = false, lookup granted",
            upstream: "nomad/vault.go validateCapabilities: vaultTokenLookupPath when !AllowsUnauthenticated",
            config: SEED_CONFIG,
            setup: |lab| Servers {
                allow_unauthenticated: false,
                ..documented(lab.seed_token())
            },
            expect: accepted_outside_bootstrap,
        },
        Case {
            name: "allow list holding nomad-server",
            upstream: "nomad/vault.go validateRole reads neither list (nvctl's advice only)",
            config: "role {\n  allowed_policies = [\"nomad-server\", \"app\"]\n}\ninit {\n  output = \"vault-init.json\"\n}\ntoken {\n  output = \"nomad-server.token\"\n}\njob_policy \"app\" {\n  policy = \"path \\\"secret/data/app\\\" { capabilities = [\\\"read\\\"] }\"\n}\n",
            setup: |lab| documented(lab.seed_token()),
            expect: accepted_everywhere,
        },
        Case {
            name: "deny list without nomad-server",
            upstream: "nomad/vault.go validateRole reads neither list (nvctl's advice only)",
            config: "role {\n  disallowed_policies = [\"other\"]\n}\ninit {\n  output = \"vault-init.json\"\n}\ntoken {\n  output = \"nomad-server.token\"\n}\n",
            setup: |lab| documented(lab.seed_token()),
            expect: accepted_everywhere,
        },
        Case {
            name: "role with neither list",
            upstream: "nomad/vault.go validateRole reads neither list (nvctl's advice only)",
            config: SEED_CONFIG,
            setup: |lab| {
                lab.role(
                    "bare",
                    json!({"orphan": true, "token_period": "72h", "renewable": true}),
                );
                lab.policy("nomad-server-bare", &server_policy_for("bare", &[]));
                Servers {
                    create_from_role: Some("bare"),
                    role: "bare",
                    ..documented(orphan_token(lab, &["nomad-server-bare"], json!({})))
                }
            },
            expect: accepted_outside_bootstrap,
        },
        Case {
            name: "non-orphan server token with a short period",
            upstream: "nomad/vault.go parseSelfToken checks neither (nvctl's advice only)",
            config: SEED_CONFIG,
            setup: |lab| {
                let token = lab.token(
                    "auth/token/create",
                    json!({"policies": ["nomad-server"], "period": "2h"}),
                );
                lab.hand_servers(&token);
                documented(token)
            },
            expect: accepted_everywhere,
        },
    ]
}

// ---- The cases Nomad refuses -----------------------------------------------------------------

fn refused_cases() -> Vec<Case> {
    vec![
        Case {
            name: "explicit max TTL, no period",
            upstream: "nomad/vault_test.go TestVaultClient_ValidateRole",
            config: SEED_CONFIG,
            // Nomad's test uses 10 s; a longer one keeps the root token alive on a slow machine,
            // and the role rules read only "not zero".
            setup: |lab| {
                role_and_token(
                    lab,
                    &ROLE_POLICIES,
                    json!({"allowed_policies": "default,root", "orphan": true, "renewable": true, "token_explicit_max_ttl": 600}),
                    &[],
                )
            },
            expect: |_| {
                let error = multierror(&[
                    "Role can not use an explicit max ttl. Token must be periodic.".into(),
                    "Role must have a non-zero period to make tokens periodic.".into(),
                ]);
                Expect {
                    token_check: Nomad::Refuses(error.clone()),
                    check_role: Nomad::Refuses(error),
                    bootstrap_plan: None,
                }
            },
        },
        Case {
            name: "create_from_role names a role that does not exist",
            upstream: "nomad/vault_test.go TestVaultClient_ValidateRole_NonExistent",
            config: SEED_CONFIG,
            setup: |_| Servers {
                token: ROOT_TOKEN.to_string(),
                create_from_role: Some("test-nonexistent"),
                allow_unauthenticated: false,
                role: "test-nonexistent",
            },
            expect: |_| {
                let error = multierror(&["Role \"test-nonexistent\" does not exist".into()]);
                Expect {
                    token_check: Nomad::Refuses(error.clone()),
                    check_role: Nomad::Refuses(error),
                    bootstrap_plan: None,
                }
            },
        },
        Case {
            name: "token lacks revoke-accessor and the role read",
            upstream: "nomad/vault_test.go TestVaultClient_ValidateToken",
            config: SEED_CONFIG,
            setup: |lab| {
                role_and_token(
                    lab,
                    &[("nomad-role-create", NOMAD_ROLE_CREATE), ("token-lookup", TOKEN_LOOKUP)],
                    json!({"allowed_policies": "token-lookup,nomad-role-create", "period": SHORT_PERIOD}),
                    &["token-lookup", "nomad-role-create"],
                )
            },
            expect: |lab| {
                let error = multierror(&[
                    caps_error("auth/token/revoke-accessor", UPDATE_ROOT, &["deny"]),
                    caps_error("auth/token/roles/test", READ_ROOT, &["deny"]),
                    format!(
                        "failed to lookup role \"test\": {}",
                        go_api_error("GET", &lab.url("auth/token/roles/test"), 403, &[ACL_DENIED])
                    ),
                ]);
                Expect {
                    token_check: Nomad::Refuses(error.clone()),
                    check_role: Nomad::Refuses(error),
                    bootstrap_plan: None,
                }
            },
        },
        Case {
            name: "server token not renewable",
            upstream: "nomad/vault.go parseSelfToken: !data.Renewable",
            config: SEED_CONFIG,
            setup: |lab| {
                let token = orphan_token(lab, &["nomad-server"], json!({"renewable": false}));
                lab.hand_servers(&token);
                documented(token)
            },
            expect: |_| {
                let error = multierror(&["Vault token is not renewable or root".into()]);
                Expect {
                    token_check: Nomad::Refuses(error.clone()),
                    check_role: Nomad::Accepts,
                    bootstrap_plan: Some(Nomad::Refuses(error)),
                }
            },
        },
        Case {
            name: "no role anywhere",
            upstream: "nomad/vault.go parseSelfToken: role == \"\" for a non-root token",
            config: SEED_CONFIG,
            setup: |lab| Servers {
                create_from_role: None,
                ..documented(lab.seed_token())
            },
            expect: |_| Expect {
                token_check: Nomad::Refuses(multierror(&[
                    "token role name must be set when not using a root token".into(),
                ])),
                check_role: Nomad::Accepts,
                bootstrap_plan: None,
            },
        },
        Case {
            name: "unknown token",
            upstream: "nomad/vault.go lookupSelf: Lookup's error is the one quoted",
            config: SEED_CONFIG,
            setup: |lab| {
                lab.hand_servers("hvs.not-a-token");
                documented("hvs.not-a-token".to_string())
            },
            expect: |lab| {
                let error = format!(
                    "failed to lookup Vault periodic token: {}",
                    go_api_error("POST", &lab.url("auth/token/lookup"), 403, &["permission denied"])
                );
                Expect {
                    token_check: Nomad::Refuses(error.clone()),
                    // Without a valid token the role cannot be read either.
                    check_role: Nomad::Refuses(multierror(&[format!(
                        "failed to lookup role \"nomad-cluster\": {}",
                        go_api_error(
                            "GET",
                            &lab.url("auth/token/roles/nomad-cluster"),
                            403,
                            &["permission denied"]
                        )
                    )])),
                    bootstrap_plan: Some(Nomad::Refuses(error)),
                }
            },
        },
        Case {
            name: "lookup-self and lookup both denied",
            upstream: "nomad/vault.go lookupSelf",
            config: SEED_CONFIG,
            setup: |lab| {
                lab.policy(
                    "no-lookups",
                    &server_policy_without(&["auth/token/lookup-self", "auth/token/lookup"]),
                );
                let token = orphan_token(lab, &["no-lookups"], json!({"no_default_policy": true}));
                lab.hand_servers(&token);
                documented(token)
            },
            expect: |lab| {
                let error = format!(
                    "failed to lookup Vault periodic token: {}",
                    go_api_error("POST", &lab.url("auth/token/lookup"), 403, &[ACL_DENIED])
                );
                Expect {
                    token_check: Nomad::Refuses(error.clone()),
                    check_role: Nomad::Accepts,
                    bootstrap_plan: Some(Nomad::Refuses(error)),
                }
            },
        },
        Case {
            name: "both lookups answer without data",
            upstream: "nomad/vault.go lookupSelf: secret == nil || secret.Data == nil",
            config: SEED_CONFIG,
            setup: |lab| {
                for path in ["auth/token/lookup-self", "auth/token/lookup"] {
                    lab.sandbox
                        .set_fault(Fault::respond_on_path(path, 200, r#"{"data":null}"#));
                }
                documented(lab.seed_token())
            },
            expect: |_| {
                let error =
                    "failed to lookup Vault periodic token: got empty response".to_string();
                Expect {
                    token_check: Nomad::Refuses(error.clone()),
                    check_role: Nomad::Accepts,
                    bootstrap_plan: Some(Nomad::Refuses(error)),
                }
            },
        },
        Case {
            name: "role not renewable",
            upstream: "nomad/vault.go validateRole: !data.Renewable",
            config: SEED_CONFIG,
            setup: |lab| {
                lab.role("nomad-cluster", json!({"renewable": false}));
                documented(lab.seed_token())
            },
            expect: |_| {
                let error = multierror(&["Role must allow tokens to be renewed".into()]);
                Expect {
                    token_check: Nomad::Refuses(error.clone()),
                    check_role: Nomad::Refuses(error.clone()),
                    bootstrap_plan: Some(Nomad::Refuses(error)),
                }
            },
        },
        Case {
            name: "policy without revoke-accessor",
            upstream: "nomad/vault.go validateCapabilities: vaultTokenRevokePath",
            config: SEED_CONFIG,
            setup: |lab| {
                lab.policy("no-revoke", &server_policy_without(&["auth/token/revoke-accessor"]));
                let token = orphan_token(lab, &["no-revoke"], json!({}));
                lab.hand_servers(&token);
                documented(token)
            },
            expect: |_| {
                let error = multierror(&[caps_error(
                    "auth/token/revoke-accessor",
                    UPDATE_ROOT,
                    &["deny"],
                )]);
                Expect {
                    token_check: Nomad::Refuses(error.clone()),
                    check_role: Nomad::Refuses(error.clone()),
                    bootstrap_plan: Some(Nomad::Refuses(error)),
                }
            },
        },
        Case {
            name: "allow_unauthenticated = false without lookup",
            upstream: "nomad/vault.go validateCapabilities: vaultTokenLookupPath",
            config: SEED_CONFIG,
            setup: |lab| {
                lab.policy("no-lookup", &server_policy_without(&["auth/token/lookup"]));
                Servers {
                    allow_unauthenticated: false,
                    ..documented(orphan_token(lab, &["no-lookup"], json!({})))
                }
            },
            expect: |_| {
                let error =
                    multierror(&[caps_error("auth/token/lookup", UPDATE_ROOT, &["deny"])]);
                Expect {
                    token_check: Nomad::Refuses(error.clone()),
                    check_role: Nomad::Refuses(error),
                    bootstrap_plan: None,
                }
            },
        },
        Case {
            name: "root token with a TTL, not renewable",
            upstream: "nomad/vault.go parseSelfToken: root with CreationTTL != 0 and !Renewable",
            config: SEED_CONFIG,
            setup: |lab| {
                let token = lab.token(
                    "auth/token/create",
                    json!({"policies": ["root"], "ttl": "1h", "renewable": false}),
                );
                lab.hand_servers(&token);
                documented(token)
            },
            expect: |_| {
                let error = multierror(&["Vault token has a TTL but is not renewable".into()]);
                Expect {
                    token_check: Nomad::Refuses(error.clone()),
                    check_role: Nomad::Accepts,
                    bootstrap_plan: Some(Nomad::Refuses(error)),
                }
            },
        },
        Case {
            name: "role read answers two errors",
            upstream: "nomad/vault.go validateRole: failed to lookup role; vault api/response.go joins errors",
            config: SEED_CONFIG,
            setup: |lab| {
                lab.sandbox.set_fault(Fault::respond_on_path(
                    "auth/token/roles/nomad-cluster",
                    400,
                    r#"{"errors":["first problem","second problem"]}"#,
                ));
                documented(lab.seed_token())
            },
            expect: |lab| {
                let error = multierror(&[format!(
                    "failed to lookup role \"nomad-cluster\": {}",
                    go_api_error(
                        "GET",
                        &lab.url("auth/token/roles/nomad-cluster"),
                        400,
                        &["first problem", "second problem"]
                    )
                )]);
                Expect {
                    token_check: Nomad::Refuses(error.clone()),
                    check_role: Nomad::Refuses(error.clone()),
                    bootstrap_plan: None,
                }
            },
        },
        Case {
            name: "role read answers a body that is not Vault's",
            upstream: "vault api/response.go Response.Error: RawError",
            config: SEED_CONFIG,
            setup: |lab| {
                lab.sandbox.set_fault(Fault::respond_on_path(
                    "auth/token/roles/nomad-cluster",
                    403,
                    "<html>denied by the proxy</html>",
                ));
                documented(lab.seed_token())
            },
            expect: |lab| {
                let error = multierror(&[format!(
                    "failed to lookup role \"nomad-cluster\": {}",
                    go_api_raw_error(
                        "GET",
                        &lab.url("auth/token/roles/nomad-cluster"),
                        403,
                        "<html>denied by the proxy</html>"
                    )
                )]);
                Expect {
                    token_check: Nomad::Refuses(error.clone()),
                    check_role: Nomad::Refuses(error),
                    bootstrap_plan: None,
                }
            },
        },
    ]
}

// ---- The cases Nomad retries -----------------------------------------------------------------

fn retried_cases() -> Vec<Case> {
    vec![
        Case {
            name: "sys/capabilities-self answers 500",
            upstream: "nomad/vault.go validateCapabilities: not VaultUnrecoverableError; establishConnection retries",
            config: SEED_CONFIG,
            setup: |lab| {
                lab.sandbox.set_fault(Fault::respond_on_path(
                    "sys/capabilities-self",
                    500,
                    r#"{"errors":["internal error"]}"#,
                ));
                documented(lab.seed_token())
            },
            expect: |_| Expect {
                token_check: Nomad::Retries,
                check_role: Nomad::Retries,
                bootstrap_plan: Some(Nomad::Retries),
            },
        },
        Case {
            name: "both lookups answer 503",
            upstream: "nomad/vault.go lookupSelf; establishConnection retries",
            config: SEED_CONFIG,
            setup: |lab| {
                for path in ["auth/token/lookup-self", "auth/token/lookup"] {
                    lab.sandbox.set_fault(Fault::respond_on_path(
                        path,
                        503,
                        r#"{"errors":["Vault is sealed"]}"#,
                    ));
                }
                documented(lab.seed_token())
            },
            expect: |_| Expect {
                token_check: Nomad::Retries,
                check_role: Nomad::Accepts,
                bootstrap_plan: Some(Nomad::Retries),
            },
        },
    ]
}

#[test]
fn cases_nomad_accepts_exit_0_in_every_command() {
    support::sandbox_only("fresh Vaults and fault injection per case");
    run_table(&accepted_cases());
}

#[test]
fn cases_nomad_refuses_exit_3_with_nomads_bytes() {
    support::sandbox_only("fresh Vaults and fault injection per case");
    run_table(&refused_cases());
}

#[test]
fn cases_nomad_retries_are_vault_errors_not_refusals() {
    support::sandbox_only("fresh Vaults and fault injection per case");
    run_table(&retried_cases());
}

/// nomad/vault_test.go defaultTestVaultAllowlistRoleAndToken: a role whose allow list holds
/// the very policies of the servers' token. Nomad accepts it; nvctl advises against it.
fn allowlist_lab() -> (Lab, Servers) {
    let lab = Lab::new(SEED_CONFIG);
    let servers = role_and_token(
        &lab,
        &ROLE_POLICIES,
        json!({"allowed_policies": "nomad-role-create,nomad-role-management", "period": SHORT_PERIOD}),
        &["nomad-role-create", "nomad-role-management"],
    );
    (lab, servers)
}

#[test]
fn nvctls_advice_names_the_servers_real_policies_and_says_whose_it_is() {
    support::sandbox_only("fresh Vault per test");
    let (lab, servers) = allowlist_lab();
    let run = token_check(&lab, &servers, "table")
        .exit(0)
        .stderr_has("nvctl's advice: allowed_policies lets job tokens carry \"nomad-role-create\" and \"nomad-role-management\", the Nomad servers' own policies")
        .stderr_has("risk: a job whose vault block asks for these policies gets task tokens with the Nomad servers' powers")
        .stderr_has("→ remove \"nomad-role-create\" and \"nomad-role-management\" from allowed_policies")
        .stderr_has("Nomad's start-up checks pass; nvctl advises")
        .stderr_lacks("Nomad would disable");
    // Nothing of it is an error, and none of it is said in Nomad's name.
    assert!(!run.stderr.contains("✘"), "{}", run.stderr);
    let doc = token_check(&lab, &servers, "json").exit(0).json();
    let advice: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["source"] == "nvctl")
        .collect();
    assert!(!advice.is_empty());
    assert!(
        advice.iter().all(|f| f["severity"] == "warning"),
        "{advice:?}"
    );
    assert!(advice
        .iter()
        .all(|f| f["risk"].is_string() && f["remedy"].is_string()));
}

#[test]
fn strict_fails_on_nvctls_error_grade_advice_and_says_so() {
    support::sandbox_only("fresh Vault per test");
    let (lab, servers) = allowlist_lab();
    let strict = |args: &[&str]| {
        Nvctl::new()
            .env("VAULT_ADDR", &lab.sandbox.addr())
            .env("VAULT_TOKEN", &servers.token)
            .args(args)
            .args(["--allow-unauthenticated", "false", "--strict"])
            .run()
    };
    strict(&["token", "check", "--role", ""])
        .exit(3)
        .stderr_has("✘ error (--strict) [auth/token/roles/test] nvctl's advice: allowed_policies lets job tokens carry")
        .stderr_has("fails under --strict: 1 of nvctl's advice (Nomad's start-up checks pass)")
        .stderr_lacks("Nomad would disable");
    let doc = strict(&["token", "check", "--role", "", "--format", "json"])
        .exit(3)
        .json();
    assert_eq!(doc["nomad_would_accept"], json!(true));
    assert_eq!(doc["nomad_error"], Value::Null);
    assert_eq!(doc["strict"], json!(true));
    assert_eq!(doc["ok"], json!(false));
    let failing: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(
        !failing.is_empty()
            && failing
                .iter()
                .all(|f| f["source"] == "nvctl" && f["strict"] == true),
        "{failing:?}"
    );
    strict(&["check-role", "test"]).exit(3).stderr_has(
        "role \"test\": fails under --strict: 1 of nvctl's advice (Nomad itself accepts it)",
    );

    // The same with the bootstrap configuration's `strict = true`: refused before Vault.
    let config = lab.dir.path().join("strict.hcl");
    std::fs::write(
        &config,
        "strict = true\nrole {\n  allowed_policies = [\"nomad-server\", \"app\"]\n}\ninit {\n  output = \"vault-init.json\"\n}\ntoken {\n  output = \"nomad-server.token\"\n}\n",
    )
    .unwrap();
    lab.sandbox.clear_requests();
    Nvctl::new()
        .sandbox(&lab.sandbox)
        .args(["bootstrap", "--plan", "--config"])
        .arg(&config)
        .run()
        .exit(3)
        .stderr_has("allowed_policies contains \"nomad-server\"")
        .stderr_has("fails under strict");
    assert!(lab.sandbox.requests().is_empty(), "Vault was asked");
}
