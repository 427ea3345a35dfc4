//! `GET /v1/agent/self`.

use nomad_sandbox::NomadSandbox;

use crate::common::{get, send};

/// command/agent/agent_endpoint.go:AgentSelfRequest — the config nvctl reads: ACL.Enabled,
/// Version, Region, Datacenter, the Vault block.
#[test]
fn agent_self_reports_acls_version_region_and_vault() {
    let nomad = NomadSandbox::builder()
        .version("1.8.4")
        .region("eu")
        .datacenter("eu-west-1")
        .bootstrapped()
        .start()
        .unwrap();
    let root = nomad.management_token().unwrap();
    let me = get(&nomad.addr(), "/v1/agent/self", Some(&root));
    assert_eq!(me.status, 200, "{}", me.text);
    let c = &me.json()["config"];
    assert_eq!(c["ACL"]["Enabled"], true);
    assert_eq!(c["Version"]["Version"], "1.8.4");
    assert_eq!(c["Region"], "eu");
    assert_eq!(c["Datacenter"], "eu-west-1");
    assert_eq!(c["Vaults"][0]["Enabled"], true);
    assert_eq!(c["Vaults"][0]["DefaultIdentity"]["Audience"][0], "vault.io");
    assert_eq!(me.json()["member"]["Tags"]["region"], "eu");
}

/// AgentSelfRequest needs agent:read; http.go:ResolveToken wraps Authenticate's error, which
/// http.go:wrap maps back to 403 `Permission denied` by its suffix.
#[test]
fn agent_self_needs_agent_read() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    nomad
        .put_policy("deploy", crate::common::DEPLOY_RULES)
        .unwrap();
    nomad
        .put_policy("agent-read", "agent { policy = \"read\" }")
        .unwrap();
    let (_, deploy) = nomad.create_token("d", "client", &["deploy"]).unwrap();
    let (_, reader) = nomad.create_token("r", "client", &["agent-read"]).unwrap();
    let addr = nomad.addr();
    get(&addr, "/v1/agent/self", None).assert_error(403, "Permission denied");
    get(&addr, "/v1/agent/self", Some(&deploy)).assert_error(403, "Permission denied");
    get(
        &addr,
        "/v1/agent/self",
        Some("c834ba40-8d84-b0c1-c084-3a31d3383c03"),
    )
    .assert_error(403, "Permission denied");
    assert_eq!(get(&addr, "/v1/agent/self", Some(&reader)).status, 200);
    get(&addr, "/v1/agent/self", Some("garbage")).assert_error(
        500,
        "ACL token not found or invalid workload identity: failed to parse signed token: go-jose/go-jose: compact JWS format must have three parts",
    );
    send(&addr, "PUT", "/v1/agent/self", None, None).assert_error(405, "Invalid method");
}

/// An `anonymous` policy applies to requests without a token (auth.go:ResolveACL).
#[test]
fn the_anonymous_policy_applies_without_a_token() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    nomad
        .put_policy("anonymous", "agent { policy = \"read\" }")
        .unwrap();
    assert_eq!(get(&nomad.addr(), "/v1/agent/self", None).status, 200);
}
