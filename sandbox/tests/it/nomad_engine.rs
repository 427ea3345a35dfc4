//! vault-api-engines.md §5–§6: Vault's Nomad secrets engine against a Nomad sandbox over
//! HTTP — config/access (token never read back, bootstrap without a token), config/lease,
//! role/:name, creds/:name minting Nomad tokens, renew without Nomad, revoke deleting them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use nomad_sandbox::{Fault, NomadSandbox, NomadSandboxHandle};
use serde_json::{json, Value};
use vault_sandbox::{Sandbox, SandboxHandle};

use crate::common::call;

fn vault() -> (SandboxHandle, String) {
    let vault = Sandbox::builder().dev_default().start().unwrap();
    let root = vault.root_token().unwrap();
    let mounted = call(
        &vault.addr(),
        "POST",
        "sys/mounts/nomad",
        Some(&root),
        Some(json!({"type": "nomad"})),
    );
    assert_eq!(mounted.status, 204, "{}", mounted.text);
    (vault, root)
}

/// Vault with the nomad engine pointed at a bootstrapped Nomad sandbox, lease 1h/24h, and
/// seed 004's `deployer` role.
fn wired() -> (SandboxHandle, String, NomadSandboxHandle) {
    let (vault, root) = vault();
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let access = json!({"address": nomad.addr(), "token": nomad.management_token().unwrap()});
    assert_eq!(
        call(
            &vault.addr(),
            "POST",
            "nomad/config/access",
            Some(&root),
            Some(access)
        )
        .status,
        204
    );
    let lease = json!({"ttl": "1h", "max_ttl": "24h"});
    assert_eq!(
        call(
            &vault.addr(),
            "POST",
            "nomad/config/lease",
            Some(&root),
            Some(lease)
        )
        .status,
        204
    );
    let role = json!({"policies": "deploy"});
    assert_eq!(
        call(
            &vault.addr(),
            "POST",
            "nomad/role/deployer",
            Some(&root),
            Some(role)
        )
        .status,
        204
    );
    (vault, root, nomad)
}

/// path_config_access.go:pathConfigAccessRead/Write — token and client_key never read back;
/// max_token_name_length overwritten on every write; no check of address or token.
#[test]
fn config_access_is_written_and_read_without_secrets() {
    let (vault, root) = vault();
    let addr = vault.addr();
    assert_eq!(
        call(&addr, "GET", "nomad/config/access", Some(&root), None).status,
        404
    );
    let body = json!({"address": "http://127.0.0.1:1", "token": "not-even-a-uuid", "max_token_name_length": 64, "client_key": "KEY"});
    assert_eq!(
        call(&addr, "PUT", "nomad/config/access", Some(&root), Some(body)).status,
        204
    );
    let read = call(&addr, "GET", "nomad/config/access", Some(&root), None);
    assert_eq!(
        read.json()["data"],
        json!({"address": "http://127.0.0.1:1", "max_token_name_length": 64, "ca_cert": "", "client_cert": ""})
    );
    assert!(!read.text.contains("not-even-a-uuid") && !read.text.contains("KEY"));
    assert_eq!(read.json()["mount_type"], "nomad");
    // A write without max_token_name_length resets it; the address is kept.
    call(
        &addr,
        "PUT",
        "nomad/config/access",
        Some(&root),
        Some(json!({"ca_cert": ""})),
    );
    let read = call(&addr, "GET", "nomad/config/access", Some(&root), None).json();
    assert_eq!(
        (
            read["data"]["max_token_name_length"].as_i64(),
            read["data"]["address"].as_str()
        ),
        (Some(0), Some("http://127.0.0.1:1"))
    );
    assert_eq!(
        call(&addr, "DELETE", "nomad/config/access", Some(&root), None).status,
        204
    );
    assert_eq!(
        call(&addr, "GET", "nomad/config/access", Some(&root), None).status,
        404
    );
}

