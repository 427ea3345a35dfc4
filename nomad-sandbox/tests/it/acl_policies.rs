//! `/v1/acl/policies` and `/v1/acl/policy/:name`: upsert, read, list, delete, Nomad's
//! validation and who may see what.

use nomad_sandbox::NomadSandbox;
use serde_json::json;

use crate::common::{get, put, send, DEPLOY_RULES, READONLY_RULES};

fn policy_body(name: &str, rules: &str) -> String {
    json!({"Name": name, "Description": "", "Rules": rules}).to_string()
}

/// command/agent/acl_endpoint.go:aclPolicyUpdate (200, empty body, X-Nomad-Index) and
/// aclPolicyQuery (RulesJSON with the expanded capabilities); nomad/acl_endpoint.go:GetPolicy.
#[test]
fn seed_policies_are_written_and_read_back() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    for (name, rules) in [("deploy", DEPLOY_RULES), ("readonly", READONLY_RULES)] {
        let w = put(
            &nomad.addr(),
            &format!("/v1/acl/policy/{name}"),
            Some(&root),
            &policy_body(name, rules),
        );
        assert_eq!((w.status, w.text.as_str()), (200, ""));
        assert!(w.header("x-nomad-index").is_some());
    }
    let read = get(&nomad.addr(), "/v1/acl/policy/deploy", Some(&root));
    assert_eq!(read.status, 200);
    let p = read.json();
    assert_eq!(p["Rules"], DEPLOY_RULES);
    assert_eq!(p["RulesJSON"]["Namespaces"][0]["Name"], "default");
    let caps = p["RulesJSON"]["Namespaces"][0]["Capabilities"]
        .as_array()
        .unwrap();
    assert!(caps.contains(&json!("submit-job")) && caps.contains(&json!("list-jobs")));
    assert_eq!(p["RulesJSON"]["Node"]["Policy"], "read");
    assert_eq!(base64_len(&p["Hash"]), 32);

    let list = get(&nomad.addr(), "/v1/acl/policies", Some(&root)).json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["deploy", "readonly"]);
    assert!(list[0].get("Rules").is_none(), "list entries are stubs");
}

fn base64_len(v: &serde_json::Value) -> usize {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap())
        .unwrap()
        .len()
}

/// nomad/structs/acl.go:ACLPolicy.Validate + acl/policy.go:Parse — every problem in one
/// multierror, `policy 0 invalid: …` (nomad/acl_endpoint.go:UpsertPolicies).
#[test]
fn invalid_policies_are_refused_with_nomads_messages() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    let cases = [
        (
            "dep loy",
            r#"namespace "default" { policy = "read" }"#.to_string(),
            "policy 0 invalid: 1 error occurred:\n\t* invalid name 'dep loy'\n\n",
        ),
        (
            "admin",
            r#"namespace "default" { policy = "admin" }"#.to_string(),
            "policy 0 invalid: 1 error occurred:\n\t* failed to parse rules: Invalid namespace policy: &acl.NamespacePolicy{Name:\"default\", Policy:\"admin\", Capabilities:[]string(nil), Variables:(*acl.VariablesPolicy)(nil)}\n\n",
        ),
        (
            "caps",
            r#"namespace "default" { capabilities = ["launch-missiles"] }"#.to_string(),
            "policy 0 invalid: 1 error occurred:\n\t* failed to parse rules: Invalid namespace capability 'launch-missiles': &acl.NamespacePolicy{Name:\"default\", Policy:\"\", Capabilities:[]string{\"launch-missiles\"}, Variables:(*acl.VariablesPolicy)(nil)}\n\n",
        ),
        (
            "typo",
            "node { policy = \"read\" }\nnodes { policy = \"read\" }".to_string(),
            "policy 0 invalid: 1 error occurred:\n\t* failed to parse rules: Invalid or duplicate policy keys: nodes\n\n",
        ),
    ];
    for (name, rules, expected) in cases {
        let path = format!("/v1/acl/policy/{}", name.replace(' ', "%20"));
        put(
            &nomad.addr(),
            &path,
            Some(&root),
            &policy_body(name, &rules),
        )
        .assert_error(400, expected);
    }
    let long = "d".repeat(257);
    let body = json!({"Name": "x", "Description": long, "Rules": "agent { policy = \"all\" }"})
        .to_string();
    put(&nomad.addr(), "/v1/acl/policy/x", Some(&root), &body).assert_error(
        400,
        "policy 0 invalid: 2 errors occurred:\n\t* failed to parse rules: Invalid agent policy: &acl.AgentPolicy{Policy:\"all\"}\n\t* description longer than 256\n\n",
    );
    assert_eq!(
        get(&nomad.addr(), "/v1/acl/policies", Some(&root)).json(),
        json!([])
    );
}

