//! vault-api-engines.md §3 and §7: the database secrets engine with
//! `postgresql-database-plugin`, against a real PostgreSQL (a throwaway cluster; each test has
//! its own database and superuser, see throwaway-postgres).
//!
//! Upstream, read for these tests: hashicorp/vault builtin/logical/database/
//! path_config_connection_ce.go (connectionWriteHandler, connectionReadHandler),
//! path_roles.go (pathRoleCreateUpdate, pathRoleRead), path_creds_create.go
//! (pathCredsCreateRead), path_rotate_credentials.go (rotateRootCredentials),
//! path_config_connection.go (pathConnectionReset), secret_creds.go (secretCredsRenew,
//! secretCredsRevoke), backend.go (DatabaseConfig, GetConnectionWithConfig);
//! plugins/database/postgresql/postgresql.go (Initialize, NewUser, changeUserExpiration,
//! changeUserPassword, customDeleteUser, defaultDeleteUser, containsMultilineStatement);
//! sdk/database/helper/connutil/sql.go (Init, applyPostgresSettings).

use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};
use throwaway_postgres::{Cluster, Tenant};
use vault_sandbox::{Sandbox, SandboxHandle};

use crate::common::{call, Answer};

const TOKEN: &str = "database-tests-root";
/// Seed 001's role, with the statement that creates the user first (the seed's one-line
/// GRANT alone fails on a real PostgreSQL) and table privileges the default revocation takes
/// back (the seed's `GRANT ALL ON SCHEMA` would block its DROP, see below).
const CREATE: &str = "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO \"{{name}}\";";

struct Engine {
    vault: SandboxHandle,
    db: Tenant,
}

impl Engine {
    /// A dev sandbox with `database/` mounted and a tenant of the shared cluster.
    fn new() -> Engine {
        let vault = Sandbox::builder().dev(TOKEN).start().unwrap();
        let db = Cluster::shared()
            .expect("throwaway PostgreSQL")
            .tenant()
            .unwrap();
        let engine = Engine { vault, db };
        assert_eq!(
            engine
                .req("POST", "sys/mounts/database", json!({"type": "database"}))
                .status,
            204
        );
        engine
    }

    fn req(&self, method: &str, path: &str, body: Value) -> Answer {
        let body = (!body.is_null()).then_some(body);
        call(&self.vault.addr(), method, path, Some(TOKEN), body)
    }

    /// The seed's connection (step 10), pointed at this test's database.
    fn seed_connection(&self) -> Value {
        json!({
            "plugin_name": "postgresql-database-plugin",
            "allowed_roles": "accessdb",
            "connection_url": self.db.templated_url(),
            "username": self.db.user(),
            "password": self.db.password(),
        })
    }

    fn configure(&self, body: Value) -> Answer {
        self.req("POST", "database/config/postgresql", body)
    }

    fn seed_role(&self, creation: &str) -> Answer {
        self.req(
            "POST",
            "database/roles/accessdb",
            json!({"db_name": "postgresql", "creation_statements": creation,
                   "default_ttl": "1h", "max_ttl": "24h"}),
        )
    }

    /// Connection and role as seed 001 writes them (with a creating statement).
    fn seeded(&self) {
        assert_eq!(self.configure(self.seed_connection()).status, 204);
        assert_eq!(self.seed_role(CREATE).status, 204);
    }

    fn creds(&self) -> Answer {
        self.req("GET", "database/creds/accessdb", Value::Null)
    }
}

fn data(answer: &Answer) -> Value {
    answer.json()["data"].clone()
}

// --- config (§3.1, §3.2) ---

#[test]
fn a_verified_connection_reads_back_without_its_password() {
    // path_config_connection_ce.go connectionWriteHandler / connectionReadHandler
    let e = Engine::new();
    assert_eq!(e.configure(e.seed_connection()).status, 204);
    let read = e.req("GET", "database/config/postgresql", Value::Null);
    assert_eq!(read.status, 200);
    assert_eq!(
        data(&read),
        json!({
            "allowed_roles": ["accessdb"],
            "connection_details": {"connection_url": e.db.templated_url(), "username": e.db.user()},
            "password_policy": "", "plugin_name": "postgresql-database-plugin", "plugin_version": "",
            "root_credentials_rotate_statements": [], "verify_connection": true,
            "skip_static_role_import_rotation": false, "rotation_schedule": "", "rotation_window": 0,
            "rotation_period": 0, "disable_automated_rotation": false
        })
    );
    assert!(!read.text.contains(e.db.password()));
    let list = e.req("LIST", "database/config", Value::Null);
    assert_eq!(data(&list)["keys"], json!(["postgresql"]));
    assert_eq!(
        e.req("GET", "database/config/other", Value::Null).status,
        404
    );
}

