//! Issue 10, local files: `--yes` never overwrites a file nvctl did not write. An output path
//! that exists is replaced only when it holds what nvctl writes there (a token file: one line,
//! the token; a `vault` block file: one `vault` block, nothing else); anything else is refused
//! with its path, exit 1, before Vault is contacted — and left as it was.

use crate::support;

use support::Nvctl;
use vault_sandbox::{Sandbox, SandboxHandle};

const AGENT_CONFIG: &str = "data_dir = \"/opt/nomad\"\n\nserver {\n  enabled          = true\n  bootstrap_expect = 3\n}\n\nvault {\n  enabled = true\n  address = \"https://vault.example.com:8200\"\n}\n";

fn untouched_uninitialised() -> SandboxHandle {
    support::sandbox_only("counts the requests an uninitialised sandbox received");
    Sandbox::builder().uninitialized().start().expect("sandbox")
}

#[test]
fn bootstrap_yes_never_replaces_a_token_output_nvctl_did_not_write() {
    let sandbox = untouched_uninitialised();
    let dir = support::workdir();
    let token = dir.path().join("nomad-server.token");
    std::fs::write(&token, "# my notes\nhvs.mine\n").expect("write");
    Nvctl::new()
        .env("VAULT_ADDR", &sandbox.addr())
        .current_dir(dir.path())
        .args(["bootstrap", "--yes", "--token-output"])
        .arg(&token)
        .run()
        .exit(1)
        .stderr_has(&format!(
            "--token-output {} exists and it is not a token file as nvctl writes it (one line: \
             the token); nvctl replaces only files it wrote: move it away or choose another path",
            token.display()
        ));
    assert_eq!(
        std::fs::read_to_string(&token).expect("read"),
        "# my notes\nhvs.mine\n"
    );
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
}

#[test]
fn server_stanza_output_onto_a_whole_agent_config_is_refused() {
    let sandbox = untouched_uninitialised();
    let dir = support::workdir();
    let agent = dir.path().join("nomad.hcl");
    std::fs::write(&agent, AGENT_CONFIG).expect("write");
    Nvctl::new()
        .env("VAULT_ADDR", &sandbox.addr())
        .current_dir(dir.path())
        .args(["bootstrap", "--yes", "--server-stanza-output"])
        .arg(&agent)
        .run()
        .exit(1)
        .stderr_has(&format!(
            "--server-stanza-output {} exists and it is a Nomad agent configuration (it has \
             `data_dir`, `server` besides `vault`), not a `vault` block file: nvctl writes only \
             the block, in a file of its own (Nomad merges every file of its -config directory, \
             e.g. /etc/nomad.d/vault.hcl); nvctl replaces only files it wrote",
            agent.display()
        ));
    assert_eq!(std::fs::read_to_string(&agent).expect("read"), AGENT_CONFIG);
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
}

/// `stanza --output`: a block file nvctl wrote is replaced (after consent), anything else is
/// not — whatever `--yes` says.
#[test]
fn stanza_output_replaces_only_a_block_file_nvctl_wrote() {
    let dir = support::workdir();
    let block = dir.path().join("vault.hcl");
    let write = |address: &str| {
        Nvctl::new()
            .args([
                "stanza",
                "client",
                "--yes",
                "--vault-address",
                address,
                "--output",
            ])
            .arg(&block)
            .run()
    };
    write("https://vault-1.example.com:8200").exit(0);
    write("https://vault-2.example.com:8200").exit(0);
    let text = std::fs::read_to_string(&block).expect("read");
    assert!(text.contains("vault-2.example.com"), "{text}");

    std::fs::write(&block, AGENT_CONFIG).expect("write");
    write("https://vault-3.example.com:8200")
        .exit(1)
        .stderr_has(&format!(
            "--output {} exists and it is a Nomad agent configuration",
            block.display()
        ));
    assert_eq!(std::fs::read_to_string(&block).expect("read"), AGENT_CONFIG);

    std::fs::write(&block, "just some notes\n").expect("write");
    write("https://vault-3.example.com:8200")
        .exit(1)
        .stderr_has(&format!(
            "--output {} exists and it is not a `vault` block file as nvctl writes it (one \
             `vault` block, nothing else)",
            block.display()
        ));
    assert_eq!(
        std::fs::read_to_string(&block).expect("read"),
        "just some notes\n"
    );
}
