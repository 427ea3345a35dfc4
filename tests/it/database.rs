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
    // The engine really reaches the database: a role's credentials log in.
    let (status, _) = vault.put(
        "database/roles/accessdb",
        &json!({"db_name": "postgresql", "default_ttl": "1h",
                "creation_statements": "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';"}),
    );
    assert_eq!(status, 204);
    let (status, creds) = vault.get("database/creds/accessdb");
    assert_eq!(status, 200, "{creds}");
    db.login(
        creds["data"]["username"].as_str().unwrap(),
        creds["data"]["password"].as_str().unwrap(),
    )
    .unwrap();
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
