//! Vault's Nomad secrets engine (seed 004, issue 15) end to end: the real binary against the
//! Vault sandbox (its Nomad engine, vault-api-engines.md §5) and the Nomad sandbox (its ACL
//! API, §6), over real HTTP. The converging run mints and revokes real Nomad ACL tokens; the
//! re-run writes nothing on either side; each row of seed 004's troubleshooting table gives
//! its finding and exit code; the ACL bootstrap never loses its token.

use crate::support;

use std::path::{Path, PathBuf};

use nomad_sandbox::{Fault, NomadSandbox, NomadSandboxHandle};
use serde_json::json;
use support::{Http, Nvctl};
use vault_sandbox::SandboxHandle;

/// Seed 004's Nomad policies (readonly and deploy as written there; the others named by its
/// roles).
const POLICIES: [(&str, &str); 5] = [
    ("deploy", "namespace \"default\" {\n  policy = \"write\"\n  capabilities = [\"submit-job\", \"read-logs\", \"alloc-exec\"]\n}\nnode {\n  policy = \"read\"\n}\n"),
    ("read-logs", "namespace \"*\" {\n  capabilities = [\"read-logs\"]\n}\n"),
    ("submit-jobs", "namespace \"default\" {\n  capabilities = [\"submit-job\"]\n}\n"),
    ("submit-job", "namespace \"default\" {\n  capabilities = [\"submit-job\"]\n}\n"),
    ("admin", "namespace \"*\" {\n  policy = \"write\"\n}\nnode {\n  policy = \"write\"\n}\n"),
];

struct Setup {
    dir: tempfile::TempDir,
    vault: SandboxHandle,
    nomad: NomadSandboxHandle,
}

impl Setup {
    /// A dev Vault and a bootstrapped Nomad holding seed 004's policies.
    fn new() -> Setup {
        Setup::with(NomadSandbox::builder().bootstrapped())
    }

