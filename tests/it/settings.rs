//! Global options and the `VAULT_*` environment, end to end: precedence, invalid values
//! (clear message, exit 1, nothing sent), and how `status` reports on nodes.

use crate::support;

use std::time::Duration;

use serde_json::json;
use support::{Http, Nvctl};
use vault_sandbox::Sandbox;

#[test]
fn unparsable_skip_verify_names_the_variable() {
    Nvctl::new()
        .env("VAULT_SKIP_VERIFY", "maybe")
        .args(["status"])
        .run()
        .exit(1)
        .stderr_has("VAULT_SKIP_VERIFY");
}

#[test]
fn unparsable_skip_verify_flag_is_a_usage_error() {
    Nvctl::new()
        .args(["status", "--tls-skip-verify=perhaps"])
        .run()
        .exit(1)
        .stderr_has("--tls-skip-verify");
}

#[test]
fn invalid_numbers_and_durations_name_their_source() {
    for (var, value) in [
        ("VAULT_CLIENT_TIMEOUT", "soon"),
        ("VAULT_MAX_RETRIES", "many"),
        ("NVCTL_FORMAT", "yaml"),
        ("VAULT_ADDR", "ftp://vault:8200"),
    ] {
        Nvctl::new()
            .env(var, value)
            .args(["status"])
            .run()
            .exit(1)
            .stderr_has(var);
    }
    Nvctl::new()
        .args(["status", "--timeout=-5s"])
        .run()
        .exit(1)
        .stderr_has("--timeout");
    Nvctl::new()
        .args(["status", "--max-retries=-1"])
        .run()
        .exit(1)
        .stderr_has("invalid --max-retries: \"-1\" is not a whole number of retries");
}

#[test]
fn clap_usage_errors_exit_1_not_2() {
    Nvctl::new()
        .args(["status", "--no-such-flag"])
        .run()
        .exit(1)
        .stderr_has("unexpected argument '--no-such-flag' found")
        .stderr_has("Usage: nvctl status");
    // No command: the usage, on stderr.
    Nvctl::new()
        .run()
        .exit(1)
        .stderr_has("Usage: nvctl [OPTIONS] <COMMAND>");
}

#[test]
fn help_shows_the_whole_command_tree() {
    let run = Nvctl::new().arg("--help").run().exit(0);
    for command in [
        "bootstrap",
        "status",
        "init",
        "unseal",
        "policy",
        "role",
        "check-role",
        "token",
        "stanza",
        "doctor",
        "check-job",
        "dev",
        "completions",
    ] {
        assert!(run.stdout.contains(command), "help lacks {command}");
    }
}

#[test]
fn client_certificate_needs_both_halves() {
    Nvctl::new()
        .env("VAULT_CLIENT_CERT", "/tmp/cert.pem")
        .args(["status"])
        .run()
        .exit(1)
        .stderr_has("--client-key");
}

#[test]
fn a_missing_token_file_is_a_usage_error() {
    Nvctl::new()
        .args(["status", "--token-file", "/nonexistent/token"])
        .run()
        .exit(1)
        .stderr_has("--token-file");
}

#[test]
fn status_of_an_unreachable_address_exits_2_with_a_clear_message() {
    Nvctl::new()
        .args([
            "status",
            "--address",
            "http://127.0.0.1:1",
            "--max-retries",
            "0",
        ])
        .run()
        .exit(2)
        .stderr_has("is Vault running at http://127.0.0.1:1");
}

#[test]
fn address_flag_overrides_vault_addr() {
    let sandbox = support::dev_sandbox();
    Nvctl::new()
        .env("VAULT_ADDR", "http://127.0.0.1:1")
        .args(["status", "--address", &sandbox.addr()])
        .run()
        .exit(0)
        .stdout_has(&sandbox.addr());
}

#[test]
fn status_of_a_sealed_node_exits_3_and_shows_progress() {
    let sandbox = Sandbox::builder().sealed(5, 3).start().unwrap();
    let run = Nvctl::new()
        .sandbox(&sandbox)
        .args(["status", "--format", "json"])
        .run()
        .exit(3);
    let node = &run.json()["nodes"][0];
    assert_eq!(node["sealed"], json!(true));
    assert_eq!(node["threshold"], json!(3));
    assert_eq!(node["shares"], json!(5));
}

#[test]
fn status_of_active_and_standby_nodes() {
    let active = support::dev_sandbox();
    let standby = Sandbox::builder().standby_of(&active).start().unwrap();
    for key in active.unseal_keys() {
        Http::new(&standby.addr(), "").put("sys/unseal", &json!({ "key": key }));
    }
    let run = Nvctl::new()
        .args([
            "status",
            "--format",
            "json",
            "--address",
            &active.addr(),
            "--address",
        ])
        .arg(standby.addr())
        .run()
        .exit(0);
    let doc = run.json();
    assert_eq!(doc["nodes"][0]["ha_mode"], json!("active"));
    assert_eq!(doc["nodes"][1]["ha_mode"], json!("standby"));
}

