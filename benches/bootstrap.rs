//! `nvctl bootstrap` against a Vault that answers every request L late (the sandbox's
//! latency, default 50 ms): a fresh 5/3 bootstrap, a re-run with everything in place, the same
//! sequence as a shell script of sequential `curl` calls (one process per request, the seeds'
//! API style), and `nvctl --version`. Prints one table with the issue's targets.
//!
//! ```text
//! cargo bench -p nvctl --bench bootstrap -- [latency-ms] [runs]
//! ```
//!
//! Each scenario runs `runs` times (default 3), each on a fresh sandbox, and the median is
//! reported; `--version` runs 20 times. The whole thing takes a few seconds. These are
//! figures for BENCHMARKS.md, never assertions: the suite has no timed test.
//!
//! The binary measured is the one Cargo built for this bench (`CARGO_BIN_EXE_nvctl`, set for
//! benches and integration tests; with `cargo bench` it is `target/release/nvctl`). Wall time
//! is taken around the whole process (spawn to exit), as an operator or a CI job would see it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use vault_sandbox::{RecordedRequest, Sandbox, SandboxHandle};

const NVCTL: &str = env!("CARGO_BIN_EXE_nvctl");
const ROLE: &str = "nomad-cluster";
const VERSION_RUNS: usize = 20;

/// One row of the result table.
struct Row {
    scenario: String,
    requests: String,
    wall: Duration,
    target: String,
    met: Option<bool>,
}

/// What one measured run saw.
struct Run {
    wall: Duration,
    requests: usize,
    writes: usize,
}

fn main() {
    // `cargo bench` passes `--bench`; everything else is ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let latency_ms: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(50);
    let runs: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3).max(1);
    let latency = Duration::from_millis(latency_ms);
    println!(
        "nvctl bootstrap benchmark: latency L = {latency_ms} ms per request, {runs} run(s) per scenario, median shown"
    );
    println!("binary: {NVCTL}");

    let mut fresh = Vec::new();
    let mut rerun = Vec::new();
    for _ in 0..runs {
        let (f, r) = nvctl_fresh_and_rerun(latency);
        fresh.push(f);
        rerun.push(r);
    }
    let curl = curl_available().then(|| {
        (0..runs)
            .map(|_| curl_script(latency))
            .collect::<Vec<Run>>()
    });
    let version = median(
        (0..VERSION_RUNS)
            .map(|_| {
                let start = Instant::now();
                let out = Command::new(NVCTL)
                    .arg("--version")
                    .output()
                    .expect("run nvctl --version");
                let wall = start.elapsed();
                assert!(out.status.success(), "nvctl --version failed");
                wall
            })
            .collect(),
    );

    let fresh_wall = median(fresh.iter().map(|r| r.wall).collect());
    let rerun_wall = median(rerun.iter().map(|r| r.wall).collect());
    let full_target = latency * 8 + Duration::from_millis(100);
    let rerun_target = latency * 3 + Duration::from_millis(100);
    let mut rows = vec![
        Row {
            scenario: "nvctl bootstrap, fresh Vault (5/3)".into(),
            requests: counts(&fresh, false),
            wall: fresh_wall,
            target: format!("≤ 8·L + 100 ms = {}", ms(full_target)),
            met: Some(fresh_wall <= full_target),
        },
        Row {
            scenario: "nvctl bootstrap, re-run (all in place)".into(),
            requests: counts(&rerun, true),
            wall: rerun_wall,
            target: format!("≤ 3·L + 100 ms = {}, 0 writes", ms(rerun_target)),
            met: Some(rerun_wall <= rerun_target && rerun.iter().all(|r| r.writes == 0)),
        },
    ];
    match &curl {
        Some(curl) => {
            let curl_wall = median(curl.iter().map(|r| r.wall).collect());
            let ratio = curl_wall.as_secs_f64() / fresh_wall.as_secs_f64();
            rows.push(Row {
                scenario: "shell script of sequential curl calls".into(),
                requests: counts(curl, false),
                wall: curl_wall,
                target: format!("nvctl ≥ 1.5× faster: {ratio:.2}×"),
                met: Some(ratio >= 1.5),
            });
        }
        None => rows.push(Row {
            scenario: "shell script of sequential curl calls".into(),
            requests: "-".into(),
            wall: Duration::ZERO,
            target: "skipped: `curl` is not installed".into(),
            met: None,
        }),
    }
    rows.push(Row {
        scenario: format!("nvctl --version (median of {VERSION_RUNS})"),
        requests: "0".into(),
        wall: version,
        target: "< 10 ms".into(),
        met: Some(version < Duration::from_millis(10)),
    });

    println!();
    println!("| scenario | requests | wall time | target | met |");
    println!("|---|---|---|---|---|");
    for row in &rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            row.scenario,
            row.requests,
            if row.met.is_none() {
                "-".to_string()
            } else {
                ms(row.wall)
            },
            row.target,
            match row.met {
                Some(true) => "met",
                Some(false) => "NOT met",
                None => "-",
            }
        );
    }
}

/// A fresh bootstrap of an uninitialised sandbox, then a re-run against the same sandbox.
fn nvctl_fresh_and_rerun(latency: Duration) -> (Run, Run) {
    let sandbox = sandbox(latency);
    let dir = tempfile::tempdir().expect("temp dir");
    let fresh = timed_nvctl(&sandbox, dir.path());
    sandbox.clear_requests();
    let rerun = timed_nvctl(&sandbox, dir.path());
    (fresh, rerun)
}

fn sandbox(latency: Duration) -> SandboxHandle {
    Sandbox::builder()
        .uninitialized()
        .latency(latency)
        .start()
        .expect("start the sandbox")
}