/// path_config_access.go:pathConfigAccessWrite — no token: Vault bootstraps Nomad's ACLs and
/// keeps the secret; a second time Nomad refuses and Vault answers its 400.
#[test]
fn config_access_without_a_token_bootstraps_nomad() {
    let (vault, root) = vault();
    let nomad = NomadSandbox::builder().start().unwrap();
    let addr = vault.addr();
    let body = json!({"address": nomad.addr()});
    let w = call(
        &addr,
        "PUT",
        "nomad/config/access",
        Some(&root),
        Some(body.clone()),
    );
    assert_eq!(w.status, 204, "{}", w.text);
    let boot = nomad
        .requests()
        .into_iter()
        .find(|r| r.path == "/v1/acl/bootstrap")
        .unwrap();
    assert_eq!(
        (
            boot.method.as_str(),
            boot.header("x-nomad-token"),
            boot.body.as_str()
        ),
        ("PUT", None, "")
    );
    // The stored token is the bootstrap token: creds work with it.
    call(
        &addr,
        "PUT",
        "nomad/role/admin",
        Some(&root),
        Some(json!({"type": "management"})),
    );
    let creds = call(&addr, "GET", "nomad/creds/admin", Some(&root), None);
    assert_eq!(creds.status, 200, "{}", creds.text);
    let minted = nomad
        .requests()
        .into_iter()
        .find(|r| r.path == "/v1/acl/token")
        .unwrap();
    assert_eq!(
        minted.header("x-nomad-token").map(String::from),
        nomad.management_token()
    );

    // Nomad is bootstrapped now; Vault tries again on a fresh mount and gets the 400.
    call(
        &addr,
        "POST",
        "sys/mounts/nomad2",
        Some(&root),
        Some(json!({"type": "nomad"})),
    );
    let again = call(
        &addr,
        "PUT",
        "nomad2/config/access",
        Some(&root),
        Some(body),
    );
    assert_eq!(
        (again.status, again.error()),
        (
            400,
            "Token not provided and failed to bootstrap ACLs".to_string()
        )
    );
    assert_eq!(
        call(&addr, "GET", "nomad2/config/access", Some(&root), None).status,
        404,
        "nothing stored"
    );
    let bad_tls = json!({"address": nomad.addr(), "ca_cert": "not a pem"});
    let failed = call(
        &addr,
        "PUT",
        "nomad2/config/access",
        Some(&root),
        Some(bad_tls),
    );
    assert_eq!(
        (failed.status, failed.error()),
        (
            400,
            "Token not provided and failed to construct client".to_string()
        )
    );
}

/// path_config_lease.go — durations as seconds or Go strings, both always overwritten.
#[test]
fn config_lease_round_trips_in_seconds() {
    let (vault, root) = vault();
    let addr = vault.addr();
    assert_eq!(
        call(&addr, "GET", "nomad/config/lease", Some(&root), None).status,
        404
    );
    call(
        &addr,
        "PUT",
        "nomad/config/lease",
        Some(&root),
        Some(json!({"ttl": 3600, "max_ttl": "24h"})),
    );
    assert_eq!(
        call(&addr, "GET", "nomad/config/lease", Some(&root), None).json()["data"],
        json!({"ttl": 3600, "max_ttl": 86400})
    );
    call(
        &addr,
        "PUT",
        "nomad/config/lease",
        Some(&root),
        Some(json!({"ttl": "30m"})),
    );
    assert_eq!(
        call(&addr, "GET", "nomad/config/lease", Some(&root), None).json()["data"],
        json!({"ttl": 1800, "max_ttl": 0})
    );
    let bad = call(
        &addr,
        "PUT",
        "nomad/config/lease",
        Some(&root),
        Some(json!({"ttl": "soon"})),
    );
    assert_eq!(bad.status, 400);
    assert!(
        bad.error()
            .contains("error converting input for field \"ttl\""),
        "{}",
        bad.text
    );
}