#[test]
fn a_slow_vault_times_out_with_a_message_naming_the_limit() {
    let sandbox = Sandbox::builder()
        .dev(support::ROOT_TOKEN)
        .latency(Duration::from_secs(5))
        .start()
        .unwrap();
    let started = std::time::Instant::now();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["status", "--timeout", "1s"])
        .run()
        .exit(2)
        .stderr_has("within 1s")
        .stderr_has("--timeout");
    // Generous: the point is that nvctl gave up at its limit, not after Vault answered.
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// Token precedence: --token-file, then VAULT_TOKEN, then ~/.vault-token.
#[test]
fn token_sources_in_order_of_precedence() {
    let sandbox = support::dev_sandbox();
    let http = Http::new(&sandbox.addr(), support::ROOT_TOKEN);
    let mint = |name: &str| -> String {
        let (_, body) = http.put(
            "auth/token/create",
            &json!({ "display_name": name, "policies": ["default"] }),
        );
        body["auth"]["client_token"].as_str().unwrap().to_string()
    };
    let (from_file, from_env, from_home) = (mint("file"), mint("env"), mint("home"));
    let dir = support::workdir();
    let file = dir.path().join("token");
    std::fs::write(&file, format!("{from_file}\n")).unwrap();

    let lookup = |nvctl: Nvctl| -> String {
        let run = nvctl
            .env("VAULT_ADDR", &sandbox.addr())
            .args(["token", "lookup", "--format", "json"])
            .run()
            .exit(0);
        run.json()["display_name"].as_str().unwrap().to_string()
    };

    let with_home = || {
        let nvctl = Nvctl::new();
        std::fs::write(nvctl.home().join(".vault-token"), &from_home).unwrap();
        nvctl
    };
    assert_eq!(lookup(with_home()), "token-home");
    assert_eq!(
        lookup(with_home().env("VAULT_TOKEN", &from_env)),
        "token-env"
    );
    assert_eq!(
        lookup(
            with_home()
                .env("VAULT_TOKEN", &from_env)
                .arg("--token-file")
                .arg(&file)
        ),
        "token-file"
    );
}

#[test]
fn namespace_is_sent_on_logical_paths_but_never_on_sys_unseal_paths() {
    let sandbox = support::dev_sandbox();
    sandbox.clear_requests();
    Nvctl::new()
        .sandbox(&sandbox)
        .env("VAULT_NAMESPACE", "team-a")
        .args(["token", "lookup"])
        .run();
    Nvctl::new()
        .sandbox(&sandbox)
        .env("VAULT_NAMESPACE", "team-a")
        .args(["status"])
        .run()
        .exit(0);
    let requests = sandbox.requests();
    let ns_of = |path: &str| {
        requests
            .iter()
            .find(|r| r.path.starts_with(path))
            .map(|r| r.header("x-vault-namespace").map(str::to_string))
    };
    assert_eq!(
        ns_of("/v1/auth/token/lookup-self"),
        Some(Some("team-a".to_string()))
    );
    assert_eq!(ns_of("/v1/sys/health"), Some(None));
}

#[test]
fn an_unreadable_ca_cert_or_client_certificate_is_a_local_error() {
    // Nothing was sent: the operator's own file is at fault, exit 1 (not 2, a Vault error).
    Nvctl::new()
        .args(["status", "--ca-cert", "/nonexistent/ca.pem"])
        .run()
        .exit(1)
        .stderr_has("--ca-cert");
    Nvctl::new()
        .env("VAULT_CLIENT_CERT", "/nonexistent/cert.pem")
        .env("VAULT_CLIENT_KEY", "/nonexistent/key.pem")
        .args(["status"])
        .run()
        .exit(1)
        .stderr_has("VAULT_CLIENT_CERT");
}

/// A name other than `localhost` that /etc/hosts maps to 127.0.0.1 — the machine's own
/// hostname when it is one. nvctl cannot know where a name leads, so to it this is a remote
/// host; the test's traffic still stays on loopback.
fn loopback_alias() -> String {
    let hosts = std::fs::read_to_string("/etc/hosts").expect("read /etc/hosts");
    let aliases: Vec<String> = hosts
        .lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            (fields.next() == Some("127.0.0.1")).then(|| fields.map(str::to_string).collect())
        })
        .flat_map(|names: Vec<String>| names)
        .filter(|name| !name.to_ascii_lowercase().starts_with("localhost"))
        .collect();
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    aliases
        .iter()
        .find(|name| **name == hostname.trim())
        .or(aliases.first())
        .cloned()
        .expect("this test needs a name besides localhost mapped to 127.0.0.1 in /etc/hosts")
}

