//! The database secrets engine of seed 001 (issue 14), end to end against a real PostgreSQL
//! (a throwaway cluster, one database and superuser per test): `nvctl dev --postgres`.

use serde_json::{json, Value};
use throwaway_postgres::{Cluster, Tenant};

use crate::support::{await_that, Http, Nvctl};

fn tenant() -> Tenant {
    Cluster::shared()
        .expect("throwaway PostgreSQL")
        .tenant()
        .unwrap()
}

/// The tenant's URL naming its user but no password (what `--postgres` takes).
fn url_with_user(db: &Tenant) -> String {
    db.templated_url()
        .replace("{{username}}:{{password}}", db.user())
}

#[test]
fn dev_postgres_connects_the_sandboxes_engine_to_the_operators_database() {
    let db = tenant();
    let dev = Nvctl::new()
        .args(["--format", "json", "dev", "--postgres", &url_with_user(&db)])
        .env("PGPASSWORD", db.password())
        .spawn();
    await_that("nvctl dev printed its address", || {
        dev.stdout_so_far().contains("\"address\"")
    });
    let line: Value = serde_json::from_str(dev.stdout_so_far().lines().next().unwrap()).unwrap();
    let vault = Http::new(
        line["address"].as_str().unwrap(),
        line["root_token"].as_str().unwrap(),
    );
    let (status, config) = vault.get("database/config/postgresql");
    assert_eq!(status, 200, "{config}");
    assert_eq!(
        config["data"]["connection_details"],
        json!({"connection_url": db.templated_url(), "username": db.user()})
    );
    assert_eq!(config["data"]["allowed_roles"], json!(["*"]));
    // The engine really reaches the database: a role's credentials log in. (Its own role
    // name, so that its users never look like the bootstrap tests' accessdb ones.)
    let (status, _) = vault.put(
        "database/roles/devcheck",
        &json!({"db_name": "postgresql", "default_ttl": "1h",
                "creation_statements": "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';"}),
    );
    assert_eq!(status, 204);
    let (status, creds) = vault.get("database/creds/devcheck");
    assert_eq!(status, 200, "{creds}");
    db.login(
        creds["data"]["username"].as_str().unwrap(),
        creds["data"]["password"].as_str().unwrap(),
    )
    .unwrap();
    // Leave no user behind in the shared cluster.
    let (status, _) = vault.put("sys/leases/revoke", &json!({"lease_id": creds["lease_id"]}));
    assert_eq!(status, 204);
    dev.signal("INT");
    let run = dev.finish();
    run.hides(db.password());
}

#[test]
fn dev_postgres_refuses_a_password_in_the_url_before_starting() {
    let db = tenant();
    Nvctl::new()
        .args(["dev", "--postgres", &db.literal_url()])
        .run()
        .exit(1)
        .stderr_has("--postgres: the URL carries a password")
        .stderr_has("PGPASSWORD")
        .hides(db.password());
}

#[test]
fn dev_postgres_needs_pgpassword() {
    let db = tenant();
    Nvctl::new()
        .args(["dev", "--postgres", &url_with_user(&db)])
        .env_remove("PGPASSWORD")
        .run()
        .exit(1)
        .stderr_has("--postgres: PGPASSWORD is not set");
}

#[test]
fn dev_postgres_says_in_vaults_words_why_it_cannot_connect() {
    let db = tenant();
    Nvctl::new()
        .args(["dev", "--postgres", &url_with_user(&db)])
        .env("PGPASSWORD", "not-the-password")
        .run()
        .exit(2)
        .stderr_has("the in-memory Vault could not connect to")
        .stderr_has(&format!(
            "password authentication failed for user \"{}\"",
            db.user()
        ))
        .hides("not-the-password");
}

/// The same in the background: the failure is said and the exit code kept, never an `export`
/// of a sandbox that is not there.
#[test]
fn dev_postgres_in_the_background_says_why_it_did_not_start() {
    let db = tenant();
    Nvctl::new()
        .args(["dev", "--background", "--postgres", &url_with_user(&db)])
        .env("PGPASSWORD", "not-the-password")
        .run()
        .exit(2)
        .stderr_has(
            "the background sandbox did not start: the in-memory Vault could not connect to",
        )
        .stderr_has("password authentication failed")
        .stdout_lacks("export")
        .hides("not-the-password");
}

// --- bootstrap: database "NAME" { … } (seed 001 steps 9–12) ---

/// Seed 001's role with the creating statement the seed lacks, and table privileges Vault's
/// default revocation takes back.
const FIXED_CREATE: &str = "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';\nGRANT SELECT ON ALL TABLES IN SCHEMA public TO \"{{name}}\";\n";
/// The seed's own statement (step 11).
const SEED_GRANT: &str = "GRANT ALL ON SCHEMA public TO \"{{name}}\";\n";

