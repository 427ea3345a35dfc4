//! Issue 10, security: redirects that would carry the token elsewhere are refused (exit 2, with
//! the reason), and credentials given in an address are never printed.

use crate::support;

use support::Nvctl;
use vault_sandbox::testing::JwksServer;

/// Vault's own client refuses an https → http redirect ("redirect would cause protocol
/// downgrade", hashicorp/vault api/client.go RawRequestWithContext); nvctl does too, and says
/// why. The plain-http target never sees a request.
#[test]
fn an_https_to_http_redirect_is_refused_and_the_token_never_sent() {
    support::sandbox_only("needs a redirecting https endpoint");
    let target = support::dev_sandbox();
    let standby = JwksServer::start_ed25519_tls().expect("TLS server");
    standby.redirect_to(&target.addr());
    let dir = support::workdir();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, standby.ca_pem().expect("CA")).expect("write CA");
    target.clear_requests();
    Nvctl::new()
        .env("VAULT_TOKEN", "hvs.must-stay-home")
        .args(["token", "lookup", "--max-retries", "0", "--ca-cert"])
        .arg(&ca)
        .args(["--address", &standby.base_url()])
        .run()
        .exit(2)
        .stderr_has(&format!(
            "{} redirected auth/token/lookup-self to {}/v1/auth/token/lookup-self, which nvctl \
             does not follow: it would downgrade https to plain http, sending the token and the \
             request in clear",
            standby.base_url(),
            target.addr()
        ))
        .hides("hvs.must-stay-home");
    assert!(target.requests().is_empty(), "the token went over http");
}

/// A redirect to a host the operator did not name is refused: `localhost` is not `127.0.0.1`
/// as far as the token is concerned.
#[test]
fn a_redirect_to_a_host_not_named_is_refused() {
    support::sandbox_only("needs a redirecting endpoint");
    let target = support::dev_sandbox();
    let port = target.socket_addr().port();
    let standby = JwksServer::start_ed25519().expect("server");
    standby.redirect_to(&format!("http://localhost:{port}"));
    target.clear_requests();
    Nvctl::new()
        .env("VAULT_TOKEN", "hvs.must-stay-home")
        .args(["token", "lookup", "--max-retries", "0"])
        .args(["--address", &standby.base_url()])
        .run()
        .exit(2)
        .stderr_has(&format!(
            "redirected auth/token/lookup-self to http://localhost:{port}/v1/auth/token/lookup-self, \
             which nvctl does not follow: localhost is not an address you named, and nvctl sends \
             the token only to those"
        ));
    assert!(target.requests().is_empty(), "the token went to localhost");
}

/// `http://user:password@host` works, and neither part is printed: not in the table, not with
/// -v, not in errors, not in JSON.
#[test]
fn credentials_in_an_address_are_never_printed() {
    let vault = support::vault();
    let addr = vault.addr();
    let with_credentials = addr.replacen("://", "://alice:pw-s3cret@", 1);
    for format in ["table", "json"] {
        let run = Nvctl::new()
            .env("VAULT_TOKEN", &vault.root_token())
            .args([
                "status",
                "-v",
                "--format",
                format,
                "--address",
                &with_credentials,
            ])
            .run()
            .exit(0)
            .hides("pw-s3cret")
            .hides("alice");
        assert!(
            run.stdout.contains(&addr) || run.stderr.contains(&addr),
            "the address itself is shown"
        );
    }
    // Unreachable, and not a URL at all: the errors show no credentials either.
    Nvctl::new()
        .args([
            "status",
            "--max-retries",
            "0",
            "--address",
            "http://alice:pw-s3cret@127.0.0.1:1",
        ])
        .run()
        .exit(2)
        .stderr_has("127.0.0.1:1")
        .hides("pw-s3cret")
        .hides("alice");
    Nvctl::new()
        .args(["status", "--address", "http://alice:pw-s3cret@:8200"])
        .run()
        .exit(1)
        .stderr_has("http://***@:8200")
        .hides("pw-s3cret");
}