/// path_roles.go:pathRolesWrite — type reset to client when omitted, policies and global
/// kept; the three 400s in Vault's order; `roles/` is not a path (§5.3).
#[test]
fn roles_follow_vaults_rules() {
    let (vault, root) = vault();
    let addr = vault.addr();
    let put = |path: &str, body: Value| call(&addr, "PUT", path, Some(&root), Some(body));
    assert_eq!(
        put(
            "nomad/role/deployer",
            json!({"policies": " deploy , read-logs ,deploy", "global": true})
        )
        .status,
        204
    );
    let role = call(&addr, "GET", "nomad/role/deployer", Some(&root), None).json()["data"].clone();
    assert_eq!(
        role,
        json!({"type": "client", "global": true, "policies": ["deploy", "read-logs", "deploy"]})
    );
    // Making it management fails while it still has policies.
    let r = put("nomad/role/deployer", json!({"type": "management"}));
    assert_eq!(
        (r.status, r.error()),
        (
            400,
            "policies should be empty when using management tokens".to_string()
        )
    );
    assert_eq!(
        put(
            "nomad/role/deployer",
            json!({"policies": [], "type": "management"})
        )
        .status,
        204
    );
    // An update omitting type resets it to client, which now has no policies.
    let r = put("nomad/role/deployer", json!({"global": false}));
    assert_eq!(
        (r.status, r.error()),
        (
            400,
            "policies cannot be empty when using client tokens".to_string()
        )
    );
    let r = put("nomad/role/x", json!({"policies": "a", "type": "admin"}));
    assert_eq!(
        (r.status, r.error()),
        (400, "type must be \"client\" or \"management\"".to_string())
    );
    let admin = put("nomad/role/nomad-admin", json!({"type": "management"}));
    assert_eq!(admin.status, 204);
    assert_eq!(
        call(&addr, "GET", "nomad/role/nomad-admin", Some(&root), None).json()["data"]["policies"],
        Value::Null
    );
    // Seed 004's path.
    let seed = put("nomad/roles/deployer", json!({"policies": "deploy"}));
    assert_eq!(
        (seed.status, seed.error()),
        (404, "unsupported path".to_string())
    );
    assert_eq!(
        call(&addr, "LIST", "nomad/role", Some(&root), None).json()["data"]["keys"],
        json!(["deployer", "nomad-admin"])
    );
    assert_eq!(
        call(&addr, "DELETE", "nomad/role/deployer", Some(&root), None).status,
        204
    );
    assert_eq!(
        call(&addr, "DELETE", "nomad/role/never", Some(&root), None).status,
        204
    );
    assert_eq!(
        call(&addr, "GET", "nomad/role/deployer", Some(&root), None).status,
        404
    );
}

/// path_creds_create.go:pathTokenRead + §6 Create: the token Nomad receives and the lease
/// Vault answers; secret_token.go revoke deletes it on Nomad.
#[test]
fn creds_mint_a_nomad_token_and_revoking_deletes_it() {
    let (vault, root, nomad) = wired();
    let addr = vault.addr();
    let creds = call(&addr, "GET", "nomad/creds/deployer", Some(&root), None);
    assert_eq!(creds.status, 200, "{}", creds.text);
    let body = creds.json();
    let lease_id = body["lease_id"].as_str().unwrap().to_string();
    assert!(
        lease_id.starts_with("nomad/creds/deployer/")
            && lease_id.len() == "nomad/creds/deployer/".len() + 24
    );
    assert_eq!(
        (body["lease_duration"].as_u64(), body["renewable"].as_bool()),
        (Some(3600), Some(true))
    );
    assert_eq!(body["mount_type"], "nomad");
    let accessor = body["data"]["accessor_id"].as_str().unwrap().to_string();
    let secret = body["data"]["secret_id"].as_str().unwrap();

    let token = nomad.token(&accessor).expect("Nomad holds the token");
    assert_eq!(token["SecretID"], secret);
    assert_eq!(
        (
            token["Type"].as_str(),
            token["Policies"].clone(),
            token["Global"].as_bool()
        ),
        (Some("client"), json!(["deploy"]), Some(false))
    );
    let name = token["Name"].as_str().unwrap();
    let nanos = name.strip_prefix("vault-deployer-root-").expect(name);
    assert!(
        nanos.len() >= 18 && nanos.chars().all(|c| c.is_ascii_digit()),
        "{name}"
    );
    let sent: Value = serde_json::from_str(
        &nomad
            .requests()
            .into_iter()
            .find(|r| r.path == "/v1/acl/token")
            .unwrap()
            .body,
    )
    .unwrap();
    assert_eq!(
        (
            sent["AccessorID"].as_str(),
            sent["CreateTime"].as_str(),
            sent["Roles"].clone()
        ),
        (Some(""), Some("0001-01-01T00:00:00Z"), Value::Null)
    );

    let revoke = call(
        &addr,
        "PUT",
        "sys/leases/revoke",
        Some(&root),
        Some(json!({"lease_id": lease_id})),
    );
    assert_eq!(revoke.status, 204, "{}", revoke.text);
    assert!(!nomad.token_exists(&accessor));
    let deleted = nomad
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "DELETE")
        .unwrap();
    assert_eq!(deleted.path, format!("/v1/acl/token/{accessor}"));
}