#[test]
fn a_literal_password_in_the_url_is_warned_about_and_redacted() {
    // connectionWriteHandler's url.Parse check; connectionReadHandler's url.Redacted()
    let e = Engine::new();
    let answer = e.configure(json!({
        "plugin_name": "postgresql-database-plugin", "connection_url": e.db.literal_url(),
    }));
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json()["warnings"],
        json!(["Password found in connection_url, use a templated url to enable root rotation and prevent read access to password information."])
    );
    let read = e.req("GET", "database/config/postgresql", Value::Null);
    assert_eq!(
        data(&read)["connection_details"]["connection_url"],
        json!(e.db.literal_url().replace(e.db.password(), "xxxxx"))
    );
    assert!(!read.text.contains(e.db.password()));
}

#[test]
fn config_refusals_come_in_vaults_order_and_store_nothing() {
    // connectionWriteHandler, then connutil/sql.go Init, then postgresql.go Initialize
    let e = Engine::new();
    let url = e.db.templated_url();
    let cases = [
        (json!({"connection_url": url}), "empty plugin name"),
        (
            json!({"plugin_name": "mysql-database-plugin", "connection_url": url}),
            "error creating database object: plugin not found in the catalog: mysql-database-plugin",
        ),
        (
            json!({"plugin_name": "postgresql-database-plugin"}),
            "error creating database object: connection_url cannot be empty",
        ),
        (
            json!({"plugin_name": "postgresql-database-plugin", "connection_url": url,
                   "username": "{{username}}", "password": "x"}),
            "error creating database object: username and/or password cannot contain the template variables",
        ),
        (
            json!({"plugin_name": "postgresql-database-plugin", "connection_url": url}),
            "error creating database object: must either provide username/password or set self-managed to 'true'",
        ),
        (
            json!({"plugin_name": "postgresql-database-plugin", "connection_url": url,
                   "username": "u", "password": "p", "password_authentication": "md5"}),
            "error creating database object: 'md5' is not a valid password authentication type",
        ),
    ];
    for (body, error) in cases {
        let answer = e.configure(body.clone());
        assert_eq!(
            (answer.status, answer.error()),
            (400, error.to_string()),
            "{body}"
        );
    }
    assert_eq!(
        e.req("GET", "database/config/postgresql", Value::Null)
            .status,
        404
    );
}

#[test]
fn an_unreachable_database_fails_the_write_in_the_drivers_words() {
    // connutil/sql.go Init: "error verifying connection: ping failed: " + pgconn's connectError
    let e = Engine::new();
    let port = throwaway_postgres::unused_port().unwrap();
    let url =
        e.db.templated_url()
            .replace(&e.db.port().to_string(), &port.to_string());
    let mut body = e.seed_connection();
    body["connection_url"] = json!(url);
    let answer = e.configure(body.clone());
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.error(),
        format!(
            "error creating database object: error verifying connection: ping failed: failed to connect to `host=127.0.0.1 user={} database={}`: dial error (dial tcp 127.0.0.1:{port}: connect: connection refused)",
            e.db.user(),
            e.db.database()
        )
    );
    assert_eq!(
        e.req("GET", "database/config/postgresql", Value::Null)
            .status,
        404
    );
    // verify_connection=false stores it without connecting.
    body["verify_connection"] = json!(false);
    assert_eq!(e.configure(body).status, 204);
    assert_eq!(
        data(&e.req("GET", "database/config/postgresql", Value::Null))["verify_connection"],
        json!(false)
    );
}

#[test]
fn a_wrong_password_fails_the_write_in_postgresqls_words_without_echoing_it() {
    // pgconn's "server error (FATAL: … (SQLSTATE 28P01))"; the sanitizer middleware
    let e = Engine::new();
    let mut body = e.seed_connection();
    body["password"] = json!("not-the-password");
    let answer = e.configure(body);
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.error(),
        format!(
            "error creating database object: error verifying connection: ping failed: failed to connect to `host=127.0.0.1 user={user} database={db}`: server error (FATAL: password authentication failed for user \"{user}\" (SQLSTATE 28P01))",
            user = e.db.user(),
            db = e.db.database()
        )
    );
    assert!(!answer.text.contains("not-the-password"));
}