    fn with(builder: nomad_sandbox::NomadSandboxBuilder) -> Setup {
        let nomad = builder.start().expect("start the Nomad sandbox");
        if nomad.management_token().is_some() {
            for (name, rules) in POLICIES {
                nomad.put_policy(name, rules).expect("seed 004 policy");
            }
        }
        Setup {
            dir: support::workdir(),
            vault: support::dev_sandbox(),
            nomad,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `token` to a 0600 token file.
    fn token_file(&self, token: &str) -> PathBuf {
        let path = self.path("nomad-management.token");
        write_private(&path, &format!("{token}\n"));
        path
    }

    /// The bootstrap file: `nomad_secrets { address, <extra> }` and the legacy flow's outputs.
    fn config(&self, extra: &str) -> PathBuf {
        self.config_at(&self.nomad.addr(), extra)
    }

    /// The same with another Nomad address (unreachable, TLS, with credentials…).
    fn config_at(&self, address: &str, extra: &str) -> PathBuf {
        let path = self.path("bootstrap.hcl");
        std::fs::write(
            &path,
            format!("nomad_secrets {{\n  address = \"{address}\"\n{extra}\n}}\n"),
        )
        .unwrap();
        path
    }

    /// Seed 004 as the shipped example reproduces it (nomad-secrets.example.hcl), pointed at
    /// the Nomad sandbox, with the management token in its 0600 token file.
    fn seed_config(&self) -> PathBuf {
        let token = self.nomad.management_token().unwrap();
        self.token_file(&token);
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("nomad-secrets.example.hcl");
        let text = std::fs::read_to_string(example).unwrap();
        let shipped = "address       = \"http://127.0.0.1:4646\"";
        assert!(text.contains(shipped), "the example's address line moved");
        let path = self.path("bootstrap.hcl");
        std::fs::write(
            &path,
            text.replace(shipped, &format!("address = \"{}\"", self.nomad.addr())),
        )
        .unwrap();
        path
    }

    fn bootstrap(&self, config: &Path) -> Nvctl {
        Nvctl::new()
            .sandbox(&self.vault)
            .args(["bootstrap", "--yes", "--config"])
            .arg(config)
            .arg("--init-output")
            .arg(self.path("vault-init.json"))
            .arg("--token-output")
            .arg(self.path("nomad-server.token"))
    }

    fn vault_http(&self) -> Http {
        Http::new(&self.vault.addr(), &self.vault.root_token().unwrap())
    }

    /// Requests Nomad received that change state.
    fn nomad_writes(&self) -> Vec<String> {
        self.nomad
            .requests()
            .into_iter()
            .filter(|r| r.method != "GET")
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }
}

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn seed_004_converges_mints_and_revokes_real_nomad_tokens_and_a_rerun_writes_nothing() {
    support::sandbox_only("needs Vault's Nomad engine wired to the Nomad sandbox");
    let s = Setup::new();
    let config = s.seed_config();
    let management = s.nomad.management_token().unwrap();
    let run = s.bootstrap(&config).run().exit(0).hides(&management);
    assert!(
        run.stderr.contains("Nomad secrets engine"),
        "{}",
        run.stderr
    );

    // Vault: the engine, its access (never the token), the lease, the roles at role/.
    let http = s.vault_http();
    let (status, access) = http.get("nomad/config/access");
    assert_eq!(status, 200);
    assert_eq!(access["data"]["address"], s.nomad.addr());
    assert!(access["data"].get("token").is_none());
    let (_, lease) = http.get("nomad/config/lease");
    assert_eq!(lease["data"], json!({"ttl": 3600, "max_ttl": 86400}));
    let (_, role) = http.get("nomad/role/global-admin");
    assert_eq!(
        role["data"],
        json!({"type": "client", "global": true, "policies": ["admin"]})
    );
    let (_, role) = http.get("nomad/role/nomad-admin");
    assert_eq!(role["data"]["type"], "management");
    let (_, role) = http.get("nomad/role/platform");
    assert_eq!(
        role["data"]["policies"],
        json!(["deploy", "read-logs", "submit-jobs"])
    );

    // Nomad: one token minted per role through Vault, each deleted when its lease was
    // revoked; only the bootstrap token is left.
    let writes = s.nomad_writes();
    let minted = writes
        .iter()
        .filter(|w| w.ends_with(" /v1/acl/token"))
        .count();
    let deleted = writes
        .iter()
        .filter(|w| w.starts_with("DELETE /v1/acl/token/"))
        .count();
    assert_eq!((minted, deleted), (5, 5), "{writes:?}");
    assert_eq!(s.nomad.token_accessors().len(), 1);
    // Every minted token was looked at on Nomad with its own secret (Type, Policies, Global).
    let selfs = s
        .nomad
        .requests()
        .iter()
        .filter(|r| r.path == "/v1/acl/token/self")
        .count();
    assert!(selfs >= 10, "{selfs}");
    // And no lease is left in Vault.
    let (status, _) = http.get("sys/leases/lookup/nomad/creds/deployer/?list=true");
    assert_eq!(status, 404, "leases left behind");

    // The re-run: reads only, on both sides; nothing minted.
    s.vault.clear_requests();
    s.nomad.clear_requests();
    s.bootstrap(&config)
        .run()
        .exit(0)
        .stderr_has("nomad/config/access points at")
        .stderr_has("none minted");
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
    assert_eq!(s.nomad_writes(), Vec::<String>::new());
}

#[test]
fn plan_shows_the_bodies_with_the_token_masked_and_writes_nothing() {
    support::sandbox_only("needs the Nomad sandbox");
    let s = Setup::new();
    let config = s.seed_config();
    let management = s.nomad.management_token().unwrap();
    let run = s
        .bootstrap(&config)
        .arg("--plan")
        .run()
        .exit(3)
        .hides(&management)
        .stderr_has("enable the Nomad secrets engine at nomad/")
        .stderr_has("\"token\": \"[redacted]\"")
        .stderr_has("create the Nomad engine role \"deployer\"");
    assert!(
        run.stderr.contains("\"type\": \"management\""),
        "{}",
        run.stderr
    );
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
    assert_eq!(s.nomad_writes(), Vec::<String>::new());
}

#[test]
fn the_token_is_write_only_so_a_rerun_sends_it_again_only_when_asked() {
    support::sandbox_only("needs the Nomad sandbox");
    let s = Setup::new();
    let config = s.seed_config();
    s.bootstrap(&config).run().exit(0);
    s.vault.clear_requests();
    s.bootstrap(&config)
        .arg("--rewrite-nomad-token")
        .run()
        .exit(0)
        .stderr_has("send the management token to nomad/config/access again");
    let writes = support::writes(&s.vault);
    assert!(
        writes.contains(&"PUT /v1/nomad/config/access".to_string()),
        "{writes:?}"
    );
    // Written, so proven again: each role minted and revoked.
    assert_eq!(s.nomad.token_accessors().len(), 1);
}

#[test]
fn acl_bootstrap_saves_the_management_token_0600_before_anything_else_and_is_not_repeated() {
    support::sandbox_only("needs an unbootstrapped Nomad");
    let s = Setup::with(NomadSandbox::builder());
    let token_file = s.path("nomad-management.token");
    let config = s.config(
        "  token_file    = \"nomad-management.token\"\n  acl_bootstrap = true\n  role \"nomad-admin\" { type = \"management\" }\n",
    );
    let run = s.bootstrap(&config).run().exit(0);
    let saved = std::fs::read_to_string(&token_file).expect("token file");
    assert_eq!(Some(saved.trim().to_string()), s.nomad.management_token());
    let run = run.hides(saved.trim());
    assert!(
        run.stderr
            .contains("Nomad's ACLs bootstrapped: the management token is saved in"),
        "{}",
        run.stderr
    );
    #[cfg(unix)]
    assert_eq!(mode(&token_file), 0o600);
    // The bootstrap is the first thing Nomad was asked to do, and the only bootstrap.
    let writes = s.nomad_writes();
    assert_eq!(
        writes.first().map(String::as_str),
        Some("PUT /v1/acl/bootstrap")
    );
    // Vault got the new token: its creds work (the proof minted and revoked one).
    assert!(
        writes.iter().any(|w| w == "PUT /v1/acl/token"),
        "{writes:?}"
    );
    assert_eq!(s.nomad.token_accessors().len(), 1);

    s.nomad.clear_requests();
    s.vault.clear_requests();
    s.bootstrap(&config)
        .run()
        .exit(0)
        .stderr_has("Nomad's management token is in");
    assert_eq!(s.nomad_writes(), Vec::<String>::new());
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
}

#[test]
fn declining_the_acl_bootstrap_at_the_prompt_sends_nothing_to_nomad_or_vault() {
    support::sandbox_only("needs an unbootstrapped Nomad");
    let s = Setup::with(NomadSandbox::builder());
    let config = s.config(
        "  token_file    = \"nomad-management.token\"\n  acl_bootstrap = true\n  role \"nomad-admin\" { type = \"management\" }\n",
    );
    s.vault.clear_requests();
    let mut terminal = Nvctl::new()
        .sandbox(&s.vault)
        .args(["bootstrap", "--config"])
        .arg(&config)
        .arg("--init-output")
        .arg(s.path("vault-init.json"))
        .arg("--token-output")
        .arg(s.path("nomad-server.token"))
        .on_terminal();
    terminal
        .expect(&format!(
            "Apply this change to {}/v1/acl/bootstrap? [y/N] ",
            s.nomad.addr()
        ))
        .send("n\n");
    terminal
        .finish()
        .exit(1)
        .stderr_has("the operator declined");
    assert!(!s.path("nomad-management.token").exists());
    assert_eq!(s.nomad.bootstrap_reset_index(), None);
    assert_eq!(s.nomad_writes(), Vec::<String>::new());
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
}

#[test]
fn a_lost_bootstrap_answer_is_said_plainly_with_nomads_reset_procedure_and_converges() {
    support::sandbox_only("needs fault injection on Nomad");
    // nomad/acl_endpoint.go Bootstrap: the token exists once Nomad has applied it, and only
    // its answer carries the secret; a dropped answer loses it.
    let s = Setup::with(NomadSandbox::builder().fault(Fault::DropConnection {
        on: nomad_sandbox::Trigger::on_path("PUT", "/v1/acl/bootstrap"),
        after_apply: true,
    }));
    let token_file = s.path("nomad-management.token");
    let config = s.config(
        "  token_file    = \"nomad-management.token\"\n  acl_bootstrap = true\n  role \"nomad-admin\" { type = \"management\" }\n",
    );
    s.bootstrap(&config)
        .run()
        .exit(2)
        .stderr_has("PUT /v1/acl/bootstrap was sent to")
        .stderr_has("may have acted on it");
    assert!(!token_file.exists());
    assert!(s.path("nomad-management.token.sent").exists());
    let index = s.nomad.bootstrap_reset_index().expect("Nomad bootstrapped");

    // The re-run says so, with Nomad's words and its reset index.
    s.nomad.clear_faults();
    s.bootstrap(&config)
        .run()
        .exit(2)
        .stderr_has(&format!(
            "Nomad: `ACL bootstrap already done (reset index: {index})`"
        ))
        .stderr_has("its answer was not saved, so the management token it held is lost")
        .stderr_has(&format!(
            "`echo {index} > <data_dir>/server/acl-bootstrap-reset`"
        ));
    assert!(!token_file.exists());
    // Nothing was written to Vault: the bootstrap stage comes right after init and unseal.
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());

    // Nomad's reset procedure, then a run that bootstraps again and keeps the token.
    s.nomad.write_bootstrap_reset_file(index);
    s.bootstrap(&config).run().exit(0);
    let saved = std::fs::read_to_string(&token_file).unwrap();
    assert_eq!(Some(saved.trim().to_string()), s.nomad.management_token());
    assert!(!s.path("nomad-management.token.sent").exists());
}

/// Nomad's bootstrap answer broken off one byte short — then silence until the timeout, or a
/// closed connection: the bytes that arrived hold the management token, so they are kept
/// unread, 0600, beside the token file (never judged away or dropped), the run stops with
/// exit 2 before anything is written to Vault, and the re-run names the file.
#[test]
fn a_bootstrap_answer_broken_off_keeps_the_bytes_that_arrived() {
    support::sandbox_only("needs fault injection on Nomad");
    for then in [nomad_sandbox::Break::Stall, nomad_sandbox::Break::Close] {
        let s = Setup::with(NomadSandbox::builder().fault(Fault::BreakAnswer {
            on: nomad_sandbox::Trigger::on_path("PUT", "/v1/acl/bootstrap"),
            keep: nomad_sandbox::Keep::AllBut(1),
            then,
        }));
        let token_file = s.path("nomad-management.token");
        let raw = s.path("nomad-management.token.raw");
        let config = s.config(
            "  token_file    = \"nomad-management.token\"\n  acl_bootstrap = true\n  role \"nomad-admin\" { type = \"management\" }\n",
        );
        let run = s
            .bootstrap(&config)
            .args(["--timeout", "2s"])
            .run()
            .exit(2)
            .stderr_has(&format!(
                "PUT /v1/acl/bootstrap was sent to {} but no usable answer came back",
                s.nomad.addr()
            ))
            .stderr_has("may have acted on it")
            .stderr_lacks("refused");
        let kept = std::fs::read_to_string(&raw).expect("the bytes that arrived are kept");
        let run = run.stderr_has(&format!(
            "The {} bytes of the answer that arrived were saved unread to {} (0600): keep that file.",
            kept.len(),
            raw.display()
        ));
        let secret = s.nomad.management_token().expect("Nomad bootstrapped");
        run.hides(&secret);
        let whole: serde_json::Value =
            serde_json::from_str(&format!("{kept}}}")).expect("all of the answer but its `}`");
        assert_eq!(whole["SecretID"], secret.as_str(), "{then:?}");
        assert_eq!(mode(&raw), 0o600);
        assert!(!token_file.exists());
        assert!(s.path("nomad-management.token.sent").exists());
        assert_eq!(support::writes(&s.vault), Vec::<String>::new());

        // The re-run names the kept file and sends nothing while it is there: a second
        // answer must never be written over it.
        s.nomad.clear_faults();
        s.bootstrap(&config)
            .arg("--plan")
            .run()
            .exit(3)
            .stderr_has("a run would stop here, writing nothing:")
            .stderr_has(&format!(
                "{} holds an earlier answer to PUT /v1/acl/bootstrap",
                raw.display()
            ));
        s.bootstrap(&config)
            .run()
            .exit(1)
            .stderr_lacks("This run asks Nomad again")
            .stderr_has(&format!(
                "{} holds an earlier answer to PUT /v1/acl/bootstrap that nvctl could not read: \
                 it may hold Nomad's management token; keep it somewhere safe and move it away \
                 before trying again",
                raw.display()
            ));
        let bootstraps = s
            .nomad
            .requests()
            .iter()
            .filter(|r| r.path == "/v1/acl/bootstrap")
            .count();
        assert_eq!(bootstraps, 1);
        assert_eq!(std::fs::read_to_string(&raw).unwrap(), kept);
    }
}

/// A Ctrl-C while Nomad's bootstrap answer is on its way: nvctl says it waits, saves the token
/// 0600 once the answer arrives, and only then stops on the signal — before anything is
/// written to Vault. The re-run takes the saved token and converges.
#[cfg(unix)]
#[test]
fn sigint_while_the_bootstrap_answer_is_awaited_saves_the_token_then_stops() {
    support::sandbox_only("needs a slow unbootstrapped Nomad");
    let s = Setup::with(NomadSandbox::builder().latency(std::time::Duration::from_millis(1500)));
    let token_file = s.path("nomad-management.token");
    let config = s.config(
        "  token_file    = \"nomad-management.token\"\n  acl_bootstrap = true\n  role \"nomad-admin\" { type = \"management\" }\n",
    );
    s.vault.clear_requests();
    let running = s.bootstrap(&config).spawn();
    support::await_that("nvctl sent PUT /v1/acl/bootstrap", || {
        s.nomad
            .requests()
            .iter()
            .any(|r| r.method == "PUT" && r.path == "/v1/acl/bootstrap")
    });
    running.signal("INT");
    running.await_stderr(&format!(
        "nvctl: SIGINT received while waiting for {}'s answer to PUT /v1/acl/bootstrap",
        s.nomad.addr()
    ));
    let run = running.finish().killed_by(2).stderr_has(&format!(
        "nvctl: stopping on SIGINT: Nomad's management token is saved in {}",
        token_file.display()
    ));
    let saved = std::fs::read_to_string(&token_file).expect("token file");
    assert_eq!(Some(saved.trim().to_string()), s.nomad.management_token());
    run.hides(saved.trim());
    assert_eq!(mode(&token_file), 0o600);
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());