struct Seed001 {
    dir: tempfile::TempDir,
    db: Tenant,
}

impl Seed001 {
    /// A work directory with the password file (0600), the role's SQL and a bootstrap.hcl
    /// reproducing seed 001's database steps against a tenant of the throwaway cluster.
    fn new(creation: &str) -> Seed001 {
        let db = tenant();
        let dir = crate::support::workdir();
        let password = dir.path().join("postgres.password");
        std::fs::write(&password, format!("{}\n", db.password())).unwrap();
        std::fs::set_permissions(
            &password,
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
        std::fs::write(dir.path().join("accessdb.sql"), creation).unwrap();
        let seed = Seed001 { dir, db };
        seed.config("[\"accessdb\"]", &seed.db.templated_url());
        seed
    }

    /// Seed 001 with `rotate_root = true`.
    fn rotating(creation: &str) -> Seed001 {
        let seed = Seed001::new(creation);
        seed.config_with(
            "[\"accessdb\"]",
            &seed.db.templated_url(),
            "rotate_root    = true",
            "",
        );
        seed
    }

    fn config(&self, allowed_roles: &str, url: &str) {
        self.config_with(allowed_roles, url, "", "");
    }

    /// The configuration with `database` lines (`rotate_root = true`) and `role` lines added.
    fn config_with(&self, allowed_roles: &str, url: &str, database: &str, role: &str) {
        self.config_ttls(allowed_roles, url, database, role, "24h");
    }

    /// …with the role's max_ttl.
    fn config_ttls(
        &self,
        allowed_roles: &str,
        url: &str,
        database: &str,
        role: &str,
        max_ttl: &str,
    ) {
        let text = format!(
            r#"init {{
  key_shares    = 1
  key_threshold = 1
  output        = "vault-init.json"
}}
token {{
  output = "nomad-server.token"
}}
database "postgresql" {{
  connection_url = "{url}"
  username       = "{user}"
  password_file  = "postgres.password"
  allowed_roles  = {allowed_roles}
  {database}
  role "accessdb" {{
    creation_statements_file = "accessdb.sql"
    default_ttl = "1h"
    max_ttl     = "{max_ttl}"
    {role}
  }}
}}
"#,
            user = self.db.user()
        );
        std::fs::write(self.dir.path().join("bootstrap.hcl"), text).unwrap();
    }

    fn bootstrap(&self, vault: &vault_sandbox::SandboxHandle) -> crate::support::Run {
        Nvctl::new()
            .sandbox(vault)
            .current_dir(self.dir.path())
            .args(["bootstrap", "--yes", "--config", "bootstrap.hcl"])
            .run()
    }

    /// The same, reporting as JSON (whose findings name the users the proof minted).
    fn bootstrap_json(&self, vault: &vault_sandbox::SandboxHandle) -> crate::support::Run {
        Nvctl::new()
            .sandbox(vault)
            .current_dir(self.dir.path())
            .args([
                "bootstrap",
                "--yes",
                "--format",
                "json",
                "--config",
                "bootstrap.hcl",
            ])
            .run()
    }
}

fn fresh_vault() -> vault_sandbox::SandboxHandle {
    vault_sandbox::Sandbox::builder()
        .uninitialized()
        .start()
        .unwrap()
}

#[test]
fn bootstrap_sets_up_seed_001s_database_proves_credentials_and_reruns_with_no_writes() {
    let seed = Seed001::new(FIXED_CREATE);
    let vault = fresh_vault();
    let run = seed
        .bootstrap_json(&vault)
        .exit(0)
        .hides(seed.db.password());
    // The database group's requests (BENCHMARKS.md), sorted: the verifications run side by side.
    // Each stage observes then writes; the connection write is where Vault connects and pings.
    assert_eq!(
        database_requests(&vault),
        [
            "GET /v1/database/config/postgresql",
            "GET /v1/database/config/postgresql",
            "GET /v1/database/config/postgresql",
            "GET /v1/database/creds/accessdb",
            "GET /v1/database/roles/accessdb",
            "GET /v1/database/roles/accessdb",
            "GET /v1/sys/mounts",
            "GET /v1/sys/mounts",
            "POST /v1/sys/mounts/database",
            "PUT /v1/database/config/postgresql",
            "PUT /v1/database/roles/accessdb",
            "PUT /v1/sys/leases/revoke",
        ]
    );
    let root = vault.root_token().unwrap();
    let http = Http::new(&vault.addr(), &root);
    let (status, config) = http.get("database/config/postgresql");
    assert_eq!(status, 200);
    assert_eq!(config["data"]["allowed_roles"], json!(["accessdb"]));
    assert_eq!(
        config["data"]["connection_details"]["connection_url"],
        json!(seed.db.templated_url())
    );
    let (_, role) = http.get("database/roles/accessdb");
    assert_eq!(role["data"]["default_ttl"], json!(3600));
    // The proof minted a credential, logged in with it and revoked it: Vault saw the creds
    // read and the revocation, and no lease or user is left.
    let paths: Vec<String> = vault.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths.iter().any(|p| p == "/v1/database/creds/accessdb"),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|p| p == "/v1/sys/leases/revoke"),
        "{paths:?}"
    );
    no_user_left(&seed, &run);

    vault.clear_requests();
    seed.bootstrap(&vault).exit(0);
    assert_eq!(crate::support::writes(&vault), Vec::<String>::new());
    assert_eq!(
        database_requests(&vault),
        [
            "GET /v1/database/config/postgresql",
            "GET /v1/database/roles/accessdb",
            "GET /v1/sys/mounts",
            // The TTL check before writing: the mount's live max.
            "GET /v1/sys/mounts/database/tune",
        ]
    );
}

