//! Issue 10, answers of the wrong shape: a success whose body is not what the endpoint answers
//! (`{"data":{}}` for a policy read, HTML with 200, a `data` that is not an object, fields nvctl
//! relies on missing) is an error naming what was expected and the URL it came from — exit 2,
//! never an empty success. One decoder checks every typed read (src/vault/shape.rs).

use crate::support;

use std::io::{Read, Write};
use std::net::TcpListener;

use support::Nvctl;
use vault_sandbox::{Fault, SandboxHandle};

/// A sandbox whose every answer is `200 body` (requests are not applied).
fn answering(body: &str) -> SandboxHandle {
    support::sandbox_only("injects answers");
    let sandbox = support::dev_sandbox();
    sandbox.set_fault(Fault::respond_every(1, 200, body));
    sandbox
}

#[test]
fn an_empty_data_for_a_policy_read_is_an_error_not_an_empty_policy() {
    let sandbox = answering(r#"{"data":{}}"#);
    let addr = sandbox.addr();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "show", "--name", "nomad-server"])
        .run()
        .exit(2)
        .stderr_has(&format!(
            "unexpected answer from {addr}/v1/sys/policies/acl/nomad-server: expected a policy \
             (data.name, data.policy), but `data` has no `name`, `policy`"
        ));
    // `policy diff` would otherwise call an empty live policy "different".
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["policy", "diff"])
        .run()
        .exit(2)
        .stderr_has("expected a policy (data.name, data.policy)");
}

#[test]
fn a_data_that_is_not_an_object_is_named() {
    let sandbox = answering(r#"{"data":"nomad-cluster"}"#);
    let addr = sandbox.addr();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["role", "show", "--name", "nomad-cluster"])
        .run()
        .exit(2)
        .stderr_has(&format!(
            "unexpected answer from {addr}/v1/auth/token/roles/nomad-cluster: expected a token \
             role (data.name, data.allowed_policies, data.disallowed_policies, data.orphan, \
             data.renewable), but `data` is a string, not an object"
        ));
}

#[test]
fn a_token_lookup_missing_the_fields_nomad_checks_is_an_error() {
    let sandbox = answering(r#"{"data":{"id":"","display_name":"x"}}"#);
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["token", "lookup"])
        .run()
        .exit(2)
        .stderr_has(&format!(
            "unexpected answer from {}/v1/auth/token/lookup-self: expected a token lookup \
             (data.accessor, data.policies, data.ttl), but `data` has no `accessor`, \
             `policies`, `ttl`",
            sandbox.addr()
        ));
}

/// A web server (or a proxy's login page) answering 200 with HTML where Vault should be.
#[test]
fn html_with_200_is_an_error_naming_the_url() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { return };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match stream.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let body = "<!DOCTYPE html><html><body>Welcome to nginx!</body></html>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    Nvctl::new()
        .env("VAULT_ADDR", &addr)
        .env("VAULT_TOKEN", "hvs.test-token")
        .args(["token", "lookup", "--max-retries", "0"])
        .run()
        .exit(2)
        .stderr_has(&format!(
            "unexpected answer from {addr}/v1/auth/token/lookup-self: expected a token lookup \
             (data.accessor, data.policies, data.ttl), but the body is HTML, not JSON (a proxy \
             or a web server answered?)"
        ))
        .stderr_lacks("hvs.test-token");
}