    s.nomad.set_latency(std::time::Duration::ZERO);
    s.bootstrap(&config)
        .run()
        .exit(0)
        .stderr_has("Nomad's management token is in");
    assert_eq!(
        s.nomad
            .requests()
            .iter()
            .filter(|r| r.path == "/v1/acl/bootstrap")
            .count(),
        1,
        "bootstrapped once"
    );
}

#[test]
fn every_bad_setting_of_the_block_is_named_with_its_line_and_nothing_is_sent() {
    let s = Setup::new();
    let token = s.nomad.management_token().unwrap();
    let key = s.path("client.key");
    write_private(&key, "not a key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let path = s.path("bootstrap.hcl");
    std::fs::write(
        &path,
        r#"nomad_secrets {
  address          = "nomad.example.com:4646"
  ca_cert_file     = "missing-ca.pem"
  client_key_file  = "client.key"
  lease_ttl        = "an hour"
  role "-deployer" { policies = ["deploy"] }
  role "ci" { policies = ["deploy"] }
  role "ci" { policies = ["deploy"] }
  role "admin" { type = "admin" }
  roles "x" { policies = ["deploy"] }
}
"#,
    )
    .unwrap();
    s.bootstrap(&path)
        .env("NOMAD_TOKEN", &token)
        .run()
        .exit(1)
        .stderr_has("bootstrap.hcl:2: nomad_secrets.address: invalid Nomad address \"nomad.example.com:4646\"")
        .stderr_has("bootstrap.hcl:3: nomad_secrets.ca_cert_file")
        .stderr_has("missing-ca.pem does not exist")
        .stderr_has("a client certificate needs both client_cert_file and client_key_file")
        .stderr_has("bootstrap.hcl:5: nomad_secrets.lease_ttl")
        .stderr_has("bootstrap.hcl:6: invalid Nomad engine role name \"-deployer\"")
        .stderr_has("bootstrap.hcl:8: duplicate role \"ci\" block (first at line 7)")
        .stderr_has("bootstrap.hcl:4: nomad_secrets.client_key_file")
        .stderr_has("client.key is readable by others (mode 644): it holds the private key of Vault's client certificate")
        .stderr_has("bootstrap.hcl:9: role \"admin\": type must be \"client\" or \"management\"")
        .stderr_has("bootstrap.hcl:10: unknown block \"roles\"")
        .hides(&token);
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
    assert!(s.nomad.requests().is_empty());

    // acl_bootstrap needs the file the token is saved to; an empty token file is refused.
    s.bootstrap(&s.config("  acl_bootstrap = true\n"))
        .env("NOMAD_TOKEN", &token)
        .run()
        .exit(1)
        .stderr_has("acl_bootstrap = true needs token_file");
    write_private(&s.path("nomad-management.token"), "\n");
    s.bootstrap(&s.config("  token_file = \"nomad-management.token\"\n  role \"nomad-admin\" { type = \"management\" }\n"))
        .run()
        .exit(1)
        .stderr_has("the Nomad token file")
        .stderr_has("is empty");
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
    assert!(s.nomad.requests().is_empty());
}