#[test]
fn a_token_sent_over_plain_http_to_a_named_host_is_warned_about_once() {
    let sandbox = support::dev_sandbox();
    let alias = loopback_alias();
    let address = sandbox.addr().replace("127.0.0.1", &alias);
    // check-role sends several authenticated requests: one warning for the host.
    let run = Nvctl::new()
        .env("VAULT_ADDR", &address)
        .env("VAULT_TOKEN", support::ROOT_TOKEN)
        .args(["check-role", "nomad-cluster"])
        .run()
        .stderr_has(&format!(
            "warning: a Vault token is being sent over plain http:// to {alias}"
        ))
        .hides(support::ROOT_TOKEN);
    assert_eq!(
        run.stderr.matches("plain http://").count(),
        1,
        "{}",
        run.stderr
    );

    Nvctl::new()
        .sandbox(&sandbox)
        .args(["token", "lookup"])
        .run()
        .exit(0)
        .stderr_lacks("plain http://");
}

#[test]
fn verbose_logs_each_request_without_the_token() {
    let sandbox = support::dev_sandbox();
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["-v", "token", "lookup"])
        .run()
        .exit(0)
        .stderr_has(&format!(
            "GET auth/token/lookup-self → 200 (attempt 1, node {}",
            sandbox.addr()
        ))
        .hides(support::ROOT_TOKEN);
    Nvctl::new()
        .sandbox(&sandbox)
        .args(["token", "lookup"])
        .run()
        .exit(0)
        .stderr_lacks("auth/token/lookup-self →");
}

/// `status` of a Vault whose host name never resolves (`.invalid`, RFC 6761), no retries.
fn status_of_an_unresolvable_vault(nvctl: Nvctl) -> Nvctl {
    nvctl.args([
        "status",
        "--max-retries",
        "0",
        "--address",
        "http://vault.nvctl-test.invalid:8200",
    ])
}

/// A host name that does not resolve (`.invalid` never does, RFC 6761): nothing was sent, so
/// it is "cannot connect" with the resolver's words — never a connection that broke after
/// sending, which would tell `init` the keys may be lost.
#[test]
fn an_address_whose_name_does_not_resolve_is_cannot_connect() {
    status_of_an_unresolvable_vault(Nvctl::new())
        .run()
        .exit(2)
        .stderr_has("cannot connect to http://vault.nvctl-test.invalid:8200")
        .stderr_has("cannot resolve vault.nvctl-test.invalid")
        .stderr_lacks("broke during");
}

/// A proxy that records the first request line it receives and answers 502.
fn recording_proxy() -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(stream) = stream else { return };
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line.trim_end().to_string());
            let mut stream = reader.into_inner();
            let _ = stream.write_all(
                b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    (url, rx)
}

/// Proxies as Go's ProxyFromEnvironment (the Vault CLI's) chooses them: HTTP_PROXY carries
/// http:// requests; HTTPS_PROXY alone never does (a token meant for an http:// Vault would
/// go to it in clear); a loopback Vault is reached directly whatever the environment says.
#[test]
fn proxies_are_chosen_per_scheme_and_never_for_loopback() {
    let (proxy, requests) = recording_proxy();
    status_of_an_unresolvable_vault(Nvctl::new().env("HTTP_PROXY", &proxy))
        .run()
        .exit(2)
        .stderr_lacks("cannot resolve");
    // ureq tunnels through the proxy (CONNECT) for http:// too.
    assert_eq!(
        requests.recv_timeout(Duration::from_secs(5)).unwrap(),
        "CONNECT vault.nvctl-test.invalid:8200 HTTP/1.1"
    );

    status_of_an_unresolvable_vault(Nvctl::new().env("HTTPS_PROXY", &proxy))
        .run()
        .exit(2)
        .stderr_has("cannot resolve vault.nvctl-test.invalid");
    assert!(
        requests.try_recv().is_err(),
        "HTTPS_PROXY carried an http:// request"
    );

    // A proxy that cannot be reached is named (without its credentials) as the one at fault.
    status_of_an_unresolvable_vault(
        Nvctl::new().env("HTTP_PROXY", "http://ops:proxy-pa55@127.0.0.1:9"),
    )
    .run()
    .exit(2)
    .stderr_has("through the proxy http://127.0.0.1:9 (HTTP_PROXY)")
    .stderr_lacks("connection refused by")
    .hides("proxy-pa55");

    let vault = Sandbox::builder().dev_default().start().expect("sandbox");
    Nvctl::new()
        .env("HTTP_PROXY", &proxy)
        .env("HTTPS_PROXY", &proxy)
        .args(["status", "--max-retries", "0", "--address", &vault.addr()])
        .run()
        .exit(0);
    assert!(
        requests.try_recv().is_err(),
        "a loopback Vault went through the proxy"
    );
}
