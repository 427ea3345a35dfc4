//! TLS settings end to end: an https endpoint whose certificate comes from a private CA (the
//! sandbox's TLS test server). Without the CA the handshake fails with advice naming
//! `--ca-cert`/`VAULT_CACERT`; with it (flag, environment or CA directory) the handshake succeeds.
//! The endpoint is not a Vault, so "succeeds" means the failure is no longer a TLS one.

use crate::support;

use support::Nvctl;
use vault_sandbox::testing::JwksServer;

fn tls_endpoint() -> (JwksServer, tempfile::TempDir, std::path::PathBuf) {
    let server = JwksServer::start_ed25519_tls().expect("TLS test server");
    let dir = support::workdir();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, server.ca_pem().expect("a CA")).unwrap();
    (server, dir, ca)
}

#[test]
fn an_unknown_issuer_fails_with_advice_to_pass_the_ca() {
    let (server, _dir, _ca) = tls_endpoint();
    Nvctl::new()
        .args([
            "status",
            "--max-retries",
            "0",
            "--address",
            &server.base_url(),
        ])
        .run()
        .exit(2)
        .stderr_has("TLS handshake")
        .stderr_has("--ca-cert");
}

#[test]
fn the_ca_from_the_flag_the_environment_or_a_directory_is_trusted() {
    let (server, dir, ca) = tls_endpoint();
    let runs = [
        Nvctl::new().arg("--ca-cert").arg(&ca),
        Nvctl::new().env("VAULT_CACERT", ca.to_str().unwrap()),
        Nvctl::new().arg("--ca-path").arg(dir.path()),
    ];
    for nvctl in runs {
        let run = nvctl
            .args([
                "status",
                "--max-retries",
                "0",
                "--address",
                &server.base_url(),
            ])
            .run()
            .stderr_lacks("TLS handshake")
            .stderr_has("sys/seal-status");
        // The server is not a Vault: the status call fails after a good handshake.
        assert_eq!(run.code, 2, "{}", run.stderr);
    }
}

#[test]
fn skip_verify_accepts_any_certificate() {
    let (server, _dir, _ca) = tls_endpoint();
    Nvctl::new()
        .env("VAULT_SKIP_VERIFY", "true")
        .args([
            "status",
            "--max-retries",
            "0",
            "--address",
            &server.base_url(),
        ])
        .run()
        .exit(2)
        .stderr_lacks("TLS handshake")
        .stderr_has("sys/seal-status");
}

#[test]
fn a_tls_server_name_the_certificate_does_not_carry_is_refused() {
    let (server, _dir, ca) = tls_endpoint();
    Nvctl::new()
        .arg("--ca-cert")
        .arg(&ca)
        .args([
            "status",
            "--max-retries",
            "0",
            "--tls-server-name",
            "vault.example.com",
            "--address",
            &server.base_url(),
        ])
        .run()
        .exit(2)
        .stderr_has("TLS handshake");
}

/// `--tls-server-name localhost` with the address `https://127.0.0.1:…`: the certificate names
/// localhost, so the handshake succeeds — nvctl connects to the address's IP and verifies (and
/// sends in SNI) the name given.
#[test]
fn a_tls_server_name_the_certificate_carries_is_verified_against_it() {
    let (server, _dir, ca) = tls_endpoint();
    let address = server.base_url();
    assert!(address.starts_with("https://127.0.0.1:"), "{address}");
    Nvctl::new()
        .arg("--ca-cert")
        .arg(&ca)
        .args([
            "status",
            "--max-retries",
            "0",
            "--tls-server-name",
            "localhost",
            "--address",
            &address,
        ])
        .run()
        .exit(2)
        .stderr_lacks("TLS handshake")
        .stderr_has("sys/seal-status");
}

/// tests/fixtures/tls: a throwaway self-signed client certificate (client.pem) with its key
/// (client.key), and an unrelated key (other.key) — test material only, made with openssl.
fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

/// A client certificate with a key that is not its own is refused when read, in one clear
/// message naming both files (exit 1, nothing sent) — not at the first connection.
#[test]
fn a_client_key_that_is_not_the_certificates_is_refused_before_anything_is_sent() {
    support::sandbox_only("counts the requests Vault received");
    let vault = support::dev_sandbox();
    let run = Nvctl::new()
        .sandbox(&vault)
        .arg("--client-cert")
        .arg(fixture("client.pem"))
        .arg("--client-key")
        .arg(fixture("other.key"))
        .args(["status", "--max-retries", "0"])
        .run()
        .exit(1)
        .stderr_has("do not form a PEM identity")
        .stderr_has("the certificate and the key do not go together")
        .stderr_has("client.pem")
        .stderr_lacks("panicked");
    assert!(vault.requests().is_empty(), "{}", run.stderr);

    // Its own key is accepted (the sandbox speaks plain http: the identity is only loaded).
    Nvctl::new()
        .sandbox(&vault)
        .arg("--client-cert")
        .arg(fixture("client.pem"))
        .arg("--client-key")
        .arg(fixture("client.key"))
        .args(["status", "--max-retries", "0"])
        .run()
        .exit(0);
}