#[test]
fn an_unreachable_nomad_is_exit_2_naming_the_address_and_nothing_is_written() {
    support::sandbox_only("counts the writes the Vault sandbox receives");
    let s = Setup::new();
    let token = s.nomad.management_token().unwrap();
    s.token_file(&token);
    let path = s.config_at(
        "http://127.0.0.1:1",
        "  token_file = \"nomad-management.token\"\n  role \"nomad-admin\" { type = \"management\" }\n",
    );
    s.vault.clear_requests();
    s.bootstrap(&path)
        .run()
        .exit(2)
        .stderr_has("cannot connect to Nomad at http://127.0.0.1:1")
        .hides(&token);
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
}

/// A Nomad behind TLS with a private CA (the sandbox's TLS test endpoint stands in: not a
/// Nomad, so a good handshake ends in its 404): without `ca_cert_file` the handshake fails
/// naming the block's TLS keys and nothing is written; with it nvctl gets through.
#[test]
fn a_nomad_behind_tls_is_reached_with_ca_cert_file_and_refused_without() {
    support::sandbox_only("counts the writes the Vault sandbox receives");
    let s = Setup::new();
    let token = s.nomad.management_token().unwrap();
    s.token_file(&token);
    let server = vault_sandbox::testing::JwksServer::start_ed25519_tls().expect("TLS server");
    std::fs::write(s.path("nomad-ca.pem"), server.ca_pem().expect("a CA")).unwrap();
    let write = |tls: &str| {
        s.config_at(
            &server.base_url(),
            &format!(
                "  token_file = \"nomad-management.token\"\n{tls}  role \"nomad-admin\" {{ type = \"management\" }}\n"
            ),
        )
    };
    let path = write("");
    s.vault.clear_requests();
    s.bootstrap(&path)
        .run()
        .exit(2)
        .stderr_has(&format!(
            "TLS handshake with Nomad at {} failed",
            server.base_url()
        ))
        .stderr_has("check ca_cert_file, client_cert_file and client_key_file")
        .hides(&token);
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());

    // With the CA the handshake succeeds and nvctl asks the endpoint as it asks a Nomad: it
    // is not one, so the token check ends in its 404 (a finding, exit 3).
    write("  ca_cert_file = \"nomad-ca.pem\"\n");
    s.bootstrap(&path)
        .run()
        .exit(3)
        .stderr_lacks("TLS handshake")
        .stderr_has("acl/token/self answered 404")
        .hides(&token);
}