#[test]
fn an_update_merges_details_and_keeps_what_it_does_not_send() {
    // connectionWriteHandler: on update, only sent keys change (ConnectionDetails merged)
    let e = Engine::new();
    e.seeded();
    let answer = e.configure(json!({"allowed_roles": ["access*", "other"]}));
    assert_eq!(answer.status, 204);
    let read = data(&e.req("GET", "database/config/postgresql", Value::Null));
    assert_eq!(read["allowed_roles"], json!(["access*", "other"]));
    assert_eq!(read["plugin_name"], json!("postgresql-database-plugin"));
    assert_eq!(read["connection_details"]["username"], json!(e.db.user()));
    // The stored password still works: a glob admits the role.
    assert_eq!(e.creds().status, 200);
}

// --- roles (§3.3) ---

#[test]
fn roles_read_back_with_all_four_lists() {
    // path_roles.go pathRoleCreateUpdate / pathRoleRead
    let e = Engine::new();
    assert_eq!(
        e.seed_role("GRANT ALL ON SCHEMA public TO \"{{name}}\";")
            .status,
        204
    );
    let read = e.req("GET", "database/roles/accessdb", Value::Null);
    assert_eq!(
        data(&read),
        json!({"db_name": "postgresql",
               "creation_statements": ["GRANT ALL ON SCHEMA public TO \"{{name}}\";"],
               "revocation_statements": [], "rollback_statements": [], "renew_statements": [],
               "default_ttl": 3600, "max_ttl": 86400, "credential_type": "password"})
    );
    // An update keeps what it does not send.
    let answer = e.req(
        "POST",
        "database/roles/accessdb",
        json!({"revocation_statements": ["DROP ROLE \"{{name}}\";", ""]}),
    );
    assert_eq!(answer.status, 204);
    let read = data(&e.req("GET", "database/roles/accessdb", Value::Null));
    assert_eq!(
        read["revocation_statements"],
        json!(["DROP ROLE \"{{name}}\";"])
    );
    assert_eq!(read["default_ttl"], json!(3600));
    assert_eq!(
        data(&e.req("LIST", "database/roles", Value::Null))["keys"],
        json!(["accessdb"])
    );
    assert_eq!(
        e.req("DELETE", "database/roles/accessdb", Value::Null)
            .status,
        204
    );
    assert_eq!(
        e.req("GET", "database/roles/accessdb", Value::Null).status,
        404
    );
}

#[test]
fn role_refusals_say_what_vault_says() {
    let e = Engine::new();
    let answer = e.req(
        "POST",
        "database/roles/r",
        json!({"creation_statements": "x"}),
    );
    assert_eq!(
        (answer.status, answer.error()),
        (400, "database name is required".into())
    );
    let answer = e.req(
        "POST",
        "database/roles/r",
        json!({"db_name": "postgresql", "credential_type": "token"}),
    );
    assert_eq!(
        (answer.status, answer.error()),
        (400, "invalid credential_type \"token\"".into())
    );
}

// --- creds (§3.4) and leases (§4) ---

#[test]
fn creds_make_a_user_that_logs_in_with_a_leased_answer() {
    // path_creds_create.go pathCredsCreateRead; postgresql.go NewUser; §0 leased response
    let e = Engine::new();
    e.seeded();
    let answer = e.creds();
    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = answer.json();
    let lease_id = body["lease_id"].as_str().unwrap();
    let suffix = lease_id.strip_prefix("database/creds/accessdb/").unwrap();
    assert_eq!(suffix.len(), 24);
    assert_eq!(body["renewable"], json!(true));
    assert_eq!(body["lease_duration"], json!(3600));
    assert_eq!(body["mount_type"], json!("database"));
    let username = body["data"]["username"].as_str().unwrap();
    let password = body["data"]["password"].as_str().unwrap();
    assert!(username.starts_with("v-root-accessdb-"), "{username}");
    assert!(username.len() <= 63);
    assert_eq!(password.len(), 20);
    e.db.login(username, password).unwrap();
    // VALID UNTIL is the lease's end plus Vault's 5 s buffer.
    assert!(e.db.valid_until(username).unwrap().is_some());
}

