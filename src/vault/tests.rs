//! The client against scripted HTTP servers on loopback: retries, replay safety, redirects,
//! headers, error messages and response decoding.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use super::testserver::{Step, TestServer};
use super::*;
use crate::secret::{SecretString, UnsealKey};

const TOKEN: &str = "hvs.CAESIPzTestTokenThatMustNeverBeShown";
const SHARE: &str = "aa11bb22cc33dd44ee55ff6677889900aa11bb22cc33dd44ee55ff6677889900";

fn config(address: &str) -> ClientConfig {
    let mut config = ClientConfig::new(address);
    config.token = Some(SecretString::new(TOKEN));
    config.timeout = Duration::from_secs(5);
    config.max_retries = 2;
    config
}

fn client_for(server: &TestServer) -> VaultClient {
    VaultClient::new(config(&server.url())).expect("client builds")
}

fn namespaced_client_for(server: &TestServer) -> VaultClient {
    let mut config = config(&server.url());
    config.namespace = Some("team-a".into());
    VaultClient::new(config).expect("client builds")
}

const POLICY_BODY: &str = r#"{"request_id":"1","lease_id":"","renewable":false,"lease_duration":0,
  "data":{"name":"nomad-server","policy":"path \"auth/token/lookup-self\" { capabilities = [\"read\"] }"},
  "wrap_info":null,"warnings":null,"auth":null,"mount_type":"system"}"#;

const SEAL_STATUS_SEALED: &str = r#"{"type":"shamir","initialized":true,"sealed":true,"t":3,"n":5,
  "progress":1,"nonce":"9c1b3a34-5f0d-4b1b-8e41-6c7b3f6fb0f1","version":"2.6.0",
  "commit_date":"2025-01-01T00:00:00Z","migration":false,"recovery_seal":false,
  "storage_type":"raft","some_future_field":{"nested":true}}"#;

// --- retries -------------------------------------------------------------------------------