/// A `user:password@` in nomad_secrets.address would be printed and stored in Vault's engine
/// config, and Nomad does not authenticate with it: refused, never shown, nothing sent.
#[test]
fn credentials_in_the_nomad_address_are_refused_and_never_printed() {
    support::sandbox_only("counts the writes the Vault sandbox receives");
    let s = Setup::new();
    let token = s.nomad.management_token().unwrap();
    s.token_file(&token);
    let path = s.config_at(
        &s.nomad.addr().replace("http://", "http://ops:nomad-pa55@"),
        "  token_file = \"nomad-management.token\"\n  role \"nomad-admin\" { type = \"management\" }\n",
    );
    s.vault.clear_requests();
    s.bootstrap(&path)
        .run()
        .exit(1)
        .stderr_has("carries a user and password: Nomad authenticates with its ACL token")
        .hides("nomad-pa55")
        .hides(&token);
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
    assert!(s.nomad.requests().is_empty());
}

#[test]
fn another_engine_at_the_path_is_refused_and_left_alone() {
    support::sandbox_only("mounts a KV engine where the Nomad engine would go");
    let s = Setup::new();
    let config = s.seed_config();
    let http = s.vault_http();
    let (status, _) = http.put(
        "sys/mounts/nomad",
        &json!({"type": "kv", "options": {"version": "2"}}),
    );
    assert_eq!(status, 204);
    s.vault.clear_requests();
    s.bootstrap(&config)
        .run()
        .exit(1)
        .stderr_has("nomad/ is already a \"kv\" secrets engine: nvctl does not replace it");
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
    let (_, mounts) = http.get("sys/mounts");
    assert_eq!(mounts["data"]["nomad/"]["type"], "kv");
}

