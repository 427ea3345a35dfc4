//! The documented setup sequence, one command per step, against a fresh Vault:
//! `init → unseal → policy write → role create → token create → stanza server`, then
//! `check-role` and `token check` — the seed tutorial's result (seeds/001, steps 1–7).

use crate::support;

use serde_json::json;
use support::{Http, Nvctl};
use vault_sandbox::Sandbox;

#[test]
fn the_documented_sequence_reproduces_the_tutorial_and_passes_nomads_checks() {
    support::sandbox_only("needs an uninitialised Vault");
    let sandbox = Sandbox::builder().uninitialized().start().unwrap();
    let dir = support::workdir();
    let init_file = dir.path().join("vault-init.json");
    let token_file = dir.path().join("nomad-server.token");
    let addr = sandbox.addr();
    let nvctl = || Nvctl::new().env("VAULT_ADDR", &addr);

    // Step 1: init 5/3, keys on disk.
    nvctl()
        .args(["init", "--output"])
        .arg(&init_file)
        .run()
        .exit(0);
    let init = support::read_json(&init_file);
    let root = init["root_token"].as_str().unwrap().to_string();
    assert_eq!(init["unseal_keys_b64"].as_array().unwrap().len(), 5);
    assert_eq!(init["unseal_threshold"], json!(3));

    // Step 2: unseal.
    nvctl()
        .args(["unseal", "--keys-file"])
        .arg(&init_file)
        .run()
        .exit(0);
    let (_, status) = Http::new(&addr, "").get("sys/seal-status");
    assert_eq!(status["sealed"], json!(false));

    let as_root = || nvctl().env("VAULT_TOKEN", &root);

    // Step 4 of the tutorial: the nomad-server policy with all seven paths.
    as_root().args(["policy", "write"]).run().exit(0);
    let http = Http::new(&addr, &root);
    let (status, policy) = http.get("sys/policies/acl/nomad-server");
    assert_eq!(status, 200);
    let text = policy["data"]["policy"].as_str().unwrap();
    for path in [
        "auth/token/create/nomad-cluster",
        "auth/token/roles/nomad-cluster",
        "auth/token/lookup-self",
        "auth/token/lookup",
        "auth/token/revoke-accessor",
        "sys/capabilities-self",
        "auth/token/renew-self",
    ] {
        assert!(
            text.contains(&format!("path \"{path}\"")),
            "policy lacks {path}"
        );
    }

    // Step 5: the nomad-cluster role.
    as_root().args(["role", "create"]).run().exit(0);
    let (status, role) = http.get("auth/token/roles/nomad-cluster");
    assert_eq!(status, 200);
    let role = &role["data"];
    assert_eq!(role["disallowed_policies"], json!(["nomad-server"]));
    assert_eq!(role["orphan"], json!(true));
    assert_eq!(role["token_period"], json!(259200));
    assert_eq!(role["renewable"], json!(true));
    assert_eq!(role["token_explicit_max_ttl"], json!(0));

    // Step 6: the server token — policies default + nomad-server, orphan, 72h period, renewable.
    as_root()
        .args(["token", "create", "--output"])
        .arg(&token_file)
        .run()
        .exit(0)
        .hides(&root);
    let token = std::fs::read_to_string(&token_file)
        .unwrap()
        .trim()
        .to_string();
    let (_, lookup) = Http::new(&addr, &token).get("auth/token/lookup-self");
    let data = &lookup["data"];
    assert_eq!(data["policies"], json!(["default", "nomad-server"]));
    assert_eq!(data["orphan"], json!(true));
    assert_eq!(data["renewable"], json!(true));
    assert_eq!(data["creation_ttl"], json!(259200));

    // Step 7: the server stanza.
    let stanza = as_root()
        .args(["stanza", "server", "--vault-address", &addr])
        .run()
        .exit(0);
    assert!(stanza
        .stdout
        .contains("create_from_role = \"nomad-cluster\""));
    hcl::from_str::<hcl::Body>(&stanza.stdout).expect("stanza parses");

    // And Nomad's start-up checks pass on the result.
    nvctl()
        .args(["check-role", "nomad-cluster", "--token-file"])
        .arg(&token_file)
        .run()
        .exit(0);
    nvctl()
        .args(["token", "check", "--token-file"])
        .arg(&token_file)
        .run()
        .exit(0)
        .hides(&token);
}