/// The requests of the database group, sorted (`sys/mounts` reads included).
fn database_requests(vault: &vault_sandbox::SandboxHandle) -> Vec<String> {
    let mut requests = vault
        .requests()
        .iter()
        .filter(|r| {
            r.path.starts_with("/v1/database/")
                || r.path.starts_with("/v1/sys/mounts")
                || r.path.starts_with("/v1/sys/leases/")
        })
        .map(|r| format!("{} {}", r.method, r.path))
        .collect::<Vec<_>>();
    requests.sort();
    requests
}

#[test]
fn the_seeds_own_statement_is_caught_before_anything_is_written() {
    let seed = Seed001::new(SEED_GRANT);
    let vault = fresh_vault();
    seed.bootstrap(&vault)
        .exit(3)
        .stderr_has("never create the user \"{{name}}\"")
        .stderr_has("CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';")
        .hides(seed.db.password());
    assert_eq!(crate::support::writes(&vault), Vec::<String>::new());
}

#[test]
fn a_role_the_connection_does_not_allow_is_caught_before_writing() {
    let seed = Seed001::new(FIXED_CREATE);
    seed.config("[\"other\"]", &seed.db.templated_url());
    let vault = fresh_vault();
    seed.bootstrap(&vault)
        .exit(3)
        .stderr_has("role \"accessdb\" is not in the connection's allowed_roles")
        .stderr_has("\"accessdb\" is not an allowed role");
    assert_eq!(crate::support::writes(&vault), Vec::<String>::new());
}

#[test]
fn a_literal_password_in_the_url_is_caught_before_writing_and_never_shown() {
    let seed = Seed001::new(FIXED_CREATE);
    seed.config("[\"accessdb\"]", &seed.db.literal_url());
    let vault = fresh_vault();
    seed.bootstrap(&vault)
        .exit(3)
        .stderr_has("connection_url has a password written into it")
        .hides(seed.db.password());
    assert_eq!(crate::support::writes(&vault), Vec::<String>::new());
}

#[test]
fn an_unreachable_database_ends_in_vaults_words() {
    let seed = Seed001::new(FIXED_CREATE);
    let port = throwaway_postgres::unused_port().unwrap();
    seed.config(
        "[\"accessdb\"]",
        &seed
            .db
            .templated_url()
            .replace(&seed.db.port().to_string(), &port.to_string()),
    );
    let vault = fresh_vault();
    seed.bootstrap(&vault)
        .exit(2)
        .stderr_has("error verifying connection: ping failed: failed to connect to")
        .stderr_has("connection refused")
        .hides(seed.db.password());
}

#[test]
fn a_wrong_password_ends_in_postgresqls_words_and_is_never_shown() {
    let seed = Seed001::new(FIXED_CREATE);
    let password = seed.dir.path().join("postgres.password");
    std::fs::write(&password, "wrong-password-123\n").unwrap();
    let vault = fresh_vault();
    seed.bootstrap(&vault)
        .exit(2)
        .stderr_has("password authentication failed for user")
        .hides("wrong-password-123");
}

#[test]
fn bad_sql_in_the_role_ends_in_one_finding_with_postgresqls_words() {
    let seed = Seed001::new(
        "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}'; GRANT SELECT ON no_such_table TO \"{{name}}\";",
    );
    let vault = fresh_vault();
    seed.bootstrap(&vault)
        .exit(3)
        .stderr_has("failed to execute query: ERROR: relation \"no_such_table\" does not exist (SQLSTATE 42P01)");
}

