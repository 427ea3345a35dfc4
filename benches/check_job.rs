//! `nvctl check-job` over a repository of jobs: N job files (default 1,000), P distinct
//! policies (default 10; job i asks for policy `app-(i mod P)` and its template reads the KV v2
//! secret `secret/data/app-(i mod P)` with `index .Data.data "password"`), against a sandbox
//! that answers every request L late (default 50 ms), so wall time counts round trips. Run
//! without and with `--rehearse`. Prints the requests the sandbox received and the wall time.
//!
//! ```text
//! cargo bench -p nvctl --bench check_job -- [jobs] [policies] [latency-ms]
//! ```
//!
//! Figures for BENCHMARKS.md, never assertions. The requests should grow with the distinct
//! policies, secrets and policy sets, not with the number of job files, and go out
//! concurrently (a handful of round trips).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use vault_sandbox::{Sandbox, SandboxHandle};

const NVCTL: &str = env!("CARGO_BIN_EXE_nvctl");
const ROOT: &str = "bench-root-token";

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let jobs: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let policies: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10)
        .max(1);
    let latency_ms: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(50);
    let latency = Duration::from_millis(latency_ms);
    println!(
        "nvctl check-job benchmark: {jobs} job files, {policies} policies, latency L = {latency_ms} ms per request"
    );
    println!("binary: {NVCTL}");

    let dir = tempfile::tempdir().expect("temp dir");
    let files: Vec<std::path::PathBuf> = (0..jobs)
        .map(|i| write_job(dir.path(), i, policies))
        .collect();

    println!();
    println!("| run | requests | wall time | wall time / L |");
    println!("|---|---|---|---|");
    for rehearse in [false, true] {
        let sandbox = seeded(policies, latency);
        sandbox.clear_requests();
        let mut command = Command::new(NVCTL);
        command.arg("check-job").args(&files);
        if rehearse {
            command.arg("--rehearse");
        }
        for (key, _) in std::env::vars() {
            if key.starts_with("VAULT_") || key.starts_with("NVCTL_") {
                command.env_remove(key);
            }
        }
        let start = Instant::now();
        let out = command
            .env("VAULT_ADDR", sandbox.addr())
            .env("VAULT_TOKEN", ROOT)
            .env("HOME", dir.path())
            .env("CI", "1")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .expect("run nvctl check-job");
        let wall = start.elapsed();
        if !out.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&out.stdout));
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
            panic!("nvctl check-job failed with {}", out.status);
        }
        let requests = sandbox.requests().len();
        let per_l = if latency.is_zero() {
            "-".to_owned()
        } else {
            format!("{:.1}", wall.as_secs_f64() / latency.as_secs_f64())
        };
        println!(
            "| check-job{} | {requests} | {:.1} ms | {per_l} |",
            if rehearse { " --rehearse" } else { "" },
            wall.as_secs_f64() * 1000.0,
        );
    }
}

/// Job `i`: policy and secret `app-(i mod policies)`, the seeds' template style.
fn write_job(dir: &Path, i: usize, policies: usize) -> std::path::PathBuf {
    let app = format!("app-{}", i % policies);
    let text = format!(
        r#"job "job-{i}" {{
  group "g" {{
    task "t" {{
      driver = "docker"
      vault {{
        policies = ["{app}"]
      }}
      template {{
        destination = "${{NOMAD_SECRETS_DIR}}/env.vars"
        env         = true
        data        = <<EOF
PASSWORD="{{{{with secret "secret/data/{app}"}}}}{{{{index .Data.data "password"}}}}{{{{end}}}}"
EOF
      }}
      config {{
        image = "busybox"
      }}
    }}
  }}
}}
"#
    );
    let path = dir.join(format!("job-{i}.nomad.hcl"));
    std::fs::write(&path, text).expect("write job file");
    path
}

/// A dev sandbox with the seed role (disallowing nomad-server), P policies and P secrets.
fn seeded(policies: usize, latency: Duration) -> SandboxHandle {
    let sandbox = Sandbox::builder()
        .dev(ROOT)
        .latency(latency)
        .start()
        .expect("start the sandbox");
    let http = reqwest::blocking::Client::new();
    let put = |path: &str, body: serde_json::Value| {
        let answer = http
            .put(format!("{}/v1/{path}", sandbox.addr()))
            .header("X-Vault-Token", ROOT)
            .json(&body)
            .send()
            .expect("seed request");
        assert!(
            answer.status().is_success(),
            "seed {path}: {}",
            answer.status()
        );
    };
    put(
        "auth/token/roles/nomad-cluster",
        json!({ "disallowed_policies": "nomad-server", "orphan": true, "token_period": 259200, "renewable": true }),
    );
    for p in 0..policies {
        let app = format!("app-{p}");
        put(
            &format!("sys/policies/acl/{app}"),
            json!({ "policy": format!("path \"secret/data/{app}\" {{\n  capabilities = [\"read\"]\n}}\n") }),
        );
        put(
            &format!("secret/data/{app}"),
            json!({ "data": { "password": "not-a-real-password" } }),
        );
    }
    sandbox
}
