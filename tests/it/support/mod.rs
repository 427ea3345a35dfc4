//! The end-to-end harness: the real `nvctl` binary, run against a Vault over real HTTP.
//!
//! Each test reads like a specification:
//! `Nvctl::new().vault(&vault).args(["status"]).run().exit(0).stdout_has("Sealed")`.
//!
//! Which Vault: tests that only need an unsealed Vault with a root token call [`vault()`], which
//! gives a real Vault when one is configured (`NVCTL_TEST_VAULT_ADDR` + `NVCTL_TEST_VAULT_TOKEN`,
//! or a `vault`/`bao` binary on PATH started with `server -dev`) and the sandbox otherwise. Tests
//! that need a fresh, sealed or fault-injecting Vault use the sandbox directly; they cannot run
//! against a live server, and say so.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use vault_sandbox::{Sandbox, SandboxHandle};

pub const ROOT_TOKEN: &str = "root-token-for-tests";

/// A Vault to test against: the sandbox, or a real server.
pub enum TestVault {
    Sandbox(SandboxHandle),
    Live { addr: String, token: String },
}

impl TestVault {
    pub fn addr(&self) -> String {
        match self {
            TestVault::Sandbox(h) => h.addr(),
            TestVault::Live { addr, .. } => addr.clone(),
        }
    }
    pub fn root_token(&self) -> String {
        match self {
            TestVault::Sandbox(h) => h.root_token().unwrap_or_default(),
            TestVault::Live { token, .. } => token.clone(),
        }
    }
    pub fn sandbox(&self) -> Option<&SandboxHandle> {
        match self {
            TestVault::Sandbox(h) => Some(h),
            TestVault::Live { .. } => None,
        }
    }
    pub fn is_live(&self) -> bool {
        matches!(self, TestVault::Live { .. })
    }
}

/// An unsealed Vault with a root token: live when configured, else a fresh dev-mode sandbox.
pub fn vault() -> TestVault {
    if let Some((addr, token)) = live_vault() {
        return TestVault::Live { addr, token };
    }
    TestVault::Sandbox(dev_sandbox())
}

/// A fresh unsealed dev-mode sandbox with [`ROOT_TOKEN`].
pub fn dev_sandbox() -> SandboxHandle {
    Sandbox::builder()
        .dev(ROOT_TOKEN)
        .start()
        .expect("start sandbox")
}

/// A real Vault, when this machine has one configured for the tests.
fn live_vault() -> Option<(String, String)> {
    static LIVE: OnceLock<Option<(String, String)>> = OnceLock::new();
    LIVE.get_or_init(|| {
        if let (Ok(addr), Ok(token)) = (
            std::env::var("NVCTL_TEST_VAULT_ADDR"),
            std::env::var("NVCTL_TEST_VAULT_TOKEN"),
        ) {
            return Some((addr, token));
        }
        start_dev_binary()
    })
    .clone()
}