#[test]
fn a_password_file_others_can_read_is_refused() {
    let seed = Seed001::new(FIXED_CREATE);
    let password = seed.dir.path().join("postgres.password");
    std::fs::set_permissions(
        &password,
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    let vault = fresh_vault();
    seed.bootstrap(&vault)
        .exit(1)
        .stderr_has("is readable by others (mode 644)");
    assert!(vault.requests().is_empty());
}

#[test]
fn no_mint_skips_the_credentials_proof() {
    let seed = Seed001::new(FIXED_CREATE);
    let vault = fresh_vault();
    Nvctl::new()
        .sandbox(&vault)
        .current_dir(seed.dir.path())
        .args([
            "bootstrap",
            "--yes",
            "--no-mint",
            "--config",
            "bootstrap.hcl",
        ])
        .run()
        .exit(0);
    let paths: Vec<String> = vault.requests().iter().map(|r| r.path.clone()).collect();
    assert!(!paths.iter().any(|p| p.contains("/creds/")), "{paths:?}");
}

/// Seed 001 whole, as issue 13's "done when" asks: the role allowing access-tables (step 5),
/// the access-tables policy (step 13), the database engine (steps 9–12) and, as the last
/// verification, check-job --rehearse on the web job (step 14) — on a fresh Vault. Then the
/// job passes `nvctl check-job --rehearse` on its own, and a re-run writes nothing but the
/// rehearsal's task token (minted, asked, revoked).
#[test]
fn seed_001_config_with_its_web_job_bootstraps_and_the_job_passes_check_job_rehearsed() {
    let seed = Seed001::new(FIXED_CREATE);
    let dir = seed.dir.path();
    let web_app = dir.join("web-app.nomad.hcl");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/jobs/nomad-vault-demo.nomad.hcl"),
        &web_app,
    )
    .unwrap();
    let database = std::fs::read_to_string(dir.join("bootstrap.hcl")).unwrap();
    let whole = format!(
        r#"{database}
role {{
  name             = "nomad-cluster"
  allowed_policies = ["access-tables"]
  period           = "72h"
}}
job_policy "access-tables" {{
  policy = <<-EOT
    path "database/creds/accessdb" {{
      capabilities = ["read"]
    }}
  EOT
}}
jobs = ["web-app.nomad.hcl"]
"#
    );
    std::fs::write(dir.join("bootstrap.hcl"), whole).unwrap();
    let vault = fresh_vault();
    let run = seed
        .bootstrap(&vault)
        .exit(0)
        .stderr_has("check-job --rehearse runs once the steps above are verified");
    run.hides(seed.db.password());

    let root = vault.root_token().expect("initialised");
    let run = Nvctl::new()
        .env("VAULT_ADDR", &vault.addr())
        .env("VAULT_TOKEN", &root)
        .args(["check-job", "--rehearse", "--format", "json"])
        .arg(&web_app)
        .run()
        .exit(0);
    let doc = run.json();
    let task = &doc["files"][0]["tasks"][0];
    assert_eq!(
        task["token_policies"],
        json!(["access-tables", "default"]),
        "{doc}"
    );
    assert_eq!(task["rehearsal"]["outcome"], json!("created"), "{doc}");
    assert_eq!(
        task["reads"][0]["vault_capabilities"],
        json!(["read"]),
        "{doc}"
    );

    vault.clear_requests();
    let run = Nvctl::new()
        .sandbox(&vault)
        .current_dir(dir)
        .args([
            "bootstrap",
            "--yes",
            "--no-mint",
            "--format",
            "json",
            "--config",
            "bootstrap.hcl",
        ])
        .run()
        .exit(0);
    let doc = run.json();
    let jobs = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "jobs")
        .cloned()
        .unwrap();
    assert_eq!(jobs["findings"], json!([]), "{doc}");
    let writes: Vec<String> = vault
        .requests()
        .iter()
        .filter(|r| r.method != "GET" && !r.path.starts_with("/v1/sys/capabilities"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        writes,
        [
            "POST /v1/auth/token/create/nomad-cluster",
            "POST /v1/auth/token/revoke-accessor"
        ]
    );
}

/// The same seed with the role allowing only seed 000's policy: everything is set up, but
/// Vault would refuse the web job's task token — the bootstrap's last verification says so
/// in Vault's words and exits 3.
#[test]
fn seed_001_with_a_role_not_allowing_access_tables_fails_its_job_check_with_exit_3() {
    let seed = Seed001::new(FIXED_CREATE);
    let dir = seed.dir.path();
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/jobs/nomad-vault-demo.nomad.hcl"),
        dir.join("web-app.nomad.hcl"),
    )
    .unwrap();
    let database = std::fs::read_to_string(dir.join("bootstrap.hcl")).unwrap();
    std::fs::write(
        dir.join("bootstrap.hcl"),
        format!(
            "{database}\nrole {{\n  allowed_policies = [\"hashicups-api\"]\n}}\njobs = [\"web-app.nomad.hcl\"]\n"
        ),
    )
    .unwrap();
    let vault = fresh_vault();
    // vault token_store.go (create from a role): the policies must be a subset of the
    // role's allowed ones — Vault's own words, checked by the rehearsal.
    seed.bootstrap(&vault)
        .exit(3)
        .stderr_has("Vault: token policies ([\"access-tables\" \"default\"]) must be subset of the role's allowed policies ([\"default\" \"hashicups-api\"])")
        .stderr_has("template secret \"database/creds/accessdb\" will be denied")
        .stderr_has("the job checks found problems: a task would not get its secrets");
    // Everything before the job checks was set up.
    let (status, _) =
        Http::new(&vault.addr(), &vault.root_token().unwrap()).get("database/roles/accessdb");
    assert_eq!(status, 200);
}

