//! An agent with `acl { enabled = false }`: the ACL API answers `ACL support disabled`,
//! everything else works without a token.

use nomad_sandbox::NomadSandbox;
use serde_json::json;

use crate::common::{get, put, send};

/// nomad/acl_endpoint.go `aclDisabled` (400) on every ACL RPC, bootstrap included.
#[test]
fn the_acl_api_says_acl_support_disabled() {
    let nomad = NomadSandbox::builder().acl_enabled(false).start().unwrap();
    let addr = nomad.addr();
    let token = json!({"Name": "x", "Type": "client", "Policies": ["deploy"]}).to_string();
    let policy = json!({"Name": "deploy", "Rules": "node { policy = \"read\" }"}).to_string();
    for answer in [
        send(&addr, "POST", "/v1/acl/bootstrap", None, None),
        put(&addr, "/v1/acl/token", None, &token),
        get(&addr, "/v1/acl/tokens", None),
        get(&addr, "/v1/acl/policies", None),
        put(&addr, "/v1/acl/policy/deploy", None, &policy),
        send(
            &addr,
            "DELETE",
            "/v1/acl/token/c834ba40-8d84-b0c1-c084-3a31d3383c03",
            None,
            None,
        ),
    ] {
        answer.assert_error(400, "ACL support disabled");
    }
    assert!(nomad.management_token().is_none());
}

/// nomad/acl_endpoint.go:WhoAmI does not check ACLEnabled: the agent answers with
/// structs.ACLsDisabledToken.
#[test]
fn token_self_answers_with_the_acls_disabled_token() {
    let nomad = NomadSandbox::builder().acl_enabled(false).start().unwrap();
    let me = get(&nomad.addr(), "/v1/acl/token/self", Some("whatever")).json();
    assert_eq!(me["AccessorID"], "acls-disabled");
    assert_eq!(me["Name"], "ACLs disabled token");
    assert_eq!(me["Type"], "client");
}

/// Before 1.5 token/self went through ACL.ResolveToken, which checks ACLEnabled.
#[test]
fn old_nomads_refuse_token_self_when_acls_are_off() {
    let nomad = NomadSandbox::builder()
        .version("1.4.7")
        .acl_enabled(false)
        .start()
        .unwrap();
    get(&nomad.addr(), "/v1/acl/token/self", None).assert_error(400, "ACL support disabled");
}

/// auth.go:ResolveACL returns acl.ACLsDisabledACL: agent and job endpoints need no token.
#[test]
fn agent_and_jobs_work_without_a_token() {
    let nomad = NomadSandbox::builder().acl_enabled(false).start().unwrap();
    let me = get(&nomad.addr(), "/v1/agent/self", None);
    assert_eq!(me.json()["config"]["ACL"]["Enabled"], false);
    let job = json!({"Job": {"ID": "web", "TaskGroups": [{"Name": "g", "Tasks": [{"Name": "t", "Driver": "docker"}]}]}});
    assert_eq!(
        put(&nomad.addr(), "/v1/jobs", None, &job.to_string()).status,
        200
    );
    assert_eq!(get(&nomad.addr(), "/v1/job/web", None).json()["ID"], "web");
}
