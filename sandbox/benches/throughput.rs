//! Sandbox throughput: N client threads, each on one keep-alive connection, alternate
//! `GET auth/token/lookup-self` and `POST sys/capabilities-self` (five Nomad paths) with a
//! `nomad-server` token, for a bounded count. Prints req/s, p50 and p99.
//!
//! `cargo bench -p vault-sandbox --bench throughput -- [threads] [requests-per-thread]`
//!
//! The client is a minimal HTTP/1.1 writer/reader on a `TcpStream` so that the figures measure
//! the sandbox, not a client library.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use vault_sandbox::Sandbox;

const POLICY: &str = r#"
path "auth/token/create/nomad-cluster" { capabilities = ["update"] }
path "auth/token/roles/nomad-cluster" { capabilities = ["read"] }
path "auth/token/lookup-self" { capabilities = ["read"] }
path "auth/token/lookup" { capabilities = ["update"] }
path "auth/token/revoke-accessor" { capabilities = ["update"] }
path "sys/capabilities-self" { capabilities = ["update"] }
path "auth/token/renew-self" { capabilities = ["update"] }
"#;

const CAPABILITY_PATHS: &str = r#"{"paths":["auth/token/lookup","auth/token/renew-self","auth/token/revoke-accessor","auth/token/roles/nomad-cluster","auth/token/create/nomad-cluster"]}"#;

/// One keep-alive connection.
struct Connection {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Connection {
    fn open(addr: std::net::SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Connection {
            reader: BufReader::new(stream.try_clone().expect("clone")),
            writer: stream,
        }
    }

    /// Sends one request and reads the whole answer; returns the status.
    fn request(&mut self, method: &str, path: &str, token: &str, body: &str) -> u16 {
        let head = format!(
            "{method} /v1/{path} HTTP/1.1\r\nHost: sandbox\r\nX-Vault-Token: {token}\r\nX-Vault-Request: true\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        self.writer.write_all(head.as_bytes()).expect("write");
        self.writer.write_all(body.as_bytes()).expect("write");
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status");
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("header");
            if line == "\r\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().expect("length");
                }
            }
        }
        let mut body = vec![0u8; length];
        self.reader.read_exact(&mut body).expect("body");
        status
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let threads = args.first().copied().unwrap_or(4);
    let per_thread = args.get(1).copied().unwrap_or(25_000);

    let vault = Sandbox::builder()
        .dev("root")
        .record_requests(false)
        .start()
        .expect("start sandbox");
    let addr = vault.socket_addr();

    // Set up as the bootstrap does: the nomad-server policy and an orphan periodic token.
    let mut setup = Connection::open(addr);
    let policy_body = serde_json::json!({ "policy": POLICY }).to_string();
    assert_eq!(
        setup.request("PUT", "sys/policies/acl/nomad-server", "root", &policy_body),
        204
    );
    let create = r#"{"policies":["nomad-server"],"period":"72h","no_parent":true}"#;
    let head = format!(
        "POST /v1/auth/token/create HTTP/1.1\r\nHost: sandbox\r\nX-Vault-Token: root\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{create}",
        create.len()
    );
    let mut raw = TcpStream::connect(addr).expect("connect");
    raw.write_all(head.as_bytes()).expect("write");
    let mut answer = String::new();
    raw.read_to_string(&mut answer).expect("read");
    let json = &answer[answer.find("\r\n\r\n").expect("body") + 4..];
    let token = serde_json::from_str::<serde_json::Value>(json).expect("json")["auth"]
        ["client_token"]
        .as_str()
        .expect("token")
        .to_string();

    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let token = token.clone();
            std::thread::spawn(move || {
                let mut conn = Connection::open(addr);
                let mut latencies = Vec::with_capacity(per_thread);
                for i in 0..per_thread {
                    let t = Instant::now();
                    let status = if i % 2 == 0 {
                        conn.request("GET", "auth/token/lookup-self", &token, "")
                    } else {
                        conn.request("POST", "sys/capabilities-self", &token, CAPABILITY_PATHS)
                    };
                    latencies.push(t.elapsed());
                    assert_eq!(status, 200);
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = workers
        .into_iter()
        .flat_map(|w| w.join().expect("worker"))
        .collect();
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let total = latencies.len();
    println!(
        "sandbox throughput: {threads} threads x {per_thread} requests (lookup-self / capabilities-self alternating), keep-alive"
    );
    println!(
        "  {total} requests in {:.2}s = {:.0} req/s, p50 {:?}, p99 {:?}",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99)
    );
}