// --- rotate_root = true ---

/// The rotate-root requests Vault received.
fn rotations(vault: &vault_sandbox::SandboxHandle) -> Vec<String> {
    crate::support::writes(vault)
        .into_iter()
        .filter(|w| w.contains("rotate-root"))
        .collect()
}

/// The root user changed in the configuration: Vault merges an update into the stored
/// connection, so the new user would be tried with the old user's password (28P01); nvctl
/// sends the new user's password with it, says so in the plan, and the connection works.
#[test]
fn a_changed_root_user_is_sent_with_its_own_password() {
    let seed = Seed001::new(FIXED_CREATE);
    let vault = fresh_vault();
    seed.bootstrap(&vault).exit(0);

    let other = format!("{}_second_root", seed.db.user());
    let other_password = "second-root-pw-4d1e";
    seed.db
        .execute(&format!(
            "CREATE ROLE \"{other}\" WITH LOGIN CREATEROLE PASSWORD '{other_password}'; \
             GRANT ALL ON DATABASE \"{}\" TO \"{other}\"",
            seed.db.database()
        ))
        .unwrap();
    let config = seed.dir.path().join("bootstrap.hcl");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        &format!("username       = \"{}\"", seed.db.user()),
        &format!("username       = \"{other}\""),
    );
    std::fs::write(&config, text).unwrap();
    std::fs::write(
        seed.dir.path().join("postgres.password"),
        format!("{other_password}\n"),
    )
    .unwrap();

    vault.clear_requests();
    seed.bootstrap(&vault)
        .exit(0)
        .stderr_has("the root user changes: the password from")
        .hides(other_password)
        .hides(seed.db.password());
    let http = Http::new(&vault.addr(), &vault.root_token().unwrap());
    let (_, connection) = http.get("database/config/postgresql");
    assert_eq!(
        connection["data"]["connection_details"]["username"],
        json!(other)
    );
    // Vault connects as the new user: it mints credentials that log in.
    let (status, creds) = http.get("database/creds/accessdb");
    assert_eq!(status, 200, "{creds}");
    seed.db
        .login(
            creds["data"]["username"].as_str().unwrap(),
            creds["data"]["password"].as_str().unwrap(),
        )
        .unwrap();
    let (status, _) = http.put("sys/leases/revoke", &json!({"lease_id": creds["lease_id"]}));
    assert_eq!(status, 204);
}

/// `bootstrap --dev` with rotate_root: the in-memory Vault would hold the only copy of the new
/// root password and forget it at exit, locking the user out — refused before anything.
#[test]
fn rotate_root_with_dev_is_refused_before_anything() {
    let seed = Seed001::rotating(FIXED_CREATE);
    Nvctl::new()
        .current_dir(seed.dir.path())
        .args(["bootstrap", "--dev", "--yes", "--config", "bootstrap.hcl"])
        .run()
        .exit(1)
        .stderr_has("rotate_root = true with --dev would lock")
        .stderr_has("out of PostgreSQL for good")
        .hides(seed.db.password());
    seed.db.login(seed.db.user(), seed.db.password()).unwrap();
}

/// A Ctrl-C while the proof's credential is being revoked (revocation statements that take a
/// moment): nvctl says it finishes first, the revocation completes, and only then does it stop
/// (killed by SIGINT), naming the user it revoked — no live user is left in PostgreSQL.
#[cfg(unix)]
#[test]
fn sigint_during_the_proof_waits_for_the_revocation_then_stops() {
    let seed = Seed001::new(FIXED_CREATE);
    std::fs::write(
        seed.dir.path().join("revoke.sql"),
        "SELECT pg_sleep(2);\nDROP ROLE IF EXISTS \"{{name}}\";\n",
    )
    .unwrap();
    seed.config_with(
        "[\"accessdb\"]",
        &seed.db.templated_url(),
        "",
        "revocation_statements_file = \"revoke.sql\"",
    );
    let vault = fresh_vault();
    let running = Nvctl::new()
        .sandbox(&vault)
        .current_dir(seed.dir.path())
        .args(["bootstrap", "--yes", "--config", "bootstrap.hcl"])
        .spawn();
    await_that("nvctl asked Vault to revoke the proof's lease", || {
        vault
            .requests()
            .iter()
            .any(|r| r.method == "PUT" && r.path == "/v1/sys/leases/revoke")
    });
    running.signal("INT");
    running.await_stderr(
        "nvctl: SIGINT received while nvctl proves database/creds/accessdb: minting a credential, using it and revoking it",
    );
    let run = running
        .finish()
        .killed_by(2)
        .stderr_has(
            "nvctl: stopping on SIGINT: the credential minted to prove database/creds/accessdb (\"v-root-accessdb-",
        )
        .stderr_has("is revoked")
        .hides(seed.db.password());
    no_user_left(&seed, &run);
}