/// command/agent/acl_endpoint.go:aclPolicyUpdate — the body's Name must match the path;
/// decodeBody's `Request body is empty`; ACLPolicySpecificRequest's `Missing Policy Name`.
#[test]
fn request_shape_errors_come_before_authentication() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let addr = nomad.addr();
    // No token at all: the shape is checked first.
    put(
        &addr,
        "/v1/acl/policy/deploy",
        None,
        &policy_body("other", DEPLOY_RULES),
    )
    .assert_error(400, "ACL policy name does not match request path");
    send(&addr, "PUT", "/v1/acl/policy/deploy", None, None)
        .assert_error(400, "Request body is empty");
    put(&addr, "/v1/acl/policy/deploy", None, "[1]").assert_error(
        400,
        "json: cannot unmarshal array into Go value of type structs.ACLPolicy",
    );
    get(&addr, "/v1/acl/policy/", None).assert_error(400, "Missing Policy Name");
    send(&addr, "PATCH", "/v1/acl/policy/deploy", None, None).assert_error(405, "Invalid method");
    // A well-formed write without a token is refused by the RPC.
    put(
        &addr,
        "/v1/acl/policy/deploy",
        None,
        &policy_body("deploy", DEPLOY_RULES),
    )
    .assert_error(403, "Permission denied");
}

/// nomad/acl_endpoint.go:UpsertPolicies/GetPolicy/ListPolicies — writes need management; a
/// client token reads and lists only its own policies; a missing policy is 404.
#[test]
fn client_tokens_see_only_their_own_policies() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    nomad.put_policy("deploy", DEPLOY_RULES).unwrap();
    nomad.put_policy("readonly", READONLY_RULES).unwrap();
    let (_, client) = nomad.create_token("ci", "client", &["deploy"]).unwrap();
    let addr = nomad.addr();

    put(
        &addr,
        "/v1/acl/policy/deploy",
        Some(&client),
        &policy_body("deploy", DEPLOY_RULES),
    )
    .assert_error(403, "Permission denied");
    assert_eq!(
        get(&addr, "/v1/acl/policy/deploy", Some(&client)).status,
        200
    );
    get(&addr, "/v1/acl/policy/readonly", Some(&client)).assert_error(403, "Permission denied");
    let own = get(&addr, "/v1/acl/policies", Some(&client)).json();
    assert_eq!(own.as_array().unwrap().len(), 1);
    get(&addr, "/v1/acl/policy/nope", Some(&root)).assert_error(404, "ACL policy not found");
}

/// command/agent/acl_endpoint.go:aclPolicyDelete — 200 empty, also for a missing policy
/// (the state store deletes whatever matches).
#[test]
fn deleting_a_policy_needs_management_and_is_idempotent() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    nomad.put_policy("deploy", DEPLOY_RULES).unwrap();
    let addr = nomad.addr();
    send(&addr, "DELETE", "/v1/acl/policy/deploy", None, None)
        .assert_error(403, "Permission denied");
    for _ in 0..2 {
        let d = send(&addr, "DELETE", "/v1/acl/policy/deploy", Some(&root), None);
        assert_eq!((d.status, d.text.as_str()), (200, ""));
    }
    get(&addr, "/v1/acl/policy/deploy", Some(&root)).assert_error(404, "ACL policy not found");
}