#[test]
fn creds_refusals_come_in_vaults_order_with_its_statuses() {
    // pathCredsCreateRead: unknown role (400), missing connection (500), not allowed (500),
    // empty creation statements (500), SQL error (500, the transaction rolled back)
    let e = Engine::new();
    let answer = e.creds();
    assert_eq!(
        (answer.status, answer.error()),
        (400, "unknown role: accessdb".into())
    );

    assert_eq!(e.seed_role(CREATE).status, 204);
    let answer = e.creds();
    assert_eq!(answer.status, 500);
    assert_eq!(
        answer.error(),
        "1 error occurred:\n\t* failed to find entry for connection with name: \"postgresql\"\n\n"
    );

    let mut connection = e.seed_connection();
    connection["allowed_roles"] = json!("other");
    assert_eq!(e.configure(connection).status, 204);
    let answer = e.creds();
    assert_eq!(answer.status, 500);
    assert!(answer
        .error()
        .contains("\"accessdb\" is not an allowed role"));

    assert_eq!(e.configure(json!({"allowed_roles": "*"})).status, 204);
    assert_eq!(e.seed_role("").status, 204);
    let answer = e.creds();
    assert_eq!(answer.status, 500);
    assert!(answer.error().contains("empty creation statements"));

    // Seed 001's own statement: the role it grants to was never created.
    assert_eq!(
        e.seed_role("GRANT ALL ON SCHEMA public TO \"{{name}}\";")
            .status,
        204
    );
    let answer = e.creds();
    assert_eq!(answer.status, 500);
    let error = answer.error();
    assert!(
        error.starts_with(
            "1 error occurred:\n\t* failed to execute query: ERROR: role \"v-root-accessdb-"
        ),
        "{error}"
    );
    assert!(
        error.ends_with("\" does not exist (SQLSTATE 42704)\n\n"),
        "{error}"
    );
}

#[test]
fn a_failing_statement_rolls_the_whole_transaction_back() {
    // NewUser runs every statement in one transaction
    let e = Engine::new();
    assert_eq!(e.configure(e.seed_connection()).status, 204);
    assert_eq!(
        e.seed_role("CREATE ROLE \"{{name}}\" LOGIN; CREATE ROLE \"rollback-marker-{{name}}\"; SELECT no_such_function();")
            .status,
        204
    );
    let answer = e.creds();
    assert_eq!(answer.status, 500);
    let count: i64 =
        e.db.client()
            .unwrap()
            .query_one(
                "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'rollback-marker-%'",
                &[],
            )
            .unwrap()
            .get(0);
    assert_eq!(count, 0);
}

#[test]
fn a_do_block_ending_in_end_runs_whole() {
    // postgresql.go containsMultilineStatement: a statement with END is not split on ';'
    let e = Engine::new();
    assert_eq!(e.configure(e.seed_connection()).status, 204);
    let block = "DO $$ BEGIN CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}'; GRANT USAGE ON SCHEMA public TO \"{{name}}\"; END $$;";
    assert_eq!(e.seed_role(block).status, 204);
    let answer = e.creds();
    assert_eq!(answer.status, 200, "{}", answer.text);
    let d = data(&answer);
    e.db.login(
        d["username"].as_str().unwrap(),
        d["password"].as_str().unwrap(),
    )
    .unwrap();
}

fn lease_of(answer: &Answer) -> (String, String, String) {
    let body = answer.json();
    (
        body["lease_id"].as_str().unwrap().to_string(),
        body["data"]["username"].as_str().unwrap().to_string(),
        body["data"]["password"].as_str().unwrap().to_string(),
    )
}

#[test]
fn revoking_the_lease_drops_the_user_with_the_default_sequence() {
    // secret_creds.go secretCredsRevoke → postgresql.go defaultDeleteUser
    let e = Engine::new();
    e.seeded();
    let (lease, username, password) = lease_of(&e.creds());
    assert!(e.db.role_exists(&username).unwrap());
    let answer = e.req("PUT", "sys/leases/revoke", json!({"lease_id": lease}));
    assert_eq!(answer.status, 204, "{}", answer.text);
    assert!(!e.db.role_exists(&username).unwrap());
    assert!(e.db.login(&username, &password).is_err());
    let lookup = e.req("PUT", "sys/leases/lookup", json!({"lease_id": lease}));
    assert_eq!(
        (lookup.status, lookup.error()),
        (400, "invalid lease".into())
    );
}