/// Vault's rotate-root (path_rotate_credentials.go:pathRotateRootCredentialsUpdate →
/// postgresql.go:changeUserPassword, vault-api-engines.md §3.5, §7) sets a password only Vault
/// knows: afterwards the file's password is refused by PostgreSQL, and Vault still mints.
#[test]
fn rotate_root_rotates_after_the_proof_and_a_rerun_sees_it_done() {
    let seed = Seed001::rotating(FIXED_CREATE);
    let vault = fresh_vault();
    seed.bootstrap(&vault)
        .exit(0)
        .stderr_has("no longer logs in to PostgreSQL as")
        .stderr_has("Vault rotated the root password of database \"postgresql\"")
        .stderr_has("leave the old password in")
        .hides(seed.db.password());
    assert_eq!(
        rotations(&vault),
        ["POST /v1/database/rotate-root/postgresql"]
    );
    // The proof ran once, before the rotation (one credential minted and revoked).
    let paths: Vec<String> = vault.requests().iter().map(|r| r.path.clone()).collect();
    let minted = paths
        .iter()
        .filter(|p| *p == "/v1/database/creds/accessdb")
        .count();
    assert_eq!(minted, 1, "{paths:?}");
    let creds_at = paths
        .iter()
        .position(|p| p == "/v1/database/creds/accessdb");
    let rotated_at = paths
        .iter()
        .position(|p| p == "/v1/database/rotate-root/postgresql");
    assert!(creds_at < rotated_at, "{paths:?}");
    // PostgreSQL refuses the file's password now…
    let refused = seed
        .db
        .login(seed.db.user(), seed.db.password())
        .unwrap_err()
        .to_string();
    assert!(refused.contains("28P01"), "{refused}");
    // …and Vault, which knows the new one, still mints credentials that log in.
    let http = Http::new(&vault.addr(), &vault.root_token().unwrap());
    let (status, creds) = http.get("database/creds/accessdb");
    assert_eq!(status, 200, "{creds}");
    seed.db
        .login(
            creds["data"]["username"].as_str().unwrap(),
            creds["data"]["password"].as_str().unwrap(),
        )
        .unwrap();
    let (status, _) = http.put("sys/leases/revoke", &json!({"lease_id": creds["lease_id"]}));
    assert_eq!(status, 204);

    // A re-run sees the rotation done (the file's password is refused) and writes nothing.
    vault.clear_requests();
    seed.bootstrap(&vault)
        .exit(0)
        .stderr_has("the root password was rotated before")
        .hides(seed.db.password());
    assert_eq!(crate::support::writes(&vault), Vec::<String>::new());
}

/// A first run whose password file is wrong: PostgreSQL refuses it (28P01) as it would a
/// rotated one, but Vault cannot have rotated a connection this run created, so the run says
/// the password is wrong (exit 2) and rotates nothing — with verify_connection = false, where
/// Vault does not catch it when the connection is written.
#[test]
fn rotate_root_on_a_new_connection_with_a_wrong_password_says_so_and_rotates_nothing() {
    let seed = Seed001::new(FIXED_CREATE);
    seed.config_with(
        "[\"accessdb\"]",
        &seed.db.templated_url(),
        "rotate_root    = true\n  verify_connection = false",
        "",
    );
    let password = seed.dir.path().join("postgres.password");
    std::fs::write(&password, "wrong-password-123\n").unwrap();
    let vault = fresh_vault();
    seed.bootstrap(&vault)
        .exit(2)
        .stderr_has("rotate_root: the password in")
        .stderr_has("password authentication failed for user")
        .stderr_has("is new in Vault, so no rotation through Vault explains it: the password is wrong; nothing was rotated")
        .stderr_lacks("rotated before")
        .hides("wrong-password-123");
    assert_eq!(rotations(&vault), Vec::<String>::new());
    seed.db.login(seed.db.user(), seed.db.password()).unwrap();
}

#[test]
fn rotate_root_waits_for_a_passing_proof() {
    // The role's user cannot log in (NOLOGIN): the proof fails, the root stays as it is.
    let seed = Seed001::rotating(
        "CREATE ROLE \"{{name}}\" WITH NOLOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
    );
    let vault = fresh_vault();
    seed.bootstrap(&vault)
        .exit(3)
        .stderr_has("is not permitted to log in")
        .stderr_has("the root password of database \"postgresql\" was not rotated: the credentials proof failed")
        .hides(seed.db.password());
    assert_eq!(rotations(&vault), Vec::<String>::new());
    seed.db.login(seed.db.user(), seed.db.password()).unwrap();
}