#[test]
fn server_errors_twice_then_success_is_retried_to_success() {
    let server = TestServer::start(vec![
        Step::json(500, r#"{"errors":["internal error"]}"#),
        Step::json(502, r#"{"errors":["bad gateway"]}"#),
        Step::json(200, POLICY_BODY),
    ]);
    let policy = client_for(&server)
        .read_policy("nomad-server")
        .expect("third attempt succeeds")
        .expect("policy exists");
    assert_eq!(policy.name, "nomad-server");
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn past_max_retries_the_error_names_path_and_attempts() {
    let server = TestServer::start(vec![
        Step::json(500, r#"{"errors":["internal error"]}"#),
        Step::json(500, r#"{"errors":["internal error"]}"#),
        Step::json(500, r#"{"errors":["internal error"]}"#),
        Step::json(200, POLICY_BODY),
    ]);
    let err = client_for(&server)
        .read_policy("nomad-server")
        .expect_err("three 500s exhaust two retries");
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.attempts(), 3);
    let shown = err.to_string();
    assert!(shown.contains("sys/policies/acl/nomad-server"), "{shown}");
    assert!(shown.contains("after 3 attempts"), "{shown}");
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn rate_limit_with_retry_after_waits_that_long() {
    // RFC 9110 §10.2.3: delay-seconds, or an HTTP-date (one-second resolution, so two seconds
    // ahead leaves at least one).
    let as_seconds = || "1".to_string();
    let as_date = || httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    for header in [&as_seconds as &dyn Fn() -> String, &as_date] {
        let retry_after = header();
        let server = TestServer::start(vec![
            Step::json(
                429,
                r#"{"errors":["request path \"sys/policies/acl/x\": rate limit quota exceeded"]}"#,
            )
            .header("Retry-After", &retry_after),
            Step::json(200, POLICY_BODY),
        ]);
        let started = Instant::now();
        client_for(&server)
            .read_policy("x")
            .expect("retried after the rate limit");
        // Generous bounds: the backoff alone would be ≤ 250ms.
        assert!(
            started.elapsed() >= Duration::from_millis(900),
            "Retry-After {retry_after}: {:?}",
            started.elapsed()
        );
        assert_eq!(server.requests().len(), 2);
    }
}

#[test]
fn init_is_not_retried_after_a_dropped_connection() {
    let server = TestServer::start(vec![
        Step::Drop,
        Step::json(
            200,
            r#"{"keys":["aa"],"keys_base64":["qg=="],"root_token":"s.x"}"#,
        ),
    ]);
    let err = client_for(&server)
        .init(&InitRequest::shamir(5, 3))
        .expect_err("the dropped answer is an error");
    assert!(err.may_have_been_applied(), "{err:?}");
    assert!(err.to_string().contains("not repeated"), "{err}");
    assert_eq!(
        server.requests().len(),
        1,
        "sys/init must be sent exactly once"
    );
}

#[test]
fn token_create_is_not_retried_after_a_dropped_connection() {
    let server = TestServer::start(vec![Step::Drop, Step::json(200, TOKEN_CREATED)]);
    let client = client_for(&server);
    let request = TokenCreateRequest {
        policies: vec!["nomad-server".into()],
        period: Some(259_200),
        ..TokenCreateRequest::default()
    };
    let err = client
        .create_token_for_role("nomad-cluster", &request)
        .expect_err("dropped answer");
    assert!(err.may_have_been_applied());
    assert_eq!(
        server.requests().len(),
        1,
        "a retry would mint a second token"
    );

    let server = TestServer::start(vec![Step::json(502, "{}"), Step::json(200, TOKEN_CREATED)]);
    let err = client_for(&server)
        .create_orphan_token(&request)
        .expect_err("a 5xx on token create is final");
    assert_eq!(err.status(), Some(502));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn token_create_and_init_are_retried_after_a_rate_limit_because_nothing_was_applied() {
    let limited =
        r#"{"errors":["request path \"auth/token/create-orphan\": rate limit quota exceeded"]}"#;
    let server = TestServer::start(vec![
        Step::json(429, limited).header("Retry-After", "0"),
        Step::json(200, TOKEN_CREATED),
    ]);
    let request = TokenCreateRequest {
        policies: vec!["nomad-server".into()],
        period: Some(259_200),
        ..TokenCreateRequest::default()
    };
    let created = client_for(&server)
        .create_orphan_token(&request)
        .expect("the rate-limited copy was never applied: sent again");
    assert_eq!(created.auth.accessor, "acc-123");
    assert_eq!(server.requests().len(), 2);

    let server = TestServer::start(vec![
        Step::json(429, limited).header("Retry-After", "0"),
        Step::json(
            200,
            r#"{"keys":["aa"],"keys_base64":["qg=="],"root_token":"s.x"}"#,
        ),
    ]);
    client_for(&server)
        .init(&InitRequest::shamir(1, 1))
        .expect("sys/init rejected by the rate limiter is sent again");
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn kv_write_is_resent_only_when_no_answer_came_back() {
    const KV_WRITTEN: &str = r#"{"data":{"version":1,"created_time":"2026-01-01T00:00:00Z"}}"#;
    let mut data = BTreeMap::new();
    data.insert("password".to_string(), serde_json::json!("x"));

    let server = TestServer::start(vec![Step::Drop, Step::json(200, KV_WRITTEN)]);
    client_for(&server)
        .kv2_write("secret", "app", &data)
        .expect("a lost answer is sent again");
    assert_eq!(server.requests().len(), 2);

    // A 5xx is an answer: the write may have added a version, and a copy would add another.
    let server = TestServer::start(vec![
        Step::json(502, r#"{"errors":["bad gateway"]}"#),
        Step::json(200, KV_WRITTEN),
    ]);
    let err = client_for(&server)
        .kv2_write("secret", "app", &data)
        .expect_err("not retried after a 5xx");
    assert_eq!(err.status(), Some(502));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn unseal_is_retried_after_a_dropped_connection_but_not_after_a_500() {
    let server = TestServer::start(vec![Step::Drop, Step::json(200, SEAL_STATUS_SEALED)]);
    let status = client_for(&server)
        .unseal(&UnsealKey::new(SHARE))
        .expect("a repeated share is harmless");
    assert_eq!(status.progress, 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[1].body.contains(SHARE));
    assert_eq!(
        requests[1].header("x-vault-token"),
        None,
        "unseal needs no token"
    );

    let server = TestServer::start(vec![
        Step::json(
            500,
            r#"{"errors":["unable to retrieve stored keys: failed to decrypt keys from storage: cipher: message authentication failed"]}"#,
        ),
        Step::json(200, SEAL_STATUS_SEALED),
    ]);
    let err = client_for(&server)
        .unseal(&UnsealKey::new(SHARE))
        .expect_err("a wrong combined key is reported, not retried");
    assert_eq!(err.status(), Some(500));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn mount_enable_retry_meeting_already_in_use_checks_the_mount_table() {
    let server = TestServer::start(vec![
        Step::Drop,
        Step::json(400, r#"{"errors":["path is already in use at secret/"]}"#),
        Step::json(
            200,
            r#"{"secret/":{"type":"kv","options":{"version":"2"},"accessor":"kv_1"},
               "request_id":"r","data":{"secret/":{"type":"kv","options":{"version":"2"},"accessor":"kv_1"},
               "sys/":{"type":"system"}}}"#,
        ),
    ]);
    let warnings = client_for(&server)
        .enable_mount("secret", &MountRequest::kv_v2())
        .expect("our own lost first attempt created it");
    assert!(warnings[0].contains("earlier attempt"), "{warnings:?}");
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].method, "POST");
    assert!(requests[0].body.contains(r#""version":"2""#));
    assert_eq!(requests[2].target, "/v1/sys/mounts");

    // Without a retry, "already in use" is the caller's to judge.
    let server = TestServer::start(vec![Step::json(
        400,
        r#"{"errors":["path is already in use at secret/"]}"#,
    )]);
    let err = client_for(&server)
        .enable_mount("secret", &MountRequest::kv_v2())
        .expect_err("mounted before");
    assert!(err.is_already_in_use());
}

// --- redirects -----------------------------------------------------------------------------

#[test]
fn redirect_from_standby_is_followed_with_token_body_and_method() {
    let active = TestServer::start(vec![Step::empty(204)]);
    let standby = TestServer::start(vec![Step::empty(307).header(
        "Location",
        &format!("{}/v1/sys/policies/acl/nomad-server", active.url()),
    )]);
    let mut config = config(&standby.url());
    config.namespace = Some("team-a".into());
    let client = VaultClient::new(config).expect("client builds");
    let warnings = client
        .write_policy("nomad-server", "path \"x\" { capabilities = [\"read\"] }")
        .expect("the active node accepts the write");
    assert!(warnings.is_empty());
    let sent = &standby.requests()[0];
    let forwarded = active.requests();
    assert_eq!(forwarded.len(), 1);
    let forwarded = &forwarded[0];
    assert_eq!(forwarded.method, "PUT");
    assert_eq!(forwarded.target, "/v1/sys/policies/acl/nomad-server");
    assert_eq!(forwarded.header("x-vault-token"), Some(TOKEN));
    assert_eq!(forwarded.header("x-vault-namespace"), Some("team-a"));
    assert_eq!(forwarded.header("x-vault-request"), Some("true"));
    assert_eq!(forwarded.body, sent.body);
    assert!(forwarded.body.contains("capabilities"));
}

#[test]
fn redirect_loop_stops_after_three_hops() {
    let looping = TestServer::start(vec![]);
    for _ in 0..10 {
        looping.push(Step::empty(307).header(
            "Location",
            &format!("{}/v1/sys/policies/acl/x", looping.url()),
        ));
    }
    let err = client_for(&looping)
        .read_policy("x")
        .expect_err("an endless redirect is an error");
    assert!(
        matches!(err, VaultError::TooManyRedirects { .. }),
        "{err:?}"
    );
    assert_eq!(
        looping.requests().len(),
        4,
        "the first request and three hops"
    );
}

// --- headers -------------------------------------------------------------------------------

#[test]
fn no_namespace_header_on_init_seal_unseal_and_health() {
    let server = TestServer::start(vec![
        Step::json(200, r#"{"initialized":true}"#),
        Step::json(200, SEAL_STATUS_SEALED),
        Step::json(200, SEAL_STATUS_SEALED),
        Step::empty(204),
        Step::json(
            200,
            r#"{"initialized":true,"sealed":false,"standby":false}"#,
        ),
        Step::json(200, SEAL_STATUS_SEALED),
    ]);
    let client = namespaced_client_for(&server);
    client.init_status().expect("init status");
    client.unseal(&UnsealKey::new(SHARE)).expect("unseal");
    client.unseal_reset().expect("unseal reset");
    client.seal().expect("seal");
    client.health(&HealthQuery::default()).expect("health");
    client.seal_status().expect("seal status");
    let requests = server.requests();
    for request in &requests[..5] {
        assert_eq!(
            request.header("x-vault-namespace"),
            None,
            "{} {}",
            request.method,
            request.target
        );
        assert_eq!(request.header("x-vault-request"), Some("true"));
    }
    // seal-status tolerates the namespace (vault-api.md §0).
    assert_eq!(requests[5].header("x-vault-namespace"), Some("team-a"));
    // Only sys/seal needs the token.
    assert_eq!(requests[3].header("x-vault-token"), Some(TOKEN));
    assert_eq!(requests[0].header("x-vault-token"), None);
}

#[test]
fn namespace_and_token_headers_on_logical_paths() {
    let server = TestServer::start(vec![
        Step::json(200, POLICY_BODY),
        Step::json(
            200,
            r#"{"data":{"keys":["default","nomad-server","root"]}}"#,
        ),
    ]);
    let client = namespaced_client_for(&server);
    client.read_policy("nomad-server").expect("read");
    let names = client.list_policies().expect("list");
    assert_eq!(names, ["default", "nomad-server", "root"]);
    let requests = server.requests();
    for request in &requests {
        assert_eq!(request.header("x-vault-namespace"), Some("team-a"));
        assert_eq!(request.header("x-vault-token"), Some(TOKEN));
    }
    assert_eq!(requests[1].method, "GET");
    assert_eq!(requests[1].target, "/v1/sys/policies/acl?list=true");
}

// --- error messages ------------------------------------------------------------------------

#[test]
fn timeout_is_reported_with_the_limit_and_the_flag() {
    let server = TestServer::start(vec![Step::Stall(Duration::from_secs(4))]);
    let mut config = config(&server.url());
    config.timeout = Duration::from_millis(500);
    let client = VaultClient::new(config).expect("client builds");
    let started = Instant::now();
    let err = client.seal_status().expect_err("the server stalls");
    assert!(err.is_timeout(), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains("500ms"), "{shown}");
    assert!(
        shown.contains("--timeout") && shown.contains("VAULT_CLIENT_TIMEOUT"),
        "{shown}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "not retried: {:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn connection_refused_asks_whether_vault_is_running() {
    // Port 9 (discard), where nothing listens, as in the end-to-end tests: a port freed by a
    // dropped listener may be taken by another test's server in between.
    let address = "http://127.0.0.1:9".to_string();
    let mut config = config(&address);
    config.max_retries = 1;
    let err = VaultClient::new(config)
        .expect("client builds")
        .seal_status()
        .expect_err("nothing listens");
    assert!(
        err.is_connection_refused() && err.is_unreachable(),
        "{err:?}"
    );
    assert_eq!(
        err.attempts(),
        2,
        "a refused connection sent nothing and is retried"
    );
    assert!(
        err.to_string()
            .contains(&format!("is Vault running at {address}?")),
        "{err}"
    );
}

#[test]
fn missing_item_is_none_but_missing_mount_is_an_error() {
    let server = TestServer::start(vec![
        Step::json(404, r#"{"errors":[]}"#),
        Step::json(404, r#"{"errors":[]}"#),
        Step::json(
            404,
            r#"{"errors":["no handler for route \"kv/data/x\". route entry not found."]}"#,
        ),
        Step::json(404, r#"{"errors":[]}"#),
    ]);
    let client = client_for(&server);
    assert!(client.read_policy("absent").expect("404 is fine").is_none());
    assert!(client
        .read_token_role("absent")
        .expect("404 is fine")
        .is_none());
    let err = client
        .kv2_read("kv", "x")
        .expect_err("an unknown mount is an error");
    assert!(
        err.is_not_found() && err.to_string().contains("no handler for route"),
        "{err}"
    );
    assert!(client.list_token_roles().expect("no roles").is_empty());
    assert_eq!(server.requests().len(), 4, "404 is not retried");
}

#[test]
fn permission_denied_names_the_denied_path_and_is_not_retried() {
    let server = TestServer::start(vec![Step::json(
        403,
        r#"{"errors":["1 error occurred:\n\t* permission denied\n\n"]}"#,
    )]);
    let err = client_for(&server)
        .read_token_role("nomad-cluster")
        .expect_err("denied");
    assert!(err.is_permission_denied());
    let shown = err.to_string();
    assert!(
        shown.contains("permission denied on auth/token/roles/nomad-cluster"),
        "{shown}"
    );
    assert!(!shown.contains(TOKEN), "{shown}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn sealed_vault_points_at_nvctl_unseal_without_retrying() {
    let server = TestServer::start(vec![Step::json(503, r#"{"errors":["Vault is sealed"]}"#)]);
    let err = client_for(&server).list_policies().expect_err("sealed");
    assert!(err.is_sealed());
    assert!(err.to_string().contains("nvctl unseal"), "{err}");
    // Not retried: the one request after it asks whether the node is sealed or not
    // initialised (it answers nothing here, so the message keeps both possibilities).
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[1].target, "/v1/sys/seal-status", "{requests:?}");
}

#[test]
fn invalid_settings_are_config_errors_naming_the_flag() {
    let err = VaultClient::new(ClientConfig::new("127.0.0.1:8200")).expect_err("no scheme");
    assert!(err.to_string().contains("VAULT_ADDR"), "{err}");
    let err = VaultClient::new(ClientConfig::new("unix:///var/run/vault.sock"))
        .expect_err("unsupported scheme");
    assert!(err.to_string().contains("https://"), "{err}");

    let mut config = ClientConfig::new("https://127.0.0.1:8200");
    config.tls.ca_cert = Some("/nonexistent/ca.pem".into());
    let err = VaultClient::new(config).expect_err("missing CA file");
    assert!(err.to_string().contains("VAULT_CACERT"), "{err}");

    let dir = tempfile::tempdir().expect("tempdir");
    let not_pem = dir.path().join("ca.pem");
    std::fs::write(&not_pem, "not a certificate").expect("write");
    let mut config = ClientConfig::new("https://127.0.0.1:8200");
    config.tls.ca_cert = Some(not_pem);
    let err = VaultClient::new(config).expect_err("no certificate in the file");
    assert!(err.to_string().contains("no PEM certificate"), "{err}");

    let mut config = ClientConfig::new("https://127.0.0.1:8200");
    config.tls.ca_path = Some(dir.path().to_path_buf());
    let err = VaultClient::new(config).expect_err("no certificate in the directory");
    assert!(err.to_string().contains("VAULT_CAPATH"), "{err}");

    let mut config = ClientConfig::new("https://127.0.0.1:8200");
    config.tls.client_cert = Some(dir.path().join("cert.pem"));
    let err = VaultClient::new(config).expect_err("cert without key");
    assert!(err.to_string().contains("VAULT_CLIENT_KEY"), "{err}");
}

// --- decoding ------------------------------------------------------------------------------

const TOKEN_CREATED: &str = r#"{"request_id":"r","lease_id":"","renewable":false,"lease_duration":0,
  "data":null,"wrap_info":null,"warnings":["Policy \"nomad-server\" does not exist"],
  "auth":{"client_token":"hvs.CAESIPzTestTokenThatMustNeverBeShown","accessor":"acc-123",
   "policies":["default","nomad-server"],"token_policies":["default","nomad-server"],
   "metadata":null,"lease_duration":259200,"renewable":true,"entity_id":"","token_type":"service",
   "orphan":true,"mfa_requirement":null,"num_uses":0,"unknown_new_field":[1,2]},
  "mount_type":"token"}"#;

#[test]
fn token_create_answer_keeps_warnings_and_hides_the_token() {
    let server = TestServer::start(vec![Step::json(200, TOKEN_CREATED)]);
    let created = client_for(&server)
        .create_token_for_role(
            "nomad-cluster",
            &TokenCreateRequest {
                policies: vec!["nomad-server".into()],
                ..TokenCreateRequest::default()
            },
        )
        .expect("created");
    assert_eq!(created.auth.client_token.expose(), TOKEN);
    assert_eq!(created.auth.lease_duration, 259_200);
    assert!(created.auth.orphan && created.auth.renewable);
    assert_eq!(
        created.warnings,
        [r#"Policy "nomad-server" does not exist"#]
    );
    let shown = format!("{created:?}");
    assert!(
        !shown.contains(TOKEN) && shown.contains("acc-123"),
        "{shown}"
    );
    let request = &server.requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, "/v1/auth/token/create/nomad-cluster");
    assert_eq!(request.body, r#"{"policies":["nomad-server"]}"#);
}

#[test]
fn seal_status_tolerates_openbao_fields_and_unknown_ones() {
    let server = TestServer::start(vec![Step::json(200, SEAL_STATUS_SEALED)]);
    let status = client_for(&server).seal_status().expect("decodes");
    assert!(status.sealed && status.initialized);
    assert_eq!((status.t, status.n, status.progress), (3, 5, 1));
    assert_eq!(status.build_date, None);
    assert_eq!(status.commit_date.as_deref(), Some("2025-01-01T00:00:00Z"));
    assert_eq!(status.cluster_name, None);
}

#[test]
fn token_role_decodes_vault_answer_and_role_files() {
    let server = TestServer::start(vec![Step::json(
        200,
        r#"{"data":{"name":"nomad-cluster","allowed_policies":[],"disallowed_policies":["nomad-server"],
         "allowed_policies_glob":[],"disallowed_policies_glob":[],"allowed_entity_aliases":null,
         "orphan":true,"renewable":true,"path_suffix":"","period":0,"token_period":259200,
         "explicit_max_ttl":0,"token_explicit_max_ttl":0,"token_no_default_policy":false,
         "token_type":"default-service","brand_new_field":"x"},"mount_type":"token"}"#,
    )]);
    let role = client_for(&server)
        .read_token_role("nomad-cluster")
        .expect("decodes")
        .expect("exists");
    assert_eq!(role.disallowed_policies, ["nomad-server"]);
    assert_eq!(role.effective_period(), 259_200);
    assert!(role.orphan && role.renewable);
    assert_eq!(role.allowed_entity_aliases, None);

    let file: TokenRoleParams = serde_json::from_str(
        r#"{"disallowed_policies":"nomad-server","token_explicit_max_ttl":0,"orphan":true,
            "token_period":"72h","renewable":true,"token_ttl":"1h"}"#,
    )
    .expect("role file parses");
    assert_eq!(file.token_period, Some(259_200));
    assert_eq!(
        file.disallowed_policies.as_deref(),
        Some(&["nomad-server".to_string()][..])
    );
    let body = serde_json::to_value(&file).expect("serializes");
    assert_eq!(body["token_period"], 259_200);
    assert_eq!(
        body["token_ttl"], "1h",
        "unmodelled fields are sent as given"
    );
    assert!(body.get("period").is_none(), "unset fields are not sent");
}

#[test]
fn role_write_returns_vault_warnings() {
    let server = TestServer::start(vec![
        Step::json(
            200,
            r#"{"data":null,"warnings":["Both 'token_period' and deprecated 'period' value supplied, ignoring the deprecated value"]}"#,
        ),
        Step::json(
            200,
            r#"{"data":null,"warnings":["No token found with this accessor"]}"#,
        ),
        Step::empty(204),
    ]);
    let client = client_for(&server);
    let params = TokenRoleParams {
        period: Some(3600),
        token_period: Some(259_200),
        ..TokenRoleParams::default()
    };
    let warnings = client
        .write_token_role("nomad-cluster", &params)
        .expect("written");
    assert!(
        warnings[0].contains("ignoring the deprecated value"),
        "{warnings:?}"
    );
    let warnings = client.revoke_accessor("nope").expect("not an error");
    assert_eq!(warnings, ["No token found with this accessor"]);
    assert!(client
        .delete_token_role("nomad-cluster")
        .expect("deleted")
        .is_empty());
}

#[test]
fn capabilities_of_many_paths_come_from_one_request() {
    let server = TestServer::start(vec![Step::json(
        200,
        r#"{"auth/token/create/nomad-cluster":["update"],"auth/token/roles/nomad-cluster":["read"],
           "data":{"auth/token/create/nomad-cluster":["update"],"auth/token/roles/nomad-cluster":["read"],
           "sys/mounts":["deny"]},"sys/mounts":["deny"]}"#,
    )]);
    let paths = [
        "auth/token/create/nomad-cluster",
        "auth/token/roles/nomad-cluster",
        "sys/mounts",
    ];
    let caps = client_for(&server)
        .capabilities_self(&paths)
        .expect("decodes");
    assert_eq!(caps.len(), 3);
    assert_eq!(caps["auth/token/roles/nomad-cluster"], ["read"]);
    assert_eq!(caps["sys/mounts"], ["deny"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let body: serde_json::Value = serde_json::from_str(&requests[0].body).expect("JSON body");
    assert_eq!(body["paths"].as_array().map(Vec::len), Some(3));
}

#[test]
fn health_status_codes_are_answers_not_errors() {
    let server = TestServer::start(vec![
        Step::json(
            429,
            r#"{"initialized":true,"sealed":false,"standby":true,"version":"1.21.3"}"#,
        ),
        Step::json(
            200,
            r#"{"initialized":true,"sealed":false,"standby":true,"version":"1.21.3"}"#,
        ),
    ]);
    let client = client_for(&server);
    let health = client
        .health(&HealthQuery::default())
        .expect("standby answers");
    assert_eq!(health.http_status, 429);
    assert!(health.standby);
    let health = client
        .health(&HealthQuery {
            standby_ok: true,
            sealed_code: Some(200),
            ..HealthQuery::default()
        })
        .expect("standbyok answers");
    assert_eq!(health.http_status, 200);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "a 429 from sys/health is not retried");
    assert_eq!(
        requests[1].target,
        "/v1/sys/health?standbyok=true&sealedcode=200"
    );
}

#[test]
fn init_answer_and_lookups_never_show_secrets_in_debug() {
    let server = TestServer::start(vec![
        Step::json(
            200,
            &format!(
                r#"{{"keys":["{SHARE}"],"keys_base64":["qhG7IswzTdzuVf9meIiZAKoRuyLMM03c7lX/ZniImQA="],"root_token":"{TOKEN}"}}"#
            ),
        ),
        Step::json(
            200,
            &format!(
                r#"{{"data":{{"id":"{TOKEN}","accessor":"acc","policies":["root"],"path":"auth/token/root",
              "display_name":"root","creation_ttl":0,"ttl":0,"expire_time":null,"type":"service","meta":null}}}}"#
            ),
        ),
        Step::json(
            200,
            r#"{"data":{"data":{"password":"hunter2-db-password"},"metadata":{"version":3,"created_time":"t","deletion_time":"","destroyed":false}}}"#,
        ),
    ]);
    let client = client_for(&server);
    let init = client
        .init(&InitRequest::shamir(1, 1))
        .expect("initialised");
    assert_eq!(init.keys[0].expose(), SHARE);
    let lookup = client.lookup_self().expect("looked up");
    assert!(lookup.is_root());
    assert_eq!(lookup.expire_time, None);
    let secret = client
        .kv2_read("secret", "db")
        .expect("read")
        .expect("exists");
    assert_eq!(secret.metadata.version, 3);
    for shown in [
        format!("{init:?}"),
        format!("{lookup:?}"),
        format!("{secret:?}"),
        format!("{client:?}"),
    ] {
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(!shown.contains(SHARE), "{shown}");
        assert!(!shown.contains("qhG7Is"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}

#[test]
fn lookup_accessor_empty_id_is_none_and_body_carries_the_accessor() {
    let server = TestServer::start(vec![Step::json(
        200,
        r#"{"data":{"id":"","accessor":"acc-9","policies":["default","nomad-server"],"orphan":true,
          "period":259200,"renewable":true,"ttl":"259150","creation_ttl":259200,"role":"nomad-cluster"}}"#,
    )]);
    let lookup = client_for(&server)
        .lookup_accessor("acc-9")
        .expect("decodes");
    assert!(lookup.id.is_none());
    assert_eq!(lookup.period, Some(259_200));
    assert_eq!(lookup.ttl, 259_150, "a numeric string is accepted");
    assert_eq!(lookup.role.as_deref(), Some("nomad-cluster"));
    assert_eq!(server.requests()[0].body, r#"{"accessor":"acc-9"}"#);
}

#[test]
fn auth_mounts_expose_accessors_and_kv_write_returns_the_version() {
    let server = TestServer::start(vec![
        Step::json(
            200,
            r#"{"request_id":"r","data":{"jwt-nomad/":{"type":"jwt","accessor":"auth_jwt_1a2b3c4d","description":"",
              "config":{"default_lease_ttl":0},"options":null,"local":false,"seal_wrap":false},
              "token/":{"type":"token","accessor":"auth_token_5e6f"}}}"#,
        ),
        Step::json(
            200,
            r#"{"data":{"version":2,"created_time":"2026-01-01T00:00:00Z","deletion_time":"","destroyed":false}}"#,
        ),
    ]);
    let client = client_for(&server);
    let auth = client.list_auth_mounts().expect("decodes");
    assert_eq!(auth["jwt-nomad/"].accessor, "auth_jwt_1a2b3c4d");
    assert_eq!(auth.len(), 2);
    let mut data = BTreeMap::new();
    data.insert("username".to_string(), serde_json::json!("app"));
    let (version, warnings) = client
        .kv2_write("secret", "hashicups/db", &data)
        .expect("written");
    assert_eq!(version.version, 2);
    assert!(warnings.is_empty());
    let requests = server.requests();
    assert_eq!(requests[1].target, "/v1/secret/data/hashicups/db");
    assert_eq!(requests[1].body, r#"{"data":{"username":"app"}}"#);
}

#[test]
fn with_address_and_with_token_reuse_the_client() {
    let first = TestServer::start(vec![Step::json(200, r#"{"initialized":false}"#)]);
    let second = TestServer::start(vec![Step::json(200, POLICY_BODY)]);
    let client = client_for(&first);
    assert!(!client.init_status().expect("first node"));
    let other = client
        .with_address(&format!("{}/", second.url()))
        .expect("valid address")
        .with_token(SecretString::new("s.other"));
    assert_eq!(other.address(), second.url());
    other.read_policy("nomad-server").expect("second node");
    assert_eq!(
        second.requests()[0].header("x-vault-token"),
        Some("s.other")
    );
    assert!(
        client.take_notices().is_empty(),
        "loopback http is not warned about"
    );
}

/// Keeps every exchange it is told about, as text.
#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<String>>);

impl RequestObserver for Recorder {
    fn exchange(&self, event: &RequestEvent<'_>) {
        self.0.lock().expect("lock").push(event.to_string());
    }
}

#[test]
fn every_exchange_is_reported_to_the_observer_without_the_token() {
    let server = TestServer::start(vec![
        Step::json(500, r#"{"errors":["internal error"]}"#),
        Step::json(200, POLICY_BODY),
    ]);
    let recorder = std::sync::Arc::new(Recorder::default());
    let client = VaultClient::observed(config(&server.url()), Some(recorder.clone()))
        .expect("client builds");
    // A clone for another token reports to the same observer.
    client
        .with_token(SecretString::new("s.other"))
        .read_policy("nomad-server")
        .expect("second attempt succeeds");
    let seen = recorder.0.lock().expect("lock").clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    let node = server.url();
    assert!(
        seen[0].starts_with(&format!(
            "GET sys/policies/acl/nomad-server → 500 (attempt 1, node {node}, "
        )),
        "{seen:?}"
    );
    assert!(
        seen[1].starts_with("GET sys/policies/acl/nomad-server → 200 (attempt 2,"),
        "{seen:?}"
    );
    assert!(seen
        .iter()
        .all(|line| !line.contains(TOKEN) && !line.contains("s.other")));
}

// --- TLS -----------------------------------------------------------------------------------

/// A TCP listener that reads the TLS ClientHello, answers plain HTTP, and hands the hello's
/// bytes back (the SNI name travels in clear in it).
fn plain_http_listener_capturing_client_hello() -> (String, std::sync::mpsc::Receiver<Vec<u8>>) {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut hello = vec![0u8; 4096];
            let read = stream.read(&mut hello).unwrap_or(0);
            hello.truncate(read);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            let _ = tx.send(hello);
        }
    });
    (format!("https://127.0.0.1:{port}"), rx)
}

#[test]
fn https_to_a_plain_http_listener_says_the_server_does_not_speak_tls() {
    let (address, _hello) = plain_http_listener_capturing_client_hello();
    let err = VaultClient::new(config(&address))
        .expect("client builds")
        .seal_status()
        .expect_err("no TLS on the other side");
    assert!(
        matches!(
            err,
            VaultError::Tls {
                problem: TlsProblem::NotTls,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("http://"), "{err}");
}

#[test]
fn tls_server_name_is_sent_as_sni_to_the_address_host() {
    let (address, hello) = plain_http_listener_capturing_client_hello();
    let mut config = config(&address);
    config.tls.server_name = Some("vault.service.consul".into());
    let err = VaultClient::new(config)
        .expect("client builds")
        .seal_status()
        .expect_err("no TLS on the other side");
    assert!(matches!(err, VaultError::Tls { .. }), "{err:?}");
    let hello = hello
        .recv_timeout(Duration::from_secs(5))
        .expect("the connection went to the address's IP and port");
    let sni = b"vault.service.consul";
    assert!(
        hello.windows(sni.len()).any(|w| w == sni),
        "the ClientHello names the server name"
    );
}