/// secret_token.go:secretTokenRevoke — a token deleted out of band makes the revoke fail with
/// Nomad's 400 inside Vault's 400, and the lease stays (§5.5).
#[test]
fn revoking_a_token_nomad_no_longer_has_fails_and_keeps_the_lease() {
    let (vault, root, nomad) = wired();
    let addr = vault.addr();
    let body = call(&addr, "GET", "nomad/creds/deployer", Some(&root), None).json();
    let lease_id = body["lease_id"].as_str().unwrap().to_string();
    let accessor = body["data"]["accessor_id"].as_str().unwrap().to_string();
    let gone = reqwest::blocking::Client::new()
        .delete(format!("{}/v1/acl/token/{accessor}", nomad.addr()))
        .header("X-Nomad-Token", nomad.management_token().unwrap())
        .send()
        .unwrap();
    assert_eq!(gone.status().as_u16(), 200);
    let revoke = call(
        &addr,
        "PUT",
        "sys/leases/revoke",
        Some(&root),
        Some(json!({"lease_id": lease_id})),
    );
    assert_eq!(
        (revoke.status, revoke.error()),
        (400, format!("failed to revoke entry: resp: (*logical.Response)(nil) err: Unexpected response code: 400 (Cannot delete nonexistent tokens: {accessor})"))
    );
    let lookup = call(
        &addr,
        "PUT",
        "sys/leases/lookup",
        Some(&root),
        Some(json!({"lease_id": lease_id})),
    );
    assert_eq!(lookup.status, 200, "the lease is still there");
}

/// secret_token.go:secretTokenRenew — config/lease's TTL, no call to Nomad.
#[test]
fn renewing_never_calls_nomad() {
    let (vault, root, nomad) = wired();
    let addr = vault.addr();
    let lease_id = call(&addr, "GET", "nomad/creds/deployer", Some(&root), None).json()["lease_id"]
        .as_str()
        .unwrap()
        .to_string();
    call(
        &addr,
        "PUT",
        "nomad/config/lease",
        Some(&root),
        Some(json!({"ttl": "2h", "max_ttl": "24h"})),
    );
    let before = nomad.requests().len();
    let renew = call(
        &addr,
        "PUT",
        "sys/leases/renew",
        Some(&root),
        Some(json!({"lease_id": lease_id})),
    );
    assert_eq!(renew.status, 200, "{}", renew.text);
    assert_eq!(renew.json()["lease_duration"], 7200);
    assert_eq!(nomad.requests().len(), before);
}

/// §5.4: Nomad's errors become Vault 500s quoting Nomad's status and plain-text body.
#[test]
fn nomad_errors_are_wrapped_in_vaults_500() {
    let (vault, root, nomad) = wired();
    let addr = vault.addr();
    let missing = call(&addr, "GET", "nomad/creds/nope", Some(&root), None);
    assert_eq!(
        (missing.status, missing.error()),
        (400, "role \"nope\" not found".to_string())
    );

    // A token without management rights (seed 004: "Permission denied").
    nomad
        .put_policy("deploy", "namespace \"default\" { policy = \"write\" }")
        .unwrap();
    let (_, client) = nomad.create_token("ci", "client", &["deploy"]).unwrap();
    call(
        &addr,
        "PUT",
        "nomad/config/access",
        Some(&root),
        Some(json!({"token": client})),
    );
    let denied = call(&addr, "GET", "nomad/creds/deployer", Some(&root), None);
    assert_eq!(
        (denied.status, denied.error()),
        (
            500,
            "1 error occurred:\n\t* Unexpected response code: 403 (Permission denied)\n\n"
                .to_string()
        )
    );

    // ACLs disabled (seed 004: "ACL support disabled").
    let off = NomadSandbox::builder().acl_enabled(false).start().unwrap();
    call(
        &addr,
        "PUT",
        "nomad/config/access",
        Some(&root),
        Some(json!({"address": off.addr()})),
    );
    let disabled = call(&addr, "GET", "nomad/creds/deployer", Some(&root), None);
    assert_eq!(
        disabled.error(),
        "1 error occurred:\n\t* Unexpected response code: 400 (ACL support disabled)\n\n"
    );

    // Nobody listening.
    call(
        &addr,
        "PUT",
        "nomad/config/access",
        Some(&root),
        Some(json!({"address": "http://127.0.0.1:1"})),
    );
    let refused = call(&addr, "GET", "nomad/creds/deployer", Some(&root), None);
    assert_eq!(refused.status, 500);
    assert!(refused.error().contains("Put \"http://127.0.0.1:1/v1/acl/token\": dial tcp 127.0.0.1:1: connect: connection refused"), "{}", refused.text);
    assert!(
        vault.with_state(|s| s.leases.is_empty()),
        "no lease for a token never made"
    );
}