#[test]
fn the_seeds_grant_all_on_schema_makes_the_default_drop_fail_and_the_lease_stay() {
    // defaultDeleteUser revokes USAGE on public, not CREATE: the DROP then fails on a real
    // PostgreSQL and the lease stays (expiration.go revokeCommon).
    let e = Engine::new();
    assert_eq!(e.configure(e.seed_connection()).status, 204);
    let granting = "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}'; GRANT ALL ON SCHEMA public TO \"{{name}}\";";
    assert_eq!(e.seed_role(granting).status, 204);
    let (lease, username, _) = lease_of(&e.creds());
    let answer = e.req("PUT", "sys/leases/revoke", json!({"lease_id": lease}));
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.error(),
        format!("failed to revoke entry: resp: (*logical.Response)(nil) err: ERROR: role \"{username}\" cannot be dropped because some objects depend on it (SQLSTATE 2BP01)")
    );
    assert!(e.db.role_exists(&username).unwrap());
    assert_eq!(
        e.req("PUT", "sys/leases/lookup", json!({"lease_id": lease}))
            .status,
        200
    );
}

#[test]
fn revocation_statements_run_in_place_of_the_default() {
    // postgresql.go customDeleteUser: the role's statements, in one transaction
    let e = Engine::new();
    e.seeded();
    let answer = e.req(
        "POST",
        "database/roles/accessdb",
        json!({"revocation_statements": "ALTER ROLE \"{{name}}\" NOLOGIN;"}),
    );
    assert_eq!(answer.status, 204);
    let (lease, username, password) = lease_of(&e.creds());
    assert_eq!(
        e.req("PUT", "sys/leases/revoke", json!({"lease_id": lease}))
            .status,
        204
    );
    assert!(
        e.db.role_exists(&username).unwrap(),
        "kept by the statement"
    );
    let refused = e.db.login(&username, &password).unwrap_err().to_string();
    assert!(refused.contains("is not permitted to log in"), "{refused}");
}

#[test]
fn a_failed_revocation_keeps_the_lease_and_says_why() {
    // secretCredsRevoke error → expiration.go: 400 "failed to revoke entry: …"
    let e = Engine::new();
    e.seeded();
    let answer = e.req(
        "POST",
        "database/roles/accessdb",
        json!({"revocation_statements": "SELECT no_such_function();"}),
    );
    assert_eq!(answer.status, 204);
    let (lease, username, _) = lease_of(&e.creds());
    let answer = e.req("PUT", "sys/leases/revoke", json!({"lease_id": lease}));
    assert_eq!(answer.status, 400);
    assert!(
        answer.error().starts_with(
            "failed to revoke entry: resp: (*logical.Response)(nil) err: ERROR: function no_such_function() does not exist (SQLSTATE 42883)"
        ),
        "{}",
        answer.error()
    );
    assert!(e.db.role_exists(&username).unwrap());
    assert_eq!(
        e.req("PUT", "sys/leases/lookup", json!({"lease_id": lease}))
            .status,
        200
    );
}

#[test]
fn renewing_moves_valid_until_with_the_default_statement() {
    // secretCredsRenew → postgresql.go changeUserExpiration (ALTER ROLE … VALID UNTIL)
    let e = Engine::new();
    e.seeded();
    let (lease, username, _) = lease_of(&e.creds());
    let before = e.db.valid_until(&username).unwrap().unwrap();
    e.vault.advance_clock(Duration::from_secs(1800));
    let answer = e.req(
        "PUT",
        "sys/leases/renew",
        json!({"lease_id": lease, "increment": "2h"}),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json()["lease_duration"], json!(7200));
    let after = e.db.valid_until(&username).unwrap().unwrap();
    assert!(after > before, "{before} → {after}");
}

#[test]
fn rotate_root_changes_the_password_vault_uses_and_nobody_else_knows() {
    // path_rotate_credentials.go rotateRootCredentials → postgresql.go changeUserPassword
    let e = Engine::new();
    e.seeded();
    let answer = e.req("POST", "database/rotate-root/postgresql", Value::Null);
    assert_eq!(answer.status, 204, "{}", answer.text);
    let refused =
        e.db.login(e.db.user(), e.db.password())
            .unwrap_err()
            .to_string();
    assert!(
        refused.contains("password authentication failed"),
        "{refused}"
    );
    // Vault still connects, with the password only it knows.
    let (_, username, password) = lease_of(&e.creds());
    e.db.login(&username, &password).unwrap();
    let read = e.req("GET", "database/config/postgresql", Value::Null);
    assert!(data(&read)["connection_details"].get("password").is_none());
}

