//! `nvctl dev --nomad`: the in-memory Vault and Nomad wired together, as an operator meets
//! them — the printed addresses and tokens work, and Vault's Nomad engine mints real Nomad
//! tokens.

use serde_json::{json, Value};

use crate::support::Nvctl;

fn vault_call(
    addr: &str,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let client = reqwest::blocking::Client::new();
    let mut req = client
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{addr}/v1/{path}"),
        )
        .header("X-Vault-Token", token);
    if let Some(body) = body {
        req = req.body(body.to_string());
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[test]
fn dev_nomad_starts_both_sandboxes_wired_together() {
    let running = Nvctl::new()
        .args(["dev", "--nomad", "--format", "json"])
        .spawn();
    running.await_stdout("\n");
    let doc: Value =
        serde_json::from_str(running.stdout_so_far().trim()).expect("one JSON document");
    let vault = doc["address"].as_str().unwrap().to_string();
    let root = doc["root_token"].as_str().unwrap().to_string();
    let nomad = doc["nomad"]["address"].as_str().unwrap().to_string();
    let management = doc["nomad"]["management_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(doc["nomad"]["secrets_mount"], "nomad");
    assert_eq!(
        doc["nomad"]["jwks_url"],
        format!("{nomad}/.well-known/jwks.json")
    );

    // Vault's engine points at the Nomad sandbox.
    let (status, access) = vault_call(&vault, "GET", "nomad/config/access", &root, None);
    assert_eq!(status, 200);
    assert_eq!(access["data"]["address"], nomad.as_str());

    // Nomad's ACLs are bootstrapped and the printed token is a management token.
    let me: Value = reqwest::blocking::Client::new()
        .get(format!("{nomad}/v1/acl/token/self"))
        .header("X-Nomad-Token", &management)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(me["Type"], "management");

    // The engine mints a real Nomad token through the wiring.
    let (status, _) = vault_call(
        &vault,
        "PUT",
        "nomad/role/deployer",
        &root,
        Some(json!({"policies": "deploy"})),
    );
    assert_eq!(status, 204);
    let (status, creds) = vault_call(&vault, "GET", "nomad/creds/deployer", &root, None);
    assert_eq!(status, 200, "{creds}");
    let minted: Value = reqwest::blocking::Client::new()
        .get(format!("{nomad}/v1/acl/token/self"))
        .header(
            "X-Nomad-Token",
            creds["data"]["secret_id"].as_str().unwrap(),
        )
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        (minted["Type"].as_str(), minted["Policies"].clone()),
        (Some("client"), json!(["deploy"]))
    );

    running.signal("TERM");
    running.finish();
}

#[test]
fn dev_nomad_prints_nomads_environment_in_the_table() {
    let running = Nvctl::new()
        .args(["dev", "--nomad", "--format", "table"])
        .spawn();
    running.await_stdout("Stop it with Ctrl-C.");
    let text = running.stdout_so_far();
    assert!(text.contains("export VAULT_TOKEN='"), "{text}");
    assert!(
        text.contains("Nomad sandbox (Nomad API) listening on http://127.0.0.1:"),
        "{text}"
    );
    assert!(
        text.contains("    export NOMAD_ADDR='http://127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("    export NOMAD_TOKEN='"), "{text}");
    running.signal("TERM");
    running.finish();
}

#[test]
fn dev_nomad_refuses_openbao_and_a_vault_it_cannot_configure() {
    Nvctl::new()
        .args(["dev", "--nomad", "--flavor", "openbao"])
        .run()
        .exit(1)
        .stderr_has("--nomad needs --flavor vault: OpenBao has no Nomad secrets engine");
    Nvctl::new()
        .args(["dev", "--nomad", "--sealed"])
        .run()
        .exit(1)
        .stderr_has("--sealed");
}
