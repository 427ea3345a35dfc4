//! vault-api.md §8: mounts, auth methods, KV v2, JWT auth config and roles.

use crate::common;

use common::call;
use serde_json::json;
use vault_sandbox::Sandbox;

fn dev() -> vault_sandbox::SandboxHandle {
    Sandbox::builder().dev("root").start().unwrap()
}

// vault-api.md §8: dev mode mounts secret/ as kv v2 beside sys/, cubbyhole/, identity/
#[test]
fn dev_mode_lists_the_builtin_mounts_and_secret_as_kv_v2() {
    let node = dev();
    let data = call(&node.addr(), "GET", "sys/mounts", Some("root"), None).json()["data"].clone();
    assert_eq!(data["secret/"]["type"], "kv");
    assert_eq!(data["secret/"]["options"], json!({"version": "2"}));
    assert_eq!(data["sys/"]["type"], "system");
    assert_eq!(data["cubbyhole/"]["type"], "cubbyhole");
    assert_eq!(data["identity/"]["type"], "identity");
    assert!(data["secret/"]["accessor"]
        .as_str()
        .unwrap()
        .starts_with("kv_"));
}

// vault-api.md §8: an initialised non-dev server has no secret/
#[test]
fn a_non_dev_server_has_no_secret_mount() {
    let node = Sandbox::builder().sealed(1, 1).start().unwrap();
    call(
        &node.addr(),
        "PUT",
        "sys/unseal",
        None,
        Some(json!({"key": node.unseal_keys()[0]})),
    );
    let root = node.root_token().unwrap();
    let data = call(&node.addr(), "GET", "sys/mounts", Some(&root), None).json()["data"].clone();
    assert!(data.get("secret/").is_none());
    assert!(data.get("sys/").is_some());
}

// vault-api.md §8: POST sys/mounts/:path → 204; already mounted → 400; read one; unmount
#[test]
fn mount_read_conflict_and_unmount() {
    let node = dev();
    let a = call(
        &node.addr(),
        "POST",
        "sys/mounts/kv-apps",
        Some("root"),
        Some(json!({"type": "kv", "options": {"version": "2"}})),
    );
    assert_eq!(a.status, 204);
    for kind in ["database", "nomad"] {
        assert_eq!(
            call(
                &node.addr(),
                "POST",
                &format!("sys/mounts/{kind}"),
                Some("root"),
                Some(json!({"type": kind}))
            )
            .status,
            204
        );
    }
    let again = call(
        &node.addr(),
        "POST",
        "sys/mounts/kv-apps",
        Some("root"),
        Some(json!({"type": "kv"})),
    );
    assert_eq!(
        (again.status, again.error().as_str()),
        (400, "path is already in use at kv-apps/")
    );
    let one = call(
        &node.addr(),
        "GET",
        "sys/mounts/kv-apps",
        Some("root"),
        None,
    )
    .json();
    assert_eq!(one["data"]["type"], "kv");
    assert_eq!(one["data"]["options"]["version"], "2");
    assert_eq!(
        call(
            &node.addr(),
            "DELETE",
            "sys/mounts/kv-apps",
            Some("root"),
            None
        )
        .status,
        204
    );
    let data = call(&node.addr(), "GET", "sys/mounts", Some("root"), None).json()["data"].clone();
    assert!(data.get("kv-apps/").is_none());
    assert_eq!(data["nomad/"]["type"], "nomad");
}