#[test]
fn rotate_root_stops_when_nvctl_cannot_reach_postgresql_to_tell() {
    // Vault does not check the connection (verify_connection = false) and the database is not
    // there: whether the root was rotated cannot be told, so nothing is rotated (exit 2).
    let seed = Seed001::new(FIXED_CREATE);
    let port = throwaway_postgres::unused_port().unwrap();
    seed.config_with(
        "[\"accessdb\"]",
        &seed
            .db
            .templated_url()
            .replace(&seed.db.port().to_string(), &port.to_string()),
        "rotate_root    = true\n  verify_connection = false",
        "",
    );
    let vault = fresh_vault();
    Nvctl::new()
        .sandbox(&vault)
        .current_dir(seed.dir.path())
        .args(["bootstrap", "--yes", "--no-mint", "--config", "bootstrap.hcl"])
        .run()
        .exit(2)
        .stderr_has("rotate_root: nvctl cannot tell whether the root password of database \"postgresql\" was rotated already")
        .stderr_has("vault write -f database/rotate-root/postgresql")
        .hides(seed.db.password());
    assert_eq!(rotations(&vault), Vec::<String>::new());
    seed.db.login(seed.db.user(), seed.db.password()).unwrap();
}

// --- tables = [...]: the privilege check ---

/// Seed 001 whose role names the tables the job reads, in a database holding `products`.
fn seed_with_tables(creation: &str, tables: &str) -> Seed001 {
    let seed = Seed001::new(creation);
    seed.db
        .execute("CREATE TABLE public.products (id int, name text)")
        .unwrap();
    seed.config_with(
        "[\"accessdb\"]",
        &seed.db.templated_url(),
        "",
        &format!("tables = {tables}"),
    );
    seed
}

