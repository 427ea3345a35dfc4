//! `/v1/jobs` and `/v1/job/:id` in Nomad's JSON job format.

use nomad_sandbox::NomadSandbox;
use serde_json::{json, Value};

use crate::common::{get, put, send};

/// A job like seed 000's: one task reading a KV secret through a template.
fn web_job(policies: Value) -> Value {
    json!({"Job": {
        "ID": "hashicups", "Name": "hashicups", "Type": "service", "Datacenters": ["dc1"],
        "TaskGroups": [{"Name": "api", "Count": 1, "Tasks": [{
            "Name": "server", "Driver": "docker", "Config": {"image": "hashicups/api"},
            "Vault": {"Policies": policies, "ChangeMode": "signal", "ChangeSignal": "sighup"},
            "Templates": [{"EmbeddedTmpl": "{{with secret \"secret/data/hashicups-api\"}}{{index .Data.data \"api-key\"}}{{end}}", "DestPath": "secrets/api.env", "Envvars": true}]
        }]}]
    }})
}

/// command/agent/job_endpoint.go:jobUpdate + api canonicalisation; jobQuery returns the job
/// with its task Vault and Templates blocks (structs.Job JSON).
#[test]
fn a_registered_job_reads_back_with_its_vault_block() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    let reg = put(
        &nomad.addr(),
        "/v1/jobs",
        Some(&root),
        &web_job(json!(["hashicups-api"])).to_string(),
    );
    assert_eq!(reg.status, 200, "{}", reg.text);
    assert!(reg.json()["EvalID"].is_string());
    let job = get(&nomad.addr(), "/v1/job/hashicups", Some(&root));
    assert_eq!(job.status, 200);
    let job = job.json();
    assert_eq!(job["Namespace"], "default");
    assert_eq!(job["Region"], "global");
    assert_eq!(job["Status"], "pending");
    assert_eq!(job["Version"], 0);
    let task = &job["TaskGroups"][0]["Tasks"][0];
    assert_eq!(
        task["Vault"],
        json!({"Role": "", "Policies": ["hashicups-api"], "Namespace": "", "Cluster": "default",
        "Env": true, "DisableFile": false, "ChangeMode": "signal", "ChangeSignal": "SIGHUP", "AllowTokenExpiration": false})
    );
    assert_eq!(task["Templates"][0]["DestPath"], "secrets/api.env");
    assert_eq!(task["Templates"][0]["ChangeMode"], "restart");
    assert_eq!(task["Templates"][0]["Splay"], 5_000_000_000_i64);

    // Re-registering bumps the version; the list shows a stub.
    put(
        &nomad.addr(),
        "/v1/job/hashicups",
        Some(&root),
        &web_job(json!(["hashicups-api"])).to_string(),
    );
    assert_eq!(
        get(&nomad.addr(), "/v1/job/hashicups", Some(&root)).json()["Version"],
        1
    );
    let list = get(&nomad.addr(), "/v1/jobs", Some(&root)).json();
    assert_eq!(list[0]["ID"], "hashicups");
    assert!(list[0].get("TaskGroups").is_none());
}

/// From Nomad 1.10 structs.Vault has no Policies: the jobspec's are silently dropped.
#[test]
fn nomad_1_10_drops_vault_policies() {
    let nomad = NomadSandbox::builder()
        .version("1.10.0")
        .bootstrapped()
        .start()
        .unwrap();
    nomad
        .register_job(&web_job(json!(["hashicups-api"])))
        .unwrap();
    let root = nomad.management_token().unwrap();
    let vault = &get(&nomad.addr(), "/v1/job/hashicups", Some(&root)).json()["TaskGroups"][0]
        ["Tasks"][0]["Vault"];
    assert!(vault.get("Policies").is_none(), "{vault}");
}