/// Starts `vault server -dev` (or `bao server -dev`) when the binary is on PATH. The process is
/// left to die with the test binary's process group.
fn start_dev_binary() -> Option<(String, String)> {
    let binary = ["vault", "bao"].into_iter().find(|b| {
        Command::new(b)
            .arg("version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let addr = format!("http://127.0.0.1:{port}");
    let child: Child = Command::new(binary)
        .args([
            "server",
            "-dev",
            &format!("-dev-root-token-id={ROOT_TOKEN}"),
            &format!("-dev-listen-address=127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    std::mem::forget(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some((addr, ROOT_TOKEN.to_string()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

/// Says why a sandbox-only test does not run against the configured live Vault.
pub fn sandbox_only(reason: &str) {
    if live_vault().is_some() {
        eprintln!("note: this test runs against the sandbox only ({reason})");
    }
}

/// One run of the real binary.
pub struct Nvctl {
    command: Command,
    stdin: Option<Vec<u8>>,
    home: tempfile::TempDir,
}

impl Default for Nvctl {
    fn default() -> Self {
        Self::new()
    }
}

impl Nvctl {
    /// The binary with a clean environment: no `VAULT_*` from the developer's shell, a fresh
    /// empty HOME (so no ~/.vault-token), no colour.
    pub fn new() -> Nvctl {
        let mut command = Command::new(env!("CARGO_BIN_EXE_nvctl"));
        for (key, _) in std::env::vars() {
            if key.starts_with("VAULT_") || key.starts_with("NVCTL_") || key == "NO_COLOR" {
                command.env_remove(&key);
            }
        }
        let home = tempfile::tempdir().expect("temp HOME");
        command.env("HOME", home.path());
        command.stdin(Stdio::null());
        Nvctl {
            command,
            stdin: None,
            home,
        }
    }

    /// Points VAULT_ADDR and VAULT_TOKEN at a test Vault.
    pub fn vault(self, vault: &TestVault) -> Nvctl {
        self.env("VAULT_ADDR", &vault.addr())
            .env("VAULT_TOKEN", &vault.root_token())
    }

    /// Points VAULT_ADDR at a sandbox, and VAULT_TOKEN at its root token when it has one.
    pub fn sandbox(mut self, sandbox: &SandboxHandle) -> Nvctl {
        self.command.env("VAULT_ADDR", sandbox.addr());
        if let Some(token) = sandbox.root_token() {
            self.command.env("VAULT_TOKEN", token);
        }
        self
    }

    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Nvctl {
        self.command.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Nvctl
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Nvctl {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Nvctl {
        self.command.env_remove(key);
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Nvctl {
        self.command.current_dir(dir);
        self
    }

    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Nvctl {
        self.stdin = Some(input.into());
        self.command.stdin(Stdio::piped());
        self
    }

    pub fn home(&self) -> PathBuf {
        self.home.path().to_path_buf()
    }

    pub fn run(mut self) -> Run {
        self.command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.command.spawn().expect("spawn nvctl");
        if let Some(input) = self.stdin.take() {
            let mut pipe = child.stdin.take().expect("stdin pipe");
            // A command may exit before reading all of stdin: that is not the test's failure.
            let _ = pipe.write_all(&input);
        }
        let output = child.wait_with_output().expect("wait for nvctl");
        Run {
            code: output.status.code().unwrap_or(-1),
            signal: std::os::unix::process::ExitStatusExt::signal(&output.status),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            command: format!("{:?}", self.command),
        }
    }

    /// Starts the binary and returns at once: for tests that signal it while it works.
    pub fn spawn(mut self) -> Running {
        self.command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.command.spawn().expect("spawn nvctl");
        let collect = |mut pipe: Box<dyn std::io::Read + Send>| {
            let text = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let sink = std::sync::Arc::clone(&text);
            std::thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    sink.lock().expect("sink").extend_from_slice(&chunk[..n]);
                }
            });
            text
        };
        let stdout = collect(Box::new(child.stdout.take().expect("stdout pipe")));
        let stderr = collect(Box::new(child.stderr.take().expect("stderr pipe")));
        Running {
            child,
            stdout,
            stderr,
            command: format!("{:?}", self.command),
            _home: self.home,
        }
    }
}

type Collected = std::sync::Arc<std::sync::Mutex<Vec<u8>>>;

/// A running `nvctl`, see [`Nvctl::spawn`].
pub struct Running {
    child: Child,
    stdout: Collected,
    stderr: Collected,
    command: String,
    _home: tempfile::TempDir,
}

/// How long a test waits for something that must happen (a generous bound, not a timing
/// assertion: it only turns a hang into a failure).
pub const PATIENCE: Duration = Duration::from_secs(60);

impl Running {
    /// Sends `signal` (`INT`, `TERM`, `HUP`…) to the process, as `kill -s` would.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args(["-s", signal, &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -s {signal} failed");
    }

    /// What it has written to stdout so far.
    pub fn stdout_so_far(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().expect("stdout")).into_owned()
    }

    /// What it has written to stderr so far.
    pub fn stderr_so_far(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().expect("stderr")).into_owned()
    }

    /// Waits until stdout holds `needle` (fails after [`PATIENCE`]).
    #[track_caller]
    pub fn await_stdout(&self, needle: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.stdout_so_far().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "stdout never said {needle:?}\n--- stderr ---\n{}",
                self.stderr_so_far()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until stderr holds `needle` (fails after [`PATIENCE`]).
    #[track_caller]
    pub fn await_stderr(&self, needle: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.stderr_so_far().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "stderr never said {needle:?}\n--- stderr ---\n{}",
                self.stderr_so_far()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for the process to end and collects what it printed.
    pub fn finish(mut self) -> Run {
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for nvctl") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("nvctl did not stop\n{}", self.stderr_so_far());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // The readers end with the pipes; give them a moment to drain.
        std::thread::sleep(Duration::from_millis(100));
        let text = |c: &Collected| String::from_utf8_lossy(&c.lock().expect("out")).into_owned();
        Run {
            code: status.code().unwrap_or(-1),
            signal: std::os::unix::process::ExitStatusExt::signal(&status),
            stdout: text(&self.stdout),
            stderr: text(&self.stderr),
            command: self.command.clone(),
        }
    }
}

/// Waits until `check` holds (fails after [`PATIENCE`]), e.g. until a request reached Vault.
#[track_caller]
pub fn await_that(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !check() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Nvctl {
    /// Runs the binary on a terminal of its own (a pseudo-terminal from util-linux `script`),
    /// as an operator at a prompt meets it: stdin is a terminal and `CI` is unset, so nvctl
    /// asks. The test then [`Terminal::expect`]s what nvctl prints and [`Terminal::send`]s
    /// what the operator types.
    pub fn on_terminal(self) -> Terminal {
        let mut line = shell_quote(&self.command.get_program().to_string_lossy());
        for arg in self.command.get_args() {
            line.push(' ');
            line.push_str(&shell_quote(&arg.to_string_lossy()));
        }
        let mut script = Command::new("script");
        script.args(["--quiet", "--return", "--command", &line, "/dev/null"]);
        for (key, value) in self.command.get_envs() {
            match value {
                Some(value) => script.env(key, value),
                None => script.env_remove(key),
            };
        }
        if let Some(dir) = self.command.get_current_dir() {
            script.current_dir(dir);
        }
        script
            .env_remove("CI")
            .env("TERM", "dumb")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = script.spawn().expect("spawn script (util-linux)");
        let input = child.stdin.take().expect("stdin pipe");
        let mut out = child.stdout.take().expect("stdout pipe");
        let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = std::sync::Arc::clone(&seen);
        let reader = std::thread::spawn(move || {
            use std::io::Read;
            let mut buf = [0u8; 4096];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]).replace('\r', "");
                sink.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push_str(&text);
            }
        });
        Terminal {
            child,
            input: Some(input),
            seen,
            cursor: 0,
            reader: Some(reader),
            command: line,
            _home: self.home,
        }
    }
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// nvctl running on a terminal: what it printed so far, and a keyboard.
pub struct Terminal {
    child: Child,
    input: Option<std::process::ChildStdin>,
    seen: std::sync::Arc<std::sync::Mutex<String>>,
    /// How far `expect` has read.
    cursor: usize,
    reader: Option<std::thread::JoinHandle<()>>,
    command: String,
    _home: tempfile::TempDir,
}

impl Terminal {
    fn screen(&self) -> String {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits until nvctl has printed `text` after what earlier calls waited for. A hang guard
    /// (60 s) fails the test with the screen, so a prompt that never comes is a failure.
    #[track_caller]
    pub fn expect(&mut self, text: &str) -> &mut Terminal {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.screen();
            if let Some(at) = screen[self.cursor.min(screen.len())..].find(text) {
                self.cursor += at + text.len();
                return self;
            }
            assert!(
                Instant::now() < deadline,
                "nvctl never printed {text:?}\ncommand: {}\n--- terminal ---\n{screen}",
                self.command
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types `text` (a newline ends a line).
    pub fn send(&mut self, text: &str) -> &mut Terminal {
        if let Some(input) = &mut self.input {
            input
                .write_all(text.as_bytes())
                .expect("type on the terminal");
            input.flush().expect("type on the terminal");
        }
        self
    }

    /// Waits for nvctl to exit; the terminal's text is both `stdout` and `stderr` of the run.
    pub fn finish(mut self) -> Run {
        let status = self.child.wait().expect("wait for script");
        drop(self.input.take());
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        let screen = self.screen();
        Run {
            code: status.code().unwrap_or(-1),
            signal: None,
            stdout: screen.clone(),
            stderr: screen,
            command: self.command.clone(),
        }
    }
}

/// What one run printed and how it ended; the assertions print everything on failure.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    /// The signal that ended the process, if one did.
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    command: String,
}

impl Run {
    fn context(&self) -> String {
        format!(
            "command: {}\nexit: {} (signal {:?})\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command, self.code, self.signal, self.stdout, self.stderr
        )
    }

    /// The process was ended by `signal` (its number, e.g. 2 for SIGINT).
    #[track_caller]
    pub fn killed_by(self, signal: i32) -> Run {
        assert_eq!(
            self.signal,
            Some(signal),
            "not ended by signal {signal}\n{}",
            self.context()
        );
        self
    }

    #[track_caller]
    pub fn exit(self, code: i32) -> Run {
        assert_eq!(self.code, code, "unexpected exit code\n{}", self.context());
        self
    }

    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Run {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}\n{}",
            self.context()
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Run {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n{}",
            self.context()
        );
        self
    }

    #[track_caller]
    pub fn stdout_lacks(self, needle: &str) -> Run {
        assert!(
            !self.stdout.contains(needle),
            "stdout has {needle:?}\n{}",
            self.context()
        );
        self
    }

    #[track_caller]
    pub fn stderr_lacks(self, needle: &str) -> Run {
        assert!(
            !self.stderr.contains(needle),
            "stderr has {needle:?}\n{}",
            self.context()
        );
        self
    }

    /// Neither stream carries `secret`.
    #[track_caller]
    pub fn hides(self, secret: &str) -> Run {
        assert!(
            !secret.is_empty() && !self.stdout.contains(secret) && !self.stderr.contains(secret),
            "a secret was printed\n{}",
            self.context()
        );
        self
    }

    /// stdout parsed as exactly one JSON document.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document: {e}\n{}", self.context()))
    }
}

/// A plain HTTP client for looking at Vault's state from the test's side (never nvctl's code).
pub struct Http {
    client: reqwest::blocking::Client,
    addr: String,
    token: String,
}

impl Http {
    pub fn new(addr: &str, token: &str) -> Http {
        Http {
            client: reqwest::blocking::Client::new(),
            addr: addr.trim_end_matches('/').to_string(),
            token: token.to_string(),
        }
    }

    pub fn of(vault: &TestVault) -> Http {
        Http::new(&vault.addr(), &vault.root_token())
    }

    fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut req = self
            .client
            .request(method, format!("{}/v1/{}", self.addr, path))
            .header("X-Vault-Token", &self.token);
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().expect("http request");
        let status = resp.status().as_u16();
        let text = resp.text().unwrap_or_default();
        let value = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, value)
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None)
    }

    pub fn put(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::PUT, path, Some(body))
    }

    pub fn delete(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::DELETE, path, None)
    }
}

/// Requests a sandbox received that change state (everything but GET/HEAD/LIST and the
/// read-style POSTs nvctl uses: lookups and capabilities).
pub fn writes(sandbox: &SandboxHandle) -> Vec<String> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| !matches!(r.method.as_str(), "GET" | "HEAD" | "LIST"))
        .filter(|r| {
            !["lookup", "capabilities"]
                .iter()
                .any(|read| r.path.contains(read))
        })
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// A temporary directory for files a test writes.
pub fn workdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// The names of the entries in `dir`, sorted: what a run left behind.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

pub fn read_json(path: &Path) -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(path).expect("read json file");
    serde_json::from_str(&text).expect("parse json file")
}

/// The Vault address the agent configuration fixtures carry (the guide's).
pub const FIXTURE_ADDR: &str = "http://active.vault.service.consul:8200";

/// The text of agent configuration fixture `name` (tests/fixtures/agent).
pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/agent")
            .join(name),
    )
    .unwrap()
}

/// Writes agent fixture `name` into `dir` with the guide's Vault address replaced by `addr`.
pub fn agent_file(dir: &Path, name: &str, addr: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, fixture_text(name).replace(FIXTURE_ADDR, addr)).unwrap();
    path
}