/// `nvctl bootstrap --yes` with its files in `dir`, non-interactive, no operator token.
fn timed_nvctl(sandbox: &SandboxHandle, dir: &Path) -> Run {
    let mut command = Command::new(NVCTL);
    command
        .args([
            "bootstrap",
            "--yes",
            "--key-shares",
            "5",
            "--key-threshold",
            "3",
        ])
        .arg("--init-output")
        .arg(dir.join("vault-init.json"))
        .arg("--token-output")
        .arg(dir.join("nomad-server.token"));
    let start = Instant::now();
    let out = isolated(&mut command, dir)
        .env("VAULT_ADDR", sandbox.addr())
        .output()
        .expect("run nvctl");
    let wall = start.elapsed();
    succeeded("nvctl bootstrap", &out);
    measured(sandbox, wall)
}

/// No operator token, no `~/.vault-token`, no colour, no terminal: the CI setting.
fn isolated<'a>(command: &'a mut Command, home: &Path) -> &'a mut Command {
    for (key, _) in std::env::vars() {
        if key.starts_with("VAULT_") || key.starts_with("NVCTL_") {
            command.env_remove(key);
        }
    }
    command
        .env("HOME", home)
        .env("CI", "1")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
}

fn succeeded(what: &str, out: &Output) {
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        panic!("{what} failed with {}", out.status);
    }
}

fn measured(sandbox: &SandboxHandle, wall: Duration) -> Run {
    let requests = sandbox.requests();
    Run {
        wall,
        requests: requests.len(),
        writes: requests.iter().filter(|r| is_write(r)).count(),
    }
}

/// Whether a request changes Vault: lookups and capability queries are POSTs that only read.
fn is_write(r: &RecordedRequest) -> bool {
    !matches!(r.method.as_str(), "GET" | "HEAD" | "LIST")
        && !["lookup", "capabilities"]
            .iter()
            .any(|p| r.path.contains(p))
}

fn curl_available() -> bool {
    Command::new("curl")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The seed tutorial's sequence as a shell script, one `curl` process per request: init,
/// 3 unseals, policy write, role write, token create-orphan, then what a Nomad server does
/// with its token (lookup-self, capabilities-self, role read). Bodies are files
/// (`-d @file.json`, like `vault write path @file.json`); the answers are picked apart with
/// shell parameter expansion (no `jq`), so the script's own cost is the `curl` processes.
fn curl_script(latency: Duration) -> Run {
    let sandbox = sandbox(latency);
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = serde_json::json!({ "policy": nvctl::acl::render_server_policy(ROLE) });
    write(
        &dir.path().join("nomad-server-policy.json"),
        &policy.to_string(),
    );
    write(
        &dir.path().join("nomad-cluster-role.json"),
        include_str!("../roles/nomad-cluster.json"),
    );
    let paths = serde_json::json!({
        "paths": nvctl::nomad::capabilities::request_paths(Some(ROLE), true)
    });
    write(&dir.path().join("capabilities.json"), &paths.to_string());
    let script = dir.path().join("bootstrap.sh");
    write(&script, CURL_SCRIPT);

    let start = Instant::now();
    let out = isolated(Command::new("sh").arg(&script), dir.path())
        .current_dir(dir.path())
        .env("VAULT_ADDR", sandbox.addr())
        .env("ROLE", ROLE)
        .output()
        .expect("run sh");
    let wall = start.elapsed();
    succeeded("the curl script", &out);
    measured(&sandbox, wall)
}

fn write(path: &PathBuf, text: &str) {
    std::fs::write(path, text).expect("write a bench file");
}

const CURL_SCRIPT: &str = r#"set -eu
api() { curl -sSf -H "X-Vault-Request: true" "$@"; }

init=$(api -X PUT -d '{"secret_shares":5,"secret_threshold":3}' "$VAULT_ADDR/v1/sys/init")
printf '%s\n' "$init" > vault-init.json
root=${init#*\"root_token\":\"}; root=${root%%\"*}
keys=${init#*\"keys\":[}; keys=${keys%%]*}
IFS=,; set -- $keys; IFS=' '
for key in "$1" "$2" "$3"; do
  api -X PUT -d "{\"key\":$key}" "$VAULT_ADDR/v1/sys/unseal" > /dev/null
done

api -X PUT -H "X-Vault-Token: $root" -d @nomad-server-policy.json "$VAULT_ADDR/v1/sys/policies/acl/nomad-server"
api -X POST -H "X-Vault-Token: $root" -d @nomad-cluster-role.json "$VAULT_ADDR/v1/auth/token/roles/$ROLE"
created=$(api -X POST -H "X-Vault-Token: $root" -d '{"policies":["nomad-server"],"period":"72h"}' "$VAULT_ADDR/v1/auth/token/create-orphan")
token=${created#*\"client_token\":\"}; token=${token%%\"*}
printf '%s\n' "$token" > nomad-server.token

api -H "X-Vault-Token: $token" "$VAULT_ADDR/v1/auth/token/lookup-self" > /dev/null
api -X POST -H "X-Vault-Token: $token" -d @capabilities.json "$VAULT_ADDR/v1/sys/capabilities-self" > /dev/null
api -H "X-Vault-Token: $token" "$VAULT_ADDR/v1/auth/token/roles/$ROLE" > /dev/null
"#;

fn counts(runs: &[Run], with_writes: bool) -> String {
    let requests = median(runs.iter().map(|r| r.requests).collect());
    if with_writes {
        let writes = runs.iter().map(|r| r.writes).max().unwrap_or(0);
        format!("{requests} ({writes} writes)")
    } else {
        requests.to_string()
    }
}

fn median<T: Ord + Copy>(mut values: Vec<T>) -> T {
    values.sort();
    values[values.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
