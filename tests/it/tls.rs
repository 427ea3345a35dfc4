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