// vault-api.md §8: POST sys/auth/:path {"type":"jwt"}; GET sys/auth shows accessors; disable
#[test]
fn auth_methods_have_accessors() {
    let node = dev();
    let token = call(&node.addr(), "GET", "sys/auth", Some("root"), None).json();
    assert!(token["data"]["token/"]["accessor"]
        .as_str()
        .unwrap()
        .starts_with("auth_token_"));
    assert_eq!(
        call(
            &node.addr(),
            "POST",
            "sys/auth/jwt-nomad",
            Some("root"),
            Some(json!({"type": "jwt"}))
        )
        .status,
        204
    );
    let list = call(&node.addr(), "GET", "sys/auth", Some("root"), None).json();
    let accessor = list["data"]["jwt-nomad/"]["accessor"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(accessor.len(), "auth_jwt_".len() + 8, "{accessor}");
    assert!(accessor.starts_with("auth_jwt_"));
    assert!(accessor["auth_jwt_".len()..]
        .chars()
        .all(|c| c.is_ascii_hexdigit()));
    let again = call(
        &node.addr(),
        "POST",
        "sys/auth/jwt-nomad",
        Some("root"),
        Some(json!({"type": "jwt"})),
    );
    assert_eq!(again.status, 400);
    assert!(again.error().starts_with("path is already in use at"));
    assert_eq!(
        call(
            &node.addr(),
            "DELETE",
            "sys/auth/jwt-nomad",
            Some("root"),
            None
        )
        .status,
        204
    );
    let list = call(&node.addr(), "GET", "sys/auth", Some("root"), None).json();
    assert!(list["data"].get("jwt-nomad/").is_none());
}

// vault-api.md §8: KV v2 write → version metadata; read → data.data and data.metadata
#[test]
fn kv_v2_write_then_read_returns_data_and_metadata() {
    let node = dev();
    let w = call(
        &node.addr(),
        "POST",
        "secret/data/hashicups-api",
        Some("root"),
        Some(
            json!({"data": {"api-key": "the_api_key_for_hashicups", "principal-id": "a_random_string"}}),
        ),
    );
    assert_eq!(w.status, 200);
    assert_eq!(w.json()["data"]["version"], 1);
    assert_eq!(w.json()["data"]["destroyed"], false);
    let w2 = call(
        &node.addr(),
        "POST",
        "secret/data/hashicups-api",
        Some("root"),
        Some(json!({"data": {"api-key": "v2"}})),
    );
    assert_eq!(w2.json()["data"]["version"], 2);
    let r = call(
        &node.addr(),
        "GET",
        "secret/data/hashicups-api",
        Some("root"),
        None,
    )
    .json();
    assert_eq!(r["data"]["data"], json!({"api-key": "v2"}));
    assert_eq!(r["data"]["metadata"]["version"], 2);
    assert_eq!(r["mount_type"], "kv");
    let v1 = call(
        &node.addr(),
        "GET",
        "secret/data/hashicups-api?version=1",
        Some("root"),
        None,
    )
    .json();
    assert_eq!(v1["data"]["data"]["principal-id"], "a_random_string");
}

// vault-api.md §8: KV v2 LIST metadata
#[test]
fn kv_v2_list_metadata_shows_keys_and_folders() {
    let node = dev();
    for key in ["app/one", "app/two", "top"] {
        call(
            &node.addr(),
            "POST",
            &format!("secret/data/{key}"),
            Some("root"),
            Some(json!({"data": {"a": 1}})),
        );
    }
    let root = call(&node.addr(), "LIST", "secret/metadata/", Some("root"), None).json();
    assert_eq!(root["data"]["keys"], json!(["app/", "top"]));
    let app = call(
        &node.addr(),
        "LIST",
        "secret/metadata/app",
        Some("root"),
        None,
    )
    .json();
    assert_eq!(app["data"]["keys"], json!(["one", "two"]));
}

// vault-api.md §8: KV v2 write without data → 400
#[test]
fn kv_v2_write_without_data_is_400() {
    let node = dev();
    let a = call(
        &node.addr(),
        "POST",
        "secret/data/x",
        Some("root"),
        Some(json!({"api-key": "v"})),
    );
    assert_eq!((a.status, a.error().as_str()), (400, "no data provided"));
}

// nomad-rules.md §5: auth/jwt-nomad/config is stored and returned (Vault fetches the JWKS
// URL on write, so it must serve a key set, over https trusted through jwks_ca_pem)
#[test]
fn jwt_config_is_stored_and_returned() {
    let jwks = vault_sandbox::testing::JwksServer::start_ed25519_tls().unwrap();
    let ca_pem = jwks.ca_pem().unwrap();
    let node = dev();
    call(
        &node.addr(),
        "POST",
        "sys/auth/jwt-nomad",
        Some("root"),
        Some(json!({"type": "jwt"})),
    );
    assert_eq!(
        call(
            &node.addr(),
            "GET",
            "auth/jwt-nomad/config",
            Some("root"),
            None
        )
        .status,
        404
    );
    let w = call(
        &node.addr(),
        "POST",
        "auth/jwt-nomad/config",
        Some("root"),
        Some(json!({
            "jwks_url": jwks.url(),
            "jwt_supported_algs": ["EdDSA", "RS256"],
            "default_role": "nomad-workloads",
            "jwks_ca_pem": ca_pem,
        })),
    );
    assert_eq!(w.status, 204, "{}", w.text);
    let r = call(
        &node.addr(),
        "GET",
        "auth/jwt-nomad/config",
        Some("root"),
        None,
    )
    .json();
    assert_eq!(r["data"]["jwks_url"], jwks.url());
    assert_eq!(r["data"]["jwt_supported_algs"], json!(["EdDSA", "RS256"]));
    assert_eq!(r["data"]["default_role"], "nomad-workloads");
    assert_eq!(r["data"]["jwks_ca_pem"], ca_pem.as_str());
    assert_eq!(r["data"]["bound_issuer"], "");
    assert_eq!(r["mount_type"], "jwt");
    let none = call(
        &node.addr(),
        "POST",
        "auth/jwt-nomad/config",
        Some("root"),
        Some(json!({"default_role": "x"})),
    );
    assert_eq!(none.status, 400);
}

// nomad-rules.md §5: the nomad-workloads role is stored and returned; list and delete
#[test]
fn jwt_role_write_read_list_delete() {
    let node = dev();
    call(
        &node.addr(),
        "POST",
        "sys/auth/jwt-nomad",
        Some("root"),
        Some(json!({"type": "jwt"})),
    );
    let role = json!({"role_type": "jwt", "bound_audiences": "vault.io", "user_claim": "/nomad_job_id",
        "user_claim_json_pointer": true,
        "claim_mappings": {"nomad_namespace": "nomad_namespace", "nomad_job_id": "nomad_job_id", "nomad_task": "nomad_task"},
        "token_type": "service", "token_period": "30m", "token_policies": ["nomad-workloads"]});
    let w = call(
        &node.addr(),
        "POST",
        "auth/jwt-nomad/role/nomad-workloads",
        Some("root"),
        Some(role),
    );
    assert_eq!(w.status, 204, "{}", w.text);
    let r = call(
        &node.addr(),
        "GET",
        "auth/jwt-nomad/role/nomad-workloads",
        Some("root"),
        None,
    )
    .json();
    let data = &r["data"];
    assert_eq!(data["role_type"], "jwt");
    assert_eq!(data["bound_audiences"], json!(["vault.io"]));
    assert_eq!(data["user_claim"], "/nomad_job_id");
    assert_eq!(data["user_claim_json_pointer"], true);
    assert_eq!(data["claim_mappings"]["nomad_task"], "nomad_task");
    assert_eq!(data["token_period"], 1800);
    assert_eq!(data["token_policies"], json!(["nomad-workloads"]));
    assert_eq!(data["token_type"], "service");
    let list = call(
        &node.addr(),
        "LIST",
        "auth/jwt-nomad/role",
        Some("root"),
        None,
    )
    .json();
    assert_eq!(list["data"]["keys"], json!(["nomad-workloads"]));
    assert_eq!(
        call(
            &node.addr(),
            "DELETE",
            "auth/jwt-nomad/role/nomad-workloads",
            Some("root"),
            None
        )
        .status,
        204
    );
    assert_eq!(
        call(
            &node.addr(),
            "GET",
            "auth/jwt-nomad/role/nomad-workloads",
            Some("root"),
            None
        )
        .status,
        404
    );
}

// nomad-rules.md §5: a jwt role needs a user claim and a bound constraint
#[test]
fn jwt_role_validation() {
    let node = dev();
    call(
        &node.addr(),
        "POST",
        "sys/auth/jwt-nomad",
        Some("root"),
        Some(json!({"type": "jwt"})),
    );
    let no_claim = call(
        &node.addr(),
        "POST",
        "auth/jwt-nomad/role/r",
        Some("root"),
        Some(json!({"role_type": "jwt", "bound_audiences": "a"})),
    );
    assert_eq!(no_claim.error(), "a user claim must be defined on the role");
    let unbound = call(
        &node.addr(),
        "POST",
        "auth/jwt-nomad/role/r",
        Some("root"),
        Some(json!({"role_type": "jwt", "user_claim": "sub"})),
    );
    assert_eq!(
        unbound.error(),
        "must have at least one bound constraint when creating/updating a role"
    );
}

// issue 3 clock: advance_clock moves the node's time (seen in sys/health and KV timestamps)
#[test]
fn advance_clock_moves_server_time() {
    let node = dev();
    let before = call(&node.addr(), "GET", "sys/health", None, None).json()["server_time_utc"]
        .as_u64()
        .unwrap();
    node.advance_clock(std::time::Duration::from_secs(72 * 3600));
    let after = call(&node.addr(), "GET", "sys/health", None, None).json()["server_time_utc"]
        .as_u64()
        .unwrap();
    assert!(after >= before + 72 * 3600 && after < before + 72 * 3600 + 60);
}

// vault-api-engines.md §1: kv-v1 / kv-v2 are rewritten to kv + options.version; a version on
// another type → 400. vault/logical_system.go handleMount (the kv-v1/kv-v2 aliases, "secrets
// engine %q does not allow setting a version")
#[test]
fn kv_aliases_are_rewritten_and_only_kv_takes_a_version() {
    let node = dev();
    let addr = node.addr();
    for (path, kind, version) in [("kv1", "kv-v1", "1"), ("kv2", "kv-v2", "2")] {
        let enabled = call(
            &addr,
            "POST",
            &format!("sys/mounts/{path}"),
            Some("root"),
            Some(json!({ "type": kind })),
        );
        assert_eq!(enabled.status, 204, "{}", enabled.text);
        let read = call(
            &addr,
            "GET",
            &format!("sys/mounts/{path}"),
            Some("root"),
            None,
        )
        .json();
        assert_eq!(read["data"]["type"], "kv");
        assert_eq!(read["data"]["options"]["version"], version);
        assert!(read["data"]["accessor"]
            .as_str()
            .unwrap()
            .starts_with("kv_"));
    }
    let refused = call(
        &addr,
        "POST",
        "sys/mounts/nomad",
        Some("root"),
        Some(json!({"type": "nomad", "options": {"version": "2"}})),
    );
    assert_eq!(
        (refused.status, refused.error()),
        (
            400,
            "secrets engine \"nomad\" does not allow setting a version".to_string()
        )
    );
    let numeric = call(
        &addr,
        "POST",
        "sys/mounts/kv-num",
        Some("root"),
        Some(json!({"type": "kv", "options": {"version": 2}})),
    );
    assert_eq!(numeric.status, 204);
    let read = call(&addr, "GET", "sys/mounts/kv-num", Some("root"), None).json();
    assert_eq!(read["data"]["options"]["version"], "2");
}

// vault-api-engines.md §1: OpenBao has no Nomad secrets engine. openbao
// internal/vault/mount.go newLogicalBackend: fmt.Errorf("%w: %s", ErrPluginNotFound, t),
// ErrPluginNotFound = "plugin not found in the catalog" (plugin_catalog.go)
#[test]
fn openbao_refuses_a_nomad_mount() {
    let node = Sandbox::builder()
        .dev("root")
        .flavor(vault_sandbox::Flavor::OpenBao)
        .start()
        .unwrap();
    let refused = call(
        &node.addr(),
        "POST",
        "sys/mounts/nomad",
        Some("root"),
        Some(json!({"type": "nomad"})),
    );
    assert_eq!(
        (refused.status, refused.error()),
        (400, "plugin not found in the catalog: nomad".to_string())
    );
    let mounts = call(&node.addr(), "GET", "sys/mounts", Some("root"), None).json();
    assert!(mounts["data"].get("nomad/").is_none());
    let database = call(
        &node.addr(),
        "POST",
        "sys/mounts/database",
        Some("root"),
        Some(json!({"type": "database"})),
    );
    assert_eq!(database.status, 204);
}

// vault-api-engines.md §0/§1: database and nomad mounts exist before their engines do; a path
// inside them answers 404 `unsupported path`. The mount's config TTLs show in sys/mounts.
#[test]
fn engine_mounts_answer_unsupported_path_and_keep_their_ttls() {
    let node = dev();
    let addr = node.addr();
    let enabled = call(
        &addr,
        "POST",
        "sys/mounts/database",
        Some("root"),
        Some(
            json!({"type": "database", "config": {"default_lease_ttl": "1h", "max_lease_ttl": 7200}}),
        ),
    );
    assert_eq!(enabled.status, 204, "{}", enabled.text);
    let unknown = call(&addr, "GET", "database/whatever", Some("root"), None);
    assert_eq!(
        (unknown.status, unknown.error()),
        (404, "unsupported path".to_string())
    );
    let read = call(&addr, "GET", "sys/mounts/database", Some("root"), None).json();
    assert_eq!(read["data"]["config"]["default_lease_ttl"], 3600);
    assert_eq!(read["data"]["config"]["max_lease_ttl"], 7200);
    let bad = call(
        &addr,
        "POST",
        "sys/mounts/db2",
        Some("root"),
        Some(
            json!({"type": "database", "config": {"default_lease_ttl": "2h", "max_lease_ttl": "1h"}}),
        ),
    );
    assert_eq!(
        (bad.status, bad.error()),
        (
            400,
            "given default lease TTL greater than given max lease TTL".to_string()
        )
    );
}

// vault-api.md §8: enabling an auth method at a path in use → 400 `path is already in use at
// <path>/` with the auth table's path (`jwt/`, not `auth/jwt/`). vault/auth.go
// enableCredentialInternal
#[test]
fn enabling_an_auth_method_at_a_used_path_names_the_table_path() {
    let node = dev();
    let addr = node.addr();
    let first = call(
        &addr,
        "POST",
        "sys/auth/jwt",
        Some("root"),
        Some(json!({"type": "jwt"})),
    );
    assert_eq!(first.status, 204);
    for path in ["sys/auth/jwt", "sys/auth/jwt/nested"] {
        let again = call(
            &addr,
            "POST",
            path,
            Some("root"),
            Some(json!({"type": "jwt"})),
        );
        assert_eq!(
            (again.status, again.error()),
            (400, "path is already in use at jwt/".to_string()),
            "{path}"
        );
    }
}

// vault-api.md §8: a JWT role write answers 204 with no body, even with a body `name` or other
// fields the endpoint does not know: the plugin answers nothing, so the framework adds no
// warning. vault-plugin-auth-jwt path_role.go pathRoleCreateUpdate (nil unless it warns);
// sdk/framework/backend.go HandleRequest (warnings only on a non-nil response)
#[test]
fn a_jwt_role_write_is_204_without_warnings() {
    let node = dev();
    let addr = node.addr();
    call(
        &addr,
        "POST",
        "sys/auth/jwt",
        Some("root"),
        Some(json!({"type": "jwt"})),
    );
    let role = json!({
        "name": "nomad-workloads",
        "role_type": "jwt",
        "bound_audiences": ["vault.io"],
        "user_claim": "/nomad_job_id",
        "user_claim_json_pointer": true,
        "token_type": "service",
        "token_policies": ["nomad-workloads"],
        "not_a_field": 1,
    });
    let written = call(
        &addr,
        "POST",
        "auth/jwt/role/nomad-workloads",
        Some("root"),
        Some(role),
    );
    assert_eq!((written.status, written.text.as_str()), (204, ""));
    let verbose = call(
        &addr,
        "POST",
        "auth/jwt/role/nomad-workloads",
        Some("root"),
        Some(json!({"verbose_oidc_logging": true, "not_a_field": 1})),
    );
    assert_eq!(verbose.status, 200);
    assert_eq!(
        verbose.json()["warnings"],
        json!([
            "verbose_oidc_logging has been enabled for this role. This is not recommended in production since sensitive information may be present in OIDC responses.",
            "Endpoint ignored these unrecognized parameters: [not_a_field]"
        ])
    );
}