#[test]
fn acls_disabled_is_nomads_acl_support_disabled_and_exit_3() {
    support::sandbox_only("needs a Nomad with ACLs disabled");
    let s = Setup::with(NomadSandbox::builder().acl_enabled(false));
    s.token_file("00000000-0000-0000-0000-000000000000");
    let config = s.config(
        "  token_file = \"nomad-management.token\"\n  role \"deployer\" { policies = [\"deploy\"] }\n",
    );
    // Found before anything is written: Vault would take the engine's settings, and every
    // creds/ call would then fail with Nomad's words.
    s.bootstrap(&config)
        .run()
        .exit(3)
        .stderr_has("ACL support disabled")
        .stderr_has("acl { enabled = true }")
        .stderr_has(
            "Nomad secrets engine: the checks below fail, so nothing of it or after it is written",
        );
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
    // --plan says the same, with the same exit code.
    s.bootstrap(&config)
        .arg("--plan")
        .run()
        .exit(3)
        .stderr_has("ACL support disabled")
        .stderr_has("nothing of it or after it is planned");
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
}

#[test]
fn a_token_without_management_rights_is_permission_denied_and_exit_3() {
    support::sandbox_only("needs the Nomad sandbox");
    let s = Setup::new();
    let (_, client_secret) = s
        .nomad
        .create_token("ci", "client", &["deploy"])
        .expect("client token");
    s.token_file(&client_secret);
    let config = s.config(
        "  token_file = \"nomad-management.token\"\n  role \"deployer\" { policies = [\"deploy\"] }\n",
    );
    s.bootstrap(&config)
        .run()
        .exit(3)
        .stderr_has("Permission denied")
        .stderr_has("is a client token (policies: deploy)")
        .stderr_has("Unexpected response code: 403 (Permission denied)")
        .hides(&client_secret);
    // Nothing of the engine was written with a token Nomad would refuse.
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
}

#[test]
fn a_token_nomad_does_not_know_is_quoted_and_exit_3() {
    support::sandbox_only("needs the Nomad sandbox");
    let s = Setup::new();
    s.token_file("6f2b1c3e-8d4a-4b5c-9e7f-0a1b2c3d4e5f");
    let config = s.config(
        "  token_file = \"nomad-management.token\"\n  role \"deployer\" { policies = [\"deploy\"] }\n",
    );
    // From Nomad 1.5 an unknown secret is `Permission denied` on token/self (404 `ACL token
    // not found` before): command/agent/acl_endpoint.go aclTokenSelf → ACL.WhoAmI.
    s.bootstrap(&config)
        .run()
        .exit(3)
        .stderr_has("acl/token/self answered 403")
        .stderr_has("Nomad does not accept the token");
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
}

#[test]
fn a_policy_missing_in_nomad_is_named_with_the_roles_that_use_it_and_exit_3() {
    support::sandbox_only("needs the Nomad sandbox");
    let s = Setup::new();
    let token = s.nomad.management_token().unwrap();
    s.token_file(&token);
    let config = s.config(
        "  token_file = \"nomad-management.token\"\n  role \"deployer\" { policies = [\"deploy\", \"deploy-prod\"] }\n",
    );
    s.bootstrap(&config)
        .run()
        .exit(3)
        .stderr_has("the Nomad ACL policy \"deploy-prod\" does not exist (Nomad: `ACL policy not found`), but role \"deployer\" names it")
        .stderr_has("nomad acl policy apply deploy-prod");
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
}