/// path_creds_create.go — the name is cut to max_token_name_length; a management role sends
/// `Policies: null` and a global role `Global: true`.
#[test]
fn token_names_are_truncated_and_management_roles_send_no_policies() {
    let (vault, root, nomad) = wired();
    let addr = vault.addr();
    call(
        &addr,
        "PUT",
        "nomad/config/access",
        Some(&root),
        Some(json!({"max_token_name_length": 10})),
    );
    call(
        &addr,
        "PUT",
        "nomad/role/admin",
        Some(&root),
        Some(json!({"type": "management", "global": true})),
    );
    let accessor = call(&addr, "GET", "nomad/creds/admin", Some(&root), None).json()["data"]
        ["accessor_id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = nomad.token(&accessor).unwrap();
    assert_eq!(
        (
            token["Name"].as_str(),
            token["Type"].as_str(),
            token["Global"].as_bool()
        ),
        (Some("vault-admi"), Some("management"), Some(true))
    );
    assert_eq!(token["Policies"], Value::Null);
}

/// A Nomad-side fault on the delete keeps the lease; once Nomad recovers, the revoke works.
#[test]
fn a_failing_nomad_keeps_the_lease_until_it_recovers() {
    let (vault, root, nomad) = wired();
    let addr = vault.addr();
    let lease_id = call(&addr, "GET", "nomad/creds/deployer", Some(&root), None).json()["lease_id"]
        .as_str()
        .unwrap()
        .to_string();
    nomad.set_fault(Fault::respond_on_path(
        "DELETE",
        "/v1/acl/token/",
        500,
        "No cluster leader",
    ));
    let failed = call(
        &addr,
        "PUT",
        "sys/leases/revoke",
        Some(&root),
        Some(json!({"lease_id": lease_id})),
    );
    assert!(
        failed
            .error()
            .ends_with("Unexpected response code: 500 (No cluster leader)"),
        "{}",
        failed.text
    );
    nomad.clear_faults();
    assert_eq!(
        call(
            &addr,
            "PUT",
            "sys/leases/revoke",
            Some(&root),
            Some(json!({"lease_id": lease_id}))
        )
        .status,
        204
    );
    assert_eq!(
        nomad.token_accessors().len(),
        1,
        "only the bootstrap token is left"
    );
}

/// The engine's call to Nomad runs without Vault's state lock: a fake Nomad that, while the
/// creds request waits for it, asks Vault something, gets an answer.
#[test]
fn nomad_io_runs_without_the_vault_state_lock() {
    let (vault, root) = vault();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let nomad_addr = format!("http://{}", listener.local_addr().unwrap());
    let vault_addr = vault.addr();
    let root_for_fake = root.clone();
    let fake = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        // Vault is waiting for this answer; it must still serve other requests.
        let during = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap()
            .get(format!("{vault_addr}/v1/nomad/role/deployer"))
            .header("X-Vault-Token", root_for_fake)
            .send()
            .map(|r| r.status().as_u16());
        let token = json!({"AccessorID": "c834ba40-8d84-b0c1-c084-3a31d3383c03", "SecretID": "65af6f07-7f57-bb24-cdae-a27f86a894ce"}).to_string();
        write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{token}", token.len()).unwrap();
        during
    });
    call(
        &vault.addr(),
        "PUT",
        "nomad/config/access",
        Some(&root),
        Some(json!({"address": nomad_addr, "token": "t"})),
    );
    call(
        &vault.addr(),
        "PUT",
        "nomad/role/deployer",
        Some(&root),
        Some(json!({"policies": "deploy"})),
    );
    let creds = call(
        &vault.addr(),
        "GET",
        "nomad/creds/deployer",
        Some(&root),
        None,
    );
    assert_eq!(creds.status, 200, "{}", creds.text);
    assert_eq!(
        fake.join().unwrap().ok(),
        Some(200),
        "Vault answered while waiting for Nomad"
    );
}