/// nomad/job_endpoint_hook_vault.go:Validate and structs.Vault.Validate run as admission
/// controllers: their multierror is a 500 (nomad/job_endpoint.go:doRegister).
#[test]
fn vault_problems_are_refused_at_registration() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    put(&nomad.addr(), "/v1/jobs", Some(&root), &web_job(json!(["root"])).to_string()).assert_error(
        500,
        "1 error occurred:\n\t* Task group api validation failed: 1 error occurred:\n\t* Task server validation failed: 1 error occurred:\n\t* Vault validation failed: 1 error occurred:\n\t* Can not specify \"root\" policy\n\n\n\n\n\n\n\n",
    );
    let off = NomadSandbox::builder()
        .vault_enabled(false)
        .acl_enabled(false)
        .start()
        .unwrap();
    put(
        &off.addr(),
        "/v1/jobs",
        None,
        &web_job(json!(["x"])).to_string(),
    )
    .assert_error(
        500,
        "1 error occurred:\n\t* Vault \"default\" not enabled but used in the job\n\n",
    );
}

/// command/agent/job_endpoint.go:jobUpdate's own checks.
#[test]
fn malformed_register_requests() {
    let nomad = NomadSandbox::builder().acl_enabled(false).start().unwrap();
    let addr = nomad.addr();
    put(&addr, "/v1/jobs", None, "{}").assert_error(400, "Job must be specified");
    put(&addr, "/v1/jobs", None, r#"{"Job":{"Name":"x"}}"#)
        .assert_error(400, "Job ID hasn't been provided");
    put(
        &addr,
        "/v1/job/other",
        None,
        &web_job(json!(["a"])).to_string(),
    )
    .assert_error(400, "Job ID does not match name");
    put(&addr, "/v1/jobs", None, r#"{"Job":{"ID":"x"}}"#)
        .assert_error(500, "1 error occurred:\n\t* Missing job task groups\n\n");
    send(&addr, "PATCH", "/v1/jobs", None, None).assert_error(405, "Invalid method");
    get(&addr, "/v1/job/missing", None).assert_error(404, "job not found");
}

/// nomad/job_endpoint.go:GetJob (read-job), List (list-jobs), Register (submit-job).
#[test]
fn job_endpoints_follow_namespace_capabilities() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    nomad
        .put_policy("deploy", crate::common::DEPLOY_RULES)
        .unwrap();
    nomad
        .put_policy("other", "namespace \"prod\" { policy = \"read\" }")
        .unwrap();
    let (_, deploy) = nomad.create_token("d", "client", &["deploy"]).unwrap();
    let (_, other) = nomad.create_token("o", "client", &["other"]).unwrap();
    let (_, ghost) = nomad
        .create_token("g", "client", &["no-such-policy"])
        .unwrap();
    let addr = nomad.addr();
    let body = web_job(json!(["a"])).to_string();
    assert_eq!(put(&addr, "/v1/jobs", Some(&deploy), &body).status, 200);
    put(&addr, "/v1/jobs", Some(&other), &body).assert_error(403, "Permission denied");
    get(&addr, "/v1/job/hashicups", Some(&other)).assert_error(403, "Permission denied");
    // A token naming a policy Nomad does not have may do nothing (seed 004: "Policy not found").
    get(&addr, "/v1/jobs", Some(&ghost)).assert_error(403, "Permission denied");
    assert_eq!(get(&addr, "/v1/job/hashicups", Some(&deploy)).status, 200);
    // namespace=* lists what the token may list.
    let all = get(&addr, "/v1/jobs?namespace=*", Some(&other)).json();
    assert_eq!(all, json!([]));
    let mine = get(&addr, "/v1/jobs?namespace=*", Some(&deploy)).json();
    assert_eq!(mine.as_array().unwrap().len(), 1);
}

/// command/agent/job_endpoint.go:jobDelete — stop (status dead) or purge.
#[test]
fn deregistering_stops_or_purges() {
    let nomad = NomadSandbox::builder().acl_enabled(false).start().unwrap();
    nomad.register_job(&web_job(json!(["a"]))).unwrap();
    let addr = nomad.addr();
    assert_eq!(
        send(&addr, "DELETE", "/v1/job/hashicups", None, None).status,
        200
    );
    assert_eq!(
        get(&addr, "/v1/job/hashicups", None).json()["Status"],
        "dead"
    );
    assert_eq!(
        send(&addr, "DELETE", "/v1/job/hashicups?purge=true", None, None).status,
        200
    );
    get(&addr, "/v1/job/hashicups", None).assert_error(404, "job not found");
}