#[test]
fn rotate_root_refusals_are_500s() {
    let e = Engine::new();
    let answer = e.req("POST", "database/rotate-root/postgresql", Value::Null);
    assert_eq!(answer.status, 500);
    assert!(answer
        .error()
        .contains("failed to find entry for connection with name: \"postgresql\""));
    assert_eq!(
        e.configure(json!({"plugin_name": "postgresql-database-plugin",
                           "connection_url": e.db.literal_url(), "verify_connection": false}))
            .status,
        200
    );
    let answer = e.req("POST", "database/rotate-root/postgresql", Value::Null);
    assert_eq!(
        (answer.status, answer.error()),
        (
            500,
            "1 error occurred:\n\t* unable to rotate root credentials: no username in configuration\n\n"
                .into()
        )
    );
    assert_eq!(e.configure(json!({"username": e.db.user()})).status, 200);
    let answer = e.req("POST", "database/rotate-root/postgresql", Value::Null);
    assert_eq!(answer.status, 500);
    assert!(answer.error().contains(
        "unable to rotate root credentials: both private_key and password fields are missing from the configuration"
    ));
}

#[test]
fn reset_reconnects_and_a_gone_database_is_a_500() {
    // path_config_connection.go pathConnectionReset → GetConnection (verify always on)
    let e = Engine::new();
    e.seeded();
    assert_eq!(
        e.req("POST", "database/reset/postgresql", Value::Null)
            .status,
        204
    );
    let port = throwaway_postgres::unused_port().unwrap();
    let mut body = e.seed_connection();
    body["connection_url"] = json!(e
        .db
        .templated_url()
        .replace(&e.db.port().to_string(), &port.to_string()));
    body["verify_connection"] = json!(false);
    assert_eq!(e.configure(body).status, 204);
    let answer = e.req("POST", "database/reset/postgresql", Value::Null);
    assert_eq!(answer.status, 500);
    assert!(
        answer
            .error()
            .contains("error verifying connection: ping failed: failed to connect to")
            && answer.error().contains("connection refused"),
        "{}",
        answer.error()
    );
    // Without an instance, creds fail with the same connection check.
    let answer = e.creds();
    assert_eq!(answer.status, 500);
    assert!(answer
        .error()
        .contains("error verifying connection: ping failed"));
}

#[test]
fn postgresql_round_trips_run_without_the_state_lock() {
    // A creation statement waits on an advisory lock this test holds: while it waits, the
    // node answers other requests; released, the creds request completes.
    let e = Engine::new();
    assert_eq!(e.configure(e.seed_connection()).status, 204);
    assert_eq!(
        e.seed_role(&format!("SELECT pg_advisory_xact_lock(4242); {CREATE}"))
            .status,
        204
    );
    let mut holder = e.db.client().unwrap();
    let mut tx = holder.transaction().unwrap();
    tx.execute("SELECT pg_advisory_xact_lock(4242)", &[])
        .unwrap();
    let (done, finished) = mpsc::channel();
    let addr = e.vault.addr();
    std::thread::spawn(move || {
        let answer = call(&addr, "GET", "database/creds/accessdb", Some(TOKEN), None);
        let _ = done.send(answer.status);
    });
    // Wait (bounded) until the creds request is blocked inside PostgreSQL on the lock.
    let waiting = |db: &Tenant| -> i64 {
        db.client()
            .unwrap()
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
                &[],
            )
            .unwrap()
            .get(0)
    };
    let mut blocked = false;
    for _ in 0..600 {
        if waiting(&e.db) > 0 {
            blocked = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(blocked, "the creds request never reached PostgreSQL");
    // While it waits there, the node answers.
    let read = e.req("GET", "database/roles/accessdb", Value::Null);
    assert_eq!(read.status, 200);
    assert!(
        finished.try_recv().is_err(),
        "creds did not wait on the lock"
    );
    tx.rollback().unwrap();
    assert_eq!(finished.recv_timeout(Duration::from_secs(60)).unwrap(), 200);
}

#[test]
fn wrong_verbs_and_paths_inside_the_mount() {
    let e = Engine::new();
    let answer = e.req("POST", "database/creds/accessdb", json!({}));
    assert_eq!(answer.status, 405);
    let answer = e.req("GET", "database/nope/x", Value::Null);
    assert_eq!(
        (answer.status, answer.error()),
        (404, "unsupported path".into())
    );
}