#[test]
fn clock_skew_between_vault_and_nomad_is_found_from_their_date_headers_and_exit_3() {
    support::sandbox_only("needs a skewed Nomad clock");
    let s = Setup::with(
        NomadSandbox::builder()
            .bootstrapped()
            .clock_ahead(std::time::Duration::from_secs(600)),
    );
    let token = s.nomad.management_token().unwrap();
    s.token_file(&token);
    let config = s.config(
        "  token_file = \"nomad-management.token\"\n  role \"nomad-admin\" { type = \"management\" }\n",
    );
    s.bootstrap(&config)
        .run()
        .exit(3)
        .stderr_has("ahead of Vault's (their Date headers")
        .stderr_has("synchronise the clocks");
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
}

#[test]
fn roles_written_at_the_seeds_roles_path_are_missing_and_named_as_its_typo() {
    support::sandbox_only("writes seed 004's commands to the Vault sandbox");
    let s = Setup::new();
    let config = s.seed_config();
    let management = s.nomad.management_token().unwrap();
    let http = s.vault_http();
    // Seed 004 by hand: the engine and its access, then the role at `roles/`, which Vault
    // answers 404 (builtin/logical/nomad/path_roles.go pathsRole: the pattern is "role/" +
    // name; vault-api-engines.md §5.3).
    let (status, _) = http.put("sys/mounts/nomad", &json!({"type": "nomad"}));
    assert_eq!(status, 204);
    let access = json!({"address": s.nomad.addr(), "token": management});
    let (status, _) = http.put("nomad/config/access", &access);
    assert_eq!(status, 204);
    let (status, body) = http.put("nomad/roles/deployer", &json!({"policies": "deploy"}));
    assert_eq!(status, 404, "{body}");

    s.vault.clear_requests();
    s.bootstrap(&config)
        .arg("--plan")
        .run()
        .exit(3)
        .stderr_has("nomad/config/access exists but nomad/role/deployer does not")
        .stderr_has("seed 004's `roles/` is a typo")
        .hides(&management);
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
    // The run writes them at role/, and the proof mints through each.
    s.bootstrap(&config).run().exit(0);
    let (status, role) = http.get("nomad/role/deployer");
    assert_eq!(
        (status, &role["data"]["policies"]),
        (200, &json!(["deploy"]))
    );
}

#[test]
fn no_mint_skips_the_nomad_credentials_proof() {
    support::sandbox_only("counts the tokens Nomad received");
    let s = Setup::new();
    let config = s.seed_config();
    s.bootstrap(&config)
        .arg("--no-mint")
        .run()
        .exit(0)
        .stderr_has("Nomad credentials: proof skipped (--no-mint).");
    assert!(
        !s.nomad_writes().iter().any(|w| w.contains("/v1/acl/token")),
        "{:?}",
        s.nomad_writes()
    );
}

#[test]
fn the_seeds_roles_path_is_refused_with_the_real_path() {
    let s = Setup::new();
    let token = s.nomad.management_token().unwrap();
    s.token_file(&token);
    let config = s.config(
        "  path = \"nomad/roles\"\n  token_file = \"nomad-management.token\"\n  role \"deployer\" { policies = [\"deploy\"] }\n",
    );
    s.bootstrap(&config)
        .run()
        .exit(1)
        .stderr_has("seed 004's `nomad/roles/NAME` is a typo (Vault answers 404)")
        .stderr_has("`nomad/role/NAME`");
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
}

#[test]
fn roles_vault_would_refuse_and_unsafe_token_files_are_refused_before_anything_is_sent() {
    let s = Setup::new();
    let token = s.nomad.management_token().unwrap();
    let file = s.token_file(&token);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let config = s.config(
        "  token_file = \"nomad-management.token\"\n  role \"ci\" { type = \"client\" }\n  role \"root\" {\n    type = \"management\"\n    policies = [\"x\"]\n  }\n",
    );
    let run = s
        .bootstrap(&config)
        .run()
        .exit(1)
        .stderr_has("role \"ci\": policies cannot be empty when using client tokens")
        .stderr_has("role \"root\": policies should be empty when using management tokens")
        .hides(&token);
    #[cfg(unix)]
    assert!(run.stderr.contains("readable by others"), "{}", run.stderr);
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
    assert!(s.nomad.requests().is_empty());
}

#[test]
fn nomad_token_from_the_environment_works_without_a_token_file() {
    support::sandbox_only("needs the Nomad sandbox");
    let s = Setup::new();
    let token = s.nomad.management_token().unwrap();
    let config = s.config("  role \"deployer\" { policies = [\"deploy\"] }\n");
    s.bootstrap(&config)
        .env("NOMAD_TOKEN", &token)
        .run()
        .exit(0)
        .hides(&token);
    assert_eq!(s.nomad.token_accessors().len(), 1);
    // Without it, the block says where the token goes.
    s.bootstrap(&config)
        .run()
        .exit(1)
        .stderr_has("token_file = \"…\" (a 0600 file), or NOMAD_TOKEN");
}