/// The users the run says it minted (`"v-root-accessdb-…"` in its findings) are all gone.
/// Asked by name: the throwaway cluster is shared by the tests running alongside, and its
/// roles are cluster-wide, so another test's user may exist at this moment under the same
/// prefix.
fn no_user_left(seed: &Seed001, run: &crate::support::Run) {
    let output = format!("{}{}", run.stdout, run.stderr);
    let mut minted: Vec<&str> = output
        .match_indices("v-root-accessdb-")
        .map(|(at, _)| {
            let rest = &output[at..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect();
    minted.sort_unstable();
    minted.dedup();
    assert!(
        !minted.is_empty(),
        "the run names the user it minted\n{}",
        output
    );
    for user in minted {
        assert!(
            !seed.db.role_exists(user).unwrap(),
            "{user} is left in PostgreSQL"
        );
    }
}

#[test]
fn a_role_granting_select_on_the_jobs_tables_passes_the_privilege_check() {
    let seed = seed_with_tables(FIXED_CREATE, "[\"public.products\"]");
    let vault = fresh_vault();
    let run = seed
        .bootstrap_json(&vault)
        .exit(0)
        .hides(seed.db.password());
    let doc = run.json();
    let proof = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "database credentials")
        .cloned()
        .unwrap();
    assert!(
        proof["findings"]
            .to_string()
            .contains("may SELECT from public.products"),
        "{proof}"
    );
    no_user_left(&seed, &run);
}

#[test]
fn a_role_not_granting_select_is_a_finding_in_postgresqls_terms() {
    // postgresql's has_table_privilege(text, text): the session user's privilege; a SELECT
    // without it fails with aclcheck_error's "permission denied for table products".
    let seed = seed_with_tables(
        "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
        "[\"public.products\"]",
    );
    let vault = fresh_vault();
    let run = seed
        .bootstrap(&vault)
        .exit(3)
        .stderr_has("has_table_privilege('public.products', 'SELECT') is false")
        .stderr_has("permission denied for table products (SQLSTATE 42501)")
        .stderr_has("GRANT SELECT ON public.products TO \"{{name}}\";")
        .hides(seed.db.password());
    no_user_left(&seed, &run);
}

#[test]
fn a_table_postgresql_does_not_know_is_said_in_its_words() {
    let seed = seed_with_tables(FIXED_CREATE, "[\"public.products\", \"public.nope\"]");
    let vault = fresh_vault();
    let run = seed
        .bootstrap(&vault)
        .exit(3)
        .stderr_has("relation \"public.nope\" does not exist (SQLSTATE 42P01)")
        .hides(seed.db.password());
    no_user_left(&seed, &run);
}

/// A table in a schema the minted user may not use: PostgreSQL checks USAGE on the schema
/// while it looks the table up (namespace.c LookupExplicitNamespace), so the answer is about
/// the schema, and so is the remedy.
#[test]
fn a_table_in_a_schema_the_user_may_not_use_is_said_with_the_grant_it_needs() {
    let seed = seed_with_tables(FIXED_CREATE, "[\"app.items\"]");
    seed.db
        .execute("CREATE SCHEMA app; CREATE TABLE app.items (id int)")
        .unwrap();
    let vault = fresh_vault();
    let run = seed
        .bootstrap(&vault)
        .exit(3)
        .stderr_has("checking SELECT on app.items: ERROR: permission denied for schema app (SQLSTATE 42501)")
        .stderr_has("GRANT USAGE ON SCHEMA app TO \"{{name}}\";")
        .stderr_lacks("name an existing table")
        .hides(seed.db.password());
    no_user_left(&seed, &run);
}

#[test]
fn tables_that_are_not_a_list_of_names_are_refused_before_anything_is_sent() {
    for (tables, message) in [
        ("5", "a list of tables such as [\"public.products\"]"),
        ("[\"\"]", "tables has an empty name"),
    ] {
        let seed = seed_with_tables(FIXED_CREATE, tables);
        let vault = fresh_vault();
        seed.bootstrap(&vault).exit(1).stderr_has(message);
        assert!(vault.requests().is_empty(), "{tables}");
    }
}

// --- TTLs above the mount's max ---
// Vault takes a role with any TTLs (path_roles.go pathRoleCreateUpdate compares none with the
// mount) and caps each lease: sdk/framework/lease.go CalculateTTL, vault-api-engines.md §0.

/// Seed 001 with the role's max_ttl at `max_ttl`.
fn with_max_ttl(seed: &Seed001, max_ttl: &str) {
    seed.config_ttls("[\"accessdb\"]", &seed.db.templated_url(), "", "", max_ttl);
}

#[test]
fn a_ttl_above_the_system_max_is_caught_before_writing_on_a_fresh_vault() {
    let seed = Seed001::new(FIXED_CREATE);
    with_max_ttl(&seed, "1000h");
    let vault = fresh_vault();
    seed.bootstrap(&vault)
        .exit(3)
        .stderr_has("max_ttl 1000h0m0s is above Vault's default system max_lease_ttl (768h0m0s")
        .stderr_has("no lease of database/creds/accessdb outlives 768h0m0s: renewals stop 768h0m0s after issue, not 1000h0m0s")
        .stderr_lacks("TTL value is capped accordingly")
        .hides(seed.db.password());
    assert_eq!(crate::support::writes(&vault), Vec::<String>::new());
}

#[test]
fn a_ttl_above_the_mounts_tuned_max_is_caught_before_writing() {
    let seed = Seed001::new(FIXED_CREATE);
    let vault = fresh_vault();
    seed.bootstrap(&vault).exit(0);
    let http = Http::new(&vault.addr(), &vault.root_token().unwrap());
    let (status, _) = http.put("sys/mounts/database/tune", &json!({"max_lease_ttl": "2h"}));
    assert_eq!(status, 204);
    vault.clear_requests();
    seed.bootstrap(&vault)
        .exit(3)
        .stderr_has("max_ttl 24h0m0s is above the max_lease_ttl of the mount database/ (2h0m0s)")
        .stderr_has("renewals stop 2h0m0s after issue, not 24h0m0s")
        .stderr_has("vault secrets tune -max-lease-ttl=24h0m0s database/");
    assert_eq!(crate::support::writes(&vault), Vec::<String>::new());

    // Tuned below the role's default_ttl (1h) too: every lease is issued capped, with the
    // warning Vault's core gives, naming the default_ttl it capped.
    let (status, _) = http.put("sys/mounts/database/tune", &json!({"max_lease_ttl": "30m"}));
    assert_eq!(status, 204);
    vault.clear_requests();
    seed.bootstrap(&vault)
        .exit(3)
        .stderr_has("max_ttl 24h0m0s is above the max_lease_ttl of the mount database/ (30m0s)")
        .stderr_has("issues every lease of database/creds/accessdb at 30m0s, saying 'TTL of \"1h0m0s\" exceeded the effective max_ttl of \"30m0s\"; TTL value is capped accordingly'");
    assert_eq!(crate::support::writes(&vault), Vec::<String>::new());
}

#[test]
fn a_ttl_above_the_system_max_is_caught_before_mounting_on_an_initialised_vault() {
    let seed = Seed001::new(FIXED_CREATE);
    let vault = fresh_vault();
    seed.bootstrap(&vault).exit(0);
    let http = Http::new(&vault.addr(), &vault.root_token().unwrap());
    let (status, _) = http.delete("sys/mounts/database");
    assert_eq!(status, 204);
    with_max_ttl(&seed, "800h");
    vault.clear_requests();
    seed.bootstrap(&vault)
        .exit(3)
        .stderr_has("max_ttl 800h0m0s is above Vault's system max_lease_ttl (768h0m0s), which the new mount database/ gets");
    assert_eq!(crate::support::writes(&vault), Vec::<String>::new());
}