#[test]
fn the_ca_certificate_goes_to_vault_as_pem_and_a_changed_one_is_a_diff() {
    support::sandbox_only("reads back the Vault sandbox's nomad/config/access");
    let s = Setup::new();
    let token = s.nomad.management_token().unwrap();
    s.token_file(&token);
    let pem = |_: ()| {
        vault_sandbox::testing::JwksServer::start_ed25519_tls()
            .expect("a throw-away CA")
            .ca_pem()
            .expect("its PEM")
    };
    let ca = pem(());
    std::fs::write(s.path("nomad-ca.pem"), &ca).unwrap();
    let config = s.config(
        "  token_file   = \"nomad-management.token\"\n  ca_cert_file = \"nomad-ca.pem\"\n  role \"deployer\" { policies = [\"deploy\"] }\n",
    );
    // The plan names the file, never prints the PEM body as a secret, masks the token.
    s.bootstrap(&config)
        .arg("--plan")
        .run()
        .exit(3)
        .stderr_has("\"ca_cert\": \"<PEM from ")
        .hides(&token);
    // `vault write nomad/config/access ca_cert=@ca.pem` sends the file's text.
    s.bootstrap(&config).run().exit(0).hides(&token);
    let (_, access) = s.vault_http().get("nomad/config/access");
    assert_eq!(
        access["data"]["ca_cert"].as_str().map(str::trim),
        Some(ca.trim())
    );
    s.vault.clear_requests();
    s.bootstrap(&config).run().exit(0);
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());

    // Another CA in the file: an update, shown as a diff of what Vault reads back.
    std::fs::write(s.path("nomad-ca.pem"), pem(())).unwrap();
    s.bootstrap(&config)
        .arg("--plan")
        .run()
        .exit(3)
        .stderr_has("nomad/config/access differs")
        .hides(&token);
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
}

#[test]
fn the_json_report_never_carries_the_management_token() {
    support::sandbox_only("needs the Nomad sandbox");
    let s = Setup::new();
    let config = s.seed_config();
    let management = s.nomad.management_token().unwrap();
    let run = Nvctl::new()
        .sandbox(&s.vault)
        .args(["--format", "json", "bootstrap", "--yes", "--config"])
        .arg(&config)
        .arg("--init-output")
        .arg(s.path("vault-init.json"))
        .arg("--token-output")
        .arg(s.path("nomad-server.token"))
        .run()
        .exit(0)
        .hides(&management);
    let doc = run.json();
    let steps: Vec<&str> = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["step"].as_str().or(s["name"].as_str()))
        .collect();
    assert!(steps.contains(&"nomad-access"), "{steps:?}");
}

#[test]
fn a_broken_bootstrap_answer_is_kept_raw_0600_and_said_plainly() {
    support::sandbox_only("needs fault injection on Nomad");
    // A 200 whose body is not Nomad's token JSON (a proxy's page, a cut answer): it may still
    // hold the only copy of the token, so it is saved unread before it is judged.
    let s = Setup::with(NomadSandbox::builder().fault(Fault::respond_on_path(
        "PUT",
        "/v1/acl/bootstrap",
        200,
        "{\"AccessorID\":\"a1\",\"SecretID\":\"5ec7e7-0000",
    )));
    let token_file = s.path("nomad-management.token");
    let config = s.config(
        "  token_file    = \"nomad-management.token\"\n  acl_bootstrap = true\n  role \"nomad-admin\" { type = \"management\" }\n",
    );
    s.vault.clear_requests();
    s.bootstrap(&config)
        .run()
        .exit(2)
        .stderr_has("answered PUT /v1/acl/bootstrap, but not as expected")
        .stderr_has("Keep that file")
        .hides("5ec7e7-0000");
    assert!(!token_file.exists());
    let raw = s.path("nomad-management.token.raw");
    assert!(
        std::fs::read_to_string(&raw)
            .unwrap()
            .contains("5ec7e7-0000"),
        "the answer kept as it came"
    );
    #[cfg(unix)]
    assert_eq!(mode(&raw), 0o600);
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
}

#[test]
fn acl_bootstrap_on_a_nomad_with_acls_disabled_bootstraps_nothing_and_says_why() {
    support::sandbox_only("needs a Nomad with ACLs disabled");
    let s = Setup::with(NomadSandbox::builder().acl_enabled(false));
    s.vault.clear_requests();
    let config = s.config(
        "  token_file    = \"nomad-management.token\"\n  acl_bootstrap = true\n  role \"nomad-admin\" { type = \"management\" }\n",
    );
    s.bootstrap(&config)
        .run()
        .exit(1)
        .stderr_has("Nomad's ACLs are disabled at")
        .stderr_has("nothing to bootstrap, so no management token for Vault's Nomad engine")
        .stderr_has("acl { enabled = true }");
    assert!(s.nomad_writes().is_empty(), "{:?}", s.nomad_writes());
    assert_eq!(support::writes(&s.vault), Vec::<String>::new());
}
